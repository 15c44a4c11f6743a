//! Values of the exercise language and how they look on screen.

use std::cell::OnceCell;
use std::fmt::Write;
use std::ops::Deref;
use std::rc::Rc;

use ndarray::{ArrayD, Axis};

use super::parser::{Param, Stmt};
use crate::metric::Metric;
use crate::nn::act::Activation;
use crate::nn::params::Module;
use crate::{Num, Tensor};

/// A user function.
pub struct FuncDef {
    pub name: String,
    pub params: Vec<Param>,
    pub body: Vec<Stmt>,
}

/// The items of a Python list or tuple. A list of numbers stays a list (`+`
/// joins, `* n` repeats, as in Python) but can be used where a tensor is
/// expected (`W @ h` with `W = [[1, 2]]`); the tensor it stands for is made
/// once and kept, so `grad(L, W)` finds the very `W` that `L` was computed
/// from.
pub struct Seq {
    items: Vec<Value>,
    pub(crate) tensor: OnceCell<Tensor<Num>>,
}

/// A list nested 100,000 deep (`t = [t]` in a loop) would be dropped one
/// level per stack frame, deeper than the stack: the lists only this one
/// holds are taken out and dropped in a loop instead.
impl Drop for Seq {
    fn drop(&mut self) {
        fn take(items: &mut Vec<Value>, out: &mut Vec<Rc<Seq>>) {
            out.extend(items.drain(..).filter_map(|v| match v {
                Value::List(s) | Value::Tuple(s) => Some(s),
                _ => None,
            }));
        }
        let mut pending = Vec::new();
        take(&mut self.items, &mut pending);
        while let Some(s) = pending.pop() {
            if let Ok(mut inner) = Rc::try_unwrap(s) {
                take(&mut inner.items, &mut pending);
            }
        }
    }
}

impl Seq {
    pub fn new(items: Vec<Value>) -> Seq {
        Seq {
            items,
            tensor: OnceCell::new(),
        }
    }
}

impl Deref for Seq {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.items
    }
}

#[derive(Clone)]
pub enum Value {
    /// Numbers are 0-d tensors; `np.array` makes tensors.
    T(Tensor<Num>),
    Bool(bool),
    Str(Rc<str>),
    None,
    List(Rc<Seq>),
    Tuple(Rc<Seq>),
    Range(i64, i64, i64),
    Func(Rc<FuncDef>),
    Builtin(&'static str),
    /// `np`, `np.linalg`, `sp.special`, …
    Namespace(Rc<str>),
    Module(Rc<Module<Num>>),
    Act(Activation),
    Metric(Metric),
    /// `adam(lr=0.01)`, `sgd(lr=0.1, momentum=0.9)`: how `train` updates.
    Optim(Rc<Optim>),
    /// `sequences(…)`, `product(…)`, `grid(…)`: items made when reached.
    Domain(Rc<crate::lang::domain::Domain>),
}

/// An optimizer as `train(…, optimizer=…)` takes it, with PyTorch's
/// defaults and update formulas (`torch.optim.Adam`, `torch.optim.SGD`).
#[derive(Clone, Debug)]
pub enum Optim {
    Adam {
        lr: Num,
        beta1: Num,
        beta2: Num,
        eps: Num,
    },
    Sgd {
        lr: Num,
        momentum: Num,
    },
}

impl std::fmt::Display for Optim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Optim::Adam {
                lr,
                beta1,
                beta2,
                eps,
            } => write!(f, "Adam(lr={lr}, betas=({beta1}, {beta2}), eps={eps})"),
            Optim::Sgd { lr, momentum } => write!(f, "SGD(lr={lr}, momentum={momentum})"),
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", Fmt { digits: 4 }.value(self))
    }
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::T(t) if t.ndim() == 0 => "number",
            Value::T(_) => "tensor",
            Value::Bool(_) => "bool",
            Value::Str(_) => "string",
            Value::None => "None",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Range(..) => "range",
            Value::Func(_) => "function",
            Value::Builtin(_) => "built-in function",
            Value::Namespace(_) => "module",
            Value::Module(_) => "layer",
            Value::Act(_) => "activation",
            Value::Metric(_) => "distance",
            Value::Optim(_) => "optimizer",
            Value::Domain(_) => "domain",
        }
    }
    pub fn num(n: Num) -> Value {
        Value::T(Tensor::scalar(n))
    }
    /// A Python int (numpy's int64 in an array).
    pub fn int(i: i64) -> Value {
        Value::T(Tensor::scalar_of(Num::int(i), crate::autograd::DType::Int))
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(Seq::new(items)))
    }
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(Seq::new(items)))
    }
}

/// The array a (nested) list of numbers stands for, if it is one (and
/// small enough to show: a list nested in itself, `l = [l, l]` thirty
/// times, has a billion leaves but only thirty distinct lists).
fn numbers(v: &Value) -> Option<Tensor<Num>> {
    numbers_within(v, &mut 0)
}

/// [`numbers`], counting what it visits into `seen` (shared with the
/// caller's own budget, so trying costs what it visits).
fn numbers_within(v: &Value, seen: &mut usize) -> Option<Tensor<Num>> {
    fn rec(v: &Value, seen: &mut usize, depth: usize) -> Option<Tensor<Num>> {
        // Deeper than a tensor may have dimensions: not numbers.
        if depth > crate::tensor::MAX_DIMS {
            return None;
        }
        *seen += match v {
            Value::T(t) => t.len().max(1),
            Value::List(items) => items.tensor.get().map_or(1, |t| t.len().max(1)),
            _ => 1,
        };
        if *seen > SHOWN_NODES {
            return None;
        }
        match v {
            Value::T(t) => Some(t.clone()),
            Value::Bool(b) => Some(Tensor::scalar(Num::int(*b as i64))),
            Value::List(items) if !items.is_empty() => {
                if let Some(t) = items.tensor.get() {
                    return Some(t.clone());
                }
                let ts = items
                    .iter()
                    .map(|x| rec(x, seen, depth + 1))
                    .collect::<Option<Vec<_>>>()?;
                Tensor::stack(&ts, 0).ok()
            }
            _ => None,
        }
    }
    rec(v, seen, 0)
}

/// Most list and tuple items a value's text visits before it ends in `…`.
const SHOWN_NODES: usize = 1 << 14;

/// How many significant digits approximate values show.
#[derive(Clone, Copy, Debug)]
pub struct Fmt {
    pub digits: usize,
}

impl Fmt {
    /// A number inside a formula: `1/3`, `-0.1`, `≈0.1824`; an exact
    /// fraction too long to read (more than [`READABLE_DIGITS`] digits) as
    /// `≈` its decimal.
    pub fn compact(&self, n: &Num) -> String {
        match n {
            // A fraction too long to read is shown by its digits alone: its
            // thousands of digits are not written out to be thrown away.
            Num::Exact(_) if unreadable(n) => {
                format!("≈{}", n.sig_text(self.digits).unwrap_or_default())
            }
            Num::Exact(_) => {
                let full = n.display(self.digits);
                match full.split_once(" ≈ ") {
                    Some((_, d)) if unreadable(n) => format!("≈{d}"),
                    Some((frac, _)) => frac.to_string(),
                    None => full,
                }
            }
            Num::Approx(_) => n.display(self.digits).replace("≈ ", "≈"),
        }
    }
    /// A number as a result: `16`, `1/3 ≈ 0.3333`, `≈ 0.1824`.
    pub fn full(&self, n: &Num) -> String {
        n.display(self.digits)
    }
    /// Decimal only: `0.3333` for 1/3, `0.1824` for ≈ 0.1824.
    pub fn decimal(&self, n: &Num) -> String {
        if n.is_exact() && !n.terminates() {
            if let Some(d) = n.sig_text(self.digits) {
                return d;
            }
        }
        let s = n.display(self.digits);
        match s.split_once("≈ ") {
            Some((_, d)) => d.to_string(),
            None => s,
        }
    }

    /// Nested list text with each element through `f`, long axes elided.
    pub fn nested(&self, a: &ArrayD<Num>, limit: usize, f: &dyn Fn(&Num) -> String) -> String {
        fn rec(
            v: ndarray::ArrayViewD<Num>,
            limit: usize,
            f: &dyn Fn(&Num) -> String,
            out: &mut String,
        ) {
            if v.ndim() == 0 {
                // A 0-d array has exactly one element.
                for x in v.iter() {
                    out.push_str(&f(x));
                }
                return;
            }
            out.push('[');
            let n = v.len_of(Axis(0));
            for (i, sub) in v.axis_iter(Axis(0)).enumerate() {
                if n > limit && i == limit - 2 {
                    out.push_str(", …");
                }
                if n > limit && i >= limit - 2 && i < n - 1 {
                    continue;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                rec(sub, limit, f, out);
            }
            out.push(']');
        }
        let mut s = String::new();
        rec(a.view(), limit.max(3), f, &mut s);
        s
    }

    /// A tensor as a result: exact decimals plain, fractions with their
    /// decimals after, approximations marked.
    pub fn tensor(&self, t: &Tensor<Num>) -> String {
        let a = t.value();
        if let Some(x) = a.first().filter(|_| a.ndim() == 0) {
            return self.full(x);
        }
        // Exact and written out in full by `display` (no `≈`).
        let plain = |n: &Num| n.terminates();
        if a.iter().all(plain) {
            return self.nested(a, 12, &|n| n.display(self.digits));
        }
        if a.iter().all(|n| !n.is_exact()) {
            return format!("≈ {}", self.nested(a, 12, &|n| self.decimal(n)));
        }
        // Approximations among exact decimals: each marked where it stands.
        if a.iter().all(|n| !n.is_exact() || plain(n)) {
            return self.nested(a, 12, &|n| self.compact(n));
        }
        format!(
            "{} ≈ {}",
            self.nested(a, 12, &|n| self.compact(n)),
            self.nested(a, 12, &|n| self.decimal(n))
        )
    }
    /// A result as a brief line shows it: like [`Fmt::tensor`], but an
    /// exact fraction too long to read as `≈` its decimal (the fraction is
    /// in the full detail and in JSON).
    pub fn readable(&self, t: &Tensor<Num>) -> String {
        let a = t.value();
        if !a.iter().any(unreadable) {
            return self.tensor(t);
        }
        if let Some(x) = a.first().filter(|_| a.ndim() == 0) {
            return format!("≈ {}", self.decimal(x));
        }
        self.nested(a, 12, &|n| self.compact(n))
    }
    /// A tensor inside a formula.
    pub fn tensor_compact(&self, t: &Tensor<Num>) -> String {
        let a = t.value();
        if let Some(x) = a.first().filter(|_| a.ndim() == 0) {
            return self.compact(x);
        }
        self.nested(a, 8, &|n| self.compact(n))
    }

    pub fn value(&self, v: &Value) -> String {
        match v {
            Value::T(t) => self.tensor(t),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Str(s) => format!("{s:?}"),
            Value::None => "None".into(),
            // A list of numbers looks like the array it stands for.
            Value::List(_) if numbers(v).is_some() => match numbers(v) {
                Some(t) => self.tensor(&t),
                None => self.items(v),
            },
            Value::List(_) | Value::Tuple(_) => self.items(v),
            Value::Range(a, b, c) => {
                if *c == 1 {
                    format!("range({a}, {b})")
                } else {
                    format!("range({a}, {b}, {c})")
                }
            }
            Value::Func(f) => format!("function {}", f.name),
            Value::Builtin(n) => format!("built-in {n}"),
            Value::Namespace(n) => format!("module {n}"),
            Value::Module(m) => m.title(),
            Value::Act(a) => a.name().into(),
            Value::Metric(m) => m.name().into(),
            Value::Optim(o) => o.to_string(),
            Value::Domain(d) => format!("{} ({} items)", d.describe(), d.len()),
        }
    }
    /// A list or tuple as [`Fmt::items_into`] writes it.
    fn items(&self, v: &Value) -> String {
        let mut s = String::new();
        self.items_into(v, &mut s, &mut 0);
        s
    }
    /// A list or tuple, item by item, ending in `…` after [`SHOWN_NODES`]
    /// items in all (a tuple nested in itself thirty times stays short).
    fn items_into(&self, v: &Value, s: &mut String, seen: &mut usize) {
        let (Value::List(items) | Value::Tuple(items)) = v else {
            s.push_str(&self.value_compact(v));
            return;
        };
        let (open, close) = if matches!(v, Value::List(_)) {
            ("[", "]")
        } else {
            ("(", ")")
        };
        s.push_str(open);
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            *seen += 1;
            if *seen > SHOWN_NODES {
                s.push('…');
                break;
            }
            match x {
                Value::List(_) => match numbers_within(x, seen) {
                    Some(t) => s.push_str(&self.tensor_compact(&t)),
                    None => self.items_into(x, s, seen),
                },
                Value::Tuple(_) => self.items_into(x, s, seen),
                _ => s.push_str(&self.value_compact(x)),
            }
        }
        // (3,) is a tuple of one, as Python prints it.
        if items.len() == 1 && close == ")" {
            s.push(',');
        }
        s.push_str(close);
    }

    pub fn value_compact(&self, v: &Value) -> String {
        match v {
            Value::T(t) => self.tensor_compact(t),
            other => self.value(other),
        }
    }
}

/// Most digits of an exact fraction that a reader takes in at a glance.
pub const READABLE_DIGITS: usize = 12;

/// An exact non-terminating value whose fraction has more than
/// [`READABLE_DIGITS`] digits.
pub fn unreadable(n: &Num) -> bool {
    if !n.is_exact() || n.terminates() {
        return false;
    }
    // 128 bits of numerator and denominator together are more than 38
    // digits: no need to write a fraction of thousands of digits to know.
    n.bits() > 128
        || n.fraction_string()
            .is_some_and(|f| f.chars().filter(char::is_ascii_digit).count() > READABLE_DIGITS)
}

/// Shape text `[2, 3]`.
pub fn shape_text(s: &[usize]) -> String {
    let mut out = String::from("[");
    for (i, d) in s.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{d}");
    }
    out.push(']');
    out
}
