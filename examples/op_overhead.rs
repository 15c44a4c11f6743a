//! Per-iteration cost of a tiny forward+backward, the same workload as
//! `../shared/bench/op_overhead.py`: `y = sigmoid(x @ w).sum()`, then ∂y/∂w,
//! with `x` and `w` 2×2 (or `--size n`: n×n). Prints the microseconds per
//! iteration of each repeat, the median over repeats (with min and max),
//! and last `us_per_iter=<median>` as `op_overhead.py` prints it.
//!
//! Floats run on the gradient tape ([`gradwork::tape::Tape`]), recording the
//! graph anew each step as torch does; `--engine tensor` runs them through
//! the explainable [`Tensor`] instead. `exact` always uses `Tensor<Num>`.
//!
//!     cargo run --release --example op_overhead -- --dtype f64|f32|exact [--engine tape|tensor] [--size N] [--iters N] [--repeats R]

use std::time::Instant;

use gradwork::tape::{Float, Tape};
use gradwork::{grad, Element, Num, Tensor};

/// The fixed 2×2 inputs (the Python script draws them from a seeded normal;
/// the cost does not depend on them), tiled to n×n.
fn inputs(n: usize) -> (Vec<f64>, Vec<f64>) {
    let (x, w) = ([0.5, -1.2, 0.3, 0.8], [1.1, -0.4, 0.7, 0.2]);
    let tile =
        |v: [f64; 4]| -> Vec<f64> { (0..n * n).map(|k| v[(k / n % 2) * 2 + k % n % 2]).collect() };
    (tile(x), tile(w))
}

fn time(
    iters: usize,
    repeats: usize,
    warmup: usize,
    mut step: impl FnMut() -> gradwork::Result<()>,
) -> gradwork::Result<Vec<f64>> {
    for _ in 0..warmup {
        step()?;
    }
    let mut per_iter = Vec::new();
    for _ in 0..repeats {
        let t0 = Instant::now();
        for _ in 0..iters {
            step()?;
        }
        per_iter.push(t0.elapsed().as_secs_f64() * 1e6 / iters as f64);
    }
    Ok(per_iter)
}

fn tensor<T: Element>(n: usize, it: [usize; 3]) -> gradwork::Result<Vec<f64>> {
    let (xv, wv) = inputs(n);
    // The decimals as written (0.3 is 3/10 exactly, as a student's literal
    // is), not the binary fractions of their floats.
    let conv = |v: Vec<f64>| -> gradwork::Result<Tensor<T>> {
        let v = v
            .into_iter()
            .map(|f| T::from_num(&Num::parse(&f.to_string())?))
            .collect::<gradwork::Result<Vec<T>>>()?;
        Tensor::from_vec(v, &[n, n])
    };
    let (x, w) = (conv(xv)?, conv(wv)?);
    time(it[0], it[1], it[2], || {
        let y = x.matmul(&w)?.sigmoid()?.sum_all()?;
        let g = grad(&y, &[&w])?;
        std::hint::black_box(g);
        Ok(())
    })
}

fn tape<F: Float>(n: usize, it: [usize; 3]) -> gradwork::Result<Vec<f64>> {
    let (xv, wv) = inputs(n);
    let conv = |v: Vec<f64>| -> gradwork::Result<Vec<F>> {
        v.into_iter()
            .map(|f| F::from_num(&Num::from_f64_exact(f)?))
            .collect()
    };
    let (xv, wv) = (conv(xv)?, conv(wv)?);
    let mut t = Tape::<F>::new();
    time(it[0], it[1], it[2], || {
        t.clear();
        let x = t.constant(&xv, &[n, n])?;
        let w = t.param(&wv, &[n, n])?;
        let z = t.matmul(x, w)?;
        let s = t.sigmoid(z)?;
        let y = t.sum(s)?;
        t.backward(y)?;
        std::hint::black_box(t.grad(w));
        Ok(())
    })
}

fn main() -> gradwork::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_string())
    };
    let number = |name: &str, default: usize| flag(name, "").parse().unwrap_or(default);
    let n = number("--size", 2);
    let it = [
        number("--iters", 10_000),
        number("--repeats", 5),
        number("--warmup", 1_000),
    ];
    let on_tape = flag("--engine", "tape") != "tensor";
    let mut t = match flag("--dtype", "f64").as_str() {
        "exact" => tensor::<Num>(n, it)?,
        "f32" if on_tape => tape::<f32>(n, it)?,
        "f32" => tensor::<f32>(n, it)?,
        _ if on_tape => tape::<f64>(n, it)?,
        _ => tensor::<f64>(n, it)?,
    };
    for (i, us) in t.iter().enumerate() {
        println!("repeat {i}: {us:.3} us/iter");
    }
    t.sort_by(f64::total_cmp);
    println!(
        "median {:.3} us/iter (min {:.3}, max {:.3})",
        t[t.len() / 2],
        t[0],
        t[t.len() - 1]
    );
    // The figure, last, as op_overhead.py prints it.
    println!("us_per_iter={:.3}", t[t.len() / 2]);
    Ok(())
}
