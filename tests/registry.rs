//! docs/language.md and the registry of built-ins say the same: every
//! built-in is in the docs, the docs list no built-in that does not exist,
//! and a keyword the docs show is one the built-in takes.
//!
//! The docs' format, under "## Built-ins": each table row's first cell
//! lists built-ins in backticks, as `name` or `name(params)`. Method forms
//! (`x.max(0)`), operators (`a @ b`) and constants (`np.pi`) may be listed
//! there too; a qualified name (`np.linalg.norm`) must exist.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use gradwork::lang::builtins;

/// The "## Built-ins" section.
fn section() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/language.md");
    let text = std::fs::read_to_string(path).expect("docs/language.md");
    let start = text.find("\n## Built-ins").expect("a Built-ins section");
    let rest = &text[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3);
    rest[..end].to_string()
}

/// The backticked spans of each table row's first cell.
fn first_cells(section: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in section.lines() {
        let Some(row) = line.strip_prefix('|') else {
            continue;
        };
        let cell = row.split(" | ").next().unwrap_or("");
        if cell.starts_with("---") {
            continue;
        }
        let mut parts = cell.split('`');
        parts.next();
        while let Some(code) = parts.next() {
            out.push(code.to_string());
            parts.next();
        }
    }
    out
}

/// `name` of `name` or `name(…)`; None for anything else (`a @ b`, `x.T`).
fn called(code: &str) -> Option<(&str, Option<&str>)> {
    let end = code
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(code.len());
    let (name, rest) = code.split_at(end);
    if name.is_empty() {
        return None;
    }
    match rest.strip_prefix('(') {
        _ if rest.is_empty() => Some((name, None)),
        Some(params) => Some((name, Some(params.trim_end_matches(')')))),
        None => None,
    }
}

/// The parameter names of a signature such as `sum(a, axis=None, *rest)`
/// (of each form, when it has two: `linear(x, W) or linear(input, output)`).
fn param_names(sig: &str) -> BTreeSet<String> {
    sig.split(" or ")
        .flat_map(|form| {
            let inner = &form[form.find('(').expect("(") + 1..form.rfind(')').expect(")")];
            inner.split(',').map(|p| {
                p.split('=')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches(['*', '['])
                    .to_string()
            })
        })
        .filter(|p| !p.is_empty())
        .collect()
}

const NAMESPACES: &[&str] = &["np", "numpy", "sp", "scipy", "math"];
const CONSTANTS: &[&str] = &["np.pi", "np.e", "math.pi", "math.e", "np.newaxis"];

#[test]
fn the_docs_list_every_built_in_and_no_other() {
    let cells = first_cells(&section());
    let registry: BTreeSet<&str> = builtins::names()
        .filter(|n| !NAMESPACES.contains(n))
        .collect();
    let qualified: BTreeSet<&str> = builtins::qualified_names().collect();
    let mut documented = BTreeSet::new();
    for code in &cells {
        let Some((name, _)) = called(code) else {
            continue;
        };
        match name.split_once('.') {
            None => {
                documented.insert(name.to_string());
            }
            Some((ns, _)) if NAMESPACES.contains(&ns) => assert!(
                qualified.contains(name) || CONSTANTS.contains(&name),
                "the docs list `{name}`, which gradwork does not have"
            ),
            // a method form: x.max(0)
            Some(_) => {}
        }
    }
    let missing: Vec<_> = registry
        .iter()
        .filter(|n| !documented.contains(**n))
        .collect();
    assert!(
        missing.is_empty(),
        "built-ins missing from docs/language.md: {missing:?}"
    );
    let unknown: Vec<_> = documented
        .iter()
        .filter(|n| !registry.contains(n.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/language.md lists names that are not built-ins: {unknown:?}"
    );
}

#[test]
fn the_keywords_the_docs_show_are_the_built_ins_own() {
    let sigs: HashMap<&str, &str> = builtins::signatures()
        .map(|(name, sig, _)| (name, sig))
        .collect();
    for code in first_cells(&section()) {
        let Some((name, Some(params))) = called(&code) else {
            continue;
        };
        let Some(sig) = sigs.get(name) else {
            continue;
        };
        let takes = param_names(sig);
        for p in params.split(',') {
            if let Some((key, _)) = p.split_once('=') {
                let key = key.trim();
                assert!(
                    takes.contains(key),
                    "docs: `{code}` shows `{key}=`, but {sig} has no `{key}`"
                );
            }
        }
    }
}
