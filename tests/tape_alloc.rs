//! A training loop on a cleared tape allocates nothing once warm. Its own
//! test binary: the counting allocator sees the whole process, so no other
//! test may run beside it.

use gradwork::budget::{allocated, peak, reset_peak, CountingAlloc};
use gradwork::tape::Tape;

#[global_allocator]
static A: CountingAlloc = CountingAlloc;

#[test]
fn steady_state_steps_allocate_nothing() {
    let x: Vec<f64> = (0..12).map(|k| k as f64 / 8.0 - 0.7).collect();
    let mut w: Vec<f64> = (0..24).map(|k| (k % 5) as f64 / 4.0 - 0.5).collect();
    let b = [0.1, -0.2, 0.3, 0.0, 0.5, -0.1];
    let y = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    let mut t = Tape::<f64>::new();
    let step = |t: &mut Tape<f64>, w: &mut Vec<f64>| -> gradwork::Result<f64> {
        t.clear();
        let xv = t.constant(&x, &[3, 4])?;
        let wv = t.param(w, &[4, 6])?;
        let bv = t.param(&b, &[6])?;
        let z = t.matmul(xv, wv)?;
        let z = t.add(z, bv)?;
        let h = t.tanh(z)?;
        let (h1, h2) = (t.cols(h, 0..2)?, t.cols(h, 2..6)?);
        let h = t.concat(h2, h1, 1)?;
        let h = t.relu(h)?;
        let target = t.constant(&y[..], &[3, 4])?;
        let logits = t.cols(h, 0..4)?;
        let loss = t.bce_with_logits_mean(logits, target)?;
        t.backward(loss)?;
        for (w, g) in w.iter_mut().zip(t.grad(wv)) {
            *w -= 0.1 * g;
        }
        Ok(t.value(loss)[0])
    };
    let first = step(&mut t, &mut w).unwrap();
    let second = step(&mut t, &mut w).unwrap();
    assert!(second < first, "a step of gradient descent lowers the loss");
    let held = allocated();
    reset_peak();
    for _ in 0..100 {
        step(&mut t, &mut w).unwrap();
    }
    assert_eq!(peak(), held, "no allocation during 100 warm steps");
}
