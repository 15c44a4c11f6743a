//! `train(…)` and `rationalize(…)` in the language: the f32 training step
//! checked against the exact engine's own gradient, and task 1's rule
//! learned and then checked on every training sequence.

use gradwork::lang::{solve, Options};

/// Runs a program whose `check`s are the test; returns its text answers.
fn run(src: &str) -> Vec<String> {
    let mut opts = Options::default();
    opts.limits.work = 100_000_000;
    let sol = solve(src, &opts);
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    sol.answers.iter().map(|a| a.text.clone()).collect()
}

/// One full-batch SGD epoch is one step w − lr·∂L/∂w: the exact engine's
/// gradient of the same loss (written out with `rnn`, `@` and
/// `bce_with_logits`) gives it independently. The third sequence is
/// shorter: the masking of padded steps is checked too.
#[test]
fn one_sgd_epoch_is_one_exact_gradient_step() {
    run(r#"
cell = rnn_cell(1, 1, act=identity)
head = linear(input=1, output=1)
W_ih = cell.W_ih
W_hh = cell.W_hh
b_ih = cell.b_ih
b_hh = cell.b_hh
W = head.weight
b = head.bias
xs = [[[1], [2]], [[-1], [0.5]], [[3]]]
ys = [1, 0, 1]
def logit(seq):
    h = rnn(seq, W_hh, W_ih, b_ih + b_hh, act=identity, h0=[0])
    return W @ h[-1] + b
s = stack([logit(q) for q in xs])[:, 0]
L = bce_with_logits(s, ys)
cell2, head2 = train((cell, head), xs, ys, optimizer=sgd(lr=0.5), epochs=1, batch=3)
check abs(cell2.W_hh - (W_hh - 0.5 * grad(L, W_hh))) < 1e-5
check abs(cell2.W_ih - (W_ih - 0.5 * grad(L, W_ih))) < 1e-5
check abs(cell2.b_ih - (b_ih - 0.5 * grad(L, b_ih))) < 1e-5
check abs(cell2.b_hh - (b_hh - 0.5 * grad(L, b_hh))) < 1e-5
check abs(head2.weight - (W - 0.5 * grad(L, W))) < 1e-5
check abs(head2.bias - (b - 0.5 * grad(L, b))) < 1e-5
check cell2.W_hh != W_hh
"#);
}

/// Adam's first step is w − lr·g/(|g| + ε) (after one step the bias
/// corrections make m̂ = g and √v̂ = |g|): about lr against the gradient's
/// sign, less where |g| is not far above ε = 1e-8, nothing where g = 0.
/// The gradient is the exact engine's, through `lstm_seq`.
#[test]
fn one_adam_step_is_lr_times_g_over_abs_g_plus_eps() {
    run(r#"
cell = lstm(2, 2)
head = linear(input=2, output=1)
W_ih = cell.W_ih
W_hh = cell.W_hh
W = head.weight
xs = [[[1, 0], [0, 1]], [[0, 0], [1, 1]]]
ys = [1, 0]
def logit(seq):
    h = lstm_seq(seq, W_ih, W_hh, cell.b_ih, cell.b_hh)
    return W @ h[-1] + head.bias
L = bce_with_logits(stack([logit(q) for q in xs])[:, 0], ys)
cell2, head2 = train([cell, head], xs, ys, optimizer=adam(lr=0.01), epochs=1, batch=2)
g = grad(L, W_hh)
check all(abs(cell2.W_hh - (W_hh - 0.01 * g / (abs(g) + 1e-8))) < 1e-6)
g = grad(L, W_ih)
check all(abs(cell2.W_ih - (W_ih - 0.01 * g / (abs(g) + 1e-8))) < 1e-6)
g = grad(L, W)
check all(abs(head2.weight - (W - 0.01 * g / (abs(g) + 1e-8))) < 1e-6)
"#);
}

/// Task 1 learned, made exact, and proved on every input: an identity-cell
/// RNN with one hidden unit trained on every sequence of length 1..4
/// classifies all of them right (checked with the learned weights on the
/// exact engine); rationalize snaps the weights to halves (exact, no ≈);
/// and the exact model is verified on every sequence of length 1..6, two
/// lengths beyond what it was trained on.
#[test]
fn task1_rule_is_learned_rationalized_and_verified() {
    let answers = run(r#"
def data(max_len):
    xs = []
    ys = []
    for n in range(1, max_len + 1):
        for k in range(4 ** n):
            codes = [(k // 4 ** i) % 4 for i in range(n)]
            odd = sum(c % 2 for c in codes)
            xs.append([[c // 2, c % 2] for c in codes])
            ys.append(1 if odd > n - odd else 0)
    return xs, ys
xs, ys = data(4)
model = (rnn_cell(2, 1, act=identity), linear(input=1, output=1))
cell, head = train(model, xs, ys, optimizer=adam(lr=0.05), epochs=60, batch=64, seed=0)
def classify(seq):
    h = rnn(seq, cell.W_hh, cell.W_ih, cell.b_ih + cell.b_hh, act=identity, h0=[0])
    return (head.weight @ h[-1] + head.bias)[0] > 0
check all([classify(xs[i]) == ys[i] for i in range(len(xs))])
cell, head = rationalize((cell, head), max_den=2)
show cell.W_hh
codes = bits("00,01,10,11")
def odd_wins(seq):
    odd = sum(seq[:, 1])
    return (odd > len(seq) - odd)[0]
show all(classify(seq) == odd_wins(seq) for seq in sequences(codes, max_len=6))
"#);
    // Exact now: a fraction, no ≈.
    assert!(!answers[0].contains('≈'), "{}", answers[0]);
    assert_eq!(answers[1], "True");
}

#[test]
fn bad_training_inputs_are_errors_at_their_place() {
    for (src, want) in [
        (
            "train((linear(input=1, output=1), linear(input=1, output=1)), [[[1]]], [1])",
            "not a recurrent layer",
        ),
        (
            "train((rnn_cell(1, 2), linear(input=1, output=1)), [[[1]]], [1])",
            "linear(input=2, output=1)",
        ),
        (
            "train((rnn_cell(1, 1), linear(input=1, output=1)), [[[1]]], [2])",
            "0/1 classes",
        ),
        (
            "train((rnn_cell(1, 1), linear(input=1, output=1)), [[[1]]], [1, 0])",
            "1 sequences but 2 targets",
        ),
        (
            "train((rnn_cell(2, 1), linear(input=1, output=1)), [[[1]]], [1])",
            "features",
        ),
        (
            "train((rnn_cell(1, 1), linear(input=1, output=1)), [[[1]]], [1], loss=\"mse\")",
            "no loss",
        ),
        (
            "train((rnn_cell(1, 1),), [[[1]]], [1])",
            "(recurrent layer, linear head)",
        ),
        (
            "train((rnn_cell(1, 1), linear(input=1, output=1)), [[[1]]], [1], optimizer=3)",
            "must be an optimizer",
        ),
    ] {
        let sol = solve(src, &Options::default());
        let e = sol
            .errors
            .first()
            .unwrap_or_else(|| panic!("no error for {src}"));
        assert!(e.message.contains(want), "{src}: {}", e.message);
        assert!(e.span.end > e.span.start, "{src}: no place");
    }
}
