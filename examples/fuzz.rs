//! The fuzz driver of issue 9 ("bounded and unbreakable"): generated and
//! mutated exercises are run through `gradwork::lang::solve` and rendered as
//! `gradwork solve` renders them; a panic, a crash (a signal: stack
//! overflow, abort), a case over 1 s, one whose heap peaks over 1 GiB, or
//! an internal error (a worked line the self-check found false) is a
//! finding, saved under `--out` (default `fuzz-findings/`).
//!
//!     cargo run --release --example fuzz -- --cases 100000 --seed 1 --jobs 1
//!     cargo run --release --example fuzz -- --max-secs 1800 --cases 10000000
//!     cargo run --release --example fuzz -- --minimize fuzz-findings/panic-….gw
//!     cargo run --release --example fuzz -- --print 1:12345   # case 12345 of seed 1
//!
//! The parent process hands out batches of case indices (`--batch`, 10,000)
//! to `--jobs` child processes (this program again, with `--child`). A child
//! prints the index of each case before running it, so when it dies by a
//! signal, or stops making progress for `--hang-secs` (it is then killed),
//! the parent makes that case again (cases are a pure function of seed and
//! index), saves it as `crash-…`/`hang-…`/`memory-…`, and starts a new child
//! after it. A child's heap is capped at `--cap-mib` (3 GiB): an allocation
//! past it aborts the child, which is reported as a memory finding.
//!
//! See docs/fuzzing.md.

#[path = "fuzz/engine.rs"]
mod engine;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use engine::{hash, make_case, run_case, Outcome, Seeds, Variant};
use gradwork::lang::interp::Detail;

#[global_allocator]
static ALLOC: engine::Counting = engine::Counting;

/// The contract of the issue.
const SLOW: Duration = Duration::from_secs(1);
const MEMORY: usize = 1 << 30;
/// Reproducers kept per group of findings (every finding is logged).
const KEEP_PER_GROUP: usize = 20;

#[derive(Clone)]
struct Args {
    cases: u64,
    seed: u64,
    jobs: usize,
    out: PathBuf,
    max_secs: f64,
    batch: u64,
    hang_secs: u64,
    cap_mib: usize,
    // child mode
    child: bool,
    from: u64,
    to: u64,
    until_ms: u64,
    // tools
    minimize: Option<PathBuf>,
    run_one: Option<PathBuf>,
    print: Option<(u64, u64)>,
    brief: bool,
    json: bool,
    digits: usize,
}

fn usage() -> ! {
    eprintln!(
        "usage: fuzz [--cases N] [--seed S] [--jobs J] [--out DIR] [--max-secs T] [--batch B]\n\
         \x20           [--hang-secs H] [--cap-mib M]\n\
         \x20      fuzz --minimize FILE [--brief] [--json] [--digits D]\n\
         \x20      fuzz --run-one FILE [--brief] [--json] [--digits D]\n\
         \x20      fuzz --print SEED:INDEX"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        cases: 100_000,
        seed: 1,
        jobs: 1,
        out: PathBuf::from("fuzz-findings"),
        max_secs: f64::INFINITY,
        batch: 10_000,
        hang_secs: 30,
        cap_mib: 3072,
        child: false,
        from: 0,
        to: 0,
        until_ms: u64::MAX,
        minimize: None,
        run_one: None,
        print: None,
        brief: false,
        json: false,
        digits: 4,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| usage());
        let num = |s: String| -> u64 { s.replace('_', "").parse().unwrap_or_else(|_| usage()) };
        match flag.as_str() {
            "--cases" => a.cases = num(val()),
            "--seed" => a.seed = num(val()),
            "--jobs" => a.jobs = num(val()).max(1) as usize,
            "--out" => a.out = PathBuf::from(val()),
            "--max-secs" => a.max_secs = val().parse().unwrap_or_else(|_| usage()),
            "--batch" => a.batch = num(val()).max(1),
            "--hang-secs" => a.hang_secs = num(val()).max(2),
            "--cap-mib" => a.cap_mib = num(val()) as usize,
            "--child" => a.child = true,
            "--from" => a.from = num(val()),
            "--to" => a.to = num(val()),
            "--until-ms" => a.until_ms = num(val()),
            "--minimize" => a.minimize = Some(PathBuf::from(val())),
            "--run-one" => a.run_one = Some(PathBuf::from(val())),
            "--print" => {
                let v = val();
                let (s, i) = v.split_once(':').unwrap_or_else(|| usage());
                a.print = Some((num(s.into()), num(i.into())));
            }
            "--brief" => a.brief = true,
            "--json" => a.json = true,
            "--digits" => a.digits = num(val()) as usize,
            _ => usage(),
        }
    }
    a
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn main() {
    let a = parse_args();
    engine::set_hard_cap(a.cap_mib << 20);
    if let Some((s, i)) = a.print {
        let seeds = Seeds::load();
        let (src, origin) = make_case(&seeds, s, i);
        eprintln!("# {origin:?}, {:?}", Variant::of(s, i));
        print!("{src}");
        return;
    }
    engine::install_panic_hook();
    let fixed = Variant {
        detail: if a.brief { Detail::Brief } else { Detail::Full },
        digits: a.digits,
        json: a.json,
    };
    if let Some(f) = &a.run_one {
        let src = read_lossy(f);
        let o = run_case(&src, fixed);
        println!("{}", describe(&o));
        std::process::exit(if o.panic.is_some() { 101 } else { 0 });
    }
    if let Some(f) = &a.minimize {
        minimize(f, &a, fixed);
        return;
    }
    if a.child {
        child(&a);
    } else {
        parent(&a);
    }
}

fn read_lossy(f: &Path) -> String {
    let b = std::fs::read(f).unwrap_or_else(|e| {
        eprintln!("{}: {e}", f.display());
        std::process::exit(2)
    });
    String::from_utf8_lossy(&b).into_owned()
}

fn describe(o: &Outcome) -> String {
    format!(
        "wall {:.3} s, heap peak {} MiB, panic: {}, first error: {}",
        o.wall.as_secs_f64(),
        o.peak >> 20,
        o.panic.as_deref().unwrap_or("none"),
        o.error.as_deref().unwrap_or("none")
    )
}

/// A finding's group: its kind and message, numbers written as N.
fn group(kind: &str, msg: &str) -> String {
    let mut g = String::with_capacity(kind.len() + 1 + msg.len().min(120));
    g.push_str(kind);
    g.push(' ');
    let mut last_n = false;
    for c in msg.chars().take(120) {
        if c.is_ascii_digit() {
            if !last_n {
                g.push('N');
            }
            last_n = true;
        } else {
            last_n = false;
            g.push(if c == '\t' || c == '\n' { ' ' } else { c });
        }
    }
    g
}

/// Saves a finding: `KIND-HASH.gw` and `KIND-HASH.txt` (unless its group
/// already has `KEEP_PER_GROUP`), and one line of `findings.tsv`.
fn record(out: &Path, kind: &str, src: &str, info: &str, grp: &str) -> String {
    let _ = std::fs::create_dir_all(out);
    let h = hash(src.as_bytes());
    let log = out.join("findings.tsv");
    let kept = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.split('\t').nth(1) == Some(grp) && !l.ends_with("\t-"))
        .count();
    let file = if kept < KEEP_PER_GROUP {
        let name = format!("{kind}-{h}.gw");
        let _ = std::fs::write(out.join(&name), src);
        let _ = std::fs::write(out.join(format!("{kind}-{h}.txt")), info);
        name
    } else {
        "-".to_string()
    };
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
    {
        let _ = writeln!(
            f,
            "{kind}\t{grp}\t{}\t{file}",
            info.replace(['\n', '\t'], " ")
        );
    }
    h
}

// ---------------------------------------------------------------------------
// The child: runs cases [from, to) in this process.
// ---------------------------------------------------------------------------

fn child(a: &Args) {
    let seeds = Seeds::load();
    let mut stdout = std::io::stdout().lock();
    let mut done = 0u64;
    let mut by_origin: HashMap<String, (u64, f64)> = HashMap::new();
    let times = std::env::var_os("FUZZ_TIMES").is_some();
    let mut i = a.from;
    while i < a.to {
        if i.is_multiple_of(64) && now_ms() >= a.until_ms {
            break;
        }
        let (src, origin) = make_case(&seeds, a.seed, i);
        let v = Variant::of(a.seed, i);
        // The index first, so the parent can make the case again if this
        // process dies on it.
        let _ = writeln!(stdout, "S {i}");
        let _ = stdout.flush();
        let o = run_case(&src, v);
        done += 1;
        let e = by_origin.entry(format!("{origin:?}")).or_default();
        e.0 += 1;
        e.1 += o.wall.as_secs_f64();
        if times && o.wall > Duration::from_millis(10) {
            eprintln!("case {i}: {:.1} ms", o.wall.as_secs_f64() * 1e3);
        }
        let info = |kind: &str| {
            format!(
                "kind: {kind}\nseed: {}\nindex: {i}\norigin: {origin:?}\nvariant: {v:?}\n{}\n",
                a.seed,
                describe(&o)
            )
        };
        let mut found = Vec::new();
        if let Some(p) = &o.panic {
            // Grouped by place (file:line), not by message.
            let place = p.split(": ").next().unwrap_or(p);
            found.push(("panic", group("panic", place)));
        }
        if let Some(e) = &o.internal {
            found.push(("internal", group("internal", e)));
        }
        if o.wall > SLOW {
            found.push((
                "slow",
                group("slow", o.error.as_deref().unwrap_or("(no error)")),
            ));
        }
        if o.peak > MEMORY {
            found.push((
                "memory",
                group("memory", o.error.as_deref().unwrap_or("(no error)")),
            ));
        }
        for (kind, grp) in found {
            let h = record(&a.out, kind, &src, &info(kind), &grp);
            let _ = writeln!(stdout, "F {kind} {h} {}", grp.replace(' ', "_"));
        }
        i += 1;
    }
    if times {
        eprintln!("times by origin (cases, seconds): {by_origin:?}");
    }
    let _ = writeln!(stdout, "D {done}");
    let _ = stdout.flush();
}

// ---------------------------------------------------------------------------
// The parent: hands out batches, watches children.
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Tally {
    cases: u64,
    findings: HashMap<String, u64>,
    groups: HashMap<String, u64>,
}

fn parent(a: &Args) {
    let _ = std::fs::create_dir_all(&a.out);
    let seeds = Arc::new(Seeds::load());
    eprintln!(
        "fuzz: seed {}, {} cases, {} job(s), {} seed files, findings in {}",
        a.seed,
        a.cases,
        a.jobs,
        seeds.files.len(),
        a.out.display()
    );
    let start = Instant::now();
    let until_ms = if a.max_secs.is_finite() {
        now_ms() + (a.max_secs * 1000.0) as u64
    } else {
        u64::MAX
    };
    let next = Arc::new(AtomicU64::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let exe = std::env::current_exe().expect("the path of this program");
    let mut handles = Vec::new();
    for job in 0..a.jobs {
        let (a, next, tally, exe, seeds) = (
            a.clone(),
            next.clone(),
            tally.clone(),
            exe.clone(),
            seeds.clone(),
        );
        handles.push(std::thread::spawn(move || loop {
            if now_ms() >= until_ms {
                break;
            }
            let from = next.fetch_add(a.batch, Ordering::Relaxed);
            if from >= a.cases {
                break;
            }
            let to = (from + a.batch).min(a.cases);
            run_batch(&a, job, &exe, &seeds, from, to, until_ms, &tally);
        }));
    }
    // Progress once a minute.
    let mut last = Instant::now();
    while handles.iter().any(|h| !h.is_finished()) {
        std::thread::sleep(Duration::from_millis(200));
        if last.elapsed() >= Duration::from_secs(60) {
            last = Instant::now();
            let t = tally.lock().unwrap();
            let secs = start.elapsed().as_secs_f64();
            eprintln!(
                "fuzz: {:>6.0} s  {} cases  {:.0} cases/s  findings {:?}",
                secs,
                t.cases,
                t.cases as f64 / secs,
                t.findings
            );
        }
    }
    for h in handles {
        let _ = h.join();
    }
    let t = tally.lock().unwrap();
    let secs = start.elapsed().as_secs_f64();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "seed {}: {} cases in {:.1} s ({:.0} cases/s, {} job(s))",
        a.seed,
        t.cases,
        secs,
        t.cases as f64 / secs,
        a.jobs
    );
    let mut kinds: Vec<_> = t.findings.iter().collect();
    kinds.sort();
    if kinds.is_empty() {
        let _ = writeln!(s, "findings: none");
    }
    for (k, n) in kinds {
        let _ = writeln!(s, "findings: {k}: {n}");
    }
    let mut groups: Vec<_> = t.groups.iter().collect();
    groups.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
    for (g, n) in groups {
        let _ = writeln!(s, "  {n:>7}  {g}");
    }
    print!("{s}");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(a.out.join("summary.txt"))
    {
        let _ = write!(f, "{s}");
    }
}

enum Msg {
    Line(String),
    Eof,
}

#[allow(clippy::too_many_arguments)]
fn run_batch(
    a: &Args,
    job: usize,
    exe: &Path,
    seeds: &Seeds,
    mut from: u64,
    to: u64,
    until_ms: u64,
    tally: &Mutex<Tally>,
) {
    while from < to {
        let mut child = match Command::new(exe)
            .args(["--child", "--seed", &a.seed.to_string()])
            .args(["--from", &from.to_string(), "--to", &to.to_string()])
            .args(["--until-ms", &until_ms.to_string()])
            .args(["--cap-mib", &a.cap_mib.to_string()])
            .arg("--out")
            .arg(&a.out)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("fuzz: job {job}: cannot start a child: {e}");
                return;
            }
        };
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines() {
                match l {
                    Ok(l) => {
                        if tx.send(Msg::Line(l)).is_err() {
                            return;
                        }
                    }
                    Err(_) => break,
                }
            }
            let _ = tx.send(Msg::Eof);
        });
        let mut err = child.stderr.take().expect("piped stderr");
        let err_thread = std::thread::spawn(move || {
            // The last 64 KiB of standard error.
            let mut keep: Vec<u8> = Vec::new();
            let mut buf = [0u8; 8192];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                keep.extend_from_slice(&buf[..n]);
                if keep.len() > 128 * 1024 {
                    keep.drain(..keep.len() - 64 * 1024);
                }
            }
            String::from_utf8_lossy(&keep).into_owned()
        });
        let mut current: Option<u64> = None;
        let mut started_at = Instant::now();
        let mut finished = false;
        let mut hung = false;
        loop {
            match rx.recv_timeout(Duration::from_millis(500)) {
                Ok(Msg::Line(l)) => {
                    if let Some(i) = l.strip_prefix("S ") {
                        current = i.parse().ok();
                        started_at = Instant::now();
                    } else if let Some(rest) = l.strip_prefix("F ") {
                        let mut p = rest.splitn(3, ' ');
                        let kind = p.next().unwrap_or("?").to_string();
                        let _hash = p.next();
                        let grp = p.next().unwrap_or("").replace('_', " ");
                        let mut t = tally.lock().unwrap();
                        *t.findings.entry(kind).or_default() += 1;
                        *t.groups.entry(grp).or_default() += 1;
                    } else if let Some(n) = l.strip_prefix("D ") {
                        let n: u64 = n.parse().unwrap_or(0);
                        tally.lock().unwrap().cases += n;
                        finished = true;
                    }
                }
                Ok(Msg::Eof) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if current.is_some() && started_at.elapsed() > Duration::from_secs(a.hang_secs)
                    {
                        hung = true;
                        let _ = child.kill();
                        // The reader ends at EOF.
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        let status = child.wait();
        let stderr = err_thread.join().unwrap_or_default();
        if finished {
            return;
        }
        // The child died (or was killed) on `current`: how many it ran
        // before is counted from the index.
        let Some(i) = current else {
            eprintln!("fuzz: job {job}: a child ended before its first case: {status:?}\n{stderr}");
            return;
        };
        let kind = if hung {
            "hang"
        } else if stderr.contains("FUZZ-MEMORY-CAP") {
            "memory"
        } else {
            "crash"
        };
        let (src, origin) = make_case(seeds, a.seed, i);
        let how = match &status {
            Ok(s) => match s.signal() {
                Some(sig) => format!("killed by signal {sig}"),
                None => format!("exit status {:?}", s.code()),
            },
            Err(e) => format!("wait failed: {e}"),
        };
        let last_line = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("(nothing on stderr)")
            .to_string();
        let info = format!(
            "kind: {kind}\nseed: {}\nindex: {i}\norigin: {origin:?}\nvariant: {:?}\n{how}\n\
             stderr (tail):\n{}\n",
            a.seed,
            Variant::of(a.seed, i),
            &stderr[stderr.len().saturating_sub(4096)..]
        );
        let grp = match kind {
            "hang" => "hang (no progress)".to_string(),
            "memory" => "memory (heap cap, child aborted)".to_string(),
            _ => group("crash", &format!("{how}: {last_line}")),
        };
        let h = record(&a.out, kind, &src, &info, &grp);
        eprintln!("fuzz: job {job}: {kind} at case {i} ({how}): {kind}-{h}.gw");
        {
            let mut t = tally.lock().unwrap();
            t.cases += i + 1 - from;
            *t.findings.entry(kind.to_string()).or_default() += 1;
            *t.groups.entry(grp).or_default() += 1;
        }
        from = i + 1;
        if now_ms() >= until_ms {
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// Minimising a finding.
// ---------------------------------------------------------------------------

fn minimize(f: &Path, a: &Args, v: Variant) {
    let src = read_lossy(f);
    let first = run_case(&src, v);
    eprintln!("fuzz: {}: {}", f.display(), describe(&first));
    let exe = std::env::current_exe().expect("the path of this program");
    let kind;
    let still: Box<dyn FnMut(&str) -> bool> = if let Some(p) = first.panic.clone() {
        kind = "panic";
        let place = p.split(": ").next().unwrap_or("").to_string();
        Box::new(move |s: &str| {
            run_case(s, v)
                .panic
                .is_some_and(|q| q.split(": ").next() == Some(place.as_str()))
        })
    } else if first.peak > MEMORY {
        kind = "memory";
        Box::new(move |s: &str| run_case(s, v).peak > MEMORY)
    } else if first.wall > SLOW {
        kind = "slow";
        Box::new(move |s: &str| run_case(s, v).wall > SLOW)
    } else {
        // A crash: run each candidate in a child and look for a signal.
        kind = "crash";
        let tmp = std::env::temp_dir().join(format!("fuzz-min-{}.gw", std::process::id()));
        let mut flags = vec!["--digits".to_string(), v.digits.to_string()];
        if a.brief {
            flags.push("--brief".into());
        }
        if a.json {
            flags.push("--json".into());
        }
        let crashes = move |s: &str| -> bool {
            if std::fs::write(&tmp, s).is_err() {
                return false;
            }
            Command::new(&exe)
                .arg("--run-one")
                .arg(&tmp)
                .args(&flags)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|st| st.signal().is_some())
        };
        if !crashes(&src) {
            eprintln!(
                "fuzz: the file neither panics, crashes, is slow nor big here; nothing to do"
            );
            return;
        }
        Box::new(crashes)
    };
    let min = engine::minimize(&src, still);
    eprintln!("fuzz: {kind}: {} bytes -> {} bytes", src.len(), min.len());
    print!("{min}");
    if !min.ends_with('\n') {
        println!();
    }
}
