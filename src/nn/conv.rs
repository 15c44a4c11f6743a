//! Convolution and pooling, built as "unfold then matmul": every kernel tap
//! is a strided slice of the (padded) input, the taps are stacked, and one
//! batched `@` with the flattened kernel gives the output. Gradients then
//! come from the slice, stack and matmul rules with nothing conv-specific.
//!
//! Shapes follow PyTorch: input `[N, C_in, L]` (or unbatched `[C_in, L]`),
//! weight `[C_out, C_in, K]`, bias `[C_out]`; 2-d adds a dimension. The
//! course's plain signals are accepted too: `conv1d([L], [K], scalar)`.

use crate::autograd::Group;
use crate::error::Error;
use crate::explain::math::{Math, Op as MOp};
use crate::{Element, Idx, Result, Tensor};

/// Stride, padding (zeros, both sides) and dilation of one spatial axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvConfig {
    pub stride: usize,
    pub padding: usize,
    pub dilation: usize,
}

impl Default for ConvConfig {
    fn default() -> Self {
        ConvConfig {
            stride: 1,
            padding: 0,
            dilation: 1,
        }
    }
}

/// Output length: ⌊(L + 2p − d(K − 1) − 1)/s⌋ + 1, or an error naming the
/// sizes when the kernel does not fit.
pub fn conv_out_len(op: &str, len: usize, k: usize, c: ConvConfig) -> Result<usize> {
    if c.stride == 0 || c.dilation == 0 || k == 0 {
        return Err(Error::invalid(
            op,
            "stride, dilation and kernel size must be positive",
        ));
    }
    // Sizes are checked before anything is built: padding=10**9 would
    // otherwise allocate gigabytes of zeros.
    let too_big = || {
        Error::shape(
            op,
            format!(
                "padding {} or dilation {} is beyond any input",
                c.padding, c.dilation
            ),
        )
    };
    let span = c
        .dilation
        .checked_mul(k - 1)
        .and_then(|s| s.checked_add(1))
        .ok_or_else(too_big)?;
    let padded = c
        .padding
        .checked_mul(2)
        .and_then(|p| p.checked_add(len))
        .filter(|&p| p <= crate::tensor::MAX_ELEMENTS)
        .ok_or_else(too_big)?;
    if span > padded {
        return Err(Error::shape(
            op,
            format!(
                "the kernel spans {span} positions but the input has only {padded} (length {len}, padding {})",
                c.padding
            ),
        ));
    }
    Ok((padded - span) / c.stride + 1)
}

/// Zero-pads `x` by `p` on both sides of `axis`.
fn pad<T: Element>(x: &Tensor<T>, axis: usize, p: usize) -> Result<Tensor<T>> {
    if p == 0 {
        return Ok(x.clone());
    }
    let mut shape = x.shape().to_vec();
    shape[axis] = p;
    let mut whole = shape.clone();
    whole[axis] = x.shape()[axis].saturating_add(p.saturating_mul(2));
    crate::tensor::check_size("padding", &whole)?;
    let z = Tensor::zeros(&shape)?;
    Tensor::concat(&[z.clone(), x.clone(), z], axis as i64)
}

/// The taps of a window along `axis`: `k` strided slices of length `out`.
fn taps<T: Element>(
    x: &Tensor<T>,
    axis: usize,
    k: usize,
    out: usize,
    c: ConvConfig,
) -> Result<Vec<Tensor<T>>> {
    // k windows' worth of the input: bounded before any is taken (a stride-1
    // window of 10³ over 10⁵ samples would be 10⁸ copies).
    let per_tap = x.len() / x.shape()[axis].max(1) * out;
    if per_tap
        .checked_mul(k)
        .is_none_or(|n| n > crate::tensor::MAX_ELEMENTS)
    {
        return Err(Error::shape(
            "convolution",
            format!(
                "{k} taps of {per_tap} elements each exceed {} elements",
                crate::tensor::MAX_ELEMENTS
            ),
        ));
    }
    (0..k)
        .map(|j| {
            let start = (j * c.dilation) as i64;
            let mut idx = vec![Idx::all(); axis];
            idx.push(Idx::Range {
                start: Some(start),
                stop: Some(start + (c.stride * (out - 1)) as i64 + 1),
                step: c.stride as i64,
            });
            x.slice(&idx)
        })
        .collect()
}

/// Brings `x` to `[N, C, spatial…]`, remembering how many leading axes to drop.
fn batched<T: Element>(op: &str, x: &Tensor<T>, spatial: usize) -> Result<(Tensor<T>, usize)> {
    match x.ndim() - spatial.min(x.ndim()) {
        0 if x.ndim() == spatial => Ok((x.unsqueeze(0)?.unsqueeze(0)?, 2)),
        1 => Ok((x.unsqueeze(0)?, 1)),
        2 => Ok((x.clone(), 0)),
        _ => Err(Error::shape(
            op,
            format!(
                "input of shape {:?}: expected [N, C{}] or [C{}]",
                x.shape(),
                ", L".repeat(spatial),
                ", L".repeat(spatial)
            ),
        )),
    }
}

fn drop_lead<T: Element>(y: Tensor<T>, n: usize) -> Result<Tensor<T>> {
    let shape: Vec<i64> = y.shape()[n..].iter().map(|&d| d as i64).collect();
    y.reshape(&shape)
}

fn conv<T: Element>(
    op: &str,
    x: &Tensor<T>,
    w: &Tensor<T>,
    b: Option<&Tensor<T>>,
    cfg: &[ConvConfig],
) -> Result<Tensor<T>> {
    let sp = cfg.len();
    let (xb, lead) = batched(op, x, sp)?;
    let wb = if w.ndim() == sp && lead == 2 {
        let mut s = vec![1, 1];
        s.extend(w.shape().iter().map(|&d| d as i64));
        w.reshape(&s)?
    } else {
        w.clone()
    };
    if wb.ndim() != sp + 2 || wb.shape()[1] != xb.shape()[1] {
        return Err(Error::ShapeMismatch {
            op: format!("{op} (input [N, C_in, …] against weight [C_out, C_in, …])"),
            lhs: x.shape().to_vec(),
            rhs: w.shape().to_vec(),
        });
    }
    let (n, cin, cout) = (xb.shape()[0], xb.shape()[1], wb.shape()[0]);
    let mut xp = xb;
    let mut outs = Vec::new();
    for (a, c) in cfg.iter().enumerate() {
        let len = xp.shape()[2 + a];
        outs.push(conv_out_len(op, len, wb.shape()[2 + a], *c)?);
        xp = pad(&xp, 2 + a, c.padding)?;
    }
    // Unfold: taps along every spatial axis, stacked after the channels.
    let mut cols = vec![xp];
    for (a, c) in cfg.iter().enumerate() {
        let k = wb.shape()[2 + a];
        cols = cols
            .iter()
            .map(|t| taps(t, 2 + a, k, outs[a], *c))
            .collect::<Result<Vec<_>>>()?
            .concat();
    }
    let kk: usize = wb.shape()[2..].iter().product();
    let l: usize = outs.iter().product();
    let col = Tensor::stack(&cols, 2)?.reshape(&[n as i64, (cin * kk) as i64, l as i64])?;
    let wm = wb.reshape(&[cout as i64, (cin * kk) as i64])?;
    let mut y = wm.matmul(&col)?;
    if let Some(b) = b {
        let b = if b.len() == 1 {
            b.reshape(&[1, 1])?
        } else {
            b.reshape(&[-1, 1])?
        };
        if b.shape()[0] != 1 && b.shape()[0] != cout {
            return Err(Error::ShapeMismatch {
                op: format!("{op} bias (one per output channel)"),
                lhs: vec![cout],
                rhs: b.shape().to_vec(),
            });
        }
        y = y.add(&b)?;
    }
    let mut shape = vec![n as i64, cout as i64];
    shape.extend(outs.iter().map(|&o| o as i64));
    drop_lead(y.reshape(&shape)?, lead)
}

/// 1-d convolution (cross-correlation, as in every DL library).
pub fn conv1d<T: Element>(
    x: &Tensor<T>,
    w: &Tensor<T>,
    b: Option<&Tensor<T>>,
    c: ConvConfig,
) -> Result<Tensor<T>> {
    let y = conv("conv1d", x, w, b, &[c])?;
    let mut inputs = vec![x.clone(), w.clone()];
    inputs.extend(b.cloned());
    let plain = x.ndim() == 1 && w.ndim() == 1 && c == ConvConfig::default();
    Ok(y.grouped(Group {
        name: "conv1d",
        inputs,
        formula: |ins| Math::call("conv1d", ins.to_vec()),
        vjp: if plain { conv1d_vjp } else { |_, _, _| None },
    }))
}

/// The rules of a plain 1-d convolution f[i] = Σⱼ x[i+j]·w[j] + b, as a
/// worked solution writes them.
fn conv1d_vjp(pos: usize, g: &Math, ins: &[Math]) -> Option<Math> {
    let at = |m: &Math, i: &str| Math::Index(Box::new(m.clone()), i.into());
    Some(match pos {
        0 => Math::Sum(
            Some("j".into()),
            Box::new(Math::bin(MOp::Mul, at(g, "i−j"), at(&ins[1], "j"))),
        ),
        1 => Math::Sum(
            Some("i".into()),
            Box::new(Math::bin(MOp::Mul, at(g, "i"), at(&ins[0], "i+j"))),
        ),
        _ => Math::Sum(Some("i".into()), Box::new(at(g, "i"))),
    })
}

/// 2-d convolution with the same configuration on both axes.
pub fn conv2d<T: Element>(
    x: &Tensor<T>,
    w: &Tensor<T>,
    b: Option<&Tensor<T>>,
    c: ConvConfig,
) -> Result<Tensor<T>> {
    conv("conv2d", x, w, b, &[c, c])
}

fn pool<T: Element>(
    op: &str,
    x: &Tensor<T>,
    k: usize,
    c: ConvConfig,
    sp: usize,
    max: bool,
) -> Result<Tensor<T>> {
    if max && c.padding > 0 {
        return Err(Error::invalid(
            op,
            "padding is not supported for max pooling (PyTorch pads with −∞, which has no exact value)",
        ));
    }
    let (mut xp, lead) = batched(op, x, sp)?;
    let mut outs = Vec::new();
    for a in 0..sp {
        outs.push(conv_out_len(op, xp.shape()[2 + a], k, c)?);
        xp = pad(&xp, 2 + a, c.padding)?;
    }
    let mut cols = vec![xp];
    for (a, &o) in outs.iter().enumerate() {
        cols = cols
            .iter()
            .map(|t| taps(t, 2 + a, k, o, c))
            .collect::<Result<Vec<_>>>()?
            .concat();
    }
    let st = Tensor::stack(&cols, -1)?;
    let y = if max {
        st.max(Some(-1), false)?
    } else {
        st.mean(Some(&[-1]), false)?
    };
    drop_lead(y, lead)
}

/// Max pooling with window `k` (stride defaults to `k` in PyTorch; pass it).
pub fn max_pool1d<T: Element>(x: &Tensor<T>, k: usize, c: ConvConfig) -> Result<Tensor<T>> {
    pool("max_pool1d", x, k, c, 1, true)
}
pub fn max_pool2d<T: Element>(x: &Tensor<T>, k: usize, c: ConvConfig) -> Result<Tensor<T>> {
    pool("max_pool2d", x, k, c, 2, true)
}
/// Average pooling; zero padding is counted in the average (PyTorch's
/// default `count_include_pad=True`).
pub fn avg_pool1d<T: Element>(x: &Tensor<T>, k: usize, c: ConvConfig) -> Result<Tensor<T>> {
    pool("avg_pool1d", x, k, c, 1, false)
}
pub fn avg_pool2d<T: Element>(x: &Tensor<T>, k: usize, c: ConvConfig) -> Result<Tensor<T>> {
    pool("avg_pool2d", x, k, c, 2, false)
}
