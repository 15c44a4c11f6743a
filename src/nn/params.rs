//! Modules with named parameters, and parameter counting under two named
//! conventions:
//! * **textbook** — one bias vector per gate or projection, as courses write
//!   recurrent cells (`LSTM(2→3)` has 4·(3·2 + 3·3 + 3) = 72);
//! * **PyTorch** — what `sum(p.numel() for p in m.parameters())` reports:
//!   recurrent layers keep two bias vectors, `b_ih` and `b_hh`
//!   (`LSTM(2→3)` has 84, `GRU(2→3)` 63, `RNN(2→3)` 21).

use std::fmt;

use crate::error::Error;
use crate::nn::act::Activation;
use crate::nn::attention::{multi_head, self_attention, AttentionWeights};
use crate::nn::conv::{conv1d, ConvConfig};
use crate::nn::linear;
use crate::nn::recurrent::{Gru, Lstm, Recurrent, RnnCell};
use crate::{Element, Num, Result, Tensor};

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

/// What a module is, with its sizes.
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

/// A named parameter; `second_bias` marks PyTorch's extra `b_hh`.
pub struct Param<T: Element> {
    pub name: String,
    pub value: Tensor<T>,
    pub second_bias: bool,
}

/// A layer with named parameters.
pub struct Module<T: Element> {
    pub kind: Kind,
    pub params: Vec<Param<T>>,
}

/// Deterministic default weights, small exact fractions that differ from
/// entry to entry: w[i] = ((7·i + 3) mod 11 − 5) / 10 for the parameter's
/// i-th element, offset by the parameter's position so tensors differ.
fn default_weights<T: Element>(shape: &[usize], salt: usize) -> Result<Tensor<T>> {
    let n: usize = shape.iter().product();
    let v = (0..n)
        .map(|i| {
            let k = ((7 * (i + 3 * salt) + 3) % 11) as i64 - 5;
            T::from_num(&Num::ratio(k, 10)?)
        })
        .collect::<Result<Vec<T>>>()?;
    Tensor::from_vec(v, shape)
}

impl<T: Element> Module<T> {
    /// Builds a module with the default weights of every parameter.
    pub fn new(kind: Kind) -> Result<Module<T>> {
        let mut specs: Vec<(&str, Vec<usize>, bool)> = Vec::new();
        match kind {
            Kind::Linear {
                input,
                output,
                bias,
            } => {
                specs.push(("weight", vec![output, input], false));
                if bias {
                    specs.push(("bias", vec![output], false));
                }
            }
            Kind::Conv1d {
                input,
                output,
                kernel,
                bias,
            } => {
                specs.push(("weight", vec![output, input, kernel], false));
                if bias {
                    specs.push(("bias", vec![output], false));
                }
            }
            Kind::Rnn { input, hidden, .. }
            | Kind::Lstm { input, hidden }
            | Kind::Gru { input, hidden } => {
                let g = match kind {
                    Kind::Lstm { .. } => 4,
                    Kind::Gru { .. } => 3,
                    _ => 1,
                };
                specs.push(("W_ih", vec![g * hidden, input], false));
                specs.push(("W_hh", vec![g * hidden, hidden], false));
                specs.push(("b_ih", vec![g * hidden], false));
                specs.push(("b_hh", vec![g * hidden], true));
            }
            Kind::SelfAttention {
                d_in,
                d_k,
                d_v,
                bias,
            } => {
                specs.push(("W_q", vec![d_in, d_k], false));
                specs.push(("W_k", vec![d_in, d_k], false));
                specs.push(("W_v", vec![d_in, d_v], false));
                if bias {
                    specs.push(("b_q", vec![d_k], false));
                    specs.push(("b_k", vec![d_k], false));
                    specs.push(("b_v", vec![d_v], false));
                }
            }
            Kind::MultiHead {
                d_model,
                heads,
                bias,
            } => {
                if heads == 0 || d_model % heads != 0 {
                    return Err(Error::invalid(
                        "multi_head_attention",
                        format!("d_model = {d_model} cannot be split into {heads} equal heads"),
                    ));
                }
                for n in ["W_q", "W_k", "W_v", "W_o"] {
                    specs.push((n, vec![d_model, d_model], false));
                }
                if bias {
                    for n in ["b_q", "b_k", "b_v", "b_o"] {
                        specs.push((n, vec![d_model], false));
                    }
                }
            }
        }
        let params = specs
            .into_iter()
            .enumerate()
            .map(|(i, (name, shape, second_bias))| {
                Ok(Param {
                    name: name.to_string(),
                    value: default_weights(&shape, i)?,
                    second_bias,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Module { kind, params })
    }

    /// The module's name as PyTorch would print it, e.g. `LSTM(2, 3)`.
    pub fn title(&self) -> String {
        match &self.kind {
            Kind::Linear {
                input,
                output,
                bias,
            } => format!("Linear({input}, {output}, bias={bias})"),
            Kind::Conv1d {
                input,
                output,
                kernel,
                bias,
            } => {
                format!("Conv1d({input}, {output}, kernel_size={kernel}, bias={bias})")
            }
            Kind::Rnn { input, hidden, act } => {
                format!("RNN({input}, {hidden}, act={})", act.name())
            }
            Kind::Lstm { input, hidden } => format!("LSTM({input}, {hidden})"),
            Kind::Gru { input, hidden } => format!("GRU({input}, {hidden})"),
            Kind::SelfAttention {
                d_in,
                d_k,
                d_v,
                bias,
            } => {
                format!("SelfAttention(d_in={d_in}, d_k={d_k}, d_v={d_v}, bias={bias})")
            }
            Kind::MultiHead {
                d_model,
                heads,
                bias,
            } => {
                format!("MultiheadAttention({d_model}, heads={heads}, bias={bias})")
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&Tensor<T>> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .map(|p| &p.value)
    }

    /// Replaces a parameter's value, checking its shape.
    pub fn set(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        let p = self
            .params
            .iter_mut()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::invalid("module", format!("no parameter named `{name}`")))?;
        if p.value.shape() != value.shape() {
            return Err(Error::mismatch(
                format!("setting {name}"),
                p.value.shape(),
                value.shape(),
            ));
        }
        p.value = value;
        Ok(())
    }

    /// Loads one parameter by its PyTorch name (`weight_ih_l0`, `bias_hh_l0`,
    /// `weight`, `bias`, `in_proj_weight`, `in_proj_bias`, `out_proj.weight`,
    /// `out_proj.bias`), converting PyTorch's layout where gradwork's differs:
    /// attention projections are stored transposed (`x @ W` here).
    pub fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        let recurrent = matches!(
            self.kind,
            Kind::Rnn { .. } | Kind::Lstm { .. } | Kind::Gru { .. }
        );
        let thirds = |v: &Tensor<T>| -> Result<Vec<Tensor<T>>> {
            let n = v.shape()[0] as i64 / 3;
            (0..3)
                .map(|k| v.slice(&[crate::Idx::range(Some(k * n), Some((k + 1) * n))]))
                .collect()
        };
        match name {
            "weight_ih_l0" if recurrent => self.set("W_ih", value),
            "weight_hh_l0" if recurrent => self.set("W_hh", value),
            "bias_ih_l0" if recurrent => self.set("b_ih", value),
            "bias_hh_l0" if recurrent => self.set("b_hh", value),
            "weight" | "bias" if matches!(self.kind, Kind::Linear { .. } | Kind::Conv1d { .. }) => {
                self.set(name, value)
            }
            "in_proj_weight" if matches!(self.kind, Kind::MultiHead { .. }) => {
                let w = thirds(&value)?;
                for (n, t) in ["W_q", "W_k", "W_v"].iter().zip(w) {
                    self.set(n, t.t()?)?;
                }
                Ok(())
            }
            "in_proj_bias" if matches!(self.kind, Kind::MultiHead { .. }) => {
                let b = thirds(&value)?;
                for (n, t) in ["b_q", "b_k", "b_v"].iter().zip(b) {
                    self.set(n, t)?;
                }
                Ok(())
            }
            "out_proj.weight" if matches!(self.kind, Kind::MultiHead { .. }) => {
                self.set("W_o", value.t()?)
            }
            "out_proj.bias" if matches!(self.kind, Kind::MultiHead { .. }) => {
                self.set("b_o", value)
            }
            _ => Err(Error::invalid(
                "load_pytorch",
                format!("{} has no PyTorch parameter `{name}`", self.title()),
            )),
        }
    }

    /// Parameters counted under `convention`, one row per tensor.
    pub fn count(&self, convention: Convention) -> ParamTable {
        let rows = self
            .params
            .iter()
            .filter(|p| convention == Convention::PyTorch || !p.second_bias)
            .map(|p| ParamRow {
                name: p.name.clone(),
                shape: p.value.shape().to_vec(),
                count: p.value.len(),
            })
            .collect();
        ParamTable::new(convention, rows)
    }

    fn p(&self, name: &str) -> Tensor<T> {
        self.get(name)
            .expect("every kind defines its parameters")
            .clone()
    }

    /// Runs the module on `x` (recurrent modules return every hidden state).
    pub fn forward(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        let opt = |n: &str| self.get(n).cloned();
        match self.kind {
            Kind::Linear { .. } => linear(x, &self.p("weight"), opt("bias").as_ref()),
            Kind::Conv1d { .. } => conv1d(
                x,
                &self.p("weight"),
                opt("bias").as_ref(),
                ConvConfig::default(),
            ),
            Kind::Rnn { act, .. } => RnnCell {
                w_hh: self.p("W_hh"),
                w_xh: self.p("W_ih"),
                b_h: opt("b_ih"),
                b_hh: opt("b_hh"),
                act,
            }
            .seq(x, None),
            Kind::Lstm { .. } => Lstm {
                w_ih: self.p("W_ih"),
                w_hh: self.p("W_hh"),
                b_ih: opt("b_ih"),
                b_hh: opt("b_hh"),
            }
            .seq(x, None),
            Kind::Gru { .. } => Gru {
                w_ih: self.p("W_ih"),
                w_hh: self.p("W_hh"),
                b_ih: opt("b_ih"),
                b_hh: opt("b_hh"),
            }
            .seq(x, None),
            Kind::SelfAttention { .. } | Kind::MultiHead { .. } => {
                let w = AttentionWeights {
                    w_q: self.p("W_q"),
                    w_k: self.p("W_k"),
                    w_v: self.p("W_v"),
                    b_q: opt("b_q"),
                    b_k: opt("b_k"),
                    b_v: opt("b_v"),
                };
                match self.kind {
                    Kind::MultiHead { heads, .. } => {
                        multi_head(x, &w, &self.p("W_o"), opt("b_o").as_ref(), heads, false)
                    }
                    _ => self_attention(x, &w, false),
                }
            }
        }
    }
}
