//! Renderers of a [`Solution`]: worked-solution text and the stable JSON
//! schema documented in docs/language.md.

use serde_json::{json, Value as Json};

use super::interp::{Answer, Detail, Solution, Step, StepKind};
use super::value::{Fmt, Value};
use super::{line_col, LangError};
use crate::explain::math::{latex_name, Latex, Math, Text};
use crate::explain::Note;
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

/// Longest note line before a chain is broken one member a line.
const WRAP_AT: usize = 90;

fn note_text(n: &Note, fmt: &Fmt) -> Vec<String> {
    let t = Text::new(fmt);
    match n {
        Note::Chain { label, members } => {
            let refs: Vec<&Math> = members.iter().collect();
            let body = t.chain(&refs);
            let one = match label {
                Some(l) => format!("{l} {body}"),
                None => body,
            };
            if one.chars().count() <= WRAP_AT || members.len() < 3 {
                return vec![one];
            }
            // A long chain: one member a line, aligned under the first `=`.
            let head = match label {
                Some(l) => format!("{l} {}", t.member(&members[0])),
                None => t.member(&members[0]),
            };
            let pad = " ".repeat(head.chars().count() + 1);
            let mut lines: Vec<String> = Vec::new();
            let mut prev = String::new();
            for (k, m) in members.iter().enumerate().skip(1) {
                let s = t.member(m);
                if s == prev {
                    continue;
                }
                let rel = if s.starts_with('≈') {
                    s.clone()
                } else {
                    format!("= {s}")
                };
                lines.push(if k == 1 {
                    format!("{head} {rel}")
                } else {
                    format!("{pad}{rel}")
                });
                prev = s;
            }
            lines
        }
        Note::Prose(p) => vec![p.clone()],
        Note::Code(c) => c.lines().map(|l| format!("    {l}")).collect(),
        Note::Equations(e) => {
            let mut out: Vec<String> = e
                .lines
                .iter()
                .map(|(l, r)| format!("{} = {}", t.inline(l), t.inline(r)))
                .collect();
            if let (Some(last), Some(range)) = (out.last_mut(), &e.range) {
                last.push_str(&format!(",  {range}"));
            }
            out.extend(e.shapes_text());
            out
        }
        // A picture has no text form; the document renderers draw it.
        Note::Figure(_) => Vec::new(),
        Note::Table { head, rows } => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| r.iter().map(|m| t.member(m)).collect())
                .collect();
            let mut width: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
            for r in &cells {
                for (k, c) in r.iter().enumerate() {
                    if k < width.len() {
                        width[k] = width[k].max(c.chars().count());
                    }
                }
            }
            let line = |r: &[String]| {
                r.iter()
                    .enumerate()
                    .map(|(k, c)| {
                        let w = width.get(k).copied().unwrap_or(0);
                        format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count())))
                    })
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
            };
            let mut out = vec![line(head)];
            out.extend(cells.iter().map(|r| line(r)));
            out
        }
    }
}

fn step_text(s: &Step, detail: Detail, fmt: &Fmt, st: Style, out: &mut String) {
    let t = Text::new(fmt);
    match s.kind {
        StepKind::Part => {
            out.push_str(&st.bold(&format!("── {} ──", s.source)));
            out.push('\n');
            return;
        }
        StepKind::Prose | StepKind::Explanation => {
            out.push_str(&s.source);
            out.push('\n');
            return;
        }
        StepKind::Def => {
            let line = match s.chain.as_slice() {
                [head, body] => format!("def {} = {}", t.inline(head), t.inline(body)),
                _ => format!("{}:", s.source),
            };
            out.push_str(&st.dim(&line));
            out.push('\n');
            if detail == Detail::Full {
                for n in &s.notes {
                    // The body's equations sit under the code, indented as it is.
                    let indent = if matches!(n, Note::Equations(_)) {
                        out.push_str(&st.dim("  as equations:"));
                        out.push('\n');
                        "    "
                    } else {
                        ""
                    };
                    for l in note_text(n, fmt) {
                        out.push_str(&st.dim(&format!("{indent}{l}")));
                        out.push('\n');
                    }
                }
            }
            return;
        }
        _ => {}
    }
    let written = s
        .chain
        .first()
        .map_or_else(|| s.source.clone(), |m| t.inline(m));
    let head = match (&s.kind, &s.target) {
        (StepKind::Check, _) => format!("check {written}"),
        (_, Some(tg)) => format!("{tg} = {written}"),
        (_, None) => written.clone(),
    };
    let pad = match &s.target {
        Some(tg) if s.kind != StepKind::Check => " ".repeat(tg.chars().count() + 1),
        _ => "  ".to_string(),
    };
    let mark = |line: String| {
        if s.answer {
            format!("{}   ◀ answer", st.answer(&line))
        } else {
            line
        }
    };
    let verdict = || {
        if s.ok {
            "✓ holds".to_string()
        } else {
            st.bad("✗ FAILS")
        }
    };
    let result = s.result.as_ref().map(|r| t.member(r));
    if detail == Detail::Brief {
        let result = s.result.as_ref().map(|r| Text::brief(fmt).member(r));
        let line = match (&result, s.kind) {
            (_, StepKind::Check) => format!("{head}: {}", verdict()),
            (_, StepKind::Find) => match &s.search {
                Some(f) if s.ok => format!(
                    "{head}: {}",
                    f.bound
                        .iter()
                        .map(|(n, t)| format!("{n} = {}", fmt.tensor(t)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => format!("{head}: {}", st.bad("✗ no design in this grid")),
            },
            (Some(r), _) if *r != written => {
                format!("{} = {r}", s.target.as_deref().unwrap_or(&written)).replace("= ≈", "≈")
            }
            _ => head.clone(),
        };
        out.push_str(&mark(line));
        out.push('\n');
        return;
    }
    // `show s` of a name: one line.
    if let (None, [Math::Sym(..)], Some(r), true) =
        (&s.target, s.chain.as_slice(), &result, !s.has_text_notes())
    {
        out.push_str(&mark(format!("{written} = {r}").replace("= ≈", "≈")));
        out.push('\n');
        return;
    }
    let mut last = written.clone();
    let mut lines = vec![st.bold(&head)];
    for m in s.chain.iter().skip(1) {
        last = t.inline(m);
        lines.push(format!("{pad}= {last}"));
    }
    for n in &s.notes {
        for l in note_text(n, fmt) {
            lines.push(format!("{pad}  {}", st.dim(&l)));
        }
    }
    match (s.kind, &result) {
        (StepKind::Check, _) => lines.push(format!("{pad}{}", verdict())),
        (StepKind::Find, _) => lines.push(format!(
            "{pad}{}",
            if s.ok {
                "✓ found".to_string()
            } else {
                st.bad("✗ no design in this grid")
            }
        )),
        (_, Some(r)) if *r != last || s.has_text_notes() || s.answer && lines.len() == 1 => {
            // "≈ 0.1824" already says how the value relates.
            let l = if r.starts_with('≈') {
                format!("{pad}{r}")
            } else {
                format!("{pad}= {r}")
            };
            lines.push(l);
        }
        _ => {}
    }
    // The answer mark goes on the line that shows the value.
    let n = lines.len();
    for (k, l) in lines.into_iter().enumerate() {
        if k + 1 == n {
            out.push_str(&mark(l));
        } else {
            out.push_str(&l);
        }
        out.push('\n');
    }
}

/// The worked solution of one file as text.
pub fn text(file: &str, sol: &Solution, detail: Detail, digits: usize, st: Style) -> String {
    let mut out = String::new();
    let title = if sol.title.is_empty() {
        String::new()
    } else {
        format!(" — {}", sol.title)
    };
    out.push_str(&st.bold(&format!("━━ {file}{title}")));
    out.push('\n');
    let fmt = Fmt { digits };
    for s in &sol.steps {
        step_text(s, detail, &fmt, st, &mut out);
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
    out
}

/// The diagnostics of one file, each once, for standard error.
pub fn errors(file: &str, src: &str, sol: &Solution, st: Style) -> String {
    let mut out = String::new();
    for e in sol.errors.iter().take(ERRORS_SHOWN) {
        out.push_str(&e.render(file, src, st.color));
    }
    // 10,000 failing checks would each be drawn with their source line.
    if let Some(more) = sol
        .errors
        .len()
        .checked_sub(ERRORS_SHOWN)
        .filter(|&n| n > 0)
    {
        out.push_str(&format!(
            "gradwork: {file}: {more} more errors not shown (the first {ERRORS_SHOWN} are above)\n"
        ));
    }
    out
}

/// How many diagnostics of one file are drawn in full.
pub const ERRORS_SHOWN: usize = 50;

/// Nested JSON arrays of `f` of each element; `None` when `f` has no value
/// for one of them.
fn nested_json(t: &Tensor<Num>, f: &dyn Fn(&Num) -> Option<Json>) -> Option<Json> {
    fn rec(v: ndarray::ArrayViewD<Num>, f: &dyn Fn(&Num) -> Option<Json>) -> Option<Json> {
        if v.ndim() == 0 {
            return v.first().and_then(f);
        }
        v.axis_iter(ndarray::Axis(0))
            .map(|s| rec(s, f))
            .collect::<Option<Vec<_>>>()
            .map(Json::Array)
    }
    rec(t.value().view(), f)
}

fn answer_json(a: &Answer, fmt: &Fmt) -> Json {
    let mut j = answer_value_json(a, fmt);
    if let (Some(v), Some(obj)) = (&a.verification, j.as_object_mut()) {
        // Counts as strings when they pass 2⁵³ (JSON numbers are doubles).
        let count = |n: u128| match u64::try_from(n) {
            Ok(n) if n < 1 << 53 => json!(n),
            _ => json!(n.to_string()),
        };
        obj.insert("verified".into(), json!(v.verified));
        obj.insert("checked".into(), count(v.checked));
        obj.insert("failed".into(), count(v.failed));
        obj.insert("boundary".into(), count(v.boundary));
        obj.insert(
            "counterexample".into(),
            match &v.counterexample {
                None => Json::Null,
                Some(c) => json!({
                    "input": nested_json(&c.input, &|n| n.fraction_string().map(Json::from)),
                    "text": c.text,
                    "sides": c.sides.iter().map(|(e, t)| json!({"expr": e, "text": t})).collect::<Vec<_>>(),
                }),
            },
        );
    }
    j
}

/// A value's elements as nested JSON, by `f`: tensors (booleans as 0 and
/// 1), and lists, tuples and ranges of them; `None` for anything else or
/// when `f` has nothing for an element.
fn value_json(v: &Value, f: &dyn Fn(&Num) -> Option<Json>) -> Option<Json> {
    match v {
        Value::T(t) => nested_json(t, f),
        Value::Bool(b) => f(&Num::int(*b as i64)),
        Value::List(items) | Value::Tuple(items) => items
            .iter()
            .map(|x| value_json(x, f))
            .collect::<Option<Vec<_>>>()
            .map(Json::Array),
        // range(start, stop, step): Python's numbers, up to 2¹⁶ of them.
        Value::Range(start, stop, step) if *step != 0 => {
            let (a, b, c) = (*start as i128, *stop as i128, *step as i128);
            let n = if c > 0 {
                (b - a + c - 1).max(0) / c
            } else {
                (a - b - c - 1).max(0) / -c
            };
            (n <= 1 << 16).then(|| {
                Json::Array(
                    (0..n)
                        .filter_map(|k| i64::try_from(a + k * c).ok())
                        .filter_map(|x| f(&Num::int(x)))
                        .collect(),
                )
            })
        }
        _ => None,
    }
}

fn answer_value_json(a: &Answer, fmt: &Fmt) -> Json {
    // Guaranteed bounds of every element (equal for an exact one that is a
    // float; around it otherwise).
    let lo = value_json(&a.value, &|n| n.interval().ok().map(|(l, _)| json!(l)));
    let hi = value_json(&a.value, &|n| n.interval().ok().map(|(_, h)| json!(h)));
    let approximate = {
        let any = std::cell::Cell::new(false);
        value_json(&a.value, &|n| {
            any.set(any.get() || !n.is_exact());
            Some(Json::Null)
        });
        any.get()
    };
    let common = |shape: Json, latex: Json| {
        json!({
            "id": a.id,
            "name": a.name,
            "expr": a.expr,
            "part": a.part,
            "shape": shape,
            // Fractions when every element is exact.
            "exact": value_json(&a.value, &|n| n.fraction_string().map(Json::from)),
            "value": value_json(&a.value, &|n| Some(json!(n.to_f64()))),
            "approximate": approximate,
            "lo": lo,
            "hi": hi,
            "text": a.text,
            "latex": latex,
        })
    };
    match &a.value {
        Value::T(t) => common(
            json!(t.shape()),
            json!(Latex::new(fmt).chain(&[&Math::val(t)])),
        ),
        Value::Bool(b) => common(
            json!([]),
            json!(Latex::new(fmt).chain(&[&Math::int(*b as i64)])),
        ),
        _ => common(json!(null), Json::Null),
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

fn math_json(m: &Math, fmt: &Fmt) -> Json {
    json!({
        "text": Text::new(fmt).member(m),
        "latex": Latex::new(fmt).chain(&[m]),
    })
}

fn note_json(n: &Note, fmt: &Fmt) -> Json {
    let text = note_text(n, fmt).join("\n");
    match n {
        Note::Chain { label, members } => {
            let refs: Vec<&Math> = members.iter().collect();
            json!({
                "kind": "chain",
                "label": label,
                "text": text,
                "latex": Latex::new(fmt).chain(&refs),
                "members": members.iter().map(|m| math_json(m, fmt)).collect::<Vec<_>>(),
            })
        }
        Note::Prose(p) => json!({ "kind": "prose", "text": p }),
        Note::Code(c) => json!({ "kind": "code", "text": c }),
        Note::Equations(e) => json!({
            "kind": "equations",
            "text": text,
            "latex": e.lines.iter().map(|(l, r)| format!("{} = {}", Latex::new(fmt).inline(l), Latex::new(fmt).inline(r))).collect::<Vec<_>>(),
            "range": e.range,
            "shapes": e.shapes.iter().map(|(n, sym, d)| json!({"name": n, "symbols": sym, "shape": d})).collect::<Vec<_>>(),
        }),
        Note::Figure(f) => json!({ "kind": "figure", "title": f.title() }),
        Note::Table { head, rows } => json!({
            "kind": "table",
            "text": text,
            "head": head,
            "rows": rows
                .iter()
                .map(|r| r.iter().map(|m| math_json(m, fmt)).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
        }),
    }
}

/// The JSON object of one file.
pub fn json(file: &str, src: &str, sol: &Solution, digits: usize) -> Json {
    let fmt = Fmt { digits };
    let steps: Vec<Json> = sol
        .steps
        .iter()
        .map(|s| {
            let chain: Vec<&Math> = s.chain.iter().chain(s.result.iter()).collect();
            let t = Text::new(&fmt);
            let working: Vec<&Math> = s.chain.iter().skip(1).collect();
            let mut j = json!({
                "line": s.line,
                "kind": format!("{:?}", s.kind).to_lowercase(),
                "part": s.part,
                "target": s.target,
                "source": s.source,
                "substituted": working.last().map(|m| t.inline(m)),
                "result": s.result.as_ref().map(|m| t.member(m)),
                "notes": s.notes.iter().filter(|n| !matches!(n, Note::Figure(_))).map(|n| note_text(n, &fmt).join("\n")).collect::<Vec<_>>(),
                "answer": s.answer,
                "ok": s.ok,
                "formula": s.chain.first().map(|m| math_json(m, &fmt)),
                "working": working.iter().map(|m| math_json(m, &fmt)).collect::<Vec<_>>(),
                "result_latex": s.result.as_ref().map(|m| Latex::new(&fmt).chain(&[m])),
                "latex": match &s.target {
                    Some(tg) if s.kind != StepKind::Check => {
                        let names: Vec<String> = tg.split(" = ").map(latex_name).collect();
                        format!("{} = {}", names.join(" = "), Latex::new(&fmt).chain(&chain))
                    }
                    _ => Latex::new(&fmt).chain(&chain),
                },
                "notes_detail": s.notes.iter().map(|n| note_json(n, &fmt)).collect::<Vec<_>>(),
            });
            if let (Some(f), Some(obj)) = (&s.search, j.as_object_mut()) {
                // Both are at most MAX_CANDIDATES.
                obj.insert("tried".into(), json!(u64::try_from(f.tried).ok()));
                obj.insert("solutions".into(), json!(u64::try_from(f.solutions).ok()));
                obj.insert(
                    "bound".into(),
                    f.bound
                        .iter()
                        .map(|(n, t)| {
                            let v = nested_json(t, &|x| x.fraction_string().map(Json::from));
                            (n.clone(), v.unwrap_or(Json::Null))
                        })
                        .collect::<serde_json::Map<String, Json>>()
                        .into(),
                );
            }
            j
        })
        .collect();
    let model: Vec<Json> = sol
        .model
        .iter()
        .map(|e| {
            let (t, l) = (Text::new(&fmt), Latex::new(&fmt));
            json!({
                "lines": e.lines.iter().map(|(a, b)| json!({
                    "text": format!("{} = {}", t.inline(a), t.inline(b)),
                    "latex": format!("{} = {}", l.inline(a), l.inline(b)),
                })).collect::<Vec<_>>(),
                "range": e.range,
                "shapes": e.shapes.iter().map(|(n, sym, d)| json!({"name": n, "symbols": sym, "shape": d})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "file": file,
        "title": sol.title,
        "ok": sol.ok(),
        "model": model,
        "answers": sol.answers.iter().map(|a| answer_json(a, &fmt)).collect::<Vec<_>>(),
        "steps": steps,
        "errors": sol.errors.iter().map(|e| error_json(file, src, e)).collect::<Vec<_>>(),
    })
}

impl Step {
    /// Whether the step has notes that print as text (a figure does not).
    pub fn has_text_notes(&self) -> bool {
        self.notes.iter().any(|n| !matches!(n, Note::Figure(_)))
    }
    /// The notes of the step as the text renderer prints them.
    pub fn note_texts(&self, digits: usize) -> Vec<String> {
        let fmt = Fmt { digits };
        self.notes.iter().flat_map(|n| note_text(n, &fmt)).collect()
    }
    /// The result as the text renderer prints it.
    pub fn result_text(&self, digits: usize) -> Option<String> {
        let fmt = Fmt { digits };
        self.result.as_ref().map(|r| Text::new(&fmt).member(r))
    }
    /// Every member of the step's chain as text, the result last.
    pub fn chain_texts(&self, digits: usize) -> Vec<String> {
        let fmt = Fmt { digits };
        let t = Text::new(&fmt);
        self.chain
            .iter()
            .map(|m| t.inline(m))
            .chain(self.result.iter().map(|r| t.member(r)))
            .collect()
    }
}
