//! Counting parameters, gradients and one update step: the built-ins whose
//! working is about names (`grad(L, w)`, the parameter table), so they are
//! worked without numbers put in for their arguments.

use super::{label_of, lib, Args, Builtin, Call};
use crate::explain::math::{Math, Op as MOp};
use crate::explain::Note;
use crate::lang::explain;
use crate::lang::interp::{Interp, R};
use crate::lang::value::{shape_text, Optim, Value};
use crate::lang::{ErrorKind, LangError, Span};
use crate::nn::optim::{Adam, Sgd};
use crate::nn::params::{Convention, ParamRow, ParamTable};
use crate::Num;

#[rustfmt::skip]
pub(super) static ROWS: &[Builtin] = &[
    Builtin::raw("params", "params(*tensors_or_layers, convention=\"textbook\")", "the number of parameters; the per-tensor table is a note. \"textbook\": one bias per gate (LSTM(2→3) = 72); \"pytorch\": two (84)", params)
        .by_name(),
    Builtin::raw("grad", "grad(y, x)", "∂y/∂x for a single-number y, with the chain rule as notes", grad)
        .by_name(),
    Builtin::args("sgd_step", "sgd_step(w, grad, lr)", "w − lr·grad", sgd_step),
    Builtin::args("adam", "adam(lr=0.001, betas=(0.9, 0.999), eps=1e-8)", "PyTorch's Adam, for train(…, optimizer=…)", adam),
    Builtin::args("sgd", "sgd(lr, momentum=0)", "PyTorch's SGD (v ← μ·v + g; w ← w − lr·v), for train(…, optimizer=…)", sgd),
    Builtin::args("rationalize", "rationalize(x, max_den=4)", "every weight of a tensor, a layer, or a list or tuple of them snapped to the nearest fraction with denominator ≤ max_den (ties: the smaller denominator); an exact model to verify", rationalize),
    Builtin::args("adam_step", "adam_step(w, grad, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8)", "Adam's first step from zero moments", adam_step),
];

fn grad(it: &mut Interp, c: Call) -> R<Value> {
    let (span, exprs) = (c.span, c.exprs);
    let mut a = Args::new(it, c);
    let y = a.tensor(0, "y")?;
    let x = a.tensor(1, "x")?;
    a.finish()?;
    let yname = label_of(it, exprs.first(), 0);
    let xname = label_of(it, exprs.get(1), 1);
    explain::grad(it, &y, &x, &yname, &xname, span).map(Value::T)
}

fn sgd_step(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let w = a.tensor(0, "w")?;
    let g = a.tensor(1, "grad")?;
    let lr = a.num(2, "lr", None)?;
    let mut opt = Sgd::new(lr, Num::zero());
    Ok(Value::T(lib(opt.step(&[w], &[g]), a.span)?.remove(0)))
}

/// A rate, a moment or an epsilon: finite and at least 0 (a β below 1).
fn hyper(a: &Args, key: &str, v: Num, below_one: bool) -> R<Num> {
    let ok = v.ge(&Num::zero()).unwrap_or(false)
        && v.infinity().is_none()
        && (!below_one || v.lt(&Num::one()).unwrap_or(false));
    if ok {
        return Ok(v);
    }
    let range = if below_one {
        "in [0, 1)"
    } else {
        "finite and ≥ 0"
    };
    Err(LangError::new(
        ErrorKind::Value,
        format!("`{key}` must be {range}, got {v}"),
        a.span,
        None,
    ))
}

fn adam(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let lr = a.num(0, "lr", Some("0.001"))?;
    let span = a.span;
    let (beta1, beta2) = match a.get(1, "betas") {
        None => (
            lib(Num::parse("0.9"), span)?,
            lib(Num::parse("0.999"), span)?,
        ),
        Some((v, s)) => {
            let items = it.unpack(&v, s)?;
            let [b1, b2] = items.as_slice() else {
                return Err(LangError::new(
                    ErrorKind::Value,
                    format!("`betas` must be two numbers, got {}", items.len()),
                    s,
                    Some("betas=(0.9, 0.999) as PyTorch's default"),
                ));
            };
            let num = |v: &Value| -> R<Num> { lib(it.tensor(v, s)?.item(), s) };
            (num(b1)?, num(b2)?)
        }
    };
    let eps = a.num(2, "eps", Some("1e-8"))?;
    Ok(Value::Optim(std::rc::Rc::new(Optim::Adam {
        lr: hyper(a, "lr", lr, false)?,
        beta1: hyper(a, "betas", beta1, true)?,
        beta2: hyper(a, "betas", beta2, true)?,
        eps: hyper(a, "eps", eps, false)?,
    })))
}

fn sgd(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let lr = a.num(0, "lr", None)?;
    let momentum = a.num(1, "momentum", Some("0"))?;
    Ok(Value::Optim(std::rc::Rc::new(Optim::Sgd {
        lr: hyper(a, "lr", lr, false)?,
        momentum: hyper(a, "momentum", momentum, true)?,
    })))
}

fn rationalize(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    use crate::nn::rationalize::rationalize as snap;
    fn walk(it: &Interp, v: &Value, s: Span, max_den: u64) -> R<Value> {
        let each = |items: &[Value]| -> R<Vec<Value>> {
            items.iter().map(|x| walk(it, x, s, max_den)).collect()
        };
        match v {
            Value::Module(m) => lib(m.map_params(|_, p| snap(p, max_den)), s)
                .map(|m| Value::Module(std::rc::Rc::new(m))),
            Value::List(items) => Ok(Value::list(each(items)?)),
            Value::Tuple(items) => Ok(Value::tuple(each(items)?)),
            other => lib(snap(&it.tensor(other, s)?, max_den), s).map(Value::T),
        }
    }
    let (x, span) = a.required(0, "x")?;
    let max_den = a.usize(1, "max_den", Some(4))? as u64;
    if !(1..=crate::nn::rationalize::MAX_DEN).contains(&max_den) {
        return Err(LangError::new(
            ErrorKind::Value,
            format!(
                "max_den must be between 1 and {}, got {max_den}",
                crate::nn::rationalize::MAX_DEN
            ),
            a.span,
            Some("the largest denominator a snapped weight may have, e.g. max_den=4"),
        ));
    }
    walk(it, &x, span, max_den)
}

fn adam_step(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let w = a.tensor(0, "w")?;
    let g = a.tensor(1, "grad")?;
    let lr = a.num(2, "lr", Some("0.001"))?;
    let b1 = a.num(3, "beta1", Some("0.9"))?;
    let b2 = a.num(4, "beta2", Some("0.999"))?;
    let eps = a.num(5, "eps", Some("1e-8"))?;
    let mut opt = Adam::new(lr, b1, b2, eps);
    Ok(Value::T(lib(opt.step(&[w], &[g]), a.span)?.remove(0)))
}

fn conventions(a: &mut Args) -> R<Convention> {
    match a.string(usize::MAX, "convention")? {
        None => Ok(Convention::Textbook),
        Some((c, s)) => match c.as_str() {
            "textbook" => Ok(Convention::Textbook),
            "pytorch" | "torch" => Ok(Convention::PyTorch),
            _ => Err(LangError::new(
                ErrorKind::Value,
                format!("unknown convention \"{c}\""),
                s,
                Some("use \"textbook\" (one bias per gate) or \"pytorch\" (two)"),
            )),
        },
    }
}

/// `params(W_hh, W_hx, …)` or `params(lstm(input=2, hidden=3))`: a table and
/// the total.
fn params(it: &mut Interp, c: Call) -> R<Value> {
    let Call {
        name,
        pos,
        kw,
        span,
        exprs,
    } = c;
    let mut a = Args::new(
        it,
        Call {
            name,
            pos: Vec::new(),
            kw,
            span,
            exprs,
        },
    );
    let conv = conventions(&mut a)?;
    a.finish()?;
    let mut rows = Vec::new();
    fn add(
        it: &Interp,
        v: &Value,
        label: &str,
        conv: Convention,
        rows: &mut Vec<ParamRow>,
        s: Span,
    ) -> R<()> {
        match v {
            Value::Module(m) => {
                for r in lib(m.count(conv), s)?.rows {
                    rows.push(ParamRow {
                        name: format!("{label}.{}", r.name),
                        ..r
                    });
                }
            }
            Value::List(items) | Value::Tuple(items)
                if items.iter().any(|x| matches!(x, Value::Module(_))) =>
            {
                for (i, x) in items.iter().enumerate() {
                    add(it, x, &format!("{label}[{i}]"), conv, rows, s)?;
                }
            }
            v => {
                let t = it.tensor(v, s)?;
                rows.push(ParamRow {
                    name: label.to_string(),
                    shape: t.shape().to_vec(),
                    count: t.len(),
                });
            }
        }
        Ok(())
    }
    if pos.is_empty() {
        return Err(LangError::new(
            ErrorKind::Type,
            "params() needs tensors or layers to count",
            span,
            None,
        ));
    }
    for (i, (v, s)) in pos.iter().enumerate() {
        let label = label_of(it, exprs.get(i), i);
        add(it, v, &label, conv, &mut rows, *s)?;
    }
    let table = ParamTable::new(conv, rows);
    let total = i64::try_from(table.total)
        .ok()
        .filter(|&t| t < i64::MAX)
        .ok_or_else(|| {
            LangError::new(
                ErrorKind::Limit,
                "more parameters than a 64-bit count holds",
                span,
                None,
            )
        })?;
    // A stack of 100,000 layers has 400,000 tensors: the first are shown,
    // one line each, and the total is their sum only when all are shown.
    let all_shown = table.rows.len() <= PARAM_ROWS_SHOWN;
    for r in table.rows.iter().take(PARAM_ROWS_SHOWN) {
        // The count as the product of the shape: [12, 2] → 12·2 = 24.
        let dims: Vec<Math> = r.shape.iter().map(|&d| Math::int(d as i64)).collect();
        let mut members = Vec::new();
        if dims.len() > 1 {
            members.extend(dims.into_iter().reduce(|a, d| Math::bin(MOp::Mul, a, d)));
        }
        members.push(Math::int(r.count as i64));
        it.notes.push(Note::labelled(
            format!("{}: {} →", r.name, shape_text(&r.shape)),
            members,
        ));
    }
    if !all_shown {
        it.notes.push(Note::prose(format!(
            "… and {} more tensors",
            table.rows.len() - PARAM_ROWS_SHOWN
        )));
    }
    let mut members = Vec::new();
    if all_shown && table.rows.len() > 1 {
        let terms: Vec<Math> = table
            .rows
            .iter()
            .map(|r| Math::int(r.count as i64))
            .collect();
        members.extend(Math::sum_of(terms));
    }
    members.push(Math::int(total));
    it.notes.push(Note::labelled(
        format!("total ({}) =", conv.name()),
        members,
    ));
    Ok(Value::int(total))
}

/// How many tensors `params` lists one by one.
const PARAM_ROWS_SHOWN: usize = 32;
