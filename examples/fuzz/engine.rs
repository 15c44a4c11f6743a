//! The fuzzer's shared parts: the case generator (programs from the
//! grammar, and mutations of the seed files), the counting allocator, and
//! running one case the way the `gradwork solve` command does.
//!
//! Included with `#[path]` by examples/fuzz.rs (the long run) and by
//! tests/fuzz.rs (the short run in CI), so both make the same cases from the
//! same `(seed, index)`.

#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout};

use gradwork::budget::{self, CountingAlloc};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use gradwork::lang::interp::Detail;
use gradwork::lang::report::{self, Style};
use gradwork::lang::{builtins, solve, ErrorKind, Options};

// ---------------------------------------------------------------------------
// Memory: a counting allocator.
// ---------------------------------------------------------------------------

/// Above this many live heap bytes an allocation fails (the process then
/// aborts through `handle_alloc_error`); `usize::MAX` means no cap.
static HARD_CAP: AtomicUsize = AtomicUsize::new(usize::MAX);
/// Whether the cap was hit (set just before the failing allocation).
pub static CAP_HIT: AtomicBool = AtomicBool::new(false);

/// The marker written to standard error when the cap is hit, so a parent
/// tells a memory kill from another abort.
pub const CAP_MARKER: &[u8] = b"\nFUZZ-MEMORY-CAP\n";

/// gradwork's counting allocator (`gradwork::budget::CountingAlloc`, which
/// gives runs their memory budget as in the CLI, and the peak), with a hard
/// cap on top: a child past it ends rather than swap the machine.
pub struct Counting;

extern "C" {
    fn write(fd: i32, buf: *const u8, n: usize) -> isize;
}

impl Counting {
    fn room(size: usize) -> bool {
        if budget::allocated().saturating_add(size) > HARD_CAP.load(Ordering::Relaxed) {
            if !CAP_HIT.swap(true, Ordering::Relaxed) {
                // No allocation here: a raw write(2) of a static buffer.
                unsafe { write(2, CAP_MARKER.as_ptr(), CAP_MARKER.len()) };
            }
            return false;
        }
        true
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if !Self::room(l.size()) {
            return std::ptr::null_mut();
        }
        unsafe { CountingAlloc.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        if !Self::room(l.size()) {
            return std::ptr::null_mut();
        }
        unsafe { CountingAlloc.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { CountingAlloc.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if new > l.size() && !Self::room(new - l.size()) {
            return std::ptr::null_mut();
        }
        unsafe { CountingAlloc.realloc(p, l, new) }
    }
}

/// Sets the hard cap on live heap bytes (only meaningful where [`Counting`]
/// is the global allocator).
pub fn set_hard_cap(bytes: usize) {
    HARD_CAP.store(bytes, Ordering::Relaxed);
}

fn reset_peak() {
    budget::reset_peak();
}

fn peak() -> usize {
    budget::peak()
}

// ---------------------------------------------------------------------------
// Panics: the message and place of the last one, from a hook.
// ---------------------------------------------------------------------------

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the panic hook with one that keeps the message and place
/// (the default hook would print every caught panic).
pub fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(a non-string payload)".to_string()
        };
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut g) = LAST_PANIC.lock() {
            *g = Some(format!("{at}: {msg}"));
        }
    }));
}

// ---------------------------------------------------------------------------
// Running one case.
// ---------------------------------------------------------------------------

/// How the case is run and rendered (varied per case: the CLI's flags).
#[derive(Clone, Copy, Debug)]
pub struct Variant {
    pub detail: Detail,
    pub digits: usize,
    pub json: bool,
}

impl Variant {
    pub fn of(seed: u64, index: u64) -> Variant {
        let mut r = fastrand::Rng::with_seed(mix(seed ^ 0x5eed, index));
        Variant {
            detail: if r.u8(0..4) == 0 {
                Detail::Brief
            } else {
                Detail::Full
            },
            digits: if r.bool() { 4 } else { r.usize(1..=17) },
            json: r.u8(0..8) == 0,
        }
    }
}

/// What one case did.
pub struct Outcome {
    /// `file:line: message` of a panic.
    pub panic: Option<String>,
    pub wall: Duration,
    /// Peak live heap bytes during the case (solve and rendering).
    pub peak: usize,
    /// The first error of the solution, if any (for grouping findings).
    pub error: Option<String>,
    /// The first *internal* error: a worked line the self-check found
    /// false (docs/language.md: "a bug in gradwork").
    pub internal: Option<String>,
}

/// The per-case wall time handed to the engine (`--timeout`).
pub const CASE_TIMEOUT: Duration = Duration::from_secs(2);

/// Runs `src` as `gradwork solve` does: `solve`, then the text report and
/// the diagnostics (or the JSON), on the calling thread, inside
/// `catch_unwind`.
pub fn run_case(src: &str, v: Variant) -> Outcome {
    let opts = Options {
        digits: v.digits,
        detail: v.detail,
        limits: gradwork::budget::Limits {
            timeout: CASE_TIMEOUT,
            ..Default::default()
        },
        ..Options::default()
    };
    if let Ok(mut g) = LAST_PANIC.lock() {
        *g = None;
    }
    reset_peak();
    let t = Instant::now();
    let r = panic::catch_unwind(AssertUnwindSafe(|| {
        let sol = solve(src, &opts);
        let name = "case.gw";
        let out = if v.json {
            let j = report::json(name, src, &sol, opts.digits);
            serde_json::to_string_pretty(&j).map_or(0, |s| s.len())
        } else {
            let t = report::text(name, &sol, opts.detail, opts.digits, Style { color: false });
            let e = report::errors(name, src, &sol, Style { color: false });
            t.len() + e.len()
        };
        std::hint::black_box(out);
        let internal = sol
            .errors
            .iter()
            .find(|e| e.kind == ErrorKind::Internal)
            .map(|e| e.to_string());
        (sol.errors.first().map(|e| e.to_string()), internal)
    }));
    let wall = t.elapsed();
    let peak = peak();
    match r {
        Ok((error, internal)) => Outcome {
            panic: None,
            wall,
            peak,
            error,
            internal,
        },
        Err(_) => {
            let msg = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut g| g.take())
                .unwrap_or_else(|| "(no message)".into());
            Outcome {
                panic: Some(msg),
                wall,
                peak,
                error: None,
                internal: None,
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Seeds.
// ---------------------------------------------------------------------------

/// The seed files: every `*.gw` under exercises/, tests/corpus/ and
/// tests/hostile/, except the hostile files tests/hostile/REPORT.md lists
/// as still breaking the contract or as taking over 10 ms (their mutants
/// would be the known slow cases over and over) and files over
/// `MAX_SEED_BYTES`.
pub struct Seeds {
    pub files: Vec<(PathBuf, Vec<u8>)>,
}

pub const MAX_SEED_BYTES: usize = 16 * 1024;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut es: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    es.sort();
    for e in es {
        let Ok(m) = std::fs::symlink_metadata(&e) else {
            continue;
        };
        if m.is_dir() {
            walk(&e, out);
        } else if m.is_file() && e.extension().is_some_and(|x| x == "gw") {
            out.push(e);
        }
    }
}

/// The hostile files REPORT.md marks as not `ok`, or as taking more than
/// 10 ms (their mutants are mostly as slow: a long loop, a big tensor).
fn known_broken(root: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(root.join("tests/hostile/REPORT.md")).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            // | `file` | probe | end | time | peak | verdict | stderr |
            if cells.len() >= 8 && cells[1].starts_with('`') && cells[1].ends_with(".gw`") {
                let verdict = cells[6];
                let secs: f64 = cells[4].parse().unwrap_or(0.0);
                (verdict != "ok" || secs > 0.01).then(|| cells[1].trim_matches('`').to_string())
            } else {
                None
            }
        })
        .collect()
}

impl Seeds {
    pub fn load() -> Seeds {
        let root = repo_root();
        let broken = known_broken(&root);
        let mut paths = Vec::new();
        for d in ["exercises", "tests/corpus", "tests/hostile"] {
            walk(&root.join(d), &mut paths);
        }
        let files = paths
            .into_iter()
            .filter(|p| {
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                // Reproducers of the fuzzer's own findings are not seeds.
                !(p.parent().is_some_and(|d| d.ends_with("hostile"))
                    && (broken.iter().any(|b| *b == name) || name.starts_with("fuzz_")))
            })
            .filter_map(|p| {
                let b = std::fs::read(&p).ok()?;
                (b.len() <= MAX_SEED_BYTES).then_some((p, b))
            })
            .collect();
        Seeds { files }
    }
}

// ---------------------------------------------------------------------------
// Making cases.
// ---------------------------------------------------------------------------

/// A 64-bit mix of two numbers (splitmix64 of their combination).
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a case, for file names.
pub fn hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Where case `index` of run `seed` comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Grammar,
    Mutant,
    /// A grammar program spliced into a seed file.
    Hybrid,
}

/// Case `index` of the run with `seed`: the same text every time.
pub fn make_case(seeds: &Seeds, seed: u64, index: u64) -> (String, Origin) {
    let mut r = fastrand::Rng::with_seed(mix(seed, index));
    let roll = r.u8(0..100);
    if roll < 50 || seeds.files.is_empty() {
        (Gen::new(&mut r).program(), Origin::Grammar)
    } else if roll < 92 {
        (mutant(seeds, &mut r), Origin::Mutant)
    } else {
        let base = &seeds.files[r.usize(0..seeds.files.len())].1;
        let mut lines: Vec<Vec<u8>> = base.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        let prog = Gen::new(&mut r).program();
        let at = r.usize(0..=lines.len());
        lines.insert(at, prog.into_bytes());
        (lossy(lines.join(&b'\n')), Origin::Hybrid)
    }
}

fn lossy(b: Vec<u8>) -> String {
    match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

// --- mutation ---------------------------------------------------------------

/// Extreme numbers for number replacement.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "-0",
    "2**62",
    "2**63",
    "-2**63",
    "2**64",
    "10**400",
    "-10**400",
    "1e-400",
    "1e400",
    "1e308",
    "1/3",
    "-1/3",
    "0.1",
    "1e-9",
    "10**18",
    "2**31",
    "3**4000",
    "np.inf",
    "-np.inf",
    "math.pi",
    "sqrt(2)",
    "exp(700)",
    "True",
    "None",
    "1e-324",
    "4.9e-324",
    "0.0",
    "-0.0",
    "1.7976931348623157e308",
];

/// A rough tokenisation: names/numbers, strings of spaces, single bytes.
fn tokens(b: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let j = if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c >= 0x80 {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
                j += 1;
            }
            j
        } else if c == b' ' {
            let mut j = i + 1;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            j
        } else {
            i + 1
        };
        out.push(&b[i..j]);
        i = j;
    }
    out
}

fn is_number(t: &[u8]) -> bool {
    !t.is_empty() && t[0].is_ascii_digit()
}

fn mutant(seeds: &Seeds, r: &mut fastrand::Rng) -> String {
    let n = seeds.files.len();
    let mut cur: Vec<u8> = seeds.files[r.usize(0..n)].1.clone();
    let rounds = 1 + r.usize(0..4);
    for _ in 0..rounds {
        let other = &seeds.files[r.usize(0..n)].1;
        cur = mutate_once(cur, other, r);
        if cur.len() > 64 * 1024 {
            cur.truncate(64 * 1024);
        }
    }
    lossy(cur)
}

fn mutate_once(cur: Vec<u8>, other: &[u8], r: &mut fastrand::Rng) -> Vec<u8> {
    if cur.is_empty() {
        return other.to_vec();
    }
    let len = cur.len();
    match r.u8(0..13) {
        // A byte flipped, set, inserted or deleted.
        0 => {
            let mut c = cur;
            let i = r.usize(0..len);
            c[i] ^= 1 << r.u8(0..8);
            c
        }
        1 => {
            let mut c = cur;
            let i = r.usize(0..len);
            const INTERESTING: &[u8] = b"()[]{}:,.=+-*/%@&|^~<>!#'\"\\\n\t 0123456789eEjx_";
            c[i] = INTERESTING[r.usize(0..INTERESTING.len())];
            c
        }
        2 => {
            let mut c = cur;
            let i = r.usize(0..=len);
            c.insert(i, r.u8(..));
            c
        }
        3 => {
            let mut c = cur;
            let i = r.usize(0..len);
            let k = (1 + r.usize(0..8)).min(len - i);
            c.drain(i..i + k);
            c
        }
        // A token splice: a run of tokens replaced by a run from another file.
        4 | 5 => {
            let a = tokens(&cur);
            let b = tokens(other);
            if a.is_empty() || b.is_empty() {
                return cur;
            }
            let i = r.usize(0..a.len());
            let j = (i + r.usize(0..6)).min(a.len());
            let k = r.usize(0..b.len());
            let l = (k + r.usize(1..12)).min(b.len());
            let mut out = Vec::with_capacity(cur.len() + 64);
            a[..i].iter().for_each(|t| out.extend_from_slice(t));
            b[k..l].iter().for_each(|t| out.extend_from_slice(t));
            a[j..].iter().for_each(|t| out.extend_from_slice(t));
            out
        }
        // Lines: duplicated (a few times), deleted, swapped, or taken from another file.
        6 => {
            let mut lines: Vec<&[u8]> = cur.split(|&b| b == b'\n').collect();
            let i = r.usize(0..lines.len());
            let times = if r.u8(0..8) == 0 { r.usize(2..40) } else { 1 };
            let j = (i + r.usize(1..4)).min(lines.len());
            let block: Vec<&[u8]> = lines[i..j].to_vec();
            for _ in 0..times {
                for (o, l) in block.iter().enumerate() {
                    lines.insert(j + o, l);
                }
            }
            lines.join(&b'\n')
        }
        7 => {
            let mut lines: Vec<&[u8]> = cur.split(|&b| b == b'\n').collect();
            match r.u8(0..3) {
                0 => {
                    let i = r.usize(0..lines.len());
                    lines.remove(i);
                }
                1 => {
                    let i = r.usize(0..lines.len());
                    let j = r.usize(0..lines.len());
                    lines.swap(i, j);
                }
                _ => {
                    let ol: Vec<&[u8]> = other.split(|&b| b == b'\n').collect();
                    let i = r.usize(0..=lines.len());
                    lines.insert(i, ol[r.usize(0..ol.len())]);
                }
            }
            lines.join(&b'\n')
        }
        // A number replaced with an extreme.
        8 | 9 => {
            let a = tokens(&cur);
            let nums: Vec<usize> = (0..a.len()).filter(|&i| is_number(a[i])).collect();
            if nums.is_empty() {
                return cur;
            }
            let pick = nums[r.usize(0..nums.len())];
            let rep = EXTREMES[r.usize(0..EXTREMES.len())].as_bytes();
            let mut out = Vec::with_capacity(cur.len() + 16);
            for (i, t) in a.iter().enumerate() {
                out.extend_from_slice(if i == pick { rep } else { t });
            }
            out
        }
        // A bracket deleted or added.
        10 => {
            let br: Vec<usize> = (0..len).filter(|&i| b"()[]{}".contains(&cur[i])).collect();
            let mut c = cur;
            if br.is_empty() || r.bool() {
                let i = r.usize(0..=c.len());
                c.insert(i, b"()[]{}"[r.usize(0..6)]);
            } else {
                c.remove(br[r.usize(0..br.len())]);
            }
            c
        }
        // A name replaced with a built-in's.
        11 => {
            let a = tokens(&cur);
            let names: Vec<usize> = (0..a.len())
                .filter(|&i| a[i][0].is_ascii_alphabetic())
                .collect();
            if names.is_empty() {
                return cur;
            }
            let pick = names[r.usize(0..names.len())];
            let t = table();
            let rep = t.calls[r.usize(0..t.calls.len())].name.as_bytes();
            let mut out = Vec::with_capacity(cur.len() + 16);
            for (i, t) in a.iter().enumerate() {
                out.extend_from_slice(if i == pick { rep } else { t });
            }
            out
        }
        // Indentation changed on one line.
        _ => {
            let mut lines: Vec<Vec<u8>> = cur.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            let i = r.usize(0..lines.len());
            match r.u8(0..3) {
                0 => lines[i]
                    .splice(0..0, b"    ".iter().copied())
                    .for_each(drop),
                1 => {
                    let k = lines[i].iter().take_while(|&&b| b == b' ').count();
                    lines[i].drain(..k);
                }
                _ => lines[i].insert(0, b'\t'),
            }
            lines.join(&b'\n')
        }
    }
}

// --- the grammar ------------------------------------------------------------

/// A built-in as the generator calls it: the name a program writes and the
/// parameter names of its signature (for keyword arguments).
pub struct Callee {
    pub name: String,
    pub params: Vec<String>,
}

pub struct Table {
    pub calls: Vec<Callee>,
}

static TABLE: std::sync::LazyLock<Table> = std::sync::LazyLock::new(|| {
    let mut calls = Vec::new();
    for (name, sig, _) in builtins::signatures() {
        let inner = sig
            .split_once('(')
            .map(|(_, r)| r.rsplit_once(')').map_or(r, |(a, _)| a))
            .unwrap_or("");
        let params = inner
            .split(',')
            .map(|p| {
                p.split('=')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_start_matches('*')
                    .to_string()
            })
            .filter(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .collect();
        calls.push(Callee {
            name: name.to_string(),
            params,
        });
    }
    // Bare aliases and qualified names, with no known parameters.
    for n in builtins::names().chain(builtins::qualified_names()) {
        if !calls.iter().any(|c| c.name == n) {
            calls.push(Callee {
                name: n.to_string(),
                params: Vec::new(),
            });
        }
    }
    Table { calls }
});

pub fn table() -> &'static Table {
    &TABLE
}

const METHODS: &[&str] = &[
    "sum",
    "mean",
    "max",
    "min",
    "argmax",
    "argmin",
    "reshape",
    "transpose",
    "dot",
    "item",
    "flatten",
    "ravel",
    "copy",
    "tolist",
    "all",
    "any",
    "astype",
    "clip",
    "nonzero",
    "prod",
    "cumsum",
    "argsort",
    "var",
    "std",
    "trace",
    "round",
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "reverse",
    "clear",
    "sort",
    "index",
    "count",
    "keys",
    "items",
    "upper",
    "join",
    "split",
    "format",
];

const ATTRS: &[&str] = &[
    "T", "shape", "ndim", "size", "dtype", "real", "data", "grad",
];

const KWARGS: &[&str] = &[
    "axis",
    "keepdims",
    "dtype",
    "ddof",
    "key",
    "reverse",
    "start",
    "input",
    "output",
    "hidden",
    "bias",
    "act",
    "metric",
    "num_layers",
    "bidirectional",
    "padding",
    "stride",
    "kernel_size",
    "lr",
    "k",
    "ord",
    "margin",
    "sep",
    "end",
];

const BINOPS: &[&str] = &[
    "+", "-", "*", "/", "//", "%", "**", "@", "&", "|", "^", "==", "!=", "<", "<=", ">", ">=",
    "and", "or", "in", "not in", "is", "is not", "<<", ">>",
];

const AUGOPS: &[&str] = &["+=", "-=", "*=", "/=", "//=", "%=", "**=", "@="];

const FSPECS: &[&str] = &[
    "", ":.3f", ":.0f", ":8.2f", ":.2g", ":d", ":.1%", "=", ":>5", ":.17f", ":.99f", ":,",
];

/// The grammar-based program generator.
pub struct Gen<'r> {
    r: &'r mut fastrand::Rng,
    vars: Vec<String>,
    funcs: Vec<(String, usize)>,
    /// Loop nesting and statement nesting (kept small: most cases are quick).
    loops: usize,
    depth: usize,
    /// How many statements are left to write.
    budget: usize,
}

impl<'r> Gen<'r> {
    pub fn new(r: &'r mut fastrand::Rng) -> Gen<'r> {
        Gen {
            r,
            vars: Vec::new(),
            funcs: Vec::new(),
            loops: 0,
            depth: 0,
            budget: 0,
        }
    }

    pub fn program(&mut self) -> String {
        if self.r.u8(0..10) < 7 {
            return Tame::new(self.r).program();
        }
        let mut out = String::new();
        if self.r.u8(0..3) == 0 {
            out.push_str("# a generated exercise\n");
        }
        if self.r.bool() {
            out.push_str(
                [
                    "import numpy as np\n",
                    "import scipy.special\n",
                    "from scipy.special import softmax\n",
                    "import math\n",
                    "from numpy import array\n",
                ][self.r.usize(0..5)],
            );
        }
        self.budget = 2 + self.r.usize(0..14);
        while self.budget > 0 {
            self.budget -= 1;
            let s = self.stmt();
            out.push_str(&s);
        }
        if self.r.bool() {
            if let Some(v) = self.pick_var() {
                out.push_str(&format!("show {v}\n"));
            }
        }
        out
    }

    fn pad(&self) -> String {
        "    ".repeat(self.depth)
    }

    fn pick_var(&mut self) -> Option<String> {
        if self.vars.is_empty() {
            None
        } else {
            Some(self.vars[self.r.usize(0..self.vars.len())].clone())
        }
    }

    fn new_var(&mut self) -> String {
        const NAMES: &[&str] = &[
            "x", "y", "z", "w", "b", "h", "W", "X", "L", "s", "t", "xs", "ys", "a", "M", "v", "p",
            "q", "k", "out",
        ];
        if !self.vars.is_empty() && self.r.u8(0..3) == 0 {
            return self.pick_var().unwrap_or_default();
        }
        let n = NAMES[self.r.usize(0..NAMES.len())].to_string();
        if !self.vars.contains(&n) {
            self.vars.push(n.clone());
        }
        n
    }

    fn block(&mut self, max: usize) -> String {
        self.depth += 1;
        let mut s = String::new();
        let n = 1 + self.r.usize(0..max.max(1));
        for _ in 0..n {
            s.push_str(&self.stmt());
        }
        self.depth -= 1;
        s
    }

    fn stmt(&mut self) -> String {
        let p = self.pad();
        let nested = self.depth < 3;
        match self.r.u8(0..32) {
            0..=7 => {
                let e = self.expr(0);
                let v = self.new_var();
                format!("{p}{v} = {e}\n")
            }
            8 => {
                let e = self.expr(0);
                let a = self.new_var();
                let b = self.new_var();
                format!("{p}{a}, {b} = {e}\n")
            }
            9 => {
                let v = self.pick_var().unwrap_or_else(|| "x".into());
                let op = AUGOPS[self.r.usize(0..AUGOPS.len())];
                let e = self.expr(1);
                format!("{p}{v} {op} {e}\n")
            }
            10 => {
                let v = self.pick_var().unwrap_or_else(|| "x".into());
                let i = self.index_items();
                let e = self.expr(1);
                format!("{p}{v}[{i}] = {e}\n")
            }
            11..=13 => {
                let e = self.expr(0);
                if self.r.bool() {
                    let v = self.new_var();
                    format!("{p}show {v} = {e}\n")
                } else {
                    format!("{p}show {e}\n")
                }
            }
            14 => {
                let e = self.expr(0);
                if self.r.bool() {
                    format!("{p}check {e}\n")
                } else {
                    format!("{p}assert {e}, \"held\"\n")
                }
            }
            15 => {
                let e = self.expr(0);
                format!("{p}print({e})\n")
            }
            16 => {
                let e = self.expr(0);
                format!("{p}{e}\n")
            }
            17 | 18 if nested => {
                // def with parameters, defaults, a body and a return.
                let f = ["f", "g", "relu_", "step", "loss"][self.r.usize(0..5)].to_string();
                let arity = self.r.usize(0..4);
                let params: Vec<String> = (0..arity)
                    .map(|i| {
                        let n = ["a", "b", "c", "n"][i].to_string();
                        if i + 1 == arity && self.r.bool() {
                            format!("{n}={}", self.number())
                        } else {
                            n
                        }
                    })
                    .collect();
                let saved = self.vars.clone();
                self.vars
                    .extend(["a", "b", "c", "n"][..arity].iter().map(|s| s.to_string()));
                let mut body = self.block(3);
                self.depth += 1;
                let e = self.expr(0);
                body.push_str(&format!("{}return {e}\n", self.pad()));
                self.depth -= 1;
                self.vars = saved;
                self.funcs.push((f.clone(), arity));
                format!("{p}def {f}({}):\n{body}", params.join(", "))
            }
            19 | 20 if nested => {
                let c = self.expr(1);
                let mut s = format!("{p}if {c}:\n{}", self.block(2));
                for _ in 0..self.r.usize(0..3) {
                    let c = self.expr(1);
                    s.push_str(&format!("{p}elif {c}:\n{}", self.block(2)));
                }
                if self.r.bool() {
                    s.push_str(&format!("{p}else:\n{}", self.block(2)));
                }
                s
            }
            21 | 22 if nested && self.loops < 2 => {
                let v = ["i", "j", "t", "row", "x"][self.r.usize(0..5)].to_string();
                let it = match self.r.u8(0..6) {
                    0 => self.list(0),
                    1 => self.pick_var().unwrap_or_else(|| "[1, 2]".into()),
                    2 => format!("enumerate({})", self.list(0)),
                    3 => format!("range({}, {})", self.r.i32(-3..3), self.r.i32(-3..8)),
                    _ => format!("range({})", self.small_count()),
                };
                self.vars.push(v.clone());
                self.loops += 1;
                let body = self.block(3);
                self.loops -= 1;
                let v = if it.starts_with("enumerate") {
                    format!("k, {v}")
                } else {
                    v
                };
                format!("{p}for {v} in {it}:\n{body}")
            }
            23 if nested && self.loops < 2 => {
                let n = self.small_count();
                self.loops += 1;
                let body = self.block(3);
                self.loops -= 1;
                let pi = "    ".repeat(self.depth + 1);
                format!("{p}i = 0\n{p}while i < {n}:\n{body}{pi}i += 1\n")
            }
            24 if self.loops > 0 => {
                let c = self.expr(1);
                let kw = ["break", "continue"][self.r.usize(0..2)];
                format!("{p}if {c}: {kw}\n")
            }
            25 => format!("{p}pass\n"),
            26 => {
                let h = [
                    "## (a) Forward pass",
                    "#' Some prose",
                    "# a comment",
                    "## (b)",
                ][self.r.usize(0..4)];
                format!("{p}{h}\n")
            }
            27 => {
                let v = self.pick_var().unwrap_or_else(|| "xs".into());
                let m = [
                    "append", "extend", "insert", "pop", "sort", "reverse", "remove",
                ][self.r.usize(0..7)];
                let a = self.args(2);
                format!("{p}{v}.{m}({a})\n")
            }
            28 => {
                // A one-line compound statement or several on one line.
                let a = self.expr(1);
                let b = self.expr(1);
                let v = self.new_var();
                format!("{p}{v} = {a}; show {b}\n")
            }
            29 => {
                let e = self.expr(0);
                let x = self.new_var();
                format!("{p}{x} = lambda u: {e}\n")
            }
            _ => {
                // A layer/loss/grad step as the exercises write them.
                let s = match self.r.u8(0..6) {
                    0 => format!("L = sum({} ** 2)", self.var_or_list()),
                    1 => format!("show grad(L, {})", self.var_or_list()),
                    2 => format!(
                        "m = {}(input={}, hidden={})",
                        ["linear", "lstm", "gru", "rnn_cell"][self.r.usize(0..4)],
                        self.r.u8(1..4),
                        self.r.u8(1..4)
                    ),
                    3 => "show params(m)".to_string(),
                    4 => format!(
                        "show conv1d({}, {})",
                        self.var_or_list(),
                        self.var_or_list()
                    ),
                    _ => format!(
                        "show cross_entropy({}, {})",
                        self.matrix(),
                        self.var_or_list()
                    ),
                };
                for v in ["L", "m"] {
                    if s.starts_with(v) && !self.vars.iter().any(|x| x == v) {
                        self.vars.push(v.into());
                    }
                }
                format!("{p}{s}\n")
            }
        }
    }

    /// A loop or comprehension length: small, and only rarely a long one
    /// (a loop near the step limit is a known slow case, ~1.5 s each).
    fn small_count(&mut self) -> String {
        match self.r.u16(0..2000) {
            0 => "10**6".into(),
            1 => EXTREMES[self.r.usize(0..EXTREMES.len())].into(),
            2..=20 => "-1".into(),
            21..=40 => "0".into(),
            41..=60 => self.r.i32(-3..10).to_string(),
            _ => self.r.u8(1..6).to_string(),
        }
    }

    fn var_or_list(&mut self) -> String {
        if self.r.bool() {
            if let Some(v) = self.pick_var() {
                return v;
            }
        }
        self.list(0)
    }

    /// A number literal: mostly small, sometimes fractions, floats, extremes.
    fn number(&mut self) -> String {
        match self.r.u8(0..40) {
            0..=14 => self.r.i32(-3..10).to_string(),
            15..=18 => format!("{}/{}", self.r.i32(-5..10), self.r.i32(1..9)),
            19..=23 => format!("{}.{}", self.r.i32(-3..5), self.r.u8(0..100)),
            24 => "2.5e-3".into(),
            25 => "1e-7".into(),
            26 => "0.1".into(),
            27 => "True".into(),
            28 => "False".into(),
            29 => "np.pi".into(),
            30 => "math.e".into(),
            _ => EXTREMES[self.r.usize(0..EXTREMES.len())].into(),
        }
    }

    fn string(&mut self) -> String {
        match self.r.u8(0..8) {
            0 => "''".into(),
            1 => "\"abc\"".into(),
            2 => "'int'".into(),
            3 => "'float64'".into(),
            4 => "'euclidean'".into(),
            5 => "'\\n\\t\\\\'".into(),
            6 => "'ü∂σ'".into(),
            _ => {
                let e = self.expr(2);
                let spec = FSPECS[self.r.usize(0..FSPECS.len())];
                format!("f\"v={{{e}{spec}}}!\"")
            }
        }
    }

    fn list(&mut self, d: usize) -> String {
        let n = self.r.usize(0..5);
        let items: Vec<String> = (0..n)
            .map(|_| {
                if d < 1 && self.r.u8(0..6) == 0 {
                    self.list(d + 1)
                } else {
                    self.number()
                }
            })
            .collect();
        format!("[{}]", items.join(", "))
    }

    fn matrix(&mut self) -> String {
        let rows = self.r.usize(1..4);
        let cols = self.r.usize(1..4);
        let rs: Vec<String> = (0..rows)
            .map(|_| {
                let cs: Vec<String> = (0..cols).map(|_| self.number()).collect();
                format!("[{}]", cs.join(", "))
            })
            .collect();
        format!("[{}]", rs.join(", "))
    }

    fn index_items(&mut self) -> String {
        let n = 1 + self.r.usize(0..2);
        let items: Vec<String> = (0..n)
            .map(|_| match self.r.u8(0..9) {
                0..=2 => self.r.i32(-3..4).to_string(),
                3 => ":".into(),
                4 => format!("{}:{}", self.r.i32(-2..3), self.r.i32(-2..4)),
                5 => "::-1".into(),
                6 => "None".into(),
                7 => format!("[{}, {}]", self.r.i32(-2..3), self.r.i32(-2..3)),
                _ => self.expr(2),
            })
            .collect();
        items.join(", ")
    }

    fn args(&mut self, max: usize) -> String {
        let n = self.r.usize(0..=max);
        let v: Vec<String> = (0..n).map(|_| self.expr(2)).collect();
        v.join(", ")
    }

    fn call(&mut self) -> String {
        let t = table();
        let c = &t.calls[self.r.usize(0..t.calls.len())];
        let name = c.name.clone();
        let params = c.params.clone();
        let mut args: Vec<String> = Vec::new();
        let npos = if params.is_empty() {
            self.r.usize(0..3)
        } else {
            self.r.usize(0..=params.len().min(3))
        };
        for _ in 0..npos {
            args.push(self.expr(2));
        }
        let nkw = self.r.usize(0..3).saturating_sub(1);
        for _ in 0..nkw {
            let k = if !params.is_empty() && self.r.u8(0..3) != 0 {
                params[self.r.usize(0..params.len())].clone()
            } else {
                KWARGS[self.r.usize(0..KWARGS.len())].to_string()
            };
            let v = match self.r.u8(0..4) {
                0 => self.r.i32(-2..4).to_string(),
                1 => ["int", "bool", "float", "True", "None", "relu", "tanh"][self.r.usize(0..7)]
                    .to_string(),
                _ => self.expr(2),
            };
            args.push(format!("{k}={v}"));
        }
        format!("{name}({})", args.join(", "))
    }

    /// An expression; `d` is the depth reached (deeper: simpler).
    fn expr(&mut self, d: usize) -> String {
        if d >= 4 {
            return self.atom();
        }
        match self.r.u8(0..30) {
            0..=5 => self.atom(),
            6..=10 => {
                let op = BINOPS[self.r.usize(0..BINOPS.len())];
                let a = self.expr(d + 1);
                let b = self.expr(d + 1);
                if self.r.bool() {
                    format!("{a} {op} {b}")
                } else {
                    format!("({a} {op} {b})")
                }
            }
            11 => {
                let op = ["-", "+", "~", "not "][self.r.usize(0..4)];
                format!("{op}{}", self.expr(d + 1))
            }
            12..=16 => self.call(),
            17 | 18 => {
                let a = self.expr(d + 1);
                let m = METHODS[self.r.usize(0..METHODS.len())];
                let args = self.args(2);
                format!("({a}).{m}({args})")
            }
            19 => {
                let a = self.expr(d + 1);
                format!("({a}).{}", ATTRS[self.r.usize(0..ATTRS.len())])
            }
            20 | 21 => {
                let a = self.expr(d + 1);
                let i = self.index_items();
                format!("({a})[{i}]")
            }
            22 => {
                let e = self.expr(d + 1);
                let n = self.small_count();
                let c = if self.r.bool() {
                    format!(
                        " if u {} {}",
                        ["<", ">", "!=", "%"][self.r.usize(0..4)],
                        self.number()
                    )
                } else {
                    String::new()
                };
                match self.r.u8(0..3) {
                    0 => format!("[{e} for u in range({n}){c}]"),
                    1 => format!("sum({e} for u in range({n}){c})"),
                    _ => format!("[[u * v for v in range({n})] for u in range(3)]"),
                }
            }
            23 => {
                let c = self.expr(d + 1);
                let a = self.expr(d + 1);
                let b = self.expr(d + 1);
                format!("({a} if {c} else {b})")
            }
            24 => {
                if let Some((f, n)) = self.funcs.last().cloned() {
                    let args = (0..n)
                        .map(|_| self.expr(d + 1))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("{f}({args})")
                } else {
                    self.atom()
                }
            }
            25 => format!("(lambda u: {})({})", self.expr(d + 1), self.expr(d + 1)),
            26 => {
                let a = self.expr(d + 1);
                let b = self.expr(d + 1);
                format!("({a}, {b})")
            }
            27 => format!("np.array({})", self.matrix()),
            28 => {
                // A chained comparison.
                let a = self.expr(d + 1);
                let b = self.expr(d + 1);
                let c = self.expr(d + 1);
                format!("{a} < {b} <= {c}")
            }
            _ => self.string(),
        }
    }

    fn atom(&mut self) -> String {
        match self.r.u8(0..12) {
            0..=3 => self.number(),
            4..=6 => self.pick_var().unwrap_or_else(|| self.number()),
            7 => self.list(0),
            8 => self.matrix(),
            9 => self.string(),
            10 => {
                let t = table();
                t.calls[self.r.usize(0..t.calls.len())].name.clone()
            }
            _ => {
                ["None", "True", "np.newaxis", "np.inf", "int", "float"][self.r.usize(0..6)].into()
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Minimising.
// ---------------------------------------------------------------------------

/// Removes lines, then tokens, then single bytes, while `still` holds.
pub fn minimize(src: &str, mut still: impl FnMut(&str) -> bool) -> String {
    let mut cur = src.to_string();
    // Lines, in chunks of halving size.
    let mut chunk = cur.lines().count().max(1);
    while chunk >= 1 {
        let mut i = 0;
        loop {
            let lines: Vec<&str> = cur.split('\n').collect();
            if i >= lines.len() {
                break;
            }
            let end = (i + chunk).min(lines.len());
            let cand: String = lines[..i]
                .iter()
                .chain(&lines[end..])
                .copied()
                .collect::<Vec<_>>()
                .join("\n");
            if cand != cur && still(&cand) {
                cur = cand;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 {
            break;
        }
        chunk /= 2;
    }
    // Tokens, in chunks.
    let mut chunk = 8;
    while chunk >= 1 {
        let mut i = 0;
        loop {
            let toks: Vec<String> = tokens(cur.as_bytes())
                .iter()
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .collect();
            if i >= toks.len() {
                break;
            }
            let end = (i + chunk).min(toks.len());
            let cand: String = toks[..i].iter().chain(&toks[end..]).cloned().collect();
            if cand != cur && still(&cand) {
                cur = cand;
            } else {
                i += chunk;
            }
        }
        chunk /= 2;
    }
    cur
}

// --- the typed ("tame") generator -------------------------------------------

/// What a variable of a tame program holds.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Ty {
    Scalar,
    Vec(usize),
    Mat(usize, usize),
}

/// Programs that mostly type-check, so the run goes past the first line:
/// numbers, vectors and matrices of known shapes, the built-ins called as
/// the exercises call them, losses and their gradients, small loops. A few
/// statements are wild (from [`Gen`]) so errors in the middle are reached.
pub struct Tame<'r> {
    r: &'r mut fastrand::Rng,
    vars: Vec<(String, Ty)>,
    funcs: Vec<String>,
    depth: usize,
    loops: usize,
    fresh: usize,
}

impl<'r> Tame<'r> {
    pub fn new(r: &'r mut fastrand::Rng) -> Tame<'r> {
        Tame {
            r,
            vars: Vec::new(),
            funcs: Vec::new(),
            depth: 0,
            loops: 0,
            fresh: 0,
        }
    }

    pub fn program(&mut self) -> String {
        let mut out = String::from("# a typed exercise\nimport numpy as np\n");
        if self.r.bool() {
            out.push_str("import scipy as sp\n");
        }
        let n = 3 + self.r.usize(0..14);
        for _ in 0..n {
            let s = self.stmt();
            out.push_str(&s);
        }
        out
    }

    fn pad(&self) -> String {
        "    ".repeat(self.depth)
    }

    fn dim(&mut self) -> usize {
        if self.r.u8(0..12) == 0 {
            self.r.usize(0..2)
        } else {
            self.r.usize(2..5)
        }
    }

    fn num(&mut self) -> String {
        match self.r.u8(0..24) {
            0..=9 => self.r.i32(-3..6).to_string(),
            10..=13 => format!("{}/{}", self.r.i32(-4..8), self.r.i32(1..7)),
            14..=18 => format!("{}.{}", self.r.i32(-2..3), self.r.u8(0..10)),
            19 => "0.5".into(),
            20 => "2.5e-3".into(),
            21 => "1e-3".into(),
            22 => "np.pi".into(),
            _ => EXTREMES[self.r.usize(0..EXTREMES.len())].into(),
        }
    }

    fn lit(&mut self, t: Ty) -> String {
        match t {
            Ty::Scalar => self.num(),
            Ty::Vec(n) => {
                let xs: Vec<String> = (0..n).map(|_| self.num()).collect();
                format!("[{}]", xs.join(", "))
            }
            Ty::Mat(r, c) => {
                let rows: Vec<String> = (0..r).map(|_| self.lit(Ty::Vec(c))).collect();
                format!("[{}]", rows.join(", "))
            }
        }
    }

    fn var_of(&mut self, t: Ty) -> Option<String> {
        let vs: Vec<&String> = self
            .vars
            .iter()
            .filter(|(_, u)| *u == t)
            .map(|(n, _)| n)
            .collect();
        if vs.is_empty() {
            None
        } else {
            Some(vs[self.r.usize(0..vs.len())].clone())
        }
    }

    fn any_ty(&mut self) -> Ty {
        if !self.vars.is_empty() && self.r.u8(0..3) != 0 {
            return self.vars[self.r.usize(0..self.vars.len())].1;
        }
        match self.r.u8(0..3) {
            0 => Ty::Scalar,
            1 => Ty::Vec(self.dim()),
            _ => Ty::Mat(self.dim(), self.dim()),
        }
    }

    fn bind(&mut self, t: Ty) -> String {
        const NAMES: &[&str] = &["x", "y", "h", "w", "b", "W", "X", "s", "z", "a", "p", "q"];
        // Rebinding a name of the same type keeps it, like x = x * 10 + 1.
        if let Some(v) = self.var_of(t) {
            if self.r.u8(0..3) == 0 {
                return v;
            }
        }
        self.fresh += 1;
        let n = format!("{}{}", NAMES[self.r.usize(0..NAMES.len())], self.fresh);
        self.vars.push((n.clone(), t));
        n
    }

    /// An expression of type `t`.
    fn e(&mut self, t: Ty, d: usize) -> String {
        if d >= 3 || self.r.u8(0..4) == 0 {
            return match self.var_of(t) {
                Some(v) if self.r.u8(0..3) != 0 => v,
                _ => self.lit(t),
            };
        }
        match t {
            Ty::Scalar => self.scalar(d),
            Ty::Vec(n) => self.vector(n, d),
            Ty::Mat(r, c) => self.matrix(r, c, d),
        }
    }

    fn arith(&mut self) -> &'static str {
        ["+", "-", "*", "/", "+", "-", "*", "**", "//", "%"][self.r.usize(0..10)]
    }

    fn scalar(&mut self, d: usize) -> String {
        let n = self.dim().max(1);
        match self.r.u8(0..24) {
            0..=3 => {
                let op = self.arith();
                let a = self.e(Ty::Scalar, d + 1);
                let b = if op == "**" {
                    self.r.i32(-2..4).to_string()
                } else {
                    self.e(Ty::Scalar, d + 1)
                };
                format!("({a} {op} {b})")
            }
            4 => format!("sum({})", self.e(Ty::Vec(n), d + 1)),
            5 => format!("np.mean({})", self.e(Ty::Vec(n), d + 1)),
            6 => format!(
                "{}[{}]",
                self.e(Ty::Vec(n), d + 1),
                self.r.i32(-(n as i32)..n as i32)
            ),
            7 => {
                let f = [
                    "sigmoid", "tanh", "exp", "log", "sqrt", "abs", "relu", "np.floor", "round",
                    "int", "float",
                ][self.r.usize(0..11)];
                format!("{f}({})", self.e(Ty::Scalar, d + 1))
            }
            8 => format!(
                "np.dot({}, {})",
                self.e(Ty::Vec(n), d + 1),
                self.e(Ty::Vec(n), d + 1)
            ),
            9 => format!("norm({})", self.e(Ty::Vec(n), d + 1)),
            10 => format!(
                "mse({}, {})",
                self.e(Ty::Vec(n), d + 1),
                self.e(Ty::Vec(n), d + 1)
            ),
            11 => format!("len({})", self.e(Ty::Vec(n), d + 1)),
            12 => format!(
                "max({}, {})",
                self.e(Ty::Scalar, d + 1),
                self.e(Ty::Scalar, d + 1)
            ),
            13 => format!("{}.max()", self.e(Ty::Vec(n), d + 1)),
            14 => {
                let c = self.cond(d + 1);
                format!(
                    "({} if {c} else {})",
                    self.e(Ty::Scalar, d + 1),
                    self.e(Ty::Scalar, d + 1)
                )
            }
            15 => format!("sum(u ** 2 for u in {})", self.e(Ty::Vec(n), d + 1)),
            16 => format!(
                "cross_entropy({}, {})",
                self.e(Ty::Vec(n), d + 1),
                self.r.usize(0..n)
            ),
            17 => format!(
                "bce({}, {})",
                self.lit(Ty::Scalar),
                ["0", "1"][self.r.usize(0..2)]
            ),
            18 => format!("{}.item()", self.e(Ty::Vec(1), d + 1)),
            19 => {
                if let Some(f) = self.funcs.last().cloned() {
                    format!("{f}({})", self.e(Ty::Scalar, d + 1))
                } else {
                    self.num()
                }
            }
            20 => format!(
                "np.linalg.norm({}, ord={})",
                self.e(Ty::Vec(n), d + 1),
                ["1", "2", "np.inf"][self.r.usize(0..3)]
            ),
            21 => format!(
                "distance({}, {}, metric='{}')",
                self.e(Ty::Vec(n), d + 1),
                self.e(Ty::Vec(n), d + 1),
                ["l2", "cosine", "sqeuclidean", "l1"][self.r.usize(0..4)]
            ),
            22 => format!("np.trace({})", self.e(Ty::Mat(n, n), d + 1)),
            _ => {
                let k = self.dim().max(1);
                format!("{}.sum()", self.e(Ty::Mat(n, k), d + 1))
            }
        }
    }

    fn cond(&mut self, d: usize) -> String {
        let op = ["<", "<=", ">", ">=", "==", "!="][self.r.usize(0..6)];
        format!(
            "{} {op} {}",
            self.e(Ty::Scalar, d + 1),
            self.e(Ty::Scalar, d + 1)
        )
    }

    fn vector(&mut self, n: usize, d: usize) -> String {
        match self.r.u8(0..26) {
            0..=3 => {
                let op = self.arith();
                let a = self.e(Ty::Vec(n), d + 1);
                let b = if op == "**" {
                    self.r.i32(0..3).to_string()
                } else if self.r.bool() {
                    self.e(Ty::Vec(n), d + 1)
                } else {
                    self.e(Ty::Scalar, d + 1)
                };
                format!("({a} {op} {b})")
            }
            4 => format!("np.array({})", self.lit(Ty::Vec(n))),
            5 => {
                let k = self.dim().max(1);
                format!(
                    "({} @ {})",
                    self.e(Ty::Mat(n, k), d + 1),
                    self.e(Ty::Vec(k), d + 1)
                )
            }
            6 => {
                let f = [
                    "relu",
                    "sigmoid",
                    "tanh",
                    "softmax",
                    "np.exp",
                    "np.abs",
                    "np.sign",
                    "log_softmax",
                    "np.square",
                    "leaky_relu",
                ][self.r.usize(0..10)];
                format!("{f}({})", self.e(Ty::Vec(n), d + 1))
            }
            7 => format!("{}[::-1]", self.e(Ty::Vec(n), d + 1)),
            8 => format!(
                "np.{}({n})",
                ["zeros", "ones", "arange"][self.r.usize(0..3)]
            ),
            9 => format!("np.linspace({}, {}, {n})", self.num(), self.num()),
            10 => {
                let v = self.e(Ty::Vec(n), d + 1);
                format!("np.where({v} > 0, {v}, {})", self.num())
            }
            11 => format!(
                "np.clip({}, {}, {})",
                self.e(Ty::Vec(n), d + 1),
                self.num(),
                self.num()
            ),
            12 => format!("np.cumsum({})", self.e(Ty::Vec(n), d + 1)),
            13 => {
                let k = self.dim().max(1);
                format!(
                    "{}[{}]",
                    self.e(Ty::Mat(k, n), d + 1),
                    self.r.i32(-(k as i32)..k as i32)
                )
            }
            14 => {
                let k = self.dim().max(1);
                format!(
                    "{}[:, {}]",
                    self.e(Ty::Mat(n, k), d + 1),
                    self.r.usize(0..k)
                )
            }
            15 => format!("np.maximum({}, 0)", self.e(Ty::Vec(n), d + 1)),
            16 => format!("[{} for u in range({n})]", self.e(Ty::Scalar, d + 1)),
            17 => format!(
                "[u * {} for u in {}]",
                self.e(Ty::Scalar, d + 1),
                self.e(Ty::Vec(n), d + 1)
            ),
            18 => {
                let k = n + self.r.usize(0..3);
                let m = k + 1 - n;
                format!(
                    "conv1d({}, {})",
                    self.e(Ty::Vec(k), d + 1),
                    self.e(Ty::Vec(m), d + 1)
                )
            }
            19 => format!("np.sort({})", self.e(Ty::Vec(n), d + 1)),
            20 => format!(
                "{}.sum(axis={})",
                {
                    let k = self.dim().max(1);
                    self.e(Ty::Mat(k, n), d + 1)
                },
                0
            ),
            21 => format!("{}.mean(axis=1)", {
                let k = self.dim().max(1);
                self.e(Ty::Mat(n, k), d + 1)
            }),
            22 => {
                if n >= 1 {
                    let a = self.r.usize(0..n);
                    let b = n - a;
                    format!(
                        "np.concatenate([{}, {}])",
                        self.e(Ty::Vec(a), d + 1),
                        self.e(Ty::Vec(b), d + 1)
                    )
                } else {
                    "np.zeros(0)".into()
                }
            }
            23 => format!("{}.flatten()", self.e(Ty::Mat(1, n), d + 1)),
            24 => format!("np.argsort({})", self.e(Ty::Vec(n), d + 1)),
            _ => {
                let v = self.e(Ty::Vec(n), d + 1);
                format!("{v}[{v} > {}]", self.num())
            }
        }
    }

    fn matrix(&mut self, r: usize, c: usize, d: usize) -> String {
        match self.r.u8(0..14) {
            0..=2 => {
                let op = ["+", "-", "*", "/"][self.r.usize(0..4)];
                format!(
                    "({} {op} {})",
                    self.e(Ty::Mat(r, c), d + 1),
                    self.e(Ty::Mat(r, c), d + 1)
                )
            }
            3 => format!("{}.T", self.e(Ty::Mat(c, r), d + 1)),
            4 => format!(
                "np.outer({}, {})",
                self.e(Ty::Vec(r), d + 1),
                self.e(Ty::Vec(c), d + 1)
            ),
            5 if r == c => format!("np.eye({r})"),
            6 => {
                let k = self.dim().max(1);
                format!(
                    "({} @ {})",
                    self.e(Ty::Mat(r, k), d + 1),
                    self.e(Ty::Mat(k, c), d + 1)
                )
            }
            7 => format!("np.zeros(({r}, {c}))"),
            8 => format!("np.arange({}).reshape({r}, {c})", r * c),
            9 => format!("np.array({})", self.lit(Ty::Mat(r, c))),
            10 => format!(
                "softmax({}, axis={})",
                self.e(Ty::Mat(r, c), d + 1),
                self.r.usize(0..2)
            ),
            11 => format!(
                "np.stack([{}])",
                (0..r)
                    .map(|_| self.e(Ty::Vec(c), d + 1))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            12 => format!("relu({})", self.e(Ty::Mat(r, c), d + 1)),
            _ => format!(
                "attention({}, {}, {})",
                self.e(Ty::Mat(r, c), d + 1),
                self.e(Ty::Mat(r, c), d + 1),
                self.e(Ty::Mat(r, c), d + 1)
            ),
        }
    }

    fn block(&mut self) -> String {
        self.depth += 1;
        let mut s = String::new();
        for _ in 0..1 + self.r.usize(0..3) {
            s.push_str(&self.stmt());
        }
        self.depth -= 1;
        s
    }

    fn stmt(&mut self) -> String {
        let p = self.pad();
        let top = self.depth == 0;
        match self.r.u8(0..24) {
            0..=6 => {
                let t = self.any_ty();
                let e = self.e(t, 0);
                let v = self.bind(t);
                let show = if self.r.u8(0..3) == 0 { "show " } else { "" };
                format!("{p}{show}{v} = {e}\n")
            }
            7 => {
                let t = self.any_ty();
                format!("{p}show {}\n", self.e(t, 0))
            }
            8 => match self
                .vars
                .iter()
                .rev()
                .find(|(_, t)| *t != Ty::Scalar)
                .cloned()
            {
                Some((v, t)) => {
                    let op = ["+=", "-=", "*=", "/="][self.r.usize(0..4)];
                    let rhs = if self.r.bool() {
                        self.e(t, 1)
                    } else {
                        self.e(Ty::Scalar, 1)
                    };
                    format!("{p}{v} {op} {rhs}\n")
                }
                None => format!("{p}pass\n"),
            },
            9 => match self
                .vars
                .iter()
                .rev()
                .find(|(_, t)| matches!(t, Ty::Vec(n) if *n > 0))
                .cloned()
            {
                Some((v, Ty::Vec(n))) => {
                    let i = self.r.usize(0..n);
                    let e = self.e(Ty::Scalar, 1);
                    format!("{p}{v}[{i}] = {e}\n")
                }
                _ => format!("{p}pass\n"),
            },
            10 => {
                // A loss and its gradient.
                let n = self.dim().max(1);
                let k = self.dim().max(1);
                let w = self.bind(Ty::Mat(k, n));
                let x = self.lit(Ty::Vec(n));
                let y = self.lit(Ty::Vec(k));
                let wl = self.lit(Ty::Mat(k, n));
                let loss = [
                    "mse(h, y_)",
                    "sum((h - y_) ** 2) / 2",
                    "cross_entropy(h, 0)",
                    "sum(relu(h))",
                    "bce_with_logits(h, np.ones(len(h)) / 2)",
                ][self.r.usize(0..5)];
                format!(
                    "{p}{w} = {wl}\n{p}h = sigmoid({w} @ {x})\n{p}y_ = {y}\n{p}L = {loss}\n{p}show grad(L, {w})\n"
                )
            }
            11 => {
                let c = self.cond(0);
                let mut s = format!("{p}if {c}:\n{}", self.block());
                if self.r.bool() {
                    s.push_str(&format!("{p}elif {}:\n{}", self.cond(0), self.block()));
                }
                if self.r.bool() {
                    s.push_str(&format!("{p}else:\n{}", self.block()));
                }
                s
            }
            12 | 13 if self.loops < 2 => {
                let n = if self.r.u8(0..40) == 0 {
                    50
                } else {
                    self.r.usize(0..5)
                };
                self.loops += 1;
                let b = self.block();
                self.loops -= 1;
                if self.r.bool() {
                    format!("{p}for i in range({n}):\n{b}")
                } else {
                    let k = self.dim();
                    let v = self.e(Ty::Vec(k), 1);
                    format!("{p}for u in {v}:\n{b}")
                }
            }
            14 if self.loops < 2 => {
                let s = self.bind(Ty::Scalar);
                let lim = self.r.usize(1..30);
                let step = ["+ 1", "* 2 + 1", "+ 1/3", "+ 0.5"][self.r.usize(0..4)];
                format!("{p}{s} = 0\n{p}while {s} < {lim}:\n{p}    {s} = {s} {step}\n")
            }
            15 if top => {
                let f = format!("f{}", self.funcs.len());
                self.depth += 1;
                self.vars.push(("a".into(), Ty::Scalar));
                let body = if self.r.bool() {
                    self.block()
                } else {
                    String::new()
                };
                let r = self.e(Ty::Scalar, 1);
                self.vars.retain(|(n, _)| n != "a");
                let pb = self.pad();
                self.depth -= 1;
                self.funcs.push(f.clone());
                format!("{p}def {f}(a):\n{body}{pb}return {r}\n")
            }
            16 => {
                let t = self.any_ty();
                let a = self.e(t, 1);
                let b = self.e(t, 1);
                let what = if t == Ty::Scalar {
                    format!("{a} == {b}")
                } else {
                    format!("allclose({a}, {b})")
                };
                format!("{p}check {what}\n")
            }
            17 => {
                let layer = match self.r.u8(0..6) {
                    0 => format!("linear(input={}, output={})", self.dim(), self.dim()),
                    1 => format!(
                        "rnn_cell(input={}, hidden={}, num_layers={})",
                        self.dim(),
                        self.dim(),
                        self.r.usize(1..3)
                    ),
                    2 => format!(
                        "lstm(input={}, hidden={}, num_layers={})",
                        self.dim(),
                        self.dim(),
                        self.r.usize(1..3)
                    ),
                    3 => format!(
                        "gru(input={}, hidden={}, bidirectional=True)",
                        self.dim(),
                        self.dim()
                    ),
                    4 => format!(
                        "conv1d_layer(input={}, output={}, kernel={})",
                        self.dim(),
                        self.dim(),
                        self.dim()
                    ),
                    _ => format!(
                        "conv2d_layer(input={}, output={}, kernel={})",
                        self.dim(),
                        self.dim(),
                        self.dim()
                    ),
                };
                format!("{p}show params({layer})\n")
            }
            18 => {
                let n = self.dim().max(1);
                let v = self.bind(Ty::Vec(n));
                format!(
                    "{p}{v} = []\n{p}for i in range({n}):\n{p}    {v}.append({})\n",
                    self.e(Ty::Scalar, 1)
                )
            }
            19 => {
                let n = self.dim().max(1);
                let fmt = FSPECS[self.r.usize(0..FSPECS.len())];
                format!(
                    "{p}print(f\"{{{}{fmt}}} and {{{}}}\")\n",
                    self.e(Ty::Scalar, 1),
                    self.e(Ty::Vec(n), 1)
                )
            }
            20 => {
                // One wild statement from the untyped grammar.
                let mut g = Gen::new(self.r);
                g.depth = self.depth;
                g.vars = self.vars.iter().map(|(n, _)| n.clone()).collect();
                g.stmt()
            }
            21 => {
                let n = self.dim().max(1);
                format!(
                    "{p}show retrieve({}, {}, k={})\n",
                    self.lit(Ty::Mat(3, n)),
                    self.e(Ty::Vec(n), 1),
                    self.r.usize(1..4)
                )
            }
            _ => {
                let t = self.any_ty();
                let e = self.e(t, 0);
                let v = self.bind(t);
                format!("{p}{v} = {e}\n")
            }
        }
    }
}
