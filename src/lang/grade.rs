//! Marking a student's answers against a key, with follow-through.
//!
//! Every answer of the key is compared with the student's value of the same
//! id or name:
//! - **correct** when it is the key's value exactly (a key value with no
//!   finite decimal, such as 1/3, or an approximate one, also within a
//!   relative tolerance, since a student writes it rounded);
//! - **correct given an earlier error** when the student got an earlier
//!   named answer wrong, and the key, re-run with the student's own earlier
//!   values standing for the key's ([`interp::run_with`]), gives exactly
//!   the student's value here — and that value is not made trivial by the
//!   error (an all-zero value carried forward, or one that makes this answer
//!   zero where the key's is not, earns nothing);
//! - **wrong** otherwise, naming the first answer where the student departs
//!   from the key, and a known slip when the value is one: the sign flipped,
//!   the matrix transposed, an index off by one (0-based vs 1-based), a
//!   distance squared or not.
//!
//! The comparisons are exact, on the engine's values; nothing is parsed
//! back from printed text.

use std::collections::HashMap;

use serde_json::{json, Value as Json};

use super::interp::{self, Answer, Options, Solution};
use super::value::{Fmt, Value};
use crate::explain::math::same_value;
use crate::{Num, Tensor};

/// What became of one answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Correct,
    /// Correct given the student's earlier values (their ids).
    FollowThrough(Vec<String>),
    Wrong,
    Missing,
}

impl Status {
    pub fn word(&self) -> &'static str {
        match self {
            Status::Correct => "correct",
            Status::FollowThrough(_) => "correct given your earlier error",
            Status::Wrong => "wrong",
            Status::Missing => "no answer",
        }
    }
}

/// The marking of one answer.
#[derive(Clone, Debug)]
pub struct Mark {
    pub id: String,
    pub name: String,
    pub part: Option<String>,
    pub status: Status,
    pub score: f64,
    pub max_score: f64,
    /// The key's value, as text.
    pub expected: String,
    /// The student's value, as text (none when missing).
    pub given: Option<String>,
    /// The known mistake the value matches, if any: a slip of the value
    /// itself, or a mistake in the program that gives it exactly.
    pub mistake: Option<String>,
    /// The first answer where the student departs from the key.
    pub first_departure: Option<String>,
    pub feedback: String,
}

/// The whole marking.
#[derive(Clone, Debug)]
pub struct Report {
    pub marks: Vec<Mark>,
    pub score: f64,
    pub max_score: f64,
    /// Values the student gave for names the key computes but does not
    /// ask for (`emb`, `S`): judged against the key's value at the end of
    /// its run, worth no marks.
    pub intermediate: Vec<Mark>,
    /// Submitted names that the key has no answer or value for.
    pub unknown: Vec<String>,
    /// The key's worked solution re-written from the student's values
    /// (every wrong named value carried forward), when any was wrong: the
    /// working a follow-through mark rests on, each line checked as always.
    pub worked: Option<String>,
}

/// A student's values by answer id or name.
pub type Submission = Vec<(String, Tensor<Num>)>;

/// Reads a submission given as JSON: an object from answer ids or names to
/// numbers, fractions as strings (`"1/3"`), or nested lists of them.
pub fn submission_from_json(text: &str) -> Result<Submission, String> {
    let j: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Json::Object(map) = j else {
        return Err("a submission is a JSON object from answer names to values".into());
    };
    let mut out = Vec::new();
    for (k, v) in map {
        let t = tensor_of(&v).map_err(|e| format!("`{k}`: {e}"))?;
        out.push((k, t));
    }
    Ok(out)
}

/// A JSON value as an exact tensor: a number is the decimal it was written
/// as (read back from its shortest form), a string a number or fraction.
fn tensor_of(v: &Json) -> Result<Tensor<Num>, String> {
    fn num(v: &Json) -> Result<Num, String> {
        match v {
            Json::Number(n) => {
                let text = n.to_string();
                Num::parse(&text).map_err(|e| format!("{text}: {e}"))
            }
            Json::String(s) => Num::parse(s.trim()).map_err(|e| format!("{s:?}: {e}")),
            Json::Bool(b) => Ok(Num::int(*b as i64)),
            other => Err(format!("{other} is not a number")),
        }
    }
    fn walk(
        v: &Json,
        depth: usize,
        flat: &mut Vec<Num>,
        shape: &mut Vec<usize>,
    ) -> Result<(), String> {
        match v {
            Json::Array(items) => {
                if depth > 8 {
                    return Err("nested deeper than 8".into());
                }
                if shape.len() == depth {
                    shape.push(items.len());
                } else if shape[depth] != items.len() {
                    return Err("rows of different lengths".into());
                }
                for x in items {
                    walk(x, depth + 1, flat, shape)?;
                }
                Ok(())
            }
            x => {
                if depth != shape.len() {
                    return Err("a number where a list was expected".into());
                }
                flat.push(num(x)?);
                Ok(())
            }
        }
    }
    let (mut flat, mut shape) = (Vec::new(), Vec::new());
    walk(v, 0, &mut flat, &mut shape)?;
    if flat.len() > 1 << 20 {
        return Err("more than 2²⁰ numbers".into());
    }
    Tensor::from_vec(flat, &shape).map_err(|e| e.to_string())
}

/// A submission given as an exercise of the student's own: its answers, by
/// name.
pub fn submission_from_solution(sol: &Solution) -> Submission {
    sol.answers
        .iter()
        .filter_map(|a| tensor_value(&a.value).map(|t| (a.id.clone(), t)))
        .collect()
}

/// A value as the array it stands for: a tensor, a boolean as 0 or 1, a
/// list or tuple of equal-shaped ones stacked (`[1, 2]` is the vector).
fn tensor_value(v: &Value) -> Option<Tensor<Num>> {
    match v {
        Value::T(t) => Some(t.clone()),
        Value::Bool(b) => Some(Tensor::scalar(Num::int(*b as i64))),
        Value::List(items) | Value::Tuple(items) if !items.is_empty() => {
            let ts: Vec<Tensor<Num>> = items.iter().map(tensor_value).collect::<Option<_>>()?;
            if ts.iter().any(|t| t.shape() != ts[0].shape()) {
                return None;
            }
            Tensor::stack(&ts, 0).ok()
        }
        _ => None,
    }
}

/// Whether the student's value is the key's: exactly, or within `rel` of it
/// where the key's value cannot be written as a finite decimal.
/// Whether `given` is the key's value: exactly, or within the relative
/// tolerance `rel` for a key value with no finite decimal (or for every
/// value when the key declares the tolerance: `always`).
fn matches(given: &Tensor<Num>, key: &Tensor<Num>, rel: f64, always: bool) -> bool {
    if same_value(given, key) {
        return true;
    }
    let squeeze = |s: &[usize]| s.iter().copied().filter(|&d| d != 1).collect::<Vec<_>>();
    if squeeze(given.shape()) != squeeze(key.shape()) {
        return false;
    }
    given.value().iter().zip(key.value().iter()).all(|(g, k)| {
        if k.is_exact() && k.terminates() && !always {
            return g.eq_num(k).unwrap_or(false);
        }
        let (Ok((lo, hi)), Ok(gv)) = (k.interval(), g.interval().map(|(a, b)| (a + b) / 2.0))
        else {
            return false;
        };
        let scale = lo.abs().max(hi.abs());
        gv >= lo - rel * scale && gv <= hi + rel * scale
    })
}

fn all_zero(t: &Tensor<Num>) -> bool {
    t.value().iter().all(Num::is_zero)
}

/// The known slip a wrong value is, if it is one (compared exactly).
fn slip(given: &Tensor<Num>, key: &Tensor<Num>) -> Option<&'static str> {
    let eq = |a: &Tensor<Num>| same_value(given, a);
    if !all_zero(key) && key.neg().is_ok_and(|n| eq(&n)) {
        return Some("the sign is flipped");
    }
    if key.ndim() == 2 && key.shape()[0] != key.shape()[1] && key.t().is_ok_and(|t| eq(&t)) {
        return Some("the matrix is transposed");
    }
    // Indices: distinct whole numbers ≥ 0 (the rows of a retrieval), not a
    // vector of ones that is a value.
    let indices = key.len() >= 2
        && key
            .value()
            .iter()
            .all(|n| n.is_integer() && !n.lt(&Num::zero()).unwrap_or(true))
        && {
            let mut v: Vec<i64> = key.value().iter().filter_map(Num::to_i64).collect();
            v.sort_unstable();
            v.dedup();
            v.len() == key.len()
        };
    if indices {
        let one = Tensor::scalar(Num::one());
        if key.add(&one).is_ok_and(|t| eq(&t)) {
            return Some("1-based where 0-based is meant (every index one too high)");
        }
        if key.sub(&one).is_ok_and(|t| eq(&t)) {
            return Some("0-based where 1-based is meant (every index one too low)");
        }
    }
    if !all_zero(key) {
        if key.mul(key).is_ok_and(|t| eq(&t)) {
            return Some("squared where the plain value (a distance, not its square) is meant");
        }
        if given.mul(given).is_ok_and(|t| same_value(&t, key)) {
            return Some("not squared where the square is meant (the squared distance)");
        }
    }
    None
}

fn find<'a>(sub: &'a Submission, a: &Answer) -> Option<&'a Tensor<Num>> {
    sub.iter()
        .find(|(k, _)| *k == a.id)
        .or_else(|| sub.iter().find(|(k, _)| *k == a.name))
        .map(|(_, t)| t)
}

/// A plain name a statement binds (`L`, `f_p1`): only those can carry a
/// student's value forward.
fn bindable(a: &Answer) -> bool {
    a.id == a.name
        && a.name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && a.name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// What the key says of one answer in a comment on its `show` line:
/// `show L = …  # marks: 2, tolerance: 0.01`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Declared {
    marks: f64,
    /// Relative tolerance for a value with no finite decimal.
    tolerance: Option<f64>,
}

/// The `# marks: …, tolerance: …` of line `line` of `src` (1-based), if any.
fn declared(src: &str, line: usize) -> Result<Declared, String> {
    let mut d = Declared {
        marks: 1.0,
        tolerance: None,
    };
    let Some(text) = src.lines().nth(line.saturating_sub(1)) else {
        return Ok(d);
    };
    // The comment: from the last `#` that begins `marks:` or `tolerance:`.
    let Some(at) = text.match_indices('#').map(|(i, _)| i).find(|&i| {
        let rest = text[i + 1..].trim_start();
        rest.starts_with("marks:") || rest.starts_with("tolerance:")
    }) else {
        return Ok(d);
    };
    for item in text[at + 1..].split([',', ';']) {
        let Some((k, v)) = item.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        match k {
            "marks" => {
                d.marks = thousandths(v).ok_or_else(|| {
                    format!(
                        "line {line}: `# marks: {v}` is not a number of marks from 0 to 1000 in thousandths (2, 0.5, 1/4)"
                    )
                })? as f64
                    / 1000.0
            }
            "tolerance" => {
                d.tolerance = Some(
                    v.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite() && (0.0..=1.0).contains(x))
                        .ok_or_else(|| {
                            format!("line {line}: `# tolerance: {v}` is not a relative tolerance from 0 to 1")
                        })?,
                )
            }
            _ => {
                return Err(format!(
                    "line {line}: `# {k}:` is not a grading setting (marks, tolerance)"
                ))
            }
        }
    }
    Ok(d)
}

/// Marks as whole thousandths: `2`, `0.5`, `1/4` (not `1/3`), at most 1000.
fn thousandths(v: &str) -> Option<u64> {
    let k = match v.split_once('/') {
        Some((a, b)) => {
            let (a, b) = (a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?);
            if b == 0 || (a.checked_mul(1000)?) % b != 0 {
                return None;
            }
            a * 1000 / b
        }
        None => {
            let (int, frac) = v.split_once('.').unwrap_or((v, ""));
            if frac.len() > 3
                || !frac.chars().all(|c| c.is_ascii_digit())
                || int.is_empty() && frac.is_empty()
            {
                return None;
            }
            let int = if int.is_empty() {
                0
            } else {
                int.parse::<u64>().ok()?
            };
            let frac = format!("{frac:0<3}").parse::<u64>().ok()?;
            int.checked_mul(1000)?.checked_add(frac)?
        }
    };
    (k <= 1_000_000).then_some(k)
}

/// A sum of marks, added in thousandths (so 0.1 + 0.2 is 0.3).
fn total(marks: impl Iterator<Item = f64>) -> f64 {
    marks.map(|m| (m * 1000.0).round() as u64).sum::<u64>() as f64 / 1000.0
}

/// Marks `sub` against the key `src`: each answer is worth the marks its
/// `show` line declares (`# marks: 2`), one by default, and compared with
/// the tolerance it declares (`# tolerance: 0.01`), `rel` by default.
pub fn grade(src: &str, opts: &Options, sub: &Submission, rel: f64) -> Result<Report, String> {
    // The key re-run with a student's values or a mistake need not meet
    // its `require`s (they are for variants); the key itself is run so too,
    // so that every run is the same program.
    let opts = &Options {
        requires: false,
        ..*opts
    };
    let key = interp::run(src, opts);
    if !key.ok() {
        return Err(format!(
            "the key does not solve cleanly: {}",
            key.errors
                .first()
                .map_or_else(String::new, |e| e.to_string())
        ));
    }
    let fmt = Fmt {
        digits: opts.digits,
    };
    // The student's wrong values carried forward so far, by name; and the
    // key re-run with them (cached while they do not change).
    let mut carried: HashMap<String, Tensor<Num>> = HashMap::new();
    let mut carried_ids: Vec<String> = Vec::new();
    let mut rerun: Option<Solution> = None;
    let mut first_departure: Option<String> = None;
    let mut marks = Vec::new();
    // The key run with each known mistake made in it, when first needed.
    let mut mutants: Option<Vec<(String, Solution)>> = None;
    for (index, a) in key.answers.iter().enumerate() {
        let Some(kv) = tensor_value(&a.value) else {
            continue;
        };
        let Declared {
            marks: worth,
            tolerance,
        } = declared(src, a.line)?;
        let rel = tolerance.unwrap_or(rel);
        let declared_tol = tolerance.is_some();
        let expected = fmt.tensor(&kv);
        let mut m = Mark {
            id: a.id.clone(),
            name: a.name.clone(),
            part: a.part.clone(),
            status: Status::Missing,
            score: 0.0,
            max_score: worth,
            expected: expected.clone(),
            given: None,
            mistake: None,
            first_departure: None,
            feedback: String::new(),
        };
        let Some(g) = find(sub, a) else {
            m.feedback = format!("no answer given; the key has {expected}");
            marks.push(m);
            continue;
        };
        m.given = Some(fmt.tensor(g));
        if matches(g, &kv, rel, declared_tol) {
            m.status = Status::Correct;
            m.score = worth;
            m.feedback = "correct".into();
            marks.push(m);
            continue;
        }
        // Follow-through: the key re-run from the student's earlier values.
        if !carried.is_empty() {
            if rerun.is_none() {
                rerun = Some(interp::run_with(src, opts, &carried));
            }
            let again = rerun
                .as_ref()
                .and_then(|r| r.answers.iter().find(|x| x.id == a.id))
                .and_then(|x| tensor_value(&x.value));
            if let Some(rv) = again {
                let differs = !same_value(&rv, &kv);
                let trivial = all_zero(&rv) && !all_zero(&kv) || carried.values().all(all_zero);
                if differs && matches(g, &rv, rel, declared_tol) {
                    if trivial {
                        m.status = Status::Wrong;
                        m.feedback = format!(
                            "this follows from your earlier values ({}), but they make it trivial (zero): no credit; the key has {expected}",
                            carried_ids.join(", ")
                        );
                    } else {
                        m.status = Status::FollowThrough(carried_ids.clone());
                        m.score = worth;
                        m.feedback = format!(
                            "correct given your earlier values ({}); with the key's, it is {expected}",
                            carried_ids.join(", ")
                        );
                    }
                    marks.push(m);
                    continue;
                }
            }
        }
        m.status = Status::Wrong;
        // A mistake made in the program (the key re-run with it gives this
        // value) names the cause; a slip of the value itself otherwise.
        let runs = mutants.get_or_insert_with(|| {
            // Each changed key is run up to the last answer it may explain.
            let last = key
                .answers
                .iter()
                .rposition(|x| {
                    let given = find(sub, x);
                    let kv = tensor_value(&x.value);
                    matches!((given, kv), (Some(g), Some(k)) if !matches(g, &k, rel, false))
                })
                .map_or(index + 1, |i| i + 1);
            let changed = Options {
                stop_after_answers: Some(last),
                ..*opts
            };
            super::mutate::mutations(src)
                .into_iter()
                .map(|mu| (mu.name, interp::run(&mu.source, &changed)))
                .collect()
        });
        m.mistake = runs
            .iter()
            .find_map(|(name, sol)| {
                // The same `show` (its line, and which time it is met
                // there): a change can change an answer's id (a call given
                // the other convention reads like the next answer) but no
                // line.
                let nth = key.answers[..index]
                    .iter()
                    .filter(|x| x.line == a.line)
                    .count();
                let v = sol
                    .answers
                    .iter()
                    .filter(|x| x.line == a.line)
                    .nth(nth)
                    .and_then(|x| tensor_value(&x.value))?;
                (!same_value(&v, &kv) && matches(g, &v, rel, declared_tol)).then(|| name.clone())
            })
            .or_else(|| slip(g, &kv).map(str::to_string));
        // Where the student's work first departs: the earliest wrong
        // value this answer depends on (the key re-run from the student's
        // values changes it), else this answer itself.
        let depends = !carried.is_empty()
            && rerun
                .as_ref()
                .and_then(|r| r.answers.iter().find(|x| x.id == a.id))
                .and_then(|x| tensor_value(&x.value))
                .is_some_and(|rv| !same_value(&rv, &kv));
        let first = match (&first_departure, depends) {
            (Some(f), true) => f.clone(),
            _ => a.id.clone(),
        };
        first_departure.get_or_insert_with(|| a.id.clone());
        m.first_departure = Some(first.clone());
        let mut fb = format!("the key has {expected}");
        if let Some(s) = &m.mistake {
            fb.push_str(&format!("; it looks like {s}"));
        }
        if first != a.id {
            // (True of the set: re-run from these values, the key's answer
            // here changes; which one matters is not singled out.)
            fb.push_str(&format!(
                "; your earlier values ({}) change this answer, and your work first departs from the key at {first}",
                carried_ids.join(", ")
            ));
        }
        m.feedback = fb;
        if bindable(a) {
            carried.insert(a.name.clone(), g.clone());
            carried_ids.push(a.id.clone());
            rerun = None;
        }
        marks.push(m);
    }
    // A submission of nothing but zeros is no work: a key answer that
    // happens to be 0 earns nothing from it.
    let gaming = !sub.is_empty()
        && sub.iter().all(|(_, t)| all_zero(t))
        && key
            .answers
            .iter()
            .filter_map(|a| tensor_value(&a.value))
            .any(|t| !all_zero(&t));
    if gaming {
        for m in marks.iter_mut().filter(|m| m.score > 0.0) {
            m.score = 0.0;
            m.status = Status::Wrong;
            m.feedback =
                "every value submitted is zero: a zero that happens to be right earns nothing"
                    .into();
        }
    }
    let unknown: Vec<String> = sub
        .iter()
        .filter(|(k, _)| !key.answers.iter().any(|a| a.id == *k || a.name == *k))
        .map(|(k, _)| k.clone())
        .collect();
    // Intermediate values: names the key binds at the top level, read at
    // the end of its run by a `show` of each appended to it.
    let bound = super::mutate::assigned_names(src);
    let probes: Vec<&String> = unknown.iter().filter(|k| bound.contains(k)).collect();
    let mut intermediate = Vec::new();
    if !probes.is_empty() {
        let mut probe_src = src.to_string();
        if !probe_src.ends_with('\n') {
            probe_src.push('\n');
        }
        for p in &probes {
            probe_src.push_str(&format!("show {p}\n"));
        }
        let probed = interp::run(&probe_src, opts);
        let first = key.answers.len();
        for (i, name) in probes.iter().enumerate() {
            let Some(kv) = probed
                .answers
                .get(first + i)
                .and_then(|a| tensor_value(&a.value))
            else {
                continue;
            };
            let Some(g) = sub.iter().find(|(k, _)| k == *name).map(|(_, t)| t) else {
                continue;
            };
            let expected = fmt.tensor(&kv);
            let right = matches(g, &kv, rel, false);
            intermediate.push(Mark {
                id: (*name).clone(),
                name: (*name).clone(),
                part: None,
                status: if right {
                    Status::Correct
                } else {
                    Status::Wrong
                },
                score: 0.0,
                max_score: 0.0,
                feedback: if right {
                    "correct (an intermediate value, no marks)".into()
                } else {
                    format!("the key has {expected} (an intermediate value, no marks)")
                },
                expected,
                given: Some(fmt.tensor(g)),
                mistake: None,
                first_departure: None,
            });
        }
    }
    let unknown = unknown
        .into_iter()
        .filter(|k| !intermediate.iter().any(|m| m.id == *k))
        .collect();
    // The working from the student's values: the key run once more with
    // every wrong named value carried (what each later answer was compared
    // with is this run's value up to its own point).
    let worked = (!carried.is_empty()).then(|| {
        let sol = interp::run_with(src, opts, &carried);
        // (A line the self-check refused is left out of the working, and
        // said so, as in any worked solution.)
        let refused = sol
            .errors
            .iter()
            .filter(|e| e.kind == super::ErrorKind::Internal)
            .count();
        let note = if refused > 0 {
            format!("({refused} worked line(s) did not pass the self-check and are left out)\n")
        } else {
            String::new()
        };
        note + &super::report::text(
            "the key from your values",
            &sol,
            super::interp::Detail::Full,
            opts.digits,
            super::report::Style { color: false },
        )
    });
    Ok(Report {
        worked,
        score: total(marks.iter().map(|m| m.score)),
        max_score: total(marks.iter().map(|m| m.max_score)),
        marks,
        intermediate,
        unknown,
    })
}

/// The report as text, by part.
pub fn text(key: &str, report: &Report) -> String {
    let mut out = format!("{key}: {} of {} marks\n", report.score, report.max_score);
    let mut part: Option<&str> = None;
    for m in &report.marks {
        if m.part.as_deref() != part {
            part = m.part.as_deref();
            if let Some(p) = part {
                out.push_str(&format!("── {p} ──\n"));
            }
        }
        let sign = match m.status {
            Status::Correct | Status::FollowThrough(_) => "✓",
            Status::Wrong => "✗",
            Status::Missing => "–",
        };
        out.push_str(&format!(
            "  {sign} {} = {}: {} ({}/{})\n",
            m.id,
            m.given.as_deref().unwrap_or("—"),
            m.feedback,
            m.score,
            m.max_score
        ));
    }
    if !report.intermediate.is_empty() {
        out.push_str("── intermediate values ──\n");
    }
    for m in &report.intermediate {
        let sign = if m.status == Status::Correct {
            "✓"
        } else {
            "✗"
        };
        out.push_str(&format!(
            "  {sign} {} = {}: {}\n",
            m.id,
            m.given.as_deref().unwrap_or("—"),
            m.feedback
        ));
    }
    for u in &report.unknown {
        out.push_str(&format!(
            "  ? {u}: the key has no answer or value of that name\n"
        ));
    }
    if let Some(w) = &report.worked {
        out.push('\n');
        out.push_str(w);
    }
    out
}

/// The report as JSON.
pub fn json(key: &str, report: &Report) -> Json {
    json!({
        "key": key,
        "score": report.score,
        "max_score": report.max_score,
        "answers": report.marks.iter().map(|m| json!({
            "id": m.id,
            "name": m.name,
            "part": m.part,
            "status": match m.status {
                Status::Correct => "correct",
                Status::FollowThrough(_) => "follow-through",
                Status::Wrong => "wrong",
                Status::Missing => "missing",
            },
            "carried_from": match &m.status {
                Status::FollowThrough(ids) => json!(ids),
                _ => Json::Null,
            },
            "score": m.score,
            "max_score": m.max_score,
            "expected": m.expected,
            "given": m.given,
            "mistake": m.mistake,
            "first_departure": m.first_departure,
            "feedback": m.feedback,
        })).collect::<Vec<_>>(),
        "intermediate": report.intermediate.iter().map(|m| json!({
            "id": m.id,
            "status": if m.status == Status::Correct { "correct" } else { "wrong" },
            "expected": m.expected,
            "given": m.given,
            "feedback": m.feedback,
        })).collect::<Vec<_>>(),
        "unknown": report.unknown,
        "worked": report.worked,
    })
}

/// The report as Gradescope's autograder `results.json`.
pub fn gradescope(report: &Report) -> Json {
    json!({
        "score": report.score,
        "output": format!("{} of {} marks", report.score, report.max_score),
        "tests": report.marks.iter().map(|m| json!({
            "name": match &m.part {
                Some(p) => format!("{p}: {}", m.id),
                None => m.id.clone(),
            },
            "score": m.score,
            "max_score": m.max_score,
            "output": m.feedback,
        })).collect::<Vec<_>>(),
    })
}
