//! `Conv1d(input, output, kernel_size)`: stride 1, no padding, PyTorch's
//! `[out, in, k]` weight.

use super::{defaults, not_pytorch, Layer, ParamRef};
use crate::nn::conv::{conv1d, ConvConfig};
use crate::{Element, Result, Tensor};

pub struct Conv1d<T: Element> {
    /// `[output, input, kernel]`
    pub weight: Tensor<T>,
    pub bias: Option<Tensor<T>>,
}

impl<T: Element> Conv1d<T> {
    /// With the default weights.
    pub fn new(input: usize, output: usize, kernel: usize, bias: bool) -> Result<Self> {
        let mut shapes = vec![vec![output, input, kernel]];
        if bias {
            shapes.push(vec![output]);
        }
        let mut p = defaults(&shapes)?.into_iter();
        Ok(Conv1d {
            weight: p.next().expect("a weight"),
            bias: p.next(),
        })
    }
}

impl<T: Element> Layer<T> for Conv1d<T> {
    fn title(&self) -> String {
        let s = self.weight.shape();
        format!(
            "Conv1d({}, {}, kernel_size={}, bias={})",
            s[1],
            s[0],
            s[2],
            self.bias.is_some()
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
        conv1d(x, &self.weight, self.bias.as_ref(), ConvConfig::default())
    }
    fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        match name {
            "weight" | "bias" => self.set(name, value),
            _ => Err(not_pytorch(self, name)),
        }
    }
}
