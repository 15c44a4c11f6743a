//! Losses, each with its formula. Means are over every element (PyTorch's
//! `reduction="mean"`) unless the function says otherwise.

use crate::autograd::Group;
use crate::error::Error;
use crate::explain::math::{product, Math, Op};
use crate::nn::act::log_softmax;
use crate::{Element, Result, Tensor};

/// The number of elements a formula's value has (what a mean divides by).
fn count(m: &Math) -> Option<(i64, Vec<usize>)> {
    let v = m.eval().ok()??;
    Some((v.len() as i64, v.shape().to_vec()))
}

/// `x / n`, or `x` when n is 1.
fn over(x: Math, n: i64) -> Math {
    if n == 1 {
        x
    } else {
        Math::bin(Op::Div, x, Math::int(n))
    }
}

/// A loss as one step: its formula `name(a, b)`, and its rules.
fn loss_group<T: Element>(
    y: Tensor<T>,
    name: &'static str,
    a: &Tensor<T>,
    b: &Tensor<T>,
    vjp: fn(usize, &Math, &[Math]) -> Option<Math>,
) -> Tensor<T> {
    y.grouped(Group {
        name,
        inputs: vec![a.clone(), b.clone()],
        formula: match name {
            "mse" => |ins| Math::call("mse", ins.to_vec()),
            "bce" => |ins| Math::call("bce", ins.to_vec()),
            _ => |ins| Math::call("bce_with_logits", ins.to_vec()),
        },
        vjp,
    })
}

fn same_shape<T: Element>(op: &str, a: &Tensor<T>, b: &Tensor<T>) -> Result<()> {
    if a.shape() != b.shape() {
        return Err(Error::mismatch(op, a.shape(), b.shape()));
    }
    Ok(())
}

/// mean((ŷ − y)²)
pub fn mse<T: Element>(pred: &Tensor<T>, target: &Tensor<T>) -> Result<Tensor<T>> {
    same_shape("mse", pred, target)?;
    let y = pred.sub(target)?.powi(2)?.mean(None, false)?;
    // ∂/∂ŷ = 2(ŷ − y)/n, ∂/∂y = −2(ŷ − y)/n
    Ok(loss_group(y, "mse", pred, target, |pos, g, ins| {
        let (n, shape) = count(&ins[0])?;
        let d = Math::bin(
            Op::Mul,
            Math::int(2),
            Math::bin(Op::Sub, ins[0].clone(), ins[1].clone()),
        );
        let local = over(d, n);
        let local = if pos == 0 {
            local
        } else {
            Math::Neg(Box::new(local))
        };
        Some(product(g.clone(), local, &shape))
    }))
}

/// −mean(y·log p + (1 − y)·log(1 − p)) on probabilities `p`.
pub fn bce<T: Element>(p: &Tensor<T>, y: &Tensor<T>) -> Result<Tensor<T>> {
    same_shape("binary_cross_entropy", p, y)?;
    let one = Tensor::scalar(T::one());
    let a = y.mul(&p.log()?)?;
    let b = one.sub(y)?.mul(&one.sub(p)?.log()?)?;
    let l = a.add(&b)?.mean(None, false)?.neg()?;
    // ∂/∂p = (p − y)/(n·p·(1 − p))
    Ok(loss_group(l, "bce", p, y, |pos, g, ins| {
        if pos != 0 {
            return None;
        }
        let (n, shape) = count(&ins[0])?;
        let p = ins[0].clone();
        let den = Math::bin(
            Op::Mul,
            p.clone(),
            Math::bin(Op::Sub, Math::int(1), p.clone()),
        );
        let den = if n == 1 {
            den
        } else {
            Math::bin(Op::Mul, Math::int(n), den)
        };
        let local = Math::bin(Op::Div, Math::bin(Op::Sub, p, ins[1].clone()), den);
        Some(product(g.clone(), local, &shape))
    }))
}

/// BCE on logits `s`, in the stable form mean(max(s, 0) − s·y + log(1 + e^−|s|)).
pub fn bce_with_logits<T: Element>(s: &Tensor<T>, y: &Tensor<T>) -> Result<Tensor<T>> {
    same_shape("binary_cross_entropy_with_logits", s, y)?;
    let one = Tensor::scalar(T::one());
    let soft = one.add(&s.abs()?.neg()?.exp()?)?.log()?;
    // max(s, 0) written as (s + |s|)/2: the same value, and a derivative
    // that sums to σ(0) = 1/2 at s = 0 (with relu'(0) = |·|'(0) = 0 the
    // pieces would give 0 there, and ∂L/∂s would be −y/n instead of
    // (1/2 − y)/n at a logit of exactly 0).
    let pos = s.add(&s.abs()?)?.div(&Tensor::scalar(T::from_i64(2)))?;
    let l = pos.sub(&s.mul(y)?)?.add(&soft)?.mean(None, false)?;
    // ∂/∂s = (σ(s) − y)/n
    Ok(loss_group(l, "bce_with_logits", s, y, |pos, g, ins| {
        if pos != 0 {
            return None;
        }
        let (n, shape) = count(&ins[0])?;
        let d = Math::bin(
            Op::Sub,
            Math::call("sigmoid", vec![ins[0].clone()]),
            ins[1].clone(),
        );
        Some(product(g.clone(), over(d, n), &shape))
    }))
}

/// Cross-entropy of logits `[N, C]` (or `[C]`) against class indices `[N]`
/// (or one index) or one-hot / probability rows of the same shape:
/// mean over rows of −Σ_c y_c·log softmax(s)_c.
pub fn cross_entropy<T: Element>(logits: &Tensor<T>, target: &Tensor<T>) -> Result<Tensor<T>> {
    let s = if logits.ndim() == 1 {
        logits.unsqueeze(0)?
    } else {
        logits.clone()
    };
    if s.ndim() != 2 {
        return Err(Error::shape(
            "cross_entropy",
            format!("logits must be [N, C], got {:?}", logits.shape()),
        ));
    }
    let (n, c) = (s.shape()[0], s.shape()[1]);
    let onehot = if target.shape() == logits.shape() {
        if logits.ndim() == 1 {
            target.unsqueeze(0)?
        } else {
            target.clone()
        }
    } else if target.len() == n && target.ndim() <= 1 {
        let mut v = vec![T::zero(); n * c];
        for (i, t) in target.value().iter().enumerate() {
            let f = t.to_f64();
            let k = (f.fract() == 0.0 && (0.0..c as f64).contains(&f))
                .then_some(f as usize)
                .ok_or_else(|| {
                    Error::invalid(
                        "cross_entropy",
                        format!("class index {t} is not one of 0..{}", c - 1),
                    )
                })?;
            v[i * c + k] = T::one();
        }
        Tensor::from_vec(v, &[n, c])?
    } else {
        return Err(Error::ShapeMismatch {
            op: "cross_entropy (targets are N class indices or an [N, C] one-hot)".into(),
            lhs: logits.shape().to_vec(),
            rhs: target.shape().to_vec(),
        });
    };
    let l = log_softmax(&s, 1)?
        .mul(&onehot)?
        .sum(Some(&[1]), false)?
        .mean(None, false)?
        .neg()?;
    if logits.ndim() != 1 {
        return Ok(l);
    }
    // Of one row, as one step: ∂L/∂s = softmax(s) − y (y one-hot).
    Ok(l.grouped(Group {
        name: "cross_entropy",
        inputs: vec![logits.clone(), target.clone()],
        formula: |ins| Math::call("cross_entropy", ins.to_vec()),
        vjp: |pos, g, ins| {
            if pos != 0 {
                return None;
            }
            let s = ins[0].eval().ok()??;
            let t = ins[1].eval().ok()??;
            let y = if t.shape() == s.shape() {
                ins[1].clone()
            } else {
                let k = t.item().ok()?.to_i64()?;
                let mut v = vec![crate::Num::zero(); s.len()];
                *v.get_mut(usize::try_from(k).ok()?)? = crate::Num::one();
                Math::val(&Tensor::from_vec(v, s.shape()).ok()?)
            };
            let local = Math::bin(Op::Sub, Math::call("softmax", vec![ins[0].clone()]), y);
            Some(product(g.clone(), local, s.shape()))
        },
    }))
}

/// mean(max(0, 1 − y·s)) with labels y ∈ {−1, +1}.
pub fn hinge<T: Element>(s: &Tensor<T>, y: &Tensor<T>) -> Result<Tensor<T>> {
    same_shape("hinge", s, y)?;
    Tensor::scalar(T::one())
        .sub(&y.mul(s)?)?
        .relu()?
        .mean(None, false)
}

/// The seed's quadratic contrastive loss for one pair of embeddings:
/// positive pair (`same = true`): ‖f₁ − f₂‖²;
/// negative pair: max(0, m − ‖f₁ − f₂‖)².
pub fn contrastive<T: Element>(
    f1: &Tensor<T>,
    f2: &Tensor<T>,
    same: bool,
    margin: &Tensor<T>,
) -> Result<Tensor<T>> {
    same_shape("contrastive", f1, f2)?;
    let d = f1.sub(f2)?;
    if same {
        d.powi(2)?.sum_all()
    } else {
        margin.sub(&d.norm()?)?.relu()?.powi(2)
    }
}

/// Squared L2 distance ‖a − b‖² over the last axis.
fn sq_dist<T: Element>(a: &Tensor<T>, b: &Tensor<T>) -> Result<Tensor<T>> {
    a.sub(b)?.powi(2)?.sum(Some(&[-1]), false)
}

/// Triplet loss. `squared = true`: max(d(a,p)² − d(a,n)² + m, 0), the course's
/// form; `false`: max(d(a,p) − d(a,n) + m, 0), PyTorch's `TripletMarginLoss`.
/// Batches (`[N, d]`) are averaged.
pub fn triplet<T: Element>(
    a: &Tensor<T>,
    p: &Tensor<T>,
    n: &Tensor<T>,
    margin: &Tensor<T>,
    squared: bool,
) -> Result<Tensor<T>> {
    same_shape("triplet", a, p)?;
    same_shape("triplet", a, n)?;
    let (dp, dn) = (sq_dist(a, p)?, sq_dist(a, n)?);
    let (dp, dn) = if squared {
        (dp, dn)
    } else {
        (dp.sqrt()?, dn.sqrt()?)
    };
    dp.sub(&dn)?.add(margin)?.relu()?.mean(None, false)
}

/// Cosine embedding loss: y = 1: 1 − cos(x₁, x₂); y = −1: max(0, cos − m).
pub fn cosine_embedding<T: Element>(
    x1: &Tensor<T>,
    x2: &Tensor<T>,
    y: &Tensor<T>,
    margin: &Tensor<T>,
) -> Result<Tensor<T>> {
    same_shape("cosine_embedding", x1, x2)?;
    let dot = x1.mul(x2)?.sum(Some(&[-1]), false)?;
    let n = x1
        .powi(2)?
        .sum(Some(&[-1]), false)?
        .mul(&x2.powi(2)?.sum(Some(&[-1]), false)?)?
        .sqrt()?;
    let cos = dot.div(&n)?;
    let one = Tensor::scalar(T::one());
    let pos = one.sub(&cos)?;
    let neg = cos.sub(margin)?.relu()?;
    let is_pos = y.eq(&one)?;
    let l = is_pos.mul(&pos)?.add(&one.sub(&is_pos)?.mul(&neg)?)?;
    l.mean(None, false)
}
