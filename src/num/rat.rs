//! [`Rat`]: the exact rational of [`super::Num`], stored inline when its
//! numerator and denominator fit in an `i64` and as a `BigRational` otherwise.
//!
//! Nearly every number of a hand exercise is a small fraction; as a
//! `BigRational` each add or multiply allocates and reduces by a gcd on
//! `BigInt`s (a third of an exact kernel's time went to `Ratio::reduce`).
//! Small ones are computed here in `i128` with `u64` gcds, and a result that
//! does not fit is promoted. Hand-written: the crates that hold a small or a
//! big rational (`num-rational` over `i64` or `BigInt`, `malachite-q`,
//! `rug`) either panic on overflow or never store a fraction inline, and the
//! caller charges the budget by the bits of each result, which needs the
//! choice made here.
//!
//! The form is canonical: reduced, denominator positive, and a value that
//! fits `i64`s is *always* small — so derived equality and hashing are
//! equality and hashing of values.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::{BigRational, Ratio};
use num_traits::{Signed, ToPrimitive};

use super::EXACT_BITS_LIMIT;
use crate::budget::bits_units;

/// An exact rational: `n/d` in lowest terms with `d > 0`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Rat(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Small {
        n: i64,
        d: i64,
    },
    /// Never a value that fits `Small`.
    Big(Box<BigRational>),
}

fn gcd64(a: u64, b: u64) -> u64 {
    a.gcd(&b)
}

/// Bits of `|v|` (0 for 0), as `BigInt::bits` counts them.
fn bits_u128(v: u128) -> u64 {
    (128 - v.leading_zeros()) as u64
}

impl Rat {
    pub(crate) fn int(v: i64) -> Rat {
        Rat(Repr::Small { n: v, d: 1 })
    }
    pub(crate) fn zero() -> Rat {
        Rat::int(0)
    }
    pub(crate) fn one() -> Rat {
        Rat::int(1)
    }

    /// `n/d` already in lowest terms with `d > 0`: small when it fits.
    fn reduced(n: i128, d: i128) -> Rat {
        debug_assert!(d > 0);
        match (i64::try_from(n), i64::try_from(d)) {
            (Ok(n), Ok(d)) => Rat(Repr::Small { n, d }),
            _ => Rat(Repr::Big(Box::new(BigRational::new_raw(
                n.into(),
                d.into(),
            )))),
        }
    }

    /// `n/d` for any `d ≠ 0` (the caller checks), reduced.
    pub(crate) fn new_i128(n: i128, d: i128) -> Rat {
        debug_assert!(d != 0);
        if d.unsigned_abs() > u64::MAX as u128 || n.unsigned_abs() > u64::MAX as u128 {
            return Rat::from_big(BigRational::new(n.into(), d.into()));
        }
        let g = gcd64(n.unsigned_abs() as u64, d.unsigned_abs() as u64).max(1) as i128;
        let (n, d) = (n / g, d / g);
        if d < 0 {
            Rat::reduced(-n, -d)
        } else {
            Rat::reduced(n, d)
        }
    }

    /// A reduced `BigRational` (as every one `num-rational` makes), small
    /// when it fits.
    pub(crate) fn from_big(r: BigRational) -> Rat {
        match (r.numer().to_i64(), r.denom().to_i64()) {
            (Some(n), Some(d)) => Rat(Repr::Small { n, d }),
            _ => Rat(Repr::Big(Box::new(r))),
        }
    }

    /// The value as a `BigRational`: borrowed when it is one, built when small.
    pub fn big(&self) -> Cow<'_, BigRational> {
        match &self.0 {
            Repr::Small { n, d } => {
                Cow::Owned(BigRational::new_raw(BigInt::from(*n), BigInt::from(*d)))
            }
            Repr::Big(r) => Cow::Borrowed(r),
        }
    }

    /// `(numerator, denominator)` when both fit in an `i64`.
    pub(crate) fn small(&self) -> Option<(i64, i64)> {
        match self.0 {
            Repr::Small { n, d } => Some((n, d)),
            Repr::Big(_) => None,
        }
    }

    /// Bits of the numerator and of the denominator.
    pub(crate) fn numer_denom_bits(&self) -> (u64, u64) {
        match &self.0 {
            Repr::Small { n, d } => (
                bits_u128(n.unsigned_abs() as u128),
                bits_u128(d.unsigned_abs() as u128),
            ),
            Repr::Big(r) => (r.numer().bits(), r.denom().bits()),
        }
    }
    /// The larger of the bits of the numerator and of the denominator.
    pub fn bits(&self) -> u64 {
        let (n, d) = self.numer_denom_bits();
        n.max(d)
    }

    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Small { n: 0, .. })
    }
    pub fn is_one(&self) -> bool {
        matches!(self.0, Repr::Small { n: 1, d: 1 })
    }
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Small { d, .. } => *d == 1,
            Repr::Big(r) => r.is_integer(),
        }
    }
    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small { n, .. } => *n < 0,
            Repr::Big(r) => r.is_negative(),
        }
    }
    pub fn is_positive(&self) -> bool {
        match &self.0 {
            Repr::Small { n, .. } => *n > 0,
            Repr::Big(r) => r.is_positive(),
        }
    }
    /// The denominator is 2.
    pub(crate) fn is_half_integer(&self) -> bool {
        match &self.0 {
            Repr::Small { d, .. } => *d == 2,
            Repr::Big(_) => false,
        }
    }
    /// The numerator, when it fits an `i64`.
    pub(crate) fn numer_i64(&self) -> Option<i64> {
        self.small().map(|(n, _)| n)
    }

    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            // The same conversion `BigRational::to_f64` makes (num-rational's
            // `ratio_to_f64`), without allocating.
            Repr::Small { n, d } => Ratio::<i64>::new_raw(*n, *d).to_f64(),
            Repr::Big(r) => r.to_f64(),
        }
        .unwrap_or(f64::NAN)
    }

    pub(crate) fn add(&self, o: &Rat) -> Rat {
        match (&self.0, &o.0) {
            (&Repr::Small { n: a, d: b }, &Repr::Small { n: c, d }) => {
                add_parts(a as i128, b as i128, c as i128, d as i128)
            }
            _ => Rat::from_big(&*self.big() + &*o.big()),
        }
    }
    pub(crate) fn sub(&self, o: &Rat) -> Rat {
        match (&self.0, &o.0) {
            (&Repr::Small { n: a, d: b }, &Repr::Small { n: c, d }) => {
                add_parts(a as i128, b as i128, -(c as i128), d as i128)
            }
            _ => Rat::from_big(&*self.big() - &*o.big()),
        }
    }
    pub(crate) fn mul(&self, o: &Rat) -> Rat {
        match (&self.0, &o.0) {
            (&Repr::Small { n: a, d: b }, &Repr::Small { n: c, d }) => {
                mul_parts(a as i128, b as i128, c as i128, d as i128)
            }
            _ => Rat::from_big(&*self.big() * &*o.big()),
        }
    }
    /// `self / o` for `o ≠ 0` (the caller checks).
    pub(crate) fn div(&self, o: &Rat) -> Rat {
        match (&self.0, &o.0) {
            (&Repr::Small { n: a, d: b }, &Repr::Small { n: c, d }) if c != 0 => {
                // (a/b)·(d/c), the sign moved to the numerator.
                let (c, d) = if c < 0 {
                    (-(d as i128), -(c as i128))
                } else {
                    (d as i128, c as i128)
                };
                mul_parts(a as i128, b as i128, c, d)
            }
            _ => Rat::from_big(&*self.big() / &*o.big()),
        }
    }
    /// `1 / self` for `self ≠ 0` (the caller checks).
    pub(crate) fn recip(&self) -> Rat {
        Rat::one().div(self)
    }
    pub(crate) fn neg(&self) -> Rat {
        match &self.0 {
            Repr::Small { n, d } => Rat::reduced(-(*n as i128), *d as i128),
            Repr::Big(r) => Rat::from_big(-&**r),
        }
    }
    pub(crate) fn abs(&self) -> Rat {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }
    /// The largest integer not above the value.
    pub(crate) fn floor(&self) -> Rat {
        match &self.0 {
            Repr::Small { n, d } => Rat::int(n.div_euclid(*d)),
            Repr::Big(r) => Rat::from_big(r.floor()),
        }
    }
    /// `self^e`.
    pub(crate) fn pow(&self, e: u32) -> Rat {
        if let Repr::Small { n, d } = self.0 {
            // n/d in lowest terms: so is nᵉ/dᵉ.
            if let (Some(p), Some(q)) = (n.checked_pow(e), d.checked_pow(e)) {
                return Rat(Repr::Small { n: p, d: q });
            }
        }
        Rat::from_big(num_traits::pow::Pow::pow(&*self.big(), e))
    }
}

/// `a/b + c/d` (both in lowest terms, `b, d > 0`, every part within
/// `±2⁶³`), in lowest terms. Knuth's form: the gcd of the denominators first,
/// so the products stay small and the final gcd runs on `u64`.
fn add_parts(a: i128, b: i128, c: i128, d: i128) -> Rat {
    if b == d {
        if b == 1 {
            return Rat::reduced(a + c, 1);
        }
        let n = a + c;
        let g = gcd64((n.unsigned_abs() % b as u128) as u64, b as u64).max(1) as i128;
        return Rat::reduced(n / g, b / g);
    }
    let g = gcd64(b as u64, d as u64) as i128;
    if g == 1 {
        return Rat::reduced(a * d + c * b, b * d);
    }
    let t = a * (d / g) + c * (b / g);
    let g2 = gcd64((t.unsigned_abs() % g as u128) as u64, g as u64).max(1) as i128;
    Rat::reduced(t / g2, (b / g) * (d / g2))
}

/// `(a/b)·(c/d)` (both in lowest terms, `b, d > 0`, every part within
/// `±2⁶³`), in lowest terms: cross-cancelled first, so no gcd of the product.
fn mul_parts(a: i128, b: i128, c: i128, d: i128) -> Rat {
    if a == 0 || c == 0 {
        return Rat::zero();
    }
    let g1 = gcd64(a.unsigned_abs() as u64, d as u64) as i128;
    let g2 = gcd64(c.unsigned_abs() as u64, b as u64) as i128;
    Rat::reduced((a / g1) * (c / g2), (b / g2) * (d / g1))
}

impl Ord for Rat {
    fn cmp(&self, o: &Rat) -> Ordering {
        match (&self.0, &o.0) {
            (&Repr::Small { n: a, d: b }, &Repr::Small { n: c, d }) => {
                if b == d {
                    a.cmp(&c)
                } else {
                    (a as i128 * d as i128).cmp(&(c as i128 * b as i128))
                }
            }
            _ => self.big().cmp(&o.big()),
        }
    }
}
impl PartialOrd for Rat {
    fn partial_cmp(&self, o: &Rat) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl fmt::Display for Rat {
    /// `-3`, `166/5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Small { n, d: 1 } => write!(f, "{n}"),
            Repr::Small { n, d } => write!(f, "{n}/{d}"),
            Repr::Big(r) if r.is_integer() => write!(f, "{}", r.numer()),
            Repr::Big(r) => write!(f, "{}/{}", r.numer(), r.denom()),
        }
    }
}

impl fmt::Debug for Rat {
    /// As a `BigRational` prints itself, whichever the form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.big(), f)
    }
}

impl From<BigRational> for Rat {
    fn from(r: BigRational) -> Rat {
        Rat::from_big(r)
    }
}

impl From<Rat> for BigRational {
    fn from(r: Rat) -> BigRational {
        match r.0 {
            Repr::Big(b) => *b,
            Repr::Small { .. } => r.big().into_owned(),
        }
    }
}

/// A sum of fractions kept over one common denominator — the lcm of the
/// denominators added so far — and reduced once, by [`Sum::finish`]: a dot
/// product of `k` small fractions costs `k` integer multiply-adds and one
/// gcd rather than `k` reductions. In `i128` while it fits, `BigInt` after.
pub(crate) enum Sum {
    Small { n: i128, d: i128 },
    Big { n: BigInt, d: BigInt },
}

impl Sum {
    pub(crate) fn new() -> Sum {
        Sum::Small { n: 0, d: 1 }
    }

    /// Adds `p/q` (`q > 0`, in any terms).
    pub(crate) fn add(&mut self, p: i128, q: i128) {
        debug_assert!(q > 0);
        if p == 0 {
            return;
        }
        if let Sum::Small { n, d } = self {
            if let Some(s) = add_common(*n, *d, p, q) {
                (*n, *d) = s;
                return;
            }
            *self = Sum::Big {
                n: BigInt::from(*n),
                d: BigInt::from(*d),
            };
        }
        if let Sum::Big { n, d } = self {
            let (p, q) = (BigInt::from(p), BigInt::from(q));
            if q == *d {
                *n += p;
            } else {
                let g = d.gcd(&q);
                let m = &q / &g;
                *n = &*n * &m + p * (&*d / &g);
                *d *= m;
            }
        }
    }

    /// The larger of the bits of the numerator and of the denominator held
    /// (at least those of the reduced sum).
    pub(crate) fn bits(&self) -> u64 {
        match self {
            Sum::Small { n, d } => bits_u128(n.unsigned_abs()).max(bits_u128(d.unsigned_abs())),
            Sum::Big { n, d } => n.bits().max(d.bits()),
        }
    }

    /// Adds `p/q` of `term` bits; the units adding it to the reduced sum
    /// would charge (the operands when bigger than a word, and the result),
    /// or `None` when the sum outgrows [`EXACT_BITS_LIMIT`].
    pub(crate) fn charge_add(&mut self, term: u64, p: i128, q: i128) -> Option<u64> {
        let operands = self.bits().max(term);
        self.add(p, q);
        let result = self.bits();
        if result > EXACT_BITS_LIMIT {
            return None;
        }
        let operands = if operands > 64 {
            bits_units(operands)
        } else {
            0
        };
        Some(operands + bits_units(result))
    }

    /// The sum, reduced.
    pub(crate) fn finish(self) -> Rat {
        match self {
            Sum::Small { n, d } => {
                let g = n.unsigned_abs().gcd(&d.unsigned_abs()).max(1) as i128;
                Rat::reduced(n / g, d / g)
            }
            Sum::Big { n, d } => Rat::from_big(BigRational::new(n, d)),
        }
    }
}

/// `n/d + p/q` over the lcm of `d` and `q`, or `None` when it overflows.
fn add_common(n: i128, d: i128, p: i128, q: i128) -> Option<(i128, i128)> {
    if q == d {
        return Some((n.checked_add(p)?, d));
    }
    if d % q == 0 {
        return Some((n.checked_add(p.checked_mul(d / q)?)?, d));
    }
    let g = d.unsigned_abs().gcd(&q.unsigned_abs()) as i128;
    let m = q / g;
    Some((
        n.checked_mul(m)?.checked_add(p.checked_mul(d / g)?)?,
        d.checked_mul(m)?,
    ))
}

/// Bits of `|v|`, for charging work.
pub(crate) fn bits_i128(v: i128) -> u64 {
    bits_u128(v.unsigned_abs())
}

/// Is `r` a reduced BigRational with a positive denominator? (For tests.)
#[cfg(test)]
fn canonical(r: &Rat) -> bool {
    match &r.0 {
        Repr::Small { n, d } => *d > 0 && gcd64(n.unsigned_abs(), *d as u64) == 1,
        Repr::Big(b) => {
            b.denom().is_positive()
                && num_traits::One::is_one(&b.numer().gcd(b.denom()))
                && (b.numer().to_i64().is_none() || b.denom().to_i64().is_none())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::{One, Zero};
    use proptest::prelude::*;

    /// Integers that exercise the edges of `i64`: around 0, around ±2⁶³,
    /// around ±2³² (products that just fit or just overflow), and powers
    /// of two (denominators that cancel).
    fn edge_i64() -> impl Strategy<Value = i64> {
        prop_oneof![
            -20i64..20,
            (i64::MIN..i64::MIN + 20),
            (i64::MAX - 20..=i64::MAX),
            (-(1i64 << 32) - 5..-(1i64 << 32) + 5),
            ((1i64 << 32) - 5..(1i64 << 32) + 5),
            (0u32..63).prop_map(|k| 1i64 << k),
            (0u32..63).prop_map(|k| -(1i64 << k)),
            ((1i64 << 62)..i64::MAX),
            any::<i64>(),
        ]
    }

    /// A rational made from edge integers, and beyond `i64` now and then
    /// (a product of two), so promoted and demoted values meet.
    fn edge_rat() -> impl Strategy<Value = BigRational> {
        (
            edge_i64(),
            edge_i64(),
            prop::option::weighted(0.2, edge_i64()),
        )
            .prop_filter_map("a non-zero denominator", |(n, d, m)| {
                if d == 0 {
                    return None;
                }
                let n = BigInt::from(n) * m.map_or(BigInt::one(), BigInt::from);
                Some(BigRational::new(n, BigInt::from(d)))
            })
    }

    fn check(r: &Rat, want: &BigRational) {
        assert!(canonical(r), "not canonical: {r:?}");
        assert_eq!(&*r.big(), want);
        assert_eq!(r, &Rat::from_big(want.clone()));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn every_op_agrees_with_big_rational(x in edge_rat(), y in edge_rat()) {
            let (a, b) = (Rat::from_big(x.clone()), Rat::from_big(y.clone()));
            check(&a, &x);
            check(&a.add(&b), &(&x + &y));
            check(&a.sub(&b), &(&x - &y));
            check(&a.mul(&b), &(&x * &y));
            if !y.is_zero() {
                check(&a.div(&b), &(&x / &y));
                check(&b.recip(), &y.recip());
            }
            check(&a.neg(), &-&x);
            check(&a.abs(), &x.abs());
            check(&a.floor(), &x.floor());
            prop_assert_eq!(a.cmp(&b), x.cmp(&y));
            prop_assert_eq!(a == b, x == y);
            prop_assert_eq!(a.to_string(), if x.is_integer() {
                x.numer().to_string()
            } else {
                format!("{}/{}", x.numer(), x.denom())
            });
            prop_assert_eq!(format!("{a:?}"), format!("{x:?}"));
            prop_assert_eq!(a.to_f64().to_bits(), x.to_f64().unwrap_or(f64::NAN).to_bits());
            prop_assert_eq!(a.bits(), x.numer().bits().max(x.denom().bits()));
            prop_assert_eq!(a.is_integer(), x.is_integer());
            prop_assert_eq!(a.is_negative(), x.is_negative());
            prop_assert_eq!(a.is_positive(), x.is_positive());
        }

        #[test]
        fn powers_agree_with_big_rational(x in edge_rat(), e in 0u32..5) {
            let a = Rat::from_big(x.clone());
            check(&a.pow(e), &num_traits::pow::Pow::pow(&x, e));
        }

        #[test]
        fn new_i128_reduces_like_big_rational(n in any::<i128>(), d in any::<i128>()) {
            prop_assume!(d != 0);
            check(&Rat::new_i128(n, d), &BigRational::new(n.into(), d.into()));
        }
    }

    #[test]
    fn the_edges_of_i64_promote_and_demote() {
        let min = Rat::int(i64::MIN);
        // −(−2⁶³) = 2⁶³ does not fit: big; negated back, small again.
        let neg = min.neg();
        assert!(neg.small().is_none());
        assert_eq!(neg.neg().small(), Some((i64::MIN, 1)));
        assert_eq!(min.abs().to_string(), "9223372036854775808");
        // 1/(−2⁶³) has its sign moved up: −1/2⁶³, big.
        assert_eq!(min.recip().to_string(), "-1/9223372036854775808");
        assert!(min.recip().small().is_none());
        // (2⁶³−1)·2 / 2 comes back small.
        let m = Rat::int(i64::MAX);
        let two = Rat::int(2);
        assert_eq!(m.mul(&two).div(&two).small(), Some((i64::MAX, 1)));
        // Denominators near 2⁶³ that cancel to a small sum.
        let a = Rat::new_i128(1, i64::MAX as i128);
        assert_eq!(a.add(&a.neg()), Rat::zero());
        assert_eq!(a.sub(&a).small(), Some((0, 1)));
    }
}
