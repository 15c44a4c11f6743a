//! Training at speed over flat f32/f64 buffers: `Adam` and `Sgd` with their
//! state kept across steps (PyTorch's update formulas, operation for
//! operation), and [`SeqClassifier`], a batched recurrent layer with a
//! linear head trained on BCE — the fast counterpart of the exact
//! optimizers in [`optim`](super::optim).

use crate::error::Error;
use crate::nn::batched::{bce_with_logits, Cell, Linear, Real, Recurrent};
use crate::Result;

/// Checks the groups against the state's total size, making the state on
/// the first step. Returns the total size.
fn prepare<T: Real>(
    op: &str,
    groups: &[(&mut [T], &[T])],
    state: &mut [&mut Vec<T>],
) -> Result<usize> {
    let mut total = 0;
    for (p, g) in groups {
        if p.len() != g.len() {
            return Err(Error::mismatch(
                format!("{op} step (parameter and gradient)"),
                &[p.len()],
                &[g.len()],
            ));
        }
        total += p.len();
    }
    for s in state.iter_mut() {
        if s.is_empty() {
            s.resize(total, T::zero());
        } else if s.len() != total {
            return Err(Error::invalid(
                op,
                format!(
                    "the parameters changed size ({} before, {total} now)",
                    s.len()
                ),
            ));
        }
    }
    Ok(total)
}

/// Adam as `torch.optim.Adam` (single-tensor path, no weight decay, no
/// amsgrad): m ← m + (1−β₁)(g − m); v ← β₂v + (1−β₂)g²;
/// p ← p − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε), the bias corrections
/// computed in f64 as Python does.
pub struct Adam<T: Real> {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    t: i32,
    m: Vec<T>,
    v: Vec<T>,
}

impl<T: Real> Adam<T> {
    /// PyTorch's defaults: betas (0.9, 0.999), eps 1e-8.
    pub fn new(lr: f64) -> Adam<T> {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> i32 {
        self.t
    }

    /// One update of every `(parameters, gradients)` group, in place. The
    /// groups must come in the same order and sizes every step.
    pub fn step(&mut self, groups: &mut [(&mut [T], &[T])]) -> Result<()> {
        prepare("adam", groups, &mut [&mut self.m, &mut self.v])?;
        self.t += 1;
        let bc1 = 1.0 - self.beta1.powi(self.t);
        let bc2_sqrt = T::of((1.0 - self.beta2.powi(self.t)).sqrt());
        let step_size = T::of(self.lr / bc1);
        let (w1, b2, w2, eps) = (
            T::of(1.0 - self.beta1),
            T::of(self.beta2),
            T::of(1.0 - self.beta2),
            T::of(self.eps),
        );
        let mut off = 0;
        for (p, g) in groups.iter_mut() {
            let n = p.len();
            let (m, v) = (&mut self.m[off..off + n], &mut self.v[off..off + n]);
            for j in 0..n {
                let gj = g[j];
                m[j] = m[j] + w1 * (gj - m[j]);
                v[j] = v[j] * b2 + w2 * gj * gj;
                let denom = v[j].sqrt() / bc2_sqrt + eps;
                p[j] = p[j] - step_size * (m[j] / denom);
            }
            off += n;
        }
        Ok(())
    }
}

/// SGD with momentum as `torch.optim.SGD` (no dampening, no Nesterov):
/// buf ← g on the first step, then buf ← μ·buf + g; p ← p − lr·buf.
pub struct Sgd<T: Real> {
    pub lr: f64,
    pub momentum: f64,
    started: bool,
    buf: Vec<T>,
}

impl<T: Real> Sgd<T> {
    pub fn new(lr: f64, momentum: f64) -> Sgd<T> {
        Sgd {
            lr,
            momentum,
            started: false,
            buf: Vec::new(),
        }
    }

    pub fn step(&mut self, groups: &mut [(&mut [T], &[T])]) -> Result<()> {
        let (lr, mu) = (T::of(self.lr), T::of(self.momentum));
        if self.momentum == 0.0 {
            prepare("sgd", groups, &mut [])?;
            for (p, g) in groups.iter_mut() {
                for (pj, &gj) in p.iter_mut().zip(g.iter()) {
                    *pj = *pj - lr * gj;
                }
            }
            return Ok(());
        }
        prepare("sgd", groups, &mut [&mut self.buf])?;
        let mut off = 0;
        for (p, g) in groups.iter_mut() {
            let n = p.len();
            let buf = &mut self.buf[off..off + n];
            for j in 0..n {
                buf[j] = if self.started {
                    buf[j] * mu + g[j]
                } else {
                    g[j]
                };
                p[j] = p[j] - lr * buf[j];
            }
            off += n;
        }
        self.started = true;
        Ok(())
    }
}

/// Either optimizer, with its state.
pub enum Optimizer<T: Real> {
    Adam(Adam<T>),
    Sgd(Sgd<T>),
}

impl<T: Real> Optimizer<T> {
    pub fn step(&mut self, groups: &mut [(&mut [T], &[T])]) -> Result<()> {
        match self {
            Optimizer::Adam(a) => a.step(groups),
            Optimizer::Sgd(s) => s.step(groups),
        }
    }
}

/// A sequence classifier: a batched recurrent layer, `Linear(H, 1)` on its
/// final hidden state, BCE on the logit, an optimizer — train_rnn.py's `Net`
/// and its training step, and the language's `train(…)`.
pub struct SeqClassifier<T: Real> {
    pub rnn: Recurrent<T>,
    pub head: Linear<T>,
    pub opt: Optimizer<T>,
    dlogit: Vec<T>,
}

impl<T: Real> SeqClassifier<T> {
    /// A model with PyTorch's initialisation drawn from `uniform01`: the
    /// recurrent layer's parameters first, then the head's.
    pub fn new(
        cell: Cell,
        input: usize,
        hidden: usize,
        lr: f64,
        mut uniform01: impl FnMut() -> f64,
    ) -> Result<SeqClassifier<T>> {
        let mut rnn = Recurrent::new(cell, input, hidden)?;
        rnn.init_uniform(&mut uniform01);
        let mut head = Linear::new(hidden, 1)?;
        head.init_uniform(&mut uniform01);
        Ok(SeqClassifier::of(rnn, head, Optimizer::Adam(Adam::new(lr))))
    }

    /// A model of given layers (their weights as they are).
    pub fn of(rnn: Recurrent<T>, head: Linear<T>, opt: Optimizer<T>) -> SeqClassifier<T> {
        SeqClassifier {
            rnn,
            head,
            opt,
            dlogit: Vec::new(),
        }
    }

    /// The logits `[batch]` of `x` (`[batch, steps, input]`).
    pub fn logits(
        &mut self,
        x: &[T],
        batch: usize,
        steps: usize,
        lengths: Option<&[usize]>,
    ) -> Result<&[T]> {
        let h = self.rnn.forward(x, batch, steps, lengths)?;
        self.head.forward(h)
    }

    /// One training step (forward, loss, backward, update) on targets `y`
    /// (`[batch]`, 0 or 1); returns the loss before the update.
    pub fn step(
        &mut self,
        x: &[T],
        batch: usize,
        steps: usize,
        lengths: Option<&[usize]>,
        y: &[T],
    ) -> Result<T> {
        let h = self.rnn.forward(x, batch, steps, lengths)?;
        let s = self.head.forward(h)?;
        self.dlogit.resize(s.len(), T::zero());
        let loss = bce_with_logits(s, y, &mut self.dlogit)?;
        let dh = self.head.backward(&self.dlogit)?;
        self.rnn.backward(dh)?;
        let (p1, g1) = self.rnn.parts();
        let (p2, g2) = self.head.parts();
        self.opt.step(&mut [(p1, g1), (p2, g2)])?;
        Ok(loss)
    }
}
