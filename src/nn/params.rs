//! Modules — layers with named parameters (`nn::layers`) — and parameter
//! counting under two named conventions:
//! * **textbook** — one bias vector per gate or projection, as courses write
//!   recurrent cells (`LSTM(2→3)` has 4·(3·2 + 3·3 + 3) = 72);
//! * **PyTorch** — what `sum(p.numel() for p in m.parameters())` reports:
//!   recurrent layers keep two bias vectors, `b_ih` and `b_hh`
//!   (`LSTM(2→3)` has 84, `GRU(2→3)` 63, `RNN(2→3)` 21).

use std::fmt;

use crate::nn::act::Activation;
use crate::nn::layers::{Conv, Conv1d, Layer, Linear, MultiHead, ParamRef, SelfAttention, Stacked};
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
        // Saturating: a count beyond 64 bits is refused by whoever shows it.
        let total = rows.iter().fold(0usize, |t, r| t.saturating_add(r.count));
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
    Conv2d {
        input: usize,
        output: usize,
        kernel: (usize, usize),
        bias: bool,
    },
    /// Recurrent layers stacked (`num_layers`) and in both directions
    /// (`bidirectional`); `cell` is the first layer's `Rnn`, `Lstm` or `Gru`.
    Stacked {
        cell: Box<Kind>,
        layers: usize,
        bidirectional: bool,
    },
}

/// Most cells (layers × directions) of a stacked recurrent layer: its
/// parameter table has four rows a cell.
pub const MAX_CELLS: usize = 1 << 16;

/// A parameter known by its name and shape, before any value is made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamShape {
    pub name: String,
    pub shape: Vec<usize>,
    /// PyTorch's extra recurrent bias `b_hh`, not counted by the textbook.
    pub second_bias: bool,
}

impl Kind {
    /// The parameters a layer of this kind has, from its sizes alone: what
    /// [`Layer::params`] of the built layer lists (a test holds the two
    /// equal), without making a weight.
    pub fn params(&self) -> Vec<ParamShape> {
        let p = |name: &str, shape: Vec<usize>| ParamShape {
            name: name.to_string(),
            shape,
            second_bias: false,
        };
        let recurrent = |gates: usize, input: usize, hidden: usize| {
            let g = gates * hidden;
            vec![
                p("W_ih", vec![g, input]),
                p("W_hh", vec![g, hidden]),
                p("b_ih", vec![g]),
                ParamShape {
                    second_bias: true,
                    ..p("b_hh", vec![g])
                },
            ]
        };
        let with_bias = |mut ps: Vec<ParamShape>, bias: bool, b: ParamShape| {
            if bias {
                ps.push(b);
            }
            ps
        };
        match self {
            Kind::Linear {
                input,
                output,
                bias,
            } => with_bias(
                vec![p("weight", vec![*output, *input])],
                *bias,
                p("bias", vec![*output]),
            ),
            Kind::Conv1d {
                input,
                output,
                kernel,
                bias,
            } => with_bias(
                vec![p("weight", vec![*output, *input, *kernel])],
                *bias,
                p("bias", vec![*output]),
            ),
            Kind::Conv2d {
                input,
                output,
                kernel,
                bias,
            } => with_bias(
                vec![p("weight", vec![*output, *input, kernel.0, kernel.1])],
                *bias,
                p("bias", vec![*output]),
            ),
            Kind::Rnn { input, hidden, .. } => recurrent(1, *input, *hidden),
            Kind::Lstm { input, hidden } => recurrent(4, *input, *hidden),
            Kind::Gru { input, hidden } => recurrent(3, *input, *hidden),
            Kind::SelfAttention {
                d_in,
                d_k,
                d_v,
                bias,
            } => {
                let mut ps = vec![
                    p("W_q", vec![*d_in, *d_k]),
                    p("W_k", vec![*d_in, *d_k]),
                    p("W_v", vec![*d_in, *d_v]),
                ];
                if *bias {
                    ps.extend([
                        p("b_q", vec![*d_k]),
                        p("b_k", vec![*d_k]),
                        p("b_v", vec![*d_v]),
                    ]);
                }
                ps
            }
            Kind::MultiHead { d_model, bias, .. } => {
                let d = *d_model;
                let mut ps: Vec<ParamShape> = ["W_q", "W_k", "W_v", "W_o"]
                    .into_iter()
                    .map(|n| p(n, vec![d, d]))
                    .collect();
                if *bias {
                    ps.extend(
                        ["b_q", "b_k", "b_v", "b_o"]
                            .into_iter()
                            .map(|n| p(n, vec![d])),
                    );
                }
                ps
            }
            Kind::Stacked {
                cell,
                layers,
                bidirectional,
            } => {
                let dirs = if *bidirectional { 2 } else { 1 };
                let mut out = Vec::new();
                for k in 0..*layers {
                    for dir in 0..dirs {
                        let suffix = if dir == 0 {
                            format!("l{k}")
                        } else {
                            format!("l{k}_reverse")
                        };
                        let layer_cell = match (k, &**cell) {
                            (0, c) => c.clone(),
                            (_, Kind::Rnn { hidden, act, .. }) => Kind::Rnn {
                                input: hidden * dirs,
                                hidden: *hidden,
                                act: *act,
                            },
                            (_, Kind::Lstm { hidden, .. }) => Kind::Lstm {
                                input: hidden * dirs,
                                hidden: *hidden,
                            },
                            (_, Kind::Gru { hidden, .. }) => Kind::Gru {
                                input: hidden * dirs,
                                hidden: *hidden,
                            },
                            (_, c) => c.clone(),
                        };
                        out.extend(layer_cell.params().into_iter().map(|q| ParamShape {
                            name: format!("{}_{suffix}", q.name),
                            ..q
                        }));
                    }
                }
                out
            }
        }
    }

    /// Refuses sizes no layer can have, as building it would.
    pub fn check(&self) -> Result<()> {
        match self {
            Kind::MultiHead { d_model, heads, .. }
                if *heads == 0 || !d_model.is_multiple_of(*heads) =>
            {
                Err(crate::Error::invalid(
                    "multi_head_attention",
                    format!("d_model = {d_model} cannot be split into {heads} equal heads"),
                ))
            }
            Kind::Stacked {
                cell,
                layers,
                bidirectional,
            } => {
                if *layers == 0 {
                    return Err(crate::Error::invalid(
                        cell.title(),
                        "num_layers must be at least 1".to_string(),
                    ));
                }
                let cells = layers.saturating_mul(if *bidirectional { 2 } else { 1 });
                if cells > MAX_CELLS {
                    return Err(crate::Error::Size {
                        op: cell.title(),
                        msg: format!(
                            "{cells} cells (layers × directions) are more than {MAX_CELLS}"
                        ),
                    });
                }
                cell.check()
            }
            _ => Ok(()),
        }
    }

    /// The layer's name as PyTorch would print it, as [`Layer::title`] of
    /// the built layer gives it.
    pub fn title(&self) -> String {
        match self {
            Kind::Linear {
                input,
                output,
                bias,
            } => format!("Linear({input}, {output}, bias={})", py_bool(*bias)),
            Kind::Conv1d {
                input,
                output,
                kernel,
                bias,
            } => format!(
                "Conv1d({input}, {output}, kernel_size={kernel}, bias={})",
                py_bool(*bias)
            ),
            Kind::Conv2d {
                input,
                output,
                kernel,
                bias,
            } => format!(
                "Conv2d({input}, {output}, kernel_size=({}, {}), bias={})",
                kernel.0,
                kernel.1,
                py_bool(*bias)
            ),
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
            } => format!(
                "SelfAttention(d_in={d_in}, d_k={d_k}, d_v={d_v}, bias={})",
                py_bool(*bias)
            ),
            Kind::MultiHead {
                d_model,
                heads,
                bias,
            } => format!(
                "MultiheadAttention({d_model}, heads={heads}, bias={})",
                py_bool(*bias)
            ),
            Kind::Stacked {
                cell,
                layers,
                bidirectional,
            } => {
                let Some((name, input, hidden)) = cell.recurrent() else {
                    return cell.title();
                };
                let mut t = format!("{name}({input}, {hidden}");
                if *layers > 1 {
                    t.push_str(&format!(", num_layers={layers}"));
                }
                if *bidirectional {
                    t.push_str(", bidirectional=True");
                }
                t.push(')');
                t
            }
        }
    }

    /// PyTorch's class name, input and hidden size of a recurrent cell.
    fn recurrent(&self) -> Option<(&'static str, usize, usize)> {
        match self {
            Kind::Rnn { input, hidden, .. } => Some(("RNN", *input, *hidden)),
            Kind::Lstm { input, hidden } => Some(("LSTM", *input, *hidden)),
            Kind::Gru { input, hidden } => Some(("GRU", *input, *hidden)),
            _ => None,
        }
    }

    /// Builds the layer with the default weights of every parameter.
    fn build<T: Element>(&self) -> Result<Box<dyn Layer<T>>> {
        Ok(match self {
            Kind::Linear {
                input,
                output,
                bias,
            } => Box::new(Linear::new(*input, *output, *bias)?),
            Kind::Conv1d {
                input,
                output,
                kernel,
                bias,
            } => Box::new(Conv1d::new(*input, *output, *kernel, *bias)?),
            Kind::Conv2d {
                input,
                output,
                kernel,
                bias,
            } => Box::new(Conv::new_2d(*input, *output, *kernel, *bias)?),
            Kind::Rnn { input, hidden, act } => Box::new(RnnCell::new(*input, *hidden, *act)?),
            Kind::Lstm { input, hidden } => Box::new(Lstm::new(*input, *hidden)?),
            Kind::Gru { input, hidden } => Box::new(Gru::new(*input, *hidden)?),
            Kind::SelfAttention {
                d_in,
                d_k,
                d_v,
                bias,
            } => Box::new(SelfAttention::new(*d_in, *d_k, *d_v, *bias)?),
            Kind::MultiHead {
                d_model,
                heads,
                bias,
            } => Box::new(MultiHead::new(*d_model, *heads, *bias)?),
            Kind::Stacked {
                cell,
                layers,
                bidirectional,
            } => {
                let Some((name, input, hidden)) = cell.recurrent() else {
                    return cell.build();
                };
                let make = |i: usize, h: usize| -> Result<Box<dyn Layer<T>>> {
                    match &**cell {
                        Kind::Rnn { act, .. } => Ok(Box::new(RnnCell::new(i, h, *act)?)),
                        Kind::Lstm { .. } => Ok(Box::new(Lstm::new(i, h)?)),
                        _ => Ok(Box::new(Gru::new(i, h)?)),
                    }
                };
                Box::new(Stacked::new(
                    name,
                    input,
                    hidden,
                    *layers,
                    *bidirectional,
                    &make,
                )?)
            }
        })
    }
}

pub(crate) fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// A layer with named parameters, whichever it is. A layer made from its
/// [`Kind`] ([`Module::lazy`]) makes its weights only when they are first
/// needed: counting its parameters and printing its name need none, so
/// `params(lstm(input=2, hidden=100000))` counts 40 billion parameters
/// without holding one.
pub struct Module<T: Element> {
    kind: Option<Kind>,
    layer: std::cell::OnceCell<Box<dyn Layer<T>>>,
}

impl<T: Element> Module<T> {
    /// Builds a module with the default weights of every parameter.
    pub fn new(kind: Kind) -> Result<Module<T>> {
        let m = Module::lazy(kind)?;
        m.layer()?;
        Ok(m)
    }

    /// A module whose default weights are made when first needed; its sizes
    /// are checked now ([`Kind::check`]).
    pub fn lazy(kind: Kind) -> Result<Module<T>> {
        kind.check()?;
        Ok(Module {
            kind: Some(kind),
            layer: std::cell::OnceCell::new(),
        })
    }

    pub fn of(layer: impl Layer<T> + 'static) -> Module<T> {
        let cell = std::cell::OnceCell::new();
        let _ = cell.set(Box::new(layer) as Box<dyn Layer<T>>);
        Module {
            kind: None,
            layer: cell,
        }
    }

    /// The layer, its weights made now if they were not yet.
    fn layer(&self) -> Result<&dyn Layer<T>> {
        if let Some(l) = self.layer.get() {
            return Ok(l.as_ref());
        }
        let built = match &self.kind {
            Some(k) => k.build()?,
            None => return Err(crate::Error::invalid("module", "a module without a layer")),
        };
        Ok(self.layer.get_or_init(|| built).as_ref())
    }

    fn layer_mut(&mut self) -> Result<&mut Box<dyn Layer<T>>> {
        self.layer()?;
        self.layer
            .get_mut()
            .ok_or_else(|| crate::Error::invalid("module", "a module without a layer"))
    }

    /// The sizes it was made from (`None` for a module made from a layer).
    pub fn kind(&self) -> Option<&Kind> {
        self.kind.as_ref()
    }

    /// The module's name as PyTorch would print it, e.g. `LSTM(2, 3)`.
    pub fn title(&self) -> String {
        match (&self.kind, self.layer.get()) {
            (_, Some(l)) => l.title(),
            (Some(k), None) => k.title(),
            (None, None) => "Module".to_string(),
        }
    }

    /// Its parameters in order (their weights made now if they were not yet).
    pub fn params(&self) -> Result<Vec<ParamRef<'_, T>>> {
        Ok(self.layer()?.params())
    }

    pub fn get(&self, name: &str) -> Result<Option<&Tensor<T>>> {
        Ok(self
            .layer()?
            .params()
            .into_iter()
            .find(|p| p.name == name)
            .map(|p| p.value))
    }

    /// Replaces a parameter's value, checking its shape.
    pub fn set(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        self.layer_mut()?.set(name, value)
    }

    /// A new module of the same kind whose every parameter is `f(name,
    /// value)` (shapes checked by [`Module::set`]).
    pub fn map_params(
        &self,
        mut f: impl FnMut(&str, &Tensor<T>) -> Result<Tensor<T>>,
    ) -> Result<Module<T>> {
        let kind = self.kind.clone().ok_or_else(|| {
            crate::Error::invalid("module", "this layer cannot be rebuilt from its sizes")
        })?;
        let mut out = Module::new(kind)?;
        for p in self.params()? {
            out.set(&p.name, f(&p.name, p.value)?)?;
        }
        Ok(out)
    }

    /// Loads one parameter by its PyTorch name (`weight_ih_l0`, `bias_hh_l0`,
    /// `weight`, `bias`, `in_proj_weight`, `in_proj_bias`, `out_proj.weight`,
    /// `out_proj.bias`), converting PyTorch's layout where gradwork's differs:
    /// attention projections are stored transposed (`x @ W` here).
    pub fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        self.layer_mut()?.load_pytorch(name, value)
    }

    /// The parameters' names and shapes, from the kind when the weights are
    /// not made yet.
    pub fn shapes(&self) -> Vec<ParamShape> {
        match (&self.kind, self.layer.get()) {
            (Some(k), _) => k.params(),
            (None, Some(l)) => l
                .params()
                .into_iter()
                .map(|p| ParamShape {
                    name: p.name.to_string(),
                    shape: p.value.shape().to_vec(),
                    second_bias: p.second_bias,
                })
                .collect(),
            (None, None) => Vec::new(),
        }
    }

    /// Parameters counted under `convention`, one row per tensor, from
    /// their shapes; an error when a count does not fit 64 bits.
    pub fn count(&self, convention: Convention) -> Result<ParamTable> {
        let rows = self
            .shapes()
            .into_iter()
            .filter(|p| convention == Convention::PyTorch || !p.second_bias)
            .map(|p| {
                let count = p
                    .shape
                    .iter()
                    .try_fold(1usize, |n, &d| n.checked_mul(d))
                    .ok_or_else(|| {
                        crate::Error::invalid(
                            "params",
                            format!("{} has too many parameters to count", p.name),
                        )
                    })?;
                Ok(ParamRow {
                    name: p.name,
                    shape: p.shape,
                    count,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ParamTable::new(convention, rows))
    }

    /// Runs the module on `x` (recurrent modules return every hidden state).
    pub fn forward(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        self.layer()?.forward(x)
    }
}
