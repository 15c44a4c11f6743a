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
