//! gradwork against PyTorch: outputs and gradients for the same weights and
//! inputs. The fixtures come from `tools/torch_fixtures.py` (committed JSON;
//! PyTorch is not needed to run this test). Each case is run on both the f64
//! path and the exact path.

use std::collections::HashMap;

use gradwork::nn::attention::{multi_head, AttentionWeights};
use gradwork::nn::conv::{self, ConvConfig};
use gradwork::nn::loss;
use gradwork::nn::params::{Convention, Kind, Module};
use gradwork::nn::recurrent::{Gru, Lstm, Recurrent, RnnCell};
use gradwork::nn::{act::Activation, lit};
use gradwork::{backward, Element, Idx, Num, Result, Tensor};
use ndarray::{ArrayD, IxDyn};
use serde_json::Value;

fn fixtures() -> Value {
    serde_json::from_str(include_str!("fixtures/torch.json")).unwrap()
}

/// A nested JSON list as a flat vector and a shape.
fn flat(v: &Value, out: &mut Vec<f64>, shape: &mut Vec<usize>, depth: usize) {
    match v {
        Value::Array(a) => {
            if shape.len() == depth {
                shape.push(a.len());
            }
            for x in a {
                flat(x, out, shape, depth + 1);
            }
        }
        x => out.push(x.as_f64().unwrap()),
    }
}

fn array(v: &Value) -> ArrayD<f64> {
    let (mut out, mut shape) = (Vec::new(), Vec::new());
    flat(v, &mut out, &mut shape, 0);
    ArrayD::from_shape_vec(IxDyn(&shape), out).unwrap()
}

fn tensor<T: Element>(v: &Value) -> Tensor<T> {
    Tensor::new(array(v).mapv(|x| T::from_num(&Num::from_f64_exact(x).unwrap()).unwrap()))
}

fn cfg(c: &Value) -> ConvConfig {
    let g = |k: &str| c.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
    ConvConfig {
        stride: g("stride").max(1),
        padding: g("padding"),
        dilation: g("dilation").max(1),
    }
}

/// Runs one case: its output, and the gradients PyTorch recorded.
type Grads<T> = HashMap<String, Tensor<T>>;

fn run<T: Element>(c: &Value) -> Result<(Tensor<T>, Grads<T>)> {
    let inputs: HashMap<String, Tensor<T>> = c["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), tensor::<T>(v)))
        .collect();
    let i = |k: &str| inputs[k].clone();
    let margin = || -> Result<Tensor<T>> { lit(&c["margin"].as_f64().unwrap_or(1.0).to_string()) };
    let kind = c["kind"].as_str().unwrap();
    let mut extra: Vec<(String, Tensor<T>)> = Vec::new();
    let out = match kind {
        "conv1d" => conv::conv1d(&i("x"), &i("w"), Some(&i("b")), cfg(c))?,
        "conv2d" => conv::conv2d(&i("x"), &i("w"), Some(&i("b")), cfg(c))?,
        "max_pool1d" | "avg_pool1d" | "max_pool2d" | "avg_pool2d" => {
            let k = c["k"].as_u64().unwrap() as usize;
            let f = match kind {
                "max_pool1d" => conv::max_pool1d,
                "avg_pool1d" => conv::avg_pool1d,
                "max_pool2d" => conv::max_pool2d,
                _ => conv::avg_pool2d,
            };
            f(&i("x"), k, cfg(c))?
        }
        "rnn" => RnnCell {
            w_hh: i("W_hh"),
            w_xh: i("W_ih"),
            b_h: Some(i("b_ih")),
            b_hh: Some(i("b_hh")),
            act: Activation::Tanh,
        }
        .seq(&i("xs"), None)?,
        "lstm" => Lstm {
            w_ih: i("W_ih"),
            w_hh: i("W_hh"),
            b_ih: Some(i("b_ih")),
            b_hh: Some(i("b_hh")),
        }
        .seq(&i("xs"), None)?,
        "gru" => Gru {
            w_ih: i("W_ih"),
            w_hh: i("W_hh"),
            b_ih: Some(i("b_ih")),
            b_hh: Some(i("b_hh")),
        }
        .seq(&i("xs"), None)?,
        "mha" => {
            // PyTorch computes x @ Wᵀ with W the rows of in_proj_weight.
            let (ipw, ipb) = (i("in_proj_weight"), i("in_proj_bias"));
            let e = ipw.shape()[1] as i64;
            let rows =
                |t: &Tensor<T>, k: i64| t.slice(&[Idx::range(Some(k * e), Some((k + 1) * e))]);
            let w = AttentionWeights {
                w_q: rows(&ipw, 0)?.t()?,
                w_k: rows(&ipw, 1)?.t()?,
                w_v: rows(&ipw, 2)?.t()?,
                b_q: Some(rows(&ipb, 0)?),
                b_k: Some(rows(&ipb, 1)?),
                b_v: Some(rows(&ipb, 2)?),
            };
            let heads = c["heads"].as_u64().unwrap() as usize;
            let causal = c["causal"].as_bool().unwrap();
            let wo = i("out_proj_weight");
            let out = multi_head(
                &i("x"),
                &w,
                &wo.t()?,
                Some(&i("out_proj_bias")),
                heads,
                causal,
            )?;
            extra.push(("in_proj_weight".into(), ipw));
            out
        }
        "mse" => loss::mse(&i("a"), &i("b"))?,
        "bce" => loss::bce(&i("a"), &i("b"))?,
        "bce_with_logits" => loss::bce_with_logits(&i("a"), &i("b"))?,
        "cross_entropy" => loss::cross_entropy(&i("a"), &i("b"))?,
        "hinge" => loss::hinge(&i("a"), &i("b"))?,
        "contrastive_pos" => loss::contrastive(&i("a"), &i("b"), true, &margin()?)?,
        "contrastive_neg" => loss::contrastive(&i("a"), &i("b"), false, &margin()?)?,
        "triplet" => loss::triplet(&i("a"), &i("p"), &i("n"), &margin()?, false)?,
        "triplet_sq" => loss::triplet(&i("a"), &i("p"), &i("n"), &margin()?, true)?,
        "cosine_embedding" => loss::cosine_embedding(&i("a"), &i("b"), &i("y"), &margin()?)?,
        k => panic!("unknown fixture kind {k}"),
    };
    // loss = output for scalars, Σ output² / 2 otherwise (as the script).
    let l = if out.ndim() == 0 {
        out.clone()
    } else {
        out.powi(2)?
            .sum_all()?
            .div(&Tensor::scalar(T::from_i64(2)))?
    };
    let names: Vec<String> = c["grads"].as_object().unwrap().keys().cloned().collect();
    let targets: Vec<Tensor<T>> = names
        .iter()
        .map(|n| {
            extra
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, t)| t.clone())
                .unwrap_or_else(|| inputs[n].clone())
        })
        .collect();
    let refs: Vec<&Tensor<T>> = targets.iter().collect();
    let g = backward(&l, &refs)?;
    let grads = names
        .into_iter()
        .zip(targets.iter().map(|t| g.wrt(t)))
        .collect();
    Ok((out, grads))
}

fn assert_close<T: Element>(what: &str, got: &Tensor<T>, want: &Value) {
    let want = array(want);
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (g, w) in got.value().iter().zip(want.iter()) {
        let g = g.to_f64();
        assert!(
            (g - w).abs() <= 1e-9 * (1.0 + w.abs()),
            "{what}: gradwork {g} vs PyTorch {w}"
        );
    }
}

fn check_all<T: Element>(path: &str) {
    let f = fixtures();
    let cases = f["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for c in cases {
        let name = format!("{} [{path}]", c["name"].as_str().unwrap());
        let (out, grads) = run::<T>(c).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_close(&format!("{name} output"), &out, &c["output"]);
        for (k, g) in &grads {
            assert_close(&format!("{name} ∂/∂{k}"), g, &c["grads"][k]);
        }
    }
}

#[test]
fn blocks_match_pytorch_in_f64() {
    check_all::<f64>("f64");
}

#[test]
fn blocks_match_pytorch_on_the_exact_path() {
    check_all::<Num>("exact");
}

#[test]
fn parameter_counts_match_pytorch() {
    let f = fixtures();
    let counts = &f["counts"];
    let pt = |k: Kind| {
        Module::<Num>::new(k)
            .unwrap()
            .count(Convention::PyTorch)
            .unwrap()
            .total as u64
    };
    let want = |k: &str| counts[k].as_u64().unwrap();
    assert_eq!(
        pt(Kind::Rnn {
            input: 2,
            hidden: 3,
            act: Activation::Tanh
        }),
        want("rnn(2,3)")
    );
    assert_eq!(
        pt(Kind::Lstm {
            input: 2,
            hidden: 3
        }),
        want("lstm(2,3)")
    );
    assert_eq!(
        pt(Kind::Gru {
            input: 2,
            hidden: 3
        }),
        want("gru(2,3)")
    );
    assert_eq!(
        pt(Kind::Linear {
            input: 4,
            output: 3,
            bias: true
        }),
        want("linear(4,3)")
    );
    assert_eq!(
        pt(Kind::Linear {
            input: 4,
            output: 3,
            bias: false
        }),
        want("linear(4,3,bias=False)")
    );
    assert_eq!(
        pt(Kind::Conv1d {
            input: 2,
            output: 3,
            kernel: 3,
            bias: true
        }),
        want("conv1d(2,3,3)")
    );
    assert_eq!(
        pt(Kind::MultiHead {
            d_model: 4,
            heads: 2,
            bias: true
        }),
        want("mha(4,2)")
    );
    assert_eq!(
        pt(Kind::MultiHead {
            d_model: 4,
            heads: 2,
            bias: false
        }),
        want("mha(4,2,bias=False)")
    );
}

/// The same cases through `Module`, loaded by PyTorch's parameter names.
#[test]
fn modules_load_pytorch_state_dicts() {
    let f = fixtures();
    for c in f["cases"].as_array().unwrap() {
        let kind = match c["kind"].as_str().unwrap() {
            "rnn" => Kind::Rnn {
                input: 2,
                hidden: 3,
                act: Activation::Tanh,
            },
            "lstm" => Kind::Lstm {
                input: 2,
                hidden: 3,
            },
            "gru" => Kind::Gru {
                input: 2,
                hidden: 3,
            },
            "mha" if c["causal"] == false => Kind::MultiHead {
                d_model: 4,
                heads: 2,
                bias: true,
            },
            _ => continue,
        };
        let mut m = Module::<f64>::new(kind).unwrap();
        let inputs = c["inputs"].as_object().unwrap();
        let pt_names: &[(&str, &str)] = if inputs.contains_key("xs") {
            &[
                ("W_ih", "weight_ih_l0"),
                ("W_hh", "weight_hh_l0"),
                ("b_ih", "bias_ih_l0"),
                ("b_hh", "bias_hh_l0"),
            ]
        } else {
            &[
                ("in_proj_weight", "in_proj_weight"),
                ("in_proj_bias", "in_proj_bias"),
                ("out_proj_weight", "out_proj.weight"),
                ("out_proj_bias", "out_proj.bias"),
            ]
        };
        for (ours, theirs) in pt_names {
            m.load_pytorch(theirs, tensor::<f64>(&inputs[*ours]))
                .unwrap();
        }
        let x = tensor::<f64>(inputs.get("xs").or(inputs.get("x")).unwrap());
        let out = m.forward(&x).unwrap();
        assert_close(&format!("{} via Module", c["name"]), &out, &c["output"]);
    }
    let mut m = Module::<f64>::new(Kind::Lstm {
        input: 2,
        hidden: 3,
    })
    .unwrap();
    assert!(m
        .load_pytorch("weight", Tensor::zeros(&[2]).unwrap())
        .is_err());
    assert!(
        m.load_pytorch("weight_ih_l0", Tensor::zeros(&[2, 2]).unwrap())
            .is_err(),
        "wrong shape"
    );
}
