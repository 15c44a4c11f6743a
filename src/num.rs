//! `num`: one scalar type, [`Num`], that is either exact or approximate.
//!
//! * `Exact` is an arbitrary-precision rational, a [`Rat`]: inline `i64`s
//!   while numerator and denominator fit (nearly always, by hand), a
//!   `num-rational` `BigRational` past that — promoted and demoted by the
//!   arithmetic itself (hand-written, see [`Rat`] for why). Literals parse
//!   exactly (`1.3` is 13/10) and + − × ÷, integer powers, abs, min/max and
//!   comparisons stay exact; sums and dot products of small fractions are
//!   added over one common denominator and reduced once ([`Num::dot`]).
//! * `Approx` is a closed interval `[lo, hi]` of `f64` that is guaranteed to
//!   contain the true value. It is hand-written rather than taken from an
//!   interval crate because the crates that exist (`inari`) need CPU features
//!   and build flags this project cannot assume; the whole mechanism is small:
//!   every arithmetic result is rounded outward with `next_down`/`next_up`,
//!   and every libm function (`exp`, `ln`, `tanh`, assumed accurate to 1 ulp as
//!   glibc documents) is widened by [`LIBM_ULPS`] ulps on each side.
//!
//! Consequences the rest of gradwork relies on:
//! * every digit printed for an approximate value is correct: the value is
//!   shown to as many significant digits as both ends of its interval agree on;
//! * a comparison is answered only when it is certain, otherwise it returns
//!   [`Error::Uncertain`]. An approximate value made by a monotone function
//!   from an exact argument remembers that argument, so decisions at the
//!   function's exact points stay exact: `sigmoid(s) >= 1/2` exactly when
//!   `s >= 0`, even for `s = 1e-30`;
//! * numbers never silently lose exactness or grow without bound: a rational
//!   whose numerator or denominator would need more than [`EXACT_BITS_LIMIT`]
//!   bits is an [`Error::TooLarge`], and an approximate value beyond the `f64`
//!   range is an [`Error::Overflow`].

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::error::{Error, Result};

mod rat;
pub use rat::Rat;

/// Largest size, in bits, of the numerator or denominator of an exact value.
/// 16384 bits is about 4900 decimal digits: far beyond any hand exercise, and
/// small enough that every operation stays well under a millisecond.
pub const EXACT_BITS_LIMIT: u64 = 16384;

/// How many ulps a libm result is widened on each side.
pub const LIBM_ULPS: u32 = 2;

/// Default number of significant digits shown for approximate values.
pub const DEFAULT_DIGITS: usize = 4;

/// A scalar: exact rational or guaranteed-enclosure approximation.
#[derive(Clone, Debug)]
pub enum Num {
    Exact(Rat),
    Approx(Approx),
}

/// An interval `[lo, hi]` that contains the true value.
#[derive(Clone, Debug)]
pub struct Approx {
    lo: f64,
    hi: f64,
    /// Set when the value is `scale·f(arg)` (or `scale / f(arg)`) for a
    /// monotone `f` and exact `arg` and `scale`.
    origin: Option<Box<Origin>>,
}

/// How an approximate value was made from exact ones: `scale·f(arg)`, or
/// `scale / f(arg)` when `inv`. Two values of the same `f(arg)` compare
/// exactly through their scales (`a/√2` against `b/√2` is `a` against
/// `b`), and their difference is exact when the scales are equal.
#[derive(Clone, Debug, PartialEq)]
struct Origin {
    f: Mono,
    arg: Rat,
    scale: Rat,
    inv: bool,
}

impl Origin {
    fn same_base(&self, o: &Origin) -> bool {
        self.f == o.f && self.arg == o.arg && self.inv == o.inv
    }
}

/// The origin of `x`, if it has one.
fn origin_of(x: &Num) -> Option<&Origin> {
    match x {
        Num::Approx(a) => a.origin.as_deref(),
        Num::Exact(_) => None,
    }
}

/// `n` with the origin `o` attached (its interval unchanged).
fn with_origin(n: Num, o: Origin) -> Num {
    match n {
        Num::Approx(a) => Num::Approx(Approx {
            lo: a.lo,
            hi: a.hi,
            origin: Some(Box::new(o)),
        }),
        exact => exact,
    }
}

/// Monotone functions whose exact inverse points keep decisions exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mono {
    Exp,
    Log,
    Sqrt,
    Sigmoid,
    Tanh,
}

fn down(x: f64) -> f64 {
    x.next_down()
}
fn up(x: f64) -> f64 {
    x.next_up()
}
fn widen_down(mut x: f64, n: u32) -> f64 {
    for _ in 0..n {
        x = x.next_down();
    }
    x
}
fn widen_up(mut x: f64, n: u32) -> f64 {
    for _ in 0..n {
        x = x.next_up();
    }
    x
}

type Iv = (f64, f64);

fn check_iv(iv: Iv, what: &str) -> Result<Iv> {
    if iv.0.is_finite() && iv.1.is_finite() {
        Ok(iv)
    } else if iv.0.is_nan() || iv.1.is_nan() {
        Err(Error::Domain {
            op: "arithmetic",
            value: format!("an undefined value in {what}"),
        })
    } else {
        Err(Error::Overflow {
            what: what.to_string(),
        })
    }
}

fn iv_add(a: Iv, b: Iv) -> Iv {
    (down(a.0 + b.0), up(a.1 + b.1))
}
fn iv_sub(a: Iv, b: Iv) -> Iv {
    (down(a.0 - b.1), up(a.1 - b.0))
}
fn iv_mul(a: Iv, b: Iv) -> Iv {
    let p = [a.0 * b.0, a.0 * b.1, a.1 * b.0, a.1 * b.1];
    let lo = p.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = p.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    // A product that is exactly representable needs no widening, but telling
    // which are is not worth it: widening by one ulp is always safe.
    (down(lo), up(hi))
}
fn iv_div(a: Iv, b: Iv) -> Result<Iv> {
    if b.0 <= 0.0 && b.1 >= 0.0 {
        if b.0 == 0.0 && b.1 == 0.0 {
            return Err(Error::DivisionByZero);
        }
        return Err(Error::Uncertain {
            what: "division by an approximate value that may be zero".into(),
        });
    }
    let q = [a.0 / b.0, a.0 / b.1, a.1 / b.0, a.1 / b.1];
    let lo = q.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = q.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    Ok((down(lo), up(hi)))
}
fn iv_abs(a: Iv) -> Iv {
    if a.0 >= 0.0 {
        a
    } else if a.1 <= 0.0 {
        (-a.1, -a.0)
    } else {
        (0.0, a.1.max(-a.0))
    }
}
fn iv_exp_point(p: f64) -> Iv {
    let e = p.exp();
    (widen_down(e, LIBM_ULPS).max(0.0), widen_up(e, LIBM_ULPS))
}
fn iv_exp(a: Iv) -> Iv {
    (iv_exp_point(a.0).0, iv_exp_point(a.1).1)
}
fn iv_ln(a: Iv) -> Result<Iv> {
    if a.1 <= 0.0 {
        return Err(Error::Domain {
            op: "log",
            value: format!("{} (not positive)", a.1),
        });
    }
    if a.0 <= 0.0 {
        return Err(Error::Uncertain {
            what: "log of an approximate value that may not be positive".into(),
        });
    }
    Ok((
        widen_down(a.0.ln(), LIBM_ULPS),
        widen_up(a.1.ln(), LIBM_ULPS),
    ))
}
fn iv_sqrt(a: Iv) -> Result<Iv> {
    if a.1 < 0.0 {
        return Err(Error::Domain {
            op: "sqrt",
            value: format!("{} (negative)", a.1),
        });
    }
    if a.0 < 0.0 {
        return Err(Error::Uncertain {
            what: "sqrt of an approximate value that may be negative".into(),
        });
    }
    // IEEE sqrt is correctly rounded: one ulp each side is enough.
    Ok((down(a.0.sqrt()).max(0.0), up(a.1.sqrt())))
}
/// sin (`cos` when `shift` is π/2: cos x = sin(x + π/2)) over an interval:
/// the values at the ends, widened for libm, and ±1 wherever a peak or a
/// trough may lie inside. A peak is at π/2 + 2kπ − shift; "may lie" is
/// decided with a margin, so a peak near an end is included (a wider but
/// still guaranteed interval). Beyond |x| of 2⁴⁰ the answer is [−1, 1].
fn iv_sin_shifted(a: Iv, cos: bool) -> Iv {
    use std::f64::consts::{FRAC_PI_2, PI};
    if a.0.abs() > 1e12 || a.1.abs() > 1e12 || a.1 - a.0 >= 2.0 * PI {
        return (-1.0, 1.0);
    }
    let f = |x: f64| if cos { x.cos() } else { x.sin() };
    let (p, q) = (f(a.0), f(a.1));
    let mut lo = widen_down(p.min(q), LIBM_ULPS).max(-1.0);
    let mut hi = widen_up(p.max(q), LIBM_ULPS).min(1.0);
    // Peaks of sin at π/2 + 2kπ, troughs at −π/2 + 2kπ; cos is sin shifted by π/2.
    let shift = if cos { FRAC_PI_2 } else { 0.0 };
    let margin = 1e-9 * (1.0 + a.0.abs().max(a.1.abs()));
    let holds = |at: f64| {
        let k_lo = ((a.0 - margin - at) / (2.0 * PI)).ceil();
        let k_hi = ((a.1 + margin - at) / (2.0 * PI)).floor();
        k_lo <= k_hi
    };
    if holds(FRAC_PI_2 - shift) {
        hi = 1.0;
    }
    if holds(-FRAC_PI_2 - shift) {
        lo = -1.0;
    }
    (lo, hi)
}

fn iv_tanh(a: Iv) -> Iv {
    (
        widen_down(a.0.tanh(), LIBM_ULPS).max(-1.0),
        widen_up(a.1.tanh(), LIBM_ULPS).min(1.0),
    )
}
/// σ at one point, built from rigorous interval steps so no error analysis
/// of a hand-written formula is needed. The form is chosen so `exp` never
/// overflows: 1/(1+e^−p) for p ≥ 0, e^p/(1+e^p) for p < 0.
/// The divisions cannot fail: 1 + e^∓p is at least 1.
fn iv_sigmoid_point(p: f64) -> Result<Iv> {
    let one = (1.0, 1.0);
    let (lo, hi) = if p >= 0.0 {
        let e = iv_exp_point(-p);
        iv_div(one, iv_add(one, e))?
    } else {
        let e = iv_exp_point(p);
        iv_div(e, iv_add(one, e))?
    };
    Ok((lo.max(0.0), hi.min(1.0)))
}
fn iv_sigmoid(a: Iv) -> Result<Iv> {
    Ok((iv_sigmoid_point(a.0)?.0, iv_sigmoid_point(a.1)?.1))
}
fn iv_powi(a: Iv, n: i64) -> Result<Iv> {
    if n == 0 {
        return Ok((1.0, 1.0));
    }
    let base = if n % 2 == 0 { iv_abs(a) } else { a };
    let mut e = n.unsigned_abs();
    let mut acc = (1.0, 1.0);
    let mut sq = base;
    while e > 0 {
        if e & 1 == 1 {
            acc = check_iv(iv_mul(acc, sq), "a power")?;
        }
        e >>= 1;
        if e > 0 {
            sq = check_iv(iv_mul(sq, sq), "a power")?;
        }
    }
    if n < 0 {
        iv_div((1.0, 1.0), acc)
    } else {
        Ok(acc)
    }
}

/// Encloses an exact rational in an interval of `f64`.
/// ln of a positive integer as an interval: `m = top·2^k + rest` with `top`
/// its leading 60 bits, so `ln m ∈ [ln top, ln(top + 1)] + k·ln 2`.
fn iv_ln_big(m: &BigInt) -> Iv {
    let bits = m.bits();
    let k = bits.saturating_sub(60);
    let top = (m >> k).to_f64().unwrap_or(f64::MAX);
    // Nothing was cut off when k is 0 (m fits in 60 bits, exactly in a float
    // when it fits in 53; widened either way).
    let next = if k == 0 { top } else { top + 1.0 };
    let (a, b) = (
        widen_down(top.ln(), LIBM_ULPS + 1),
        widen_up(next.ln(), LIBM_ULPS + 1),
    );
    let k = k as f64;
    let ln2 = (down(std::f64::consts::LN_2), up(std::f64::consts::LN_2));
    (down(a + down(k * ln2.0)), up(b + up(k * ln2.1)))
}

/// `f(r)` for an exact `r` too large or too small for a float (its
/// numerator and denominator differ by more than 1000 bits): `None` when `r`
/// is within range.
fn far_exact(f: Mono, r: &Rat) -> Result<Option<Num>> {
    let (nb, db) = r.numer_denom_bits();
    let spread = nb as i64 - db as i64;
    if spread.abs() < 1000 || r.is_zero() {
        return Ok(None);
    }
    let r = &*r.big();
    let big = spread > 0;
    let neg = r.is_negative();
    let approx = |lo: f64, hi: f64| {
        Num::Approx(Approx {
            lo,
            hi,
            origin: None,
        })
    };
    Ok(match (f, big, neg) {
        (Mono::Log, _, true) | (Mono::Sqrt, _, true) => None,
        (Mono::Log, _, false) => {
            let (n, d) = (iv_ln_big(r.numer()), iv_ln_big(r.denom()));
            Some(Num::from_iv(iv_sub(n, d), "log")?)
        }
        // e^x, σ(x) for x far below 0: in (0, the smallest float].
        (Mono::Exp | Mono::Sigmoid, true, true) => Some(approx(0.0, f64::from_bits(1))),
        (Mono::Sigmoid, true, false) => Some(approx(1.0f64.next_down(), 1.0)),
        (Mono::Tanh, true, false) => Some(approx(1.0f64.next_down(), 1.0)),
        (Mono::Tanh, true, true) => Some(approx(-1.0, (-1.0f64).next_up())),
        // A tiny |x|: e^x, σ(x), tanh(x) near 1, 1/2 and x, by the float path.
        _ => None,
    })
}

fn rat_iv(r: &Rat) -> Result<Iv> {
    // A fraction of two integers below 2⁵³ (every hand-written one): both
    // are exact floats, their quotient is correctly rounded, and one fused
    // multiply-add tells whether it is exact (f·d − n is computed exactly,
    // then rounded once: 0 only when it is 0). No allocation, no gcd.
    if let Some((n, d)) = r.small() {
        const EXACT_INT: u64 = 1 << 53;
        if n.unsigned_abs() <= EXACT_INT && d.unsigned_abs() <= EXACT_INT {
            let (nf, df) = (n as f64, d as f64);
            let f = nf / df;
            return Ok(if f.mul_add(df, -nf) == 0.0 {
                (f, f)
            } else {
                (down(f), up(f))
            });
        }
    }
    let f = r.to_f64();
    if !f.is_finite() {
        return Err(Error::Overflow {
            what: format!("the exact value {} as a float", short_rat(r)),
        });
    }
    if BigRational::from_float(f).as_ref() == Some(&*r.big()) {
        Ok((f, f))
    } else {
        Ok((down(f), up(f)))
    }
}

fn short_rat(r: &Rat) -> String {
    let s = r.to_string();
    if s.len() > 40 {
        format!("{}…", &s[..40])
    } else {
        s
    }
}

/// Charges the work of an exact operation on `a` and `b` by their size (the
/// gcds that keep the result reduced run on numbers of that size); the result
/// is charged by [`check_exact`].
fn charge_operands(a: &Rat, b: &Rat) -> Result<()> {
    let bits = a.bits().max(b.bits());
    // Small numbers are charged once, by their result.
    if bits > 64 {
        crate::budget::charge_bits(bits)?;
    }
    Ok(())
}

fn check_exact(r: Rat, what: &str) -> Result<Num> {
    let bits = r.bits();
    crate::budget::charge_bits(bits)?;
    if bits > EXACT_BITS_LIMIT {
        return Err(Error::TooLarge {
            what: what.to_string(),
            bits,
            limit: EXACT_BITS_LIMIT,
        });
    }
    Ok(Num::Exact(r))
}

/// `sqrt` of a non-negative rational when the root is rational.
fn exact_sqrt(r: &Rat) -> Option<Rat> {
    let r = r.big();
    let (n, d) = (r.numer(), r.denom());
    let (sn, sd) = (n.sqrt(), d.sqrt());
    (&sn * &sn == *n && &sd * &sd == *d).then(|| Rat::from_big(BigRational::new(sn, sd)))
}

impl Num {
    pub fn int(v: i64) -> Num {
        Num::Exact(Rat::int(v))
    }
    pub fn zero() -> Num {
        Num::int(0)
    }
    pub fn one() -> Num {
        Num::int(1)
    }
    /// The exact fraction `n/d`.
    pub fn ratio(n: i64, d: i64) -> Result<Num> {
        if d == 0 {
            return Err(Error::DivisionByZero);
        }
        Ok(Num::Exact(Rat::new_i128(n.into(), d.into())))
    }
    /// An approximate value known only as the float `x` (a point interval).
    pub fn approx(x: f64) -> Result<Num> {
        let (lo, hi) = check_iv((x, x), "a float")?;
        Ok(Num::Approx(Approx {
            lo,
            hi,
            origin: None,
        }))
    }
    /// Infinity (`np.inf`), or minus infinity: exact, as in IEEE floats.
    /// Only what has one answer is allowed (`x + inf`, `exp(-inf) = 0`,
    /// comparisons); `inf − inf` and `0·inf` are errors (numpy: nan).
    pub fn inf(negative: bool) -> Num {
        let x = if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        Num::Approx(Approx {
            lo: x,
            hi: x,
            origin: None,
        })
    }
    /// `Some(negative)` for ±infinity.
    pub fn infinity(&self) -> Option<bool> {
        match self {
            Num::Approx(a) if a.lo == a.hi && a.lo.is_infinite() => Some(a.lo < 0.0),
            _ => None,
        }
    }
    /// The sign of a value certainly not zero: `Some(true)` when negative.
    fn sign_of(&self, what: &str) -> Result<Option<bool>> {
        if self.is_zero() {
            return Ok(None);
        }
        let (lo, hi) = self.interval()?;
        if lo > 0.0 {
            Ok(Some(false))
        } else if hi < 0.0 {
            Ok(Some(true))
        } else {
            Err(Error::Uncertain {
                what: format!("the sign of {self} in {what}"),
            })
        }
    }
    /// `a ∘ b` where one of them is infinite; `None` when neither is.
    fn with_inf(&self, o: &Num, op: char) -> Option<Result<Num>> {
        let (a, b) = (self.infinity(), o.infinity());
        if a.is_none() && b.is_none() {
            return None;
        }
        let undefined = |what: &str| Error::Domain {
            op: "arithmetic",
            value: format!("{what} (numpy gives nan)"),
        };
        Some(match op {
            '+' => match (a, b) {
                (Some(x), Some(y)) if x != y => Err(undefined("inf − inf")),
                (Some(x), _) | (_, Some(x)) => Ok(Num::inf(x)),
                _ => unreachable!("one is infinite"),
            },
            '*' => {
                let sa = self.sign_of("a product with inf");
                let sb = o.sign_of("a product with inf");
                match (sa, sb) {
                    (Ok(Some(x)), Ok(Some(y))) => Ok(Num::inf(x != y)),
                    (Ok(None), _) | (_, Ok(None)) => Err(undefined("0·inf")),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                }
            }
            _ => match (a, b) {
                (Some(_), Some(_)) => Err(undefined("inf / inf")),
                (None, Some(_)) => Ok(Num::zero()),
                (Some(x), None) => match o.sign_of("a quotient of inf") {
                    Ok(Some(y)) => Ok(Num::inf(x != y)),
                    Ok(None) => Err(Error::DivisionByZero),
                    Err(e) => Err(e),
                },
                _ => unreachable!("one is infinite"),
            },
        })
    }
    /// π, as the interval between the floats on either side of it.
    pub fn pi() -> Num {
        Num::around(std::f64::consts::PI)
    }
    /// e, as the interval between the floats on either side of it.
    pub fn e() -> Num {
        Num::around(std::f64::consts::E)
    }
    /// The interval from the float below `x` to the float above it: holds
    /// any real that `x` is the nearest float to.
    fn around(x: f64) -> Num {
        Num::Approx(Approx {
            lo: x.next_down(),
            hi: x.next_up(),
            origin: None,
        })
    }
    /// The exact value of the float `x` (every finite float is a rational).
    pub fn from_f64_exact(x: f64) -> Result<Num> {
        BigRational::from_float(x)
            .map(|r| Num::Exact(Rat::from_big(r)))
            .ok_or_else(|| Error::BadLiteral {
                text: x.to_string(),
                reason: "not a finite number".into(),
            })
    }
    fn from_iv(iv: Iv, what: &str) -> Result<Num> {
        crate::budget::charge(1)?;
        let (lo, hi) = check_iv(iv, what)?;
        Ok(Num::Approx(Approx {
            lo,
            hi,
            origin: None,
        }))
    }

    /// Parses a literal exactly: `3`, `-0.1`, `1.3`, `2.5e-3`, `.5`, `1/3`,
    /// `-7/2`. The fraction form takes integers on both sides.
    pub fn parse(text: &str) -> Result<Num> {
        let bad = |reason: &str| Error::BadLiteral {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let t = text.trim();
        if t.is_empty() {
            return Err(bad("empty"));
        }
        if let Some((a, b)) = t.split_once('/') {
            let n: BigInt = a
                .trim()
                .parse()
                .map_err(|_| bad("the numerator of a fraction must be an integer"))?;
            let d: BigInt = b
                .trim()
                .parse()
                .map_err(|_| bad("the denominator of a fraction must be an integer"))?;
            if d.is_zero() {
                return Err(Error::DivisionByZero);
            }
            return check_exact(Rat::from_big(BigRational::new(n, d)), "this literal");
        }
        let (neg, body) = match t.as_bytes()[0] {
            b'-' => (true, &t[1..]),
            b'+' => (false, &t[1..]),
            _ => (false, t),
        };
        let (mant, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let (int_part, frac_part) = match mant.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mant, ""),
        };
        let digits_ok = |s: &str| s.bytes().all(|c| c.is_ascii_digit() || c == b'_');
        if (int_part.is_empty() && frac_part.is_empty())
            || !digits_ok(int_part)
            || !digits_ok(frac_part)
        {
            return Err(bad(
                "expected digits, an optional `.`, and an optional exponent",
            ));
        }
        let mut exp10: i64 = match exp {
            None => 0,
            Some(e) => e
                .parse::<i64>()
                .map_err(|_| bad("the exponent after `e` must be an integer"))?,
        };
        let digits: String = int_part
            .chars()
            .chain(frac_part.chars())
            .filter(|c| *c != '_')
            .collect();
        exp10 = exp10
            .checked_sub(frac_part.chars().filter(|c| *c != '_').count() as i64)
            .ok_or_else(|| bad("exponent out of range"))?;
        // A million-digit literal is refused before it is read as a number
        // (the digits alone need about 3.32 bits each).
        let digit_bits = (digits.len() as f64 * std::f64::consts::LOG2_10) as u64;
        if digit_bits > EXACT_BITS_LIMIT {
            return Err(Error::TooLarge {
                what: format!("the literal `{}…`", &t[..t.len().min(20)]),
                bits: digit_bits,
                limit: EXACT_BITS_LIMIT,
            });
        }
        let mantissa: BigInt = digits.parse().map_err(|_| bad("expected digits"))?;
        // 0e999999999 is 0, whatever the exponent.
        if mantissa.is_zero() {
            return Ok(Num::zero());
        }
        // 10^|e| needs about 3.33·|e| bits; refuse before computing it.
        let bits = (exp10.unsigned_abs() as f64 * std::f64::consts::LOG2_10) as u64;
        if bits > EXACT_BITS_LIMIT {
            return Err(Error::TooLarge {
                what: format!("the literal `{t}`"),
                bits,
                limit: EXACT_BITS_LIMIT,
            });
        }
        let p = BigInt::from(10).pow(exp10.unsigned_abs() as u32);
        let mut r = if exp10 >= 0 {
            BigRational::from_integer(mantissa * p)
        } else {
            BigRational::new(mantissa, p)
        };
        if neg {
            r = -r;
        }
        check_exact(Rat::from_big(r), "this literal")
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Num::Exact(_))
    }
    /// The size in bits of an exact value (the larger of numerator and
    /// denominator); 0 for an approximate one. What writing it out costs.
    pub fn bits(&self) -> u64 {
        self.rat().map_or(0, Rat::bits)
    }
    /// The significant digits [`Num::display`] gives after `≈` for an exact
    /// value that does not terminate, without writing its fraction out.
    pub fn sig_text(&self, digits: usize) -> Option<String> {
        self.rat().map(|r| sig_string(&r.big(), digits.max(1)))
    }
    /// Whether an exact value is written out in full by [`Num::display`] (no
    /// `≈`): an integer or a short terminating decimal. False for an
    /// approximate value.
    pub fn terminates(&self) -> bool {
        self.rat().is_some_and(|r| match r.small() {
            Some((n, d)) => match small_decimal(n, d) {
                Some(s) => s.is_some(),
                None => decimal_terminates(&r.big()),
            },
            None => decimal_terminates(&r.big()),
        })
    }
    /// The exact value, if it is one.
    pub fn rat(&self) -> Option<&Rat> {
        match self {
            Num::Exact(r) => Some(r),
            Num::Approx(_) => None,
        }
    }
    /// The exact value as a `BigRational` (borrowed when it is stored as
    /// one, built when it is small), if it is exact.
    pub fn as_exact(&self) -> Option<std::borrow::Cow<'_, BigRational>> {
        self.rat().map(Rat::big)
    }
    /// Whether the value is exactly an integer.
    pub fn is_integer(&self) -> bool {
        self.rat().is_some_and(Rat::is_integer)
    }
    /// The enclosing interval (a point for exactly representable values).
    pub fn interval(&self) -> Result<(f64, f64)> {
        match self {
            Num::Exact(r) => rat_iv(r),
            Num::Approx(a) => Ok((a.lo, a.hi)),
        }
    }
    /// Nearest `f64` (the midpoint for approximate values).
    pub fn to_f64(&self) -> f64 {
        match self {
            Num::Exact(r) => r.to_f64(),
            Num::Approx(a) => a.lo / 2.0 + a.hi / 2.0,
        }
    }
    /// The value as an integer, if it is exactly one.
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Num::Exact(r) if r.is_integer() => r.small().map(|(n, _)| n),
            _ => None,
        }
    }
    pub fn is_zero(&self) -> bool {
        matches!(self, Num::Exact(r) if r.is_zero())
    }
    /// `"166/5"`, `"-3"`: the exact value as a fraction, or `None`.
    pub fn fraction_string(&self) -> Option<String> {
        self.rat().map(Rat::to_string)
    }

    /// `Σ xᵢ·yᵢ` over pairs of `xs` and `ys`: the value, the errors and
    /// about the work of adding each product in turn to 0. When every operand
    /// is a small exact fraction the products are added over one common
    /// denominator and reduced once.
    pub fn dot<'a, I, J>(xs: I, ys: J) -> Result<Num>
    where
        I: Iterator<Item = &'a Num> + Clone,
        J: Iterator<Item = &'a Num> + Clone,
    {
        if let Some((r, units)) = Num::fast_dot(xs.clone(), ys.clone()) {
            crate::budget::charge(units)?;
            return Ok(r);
        }
        xs.zip(ys)
            .try_fold(Num::zero(), |acc, (x, y)| acc.add(&x.mul(y)?))
    }

    /// `Σ xᵢ`: the value, the errors and about the work of adding each in
    /// turn to 0; over a common denominator when all are small and exact.
    pub fn sum<'a, I>(xs: I) -> Result<Num>
    where
        I: Iterator<Item = &'a Num> + Clone,
    {
        if let Some((r, units)) = Num::fast_sum(xs.clone()) {
            crate::budget::charge(units)?;
            return Ok(r);
        }
        xs.into_iter().try_fold(Num::zero(), |acc, x| acc.add(x))
    }

    /// [`Num::dot`] of small exact fractions, with the units of work adding
    /// the products one by one would charge (`charge_operands` and
    /// `check_exact` of each product and each partial sum, sized by the
    /// unreduced terms, which are never smaller); `None`, having charged
    /// nothing, when an operand is not small or the sum outgrows
    /// [`EXACT_BITS_LIMIT`] (then the sum one by one says what fails).
    pub(crate) fn fast_dot<'a>(
        xs: impl Iterator<Item = &'a Num>,
        ys: impl Iterator<Item = &'a Num>,
    ) -> Option<(Num, u64)> {
        let mut acc = rat::Sum::new();
        let mut units = 0;
        for (x, y) in xs.zip(ys) {
            let ((a, b), (c, d)) = (x.rat()?.small()?, y.rat()?.small()?);
            let (p, q) = (a as i128 * c as i128, b as i128 * d as i128);
            let term = rat::bits_i128(p).max(rat::bits_i128(q));
            units += crate::budget::bits_units(term) + acc.charge_add(term, p, q)?;
        }
        Some((Num::Exact(acc.finish()), units))
    }

    /// [`Num::sum`] of small exact fractions, as [`Num::fast_dot`].
    pub(crate) fn fast_sum<'a>(xs: impl Iterator<Item = &'a Num>) -> Option<(Num, u64)> {
        let mut acc = rat::Sum::new();
        let mut units = 0;
        for x in xs {
            let (a, b) = x.rat()?.small()?;
            let term = rat::bits_i128(a as i128).max(rat::bits_i128(b as i128));
            units += acc.charge_add(term, a as i128, b as i128)?;
        }
        Some((Num::Exact(acc.finish()), units))
    }

    fn both_iv(&self, o: &Num) -> Result<(Iv, Iv)> {
        Ok((self.interval()?, o.interval()?))
    }

    pub fn add(&self, o: &Num) -> Result<Num> {
        if let Some(r) = self.with_inf(o, '+') {
            return r;
        }
        if let Some(r) = self.same_base_sum(o, false) {
            return r;
        }
        match (self, o) {
            (Num::Exact(a), Num::Exact(b)) => {
                charge_operands(a, b)?;
                check_exact(a.add(b), "a sum")
            }
            // x + 0 is x exactly: no rounding to widen.
            (x, z) | (z, x) if z.is_zero() => Ok(x.clone()),
            _ => {
                let (a, b) = self.both_iv(o)?;
                Num::from_iv(iv_add(a, b), "a sum")
            }
        }
    }
    pub fn sub(&self, o: &Num) -> Result<Num> {
        if let Some(r) = self.with_inf(&o.neg(), '+') {
            return r;
        }
        if let Some(r) = self.same_base_sum(o, true) {
            return r;
        }
        match (self, o) {
            (Num::Exact(a), Num::Exact(b)) => {
                charge_operands(a, b)?;
                check_exact(a.sub(b), "a difference")
            }
            (x, z) if z.is_zero() => Ok(x.clone()),
            (z, x) if z.is_zero() => Ok(x.neg()),
            _ => {
                let (a, b) = self.both_iv(o)?;
                Num::from_iv(iv_sub(a, b), "a difference")
            }
        }
    }
    pub fn mul(&self, o: &Num) -> Result<Num> {
        if let Some(r) = self.with_inf(o, '*') {
            return r;
        }
        match (self, o) {
            (Num::Exact(a), Num::Exact(b)) => {
                charge_operands(a, b)?;
                check_exact(a.mul(b), "a product")
            }
            _ => {
                // 0 × anything finite is exactly 0.
                if self.is_zero() || o.is_zero() {
                    return Ok(Num::zero());
                }
                let (a, b) = self.both_iv(o)?;
                let r = Num::from_iv(iv_mul(a, b), "a product")?;
                // c·(s·f(arg)) keeps its origin, scaled.
                Ok(match (self, o) {
                    (Num::Exact(c), x) | (x, Num::Exact(c)) => match origin_of(x) {
                        Some(g) => with_origin(
                            r,
                            Origin {
                                scale: g.scale.mul(c),
                                ..g.clone()
                            },
                        ),
                        None => r,
                    },
                    _ => r,
                })
            }
        }
    }

    /// `x ± y` of two multiples of the same `f(arg)`: `(sx ± sy)·f(arg)`,
    /// exactly 0 when the multiples are equal.
    fn same_base_sum(&self, o: &Num, minus: bool) -> Option<Result<Num>> {
        let (x, y) = (origin_of(self)?, origin_of(o)?);
        if !x.same_base(y) {
            return None;
        }
        let scale = if minus {
            x.scale.sub(&y.scale)
        } else {
            x.scale.add(&y.scale)
        };
        if scale.is_zero() {
            return Some(Ok(Num::zero()));
        }
        let iv = match self.both_iv(o) {
            Ok((a, b)) => {
                if minus {
                    iv_sub(a, b)
                } else {
                    iv_add(a, b)
                }
            }
            Err(e) => return Some(Err(e)),
        };
        Some(Num::from_iv(iv, "a sum").map(|r| with_origin(r, Origin { scale, ..x.clone() })))
    }
    pub fn div(&self, o: &Num) -> Result<Num> {
        if let Some(r) = self.with_inf(o, '/') {
            return r;
        }
        match (self, o) {
            (_, b) if b.is_zero() => Err(Error::DivisionByZero),
            (Num::Exact(a), Num::Exact(b)) => {
                charge_operands(a, b)?;
                check_exact(a.div(b), "a quotient")
            }
            // 0 / x is exactly 0 once x is certainly not 0.
            (z, b) if z.is_zero() => {
                let (lo, hi) = b.interval()?;
                if lo > 0.0 || hi < 0.0 {
                    Ok(Num::zero())
                } else {
                    Err(Error::Uncertain {
                        what: "division by an approximate value that may be zero".into(),
                    })
                }
            }
            _ => {
                let (a, b) = self.both_iv(o)?;
                let r = Num::from_iv(iv_div(a, b)?, "a quotient")?;
                // (s·f)/c = (s/c)·f, and c/(s·f) = (c/s)/f: origins kept.
                Ok(match (self, o) {
                    (x, Num::Exact(c)) => match origin_of(x) {
                        Some(g) => with_origin(
                            r,
                            Origin {
                                scale: g.scale.div(c),
                                ..g.clone()
                            },
                        ),
                        None => r,
                    },
                    (Num::Exact(c), x) => match origin_of(x) {
                        Some(g) => with_origin(
                            r,
                            Origin {
                                scale: c.div(&g.scale),
                                inv: !g.inv,
                                ..g.clone()
                            },
                        ),
                        None => r,
                    },
                    _ => r,
                })
            }
        }
    }
    pub fn neg(&self) -> Num {
        match self {
            Num::Exact(a) => Num::Exact(a.neg()),
            Num::Approx(a) => Num::Approx(Approx {
                lo: -a.hi,
                hi: -a.lo,
                origin: a.origin.as_ref().map(|g| {
                    Box::new(Origin {
                        scale: g.scale.neg(),
                        ..(**g).clone()
                    })
                }),
            }),
        }
    }
    pub fn abs(&self) -> Num {
        match self {
            Num::Exact(a) => Num::Exact(a.abs()),
            Num::Approx(a) => {
                let (lo, hi) = iv_abs((a.lo, a.hi));
                Num::Approx(Approx {
                    lo,
                    hi,
                    origin: None,
                })
            }
        }
    }
    /// The smaller of two values; the first when they are equal.
    pub fn min(&self, o: &Num) -> Result<Num> {
        Ok(if o.lt(self)? { o.clone() } else { self.clone() })
    }
    /// The larger of two values; the first when they are equal.
    pub fn max(&self, o: &Num) -> Result<Num> {
        Ok(if o.gt(self)? { o.clone() } else { self.clone() })
    }

    /// `self^n` for an integer `n`: exact for exact values.
    pub fn powi(&self, n: i64) -> Result<Num> {
        if let Some(neg) = self.infinity() {
            return Ok(match n {
                0 => Num::one(),
                n if n < 0 => Num::zero(),
                n => Num::inf(neg && n % 2 == 1),
            });
        }
        match self {
            Num::Exact(r) => {
                if n < 0 && r.is_zero() {
                    return Err(Error::DivisionByZero);
                }
                let bits = r.bits();
                let need = bits.saturating_mul(n.unsigned_abs());
                if need > EXACT_BITS_LIMIT && bits > 1 {
                    return Err(Error::TooLarge {
                        what: format!("the power {}^{n}", short_rat(r)),
                        bits: need,
                        limit: EXACT_BITS_LIMIT,
                    });
                }
                let e = n.unsigned_abs();
                if e > u32::MAX as u64 {
                    // bits ≤ 1 here: the base is 0, 1 or −1.
                    let v = if r.is_zero() {
                        Num::zero()
                    } else if r.is_negative() && e % 2 == 1 {
                        Num::int(-1)
                    } else {
                        Num::one()
                    };
                    return Ok(v);
                }
                let p = r.pow(e as u32);
                let p = if n < 0 { p.recip() } else { p };
                check_exact(p, "a power")
            }
            Num::Approx(a) => Num::from_iv(iv_powi((a.lo, a.hi), n)?, "a power"),
        }
    }

    /// `self^e`: exact for integer exponents and for halves with a rational
    /// root, approximate otherwise (`exp(e·ln x)` for positive `x`).
    pub fn pow(&self, e: &Num) -> Result<Num> {
        if let Some(n) = e.to_i64() {
            return self.powi(n);
        }
        if let (Num::Exact(x), Num::Exact(r)) = (self, e) {
            if r.is_half_integer() && !x.is_negative() {
                if let Some(root) = exact_sqrt(x) {
                    if let Some(k) = r.numer_i64() {
                        return Num::Exact(root).powi(k);
                    }
                }
            }
        }
        let (xi, ei) = self.both_iv(e)?;
        if xi.1 < 0.0 || (xi.1 == 0.0 && ei.1 <= 0.0) {
            return Err(Error::Domain {
                op: "power",
                value: format!("base {} with a non-integer exponent", self),
            });
        }
        if xi.0 <= 0.0 {
            if self.is_zero() && ei.0 > 0.0 {
                return Ok(Num::zero());
            }
            return Err(Error::Uncertain {
                what: "a non-integer power of a value that may not be positive".into(),
            });
        }
        let l = iv_ln(xi)?;
        let p = check_iv(iv_mul(ei, l), "a power")?;
        Num::from_iv(iv_exp(p), "a power")
    }

    fn mono(&self, f: Mono) -> Result<Num> {
        let exact_point = |r: &Rat| -> Result<Option<Num>> {
            Ok(match f {
                Mono::Exp if r.is_zero() => Some(Num::one()),
                Mono::Log if r.is_one() => Some(Num::zero()),
                Mono::Log if !r.is_positive() => {
                    return Err(Error::Domain {
                        op: "log",
                        value: format!("{r} (not positive)"),
                    })
                }
                Mono::Sqrt if r.is_negative() => {
                    return Err(Error::Domain {
                        op: "sqrt",
                        value: format!("{r} (negative)"),
                    })
                }
                Mono::Sqrt => exact_sqrt(r).map(Num::Exact),
                Mono::Sigmoid if r.is_zero() => Some(Num::ratio(1, 2)?),
                Mono::Tanh if r.is_zero() => Some(Num::zero()),
                _ => None,
            })
        };
        if let Num::Exact(r) = self {
            if let Some(v) = exact_point(r)? {
                return Ok(v);
            }
        }
        // Exact arguments beyond the range of floats: log by its bits,
        // the others by their limits (σ(10**400) is within 2⁻⁵³ of 1).
        if let Num::Exact(r) = self {
            if let Some(v) = far_exact(f, r)? {
                return Ok(v);
            }
        }
        // The limits at ±inf are exact: exp(-inf) = 0 (a causal mask),
        // σ(±inf) = 1 or 0, tanh(±inf) = ±1.
        if let Some(neg) = self.infinity() {
            return match (f, neg) {
                (Mono::Exp, true) | (Mono::Sigmoid, true) => Ok(Num::zero()),
                (Mono::Sigmoid, false) => Ok(Num::one()),
                (Mono::Tanh, _) => Ok(Num::int(if neg { -1 } else { 1 })),
                (Mono::Exp | Mono::Log | Mono::Sqrt, false) => Ok(Num::inf(false)),
                (Mono::Log | Mono::Sqrt, true) => Err(Error::Domain {
                    op: if f == Mono::Log { "log" } else { "sqrt" },
                    value: "-inf (negative)".into(),
                }),
            };
        }
        let x = self.interval()?;
        let what = match f {
            Mono::Exp => "exp",
            Mono::Log => "log",
            Mono::Sqrt => "sqrt",
            Mono::Sigmoid => "sigmoid",
            Mono::Tanh => "tanh",
        };
        let iv = match f {
            Mono::Exp => iv_exp(x),
            Mono::Log => iv_ln(x)?,
            Mono::Sqrt => iv_sqrt(x)?,
            Mono::Sigmoid => iv_sigmoid(x)?,
            Mono::Tanh => iv_tanh(x),
        };
        let (lo, hi) = check_iv(iv, what)?;
        let origin = self.rat().map(|r| {
            Box::new(Origin {
                f,
                arg: r.clone(),
                scale: Rat::one(),
                inv: false,
            })
        });
        Ok(Num::Approx(Approx { lo, hi, origin }))
    }
    pub fn exp(&self) -> Result<Num> {
        self.mono(Mono::Exp)
    }
    /// Natural logarithm.
    pub fn log(&self) -> Result<Num> {
        self.mono(Mono::Log)
    }
    pub fn sqrt(&self) -> Result<Num> {
        self.mono(Mono::Sqrt)
    }
    pub fn sigmoid(&self) -> Result<Num> {
        self.mono(Mono::Sigmoid)
    }
    pub fn tanh(&self) -> Result<Num> {
        self.mono(Mono::Tanh)
    }
    /// sin x: exact at 0, otherwise a guaranteed interval.
    pub fn sin(&self) -> Result<Num> {
        self.trig(false)
    }
    /// cos x: exact at 0, otherwise a guaranteed interval.
    pub fn cos(&self) -> Result<Num> {
        self.trig(true)
    }
    fn trig(&self, cos: bool) -> Result<Num> {
        if self.is_zero() {
            return Ok(if cos { Num::one() } else { Num::zero() });
        }
        if self.infinity().is_some() {
            return Err(Error::Domain {
                op: if cos { "cos" } else { "sin" },
                value: "inf (numpy gives nan)".into(),
            });
        }
        let x = self.interval()?;
        Num::from_iv(iv_sin_shifted(x, cos), if cos { "cos" } else { "sin" })
    }

    /// The value rounded toward 0: Python's `int(x)`, and numpy's cast of a
    /// float into an integer array.
    pub fn trunc(&self) -> Result<Num> {
        if self.infinity().is_some() {
            return Err(Error::invalid("int", "infinity has no integer value"));
        }
        let f = self.abs().floor()?;
        Ok(if self.lt(&Num::zero())? { f.neg() } else { f })
    }

    /// The largest integer not above the value (numpy's `floor`).
    pub fn floor(&self) -> Result<Num> {
        match self {
            Num::Exact(r) => Ok(Num::Exact(r.floor())),
            Num::Approx(a) => {
                let (l, h) = (a.lo.floor(), a.hi.floor());
                if l == h {
                    Num::from_f64_exact(l)
                } else {
                    Err(Error::Uncertain {
                        what: format!("the integer part of {self}"),
                    })
                }
            }
        }
    }

    /// Compares two values; [`Error::Uncertain`] when an approximate value
    /// is too close to the other to tell.
    pub fn compare(&self, o: &Num) -> Result<Ordering> {
        if let (Num::Exact(a), Num::Exact(b)) = (self, o) {
            return Ok(a.cmp(b));
        }
        let (a, b) = self.both_iv(o)?;
        if a.1 < b.0 {
            return Ok(Ordering::Less);
        }
        if a.0 > b.1 {
            return Ok(Ordering::Greater);
        }
        if a.0 == a.1 && b.0 == b.1 && a.0 == b.0 && !has_origin(self) && !has_origin(o) {
            return Ok(Ordering::Equal);
        }
        // Two multiples of the same f(arg): compare the multiples, exactly
        // (f(arg) is certainly positive or negative: its interval says so).
        if let (Some(x), Some(y)) = (origin_of(self), origin_of(o)) {
            if x.same_base(y) {
                if let Some(sign) = base_sign(x) {
                    let c = x.scale.cmp(&y.scale);
                    return Ok(if sign { c.reverse() } else { c });
                }
            }
        }
        // Too close for the intervals: try the exact inverse of a monotone origin.
        let via = match (self, o) {
            (Num::Approx(x), Num::Exact(c)) => inverse_cmp(x, c),
            (Num::Exact(c), Num::Approx(x)) => inverse_cmp(x, c).map(Ordering::reverse),
            _ => None,
        };
        via.ok_or_else(|| Error::Uncertain {
            what: format!("how {} compares with {}", self, o),
        })
    }
    pub fn lt(&self, o: &Num) -> Result<bool> {
        Ok(self.compare(o)? == Ordering::Less)
    }
    pub fn le(&self, o: &Num) -> Result<bool> {
        Ok(self.compare(o)? != Ordering::Greater)
    }
    pub fn gt(&self, o: &Num) -> Result<bool> {
        Ok(self.compare(o)? == Ordering::Greater)
    }
    pub fn ge(&self, o: &Num) -> Result<bool> {
        Ok(self.compare(o)? != Ordering::Less)
    }
    pub fn eq_num(&self, o: &Num) -> Result<bool> {
        Ok(self.compare(o)? == Ordering::Equal)
    }

    /// Python's `round(x, ndigits)`: to the nearest multiple of
    /// 10^−ndigits, a tie to the even one.
    pub fn round_to(&self, ndigits: i64) -> Result<Num> {
        let scale = Num::int(10).powi(ndigits)?;
        let y = self.mul(&scale)?;
        let f = y.floor()?;
        let frac = y.sub(&f)?;
        let up = match frac.compare(&Num::ratio(1, 2)?)? {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => f.as_exact().is_some_and(|k| k.to_integer().is_odd()),
        };
        let r = if up { f.add(&Num::one())? } else { f };
        r.div(&scale)
    }

    /// The value with `places` digits after the point, as Python's
    /// `f"{x:.2f}"` writes it (halves to even, by [`Num::round_to`]). An
    /// approximate value is written so only when both ends of its interval
    /// round alike; otherwise `≈` and its midpoint.
    pub fn fixed(&self, places: usize) -> String {
        if let Some(neg) = self.infinity() {
            return if neg { "-inf" } else { "inf" }.into();
        }
        match self {
            Num::Exact(r) => {
                let scale = BigRational::from_integer(BigInt::from(10u32).pow(places as u32));
                let rounded = Num::Exact(r.clone()).round_to(places as i64);
                let k = match rounded {
                    Ok(Num::Exact(q)) => (BigRational::from(q) * &scale).to_integer(),
                    _ => return self.display(places.max(1)),
                };
                let neg = k.is_negative() || (k.is_zero() && r.is_negative());
                let digits = k.abs().to_string();
                let digits = format!("{digits:0>width$}", width = places + 1);
                let (int, dec) = digits.split_at(digits.len() - places);
                let sign = if neg { "-" } else { "" };
                if places == 0 {
                    format!("{sign}{int}")
                } else {
                    format!("{sign}{int}.{dec}")
                }
            }
            Num::Approx(a) => {
                let (lo, hi) = (
                    format!("{:.*}", places, a.lo),
                    format!("{:.*}", places, a.hi),
                );
                if lo == hi {
                    lo
                } else {
                    format!("≈{:.*}", places, a.lo / 2.0 + a.hi / 2.0)
                }
            }
        }
    }

    /// The value as text with `digits` significant digits for approximations:
    /// `33.2`, `-0.5`, `1/3 ≈ 0.3333`, `≈ 0.1824`.
    pub fn display(&self, digits: usize) -> String {
        let digits = digits.max(1);
        // Writing a number out is work in its size: charged to the run (if
        // one is going on) without failing; it stops at its next statement.
        let _ = crate::budget::charge_bits(self.bits());
        match self {
            Num::Exact(r) => match rat_decimal(r) {
                Some(s) => s,
                None => format!("{r} ≈ {}", sig_string(&r.big(), digits)),
            },
            _ if self.infinity() == Some(true) => "-inf".into(),
            _ if self.infinity() == Some(false) => "inf".into(),
            Num::Approx(a) => format!("≈ {}", approx_string(a.lo, a.hi, digits)),
        }
    }
}

/// `Some(true)` when `f(arg)` of the origin is certainly negative,
/// `Some(false)` when certainly positive.
fn base_sign(o: &Origin) -> Option<bool> {
    let v = Num::Exact(o.arg.clone()).mono(o.f).ok()?;
    let (lo, hi) = v.interval().ok()?;
    if lo > 0.0 {
        Some(false)
    } else if hi < 0.0 {
        Some(true)
    } else {
        None
    }
}

fn has_origin(n: &Num) -> bool {
    matches!(
        n,
        Num::Approx(Approx {
            origin: Some(_),
            ..
        })
    )
}

/// Compares `f(arg)` with `c` through the exact inverse of `f`, where known.
fn inverse_cmp(x: &Approx, c: &Rat) -> Option<Ordering> {
    let o = x.origin.as_deref()?;
    if !o.scale.is_one() || o.inv {
        return None;
    }
    let (f, arg) = (&o.f, &o.arg);
    let zero = Rat::zero();
    let one = Rat::one();
    match f {
        Mono::Sigmoid if *c <= zero => Some(Ordering::Greater),
        Mono::Sigmoid if *c >= one => Some(Ordering::Less),
        Mono::Sigmoid if *c == Rat::new_i128(1, 2) => Some(arg.cmp(&zero)),
        Mono::Exp if *c <= zero => Some(Ordering::Greater),
        Mono::Exp if c.is_one() => Some(arg.cmp(&zero)),
        Mono::Log if c.is_zero() => Some(arg.cmp(&one)),
        Mono::Tanh if *c <= one.neg() => Some(Ordering::Greater),
        Mono::Tanh if *c >= one => Some(Ordering::Less),
        Mono::Tanh if c.is_zero() => Some(arg.cmp(&zero)),
        Mono::Sqrt if c.is_negative() => Some(Ordering::Greater),
        Mono::Sqrt => Some(arg.cmp(&c.mul(c))),
        _ => None,
    }
}

/// Longest exact decimal shown before switching to `p/q ≈ d`.
const MAX_DECIMAL_CHARS: usize = 32;

/// The exact decimal of `r` if its denominator is 2^a·5^b and it is short.
/// The decimal places of a non-integer `r` whose denominator is `2^a·5^b`
/// with `max(a, b)` within [`MAX_DECIMAL_CHARS`]; `None` otherwise.
fn decimal_places(r: &BigRational) -> Option<usize> {
    let d = r.denom().magnitude();
    let a = d.trailing_zeros().unwrap_or(0) as usize;
    if a > MAX_DECIMAL_CHARS {
        return None;
    }
    let odd = d >> a;
    if odd.is_one() {
        return Some(a);
    }
    // The odd part must be 5^b: b is read off its size (5^b has
    // ⌊b·log₂5⌋ + 1 bits) and checked with one power, rather than dividing
    // by 5 up to thousands of times.
    let guess = ((odd.bits() - 1) as f64 / 5f64.log2()).round() as usize;
    (guess.saturating_sub(1)..=guess + 1)
        .find(|&b| b <= MAX_DECIMAL_CHARS && num_bigint::BigUint::from(5u32).pow(b as u32) == odd)
        .map(|b| a.max(b))
}

/// Whether [`terminating_decimal`] writes `r` out, without writing it when
/// it plainly cannot (a denominator with another prime, or more than
/// [`MAX_DECIMAL_CHARS`] digits before the point).
fn decimal_terminates(r: &BigRational) -> bool {
    if r.is_integer() {
        return true;
    }
    // |r| ≥ 2^110 > 10^33: more digits than MAX_DECIMAL_CHARS.
    let magnitude = r.numer().bits() as i64 - r.denom().bits() as i64;
    decimal_places(r).is_some() && magnitude <= 110 && terminating_decimal(r).is_some()
}

/// [`terminating_decimal`] of an exact value, in machine integers when the
/// fraction is small (every hand-written one): no BigInt is made.
fn rat_decimal(r: &Rat) -> Option<String> {
    match r.small().and_then(|(n, d)| small_decimal(n, d)) {
        Some(s) => s,
        None => terminating_decimal(&r.big()),
    }
}

/// The decimal of `n/d` (reduced, `d > 0`) as [`terminating_decimal`]
/// writes it: `Some(None)` when it does not terminate or is too long,
/// `None` when the integers would overflow (then the BigInt path decides).
fn small_decimal(n: i64, d: i64) -> Option<Option<String>> {
    if d == 1 {
        return Some(Some(n.to_string()));
    }
    let d = d as u64;
    let a = d.trailing_zeros() as usize;
    let mut odd = d >> a;
    let mut b = 0usize;
    while odd.is_multiple_of(5) {
        odd /= 5;
        b += 1;
    }
    let k = a.max(b);
    if odd != 1 || k > MAX_DECIMAL_CHARS {
        return Some(None);
    }
    // |n|·10^k/d = |n|·2^(k−a)·5^(k−b), in u128 when it fits.
    let scale = 2u128
        .checked_pow((k - a) as u32)?
        .checked_mul(5u128.checked_pow((k - b) as u32)?)?;
    let m = u128::from(n.unsigned_abs()).checked_mul(scale)?;
    let mut s = m.to_string();
    if s.len() <= k {
        s = "0".repeat(k + 1 - s.len()) + &s;
    }
    s.insert(s.len() - k, '.');
    if s.len() > MAX_DECIMAL_CHARS {
        return Some(None);
    }
    let sign = if n < 0 { "-" } else { "" };
    Some(Some(format!("{sign}{s}")))
}

fn terminating_decimal(r: &BigRational) -> Option<String> {
    if r.is_integer() {
        return Some(r.numer().to_string());
    }
    let k = decimal_places(r)?;
    let m = r.numer().abs() * BigInt::from(10).pow(k as u32) / r.denom();
    let mut s = m.to_string();
    if s.len() <= k {
        s = "0".repeat(k + 1 - s.len()) + &s;
    }
    s.insert(s.len() - k, '.');
    if s.len() > MAX_DECIMAL_CHARS {
        return None;
    }
    let sign = if r.is_negative() { "-" } else { "" };
    Some(format!("{sign}{s}"))
}

/// Rounds |r| to `n` significant digits, half to even, exactly:
/// returns (negative, digits, e) with |r| ≈ 0.d₁d₂…dₙ·10^(e+1).
fn sig_digits(r: &BigRational, n: usize) -> (bool, String, i64) {
    if r.is_zero() {
        return (false, "0".repeat(n), 0);
    }
    // In integers throughout: x = p/q, and x·10^k = a/b with one power of
    // ten on one side. Rationals would reduce by a gcd at every step, which
    // for a fraction of thousands of bits costs more than everything else.
    let neg = r.is_negative();
    let p = r.numer().abs();
    let q = r.denom().abs();
    let ten = |k: i64| BigInt::from(10).pow(k.unsigned_abs() as u32);
    let scaled = |k: i64| -> (BigInt, BigInt) {
        if k >= 0 {
            (&p * ten(k), q.clone())
        } else {
            (p.clone(), &q * ten(k))
        }
    };
    // x ≥ 10^e ⟺ x·10^(−e) ≥ 1
    let at_least = |e: i64| {
        let (a, b) = scaled(-e);
        a >= b
    };
    let bits = p.bits() as i64 - q.bits() as i64;
    let mut e = (bits as f64 * std::f64::consts::LOG10_2).floor() as i64;
    while at_least(e + 1) {
        e += 1;
    }
    while !at_least(e) {
        e -= 1;
    }
    let (a, b) = scaled(n as i64 - 1 - e);
    let (mut m, rem) = a.div_rem(&b);
    // Half to even: the remainder against half the divisor.
    let twice: BigInt = rem * 2;
    if twice > b || (twice == b && m.is_odd()) {
        m += 1;
    }
    let mut s = m.to_string();
    if s.len() > n {
        s.truncate(n);
        e += 1;
    }
    (neg, s, e)
}

fn place_digits(neg: bool, digits: &str, e: i64) -> String {
    let sign = if neg { "-" } else { "" };
    let n = digits.len() as i64;
    if digits.bytes().all(|c| c == b'0') {
        return "0".into();
    }
    if (-5..16).contains(&e) {
        let s = if e < 0 {
            format!("0.{}{}", "0".repeat((-e - 1) as usize), digits)
        } else if e + 1 >= n {
            format!("{}{}", digits, "0".repeat((e + 1 - n) as usize))
        } else {
            format!(
                "{}.{}",
                &digits[..(e + 1) as usize],
                &digits[(e + 1) as usize..]
            )
        };
        format!("{sign}{s}")
    } else {
        let tail = if n > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        format!("{sign}{}{}e{}", &digits[..1], tail, e)
    }
}

fn sig_string(r: &BigRational, n: usize) -> String {
    let (neg, d, e) = sig_digits(r, n);
    place_digits(neg, &d, e)
}

/// The most significant digits (at most `n`) that every value in
/// `[lo, hi]` rounds to; the interval itself when not even one digit is sure.
fn approx_string(lo: f64, hi: f64, n: usize) -> String {
    // Rounding noise around an exact 0 (both ends subnormal): it is 0 to
    // far more digits than anyone shows.
    if lo <= 0.0 && hi >= 0.0 && lo.abs() < f64::MIN_POSITIVE && hi.abs() < f64::MIN_POSITIVE {
        return "0".into();
    }
    // Bounds that are not finite have no digits to agree on.
    let (Some(l), Some(h)) = (BigRational::from_float(lo), BigRational::from_float(hi)) else {
        return format!("{lo}..{hi}");
    };
    for k in (1..=n).rev() {
        let a = sig_digits(&l, k);
        if a == sig_digits(&h, k) {
            return place_digits(a.0, &a.1, a.2);
        }
    }
    // No digit is certain. Around 0 say how small it is; elsewhere give the
    // bounds, which a matrix of values must not mistake for a vector.
    if lo <= 0.0 && hi >= 0.0 {
        // 6% above the larger end before rounding to 2 digits: the bound
        // shown is never below the true one.
        // (Past the largest float, the bounds below are shown instead.)
        let m = lo.abs().max(hi.abs()) * 1.06;
        if let Some(m) = BigRational::from_float(m) {
            return format!("0 ± {}", sig_string(&m, 2));
        }
    }
    format!("{}..{}", sig_string(&l, n), sig_string(&h, n))
}

impl fmt::Display for Num {
    /// `{}` shows [`DEFAULT_DIGITS`] significant digits; `{:.6}` shows six.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display(f.precision().unwrap_or(DEFAULT_DIGITS)))
    }
}

impl From<i64> for Num {
    fn from(v: i64) -> Num {
        Num::int(v)
    }
}

impl From<BigRational> for Num {
    fn from(r: BigRational) -> Num {
        Num::Exact(Rat::from_big(r))
    }
}

#[cfg(test)]
mod tests {
    /// The machine-integer decimal writes exactly what the BigInt one does
    /// (or defers to it), for denominators 2^a·5^b·odd around every limit.
    #[test]
    fn small_decimals_agree_with_the_bigint_path() {
        use num_bigint::BigInt;
        let nums: Vec<i64> = vec![
            0,
            1,
            -1,
            7,
            -13,
            999_999,
            123_456_789,
            i64::MAX,
            i64::MIN + 1,
            1 << 62,
            -(1 << 40) - 3,
        ];
        let mut dens: Vec<i64> = Vec::new();
        for a in [0u32, 1, 3, 10, 32, 33, 40, 62] {
            for b in [0u32, 1, 2, 13, 26, 27] {
                for odd in [1i64, 3, 7] {
                    if let Some(d) = 2i64
                        .checked_pow(a)
                        .and_then(|x| x.checked_mul(5i64.checked_pow(b)?))
                        .and_then(|x| x.checked_mul(odd))
                    {
                        dens.push(d);
                    }
                }
            }
        }
        for &n in &nums {
            for &d in &dens {
                let r = BigRational::new(BigInt::from(n), BigInt::from(d));
                let (Some(rn), Some(rd)) = (r.numer().to_i64(), r.denom().to_i64()) else {
                    continue;
                };
                if let Some(small) = small_decimal(rn, rd) {
                    assert_eq!(small, terminating_decimal(&r), "{n}/{d}");
                }
            }
        }
    }

    use super::*;

    #[test]
    fn a_small_fraction_becomes_a_tight_interval_around_it() {
        // For every n/d: lo ≤ n/d ≤ hi exactly, a point exactly when n/d is
        // a float, and at most one ulp on each side of it otherwise.
        let cases = (-60i64..60).flat_map(|n| (1i64..70).map(move |d| (n, d)));
        let big = [
            (1i64 << 53, 3i64),
            (-(1i64 << 53) + 1, (1 << 53) - 1),
            (7, 1 << 52),
        ];
        for (n, d) in cases.chain(big) {
            let r = BigRational::new(n.into(), d.into());
            let (lo, hi) = rat_iv(&Rat::from_big(r.clone())).unwrap();
            let exact = |x: f64| BigRational::from_float(x).unwrap();
            assert!(exact(lo) <= r && r <= exact(hi), "{n}/{d}: [{lo}, {hi}]");
            let is_float = BigRational::from_float(n as f64 / d as f64) == Some(r.clone());
            assert_eq!(lo == hi, is_float, "{n}/{d}");
            assert!(
                lo == hi || (lo.next_up().next_up() >= hi),
                "{n}/{d}: [{lo}, {hi}]"
            );
        }
    }

    #[test]
    fn a_decimal_terminates_when_the_denominator_is_made_of_2s_and_5s() {
        let r = |n: i64, d: i64| BigRational::new(n.into(), d.into());
        assert!(decimal_terminates(&r(1, 8)));
        assert!(decimal_terminates(&r(7, 3125))); // 5⁵
        assert!(decimal_terminates(&r(3, 4000))); // 2⁵·5³
        assert!(!decimal_terminates(&r(1, 15)));
        assert!(!decimal_terminates(&r(1, 5 * 5 * 5 * 7)));
        // 5^k for every k up to 27 and nothing near it: the size guess.
        for k in 1..=27u32 {
            let five = BigInt::from(5).pow(k);
            assert!(
                decimal_terminates(&BigRational::new(1.into(), five.clone())),
                "5^{k}"
            );
            let near = BigRational::new(1.into(), five + 2);
            assert!(!decimal_terminates(&near), "5^{k} + 2");
        }
        // Each agrees with the writing out it stands for.
        for d in 1..200i64 {
            assert_eq!(
                decimal_terminates(&r(1, d)),
                terminating_decimal(&r(1, d)).is_some(),
                "1/{d}"
            );
        }
    }

    fn n(s: &str) -> Num {
        Num::parse(s).unwrap()
    }

    #[test]
    fn literals_parse_exactly() {
        assert_eq!(n("1.3").fraction_string().unwrap(), "13/10");
        assert_eq!(n("-0.1").fraction_string().unwrap(), "-1/10");
        assert_eq!(n("1/3").fraction_string().unwrap(), "1/3");
        assert_eq!(n("2.5e-3").fraction_string().unwrap(), "1/400");
        assert_eq!(n(".5").fraction_string().unwrap(), "1/2");
        assert_eq!(n("1e3").fraction_string().unwrap(), "1000");
        assert_eq!(n("-7/2").fraction_string().unwrap(), "-7/2");
    }

    #[test]
    fn bad_literals_are_typed_errors() {
        for s in ["", "1.2.3", "abc", "1e", "1/x", "--1", "1e1.5"] {
            assert!(
                matches!(Num::parse(s), Err(Error::BadLiteral { .. })),
                "{s:?}"
            );
        }
        assert_eq!(Num::parse("1/0").unwrap_err(), Error::DivisionByZero);
        assert!(matches!(
            Num::parse("1e100000"),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn arithmetic_stays_exact() {
        // 1/3 + 1/3 + 1/3 = 1 exactly; 0.1 + 0.2 = 0.3 exactly (not in floats).
        let third = n("1/3");
        let s = third.add(&third).unwrap().add(&third).unwrap();
        assert!(s.eq_num(&Num::one()).unwrap());
        assert!(n("0.1").add(&n("0.2")).unwrap().eq_num(&n("0.3")).unwrap());
        assert_eq!(n("2/3").powi(-2).unwrap().fraction_string().unwrap(), "9/4");
        assert_eq!(n("1").div(&n("0")).unwrap_err(), Error::DivisionByZero);
        assert_eq!(n("0").powi(-1).unwrap_err(), Error::DivisionByZero);
        // exact zeros and ones do not widen an approximation
        let r2 = n("2").sqrt().unwrap();
        assert_eq!(r2.add(&n("0")).unwrap().interval(), r2.interval());
        assert!(n("0").div(&r2).unwrap().is_zero());
    }

    #[test]
    fn exact_points_of_functions() {
        assert_eq!(n("16/9").sqrt().unwrap().fraction_string().unwrap(), "4/3");
        assert_eq!(n("0").exp().unwrap().fraction_string().unwrap(), "1");
        assert_eq!(n("1").log().unwrap().fraction_string().unwrap(), "0");
        assert_eq!(n("0").sigmoid().unwrap().fraction_string().unwrap(), "1/2");
        assert_eq!(n("0").tanh().unwrap().fraction_string().unwrap(), "0");
        assert!(!n("2").sqrt().unwrap().is_exact());
        assert_eq!(
            n("9/4").pow(&n("3/2")).unwrap().fraction_string().unwrap(),
            "27/8"
        );
        assert!(matches!(n("-1").log(), Err(Error::Domain { .. })));
        assert!(matches!(n("-1").sqrt(), Err(Error::Domain { .. })));
    }

    #[test]
    fn approximations_enclose_the_truth() {
        // σ(−3/2) = 1/(1+e^1.5) = 0.18242552380635635…
        let p = n("-1.5").sigmoid().unwrap();
        let (lo, hi) = p.interval().unwrap();
        assert!(lo <= 0.182_425_523_806_356_35 && 0.182_425_523_806_356_35 <= hi);
        assert!(hi - lo < 1e-15);
        assert_eq!(p.to_string(), "≈ 0.1824");
        assert_eq!(format!("{p:.8}"), "≈ 0.18242552");
        // Anything computed from an approximation is approximate.
        assert!(!p.mul(&Num::int(2)).unwrap().is_exact());
    }

    #[test]
    fn display_follows_the_design() {
        assert_eq!(n("33.2").to_string(), "33.2");
        assert_eq!(n("-0.5").to_string(), "-0.5");
        assert_eq!(n("16").to_string(), "16");
        assert_eq!(n("1/3").to_string(), "1/3 ≈ 0.3333");
        assert_eq!(n("-2/3").to_string(), "-2/3 ≈ -0.6667");
        assert_eq!(n("1/400").to_string(), "0.0025");
        assert_eq!(n("1/7").display(2), "1/7 ≈ 0.14");
        assert_eq!(n("123456/7").to_string(), "123456/7 ≈ 17640");
        assert_eq!(
            n("1/300000000000000000000").to_string(),
            "1/300000000000000000000 ≈ 3.333e-21"
        );
        // 2^-40 terminates but needs 40 decimals: fraction with its decimal.
        assert!(Num::int(2).powi(-40).unwrap().to_string().contains('≈'));
        // 9.9995 to 4 digits rounds up to 10.00 (carry into a new digit).
        // 99995/10001 = 9.99850…: the fifth digit rounds the fourth up.
        assert_eq!(n("99995/10001").display(4), "99995/10001 ≈ 9.999");
        assert_eq!(
            sig_string(&n("9.9996").as_exact().unwrap().clone(), 4),
            "10.00"
        );
    }

    #[test]
    fn only_certain_digits_are_printed() {
        // [0.12, 0.13] agrees only on one significant digit.
        assert_eq!(approx_string(0.12, 0.13, 4), "0.1");
        // No certain digit around 0: a bound at least as wide as the interval
        // (0.5·1.06 = 0.53), never a pair that reads like a vector.
        assert_eq!(approx_string(-0.5, 0.5, 4), "0 ± 0.53");
        assert_eq!(approx_string(-2.2e-15, 2.248e-15, 4), "0 ± 2.4e-15");
        // Not around 0 (digits disagree at the first place): the bounds.
        assert_eq!(approx_string(0.9, 1.2, 4), "0.9000..1.200");
        assert_eq!(approx_string(-5e-324, 5e-324, 4), "0");
    }

    #[test]
    fn comparisons_say_when_they_are_uncertain() {
        let x = Num::approx(0.5)
            .unwrap()
            .add(&Num::approx(1e-17).unwrap())
            .unwrap();
        assert!(matches!(x.compare(&n("0.5")), Err(Error::Uncertain { .. })));
        // …but σ(s) ≥ 1/2 is decided exactly through s ≥ 0, however small s is.
        let s = n("1e-30");
        assert!(s.sigmoid().unwrap().ge(&n("1/2")).unwrap());
        assert!(n("-1e-30").sigmoid().unwrap().lt(&n("1/2")).unwrap());
        assert!(n("2").sqrt().unwrap().lt(&n("1.4142135623730951")).unwrap());
        assert!(n("2").sqrt().unwrap().gt(&n("1.4142135623730950")).unwrap());
    }

    #[test]
    fn huge_numbers_are_refused_not_hung() {
        assert!(matches!(n("3").powi(100_000), Err(Error::TooLarge { .. })));
        assert!(matches!(
            Num::approx(1e300)
                .unwrap()
                .mul(&Num::approx(1e300).unwrap()),
            Err(Error::Overflow { .. })
        ));
        assert!(matches!(n("1000").exp(), Err(Error::Overflow { .. })));
        // (−1)^huge stays cheap and exact.
        assert_eq!(n("-1").powi(1 << 40).unwrap().to_string(), "1");
    }

    mod sums {
        use super::*;
        use crate::budget;
        use proptest::prelude::*;

        /// Small fractions (the fast path), values at the edges of i64 and
        /// beyond (promoted), exact zeros, and approximate values (the
        /// fallback).
        fn element() -> impl Strategy<Value = Num> {
            let edge = prop_oneof![
                Just(i64::MIN),
                Just(i64::MAX),
                Just(i64::MIN + 1),
                (1u32..63).prop_map(|k| 1i64 << k),
                any::<i64>(),
            ];
            prop_oneof![
                6 => (-50i64..50, 1i64..13).prop_map(|(n, d)| Num::ratio(n, d).unwrap()),
                2 => (edge.clone(), edge.prop_filter("non-zero", |d| *d != 0))
                    .prop_map(|(n, d)| Num::ratio(n, d).unwrap()),
                1 => (any::<i64>(), any::<i64>()).prop_map(|(a, b)| {
                    Num::from(BigRational::from_integer(BigInt::from(a) * BigInt::from(b)))
                }),
                1 => Just(Num::zero()),
                1 => (-1e6f64..1e6).prop_map(|x| Num::approx(x).unwrap()),
            ]
        }

        fn same(a: &Result<Num>, b: &Result<Num>) {
            match (a, b) {
                (Ok(x), Ok(y)) => {
                    assert_eq!(x.is_exact(), y.is_exact());
                    assert_eq!(x.fraction_string(), y.fraction_string());
                    assert_eq!(x.interval().ok(), y.interval().ok());
                }
                (Err(x), Err(y)) => assert_eq!(x, y),
                _ => panic!("{a:?} against {b:?}"),
            }
        }

        /// The work units `f` charges in a fresh run.
        fn units<R>(f: impl FnOnce() -> R) -> (R, u64) {
            let _run = budget::start(budget::Limits {
                work: u64::MAX,
                ..budget::Limits::default()
            });
            let r = f();
            (r, budget::used())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn dot_agrees_with_adding_products_one_by_one(
                v in prop::collection::vec((element(), element()), 0..24)
            ) {
                let (xs, ys): (Vec<Num>, Vec<Num>) = v.into_iter().unzip();
                let (fast, fast_units) = units(|| Num::dot(xs.iter(), ys.iter()));
                let (slow, slow_units) = units(|| {
                    xs.iter().zip(&ys).try_fold(Num::zero(), |acc, (x, y)| acc.add(&x.mul(y)?))
                });
                same(&fast, &slow);
                // Sized by unreduced terms, never by smaller ones.
                prop_assert!(fast_units >= slow_units);
            }

            #[test]
            fn sum_agrees_with_adding_one_by_one(v in prop::collection::vec(element(), 0..40)) {
                let (fast, fast_units) = units(|| Num::sum(v.iter()));
                let (slow, slow_units) = units(|| {
                    v.iter().try_fold(Num::zero(), |acc, x| acc.add(x))
                });
                same(&fast, &slow);
                prop_assert!(fast_units >= slow_units);
            }

            #[test]
            fn small_fractions_charge_what_one_by_one_does(
                v in prop::collection::vec(((-1000i64..1000, 1i64..7), (-1000i64..1000, 1i64..7)), 0..16)
            ) {
                // Every term and partial sum stays below 64 bits: one unit
                // per product and one per sum, as before.
                let r = |(n, d): (i64, i64)| Num::ratio(n, d).unwrap();
                let (xs, ys): (Vec<Num>, Vec<Num>) = v.into_iter().map(|(a, b)| (r(a), r(b))).unzip();
                let (fast, fast_units) = units(|| Num::dot(xs.iter(), ys.iter()));
                let (slow, slow_units) = units(|| {
                    xs.iter().zip(&ys).try_fold(Num::zero(), |acc, (x, y)| acc.add(&x.mul(y)?))
                });
                same(&fast, &slow);
                prop_assert_eq!(fast_units, slow_units);
            }
        }

        #[test]
        fn a_sum_past_the_size_limit_fails_as_one_by_one() {
            // 1/p for 200 distinct primes near 2^62: the common denominator
            // passes EXACT_BITS_LIMIT, so the sum is left to the slow path,
            // which fails where it always did.
            let mut xs = Vec::new();
            let mut p = (1i64 << 62) + 1;
            while xs.len() < 300 {
                if (2..)
                    .take_while(|k: &i64| k * k <= p)
                    .take(1 << 16)
                    .all(|k| p % k != 0)
                {
                    xs.push(Num::ratio(1, p).unwrap());
                }
                p += 2;
            }
            let fast = Num::sum(xs.iter());
            let slow = xs.iter().try_fold(Num::zero(), |acc, x| acc.add(x));
            same(&fast, &slow);
        }
    }
}
