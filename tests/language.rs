//! The language as docs/language.md describes it: each program's last
//! `show` against a value worked out by hand in the comment beside it.

use gradwork::lang::{solve, Options};

fn last_answer(src: &str) -> String {
    let sol = solve(src, &Options::default());
    assert!(sol.errors.is_empty(), "{src}\n{:?}", sol.errors);
    sol.answers.last().expect("a show").text.clone()
}

#[test]
fn programs_give_their_hand_computed_answers() {
    let cases: &[(&str, &str)] = &[
        // exact literals and arithmetic
        ("show 1/3 + 1/6", "0.5"),
        ("show 0.1 + 0.2 == 0.3", "1"),
        ("show 2.5e-3", "0.0025"),
        ("show 7 // 2, 7 % 3", "(3, 1)"),
        ("show -7 // 2", "-4"),
        ("show 2 ** -2", "0.25"),
        ("show sqrt(16/9)", "4/3 ≈ 1.333"),
        ("show exp(0) + log(1) + tanh(0) + sigmoid(0)", "1.5"),
        ("show sigmoid(1e-30) >= 0.5", "1"),
        // statements
        ("a = b = 2; show a * b", "4"),
        ("x = 1\nx += 2\nx *= 3\nshow x", "9"),
        ("a, b = 1, 2\nshow b - a", "1"),
        ("def f(a, b=10):\n    return a + b\nshow f(1) + f(1, b=2)", "14"),
        ("def fact(n):\n    if n <= 1:\n        return 1\n    return n * fact(n - 1)\nshow fact(20)", "2432902008176640000"),
        ("s = 0\nfor i in range(1, 5):\n    s = s + 1/i\nshow s", "25/12 ≈ 2.083"),
        ("s = 0\ni = 0\nwhile i < 10:\n    i += 1\n    if i % 2 == 0:\n        continue\n    if i > 7:\n        break\n    s += i\nshow s", "16"),
        ("show 3 if 1 < 2 < 3 else 4", "3"),
        ("show not (1 > 2) and 5", "5"),
        // tensors
        ("X = [[1, 2, 3], [4, 5, 6]]\nshow X[:, :2]", "[[1, 2], [4, 5]]"),
        ("X = [[1, 2, 3], [4, 5, 6]]\nshow X[-1, ::-1]", "[6, 5, 4]"),
        ("X = [[1, 2, 3], [4, 5, 6]]\nshow X.T.shape", "(3, 2)"),
        ("X = [[1, 2, 3], [4, 5, 6]]\nshow X.sum(axis=0)", "[5, 7, 9]"),
        ("X = [[1, 2, 3], [4, 5, 6]]\nshow mean(X, axis=1, keepdims=True)", "[[2], [5]]"),
        ("X = [[1, 2, 3], [4, 5, 6]]\nshow X @ [1, 0, -1]", "[-2, -2]"),
        ("X = [[1, 2, 3], [4, 5, 6]]\nshow X.reshape(3, 2)[2]", "[5, 6]"),
        ("show argmax([3, 1, 3])", "0"),
        // Python's max(a, b) is elementwise; numpy's max(x, axis) reduces
        ("show max([1, 5], [4, 2])", "[4, 5]"),
        ("import numpy as np\nshow np.max([[1, 5], [4, 2]], 0)", "[4, 5]"),
        ("show [[1, 5], [4, 2]].max(1)", "[5, 4]"),
        ("show max([[1, 5], [4, 2]], axis=1)", "[5, 4]"),
        ("show concatenate([[1], [2, 3]])", "[1, 2, 3]"),
        ("show stack([[1, 2], [3, 4]], axis=1)", "[[1, 3], [2, 4]]"),
        ("show arange(0, 1, 1/4)", "[0, 0.25, 0.5, 0.75]"),
        ("show zeros([2]) + ones([2]) + eye(2)[0]", "[2, 1]"),
        ("show norm([3, 4])", "5"),
        ("show np.array([[1], [2]]) + [10, 20]", "[[11, 21], [12, 22]]"),
        ("show [[1], [2]] - [10, 20]", "[[-9, -19], [-8, -18]]"),
        ("E = [[1, 0], [2, 1], [3, 2]]\nshow E[[2, 0]]", "[[3, 2], [1, 0]]"),
        ("show all([1, 2] == [1, 2]) and not any([0, 0])", "True"),
        ("x = [1, 2]\nshow x[None].shape", "(1, 2)"),
        // numpy and scipy names
        ("import numpy as np\nshow np.sum(np.array([1, 2]) * 2)", "6"),
        ("import numpy as np\nshow np.linalg.norm(np.array([6, 8]))", "10"),
        ("import scipy as sp\nshow sp.special.softmax([1, 1], axis=0)", "[0.5, 0.5]"),
        ("from scipy import special\nshow special.expit(0)", "0.5"),
        ("import math\nshow math.sqrt(2) > 1.414", "1"),
        // activations and layers
        ("show relu([-1, 0, 2]) + leaky_relu([-10, 0, 0], negative_slope=0.1)", "[-1, 0, 2]"),
        ("show step([-1, 0, 1])", "[0, 1, 1]"),
        ("show linear([1, 2], [[1, 1], [0, 1]], [0, 1])", "[3, 3]"),
        ("show conv1d([1, 2, 3, 4, 5], [1, 0, -1], stride=2)", "[-2, -2]"),
        ("show conv1d([1, 2, 3], [1, 1], padding=1)", "[1, 3, 5, 3]"),
        ("show max_pool1d([[1, 3, 2, 5]], 2)", "[[3, 5]]"),
        ("show avg_pool1d([[1, 3, 2, 6]], 2)", "[[2, 4]]"),
        ("show conv_out_len(7, 3, stride=2, padding=1)", "4"),
        ("show rnn([[1], [1]], [[1]], [[1]], act=relu)", "[[1], [2]]"),
        // equal scores with d_k = 1 stay exact: weights 1/2, 1/2
        ("show attention([[1]], [[1], [1]], [[2, 0], [4, 2]])", "[[3, 1]]"),
        // with d_k = 2 both scores are 1/√2: equal multiples of one irrational,
        // so their difference is exactly 0 and the weights are exactly 1/2
        ("show attention([[1, 0]], [[1, 0], [1, 0]], [[2, 0], [4, 2]])", "[[3, 1]]"),
        ("m = linear(input=2, output=1)\nshow m.weight.shape", "(1, 2)"),
        ("show params(gru(input=2, hidden=3), convention=\"pytorch\")", "63"),
        ("show params(rnn_cell(input=2, hidden=3))", "18"),
        ("show params(attention_layer(4, 2))", "24"),
        ("show params(mha_layer(4, 2))", "80"),
        // losses: hand values
        ("show mse([1, 2], [1, 4])", "2"),
        ("show hinge([2, -0.5], [1, 1])", "0.75"),
        ("show contrastive([0, 0], [3, 4], same=False, margin=6)", "1"),
        ("show triplet([0, 0], [1, 0], [2, 0], margin=1)", "0"),
        ("show triplet([0, 0], [2, 0], [1, 0], margin=1, squared=False)", "2"),
        ("show cross_entropy([[0, 0]], [1])", "≈ 0.6931"),
        // metric learning
        ("show l1([0, 0], [1, -2]) + sqeuclidean([0, 0], [1, 2])", "8"),
        ("show cosine([1, 0], [0, 1])", "1"),
        ("show pairwise([[0, 0]], [[3, 4], [0, 1]])", "[[5, 1]]"),
        // gradients and updates
        ("w = [1, 2]\ny = sum(w ** 3)\nshow grad(y, w)", "[3, 12]"),
        ("x = 3\ny = x * x + 2 * x\nshow grad(y, x)", "8"),
        ("show sgd_step([1, 2], [10, -10], 0.1)", "[0, 3]"),
        // nearest n/d with d ≤ 4: 0.98 → 1 (|0.02|), −0.26 → −1/4 (|0.01|),
        // 1.49 → 3/2 (|0.01|), 0.3333 → 1/3 (|0.0000333|)
        ("show rationalize([0.98, -0.26, 1.49, 0.3333])", "[1, -0.25, 1.5, 1/3] ≈ [1, -0.25, 1.5, 0.3333]"),
        // rnn_cell(2, 1)'s default W_hh is ((7·3 + 3) mod 11 − 5)/10 = −0.3:
        // 0 is 0.3 away, −1/2 only 0.2
        ("show rationalize(rnn_cell(2, 1), max_den=2).W_hh", "[[-0.5]]"),
        ("show rationalize(([0.7], [[2.6]]), max_den=1)", "([1], [[3]])"),
        // optimizers for train(): PyTorch's defaults filled in
        ("show adam(lr=0.01)", "Adam(lr=0.01, betas=(0.9, 0.999), eps=0.00000001)"),
        ("show sgd(lr=0.1, momentum=0.9)", "SGD(lr=0.1, momentum=0.9)"),
    ];
    for (src, want) in cases {
        assert_eq!(&last_answer(src), want, "{src}");
    }
}

#[test]
fn a_module_runs_on_its_input() {
    // Linear(2 → 1) default weights: w = [(3 mod 11 − 5)/10, (10 mod 11 − 5)/10]
    // = [−0.2, 0.5]; bias (p = 1): ((7·3 + 3) mod 11 − 5)/10 = (2 − 5)/10 = −0.3.
    // m([1, 1]) = −0.2 + 0.5 − 0.3 = 0
    assert_eq!(
        last_answer("m = linear(input=2, output=1)\nshow m([1, 1])"),
        "[0]"
    );
}

#[test]
fn the_shared_weight_shows_both_uses() {
    let src = "w = 2\na = 3 * w\nb = w * w\nL = a + b\nshow grad(L, w)";
    let sol = solve(src, &Options::default());
    let step = sol.steps.last().unwrap();
    // ∂L/∂w = 3 (through a) + 2w = 4 (through b) = 7
    assert_eq!(step.result_text(4).as_deref(), Some("7"));
    let notes = step.note_texts(4).join("\n");
    assert!(notes.contains("= 3 + 4"), "{notes}");
}

#[test]
fn degenerate_points_are_reported() {
    let sol = solve("show relu([-1, 0, 2])", &Options::default());
    assert!(
        sol.steps[0]
            .note_texts(4)
            .iter()
            .any(|n| n.contains("the input of relu is exactly 0 at flat index [1]")),
        "{:?}",
        sol.steps[0].note_texts(4)
    );
    let sol = solve("show argmax([3, 1, 3])", &Options::default());
    assert!(sol.steps[0].note_texts(4).iter().any(
        |n| n.contains("tie: the maximum 3 occurs at flat indices [0, 2]; the first is taken")
    ));
    let sol = solve(
        "show nearest_centroid([[0, 1], [0, -1]], [0, 1], [1, 0])",
        &Options::default(),
    );
    assert!(
        sol.steps[0]
            .note_texts(4)
            .iter()
            .any(|n| n.contains("tie: class 0 is exactly as near as class(es) 1")),
        "{:?}",
        sol.steps[0].note_texts(4)
    );
    let sol = solve(
        "show retrieve([[1], [2], [0]], [1], k=2, metric=l1)",
        &Options::default(),
    );
    // distances 0, 1, 1: rows 1 and 2 are taken, row 3 ties with the last
    assert_eq!(sol.answers[0].text, "[0, 1]");
    assert!(
        sol.steps[0]
            .note_texts(4)
            .iter()
            .any(|n| n.contains("tie: row(s) 3 have the same distance")),
        "{:?}",
        sol.steps[0].note_texts(4)
    );
}

#[test]
fn a_long_chain_is_summarized() {
    // x_k = x_{k-1}·w + 1 for 300 steps at the top level: ∂x/∂w is computed
    // exactly, and the chain rule is summarized instead of written out.
    // With w = 1: x_k = x_{k-1} + 1, x_0 = 0, so ∂x_k/∂w = Σ_{j<k} x_j = k(k−1)/2.
    let src = "w = 1\nx = 0\nfor i in range(300):\n    x = x * w + 1\nshow grad(x, w)";
    let sol = solve(src, &Options::default());
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    assert_eq!(sol.answers[0].text, "44850");
    let notes = &sol.steps.last().unwrap().note_texts(4);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("only the result is written out")),
        "{notes:?}"
    );
}
