//! One optimizer step at a time, as exercises ask ("perform one update").
//! Each `step` takes parameters and their gradients and returns the updated
//! parameters as new tensors; the optimizer keeps its own state.

use crate::error::Error;
use crate::{Element, Result, Tensor};

fn check<T: Element>(params: &[Tensor<T>], grads: &[Tensor<T>]) -> Result<()> {
    if params.len() != grads.len() {
        return Err(Error::invalid(
            "optimizer",
            format!("{} parameters but {} gradients", params.len(), grads.len()),
        ));
    }
    for (p, g) in params.iter().zip(grads) {
        if p.shape() != g.shape() {
            return Err(Error::mismatch(
                "optimizer step (parameter and gradient)",
                p.shape(),
                g.shape(),
            ));
        }
    }
    Ok(())
}

/// SGD with momentum μ, PyTorch's form: v ← μ·v + g; p ← p − lr·v.
pub struct Sgd<T: Element> {
    pub lr: T,
    pub momentum: T,
    velocity: Vec<Tensor<T>>,
}

impl<T: Element> Sgd<T> {
    pub fn new(lr: T, momentum: T) -> Sgd<T> {
        Sgd {
            lr,
            momentum,
            velocity: Vec::new(),
        }
    }
    pub fn step(&mut self, params: &[Tensor<T>], grads: &[Tensor<T>]) -> Result<Vec<Tensor<T>>> {
        check(params, grads)?;
        if self.velocity.is_empty() {
            // The first step's velocity is the gradient itself, as PyTorch.
            self.velocity = grads.iter().map(|g| g.detach()).collect();
        } else {
            self.velocity = self
                .velocity
                .iter()
                .zip(grads)
                .map(|(v, g)| Ok(v.scale(self.momentum.clone())?.add(g)?.detach()))
                .collect::<Result<_>>()?;
        }
        params
            .iter()
            .zip(&self.velocity)
            .map(|(p, v)| Ok(p.sub(&v.scale(self.lr.clone())?)?.detach()))
            .collect()
    }
}

/// Adam: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; m̂ = m/(1−β₁ᵗ);
/// v̂ = v/(1−β₂ᵗ); p ← p − lr·m̂/(√v̂ + ε).
pub struct Adam<T: Element> {
    pub lr: T,
    pub beta1: T,
    pub beta2: T,
    pub eps: T,
    t: i64,
    m: Vec<Tensor<T>>,
    v: Vec<Tensor<T>>,
}

impl<T: Element> Adam<T> {
    pub fn new(lr: T, beta1: T, beta2: T, eps: T) -> Adam<T> {
        Adam {
            lr,
            beta1,
            beta2,
            eps,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }
    pub fn step(&mut self, params: &[Tensor<T>], grads: &[Tensor<T>]) -> Result<Vec<Tensor<T>>> {
        check(params, grads)?;
        if self.m.is_empty() {
            self.m = params.iter().map(|p| Tensor::zeros_like(p)).collect();
            self.v = self.m.clone();
        }
        self.t += 1;
        let one = T::one();
        let b1c = one.sub(&self.beta1.pow(&T::from_i64(self.t))?)?;
        let b2c = one.sub(&self.beta2.pow(&T::from_i64(self.t))?)?;
        let mut out = Vec::with_capacity(params.len());
        for i in 0..params.len() {
            let g = &grads[i];
            self.m[i] = self.m[i]
                .scale(self.beta1.clone())?
                .add(&g.scale(one.sub(&self.beta1)?)?)?
                .detach();
            self.v[i] = self.v[i]
                .scale(self.beta2.clone())?
                .add(&g.powi(2)?.scale(one.sub(&self.beta2)?)?)?
                .detach();
            let mh = self.m[i].div(&Tensor::scalar(b1c.clone()))?;
            let vh = self.v[i].div(&Tensor::scalar(b2c.clone()))?;
            let upd = mh
                .div(&vh.sqrt()?.add(&Tensor::scalar(self.eps.clone()))?)?
                .scale(self.lr.clone())?;
            out.push(params[i].sub(&upd)?.detach());
        }
        Ok(out)
    }
}
