//! Tensor built-ins under numpy's names: construction, shape, reductions
//! and elementwise math. Reductions compare exactly (a tie is noted, a
//! comparison too close to call is an error), and where numpy converts to
//! float gradwork keeps the exact value.

use super::{exact_order, floor, lib, notes, one_tensor, t, usizes, Args, Builtin};
use crate::explain::Note;
use crate::lang::interp::{Interp, R};
use crate::lang::value::{shape_text, Value};
use crate::lang::{ErrorKind, LangError, Span};
use ndarray::Dimension as _;

use crate::{Idx, Num, Tensor};

#[rustfmt::skip]
pub(super) static ROWS: &[Builtin] = &[
    // ---- construction
    Builtin::args("array", "array(object, dtype=None)", "a list as a tensor, an array as a copy; `dtype=int` truncates toward 0, `dtype=bool` gives a mask, a float dtype keeps the exact value", array)
        .aka(&["tensor"]).at(&["np.array"]),
    Builtin::args("np.asarray", "asarray(a, dtype=None)", "a list as a tensor; an array itself, not a copy (unless `dtype` changes it)", asarray)
        .at(&["np.asarray"]),
    Builtin::args("np.copy", "copy(a)", "a new array with the same values", |_, a, _| Ok(Value::T(a.tensor(0, "a")?.copy())))
        .at(&["np.copy"]),
    Builtin::args("zeros", "zeros(shape, dtype=float)", "a tensor of zeros (`dtype=bool`: all False)", |it, a, _| filled(it, a, Tensor::zeros))
        .at(&["np.zeros"]),
    Builtin::args("ones", "ones(shape, dtype=float)", "a tensor of ones (`dtype=bool`: all True)", |it, a, _| filled(it, a, Tensor::ones))
        .at(&["np.ones"]),
    Builtin::args("eye", "eye(N, M=None, k=0, dtype=None)", "ones on the k-th diagonal of an N×M matrix", eye)
        .at(&["np.eye", "np.identity"]),
    Builtin::args("full", "full(shape, fill_value, dtype=None)", "a tensor of one value", full)
        .at(&["np.full"]),
    Builtin::args("np.full_like", "full_like(a, fill_value, dtype=None)", "a tensor of a's shape holding one value", full_like)
        .at(&["np.full_like"]),
    Builtin::args("np.linspace", "linspace(start, stop, num=50, endpoint=True, retstep=False)", "num evenly spaced values from start to stop, in exact steps", linspace)
        .at(&["np.linspace"]),
    Builtin::args("np.astype", "astype(x, dtype)", "int truncates toward 0, bool gives a mask, a float dtype keeps the exact value", astype)
        .at(&["np.astype"]).method("astype"),
    Builtin::args("np.int64", "int64(x)", "numpy's integer type: as a dtype, or a converter truncating toward 0", |_, a, _| convert(a, Dtype::Int))
        .at(&["np.int64", "np.int32", "np.int_"]),
    Builtin::args("np.float64", "float64(x)", "numpy's float type: as a dtype, or a converter keeping the exact value", |_, a, _| convert(a, Dtype::Float))
        .at(&["np.float64", "np.float32", "np.double"]),
    Builtin::args("np.bool_", "bool_(x)", "numpy's boolean type: as a dtype, or a converter (nonzero is True)", |_, a, _| convert(a, Dtype::Bool))
        .at(&["np.bool_"]),
    Builtin::args("arange", "arange(start=0, stop, step=1)", "start, start + step, … below stop, in exact steps", arange)
        .at(&["np.arange"]),
    Builtin::raw("shape", "shape(a)", "the shape as a tuple", shape)
        .at(&["np.shape"]).by_name(),
    Builtin::args("reshape", "reshape(a, shape)", "the same elements in a new shape; one dimension may be -1", reshape)
        .at(&["np.reshape"]).method("reshape"),
    Builtin::args("transpose", "transpose(a, axes=None)", "the axes reversed, or permuted by `axes`", transpose)
        .at(&["np.transpose"]).method("transpose"),
    Builtin::args("concatenate", "concatenate(arrays, axis=0)", "joined along an existing axis", |it, a, _| joined(it, a, Tensor::concat))
        .at(&["np.concatenate"]),
    Builtin::args("stack", "stack(arrays, axis=0)", "joined along a new axis", |it, a, _| joined(it, a, Tensor::stack))
        .at(&["np.stack"]),
    Builtin::args("dot", "dot(a, b)", "the matrix product (vector·vector, matrix·vector, batched)", matmul)
        .at(&["np.dot"]).method("dot"),
    Builtin::args("matmul", "matmul(a, b)", "the matrix product, as `a @ b`", matmul)
        .at(&["np.matmul"]),
    // ---- elementwise
    Builtin::args("abs", "abs(x)", "|x|; the gradient at 0 is 0", |_, a, _| unary(a, Tensor::abs))
        .at(&["np.abs"]),
    Builtin::args("exp", "exp(x)", "eˣ", |_, a, _| unary(a, Tensor::exp))
        .at(&["np.exp", "math.exp"]),
    Builtin::args("log", "log(x)", "the natural logarithm", |_, a, _| unary(a, Tensor::log))
        .at(&["np.log", "math.log"]),
    Builtin::args("sqrt", "sqrt(x)", "the square root, exact where it is rational", |_, a, _| unary(a, Tensor::sqrt))
        .at(&["np.sqrt", "math.sqrt"]),
    Builtin::args("sin", "sin(x)", "the sine (radians): 0 at 0, else a guaranteed interval", |_, a, _| unary(a, Tensor::sin))
        .at(&["np.sin", "math.sin"]),
    Builtin::args("cos", "cos(x)", "the cosine (radians): 1 at 0, else a guaranteed interval", |_, a, _| unary(a, Tensor::cos))
        .at(&["np.cos", "math.cos"]),
    Builtin::args("maximum", "maximum(x1, x2)", "the larger of each pair; a tie splits the gradient", |_, a, _| pairwise_extreme(a, true))
        .at(&["np.maximum"]),
    Builtin::args("minimum", "minimum(x1, x2)", "the smaller of each pair; a tie splits the gradient", |_, a, _| pairwise_extreme(a, false))
        .at(&["np.minimum"]),
    Builtin::raw("max", "max(iterable, key=None, default) or max(a, b, *rest, key=None)", "Python's: the largest item of a list, range or tuple (by `key`), or of the arguments; two tensors elementwise; a tensor alone as `amax`", |it, c| super::python::extreme(it, c, true)),
    Builtin::raw("min", "min(iterable, key=None, default) or min(a, b, *rest, key=None)", "Python's: the smallest item of a list, range or tuple (by `key`), or of the arguments; two tensors elementwise; a tensor alone as `amin`", |it, c| super::python::extreme(it, c, false)),
    // ---- reductions
    Builtin::args("amax", "amax(a, axis=None, keepdims=False)", "the largest element, or along `axis`", |it, a, n| reduce(it, a, n, Reduce::Max))
        .at(&["np.amax", "np.max"]).method("max"),
    Builtin::args("amin", "amin(a, axis=None, keepdims=False)", "the smallest element, or along `axis`", |it, a, n| reduce(it, a, n, Reduce::Min))
        .at(&["np.amin", "np.min"]).method("min"),
    Builtin::args("np.sum", "sum(a, axis=None, keepdims=False)", "numpy's: every element added, or along `axis`", |_, a, _| sum_or_mean(a, true))
        .at(&["np.sum"]).method("sum"),
    Builtin::args("mean", "mean(a, axis=None, keepdims=False)", "the mean, or along `axis`", |_, a, _| sum_or_mean(a, false))
        .at(&["np.mean"]).method("mean"),
    Builtin::args("argmax", "argmax(a, axis=None)", "where the first largest element is; a tie is noted", |it, a, n| reduce(it, a, n, Reduce::ArgMax))
        .at(&["np.argmax"]).method("argmax"),
    Builtin::args("argmin", "argmin(a, axis=None)", "where the first smallest element is; a tie is noted", |it, a, n| reduce(it, a, n, Reduce::ArgMin))
        .at(&["np.argmin"]).method("argmin"),
    Builtin::args("norm", "norm(x, ord=None, axis=None, keepdims=False)", "the vector norms ord=2, 1, inf, -inf (of a matrix along `axis`), the matrix norms \"fro\", 1, inf, -1, -inf; the gradient at 0 is 0", norm)
        .at(&["np.linalg.norm"]),
    Builtin::args("all", "all(a)", "whether every element is nonzero", |_, a, _| all_any(a, true))
        .at(&["np.all"]).method("all"),
    Builtin::args("any", "any(a)", "whether some element is nonzero", |_, a, _| all_any(a, false))
        .at(&["np.any"]).method("any"),
    Builtin::args("allclose", "allclose(a, b, rtol=1e-5, atol=1e-8)", "whether |a − b| ≤ atol + rtol·|b| everywhere, decided with guaranteed bounds", |_, a, _| close(a, false))
        .at(&["np.allclose"]),
    Builtin::args("floor", "floor(x)", "rounded down, exactly", |_, a, _| unary(a, floor))
        .at(&["np.floor", "math.floor"]),
    Builtin::raw("bits", "bits(codes)", "each code of \"00,10,11\" as a column vector of its bits: shape [3, 2, 1]", bits)
        .by_name(),
    Builtin::args("vstack", "vstack(arrays)", "stacked as rows (a vector is one row)", vstack)
        .at(&["np.vstack"]),
    Builtin::args("hstack", "hstack(arrays)", "joined along the columns (vectors end to end)", hstack)
        .at(&["np.hstack"]),
    Builtin::args("zeros_like", "zeros_like(a, dtype=None)", "zeros of a's shape (and a mask's dtype)", |_, a, _| like(a, Tensor::zeros))
        .at(&["np.zeros_like"]),
    Builtin::args("ones_like", "ones_like(a, dtype=None)", "ones of a's shape (and a mask's dtype)", |_, a, _| like(a, Tensor::ones))
        .at(&["np.ones_like"]),
    Builtin::args("square", "square(x)", "x·x", square)
        .at(&["np.square"]),
    Builtin::args("sign", "sign(x)", "−1, 0 or 1", sign)
        .at(&["np.sign"]),
    Builtin::args("outer", "outer(a, b)", "every product a_i·b_j", outer)
        .at(&["np.outer"]),
    Builtin::args("clip", "clip(a, a_min, a_max)", "each element held within [a_min, a_max]", clip)
        .at(&["np.clip"]).method("clip"),
    Builtin::args("where", "where(condition, x, y)", "x where the condition holds, else y; with the condition alone, `nonzero` of it", where_)
        .at(&["np.where"]),
    Builtin::args("np.nonzero", "nonzero(a)", "a tuple of index arrays, one per axis, of the nonzero elements", |_, a, _| nonzero(a.tensor(0, "a")?, a.span))
        .at(&["np.nonzero"]).method("nonzero"),
    Builtin::args("np.argwhere", "argwhere(a)", "the indices of the nonzero elements, one row each", argwhere)
        .at(&["np.argwhere"]),
    Builtin::args("prod", "prod(a, axis=None, keepdims=False)", "the product of every element, or along `axis`", prod)
        .at(&["np.prod"]).method("prod"),
    Builtin::args("cumsum", "cumsum(a, axis=None)", "the running sums of the flattened array, or along `axis`", cumsum)
        .at(&["np.cumsum"]).method("cumsum"),
    Builtin::args("argsort", "argsort(a)", "the stable order of a vector, compared exactly", |_, a, _| sort(a, true))
        .at(&["np.argsort"]).method("argsort"),
    Builtin::args("sort", "sort(a)", "a vector in order, compared exactly", |_, a, _| sort(a, false))
        .at(&["np.sort"]),
    Builtin::args("var", "var(a, axis=None, ddof=0, keepdims=False)", "mean((x − mean(x))²) over n − ddof values, exactly", |_, a, _| var(a, false))
        .at(&["np.var"]).method("var"),
    Builtin::args("std", "std(a, axis=None, ddof=0, keepdims=False)", "the square root of `var`", |_, a, _| var(a, true))
        .at(&["np.std"]).method("std"),
    Builtin::args("unique", "unique(ar, return_index=False, return_inverse=False, return_counts=False)", "the distinct values, sorted (flattened first), and where asked a tuple with the first indices, the inverse and the counts; no gradient", unique)
        .at(&["np.unique"]),
    Builtin::args("triu", "triu(m, k=0)", "the matrix with the elements below the k-th diagonal zeroed", |_, a, _| diagonal(a, Diag::Upper))
        .at(&["np.triu"]),
    Builtin::args("tril", "tril(m, k=0)", "the matrix with the elements above the k-th diagonal zeroed", |_, a, _| diagonal(a, Diag::Lower))
        .at(&["np.tril"]),
    Builtin::args("diag", "diag(m, k=0)", "the k-th diagonal of a matrix, or the square matrix with a vector on its diagonal; no gradient", |_, a, _| diagonal(a, Diag::Both))
        .at(&["np.diag"]),
    Builtin::args("isclose", "isclose(a, b, rtol=1e-5, atol=1e-8)", "`allclose` elementwise", |_, a, _| close(a, true))
        .at(&["np.isclose"]),
    Builtin::args("np.column_stack", "column_stack(tup)", "vectors as the columns of a matrix (matrices joined along the columns)", column_stack)
        .at(&["np.column_stack"]),
    Builtin::args("np.trace", "trace(a, offset=0)", "the sum of the offset-th diagonal of a matrix", trace)
        .at(&["np.trace"]).method("trace"),
    Builtin::args("np.count_nonzero", "count_nonzero(a, axis=None, keepdims=False)", "how many elements are nonzero, or along `axis`", count_nonzero)
        .at(&["np.count_nonzero"]),
    Builtin::args("np.diff", "diff(a, n=1, axis=-1)", "the differences of neighbours a[i+1] − a[i] along `axis`, n times", diff)
        .at(&["np.diff"]),
    Builtin::args("np.array_equal", "array_equal(a1, a2)", "True when the shapes and every element are equal (a Python bool)", array_equal)
        .at(&["np.array_equal"]),
    Builtin::args("np.power", "power(x1, x2)", "x1 ** x2 elementwise", |_, a, _| { let x = a.tensor(0, "x1")?; let y = a.tensor(1, "x2")?; t(x.pow(&y), a.span) })
        .at(&["np.power"]),
    Builtin::args("np.log1p", "log1p(x)", "log(1 + x), with 1 + x exact", |_, a, _| { let x = a.tensor(0, "x")?; t(x.add(&Tensor::scalar(Num::one())).and_then(|y| y.log()), a.span) })
        .at(&["np.log1p"]),
    Builtin::args("np.round", "round(a, decimals=0)", "to the nearest multiple of 10^−decimals, half to even, exactly; no gradient", round)
        .at(&["np.round", "np.around"]).method("round"),
    Builtin::args("np.ceil", "ceil(x)", "rounded up, exactly", |_, a, _| unary(a, ceil))
        .at(&["np.ceil", "math.ceil"]),
    Builtin::args("np.isinf", "isinf(x)", "a mask of where x is ±inf", |_, a, _| { let x = a.tensor(0, "x")?; Ok(mask_of(&x, |n| n.infinity().is_some())) })
        .at(&["np.isinf"]),
    Builtin::args("np.isfinite", "isfinite(x)", "a mask of where x is not ±inf", |_, a, _| { let x = a.tensor(0, "x")?; Ok(mask_of(&x, |n| n.infinity().is_none())) })
        .at(&["np.isfinite"]),
    Builtin::args("np.isnan", "isnan(x)", "all False: gradwork has no nan (an operation that would give one is an error)", |_, a, _| { let x = a.tensor(0, "x")?; Ok(mask_of(&x, |_| false)) })
        .at(&["np.isnan"]),
    Builtin::args("np.logical_and", "logical_and(x1, x2)", "a mask: both nonzero", |_, a, _| logical(a, Logic::And))
        .at(&["np.logical_and"]),
    Builtin::args("np.logical_or", "logical_or(x1, x2)", "a mask: either nonzero", |_, a, _| logical(a, Logic::Or))
        .at(&["np.logical_or"]),
    Builtin::args("np.logical_xor", "logical_xor(x1, x2)", "a mask: exactly one nonzero", |_, a, _| logical(a, Logic::Xor))
        .at(&["np.logical_xor"]),
    Builtin::args("np.logical_not", "logical_not(x)", "a mask: zero", |_, a, _| { let x = a.tensor(0, "x")?; Ok(mask_of(&x, Num::is_zero)) })
        .at(&["np.logical_not"]),
    Builtin::args("np.bincount", "bincount(x, weights=None, minlength=0)", "how often each integer 0, 1, … occurs in x (the sum of its weights)", bincount)
        .at(&["np.bincount"]),
    // ---- linear algebra: exact Gaussian elimination, values only
    Builtin::args("np.linalg.solve", "solve(a, b)", "x with a @ x = b, by exact elimination; a singular matrix is an error; no gradient", solve)
        .at(&["np.linalg.solve"]),
    Builtin::args("np.linalg.inv", "inv(a)", "the inverse, by exact elimination; a singular matrix is an error; no gradient", inv)
        .at(&["np.linalg.inv"]),
    Builtin::args("np.linalg.det", "det(a)", "the determinant, by exact elimination; no gradient", det)
        .at(&["np.linalg.det"]),
    Builtin::args("np.linalg.matrix_power", "matrix_power(a, n)", "a @ a @ … (n times); the identity for n = 0, powers of the inverse for n < 0", matrix_power)
        .at(&["np.linalg.matrix_power"]),
];

fn shape_arg(it: &Interp, v: &Value, s: Span) -> R<Vec<usize>> {
    let shape = usizes(it, v, s, "a shape is a list of non-negative integers")?;
    crate::tensor::check_size("shape", &shape).map_err(|e| LangError::from_lib(e, s))?;
    Ok(shape)
}

fn array(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    // np.array(x) of an array is a copy (numpy's default), so `+=` on it
    // leaves x alone; a list's array is new already.
    let (v, s) = a.required(0, "object")?;
    let x = it.tensor(&v, s)?;
    let dt = opt_dtype(a, 1)?;
    let x = if matches!(v, Value::T(_)) {
        x.copy()
    } else {
        x
    };
    t(with_dtype(x, dt), a.span)
}

fn asarray(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    // np.asarray(x) of an array is x itself: a change in place to one is
    // seen through the other.
    let (v, s) = a.required(0, "a")?;
    let x = it.tensor(&v, s)?;
    let dt = opt_dtype(a, 1)?;
    t(with_dtype(x, dt), a.span)
}

fn filled(it: &Interp, a: &mut Args, f: fn(&[usize]) -> crate::Result<Tensor<Num>>) -> R<Value> {
    let (v, s) = a.required(0, "shape")?;
    let shape = shape_arg(it, &v, s)?;
    let dt = opt_dtype(a, 1)?;
    t(f(&shape).and_then(|x| with_dtype(x, dt)), a.span)
}

fn full(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let (v, s) = a.required(0, "shape")?;
    let shape = shape_arg(it, &v, s)?;
    let fill = a.num(1, "fill_value", None)?;
    let dt = opt_dtype(a, 2)?;
    t(
        Tensor::full(&shape, fill).and_then(|x| with_dtype(x, dt)),
        a.span,
    )
}

fn full_like(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let fill = a.num(1, "fill_value", None)?;
    let dt = opt_dtype(a, 2)?;
    let span = a.span;
    let dt = match dt {
        Some(d) => Some(d),
        // numpy gives a's dtype: an integer array truncates the fill.
        None => Some(x.dtype()),
    };
    t(
        Tensor::full(x.shape(), fill).and_then(|x| with_dtype(x, dt)),
        span,
    )
}

fn is_whole(n: &Num) -> bool {
    n.is_integer()
}

/// numpy's dtypes, as far as exact numbers have them: every tensor carries
/// one (integer literals make int arrays, comparisons masks).
pub(super) use crate::autograd::DType as Dtype;

/// A dtype given as a type (`int`, `np.float64`) or its name (`"int64"`).
pub(super) fn dtype_of(v: &Value, s: Span) -> R<Option<Dtype>> {
    let name: &str = match v {
        Value::None => return Ok(None),
        Value::Builtin(n) => n,
        Value::Str(x) => x,
        other => {
            return Err(LangError::new(
                ErrorKind::Type,
                format!(
                    "a dtype is a type such as int, float or bool, not a {}",
                    other.type_name()
                ),
                s,
                None,
            ))
        }
    };
    Ok(Some(match name.trim_start_matches("np.") {
        "int" | "int64" | "int32" | "int_" | "intp" => Dtype::Int,
        "float" | "float64" | "float32" | "double" => Dtype::Float,
        "bool" | "bool_" => Dtype::Bool,
        other => {
            return Err(LangError::new(
                ErrorKind::Value,
                format!("gradwork has no dtype {other}"),
                s,
                Some("use int, float or bool (np.int64, np.float64, np.bool_)"),
            ))
        }
    }))
}

fn opt_dtype(a: &mut Args, i: usize) -> R<Option<Dtype>> {
    match a.get(i, "dtype") {
        None => Ok(None),
        Some((v, s)) => dtype_of(&v, s),
    }
}

/// `x` as dtype `d`: int truncates toward 0, bool is a mask of the nonzero
/// elements, a float dtype keeps the exact value (and turns a mask into
/// numbers).
pub(super) fn with_dtype(x: Tensor<Num>, d: Option<Dtype>) -> crate::Result<Tensor<Num>> {
    match d {
        None => Ok(x),
        Some(d) if d == x.dtype() => Ok(x),
        Some(Dtype::Float) if x.is_bool() => Ok(x.detach()),
        Some(Dtype::Float) => Ok(x.as_kind(Dtype::Float)),
        Some(Dtype::Bool) => {
            Ok(Tensor::new(x.value().mapv(|n| Num::int(!n.is_zero() as i64))).as_bool())
        }
        Some(Dtype::Int) if x.is_bool() => Ok(x.detach().as_int()),
        Some(Dtype::Int) if x.value().iter().all(is_whole) => Ok(x.as_int()),
        Some(Dtype::Int) => {
            crate::tensor::try_map(&x.value().view(), Num::trunc).map(|v| Tensor::new(v).as_int())
        }
    }
}

fn astype(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    let (v, s) = a.required(1, "dtype")?;
    let d = dtype_of(&v, s)?;
    // astype makes a copy, as numpy's (copy=True)
    t(with_dtype(x.copy(), d), a.span)
}

/// `np.int64(x)`, `np.float64(x)`, `np.bool_(x)`.
fn convert(a: &mut Args, d: Dtype) -> R<Value> {
    let x = a
        .opt_tensor(0, "x")?
        .unwrap_or_else(|| Tensor::scalar(Num::zero()));
    let y = lib(with_dtype(x, Some(d)), a.span)?;
    Ok(match (d, y.ndim()) {
        (Dtype::Bool, 0) => Value::Bool(!lib(y.item(), a.span)?.is_zero()),
        _ => Value::T(y),
    })
}

fn linspace(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    // start + i·(stop − start)/(num − 1), exactly; numpy's floats are
    // their roundings.
    let start = a.num(0, "start", None)?;
    let stop = a.num(1, "stop", None)?;
    let num = a.usize(2, "num", Some(50))?;
    let endpoint = a.flag(3, "endpoint", true)?;
    let retstep = a.flag(4, "retstep", false)?;
    let span = a.span;
    lib(crate::tensor::check_size("linspace", &[num]), span)?;
    let div = if endpoint { num.saturating_sub(1) } else { num };
    let step = if div > 0 {
        Some(lib(
            stop.sub(&start).and_then(|d| d.div(&Num::int(div as i64))),
            span,
        )?)
    } else {
        None
    };
    let mut v = Vec::with_capacity(num);
    for i in 0..num {
        v.push(match &step {
            Some(_) if endpoint && i + 1 == num => stop.clone(),
            Some(st) => lib(
                st.mul(&Num::int(i as i64)).and_then(|d| start.add(&d)),
                span,
            )?,
            None => start.clone(),
        });
    }
    let xs = Value::T(lib(Tensor::from_vec(v, &[num]), span)?);
    if !retstep {
        return Ok(xs);
    }
    match step {
        Some(st) => Ok(Value::tuple(vec![xs, Value::num(st)])),
        None => Err(LangError::new(
            ErrorKind::Value,
            "linspace with retstep=True and a single value has no step (numpy: nan)",
            span,
            None,
        )),
    }
}

fn eye(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    // eye(N, M=None, k=0, dtype=…): ones on the k-th diagonal of N×M;
    // every number is exact, so dtype changes nothing.
    let span = a.span;
    let n = a.usize(0, "N", None)?;
    let m = match a.get(1, "M") {
        None | Some((Value::None, _)) => n,
        Some((v, s)) => {
            let m = usizes(it, &Value::list(vec![v]), s, "M is a size")?;
            match m.as_slice() {
                [m] => *m,
                _ => return Err(LangError::new(ErrorKind::Type, "M is one size", s, None)),
            }
        }
    };
    let k = a.int(2, "k", Some(0))?;
    a.get(3, "dtype");
    lib(crate::tensor::check_size("eye", &[n, m]), span)?;
    let v: Vec<Num> = (0..n * m)
        .map(|p| Num::int(((p % m) as i64 - (p / m) as i64 == k) as i64))
        .collect();
    Ok(Value::T(lib(Tensor::from_vec(v, &[n, m]), span)?))
}

fn arange(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let one = || Tensor::scalar(Num::one()).as_int();
    let (start, stop) = if a.n_pos() >= 2 {
        (a.tensor(0, "start")?, a.tensor(1, "stop")?)
    } else {
        (Tensor::scalar(Num::zero()).as_int(), a.tensor(0, "stop")?)
    };
    let step = a.opt_tensor(2, "step")?.unwrap_or_else(one);
    let span = a.span;
    let item = |x: &Tensor<Num>| lib(x.item(), span);
    let r = lib(
        Tensor::arange(&item(&start)?, &item(&stop)?, &item(&step)?),
        span,
    )?;
    // numpy: arange of integers is an integer array.
    let ints = [&start, &stop, &step]
        .iter()
        .all(|x| x.dtype() != Dtype::Float);
    Ok(Value::T(if ints { r.as_int() } else { r }))
}

fn shape(it: &mut Interp, c: super::Call) -> R<Value> {
    let x = one_tensor(it, "shape", &c.pos, c.span)?;
    Ok(Value::tuple(
        x.shape().iter().map(|&d| Value::int(d as i64)).collect(),
    ))
}

fn reshape(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let (v, s) = a.required(1, "shape")?;
    let st = it.tensor(&v, s)?;
    let shape = st
        .value()
        .iter()
        .map(|n| n.to_i64())
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| LangError::new(ErrorKind::Type, "a shape is a list of integers", s, None))?;
    t(x.reshape(&shape), a.span)
}

fn transpose(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    match a.get(1, "axes") {
        None | Some((Value::None, _)) => t(x.t(), a.span),
        Some((v, s)) => {
            let p = shape_arg(it, &v, s)?;
            t(x.permute(&p), a.span)
        }
    }
}

/// The tensors of a list argument `arrays`, and where the list is.
fn tensors(it: &Interp, a: &mut Args) -> R<(Vec<Tensor<Num>>, Span)> {
    let (v, s) = a.required(0, "arrays")?;
    let items = it.unpack(&v, s)?;
    let ts = items
        .iter()
        .map(|x| it.tensor(x, s))
        .collect::<R<Vec<_>>>()?;
    Ok((ts, s))
}

/// `concatenate` or `stack`.
type Join = fn(&[Tensor<Num>], i64) -> crate::Result<Tensor<Num>>;

fn joined(it: &Interp, a: &mut Args, f: Join) -> R<Value> {
    let (ts, _) = tensors(it, a)?;
    let axis = a.opt_axis(1)?.unwrap_or(0);
    t(f(&ts, axis), a.span)
}

fn nonempty(ts: Vec<Tensor<Num>>, s: Span) -> R<Vec<Tensor<Num>>> {
    if ts.is_empty() {
        return Err(LangError::new(
            ErrorKind::Value,
            "nothing to stack",
            s,
            None,
        ));
    }
    Ok(ts)
}

fn vstack(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let (ts, s) = tensors(it, a)?;
    let ts = nonempty(ts, s)?;
    // rows: a vector is one row
    let rows = ts
        .iter()
        .map(|x| {
            if x.ndim() == 1 {
                x.unsqueeze(0)
            } else {
                Ok(x.clone())
            }
        })
        .collect::<crate::Result<Vec<_>>>();
    t(rows.and_then(|r| Tensor::concat(&r, 0)), a.span)
}

fn hstack(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let (ts, s) = tensors(it, a)?;
    let ts = nonempty(ts, s)?;
    let axis = if ts[0].ndim() == 1 { 0 } else { 1 };
    t(Tensor::concat(&ts, axis), a.span)
}

fn like(a: &mut Args, f: fn(&[usize]) -> crate::Result<Tensor<Num>>) -> R<Value> {
    // a's dtype, as numpy's: zeros_like of a mask is all False.
    let x = a.tensor(0, "a")?;
    let dt = match opt_dtype(a, 1)? {
        None if x.is_bool() => Some(Dtype::Bool),
        d => d,
    };
    t(f(x.shape()).and_then(|x| with_dtype(x, dt)), a.span)
}

fn matmul(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let y = a.tensor(1, "b")?;
    t(x.matmul(&y), a.span)
}

fn unary(a: &mut Args, f: fn(&Tensor<Num>) -> crate::Result<Tensor<Num>>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    t(f(&x), a.span)
}

fn square(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    t(x.mul(&x), a.span)
}

fn sign(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    let zero = Tensor::scalar(Num::zero());
    t(x.gt(&zero).and_then(|p| p.sub(&x.lt(&zero)?)), a.span)
}

fn outer(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let y = a.tensor(1, "b")?;
    t(
        x.reshape(&[-1, 1])
            .and_then(|c| c.mul(&y.reshape(&[1, -1])?)),
        a.span,
    )
}

fn clip(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let lo = a.tensor(1, "a_min")?;
    let hi = a.tensor(2, "a_max")?;
    t(x.maximum(&lo).and_then(|m| m.minimum(&hi)), a.span)
}

fn where_(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    // where(cond, a, b): a where cond holds, else b.
    let c = a.tensor(0, "condition")?;
    if a.n_pos() == 1 && !a.has("x") && !a.has("y") {
        // numpy's where(cond) is nonzero(cond)
        return nonzero(c, a.span);
    }
    let x = a.tensor(1, "x")?;
    let y = a.tensor(2, "y")?;
    let span = a.span;
    let c = lib(c.ne(&Tensor::scalar(Num::zero())), span)?;
    // c⊙x + (1 − c)⊙y, which the gradient flows through; an operand holding
    // ±inf (a mask's −np.inf) is a constant whose infinities are added after,
    // since 0·inf has no value.
    let (x, xi) = split_inf(&x);
    let (y, yi) = split_inf(&y);
    let one = Tensor::scalar(Num::one());
    let not_c = lib(one.sub(&c), span)?;
    let mut r = lib(c.mul(&x).and_then(|p| p.add(&not_c.mul(&y)?)), span)?;
    for (part, keep) in [(xi, &c), (yi, &not_c)] {
        if let Some(inf) = part {
            let shape = lib(
                crate::tensor::broadcast_shape(r.shape(), inf.shape(), "where"),
                span,
            )?;
            let keep = crate::lang::interp::spread(keep, &shape, "where", span)?;
            let inf = crate::lang::interp::spread(&inf, &shape, "where", span)?;
            let picked: Vec<Num> = keep
                .iter()
                .zip(inf.iter())
                .map(|(k, v)| if k.is_zero() { Num::zero() } else { v.clone() })
                .collect();
            let picked = lib(Tensor::from_vec(picked, &shape), span)?;
            r = lib(r.add(&picked), span)?;
        }
    }
    Ok(Value::T(r))
}

/// `x` with its infinities taken out: a constant with them zeroed, and the
/// infinities alone (zeros elsewhere); `x` itself when it has none.
fn split_inf(x: &Tensor<Num>) -> (Tensor<Num>, Option<Tensor<Num>>) {
    if !x.value().iter().any(|n| n.infinity().is_some()) {
        return (x.clone(), None);
    }
    let finite = x.value().mapv(|n| {
        if n.infinity().is_some() {
            Num::zero()
        } else {
            n
        }
    });
    let inf = x.value().mapv(|n| {
        if n.infinity().is_some() {
            n
        } else {
            Num::zero()
        }
    });
    (Tensor::new(finite), Some(Tensor::new(inf)))
}

/// `x`'s `i`-th slice along `axis`.
fn along(x: &Tensor<Num>, axis: usize, i: usize) -> crate::Result<Tensor<Num>> {
    let mut idx = vec![Idx::all(); axis];
    idx.push(Idx::At(i as i64));
    x.slice(&idx)
}

/// `x` and the axis to work along: the flattened array and 0 without one.
fn axis_or_flat(x: &Tensor<Num>, axis: Option<i64>) -> crate::Result<(Tensor<Num>, usize)> {
    match axis {
        None => Ok((x.reshape(&[-1])?, 0)),
        Some(k) => Ok((x.clone(), crate::tensor::norm_axis(k, x.ndim())?)),
    }
}

fn prod(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let axis = a.opt_axis(1)?;
    let keep = a.flag(2, "keepdims", false)?;
    let span = a.span;
    let r = (|| {
        let (y, k) = axis_or_flat(&x, axis)?;
        let n = y.shape()[k];
        let mut acc = if n == 0 {
            let mut shape = y.shape().to_vec();
            shape.remove(k);
            Tensor::ones(&shape)?
        } else {
            along(&y, k, 0)?
        };
        for i in 1..n {
            acc = acc.mul(&along(&y, k, i)?)?;
        }
        match (keep, axis) {
            (false, _) => Ok(acc),
            (true, None) => acc.reshape(&vec![1; x.ndim()]),
            (true, Some(_)) => acc.unsqueeze(k as i64),
        }
    })();
    t(r, span)
}

fn cumsum(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    // the running sums of the flattened array, or along `axis`
    let x = a.tensor(0, "a")?;
    let axis = a.opt_axis(1)?;
    let r = (|| {
        let (y, k) = axis_or_flat(&x, axis)?;
        let n = y.shape()[k];
        if n == 0 {
            return Ok(y);
        }
        let mut acc = along(&y, k, 0)?;
        let mut sums = vec![acc.clone()];
        for i in 1..n {
            acc = acc.add(&along(&y, k, i)?)?;
            sums.push(acc.clone());
        }
        Tensor::stack(&sums, k as i64)
    })();
    t(r, a.span)
}

fn unique(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    // The distinct values, sorted (numpy flattens first); with the index of
    // each one's first occurrence, the inverse, and the counts, as asked.
    let x = a.tensor(0, "ar")?;
    let want = [
        a.flag(1, "return_index", false)?,
        a.flag(2, "return_inverse", false)?,
        a.flag(3, "return_counts", false)?,
    ];
    let span = a.span;
    let vals: Vec<Num> = x.value().iter().cloned().collect();
    let order = lib(exact_order(&vals), span)?;
    let mut out: Vec<Num> = Vec::with_capacity(vals.len());
    let mut first = Vec::new();
    let mut counts: Vec<i64> = Vec::new();
    let mut inverse = vec![0; vals.len()];
    for i in order {
        let same = match out.last() {
            Some(l) => lib(l.eq_num(&vals[i]), span)?,
            None => false,
        };
        match counts.last_mut() {
            Some(c) if same => *c += 1,
            _ => {
                out.push(vals[i].clone());
                first.push(i as i64);
                counts.push(1);
            }
        }
        inverse[i] = out.len() as i64 - 1;
    }
    let ints = |v: &[i64]| -> R<Value> {
        let n = v.len();
        let nums = v.iter().map(|&k| Num::int(k)).collect();
        Ok(Value::T(lib(Tensor::from_vec(nums, &[n]), span)?))
    };
    let n = out.len();
    let mut parts = vec![Value::T(lib(Tensor::from_vec(out, &[n]), span)?)];
    for (asked, v) in want.iter().zip([&first, &inverse, &counts]) {
        if *asked {
            parts.push(ints(v)?);
        }
    }
    Ok(match <[Value; 1]>::try_from(parts) {
        Ok([v]) => v,
        Err(parts) => Value::tuple(parts),
    })
}

/// triu, tril, or diag.
enum Diag {
    Upper,
    Lower,
    Both,
}

fn diagonal(a: &mut Args, which: Diag) -> R<Value> {
    let x = a.tensor(0, "m")?;
    let k = a.int(1, "k", Some(0))?;
    let span = a.span;
    match (&which, x.ndim()) {
        // diag of a vector: the square matrix with it on the diagonal
        (Diag::Both, 1) => {
            let n = x.len();
            lib(crate::tensor::check_size("diag", &[n, n]), span)?;
            let mut v = vec![Num::zero(); n * n];
            for (i, e) in x.value().iter().enumerate() {
                v[i * n + i] = e.clone();
            }
            Ok(Value::T(lib(Tensor::from_vec(v, &[n, n]), span)?))
        }
        (Diag::Both, 2) => {
            let (r, c) = (x.shape()[0] as i64, x.shape()[1] as i64);
            let v: Vec<Num> = (0..r)
                .filter(|&i| (0..c).contains(&(i + k)))
                .map(|i| x.value()[[i as usize, (i + k) as usize]].clone())
                .collect();
            let n = v.len();
            Ok(Value::T(lib(Tensor::from_vec(v, &[n]), span)?))
        }
        (_, 2) => {
            // keep j − i ≥ k (triu) or j − i ≤ k (tril), as a mask
            let (r, c) = (x.shape()[0], x.shape()[1]);
            let mask: Vec<Num> = (0..r * c)
                .map(|p| {
                    let d = (p % c) as i64 - (p / c) as i64;
                    let keep = if matches!(which, Diag::Upper) {
                        d >= k
                    } else {
                        d <= k
                    };
                    Num::int(keep as i64)
                })
                .collect();
            let m = lib(Tensor::from_vec(mask, &[r, c]), span)?;
            // a mask stays a mask (np.triu(np.ones(…, dtype=bool)))
            let y = lib(x.mul(&m), span)?;
            Ok(Value::T(if x.is_bool() { y.as_bool() } else { y }))
        }
        _ => Err(LangError::new(
            ErrorKind::Shape,
            format!(
                "{} takes a matrix{}",
                a.name,
                if matches!(which, Diag::Both) {
                    " or a vector"
                } else {
                    ""
                }
            ),
            span,
            None,
        )),
    }
}

fn sort(a: &mut Args, arg: bool) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let span = a.span;
    if x.ndim() != 1 {
        return Err(LangError::new(
            ErrorKind::Shape,
            format!(
                "{} here takes a vector, not shape {}",
                a.name,
                shape_text(x.shape())
            ),
            span,
            None,
        ));
    }
    // A stable sort, compared exactly (numpy's kind="stable").
    let vals: Vec<Num> = x.value().iter().cloned().collect();
    let order = lib(exact_order(&vals), span)?;
    if arg {
        let idx: Vec<Num> = order.iter().map(|&i| Num::int(i as i64)).collect();
        Ok(Value::T(lib(Tensor::from_vec(idx, &[order.len()]), span)?))
    } else if order.is_empty() {
        Ok(Value::T(x))
    } else {
        let rows = order
            .iter()
            .map(|&i| x.slice(&[Idx::At(i as i64)]))
            .collect::<crate::Result<Vec<_>>>()
            .map_err(|e| LangError::from_lib(e, span))?;
        t(Tensor::stack(&rows, 0), span)
    }
}

/// numpy's maximum/minimum: elementwise.
fn pairwise_extreme(a: &mut Args, max: bool) -> R<Value> {
    // numpy names the arguments x1, x2.
    extreme_of_two(a, ("x1", "x2"), max)
}

fn extreme_of_two(a: &mut Args, (k1, k2): (&'static str, &'static str), max: bool) -> R<Value> {
    let x = a.tensor(0, k1)?;
    let y = a.tensor(1, k2)?;
    let r = if max { x.maximum(&y) } else { x.minimum(&y) };
    t(r, a.span)
}

/// Python's max(a, b) is elementwise, as in max(0, m − d); max(x) or
/// max(x, axis=0) reduces, as amax.
pub(super) fn python_extreme(
    it: &Interp,
    a: &mut Args,
    notes: &mut Vec<Note>,
    max: bool,
) -> R<Value> {
    if a.n_pos() == 2 && !a.has("axis") {
        extreme_of_two(a, ("a", "b"), max)
    } else {
        reduce(it, a, notes, if max { Reduce::Max } else { Reduce::Min })
    }
}

#[derive(PartialEq)]
enum Reduce {
    Max,
    Min,
    ArgMax,
    ArgMin,
}

fn reduce(it: &Interp, a: &mut Args, notes: &mut Vec<Note>, r: Reduce) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let (axis, y) = match r {
        Reduce::Max | Reduce::Min => {
            let axes = a.opt_axes(1)?;
            let keep = a.flag(2, "keepdims", false)?;
            (
                None,
                extreme_over(&x, axes.as_deref(), keep, r == Reduce::Max),
            )
        }
        Reduce::ArgMax | Reduce::ArgMin => {
            let axis = a.opt_axis(1)?;
            let y = if r == Reduce::ArgMax {
                x.argmax(axis)
            } else {
                x.argmin(axis)
            };
            (axis, y)
        }
    };
    let v = t(y, a.span)?;
    if matches!(r, Reduce::ArgMax | Reduce::ArgMin) {
        notes::note_ties(it, notes, &x, axis, r == Reduce::ArgMax);
    }
    Ok(v)
}

/// max or min over the axes given (every one when `None`).
fn extreme_over(
    x: &Tensor<Num>,
    axes: Option<&[i64]>,
    keep: bool,
    max: bool,
) -> crate::Result<Tensor<Num>> {
    let one = |y: &Tensor<Num>, axis: Option<i64>, keep: bool| {
        if max {
            y.max(axis, keep)
        } else {
            y.min(axis, keep)
        }
    };
    match axes {
        None => one(x, None, keep),
        Some(&[k]) => one(x, Some(k), keep),
        Some(axes) => {
            let ax = norm_axes(axes, x.ndim())?;
            let mut y = x.clone();
            for &k in &ax {
                y = one(&y, Some(k as i64), true)?;
            }
            if keep {
                return Ok(y);
            }
            let shape: Vec<i64> = (0..x.ndim())
                .filter(|k| !ax.contains(k))
                .map(|k| x.shape()[k] as i64)
                .collect();
            y.reshape(&shape)
        }
    }
}

/// Axes resolved against `ndim`, each once.
fn norm_axes(axes: &[i64], ndim: usize) -> crate::Result<Vec<usize>> {
    let mut ax = axes
        .iter()
        .map(|&k| crate::tensor::norm_axis(k, ndim))
        .collect::<crate::Result<Vec<_>>>()?;
    ax.sort_unstable();
    if ax.windows(2).any(|w| w[0] == w[1]) {
        return Err(crate::Error::invalid("axis", "an axis is repeated"));
    }
    Ok(ax)
}

fn var(a: &mut Args, root: bool) -> R<Value> {
    // mean((x − mean(x))²) over n − ddof values; std is its root.
    let x = a.tensor(0, "a")?;
    let axes = a.opt_axes(1)?;
    let ddof = a.int(2, "ddof", Some(0))?;
    let keep = a.flag(3, "keepdims", false)?;
    let span = a.span;
    let ax = axes.clone();
    let n = match &axes {
        None => x.len(),
        Some(ks) => lib(norm_axes(ks, x.ndim()), span)?
            .iter()
            .map(|&k| x.shape()[k])
            .product(),
    } as i64;
    if n - ddof <= 0 {
        return Err(LangError::new(
            ErrorKind::Value,
            format!(
                "{} of {n} values with ddof={ddof} divides by {}",
                a.name,
                n - ddof
            ),
            span,
            None,
        ));
    }
    let v = x
        .mean(ax.as_deref(), true)
        .and_then(|m| x.sub(&m))
        .and_then(|d| d.mul(&d))
        .and_then(|d2| d2.sum(ax.as_deref(), keep))
        .and_then(|s| s.div(&Tensor::scalar(Num::int(n - ddof))));
    let v = lib(v, span)?;
    if root {
        t(v.sqrt(), span)
    } else {
        Ok(Value::T(v))
    }
}

fn sum_or_mean(a: &mut Args, sum: bool) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let ax = a.opt_axes(1)?;
    let keep = a.flag(2, "keepdims", false)?;
    t(
        if sum {
            x.sum(ax.as_deref(), keep)
        } else {
            x.mean(ax.as_deref(), keep)
        },
        a.span,
    )
}

/// The `ord` of a norm.
#[derive(Clone, Copy, PartialEq)]
enum NormOrd {
    Two,
    One,
    MinusOne,
    Inf,
    MinusInf,
    Fro,
}

fn norm(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    let span = a.span;
    let bad = |s| {
        LangError::new(
            ErrorKind::Value,
            "the norms available are ord=None, 2, 1, np.inf and -np.inf (of vectors), and \"fro\", 1, -1, np.inf, -np.inf of a matrix",
            s,
            None,
        )
    };
    let ord = match a.get(1, "ord") {
        None | Some((Value::None, _)) => None,
        Some((Value::Str(o), s)) => match &*o {
            "fro" => Some(NormOrd::Fro),
            _ => return Err(bad(s)),
        },
        Some((v, s)) => {
            let n = it.tensor(&v, s)?.item().map_err(|_| bad(s))?;
            Some(match (n.infinity(), n.to_i64()) {
                (Some(false), _) => NormOrd::Inf,
                (Some(true), _) => NormOrd::MinusInf,
                (_, Some(2)) => NormOrd::Two,
                (_, Some(1)) => NormOrd::One,
                (_, Some(-1)) => NormOrd::MinusOne,
                _ => return Err(bad(s)),
            })
        }
    };
    let axis = a.opt_axis(2)?;
    let keep = a.flag(3, "keepdims", false)?;
    let r = match (ord, axis) {
        // the 2-norm of everything (Frobenius of a matrix)
        (None, None) => x.norm().and_then(|n| keep_all(n, x.ndim(), keep)),
        // the vector norms
        _ if axis.is_some() || x.ndim() <= 1 => {
            let ax = axis.map(|k| vec![k]);
            match ord.unwrap_or(NormOrd::Two) {
                NormOrd::Two => match axis {
                    None => x.norm().and_then(|n| keep_all(n, x.ndim(), keep)),
                    // Zero-safe as the whole norm: the gradient at 0 is 0 (PyTorch's).
                    Some(_) => x
                        .mul(&x)
                        .and_then(|s| s.sum(ax.as_deref(), keep))
                        .and_then(|s| s.sqrt_or_zero()),
                },
                NormOrd::One => x.abs().and_then(|m| m.sum(ax.as_deref(), keep)),
                NormOrd::Inf => x.abs().and_then(|m| m.max(axis, keep)),
                NormOrd::MinusInf => x.abs().and_then(|m| m.min(axis, keep)),
                NormOrd::MinusOne | NormOrd::Fro => {
                    return Err(LangError::new(
                        ErrorKind::Value,
                        "ord=-1 and \"fro\" of a vector: gradwork has the vector norms 2, 1, np.inf and -np.inf",
                        span,
                        None,
                    ))
                }
            }
        }
        (Some(o), None) if x.ndim() == 2 => {
            // the matrix norms: column sums (1, -1), row sums (inf, -inf)
            let sums = |k: i64| x.abs().and_then(|m| m.sum(Some(&[k]), false));
            match o {
                NormOrd::Fro => x.norm(),
                NormOrd::One => sums(0).and_then(|c| c.max(None, false)),
                NormOrd::MinusOne => sums(0).and_then(|c| c.min(None, false)),
                NormOrd::Inf => sums(1).and_then(|c| c.max(None, false)),
                NormOrd::MinusInf => sums(1).and_then(|c| c.min(None, false)),
                NormOrd::Two => {
                    return Err(LangError::new(
                        ErrorKind::Value,
                        "ord=2 of a matrix is its largest singular value, which gradwork does not compute",
                        span,
                        Some("ord=None (or \"fro\") is the 2-norm of all elements"),
                    ))
                }
            }
            .and_then(|n| keep_all(n, 2, keep))
        }
        _ => {
            return Err(LangError::new(
                ErrorKind::Value,
                "an ord of an array of more than two axes needs axis=…",
                span,
                None,
            ))
        }
    };
    t(r, span)
}

/// A reduction over everything, with `keepdims` as numpy's: shape [1, …, 1].
fn keep_all(y: Tensor<Num>, ndim: usize, keep: bool) -> crate::Result<Tensor<Num>> {
    if keep {
        y.reshape(&vec![1; ndim])
    } else {
        Ok(y)
    }
}

fn all_any(a: &mut Args, all: bool) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let nz = x.value().iter().filter(|n| !n.is_zero()).count();
    Ok(Value::Bool(if all { nz == x.len() } else { nz > 0 }))
}

/// |a − b| ≤ atol + rtol·|b|, decided with guaranteed bounds; isclose
/// elementwise, allclose for all of them.
fn close(a: &mut Args, elementwise: bool) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let y = a.tensor(1, "b")?;
    let rtol = a.num(2, "rtol", Some("1e-5"))?;
    let atol = a.num(3, "atol", Some("1e-8"))?;
    let span = a.span;
    let d = lib(x.sub(&y).and_then(|d| d.abs()), span)?;
    let tol = lib(
        y.abs()
            .and_then(|b| b.mul(&Tensor::scalar(rtol)))
            .and_then(|b| b.add(&Tensor::scalar(atol))),
        span,
    )?;
    let ok = lib(d.le(&tol), span)?;
    Ok(if elementwise {
        Value::T(ok)
    } else {
        Value::Bool(ok.value().iter().all(|n| !n.is_zero()))
    })
}

/// `bits("00,10,11")`: each code becomes a column vector of its bits.
fn bits(it: &mut Interp, c: super::Call) -> R<Value> {
    let span = c.span;
    let mut a = Args::new(it, c);
    let (s, sp) = a.string(0, "codes")?.ok_or_else(|| {
        LangError::new(
            ErrorKind::Type,
            "bits() needs a string such as \"00,10,11\"",
            span,
            None,
        )
    })?;
    a.finish()?;
    let codes: Vec<&str> = s.split(',').map(str::trim).collect();
    let width = codes[0].len();
    let mut v = Vec::new();
    for c in &codes {
        if c.is_empty() || c.len() != width || !c.bytes().all(|b| b == b'0' || b == b'1') {
            return Err(LangError::new(
                ErrorKind::Value,
                format!("\"{c}\" is not a code of {width} bits"),
                sp,
                Some("write codes of 0s and 1s of one length, separated by commas: \"00,10,11\""),
            ));
        }
        v.extend(c.bytes().map(|b| Num::int((b - b'0') as i64)));
    }
    Tensor::from_vec(v, &[codes.len(), width, 1])
        .map(Value::T)
        .map_err(|e| LangError::from_lib(e, sp))
}

/// numpy's `nonzero`: one index array per axis.
fn nonzero(x: Tensor<Num>, span: Span) -> R<Value> {
    if x.ndim() == 0 {
        return Err(LangError::new(
            ErrorKind::Value,
            "nonzero of a single number (numpy refuses it too)",
            span,
            Some("give an array: np.atleast_1d(x), or [x]"),
        ));
    }
    let hits: Vec<Vec<usize>> = x
        .value()
        .indexed_iter()
        .filter(|(_, n)| !n.is_zero())
        .map(|(at, _)| at.slice().to_vec())
        .collect();
    let n = hits.len();
    let parts = (0..x.ndim())
        .map(|k| {
            let v = hits.iter().map(|at| Num::int(at[k] as i64)).collect();
            lib(Tensor::from_vec(v, &[n]), span).map(Value::T)
        })
        .collect::<R<Vec<_>>>()?;
    Ok(Value::tuple(parts))
}

fn argwhere(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let span = a.span;
    let d = x.ndim();
    let v: Vec<Num> = x
        .value()
        .indexed_iter()
        .filter(|(_, n)| !n.is_zero())
        .flat_map(|(at, _)| {
            at.slice()
                .iter()
                .map(|&i| Num::int(i as i64))
                .collect::<Vec<_>>()
        })
        .collect();
    let n = x.value().iter().filter(|n| !n.is_zero()).count();
    t(Tensor::from_vec(v, &[n, d]), span)
}

fn column_stack(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let (v, s) = a.required(0, "tup")?;
    let ts = it
        .unpack(&v, s)?
        .iter()
        .map(|x| it.tensor(x, s))
        .collect::<R<Vec<_>>>()?;
    let ts = nonempty(ts, s)?;
    let cols = ts
        .iter()
        .map(|x| match x.ndim() {
            0 | 1 => x.reshape(&[-1, 1]),
            _ => Ok(x.clone()),
        })
        .collect::<crate::Result<Vec<_>>>();
    t(cols.and_then(|c| Tensor::concat(&c, 1)), a.span)
}

fn trace(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let k = a.int(1, "offset", Some(0))?;
    let span = a.span;
    if x.ndim() != 2 {
        return Err(LangError::new(
            ErrorKind::Shape,
            format!(
                "trace here takes a matrix, not shape {}",
                shape_text(x.shape())
            ),
            span,
            None,
        ));
    }
    // the elements with j − i = k, kept by a mask, then added
    let (r, c) = (x.shape()[0], x.shape()[1]);
    let mask: Vec<Num> = (0..r * c)
        .map(|p| Num::int(((p % c) as i64 - (p / c) as i64 == k) as i64))
        .collect();
    let m = lib(Tensor::from_vec(mask, &[r, c]), span)?;
    t(x.mul(&m).and_then(|y| y.sum(None, false)), span)
}

fn count_nonzero(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let axes = a.opt_axes(1)?;
    let keep = a.flag(2, "keepdims", false)?;
    let nz = Tensor::new(x.value().mapv(|n| Num::int(!n.is_zero() as i64)));
    t(nz.sum(axes.as_deref(), keep), a.span)
}

fn diff(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let mut x = a.tensor(0, "a")?;
    let n = a.usize(1, "n", Some(1))?;
    let axis = a.int(2, "axis", Some(-1))?;
    let span = a.span;
    if x.ndim() == 0 {
        return Err(LangError::new(
            ErrorKind::Shape,
            "diff needs at least one axis",
            span,
            None,
        ));
    }
    let k = lib(crate::tensor::norm_axis(axis, x.ndim()), span)?;
    for _ in 0..n {
        let len = x.shape()[k] as i64;
        if len == 0 {
            break;
        }
        let mut hi = vec![Idx::all(); k];
        hi.push(Idx::range(Some(1), None));
        let mut lo = vec![Idx::all(); k];
        lo.push(Idx::range(None, Some(len - 1)));
        x = lib(x.slice(&hi).and_then(|h| h.sub(&x.slice(&lo)?)), span)?;
    }
    Ok(Value::T(x))
}

fn array_equal(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a1")?;
    let y = a.tensor(1, "a2")?;
    let span = a.span;
    if x.shape() != y.shape() {
        return Ok(Value::Bool(false));
    }
    for (p, q) in x.value().iter().zip(y.value().iter()) {
        if !lib(p.eq_num(q), span)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn round(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let d = a.int(1, "decimals", Some(0))?;
    let v = crate::tensor::try_map(&x.value().view(), |n| super::python::round_digits(n, d));
    t(v.map(Tensor::new), a.span)
}

/// numpy's `ceil`, elementwise: −floor(−x).
fn ceil(x: &Tensor<Num>) -> crate::Result<Tensor<Num>> {
    crate::tensor::try_map(&x.value().view(), |n| n.neg().floor().map(|f| f.neg())).map(Tensor::new)
}

/// A boolean mask of where `f` holds.
fn mask_of(x: &Tensor<Num>, f: fn(&Num) -> bool) -> Value {
    Value::T(Tensor::new(x.value().mapv(|n| Num::int(f(&n) as i64))).as_bool())
}

enum Logic {
    And,
    Or,
    Xor,
}

fn logical(a: &mut Args, op: Logic) -> R<Value> {
    let x = a.tensor(0, "x1")?;
    let y = a.tensor(1, "x2")?;
    let zero = Tensor::scalar(Num::zero());
    let r = (|| {
        let (p, q) = (x.ne(&zero)?, y.ne(&zero)?);
        match op {
            Logic::And => p.mul(&q)?.ne(&zero),
            Logic::Or => p.add(&q)?.ne(&zero),
            Logic::Xor => p.ne(&q),
        }
    })();
    t(r, a.span)
}

fn bincount(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    let w = a.opt_tensor(1, "weights")?;
    let minlength = a.usize(2, "minlength", Some(0))?;
    let span = a.span;
    let bad = || {
        LangError::new(
            ErrorKind::Value,
            "bincount counts a vector of non-negative integers",
            span,
            None,
        )
    };
    if x.ndim() != 1 {
        return Err(bad());
    }
    let idx = x
        .value()
        .iter()
        .map(|n| {
            is_whole(n)
                .then(|| n.to_i64())
                .flatten()
                .and_then(|k| usize::try_from(k).ok())
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(bad)?;
    if let Some(w) = &w {
        if w.shape() != x.shape() {
            return Err(LangError::from_lib(
                crate::Error::mismatch("bincount", x.shape(), w.shape()),
                span,
            ));
        }
    }
    let n = idx.iter().map(|&k| k + 1).max().unwrap_or(0).max(minlength);
    lib(crate::tensor::check_size("bincount", &[n]), span)?;
    let mut out = vec![Num::zero(); n];
    // The weights in the order of `idx` (the same shape, checked above).
    let mut weights = w.as_ref().map(|w| (w, w.value().iter()));
    for &k in &idx {
        let add = match &mut weights {
            Some((w, it)) => it.next().cloned().ok_or_else(|| {
                LangError::from_lib(
                    crate::Error::mismatch("bincount", x.shape(), w.shape()),
                    span,
                )
            })?,
            None => Num::one(),
        };
        out[k] = lib(out[k].add(&add), span)?;
    }
    t(Tensor::from_vec(out, &[n]), span)
}

// ---- linear algebra

/// A square matrix's rows, checked.
fn square_rows(x: &Tensor<Num>, what: &str, span: Span) -> R<Vec<Vec<Num>>> {
    let s = x.shape();
    if s.len() != 2 || s[0] != s[1] {
        return Err(LangError::new(
            ErrorKind::Shape,
            format!("{what} takes a square matrix, not shape {}", shape_text(s)),
            span,
            None,
        ));
    }
    Ok(x.value()
        .outer_iter()
        .map(|r| r.iter().cloned().collect())
        .collect())
}

/// Gauss–Jordan elimination, exactly: reduces `m` to the identity while
/// doing the same to the rows of `rhs`, and gives the determinant (`None`
/// when `m` is singular). With approximate values a pivot must be certainly
/// nonzero; when none is, and none is certainly zero, it is an error.
fn eliminate(m: &mut [Vec<Num>], rhs: &mut [Vec<Num>]) -> crate::Result<Option<Num>> {
    let n = m.len();
    let mut det = Num::one();
    for k in 0..n {
        let mut best: Option<(usize, f64)> = None;
        let mut unsure = false;
        for (r, row) in m.iter().enumerate().skip(k) {
            match row[k].compare(&Num::zero()) {
                Ok(std::cmp::Ordering::Equal) => {}
                Ok(_) => {
                    let mag = row[k].to_f64().abs();
                    if best.is_none_or(|(_, b)| mag > b) {
                        best = Some((r, mag));
                    }
                }
                Err(_) => unsure = true,
            }
        }
        let Some((p, _)) = best else {
            if unsure {
                return Err(crate::Error::Uncertain {
                    what: format!(
                        "whether the matrix is singular: pivot {} is too close to 0",
                        k + 1
                    ),
                });
            }
            return Ok(None);
        };
        if p != k {
            m.swap(p, k);
            rhs.swap(p, k);
            det = det.neg();
        }
        let piv = m[k][k].clone();
        det = det.mul(&piv)?;
        let (prow, prhs) = (m[k].clone(), rhs[k].clone());
        for (r, (row, rrow)) in m.iter_mut().zip(rhs.iter_mut()).enumerate() {
            if r == k || row[k].is_zero() {
                continue;
            }
            let f = row[k].div(&piv)?;
            for (x, p) in row.iter_mut().zip(&prow).skip(k) {
                *x = x.sub(&f.mul(p)?)?;
            }
            for (x, p) in rrow.iter_mut().zip(&prhs) {
                *x = x.sub(&f.mul(p)?)?;
            }
        }
    }
    for (k, (row, rrow)) in m.iter().zip(rhs.iter_mut()).enumerate() {
        let piv = &row[k];
        for x in rrow.iter_mut() {
            *x = x.div(piv)?;
        }
    }
    Ok(Some(det))
}

fn singular(span: Span) -> LangError {
    LangError::new(
        ErrorKind::Value,
        "Singular matrix: it has no inverse (numpy: LinAlgError)",
        span,
        Some("np.linalg.det(a) is 0"),
    )
}

/// The inverse of a square matrix, exactly.
fn inverse(x: &Tensor<Num>, span: Span) -> R<Tensor<Num>> {
    let mut m = square_rows(x, "inv", span)?;
    let n = m.len();
    let mut rhs: Vec<Vec<Num>> = (0..n)
        .map(|i| (0..n).map(|j| Num::int((i == j) as i64)).collect())
        .collect();
    if lib(eliminate(&mut m, &mut rhs), span)?.is_none() {
        return Err(singular(span));
    }
    lib(Tensor::from_vec(rhs.concat(), &[n, n]), span)
}

fn inv(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    inverse(&x, a.span).map(Value::T)
}

fn det(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let mut m = square_rows(&x, "det", a.span)?;
    let mut none = vec![Vec::new(); m.len()];
    let d = lib(eliminate(&mut m, &mut none), a.span)?;
    Ok(Value::num(d.unwrap_or_else(Num::zero)))
}

fn solve(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let b = a.tensor(1, "b")?;
    let span = a.span;
    let mut m = square_rows(&x, "solve", span)?;
    let n = m.len();
    // numpy 2: b of one axis is a vector, of two a matrix of columns
    let bs = b.shape().to_vec();
    if !(1..=2).contains(&bs.len()) || bs[0] != n {
        return Err(LangError::new(
            ErrorKind::Shape,
            format!(
                "solve: a is {}, so b must be [{n}] or [{n}, k], not {}",
                shape_text(x.shape()),
                shape_text(&bs)
            ),
            span,
            None,
        ));
    }
    let mut rhs: Vec<Vec<Num>> = if bs.len() == 1 {
        b.value().iter().map(|v| vec![v.clone()]).collect()
    } else {
        b.value()
            .outer_iter()
            .map(|r| r.iter().cloned().collect())
            .collect()
    };
    if lib(eliminate(&mut m, &mut rhs), span)?.is_none() {
        return Err(singular(span));
    }
    t(Tensor::from_vec(rhs.concat(), &bs), span)
}

fn matrix_power(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let n = a.int(1, "n", None)?;
    let span = a.span;
    let rows = square_rows(&x, "matrix_power", span)?;
    let base = if n < 0 { inverse(&x, span)? } else { x };
    let mut k = n.unsigned_abs();
    if k > 1 << 20 {
        return Err(LangError::new(
            ErrorKind::Limit,
            format!("matrix_power with n = {n} is beyond what gradwork computes"),
            span,
            None,
        ));
    }
    if k == 0 {
        return t(Tensor::eye(rows.len()), span);
    }
    // by squaring: base^k as products of base^(2^i)
    let mut acc: Option<Tensor<Num>> = None;
    let mut sq = base;
    loop {
        if k & 1 == 1 {
            acc = Some(match acc {
                None => sq.clone(),
                Some(p) => lib(p.matmul(&sq), span)?,
            });
        }
        k >>= 1;
        if k == 0 {
            break;
        }
        sq = lib(sq.matmul(&sq), span)?;
    }
    acc.map(Value::T)
        .ok_or_else(|| LangError::internal("matrix_power made no product", span))
}
