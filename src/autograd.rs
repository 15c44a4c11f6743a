//! `autograd`: the [`Tensor`] users compute with, and reverse-mode gradients.
//!
//! Every tensor carries the op that made it (its inputs included), so the
//! graph *is* the forward trace. [`backward`] walks it in reverse and records
//! every contribution — upstream gradient, local rule as text, result — in
//! [`Gradients::steps`], which is what a worked solution prints.
//!
//! Elementwise ops keep their forward, local derivative and printed rule
//! side by side in [`Unary`] and [`Binary`]; adding one touches that table.
//! Broadcasting is an explicit `Expand` node, so summing gradients back to a
//! broadcast input's shape happens in one place.
//!
//! Non-differentiable points follow PyTorch: relu′(0) = 0, |x|′(0) = 0, a
//! max/min reduction sends the gradient to the *first* extreme element, and the
//! elementwise `maximum`/`minimum` split it equally between tied inputs.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use ndarray::{ArrayD, Axis, Dimension, IxDyn, SliceInfo, SliceInfoElem};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{Error, Result};
use crate::explain::math::{product, Math, Op as M, Rel};
use crate::num::Num;
use crate::tensor::{
    arg_extreme, broadcast_shape, norm_axis, slice_info, sum_axis_keep, sum_to_shape, try_map,
    try_zip, Element, Idx,
};

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// An n-d array with numpy semantics that remembers how it was computed.
pub struct Tensor<T: Element>(Rc<Node<T>>);

struct Node<T: Element> {
    id: usize,
    value: ArrayD<T>,
    op: Op<T>,
    name: RefCell<Option<String>>,
    group: RefCell<Option<Rc<Group<T>>>>,
    /// numpy's kind of the values: a comparison makes a boolean mask
    /// (indexing with it selects), integer literals make integer arrays
    /// (an element assigned into one is truncated, as numpy casts).
    dtype: DType,
}

/// The three kinds of numpy array a student meets. Every value is exact
/// whatever its kind; the kind matters where numpy casts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    Bool,
    Int,
    Float,
}

impl DType {
    /// numpy's result kind of arithmetic on two kinds (booleans count as
    /// integers).
    fn promote(self, o: DType) -> DType {
        if self == DType::Float || o == DType::Float {
            DType::Float
        } else {
            DType::Int
        }
    }
    /// The kind after arithmetic on one value: a boolean becomes an integer.
    fn numeric(self) -> DType {
        self.promote(DType::Int)
    }
}

/// The kind of the result of `op` (numpy's rules for bool, int, float).
fn dtype_of<T: Element>(op: &Op<T>) -> DType {
    match op {
        Op::Leaf | Op::Const => DType::Float,
        Op::Unary(Unary::Neg | Unary::Abs | Unary::Relu, a) => a.dtype().numeric(),
        Op::Unary(..) => DType::Float,
        Op::Binary(Binary::Add | Binary::Sub | Binary::Mul, a, b) => a.dtype().promote(b.dtype()),
        Op::Binary(Binary::Maximum | Binary::Minimum, a, b) if a.dtype() == b.dtype() => a.dtype(),
        Op::Binary(Binary::Maximum | Binary::Minimum, a, b) => a.dtype().promote(b.dtype()),
        Op::Binary(Binary::Div | Binary::Pow, ..) => DType::Float,
        Op::MatMul(a, b) => a.dtype().promote(b.dtype()),
        Op::Sum(a, _) => a.dtype().numeric(),
        Op::Extreme { x, .. } => x.dtype(),
        Op::Reshape(a) | Op::Permute(a, _) | Op::Expand(a) | Op::Slice(a, _) => a.dtype(),
        Op::Concat(parts, _) => {
            if parts.iter().all(|p| p.dtype() == DType::Bool) {
                DType::Bool
            } else {
                parts
                    .iter()
                    .fold(DType::Int, |acc, p| acc.promote(p.dtype().numeric()))
            }
        }
    }
}

/// A composite a student differentiates as one step (conv1d, a loss): the
/// output of several primitive ops, with its own formula and rules. The
/// numbers still come from the primitives; the explanation reads the group.
pub struct Group<T: Element> {
    pub name: &'static str,
    pub inputs: Vec<Tensor<T>>,
    /// The forward formula from the inputs' formulas.
    pub formula: fn(&[Math]) -> Math,
    /// The contribution to input `pos` given the upstream formula `g`, or
    /// `None` where the group has no rule of its own (the primitives inside
    /// are explained instead).
    pub vjp: fn(usize, &Math, &[Math]) -> Option<Math>,
}

/// Long chains (a recurrence unrolled many steps) would drop recursively,
/// one stack frame per node; this unlinks them iteratively instead.
impl<T: Element> Drop for Node<T> {
    fn drop(&mut self) {
        let mut stack = take_inputs(std::mem::replace(&mut self.op, Op::Leaf));
        stack.extend(take_group(&self.group));
        while let Some(t) = stack.pop() {
            if let Ok(mut node) = Rc::try_unwrap(t.0) {
                stack.extend(take_inputs(std::mem::replace(&mut node.op, Op::Leaf)));
                stack.extend(take_group(&node.group));
            }
        }
    }
}

/// The inputs of an op, in order.
fn input_refs<T: Element>(op: &Op<T>) -> Vec<&Tensor<T>> {
    match op {
        Op::Leaf | Op::Const => vec![],
        Op::Unary(_, a)
        | Op::Sum(a, _)
        | Op::Extreme { x: a, .. }
        | Op::Reshape(a)
        | Op::Permute(a, _)
        | Op::Expand(a)
        | Op::Slice(a, _) => vec![a],
        Op::Binary(_, a, b) | Op::MatMul(a, b) => vec![a, b],
        Op::Concat(xs, _) => xs.iter().collect(),
    }
}

/// Detaches a group's inputs where this node held the group last.
fn take_group<T: Element>(g: &RefCell<Option<Rc<Group<T>>>>) -> Vec<Tensor<T>> {
    match g.borrow_mut().take().map(Rc::try_unwrap) {
        Some(Ok(group)) => group.inputs,
        _ => Vec::new(),
    }
}

/// Detaches an op's inputs: the returned handles are their last owners
/// wherever the op was.
fn take_inputs<T: Element>(op: Op<T>) -> Vec<Tensor<T>> {
    input_refs(&op).into_iter().cloned().collect()
}

impl<T: Element> Clone for Tensor<T> {
    fn clone(&self) -> Self {
        Tensor(Rc::clone(&self.0))
    }
}

/// The op that produced a tensor, with its inputs.
pub enum Op<T: Element> {
    /// A value given by the user: a leaf of the graph.
    Leaf,
    /// A value with no gradient (comparisons, argmax).
    Const,
    Unary(Unary, Tensor<T>),
    Binary(Binary, Tensor<T>, Tensor<T>),
    /// Batched `a @ b` over operands with equal batch shape.
    MatMul(Tensor<T>, Tensor<T>),
    /// Sum over `axes`, kept with length 1.
    Sum(Tensor<T>, Vec<usize>),
    /// Max or min along `axis` (kept), with the index chosen in each lane.
    Extreme {
        x: Tensor<T>,
        axis: usize,
        max: bool,
        idx: ArrayD<usize>,
    },
    Reshape(Tensor<T>),
    Permute(Tensor<T>, Vec<usize>),
    /// numpy broadcasting made explicit.
    Expand(Tensor<T>),
    Slice(Tensor<T>, Vec<SliceInfoElem>),
    Concat(Vec<Tensor<T>>, usize),
}

/// Elementwise functions of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unary {
    Neg,
    Exp,
    Log,
    Sqrt,
    Tanh,
    Sigmoid,
    Relu,
    Abs,
    Sin,
    Cos,
}

impl Unary {
    pub fn name(self) -> &'static str {
        match self {
            Unary::Neg => "neg",
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Sqrt => "sqrt",
            Unary::Tanh => "tanh",
            Unary::Sigmoid => "sigmoid",
            Unary::Relu => "relu",
            Unary::Abs => "abs",
            Unary::Sin => "sin",
            Unary::Cos => "cos",
        }
    }
    /// The value at `a`. Shared by [`Tensor`] and [`crate::tape::Tape`].
    #[inline]
    pub(crate) fn forward<T: Element>(self, a: &T) -> Result<T> {
        match self {
            Unary::Neg => Ok(a.neg()),
            Unary::Exp => a.exp(),
            Unary::Log => a.log(),
            Unary::Sqrt => a.sqrt(),
            Unary::Tanh => a.tanh(),
            Unary::Sigmoid => a.sigmoid(),
            Unary::Relu => Ok(if a.compare(&T::zero())?.is_gt() {
                a.clone()
            } else {
                T::zero()
            }),
            Unary::Abs => Ok(a.abs()),
            Unary::Sin => a.sin(),
            Unary::Cos => a.cos(),
        }
    }
    /// The local derivative as the worked solution prints it.
    pub fn rule(self) -> &'static str {
        match self {
            Unary::Neg => "∂(−a)/∂a = −1",
            Unary::Exp => "∂exp(a)/∂a = exp(a)",
            Unary::Log => "∂log(a)/∂a = 1/a",
            Unary::Sqrt => "∂√a/∂a = 1/(2√a)",
            Unary::Tanh => "∂tanh(a)/∂a = 1 − tanh(a)²",
            Unary::Sigmoid => "∂σ(a)/∂a = σ(a)·(1 − σ(a))",
            Unary::Relu => "∂relu(a)/∂a = 1 if a > 0 else 0",
            Unary::Abs => "∂|a|/∂a = sign(a)",
            Unary::Sin => "∂sin(a)/∂a = cos(a)",
            Unary::Cos => "∂cos(a)/∂a = −sin(a)",
        }
    }
    /// The local derivative at input `a` with output `y`. Shared by
    /// [`Tensor`] and [`crate::tape::Tape`].
    #[inline]
    pub(crate) fn local<T: Element>(self, a: &T, y: &T) -> Result<T> {
        let one = T::one();
        match self {
            Unary::Neg => Ok(one.neg()),
            Unary::Exp => Ok(y.clone()),
            Unary::Log => one.div(a),
            Unary::Sqrt => one.div(&y.add(y)?),
            Unary::Tanh => one.sub(&y.mul(y)?),
            Unary::Sigmoid => y.mul(&one.sub(y)?),
            Unary::Relu => Ok(if a.compare(&T::zero())?.is_gt() {
                one
            } else {
                T::zero()
            }),
            Unary::Abs => Ok(match a.compare(&T::zero())? {
                std::cmp::Ordering::Greater => one,
                std::cmp::Ordering::Less => one.neg(),
                std::cmp::Ordering::Equal => T::zero(),
            }),
            Unary::Sin => a.cos(),
            Unary::Cos => Ok(a.sin()?.neg()),
        }
    }
}

/// Elementwise functions of two arguments (after broadcasting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Maximum,
    Minimum,
}

impl Binary {
    pub fn symbol(self) -> &'static str {
        match self {
            Binary::Add => "+",
            Binary::Sub => "−",
            Binary::Mul => "·",
            Binary::Div => "/",
            Binary::Pow => "**",
            Binary::Maximum => "maximum",
            Binary::Minimum => "minimum",
        }
    }
    /// The value at `(a, b)`. Shared by [`Tensor`] and [`crate::tape::Tape`].
    #[inline]
    pub(crate) fn forward<T: Element>(self, a: &T, b: &T) -> Result<T> {
        match self {
            Binary::Add => a.add(b),
            Binary::Sub => a.sub(b),
            Binary::Mul => a.mul(b),
            Binary::Div => a.div(b),
            Binary::Pow => a.pow(b),
            Binary::Maximum => Ok(if b.compare(a)?.is_gt() { b } else { a }.clone()),
            Binary::Minimum => Ok(if b.compare(a)?.is_lt() { b } else { a }.clone()),
        }
    }
    /// The local derivatives with respect to `a` and `b`, as printed.
    pub fn rules(self) -> [&'static str; 2] {
        match self {
            Binary::Add => ["∂(a + b)/∂a = 1", "∂(a + b)/∂b = 1"],
            Binary::Sub => ["∂(a − b)/∂a = 1", "∂(a − b)/∂b = −1"],
            Binary::Mul => ["∂(a·b)/∂a = b", "∂(a·b)/∂b = a"],
            Binary::Div => ["∂(a/b)/∂a = 1/b", "∂(a/b)/∂b = −a/b²"],
            Binary::Pow => ["∂(a^b)/∂a = b·a^(b−1)", "∂(a^b)/∂b = a^b·log(a)"],
            Binary::Maximum => [
                "∂max(a, b)/∂a = 1 if a > b, 1/2 if a = b, else 0",
                "∂max(a, b)/∂b = 1 if b > a, 1/2 if a = b, else 0",
            ],
            Binary::Minimum => [
                "∂min(a, b)/∂a = 1 if a < b, 1/2 if a = b, else 0",
                "∂min(a, b)/∂b = 1 if b < a, 1/2 if a = b, else 0",
            ],
        }
    }
    /// The local derivative with respect to input `pos` (0 = a, 1 = b).
    /// Shared by [`Tensor`] and [`crate::tape::Tape`].
    #[inline]
    pub(crate) fn local<T: Element>(self, pos: usize, a: &T, b: &T, y: &T) -> Result<T> {
        let one = T::one();
        let half = || one.div(&one.add(&one)?);
        let pick = |wins: bool, tie: bool| -> Result<T> {
            if tie {
                half()
            } else if wins {
                Ok(one.clone())
            } else {
                Ok(T::zero())
            }
        };
        match (self, pos) {
            (Binary::Add, _) | (Binary::Sub, 0) => Ok(one),
            (Binary::Sub, _) => Ok(one.neg()),
            (Binary::Mul, 0) => Ok(b.clone()),
            (Binary::Mul, _) => Ok(a.clone()),
            (Binary::Div, 0) => one.div(b),
            (Binary::Div, _) => a.neg().div(&b.mul(b)?),
            (Binary::Pow, 0) => b.mul(&a.pow(&b.sub(&one)?)?),
            (Binary::Pow, _) => y.mul(&a.log()?),
            (Binary::Maximum | Binary::Minimum, _) => {
                let o = if pos == 0 {
                    a.compare(b)?
                } else {
                    b.compare(a)?
                };
                let wins = if self == Binary::Maximum {
                    o.is_gt()
                } else {
                    o.is_lt()
                };
                pick(wins, o.is_eq())
            }
        }
    }
}

// ---- formulas of the ops --------------------------------------------------------
//
// Next to each op's forward and backward: its formula, and its contribution
// to an input as a formula (the rule a worked solution writes). The walker in
// `explain::backprop` composes them; the self-check evaluates the result.

impl Unary {
    /// The op applied to the formula `a`.
    pub fn formula(self, a: Math) -> Math {
        match self {
            Unary::Neg => Math::Neg(Box::new(a)),
            Unary::Sqrt => Math::Sqrt(Box::new(a)),
            u => Math::call(u.name(), vec![a]),
        }
    }
    /// `g` times the local derivative at input `a` with output `y`.
    pub fn vjp_formula(self, g: Math, a: Math, y: Math, shape: &[usize]) -> Math {
        let one = || Math::int(1);
        let local = match self {
            Unary::Neg => return Math::Neg(Box::new(g)),
            Unary::Exp => y,
            Unary::Log => Math::bin(M::Div, one(), a),
            Unary::Sqrt => Math::bin(M::Div, one(), Math::bin(M::Mul, Math::int(2), y)),
            Unary::Tanh => Math::bin(M::Sub, one(), Math::bin(M::Pow, y, Math::int(2))),
            Unary::Sigmoid => Math::bin(M::Mul, y.clone(), Math::bin(M::Sub, one(), y)),
            Unary::Relu => Math::Cmp(Rel::Gt, Box::new(a), Box::new(Math::int(0))),
            Unary::Abs => Math::call("sign", vec![a]),
            Unary::Sin => Math::call("cos", vec![a]),
            Unary::Cos => Math::Neg(Box::new(Math::call("sin", vec![a]))),
        };
        product(g, local, shape)
    }
}

impl Binary {
    /// The op applied to the formulas `a` and `b`.
    pub fn formula(self, a: Math, b: Math) -> Math {
        let op = match self {
            Binary::Add => M::Add,
            Binary::Sub => M::Sub,
            Binary::Mul => M::Mul,
            Binary::Div => M::Div,
            Binary::Pow => M::Pow,
            Binary::Maximum => return Math::call("max", vec![a, b]),
            Binary::Minimum => return Math::call("min", vec![a, b]),
        };
        Math::bin(op, a, b)
    }
    /// `g` times the local derivative with respect to input `pos`, or `None`
    /// where no single formula holds (a tie of `maximum`).
    pub fn vjp_formula(
        self,
        pos: usize,
        g: Math,
        [a, b]: [Math; 2],
        y: Math,
        shape: &[usize],
    ) -> Option<Math> {
        let one = || Math::int(1);
        let local = match (self, pos) {
            (Binary::Add, _) | (Binary::Sub, 0) => return Some(g),
            (Binary::Sub, _) => return Some(Math::Neg(Box::new(g))),
            (Binary::Mul, 0) => b,
            (Binary::Mul, _) => a,
            (Binary::Div, 0) => Math::bin(M::Div, one(), b),
            (Binary::Div, _) => Math::Neg(Box::new(Math::bin(
                M::Div,
                a,
                Math::bin(M::Pow, b, Math::int(2)),
            ))),
            (Binary::Pow, 0) => match b.scalar().cloned() {
                Some(k) => {
                    let km1 = k.sub(&Num::one()).ok()?;
                    let power = if km1.eq_num(&Num::one()).ok()? {
                        a
                    } else {
                        Math::bin(M::Pow, a, Math::num(km1))
                    };
                    Math::bin(M::Mul, Math::num(k), power)
                }
                None => Math::bin(
                    M::Mul,
                    b.clone(),
                    Math::bin(M::Pow, a, Math::bin(M::Sub, b, one())),
                ),
            },
            (Binary::Pow, _) => Math::bin(M::Mul, y, Math::call("log", vec![a])),
            (Binary::Maximum | Binary::Minimum, _) => {
                // [a > b] holds where no element ties; a tie splits (1/2).
                let (va, vb) = (a.eval().ok()??, b.eval().ok()??);
                if va.eq(&vb).ok()?.value().iter().any(|t| !t.is_zero()) {
                    return None;
                }
                let (mine, other) = if pos == 0 { (a, b) } else { (b, a) };
                let rel = if self == Binary::Maximum {
                    Rel::Gt
                } else {
                    Rel::Lt
                };
                Math::Cmp(rel, Box::new(mine), Box::new(other))
            }
        };
        Some(product(g, local, shape))
    }
}

/// `x[0, 1:3]` as written from the recorded slice.
fn slice_text(info: &[SliceInfoElem]) -> String {
    let parts: Vec<String> = info
        .iter()
        .map(|e| match *e {
            SliceInfoElem::Index(i) => i.to_string(),
            SliceInfoElem::NewAxis => "None".into(),
            SliceInfoElem::Slice { start, end, step } => {
                let s = if start == 0 {
                    String::new()
                } else {
                    start.to_string()
                };
                let e = end.map(|e| e.to_string()).unwrap_or_default();
                if step == 1 {
                    format!("{s}:{e}")
                } else {
                    format!("{s}:{e}:{step}")
                }
            }
        })
        .collect();
    parts.join(", ")
}

fn squeezed(s: &[usize]) -> Vec<usize> {
    s.iter().copied().filter(|&d| d != 1).collect()
}

impl<T: Element> Tensor<T> {
    /// The formula of this tensor's op over its inputs' formulas (`None`
    /// for leaves).
    pub fn op_formula(&self, inputs: &[Math]) -> Option<Math> {
        let one = |i: usize| inputs.get(i).cloned();
        Some(match self.op() {
            Op::Leaf | Op::Const => return None,
            Op::Unary(u, _) => u.formula(one(0)?),
            Op::Binary(b, _, _) => b.formula(one(0)?, one(1)?),
            Op::MatMul(..) => Math::bin(M::Dot, one(0)?, one(1)?),
            Op::Sum(a, axes) if axes.len() == a.ndim() => Math::Sum(None, Box::new(one(0)?)),
            Op::Sum(_, axes) => Math::call(
                "sum",
                vec![
                    one(0)?,
                    Math::Kw("axis".into(), Box::new(Math::Code(format!("{axes:?}")))),
                ],
            ),
            Op::Extreme { x, axis, max, .. } => {
                let f = if *max { "max" } else { "min" };
                if x.len() == x.shape()[*axis] {
                    Math::call(f, vec![one(0)?])
                } else {
                    Math::call(
                        f,
                        vec![
                            one(0)?,
                            Math::Kw("axis".into(), Box::new(Math::int(*axis as i64))),
                        ],
                    )
                }
            }
            Op::Reshape(a) if squeezed(a.shape()) == squeezed(self.shape()) => one(0)?,
            Op::Reshape(_) => Math::call("reshape", vec![one(0)?]),
            Op::Permute(a, _) if a.ndim() == 2 => Math::Transpose(Box::new(one(0)?)),
            Op::Permute(_, perm) => {
                Math::call("transpose", vec![one(0)?, Math::Code(format!("{perm:?}"))])
            }
            Op::Expand(_) => one(0)?,
            Op::Slice(_, info) => Math::Index(Box::new(one(0)?), slice_text(info)),
            Op::Concat(..) => Math::call("concatenate", vec![Math::List(inputs.to_vec())]),
        })
    }

    /// The contribution of upstream `g` (at this tensor) to input `pos`, as
    /// a formula over the inputs' formulas and this tensor's own (`out`);
    /// `None` where the rule is shown by its value only (indexing, joins).
    pub fn vjp_formula(&self, pos: usize, g: Math, inputs: &[Math], out: Math) -> Option<Math> {
        let one = |i: usize| inputs.get(i).cloned();
        let ins = self.inputs();
        let in_shape = ins.get(pos)?.shape().to_vec();
        match self.op() {
            Op::Leaf | Op::Const => None,
            Op::Unary(u, _) => Some(u.vjp_formula(g, one(0)?, out, &in_shape)),
            Op::Binary(b, _, _) => b.vjp_formula(pos, g, [one(0)?, one(1)?], out, &in_shape),
            Op::MatMul(..) => {
                let unit = g
                    .scalar()
                    .is_some_and(|n| n.eq_num(&Num::one()).unwrap_or(false));
                // numpy's @ made a vector a row (on the left) or a column (on
                // the right); the rules read the vector as the vector it is.
                let from_vector = |t: &Tensor<T>| matches!(t.op(), Op::Reshape(v) if v.ndim() == 1);
                let (a_vec, b_vec) = (from_vector(&ins[0]), from_vector(&ins[1]));
                let times = |g: Math, x: Math| if unit { x } else { Math::bin(M::Mul, g, x) };
                let t = |x: Math| Math::Transpose(Box::new(x));
                Some(match (pos, a_vec, b_vec) {
                    // u @ v of two vectors: ∂/∂u = g·v, ∂/∂v = g·u.
                    (0, true, true) => times(g, one(1)?),
                    (_, true, true) => times(g, one(0)?),
                    // ∂(A@B)/∂A = g·Bᵀ (an outer product when B is a vector).
                    (0, _, _) if unit => t(one(1)?),
                    (0, _, _) => Math::bin(M::Dot, g, t(one(1)?)),
                    // v @ B with a vector v: ∂/∂B = v·gᵀ, a column times a row.
                    (_, true, false) => Math::bin(M::Dot, one(0)?, t(g)),
                    // ∂(A@B)/∂B = Aᵀ·g.
                    _ if unit => t(one(0)?),
                    _ => Math::bin(M::Dot, t(one(0)?), g),
                })
            }
            Op::Sum(a, axes) if axes.len() == a.ndim() => {
                let ones = Math::arr(ArrayD::from_elem(IxDyn(a.shape()), Num::one()));
                let unit = g
                    .scalar()
                    .is_some_and(|n| n.eq_num(&Num::one()).unwrap_or(false));
                Some(if unit || a.len() == 1 && g.scalar().is_some() {
                    if unit {
                        ones
                    } else {
                        g
                    }
                } else {
                    Math::bin(M::Mul, g, ones)
                })
            }
            Op::Extreme { x, axis, idx, .. } => {
                let mut mask = ArrayD::from_elem(IxDyn(x.shape()), Num::zero());
                for (p, &i) in idx.indexed_iter() {
                    let mut at = p.slice().to_vec();
                    at[*axis] = i;
                    mask[IxDyn(&at)] = Num::one();
                }
                let op = if self.len() == 1 { M::Mul } else { M::Had };
                Some(Math::bin(op, g, Math::arr(mask)))
            }
            Op::Reshape(a) if squeezed(a.shape()) == squeezed(self.shape()) => Some(g),
            Op::Permute(a, _) if a.ndim() == 2 => Some(Math::Transpose(Box::new(g))),
            Op::Expand(a) if a.len() == 1 => Some(Math::Sum(None, Box::new(g))),
            // A row broadcast down the rows (a bias): summed over them.
            Op::Expand(a) if a.ndim() + 1 == self.ndim() && a.shape() == &self.shape()[1..] => {
                Some(Math::call(
                    "sum",
                    vec![g, Math::Kw("axis".into(), Box::new(Math::int(0)))],
                ))
            }
            _ => None,
        }
    }
}

fn make<T: Element>(value: ArrayD<T>, op: Op<T>) -> Tensor<T> {
    let dtype = dtype_of(&op);
    make_typed(value, op, dtype)
}

fn make_typed<T: Element>(value: ArrayD<T>, op: Op<T>, dtype: DType) -> Tensor<T> {
    // Every node is work and memory the run holds: one unit, and one per
    // exact element made (an allocation each; floats are cheaper). Charged
    // here without failing; a run past its budget stops at its next charge
    // or statement.
    let per = if T::EXACT { 1 } else { 8 };
    let _ = crate::budget::charge(1 + value.len() as u64 / per);
    Tensor(Rc::new(Node {
        id: NEXT_ID.fetch_add(1, AtomicOrdering::Relaxed),
        value,
        op,
        name: RefCell::new(None),
        group: RefCell::new(None),
        dtype,
    }))
}

fn slice_of(info: &[SliceInfoElem]) -> Result<SliceInfo<Vec<SliceInfoElem>, IxDyn, IxDyn>> {
    SliceInfo::try_from(info.to_vec()).map_err(|e| Error::shape("indexing", e.to_string()))
}

/// `a @ b` on arrays with equal batch shape and ndim ≥ 2.
fn bmm<T: Element>(a: &ArrayD<T>, b: &ArrayD<T>) -> Result<ArrayD<T>> {
    let nd = a.ndim();
    let (n, k, m) = (a.shape()[nd - 2], a.shape()[nd - 1], b.shape()[nd - 1]);
    let batch: usize = a.shape()[..nd - 2].iter().product();
    let a3 = a
        .to_shape((batch, n, k))
        .map_err(|e| Error::shape("matmul", e.to_string()))?;
    let b3 = b
        .to_shape((batch, k, m))
        .map_err(|e| Error::shape("matmul", e.to_string()))?;
    let mut shape = a.shape()[..nd - 2].to_vec();
    shape.extend([n, m]);
    if batch == 1 {
        // One product (every 2-d `@`): its result is the output.
        let mut c = T::matmul(a3.index_axis(Axis(0), 0), b3.index_axis(Axis(0), 0))?;
        if !c.is_standard_layout() {
            // A float GEMM may hand back a column-major result.
            c = c.as_standard_layout().into_owned();
        }
        return c
            .into_shape_with_order(IxDyn(&shape))
            .map_err(|e| Error::shape("matmul", e.to_string()));
    }
    let mut out = Vec::with_capacity(batch * n * m);
    for i in 0..batch {
        let c = T::matmul(a3.index_axis(Axis(0), i), b3.index_axis(Axis(0), i))?;
        out.extend(c.iter().cloned());
    }
    ArrayD::from_shape_vec(IxDyn(&shape), out).map_err(|e| Error::shape("matmul", e.to_string()))
}

fn swap_last<T: Element>(a: &ArrayD<T>) -> ArrayD<T> {
    let nd = a.ndim();
    let mut v = a.view();
    v.swap_axes(nd - 2, nd - 1);
    v.as_standard_layout().into_owned()
}

/// Parses a nested list of exact literals such as `[[1, 0.5], [1/3, -2]]`.
fn parse_nested(text: &str) -> Result<ArrayD<Num>> {
    fn bad(text: &str, reason: &str) -> Error {
        Error::BadLiteral {
            text: text.to_string(),
            reason: reason.to_string(),
        }
    }
    /// Lengths seen at each depth, and the depth at which numbers sit.
    struct Walk {
        shape: Vec<Option<usize>>,
        leaf_depth: Option<usize>,
        out: Vec<Num>,
    }
    fn walk(s: &str, pos: &mut usize, depth: usize, w: &mut Walk) -> Result<()> {
        // Deeper than a tensor may have dimensions: refused before the
        // recursion can outgrow the stack.
        if depth > crate::tensor::MAX_DIMS {
            return Err(Error::BadLiteral {
                text: s.chars().take(40).collect(),
                reason: format!("nested more than {} deep", crate::tensor::MAX_DIMS),
            });
        }
        let b = s.as_bytes();
        let skip = |pos: &mut usize| {
            while *pos < b.len() && b[*pos].is_ascii_whitespace() {
                *pos += 1
            }
        };
        skip(pos);
        if *pos < b.len() && b[*pos] == b'[' {
            *pos += 1;
            let mut count = 0;
            loop {
                skip(pos);
                if *pos < b.len() && b[*pos] == b']' {
                    *pos += 1;
                    break;
                }
                walk(s, pos, depth + 1, w)?;
                count += 1;
                skip(pos);
                match b.get(*pos) {
                    Some(b',') => *pos += 1,
                    Some(b']') => {
                        *pos += 1;
                        break;
                    }
                    _ => return Err(bad(s, "expected `,` or `]`")),
                }
            }
            if w.shape.len() <= depth {
                w.shape.resize(depth + 1, None);
            }
            match w.shape[depth] {
                None => w.shape[depth] = Some(count),
                Some(c) if c != count => {
                    return Err(bad(s, "ragged nested list: rows of different lengths"))
                }
                Some(_) => {}
            }
            Ok(())
        } else {
            let start = *pos;
            while *pos < b.len() && !matches!(b[*pos], b',' | b']' | b'[') {
                *pos += 1;
            }
            if *w.leaf_depth.get_or_insert(depth) != depth {
                return Err(bad(s, "ragged nested list: numbers at different depths"));
            }
            w.out.push(Num::parse(&s[start..*pos])?);
            Ok(())
        }
    }
    let mut w = Walk {
        shape: Vec::new(),
        leaf_depth: None,
        out: Vec::new(),
    };
    let mut pos = 0;
    walk(text, &mut pos, 0, &mut w)?;
    if text[pos..].trim() != "" {
        return Err(bad(text, "unexpected text after the list"));
    }
    // An empty list has no leaves: its depth is the depth of the brackets.
    let depth = w.leaf_depth.unwrap_or(w.shape.len());
    let shape: Vec<usize> = w.shape[..depth.min(w.shape.len())]
        .iter()
        .map(|d| d.unwrap_or(0))
        .collect();
    let out = w.out;
    ArrayD::from_shape_vec(IxDyn(&shape), out)
        .map_err(|_| bad(text, "ragged nested list: rows of different depths"))
}

impl<T: Element> Tensor<T> {
    // ---- construction -----------------------------------------------------

    /// A leaf tensor holding `value`.
    pub fn new(value: ArrayD<T>) -> Tensor<T> {
        make(value, Op::Leaf)
    }
    pub fn from_vec(v: Vec<T>, shape: &[usize]) -> Result<Tensor<T>> {
        let n = v.len();
        ArrayD::from_shape_vec(IxDyn(shape), v)
            .map(Tensor::new)
            .map_err(|_| {
                Error::shape(
                    "from_vec",
                    format!("{n} values cannot fill the shape {shape:?}"),
                )
            })
    }
    pub fn scalar(v: T) -> Tensor<T> {
        Tensor::new(ArrayD::from_elem(IxDyn(&[]), v))
    }
    /// A number of numpy's kind `d` (an int literal is [`DType::Int`]).
    pub fn scalar_of(v: T, d: DType) -> Tensor<T> {
        make_typed(ArrayD::from_elem(IxDyn(&[]), v), Op::Leaf, d)
    }
    /// Parses a nested list of exact literals: `[[1, 0.5], [1/3, -2]]`.
    /// Floats get the nearest value; `Num` keeps every literal exact.
    pub fn parse(text: &str) -> Result<Tensor<T>> {
        let a = parse_nested(text)?;
        Ok(Tensor::new(try_map(&a.view(), T::from_num)?))
    }
    /// A tensor of `shape` filled with `v`; an error beyond
    /// [`crate::tensor::MAX_ELEMENTS`] (or the run's memory), before anything
    /// is allocated.
    pub fn full(shape: &[usize], v: T) -> Result<Tensor<T>> {
        crate::tensor::check_size("full", shape)?;
        Ok(Tensor::new(ArrayD::from_elem(IxDyn(shape), v)))
    }
    pub fn zeros(shape: &[usize]) -> Result<Tensor<T>> {
        Tensor::full(shape, T::zero())
    }
    pub fn ones(shape: &[usize]) -> Result<Tensor<T>> {
        Tensor::full(shape, T::one())
    }
    /// Zeros of `x`'s shape (a shape that exists, so nothing to check).
    pub fn zeros_like(x: &Tensor<T>) -> Tensor<T> {
        Tensor::new(ArrayD::from_elem(IxDyn(x.shape()), T::zero()))
    }
    /// The `n`×`n` identity.
    pub fn eye(n: usize) -> Result<Tensor<T>> {
        crate::tensor::check_size("eye", &[n, n])?;
        let mut a = ArrayD::from_elem(IxDyn(&[n, n]), T::zero());
        for i in 0..n {
            a[[i, i]] = T::one();
        }
        Ok(Tensor::new(a))
    }
    /// `[start, start + step, …]` up to but excluding `stop`, as numpy.
    pub fn arange(start: &T, stop: &T, step: &T) -> Result<Tensor<T>> {
        if step.compare(&T::zero())?.is_eq() {
            return Err(Error::invalid("arange", "step cannot be zero"));
        }
        let up = step.compare(&T::zero())?.is_gt();
        // Refuse an oversized range before building it.
        let count = stop.sub(start)?.div(step)?.to_f64().ceil();
        if count > crate::tensor::MAX_ELEMENTS as f64 {
            return Err(Error::invalid(
                "arange",
                format!(
                    "{count} values would exceed {} elements",
                    crate::tensor::MAX_ELEMENTS
                ),
            ));
        }
        let mut v = Vec::new();
        let mut x = start.clone();
        while if up {
            x.compare(stop)?.is_lt()
        } else {
            x.compare(stop)?.is_gt()
        } {
            if v.len() >= crate::tensor::MAX_ELEMENTS {
                return Err(Error::invalid(
                    "arange",
                    format!("more than {} elements", crate::tensor::MAX_ELEMENTS),
                ));
            }
            v.push(x.clone());
            x = x.add(step)?;
        }
        let n = v.len();
        Tensor::from_vec(v, &[n])
    }

    // ---- inspection -------------------------------------------------------

    pub fn id(&self) -> usize {
        self.0.id
    }
    pub fn value(&self) -> &ArrayD<T> {
        &self.0.value
    }
    pub fn shape(&self) -> &[usize] {
        self.0.value.shape()
    }
    pub fn ndim(&self) -> usize {
        self.0.value.ndim()
    }
    pub fn len(&self) -> usize {
        self.0.value.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.value.is_empty()
    }
    pub fn op(&self) -> &Op<T> {
        &self.0.op
    }
    /// Gives the tensor a name for worked solutions; returns it for chaining.
    pub fn named(self, name: &str) -> Tensor<T> {
        *self.0.name.borrow_mut() = Some(name.to_string());
        self
    }
    pub fn name(&self) -> Option<String> {
        self.0.name.borrow().clone()
    }
    /// Marks the tensor as the output of a composite; returns it.
    pub fn grouped(self, group: Group<T>) -> Tensor<T> {
        *self.0.group.borrow_mut() = Some(Rc::new(group));
        self
    }
    /// The composite this tensor is the output of, if any.
    pub fn group(&self) -> Option<Rc<Group<T>>> {
        self.0.group.borrow().clone()
    }
    /// The single element of a one-element tensor.
    pub fn item(&self) -> Result<T> {
        let mut it = self.value().iter();
        match (it.next(), it.next()) {
            (Some(x), None) => Ok(x.clone()),
            _ => Err(Error::shape(
                "item",
                format!("needs one element, the shape is {:?}", self.shape()),
            )),
        }
    }
    /// The inputs of the op that made this tensor.
    pub fn inputs(&self) -> Vec<Tensor<T>> {
        input_refs(self.op()).into_iter().cloned().collect()
    }

    // ---- elementwise ------------------------------------------------------

    fn unary(&self, op: Unary) -> Result<Tensor<T>> {
        // A kink or the midpoint of σ met exactly: a decision boundary.
        if matches!(op, Unary::Relu | Unary::Abs | Unary::Sigmoid) {
            crate::boundary::hit_if(|| {
                self.value()
                    .iter()
                    .any(|x| matches!(x.compare(&T::zero()), Ok(std::cmp::Ordering::Equal)))
            });
        }
        let v = try_map(&self.value().view(), |x| op.forward(x))?;
        Ok(make(v, Op::Unary(op, self.clone())))
    }
    pub fn neg(&self) -> Result<Tensor<T>> {
        self.unary(Unary::Neg)
    }
    pub fn exp(&self) -> Result<Tensor<T>> {
        self.unary(Unary::Exp)
    }
    pub fn log(&self) -> Result<Tensor<T>> {
        self.unary(Unary::Log)
    }
    pub fn sqrt(&self) -> Result<Tensor<T>> {
        self.unary(Unary::Sqrt)
    }
    pub fn tanh(&self) -> Result<Tensor<T>> {
        self.unary(Unary::Tanh)
    }
    pub fn sin(&self) -> Result<Tensor<T>> {
        self.unary(Unary::Sin)
    }
    pub fn cos(&self) -> Result<Tensor<T>> {
        self.unary(Unary::Cos)
    }
    pub fn sigmoid(&self) -> Result<Tensor<T>> {
        self.unary(Unary::Sigmoid)
    }
    pub fn relu(&self) -> Result<Tensor<T>> {
        self.unary(Unary::Relu)
    }
    pub fn abs(&self) -> Result<Tensor<T>> {
        self.unary(Unary::Abs)
    }

    fn binary(&self, op: Binary, o: &Tensor<T>) -> Result<Tensor<T>> {
        let shape = broadcast_shape(self.shape(), o.shape(), op.symbol())?;
        let (a, b) = (self.broadcast_to(&shape)?, o.broadcast_to(&shape)?);
        let v = try_zip(&a.value().view(), &b.value().view(), |x, y| {
            op.forward(x, y)
        })?;
        Ok(make(v, Op::Binary(op, a, b)))
    }
    pub fn add(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.binary(Binary::Add, o)
    }
    pub fn sub(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.binary(Binary::Sub, o)
    }
    pub fn mul(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.binary(Binary::Mul, o)
    }
    pub fn div(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.binary(Binary::Div, o)
    }
    pub fn pow(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.binary(Binary::Pow, o)
    }
    /// Elementwise maximum (numpy's `maximum`).
    pub fn maximum(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.binary(Binary::Maximum, o)
    }
    pub fn minimum(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.binary(Binary::Minimum, o)
    }
    /// `self * c` for a scalar `c`.
    pub fn scale(&self, c: T) -> Result<Tensor<T>> {
        self.mul(&Tensor::scalar(c))
    }
    /// `self ** n` for an integer `n`.
    pub fn powi(&self, n: i64) -> Result<Tensor<T>> {
        self.pow(&Tensor::scalar(T::from_i64(n)))
    }

    fn compare(
        &self,
        o: &Tensor<T>,
        sym: &str,
        keep: fn(std::cmp::Ordering) -> bool,
    ) -> Result<Tensor<T>> {
        let shape = broadcast_shape(self.shape(), o.shape(), sym)?;
        let a = self
            .value()
            .broadcast(IxDyn(&shape))
            .ok_or_else(|| Error::mismatch(sym, self.shape(), &shape))?;
        let b = o
            .value()
            .broadcast(IxDyn(&shape))
            .ok_or_else(|| Error::mismatch(sym, o.shape(), &shape))?;
        let v = try_zip(&a, &b, |x, y| {
            Ok(if keep(x.compare(y)?) {
                T::one()
            } else {
                T::zero()
            })
        })?;
        Ok(make_typed(v, Op::Const, DType::Bool))
    }
    /// Made by a comparison: 0/1 values that select when used as an index.
    pub fn is_bool(&self) -> bool {
        self.0.dtype == DType::Bool
    }
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }
    /// The same values as an integer array (numpy's int64), still a leaf
    /// when it was one, so gradients find it.
    pub fn as_int(&self) -> Tensor<T> {
        self.as_kind(DType::Int)
    }
    /// The same values of another kind (`Bool` is [`Tensor::as_bool`]); a
    /// leaf stays a leaf, anything else passes the gradient through.
    pub fn as_kind(&self, d: DType) -> Tensor<T> {
        match (d, self.op()) {
            (DType::Bool, _) => self.as_bool(),
            (_, Op::Leaf) => make_typed(self.value().clone(), Op::Leaf, d),
            _ => make_typed(self.value().clone(), Op::Reshape(self.clone()), d),
        }
    }
    /// The same values as a new array (numpy's `x.copy()`, `np.array(x)`):
    /// a change in place to one is not seen through the other. The
    /// gradient flows through unchanged.
    pub fn copy(&self) -> Tensor<T> {
        if self.is_bool() {
            return self.as_bool();
        }
        make(self.value().clone(), Op::Reshape(self.clone()))
    }
    /// The same 0/1 values as a boolean mask (no gradient flows through it).
    pub fn as_bool(&self) -> Tensor<T> {
        make_typed(self.value().clone(), Op::Const, DType::Bool)
    }
    pub fn eq(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.compare(o, "==", |c| c.is_eq())
    }
    pub fn ne(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.compare(o, "!=", |c| c.is_ne())
    }
    pub fn lt(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.compare(o, "<", |c| c.is_lt())
    }
    pub fn le(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.compare(o, "<=", |c| c.is_le())
    }
    pub fn gt(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.compare(o, ">", |c| c.is_gt())
    }
    pub fn ge(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        self.compare(o, ">=", |c| c.is_ge())
    }

    // ---- matrix product ---------------------------------------------------

    /// numpy's `@`: vector·vector, matrix·vector, vector·matrix,
    /// matrix·matrix, and batched with broadcast batch dimensions.
    pub fn matmul(&self, o: &Tensor<T>) -> Result<Tensor<T>> {
        let (an, bn) = (self.ndim(), o.ndim());
        if an == 0 || bn == 0 {
            return Err(Error::shape(
                "@",
                format!(
                    "operands must have at least one dimension, got {:?} and {:?} (use * for scalars)",
                    self.shape(),
                    o.shape()
                ),
            ));
        }
        let a = if an == 1 {
            self.reshape(&[1, self.len() as i64])?
        } else {
            self.clone()
        };
        let b = if bn == 1 {
            o.reshape(&[o.len() as i64, 1])?
        } else {
            o.clone()
        };
        let (sa, sb) = (a.shape().to_vec(), b.shape().to_vec());
        let (ra, rb) = (sa.len(), sb.len());
        if sa[ra - 1] != sb[rb - 2] {
            return Err(Error::mismatch("@", self.shape(), o.shape()));
        }
        let batch = broadcast_shape(&sa[..ra - 2], &sb[..rb - 2], "@ (batch dimensions)")
            .map_err(|_| Error::mismatch("@", self.shape(), o.shape()))?;
        let full = |s: &[usize], r: usize| {
            let mut v = batch.clone();
            v.extend_from_slice(&s[r - 2..]);
            v
        };
        let mut out_shape = batch.clone();
        out_shape.extend([sa[ra - 2], sb[rb - 1]]);
        crate::tensor::check_size("@", &out_shape)?;
        let a = a.broadcast_to(&full(&sa, ra))?;
        let b = b.broadcast_to(&full(&sb, rb))?;
        // The work, not only the result, is bounded on the exact path: a
        // 1000×1000 product of thirds is 10⁹ fraction multiplications, each
        // with an add; the budget is asked before the first one.
        if T::EXACT {
            let work = out_shape
                .iter()
                .try_fold(sa[ra - 1] as u64, |acc, &d| {
                    acc.checked_mul(d.max(1) as u64)
                })
                .and_then(|w| w.checked_mul(2));
            crate::budget::ensure(work.unwrap_or(u64::MAX))?;
        }
        let out = make(bmm(a.value(), b.value())?, Op::MatMul(a, b));
        let mut shape: Vec<i64> = out.shape().iter().map(|&d| d as i64).collect();
        let nd = shape.len();
        if bn == 1 {
            shape.remove(nd - 1);
        }
        if an == 1 {
            shape.remove(nd - 2);
        }
        if an == 1 || bn == 1 {
            out.reshape(&shape)
        } else {
            Ok(out)
        }
    }

    // ---- reductions -------------------------------------------------------

    fn axes(&self, axes: Option<&[i64]>) -> Result<Vec<usize>> {
        let mut v = match axes {
            None => (0..self.ndim()).collect(),
            Some(a) => a
                .iter()
                .map(|&x| norm_axis(x, self.ndim()))
                .collect::<Result<Vec<_>>>()?,
        };
        v.sort_unstable();
        v.dedup();
        Ok(v)
    }
    fn drop_axes(&self, axes: &[usize]) -> Result<Tensor<T>> {
        let shape: Vec<i64> = (0..self.ndim())
            .filter(|a| !axes.contains(a))
            .map(|a| self.shape()[a] as i64)
            .collect();
        self.reshape(&shape)
    }
    /// Sum over `axes` (all when `None`), as `np.sum(x, axis, keepdims)`.
    pub fn sum(&self, axes: Option<&[i64]>, keepdims: bool) -> Result<Tensor<T>> {
        let ax = self.axes(axes)?;
        let mut v = self.value().clone();
        for &a in &ax {
            v = sum_axis_keep(&v.view(), a)?;
        }
        let out = make(v, Op::Sum(self.clone(), ax.clone()));
        if keepdims {
            Ok(out)
        } else {
            out.drop_axes(&ax)
        }
    }
    pub fn sum_all(&self) -> Result<Tensor<T>> {
        self.sum(None, false)
    }
    /// Mean over `axes` (all when `None`).
    pub fn mean(&self, axes: Option<&[i64]>, keepdims: bool) -> Result<Tensor<T>> {
        let n: usize = self.axes(axes)?.iter().map(|&a| self.shape()[a]).product();
        if n == 0 {
            return Err(Error::invalid("mean", "mean of an empty tensor"));
        }
        self.sum(axes, keepdims)?
            .div(&Tensor::scalar(T::from_i64(n as i64)))
    }
    fn extreme(&self, axis: Option<i64>, keepdims: bool, max: bool) -> Result<Tensor<T>> {
        let what = if max { "max" } else { "min" };
        if self.is_empty() {
            return Err(Error::invalid(what, "of an empty tensor"));
        }
        let Some(axis) = axis else {
            let flat = self.reshape(&[-1])?;
            let r = flat.extreme(Some(0), false, max)?;
            return if keepdims {
                r.reshape(&vec![1; self.ndim()])
            } else {
                Ok(r)
            };
        };
        let axis = norm_axis(axis, self.ndim())?;
        let idx = arg_extreme(&self.value().view(), axis, max)?;
        let mut v = idx.map(|_| T::zero());
        for (pos, &i) in idx.indexed_iter() {
            let mut at = pos.slice().to_vec();
            at[axis] = i;
            v[pos] = self.value()[IxDyn(&at)].clone();
        }
        let out = make(
            v,
            Op::Extreme {
                x: self.clone(),
                axis,
                max,
                idx,
            },
        );
        if keepdims {
            Ok(out)
        } else {
            out.drop_axes(&[axis])
        }
    }
    /// Maximum along `axis` (over everything when `None`).
    pub fn max(&self, axis: Option<i64>, keepdims: bool) -> Result<Tensor<T>> {
        self.extreme(axis, keepdims, true)
    }
    pub fn min(&self, axis: Option<i64>, keepdims: bool) -> Result<Tensor<T>> {
        self.extreme(axis, keepdims, false)
    }
    fn arg(&self, axis: Option<i64>, max: bool) -> Result<Tensor<T>> {
        let what = if max { "argmax" } else { "argmin" };
        if self.is_empty() {
            return Err(Error::invalid(what, "of an empty tensor"));
        }
        let (src, axis) = match axis {
            None => (self.reshape(&[-1])?, 0),
            Some(a) => (self.clone(), norm_axis(a, self.ndim())?),
        };
        let idx = arg_extreme(&src.value().view(), axis, max)?.remove_axis(Axis(axis));
        Ok(make_typed(
            idx.mapv(|i| T::from_i64(i as i64)),
            Op::Const,
            DType::Int,
        ))
    }
    /// Index of the first maximum, as numpy.
    pub fn argmax(&self, axis: Option<i64>) -> Result<Tensor<T>> {
        self.arg(axis, true)
    }
    pub fn argmin(&self, axis: Option<i64>) -> Result<Tensor<T>> {
        self.arg(axis, false)
    }
    /// Euclidean norm over everything (`np.linalg.norm`). At the zero vector
    /// its gradient is 0, as PyTorch's.
    pub fn norm(&self) -> Result<Tensor<T>> {
        let y = self.mul(self)?.sum_all()?.sqrt_or_zero()?;
        Ok(y.grouped(Group {
            name: "norm",
            inputs: vec![self.clone()],
            formula: |ins| Math::Norm(Box::new(ins[0].clone())),
            vjp: |_, g, ins| {
                // ∂‖a‖/∂a = a/‖a‖, except at 0, where the gradient is 0.
                let a = &ins[0];
                let v = a.eval().ok()??;
                if v.value().iter().all(Num::is_zero) {
                    return None;
                }
                let local = Math::bin(M::Div, a.clone(), Math::Norm(Box::new(a.clone())));
                let shape = v.shape().to_vec();
                Some(product(g.clone(), local, &shape))
            },
        }))
    }

    /// √s elementwise for s ≥ 0, with gradient 0 where s is exactly 0 (the
    /// convention of PyTorch's norms and distances, whose √ has no derivative
    /// there). Built as √(s + [s = 0])·(1 − [s = 0]), so no new op is needed.
    pub fn sqrt_or_zero(&self) -> Result<Tensor<T>> {
        let is_zero = |v: &T| v.compare(&T::zero()).map(|o| o.is_eq()).unwrap_or(false);
        if !self.value().iter().any(is_zero) {
            return self.sqrt();
        }
        let zero = self.eq(&Tensor::scalar(T::zero()))?;
        let one = Tensor::scalar(T::one());
        self.add(&zero)?.sqrt()?.mul(&one.sub(&zero)?)
    }

    // ---- shape ------------------------------------------------------------

    /// numpy's reshape; one dimension may be -1.
    pub fn reshape(&self, shape: &[i64]) -> Result<Tensor<T>> {
        let bad = || {
            Error::shape(
                "reshape",
                format!("cannot reshape {:?} into {:?}", self.shape(), shape),
            )
        };
        let known: i64 = shape.iter().filter(|&&d| d >= 0).product();
        let free = shape.iter().filter(|&&d| d < 0).count();
        if free > 1 || shape.iter().any(|&d| d < -1) {
            return Err(bad());
        }
        let target: Vec<usize> = shape
            .iter()
            .map(|&d| {
                if d >= 0 {
                    Ok(d as usize)
                } else if known > 0 && self.len() as i64 % known == 0 {
                    Ok(self.len() / known as usize)
                } else {
                    Err(bad())
                }
            })
            .collect::<Result<_>>()?;
        if target.iter().product::<usize>() != self.len() {
            return Err(bad());
        }
        if target == self.shape() {
            return Ok(self.clone());
        }
        let v = self
            .value()
            .to_shape(IxDyn(&target))
            .map_err(|_| bad())?
            .into_owned();
        Ok(make(v, Op::Reshape(self.clone())))
    }
    /// Reorders axes: `out.shape[i] = self.shape[perm[i]]`.
    pub fn permute(&self, perm: &[usize]) -> Result<Tensor<T>> {
        let mut seen = perm.to_vec();
        seen.sort_unstable();
        if seen != (0..self.ndim()).collect::<Vec<_>>() {
            return Err(Error::shape(
                "transpose",
                format!(
                    "{perm:?} is not a permutation of the axes of {:?}",
                    self.shape()
                ),
            ));
        }
        let v = self
            .value()
            .view()
            .permuted_axes(IxDyn(perm))
            .as_standard_layout()
            .into_owned();
        Ok(make(v, Op::Permute(self.clone(), perm.to_vec())))
    }
    /// numpy's `.T`: all axes reversed (a 1-d tensor is unchanged).
    pub fn t(&self) -> Result<Tensor<T>> {
        if self.ndim() < 2 {
            return Ok(self.clone());
        }
        let perm: Vec<usize> = (0..self.ndim()).rev().collect();
        self.permute(&perm)
    }
    /// numpy's `broadcast_to`, recorded so gradients sum back.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor<T>> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        crate::tensor::check_size("broadcast", shape)?;
        let v = self
            .value()
            .broadcast(IxDyn(shape))
            .ok_or_else(|| Error::mismatch("broadcast", self.shape(), shape))?
            .to_owned();
        Ok(make(v, Op::Expand(self.clone())))
    }
    /// numpy indexing: `x[1]`, `x[:, :2]`, `x[-1]`, `x[::-1]`, `x[None]`.
    pub fn slice(&self, idx: &[Idx]) -> Result<Tensor<T>> {
        let info = slice_info(self.shape(), idx)?;
        let v = self.value().slice(slice_of(&info)?).to_owned();
        Ok(make(v, Op::Slice(self.clone(), info)))
    }
    /// Inserts an axis of length 1 at `axis`.
    pub fn unsqueeze(&self, axis: i64) -> Result<Tensor<T>> {
        let a = norm_axis(axis, self.ndim() + 1)?;
        let mut shape: Vec<i64> = self.shape().iter().map(|&d| d as i64).collect();
        shape.insert(a, 1);
        self.reshape(&shape)
    }
    /// Joins tensors along an existing axis.
    pub fn concat(xs: &[Tensor<T>], axis: i64) -> Result<Tensor<T>> {
        let first = xs
            .first()
            .ok_or_else(|| Error::invalid("concatenate", "needs at least one tensor"))?;
        let axis = norm_axis(axis, first.ndim())?;
        for x in xs {
            let same = x.ndim() == first.ndim()
                && (0..x.ndim()).all(|a| a == axis || x.shape()[a] == first.shape()[a]);
            if !same {
                return Err(Error::mismatch("concatenate", first.shape(), x.shape()));
            }
        }
        let mut shape = first.shape().to_vec();
        shape[axis] = xs
            .iter()
            .try_fold(0usize, |n, x| n.checked_add(x.shape()[axis]))
            .ok_or_else(|| Error::shape("concatenate", "the result is too large"))?;
        crate::tensor::check_size("concatenate", &shape)?;
        crate::budget::charge(shape.iter().product::<usize>() as u64 / 8)?;
        let views: Vec<_> = xs.iter().map(|x| x.value().view()).collect();
        let v = ndarray::concatenate(Axis(axis), &views)
            .map_err(|e| Error::shape("concatenate", e.to_string()))?;
        Ok(make(v, Op::Concat(xs.to_vec(), axis)))
    }
    /// Joins tensors of equal shape along a new axis.
    pub fn stack(xs: &[Tensor<T>], axis: i64) -> Result<Tensor<T>> {
        let first = xs
            .first()
            .ok_or_else(|| Error::invalid("stack", "needs at least one tensor"))?;
        if let Some(x) = xs.iter().find(|x| x.shape() != first.shape()) {
            return Err(Error::mismatch("stack", first.shape(), x.shape()));
        }
        let axis = norm_axis(axis, first.ndim() + 1)? as i64;
        let xs: Vec<_> = xs
            .iter()
            .map(|x| x.unsqueeze(axis))
            .collect::<Result<_>>()?;
        Tensor::concat(&xs, axis)
    }

    /// The same values as a new leaf: gradients stop here.
    pub fn detach(&self) -> Tensor<T> {
        Tensor::new(self.value().clone())
    }
}

impl<T: Element> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor#{}{:?}", self.id(), self.shape())
    }
}

/// Writes an array as nested lists, each element with its own `Display`.
pub fn fmt_nested<T: fmt::Display>(a: &ArrayD<T>, f: &mut impl fmt::Write) -> fmt::Result {
    fn rec<T: fmt::Display>(v: ndarray::ArrayViewD<T>, f: &mut impl fmt::Write) -> fmt::Result {
        if v.ndim() == 0 {
            // A 0-d array has exactly one element.
            for x in v.iter() {
                write!(f, "{x}")?;
            }
            return Ok(());
        }
        f.write_char('[')?;
        for (i, sub) in v.axis_iter(Axis(0)).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            rec(sub, f)?;
        }
        f.write_char(']')
    }
    rec(a.view(), f)
}

impl<T: Element> fmt::Display for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        fmt_nested(self.value(), &mut s)?;
        f.write_str(&s)
    }
}

// ---- reverse mode ---------------------------------------------------------

/// One backward contribution: `contribution = upstream ⊙ local rule`, sent
/// from `output` to its input number `pos`.
pub struct BackwardStep<T: Element> {
    pub output: Tensor<T>,
    pub input: Tensor<T>,
    pub pos: usize,
    pub rule: Cow<'static, str>,
    pub upstream: ArrayD<T>,
    pub contribution: ArrayD<T>,
}

/// Gradients keyed by tensor id, and the steps that produced them.
pub struct Gradients<T: Element> {
    grads: FxHashMap<usize, ArrayD<T>>,
    pub steps: Vec<BackwardStep<T>>,
}

impl<T: Element> Gradients<T> {
    /// ∂y/∂x (zeros when y does not depend on x).
    pub fn wrt(&self, x: &Tensor<T>) -> Tensor<T> {
        match self.grads.get(&x.id()) {
            Some(g) => Tensor::new(g.clone()),
            None => Tensor::zeros_like(x),
        }
    }
}

/// Nodes reachable from `y`, inputs before the ops that use them.
pub fn topo_order<T: Element>(y: &Tensor<T>) -> Vec<Tensor<T>> {
    let mut order = Vec::new();
    let mut seen = FxHashSet::default();
    // Iterative DFS: long recurrences must not overflow the stack.
    let mut stack = vec![(y.clone(), false)];
    while let Some((t, done)) = stack.pop() {
        if done {
            order.push(t);
            continue;
        }
        if !seen.insert(t.id()) {
            continue;
        }
        let t2 = t.clone();
        stack.push((t, true));
        for i in input_refs(t2.op()) {
            if !seen.contains(&i.id()) {
                stack.push((i.clone(), false));
            }
        }
    }
    order
}

/// The contribution of `g = ∂y/∂out` to input `pos` of `out`, with its rule
/// (a constant text but for max/min).
fn from_shape<T: Element>(shape: &[usize], v: Vec<T>) -> Result<ArrayD<T>> {
    ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| Error::shape("backward", e.to_string()))
}

fn backward_rule<T: Element>(
    out: &Tensor<T>,
    pos: usize,
    g: &ArrayD<T>,
) -> Result<(Cow<'static, str>, ArrayD<T>)> {
    let y = out.value();
    Ok(match out.op() {
        Op::Leaf | Op::Const => unreachable!("leaves have no inputs"),
        // g·local in one pass over g, the input and the output (all of the
        // output's shape: broadcasting is an explicit Expand before).
        Op::Unary(u, a) => {
            let c = g
                .iter()
                .zip(a.value().iter().zip(y.iter()))
                .map(|(g, (x, y))| g.mul(&u.local(x, y)?))
                .collect::<Result<Vec<T>>>()?;
            (Cow::Borrowed(u.rule()), from_shape(y.shape(), c)?)
        }
        Op::Binary(op, a, b) => {
            let (av, bv) = (a.value(), b.value());
            let c = g
                .iter()
                .zip(av.iter().zip(bv.iter()).zip(y.iter()))
                .map(|(g, ((x, z), yv))| g.mul(&op.local(pos, x, z, yv)?))
                .collect::<Result<Vec<T>>>()?;
            (Cow::Borrowed(op.rules()[pos]), from_shape(y.shape(), c)?)
        }
        Op::MatMul(a, b) => {
            if pos == 0 {
                (
                    Cow::Borrowed("∂(A@B)/∂A = G @ Bᵀ"),
                    bmm(g, &swap_last(b.value()))?,
                )
            } else {
                (
                    Cow::Borrowed("∂(A@B)/∂B = Aᵀ @ G"),
                    bmm(&swap_last(a.value()), g)?,
                )
            }
        }
        Op::Sum(a, _) => (
            Cow::Borrowed("∂(Σ a)/∂aᵢ = 1"),
            g.broadcast(IxDyn(a.shape()))
                .ok_or_else(|| Error::mismatch("sum backward", g.shape(), a.shape()))?
                .to_owned(),
        ),
        Op::Extreme { x, axis, max, idx } => {
            let mut c = ArrayD::from_elem(IxDyn(x.shape()), T::zero());
            for (p, &i) in idx.indexed_iter() {
                let mut at = p.slice().to_vec();
                at[*axis] = i;
                c[IxDyn(&at)] = g[&p].clone();
            }
            let f = if *max { "max" } else { "min" };
            (
                Cow::Owned(format!("∂{f}(a)/∂aᵢ = 1 for the first {f}imum, else 0")),
                c,
            )
        }
        Op::Reshape(a) => (
            Cow::Borrowed("reshape: gradient reshaped back"),
            g.to_shape(IxDyn(a.shape()))
                .map_err(|e| Error::shape("reshape backward", e.to_string()))?
                .into_owned(),
        ),
        Op::Permute(_, perm) => {
            let mut inv = vec![0; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inv[p] = i;
            }
            (
                Cow::Borrowed("transpose: gradient transposed back"),
                g.view()
                    .permuted_axes(IxDyn(&inv))
                    .as_standard_layout()
                    .into_owned(),
            )
        }
        Op::Expand(a) => (
            Cow::Borrowed("broadcast: gradients of the copies summed"),
            sum_to_shape(g, a.shape())?,
        ),
        Op::Slice(a, info) => {
            let mut c = ArrayD::from_elem(IxDyn(a.shape()), T::zero());
            c.slice_mut(slice_of(info)?).assign(g);
            (
                Cow::Borrowed("indexing: gradient placed at the selected elements"),
                c,
            )
        }
        Op::Concat(xs, axis) => {
            let start: usize = xs[..pos].iter().map(|x| x.shape()[*axis]).sum();
            let len = xs[pos].shape()[*axis];
            let c = g
                .slice_axis(Axis(*axis), ndarray::Slice::from(start..start + len))
                .to_owned();
            (
                Cow::Borrowed("concatenate: the matching part of the gradient"),
                c,
            )
        }
    })
}

/// Reverse mode from the scalar `y` to every tensor in `xs`.
///
/// A tensor used several times (shared weights) accumulates every use's
/// contribution. With `record`, every contribution is kept in `steps`.
pub fn backward_with<T: Element>(
    y: &Tensor<T>,
    xs: &[&Tensor<T>],
    record: bool,
) -> Result<Gradients<T>> {
    if y.len() != 1 {
        return Err(Error::shape(
            "grad",
            format!(
                "the output must be a single number, its shape is {:?} (sum it first)",
                y.shape()
            ),
        ));
    }
    backward_seeded(y, ArrayD::from_elem(IxDyn(y.shape()), T::one()), xs, record)
}

/// Reverse mode from any `y` with a given upstream gradient `seed` (of `y`'s
/// shape): the vector-Jacobian product `seed · ∂y/∂x` for each `x`.
pub fn backward_seeded<T: Element>(
    y: &Tensor<T>,
    seed: ArrayD<T>,
    xs: &[&Tensor<T>],
    record: bool,
) -> Result<Gradients<T>> {
    backward_cut(y, seed, xs, &HashSet::new(), record)
}

/// [`backward_seeded`] where the tensors in `stop` (other than `y`) pass no
/// gradient on to their inputs: the contribution that reaches each `x`
/// through paths that avoid them. A worked solution uses it to split ∂y/∂x
/// into the uses of x between named values.
pub fn backward_cut<T: Element>(
    y: &Tensor<T>,
    seed: ArrayD<T>,
    xs: &[&Tensor<T>],
    stop: &HashSet<usize>,
    record: bool,
) -> Result<Gradients<T>> {
    if seed.shape() != y.shape() {
        return Err(Error::mismatch(
            "backward (seed against output)",
            seed.shape(),
            y.shape(),
        ));
    }
    let order = topo_order(y);
    let targets: FxHashSet<usize> = xs.iter().map(|x| x.id()).collect();
    // A node needs a gradient when some target lies among its ancestors.
    let mut needs = FxHashSet::default();
    for t in &order {
        let passes = t.id() == y.id() || !stop.contains(&t.id());
        if targets.contains(&t.id())
            || passes && input_refs(t.op()).iter().any(|i| needs.contains(&i.id()))
        {
            needs.insert(t.id());
        }
    }
    let mut grads: FxHashMap<usize, ArrayD<T>> = FxHashMap::default();
    grads.insert(y.id(), seed);
    let mut steps = Vec::new();
    for out in order.iter().rev() {
        if !needs.contains(&out.id()) {
            continue;
        }
        let Some(g) = (if targets.contains(&out.id()) {
            grads.get(&out.id()).cloned()
        } else {
            grads.remove(&out.id())
        }) else {
            continue;
        };
        if out.id() != y.id() && stop.contains(&out.id()) {
            continue;
        }
        for (pos, input) in input_refs(out.op()).into_iter().enumerate() {
            if !needs.contains(&input.id()) {
                continue;
            }
            let (rule, c) = backward_rule(out, pos, &g)?;
            let step = record.then(|| (rule, c.clone()));
            let acc = match grads.remove(&input.id()) {
                Some(prev) => try_zip(&prev.view(), &c.view(), |a, b| a.add(b))?,
                None => c,
            };
            grads.insert(input.id(), acc);
            if let Some((rule, contribution)) = step {
                steps.push(BackwardStep {
                    output: out.clone(),
                    input: input.clone(),
                    pos,
                    rule,
                    upstream: g.clone(),
                    contribution,
                });
            }
        }
    }
    grads.retain(|id, _| targets.contains(id));
    Ok(Gradients { grads, steps })
}

/// Reverse mode with every step recorded.
pub fn backward<T: Element>(y: &Tensor<T>, xs: &[&Tensor<T>]) -> Result<Gradients<T>> {
    backward_with(y, xs, true)
}

/// `[∂y/∂x for x in xs]`.
pub fn grad<T: Element>(y: &Tensor<T>, xs: &[&Tensor<T>]) -> Result<Vec<Tensor<T>>> {
    let g = backward_with(y, xs, false)?;
    Ok(xs.iter().map(|x| g.wrt(x)).collect())
}
