//! Attention. Projections are written the way the course (and numpy) writes
//! them, `Q = X @ W_q` with `W_q` of shape `[d_in, d_k]`; PyTorch stores the
//! transpose (`in_proj_weight` rows), so loading from PyTorch transposes.

use crate::error::Error;
use crate::nn::act::{shift, softmax};
use crate::{Element, Idx, Result, Tensor};

/// `softmax(Q Kᵀ / √d_k) V`; with `causal`, query i attends to keys j ≤ i.
pub fn scaled_dot_product<T: Element>(
    q: &Tensor<T>,
    k: &Tensor<T>,
    v: &Tensor<T>,
    causal: bool,
) -> Result<Tensor<T>> {
    if q.ndim() < 2 || k.ndim() < 2 || v.ndim() < 2 {
        return Err(Error::shape(
            "attention",
            "Q, K and V must be [N, d] matrices (or batches of them)",
        ));
    }
    let dk = *q
        .shape()
        .last()
        .ok_or_else(|| Error::shape("attention", "Q has no key axis"))?;
    if k.shape().last() != Some(&dk) {
        return Err(Error::ShapeMismatch {
            op: "attention (Q and K need the same key size)".into(),
            lhs: q.shape().to_vec(),
            rhs: k.shape().to_vec(),
        });
    }
    let nd = k.ndim();
    let mut perm: Vec<usize> = (0..nd).collect();
    perm.swap(nd - 2, nd - 1);
    let s = q
        .matmul(&k.permute(&perm)?)?
        .div(&Tensor::scalar(T::from_i64(dk as i64)).sqrt()?)?;
    let a = if causal {
        causal_softmax(&s)?
    } else {
        softmax(&s, -1)?
    };
    a.matmul(v)
}

/// Softmax over the last axis with every key after the query masked out.
fn causal_softmax<T: Element>(s: &Tensor<T>) -> Result<Tensor<T>> {
    let (n, m) = (s.shape()[s.ndim() - 2], s.shape()[s.ndim() - 1]);
    let mut mask = Vec::with_capacity(n * m);
    for i in 0..n {
        for j in 0..m {
            mask.push(if j <= i { T::one() } else { T::zero() });
        }
    }
    let mask = Tensor::from_vec(mask, &[n, m])?;
    let shift = shift(s, -1, Some(&mask))?;
    // Masked scores are zeroed before exp so they can never overflow.
    let z = s.sub(&shift)?.mul(&mask)?.exp()?.mul(&mask)?;
    z.div(&z.sum(Some(&[-1]), true)?)
}

fn project<T: Element>(x: &Tensor<T>, w: &Tensor<T>, b: Option<&Tensor<T>>) -> Result<Tensor<T>> {
    let y = x.matmul(w)?;
    match b {
        Some(b) => y.add(b),
        None => Ok(y),
    }
}

/// Weights of single-head self-attention, `[d_in, d]` each.
pub struct AttentionWeights<T: Element> {
    pub w_q: Tensor<T>,
    pub w_k: Tensor<T>,
    pub w_v: Tensor<T>,
    pub b_q: Option<Tensor<T>>,
    pub b_k: Option<Tensor<T>>,
    pub b_v: Option<Tensor<T>>,
}

/// `attention(X W_q + b_q, X W_k + b_k, X W_v + b_v)`.
pub fn self_attention<T: Element>(
    x: &Tensor<T>,
    w: &AttentionWeights<T>,
    causal: bool,
) -> Result<Tensor<T>> {
    let q = project(x, &w.w_q, w.b_q.as_ref())?;
    let k = project(x, &w.w_k, w.b_k.as_ref())?;
    let v = project(x, &w.w_v, w.b_v.as_ref())?;
    scaled_dot_product(&q, &k, &v, causal)
}

/// Multi-head attention: the projections' columns are split into `heads`
/// equal groups, each group attends on its own, the results are joined and
/// projected by `w_o` (`[d_model, d_model]`, plus `b_o`).
pub fn multi_head<T: Element>(
    x: &Tensor<T>,
    w: &AttentionWeights<T>,
    w_o: &Tensor<T>,
    b_o: Option<&Tensor<T>>,
    heads: usize,
    causal: bool,
) -> Result<Tensor<T>> {
    let d = *w
        .w_q
        .shape()
        .last()
        .ok_or_else(|| Error::shape("multi_head", "W_q must be a matrix"))?;
    if heads == 0 || d % heads != 0 {
        return Err(Error::invalid(
            "multi_head",
            format!("{d} columns cannot be split into {heads} equal heads"),
        ));
    }
    let q = project(x, &w.w_q, w.b_q.as_ref())?;
    let k = project(x, &w.w_k, w.b_k.as_ref())?;
    let v = project(x, &w.w_v, w.b_v.as_ref())?;
    let hd = (d / heads) as i64;
    let outs = (0..heads as i64)
        .map(|h| {
            let cols = |t: &Tensor<T>| {
                t.slice(&[Idx::all(), Idx::range(Some(h * hd), Some((h + 1) * hd))])
            };
            scaled_dot_product(&cols(&q)?, &cols(&k)?, &cols(&v)?, causal)
        })
        .collect::<Result<Vec<_>>>()?;
    project(&Tensor::concat(&outs, -1)?, w_o, b_o)
}
