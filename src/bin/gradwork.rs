//! The `gradwork` command: `gradwork solve PATH...`.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use gradwork::budget::{CountingAlloc, Limits};
use gradwork::lang::interp::Detail;
use gradwork::lang::report::{self, Style};
use gradwork::lang::{solve, Options};

/// Counts the heap, for the memory budget of each run.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[derive(Parser)]
#[command(
    name = "gradwork",
    version,
    about = "Exact, explainable deep-learning exercises"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum DetailArg {
    Brief,
    Full,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Cmd {
    /// Print the worked solution of exercise files (`*.gw`, or folders of them).
    ///
    /// Exit status: 0 when every file solved and every check held, 1 when a
    /// check failed, 2 when a file could not be read or has an error.
    Solve {
        /// Files or folders (searched recursively for *.gw).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// brief: answers and one line per statement; full: every step.
        #[arg(long, value_enum, default_value = "full")]
        detail: DetailArg,
        /// Significant digits of approximate values.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=17))]
        digits: u32,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[arg(long, value_enum, default_value = "auto")]
        color: ColorArg,
        /// Wall time per file, in seconds, before the run stops with a
        /// "limit reached" error.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
        /// Work per file, in units of one operation on a small number (big
        /// exact numbers cost more; docs/language.md, "Limits").
        #[arg(long, default_value_t = gradwork::budget::WORK)]
        max_work: u64,
        /// Heap memory per file, in MiB.
        #[arg(long, default_value_t = (gradwork::budget::MEMORY >> 20) as u64,
              value_parser = clap::value_parser!(u64).range(1..=1 << 40))]
        max_memory: u64,
        /// Statements and loop iterations per file.
        #[arg(long, default_value_t = gradwork::lang::interp::STEP_LIMIT)]
        max_steps: u64,
        /// Verify every input of a domain with one exact call each, instead
        /// of deciding them in bulk in floats with certified margins (the
        /// verdicts are the same; this is the slow reference).
        #[arg(long)]
        no_bulk: bool,
    },
}

/// The `*.gw` files of a folder, walked without following symbolic links
/// (a link loop or a link to a system file is skipped, with a warning), and
/// only regular files (a FIFO named `x.gw` would block forever).
fn collect(path: &Path, out: &mut Vec<PathBuf>, warn: &mut Vec<String>) -> std::io::Result<()> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_dir() {
        if meta.is_file() {
            out.push(path.to_path_buf());
        } else {
            warn.push(format!("{}: not a regular file, skipped", path.display()));
        }
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for e in entries {
        let Ok(m) = std::fs::symlink_metadata(&e) else {
            continue;
        };
        let gw = e.extension().is_some_and(|x| x == "gw");
        if m.file_type().is_symlink() {
            if gw || m.is_dir() {
                warn.push(format!("{}: a symbolic link, not followed", e.display()));
            }
        } else if m.is_dir() {
            collect(&e, out, warn)?;
        } else if gw && m.is_file() {
            out.push(e);
        } else if gw {
            warn.push(format!("{}: not a regular file, skipped", e.display()));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Cmd::Solve {
        paths,
        detail,
        digits,
        format,
        color,
        timeout,
        max_work,
        max_memory,
        max_steps,
        no_bulk,
    } = cli.cmd;
    let no_color = std::env::var_os("NO_COLOR").is_some();
    let (color, err_color) = match color {
        ColorArg::Always => (true, true),
        ColorArg::Never => (false, false),
        ColorArg::Auto => (
            std::io::stdout().is_terminal() && !no_color,
            std::io::stderr().is_terminal() && !no_color,
        ),
    };
    let opts = Options {
        digits: digits as usize,
        detail: match detail {
            DetailArg::Brief => Detail::Brief,
            DetailArg::Full => Detail::Full,
        },
        step_limit: max_steps,
        limits: Limits {
            work: max_work,
            memory: usize::try_from(max_memory << 20).unwrap_or(usize::MAX),
            timeout: std::time::Duration::try_from_secs_f64(timeout.max(0.0))
                .unwrap_or(std::time::Duration::MAX),
        },
        bulk: !no_bulk,
    };
    let mut files = Vec::new();
    let mut status = 0u8;
    let mut warnings = Vec::new();
    for p in &paths {
        if let Err(e) = collect(p, &mut files, &mut warnings) {
            eprintln!("gradwork: cannot read {}: {e}", p.display());
            status = 2;
        }
    }
    for w in &warnings {
        eprintln!("gradwork: warning: {w}");
    }
    let mut json_out = Vec::new();
    let mut stdout = std::io::stdout().lock();
    for (i, f) in files.iter().enumerate() {
        let name = f.display().to_string();
        let src = match std::fs::read(f).map(String::from_utf8) {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                // Where the file stops being UTF-8, by line and byte.
                let at = e.utf8_error().valid_up_to();
                let before = &e.as_bytes()[..at];
                let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
                let line_start = before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                // The column in characters, as every other diagnostic counts it.
                let col =
                    std::str::from_utf8(&before[line_start..]).map_or(1, |t| t.chars().count() + 1);
                eprintln!(
                    "gradwork: {name}:{line}:{col}: not UTF-8 text (byte {at}); save the file as UTF-8"
                );
                status = 2;
                continue;
            }
            Err(e) => {
                eprintln!("gradwork: cannot read {name}: {e}");
                status = 2;
                continue;
            }
        };
        let sol = solve(&src, &opts);
        if sol.ok() && sol.answers.is_empty() {
            eprintln!("gradwork: warning: {name} marks no answer; `show x` marks one");
        }
        if !sol.ok() {
            status = status.max(if sol.only_checks_failed() { 1 } else { 2 });
        }
        match format {
            Format::Text => {
                if i > 0 {
                    let _ = writeln!(stdout);
                }
                let _ = write!(
                    stdout,
                    "{}",
                    report::text(&name, &sol, opts.detail, opts.digits, Style { color })
                );
                // Diagnostics go to standard error, each once.
                let _ = stdout.flush();
                let errs = report::errors(&name, &src, &sol, Style { color: err_color });
                if !errs.is_empty() {
                    eprint!("{errs}");
                }
            }
            Format::Json => json_out.push(report::json(&name, &src, &sol, opts.digits)),
        }
        if i + 1 == files.len() {
            // The process ends next and the system takes its memory back at
            // once; freeing a long computation's graph node by node first
            // can take a tenth of the run.
            std::mem::forget(sol);
        }
    }
    if let Format::Json = format {
        match serde_json::to_string_pretty(&json_out) {
            Ok(text) => {
                let _ = writeln!(stdout, "{text}");
            }
            Err(e) => {
                eprintln!("gradwork: cannot write the JSON report: {e}");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::from(status)
}
