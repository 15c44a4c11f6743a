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
