//! Answer keys as documents: golden files of every seed exercise in
//! Markdown, LaTeX and HTML; every formula of the LaTeX parsed by an
//! independent LaTeX-math parser (pulldown-latex); the HTML well-formed as
//! XML (roxmltree) and free of HTML5 tokenizer errors (html5gum); every
//! worked line of the step tree present in each document; the figures and
//! the model's equations where the seed asks for them; `-o` and `--out`;
//! the exam sheets (`--sheet question|key`) checked against the step tree.

use std::process::Command;

use gradwork::explain::math::Latex;
use gradwork::explain::mathml::MathMl;
use gradwork::explain::{Math, Note};
use gradwork::lang::interp::Detail;
use gradwork::lang::value::Fmt;
use gradwork::lang::{doc, solve, Options, Solution};

const TASKS: [&str; 5] = ["task1", "task2", "task3", "task4", "task5"];

fn solved(task: &str) -> Solution {
    let path = format!("{}/exercises/seed/{task}.gw", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(&path).unwrap();
    let sol = solve(&src, &Options::default());
    assert!(sol.ok(), "{task}: {:?}", sol.errors);
    sol
}

fn render(task: &str, sol: &Solution, format: doc::Format, fragment: bool) -> String {
    let file = format!("exercises/seed/{task}.gw");
    doc::render(
        &[doc::Exercise { file: &file, sol }],
        &doc::Options {
            format,
            detail: Detail::Full,
            digits: 4,
            fragment,
            figure_stem: Some(task.to_string()),
            sheet: None,
        },
    )
    .text
}

#[test]
fn golden_markdown() {
    for t in TASKS {
        let sol = solved(t);
        insta::assert_snapshot!(
            format!("{t}_md"),
            render(t, &sol, doc::Format::Markdown, false)
        );
    }
}

#[test]
fn golden_latex() {
    for t in TASKS {
        let sol = solved(t);
        insta::assert_snapshot!(
            format!("{t}_tex"),
            render(t, &sol, doc::Format::Latex, false)
        );
    }
}

#[test]
fn golden_html() {
    for t in TASKS {
        let sol = solved(t);
        insta::assert_snapshot!(
            format!("{t}_html"),
            render(t, &sol, doc::Format::Html, false)
        );
    }
}

/// Every stretch of LaTeX math in a document: display environments, `$$…$$`
/// blocks and inline `$…$`.
fn math_segments(tex: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = tex;
    for (open, close) in [
        ("\\begin{equation*}", "\\end{equation*}"),
        ("\\begin{align*}", "\\end{align*}"),
    ] {
        let mut r = tex;
        while let Some(i) = r.find(open) {
            let body = &r[i + open.len()..];
            let j = body.find(close).expect("environment closed");
            let inner = &body[..j];
            // align* rows are `a &= b`: the parser reads them inside aligned.
            out.push(if open.contains("align") {
                format!("\\begin{{aligned}}{inner}\\end{{aligned}}")
            } else {
                inner.to_string()
            });
            r = &body[j + close.len()..];
        }
    }
    // Inline math outside the environments.
    let mut stripped = String::new();
    while let Some(i) = rest.find("\\begin{") {
        stripped.push_str(&rest[..i]);
        let env = &rest[i + 7..];
        let name = &env[..env.find('}').unwrap()];
        let close = format!("\\end{{{name}}}");
        match rest[i..].find(&close) {
            Some(j) if matches!(name, "equation*" | "align*" | "verbatim") => {
                rest = &rest[i + j + close.len()..];
            }
            _ => {
                stripped.push_str(&rest[i..i + 7]);
                rest = &rest[i + 7..];
            }
        }
    }
    stripped.push_str(rest);
    let stripped = stripped.replace("\\$", "");
    let mut parts = stripped.split("$$");
    // Markdown's display blocks.
    let mut inline_text = String::new();
    let mut display = false;
    for p in parts.by_ref() {
        if display {
            out.push(p.to_string());
        } else {
            inline_text.push_str(p);
        }
        display = !display;
    }
    for (k, p) in inline_text.split('$').enumerate() {
        if k % 2 == 1 {
            out.push(p.to_string());
        }
    }
    out
}

fn parse_latex(math: &str) -> Result<(), String> {
    // pulldown-latex knows no `\boxed` (amsmath's, and MathJax's and
    // KaTeX's): it is read as the group it boxes, which must then parse.
    let math = math.replace("\\boxed{", "{");
    let storage = pulldown_latex::Storage::new();
    for ev in pulldown_latex::Parser::new(&math, &storage) {
        if let Err(e) = ev {
            return Err(format!("{e}"));
        }
    }
    Ok(())
}

#[test]
fn every_formula_of_the_latex_parses() {
    for t in TASKS {
        let sol = solved(t);
        for format in [doc::Format::Latex, doc::Format::Markdown] {
            let text = render(t, &sol, format, false);
            let segs = math_segments(&text);
            assert!(segs.len() > 5, "{t}: {} math segments", segs.len());
            for s in &segs {
                if let Err(e) = parse_latex(s) {
                    panic!("{t} ({format:?}): the formula does not parse: {e}\n{s}");
                }
            }
        }
    }
}

#[test]
fn the_parser_does_reject_bad_latex() {
    // The check above would pass on anything if the parser accepted all.
    assert!(parse_latex("\\frac{1}{").is_err());
    assert!(parse_latex("\\left( x").is_err());
    assert!(parse_latex("\\begin{bmatrix} 1 \\end{aligned}").is_err());
    assert!(parse_latex("\\begin{aligned} a &= \\tfrac{1}{3} \\\\ &= 2 \\end{aligned}").is_ok());
}

#[test]
fn latex_is_a_whole_document_and_a_fragment_is_its_body() {
    let sol = solved("task2");
    let full = render("task2", &sol, doc::Format::Latex, false);
    assert!(full.starts_with("\\documentclass"));
    assert!(full.contains("\\usepackage{amsmath,amssymb}"));
    assert!(full.trim_end().ends_with("\\end{document}"));
    assert_eq!(
        full.matches("\\begin{").count(),
        full.matches("\\end{").count()
    );
    let body = render("task2", &sol, doc::Format::Latex, true);
    assert!(!body.contains("\\documentclass") && !body.contains("\\end{document}"));
    assert!(full.contains(body.trim()));
}

fn check_html(t: &str, html: &str) {
    // Well-formed as XML: every element closed, attributes quoted, no stray `&`.
    let xml = html.trim_start_matches("<!DOCTYPE html>");
    if let Err(e) = roxmltree::Document::parse(xml) {
        panic!("{t}: the HTML is not well-formed: {e}");
    }
    // And clean for an HTML5 tokenizer.
    for token in html5gum::Tokenizer::new(html).flatten() {
        if let html5gum::Token::Error(e) = token {
            panic!("{t}: HTML5 tokenizer error: {e:?}");
        }
    }
    let xml = roxmltree::Document::parse(xml).unwrap();
    let tags: Vec<&str> = xml
        .descendants()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    // Self-contained: nothing fetched, nothing run.
    assert!(!tags.contains(&"script"), "{t}: a script");
    assert!(!tags.contains(&"link"), "{t}: a link");
    assert!(!tags.contains(&"img"), "{t}: an img");
    for n in xml.descendants().filter(|n| n.is_element()) {
        for a in n.attributes() {
            let v = a.value();
            assert!(
                !(a.name() == "src" || a.name() == "href" && !v.starts_with('#')),
                "{t}: an external reference {}={v}",
                a.name()
            );
        }
    }
    assert!(tags.contains(&"main") && tags.contains(&"math"), "{t}");
}

#[test]
fn html_is_well_formed_and_self_contained() {
    for t in TASKS {
        let sol = solved(t);
        check_html(t, &render(t, &sol, doc::Format::Html, false));
    }
}

#[test]
fn html_checker_catches_bad_markup() {
    // The checks would pass on anything if the parsers accepted all.
    assert!(roxmltree::Document::parse("<main><p>a</main>").is_err());
    assert!(roxmltree::Document::parse("<main>a & b</main>").is_err());
    let errors = html5gum::Tokenizer::new("<p class=a\"b>x</p>")
        .flatten()
        .filter(|t| matches!(t, html5gum::Token::Error(_)))
        .count();
    assert!(errors > 0);
}

/// Each line of working of the step tree, as each printer writes it, is in
/// the document: no renderer drops a step.
#[test]
fn every_worked_line_is_in_every_document() {
    let fmt = Fmt { digits: 4 };
    let (l, m) = (Latex::new(&fmt), MathMl::new(&fmt));
    for t in TASKS {
        let sol = solved(t);
        let tex = render(t, &sol, doc::Format::Latex, false);
        let md = render(t, &sol, doc::Format::Markdown, false);
        let html = render(t, &sol, doc::Format::Html, false);
        let mut lines = 0;
        for s in &sol.steps {
            let mut members: Vec<&Math> = s.chain.iter().collect();
            members.extend(s.result.iter());
            for n in &s.notes {
                if let Note::Chain { members: ms, .. } = n {
                    members.extend(ms.iter());
                }
            }
            for mm in members {
                let tx = l.chain(&[mm]);
                let tx = tx.strip_prefix("\\approx ").unwrap_or(&tx);
                let ml = m.chain(&[mm]);
                let ml = ml.strip_prefix("<mo>≈</mo>").unwrap_or(&ml);
                assert!(tex.contains(tx), "{t}: LaTeX lacks {tx}");
                assert!(md.contains(tx), "{t}: Markdown lacks {tx}");
                assert!(html.contains(ml), "{t}: HTML lacks {ml}");
                lines += 1;
            }
            if s.kind == gradwork::lang::StepKind::Prose {
                assert!(html.contains(&gradwork::explain::mathml::escape(&s.source)));
            }
        }
        assert!(lines > 5, "{t}: {lines}");
        for a in &sol.answers {
            assert!(
                html.contains(&gradwork::explain::mathml::escape(&a.name)),
                "{t}: answer {} missing",
                a.name
            );
        }
    }
}

fn svg_titles(html: &str) -> Vec<String> {
    html.split("<svg ")
        .skip(1)
        .filter_map(|s| {
            let i = s.find("<title>")? + 7;
            let j = s.find("</title>")?;
            Some(s[i..j].to_string())
        })
        .collect()
}

#[test]
fn the_figures_the_seed_asks_for() {
    let figs = |t: &str| svg_titles(&render(t, &solved(t), doc::Format::Html, false));
    let has = |t: &str, what: &str| {
        let f = figs(t);
        assert!(
            f.iter().any(|x| x.contains(what)),
            "{t}: no figure `{what}` in {f:?}"
        );
    };
    has("task1", "hidden state");
    has("task2", "conv1d");
    has("task2", "computation of L from w");
    has("task3", "softmax(S, axis=1)");
    has("task4", "nearest class centroid to z");
    has("task4", "rows nearest to q");
    has("task5", "hidden state");
}

#[test]
fn the_model_as_equations() {
    let fmt = Fmt { digits: 4 };
    let t = gradwork::explain::math::Text::new(&fmt);
    let model = |task: &str| -> Vec<String> {
        solved(task)
            .model
            .iter()
            .flat_map(|e| {
                e.lines
                    .iter()
                    .map(|(a, b)| format!("{} = {}", t.inline(a), t.inline(b)))
            })
            .collect()
    };
    // Task 1's model as the seed writes it: the recurrence, the output, the
    // probability and the decision.
    let m1 = model("task1");
    for want in [
        "h⁽ᵗ⁾ = W_hh·h⁽ᵗ⁻¹⁾ + W_hx·x⁽ᵗ⁾ + b_h",
        "s = W·h⁽ᵀ⁾ + b",
        "p = σ(s)",
    ] {
        assert!(m1.iter().any(|l| l == want), "task1 lacks {want}: {m1:?}");
    }
    // The shapes of the weights, read from the tensors.
    let sol = solved("task1");
    let shapes = sol
        .model
        .iter()
        .find_map(|e| e.shapes_text())
        .expect("the recurrence has shapes");
    assert!(shapes.contains("W_hh: [H, H] = [1, 1]"), "{shapes}");
    assert!(shapes.contains("W_hx: [H, I] = [1, 2]"), "{shapes}");
    // Task 2: the losses and the convolution.
    let m2 = model("task2");
    assert!(
        m2.iter().any(|l| l == "L_pos(f1, f2) = Σᵢ (f1 − f2)²"),
        "{m2:?}"
    );
    assert!(
        m2.iter().any(|l| l == "f[i] = Σⱼ w[j]·x_p1[i+j] + b"),
        "{m2:?}"
    );
    // Task 5's ReLU recurrence.
    let m5 = model("task5");
    assert!(
        m5.iter()
            .any(|l| l == "h⁽ᵗ⁾ = relu(W_hh·h⁽ᵗ⁻¹⁾ + W_xh·x⁽ᵗ⁾ + b_h)"),
        "{m5:?}"
    );
    // Data is not model: the test sequence, the centroids of task 4.
    assert!(!m1.iter().any(|l| l.starts_with("xs =")), "{m1:?}");
    assert!(!model("task4").iter().any(|l| l.starts_with("C =")));
}

#[test]
fn text_from_the_exercise_is_escaped() {
    let src = "# A <b>bold</b> & \"quoted\" title $x$ \\textbf{no}\n#' prose with <script>alert(1)</script> & $math$ \\end{document}\nshow x_1 = 1/3\n";
    let sol = solve(src, &Options::default());
    assert!(sol.ok(), "{:?}", sol.errors);
    let ex = [doc::Exercise {
        file: "a<b>.gw",
        sol: &sol,
    }];
    let o = |format| doc::Options {
        format,
        detail: Detail::Full,
        digits: 4,
        fragment: false,
        figure_stem: None,
        sheet: None,
    };
    let html = doc::render(&ex, &o(doc::Format::Html)).text;
    check_html("escape", &html);
    assert!(!html.contains("<script>") && !html.contains("<b>"));
    let tex = doc::render(&ex, &o(doc::Format::Latex)).text;
    assert_eq!(tex.matches("\\end{document}").count(), 1, "{tex}");
    assert!(!tex.contains("\\textbf{no}"));
    for s in math_segments(&tex) {
        parse_latex(&s).unwrap_or_else(|e| panic!("{e}: {s}"));
    }
    let md = doc::render(&ex, &o(doc::Format::Markdown)).text;
    assert!(!md.contains("<script>") && !md.contains(" $math$"), "{md}");
}

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

#[test]
fn output_to_a_file_and_to_a_folder() {
    let dir = std::env::temp_dir().join(format!("gradwork-docs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // One document for the folder, with its contents.
    let key = dir.join("key.html");
    let (code, out, err) = gradwork(&[
        "solve",
        "exercises/seed",
        "--format",
        "html",
        "-o",
        key.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let html = std::fs::read_to_string(&key).unwrap();
    check_html("key", &html);
    assert_eq!(html.matches("<article ").count(), 5);
    assert!(html.contains("<nav class=\"toc\">"));
    // One per exercise, and Markdown's figures beside each.
    let each = dir.join("each");
    let (code, _, err) = gradwork(&[
        "solve",
        "exercises/seed",
        "--format",
        "md",
        "--out",
        each.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    for t in TASKS {
        let md = std::fs::read_to_string(each.join(format!("{t}.md"))).unwrap();
        for link in md.split("](").skip(1) {
            let name = &link[..link.find(')').unwrap()];
            if name.ends_with(".svg") {
                let svg = std::fs::read_to_string(each.join(name)).unwrap();
                roxmltree::Document::parse(&svg).unwrap();
            }
        }
    }
    assert!(each.join("task4-fig1.svg").exists());
    // LaTeX to a file.
    let tex = dir.join("key.tex");
    let (code, _, _) = gradwork(&[
        "solve",
        "exercises/seed/task2.gw",
        "--format",
        "latex",
        "-o",
        tex.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(std::fs::read_to_string(&tex)
        .unwrap()
        .starts_with("\\documentclass"));
    // -o and --out together is a usage error.
    let (code, _, err) = gradwork(&["solve", "exercises/seed", "-o", "a", "--out", "b"]);
    assert_eq!(code, 2, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every exercise of the corpus and the examples, in every format and at
/// both details: the HTML well-formed, every LaTeX formula parsed — on
/// files that fail, loop, search and train too, not only on the seed.
#[test]
fn every_corpus_exercise_renders_in_every_format() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = Vec::new();
    for dir in [
        "tests/corpus",
        "exercises/examples",
        "exercises/regressions",
    ] {
        for e in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "gw") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "{}", files.len());
    for p in &files {
        let src = std::fs::read_to_string(p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        for detail in [Detail::Full, Detail::Brief] {
            let opts = Options {
                detail,
                ..Options::default()
            };
            let sol = solve(&src, &opts);
            let ex = [doc::Exercise {
                file: &name,
                sol: &sol,
            }];
            let o = |format| doc::Options {
                format,
                detail,
                digits: 4,
                fragment: false,
                figure_stem: None,
                sheet: None,
            };
            // The worked solution, and at full detail both exam sheets.
            let sheets: &[Option<doc::Sheet>] = if detail == Detail::Full {
                &[None, Some(doc::Sheet::Question), Some(doc::Sheet::Key)]
            } else {
                &[None]
            };
            for &sheet in sheets {
                let o = |format| doc::Options { sheet, ..o(format) };
                check_html(&name, &doc::render(&ex, &o(doc::Format::Html)).text);
                for f in [doc::Format::Latex, doc::Format::Markdown] {
                    let text = doc::render(&ex, &o(f)).text;
                    for s in math_segments(&text) {
                        if let Err(e) = parse_latex(&s) {
                            panic!("{name} ({f:?}, {detail:?}, {sheet:?}): {e}\n{s}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn markdown_on_standard_output_inlines_its_figures() {
    let (code, out, err) = gradwork(&["solve", "exercises/seed/task2.gw", "--format", "md"]);
    assert_eq!(code, 0, "{err}");
    let urls: Vec<&str> = out
        .split("](data:image/svg+xml;charset=utf-8,")
        .skip(1)
        .map(|s| &s[..s.find(')').unwrap()])
        .collect();
    // The two convolutions and the two gradients' graphs.
    assert_eq!(urls.len(), 4, "{out}");
    for u in urls {
        // A Markdown link ends at a space or a parenthesis: none inside.
        assert!(!u.contains([' ', '(', ')', '\n']), "{u}");
        assert!(u.starts_with("%3Csvg"));
    }
}

#[test]
fn a_threshold_only_on_the_states_it_reads() {
    // Hand derivation: s = W·h⁽³⁾ + b = 1·(−1) − 1/2 < 0 on the seed's test
    // sequence; s = 0 at h = 1/2. Rebinding h after the recurrence breaks the
    // link between the plot and s: no threshold may be drawn then.
    let base = "W_hh = [[1]];  W_hx = [[0, 2]];  b_h = [-1]\nW = [[1]];  b = [-0.5]\nxs = bits(\"00,10,11\")\nh = rnn(xs, W_hh, W_hx, b_h, act=identity, h0=[0])\n";
    let html = |src: &str| {
        let sol = solve(src, &Options::default());
        assert!(sol.ok(), "{:?}", sol.errors);
        render_src(&sol, doc::Format::Html)
    };
    let ok = html(&format!("{base}show s = W @ h[-1] + b\n"));
    assert!(
        ok.contains("s = 0 at h = 0.5 (s &gt; 0 above)"),
        "no threshold"
    );
    let rebound = html(&format!("{base}h = -h\nshow s = W @ h[-1] + b\n"));
    assert!(
        !rebound.contains("s = 0 at"),
        "a threshold on states s does not read"
    );
    // A negative W turns the side: s > 0 below h = 1/2.
    let neg = html(&format!(
        "{base}W = [[-2]]\nb = [1]\nshow s = W @ h[-1] + b\n"
    ));
    assert!(neg.contains("s = 0 at h = 0.5 (s &gt; 0 below)"), "side");
}

fn render_src(sol: &Solution, format: doc::Format) -> String {
    doc::render(
        &[doc::Exercise { file: "x.gw", sol }],
        &doc::Options {
            format,
            detail: Detail::Full,
            digits: 4,
            fragment: false,
            figure_stem: None,
            sheet: None,
        },
    )
    .text
}

#[test]
fn the_model_never_states_an_assignment_as_an_equation() {
    let src = "def f(x):\n    x = 2 * x\n    return x + 1\nshow y = f(3)\nW = [[2]]; b = [1]; h = [3]\ns = W @ h + b\ns = s * 2\nshow s\n";
    let sol = solve(src, &Options::default());
    assert!(sol.ok(), "{:?}", sol.errors);
    let fmt = Fmt { digits: 4 };
    let t = gradwork::explain::math::Text::new(&fmt);
    let lines: Vec<String> = sol
        .model
        .iter()
        .flat_map(|e| {
            e.lines
                .iter()
                .map(|(a, b)| format!("{} = {}", t.inline(a), t.inline(b)))
        })
        .collect();
    // f(3) = 7, so `f(x) = x + 1` (with x = 2·x before it) would be false.
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("x =") || l.starts_with("f(x)")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l == "s = s·2"), "{lines:?}");
    assert!(lines.iter().any(|l| l == "s = W·h + b"), "{lines:?}");
}

#[test]
fn markdown_cannot_be_broken_out_of() {
    let src = "# T ---> <script>x</script> `a` |b| $x$\n#' 1) not a list\n#'     not code\nshow s = \"a<b>|c\"\n";
    let sol = solve(src, &Options::default());
    let md = render_src(&sol, doc::Format::Markdown);
    assert!(!md.contains("<script>") && !md.contains("-->"), "{md}");
    assert!(md.contains("1\\) not a list"), "{md}");
    assert!(!md.contains("\n    not code"), "{md}");
    // Code in math: no raw `<`, `>` or `|` for a Markdown reader.
    for seg in math_segments(&md) {
        assert!(!seg.contains(['<', '>', '|']), "{seg}");
        parse_latex(&seg).unwrap_or_else(|e| panic!("{e}: {seg}"));
    }
}

#[test]
fn fragment_is_for_latex_only() {
    let (code, _, err) = gradwork(&[
        "solve",
        "exercises/seed/task2.gw",
        "--format",
        "md",
        "--fragment",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--fragment is for --format latex"), "{err}");
}

#[test]
fn each_file_of_a_folder_keeps_its_own_memory_budget() {
    // Four files that each need about 10 MiB: solved one after another with
    // a 40 MiB budget, as text does, also when written as documents (an
    // earlier file's solution is dropped once written).
    let dir = std::env::temp_dir().join(format!("gradwork-mem-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("in")).unwrap();
    for k in 1..=4 {
        std::fs::write(
            dir.join(format!("in/m{k}.gw")),
            "x = np.ones((300, 300)) / 3\nshow s = x.sum()\n",
        )
        .unwrap();
    }
    let input = dir.join("in");
    for format in ["text", "html"] {
        let out = dir.join(format!("out-{format}"));
        let (code, _, err) = gradwork(&[
            "solve",
            input.to_str().unwrap(),
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
            "--max-memory",
            "40",
            "--max-work",
            "100000000",
        ]);
        assert_eq!(code, 0, "{format}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- exam sheets ------------------------------------------------------------------

fn render_sheet(task: &str, sol: &Solution, format: doc::Format, sheet: doc::Sheet) -> String {
    let file = format!("exercises/seed/{task}.gw");
    doc::render(
        &[doc::Exercise { file: &file, sol }],
        &doc::Options {
            format,
            detail: Detail::Full,
            digits: 4,
            fragment: false,
            figure_stem: Some(task.to_string()),
            sheet: Some(sheet),
        },
    )
    .text
}

#[test]
fn golden_sheets() {
    let sol = solved("task2");
    let md = doc::Format::Markdown;
    insta::assert_snapshot!(
        "task2_question_md",
        render_sheet("task2", &sol, md, doc::Sheet::Question)
    );
    insta::assert_snapshot!(
        "task2_key_md",
        render_sheet("task2", &sol, md, doc::Sheet::Key)
    );
    insta::assert_snapshot!(
        "task2_question_html",
        render_sheet("task2", &sol, doc::Format::Html, doc::Sheet::Question)
    );
}

/// How a format prints a formula and text from the exercise, and where its
/// body starts (the preamble and the style are no part of a sheet's content).
struct Printer {
    format: doc::Format,
    fmt: Fmt,
}

impl Printer {
    fn math(&self, m: &Math) -> String {
        match self.format {
            doc::Format::Html => {
                let s = MathMl::new(&self.fmt).chain(&[m]);
                s.strip_prefix("<mo>≈</mo>").unwrap_or(&s).to_string()
            }
            _ => {
                let s = Latex::new(&self.fmt).chain(&[m]);
                s.strip_prefix("\\approx ").unwrap_or(&s).to_string()
            }
        }
    }
    fn text(&self, t: &str) -> String {
        match self.format {
            doc::Format::Html => gradwork::explain::mathml::escape(t),
            doc::Format::Latex => doc::latex_text(t),
            doc::Format::Markdown => doc::md_text(t),
        }
    }
    fn body<'d>(&self, doc: &'d str) -> &'d str {
        let start = match self.format {
            doc::Format::Html => doc.find("<main>").unwrap(),
            doc::Format::Latex => doc.find("\\begin{document}").unwrap(),
            doc::Format::Markdown => 0,
        };
        &doc[start..]
    }
    /// The heading of the model's equations.
    fn model_heading(&self) -> &'static str {
        match self.format {
            doc::Format::Html => "<h2 class=\"model\">",
            doc::Format::Latex => "\\subsection*{The model}",
            doc::Format::Markdown => "## The model\n",
        }
    }
    /// The mark of a check's or a search's verdict.
    fn verdict_mark(&self) -> &'static str {
        match self.format {
            doc::Format::Latex => "\\checkmark",
            _ => "✓",
        }
    }
}

/// Both sheets of every seed exercise in every format, against the
/// engine's own step tree: the question sheet states every answer's
/// formula and leaves its value out, the key has every value; neither has
/// the working. Nothing here is a hand-written answer.
#[test]
fn sheets_state_the_questions_and_only_the_key_answers_them() {
    use gradwork::lang::StepKind;
    let fmt = Fmt { digits: 4 };
    let mut hidden_checked = 0;
    let mut explanations = 0;
    for t in TASKS {
        let sol = solved(t);
        let answers: Vec<&gradwork::lang::Step> = sol.steps.iter().filter(|s| s.answer).collect();
        assert_eq!(answers.len(), sol.answers.len(), "{t}");
        let verdicts = sol
            .steps
            .iter()
            .filter(|s| matches!(s.kind, StepKind::Check | StepKind::Find))
            .count();
        for format in [doc::Format::Markdown, doc::Format::Latex, doc::Format::Html] {
            let p = Printer { format, fmt };
            let q_doc = render_sheet(t, &sol, format, doc::Sheet::Question);
            let k_doc = render_sheet(t, &sol, format, doc::Sheet::Key);
            let (q, k) = (p.body(&q_doc), p.body(&k_doc));
            let at = format!("{t} ({format:?})");
            // What a question sheet may show: every statement as written,
            // the data (names bound to numbers as written), the prose, the
            // headings, the numbers of the answers.
            let mut givens: Vec<String> = vec![p.text(&sol.title), t.to_string()];
            for (i, s) in sol.steps.iter().enumerate() {
                givens.push(format!("({})", i + 1));
                // (an answer written as data is not a given: `show W =
                // [[1]]`'s number is the answer)
                let first = s.chain.first().filter(|m| !s.answer || !doc::is_data(m));
                givens.extend(first.map(|m| p.math(m)));
                if s.kind == StepKind::Def {
                    givens.extend(s.chain.iter().map(|m| p.math(m)));
                    givens.push(p.text(&s.source));
                    for n in &s.notes {
                        if let Note::Code(c) = n {
                            givens.push(c.clone());
                        }
                    }
                }
                let literal = matches!(s.chain.first(), Some(Math::Num(_)) | None);
                if literal && !s.answer {
                    givens.extend(s.result.iter().map(|m| p.math(m)));
                }
                if matches!(s.kind, StepKind::Part | StepKind::Prose | StepKind::Find) {
                    givens.push(p.text(&s.source));
                }
            }
            for s in &sol.steps {
                if matches!(s.kind, StepKind::Part | StepKind::Prose) {
                    let line = p.text(&s.source);
                    assert!(q.contains(&line), "{at}: the question sheet lacks {line}");
                    assert!(k.contains(&line), "{at}: the key lacks {line}");
                }
                // The key's explanation (`#:`) is the key's only.
                if s.kind == StepKind::Explanation {
                    let line = p.text(&s.source);
                    assert!(
                        !q.contains(&line),
                        "{at}: the question sheet explains: {line}"
                    );
                    assert!(k.contains(&line), "{at}: the key lacks {line}");
                    explanations += 1;
                }
            }
            for (n, s) in answers.iter().enumerate() {
                let formula = s.chain.first().map(|m| p.math(m));
                let value = p.math(s.result.as_ref().expect("an answer has a value"));
                // (an answer written as a number has no formula to state:
                // its number is the answer)
                let literal = s.chain.first().is_some_and(doc::is_data);
                if let Some(f) = formula.as_ref().filter(|_| !literal) {
                    assert!(q.contains(f.as_str()), "{at}: the question sheet lacks {f}");
                    assert!(k.contains(f.as_str()), "{at}: the key lacks {f}");
                }
                assert!(
                    k.contains(&value),
                    "{at}: the key lacks answer {n}: {value}"
                );
                if !givens.iter().any(|g| g.contains(&value)) {
                    assert!(
                        !q.contains(&value),
                        "{at}: the question sheet gives answer {} away: {value}",
                        n + 1
                    );
                    hidden_checked += 1;
                }
            }
            // A blank for every answer, no boxed or highlighted result, no
            // verdict, no answers table, no model, no working.
            let blanks = match format {
                doc::Format::Markdown => {
                    q.matches(" Answer:**").count() + q.matches("**Answer:**").count()
                }
                doc::Format::Latex => q.matches("\\textit{Answer:}").count(),
                doc::Format::Html => q.matches("<p class=\"blank\">").count(),
            };
            assert_eq!(blanks, answers.len(), "{at}");
            for (sheet, text) in [("question sheet", q), ("key", k)] {
                for working in [
                    p.model_heading(),
                    "<details",
                    "<svg",
                    "![",
                    "in the HTML and Markdown answer keys",
                ] {
                    assert!(!text.contains(working), "{at}: the {sheet} has {working}");
                }
            }
            assert!(!q.contains("Answers"), "{at}: an answers table");
            assert!(k.contains("Answers"), "{at}: no answers table on the key");
            for shown in [
                "\\boxed",
                "chain answer",
                "class=\"result\"",
                p.verdict_mark(),
            ] {
                assert!(!q.contains(shown), "{at}: the question sheet has {shown}");
            }
            assert!(
                k.matches(p.verdict_mark()).count() >= verdicts,
                "{at}: a verdict missing from the key"
            );
            assert_eq!(
                k.matches(match format {
                    doc::Format::Html => "chain answer",
                    _ => "\\boxed{",
                })
                .count(),
                answers.len(),
                "{at}: each answer of the key marked once"
            );
            // Well-formed, every formula parsed.
            match format {
                doc::Format::Html => {
                    check_html(&at, &q_doc);
                    check_html(&at, &k_doc);
                }
                _ => {
                    for d in [&q_doc, &k_doc] {
                        for s in math_segments(d) {
                            if let Err(e) = parse_latex(&s) {
                                panic!("{at}: the formula does not parse: {e}\n{s}");
                            }
                        }
                    }
                }
            }
        }
    }
    // The check above is not vacuous: most answers are numbers no given has.
    assert!(hidden_checked > 30, "{hidden_checked}");
    // tasks 1, 3 and 5 explain their designs, in three formats
    assert!(explanations >= 3 * 4, "{explanations}");
}

#[test]
fn sheet_titles_say_what_they_are() {
    let sol = solved("task2");
    let html = render_sheet("task2", &sol, doc::Format::Html, doc::Sheet::Question);
    assert!(html.contains("<title>Siamese metric learning with a quadratic contrastive loss (task 2) — question sheet</title>"));
    let tex = render_sheet("task2", &sol, doc::Format::Latex, doc::Sheet::Key);
    assert!(tex.contains("--- answer key}"), "{tex}");
    // Several exercises: "Questions" for the question sheet.
    let sols: Vec<(String, Solution)> = TASKS
        .iter()
        .map(|t| (format!("exercises/seed/{t}.gw"), solved(t)))
        .collect();
    let ex: Vec<doc::Exercise> = sols
        .iter()
        .map(|(f, s)| doc::Exercise { file: f, sol: s })
        .collect();
    let o = |sheet| doc::Options {
        format: doc::Format::Markdown,
        detail: Detail::Full,
        digits: 4,
        fragment: false,
        figure_stem: None,
        sheet,
    };
    assert!(doc::render(&ex, &o(Some(doc::Sheet::Question)))
        .text
        .starts_with("# Questions\n"));
    assert!(doc::render(&ex, &o(Some(doc::Sheet::Key)))
        .text
        .starts_with("# Answer key\n"));
    assert!(doc::render(&ex, &o(None))
        .text
        .starts_with("# Answer key\n"));
}

#[test]
fn sheet_is_for_documents_only() {
    for format in ["text", "json"] {
        let (code, out, err) = gradwork(&[
            "solve",
            "exercises/seed/task2.gw",
            "--format",
            format,
            "--sheet",
            "question",
        ]);
        assert_eq!(code, 2, "{format}");
        assert!(out.is_empty(), "{format}: {out}");
        assert!(
            err.contains("--sheet is for --format md, latex or html"),
            "{err}"
        );
    }
    let (code, _, err) = gradwork(&[
        "solve",
        "exercises/seed/task2.gw",
        "--format",
        "md",
        "--sheet",
        "answers",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn sheets_to_a_file_and_to_a_folder() {
    let dir = std::env::temp_dir().join(format!("gradwork-sheets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // On standard output and to a file: the same document.
    let (code, out, err) = gradwork(&[
        "solve",
        "exercises/seed/task2.gw",
        "--format",
        "md",
        "--sheet",
        "question",
    ]);
    assert_eq!(code, 0, "{err}");
    let sol = solved("task2");
    let want = doc::render(
        &[doc::Exercise {
            file: "exercises/seed/task2.gw",
            sol: &sol,
        }],
        &doc::Options {
            format: doc::Format::Markdown,
            detail: Detail::Full,
            digits: 4,
            fragment: false,
            figure_stem: None,
            sheet: Some(doc::Sheet::Question),
        },
    )
    .text;
    assert_eq!(out, want);
    let file = dir.join("questions.html");
    let (code, _, err) = gradwork(&[
        "solve",
        "exercises/seed",
        "--format",
        "html",
        "--sheet",
        "question",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&file).unwrap();
    check_html("questions", &html);
    assert_eq!(html.matches("<article ").count(), 5);
    assert!(html.contains("<title>Questions</title>"));
    // One per exercise: the question sheet and the key side by side.
    for sheet in ["question", "key"] {
        let (code, _, err) = gradwork(&[
            "solve",
            "exercises/seed",
            "--format",
            "latex",
            "--sheet",
            sheet,
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
    }
    for t in TASKS {
        let q = std::fs::read_to_string(dir.join(format!("{t}-question.tex"))).unwrap();
        let k = std::fs::read_to_string(dir.join(format!("{t}-key.tex"))).unwrap();
        assert!(
            q.contains("question sheet") && k.contains("answer key"),
            "{t}"
        );
        assert!(q.starts_with("\\documentclass") && k.starts_with("\\documentclass"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_answer_written_as_a_number_is_not_given_away() {
    // The design is the answer: on the question sheet only its name, or,
    // with no name, only its number.
    let src = "# T\nshow W_hx = [[0, 2]]\nshow 7/3\nshow y = W_hx @ [1, 1]\n";
    let sol = solve(src, &Options::default());
    assert!(sol.ok(), "{:?}", sol.errors);
    let sheet = |sheet| {
        doc::render(
            &[doc::Exercise {
                file: "t.gw",
                sol: &sol,
            }],
            &doc::Options {
                format: doc::Format::Markdown,
                detail: Detail::Full,
                digits: 4,
                fragment: false,
                figure_stem: None,
                sheet: Some(sheet),
            },
        )
        .text
    };
    let q = sheet(doc::Sheet::Question);
    let fmt = Fmt { digits: 4 };
    let l = Latex::new(&fmt);
    for s in sol.steps.iter().filter(|s| s.answer) {
        let v = l.chain(&[s.result.as_ref().unwrap()]);
        assert!(!q.contains(&v), "{v} on the question sheet:\n{q}");
    }
    assert!(q.contains("\\text{(1)}\\quad W_{hx}\n"), "{q}");
    assert!(q.contains("**(2) Answer:**"), "{q}");
    assert!(q.contains("\\text{(3)}\\quad y = "), "{q}");
    let k = sheet(doc::Sheet::Key);
    for s in sol.steps.iter().filter(|s| s.answer) {
        let v = l.chain(&[s.result.as_ref().unwrap()]);
        assert!(k.contains(&v), "{v} not on the key:\n{k}");
    }
}
