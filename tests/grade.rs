//! `gradwork grade`: hand-made submissions for every seed task, marked
//! against the seed keys. The expected marks are derived by hand in the
//! comments, the follow-through values too; task 3's values (softmax) come
//! from plain Python in tests/grading/task3_submissions.py.

use std::process::Command;

use serde_json::Value;

fn grade(key: &str, sub: &str, format: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gradwork"))
        .args(["grade", key, sub, "--format", format])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn report(key: &str, sub: &str) -> Value {
    let (code, out, err) = grade(key, sub, "json");
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn status<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

const TASK2: &str = "exercises/seed/task2.gw";
const TASK4: &str = "exercises/seed/task4.gw";

#[test]
fn all_correct_earns_every_mark() {
    // 166/5 is 33.2: a fraction string and a decimal are the same value.
    let r = report(TASK2, "tests/grading/task2_correct.json");
    assert_eq!(r["score"], 5.0);
    assert_eq!(r["max_score"], 5.0);
}

#[test]
fn an_early_slip_is_carried_forward() {
    // f_p2 = [3, 3, 3, 2] (wrong). Carried forward: f_p1 − f_p2 =
    // [−2, −2, −2, −1], L = 4 + 4 + 4 + 1 = 13; ∂L/∂f_p1 = [−4, −4, −4, −2],
    // ∂L/∂f_p2 = [4, 4, 4, 2]; ∂L/∂w_j = Σᵢ ∂L/∂f_p1[i]·x_p1[i+j] +
    // Σᵢ ∂L/∂f_p2[i]·x_p2[i+j] = −15.2 + 43.8, −15.2 + 43.8, −15.8 + 42.6 =
    // [28.6, 28.6, 26.8]; ∂L/∂b = −14 + 14 = 0, as in the key.
    let r = report(TASK2, "tests/grading/task2_slip.json");
    assert_eq!(status(&r, "f_p1")["status"], "correct");
    assert_eq!(status(&r, "f_p2")["status"], "wrong");
    assert_eq!(status(&r, "L")["status"], "follow-through");
    assert_eq!(status(&r, "L")["carried_from"], serde_json::json!(["f_p2"]));
    assert_eq!(status(&r, "grad(L, w)")["status"], "follow-through");
    assert_eq!(status(&r, "grad(L, b)")["status"], "correct");
    assert_eq!(r["score"], 4.0);
    // A value that is neither the key's nor follows from the student's is wrong.
    let dir = std::env::temp_dir().join(format!("gw-grade-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"f_p2": [3, 3, 3, 2], "L": 14}"#).unwrap();
    let r = report(TASK2, bad.to_str().unwrap());
    assert_eq!(status(&r, "L")["status"], "wrong");
    assert_eq!(status(&r, "f_p1")["status"], "missing");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn zeros_earn_nothing() {
    // Every value 0: L = 0 follows from zeros carried forward but is
    // trivial, and grad(L, b) = 0 is right only by accident.
    let r = report(TASK2, "tests/grading/task2_zeros.json");
    assert_eq!(r["score"], 0.0);
    assert!(status(&r, "L")["feedback"]
        .as_str()
        .unwrap()
        .contains("trivial"));
}

#[test]
fn known_slips_are_named() {
    // C transposed ([2, 3] for the [3, 2] centroids); r given as the
    // 1-based rows [4, 7, 2, 5, 6] where the indices [3, 6, 1, 4, 5] are
    // asked; everything else right: 5 of 7.
    let r = report(TASK4, "tests/grading/task4_slips.json");
    assert_eq!(r["score"], 5.0);
    assert_eq!(r["max_score"], 7.0);
    assert_eq!(status(&r, "C")["mistake"], "the matrix is transposed");
    assert!(status(&r, "r")["mistake"]
        .as_str()
        .unwrap()
        .starts_with("1-based"));
    // P = 3/5 as a fraction string is 0.6.
    assert_eq!(status(&r, "P")["status"], "correct");
    // The sign of a gradient.
    let dir = std::env::temp_dir().join(format!("gw-grade-sign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sub = dir.join("sign.json");
    std::fs::write(&sub, r#"{"grad(L, w)": [-33.2, -33.2, -29.6]}"#).unwrap();
    let r = report(TASK2, sub.to_str().unwrap());
    assert_eq!(status(&r, "grad(L, w)")["mistake"], "the sign is flipped");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_students_own_exercise_is_a_submission() {
    // Its answers by name: f_p1 right, f_p2 slipped, L = 13 follows.
    let r = report(TASK2, "tests/grading/task2_student.gw");
    assert_eq!(status(&r, "f_p1")["status"], "correct");
    assert_eq!(status(&r, "L")["status"], "follow-through");
    assert_eq!(r["score"], 2.0);
}

#[test]
fn gradescope_results_and_bad_input() {
    let (code, out, _) = grade(TASK2, "tests/grading/task2_slip.json", "gradescope");
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["score"], 4.0);
    let tests = j["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 5);
    assert!(tests
        .iter()
        .all(|t| t["max_score"] == 1.0 && t["name"].is_string()));
    // A submission that is not JSON, or a value that is not a number.
    let dir = std::env::temp_dir().join(format!("gw-grade-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in [
        ("a.json", "{not json"),
        ("b.json", r#"{"L": "sixteen"}"#),
        ("c.json", "[1, 2]"),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        let (code, _, err) = grade(TASK2, p.to_str().unwrap(), "text");
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(name), "{err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_carried_value_takes_effect_where_the_key_shows_it() {
    // Key: x = 2, y = 3·x = 6, then `show x = x + 1` (3) and z = x·y = 18.
    // A student with x = 4 carried forward has z = 4·6 = 24: the earlier
    // binding x = 2 (and so y = 6) is not touched by the student's x.
    let dir = std::env::temp_dir().join(format!("gw-grade-at-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("key.gw");
    std::fs::write(&key, "x = 2\ny = x * 3\nshow x = x + 1\nshow z = x * y\n").unwrap();
    let sub = dir.join("sub.json");
    std::fs::write(&sub, r#"{"x": 4, "z": 24}"#).unwrap();
    let r = report(key.to_str().unwrap(), sub.to_str().unwrap());
    assert_eq!(status(&r, "x")["status"], "wrong");
    assert_eq!(status(&r, "z")["status"], "follow-through", "{r}");
    // 48 would be x = 4 pushed into the first binding as well: wrong.
    std::fs::write(&sub, r#"{"x": 4, "z": 48}"#).unwrap();
    let r = report(key.to_str().unwrap(), sub.to_str().unwrap());
    assert_eq!(status(&r, "z")["status"], "wrong");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_working_is_rewritten_from_the_students_values() {
    let (code, out, err) = grade(TASK2, "tests/grading/task2_slip.json", "text");
    assert_eq!(code, 0, "{err}");
    let worked = &out[out.find("the key from your values").expect("the working")..];
    // The carried value is the student's, and says so; the key's own is
    // named, not shown as the formula's result.
    assert!(
        worked.contains("f_p2 = your value, carried forward"),
        "{worked}"
    );
    assert!(
        worked.contains("the key computes [3, 3, 3, 3] here"),
        "{worked}"
    );
    assert!(!worked
        .contains("f[3] = 3.3·(1/3) + 3.3·(1/3) + 2.7·(1/3) + (-0.1) = 3\n     = [3, 3, 3, 2]"));
    // L = 13 and ∂L/∂w = [28.6, 28.6, 26.8], as derived by hand above.
    assert!(worked.contains("= 13"), "{worked}");
    assert!(worked.contains("[28.6, 28.6, 26.8]"), "{worked}");
    assert!(!worked.contains("did not pass the self-check"), "{worked}");
}

#[test]
fn a_slip_in_a_recurrence_is_carried_to_its_probability() {
    // h⁽³⁾ = −3 (the last number 11 taken as even): s = 1·(−3) − 1/2 = −7/2,
    // p = σ(−3.5) = 1/(1 + e^3.5) = 1/34.11545… ≈ 0.029312, written 0.0293
    // (within the default tolerance of an approximate value); d = [p ≥ 1/2]
    // = 0 either way, so it is simply correct.
    let r = report("exercises/seed/task1.gw", "tests/grading/task1_slip.json");
    assert_eq!(status(&r, "h")["status"], "wrong");
    assert_eq!(status(&r, "s")["status"], "follow-through", "{r}");
    assert_eq!(status(&r, "p")["status"], "follow-through", "{r}");
    assert_eq!(status(&r, "d")["status"], "correct");
    assert_eq!(r["score"], 11.0);
    assert_eq!(r["max_score"], 12.0);
}

#[test]
fn task5_the_relu_forgotten_and_the_bias_count() {
    // By hand: h⁽⁰⁾ = [10000, 5000, 765]; x = [1000, 0] gives
    // [11000, 5000, 10000 − 5000 + 1000] = [11000, 5000, 6000]; x = [1000,
    // 3500] gives [8500, 5000, 3500]; x = [0, 4000] gives [4500, 5000,
    // relu(8500 − 5000 − 4000)] = [4500, 5000, 0]. A student without the
    // relu writes −500 there: wrong. An LSTM(2, 3) has 4·(3·2 + 3·3 + 3) = 72
    // parameters with one bias per gate (the textbook), 84 with PyTorch's
    // two: 84 for the first is wrong, for the second right. The design fails
    // on a balance of exactly 0 (False) and the fix holds (True).
    let r = report("exercises/seed/task5.gw", "tests/grading/task5_mixed.json");
    assert_eq!(status(&r, "h")["status"], "wrong");
    // h₁ and h₂ are right, so the balance h₁ − h₂ = 4500 − 5000 is too.
    assert_eq!(status(&r, "balance")["status"], "correct");
    let count = status(&r, "params(lstm(input=2, hidden=3))");
    assert_eq!(count["status"], "wrong");
    assert!(count["mistake"]
        .as_str()
        .unwrap()
        .starts_with("PyTorch's count is used"));
    assert_eq!(
        status(
            &r,
            "params(lstm(input=2, hidden=3), convention=\"pytorch\")"
        )["status"],
        "correct"
    );
    assert_eq!(r["score"], 7.0);
    assert_eq!(r["max_score"], 9.0);
}

const SEED: [&str; 5] = [
    "exercises/seed/task1.gw",
    "exercises/seed/task2.gw",
    "exercises/seed/task3.gw",
    "exercises/seed/task4.gw",
    "exercises/seed/task5.gw",
];

#[test]
fn every_seed_task_all_correct_earns_every_mark() {
    // Values by hand: task 1 from the seed's notes (h = [−1, −2, −1],
    // s = −1.5, p = σ(−1.5) = 0.18242552…, d = 0); task 3 by plain Python;
    // task 4 by hand (centroids [−1, 3], [2, −2], [2, 2]; L1 distances to
    // q = [1, 0] of rows 0…6: 6, 4, 5, 1, 4, 4, 1, so r = [3, 6, 1, 4, 5]
    // in the stable order, P = 3/5, R = 3/3); task 5 in the test above.
    for (key, sub, marks) in [
        (SEED[0], "tests/grading/task1_correct.json", 12.0),
        (SEED[1], "tests/grading/task2_correct.json", 5.0),
        (SEED[2], "tests/grading/task3_correct.json", 8.0),
        (SEED[3], "tests/grading/task4_correct.json", 7.0),
        (SEED[4], "tests/grading/task5_correct.json", 9.0),
    ] {
        let r = report(key, sub);
        assert_eq!(r["score"], marks, "{key}: {r}");
        assert_eq!(r["max_score"], marks, "{key}");
    }
}

#[test]
fn every_seed_task_gives_nothing_for_zeros() {
    // A zero of the right shape for every answer of the key.
    fn zeros(v: &Value) -> Value {
        match v {
            Value::Array(xs) => Value::Array(xs.iter().map(zeros).collect()),
            _ => Value::from(0),
        }
    }
    let dir = std::env::temp_dir().join(format!("gw-grade-zeros-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for key in SEED {
        let out = Command::new(env!("CARGO_BIN_EXE_gradwork"))
            .args(["solve", key, "--format", "json"])
            .output()
            .unwrap();
        let solved: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut sub = serde_json::Map::new();
        for a in solved[0]["answers"].as_array().unwrap() {
            sub.insert(a["id"].as_str().unwrap().to_string(), zeros(&a["value"]));
        }
        let path = dir.join("zeros.json");
        std::fs::write(&path, Value::Object(sub).to_string()).unwrap();
        let r = report(key, path.to_str().unwrap());
        assert_eq!(r["score"], 0.0, "{key}: {r}");
        assert!(r["max_score"].as_f64().unwrap() >= 5.0);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_seed_task_carries_an_early_slip_forward() {
    // Task 1 (h → s, p), task 2 (f_p2 → L, ∂L/∂w) and task 5 (h → balance)
    // are checked above and below. Task 3: V = [[2, 3], [1, 1], [0, 0]]
    // (−1 written as 1) gives X_att = A·V with the key's A (plain Python).
    let r = report(SEED[2], "tests/grading/task3_slip.json");
    assert_eq!(status(&r, "V")["status"], "wrong");
    assert_eq!(status(&r, "X_att")["status"], "follow-through", "{r}");
    assert_eq!(r["score"], 7.0);
    // Task 4: r = [3, 6, 1, 4, 2] (row 2, at L1 distance 5, for row 5 at
    // 4): rows = r + 1 = [4, 7, 2, 5, 3]; its labels 1, 2, 0, 2, 1 hold two
    // of class 2's three: P = 2/5, R = 2/3.
    let r = report(SEED[3], "tests/grading/task4_carried.json");
    assert_eq!(status(&r, "r")["status"], "wrong");
    for id in ["rows", "P", "R"] {
        assert_eq!(status(&r, id)["status"], "follow-through", "{id}: {r}");
    }
    assert_eq!(r["score"], 6.0);
}

#[test]
fn mistakes_in_the_program_are_named() {
    // Task 2 without the bias b = −0.1: f = (1 + 1 + 1.3)/3 = 1.1 and
    // (3.3 + 3.3 + 2.7)/3 = 3.1; L as a mean of the four squares (2²) is 4
    // for the sum's 16, and its gradient a quarter of the key's:
    // [8.3, 8.3, 7.4]. The bias cancels in ∂L/∂b = 0: right.
    let r = report(TASK2, "tests/grading/task2_mistakes.json");
    assert_eq!(status(&r, "f_p1")["mistake"], "the bias b is left out");
    assert_eq!(status(&r, "f_p2")["mistake"], "the bias b is left out");
    assert_eq!(
        status(&r, "L")["mistake"],
        "a mean is taken where the sum is meant"
    );
    assert_eq!(
        status(&r, "grad(L, w)")["mistake"],
        "a mean is taken where the sum is meant"
    );
    assert_eq!(r["score"], 1.0);
    // Task 3 with the softmax over the columns (plain Python).
    let r = report(SEED[2], "tests/grading/task3_axis.json");
    assert_eq!(
        status(&r, "X_att")["mistake"],
        "softmax is taken over the wrong axis (axis=0 for axis=1)"
    );
    // Task 5 with W_hh transposed, by hand: rows [1, 0, 1], [0, 1, −1],
    // [0, 0, 0]; h⁽¹⁾ = [10000 + 765 + 1000, 5000 − 765, 1000] =
    // [11765, 4235, 1000]; h⁽²⁾ = relu([12765 − 2500, 3235, −2500]) =
    // [10265, 3235, 0]; h⁽³⁾ = relu([10265 − 4000, 3235, −4000]) =
    // [6265, 3235, 0]; the balance from it, 6265 − 3235 = 3030, follows.
    // PyTorch's LSTM given the textbook's count (72 for 84). The parameters
    // of (a) are given right: 7 of 9.
    let r = report(SEED[4], "tests/grading/task5_transposed.json");
    assert_eq!(status(&r, "h")["mistake"], "the weight W_hh is transposed");
    assert_eq!(status(&r, "balance")["status"], "follow-through");
    assert!(status(
        &r,
        "params(lstm(input=2, hidden=3), convention=\"pytorch\")"
    )["mistake"]
        .as_str()
        .unwrap()
        .starts_with("the textbook's count is used"));
    assert_eq!(r["score"], 7.0);
}

#[test]
fn the_key_declares_marks_and_tolerances() {
    let dir = std::env::temp_dir().join(format!("gw-grade-marks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("key.gw");
    // 3/7 = 0.428571…: 0.43 is 0.33% off, within 1% but not the default 0.1%.
    std::fs::write(
        &key,
        "x = 3\nshow y = x * 2  # marks: 2\nshow z = x / 7  # marks: 0.5, tolerance: 0.01\nshow w = x / 7\nshow m = np.mean([1, 2, 3])\n",
    )
    .unwrap();
    let sub = dir.join("sub.json");
    std::fs::write(&sub, r#"{"y": 6, "z": 0.43, "w": 0.43, "m": 6}"#).unwrap();
    let r = report(key.to_str().unwrap(), sub.to_str().unwrap());
    assert_eq!(status(&r, "y")["max_score"], 2.0);
    assert_eq!(status(&r, "y")["score"], 2.0);
    assert_eq!(status(&r, "z")["score"], 0.5);
    assert_eq!(status(&r, "w")["status"], "wrong");
    // 6 = 1 + 2 + 3: the sum where the mean (2) is asked.
    assert_eq!(
        status(&r, "m")["mistake"],
        "a sum is taken where the mean is meant"
    );
    assert_eq!(r["score"], 2.5);
    assert_eq!(r["max_score"], 4.5);
    // A distance and its square: √(3² + 4²) = 5 and 25.
    std::fs::write(
        &key,
        "x = np.array([3, 4])\nshow d = sqrt(sum(x**2))\nshow d2 = sum(x**2)\n",
    )
    .unwrap();
    std::fs::write(&sub, r#"{"d": 25, "d2": 5}"#).unwrap();
    let r = report(key.to_str().unwrap(), sub.to_str().unwrap());
    assert!(status(&r, "d")["mistake"]
        .as_str()
        .unwrap()
        .starts_with("squared where"));
    assert!(status(&r, "d2")["mistake"]
        .as_str()
        .unwrap()
        .starts_with("not squared where"));
    std::fs::write(&key, "show y = 2  # marks: two\n").unwrap();
    let (code, _, err) = grade(key.to_str().unwrap(), sub.to_str().unwrap(), "json");
    assert_eq!(code, 2);
    assert!(
        err.contains("line 1") && err.contains("not a number"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn intermediate_values_are_judged_without_marks() {
    // emb = E[:, :2] is right; labels = E[:, 2] is [0, 0, 1, 1, 2, 2, 2],
    // so a 1 for the last is wrong; `foo` is nothing of the key's.
    let dir = std::env::temp_dir().join(format!("gw-grade-inter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sub = dir.join("sub.json");
    std::fs::write(
        &sub,
        r#"{"emb": [[-1, 4], [-1, 2], [3, -3], [1, -1], [1, 4], [4, 1], [1, 1]],
            "labels": [0, 0, 1, 1, 2, 2, 1], "c": 0, "foo": 3}"#,
    )
    .unwrap();
    let r = report(TASK4, sub.to_str().unwrap());
    let inter = r["intermediate"].as_array().unwrap();
    assert_eq!(inter.len(), 2);
    assert_eq!(inter[0]["id"], "emb");
    assert_eq!(inter[0]["status"], "correct");
    assert_eq!(inter[1]["id"], "labels");
    assert_eq!(inter[1]["status"], "wrong");
    assert_eq!(r["unknown"], serde_json::json!(["foo"]));
    assert_eq!(r["score"], 1.0, "only c earns a mark");
    assert_eq!(r["max_score"], 7.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn requirements_and_loops_do_not_mislead_the_marking() {
    let dir = std::env::temp_dir().join(format!("gw-grade-req-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("key.gw");
    let sub = dir.join("sub.json");
    // z = W·x + b = [1 − 1 + 1, 2 + 0 − 1] = [1, 1]; a student's z = [0, 2]
    // carried into a = 3·relu(z) = [0, 6]: follow-through, although the
    // carried z breaks the key's `require` (which is for variants).
    std::fs::write(
        &key,
        "W = [[1, -1], [2, 0]]\nb = [1, -1]\nx = [1, 1]\nshow z = np.array(W) @ x + b\nrequire all(z != 0)\nshow a = relu(z) * 3\n",
    )
    .unwrap();
    std::fs::write(&sub, r#"{"z": [0, 2], "a": [0, 6]}"#).unwrap();
    let r = report(key.to_str().unwrap(), sub.to_str().unwrap());
    assert_eq!(status(&r, "a")["status"], "follow-through", "{r}");
    assert_eq!(r["score"], 1.0);
    // An answer in a loop is matched with the same `show` of a changed key,
    // not with whatever answer has its position: with a mean for the sum,
    // n = 2 and the loop shows nothing, so h#1 = 10 names no mistake.
    std::fs::write(
        &key,
        "xs = [1, 2, 3]\nn = np.sum(xs)\nfor i in range(n // 3):\n    show h = i\nshow y = n * 5\n",
    )
    .unwrap();
    std::fs::write(&sub, r#"{"h#1": 10, "h#2": 1, "y": 30}"#).unwrap();
    let r = report(key.to_str().unwrap(), sub.to_str().unwrap());
    assert_eq!(status(&r, "h#1")["status"], "wrong");
    assert_eq!(status(&r, "h#1")["mistake"], Value::Null, "{r}");
    // A declared tolerance applies to a value with a finite decimal too
    // (16.05 is 0.31% from 16), and marks add up exactly.
    std::fs::write(
        &key,
        "x = 4\nshow L = x * 4  # marks: 1/2, tolerance: 0.01\nshow a = x  # marks: 0.1\nshow b = x  # marks: 0.2\n",
    )
    .unwrap();
    std::fs::write(&sub, r#"{"L": 16.05, "a": 4, "b": 4}"#).unwrap();
    let r = report(key.to_str().unwrap(), sub.to_str().unwrap());
    assert_eq!(status(&r, "L")["status"], "correct");
    assert_eq!(r["score"], 0.8);
    assert_eq!(r["max_score"], 0.8);
    let (_, text, _) = grade(key.to_str().unwrap(), sub.to_str().unwrap(), "text");
    assert!(
        text.starts_with(&format!("{}: 0.8 of 0.8 marks", key.display())),
        "{text}"
    );
    // Marks in thirds cannot be added exactly: refused.
    std::fs::write(&key, "show y = 2  # marks: 1/3\n").unwrap();
    let (code, _, err) = grade(key.to_str().unwrap(), sub.to_str().unwrap(), "json");
    assert_eq!(code, 2);
    assert!(err.contains("thousandths"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
