//! Micro-benchmarks of the core: `cargo bench --bench core`.
use criterion::{criterion_group, criterion_main, Criterion};
use gradwork::{grad, Num, Tensor};
use std::hint::black_box;

fn matmul_f32(c: &mut Criterion) {
    let a = Tensor::<f32>::from_vec(
        (0..128 * 128).map(|i| (i % 7) as f32).collect(),
        &[128, 128],
    )
    .unwrap();
    let b = Tensor::<f32>::from_vec(
        (0..128 * 128).map(|i| (i % 5) as f32).collect(),
        &[128, 128],
    )
    .unwrap();
    c.bench_function("matmul f32 128x128", |bch| {
        bch.iter(|| black_box(a.matmul(&b).unwrap()))
    });
}

/// The seed's task 2 (siamese conv1d, contrastive loss) forward + backward.
fn task2<T: gradwork::Element>() -> Vec<Tensor<T>> {
    let w = Tensor::<T>::parse("[1/3, 1/3, 1/3]").unwrap();
    let b = Tensor::<T>::parse("-0.1").unwrap();
    let f = |x: &str| {
        let x = Tensor::<T>::parse(x).unwrap();
        let outs: Vec<_> = (0..4)
            .map(|i| {
                x.slice(&[gradwork::Idx::range(Some(i), Some(i + 3))])
                    .unwrap()
                    .mul(&w)
                    .unwrap()
                    .sum_all()
                    .unwrap()
                    .add(&b)
                    .unwrap()
            })
            .collect();
        Tensor::stack(&outs, 0).unwrap()
    };
    let l = f("[1.0, 1.0, 1.3, 1.0, 1.0, 1.3]")
        .sub(&f("[3.3, 3.3, 2.7, 3.3, 3.3, 2.7]"))
        .unwrap()
        .powi(2)
        .unwrap()
        .sum_all()
        .unwrap();
    grad(&l, &[&w, &b]).unwrap()
}

fn tiny_forward_backward(c: &mut Criterion) {
    c.bench_function("task2 forward+backward exact", |b| {
        b.iter(|| black_box(task2::<Num>()))
    });
    c.bench_function("task2 forward+backward f64", |b| {
        b.iter(|| black_box(task2::<f64>()))
    });
}

criterion_group!(benches, matmul_f32, tiny_forward_backward);
criterion_main!(benches);
