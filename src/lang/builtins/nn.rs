//! Activations and layers: the functional forms (`conv1d(x, w, b)`, `rnn(…)`)
//! that write their working, and the constructors of layers with named
//! parameters (`lstm(input=2, hidden=3)`). An activation's name is also a
//! value for `act=`, and every name of it — `sigmoid`, `expit`,
//! `sp.special.expit` — runs the one row, notes included.

use std::rc::Rc;

use super::{lib, notes, one_tensor, t, Args, Builtin, Call, Is};
use crate::explain::Note;
use crate::lang::interp::{Detail, Interp, R};
use crate::lang::value::Value;
use crate::lang::{ErrorKind, LangError};
use crate::nn::act::{self, Activation};
use crate::nn::attention::{multi_head, scaled_dot_product, self_attention, AttentionWeights};
use crate::nn::conv::{self, ConvConfig};
use crate::nn::params::{Kind, Module};
use crate::nn::recurrent::{self, Gru, Lstm, Recurrent};
use crate::{Num, Tensor};

#[rustfmt::skip]
pub(super) static ROWS: &[Builtin] = &[
    // ---- activations
    Builtin::raw("identity", "identity(x)", "x itself; a value for `act=`", |it, c| activation(it, c, Activation::Identity))
        .is(Is::Act(Activation::Identity)),
    Builtin::raw("relu", "relu(x)", "max(x, 0); relu′(0) = 0 (PyTorch's), noted where an input is exactly 0", |it, c| activation(it, c, Activation::Relu))
        .is(Is::Act(Activation::Relu)),
    Builtin::raw("tanh", "tanh(x)", "the hyperbolic tangent", |it, c| activation(it, c, Activation::Tanh))
        .is(Is::Act(Activation::Tanh)).at(&["np.tanh", "math.tanh"]),
    Builtin::raw("sigmoid", "sigmoid(x)", "σ(x) = 1/(1 + e^−x), written out for a few numbers", |it, c| activation(it, c, Activation::Sigmoid))
        .is(Is::Act(Activation::Sigmoid)).aka(&["expit"]).at(&["sp.special.expit"]),
    Builtin::args("leaky_relu", "leaky_relu(x, negative_slope=0.01)", "x where positive, negative_slope·x elsewhere", leaky_relu),
    Builtin::args("softmax", "softmax(x, axis=-1)", "exp(x)/Σ exp(x) along `axis`, numerically stable", |it, a, notes| {
        let (y, axis) = softmax_along(a, act::softmax)?;
        if axis == 1 || axis == -1 {
            notes::softmax_figure(it, notes, &y, a.exprs());
        }
        Ok(Value::T(y))
    })
        .at(&["sp.special.softmax"]),
    Builtin::args("log_softmax", "log_softmax(x, axis=-1)", "log of softmax, numerically stable", |_, a, _| softmax(a, act::log_softmax))
        .at(&["sp.special.log_softmax"]),
    Builtin::args("step", "step(x, threshold=0)", "1 where x ≥ threshold, else 0", step),
    // ---- layers as functions
    Builtin::args("linear", "linear(x, W, b=None) or linear(input, output, bias=True)", "x @ Wᵀ + b, W is [out, in] (PyTorch); with input= and output= the layer", linear),
    Builtin::args("conv1d", "conv1d(x, w, b=None, stride=1, padding=0, dilation=1)", "x: [L], [C_in, L] or [N, C_in, L]; w: [K] or [C_out, C_in, K]; each window written out", conv1d),
    Builtin::args("conv2d", "conv2d(x, w, b=None, stride=1, padding=0, dilation=1)", "conv1d with two spatial axes", conv2d),
    Builtin::args("max_pool1d", "max_pool1d(x, kernel_size, stride=kernel_size, padding=0)", "the largest of each window", |it, a, n| pool(it, a, n, conv::max_pool1d)),
    Builtin::args("avg_pool1d", "avg_pool1d(x, kernel_size, stride=kernel_size, padding=0)", "the mean of each window, zero padding counted (PyTorch's)", |it, a, n| pool(it, a, n, conv::avg_pool1d)),
    Builtin::args("max_pool2d", "max_pool2d(x, kernel_size, stride=kernel_size, padding=0)", "max_pool1d with two spatial axes", |it, a, n| pool(it, a, n, conv::max_pool2d)),
    Builtin::args("avg_pool2d", "avg_pool2d(x, kernel_size, stride=kernel_size, padding=0)", "avg_pool1d with two spatial axes", |it, a, n| pool(it, a, n, conv::avg_pool2d)),
    Builtin::args("conv_out_len", "conv_out_len(length, kernel_size, stride=1, padding=0, dilation=1)", "⌊(L + 2p − d(K − 1) − 1)/s⌋ + 1", conv_out_len),
    Builtin::args("rnn", "rnn(xs, W_hh, W_xh, b_h=None, act=tanh, h0=None)", "every hidden state h(1..T), [T, H]; xs is [T, I] or [T, I, 1]", rnn),
    Builtin::args("lstm_seq", "lstm_seq(xs, W_ih, W_hh, b_ih=None, b_hh=None, h0=None, c0=None, return_state=False)", "every hidden state of an LSTM from h0 and c0 (zeros when not given), and with return_state the last (h, c); gates i, f, g, o", lstm_seq),
    Builtin::args("gru_seq", "gru_seq(xs, W_ih, W_hh, b_ih=None, b_hh=None, h0=None, return_state=False)", "every hidden state of a GRU from h0 (zeros when not given), and with return_state the last h; gates r, z, n", gru_seq),
    Builtin::args("attention", "attention(Q, K, V, causal=False)", "softmax(Q Kᵀ/√d_k) V", attention),
    Builtin::args("self_attention", "self_attention(X, W_q, W_k, W_v, b_q=None, b_k=None, b_v=None, causal=False)", "attention of X's projections X @ W (W is [d_in, d])", |_, a, _| attention_of(a, false)),
    Builtin::args("multi_head_attention", "multi_head_attention(X, W_q, W_k, W_v, W_o, heads, b_q=None, b_k=None, b_v=None, b_o=None, causal=False)", "columns split into `heads` groups, joined, projected by W_o", |_, a, _| attention_of(a, true)),
    // ---- layers with named parameters
    Builtin::args("rnn_cell", "rnn_cell(input, hidden, act=tanh, num_layers=1, bidirectional=False)", "an RNN: W_ih, W_hh, b_ih, b_hh per layer and direction", |_, a, _| recurrent_layer(a, Cell::Rnn)),
    Builtin::args("lstm", "lstm(input, hidden, num_layers=1, bidirectional=False)", "an LSTM: 4 gates stacked, per layer and direction", |_, a, _| recurrent_layer(a, Cell::Lstm)),
    Builtin::args("gru", "gru(input, hidden, num_layers=1, bidirectional=False)", "a GRU: 3 gates stacked, per layer and direction", |_, a, _| recurrent_layer(a, Cell::Gru)),
    Builtin::args("conv1d_layer", "conv1d_layer(input, output, kernel, bias=True)", "a 1-d convolution: weight, bias", conv1d_layer),
    Builtin::args("conv2d_layer", "conv2d_layer(input, output, kernel, bias=True)", "a 2-d convolution (kernel a size or (kh, kw)): weight, bias", conv2d_layer),
    Builtin::args("attention_layer", "attention_layer(d_in, d_k, d_v=d_k, bias=False)", "self-attention: W_q, W_k, W_v (+ b_q, b_k, b_v)", attention_layer),
    Builtin::args("mha_layer", "mha_layer(d_model, heads, bias=True)", "multi-head attention: W_q, W_k, W_v, W_o (+ biases)", mha_layer),
];

/// An activation called on one tensor; relu notes an input at exactly 0,
/// sigmoid writes σ out (in full detail).
fn activation(it: &mut Interp, c: Call, a: Activation) -> R<Value> {
    // numpy's ufuncs take `out=` and friends, which mean nothing here: any
    // keyword is refused rather than ignored.
    if let Some((k, _, s)) = c.kw.first() {
        return Err(LangError::new(
            ErrorKind::Type,
            format!("{}() has no parameter `{k}`", a.name()),
            *s,
            Some(&format!("{}(x) takes one tensor", a.name())),
        ));
    }
    let x = one_tensor(it, "activation", &c.pos, c.span)?;
    match a {
        _ if !it.notes_wanted() => {}
        Activation::Relu => notes::relu_zero_note(&mut it.notes, &x, "relu"),
        Activation::Sigmoid if it.opts.detail == Detail::Full => {
            notes::sigmoid_note(&mut it.notes, &x)
        }
        _ => {}
    }
    t(a.apply(&x), c.span)
}

fn leaky_relu(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    let slope = a.num(1, "negative_slope", Some("0.01"))?;
    t(act::leaky_relu(&x, &Tensor::scalar(slope)), a.span)
}

fn softmax(a: &mut Args, f: fn(&Tensor<Num>, i64) -> crate::Result<Tensor<Num>>) -> R<Value> {
    softmax_along(a, f).map(|(y, _)| Value::T(y))
}

/// The softmax and the axis it ran along.
fn softmax_along(
    a: &mut Args,
    f: fn(&Tensor<Num>, i64) -> crate::Result<Tensor<Num>>,
) -> R<(Tensor<Num>, i64)> {
    let x = a.tensor(0, "x")?;
    let axis = a.opt_axis(1)?.unwrap_or(-1);
    if x.ndim() == 0 {
        return Err(LangError::new(
            ErrorKind::Shape,
            format!("{} needs at least one axis", a.name),
            a.span,
            None,
        ));
    }
    let y = lib(f(&x, axis), a.span)?;
    Ok((y, axis))
}

fn step(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    let th = a.num(1, "threshold", Some("0"))?;
    t(act::step(&x, &Tensor::scalar(th)), a.span)
}

/// A layer as a value: its weights are made when first used, so counting
/// its parameters needs none.
fn module(kind: Kind, a: &Args) -> R<Value> {
    lib(Module::lazy(kind), a.span).map(|m| Value::Module(Rc::new(m)))
}

/// `linear(x, W, b)` applies one; `linear(input=2, output=3)` builds one.
fn linear(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    if a.has("input") || a.has("output") {
        let input = a.usize(0, "input", None)?;
        let output = a.usize(1, "output", None)?;
        let bias = a.flag(2, "bias", true)?;
        return module(
            Kind::Linear {
                input,
                output,
                bias,
            },
            a,
        );
    }
    let x = a.tensor(0, "x")?;
    let w = a.tensor(1, "W")?;
    let b = a.opt_tensor(2, "b")?;
    t(crate::nn::linear(&x, &w, b.as_ref()), a.span)
}

fn conv1d(it: &Interp, a: &mut Args, notes: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    let w = a.tensor(1, "w")?;
    let b = a.opt_tensor(2, "b")?;
    let c = a.conv_config(3)?;
    let y = lib(conv::conv1d(&x, &w, b.as_ref(), c), a.span)?;
    notes::conv1d_notes(it, notes, &x, &w, b.as_ref(), c, &y, a.exprs());
    Ok(Value::T(y))
}

fn conv2d(it: &Interp, a: &mut Args, notes: &mut Vec<Note>) -> R<Value> {
    let x = a.tensor(0, "x")?;
    let w = a.tensor(1, "w")?;
    let b = a.opt_tensor(2, "b")?;
    let c = a.conv_config(3)?;
    let y = lib(conv::conv2d(&x, &w, b.as_ref(), c), a.span)?;
    notes::conv2d_notes(it, notes, &x, &w, b.as_ref(), c, &y);
    Ok(Value::T(y))
}

type Pool = fn(&Tensor<Num>, usize, ConvConfig) -> crate::Result<Tensor<Num>>;

fn pool(it: &Interp, a: &mut Args, notes: &mut Vec<Note>, f: Pool) -> R<Value> {
    let x = a.tensor(0, "x")?;
    let k = a.usize(1, "kernel_size", None)?;
    let c = ConvConfig {
        stride: a.usize(2, "stride", Some(k))?,
        padding: a.usize(3, "padding", Some(0))?,
        dilation: 1,
    };
    let y = lib(f(&x, k, c), a.span)?;
    // The windows are written out for a plain signal (1-d pooling).
    if a.name.ends_with("1d") {
        notes::pool_notes(it, notes, &x, k, c, a.name.starts_with("max"), &y);
    }
    Ok(Value::T(y))
}

fn conv_out_len(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let l = a.usize(0, "length", None)?;
    let k = a.usize(1, "kernel_size", None)?;
    let c = a.conv_config(2)?;
    Ok(Value::num(Num::int(
        lib(conv::conv_out_len("conv_out_len", l, k, c), a.span)? as i64,
    )))
}

fn rnn(it: &Interp, a: &mut Args, notes: &mut Vec<Note>) -> R<Value> {
    let xs = a.tensor(0, "xs")?;
    let w_hh = a.tensor(1, "W_hh")?;
    let w_xh = a.tensor(2, "W_xh")?;
    let b = a.opt_tensor(3, "b_h")?;
    let actv = a.act(4, "act", Activation::Tanh)?;
    let h0 = a.opt_tensor(5, "h0")?;
    let h = lib(
        recurrent::rnn(&xs, &w_hh, &w_xh, b.as_ref(), actv, h0.as_ref()),
        a.span,
    )?;
    notes::rnn_notes(
        it,
        notes,
        &xs,
        &w_hh,
        &w_xh,
        b.as_ref(),
        actv,
        h0.as_ref(),
        &h,
        a.exprs(),
    );
    Ok(Value::T(h))
}

/// The arguments `lstm_seq` and `gru_seq` share.
struct Seq {
    xs: Tensor<Num>,
    w_ih: Tensor<Num>,
    w_hh: Tensor<Num>,
    b_ih: Option<Tensor<Num>>,
    b_hh: Option<Tensor<Num>>,
    /// The starting state (and c0 for an LSTM), zeros when not given.
    h0: Option<Tensor<Num>>,
}

fn seq_args(a: &mut Args) -> R<Seq> {
    Ok(Seq {
        xs: a.tensor(0, "xs")?,
        w_ih: a.tensor(1, "W_ih")?,
        w_hh: a.tensor(2, "W_hh")?,
        b_ih: a.opt_tensor(3, "b_ih")?,
        b_hh: a.opt_tensor(4, "b_hh")?,
        h0: a.opt_tensor(5, "h0")?,
    })
}

fn lstm_seq(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let s = seq_args(a)?;
    let c0 = a.opt_tensor(6, "c0")?;
    let with_state = a.flag(usize::MAX, "return_state", false)?;
    let cell = Lstm {
        w_ih: s.w_ih,
        w_hh: s.w_hh,
        b_ih: s.b_ih,
        b_hh: s.b_hh,
    };
    let state = match (s.h0, c0) {
        (None, None) => None,
        (h, c) => {
            let zero = lib(cell.zero_state(), a.span)?;
            Some(vec![
                h.unwrap_or_else(|| zero[0].clone()),
                c.unwrap_or_else(|| zero[1].clone()),
            ])
        }
    };
    sequence_result(cell.seq_state(&s.xs, state), with_state, a)
}

fn gru_seq(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let s = seq_args(a)?;
    let with_state = a.flag(usize::MAX, "return_state", false)?;
    let cell = Gru {
        w_ih: s.w_ih,
        w_hh: s.w_hh,
        b_ih: s.b_ih,
        b_hh: s.b_hh,
    };
    sequence_result(cell.seq_state(&s.xs, s.h0.map(|h| vec![h])), with_state, a)
}

/// Every hidden state; with `return_state=True` also the last state, as
/// PyTorch's `output, (h_n, c_n)` (an LSTM) or `output, h_n` (a GRU).
fn sequence_result(
    r: crate::Result<(Tensor<Num>, Vec<Tensor<Num>>)>,
    with_state: bool,
    a: &Args,
) -> R<Value> {
    let (hs, last) = lib(r, a.span)?;
    if !with_state {
        return Ok(Value::T(hs));
    }
    let state = match last.as_slice() {
        [h] => Value::T(h.clone()),
        parts => Value::tuple(parts.iter().map(|p| Value::T(p.clone())).collect()),
    };
    Ok(Value::tuple(vec![Value::T(hs), state]))
}

fn attention(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let q = a.tensor(0, "Q")?;
    let k = a.tensor(1, "K")?;
    let v = a.tensor(2, "V")?;
    let causal = a.flag(3, "causal", false)?;
    t(scaled_dot_product(&q, &k, &v, causal), a.span)
}

fn attention_of(a: &mut Args, heads: bool) -> R<Value> {
    let x = a.tensor(0, "X")?;
    let w = AttentionWeights {
        w_q: a.tensor(1, "W_q")?,
        w_k: a.tensor(2, "W_k")?,
        w_v: a.tensor(3, "W_v")?,
        b_q: a.opt_tensor(usize::MAX, "b_q")?,
        b_k: a.opt_tensor(usize::MAX, "b_k")?,
        b_v: a.opt_tensor(usize::MAX, "b_v")?,
    };
    let causal = a.flag(usize::MAX, "causal", false)?;
    if !heads {
        return t(self_attention(&x, &w, causal), a.span);
    }
    let w_o = a.tensor(4, "W_o")?;
    let heads = a.usize(5, "heads", None)?;
    let b_o = a.opt_tensor(usize::MAX, "b_o")?;
    t(
        multi_head(&x, &w, &w_o, b_o.as_ref(), heads, causal),
        a.span,
    )
}

enum Cell {
    Rnn,
    Lstm,
    Gru,
}

fn recurrent_layer(a: &mut Args, cell: Cell) -> R<Value> {
    let input = a.usize(0, "input", None)?;
    let hidden = a.usize(1, "hidden", None)?;
    let act = match cell {
        Cell::Rnn => a.act(2, "act", Activation::Tanh)?,
        _ => Activation::Tanh,
    };
    let layers = a.usize(usize::MAX, "num_layers", Some(1))?;
    let bidirectional = a.flag(usize::MAX, "bidirectional", false)?;
    let cell = match cell {
        Cell::Lstm => Kind::Lstm { input, hidden },
        Cell::Gru => Kind::Gru { input, hidden },
        Cell::Rnn => Kind::Rnn { input, hidden, act },
    };
    if layers != 1 || bidirectional {
        // PyTorch's nn.RNN / nn.LSTM / nn.GRU with num_layers, bidirectional.
        return module(
            Kind::Stacked {
                cell: Box::new(cell),
                layers,
                bidirectional,
            },
            a,
        );
    }
    module(cell, a)
}

fn conv1d_layer(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let input = a.usize(0, "input", None)?;
    let output = a.usize(1, "output", None)?;
    let kernel = a.usize(2, "kernel", None)?;
    let bias = a.flag(3, "bias", true)?;
    module(
        Kind::Conv1d {
            input,
            output,
            kernel,
            bias,
        },
        a,
    )
}

fn conv2d_layer(it: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let input = a.usize(0, "input", None)?;
    let output = a.usize(1, "output", None)?;
    let (k, ks) = a.required(2, "kernel")?;
    let kernel = super::usizes(it, &k, ks, "a kernel size is a number or (kh, kw)")?;
    let kernel = match kernel.as_slice() {
        [k] => (*k, *k),
        [h, w] => (*h, *w),
        _ => {
            return Err(LangError::new(
                ErrorKind::Value,
                "a 2-d kernel is one size or (kh, kw)",
                ks,
                None,
            ))
        }
    };
    let bias = a.flag(3, "bias", true)?;
    module(
        Kind::Conv2d {
            input,
            output,
            kernel,
            bias,
        },
        a,
    )
}

fn attention_layer(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let d_in = a.usize(0, "d_in", None)?;
    let d_k = a.usize(1, "d_k", None)?;
    let d_v = a.usize(2, "d_v", Some(d_k))?;
    let bias = a.flag(3, "bias", false)?;
    module(
        Kind::SelfAttention {
            d_in,
            d_k,
            d_v,
            bias,
        },
        a,
    )
}

fn mha_layer(_: &Interp, a: &mut Args, _: &mut Vec<Note>) -> R<Value> {
    let d_model = a.usize(0, "d_model", None)?;
    let heads = a.usize(1, "heads", None)?;
    let bias = a.flag(2, "bias", true)?;
    module(
        Kind::MultiHead {
            d_model,
            heads,
            bias,
        },
        a,
    )
}
