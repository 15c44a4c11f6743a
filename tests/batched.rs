//! The batched f32/f64 kernels of `nn::batched` and the flat optimizers of
//! `nn::train`, checked independently: against the exact engine (the same
//! model built from `Tensor<Num>` ops and the unbatched cells, differentiated
//! by `grad`), against central differences, and the optimizers against
//! hand-derived values and the exact `nn::optim`.

use gradwork::nn::act::Activation;
use gradwork::nn::batched::{bce_with_logits, Cell, Linear, Real, Recurrent};
use gradwork::nn::recurrent::{Gru, Lstm, RnnCell};
use gradwork::nn::train::{Adam, Sgd};
use gradwork::nn::{linear, loss, optim};
use gradwork::{grad, Element, Num, Tensor};

/// A small deterministic sequence of values in (−1, 1).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
    fn vec(&mut self, n: usize, scale: f64) -> Vec<f64> {
        (0..n).map(|_| self.next() * scale).collect()
    }
}

const B: usize = 3;
const T: usize = 4;
const I: usize = 2;
const H: usize = 3;

struct Case {
    cell: Cell,
    lengths: Option<Vec<usize>>,
    x: Vec<f64>,
    y: Vec<f64>,
    rnn: Recurrent<f64>,
    head: Linear<f64>,
}

fn case(cell: Cell, lengths: Option<Vec<usize>>, seed: u64) -> Case {
    let mut r = Lcg(seed);
    let mut rnn = Recurrent::new(cell, I, H).unwrap();
    rnn.params = r.vec(rnn.params.len(), 0.7);
    let mut head = Linear::new(H, 1).unwrap();
    head.params = r.vec(head.params.len(), 0.7);
    Case {
        cell,
        lengths,
        x: r.vec(B * T * I, 1.0),
        y: vec![1.0, 0.0, 1.0],
        rnn,
        head,
    }
}

/// The fast kernels' loss and gradients `[rnn params…, head params…]`.
fn fast(c: &mut Case) -> (f64, Vec<f64>) {
    let h = c
        .rnn
        .forward(&c.x, B, T, c.lengths.as_deref())
        .unwrap()
        .to_vec();
    let s = c.head.forward(&h).unwrap().to_vec();
    let mut ds = vec![0.0; B];
    let l = bce_with_logits(&s, &c.y, &mut ds).unwrap();
    let dh = c.head.backward(&ds).unwrap().to_vec();
    c.rnn.backward(&dh).unwrap();
    let mut g = c.rnn.grads.clone();
    g.extend_from_slice(&c.head.grads);
    (l, g)
}

fn exact(v: &[f64], shape: &[usize]) -> Tensor<Num> {
    let n = v.iter().map(|&x| Num::from_f64_exact(x).unwrap()).collect();
    Tensor::from_vec(n, shape).unwrap()
}

/// The same loss from the exact engine: each sequence through the unbatched
/// cell for its own length, stacked, the head, `loss::bce_with_logits`.
fn reference(c: &Case) -> (f64, Vec<f64>) {
    let g = c.cell.gates();
    let (w_ih, w_hh, b_ih, b_hh) = c.rnn.blocks(&c.rnn.params);
    let w_ih = exact(w_ih, &[g * H, I]);
    let w_hh = exact(w_hh, &[g * H, H]);
    let b_ih = exact(b_ih, &[g * H]);
    let b_hh = exact(b_hh, &[g * H]);
    let (hw, hb) = c.head.params.split_at(H);
    let (hw, hb) = (exact(hw, &[1, H]), exact(hb, &[1]));
    let cell: Box<dyn gradwork::nn::recurrent::Recurrent<Num>> = match c.cell {
        Cell::Rnn(act) => Box::new(RnnCell {
            w_hh: w_hh.clone(),
            w_xh: w_ih.clone(),
            b_h: Some(b_ih.clone()),
            b_hh: Some(b_hh.clone()),
            act,
        }),
        Cell::Lstm => Box::new(Lstm {
            w_ih: w_ih.clone(),
            w_hh: w_hh.clone(),
            b_ih: Some(b_ih.clone()),
            b_hh: Some(b_hh.clone()),
        }),
        Cell::Gru => Box::new(Gru {
            w_ih: w_ih.clone(),
            w_hh: w_hh.clone(),
            b_ih: Some(b_ih.clone()),
            b_hh: Some(b_hh.clone()),
        }),
    };
    let finals: Vec<Tensor<Num>> = (0..B)
        .map(|b| {
            let len = c.lengths.as_ref().map_or(T, |l| l[b]);
            if len == 0 {
                return Tensor::zeros(&[H]).unwrap();
            }
            let xs = exact(&c.x[b * T * I..][..len * I], &[len, I]);
            cell.seq_state(&xs, None).unwrap().1[0].clone()
        })
        .collect();
    let hn = Tensor::stack(&finals, 0).unwrap();
    let s = linear(&hn, &hw, Some(&hb))
        .unwrap()
        .reshape(&[B as i64])
        .unwrap();
    let l = loss::bce_with_logits(&s, &exact(&c.y, &[B])).unwrap();
    let gs = grad(&l, &[&w_ih, &w_hh, &b_ih, &b_hh, &hw, &hb]).unwrap();
    let flat = gs
        .iter()
        .flat_map(|t| t.value().iter().map(|v| v.to_f64()).collect::<Vec<_>>())
        .collect();
    (l.item().unwrap().to_f64(), flat)
}

fn assert_close(what: &str, got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().fold(1e-3f64, |m, v| m.max(v.abs()));
    for (k, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(
            (a - b).abs() <= rel * scale,
            "{what}[{k}]: {a} vs {b} (scale {scale})"
        );
    }
}

fn cells() -> Vec<Cell> {
    vec![
        Cell::Rnn(Activation::Identity),
        Cell::Rnn(Activation::Tanh),
        Cell::Rnn(Activation::Relu),
        Cell::Lstm,
        Cell::Gru,
    ]
}

#[test]
fn every_kernel_matches_the_exact_engine_with_and_without_lengths() {
    for (k, cell) in cells().into_iter().enumerate() {
        // Lengths 4, 1, 2: a full sequence, one stopping after a step, one
        // in between; then all full (no mask).
        for lengths in [None, Some(vec![4, 1, 2])] {
            let mut c = case(cell, lengths.clone(), 7 + k as u64);
            let (l, g) = fast(&mut c);
            let (lr, gr) = reference(&c);
            let what = format!("{cell:?} lengths {lengths:?}");
            assert!(
                (l - lr).abs() <= 1e-12 * lr.abs(),
                "{what}: loss {l} vs {lr}"
            );
            assert_close(&what, &g, &gr, 1e-9);
        }
    }
}

#[test]
fn a_finished_sequence_keeps_its_state_and_a_zero_length_one_stays_zero() {
    let mut c = case(Cell::Lstm, Some(vec![4, 0, 2]), 3);
    let h = c
        .rnn
        .forward(&c.x, B, T, c.lengths.as_deref())
        .unwrap()
        .to_vec();
    assert_eq!(&h[H..2 * H], &[0.0; H]);
    // Sequence 2 alone, cut to its 2 steps, ends where it ends in the batch.
    let mut one = Recurrent::new(Cell::Lstm, I, H).unwrap();
    one.params = c.rnn.params.clone();
    let h2 = one.forward(&c.x[2 * T * I..][..2 * I], 1, 2, None).unwrap();
    assert_eq!(h2, &h[2 * H..]);
}

#[test]
fn gradients_match_central_differences() {
    for (k, cell) in cells().into_iter().enumerate() {
        let mut c = case(cell, Some(vec![4, 3, 1]), 100 + k as u64);
        let (_, g) = fast(&mut c);
        let n = c.rnn.params.len();
        let eps = 1e-6;
        let mut fd = Vec::with_capacity(n);
        for j in 0..n {
            let p = c.rnn.params[j];
            c.rnn.params[j] = p + eps;
            let up = fast(&mut c).0;
            c.rnn.params[j] = p - eps;
            let down = fast(&mut c).0;
            c.rnn.params[j] = p;
            fd.push((up - down) / (2.0 * eps));
        }
        assert_close(&format!("{cell:?} vs differences"), &g[..n], &fd, 1e-6);
    }
}

#[test]
fn f32_kernels_agree_with_f64() {
    let mut c = case(Cell::Gru, Some(vec![2, 4, 3]), 11);
    let (_, g64) = fast(&mut c);
    let mut r32 = Recurrent::<f32>::new(Cell::Gru, I, H).unwrap();
    r32.params = c.rnn.params.iter().map(|&v| v as f32).collect();
    let x32: Vec<f32> = c.x.iter().map(|&v| v as f32).collect();
    r32.forward(&x32, B, T, c.lengths.as_deref()).unwrap();
    let dh = c.head.backward(&[1.0, -1.0, 0.5]).unwrap().to_vec();
    c.rnn.backward(&dh).unwrap();
    let dh32: Vec<f32> = dh.iter().map(|&v| v as f32).collect();
    r32.backward(&dh32).unwrap();
    let g32: Vec<f64> = r32.grads.iter().map(|&v| v as f64).collect();
    assert_close("f32 vs f64", &g32, &c.rnn.grads, 1e-5);
    assert!(g64.iter().any(|v| *v != 0.0));
}

#[test]
fn shapes_are_errors_not_panics() {
    let mut r = Recurrent::<f32>::new(Cell::Lstm, 2, 4).unwrap();
    assert!(r.forward(&[0.0; 5], 1, 3, None).is_err());
    assert!(r.forward(&[0.0; 6], 1, 3, Some(&[4])).is_err());
    assert!(r.forward(&[0.0; 6], 1, 3, Some(&[1, 2])).is_err());
    assert!(r.backward(&[0.0; 3]).is_err());
    assert!(Recurrent::<f32>::new(Cell::Gru, 0, 4).is_err());
    let mut a = Adam::<f32>::new(0.1);
    let mut p = [1.0f32; 2];
    assert!(a.step(&mut [(&mut p, &[1.0])]).is_err());
    assert!(bce_with_logits(&[1.0f32], &[], &mut [0.0]).is_err());
}

#[test]
fn adam_first_two_steps_by_hand() {
    // Step 1 with g₁: m₁ = (1−β₁)g₁, v₁ = (1−β₂)g₁², so m̂₁ = g₁, v̂₁ = g₁²
    // and p₁ = p₀ − lr·g₁/(|g₁| + ε).
    // Step 2 with g₂: m₂ = β₁(1−β₁)g₁ + (1−β₁)g₂, v₂ = β₂(1−β₂)g₁² + (1−β₂)g₂²,
    // m̂₂ = m₂/(1−β₁²) = (0.09·g₁ + 0.1·g₂)/0.19,
    // v̂₂ = v₂/(1−β₂²) = (0.000999·g₁² + 0.001·g₂²)/0.001999.
    // With g₁ = 2, g₂ = −1 (lr 0.1, p₀ = 1):
    // p₁ = 1 − 0.1·2/(2 + 1e−8);
    // m̂₂ = 0.08/0.19, v̂₂ = 0.004996/0.001999, p₂ = p₁ − 0.1·m̂₂/(√v̂₂ + 1e−8).
    let mut adam = Adam::<f64>::new(0.1);
    let mut p = [1.0];
    adam.step(&mut [(&mut p, &[2.0])]).unwrap();
    let p1 = 1.0 - 0.1 * 2.0 / (2.0 + 1e-8);
    assert!((p[0] - p1).abs() < 1e-15);
    adam.step(&mut [(&mut p, &[-1.0])]).unwrap();
    let (mh, vh): (f64, f64) = (0.08 / 0.19, 0.004996 / 0.001999);
    let p2 = p1 - 0.1 * mh / (f64::sqrt(vh) + 1e-8);
    assert!((p[0] - p2).abs() < 1e-14, "{} vs {p2}", p[0]);
}

#[test]
fn adam_and_sgd_match_the_exact_optimizers() {
    let mut r = Lcg(5);
    let p0 = r.vec(5, 1.0);
    let gs = [r.vec(5, 1.0), r.vec(5, 1.0), r.vec(5, 1.0)];
    let lit = |s: &str| Num::parse(s).unwrap();
    let mut fast_adam = Adam::<f64>::new(0.01);
    let mut slow_adam = optim::Adam::new(lit("0.01"), lit("0.9"), lit("0.999"), lit("1e-8"));
    let mut fast_sgd = Sgd::<f64>::new(0.1, 0.9);
    let mut slow_sgd = optim::Sgd::new(lit("0.1"), lit("0.9"));
    let (mut pa, mut ps) = (p0.clone(), p0.clone());
    let (mut ea, mut es) = (vec![exact(&p0, &[5])], vec![exact(&p0, &[5])]);
    for g in &gs {
        fast_adam.step(&mut [(&mut pa, g)]).unwrap();
        fast_sgd.step(&mut [(&mut ps, g)]).unwrap();
        ea = slow_adam.step(&ea, &[exact(g, &[5])]).unwrap();
        es = slow_sgd.step(&es, &[exact(g, &[5])]).unwrap();
    }
    let f = |t: &Tensor<Num>| t.value().iter().map(Element::to_f64).collect::<Vec<_>>();
    assert_close("adam", &pa, &f(&ea[0]), 1e-13);
    assert_close("sgd", &ps, &f(&es[0]), 1e-14);
}

#[test]
fn f32_sigmoid_and_tanh_are_within_a_few_ulp() {
    let xs: Vec<f32> = (-4000..=4000)
        .map(|k| k as f32 * 0.0025)
        .chain([-100.0, -88.5, 1e-30, 90.0, 1e4])
        .collect();
    let (mut s, mut t) = (xs.clone(), xs.clone());
    f32::sigmoid_all(&mut s);
    f32::tanh_all(&mut t);
    for ((&x, &sv), &tv) in xs.iter().zip(&s).zip(&t) {
        let x = x as f64;
        let (se, te) = (1.0 / (1.0 + (-x).exp()), x.tanh());
        // Relative to the value, with a floor at f32's resolution near 1.
        assert!(
            (sv as f64 - se).abs() <= 4e-7 * se.max(1e-30) + 1e-38,
            "sigmoid({x}) = {sv}, not {se}"
        );
        assert!(
            (tv as f64 - te).abs() <= 4e-7 * te.abs() + 1e-38,
            "tanh({x}) = {tv}, not {te}"
        );
    }
}
