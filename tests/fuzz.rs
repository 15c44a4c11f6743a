//! The short fuzz run for CI (issue 9): the first cases of a fixed seed,
//! made by the same generator and mutator as the long run
//! (examples/fuzz.rs, docs/fuzzing.md), run in this process the way
//! `gradwork solve` runs a file.
//!
//! Fails on any panic, on a case over `SLOW` (5 s: CI machines are noisy,
//! and a debug build is slower; the long run holds cases to 1 s), and on a
//! case whose heap peaks over 1 GiB, and on an internal error (a worked
//! line the self-check refused). A crash (stack overflow, abort) fails it by
//! killing the test process.
//!
//! Environment: `GRADWORK_FUZZ_CASES=N` (default 10,000 in a release build,
//! 500 in a debug build), `GRADWORK_FUZZ_SEED=S` (default 1).

#[path = "../examples/fuzz/engine.rs"]
mod engine;

use std::time::{Duration, Instant};

use engine::{make_case, run_case, Seeds, Variant};

#[global_allocator]
static ALLOC: engine::Counting = engine::Counting;

const SLOW: Duration = Duration::from_secs(5);
const MEMORY: usize = 1 << 30;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

#[test]
fn short_fuzz_run_finds_nothing() {
    let default = if cfg!(debug_assertions) { 500 } else { 10_000 };
    let cases = env_u64("GRADWORK_FUZZ_CASES", default);
    let seed = env_u64("GRADWORK_FUZZ_SEED", 1);
    // On a thread with the main thread's stack (8 MiB), as the command
    // runs; a test thread has 2 MiB.
    let (bad, internal) = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            engine::install_panic_hook();
            let seeds = Seeds::load();
            assert!(seeds.files.len() > 100, "the seed files are missing");
            let mut bad = Vec::new();
            let mut internal = Vec::new();
            let t = Instant::now();
            for i in 0..cases {
                let (src, origin) = make_case(&seeds, seed, i);
                let o = run_case(&src, Variant::of(seed, i));
                let mut why = Vec::new();
                if let Some(p) = &o.panic {
                    why.push(format!("panic: {p}"));
                }
                if let Some(e) = &o.internal {
                    internal.push(format!("case {seed}:{i} ({origin:?}): {e}"));
                }
                if o.wall > SLOW {
                    why.push(format!("slow: {:.1} s", o.wall.as_secs_f64()));
                }
                if o.peak > MEMORY {
                    why.push(format!("memory: {} MiB", o.peak >> 20));
                }
                if !why.is_empty() {
                    bad.push(format!(
                        "case {seed}:{i} ({origin:?}): {}\n  (print it with `cargo run --release \
                         --example fuzz -- --print {seed}:{i}`)",
                        why.join(", ")
                    ));
                }
            }
            let _ = std::panic::take_hook();
            eprintln!(
                "fuzz: {cases} cases of seed {seed} in {:.1} s",
                t.elapsed().as_secs_f64()
            );
            (bad, internal)
        })
        .expect("a thread")
        .join()
        .expect("the fuzz thread");
    // An internal error is a worked line the self-check refused: gradwork
    // was about to print something false. That fails the run too.
    for e in &internal {
        eprintln!("fuzz: internal error: {e}");
    }
    assert!(internal.is_empty(), "{} internal error(s)", internal.len());
    assert!(
        bad.is_empty(),
        "{} finding(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
}
