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
    Builtin::args("train", "train(model, xs, ys, loss=\"bce_with_logits\", optimizer=adam(), epochs=20, batch=64, seed=0)", "learns the weights of (recurrent layer, linear head) on sequences xs and 0/1 targets ys in f32; returns the trained layers, a table of loss and accuracy per epoch as notes", train),
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

/// The exact value as the nearest f64 (a rate or a moment: small numbers).
fn float(a: &Args, key: &str, n: &Num) -> R<f64> {
    let v = n.to_f64();
    if v.is_finite() {
        Ok(v)
    } else {
        Err(LangError::new(
            ErrorKind::Value,
            format!("`{key}` is too large for the float path"),
            a.span,
            None,
        ))
    }
}

/// One sequence `[T, I]` (or `[T, I, 1]`) as its steps' features.
fn sequence(t: &crate::Tensor<Num>, s: Span) -> R<(usize, usize, Vec<f32>)> {
    let shape = t.shape();
    let (steps, input) = match shape {
        [steps, input] | [steps, input, 1] => (*steps, *input),
        [steps] => (*steps, 1),
        _ => {
            return Err(LangError::new(
                ErrorKind::Shape,
                format!(
                    "a sequence must be [steps, features], got {}",
                    shape_text(shape)
                ),
                s,
                Some("xs is [N, steps, features], or a list of [steps, features] sequences"),
            ))
        }
    };
    let x = t.value().iter().map(|v| v.to_f64() as f32).collect();
    Ok((steps, input, x))
}

/// `xs` as padded `[N, T, I]` features with each sequence's length.
fn sequences(it: &Interp, xs: &Value, s: Span) -> R<crate::nn::fit::Data> {
    let seqs: Vec<(usize, usize, Vec<f32>)> = match xs {
        Value::List(items) | Value::Tuple(items) => items
            .iter()
            .map(|v| sequence(&it.tensor(v, s)?, s))
            .collect::<R<_>>()?,
        v => {
            let t = it.tensor(v, s)?;
            if !matches!(t.ndim(), 2..=4) {
                return Err(LangError::new(
                    ErrorKind::Shape,
                    format!(
                        "xs must be [N, steps, features], got {}",
                        shape_text(t.shape())
                    ),
                    s,
                    None,
                ));
            }
            (0..t.shape()[0] as i64)
                .map(|i| sequence(&lib(t.slice(&[crate::Idx::At(i)]), s)?, s))
                .collect::<R<_>>()?
        }
    };
    let input = seqs.first().map_or(0, |q| q.1);
    if let Some(q) = seqs.iter().find(|q| q.1 != input) {
        return Err(LangError::new(
            ErrorKind::Shape,
            format!("sequences with {input} and {} features", q.1),
            s,
            Some("every step of every sequence has the same number of features"),
        ));
    }
    let steps = seqs.iter().map(|q| q.0).max().unwrap_or(0);
    let ragged = seqs.iter().any(|q| q.0 != steps);
    let mut x = vec![0f32; seqs.len() * steps * input];
    for (i, q) in seqs.iter().enumerate() {
        x[i * steps * input..][..q.2.len()].copy_from_slice(&q.2);
    }
    Ok(crate::nn::fit::Data {
        x,
        n: seqs.len(),
        steps,
        input,
        lengths: ragged.then(|| seqs.iter().map(|q| q.0).collect()),
        y: Vec::new(),
    })
}

fn train(it: &Interp, a: &mut Args, notes: &mut Vec<Note>) -> R<Value> {
    use crate::nn::fit::{fit, Config, Optimizer};
    let (model, mspan) = a.required(0, "model")?;
    let (xs, xspan) = a.required(1, "xs")?;
    let ys = a.tensor(2, "ys")?;
    if let Some((v, s)) = a.get(3, "loss") {
        let ok = match &v {
            Value::Str(n) => &**n == "bce_with_logits",
            Value::Builtin(n) => *n == "bce_with_logits",
            _ => false,
        };
        if !ok {
            return Err(LangError::new(
                ErrorKind::Value,
                format!("train() has no loss {}", it.fmt.value(&v)),
                s,
                Some("the loss of a 0/1 target on the logit: loss=\"bce_with_logits\""),
            ));
        }
    }
    let optimizer = match a.get(4, "optimizer") {
        None => Optim::Adam {
            lr: lib(Num::parse("0.001"), a.span)?,
            beta1: lib(Num::parse("0.9"), a.span)?,
            beta2: lib(Num::parse("0.999"), a.span)?,
            eps: lib(Num::parse("1e-8"), a.span)?,
        },
        Some((Value::Optim(o), _)) => (*o).clone(),
        Some((v, s)) => {
            return Err(LangError::new(
                ErrorKind::Type,
                format!("`optimizer` must be an optimizer, got a {}", v.type_name()),
                s,
                Some("optimizer=adam(lr=0.01) or optimizer=sgd(lr=0.1, momentum=0.9)"),
            ))
        }
    };
    let epochs = a.usize(5, "epochs", Some(20))?;
    let batch = a.usize(6, "batch", Some(64))?;
    let seed = a.usize(7, "seed", Some(0))?;
    let optimizer = match &optimizer {
        Optim::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => Optimizer::Adam {
            lr: float(a, "lr", lr)?,
            beta1: float(a, "betas", beta1)?,
            beta2: float(a, "betas", beta2)?,
            eps: float(a, "eps", eps)?,
        },
        Optim::Sgd { lr, momentum } => Optimizer::Sgd {
            lr: float(a, "lr", lr)?,
            momentum: float(a, "momentum", momentum)?,
        },
    };
    let span = a.span;
    let layers = match &model {
        Value::List(items) | Value::Tuple(items) => match items.as_slice() {
            [Value::Module(r), Value::Module(h)] => Some((r.clone(), h.clone())),
            _ => None,
        },
        _ => None,
    };
    let Some((rnn, head)) = layers else {
        return Err(LangError::new(
            ErrorKind::Type,
            format!(
                "`model` must be (recurrent layer, linear head), got {}",
                it.fmt.value(&model)
            ),
            mspan,
            Some("e.g. model = (rnn_cell(2, 8), linear(input=8, output=1))"),
        ));
    };
    let mut data = sequences(it, &xs, xspan)?;
    let y: Vec<Num> = ys.value().iter().cloned().collect();
    if y.len() != data.n {
        return Err(LangError::new(
            ErrorKind::Shape,
            format!("{} sequences but {} targets", data.n, y.len()),
            span,
            None,
        ));
    }
    data.y = y
        .iter()
        .map(|v| {
            if v.is_zero() {
                Ok(0.0)
            } else if v.eq_num(&Num::one()).unwrap_or(false) {
                Ok(1.0)
            } else {
                Err(LangError::new(
                    ErrorKind::Value,
                    format!("a target of {v}: train() learns 0/1 classes"),
                    span,
                    None,
                ))
            }
        })
        .collect::<R<_>>()?;
    let cfg = Config {
        optimizer,
        epochs,
        batch,
        seed: seed as u64,
    };
    let out = lib(fit(&rnn, &head, &data, &cfg), span)?;
    notes.push(Note::prose(format!(
        "trained {} → {} on {} sequences for {epochs} epochs in f32 ({}, batch {batch}, seed {seed}); the weights are the learned f32 values (≈), rationalize(…) makes them exact",
        rnn.title(),
        head.title(),
        data.n,
        optimizer_text(&cfg.optimizer),
    )));
    let every = epochs.div_ceil(20).max(1);
    let rows = out
        .epochs
        .iter()
        .enumerate()
        .filter(|(e, _)| (e + 1) % every == 0 || *e == 0 || e + 1 == epochs)
        .map(|(e, ep)| -> R<Vec<Math>> {
            Ok(vec![
                Math::int(e as i64 + 1),
                Math::Code(format!("{:.4}", ep.loss)),
                Math::num(lib(Num::ratio(ep.correct as i64, data.n as i64), span)?),
            ])
        })
        .collect::<R<Vec<_>>>()?;
    notes.push(Note::Table {
        head: vec![
            "epoch".into(),
            "mean loss (f32)".into(),
            "training accuracy".into(),
        ],
        rows,
    });
    let layers = vec![
        Value::Module(std::rc::Rc::new(out.rnn)),
        Value::Module(std::rc::Rc::new(out.head)),
    ];
    Ok(match model {
        Value::List(_) => Value::list(layers),
        _ => Value::tuple(layers),
    })
}

fn optimizer_text(o: &crate::nn::fit::Optimizer) -> String {
    match o {
        crate::nn::fit::Optimizer::Adam { lr, .. } => format!("Adam, lr {lr}"),
        crate::nn::fit::Optimizer::Sgd { lr, momentum } => {
            format!("SGD, lr {lr}, momentum {momentum}")
        }
    }
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
