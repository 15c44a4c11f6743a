//! Losses, each a mean over its items (PyTorch's `reduction="mean"`) and
//! built from tensor ops, so `grad` sees through them.

use super::{t, Args, Builtin};
use crate::explain::Note;
use crate::lang::interp::{Interp, R};
use crate::lang::value::Value;
use crate::nn::loss;
use crate::{Num, Tensor};

type Loss = fn(&Tensor<Num>, &Tensor<Num>) -> crate::Result<Tensor<Num>>;

#[rustfmt::skip]
pub(super) static ROWS: &[Builtin] = &[
    Builtin::args("mse", "mse(input, target)", "mean((ŷ − y)²)", |_, a, _| of_pair(a, loss::mse)),
    Builtin::args("bce", "bce(input, target)", "−mean(y·log p + (1 − y)·log(1 − p))", |_, a, _| of_pair(a, loss::bce)),
    Builtin::args("bce_with_logits", "bce_with_logits(input, target)", "mean(max(s, 0) − s·y + log(1 + e^−|s|))", |_, a, _| of_pair(a, loss::bce_with_logits)),
    Builtin::args("cross_entropy", "cross_entropy(input, target)", "mean over rows of −log softmax(logits)[target]; targets are class indices or one-hot rows", |_, a, _| of_pair(a, loss::cross_entropy)),
    Builtin::args("hinge", "hinge(input, target)", "mean(max(0, 1 − y·s)), y ∈ {−1, 1}", |_, a, _| of_pair(a, loss::hinge)),
    Builtin::args("contrastive", "contrastive(f1, f2, same=True, margin=1)", "a positive pair ‖f1 − f2‖², a negative pair max(0, m − ‖f1 − f2‖)²", contrastive),
    Builtin::args("triplet", "triplet(a, p, n, margin=1, squared=True)", "max(d(a,p)² − d(a,n)² + m, 0); squared=False: max(d(a,p) − d(a,n) + m, 0)", triplet),
    Builtin::args("cosine_embedding", "cosine_embedding(x1, x2, y, margin=0)", "y = 1: 1 − cos; y = −1: max(0, cos − m)", cosine_embedding),
];

/// A loss of a prediction and a target.
fn of_pair(a: &mut Args, f: Loss) -> R<Value> {
    let x = a.tensor(0, "input")?;
    let y = a.tensor(1, "target")?;
    t(f(&x, &y), a.span)
}

fn contrastive(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let f1 = a.tensor(0, "f1")?;
    let f2 = a.tensor(1, "f2")?;
    let same = a.flag(2, "same", true)?;
    let m = a.num(3, "margin", Some("1"))?;
    t(
        loss::contrastive(&f1, &f2, same, &Tensor::scalar(m)),
        a.span,
    )
}

fn triplet(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let an = a.tensor(0, "a")?;
    let p = a.tensor(1, "p")?;
    let n = a.tensor(2, "n")?;
    let m = a.num(3, "margin", Some("1"))?;
    let sq = a.flag(4, "squared", true)?;
    t(loss::triplet(&an, &p, &n, &Tensor::scalar(m), sq), a.span)
}

fn cosine_embedding(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x1 = a.tensor(0, "x1")?;
    let x2 = a.tensor(1, "x2")?;
    let y = a.tensor(2, "y")?;
    let m = a.num(3, "margin", Some("0"))?;
    t(
        loss::cosine_embedding(&x1, &x2, &y, &Tensor::scalar(m)),
        a.span,
    )
}
