//! The bulk verification path (floats with certified margins, prefix
//! sharing) against the exact one: every verification below is run both
//! ways, and everything the reader sees — the verdict, the counts, the
//! boundary count, the first counterexample with both sides, the working,
//! the errors — must be the same. The exact path (`Options::bulk = false`)
//! is the reference: one exact interpreted call per input.

use gradwork::lang::interp::Verification;
use gradwork::lang::{solve, Options};
use proptest::prelude::*;

/// Everything printed for the last statement, its verification, errors.
fn run(src: &str, bulk: bool) -> (Vec<String>, Option<Verification>, Vec<String>) {
    let mut opts = Options::default();
    opts.limits.work = 200_000_000;
    opts.bulk = bulk;
    let sol = solve(src, &opts);
    let lines = sol
        .steps
        .iter()
        .flat_map(|s| s.notes.iter().map(|n| format!("{n:?}")))
        .chain(sol.answers.iter().map(|a| a.text.clone()))
        .collect();
    let v = sol.answers.last().and_then(|a| a.verification.clone());
    let errors = sol.errors.iter().map(|e| format!("{e:?}")).collect();
    (lines, v, errors)
}

/// Runs `src` both ways, asserts they agree, and returns the inputs the
/// bulk path decided in floats and the verification.
fn agree(src: &str) -> (u128, Verification) {
    let (exact_lines, exact, exact_errors) = run(src, false);
    let (bulk_lines, bulk, bulk_errors) = run(src, true);
    assert_eq!(exact_errors, bulk_errors, "{src}");
    assert_eq!(exact_lines, bulk_lines, "{src}");
    let (e, b) = (
        exact.expect("a verification"),
        bulk.expect("a verification"),
    );
    assert_eq!(e.in_bulk, 0);
    assert_eq!(
        (e.verified, e.checked, e.failed, e.boundary),
        (b.verified, b.checked, b.failed, b.boundary),
        "{src}"
    );
    assert_eq!(
        e.counterexample.as_ref().map(|c| (&c.text, &c.sides)),
        b.counterexample.as_ref().map(|c| (&c.text, &c.sides)),
        "{src}"
    );
    (b.in_bulk, b)
}

const TASK1: &str = r#"
codes = bits("00,01,10,11")
def odd_wins(xs):
    odd = sum(xs[:, 1])
    return odd > len(xs) - odd
def classify(xs, W_hh, W_hx, b_h, b):
    h = rnn(xs, W_hh, W_hx, b_h, act=identity, h0=[0])
    return sigmoid([[1]] @ h[-1] + b) >= 0.5
"#;

#[test]
fn the_seed_design_is_decided_in_bulk_and_agrees() {
    // 4 + 16 + … + 4⁶ = 5460 sequences; h = #odd − #even, s = h − 1/2 is
    // never 0: every input is decided in floats except the first of each
    // length, which is also run exactly as a check.
    let (floats, v) = agree(&format!(
        "{TASK1}show all(classify(xs, [[1]], [[0, 2]], [-1], [-0.5]) == odd_wins(xs) for xs in sequences(codes, max_len=6))"
    ));
    assert_eq!(v.checked, 5460);
    assert!(v.verified);
    assert_eq!(floats, 5460 - 6);
}

#[test]
fn a_fragile_design_has_its_boundaries_decided_exactly() {
    // W_hx = [0, 1], b_h = −1/2: h = #odd − T/2, s = h − 1/2 is exactly 0
    // whenever #odd = (T + 1)/2, a boundary (σ(0) = 1/2 counts as odd
    // wins): those inputs are deferred to the exact path, the rest are not.
    let (floats, v) = agree(&format!(
        "{TASK1}show all(classify(xs, [[1]], [[0, 1]], [-0.5], [-0.5]) == odd_wins(xs) for xs in sequences(codes, max_len=5))"
    ));
    assert!(v.boundary > 0);
    assert!(floats > 0 && floats < v.checked);
}

#[test]
fn a_wrong_design_gets_the_same_counterexample() {
    // b = 0: s = h is 0 on ties, where the model says 1 but the rule 0.
    let (_, v) = agree(&format!(
        "{TASK1}show all(classify(xs, [[1]], [[0, 2]], [-1], [0]) == odd_wins(xs) for xs in sequences(codes, max_len=6))"
    ));
    assert!(!v.verified);
    assert_eq!(v.counterexample.unwrap().text, "[[[0], [0]], [[0], [1]]]");
    // And a wrong design off the boundary: b = −1.5 fails on h = 1.
    let (_, v) = agree(&format!(
        "{TASK1}show all(classify(xs, [[1]], [[0, 2]], [-1], [-1.5]) == odd_wins(xs) for xs in sequences(codes, max_len=6))"
    ));
    assert!(!v.verified && v.boundary == 0);
}

#[test]
fn values_that_are_not_dyadic_are_certified_or_deferred() {
    // 0.1, 0.3, 0.7 are not floats: every value carries an error bound;
    // h can be exactly 0.1 (h = 0.1 after one step from x = 00), where
    // floats cannot decide `h > 0.1` and the exact path does.
    let src = r#"
codes = bits("00,01,10,11")
def m(xs):
    h = rnn(xs, [[0.3]], [[0.7, -0.2]], [0.1], act=identity, h0=[0])
    return h[-1][0] > 0.1
def r(xs):
    return sum(xs[:, 0]) >= sum(xs[:, 1])
show all(m(xs) == r(xs) for xs in sequences(codes, max_len=5))
"#;
    let (floats, v) = agree(src);
    assert!(floats > 0 && floats < v.checked);
    // tanh and a sigmoid against another threshold.
    let src = r#"
codes = bits("00,01,10,11")
def m(xs):
    h = rnn(xs, [[0.5, -0.25], [1/3, 0.5]], [[1, -1], [0.5, 2]], [0.1, -0.2], act=tanh)
    return (sigmoid(h[-1][0] - h[-1][1]) > 0.6) or (h[-1][1] >= 0.25)
show all(m(xs) == (sum(xs[:, 1]) > 0) for xs in sequences(codes, max_len=4))
"#;
    agree(src);
}

#[test]
fn relu_at_zero_is_a_boundary_even_where_the_value_is_not_used() {
    // Task 5's network: the flag is relu(balance); a balance of exactly 0
    // is a boundary, and so is a zero in a unit the rule never reads.
    let src = r#"
W_hh = [[1, 0, 0], [0, 1, 0], [1, -1, 0]]
W_xh = [[1, 0], [0, 1], [1, -1]]
amounts = [0, 2500, 5000]
def flag_ok(xs, b):
    h = rnn(xs, W_hh, W_xh, b, act=relu, h0=[10000, 5000, 765])
    balance = 5000 + sum(xs[:, 0]) - sum(xs[:, 1])
    return (h[-1, 2] > 0) == (balance >= 0)
show all(flag_ok(xs, [0, 0, 0]) for xs in sequences(product(amounts, amounts), max_len=3))
"#;
    let (_, v) = agree(src);
    assert!(!v.verified && v.boundary > 0);
    agree(&src.replace("[0, 0, 0]) for", "[0, 0, 1]) for"));
    // relu computed and dropped: the exact engine still meets its kink.
    agree(
        r#"
codes = bits("00,01,10,11")
def f(xs):
    unused = relu(xs[-1] - 1)
    return len(xs) > 0
show all(f(xs) for xs in sequences(codes, max_len=3))
"#,
    );
}

#[test]
fn filters_booleans_divisions_and_sums_agree() {
    let base = "codes = bits(\"00,01,10,11\")\n";
    for rule in [
        "all(sum(xs[:, 1]) / len(xs) <= 1 for xs in sequences(codes, max_len=4))",
        "all(sum(xs[:, 1]) / 3 != 1 for xs in sequences(codes, max_len=4))",
        // bits() items are columns [2, 1]: sum(xs[:, 1]) has shape [1].
        "all((sum(xs[:, 1]) > 0)[0] or not (len(xs) > 2) for xs in sequences(codes, max_len=4))",
        "all((sum(xs[:, 0]) > 0)[0] and (np.sum(xs) < 5) for xs in sequences(codes, max_len=4) if sum(xs[:, 1]) > 1)",
        "all(np.sum(xs[:, :, 0] @ [[1], [1]]) <= 2 * len(xs) for xs in sequences(codes, max_len=4))",
        "all(xs.sum() == np.sum(xs, axis=0).sum() for xs in sequences(codes, max_len=3))",
        "all(abs(xs[0][0] - xs[-1][1]) < 1 for xs in sequences(codes, max_len=3))",
        "all(-xs[0, 0] + 2 * xs[-1, 1] >= -1 for xs in sequences(codes, max_len=3))",
    ] {
        let (floats, _) = agree(&format!("{base}show {rule}\n"));
        assert!(floats > 0, "{rule}");
    }
}

#[test]
fn domains_of_tensors_are_one_table() {
    for rule in [
        "all(abs(w[0] - w[1]) != 1/3 for w in grid(-1, 1, 1/3, shape=[2]))",
        "all(relu(w @ [1, -1]) >= 0 for w in grid(-1, 1, 1/2, shape=[2]))",
        "all(p[0] + p[1] <= 3 for p in product([0, 1, 2], [0, 1, 1/2]))",
    ] {
        let (floats, _) = agree(&format!("show {rule}\n"));
        assert!(floats > 0, "{rule}");
    }
}

#[test]
fn what_the_bulk_path_does_not_follow_runs_exactly() {
    // A loop that returns early (task 5's filter) is not compiled: every
    // input runs exactly, with the same report.
    let src = r#"
amounts = [0, 2500, 5000]
def within(xs):
    balance = 5000
    for x in xs:
        balance = balance + x[0] - x[1]
        if balance < -5000:
            return False
    return True
show all(sum(xs[:, 0]) >= 0 for xs in sequences(product(amounts, amounts), max_len=2) if within(xs))
"#;
    let (floats, v) = agree(src);
    assert_eq!(floats, 0);
    assert_eq!(v.checked, 9 + 81);
    // Lists keep Python's meaning: `+` joins them.
    agree(
        "codes = bits(\"0,1\")\nshow all(len([1] + [2]) == 2 for xs in sequences(codes, max_len=3))\n",
    );
    // An index out of range at some length is the exact path's error, at
    // the same place.
    let src = "codes = bits(\"0,1\")\nshow all(xs[2] >= 0 for xs in sequences(codes, max_len=3))\n";
    let (a, _, e1) = run(src, false);
    let (b, _, e2) = run(src, true);
    assert_eq!((a, e1.len()), (b, e2.len()));
    assert_eq!(e1, e2);
}

#[test]
fn find_prunes_with_the_bulk_path() {
    let src = format!(
        "{TASK1}find W_hx in grid(-2, 2, 1/2, shape=[1, 2]), b_h in grid(-2, 2, 1/2, shape=[1]):\n    all(classify(xs, [[1]], W_hx, b_h, [-0.5]) == odd_wins(xs) for xs in sequences(codes, max_len=4))\nshow W_hx\n"
    );
    let (exact, _, e1) = run(&src, false);
    let (bulk, _, e2) = run(&src, true);
    assert_eq!(e1, e2);
    assert_eq!(exact, bulk);
}

/// A weight drawn from values that are floats and values that are not.
fn weight() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "0", "1", "-1", "0.5", "-0.5", "2", "0.1", "-0.3", "1/3", "-2/3", "0.25",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Random small recurrent designs, every activation, thresholds on and
    /// off the values the network reaches: both paths say the same.
    #[test]
    fn random_designs_agree(
        w in prop::collection::vec(weight(), 9),
        act in prop::sample::select(vec!["identity", "relu", "tanh", "sigmoid"]),
        t in weight(),
    ) {
        let src = format!(
            r#"
codes = bits("00,01,10,11")
def m(xs):
    h = rnn(xs, [[{}, {}], [{}, {}]], [[{}, {}], [1, 0]], [{}, {}], act={act})
    return h[-1][0] - {} * h[-1][1] >= {t}
show all(m(xs) == (sum(xs[:, 1]) >= sum(xs[:, 0])) for xs in sequences(codes, max_len=4))
"#,
            w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]
        );
        agree(&src);
    }
}
