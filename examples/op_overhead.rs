//! Per-iteration cost of a tiny forward+backward, the same workload as
//! `../shared/bench/op_overhead.py`: `y = sigmoid(x @ w).sum()`, then ∂y/∂w,
//! with `x` and `w` 2×2. Prints the microseconds per iteration of each repeat
//! and, last, the median over repeats (with min and max).
//!
//!     cargo run --release --example op_overhead -- --dtype f64|exact [--iters N] [--repeats R]

use std::time::Instant;

use gradwork::{grad, Element, Num, Tensor};

fn run<T: Element>(iters: usize, repeats: usize, warmup: usize) -> gradwork::Result<Vec<f64>> {
    // Fixed small values (the Python script draws them from a seeded normal;
    // the cost does not depend on them).
    let x = Tensor::<T>::parse("[[0.5, -1.2], [0.3, 0.8]]")?;
    let w = Tensor::<T>::parse("[[1.1, -0.4], [0.7, 0.2]]")?;
    let step = || -> gradwork::Result<()> {
        let y = x.matmul(&w)?.sigmoid()?.sum_all()?;
        let g = grad(&y, &[&w])?;
        std::hint::black_box(g);
        Ok(())
    };
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

fn main() -> gradwork::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| default.to_string())
    };
    let number = |name: &str, default: usize| flag(name, "").parse().unwrap_or(default);
    let (iters, repeats, warmup) = (
        number("--iters", 10_000),
        number("--repeats", 5),
        number("--warmup", 1_000),
    );
    let mut t = match flag("--dtype", "f64").as_str() {
        "exact" => run::<Num>(iters, repeats, warmup)?,
        _ => run::<f64>(iters, repeats, warmup)?,
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
    Ok(())
}
