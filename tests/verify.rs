//! Verification over a domain: `all(rule for x in domain)` checks every
//! input, and its report (counts, the first counterexample, decision
//! boundaries) is checked against counts derived by hand.

use gradwork::explain::Note;
use gradwork::lang::{solve, Options};

/// The prose notes of the last step, and the last answer's text.
fn run(src: &str) -> (Vec<String>, String, Vec<String>) {
    let mut opts = Options::default();
    opts.limits.work = 100_000_000;
    let sol = solve(src, &opts);
    let notes = sol
        .steps
        .last()
        .map(|s| {
            s.notes
                .iter()
                .filter_map(|n| match n {
                    Note::Prose(p) => Some(p.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let answer = sol
        .answers
        .last()
        .map(|a| a.text.clone())
        .unwrap_or_default();
    let errors = sol.errors.iter().map(|e| e.message.clone()).collect();
    (notes, answer, errors)
}

const TASK1: &str = r#"
W_hh = [[1]];  W_hx = [[0, 2]];  b_h = [-1]
W = [[1]]
codes = bits("00,01,10,11")
def odd_wins(xs):
    odd = sum(xs[:, 1])
    return odd > len(xs) - odd
def classify(xs, b):
    h = rnn(xs, W_hh, W_hx, b_h, act=identity, h0=[0])
    return sigmoid(W @ h[-1] + b) >= 0.5
"#;

/// The seed's design: h⁽ᵀ⁾ = #odd − #even, s = h⁽ᵀ⁾ − 1/2 is never 0, so
/// every sequence is decided away from the boundary. Sequences of length
/// 1..5 over 4 codes: 4 + 16 + 64 + 256 + 1024 = 1364.
#[test]
fn the_seed_design_holds_on_every_sequence_and_touches_no_boundary() {
    let (notes, answer, errors) = run(&format!(
        "{TASK1}show all(classify(xs, [-0.5]) == odd_wins(xs) for xs in sequences(codes, max_len=5))"
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(answer, "True");
    assert!(notes[0].starts_with("checked 1364 inputs"), "{notes:?}");
    assert!(notes[0].ends_with("it holds for every one"), "{notes:?}");
    assert!(
        !notes.iter().any(|n| n.contains("decision boundary")),
        "{notes:?}"
    );
}

/// Without the output bias s = h⁽ᵀ⁾ is 0 exactly when #odd = #even, where
/// σ(0) = 1/2 ≥ 0.5 says "odd wins" and the rule says no. Those sequences
/// have even length L with L/2 odd positions, 2 codes each way:
/// C(2,1)·2² + C(4,2)·2⁴ = 8 + 96 = 104 of the 340 of length 1..4; the
/// first in order is 00,01 (00 alone is even-won, 01 alone odd-won). Every
/// failure, and nothing else, sits on σ's midpoint.
#[test]
fn a_design_that_is_wrong_on_ties_gets_its_shortest_counterexample() {
    let (notes, answer, errors) = run(&format!(
        "{TASK1}show all(classify(xs, [0]) == odd_wins(xs) for xs in sequences(codes, max_len=4))"
    ));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(answer, "False");
    assert!(notes[0].starts_with("checked 340 inputs"), "{notes:?}");
    assert!(notes[0].ends_with(": 104 fail"), "{notes:?}");
    assert!(
        notes[1].contains("xs = [[[0], [0]], [[0], [1]]]")
            && notes[1].contains("classify(xs, [0]) = [1] but odd_wins(xs) = [0]"),
        "{notes:?}"
    );
    assert!(
        notes[2].starts_with("104 inputs reach a decision boundary"),
        "{notes:?}"
    );
    // The working of the failing call: h = [−1, 0] (h⁽²⁾ = −1 + 2 − 1 = 0).
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("the working at xs = [[[0], [0]], [[0], [1]]]")),
        "{notes:?}"
    );
}

/// The same findings as data (what `--format json` writes).
#[test]
fn the_findings_are_data_for_json() {
    let mut opts = Options::default();
    opts.limits.work = 100_000_000;
    let sol = solve(
        &format!("{TASK1}show all(classify(xs, [0]) == odd_wins(xs) for xs in sequences(codes, max_len=4))"),
        &opts,
    );
    let v = sol.answers.last().unwrap().verification.clone().unwrap();
    assert!(!v.verified);
    assert_eq!((v.checked, v.failed, v.boundary), (340, 104, 104));
    let c = v.counterexample.unwrap();
    assert_eq!(c.input.shape(), &[2, 2, 1]);
    assert_eq!(c.text, "[[[0], [0]], [[0], [1]]]");
    assert_eq!(
        c.sides[0],
        ("classify(xs, [0])".to_string(), "[1]".to_string())
    );
    assert_eq!(c.sides[1], ("odd_wins(xs)".to_string(), "[0]".to_string()));
}

#[test]
fn check_requires_it_and_filters_and_other_domains_work() {
    // check fails like any check.
    let (_, _, errors) = run(&format!(
        "{TASK1}check all(classify(xs, [0]) == odd_wins(xs) for xs in sequences(codes, max_len=2))"
    ));
    assert!(
        errors.iter().any(|e| e.contains("does not hold")),
        "{errors:?}"
    );
    // `if` keeps only some inputs: length-3 sequences never tie.
    let (notes, answer, _) = run(&format!(
        "{TASK1}show all(classify(xs, [0]) == odd_wins(xs) for xs in sequences(codes, max_len=3, min_len=3) if len(xs) == 3)"
    ));
    assert_eq!(answer, "True");
    assert!(notes[0].starts_with("checked 64 inputs"), "{notes:?}");
    // product: pairs (a, b) with a + b ≥ a for b ≥ 0 — 3·2 combinations.
    let (notes, answer, _) =
        run("show all(p[0] + p[1] >= p[0] for p in product([1, 2, 3], [0, 5]))");
    assert_eq!(answer, "True");
    assert!(notes[0].starts_with("checked 6 inputs"), "{notes:?}");
    // grid: relu(x) = max(x, 0) on -1, -1/2, …, 1; x = 0 is relu's kink.
    let (notes, answer, _) = run("show all(relu(x) == max(x, 0) for x in grid(-1, 1, 1/2))");
    assert_eq!(answer, "True");
    assert!(notes[0].starts_with("checked 5 inputs"), "{notes:?}");
    assert!(
        notes[1].starts_with("1 input reaches a decision boundary"),
        "{notes:?}"
    );
    assert!(notes[1].contains("x = 0"), "{notes:?}");
}

#[test]
fn an_enormous_domain_ends_at_the_work_budget() {
    let sol = solve(
        "codes = bits(\"00,01,10,11\")\nshow all(len(xs) > 0 for xs in sequences(codes, max_len=40))",
        &Options::default(),
    );
    let e = &sol.errors[0];
    assert!(e.message.contains("units of work"), "{}", e.message);
    let (_, answer, _) =
        run("show len(sequences([0, 1], max_len=3)), len(grid(0, 1, 1/4, shape=[2, 2]))");
    // 2 + 4 + 8 = 14; 5 values in each of 4 places: 5⁴ = 625.
    assert_eq!(answer, "(14, 625)");
}

const SEARCH: &str = r#"
W = [[1]];  b = [-0.5]
codes = bits("00,01,10,11")
def odd_wins(xs):
    odd = sum(xs[:, 1])
    return odd > len(xs) - odd
def classify(xs):
    h = rnn(xs, W_hh, W_hx, b_h, act=identity, h0=[0])
    return sigmoid(W @ h[-1] + b) >= 0.5
"#;

/// With the output layer fixed (W = 1, b = −1/2) and W_hh = 1, h⁽ᵀ⁾ adds
/// one increment per code: b_h (00), c + b_h (01), a + b_h (10),
/// a + c + b_h (11) for W_hx = [a, c]. The rule needs the even codes to
/// add −k and the odd ones +k (a = 0, c = 2k, b_h = −k), and
/// s = k·(#odd − #even) − 1/2 ≥ 0 exactly when #odd > #even, so k ≥ 1/2
/// (at k = 1/2 a lead of one gives s = 0 and σ(0) = 1/2 ≥ 0.5). In the grid
/// (|c| ≤ 2) that is k = 1/2 (Σ|v| = 1 + 1 + 1/2) and k = 1 (Σ|v| = 4, the
/// seed's): the search finds both, simplest first, and no other design
/// survives sequences up to length 6. Each is verified again on its own.
#[test]
fn find_returns_the_simplest_design_that_holds() {
    let src = format!(
        "{SEARCH}find W_hh in grid(-2, 2, 1/2, shape=[1, 1]), W_hx in grid(-2, 2, 1/2, shape=[1, 2]), b_h in grid(-2, 2, 1/2, shape=[1]):\n    all(classify(xs) == odd_wins(xs) for xs in sequences(codes, max_len=6))\nshow W_hh, W_hx, b_h\n"
    );
    let mut opts = Options::default();
    opts.limits.work = 1_000_000_000;
    let sol = solve(&src, &opts);
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    assert_eq!(sol.answers[0].text, "([[1]], [[0, 1]], [-0.5])");
    let step = sol.steps.iter().find(|s| s.search.is_some()).unwrap();
    let f = step.search.as_ref().unwrap();
    assert_eq!((f.tried, f.solutions), (9 * 81 * 9, 2));
    assert_eq!(f.shown[1][1], ("W_hx".to_string(), "[[0, 2]]".to_string()));
    for (w_hx, b_h) in [("[[0, 1]]", "[-0.5]"), ("[[0, 2]]", "[-1]")] {
        let (_, answer, errors) = run(&format!(
            "{SEARCH}W_hh = [[1]]; W_hx = {w_hx}; b_h = {b_h}\nshow all(classify(xs) == odd_wins(xs) for xs in sequences(codes, max_len=6))"
        ));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(answer, "True");
    }
}

#[test]
fn find_says_when_nothing_holds_or_the_space_is_too_large() {
    // W_hh = 0 forgets everything but the last code: length 2 already fails.
    let (_, _, errors) = run(&format!(
        "{SEARCH}find W_hh in grid(0, 0, 1, shape=[1, 1]), W_hx in grid(-1, 1, 1, shape=[1, 2]), b_h in grid(-1, 1, 1, shape=[1]):\n    all(classify(xs) == odd_wins(xs) for xs in sequences(codes, max_len=3))\n"
    ));
    assert!(
        errors.iter().any(|e| e.contains("no design in this grid")),
        "{errors:?}"
    );
    // 81⁴ candidates: refused before any is tried, with the sizes.
    let (_, _, errors) = run(&format!(
        "{SEARCH}find W_hh in grid(-2, 2, 1/2, shape=[2, 2]), W_hx in grid(-2, 2, 1/2, shape=[2, 2]):\n    True\n"
    ));
    assert!(
        errors
            .iter()
            .any(|e| e.contains("43046721 candidates (6561 × 6561)")),
        "{errors:?}"
    );
    // `find` is still a name elsewhere.
    let (_, answer, errors) = run("find = 3\nshow find + 1");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(answer, "4");
}

/// A generator over a list is Python's: its iterable is evaluated once.
#[test]
fn a_plain_generator_is_evaluated_once() {
    let (_, answer, errors) = run(
        "calls = []\ndef f():\n    calls.append(1)\n    return [1, 2]\nok = all(x > 0 for x in f())\nshow len(calls), ok",
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(answer, "(1, True)");
}

/// A verification's findings belong to the `show` that ran it, not to the
/// next one.
#[test]
fn findings_do_not_leak_into_a_later_answer() {
    let sol = solve(
        "check all(x >= 0 for x in grid(0, 1, 1))\nshow 3",
        &Options::default(),
    );
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    assert!(sol.answers[0].verification.is_none());
}

/// Ties in metric learning are boundaries too: with centroids at 0 and 2,
/// the query 1 is equally near both (the lowest class wins); with rows 0,
/// 2, 4 and k = 1, the query 1 ties rows 0 and 2 across the first place,
/// and the query 3 ties rows 2 and 4.
#[test]
fn nearest_centroid_and_retrieval_ties_are_boundaries() {
    let (notes, _, errors) = run(
        "E = [[0], [2]]\nlabels = [0, 1]\nshow all(nearest_centroid(E, labels, q) <= 1 for q in grid(-1, 3, 1, shape=[1]))",
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        notes[1].starts_with("1 input reaches a decision boundary"),
        "{notes:?}"
    );
    assert!(notes[1].contains("q = [1]"), "{notes:?}");
    let (notes, _, errors) = run(
        "R = [[0], [2], [4]]\nshow all(len(retrieve(R, q, 1)) == 1 for q in grid(0, 4, 1, shape=[1]))",
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        notes[1].starts_with("2 inputs reach a decision boundary"),
        "{notes:?}"
    );
    assert!(notes[1].contains("q = [1]"), "{notes:?}");
}

/// `invariant`: task 1's state is h⁽⁰⁾ + Σ (2·x₂ − 1) = #odd − #even for
/// every length. The conditions, by hand: (W_hh − I) = 0, so the first
/// lines are 0; W_hx·x + b_h = 2·x₂ − 1 for every x, which is the step.
#[test]
fn an_invariant_is_proved_by_induction_or_shown_where_it_breaks() {
    let src = r#"
codes = bits("00,01,10,11")
def step(x):
    return 2 * x[1] - 1
show invariant([[1]], [[0, 2]], [-1], [0], codes, step)
"#;
    let (notes, answer, errors) = run(src);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(answer, "True");
    assert!(notes
        .iter()
        .any(|n| n == "(W_hh − I)·h⁽⁰⁾ + W_xh·x + b_h = [1] = step(x) = [1] for x = [[0], [1]]"));
    assert!(notes
        .last()
        .unwrap()
        .contains("every length (by induction)"));
    // W_hh = 2 doubles the count: (W_hh − I)·step = step ≠ 0 (after 01, 01
    // the state is 2·1 + 1 = 3, not 2).
    let (notes, answer, _) = run(&src.replace("[[1]], [[0, 2]]", "[[2]], [[0, 2]]"));
    assert_eq!(answer, "False");
    assert!(notes
        .iter()
        .any(|n| n == "(W_hh − I)·step(x) = [1] for x = [[0], [1]] ✗ (must be 0)"));
    // A wrong step: the bias is off by 1/2, each symbol's line says ≠.
    let (notes, answer, _) = run(&src.replace("[-1], [0]", "[-0.5], [0]"));
    assert_eq!(answer, "False");
    assert!(notes.iter().any(
        |n| n == "(W_hh − I)·h⁽⁰⁾ + W_xh·x + b_h = [-0.5] ≠ step(x) = [-1] for x = [[0], [0]]"
    ));
    // Two units: the first counts odd numbers, the second all of them;
    // W_hh = I, h⁽⁰⁾ = [0, 0]; step(x) = [x₂, 1].
    let (_, answer, errors) = run(r#"
codes = bits("00,01,10,11")
def step(x):
    return [x[1][0], 1]
show invariant([[1, 0], [0, 1]], [[0, 1], [0, 0]], [0, 1], [0, 0], codes, step)
"#);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(answer, "True");
}
