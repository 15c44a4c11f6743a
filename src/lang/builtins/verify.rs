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
    Builtin::raw("invariant", "invariant(W_hh, W_xh, b_h, h0, alphabet, step)", "proves by induction that an identity-activation RNN's state after any sequence is h0 + the sum of step(x) over its symbols: for sequences of every length", invariant),
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

/// `invariant(W_hh, W_xh, b_h, h0, alphabet, step)`: that the state of
/// h⁽ᵗ⁾ = W_hh·h⁽ᵗ⁻¹⁾ + W_xh·x⁽ᵗ⁾ + b_h (the identity activation) after any
/// sequence over the alphabet is h⁽⁰⁾ + Σₜ step(x⁽ᵗ⁾), for sequences of
/// every length, by induction. The base (no symbol read) is h⁽⁰⁾ itself.
/// The step: if h = h⁽⁰⁾ + Σ step over a prefix, then reading x gives
/// W_hh·h + W_xh·x + b_h = h + step(x) exactly when, for every state of
/// that form, (W_hh − I)·h + W_xh·x + b_h = step(x). Those states are h⁽⁰⁾
/// plus sums of the steps; the condition is affine in them, so it holds for
/// all of them (and only then, as every step can be taken) when
/// (W_hh − I)·step(a) = 0 for every symbol a and (W_hh − I)·h⁽⁰⁾ + W_xh·x +
/// b_h = step(x) for every symbol x. Both are checked exactly; the notes
/// give each symbol's line, and the value is whether the proof goes
/// through.
fn invariant(it: &mut Interp, c: super::Call) -> R<Value> {
    const NAMES: [&str; 6] = ["W_hh", "W_xh", "b_h", "h0", "alphabet", "step"];
    let span = c.span;
    let mut slot: Vec<Option<(Value, Span)>> = vec![None; 6];
    for (i, v) in c.pos.into_iter().enumerate() {
        let Some(s) = slot.get_mut(i) else {
            return Err(LangError::new(
                ErrorKind::Type,
                "invariant() takes 6 arguments",
                v.1,
                Some("invariant(W_hh, W_xh, b_h, h0, alphabet, step)"),
            ));
        };
        *s = Some(v);
    }
    for (k, v, s) in c.kw {
        let Some(i) = NAMES.iter().position(|n| *n == k) else {
            return Err(LangError::new(
                ErrorKind::Type,
                format!("invariant() has no parameter `{k}`"),
                s,
                Some("invariant(W_hh, W_xh, b_h, h0, alphabet, step)"),
            ));
        };
        slot[i] = Some((v, s));
    }
    let mut arg = |i: usize| -> R<(Value, Span)> {
        slot[i].take().ok_or_else(|| {
            LangError::new(
                ErrorKind::Type,
                format!("invariant() is missing the argument `{}`", NAMES[i]),
                span,
                Some("invariant(W_hh, W_xh, b_h, h0, alphabet, step)"),
            )
        })
    };
    let vector = |it: &Interp, v: &Value, s: Span, what: &str| -> R<Tensor<Num>> {
        let t = it.tensor(v, s)?;
        crate::nn::recurrent::as_vector(what, &t).map_err(|e| LangError::from_lib(e, s))
    };
    let (w_hh, s_hh) = arg(0)?;
    let w_hh = it.tensor(&w_hh, s_hh)?;
    let (w_xh, s_xh) = arg(1)?;
    let w_xh = it.tensor(&w_xh, s_xh)?;
    let (b, s_b) = arg(2)?;
    let b = vector(it, &b, s_b, "b_h")?;
    let (h0, s_h0) = arg(3)?;
    let h0 = vector(it, &h0, s_h0, "h0")?;
    let (alphabet, s_a) = arg(4)?;
    let symbols = items(it, &alphabet, s_a, "the alphabet")?;
    let (step, s_step) = arg(5)?;
    let hidden = h0.len();
    if w_hh.shape() != [hidden, hidden] {
        return Err(LangError::new(
            ErrorKind::Shape,
            format!(
                "W_hh has shape {}, not [{hidden}, {hidden}] as h0 says",
                shape_text(w_hh.shape())
            ),
            s_hh,
            None,
        ));
    }
    let l = |r: crate::Result<Tensor<Num>>, s: Span| r.map_err(|e| LangError::from_lib(e, s));
    // (W_hh − I)·v, computed as W_hh·v − v.
    let drift = |v: &Tensor<Num>| -> R<Tensor<Num>> { l(l(w_hh.matmul(v), span)?.sub(v), span) };
    let mut lines = Vec::new();
    let mut ok = true;
    let mut steps = Vec::new();
    for a in &symbols {
        let inc = it.call(
            step.clone(),
            vec![(Value::T(a.clone()), s_step)],
            vec![],
            span,
            &[],
        )?;
        let inc = vector(it, &inc, s_step, "step(x)")?;
        if inc.len() != hidden {
            return Err(LangError::new(
                ErrorKind::Shape,
                format!("step(x) has {} elements, the state {hidden}", inc.len()),
                s_step,
                None,
            ));
        }
        steps.push(inc);
    }
    let zero = |t: &Tensor<Num>| t.value().iter().all(|x| x.is_zero());
    // The steps must leave W_hh's drift unchanged.
    for (a, inc) in symbols.iter().zip(&steps) {
        let d = drift(inc)?;
        let holds = zero(&d);
        ok &= holds;
        lines.push(format!(
            "(W_hh − I)·step(x) = {} for x = {} {}",
            it.fmt.tensor(&d),
            it.fmt.tensor(a),
            if holds { "✓" } else { "✗ (must be 0)" }
        ));
    }
    let base = drift(&h0)?;
    for (a, inc) in symbols.iter().zip(&steps) {
        let x = vector(it, &Value::T(a.clone()), s_a, "x")?;
        if w_xh.ndim() != 2 || w_xh.shape()[1] != x.len() || w_xh.shape()[0] != hidden {
            return Err(LangError::new(
                ErrorKind::Shape,
                format!(
                    "W_xh has shape {}; x has {} elements and the state {hidden}",
                    shape_text(w_xh.shape()),
                    x.len()
                ),
                s_xh,
                None,
            ));
        }
        let got = l(l(base.add(&l(w_xh.matmul(&x), span)?), span)?.add(&b), span)?;
        let diff = l(got.sub(inc), span)?;
        let holds = zero(&diff);
        ok &= holds;
        lines.push(format!(
            "(W_hh − I)·h⁽⁰⁾ + W_xh·x + b_h = {} {} step(x) = {} for x = {}",
            it.fmt.tensor(&got),
            if holds { "=" } else { "≠" },
            it.fmt.tensor(inc),
            it.fmt.tensor(a),
        ));
    }
    it.notes.push(Note::prose(
        "to prove: after any sequence, h = h⁽⁰⁾ + Σₜ step(x⁽ᵗ⁾) (for no symbol read, h⁽⁰⁾ itself: the base). Step: reading x from such an h gives W_hh·h + W_xh·x + b_h, which is h + step(x) when (W_hh − I)·h + W_xh·x + b_h = step(x); as h runs over h⁽⁰⁾ plus sums of steps, that holds for all of them when each step has (W_hh − I)·step = 0 and (W_hh − I)·h⁽⁰⁾ + W_xh·x + b_h = step(x) for each x",
    ));
    for line in lines {
        it.notes.push(Note::prose(line));
    }
    it.notes.push(Note::prose(if ok {
        "so h = h⁽⁰⁾ + Σₜ step(x⁽ᵗ⁾) holds for sequences of every length (by induction)"
    } else {
        "the invariant does not hold for every sequence: the conditions are also necessary (every symbol can follow every prefix), and a line with ✗ or ≠ is one that fails"
    }));
    Ok(Value::Bool(ok))
}
