//! `tape`: a gradient tape for `f32`/`f64` — the fast path of a training loop.
//!
//! [`crate::autograd::Tensor`] is built for explanation: every op is an
//! `Rc` node with a name, a rule string and an n-d array. A [`Tape`] is built
//! for speed over the same maths: nodes live in one arena (`Vec`), values in
//! one flat buffer, gradients in another with the same layout, and a value is
//! a `Copy` handle [`Var`]. The arena is in creation order, which is already
//! topological, so [`Tape::backward`] walks it once in reverse. [`Tape::clear`]
//! keeps every allocation, so a loop that records the same graph each step
//! allocates nothing once warm.
//!
//! The elementwise maths is not written twice: values and local derivatives
//! come from the [`Unary`] and [`Binary`] tables that `Tensor` uses.
//!
//! Tensors on the tape have at most two dimensions. A 1-d `[n]` is stored
//! as a row `[1, n]` and a scalar as `[1, 1]`, so numpy's broadcasting of a
//! row vector, a column or a scalar against a matrix is a stride of 0 — read
//! in place, never expanded — and summing a broadcast operand's gradient back
//! happens in the same strided loop.
//!
//! ```
//! use gradwork::tape::Tape;
//!
//! // y = Σ σ(x @ w), ∂y/∂w = xᵀ @ (σ·(1 − σ))
//! let mut t = Tape::<f64>::new();
//! let x = t.constant(&[0.5, -1.2, 0.3, 0.8], &[2, 2])?;
//! let w = t.param(&[1.1, -0.4, 0.7, 0.2], &[2, 2])?;
//! let z = t.matmul(x, w)?;
//! let s = t.sigmoid(z)?;
//! let y = t.sum(s)?;
//! t.backward(y)?;
//! assert_eq!(t.grad(w).len(), 4);
//! assert_eq!(t.grad(x), &[0.0; 4]); // a constant gets no gradient
//! # Ok::<(), gradwork::Error>(())
//! ```

use std::ops::{Add, AddAssign, Div, Mul, Neg, Range, Sub};

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, ShapeBuilder};

use crate::autograd::{Binary, Unary};
use crate::error::{Error, Result};
use crate::tensor::Element;

/// A float a [`Tape`] computes with: `f32` or `f64`.
pub trait Float:
    Element
    + Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
{
    /// `ln(1 + self)`, accurate near 0.
    fn ln_1p(self) -> Self;
    /// `c = a·b`, or `c += a·b` with `acc`, through the `matrixmultiply`
    /// GEMM; `a` is `[m, k]` and `b` is `[k, n]` with the given (row, column)
    /// strides, `c` is `[m, n]` contiguous.
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: &[Self],
        sa: [usize; 2],
        b: &[Self],
        sb: [usize; 2],
        c: &mut [Self],
        acc: bool,
    ) -> Result<()>;
}

macro_rules! float {
    ($t:ty) => {
        impl Float for $t {
            #[inline]
            fn ln_1p(self) -> Self {
                <$t>::ln_1p(self)
            }
            fn gemm(
                m: usize,
                k: usize,
                n: usize,
                a: &[Self],
                sa: [usize; 2],
                b: &[Self],
                sb: [usize; 2],
                c: &mut [Self],
                acc: bool,
            ) -> Result<()> {
                let bad = |e: ndarray::ShapeError| Error::shape("matmul", e.to_string());
                let a = ArrayView2::from_shape((m, k).strides((sa[0], sa[1])), a).map_err(bad)?;
                let b = ArrayView2::from_shape((k, n).strides((sb[0], sb[1])), b).map_err(bad)?;
                let mut c = ArrayViewMut2::from_shape((m, n), c).map_err(bad)?;
                general_mat_mul(1.0, &a, &b, if acc { 1.0 } else { 0.0 }, &mut c);
                Ok(())
            }
        }
    };
}
float!(f32);
float!(f64);

/// Up to this many multiply-adds a matrix product is a plain loop: packing
/// for the GEMM kernel costs more than it saves. Measured with
/// `examples/op_overhead.rs --size n` (CPU time per step, f64): the loop wins
/// at n ≤ 6 (150 ns against 329 ns at n = 2), the kernel from n = 8.
const SMALL_GEMM: usize = 7 * 7 * 7;

/// `c = a·b` or `c += a·b`, strided as in [`Float::gemm`].
#[allow(clippy::too_many_arguments)]
fn gemm<F: Float>(
    m: usize,
    k: usize,
    n: usize,
    a: &[F],
    sa: [usize; 2],
    b: &[F],
    sb: [usize; 2],
    c: &mut [F],
    acc: bool,
) -> Result<()> {
    if m * k * n > SMALL_GEMM {
        return F::gemm(m, k, n, a, sa, b, sb, c, acc);
    }
    if n == 0 {
        return Ok(());
    }
    // i-t-j order: row `i` of `c` gathers row `t` of `b` scaled by a[i, t],
    // a contiguous (vectorizable) loop whenever `b`'s rows are contiguous.
    for (i, row) in c.chunks_exact_mut(n).take(m).enumerate() {
        if !acc {
            row.fill(F::zero());
        }
        for t in 0..k {
            let x = a[i * sa[0] + t * sa[1]];
            if sb[1] == 1 {
                let b = &b[t * sb[0]..][..n];
                row.iter_mut().zip(b).for_each(|(c, b)| *c += x * *b);
            } else {
                for (j, c) in row.iter_mut().enumerate() {
                    *c += x * b[t * sb[0] + j * sb[1]];
                }
            }
        }
    }
    Ok(())
}

/// A value recorded on a [`Tape`]: an index into its arena. Valid until the
/// tape is cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Var(u32);

impl Var {
    fn at(self) -> usize {
        self.0 as usize
    }
}

/// What a node computes from its inputs.
#[derive(Clone, Copy, Debug)]
enum Op {
    /// A value given by the caller: a parameter or a constant.
    Leaf,
    Unary(Unary),
    Binary(Binary),
    MatMul,
    /// Sum (or mean) over both stored axes (`None`) or one of them.
    Reduce {
        axis: Option<u8>,
        mean: bool,
    },
    /// Columns `start..` of the last axis.
    Cols(usize),
    /// Two inputs joined along a stored axis.
    Concat(u8),
    /// mean(max(s, 0) − s·y + log(1 + e^−|s|)) of logits `s`, targets `y`.
    BceLogits,
}

#[derive(Clone, Copy, Debug)]
struct Node {
    op: Op,
    a: u32,
    b: u32,
    /// Where the value (and gradient) starts in the flat buffers.
    off: usize,
    /// The shape padded to two axes: `[n]` is `[1, n]`, a scalar `[1, 1]`.
    shape: [usize; 2],
    ndim: u8,
    /// Whether a gradient flows to this node (a parameter, or computed from
    /// one while gradients are enabled).
    grad: bool,
}

impl Node {
    fn len(&self) -> usize {
        self.shape[0] * self.shape[1]
    }
    fn range(&self) -> Range<usize> {
        self.off..self.off + self.len()
    }
    /// The shape as the caller sees it.
    fn dims(&self) -> &[usize] {
        &self.shape[2 - self.ndim as usize..]
    }
    /// Strides to read this node broadcast to `out`: 0 along a stretched axis.
    fn strides(&self) -> [usize; 2] {
        [
            if self.shape[0] == 1 { 0 } else { self.shape[1] },
            usize::from(self.shape[1] != 1),
        ]
    }
}

/// A gradient tape: record ops forward, then [`backward`](Tape::backward)
/// once and read [`grad`](Tape::grad) of any recorded value.
#[derive(Clone, Debug, Default)]
pub struct Tape<F> {
    nodes: Vec<Node>,
    vals: Vec<F>,
    grads: Vec<F>,
    reached: Vec<bool>,
    no_grad: bool,
}

impl<F: Float> Tape<F> {
    pub fn new() -> Self {
        Tape {
            nodes: Vec::new(),
            vals: Vec::new(),
            grads: Vec::new(),
            reached: Vec::new(),
            no_grad: false,
        }
    }

    /// Forgets every recorded value, keeping the memory for the next step.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.vals.clear();
        self.grads.clear();
        self.reached.clear();
    }

    /// How many values are recorded.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Turns gradient recording off (`false`) or on; returns the previous
    /// setting. With it off every new value is a constant: values are
    /// computed exactly as before, and `backward` has nothing to do.
    pub fn set_grad_enabled(&mut self, on: bool) -> bool {
        !std::mem::replace(&mut self.no_grad, !on)
    }

    /// Runs `f` with gradient recording off (torch's `no_grad`).
    pub fn no_grad<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let was = self.set_grad_enabled(false);
        let r = f(self);
        self.set_grad_enabled(was);
        r
    }

    // ---- reading ------------------------------------------------------------

    fn node(&self, v: Var) -> Result<Node> {
        self.nodes.get(v.at()).copied().ok_or_else(|| {
            Error::invalid(
                "tape",
                format!("value #{} is not on the tape (cleared?)", v.0),
            )
        })
    }

    /// The values of `v`, row-major; empty if `v` is not on the tape.
    pub fn value(&self, v: Var) -> &[F] {
        self.nodes
            .get(v.at())
            .map_or(&[], |n| &self.vals[n.range()])
    }

    /// The shape of `v`; empty (as a scalar's) if `v` is not on the tape.
    pub fn shape(&self, v: Var) -> &[usize] {
        self.nodes.get(v.at()).map_or(&[], |n| n.dims())
    }

    /// ∂y/∂v after [`backward`](Tape::backward)`(y)`, in `v`'s layout: zeros
    /// where `y` does not depend on `v`; empty before `backward` or if `v` is
    /// not on the tape.
    pub fn grad(&self, v: Var) -> &[F] {
        self.nodes
            .get(v.at())
            .and_then(|n| self.grads.get(n.range()))
            .unwrap_or(&[])
    }

    // ---- recording ----------------------------------------------------------

    /// Appends a node whose value is zeros for the op to fill; returns it and
    /// the buffer offset.
    fn push(
        &mut self,
        op: Op,
        ins: [u32; 2],
        shape: [usize; 2],
        ndim: u8,
        grad: bool,
    ) -> Result<Var> {
        let id = u32::try_from(self.nodes.len())
            .map_err(|_| Error::invalid("tape", "more than 2³² values on one tape"))?;
        let off = self.vals.len();
        let len = shape[0]
            .checked_mul(shape[1])
            .filter(|&n| off.checked_add(n).is_some())
            .ok_or_else(|| Error::Size {
                op: "tape".into(),
                msg: format!("a value of shape {shape:?} is too large"),
            })?;
        self.vals.resize(off + len, F::zero());
        self.nodes.push(Node {
            op,
            a: ins[0],
            b: ins[1],
            off,
            shape,
            ndim,
            grad: grad && !self.no_grad,
        });
        Ok(Var(id))
    }

    /// The value buffer split at the new node `v`: inputs' values before it,
    /// `v`'s own after.
    fn split(&mut self, v: Var) -> (&[F], &mut [F]) {
        let off = self.nodes[v.at()].off;
        let (src, dst) = self.vals.split_at_mut(off);
        (src, dst)
    }

    fn leaf(&mut self, values: &[F], shape: &[usize], grad: bool) -> Result<Var> {
        let (padded, ndim) = match *shape {
            [] => ([1, 1], 0),
            [n] => ([1, n], 1),
            [m, n] => ([m, n], 2),
            _ => {
                return Err(Error::shape(
                    "tape",
                    format!("a tape holds at most 2-d values, not {shape:?}"),
                ))
            }
        };
        if padded[0].checked_mul(padded[1]) != Some(values.len()) {
            return Err(Error::shape(
                "tape",
                format!("{} values cannot fill the shape {shape:?}", values.len()),
            ));
        }
        let v = self.push(Op::Leaf, [0, 0], padded, ndim, grad)?;
        self.split(v).1.copy_from_slice(values);
        Ok(v)
    }

    /// A value to differentiate with respect to (a weight), row-major.
    pub fn param(&mut self, values: &[F], shape: &[usize]) -> Result<Var> {
        self.leaf(values, shape, true)
    }

    /// A value with no gradient (an input, a target), row-major.
    pub fn constant(&mut self, values: &[F], shape: &[usize]) -> Result<Var> {
        self.leaf(values, shape, false)
    }

    /// A scalar constant.
    pub fn scalar(&mut self, v: F) -> Result<Var> {
        self.leaf(&[v], &[], false)
    }

    /// An elementwise function of `x`, from the table [`Unary`].
    pub fn unary(&mut self, op: Unary, x: Var) -> Result<Var> {
        let a = self.node(x)?;
        let v = self.push(Op::Unary(op), [x.0, 0], a.shape, a.ndim, a.grad)?;
        let (src, dst) = self.split(v);
        for (y, x) in dst.iter_mut().zip(&src[a.range()]) {
            *y = op.forward(x)?;
        }
        Ok(v)
    }
    pub fn neg(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Neg, x)
    }
    pub fn exp(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Exp, x)
    }
    pub fn log(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Log, x)
    }
    pub fn tanh(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Tanh, x)
    }
    pub fn sigmoid(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Sigmoid, x)
    }
    pub fn relu(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Relu, x)
    }

    /// An elementwise function of `a` and `b` broadcast together (numpy's
    /// rules), from the table [`Binary`].
    pub fn binary(&mut self, op: Binary, a: Var, b: Var) -> Result<Var> {
        let (na, nb) = (self.node(a)?, self.node(b)?);
        let mut shape = [0; 2];
        for (i, s) in shape.iter_mut().enumerate() {
            *s = match (na.shape[i], nb.shape[i]) {
                (x, y) if x == y => x,
                (1, y) => y,
                (x, 1) => x,
                _ => return Err(Error::mismatch(op.symbol(), na.dims(), nb.dims())),
            };
        }
        let ndim = na.ndim.max(nb.ndim);
        let v = self.push(Op::Binary(op), [a.0, b.0], shape, ndim, na.grad || nb.grad)?;
        let (src, dst) = self.split(v);
        let (sa, sb) = (na.strides(), nb.strides());
        for i in 0..shape[0] {
            for j in 0..shape[1] {
                let x = &src[na.off + i * sa[0] + j * sa[1]];
                let y = &src[nb.off + i * sb[0] + j * sb[1]];
                dst[i * shape[1] + j] = op.forward(x, y)?;
            }
        }
        Ok(v)
    }
    pub fn add(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary(Binary::Add, a, b)
    }
    pub fn sub(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary(Binary::Sub, a, b)
    }
    pub fn mul(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary(Binary::Mul, a, b)
    }
    pub fn div(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary(Binary::Div, a, b)
    }

    /// `a @ b` for 2-d `a` `[m, k]` and `b` `[k, n]`.
    pub fn matmul(&mut self, a: Var, b: Var) -> Result<Var> {
        let (na, nb) = (self.node(a)?, self.node(b)?);
        if na.ndim != 2 || nb.ndim != 2 || na.shape[1] != nb.shape[0] {
            return Err(Error::mismatch("matmul", na.dims(), nb.dims()));
        }
        let (m, k, n) = (na.shape[0], na.shape[1], nb.shape[1]);
        let v = self.push(Op::MatMul, [a.0, b.0], [m, n], 2, na.grad || nb.grad)?;
        let (src, dst) = self.split(v);
        gemm(
            m,
            k,
            n,
            &src[na.range()],
            [k, 1],
            &src[nb.range()],
            [n, 1],
            dst,
            false,
        )?;
        Ok(v)
    }

    /// Sum or mean over every element (`axis` `None`) or over one axis
    /// (removed, as numpy's default).
    fn reduce(&mut self, x: Var, axis: Option<usize>, mean: bool) -> Result<Var> {
        let a = self.node(x)?;
        let (r, c) = (a.shape[0], a.shape[1]);
        let (axis, shape, ndim) = match axis {
            None => (None, [1, 1], 0),
            Some(ax) if ax < a.ndim as usize => {
                // the stored axis: a 1-d value's only axis is the columns
                let stored = ax + 2 - a.ndim as usize;
                let kept = if stored == 0 { c } else { r };
                (Some(stored as u8), [1, kept], a.ndim - 1)
            }
            Some(ax) => {
                return Err(Error::AxisOutOfRange {
                    axis: ax as i64,
                    ndim: a.ndim as usize,
                })
            }
        };
        let v = self.push(Op::Reduce { axis, mean }, [x.0, 0], shape, ndim, a.grad)?;
        let (src, dst) = self.split(v);
        let x = &src[a.range()];
        let (at, scale) = reduce_map::<F>(axis, mean, a.shape);
        for i in 0..r {
            for j in 0..c {
                dst[at(i, j)] += x[i * c + j];
            }
        }
        if mean {
            dst.iter_mut().for_each(|y| *y = *y * scale);
        }
        Ok(v)
    }
    /// The sum of every element.
    pub fn sum(&mut self, x: Var) -> Result<Var> {
        self.reduce(x, None, false)
    }
    /// The mean of every element.
    pub fn mean(&mut self, x: Var) -> Result<Var> {
        self.reduce(x, None, true)
    }
    /// The sum over `axis` (removed).
    pub fn sum_axis(&mut self, x: Var, axis: usize) -> Result<Var> {
        self.reduce(x, Some(axis), false)
    }
    /// The mean over `axis` (removed).
    pub fn mean_axis(&mut self, x: Var, axis: usize) -> Result<Var> {
        self.reduce(x, Some(axis), true)
    }

    /// `x[..., cols]`: a range of the last axis (an LSTM's gates).
    pub fn cols(&mut self, x: Var, cols: Range<usize>) -> Result<Var> {
        let a = self.node(x)?;
        let (r, c) = (a.shape[0], a.shape[1]);
        if a.ndim == 0 || cols.start > cols.end || cols.end > c {
            return Err(Error::shape(
                "tape slice",
                format!("columns {cols:?} of a value of shape {:?}", a.dims()),
            ));
        }
        let w = cols.len();
        let v = self.push(Op::Cols(cols.start), [x.0, 0], [r, w], a.ndim, a.grad)?;
        let (src, dst) = self.split(v);
        for i in 0..r {
            let row = a.off + i * c + cols.start;
            dst[i * w..(i + 1) * w].copy_from_slice(&src[row..row + w]);
        }
        Ok(v)
    }

    /// `a` and `b` joined along `axis` (numpy's `concatenate`).
    pub fn concat(&mut self, a: Var, b: Var, axis: usize) -> Result<Var> {
        let (na, nb) = (self.node(a)?, self.node(b)?);
        let bad = || Error::mismatch("concatenate", na.dims(), nb.dims());
        if na.ndim != nb.ndim || na.ndim == 0 || axis >= na.ndim as usize {
            return Err(bad());
        }
        let stored = axis + 2 - na.ndim as usize;
        let other = 1 - stored;
        if na.shape[other] != nb.shape[other] {
            return Err(bad());
        }
        let mut shape = na.shape;
        shape[stored] += nb.shape[stored];
        let v = self.push(
            Op::Concat(stored as u8),
            [a.0, b.0],
            shape,
            na.ndim,
            na.grad || nb.grad,
        )?;
        let (src, dst) = self.split(v);
        let (rows, ca, cb) = concat_rows(stored as u8, &na, &nb);
        for i in 0..rows {
            let out = &mut dst[i * (ca + cb)..(i + 1) * (ca + cb)];
            out[..ca].copy_from_slice(&src[na.off + i * ca..na.off + (i + 1) * ca]);
            out[ca..].copy_from_slice(&src[nb.off + i * cb..nb.off + (i + 1) * cb]);
        }
        Ok(v)
    }

    /// Binary cross-entropy of logits `s` against targets `y` of the same
    /// shape, averaged: mean(max(s, 0) − s·y + log(1 + e^−|s|)), the stable
    /// form of [`crate::nn::loss::bce_with_logits`].
    pub fn bce_with_logits_mean(&mut self, s: Var, y: Var) -> Result<Var> {
        let (ns, ny) = (self.node(s)?, self.node(y)?);
        if ns.shape != ny.shape || ns.ndim != ny.ndim {
            return Err(Error::mismatch(
                "binary_cross_entropy_with_logits",
                ns.dims(),
                ny.dims(),
            ));
        }
        let v = self.push(Op::BceLogits, [s.0, y.0], [1, 1], 0, ns.grad || ny.grad)?;
        let (src, dst) = self.split(v);
        let mut acc = F::zero();
        for (s, y) in src[ns.range()].iter().zip(&src[ny.range()]) {
            let pos = if *s > F::zero() { *s } else { F::zero() };
            let soft = Element::exp(&-Element::abs(s))?.ln_1p();
            acc += pos - *s * *y + soft;
        }
        dst[0] = acc / F::from_i64(ns.len() as i64);
        Ok(v)
    }

    // ---- reverse mode -------------------------------------------------------

    /// Fills the gradient of every recorded value with ∂(Σ y)/∂value (for a
    /// scalar `y`, ∂y/∂value), walking the arena once in reverse.
    pub fn backward(&mut self, y: Var) -> Result<()> {
        let top = self.node(y)?;
        self.grads.clear();
        self.grads.resize(self.vals.len(), F::zero());
        self.reached.clear();
        self.reached.resize(self.nodes.len(), false);
        if !top.grad {
            return Ok(());
        }
        self.grads[top.range()].fill(F::one());
        self.reached[y.at()] = true;
        for i in (0..=y.at()).rev() {
            let n = self.nodes[i];
            if !self.reached[i] || !n.grad || matches!(n.op, Op::Leaf) {
                continue;
            }
            self.backward_node(&n)?;
        }
        Ok(())
    }

    /// Adds node `n`'s contributions to its inputs' gradients.
    fn backward_node(&mut self, n: &Node) -> Result<()> {
        let (na, nb) = (self.nodes[n.a as usize], self.nodes[n.b as usize]);
        let two = !matches!(
            n.op,
            Op::Leaf | Op::Unary(_) | Op::Reduce { .. } | Op::Cols(_)
        );
        let (da, db) = (na.grad, two && nb.grad);
        self.reached[n.a as usize] |= da;
        if two {
            self.reached[n.b as usize] |= db;
        }
        let vals = &self.vals;
        // Inputs come before `n`, so their gradients are all below its own.
        let (lo, hi) = self.grads.split_at_mut(n.off);
        let g = &hi[..n.len()];
        let y = &vals[n.range()];
        match n.op {
            Op::Leaf => {}
            Op::Unary(op) => {
                let x = &vals[na.range()];
                let ga = &mut lo[na.range()];
                for k in 0..g.len() {
                    ga[k] += g[k] * op.local(&x[k], &y[k])?;
                }
            }
            Op::Binary(op) => {
                let (sa, sb) = (na.strides(), nb.strides());
                let cols = n.shape[1];
                for i in 0..n.shape[0] {
                    for j in 0..cols {
                        let k = i * cols + j;
                        let ia = na.off + i * sa[0] + j * sa[1];
                        let ib = nb.off + i * sb[0] + j * sb[1];
                        let (x, z) = (&vals[ia], &vals[ib]);
                        if da {
                            lo[ia] += g[k] * op.local(0, x, z, &y[k])?;
                        }
                        if db {
                            lo[ib] += g[k] * op.local(1, x, z, &y[k])?;
                        }
                    }
                }
            }
            Op::MatMul => {
                let (m, k, c) = (na.shape[0], na.shape[1], nb.shape[1]);
                if da {
                    // ∂(A@B)/∂A = G @ Bᵀ
                    let (b, ga) = (&vals[nb.range()], &mut lo[na.range()]);
                    gemm(m, c, k, g, [c, 1], b, [1, c], ga, true)?;
                }
                if db {
                    // ∂(A@B)/∂B = Aᵀ @ G
                    let (a, gb) = (&vals[na.range()], &mut lo[nb.range()]);
                    gemm(k, m, c, a, [1, k], g, [c, 1], gb, true)?;
                }
            }
            Op::Reduce { axis, mean } => {
                let (at, scale) = reduce_map::<F>(axis, mean, na.shape);
                let ga = &mut lo[na.range()];
                let c = na.shape[1];
                for i in 0..na.shape[0] {
                    for j in 0..c {
                        ga[i * c + j] += g[at(i, j)] * scale;
                    }
                }
            }
            Op::Cols(start) => {
                let (c, w) = (na.shape[1], n.shape[1]);
                for i in 0..n.shape[0] {
                    let row = &mut lo[na.off + i * c + start..][..w];
                    row.iter_mut().zip(&g[i * w..]).for_each(|(d, g)| *d += *g);
                }
            }
            Op::Concat(stored) => {
                let (rows, ca, cb) = concat_rows(stored, &na, &nb);
                for i in 0..rows {
                    let g = &g[i * (ca + cb)..(i + 1) * (ca + cb)];
                    if da {
                        let d = &mut lo[na.off + i * ca..][..ca];
                        d.iter_mut().zip(&g[..ca]).for_each(|(d, g)| *d += *g);
                    }
                    if db {
                        let d = &mut lo[nb.off + i * cb..][..cb];
                        d.iter_mut().zip(&g[ca..]).for_each(|(d, g)| *d += *g);
                    }
                }
            }
            Op::BceLogits => {
                // ∂/∂s = (σ(s) − y)/n, ∂/∂y = −s/n
                let scale = g[0] / F::from_i64(na.len() as i64);
                for k in 0..na.len() {
                    let (s, t) = (vals[na.off + k], vals[nb.off + k]);
                    if da {
                        lo[na.off + k] += (Unary::Sigmoid.forward(&s)? - t) * scale;
                    }
                    if db {
                        lo[nb.off + k] += -s * scale;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Where element `(i, j)` of an input lands in a reduction's output, and the
/// factor (1, or 1/count for a mean).
fn reduce_map<F: Float>(
    axis: Option<u8>,
    mean: bool,
    shape: [usize; 2],
) -> (fn(usize, usize) -> usize, F) {
    let (at, count): (fn(usize, usize) -> usize, usize) = match axis {
        None => (|_, _| 0, shape[0] * shape[1]),
        Some(0) => (|_, j| j, shape[0]),
        Some(_) => (|i, _| i, shape[1]),
    };
    let scale = if mean {
        F::one() / F::from_i64(count as i64)
    } else {
        F::one()
    };
    (at, scale)
}

/// A concatenation as rows of `a` followed by rows of `b`: along the rows
/// axis the whole of each input is one row.
fn concat_rows(stored: u8, a: &Node, b: &Node) -> (usize, usize, usize) {
    if stored == 1 {
        (a.shape[0], a.shape[1], b.shape[1])
    } else {
        (1, a.len(), b.len())
    }
}
