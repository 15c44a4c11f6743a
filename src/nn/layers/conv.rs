//! `Conv1d(input, output, kernel_size)` and `Conv2d(input, output,
//! kernel_size)`: stride 1, no padding, PyTorch's `[out, in, k]` and
//! `[out, in, kh, kw]` weights. One struct: the weight's rank says which.

use super::{defaults, not_pytorch, Layer, ParamRef};
use crate::nn::conv::{conv1d, conv2d, ConvConfig};
use crate::{Element, Result, Tensor};

pub struct Conv<T: Element> {
    /// `[output, input, kernel]` or `[output, input, kh, kw]`
    pub weight: Tensor<T>,
    pub bias: Option<Tensor<T>>,
}

/// The 1-d convolution layer (PyTorch's `nn.Conv1d`).
pub type Conv1d<T> = Conv<T>;

impl<T: Element> Conv<T> {
    /// A 1-d convolution with the default weights.
    pub fn new(input: usize, output: usize, kernel: usize, bias: bool) -> Result<Self> {
        Conv::with_kernel(input, output, &[kernel], bias)
    }
    /// A 2-d convolution (`nn.Conv2d`) with the default weights.
    pub fn new_2d(input: usize, output: usize, kernel: (usize, usize), bias: bool) -> Result<Self> {
        Conv::with_kernel(input, output, &[kernel.0, kernel.1], bias)
    }
    fn with_kernel(input: usize, output: usize, kernel: &[usize], bias: bool) -> Result<Self> {
        let mut w = vec![output, input];
        w.extend_from_slice(kernel);
        let mut shapes = vec![w];
        if bias {
            shapes.push(vec![output]);
        }
        let mut p = defaults(&shapes)?.into_iter();
        let weight = p
            .next()
            .ok_or_else(|| crate::Error::invalid("Conv", "no weight was made"))?;
        Ok(Conv {
            weight,
            bias: p.next(),
        })
    }
}

impl<T: Element> Layer<T> for Conv<T> {
    fn title(&self) -> String {
        let s = self.weight.shape();
        let kernel = match &s[2..] {
            [k] => k.to_string(),
            ks => format!(
                "({})",
                ks.iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        format!(
            "Conv{}d({}, {}, kernel_size={kernel}, bias={})",
            s.len() - 2,
            s[1],
            s[0],
            if self.bias.is_some() { "True" } else { "False" }
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
        let c = ConvConfig::default();
        if self.weight.ndim() == 4 {
            conv2d(x, &self.weight, self.bias.as_ref(), c)
        } else {
            conv1d(x, &self.weight, self.bias.as_ref(), c)
        }
    }
    fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        match name {
            "weight" | "bias" => self.set(name, value),
            _ => Err(not_pytorch(self, name)),
        }
    }
}
