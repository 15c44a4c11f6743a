//! Variants of a key: `vary` marks the numbers that may change, `require`
//! states what a good variant needs, and [`generate`] draws candidates,
//! runs each as an exercise of its own and keeps the distinct ones that
//! meet every requirement.
//!
//! A variant is the key's source with each `vary(…)` call replaced by the
//! literal drawn for it, so it is an ordinary exercise: solving it gives its
//! answer key, with every line self-checked as always; its `require`s are
//! kept and hold when it is solved.
//!
//! Draws come from ChaCha8 (`rand_chacha`), whose stream for a seed is fixed
//! by its specification, so a seed gives the same variants on every machine
//! and version; the uniform choice below `n` is the plain rejection method.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::doc;
use super::interp::{Detail, Options, Solution};
use super::value::Value;
use super::{ErrorKind, Span};
use crate::autograd::DType;
use crate::{Num, Tensor};

/// Most values one element of `ints=`/`between=` may take.
pub const MAX_CHOICES: usize = 1 << 16;

/// How a marked value may change.
#[derive(Clone, Debug)]
pub enum Spec {
    /// `among=[…]`: one of the listed values.
    Among(Vec<Value>),
    /// `ints=(lo, hi)` or `between=(lo, hi), step=s`: each element (where
    /// `where` allows) one of `values`.
    Grid {
        values: Vec<Num>,
        /// The default, whose shape and kept elements a draw starts from.
        default: Tensor<Num>,
        /// Which elements vary (flattened, row-major); all when `None`.
        mask: Option<Vec<bool>>,
        /// Equal elements of the default stay equal.
        pattern: bool,
        /// How a draw is written back.
        form: Form,
    },
}

/// How a varied value is written in a variant's source.
#[derive(Clone, Debug)]
pub enum Form {
    /// `np.array([…])` (or a number).
    Array,
    /// A Python list `[…]`.
    List,
    /// A Python tuple `(…)`.
    Tuple,
    /// A string whose digits are the elements (`"00,10,11"`): the other
    /// characters are kept.
    Digits(String),
}

/// One `vary(…)` of a key, as its run met it.
#[derive(Clone, Debug)]
pub struct Varied {
    /// The call, replaced by the drawn literal in a variant's source.
    pub span: Span,
    /// The value the key has there.
    pub default: Value,
    pub spec: Spec,
}

/// A small deterministic generator of draws.
pub struct Draws(ChaCha8Rng);

impl Draws {
    pub fn new(seed: u64) -> Draws {
        Draws(ChaCha8Rng::seed_from_u64(seed))
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        let n = n.max(1) as u64;
        // The largest multiple of n that fits: draws above it are redrawn.
        let zone = u64::MAX - (u64::MAX - n + 1) % n;
        loop {
            let x = self.0.next_u64();
            if x <= zone {
                return (x % n) as usize;
            }
        }
    }
}

/// The source text of a number: a decimal when it terminates (`-0.1`,
/// `2.0` for a float), else a fraction (`1/3`, exact in gradwork).
fn number_literal(n: &Num, float: bool) -> String {
    let s = if n.terminates() {
        n.display(1)
    } else {
        n.fraction_string().unwrap_or_else(|| n.display(17))
    };
    if float && n.is_integer() && !s.contains('.') {
        format!("{s}.0")
    } else {
        s
    }
}

fn tensor_literal(t: &Tensor<Num>, form: &Form) -> String {
    let dtype = t.dtype();
    let one = |n: &Num| match dtype {
        DType::Bool => if n.is_zero() { "False" } else { "True" }.to_string(),
        _ => number_literal(n, dtype == DType::Float),
    };
    let v = t.value();
    if v.ndim() == 0 {
        return v.iter().next().map_or_else(String::new, one);
    }
    fn rows(v: ndarray::ArrayViewD<Num>, one: &dyn Fn(&Num) -> String, out: &mut String) {
        if v.ndim() == 0 {
            if let Some(n) = v.iter().next() {
                out.push_str(&one(n));
            }
            return;
        }
        out.push('[');
        for (i, sub) in v.outer_iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            rows(sub, one, out);
        }
        out.push(']');
    }
    let mut out = String::new();
    rows(v.view(), &one, &mut out);
    match form {
        Form::Array => format!("np.array({out})"),
        // A tuple of numbers: `(1, 2)`, `(3,)`.
        Form::Tuple if t.ndim() == 1 => {
            let inner = &out[1..out.len() - 1];
            if t.len() == 1 {
                format!("({inner},)")
            } else {
                format!("({inner})")
            }
        }
        _ => out,
    }
}

/// The source text of a value that a `vary` can give, if it has one.
pub fn literal(v: &Value) -> Option<String> {
    Some(match v {
        Value::T(t) => tensor_literal(t, &Form::Array),
        Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
        Value::Str(s) => format!("{:?}", s.as_ref()),
        Value::None => "None".into(),
        Value::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(literal)
                .collect::<Option<Vec<_>>>()?
                .join(", ")
        ),
        Value::Tuple(items) if items.len() == 1 => format!("({},)", literal(&items[0])?),
        Value::Tuple(items) => format!(
            "({})",
            items
                .iter()
                .map(literal)
                .collect::<Option<Vec<_>>>()?
                .join(", ")
        ),
        _ => return None,
    })
}

impl Varied {
    /// One draw, as source text.
    fn draw(&self, d: &mut Draws) -> String {
        match &self.spec {
            Spec::Among(vs) => literal(&vs[d.below(vs.len())]).unwrap_or_default(),
            Spec::Grid {
                values,
                default,
                mask,
                pattern,
                form,
            } => {
                let old: Vec<Num> = default.value().iter().cloned().collect();
                let mut chosen: Vec<(Num, Num)> = Vec::new();
                let mut new = Vec::with_capacity(old.len());
                for (i, o) in old.iter().enumerate() {
                    if mask.as_ref().is_some_and(|m| !m[i]) {
                        new.push(o.clone());
                        continue;
                    }
                    if *pattern {
                        if let Some((_, n)) =
                            chosen.iter().find(|(k, _)| k.eq_num(o).unwrap_or(false))
                        {
                            new.push(n.clone());
                            continue;
                        }
                    }
                    let n = values[d.below(values.len())].clone();
                    chosen.push((o.clone(), n.clone()));
                    new.push(n);
                }
                if let Form::Digits(template) = form {
                    let mut digits = new.iter().map(|n| n.to_i64().unwrap_or(0));
                    let text: String = template
                        .chars()
                        .map(|c| match c {
                            '0'..='9' => digits
                                .next()
                                .and_then(|d| char::from_digit(d as u32, 10))
                                .unwrap_or(c),
                            c => c,
                        })
                        .collect();
                    return format!("{text:?}");
                }
                let t = Tensor::from_vec(new, default.shape())
                    .map(|t| t.as_kind(default.dtype()))
                    .unwrap_or_else(|_| default.clone());
                tensor_literal(&t, form)
            }
        }
    }
}

/// What to make.
#[derive(Clone, Copy, Debug)]
pub struct Request {
    pub count: usize,
    pub seed: u64,
    /// Most candidates drawn (repeats included) before giving up.
    pub max_tries: usize,
}

/// One accepted variant, as it is handed over to be written.
pub struct Variant {
    /// 1-based.
    pub number: usize,
    pub source: String,
    /// Each marked value's drawn literal, in the key's order.
    pub drawn: Vec<String>,
    pub solution: Solution,
}

/// A written variant, as the summary lists it.
pub struct Row {
    pub number: usize,
    pub drawn: Vec<String>,
    /// Each answer's id and value as the worked solution writes it.
    pub answers: Vec<(String, String)>,
}

/// What a generation gave.
pub struct Outcome {
    /// Each marked value's label (`b`, `x_p1`, or `line N`) and its literal
    /// in the key.
    pub marked: Vec<(String, String)>,
    pub variants: Vec<Row>,
    /// The key's own answers (id, value), for comparison.
    pub key_answers: Vec<(String, String)>,
    /// Candidates drawn, repeats included.
    pub tries: usize,
    /// Candidates that repeated the key or an earlier one.
    pub repeats: usize,
    /// Rejected candidates by reason (the unmet requirement, or the error),
    /// in the order first seen.
    pub rejected: Vec<(String, usize)>,
}

impl Outcome {
    /// Distinct candidates solved (accepted or rejected).
    pub fn candidates(&self) -> usize {
        self.tries - self.repeats
    }
    pub fn rejected_count(&self) -> usize {
        self.rejected.iter().map(|(_, n)| n).sum()
    }

    /// How many candidates were drawn, kept and rejected, and why.
    pub fn rejections_text(&self) -> String {
        let solved = self.candidates();
        let rejected = self.rejected_count();
        let mut t = format!(
            "drew {} candidates: {} repeated the key or an earlier one; of the {solved} solved, {} kept, {rejected} rejected ({}%)\n",
            self.tries,
            self.repeats,
            self.variants.len(),
            (rejected * 100 + solved / 2).checked_div(solved).unwrap_or(0)
        );
        for (why, n) in &self.rejected {
            t.push_str(&format!("  {n:>5} × {why}\n"));
        }
        t
    }

    /// The summary table of `gradwork variants` (`STEM-summary.md`):
    /// `names(n)` gives variant `n`'s exercise, key and question files.
    pub fn summary_md(
        &self,
        key: &str,
        seed: u64,
        names: &dyn Fn(usize) -> (String, String, String),
    ) -> String {
        // Every answer id of the key and the variants (a loop may show more
        // or fewer answers in a variant), each value under its own id.
        let mut ids: Vec<&str> = Vec::new();
        for (id, _) in self
            .key_answers
            .iter()
            .chain(self.variants.iter().flat_map(|r| r.answers.iter()))
        {
            if !ids.contains(&id.as_str()) {
                ids.push(id);
            }
        }
        let value_of = |answers: &[(String, String)], id: &str| {
            answers
                .iter()
                .find(|(a, _)| a == id)
                .map_or_else(String::new, |(_, v)| cell(v))
        };
        let mut t = format!(
            "# Variants of {}\n\nSeed {seed}. Made with `gradwork variants`.\n\n",
            cell(key)
        );
        for line in self.rejections_text().lines() {
            t.push_str(&format!("    {line}\n"));
        }
        t.push_str("\n| variant |");
        for (label, _) in &self.marked {
            t.push_str(&format!(" {} |", cell(label)));
        }
        for id in &ids {
            t.push_str(&format!(" {} |", cell(id)));
        }
        t.push_str("\n|---|");
        t.push_str(&"---|".repeat(self.marked.len() + ids.len()));
        t.push('\n');
        t.push_str("| key |");
        for (_, k) in &self.marked {
            t.push_str(&format!(" `{}` |", cell(k)));
        }
        for id in &ids {
            t.push_str(&format!(" {} |", value_of(&self.key_answers, id)));
        }
        t.push('\n');
        for r in &self.variants {
            let (gw, _, _) = names(r.number);
            let file = std::path::Path::new(&gw)
                .file_name()
                .map_or_else(|| gw.clone(), |f| f.to_string_lossy().into_owned());
            t.push_str(&format!("| [{}]({}) |", r.number, cell(&file)));
            for d in &r.drawn {
                t.push_str(&format!(" `{}` |", cell(d)));
            }
            for id in &ids {
                t.push_str(&format!(" {} |", value_of(&r.answers, id)));
            }
            t.push('\n');
        }
        t
    }

    /// The same summary as JSON (`STEM-summary.json`).
    pub fn summary_json(
        &self,
        key: &str,
        seed: u64,
        names: &dyn Fn(usize) -> (String, String, String),
    ) -> serde_json::Value {
        use serde_json::json;
        json!({
            "key": key,
            "seed": seed,
            "tries": self.tries,
            "repeats": self.repeats,
            "rejected": self.rejected.iter().map(|(why, n)| json!({"reason": why, "count": n})).collect::<Vec<_>>(),
            "key_answers": self.key_answers.iter().map(|(id, v)| json!({"id": id, "value": v})).collect::<Vec<_>>(),
            "marked": self.marked.iter().map(|(l, k)| json!({"label": l, "key": k})).collect::<Vec<_>>(),
            "variants": self.variants.iter().map(|r| {
                let (gw, key_file, question) = names(r.number);
                json!({
                    "number": r.number,
                    "exercise": gw,
                    "key": key_file,
                    "question": question,
                    "drawn": self.marked.iter().zip(&r.drawn).map(|((l, _), d)| json!({"label": l, "literal": d})).collect::<Vec<_>>(),
                    "answers": r.answers.iter().map(|(id, v)| json!({"id": id, "value": v})).collect::<Vec<_>>(),
                })
            }).collect::<Vec<_>>(),
        })
    }
}

/// The files `gradwork variants` writes into a folder: each variant's
/// exercise (`STEM-NN.gw`), worked key (`STEM-NN-key.EXT`) and question
/// sheet (`STEM-NN-question.EXT`), and the summary (`STEM-summary.md`,
/// `STEM-summary.json`).
pub struct Files {
    pub dir: PathBuf,
    /// The key file's stem: variant 3 of `task2.gw` is `task2-03.gw`.
    pub stem: String,
    /// Digits of a variant's number (at least 2).
    pub width: usize,
    /// The keys' and question sheets' format.
    pub format: doc::Format,
    /// Significant digits of approximate values in the keys.
    pub digits: usize,
}

impl Files {
    /// The files of `count` variants of the key `key` in `dir`.
    pub fn new(dir: &Path, key: &Path, count: usize, format: doc::Format, digits: usize) -> Files {
        Files {
            dir: dir.to_path_buf(),
            stem: key
                .file_stem()
                .map_or_else(|| "variant".into(), |s| s.to_string_lossy().into_owned()),
            width: count.to_string().len().max(2),
            format,
            digits,
        }
    }

    fn extension(&self) -> &'static str {
        match self.format {
            doc::Format::Markdown => "md",
            doc::Format::Latex => "tex",
            doc::Format::Html => "html",
        }
    }

    /// Variant `n`'s exercise, key and question sheet.
    pub fn paths(&self, n: usize) -> (PathBuf, PathBuf, PathBuf) {
        let (width, ext) = (self.width, self.extension());
        let base = format!("{}-{n:0width$}", self.stem);
        (
            self.dir.join(format!("{base}.gw")),
            self.dir.join(format!("{base}-key.{ext}")),
            self.dir.join(format!("{base}-question.{ext}")),
        )
    }

    /// The summary's Markdown and JSON files.
    pub fn summary_paths(&self) -> (PathBuf, PathBuf) {
        (
            self.dir.join(format!("{}-summary.md", self.stem)),
            self.dir.join(format!("{}-summary.json", self.stem)),
        )
    }

    /// Writes a variant's exercise, worked key and question sheet (and the
    /// figures a Markdown document links to, beside it).
    pub fn write(&self, v: &Variant) -> Result<(), String> {
        let (gw, key_file, question_file) = self.paths(v.number);
        write_file(&gw, &v.source)?;
        let gw_name = gw.display().to_string();
        for (path, sheet) in [
            (&key_file, None),
            (&question_file, Some(doc::Sheet::Question)),
        ] {
            let d = doc::render(
                &[doc::Exercise {
                    file: &gw_name,
                    sol: &v.solution,
                }],
                &doc::Options {
                    format: self.format,
                    detail: Detail::Full,
                    digits: self.digits,
                    fragment: false,
                    figure_stem: path.file_stem().map(|s| s.to_string_lossy().into_owned()),
                    sheet,
                },
            );
            write_file(path, &d.text)?;
            for (name, body) in &d.assets {
                write_file(&self.dir.join(name), body)?;
            }
        }
        Ok(())
    }

    /// Writes the summary of `o` (made from the key named `key`, as the
    /// summary shows it, with `seed`); gives the two files written.
    pub fn write_summary(
        &self,
        key: &str,
        seed: u64,
        o: &Outcome,
    ) -> Result<(PathBuf, PathBuf), String> {
        let names = |n: usize| {
            let (gw, k, q) = self.paths(n);
            (
                gw.display().to_string(),
                k.display().to_string(),
                q.display().to_string(),
            )
        };
        let (md_path, json_path) = self.summary_paths();
        write_file(&md_path, &o.summary_md(key, seed, &names))?;
        let json = serde_json::to_string_pretty(&o.summary_json(key, seed, &names))
            .map_err(|e| e.to_string())?;
        write_file(&json_path, &(json + "\n"))?;
        Ok((md_path, json_path))
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A Markdown table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

/// Why generation could not start.
pub enum Refusal {
    /// The key does not solve cleanly.
    KeyFails(Box<Solution>),
    /// Nothing is marked with `vary`.
    NothingVaries,
    /// A candidate reached a limit of the run (time, memory, work): which
    /// candidates pass would depend on the machine, so none are made.
    Limit(String),
}

/// The label of a marked value: the name its line assigns, or `line N`.
fn label(src: &str, span: Span) -> String {
    let start = src[..span.start.min(src.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = &src[start..span.start.min(src.len())];
    let lhs = line.split('=').next().unwrap_or("").trim();
    if !lhs.is_empty() && line.contains('=') && lhs.chars().all(|c| c.is_alphanumeric() || c == '_')
    {
        lhs.to_string()
    } else {
        format!("line {}", super::line_col(src, span.start).0)
    }
}

/// `src` with each marked call replaced by its text.
fn substitute(src: &str, marked: &[Varied], texts: &[String]) -> String {
    let mut order: Vec<usize> = (0..marked.len()).collect();
    order.sort_by_key(|&i| marked[i].span.start);
    let mut out = String::with_capacity(src.len());
    let mut at = 0;
    for i in order {
        let s = marked[i].span;
        if s.start < at || s.end > src.len() {
            continue;
        }
        out.push_str(&src[at..s.start]);
        let t = &texts[i];
        // A negative number or a fraction is one term only where nothing
        // binds tighter around it: `x - (-1)`, `(-2)**2`, `a / (1/7)`.
        let atomic = !t.starts_with('-') && !t.contains('/') || t.starts_with(['[', '(', '"', 'n']);
        let before = src[..s.start].trim_end().chars().last();
        let after = src[s.end..].trim_start_matches([' ', '\t']).chars().next();
        let alone = matches!(before, None | Some('=' | '(' | '[' | ',' | ':'))
            && matches!(
                after,
                None | Some(')' | ']' | ',' | '\n' | '\r' | ';' | '#')
            );
        if atomic || alone {
            out.push_str(t);
        } else {
            out.push('(');
            out.push_str(t);
            out.push(')');
        }
        at = s.end;
    }
    out.push_str(&src[at..]);
    out
}

/// The reason a candidate's run is rejected for.
/// The reason a candidate's run is rejected for: the unmet requirement,
/// or the kind and line of its first error (errors of one kind at one line
/// count together; the first one's message is kept as the example).
fn reason(source: &str, sol: &Solution) -> Option<(String, String)> {
    let e = sol.errors.first()?;
    Some(match e.kind {
        ErrorKind::Require => {
            let why = format!("require: {}", e.message);
            (why.clone(), why)
        }
        _ => {
            let line = super::line_col(source, e.span.start).0;
            let group = format!("{} at line {line}", e.kind.title());
            let text = format!("{group} (first: {})", e.message);
            (group, text)
        }
    })
}

/// Draws candidates from `src` (a key with `vary` marks) until `req.count`
/// distinct ones meet every requirement, or `req.max_tries` are drawn.
/// Each accepted variant is handed to `accept` (to be written out) and
/// then dropped, so every run keeps its own memory budget.
pub fn generate<E>(
    src: &str,
    opts: &Options,
    req: &Request,
    mut accept: impl FnMut(&Variant) -> Result<(), E>,
) -> Result<Result<Outcome, E>, Refusal> {
    let key = super::interp::run(src, opts);
    if !key.ok() {
        return Err(Refusal::KeyFails(Box::new(key)));
    }
    let marked = key.varied.clone();
    if marked.is_empty() {
        return Err(Refusal::NothingVaries);
    }
    let key_answers = answers_of(&key);
    drop(key);
    // The key's own values, written as a draw of them would be (`[1, 1.5]`
    // as the float list `[1.0, 1.5]`), so a draw of the same numbers is
    // seen to be the key.
    let defaults: Vec<String> = marked
        .iter()
        .map(|m| match &m.spec {
            Spec::Grid {
                form: Form::Digits(text),
                ..
            } => format!("{text:?}"),
            Spec::Grid { default, form, .. } => tensor_literal(default, form),
            Spec::Among(_) => literal(&m.default).unwrap_or_default(),
        })
        .collect();
    let mut out = Outcome {
        marked: {
            let mut labels: Vec<(String, String)> = Vec::new();
            for (m, d) in marked.iter().zip(&defaults) {
                let base = label(src, m.span);
                let mut l = base.clone();
                let mut k = 2;
                while labels.iter().any(|(x, _)| *x == l) {
                    l = format!("{base}#{k}");
                    k += 1;
                }
                labels.push((l, d.clone()));
            }
            labels
        },
        variants: Vec::new(),
        key_answers,
        tries: 0,
        repeats: 0,
        rejected: Vec::new(),
    };
    let mut d = Draws::new(req.seed);
    // The rejection reasons' groups, beside `out.rejected`.
    let mut groups: Vec<String> = Vec::new();
    // Variants differ as exercises: by their sources, and the key's own
    // numbers are not a variant.
    let mut seen: HashSet<String> = HashSet::new();
    seen.insert(substitute(src, &marked, &defaults));
    while out.variants.len() < req.count && out.tries < req.max_tries {
        out.tries += 1;
        let drawn: Vec<String> = marked.iter().map(|m| m.draw(&mut d)).collect();
        let source = substitute(src, &marked, &drawn);
        if !seen.insert(source.clone()) {
            out.repeats += 1;
            continue;
        }
        let solution = super::interp::run(&source, opts);
        if let Some(e) = solution.errors.iter().find(|e| e.kind == ErrorKind::Limit) {
            return Err(Refusal::Limit(format!(
                "candidate {} (line {}): {}",
                out.tries,
                super::line_col(&source, e.span.start).0,
                e.message
            )));
        }
        if let Some((group, text)) = reason(&source, &solution) {
            match groups.iter().position(|g| *g == group) {
                Some(i) => out.rejected[i].1 += 1,
                None => {
                    groups.push(group);
                    out.rejected.push((text, 1));
                }
            }
            continue;
        }
        let v = Variant {
            number: out.variants.len() + 1,
            source,
            drawn,
            solution,
        };
        if let Err(e) = accept(&v) {
            return Ok(Err(e));
        }
        out.variants.push(Row {
            number: v.number,
            answers: answers_of(&v.solution),
            drawn: v.drawn,
        });
    }
    Ok(Ok(out))
}

fn answers_of(sol: &Solution) -> Vec<(String, String)> {
    sol.answers
        .iter()
        .map(|a| (a.id.clone(), a.text.clone()))
        .collect()
}
