//! Renderers of a [`Solution`]: worked-solution text and the stable JSON
//! schema documented in docs/language.md.

use serde_json::{json, Value as Json};

use super::interp::{Answer, Detail, Solution, Step, StepKind};
use super::value::Value;
use super::{line_col, LangError};
use crate::{Num, Tensor};

/// ANSI styling, only when writing to a terminal.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn answer(&self, s: &str) -> String {
        self.paint("1;32", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn bad(&self, s: &str) -> String {
        self.paint("1;31", s)
    }
}

fn step_text(s: &Step, detail: Detail, st: Style, out: &mut String) {
    let head = match (&s.kind, &s.target) {
        (StepKind::Check, _) => format!("check {}", s.source),
        (StepKind::Def, _) => match &s.result {
            Some(formula) => {
                out.push_str(&format!("{}\n", st.dim(&format!("def {formula}"))));
                return;
            }
            None => s.source.to_string(),
        },
        (_, Some(t)) => format!("{t} = {}", s.source),
        (_, None) => s.source.clone(),
    };
    let pad = match &s.target {
        Some(t) if s.kind != StepKind::Check => " ".repeat(t.chars().count() + 1),
        _ => "  ".to_string(),
    };
    let mark = |line: String| {
        if s.answer {
            format!("{}   ◀ answer", st.answer(&line))
        } else {
            line
        }
    };
    let result_line = |r: &str| -> String {
        match s.kind {
            StepKind::Check if s.ok => format!("✓ {r}"),
            StepKind::Check => st.bad(&format!("✗ {r}")),
            _ => r.to_string(),
        }
    };
    if detail == Detail::Brief {
        let line = match (&s.result, &s.target, s.kind) {
            (Some(r), Some(t), k) if k != StepKind::Check => format!("{t} = {r}"),
            (Some(r), _, StepKind::Check) => format!("{head}: {}", result_line(r)),
            (Some(r), None, _) => format!("{} = {r}", s.source),
            _ => head.clone(),
        };
        out.push_str(&mark(line));
        out.push('\n');
        return;
    }
    out.push_str(&st.bold(&head));
    out.push('\n');
    if let Some(sub) = &s.substituted {
        for l in sub.lines() {
            let l = l.strip_prefix("= ").unwrap_or(l);
            out.push_str(&format!("{pad}= {l}\n"));
        }
    }
    for n in &s.notes {
        out.push_str(&format!("{pad}  {}\n", st.dim(n)));
    }
    if let Some(r) = &s.result {
        let line = match s.kind {
            StepKind::Check => format!("{pad}{}", result_line(r)),
            // "≈ 0.1824" already says how the value relates.
            _ if r.starts_with('≈') => format!("{pad}{r}"),
            _ => format!("{pad}= {r}"),
        };
        out.push_str(&mark(line));
        out.push('\n');
    }
}

/// The worked solution of one file as text.
pub fn text(file: &str, src: &str, sol: &Solution, detail: Detail, st: Style) -> String {
    let mut out = String::new();
    let title = if sol.title.is_empty() {
        String::new()
    } else {
        format!(" — {}", sol.title)
    };
    out.push_str(&st.bold(&format!("━━ {file}{title}")));
    out.push('\n');
    for s in &sol.steps {
        step_text(s, detail, st, &mut out);
        if detail == Detail::Full {
            out.push('\n');
        }
    }
    if sol.elided_steps > 0 {
        out.push_str(&format!("… {} more steps not shown\n", sol.elided_steps));
    }
    if !sol.answers.is_empty() && detail == Detail::Full {
        out.push_str(&st.bold("answers"));
        out.push('\n');
        for a in &sol.answers {
            out.push_str(&format!("  {} = {}\n", a.name, st.answer(&a.text)));
        }
    }
    for e in &sol.errors {
        out.push('\n');
        out.push_str(&e.render(file, src, st.color));
    }
    out
}

fn nested_json(t: &Tensor<Num>, f: &dyn Fn(&Num) -> Json) -> Json {
    fn rec(v: ndarray::ArrayViewD<Num>, f: &dyn Fn(&Num) -> Json) -> Json {
        if v.ndim() == 0 {
            return f(v.iter().next().expect("one element"));
        }
        Json::Array(v.axis_iter(ndarray::Axis(0)).map(|s| rec(s, f)).collect())
    }
    rec(t.value().view(), f)
}

fn answer_json(a: &Answer) -> Json {
    let tensor = match &a.value {
        Value::T(t) => Some(t.clone()),
        Value::Bool(b) => Some(Tensor::scalar(Num::int(*b as i64))),
        _ => None,
    };
    match tensor {
        Some(t) => {
            let exact = if t.value().iter().all(Num::is_exact) {
                nested_json(&t, &|n| json!(n.fraction_string().expect("exact")))
            } else {
                Json::Null
            };
            json!({
                "name": a.name,
                "expr": a.expr,
                "shape": t.shape(),
                "exact": exact,
                "value": nested_json(&t, &|n| json!(n.to_f64())),
                "text": a.text,
            })
        }
        None => json!({
            "name": a.name, "expr": a.expr, "shape": [], "exact": null, "value": null, "text": a.text,
        }),
    }
}

fn error_json(file: &str, src: &str, e: &LangError) -> Json {
    let (l, c) = line_col(src, e.span.start);
    let (el, ec) = line_col(src, e.span.end);
    json!({
        "kind": e.kind.title(),
        "message": e.message,
        "hint": e.hint,
        "line": l, "col": c, "end_line": el, "end_col": ec,
        "rendered": e.render(file, src, false),
    })
}

/// The JSON object of one file.
pub fn json(file: &str, src: &str, sol: &Solution) -> Json {
    let steps: Vec<Json> = sol
        .steps
        .iter()
        .map(|s| {
            json!({
                "line": s.line,
                "kind": format!("{:?}", s.kind).to_lowercase(),
                "target": s.target,
                "source": s.source,
                "substituted": s.substituted,
                "result": s.result,
                "notes": s.notes,
                "answer": s.answer,
                "ok": s.ok,
            })
        })
        .collect();
    json!({
        "file": file,
        "title": sol.title,
        "ok": sol.ok(),
        "answers": sol.answers.iter().map(answer_json).collect::<Vec<_>>(),
        "steps": steps,
        "errors": sol.errors.iter().map(|e| error_json(file, src, e)).collect::<Vec<_>>(),
    })
}
