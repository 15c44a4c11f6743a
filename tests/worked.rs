//! The working, not only the answers: the reproducers of false worked lines
//! print true ones, every exercise in the repository passes the self-check,
//! and the self-check rejects a false chain.

use std::path::Path;

use gradwork::explain::math::{check_chain, Math, Op};
use gradwork::explain::Note;
use gradwork::lang::report::{self, Style};
use gradwork::lang::value::Fmt;
use gradwork::lang::{solve, ErrorKind, Options};
use gradwork::Num;

fn text_of(src: &str) -> String {
    let sol = solve(src, &Options::default());
    let internal: Vec<_> = sol
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Internal)
        .collect();
    assert!(internal.is_empty(), "{internal:?}");
    report::text(
        "t.gw",
        &sol,
        gradwork::lang::interp::Detail::Full,
        4,
        Style { color: false },
    )
}

fn file(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// The lines of `out`, trimmed, for matching whole lines.
fn lines(out: &str) -> Vec<&str> {
    out.lines().map(str::trim).collect()
}

#[test]
fn a_self_update_shows_the_values_from_before() {
    // x = [1, 2]; x·10 + 1 = [11, 21]
    let out = text_of(&file("exercises/regressions/self_update.gw"));
    let l = lines(&out);
    assert!(l.contains(&"= [1, 2]·10 + 1"), "{out}");
    assert!(l.contains(&"= [11, 21]"), "{out}");
    assert!(!out.contains("[11, 21]·10"), "{out}");
}

#[test]
fn augmented_assignments_keep_their_operator() {
    // 5 + 2 = 7, 7 − 1 = 6, 6·3 = 18, 18/4 = 4.5
    let out = text_of(&file("exercises/regressions/augmented.gw"));
    let l = lines(&out);
    for want in [
        "s = s + 2",
        "= 5 + 2",
        "= 7",
        "s = s − 1",
        "= 7 − 1",
        "s = s·3",
        "= 6·3",
        "= 18",
        "s = s / 4",
        "= 18 / 4",
        "= 4.5",
    ] {
        assert!(l.contains(&want), "missing {want:?} in\n{out}");
    }
    assert!(!out.contains("s = 2 = 7"), "{out}");
    // `show s` prints the value once
    assert!(l.contains(&"s = 4.5   ◀ answer"), "{out}");
    assert_eq!(out.matches("4.5   ◀ answer").count(), 1, "{out}");
}

#[test]
fn the_chain_rule_below_the_output_has_its_upstream() {
    // L = 5b, b = a², a = 3x, x = 2: ∂L/∂b = 5, ∂L/∂a = 5·2a = 5·2·6 = 60,
    // ∂L/∂x = 60·3 = 180.
    for name in ["deep_chain", "alias"] {
        let out = text_of(&file(&format!("exercises/regressions/{name}.gw")));
        let l = lines(&out);
        assert!(l.contains(&"∂L/∂b = 5"), "{out}");
        assert!(l.contains(&"∂L/∂a = ∂L/∂b·2a = 5·2·6 = 60"), "{out}");
        assert!(l.contains(&"∂L/∂x = ∂L/∂a·3 = 60·3 = 180"), "{out}");
        assert!(!out.contains("= 0 ="), "{out}");
    }
}

#[test]
fn a_weight_used_twice_prints_both_uses() {
    // h1 = W h0 = 0.5, h2 = W h1 = 0.25, L = h2: ∂L/∂h2 = 1, ∂L/∂h1 = Wᵀ·1 = 0.5,
    // ∂L/∂W = ∂L/∂h2·h1ᵀ + ∂L/∂h1·h0ᵀ = 0.5 + 0.5 = 1.
    let out = text_of(&file("exercises/regressions/shared_weight.gw"));
    let want =
        "∂L/∂W = ∂L/∂h2·h1ᵀ + ∂L/∂h1·h0ᵀ = [1]·[0.5]ᵀ + [0.5]·[1]ᵀ = [[0.5]] + [[0.5]] = [[1]]";
    assert!(lines(&out).contains(&want), "{out}");
}

#[test]
fn backprop_through_time_reads_as_a_teacher_writes_it() {
    let out = text_of(&file("exercises/regressions/bptt.gw"));
    let l = lines(&out);
    assert!(
        l.iter().any(|x| x.starts_with("δ2 = ∂E/∂h2 ⊙ (1 − h2²)")),
        "{out}"
    );
    assert!(
        l.iter().any(|x| x.starts_with("δ1 = ∂E/∂h1 ⊙ (1 − h1²)")),
        "{out}"
    );
    assert!(l.contains(&"∂E/∂W_hh = δ2·h1ᵀ + δ1·h0ᵀ"), "{out}");
    assert!(
        l.iter().any(|x| x.starts_with("∂E/∂h1 = W_hhᵀ·δ2")),
        "{out}"
    );
}

#[test]
fn the_triplet_loss_shows_both_squared_distances() {
    // a = [1, 1], p = [4, 1], n = [1, -1]: d(a,p)² = 9, d(a,n)² = 4, max(9 − 4 + 1, 0) = 6
    let out = text_of(&file("exercises/seed/task4.gw"));
    assert!(lines(&out).contains(&"= max(9 − 4 + 1, 0)"), "{out}");
    // d(z, μ₁) for z = [0, 2], μ₁ = [2, −2]: √(4 + 16) = √20
    assert!(out.contains("d_l2(z, μ_1) = √20 ≈ 4.472"), "{out}");
}

#[test]
fn relu_backward_shows_its_mask() {
    // W1 x + b1 = [0.5·1 − 0.5·(−2), 1·1 + 0.25·(−2) − 0.5] = [1.5, 0]: unit 2 is inactive
    let out = text_of(&file("exercises/examples/mlp_backprop.gw"));
    assert!(out.contains("⊙ [1, 0]"), "{out}");
}

#[test]
fn pooling_and_convolution_show_their_windows() {
    // max over [1, 3] = 3, [3, 2] = 3, [2, 2] = 2 (a tie); conv windows of [1, 2, 3, 4] with [1, 1]
    let out = text_of("x = [1, 3, 2, 2]\ny = max_pool1d(x, 2, 1)\nf = conv1d(x, [1, 1])");
    let l = lines(&out);
    assert!(l.contains(&"y[0] = max([1, 3]) = 3"), "{out}");
    assert!(
        out.contains("window 2: x[2..3], the maximum is x[2] (a tie with x[3]"),
        "{out}"
    );
    assert!(l.contains(&"f[2] = 2·1 + 2·1 = 4"), "{out}");
}

#[test]
fn average_precision_shows_each_rank() {
    // relevant at ranks 1 and 3 of [0, 1, 2] (labels 2, 0, 2), 2 relevant: (1/1 + 2/3)/2 = 5/6
    let out = text_of("show average_precision([0, 1, 2], [2, 0, 2], 2)");
    assert!(out.contains("P@3 = 2 / 3"), "{out}");
    assert!(out.contains("(1 / 1 + 2 / 3) / 2 = 5/6"), "{out}");
}

#[test]
fn parts_and_prose_are_kept() {
    let src = "## (a) First\n#' Why this works.\n#' A second line.\nshow x = 1\n## (b) Second\nshow y = 2";
    let sol = solve(src, &Options::default());
    assert_eq!(sol.answers[0].part.as_deref(), Some("(a) First"));
    assert_eq!(sol.answers[1].part.as_deref(), Some("(b) Second"));
    let out = text_of(src);
    assert!(out.contains("Why this works.\nA second line."), "{out}");
}

#[test]
fn every_exercise_passes_the_self_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("exercises");
    let mut n = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "gw") {
                let src = std::fs::read_to_string(&p).unwrap();
                let sol = solve(&src, &Options::default());
                assert!(sol.ok(), "{}: {:?}", p.display(), sol.errors);
                n += 1;
            }
        }
    }
    assert!(n >= 13, "only {n} exercises found");
}

#[test]
fn the_self_check_rejects_a_false_chain() {
    let fmt = Fmt { digits: 4 };
    let two = Math::int(2);
    let sum = Math::bin(Op::Add, two.clone(), two.clone());
    // 2 + 2 = 4 holds; 2 + 2 = 5 does not.
    assert_eq!(check_chain(&[&sum, &Math::int(4)], &fmt), None);
    assert!(check_chain(&[&sum, &Math::int(5)], &fmt).is_some());
    // σ(0) = 1/2 exactly, against an interval: ≈ 0.5 overlaps, 0.6 does not.
    let s = Math::call("sigmoid", vec![Math::int(0)]);
    let half = Math::num(Num::ratio(1, 2).unwrap());
    assert_eq!(check_chain(&[&s, &half], &fmt), None);
    assert!(check_chain(&[&s, &Math::num(Num::parse("0.6").unwrap())], &fmt).is_some());
    // A name with its value is checked too: a = 3 makes 2a = 6, not 7.
    let a = Math::Sym(
        "a".into(),
        Some(std::rc::Rc::new(ndarray::arr0(Num::int(3)).into_dyn())),
    );
    let twice = Math::bin(Op::Mul, two, a);
    assert!(check_chain(&[&twice, &Math::int(7)], &fmt).is_some());
    // The note constructor keeps a chain's distinct members only.
    let Note::Chain { members, .. } = Note::chain(vec![Math::int(1), Math::int(1)]) else {
        unreachable!()
    };
    assert_eq!(members.len(), 1);
}

#[test]
fn backprop_through_the_rnn_builtin_names_its_states() {
    // h⁽¹⁾ = tanh(1) = 0.76159, h⁽²⁾ = tanh(0.5·h⁽¹⁾ − 1) = −0.55057,
    // h⁽³⁾ = tanh(0.5·h⁽²⁾) = −0.26854; L = h⁽³⁾.
    // δ⁽³⁾ = 1 − h⁽³⁾² = 0.92789, δ⁽²⁾ = 0.5·δ⁽³⁾·(1 − h⁽²⁾²) = 0.32330,
    // ∂L/∂W_hh = δ⁽³⁾·h⁽²⁾ + δ⁽²⁾·h⁽¹⁾ + δ⁽¹⁾·0 = −0.51087 + 0.24623 = −0.26464
    let out = text_of(&file("exercises/regressions/through_builtins.gw"));
    let l = lines(&out);
    assert!(
        l.iter().any(|x| x.starts_with("∂L/∂h⁽²⁾ = W_hhᵀ·δ⁽³⁾")),
        "{out}"
    );
    assert!(
        l.iter()
            .any(|x| x.starts_with("δ⁽³⁾ = ∂L/∂h⁽³⁾·(1 − h⁽³⁾²)")),
        "{out}"
    );
    assert!(
        l.contains(&"∂L/∂W_hh = δ⁽³⁾·h⁽²⁾ᵀ + δ⁽²⁾·h⁽¹⁾ᵀ + δ⁽¹⁾·[0]ᵀ"),
        "{out}"
    );
    assert!(l.contains(&"= [[≈-0.5109]] + [[≈0.2462]] + [[0]]"), "{out}");
    assert!(l.contains(&"≈ [[-0.2646]]"), "{out}");
    // softmax as one step: q ⊙ (g − Σ g ⊙ q)
    assert!(
        l.contains(&"∂L3/∂x = softmax(x) ⊙ (∂L3/∂q − Σ ∂L3/∂q ⊙ softmax(x))"),
        "{out}"
    );
    // a bias broadcast over rows: its gradient sums the rows
    assert!(l.contains(&"∂L2/∂z = 2z = 2·[4, 1] = [8, 2]"), "{out}");
}

#[test]
fn conv2d_shows_its_windows() {
    // f[0, 1] = x[0,1]·1 + x[0,2]·0 + x[1,1]·0 + x[1,2]·(−1) + 1 = 2 − 3 + 1 = 0
    let out = text_of(
        "x = [[1, 2, 0], [0, 1, 3], [2, 2, 1]]\nk = [[1, 0], [0, -1]]\nshow f = conv2d(x, k, 1)",
    );
    assert!(
        lines(&out).contains(&"f[0, 1] = 2·1 + 0·0 + 1·0 + 3·(-1) + 1 = 0"),
        "{out}"
    );
}

#[test]
fn rnn_states_start_from_h0() {
    let out = text_of(&file("exercises/seed/task5.gw"));
    assert!(lines(&out).contains(&"h⁽⁰⁾ = [10000, 5000, 765]"), "{out}");
}

#[test]
fn losses_differentiate_as_one_step() {
    // cross_entropy([1, 2, 0], 1): ∂L/∂s = softmax(s) − [0, 1, 0]
    //   = [e/(e + e² + 1), e²/(…) − 1, 1/(…)] = [0.2447, −0.3348, 0.0900]
    // triplet([1, 1], [4, 1], [1, −1], 1): 9 − 4 + 1 > 0, so
    //   ∂L/∂a = 2(a − p) − 2(a − n) = [−6, 0] − [0, 4] = [−6, −4]
    let out = text_of(&file("exercises/regressions/losses.gw"));
    let l = lines(&out);
    assert!(l.contains(&"∂L/∂s = softmax(s) − [0, 1, 0]"), "{out}");
    assert!(l.contains(&"≈ [0.2447, -0.3348, 0.09003]"), "{out}");
    assert!(l.contains(&"= (9 − 4 + 1 > 0)"), "{out}");
    assert!(
        l.contains(&"∂L3/∂a = δ_L3·[1, 1] ⊙ (2·(a − p)) − δ_L3·[1, 1] ⊙ (2·(a − n))"),
        "{out}"
    );
    assert!(l.contains(&"= [-6, -4]"), "{out}");
}

#[test]
fn products_with_vectors_differentiate_as_vectors() {
    // y = x @ M with x = [1, 2]: y = [1, 4, 2]; L = Σ y², ∂L/∂y = 2y = [2, 8, 4];
    // ∂L/∂M = x·(∂L/∂y)ᵀ (an outer product), ∂L/∂x = ∂L/∂y·Mᵀ = [2 + 16, 8 + 4] = [18, 12].
    // t = (A x)·x = xᵀAx: ∂t/∂x = Aᵀx + Ax = [1, 5] + [3, 4] = [4, 9]; ∂t/∂A = x xᵀ.
    let out = text_of(&file("exercises/regressions/vector_matrix.gw"));
    let l = lines(&out);
    for want in [
        "∂L/∂M = x·∂L/∂yᵀ = [1, 2]·[2, 8, 4]ᵀ = [[2, 8, 4], [4, 16, 8]]",
        "∂L/∂x = ∂L/∂y·Mᵀ = [2, 8, 4]·[[1, 2, 0], [0, 1, 1]]ᵀ = [18, 12]",
        "∂t/∂x = Aᵀ·x + A·x = [[1, 1], [0, 2]]ᵀ·[1, 2] + [[1, 1], [0, 2]]·[1, 2] = [4, 9]",
        "∂t/∂A = x·xᵀ = [1, 2]·[1, 2]ᵀ = [[1, 2], [2, 4]]",
    ] {
        assert!(l.contains(&want), "missing {want:?} in\n{out}");
    }
}

#[test]
fn a_gradient_with_respect_to_an_unused_value_is_an_error() {
    // w is reassigned after L: L was not computed from the new w (PyTorch raises too).
    let src = "w = [1, 2]\nL = sum(w*w)\nw = w - 0.1*grad(L, w)\nshow grad(L, w)";
    let sol = solve(src, &Options::default());
    assert_eq!(sol.errors.len(), 1, "{:?}", sol.errors);
    assert_eq!(sol.errors[0].kind, ErrorKind::Value);
    assert!(sol.errors[0].message.contains("was not computed from"));
}

#[test]
fn printed_precedence_matches_the_value() {
    // (Σ x)·y = 3·[3, 4] = [9, 12], while Σ x⊙y = 11; −(7 // 2) = −3 is not −7 // 2 = −4.
    let out = text_of(&file("exercises/regressions/precedence.gw"));
    let l = lines(&out);
    for want in [
        "s1 = (Σ x)·y",
        "s2 = Σ x ⊙ y",
        "s3 = −(7 // 2)",
        "s4 = −(7 % 3)",
        "= −(-3)",
        "s6 = (a / 2)·5",
        "s7 = 2·e1",
        "s8 = 3**(2a)",
    ] {
        assert!(l.contains(&want), "missing {want:?} in\n{out}");
    }
}

#[test]
fn latex_marks_approximations_comparisons_and_columns() {
    let src = "a = -3\no = sqrt(2) - a\nW = [[1, 0], [0, 1]]\nx = [1, 2]\nv = W @ x\nc = 3 == 3";
    let sol = solve(src, &Options::default());
    let j = report::json("t.gw", src, &sol, 4);
    let latex: Vec<&str> = j["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["latex"].as_str().unwrap())
        .collect();
    // √2 − (−3) ≈ 4.414: the ≈ stays on the approximate value
    assert!(latex[1].contains("\\approx 4.414"), "{}", latex[1]);
    assert!(latex[1].contains("- \\left(-3\\right)"), "{}", latex[1]);
    // W x: the vector is a column on the right of a matrix product
    assert!(
        latex[4].contains("\\, \\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}"),
        "{}",
        latex[4]
    );
    // a comparison is an Iverson bracket, never a bare =
    assert!(
        latex[5].starts_with("c = \\left[3 = 3\\right] = 1"),
        "{}",
        latex[5]
    );
}

/// Found by the fuzzer (issue 9), each a worked line the self-check refused:
/// the working written must be the computation that ran.
#[test]
fn fuzz_found_working_is_the_computation_that_ran() {
    // A user's own `sigmoid` is not σ: 1/(-1 + e^1.5) = 1/3.4817 ≈ 0.2872.
    let out = text_of(
        "import numpy as np\ndef sigmoid(z):\n    return 1 / (-1 + np.exp(-z))\nshow p = sigmoid(np.array([-1.5]))\n",
    );
    assert!(out.contains("≈ [0.2872]"), "{out}");
    assert!(!out.contains("σ("), "{out}");
    // A slice of a list is a list: xs + xs[::-1] joins (8 items), and
    // `+=` on a list extends it.
    let out =
        text_of("xs = [1, 2, 3, 4]\nxs += xs[::-1]\nshow n = len(xs)\nshow ys = xs + xs[::-1]\n");
    assert!(lines(&out).contains(&"= 8   ◀ answer"), "{out}");
    // `w.append(f(w))` changes w as it runs: no formula read with the new w.
    let out = text_of("w = [1.0, 2.0]\nw.append(sum(w) / len(w))\nshow w\n");
    assert!(out.contains("w = [1, 2, 1.5]"), "{out}");
    // `xs += rows[1]` with rows a list of lists extends xs by that row.
    let out = text_of("rows = [[1, 2], [3, 4]]\nxs = [9]\nxs += rows[1]\nshow n = len(xs)\nshow zs = xs + rows[0]\n");
    assert!(lines(&out).contains(&"= 3   ◀ answer"), "{out}");
    // Lists of different lengths are unequal (Python), not an elementwise
    // comparison that cannot be made.
    let out = text_of("a = [1, 2]\nb = [1, 2, 3]\nshow e = a == b\n");
    assert!(
        out.contains("e = False") || out.contains("= False"),
        "{out}"
    );
    // A function body that fails only when called is shown as code.
    let out = text_of("import numpy as np\ndef f(a):\n    return np.log(-2.4)\nshow x = 1\n");
    assert!(out.contains("return np.log(-2.4)"), "{out}");
}

/// The chain rule through `W @ h + x` where `W @ h` (shape [1]) is
/// broadcast to x's [2]. By hand: h⁽¹⁾ = relu([1, 2]·[0, 0] + [2, 1]) =
/// [2, 1]; h⁽²⁾ = relu([1, 2]·[2, 1] + [1, 1]) = [5, 5]; L = Σh⁽²⁾ + s with
/// s = Σh⁽¹⁾ + Σh⁽²⁾. ∂L/∂h⁽²⁾ = [1, 1] + [1, 1]; δ⁽²⁾ = Σ [2, 2] = 4 (the
/// broadcast sums back); ∂L/∂h⁽¹⁾ = [1, 1] + Wᵀδ⁽²⁾ = [1, 1] + [4, 8] =
/// [5, 9]; ∂L/∂W = δ⁽²⁾h⁽¹⁾ᵀ + δ⁽¹⁾h⁽⁰⁾ᵀ = [[8, 4]]. The use Wᵀ·δ⁽²⁾ is a
/// column in the course's notation, and summed with the vector [1, 1] it
/// would broadcast to a matrix: it is written by its value instead (the line
/// was left out before, as an internal error).
#[test]
fn a_column_use_of_a_vector_is_written_by_its_value() {
    let out = text_of(&file("tests/hostile/fuzz_backprop_broadcast_internal.gw"));
    let ls = lines(&out);
    assert!(
        ls.contains(
            &"∂L/∂h⁽¹⁾ = ∂L/∂s⁽¹⁾·[1, 1] + [4, 8] = 1·[1, 1] + [4, 8] = [1, 1] + 2·[2, 4] = [5, 9]"
        ),
        "{out}"
    );
    assert!(ls.contains(&"= [[8, 4]]   ◀ answer"), "{out}");
}
