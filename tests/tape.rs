//! The gradient tape against the exact engine and against finite differences.
//!
//! Every op is checked through the scalar `Σ f(xs) ⊙ r` with fixed weights
//! `r`, so every output element matters to the gradient. Inputs are odd
//! sixteenths in (−2, 2): exact binary fractions (the exact engine sees the
//! same numbers), never 0 (no kink of relu or |·| is hit).

use gradwork::autograd::{Binary, Unary};
use gradwork::nn::loss::bce_with_logits;
use gradwork::tape::{Tape, Var};
use gradwork::{grad, Error, Idx, Num, Result, Tensor};

type TapeFn = fn(&mut Tape<f64>, &[Var]) -> Result<Var>;
type ExactFn = fn(&[Tensor<Num>]) -> Result<Tensor<Num>>;

struct Case {
    name: &'static str,
    shapes: &'static [&'static [usize]],
    tape: TapeFn,
    exact: ExactFn,
}

/// x² + 1/2: strictly positive, for log, sqrt, division and pow.
fn pos_t(t: &mut Tape<f64>, x: Var) -> Result<Var> {
    let sq = t.mul(x, x)?;
    let half = t.scalar(0.5)?;
    t.add(sq, half)
}
fn pos_e(x: &Tensor<Num>) -> Result<Tensor<Num>> {
    x.mul(x)?.add(&Tensor::scalar(Num::parse("1/2")?))
}

fn unary_t(t: &mut Tape<f64>, op: Unary, x: Var) -> Result<Var> {
    let x = match op {
        Unary::Log | Unary::Sqrt => pos_t(t, x)?,
        _ => x,
    };
    t.unary(op, x)
}

macro_rules! unary_case {
    ($name:literal, $op:expr, $exact:expr) => {
        Case {
            name: $name,
            shapes: &[&[2, 3]],
            tape: |t, v| unary_t(t, $op, v[0]),
            exact: |x| $exact(&x[0]),
        }
    };
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "add",
            shapes: &[&[2, 3], &[2, 3]],
            tape: |t, v| t.add(v[0], v[1]),
            exact: |x| x[0].add(&x[1]),
        },
        Case {
            name: "sub",
            shapes: &[&[2, 3], &[2, 3]],
            tape: |t, v| t.sub(v[0], v[1]),
            exact: |x| x[0].sub(&x[1]),
        },
        Case {
            name: "mul",
            shapes: &[&[2, 3], &[2, 3]],
            tape: |t, v| t.mul(v[0], v[1]),
            exact: |x| x[0].mul(&x[1]),
        },
        Case {
            name: "div",
            shapes: &[&[2, 3], &[2, 3]],
            tape: |t, v| {
                let b = pos_t(t, v[1])?;
                t.div(v[0], b)
            },
            exact: |x| x[0].div(&pos_e(&x[1])?),
        },
        Case {
            name: "pow",
            shapes: &[&[2, 3], &[2, 3]],
            tape: |t, v| {
                let a = pos_t(t, v[0])?;
                t.binary(Binary::Pow, a, v[1])
            },
            exact: |x| pos_e(&x[0])?.pow(&x[1]),
        },
        Case {
            name: "maximum",
            shapes: &[&[2, 3], &[2, 3]],
            tape: |t, v| t.binary(Binary::Maximum, v[0], v[1]),
            exact: |x| x[0].maximum(&x[1]),
        },
        Case {
            name: "minimum",
            shapes: &[&[2, 3], &[2, 3]],
            tape: |t, v| t.binary(Binary::Minimum, v[0], v[1]),
            exact: |x| x[0].minimum(&x[1]),
        },
        // broadcasting: a row vector, a column, a scalar, both sides stretched
        Case {
            name: "matrix + row vector",
            shapes: &[&[3, 4], &[4]],
            tape: |t, v| t.add(v[0], v[1]),
            exact: |x| x[0].add(&x[1]),
        },
        Case {
            name: "row vector / matrix",
            shapes: &[&[4], &[3, 4]],
            tape: |t, v| {
                let b = pos_t(t, v[1])?;
                t.div(v[0], b)
            },
            exact: |x| x[0].div(&pos_e(&x[1])?),
        },
        Case {
            name: "matrix − column",
            shapes: &[&[3, 4], &[3, 1]],
            tape: |t, v| t.sub(v[0], v[1]),
            exact: |x| x[0].sub(&x[1]),
        },
        Case {
            name: "matrix · scalar",
            shapes: &[&[3, 4], &[]],
            tape: |t, v| t.mul(v[0], v[1]),
            exact: |x| x[0].mul(&x[1]),
        },
        Case {
            name: "[1, 3] · [2, 1]",
            shapes: &[&[1, 3], &[2, 1]],
            tape: |t, v| t.mul(v[0], v[1]),
            exact: |x| x[0].mul(&x[1]),
        },
        Case {
            name: "x · x (one input twice)",
            shapes: &[&[2, 2]],
            tape: |t, v| t.mul(v[0], v[0]),
            exact: |x| x[0].mul(&x[0]),
        },
        unary_case!("neg", Unary::Neg, |x: &Tensor<Num>| x.neg()),
        unary_case!("exp", Unary::Exp, |x: &Tensor<Num>| x.exp()),
        unary_case!("log", Unary::Log, |x: &Tensor<Num>| pos_e(x)?.log()),
        unary_case!("sqrt", Unary::Sqrt, |x: &Tensor<Num>| pos_e(x)?.sqrt()),
        unary_case!("tanh", Unary::Tanh, |x: &Tensor<Num>| x.tanh()),
        unary_case!("sigmoid", Unary::Sigmoid, |x: &Tensor<Num>| x.sigmoid()),
        unary_case!("relu", Unary::Relu, |x: &Tensor<Num>| x.relu()),
        unary_case!("abs", Unary::Abs, |x: &Tensor<Num>| x.abs()),
        unary_case!("sin", Unary::Sin, |x: &Tensor<Num>| x.sin()),
        unary_case!("cos", Unary::Cos, |x: &Tensor<Num>| x.cos()),
        Case {
            name: "matmul",
            shapes: &[&[2, 3], &[3, 4]],
            tape: |t, v| t.matmul(v[0], v[1]),
            exact: |x| x[0].matmul(&x[1]),
        },
        Case {
            name: "matmul through the GEMM kernel",
            shapes: &[&[20, 18], &[18, 17]],
            tape: |t, v| t.matmul(v[0], v[1]),
            exact: |x| x[0].matmul(&x[1]),
        },
        Case {
            name: "sum",
            shapes: &[&[2, 3]],
            tape: |t, v| t.sum(v[0]),
            exact: |x| x[0].sum_all(),
        },
        Case {
            name: "mean",
            shapes: &[&[2, 3]],
            tape: |t, v| t.mean(v[0]),
            exact: |x| x[0].mean(None, false),
        },
        Case {
            name: "sum over axis 0",
            shapes: &[&[2, 3]],
            tape: |t, v| t.sum_axis(v[0], 0),
            exact: |x| x[0].sum(Some(&[0]), false),
        },
        Case {
            name: "sum over axis 1",
            shapes: &[&[2, 3]],
            tape: |t, v| t.sum_axis(v[0], 1),
            exact: |x| x[0].sum(Some(&[1]), false),
        },
        Case {
            name: "mean over axis 1",
            shapes: &[&[2, 3]],
            tape: |t, v| t.mean_axis(v[0], 1),
            exact: |x| x[0].mean(Some(&[1]), false),
        },
        Case {
            name: "mean of a vector over axis 0",
            shapes: &[&[5]],
            tape: |t, v| t.mean_axis(v[0], 0),
            exact: |x| x[0].mean(Some(&[0]), false),
        },
        Case {
            name: "columns 1..3",
            shapes: &[&[3, 5]],
            tape: |t, v| t.cols(v[0], 1..3),
            exact: |x| x[0].slice(&[Idx::all(), Idx::range(Some(1), Some(3))]),
        },
        Case {
            name: "concat along rows",
            shapes: &[&[2, 3], &[1, 3]],
            tape: |t, v| t.concat(v[0], v[1], 0),
            exact: |x| Tensor::concat(&[x[0].clone(), x[1].clone()], 0),
        },
        Case {
            name: "concat along columns",
            shapes: &[&[2, 3], &[2, 2]],
            tape: |t, v| t.concat(v[0], v[1], 1),
            exact: |x| Tensor::concat(&[x[0].clone(), x[1].clone()], 1),
        },
        Case {
            name: "concat of vectors",
            shapes: &[&[3], &[2]],
            tape: |t, v| t.concat(v[0], v[1], 0),
            exact: |x| Tensor::concat(&[x[0].clone(), x[1].clone()], 0),
        },
        Case {
            name: "bce_with_logits_mean",
            shapes: &[&[3, 2], &[3, 2]],
            tape: |t, v| t.bce_with_logits_mean(v[0], v[1]),
            exact: |x| bce_with_logits(&x[0], &x[1]),
        },
        Case {
            name: "sigmoid(x @ w + b).sum() (op_overhead)",
            shapes: &[&[2, 2], &[2, 2], &[2]],
            tape: |t, v| {
                let z = t.matmul(v[0], v[1])?;
                let z = t.add(z, v[2])?;
                let s = t.sigmoid(z)?;
                t.sum(s)
            },
            exact: |x| x[0].matmul(&x[1])?.add(&x[2])?.sigmoid()?.sum_all(),
        },
        Case {
            name: "an LSTM-style gate split",
            shapes: &[&[2, 3], &[3, 8]],
            tape: |t, v| {
                let z = t.matmul(v[0], v[1])?;
                let (i, g) = (t.cols(z, 0..4)?, t.cols(z, 4..8)?);
                let (i, g) = (t.sigmoid(i)?, t.tanh(g)?);
                t.mul(i, g)
            },
            exact: |x| {
                let z = x[0].matmul(&x[1])?;
                let cols = |a, b| z.slice(&[Idx::all(), Idx::range(Some(a), Some(b))]);
                cols(0, 4)?.sigmoid()?.mul(&cols(4, 8)?.tanh()?)
            },
        },
    ]
}

/// Odd sixteenths in (−2, 2), from a fixed seed.
fn draw(rng: &mut fastrand::Rng, shape: &[usize]) -> Vec<f64> {
    let n = shape.iter().product();
    (0..n)
        .map(|_| (2 * rng.i32(-16..16) + 1) as f64 / 16.0)
        .collect()
}

/// The fixed weights of output element `k`.
fn weights(n: usize) -> Vec<f64> {
    (0..n).map(|k| (k % 7) as f64 / 4.0 - 0.625).collect()
}

/// Records the case on `t` and returns its inputs and `Σ f ⊙ r`.
fn record(t: &mut Tape<f64>, c: &Case, xs: &[Vec<f64>]) -> Result<(Vec<Var>, Var)> {
    let vars = xs
        .iter()
        .zip(c.shapes)
        .map(|(x, s)| t.param(x, s))
        .collect::<Result<Vec<_>>>()?;
    let out = (c.tape)(t, &vars)?;
    let shape = t.shape(out).to_vec();
    let r = t.constant(&weights(t.value(out).len()), &shape)?;
    let p = t.mul(out, r)?;
    Ok((vars, t.sum(p)?))
}

fn exact(c: &Case, xs: &[Vec<f64>]) -> Result<(f64, Vec<Vec<f64>>)> {
    let ts = xs
        .iter()
        .zip(c.shapes)
        .map(|(x, s)| {
            let v = x
                .iter()
                .map(|&f| Num::from_f64_exact(f))
                .collect::<Result<_>>()?;
            Tensor::from_vec(v, s)
        })
        .collect::<Result<Vec<_>>>()?;
    let out = (c.exact)(&ts)?;
    let r = weights(out.value().len())
        .into_iter()
        .map(Num::from_f64_exact)
        .collect::<Result<_>>()?;
    let y = out.mul(&Tensor::from_vec(r, out.shape())?)?.sum_all()?;
    let refs: Vec<&Tensor<Num>> = ts.iter().collect();
    let gs = grad(&y, &refs)?
        .iter()
        .map(|g| g.value().iter().map(Num::to_f64).collect())
        .collect();
    Ok((y.value().iter().map(Num::to_f64).sum(), gs))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn every_op_agrees_with_the_exact_engine() {
    let mut rng = fastrand::Rng::with_seed(10);
    for c in cases() {
        for _ in 0..3 {
            let xs: Vec<Vec<f64>> = c.shapes.iter().map(|s| draw(&mut rng, s)).collect();
            let mut t = Tape::new();
            let (vars, y) = record(&mut t, &c, &xs).unwrap();
            t.backward(y).unwrap();
            let (ey, egs) = exact(&c, &xs).unwrap();
            let ty = t.value(y)[0];
            assert!(close(ty, ey, 1e-12), "{}: value {ty} vs exact {ey}", c.name);
            for (i, (v, eg)) in vars.iter().zip(&egs).enumerate() {
                let g = t.grad(*v);
                assert_eq!(g.len(), eg.len(), "{}: input {i}", c.name);
                for (k, (a, b)) in g.iter().zip(eg).enumerate() {
                    assert!(
                        close(*a, *b, 1e-12),
                        "{}: ∂/∂x{i}[{k}] {a} vs exact {b}",
                        c.name
                    );
                }
            }
        }
    }
}

/// `Σ f ⊙ r` without recording gradients.
fn eval(c: &Case, xs: &[Vec<f64>]) -> f64 {
    let mut t = Tape::new();
    t.set_grad_enabled(false);
    let (_, y) = record(&mut t, c, xs).unwrap();
    t.value(y)[0]
}

#[test]
fn every_op_agrees_with_central_differences() {
    let h = 1e-6;
    let mut rng = fastrand::Rng::with_seed(11);
    for c in cases() {
        let xs: Vec<Vec<f64>> = c.shapes.iter().map(|s| draw(&mut rng, s)).collect();
        let mut t = Tape::new();
        let (vars, y) = record(&mut t, &c, &xs).unwrap();
        t.backward(y).unwrap();
        for (i, v) in vars.iter().enumerate() {
            for k in 0..xs[i].len() {
                let mut up = xs.clone();
                up[i][k] += h;
                let mut down = xs.clone();
                down[i][k] -= h;
                let fd = (eval(&c, &up) - eval(&c, &down)) / (2.0 * h);
                let g = t.grad(*v)[k];
                assert!(close(g, fd, 1e-6), "{}: ∂/∂x{i}[{k}] {g} vs {fd}", c.name);
            }
        }
    }
}

#[test]
fn no_grad_computes_the_same_values_and_no_gradient() {
    let mut rng = fastrand::Rng::with_seed(12);
    for c in cases() {
        let xs: Vec<Vec<f64>> = c.shapes.iter().map(|s| draw(&mut rng, s)).collect();
        let mut t = Tape::new();
        let (_, y) = record(&mut t, &c, &xs).unwrap();
        assert_eq!(
            t.value(y)[0].to_bits(),
            eval(&c, &xs).to_bits(),
            "{}",
            c.name
        );
        let (vars, y) = t.no_grad(|t| record(t, &c, &xs)).unwrap();
        t.backward(y).unwrap();
        assert!(t.grad(vars[0]).iter().all(|g| *g == 0.0), "{}", c.name);
    }
}

#[test]
fn a_cleared_tape_gives_the_same_results() {
    let c = &cases()[cases().len() - 1];
    let mut rng = fastrand::Rng::with_seed(13);
    let xs: Vec<Vec<f64>> = c.shapes.iter().map(|s| draw(&mut rng, s)).collect();
    let mut t = Tape::new();
    let mut first = None;
    let mut stale = None;
    for _ in 0..3 {
        t.clear();
        assert!(t.is_empty());
        let (vars, y) = record(&mut t, c, &xs).unwrap();
        t.backward(y).unwrap();
        let now = (t.value(y).to_vec(), t.grad(vars[1]).to_vec());
        assert_eq!(first.get_or_insert_with(|| now.clone()), &now);
        stale = Some(y);
    }
    // a handle from before the clear is not on the tape any more
    let stale = stale.unwrap();
    t.clear();
    assert!(matches!(t.sum(stale), Err(Error::Invalid { .. })));
    assert_eq!(t.value(stale), &[] as &[f64]);
}

#[test]
fn f32_follows_f64() {
    let mut t32 = Tape::<f32>::new();
    let mut t64 = Tape::<f64>::new();
    let (x, w) = ([0.5, -1.2, 0.3, 0.8], [1.1, -0.4, 0.7, 0.2]);
    let x32 = t32.constant(&x.map(|v| v as f32), &[2, 2]).unwrap();
    let w32 = t32.param(&w.map(|v| v as f32), &[2, 2]).unwrap();
    let z = t32.matmul(x32, w32).unwrap();
    let s = t32.sigmoid(z).unwrap();
    let y32 = t32.sum(s).unwrap();
    t32.backward(y32).unwrap();
    let x64 = t64.constant(&x, &[2, 2]).unwrap();
    let w64 = t64.param(&w, &[2, 2]).unwrap();
    let z = t64.matmul(x64, w64).unwrap();
    let s = t64.sigmoid(z).unwrap();
    let y64 = t64.sum(s).unwrap();
    t64.backward(y64).unwrap();
    assert!((t32.value(y32)[0] as f64 - t64.value(y64)[0]).abs() < 1e-6);
    for (a, b) in t32.grad(w32).iter().zip(t64.grad(w64)) {
        assert!((*a as f64 - b).abs() < 1e-6);
    }
}

#[test]
fn shape_errors_are_errors() {
    let mut t = Tape::<f64>::new();
    let a = t.param(&[0.0; 6], &[2, 3]).unwrap();
    let b = t.param(&[0.0; 4], &[2, 2]).unwrap();
    let v = t.param(&[0.0; 2], &[2]).unwrap();
    let s = t.scalar(1.0).unwrap();
    let mismatch = |r: Result<Var>| matches!(r, Err(Error::ShapeMismatch { .. }));
    assert!(mismatch(t.add(a, b)));
    assert_eq!(
        t.mul(a, v).unwrap_err().to_string(),
        "shape mismatch in ·: [2, 3] and [2]"
    );
    assert!(mismatch(t.matmul(a, b)));
    assert!(mismatch(t.matmul(v, b)));
    assert!(mismatch(t.concat(a, b, 0)));
    assert!(mismatch(t.concat(a, v, 1)));
    assert!(mismatch(t.concat(s, s, 0)));
    assert!(mismatch(t.bce_with_logits_mean(a, b)));
    assert!(matches!(t.cols(a, 2..4), Err(Error::Shape { .. })));
    assert!(matches!(t.cols(s, 0..1), Err(Error::Shape { .. })));
    assert!(matches!(
        t.sum_axis(a, 2),
        Err(Error::AxisOutOfRange { .. })
    ));
    assert!(matches!(
        t.param(&[0.0; 5], &[2, 3]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        t.param(&[0.0; 8], &[2, 2, 2]),
        Err(Error::Shape { .. })
    ));
    // the float path fails where the exact one does: division by zero
    let z = t.constant(&[0.0], &[]).unwrap();
    assert!(matches!(t.div(a, z), Err(Error::DivisionByZero)));
}

#[test]
fn gradient_reaches_only_what_y_depends_on() {
    let mut t = Tape::<f64>::new();
    let a = t.param(&[1.0, 2.0], &[2]).unwrap();
    let b = t.param(&[3.0, 4.0], &[2]).unwrap();
    let side = t.mul(b, b).unwrap();
    let y = t.sum(a).unwrap();
    t.backward(y).unwrap();
    assert_eq!(t.grad(a), &[1.0, 1.0]);
    assert_eq!(t.grad(b), &[0.0, 0.0]);
    assert_eq!(t.grad(side), &[0.0, 0.0]);
}

#[test]
fn empty_operands_do_not_panic() {
    let mut t = Tape::<f64>::new();
    let a = t.param(&[], &[2, 0]).unwrap();
    let b = t.param(&[], &[0, 3]).unwrap();
    let z = t.matmul(a, b).unwrap();
    assert_eq!((t.shape(z), t.value(z)), (&[2, 3][..], &[0.0; 6][..]));
    let c = t.param(&[1.0; 6], &[3, 2]).unwrap();
    let e = t.param(&[], &[2, 0]).unwrap();
    let w = t.matmul(c, e).unwrap();
    let y = t.sum(w).unwrap();
    t.backward(y).unwrap();
    assert_eq!(t.grad(c), &[0.0; 6]);
    let s = t.cols(c, 1..1).unwrap();
    assert_eq!(t.shape(s), &[3, 0]);
}
