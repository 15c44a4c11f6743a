//! The main job's speed: solving the five seed exercises.
//! `cargo bench --bench solve`.
use criterion::{criterion_group, criterion_main, Criterion};
use gradwork::lang::{solve, Options};
use std::hint::black_box;

fn seed(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/exercises/seed");
    let files: Vec<String> = (1..=5)
        .map(|n| std::fs::read_to_string(format!("{dir}/task{n}.gw")).unwrap())
        .collect();
    c.bench_function("solve the five seed exercises", |b| {
        b.iter(|| {
            for f in &files {
                black_box(solve(f, &Options::default()));
            }
        })
    });
    for (n, f) in files.iter().enumerate() {
        c.bench_function(&format!("solve task{}", n + 1), |b| {
            b.iter(|| black_box(solve(f, &Options::default())))
        });
    }
}

criterion_group!(benches, seed);
criterion_main!(benches);
