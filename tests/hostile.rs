//! Bounded and unbreakable (issue 9): every file of tests/hostile — malformed,
//! oversized or adversarial exercises, made by tests/hostile/generate.py — is
//! run through the `gradwork` binary as a hostile user would run it, and each
//! must end fast with an answer or a spanned error:
//!
//! * exit status 0, 1 or 2 — never 101 (a panic) or a signal (an abort, a
//!   stack overflow);
//! * within 1 s of wall time (enforced for release builds only:
//!   `cargo test --release --test hostile`; a debug build is only held to the
//!   10 s hard limit);
//! * under 1 GiB of peak resident memory;
//! * an exit 2 names the place: `FILE.gw:LINE:COL` on standard error.
//!
//! Each run is killed after 10 s, or as soon as it holds more than 2 GiB, and
//! the child gets SIGKILL if this test process dies, so no runaway survives.
//! Files run in parallel on at most 2 threads. Every violation across all
//! files is collected and the test fails once, with a compact table.
//!
//! Environment:
//! * `GRADWORK_HOSTILE_REPORT=path` writes the full table (every file, exit,
//!   time, peak memory, verdict) as Markdown; tests/hostile/REPORT.md is one.
//! * `GRADWORK_HOSTILE_FILTER=text` runs only the files whose name contains it.
//! * `GRADWORK_HOSTILE_JOBS=1` runs one file at a time (the default is 2).

#![cfg(target_os = "linux")]

use std::ffi::{c_int, c_long};
use std::fmt::Write as _;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// The contract of the issue.
const TIME_LIMIT: Duration = Duration::from_secs(1);
const MEMORY_LIMIT_KIB: u64 = 1024 * 1024;
/// Hard limits of the harness itself: a run past either is killed.
const HARD_TIMEOUT: Duration = Duration::from_secs(10);
const HARD_MEMORY_KIB: u64 = 2 * 1024 * 1024;
/// The corpus must not shrink below the size the issue asks for.
const MIN_FILES: usize = 300;
/// How much of standard error is kept (the rest is read and dropped); a
/// diagnostic that quotes a huge line can run to megabytes before its place.
const STDERR_KEEP: usize = 8 * 1024 * 1024;
const MAX_JOBS: usize = 2;

/// `struct rusage` of Linux: two `struct timeval`s, then 14 longs.
#[repr(C)]
struct RUsage {
    utime: [c_long; 2],
    stime: [c_long; 2],
    maxrss: c_long,
    rest: [c_long; 13],
}

extern "C" {
    fn wait4(pid: c_int, status: *mut c_int, options: c_int, rusage: *mut RUsage) -> c_int;
    fn prctl(option: c_int, arg2: std::ffi::c_ulong, ...) -> c_int;
}

const WNOHANG: c_int = 1;
const PR_SET_PDEATHSIG: c_int = 1;
const SIGKILL: std::ffi::c_ulong = 9;
const EINTR: i32 = 4;

/// How a run ended.
#[derive(Clone, Copy, PartialEq)]
enum End {
    Exit(i32),
    Signal(i32),
    /// Killed by the harness after `HARD_TIMEOUT`.
    Timeout,
    /// Killed by the harness above `HARD_MEMORY_KIB`.
    MemoryKill,
}

struct Run {
    file: String,
    probe: String,
    end: End,
    wall: Duration,
    /// Peak resident memory in KiB (`ru_maxrss`, or the largest VmHWM seen
    /// while polling, whichever is larger).
    peak_kib: u64,
    stderr: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn corpus() -> Vec<PathBuf> {
    let dir = root();
    let filter = std::env::var("GRADWORK_HOSTILE_FILTER").unwrap_or_default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "gw"))
        .filter(|p| file_name(p).contains(&filter))
        .collect();
    files.sort();
    files
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// What a file probes: its first line, without `#`, a byte order mark, NULs
/// (a UTF-16 file) or a carriage return.
fn probe_of(p: &Path) -> String {
    let bytes = std::fs::read(p).unwrap_or_default();
    let first = bytes
        .split(|&b| b == b'\n' || b == b'\r')
        .next()
        .unwrap_or_default();
    let text: String = String::from_utf8_lossy(first)
        .chars()
        .filter(|&c| !matches!(c, '\0' | '\u{feff}' | '\u{fffe}' | '\u{fffd}'))
        .collect();
    text.trim_start_matches('#').trim().to_string()
}

/// The resident set of a live process: (current, high-water mark) in KiB.
fn proc_memory(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).and_then(|l| {
            l[name.len()..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        })
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Reaps the child if it has ended (`block`: wait for it), with its status
/// and peak memory. The child must not be waited for through `Child` after.
fn reap(pid: u32, block: bool) -> Option<(ExitStatus, u64)> {
    loop {
        let mut status: c_int = 0;
        let mut usage = RUsage {
            utime: [0; 2],
            stime: [0; 2],
            maxrss: 0,
            rest: [0; 13],
        };
        let options = if block { 0 } else { WNOHANG };
        // SAFETY: `pid` is our own child, not yet reaped; both pointers are
        // to live locals of the right layout.
        let r = unsafe { wait4(pid as c_int, &mut status, options, &mut usage) };
        if r == pid as c_int {
            return Some((ExitStatus::from_raw(status), usage.maxrss.max(0) as u64));
        }
        if r == 0 {
            return None;
        }
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() != Some(EINTR) {
            panic!("wait4({pid}): {err}");
        }
    }
}

fn spawn(path: &Path) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gradwork"));
    cmd.arg("solve")
        .arg(file_name(path))
        .current_dir(path.parent().expect("a folder"))
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: prctl is async-signal-safe; the child dies with this test.
    unsafe {
        cmd.pre_exec(|| {
            if prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn().expect("the gradwork binary starts")
}

// The child is reaped by `reap` (wait4, for its peak memory), not `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run(path: &Path) -> Run {
    let start = Instant::now();
    let mut child = spawn(path);
    let pid = child.id();
    let mut pipe = child.stderr.take().expect("a piped stderr");
    let reader = thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = STDERR_KEEP.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
        }
        String::from_utf8_lossy(&kept).into_owned()
    });
    let mut polled_kib = 0;
    let mut killed = None;
    let (status, rusage_kib) = loop {
        if let Some(done) = reap(pid, false) {
            break done;
        }
        if let Some((rss, hwm)) = proc_memory(pid) {
            polled_kib = polled_kib.max(hwm);
            if rss > HARD_MEMORY_KIB && killed.is_none() {
                killed = Some(End::MemoryKill);
            }
        }
        if start.elapsed() > HARD_TIMEOUT && killed.is_none() {
            killed = Some(End::Timeout);
        }
        if killed.is_some() {
            // Not reaped yet, so the pid is still our child's.
            child.kill().expect("kill a runaway child");
            break reap(pid, true).expect("a killed child is reaped");
        }
        let pause = if start.elapsed() < Duration::from_millis(50) {
            1
        } else {
            5
        };
        thread::sleep(Duration::from_millis(pause));
    };
    let wall = start.elapsed();
    let stderr = reader.join().unwrap_or_default();
    let end = killed.unwrap_or_else(|| match (status.code(), status.signal()) {
        (Some(code), _) => End::Exit(code),
        (None, Some(sig)) => End::Signal(sig),
        (None, None) => End::Signal(0),
    });
    Run {
        file: file_name(path),
        probe: probe_of(path),
        end,
        wall,
        peak_kib: rusage_kib.max(polled_kib),
        stderr,
    }
}

/// Whether `stderr` holds `file:LINE:COL`.
fn has_location(stderr: &str, file: &str) -> bool {
    let pat = format!("{file}:");
    stderr.match_indices(&pat).any(|(i, _)| {
        let rest = &stderr[i + pat.len()..];
        let line = rest.bytes().take_while(u8::is_ascii_digit).count();
        if line == 0 || rest.as_bytes().get(line) != Some(&b':') {
            return false;
        }
        rest[line + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count()
            > 0
    })
}

fn signal_name(sig: i32) -> String {
    match sig {
        6 => "SIGABRT".into(),
        9 => "SIGKILL".into(),
        11 => "SIGSEGV".into(),
        4 => "SIGILL".into(),
        7 => "SIGBUS".into(),
        8 => "SIGFPE".into(),
        s => format!("signal {s}"),
    }
}

/// The most telling line of standard error: a panic message, an abort, or
/// the first `Error:` line.
fn cause(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
    let pick = lines
        .iter()
        .position(|l| l.starts_with("thread '") && l.contains("panicked at"))
        .and_then(|i| lines.get(i + 1).copied())
        .or_else(|| {
            lines.iter().copied().find(|l| {
                l.contains("has overflowed its stack")
                    || l.starts_with("memory allocation of")
                    || l.starts_with("Error:")
                    || l.starts_with("gradwork:")
                    || l.starts_with("error:")
            })
        })
        .or_else(|| lines.iter().copied().find(|l| !l.is_empty()))
        .unwrap_or("");
    short(pick, 110)
}

/// `s` cut to `n` characters, fit for a Markdown table cell: `|` escaped,
/// control characters (a NUL, an escape echoed from the file) written as `\u{…}`.
fn short(s: &str, n: usize) -> String {
    let s: String = s
        .chars()
        .map(|c| match c {
            '|' => "\\|".to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect();
    if s.chars().count() <= n {
        s
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

fn end_text(end: End) -> String {
    match end {
        End::Exit(c) => format!("exit {c}"),
        End::Signal(s) => signal_name(s),
        End::Timeout => format!("killed at {} s", HARD_TIMEOUT.as_secs()),
        End::MemoryKill => format!("killed above {} GiB", HARD_MEMORY_KIB >> 20),
    }
}

fn mib(kib: u64) -> String {
    format!("{:.0}", kib as f64 / 1024.0)
}

/// Every broken promise of one run: (group, what happened).
fn violations(r: &Run) -> Vec<(&'static str, String)> {
    let mut out = vec![];
    let why = cause(&r.stderr);
    match r.end {
        End::Exit(0..=1) => {}
        End::Exit(2) => {
            if !has_location(&r.stderr, &r.file) {
                out.push((
                    "no location",
                    format!("exit 2 without file:line:col: {why}"),
                ));
            }
        }
        End::Exit(101) => out.push(("crash", format!("exit 101 (panic): {why}"))),
        End::Exit(c) => out.push(("crash", format!("exit {c}: {why}"))),
        End::Signal(s) => out.push(("crash", format!("{}: {why}", signal_name(s)))),
        End::Timeout => out.push(("hang", format!("killed at {} s", HARD_TIMEOUT.as_secs()))),
        End::MemoryKill => out.push((
            "memory",
            format!("killed above {} GiB", HARD_MEMORY_KIB >> 20),
        )),
    }
    let enforce_time = !cfg!(debug_assertions);
    let killed = matches!(r.end, End::Timeout | End::MemoryKill);
    if enforce_time && !killed && r.wall > TIME_LIMIT {
        out.push(("slow", format!("{:.2} s", r.wall.as_secs_f64())));
    }
    if r.end != End::MemoryKill && r.peak_kib > MEMORY_LIMIT_KIB {
        out.push(("memory", format!("peak {} MiB", mib(r.peak_kib))));
    }
    out
}

/// The telling line of stderr with the file as `FILE` and every number as
/// `N`, so runs that broke for the same reason group together.
fn normalized_cause(stderr: &str, file: &str) -> String {
    let line = cause(stderr).replace(file, "FILE");
    let mut out = String::new();
    let mut in_number = false;
    let mut prev = ' ';
    for c in line.chars() {
        // Digits that belong to a word (`UTF-8`, `utf8`, `x1`) stay.
        let in_word = prev.is_ascii_alphabetic()
            || (prev == '-' && out.ends_with("F-"))
            || (prev.is_ascii_digit() && !in_number);
        if c.is_ascii_digit() && (in_number || !in_word) {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
        prev = c;
    }
    if out.is_empty() {
        "(nothing on stderr)".into()
    } else {
        out
    }
}

/// The violating runs grouped by their first broken promise and its cause,
/// the largest group first.
fn by_cause(runs: &[Run]) -> Vec<((&'static str, String), Vec<String>)> {
    let mut groups: std::collections::BTreeMap<(&'static str, String), Vec<String>> =
        Default::default();
    for r in runs {
        if let Some((group, _)) = violations(r).first() {
            groups
                .entry((group, normalized_cause(&r.stderr, &r.file)))
                .or_default()
                .push(r.file.clone());
        }
    }
    let mut out: Vec<_> = groups.into_iter().collect();
    out.sort_by_key(|(_, files)| std::cmp::Reverse(files.len()));
    out
}

fn markdown(runs: &[Run]) -> String {
    let mut groups: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut bad = 0;
    for r in runs {
        let v = violations(r);
        if !v.is_empty() {
            bad += 1;
        }
        for (g, _) in v {
            *groups.entry(g).or_default() += 1;
        }
    }
    let mut md = String::new();
    let _ = writeln!(md, "# Hostile corpus report\n");
    let _ = writeln!(
        md,
        "`cargo test --release --test hostile` with `GRADWORK_HOSTILE_REPORT` set: {} files, {} broke the contract \
         (exit 0, 1 or 2 within {} s and {} MiB; an exit 2 names `file:line:col`). \
         A run is killed after {} s or above {} MiB. Time is wall time with up to {MAX_JOBS} runs in parallel; \
         memory is the peak resident set (`ru_maxrss`).\n",
        runs.len(),
        bad,
        TIME_LIMIT.as_secs(),
        MEMORY_LIMIT_KIB >> 10,
        HARD_TIMEOUT.as_secs(),
        HARD_MEMORY_KIB >> 10,
    );
    let _ = writeln!(md, "| broken promise | files |\n|---|---|");
    for (g, n) in &groups {
        let _ = writeln!(md, "| {g} | {n} |");
    }
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "By cause (the telling line of stderr, numbers as N):\n\n| broken promise | cause | files | for example |\n|---|---|---|---|"
    );
    for ((group, why), files) in by_cause(runs) {
        let _ = writeln!(
            md,
            "| {group} | {why} | {} | `{}` |",
            files.len(),
            files[..files.len().min(3)].join("`, `")
        );
    }
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "| file | probe | end | time (s) | peak (MiB) | verdict | stderr |\n|---|---|---|---|---|---|---|"
    );
    for r in runs {
        let v = violations(r);
        let verdict = if v.is_empty() {
            "ok".to_string()
        } else {
            v.iter().map(|(g, _)| *g).collect::<Vec<_>>().join(", ")
        };
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {:.2} | {} | {} | {} |",
            r.file,
            short(&r.probe, 80),
            end_text(r.end),
            r.wall.as_secs_f64(),
            mib(r.peak_kib),
            verdict,
            cause(&r.stderr),
        );
    }
    md
}

// Runs in `cargo test --release` (about 10 s for the whole corpus); refresh
// the report with GRADWORK_HOSTILE_REPORT=tests/hostile/REPORT.md.
#[test]
fn every_hostile_file_ends_fast_with_an_answer_or_a_spanned_error() {
    let files = corpus();
    let filtered = std::env::var("GRADWORK_HOSTILE_FILTER").is_ok_and(|f| !f.is_empty());
    assert!(
        filtered || files.len() >= MIN_FILES,
        "tests/hostile has {} files, fewer than {MIN_FILES}; run tests/hostile/generate.py",
        files.len()
    );
    let jobs = std::env::var("GRADWORK_HOSTILE_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or(MAX_JOBS)
        .clamp(1, MAX_JOBS);
    let next = AtomicUsize::new(0);
    let runs = Mutex::new(Vec::with_capacity(files.len()));
    thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let r = run(path);
                runs.lock().expect("no worker panicked").push(r);
            });
        }
    });
    let mut runs = runs.into_inner().expect("no worker panicked");
    runs.sort_by(|a, b| a.file.cmp(&b.file));

    if let Ok(path) = std::env::var("GRADWORK_HOSTILE_REPORT") {
        if !path.is_empty() {
            std::fs::write(&path, markdown(&runs)).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
    }

    let mut table = String::new();
    let mut count = 0;
    for r in &runs {
        for (group, what) in violations(r) {
            count += 1;
            let _ = writeln!(
                table,
                "{:<44} {:<11} {}  [{}]",
                r.file,
                group,
                short(&what, 120),
                short(&r.probe, 70)
            );
        }
    }
    assert!(
        count == 0,
        "{count} broken promises in {} files of tests/hostile:\n{:<44} {:<11} what happened  [probe]\n{table}",
        runs.len(),
        "file",
        "group",
    );
}
