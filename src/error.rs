//! One error type for the library: what the user's input decides (shapes,
//! values, names) comes back as an `Error`, never as a panic.

use thiserror::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    #[error("division by zero")]
    DivisionByZero,

    #[error("number too large: {what} needs {bits} bits, the limit is {limit} bits")]
    TooLarge { what: String, bits: u64, limit: u64 },

    #[error("{what} overflows the approximate range (about ±1.8e308)")]
    Overflow { what: String },

    #[error("bad number literal `{text}`: {reason}")]
    BadLiteral { text: String, reason: String },

    #[error("cannot decide {what}: the approximate value is too close to call")]
    Uncertain { what: String },

    #[error("{op} is not defined at {value}")]
    Domain { op: &'static str, value: String },

    #[error("shape mismatch in {op}: {lhs:?} and {rhs:?}")]
    ShapeMismatch {
        op: String,
        lhs: Vec<usize>,
        rhs: Vec<usize>,
    },

    #[error("{op}: {msg}")]
    Shape { op: String, msg: String },

    /// A result larger than a tensor may be ([`crate::tensor::check_size`]).
    #[error("{op}: {msg}")]
    Size { op: String, msg: String },

    #[error("index {index} is out of range for axis {axis} of length {len}")]
    IndexOutOfRange { axis: usize, index: i64, len: usize },

    #[error("axis {axis} is out of range for a tensor with {ndim} dimensions")]
    AxisOutOfRange { axis: i64, ndim: usize },

    #[error("{op}: {msg}")]
    Invalid { op: String, msg: String },

    /// A limit of the run's budget ([`crate::budget`]) was reached.
    #[error("limit reached: {what}")]
    Limit { what: String, hint: &'static str },
}

impl Error {
    /// Whether this is a limit of size, work or memory rather than a fault
    /// of the value: the same computation within larger limits would succeed.
    pub fn is_limit(&self) -> bool {
        matches!(
            self,
            Error::Limit { .. }
                | Error::TooLarge { .. }
                | Error::Overflow { .. }
                | Error::Size { .. }
        )
    }
    pub(crate) fn invalid(op: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Invalid {
            op: op.into(),
            msg: msg.into(),
        }
    }
    pub(crate) fn shape(op: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Shape {
            op: op.into(),
            msg: msg.into(),
        }
    }
    pub(crate) fn mismatch(op: impl Into<String>, lhs: &[usize], rhs: &[usize]) -> Self {
        Error::ShapeMismatch {
            op: op.into(),
            lhs: lhs.to_vec(),
            rhs: rhs.to_vec(),
        }
    }
}
