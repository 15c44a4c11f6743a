//! `tensor`: the element trait and the array kernels every op is built on.
//!
//! Storage, broadcasting, slicing and iteration are ndarray's (`ArrayD`);
//! this module adds what ndarray cannot give a generic exact element:
//! fallible arithmetic (an exact division by zero or an oversized rational is
//! an error, not a panic) and numpy's rules where they differ from ndarray's
//! (negative indices and steps, `@` on 1-d and batched operands). The f32/f64
//! matrix product is ndarray's `dot`, i.e. the `matrixmultiply` GEMM kernel.

use std::cmp::Ordering;
use std::fmt;

use ndarray::{Array2, ArrayD, ArrayView2, ArrayViewD, Axis, IxDyn, SliceInfoElem, Zip};

use crate::error::{Error, Result};
use crate::num::Num;

/// A scalar a tensor can hold: the exact [`Num`], or `f32`/`f64` for speed.
///
/// Every operation that can fail on user data returns `Result`. Floats follow
/// IEEE except for division by zero, which is an error in every element type
/// so that the exact and float paths fail at the same place.
pub trait Element: Clone + fmt::Debug + fmt::Display + 'static {
    /// Whether values of this type are exact rationals.
    const EXACT: bool;
    fn zero() -> Self;
    fn one() -> Self;
    fn from_num(n: &Num) -> Result<Self>;
    fn from_i64(v: i64) -> Self;
    fn to_num(&self) -> Result<Num>;
    fn to_f64(&self) -> f64;
    fn add(&self, o: &Self) -> Result<Self>;
    fn sub(&self, o: &Self) -> Result<Self>;
    fn mul(&self, o: &Self) -> Result<Self>;
    fn div(&self, o: &Self) -> Result<Self>;
    fn pow(&self, e: &Self) -> Result<Self>;
    fn neg(&self) -> Self;
    fn abs(&self) -> Self;
    fn exp(&self) -> Result<Self>;
    fn log(&self) -> Result<Self>;
    fn sqrt(&self) -> Result<Self>;
    fn sigmoid(&self) -> Result<Self>;
    fn tanh(&self) -> Result<Self>;
    fn sin(&self) -> Result<Self>;
    fn cos(&self) -> Result<Self>;
    /// A certain comparison, or [`Error::Uncertain`].
    fn compare(&self, o: &Self) -> Result<Ordering>;

    /// `a @ b` for 2-d operands with matching inner size.
    fn matmul(a: ArrayView2<Self>, b: ArrayView2<Self>) -> Result<Array2<Self>> {
        let (n, k) = a.dim();
        let m = b.dim().1;
        let mut out = Vec::with_capacity(n * m);
        for i in 0..n {
            for j in 0..m {
                let mut acc = Self::zero();
                for t in 0..k {
                    acc = acc.add(&a[[i, t]].mul(&b[[t, j]])?)?;
                }
                out.push(acc);
            }
        }
        Array2::from_shape_vec((n, m), out).map_err(|e| Error::shape("matmul", e.to_string()))
    }

    /// The sum of each lane of `a` along `axis` (kept, of length 1), when the
    /// type has a faster way than [`sum_axis_keep`]'s adding lane after lane
    /// with the same result; `None` to have it do that.
    fn sum_lanes(a: &ArrayViewD<Self>, axis: usize) -> Result<Option<ArrayD<Self>>> {
        let _ = (a, axis);
        Ok(None)
    }
}

impl Element for Num {
    const EXACT: bool = true;
    fn zero() -> Self {
        Num::zero()
    }
    fn one() -> Self {
        Num::one()
    }
    fn from_num(n: &Num) -> Result<Self> {
        Ok(n.clone())
    }
    fn from_i64(v: i64) -> Self {
        Num::int(v)
    }
    fn to_num(&self) -> Result<Num> {
        Ok(self.clone())
    }
    fn to_f64(&self) -> f64 {
        Num::to_f64(self)
    }
    fn add(&self, o: &Self) -> Result<Self> {
        Num::add(self, o)
    }
    fn sub(&self, o: &Self) -> Result<Self> {
        Num::sub(self, o)
    }
    fn mul(&self, o: &Self) -> Result<Self> {
        Num::mul(self, o)
    }
    fn div(&self, o: &Self) -> Result<Self> {
        Num::div(self, o)
    }
    fn pow(&self, e: &Self) -> Result<Self> {
        Num::pow(self, e)
    }
    fn neg(&self) -> Self {
        Num::neg(self)
    }
    fn abs(&self) -> Self {
        Num::abs(self)
    }
    fn exp(&self) -> Result<Self> {
        Num::exp(self)
    }
    fn log(&self) -> Result<Self> {
        Num::log(self)
    }
    fn sqrt(&self) -> Result<Self> {
        Num::sqrt(self)
    }
    fn sigmoid(&self) -> Result<Self> {
        Num::sigmoid(self)
    }
    fn tanh(&self) -> Result<Self> {
        Num::tanh(self)
    }
    fn sin(&self) -> Result<Self> {
        Num::sin(self)
    }
    fn cos(&self) -> Result<Self> {
        Num::cos(self)
    }
    fn compare(&self, o: &Self) -> Result<Ordering> {
        Num::compare(self, o)
    }
    fn matmul(a: ArrayView2<Self>, b: ArrayView2<Self>) -> Result<Array2<Self>> {
        let (n, m) = (a.dim().0, b.dim().1);
        let mut out = Vec::with_capacity(n * m);
        for i in 0..n {
            for j in 0..m {
                out.push(Num::dot(a.row(i).iter(), b.column(j).iter())?);
            }
        }
        Array2::from_shape_vec((n, m), out).map_err(|e| Error::shape("matmul", e.to_string()))
    }
    fn sum_lanes(a: &ArrayViewD<Self>, axis: usize) -> Result<Option<ArrayD<Self>>> {
        // All lanes or none: adding one by one fails, if it does, at the
        // first failing position of the first step, across lanes.
        let mut units = 0u64;
        let mut out = Vec::with_capacity(a.len() / a.shape()[axis].max(1));
        for lane in a.lanes(Axis(axis)) {
            match Num::fast_sum(lane.iter()) {
                Some((s, u)) => {
                    units += u;
                    out.push(s);
                }
                None => return Ok(None),
            }
        }
        crate::budget::charge(units)?;
        let mut shape = a.shape().to_vec();
        shape[axis] = 1;
        ArrayD::from_shape_vec(IxDyn(&shape), out)
            .map(Some)
            .map_err(|e| Error::shape("sum", e.to_string()))
    }
}

macro_rules! float_element {
    ($t:ty) => {
        impl Element for $t {
            const EXACT: bool = false;
            #[inline]
            fn zero() -> Self {
                0.0
            }
            #[inline]
            fn one() -> Self {
                1.0
            }
            #[inline]
            fn from_num(n: &Num) -> Result<Self> {
                Ok(n.to_f64() as $t)
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline]
            fn to_num(&self) -> Result<Num> {
                Num::approx(*self as f64)
            }
            #[inline]
            fn to_f64(&self) -> f64 {
                *self as f64
            }
            #[inline]
            fn add(&self, o: &Self) -> Result<Self> {
                Ok(self + o)
            }
            #[inline]
            fn sub(&self, o: &Self) -> Result<Self> {
                Ok(self - o)
            }
            #[inline]
            fn mul(&self, o: &Self) -> Result<Self> {
                Ok(self * o)
            }
            #[inline]
            fn div(&self, o: &Self) -> Result<Self> {
                if *o == 0.0 {
                    Err(Error::DivisionByZero)
                } else {
                    Ok(self / o)
                }
            }
            #[inline]
            fn pow(&self, e: &Self) -> Result<Self> {
                Ok(if e.fract() == 0.0 && e.abs() < i32::MAX as $t {
                    self.powi(*e as i32)
                } else {
                    self.powf(*e)
                })
            }
            #[inline]
            fn neg(&self) -> Self {
                -self
            }
            #[inline]
            fn abs(&self) -> Self {
                <$t>::abs(*self)
            }
            #[inline]
            fn exp(&self) -> Result<Self> {
                Ok(<$t>::exp(*self))
            }
            #[inline]
            fn log(&self) -> Result<Self> {
                Ok(self.ln())
            }
            #[inline]
            fn sqrt(&self) -> Result<Self> {
                Ok(<$t>::sqrt(*self))
            }
            #[inline]
            fn sigmoid(&self) -> Result<Self> {
                // The stable form: exp never overflows.
                Ok(if *self >= 0.0 {
                    1.0 / (1.0 + <$t>::exp(-self))
                } else {
                    let e = <$t>::exp(*self);
                    e / (1.0 + e)
                })
            }
            #[inline]
            fn tanh(&self) -> Result<Self> {
                Ok(<$t>::tanh(*self))
            }
            #[inline]
            fn sin(&self) -> Result<Self> {
                Ok(<$t>::sin(*self))
            }
            #[inline]
            fn cos(&self) -> Result<Self> {
                Ok(<$t>::cos(*self))
            }
            #[inline]
            fn compare(&self, o: &Self) -> Result<Ordering> {
                self.partial_cmp(o).ok_or_else(|| Error::Uncertain {
                    what: "a comparison with NaN".into(),
                })
            }
            #[inline]
            fn matmul(a: ArrayView2<Self>, b: ArrayView2<Self>) -> Result<Array2<Self>> {
                Ok(a.dot(&b))
            }
        }
    };
}
float_element!(f32);
float_element!(f64);

/// Maps every element through a fallible function; the first error wins.
pub fn try_map<T: Element, U: Element>(
    a: &ArrayViewD<T>,
    mut f: impl FnMut(&T) -> Result<U>,
) -> Result<ArrayD<U>> {
    let mut err = None;
    // A failed element is filled with zero; the array is then dropped, as
    // any failure returns the error instead.
    let out = a.map(|x| match f(x) {
        Ok(v) => v,
        Err(e) => {
            err.get_or_insert(e);
            U::zero()
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// Combines two arrays of the same shape elementwise; the first error wins.
pub fn try_zip<T: Element>(
    a: &ArrayViewD<T>,
    b: &ArrayViewD<T>,
    mut f: impl FnMut(&T, &T) -> Result<T>,
) -> Result<ArrayD<T>> {
    debug_assert_eq!(a.shape(), b.shape());
    let mut err = None;
    let out = Zip::from(a).and(b).map_collect(|x, y| match f(x, y) {
        Ok(v) => v,
        Err(e) => {
            err.get_or_insert(e);
            T::zero()
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// The most elements one tensor made by an op may have (2²¹ ≈ 2.1 million
/// exact numbers, a few hundred MiB at most): beyond it an op is an error
/// rather than an allocation the machine cannot serve.
pub const MAX_ELEMENTS: usize = 1 << 21;

/// The heap one exact element holds, about: a `Num` (at most 64 bytes) and
/// the digits of its numerator and denominator (none while they fit `i64`s).
pub const ELEMENT_BYTES: usize = 128;

/// Checks that a result of shape `shape` stays within [`MAX_ELEMENTS`], and
/// within the memory left to the run ([`crate::budget::reserve`]).
/// The product of the non-zero dimensions counts too: `[0, 2**62]` has no
/// elements, but every op over its other axis would loop 2⁶² times.
pub fn check_size(op: &str, shape: &[usize]) -> Result<()> {
    let n = shape
        .iter()
        .filter(|&&d| d != 0)
        .try_fold(1usize, |acc, &d| acc.checked_mul(d));
    match n {
        Some(n) if n <= MAX_ELEMENTS && shape.len() <= MAX_DIMS => {
            // The memory it will hold must fit the run's budget too.
            let elements = if shape.contains(&0) { 0 } else { n };
            crate::budget::reserve(elements * ELEMENT_BYTES)
        }
        _ if shape.len() > MAX_DIMS => Err(Error::Size {
            op: op.to_string(),
            msg: format!(
                "a shape of {} dimensions is more than {MAX_DIMS}",
                shape.len()
            ),
        }),
        _ => Err(Error::Size {
            op: op.to_string(),
            msg: format!("a result of shape {shape:?} would exceed {MAX_ELEMENTS} elements"),
        }),
    }
}

/// Most dimensions of a tensor (numpy's own limit is 64).
pub const MAX_DIMS: usize = 64;

/// numpy's broadcast shape of two shapes, or a mismatch naming both and `op`.
pub fn broadcast_shape(a: &[usize], b: &[usize], op: &str) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let x = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let y = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = match (x, y) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return Err(Error::mismatch(op, a, b)),
        };
    }
    check_size(op, &out)?;
    Ok(out)
}

/// Sum over one axis, keeping it with length 1.
pub fn sum_axis_keep<T: Element>(a: &ArrayViewD<T>, axis: usize) -> Result<ArrayD<T>> {
    if let Some(s) = T::sum_lanes(a, axis)? {
        return Ok(s);
    }
    let mut shape = a.shape().to_vec();
    shape[axis] = 1;
    let mut acc = ArrayD::from_elem(IxDyn(&shape), T::zero());
    // In place, slice by slice along the axis: the same additions in the
    // same order as numpy's, without an array per slice.
    for lane in a.axis_iter(Axis(axis)) {
        let lane = lane.insert_axis(Axis(axis));
        for (x, y) in acc.iter_mut().zip(lane.iter()) {
            *x = x.add(y)?;
        }
    }
    Ok(acc)
}

/// Sums `a` down to `shape` (the inverse of broadcasting `shape` to `a`'s).
pub fn sum_to_shape<T: Element>(a: &ArrayD<T>, shape: &[usize]) -> Result<ArrayD<T>> {
    let extra = a.ndim() - shape.len();
    let mut out = a.clone();
    for ax in 0..a.ndim() {
        let target = if ax < extra { 1 } else { shape[ax - extra] };
        if out.shape()[ax] != target {
            out = sum_axis_keep(&out.view(), ax)?;
        }
    }
    out.into_shape_with_order(IxDyn(shape))
        .map_err(|e| Error::shape("sum to shape", e.to_string()))
}

/// Index of the first maximum (or minimum) along `axis`, keeping the axis.
pub fn arg_extreme<T: Element>(a: &ArrayViewD<T>, axis: usize, max: bool) -> Result<ArrayD<usize>> {
    let mut shape = a.shape().to_vec();
    shape[axis] = 1;
    let mut out = Vec::with_capacity(shape.iter().product());
    for lane in a.lanes(Axis(axis)) {
        let (mut best, mut tied) = (0, false);
        for (i, x) in lane.iter().enumerate().skip(1) {
            let o = x.compare(&lane[best])?;
            if (max && o == Ordering::Greater) || (!max && o == Ordering::Less) {
                best = i;
                tied = false;
            } else if o == Ordering::Equal {
                tied = true;
            }
        }
        // Two elements share the extreme: the first is taken, on a boundary.
        crate::boundary::hit_if(|| tied);
        out.push(best);
    }
    // `lanes` walks the other axes in logical order, which is the order of the
    // kept-axis result.
    let op = if max { "argmax" } else { "argmin" };
    ArrayD::from_shape_vec(IxDyn(&shape), out).map_err(|e| Error::shape(op, e.to_string()))
}

/// One entry of a numpy index: `x[2]`, `x[1:4:2]`, `x[None]`.
#[derive(Clone, Debug, PartialEq)]
pub enum Idx {
    At(i64),
    Range {
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    },
    NewAxis,
}

impl Idx {
    /// `:` — the whole axis.
    pub fn all() -> Idx {
        Idx::Range {
            start: None,
            stop: None,
            step: 1,
        }
    }
    pub fn range(start: Option<i64>, stop: Option<i64>) -> Idx {
        Idx::Range {
            start,
            stop,
            step: 1,
        }
    }
}

/// Translates numpy indices to ndarray's, checking every bound.
pub fn slice_info(shape: &[usize], idx: &[Idx]) -> Result<Vec<SliceInfoElem>> {
    let used = idx.iter().filter(|i| !matches!(i, Idx::NewAxis)).count();
    if used > shape.len() {
        return Err(Error::shape(
            "indexing",
            format!(
                "{used} indices for a tensor with {} dimensions {:?}",
                shape.len(),
                shape
            ),
        ));
    }
    let mut out = Vec::with_capacity(idx.len());
    let mut axis = 0;
    for i in idx {
        match *i {
            Idx::NewAxis => out.push(SliceInfoElem::NewAxis),
            Idx::At(k) => {
                let len = shape[axis];
                let j = if k < 0 { k + len as i64 } else { k };
                if j < 0 || j >= len as i64 {
                    return Err(Error::IndexOutOfRange {
                        axis,
                        index: k,
                        len,
                    });
                }
                out.push(SliceInfoElem::Index(j as isize));
                axis += 1;
            }
            Idx::Range { start, stop, step } => {
                if step == 0 {
                    return Err(Error::invalid("slicing", "slice step cannot be zero"));
                }
                let len = shape[axis] as i64;
                let norm = |v: i64, lo: i64, hi: i64| {
                    let v = if v < 0 { v + len } else { v };
                    v.clamp(lo, hi)
                };
                let (a, b) = if step > 0 {
                    let s = start.map_or(0, |v| norm(v, 0, len));
                    let e = stop.map_or(len, |v| norm(v, 0, len));
                    (s, e.max(s))
                } else {
                    // numpy walks down from `start` to just above `stop`;
                    // ndarray walks the range [lo, hi) from its end.
                    let s = start.map_or(len - 1, |v| norm(v, -1, len - 1));
                    let e = stop.map_or(-1, |v| norm(v, -1, len - 1));
                    if s <= e {
                        (0, 0)
                    } else {
                        (e + 1, s + 1)
                    }
                };
                out.push(SliceInfoElem::Slice {
                    start: a as isize,
                    end: Some(b as isize),
                    step: step as isize,
                });
                axis += 1;
            }
        }
    }
    // Axes not indexed are taken whole, as in numpy.
    for _ in axis..shape.len() {
        out.push(SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: 1,
        });
    }
    Ok(out)
}

/// Resolves a possibly negative axis against `ndim`.
pub fn norm_axis(axis: i64, ndim: usize) -> Result<usize> {
    let a = if axis < 0 { axis + ndim as i64 } else { axis };
    if a < 0 || a >= ndim as i64 {
        return Err(Error::AxisOutOfRange { axis, ndim });
    }
    Ok(a as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_follows_numpy() {
        assert_eq!(broadcast_shape(&[3, 1], &[4], "+").unwrap(), vec![3, 4]);
        assert_eq!(broadcast_shape(&[], &[2, 2], "+").unwrap(), vec![2, 2]);
        let e = broadcast_shape(&[3], &[4], "+").unwrap_err();
        assert_eq!(e.to_string(), "shape mismatch in +: [3] and [4]");
    }

    #[test]
    fn negative_steps_follow_numpy() {
        let a = ArrayD::from_shape_vec(IxDyn(&[6]), (0..6).map(|v| v as f64).collect()).unwrap();
        let take = |idx: Idx| {
            let info = slice_info(&[6], &[idx]).unwrap();
            let info = ndarray::SliceInfo::<_, IxDyn, IxDyn>::try_from(info).unwrap();
            a.slice(info).iter().cloned().collect::<Vec<_>>()
        };
        // x[5:0:-2] = [5, 3, 1]; x[::-1] reverses; x[-2:] = [4, 5]; x[4:2] = []
        let r = |s, e, st| Idx::Range {
            start: s,
            stop: e,
            step: st,
        };
        assert_eq!(take(r(Some(5), Some(0), -2)), vec![5.0, 3.0, 1.0]);
        assert_eq!(take(r(None, None, -1)), vec![5.0, 4.0, 3.0, 2.0, 1.0, 0.0]);
        assert_eq!(take(r(Some(-2), None, 1)), vec![4.0, 5.0]);
        assert_eq!(take(r(Some(4), Some(2), 1)), Vec::<f64>::new());
        assert!(matches!(
            slice_info(&[6], &[Idx::At(6)]),
            Err(Error::IndexOutOfRange { .. })
        ));
    }

    #[test]
    fn exact_matmul_and_sums_agree_with_adding_one_by_one() {
        // Small fractions, values past i64, zeros and now and then an
        // approximate value: the common-denominator path where it applies,
        // one by one where not, and the same numbers either way.
        let mut rng = fastrand::Rng::with_seed(10);
        let mut element = |approx: bool| match rng.u32(0..10) {
            0 => Num::zero(),
            1 => Num::ratio(rng.i64(..), rng.i64(1..)).unwrap(),
            2 if approx => Num::approx(rng.f64() - 0.5).unwrap(),
            _ => Num::ratio(rng.i64(-9..9), rng.i64(1..9)).unwrap(),
        };
        let show = |a: &ArrayD<Num>| a.iter().map(|x| x.display(20)).collect::<Vec<_>>();
        for round in 0..40 {
            let approx = round % 4 == 3;
            let (n, k, m) = (1 + round % 5, round % 7, 1 + round % 3);
            let a = Array2::from_shape_simple_fn((n, k), || element(approx));
            let b = Array2::from_shape_simple_fn((k, m), || element(approx));
            let fast = Num::matmul(a.view(), b.view()).unwrap();
            let slow = Array2::from_shape_fn((n, m), |(i, j)| {
                (0..k).fold(Num::zero(), |acc, t| {
                    acc.add(&a[[i, t]].mul(&b[[t, j]]).unwrap()).unwrap()
                })
            });
            assert_eq!(
                show(&fast.into_dyn()),
                show(&slow.into_dyn()),
                "round {round}"
            );
            let c = a.into_dyn();
            for axis in 0..2 {
                let fast = sum_axis_keep(&c.view(), axis).unwrap();
                let slow = c.map_axis(Axis(axis), |lane| {
                    lane.iter().fold(Num::zero(), |acc, x| acc.add(x).unwrap())
                });
                let slow = slow.insert_axis(Axis(axis));
                assert_eq!(show(&fast), show(&slow), "round {round}, axis {axis}");
            }
        }
    }
}
