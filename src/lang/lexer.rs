//! Tokens of the exercise language, with Python's indentation rules.
//!
//! Hand-written rather than generated: indentation-sensitive lexing (INDENT /
//! DEDENT, no line breaks inside brackets) is awkward in the combinator and
//! generator crates, and the whole lexer is one small loop.

use super::{LangError, Span};

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Name(String),
    Number(String),
    Str(String),
    /// `f"…{x:.3f}…"`: the text between the quotes as written, and where
    /// it starts in the source (the fields are parsed as expressions).
    FStr(String, usize),
    /// Operators and punctuation, e.g. `+`, `**`, `==`, `(`, `:`.
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
    Eof,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

const OPS: [&str; 38] = [
    "**=", "//=", "...", "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "@=", "->",
    "+", "-", "*", "/", "@", "%", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ":", ";", ".",
    "~", "&", "|", "^",
];

/// The character starting at byte `i`, which the lexer only asks for
/// before the end of the source.
fn char_at(src: &str, i: usize) -> Result<char, LangError> {
    src.get(i..)
        .and_then(|rest| rest.chars().next())
        .ok_or_else(|| {
            LangError::internal("the lexer read past the end of the source", Span::new(i, i))
        })
}

pub fn lex(src: &str) -> Result<Vec<Token>, LangError> {
    let b = src.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    // The columns of the open blocks; none open is column 0.
    let mut indents: Vec<usize> = Vec::new();
    let mut depth = 0usize; // open brackets: newlines inside are ignored
    let mut open: Vec<(Span, &'static str)> = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        if line_start && depth == 0 {
            // Measure indentation; blank and comment-only lines don't count.
            let mut j = i;
            let mut col = 0;
            while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                col += if b[j] == b'\t' { 8 - col % 8 } else { 1 };
                j += 1;
            }
            if j >= b.len() || b[j] == b'\n' || b[j] == b'#' || b[j] == b'\r' {
                while j < b.len() && b[j] != b'\n' {
                    j += 1;
                }
                i = j + 1;
                continue;
            }
            let here = Span::new(j, j);
            let top = indents.last().copied().unwrap_or(0);
            if col > top {
                indents.push(col);
                out.push(Token {
                    tok: Tok::Indent,
                    span: here,
                });
            } else {
                while indents.last().is_some_and(|&top| col < top) {
                    indents.pop();
                    out.push(Token {
                        tok: Tok::Dedent,
                        span: here,
                    });
                }
                if col != indents.last().copied().unwrap_or(0) {
                    return Err(LangError::syntax(
                        "this line's indentation matches no enclosing block",
                        Span::new(i, j),
                        Some("indent with the same spaces as the block it belongs to"),
                    ));
                }
            }
            i = j;
            line_start = false;
            continue;
        }
        let c = b[i];
        match c {
            b'\n' => {
                if depth == 0 {
                    out.push(Token {
                        tok: Tok::Newline,
                        span: Span::new(i, i + 1),
                    });
                    line_start = true;
                }
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' | b'\'' => {
                let start = i;
                i += 1;
                let mut s = String::new();
                while i < b.len() && b[i] != c {
                    if b[i] == b'\n' {
                        return Err(LangError::syntax(
                            "this string is not closed on its line",
                            Span::new(start, i),
                            Some("close it with the same quote it opens with"),
                        ));
                    }
                    if b[i] == b'\\' && i + 1 < b.len() {
                        i += 1;
                    }
                    let ch = char_at(src, i)?;
                    s.push(ch);
                    i += ch.len_utf8();
                }
                if i >= b.len() {
                    return Err(LangError::syntax(
                        "this string is not closed",
                        Span::new(start, i),
                        None,
                    ));
                }
                i += 1;
                out.push(Token {
                    tok: Tok::Str(s),
                    span: Span::new(start, i),
                });
            }
            b'0'..=b'9' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
                    i += 1;
                }
                if i < b.len()
                    && b[i] == b'.'
                    && !(i + 1 < b.len() && b[i + 1].is_ascii_alphabetic())
                {
                    i += 1;
                    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
                        i += 1;
                    }
                }
                if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                    let mut j = i + 1;
                    if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                        j += 1;
                    }
                    if j < b.len() && b[j].is_ascii_digit() {
                        i = j;
                        while i < b.len() && b[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                }
                if i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
                    let mut j = i;
                    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                        j += 1;
                    }
                    return Err(LangError::syntax(
                        "a number runs into a name",
                        Span::new(start, j),
                        Some("put an operator between them, e.g. `2*x`"),
                    ));
                }
                out.push(Token {
                    tok: Tok::Number(src[start..i].to_string()),
                    span: Span::new(start, i),
                });
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let start = i;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Number(src[start..i].to_string()),
                    span: Span::new(start, i),
                });
            }
            _ if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                let start = i;
                while i < b.len() {
                    let ch = char_at(src, i)?;
                    if ch.is_alphanumeric() || ch == '_' {
                        i += ch.len_utf8();
                    } else {
                        break;
                    }
                }
                if i == start {
                    let ch = char_at(src, i)?;
                    return Err(LangError::syntax(
                        format!("unexpected character `{ch}`"),
                        Span::new(i, i + ch.len_utf8()),
                        None,
                    ));
                }
                // f"…" and f'…': a formatted string.
                if matches!(&src[start..i], "f" | "F") && matches!(b.get(i), Some(b'"' | b'\'')) {
                    let quote = b[i];
                    let from = i + 1;
                    let mut j = from;
                    while j < b.len() && b[j] != quote && b[j] != b'\n' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    if j >= b.len() || b[j] != quote {
                        return Err(LangError::syntax(
                            "this string is not closed on its line",
                            Span::new(start, j.min(b.len())),
                            Some("close it with the same quote it opens with"),
                        ));
                    }
                    out.push(Token {
                        tok: Tok::FStr(src[from..j].to_string(), from),
                        span: Span::new(start, j + 1),
                    });
                    i = j + 1;
                    continue;
                }
                out.push(Token {
                    tok: Tok::Name(src[start..i].to_string()),
                    span: Span::new(start, i),
                });
            }
            _ => {
                let op = OPS.iter().find(|op| src[i..].starts_with(**op));
                let Some(op) = op else {
                    let ch = char_at(src, i)?;
                    return Err(LangError::syntax(
                        format!("unexpected character `{ch}`"),
                        Span::new(i, i + ch.len_utf8()),
                        None,
                    ));
                };
                match *op {
                    "(" | "[" | "{" => {
                        depth += 1;
                        open.push((Span::new(i, i + 1), op));
                    }
                    ")" | "]" | "}" => {
                        depth = depth.saturating_sub(1);
                        open.pop();
                    }
                    _ => {}
                }
                out.push(Token {
                    tok: Tok::Op(op),
                    span: Span::new(i, i + op.len()),
                });
                i += op.len();
            }
        }
    }
    if let Some((span, op)) = open.last() {
        let close = match *op {
            "(" => ")",
            "[" => "]",
            _ => "}",
        };
        return Err(LangError::syntax(
            format!("this `{op}` is never closed"),
            *span,
            Some(&format!("close it with `{close}`")),
        ));
    }
    let end = Span::new(src.len(), src.len());
    if !matches!(
        out.last(),
        None | Some(Token {
            tok: Tok::Newline,
            ..
        })
    ) {
        out.push(Token {
            tok: Tok::Newline,
            span: end,
        });
    }
    while indents.pop().is_some() {
        out.push(Token {
            tok: Tok::Dedent,
            span: end,
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        span: end,
    });
    Ok(out)
}
