//! `Linear(input, output)`: `x @ Wᵀ + b` with PyTorch's `[out, in]` weight.

use super::{defaults, not_pytorch, Layer, ParamRef};
use crate::{Element, Result, Tensor};

pub struct Linear<T: Element> {
    /// `[output, input]`
    pub weight: Tensor<T>,
    pub bias: Option<Tensor<T>>,
}

impl<T: Element> Linear<T> {
    /// With the default weights.
    pub fn new(input: usize, output: usize, bias: bool) -> Result<Self> {
        let mut shapes = vec![vec![output, input]];
        if bias {
            shapes.push(vec![output]);
        }
        let mut p = defaults(&shapes)?.into_iter();
        let weight = p
            .next()
            .ok_or_else(|| crate::Error::invalid("Linear", "no weight was made"))?;
        Ok(Linear {
            weight,
            bias: p.next(),
        })
    }
}

impl<T: Element> Layer<T> for Linear<T> {
    fn title(&self) -> String {
        let (o, i) = (self.weight.shape()[0], self.weight.shape()[1]);
        format!(
            "Linear({i}, {o}, bias={})",
            crate::nn::params::py_bool(self.bias.is_some())
        )
    }
    fn params(&self) -> Vec<ParamRef<'_, T>> {
        let mut p = vec![ParamRef::new("weight", &self.weight)];
        p.extend(self.bias.as_ref().map(|b| ParamRef::new("bias", b)));
        p
    }
    fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<T>> {
        match name {
            "weight" => Some(&mut self.weight),
            "bias" => self.bias.as_mut(),
            _ => None,
        }
    }
    fn forward(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        crate::nn::linear(x, &self.weight, self.bias.as_ref())
    }
    fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        match name {
            "weight" | "bias" => self.set(name, value),
            _ => Err(not_pytorch(self, name)),
        }
    }
}
