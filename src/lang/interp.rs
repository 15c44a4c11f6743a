//! The interpreter: runs statements on exact values and records each
//! top-level statement as a worked [`Step`].

use std::collections::HashMap;
use std::rc::Rc;

use super::builtins;
use super::explain;
use super::lexer::lex;
use super::parser::{
    BinOp, CmpOp, Expr, ExprKind, FPart, IndexItem, Parser, Stmt, StmtKind, Target,
};
use super::value::{shape_text, Fmt, FuncDef, Value};
use super::{ErrorKind, LangError, Span};
use crate::autograd::DType;
use crate::explain::math::{check_chain, Math, Text};
use crate::explain::Note;
use crate::{Idx, Num, Tensor};

/// How many statements and loop iterations one file may run.
pub const STEP_LIMIT: u64 = 1_000_000;
/// How deep user functions may call each other.
pub const CALL_DEPTH_LIMIT: usize = 200;
/// How many recent top-level assignments `grad` can name in its chain rule.
pub const NAMED_KEPT: usize = 256;
/// How many worked steps are kept for display (a loop at the top level can
/// run many times); the computation itself is not limited by this.
pub const SHOWN_STEP_LIMIT: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    Brief,
    Full,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub digits: usize,
    pub detail: Detail,
    pub step_limit: u64,
    /// Work, memory and wall time of one file (`--max-work`, `--max-memory`,
    /// `--timeout`).
    pub limits: crate::budget::Limits,
    /// Verifications over a domain decide inputs in bulk, in floats with
    /// certified margins (`--no-bulk`: one exact call per input).
    pub bulk: bool,
    /// Stop once this many answers are shown (grading's re-runs of a key
    /// need its answers only up to the last one they compare).
    pub stop_after_answers: Option<usize>,
    /// Whether `require` lines are checked. Grading runs a key with a
    /// student's values or a mistake in it, which need not meet them.
    pub requires: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            digits: crate::num::DEFAULT_DIGITS,
            detail: Detail::Full,
            step_limit: STEP_LIMIT,
            limits: crate::budget::Limits::default(),
            bulk: true,
            stop_after_answers: None,
            requires: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Assign,
    Show,
    Check,
    Expr,
    Def,
    /// A sub-question heading (`## (b) Forward pass`).
    Part,
    /// A comment the author marked as prose (`#' …`): part of the task.
    Prose,
    /// A comment the author marked as the key's explanation (`#: …`): in
    /// the worked solution and the key, not on the question sheet.
    Explanation,
    /// `find a in D, …: condition`.
    Find,
}

/// One statement as a worked step: formula trees, never pre-formatted text.
#[derive(Clone, Debug)]
pub struct Step {
    pub line: usize,
    pub kind: StepKind,
    /// The sub-question the step belongs to (the latest `##` heading).
    pub part: Option<String>,
    /// `L` in `L = …`; `None` for bare expressions.
    pub target: Option<String>,
    /// The expression as written (the heading of a part, the prose text).
    pub source: String,
    /// The working: the expression as a formula, then with user functions
    /// inlined, with the numbers put in, with inner applications evaluated
    /// (each form once). Every member that is arithmetic over known numbers
    /// has been checked against the result.
    pub chain: Vec<Math>,
    /// The value (none for `None` results and for checks).
    pub result: Option<Math>,
    /// Extra working: per-step formulas, chain-rule lines, tables, prose.
    pub notes: Vec<Note>,
    /// Marked with `show`.
    pub answer: bool,
    /// For a check: whether it holds.
    pub ok: bool,
    /// A `find`'s search: what was tried and found.
    pub search: Option<Search>,
}

/// A marked answer, with the value kept for JSON.
#[derive(Clone, Debug)]
pub struct Answer {
    /// A stable id for tools and autograders: the name, or, when a name is
    /// shown more than once (`show h` in a loop), `name@part#k` (k counts
    /// from 1 within the part; `name#k` outside any part).
    pub id: String,
    pub name: String,
    pub expr: String,
    pub value: Value,
    pub text: String,
    /// The sub-question it answers.
    pub part: Option<String>,
    /// When the answer is `all(… for x in domain)`: what was checked.
    pub verification: Option<Verification>,
    /// The line of its `show` (1-based).
    pub line: usize,
}

/// The findings of a verification, for JSON and for tools.
#[derive(Clone, Debug)]
pub struct Verification {
    pub verified: bool,
    pub checked: u128,
    pub failed: u128,
    /// Inputs whose evaluation met a decision boundary.
    pub boundary: u128,
    pub counterexample: Option<Counterexample>,
    /// Inputs decided in bulk, in floats with certified margins (the rest
    /// were decided one exact call at a time).
    pub in_bulk: u128,
}

/// What a `find` tried: candidates in order of simplicity, those that hold
/// (the first few, as `name = value` texts per candidate), and how many.
#[derive(Clone, Debug)]
pub struct Search {
    pub tried: u128,
    pub solutions: u128,
    /// The names and the values bound (the simplest solution).
    pub bound: Vec<(String, Tensor<Num>)>,
    /// Up to [`SHOWN_SOLUTIONS`] solutions, simplest first.
    pub shown: Vec<Vec<(String, String)>>,
}

/// Most lines of a called function a top-level step shows.
const MAX_INNER_LINES: usize = 12;

/// How many solutions of a `find` are listed.
pub const SHOWN_SOLUTIONS: usize = 5;

/// Most candidates a `find` tries.
pub const MAX_CANDIDATES: u128 = 1_000_000;

/// The first failing input of a verification.
#[derive(Clone, Debug)]
pub struct Counterexample {
    pub input: Tensor<Num>,
    /// The input as the working writes it.
    pub text: String,
    /// Both sides of the rule when it is a comparison: (as written, value).
    pub sides: Vec<(String, String)>,
}

/// Everything `solve` found for one file.
pub struct Solution {
    pub title: String,
    /// The model as equations, read from the steps ([`crate::lang::model`]).
    pub model: Vec<crate::explain::Equations>,
    pub steps: Vec<Step>,
    pub answers: Vec<Answer>,
    pub errors: Vec<LangError>,
    /// Steps left out of `steps` beyond [`SHOWN_STEP_LIMIT`].
    pub elided_steps: usize,
    /// The values a key marks with `vary`, for `gradwork variants`.
    pub varied: Vec<crate::lang::variant::Varied>,
}

impl Solution {
    /// No errors of any kind.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }
    /// The file ran but a check failed (exit status 1, not 2).
    pub fn only_checks_failed(&self) -> bool {
        !self.errors.is_empty() && self.errors.iter().all(|e| e.kind == ErrorKind::Check)
    }
}

/// Most figures a called function adds to the step that called it.
const MAX_INNER_FIGURES: usize = 4;
/// Most figures of one step.
const MAX_STEP_FIGURES: usize = 6;

pub(crate) enum Flow {
    Normal,
    Return(Value),
    Break,
    Continue,
}

pub(crate) type R<T> = Result<T, LangError>;

/// `t`'s value broadcast to `shape` (found by `broadcast_shape`), or the
/// mismatch as an error of `op` at `span`.
pub(crate) fn spread<'a>(
    t: &'a Tensor<Num>,
    shape: &[usize],
    op: &str,
    span: Span,
) -> R<ndarray::ArrayViewD<'a, Num>> {
    t.value()
        .broadcast(ndarray::IxDyn(shape))
        .ok_or_else(|| LangError::from_lib(crate::Error::mismatch(op, t.shape(), shape), span))
}

/// An assignment remembered for explaining gradients.
pub(crate) struct Named {
    pub name: String,
    pub tensor: Tensor<Num>,
}

pub struct Interp<'s> {
    pub(crate) src: &'s str,
    pub(crate) opts: Options,
    pub(crate) fmt: Fmt,
    globals: HashMap<String, Value>,
    frames: Vec<HashMap<String, Value>>,
    steps: Vec<Step>,
    /// Default arguments being evaluated (each inside a call whose frame is
    /// not pushed yet), counted with the frames toward the call depth.
    in_defaults: usize,
    /// Inside a verification (`all(… for x in domain)`): one statement, so
    /// its calls count toward the work budget, not the step limit, and
    /// record no lines of their own.
    verifying: usize,
    /// Inside a `find`: verifications stop at their first failure.
    finding: usize,
    /// The findings of the last verification, for the `show` that asked.
    verified: Option<Verification>,
    elided: usize,
    answers: Vec<Answer>,
    errors: Vec<LangError>,
    budget: u64,
    /// The tensors `grad` gave: values without a graph (a gradient of one
    /// is a second derivative, which is refused by name).
    pub(crate) grad_results: std::collections::HashSet<usize>,
    /// Notes produced by built-ins while evaluating the current statement.
    pub(crate) notes: Vec<Note>,
    /// The ways a list was read as an array, each said once per file.
    /// Where each line starts: a step's line number by binary search,
    /// not by counting newlines from the top (quadratic in long files).
    line_starts: Vec<usize>,
    lists_read: std::collections::HashSet<String>,
    /// Lines of a multi-statement function called by the current top-level
    /// statement: its assignments and its return, as sub-steps.
    inner: Vec<Note>,
    /// `##` headings and `#'` prose of the source, by line, not yet placed.
    marks: std::collections::VecDeque<(usize, Mark)>,
    /// The current sub-question.
    part: Option<String>,
    /// Names of the user functions being run, innermost last.
    calls: Vec<String>,
    pub(crate) named: Vec<Named>,
    /// Values that stand for names when grading ([`run_with`]).
    overrides: HashMap<String, Tensor<Num>>,
    /// The `vary(…)` marks met, once each.
    pub(crate) varied: Vec<crate::lang::variant::Varied>,
}

/// The names a target binds.
fn target_names(t: &Target, out: &mut Vec<String>) {
    match t {
        Target::Name(n, _) => out.push(n.clone()),
        Target::Tuple(ts, _) => ts.iter().for_each(|t| target_names(t, out)),
        Target::Index(..) => {}
    }
}

/// A comment that shapes the worked solution.
#[derive(Clone, Debug)]
enum Mark {
    /// `## (b) Forward pass`: a labelled part.
    Part(String),
    /// `#' The embedding is f = conv1d(x, w, b)`: a line of prose.
    Prose(String),
    /// `#: The output is positive exactly when …`: a line of explanation.
    Explanation(String),
}

/// The top-level `##` headings and `#'` prose lines, with their line numbers.
/// Consecutive prose lines make one paragraph.
fn marks_of(src: &str) -> std::collections::VecDeque<(usize, Mark)> {
    let mut out: std::collections::VecDeque<(usize, Mark)> = std::collections::VecDeque::new();
    let mut last_prose = 0;
    for (i, l) in src.lines().enumerate() {
        if let Some(h) = l.strip_prefix("##") {
            let h = h.trim_start_matches('#').trim();
            if !h.is_empty() {
                out.push_back((i + 1, Mark::Part(h.to_string())));
            }
        } else if let Some((p, explains)) = l
            .strip_prefix("#'")
            .map(|p| (p, false))
            .or_else(|| l.strip_prefix("#:").map(|p| (p, true)))
        {
            let p = p.trim().to_string();
            match out.back_mut() {
                Some((_, Mark::Prose(prev))) if last_prose == i && !explains => {
                    prev.push('\n');
                    prev.push_str(&p);
                }
                Some((_, Mark::Explanation(prev))) if last_prose == i && explains => {
                    prev.push('\n');
                    prev.push_str(&p);
                }
                _ if explains => out.push_back((i + 1, Mark::Explanation(p))),
                _ => out.push_back((i + 1, Mark::Prose(p))),
            }
            last_prose = i + 1;
        }
    }
    out
}

fn title_of(src: &str) -> String {
    src.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .and_then(|l| l.strip_prefix('#'))
        .map(|t| t.trim().to_string())
        .unwrap_or_default()
}

pub fn run(src: &str, opts: &Options) -> Solution {
    run_with(src, opts, &HashMap::new())
}

/// Runs `src` with the given values standing for the names they are keyed
/// by: where the key shows such a name at the top level (`show x = …`, or
/// `show x`), the given value takes the computed one's place, and
/// everything after it is computed from that value. Grading re-runs a key this way to carry a
/// student's earlier value forward.
pub fn run_with(src: &str, opts: &Options, overrides: &HashMap<String, Tensor<Num>>) -> Solution {
    let title = title_of(src);
    let _run = crate::budget::start(opts.limits);
    let program = lex(src).and_then(|toks| Parser::new(toks).program());
    let mut it = Interp {
        src,
        opts: *opts,
        fmt: Fmt {
            digits: opts.digits,
        },
        globals: HashMap::new(),
        frames: Vec::new(),
        steps: Vec::new(),
        elided: 0,
        answers: Vec::new(),
        errors: Vec::new(),
        budget: 0,
        grad_results: Default::default(),
        notes: Vec::new(),
        lists_read: Default::default(),
        line_starts: std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        inner: Vec::new(),
        marks: marks_of(src),
        part: None,
        calls: Vec::new(),
        named: Vec::new(),
        in_defaults: 0,
        verifying: 0,
        finding: 0,
        verified: None,
        overrides: overrides.clone(),
        varied: Vec::new(),
    };
    match program {
        Err(e) => it.errors.push(e),
        Ok(stmts) => {
            if let Err(e) = it.exec_block(&stmts) {
                it.errors.push(e);
            }
        }
    }
    it.place_marks(usize::MAX);
    crate::lang::model::thresholds(&mut it.steps, &it.fmt);
    answer_ids(&mut it.answers);
    Solution {
        title,
        model: crate::lang::model::equations(&it.steps),
        steps: it.steps,
        answers: it.answers,
        errors: it.errors,
        elided_steps: it.elided,
        varied: it.varied,
    }
}

/// Gives each answer its stable id ([`Answer::id`]).
fn answer_ids(answers: &mut [Answer]) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for a in answers.iter() {
        *count.entry(a.name.clone()).or_insert(0) += 1;
    }
    let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
    for a in answers.iter_mut() {
        if count[&a.name] == 1 {
            a.id = a.name.clone();
            continue;
        }
        let k = seen.entry((a.name.clone(), a.part.clone())).or_insert(0);
        *k += 1;
        a.id = match &a.part {
            Some(p) => format!("{}@{p}#{k}", a.name),
            None => format!("{}#{k}", a.name),
        };
    }
}

/// The items of a value being iterated ([`Interp::iterate`]).
pub(crate) enum Items {
    Vec(std::vec::IntoIter<Value>),
    /// A list or tuple, from position `.1` on (a list that changes while
    /// it is walked was copied by the change: the walk sees the old one).
    Seq(Rc<crate::lang::value::Seq>, usize),
    /// `range(…)`: `left` numbers from `next`, `step` apart (each fits an
    /// i64: it lies between the range's bounds).
    Range {
        next: i128,
        step: i128,
        left: i128,
    },
    /// A domain's items by index (an item that cannot be made ends the walk;
    /// domains check their items when they are made).
    Domain(Rc<crate::lang::domain::Domain>, u128),
}

impl Iterator for Items {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        match self {
            Items::Vec(it) => it.next(),
            Items::Seq(items, at) => {
                let v = items.get(*at).cloned();
                *at += 1;
                v
            }
            Items::Domain(d, at) => {
                let v = d.get(*at).ok().map(Value::T);
                *at += 1;
                v
            }
            Items::Range { next, step, left } => {
                if *left <= 0 {
                    return None;
                }
                let v = Value::int(*next as i64);
                *next += *step;
                *left -= 1;
                Some(v)
            }
        }
    }
}

fn is_truthy_tensor(t: &Tensor<Num>) -> bool {
    t.value().iter().all(|n| !n.is_zero())
}

impl<'s> Interp<'s> {
    /// Whether a condition holds (`check`, `require`, a rule of a
    /// verification or a search): an array when every element is true, as
    /// `assert (a == b).all()` reads; anything else by Python's truth.
    fn holds(&self, v: &Value, span: Span) -> R<bool> {
        match v {
            Value::T(t) => Ok(is_truthy_tensor(t)),
            other => self.truthy(other, span),
        }
    }
    pub(crate) fn text(&self, span: Span) -> &'s str {
        self.src.get(span.start..span.end).unwrap_or("")
    }
    fn top_level(&self) -> bool {
        self.frames.is_empty()
    }
    /// The first line of a compound statement without its `:`
    /// (`def f(x)`, `find W in …`).
    fn header(&self, stmt: &Stmt) -> String {
        self.text(stmt.span)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .trim_end_matches(':')
            .to_string()
    }

    /// Whether a built-in's notes can reach a step: at the top level (those
    /// made inside a function are dropped when it returns) and outside a
    /// verification.
    pub(crate) fn notes_wanted(&self) -> bool {
        self.top_level() && self.verifying == 0
    }
    /// The value that stands for `name` at the top level when grading
    /// carries a student's earlier value forward ([`run_with`]): taken where
    /// the key shows the name, so that the statements before it run as
    /// they are.
    ///
    /// The value keeps the computation it replaces: it is the computed value
    /// plus the constant difference, so a gradient taken later still flows
    /// through the statement, evaluated at the student's value.
    fn overridden(&self, name: &str, computed: &Value) -> Option<Value> {
        if !self.top_level() {
            return None;
        }
        let given = self.overrides.get(name)?;
        if let Value::T(c) = computed {
            if c.shape() == given.shape() {
                if let Ok(d) = given.sub(c) {
                    let constant = Tensor::new(d.value().clone());
                    if let Ok(v) = c.add(&constant) {
                        return Some(Value::T(v));
                    }
                }
            }
        }
        Some(Value::T(given.clone()))
    }

    /// Whether a built-in's figure can reach a step: in full detail, outside
    /// a verification, at the top level or in a function it calls (whose
    /// lines are shown), for a step that will be shown.
    pub(crate) fn figures_wanted(&self) -> bool {
        self.opts.detail == Detail::Full
            && self.verifying == 0
            && self.frames.len() <= 1
            && self.steps.len() < SHOWN_STEP_LIMIT
    }
    /// A top-level statement whose step will be shown (not beyond
    /// [`SHOWN_STEP_LIMIT`]): only then is its working written out.
    pub(crate) fn shown(&self) -> bool {
        self.top_level() && self.steps.len() < SHOWN_STEP_LIMIT
    }
    fn tick(&mut self, span: Span) -> R<()> {
        self.budget += 1;
        crate::budget::charge(1)
            .and_then(|()| crate::budget::check())
            .map_err(|e| LangError::from_lib(e, span))?;
        if self.budget > self.opts.step_limit && self.verifying == 0 {
            return Err(LangError::new(
                ErrorKind::Limit,
                format!("the program ran more than {} steps", self.opts.step_limit),
                span,
                Some("is there a loop that never ends? The step limit is documented in docs/language.md"),
            ));
        }
        Ok(())
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(f) = self.frames.last() {
            if let Some(v) = f.get(name) {
                return Some(v.clone());
            }
        }
        self.globals
            .get(name)
            .cloned()
            .or_else(|| builtins::lookup(name))
    }

    /// A name as a function body sees it when not its own: a global or a
    /// built-in.
    pub(crate) fn global(&self, name: &str) -> Option<Value> {
        self.globals
            .get(name)
            .cloned()
            .or_else(|| builtins::lookup(name))
    }

    fn bind(&mut self, name: &str, v: Value) {
        match self.frames.last_mut() {
            Some(f) => f.insert(name.to_string(), v),
            None => self.globals.insert(name.to_string(), v),
        };
    }

    /// Binds `v` to every name (in the globals and every frame) bound to
    /// the tensor `id`: an in-place update of a shared array.
    fn bind_target(&mut self, t: &Target, v: Value) -> R<()> {
        match t {
            Target::Name(n, _) => {
                self.bind(n, v);
                Ok(())
            }
            Target::Index(base, items, span) => self.assign_item(base, items, v, *span),
            Target::Tuple(ts, span) => {
                let items = self.unpack(&v, *span)?;
                if items.len() != ts.len() {
                    return Err(LangError::new(
                        ErrorKind::Value,
                        format!(
                            "{} names on the left but {} values on the right",
                            ts.len(),
                            items.len()
                        ),
                        *span,
                        None,
                    ));
                }
                for (t, v) in ts.iter().zip(items) {
                    self.bind_target(t, v)?;
                }
                Ok(())
            }
        }
    }

    /// Iterating a value: lists, tuples, ranges, tensors along axis 0.
    pub(crate) fn unpack(&self, v: &Value, span: Span) -> R<Vec<Value>> {
        // A domain is made one item at a time; held all at once (`list(D)`)
        // it is asked for its whole cost first.
        if let Value::Domain(d) = v {
            let n = u64::try_from(d.len()).unwrap_or(u64::MAX);
            crate::budget::ensure(n.saturating_mul(4)).map_err(|e| LangError::from_lib(e, span))?;
        }
        Ok(self.iterate(v, span)?.collect())
    }

    /// The items of `v` one at a time, as `for` walks them: a range makes
    /// each number when it is reached, not all of them first.
    pub(crate) fn iterate(&self, v: &Value, span: Span) -> R<Items> {
        Ok(match v {
            Value::List(items) | Value::Tuple(items) => Items::Seq(items.clone(), 0),
            Value::Range(a, b, c) => {
                // In i128: the bounds and step are any i64 (−2⁶³ included),
                // and their differences must not wrap.
                let (a, b, c) = (*a as i128, *b as i128, *c as i128);
                let n = if c > 0 {
                    (b - a + c - 1).max(0) / c
                } else {
                    (a - b - c - 1).max(0) / -c
                };
                if n > self.opts.step_limit as i128 {
                    return Err(LangError::new(
                        ErrorKind::Limit,
                        format!("a range of {n} numbers is beyond the step limit"),
                        span,
                        Some("raise it with --max-steps N"),
                    ));
                }
                Items::Range {
                    next: a,
                    step: c,
                    left: n,
                }
            }
            Value::Domain(d) => Items::Domain(d.clone(), 0),
            Value::T(t) if t.ndim() > 0 => (0..t.shape()[0] as i64)
                .map(|i| t.slice(&[Idx::At(i)]).map(Value::T))
                .collect::<Result<Vec<_>, _>>()
                .map(|v| Items::Vec(v.into_iter()))
                .map_err(|e| LangError::from_lib(e, span))?,
            other => {
                return Err(LangError::new(
                    ErrorKind::Type,
                    format!("cannot iterate over a {}", other.type_name()),
                    span,
                    Some("loop over range(n), a list, or a tensor's rows"),
                ))
            }
        })
    }

    /// Places the headings and prose that come before `line`.
    fn place_marks(&mut self, line: usize) {
        while self.marks.front().is_some_and(|(l, _)| *l < line) {
            let Some((l, m)) = self.marks.pop_front() else {
                break;
            };
            let (kind, text) = match m {
                Mark::Part(h) => {
                    self.part = Some(h.clone());
                    (StepKind::Part, h)
                }
                Mark::Prose(p) => (StepKind::Prose, p),
                Mark::Explanation(p) => (StepKind::Explanation, p),
            };
            let step = Step {
                line: l,
                kind,
                part: self.part.clone(),
                target: None,
                source: text,
                chain: Vec::new(),
                result: None,
                notes: Vec::new(),
                answer: false,
                ok: true,
                search: None,
            };
            self.push_checked(step, Span::default());
        }
    }

    /// The self-check: every chain of the step is re-evaluated exactly; a
    /// chain that does not hold is an internal error and is not shown.
    fn check_step(&mut self, step: &mut Step, span: Span) {
        let fmt = self.fmt;
        let mut failures = Vec::new();
        if !step.chain.is_empty() {
            let mut members: Vec<&Math> = step.chain.iter().collect();
            members.extend(step.result.iter());
            if let Some(why) = crate::budget::exempt(|| check_chain(&members, &fmt)) {
                failures.push(why);
                step.chain.clear();
            }
        }
        step.notes.retain(|n| match n {
            Note::Chain { members, .. } => {
                let ms: Vec<&Math> = members.iter().collect();
                match crate::budget::exempt(|| check_chain(&ms, &fmt)) {
                    Some(why) => {
                        failures.push(why);
                        false
                    }
                    None => true,
                }
            }
            _ => true,
        });
        for why in failures {
            self.errors.push(LangError::new(
                ErrorKind::Internal,
                format!("a worked line of this statement does not hold and was left out: {why}"),
                span,
                Some("this is a bug in gradwork; please report it with the exercise"),
            ));
        }
    }

    fn push_checked(&mut self, mut step: Step, span: Span) {
        if self.steps.len() >= SHOWN_STEP_LIMIT {
            self.elided += 1;
        } else {
            self.check_step(&mut step, span);
            self.steps.push(step);
        }
    }

    /// A worked step from the working (made before the statement bound its
    /// target) and the value.
    fn step_for(
        &mut self,
        stmt: &Stmt,
        kind: StepKind,
        target: Option<String>,
        source: String,
        chain: Vec<Math>,
        v: &Value,
    ) -> Step {
        // A step beyond the shown ones is only counted: its value is not
        // written out (a loop of 10⁵ steps would format every value).
        let result = match v {
            Value::None => None,
            _ if self.steps.len() >= SHOWN_STEP_LIMIT => None,
            // Writing a value out is work of the run like any other (a
            // growing list shown at every turn of a loop adds up).
            v => Some(self.value_math(v)),
        };
        Step {
            line: self.line_of(stmt.span.start),
            kind,
            part: self.part.clone(),
            target,
            source,
            chain,
            result,
            notes: {
                // A statement that calls a function many times draws its
                // first figures only.
                let mut figures = 0;
                let mut notes = std::mem::take(&mut self.notes);
                notes.retain(|n| {
                    figures += usize::from(matches!(n, Note::Figure(_)));
                    !matches!(n, Note::Figure(_)) || figures <= MAX_STEP_FIGURES
                });
                notes
            },
            answer: kind == StepKind::Show,
            ok: true,
            search: None,
        }
    }

    /// Remembers a top-level assignment for explaining gradients; only the
    /// latest [`NAMED_KEPT`] are kept, so long loops stay cheap.
    fn remember(&mut self, t: &Target, v: &Value) {
        if !self.top_level() {
            return;
        }
        if self.named.len() >= 2 * NAMED_KEPT {
            self.named.drain(..NAMED_KEPT);
        }
        let Target::Name(n, _) = t else {
            return;
        };
        // A list of numbers is named by the array it stands for (made now,
        // and kept with the list, so later uses are that very array).
        let tensor = match v {
            Value::T(t) => t.clone(),
            // (small lists only: naming serves the worked steps)
            Value::List(_) if Self::tensorish_within(v, 1 << 12) => {
                match crate::budget::exempt(|| self.tensor(v, Span::default())) {
                    Ok(t) => t,
                    Err(_) => return,
                }
            }
            _ => return,
        };
        self.named.push(Named {
            name: n.clone(),
            tensor,
        });
    }

    pub(crate) fn exec_block(&mut self, stmts: &[Stmt]) -> R<Flow> {
        for s in stmts {
            match self.exec(s)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn exec(&mut self, stmt: &Stmt) -> R<Flow> {
        self.tick(stmt.span)?;
        if self.top_level()
            && self
                .opts
                .stop_after_answers
                .is_some_and(|n| self.answers.len() >= n)
        {
            return Ok(Flow::Return(Value::None));
        }
        if self.top_level() {
            self.notes.clear();
            let line = self.line_of(stmt.span.start);
            self.place_marks(line);
        }
        match &stmt.kind {
            StmtKind::Assign(targets, e) => {
                let v = self.eval(e)?;
                // The working uses the values from before the statement.
                let chain = if self.shown() {
                    explain::working(self, e)
                } else {
                    Vec::new()
                };
                for t in targets {
                    self.bind_target(t, v.clone())?;
                    self.remember(t, &v);
                }
                if self.inner_wanted() {
                    let names: Vec<&str> = targets.iter().map(|t| self.target_text(t)).collect();
                    let lhs = Math::sym(names.join(" = "));
                    let rhs = explain::to_math(self, e, false);
                    self.inner_line("", vec![lhs, rhs], &v);
                }
                if self.top_level() {
                    let names: Vec<&str> = targets.iter().map(|t| self.target_text(t)).collect();
                    let source = self.text(e.span).to_string();
                    let step = self.step_for(
                        stmt,
                        StepKind::Assign,
                        Some(names.join(" = ")),
                        source,
                        chain,
                        &v,
                    );
                    self.push_checked(step, stmt.span);
                }
            }
            StmtKind::AugAssign(t, op, e) => {
                // `A[:, j] += 1`: the element read, updated and written back.
                if let Target::Index(base, items, tspan) = t {
                    let cur_e = Expr {
                        kind: ExprKind::Index(Box::new(base.clone()), items.clone()),
                        span: *tspan,
                    };
                    let cur = self.eval(&cur_e)?;
                    let rhs = self.eval(e)?;
                    let v = self.binary(*op, cur, rhs, stmt.span)?;
                    self.assign_item(base, items, v.clone(), *tspan)?;
                    if self.top_level() {
                        let target = self.text(*tspan).to_string();
                        let source = format!("{target} {} {}", op.text(), self.text(e.span));
                        let step = self.step_for(
                            stmt,
                            StepKind::Assign,
                            Some(target),
                            source,
                            Vec::new(),
                            &v,
                        );
                        self.push_checked(step, stmt.span);
                    }
                    return Ok(Flow::Normal);
                }
                let Target::Name(n, span) = t else {
                    return Err(LangError::syntax(
                        "augmented assignment needs a single name",
                        stmt.span,
                        None,
                    ));
                };
                // `s += 2` is worked as `s = s + 2`, with s's value before.
                let full = Expr {
                    kind: ExprKind::Binary(
                        *op,
                        Box::new(Expr {
                            kind: ExprKind::Name(n.clone()),
                            span: *span,
                        }),
                        Box::new(e.clone()),
                    ),
                    span: stmt.span,
                };
                let cur = self.lookup(n).ok_or_else(|| self.unknown(n, *span))?;
                let rhs = self.eval(e)?;
                // `xs += …` on a Python list extends it: not a formula.
                let sequence = matches!(cur, Value::List(_) | Value::Tuple(_) | Value::Str(_));
                let chain = if self.shown() && !sequence {
                    explain::working(self, &full)
                } else {
                    Vec::new()
                };
                let v = self.binary(*op, cur.clone(), rhs, stmt.span)?;
                // `+=` on an array acts in place (numpy): every name bound to
                // the same array sees the change. A number is rebound only.
                // numpy refuses to cast a float result into an integer
                // array in place (`a += 0.5`, `a /= 2` on int64).
                if let (Value::T(old), Value::T(new)) = (&cur, &v) {
                    if old.ndim() > 0 && old.dtype() == DType::Int && new.dtype() == DType::Float {
                        return Err(LangError::new(
                            ErrorKind::Type,
                            format!("`{n} {}=` would put fractions into the integer array `{n}`", op.text()),
                            stmt.span,
                            Some(&format!("numpy refuses this too; write `{n} = {n} {} …` for a new array, or make `{n}` a float array (np.array([1.0, 2.0]) or dtype=float)", op.text())),
                        ));
                    }
                }
                let in_place = match (&cur, &v) {
                    (Value::T(old), Value::T(new)) => old.ndim() > 0 && old.shape() == new.shape(),
                    // `xs += [3]` extends the list itself (list.__iadd__).
                    (Value::List(_), Value::List(_)) => true,
                    _ => false,
                };
                {
                    if in_place {
                        let mut others = self.rebind_same(&cur, &v);
                        others.retain(|o| o != n);
                        if !others.is_empty() && self.opts.detail == Detail::Full {
                            others.sort();
                            self.notes.push(Note::prose(format!(
                                "`{n} {}=` changes the {} in place: {} hold{} it too",
                                op.text(),
                                cur.type_name(),
                                others.join(", "),
                                if others.len() == 1 { "s" } else { "" }
                            )));
                        }
                    }
                }
                self.bind(n, v.clone());
                self.remember(t, &v);
                if self.top_level() {
                    let source = format!("{n} {} {}", op.text(), self.text(e.span));
                    let step =
                        self.step_for(stmt, StepKind::Assign, Some(n.clone()), source, chain, &v);
                    self.push_checked(step, stmt.span);
                }
            }
            StmtKind::Show(name, e) => {
                // Only a verification this statement ran describes its answer.
                self.verified = None;
                let v = self.eval(e)?;
                let expr_text = self.text(e.span).to_string();
                let mut chain = if self.shown() {
                    explain::working(self, e)
                } else {
                    Vec::new()
                };
                // Grading: the student's value stands for the key's from the
                // statement that shows it on (`show x = …`, or `show x` of a
                // name bound before); its working, made for the key's value,
                // is not shown.
                let bare = match &e.kind {
                    ExprKind::Name(n) if name.is_none() => Some(n.clone()),
                    _ => None,
                };
                let shown_name = name.as_ref().map(|(n, _)| n.clone()).or(bare.clone());
                let mut carried_in = false;
                let v = match shown_name.and_then(|n| self.overridden(&n, &v)) {
                    Some(o) => {
                        chain.clear();
                        carried_in = true;
                        // The built-ins' working is for the key's value.
                        self.notes.clear();
                        self.notes.push(Note::prose(format!(
                            "the key computes {} here",
                            self.fmt.value(&v)
                        )));
                        if let Some(n) = &bare {
                            self.bind_target(&Target::Name(n.clone(), e.span), o.clone())?;
                        }
                        o
                    }
                    None => v,
                };
                if let Some((n, s)) = name {
                    let t = Target::Name(n.clone(), *s);
                    self.bind_target(&t, v.clone())?;
                    self.remember(&t, &v);
                }
                let label = name.as_ref().map(|(n, _)| n.clone());
                let text = self.fmt.value(&v);
                self.answers.push(Answer {
                    id: String::new(),
                    name: label.clone().unwrap_or_else(|| expr_text.clone()),
                    expr: expr_text.clone(),
                    value: v.clone(),
                    text,
                    part: self.part.clone(),
                    verification: self.verified.take(),
                    line: self.line_of(stmt.span.start),
                });
                if self.top_level() {
                    // A carried value is not what the formula gives: the
                    // step says whose value it is instead.
                    let source = if carried_in {
                        "your value, carried forward".to_string()
                    } else {
                        expr_text
                    };
                    let label = if carried_in { label.or(bare) } else { label };
                    let step = self.step_for(stmt, StepKind::Show, label, source, chain, &v);
                    self.push_checked(step, stmt.span);
                }
            }
            StmtKind::Find(vars, cond) => self.find(stmt, vars, cond)?,
            StmtKind::Require(_) if !self.opts.requires => {}
            StmtKind::Require(c) => {
                // A requirement writes no step: what its evaluation would
                // say once per file (a list read as an array) is left for
                // the steps that are shown.
                let said = self.lists_read.clone();
                let v = self.eval(c);
                self.lists_read = said;
                self.notes.clear();
                let v = v?;
                let holds = self.holds(&v, c.span)?;
                if !holds {
                    return Err(LangError::new(
                        ErrorKind::Require,
                        format!("`{}` does not hold for these numbers", self.text(c.span)),
                        c.span,
                        Some("a key's numbers meet every `require`; `gradwork variants` rejects the candidates that do not"),
                    ));
                }
            }
            StmtKind::Check(c, msg) => {
                let v = self.eval(c)?;
                let holds = self.holds(&v, c.span)?;
                let chain = if self.shown() {
                    explain::working(self, c)
                } else {
                    Vec::new()
                };
                let source = self.text(c.span).to_string();
                let mut step = self.step_for(stmt, StepKind::Check, None, source, chain, &v);
                step.ok = holds;
                if !holds {
                    let extra = match msg {
                        Some(m) => match self.eval(m)? {
                            Value::Str(s) => format!(": {s}"),
                            other => format!(": {}", self.fmt.value(&other)),
                        },
                        None => String::new(),
                    };
                    let fmt = self.fmt;
                    let detail = match step.chain.get(1..).and_then(|c| c.last()) {
                        Some(s) => format!(" (with the values: {})", Text::new(&fmt).inline(s)),
                        None => String::new(),
                    };
                    self.errors.push(LangError::new(
                        ErrorKind::Check,
                        format!("`{}` does not hold{extra}{detail}", self.text(c.span)),
                        c.span,
                        None,
                    ));
                }
                if self.top_level() {
                    self.push_checked(step, stmt.span);
                }
            }
            StmtKind::Expr(e) => {
                let v = self.eval(e)?;
                // `xs.append(…)` changed xs as it ran: a formula read with
                // the new xs would not be the one that ran.
                let mutates = matches!(&e.kind, ExprKind::Call(f, _, _)
                    if matches!(&f.kind, ExprKind::Attr(_, m) if LIST_MUTATORS.contains(&m.as_str())));
                if self.top_level() {
                    let chain = if self.shown() && !mutates {
                        explain::working(self, e)
                    } else {
                        Vec::new()
                    };
                    let source = self.text(e.span).to_string();
                    let step = self.step_for(stmt, StepKind::Expr, None, source, chain, &v);
                    self.push_checked(step, stmt.span);
                }
            }
            StmtKind::Def(name, params, body) => {
                let f = FuncDef {
                    name: name.clone(),
                    params: params.clone(),
                    body: body.clone(),
                };
                self.bind(name, Value::Func(Rc::new(f)));
                if self.top_level() {
                    let header = self.header(stmt);
                    // A body that cannot be evaluated as it stands (`return
                    // log(-2.4)`: the program fails only if it is called) is
                    // shown as code, not as a formula the check would refuse.
                    let chain = match explain::function_formula(self, name) {
                        Some((head, body)) if crate::budget::exempt(|| body.eval()).is_ok() => {
                            vec![head, body]
                        }
                        _ => Vec::new(),
                    };
                    // A function of several statements is shown as written.
                    let equations = if chain.is_empty() && self.opts.detail == Detail::Full {
                        self.body_equations(name, params, body)
                    } else {
                        None
                    };
                    let notes = if chain.is_empty() && self.opts.detail == Detail::Full {
                        let end = body.last().map_or(stmt.span.end, |b| b.span.end);
                        let text = self.text(Span::new(stmt.span.start, end));
                        let body: Vec<&str> = text.lines().skip(1).collect();
                        let indent = body
                            .iter()
                            .filter(|l| !l.trim().is_empty())
                            .map(|l| l.len() - l.trim_start().len())
                            .min()
                            .unwrap_or(0);
                        let code: Vec<&str> = body
                            .iter()
                            .map(|l| l.get(indent..).unwrap_or("").trim_end())
                            .collect();
                        let mut notes = vec![Note::Code(code.join("\n").trim_end().to_string())];
                        notes.extend(equations);
                        notes
                    } else {
                        Vec::new()
                    };
                    let step = Step {
                        line: self.line_of(stmt.span.start),
                        kind: StepKind::Def,
                        part: self.part.clone(),
                        target: None,
                        source: header,
                        chain,
                        result: None,
                        notes,
                        answer: false,
                        ok: true,
                        search: None,
                    };
                    self.push_checked(step, stmt.span);
                }
            }
            StmtKind::Return(e) => {
                if self.top_level() {
                    return Err(LangError::syntax(
                        "`return` outside a function",
                        stmt.span,
                        None,
                    ));
                }
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Value::None,
                };
                if self.inner_wanted() {
                    let ret = match e {
                        Some(e) => vec![explain::to_math(self, e, false)],
                        None => Vec::new(),
                    };
                    self.inner_line("return", ret, &v);
                }
                return Ok(Flow::Return(v));
            }
            StmtKind::If(branches, other) => {
                for (c, body) in branches {
                    let v = self.eval(c)?;
                    if self.truthy(&v, c.span)? {
                        return self.exec_block(body);
                    }
                }
                if let Some(body) = other {
                    return self.exec_block(body);
                }
            }
            StmtKind::For(t, it, body) => {
                let v = self.eval(it)?;
                for item in self.iterate(&v, it.span)? {
                    self.tick(stmt.span)?;
                    self.bind_target(t, item)?;
                    match self.exec_block(body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                }
            }
            StmtKind::While(c, body) => loop {
                self.tick(stmt.span)?;
                let v = self.eval(c)?;
                if !self.truthy(&v, c.span)? {
                    break;
                }
                match self.exec_block(body)? {
                    Flow::Break => break,
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    Flow::Normal | Flow::Continue => {}
                }
            },
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Pass => {}
            StmtKind::Import(binds) => {
                for (module, alias) in binds {
                    // `from scipy.special import softmax`: a name in a module.
                    let member = module.rsplit_once('.').and_then(|(parent, name)| {
                        match builtins::namespace_of(parent)? {
                            Value::Namespace(ns) => builtins::resolve(&ns, name),
                            _ => None,
                        }
                    });
                    // `import scipy.special` binds `scipy`, as Python does.
                    let top = module.split('.').next().unwrap_or(module);
                    let ns = builtins::namespace_of(module)
                        .map(|ns| match builtins::namespace_of(top) {
                            Some(t) if alias == top => t,
                            _ => ns,
                        })
                        .or(member)
                        .ok_or_else(|| {
                            let parent = module.rsplit_once('.');
                            match parent.filter(|(p, _)| builtins::namespace_of(p).is_some()) {
                                Some((p, n)) => LangError::new(
                                    ErrorKind::Name,
                                    format!("`{p}` has no `{n}` in gradwork"),
                                    stmt.span,
                                    Some("docs/language.md lists every built-in and where numpy has it"),
                                ),
                                None => LangError::new(
                                    ErrorKind::Name,
                                    format!("gradwork has no module `{module}`"),
                                    stmt.span,
                                    Some("numpy, scipy.special and math are available (as np, sp, math)"),
                                ),
                            }
                        })?;
                    self.bind(alias, ns);
                }
            }
        }
        Ok(Flow::Normal)
    }

    /// A function whose body is assignments to names and a `return` is a
    /// model in equations: each line `name = formula`, then `f(x) = formula`.
    fn body_equations(
        &mut self,
        name: &str,
        params: &[crate::lang::parser::Param],
        body: &[Stmt],
    ) -> Option<Note> {
        let (last, lines) = body.split_last()?;
        let StmtKind::Return(Some(ret)) = &last.kind else {
            return None;
        };
        let mut eqs = Vec::new();
        // Each name once, never a parameter, never defined by itself: then
        // `name = formula` is an equation (`x = 2·x` is an assignment).
        let mut bound: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        for st in lines {
            match &st.kind {
                StmtKind::Assign(targets, e) if targets.len() == 1 => match &targets[0] {
                    Target::Name(n, _) if !bound.contains(&n.as_str()) => {
                        let f = explain::to_math(self, e, false);
                        if crate::lang::model::mentions(&f, n) {
                            return None;
                        }
                        bound.push(n);
                        eqs.push((Math::sym(n.as_str()), f));
                    }
                    _ => return None,
                },
                _ => return None,
            }
        }
        let head = Math::call(
            name,
            params.iter().map(|p| Math::sym(p.name.as_str())).collect(),
        );
        eqs.push((head, explain::to_math(self, ret, false)));
        Some(Note::Equations(crate::explain::Equations {
            lines: eqs,
            range: None,
            shapes: Vec::new(),
            sizes: Vec::new(),
        }))
    }

    /// Whether a line of a called function would be recorded (the formula
    /// of one is built only then).
    fn inner_wanted(&self) -> bool {
        self.frames.len() == 1
            && self.opts.detail != Detail::Brief
            && self.verifying == 0
            && self.inner.len() <= MAX_INNER_LINES
    }

    /// Records a line of the function the top-level statement called: the
    /// formula as written (names, not values: they are the function's own)
    /// and the value.
    fn inner_line(&mut self, what: &str, mut members: Vec<Math>, v: &Value) {
        if !self.inner_wanted() {
            return;
        }
        if self.inner.len() < MAX_INNER_LINES {
            let f = self.calls.last().cloned().unwrap_or_default();
            members.push(self.value_math(v));
            let label = format!("in {f}: {what}");
            self.inner.push(Note::labelled(label.trim_end(), members));
        } else if self.inner.len() == MAX_INNER_LINES {
            self.inner.push(Note::prose("…"));
        }
    }

    /// One `{value:spec}` of an f-string. Specs: a width, `.Nf` (fixed
    /// places, halves to even), `.Ng` (significant digits), `d`, `.N%`.
    /// Anything else is refused rather than guessed.
    fn format_field(&self, v: &Value, spec: Option<&str>, span: Span) -> R<String> {
        let plain = match v {
            Value::Str(s) => s.to_string(),
            v => self.fmt.value(v),
        };
        let Some(spec) = spec.filter(|s| !s.is_empty()) else {
            return Ok(plain);
        };
        let bad = |why: &str| {
            LangError::new(
                ErrorKind::Value,
                format!("the format `{spec}` {why}"),
                span,
                Some("gradwork formats numbers with a width, .3f, .4g, d or .1%"),
            )
        };
        let (width, rest) = spec.split_at(
            spec.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(spec.len()),
        );
        let (places, kind) = match rest.strip_prefix('.') {
            Some(r) => {
                let (n, k) = r.split_at(r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len()));
                (
                    Some(
                        n.parse::<usize>()
                            .map_err(|_| bad("needs digits after `.`"))?,
                    ),
                    k,
                )
            }
            None => (None, rest),
        };
        if places.is_some_and(|p| p > 1000) || width.len() > 4 {
            return Err(bad("asks for too many digits"));
        }
        let text = if kind.is_empty() && places.is_none() {
            plain
        } else {
            let n = match v {
                Value::T(t) if t.ndim() == 0 => {
                    t.item().map_err(|e| LangError::from_lib(e, span))?
                }
                Value::Bool(b) => Num::int(*b as i64),
                other => {
                    return Err(bad(&format!(
                        "needs a number, not a {} (numpy arrays take no format spec either)",
                        other.type_name()
                    )))
                }
            };
            match kind {
                "f" | "F" => n.fixed(places.unwrap_or(6)),
                "%" => {
                    let pct = n
                        .mul(&Num::int(100))
                        .map_err(|e| LangError::from_lib(e, span))?;
                    format!("{}%", pct.fixed(places.unwrap_or(6)))
                }
                "d" if places.is_none() => match n.to_i64() {
                    Some(i) => i.to_string(),
                    None => return Err(bad("needs an integer")),
                },
                "g" | "" => Fmt {
                    digits: places.unwrap_or(6).max(1),
                }
                .decimal(&n),
                _ => return Err(bad("is not supported")),
            }
        };
        let width: usize = width.parse().unwrap_or(0);
        Ok(if matches!(v, Value::Str(_)) {
            format!("{text:<width$}")
        } else {
            format!("{text:>width$}")
        })
    }

    /// The 1-based line of byte `at`.
    fn line_of(&self, at: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= at)
    }

    /// A value as a formula: a number, an array (a list of numbers too),
    /// or its text.
    fn value_math(&self, v: &Value) -> Math {
        match v {
            Value::T(t) => Math::val(t),
            Value::List(_) if Self::tensorish_within(v, 1 << 16) => {
                match self.tensor(v, Span::default()) {
                    Ok(t) => Math::val(&t),
                    Err(_) => Math::Code(self.fmt.value(v)),
                }
            }
            v => Math::Code(self.fmt.value(v)),
        }
    }

    fn target_text(&self, t: &Target) -> &'s str {
        match t {
            Target::Name(_, s) | Target::Tuple(_, s) | Target::Index(_, _, s) => self.text(*s),
        }
    }

    pub(crate) fn unknown(&self, name: &str, span: Span) -> LangError {
        let mut known: Vec<String> = self.globals.keys().cloned().collect();
        if let Some(f) = self.frames.last() {
            known.extend(f.keys().cloned());
        }
        known.extend(builtins::names().map(String::from));
        // The same name in another case first (`ReLU` → `relu`), then the
        // nearest by edit distance.
        let lower = name.to_lowercase();
        let best = known
            .iter()
            .find(|k| k.to_lowercase() == lower)
            .map(|k| (0, k))
            .or_else(|| {
                // Within 2 edits the lengths differ by at most 2: only
                // those are compared (a 10,000-letter name against every
                // name would be quadratic for nothing).
                known
                    .iter()
                    .filter(|k| k.len().abs_diff(name.len()) <= 2)
                    .map(|k| (edit_distance(name, k), k))
                    .filter(|(d, k)| *d <= 2 && *d < k.len())
                    .min_by_key(|(d, _)| *d)
            });
        let hint = match name {
            // `require(x > 0)` is read as a call, as `show(x)` is.
            "require" | "show" | "check" => Some(format!(
                "`{name}` is a statement: write `{name} <condition>` with a space, not a call"
            )),
            _ => best.map(|(_, k)| format!("did you mean `{k}`?")),
        };
        LangError::new(
            ErrorKind::Name,
            format!("`{name}` is not defined"),
            span,
            hint.as_deref(),
        )
    }

    pub(crate) fn truthy(&self, v: &Value, span: Span) -> R<bool> {
        Ok(match v {
            Value::Bool(b) => *b,
            Value::None => false,
            Value::T(t) if t.len() == 1 => !t
                .item()
                .map_err(|e| LangError::from_lib(e, span))?
                .is_zero(),
            Value::T(t) => {
                return Err(LangError::new(
                    ErrorKind::Value,
                    format!(
                        "the truth of a tensor of shape {} is ambiguous",
                        shape_text(t.shape())
                    ),
                    span,
                    Some("use all(…) or any(…)"),
                ))
            }
            Value::List(l) | Value::Tuple(l) => !l.is_empty(),
            Value::Str(s) => !s.is_empty(),
            _ => true,
        })
    }

    /// Converts a value to a tensor (lists stack, booleans are 0/1). A list
    /// keeps the tensor it was made into; its rows are not given tensors of
    /// their own here, so that indexing the list later gives rows of this
    /// tensor (and gradients through `W[1][0]` reach `W`).
    pub(crate) fn tensor(&self, v: &Value, span: Span) -> R<Tensor<Num>> {
        self.tensor_of(v, span, true, 0, &mut HashMap::new())
    }

    /// `seen` holds the rows already made in this conversion, by the list
    /// they came from: a list that holds one row many times (`[t, t]`
    /// nested) is made once per row, not once per path to it.
    fn tensor_of(
        &self,
        v: &Value,
        span: Span,
        keep: bool,
        depth: usize,
        seen: &mut HashMap<*const crate::lang::value::Seq, Tensor<Num>>,
    ) -> R<Tensor<Num>> {
        if let Value::List(items) | Value::Tuple(items) = v {
            if let Some(t) = seen.get(&Rc::as_ptr(items)) {
                return Ok(t.clone());
            }
        }
        // A list nested deeper than a tensor may have dimensions (`t = [t]`
        // ten thousand times) is refused before its rows are stacked.
        if depth > crate::tensor::MAX_DIMS {
            return Err(LangError::new(
                ErrorKind::Shape,
                format!(
                    "a list nested more than {} deep cannot become a tensor",
                    crate::tensor::MAX_DIMS
                ),
                span,
                None,
            ));
        }
        if depth == 0 {
            // The shape the array would have, read along the first items
            // (a ragged list is found as it is built): `[t, t]` nested 25
            // times is refused before one row of it is made.
            let mut shape = Vec::new();
            let mut at = v;
            while let Value::List(items) | Value::Tuple(items) = at {
                if let Some(t) = items.tensor.get() {
                    shape.extend_from_slice(t.shape());
                    break;
                }
                if shape.len() > crate::tensor::MAX_DIMS {
                    break;
                }
                shape.push(items.len());
                match items.first() {
                    Some(x) => at = x,
                    None => break,
                }
            }
            if let Value::T(t) = at {
                shape.extend_from_slice(t.shape());
            }
            if shape.len() <= crate::tensor::MAX_DIMS {
                crate::tensor::check_size("array", &shape)
                    .map_err(|e| LangError::from_lib(e, span))?;
                // Each number becomes a tensor and a row of a stack: asked of
                // the budget before the first.
                let n: u64 = shape.iter().map(|&d| d as u64).product();
                crate::budget::ensure(2 * n).map_err(|e| LangError::from_lib(e, span))?;
            }
        }
        match v {
            Value::T(t) => Ok(t.clone()),
            Value::Bool(b) => Ok(Tensor::scalar(Num::int(*b as i64)).as_bool()),
            Value::List(items) | Value::Tuple(items) => {
                if let Some(t) = items.tensor.get() {
                    return Ok(t.clone());
                }
                if items.is_empty() {
                    return Tensor::zeros(&[0]).map_err(|e| LangError::from_lib(e, span));
                }
                let ts = items
                    .iter()
                    .map(|x| self.tensor_of(x, span, false, depth + 1, seen))
                    .collect::<R<Vec<_>>>()?;
                let mut whole = vec![ts.len()];
                whole.extend_from_slice(ts[0].shape());
                crate::tensor::check_size("array", &whole)
                    .map_err(|e| LangError::from_lib(e, span))?;
                if ts[0].ndim() >= crate::tensor::MAX_DIMS {
                    return Err(LangError::new(
                        ErrorKind::Shape,
                        format!(
                            "a list nested more than {} deep cannot become a tensor",
                            crate::tensor::MAX_DIMS
                        ),
                        span,
                        None,
                    ));
                }
                if ts.iter().any(|t| t.shape() != ts[0].shape()) {
                    return Err(LangError::new(
                        ErrorKind::Shape,
                        "a list whose items have different shapes cannot become a tensor",
                        span,
                        Some("every row of a nested list needs the same length"),
                    ));
                }
                let t = Tensor::stack(&ts, 0).map_err(|e| LangError::from_lib(e, span))?;
                // [True, False] is a boolean array, as numpy's.
                let t = if ts.iter().all(|t| t.is_bool()) {
                    t.as_bool()
                } else {
                    t
                };
                if !keep {
                    seen.insert(Rc::as_ptr(items), t.clone());
                    return Ok(t);
                }
                Ok(items.tensor.get_or_init(|| t).clone())
            }
            other => Err(LangError::new(
                ErrorKind::Type,
                format!("expected a number or tensor, got a {}", other.type_name()),
                span,
                None,
            )),
        }
    }

    /// Whether `v` is a number, an array, or lists of them. A list nested
    /// in itself (`l = [l, l]` thirty times: a billion leaves) is not
    /// walked beyond what a tensor may hold.
    fn tensorish(v: &Value) -> bool {
        Self::walk_tensorish(v, crate::tensor::MAX_ELEMENTS, usize::MAX)
    }

    /// Whether `v` is tensorish with at most `cap` elements: small enough
    /// to show or name in a worked step.
    pub(crate) fn tensorish_within(v: &Value, cap: usize) -> bool {
        Self::walk_tensorish(v, cap, cap)
    }

    /// Walks at most `nodes` list items and counts at most `elems` elements.
    fn walk_tensorish(v: &Value, nodes: usize, elems: usize) -> bool {
        fn rec(v: &Value, nodes: &mut usize, elems: &mut usize, depth: usize) -> bool {
            // Deeper than a tensor may have dimensions: not a tensor.
            let Some(n) = nodes
                .checked_sub(1)
                .filter(|_| depth <= crate::tensor::MAX_DIMS)
            else {
                return false;
            };
            *nodes = n;
            let leaf = |len: usize, elems: &mut usize| match elems.checked_sub(len) {
                Some(e) => {
                    *elems = e;
                    true
                }
                None => false,
            };
            match v {
                Value::T(t) => leaf(t.len(), elems),
                Value::Bool(_) => leaf(1, elems),
                Value::List(items) | Value::Tuple(items) => match items.tensor.get() {
                    Some(t) => leaf(t.len(), elems),
                    None => items.iter().all(|x| rec(x, nodes, elems, depth + 1)),
                },
                _ => false,
            }
        }
        rec(v, &mut { nodes }, &mut { elems }, 0)
    }

    pub(crate) fn eval(&mut self, e: &Expr) -> R<Value> {
        stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, || self.eval_inner(e))
    }

    fn eval_inner(&mut self, e: &Expr) -> R<Value> {
        let span = e.span;
        let lib = |r: crate::Result<Tensor<Num>>| {
            r.map(Value::T).map_err(|er| LangError::from_lib(er, span))
        };
        match &e.kind {
            // `2` is an int and `2.0` a float, as in Python: an array of
            // int literals is an integer array (numpy's int64).
            ExprKind::Num(text) => Num::parse(text)
                .map(|n| {
                    let int = text.bytes().all(|c| c.is_ascii_digit() || c == b'_');
                    let kind = if int { DType::Int } else { DType::Float };
                    Value::T(Tensor::scalar_of(n, kind))
                })
                .map_err(|er| LangError::from_lib(er, span)),
            ExprKind::Str(s) => Ok(Value::Str(s.as_str().into())),
            ExprKind::Bool(b) => Ok(Value::Bool(*b)),
            ExprKind::None => Ok(Value::None),
            ExprKind::Name(n) => self.lookup(n).ok_or_else(|| self.unknown(n, span)),
            ExprKind::Lambda(params, body) => {
                let f = FuncDef {
                    name: "<lambda>".into(),
                    params: params.clone(),
                    body: vec![Stmt {
                        kind: StmtKind::Return(Some((**body).clone())),
                        span,
                    }],
                };
                Ok(Value::Func(Rc::new(f)))
            }
            ExprKind::Comp(elt, clauses) => {
                let mut out = Vec::new();
                self.comprehension(elt, clauses, None, &mut out, span)?;
                Ok(Value::list(out))
            }
            ExprKind::List(items) => {
                let vs = items.iter().map(|x| self.eval(x)).collect::<R<Vec<_>>>()?;
                Ok(Value::list(vs))
            }
            ExprKind::FStr(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        FPart::Text(t) => out.push_str(t),
                        FPart::Field { expr, spec, debug } => {
                            let v = self.eval(expr)?;
                            if let Some(d) = debug {
                                out.push_str(d);
                            }
                            out.push_str(&self.format_field(&v, spec.as_deref(), expr.span)?);
                        }
                    }
                    string_room(out.len(), e.span)?;
                }
                Ok(Value::Str(out.into()))
            }
            ExprKind::Tuple(items) => {
                let vs = items.iter().map(|x| self.eval(x)).collect::<R<Vec<_>>>()?;
                Ok(Value::tuple(vs))
            }
            ExprKind::Neg(x) => {
                let v = self.eval(x)?;
                lib(self.tensor(&v, x.span)?.neg())
            }
            ExprKind::Pos(x) => {
                let v = self.eval(x)?;
                Ok(Value::T(self.tensor(&v, x.span)?))
            }
            ExprKind::Not(x) => {
                let v = self.eval(x)?;
                Ok(Value::Bool(!self.truthy(&v, x.span)?))
            }
            ExprKind::Invert(x) => match self.eval(x)? {
                Value::Bool(b) => Ok(Value::Bool(!b)),
                v => {
                    let t = self.tensor(&v, x.span)?;
                    // ~mask is not; ~n is −n − 1 (two's complement).
                    if t.is_bool() {
                        let one = Tensor::scalar(Num::one());
                        return lib(one.sub(&t).map(|n| n.as_bool()));
                    }
                    let minus_one = Tensor::scalar(Num::int(-1));
                    self.bitwise(BinOp::BitXor, &Value::T(t), &Value::T(minus_one), span)
                }
            },
            ExprKind::Binary(op, a, b) => {
                let (va, vb) = (self.eval(a)?, self.eval(b)?);
                self.binary(*op, va, vb, span)
            }
            ExprKind::Compare(first, rest) => {
                let mut left = self.eval(first)?;
                let mut acc: Option<Value> = None;
                for (op, rhs) in rest {
                    let right = self.eval(rhs)?;
                    let r = self.compare(*op, &left, &right, span)?;
                    acc = Some(match acc {
                        None => r,
                        Some(prev) => self.binary(BinOp::Mul, prev, r, span)?,
                    });
                    left = right;
                }
                acc.ok_or_else(|| LangError::internal("a comparison without an operator", span))
            }
            ExprKind::And(a, b) => {
                let va = self.eval(a)?;
                if !self.truthy(&va, a.span)? {
                    return Ok(va);
                }
                self.eval(b)
            }
            ExprKind::Or(a, b) => {
                let va = self.eval(a)?;
                if self.truthy(&va, a.span)? {
                    return Ok(va);
                }
                self.eval(b)
            }
            ExprKind::IfElse(c, a, b) => {
                let vc = self.eval(c)?;
                if self.truthy(&vc, c.span)? {
                    self.eval(a)
                } else {
                    self.eval(b)
                }
            }
            ExprKind::Attr(obj, name) => {
                let v = self.eval(obj)?;
                self.attr(v, name, span)
            }
            ExprKind::Index(obj, items) => {
                let v = self.eval(obj)?;
                self.index(v, items, span)
            }
            ExprKind::Call(f, args, kwargs) => {
                // A method call on a tensor: `x.sum(axis=0)`, `x.reshape(2, 3)`.
                if let ExprKind::Attr(obj, m) = &f.kind {
                    let ov = self.eval(obj)?;
                    if LIST_MUTATORS.contains(&m.as_str()) && matches!(ov, Value::List(_)) {
                        return self.mutate_list(obj, &ov, m, args, kwargs, span);
                    }
                    if m == "append" && matches!(ov, Value::T(_)) {
                        return Err(LangError::new(
                            ErrorKind::Type,
                            "a numpy array has no append",
                            span,
                            Some("collect the items in a list (`out = []`, `out.append(v)`), then np.array(out)"),
                        ));
                    }
                    if matches!(ov, Value::T(_) | Value::List(_)) {
                        let mut a = vec![(ov, obj.span)];
                        for x in args {
                            a.push((self.eval(x)?, x.span));
                        }
                        let kw = self.eval_kwargs(kwargs)?;
                        return builtins::method(self, m, a, kw, span);
                    }
                    let fv = self.attr(ov, m, f.span)?;
                    return self.call_value(fv, args, kwargs, span);
                }
                let fv = self.eval(f)?;
                // all(<generator over a domain>): a verification. Any other
                // generator is Python's, its iterable evaluated once.
                if let (Value::Builtin("all"), [g], []) = (&fv, args.as_slice(), kwargs.as_slice())
                {
                    if let ExprKind::Comp(elt, clauses) = &g.kind {
                        if let [c] = clauses.as_slice() {
                            let iv = self.eval(&c.iter)?;
                            if let Value::Domain(d) = &iv {
                                return self.verify(elt, c, d, span);
                            }
                            let mut out = Vec::new();
                            self.comprehension(elt, clauses, Some(iv), &mut out, g.span)?;
                            return self.call(
                                fv,
                                vec![(Value::list(out), g.span)],
                                Vec::new(),
                                span,
                                args,
                            );
                        }
                    }
                }
                self.call_value(fv, args, kwargs, span)
            }
        }
    }

    /// `find a in D₁, b in D₂: condition`: every candidate of the domains'
    /// product, simplest first (fewest nonzero elements, then the smallest
    /// Σ|values|, then the smallest largest denominator, then domain order),
    /// is tried; the simplest that meets the condition is bound to the names.
    /// A verification inside stops at its first failing input, which, on
    /// sequences, is a shortest one: candidates are pruned on short inputs.
    fn find(&mut self, stmt: &Stmt, vars: &[(String, Span, Expr)], cond: &Expr) -> R<()> {
        use crate::lang::domain::Domain;
        let mut doms: Vec<Rc<Domain>> = Vec::new();
        for (name, _, e) in vars {
            match self.eval(e)? {
                Value::Domain(d) => doms.push(d),
                other => {
                    return Err(LangError::new(
                        ErrorKind::Type,
                        format!(
                            "`{name}` must range over a domain, got a {}",
                            other.type_name()
                        ),
                        e.span,
                        Some("grid(lo, hi, step, shape=…), sequences(…) or product(…)"),
                    ))
                }
            }
        }
        let sizes: Vec<u128> = doms.iter().map(|d| d.len()).collect();
        let total = sizes.iter().try_fold(1u128, |a, &b| a.checked_mul(b));
        let sizes_text = sizes
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" × ");
        if total.is_none_or(|t| t > MAX_CANDIDATES) {
            return Err(LangError::new(
                ErrorKind::Limit,
                format!(
                    "the search has {} candidates ({sizes_text}), more than {MAX_CANDIDATES}",
                    total.map_or_else(|| "too many".to_string(), |t| t.to_string())
                ),
                stmt.span,
                Some("fix some names by assigning them before `find`, or use a coarser grid"),
            ));
        }
        let lib = |r: crate::Result<Num>, s: Span| r.map_err(|e| LangError::from_lib(e, s));
        // Each item's simplicity: (nonzero elements, Σ|v|, largest denominator).
        let mut stats: Vec<Vec<(usize, Num, num_bigint::BigInt)>> = Vec::new();
        for d in &doms {
            let mut col = Vec::new();
            for i in 0..d.len() {
                let t = d.get(i).map_err(|e| LangError::from_lib(e, stmt.span))?;
                let mut abs = Num::zero();
                let mut nz = 0;
                for x in t.value().iter() {
                    if !x.is_zero() {
                        nz += 1;
                    }
                    abs = lib(abs.add(&x.abs()), stmt.span)?;
                }
                // Grid values are exact: each has a denominator.
                let den = t
                    .value()
                    .iter()
                    .filter_map(|x| x.rat().map(|r| r.big().denom().clone()))
                    .max()
                    .unwrap_or_else(|| num_bigint::BigInt::from(1));
                col.push((nz, abs, den));
            }
            stats.push(col);
        }
        let total = total.unwrap_or(0);
        let index = |mut k: u128| -> Vec<usize> {
            let mut idx = vec![0; sizes.len()];
            for (slot, &n) in idx.iter_mut().zip(&sizes).rev() {
                *slot = (k % n) as usize;
                k /= n;
            }
            idx
        };
        let mut order: Vec<(usize, Num, num_bigint::BigInt, u128)> =
            Vec::with_capacity(total as usize);
        for k in 0..total {
            let idx = index(k);
            let mut nz = 0;
            let mut abs = Num::zero();
            let mut den = num_bigint::BigInt::from(1);
            for (j, &i) in idx.iter().enumerate() {
                let (n, a, q) = &stats[j][i];
                nz += n;
                abs = lib(abs.add(a), stmt.span)?;
                den = den.max(q.clone());
            }
            order.push((nz, abs, den, k));
        }
        let cmp = |a: &Num, b: &Num| a.compare(b).unwrap_or(std::cmp::Ordering::Equal);
        order.sort_by(|x, y| {
            x.0.cmp(&y.0)
                .then_with(|| cmp(&x.1, &y.1))
                .then_with(|| x.2.cmp(&y.2))
                .then_with(|| x.3.cmp(&y.3))
        });
        let names: Vec<String> = vars.iter().map(|(n, _, _)| n.clone()).collect();
        let saved: Vec<Option<Value>> = names.iter().map(|n| self.lookup(n)).collect();
        let notes_before = self.notes.len();
        self.finding += 1;
        self.verifying += 1;
        let mut found: Vec<Vec<Tensor<Num>>> = Vec::new();
        let mut solutions = 0u128;
        let mut result = Ok(());
        for (_, _, _, k) in &order {
            let items: Vec<Tensor<Num>> = match index(*k)
                .iter()
                .zip(&doms)
                .map(|(&i, d)| d.get(i as u128))
                .collect::<crate::Result<Vec<_>>>()
            {
                Ok(v) => v,
                Err(e) => {
                    result = Err(LangError::from_lib(e, stmt.span));
                    break;
                }
            };
            for (n, t) in names.iter().zip(&items) {
                self.bind(n, Value::T(t.clone()));
            }
            let holds = self.eval(cond).and_then(|v| self.holds(&v, cond.span));
            self.notes.truncate(notes_before);
            self.verified = None;
            match holds {
                Ok(true) => {
                    solutions += 1;
                    if found.len() < SHOWN_SOLUTIONS {
                        found.push(items);
                    }
                }
                Ok(false) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.finding -= 1;
        self.verifying -= 1;
        // The names hold the simplest solution, or what they held before.
        for (i, n) in names.iter().enumerate() {
            match (found.first(), &saved[i]) {
                (Some(f), _) => self.bind(n, Value::T(f[i].clone())),
                (None, Some(v)) => self.bind(n, v.clone()),
                (None, None) => {
                    self.scope_mut().remove(n);
                }
            }
        }
        result?;
        let show = |it: &Self, f: &[Tensor<Num>]| -> Vec<(String, String)> {
            names
                .iter()
                .zip(f)
                .map(|(n, t)| (n.clone(), it.fmt.tensor(t)))
                .collect()
        };
        let line = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(n, v)| format!("{n} = {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let shown: Vec<Vec<(String, String)>> = found.iter().map(|f| show(self, f)).collect();
        let tried = order.len() as u128;
        self.notes.push(Note::prose(format!(
            "tried {tried} candidate{} ({sizes_text}), simplest first (fewest nonzero elements, then the smallest sum of |values|, then the smallest largest denominator): {solutions} hold{}",
            if tried == 1 { "" } else { "s" },
            if solutions == 1 { "s" } else { "" }
        )));
        if let Some(first) = shown.first() {
            self.notes
                .push(Note::prose(format!("the simplest: {}", line(first))));
            for more in shown.iter().skip(1) {
                self.notes
                    .push(Note::prose(format!("also: {}", line(more))));
            }
            if solutions > shown.len() as u128 {
                self.notes.push(Note::prose(format!(
                    "… and {} more",
                    solutions - shown.len() as u128
                )));
            }
        } else {
            self.errors.push(LangError::new(
                ErrorKind::Check,
                format!(
                    "no design in this grid: none of the {tried} candidates meets the condition"
                ),
                stmt.span,
                Some("widen the grid or check the condition on a design you expect to work"),
            ));
        }
        if self.top_level() {
            let source = self.header(stmt);
            let mut step =
                self.step_for(stmt, StepKind::Find, None, source, Vec::new(), &Value::None);
            step.ok = solutions > 0;
            step.search = Some(Search {
                tried,
                solutions,
                bound: found
                    .first()
                    .map(|f| names.iter().cloned().zip(f.iter().cloned()).collect())
                    .unwrap_or_default(),
                shown,
            });
            self.push_checked(step, stmt.span);
        }
        Ok(())
    }

    /// Puts loop variables back as they were before a comprehension or a
    /// verification bound them (unbound if they were).
    fn restore_names(&mut self, saved: &[(String, Option<Value>)]) {
        for (n, v) in saved {
            match v {
                Some(v) => {
                    self.scope_mut().insert(n.clone(), v.clone());
                }
                None => {
                    self.scope_mut().remove(n);
                }
            }
        }
    }

    /// `all(elt for x in domain if …)` over every input of the domain (no
    /// stopping at the first failure): how many were checked and failed,
    /// the first counterexample in domain order with what each side of a
    /// comparison gave, and how many inputs met a decision boundary, as
    /// notes of the statement; the value is whether all hold.
    fn verify(
        &mut self,
        elt: &Expr,
        c: &super::parser::CompFor,
        d: &Rc<crate::lang::domain::Domain>,
        span: Span,
    ) -> R<Value> {
        let mut names = Vec::new();
        target_names(&c.target, &mut names);
        let saved: Vec<(String, Option<Value>)> = names
            .iter()
            .map(|n| (n.clone(), self.scope().get(n).cloned()))
            .collect();
        let notes_before = self.notes.len();
        self.verifying += 1;
        let watch = crate::boundary::watch();
        let r = self.verify_items(elt, c, d, span, notes_before);
        drop(watch);
        self.verifying -= 1;
        self.notes.truncate(notes_before);
        self.restore_names(&saved);
        let restore = saved;
        let v = r?;
        self.notes.extend(v.notes(self, d));
        self.verified = Some(Verification {
            verified: v.failed == 0,
            checked: v.checked,
            failed: v.failed,
            boundary: v.boundary,
            in_bulk: v.in_bulk,
            counterexample: v.counterexample.as_ref().map(|(x, sides)| {
                let sides = sides
                    .iter()
                    .flat_map(|(a, l, b, r)| {
                        [
                            (a.clone(), self.fmt.value(l)),
                            (b.clone(), self.fmt.value(r)),
                        ]
                    })
                    .collect();
                Counterexample {
                    input: x.clone(),
                    text: self.fmt.tensor(x),
                    sides,
                }
            }),
        });
        // The working of the failing call, so the reader sees where it goes
        // wrong: the rule run once more on the counterexample, its calls'
        // lines recorded as a top-level call records them.
        if let Some((x, _)) = &v.counterexample {
            if self.shown() && self.opts.detail == Detail::Full {
                self.bind_target(&c.target, Value::T(x.clone()))?;
                self.inner.clear();
                let before = self.notes.len();
                let again = self.eval(elt);
                let lines: Vec<Note> = self.notes.drain(before..).collect();
                if again.is_ok() && !lines.is_empty() {
                    self.notes.push(Note::prose(format!(
                        "the working at {} = {}:",
                        v.target,
                        self.fmt.tensor(x)
                    )));
                    self.notes.extend(lines);
                }
                self.restore_names(&restore);
            }
        }
        Ok(Value::Bool(v.failed == 0))
    }

    fn verify_items(
        &mut self,
        elt: &Expr,
        c: &super::parser::CompFor,
        d: &Rc<crate::lang::domain::Domain>,
        span: Span,
        notes_before: usize,
    ) -> R<Verdict> {
        let mut v = Verdict {
            target: self.text(target_span(&c.target)).to_string(),
            filtered: !c.conds.is_empty(),
            ..Verdict::default()
        };
        for (start, count, len) in super::bulk::groups(d) {
            if self.finding > 0 && v.failed > 0 {
                break;
            }
            let lib = |e: crate::Error| LangError::from_lib(e, span);
            // Each length is compiled for the bulk path; what does not
            // compile runs one exact call at a time.
            let compiled = if self.opts.bulk {
                match super::bulk::compile(self, elt, c, d, len) {
                    Ok(k) => Some(k),
                    Err(why) => {
                        if std::env::var_os("GRADWORK_BULK_WHY").is_some() {
                            eprintln!("bulk: length {len} runs exactly: {why}");
                        }
                        None
                    }
                }
            } else {
                None
            };
            let Some(k) = compiled else {
                for i in start..start.saturating_add(count) {
                    let item = d.get(i).map_err(lib)?;
                    self.verify_one(item, elt, c, span, notes_before, &mut v)?;
                    if self.finding > 0 && v.failed > 0 {
                        break;
                    }
                }
                continue;
            };
            let mut failure: Option<LangError> = None;
            // A search asks many candidates: only the verdicts are checked
            // exactly there (its first failure), not the first input too.
            let mut first_in_group = self.finding == 0;
            let run = k.graph.run(k.truth, &k.conds, k.len, |first, statuses| {
                use super::bulk::graph::Status;
                // A block where every input holds is counted at once.
                let holds = statuses.iter().filter(|s| **s == Status::Holds).count();
                if holds == statuses.len() && !first_in_group {
                    v.checked += holds as u128;
                    v.in_bulk += holds as u128;
                    return Ok(true);
                }
                for (j, &st) in statuses.iter().enumerate() {
                    // The common case, counted without a call.
                    if st == Status::Holds && !first_in_group {
                        v.checked += 1;
                        v.in_bulk += 1;
                        continue;
                    }
                    if st == Status::Skipped && !first_in_group {
                        continue;
                    }
                    let i = start + first as u128 + j as u128;
                    let r = (|| -> R<bool> {
                        // The first input of each length, every deferred
                        // one and the first failure (the counterexample
                        // shown) are decided exactly; where the floats had
                        // decided, they must agree. A search, which only
                        // asks whether a candidate holds, takes the floats'
                        // certified verdicts as they are.
                        if st == Status::Fails && (v.counterexample.is_some() || self.finding > 0) {
                            v.checked += 1;
                            v.failed += 1;
                            v.in_bulk += 1;
                            return Ok(self.finding == 0);
                        }
                        let item = d.get(i).map_err(lib)?;
                        let (checked, failed, boundary) = (v.checked, v.failed, v.boundary);
                        self.verify_one(item, elt, c, span, notes_before, &mut v)?;
                        let exact = if v.checked == checked {
                            Status::Skipped
                        } else if v.failed > failed {
                            Status::Fails
                        } else {
                            Status::Holds
                        };
                        if st != Status::Deferred && (exact != st || v.boundary > boundary) {
                            return Err(LangError::new(
                                ErrorKind::Internal,
                                format!(
                                    "the bulk verification and the exact one disagree at input {i} of the domain ({st:?} in floats, {exact:?} exactly)"
                                ),
                                span,
                                Some("please report this exercise; `--no-bulk` verifies one exact call at a time"),
                            ));
                        }
                        Ok(!(self.finding > 0 && v.failed > 0))
                    })();
                    first_in_group = false;
                    match r {
                        Ok(true) => {}
                        Ok(false) => return Ok(false),
                        Err(e) => {
                            failure = Some(e);
                            return Ok(false);
                        }
                    }
                }
                Ok(true)
            });
            if let Some(e) = failure {
                return Err(e);
            }
            run.map_err(lib)?;
        }
        Ok(v)
    }

    /// One input of a verification, exactly: whether it passes the `if`,
    /// whether the rule holds, whether a boundary was met; the first
    /// failure keeps what each side of a comparison gave.
    fn verify_one(
        &mut self,
        item: Tensor<Num>,
        elt: &Expr,
        c: &super::parser::CompFor,
        span: Span,
        notes_before: usize,
        v: &mut Verdict,
    ) -> R<()> {
        crate::budget::charge(1)
            .and_then(|()| crate::budget::check())
            .map_err(|e| LangError::from_lib(e, span))?;
        self.bind_target(&c.target, Value::T(item.clone()))?;
        let mut keep = true;
        for cond in &c.conds {
            let t = self.eval(cond)?;
            keep &= self.truthy(&t, cond.span)?;
        }
        if !keep {
            crate::boundary::take();
            return Ok(());
        }
        let x = self.eval(elt)?;
        let holds = self.holds(&x, elt.span)?;
        self.notes.truncate(notes_before);
        v.checked += 1;
        if crate::boundary::take() > 0 {
            v.boundary += 1;
            if v.first_boundary.is_none() {
                v.first_boundary = Some(item.clone());
            }
        }
        if !holds {
            v.failed += 1;
            // A search only asks whether it holds: the first failure
            // (on the shortest inputs, first in order) rules it out.
            if v.counterexample.is_none() && self.finding == 0 {
                let sides = match &elt.kind {
                    ExprKind::Compare(a, rest) if rest.len() == 1 => {
                        let (l, r) = (self.eval(a)?, self.eval(&rest[0].1)?);
                        crate::boundary::take();
                        self.notes.truncate(notes_before);
                        Some((
                            self.text(a.span).to_string(),
                            l,
                            self.text(rest[0].1.span).to_string(),
                            r,
                        ))
                    }
                    _ => None,
                };
                v.counterexample = Some((item, sides));
            }
        }
        Ok(())
    }

    fn eval_kwargs(&mut self, kwargs: &[super::parser::Kwarg]) -> R<Vec<(String, Value, Span)>> {
        kwargs
            .iter()
            .map(|k| Ok((k.name.clone(), self.eval(&k.value)?, k.span)))
            .collect()
    }

    fn call_value(
        &mut self,
        fv: Value,
        args: &[Expr],
        kwargs: &[super::parser::Kwarg],
        span: Span,
    ) -> R<Value> {
        let mut a = Vec::with_capacity(args.len());
        for x in args {
            a.push((self.eval(x)?, x.span));
        }
        let kw = self.eval_kwargs(kwargs)?;
        self.call(fv, a, kw, span, args)
    }

    pub(crate) fn call(
        &mut self,
        fv: Value,
        args: Vec<(Value, Span)>,
        kw: Vec<(String, Value, Span)>,
        span: Span,
        arg_exprs: &[Expr],
    ) -> R<Value> {
        match fv {
            Value::Builtin(name) => builtins::call(self, name, args, kw, span, arg_exprs),
            Value::Func(f) => self.call_user(&f, args, kw, span),
            Value::Act(a) => builtins::call(self, a.name(), args, kw, span, arg_exprs),
            Value::Metric(m) => builtins::call(self, m.name(), args, kw, span, arg_exprs),
            Value::Module(m) => {
                let x = builtins::one_tensor(self, &m.title(), &args, span)?;
                m.forward(&x)
                    .map(Value::T)
                    .map_err(|e| LangError::from_lib(e, span))
            }
            other => Err(LangError::new(
                ErrorKind::Type,
                format!("a {} cannot be called", other.type_name()),
                span,
                None,
            )),
        }
    }

    fn call_user(
        &mut self,
        f: &FuncDef,
        args: Vec<(Value, Span)>,
        kw: Vec<(String, Value, Span)>,
        span: Span,
    ) -> R<Value> {
        // A call is work too (a call evaluated in a default argument runs
        // no statement that would count it).
        crate::budget::charge(1).map_err(|e| LangError::from_lib(e, span))?;
        if self.frames.len() + self.in_defaults >= CALL_DEPTH_LIMIT {
            return Err(LangError::new(
                ErrorKind::Limit,
                format!("functions called each other more than {CALL_DEPTH_LIMIT} deep"),
                span,
                Some("a recursion without a base case?"),
            ));
        }
        if args.len() > f.params.len() {
            return Err(LangError::new(
                ErrorKind::Type,
                format!(
                    "{}() takes {} arguments but {} were given",
                    f.name,
                    f.params.len(),
                    args.len()
                ),
                args[f.params.len()].1,
                None,
            ));
        }
        let mut frame = HashMap::new();
        for (p, (v, _)) in f.params.iter().zip(args.iter()) {
            frame.insert(p.name.clone(), v.clone());
        }
        for (k, v, s) in kw {
            if !f.params.iter().any(|p| p.name == k) {
                return Err(LangError::new(
                    ErrorKind::Type,
                    format!("{}() has no parameter `{k}`", f.name),
                    s,
                    None,
                ));
            }
            if frame.insert(k.clone(), v).is_some() {
                return Err(LangError::new(
                    ErrorKind::Type,
                    format!("`{k}` is given twice"),
                    s,
                    None,
                ));
            }
        }
        for p in &f.params {
            if !frame.contains_key(&p.name) {
                let Some(d) = &p.default else {
                    return Err(LangError::new(
                        ErrorKind::Type,
                        format!("{}() is missing the argument `{}`", f.name, p.name),
                        span,
                        None,
                    ));
                };
                // `def g(x=g())`: the default calls g again before g's
                // frame exists; those calls count toward the depth.
                self.in_defaults += 1;
                let v = self.eval(d);
                self.in_defaults -= 1;
                frame.insert(p.name.clone(), v?);
            }
        }
        self.frames.push(frame);
        // Deep user recursion (up to CALL_DEPTH_LIMIT) gets more stack as it
        // needs it, on any thread.
        let notes_before = self.notes.len();
        let from_top = self.frames.len() == 1;
        self.calls.push(f.name.clone());
        let r = stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || self.exec_block(&f.body));
        self.calls.pop();
        self.frames.pop();
        // Built-ins called inside a function don't annotate the caller's step;
        // a multi-statement function called from the top level shows its
        // own lines instead (a single `return` is already inlined).
        // Its figures are kept: they picture the lines shown.
        let figures: Vec<Note> = self
            .notes
            .drain(notes_before.min(self.notes.len())..)
            .filter(|n| matches!(n, Note::Figure(_)))
            .take(MAX_INNER_FIGURES)
            .collect();
        if from_top {
            let lines = std::mem::take(&mut self.inner);
            if f.body.len() > 1 && self.verifying == 0 {
                self.notes.extend(lines);
                self.notes.extend(figures);
            }
        }
        match r? {
            Flow::Return(v) => Ok(v),
            _ => Ok(Value::None),
        }
    }

    pub(crate) fn binary(&mut self, op: BinOp, a: Value, b: Value, span: Span) -> R<Value> {
        if let (Value::Str(x), Value::Str(y), BinOp::Add) = (&a, &b, op) {
            string_room(x.len() + y.len(), span)?;
            return Ok(Value::Str(format!("{x}{y}").into()));
        }
        if let Some(v) = self.sequence_op(op, &a, &b, span)? {
            // Said once per file: Python's reading may not be the one meant.
            let why = if op == BinOp::Add {
                "`+` joins Python lists; np.array(a) + np.array(b) adds elementwise"
            } else {
                "`*` by an integer repeats a Python list; np.array(a) * n multiplies each element"
            };
            if self.lists_read.insert(why.to_string()) {
                self.notes
                    .push(Note::prose(format!("`{}`: {why}", self.text(span))));
            }
            return Ok(v);
        }
        let array = |v: &Value| matches!(v, Value::T(t) if t.ndim() > 0);
        let seq = |v: &Value| matches!(v, Value::List(_) | Value::Tuple(_));
        if (seq(&a) || seq(&b)) && !array(&a) && !array(&b) {
            // Not Python (a list has no `-`, `/`, `@`, …): the shortcut the
            // seed exercises write, read as numpy would read np.array(…).
            let why = format!("Python has no `{}` for lists", op.text());
            self.list_read_as_array(span, &why);
        }
        if !Self::tensorish(&a) || !Self::tensorish(&b) {
            return Err(LangError::new(
                ErrorKind::Type,
                format!(
                    "`{}` between a {} and a {}",
                    op.text(),
                    a.type_name(),
                    b.type_name()
                ),
                span,
                None,
            ));
        }
        let (x, y) = (self.tensor(&a, span)?, self.tensor(&b, span)?);
        let r = match op {
            BinOp::Add => x.add(&y),
            BinOp::Sub => x.sub(&y),
            BinOp::Mul => x.mul(&y),
            BinOp::Div => x.div(&y),
            BinOp::Pow => x.pow(&y),
            BinOp::MatMul => x.matmul(&y),
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                return self.bitwise(op, &Value::T(x), &Value::T(y), span)
            }
            BinOp::FloorDiv | BinOp::Mod => builtins::floor_div(&x, &y, op == BinOp::Mod),
        };
        r.map(Value::T).map_err(|e| LangError::from_lib(e, span))
    }

    /// Python's operators on sequences: `+` joins two lists (or two
    /// tuples), `*` by an integer repeats one. `None` for everything else.
    fn sequence_op(&self, op: BinOp, a: &Value, b: &Value, span: Span) -> R<Option<Value>> {
        let seq = |v: &Value| matches!(v, Value::List(_) | Value::Tuple(_));
        match (op, a, b) {
            (BinOp::Add, Value::List(x), Value::List(y)) => {
                self.room_for(x.len().saturating_add(y.len()), span)?;
                Ok(Some(Value::list(
                    x.iter().chain(y.iter()).cloned().collect(),
                )))
            }
            (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
                self.room_for(x.len().saturating_add(y.len()), span)?;
                Ok(Some(Value::tuple(
                    x.iter().chain(y.iter()).cloned().collect(),
                )))
            }
            (BinOp::Mul, s, n) | (BinOp::Mul, n, s) if seq(s) && !seq(n) => {
                let Some(times) = self.python_int(n) else {
                    return Ok(None);
                };
                let (Value::List(items) | Value::Tuple(items)) = s else {
                    unreachable!("checked by seq")
                };
                let times = usize::try_from(times).unwrap_or(0);
                self.room_for(items.len().saturating_mul(times), span)?;
                // `[] * 10**18` is `[]` at once (not 10¹⁸ rounds of nothing).
                let out: Vec<Value> = if items.is_empty() {
                    Vec::new()
                } else {
                    (0..times).flat_map(|_| items.iter().cloned()).collect()
                };
                Ok(Some(if matches!(s, Value::List(_)) {
                    Value::list(out)
                } else {
                    Value::tuple(out)
                }))
            }
            _ => Ok(None),
        }
    }

    /// Checks, before a list or tuple of `n` items is built, that it stays
    /// within the size of a tensor ([`crate::tensor::MAX_ELEMENTS`] items),
    /// and charges copying them.
    fn room_for(&self, n: usize, span: Span) -> R<()> {
        crate::tensor::check_size("a list", &[n])
            .and_then(|()| crate::budget::charge(n as u64 / 8))
            .map_err(|e| LangError::from_lib(e, span))
    }

    /// An integer as Python's `int` (or `bool`): what `[0] * n` repeats by.
    fn python_int(&self, v: &Value) -> Option<i64> {
        match v {
            Value::Bool(b) => Some(*b as i64),
            Value::T(t) if t.ndim() == 0 => t.item().ok().and_then(|n| n.to_i64()),
            _ => None,
        }
    }

    /// Python's `==` on lists, tuples and what they hold.
    /// Each comparison is a unit of work, and a list equals itself without a
    /// look inside (Python's identity shortcut).
    pub(crate) fn python_eq(&self, a: &Value, b: &Value, span: Span) -> R<bool> {
        crate::budget::charge(1).map_err(|e| LangError::from_lib(e, span))?;
        Ok(match (a, b) {
            (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y))
                if Rc::ptr_eq(x, y) =>
            {
                true
            }
            (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
                if x.len() != y.len() {
                    return Ok(false);
                }
                for (p, q) in x.iter().zip(y.iter()) {
                    // Nested lists may be deeper than the stack.
                    let eq =
                        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.python_eq(p, q, span))?;
                    if !eq {
                        return Ok(false);
                    }
                }
                true
            }
            (Value::List(_) | Value::Tuple(_), _) | (_, Value::List(_) | Value::Tuple(_)) => false,
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::None, Value::None) => true,
            (x, y) if Self::tensorish(x) && Self::tensorish(y) => {
                let (p, q) = (self.tensor(x, span)?, self.tensor(y, span)?);
                if p.ndim() > 0 || q.ndim() > 0 {
                    return Err(LangError::new(
                        ErrorKind::Value,
                        "comparing lists that hold arrays is ambiguous",
                        span,
                        Some("compare np.array(…) elementwise, with all(…) or any(…)"),
                    ));
                }
                p.item()
                    .and_then(|p| p.eq_num(&q.item()?))
                    .map_err(|e| LangError::from_lib(e, span))?
            }
            _ => false,
        })
    }

    /// `x in c`: Python's membership for lists, tuples, ranges and strings;
    /// numpy's `(c == x).any()` for an array.
    fn contains(&mut self, c: &Value, x: &Value, span: Span) -> R<bool> {
        match c {
            Value::List(items) | Value::Tuple(items) => {
                for v in items.iter() {
                    if self.python_eq(v, x, span)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Str(s) => match x {
                Value::Str(t) => Ok(s.contains(&**t)),
                _ => Err(LangError::new(
                    ErrorKind::Type,
                    "`in` a string needs a string on the left",
                    span,
                    None,
                )),
            },
            Value::Range(a, b, step) => {
                let Some(n) = self.python_int(x) else {
                    return Ok(false);
                };
                let (n, a, b, step) = (n as i128, *a as i128, *b as i128, *step as i128);
                let inside = if step > 0 {
                    a <= n && n < b
                } else {
                    b < n && n <= a
                };
                Ok(inside && (n - a) % step == 0)
            }
            Value::T(t) if t.ndim() > 0 => {
                let y = self.tensor(x, span)?;
                let eq = t.eq(&y).map_err(|e| LangError::from_lib(e, span))?;
                Ok(eq.value().iter().any(|v| !v.is_zero()))
            }
            other => Err(LangError::new(
                ErrorKind::Type,
                format!(
                    "`in` needs a list, tuple, range, string or array, not a {}",
                    other.type_name()
                ),
                span,
                None,
            )),
        }
    }

    /// `&`, `|`, `^` elementwise: logical on booleans, bitwise on integers,
    /// as numpy's; anything else (fractions) is refused as numpy refuses
    /// floats.
    fn bitwise(&self, op: BinOp, a: &Value, b: &Value, span: Span) -> R<Value> {
        let (x, y) = (self.tensor(a, span)?, self.tensor(b, span)?);
        let shape = crate::tensor::broadcast_shape(x.shape(), y.shape(), op.text())
            .map_err(|e| LangError::from_lib(e, span))?;
        let int = |n: &Num| -> R<num_bigint::BigInt> {
            match n.as_exact() {
                Some(r) if r.is_integer() => Ok(r.numer().clone()),
                _ => Err(LangError::new(
                    ErrorKind::Type,
                    format!("`{}` takes booleans or integers, not {}", op.text(), self.fmt.full(n)),
                    span,
                    Some("compare first, e.g. (a > 0) & (b > 0): comparisons bind less tightly than `&`"),
                )),
            }
        };
        let (xv, yv) = (
            spread(&x, &shape, op.text(), span)?,
            spread(&y, &shape, op.text(), span)?,
        );
        let mut out = Vec::with_capacity(xv.len());
        for (p, q) in xv.iter().zip(yv.iter()) {
            let (p, q) = (int(p)?, int(q)?);
            let r = match op {
                BinOp::BitAnd => p & q,
                BinOp::BitOr => p | q,
                _ => p ^ q,
            };
            out.push(Num::from(num_rational::BigRational::from_integer(r)));
        }
        let t = Tensor::from_vec(out, &shape).map_err(|e| LangError::from_lib(e, span))?;
        Ok(Value::T(if x.is_bool() && y.is_bool() {
            t.as_bool()
        } else {
            t
        }))
    }

    fn compare(&mut self, op: CmpOp, a: &Value, b: &Value, span: Span) -> R<Value> {
        // Python compares a list as a whole: [1, 2] == [1, 2] is True and
        // [1, 2] == 2 is False (np.array(…) == 2 compares elementwise).
        match op {
            CmpOp::In | CmpOp::NotIn => {
                let found = self.contains(b, a, span)?;
                return Ok(Value::Bool(found == (op == CmpOp::In)));
            }
            CmpOp::Is | CmpOp::IsNot => {
                let same = match (a, b) {
                    (Value::None, Value::None) => true,
                    (Value::Bool(x), Value::Bool(y)) => x == y,
                    (Value::T(x), Value::T(y)) => x.id() == y.id(),
                    (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => {
                        Rc::ptr_eq(x, y)
                    }
                    _ => false,
                };
                return Ok(Value::Bool(same == (op == CmpOp::Is)));
            }
            _ => {}
        }
        let array = |v: &Value| matches!(v, Value::T(t) if t.ndim() > 0);
        let seq = |v: &Value| matches!(v, Value::List(_) | Value::Tuple(_));
        if matches!(op, CmpOp::Eq | CmpOp::Ne) && (seq(a) || seq(b)) && !array(a) && !array(b) {
            let same = self.python_eq(a, b, span)?;
            return Ok(Value::Bool(same == (op == CmpOp::Eq)));
        }
        if Self::tensorish(a) && Self::tensorish(b) {
            let (x, y) = (self.tensor(a, span)?, self.tensor(b, span)?);
            let r = match op {
                CmpOp::Eq => x.eq(&y),
                CmpOp::Ne => x.ne(&y),
                CmpOp::Lt => x.lt(&y),
                CmpOp::Le => x.le(&y),
                CmpOp::Gt => x.gt(&y),
                CmpOp::Ge => x.ge(&y),
                CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot => {
                    unreachable!("decided above")
                }
            };
            return r.map(Value::T).map_err(|e| LangError::from_lib(e, span));
        }
        let same = match (a, b) {
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::None, Value::None) => true,
            _ => false,
        };
        match op {
            CmpOp::Eq => Ok(Value::Bool(same)),
            CmpOp::Ne => Ok(Value::Bool(!same)),
            _ => Err(LangError::new(
                ErrorKind::Type,
                format!("cannot order a {} and a {}", a.type_name(), b.type_name()),
                span,
                None,
            )),
        }
    }

    /// Says, once per file for each reason, that a list was used where Python would not
    /// take one (`E[:, 0]`, `a - b`, `X.T`) and was read as numpy reads
    /// np.array(…): the shortcut the seed exercises write.
    fn list_read_as_array(&mut self, span: Span, why: &str) {
        if !self.lists_read.insert(why.to_string()) {
            return;
        }
        self.notes.push(Note::prose(format!(
            "a list is read as an array in `{}` ({why}; np.array(…) makes the reading explicit)",
            self.text(span)
        )));
    }

    fn attr(&mut self, v: Value, name: &str, span: Span) -> R<Value> {
        match &v {
            Value::List(_) | Value::Tuple(_)
                if Self::tensorish(&v) && matches!(name, "T" | "shape" | "ndim" | "size") =>
            {
                let why = format!("a Python list has no `.{name}`");
                self.list_read_as_array(span, &why);
                let t = self.tensor(&v, span)?;
                self.attr(Value::T(t), name, span)
            }
            Value::Namespace(ns) => builtins::resolve(ns, name).ok_or_else(|| {
                if builtins::lookup(name).is_some() {
                    let hint = format!("gradwork's own built-in is `{name}`, without `{ns}.`");
                    return LangError::new(
                        ErrorKind::Name,
                        format!("`{ns}.{name}` does not exist in {ns}"),
                        span,
                        Some(&hint),
                    );
                }
                LangError::new(
                    ErrorKind::Name,
                    format!("`{ns}.{name}` is not available in gradwork"),
                    span,
                    Some("docs/language.md lists every built-in"),
                )
            }),
            Value::T(t) => match name {
                "T" => t
                    .t()
                    .map(Value::T)
                    .map_err(|e| LangError::from_lib(e, span)),
                "shape" => Ok(Value::tuple(
                    t.shape().iter().map(|&d| Value::int(d as i64)).collect(),
                )),
                "ndim" => Ok(Value::int(t.ndim() as i64)),
                "size" => Ok(Value::int(t.len() as i64)),
                _ => Err(LangError::new(
                    ErrorKind::Name,
                    format!("a tensor has no attribute `{name}`"),
                    span,
                    Some("tensors have .T, .shape, .ndim, .size and numpy's methods"),
                )),
            },
            Value::Module(m) => {
                let found = m.get(name).map_err(|e| LangError::from_lib(e, span))?;
                found.map(|t| Value::T(t.clone())).ok_or_else(|| {
                    let names: Vec<String> = m.shapes().into_iter().map(|p| p.name).collect();
                    LangError::new(
                        ErrorKind::Name,
                        format!("{} has no parameter `{name}`", m.title()),
                        span,
                        Some(&format!("its parameters are {}", names.join(", "))),
                    )
                })
            }
            other => Err(LangError::new(
                ErrorKind::Type,
                format!("a {} has no attribute `{name}`", other.type_name()),
                span,
                None,
            )),
        }
    }

    fn int_of(&mut self, e: &Expr) -> R<i64> {
        let v = self.eval(e)?;
        let t = self.tensor(&v, e.span)?;
        t.item().ok().and_then(|n| n.to_i64()).ok_or_else(|| {
            LangError::new(ErrorKind::Type, "an index must be an integer", e.span, None)
        })
    }

    /// `a:b:c` of an index, its parts evaluated.
    fn slice_idx(&mut self, a: &Option<Expr>, b: &Option<Expr>, c: &Option<Expr>) -> R<Idx> {
        let mut get = |x: &Option<Expr>| -> R<Option<i64>> {
            match x {
                None => Ok(None),
                Some(e) => Ok(Some(self.int_of(e)?)),
            }
        };
        let (start, stop) = (get(a)?, get(b)?);
        let step = get(c)?.unwrap_or(1);
        Ok(Idx::Range { start, stop, step })
    }

    /// The position `items` (one integer, negative from the end) names in a
    /// list of `len` items.
    fn list_position(&mut self, items: &[IndexItem], len: usize, span: Span) -> R<usize> {
        let [IndexItem::Expr(e)] = items else {
            return Err(LangError::new(
                ErrorKind::Type,
                "a list takes one integer index",
                span,
                None,
            ));
        };
        let i = self.int_of(e)?;
        let n = len as i64;
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return Err(LangError::new(
                ErrorKind::Shape,
                format!("index {i} is out of range for {n} items"),
                e.span,
                None,
            ));
        }
        Ok(j as usize)
    }

    fn index(&mut self, v: Value, items: &[IndexItem], span: Span) -> R<Value> {
        if let Value::List(l) | Value::Tuple(l) = &v {
            match items {
                // l[1:3], l[::-1]: a list (or tuple) again, as Python slices.
                [IndexItem::Slice(a, b, c)] => {
                    let idx = self.slice_idx(a, b, c)?;
                    let n = l.len();
                    let positions = Tensor::from_vec((0..n as i64).map(Num::int).collect(), &[n])
                        .and_then(|p| p.slice(&[idx]))
                        .map_err(|e| LangError::from_lib(e, span))?;
                    let picked: Vec<Value> = positions
                        .value()
                        .iter()
                        .filter_map(|p| p.to_i64())
                        .map(|p| l[p as usize].clone())
                        .collect();
                    return Ok(if matches!(v, Value::List(_)) {
                        Value::list(picked)
                    } else {
                        Value::tuple(picked)
                    });
                }
                [IndexItem::Expr(e)]
                    if {
                        let i = self.eval(e)?;
                        matches!(&i, Value::T(t) if t.ndim() == 0) || matches!(i, Value::Bool(_))
                    } =>
                {
                    let j = self.list_position(items, l.len(), span)?;
                    // The item of a list that stands for an array is that
                    // array's row, so `L = w[0]·w[1]` is computed from `w`
                    // and grad(L, w) finds it; a row that is a list stays a
                    // list (its array is the row).
                    if let Some(t) = l.tensor.get() {
                        if let Ok(row) = t.slice(&[Idx::At(j as i64)]) {
                            return Ok(match &l[j] {
                                // The very row (Python's identity), whose
                                // array is now this row of the list's.
                                Value::List(inner) => {
                                    let _ = inner.tensor.set(row);
                                    l[j].clone()
                                }
                                Value::T(_) if row.ndim() == 0 => Value::T(row),
                                other => other.clone(),
                            });
                        }
                    }
                    return Ok(l[j].clone());
                }
                // E[:, :2] or E[mask] is not Python (a list takes one
                // integer or a slice): read as np.array(E)[…].
                _ => {
                    self.list_read_as_array(span, "a Python list takes one integer or a slice");
                }
            }
        }
        let t = self.tensor(&v, span)?;
        // Basic indexes (integers, slices, None) and numpy's advanced ones
        // (integer arrays, boolean masks), each evaluated once.
        let mut idx = Vec::new();
        let mut arrays: Vec<(usize, Tensor<Num>, Span)> = Vec::new();
        for (k, it) in items.iter().enumerate() {
            match it {
                IndexItem::Expr(e) => {
                    let iv = self.eval(e)?;
                    // A list as an index is an array of indices or a mask.
                    let iv = match iv {
                        Value::List(_) => Value::T(self.tensor(&iv, e.span)?),
                        other => other,
                    };
                    match iv {
                        Value::None => idx.push(Idx::NewAxis),
                        Value::T(m) if m.ndim() >= 1 || m.is_bool() => {
                            arrays.push((k, m, e.span));
                            idx.push(Idx::all());
                        }
                        other => {
                            let i = self
                                .tensor(&other, e.span)?
                                .item()
                                .ok()
                                .and_then(|n| n.to_i64());
                            let i = i.ok_or_else(|| {
                                LangError::new(
                                    ErrorKind::Type,
                                    "an index must be an integer",
                                    e.span,
                                    None,
                                )
                            })?;
                            idx.push(Idx::At(i));
                        }
                    }
                }
                IndexItem::Slice(a, b, c) => idx.push(self.slice_idx(a, b, c)?),
            }
        }
        let lib = |e| LangError::from_lib(e, span);
        match arrays.as_slice() {
            [] => t.slice(&idx).map(Value::T).map_err(lib),
            // One array on the first axis (E[labels == 1], E[[3, 6, 1]],
            // X[mask, 1]): those rows, then the other indexes on each.
            [(0, m, ms)] => {
                let rows = match self.select_rows(&t, m, *ms, span)? {
                    Value::T(r) => r,
                    _ => unreachable!("select_rows gives a tensor"),
                };
                if idx.len() == 1 {
                    return Ok(Value::T(rows));
                }
                let mut rest = vec![Idx::all()];
                rest.extend(idx[1..].iter().cloned());
                rows.slice(&rest).map(Value::T).map_err(lib)
            }
            // Two on the first two axes (p[np.arange(n), targets]): the
            // elements at the pairs of positions, as numpy pairs them.
            [(0, a, sa), (1, b, sb)] if idx.len() == 2 => {
                let (ia, ib) = (self.positions(a, *sa)?, self.positions(b, *sb)?);
                let n = if ia.len() == 1 { ib.len() } else { ia.len() };
                if !(ia.len() == n || ia.len() == 1) || !(ib.len() == n || ib.len() == 1) {
                    return Err(LangError::new(
                        ErrorKind::Shape,
                        format!("index arrays of {} and {} positions do not pair up", ia.len(), ib.len()),
                        span,
                        Some("numpy pairs the i-th row index with the i-th column index"),
                    ));
                }
                crate::budget::ensure(4 * n as u64).map_err(lib)?;
                let picked = (0..n)
                    .map(|k| {
                        let i = ia[if ia.len() == 1 { 0 } else { k }];
                        let j = ib[if ib.len() == 1 { 0 } else { k }];
                        t.slice(&[Idx::At(i), Idx::At(j)])
                    })
                    .collect::<crate::Result<Vec<_>>>()
                    .map_err(lib)?;
                if picked.is_empty() {
                    return Tensor::zeros(&[0])
                        .map(Value::T)
                        .map_err(|e| LangError::from_lib(e, span));
                }
                Tensor::stack(&picked, 0).map(Value::T).map_err(lib)
            }
            _ => Err(LangError::new(
                ErrorKind::Type,
                "this combination of array indexes is not supported",
                span,
                Some("index rows with one array (X[mask], X[mask, 1]) or pair two (X[rows, cols]); or index in two steps"),
            )),
        }
    }

    /// The rows a first-axis index array picks: a mask's true rows, or the
    /// rows an integer array names.
    fn select_rows(&self, t: &Tensor<Num>, m: &Tensor<Num>, ms: Span, span: Span) -> R<Value> {
        if t.ndim() == 0 {
            // numpy: IndexError, too many indices for a 0-d array.
            return Err(LangError::new(
                ErrorKind::Shape,
                "a number has no rows to index",
                span,
                Some("index arrays select rows of an array with at least one axis"),
            ));
        }
        if m.is_bool() {
            return self.select(t, m, ms, span);
        }
        let positions = self.positions(m, ms)?;
        // Each row is a slice, then a row of the stack: asked of the budget
        // before the first one.
        crate::budget::ensure(4 * positions.len() as u64)
            .map_err(|er| LangError::from_lib(er, ms))?;
        let rows = positions
            .into_iter()
            .map(|i| {
                t.slice(&[Idx::At(i)])
                    .map_err(|er| LangError::from_lib(er, ms))
            })
            .collect::<R<Vec<_>>>()?;
        if rows.is_empty() {
            let mut empty = vec![0];
            empty.extend_from_slice(&t.shape()[1..]);
            return Tensor::zeros(&empty)
                .map(Value::T)
                .map_err(|e| LangError::from_lib(e, span));
        }
        // E[idx] with idx of shape [n, m] has shape [n, m, …] (numpy).
        let mut shape: Vec<i64> = m.shape().iter().map(|&d| d as i64).collect();
        shape.extend(t.shape()[1..].iter().map(|&d| d as i64));
        Tensor::stack(&rows, 0)
            .and_then(|r| r.reshape(&shape))
            .map(Value::T)
            .map_err(|er| LangError::from_lib(er, span))
    }

    /// The positions an index array names: its integers, or where a mask
    /// is true.
    fn positions(&self, m: &Tensor<Num>, ms: Span) -> R<Vec<i64>> {
        if m.is_bool() {
            return Ok(m
                .value()
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_zero())
                .map(|(i, _)| i as i64)
                .collect());
        }
        m.value()
            .iter()
            .map(|n| {
                n.to_i64().ok_or_else(|| {
                    LangError::new(ErrorKind::Type, "index arrays hold integers", ms, None)
                })
            })
            .collect()
    }
}

impl Interp<'_> {
    /// The items of a comprehension, clause by clause. Its names are its
    /// own, as in Python 3: a name bound before keeps its value after.
    /// The items of a comprehension into `out`; `first` is the first
    /// clause's iterable when it was evaluated already.
    fn comprehension(
        &mut self,
        elt: &Expr,
        clauses: &[super::parser::CompFor],
        first: Option<Value>,
        out: &mut Vec<Value>,
        span: Span,
    ) -> R<()> {
        let Some((c, rest)) = clauses.split_first() else {
            out.push(self.eval(elt)?);
            return Ok(());
        };
        let iv = match first {
            Some(v) => v,
            None => self.eval(&c.iter)?,
        };
        let items = self.iterate(&iv, c.iter.span)?;
        let mut names = Vec::new();
        target_names(&c.target, &mut names);
        let saved: Vec<(String, Option<Value>)> = names
            .iter()
            .map(|n| (n.clone(), self.scope().get(n).cloned()))
            .collect();
        let mut result = Ok(());
        for item in items {
            if let Err(e) = self
                .tick(span)
                .and_then(|()| self.bind_target(&c.target, item))
            {
                result = Err(e);
                break;
            }
            let mut keep = true;
            for cond in &c.conds {
                let v = match self.eval(cond) {
                    Ok(v) => v,
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                };
                match self.truthy(&v, cond.span) {
                    Ok(t) => keep &= t,
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            if result.is_err() {
                break;
            }
            if keep {
                if let Err(e) = self.comprehension(elt, rest, None, out, span) {
                    result = Err(e);
                    break;
                }
            }
        }
        self.restore_names(&saved);
        result
    }

    /// `name[items] = v`: a new value with the element or slice replaced,
    /// bound to every name that holds the old one (numpy changes the array
    /// in place). A Python list takes one integer index.
    fn assign_item(&mut self, base: &Expr, items: &[IndexItem], v: Value, span: Span) -> R<()> {
        match &base.kind {
            ExprKind::Name(n) => {
                let old = self.lookup(n).ok_or_else(|| self.unknown(n, base.span))?;
                let new = self.with_item(&old, items, v, span)?;
                self.rebind_same(&old, &new);
                self.bind(n, new);
                Ok(())
            }
            // M[i][j] = v: the row M[i] changed, then put back into M. In
            // Python every slot that holds that very row sees the change
            // (`[[0] * 3] * 3` has one row three times), so all of them get it.
            ExprKind::Index(outer, outer_items) => {
                let old = self.eval(base)?;
                let new = self.with_item(&old, items, v, span)?;
                self.rebind_same(&old, &new);
                let container = self.eval(outer)?;
                if let (Value::List(rows), Value::List(row)) = (&container, &old) {
                    if rows
                        .iter()
                        .filter(|r| matches!(r, Value::List(x) if Rc::ptr_eq(x, row)))
                        .count()
                        > 1
                    {
                        let replaced: Vec<Value> = rows
                            .iter()
                            .map(|r| match r {
                                Value::List(x) if Rc::ptr_eq(x, row) => new.clone(),
                                other => other.clone(),
                            })
                            .collect();
                        return self.assign_whole(outer, &container, Value::list(replaced), span);
                    }
                }
                self.assign_item(outer, outer_items, new, span)
            }
            _ => Err(LangError::syntax(
                "assign to an element of a name",
                span,
                None,
            )),
        }
    }

    /// Replaces the value `outer` evaluates to (`old`) by `new`: a name is
    /// rebound, an element is assigned.
    fn assign_whole(&mut self, outer: &Expr, old: &Value, new: Value, span: Span) -> R<()> {
        match &outer.kind {
            ExprKind::Name(n) => {
                self.rebind_same(old, &new);
                self.bind(n, new);
                Ok(())
            }
            ExprKind::Index(b, it) => self.assign_item(b, it, new, span),
            _ => Err(LangError::syntax(
                "assign to an element of a name",
                span,
                None,
            )),
        }
    }

    /// `old` with the element or slice `items` replaced by `v`.
    fn with_item(&mut self, old: &Value, items: &[IndexItem], v: Value, span: Span) -> R<Value> {
        Ok(match old {
            Value::List(l) => {
                let j = self.list_position(items, l.len(), span)?;
                let mut items = l.to_vec();
                items[j] = v;
                Value::list(items)
            }
            Value::T(t) if t.ndim() > 0 => {
                // x[mask] = v: the places where the mask is true (numpy).
                if let [IndexItem::Expr(e)] = items {
                    let m = self.eval(e)?;
                    let m = match m {
                        Value::List(_) => Value::T(self.tensor(&m, e.span)?),
                        other => other,
                    };
                    if let Value::T(m) = &m {
                        if m.is_bool() && m.ndim() > 0 {
                            return self.assign_masked(t, m, &v, e.span, span);
                        }
                    }
                }
                let mut idx = Vec::new();
                for it in items {
                    match it {
                        IndexItem::Expr(e) => idx.push(Idx::At(self.int_of(e)?)),
                        IndexItem::Slice(a, b, c) => idx.push(self.slice_idx(a, b, c)?),
                    }
                }
                let lib = |e| LangError::from_lib(e, span);
                let info = crate::tensor::slice_info(t.shape(), &idx).map_err(lib)?;
                let info = ndarray::SliceInfo::<_, ndarray::IxDyn, ndarray::IxDyn>::try_from(info)
                    .map_err(|_| {
                        LangError::new(
                            ErrorKind::Shape,
                            "this index cannot be assigned to",
                            span,
                            None,
                        )
                    })?;
                let x = self.tensor(&v, span)?;
                // numpy casts into the array's kind: 2.5 into an integer
                // array is 2 (toward 0), a non-zero into a mask is True.
                let x = match t.dtype() {
                    DType::Int if x.value().iter().any(|n| n.to_i64().is_none()) => {
                        let cast = x
                            .value()
                            .iter()
                            .map(|n| n.trunc().map_err(|e| LangError::from_lib(e, span)))
                            .collect::<R<Vec<_>>>()?;
                        let note = format!(
                            "numpy keeps an integer array integer: {} is stored as {} (rounded toward 0)",
                            self.fmt.value(&Value::T(x.clone())),
                            cast.iter().map(|n| self.fmt.full(n)).collect::<Vec<_>>().join(", ")
                        );
                        self.notes.push(Note::prose(note));
                        Tensor::from_vec(cast, x.shape()).map_err(lib)?
                    }
                    DType::Bool => x.ne(&Tensor::scalar(Num::zero())).map_err(lib)?,
                    _ => x,
                };
                let mut arr = t.value().clone();
                let mut view = arr.slice_mut(info.as_ref());
                let src = x.value().broadcast(view.raw_dim()).ok_or_else(|| {
                    LangError::new(
                        ErrorKind::Shape,
                        format!(
                            "a value of shape {} cannot fill a place of shape {}",
                            shape_text(x.shape()),
                            shape_text(view.shape())
                        ),
                        span,
                        None,
                    )
                })?;
                view.assign(&src);
                let new = Tensor::new(arr);
                Value::T(match t.dtype() {
                    DType::Int => new.as_int(),
                    DType::Bool => new.as_bool(),
                    DType::Float => new,
                })
            }
            other => {
                return Err(LangError::new(
                    ErrorKind::Type,
                    format!("a {} has no elements to assign", other.type_name()),
                    span,
                    None,
                ))
            }
        })
    }

    /// `t` with the elements where the mask `m` is true replaced by `v`: one
    /// value for all, or one per true place in order (numpy's `x[m] = v`).
    fn assign_masked(
        &mut self,
        t: &Tensor<Num>,
        m: &Tensor<Num>,
        v: &Value,
        ms: Span,
        span: Span,
    ) -> R<Value> {
        let lib = |e| LangError::from_lib(e, span);
        if m.shape() != t.shape() {
            return Err(LangError::new(
                ErrorKind::Shape,
                format!(
                    "a boolean index of shape {} does not match the array's shape {}",
                    shape_text(m.shape()),
                    shape_text(t.shape())
                ),
                ms,
                Some("assigning through a mask needs a mask of the array's own shape"),
            ));
        }
        let x = self.tensor(v, span)?;
        let trues = m.value().iter().filter(|b| !b.is_zero()).count();
        let vals: Vec<Num> = x.value().iter().cloned().collect();
        if vals.len() != 1 && vals.len() != trues {
            return Err(LangError::new(
                ErrorKind::Shape,
                format!("{} values cannot fill {trues} places", vals.len()),
                span,
                Some("give one value, or one per true place of the mask"),
            ));
        }
        let mut k = 0;
        let mut out = Vec::with_capacity(t.len());
        for (old, keep) in t.value().iter().zip(m.value().iter()) {
            if keep.is_zero() {
                out.push(old.clone());
            } else {
                let nv = vals[if vals.len() == 1 { 0 } else { k }].clone();
                k += 1;
                out.push(match t.dtype() {
                    DType::Int if nv.to_i64().is_none() => nv.trunc().map_err(lib)?,
                    DType::Bool => Num::int(!nv.is_zero() as i64),
                    _ => nv,
                });
            }
        }
        let new = Tensor::from_vec(out, t.shape()).map_err(lib)?;
        Ok(Value::T(new.as_kind(t.dtype())))
    }

    /// Binds `new` to every name that holds the very value `old` (the same
    /// array or list): an in-place change seen through every name.
    fn rebind_same(&mut self, old: &Value, new: &Value) -> Vec<String> {
        let same = |x: &Value| match (old, x) {
            (Value::T(a), Value::T(b)) => a.id() == b.id(),
            (Value::List(a), Value::List(b)) => Rc::ptr_eq(a, b),
            _ => false,
        };
        let mut names = Vec::new();
        for (name, slot) in self
            .globals
            .iter_mut()
            .chain(self.frames.iter_mut().flat_map(|f| f.iter_mut()))
        {
            if same(slot) {
                *slot = new.clone();
                names.push(name.clone());
            }
        }
        names
    }

    /// `xs.append(v)`: the list with `v` at the end, seen through every name
    /// that holds it.
    /// `xs.append(v)`, `insert`, `pop`, `remove`, `reverse`, `sort`, …: the
    /// list changed, seen through every name (and element) that holds it.
    fn mutate_list(
        &mut self,
        obj: &Expr,
        old: &Value,
        m: &str,
        args: &[Expr],
        kwargs: &[super::parser::Kwarg],
        span: Span,
    ) -> R<Value> {
        let Value::List(l) = old else {
            unreachable!("called on lists")
        };
        let mut vals = Vec::new();
        for a in args {
            vals.push((self.eval(a)?, a.span));
        }
        let arity = |lo: usize, hi: usize| {
            if vals.len() < lo || vals.len() > hi || (m != "sort" && !kwargs.is_empty()) {
                Err(LangError::new(
                    ErrorKind::Type,
                    format!("list.{m}() takes {lo} to {hi} arguments"),
                    span,
                    None,
                ))
            } else {
                Ok(())
            }
        };
        let mut items = l.to_vec();
        let mut out = Value::None;
        match m {
            "append" => {
                arity(1, 1)?;
                items.push(vals[0].0.clone());
            }
            "extend" => {
                arity(1, 1)?;
                let more = self.unpack(&vals[0].0, vals[0].1)?;
                self.room_for(items.len().saturating_add(more.len()), span)?;
                items.extend(more);
            }
            "insert" => {
                // Python clamps the position: insert(99, v) appends.
                arity(2, 2)?;
                let i = self.python_int(&vals[0].0).ok_or_else(|| {
                    LangError::new(ErrorKind::Type, "a position is an integer", vals[0].1, None)
                })?;
                let n = items.len() as i64;
                let at = if i < 0 { (i + n).max(0) } else { i.min(n) };
                items.insert(at as usize, vals[1].0.clone());
            }
            "pop" => {
                arity(0, 1)?;
                let i = match vals.first() {
                    Some((v, s)) => self.python_int(v).ok_or_else(|| {
                        LangError::new(ErrorKind::Type, "a position is an integer", *s, None)
                    })?,
                    None => -1,
                };
                let n = items.len() as i64;
                let j = if i < 0 { i + n } else { i };
                if j < 0 || j >= n {
                    return Err(LangError::new(
                        ErrorKind::Shape,
                        if n == 0 {
                            "pop from an empty list".to_string()
                        } else {
                            format!("index {i} is out of range for {n} items")
                        },
                        span,
                        None,
                    ));
                }
                out = items.remove(j as usize);
            }
            "remove" => {
                arity(1, 1)?;
                let mut at = None;
                for (k, v) in items.iter().enumerate() {
                    if self.python_eq(v, &vals[0].0, span)? {
                        at = Some(k);
                        break;
                    }
                }
                let Some(k) = at else {
                    return Err(LangError::new(
                        ErrorKind::Value,
                        format!("{} is not in the list", self.fmt.value(&vals[0].0)),
                        vals[0].1,
                        None,
                    ));
                };
                items.remove(k);
            }
            "reverse" => {
                arity(0, 0)?;
                items.reverse();
            }
            "clear" => {
                arity(0, 0)?;
                items.clear();
            }
            _ => {
                // sort(key=None, reverse=False): as sorted(), in place.
                arity(0, 0)?;
                let kw = self.eval_kwargs(kwargs)?;
                let sorted =
                    builtins::call(self, "sorted", vec![(old.clone(), obj.span)], kw, span, &[])?;
                items = self.unpack(&sorted, span)?;
            }
        }
        let new = Value::list(items);
        self.rebind_same(old, &new);
        self.assign_whole(obj, old, new, span)?;
        Ok(out)
    }

    /// The innermost scope: the running function's frame, or the globals.
    fn scope(&self) -> &HashMap<String, Value> {
        self.frames.last().unwrap_or(&self.globals)
    }
    fn scope_mut(&mut self) -> &mut HashMap<String, Value> {
        match self.frames.last_mut() {
            Some(f) => f,
            None => &mut self.globals,
        }
    }

    /// `t[mask]` for a boolean mask: the rows where a mask over the first
    /// axis is true, or the elements where a mask of `t`'s shape is.
    fn select(&self, t: &Tensor<Num>, m: &Tensor<Num>, ms: Span, span: Span) -> R<Value> {
        let lib = |e| LangError::from_lib(e, span);
        if m.ndim() == 0 || m.shape() != &t.shape()[..m.ndim().min(t.ndim())] {
            return Err(LangError::new(
                ErrorKind::Shape,
                format!(
                    "a boolean index of shape {} does not match the indexed shape {}",
                    shape_text(m.shape()),
                    shape_text(t.shape())
                ),
                ms,
                Some("a mask selects rows (its length is the number of rows) or elements (the same shape)"),
            ));
        }
        // Flatten the masked axes, then keep the positions that are true.
        let kept = m.ndim();
        let mut shape: Vec<i64> = vec![-1];
        shape.extend(t.shape()[kept..].iter().map(|&d| d as i64));
        let flat = t.reshape(&shape).map_err(lib)?;
        let rows: Vec<Tensor<Num>> = m
            .value()
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_zero())
            .map(|(i, _)| flat.slice(&[Idx::At(i as i64)]))
            .collect::<Result<_, _>>()
            .map_err(lib)?;
        if rows.is_empty() {
            let mut empty = vec![0];
            empty.extend_from_slice(&t.shape()[kept..]);
            return Tensor::zeros(&empty)
                .map(Value::T)
                .map_err(|e| LangError::from_lib(e, span));
        }
        Tensor::stack(&rows, 0).map(Value::T).map_err(lib)
    }
}

/// The longest string a program may build (64 KiB: labels, not data; a
/// loop appending a character a million times stops early and fast).
pub const MAX_STRING: usize = 1 << 16;

/// Checks that a string of `len` bytes stays within [`MAX_STRING`], and
/// charges making it (a byte copy: 64 bytes a unit).
fn string_room(len: usize, span: Span) -> R<()> {
    if len > MAX_STRING {
        return Err(LangError::new(
            ErrorKind::Limit,
            format!("a string of more than {MAX_STRING} bytes"),
            span,
            Some("strings in an exercise are labels; build shorter ones"),
        ));
    }
    crate::budget::charge(len as u64 / 64).map_err(|e| LangError::from_lib(e, span))
}

/// The methods that change a list in place.
const LIST_MUTATORS: &[&str] = &[
    "append", "extend", "insert", "pop", "remove", "reverse", "clear", "sort",
];

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Both sides of a failing comparison: (left as written, its value, right
/// as written, its value).
type Sides = (String, Value, String, Value);

/// What a verification found; see [`Interp::verify`].
#[derive(Default)]
struct Verdict {
    checked: u128,
    failed: u128,
    boundary: u128,
    /// The first failing input, with both sides when the rule is a
    /// comparison.
    counterexample: Option<(Tensor<Num>, Option<Sides>)>,
    first_boundary: Option<Tensor<Num>>,
    /// The loop variable as written.
    target: String,
    /// Whether an `if` left some of the domain out.
    filtered: bool,
    /// Inputs decided in floats.
    in_bulk: u128,
}

impl Verdict {
    fn notes(&self, it: &Interp, d: &crate::lang::domain::Domain) -> Vec<Note> {
        let what = if self.filtered {
            format!(
                "those of the {} that pass the `if`: {}",
                d.len(),
                d.describe()
            )
        } else {
            d.describe()
        };
        let plural = |n: u128| if n == 1 { "" } else { "s" };
        let mut out = Vec::new();
        if self.checked == 0 {
            out.push(Note::prose(format!(
                "no input of the domain ({what}) passed the `if`: nothing was checked"
            )));
        } else if self.failed == 0 {
            out.push(Note::prose(format!(
                "checked {} input{} ({what}): it holds for every one",
                self.checked,
                plural(self.checked)
            )));
        } else {
            out.push(Note::prose(format!(
                "checked {} input{} ({what}): {} fail{}",
                self.checked,
                plural(self.checked),
                self.failed,
                if self.failed == 1 { "s" } else { "" }
            )));
        }
        if let Some((x, sides)) = &self.counterexample {
            let mut line = format!(
                "the first counterexample (a shortest, first in the domain's order): {} = {}",
                self.target,
                it.fmt.tensor(x)
            );
            if let Some((a, l, b, r)) = sides {
                line += &format!(
                    ", where {a} = {} but {b} = {}",
                    it.fmt.value(l),
                    it.fmt.value(r)
                );
            }
            out.push(Note::prose(line));
        }
        if let Some(x) = &self.first_boundary {
            out.push(Note::prose(format!(
                "{} input{} reach{} a decision boundary exactly (a ReLU, step or abs input of exactly 0, σ(0) = 1/2, a tie for the largest or the nearest, or across the k-th retrieved place) somewhere in the evaluation, the first {} = {}: a verdict that rests on which way such a tie goes is fragile",
                self.boundary,
                plural(self.boundary),
                if self.boundary == 1 { "es" } else { "" },
                self.target,
                it.fmt.tensor(x)
            )));
        }
        out
    }
}

/// Where a loop target is written.
fn target_span(t: &Target) -> Span {
    match t {
        Target::Name(_, s) | Target::Index(_, _, s) | Target::Tuple(_, s) => *s,
    }
}
