//! `lang`: the exercise language — a small Python subset that runs numpy-style
//! code on exact numbers — and its diagnostics.
//!
//! [`solve`] takes a source text and gives a [`Solution`]: the worked steps,
//! the marked answers, and the errors (with spans) if the file is bad.

pub mod builtins;
pub mod bulk;
pub mod doc;
pub mod domain;
pub mod explain;
pub mod files;
pub mod grade;
pub mod interp;
pub mod lexer;
pub mod model;
pub mod mutate;
pub mod parser;
pub mod report;
pub mod value;
pub mod variant;

use std::fmt;

pub use interp::{Options, Solution, Step, StepKind};
pub use value::Value;

/// A byte range in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    /// The span covering both.
    pub fn to(self, o: Span) -> Span {
        Span::new(self.start.min(o.start), self.end.max(o.end))
    }
}

/// What went wrong, in a word a student knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Syntax,
    Name,
    Type,
    Shape,
    Value,
    Limit,
    /// A `check`/`assert` that did not hold.
    Check,
    /// A `require` that the key's numbers (or a variant's) do not meet.
    Require,
    /// A worked line that the self-check found false: a bug in gradwork.
    Internal,
}

impl ErrorKind {
    pub fn title(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Name => "unknown name",
            ErrorKind::Type => "wrong argument",
            ErrorKind::Shape => "shape error",
            ErrorKind::Value => "value error",
            ErrorKind::Limit => "limit reached",
            ErrorKind::Check => "check failed",
            ErrorKind::Require => "requirement not met",
            ErrorKind::Internal => "internal error",
        }
    }
}

/// A diagnostic: a message, the span it is about, and a one-line hint.
#[derive(Clone, Debug, PartialEq)]
pub struct LangError {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
}

impl LangError {
    pub fn new(
        kind: ErrorKind,
        message: impl Into<String>,
        span: Span,
        hint: Option<&str>,
    ) -> LangError {
        LangError {
            kind,
            message: message.into(),
            span,
            hint: hint.map(str::to_string),
        }
    }
    /// A state gradwork itself should never reach: a bug, not the user's.
    pub fn internal(message: impl Into<String>, span: Span) -> LangError {
        LangError::new(
            ErrorKind::Internal,
            message,
            span,
            Some("this is a bug in gradwork; please report it with the exercise"),
        )
    }
    pub fn syntax(message: impl Into<String>, span: Span, hint: Option<&str>) -> LangError {
        LangError::new(ErrorKind::Syntax, message, span, hint)
    }
    /// A library error raised while evaluating the code at `span`.
    pub fn from_lib(e: crate::Error, span: Span) -> LangError {
        use crate::Error as E;
        // `@` that a transpose would fix says which one.
        if let E::ShapeMismatch { op, lhs, rhs } = &e {
            if op == "@" && lhs.len() == 2 && rhs.len() == 2 {
                let t = if lhs[1] == rhs[1] {
                    Some(format!(
                        "the right one transposed fits: [{}, {}] @ [{}, {}] (`B.T`)",
                        lhs[0], lhs[1], rhs[1], rhs[0]
                    ))
                } else if lhs[0] == rhs[0] {
                    Some(format!(
                        "the left one transposed fits: [{}, {}] @ [{}, {}] (`A.T`)",
                        lhs[1], lhs[0], rhs[0], rhs[1]
                    ))
                } else {
                    None
                };
                if let Some(t) = t {
                    return LangError::new(ErrorKind::Shape, e.to_string(), span, Some(&t));
                }
            }
        }
        let (kind, hint) = match &e {
            E::ShapeMismatch { .. } | E::Shape { .. } | E::Size { .. } => {
                (ErrorKind::Shape, Some("print the operands' `.shape` to see which one is off"))
            }
            E::IndexOutOfRange { .. } | E::AxisOutOfRange { .. } => {
                (ErrorKind::Shape, Some("indices count from 0; -1 is the last element"))
            }
            E::DivisionByZero => (ErrorKind::Value, Some("the divisor is exactly 0")),
            E::TooLarge { .. } => (
                ErrorKind::Limit,
                Some("exact numbers are limited in size; use smaller values or an approximate function"),
            ),
            E::Overflow { .. } => (ErrorKind::Limit, Some("the value is beyond the range of floating point numbers")),
            E::Uncertain { .. } => (
                ErrorKind::Value,
                Some("approximate values are only compared when the answer is certain; use allclose(a, b) for a tolerance"),
            ),
            E::BadLiteral { .. } => (ErrorKind::Syntax, None),
            E::Limit { what, hint } => {
                return LangError::new(ErrorKind::Limit, what.clone(), span, Some(hint))
            }
            E::Domain { .. } | E::Invalid { .. } => (ErrorKind::Value, None),
        };
        LangError::new(kind, e.to_string(), span, hint)
    }

    /// file:line:col of the error's start.
    pub fn location(&self, file: &str, src: &str) -> String {
        let (l, c) = line_col(src, self.span.start);
        format!("{file}:{l}:{c}")
    }

    /// The full diagnostic: location, source line, underlined span, hint.
    pub fn render(&self, file: &str, src: &str, color: bool) -> String {
        use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};
        // Control bytes from the file (ESC, NUL, DEL) are shown as `?`, one
        // byte for one, so positions stay right and a file cannot send
        // escape sequences to the terminal.
        let mut shown = String::with_capacity(src.len());
        for c in src.chars() {
            if c.is_control() && !matches!(c, '\n' | '\t' | '\r') {
                shown.extend(std::iter::repeat_n('?', c.len_utf8()));
            } else {
                shown.push(c);
            }
        }
        let src = shown.as_str();
        let clean = |t: &str| -> String {
            t.chars()
                .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
                .collect()
        };
        let message = clean(&self.message);
        let hint = self.hint.as_deref().map(clean);
        let start = self.span.start.min(src.len());
        let end = self.span.end.clamp(start, src.len());
        let span = (file, start..end.max(start));
        let mut b = Report::build(ReportKind::Error, span.clone())
            .with_config(
                Config::default()
                    .with_color(color)
                    .with_index_type(IndexType::Byte),
            )
            .with_message(format!("{}: {}", self.kind.title(), message))
            .with_label(Label::new(span).with_message(&message));
        if let Some(h) = &hint {
            b = b.with_help(h);
        }
        let mut out = Vec::new();
        let written = b.finish().write((file, Source::from(src)), &mut out);
        let body = match written {
            Ok(()) => String::from_utf8_lossy(&out).into_owned(),
            Err(_) => String::new(),
        };
        // Once, in the box: ariadne's header names the error, its frame the
        // place (file:line:col).
        if body.is_empty() {
            format!(
                "{}: {}: {}\n",
                self.location(file, src),
                self.kind.title(),
                self.message
            )
        } else {
            body
        }
    }
}

impl fmt::Display for LangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.title(), self.message)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, at: usize) -> (usize, usize) {
    let at = at.min(src.len());
    let before = &src[..src.floor_char_boundary(at)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parses and runs `src`.
pub fn solve(src: &str, opts: &Options) -> Solution {
    interp::run(src, opts)
}
