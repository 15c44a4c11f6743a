//! Python's own built-ins, with Python's meaning where it differs from
//! numpy's: `sum` adds the items (`np.sum` adds every element), `round`
//! rounds half to even, `sorted` gives a list. Numbers stay exact.

use std::cmp::Ordering;

use super::{lib, t, Args, Builtin, Call};
use crate::explain::Note;
use crate::lang::interp::{Interp, R};
use crate::lang::parser::BinOp;
use crate::lang::value::Value;
use crate::lang::{ErrorKind, LangError, Span};
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
    Builtin::raw("sorted", "sorted(iterable, key=None, reverse=False)", "the items in order (of `key(item)`), compared exactly; a stable sort", sorted),
    Builtin::raw("list", "list(iterable=())", "the items as a list (the rows of a tensor)", |it, c| sequence(it, c, Seq::List)),
    Builtin::raw("tuple", "tuple(iterable=())", "the items as a tuple", |it, c| sequence(it, c, Seq::Tuple)),
    Builtin::raw("reversed", "reversed(seq)", "the items last to first, as a list", |it, c| sequence(it, c, Seq::Reversed)),
    Builtin::raw("bool", "bool(x=False)", "Python's truth of x; also the dtype of masks", truth),
    Builtin::args("math.isclose", "isclose(a, b, rel_tol=1e-9, abs_tol=0)", "whether |a − b| ≤ max(rel_tol·max(|a|, |b|), abs_tol), decided with guaranteed bounds", isclose)
        .at(&["math.isclose"]),
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
}

/// Python's iteration helpers: lists of tuples (or of the items, sorted).
fn listing(it: &mut Interp, c: Call, what: Listing) -> R<Value> {
    let mut a = Args::new(it, c);
    let mut lists = Vec::new();
    let start = match what {
        Listing::Enumerate => {
            lists.push(a.required(0, "iterable")?);
            a.int(1, "start", Some(0))?
        }
        Listing::Zip => {
            for i in 0..a.n_pos() {
                lists.push(a.required(i, "iterable")?);
            }
            0
        }
    };
    a.finish()?;
    let items: Vec<Vec<Value>> = lists
        .iter()
        .map(|(v, s)| it.unpack(v, *s))
        .collect::<R<_>>()?;
    let out: Vec<Value> = match what {
        Listing::Enumerate => items[0]
            .iter()
            .enumerate()
            .map(|(i, v)| Value::tuple(vec![Value::int(start + i as i64), v.clone()]))
            .collect(),
        Listing::Zip => {
            let n = items.iter().map(Vec::len).min().unwrap_or(0);
            (0..n)
                .map(|i| Value::tuple(items.iter().map(|l| l[i].clone()).collect()))
                .collect()
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
        Rounding::Int => lib(x.trunc(), span)?,
        Rounding::Round => lib(round_digits(&x, digits.unwrap_or(0)), span)?,
    };
    Ok(Value::num(v))
}

/// Python's `round(x, ndigits)` and numpy's `round(a, decimals)`, with
/// ndigits kept where the scale 10^ndigits stays small.
pub(super) fn round_digits(x: &Num, ndigits: i64) -> crate::Result<Num> {
    if !(-30..=30).contains(&ndigits) {
        return Err(crate::Error::invalid(
            "round",
            "ndigits must be between -30 and 30",
        ));
    }
    x.round_to(ndigits)
}

fn len(it: &mut Interp, c: Call) -> R<Value> {
    match c.pos.as_slice() {
        [(Value::List(l) | Value::Tuple(l), _)] => Ok(Value::int(l.len() as i64)),
        [(Value::Str(x), _)] => Ok(Value::num(Num::int(x.chars().count() as i64))),
        [(Value::Domain(d), s)] => i64::try_from(d.len()).map(Value::int).map_err(|_| {
            LangError::new(
                ErrorKind::Value,
                format!("{} has more items than an integer holds", d.describe()),
                *s,
                None,
            )
        }),
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
            Ok(Value::int(x.shape()[0] as i64))
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

/// Python's order of two values: numbers exactly, strings by code point,
/// lists and tuples item by item.
/// Each comparison is a unit of work, and a list is the same as itself
/// without a look inside (Python's identity shortcut: a tuple built as
/// `t = (t, t)` sixty times compares with itself at once).
fn py_cmp(it: &Interp, a: &Value, b: &Value, span: Span) -> R<Ordering> {
    lib(crate::budget::charge(1), span)?;
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y))
            if std::rc::Rc::ptr_eq(x, y) =>
        {
            Ok(Ordering::Equal)
        }
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                // Nested lists may be deeper than the stack.
                let o = stacker::maybe_grow(64 * 1024, 1024 * 1024, || py_cmp(it, p, q, span))?;
                match o {
                    Ordering::Equal => {}
                    o => return Ok(o),
                }
            }
            Ok(x.len().cmp(&y.len()))
        }
        (Value::T(_) | Value::Bool(_), Value::T(_) | Value::Bool(_)) => {
            let (p, q) = (it.tensor(a, span)?, it.tensor(b, span)?);
            if p.len() != 1 || q.len() != 1 {
                return Err(LangError::new(
                    ErrorKind::Value,
                    "comparing arrays of more than one element is ambiguous",
                    span,
                    Some("compare numbers, or use np.max / np.argmax on the array"),
                ));
            }
            let (p, q) = (lib(p.item(), span)?, lib(q.item(), span)?);
            lib(p.compare(&q), span)
        }
        _ => Err(LangError::new(
            ErrorKind::Type,
            format!(
                "a {} and a {} cannot be ordered",
                a.type_name(),
                b.type_name()
            ),
            span,
            None,
        )),
    }
}

/// The keys of `items`: `key(item)` when a key function is given.
fn keys(it: &mut Interp, items: &[Value], key: &Option<Value>, span: Span) -> R<Vec<Value>> {
    match key {
        None | Some(Value::None) => Ok(items.to_vec()),
        Some(f) => items
            .iter()
            .map(|v| it.call(f.clone(), vec![(v.clone(), span)], vec![], span, &[]))
            .collect(),
    }
}

/// Takes keyword `name` out of a raw call.
fn take_kw(c: &mut Call, name: &str) -> Option<(Value, Span)> {
    let k = c.kw.iter().position(|(n, _, _)| n == name)?;
    let (_, v, s) = c.kw.remove(k);
    Some((v, s))
}

/// Python's sorted(iterable, key=None, reverse=False): stable, also when
/// reversed (equal keys keep their order).
fn sorted(it: &mut Interp, mut c: Call) -> R<Value> {
    let span = c.span;
    let key = take_kw(&mut c, "key").map(|(v, _)| v);
    let mut a = Args::new(it, c);
    let (v, s) = a.required(0, "iterable")?;
    let reverse = a.flag(1, "reverse", false)?;
    a.finish()?;
    let items = it.unpack(&v, s)?;
    let ks = keys(it, &items, &key, span)?;
    let mut order: Vec<usize> = (0..items.len()).collect();
    // n·log₂ n comparisons, asked of the budget before the first.
    let n = items.len() as u64;
    lib(
        crate::budget::ensure(n * (64 - n.leading_zeros() as u64)),
        span,
    )?;
    let mut err = None;
    let shared: &Interp = it;
    order.sort_by(|&i, &j| {
        let (x, y) = if reverse {
            (&ks[j], &ks[i])
        } else {
            (&ks[i], &ks[j])
        };
        py_cmp(shared, x, y, span).unwrap_or_else(|e| {
            err.get_or_insert(e);
            Ordering::Equal
        })
    });
    if let Some(e) = err {
        return Err(e);
    }
    Ok(Value::list(
        order.into_iter().map(|i| items[i].clone()).collect(),
    ))
}

/// Python's max and min: of an iterable's items or of the arguments, by
/// `key`, the first extreme one. Two tensors (or a tensor alone, or with
/// `axis=`) keep numpy's reading.
pub(super) fn extreme(it: &mut Interp, mut c: Call, max: bool) -> R<Value> {
    let span = c.span;
    let key = take_kw(&mut c, "key");
    let default = take_kw(&mut c, "default");
    // axis= or keepdims= is numpy's reading (max(E, axis=1) is amax).
    let pythons = key.is_some()
        || default.is_some()
        || (c.kw.is_empty()
            && (c.pos.len() >= 3
                || matches!(
                    c.pos.as_slice(),
                    [(Value::List(_) | Value::Tuple(_) | Value::Range(..), _)]
                )
                || matches!(c.pos.as_slice(), [(Value::T(t), _)] if t.ndim() >= 2)));
    if !pythons {
        let mut notes = Vec::new();
        let shared: &Interp = it;
        let mut a = Args::new(shared, c);
        let v = super::tensor::python_extreme(shared, &mut a, &mut notes, max)?;
        a.finish()?;
        it.notes.extend(notes);
        return Ok(v);
    }
    let name = if max { "max" } else { "min" };
    if let Some((k, _, _)) = c.kw.first() {
        return Err(LangError::new(
            ErrorKind::Type,
            format!("{name}() over items takes key= and default= only, not `{k}`"),
            span,
            None,
        ));
    }
    let items = match c.pos.as_slice() {
        [] => {
            return Err(LangError::new(
                ErrorKind::Type,
                format!("{name}() needs an iterable or two or more arguments"),
                span,
                None,
            ))
        }
        [(v, s)] => it.unpack(v, *s)?,
        many => many.iter().map(|(v, _)| v.clone()).collect(),
    };
    if key.is_none() && items.len() > 1 && items.iter().all(|v| matches!(v, Value::List(_))) {
        // Python compares the lists item by item; the worked step reads a
        // nested list as an array (its largest element), so it is refused
        // rather than shown with a working that disagrees.
        return Err(LangError::new(
            ErrorKind::Value,
            format!("{name}() of lists compares them item by item (Python's), which gradwork does not work out"),
            span,
            Some("np.max(x) is the largest element; tuples compare item by item: max(map(tuple, x))"),
        ));
    }
    if items.is_empty() {
        return match default {
            Some((v, _)) => Ok(v),
            None => Err(LangError::new(
                ErrorKind::Value,
                format!("{name}() of an empty sequence"),
                span,
                Some("give default=…"),
            )),
        };
    }
    let ks = keys(it, &items, &key.map(|(v, _)| v), span)?;
    let mut best = 0;
    for i in 1..items.len() {
        let o = py_cmp(it, &ks[i], &ks[best], span)?;
        if (max && o == Ordering::Greater) || (!max && o == Ordering::Less) {
            best = i;
        }
    }
    Ok(items[best].clone())
}

/// list(x), tuple(x), reversed(x).
enum Seq {
    List,
    Tuple,
    Reversed,
}

fn sequence(it: &mut Interp, c: Call, what: Seq) -> R<Value> {
    let span = c.span;
    let mut a = Args::new(it, c);
    let arg = a.get(0, "iterable");
    a.finish()?;
    let mut items = match &arg {
        None if !matches!(what, Seq::Reversed) => Vec::new(),
        None => {
            return Err(LangError::new(
                ErrorKind::Type,
                "reversed() takes one sequence",
                span,
                None,
            ))
        }
        Some((Value::Str(x), _)) => x
            .chars()
            .map(|ch| Value::Str(ch.to_string().into()))
            .collect(),
        Some((v, s)) => it.unpack(v, *s)?,
    };
    Ok(match what {
        Seq::List => Value::list(items),
        Seq::Tuple => Value::tuple(items),
        Seq::Reversed => {
            items.reverse();
            Value::list(items)
        }
    })
}

fn truth(it: &mut Interp, c: Call) -> R<Value> {
    let mut a = Args::new(it, c);
    let arg = a.get(0, "x");
    a.finish()?;
    match arg {
        None => Ok(Value::Bool(false)),
        Some((v, s)) => Ok(Value::Bool(it.truthy(&v, s)?)),
    }
}

fn isclose(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.num(0, "a", None)?;
    let y = a.num(1, "b", None)?;
    let rel = a.num(2, "rel_tol", Some("1e-9"))?;
    let abs = a.num(3, "abs_tol", Some("0"))?;
    let span = a.span;
    // d ≤ max(rel·max(|a|, |b|), abs) is d ≤ rel·|a| or d ≤ rel·|b| or
    // d ≤ abs: each decided on its own, so an approximate value that is
    // certainly close (√2² vs 2) is not held up by max(|a|, |b|).
    let r = (|| {
        let d = x.sub(&y)?.abs();
        let mut unsure = None;
        for tol in [rel.mul(&x.abs())?, rel.mul(&y.abs())?, abs.clone()] {
            match d.le(&tol) {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                Err(e) => unsure = Some(e),
            }
        }
        match unsure {
            Some(e) => Err(e),
            None => Ok(false),
        }
    })();
    Ok(Value::Bool(lib(r, span)?))
}
