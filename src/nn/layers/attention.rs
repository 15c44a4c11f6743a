//! Self-attention and multi-head attention as layers. The projections are
//! stored as `x @ W` (`[d_in, d]`), as the course writes them; PyTorch's
//! `in_proj_weight` and `out_proj.weight` are transposed on loading.

use super::{defaults, not_pytorch, Layer, ParamRef};
use crate::error::Error;
use crate::nn::attention::{multi_head, self_attention, AttentionWeights};
use crate::{Element, Idx, Result, Tensor};

/// Weights, then biases.
type Split<T> = (Vec<Tensor<T>>, Vec<Tensor<T>>);

/// Default weights of these shapes; the biases, if any, come after the
/// weights.
fn weights_and_biases<T: Element>(
    weights: &[Vec<usize>],
    biases: &[Vec<usize>],
) -> Result<Split<T>> {
    let mut p = defaults(&[weights, biases].concat())?;
    let b = p.split_off(weights.len());
    Ok((p, b))
}

fn weight_refs<T: Element>(w: &AttentionWeights<T>) -> [ParamRef<'_, T>; 3] {
    [
        ParamRef::new("W_q", &w.w_q),
        ParamRef::new("W_k", &w.w_k),
        ParamRef::new("W_v", &w.w_v),
    ]
}

fn bias_refs<T: Element>(w: &AttentionWeights<T>) -> Vec<ParamRef<'_, T>> {
    [("b_q", &w.b_q), ("b_k", &w.b_k), ("b_v", &w.b_v)]
        .into_iter()
        .filter_map(|(n, b)| b.as_ref().map(|b| ParamRef::new(n, b)))
        .collect()
}

fn weight_mut<'a, T: Element>(
    w: &'a mut AttentionWeights<T>,
    name: &str,
) -> Option<&'a mut Tensor<T>> {
    match name {
        "W_q" => Some(&mut w.w_q),
        "W_k" => Some(&mut w.w_k),
        "W_v" => Some(&mut w.w_v),
        "b_q" => w.b_q.as_mut(),
        "b_k" => w.b_k.as_mut(),
        "b_v" => w.b_v.as_mut(),
        _ => None,
    }
}

/// Single-head self-attention: `W_q`, `W_k`, `W_v` (+ `b_q`, `b_k`, `b_v`).
pub struct SelfAttention<T: Element> {
    pub w: AttentionWeights<T>,
}

impl<T: Element> SelfAttention<T> {
    /// With the default weights.
    pub fn new(d_in: usize, d_k: usize, d_v: usize, bias: bool) -> Result<Self> {
        let biases = if bias {
            vec![vec![d_k], vec![d_k], vec![d_v]]
        } else {
            vec![]
        };
        let (w, b) = weights_and_biases(
            &[vec![d_in, d_k], vec![d_in, d_k], vec![d_in, d_v]],
            &biases,
        )?;
        let [w_q, w_k, w_v] = <[Tensor<T>; 3]>::try_from(w)
            .map_err(|_| Error::invalid("self_attention", "three weight matrices were not made"))?;
        let mut b = b.into_iter();
        Ok(SelfAttention {
            w: AttentionWeights {
                w_q,
                w_k,
                w_v,
                b_q: b.next(),
                b_k: b.next(),
                b_v: b.next(),
            },
        })
    }
}

impl<T: Element> Layer<T> for SelfAttention<T> {
    fn title(&self) -> String {
        let (q, v) = (self.w.w_q.shape(), self.w.w_v.shape());
        format!(
            "SelfAttention(d_in={}, d_k={}, d_v={}, bias={})",
            q[0],
            q[1],
            v[1],
            crate::nn::params::py_bool(self.w.b_q.is_some())
        )
    }
    fn params(&self) -> Vec<ParamRef<'_, T>> {
        let mut p: Vec<_> = weight_refs(&self.w).into();
        p.extend(bias_refs(&self.w));
        p
    }
    fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<T>> {
        weight_mut(&mut self.w, name)
    }
    fn forward(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        self_attention(x, &self.w, false)
    }
    fn load_pytorch(&mut self, name: &str, _: Tensor<T>) -> Result<()> {
        Err(not_pytorch(self, name))
    }
}

/// PyTorch's `MultiheadAttention`: `W_q`, `W_k`, `W_v`, `W_o`, each
/// `[d_model, d_model]` (+ `b_q`, `b_k`, `b_v`, `b_o`).
pub struct MultiHead<T: Element> {
    pub w: AttentionWeights<T>,
    pub w_o: Tensor<T>,
    pub b_o: Option<Tensor<T>>,
    pub heads: usize,
}

impl<T: Element> MultiHead<T> {
    /// With the default weights.
    pub fn new(d_model: usize, heads: usize, bias: bool) -> Result<Self> {
        if heads == 0 || !d_model.is_multiple_of(heads) {
            return Err(Error::invalid(
                "multi_head_attention",
                format!("d_model = {d_model} cannot be split into {heads} equal heads"),
            ));
        }
        let d = d_model;
        let (w, b) = weights_and_biases(&vec![vec![d, d]; 4], &vec![vec![d]; 4 * bias as usize])?;
        let [w_q, w_k, w_v, w_o] = <[Tensor<T>; 4]>::try_from(w).map_err(|_| {
            Error::invalid("multi_head_attention", "four weight matrices were not made")
        })?;
        let mut b = b.into_iter();
        Ok(MultiHead {
            w: AttentionWeights {
                w_q,
                w_k,
                w_v,
                b_q: b.next(),
                b_k: b.next(),
                b_v: b.next(),
            },
            w_o,
            b_o: b.next(),
            heads,
        })
    }
}

/// PyTorch's `in_proj_*`: query, key and value stacked along the rows.
fn thirds<T: Element>(v: &Tensor<T>) -> Result<Vec<Tensor<T>>> {
    let n = v.shape()[0] as i64 / 3;
    (0..3)
        .map(|k| v.slice(&[Idx::range(Some(k * n), Some((k + 1) * n))]))
        .collect()
}

impl<T: Element> Layer<T> for MultiHead<T> {
    fn title(&self) -> String {
        format!(
            "MultiheadAttention({}, heads={}, bias={})",
            self.w_o.shape()[0],
            self.heads,
            crate::nn::params::py_bool(self.b_o.is_some())
        )
    }
    fn params(&self) -> Vec<ParamRef<'_, T>> {
        let mut p: Vec<_> = weight_refs(&self.w).into();
        p.push(ParamRef::new("W_o", &self.w_o));
        p.extend(bias_refs(&self.w));
        p.extend(self.b_o.as_ref().map(|b| ParamRef::new("b_o", b)));
        p
    }
    fn param_mut(&mut self, name: &str) -> Option<&mut Tensor<T>> {
        match name {
            "W_o" => Some(&mut self.w_o),
            "b_o" => self.b_o.as_mut(),
            _ => weight_mut(&mut self.w, name),
        }
    }
    fn forward(&self, x: &Tensor<T>) -> Result<Tensor<T>> {
        multi_head(x, &self.w, &self.w_o, self.b_o.as_ref(), self.heads, false)
    }
    fn load_pytorch(&mut self, name: &str, value: Tensor<T>) -> Result<()> {
        match name {
            "in_proj_weight" => {
                for (n, t) in ["W_q", "W_k", "W_v"].into_iter().zip(thirds(&value)?) {
                    self.set(n, t.t()?)?;
                }
                Ok(())
            }
            "in_proj_bias" => {
                for (n, t) in ["b_q", "b_k", "b_v"].into_iter().zip(thirds(&value)?) {
                    self.set(n, t)?;
                }
                Ok(())
            }
            "out_proj.weight" => self.set("W_o", value.t()?),
            "out_proj.bias" => self.set("b_o", value),
            _ => Err(not_pytorch(self, name)),
        }
    }
}
