//! Modules — layers with named parameters (`nn::layers`) — and parameter
//! counting under two named conventions:
//! * **textbook** — one bias vector per gate or projection, as courses write
//!   recurrent cells (`LSTM(2→3)` has 4·(3·2 + 3·3 + 3) = 72);
//! * **PyTorch** — what `sum(p.numel() for p in m.parameters())` reports:
//!   recurrent layers keep two bias vectors, `b_ih` and `b_hh`
//!   (`LSTM(2→3)` has 84, `GRU(2→3)` 63, `RNN(2→3)` 21).

use std::fmt;

use crate::nn::act::Activation;
use crate::nn::layers::{Conv1d, Layer, Linear, MultiHead, ParamRef, SelfAttention};
use crate::nn::recurrent::{Gru, Lstm, RnnCell};
use crate::{Element, Result, Tensor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Convention {
    Textbook,
    PyTorch,
}

impl Convention {
    pub fn name(self) -> &'static str {
        match self {
            Convention::Textbook => "textbook",
            Convention::PyTorch => "pytorch",
        }
    }
}

/// One row of a parameter table.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamRow {
    pub name: String,
    pub shape: Vec<usize>,
    pub count: usize,
}

/// Per-tensor parameter counts and their total.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamTable {
    pub convention: Convention,
    pub rows: Vec<ParamRow>,
    pub total: usize,
}

impl ParamTable {
    pub fn new(convention: Convention, rows: Vec<ParamRow>) -> ParamTable {
        let total = rows.iter().map(|r| r.count).sum();
        ParamTable {
            convention,
            rows,
            total,
        }
    }
    /// A table over plain named shapes (every element is a parameter).
    pub fn of_shapes(convention: Convention, items: &[(String, Vec<usize>)]) -> ParamTable {
        let rows = items
            .iter()
            .map(|(n, s)| ParamRow {
                name: n.clone(),
                shape: s.clone(),
                count: s.iter().product(),
            })
            .collect();
        ParamTable::new(convention, rows)
    }
}

impl fmt::Display for ParamTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            let dims: Vec<String> = r.shape.iter().map(|d| d.to_string()).collect();
            writeln!(f, "{:<12} [{}] → {}", r.name, dims.join("×"), r.count)?;
        }
        write!(f, "total ({}) = {}", self.convention.name(), self.total)
    }
}

/// The layers of the course by kind and sizes, for building one with
/// [`Module::new`]; the language builds its layers from their structs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Linear {
        input: usize,
        output: usize,
        bias: bool,
    },
    Conv1d {
        input: usize,
        output: usize,
        kernel: usize,
        bias: bool,
    },
    Rnn {
        input: usize,
        hidden: usize,
        act: Activation,
    },
    Lstm {
        input: usize,
        hidden: usize,
    },
    Gru {
        input: usize,
        hidden: usize,
    },
    SelfAttention {
        d_in: usize,
        d_k: usize,
        d_v: usize,
        bias: bool,
    },
    MultiHead {
        d_model: usize,
        heads: usize,
        bias: bool,
    },
}

/// A layer with named parameters, whichever it is.
pub struct Module<T: Element> {
    layer: Box<dyn Layer<T>>,
}

impl<T: Element> Module<T> {
    /// Builds a module with the default weights of every parameter.
    pub fn new(kind: Kind) -> Result<Module<T>> {
        Ok(match kind {
            Kind::Linear {
                input,
                output,
                bias,
            } => Module::of(Linear::new(input, output, bias)?),
            Kind::Conv1d {
                input,
                output,
                kernel,
                bias,
            } => Module::of(Conv1d::new(input, output, kernel, bias)?),
            Kind::Rnn { input, hidden, act } => Module::of(RnnCell::new(input, hidden, act)?),
            Kind::Lstm { input, hidden } => Module::of(Lstm::new(input, hidden)?),
            Kind::Gru { input, hidden } => Module::of(Gru::new(input, hidden)?),
            Kind::SelfAttention {
                d_in,
                d_k,
                d_v,
                bias,
            } => Module::of(SelfAttention::new(d_in, d_k, d_v, bias)?),
            Kind::MultiHead {
                d_model,
                heads,
                bias,
            } => Module::of(MultiHead::new(d_model, heads, bias)?),
        })
    }

    pub fn of(layer: impl Layer<T> + 'static) -> Module<T> {
        Module {
            layer: Box::new(layer),
        }
    }

    /// The module's name as PyTorch would print it, e.g. `LSTM(2, 3)`.
    pub fn title(&self) -> String {
        self.layer.title()
    }

    /// Its parameters in order.
    pub fn params(&self) -> Vec<ParamRef<'_, T>> {
        self.layer.params()
    }

    pub fn get(&self, name: &str) -> Option<&Tensor<T>> {
        self.layer
            .params()
            .into_iter()
            .find(|p| p.name == name)
            .map(|p| p.value)
    }

    /// Replaces a parameter's value, checking its shape.
    pub fn set(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        self.layer.set(name, value)
    }

    /// Loads one parameter by its PyTorch name (`weight_ih_l0`, `bias_hh_l0`,
    /// `weight`, `bias`, `in_proj_weight`, `in_proj_bias`, `out_proj.weight`,
    /// `out_proj.bias`), converting PyTorch's layout where gradwork's differs:
    /// attention projections are stored transposed (`x @ W` here).
    pub fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        self.layer.load_pytorch(name, value)
    }

    /// Parameters counted under `convention`, one row per tensor.
    pub fn count(&self, convention: Convention) -> ParamTable {
        let rows = self
            .layer
            .params()
            .into_iter()
            .filter(|p| convention == Convention::PyTorch || !p.second_bias)
            .map(|p| ParamRow {
                name: p.name.to_string(),
                shape: p.value.shape().to_vec(),
                count: p.value.len(),
            })
            .collect();
        ParamTable::new(convention, rows)
    }

    /// Runs the module on `x` (recurrent modules return every hidden state).
    pub fn forward(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        self.layer.forward(x)
    }
}
