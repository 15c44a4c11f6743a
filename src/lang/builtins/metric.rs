//! Metric learning and retrieval: distances (whose names are also values
//! for `metric=`), class centroids, nearest-centroid classification,
//! retrieval and ranking measures. Rankings are decided exactly, and each
//! built-in notes what decided it: every distance, any tie.

use super::{lib, notes, t, usizes, Args, Builtin, Is};
use crate::explain::math::Math;
use crate::explain::Note;
use crate::lang::interp::{Interp, R};
use crate::lang::value::Value;
use crate::metric::{self, Metric};
use crate::{Idx, Num, Tensor};

/// A ranking measure: retrieved rows, their labels, the relevant class.
type Ranking = fn(&[usize], &Tensor<Num>, &Num) -> crate::Result<Num>;

#[rustfmt::skip]
pub(super) static ROWS: &[Builtin] = &[
    Builtin::args("l1", "l1(a, b)", "Σ|a − b| along the last axis; a value for `metric=`", |_, a, _| distance_by(a, Metric::L1))
        .is(Is::Metric(Metric::L1)),
    Builtin::args("l2", "l2(a, b)", "‖a − b‖ along the last axis; a value for `metric=`", |_, a, _| distance_by(a, Metric::L2))
        .is(Is::Metric(Metric::L2)),
    Builtin::args("sqeuclidean", "sqeuclidean(a, b)", "‖a − b‖² along the last axis; a value for `metric=`", |_, a, _| distance_by(a, Metric::SqL2))
        .is(Is::Metric(Metric::SqL2)),
    Builtin::args("cosine", "cosine(a, b)", "1 − cos along the last axis; a value for `metric=`", |_, a, _| distance_by(a, Metric::Cosine))
        .is(Is::Metric(Metric::Cosine)),
    Builtin::args("distance", "distance(a, b, metric=l2)", "the distance along the last axis", distance),
    Builtin::args("pairwise", "pairwise(A, B, metric=l2)", "the distances of all pairs of rows", pairwise),
    Builtin::args("centroids", "centroids(E, labels)", "class means, classes in ascending order", centroids),
    Builtin::args("nearest_centroid", "nearest_centroid(E, labels, z, metric=l2)", "the nearest class; notes every centroid and distance, and any tie (the lowest class wins)", nearest_centroid),
    Builtin::args("retrieve", "retrieve(E, q, k, metric=l2)", "the k nearest rows as 0-based indices, ties to the lower row; notes each distance and a tie at the k-th", retrieve),
    Builtin::args("precision", "precision(retrieved, labels, relevant)", "the share of the retrieved that is relevant", |it, a, n| ranking(it, a, n, metric::precision)),
    Builtin::args("recall", "recall(retrieved, labels, relevant)", "the share of the relevant that is retrieved", |it, a, n| ranking(it, a, n, metric::recall)),
    Builtin::args("precision_at_k", "precision_at_k(retrieved, labels, relevant, k)", "precision of the first k retrieved", precision_at_k),
    Builtin::args("average_precision", "average_precision(retrieved, labels, relevant)", "the mean of precision at each relevant hit", |it, a, n| ranking(it, a, n, metric::average_precision)),
    Builtin::args("r_precision", "r_precision(retrieved, labels, relevant)", "precision at R, the number of relevant rows", |it, a, n| ranking(it, a, n, metric::r_precision)),
];

fn distance_by(a: &mut Args, m: Metric) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let y = a.tensor(1, "b")?;
    t(metric::distance(&x, &y, m), a.span)
}

fn distance(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "a")?;
    let y = a.tensor(1, "b")?;
    let m = a.metric(2, Metric::L2)?;
    t(metric::distance(&x, &y, m), a.span)
}

fn pairwise(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "A")?;
    let y = a.tensor(1, "B")?;
    let m = a.metric(2, Metric::L2)?;
    t(metric::pairwise(&x, &y, m), a.span)
}

fn centroids(it: &Interp, a: &mut Args, notes: &mut Vec<Note>) -> R<Value> {
    let e = a.tensor(0, "E")?;
    let l = a.tensor(1, "labels")?;
    let span = a.span;
    let (classes, c) = lib(metric::centroids(&e, &l), span)?;
    for (i, cl) in classes.iter().enumerate() {
        let row = lib(c.slice(&[Idx::At(i as i64)]), span)?;
        notes.push(Note::labelled(
            format!("class {}:", it.fmt.compact(cl)),
            vec![
                Math::sym(format!("μ_{}", it.fmt.compact(cl))),
                Math::val(&row),
            ],
        ));
    }
    Ok(Value::T(c))
}

fn nearest_centroid(it: &Interp, a: &mut Args, notes: &mut Vec<Note>) -> R<Value> {
    let e = a.tensor(0, "E")?;
    let l = a.tensor(1, "labels")?;
    let z = a.tensor(2, "z")?;
    let m = a.metric(3, Metric::L2)?;
    let r = lib(metric::nearest_centroid(&e, &l, &z, m), a.span)?;
    notes::centroid_notes(it, notes, &r, &e, &l, &z, m, a.exprs());
    Ok(Value::num(r.classes[r.winner].clone()))
}

fn retrieve(it: &Interp, a: &mut Args, notes: &mut Vec<Note>) -> R<Value> {
    let e = a.tensor(0, "E")?;
    let q = a.tensor(1, "q")?;
    let k = a.usize(2, "k", None)?;
    let m = a.metric(3, Metric::L2)?;
    let span = a.span;
    let r = lib(metric::retrieve(&e, &q, k, m), span)?;
    notes::retrieval_notes(it, notes, &r, &e, &q, m, a.exprs());
    let idx: Vec<Num> = r.indices.iter().map(|&i| Num::int(i as i64)).collect();
    Ok(Value::T(lib(
        Tensor::from_vec(idx, &[r.indices.len()]),
        span,
    )?))
}

/// The retrieved rows, their labels and the relevant class.
fn ranking_args(it: &Interp, a: &mut Args) -> R<(Vec<usize>, Tensor<Num>, Num)> {
    let (rv, rs) = a.required(0, "retrieved")?;
    let idx = usizes(
        it,
        &rv,
        rs,
        "retrieved items are row indices (0-based integers)",
    )?;
    let labels = a.tensor(1, "labels")?;
    let cls = a.num(2, "relevant", None)?;
    Ok((idx, labels, cls))
}

fn ranking(it: &Interp, a: &mut Args, notes: &mut Vec<Note>, f: Ranking) -> R<Value> {
    let (idx, labels, cls) = ranking_args(it, a)?;
    let v = lib(f(&idx, &labels, &cls), a.span)?;
    notes::ranking_notes(it, notes, a.name, &idx, &labels, &cls, &v);
    Ok(Value::num(v))
}

fn precision_at_k(it: &Interp, a: &mut Args, notes: &mut Vec<Note>) -> R<Value> {
    let (idx, labels, cls) = ranking_args(it, a)?;
    let k = a.usize(3, "k", None)?;
    let v = lib(metric::precision_at(&idx, &labels, &cls, k), a.span)?;
    notes::ranking_notes(it, notes, a.name, &idx, &labels, &cls, &v);
    Ok(Value::num(v))
}
