//! Python's own built-ins, with Python's meaning where it differs from
//! numpy's: `sum` adds the items (`np.sum` adds every element), `round`
//! rounds half to even, `sorted` gives a list. Numbers stay exact.

use super::{exact_order, lib, t, Args, Builtin, Call};
use crate::explain::Note;
use crate::lang::interp::{Interp, R};
use crate::lang::parser::BinOp;
use crate::lang::value::Value;
use crate::lang::{ErrorKind, LangError};
use crate::Num;

#[rustfmt::skip]
pub(super) static ROWS: &[Builtin] = &[
    Builtin::raw("range", "range(start=0, stop, step=1)", "the integers start, start + step, … before stop", range),
    Builtin::raw("len", "len(x)", "the number of items (rows of a tensor)", len)
        .by_name(),
    Builtin::raw("print", "print(*values)", "printed as a note of the step", print)
        .by_name(),
    Builtin::raw("sum", "sum(iterable, start=0)", "the items added: sum([a, b]) is a + b, sum(E) adds the rows of a matrix", sum),
    Builtin::raw("enumerate", "enumerate(iterable, start=0)", "a list of (index, item) tuples", |it, c| listing(it, c, Listing::Enumerate)),
    Builtin::raw("zip", "zip(*iterables)", "a list of tuples, as long as the shortest", |it, c| listing(it, c, Listing::Zip)),
    Builtin::raw("sorted", "sorted(iterable, reverse=False)", "the items in order, compared exactly", |it, c| listing(it, c, Listing::Sorted)),
    Builtin::raw("int", "int(x)", "truncated toward 0", |it, c| number(it, c, Rounding::Int)),
    Builtin::raw("float", "float(x)", "the value itself, kept exact", |it, c| number(it, c, Rounding::Float)),
    Builtin::raw("round", "round(x, ndigits=None)", "to the nearest multiple of 10^−ndigits, half to even (Python's)", |it, c| number(it, c, Rounding::Round)),
];

/// Python's sum(iterable, start=0): the items added, so the rows of a
/// matrix (a vector), never everything.
fn sum(it: &mut Interp, c: Call) -> R<Value> {
    let span = c.span;
    let mut a = Args::new(it, c);
    let (items, s) = a.required(0, "iterable")?;
    let start = a.opt_tensor(1, "start")?;
    a.finish()?;
    let rows = match &items {
        Value::T(x) if x.ndim() == 0 => {
            return Err(LangError::new(
                ErrorKind::Type,
                "sum() adds the items of a list or the rows of a tensor; a number has none",
                s,
                Some("np.sum(x) adds every element"),
            ))
        }
        Value::T(x) => t(x.sum(Some(&[0]), false), span)?,
        Value::List(_) | Value::Tuple(_) => {
            let parts = it.unpack(&items, s)?;
            let mut acc = Value::num(Num::zero());
            for p in parts {
                acc = it.binary(BinOp::Add, acc, p, s)?;
            }
            acc
        }
        other => {
            let x = it.tensor(other, s)?;
            t(x.sum(Some(&[0]), false), span)?
        }
    };
    match start {
        Some(st) => it.binary(BinOp::Add, rows, Value::T(st), span),
        None => Ok(rows),
    }
}

#[derive(PartialEq)]
enum Listing {
    Enumerate,
    Zip,
    Sorted,
}

/// Python's iteration helpers: lists of tuples (or of the items, sorted).
fn listing(it: &mut Interp, c: Call, what: Listing) -> R<Value> {
    let span = c.span;
    let mut a = Args::new(it, c);
    let mut lists = Vec::new();
    let start = match what {
        Listing::Enumerate => {
            lists.push(a.required(0, "iterable")?);
            a.int(1, "start", Some(0))?
        }
        Listing::Sorted => {
            lists.push(a.required(0, "iterable")?);
            0
        }
        Listing::Zip => {
            for i in 0..a.n_pos() {
                lists.push(a.required(i, "iterable")?);
            }
            0
        }
    };
    let reverse = what == Listing::Sorted && a.flag(1, "reverse", false)?;
    a.finish()?;
    let items: Vec<Vec<Value>> = lists
        .iter()
        .map(|(v, s)| it.unpack(v, *s))
        .collect::<R<_>>()?;
    let out: Vec<Value> = match what {
        Listing::Enumerate => items[0]
            .iter()
            .enumerate()
            .map(|(i, v)| Value::tuple(vec![Value::num(Num::int(start + i as i64)), v.clone()]))
            .collect(),
        Listing::Zip => {
            let n = items.iter().map(Vec::len).min().unwrap_or(0);
            (0..n)
                .map(|i| Value::tuple(items.iter().map(|l| l[i].clone()).collect()))
                .collect()
        }
        Listing::Sorted => {
            let mut nums = Vec::new();
            for v in &items[0] {
                let t = it.tensor(v, lists[0].1)?;
                nums.push(lib(t.item(), lists[0].1)?);
            }
            let mut order = lib(exact_order(&nums), span)?;
            if reverse {
                order.reverse();
            }
            order.into_iter().map(|i| items[0][i].clone()).collect()
        }
    };
    Ok(Value::list(out))
}

#[derive(PartialEq)]
enum Rounding {
    Int,
    Float,
    Round,
}

/// int(x) truncates toward 0; round(x) rounds half to even (Python's);
/// float(x) keeps the value (exact, where Python would round it).
fn number(it: &mut Interp, c: Call, how: Rounding) -> R<Value> {
    let span = c.span;
    let mut a = Args::new(it, c);
    let x = a.num(0, "x", None)?;
    let digits = if how == Rounding::Round {
        match a.get(1, "ndigits") {
            None | Some((Value::None, _)) => None,
            Some((v, s)) => Some(
                it.tensor(&v, s)?
                    .item()
                    .ok()
                    .and_then(|n| n.to_i64())
                    .ok_or_else(|| {
                        LangError::new(ErrorKind::Type, "ndigits must be an integer", s, None)
                    })?,
            ),
        }
    } else {
        None
    };
    a.finish()?;
    let v = match how {
        Rounding::Float => x,
        Rounding::Int => {
            let f = lib(x.abs().floor(), span)?;
            if lib(x.lt(&Num::zero()), span)? {
                f.neg()
            } else {
                f
            }
        }
        Rounding::Round => lib(round_half_even(&x, digits.unwrap_or(0)), span)?,
    };
    Ok(Value::num(v))
}

/// Python's `round(x, ndigits)`: to the nearest multiple of 10^−ndigits,
/// a tie to the even one.
fn round_half_even(x: &Num, ndigits: i64) -> crate::Result<Num> {
    if !(-30..=30).contains(&ndigits) {
        return Err(crate::Error::invalid(
            "round",
            "ndigits must be between -30 and 30",
        ));
    }
    let scale = Num::int(10).powi(ndigits)?;
    let y = x.mul(&scale)?;
    let f = y.floor()?;
    let frac = y.sub(&f)?;
    let half = Num::ratio(1, 2)?;
    let up = match frac.compare(&half)? {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => f.to_i64().is_some_and(|k| k % 2 != 0),
    };
    let r = if up { f.add(&Num::one())? } else { f };
    r.div(&scale)
}

fn len(it: &mut Interp, c: Call) -> R<Value> {
    match c.pos.as_slice() {
        [(Value::List(l) | Value::Tuple(l), _)] => Ok(Value::num(Num::int(l.len() as i64))),
        [(v, s)] => {
            let x = it.tensor(v, *s)?;
            if x.ndim() == 0 {
                return Err(LangError::new(
                    ErrorKind::Type,
                    "a number has no length",
                    *s,
                    None,
                ));
            }
            Ok(Value::num(Num::int(x.shape()[0] as i64)))
        }
        _ => Err(LangError::new(
            ErrorKind::Type,
            "len() takes one argument",
            c.span,
            None,
        )),
    }
}

fn print(it: &mut Interp, c: Call) -> R<Value> {
    let parts: Vec<String> = c
        .pos
        .iter()
        .map(|(v, _)| match v {
            Value::Str(s) => s.to_string(),
            v => it.fmt.value(v),
        })
        .collect();
    it.notes
        .push(Note::prose(format!("print: {}", parts.join(" "))));
    Ok(Value::None)
}

fn range(it: &mut Interp, c: Call) -> R<Value> {
    let span = c.span;
    let mut a = Args::new(it, c);
    let (start, stop, step) = match a.n_pos() {
        1 => (0, a.int(0, "stop", None)?, 1),
        2 => (a.int(0, "start", None)?, a.int(1, "stop", None)?, 1),
        3 => (
            a.int(0, "start", None)?,
            a.int(1, "stop", None)?,
            a.int(2, "step", None)?,
        ),
        _ => {
            return Err(LangError::new(
                ErrorKind::Type,
                "range() takes 1 to 3 integers",
                span,
                None,
            ))
        }
    };
    a.finish()?;
    if step == 0 {
        return Err(LangError::new(
            ErrorKind::Value,
            "range() step cannot be zero",
            span,
            None,
        ));
    }
    Ok(Value::Range(start, stop, step))
}
