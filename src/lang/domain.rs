//! Domains a verification runs over: every sequence over an alphabet,
//! itertools.product of item lists, and every tensor of a grid. A domain is
//! a value of the language that is never materialized: its items are made
//! one at a time by index ([`Domain::get`]), in a fixed order that makes the
//! first counterexample found also a shortest and lexicographically first
//! one:
//!
//! * `sequences(alphabet, max_len, min_len=1)`: shorter first, then
//!   lexicographic with the first element most significant (for codes 00,
//!   01, 10, 11: `00` < `01` < … < `11` < `00,00` < `00,01` < …); a
//!   sequence of length L is its items stacked along a new first axis;
//! * `product(a, b, …)`: itertools.product's order (the last factor varies
//!   fastest), each tuple stacked into one tensor;
//! * `grid(lo, hi, step, shape=None)`: every tensor of `shape` whose
//!   elements are lo, lo + step, …, hi, in the same lexicographic order.

use crate::autograd::DType;
use crate::error::{Error, Result};
use crate::{Num, Tensor};

/// One domain; see the module comment.
#[derive(Clone, Debug)]
pub enum Domain {
    Sequences {
        alphabet: Vec<Tensor<Num>>,
        min_len: usize,
        max_len: usize,
    },
    Product(Vec<Vec<Tensor<Num>>>),
    Grid {
        values: Vec<Num>,
        shape: Vec<usize>,
    },
}

/// `base^exp`, or `None` past u128.
fn pow(base: usize, exp: usize) -> Option<u128> {
    (base as u128).checked_pow(u32::try_from(exp).ok()?)
}

/// The items stacked along a new first axis (one tensor of their kind).
fn stack(items: &[&Tensor<Num>]) -> Result<Tensor<Num>> {
    let first = items
        .first()
        .ok_or_else(|| Error::invalid("domain", "an empty item"))?;
    let mut shape = vec![items.len()];
    shape.extend_from_slice(first.shape());
    let mut v = Vec::with_capacity(items.len() * first.len());
    for t in items {
        if t.shape() != first.shape() {
            return Err(Error::mismatch("domain items", first.shape(), t.shape()));
        }
        v.extend(t.value().iter().cloned());
    }
    let kind = if items.iter().all(|t| t.dtype() == first.dtype()) {
        first.dtype()
    } else {
        DType::Float
    };
    Ok(Tensor::from_vec(v, &shape)?.as_kind(kind))
}

impl Domain {
    /// How many items (saturating at u128::MAX).
    pub fn len(&self) -> u128 {
        match self {
            Domain::Sequences {
                alphabet,
                min_len,
                max_len,
            } => (*min_len..=*max_len)
                .map(|l| pow(alphabet.len(), l).unwrap_or(u128::MAX))
                .fold(0u128, u128::saturating_add),
            Domain::Product(factors) => factors
                .iter()
                .map(|f| f.len() as u128)
                .try_fold(1u128, u128::checked_mul)
                .unwrap_or(u128::MAX),
            Domain::Grid { values, shape } => elements(shape)
                .and_then(|n| pow(values.len(), n))
                .unwrap_or(u128::MAX),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item `i` (0-based, in the domain's order).
    pub fn get(&self, mut i: u128) -> Result<Tensor<Num>> {
        let out_of_range = || Error::invalid("domain", "an index past its last item");
        match self {
            Domain::Sequences {
                alphabet,
                min_len,
                max_len,
            } => {
                let k = alphabet.len();
                for l in *min_len..=*max_len {
                    let count = pow(k, l).ok_or_else(out_of_range)?;
                    if i < count {
                        let digits = digits(i, k, l);
                        let items: Vec<&Tensor<Num>> =
                            digits.iter().map(|&d| &alphabet[d]).collect();
                        return stack(&items);
                    }
                    i -= count;
                }
                Err(out_of_range())
            }
            Domain::Product(factors) => {
                let mut idx = vec![0; factors.len()];
                for (slot, f) in idx.iter_mut().zip(factors).rev() {
                    let n = f.len() as u128;
                    *slot = (i % n) as usize;
                    i /= n;
                }
                if i != 0 {
                    return Err(out_of_range());
                }
                let items: Vec<&Tensor<Num>> =
                    idx.iter().zip(factors).map(|(&j, f)| &f[j]).collect();
                stack(&items)
            }
            Domain::Grid { values, shape } => {
                let n = elements(shape).ok_or_else(out_of_range)?;
                if i >= self.len() {
                    return Err(out_of_range());
                }
                let v = digits(i, values.len(), n)
                    .into_iter()
                    .map(|d| values[d].clone())
                    .collect();
                Tensor::from_vec(v, shape)
            }
        }
    }

    /// What the domain is, for a line of working.
    pub fn describe(&self) -> String {
        match self {
            Domain::Sequences {
                alphabet,
                min_len,
                max_len,
            } => format!(
                "every sequence of length {min_len}..{max_len} over {} symbols",
                alphabet.len()
            ),
            Domain::Product(f) => format!(
                "every combination of {}",
                f.iter()
                    .map(|x| format!("{} values", x.len()))
                    .collect::<Vec<_>>()
                    .join(" × ")
            ),
            Domain::Grid { values, shape } => {
                let shape = if shape.is_empty() {
                    "a number".to_string()
                } else {
                    format!("every {shape:?} tensor")
                };
                format!("{shape} with elements among {} values", values.len())
            }
        }
    }
}

/// The number of elements of `shape`, if it fits.
fn elements(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

/// `i` in base `k` as `l` digits, most significant first.
fn digits(mut i: u128, k: usize, l: usize) -> Vec<usize> {
    let mut d = vec![0; l];
    for slot in d.iter_mut().rev() {
        *slot = (i % k as u128) as usize;
        i /= k as u128;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Tensor<Num> {
        Tensor::parse(s).unwrap()
    }

    #[test]
    fn sequences_are_shortest_first_then_lexicographic() {
        let d = Domain::Sequences {
            alphabet: vec![t("[0, 0]"), t("[0, 1]"), t("[1, 0]"), t("[1, 1]")],
            min_len: 1,
            max_len: 2,
        };
        // 4 of length 1, 16 of length 2.
        assert_eq!(d.len(), 20);
        let all: Vec<String> = (0..20).map(|i| d.get(i).unwrap().to_string()).collect();
        assert_eq!(all[0], "[[0, 0]]");
        assert_eq!(all[3], "[[1, 1]]");
        assert_eq!(all[4], "[[0, 0], [0, 0]]");
        assert_eq!(all[5], "[[0, 0], [0, 1]]");
        assert_eq!(all[8], "[[0, 1], [0, 0]]");
        assert_eq!(all[19], "[[1, 1], [1, 1]]");
        assert!(d.get(20).is_err());
    }

    #[test]
    fn product_is_itertools_order_and_grid_is_lexicographic() {
        let a = vec![t("1"), t("2")];
        let b = vec![t("10"), t("20"), t("30")];
        let p = Domain::Product(vec![a, b]);
        let got: Vec<String> = (0..p.len())
            .map(|i| p.get(i).unwrap().to_string())
            .collect();
        assert_eq!(
            got,
            ["[1, 10]", "[1, 20]", "[1, 30]", "[2, 10]", "[2, 20]", "[2, 30]"]
        );
        let g = Domain::Grid {
            values: vec![Num::int(-1), Num::zero(), Num::one()],
            shape: vec![2],
        };
        assert_eq!(g.len(), 9);
        assert_eq!(g.get(0).unwrap().to_string(), "[-1, -1]");
        assert_eq!(g.get(1).unwrap().to_string(), "[-1, 0]");
        assert_eq!(g.get(8).unwrap().to_string(), "[1, 1]");
    }

    #[test]
    fn huge_domains_count_without_overflow() {
        let d = Domain::Sequences {
            alphabet: vec![t("0"), t("1"), t("2"), t("3")],
            min_len: 1,
            max_len: 12,
        };
        // (4^13 − 4)/3 sequences of length 1..12: 22,369,620.
        assert_eq!(d.len(), 22_369_620);
        let huge = Domain::Sequences {
            alphabet: vec![t("0"), t("1")],
            min_len: 1,
            max_len: 500,
        };
        assert_eq!(huge.len(), u128::MAX);
    }
}
