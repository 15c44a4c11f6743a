//! Marks for variants of a key (`crate::lang::variant`): `vary` gives the
//! key's own value and records how it may change; `is_nice` is what a
//! `require` asks of an answer.

use super::{Args, Builtin, Call};
use crate::explain::Note;
use crate::lang::interp::{Interp, R};
use crate::lang::value::Value;
use crate::lang::variant::{Form, Spec, Varied, MAX_CHOICES};
use crate::lang::{ErrorKind, LangError, Span};
use crate::{Num, Tensor};
use num_traits::Zero;

#[rustfmt::skip]
pub(super) static ROWS: &[Builtin] = &[
    Builtin::raw("vary", "vary(value, among=None, ints=None, between=None, step=None, where=None, pattern=False, nonzero=False)", "in a key, `value` itself; `gradwork variants` puts another in its place: one of `among`, or each element (where `where` is true) an integer in `ints=(lo, hi)` or one of lo, lo + step, …, hi for `between=(lo, hi), step=`; `pattern=True` keeps equal elements equal, `nonzero=True` leaves 0 out", vary),
    Builtin::args("ties", "ties(x, k=None)", "whether two elements of x are equal; with k, whether the k smallest are not set apart from the rest (the k-th and the (k+1)-th smallest are equal): a ranking's ties, compared exactly", ties),
    Builtin::args("is_nice", "is_nice(x, max_den=10, max_abs=None, decimals=None)", "whether every element of x is exact with a denominator at most max_den (with `decimals`: at most that many decimal places), and at most max_abs in size: what a `require` asks of an answer", is_nice),
];

fn bad(msg: impl Into<String>, span: Span, hint: &str) -> LangError {
    LangError::new(ErrorKind::Value, msg, span, Some(hint))
}

/// `(lo, hi)` as two numbers.
fn pair(it: &Interp, v: &Value, s: Span, key: &str) -> R<(Num, Num)> {
    let t = it.tensor(v, s)?;
    let xs: Vec<Num> = t.value().iter().cloned().collect();
    match xs.as_slice() {
        [lo, hi] if t.ndim() == 1 => Ok((lo.clone(), hi.clone())),
        _ => Err(bad(
            format!("`{key}` must be a pair (lo, hi)"),
            s,
            "e.g. ints=(-3, 3)",
        )),
    }
}

/// lo, lo + step, …, hi (0 left out when `nonzero`).
fn grid_values(lo: &Num, hi: &Num, step: &Num, nonzero: bool, span: Span) -> R<Vec<Num>> {
    let lib = |e: crate::Error| LangError::from_lib(e, span);
    if !(lo.is_exact() && hi.is_exact() && step.is_exact()) {
        return Err(bad(
            "the bounds and step of a `vary` must be exact numbers",
            span,
            "write them as decimals or fractions",
        ));
    }
    if !step.gt(&Num::zero()).map_err(lib)? || lo.gt(hi).map_err(lib)? {
        return Err(bad(
            "a `vary` range needs lo ≤ hi and a positive step",
            span,
            "e.g. between=(0.5, 2), step=0.1",
        ));
    }
    let count = hi
        .sub(lo)
        .and_then(|d| d.div(step))
        .map_err(lib)?
        .floor()
        .map_err(lib)?;
    let count = count
        .to_i64()
        .and_then(|c| usize::try_from(c).ok())
        .filter(|c| *c < MAX_CHOICES)
        .ok_or_else(|| {
            bad(
                format!("a `vary` range of more than {MAX_CHOICES} values"),
                span,
                "use a larger step or a smaller range",
            )
        })?;
    let mut out = Vec::with_capacity(count + 1);
    for k in 0..=count {
        let v = lo
            .add(&step.mul(&Num::int(k as i64)).map_err(lib)?)
            .map_err(lib)?;
        if !(nonzero && v.is_zero()) {
            out.push(v);
        }
    }
    if out.is_empty() {
        return Err(bad("this `vary` range has no values", span, "widen it"));
    }
    Ok(out)
}

fn vary(it: &mut Interp, c: Call) -> R<Value> {
    let span = c.span;
    let (value, varied) = {
        let shared: &Interp = it;
        let mut a = Args::new(shared, c);
        let (value, vspan) = a.required(0, "value")?;
        let among = a.get(1, "among");
        let ints = a.get(2, "ints");
        let ints_given = ints.is_some();
        let between = a.get(3, "between");
        let step = a.get(4, "step");
        let mask = a.get(5, "where");
        let pattern = a.flag(6, "pattern", false)?;
        let nonzero = a.flag(7, "nonzero", false)?;
        a.finish()?;
        let hint = "vary(value, among=[…]), vary(value, ints=(lo, hi)) or vary(value, between=(lo, hi), step=s)";
        let spec = match (among, ints, between) {
            (Some((choices, cs)), None, None) => {
                if step.is_some() || mask.is_some() || pattern || nonzero {
                    return Err(bad(
                        "`among` takes no step, where, pattern or nonzero",
                        cs,
                        "list the values themselves",
                    ));
                }
                let items = shared.unpack(&choices, cs)?;
                if items.len() < 2 {
                    return Err(bad(
                        "`among` needs at least two values",
                        cs,
                        "among=[-0.2, -0.1, 0.1, 0.2]",
                    ));
                }
                for v in &items {
                    let approximate = shared
                        .tensor(v, cs)
                        .is_ok_and(|t| t.value().iter().any(|n| !n.is_exact()));
                    if approximate {
                        return Err(bad(
                            "a value of `among` is approximate and cannot be written exactly into a variant",
                            cs,
                            "list exact numbers (decimals or fractions)",
                        ));
                    }
                    if crate::lang::variant::literal(v).is_none() {
                        return Err(bad(
                            format!("a {} cannot be written into a variant", v.type_name()),
                            cs,
                            "list numbers, arrays, strings or booleans",
                        ));
                    }
                }
                Spec::Among(items)
            }
            (None, Some((r, rs)), None) | (None, None, Some((r, rs))) => {
                let key = if ints_given { "ints" } else { "between" };
                let (lo, hi) = pair(shared, &r, rs, key)?;
                let step = match step {
                    Some((_, ss)) if ints_given => {
                        return Err(bad(
                            "`ints` takes no step",
                            ss,
                            "between=(lo, hi), step=s for other steps",
                        ))
                    }
                    None if ints_given => {
                        if !(lo.is_integer() && hi.is_integer()) {
                            return Err(bad("`ints` needs whole bounds", rs, "ints=(-3, 3)"));
                        }
                        Num::one()
                    }
                    Some((s, ss)) => shared
                        .tensor(&s, ss)?
                        .item()
                        .map_err(|e| LangError::from_lib(e, ss))?,
                    None => {
                        return Err(bad(
                            "`between` needs a `step`",
                            rs,
                            "between=(0.5, 2), step=0.1",
                        ))
                    }
                };
                let values = grid_values(&lo, &hi, &step, nonzero, rs)?;
                let (default, form) = match &value {
                    // A string varies by its digits: `"00,10,11"`.
                    Value::Str(text) => {
                        let digits: Vec<Num> = text
                            .chars()
                            .filter_map(|c| c.to_digit(10))
                            .map(|d| Num::int(i64::from(d)))
                            .collect();
                        if digits.is_empty() {
                            return Err(bad(
                                "a string varies by its digits, and this one has none",
                                vspan,
                                "use among=[…] to list the strings",
                            ));
                        }
                        if !values.iter().all(|v| {
                            v.to_i64().is_some_and(|d| (0..=9).contains(&d)) && v.is_integer()
                        }) {
                            return Err(bad(
                                "the digits of a string vary among 0 to 9 only",
                                rs,
                                "e.g. ints=(0, 1)",
                            ));
                        }
                        let n = digits.len();
                        let t = Tensor::from_vec(digits, &[n])
                            .map_err(|e| LangError::from_lib(e, vspan))?;
                        (
                            t.as_kind(crate::autograd::DType::Int),
                            Form::Digits(text.to_string()),
                        )
                    }
                    Value::T(_) => (shared.tensor(&value, vspan)?, Form::Array),
                    Value::Tuple(_) => (shared.tensor(&value, vspan)?, Form::Tuple),
                    _ => (shared.tensor(&value, vspan)?, Form::List),
                };
                if default.value().iter().any(|n| !n.is_exact()) {
                    return Err(bad(
                        "a varied value must be exact",
                        vspan,
                        "write it with decimals or fractions",
                    ));
                }
                let mask = match mask {
                    None | Some((Value::None, _)) => None,
                    Some((m, ms)) => {
                        let m = shared.tensor(&m, ms)?;
                        let m = m
                            .broadcast_to(default.shape())
                            .map_err(|e| LangError::from_lib(e, ms))?;
                        let mask: Vec<bool> = m.value().iter().map(|n| !n.is_zero()).collect();
                        if !mask.contains(&true) {
                            return Err(bad(
                                "`where` leaves no element to vary",
                                ms,
                                "mark with True the elements that may change",
                            ));
                        }
                        Some(mask)
                    }
                };
                Spec::Grid {
                    values,
                    default: Tensor::new(default.value().clone()).as_kind(default.dtype()),
                    mask,
                    pattern,
                    form,
                }
            }
            (None, None, None) => {
                return Err(bad("`vary` needs how the value may change", span, hint))
            }
            _ => {
                return Err(bad(
                    "`vary` takes one of among, ints and between",
                    span,
                    hint,
                ))
            }
        };
        (
            value.clone(),
            Varied {
                span,
                default: value,
                spec,
            },
        )
    };
    let text = crate::lang::variant::literal(&value);
    if let Some(prev) = it.varied.iter().find(|v| v.span == span) {
        // One literal takes the call's place in a variant: a `vary` in a
        // loop or a function that gives another value each time would
        // become one value for all.
        if crate::lang::variant::literal(&prev.default) != text {
            return Err(bad(
                "this `vary` runs more than once with different values",
                span,
                "mark a value computed once, at the top level: `x0 = vary(…)` before the loop",
            ));
        }
        return Ok(value);
    }
    if it
        .varied
        .iter()
        .any(|v| v.span.start >= span.start && v.span.end <= span.end)
    {
        return Err(bad(
            "a `vary` inside a `vary`",
            span,
            "mark the value once: vary(value, among=[…]) lists the choices themselves",
        ));
    }
    if text.is_none() {
        return Err(bad(
            format!("a {} cannot be written into a variant", value.type_name()),
            span,
            "vary numbers, arrays, lists, tuples, strings or booleans",
        ));
    }
    it.varied.push(varied);
    Ok(value)
}

fn is_nice(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let (x, xs) = a.required(0, "x")?;
    let max_den = a.num(1, "max_den", Some("10"))?;
    let max_abs = a.get(2, "max_abs");
    let max_abs = match max_abs {
        None | Some((Value::None, _)) => None,
        Some((v, s)) => Some(
            it.tensor(&v, s)?
                .item()
                .map_err(|e| LangError::from_lib(e, s))?,
        ),
    };
    let decimals = a
        .opt_count(3, "decimals", 0..=30, "decimals=2 for hundredths")?
        .map(|d| d as u32);
    let x = it.tensor(&x, xs)?;
    let lib = |e: crate::Error| LangError::from_lib(e, xs);
    for n in x.value().iter() {
        let Some(r) = n.as_exact() else {
            return Ok(Value::Bool(false));
        };
        let den = r.denom();
        let nice = match decimals {
            // the denominator divides 10^decimals
            Some(d) => (num_bigint::BigInt::from(10u32).pow(d) % den).is_zero(),
            None => Num::parse(&den.to_string())
                .map_err(lib)?
                .le(&max_den)
                .map_err(lib)?,
        };
        if !nice {
            return Ok(Value::Bool(false));
        }
        if let Some(m) = &max_abs {
            if n.abs().gt(m).map_err(lib)? {
                return Ok(Value::Bool(false));
            }
        }
    }
    Ok(Value::Bool(true))
}

fn ties(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let (x, xs) = a.required(0, "x")?;
    let k = a.opt_count(1, "k", 1..=usize::MAX, "k=5 for the five nearest")?;
    let x = it.tensor(&x, xs)?;
    let mut v: Vec<Num> = x.value().iter().cloned().collect();
    let mut failed = None;
    v.sort_by(|p, q| {
        p.compare(q).unwrap_or_else(|e| {
            failed.get_or_insert(e);
            std::cmp::Ordering::Equal
        })
    });
    if let Some(e) = failed {
        return Err(LangError::from_lib(e, xs));
    }
    let lib = |e: crate::Error| LangError::from_lib(e, xs);
    let tied = match k {
        Some(k) if k < v.len() => v[k - 1].eq_num(&v[k]).map_err(lib)?,
        Some(_) => false,
        None => {
            let mut any = false;
            for w in v.windows(2) {
                any |= w[0].eq_num(&w[1]).map_err(lib)?;
            }
            any
        }
    };
    Ok(Value::Bool(tied))
}
