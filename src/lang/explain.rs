//! `explain`: turns what the interpreter computed into worked-solution text —
//! expressions with the numbers put in, per-element formulas, the chain rule
//! of a gradient with the sum over every use of a shared weight, and the
//! tables of metric results.

use std::collections::{HashMap, HashSet};

use super::interp::{Detail, Interp, R};
use super::parser::{BinOp, CmpOp, Expr, ExprKind, IndexItem, StmtKind};
use super::value::Value;
use super::{LangError, Span};
use crate::autograd::{backward, backward_seeded, topo_order};
use crate::metric::{Metric, NearestCentroid, Retrieval};
use crate::nn::act::Activation;
use crate::nn::conv::ConvConfig;
use crate::{Idx, Num, Tensor};

/// Largest tensor whose values are written into a formula.
const SUBST_MAX_ELEMS: usize = 8;
/// Most named values a gradient's chain rule writes out.
const MAX_CHAIN_NAMES: usize = 24;
/// How deep single-return functions are inlined into formulas.
const INLINE_DEPTH: usize = 8;

// ---- precedence-aware rendering ---------------------------------------------

const P_OR: u8 = 2;
const P_AND: u8 = 3;
const P_NOT: u8 = 4;
const P_CMP: u8 = 5;
const P_ADD: u8 = 6;
const P_MUL: u8 = 7;
const P_UNARY: u8 = 8;
const P_POW: u8 = 9;
const P_ATOM: u8 = 11;

fn paren(s: (String, u8), min: u8) -> String {
    if s.1 < min {
        format!("({})", s.0)
    } else {
        s.0
    }
}

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

struct Render<'a, 's> {
    it: &'a Interp<'s>,
    values: bool,
}

impl Render<'_, '_> {
    fn name(&self, n: &str) -> (String, u8) {
        if self.values {
            if let Some(Value::T(t)) = self.it.lookup(n) {
                if t.len() <= SUBST_MAX_ELEMS {
                    let s = self.it.fmt.tensor_compact(&t);
                    let atomic = t.ndim() > 0
                        || !(s.starts_with('-') || s.contains('/') || s.starts_with('≈'));
                    return (s, if atomic { P_ATOM } else { P_UNARY });
                }
            }
        }
        (n.to_string(), P_ATOM)
    }
    fn expr(&self, e: &Expr) -> (String, u8) {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.expr_inner(e))
    }
    fn expr_inner(&self, e: &Expr) -> (String, u8) {
        match &e.kind {
            ExprKind::Num(n) => {
                let p = if n.starts_with('-') { P_UNARY } else { P_ATOM };
                (n.clone(), p)
            }
            ExprKind::Str(s) => (format!("{s:?}"), P_ATOM),
            ExprKind::Bool(b) => (if *b { "True" } else { "False" }.into(), P_ATOM),
            ExprKind::None => ("None".into(), P_ATOM),
            ExprKind::Name(n) => self.name(n),
            ExprKind::List(items) => (format!("[{}]", self.list(items)), P_ATOM),
            ExprKind::Tuple(items) => (format!("({})", self.list(items)), P_ATOM),
            ExprKind::Neg(x) => (format!("−{}", paren(self.expr(x), P_UNARY)), P_UNARY),
            ExprKind::Pos(x) => (format!("+{}", paren(self.expr(x), P_UNARY)), P_UNARY),
            ExprKind::Not(x) => (format!("not {}", paren(self.expr(x), P_NOT)), P_NOT),
            ExprKind::Binary(op, a, b) => {
                let (p, sym) = match op {
                    BinOp::Add => (P_ADD, " + "),
                    BinOp::Sub => (P_ADD, " − "),
                    BinOp::Mul => (P_MUL, "·"),
                    BinOp::Div => (P_MUL, " / "),
                    BinOp::FloorDiv => (P_MUL, " // "),
                    BinOp::Mod => (P_MUL, " % "),
                    BinOp::MatMul => (P_MUL, " @ "),
                    BinOp::Pow => {
                        let base = paren(self.expr(a), P_POW + 1);
                        if let ExprKind::Num(n) = &b.kind {
                            let sup = match n.as_str() {
                                "2" => Some("²"),
                                "3" => Some("³"),
                                _ => None,
                            };
                            if let Some(sup) = sup {
                                return (format!("{base}{sup}"), P_POW);
                            }
                        }
                        return (format!("{base}**{}", paren(self.expr(b), P_UNARY)), P_POW);
                    }
                };
                let l = paren(self.expr(a), p);
                let r = paren(self.expr(b), p + 1);
                (format!("{l}{sym}{r}"), p)
            }
            ExprKind::Compare(a, rest) => {
                let mut s = paren(self.expr(a), P_CMP + 1);
                for (op, x) in rest {
                    s = format!("{s} {} {}", cmp_text(*op), paren(self.expr(x), P_CMP + 1));
                }
                (s, P_CMP)
            }
            ExprKind::And(a, b) => (
                format!(
                    "{} and {}",
                    paren(self.expr(a), P_AND),
                    paren(self.expr(b), P_AND + 1)
                ),
                P_AND,
            ),
            ExprKind::Or(a, b) => (
                format!(
                    "{} or {}",
                    paren(self.expr(a), P_OR),
                    paren(self.expr(b), P_OR + 1)
                ),
                P_OR,
            ),
            ExprKind::IfElse(c, a, b) => (
                format!(
                    "{} if {} else {}",
                    paren(self.expr(a), P_OR),
                    paren(self.expr(c), P_OR),
                    paren(self.expr(b), 1)
                ),
                1,
            ),
            ExprKind::Call(f, args, kw) => {
                let fname = match &f.kind {
                    ExprKind::Name(n) => Some(n.as_str()),
                    ExprKind::Attr(_, n) => Some(n.as_str()),
                    _ => None,
                };
                if kw.is_empty() && args.len() == 1 {
                    match fname {
                        Some("sum") => {
                            return (format!("Σ {}", paren(self.expr(&args[0]), P_POW)), P_UNARY)
                        }
                        Some("norm") => return (format!("‖{}‖", self.expr(&args[0]).0), P_ATOM),
                        Some("sqrt") => {
                            return (format!("√{}", paren(self.expr(&args[0]), P_ATOM)), P_POW)
                        }
                        _ => {}
                    }
                }
                let fs = match &f.kind {
                    ExprKind::Name(n) => n.clone(),
                    _ => paren(self.expr(f), P_ATOM),
                };
                // grad(L, w) and the like read by name, never by value.
                let by_name = Render {
                    it: self.it,
                    values: false,
                };
                let inner = if fname.is_some_and(|n| NO_SUBST.contains(&n)) {
                    &by_name
                } else {
                    self
                };
                let mut parts: Vec<String> = args.iter().map(|a| inner.expr(a).0).collect();
                parts.extend(
                    kw.iter()
                        .map(|k| format!("{}={}", k.name, inner.expr(&k.value).0)),
                );
                (format!("{fs}({})", parts.join(", ")), P_ATOM)
            }
            ExprKind::Attr(x, n) => {
                // Attributes are shown by name: `Q.shape` is clearer than its value.
                let base = match &x.kind {
                    ExprKind::Name(b) => b.clone(),
                    _ => paren(self.expr(x), P_ATOM),
                };
                (format!("{base}.{n}"), P_ATOM)
            }
            ExprKind::Index(x, items) => {
                let base = match &x.kind {
                    ExprKind::Name(b) => b.clone(),
                    _ => paren(self.expr(x), P_ATOM),
                };
                let idx: Vec<String> = items
                    .iter()
                    .map(|i| match i {
                        IndexItem::Expr(e) => self.it.text(e.span).to_string(),
                        IndexItem::Slice(a, b, c) => {
                            let f = |x: &Option<Expr>| {
                                x.as_ref()
                                    .map(|e| self.it.text(e.span).to_string())
                                    .unwrap_or_default()
                            };
                            match c {
                                Some(_) => format!("{}:{}:{}", f(a), f(b), f(c)),
                                None => format!("{}:{}", f(a), f(b)),
                            }
                        }
                    })
                    .collect();
                (format!("{base}[{}]", idx.join(", ")), P_ATOM)
            }
        }
    }
    fn list(&self, items: &[Expr]) -> String {
        items
            .iter()
            .map(|x| self.expr(x).0)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn cmp_text(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Ge => "≥",
        CmpOp::Le => "≤",
        CmpOp::Ne => "≠",
        o => o.text(),
    }
}

fn render(it: &Interp, e: &Expr, values: bool) -> String {
    Render { it, values }.expr(e).0
}

/// Calls whose arguments are shown by name, never by value.
const NO_SUBST: &[&str] = &["grad", "params", "len", "shape", "bits", "print"];
/// Longest line of substituted numbers worth showing.
const SUBST_MAX_CHARS: usize = 200;

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

/// The expression with user functions inlined and the numbers put in.
pub(crate) fn substitute(it: &Interp, e: &Expr) -> Option<String> {
    if it.opts.detail == Detail::Brief || is_literal(e) {
        return None;
    }
    if let ExprKind::Call(f, _, _) = &e.kind {
        if matches!(&f.kind, ExprKind::Name(n) if NO_SUBST.contains(&n.as_str())) {
            return None;
        }
    }
    let inl = inline(it, e, INLINE_DEPTH);
    let plain = render(it, e, false);
    let symbolic = render(it, &inl, false);
    let numbers = render(it, &inl, true);
    let mut parts = Vec::new();
    if symbolic != plain {
        parts.push(symbolic.clone());
    }
    if numbers != symbolic && numbers.chars().count() <= SUBST_MAX_CHARS {
        parts.push(numbers);
    }
    (!parts.is_empty()).then(|| parts.join("\n= "))
}

/// `L_pos(f1, f2) = Σ (f1 − f2)²` for a single-return function.
pub(crate) fn function_formula(it: &Interp, name: &str) -> Option<String> {
    let (params, body) = single_return(it, name)?;
    Some(format!(
        "{name}({}) = {}",
        params.join(", "),
        render(it, &inline(it, &body, INLINE_DEPTH), false)
    ))
}

// ---- symbolic derivative of a defining expression ---------------------------

#[derive(Clone, Debug, PartialEq)]
enum D {
    Zero,
    One,
    NegOne,
    E(String, u8),
}

fn d_neg(a: D) -> D {
    match a {
        D::Zero => D::Zero,
        D::One => D::NegOne,
        D::NegOne => D::One,
        // −2·(a − b) reads as −(2·(a − b)): no parentheses needed down to products.
        D::E(s, p) => D::E(format!("−{}", paren((s, p), P_MUL)), P_UNARY),
    }
}
fn d_add(a: D, b: D) -> D {
    match (a, b) {
        (D::Zero, x) | (x, D::Zero) => x,
        (x, y) => {
            let (xs, ys) = (d_str(x), d_str(y));
            D::E(
                format!("{} + {}", paren(xs, P_ADD), paren(ys, P_ADD + 1)),
                P_ADD,
            )
        }
    }
}
fn d_sub(a: D, b: D) -> D {
    match (a, b) {
        (x, D::Zero) => x,
        (D::Zero, y) => d_neg(y),
        (x, y) => {
            let (xs, ys) = (d_str(x), d_str(y));
            D::E(
                format!("{} − {}", paren(xs, P_ADD), paren(ys, P_ADD + 1)),
                P_ADD,
            )
        }
    }
}
fn d_mul(a: D, b: D) -> D {
    match (a, b) {
        (D::Zero, _) | (_, D::Zero) => D::Zero,
        (D::One, x) | (x, D::One) => x,
        (D::NegOne, x) | (x, D::NegOne) => d_neg(x),
        (x, y) => {
            let (xs, ys) = (d_str(x), d_str(y));
            D::E(
                format!("{}·{}", paren(xs, P_MUL), paren(ys, P_MUL + 1)),
                P_MUL,
            )
        }
    }
}
fn d_str(d: D) -> (String, u8) {
    match d {
        D::Zero => ("0".into(), P_ATOM),
        D::One => ("1".into(), P_ATOM),
        D::NegOne => ("−1".into(), P_UNARY),
        D::E(s, p) => (s, p),
    }
}

/// ∂e/∂v as text, for the forms a worked solution differentiates by hand.
fn deriv(it: &Interp, e: &Expr, v: &str) -> Option<D> {
    let show = |x: &Expr| Render { it, values: false }.expr(x);
    Some(match &e.kind {
        ExprKind::Name(n) if n == v => D::One,
        ExprKind::Name(_) | ExprKind::Num(_) => D::Zero,
        ExprKind::Neg(a) => d_neg(deriv(it, a, v)?),
        ExprKind::Pos(a) => deriv(it, a, v)?,
        ExprKind::Binary(op, a, b) => {
            let (da, db) = (deriv(it, a, v)?, deriv(it, b, v)?);
            match op {
                BinOp::Add => d_add(da, db),
                BinOp::Sub => d_sub(da, db),
                BinOp::Mul => {
                    let ((as_, ap), (bs, bp)) = (show(a), show(b));
                    d_add(d_mul(da, D::E(bs, bp)), d_mul(D::E(as_, ap), db))
                }
                BinOp::Div if db == D::Zero => {
                    let (bs, bp) = show(b);
                    d_mul(da, D::E(format!("1/{}", paren((bs, bp), P_ATOM)), P_MUL))
                }
                BinOp::Pow if db == D::Zero => {
                    let ExprKind::Num(k) = &b.kind else {
                        return None;
                    };
                    let k = Num::parse(k).ok()?;
                    let km1 = k.sub(&Num::one()).ok()?;
                    let base = show(a);
                    let pow = if km1.eq_num(&Num::one()).ok()? {
                        D::E(paren(base, P_ATOM), P_ATOM)
                    } else {
                        D::E(format!("{}**{}", paren(base, P_ATOM), km1), P_POW)
                    };
                    d_mul(d_mul(D::E(k.to_string(), P_ATOM), pow), da)
                }
                _ => return None,
            }
        }
        ExprKind::Call(f, args, kw) if kw.is_empty() => {
            let ExprKind::Name(fname) = &f.kind else {
                return None;
            };
            match (fname.as_str(), args.as_slice()) {
                ("sum", [a]) => deriv(it, a, v)?,
                ("norm", [a]) => {
                    let s = show(a);
                    d_mul(
                        D::E(format!("{}/‖{}‖", paren(s.clone(), P_ATOM), s.0), P_MUL),
                        deriv(it, a, v)?,
                    )
                }
                ("max" | "maximum", [z, a]) if matches!(&z.kind, ExprKind::Num(n) if n == "0") => {
                    let s = show(a);
                    d_mul(D::E(format!("[{} > 0]", s.0), P_ATOM), deriv(it, a, v)?)
                }
                ("relu", [a]) => {
                    let s = show(a);
                    d_mul(D::E(format!("[{} > 0]", s.0), P_ATOM), deriv(it, a, v)?)
                }
                _ => return None,
            }
        }
        _ => return None,
    })
}

// ---- gradients ------------------------------------------------------------------

fn gtext(it: &Interp, t: &Tensor<Num>) -> String {
    it.fmt.tensor(t)
}

/// ∂y/∂x, with the chain rule written out as notes.
pub(crate) fn grad(
    it: &mut Interp,
    y: &Tensor<Num>,
    x: &Tensor<Num>,
    yname: &str,
    xname: &str,
    span: Span,
) -> R<Tensor<Num>> {
    let lib = |e| LangError::from_lib(e, span);
    let order = topo_order(y);
    // Nodes on a path from x to y.
    let mut on_path: HashSet<usize> = HashSet::new();
    for t in &order {
        if t.id() == x.id() || t.inputs().iter().any(|i| on_path.contains(&i.id())) {
            on_path.insert(t.id());
        }
    }
    // Named intermediates on that path, in the order they were assigned.
    let mut seen = HashSet::new();
    let mids: Vec<(String, Tensor<Num>, Expr)> = it
        .named
        .iter()
        .filter(|n| {
            n.tensor.id() != y.id() && n.tensor.id() != x.id() && on_path.contains(&n.tensor.id())
        })
        .filter(|n| seen.insert(n.tensor.id()))
        .map(|n| (n.name.clone(), n.tensor.clone(), n.expr.clone()))
        .collect();
    // A long chain (a loop at the top level) is summarized, not written out.
    let shown = mids.len() <= MAX_CHAIN_NAMES;
    let mut targets: Vec<&Tensor<Num>> = vec![x];
    if shown {
        targets.extend(mids.iter().map(|m| &m.1));
    }
    let g = backward(y, &targets).map_err(lib)?;
    let total = g.wrt(x);
    if it.opts.detail == Detail::Brief {
        return Ok(total);
    }
    if !shown {
        it.notes.push(format!(
            "the chain from {xname} to {yname} runs through {} named values; only the result is written out",
            mids.len()
        ));
        return Ok(total);
    }
    if !on_path.contains(&y.id()) {
        it.notes.push(format!(
            "{yname} does not depend on {xname}: ∂{yname}/∂{xname} = 0"
        ));
        return Ok(total);
    }
    let y_expr = it
        .named
        .iter()
        .rev()
        .find(|n| n.tensor.id() == y.id())
        .map(|n| inline(it, &n.expr, INLINE_DEPTH));
    it.notes.push(format!("∂{yname}/∂{yname} = 1"));
    // Nearest to y first: depth counts the named values between a value and y.
    let reach: Vec<HashSet<usize>> = mids
        .iter()
        .map(|m| topo_order(&m.1).iter().map(|n| n.id()).collect())
        .collect();
    let mut depth = vec![0usize; mids.len()];
    for _ in 0..mids.len() {
        for i in 0..mids.len() {
            for j in 0..mids.len() {
                if i != j && reach[j].contains(&mids[i].1.id()) {
                    depth[i] = depth[i].max(depth[j] + 1);
                }
            }
        }
    }
    let mut ordered: Vec<usize> = (0..mids.len()).collect();
    ordered.sort_by_key(|&i| (depth[i], i));
    for (name, t, _) in ordered.iter().map(|&i| &mids[i]) {
        let gv = g.wrt(t);
        let rule = y_expr
            .as_ref()
            .and_then(|e| deriv(it, e, name))
            .map(|d| d_str(d).0);
        let line = match rule {
            Some(r) => format!("∂{yname}/∂{name} = {r} = {}", gtext(it, &gv)),
            None => format!("∂{yname}/∂{name} = {}", gtext(it, &gv)),
        };
        it.notes.push(line);
    }
    // The uses of x: intermediates with no other named intermediate between.
    let frontier: Vec<&(String, Tensor<Num>, Expr)> = mids
        .iter()
        .filter(|(_, t, _)| {
            let inner: HashSet<usize> = topo_order(t).iter().map(|n| n.id()).collect();
            !mids.iter().any(|(_, o, _)| {
                o.id() != t.id() && inner.contains(&o.id()) && on_path.contains(&o.id())
            })
        })
        .collect();
    if frontier.is_empty() {
        it.notes
            .push(format!("∂{yname}/∂{xname} = {}", gtext(it, &total)));
        return Ok(total);
    }
    let mut rules = Vec::new();
    let mut vals = Vec::new();
    let mut acc: Option<Tensor<Num>> = None;
    for (name, t, e) in &frontier {
        let seed = g.wrt(t).value().clone();
        let c = backward_seeded(t, seed.clone(), &[x], false)
            .map_err(lib)?
            .wrt(x);
        rules.push(use_rule(it, yname, name, xname, e));
        vals.push(factored(it, &seed, &c).unwrap_or_else(|| gtext(it, &c)));
        acc = Some(match acc {
            None => c,
            Some(a) => a.add(&c).map_err(lib)?,
        });
    }
    let acc = acc.expect("frontier is not empty");
    // A use of x that reaches y without passing a named value: decided on
    // the graph, not on the (possibly approximate) difference of values.
    let named_ids: HashSet<usize> = mids.iter().map(|m| m.1.id()).collect();
    let mut bypass: HashSet<usize> = HashSet::new();
    for t in &order {
        let fed = t
            .inputs()
            .iter()
            .any(|i| bypass.contains(&i.id()) && !named_ids.contains(&i.id()));
        if t.id() == x.id() || fed {
            bypass.insert(t.id());
        }
    }
    if bypass.contains(&y.id()) {
        let direct = total.sub(&acc).map_err(lib)?;
        rules.push(format!("(direct use in {yname})"));
        vals.push(gtext(it, &direct));
    }
    let head = format!("∂{yname}/∂{xname}");
    let pad = " ".repeat(head.chars().count());
    it.notes.push(format!("{head} = {}", rules.join("  +  ")));
    if rules.len() > 1 {
        it.notes.push(format!("{pad} = {}", vals.join(" + ")));
    }
    it.notes.push(format!("{pad} = {}", gtext(it, &total)));
    Ok(total)
}

/// A contribution whose upstream gradient is one exact number u in every
/// element, written as u·(contribution/u) — the way a worked solution
/// factors it: −4·[4.3, 4.3, 4.6].
fn factored(it: &Interp, seed: &ndarray::ArrayD<Num>, c: &Tensor<Num>) -> Option<String> {
    let u = seed.iter().next()?;
    if seed.len() < 2
        || !u.is_exact()
        || u.is_zero()
        || !seed.iter().all(|v| v.eq_num(u).unwrap_or(false))
    {
        return None;
    }
    if !c.value().iter().all(Num::is_exact) {
        return None;
    }
    let rest = c.div(&Tensor::scalar(u.clone())).ok()?;
    Some(format!(
        "{}·{}",
        it.fmt.compact(u),
        it.fmt.tensor_compact(&rest)
    ))
}

/// The contribution of one use `v` of `x`, as a formula.
fn use_rule(it: &Interp, y: &str, v: &str, x: &str, e: &Expr) -> String {
    if let ExprKind::Call(f, args, _) = &e.kind {
        if matches!(&f.kind, ExprKind::Name(n) if n == "conv1d") && args.len() >= 2 {
            let inp = it.text(args[0].span);
            if it.text(args[1].span) == x {
                return format!("Σᵢ ∂{y}/∂{v}[i]·{inp}[i+j]");
            }
            if args.len() >= 3 && it.text(args[2].span) == x {
                return format!("Σᵢ ∂{y}/∂{v}[i]");
            }
        }
    }
    format!("∂{y}/∂{v}·∂{v}/∂{x}")
}

// ---- notes of built-ins ---------------------------------------------------------

fn full(it: &Interp) -> bool {
    it.opts.detail == Detail::Full
}

/// conv1d on a plain signal: the first output written out, then the rest.
pub(crate) fn conv1d_notes(
    it: &Interp,
    notes: &mut Vec<String>,
    x: &Tensor<Num>,
    w: &Tensor<Num>,
    b: Option<&Tensor<Num>>,
    c: ConvConfig,
    y: &Tensor<Num>,
) {
    if !full(it) || x.ndim() != 1 || w.ndim() != 1 || c.padding != 0 || y.is_empty() {
        return;
    }
    let f = &it.fmt;
    let mut lines = Vec::new();
    for i in 0..y.len().min(2) {
        let mut terms = Vec::new();
        for j in 0..w.len() {
            let xi = &x.value()[i * c.stride + j * c.dilation];
            let wj = &w.value()[j];
            terms.push(format!("{}·{}", wrap(f.compact(xi)), wrap(f.compact(wj))));
        }
        let mut s = terms.join(" + ");
        if let Some(b) = b.and_then(|b| b.item().ok()) {
            s = format!("{s} + {}", wrap(f.compact(&b)));
        }
        lines.push(format!("f[{i}] = {s} = {}", f.full(&y.value()[i])));
    }
    if y.len() > 2 {
        lines.push(format!("… likewise for f[2..{}]", y.len() - 1));
    }
    notes.extend(lines);
}

fn wrap(s: String) -> String {
    if s.starts_with('-') || s.contains('/') || s.starts_with('≈') {
        format!("({s})")
    } else {
        s
    }
}

/// rnn: every step as `h(t) = act(W_hh·h(t−1) + W_xh·x(t) + b)`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rnn_notes(
    it: &Interp,
    notes: &mut Vec<String>,
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
    // The weights by the names the exercise gave them.
    let arg_name = |i: usize, default: &str| match args.get(i).map(|e| &e.kind) {
        Some(ExprKind::Name(n)) => n.clone(),
        _ => default.to_string(),
    };
    let (n_hh, n_xh, n_b) = (arg_name(1, "W_hh"), arg_name(2, "W_xh"), arg_name(3, "b_h"));
    let f = it.fmt;
    let n = h.shape()[0];
    // Vectors (also column vectors) flat, matrices nested.
    let v = |t: &Tensor<Num>| {
        let flat = t.shape().iter().filter(|&&d| d > 1).count() <= 1;
        if flat {
            f.tensor_compact(&t.reshape(&[-1]).unwrap_or_else(|_| t.clone()))
        } else {
            f.tensor_compact(t)
        }
    };
    let prev0 = h0
        .cloned()
        .unwrap_or_else(|| Tensor::zeros(&[h.shape()[1]]));
    let (a0, a1) = match act {
        Activation::Identity => ("", ""),
        _ => (act.name(), ""),
    };
    notes.push(format!(
        "h(t) = {a0}{}{n_hh}·h(t−1) + {n_xh}·x(t){}{}{a1}",
        if a0.is_empty() { "" } else { "(" },
        if b.is_some() {
            format!(" + {n_b}")
        } else {
            String::new()
        },
        if a0.is_empty() { "" } else { ")" },
    ));
    for t in 0..n.min(12) {
        let prev = if t == 0 {
            prev0.clone()
        } else {
            h.slice(&[Idx::At(t as i64 - 1)])
                .unwrap_or_else(|_| prev0.clone())
        };
        let (Ok(x), Ok(ht)) = (
            xs.slice(&[Idx::At(t as i64)]),
            h.slice(&[Idx::At(t as i64)]),
        ) else {
            return;
        };
        let pre = w_hh
            .matmul(&prev.reshape(&[-1]).unwrap_or(prev.clone()))
            .and_then(|a| a.add(&w_xh.matmul(&x.reshape(&[-1])?)?))
            .and_then(|a| match b {
                Some(b) => a.add(&b.reshape(&[-1])?),
                None => Ok(a),
            });
        let Ok(pre) = pre else { return };
        if act == Activation::Relu {
            relu_zero_note(notes, &pre, &format!("h({})", t + 1));
        }
        let bias = b.map(|b| format!(" + {}", v(b))).unwrap_or_default();
        let body = format!("{}·{} + {}·{}{bias}", v(w_hh), v(&prev), v(w_xh), v(&x));
        let line = if act == Activation::Identity {
            format!("h({}) = {body} = {}", t + 1, v(&ht))
        } else {
            format!(
                "h({}) = {}({body}) = {}({}) = {}",
                t + 1,
                act.name(),
                act.name(),
                v(&pre),
                v(&ht)
            )
        };
        notes.push(line);
    }
    if n > 12 {
        notes.push(format!("… {} more steps", n - 12));
    }
}

/// relu at exactly 0: the value is 0 either way, but the gradient convention
/// decides; say which one is used.
pub(crate) fn relu_zero_note(notes: &mut Vec<String>, x: &Tensor<Num>, what: &str) {
    let zeros: Vec<usize> = x
        .value()
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_zero())
        .map(|(i, _)| i)
        .collect();
    if !zeros.is_empty() {
        notes.push(format!(
            "{what} input exactly 0 at flat index {zeros:?}: relu′(0) = 0 is used (PyTorch's convention)"
        ));
    }
}

/// σ written out for a few numbers: σ(-1.5) = 1/(1 + e^1.5) ≈ 0.1824.
pub(crate) fn sigmoid_note(notes: &mut Vec<String>, x: &Tensor<Num>, f: &super::value::Fmt) {
    if x.len() > 4 {
        return;
    }
    for v in x.value().iter() {
        let Ok(y) = v.sigmoid() else { return };
        let e = f.compact(&v.neg());
        let e = if e.starts_with('-') || e.contains('/') {
            format!("({e})")
        } else {
            e
        };
        notes.push(
            format!("σ({}) = 1/(1 + e^{e}) = {}", f.compact(v), f.full(&y)).replace("= ≈", "≈"),
        );
    }
}

/// argmax/argmin: say when the extreme value occurs more than once.
pub(crate) fn note_ties(
    it: &Interp,
    notes: &mut Vec<String>,
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
        notes.push(format!(
            "tie: the {} {} occurs at flat indices {:?}; the first is taken",
            if max { "maximum" } else { "minimum" },
            it.fmt.compact(&mv),
            hits
        ));
    }
}

pub(crate) fn centroid_notes(
    it: &Interp,
    notes: &mut Vec<String>,
    r: &NearestCentroid<Num>,
    m: Metric,
) {
    let f = it.fmt;
    for (i, c) in r.classes.iter().enumerate() {
        let (Ok(row), d) = (
            r.centroids.slice(&[Idx::At(i as i64)]),
            &r.distances.value()[i],
        ) else {
            continue;
        };
        notes.push(format!(
            "class {}: centroid {}, d_{}(z, centroid) = {}",
            f.compact(c),
            f.tensor(&row),
            m.name(),
            f.full(d)
        ));
    }
    notes.push(format!(
        "nearest: class {}",
        f.compact(&r.classes[r.winner])
    ));
    if !r.tied.is_empty() {
        let t: Vec<String> = r.tied.iter().map(|&i| f.compact(&r.classes[i])).collect();
        notes.push(format!(
            "tie: class {} is exactly as near as class(es) {}; the lowest class is taken",
            f.compact(&r.classes[r.winner]),
            t.join(", ")
        ));
    }
}

pub(crate) fn retrieval_notes(it: &Interp, notes: &mut Vec<String>, r: &Retrieval<Num>, m: Metric) {
    let f = it.fmt;
    for (rank, (i, d)) in r.indices.iter().zip(&r.distances).enumerate() {
        notes.push(format!(
            "{}. row {} (index {i}): d_{} = {}",
            rank + 1,
            i + 1,
            m.name(),
            f.full(d)
        ));
    }
    let rows: Vec<String> = r.indices.iter().map(|i| (i + 1).to_string()).collect();
    notes.push(format!("retrieved rows (1-based): {}", rows.join(", ")));
    if r.tied_out.is_empty() {
        notes.push("no tie at the last place".into());
    } else {
        let left: Vec<String> = r.tied_out.iter().map(|i| (i + 1).to_string()).collect();
        notes.push(format!(
            "tie: row(s) {} have the same distance as the last retrieved and were left out (ties go to the lower row)",
            left.join(", ")
        ));
    }
}

pub(crate) fn ranking_notes(
    it: &Interp,
    notes: &mut Vec<String>,
    name: &str,
    idx: &[usize],
    labels: &Tensor<Num>,
    cls: &Num,
) {
    if !full(it) || name != "precision" && name != "recall" {
        return;
    }
    let rel: Vec<String> = idx
        .iter()
        .filter(|&&i| {
            labels
                .value()
                .get(i)
                .is_some_and(|l| l.eq_num(cls).unwrap_or(false))
        })
        .map(|i| (i + 1).to_string())
        .collect();
    let total = labels
        .value()
        .iter()
        .filter(|l| l.eq_num(cls).unwrap_or(false))
        .count();
    let what = if name == "precision" {
        format!("{} relevant of {} retrieved", rel.len(), idx.len())
    } else {
        format!("{} of the {} relevant retrieved", rel.len(), total)
    };
    notes.push(format!(
        "relevant rows retrieved (1-based): {} — {what}",
        if rel.is_empty() {
            "none".into()
        } else {
            rel.join(", ")
        }
    ));
}
