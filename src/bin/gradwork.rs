//! The `gradwork` command: `gradwork solve PATH...`.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use gradwork::budget::{CountingAlloc, Limits};
use gradwork::lang::interp::Detail;
use gradwork::lang::report::{self, Style};
use gradwork::lang::{doc, Solution};
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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The worked solution as text (the default).
    Text,
    /// The stable JSON schema (docs/language.md).
    Json,
    /// Markdown with $…$ math; figures as SVG files beside the document.
    #[value(alias = "markdown")]
    Md,
    /// A compilable LaTeX document (article, amsmath); --fragment for the body.
    #[value(alias = "tex")]
    Latex,
    /// One self-contained HTML file: MathML, inline SVG figures, no scripts.
    Html,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Md => "md",
            Format::Latex => "tex",
            Format::Html => "html",
        }
    }
    fn document(self) -> Option<doc::Format> {
        match self {
            Format::Md => Some(doc::Format::Markdown),
            Format::Latex => Some(doc::Format::Latex),
            Format::Html => Some(doc::Format::Html),
            Format::Text | Format::Json => None,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum SheetArg {
    /// The statement of every step with a blank under each answer.
    Question,
    /// The statement with each answer's value, without the working.
    Key,
}

impl SheetArg {
    fn doc(self) -> doc::Sheet {
        match self {
            SheetArg::Question => doc::Sheet::Question,
            SheetArg::Key => doc::Sheet::Key,
        }
    }
    fn name(self) -> &'static str {
        match self {
            SheetArg::Question => "question",
            SheetArg::Key => "key",
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GradeFormat {
    Text,
    Json,
    /// Gradescope's autograder results.json.
    Gradescope,
}

#[derive(Subcommand)]
enum Cmd {
    /// Mark a student's answers against a key, with follow-through: an
    /// answer that is right given the student's own earlier (wrong) values
    /// is credited, unless those values make it trivial.
    ///
    /// Exit status: 0 when the marking ran (whatever the marks), 2 when the
    /// key or the submission cannot be read or the key has an error.
    Grade {
        /// The key: an exercise whose `show` lines are the answers.
        key: PathBuf,
        /// The student's answers: a JSON object from answer names (or the
        /// ids of `--format json`) to numbers, fractions as strings and
        /// nested lists; or a `.gw` exercise of the student's own, whose
        /// answers are taken by name.
        submission: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: GradeFormat,
        /// Relative tolerance for a key value with no finite decimal (1/3,
        /// an approximate value), which a student writes rounded.
        #[arg(long, default_value_t = 1e-3)]
        tolerance: f64,
        /// Write the report to FILE instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Make variants of a key: each number marked with `vary(…)` drawn
    /// anew, each candidate solved as an exercise of its own and kept when
    /// it meets every `require` and differs from the key and the others.
    ///
    /// Writes, into DIR, each variant's exercise (`STEM-NN.gw`), worked
    /// answer key (`STEM-NN-key.EXT`) and question sheet
    /// (`STEM-NN-question.EXT`), and a summary of every variant's numbers and
    /// answers (`STEM-summary.md`, `STEM-summary.json`).
    ///
    /// Exit status: 0 when COUNT variants were made, 1 when the tries ran
    /// out first, 2 when the key cannot be read, has an error or marks
    /// nothing.
    Variants {
        /// The key: an exercise with `vary(…)` marks and `require` lines.
        key: PathBuf,
        /// How many variants.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        count: u64,
        /// The same seed gives the same variants.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The folder to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Most candidates to draw (repeats included); 200 per variant (at least
        /// 1000) by default.
        #[arg(long)]
        max_tries: Option<usize>,
        /// The answer keys' format.
        #[arg(long, value_enum, default_value = "md")]
        format: Format,
    },
    /// A local page to write exercises on: the folder's exercises, an editor,
    /// and the worked solution re-solved as you type, with the diagnostics
    /// at their lines and the answer key to download. Listens on 127.0.0.1
    /// only; reads only the folder's `*.gw` files; writes only when Save is
    /// pressed.
    Serve {
        /// The folder of exercises (searched recursively for *.gw).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The port on 127.0.0.1 (0: any free one).
        #[arg(long, default_value_t = 8000)]
        port: u16,
    },
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
        /// Write everything to FILE (one document for all the exercises,
        /// with a table of contents when there are several).
        #[arg(
            short = 'o',
            long = "output",
            value_name = "FILE",
            conflicts_with = "out"
        )]
        output: Option<PathBuf>,
        /// Write one document per exercise into DIR (created if missing),
        /// named after each exercise file.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// LaTeX: the body only, without the preamble, to \input elsewhere.
        #[arg(long)]
        fragment: bool,
        /// An exam sheet instead of the worked solution (md, latex, html):
        /// the statements with a blank under each answer (question) or with
        /// each answer's value (key); no working either way. With --out, the
        /// files are named `{exercise}-question` or `{exercise}-key`.
        #[arg(long, value_enum, value_name = "SHEET")]
        sheet: Option<SheetArg>,
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

/// Where the output goes.
enum Sink {
    Stdout,
    File(PathBuf),
    Dir(PathBuf),
}

/// How the solutions are written when they are not streamed as text.
struct Render {
    format: Format,
    detail: Detail,
    digits: usize,
    fragment: bool,
    sheet: Option<doc::Sheet>,
    color: bool,
}

/// A written output and the files it links to.
struct Written {
    text: String,
    assets: Vec<(String, String)>,
}

/// An output being written, one exercise at a time.
enum Acc {
    Text(Vec<String>),
    Json(Vec<serde_json::Value>),
    Doc(doc::Renderer),
}

impl Render {
    /// A new output; `path` is where it will be saved (Markdown's figures
    /// are named after it).
    fn start(&self, path: Option<&Path>) -> Acc {
        match self.format.document() {
            None if self.format == Format::Json => Acc::Json(Vec::new()),
            None => Acc::Text(Vec::new()),
            Some(format) => Acc::Doc(doc::Renderer::new(&doc::Options {
                format,
                detail: self.detail,
                digits: self.digits,
                fragment: self.fragment,
                sheet: self.sheet,
                figure_stem: path
                    .and_then(|p| p.file_stem())
                    .map(|s| s.to_string_lossy().into_owned()),
            })),
        }
    }

    /// Writes one solved exercise into the output (the solution can then
    /// be dropped).
    fn add(&self, acc: &mut Acc, name: &str, src: &str, sol: &Solution, to_file: bool) {
        match acc {
            Acc::Text(t) => {
                let color = self.color && !to_file;
                t.push(report::text(
                    name,
                    sol,
                    self.detail,
                    self.digits,
                    Style { color },
                ));
            }
            Acc::Json(j) => j.push(report::json(name, src, sol, self.digits)),
            Acc::Doc(r) => r.add(&doc::Exercise { file: name, sol }),
        }
    }

    fn finish(&self, acc: Acc) -> Result<Written, String> {
        let text = match acc {
            Acc::Text(t) => t.join("\n"),
            Acc::Json(j) => {
                let mut t = serde_json::to_string_pretty(&j)
                    .map_err(|e| format!("cannot write the JSON report: {e}"))?;
                t.push('\n');
                t
            }
            Acc::Doc(r) => {
                let d = r.finish();
                return Ok(Written {
                    text: d.text,
                    assets: d.assets,
                });
            }
        };
        Ok(Written {
            text,
            assets: Vec::new(),
        })
    }
}

fn write_out(w: &mut impl Write, text: &str) -> Result<(), String> {
    w.write_all(text.as_bytes())
        .and_then(|()| w.flush())
        .map_err(|e| format!("cannot write to standard output: {e}"))
}

/// Saves a document and, beside it, the files it links to.
fn save(path: &Path, d: &Written) -> Result<(), String> {
    std::fs::write(path, &d.text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    for (name, body) in &d.assets {
        let p = dir.join(name);
        std::fs::write(&p, body).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    Ok(())
}

/// The name of each exercise's document in a folder: its file's stem, made
/// unique with a number when two files have the same stem.
fn unique_stems(files: &[PathBuf]) -> Vec<String> {
    let stem = |p: &Path| {
        p.file_stem().map_or_else(
            || "exercise".to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    };
    let mut taken: std::collections::HashSet<String> = files.iter().map(|f| stem(f)).collect();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    files
        .iter()
        .map(|f| {
            let mine = stem(f);
            if seen.insert(mine.clone()) {
                return mine;
            }
            let mut k = 2;
            loop {
                let name = format!("{mine}-{k}");
                if taken.insert(name.clone()) {
                    seen.insert(name.clone());
                    return name;
                }
                k += 1;
            }
        })
        .collect()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Grade {
            key,
            submission,
            format,
            tolerance,
            output,
        } => grade_main(&key, &submission, format, tolerance, output.as_deref()),
        Cmd::Variants {
            key,
            count,
            seed,
            out,
            max_tries,
            format,
        } => variants_main(&key, count as usize, seed, &out, max_tries, format),
        Cmd::Serve { dir, port } => serve_main(&dir, port),
        cmd => solve_main(cmd),
    }
}

fn serve_main(dir: &Path, port: u16) -> ExitCode {
    let site = match gradwork::serve::Site::new(dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gradwork: {e}");
            return ExitCode::from(2);
        }
    };
    let n = site.files().len();
    let served = gradwork::serve::run(&site, port, |bound| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "gradwork: serving {} ({n} exercise{}) on http://127.0.0.1:{bound}/ — Ctrl-C stops",
            dir.display(),
            if n == 1 { "" } else { "s" }
        );
        let _ = out.flush();
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gradwork: {e}");
            ExitCode::from(2)
        }
    }
}

fn variants_main(
    key: &Path,
    count: usize,
    seed: u64,
    dir: &Path,
    max_tries: Option<usize>,
    format: Format,
) -> ExitCode {
    use gradwork::lang::variant::{self, Refusal, Request};
    let Some(doc_format) = format.document() else {
        eprintln!("gradwork: variants writes keys as md, latex or html");
        return ExitCode::from(2);
    };
    let src = match read_text(key) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gradwork: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("gradwork: cannot create {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    let name = key.display().to_string();
    let opts = Options::default();
    let files = variant::Files::new(dir, key, count, doc_format, opts.digits);
    let req = Request {
        count,
        seed,
        max_tries: max_tries.unwrap_or(count.saturating_mul(200).max(1000)),
    };
    let outcome = match variant::generate(&src, &opts, &req, |v| files.write(v)) {
        Err(Refusal::NothingVaries) => {
            eprintln!(
                "gradwork: {name} marks no number to vary; write e.g. `b = vary(-0.1, among=[-0.2, -0.1, 0.1, 0.2])` (docs/teaching.md)"
            );
            return ExitCode::from(2);
        }
        Err(Refusal::KeyFails(sol)) => {
            eprint!(
                "{}",
                report::errors(&name, &src, &sol, Style { color: false })
            );
            eprintln!("gradwork: {name}: the key itself must solve cleanly before it is varied");
            return ExitCode::from(2);
        }
        Err(Refusal::Limit(why)) => {
            eprintln!(
                "gradwork: {name}: a candidate reached a limit of its run, so which candidates pass would depend on the machine; stopped (the files written so far are not a complete set): {why}"
            );
            return ExitCode::from(2);
        }
        Ok(Err(e)) => {
            eprintln!("gradwork: {e}");
            return ExitCode::from(2);
        }
        Ok(Ok(o)) => o,
    };
    let (md_path, json_path) = match files.write_summary(&name, seed, &outcome) {
        Ok(paths) => paths,
        Err(e) => {
            eprintln!("gradwork: {e}");
            return ExitCode::from(2);
        }
    };
    let made = outcome.variants.len();
    let mut report = format!(
        "{name}: {made} variant{} (seed {seed}) in {}\n",
        if made == 1 { "" } else { "s" },
        dir.display()
    );
    report.push_str(&outcome.rejections_text());
    report.push_str(&format!(
        "summary: {} and {}\n",
        md_path.display(),
        json_path.display()
    ));
    let _ = write_out(&mut std::io::stdout().lock(), &report);
    if made < count {
        eprintln!(
            "gradwork: only {made} of {count} variants after {} candidates; widen the `vary` ranges, loosen a `require`, or raise --max-tries",
            outcome.tries
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
        .and_then(|b| {
            String::from_utf8(b).map_err(|_| format!("{}: not UTF-8 text", path.display()))
        })
}

fn grade_main(
    key: &Path,
    submission: &Path,
    format: GradeFormat,
    tolerance: f64,
    output: Option<&Path>,
) -> ExitCode {
    use gradwork::lang::grade;
    let run = || -> Result<String, String> {
        let src = read_text(key)?;
        let opts = Options::default();
        let sub_text = read_text(submission)?;
        let sub = if submission.extension().is_some_and(|x| x == "gw") {
            let sol = solve(&sub_text, &opts);
            if let Some(e) = sol.errors.first() {
                eprint!(
                    "{}",
                    e.render(&submission.display().to_string(), &sub_text, false)
                );
            }
            grade::submission_from_solution(&sol)
        } else {
            grade::submission_from_json(&sub_text)
                .map_err(|e| format!("{}: {e}", submission.display()))?
        };
        let tol = if tolerance.is_finite() && tolerance >= 0.0 {
            tolerance
        } else {
            return Err("--tolerance is a number ≥ 0".into());
        };
        let report =
            grade::grade(&src, &opts, &sub, tol).map_err(|e| format!("{}: {e}", key.display()))?;
        let name = key.display().to_string();
        Ok(match format {
            GradeFormat::Text => grade::text(&name, &report),
            GradeFormat::Json => {
                serde_json::to_string_pretty(&grade::json(&name, &report))
                    .map_err(|e| e.to_string())?
                    + "\n"
            }
            GradeFormat::Gradescope => {
                serde_json::to_string_pretty(&grade::gradescope(&report))
                    .map_err(|e| e.to_string())?
                    + "\n"
            }
        })
    };
    let written = run().and_then(|text| match output {
        Some(f) => {
            std::fs::write(f, text).map_err(|e| format!("cannot write {}: {e}", f.display()))
        }
        None => write_out(&mut std::io::stdout().lock(), &text),
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gradwork: {e}");
            ExitCode::from(2)
        }
    }
}

fn solve_main(cmd: Cmd) -> ExitCode {
    let Cmd::Solve {
        paths,
        detail,
        digits,
        format,
        output,
        out,
        fragment,
        sheet,
        color,
        timeout,
        max_work,
        max_memory,
        max_steps,
        no_bulk,
    } = cmd
    else {
        return ExitCode::from(2);
    };
    if fragment && format != Format::Latex {
        eprintln!("gradwork: --fragment is for --format latex (the body of a LaTeX document)");
        return ExitCode::from(2);
    }
    if sheet.is_some() && format.document().is_none() {
        eprintln!(
            "gradwork: --sheet is for --format md, latex or html (a question sheet or an answer key as a document)"
        );
        return ExitCode::from(2);
    }
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
        stop_after_answers: None,
        requires: true,
    };
    let mut files = Vec::new();
    let mut status = 0u8;
    let mut warnings = Vec::new();
    for p in &paths {
        if let Err(e) = gradwork::lang::files::collect(p, &mut files, &mut warnings) {
            eprintln!("gradwork: cannot read {}: {e}", p.display());
            status = 2;
        }
    }
    for w in &warnings {
        eprintln!("gradwork: warning: {w}");
    }
    // Where the output goes: standard output (streamed, for text), one
    // file, or one file per exercise in a folder.
    let sink = match (&output, &out) {
        (Some(f), _) => Sink::File(f.clone()),
        (_, Some(d)) => {
            if let Err(e) = std::fs::create_dir_all(d) {
                eprintln!("gradwork: cannot create {}: {e}", d.display());
                return ExitCode::from(2);
            }
            Sink::Dir(d.clone())
        }
        _ => Sink::Stdout,
    };
    let stream = format == Format::Text && matches!(sink, Sink::Stdout);
    let render = Render {
        format,
        detail: opts.detail,
        digits: opts.digits,
        fragment,
        sheet: sheet.map(SheetArg::doc),
        color,
    };
    let mut stems = unique_stems(&files);
    // A question sheet and its key can share a folder.
    if let Some(sh) = sheet {
        for s in &mut stems {
            s.push('-');
            s.push_str(sh.name());
        }
    }
    // One output for everything (standard output, -o FILE), or one per
    // exercise (--out DIR), each written as soon as it is solved.
    let mut whole = match &sink {
        Sink::File(f) => Some(render.start(Some(f))),
        Sink::Stdout if !stream => Some(render.start(None)),
        _ => None,
    };
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
        // Diagnostics go to standard error, each once, whatever the format.
        let errs = report::errors(&name, &src, &sol, Style { color: err_color });
        if stream {
            if i > 0 {
                let _ = writeln!(stdout);
            }
            let _ = write!(
                stdout,
                "{}",
                report::text(&name, &sol, opts.detail, opts.digits, Style { color })
            );
            let _ = stdout.flush();
            if !errs.is_empty() {
                eprint!("{errs}");
            }
            if i + 1 == files.len() {
                // The process ends next and the system takes its memory back at
                // once; freeing a long computation's graph node by node first
                // can take a tenth of the run.
                std::mem::forget(sol);
            }
        } else {
            if !errs.is_empty() {
                eprint!("{errs}");
            }
            let to_file = !matches!(sink, Sink::Stdout);
            if let Some(acc) = whole.as_mut() {
                render.add(acc, &name, &src, &sol, to_file);
            } else if let Sink::Dir(dir) = &sink {
                let file = dir.join(format!("{}.{}", stems[i], format.extension()));
                let mut acc = render.start(Some(&file));
                render.add(&mut acc, &name, &src, &sol, true);
                if let Err(e) = render.finish(acc).and_then(|d| save(&file, &d)) {
                    eprintln!("gradwork: {e}");
                    return ExitCode::from(2);
                }
            }
            // The next file's memory budget is its own; the last one's
            // memory goes back to the system with the process.
            if i + 1 == files.len() {
                std::mem::forget(sol);
            } else {
                drop(sol);
            }
        }
    }
    if let Some(acc) = whole {
        let written = render.finish(acc).and_then(|d| match &sink {
            Sink::File(f) => save(f, &d),
            _ => write_out(&mut stdout, &d.text),
        });
        if let Err(e) = written {
            eprintln!("gradwork: {e}");
            return ExitCode::from(2);
        }
    }
    ExitCode::from(status)
}
