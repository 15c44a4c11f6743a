//! `nn`: activations, layers, recurrent cells, attention, losses, parameter
//! counting and optimizers — all built from the differentiable ops of
//! [`Tensor`](crate::Tensor), so each is exact where the math allows, has a
//! gradient without a backward of its own, and serves f32/f64 alike.
//!
//! Weight layouts follow PyTorch (`Linear`: `[out, in]`, `Conv1d`:
//! `[out, in, k]`, LSTM gates `i, f, g, o`, GRU gates `r, z, n`) except where
//! the course writes otherwise, which is said at the function.

pub mod act;
pub mod attention;
pub mod batched;
pub mod conv;
pub mod fit;
pub mod layers;
pub mod loss;
pub mod optim;
pub mod params;
pub mod rationalize;
pub mod recurrent;
pub mod train;

use crate::{Element, Num, Result, Tensor};

/// A scalar constant tensor from an exact literal such as `"0.5"` or `"1/3"`.
pub fn lit<T: Element>(s: &str) -> Result<Tensor<T>> {
    Ok(Tensor::scalar(T::from_num(&Num::parse(s)?)?))
}

/// `x @ Wᵀ + b`, PyTorch's `nn.functional.linear` (`W` is `[out, in]`).
pub fn linear<T: Element>(
    x: &Tensor<T>,
    w: &Tensor<T>,
    b: Option<&Tensor<T>>,
) -> Result<Tensor<T>> {
    let y = x.matmul(&w.t()?)?;
    match b {
        Some(b) => y.add(b),
        None => Ok(y),
    }
}
