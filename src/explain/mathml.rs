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
    split_superscript, Math, Op, Rel, Val, P_ADD, P_ATOM, P_CMP, P_MUL, P_POW, P_SUM, P_UNARY,
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
/// anything else an operator. One element.
fn tokens(s: &str) -> String {
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
                '-' => out.push(MINUS.to_string()),
                c => out.push(mo(&c.to_string())),
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
    let (n, sup) = split_superscript(n);
    let (base, sub) = match n.split_once('_') {
        Some((b, s)) if !b.is_empty() && !s.is_empty() => (b, Some(s.to_string())),
        _ => (n, None),
    };
    // δ2, x1: a trailing number is a subscript.
    let mut chars: Vec<char> = base.chars().collect();
    let mut sub = sub;
    if sub.is_none() {
        let mut digits = String::new();
        while chars.len() > 1 && chars.last().is_some_and(|c| c.is_ascii_digit()) {
            digits.insert(0, chars.pop().unwrap_or('0'));
        }
        sub = (!digits.is_empty()).then_some(digits);
    }
    let head: String = chars.iter().collect();
    let head = ident(&head);
    // The version or step in parentheses: the parentheses do not stretch
    // (LaTeX writes them plainly, `^{(t-1)}`).
    let sup = (!sup.is_empty()).then(|| {
        format!(
            "<mrow><mo stretchy=\"false\">(</mo>{}<mo stretchy=\"false\">)</mo></mrow>",
            tokens(&sup)
        )
    });
    match (sub, sup) {
        (None, None) => head,
        (Some(s), None) => format!("<msub>{head}{}</msub>", tokens(&s)),
        (None, Some(p)) => format!("<msup>{head}{p}</msup>"),
        (Some(s), Some(p)) => format!("<msubsup>{head}{}{p}</msubsup>", tokens(&s)),
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
            1 => {
                let items: Vec<String> = v.iter().map(f).collect();
                let rows: Vec<Vec<String>> = if column {
                    items.into_iter().map(|c| vec![c]).collect()
                } else {
                    vec![items]
                };
                Frag::atom(matrix(&rows))
            }
            2 => {
                let rows: Vec<Vec<String>> =
                    v.outer_iter().map(|r| r.iter().map(f).collect()).collect();
                Frag::atom(matrix(&rows))
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
                    Some(i) => format!("<munder><mo>∑</mo>{}</munder>", tokens(i)),
                    None => "<mo>∑</mo>".to_string(),
                };
                Frag::at(row(&[&sigma, &lp(self.expr(x), P_MUL).0]), P_SUM)
            }
            Math::Norm(x) => Frag::atom(row(&["<mo>‖</mo>", &self.expr(x).s, "<mo>‖</mo>"])),
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
                &tokens(i),
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
            // \operatorname: upright (a word is upright by itself).
            other if other.chars().count() == 1 => {
                format!("<mi mathvariant=\"normal\">{}</mi>", escape(other))
            }
            other => format!("<mi>{}</mi>", escape(other)),
        };
        Frag::atom(row(&[&head, "<mo>&#x2061;</mo>", &paren(&self.args(xs))]))
    }
}
