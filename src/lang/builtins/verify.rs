//! Domains to verify a design over: `sequences`, `product` and `grid`
//! (see [`crate::lang::domain`]). Each checks its items when it is made, so
//! walking it later cannot fail part-way.

use std::rc::Rc;

use super::{lib, Args, Builtin};
use crate::explain::Note;
use crate::lang::domain::Domain;
use crate::lang::interp::{Interp, R};
use crate::lang::value::{shape_text, Value};
use crate::lang::{ErrorKind, LangError, Span};
use crate::{Num, Tensor};

#[rustfmt::skip]
pub(super) static ROWS: &[Builtin] = &[
    Builtin::args("sequences", "sequences(alphabet, max_len, min_len=1)", "every sequence of alphabet items (stacked along a new first axis), shorter first, then lexicographically with the first element most significant; made one at a time", sequences),
    Builtin::raw("product", "product(*iterables)", "itertools.product: every combination, the last factor varying fastest, each stacked into one tensor; made one at a time", product)
        .at(&["itertools.product"]),
    Builtin::args("grid", "grid(lo, hi, step, shape=None)", "every tensor of `shape` (a number when None) with elements lo, lo + step, …, hi, in lexicographic order; made one at a time", grid),
];

/// Largest number of values one grid element may take.
const MAX_GRID_VALUES: usize = 1 << 16;
/// Most elements of one grid item.
const MAX_GRID_ELEMENTS: usize = 64;

/// The items of an alphabet or factor, all of one shape.
fn items(it: &Interp, v: &Value, s: Span, what: &str) -> R<Vec<Tensor<Num>>> {
    let items = it
        .unpack(v, s)?
        .iter()
        .map(|x| it.tensor(x, s))
        .collect::<R<Vec<_>>>()?;
    if items.is_empty() {
        return Err(LangError::new(
            ErrorKind::Value,
            format!("{what} has no items"),
            s,
            None,
        ));
    }
    same_shape(&items, s, what)?;
    Ok(items)
}

fn same_shape(items: &[Tensor<Num>], s: Span, what: &str) -> R<()> {
    if let Some(x) = items.iter().find(|x| x.shape() != items[0].shape()) {
        return Err(LangError::new(
            ErrorKind::Shape,
            format!(
                "{what} mixes items of shape {} and {}",
                shape_text(items[0].shape()),
                shape_text(x.shape())
            ),
            s,
            Some("every item is stacked with the others, so all have one shape"),
        ));
    }
    Ok(())
}

fn sequences(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let (alphabet, s) = a.required(0, "alphabet")?;
    let max_len = a.usize(1, "max_len", None)?;
    let min_len = a.usize(2, "min_len", Some(1))?;
    if min_len > max_len {
        return Err(LangError::new(
            ErrorKind::Value,
            format!("min_len {min_len} is above max_len {max_len}"),
            a.span,
            None,
        ));
    }
    let alphabet = items(it, &alphabet, s, "the alphabet")?;
    Ok(Value::Domain(Rc::new(Domain::Sequences {
        alphabet,
        min_len,
        max_len,
    })))
}

fn product(it: &mut Interp, c: super::Call) -> R<Value> {
    if let Some((k, _, s)) = c.kw.first() {
        return Err(LangError::new(
            ErrorKind::Type,
            format!("product() takes no keyword `{k}` here"),
            *s,
            Some("product(a, b, …) of the lists to combine"),
        ));
    }
    if c.pos.is_empty() {
        return Err(LangError::new(
            ErrorKind::Type,
            "product() needs at least one iterable",
            c.span,
            None,
        ));
    }
    let factors = c
        .pos
        .iter()
        .map(|(v, s)| items(it, v, *s, "a factor"))
        .collect::<R<Vec<_>>>()?;
    let all: Vec<Tensor<Num>> = factors.iter().map(|f| f[0].clone()).collect();
    same_shape(&all, c.span, "product()")?;
    Ok(Value::Domain(Rc::new(Domain::Product(factors))))
}

fn grid(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let lo = a.num(0, "lo", None)?;
    let hi = a.num(1, "hi", None)?;
    let step = a.num(2, "step", None)?;
    let shape = match a.get(3, "shape") {
        None | Some((Value::None, _)) => Vec::new(),
        Some((v, s)) => {
            let t = it.tensor(&v, s)?;
            t.value()
                .iter()
                .map(|n| {
                    n.to_i64()
                        .and_then(|i| usize::try_from(i).ok())
                        .ok_or_else(|| {
                            LangError::new(
                                ErrorKind::Value,
                                "`shape` must be sizes (non-negative integers)".to_string(),
                                s,
                                None,
                            )
                        })
                })
                .collect::<R<Vec<_>>>()?
        }
    };
    let span = a.span;
    let bad = |msg: String| LangError::new(ErrorKind::Value, msg, span, None);
    // values^elements candidates: beyond a few dozen elements no search or
    // check could walk them, and the count must not wrap.
    if shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .is_none_or(|n| n > MAX_GRID_ELEMENTS)
    {
        return Err(bad(format!(
            "a grid of shape {} has more than {MAX_GRID_ELEMENTS} elements per item",
            shape_text(&shape)
        )));
    }
    if !lo.is_exact() || !hi.is_exact() || !step.is_exact() {
        return Err(bad("grid() takes exact bounds and step".into()));
    }
    if !lib(step.gt(&Num::zero()), span)? {
        return Err(bad(format!("the step must be positive, got {step}")));
    }
    if lib(hi.lt(&lo), span)? {
        return Err(bad(format!("hi {hi} is below lo {lo}")));
    }
    // (hi − lo)/step + 1 values, the last at most hi.
    let count = lib(lib(hi.sub(&lo), span)?.div(&step), span)?;
    let count = lib(count.floor(), span)?
        .to_i64()
        .and_then(|c| usize::try_from(c).ok())
        .filter(|&c| c < MAX_GRID_VALUES)
        .ok_or_else(|| bad(format!("more than {MAX_GRID_VALUES} values per element")))?
        + 1;
    let mut values = Vec::with_capacity(count);
    let mut x = lo;
    for _ in 0..count {
        let next = lib(x.add(&step), span)?;
        values.push(x);
        x = next;
    }
    Ok(Value::Domain(Rc::new(Domain::Grid { values, shape })))
}
