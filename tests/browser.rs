//! The HTML answer keys in a real browser (headless Chromium): every `<math>`
//! is laid out with a non-empty box, nothing inside `<main>` sticks out past
//! its right edge unless it sits in a scroll container, and a screenshot of
//! each seed exercise's key lands in `target/browser/taskN.png`.
//!
//! The measuring is [`measure`]: a copy of the page with a script inserted
//! before `</body>` that writes its findings as JSON into a
//! `<pre id="gw-browser-result">`, read back from `chromium --dump-dom`. The
//! `sample_*` tests check the harness itself on hand-written pages.
//!
//! Chromium is expected at `/usr/bin/chromium` (or `$CHROMIUM`, or on the
//! PATH); `tools/test` installs it. Without it the tests fail, unless
//! `GRADWORK_NO_BROWSER=1`, which skips them with a line saying so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long one Chromium run may take before it is killed.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

/// The flags of every run; `--user-data-dir` (a fresh one) is added per run.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1000,1400",
    "--virtual-time-budget=5000",
];

/// One browser at a time: the tests run in parallel threads, and a few
/// Chromiums at once on a small CI machine only make each one slower.
static BROWSER: Mutex<()> = Mutex::new(());

/// What the measuring script found in a page.
#[derive(Debug)]
struct Measure {
    /// `<math>` elements in the document.
    math: usize,
    /// `<svg>` elements in the document.
    svg: usize,
    /// The `<math>` elements laid out with zero width or height (start of
    /// their markup, and the size).
    zero_math: Vec<String>,
    /// Elements in `<main>` whose right edge is more than 1px past the right
    /// edge of `<main>` and that are in no scroll container (the outermost
    /// such element only, not each of its descendants); also `<main>` itself
    /// when it is wider than the window.
    overflow: Vec<String>,
}

/// The measuring script, inserted just before `</body>`. ASCII only (the page
/// may not declare its charset); its JSON is written with `<`, `>`, `&` and
/// every non-ASCII character as `\uXXXX`, so the serialized DOM carries it
/// verbatim (no entities to undo).
const SCRIPT: &str = r##"<script>
(function () {
  function describe(el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    var c = el.getAttribute('class');
    if (c && c.trim()) s += '.' + c.trim().split(/\s+/).join('.');
    return s;
  }
  function snippet(el) {
    var h = el.outerHTML;
    return h.length > 240 ? h.slice(0, 240) + '...' : h;
  }
  function scrolls(el) {
    var o = getComputedStyle(el).overflowX;
    return o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip';
  }
  function measure() {
    var r = {math: 0, svg: 0, zero_math: [], overflow: [], main: false};
    var maths = document.querySelectorAll('math');
    r.math = maths.length;
    r.svg = document.querySelectorAll('svg').length;
    maths.forEach(function (m) {
      var b = m.getBoundingClientRect();
      if (!(b.width > 0 && b.height > 0)) {
        r.zero_math.push(snippet(m) + ' (' + b.width + 'x' + b.height + ')');
      }
    });
    var main = document.querySelector('main');
    if (!main) return r;
    r.main = true;
    var right = main.getBoundingClientRect().right;
    var vw = document.documentElement.clientWidth;
    if (right > vw + 1) {
      r.overflow.push('<main> ends at ' + right + 'px, past the window width ' + vw + 'px');
    }
    var reported = [];
    main.querySelectorAll('*').forEach(function (el) {
      var b = el.getBoundingClientRect();
      if (b.right <= right + 1) return;
      for (var a = el.parentElement; a && a !== main; a = a.parentElement) {
        if (reported.indexOf(a) >= 0 || scrolls(a)) return;
      }
      reported.push(el);
      r.overflow.push(describe(el) + ' ends ' + (b.right - right).toFixed(1) +
        'px past the right edge of <main>: ' + snippet(el));
    });
    return r;
  }
  function emit(r) {
    var pre = document.createElement('pre');
    pre.id = 'gw-browser-' + 'result';
    pre.textContent = JSON.stringify(r).replace(/[^\x20-\x7e]|[<>&]/g, function (c) {
      return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4);
    });
    document.body.appendChild(pre);
  }
  window.addEventListener('load', function () {
    function done() {
      var r;
      try { r = measure(); } catch (e) { r = {error: String(e && e.stack || e)}; }
      emit(r);
    }
    var fonts = document.fonts && document.fonts.ready;
    (fonts || Promise.resolve()).then(done, done);
  });
})();
</script>
"##;

const RESULT_OPEN: &str = r#"<pre id="gw-browser-result">"#;

/// A directory of its own under the system temp dir, removed when dropped —
/// unless a test is failing, when it is kept (and named) for a look.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("gradwork-browser-{}-{tag}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept for a look: {}", self.0.display());
        } else {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// Chromium's path, or `None` when it is missing and `GRADWORK_NO_BROWSER=1`
/// (having said that the test is skipped). Panics when it is missing otherwise.
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file()))
        .or_else(|| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path)
                .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
                .find(|p| p.is_file())
        });
    if found.is_some() {
        return found;
    }
    if std::env::var("GRADWORK_NO_BROWSER").as_deref() == Ok("1") {
        println!("browser test skipped: no chromium, and GRADWORK_NO_BROWSER=1");
        return None;
    }
    panic!(
        "chromium not found (/usr/bin/chromium, $CHROMIUM, PATH): run tools/test, which \
         installs it, or set GRADWORK_NO_BROWSER=1 to skip the browser tests"
    );
}

/// A `file://` URL for an absolute path (bytes outside the unreserved set
/// percent-encoded).
fn file_url(path: &Path) -> String {
    let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut url = String::from("file://");
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Runs Chromium with [`FLAGS`], `args` and a fresh profile in `work`, and
/// returns its stdout. Killed (with everything it started) after
/// [`BROWSER_TIMEOUT`].
fn run_chromium(browser: &Path, work: &Path, args: &[String]) -> Result<String, String> {
    use std::os::unix::process::CommandExt;
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let profile = work.join(format!("profile-{n}"));
    let out_path = work.join(format!("chromium-{n}.stdout"));
    let err_path = work.join(format!("chromium-{n}.stderr"));
    let file = |p: &Path| fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()));

    let _one_at_a_time = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let start = Instant::now();
    let mut child = Command::new(browser)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        // output to files, not pipes: a stray child holding a pipe open
        // cannot block the test
        .stdout(file(&out_path)?)
        .stderr(file(&err_path)?)
        // a group of its own, so a timeout kills the renderers too
        .process_group(0)
        .spawn()
        .map_err(|e| format!("{}: {e}", browser.display()))?;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < BROWSER_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Ok(None) => {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .stderr(Stdio::null())
                    .status();
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "chromium {args:?} did not finish in {} s; killed",
                    BROWSER_TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("waiting for chromium: {e}")),
        }
    };
    let _ = fs::remove_dir_all(&profile);
    let stdout = fs::read_to_string(&out_path).map_err(|e| format!("chromium's output: {e}"))?;
    if !status.success() {
        // the dbus complaints of a machine without a session bus are noise
        let stderr = fs::read_to_string(&err_path).unwrap_or_default();
        let stderr: Vec<&str> = stderr.lines().filter(|l| !l.contains("dbus")).collect();
        return Err(format!(
            "chromium {args:?} failed ({status}):\n{}",
            stderr.join("\n")
        ));
    }
    Ok(stdout)
}

/// The page with [`SCRIPT`] inserted just before its last `</body>` (at the
/// end when it has none).
fn with_script(html: &str) -> String {
    let at = html
        .to_ascii_lowercase()
        .rfind("</body>")
        .unwrap_or(html.len());
    format!("{}{SCRIPT}{}", &html[..at], &html[at..])
}

/// Loads the page at `html_path` in Chromium (a copy of it, with the
/// measuring script) and returns what the script found.
fn measure(browser: &Path, html_path: &Path) -> Result<Measure, String> {
    let html =
        fs::read_to_string(html_path).map_err(|e| format!("{}: {e}", html_path.display()))?;
    let work = TempDir::new("measure");
    let copy = work.path().join("measured.html");
    fs::write(&copy, with_script(&html)).map_err(|e| format!("{}: {e}", copy.display()))?;
    let dom = run_chromium(
        browser,
        work.path(),
        &["--dump-dom".into(), file_url(&copy)],
    )?;
    let tail = || dom[dom.len().saturating_sub(2000)..].to_string();
    let start = dom
        .rfind(RESULT_OPEN)
        .ok_or_else(|| format!("no measurement in the dumped DOM; its end:\n{}", tail()))?
        + RESULT_OPEN.len();
    let end = start
        + dom[start..]
            .find("</pre>")
            .ok_or_else(|| format!("unterminated measurement; the DOM's end:\n{}", tail()))?;
    let json: Value = serde_json::from_str(&dom[start..end])
        .map_err(|e| format!("measurement {:?}: {e}", &dom[start..end]))?;
    if let Some(e) = json.get("error") {
        return Err(format!("the measuring script failed: {e}"));
    }
    if json["main"] != true {
        return Err(format!("{}: no <main> element", html_path.display()));
    }
    let count = |k: &str| {
        json[k]
            .as_u64()
            .map(|n| n as usize)
            .ok_or_else(|| format!("measurement without {k}: {json}"))
    };
    let strings = |k: &str| {
        json[k]
            .as_array()
            .ok_or_else(|| format!("measurement without {k}: {json}"))?
            .iter()
            .map(|s| s.as_str().map(str::to_owned).ok_or(format!("{k}: {s}")))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(Measure {
        math: count("math")?,
        svg: count("svg")?,
        zero_math: strings("zero_math")?,
        overflow: strings("overflow")?,
    })
}

/// A screenshot of the page at `html_path` (the window, 1000×1400) into
/// `png`; returns its size in bytes.
fn screenshot(browser: &Path, html_path: &Path, png: &Path) -> Result<u64, String> {
    let _ = fs::remove_file(png);
    let png = std::path::absolute(png).map_err(|e| format!("{}: {e}", png.display()))?;
    let work = TempDir::new("screenshot");
    run_chromium(
        browser,
        work.path(),
        &[
            format!("--screenshot={}", png.display()),
            file_url(html_path),
        ],
    )?;
    fs::metadata(&png)
        .map(|m| m.len())
        .map_err(|e| format!("no screenshot at {}: {e}", png.display()))
}

/// `Err` naming the offenders unless the page has some math, all of it laid
/// out, and nothing overflowing.
fn verdict(name: &str, m: &Measure) -> Result<(), String> {
    let list = |v: &[String]| v.iter().map(|s| format!("\n  - {s}")).collect::<String>();
    if m.math == 0 {
        return Err(format!("{name}: no <math> element: {m:?}"));
    }
    let mut problems = Vec::new();
    if !m.zero_math.is_empty() {
        problems.push(format!(
            "{name}: {} of {} <math> elements laid out with no size:{}",
            m.zero_math.len(),
            m.math,
            list(&m.zero_math)
        ));
    }
    if !m.overflow.is_empty() {
        problems.push(format!(
            "{name}: content wider than <main> outside a scroll container:{}",
            list(&m.overflow)
        ));
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(problems.join("\n")),
    }
}

#[test]
fn seed_answer_keys_render() {
    let Some(browser) = chromium() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = root.join("target/browser");
    fs::create_dir_all(&shots).unwrap_or_else(|e| panic!("{}: {e}", shots.display()));
    let work = TempDir::new("seed");
    for n in 1..=5 {
        let name = format!("task{n}");
        let html = work.path().join(format!("{name}.html"));
        let out = Command::new(env!("CARGO_BIN_EXE_gradwork"))
            .args(["solve", &format!("exercises/seed/{name}.gw")])
            .args(["--format", "html", "-o"])
            .arg(&html)
            .current_dir(root)
            .output()
            .expect("the binary runs");
        assert!(
            out.status.success() && html.is_file(),
            "{name}: gradwork solve --format html -o {} ({}, file {}):\n{}",
            html.display(),
            out.status,
            if html.is_file() { "written" } else { "missing" },
            String::from_utf8_lossy(&out.stderr)
        );
        let m = measure(&browser, &html).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Err(e) = verdict(&name, &m) {
            panic!("{e}");
        }
        let png = shots.join(format!("{name}.png"));
        let size = screenshot(&browser, &html, &png).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            size > 10 * 1024,
            "{name}: screenshot {} is only {size} bytes",
            png.display()
        );
        println!(
            "{name}: {} math, {} svg; {} ({size} bytes)",
            m.math,
            m.svg,
            png.display()
        );
    }
}

/// A page shaped like an answer key: a centred `<main>`, inline and display
/// math, a figure, a wide table and a long display formula in scroll
/// containers; `extra` goes at the end of `<main>`.
fn sample_page(extra: &str) -> String {
    let long_sum: String = (1..=60)
        .map(|i| format!("<msub><mi>w</mi><mn>{i}</mn></msub><mo>+</mo>"))
        .collect();
    let wide_row: String = (1..=40).map(|i| format!("<td>{i}.000</td>")).collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sample answer key</title>
<style>
body {{ margin: 0; font-family: sans-serif; }}
main {{ max-width: 46rem; margin: 0 auto; padding: 1rem; }}
.display, .table {{ overflow-x: auto; overflow-y: hidden; }}
</style>
</head>
<body>
<main>
<h1>Task 0</h1>
<p>The loss <math><mi>L</mi><mo>=</mo><mfrac><mn>1</mn><mn>2</mn></mfrac><msup><mrow><mo>(</mo><mi>y</mi><mo>&#x2212;</mo><mi>t</mi><mo>)</mo></mrow><mn>2</mn></msup></math>
has gradient <math><mfrac><mrow><mo>&#x2202;</mo><mi>L</mi></mrow><mrow><mo>&#x2202;</mo><mi>y</mi></mrow></mfrac><mo>=</mo><mi>y</mi><mo>&#x2212;</mo><mi>t</mi></math>.</p>
<div class="display"><math display="block"><mi>s</mi><mo>=</mo>{long_sum}<mn>0</mn></math></div>
<figure><svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200">
<rect x="10" y="10" width="300" height="180" fill="none" stroke="black"/>
<polyline points="10,190 90,120 170,80 250,40 310,20" fill="none" stroke="steelblue" stroke-width="3"/>
<circle cx="170" cy="80" r="6" fill="crimson"/><text x="180" y="75" font-size="14">minimum</text>
</svg><figcaption>The loss along the line search.</figcaption></figure>
<div class="table"><table><tr>{wide_row}</tr></table></div>
<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>
{extra}
</main>
</body>
</html>
"#
    )
}

fn write_sample(dir: &TempDir, name: &str, extra: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, sample_page(extra)).unwrap();
    path
}

#[test]
fn sample_good_page_passes() {
    let Some(browser) = chromium() else { return };
    let dir = TempDir::new("sample-good");
    let html = write_sample(&dir, "good.html", "");
    let m = measure(&browser, &html).unwrap();
    verdict("good.html", &m).unwrap();
    assert_eq!((m.math, m.svg), (3, 1), "{m:?}");
    let png = dir.path().join("good.png");
    let size = screenshot(&browser, &html, &png).unwrap();
    assert!(size > 10 * 1024, "{}: {size} bytes", png.display());
}

#[test]
fn sample_overflow_is_reported() {
    let Some(browser) = chromium() else { return };
    let dir = TempDir::new("sample-overflow");
    // a wide table outside any scroll container: reported once (the table,
    // not each of its cells), while the one in .table is not
    let cells: String = (1..=40).map(|i| format!("<td>{i}.000</td>")).collect();
    let html = write_sample(
        &dir,
        "overflow.html",
        &format!("<table id=\"loose\"><tr>{cells}</tr></table>"),
    );
    let m = measure(&browser, &html).unwrap();
    assert!(m.zero_math.is_empty(), "{m:?}");
    assert_eq!(m.overflow.len(), 1, "{:#?}", m.overflow);
    assert!(
        m.overflow[0].starts_with("table#loose ends "),
        "{:#?}",
        m.overflow
    );
    let message = verdict("overflow.html", &m).unwrap_err();
    assert!(message.contains("table#loose"), "{message}");
}

#[test]
fn sample_empty_math_is_reported() {
    let Some(browser) = chromium() else { return };
    let dir = TempDir::new("sample-empty-math");
    let html = write_sample(&dir, "empty.html", "<p>Nothing: <math></math>.</p>");
    let m = measure(&browser, &html).unwrap();
    assert_eq!(m.math, 4, "{m:?}");
    assert!(m.overflow.is_empty(), "{m:?}");
    assert_eq!(m.zero_math, ["<math></math> (0x0)"], "{m:?}");
}

/// `gradwork serve` in the browser: the page opens task 2, the editor's
/// `b = vary(-0.1, …)` is edited to 0.1 as if typed (the page's
/// `?replace=…&with=…`), and after the pause the answers and the worked
/// solution show the new values: f = (1 + 1 + 1.3)/3 + 0.1 = 1.2 and
/// (3.3 + 3.3 + 2.7)/3 + 0.1 = 3.2. A screenshot goes to
/// target/browser/serve.png.
#[test]
fn the_local_page_resolves_an_edit() {
    use std::io::BufRead;
    let Some(browser) = chromium() else { return };
    let work = std::env::temp_dir().join(format!("gw-browser-serve-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_gradwork"))
        .args(["serve", "exercises/seed", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    let url =
        format!("http://127.0.0.1:{port}/?file=task2.gw&replace=vary(-0.1%2C&with=vary(0.1%2C");
    let budget = "--virtual-time-budget=20000".to_string();
    let dom = run_chromium(
        &browser,
        &work,
        &[budget.clone(), "--dump-dom".into(), url.clone()],
    );
    let shot = PathBuf::from("target/browser/serve.png");
    fs::create_dir_all("target/browser").unwrap();
    let shot_arg = format!(
        "--screenshot={}",
        fs::canonicalize("target/browser")
            .unwrap()
            .join("serve.png")
            .display()
    );
    let shot_run = run_chromium(&browser, &work, &[budget, shot_arg, url]);
    let _ = server.kill();
    let _ = server.wait();
    let dom = dom.unwrap();
    assert!(
        dom.contains("data-solves=\"2\""),
        "the edit was not solved: {dom}"
    );
    assert!(dom.contains("f_p1 = [1.2, 1.2, 1.2, 1.2]"), "{dom}");
    assert!(dom.contains("f_p2 = [3.2, 3.2, 3.2, 3.2]"), "{dom}");
    // L = 4·(1.2 − 3.2)² = 16: b cancels in the difference
    assert!(dom.contains("L = 16"), "{dom}");
    // the worked solution is rendered beside it (its formulas are MathML)
    let math: usize = dom
        .split("data-math=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(math > 20, "{math} formulas in the worked solution");
    shot_run.unwrap();
    assert!(
        fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
        "no screenshot"
    );
    let _ = fs::remove_dir_all(&work);
}
