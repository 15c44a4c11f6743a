//! Tensor built-ins under numpy's names: construction, shape, reductions
//! and elementwise math. Reductions compare exactly (a tie is noted, a
//! comparison too close to call is an error), and where numpy converts to
//! float gradwork keeps the exact value.

use super::{exact_order, floor, lib, notes, one_tensor, t, usizes, Args, Builtin};
use crate::explain::Note;
use crate::lang::interp::{Interp, R};
use crate::lang::value::{shape_text, Value};
use crate::lang::{ErrorKind, LangError, Span};
use crate::{Idx, Num, Tensor};

#[rustfmt::skip]
pub(super) static ROWS: &[Builtin] = &[
    // ---- construction
    Builtin::args("array", "array(object, dtype=None)", "a list as a tensor, an array as a copy; `dtype` changes nothing (always exact)", array)
        .aka(&["tensor"]).at(&["np.array"]),
    Builtin::args("zeros", "zeros(shape)", "a tensor of zeros", |it, a, _| filled(it, a, Tensor::zeros))
        .at(&["np.zeros"]),
    Builtin::args("ones", "ones(shape)", "a tensor of ones", |it, a, _| filled(it, a, Tensor::ones))
        .at(&["np.ones"]),
    Builtin::args("eye", "eye(N, M=None, k=0, dtype=None)", "ones on the k-th diagonal of an N×M matrix", eye)
        .at(&["np.eye", "np.identity"]),
    Builtin::args("full", "full(shape, fill_value)", "a tensor of one value", full)
        .at(&["np.full"]),
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
    Builtin::args("maximum", "maximum(x1, x2)", "the larger of each pair; a tie splits the gradient", |_, a, _| pairwise_extreme(a, true))
        .at(&["np.maximum"]),
    Builtin::args("minimum", "minimum(x1, x2)", "the smaller of each pair; a tie splits the gradient", |_, a, _| pairwise_extreme(a, false))
        .at(&["np.minimum"]),
    Builtin::args("max", "max(a, b)", "Python's: with two arguments elementwise, else as `amax`", |it, a, n| python_extreme(it, a, n, true)),
    Builtin::args("min", "min(a, b)", "Python's: with two arguments elementwise, else as `amin`", |it, a, n| python_extreme(it, a, n, false)),
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
    Builtin::args("norm", "norm(x, ord=2, axis=None)", "the vector norm ord=2 or ord=1 (of a matrix along `axis`); the gradient at 0 is 0", norm)
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
    Builtin::args("zeros_like", "zeros_like(a)", "zeros of a's shape", |_, a, _| like(a, Tensor::zeros))
        .at(&["np.zeros_like"]),
    Builtin::args("ones_like", "ones_like(a)", "ones of a's shape", |_, a, _| like(a, Tensor::ones))
        .at(&["np.ones_like"]),
    Builtin::args("square", "square(x)", "x·x", square)
        .at(&["np.square"]),
    Builtin::args("sign", "sign(x)", "−1, 0 or 1", sign)
        .at(&["np.sign"]),
    Builtin::args("outer", "outer(a, b)", "every product a_i·b_j", outer)
        .at(&["np.outer"]),
    Builtin::args("clip", "clip(a, a_min, a_max)", "each element held within [a_min, a_max]", clip)
        .at(&["np.clip"]).method("clip"),
    Builtin::args("where", "where(condition, x, y)", "x where the condition holds, else y", where_)
        .at(&["np.where"]),
    Builtin::args("prod", "prod(a)", "the product of the flattened array", prod)
        .at(&["np.prod"]).method("prod"),
    Builtin::args("cumsum", "cumsum(a)", "the running sums of the flattened array", cumsum)
        .at(&["np.cumsum"]).method("cumsum"),
    Builtin::args("argsort", "argsort(a)", "the stable order of a vector, compared exactly", |_, a, _| sort(a, true))
        .at(&["np.argsort"]).method("argsort"),
    Builtin::args("sort", "sort(a)", "a vector in order, compared exactly", |_, a, _| sort(a, false))
        .at(&["np.sort"]),
    Builtin::args("var", "var(a, axis=None, ddof=0)", "mean((x − mean(x))²) over n − ddof values, exactly", |_, a, _| var(a, false))
        .at(&["np.var"]).method("var"),
    Builtin::args("std", "std(a, axis=None, ddof=0)", "the square root of `var`", |_, a, _| var(a, true))
        .at(&["np.std"]).method("std"),
    Builtin::args("unique", "unique(ar)", "the distinct values, sorted (flattened first); no gradient", unique)
        .at(&["np.unique"]),
    Builtin::args("triu", "triu(m, k=0)", "the matrix with the elements below the k-th diagonal zeroed", |_, a, _| diagonal(a, Diag::Upper))
        .at(&["np.triu"]),
    Builtin::args("tril", "tril(m, k=0)", "the matrix with the elements above the k-th diagonal zeroed", |_, a, _| diagonal(a, Diag::Lower))
        .at(&["np.tril"]),
    Builtin::args("diag", "diag(m, k=0)", "the k-th diagonal of a matrix, or the square matrix with a vector on its diagonal; no gradient", |_, a, _| diagonal(a, Diag::Both))
        .at(&["np.diag"]),
    Builtin::args("isclose", "isclose(a, b, rtol=1e-5, atol=1e-8)", "`allclose` elementwise", |_, a, _| close(a, true))
        .at(&["np.isclose"]),
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
    a.get(1, "dtype");
    Ok(Value::T(if matches!(v, Value::T(_)) {
        x.copy()
    } else {
        x
    }))
}

fn filled(it: &Interp, a: &mut Args, f: fn(&[usize]) -> Tensor<Num>) -> R<Value> {
    let (v, s) = a.required(0, "shape")?;
    let shape = shape_arg(it, &v, s)?;
    Ok(Value::T(f(&shape)))
}

fn full(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let (v, s) = a.required(0, "shape")?;
    let shape = shape_arg(it, &v, s)?;
    let fill = a.num(1, "fill_value", None)?;
    Ok(Value::T(Tensor::full(&shape, fill)))
}

fn eye(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    // eye(N, M=None, k=0, dtype=…): ones on the k-th diagonal of N×M;
    // every number is exact, so dtype changes nothing.
    let span = a.span;
    let n = a.usize(0, "N", None)?;
    let m = match a.get(1, "M") {
        None | Some((Value::None, _)) => n,
        Some((v, s)) => usizes(it, &Value::list(vec![v]), s, "M is a size")?[0],
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
    let (start, stop) = if a.n_pos() >= 2 {
        (a.num(0, "start", None)?, a.num(1, "stop", None)?)
    } else {
        (Num::zero(), a.num(0, "stop", None)?)
    };
    let step = a.num(2, "step", Some("1"))?;
    t(Tensor::arange(&start, &stop, &step), a.span)
}

fn shape(it: &mut Interp, c: super::Call) -> R<Value> {
    let x = one_tensor(it, "shape", &c.pos, c.span)?;
    Ok(Value::tuple(
        x.shape()
            .iter()
            .map(|&d| Value::num(Num::int(d as i64)))
            .collect(),
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

fn like(a: &mut Args, f: fn(&[usize]) -> Tensor<Num>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    Ok(Value::T(f(x.shape())))
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
            let keep = keep
                .value()
                .broadcast(shape.clone())
                .expect("broadcast shape");
            let inf = inf
                .value()
                .broadcast(shape.clone())
                .expect("broadcast shape");
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

/// The elements of the flattened argument `a`, each a 0-d tensor.
fn flat_items(a: &mut Args) -> R<Vec<Tensor<Num>>> {
    let x = a.tensor(0, "a")?;
    let span = a.span;
    let flat = lib(x.reshape(&[-1]), span)?;
    (0..flat.len() as i64)
        .map(|i| flat.slice(&[Idx::At(i)]))
        .collect::<crate::Result<_>>()
        .map_err(|e| LangError::from_lib(e, span))
}

fn prod(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let items = flat_items(a)?;
    let mut acc = Tensor::scalar(Num::one());
    for v in &items {
        acc = lib(acc.mul(v), a.span)?;
    }
    Ok(Value::T(acc))
}

fn cumsum(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    // the running sums of the flattened array, as np.cumsum(x)
    let items = flat_items(a)?;
    let mut sums = Vec::with_capacity(items.len());
    let mut acc = Tensor::scalar(Num::zero());
    for v in &items {
        acc = lib(acc.add(v), a.span)?;
        sums.push(acc.clone());
    }
    if sums.is_empty() {
        Ok(Value::T(Tensor::zeros(&[0])))
    } else {
        t(Tensor::stack(&sums, 0), a.span)
    }
}

fn unique(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    // The distinct values, sorted (numpy flattens first).
    let x = a.tensor(0, "ar")?;
    let span = a.span;
    let vals: Vec<Num> = x.value().iter().cloned().collect();
    let order = lib(exact_order(&vals), span)?;
    let mut out: Vec<Num> = Vec::with_capacity(vals.len());
    for v in order.into_iter().map(|i| vals[i].clone()) {
        if !out.last().is_some_and(|l| l.eq_num(&v).unwrap_or(false)) {
            out.push(v);
        }
    }
    let n = out.len();
    Ok(Value::T(lib(Tensor::from_vec(out, &[n]), span)?))
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
            t(x.mul(&m), span)
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
fn python_extreme(it: &Interp, a: &mut Args, notes: &mut Vec<Note>, max: bool) -> R<Value> {
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
    let axis = a.opt_axis(1)?;
    let keep = a.flag(2, "keepdims", false)?;
    let y = match r {
        Reduce::Max => x.max(axis, keep),
        Reduce::Min => x.min(axis, keep),
        Reduce::ArgMax => x.argmax(axis),
        Reduce::ArgMin => x.argmin(axis),
    };
    let v = t(y, a.span)?;
    if matches!(r, Reduce::ArgMax | Reduce::ArgMin) {
        notes::note_ties(it, notes, &x, axis, r == Reduce::ArgMax);
    }
    Ok(v)
}

fn var(a: &mut Args, root: bool) -> R<Value> {
    // mean((x − mean(x))²) over n − ddof values; std is its root.
    let x = a.tensor(0, "a")?;
    let axis = a.opt_axis(1)?;
    let ddof = a.int(2, "ddof", Some(0))?;
    let span = a.span;
    let ax = axis.map(|v| vec![v]);
    let n = match axis {
        None => x.len(),
        Some(k) => {
            let k = lib(crate::tensor::norm_axis(k, x.ndim()), span)?;
            x.shape()[k]
        }
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
        .and_then(|d2| d2.sum(ax.as_deref(), false))
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
    let axis = a.opt_axis(1)?;
    let keep = a.flag(2, "keepdims", false)?;
    let ax = axis.map(|v| vec![v]);
    t(
        if sum {
            x.sum(ax.as_deref(), keep)
        } else {
            x.mean(ax.as_deref(), keep)
        },
        a.span,
    )
}

fn norm(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    let span = a.span;
    let ord = match a.get(1, "ord") {
        None | Some((Value::None, _)) => 2,
        Some((v, s)) => match it.tensor(&v, s)?.item().ok().and_then(|n| n.to_i64()) {
            Some(k @ (1 | 2)) => k,
            _ => {
                return Err(LangError::new(
                    ErrorKind::Value,
                    "the norms available are ord=2 (the default) and ord=1",
                    s,
                    Some("the largest magnitude is max(abs(x))"),
                ))
            }
        },
    };
    let axis = a.opt_axis(2)?;
    if ord == 1 && axis.is_none() && x.ndim() > 1 {
        return Err(LangError::new(
            ErrorKind::Value,
            "ord=1 of a matrix is numpy's largest column sum; gradwork has the vector norms only",
            span,
            Some("give axis=… for the norms of its rows or columns"),
        ));
    }
    let ax = axis.map(|v| vec![v]);
    match (ord, axis) {
        (2, None) => t(x.norm(), span),
        // Zero-safe as the whole norm: the gradient at 0 is 0 (PyTorch's).
        (2, Some(_)) => t(
            x.mul(&x)
                .and_then(|s| s.sum(ax.as_deref(), false))
                .and_then(|s| s.sqrt_or_zero()),
            span,
        ),
        _ => t(x.abs().and_then(|m| m.sum(ax.as_deref(), false)), span),
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
