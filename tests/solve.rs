//! `gradwork solve` end to end: the seed exercises' answers through the
//! binary's JSON, exit statuses, and snapshots of the worked solutions.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn gradwork(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gradwork"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn solve_json(file: &str) -> Value {
    let (code, out, err) = gradwork(&["solve", "--format", "json", file]);
    assert_eq!(code, 0, "{file}: {err}\n{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    v[0].clone()
}

/// The answer called `name`.
fn answer<'a>(file: &'a Value, name: &str) -> &'a Value {
    file["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no answer {name} in {}", file["file"]))
}

fn exact(file: &Value, name: &str) -> Value {
    answer(file, name)["exact"].clone()
}

fn approx(file: &Value, name: &str) -> Vec<f64> {
    fn flat(v: &Value, out: &mut Vec<f64>) {
        match v {
            Value::Array(a) => a.iter().for_each(|x| flat(x, out)),
            x => out.push(x.as_f64().unwrap()),
        }
    }
    let mut out = Vec::new();
    flat(&answer(file, name)["value"], &mut out);
    out
}

#[test]
fn task1_odd_even_rnn() {
    let f = solve_json("exercises/seed/task1.gw");
    assert_eq!(f["ok"], true);
    assert_eq!(
        exact(&f, "params(W_hh, W_hx, b_h, W, b)"),
        serde_json::json!("6")
    );
    assert_eq!(exact(&f, "h"), serde_json::json!([["-1"], ["-2"], ["-1"]]));
    assert_eq!(exact(&f, "s"), serde_json::json!(["-3/2"]));
    // p = σ(−3/2) = 1/(1 + e^1.5) = 0.18242552…: approximate, so no exact form
    assert_eq!(exact(&f, "p"), Value::Null);
    assert!((approx(&f, "p")[0] - 0.182_425_523_806_356_2).abs() < 1e-12);
    assert_eq!(answer(&f, "p")["text"], "≈ [0.1824]");
    assert_eq!(exact(&f, "d"), serde_json::json!(["0"]));
}

#[test]
fn task2_siamese_conv1d() {
    let f = solve_json("exercises/seed/task2.gw");
    assert_eq!(exact(&f, "L"), serde_json::json!("16"));
    assert_eq!(
        exact(&f, "grad(L, w)"),
        serde_json::json!(["166/5", "166/5", "148/5"])
    );
    assert_eq!(exact(&f, "grad(L, b)"), serde_json::json!("0"));
    assert_eq!(answer(&f, "grad(L, w)")["shape"], serde_json::json!([3]));
}

#[test]
fn task3_self_attention() {
    let f = solve_json("exercises/seed/task3.gw");
    assert_eq!(
        f["ok"], true,
        "the check against attention on the slices holds"
    );
    assert_eq!(exact(&f, "params(W_Q, W_K, W_V)"), serde_json::json!("24"));
    // Row 0 of X: q = k = (1, 0); scores with the keys (1,0), (0,1), (1,1) are
    // (1, 0, 1)/√2, so X_att[0] = (e^a·(2,3) + 1·(−1,1) + e^a·(0,0))/(2e^a + 1)
    // with a = 1/√2.
    let a = (0.5f64).sqrt().exp();
    let row0 = [
        (2.0 * a - 1.0) / (2.0 * a + 1.0),
        (3.0 * a + 1.0) / (2.0 * a + 1.0),
    ];
    let v = approx(&f, "X_att");
    assert_eq!(v.len(), 6);
    assert!(
        (v[0] - row0[0]).abs() < 1e-12 && (v[1] - row0[1]).abs() < 1e-12,
        "{v:?}"
    );
}

#[test]
fn task4_triplet_centroids_retrieval() {
    let f = solve_json("exercises/seed/task4.gw");
    assert_eq!(
        exact(&f, "L(emb[6], emb[5], emb[3], 1)"),
        serde_json::json!("6")
    );
    assert_eq!(
        exact(&f, "C"),
        serde_json::json!([["-1", "3"], ["2", "-2"], ["2", "2"]])
    );
    assert_eq!(exact(&f, "c"), serde_json::json!("0"));
    assert_eq!(
        exact(&f, "rows"),
        serde_json::json!(["4", "7", "2", "5", "6"])
    );
    assert_eq!(exact(&f, "P"), serde_json::json!("3/5"));
    assert_eq!(exact(&f, "R"), serde_json::json!("1"));
}

#[test]
fn task5_bank_account() {
    let f = solve_json("exercises/seed/task5.gw");
    assert_eq!(
        exact(&f, "h"),
        serde_json::json!([
            ["11000", "5000", "6000"],
            ["8500", "5000", "3500"],
            ["4500", "5000", "0"]
        ])
    );
    assert_eq!(
        exact(&f, "params(lstm(input=2, hidden=3))"),
        serde_json::json!("72")
    );
    assert_eq!(
        exact(
            &f,
            "params(lstm(input=2, hidden=3), convention=\"pytorch\")"
        ),
        serde_json::json!("84")
    );
}

#[test]
fn worked_solutions_are_snapshotted() {
    for n in 1..=5 {
        let file = format!("exercises/seed/task{n}.gw");
        let (code, out, _) = gradwork(&["solve", "--color", "never", &file]);
        assert_eq!(code, 0);
        insta::assert_snapshot!(format!("task{n}_full"), out);
        let (_, brief, _) = gradwork(&["solve", "--color", "never", "--detail", "brief", &file]);
        insta::assert_snapshot!(format!("task{n}_brief"), brief);
    }
}

#[test]
fn the_grad_step_shows_the_chain_rule() {
    let (_, out, _) = gradwork(&["solve", "--color", "never", "exercises/seed/task2.gw"]);
    // ∂L/∂f_p1 = 2·(f_p1 − f_p2) with the numbers put in, from the pow rule
    assert!(
        out.contains(
            "∂L/∂f_p1 = 2·(f_p1 − f_p2) = 2·([1, 1, 1, 1] − [3, 3, 3, 3]) = [-4, -4, -4, -4]"
        ),
        "{out}"
    );
    assert!(
        out.contains("∂L/∂w = Σᵢ ∂L/∂f_p1[i]·x_p1[i+j] + Σᵢ ∂L/∂f_p2[i]·x_p2[i+j]"),
        "{out}"
    );
    // the uniform upstream gradients factored out, as the seed solution writes it
    assert!(
        out.contains("= -4·[4.3, 4.3, 4.6] + 4·[12.6, 12.6, 12]"),
        "{out}"
    );
    assert!(out.contains("= -4·4 + 4·4"), "{out}");
}

#[test]
fn digits_are_settable() {
    let (_, out, _) = gradwork(&[
        "solve",
        "--color",
        "never",
        "--digits",
        "8",
        "exercises/seed/task1.gw",
    ]);
    assert!(out.contains("≈ [0.18242552]"), "{out}");
}

#[test]
fn exit_status_and_other_files_still_solved() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("exit_status");
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.gw");
    let failing = dir.join("failing.gw");
    let bad = dir.join("bad.gw");
    std::fs::write(&good, "# fine\nshow x = 1/3 + 1/6\n").unwrap();
    std::fs::write(
        &failing,
        "# a check that fails\nx = 2\ncheck x == 3\nshow y = x + 1\n",
    )
    .unwrap();
    std::fs::write(&bad, "# bad\nx = (1 +\n").unwrap();
    let g = good.to_str().unwrap();
    let f = failing.to_str().unwrap();
    let b = bad.to_str().unwrap();
    assert_eq!(gradwork(&["solve", g]).0, 0);
    let (code, out, err) = gradwork(&["solve", "--color", "never", f]);
    assert_eq!(code, 1);
    // the diagnostic on standard error, once; the solution on standard output
    assert!(
        err.contains("check failed: `x == 3` does not hold"),
        "{err}"
    );
    assert_eq!(err.matches("does not hold").count(), 2, "{err}");
    assert!(!out.contains("check failed"), "{out}");
    // statements after a failed check still run
    assert!(out.contains("y = x + 1"), "{out}");
    let (code, out, _) = gradwork(&["solve", "--format", "json", b, g, f]);
    assert_eq!(code, 2);
    let v: Value = serde_json::from_str(&out).unwrap();
    let files = v.as_array().unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[0]["ok"], false);
    assert_eq!(files[0]["errors"][0]["kind"], "syntax error");
    assert_eq!(files[1]["answers"][0]["exact"], "1/2");
    assert_eq!(files[2]["ok"], false);
    let (code, _, err) = gradwork(&["solve", "no/such/file.gw"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read no/such/file.gw"), "{err}");
}

#[test]
fn examples_solve() {
    let (code, out, err) = gradwork(&["solve", "--format", "json", "exercises/examples"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let mlp = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with("mlp_backprop.gw"))
        .unwrap();
    // h = relu([1.5, 0]) = [1.5, 0], s = 3.5, p = σ(3.5); for BCE with y = 1,
    // ∂L/∂s = p − 1, so ∂L/∂w2 = (p − 1)·h and ∂L/∂b1 = (p − 1)·w2 ⊙ relu′ = [(p − 1)·2, 0]
    let p = 1.0 / (1.0 + (-3.5f64).exp());
    let gw2 = approx(mlp, "grad(L, w2)");
    assert!(
        (gw2[0] - (p - 1.0) * 1.5).abs() < 1e-12 && gw2[1] == 0.0,
        "{gw2:?}"
    );
    let gb1 = approx(mlp, "grad(L, b1)");
    assert!(
        (gb1[0] - (p - 1.0) * 2.0).abs() < 1e-12 && gb1[1] == 0.0,
        "{gb1:?}"
    );
    assert!((approx(mlp, "L")[0] + p.ln()).abs() < 1e-12);
}

#[test]
fn a_file_that_is_not_utf8_or_marks_nothing_is_told() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("encoding");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("latin1.gw");
    std::fs::write(&bad, b"x = 1\n# caf\xe9\n").unwrap();
    let (code, _, err) = gradwork(&["solve", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    // byte 11 is the é of latin-1, on line 2
    assert!(
        err.contains("latin1.gw:2: not UTF-8 text (byte 11)"),
        "{err}"
    );
    let quiet = dir.join("quiet.gw");
    std::fs::write(&quiet, "x = 1\n").unwrap();
    let (code, _, err) = gradwork(&["solve", quiet.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(err.contains("marks no answer"), "{err}");
}

#[cfg(unix)]
#[test]
fn folders_are_walked_without_following_links_or_reading_fifos() {
    // A link to a system file, a link loop and a FIFO named *.gw: each is
    // skipped (the first two and the FIFO with a warning), nothing of the
    // linked file is echoed, and the run ends.
    let dir = std::env::temp_dir().join(format!("gradwork-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ok.gw"), "show 1 + 1\n").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("evil.gw")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("loop")).unwrap();
    let fifo = Command::new("mkfifo").arg(dir.join("fifo.gw")).status();
    let d = dir.to_str().unwrap();
    let (code, out, err) = gradwork(&["solve", "--color", "never", d]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("= 2"), "{out}");
    assert!(
        !out.contains("root:") && !err.contains("root:"),
        "{out}{err}"
    );
    assert!(
        err.contains("evil.gw: a symbolic link, not followed"),
        "{err}"
    );
    if fifo.is_ok_and(|s| s.success()) {
        assert!(
            err.contains("fifo.gw: not a regular file, skipped"),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
