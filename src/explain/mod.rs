//! `explain`: worked solutions as data. A [`Note`] or a step's chain holds
//! formula trees ([`math::Math`]), never pre-formatted strings, so every
//! renderer prints the same tree and the self-check can re-evaluate every
//! chain `a = b = c` before it is shown.

pub mod backprop;
pub mod figure;
pub mod math;
pub mod mathml;
pub mod svg;

pub use math::{check_chain, Math, Op, Rel};

/// A line of working under a step.
#[derive(Clone, Debug)]
pub enum Note {
    /// `label m₀ = m₁ = …`: a chain, checked before it is printed.
    Chain {
        label: Option<String>,
        members: Vec<Math>,
    },
    /// A sentence (a tie, a convention, a summary).
    Prose(String),
    /// Code shown as written (the body of a function).
    Code(String),
    /// A table with a header row.
    Table {
        head: Vec<String>,
        rows: Vec<Vec<Math>>,
    },
    /// The equations of a model the statement defines (`h⁽ᵗ⁾ = W_hh·h⁽ᵗ⁻¹⁾ +
    /// …`), in symbols, with the range of the index and the shapes of the
    /// parameters (`W_hh: [H, H] = [1, 1]`). Symbols have no values, so
    /// there is nothing numeric to check; the shapes are the tensors' own.
    Equations(Equations),
    /// A figure of values the statement computed (drawn by the document
    /// renderers; the text renderer leaves it out).
    Figure(figure::Figure),
}

/// A model's defining equations.
#[derive(Clone, Debug)]
pub struct Equations {
    /// `lhs = rhs`, in order.
    pub lines: Vec<(Math, Math)>,
    /// Where the index runs: `t = 1, …, T`.
    pub range: Option<String>,
    /// Each parameter's name, its shape in symbols (`[H, H]`, empty when
    /// none is meant) and its actual shape.
    pub shapes: Vec<(String, Vec<String>, Vec<usize>)>,
    /// The symbols' meanings: `H = 1 hidden unit`.
    pub sizes: Vec<String>,
}

impl Equations {
    /// The shapes line as text: `W_hh: [H, H] = [1, 1], b_h: [H] = [1]; H = 1`.
    pub fn shapes_text(&self) -> Option<String> {
        if self.shapes.is_empty() {
            return None;
        }
        let dims = |d: &[usize]| {
            format!(
                "[{}]",
                d.iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let shapes: Vec<String> = self
            .shapes
            .iter()
            .map(|(n, sym, d)| {
                if sym.is_empty() {
                    format!("{n}: {}", dims(d))
                } else {
                    format!("{n}: [{}] = {}", sym.join(", "), dims(d))
                }
            })
            .collect();
        let mut out = shapes.join(", ");
        if !self.sizes.is_empty() {
            out.push_str("; ");
            out.push_str(&self.sizes.join(", "));
        }
        Some(out)
    }
}

/// The members with each one that reads exactly as the one before left out.
pub fn distinct(members: Vec<Math>) -> Vec<Math> {
    let fmt = crate::lang::value::Fmt { digits: 17 };
    let t = math::Text::new(&fmt);
    let mut out: Vec<Math> = Vec::with_capacity(members.len());
    let mut prev = String::new();
    for m in members {
        let s = t.member(&m);
        if out.is_empty() || s != prev {
            out.push(m);
        }
        prev = s;
    }
    out
}

impl Note {
    pub fn chain(members: Vec<Math>) -> Note {
        Note::Chain {
            label: None,
            members: distinct(members),
        }
    }
    pub fn labelled(label: impl Into<String>, members: Vec<Math>) -> Note {
        Note::Chain {
            label: Some(label.into()),
            members: distinct(members),
        }
    }
    pub fn prose(s: impl Into<String>) -> Note {
        Note::Prose(s.into())
    }
}
