//! Building blocks on the seed's numbers, typed errors, and finite-difference
//! gradient checks of every block.

use gradwork::metric::{self, Metric};
use gradwork::nn::act::{self, Activation};
use gradwork::nn::attention::{scaled_dot_product, self_attention, AttentionWeights};
use gradwork::nn::conv::{self, ConvConfig};
use gradwork::nn::optim::{Adam, Sgd};
use gradwork::nn::params::{Convention, Kind, Module, ParamTable};
use gradwork::nn::recurrent::rnn;
use gradwork::nn::{linear, lit, loss};
use gradwork::{grad, Error, Idx, Num, Result, Tensor};

fn t(s: &str) -> Tensor<Num> {
    Tensor::parse(s).unwrap()
}

#[test]
fn seed_task1_odd_even_rnn() {
    // h(t) = 1·h(t−1) + [0 2]·x(t) − 1 on 00, 10, 11:
    // h1 = 0 + 0 − 1 = −1; h2 = −1 + 0 − 1 = −2 (x = [1, 0] is even: 2·0);
    // h3 = −2 + 2 − 1 = −1 (x = [1, 1]); s = h3 − 0.5 = −3/2; σ(−3/2) < 1/2.
    let xs = t("[[[0], [0]], [[1], [0]], [[1], [1]]]");
    let h = rnn(
        &xs,
        &t("[[1]]"),
        &t("[[0, 2]]"),
        Some(&t("[-1]")),
        Activation::Identity,
        Some(&t("[0]")),
    )
    .unwrap();
    assert_eq!(h.to_string(), "[[-1], [-2], [-1]]");
    let s = linear(
        &h.slice(&[Idx::At(-1)]).unwrap(),
        &t("[[1]]"),
        Some(&t("[-0.5]")),
    )
    .unwrap();
    assert_eq!(s.to_string(), "[-1.5]");
    let p = s.sigmoid().unwrap();
    assert_eq!(p.to_string(), "[≈ 0.1824]");
    assert_eq!(act::decide(&p).unwrap().to_string(), "[0]");
    let table = ParamTable::of_shapes(
        Convention::Textbook,
        &[
            ("W_hh".into(), vec![1, 1]),
            ("W_hx".into(), vec![1, 2]),
            ("b_h".into(), vec![1]),
            ("W".into(), vec![1, 1]),
            ("b".into(), vec![1]),
        ],
    );
    assert_eq!(table.total, 6);
}

#[test]
fn seed_task2_with_the_conv1d_layer() {
    let w = t("[1/3, 1/3, 1/3]");
    let b = t("-0.1");
    let f1 = conv::conv1d(
        &t("[1.0, 1.0, 1.3, 1.0, 1.0, 1.3]"),
        &w,
        Some(&b),
        ConvConfig::default(),
    )
    .unwrap();
    let f2 = conv::conv1d(
        &t("[3.3, 3.3, 2.7, 3.3, 3.3, 2.7]"),
        &w,
        Some(&b),
        ConvConfig::default(),
    )
    .unwrap();
    let l = loss::contrastive(&f1, &f2, true, &lit("1").unwrap()).unwrap();
    assert_eq!(l.to_string(), "16");
    // derivation in tests/core.rs: [33.2, 33.2, 29.6] and 0
    let g = grad(&l, &[&w, &b]).unwrap();
    assert_eq!(g[0].to_string(), "[33.2, 33.2, 29.6]");
    assert_eq!(g[1].to_string(), "0");
    // a negative pair at margin 5: max(0, 5 − ‖f1 − f2‖)² = (5 − 4)² = 1
    assert_eq!(
        loss::contrastive(&f1, &f2, false, &lit("5").unwrap())
            .unwrap()
            .to_string(),
        "1"
    );
}

#[test]
fn seed_task3_self_attention_selects_slices() {
    let wq = t("[[1, 0], [0, 1], [0, 0], [0, 0]]");
    let wv = t("[[0, 0], [0, 0], [1, 0], [0, 1]]");
    let x = t("[[1, 0, 2, 3], [0, 1, -1, 1], [1, 1, 0, 0]]");
    let w = AttentionWeights {
        w_q: wq.clone(),
        w_k: wq.clone(),
        w_v: wv.clone(),
        b_q: None,
        b_k: None,
        b_v: None,
    };
    let got = self_attention(&x, &w, false).unwrap();
    let qk = x.slice(&[Idx::all(), Idx::range(None, Some(2))]).unwrap();
    let v = x.slice(&[Idx::all(), Idx::range(Some(2), None)]).unwrap();
    let want = scaled_dot_product(&qk, &qk, &v, false).unwrap();
    for (a, b) in got.value().iter().zip(want.value().iter()) {
        let (a, b) = (a.interval().unwrap(), b.interval().unwrap());
        assert!(a.0 <= b.1 && b.0 <= a.1, "enclosures overlap");
    }
    let m = Module::<Num>::new(Kind::SelfAttention {
        d_in: 4,
        d_k: 2,
        d_v: 2,
        bias: false,
    })
    .unwrap();
    assert_eq!(m.count(Convention::Textbook).unwrap().total, 24);
    let m = Module::<Num>::new(Kind::SelfAttention {
        d_in: 4,
        d_k: 2,
        d_v: 2,
        bias: true,
    })
    .unwrap();
    assert_eq!(m.count(Convention::Textbook).unwrap().total, 30);
}

fn seed_e() -> Tensor<Num> {
    t("[[-1, 4, 0], [-1, 2, 0], [3, -3, 1], [1, -1, 1], [1, 4, 2], [4, 1, 2], [1, 1, 2]]")
}

#[test]
fn seed_task4_centroids_retrieval_and_triplet() {
    let e = seed_e();
    let emb = e.slice(&[Idx::all(), Idx::range(None, Some(2))]).unwrap();
    let lab = e.slice(&[Idx::all(), Idx::At(2)]).unwrap();
    // centroids: class 0 ((−1,4)+(−1,2))/2 = (−1, 3); class 1 ((3,−3)+(1,−1))/2 = (2, −2);
    // class 2 ((1,4)+(4,1)+(1,1))/3 = (2, 2)
    let nc = metric::nearest_centroid(&emb, &lab, &t("[0, 2]"), Metric::L2).unwrap();
    assert_eq!(nc.centroids.to_string(), "[[-1, 3], [2, -2], [2, 2]]");
    // squared distances from z = (0, 2): 1+1 = 2, 4+16 = 20, 4+0 = 4 → class 0
    assert_eq!(nc.winner, 0);
    assert!(nc.tied.is_empty());
    assert_eq!(nc.distances.value()[1].to_string(), "≈ 4.472");
    assert_eq!(nc.distances.value()[2].to_string(), "2");
    // L1 from q = (1, 0): rows 1..7 → 6, 4, 5, 1, 4, 4, 1; top 5 by distance,
    // ties to the lower row: 4, 7, 2, 5, 6 (1-based); 6th is row 3 at 5: no tie.
    let r = metric::retrieve(&emb, &t("[1, 0]"), 5, Metric::L1).unwrap();
    assert_eq!(r.indices, vec![3, 6, 1, 4, 5]);
    assert!(r.tied_out.is_empty());
    let two = Num::int(2);
    assert_eq!(
        metric::precision(&r.indices, &lab, &two)
            .unwrap()
            .to_string(),
        "0.6"
    );
    assert_eq!(
        metric::recall(&r.indices, &lab, &two).unwrap().to_string(),
        "1"
    );
    // AP over the list: relevant at ranks 2, 4, 5 → (1/2 + 2/4 + 3/5)/3 = 8/15
    assert_eq!(
        metric::average_precision(&r.indices, &lab, &two)
            .unwrap()
            .fraction_string()
            .unwrap(),
        "8/15"
    );
    // R = 3: the first three are rows 4, 7, 2 → one relevant → 1/3
    assert_eq!(
        metric::r_precision(&r.indices, &lab, &two)
            .unwrap()
            .fraction_string()
            .unwrap(),
        "1/3"
    );
    // with k = 4 the 4th distance (4) ties with rows 6 and... row 6 (index 5) left out
    let r4 = metric::retrieve(&emb, &t("[1, 0]"), 4, Metric::L1).unwrap();
    assert_eq!(r4.tied_out, vec![5]);
    // triplet on rows: a = (1,1), p = (4,1), n = (1,-1): 9 − 4 + 1 = 6
    let row = |i| emb.slice(&[Idx::At(i)]).unwrap();
    assert_eq!(
        loss::triplet(&row(6), &row(5), &row(3), &lit("1").unwrap(), true)
            .unwrap()
            .to_string(),
        "6"
    );
}

#[test]
fn seed_task5_bank_account_and_lstm_count() {
    // h = relu(W_hh h + W_xh x + b): h1 = total available, h2 = overdraft,
    // h3 = relu(h1 − h2) is positive while the balance is.
    let w_hh = t("[[1, 0, 0], [0, 1, 0], [1, -1, 0]]");
    let w_xh = t("[[1, -1], [0, 0], [1, -1]]");
    let b = t("[0, 0, 0]");
    let xs = t("[[1000, 0], [1000, 3500], [0, 4000]]");
    let h = rnn(
        &xs,
        &w_hh,
        &w_xh,
        Some(&b),
        Activation::Relu,
        Some(&t("[10000, 5000, 765]")),
    )
    .unwrap();
    // h1 = [11000, 5000, 10000 − 5000 + 1000] = [11000, 5000, 6000]
    // h2 = [11000 − 2500, 5000, 11000 − 5000 − 2500] = [8500, 5000, 3500]
    // h3 = [8500 − 4000, 5000, relu(8500 − 5000 − 4000)] = [4500, 5000, 0]
    assert_eq!(
        h.to_string(),
        "[[11000, 5000, 6000], [8500, 5000, 3500], [4500, 5000, 0]]"
    );
    let lstm = Module::<Num>::new(Kind::Lstm {
        input: 2,
        hidden: 3,
    })
    .unwrap();
    assert_eq!(lstm.count(Convention::Textbook).unwrap().total, 72);
    assert_eq!(lstm.count(Convention::PyTorch).unwrap().total, 84);
    let rnn_m = Module::<Num>::new(Kind::Rnn {
        input: 2,
        hidden: 3,
        act: Activation::Tanh,
    })
    .unwrap();
    assert_eq!(rnn_m.count(Convention::Textbook).unwrap().total, 18);
    assert_eq!(rnn_m.count(Convention::PyTorch).unwrap().total, 21);
}

#[test]
fn activations() {
    let x = t("[-2, 0, 3]");
    assert_eq!(
        act::leaky_relu(&x, &lit("0.01").unwrap())
            .unwrap()
            .to_string(),
        "[-0.02, 0, 3]"
    );
    // softmax of equal logits is exactly uniform; huge logits do not overflow
    assert_eq!(
        act::softmax(&t("[5, 5]"), -1).unwrap().to_string(),
        "[0.5, 0.5]"
    );
    let big = Tensor::<f64>::parse("[1000, 1000, 999]").unwrap();
    let s = act::softmax(&big, 0).unwrap();
    assert!(s.value().iter().all(|v| v.is_finite()));
    let ls = act::log_softmax(&big, 0).unwrap();
    assert!(ls.value().iter().all(|v| v.is_finite()));
    assert_eq!(
        act::step(&x, &lit("0").unwrap()).unwrap().to_string(),
        "[0, 1, 1]"
    );
}

#[test]
fn optimizers_take_one_step() {
    // SGD, lr 0.1, momentum 0.9: step 1 v = g = [1, −2] → p = [0.9, 2.2];
    // step 2 v = 0.9·[1, −2] + [1, −2] = [1.9, −3.8] → p = [0.71, 2.58]
    let mut sgd = Sgd::new(Num::parse("0.1").unwrap(), Num::parse("0.9").unwrap());
    let p = t("[1, 2]");
    let g = t("[1, -2]");
    let p1 = sgd.step(&[p], std::slice::from_ref(&g)).unwrap();
    assert_eq!(p1[0].to_string(), "[0.9, 2.2]");
    let p2 = sgd.step(&p1, &[g]).unwrap();
    assert_eq!(p2[0].to_string(), "[0.71, 2.58]");
    // Adam's first step moves every weight by about lr·sign(g) (m̂ = g, v̂ = g²)
    let mut adam = Adam::new(0.1f64, 0.9, 0.999, 1e-8);
    let p = Tensor::<f64>::parse("[1, 2]").unwrap();
    let out = adam
        .step(&[p], &[Tensor::<f64>::parse("[3, -0.5]").unwrap()])
        .unwrap();
    let v: Vec<f64> = out[0].value().iter().cloned().collect();
    assert!(
        (v[0] - 0.9).abs() < 1e-6 && (v[1] - 2.1).abs() < 1e-6,
        "{v:?}"
    );
}

#[test]
fn bad_input_is_a_typed_error() {
    let e = conv::conv1d(&t("[1, 2]"), &t("[1, 1, 1]"), None, ConvConfig::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("kernel spans 3 positions but the input has only 2"),
        "{e}"
    );
    let emb = seed_e()
        .slice(&[Idx::all(), Idx::range(None, Some(2))])
        .unwrap();
    let lab = seed_e().slice(&[Idx::all(), Idx::At(2)]).unwrap();
    let e = metric::retrieve(&emb, &t("[1, 0]"), 8, Metric::L1)
        .err()
        .unwrap();
    assert!(
        e.to_string().contains("k = 8 but there are 7 examples"),
        "{e}"
    );
    let e = metric::precision(&[0, 1], &lab, &Num::int(9)).unwrap_err();
    assert!(
        e.to_string()
            .contains("no example has the relevant class 9"),
        "{e}"
    );
    let e = metric::centroids(&t("[]").reshape(&[0, 2]).unwrap(), &t("[]"))
        .err()
        .unwrap();
    assert!(e.to_string().contains("no embeddings"), "{e}");
    assert!(matches!(
        metric::retrieve(&emb, &t("[1, 0, 0]"), 2, Metric::L1),
        Err(Error::ShapeMismatch { .. })
    ));
    let e = loss::cross_entropy(&t("[[1, 2]]"), &t("[5]")).unwrap_err();
    assert!(e.to_string().contains("class index 5"), "{e}");
    assert!(matches!(
        loss::mse(&t("[1, 2]"), &t("[1]")),
        Err(Error::ShapeMismatch { .. })
    ));
    let e = conv::max_pool1d(
        &t("[1, 2, 3]"),
        2,
        ConvConfig {
            stride: 1,
            padding: 1,
            dilation: 1,
        },
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("padding is not supported for max pooling"),
        "{e}"
    );
    assert!(Module::<Num>::new(Kind::MultiHead {
        d_model: 5,
        heads: 2,
        bias: true
    })
    .is_err());
}

/// Central differences against reverse mode for every block, in f64.
#[test]
fn blocks_pass_a_finite_difference_check() {
    type F = fn(&[Tensor<f64>]) -> Result<Tensor<f64>>;
    let cases: Vec<(&str, Vec<Vec<usize>>, F)> = vec![
        ("conv1d", vec![vec![2, 7], vec![3, 2, 3], vec![3]], |x| {
            conv::conv1d(
                &x[0],
                &x[1],
                Some(&x[2]),
                ConvConfig {
                    stride: 2,
                    padding: 1,
                    dilation: 1,
                },
            )
        }),
        ("conv2d", vec![vec![2, 4, 4], vec![2, 2, 2, 2]], |x| {
            conv::conv2d(
                &x[0],
                &x[1],
                None,
                ConvConfig {
                    stride: 1,
                    padding: 1,
                    dilation: 1,
                },
            )
        }),
        ("avg_pool2d", vec![vec![1, 4, 4]], |x| {
            conv::avg_pool2d(
                &x[0],
                2,
                ConvConfig {
                    stride: 2,
                    padding: 0,
                    dilation: 1,
                },
            )
        }),
        ("max_pool1d", vec![vec![1, 6]], |x| {
            conv::max_pool1d(
                &x[0],
                3,
                ConvConfig {
                    stride: 1,
                    padding: 0,
                    dilation: 1,
                },
            )
        }),
        ("softmax", vec![vec![2, 3]], |x| act::softmax(&x[0], 1)),
        ("log_softmax", vec![vec![2, 3]], |x| {
            act::log_softmax(&x[0], 0)
        }),
        ("leaky_relu", vec![vec![5]], |x| {
            act::leaky_relu(&x[0], &lit("0.1")?)
        }),
        ("linear", vec![vec![2, 3], vec![4, 3], vec![4]], |x| {
            linear(&x[0], &x[1], Some(&x[2]))
        }),
        (
            "rnn tanh",
            vec![vec![3, 2], vec![2, 2], vec![2, 2], vec![2]],
            |x| rnn(&x[0], &x[1], &x[2], Some(&x[3]), Activation::Tanh, None),
        ),
        ("lstm", vec![vec![3, 2], vec![8, 2], vec![8, 2]], |x| {
            use gradwork::nn::recurrent::{Lstm, Recurrent};
            Lstm {
                w_ih: x[1].clone(),
                w_hh: x[2].clone(),
                b_ih: None,
                b_hh: None,
            }
            .seq(&x[0], None)
        }),
        ("gru", vec![vec![3, 2], vec![6, 2], vec![6, 2]], |x| {
            use gradwork::nn::recurrent::{Gru, Recurrent};
            Gru {
                w_ih: x[1].clone(),
                w_hh: x[2].clone(),
                b_ih: None,
                b_hh: None,
            }
            .seq(&x[0], None)
        }),
        (
            "causal attention",
            vec![vec![3, 2], vec![3, 2], vec![3, 2]],
            |x| scaled_dot_product(&x[0], &x[1], &x[2], true),
        ),
        ("mse", vec![vec![4], vec![4]], |x| loss::mse(&x[0], &x[1])),
        ("bce", vec![vec![4], vec![4]], |x| {
            loss::bce(&x[0].sigmoid()?, &x[1].sigmoid()?)
        }),
        ("bce_with_logits", vec![vec![4], vec![4]], |x| {
            loss::bce_with_logits(&x[0], &x[1])
        }),
        ("cross_entropy", vec![vec![2, 3], vec![2, 3]], |x| {
            loss::cross_entropy(&x[0], &act::softmax(&x[1], 1)?)
        }),
        ("hinge", vec![vec![4], vec![4]], |x| {
            loss::hinge(&x[0], &x[1])
        }),
        ("contrastive neg", vec![vec![3], vec![3]], |x| {
            loss::contrastive(&x[0], &x[1], false, &lit("9")?)
        }),
        ("triplet", vec![vec![2, 3], vec![2, 3], vec![2, 3]], |x| {
            loss::triplet(&x[0], &x[1], &x[2], &lit("9")?, false)
        }),
        ("cosine_embedding", vec![vec![2, 3], vec![2, 3]], |x| {
            loss::cosine_embedding(&x[0], &x[1], &Tensor::parse("[1, -1]")?, &lit("-2")?)
        }),
        ("pairwise l2", vec![vec![2, 3], vec![3, 3]], |x| {
            metric::pairwise(&x[0], &x[1], Metric::L2)
        }),
    ];
    // Deterministic irregular values in (−1, 1), never at a kink.
    let mut seed = 7u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) * 1.8 - 0.9 + 0.013
    };
    for (name, shapes, f) in cases {
        let xs: Vec<Tensor<f64>> = shapes
            .iter()
            .map(|s| {
                Tensor::from_vec((0..s.iter().product()).map(|_| next()).collect(), s).unwrap()
            })
            .collect();
        let scalar = |xs: &[Tensor<f64>]| -> Tensor<f64> {
            let y = f(xs).unwrap();
            // Σ y·r with r = 1, 2, 3, … so every output matters
            let r: Vec<f64> = (0..y.len()).map(|i| 1.0 + i as f64).collect();
            y.mul(&Tensor::from_vec(r, y.shape()).unwrap())
                .unwrap()
                .sum_all()
                .unwrap()
        };
        let refs: Vec<&Tensor<f64>> = xs.iter().collect();
        let an = grad(&scalar(&xs), &refs).unwrap();
        for (i, a) in an.iter().enumerate() {
            for j in 0..xs[i].len() {
                let bump = |h: f64| {
                    let mut ys = xs.clone();
                    let mut v = ys[i].value().clone();
                    v.as_slice_mut().unwrap()[j] += h;
                    ys[i] = Tensor::new(v);
                    scalar(&ys).item().unwrap()
                };
                let num = (bump(1e-6) - bump(-1e-6)) / 2e-6;
                let an = a.value().as_slice().unwrap()[j];
                assert!(
                    (num - an).abs() <= 1e-5 * (1.0 + an.abs()),
                    "{name}: input {i}[{j}] analytic {an} vs numeric {num}"
                );
            }
        }
    }
}

#[test]
fn stacked_and_bidirectional_recurrent_counts_follow_pytorch() {
    // PyTorch's counts, by its formula per layer and direction:
    // gates·H·(I_k + H) + 2·gates·H, with I_0 = I and I_k = H·dirs after.
    //   LSTM(2, 3, num_layers=2): (12·2 + 12·3 + 24) + (12·3 + 12·3 + 24) = 84 + 96 = 180
    //   LSTM(2, 3, bidirectional=True): 2·84 = 168
    //   GRU(2, 3, num_layers=2, bidirectional=True): 2·63 + 2·(9·6 + 27 + 18) = 126 + 198 = 324
    //   RNN(2, 3, num_layers=2): (6 + 9 + 6) + (9 + 9 + 6) = 45
    // The textbook count drops b_hh: LSTM(2, 3, num_layers=2) is 180 − 2·12 = 156.
    // (tools/torch_fixtures.py computes the same four with PyTorch.)
    use gradwork::lang::{solve, Options};
    let src = "show params(lstm(2, 3, num_layers=2), convention=\"pytorch\")\n\
               show params(lstm(2, 3, bidirectional=True), convention=\"pytorch\")\n\
               show params(gru(2, 3, num_layers=2, bidirectional=True), convention=\"pytorch\")\n\
               show params(rnn_cell(2, 3, num_layers=2), convention=\"pytorch\")\n\
               show params(lstm(2, 3, num_layers=2))";
    let sol = solve(src, &Options::default());
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    let got: Vec<&str> = sol.answers.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(got, ["180", "168", "324", "45", "156"]);
    // The second layer of a bidirectional GRU reads both directions: W_ih_l1 is [9, 6].
    let sol = solve(
        "m = gru(2, 3, num_layers=2, bidirectional=True)\nshow m.W_ih_l1_reverse.shape\nshow m",
        &Options::default(),
    );
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    assert_eq!(sol.answers[0].text, "(9, 6)");
    assert_eq!(
        sol.answers[1].text,
        "GRU(2, 3, num_layers=2, bidirectional=True)"
    );
}

#[test]
fn sequences_return_their_last_state_on_request() {
    // A GRU/LSTM over one step from zeros: the last state is the only state.
    // With W_ih = 0, W_hh = 0 and no biases, an LSTM's gates are σ(0) = 1/2
    // and g = tanh(0) = 0, so c1 = 1/2·0 + 1/2·0 = 0 and h1 = 1/2·tanh(0) = 0.
    use gradwork::lang::{solve, Options};
    let src = "xs = [[1]]\nH, (h, c) = lstm_seq(xs, zeros([4, 1]), zeros([4, 1]), return_state=True)\n\
               show H\nshow h\nshow c\nG, g = gru_seq([[1], [2]], zeros([3, 1]), zeros([3, 1]), return_state=True)\n\
               show g == G[-1]";
    let sol = solve(src, &Options::default());
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    let got: Vec<&str> = sol.answers.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(got, ["[[0]]", "[0]", "[0]", "[1]"]);
}

#[test]
fn conv2d_layers_count_and_run() {
    // nn.Conv2d(1, 2, 3): 2·1·3·3 + 2 = 20; nn.Conv2d(3, 8, (3, 5), bias=False):
    // 8·3·3·5 = 360. A 4×4 input and a 3×3 kernel give 2×2 per channel.
    use gradwork::lang::{solve, Options};
    let src = "m = conv2d_layer(1, 2, 3)\nshow params(m)\nshow m\nn = conv2d_layer(3, 8, (3, 5), bias=False)\n\
               show params(n)\nshow m(zeros([1, 4, 4])).shape\nshow m.weight.shape";
    let sol = solve(src, &Options::default());
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    let got: Vec<&str> = sol.answers.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        got,
        [
            "20",
            "Conv2d(1, 2, kernel_size=(3, 3), bias=True)",
            "360",
            "(2, 2, 2)",
            "(2, 1, 3, 3)"
        ]
    );
}

/// Parameter counts come from a layer's sizes, without making its weights
/// (issue 9): what `Kind::params` and `Kind::title` say must be what the
/// built layer has, name by name and shape by shape, for every kind.
#[test]
fn counting_from_sizes_agrees_with_the_built_layer() {
    let act = Activation::Tanh;
    let mut kinds = Vec::new();
    for (i, h) in [(1, 1), (2, 3), (3, 2)] {
        kinds.push(Kind::Linear {
            input: i,
            output: h,
            bias: true,
        });
        kinds.push(Kind::Linear {
            input: i,
            output: h,
            bias: false,
        });
        kinds.push(Kind::Conv1d {
            input: i,
            output: h,
            kernel: 2,
            bias: true,
        });
        kinds.push(Kind::Conv2d {
            input: i,
            output: h,
            kernel: (2, 3),
            bias: false,
        });
        kinds.push(Kind::Rnn {
            input: i,
            hidden: h,
            act,
        });
        kinds.push(Kind::Lstm {
            input: i,
            hidden: h,
        });
        kinds.push(Kind::Gru {
            input: i,
            hidden: h,
        });
        kinds.push(Kind::SelfAttention {
            d_in: i,
            d_k: h,
            d_v: i + h,
            bias: true,
        });
        kinds.push(Kind::MultiHead {
            d_model: 2 * h,
            heads: 2,
            bias: i > 1,
        });
        for cell in [
            Kind::Rnn {
                input: i,
                hidden: h,
                act,
            },
            Kind::Lstm {
                input: i,
                hidden: h,
            },
            Kind::Gru {
                input: i,
                hidden: h,
            },
        ] {
            for (layers, bidirectional) in [(1, true), (2, false), (3, true)] {
                kinds.push(Kind::Stacked {
                    cell: Box::new(cell.clone()),
                    layers,
                    bidirectional,
                });
            }
        }
    }
    for kind in kinds {
        let from_sizes = Module::<Num>::lazy(kind.clone()).unwrap();
        let built = Module::<Num>::new(kind.clone()).unwrap();
        let params = built.params().unwrap();
        let want: Vec<(String, Vec<usize>, bool)> = params
            .iter()
            .map(|p| (p.name.to_string(), p.value.shape().to_vec(), p.second_bias))
            .collect();
        let got: Vec<(String, Vec<usize>, bool)> = kind
            .params()
            .into_iter()
            .map(|p| (p.name, p.shape, p.second_bias))
            .collect();
        assert_eq!(got, want, "{kind:?}");
        // The title of the layer not yet made is the built one's.
        assert_eq!(from_sizes.title(), built.title(), "{kind:?}");
        for c in [Convention::Textbook, Convention::PyTorch] {
            assert_eq!(from_sizes.count(c).unwrap(), built.count(c).unwrap());
        }
    }
    // 40 billion parameters counted without one weight made.
    let big = Module::<Num>::lazy(Kind::Lstm {
        input: 2,
        hidden: 100_000,
    })
    .unwrap();
    // 4·10⁵·2 + 4·10⁵·10⁵ + 4·10⁵ (textbook: one bias per gate).
    assert_eq!(
        big.count(Convention::Textbook).unwrap().total,
        800_000 + 40_000_000_000 + 400_000
    );
}

/// ∂/∂s of bce_with_logits is (σ(s) − y)/n everywhere, a logit of exactly 0
/// included: d/ds [log(1 + e^s) − s·y] = σ(s) − y, and σ(0) = 1/2 exactly.
/// (Built from max(s, 0) and |s| with their derivatives 0 at 0, the
/// gradient came out as −y/n there: found by the fuzzer's self-check.)
#[test]
fn bce_with_logits_has_the_right_gradient_at_a_zero_logit() {
    let s = t("[0, 0, 2]");
    let y = t("[1, 1/4, 0]");
    let l = loss::bce_with_logits(&s, &y).unwrap();
    let g = grad(&l, &[&s]).unwrap();
    let v: Vec<Num> = g[0].value().iter().cloned().collect();
    // (1/2 − 1)/3 = −1/6 and (1/2 − 1/4)/3 = 1/12, exactly.
    assert_eq!(v[0].fraction_string().as_deref(), Some("-1/6"));
    assert_eq!(v[1].fraction_string().as_deref(), Some("1/12"));
    // σ(2)/3 ≈ 0.2937: an enclosure of it.
    let (lo, hi) = v[2].interval().unwrap();
    let want = 1.0 / (1.0 + (-2.0f64).exp()) / 3.0;
    assert!(lo <= want + 1e-12 && want - 1e-12 <= hi, "{lo} {hi}");
}
