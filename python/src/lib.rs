//! `gradwork._gradwork`: the compiled half of the `gradwork` Python package.
//!
//! Each function takes plain Python values (strings, numbers, a dict of
//! run settings), runs the engine with the GIL released and under the run
//! budget of `src/budget.rs` (the defaults of `Options::default()` unless
//! the caller sets them), and gives back plain Python data: dicts, lists,
//! tuples, `fractions.Fraction`s. `gradwork/_api.py` turns that data into the
//! classes a user sees (`Solution`, `Approx`, `Grade`, …).
//!
//! Nothing panics across the boundary: every call runs inside
//! `catch_unwind`, and a panic (a bug in gradwork) comes back as
//! `EngineError`, like every other failure a user can cause.

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod notebook;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::Duration;

use gradwork::budget::{self, CountingAlloc, Limits};
use gradwork::lang::grade as marking;
use gradwork::lang::interp::{Detail, STEP_LIMIT};
use gradwork::lang::report::{self, Style};
use gradwork::lang::value::Fmt;
use gradwork::lang::{doc, line_col, variant, LangError, Options, Solution, Value};
use gradwork::Num;
use num_rational::BigRational;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

/// Counts the heap, as the `gradwork` binary does, so that the memory
/// budget of each run holds here too (without it only the engine's size
/// caps would). Only Rust's allocations are counted: Python's own objects
/// are not on this heap.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

pyo3::create_exception!(
    _gradwork,
    EngineError,
    PyException,
    "A call the engine could not complete: args are (message, errors), errors a list of diagnostic dicts."
);

// ---- settings -------------------------------------------------------------------

/// The settings of a call, read from the dict `gradwork/_api.py` passes
/// (every key optional).
fn options(config: Option<&Bound<'_, PyDict>>) -> PyResult<Options> {
    let mut o = Options::default();
    // The memory budget is the heap a run may add to what the process holds
    // already: a notebook keeps earlier results alive, and they are not the
    // next run's to pay for.
    let mut memory = budget::MEMORY;
    if let Some(c) = config {
        if let Some(v) = c.get_item("detail")? {
            o.detail = match v.extract::<String>()?.as_str() {
                "full" => Detail::Full,
                "brief" => Detail::Brief,
                other => {
                    return Err(PyValueError::new_err(format!(
                        "detail is 'full' or 'brief', not {other:?}"
                    )))
                }
            };
        }
        if let Some(v) = c.get_item("digits")? {
            let d: usize = v.extract()?;
            if !(1..=17).contains(&d) {
                return Err(PyValueError::new_err(
                    "digits is a whole number from 1 to 17",
                ));
            }
            o.digits = d;
        }
        if let Some(v) = c.get_item("timeout")? {
            let s: f64 = v.extract()?;
            if s.is_nan() || s < 0.0 {
                return Err(PyValueError::new_err("timeout is a number of seconds ≥ 0"));
            }
            o.limits.timeout = Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX);
        }
        if let Some(v) = c.get_item("max_work")? {
            o.limits.work = v.extract()?;
        }
        if let Some(v) = c.get_item("max_memory")? {
            let mib: u64 = v.extract()?;
            if mib == 0 {
                return Err(PyValueError::new_err("max_memory is a number of MiB ≥ 1"));
            }
            memory = usize::try_from(mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
        }
        if let Some(v) = c.get_item("max_steps")? {
            o.step_limit = v.extract()?;
        }
        if let Some(v) = c.get_item("bulk")? {
            o.bulk = v.extract()?;
        }
    }
    o.limits = Limits {
        memory: budget::allocated().saturating_add(memory),
        ..o.limits
    };
    Ok(o)
}

/// What a call that failed hands back: a message and, when the failure is
/// an exercise's, its diagnostics.
struct Failure {
    message: String,
    errors: Vec<ErrorOut>,
}

impl Failure {
    fn msg(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            errors: Vec::new(),
        }
    }
    fn into_py(self, py: Python<'_>) -> PyErr {
        match errors_py(py, &self.errors) {
            Ok(errors) => EngineError::new_err((self.message, errors.unbind())),
            Err(e) => e,
        }
    }
}

/// Runs `f` with the GIL released; a panic inside becomes a failure.
fn engine<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, Failure> + Send,
) -> Result<T, Failure> {
    py.detach(|| match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            Err(Failure::msg(format!(
                "internal error: gradwork stopped on a bug ({what}); please report it with the exercise"
            )))
        }
    })
}

// ---- values -------------------------------------------------------------------------

/// A value, owned and free of the engine's shared pointers, so that it can
/// leave the thread-free part of a call.
enum Node {
    Exact(BigRational),
    /// An approximate number: its enclosure and how it is shown.
    Approx(f64, f64, String),
    /// ±infinity.
    Float(f64),
    Bool(bool),
    Str(String),
    None,
    Tensor(Vec<usize>, Vec<Node>),
    List(Vec<Node>),
    Tuple(Vec<Node>),
    /// Anything else (a function, a layer): as the worked solution shows it.
    Other(String),
}

/// Deepest nesting of lists converted (deeper ones are shown as text).
const MAX_DEPTH: usize = 32;

fn num_node(n: &Num, digits: usize) -> Node {
    if let Some(r) = n.as_exact() {
        return Node::Exact(r.into_owned());
    }
    if let Some(negative) = n.infinity() {
        return Node::Float(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    match n.interval() {
        Ok((lo, hi)) => Node::Approx(lo, hi, n.display(digits)),
        Err(_) => Node::Other(n.display(digits)),
    }
}

fn value_node(v: &Value, fmt: &Fmt, depth: usize) -> Node {
    match v {
        Value::T(t) if t.ndim() == 0 => match t.value().iter().next() {
            Some(n) => num_node(n, fmt.digits),
            None => Node::Other(fmt.value(v)),
        },
        Value::T(t) => Node::Tensor(
            t.shape().to_vec(),
            t.value().iter().map(|n| num_node(n, fmt.digits)).collect(),
        ),
        Value::Bool(b) => Node::Bool(*b),
        Value::Str(s) => Node::Str(s.to_string()),
        Value::None => Node::None,
        Value::List(_) | Value::Tuple(_) if depth >= MAX_DEPTH => Node::Other("[…]".into()),
        Value::List(items) => Node::List(
            items
                .iter()
                .map(|x| value_node(x, fmt, depth + 1))
                .collect(),
        ),
        Value::Tuple(items) => Node::Tuple(
            items
                .iter()
                .map(|x| value_node(x, fmt, depth + 1))
                .collect(),
        ),
        other => Node::Other(fmt.value(other)),
    }
}

/// Python data of a value: a `Fraction`; `("approx", lo, hi, text)`;
/// a float (±inf); a bool, str or None; `("tensor", shape, items)`;
/// `("list", items)`, `("tuple", items)`; `("other", text)`.
fn node_py<'py>(py: Python<'py>, n: &Node) -> PyResult<Bound<'py, PyAny>> {
    Ok(match n {
        Node::Exact(r) => r.into_pyobject(py)?,
        Node::Approx(lo, hi, text) => ("approx", *lo, *hi, text).into_pyobject(py)?.into_any(),
        Node::Float(x) => x.into_pyobject(py)?.into_any(),
        Node::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Node::Str(s) => s.into_pyobject(py)?.into_any(),
        Node::None => py.None().into_bound(py),
        Node::Tensor(shape, items) => {
            let items = nodes_py(py, items)?;
            ("tensor", PyTuple::new(py, shape)?, items)
                .into_pyobject(py)?
                .into_any()
        }
        Node::List(items) => ("list", nodes_py(py, items)?).into_pyobject(py)?.into_any(),
        Node::Tuple(items) => ("tuple", nodes_py(py, items)?)
            .into_pyobject(py)?
            .into_any(),
        Node::Other(text) => ("other", text).into_pyobject(py)?.into_any(),
    })
}

fn nodes_py<'py>(py: Python<'py>, items: &[Node]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for x in items {
        list.append(node_py(py, x)?)?;
    }
    Ok(list)
}

/// One answer of a solution.
struct AnswerOut {
    id: String,
    name: String,
    expr: String,
    part: Option<String>,
    line: usize,
    text: String,
    value: Node,
}

fn answers_of(sol: &Solution, digits: usize) -> Vec<AnswerOut> {
    let fmt = Fmt { digits };
    sol.answers
        .iter()
        .map(|a| AnswerOut {
            id: a.id.clone(),
            name: a.name.clone(),
            expr: a.expr.clone(),
            part: a.part.clone(),
            line: a.line,
            text: a.text.clone(),
            value: value_node(&a.value, &fmt, 0),
        })
        .collect()
}

fn answers_py<'py>(py: Python<'py>, answers: &[AnswerOut]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for a in answers {
        let d = PyDict::new(py);
        d.set_item("id", &a.id)?;
        d.set_item("name", &a.name)?;
        d.set_item("expr", &a.expr)?;
        d.set_item("part", &a.part)?;
        d.set_item("line", a.line)?;
        d.set_item("text", &a.text)?;
        d.set_item("value", node_py(py, &a.value)?)?;
        list.append(d)?;
    }
    Ok(list)
}

/// One diagnostic, with its place as line and column (1-based, columns
/// in characters).
struct ErrorOut {
    kind: &'static str,
    message: String,
    hint: Option<String>,
    start: (usize, usize),
    end: (usize, usize),
    rendered: String,
}

fn errors_of(name: &str, src: &str, errors: &[LangError]) -> Vec<ErrorOut> {
    errors
        .iter()
        .take(report::ERRORS_SHOWN)
        .map(|e| ErrorOut {
            kind: e.kind.title(),
            message: e.message.clone(),
            hint: e.hint.clone(),
            start: line_col(src, e.span.start),
            end: line_col(src, e.span.end),
            rendered: e.render(name, src, false),
        })
        .collect()
}

fn errors_py<'py>(py: Python<'py>, errors: &[ErrorOut]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for e in errors {
        let d = PyDict::new(py);
        d.set_item("kind", e.kind)?;
        d.set_item("message", &e.message)?;
        d.set_item("hint", &e.hint)?;
        d.set_item("line", e.start.0)?;
        d.set_item("column", e.start.1)?;
        d.set_item("end_line", e.end.0)?;
        d.set_item("end_column", e.end.1)?;
        d.set_item("rendered", &e.rendered)?;
        list.append(d)?;
    }
    Ok(list)
}

// ---- solve --------------------------------------------------------------------------

fn document(
    name: &str,
    sol: &Solution,
    opts: &Options,
    format: doc::Format,
    sheet: Option<doc::Sheet>,
    fragment: bool,
    figure_stem: Option<String>,
) -> doc::Document {
    doc::render(
        &[doc::Exercise { file: name, sol }],
        &doc::Options {
            format,
            detail: opts.detail,
            digits: opts.digits,
            fragment,
            figure_stem,
            sheet,
        },
    )
}

/// A solved exercise, rendered every way a notebook asks for.
struct Solved {
    ok: bool,
    only_checks_failed: bool,
    title: String,
    text: String,
    html: String,
    notebook_html: String,
    markdown: String,
    latex: String,
    json: String,
    diagnostics: String,
    answers: Vec<AnswerOut>,
    errors: Vec<ErrorOut>,
}

/// Solves `source` (named `name` in the output) and renders it: the text
/// report, the self-contained HTML page and the notebook's fragment of it,
/// Markdown with the figures inlined, the LaTeX body, the JSON report.
#[pyfunction]
#[pyo3(signature = (source, name, config=None))]
fn solve<'py>(
    py: Python<'py>,
    source: &str,
    name: &str,
    config: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = options(config)?;
    let s = engine(py, || {
        let sol = gradwork::lang::solve(source, &opts);
        let html = document(name, &sol, &opts, doc::Format::Html, None, false, None).text;
        let diagnostics = report::errors(name, source, &sol, Style { color: false });
        let json = serde_json::to_string(&report::json(name, source, &sol, opts.digits))
            .map_err(|e| Failure::msg(format!("cannot write the JSON report: {e}")))?;
        Ok(Solved {
            ok: sol.ok(),
            only_checks_failed: sol.only_checks_failed(),
            title: sol.title.clone(),
            text: report::text(name, &sol, opts.detail, opts.digits, Style { color: false }),
            notebook_html: notebook::fragment(&html, &diagnostics),
            html,
            markdown: document(name, &sol, &opts, doc::Format::Markdown, None, false, None).text,
            latex: document(name, &sol, &opts, doc::Format::Latex, None, true, None).text,
            json,
            diagnostics,
            answers: answers_of(&sol, opts.digits),
            errors: errors_of(name, source, &sol.errors),
        })
    })
    .map_err(|f| f.into_py(py))?;
    let d = PyDict::new(py);
    d.set_item("ok", s.ok)?;
    d.set_item("only_checks_failed", s.only_checks_failed)?;
    d.set_item("title", s.title)?;
    d.set_item("text", s.text)?;
    d.set_item("html", s.html)?;
    d.set_item("notebook_html", s.notebook_html)?;
    d.set_item("markdown", s.markdown)?;
    d.set_item("latex", s.latex)?;
    d.set_item("json", s.json)?;
    d.set_item("diagnostics", s.diagnostics)?;
    d.set_item("answers", answers_py(py, &s.answers)?)?;
    d.set_item("errors", errors_py(py, &s.errors)?)?;
    Ok(d)
}

/// Solves `source` and writes one document: `format` is html, md, latex,
/// text or json; `sheet` None, "question" or "key"; `fragment` the LaTeX
/// body only; Markdown's figures are files named after `figure_stem`, or
/// inlined without one. Gives the text and the files it links to.
#[pyfunction]
#[pyo3(signature = (source, name, format, sheet=None, fragment=false, figure_stem=None, config=None))]
#[allow(clippy::too_many_arguments)]
fn render(
    py: Python<'_>,
    source: &str,
    name: &str,
    format: &str,
    sheet: Option<&str>,
    fragment: bool,
    figure_stem: Option<String>,
    config: Option<&Bound<'_, PyDict>>,
) -> PyResult<(String, Vec<(String, String)>)> {
    let opts = options(config)?;
    let doc_format = match format {
        "html" => Some(doc::Format::Html),
        "md" | "markdown" => Some(doc::Format::Markdown),
        "latex" | "tex" => Some(doc::Format::Latex),
        "text" | "txt" | "json" => None,
        other => {
            return Err(PyValueError::new_err(format!(
                "format is html, md, latex, text or json, not {other:?}"
            )))
        }
    };
    let sheet = match sheet {
        None => None,
        Some("question") => Some(doc::Sheet::Question),
        Some("key") => Some(doc::Sheet::Key),
        Some(other) => {
            return Err(PyValueError::new_err(format!(
                "sheet is 'question' or 'key', not {other:?}"
            )))
        }
    };
    if sheet.is_some() && doc_format.is_none() {
        return Err(PyValueError::new_err(
            "a sheet is written as html, md or latex",
        ));
    }
    if fragment && doc_format != Some(doc::Format::Latex) {
        return Err(PyValueError::new_err(
            "fragment is for latex (the body of a LaTeX document)",
        ));
    }
    let json = format == "json";
    engine(py, || {
        let sol = gradwork::lang::solve(source, &opts);
        Ok(match doc_format {
            Some(f) => {
                let d = document(name, &sol, &opts, f, sheet, fragment, figure_stem);
                (d.text, d.assets)
            }
            None if json => {
                let j = report::json(name, source, &sol, opts.digits);
                let t = serde_json::to_string_pretty(&[j])
                    .map_err(|e| Failure::msg(format!("cannot write the JSON report: {e}")))?;
                (t + "\n", Vec::new())
            }
            None => (
                report::text(name, &sol, opts.detail, opts.digits, Style { color: false }),
                Vec::new(),
            ),
        })
    })
    .map_err(|f| f.into_py(py))
}

// ---- grade --------------------------------------------------------------------------

/// Marks a submission against the key `key` (named `key_name` in the
/// report), as `gradwork grade` does: `submission` is a JSON object's text,
/// or, when `submission_is_exercise`, the source of the student's own
/// exercise. Gives the JSON report, Gradescope's results and the text
/// report, and the diagnostics of a submitted exercise that has errors.
#[pyfunction]
#[pyo3(signature = (key, key_name, submission, submission_name, submission_is_exercise, tolerance, config=None))]
#[allow(clippy::too_many_arguments)]
fn grade<'py>(
    py: Python<'py>,
    key: &str,
    key_name: &str,
    submission: &str,
    submission_name: &str,
    submission_is_exercise: bool,
    tolerance: f64,
    config: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(PyValueError::new_err("tolerance is a number ≥ 0"));
    }
    let opts = options(config)?;
    let (json, gradescope, text, sub_errors) = engine(py, || {
        let mut sub_errors = Vec::new();
        let sub = if submission_is_exercise {
            let sol = gradwork::lang::solve(submission, &opts);
            sub_errors = errors_of(submission_name, submission, &sol.errors);
            marking::submission_from_solution(&sol)
        } else {
            marking::submission_from_json(submission)
                .map_err(|e| Failure::msg(format!("{submission_name}: {e}")))?
        };
        let report = marking::grade(key, &opts, &sub, tolerance).map_err(|e| {
            // The key's own diagnostics, when it does not solve.
            let key_sol = gradwork::lang::solve(key, &opts);
            Failure {
                message: format!("{key_name}: {e}"),
                errors: errors_of(key_name, key, &key_sol.errors),
            }
        })?;
        let to_text = |j: &serde_json::Value| {
            serde_json::to_string(j).map_err(|e| Failure::msg(format!("cannot write JSON: {e}")))
        };
        Ok((
            to_text(&marking::json(key_name, &report))?,
            to_text(&marking::gradescope(&report))?,
            marking::text(key_name, &report),
            sub_errors,
        ))
    })
    .map_err(|f| f.into_py(py))?;
    let d = PyDict::new(py);
    d.set_item("json", json)?;
    d.set_item("gradescope", gradescope)?;
    d.set_item("text", text)?;
    d.set_item("submission_errors", errors_py(py, &sub_errors)?)?;
    Ok(d)
}

// ---- variants -----------------------------------------------------------------------

struct VariantOut {
    number: usize,
    source: String,
    drawn: Vec<String>,
    answers: Vec<AnswerOut>,
    files: Option<(String, String, String)>,
}

/// Makes `count` variants of the key `key`, as `gradwork variants` does;
/// with `out`, writes the same files into that folder (keys and question
/// sheets in `format`: md, latex or html). Gives what was drawn and kept,
/// each variant's source and answers, and the summary.
#[pyfunction]
#[pyo3(signature = (key, key_name, count, seed, max_tries=None, out=None, format="md", config=None))]
#[allow(clippy::too_many_arguments)]
fn variants<'py>(
    py: Python<'py>,
    key: &str,
    key_name: &str,
    count: usize,
    seed: u64,
    max_tries: Option<usize>,
    out: Option<std::path::PathBuf>,
    format: &str,
    config: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    use variant::{Refusal, Request};
    if !(1..=10_000).contains(&count) {
        return Err(PyValueError::new_err("count is from 1 to 10000"));
    }
    let doc_format = match format {
        "md" | "markdown" => doc::Format::Markdown,
        "latex" | "tex" => doc::Format::Latex,
        "html" => doc::Format::Html,
        other => {
            return Err(PyValueError::new_err(format!(
                "variants writes keys as md, latex or html, not {other:?}"
            )))
        }
    };
    let opts = options(config)?;
    let req = Request {
        count,
        seed,
        max_tries: max_tries.unwrap_or(count.saturating_mul(200).max(1000)),
    };
    let (outcome, made, summary) = engine(py, || {
        let files = match &out {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Failure::msg(format!("cannot create {}: {e}", dir.display())))?;
                Some(variant::Files::new(
                    dir,
                    Path::new(key_name),
                    count,
                    doc_format,
                    opts.digits,
                ))
            }
            None => None,
        };
        let mut made = Vec::new();
        let accept = |v: &variant::Variant| -> Result<(), String> {
            let paths = match &files {
                Some(f) => {
                    f.write(v)?;
                    let (g, k, q) = f.paths(v.number);
                    Some((
                        g.display().to_string(),
                        k.display().to_string(),
                        q.display().to_string(),
                    ))
                }
                None => None,
            };
            made.push(VariantOut {
                number: v.number,
                source: v.source.clone(),
                drawn: v.drawn.clone(),
                answers: answers_of(&v.solution, opts.digits),
                files: paths,
            });
            Ok(())
        };
        let outcome = match variant::generate(key, &opts, &req, accept) {
            Err(Refusal::NothingVaries) => {
                return Err(Failure::msg(format!(
                    "{key_name} marks no number to vary; write e.g. `b = vary(-0.1, among=[-0.2, -0.1, 0.1, 0.2])` (docs/teaching.md)"
                )))
            }
            Err(Refusal::KeyFails(sol)) => {
                return Err(Failure {
                    message: format!(
                        "{}{key_name}: the key itself must solve cleanly before it is varied",
                        report::errors(key_name, key, &sol, Style { color: false })
                    ),
                    errors: errors_of(key_name, key, &sol.errors),
                })
            }
            Err(Refusal::Limit(why)) => {
                return Err(Failure::msg(format!(
                    "{key_name}: a candidate reached a limit of its run, so which candidates pass would depend on the machine; stopped: {why}"
                )))
            }
            Ok(Err(e)) => return Err(Failure::msg(e)),
            Ok(Ok(o)) => o,
        };
        let summary = match &files {
            Some(f) => {
                let (md, json) = f
                    .write_summary(key_name, seed, &outcome)
                    .map_err(Failure::msg)?;
                Some((md.display().to_string(), json.display().to_string()))
            }
            None => None,
        };
        Ok((outcome, made, summary))
    })
    .map_err(|f| f.into_py(py))?;
    let d = PyDict::new(py);
    d.set_item("tries", outcome.tries)?;
    d.set_item("repeats", outcome.repeats)?;
    d.set_item("rejected", &outcome.rejected)?;
    d.set_item("marked", &outcome.marked)?;
    d.set_item("key_answers", &outcome.key_answers)?;
    d.set_item("report", outcome.rejections_text())?;
    d.set_item("summary_files", summary)?;
    let list = PyList::empty(py);
    for v in &made {
        let row = PyDict::new(py);
        row.set_item("number", v.number)?;
        row.set_item("source", &v.source)?;
        row.set_item("drawn", &v.drawn)?;
        row.set_item("answers", answers_py(py, &v.answers)?)?;
        row.set_item("files", &v.files)?;
        list.append(row)?;
    }
    d.set_item("variants", list)?;
    Ok(d)
}

/// The notebook fragment of a self-contained HTML page (exposed for tests).
#[pyfunction]
#[pyo3(signature = (html, diagnostics=""))]
fn notebook_html(html: &str, diagnostics: &str) -> String {
    notebook::fragment(html, diagnostics)
}

/// Panics inside a call: the tests' check that a panic comes back as
/// `EngineError` and leaves the interpreter running.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    engine(py, || -> Result<(), Failure> {
        panic!("a test of the boundary")
    })
    .map_err(|f| f.into_py(py))
}

#[pymodule]
fn _gradwork(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("EngineError", m.py().get_type::<EngineError>())?;
    m.add("WORK", budget::WORK)?;
    m.add("MEMORY_MIB", budget::MEMORY >> 20)?;
    m.add("TIMEOUT", budget::TIMEOUT.as_secs_f64())?;
    m.add("STEP_LIMIT", STEP_LIMIT)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(solve, m)?)?;
    m.add_function(wrap_pyfunction!(render, m)?)?;
    m.add_function(wrap_pyfunction!(grade, m)?)?;
    m.add_function(wrap_pyfunction!(variants, m)?)?;
    m.add_function(wrap_pyfunction!(notebook_html, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}
