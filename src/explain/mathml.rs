//! The MathML printer of the formula tree (MathML Core, for HTML).
//!
//! [`MathMl`] mirrors the LaTeX printer ([`super::math::Latex`]) node for
//! node: the same precedence levels decide the same parentheses, a vector is
//! laid out as a row or a column where LaTeX does so, and numbers are shown
//! as `latex_num` shows them (exact fractions as fractions, approximations
//! after ≈). Only elements of MathML Core are emitted, so Chrome, Firefox and
//! Safari render the output natively.
//!
//! Every fragment the printer builds is one element (a token or an `mrow`),
//! so a fragment can be the child of `mfrac`, `msup` or `msub` as it is, and
//! a parenthesised sub-expression is `<mrow><mo>(</mo>…<mo>)</mo></mrow>`:
//! the parentheses stretch to what they enclose, as `\left( … \right)` does.

use crate::explain::math::{
    name_parts, shown_cells, Math, Op, Rel, Val, P_ADD, P_ATOM, P_CMP, P_MUL, P_POW, P_SUM, P_UNARY,
};
use crate::lang::value::Fmt;
use crate::{Num, Tensor};

/// The MathML printer.
pub struct MathMl<'f> {
    fmt: &'f Fmt,
}

/// Escapes text for MathML/HTML (`&`, `<`, `>`, `"`, `'`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const XMLNS: &str = "http://www.w3.org/1998/Math/MathML";

/// A style sheet for a page that shows this printer's output: a font with
/// an OpenType MATH table first (the browsers' `math` default may be a text
/// font, whose ‖ and | do not stretch and whose Σ is not large).
pub const CSS: &str = "math{font-family:'Latin Modern Math','STIX Two Math',\
'Cambria Math','DejaVu Math TeX Gyre',math}";

/// `<math display="block">…</math>` around content.
pub fn block(content: &str) -> String {
    format!("<math xmlns=\"{XMLNS}\" display=\"block\">{content}</math>")
}

/// `<math>…</math>` around content (inline in a line of text).
pub fn inline_math(content: &str) -> String {
    format!("<math xmlns=\"{XMLNS}\">{content}</math>")
}

/// Several elements as one.
fn row(parts: &[&str]) -> String {
    format!("<mrow>{}</mrow>", parts.concat())
}

fn mo(s: &str) -> String {
    format!("<mo>{}</mo>", escape(s))
}

const MINUS: &str = "<mo>−</mo>";
/// A norm's bars, stretched over what they enclose (a column vector).
const NORM: &str = "<mo stretchy=\"true\">‖</mo>";
/// Monospace text (code, 3-d arrays): `\texttt`.
const MONO: &str = "<mtext style=\"font-family:monospace\">";

/// An identifier: one character is italic by itself; a longer word is
/// italic too (`\mathit{emb}`), as one `mi`.
fn ident(s: &str) -> String {
    if s.chars().count() == 1 {
        format!("<mi>{}</mi>", escape(s))
    } else {
        format!("<mi style=\"font-style:italic\">{}</mi>", escape(s))
    }
}

/// Parentheses around one element (a sub-expression or a call's arguments).
fn paren(s: &str) -> String {
    format!("<mrow><mo>(</mo>{s}<mo>)</mo></mrow>")
}

/// A short piece of code as formula tokens (an index `i+j`, a subscript
/// `p1`, a superscript `t-1`): words are identifiers, numbers are `mn`,
/// anything else an operator. One element. In a script (`tight`) the
/// operators take no space around them, as TeX sets `h^{(t-1)}`.
fn tokens(s: &str, tight: bool) -> String {
    let op = |c: &str| {
        if tight {
            format!("<mo lspace=\"0\" rspace=\"0\">{}</mo>", escape(c))
        } else {
            mo(c)
        }
    };
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if word.is_empty() {
            return;
        }
        if word.chars().all(|c| c.is_ascii_digit() || c == '.') {
            out.push(format!("<mn>{}</mn>", escape(word)));
        } else {
            out.push(ident(word));
        }
        word.clear();
    };
    for c in s.chars() {
        if c.is_alphanumeric() || c == '_' || c == '.' && word.chars().all(|d| d.is_ascii_digit()) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            match c {
                ' ' => {}
                '-' => out.push(op("−")),
                c => out.push(op(&c.to_string())),
            }
        }
    }
    flush(&mut word, &mut out);
    match out.len() {
        0 => "<mrow></mrow>".to_string(),
        1 => out.pop().unwrap_or_default(),
        _ => format!("<mrow>{}</mrow>", out.concat()),
    }
}

/// A name as MathML, as `latex_name` writes it: `f_p1` → f with subscript
/// p1, `W_hh` → W with subscript hh, `δ2` → δ₂, `emb` as one italic word,
/// `h⁽ᵗ⁻¹⁾` → h with the superscript (t−1).
pub fn name(n: &str) -> String {
    let (head, sub, sup) = name_parts(n);
    let head = ident(&head);
    // The version or step in parentheses: the parentheses do not stretch
    // (LaTeX writes them plainly, `^{(t-1)}`).
    let sup = (!sup.is_empty()).then(|| {
        format!(
            "<mrow><mo stretchy=\"false\">(</mo>{}<mo stretchy=\"false\">)</mo></mrow>",
            tokens(&sup, true)
        )
    });
    match (sub, sup) {
        (None, None) => head,
        (Some(s), None) => format!("<msub>{head}{}</msub>", tokens(&s, true)),
        (None, Some(p)) => format!("<msup>{head}{p}</msup>"),
        (Some(s), Some(p)) => format!("<msubsup>{head}{}{p}</msubsup>", tokens(&s, true)),
    }
}

/// A fragment: one element, how tightly it binds (the LaTeX printer's
/// levels), and whether it begins with a minus sign (LaTeX's `-…`).
struct Frag {
    s: String,
    p: u8,
    minus: bool,
}

impl Frag {
    fn atom(s: String) -> Frag {
        Frag {
            s,
            p: P_ATOM,
            minus: false,
        }
    }
    fn at(s: String, p: u8) -> Frag {
        Frag { s, p, minus: false }
    }
}

/// The fragment, in parentheses when it binds looser than `min`; and
/// whether what is returned begins with a minus sign.
fn lp(f: Frag, min: u8) -> (String, bool) {
    if f.p < min {
        (paren(&f.s), false)
    } else {
        (f.s, f.minus)
    }
}

/// A number as `latex_num` shows it.
struct Number {
    /// Without its ≈.
    body: String,
    approx: bool,
    /// Begins with a minus sign (a negative exact number, −∞).
    negative: bool,
    fraction: bool,
}

impl Number {
    fn mathml(&self) -> String {
        if self.approx {
            row(&["<mo>≈</mo>", &self.body])
        } else {
            self.body.clone()
        }
    }
    /// As a fragment: an approximation or a negative binds like a unary
    /// minus, a fraction like a product (as in LaTeX).
    fn frag(&self) -> Frag {
        let p = if self.negative || self.approx {
            P_UNARY
        } else if self.fraction {
            P_MUL
        } else {
            P_ATOM
        };
        Frag {
            s: self.mathml(),
            p,
            minus: self.negative,
        }
    }
}

/// A decimal as written by the number formatter (`-0.25`, `1.5e-7`):
/// a minus sign as an operator, an exponent as a power of ten.
fn decimal(d: &str) -> (String, bool) {
    let (neg, d) = match d.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, d),
    };
    let mant_exp = d.split_once('e').filter(|(m, e)| {
        !m.is_empty()
            && m.chars().all(|c| c.is_ascii_digit() || c == '.')
            && !e.is_empty()
            && e.trim_start_matches('-')
                .chars()
                .all(|c| c.is_ascii_digit())
    });
    let body = match mant_exp {
        Some((m, e)) => {
            let exp = match e.strip_prefix('-') {
                Some(e) => row(&[MINUS, &format!("<mn>{e}</mn>")]),
                None => format!("<mn>{e}</mn>"),
            };
            row(&[
                &format!("<mn>{m}</mn>"),
                "<mo>×</mo>",
                &format!("<msup><mn>10</mn>{exp}</msup>"),
            ])
        }
        None => format!("<mn>{}</mn>", escape(d)),
    };
    if neg {
        (row(&[MINUS, &body]), true)
    } else {
        (body, false)
    }
}

fn number(n: &Num, fmt: &Fmt) -> Number {
    let plain = |body: String, negative: bool| Number {
        body,
        approx: false,
        negative,
        fraction: false,
    };
    match n.infinity() {
        Some(true) => return plain(row(&[MINUS, "<mi>∞</mi>"]), true),
        Some(false) => return plain("<mi>∞</mi>".into(), false),
        None => {}
    }
    let approx = |d: &str| Number {
        body: decimal(d).0,
        approx: true,
        negative: false,
        fraction: false,
    };
    match n {
        Num::Exact(_) => {
            let s = fmt.compact(n);
            if let Some(d) = s.strip_prefix('≈') {
                return approx(d);
            }
            match s.split_once('/') {
                Some((p, q)) => {
                    let (negative, p) = match p.strip_prefix('-') {
                        Some(p) => (true, p),
                        None => (false, p),
                    };
                    // \tfrac: a number's fraction is in text style.
                    let f = format!(
                        "<mfrac displaystyle=\"false\"><mn>{}</mn><mn>{}</mn></mfrac>",
                        escape(p),
                        escape(q)
                    );
                    Number {
                        body: if negative { row(&[MINUS, &f]) } else { f },
                        approx: false,
                        negative,
                        fraction: true,
                    }
                }
                None => {
                    let (body, negative) = decimal(&s);
                    plain(body, negative)
                }
            }
        }
        Num::Approx(_) => approx(&fmt.decimal(n)),
    }
}

/// Rows of cells in brackets that stretch over them (`bmatrix`).
fn matrix(rows: &[Vec<String>]) -> String {
    let mut out = String::from("<mrow><mo>[</mo><mtable>");
    for r in rows {
        out.push_str("<mtr>");
        for c in r {
            out.push_str("<mtd>");
            out.push_str(c);
            out.push_str("</mtd>");
        }
        out.push_str("</mtr>");
    }
    out.push_str("</mtable><mo>]</mo></mrow>");
    out
}

/// ∂y/∂x of two names.
fn partial(y: &str, x: &str) -> String {
    format!(
        "<mfrac><mrow><mo rspace=\"0\">∂</mo>{}</mrow><mrow><mo rspace=\"0\">∂</mo>{}</mrow></mfrac>",
        name(y),
        name(x)
    )
}

fn rel(r: Rel) -> &'static str {
    match r {
        Rel::Eq => "<mo>=</mo>",
        Rel::Ne => "<mo>≠</mo>",
        Rel::Lt => "<mo>&lt;</mo>",
        Rel::Le => "<mo>≤</mo>",
        Rel::Gt => "<mo>&gt;</mo>",
        Rel::Ge => "<mo>≥</mo>",
    }
}

impl<'f> MathMl<'f> {
    pub fn new(fmt: &'f Fmt) -> MathMl<'f> {
        MathMl { fmt }
    }

    /// The formula's MathML content (no `<math>` wrapper): one element.
    pub fn inline(&self, m: &Math) -> String {
        self.expr(m).s
    }

    /// A chain `m₀ = m₁ = …` as LaTeX's `chain` writes it: a member that
    /// prints as the one before is left out, and a lone approximate number
    /// is joined with ≈ instead of =. Content only: a sequence of elements.
    pub fn chain(&self, members: &[&Math]) -> String {
        let mut out = String::new();
        let mut prev = String::new();
        for (i, m) in members.iter().enumerate() {
            let s = self.inline(m);
            if i > 0 && s == prev {
                continue;
            }
            prev.clone_from(&s);
            // An approximate number says how it relates: ≈ 0.1824.
            let lone = match m {
                Math::Num(v) if v.ndim() == 0 => v
                    .iter()
                    .next()
                    .map(|n| number(n, self.fmt))
                    .filter(|n| n.approx),
                _ => None,
            };
            match (i, lone.is_some()) {
                (0, false) => {}
                (_, true) => out.push_str("<mo>≈</mo>"),
                (_, false) => out.push_str("<mo>=</mo>"),
            }
            match lone {
                Some(n) => out.push_str(&n.body),
                None => out.push_str(&s),
            }
        }
        out
    }

    /// A value; a vector is a row (as numpy broadcasts it) unless `column`
    /// (the vector a matrix multiplies, or the left side of an outer product).
    fn value(&self, v: &Val, column: bool) -> Frag {
        let f = |n: &Num| number(n, self.fmt).mathml();
        match v.ndim() {
            0 => v
                .iter()
                .next()
                .map(|n| number(n, self.fmt).frag())
                .unwrap_or_else(|| Frag::atom("<mrow></mrow>".into())),
            // Long axes as the text printer shows them: the first ones, an
            // ellipsis, the last.
            1 | 2 => {
                let dots = |vertical: bool, horizontal: bool| {
                    match (vertical, horizontal) {
                        (true, true) => "<mo>⋱</mo>",
                        (true, false) => "<mo>⋮</mo>",
                        _ => "<mo>⋯</mo>",
                    }
                    .to_string()
                };
                Frag::atom(matrix(&shown_cells(v, column, &f, &dots)))
            }
            _ => {
                let t = Tensor::new((**v).clone());
                Frag::atom(format!(
                    "{MONO}{}</mtext>",
                    escape(&self.fmt.tensor_compact(&t))
                ))
            }
        }
    }

    /// Arguments separated by commas, as one element.
    fn args(&self, xs: &[Math]) -> String {
        let parts: Vec<String> = xs.iter().map(|x| self.expr(x).s).collect();
        if parts.len() == 1 {
            return parts.concat();
        }
        format!("<mrow>{}</mrow>", parts.join("<mo>,</mo>"))
    }

    fn expr(&self, m: &Math) -> Frag {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(m))
    }

    fn expr_inner(&self, m: &Math) -> Frag {
        match m {
            Math::Sym(n, _) => Frag::atom(name(n)),
            Math::Partial(y, x, _) => Frag::atom(partial(y, x)),
            Math::Num(v) => self.value(v, false),
            Math::Code(c) => Frag::atom(format!("{MONO}{}</mtext>", escape(c))),
            Math::Neg(x) => {
                let inner = self.expr(x);
                let wrap = matches!(&**x, Math::Bin(Op::FloorDiv | Op::Mod, ..)) || inner.minus;
                let inner = if wrap {
                    paren(&inner.s)
                } else {
                    lp(inner, P_MUL).0
                };
                Frag {
                    s: row(&[MINUS, &inner]),
                    p: P_UNARY,
                    minus: true,
                }
            }
            Math::Bin(op, a, b) => {
                let (p, sym) = match op {
                    Op::Add => (P_ADD, "<mo>+</mo>"),
                    Op::Sub => (P_ADD, MINUS),
                    Op::Mul => (P_MUL, "<mo>⋅</mo>"),
                    // A matrix product is a thin space: W h.
                    Op::Dot | Op::MatMul => (P_MUL, "<mspace width=\"0.1667em\"/>"),
                    Op::Had => (P_MUL, "<mo>⊙</mo>"),
                    Op::Div => {
                        return Frag::atom(format!(
                            "<mfrac>{}{}</mfrac>",
                            self.expr(a).s,
                            self.expr(b).s
                        ))
                    }
                    Op::FloorDiv => (P_MUL, "<mo>//</mo>"),
                    Op::Mod => (
                        P_MUL,
                        "<mo lspace=\"0.2778em\" rspace=\"0.2778em\">mod</mo>",
                    ),
                    Op::Pow => {
                        return Frag::at(
                            format!(
                                "<msup>{}{}</msup>",
                                lp(self.expr(a), P_POW + 1).0,
                                self.expr(b).s
                            ),
                            P_POW,
                        )
                    }
                };
                // In a matrix product the vector on the right is a column, and
                // so is the one on the left of an outer product (δ hᵀ).
                let matrix = matches!(op, Op::Dot | Op::MatMul);
                let vector = |m: &Math| matches!(m, Math::Num(v) if v.ndim() == 1);
                let outer = matches!(&**b, Math::Transpose(_));
                let side = |m: &Math, column: bool| match m {
                    Math::Num(v) if matrix && column && vector(m) => self.value(v, true),
                    _ => self.expr(m),
                };
                let r = side(b, true);
                let r = if r.minus {
                    paren(&r.s)
                } else if matches!(op, Op::Add | Op::Sub) && matches!(&**b, Math::Sum(..)) {
                    lp(r, p).0
                } else {
                    lp(r, p + 1).0
                };
                let (l, minus) = lp(side(a, outer), p);
                Frag {
                    s: row(&[&l, sym, &r]),
                    p,
                    minus,
                }
            }
            // A comparison has the value 1 or 0: Iverson's bracket [a > b].
            Math::Cmp(op, a, b) => Frag::atom(row(&[
                "<mo>[</mo>",
                &lp(self.expr(a), P_CMP + 1).0,
                rel(*op),
                &lp(self.expr(b), P_CMP + 1).0,
                "<mo>]</mo>",
            ])),
            Math::Sum(i, x) => {
                // Under Σ in a display, after it inline (movable limits).
                let sigma = match i {
                    Some(i) => format!("<munder><mo>∑</mo>{}</munder>", tokens(i, true)),
                    None => "<mo>∑</mo>".to_string(),
                };
                Frag::at(row(&[&sigma, &lp(self.expr(x), P_MUL).0]), P_SUM)
            }
            Math::Norm(x) => Frag::atom(row(&[NORM, &self.expr(x).s, NORM])),
            Math::Sqrt(x) => Frag::atom(format!("<msqrt>{}</msqrt>", self.expr(x).s)),
            // The transpose of a vector is its row.
            Math::Transpose(x) => match &**x {
                Math::Num(v) if v.ndim() == 1 => self.value(v, false),
                _ => Frag::atom(format!(
                    "<msup>{}<mi>⊤</mi></msup>",
                    lp(self.expr(x), P_ATOM).0
                )),
            },
            // grad(y, x) is ∂y/∂x.
            Math::Call(f, xs) if f == "grad" => match xs.as_slice() {
                [Math::Sym(y, _), Math::Sym(x, _)] => Frag::atom(partial(y, x)),
                _ => self.call(f, xs),
            },
            Math::Call(f, xs) => self.call(f, xs),
            Math::Kw(n, x) => Frag::atom(row(&[
                &format!("<mtext>{}</mtext>", escape(n)),
                "<mo>=</mo>",
                &self.expr(x).s,
            ])),
            Math::List(xs) => Frag::atom(row(&["<mo>[</mo>", &self.args(xs), "<mo>]</mo>"])),
            Math::Tuple(xs) => Frag::atom(paren(&self.args(xs))),
            Math::Index(x, i) => Frag::atom(row(&[
                &lp(self.expr(x), P_ATOM).0,
                "<mo stretchy=\"false\">[</mo>",
                &tokens(i, false),
                "<mo stretchy=\"false\">]</mo>",
            ])),
            Math::Attr(x, n) => Frag::atom(row(&[
                &lp(self.expr(x), P_ATOM).0,
                "<mo lspace=\"0\" rspace=\"0\">.</mo>",
                &format!("{MONO}{}</mtext>", escape(n)),
            ])),
            Math::Given(x, _) => self.expr(x),
        }
    }

    /// A function applied: σ(s), max(0, a), e^x, an operator name upright.
    fn call(&self, f: &str, xs: &[Math]) -> Frag {
        let head = match f {
            "sigmoid" | "expit" | "σ" => "<mi>σ</mi>".to_string(),
            "exp" if xs.len() == 1 => {
                return Frag::at(
                    format!("<msup><mi>e</mi>{}</msup>", self.expr(&xs[0]).s),
                    P_POW,
                )
            }
            // An exercise's own function L_pos is L with a subscript (as in LaTeX).
            other if super::math::own_function(other) => name(other),
            // \operatorname: upright (a word is upright by itself).
            other if other.chars().count() == 1 => {
                format!("<mi mathvariant=\"normal\">{}</mi>", escape(other))
            }
            other => format!("<mi>{}</mi>", escape(other)),
        };
        Frag::atom(row(&[&head, "<mo>&#x2061;</mo>", &paren(&self.args(xs))]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::math::Latex;
    use ndarray::{ArrayD, IxDyn};

    const CORE: &[&str] = &[
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "mtext",
        "mspace",
        "mfrac",
        "msqrt",
        "mroot",
        "msub",
        "msup",
        "msubsup",
        "munder",
        "mover",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mstyle",
        "mpadded",
        "mphantom",
        "semantics",
        "annotation",
    ];

    /// The content inside `<math>` parses, uses only MathML Core elements,
    /// and each element with a fixed number of children has it.
    fn check(content: &str) {
        let doc = inline_math(content);
        let tree = roxmltree::Document::parse(&doc)
            .unwrap_or_else(|e| panic!("not well-formed: {e}\n{doc}"));
        for node in tree.descendants().filter(|n| n.is_element()) {
            let tag = node.tag_name();
            assert_eq!(tag.namespace(), Some(XMLNS), "{doc}");
            assert!(
                CORE.contains(&tag.name()),
                "<{}> is not MathML Core: {doc}",
                tag.name()
            );
            let arity = match tag.name() {
                "mfrac" | "msub" | "msup" | "munder" | "mover" | "mroot" => Some(2),
                "msubsup" | "munderover" => Some(3),
                _ => None,
            };
            if let Some(k) = arity {
                let n = node.children().filter(|c| c.is_element()).count();
                assert_eq!(n, k, "<{}> with {n} children: {doc}", tag.name());
            }
        }
    }

    fn fmt() -> Fmt {
        Fmt { digits: 4 }
    }

    fn show(m: &Math) -> String {
        let f = fmt();
        let s = MathMl::new(&f).inline(m);
        check(&s);
        s
    }

    fn arr(shape: &[usize], xs: &[i64]) -> Math {
        let v = xs.iter().map(|&x| Num::int(x)).collect();
        Math::arr(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
    }

    fn approx() -> Num {
        Num::int(2).sqrt().unwrap()
    }

    fn sum_sq() -> Math {
        Math::Sum(
            Some("i".into()),
            Box::new(Math::bin(
                Op::Pow,
                Math::bin(Op::Sub, Math::sym("f1"), Math::sym("f2")),
                Math::int(2),
            )),
        )
    }

    #[test]
    fn a_fraction_is_a_text_style_fraction() {
        let s = show(&Math::num(Num::ratio(1, 3).unwrap()));
        assert_eq!(
            s,
            "<mfrac displaystyle=\"false\"><mn>1</mn><mn>3</mn></mfrac>"
        );
        let s = show(&Math::num(Num::ratio(-1, 3).unwrap()));
        assert_eq!(
            s,
            "<mrow><mo>−</mo><mfrac displaystyle=\"false\"><mn>1</mn><mn>3</mn></mfrac></mrow>"
        );
    }

    #[test]
    fn a_negative_number_is_a_minus_and_its_digits() {
        assert_eq!(show(&Math::int(-3)), "<mrow><mo>−</mo><mn>3</mn></mrow>");
        assert_eq!(
            show(&Math::num(Num::parse("-0.25").unwrap())),
            "<mrow><mo>−</mo><mn>0.25</mn></mrow>"
        );
        assert_eq!(show(&Math::num(Num::inf(false))), "<mi>∞</mi>");
        assert_eq!(
            show(&Math::num(Num::inf(true))),
            "<mrow><mo>−</mo><mi>∞</mi></mrow>"
        );
        // x·(−3): a sign after an operator is wrapped.
        let s = show(&Math::bin(Op::Mul, Math::sym("x"), Math::int(-3)));
        assert_eq!(
            s,
            "<mrow><mi>x</mi><mo>⋅</mo><mrow><mo>(</mo><mrow><mo>−</mo><mn>3</mn></mrow><mo>)</mo></mrow></mrow>"
        );
    }

    #[test]
    fn an_approximate_number_follows_approx() {
        assert_eq!(
            show(&Math::num(approx())),
            "<mrow><mo>≈</mo><mn>1.414</mn></mrow>"
        );
        let s = show(&Math::num(Num::int(1).sigmoid().unwrap().neg()));
        assert_eq!(
            s,
            "<mrow><mo>≈</mo><mrow><mo>−</mo><mn>0.7311</mn></mrow></mrow>"
        );
        // A tiny one: a power of ten.
        let s = show(&Math::num(Num::approx(1.5e-9).unwrap()));
        assert!(
            s.contains("<msup><mn>10</mn><mrow><mo>−</mo><mn>9</mn></mrow></msup>"),
            "{s}"
        );
    }

    #[test]
    fn a_sum_of_squares() {
        let s = show(&sum_sq());
        assert_eq!(
            s,
            "<mrow><munder><mo>∑</mo><mi>i</mi></munder><msup><mrow><mo>(</mo>\
             <mrow><msub><mi>f</mi><mn>1</mn></msub><mo>−</mo><msub><mi>f</mi><mn>2</mn></msub></mrow>\
             <mo>)</mo></mrow><mn>2</mn></msup></mrow>"
        );
        // Without an index Σ stands alone; inside a product it is wrapped.
        let s = show(&Math::bin(
            Op::Mul,
            Math::Sum(None, Box::new(Math::sym("x"))),
            Math::sym("y"),
        ));
        assert_eq!(
            s,
            "<mrow><mrow><mo>(</mo><mrow><mo>∑</mo><mi>x</mi></mrow><mo>)</mo></mrow><mo>⋅</mo><mi>y</mi></mrow>"
        );
    }

    #[test]
    fn a_matrix_times_a_vector_is_a_column() {
        let w = arr(&[2, 2], &[1, 2, 3, 4]);
        let x = arr(&[2], &[5, 6]);
        let s = show(&Math::bin(Op::Dot, w.clone(), x.clone()));
        let doc = inline_math(&s);
        let tree = roxmltree::Document::parse(&doc).unwrap();
        let tables: Vec<_> = tree
            .descendants()
            .filter(|n| n.has_tag_name((XMLNS, "mtable")))
            .collect();
        let shape = |t: &roxmltree::Node| {
            t.children()
                .filter(|r| r.is_element())
                .map(|r| r.children().filter(|c| c.is_element()).count())
                .collect::<Vec<_>>()
        };
        assert_eq!(tables.len(), 2);
        assert_eq!(shape(&tables[0]), [2, 2]);
        assert_eq!(shape(&tables[1]), [1, 1]);
        // Alone, or added, a vector is a row; so is the transpose of one.
        let row = "<mrow><mo>[</mo><mtable><mtr><mtd><mn>5</mn></mtd><mtd><mn>6</mn></mtd></mtr></mtable><mo>]</mo></mrow>";
        assert_eq!(show(&x), row);
        assert_eq!(show(&Math::Transpose(Box::new(x.clone()))), row);
        // The left side of an outer product is a column.
        let outer = show(&Math::bin(
            Op::Dot,
            x.clone(),
            Math::Transpose(Box::new(Math::sym("h"))),
        ));
        assert!(outer
            .starts_with("<mrow><mrow><mo>[</mo><mtable><mtr><mtd><mn>5</mn></mtd></mtr><mtr>"));
        // More than two axes: the compact text, in monospace.
        let t = show(&arr(&[1, 1, 2], &[1, 2]));
        assert_eq!(
            t,
            "<mtext style=\"font-family:monospace\">[[[1, 2]]]</mtext>"
        );
    }

    #[test]
    fn names() {
        assert_eq!(
            name("h⁽ᵗ⁻¹⁾"),
            "<msup><mi>h</mi><mrow><mo stretchy=\"false\">(</mo><mrow><mi>t</mi><mo lspace=\"0\" rspace=\"0\">−</mo><mn>1</mn></mrow><mo stretchy=\"false\">)</mo></mrow></msup>"
        );
        assert_eq!(
            name("W_hh"),
            "<msub><mi>W</mi><mi style=\"font-style:italic\">hh</mi></msub>"
        );
        assert_eq!(name("δ2"), "<msub><mi>δ</mi><mn>2</mn></msub>");
        assert_eq!(
            name("f_p1"),
            "<msub><mi>f</mi><mi style=\"font-style:italic\">p1</mi></msub>"
        );
        assert_eq!(name("emb"), "<mi style=\"font-style:italic\">emb</mi>");
        assert_eq!(
            name("h_t⁽¹²⁾"),
            "<msubsup><mi>h</mi><mi>t</mi><mrow><mo stretchy=\"false\">(</mo><mn>12</mn><mo stretchy=\"false\">)</mo></mrow></msubsup>"
        );
        assert_eq!(
            name("w2_new"),
            "<msub><mi style=\"font-style:italic\">w2</mi><mi style=\"font-style:italic\">new</mi></msub>"
        );
        assert_eq!(name("a<b"), "<mi style=\"font-style:italic\">a&lt;b</mi>");
        for n in ["h⁽ᵗ⁻¹⁾", "W_hh", "δ2", "f_p1", "h_t⁽¹²⁾", "x&y"] {
            check(&name(n));
        }
    }

    #[test]
    fn functions() {
        assert_eq!(
            show(&Math::call("sigmoid", vec![Math::sym("s")])),
            "<mrow><mi>σ</mi><mo>&#x2061;</mo><mrow><mo>(</mo><mi>s</mi><mo>)</mo></mrow></mrow>"
        );
        assert_eq!(
            show(&Math::call(
                "exp",
                vec![Math::Neg(Box::new(Math::sym("x")))]
            )),
            "<msup><mi>e</mi><mrow><mo>−</mo><mi>x</mi></mrow></msup>"
        );
        assert_eq!(
            show(&Math::call("grad", vec![Math::sym("L"), Math::sym("w1")])),
            "<mfrac><mrow><mo rspace=\"0\">∂</mo><mi>L</mi></mrow><mrow><mo rspace=\"0\">∂</mo><msub><mi>w</mi><mn>1</mn></msub></mrow></mfrac>"
        );
        assert_eq!(
            show(&Math::Partial("L".into(), "w1".into(), None)),
            show(&Math::call("grad", vec![Math::sym("L"), Math::sym("w1")]))
        );
        let max = show(&Math::call("max", vec![Math::int(0), Math::sym("a")]));
        assert!(
            max.contains("<mi>max</mi>") && max.contains("<mo>,</mo>"),
            "{max}"
        );
        let f = show(&Math::call("f", vec![Math::sym("a")]));
        assert!(
            f.starts_with("<mrow><mi mathvariant=\"normal\">f</mi>"),
            "{f}"
        );
        let kw = show(&Math::Kw(
            "act".into(),
            Box::new(Math::Code("identity".into())),
        ));
        assert_eq!(
            kw,
            "<mrow><mtext>act</mtext><mo>=</mo><mtext style=\"font-family:monospace\">identity</mtext></mrow>"
        );
        let cmp = show(&Math::Cmp(
            Rel::Gt,
            Box::new(Math::sym("a")),
            Box::new(Math::int(0)),
        ));
        assert_eq!(
            cmp,
            "<mrow><mo>[</mo><mi>a</mi><mo>&gt;</mo><mn>0</mn><mo>]</mo></mrow>"
        );
        let idx = show(&Math::Index(Box::new(Math::sym("x")), "i+j".into()));
        assert_eq!(
            idx,
            "<mrow><mi>x</mi><mo stretchy=\"false\">[</mo><mrow><mi>i</mi><mo>+</mo><mi>j</mi></mrow><mo stretchy=\"false\">]</mo></mrow>"
        );
        let attr = show(&Math::Attr(Box::new(Math::sym("Q")), "shape".into()));
        assert!(attr.ends_with(".</mo><mtext style=\"font-family:monospace\">shape</mtext></mrow>"));
        let one = std::rc::Rc::new(ArrayD::from_elem(IxDyn(&[]), Num::int(1)));
        let given = Math::Given(Box::new(Math::sym("z")), one);
        assert_eq!(show(&given), "<mi>z</mi>");
        let norm = show(&Math::Norm(Box::new(Math::sym("x"))));
        assert_eq!(
            norm,
            "<mrow><mo stretchy=\"true\">‖</mo><mi>x</mi><mo stretchy=\"true\">‖</mo></mrow>"
        );
        let sqrt = show(&Math::Sqrt(Box::new(Math::int(2))));
        assert_eq!(sqrt, "<msqrt><mn>2</mn></msqrt>");
    }

    #[test]
    fn code_is_escaped() {
        let s = show(&Math::Code("bits(\"a<b\") & 'c'".into()));
        assert_eq!(
            s,
            "<mtext style=\"font-family:monospace\">bits(&quot;a&lt;b&quot;) &amp; &#39;c&#39;</mtext>"
        );
        let doc = inline_math(&s);
        let tree = roxmltree::Document::parse(&doc).unwrap();
        assert_eq!(
            tree.root_element().first_child().and_then(|n| n.text()),
            Some("bits(\"a<b\") & 'c'")
        );
    }

    #[test]
    fn chains() {
        let f = fmt();
        let p = MathMl::new(&f);
        let (l, s, v) = (Math::sym("L"), sum_sq(), Math::int(16));
        let c = p.chain(&[&l, &s, &v]);
        check(&c);
        assert_eq!(
            c,
            format!("<mi>L</mi><mo>=</mo>{}<mo>=</mo><mn>16</mn>", show(&s))
        );
        // A member that reads as the one before is left out.
        assert_eq!(
            p.chain(&[&l, &v, &Math::int(16)]),
            "<mi>L</mi><mo>=</mo><mn>16</mn>"
        );
        // A lone approximate number is joined with ≈.
        let a = Math::num(approx());
        let c = p.chain(&[&Math::Sqrt(Box::new(Math::int(2))), &a]);
        assert_eq!(c, "<msqrt><mn>2</mn></msqrt><mo>≈</mo><mn>1.414</mn>");
        assert_eq!(p.chain(&[&a]), "<mo>≈</mo><mn>1.414</mn>");
        let b = block(&c);
        assert!(roxmltree::Document::parse(&b).is_ok());
        assert!(
            b.starts_with("<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\">")
        );
    }

    /// Formulas whose parentheses the two printers must agree on.
    fn formulas() -> Vec<Math> {
        let (x, y, z) = (Math::sym("x"), Math::sym("y"), Math::sym("z"));
        let b = |op, a: &Math, c: &Math| Math::bin(op, a.clone(), c.clone());
        let neg = |a: &Math| Math::Neg(Box::new(a.clone()));
        let third = Math::num(Num::ratio(1, 3).unwrap());
        let ap = Math::num(approx());
        let v = arr(&[2], &[1, -2]);
        let w = arr(&[2, 2], &[1, 2, 3, 4]);
        vec![
            b(Op::Mul, &b(Op::Add, &x, &y), &z),
            b(Op::Sub, &x, &b(Op::Sub, &y, &z)),
            b(Op::Sub, &x, &b(Op::Add, &y, &z)),
            b(Op::Add, &b(Op::Add, &x, &y), &z),
            b(Op::Pow, &neg(&x), &Math::int(2)),
            b(Op::Pow, &b(Op::Pow, &x, &y), &z),
            b(Op::Pow, &x, &b(Op::Add, &y, &z)),
            b(Op::Pow, &Math::int(-3), &Math::int(2)),
            b(Op::Pow, &third, &Math::int(2)),
            b(Op::Mul, &third, &x),
            b(Op::Mul, &x, &third),
            b(Op::Mul, &x, &ap),
            b(Op::Add, &x, &ap),
            b(Op::Add, &x, &Math::int(-1)),
            b(Op::Add, &neg(&x), &y),
            b(Op::Sub, &y, &b(Op::Add, &neg(&x), &y)),
            b(Op::Mul, &y, &b(Op::Mul, &neg(&x), &y)),
            neg(&neg(&x)),
            neg(&Math::int(-3)),
            neg(&b(Op::FloorDiv, &x, &y)),
            neg(&b(Op::Add, &x, &y)),
            neg(&b(Op::Mul, &x, &y)),
            b(Op::Div, &b(Op::Add, &x, &y), &neg(&z)),
            b(Op::Mul, &b(Op::Div, &x, &y), &z),
            b(Op::Add, &sum_sq(), &Math::Sum(None, Box::new(x.clone()))),
            b(Op::Sub, &x, &Math::Sum(None, Box::new(b(Op::Add, &x, &y)))),
            b(Op::Mul, &Math::Sum(None, Box::new(x.clone())), &y),
            Math::Sum(None, Box::new(b(Op::Mul, &x, &y))),
            b(Op::Dot, &w, &v),
            b(Op::Dot, &v, &Math::Transpose(Box::new(v.clone()))),
            b(Op::Had, &b(Op::Sub, &x, &y), &v),
            Math::Transpose(Box::new(b(Op::Add, &x, &y))),
            Math::Transpose(Box::new(w.clone())),
            Math::Cmp(
                Rel::Ge,
                Box::new(b(Op::Add, &x, &y)),
                Box::new(Math::int(0)),
            ),
            Math::Cmp(
                Rel::Eq,
                Box::new(Math::Cmp(Rel::Lt, Box::new(x.clone()), Box::new(y.clone()))),
                Box::new(Math::int(1)),
            ),
            Math::call("sigmoid", vec![b(Op::Add, &x, &y)]),
            Math::call("max", vec![Math::int(0), b(Op::Sub, &x, &y)]),
            Math::call("exp", vec![neg(&x)]),
            b(Op::Mul, &Math::call("exp", vec![x.clone()]), &y),
            Math::call("L_pos", vec![x.clone(), y.clone()]),
            Math::call(
                "sum",
                vec![x.clone(), Math::Kw("axis".into(), Box::new(Math::int(0)))],
            ),
            Math::Tuple(vec![x.clone(), y.clone()]),
            Math::List(vec![x.clone(), neg(&y)]),
            Math::Index(Box::new(b(Op::Add, &x, &y)), "0".into()),
            Math::Attr(Box::new(neg(&x)), "shape".into()),
            Math::Norm(Box::new(b(Op::Sub, &x, &y))),
            b(Op::Pow, &Math::Norm(Box::new(x.clone())), &Math::int(2)),
            Math::Sqrt(Box::new(b(Op::Add, &x, &y))),
            b(Op::Mod, &b(Op::Add, &x, &y), &Math::int(2)),
            b(Op::MatMul, &Math::sym("X"), &Math::sym("W")),
            Math::sym("h⁽ᵗ⁻¹⁾"),
            b(Op::Mul, &Math::sym("h⁽ᵗ⁻¹⁾"), &b(Op::Add, &x, &y)),
            Math::Given(
                Box::new(b(Op::Add, &x, &y)),
                std::rc::Rc::new(ArrayD::from_elem(IxDyn(&[]), Num::int(3))),
            ),
            b(
                Op::Mul,
                &Math::Given(
                    Box::new(b(Op::Add, &x, &y)),
                    std::rc::Rc::new(ArrayD::from_elem(IxDyn(&[]), Num::int(3))),
                ),
                &z,
            ),
            arr(&[1, 1, 2], &[1, 2]),
            Math::num(Num::inf(true)),
            b(Op::Mul, &x, &Math::num(Num::inf(true))),
        ]
    }

    #[test]
    fn parentheses_mirror_latex() {
        let f = fmt();
        let (m, l) = (MathMl::new(&f), Latex::new(&f));
        for x in formulas() {
            let mm = m.inline(&x);
            check(&mm);
            check(&m.chain(&[&x, &x.substituted(100)]));
            let tex = l.inline(&x);
            assert_eq!(
                mm.matches("<mo>(</mo>").count(),
                tex.matches("\\left(").count(),
                "{tex}\n{mm}"
            );
            assert_eq!(
                mm.matches("<mo>(</mo>").count(),
                mm.matches("<mo>)</mo>").count()
            );
            assert_eq!(
                mm.matches("<mo>[</mo>").count(),
                tex.matches("\\left[").count() + tex.matches("\\begin{bmatrix}").count(),
                "{tex}\n{mm}"
            );
        }
    }

    /// Writes a page of samples to look at in a browser:
    /// `cargo test --lib explain::mathml -- --ignored`.
    #[test]
    #[ignore]
    fn sample_page() {
        let f = fmt();
        let m = MathMl::new(&f);
        let w = arr(&[2, 2], &[1, 2, 3, 4]);
        let v = arr(&[2], &[5, -6]);
        let mut body = String::new();
        let mut add = |label: &str, content: String| {
            check(&content);
            body.push_str(&format!("<p>{}</p>\n{}\n", escape(label), block(&content)));
        };
        let (l, s, sixteen) = (Math::sym("L"), sum_sq(), Math::int(16));
        add("chain", m.chain(&[&l, &s, &sixteen]));
        let prod = Math::bin(Op::Dot, w.clone(), v.clone());
        add(
            "matrix product",
            m.chain(&[
                &Math::bin(Op::Dot, Math::sym("W_hh"), Math::sym("h⁽ᵗ⁻¹⁾")),
                &prod,
                &arr(&[2], &[-7, -9]),
            ]),
        );
        add(
            "outer product",
            m.inline(&Math::bin(
                Op::Dot,
                Math::sym("δ2"),
                Math::Transpose(Box::new(v.clone())),
            )),
        );
        let third = Math::num(Num::ratio(1, 3).unwrap());
        let sig = Math::call("sigmoid", vec![Math::sym("s")]);
        let sv = Math::num(Num::int(1).sigmoid().unwrap());
        add(
            "numbers",
            m.chain(&[
                &sig,
                &Math::call("sigmoid", vec![Math::int(1)]),
                &Math::bin(
                    Op::Div,
                    Math::int(1),
                    Math::bin(
                        Op::Add,
                        Math::int(1),
                        Math::call("exp", vec![Math::int(-1)]),
                    ),
                ),
                &sv,
            ]),
        );
        add(
            "fractions",
            m.inline(&Math::bin(
                Op::Add,
                Math::bin(Op::Mul, third.clone(), Math::sym("x")),
                Math::bin(
                    Op::Div,
                    Math::Partial("L".into(), "w1".into(), None),
                    Math::num(Num::ratio(-2, 7).unwrap()),
                ),
            )),
        );
        add(
            "relu mask, norm, sqrt",
            m.inline(&Math::bin(
                Op::Had,
                Math::Cmp(Rel::Gt, Box::new(Math::sym("a")), Box::new(Math::int(0))),
                Math::bin(
                    Op::Pow,
                    Math::Norm(Box::new(Math::bin(Op::Sub, Math::sym("x"), v.clone()))),
                    Math::int(2),
                ),
            )),
        );
        add(
            "code",
            m.inline(&Math::Tuple(vec![
                Math::call(
                    "sum",
                    vec![
                        Math::sym("X"),
                        Math::Kw("axis".into(), Box::new(Math::int(0))),
                    ],
                ),
                Math::Index(Box::new(Math::sym("x_p1")), "i+j".into()),
                Math::Attr(Box::new(Math::sym("Q")), "shape".into()),
                Math::Code("bits(\"00,10\")".into()),
            ])),
        );
        add(
            "more",
            m.inline(&Math::List(vec![
                Math::Sqrt(Box::new(Math::num(approx()))),
                arr(&[1, 2, 2], &[1, 2, 3, 4]),
                Math::num(Num::approx(1.5e-9).unwrap()),
                Math::sym("emb"),
            ])),
        );
        let page = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>body{{font-size:20px;font-family:serif}}p{{margin:4px 0;color:#666;font-size:13px}}{CSS}</style></head><body>\n{body}</body></html>\n"
        );
        std::fs::write("/tmp/mathml-sample.html", page).unwrap();
    }
}
