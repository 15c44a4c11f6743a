//! The formula tree a worked solution is made of, its text and LaTeX
//! printers, and its exact evaluation (which the self-check uses).
//!
//! A [`Math`] is small on purpose: names (with the value they stood for when
//! the formula was made), numbers and arrays, the operators of a worked
//! solution, Σ, ‖·‖, √, ∂, transpose, and function application. Anything the
//! tree cannot say is kept as [`Math::Code`], shown verbatim and never
//! evaluated.
//!
//! The printers are hand-written: they are a few lines per node, and no
//! crate prints this tree in a worked solution's notation.

use std::rc::Rc;

use ndarray::ArrayD;

use crate::lang::value::Fmt;
use crate::{Num, Tensor};

/// Binary operators of a formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    /// Scalar or elementwise product, printed `·`.
    Mul,
    /// Elementwise product, printed `⊙`.
    Had,
    Div,
    Pow,
    /// Matrix product as a teacher writes it (`W·h`, `δ h1ᵀ`).
    Dot,
    /// Matrix product as code writes it (`X @ W`).
    MatMul,
    FloorDiv,
    Mod,
}

/// Comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rel {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Rel {
    fn text(self) -> &'static str {
        match self {
            Rel::Eq => "==",
            Rel::Ne => "≠",
            Rel::Lt => "<",
            Rel::Le => "≤",
            Rel::Gt => ">",
            Rel::Ge => "≥",
        }
    }
    fn latex(self) -> &'static str {
        match self {
            Rel::Eq => "=",
            Rel::Ne => "\\ne",
            Rel::Lt => "<",
            Rel::Le => "\\le",
            Rel::Gt => ">",
            Rel::Ge => "\\ge",
        }
    }
}

/// A value a formula's name stood for.
pub type Val = Rc<ArrayD<Num>>;

/// A formula.
#[derive(Clone, Debug)]
pub enum Math {
    /// A name (`f_p1`, `W_hh`, `h⁽²⁾`), with its value when one is known.
    Sym(String, Option<Val>),
    /// ∂y/∂x, with its value when known.
    Partial(String, String, Option<Val>),
    /// A number, vector or matrix.
    Num(Val),
    Neg(Box<Math>),
    Bin(Op, Box<Math>, Box<Math>),
    Cmp(Rel, Box<Math>, Box<Math>),
    /// Σ of every element; the index is shown when given (Σᵢ).
    Sum(Option<String>, Box<Math>),
    Norm(Box<Math>),
    Sqrt(Box<Math>),
    Transpose(Box<Math>),
    /// Function application: σ(s), max(0, a), exp(x), L_pos(f1, f2).
    Call(String, Vec<Math>),
    /// A keyword argument inside a call: `act=identity`.
    Kw(String, Box<Math>),
    List(Vec<Math>),
    Tuple(Vec<Math>),
    /// Indexing as written: `x_p1[i+j]`, `h[-1]`.
    Index(Box<Math>, String),
    /// An attribute: `Q.shape`.
    Attr(Box<Math>, String),
    /// Code shown verbatim: `bits("00,10,11")`.
    Code(String),
    /// A formula whose value is known (`h[-1]`, `Q.shape[1]`): shown as
    /// written, replaced by the value when numbers are put in.
    Given(Box<Math>, Val),
}

/// Shorthands for building formulas.
impl Math {
    pub fn sym(n: impl Into<String>) -> Math {
        Math::Sym(n.into(), None)
    }
    pub fn sym_val(n: impl Into<String>, t: &Tensor<Num>) -> Math {
        Math::Sym(n.into(), Some(Rc::new(t.value().clone())))
    }
    pub fn num(n: Num) -> Math {
        Math::Num(Rc::new(ArrayD::from_elem(ndarray::IxDyn(&[]), n)))
    }
    pub fn int(i: i64) -> Math {
        Math::num(Num::int(i))
    }
    pub fn val(t: &Tensor<Num>) -> Math {
        Math::Num(Rc::new(t.value().clone()))
    }
    pub fn arr(a: ArrayD<Num>) -> Math {
        Math::Num(Rc::new(a))
    }
    pub fn bin(op: Op, a: Math, b: Math) -> Math {
        Math::Bin(op, Box::new(a), Box::new(b))
    }
    pub fn call(f: &str, args: Vec<Math>) -> Math {
        Math::Call(f.to_string(), args)
    }
    /// `a + b + …` of the terms (the first alone if there is one).
    pub fn sum_of(terms: Vec<Math>) -> Option<Math> {
        let mut it = terms.into_iter();
        let first = it.next()?;
        Some(it.fold(first, |acc, t| match t {
            Math::Neg(x) => Math::bin(Op::Sub, acc, *x),
            t => Math::bin(Op::Add, acc, t),
        }))
    }

    /// The single number this is, if it is one.
    pub fn scalar(&self) -> Option<&Num> {
        match self {
            Math::Num(v) if v.len() == 1 && v.ndim() == 0 => v.iter().next(),
            _ => None,
        }
    }
    pub fn is_int(&self, k: i64) -> bool {
        self.scalar()
            .is_some_and(|n| n.eq_num(&Num::int(k)).unwrap_or(false))
    }
    /// A number or array whose every element is exactly 1.
    pub fn is_ones(&self) -> bool {
        matches!(self, Math::Num(v) if v.iter().all(|n| n.eq_num(&Num::one()).unwrap_or(false)))
    }
    /// The shape the formula evaluates to, up to axes of length 1.
    fn has_shape(&self, shape: &[usize]) -> bool {
        let sq = |s: &[usize]| s.iter().copied().filter(|&d| d != 1).collect::<Vec<_>>();
        self.weight() <= CHECK_MAX_WEIGHT
            && matches!(self.eval(), Ok(Some(t)) if sq(t.shape()) == sq(shape))
    }

    /// The formula with every known value of at most `max_elems` elements
    /// put in for its name.
    pub fn substituted(&self, max_elems: usize) -> Math {
        self.map(&|m| match m {
            Math::Sym(_, Some(v)) | Math::Partial(_, _, Some(v)) | Math::Given(_, v)
                if v.len() <= max_elems =>
            {
                Some(Math::Num(v.clone()))
            }
            _ => None,
        })
    }

    /// Rebuilds the tree bottom-up, replacing a node where `f` says so (`f`
    /// sees each original node before its children are rebuilt).
    pub fn map(&self, f: &dyn Fn(&Math) -> Option<Math>) -> Math {
        if let Some(m) = f(self) {
            return m;
        }
        let b = |x: &Math| Box::new(x.map(f));
        let v = |xs: &[Math]| xs.iter().map(|x| x.map(f)).collect();
        match self {
            Math::Sym(..) | Math::Partial(..) | Math::Num(_) | Math::Code(_) => self.clone(),
            Math::Neg(x) => Math::Neg(b(x)),
            Math::Bin(op, x, y) => Math::Bin(*op, b(x), b(y)),
            Math::Cmp(op, x, y) => Math::Cmp(*op, b(x), b(y)),
            Math::Sum(i, x) => Math::Sum(i.clone(), b(x)),
            Math::Norm(x) => Math::Norm(b(x)),
            Math::Sqrt(x) => Math::Sqrt(b(x)),
            Math::Transpose(x) => Math::Transpose(b(x)),
            Math::Call(n, xs) => Math::Call(n.clone(), v(xs)),
            Math::Kw(n, x) => Math::Kw(n.clone(), b(x)),
            Math::List(xs) => Math::List(v(xs)),
            Math::Tuple(xs) => Math::Tuple(v(xs)),
            Math::Index(x, s) => Math::Index(b(x), s.clone()),
            Math::Attr(x, s) => Math::Attr(b(x), s.clone()),
            Math::Given(x, v) => Math::Given(b(x), v.clone()),
        }
    }

    /// The children of a node.
    pub fn children(&self) -> Vec<&Math> {
        match self {
            Math::Sym(..) | Math::Partial(..) | Math::Num(_) | Math::Code(_) => vec![],
            Math::Neg(x)
            | Math::Sum(_, x)
            | Math::Norm(x)
            | Math::Sqrt(x)
            | Math::Transpose(x)
            | Math::Kw(_, x)
            | Math::Index(x, _)
            | Math::Attr(x, _)
            | Math::Given(x, _) => vec![x],
            Math::Bin(_, x, y) | Math::Cmp(_, x, y) => vec![x, y],
            Math::Call(_, xs) | Math::List(xs) | Math::Tuple(xs) => xs.iter().collect(),
        }
    }

    /// Total elements of the values the formula mentions (what evaluating
    /// it would touch, roughly).
    pub fn weight(&self) -> usize {
        let own = match self {
            Math::Sym(_, Some(v)) | Math::Partial(_, _, Some(v)) | Math::Num(v) => v.len(),
            // A known value is what evaluation touches, not its formula.
            Math::Given(_, v) => return v.len(),
            _ => 0,
        };
        own + self.children().iter().map(|c| c.weight()).sum::<usize>()
    }

    /// Number of nodes.
    pub fn size(&self) -> usize {
        1 + self.children().iter().map(|c| c.size()).sum::<usize>()
    }

    /// Contains indexing (`x[i+j]`), which substitution cannot write out.
    pub fn has_index(&self) -> bool {
        matches!(self, Math::Index(..)) || self.children().iter().any(|c| c.has_index())
    }

    fn is_application(&self) -> bool {
        matches!(
            self,
            Math::Sum(..) | Math::Norm(_) | Math::Sqrt(_) | Math::Call(..)
        )
    }

    /// Each function application inside the outermost one replaced by its
    /// value — the line a worked solution writes before the last operation:
    /// `max(d(a, p)² − d(a, n)² + 1, 0)` becomes `max(9 − 4 + 1, 0)`.
    pub fn applications_folded(&self) -> Math {
        fn fold(m: &Math, top: bool) -> Math {
            // A comparison is folded too: a relu mask reads [1, 0].
            let collapsible = m.is_application()
                || matches!(m, Math::Cmp(..))
                || matches!(m, Math::Bin(Op::Pow, base, _) if base.is_application());
            if !top && collapsible {
                if let Ok(Some(v)) = m.eval() {
                    return Math::val(&v);
                }
            }
            match m {
                Math::Neg(x) => Math::Neg(Box::new(fold(x, false))),
                Math::Bin(op, x, y) => {
                    Math::Bin(*op, Box::new(fold(x, false)), Box::new(fold(y, false)))
                }
                Math::Cmp(op, x, y) => {
                    Math::Cmp(*op, Box::new(fold(x, false)), Box::new(fold(y, false)))
                }
                Math::Call(n, xs) if top => {
                    Math::Call(n.clone(), xs.iter().map(|x| fold(x, false)).collect())
                }
                Math::Sum(i, x) if top => Math::Sum(i.clone(), Box::new(fold(x, false))),
                Math::Sqrt(x) if top => Math::Sqrt(Box::new(fold(x, false))),
                other => other.clone(),
            }
        }
        fold(self, true)
    }
}

impl Math {
    /// The formula with the factors a teacher leaves out: a product with or
    /// a quotient by the number 1 (a 0-d 1 changes neither value nor
    /// shape), a double negation, −1·x.
    pub fn tidy(&self) -> Math {
        let one = |m: &Math| matches!(m, Math::Num(v) if v.ndim() == 0) && m.is_int(1);
        let minus_one = |m: &Math| matches!(m, Math::Num(v) if v.ndim() == 0) && m.is_int(-1);
        let t = self.map(&|m| match m {
            Math::Bin(..) | Math::Neg(_) | Math::Transpose(_) => None,
            _ => Some(m.clone()),
        });
        match t {
            Math::Bin(op, a, b) => {
                let (a, b) = (a.tidy(), b.tidy());
                let exact = |m: &Math| {
                    matches!(m, Math::Num(v) if v.ndim() == 0)
                        && m.scalar().is_some_and(Num::is_exact)
                };
                match (op, a, b) {
                    (Op::Mul | Op::Had, a, b) if one(&a) => b,
                    (Op::Mul | Op::Had, a, b) if one(&b) => a,
                    (Op::Mul | Op::Had, a, b) if minus_one(&a) => Math::Neg(Box::new(b)),
                    (Op::Div, a, b) if one(&b) => a,
                    // 1 / 2 of two numbers is the number 1/2.
                    (Op::Div, a, b) if exact(&a) && exact(&b) && !b.is_int(0) => {
                        match (a.scalar(), b.scalar()) {
                            (Some(p), Some(q)) => match p.div(q) {
                                Ok(r) => Math::num(r),
                                Err(_) => Math::bin(Op::Div, a, b),
                            },
                            _ => Math::bin(Op::Div, a, b),
                        }
                    }
                    // (−a)·b is −(a·b): a sum then writes it as a difference.
                    (Op::Mul | Op::Had, Math::Neg(a), b) => {
                        Math::Neg(Box::new(Math::Bin(op, a, Box::new(b))))
                    }
                    (op, a, b) => Math::Bin(op, Box::new(a), Box::new(b)),
                }
            }
            Math::Transpose(x) => match x.tidy() {
                Math::Transpose(y) => *y,
                y => Math::Transpose(Box::new(y)),
            },
            Math::Neg(x) => match x.tidy() {
                Math::Neg(y) => *y,
                Math::Num(v) if v.ndim() == 0 => Math::Num(Rc::new(v.mapv(|n| n.neg()))),
                y => Math::Neg(Box::new(y)),
            },
            other => other,
        }
    }
}

/// `g ⊙ local` (`g·local` for one number) as a teacher writes it: an
/// upstream of ones, or a local derivative of 1, is left out where the other
/// factor already has the product's `shape`.
pub fn product(g: Math, local: Math, shape: &[usize]) -> Math {
    if local.is_int(1) && g.has_shape(shape) {
        return g;
    }
    if g.is_ones() && local.has_shape(shape) {
        return local;
    }
    let op = if shape.iter().product::<usize>() == 1 {
        Op::Mul
    } else {
        Op::Had
    };
    Math::bin(op, g, local)
}

// ---- evaluation -----------------------------------------------------------------

/// Evaluating a formula: `Ok(None)` when it is not arithmetic over known
/// numbers (a name without a value, code, an unknown function).
pub type Eval = crate::Result<Option<Tensor<Num>>>;

fn leaf(v: &Val) -> Tensor<Num> {
    Tensor::new((**v).clone())
}

/// A 1-d vector as a column for a matrix product (`δ h1ᵀ` is an outer product).
fn as_col(t: Tensor<Num>) -> crate::Result<Tensor<Num>> {
    if t.ndim() == 1 {
        t.reshape(&[-1, 1])
    } else {
        Ok(t)
    }
}

impl Math {
    /// The exact (or guaranteed-interval) value of the formula.
    pub fn eval(&self) -> Eval {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.eval_inner())
    }

    fn eval_inner(&self) -> Eval {
        macro_rules! ev {
            ($x:expr) => {
                match $x.eval()? {
                    Some(t) => t,
                    None => return Ok(None),
                }
            };
        }
        Ok(Some(match self {
            Math::Sym(_, Some(v))
            | Math::Partial(_, _, Some(v))
            | Math::Num(v)
            | Math::Given(_, v) => leaf(v),
            Math::Sym(..)
            | Math::Partial(..)
            | Math::Code(_)
            | Math::Kw(..)
            | Math::Index(..)
            | Math::Attr(..) => return Ok(None),
            Math::Neg(x) => ev!(x).neg()?,
            Math::Bin(op, a, b) => {
                let (x, y) = (ev!(a), ev!(b));
                match op {
                    Op::Add => x.add(&y)?,
                    Op::Sub => x.sub(&y)?,
                    Op::Mul | Op::Had => x.mul(&y)?,
                    Op::Div => x.div(&y)?,
                    Op::Pow => x.pow(&y)?,
                    Op::MatMul => x.matmul(&y)?,
                    Op::Dot => {
                        // A column vector times the transpose of a vector (a
                        // row) is an outer product: δ h1ᵀ.
                        let row_of_vector = match &**b {
                            Math::Transpose(inner) => {
                                matches!(inner.eval(), Ok(Some(v)) if v.ndim() == 1)
                            }
                            _ => false,
                        };
                        if x.ndim() == 1 && row_of_vector {
                            as_col(x)?.matmul(&y)?
                        } else if x.ndim() == 0 || y.ndim() == 0 {
                            x.mul(&y)?
                        } else {
                            x.matmul(&y)?
                        }
                    }
                    // Python's floor division and remainder (the sign of the divisor).
                    Op::FloorDiv | Op::Mod => {
                        crate::lang::builtins::floor_div(&x, &y, *op == Op::Mod)?
                    }
                }
            }
            Math::Cmp(op, a, b) => {
                let (x, y) = (ev!(a), ev!(b));
                match op {
                    Rel::Eq => x.eq(&y)?,
                    Rel::Ne => x.ne(&y)?,
                    Rel::Lt => x.lt(&y)?,
                    Rel::Le => x.le(&y)?,
                    Rel::Gt => x.gt(&y)?,
                    Rel::Ge => x.ge(&y)?,
                }
            }
            Math::Sum(_, x) => ev!(x).sum_all()?,
            Math::Norm(x) => ev!(x).norm()?,
            Math::Sqrt(x) => ev!(x).sqrt()?,
            Math::Transpose(x) => {
                let t = ev!(x);
                match t.ndim() {
                    0 => t,
                    1 => t.reshape(&[1, -1])?,
                    _ => t.t()?,
                }
            }
            Math::List(xs) | Math::Tuple(xs) => {
                let mut ts = Vec::with_capacity(xs.len());
                for x in xs {
                    ts.push(ev!(x));
                }
                if ts.is_empty() || ts.iter().any(|t| t.shape() != ts[0].shape()) {
                    return Ok(None);
                }
                Tensor::stack(&ts, 0)?
            }
            Math::Call(f, args) if f == "sum" && args.len() == 2 => {
                let Math::Kw(k, axis) = &args[1] else {
                    return Ok(None);
                };
                let Some(ax) = axis.scalar().and_then(Num::to_i64).filter(|_| k == "axis") else {
                    return Ok(None);
                };
                ev!(args[0]).sum(Some(&[ax]), false)?
            }
            Math::Call(f, args) => {
                let mut xs = Vec::with_capacity(args.len());
                for a in args {
                    xs.push(ev!(a));
                }
                match (f.as_str(), xs.as_slice()) {
                    ("exp", [x]) => x.exp()?,
                    ("log", [x]) => x.log()?,
                    ("sqrt", [x]) => x.sqrt()?,
                    ("tanh", [x]) => x.tanh()?,
                    ("sin", [x]) => x.sin()?,
                    ("cos", [x]) => x.cos()?,
                    ("sigmoid" | "σ", [x]) => x.sigmoid()?,
                    ("relu", [x]) => x.relu()?,
                    ("abs", [x]) => x.abs()?,
                    ("sign", [x]) => {
                        let zero = Tensor::scalar(Num::zero());
                        x.gt(&zero)?.sub(&x.lt(&zero)?)?
                    }
                    ("max" | "maximum", [x, y]) => x.maximum(y)?,
                    ("min" | "minimum", [x, y]) => x.minimum(y)?,
                    ("max", [x]) => x.max(None, false)?,
                    ("min", [x]) => x.min(None, false)?,
                    ("softmax", [x]) if x.ndim() == 1 => crate::nn::act::softmax(x, 0)?,
                    _ => return Ok(None),
                }
            }
        }))
    }
}

/// Do two evaluated members denote the same value? Exact values must be
/// equal; approximate ones must share their guaranteed interval. Shapes
/// must agree up to axes of length 1 (a column and a vector are one value
/// on paper).
pub fn same_value(a: &Tensor<Num>, b: &Tensor<Num>) -> bool {
    let squeeze = |s: &[usize]| s.iter().copied().filter(|&d| d != 1).collect::<Vec<_>>();
    if a.len() != b.len() || squeeze(a.shape()) != squeeze(b.shape()) {
        return false;
    }
    a.value().iter().zip(b.value().iter()).all(|(x, y)| {
        if x.is_exact() && y.is_exact() {
            return x.eq_num(y).unwrap_or(false);
        }
        match (x.interval(), y.interval()) {
            (Ok((xl, xh)), Ok((yl, yh))) => xl <= yh && yl <= xh,
            _ => false,
        }
    })
}

/// Largest formula (in elements of its values) the self-check re-evaluates.
pub const CHECK_MAX_WEIGHT: usize = 4096;

/// Checks a chain `m₀ = m₁ = …`: every member that is arithmetic over known
/// numbers is evaluated and must equal the others. Returns the first pair
/// that differs, as text, or `None` when the chain holds.
pub fn check_chain(members: &[&Math], fmt: &Fmt) -> Option<String> {
    let mut first: Option<(usize, Tensor<Num>)> = None;
    for (i, m) in members.iter().enumerate() {
        if m.weight() > CHECK_MAX_WEIGHT {
            continue;
        }
        let v = match m.eval() {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            // Beyond a size limit the checker cannot evaluate the member;
            // it is not evidence that the line is false.
            Err(e) if e.is_limit() => continue,
            Err(e) => {
                return Some(format!(
                    "`{}` cannot be evaluated: {e}",
                    Text::new(fmt).inline(m)
                ))
            }
        };
        match &first {
            None => first = Some((i, v)),
            Some((j, w)) => {
                if !same_value(w, &v) {
                    let t = Text::new(fmt);
                    return Some(format!(
                        "`{}` is {} but `{}` is {}",
                        t.inline(members[*j]),
                        fmt.tensor(w),
                        t.inline(m),
                        fmt.tensor(&v)
                    ));
                }
            }
        }
    }
    None
}

// ---- text -----------------------------------------------------------------------

pub(crate) const P_CMP: u8 = 5;
/// Σ: its body is a product at most, so it is wrapped inside a product
/// ((Σ x)·y) but not in a sum (Σᵢ aᵢ + Σᵢ bᵢ).
pub(crate) const P_SUM: u8 = 6;
pub(crate) const P_ADD: u8 = 6;
pub(crate) const P_MUL: u8 = 7;
pub(crate) const P_UNARY: u8 = 8;
pub(crate) const P_POW: u8 = 9;
pub(crate) const P_ATOM: u8 = 11;

fn paren(s: (String, u8), min: u8) -> String {
    if s.1 < min {
        format!("({})", s.0)
    } else {
        s.0
    }
}

/// The text printer.
pub struct Text<'f> {
    fmt: &'f Fmt,
    /// Results as a brief line shows them (long fractions as decimals).
    brief: bool,
}

/// `12` → `¹²`: a step or version number as a superscript.
pub fn superscript_number(n: usize) -> String {
    superscript(&n.to_string()).unwrap_or_default()
}

fn superscript(s: &str) -> Option<String> {
    s.chars()
        .map(|c| {
            Some(match c {
                '0' => '⁰',
                '1' => '¹',
                '2' => '²',
                '3' => '³',
                '4' => '⁴',
                '5' => '⁵',
                '6' => '⁶',
                '7' => '⁷',
                '8' => '⁸',
                '9' => '⁹',
                '-' => '⁻',
                _ => return None,
            })
        })
        .collect()
}

impl<'f> Text<'f> {
    pub fn new(fmt: &'f Fmt) -> Text<'f> {
        Text { fmt, brief: false }
    }
    /// The printer of brief lines.
    pub fn brief(fmt: &'f Fmt) -> Text<'f> {
        Text { fmt, brief: true }
    }

    /// A chain member on its own: values in full (`1/3 ≈ 0.3333`, `≈ 0.18`).
    pub fn member(&self, m: &Math) -> String {
        match m {
            Math::Num(v) if self.brief => self.fmt.readable(&Tensor::new((**v).clone())),
            Math::Num(v) => self.fmt.tensor(&Tensor::new((**v).clone())),
            // (p ≥ 0.5) = [0], never p ≥ 0.5 = [0].
            Math::Cmp(..) => format!("({})", self.inline(m)),
            _ => self.inline(m),
        }
    }

    /// A chain `a = b = c`, with `= ≈` written `≈`.
    pub fn chain(&self, members: &[&Math]) -> String {
        let mut parts: Vec<String> = members.iter().map(|m| self.member(m)).collect();
        parts.dedup();
        parts.join(" = ").replace("= ≈", "≈")
    }

    pub fn inline(&self, m: &Math) -> String {
        self.expr(m).0
    }

    fn value(&self, v: &Val) -> (String, u8) {
        let t = Tensor::new((**v).clone());
        let s = self.fmt.tensor_compact(&t);
        // A fraction or an approximation binds like a quotient: x·(1/3).
        let p = if t.ndim() > 0 {
            P_ATOM
        } else if s.contains('/') || s.starts_with('≈') {
            P_MUL
        } else if s.starts_with('-') {
            P_UNARY
        } else {
            P_ATOM
        };
        (s, p)
    }

    fn args(&self, xs: &[Math]) -> String {
        xs.iter()
            .map(|x| self.expr(x).0)
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn expr(&self, m: &Math) -> (String, u8) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(m))
    }

    fn expr_inner(&self, m: &Math) -> (String, u8) {
        match m {
            Math::Sym(n, _) => (n.clone(), P_ATOM),
            Math::Partial(y, x, _) => (format!("∂{y}/∂{x}"), P_ATOM),
            Math::Num(v) => self.value(v),
            Math::Code(c) => (c.clone(), P_ATOM),
            Math::Neg(x) => {
                // −(7 // 2) is not −7 // 2, and −(−3) is not −-3.
                let inner = self.expr(x);
                let wrap = matches!(&**x, Math::Bin(Op::FloorDiv | Op::Mod, ..))
                    || inner.0.starts_with(['-', '−']);
                let inner = if wrap {
                    format!("({})", inner.0)
                } else {
                    paren(inner, P_MUL)
                };
                (format!("−{inner}"), P_UNARY)
            }
            Math::Bin(op, a, b) => {
                let (p, sym) = match op {
                    Op::Add => (P_ADD, " + "),
                    Op::Sub => (P_ADD, " − "),
                    Op::Mul | Op::Dot => (P_MUL, "·"),
                    Op::Had => (P_MUL, " ⊙ "),
                    Op::Div => (P_MUL, " / "),
                    Op::FloorDiv => (P_MUL, " // "),
                    Op::Mod => (P_MUL, " % "),
                    Op::MatMul => (P_MUL, " @ "),
                    Op::Pow => {
                        let base = paren(self.expr(a), P_POW + 1);
                        if let Some(sup) = b.scalar().and_then(|n| n.to_i64()).and_then(|k| {
                            (0..10).contains(&k).then(|| superscript(&k.to_string()))?
                        }) {
                            return (format!("{base}{sup}"), P_POW);
                        }
                        return (format!("{base}**{}", paren(self.expr(b), P_ATOM)), P_POW);
                    }
                };
                // 2a: a small whole number before a name reads as a product.
                if *op == Op::Mul {
                    if let (Some(k), Math::Sym(n, _)) = (a.scalar(), &**b) {
                        // Only before a one-letter name: 2e1 would read as 20.
                        if k.to_i64().is_some_and(|k| (2..10).contains(&k))
                            && n.chars().count() == 1
                            && n.chars().next().is_some_and(char::is_alphabetic)
                        {
                            return (format!("{}{n}", k.to_i64().unwrap_or(0)), P_POW);
                        }
                    }
                }
                // (a / 2)·b: a quotient inside a product is wrapped, as
                // a / 2·b reads as a over 2b.
                let quotient =
                    |m: &Math| matches!(m, Math::Bin(Op::Div | Op::FloorDiv | Op::Mod, ..));
                let product = matches!(op, Op::Mul | Op::Had | Op::Dot | Op::MatMul);
                let l = if product && quotient(a) {
                    format!("({})", self.expr(a).0)
                } else {
                    paren(self.expr(a), p)
                };
                // x + (−0.1), x·(−2): a sign after an operator is wrapped.
                let r = self.expr(b);
                // a·(b·c) is a·b·c: products associate.
                let assoc = *op == Op::Mul && matches!(&**b, Math::Bin(Op::Mul, ..));
                let sum_term = matches!(op, Op::Add | Op::Sub) && matches!(&**b, Math::Sum(..));
                let r = if r.0.starts_with(['-', '−']) || product && quotient(b) {
                    format!("({})", r.0)
                } else if assoc || sum_term {
                    paren(r, p)
                } else {
                    paren(r, p + 1)
                };
                (format!("{l}{sym}{r}"), p)
            }
            Math::Cmp(op, a, b) => (
                format!(
                    "{} {} {}",
                    paren(self.expr(a), P_CMP + 1),
                    op.text(),
                    paren(self.expr(b), P_CMP + 1)
                ),
                P_CMP,
            ),
            Math::Sum(i, x) => {
                let sub = i.as_deref().map(subscript).unwrap_or_default();
                // Σ reaches over a product but not a sum: (Σ x)·y, (Σ x) + 1.
                (format!("Σ{sub} {}", paren(self.expr(x), P_MUL)), P_SUM)
            }
            Math::Norm(x) => (format!("‖{}‖", self.expr(x).0), P_ATOM),
            Math::Sqrt(x) => (format!("√{}", paren(self.expr(x), P_ATOM)), P_POW),
            Math::Transpose(x) => (format!("{}ᵀ", paren(self.expr(x), P_ATOM)), P_ATOM),
            Math::Call(f, xs) => {
                let name = match f.as_str() {
                    "sigmoid" | "expit" => "σ",
                    other => other,
                };
                if name == "exp" && xs.len() == 1 {
                    let arg = self.expr(&xs[0]);
                    return (format!("e^{}", paren(arg, P_ATOM)), P_POW);
                }
                (format!("{name}({})", self.args(xs)), P_ATOM)
            }
            Math::Kw(n, x) => (format!("{n}={}", self.expr(x).0), P_ATOM),
            Math::List(xs) => (format!("[{}]", self.args(xs)), P_ATOM),
            Math::Tuple(xs) if xs.len() == 1 => (format!("({},)", self.args(xs)), P_ATOM),
            Math::Tuple(xs) => (format!("({})", self.args(xs)), P_ATOM),
            Math::Index(x, i) => (format!("{}[{i}]", paren(self.expr(x), P_ATOM)), P_ATOM),
            Math::Attr(x, n) => (format!("{}.{n}", paren(self.expr(x), P_ATOM)), P_ATOM),
            Math::Given(x, _) => self.expr(x),
        }
    }
}

fn subscript(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'i' => 'ᵢ',
            'j' => 'ⱼ',
            't' => 'ₜ',
            'k' => 'ₖ',
            'n' => 'ₙ',
            c => c,
        })
        .collect()
}

// ---- LaTeX ----------------------------------------------------------------------

/// Most elements of an axis that a printed array writes out; beyond it, the
/// first ones, an ellipsis and the last, as the text printer does (a
/// 300×300 matrix is not written out 90,000 times).
pub const SHOWN_AXIS: usize = 12;

/// The positions an axis of `n` shows, in order; `None` is the ellipsis.
pub fn shown_positions(n: usize) -> Vec<Option<usize>> {
    if n <= SHOWN_AXIS {
        (0..n).map(Some).collect()
    } else {
        (0..SHOWN_AXIS - 2)
            .map(Some)
            .chain([None, Some(n - 1)])
            .collect()
    }
}

/// The rows of a 1-d or 2-d array as a printed matrix shows them: each
/// cell printed by `f`, the ellipses by `dots(vertical, horizontal)`.
pub fn shown_cells(
    v: &Val,
    column: bool,
    f: &dyn Fn(&Num) -> String,
    dots: &dyn Fn(bool, bool) -> String,
) -> Vec<Vec<String>> {
    use ndarray::IxDyn;
    match v.ndim() {
        1 => {
            let cells = shown_positions(v.len()).into_iter().map(|p| match p {
                Some(i) => f(&v[IxDyn(&[i])]),
                None => dots(column, !column),
            });
            if column {
                cells.map(|c| vec![c]).collect()
            } else {
                vec![cells.collect()]
            }
        }
        2 => {
            let (r, c) = (v.shape()[0], v.shape()[1]);
            let cols = shown_positions(c);
            shown_positions(r)
                .into_iter()
                .map(|i| {
                    cols.iter()
                        .map(|j| match (i, j) {
                            (Some(i), Some(j)) => f(&v[IxDyn(&[i, *j])]),
                            (None, Some(_)) => dots(true, false),
                            (Some(_), None) => dots(false, true),
                            (None, None) => dots(true, true),
                        })
                        .collect()
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

fn latex_dots(vertical: bool, horizontal: bool) -> String {
    match (vertical, horizontal) {
        (true, true) => "\\ddots",
        (true, false) => "\\vdots",
        _ => "\\cdots",
    }
    .to_string()
}

/// The LaTeX printer (amsmath).
pub struct Latex<'f> {
    fmt: &'f Fmt,
}

/// Escapes text for `\texttt{…}` of code: also `<`, `>` and `|`, which
/// text mode does not set as written (and which Markdown would read as HTML
/// or a table's edge).
pub fn latex_text_escape(s: &str) -> String {
    latex_escape(s)
        .replace('<', "\\textless{}")
        .replace('>', "\\textgreater{}")
        .replace('|', "\\textbar{}")
}

/// Escapes text for `\text{…}` / `\texttt{…}`.
pub fn latex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '$' | '&' | '#' | '_' | '%' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\^{}"),
            '~' => out.push_str("\\~{}"),
            c => out.push(c),
        }
    }
    out
}

fn greek(c: char) -> Option<&'static str> {
    Some(match c {
        'α' => "\\alpha",
        'β' => "\\beta",
        'γ' => "\\gamma",
        'δ' => "\\delta",
        'η' => "\\eta",
        'λ' => "\\lambda",
        'μ' => "\\mu",
        'σ' => "\\sigma",
        'θ' => "\\theta",
        _ => return None,
    })
}

/// The plain character a superscript stands for (`ᵗ` → `t`, `⁻` → `-`).
pub fn superscript_plain(c: char) -> Option<char> {
    Some(match c {
        '⁰' => '0',
        '¹' => '1',
        '²' => '2',
        '³' => '3',
        '⁴' => '4',
        '⁵' => '5',
        '⁶' => '6',
        '⁷' => '7',
        '⁸' => '8',
        '⁹' => '9',
        '⁺' => '+',
        '⁻' => '-',
        '⁽' => '(',
        '⁾' => ')',
        'ᵗ' => 't',
        'ᵀ' => 'T',
        'ⁱ' => 'i',
        'ʲ' => 'j',
        'ᵏ' => 'k',
        'ⁿ' => 'n',
        _ => return None,
    })
}

/// A name's superscript in parentheses, read back into plain characters:
/// `h⁽ᵗ⁻¹⁾` is `("h", "t-1")`, `h⁽¹²⁾` is `("h", "12")`, `h⁽ᵀ⁾` is `("h", "T")`.
/// A character with no plain reading is kept as it is.
pub fn split_superscript(n: &str) -> (&str, String) {
    let Some(i) = n.find('⁽') else {
        return (n, String::new());
    };
    let plain: String = n[i..]
        .chars()
        .filter(|&c| c != '⁽' && c != '⁾')
        .map(|c| superscript_plain(c).unwrap_or(c))
        .collect();
    (&n[..i], plain)
}

/// A name with a subscript that is not a built-in's (`L_pos`, `d_l2`, but
/// not `nearest_centroid`): written as a name with a subscript.
pub fn own_function(f: &str) -> bool {
    f.contains('_') && !f.starts_with('_') && crate::lang::builtins::lookup(f).is_none()
}

/// `f_p1` → `f_{p1}`, `W_hh` → `W_{hh}`, `emb` → `\mathit{emb}`, `δ2` → `\delta_{2}`.
/// A name's parts as a worked solution writes it: the head, the subscript
/// (`W_hh` → `hh`; a trailing number, `δ2` → `2`) and the superscript in
/// parentheses (`h⁽ᵗ⁻¹⁾` → `t-1`, empty when none). Every printer of names
/// reads a name through this.
pub fn name_parts(n: &str) -> (String, Option<String>, String) {
    let (n, sup) = split_superscript(n);
    let (base, sub) = match n.split_once('_') {
        Some((b, s)) if !b.is_empty() && !s.is_empty() => (b, Some(s.to_string())),
        _ => (n, None),
    };
    let mut chars: Vec<char> = base.chars().collect();
    let mut sub = sub;
    if sub.is_none() {
        let mut digits = String::new();
        while chars.len() > 1 && chars.last().is_some_and(|c| c.is_ascii_digit()) {
            digits.insert(0, chars.pop().unwrap_or('0'));
        }
        sub = (!digits.is_empty()).then_some(digits);
    }
    (chars.iter().collect(), sub, sup)
}

pub fn latex_name(n: &str) -> String {
    let (head, sub, sup) = name_parts(n);
    let chars: Vec<char> = head.chars().collect();
    let mut out = if chars.len() == 1 {
        greek(chars[0]).map_or_else(|| latex_escape(&head), str::to_string)
    } else {
        format!("\\mathit{{{}}}", latex_escape(&head))
    };
    if let Some(s) = sub {
        out = format!("{out}_{{{}}}", latex_escape(&s));
    }
    if !sup.is_empty() {
        out = format!("{out}^{{({})}}", latex_escape(&sup));
    }
    out
}

fn latex_num(n: &Num, fmt: &Fmt) -> String {
    match n.infinity() {
        Some(true) => return "-\\infty".into(),
        Some(false) => return "\\infty".into(),
        None => {}
    }
    match n {
        Num::Exact(_) => {
            let s = fmt.compact(n);
            if let Some(d) = s.strip_prefix('≈') {
                return format!("{{\\approx}}{d}");
            }
            match s.split_once('/') {
                Some((p, q)) => match p.strip_prefix('-') {
                    Some(p) => format!("-\\tfrac{{{p}}}{{{q}}}"),
                    None => format!("\\tfrac{{{p}}}{{{q}}}"),
                },
                None => s,
            }
        }
        Num::Approx(_) => format!("{{\\approx}}{}", fmt.decimal(n)),
    }
}

impl<'f> Latex<'f> {
    pub fn new(fmt: &'f Fmt) -> Latex<'f> {
        Latex { fmt }
    }

    /// A chain member on its own: approximate values as `\approx d`.
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
            let lone = matches!(m, Math::Num(v) if v.ndim() == 0) && s.starts_with("{\\approx}");
            match (i, lone) {
                (0, true) => out.push_str("\\approx "),
                (0, false) => {}
                (_, true) => out.push_str(" \\approx "),
                (_, false) => out.push_str(" = "),
            }
            out.push_str(if lone {
                s.strip_prefix("{\\approx}").unwrap_or(&s)
            } else {
                &s
            });
        }
        out
    }

    pub fn inline(&self, m: &Math) -> String {
        self.expr(m).0
    }

    /// A value; a vector is a row (as numpy broadcasts it) unless `column`
    /// (the vector a matrix multiplies, or the left side of an outer product).
    fn value(&self, v: &Val, column: bool) -> (String, u8) {
        let f = |n: &Num| latex_num(n, self.fmt);
        match v.ndim() {
            0 => {
                let n = v.iter().next().map(f).unwrap_or_default();
                let p = if n.starts_with('-') || n.starts_with('{') {
                    P_UNARY
                } else if n.contains("frac") {
                    P_MUL
                } else {
                    P_ATOM
                };
                (n, p)
            }
            1 | 2 => {
                let rows: Vec<String> = shown_cells(v, column, &f, &latex_dots)
                    .into_iter()
                    .map(|r| r.join(" & "))
                    .collect();
                (
                    format!(
                        "\\begin{{bmatrix}} {} \\end{{bmatrix}}",
                        rows.join(" \\\\ ")
                    ),
                    P_ATOM,
                )
            }
            _ => {
                let t = Tensor::new((**v).clone());
                (
                    format!("\\texttt{{{}}}", latex_escape(&self.fmt.tensor_compact(&t))),
                    P_ATOM,
                )
            }
        }
    }

    fn args(&self, xs: &[Math]) -> String {
        xs.iter()
            .map(|x| self.expr(x).0)
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn expr(&self, m: &Math) -> (String, u8) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(m))
    }

    fn expr_inner(&self, m: &Math) -> (String, u8) {
        let lp = |s: (String, u8), min: u8| {
            if s.1 < min {
                format!("\\left({}\\right)", s.0)
            } else {
                s.0
            }
        };
        match m {
            Math::Sym(n, _) => (latex_name(n), P_ATOM),
            Math::Partial(y, x, _) => (
                format!(
                    "\\frac{{\\partial {}}}{{\\partial {}}}",
                    latex_name(y),
                    latex_name(x)
                ),
                P_ATOM,
            ),
            Math::Num(v) => self.value(v, false),
            Math::Code(c) => (format!("\\texttt{{{}}}", latex_text_escape(c)), P_ATOM),
            Math::Neg(x) => {
                let inner = self.expr(x);
                let wrap = matches!(&**x, Math::Bin(Op::FloorDiv | Op::Mod, ..))
                    || inner.0.starts_with('-');
                let inner = if wrap {
                    format!("\\left({}\\right)", inner.0)
                } else {
                    lp(inner, P_MUL)
                };
                (format!("-{inner}"), P_UNARY)
            }
            Math::Bin(op, a, b) => {
                let (p, sym) = match op {
                    Op::Add => (P_ADD, " + "),
                    Op::Sub => (P_ADD, " - "),
                    Op::Mul => (P_MUL, " \\cdot "),
                    Op::Dot | Op::MatMul => (P_MUL, " \\, "),
                    Op::Had => (P_MUL, " \\odot "),
                    Op::Div => {
                        return (
                            format!("\\frac{{{}}}{{{}}}", self.expr(a).0, self.expr(b).0),
                            P_ATOM,
                        )
                    }
                    Op::FloorDiv => (P_MUL, " \\mathbin{//} "),
                    Op::Mod => (P_MUL, " \\bmod "),
                    Op::Pow => {
                        return (
                            format!("{{{}}}^{{{}}}", lp(self.expr(a), P_POW + 1), self.expr(b).0),
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
                let r = if r.0.starts_with('-') {
                    format!("\\left({}\\right)", r.0)
                } else if matches!(op, Op::Add | Op::Sub) && matches!(&**b, Math::Sum(..)) {
                    lp(r, p)
                } else {
                    lp(r, p + 1)
                };
                (format!("{}{sym}{r}", lp(side(a, outer), p)), p)
            }
            // A comparison has the value 1 or 0: Iverson's bracket [a > b].
            Math::Cmp(op, a, b) => (
                format!(
                    "\\left[{} {} {}\\right]",
                    lp(self.expr(a), P_CMP + 1),
                    op.latex(),
                    lp(self.expr(b), P_CMP + 1)
                ),
                P_ATOM,
            ),
            Math::Sum(i, x) => {
                let sub = i
                    .as_deref()
                    .map(|i| format!("_{{{i}}}"))
                    .unwrap_or_default();
                (format!("\\sum{sub} {}", lp(self.expr(x), P_MUL)), P_SUM)
            }
            Math::Norm(x) => (format!("\\lVert {} \\rVert", self.expr(x).0), P_ATOM),
            Math::Sqrt(x) => (format!("\\sqrt{{{}}}", self.expr(x).0), P_ATOM),
            // The transpose of a vector is its row.
            Math::Transpose(x) => match &**x {
                Math::Num(v) if v.ndim() == 1 => self.value(v, false),
                _ => (format!("{{{}}}^\\top", lp(self.expr(x), P_ATOM)), P_ATOM),
            },
            // grad(y, x) is ∂y/∂x.
            Math::Call(f, xs)
                if f == "grad" && matches!(xs.as_slice(), [Math::Sym(..), Math::Sym(..)]) =>
            {
                let name = |m: &Math| match m {
                    Math::Sym(n, _) => latex_name(n),
                    _ => String::new(),
                };
                (
                    format!(
                        "\\frac{{\\partial {}}}{{\\partial {}}}",
                        name(&xs[0]),
                        name(&xs[1])
                    ),
                    P_ATOM,
                )
            }
            Math::Call(f, xs) => {
                let name = match f.as_str() {
                    "sigmoid" | "expit" | "σ" => "\\sigma".to_string(),
                    "exp" if xs.len() == 1 => {
                        return (format!("e^{{{}}}", self.expr(&xs[0]).0), P_POW)
                    }
                    "log" | "tanh" | "max" | "min" => format!("\\{f}"),
                    // An exercise's own function L_pos is L with a subscript.
                    other if own_function(other) => latex_name(other),
                    other => format!("\\operatorname{{{}}}", latex_escape(other)),
                };
                (format!("{name}\\left({}\\right)", self.args(xs)), P_ATOM)
            }
            Math::Kw(n, x) => (
                format!("\\text{{{}}}={}", latex_escape(n), self.expr(x).0),
                P_ATOM,
            ),
            Math::List(xs) => (format!("\\left[{}\\right]", self.args(xs)), P_ATOM),
            Math::Tuple(xs) => (format!("\\left({}\\right)", self.args(xs)), P_ATOM),
            Math::Index(x, i) => (
                format!("{}[{}]", lp(self.expr(x), P_ATOM), latex_escape(i)),
                P_ATOM,
            ),
            Math::Attr(x, n) => (
                format!(
                    "{}.\\texttt{{{}}}",
                    lp(self.expr(x), P_ATOM),
                    latex_escape(n)
                ),
                P_ATOM,
            ),
            Math::Given(x, _) => self.expr(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::latex_name;

    #[test]
    fn names_become_subscripts_and_superscripts() {
        assert_eq!(latex_name("f_p1"), "f_{p1}");
        assert_eq!(latex_name("W_hh"), "W_{hh}");
        assert_eq!(latex_name("δ2"), "\\delta_{2}");
        assert_eq!(latex_name("h⁽²⁾"), "h^{(2)}");
        assert_eq!(latex_name("h_t⁽¹²⁾"), "h_{t}^{(12)}");
        assert_eq!(latex_name("h⁽ᵗ⁻¹⁾"), "h^{(t-1)}");
        assert_eq!(latex_name("h⁽ᵀ⁾"), "h^{(T)}");
        assert_eq!(latex_name("emb"), "\\mathit{emb}");
        assert_eq!(latex_name("w2_new"), "\\mathit{w2}_{new}");
    }
}
