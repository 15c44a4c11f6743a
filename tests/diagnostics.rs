//! Every kind of bad input gets a diagnostic with its place in the source,
//! the message, and a hint where one helps — never a panic.

use gradwork::lang::{line_col, solve, ErrorKind, LangError, Options};

/// The single error of `src`, with its 1-based line and column.
fn error_of(src: &str) -> (LangError, (usize, usize)) {
    let sol = solve(src, &Options::default());
    assert_eq!(sol.errors.len(), 1, "{src:?} gave {:?}", sol.errors);
    let e = sol.errors[0].clone();
    let at = line_col(src, e.span.start);
    (e, at)
}

fn underlined(src: &str, e: &LangError) -> String {
    src[e.span.start..e.span.end].to_string()
}

#[test]
fn syntax_error() {
    let src = "# t\nx = (1 +\n";
    let (e, at) = error_of(src);
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!(e.message, "this `(` is never closed");
    assert_eq!(e.hint.as_deref(), Some("close it with `)`"));
    assert_eq!(at, (2, 5));
    insta::assert_snapshot!("syntax_error", e.render("t.gw", src, false));
    let (e2, at2) = error_of("x = 1 +\n");
    assert_eq!(
        e2.message,
        "expected an expression, found the end of the line"
    );
    assert_eq!(at2, (1, 8));
}

#[test]
fn unknown_name_suggests_the_near_one() {
    let src = "s = 1\np = sigmoud(s)\n";
    let (e, at) = error_of(src);
    assert_eq!(e.kind, ErrorKind::Name);
    assert_eq!(e.message, "`sigmoud` is not defined");
    assert_eq!(e.hint.as_deref(), Some("did you mean `sigmoid`?"));
    assert_eq!(at, (2, 5));
    assert_eq!(underlined(src, &e), "sigmoud");
    insta::assert_snapshot!("unknown_name", e.render("t.gw", src, false));
}

#[test]
fn wrong_argument_lists_the_parameters() {
    let src = "f = conv1d([1, 2, 3], [1, 1], strid=2)\n";
    let (e, _) = error_of(src);
    assert_eq!(e.kind, ErrorKind::Type);
    assert_eq!(e.message, "conv1d() has no parameter `strid`");
    assert_eq!(underlined(src, &e), "strid=2");
    assert!(e.hint.unwrap().contains("stride"));
    let (e, _) = error_of("h = rnn([[1]], [[1]], [[1]], act=\"softmax\")\n");
    assert_eq!(e.message, "unknown activation \"softmax\"");
    assert_eq!(
        e.hint.as_deref(),
        Some("use identity, relu, tanh or sigmoid")
    );
    let (e, _) = error_of("d = retrieve([[1]], [1], 1, metric=3)\n");
    assert_eq!(e.message, "`metric` must be a distance, got a number");
    let (e, _) = error_of("def f(a, b):\n    return a + b\ny = f(1)\n");
    assert_eq!(e.message, "f() is missing the argument `b`");
}

#[test]
fn shape_mismatch_names_both_shapes() {
    let src = "a = [1, 2]\nb = [1, 2, 3]\nc = a - b\n";
    let (e, at) = error_of(src);
    assert_eq!(e.kind, ErrorKind::Shape);
    assert_eq!(e.message, "shape mismatch in −: [2] and [3]");
    assert_eq!(at, (3, 5));
    assert_eq!(underlined(src, &e), "a - b");
    insta::assert_snapshot!("shape_mismatch", e.render("t.gw", src, false));
    let (e, _) = error_of("W = [[1, 2], [3, 4]]\nx = [1, 2, 3]\ny = W @ x\n");
    assert_eq!(e.message, "shape mismatch in @: [2, 2] and [3]");
}

#[test]
fn division_by_zero() {
    let src = "x = 1 / (2 - 2)\n";
    let (e, _) = error_of(src);
    assert_eq!(e.kind, ErrorKind::Value);
    assert_eq!(e.message, "division by zero");
    assert_eq!(underlined(src, &e), "1 / (2 - 2)");
}

#[test]
fn runaway_loop_hits_the_step_limit() {
    let src = "x = 0\nwhile True:\n    x = x + 1\n";
    let opts = Options {
        step_limit: 10_000,
        ..Options::default()
    };
    let sol = solve(src, &opts);
    let e = &sol.errors[0];
    assert_eq!(e.kind, ErrorKind::Limit);
    assert_eq!(e.message, "the program ran more than 10000 steps");
    // the diagnostic points into the loop
    assert!(line_col(src, e.span.start).0 >= 2, "{:?}", e.span);
    let (e, _) = error_of("def f(n):\n    return f(n + 1)\ny = f(0)\n");
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(e.message.contains("more than 200 deep"), "{}", e.message);
}

#[test]
fn enormous_numbers_are_refused() {
    let src = "x = 10 ** 100000\n";
    let (e, _) = error_of(src);
    assert_eq!(e.kind, ErrorKind::Limit);
    assert_eq!(underlined(src, &e), "10 ** 100000");
    assert!(e.message.starts_with("number too large"), "{}", e.message);
    let (e, _) = error_of("x = 1e999999\n");
    assert_eq!(e.kind, ErrorKind::Limit);
    let (e, _) = error_of("x = exp(1000)\n");
    assert!(e.message.contains("overflows"), "{}", e.message);
}

#[test]
fn huge_tensors_are_refused_before_allocating() {
    for src in [
        "x = zeros([100000, 100000])\n",
        "x = eye(10**6)\n",
        "a = zeros([100000, 1])\nb = zeros([100000])\nc = a + b\n",
        "x = arange(10**9)\n",
        // zero elements, but 2⁶² along the other axis: still refused
        "x = zeros([0, 2**62, 4])\n",
        "x = zeros([2**40, 0]) + 1\n",
        "x = full([0, 10**18, 10**18], 1)\n",
    ] {
        let (e, _) = error_of(src);
        assert!(
            e.message.contains("2097152 elements"),
            "{src}: {}",
            e.message
        );
    }
    // Work is bounded as well as size: a 1000×1000 exact product, padding
    // of a billion, a layer of 10¹⁰ weights.
    for (src, want) in [
        (
            "A = ones([200, 200]) / 3\nB = A @ A\n",
            "needs about 16000000 units of work, more than the whole budget",
        ),
        ("x = conv1d([1], [1], padding=10**9)\n", "beyond any input"),
        // A layer is made when used (counting its parameters needs none).
        (
            "m = linear(input=10**5, output=10**5)\nW = m.weight\n",
            "2097152 elements",
        ),
        ("d = diag(ones(10**5))\n", "2097152 elements"),
        // 1000 stride-1 windows over 10⁵ samples: 10⁸ copies
        ("y = conv1d(ones(100000), ones(1000))\n", "taps"),
        (
            "m = lstm(2, 2, num_layers=10**6)\n",
            "1000000 cells (layers × directions) are more than 65536",
        ),
        (
            "m = lstm(2000, 2000, num_layers=10)\nW = m.W_ih_l0\n",
            "2097152 elements",
        ),
    ] {
        let (e, _) = error_of(src);
        assert!(e.message.contains(want), "{src}: {}", e.message);
    }
    let (e, _) = error_of("h = rnn([[1]], 1, [[1]])\n");
    assert_eq!(e.message, "rnn: W_hh must have shape [1·H, H], got []");
}

#[test]
fn bad_literals_and_layout() {
    let (e, _) = error_of("x = 12abc\n");
    assert_eq!(e.message, "a number runs into a name");
    let (e, at) = error_of("if True:\n    x = 1\n  y = 2\n");
    assert_eq!(
        e.message,
        "this line's indentation matches no enclosing block"
    );
    assert_eq!(at.0, 3);
    let (e, _) = error_of("return 1\n");
    assert_eq!(e.message, "`return` outside a function");
    let (e, _) = error_of("x = \"open\n");
    assert_eq!(e.message, "this string is not closed on its line");
    let (e, _) = error_of("x = [1, [2, 3]] + 1\n");
    assert_eq!(e.kind, ErrorKind::Shape);
}

#[test]
fn uncertain_comparisons_say_so() {
    let src = "check sqrt(2)**2 == 2\n";
    let (e, _) = error_of(src);
    assert_eq!(e.kind, ErrorKind::Value);
    assert!(e.message.starts_with("cannot decide"), "{}", e.message);
    assert!(e.hint.unwrap().contains("allclose"));
}

#[test]
fn failed_checks_report_the_values() {
    let src = "x = 2\ncheck x == 3, \"x should be 3\"\n";
    let (e, at) = error_of(src);
    assert_eq!(e.kind, ErrorKind::Check);
    assert_eq!(
        e.message,
        "`x == 3` does not hold: x should be 3 (with the values: 2 == 3)"
    );
    assert_eq!(at, (2, 7));
}

#[test]
fn fuzzed_inputs_never_panic() {
    // Prefixes of the seed exercises cut at every byte are mostly bad input;
    // each must give a solution (possibly with errors), never a panic.
    for n in 1..=5 {
        let src = std::fs::read_to_string(format!(
            "{}/exercises/seed/task{n}.gw",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        for cut in (0..src.len())
            .filter(|&i| src.is_char_boundary(i))
            .step_by(7)
        {
            let _ = solve(&src[..cut], &Options::default());
        }
    }
}

#[test]
fn deep_nesting_and_long_chains_are_safe() {
    let deep = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let (e, _) = error_of(&deep);
    assert!(
        e.message.contains("nests more than 200 levels"),
        "{}",
        e.message
    );
    let chain = format!("x = 0{}\n", " + 1".repeat(5000));
    assert!(error_of(&chain)
        .0
        .message
        .contains("nests more than 200 levels"));
    let ok = format!("show x = 0{}\n", " + 1".repeat(150));
    let sol = solve(&ok, &Options::default());
    assert_eq!(sol.answers[0].text, "150");
    let minus = format!("x = {}1\n", "-".repeat(5000));
    assert_eq!(error_of(&minus).0.kind, ErrorKind::Syntax);
    // A 200000-step recurrence builds and drops a long graph without
    // exhausting the stack.
    let opts = Options {
        limits: gradwork::budget::Limits {
            work: 1 << 24,
            ..Default::default()
        },
        ..Options::default()
    };
    let sol = solve(
        "x = 0\nfor i in range(200000):\n    x = x + 1\nshow x\n",
        &opts,
    );
    assert!(sol.ok(), "{:?}", sol.errors);
    assert_eq!(sol.answers[0].text, "200000");
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    const TOKENS: &[&str] = &[
        "(",
        ")",
        "[",
        "]",
        ",",
        ":",
        "=",
        "+",
        "**",
        "@",
        "-",
        "/",
        "//",
        "def ",
        "return ",
        "\n",
        "    ",
        "x",
        "0",
        "1e999",
        "1/0",
        "grad(",
        "show ",
        "for i in range(3):\n",
        "'",
        "\"",
        "#",
        ";",
        ".T",
        "[-1]",
        "None",
        "relu",
        "lstm(input=2, hidden=3)",
        "params(",
        "sqrt(",
        "exp(",
        "E[",
        "np.",
        "sp.special.",
        " if ",
        " else ",
        "not ",
        "while True:\n    ",
        "check ",
        "[[1, 2], [3]]",
        "axis=",
        "k=0",
        "h[",
        "w",
        "b",
        ".shape[9]",
        "10**10",
        "-1e-30",
    ];

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 300,
            rng_seed: proptest::test_runner::RngSeed::Fixed(7),
            ..ProptestConfig::default()
        })]

        /// Random edits of the seed exercises give diagnostics, never panics.
        #[test]
        fn random_edits_never_panic(
            task in 1usize..=5,
            edits in prop::collection::vec((0.0f64..1.0, 0usize..TOKENS.len(), 0usize..6, any::<bool>()), 1..6),
        ) {
            let path = format!("{}/exercises/seed/task{task}.gw", env!("CARGO_MANIFEST_DIR"));
            let mut src = std::fs::read_to_string(path).unwrap();
            for (at, tok, del, insert) in edits {
                let mut i = (at * src.len() as f64) as usize;
                while !src.is_char_boundary(i) {
                    i -= 1;
                }
                if insert {
                    src.insert_str(i, TOKENS[tok]);
                } else {
                    let mut j = (i + del).min(src.len());
                    while !src.is_char_boundary(j) {
                        j += 1;
                    }
                    src.replace_range(i..j, "");
                }
            }
            let opts = Options { step_limit: 20_000, ..Options::default() };
            let sol = solve(&src, &opts);
            for e in &sol.errors {
                // every diagnostic points inside the source
                prop_assert!(e.span.start <= e.span.end && e.span.end <= src.len());
                let _ = e.render("fuzz.gw", &src, false);
            }
        }
    }
}

#[test]
fn deep_nesting_is_a_syntax_error_not_a_stack_overflow() {
    // Python itself refuses these: a compound statement after `:` on the
    // same line, more than 100 levels of indentation, and (in its compiler)
    // chains thousands of levels deep.
    let one_line = format!("{}x = 1\n", "if True: ".repeat(6000));
    let defs: String = (0..20_000)
        .map(|i| format!("{}def f{i}():\n", " ".repeat(i)))
        .collect::<String>()
        + &" ".repeat(20_000)
        + "return 1\n";
    let attrs = format!("x = [[1]]\ny = x{}\n", ".T".repeat(100_000));
    let calls = format!("def f():\n    return f\ny = f{}\n", "()".repeat(100_000));
    for (src, want) in [
        (one_line, "simple statements only"),
        (defs, "too many levels of indentation"),
        (attrs, "nests more than"),
        (calls, "nests more than"),
    ] {
        let sol = solve(&src, &Options::default());
        assert_eq!(sol.errors.len(), 1, "{want}");
        assert_eq!(sol.errors[0].kind, ErrorKind::Syntax);
        assert!(
            sol.errors[0].message.contains(want),
            "{}",
            sol.errors[0].message
        );
    }
    // 150 chained attributes are fine.
    let ok = format!("x = [[1]]\nshow x{}\n", ".T".repeat(150));
    assert!(solve(&ok, &Options::default()).errors.is_empty());
}

#[test]
fn time_strings_and_stray_keywords_are_bounded() {
    // A loop that never ends stops at the wall-time budget (here 50 ms).
    let opts = Options {
        limits: gradwork::budget::Limits {
            timeout: std::time::Duration::from_millis(50),
            ..Default::default()
        },
        ..Options::default()
    };
    let sol = solve("x = 0\nwhile True:\n    x = x + 1\n", &opts);
    assert_eq!(sol.errors.len(), 1);
    assert_eq!(sol.errors[0].kind, ErrorKind::Limit);
    assert!(
        sol.errors[0].message.contains("longer than"),
        "{}",
        sol.errors[0].message
    );
    // Doubling a string thirty times would be a gigabyte.
    let (e, _) = error_of("s = \"a\"\nfor i in range(30):\n    s = s + s\n");
    assert_eq!(e.kind, ErrorKind::Limit);
    // An activation refuses a keyword it does not have (it was ignored).
    let (e, _) = error_of("y = sigmoid(1, foo=2)\n");
    assert_eq!(e.message, "sigmoid() has no parameter `foo`");
}

#[test]
fn self_nested_lists_are_refused_as_arrays_not_built() {
    // t = [t] a hundred times is a fine list, but an array of 100 dimensions
    // is more than 64; [t, t] twenty-five times would be 2²⁵ elements.
    let (e, _) = error_of("t = 1\nfor i in range(100):\n    t = [t]\nn = array(t).ndim\n");
    assert!(e.message.contains("more than 64"), "{}", e.message);
    let (e, _) = error_of("t = 1\nfor i in range(25):\n    t = [t, t]\nn = array(t).shape\n");
    assert!(e.message.contains("2097152 elements"), "{}", e.message);
    // A long loop that appends to a string stops at 64 KiB, quickly.
    let (e, _) = error_of("s = \"\"\nfor i in range(1000000):\n    s = s + \"x\"\n");
    assert_eq!(e.kind, ErrorKind::Limit);
}
