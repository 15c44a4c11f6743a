//! RNN, LSTM and GRU cells as layers: the cells of `nn::recurrent` with
//! PyTorch's parameters `W_ih`, `W_hh`, `b_ih`, `b_hh` (gates stacked in
//! PyTorch's order). `b_hh` is PyTorch's second bias, which the textbook
//! count leaves out.

use super::{defaults, not_pytorch, Layer, ParamRef};
use crate::nn::act::Activation;
use crate::nn::recurrent::{Gru, Lstm, Recurrent, RnnCell};
use crate::{Element, Result, Tensor};

/// Default `W_ih`, `W_hh`, `b_ih`, `b_hh` for `gates` stacked gates.
fn init<T: Element>(gates: usize, input: usize, hidden: usize) -> Result<[Tensor<T>; 4]> {
    let g = gates * hidden;
    let p = defaults(&[vec![g, input], vec![g, hidden], vec![g], vec![g]])?;
    Ok(p.try_into().unwrap_or_else(|_| unreachable!("four shapes")))
}

fn params<'a, T: Element>(
    w_ih: &'a Tensor<T>,
    w_hh: &'a Tensor<T>,
    b_ih: Option<&'a Tensor<T>>,
    b_hh: Option<&'a Tensor<T>>,
) -> Vec<ParamRef<'a, T>> {
    let mut p = vec![ParamRef::new("W_ih", w_ih), ParamRef::new("W_hh", w_hh)];
    p.extend(b_ih.map(|b| ParamRef::new("b_ih", b)));
    p.extend(b_hh.map(|b| ParamRef {
        second_bias: true,
        ..ParamRef::new("b_hh", b)
    }));
    p
}

/// PyTorch's names of a one-layer recurrent module.
fn load<T: Element>(layer: &mut dyn Layer<T>, name: &str, value: Tensor<T>) -> Result<()> {
    let ours = match name {
        "weight_ih_l0" => "W_ih",
        "weight_hh_l0" => "W_hh",
        "bias_ih_l0" => "b_ih",
        "bias_hh_l0" => "b_hh",
        _ => return Err(not_pytorch(layer, name)),
    };
    layer.set(ours, value)
}

/// `(input, hidden)` of a `[gates·hidden, input]` input weight.
fn sizes<T: Element>(w_ih: &Tensor<T>, gates: usize) -> (usize, usize) {
    (w_ih.shape()[1], w_ih.shape()[0] / gates)
}

impl<T: Element> RnnCell<T> {
    /// With the default weights.
    pub fn new(input: usize, hidden: usize, act: Activation) -> Result<Self> {
        let [w_xh, w_hh, b_h, b_hh] = init(1, input, hidden)?;
        Ok(RnnCell {
            w_hh,
            w_xh,
            b_h: Some(b_h),
            b_hh: Some(b_hh),
            act,
        })
    }
}

impl<T: Element> Layer<T> for RnnCell<T> {
    fn title(&self) -> String {
        let (i, h) = sizes(&self.w_xh, 1);
        format!("RNN({i}, {h}, act={})", self.act.name())
    }
    fn params(&self) -> Vec<ParamRef<'_, T>> {
        params(
            &self.w_xh,
            &self.w_hh,
            self.b_h.as_ref(),
            self.b_hh.as_ref(),
        )
    }
    fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<T>> {
        match name {
            "W_ih" => Some(&mut self.w_xh),
            "W_hh" => Some(&mut self.w_hh),
            "b_ih" => self.b_h.as_mut(),
            "b_hh" => self.b_hh.as_mut(),
            _ => None,
        }
    }
    fn forward(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        self.seq(x, None)
    }
    fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        load(self, name, value)
    }
}

/// LSTM and GRU hold the same four parameters.
macro_rules! gated {
    ($cell:ident, $gates:expr, $title:literal) => {
        impl<T: Element> $cell<T> {
            /// With the default weights.
            pub fn new(input: usize, hidden: usize) -> Result<Self> {
                let [w_ih, w_hh, b_ih, b_hh] = init($gates, input, hidden)?;
                Ok($cell {
                    w_ih,
                    w_hh,
                    b_ih: Some(b_ih),
                    b_hh: Some(b_hh),
                })
            }
        }

        impl<T: Element> Layer<T> for $cell<T> {
            fn title(&self) -> String {
                let (i, h) = sizes(&self.w_ih, $gates);
                format!(concat!($title, "({}, {})"), i, h)
            }
            fn params(&self) -> Vec<ParamRef<'_, T>> {
                params(
                    &self.w_ih,
                    &self.w_hh,
                    self.b_ih.as_ref(),
                    self.b_hh.as_ref(),
                )
            }
            fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<T>> {
                match name {
                    "W_ih" => Some(&mut self.w_ih),
                    "W_hh" => Some(&mut self.w_hh),
                    "b_ih" => self.b_ih.as_mut(),
                    "b_hh" => self.b_hh.as_mut(),
                    _ => None,
                }
            }
            fn forward(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
                self.seq(x, None)
            }
            fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
                load(self, name, value)
            }
        }
    };
}

gated!(Lstm, 4, "LSTM");
gated!(Gru, 3, "GRU");

/// A recurrent module of several layers or both directions (PyTorch's
/// `num_layers` and `bidirectional`): one cell per layer and direction.
/// Layer k > 0 reads the states of layer k − 1, both directions side by
/// side; the reverse cell reads the sequence backwards. Parameters are
/// named as PyTorch names them, `W_ih_l1_reverse` for `weight_ih_l1_reverse`.
pub struct Stacked<T: Element> {
    kind: &'static str,
    input: usize,
    hidden: usize,
    layers: usize,
    bidirectional: bool,
    /// `l0`, `l0_reverse`, `l1`, … and the cell.
    cells: Vec<(String, Box<dyn Layer<T>>)>,
}

impl<T: Element> Stacked<T> {
    /// `make(input, hidden)` builds one cell; `kind` is PyTorch's class name.
    pub fn new(
        kind: &'static str,
        input: usize,
        hidden: usize,
        layers: usize,
        bidirectional: bool,
        make: &dyn Fn(usize, usize) -> Result<Box<dyn Layer<T>>>,
    ) -> Result<Self> {
        if layers == 0 {
            return Err(crate::error::Error::invalid(
                kind,
                "num_layers must be at least 1".to_string(),
            ));
        }
        let dirs = if bidirectional { 2 } else { 1 };
        // Every cell holds at least a hidden×max(input, hidden) weight: the
        // whole stack is checked before one cell is built.
        crate::tensor::check_size(kind, &[layers, dirs, hidden, hidden.max(input)])?;
        let mut cells = Vec::new();
        for k in 0..layers {
            let i = if k == 0 { input } else { hidden * dirs };
            cells.push((format!("l{k}"), make(i, hidden)?));
            if bidirectional {
                cells.push((format!("l{k}_reverse"), make(i, hidden)?));
            }
        }
        Ok(Stacked {
            kind,
            input,
            hidden,
            layers,
            bidirectional,
            cells,
        })
    }
    fn cell_of<'n>(&mut self, name: &'n str) -> Option<(&'n str, &mut Box<dyn Layer<T>>)> {
        // The longest suffix first: `_l0_reverse` before `_l0`.
        let mut best: Option<usize> = None;
        for (i, (suffix, _)) in self.cells.iter().enumerate() {
            let tail = format!("_{suffix}");
            if name.ends_with(&tail) && best.is_none_or(|b| self.cells[b].0.len() < suffix.len()) {
                best = Some(i);
            }
        }
        let i = best?;
        let cut = name.len() - self.cells[i].0.len() - 1;
        Some((&name[..cut], &mut self.cells[i].1))
    }
}

impl<T: Element> Layer<T> for Stacked<T> {
    fn title(&self) -> String {
        let mut t = format!("{}({}, {}", self.kind, self.input, self.hidden);
        if self.layers > 1 {
            t.push_str(&format!(", num_layers={}", self.layers));
        }
        if self.bidirectional {
            t.push_str(", bidirectional=True");
        }
        t.push(')');
        t
    }
    fn params(&self) -> Vec<ParamRef<'_, T>> {
        self.cells
            .iter()
            .flat_map(|(suffix, cell)| {
                cell.params().into_iter().map(move |p| ParamRef {
                    name: format!("{}_{suffix}", p.name).into(),
                    ..p
                })
            })
            .collect()
    }
    fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<T>> {
        let (ours, cell) = self.cell_of(name)?;
        cell.param_mut(ours)
    }
    fn forward(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        let reversed = |t: &Tensor<T>| {
            t.slice(&[crate::Idx::Range {
                start: None,
                stop: None,
                step: -1,
            }])
        };
        let mut out = x.clone();
        for pair in self.cells.chunks(if self.bidirectional { 2 } else { 1 }) {
            let forward = pair[0].1.forward(&out)?;
            out = match pair.get(1) {
                Some((_, back)) => {
                    let b = reversed(&back.forward(&reversed(&out)?)?)?;
                    Tensor::concat(&[forward, b], 1)?
                }
                None => forward,
            };
        }
        Ok(out)
    }
    fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        // weight_ih_l1_reverse: the cell l1_reverse, its weight_ih_l0.
        let kind = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
            .into_iter()
            .find(|k| name.starts_with(&format!("{k}_")));
        let Some(kind) = kind else {
            return Err(not_pytorch(self, name));
        };
        let suffix = &name[kind.len() + 1..];
        match self.cells.iter_mut().find(|(s, _)| s == suffix) {
            Some((_, cell)) => cell.load_pytorch(&format!("{kind}_l0"), value),
            None => Err(not_pytorch(self, name)),
        }
    }
}
