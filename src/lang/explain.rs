//! `lang::explain`: statements as worked-solution formulas ([`Math`]) — an
//! expression with user functions inlined and the numbers put in, as the
//! interpreter had them before the statement ran — and the chain rule of
//! `grad`, read from the recorded graph by [`crate::explain::backprop`].
//! Built-ins write their own notes (`builtins::notes`).

use std::collections::HashMap;

use super::builtins;
use super::interp::{Detail, Interp, R};
use super::parser::{BinOp, CmpOp, Expr, ExprKind, IndexItem, StmtKind};
use super::value::Value;
use super::{LangError, Span};
use crate::explain::backprop::{explain_grad, SUBST_MAX_ELEMS};
use crate::explain::math::{Math, Op, Rel, Text};
use crate::{Num, Tensor};

/// How deep single-return functions are inlined into formulas.
const INLINE_DEPTH: usize = 8;
/// Longest line of substituted numbers worth showing.
const SUBST_MAX_CHARS: usize = 200;

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
pub(crate) fn map_children(e: &Expr, f: &dyn Fn(&Expr) -> Expr) -> Expr {
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

/// A body that reads as a formula once its parameters are replaced: no
/// conditional or boolean code (shown verbatim, it would keep the parameter
/// names) and no `grad` or other call whose arguments are shown by name.
fn writable(e: &Expr) -> bool {
    let mut ok = true;
    match &e.kind {
        ExprKind::IfElse(..)
        | ExprKind::And(..)
        | ExprKind::Or(..)
        | ExprKind::Not(_)
        | ExprKind::Comp(..)
        | ExprKind::Lambda(..) => ok = false,
        ExprKind::Compare(_, rest) if rest.len() > 1 => ok = false,
        ExprKind::Call(f, _, _) => {
            if let ExprKind::Name(n) = &f.kind {
                ok = builtins::by_value(n);
            }
        }
        _ => {}
    }
    ok && children(e).iter().all(|c| writable(c))
}

/// The direct subexpressions of `e`.
fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::List(v) | ExprKind::Tuple(v) => v.iter().collect(),
        ExprKind::Neg(x) | ExprKind::Pos(x) | ExprKind::Not(x) | ExprKind::Attr(x, _) => vec![x],
        ExprKind::Binary(_, a, b) | ExprKind::And(a, b) | ExprKind::Or(a, b) => vec![a, b],
        ExprKind::Compare(a, rest) => std::iter::once(&**a)
            .chain(rest.iter().map(|(_, y)| y))
            .collect(),
        ExprKind::IfElse(c, a, b) => vec![c, a, b],
        ExprKind::Call(f, args, kw) => std::iter::once(&**f)
            .chain(args.iter())
            .chain(kw.iter().map(|k| &k.value))
            .collect(),
        ExprKind::Index(x, items) => {
            let mut v = vec![&**x];
            for i in items {
                match i {
                    IndexItem::Expr(e) => v.push(e),
                    IndexItem::Slice(a, b, c) => v.extend([a, b, c].into_iter().flatten()),
                }
            }
            v
        }
        _ => vec![],
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
            if let Some((params, body)) = single_return(it, fname).filter(|(_, b)| writable(b)) {
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

/// Whether `e` is a Python list or tuple (so `+` joins and `*` repeats):
/// a literal, a comprehension, a name holding one, or such a join.
fn is_sequence(it: &Interp, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::List(_) | ExprKind::Tuple(_) | ExprKind::Comp(..) => true,
        ExprKind::Name(n) => matches!(it.lookup(n), Some(Value::List(_) | Value::Tuple(_))),
        ExprKind::Binary(BinOp::Add, a, b) => is_sequence(it, a) && is_sequence(it, b),
        ExprKind::Binary(BinOp::Mul, a, b) => is_sequence(it, a) != is_sequence(it, b),
        // `xs[::-1]`, `xs[1:]`: a slice of a list is a list; `rows[3]` of
        // a list of lists is a list.
        ExprKind::Index(base, items) => match items.as_slice() {
            [IndexItem::Slice(..)] => is_sequence(it, base),
            [IndexItem::Expr(_)] => match &base.kind {
                ExprKind::Name(n) => {
                    matches!(it.lookup(n), Some(Value::List(rows) | Value::Tuple(rows))
                    if !rows.is_empty() && rows.iter().all(|r| matches!(r, Value::List(_) | Value::Tuple(_))))
                }
                _ => false,
            },
            _ => false,
        },
        _ => false,
    }
}

/// Whether `e` is a Python list or tuple whose items are lists or tuples.
fn is_nested_sequence(it: &Interp, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            !items.is_empty() && items.iter().all(|x| is_sequence(it, x))
        }
        ExprKind::Name(n) => matches!(it.lookup(n), Some(Value::List(rows) | Value::Tuple(rows))
            if !rows.is_empty() && rows.iter().all(|r| matches!(r, Value::List(_) | Value::Tuple(_)))),
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

/// `vary(value, …)` of a key is written as its value: the marks are for
/// `gradwork variants`, the worked solution shows the number.
fn unvaried<'e>(it: &Interp, e: &'e Expr) -> &'e Expr {
    match &e.kind {
        ExprKind::Call(f, args, _)
            if !args.is_empty()
                && matches!(&f.kind, ExprKind::Name(n) if n == "vary")
                && matches!(it.lookup("vary"), Some(Value::Builtin("vary"))) =>
        {
            unvaried(it, &args[0])
        }
        _ => e,
    }
}

fn to_math_inner(it: &mut Interp, e: &Expr, values: bool) -> Math {
    let e = unvaried(it, e);
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
            // A list of numbers reads as the array it stands for.
            Some(l @ Value::List(_)) if values && Interp::tensorish_within(&l, 1 << 16) => {
                match it.tensor(&l, e.span) {
                    Ok(t) => Math::sym_val(n.as_str(), &t),
                    Err(_) => Math::sym(n.as_str()),
                }
            }
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
        // Python's `+` joining lists and `* n` repeating one are not
        // arithmetic: shown as written, never evaluated as sums.
        ExprKind::Binary(BinOp::Add, a, b) if is_sequence(it, a) && is_sequence(it, b) => code(it),
        // Logical and bitwise operators are shown as written.
        ExprKind::Binary(BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor, ..) => code(it),
        ExprKind::Binary(BinOp::Mul, a, b) if is_sequence(it, a) != is_sequence(it, b) => code(it),
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
            // `*` of two arrays is elementwise: ⊙, never the · of a product.
            let arrays = || {
                [&x, &y].iter().all(|m| {
                    m.weight() <= crate::explain::math::CHECK_MAX_WEIGHT
                        && matches!(m.eval(), Ok(Some(v)) if v.ndim() > 0 && v.len() > 1)
                })
            };
            let op = match op {
                BinOp::Add => Op::Add,
                BinOp::Sub => Op::Sub,
                BinOp::Mul if arrays() => Op::Had,
                BinOp::Mul => Op::Mul,
                BinOp::Div => Op::Div,
                BinOp::FloorDiv => Op::FloorDiv,
                BinOp::Mod => Op::Mod,
                BinOp::Pow => Op::Pow,
                BinOp::MatMul => Op::MatMul,
                BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => unreachable!("shown as code above"),
            };
            Math::bin(op, x, y)
        }
        ExprKind::Compare(_, rest)
            if matches!(
                rest[0].0,
                CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot
            ) =>
        {
            code(it)
        }
        // `xs == ys` of Python lists compares whole lists (True or False),
        // not element by element as the formula would read it.
        ExprKind::Compare(a, rest)
            if matches!(rest.as_slice(), [(CmpOp::Eq | CmpOp::Ne, _)])
                && (is_sequence(it, a) || is_sequence(it, &rest[0].1)) =>
        {
            code(it)
        }
        ExprKind::Compare(a, rest) if rest.len() == 1 => {
            let rel = match rest[0].0 {
                CmpOp::Eq => Rel::Eq,
                CmpOp::Ne => Rel::Ne,
                CmpOp::Lt => Rel::Lt,
                CmpOp::Le => Rel::Le,
                CmpOp::Gt => Rel::Gt,
                CmpOp::Ge => Rel::Ge,
                CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot => {
                    unreachable!("shown as code above")
                }
            };
            let (x, y) = (to_math(it, a, values), to_math(it, &rest[0].1, values));
            Math::Cmp(rel, Box::new(x), Box::new(y))
        }
        // f(x**2 for x in v): the generator is code, shown in its call.
        ExprKind::Call(_, args, _) if matches!(args.as_slice(), [a] if matches!(a.kind, ExprKind::Comp(..))) => {
            code(it)
        }
        // A user's own function under a built-in's name (`def sigmoid(z)`)
        // is not the built-in: shown as written, never evaluated as σ.
        ExprKind::Call(f, _, _)
            if matches!(&f.kind, ExprKind::Name(n)
                if matches!(it.lookup(n), Some(Value::Func(_))) && builtins::lookup(n).is_some()) =>
        {
            code(it)
        }
        // Python's max/min of a list of lists returns the greatest list, not
        // the greatest number in it (numpy's reading).
        ExprKind::Call(f, args, _)
            if matches!(&f.kind, ExprKind::Name(n) if n == "max" || n == "min")
                && matches!(args.as_slice(), [a] if is_nested_sequence(it, a)) =>
        {
            code(it)
        }
        ExprKind::Call(f, args, kw) => {
            let name = call_name(it, f);
            let short = name.rsplit('.').next().unwrap_or(&name).to_string();
            let by_value = values && builtins::by_value(&short);
            let mut xs: Vec<Math> = args.iter().map(|a| to_math(it, a, by_value)).collect();
            let single = if kw.is_empty() && xs.len() == 1 {
                xs.pop()
            } else {
                None
            };
            if let Some(x) = single {
                let qualified =
                    name == short || name.starts_with("np.") || name.starts_with("math.");
                match short.as_str() {
                    // np.sum adds everything; Python's sum adds the items:
                    // a + b of a list, the rows of a matrix.
                    "sum" if name == "np.sum" => return Math::Sum(None, Box::new(x)),
                    "sum" if name == "sum" => {
                        let x = match x {
                            Math::List(items) => match Math::sum_of(items) {
                                Some(s) => return s,
                                None => Math::List(Vec::new()),
                            },
                            x => x,
                        };
                        return match x.eval() {
                            Ok(Some(v)) if v.ndim() <= 1 => Math::Sum(None, Box::new(x)),
                            Ok(Some(_)) => Math::call(
                                "sum",
                                vec![x, Math::Kw("axis".into(), Box::new(Math::int(0)))],
                            ),
                            // Code (a generator) is shown as written.
                            _ if matches!(x, Math::Code(_)) => Math::call("sum", vec![x]),
                            // The shape is not known (a function's
                            // parameter): Σ over the first index.
                            _ => Math::Sum(Some("i".into()), Box::new(x)),
                        };
                    }
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
                Ok(v @ (Value::T(_) | Value::List(_))) if Interp::tensorish_within(&v, 1 << 16) => {
                    match it.tensor(&v, e.span) {
                        Ok(t) => Math::Given(Box::new(shown), std::rc::Rc::new(t.value().clone())),
                        Err(_) => shown,
                    }
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
/// The longest source (in bytes) of a statement whose working is written.
const WORKING_MAX_SOURCE: usize = 4096;

pub(crate) fn working(it: &mut Interp, e: &Expr) -> Vec<Math> {
    // A statement longer than a page (a literal of 15,000 fractions) is
    // shown by its value alone: its formula would not be read.
    if e.span.end.saturating_sub(e.span.start) > WORKING_MAX_SOURCE {
        return Vec::new();
    }
    let e = unvaried(it, e);
    let written = to_math(it, e, true);
    let mut members = vec![written];
    if it.opts.detail == Detail::Brief || is_literal(e) || matches!(e.kind, ExprKind::Name(_)) {
        return members;
    }
    if let ExprKind::Call(f, _, _) = &e.kind {
        if matches!(&f.kind, ExprKind::Name(n) if !builtins::by_value(n)) {
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
    // Under a built-in's name (`def sigmoid(z)`) the head is the user's own
    // function, written by its name: σ would say it is the built-in.
    let head = if builtins::lookup(name).is_some() {
        Math::sym(format!("{name}({})", params.join(", ")))
    } else {
        Math::Call(
            name.to_string(),
            params.iter().map(|p| Math::sym(p.as_str())).collect(),
        )
    };
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
    // As PyTorch: a gradient with respect to a value y was not computed from
    // is an error, not a silent 0 (the usual cause: x was reassigned after y).
    let upstream = crate::autograd::topo_order(y);
    if !upstream.iter().any(|t| t.id() == x.id()) {
        // grad(grad(L, w)[0], w): a gradient is a value without a graph.
        if upstream.iter().any(|t| it.grad_results.contains(&t.id())) {
            return Err(LangError::new(
                super::ErrorKind::Value,
                format!("`{yname}` comes from grad(…), and second derivatives are not supported"),
                span,
                Some("a gradient is a value without a graph of its own; differentiate by hand, or take grad of a formula written out"),
            ));
        }
        return Err(LangError::new(
            super::ErrorKind::Value,
            format!("`{yname}` was not computed from this `{xname}`"),
            span,
            Some(&format!(
                "if `{xname}` was assigned again after `{yname}`, take the gradient before that; comparisons, argmax and step have no gradient"
            )),
        ));
    }
    // The chain rule is written out only for a step that will be shown (a
    // grad in a loop of 10,000 would write it 10,000 times).
    let total = if it.opts.detail == Detail::Brief || !it.shown() {
        crate::autograd::backward_with(y, &[x], false)
            .map(|g| g.wrt(x))
            .map_err(lib)?
    } else {
        let mut names: HashMap<usize, String> = HashMap::new();
        for n in &it.named {
            names.insert(n.tensor.id(), n.name.clone());
        }
        let (total, notes) = explain_grad(y, x, &names, yname, xname).map_err(lib)?;
        it.notes.extend(notes);
        total
    };
    it.grad_results.insert(total.id());
    Ok(total)
}
