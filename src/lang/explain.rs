//! `lang::explain`: what the interpreter computed, as worked-solution
//! formulas ([`Math`]) and notes ([`Note`]) — a statement's expression with
//! user functions inlined and the numbers put in, the chain rule of a
//! gradient (read from the recorded graph by [`crate::explain::backprop`]),
//! and the working that built-ins show.

use std::collections::HashMap;

use super::interp::{Detail, Interp, R};
use super::parser::{BinOp, CmpOp, Expr, ExprKind, IndexItem, StmtKind};
use super::value::Value;
use super::{LangError, Span};
use crate::explain::backprop::{explain_grad, SUBST_MAX_ELEMS};
use crate::explain::math::{Math, Op, Rel, Text};
use crate::explain::Note;
use crate::metric::{Metric, NearestCentroid, Retrieval};
use crate::nn::act::Activation;
use crate::nn::conv::ConvConfig;
use crate::{Idx, Num, Tensor};

/// How deep single-return functions are inlined into formulas.
const INLINE_DEPTH: usize = 8;
/// Longest line of substituted numbers worth showing.
const SUBST_MAX_CHARS: usize = 200;
/// Calls whose arguments are shown by name, never by value.
const NO_SUBST: &[&str] = &["grad", "params", "len", "shape", "bits", "print"];

/// The body of `f` when it is a single `return expr` (docstrings allowed).
fn single_return(it: &Interp, f: &str) -> Option<(Vec<String>, Expr)> {
    let Some(Value::Func(def)) = it.lookup(f) else {
        return None;
    };
    let body: Vec<_> = def
        .body
        .iter()
        .filter(|s| {
            !matches!(
                &s.kind,
                StmtKind::Expr(Expr {
                    kind: ExprKind::Str(_),
                    ..
                }) | StmtKind::Pass
            )
        })
        .collect();
    match body.as_slice() {
        [s] => match &s.kind {
            StmtKind::Return(Some(e)) => Some((
                def.params.iter().map(|p| p.name.clone()).collect(),
                e.clone(),
            )),
            _ => None,
        },
        _ => None,
    }
}

/// Rebuilds `e` with every direct child passed through `f`.
fn map_children(e: &Expr, f: &dyn Fn(&Expr) -> Expr) -> Expr {
    let b = |x: &Expr| Box::new(f(x));
    let o = |x: &Option<Expr>| x.as_ref().map(f);
    let kind = match &e.kind {
        ExprKind::List(v) => ExprKind::List(v.iter().map(f).collect()),
        ExprKind::Tuple(v) => ExprKind::Tuple(v.iter().map(f).collect()),
        ExprKind::Neg(x) => ExprKind::Neg(b(x)),
        ExprKind::Pos(x) => ExprKind::Pos(b(x)),
        ExprKind::Not(x) => ExprKind::Not(b(x)),
        ExprKind::Binary(op, x, y) => ExprKind::Binary(*op, b(x), b(y)),
        ExprKind::Compare(x, rest) => {
            ExprKind::Compare(b(x), rest.iter().map(|(op, y)| (*op, f(y))).collect())
        }
        ExprKind::And(x, y) => ExprKind::And(b(x), b(y)),
        ExprKind::Or(x, y) => ExprKind::Or(b(x), b(y)),
        ExprKind::IfElse(c, x, y) => ExprKind::IfElse(b(c), b(x), b(y)),
        ExprKind::Call(g, args, kw) => ExprKind::Call(
            b(g),
            args.iter().map(f).collect(),
            kw.iter()
                .map(|k| super::parser::Kwarg {
                    value: f(&k.value),
                    ..k.clone()
                })
                .collect(),
        ),
        ExprKind::Attr(x, n) => ExprKind::Attr(b(x), n.clone()),
        ExprKind::Index(x, items) => ExprKind::Index(
            b(x),
            items
                .iter()
                .map(|i| match i {
                    IndexItem::Expr(x) => IndexItem::Expr(f(x)),
                    IndexItem::Slice(p, q, r) => IndexItem::Slice(o(p), o(q), o(r)),
                })
                .collect(),
        ),
        k => k.clone(),
    };
    Expr { kind, span: e.span }
}

fn replace_names(e: &Expr, map: &HashMap<String, Expr>) -> Expr {
    match &e.kind {
        ExprKind::Name(n) => map.get(n).cloned().unwrap_or_else(|| e.clone()),
        _ => map_children(e, &|x| replace_names(x, map)),
    }
}

/// Replaces calls of single-return user functions by their bodies.
fn inline(it: &Interp, e: &Expr, depth: usize) -> Expr {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || inline_inner(it, e, depth))
}
fn inline_inner(it: &Interp, e: &Expr, depth: usize) -> Expr {
    if depth == 0 {
        return e.clone();
    }
    let e = map_children(e, &|x| inline(it, x, depth - 1));
    if let ExprKind::Call(f, args, kw) = &e.kind {
        if let ExprKind::Name(fname) = &f.kind {
            if let Some((params, body)) = single_return(it, fname) {
                let mut map: HashMap<String, Expr> =
                    params.iter().cloned().zip(args.iter().cloned()).collect();
                for k in kw {
                    map.insert(k.name.clone(), k.value.clone());
                }
                if args.len() <= params.len() && params.iter().all(|p| map.contains_key(p)) {
                    return inline(it, &replace_names(&body, &map), depth - 1);
                }
            }
        }
    }
    e
}

// ---- expressions as formulas -------------------------------------------------------

/// An expression with no calls: evaluating it again has no effect.
fn is_pure(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Num(_) | ExprKind::Name(_) | ExprKind::None => true,
        ExprKind::Neg(x) | ExprKind::Pos(x) => is_pure(x),
        ExprKind::Attr(x, _) => is_pure(x),
        ExprKind::Index(x, items) => {
            is_pure(x)
                && items.iter().all(|i| match i {
                    IndexItem::Expr(e) => is_pure(e),
                    IndexItem::Slice(a, b, c) => {
                        [a, b, c].iter().all(|x| x.as_ref().is_none_or(is_pure))
                    }
                })
        }
        ExprKind::Binary(_, a, b) => is_pure(a) && is_pure(b),
        _ => false,
    }
}

fn index_text(it: &Interp, items: &[IndexItem]) -> String {
    items
        .iter()
        .map(|i| match i {
            IndexItem::Expr(e) => it.text(e.span).to_string(),
            IndexItem::Slice(a, b, c) => {
                let f = |x: &Option<Expr>| {
                    x.as_ref()
                        .map(|e| it.text(e.span).to_string())
                        .unwrap_or_default()
                };
                match c {
                    Some(_) => format!("{}:{}:{}", f(a), f(b), f(c)),
                    None => format!("{}:{}", f(a), f(b)),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn call_name(it: &Interp, f: &Expr) -> String {
    match &f.kind {
        ExprKind::Name(n) => n.clone(),
        _ => it.text(f.span).to_string(),
    }
}

/// The expression as a formula; names carry their current values (when
/// `values`), so substitution and the self-check can put them in.
pub(crate) fn to_math(it: &mut Interp, e: &Expr, values: bool) -> Math {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || to_math_inner(it, e, values))
}

fn to_math_inner(it: &mut Interp, e: &Expr, values: bool) -> Math {
    let code = |it: &Interp| Math::Code(it.text(e.span).to_string());
    match &e.kind {
        ExprKind::Num(text) => match Num::parse(text) {
            Ok(n) => Math::num(n),
            Err(_) => code(it),
        },
        ExprKind::Str(s) => Math::Code(format!("{s:?}")),
        ExprKind::Bool(b) => Math::Code(if *b { "True" } else { "False" }.into()),
        ExprKind::None => Math::Code("None".into()),
        ExprKind::Name(n) => match it.lookup(n) {
            Some(Value::T(t)) if values => Math::sym_val(n.as_str(), &t),
            _ => Math::sym(n.as_str()),
        },
        ExprKind::List(items) => {
            let xs: Vec<Math> = items.iter().map(|x| to_math(it, x, values)).collect();
            // A list of numbers (or of equal-shaped arrays of them) is an array.
            let arrays: Option<Vec<Tensor<Num>>> = xs
                .iter()
                .map(|m| match m {
                    Math::Num(v) => Some(Tensor::new((**v).clone())),
                    _ => None,
                })
                .collect();
            match arrays {
                Some(ts) if !ts.is_empty() && ts.iter().all(|t| t.shape() == ts[0].shape()) => {
                    match Tensor::stack(&ts, 0) {
                        Ok(t) => Math::val(&t),
                        Err(_) => Math::List(xs),
                    }
                }
                _ => Math::List(xs),
            }
        }
        ExprKind::Tuple(items) => {
            Math::Tuple(items.iter().map(|x| to_math(it, x, values)).collect())
        }
        ExprKind::Neg(x) => match to_math(it, x, values) {
            // −3 and −1/3 are numbers, not negations.
            Math::Num(v) if v.ndim() == 0 => Math::Num(std::rc::Rc::new(v.mapv(|n| n.neg()))),
            m => Math::Neg(Box::new(m)),
        },
        ExprKind::Pos(x) => to_math(it, x, values),
        ExprKind::Binary(op, a, b) => {
            let (x, y) = (to_math(it, a, values), to_math(it, b, values));
            // 1/3 written in the exercise is the number 1/3 (in lowest terms
            // as written; 2/4 stays a division).
            if *op == BinOp::Div {
                if let (Some(p), Some(q)) = (x.scalar(), y.scalar()) {
                    if p.to_i64().is_some() && q.to_i64().is_some_and(|q| q != 0) {
                        if let Ok(r) = p.div(q) {
                            let written: String = it
                                .text(e.span)
                                .chars()
                                .filter(|c| !c.is_whitespace())
                                .collect();
                            if r.fraction_string().as_deref() == Some(written.as_str()) {
                                return Math::num(r);
                            }
                        }
                    }
                }
            }
            let op = match op {
                BinOp::Add => Op::Add,
                BinOp::Sub => Op::Sub,
                BinOp::Mul => Op::Mul,
                BinOp::Div => Op::Div,
                BinOp::FloorDiv => Op::FloorDiv,
                BinOp::Mod => Op::Mod,
                BinOp::Pow => Op::Pow,
                BinOp::MatMul => Op::MatMul,
            };
            Math::bin(op, x, y)
        }
        ExprKind::Compare(a, rest) if rest.len() == 1 => {
            let rel = match rest[0].0 {
                CmpOp::Eq => Rel::Eq,
                CmpOp::Ne => Rel::Ne,
                CmpOp::Lt => Rel::Lt,
                CmpOp::Le => Rel::Le,
                CmpOp::Gt => Rel::Gt,
                CmpOp::Ge => Rel::Ge,
            };
            let (x, y) = (to_math(it, a, values), to_math(it, &rest[0].1, values));
            Math::Cmp(rel, Box::new(x), Box::new(y))
        }
        ExprKind::Call(f, args, kw) => {
            let name = call_name(it, f);
            let short = name.rsplit('.').next().unwrap_or(&name).to_string();
            let by_value = values && !NO_SUBST.contains(&short.as_str());
            let mut xs: Vec<Math> = args.iter().map(|a| to_math(it, a, by_value)).collect();
            if kw.is_empty() && xs.len() == 1 {
                let x = xs.pop().expect("one argument");
                let qualified =
                    name == short || name.starts_with("np.") || name.starts_with("math.");
                match short.as_str() {
                    "sum" if qualified => return Math::Sum(None, Box::new(x)),
                    "norm" if qualified || name == "np.linalg.norm" => {
                        return Math::Norm(Box::new(x))
                    }
                    "sqrt" if qualified => return Math::Sqrt(Box::new(x)),
                    "exp" | "log" | "tanh" | "sigmoid" | "relu" | "abs" if qualified => {
                        return Math::call(&short, vec![x])
                    }
                    _ => xs.push(x),
                }
            }
            for k in kw {
                let v = to_math(it, &k.value, by_value);
                xs.push(Math::Kw(k.name.clone(), Box::new(v)));
            }
            Math::Call(name, xs)
        }
        ExprKind::Attr(..) | ExprKind::Index(..) if values && is_pure(e) => {
            let shown = match &e.kind {
                ExprKind::Attr(x, n) => Math::Attr(Box::new(to_math(it, x, false)), n.clone()),
                _ => shown_index(it, e),
            };
            match it.eval(e) {
                Ok(Value::T(t)) => {
                    Math::Given(Box::new(shown), std::rc::Rc::new(t.value().clone()))
                }
                _ => shown,
            }
        }
        ExprKind::Attr(x, n) => Math::Attr(Box::new(to_math(it, x, false)), n.clone()),
        ExprKind::Index(..) => shown_index(it, e),
        _ => code(it),
    }
}

fn shown_index(it: &mut Interp, e: &Expr) -> Math {
    let ExprKind::Index(x, items) = &e.kind else {
        return Math::Code(it.text(e.span).to_string());
    };
    let base = match &x.kind {
        ExprKind::Name(n) => Math::sym(n.as_str()),
        _ => to_math(it, x, false),
    };
    Math::Index(Box::new(base), index_text(it, items))
}

/// Literals (numbers, lists of numbers) have nothing to substitute.
fn is_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Num(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::None => true,
        ExprKind::Neg(x) | ExprKind::Pos(x) => is_literal(x),
        ExprKind::List(v) | ExprKind::Tuple(v) => v.iter().all(is_literal),
        ExprKind::Binary(BinOp::Div, a, b) => is_literal(a) && is_literal(b),
        _ => false,
    }
}

/// The working of an expression: as written, with user functions inlined,
/// with the numbers put in, and with the inner function applications
/// evaluated — each form once, in that order. Call it before the statement
/// binds its target, so the numbers are the ones the expression used.
pub(crate) fn working(it: &mut Interp, e: &Expr) -> Vec<Math> {
    let written = to_math(it, e, true);
    let mut members = vec![written];
    if it.opts.detail == Detail::Brief || is_literal(e) || matches!(e.kind, ExprKind::Name(_)) {
        return members;
    }
    if let ExprKind::Call(f, _, _) = &e.kind {
        if matches!(&f.kind, ExprKind::Name(n) if NO_SUBST.contains(&n.as_str())) {
            return members;
        }
    }
    let fmt = it.fmt;
    let text = |m: &Math| Text::new(&fmt).inline(m);
    let mut shown = vec![text(&members[0])];
    let inl = inline(it, e, INLINE_DEPTH);
    let inlined = to_math(it, &inl, true);
    let sub = inlined.substituted(SUBST_MAX_ELEMS);
    let folded = sub.applications_folded();
    for m in [inlined, sub, folded] {
        let t = text(&m);
        if !shown.contains(&t) && t.chars().count() <= SUBST_MAX_CHARS {
            shown.push(t);
            members.push(m);
        }
    }
    members
}

/// `L_pos(f1, f2)` and `Σ (f1 − f2)²` for a single-return function.
pub(crate) fn function_formula(it: &mut Interp, name: &str) -> Option<(Math, Math)> {
    let (params, body) = single_return(it, name)?;
    let head = Math::Call(
        name.to_string(),
        params.iter().map(|p| Math::sym(p.as_str())).collect(),
    );
    let body = inline(it, &body, INLINE_DEPTH);
    Some((head, to_math(it, &body, false)))
}

// ---- gradients ------------------------------------------------------------------

/// ∂y/∂x, with the chain rule read from the recorded graph as notes.
pub(crate) fn grad(
    it: &mut Interp,
    y: &Tensor<Num>,
    x: &Tensor<Num>,
    yname: &str,
    xname: &str,
    span: Span,
) -> R<Tensor<Num>> {
    let lib = |e| LangError::from_lib(e, span);
    if it.opts.detail == Detail::Brief {
        return crate::autograd::backward_with(y, &[x], false)
            .map(|g| g.wrt(x))
            .map_err(lib);
    }
    let mut names: HashMap<usize, String> = HashMap::new();
    for n in &it.named {
        names.insert(n.tensor.id(), n.name.clone());
    }
    let (total, notes) = explain_grad(y, x, &names, yname, xname).map_err(lib)?;
    it.notes.extend(notes);
    Ok(total)
}

// ---- notes of built-ins ---------------------------------------------------------
//
// Each takes what the built-in computed and writes it as formulas; a value
// a note shows is either the engine's or the note's own formula evaluated,
// and the self-check compares the two before anything is printed.

fn full(it: &Interp) -> bool {
    it.opts.detail == Detail::Full
}

/// How many output elements of a convolution or pooling are written out.
const WINDOWS_SHOWN: usize = 6;

fn at(t: &Tensor<Num>, i: usize) -> Num {
    t.value().iter().nth(i).cloned().unwrap_or_else(Num::zero)
}

/// conv1d on a plain signal: every output's window, up to a limit.
pub(crate) fn conv1d_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    x: &Tensor<Num>,
    w: &Tensor<Num>,
    b: Option<&Tensor<Num>>,
    c: ConvConfig,
    y: &Tensor<Num>,
) {
    if !full(it) || x.ndim() != 1 || w.ndim() != 1 || c.padding != 0 || y.is_empty() {
        return;
    }
    for i in 0..y.len().min(WINDOWS_SHOWN) {
        let terms: Vec<Math> = (0..w.len())
            .map(|j| {
                let xi = at(x, i * c.stride + j * c.dilation);
                Math::bin(Op::Mul, Math::num(xi), Math::num(at(w, j)))
            })
            .collect();
        let mut sum = Math::sum_of(terms).expect("a kernel has taps");
        if let Some(b) = b.and_then(|b| b.item().ok()) {
            sum = Math::bin(Op::Add, sum, Math::num(b));
        }
        notes.push(Note::chain(vec![
            Math::Index(Box::new(Math::sym("f")), i.to_string()),
            sum,
            Math::num(at(y, i)),
        ]));
    }
    if y.len() > WINDOWS_SHOWN {
        notes.push(Note::prose(format!(
            "… likewise for f[{}..{}]",
            WINDOWS_SHOWN,
            y.len() - 1
        )));
    }
}

/// conv2d on a plain image `[H, W]` with a kernel `[kh, kw]`: each output's
/// window, up to a limit.
pub(crate) fn conv2d_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    x: &Tensor<Num>,
    w: &Tensor<Num>,
    b: Option<&Tensor<Num>>,
    c: ConvConfig,
    y: &Tensor<Num>,
) {
    if !full(it) || x.ndim() != 2 || w.ndim() != 2 || c.padding != 0 || y.ndim() != 2 {
        return;
    }
    let (kh, kw) = (w.shape()[0], w.shape()[1]);
    let xw = x.shape()[1];
    let (oh, ow) = (y.shape()[0], y.shape()[1]);
    for k in 0..(oh * ow).min(WINDOWS_SHOWN) {
        let (i, j) = (k / ow, k % ow);
        let mut terms = Vec::new();
        for a in 0..kh {
            for bb in 0..kw {
                let row = i * c.stride + a * c.dilation;
                let col = j * c.stride + bb * c.dilation;
                terms.push(Math::bin(
                    Op::Mul,
                    Math::num(at(x, row * xw + col)),
                    Math::num(at(w, a * kw + bb)),
                ));
            }
        }
        let mut sum = Math::sum_of(terms).expect("a kernel has taps");
        if let Some(b) = b.and_then(|b| b.item().ok()) {
            sum = Math::bin(Op::Add, sum, Math::num(b));
        }
        notes.push(Note::chain(vec![
            Math::Index(Box::new(Math::sym("f")), format!("{i}, {j}")),
            sum,
            Math::num(at(y, k)),
        ]));
    }
    if oh * ow > WINDOWS_SHOWN {
        notes.push(Note::prose(format!(
            "… likewise for the other {} outputs",
            oh * ow - WINDOWS_SHOWN
        )));
    }
}

/// Max or average pooling of a plain signal: each window, the element
/// taken (ties noted), and where the gradient goes.
pub(crate) fn pool_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    x: &Tensor<Num>,
    k: usize,
    c: ConvConfig,
    max: bool,
    y: &Tensor<Num>,
) {
    if !full(it) || x.ndim() != 1 || c.padding != 0 || y.is_empty() {
        return;
    }
    for i in 0..y.len().min(WINDOWS_SHOWN) {
        let idx: Vec<usize> = (0..k).map(|j| i * c.stride + j).collect();
        let window: Vec<Num> = idx.iter().map(|&j| at(x, j)).collect();
        let out = Math::Index(Box::new(Math::sym("y")), i.to_string());
        let win = Math::arr(
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[k]), window.clone())
                .expect("k elements"),
        );
        if max {
            let m = at(y, i);
            let hits: Vec<usize> = idx
                .iter()
                .zip(&window)
                .filter(|(_, v)| v.eq_num(&m).unwrap_or(false))
                .map(|(j, _)| *j)
                .collect();
            notes.push(Note::chain(vec![
                out,
                Math::call("max", vec![win]),
                Math::num(m),
            ]));
            let first = hits.first().copied().unwrap_or(idx[0]);
            let tie = if hits.len() > 1 {
                format!(
                    " (a tie with x[{}]; the first maximum takes the gradient)",
                    hits[1..]
                        .iter()
                        .map(|h| h.to_string())
                        .collect::<Vec<_>>()
                        .join("], x[")
                )
            } else {
                String::new()
            };
            notes.push(Note::prose(format!(
                "window {i}: x[{}..{}], the maximum is x[{first}]{tie}; ∂y[{i}] flows back to x[{first}] only",
                idx[0],
                idx[k - 1]
            )));
        } else {
            let sum = Math::Sum(None, Box::new(win));
            notes.push(Note::chain(vec![
                out,
                Math::bin(Op::Div, sum, Math::int(k as i64)),
                Math::num(at(y, i)),
            ]));
        }
    }
    if !max {
        notes.push(Note::prose(format!(
            "each window passes 1/{k} of ∂y[i] back to each of its elements"
        )));
    }
    if y.len() > WINDOWS_SHOWN {
        notes.push(Note::prose(format!(
            "… likewise for y[{}..{}]",
            WINDOWS_SHOWN,
            y.len() - 1
        )));
    }
}

/// The values of an rnn's arguments as flat vectors (columns read flat).
fn flat(t: &Tensor<Num>) -> Tensor<Num> {
    if t.shape().iter().filter(|&&d| d > 1).count() <= 1 {
        t.reshape(&[-1]).unwrap_or_else(|_| t.clone())
    } else {
        t.clone()
    }
}

fn step_name(h: &str, t: usize) -> String {
    let sup: String = t
        .to_string()
        .chars()
        .map(|c| match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect();
    format!("{h}⁽{sup}⁾")
}

/// rnn: the recurrence, then every step `h⁽ᵗ⁾ = act(W_hh·h⁽ᵗ⁻¹⁾ + W_xh·x⁽ᵗ⁾ + b)`
/// with its numbers; the value of each step is the engine's.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rnn_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    xs: &Tensor<Num>,
    w_hh: &Tensor<Num>,
    w_xh: &Tensor<Num>,
    b: Option<&Tensor<Num>>,
    act: Activation,
    h0: Option<&Tensor<Num>>,
    h: &Tensor<Num>,
    args: &[Expr],
) {
    if !full(it) {
        return;
    }
    let arg_name = |i: usize, default: &str| match args.get(i).map(|e| &e.kind) {
        Some(ExprKind::Name(n)) => n.clone(),
        _ => default.to_string(),
    };
    let (n_hh, n_xh, n_b) = (arg_name(1, "W_hh"), arg_name(2, "W_xh"), arg_name(3, "b_h"));
    let apply = |m: Math| match act {
        Activation::Identity => m,
        a => Math::call(a.name(), vec![m]),
    };
    let body = |wh: Math, hp: Math, wx: Math, x: Math, bias: Option<Math>| {
        let s = Math::bin(
            Op::Add,
            Math::bin(Op::Dot, wh, hp),
            Math::bin(Op::Dot, wx, x),
        );
        match bias {
            Some(b) => Math::bin(Op::Add, s, b),
            None => s,
        }
    };
    notes.push(Note::chain(vec![
        Math::sym("h⁽ᵗ⁾"),
        apply(body(
            Math::sym(n_hh),
            Math::sym("h⁽ᵗ⁻¹⁾"),
            Math::sym(n_xh),
            Math::sym("x⁽ᵗ⁾"),
            b.map(|_| Math::sym(n_b)),
        )),
    ]));
    let n = h.shape()[0];
    let prev0 = h0
        .cloned()
        .unwrap_or_else(|| Tensor::zeros(&[h.shape()[1]]));
    notes.push(Note::chain(vec![
        Math::sym(step_name("h", 0)),
        Math::val(&flat(&prev0)),
    ]));
    for t in 0..n.min(12) {
        let prev = if t == 0 {
            prev0.clone()
        } else {
            match h.slice(&[Idx::At(t as i64 - 1)]) {
                Ok(p) => p,
                Err(_) => return,
            }
        };
        let (Ok(x), Ok(ht)) = (
            xs.slice(&[Idx::At(t as i64)]),
            h.slice(&[Idx::At(t as i64)]),
        ) else {
            return;
        };
        // Weights stay matrices (W_xh of one input is a column); states,
        // inputs and biases read as vectors.
        let pre = body(
            Math::val(w_hh),
            Math::val(&flat(&prev)),
            Math::val(w_xh),
            Math::val(&flat(&x)),
            b.map(|b| Math::val(&flat(b))),
        );
        let mut members = vec![Math::sym(step_name("h", t + 1)), apply(pre.clone())];
        if act != Activation::Identity {
            if let Ok(Some(z)) = pre.eval() {
                if act == Activation::Relu {
                    relu_zero_note(notes, &z, &step_name("h", t + 1));
                }
                members.push(apply(Math::val(&z)));
            }
        }
        members.push(Math::val(&flat(&ht)));
        notes.push(Note::chain(members));
    }
    if n > 12 {
        notes.push(Note::prose(format!("… {} more steps", n - 12)));
    }
}

/// relu at exactly 0: the value is 0 either way, but the gradient convention
/// decides; say which one is used.
pub(crate) fn relu_zero_note(notes: &mut Vec<Note>, x: &Tensor<Num>, what: &str) {
    let zeros: Vec<usize> = x
        .value()
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_zero())
        .map(|(i, _)| i)
        .collect();
    if !zeros.is_empty() {
        notes.push(Note::prose(format!(
            "{what}: the input of relu is exactly 0 at flat index {zeros:?}: relu′(0) = 0 is used (PyTorch's convention)"
        )));
    }
}

/// σ written out for a few numbers: σ(-1.5) = 1/(1 + e^1.5) ≈ 0.1824.
pub(crate) fn sigmoid_note(notes: &mut Vec<Note>, x: &Tensor<Num>) {
    if x.len() > 4 {
        return;
    }
    for v in x.value().iter() {
        let Ok(y) = v.sigmoid() else { return };
        notes.push(Note::chain(vec![
            Math::call("sigmoid", vec![Math::num(v.clone())]),
            Math::bin(
                Op::Div,
                Math::int(1),
                Math::bin(
                    Op::Add,
                    Math::int(1),
                    Math::call("exp", vec![Math::num(v.neg())]),
                ),
            ),
            Math::num(y),
        ]));
    }
}

/// argmax/argmin: say when the extreme value occurs more than once.
pub(crate) fn note_ties(
    it: &Interp,
    notes: &mut Vec<Note>,
    x: &Tensor<Num>,
    axis: Option<i64>,
    max: bool,
) {
    if axis.is_some() {
        return;
    }
    let Ok(m) = (if max {
        x.max(None, false)
    } else {
        x.min(None, false)
    }) else {
        return;
    };
    let Ok(mv) = m.item() else { return };
    let hits: Vec<usize> = x
        .value()
        .iter()
        .enumerate()
        .filter(|(_, v)| v.eq_num(&mv).unwrap_or(false))
        .map(|(i, _)| i)
        .collect();
    if hits.len() > 1 {
        notes.push(Note::prose(format!(
            "tie: the {} {} occurs at flat indices {:?}; the first is taken",
            if max { "maximum" } else { "minimum" },
            it.fmt.compact(&mv),
            hits
        )));
    }
}

/// The distance from z to a centroid, with the exact surd for L2 between
/// rational vectors: √5 ≈ 2.236.
fn distance_members(
    m: Metric,
    z: &Tensor<Num>,
    c: &Tensor<Num>,
    d: &Num,
    cname: &str,
) -> Vec<Math> {
    let mut members = vec![Math::call(
        &format!("d_{}", m.name()),
        vec![Math::sym("z"), Math::sym(cname)],
    )];
    if m == Metric::L2 && !d.is_exact() {
        let sq = z.sub(c).and_then(|v| v.mul(&v)).and_then(|v| v.sum_all());
        if let Ok(sq) = sq {
            if sq.value().iter().all(Num::is_exact) {
                members.push(Math::Sqrt(Box::new(Math::val(&sq))));
            }
        }
    }
    members.push(Math::num(d.clone()));
    members
}

pub(crate) fn centroid_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    r: &NearestCentroid<Num>,
    z: &Tensor<Num>,
    m: Metric,
) {
    let f = it.fmt;
    for (i, c) in r.classes.iter().enumerate() {
        let Ok(row) = r.centroids.slice(&[Idx::At(i as i64)]) else {
            continue;
        };
        let cname = format!("μ_{}", f.compact(c));
        notes.push(Note::labelled(
            format!("class {}:", f.compact(c)),
            vec![Math::sym(cname.as_str()), Math::val(&row)],
        ));
        notes.push(Note::chain(distance_members(
            m,
            z,
            &row,
            &r.distances.value()[i],
            &cname,
        )));
    }
    notes.push(Note::prose(format!(
        "nearest: class {}",
        f.compact(&r.classes[r.winner])
    )));
    if !r.tied.is_empty() {
        let t: Vec<String> = r.tied.iter().map(|&i| f.compact(&r.classes[i])).collect();
        notes.push(Note::prose(format!(
            "tie: class {} is exactly as near as class(es) {}; the lowest class is taken",
            f.compact(&r.classes[r.winner]),
            t.join(", ")
        )));
    }
}

pub(crate) fn retrieval_notes(notes: &mut Vec<Note>, r: &Retrieval<Num>, m: Metric) {
    let rows = r
        .indices
        .iter()
        .zip(&r.distances)
        .enumerate()
        .map(|(rank, (i, d))| {
            vec![
                Math::int(rank as i64 + 1),
                Math::int(*i as i64 + 1),
                Math::int(*i as i64),
                Math::num(d.clone()),
            ]
        })
        .collect();
    notes.push(Note::Table {
        head: vec![
            "rank".into(),
            "row (1-based)".into(),
            "index".into(),
            format!("d_{}", m.name()),
        ],
        rows,
    });
    let rows: Vec<String> = r.indices.iter().map(|i| (i + 1).to_string()).collect();
    notes.push(Note::prose(format!(
        "retrieved rows (1-based): {}",
        rows.join(", ")
    )));
    if r.tied_out.is_empty() {
        notes.push(Note::prose("no tie at the last place"));
    } else {
        let left: Vec<String> = r.tied_out.iter().map(|i| (i + 1).to_string()).collect();
        notes.push(Note::prose(format!(
            "tie: row(s) {} have the same distance as the last retrieved and were left out (ties go to the lower row)",
            left.join(", ")
        )));
    }
}

pub(crate) fn ranking_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    name: &str,
    idx: &[usize],
    labels: &Tensor<Num>,
    cls: &Num,
    value: &Num,
) {
    if !full(it) {
        return;
    }
    let relevant = |i: usize| {
        labels
            .value()
            .get(i)
            .is_some_and(|l| l.eq_num(cls).unwrap_or(false))
    };
    let rel: Vec<String> = idx
        .iter()
        .filter(|&&i| relevant(i))
        .map(|i| (i + 1).to_string())
        .collect();
    let total = labels
        .value()
        .iter()
        .filter(|l| l.eq_num(cls).unwrap_or(false))
        .count();
    let list = if rel.is_empty() {
        "none".to_string()
    } else {
        rel.join(", ")
    };
    match name {
        "precision" | "recall" => {
            let (what, den) = if name == "precision" {
                (
                    format!("{} relevant of {} retrieved", rel.len(), idx.len()),
                    idx.len(),
                )
            } else {
                (
                    format!("{} of the {} relevant retrieved", rel.len(), total),
                    total,
                )
            };
            notes.push(Note::prose(format!(
                "relevant rows retrieved (1-based): {list} — {what}"
            )));
            if den > 0 {
                notes.push(Note::labelled(
                    format!("{name}:"),
                    vec![
                        Math::bin(Op::Div, Math::int(rel.len() as i64), Math::int(den as i64)),
                        Math::num(value.clone()),
                    ],
                ));
            }
        }
        "average_precision" => {
            // The precision at each rank that holds a relevant item, averaged
            // over every relevant item of the class.
            let mut hits = 0i64;
            let mut terms = Vec::new();
            for (rank, &i) in idx.iter().enumerate() {
                if relevant(i) {
                    hits += 1;
                    notes.push(Note::labelled(
                        format!(
                            "rank {} (row {}) is relevant: P@{} =",
                            rank + 1,
                            i + 1,
                            rank + 1
                        ),
                        vec![
                            Math::bin(Op::Div, Math::int(hits), Math::int(rank as i64 + 1)),
                            Math::num(
                                Num::ratio(hits, rank as i64 + 1).unwrap_or_else(|_| Num::zero()),
                            ),
                        ],
                    ));
                    terms.push(Math::bin(
                        Op::Div,
                        Math::int(hits),
                        Math::int(rank as i64 + 1),
                    ));
                }
            }
            if total > 0 {
                let sum = Math::sum_of(terms).unwrap_or_else(|| Math::int(0));
                notes.push(Note::labelled(
                    format!("AP = (sum of P@k at the relevant ranks) / {total} relevant in all:"),
                    vec![
                        Math::bin(Op::Div, sum, Math::int(total as i64)),
                        Math::num(value.clone()),
                    ],
                ));
            }
        }
        _ => {}
    }
}
