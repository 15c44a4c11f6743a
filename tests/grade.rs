//! `gradwork grade`: hand-made submissions for the seed's tasks 2 and 4,
//! marked against the seed keys. The expected marks are derived by hand in
//! the comments; the follow-through values too.

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
    assert_eq!(r["score"], 6.0);
    assert_eq!(r["max_score"], 7.0);
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
    assert_eq!(
        status(&r, "params(lstm(input=2, hidden=3))")["status"],
        "wrong"
    );
    assert_eq!(
        status(
            &r,
            "params(lstm(input=2, hidden=3), convention=\"pytorch\")"
        )["status"],
        "correct"
    );
    assert_eq!(r["score"], 3.0);
    assert_eq!(r["max_score"], 5.0);
}
