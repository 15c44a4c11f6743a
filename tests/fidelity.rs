//! Programs that are valid Python with numpy give Python's and numpy's
//! answer, or an error — never another value (issue "A student's numpy runs
//! as written"; the cases fixed so far).

use gradwork::lang::{solve, ErrorKind, Options, Value};
use gradwork::Num;

fn answers(src: &str) -> Vec<String> {
    let sol = solve(src, &Options::default());
    assert!(sol.errors.is_empty(), "{src}\n{:?}", sol.errors);
    sol.answers.iter().map(|a| a.text.clone()).collect()
}

#[test]
fn ranges_at_the_ends_of_i64_are_exact_or_refused() {
    // Python: range(0, -10, -2**63) is [0], one element.
    let src = "n = 0\nfor i in range(0, -10, -2**63):\n    n += 1\nshow n";
    assert_eq!(answers(src), ["1"]);
    // 2^64 − 2 elements: beyond the step limit, an error — not an empty loop.
    let src =
        "n = 0\nfor i in range(-9223372036854775807, 9223372036854775807):\n    n += 1\nshow n";
    let sol = solve(src, &Options::default());
    assert_eq!(sol.errors.len(), 1, "{:?}", sol.errors);
    assert_eq!(sol.errors[0].kind, ErrorKind::Limit);
}

#[test]
fn np_identity_is_the_identity_matrix() {
    // numpy: np.identity(2) = [[1., 0.], [0., 1.]]
    assert_eq!(
        answers("import numpy as np\nshow np.identity(2)"),
        ["[[1, 0], [0, 1]]"]
    );
}

#[test]
fn np_has_only_numpys_names() {
    let sol = solve("import numpy as np\nshow np.relu(1)", &Options::default());
    assert_eq!(sol.errors.len(), 1);
    assert_eq!(sol.errors[0].kind, ErrorKind::Name);
    assert!(sol.errors[0]
        .hint
        .as_deref()
        .unwrap_or("")
        .contains("`relu`"));
}

#[test]
fn show_then_a_parenthesis_is_the_show_statement() {
    // (y == 2) is [0, 1, 1]; its sum is 2.
    assert_eq!(
        answers("import numpy as np\ny = np.array([1, 2, 2])\nshow (y == 2).sum()"),
        ["2"]
    );
}

#[test]
fn pythons_sum_adds_the_items_and_np_sum_everything() {
    // Python: sum([a, b]) = a + b; sum(E) adds the rows; sum(E, 10) starts at 10.
    let src = "import numpy as np\na = [1, 2]\nb = [3, 4]\nE = [[1, 2], [3, 4], [5, 6]]\n\
               show sum([a, b])\nshow sum(E)\nshow sum(E, 10)\nshow np.sum(E)\nshow E.sum()\nshow np.sum(E, axis=0)";
    assert_eq!(
        answers(src),
        ["[4, 6]", "[9, 12]", "[19, 22]", "21", "21", "[9, 12]"]
    );
    let sol = solve("show sum(3)", &Options::default());
    assert_eq!(sol.errors[0].kind, ErrorKind::Type);
}

#[test]
fn boolean_masks_select() {
    // numpy: X[y == 1] = [[20, 2], [30, 3]], y[y == 1] = [1, 1],
    // X[X > 15] = [20, 30], X[[True, False, True]] = rows 0 and 2,
    // and an integer array still picks rows: X[[0, 1, 1]].
    let src = "import numpy as np\nX = np.array([[10, 1], [20, 2], [30, 3]])\ny = np.array([0, 1, 1])\n\
               show X[y == 1]\nshow y[y == 1]\nshow X[X > 15]\nshow X[np.array([True, False, True])]\n\
               show X[[0, 1, 1]]\nshow X[y == 5].shape";
    assert_eq!(
        answers(src),
        [
            "[[20, 2], [30, 3]]",
            "[1, 1]",
            "[20, 30]",
            "[[10, 1], [30, 3]]",
            "[[10, 1], [20, 2], [20, 2]]",
            "(0, 2)"
        ]
    );
    // the centroid of a class by its mask: rows 0 and 1 of [[-1, 4], [-1, 2], [3, -3]]
    let src = "E = [[-1, 4, 0], [-1, 2, 0], [3, -3, 1]]\nemb = E[:, :2]\nlabels = E[:, 2]\n\
               show emb[labels == 0].mean(axis=0)";
    assert_eq!(answers(src), ["[-1, 3]"]);
    // a mask of the wrong length is an error, not a guess
    let sol = solve(
        "import numpy as np\nx = np.array([1, 2, 3])\nshow x[np.array([1, 2]) == 1]",
        &Options::default(),
    );
    assert_eq!(sol.errors[0].kind, ErrorKind::Shape);
    // a Python list indexed by a bool takes it as 0 or 1: [1, 2, 3][True] = 2
    assert_eq!(answers("x = [1, 2, 3]\nshow x[[1, 2] == [1, 2]]"), ["2"]);
}

#[test]
fn augmented_assignment_of_an_array_acts_in_place() {
    // numpy: v = w; v += 1 changes the one array both names hold; a number
    // is immutable, so t += 1 leaves s alone.
    let src = "import numpy as np\nw = np.array([1, 2])\nv = w\nv += 1\nshow w\nshow v\n\
               s = 5\nt = s\nt += 1\nshow s\nshow t";
    assert_eq!(answers(src), ["[2, 3]", "[2, 3]", "5", "6"]);
}

#[test]
fn comprehensions_and_generators_run() {
    // Python: sum(x**2 for x in [1, 2, 3]) = 14; [x*x for x in v if x > 1] = [4, 9];
    // two clauses run the second inside the first; the loop name stays local.
    let src = "v = [1, 2, 3]\nx = 7\nshow sum(x**2 for x in v)\nshow [x*x for x in v if x > 1]\n\
               show [a*b for a in [1, 2] for b in [10, 20]]\nshow x";
    assert_eq!(answers(src), ["14", "[4, 9]", "[10, 20, 20, 40]", "7"]);
}

#[test]
fn pythons_iteration_helpers_and_number_functions() {
    // enumerate/zip give tuples; sorted is stable and exact; int truncates toward 0;
    // round is half to even: round(2.5) = 2, round(3.5) = 4, round(-0.5) = 0.
    let src = "xs = [3, 1, 2]\nshow [i * x for i, x in enumerate(xs, 1)]\n\
               show [a + b for a, b in zip([1, 2, 3], [10, 20])]\nshow sorted(xs)\n\
               show sorted(xs, reverse=True)\nshow int(-2.7), int(2.7), round(2.5), round(3.5), round(-0.5)";
    assert_eq!(
        answers(src),
        [
            "[3, 2, 6]",
            "[11, 22]",
            "[1, 2, 3]",
            "[3, 2, 1]",
            "(-2, 2, 2, 4, 0)"
        ]
    );
}

#[test]
fn item_assignment_and_append_change_the_value_in_place() {
    // numpy: H[t, :] = … fills row t of the one array H and G hold;
    // A[:, 1] += 1 adds to column 1; a list grows with append and takes ys[0] = 5.
    let src = "import numpy as np\nH = np.zeros([3, 2])\nG = H\nfor t in range(3):\n    H[t, :] = [t, 2*t]\n\
               show G\nA = np.ones([2, 2])\nA[:, 1] += 1\nshow A\nout = []\nfor x in [1, 2, 3]:\n    out.append(x * x)\n\
               show out\nys = [0]\nys[0] = 5\nshow ys";
    assert_eq!(
        answers(src),
        [
            "[[0, 0], [1, 2], [2, 4]]",
            "[[1, 2], [1, 2]]",
            "[1, 4, 9]",
            "[5]"
        ]
    );
    let sol = solve(
        "import numpy as np\nB = np.zeros(2)\nB[5] = 1",
        &Options::default(),
    );
    assert_eq!(sol.errors[0].kind, ErrorKind::Shape);
}

#[test]
fn python_rejects_what_python_rejects() {
    for (src, what) in [
        ("break", "`break` outside a loop"),
        (
            "def f():\n    continue\nfor i in range(2):\n    f()",
            "`continue` outside a loop",
        ),
        ("def f(a, a):\n    return a", "named twice"),
        ("def f(a=1, b):\n    return a", "comes after one that has"),
    ] {
        let sol = solve(src, &Options::default());
        assert_eq!(sol.errors.len(), 1, "{src}");
        assert_eq!(sol.errors[0].kind, ErrorKind::Syntax, "{src}");
        assert!(
            sol.errors[0].message.contains(what),
            "{src}: {}",
            sol.errors[0].message
        );
    }
    // a tuple of one prints as Python prints it
    assert_eq!(
        answers("import numpy as np\nshow np.zeros(3).shape"),
        ["(3,)"]
    );
}

#[test]
fn numpy_functions_students_reach_for() {
    // x = [3, −1, 2]; values as numpy gives them:
    let src = "import numpy as np\nx = np.array([3, -1, 2])\nshow np.vstack([x, x])\nshow np.hstack([x, x])\n\
               show np.zeros_like(x)\nshow np.square(x)\nshow np.sign(x)\nshow np.outer([1, 2], [3, 4])\n\
               show np.clip(x, 0, 2)\nshow np.where(x > 0, x, 0)\nshow np.prod(x)\nshow np.cumsum(x)\n\
               show np.argsort(x)\nshow np.sort(x)\nshow grad(np.prod(x), x)";
    assert_eq!(
        answers(src),
        [
            "[[3, -1, 2], [3, -1, 2]]",
            "[3, -1, 2, 3, -1, 2]",
            "[0, 0, 0]",
            "[9, 1, 4]",
            "[1, -1, 1]",
            "[[3, 4], [6, 8]]",
            "[2, 0, 2]",
            "[3, 0, 2]",
            "-6",
            "[3, 2, 4]",
            "[1, 2, 0]",
            "[-1, 2, 3]",
            // ∂(x₀x₁x₂)/∂x = [x₁x₂, x₀x₂, x₀x₁]
            "[-2, 6, -3]"
        ]
    );
}

#[test]
fn lambdas_are_functions_of_one_expression() {
    // f(3) = 3² + 1 = 10; the lambdas in a list applied to 2 give 3 and 4.
    let src =
        "f = lambda x: x**2 + 1\nshow f(3)\nshow [g(2) for g in [lambda t: t + 1, lambda t: 2*t]]";
    assert_eq!(answers(src), ["10", "[3, 4]"]);
}

#[test]
fn variance_deviation_and_constants() {
    // x = [1, 2, 3, 4]: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5;
    // var = 5/4, with ddof=1 5/3; by columns of [[1, 2], [3, 6]]: [1, 4].
    let src = "import numpy as np\nimport math\nx = np.array([1, 2, 3, 4])\nshow np.var(x)\n\
               show x.var(ddof=1)\nshow np.var(np.array([[1, 2], [3, 6]]), axis=0)\n\
               show np.pi > 3.14159\nshow math.e < 2.7183";
    assert_eq!(answers(src), ["1.25", "5/3 ≈ 1.667", "[1, 4]", "1", "1"]);
    // std = √1.25 ≈ 1.118, approximate with guaranteed digits
    assert_eq!(
        answers("import numpy as np\nshow np.std([1, 2, 3, 4])"),
        ["≈ 1.118"]
    );
}

#[test]
fn norms_by_axis_and_order() {
    // ‖[3, −4]‖₁ = 7; row norms of [[3, 4], [6, 8]] = [5, 10]; column L1 norms of
    // [[1, −2], [3, 4]] = [4, 6]; at the zero vector the gradient is 0 with or
    // without axis (PyTorch's convention), never a division by zero.
    let src = "x = [1, 2]\nshow grad(norm(x - x, axis=0), x)\nshow grad(norm(x - x), x)\n\
               show norm([3, -4], ord=1)\nshow norm([[3, 4], [6, 8]], axis=1)\n\
               show norm([[1, -2], [3, 4]], ord=1, axis=0)";
    assert_eq!(answers(src), ["[0, 0]", "[0, 0]", "7", "[5, 10]", "[4, 6]"]);
}

#[test]
fn a_product_a_transpose_would_fix_says_so() {
    // [2, 3] @ [2, 3]: W @ x.T is [2, 3] @ [3, 2]
    let sol = solve(
        "W = [[1, 2, 3], [4, 5, 6]]\nx = [[1, 2, 3], [1, 1, 1]]\ny = W @ x",
        &Options::default(),
    );
    assert_eq!(sol.errors[0].kind, ErrorKind::Shape);
    let hint = sol.errors[0].hint.clone().unwrap_or_default();
    assert!(hint.contains("[2, 3] @ [3, 2]"), "{hint}");
}

#[test]
fn unique_triangles_and_diagonals() {
    // numpy: unique sorts the distinct values; triu/tril keep j − i ≥ k / ≤ k;
    // diag of a matrix reads the (k-th) diagonal, of a vector builds the matrix.
    let src = "import numpy as np\nM = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])\n\
               show np.unique([3, 1, 3, 2, 1])\nshow np.triu(M)\nshow np.tril(M, -1)\n\
               show np.diag(M)\nshow np.diag(M, 1)\nshow np.diag([1, 2])";
    assert_eq!(
        answers(src),
        [
            "[1, 2, 3]",
            "[[1, 2, 3], [0, 5, 6], [0, 0, 9]]",
            "[[0, 0, 0], [4, 0, 0], [7, 8, 0]]",
            "[1, 5, 9]",
            "[2, 6]",
            "[[1, 0], [0, 2]]"
        ]
    );
}

#[test]
fn eye_takes_its_shape_and_diagonal_and_isclose_is_elementwise() {
    // numpy: eye(2, 3) is 2×3; eye(3, k=1) has ones above the diagonal; dtype
    // changes nothing for exact numbers; isclose([1, 2], [1, 2.001]) = [True, False].
    let src =
        "import numpy as np\nshow np.eye(2, dtype=int)\nshow np.eye(2, 3)\nshow np.eye(3, k=1)\n\
               show np.isclose([1, 2], [1, 2.001])";
    assert_eq!(
        answers(src),
        [
            "[[1, 0], [0, 1]]",
            "[[1, 0, 0], [0, 1, 0]]",
            "[[0, 1, 0], [0, 0, 1], [0, 0, 0]]",
            "[1, 0]"
        ]
    );
}

#[test]
fn recurrent_sequences_start_from_a_given_state() {
    // hidden 1, input 1, W_ih = 0, W_hh = 1, x = 0, h0 = 1, c0 = 0:
    // LSTM: i = f = o = σ(1), g = tanh(1); c = σ(1)·tanh(1); h = σ(1)·tanh(c) = 0.36961
    // GRU (PyTorch): r = z = σ(1), n = tanh(r·1); h = (1 − z)·n + z·1 = 0.89880
    let src = "W_ih = [[0], [0], [0], [0]]\nW_hh = [[1], [1], [1], [1]]\n\
               show lstm_seq([[0]], W_ih, W_hh, h0=[1], c0=[0])\nshow lstm_seq([[0]], W_ih, W_hh)\n\
               show gru_seq([[0]], [[0], [0], [0]], [[1], [1], [1]], h0=[1])";
    assert_eq!(answers(src), ["≈ [[0.3696]]", "[[0]]", "≈ [[0.8988]]"]);
}

#[test]
fn lists_are_pythons_lists_until_np_array() {
    // Python: [1, 2] + [3, 4] joins; [0] * 3 and 3 * [0] repeat; [1, 2] * 2
    // repeats the list; (1, 2) + (3,) joins tuples; a list equals a list
    // as a whole and never a number.
    let src = "import numpy as np\n\
               show [1, 2] + [3, 4]\n\
               show [0] * 3\n\
               show 3 * [0]\n\
               show [1, 2] * 2\n\
               show (1, 2) + (3,)\n\
               show [1, 2] == [1, 2]\n\
               show [1, 2] == 2\n\
               show np.array([1, 2]) + [3, 4]\n\
               show np.array([1, 2]) == [1, 3]";
    assert_eq!(
        answers(src),
        [
            "[1, 2, 3, 4]",
            "[0, 0, 0]",
            "[0, 0, 0]",
            "[1, 2, 1, 2]",
            "(1, 2, 3)",
            "True",
            "False",
            "[4, 6]",
            "[1, 0]",
        ]
    );
    // A student's loop: outputs collected in a list, the first state put in
    // front, then made an array. h = 2h + 1 from 0: 1, 3, 7.
    let src = "import numpy as np\nh = 0\nouts = []\nfor t in range(3):\n    h = 2 * h + 1\n    outs.append(h)\n\
               H = np.array([0] + outs)\nz = [0.0] * len(H)\nz[1] = 5\nshow H\nshow z\nshow len(outs)";
    assert_eq!(answers(src), ["[0, 1, 3, 7]", "[0, 5, 0, 0]", "3"]);
}

#[test]
fn in_place_changes_follow_numpys_copies() {
    // v = w shares the array: v += 1 changes w. np.array(w) and w.copy()
    // are copies: += on them leaves w alone. A list's .copy() likewise.
    let src = "import numpy as np\nw = np.array([1, 2])\nv = w\nv += 1\nc = np.array(w)\nc += 10\n\
               d = w.copy()\nd += 100\nl = [1]\nm = l\nm += [2]\nk = l.copy()\nk.append(3)\n\
               show w\nshow c\nshow d\nshow l\nshow k";
    assert_eq!(
        answers(src),
        ["[2, 3]", "[12, 13]", "[102, 103]", "[1, 2]", "[1, 2, 3]"]
    );
}

#[test]
fn a_list_read_as_an_array_says_so() {
    // [[1, 2], [3, 4]] @ [1, 1] is not Python; numpy's np.array reading gives [3, 7].
    let sol = solve("W = [[1, 2], [3, 4]]\nshow W @ [1, 1]", &Options::default());
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    assert_eq!(sol.answers[0].text, "[3, 7]");
    let notes: Vec<String> = sol.steps.iter().flat_map(|s| s.note_texts(4)).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("a list is read as an array in `W @ [1, 1]`")),
        "{notes:?}"
    );
}

#[test]
fn f_strings_format_as_python_does() {
    // Python: f"{0.125:.2f}" = '0.12' (halves to even), f"{2:5d}" = '    2',
    // f"{'a':3}" = 'a  ', f"{x=}" = 'x=0.125', f"{0.125:.0%}" = '12%'.
    let src = "x = 1/8\nprint(f\"x = {x:.2f}, {x}, {2:5d}|{'a':3}|{{}} {x=} {x*100:.1f}% {x:.0%} {[1, 2][0]}\")\nshow x";
    let sol = solve(src, &Options::default());
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    let notes: Vec<String> = sol.steps.iter().flat_map(|s| s.note_texts(4)).collect();
    assert!(
        notes
            .iter()
            .any(|n| n == "print: x = 0.12, 0.125,     2|a  |{} x=0.125 12.5% 12% 1"),
        "{notes:?}"
    );
    // -1/3 to two places is -0.33; 2/3 is 0.67; -0.001 is -0.00 (Python keeps the sign).
    let sol = solve(
        "print(f\"{-1/3:.2f} {2/3:.2f} {-0.001:.2f} {7:.3f}\")",
        &Options::default(),
    );
    let notes: Vec<String> = sol.steps.iter().flat_map(|s| s.note_texts(4)).collect();
    assert!(
        notes.iter().any(|n| n == "print: -0.33 0.67 -0.00 7.000"),
        "{notes:?}"
    );
    // A spec gradwork does not know, or an unclosed field, is an error at its place.
    for bad in [
        "print(f\"{1:.2x}\")",
        "print(f\"{1:.2f\")",
        "print(f\"{}\")",
    ] {
        let sol = solve(bad, &Options::default());
        assert_eq!(sol.errors.len(), 1, "{bad}");
        assert!(sol.errors[0].span.start >= 8, "{bad}: {:?}", sol.errors[0]);
    }
}

#[test]
fn cosine_rankings_decide_exact_ties() {
    // q = [2, 2]: cos with [0, 3] and [4, 0] is 1/√2 for both (a tie), with
    // [1, 1] it is 1. k = 2 takes row 0 (the lower index) and says row 1 tied.
    let src = "E = [[0, 3], [4, 0], [1, 1]]\nshow retrieve(E, [2, 2], k=1, metric=cosine)\n\
               show retrieve(E, [2, 2], k=2, metric=cosine)\n\
               show nearest_centroid(E[:2], [0, 1], [1, 1], metric=cosine)";
    let sol = solve(src, &Options::default());
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    let got: Vec<&str> = sol.answers.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(got, ["[2]", "[2, 0]", "0"]);
    let notes: Vec<String> = sol.steps.iter().flat_map(|s| s.note_texts(4)).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("row(s) 2 have the same distance")),
        "{notes:?}"
    );
}

#[test]
fn nested_item_assignment_follows_python_and_numpy() {
    // Python: M = [[0] * 3] * 2 holds one row twice, so M[0][1] = 5 shows in
    // both; A's rows are distinct, and row = A[1] is that very row; a numpy
    // B[0][1] = 3 writes through the view B[0].
    let src = "import numpy as np\nM = [[0] * 3] * 2\nM[0][1] = 5\nA = [[0, 0], [0, 0]]\nrow = A[1]\n\
               A[1][0] = 7\nA[1][1] = 9\nB = np.zeros((2, 2))\nB[0][1] = 3\nshow M\nshow A\nshow row\nshow B";
    assert_eq!(
        answers(src),
        [
            "[[0, 5, 0], [0, 5, 0]]",
            "[[0, 0], [7, 9]]",
            "[7, 9]",
            "[[0, 3], [0, 0]]"
        ]
    );
}

#[test]
fn from_imports_bind_the_names_numpy_and_scipy_have() {
    // scipy.special.softmax([0, 0]) = [0.5, 0.5]; numpy.exp(0) = 1.
    let src = "from scipy.special import softmax\nimport scipy.special\nfrom numpy import exp as e, array\n\
               show softmax([0, 0])\nshow scipy.special.softmax([0, 0])\nshow e(0) + array([1])";
    assert_eq!(answers(src), ["[0.5, 0.5]", "[0.5, 0.5]", "[2]"]);
    let sol = solve("from numpy import relu", &Options::default());
    assert_eq!(sol.errors.len(), 1);
    assert_eq!(sol.errors[0].message, "`numpy` has no `relu` in gradwork");
}

#[test]
fn logical_operators_membership_and_identity() {
    // a == 1 is [1, 0, 1, 1], b == 1 is [1, 1, 0, 1]: & has 2 true; | with
    // b == 0 is [1, 0, 1, 1]; ~ flips. 6 & 3 = 2, 6 | 3 = 7, 6 ^ 3 = 5,
    // ~5 = −6. 7 is in range(1, 10, 3) = 1, 4, 7; 2 is not in a.
    let src = "import numpy as np\na = np.array([1, 0, 1, 1])\nb = np.array([1, 1, 0, 1])\n\
               show np.sum((a == 1) & (b == 1))\nshow (a == 1) | (b == 0)\nshow ~(a == 1)\n\
               show 6 & 3, 6 | 3, 6 ^ 3, ~5\n\
               show 3 in [1, 2, 3], 4 not in (1, 2), 2 in a, 7 in range(1, 10, 3), \"b\" in \"abc\"\n\
               x = None\nshow x is None, x is not None";
    assert_eq!(
        answers(src),
        [
            "2",
            "[1, 0, 1, 1]",
            "[0, 1, 0, 0]",
            "(2, 7, 5, -6)",
            "(True, True, False, True, True)",
            "(True, False)"
        ]
    );
    // & of fractions is refused, as numpy refuses floats.
    let sol = solve("show 0.5 & 1", &Options::default());
    assert_eq!(sol.errors.len(), 1);
}

#[test]
fn advanced_indexes_pick_as_numpy_does() {
    // X[:, 0] > 2 keeps rows 1, 2, then column 1: [30, 50]. p[[0, 1], [0, 1]]
    // pairs (0, 0) and (1, 1): [1/2, 3/4]. A [2, 2] index array of rows gives
    // shape (2, 2, 2). An empty mask keeps no rows: shape (0, 2).
    let src =
        "import numpy as np\nX = np.array([[1, 10], [3, 30], [5, 50]])\nshow X[X[:, 0] > 2, 1]\n\
               p = np.array([[0.5, 0.25, 0.25], [0.125, 0.75, 0.125]])\nt = np.array([0, 1])\n\
               show p[np.arange(2), t]\nshow X[np.array([[0, 1], [2, 2]])].shape\nshow X[[2, 0]]\n\
               show X[X[:, 0] > 9].shape";
    assert_eq!(
        answers(src),
        [
            "[30, 50]",
            "[0.5, 0.75]",
            "(2, 2, 2)",
            "[[5, 50], [1, 10]]",
            "(0, 2)"
        ]
    );
}

#[test]
fn every_name_of_sigmoid_writes_the_same_working() {
    // σ(−1.5) = 1/(1 + e^1.5) ≈ 0.1824: one row in the registry, so the
    // scipy names and the bare alias write what sigmoid(s) writes.
    let notes = |import: &str, call: &str| -> Vec<String> {
        let src = format!("{import}\ns = -1.5\np = {call}\nshow p");
        let sol = solve(&src, &Options::default());
        assert!(sol.errors.is_empty(), "{call}: {:?}", sol.errors);
        sol.steps.iter().flat_map(|s| s.note_texts(4)).collect()
    };
    let want = notes("", "sigmoid(s)");
    assert_eq!(want, ["σ(-1.5) = 1 / (1 + e^1.5) ≈ 0.1824"]);
    for (import, call) in [
        ("import scipy as sp", "sp.special.expit(s)"),
        ("from scipy import special", "special.expit(s)"),
        ("from scipy.special import expit", "expit(s)"),
        ("", "expit(s)"),
    ] {
        assert_eq!(notes(import, call), want, "{import}; {call}");
    }
}

#[test]
fn a_causal_mask_with_minus_inf_gives_exact_zeros() {
    // Row 0 keeps only s[0, 0]: softmax is [1, 0, 0] exactly; row 1 is
    // softmax([4, 5]) = [1/(1 + e), e/(1 + e)] ≈ [0.2689, 0.7311], then 0.
    let src = "import numpy as np\ns = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])\n\
               mask = np.triu(np.ones((3, 3)), k=1)\ns = np.where(mask == 1, -np.inf, s)\n\
               e = np.exp(s - s.max(axis=-1, keepdims=True))\nshow s\nshow e / e.sum(axis=-1, keepdims=True)";
    let sol = solve(src, &Options::default());
    assert!(sol.errors.is_empty(), "{:?}", sol.errors);
    assert_eq!(
        sol.answers[0].text,
        "[[1, -inf, -inf], [4, 5, -inf], [7, 8, 9]]"
    );
    let Value::T(p) = &sol.answers[1].value else {
        panic!("a tensor")
    };
    let v: Vec<&Num> = p.value().iter().collect();
    assert!(
        v[0].eq_num(&Num::one()).unwrap() && v[1].is_zero() && v[2].is_zero() && v[5].is_zero()
    );
    assert!(v[1].is_exact() && v[5].is_exact());
    assert!((v[3].to_f64() - 1.0 / (1.0 + std::f64::consts::E)).abs() < 1e-12);
    // inf − inf has no value: an error, where numpy gives nan.
    let sol = solve(
        "import numpy as np\nshow np.inf - np.inf",
        &Options::default(),
    );
    assert_eq!(sol.errors.len(), 1);
    assert!(
        sol.errors[0].message.contains("nan"),
        "{}",
        sol.errors[0].message
    );
}

#[test]
fn integer_arrays_cast_as_numpy_casts() {
    // np.array([1, 2, 3]) is int64: a[0] = 2.5 stores 2 (toward 0), a[1] = -1.5
    // stores -1; np.array([1.0, 2, 3]) is float64 and keeps 2.5. a += 0.5 on
    // the integer array is refused (numpy: UFuncTypeError); a = a + 0.5 is new.
    let src = "import numpy as np\na = np.array([1, 2, 3])\na[0] = 2.5\na[1] = -1.5\nf = np.array([1.0, 2, 3])\n\
               f[0] = 2.5\nm = np.array([1, 2]) > 1\nm[0] = 5\nb = a + 0.5\nshow a\nshow f\nshow m\nshow b";
    assert_eq!(
        answers(src),
        ["[2, -1, 3]", "[2.5, 2, 3]", "[1, 1]", "[2.5, -0.5, 3.5]"]
    );
    let sol = solve(
        "import numpy as np\na = np.array([1, 2])\na += 0.5",
        &Options::default(),
    );
    assert_eq!(sol.errors.len(), 1);
    assert!(
        sol.errors[0].message.contains("integer array"),
        "{}",
        sol.errors[0].message
    );
    // an int array += an int stays in place
    assert_eq!(
        answers("import numpy as np\na = np.array([1, 2])\nb = a\nb += 1\nshow a"),
        ["[2, 3]"]
    );
}

#[test]
fn array_construction_takes_numpys_dtypes() {
    // numpy: np.array([1.5, -1.5, 2.0], dtype=int) = [1, -1, 2] (toward 0);
    // x.astype(bool) = [True, False, True]; a mask as float is numbers, not a
    // mask, so X[m.astype(float)] would not select; zeros(dtype=bool) are
    // False; np.int64(-2.5) = -2; np.bool_(0) = False.
    let src = "import numpy as np\nshow np.array([1.5, -1.5, 2.0], dtype=int)\n\
               show np.array([1.5, 0, 2]).astype(bool)\nshow np.array([0.5, 1.75, -1.25]).astype(int)\n\
               show np.zeros(2, dtype=bool).any()\nshow np.ones(2, dtype=np.int64)\n\
               show np.int64(-2.5)\nshow np.bool_(0)\nshow np.float64(0.25)\n\
               show np.full((2,), 2.5, dtype=int)\nshow np.full_like(np.array([1, 2]), 7)";
    assert_eq!(
        answers(src),
        [
            "[1, -1, 2]",
            "[1, 0, 1]",
            "[0, 1, -1]",
            "False",
            "[1, 1]",
            "-2",
            "False",
            "0.25",
            "[2, 2]",
            "[7, 7]"
        ]
    );
    // a mask made with dtype=bool selects, as numpy's
    // (arange(9) as 3×3 above its diagonal: 1, 2, 5)
    let src = "import numpy as np\nx = np.array([10, 20, 30])\nm = np.array([1, 0, 1], dtype=bool)\nshow x[m]\n\
               show np.arange(9).reshape(3, 3)[np.triu(np.ones((3, 3), dtype=bool), k=1)]";
    assert_eq!(answers(src), ["[10, 30]", "[1, 2, 5]"]);
    // full_like keeps a's kind: [0, 0] for the int array [1, 2] (0.5 toward
    // 0), [0.5, 0.5] for the float array [1.0, 2.0] or with dtype=float.
    assert_eq!(
        answers(
            "import numpy as np\nshow np.full_like(np.array([1, 2]), 0.5)\n\
             show np.full_like(np.array([1.0, 2.0]), 0.5)\n\
             show np.full_like(np.array([1, 2]), 0.5, dtype=float)"
        ),
        ["[0, 0]", "[0.5, 0.5]", "[0.5, 0.5]"]
    );
}

#[test]
fn from_imports_bind_the_name() {
    // Python: from numpy import array; from math import sqrt; array([1, 2])
    // is [1, 2], sqrt(4) is 2.0.
    let src =
        "from numpy import array, zeros\nfrom math import sqrt\nshow array([1, 2])\nshow sqrt(4)";
    assert_eq!(answers(src), ["[1, 2]", "2"]);
    let sol = solve("from numpy import relu", &Options::default());
    assert_eq!(sol.errors.len(), 1);
    assert_eq!(sol.errors[0].kind, ErrorKind::Name);
}

#[test]
fn list_methods_change_the_list_in_place() {
    // Python: [3, 1, 2] → insert(0, 9) → [9, 3, 1, 2] → pop() = 2 → [9, 3, 1]
    // → remove(1) → [9, 3] → reverse() → [3, 9], seen through ys too;
    // zs[0].append(5) changes the row inside zs; sort(reverse=True) → [9, 3].
    let src = "xs = [3, 1, 2]\nys = xs\nxs.insert(0, 9)\nlast = xs.pop()\nxs.remove(1)\nxs.reverse()\n\
               show ys, last\nzs = [[1], [2]]\nzs[0].append(5)\nxs.sort(reverse=True)\nshow zs, xs\n\
               zs.clear()\nshow zs, len(zs)";
    assert_eq!(
        answers(src),
        ["([3, 9], 2)", "([[1, 5], [2]], [9, 3])", "([], 0)"]
    );
    let sol = solve("xs = []\nxs.pop()", &Options::default());
    assert_eq!(sol.errors[0].message, "pop from an empty list");
}

#[test]
fn a_ragged_list_is_a_list_until_an_array_is_needed() {
    // Python: [[1, 2], [3]] is a fine list (len 2, joins with +); numpy
    // refuses np.array of it (inhomogeneous shape), and so does gradwork.
    assert_eq!(
        answers("r = [[1, 2], [3]]\nshow len(r)\nshow r + [[4]]"),
        ["2", "[[1, 2], [3], [4]]"]
    );
    let sol = solve(
        "import numpy as np\nr = [[1, 2], [3]]\nshow np.array(r)",
        &Options::default(),
    );
    assert_eq!(sol.errors.len(), 1);
    assert_eq!(sol.errors[0].kind, ErrorKind::Shape);
}

#[test]
fn asarray_is_the_array_itself_and_copy_is_not() {
    // numpy: b = np.asarray(a); b[0] = 9 changes a too: a = [9, 2];
    // c = np.copy(a); c[1] = 7 leaves a alone.
    let src = "import numpy as np\na = np.array([1, 2])\nb = np.asarray(a)\nb[0] = 9\nshow a\n\
               c = np.copy(a)\nc[1] = 7\nshow a\nshow c\nshow np.asarray([1, 2]) * 2";
    assert_eq!(answers(src), ["[9, 2]", "[9, 2]", "[9, 7]", "[2, 4]"]);
}

#[test]
fn running_sums_and_products_take_an_axis() {
    // M = [[1, 2], [3, 4]]: cumsum along 0 = [[1, 2], [4, 6]], along 1 =
    // [[1, 3], [3, 7]], flattened [1, 3, 6, 10]; prod along 1 = [2, 12],
    // with keepdims [[3, 8]] along 0; prod of all 24.
    let src = "import numpy as np\nM = np.array([[1, 2], [3, 4]])\nshow np.cumsum(M, axis=0)\n\
               show M.cumsum(axis=1)\nshow np.cumsum(M)\nshow M.prod(axis=1)\n\
               show np.prod(M, axis=0, keepdims=True)\nshow np.prod(M)";
    assert_eq!(
        answers(src),
        [
            "[[1, 2], [4, 6]]",
            "[[1, 3], [3, 7]]",
            "[1, 3, 6, 10]",
            "[2, 12]",
            "[[3, 8]]",
            "24"
        ]
    );
    // the gradient flows: d/dx of prod([x, 3]) is 3 at x = 2, of
    // cumsum(x)[-1] = x0 + x1 is 1 each
    let src = "import numpy as np\nx = np.array([2.0, 3.0])\nL = np.prod(x)\nshow grad(L, x)";
    assert_eq!(answers(src), ["[3, 2]"]);
}

#[test]
fn reductions_take_a_tuple_of_axes_and_keepdims() {
    // arange(16).reshape(2, 2, 2, 2) holds 8a + 4b + 2c + d at [a, b, c, d]:
    // the max over b and d is at b = d = 1: 8a + 2c + 5 = [[5, 7], [13, 15]].
    let src = "import numpy as np\nM = np.arange(16).reshape(4, 4)\nT = M.reshape(2, 2, 2, 2)\n\
               show T.max(axis=(1, 3))\nshow T.min(axis=(1, 3))\nshow T.sum(axis=(1, 3))\n\
               show T.mean(axis=(1, 3))\nshow T.max(axis=(1, 3), keepdims=True).shape";
    assert_eq!(
        answers(src),
        [
            "[[5, 7], [13, 15]]",
            "[[0, 2], [8, 10]]",
            "[[10, 18], [42, 50]]",
            "[[2.5, 4.5], [10.5, 12.5]]",
            "(2, 1, 2, 1)"
        ]
    );
    // var of [1, 2, 3, 6] = mean of [4, 1, 0, 9] = 7/2, kept as a column
    let src = "import numpy as np\nx = np.array([[1.0, 2.0, 3.0, 6.0]])\nshow x.var(axis=-1, keepdims=True)\n\
               show np.std(x, axis=1, keepdims=True).shape";
    assert_eq!(answers(src), ["[[3.5]]", "(1, 1)"]);
}

#[test]
fn norms_take_inf_and_keepdims() {
    // ‖[3, −4, 0]‖_∞ = 4, −∞: 0; rows of [[3, 4], [−6, 8]]: 2-norms [5, 10]
    // as a column; max abs per row [4, 8]; the matrix norms of
    // [[1, −2], [3, 4]]: ord=1 the largest column sum 6, ord=inf the
    // largest row sum 7, "fro" √30.
    let src = "import numpy as np\nx = np.array([3, -4, 0])\nshow np.linalg.norm(x, ord=np.inf)\n\
               show np.linalg.norm(x, ord=-np.inf)\nX = np.array([[3, 4], [-6, 8]])\n\
               show np.linalg.norm(X, axis=1, keepdims=True)\nshow np.linalg.norm(X, ord=np.inf, axis=1)\n\
               A = np.array([[1, -2], [3, 4]])\nshow np.linalg.norm(A, ord=1)\nshow np.linalg.norm(A, ord=np.inf)\n\
               show np.linalg.norm(A, 'fro') ** 2";
    assert_eq!(
        answers(src),
        ["4", "0", "[[5], [10]]", "[4, 8]", "6", "7", "≈ 30.00"]
    );
    // ord=2 of a matrix is its largest singular value: refused, not guessed
    let sol = solve(
        "import numpy as np\nshow np.linalg.norm(np.eye(2), ord=2)",
        &Options::default(),
    );
    assert_eq!(sol.errors.len(), 1);
}

#[test]
fn grids_differences_traces_and_counts() {
    // linspace(0, 1, 5) = [0, 0.25, 0.5, 0.75, 1]; (0, 1, 4) steps by 1/3;
    // endpoint=False by 1/4; retstep gives the step.
    let src = "import numpy as np\nshow np.linspace(0, 1, 5)\nshow np.linspace(0, 1, 4)\n\
               show np.linspace(0, 1, 4, endpoint=False)\nshow np.linspace(2, 3, num=3, retstep=True)[1]\n\
               show np.linspace(5, 6, 1)";
    assert_eq!(
        answers(src),
        [
            "[0, 0.25, 0.5, 0.75, 1]",
            "[0, 1/3, 2/3, 1] ≈ [0, 0.3333, 0.6667, 1]",
            "[0, 0.25, 0.5, 0.75]",
            "0.5",
            "[5]"
        ]
    );
    // diff([1, 4, 9, 16]) = [3, 5, 7], twice [2, 2]; of M along 0 [[3, 3, 3]];
    // trace of arange(1, 10).reshape(3, 3) = 1 + 5 + 9 = 15, offset 1: 2 + 6;
    // count_nonzero of [[0, 1, 2], [0, 0, 3]] = 3, along 0 [0, 1, 2]
    let src = "import numpy as np\nx = [1, 4, 9, 16]\nshow np.diff(x)\nshow np.diff(x, n=2)\n\
               M = np.arange(1, 10).reshape(3, 3)\nshow np.diff(M, axis=0)[0]\nshow np.trace(M)\n\
               show M.trace(offset=1)\nC = np.array([[0, 1, 2], [0, 0, 3]])\nshow np.count_nonzero(C)\n\
               show np.count_nonzero(C, axis=0)\nshow np.column_stack([[1, 2], [3, 4]])";
    assert_eq!(
        answers(src),
        [
            "[3, 5, 7]",
            "[2, 2]",
            "[3, 3, 3]",
            "15",
            "8",
            "3",
            "[0, 1, 2]",
            "[[1, 3], [2, 4]]"
        ]
    );
}

#[test]
fn rounding_masks_and_counting() {
    // np.round half to even: [0.5, 1.5, 2.5, -1.25] → [0, 2, 2, -1]; to 2
    // decimals 0.125 → 0.12, 0.375 → 0.38; np.ceil(-0.5) = -0, math.ceil(1.25) = 2
    let src = "import numpy as np\nimport math\nshow np.round(np.array([0.5, 1.5, 2.5, -1.25]))\n\
               show np.around(np.array([0.125, 0.375]), 2)\nshow np.array([2.5]).round()\n\
               show math.ceil(1.25)\nshow np.ceil(np.array([-0.5, 0.25]))\nshow np.log1p(0)\n\
               show np.power(np.array([2, 3]), 2)";
    assert_eq!(
        answers(src),
        [
            "[0, 2, 2, -1]",
            "[0.12, 0.38]",
            "[2]",
            "2",
            "[0, 1]",
            "0",
            "[4, 9]"
        ]
    );
    // isinf of a causal mask's row; isnan is always False; logical ops
    let src = "import numpy as np\ns = np.array([1, -np.inf, np.inf])\nshow np.isinf(s)\nshow np.isnan(s).any()\n\
               show np.isfinite(s).sum()\na = np.array([1, 0, 1, 0])\nb = np.array([1, 1, 0, 0])\n\
               show np.logical_and(a, b)\nshow np.logical_or(a, b)\nshow np.logical_xor(a, b)\n\
               show np.logical_not(a)\nshow np.array([5, 6, 7, 8])[np.logical_or(a, b)]";
    assert_eq!(
        answers(src),
        [
            "[0, 1, 1]",
            "False",
            "1",
            "[1, 0, 0, 0]",
            "[1, 1, 1, 0]",
            "[0, 1, 1, 0]",
            "[0, 1, 0, 1]",
            "[5, 6, 7]"
        ]
    );
    // bincount([2, 0, 2, 1, 2, 0]) = [2, 1, 3]; minlength 5 pads; weights add
    // unique with counts: ([0, 1, 2], [2, 1, 3]); first indices [1, 3, 0];
    // inverse [2, 0, 2, 1, 2, 0]
    let src = "import numpy as np\nl = np.array([2, 0, 2, 1, 2, 0])\nshow np.bincount(l)\n\
               show np.bincount(l, minlength=5)\nshow np.bincount([0, 1, 1], weights=[0.5, 1, 2])\n\
               c, n = np.unique(l, return_counts=True)\nshow c\nshow n\n\
               show np.unique(l, return_index=True)[1]\nshow np.unique(l, return_inverse=True)[1]";
    assert_eq!(
        answers(src),
        [
            "[2, 1, 3]",
            "[2, 1, 3, 0, 0]",
            "[0.5, 3]",
            "[0, 1, 2]",
            "[2, 1, 3]",
            "[1, 3, 0]",
            "[2, 0, 2, 1, 2, 0]"
        ]
    );
    // array_equal is one Python bool
    let src = "import numpy as np\nshow np.array_equal([1, 2], np.array([1, 2]))\n\
               show np.array_equal([1, 2], [1, 2, 3])\nshow np.array_equal([[1, 2]], [[1, 3]])";
    assert_eq!(answers(src), ["True", "False", "False"]);
}

#[test]
fn where_with_the_condition_alone_is_nonzero() {
    // x = [-2.5, -0.5, 0, 1.5]: x < 0 at 0 and 1; the nonzero elements of
    // [[0, 1], [2, 0]] are at (0, 1) and (1, 0)
    let src = "import numpy as np\nx = np.array([-2.5, -0.5, 0.0, 1.5])\nshow np.where(x < 0)[0]\n\
               M = np.array([[0, 1], [2, 0]])\nr, c = np.nonzero(M)\nshow r\nshow c\nshow M.nonzero()[1]\n\
               show np.argwhere(M)\nshow M[r, c]";
    assert_eq!(
        answers(src),
        [
            "[0, 1]",
            "[0, 1]",
            "[1, 0]",
            "[1, 0]",
            "[[0, 1], [1, 0]]",
            "[1, 2]"
        ]
    );
}

#[test]
fn linear_algebra_is_exact_elimination() {
    // A = [[2, 1], [1, 3]]: det 5, inverse [[3, −1], [−1, 2]]/5, and
    // A x = [3, 5] at x = [4/5, 7/5]; with b as columns the same per column
    let src = "import numpy as np\nA = np.array([[2, 1], [1, 3]])\nshow np.linalg.det(A)\n\
               show np.linalg.inv(A)\nshow np.linalg.solve(A, np.array([3, 5]))\n\
               show np.linalg.solve(A, np.array([[3, 1], [5, 0]]))\nshow np.linalg.inv(A) @ A";
    assert_eq!(
        answers(src),
        [
            "5",
            "[[0.6, -0.2], [-0.2, 0.4]]",
            "[0.8, 1.4]",
            "[[0.8, 0.6], [1.4, -0.2]]",
            "[[1, 0], [0, 1]]"
        ]
    );
    // a zero first pivot needs a row swap: det [[0, 1], [1, 0]] = −1; a 3×3
    // with fractions: det [[1, 1/2, 1/3], [1/2, 1/3, 1/4], [1/3, 1/4, 1/5]]
    // (Hilbert) = 1/2160
    let src = "import numpy as np\nshow np.linalg.det(np.array([[0, 1], [1, 0]]))\n\
               H = np.array([[1, 1/2, 1/3], [1/2, 1/3, 1/4], [1/3, 1/4, 1/5]])\nshow np.linalg.det(H)\n\
               show np.linalg.inv(H)[0]";
    assert_eq!(answers(src), ["-1", "1/2160 ≈ 0.0004630", "[9, -36, 30]"]);
    // matrix powers: [[1, 1], [0, 1]]^5 = [[1, 5], [0, 1]]; ^0 = I;
    // diag(2, 4)^−2 = diag(1/4, 1/16); a Markov matrix cubed, row 0:
    // [0.5, 0.5] → [0.375, 0.625] → [0.34375, 0.65625]
    let src = "import numpy as np\nJ = np.array([[1, 1], [0, 1]])\nshow np.linalg.matrix_power(J, 5)\n\
               show np.linalg.matrix_power(J, 0)\nshow np.linalg.matrix_power(np.array([[2, 0], [0, 4]]), -2)\n\
               P = np.array([[0.5, 0.5], [0.25, 0.75]])\nshow np.linalg.matrix_power(P, 3)[0]";
    assert_eq!(
        answers(src),
        [
            "[[1, 5], [0, 1]]",
            "[[1, 0], [0, 1]]",
            "[[0.25, 0], [0, 0.0625]]",
            "[0.34375, 0.65625]"
        ]
    );
    // singular: numpy's LinAlgError, an error here; det of it is 0
    for call in ["inv(S)", "solve(S, [1, 2])", "matrix_power(S, -1)"] {
        let src =
            format!("import numpy as np\nS = np.array([[1, 2], [2, 4]])\nshow np.linalg.{call}");
        let sol = solve(&src, &Options::default());
        assert_eq!(sol.errors.len(), 1, "{call}");
        assert!(sol.errors[0].message.contains("Singular"), "{call}");
    }
    assert_eq!(
        answers("import numpy as np\nshow np.linalg.det(np.array([[1, 2], [2, 4]]))"),
        ["0"]
    );
}

#[test]
fn pythons_sorted_min_and_max_take_a_key() {
    // sorted by key, stable also when reversed: equal keys keep their order
    let src =
        "s = [72, 95, 88, 61]\nshow sorted(range(len(s)), key=lambda i: s[i], reverse=True)\n\
               show sorted([(1, 'b'), (0, 'a'), (1, 'a')], key=lambda p: p[0], reverse=True)\n\
               show sorted([(1, 'b'), (0, 'a'), (1, 'a')])\nshow sorted([3, 1, 2], reverse=True)";
    assert_eq!(
        answers(src),
        [
            "[1, 2, 0, 3]",
            "[(1, \"b\"), (1, \"a\"), (0, \"a\")]",
            "[(0, \"a\"), (1, \"a\"), (1, \"b\")]",
            "[3, 2, 1]"
        ]
    );
    // max([3, 1, 2]) = 3; the first of equal keys wins; min of the
    // arguments; default for an empty list; lists compare item by item
    let src = "s = [5, 9, 1, 9]\nshow max([3, 1, 2])\nshow max(range(4), key=lambda i: s[i])\n\
               show min(range(4), key=lambda i: abs(s[i] - 6))\nshow min(4, 2, 8)\nshow max([], default=-1)\n\
               show max([(1, 5), (2, 0)])\nshow max(['b', 'ab'], key=len)";
    assert_eq!(answers(src), ["3", "1", "0", "2", "-1", "(2, 0)", "\"ab\""]);
    // lists of lists: Python compares them item by item; refused, not read
    // as an array
    let sol = solve("show max([[1, 5], [2, 0]])", &Options::default());
    assert_eq!(sol.errors.len(), 1);
    assert_eq!(sol.errors[0].kind, ErrorKind::Value);
    // a tensor alone is numpy's reduction; two tensors elementwise
    let src = "import numpy as np\nshow max(np.array([1, 4, 2]))\nshow max(np.array([1, 4]), np.array([3, 0]))";
    assert_eq!(answers(src), ["4", "[3, 4]"]);
}

#[test]
fn list_tuple_reversed_bool_and_isclose() {
    // list(zip(…))[1] = (8, 0.25); tuple of a list; reversed as a list;
    // bool: Python's truth
    let src = "import math\nv = [4, 8]\nw = [0.5, 0.25]\nshow list(zip(v, w))[1]\nshow tuple(v)\n\
               show reversed([1, 2, 3])\nshow list(range(3))\nshow bool(0)\nshow bool([0])\nshow list()\n\
               show math.isclose(math.sqrt(2) ** 2, 2)\nshow math.isclose(1, 1.001)\n\
               show math.isclose(1, 1.001, rel_tol=0.01)\nshow math.isclose(0, 1e-12, abs_tol=1e-9)";
    assert_eq!(
        answers(src),
        [
            "(8, 0.25)",
            "(4, 8)",
            "[3, 2, 1]",
            "[0, 1, 2]",
            "False",
            "True",
            "[]",
            "True",
            "False",
            "True",
            "True"
        ]
    );
}

#[test]
fn mask_assignment_and_integer_kinds_of_built_ins() {
    // x[x > 2] = 0 on [1, 3, 5] is [1, 0, 0]; s[mask] = -inf masks in place.
    // np.arange(3) is int64: a[0] = 0.5 stores 0; np.arange(0, 1, 0.5) is float.
    let src = "import numpy as np\nx = np.array([1, 3, 5])\nx[x > 2] = 0\nshow x\n\
               s = np.zeros((2, 2))\ns[np.triu(np.ones((2, 2), dtype=bool), k=1)] = -np.inf\nshow s\n\
               a = np.arange(3)\na[0] = 0.5\nshow a\nf = np.arange(0, 1, 0.5)\nf[0] = 0.25\nshow f\n\
               i = np.argmax(np.array([1, 9]))\nb = np.array([2, 2])\nb[i] = 7.5\nshow b";
    assert_eq!(
        answers(src),
        [
            "[1, 0, 0]",
            "[[0, -inf], [0, 0]]",
            "[0, 1, 2]",
            "[0.25, 0.5]",
            "[2, 7]"
        ]
    );
}

#[test]
fn items_of_a_weight_list_are_differentiated_through_the_list() {
    // L = (w0·w1)² with w = [1, 2]: ∂L/∂w = [2·w0·w1·w1, 2·w0·w1·w0] = [8, 4];
    // M = W[1][0]·W[0][1]: ∂M/∂W = [[0, 3], [2, 0]]. A gradient of a gradient
    // is refused by name (it was a confusing "not computed from").
    let src = "w = [1, 2]\nL = (w[0] * w[1])**2\nshow grad(L, w)\nW = [[1, 2], [3, 4]]\n\
               M = W[1][0] * W[0][1]\nshow grad(M, W)\nshow [True, False][0]";
    assert_eq!(answers(src), ["[8, 4]", "[[0, 3], [2, 0]]", "True"]);
    let sol = solve(
        "w = [1, 2]\nL = (w[0] * w[1])**2\ng = grad(L, w)\nshow grad(g[0], w)",
        &Options::default(),
    );
    assert_eq!(sol.errors.len(), 1);
    assert!(
        sol.errors[0].message.contains("second derivatives"),
        "{}",
        sol.errors[0].message
    );
}
