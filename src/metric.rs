//! `metric`: distances, class centroids, nearest-centroid classification,
//! k-nearest retrieval and ranking metrics.
//!
//! Decisions are exact where the numbers are: L2 rankings are decided on
//! squared distances (same order, no square root), so ties are seen as ties.
//! Degenerate cases are reported in the results, never hidden: tied
//! centroids, a tie at the k-th retrieved place.

use std::cmp::Ordering;

use crate::error::Error;
use crate::{Element, Num, Result, Tensor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    L1,
    L2,
    SqL2,
    /// 1 − cos(a, b)
    Cosine,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::L1 => "l1",
            Metric::L2 => "l2",
            Metric::SqL2 => "sqeuclidean",
            Metric::Cosine => "cosine",
        }
    }
    pub fn from_name(s: &str) -> Option<Metric> {
        Some(match s {
            "l1" | "manhattan" | "cityblock" => Metric::L1,
            "l2" | "euclidean" => Metric::L2,
            "sqeuclidean" | "sql2" => Metric::SqL2,
            "cosine" => Metric::Cosine,
            _ => return None,
        })
    }
}

/// Distance between `a` and `b` along the last axis (broadcasting).
pub fn distance<T: Element>(a: &Tensor<T>, b: &Tensor<T>, m: Metric) -> Result<Tensor<T>> {
    let d = a.sub(b)?;
    match m {
        Metric::L1 => d.abs()?.sum(Some(&[-1]), false),
        Metric::SqL2 => d.powi(2)?.sum(Some(&[-1]), false),
        Metric::L2 => d.powi(2)?.sum(Some(&[-1]), false)?.sqrt_or_zero(),
        Metric::Cosine => {
            let dot = a.mul(b)?.sum(Some(&[-1]), false)?;
            let na = a.powi(2)?.sum(Some(&[-1]), false)?;
            let nb = b.powi(2)?.sum(Some(&[-1]), false)?;
            Tensor::scalar(T::one()).sub(&dot.div(&na.mul(&nb)?.sqrt()?)?)
        }
    }
}

/// The distance used to *rank*: the same order as `m`, exact where possible.
/// L2 ranks by the squared distance; cosine by 1 − c·|c| for the cosine c
/// (the signed squared cosine, dot·|dot| / (‖a‖²‖b‖²): monotone in c and
/// rational, so exact ties are seen as ties rather than left uncertain).
fn ranking_distance<T: Element>(a: &Tensor<T>, b: &Tensor<T>, m: Metric) -> Result<Tensor<T>> {
    match m {
        Metric::L2 => distance(a, b, Metric::SqL2),
        Metric::Cosine => {
            let dot = a.mul(b)?.sum(Some(&[-1]), false)?;
            let na = a.powi(2)?.sum(Some(&[-1]), false)?;
            let nb = b.powi(2)?.sum(Some(&[-1]), false)?;
            let signed = dot.mul(&dot.abs()?)?.div(&na.mul(&nb)?)?;
            Tensor::scalar(T::one()).sub(&signed)
        }
        _ => distance(a, b, m),
    }
}

/// `D[i, j] = d(A[i], B[j])` for `A: [n, d]`, `B: [m, d]`.
pub fn pairwise<T: Element>(a: &Tensor<T>, b: &Tensor<T>, m: Metric) -> Result<Tensor<T>> {
    if a.ndim() != 2 || b.ndim() != 2 || a.shape()[1] != b.shape()[1] {
        return Err(Error::mismatch(
            "pairwise distances ([n, d] and [m, d])",
            a.shape(),
            b.shape(),
        ));
    }
    distance(&a.unsqueeze(1)?, &b.unsqueeze(0)?, m)
}

fn check_rows<T: Element>(op: &str, e: &Tensor<T>, labels: &Tensor<T>) -> Result<()> {
    if e.ndim() != 2 {
        return Err(Error::shape(
            op,
            format!("embeddings must be [n, d], got {:?}", e.shape()),
        ));
    }
    if labels.ndim() != 1 || labels.len() != e.shape()[0] {
        return Err(Error::mismatch(
            format!("{op} (one label per embedding row)"),
            e.shape(),
            labels.shape(),
        ));
    }
    Ok(())
}

/// The distinct labels in ascending order.
fn classes_of<T: Element>(labels: &Tensor<T>) -> Result<Vec<T>> {
    let mut out: Vec<T> = Vec::new();
    for l in labels.value().iter() {
        let mut pos = out.len();
        for (i, c) in out.iter().enumerate() {
            match l.compare(c)? {
                Ordering::Equal => {
                    pos = usize::MAX;
                    break;
                }
                Ordering::Less => {
                    pos = i;
                    break;
                }
                Ordering::Greater => {}
            }
        }
        if pos != usize::MAX {
            out.insert(pos, l.clone());
        }
    }
    Ok(out)
}

/// Class labels (ascending) and the mean embedding of each, `[c, d]`.
pub fn centroids<T: Element>(e: &Tensor<T>, labels: &Tensor<T>) -> Result<(Vec<T>, Tensor<T>)> {
    check_rows("centroids", e, labels)?;
    let classes = classes_of(labels)?;
    if classes.is_empty() {
        return Err(Error::invalid("centroids", "there are no embeddings"));
    }
    let rows = classes
        .iter()
        .map(|c| {
            let mask = labels.eq(&Tensor::scalar(c.clone()))?.unsqueeze(1)?;
            let n = mask.sum_all()?;
            e.mul(&mask)?.sum(Some(&[0]), false)?.div(&n)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((classes, Tensor::stack(&rows, 0)?))
}

/// Everything a nearest-centroid classification computed.
pub struct NearestCentroid<T: Element> {
    pub classes: Vec<T>,
    pub centroids: Tensor<T>,
    /// d(z, centroid) for every class.
    pub distances: Tensor<T>,
    /// Index into `classes` of the winner (the lowest index among ties).
    pub winner: usize,
    /// Indices of other classes at exactly the winner's distance.
    pub tied: Vec<usize>,
}

/// Classifies `z` by its nearest class centroid.
pub fn nearest_centroid<T: Element>(
    e: &Tensor<T>,
    labels: &Tensor<T>,
    z: &Tensor<T>,
    m: Metric,
) -> Result<NearestCentroid<T>> {
    let (classes, cents) = centroids(e, labels)?;
    if z.ndim() != 1 || z.len() != cents.shape()[1] {
        return Err(Error::mismatch(
            "nearest_centroid (query against embedding size)",
            z.shape(),
            &cents.shape()[1..],
        ));
    }
    let rank = ranking_distance(&cents, z, m)?;
    let r: Vec<T> = rank.value().iter().cloned().collect();
    let mut winner = 0;
    for i in 1..r.len() {
        if r[i].compare(&r[winner])?.is_lt() {
            winner = i;
        }
    }
    let mut tied = Vec::new();
    for (i, d) in r.iter().enumerate() {
        if i != winner && d.compare(&r[winner])?.is_eq() {
            tied.push(i);
        }
    }
    crate::boundary::hit_if(|| !tied.is_empty());
    Ok(NearestCentroid {
        classes,
        distances: distance(&cents, z, m)?,
        centroids: cents,
        winner,
        tied,
    })
}

/// The k nearest rows, ranked; ties broken by the lower row index.
pub struct Retrieval<T: Element> {
    /// Row indices (0-based), nearest first.
    pub indices: Vec<usize>,
    /// Their distances under the requested metric.
    pub distances: Vec<T>,
    /// Rows left out at exactly the k-th distance.
    pub tied_out: Vec<usize>,
}

/// The `k` rows of `e` nearest to `q`.
pub fn retrieve<T: Element>(
    e: &Tensor<T>,
    q: &Tensor<T>,
    k: usize,
    m: Metric,
) -> Result<Retrieval<T>> {
    if e.ndim() != 2 || q.ndim() != 1 || q.len() != e.shape()[1] {
        return Err(Error::mismatch(
            "retrieve ([n, d] embeddings and a [d] query)",
            e.shape(),
            q.shape(),
        ));
    }
    let n = e.shape()[0];
    if k == 0 || k > n {
        return Err(Error::invalid(
            "retrieve",
            format!("k = {k} but there are {n} examples (k must be 1..={n})"),
        ));
    }
    let rank: Vec<T> = ranking_distance(e, q, m)?.value().iter().cloned().collect();
    let shown: Vec<T> = distance(e, q, m)?.value().iter().cloned().collect();
    // A stable insertion sort on certain comparisons: equal distances keep
    // row order, so ties go to the lower index.
    let mut order: Vec<usize> = (0..n).collect();
    for i in 1..n {
        let mut j = i;
        while j > 0 && rank[order[j]].compare(&rank[order[j - 1]])?.is_lt() {
            order.swap(j, j - 1);
            j -= 1;
        }
    }
    let kth = &rank[order[k - 1]];
    let mut tied_out = Vec::new();
    for &i in &order[k..] {
        if rank[i].compare(kth)?.is_eq() {
            tied_out.push(i);
        }
    }
    // A tie across the k-th place: which rows are retrieved rests on it.
    crate::boundary::hit_if(|| !tied_out.is_empty());
    let indices = order[..k].to_vec();
    Ok(Retrieval {
        distances: indices.iter().map(|&i| shown[i].clone()).collect(),
        indices,
        tied_out,
    })
}

fn relevance<T: Element>(
    retrieved: &[usize],
    labels: &Tensor<T>,
    class: &T,
) -> Result<(Vec<bool>, usize)> {
    if labels.ndim() != 1 {
        return Err(Error::shape(
            "ranking metric",
            format!("labels must be a vector, got {:?}", labels.shape()),
        ));
    }
    let l: Vec<&T> = labels.value().iter().collect();
    let mut rel = Vec::with_capacity(retrieved.len());
    for &i in retrieved {
        let lab = l.get(i).ok_or(Error::IndexOutOfRange {
            axis: 0,
            index: i as i64,
            len: l.len(),
        })?;
        rel.push(lab.compare(class)?.is_eq());
    }
    let mut total = 0;
    for lab in &l {
        if lab.compare(class)?.is_eq() {
            total += 1;
        }
    }
    if total == 0 {
        return Err(Error::invalid(
            "ranking metric",
            format!("no example has the relevant class {class}"),
        ));
    }
    Ok((rel, total))
}

fn frac(a: usize, b: usize) -> Result<Num> {
    if b == 0 {
        return Err(Error::invalid("ranking metric", "nothing was retrieved"));
    }
    Num::ratio(a as i64, b as i64)
}

/// Relevant retrieved / retrieved.
pub fn precision<T: Element>(retrieved: &[usize], labels: &Tensor<T>, class: &T) -> Result<Num> {
    let (rel, _) = relevance(retrieved, labels, class)?;
    frac(rel.iter().filter(|r| **r).count(), rel.len())
}

/// Relevant retrieved / all relevant.
pub fn recall<T: Element>(retrieved: &[usize], labels: &Tensor<T>, class: &T) -> Result<Num> {
    let (rel, total) = relevance(retrieved, labels, class)?;
    frac(rel.iter().filter(|r| **r).count(), total)
}

/// Precision of the first `k` retrieved.
pub fn precision_at<T: Element>(
    retrieved: &[usize],
    labels: &Tensor<T>,
    class: &T,
    k: usize,
) -> Result<Num> {
    if k == 0 || k > retrieved.len() {
        return Err(Error::invalid(
            "precision_at_k",
            format!("k = {k} but {} were retrieved", retrieved.len()),
        ));
    }
    precision(&retrieved[..k], labels, class)
}

/// Average precision: (1/R)·Σ over relevant positions i of precision@i,
/// with R the number of relevant examples in the whole set.
pub fn average_precision<T: Element>(
    retrieved: &[usize],
    labels: &Tensor<T>,
    class: &T,
) -> Result<Num> {
    let (rel, total) = relevance(retrieved, labels, class)?;
    let mut sum = Num::zero();
    let mut hits = 0;
    for (i, r) in rel.iter().enumerate() {
        if *r {
            hits += 1;
            sum = sum.add(&frac(hits, i + 1)?)?;
        }
    }
    sum.div(&Num::int(total as i64))
}

/// Precision at R, the number of relevant examples (the ranking must hold
/// at least R items).
pub fn r_precision<T: Element>(retrieved: &[usize], labels: &Tensor<T>, class: &T) -> Result<Num> {
    let (_, total) = relevance(retrieved, labels, class)?;
    precision_at(retrieved, labels, class, total)
}
