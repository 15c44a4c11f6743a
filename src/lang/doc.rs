//! Answer keys as documents: Markdown (with `$…$` math), LaTeX (a
//! compilable article, or `--fragment` for the body) and HTML (one
//! self-contained file, math as MathML, figures as inline SVG).
//!
//! All three print the same step tree the text renderer prints: [`layout`]
//! turns a [`Solution`] into a short list of [`Block`]s once (which members
//! of a chain are shown, where the working goes, which line is the answer),
//! and each format only writes blocks out. Nothing here computes a value:
//! every number is the engine's, every formula a [`Math`] it built.
//!
//! An exam sheet ([`Sheet`]) is laid out from the same steps by
//! `sheet_blocks`: each statement as written, without the working, with a
//! blank under each answer (the question sheet) or its value (the key).

use std::borrow::Cow;
use std::fmt::Write as _;

use super::interp::{Detail, Solution, Step, StepKind};
use super::value::Fmt;
use crate::explain::figure::Figure;
use crate::explain::math::{latex_escape, latex_name, superscript_plain, Latex, Text};
use crate::explain::mathml::{self, MathMl};
use crate::explain::{Equations, Math, Note};
use crate::Num;

/// One exercise of a document.
pub struct Exercise<'a> {
    /// The file's name as given on the command line.
    pub file: &'a str,
    pub sol: &'a Solution,
}

/// The formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Latex,
    Html,
}

/// An exam sheet instead of the worked solution: the statement of every
/// step without its working, with a blank under each answer (the question
/// sheet) or its value (the key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sheet {
    Question,
    Key,
}

impl Sheet {
    /// What the sheet is called under each exercise's title.
    fn name(self) -> &'static str {
        match self {
            Sheet::Question => "question sheet",
            Sheet::Key => "answer key",
        }
    }
}

/// How a document is written.
#[derive(Clone, Debug)]
pub struct Options {
    pub format: Format,
    pub detail: Detail,
    pub digits: usize,
    /// LaTeX: the body only, to `\input` into a document of one's own.
    pub fragment: bool,
    /// Markdown: figures are written as files `{stem}-fig{N}.svg` beside
    /// the document and linked; without a stem they are inlined as data URLs.
    pub figure_stem: Option<String>,
    /// An exam sheet; `None` is the full worked solution.
    pub sheet: Option<Sheet>,
}

/// A written document and the files it links to (Markdown's figures).
pub struct Document {
    pub text: String,
    pub assets: Vec<(String, String)>,
}

// ---- layout ---------------------------------------------------------------------

/// A piece of a document, shared by every format.
enum Block<'a> {
    /// A sub-question (`## (b) Forward pass`).
    Part(&'a str),
    /// Prose from the exercise.
    Para(&'a str),
    /// A chain of members: `lhs = m₀ = m₁ …`, one member a row unless
    /// `one_line`; the last member is the answer when `answer`.
    Rows {
        label: Option<Cow<'a, str>>,
        lhs: Option<&'a str>,
        members: Vec<Math>,
        one_line: bool,
        answer: bool,
    },
    Eqs(&'a Equations),
    Table(&'a [String], &'a [Vec<Math>]),
    Code(&'a str),
    Figure(&'a Figure),
    /// A check's or a search's verdict.
    Verdict(bool, String),
    /// The working under a step: collapsible in HTML.
    Working(Vec<Block<'a>>),
    /// Room for an answer on a question sheet, with the answer's number
    /// when no statement above carries it.
    Blank(Option<String>),
}

/// Longest chain kept on one line (as the text renderer wraps).
const WRAP_AT: usize = 90;

fn note_blocks<'a>(notes: &'a [Note], fmt: &Fmt) -> Vec<Block<'a>> {
    let t = Text::new(fmt);
    notes
        .iter()
        .map(|n| match n {
            Note::Chain { label, members } => {
                let refs: Vec<&Math> = members.iter().collect();
                let len = label.as_deref().map_or(0, |l| l.chars().count() + 1)
                    + t.chain(&refs).chars().count();
                Block::Rows {
                    label: label.as_deref().map(Cow::Borrowed),
                    lhs: None,
                    members: members.clone(),
                    one_line: len <= WRAP_AT || members.len() < 3,
                    answer: false,
                }
            }
            Note::Prose(p) => Block::Para(p),
            Note::Code(c) => Block::Code(c),
            Note::Table { head, rows } => Block::Table(head, rows),
            Note::Equations(e) => Block::Eqs(e),
            Note::Figure(f) => Block::Figure(f),
        })
        .collect()
}

/// The decimals of a result with exact non-terminating elements (the text
/// renderer's `1/3 ≈ 0.3333`): each element's decimal as the engine's
/// formatter writes it, as an approximate number. `None` when every
/// element terminates (`0.6` needs no `≈`).
fn decimals(m: &Math, fmt: &Fmt) -> Option<Math> {
    let Math::Num(v) = m else {
        return None;
    };
    if !v
        .iter()
        .any(|n| n.is_exact() && !n.terminates() && n.infinity().is_none())
    {
        return None;
    }
    let mut ok = true;
    let a = v.mapv(|n| {
        if n.is_exact() && (n.terminates() || n.infinity().is_some()) {
            return n;
        }
        match fmt
            .decimal(&n)
            .parse::<f64>()
            .ok()
            .and_then(|x| Num::approx(x).ok())
        {
            Some(d) => d,
            None => {
                ok = false;
                n
            }
        }
    });
    ok.then(|| Math::arr(a))
}

/// A check's or a search's verdict.
fn verdict<'a>(s: &Step, fmt: &Fmt) -> Option<Block<'a>> {
    match s.kind {
        StepKind::Check => Some(Block::Verdict(
            s.ok,
            if s.ok { "✓ holds" } else { "✗ fails" }.into(),
        )),
        StepKind::Find => Some(Block::Verdict(
            s.ok,
            match &s.search {
                Some(f) if s.ok => format!(
                    "✓ found: {}",
                    f.bound
                        .iter()
                        .map(|(n, t)| format!("{n} = {}", fmt.tensor(t)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => "✗ no design in this grid".into(),
            },
        )),
        _ => None,
    }
}

fn step_blocks<'a>(s: &'a Step, detail: Detail, fmt: &Fmt) -> Vec<Block<'a>> {
    let mut out = Vec::new();
    match s.kind {
        StepKind::Part => return vec![Block::Part(&s.source)],
        StepKind::Prose | StepKind::Explanation => return vec![Block::Para(&s.source)],
        StepKind::Def => {
            match s.chain.as_slice() {
                [head, body] => out.push(Block::Rows {
                    label: Some(Cow::Borrowed("def")),
                    lhs: None,
                    members: vec![head.clone(), body.clone()],
                    one_line: true,
                    answer: false,
                }),
                _ => out.push(Block::Para(&s.source)),
            }
            if detail == Detail::Full && !s.notes.is_empty() {
                out.extend(note_blocks(&s.notes, fmt));
            }
            return out;
        }
        _ => {}
    }
    let lhs = match s.kind {
        StepKind::Check | StepKind::Find => None,
        _ => s.target.as_deref(),
    };
    let label = match s.kind {
        StepKind::Check => Some("check"),
        StepKind::Find => Some("find"),
        _ => None,
    };
    let label = label.map(Cow::Borrowed);
    let verdict = |s: &Step| verdict(s, fmt);
    if detail == Detail::Brief {
        let mut members: Vec<Math> = s.chain.first().cloned().into_iter().collect();
        members.extend(s.result.iter().cloned());
        out.push(Block::Rows {
            label,
            lhs,
            members,
            one_line: true,
            answer: s.answer,
        });
        out.extend(verdict(s));
        return out;
    }
    let working = note_blocks(&s.notes, fmt);
    let has_working = s.has_text_notes() || s.notes.iter().any(|n| matches!(n, Note::Figure(_)));
    let mut members: Vec<Math> = s.chain.clone();
    let extra = s.result.as_ref().and_then(|r| decimals(r, fmt));
    if !has_working {
        // The result closes the chain (the text renderer's last line).
        members.extend(s.result.iter().cloned());
        members.extend(extra.clone());
    }
    let shown = !members.is_empty();
    if shown {
        out.push(Block::Rows {
            label,
            lhs,
            members,
            one_line: false,
            answer: s.answer && !has_working,
        });
    }
    if has_working {
        out.push(Block::Working(working));
        if let Some(r) = &s.result {
            // `L = 16`, or `∂L/∂w = …` for a step with no name of its own.
            let mut members: Vec<Math> = match (lhs, s.chain.first()) {
                (None, Some(f)) => vec![f.clone()],
                _ => Vec::new(),
            };
            members.push(r.clone());
            members.extend(extra);
            out.push(Block::Rows {
                label: None,
                lhs,
                members,
                one_line: false,
                answer: s.answer,
            });
        }
    }
    out.extend(verdict(s));
    out
}

/// A step on an exam sheet: the statement as written, never the working.
/// Data (a name bound to a number as written, `b = -0.1`) is shown; of a
/// computed value only an answer's, and only on the key. `number` numbers
/// an answer, `(1)`, the same on both sheets.
/// Whether a formula is data only — numbers, lists of them, constructor
/// calls such as `np.array([[1, 0]])` — with no name in it: written for an
/// answer, it is the answer itself.
pub fn is_data(m: &Math) -> bool {
    match m {
        Math::Num(_) | Math::Code(_) => true,
        Math::Neg(x) | Math::Kw(_, x) => is_data(x),
        Math::Bin(_, x, y) => is_data(x) && is_data(y),
        Math::Call(_, xs) | Math::List(xs) | Math::Tuple(xs) => xs.iter().all(is_data),
        _ => false,
    }
}

fn sheet_blocks<'a>(s: &'a Step, sheet: Sheet, number: usize, fmt: &Fmt) -> Vec<Block<'a>> {
    let key = sheet == Sheet::Key;
    let line = |label: Option<Cow<'a, str>>, lhs: Option<&'a str>, members: Vec<Math>, answer| {
        let t = Text::new(fmt);
        let refs: Vec<&Math> = members.iter().collect();
        let len = lhs.map_or(0, |l| l.chars().count() + 3) + t.chain(&refs).chars().count();
        Block::Rows {
            label,
            lhs,
            one_line: len <= WRAP_AT || members.len() < 2,
            members,
            answer,
        }
    };
    let written = s.chain.first();
    // Data as written (`np.array([[1, 0]])` too): for an answer, its value.
    let data = written.is_none_or(is_data);
    match s.kind {
        StepKind::Part => vec![Block::Part(&s.source)],
        StepKind::Prose => vec![Block::Para(&s.source)],
        // The key's explanation: on the key, not on the question sheet.
        StepKind::Explanation if key => vec![Block::Para(&s.source)],
        StepKind::Explanation => Vec::new(),
        StepKind::Def => {
            let mut out = Vec::new();
            match s.chain.as_slice() {
                [head, body] => out.push(line(
                    Some(Cow::Borrowed("def")),
                    None,
                    vec![head.clone(), body.clone()],
                    false,
                )),
                // A function of several lines: its header and its body as
                // written (the body is the statement, not working).
                _ => {
                    out.push(Block::Para(&s.source));
                    out.extend(s.notes.iter().filter_map(|n| match n {
                        Note::Code(c) => Some(Block::Code(c)),
                        _ => None,
                    }));
                }
            }
            out
        }
        StepKind::Check => {
            let mut out: Vec<Block> = written
                .map(|w| line(Some(Cow::Borrowed("check")), None, vec![w.clone()], false))
                .into_iter()
                .collect();
            if key {
                out.extend(verdict(s, fmt));
            }
            out
        }
        StepKind::Find => {
            // The step holds the header (`find W in grid(…)`), as code.
            let header = s.source.strip_prefix("find ").unwrap_or(&s.source);
            let mut out = vec![line(
                Some(Cow::Borrowed("find")),
                None,
                vec![Math::Code(header.to_string())],
                false,
            )];
            if key {
                out.extend(verdict(s, fmt));
            }
            out
        }
        _ if s.answer => {
            let label = Some(Cow::Owned(format!("({number})")));
            let lhs = s.target.as_deref();
            // An answer written as a number is what the student finds: on
            // the question sheet only its name.
            let mut members: Vec<Math> = match written {
                Some(w) if key || !data => vec![w.clone()],
                _ => Vec::new(),
            };
            if !key {
                if lhs.is_none() && members.is_empty() {
                    return vec![Block::Blank(label.map(Cow::into_owned))];
                }
                return vec![line(label, lhs, members, false), Block::Blank(None)];
            }
            members.extend(s.result.iter().cloned());
            members.extend(s.result.as_ref().and_then(|r| decimals(r, fmt)));
            vec![line(label, lhs, members, true)]
        }
        _ => {
            let lhs = s.target.as_deref();
            let members: Vec<Math> = match (written, &s.result) {
                (Some(w), _) => vec![w.clone()],
                (None, Some(r)) if lhs.is_some() => vec![r.clone()],
                _ => Vec::new(),
            };
            if members.is_empty() {
                return Vec::new();
            }
            vec![line(None, lhs, members, false)]
        }
    }
}

/// Display name of the exercise: its title, else its file.
fn title_of<'a>(ex: &Exercise<'a>) -> &'a str {
    if ex.sol.title.is_empty() {
        ex.file
    } else {
        &ex.sol.title
    }
}

// ---- the three writers ----------------------------------------------------------

/// Writes the exercises as one document.
pub fn render(exercises: &[Exercise], o: &Options) -> Document {
    let mut r = Renderer::new(o);
    for ex in exercises {
        r.add(ex);
    }
    r.finish()
}

fn writer(o: &Options) -> Box<dyn Writer> {
    let fmt = Fmt { digits: o.digits };
    match o.format {
        Format::Markdown => Box::new(Md {
            out: String::new(),
            fmt,
            stem: o.figure_stem.clone(),
            assets: Vec::new(),
        }),
        Format::Latex => Box::new(Tex {
            out: String::new(),
            fmt,
        }),
        Format::Html => Box::new(Html {
            out: String::new(),
            fmt,
            sheet: o.sheet.is_some(),
        }),
    }
}

/// A document written one exercise at a time, so that each solution can be
/// dropped as soon as it is written (a folder of long runs is not held in
/// memory until the end); the title and the contents are put in front when
/// it is finished.
pub struct Renderer {
    o: Options,
    fmt: Fmt,
    body: Box<dyn Writer>,
    /// Each exercise's anchor and title, for the contents.
    toc: Vec<(String, String)>,
}

impl Renderer {
    pub fn new(o: &Options) -> Renderer {
        Renderer {
            o: o.clone(),
            fmt: Fmt { digits: o.digits },
            body: writer(o),
            toc: Vec::new(),
        }
    }

    /// Writes one exercise's section.
    pub fn add(&mut self, ex: &Exercise) {
        let (w, o, fmt) = (&mut self.body, &self.o, &self.fmt);
        let a = anchor(self.toc.len());
        self.toc.push((a.clone(), title_of(ex).to_string()));
        w.exercise(&a, title_of(ex), ex.file, o.sheet);
        // The model's equations are working: no sheet shows them.
        if !ex.sol.model.is_empty() && o.detail == Detail::Full && o.sheet.is_none() {
            w.heading("The model");
            for e in &ex.sol.model {
                w.block(&Block::Eqs(e));
            }
        }
        let mut in_part = false;
        let mut answers = 0;
        for s in &ex.sol.steps {
            let blocks = match o.sheet {
                None => step_blocks(s, o.detail, fmt),
                Some(sheet) => {
                    answers += usize::from(s.answer);
                    sheet_blocks(s, sheet, answers, fmt)
                }
            };
            for b in blocks {
                if let Block::Part(h) = b {
                    if in_part {
                        w.end_part();
                    }
                    w.part(h);
                    in_part = true;
                } else {
                    w.block(&b);
                }
            }
        }
        if in_part {
            w.end_part();
        }
        if ex.sol.elided_steps > 0 {
            let msg = format!("… {} more steps not shown", ex.sol.elided_steps);
            w.block(&Block::Para(&msg));
        }
        if !ex.sol.answers.is_empty() && o.sheet != Some(Sheet::Question) {
            w.answers(ex.sol);
        }
        if !ex.sol.errors.is_empty() {
            w.errors(ex.sol);
        }
        w.end_exercise();
    }

    /// The whole document: preamble, title and contents, the exercises.
    pub fn finish(mut self) -> Document {
        let whole = !(self.o.format == Format::Latex && self.o.fragment);
        let doc_title = match (self.toc.as_slice(), self.o.sheet) {
            ([(_, one)], None) => one.clone(),
            ([(_, one)], Some(sheet)) => format!("{one} — {}", sheet.name()),
            (_, Some(Sheet::Question)) => "Questions".to_string(),
            _ => "Answer key".to_string(),
        };
        let mut head = writer(&self.o);
        if whole {
            head.begin(&doc_title);
        }
        if self.toc.len() > 1 {
            head.title(&doc_title);
            let toc: Vec<(String, &str)> = self
                .toc
                .iter()
                .map(|(a, t)| (a.clone(), t.as_str()))
                .collect();
            head.toc(&toc);
        }
        if whole {
            self.body.end();
        }
        let head = head.finish();
        let body = self.body.finish();
        Document {
            text: head.text + &body.text,
            assets: body.assets,
        }
    }
}

fn anchor(i: usize) -> String {
    format!("exercise-{}", i + 1)
}

/// What each format writes; the walk above is shared.
trait Writer {
    fn begin(&mut self, title: &str);
    /// The title of a document of several exercises.
    fn title(&mut self, title: &str);
    fn toc(&mut self, entries: &[(String, &str)]);
    /// An exercise's heading, with what kind of sheet it is on one.
    fn exercise(&mut self, anchor: &str, title: &str, file: &str, sheet: Option<Sheet>);
    fn heading(&mut self, text: &str);
    fn part(&mut self, text: &str);
    fn end_part(&mut self) {}
    fn block(&mut self, b: &Block);
    fn answers(&mut self, sol: &Solution);
    fn errors(&mut self, sol: &Solution);
    fn end_exercise(&mut self) {}
    fn end(&mut self) {}
    fn finish(self: Box<Self>) -> Document;
}

/// The shown members of a chain: each that prints as the one before is
/// left out (`Text::chain`'s rule).
fn distinct_members<'m>(
    members: &'m [Math],
    print: &dyn Fn(&Math) -> String,
) -> Vec<(&'m Math, String)> {
    let mut out: Vec<(&Math, String)> = Vec::new();
    for m in members {
        let s = print(m);
        if out.last().is_some_and(|(_, p)| *p == s) {
            continue;
        }
        out.push((m, s));
    }
    out
}

// ---- LaTeX math, shared by Markdown and LaTeX --------------------------------------

/// A chain member as LaTeX with its relation: `= x` or `\approx x`.
fn tex_member(l: &Latex, m: &Math) -> (String, &'static str) {
    let s = l.chain(&[m]);
    match s.strip_prefix("\\approx ") {
        Some(rest) => (rest.to_string(), "\\approx"),
        None => (s, "="),
    }
}

/// A name or several (`W_Q = W_K`) as LaTeX.
fn tex_names(lhs: &str) -> String {
    lhs.split(" = ")
        .map(latex_name)
        .collect::<Vec<_>>()
        .join(" = ")
}

/// The LaTeX of a [`Block::Rows`]: an `aligned` environment (or one line).
fn tex_rows(
    fmt: &Fmt,
    label: Option<&str>,
    lhs: Option<&str>,
    members: &[Math],
    one_line: bool,
    answer: bool,
) -> String {
    let l = Latex::new(fmt);
    let shown = distinct_members(members, &|m| l.chain(&[m]));
    let n = shown.len();
    let boxed = |s: String, k: usize| {
        if answer && k + 1 == n {
            format!("\\boxed{{{s}}}")
        } else {
            s
        }
    };
    let label = label
        .map(|t| format!("\\text{{{}}}\\quad ", latex_text(t)))
        .unwrap_or_default();
    let mut parts: Vec<(String, &str)> = Vec::new();
    for (k, (m, _)) in shown.iter().enumerate() {
        let (s, rel) = tex_member(&l, m);
        parts.push((boxed(s, k), rel));
    }
    let head = match lhs {
        Some(name) if !name.is_empty() => Some(tex_names(name)),
        _ => None,
    };
    if one_line || parts.len() <= 1 && head.is_none() {
        let mut s = label;
        if let Some(h) = &head {
            s.push_str(h);
        }
        for (k, (p, rel)) in parts.iter().enumerate() {
            if k > 0 || head.is_some() {
                let _ = write!(s, " {rel} ");
            }
            s.push_str(p);
        }
        return s;
    }
    let mut rows = Vec::new();
    let mut it = parts.into_iter();
    match head {
        Some(h) => {
            if let Some((p, rel)) = it.next() {
                rows.push(format!("{label}{h} &{rel} {p}"));
            }
        }
        // No name on the left: the formula on a row of its own, each
        // member under it (a long formula does not push the rest right).
        None => {
            if let Some((p, _)) = it.next() {
                rows.push(format!("&{label}{p}"));
            }
        }
    }
    for (p, rel) in it {
        rows.push(format!("&{rel} {p}"));
    }
    format!(
        "\\begin{{aligned}}\n{}\n\\end{{aligned}}",
        rows.join(" \\\\\n")
    )
}

fn tex_eqs(fmt: &Fmt, e: &Equations) -> String {
    let l = Latex::new(fmt);
    let rows: Vec<String> = e
        .lines
        .iter()
        .map(|(a, b)| format!("{} &= {}", l.inline(a), l.inline(b)))
        .collect();
    let mut s = format!(
        "\\begin{{aligned}}\n{}\n\\end{{aligned}}",
        rows.join(" \\\\\n")
    );
    if let Some(r) = &e.range {
        let _ = write!(s, "\\qquad \\text{{{}}}", latex_text(r));
    }
    s
}

/// Text from an exercise for LaTeX's text mode: special characters escaped
/// and the Unicode a worked solution uses (σ, ≈, h⁽ᵗ⁾, x₁, ✓) written as
/// LaTeX, so the document compiles with pdflatex as well as lualatex.
pub fn latex_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut sup = String::new();
    let mut sub = String::new();
    let flush = |out: &mut String, sup: &mut String, sub: &mut String| {
        if !sup.is_empty() {
            let _ = write!(out, "\\textsuperscript{{{}}}", latex_escape(sup));
            sup.clear();
        }
        if !sub.is_empty() {
            let _ = write!(out, "\\textsubscript{{{}}}", latex_escape(sub));
            sub.clear();
        }
    };
    for c in s.chars() {
        if let Some(p) = superscript_plain(c) {
            sup.push(p);
            continue;
        }
        if let Some(p) = subscript_plain(c) {
            sub.push(p);
            continue;
        }
        flush(&mut out, &mut sup, &mut sub);
        let math = match c {
            'α' => "\\alpha",
            'β' => "\\beta",
            'γ' => "\\gamma",
            'δ' => "\\delta",
            'ε' => "\\varepsilon",
            'η' => "\\eta",
            'θ' => "\\theta",
            'λ' => "\\lambda",
            'μ' => "\\mu",
            'π' => "\\pi",
            'σ' => "\\sigma",
            'τ' => "\\tau",
            'φ' => "\\varphi",
            'Σ' => "\\Sigma",
            'Δ' => "\\Delta",
            '≈' => "\\approx",
            '≤' => "\\le",
            '≥' => "\\ge",
            '≠' => "\\ne",
            '−' => "-",
            '·' => "\\cdot",
            '×' => "\\times",
            '⊙' => "\\odot",
            '∂' => "\\partial",
            '√' => "\\surd",
            '∞' => "\\infty",
            '∈' => "\\in",
            '→' => "\\to",
            '←' => "\\leftarrow",
            '⇒' => "\\Rightarrow",
            '‖' => "\\|",
            '∑' => "\\sum",
            '∀' => "\\forall",
            '✓' => "\\checkmark",
            _ => "",
        };
        if !math.is_empty() {
            let _ = write!(out, "$\\mathrm{{{math}}}$");
            // (\mathrm keeps an operator upright; it is harmless on a symbol)
            continue;
        }
        match c {
            '✗' => out.push_str("$\\times$"),
            '…' => out.push_str("\\ldots{}"),
            '—' => out.push_str("---"),
            '–' => out.push_str("--"),
            '◀' => out.push_str("$\\blacktriangleleft$"),
            '“' | '”' => out.push('"'),
            '‘' | '’' => out.push('\''),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            c if c.is_control() => out.push(' '),
            c => out.push_str(&latex_escape(&c.to_string())),
        }
    }
    flush(&mut out, &mut sup, &mut sub);
    out
}

fn subscript_plain(c: char) -> Option<char> {
    Some(match c {
        '₀' => '0',
        '₁' => '1',
        '₂' => '2',
        '₃' => '3',
        '₄' => '4',
        '₅' => '5',
        '₆' => '6',
        '₇' => '7',
        '₈' => '8',
        '₉' => '9',
        'ᵢ' => 'i',
        'ⱼ' => 'j',
        'ₜ' => 't',
        'ₖ' => 'k',
        'ₙ' => 'n',
        _ => return None,
    })
}

// ---- Markdown ---------------------------------------------------------------------

struct Md {
    out: String,
    fmt: Fmt,
    stem: Option<String>,
    assets: Vec<(String, String)>,
}

/// Text from an exercise for Markdown: the characters Markdown would read
/// as markup (and `$`, which would start math) escaped.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]<>|$~&".contains(c) {
            out.push('\\');
        }
        if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    // Leading spaces would make a code block; a line that starts like a
    // heading, a list item or a numbered item (`1.`, `1)`) is escaped.
    let mut out = out.trim_start().to_string();
    let digits = out.chars().take_while(char::is_ascii_digit).count();
    let numbered = digits > 0 && out[digits..].starts_with(['.', ')']);
    if numbered {
        out.insert(digits, '\\');
    } else if out.starts_with(['#', '-', '+', '=']) {
        out.insert(0, '\\');
    }
    out
}

/// Text percent-encoded for a link target: a Markdown link ends at a
/// space or a parenthesis, so neither is left as it is.
fn url_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/:=;,".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A data URL of an SVG (percent-encoded, no base64 needed).
fn svg_data_url(svg: &str) -> String {
    format!("data:image/svg+xml;charset=utf-8,{}", url_escape(svg))
}

impl Writer for Md {
    fn begin(&mut self, _title: &str) {
        // The title is the first heading (a comment could be closed by it).
    }
    fn title(&mut self, title: &str) {
        let _ = writeln!(self.out, "# {}\n", md_text(title));
    }
    fn toc(&mut self, entries: &[(String, &str)]) {
        self.out.push_str("## Contents\n\n");
        for (i, (a, t)) in entries.iter().enumerate() {
            let _ = writeln!(self.out, "{}. [{}](#{a})", i + 1, md_text(t));
        }
        self.out.push('\n');
    }
    fn exercise(&mut self, anchor: &str, title: &str, file: &str, sheet: Option<Sheet>) {
        let _ = writeln!(
            self.out,
            "<a id=\"{anchor}\"></a>\n\n# {}\n\n*{}{}*\n",
            md_text(title),
            md_text(file),
            sheet
                .map(|s| format!(" — {}", s.name()))
                .unwrap_or_default()
        );
    }
    fn heading(&mut self, text: &str) {
        let _ = writeln!(self.out, "## {}\n", md_text(text));
    }
    fn part(&mut self, text: &str) {
        let _ = writeln!(self.out, "## {}\n", md_text(text));
    }
    fn block(&mut self, b: &Block) {
        let fmt = self.fmt;
        match b {
            Block::Part(h) => self.part(h),
            Block::Para(p) => {
                let _ = writeln!(self.out, "{}\n", md_text(p));
            }
            Block::Rows {
                label,
                lhs,
                members,
                one_line,
                answer,
            } => {
                let tex = tex_rows(&fmt, label.as_deref(), *lhs, members, *one_line, *answer);
                let _ = writeln!(self.out, "$$\n{tex}\n$$\n");
            }
            Block::Eqs(e) => {
                let _ = writeln!(self.out, "$$\n{}\n$$\n", tex_eqs(&fmt, e));
                if let Some(s) = e.shapes_text() {
                    let _ = writeln!(self.out, "{}\n", md_text(&s));
                }
            }
            Block::Table(head, rows) => {
                let l = Latex::new(&fmt);
                let cells: Vec<String> = head.iter().map(|h| md_text(h)).collect();
                let _ = writeln!(self.out, "| {} |", cells.join(" | "));
                let _ = writeln!(self.out, "|{}|", vec!["---"; head.len()].join("|"));
                for r in rows.iter() {
                    let cells: Vec<String> =
                        r.iter().map(|m| format!("${}$", l.chain(&[m]))).collect();
                    let _ = writeln!(self.out, "| {} |", cells.join(" | "));
                }
                self.out.push('\n');
            }
            Block::Code(c) => {
                // A fence longer than any run of backticks inside.
                let longest = c.split(|ch| ch != '`').map(str::len).max().unwrap_or(0);
                let fence = "`".repeat(longest.max(2) + 1);
                let _ = writeln!(self.out, "{fence}python\n{c}\n{fence}\n");
            }
            Block::Figure(f) => {
                let svg = f.svg(&fmt);
                let alt = md_text(f.title());
                match &self.stem {
                    Some(stem) => {
                        let name = format!("{stem}-fig{}.svg", self.assets.len() + 1);
                        let _ = writeln!(self.out, "![{alt}]({})\n", url_escape(&name));
                        self.assets.push((name, svg));
                    }
                    None => {
                        let _ = writeln!(self.out, "![{alt}]({})\n", svg_data_url(&svg));
                    }
                }
            }
            Block::Verdict(ok, text) => {
                let _ = writeln!(
                    self.out,
                    "{}\n",
                    if *ok {
                        md_text(text)
                    } else {
                        format!("**{}**", md_text(text))
                    }
                );
            }
            Block::Working(bs) => {
                for b in bs {
                    self.block(b);
                }
            }
            Block::Blank(number) => {
                let _ = writeln!(
                    self.out,
                    "**{}Answer:** {}\n",
                    number
                        .as_deref()
                        .map(|n| format!("{n} "))
                        .unwrap_or_default(),
                    "_".repeat(40)
                );
            }
        }
    }
    fn answers(&mut self, sol: &Solution) {
        let l = Latex::new(&self.fmt);
        self.out
            .push_str("## Answers\n\n| answer | value |\n|---|---|\n");
        for a in &sol.answers {
            let value = match &a.value {
                super::value::Value::T(t) => format!("${}$", l.chain(&[&Math::val(t)])),
                _ => md_text(&a.text),
            };
            let _ = writeln!(self.out, "| {} | {value} |", md_text(&a.name));
        }
        self.out.push('\n');
    }
    fn errors(&mut self, sol: &Solution) {
        self.out.push_str("## Errors\n\n");
        for e in &sol.errors {
            let _ = writeln!(
                self.out,
                "- **{}**: {}",
                md_text(e.kind.title()),
                md_text(&e.message)
            );
        }
        self.out.push('\n');
    }
    fn finish(self: Box<Self>) -> Document {
        Document {
            text: self.out,
            assets: self.assets,
        }
    }
}

// ---- LaTeX ------------------------------------------------------------------------

struct Tex {
    out: String,
    fmt: Fmt,
}

impl Writer for Tex {
    fn begin(&mut self, title: &str) {
        let _ = write!(
            self.out,
            "\\documentclass[11pt]{{article}}\n\
             \\usepackage{{iftex}}\n\
             \\ifPDFTeX\n  \\usepackage[utf8]{{inputenc}}\n  \\usepackage[T1]{{fontenc}}\n  \\usepackage{{lmodern}}\n\\fi\n\
             \\usepackage{{parskip}}\n\
             \\usepackage{{amsmath,amssymb}}\n\
             \\usepackage[margin=2cm]{{geometry}}\n\
             \\setcounter{{MaxMatrixCols}}{{40}}\n\
             \\allowdisplaybreaks\n\
             \\title{{{}}}\n\\date{{}}\n\
             \\begin{{document}}\n\\maketitle\n\n",
            latex_text(title)
        );
    }
    fn title(&mut self, _title: &str) {
        // \maketitle wrote it.
    }
    fn toc(&mut self, _entries: &[(String, &str)]) {
        self.out.push_str("\\tableofcontents\n\n");
    }
    fn exercise(&mut self, _anchor: &str, title: &str, file: &str, sheet: Option<Sheet>) {
        let _ = write!(
            self.out,
            "\\section{{{}}}\n\\noindent\\texttt{{{}}}{}\n\n",
            latex_text(title),
            latex_text(file),
            sheet
                .map(|s| format!("\\hfill\\textit{{{}}}", s.name()))
                .unwrap_or_default()
        );
    }
    fn heading(&mut self, text: &str) {
        let _ = write!(self.out, "\\subsection*{{{}}}\n\n", latex_text(text));
    }
    fn part(&mut self, text: &str) {
        let _ = write!(self.out, "\\subsection*{{{}}}\n\n", latex_text(text));
    }
    fn block(&mut self, b: &Block) {
        let fmt = self.fmt;
        match b {
            Block::Part(h) => self.part(h),
            Block::Para(p) => {
                let _ = write!(self.out, "{}\n\n", latex_text(p));
            }
            Block::Rows {
                label,
                lhs,
                members,
                one_line,
                answer,
            } => {
                let tex = tex_rows(&fmt, label.as_deref(), *lhs, members, *one_line, *answer);
                let _ = write!(
                    self.out,
                    "\\begin{{equation*}}\n{tex}\n\\end{{equation*}}\n\n"
                );
            }
            Block::Eqs(e) => {
                let _ = write!(
                    self.out,
                    "\\begin{{equation*}}\n{}\n\\end{{equation*}}\n",
                    tex_eqs(&fmt, e)
                );
                if let Some(s) = e.shapes_text() {
                    let _ = write!(self.out, "{}\n\n", latex_text(&s));
                }
            }
            Block::Table(head, rows) => {
                let l = Latex::new(&fmt);
                let _ = writeln!(
                    self.out,
                    "\\begin{{center}}\\begin{{tabular}}{{{}}}",
                    "l".repeat(head.len().max(1))
                );
                let cells: Vec<String> = head.iter().map(|h| latex_text(h)).collect();
                let _ = writeln!(self.out, "{} \\\\ \\hline", cells.join(" & "));
                for r in rows.iter() {
                    let cells: Vec<String> =
                        r.iter().map(|m| format!("${}$", l.chain(&[m]))).collect();
                    let _ = writeln!(self.out, "{} \\\\", cells.join(" & "));
                }
                self.out.push_str("\\end{tabular}\\end{center}\n\n");
            }
            Block::Code(c) => {
                let _ = write!(
                    self.out,
                    "\\begin{{verbatim}}\n{}\n\\end{{verbatim}}\n\n",
                    c.replace("\\end{verbatim}", "\\end {verbatim}")
                );
            }
            Block::Figure(f) => {
                // SVG does not go into LaTeX without a converter; the HTML
                // and Markdown keys carry the figure.
                let _ = write!(
                    self.out,
                    "\\begin{{center}}\\fbox{{\\parbox{{0.8\\linewidth}}{{\\centering\\small Figure: {} (in the HTML and Markdown answer keys)}}}}\\end{{center}}\n\n",
                    latex_text(f.title())
                );
            }
            Block::Verdict(ok, text) => {
                let t = latex_text(text);
                let _ = write!(
                    self.out,
                    "{}\n\n",
                    if *ok { t } else { format!("\\textbf{{{t}}}") }
                );
            }
            Block::Working(bs) => {
                for b in bs {
                    self.block(b);
                }
            }
            Block::Blank(number) => {
                // A line to write on, with room above it for a matrix.
                let _ = write!(
                    self.out,
                    "\\vspace{{1.5\\baselineskip}}\\noindent {}\\textit{{Answer:}}~\\hrulefill\\par\\vspace{{\\baselineskip}}\n\n",
                    number
                        .as_deref()
                        .map(|n| format!("{}\\quad ", latex_text(n)))
                        .unwrap_or_default()
                );
            }
        }
    }
    fn answers(&mut self, sol: &Solution) {
        let l = Latex::new(&self.fmt);
        self.out
            .push_str("\\subsection*{Answers}\n\\begin{align*}\n");
        let rows: Vec<String> = sol
            .answers
            .iter()
            .map(|a| {
                let name = format!("\\text{{{}}}", latex_text(&a.name));
                match &a.value {
                    super::value::Value::T(t) => {
                        let (s, rel) = tex_member(&l, &Math::val(t));
                        format!("{name} &{rel} {s}")
                    }
                    _ => format!("{name} &: \\text{{{}}}", latex_text(&a.text)),
                }
            })
            .collect();
        self.out.push_str(&rows.join(" \\\\\n"));
        self.out.push_str("\n\\end{align*}\n\n");
    }
    fn errors(&mut self, sol: &Solution) {
        self.out
            .push_str("\\subsection*{Errors}\n\\begin{itemize}\n");
        for e in &sol.errors {
            let _ = writeln!(
                self.out,
                "\\item \\textbf{{{}}}: {}",
                latex_text(e.kind.title()),
                latex_text(&e.message)
            );
        }
        self.out.push_str("\\end{itemize}\n\n");
    }
    fn end(&mut self) {
        self.out.push_str("\\end{document}\n");
    }
    fn finish(self: Box<Self>) -> Document {
        Document {
            text: self.out,
            assets: Vec::new(),
        }
    }
}

// ---- HTML -------------------------------------------------------------------------

struct Html {
    out: String,
    fmt: Fmt,
    /// An exam sheet: its style is added.
    sheet: bool,
}

use mathml::escape as esc;

/// The page's style: a readable column, print-friendly, dark-mode aware.
const CSS: &str = include_str!("doc.css");

/// An exam sheet's additions: the blank line under each question, printed.
const SHEET_CSS: &str = ".sheet { color: var(--muted); font-style: italic; margin-top: 0; }
p.blank { display: flex; align-items: flex-end; gap: 0.5rem; min-height: 3.5rem; margin: 0.25rem 0 1.25rem;
  color: var(--muted); font-style: italic; break-inside: avoid; }
p.blank::after { content: \"\"; flex: 1; border-bottom: 1px solid var(--fg); }
";

impl Html {
    /// A chain member as MathML with its relation (`=` or the `≈` the
    /// printer already wrote).
    fn member(&self, m: &Math) -> String {
        let p = MathMl::new(&self.fmt);
        let s = p.chain(&[m]);
        if s.starts_with("<mo>≈</mo>") {
            s
        } else {
            format!("<mo>=</mo>{s}")
        }
    }
    fn names(&self, lhs: &str) -> String {
        lhs.split(" = ")
            .map(mathml::name)
            .collect::<Vec<_>>()
            .join("<mo>=</mo>")
    }
}

impl Writer for Html {
    fn begin(&mut self, title: &str) {
        let _ = write!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
             <meta name=\"generator\" content=\"gradwork\"/>\n\
             <title>{}</title>\n<style>\n{CSS}{}{}\n</style>\n</head>\n<body>\n<main>\n",
            esc(title),
            if self.sheet { SHEET_CSS } else { "" },
            mathml::CSS
        );
    }
    fn title(&mut self, title: &str) {
        let _ = writeln!(self.out, "<h1 class=\"title\">{}</h1>", esc(title));
    }
    fn toc(&mut self, entries: &[(String, &str)]) {
        self.out
            .push_str("<nav class=\"toc\"><h2>Contents</h2>\n<ol>\n");
        for (a, t) in entries {
            let _ = writeln!(self.out, "<li><a href=\"#{a}\">{}</a></li>", esc(t));
        }
        self.out.push_str("</ol></nav>\n");
    }
    fn exercise(&mut self, anchor: &str, title: &str, file: &str, sheet: Option<Sheet>) {
        let _ = write!(
            self.out,
            "<article id=\"{anchor}\">\n<header><h1>{}</h1><p class=\"file\">{}</p>{}</header>\n",
            esc(title),
            esc(file),
            sheet
                .map(|s| format!("<p class=\"sheet\">{}</p>", s.name()))
                .unwrap_or_default()
        );
    }
    fn heading(&mut self, text: &str) {
        let _ = writeln!(self.out, "<h2 class=\"model\">{}</h2>", esc(text));
    }
    fn part(&mut self, text: &str) {
        let _ = writeln!(self.out, "<section class=\"part\">\n<h2>{}</h2>", esc(text));
    }
    fn end_part(&mut self) {
        self.out.push_str("</section>\n");
    }
    fn block(&mut self, b: &Block) {
        let fmt = self.fmt;
        let p = MathMl::new(&fmt);
        match b {
            Block::Part(h) => self.part(h),
            Block::Para(t) => {
                let _ = writeln!(self.out, "<p>{}</p>", esc(t));
            }
            Block::Rows {
                label,
                lhs,
                members,
                one_line,
                answer,
            } => {
                let shown = distinct_members(members, &|m| p.chain(&[m]));
                let n = shown.len();
                let label = label
                    .as_deref()
                    .map(|l| format!("<span class=\"label\">{}</span> ", esc(l)))
                    .unwrap_or_default();
                let head = match lhs {
                    Some(name) if !name.is_empty() => Some(self.names(name)),
                    _ => None,
                };
                let class = if *answer { "chain answer" } else { "chain" };
                if *one_line || n <= 1 && head.is_none() {
                    let mut s = String::new();
                    if let Some(h) = &head {
                        s.push_str(h);
                    }
                    for (k, (m, body)) in shown.iter().enumerate() {
                        if k > 0 || head.is_some() {
                            s.push_str(&self.member(m));
                        } else {
                            s.push_str(body);
                        }
                    }
                    let _ = writeln!(
                        self.out,
                        "<div class=\"{class} line\">{label}{}</div>",
                        mathml::inline_math(&s)
                    );
                    return;
                }
                // One member a row: the left column holds what is equated.
                let _ = writeln!(self.out, "<div class=\"scroll\"><table class=\"{class}\">");
                let mut rows: Vec<(String, String)> = Vec::new();
                let mut it = shown.iter();
                match &head {
                    Some(h) => {
                        if let Some((m, _)) = it.next() {
                            rows.push((h.clone(), self.member(m)));
                        }
                    }
                    None => {
                        if let Some((_, first)) = it.next() {
                            match it.next() {
                                Some((m, _)) => rows.push((first.clone(), self.member(m))),
                                None => rows.push((first.clone(), String::new())),
                            }
                        }
                    }
                }
                for (m, _) in it {
                    rows.push((String::new(), self.member(m)));
                }
                let last = rows.len();
                for (k, (l, r)) in rows.into_iter().enumerate() {
                    let mark = if *answer && k + 1 == last {
                        " class=\"result\""
                    } else {
                        ""
                    };
                    let lhs_cell = if l.is_empty() {
                        String::new()
                    } else {
                        mathml::inline_math(&l)
                    };
                    let rhs_cell = if r.is_empty() {
                        String::new()
                    } else {
                        mathml::inline_math(&r)
                    };
                    let lab = if k == 0 { label.as_str() } else { "" };
                    let _ = writeln!(
                        self.out,
                        "<tr{mark}><td class=\"lhs\">{lab}{lhs_cell}</td><td class=\"rhs\">{rhs_cell}</td></tr>"
                    );
                }
                self.out.push_str("</table></div>\n");
            }
            Block::Eqs(e) => {
                self.out
                    .push_str("<div class=\"eqs\"><div class=\"scroll\"><table class=\"chain\">\n");
                for (a, b) in &e.lines {
                    let _ = writeln!(
                        self.out,
                        "<tr><td class=\"lhs\">{}</td><td class=\"rhs\">{}</td></tr>",
                        mathml::inline_math(&p.inline(a)),
                        mathml::inline_math(&format!("<mo>=</mo>{}", p.inline(b)))
                    );
                }
                self.out.push_str("</table></div>\n");
                if let Some(r) = &e.range {
                    let _ = writeln!(self.out, "<p class=\"range\">{}</p>", esc(r));
                }
                if let Some(s) = e.shapes_text() {
                    let _ = writeln!(self.out, "<p class=\"shapes\">{}</p>", esc(&s));
                }
                self.out.push_str("</div>\n");
            }
            Block::Table(head, rows) => {
                self.out
                    .push_str("<div class=\"scroll\"><table class=\"data\">\n<thead><tr>");
                for h in head.iter() {
                    let _ = write!(self.out, "<th>{}</th>", esc(h));
                }
                self.out.push_str("</tr></thead>\n<tbody>\n");
                for r in rows.iter() {
                    self.out.push_str("<tr>");
                    for m in r {
                        let _ =
                            write!(self.out, "<td>{}</td>", mathml::inline_math(&p.chain(&[m])));
                    }
                    self.out.push_str("</tr>\n");
                }
                self.out.push_str("</tbody></table></div>\n");
            }
            Block::Code(c) => {
                let _ = writeln!(self.out, "<pre><code>{}</code></pre>", esc(c));
            }
            Block::Figure(f) => {
                let _ = writeln!(
                    self.out,
                    "<figure>{}<figcaption>{}</figcaption></figure>",
                    f.svg(&fmt),
                    esc(f.title())
                );
            }
            Block::Verdict(ok, text) => {
                let class = if *ok { "verdict ok" } else { "verdict bad" };
                let _ = writeln!(self.out, "<p class=\"{class}\">{}</p>", esc(text));
            }
            Block::Working(bs) => {
                self.out.push_str(
                    "<details open=\"open\" class=\"working\"><summary>working</summary>\n",
                );
                for b in bs {
                    self.block(b);
                }
                self.out.push_str("</details>\n");
            }
            Block::Blank(number) => {
                let _ = writeln!(
                    self.out,
                    "<p class=\"blank\">{}Answer:</p>",
                    number
                        .as_deref()
                        .map(|n| format!("{} ", esc(n)))
                        .unwrap_or_default()
                );
            }
        }
    }
    fn answers(&mut self, sol: &Solution) {
        let p = MathMl::new(&self.fmt);
        self.out.push_str("<section class=\"answers\">\n<h2>Answers</h2>\n<div class=\"scroll\"><table class=\"data\">\n<tbody>\n");
        for a in &sol.answers {
            let value = match &a.value {
                super::value::Value::T(t) => mathml::inline_math(&p.chain(&[&Math::val(t)])),
                _ => esc(&a.text),
            };
            let _ = writeln!(
                self.out,
                "<tr><th>{}</th><td class=\"answer\">{value}</td></tr>",
                esc(&a.name)
            );
        }
        self.out.push_str("</tbody></table></div>\n</section>\n");
    }
    fn errors(&mut self, sol: &Solution) {
        self.out
            .push_str("<section class=\"errors\">\n<h2>Errors</h2>\n<ul>\n");
        for e in &sol.errors {
            let _ = writeln!(
                self.out,
                "<li><strong>{}</strong>: {}{}</li>",
                esc(e.kind.title()),
                esc(&e.message),
                e.hint
                    .as_deref()
                    .map(|h| format!(" <em>({})</em>", esc(h)))
                    .unwrap_or_default()
            );
        }
        self.out.push_str("</ul>\n</section>\n");
    }
    fn end_exercise(&mut self) {
        self.out.push_str("</article>\n");
    }
    fn end(&mut self) {
        self.out.push_str("</main>\n</body>\n</html>\n");
    }
    fn finish(self: Box<Self>) -> Document {
        Document {
            text: self.out,
            assets: Vec::new(),
        }
    }
}
