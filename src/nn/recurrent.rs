//! Recurrent cells and their unrolling. One trait, [`Recurrent`], serves the
//! vanilla RNN, the LSTM and the GRU.
//!
//! Vectors are 1-d (`x` of length I, `h` of length H); column vectors `[n, 1]`
//! as the course writes them are accepted and flattened. Weights use
//! PyTorch's layout and gate order:
//! * RNN:  h' = act(W_ih x + b_ih + W_hh h + b_hh)
//! * LSTM: W_ih `[4H, I]`, W_hh `[4H, H]`, gates stacked `i, f, g, o`;
//!   c' = f⊙c + i⊙g, h' = o⊙tanh(c')
//! * GRU:  W_ih `[3H, I]`, W_hh `[3H, H]`, gates stacked `r, z, n`;
//!   n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h' = (1 − z)⊙n + z⊙h
//!
//! The textbook form has one bias per gate (`b_hh` absent); PyTorch's has two.

use crate::error::Error;
use crate::explain::math::superscript_number;
use crate::nn::act::Activation;
use crate::{Element, Idx, Result, Tensor};

/// Flattens a column vector `[n, 1]` (or `[n]`) to `[n]`.
pub fn as_vector<T: Element>(op: &str, v: &Tensor<T>) -> Result<Tensor<T>> {
    match v.shape() {
        [_] => Ok(v.clone()),
        [n, 1] | [1, n] => v.reshape(&[*n as i64]),
        [] => v.reshape(&[1]),
        s => Err(Error::shape(
            op,
            format!("expected a vector, got shape {s:?}"),
        )),
    }
}

/// The sequence `xs` (`[T, I]`, `[T, I, 1]`, or a list) as vectors.
pub fn steps_of<T: Element>(op: &str, xs: &Tensor<T>) -> Result<Vec<Tensor<T>>> {
    if xs.ndim() == 0 {
        return Err(Error::shape(
            op,
            "the input sequence must have a time axis first",
        ));
    }
    (0..xs.shape()[0] as i64)
        .map(|t| as_vector(op, &xs.slice(&[Idx::At(t)])?))
        .collect()
}

fn matvec<T: Element>(op: &str, w: &Tensor<T>, v: &Tensor<T>, what: &str) -> Result<Tensor<T>> {
    if w.ndim() != 2 || w.shape()[1] != v.len() {
        return Err(Error::ShapeMismatch {
            op: format!("{op}: {what}"),
            lhs: w.shape().to_vec(),
            rhs: v.shape().to_vec(),
        });
    }
    w.matmul(v)
}

fn add_bias<T: Element>(y: Tensor<T>, b: Option<&Tensor<T>>) -> Result<Tensor<T>> {
    match b {
        Some(b) => y.add(&as_vector("bias", b)?),
        None => Ok(y),
    }
}

/// The hidden size of a recurrent weight `W_hh` of shape `[gates·H, H]`.
fn hidden_of<T: Element>(op: &str, w_hh: &Tensor<T>, gates: usize) -> Result<usize> {
    match w_hh.shape() {
        [r, h] if *r == gates * h => Ok(*h),
        s => Err(Error::shape(
            op,
            format!("W_hh must have shape [{gates}·H, H], got {s:?}"),
        )),
    }
}

/// A recurrent cell: a state, one step, and the unrolled sequence.
pub trait Recurrent<T: Element> {
    /// The state is `h` (RNN, GRU) or `[h, c]` (LSTM).
    fn zero_state(&self) -> Result<Vec<Tensor<T>>>;
    fn step(&self, x: &Tensor<T>, state: &[Tensor<T>]) -> Result<Vec<Tensor<T>>>;
    /// Every hidden state h(1..T), stacked to `[T, H]`.
    fn seq(&self, xs: &Tensor<T>, state: Option<Vec<Tensor<T>>>) -> Result<Tensor<T>> {
        self.seq_state(xs, state).map(|(hs, _)| hs)
    }
    /// Every hidden state, and the state after the last step (`[h, c]` for
    /// an LSTM, `[h]` otherwise), as PyTorch returns `output, (h_n, c_n)`.
    fn seq_state(
        &self,
        xs: &Tensor<T>,
        state: Option<Vec<Tensor<T>>>,
    ) -> Result<(Tensor<T>, Vec<Tensor<T>>)> {
        let mut s = match state {
            Some(s) => s,
            None => self.zero_state()?,
        };
        let mut hs = Vec::new();
        for (t, x) in steps_of("rnn", xs)?.iter().enumerate() {
            s = self.step(x, &s)?;
            // The states by the names a worked solution gives them, so the
            // chain rule through time can say ∂L/∂h⁽²⁾.
            let sup = superscript_number(t + 1);
            s[0] = s[0].clone().named(&format!("h⁽{sup}⁾"));
            if let Some(c) = s.get_mut(1) {
                *c = c.clone().named(&format!("c⁽{sup}⁾"));
            }
            hs.push(s[0].clone());
        }
        if hs.is_empty() {
            return Err(Error::invalid("rnn", "the input sequence is empty"));
        }
        Ok((Tensor::stack(&hs, 0)?, s))
    }
}

/// A vanilla RNN cell `h' = act(W_hh h + W_xh x + b_h [+ b_hh])`.
pub struct RnnCell<T: Element> {
    pub w_hh: Tensor<T>,
    pub w_xh: Tensor<T>,
    pub b_h: Option<Tensor<T>>,
    pub b_hh: Option<Tensor<T>>,
    pub act: Activation,
}

impl<T: Element> Recurrent<T> for RnnCell<T> {
    fn zero_state(&self) -> Result<Vec<Tensor<T>>> {
        Ok(vec![Tensor::zeros(&[hidden_of("rnn", &self.w_hh, 1)?])?])
    }
    fn step(&self, x: &Tensor<T>, s: &[Tensor<T>]) -> Result<Vec<Tensor<T>>> {
        let h = as_vector("rnn", &s[0])?;
        let z = matvec("rnn", &self.w_hh, &h, "W_hh @ h")?.add(&matvec(
            "rnn",
            &self.w_xh,
            &as_vector("rnn", x)?,
            "W_xh @ x",
        )?)?;
        let z = add_bias(add_bias(z, self.b_h.as_ref())?, self.b_hh.as_ref())?;
        Ok(vec![self.act.apply(&z)?])
    }
}

/// Sigmoid and tanh gates of an LSTM cell.
pub struct Lstm<T: Element> {
    pub w_ih: Tensor<T>,
    pub w_hh: Tensor<T>,
    pub b_ih: Option<Tensor<T>>,
    pub b_hh: Option<Tensor<T>>,
}

fn gates<T: Element>(z: &Tensor<T>, n: usize, h: usize) -> Result<Vec<Tensor<T>>> {
    (0..n)
        .map(|g| z.slice(&[Idx::range(Some((g * h) as i64), Some(((g + 1) * h) as i64))]))
        .collect()
}

impl<T: Element> Recurrent<T> for Lstm<T> {
    fn zero_state(&self) -> Result<Vec<Tensor<T>>> {
        let h = Tensor::zeros(&[hidden_of("lstm", &self.w_hh, 4)?])?;
        Ok(vec![h.clone(), h])
    }
    fn step(&self, x: &Tensor<T>, s: &[Tensor<T>]) -> Result<Vec<Tensor<T>>> {
        if s.len() != 2 {
            return Err(Error::invalid("lstm", "the state is [h, c]"));
        }
        let hsz = hidden_of("lstm", &self.w_hh, 4)?;
        let (h, c) = (as_vector("lstm", &s[0])?, as_vector("lstm", &s[1])?);
        let z = matvec("lstm", &self.w_ih, &as_vector("lstm", x)?, "W_ih @ x")?
            .add(&matvec("lstm", &self.w_hh, &h, "W_hh @ h")?)?;
        let z = add_bias(add_bias(z, self.b_ih.as_ref())?, self.b_hh.as_ref())?;
        let g = gates(&z, 4, hsz)?;
        let (i, f, gg, o) = (
            g[0].sigmoid()?,
            g[1].sigmoid()?,
            g[2].tanh()?,
            g[3].sigmoid()?,
        );
        let c2 = f.mul(&c)?.add(&i.mul(&gg)?)?;
        let h2 = o.mul(&c2.tanh()?)?;
        Ok(vec![h2, c2])
    }
}

/// A GRU cell.
pub struct Gru<T: Element> {
    pub w_ih: Tensor<T>,
    pub w_hh: Tensor<T>,
    pub b_ih: Option<Tensor<T>>,
    pub b_hh: Option<Tensor<T>>,
}

impl<T: Element> Recurrent<T> for Gru<T> {
    fn zero_state(&self) -> Result<Vec<Tensor<T>>> {
        Ok(vec![Tensor::zeros(&[hidden_of("gru", &self.w_hh, 3)?])?])
    }
    fn step(&self, x: &Tensor<T>, s: &[Tensor<T>]) -> Result<Vec<Tensor<T>>> {
        let hsz = hidden_of("gru", &self.w_hh, 3)?;
        let h = as_vector("gru", &s[0])?;
        let gi = add_bias(
            matvec("gru", &self.w_ih, &as_vector("gru", x)?, "W_ih @ x")?,
            self.b_ih.as_ref(),
        )?;
        let gh = add_bias(
            matvec("gru", &self.w_hh, &h, "W_hh @ h")?,
            self.b_hh.as_ref(),
        )?;
        let (a, b) = (gates(&gi, 3, hsz)?, gates(&gh, 3, hsz)?);
        let r = a[0].add(&b[0])?.sigmoid()?;
        let z = a[1].add(&b[1])?.sigmoid()?;
        let n = a[2].add(&r.mul(&b[2])?)?.tanh()?;
        let one = Tensor::scalar(T::one());
        Ok(vec![one.sub(&z)?.mul(&n)?.add(&z.mul(&h)?)?])
    }
}

/// The course's `rnn(xs, W_hh, W_xh, b_h, act, h0)`: every hidden state.
pub fn rnn<T: Element>(
    xs: &Tensor<T>,
    w_hh: &Tensor<T>,
    w_xh: &Tensor<T>,
    b_h: Option<&Tensor<T>>,
    act: Activation,
    h0: Option<&Tensor<T>>,
) -> Result<Tensor<T>> {
    let cell = RnnCell {
        w_hh: w_hh.clone(),
        w_xh: w_xh.clone(),
        b_h: b_h.cloned(),
        b_hh: None,
        act,
    };
    cell.seq(xs, h0.map(|h| vec![h.clone()]))
}
