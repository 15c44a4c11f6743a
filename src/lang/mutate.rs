//! The known mistakes of a key as changed programs: each [`Mutation`] is
//! the key's source with one mistake made in it (a bias left out, a weight
//! transposed, a sum for a mean or the reverse, softmax over the other
//! axis, the other convention of counting an LSTM's biases). Grading runs
//! each changed key and names the mistake when it gives exactly a
//! student's wrong value.
//!
//! The changes are edits of the source text at spans of the parsed key, so
//! a changed key is an ordinary exercise that runs (or fails) as any other.

use std::cell::RefCell;

use super::lexer::lex;
use super::parser::{Expr, ExprKind, Parser, Stmt, StmtKind, Target};
use super::Span;

/// Most mutations tried for one key: each is a run of the key.
pub const MAX_MUTATIONS: usize = 24;

/// One mistake made in the key.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutation {
    /// What the mistake is, as feedback names it.
    pub name: String,
    /// The key's source with the mistake made.
    pub source: String,
}

/// A bias by its name: `b`, `b_h`, `b1`, `bias`, `bias_out`.
fn bias_name(n: &str) -> bool {
    n == "b"
        || n.starts_with("b_")
        || n.starts_with("bias")
        || (n.len() > 1 && n.starts_with('b') && n[1..].chars().all(|c| c.is_ascii_digit()))
}

/// A weight matrix by its name: `W`, `W_hh`, `W1`.
fn weight_name(n: &str) -> bool {
    n.starts_with('W')
}

/// `e` and every expression inside it.
fn visit(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    let inner = RefCell::new(Vec::new());
    super::explain::map_children(e, &|c| {
        inner.borrow_mut().push(c.clone());
        c.clone()
    });
    for c in inner.into_inner() {
        visit(&c, f);
    }
}

/// Every expression of the statements (in functions and blocks too), and
/// each top-level single-name assignment.
fn walk(stmts: &[Stmt], top: bool, exprs: &mut Vec<Expr>, assigns: &mut Vec<(String, Span)>) {
    for s in stmts {
        let mut own: Vec<&Expr> = Vec::new();
        match &s.kind {
            StmtKind::Assign(targets, e) => {
                if let (true, [Target::Name(n, _)]) = (top, targets.as_slice()) {
                    assigns.push((n.clone(), e.span));
                }
                own.push(e);
            }
            StmtKind::Show(Some((n, _)), e) => {
                if top {
                    assigns.push((n.clone(), e.span));
                }
                own.push(e);
            }
            StmtKind::AugAssign(_, _, e)
            | StmtKind::Expr(e)
            | StmtKind::Show(_, e)
            | StmtKind::Require(e)
            | StmtKind::Return(Some(e)) => own.push(e),
            StmtKind::Check(c, _) => own.push(c),
            StmtKind::Def(_, _, body) => walk(body, false, exprs, assigns),
            StmtKind::If(arms, other) => {
                for (c, body) in arms {
                    own.push(c);
                    walk(body, false, exprs, assigns);
                }
                if let Some(b) = other {
                    walk(b, false, exprs, assigns);
                }
            }
            StmtKind::For(_, it, body) => {
                own.push(it);
                walk(body, false, exprs, assigns);
            }
            StmtKind::While(c, body) => {
                own.push(c);
                walk(body, false, exprs, assigns);
            }
            StmtKind::Find(vars, c) => {
                own.extend(vars.iter().map(|(_, _, d)| d));
                own.push(c);
            }
            _ => {}
        }
        for e in own {
            visit(e, &mut |x| exprs.push(x.clone()));
        }
    }
}

/// Every expression of `src` and its top-level names with the spans of
/// their values; nothing when it does not parse.
fn parsed(src: &str) -> (Vec<Expr>, Vec<(String, Span)>) {
    let mut exprs = Vec::new();
    let mut assigns = Vec::new();
    if let Ok(stmts) = lex(src).and_then(|t| Parser::new(t).program()) {
        walk(&stmts, true, &mut exprs, &mut assigns);
    }
    (exprs, assigns)
}

/// `src` with the text at `span` replaced.
fn edit(src: &str, span: Span, with: &str) -> Option<String> {
    src.get(span.start..span.end)?;
    Some(format!("{}{with}{}", &src[..span.start], &src[span.end..]))
}

/// The name a call is made by: `mean` for `mean(x)`, `np.mean(x)` and
/// `x.mean()`, with the span of that last word.
fn callee(f: &Expr) -> Option<(&str, Span)> {
    match &f.kind {
        ExprKind::Name(n) => Some((n, f.span)),
        ExprKind::Attr(_, n) => Some((n, Span::new(f.span.end.checked_sub(n.len())?, f.span.end))),
        _ => None,
    }
}

/// The known mistakes that can be made in `src`, each as a changed source
/// (at most [`MAX_MUTATIONS`]). None when the key does not parse.
pub fn mutations(src: &str) -> Vec<Mutation> {
    let (exprs, assigns) = parsed(src);
    let mut out: Vec<Mutation> = Vec::new();
    let mut push = |name: String, source: Option<String>| {
        if let Some(source) = source {
            if out.len() < MAX_MUTATIONS && !out.iter().any(|m| m.source == source) {
                out.push(Mutation { name, source });
            }
        }
    };
    for (n, span) in &assigns {
        let Some(rhs) = src.get(span.start..span.end) else {
            continue;
        };
        if bias_name(n) {
            push(
                format!("the bias {n} is left out"),
                edit(src, *span, &format!("0 * np.array({rhs})")),
            );
        } else if weight_name(n) {
            push(
                format!("the weight {n} is transposed"),
                edit(src, *span, &format!("np.array({rhs}).T")),
            );
        }
    }
    for e in &exprs {
        let ExprKind::Call(f, args, kw) = &e.kind else {
            continue;
        };
        let Some((name, at)) = callee(f) else {
            continue;
        };
        let qualified = matches!(f.kind, ExprKind::Attr(..));
        match name {
            "mean" => push(
                "a sum is taken where the mean is meant".into(),
                edit(src, at, if qualified { "sum" } else { "np.sum" }),
            ),
            "sum" if !args.is_empty() => push(
                "a mean is taken where the sum is meant".into(),
                edit(src, at, if qualified { "mean" } else { "np.mean" }),
            ),
            n if n.ends_with("softmax") => {
                if let Some(k) = kw.iter().find(|k| k.name == "axis") {
                    let axis = src.get(k.value.span.start..k.value.span.end).unwrap_or("");
                    let other = match axis.trim() {
                        "1" | "-1" => "0",
                        "0" => "1",
                        _ => continue,
                    };
                    push(
                        format!(
                            "softmax is taken over the wrong axis (axis={other} for axis={axis})"
                        ),
                        edit(src, k.value.span, other),
                    );
                }
            }
            "params" => match kw.iter().find(|k| k.name == "convention") {
                Some(k) => {
                    let value = src.get(k.value.span.start..k.value.span.end).unwrap_or("");
                    if value.contains("pytorch") {
                        push(
                            "the textbook's count is used: one bias per gate where PyTorch's two are meant".into(),
                            edit(src, k.value.span, "\"textbook\""),
                        );
                    }
                }
                None if !args.is_empty() => {
                    let end = e.span.end.saturating_sub(1);
                    push(
                        "PyTorch's count is used: two biases per gate where the textbook's one is meant".into(),
                        edit(src, Span::new(end, end), ", convention=\"pytorch\""),
                    );
                }
                None => {}
            },
            _ => {}
        }
    }
    out
}

/// The names the key binds at the top level (`emb = E[:, :2]`), in order,
/// each once: the intermediate values a student may give.
pub fn assigned_names(src: &str) -> Vec<String> {
    let (_, assigns) = parsed(src);
    let mut out: Vec<String> = Vec::new();
    for (n, _) in assigns {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}
