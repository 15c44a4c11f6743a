//! Activations. Softmax and log-softmax subtract a (detached) shift equal to
//! the row's largest element first, so large inputs never overflow; the shift
//! does not change the value or the gradient.

use ndarray::Axis;

use crate::autograd::Group;
use crate::explain::math::{Math, Op as MOp};
use crate::nn::lit;
use crate::tensor::norm_axis;
use crate::{Element, Result, Tensor};

/// The largest element along `axis` (kept), chosen by nearest-float value.
/// It only has to prevent overflow, so unlike `max` it never needs a certain
/// comparison: two approximate scores too close to order are both fine.
/// Entries where `allowed` is 0 are skipped (a row with none allowed gets 0).
pub(crate) fn shift<T: Element>(
    x: &Tensor<T>,
    axis: i64,
    allowed: Option<&Tensor<T>>,
) -> Result<Tensor<T>> {
    let a = norm_axis(axis, x.ndim())?;
    let ok = match allowed {
        Some(m) => m
            .broadcast_to(x.shape())?
            .value()
            .mapv(|v| v.to_f64() != 0.0),
        None => x.value().mapv(|_| true),
    };
    let mut out = x.value().map_axis(Axis(a), |_| T::zero());
    for ((lane, oks), o) in x
        .value()
        .lanes(Axis(a))
        .into_iter()
        .zip(ok.lanes(Axis(a)))
        .zip(out.iter_mut())
    {
        let best = lane
            .iter()
            .zip(oks.iter())
            .filter(|(_, ok)| **ok)
            .map(|(v, _)| v)
            .max_by(|p, q| p.to_f64().total_cmp(&q.to_f64()));
        if let Some(b) = best {
            *o = b.clone();
        }
    }
    Ok(Tensor::new(out.insert_axis(Axis(a))))
}

/// Names of the activations an RNN (or a user) can select.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Identity,
    Relu,
    Tanh,
    Sigmoid,
}

impl Activation {
    pub fn apply<T: Element>(self, x: &Tensor<T>) -> Result<Tensor<T>> {
        match self {
            Activation::Identity => Ok(x.clone()),
            Activation::Relu => x.relu(),
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => x.sigmoid(),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
        }
    }
    pub fn from_name(s: &str) -> Option<Activation> {
        Some(match s {
            "identity" | "linear" | "none" => Activation::Identity,
            "relu" => Activation::Relu,
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            _ => return None,
        })
    }
}

/// `x` where positive, `slope·x` elsewhere (PyTorch's default slope is 0.01).
pub fn leaky_relu<T: Element>(x: &Tensor<T>, slope: &Tensor<T>) -> Result<Tensor<T>> {
    x.relu()?.sub(&x.neg()?.relu()?.mul(slope)?)
}

/// `exp(x) / Σ exp(x)` along `axis`.
pub fn softmax<T: Element>(x: &Tensor<T>, axis: i64) -> Result<Tensor<T>> {
    let z = x.sub(&shift(x, axis, None)?)?.exp()?;
    let q = z.div(&z.sum(Some(&[axis]), true)?)?;
    if x.ndim() != 1 {
        return Ok(q);
    }
    // Of a vector, as one step: ∂L/∂x = q ⊙ (g − Σ g ⊙ q) with q = softmax(x).
    Ok(q.grouped(Group {
        name: "softmax",
        inputs: vec![x.clone()],
        formula: |ins| Math::call("softmax", ins.to_vec()),
        vjp: |_, g, ins| {
            let q = Math::call("softmax", ins.to_vec());
            let inner = Math::Sum(None, Box::new(Math::bin(MOp::Had, g.clone(), q.clone())));
            Some(Math::bin(
                MOp::Had,
                q,
                Math::bin(MOp::Sub, g.clone(), inner),
            ))
        },
    }))
}

/// `x − log Σ exp(x)` along `axis`.
pub fn log_softmax<T: Element>(x: &Tensor<T>, axis: i64) -> Result<Tensor<T>> {
    let s = x.sub(&shift(x, axis, None)?)?;
    s.sub(&s.exp()?.sum(Some(&[axis]), true)?.log()?)
}

/// 1 where `x >= threshold`, else 0 (a decision; it has no gradient).
pub fn step<T: Element>(x: &Tensor<T>, threshold: &Tensor<T>) -> Result<Tensor<T>> {
    // An input exactly at the threshold is on the decision boundary.
    crate::boundary::hit_if(|| {
        let at = |a: &T, b: &T| matches!(a.compare(b), Ok(std::cmp::Ordering::Equal));
        match threshold.value().iter().next() {
            Some(t) if threshold.len() == 1 => x.value().iter().any(|v| at(v, t)),
            _ => x
                .eq(threshold)
                .is_ok_and(|e| e.value().iter().any(|e| !at(e, &T::zero()))),
        }
    });
    x.ge(threshold)
}

/// `step` at the usual threshold of a probability, 1/2.
pub fn decide<T: Element>(p: &Tensor<T>) -> Result<Tensor<T>> {
    step(p, &lit("0.5")?)
}
