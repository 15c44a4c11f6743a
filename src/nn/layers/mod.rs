//! Layers with named parameters, one struct per layer behind one trait:
//! what it holds, its title, its forward pass and where PyTorch's state-dict
//! names go. A new layer is a file here and a row in the language's
//! registry (`lang/builtins/nn.rs`); counting, attribute access
//! (`m.W_ih`) and loading work through the trait.
//!
//! Default weights are deterministic small exact fractions that differ from
//! entry to entry: w[i] = ((7·(i + 3p) + 3) mod 11 − 5)/10 for the i-th
//! element of the p-th parameter.

mod attention;
mod conv;
mod linear;
mod recurrent;

pub use attention::{MultiHead, SelfAttention};
pub use conv::{Conv, Conv1d};
pub use linear::Linear;
pub use recurrent::Stacked;

use crate::error::Error;
use crate::{Element, Num, Result, Tensor};

/// A parameter as a layer shows it.
pub struct ParamRef<'a, T: Element> {
    pub name: std::borrow::Cow<'static, str>,
    pub value: &'a Tensor<T>,
    /// PyTorch's extra recurrent bias `b_hh`, not counted by the textbook.
    pub second_bias: bool,
}

impl<'a, T: Element> ParamRef<'a, T> {
    pub(crate) fn new(name: &'static str, value: &'a Tensor<T>) -> Self {
        ParamRef {
            name: name.into(),
            value,
            second_bias: false,
        }
    }
}

/// A layer with named parameters.
pub trait Layer<T: Element> {
    /// The layer as PyTorch would print it, e.g. `LSTM(2, 3)`.
    fn title(&self) -> String;
    /// Its parameters in order, by gradwork's names (`W_ih`, `weight`).
    fn params(&self) -> Vec<ParamRef<'_, T>>;
    /// The parameter called `name`, to replace.
    fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<T>>;
    /// Runs the layer on `x` (recurrent layers give every hidden state).
    fn forward(&self, x: &Tensor<T>) -> Result<Tensor<T>>;
    /// Loads one parameter by its PyTorch name, converting PyTorch's layout
    /// where gradwork's differs.
    fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()>;

    /// Replaces a parameter's value, checking its shape.
    fn set(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        let p = self
            .param_mut(name)
            .ok_or_else(|| Error::invalid("module", format!("no parameter named `{name}`")))?;
        if p.shape() != value.shape() {
            return Err(Error::mismatch(
                format!("setting {name}"),
                p.shape(),
                value.shape(),
            ));
        }
        *p = value;
        Ok(())
    }
}

/// A PyTorch name the layer does not have.
pub(crate) fn not_pytorch<T: Element>(layer: &dyn Layer<T>, name: &str) -> Error {
    Error::invalid(
        "load_pytorch",
        format!("{} has no PyTorch parameter `{name}`", layer.title()),
    )
}

/// The default weights of parameters of these shapes, in order.
pub(crate) fn defaults<T: Element>(shapes: &[Vec<usize>]) -> Result<Vec<Tensor<T>>> {
    shapes
        .iter()
        .enumerate()
        .map(|(p, shape)| {
            // A layer too large to hold is refused before its weights are made.
            crate::tensor::check_size("layer weights", shape)?;
            let n: usize = shape.iter().product();
            let v = (0..n)
                .map(|i| {
                    let k = ((7 * (i + 3 * p) + 3) % 11) as i64 - 5;
                    T::from_num(&Num::ratio(k, 10)?)
                })
                .collect::<Result<Vec<T>>>()?;
            Tensor::from_vec(v, shape)
        })
        .collect()
}
