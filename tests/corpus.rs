//! A student's numpy runs as written: every program in tests/corpus is valid
//! Python with numpy (plus gradwork's `show`), and gradwork must give numpy's
//! values for every shown answer.
//!
//! numpy's answers are in tests/fixtures/numpy_corpus.json, made by
//! `~/.venvs/bench/bin/python tools/numpy_fixtures.py`. The test runs every
//! file, collects every failure, and panics once with a report that names each
//! failing file and why, so one run shows all of them.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use gradwork::lang::{line_col, solve, Options, Value};
use gradwork::Num;
use serde_json::Value as Json;

/// Relative (and, near 0, absolute) tolerance for float answers.
const TOL: f64 = 1e-9;
const MIN_FILES: usize = 60;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = root().join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "gw"))
        .collect();
    files.sort();
    files
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// A shown value as a shape and its numbers in row-major order, the way
/// `np.asarray` would see it (lists and tuples stack, bools are 0/1).
fn flatten(v: &Value) -> Result<(Vec<usize>, Vec<Num>), String> {
    match v {
        Value::T(t) => Ok((t.shape().to_vec(), t.value().iter().cloned().collect())),
        Value::Bool(b) => Ok((vec![], vec![Num::int(*b as i64)])),
        Value::Range(a, b, s) => {
            let mut out = vec![];
            let mut x = *a;
            while (*s > 0 && x < *b) || (*s < 0 && x > *b) {
                out.push(Num::int(x));
                x += s;
            }
            Ok((vec![out.len()], out))
        }
        Value::List(items) | Value::Tuple(items) => {
            let mut inner: Option<Vec<usize>> = None;
            let mut nums = vec![];
            for item in items.iter() {
                let (s, n) = flatten(item)?;
                match &inner {
                    None => inner = Some(s),
                    Some(s0) if *s0 != s => {
                        return Err(format!(
                            "a ragged {} (items of shapes {s0:?} and {s:?})",
                            v.type_name()
                        ))
                    }
                    Some(_) => {}
                }
                nums.extend(n);
            }
            let mut shape = vec![items.len()];
            shape.extend(inner.unwrap_or_default());
            Ok((shape, nums))
        }
        other => Err(format!("not a number but a {}", other.type_name())),
    }
}

/// An expected element: its value as given by numpy.
enum Want {
    Int(i64),
    Float(f64),
    /// inf, -inf or nan (written as strings in the fixture).
    Special(String),
}

fn expected_elements(v: &Json, kind: &str, out: &mut Vec<Want>) -> Result<(), String> {
    match v {
        Json::Array(items) => {
            for x in items {
                expected_elements(x, kind, out)?;
            }
            Ok(())
        }
        Json::Bool(b) => {
            out.push(Want::Int(*b as i64));
            Ok(())
        }
        Json::Number(n) if kind != "float" => {
            out.push(Want::Int(n.as_i64().ok_or(format!("{n} is not an i64"))?));
            Ok(())
        }
        Json::Number(n) => {
            out.push(Want::Float(n.as_f64().ok_or(format!("{n} is not an f64"))?));
            Ok(())
        }
        Json::String(s) => {
            out.push(Want::Special(s.clone()));
            Ok(())
        }
        other => Err(format!("unexpected fixture value {other}")),
    }
}

fn show_num(n: &Num) -> String {
    match n.fraction_string() {
        Some(f) => f,
        None => match n.interval() {
            Ok((lo, hi)) => format!("≈{} [{lo:e}, {hi:e}]", n.to_f64()),
            Err(_) => format!("≈{}", n.to_f64()),
        },
    }
}

fn show_want(w: &Want) -> String {
    match w {
        Want::Int(i) => i.to_string(),
        Want::Float(f) => format!("{f:?}"),
        Want::Special(s) => s.clone(),
    }
}

/// Why `got` is not `want`, or None when it is.
fn mismatch(want: &Want, got: &Num) -> Option<String> {
    match want {
        Want::Int(i) => {
            if got.to_i64() == Some(*i) {
                None
            } else {
                Some(format!("expected {i}, got {}", show_num(got)))
            }
        }
        Want::Float(f) => {
            let g = got.to_f64();
            if (g - f).abs() <= TOL * f.abs().max(1.0) {
                None
            } else {
                Some(format!("expected {f:?}, got {}", show_num(got)))
            }
        }
        Want::Special(s) => Some(format!("expected {s}, got {}", show_num(got))),
    }
}

fn index_text(mut flat: usize, shape: &[usize]) -> String {
    let mut idx = vec![0; shape.len()];
    for (i, d) in shape.iter().enumerate().rev() {
        if *d > 0 {
            idx[i] = flat % d;
            flat /= d;
        }
    }
    format!("{idx:?}")
}

/// Compares one answer; every problem is pushed on `why`.
fn compare_answer(expected: &Json, got: &Value, why: &mut Vec<String>) {
    let kind = expected["dtype"].as_str().unwrap_or("?");
    let shape: Vec<usize> = expected["shape"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_u64())
                .map(|x| x as usize)
                .collect()
        })
        .unwrap_or_default();
    let mut want = vec![];
    if let Err(e) = expected_elements(&expected["value"], kind, &mut want) {
        why.push(format!("bad fixture: {e}"));
        return;
    }
    let (gshape, nums) = match flatten(got) {
        Ok(x) => x,
        Err(e) => {
            why.push(format!(
                "{e}; expected {kind} {shape:?} {}",
                expected["value"]
            ));
            return;
        }
    };
    if gshape != shape || nums.len() != want.len() {
        let got_text = format!("{got:?}");
        why.push(format!(
            "shape: expected {shape:?} ({kind}) {}, got {gshape:?} {got_text}",
            expected["value"]
        ));
        return;
    }
    let bad: Vec<String> = want
        .iter()
        .zip(&nums)
        .enumerate()
        .filter_map(|(i, (w, g))| {
            mismatch(w, g).map(|m| {
                if shape.is_empty() {
                    m
                } else {
                    format!("{}: {m}", index_text(i, &shape))
                }
            })
        })
        .collect();
    if !bad.is_empty() {
        let mut s = format!("{} of {} element(s) differ", bad.len(), want.len());
        for b in bad.iter().take(4) {
            write!(s, "; {b}").unwrap();
        }
        if bad.len() > 4 {
            s.push_str("; …");
        }
        if want.len() > 1 && want.len() <= 12 {
            let w: Vec<String> = want.iter().map(show_want).collect();
            let g: Vec<String> = nums.iter().map(show_num).collect();
            write!(s, "\n        numpy:    [{}]", w.join(", ")).unwrap();
            write!(s, "\n        gradwork: [{}]", g.join(", ")).unwrap();
        }
        why.push(s);
    }
}

/// Every problem with one file, empty when gradwork agrees with numpy.
fn check_file(path: &Path, expected: &[Json]) -> Vec<String> {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let sol = solve(&src, &Options::default());
    let mut problems = vec![];
    for e in &sol.errors {
        let (line, col) = line_col(&src, e.span.start);
        let text = src.lines().nth(line - 1).unwrap_or("").trim();
        let hint = e
            .hint
            .as_deref()
            .map(|h| format!(" (hint: {h})"))
            .unwrap_or_default();
        problems.push(format!(
            "line {line}:{col}: {}: {}{hint}\n        | {text}",
            e.kind.title(),
            e.message
        ));
    }
    if sol.answers.len() != expected.len() {
        problems.push(format!(
            "{} answer(s) given, numpy shows {}",
            sol.answers.len(),
            expected.len()
        ));
    }
    for (i, (want, got)) in expected.iter().zip(&sol.answers).enumerate() {
        let mut why = vec![];
        compare_answer(want, &got.value, &mut why);
        let expr = want["expr"].as_str().unwrap_or("?");
        for w in why {
            problems.push(format!("answer {} `show {expr}`: {w}", i + 1));
        }
    }
    problems
}

#[test]
fn every_corpus_program_gives_numpys_values() {
    let files = corpus_files();
    assert!(
        files.len() >= MIN_FILES,
        "tests/corpus has {} programs, at least {MIN_FILES} expected",
        files.len()
    );
    let fixture_path = root().join("tests/fixtures/numpy_corpus.json");
    let fixture: Json = serde_json::from_str(
        &std::fs::read_to_string(&fixture_path)
            .unwrap_or_else(|e| panic!("{}: {e}", fixture_path.display())),
    )
    .expect("the fixture is JSON");
    let fixed = fixture["files"].as_object().expect("a files object");
    let on_disk: BTreeSet<String> = files.iter().map(|p| file_name(p)).collect();
    let in_fixture: BTreeSet<String> = fixed.keys().cloned().collect();
    assert_eq!(
        on_disk, in_fixture,
        "tests/corpus and the fixture differ; run tools/numpy_fixtures.py"
    );

    let mut report = String::new();
    let mut failing = 0;
    for path in &files {
        let name = file_name(path);
        let expected = fixed[&name].as_array().expect("a list of answers");
        let problems = check_file(path, expected);
        if !problems.is_empty() {
            failing += 1;
            writeln!(report, "{name}").unwrap();
            for p in problems {
                writeln!(report, "    {p}").unwrap();
            }
        }
    }
    assert!(
        failing == 0,
        "{failing} of {} corpus programs differ from numpy:\n\n{report}",
        files.len()
    );
}
