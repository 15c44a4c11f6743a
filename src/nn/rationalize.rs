//! From learned weights to exact ones: every weight snapped to the nearest
//! fraction with a small denominator, so a trained model becomes an exact
//! model that can be run, explained and verified on every input.
//!
//! The nearest fraction `n/d` with `1 ≤ d ≤ max_den` is found by trying each
//! denominator: the best numerator for `d` is `⌊x·d + 1/2⌋` (halves round up),
//! and a later denominator replaces the best so far only when it is strictly
//! nearer, so ties go to the smaller denominator (`0.5` stays `1/2`, never
//! `2/4`). Everything is exact arithmetic on [`Num`]; for an approximate
//! weight whose enclosure straddles a rounding point, or is as near to two
//! fractions as its width allows, the answer is [`Error::Uncertain`] rather
//! than a guess.

use crate::error::{Error, Result};
use crate::{Num, Tensor};

/// Largest `max_den` accepted: the search tries every denominator.
pub const MAX_DEN: u64 = 1 << 16;

/// The fraction nearest `x` among those with denominators `1..=max_den`.
pub fn nearest_fraction(x: &Num, max_den: u64) -> Result<Num> {
    if max_den == 0 || max_den > MAX_DEN {
        return Err(Error::invalid(
            "rationalize",
            format!("max_den must be between 1 and {MAX_DEN}, got {max_den}"),
        ));
    }
    if x.infinity().is_some() {
        return Err(Error::invalid(
            "rationalize",
            "infinity has no nearest fraction",
        ));
    }
    let half = Num::ratio(1, 2)?;
    let mut best: Option<Num> = None;
    for d in 1..=max_den {
        let d = Num::int(d as i64);
        let c = x.mul(&d)?.add(&half)?.floor()?.div(&d)?;
        // `c` is nearer than `b` when `x` is strictly on `c`'s side of their
        // midpoint: one comparison of `x`, however wide its enclosure.
        let nearer = match &best {
            None => true,
            Some(b) => match c.compare(b)? {
                std::cmp::Ordering::Equal => false,
                std::cmp::Ordering::Less => x.lt(&c.add(b)?.mul(&half)?)?,
                std::cmp::Ordering::Greater => x.gt(&c.add(b)?.mul(&half)?)?,
            },
        };
        if nearer {
            let exact = x.eq_num(&c).unwrap_or(false);
            best = Some(c);
            if exact {
                break;
            }
        }
    }
    best.ok_or_else(|| Error::invalid("rationalize", "no denominator to try"))
}

/// Every element of `t` snapped ([`nearest_fraction`]); a new constant.
pub fn rationalize(t: &Tensor<Num>, max_den: u64) -> Result<Tensor<Num>> {
    let snapped = t
        .value()
        .iter()
        .map(|x| nearest_fraction(x, max_den))
        .collect::<Result<Vec<_>>>()?;
    Ok(Tensor::from_vec(snapped, t.shape())?.as_kind(t.dtype()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Num {
        Num::parse(s).unwrap()
    }

    /// Brute force over every n/d with |n/d − x| ≤ 1, smaller denominators
    /// first: the independent definition the search must agree with.
    fn brute(x: &Num, max_den: i64) -> Num {
        let mut best: Option<(Num, Num)> = None;
        let base = x.floor().unwrap().to_i64().unwrap();
        for d in 1..=max_den {
            // Larger numerators first: a tie within one denominator rounds
            // half up, as the search does.
            for n in ((base - 1) * d..=(base + 2) * d).rev() {
                let c = Num::ratio(n, d).unwrap();
                let dist = x.sub(&c).unwrap().abs();
                if best.as_ref().is_none_or(|(_, b)| dist.lt(b).unwrap()) {
                    best = Some((c, dist));
                }
            }
        }
        best.unwrap().0
    }

    #[test]
    fn agrees_with_brute_force() {
        for s in [
            "0.49", "0.51", "-0.26", "0.74", "1.9", "-2.01", "0.333", "3/7", "-5/11", "0.125",
            "0.3", "-0.6", "7.5", "0",
        ] {
            for max_den in 1..=6 {
                let x = q(s);
                let got = nearest_fraction(&x, max_den as u64).unwrap();
                let want = brute(&x, max_den);
                assert!(
                    got.eq_num(&want).unwrap(),
                    "{s} max_den={max_den}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn ties_keep_the_smaller_denominator_and_round_half_up() {
        // 1/2 is 2/4 too: the first denominator that reaches it wins.
        assert_eq!(nearest_fraction(&q("0.5"), 4).unwrap().to_string(), "0.5");
        // 0.25 is as near 0 (d = 1) as 1/2 (d = 2): 0 came first; d = 4
        // hits it exactly.
        assert_eq!(nearest_fraction(&q("0.25"), 2).unwrap().to_string(), "0");
        assert_eq!(nearest_fraction(&q("0.25"), 4).unwrap().to_string(), "0.25");
        // −3/4 is as near −1 (d = 1) as −1/2 (d = 2): −1 came first.
        assert_eq!(nearest_fraction(&q("-0.75"), 2).unwrap().to_string(), "-1");
        // Within one denominator halves round up (toward +∞): with d = 1
        // only, 1/2 → 1 and −1/2 → 0.
        assert_eq!(nearest_fraction(&q("0.5"), 1).unwrap().to_string(), "1");
        assert_eq!(nearest_fraction(&q("-0.5"), 1).unwrap().to_string(), "0");
    }

    #[test]
    fn approximate_weights_snap_when_certain_and_refuse_when_not() {
        let w = Num::approx(0.9871).unwrap();
        assert_eq!(nearest_fraction(&w, 4).unwrap().to_string(), "1");
        // log(exp(0.25)) encloses 1/4 with a little width on both sides; at
        // d = 2, x·2 + 1/2 straddles the integer 1.
        let near = Num::approx(0.25).unwrap().exp().unwrap().log().unwrap();
        assert!(matches!(
            nearest_fraction(&near, 2),
            Err(Error::Uncertain { .. })
        ));
    }

    #[test]
    fn bad_denominators_are_errors() {
        assert!(nearest_fraction(&q("1"), 0).is_err());
        assert!(nearest_fraction(&q("1"), MAX_DEN + 1).is_err());
    }
}
