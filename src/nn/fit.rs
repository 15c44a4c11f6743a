//! `train(…)`: learning the weights of a sequence classifier on the fast
//! float path, starting from the exact model the exercise wrote.
//!
//! The model is a recurrent layer (RNN, LSTM or GRU, [`Module`]) and a
//! `Linear(H, 1)` head on its final hidden state; the loss is the mean BCE
//! on the logit, as `nn.BCEWithLogitsLoss`. The exact weights are rounded to
//! f32, trained with the batched kernels of [`batched`](super::batched) and
//! the optimizers of [`train`](super::train) (mini-batches in an order
//! shuffled each epoch by a seeded generator, so a run is reproducible), and
//! come back as new modules whose weights are the learned f32 values, marked
//! approximate. [`rationalize`](super::rationalize) then makes them exact.
//!
//! Work: every step charges the run's budget by its multiply-adds, at one
//! unit per [`FLOPS_PER_UNIT`] of them (a unit is sized for an exact
//! operation; a float multiply-add costs about that much less), and the
//! whole training is checked against the budget before it starts.

use crate::budget;
use crate::error::{Error, Result};
use crate::nn::batched::{Cell, Linear, Recurrent};
use crate::nn::params::{Kind, Module};
use crate::nn::train::{self, Adam, SeqClassifier, Sgd};
use crate::{Num, Tensor};

/// Float multiply-adds per unit of work.
pub const FLOPS_PER_UNIT: u64 = 64;

/// Sequences of equal length `steps` (padded after each one's own length),
/// `[n, steps, input]` row-major, with 0/1 targets.
pub struct Data {
    pub x: Vec<f32>,
    pub n: usize,
    pub steps: usize,
    pub input: usize,
    /// Each sequence's length; `None` when all are `steps` long.
    pub lengths: Option<Vec<usize>>,
    pub y: Vec<f32>,
}

/// How the weights are updated (PyTorch's formulas).
#[derive(Clone, Debug)]
pub enum Optimizer {
    Adam {
        lr: f64,
        beta1: f64,
        beta2: f64,
        eps: f64,
    },
    Sgd {
        lr: f64,
        momentum: f64,
    },
}

pub struct Config {
    pub optimizer: Optimizer,
    pub epochs: usize,
    pub batch: usize,
    pub seed: u64,
}

/// One epoch's mean training loss (as computed in f32) and how many
/// training sequences the model classifies right after it.
#[derive(Clone, Copy, Debug)]
pub struct Epoch {
    pub loss: f32,
    pub correct: usize,
}

pub struct Fit {
    pub rnn: Module<Num>,
    pub head: Module<Num>,
    pub epochs: Vec<Epoch>,
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small seeded generator for the
/// order of the examples and for examples' data; hand-written because a
/// reproducible stream from a seed is all that is needed (four lines).
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is below
    /// n/2⁶⁴, nothing for any n a training set has).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
    /// Uniform in `[0, 1)`, 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The cell of a recurrent module, with its sizes.
fn cell_of(m: &Module<Num>) -> Result<(Cell, usize, usize)> {
    match m.kind() {
        Some(Kind::Rnn { input, hidden, act }) => Ok((Cell::Rnn(*act), *input, *hidden)),
        Some(Kind::Lstm { input, hidden }) => Ok((Cell::Lstm, *input, *hidden)),
        Some(Kind::Gru { input, hidden }) => Ok((Cell::Gru, *input, *hidden)),
        _ => Err(Error::invalid(
            "train",
            format!(
                "the model's first layer is {}, not a recurrent layer",
                m.title()
            ),
        )),
    }
}

/// The module's parameters, in order, as one flat f32 buffer.
fn flat(m: &Module<Num>) -> Result<Vec<f32>> {
    let mut out = Vec::new();
    for p in m.params()? {
        out.extend(p.value.value().iter().map(|x| x.to_f64() as f32));
    }
    Ok(out)
}

/// A copy of `m` with the weights of `flat` (in parameter order).
fn unflat(m: &Module<Num>, flat: &[f32]) -> Result<Module<Num>> {
    let mut at = 0;
    m.map_params(|_, p| {
        let n = p.len();
        let part = flat.get(at..at + n).ok_or_else(|| {
            Error::invalid("train", "the learned weights do not match the layer's")
        })?;
        at += n;
        let v = part
            .iter()
            .map(|&w| Num::approx(f64::from(w)))
            .collect::<Result<Vec<_>>>()?;
        Tensor::from_vec(v, p.shape())
    })
}

/// Trains `rnn` → `head` on `data`; see the module comment.
pub fn fit(rnn: &Module<Num>, head: &Module<Num>, data: &Data, cfg: &Config) -> Result<Fit> {
    let (cell, input, hidden) = cell_of(rnn)?;
    match head.kind() {
        Some(Kind::Linear {
            input: i,
            output: 1,
            bias: true,
        }) if *i == hidden => {}
        _ => {
            return Err(Error::invalid(
                "train",
                format!(
                    "the head must be linear(input={hidden}, output=1) with a bias, got {}",
                    head.title()
                ),
            ))
        }
    }
    if data.input != input {
        return Err(Error::mismatch(
            "train: sequences' features against the recurrent layer's input",
            &[data.input],
            &[input],
        ));
    }
    if data.n == 0 || data.steps == 0 || cfg.batch == 0 {
        return Err(Error::invalid(
            "train",
            "needs at least one sequence of at least one step, and batch ≥ 1",
        ));
    }
    let mut rec = Recurrent::<f32>::new(cell, input, hidden)?;
    rec.params = flat(rnn)?;
    let mut lin = Linear::<f32>::new(hidden, 1)?;
    lin.params = flat(head)?;
    if rec.params.len() != rec.grads.len() || lin.params.len() != lin.grads.len() {
        return Err(Error::invalid(
            "train",
            "the layers' weights do not have PyTorch's layout (one bias per gate is not trained here)",
        ));
    }
    let opt = match cfg.optimizer {
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => {
            let mut a = Adam::<f32>::new(lr);
            (a.beta1, a.beta2, a.eps) = (beta1, beta2, eps);
            train::Optimizer::Adam(a)
        }
        Optimizer::Sgd { lr, momentum } => train::Optimizer::Sgd(Sgd::new(lr, momentum)),
    };
    let mut model = SeqClassifier::of(rec, lin, opt);

    // Work: forward, and backward at about twice that, per sequence step.
    let g = cell.gates() as u64;
    let per_seq = 3 * data.steps as u64 * g * hidden as u64 * (input + hidden + 2) as u64;
    let per_epoch = per_seq.saturating_mul(2 * data.n as u64) / FLOPS_PER_UNIT + 1;
    budget::ensure(per_epoch.saturating_mul(cfg.epochs as u64))?;

    let (steps, ni) = (data.steps, data.input);
    let mut rng = SplitMix(cfg.seed);
    let mut order: Vec<usize> = (0..data.n).collect();
    let (mut bx, mut by, mut bl) = (Vec::new(), Vec::new(), Vec::new());
    let mut epochs = Vec::with_capacity(cfg.epochs);
    for _ in 0..cfg.epochs {
        // Fisher–Yates, as torch.randperm makes a fresh order each epoch.
        for i in (1..data.n).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut total = 0f64;
        for chunk in order.chunks(cfg.batch) {
            bx.clear();
            by.clear();
            bl.clear();
            for &i in chunk {
                bx.extend_from_slice(&data.x[i * steps * ni..(i + 1) * steps * ni]);
                by.push(data.y[i]);
                if let Some(l) = &data.lengths {
                    bl.push(l[i]);
                }
            }
            let lengths = data.lengths.as_ref().map(|_| bl.as_slice());
            let loss = model.step(&bx, chunk.len(), steps, lengths, &by)?;
            total += f64::from(loss) * chunk.len() as f64;
            budget::charge(per_seq.saturating_mul(chunk.len() as u64) / FLOPS_PER_UNIT + 1)?;
        }
        if !model
            .rnn
            .params
            .iter()
            .chain(&model.head.params)
            .all(|w| w.is_finite())
        {
            return Err(Error::invalid(
                "train",
                format!(
                    "the weights left the range of f32 (infinite or undefined) in epoch {}: the learning rate is too large for this data",
                    epochs.len() + 1
                ),
            ));
        }
        // Accuracy on the training set after the epoch: logit > 0 is class 1.
        let s = model.logits(&data.x, data.n, steps, data.lengths.as_deref())?;
        let correct = s
            .iter()
            .zip(&data.y)
            .filter(|(&s, &y)| (s > 0.0) == (y > 0.5))
            .count();
        epochs.push(Epoch {
            loss: (total / data.n as f64) as f32,
            correct,
        });
    }
    Ok(Fit {
        rnn: unflat(rnn, &model.rnn.params)?,
        head: unflat(head, &model.head.params)?,
        epochs,
    })
}
