//! The worked solution as a notebook output.
//!
//! The HTML renderer writes a whole page: its style sheet sets `body`,
//! `h2`, `table`, `:root` and friends. Put into a notebook as it is, that
//! style would restyle the notebook itself (every heading of every cell,
//! the page's font). So the output is the page's `<main>` inside
//! `<div class="gradwork">`, with the page's own style sheet rewritten so
//! that each rule applies inside that `div` only (`h2` becomes
//! `.gradwork h2`; `:root`, `html`, `body` and `main` become the `div`
//! itself), followed by a few rules for notebooks: colours from the
//! notebook's theme (JupyterLab's `--jp-*` variables, VS Code's dark
//! themes) instead of the system's light or dark preference, and undoing
//! JupyterLab's table styling (small centred zebra tables) inside the
//! output.

use gradwork::explain::mathml::escape;

/// The class of the `div` every rule is scoped to.
pub const SCOPE: &str = "gradwork";

/// Rules for notebooks, after the page's own (scoped) rules.
const NOTEBOOK_CSS: &str = "
.gradwork { max-width: 52rem; margin: 0; padding: 0.25rem 0 0.5rem; background: transparent;
  --fg: var(--jp-content-font-color1, currentColor);
  --bg: transparent;
  --muted: var(--jp-content-font-color2, color-mix(in srgb, currentColor 68%, transparent));
  --rule: var(--jp-border-color2, color-mix(in srgb, currentColor 25%, transparent));
  --code-bg: var(--jp-layout-color2, color-mix(in srgb, currentColor 7%, transparent));
  --answer-bg: #e8f5e9; --answer-fg: #1b5e20; --bad: #b71c1c; }
body[data-jp-theme-light=\"false\"] .gradwork, body.vscode-dark .gradwork, body.vscode-high-contrast .gradwork {
  --answer-bg: #173a1f; --answer-fg: #a5d6a7; --bad: #ef9a9a; }
.gradwork article > header > h1 { margin-top: 0.5rem; }
.gradwork table { font-size: inherit; table-layout: auto; margin-left: 0; margin-right: 0; border: none; }
.gradwork tbody tr, .gradwork tbody tr:nth-child(odd), .gradwork tbody tr:nth-child(even),
  .gradwork tbody tr:hover { background: transparent; }
.gradwork table.chain td { border: none; }
.gradwork pre.diagnostics { color: var(--bad); background: var(--code-bg); font-size: 0.85rem; }
";

/// The notebook output of a page the HTML renderer wrote, with the
/// diagnostics (as `gradwork solve` prints them: each at its line and
/// column, under its source line) after it when there are any. A page
/// not shaped as expected is returned whole.
pub fn fragment(page: &str, diagnostics: &str) -> String {
    let style = between(page, "<style>", "</style>");
    let main = page
        .find("<main>")
        .map(|i| i + "<main>".len())
        .and_then(|start| page.rfind("</main>").map(|end| (start, end)))
        .filter(|(start, end)| start <= end)
        .map(|(start, end)| &page[start..end]);
    let (Some(style), Some(main)) = (style, main) else {
        return page.to_string();
    };
    let mut out = format!(
        "<div class=\"{SCOPE}\" lang=\"en\">\n<style>\n{}{NOTEBOOK_CSS}</style>\n{}",
        scope_css(style, &format!(".{SCOPE}")),
        main.trim_start_matches('\n')
    );
    if !diagnostics.is_empty() {
        out.push_str(&format!(
            "<details open=\"open\" class=\"diagnostics\"><summary>diagnostics</summary><pre class=\"diagnostics\">{}</pre></details>\n",
            escape(diagnostics)
        ));
    }
    out.push_str("</div>\n");
    out
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = start + text[start..].find(close)?;
    Some(&text[start..end])
}

/// `css` with every rule applying only inside `scope` (a selector).
pub fn scope_css(css: &str, scope: &str) -> String {
    let mut out = String::new();
    rules(css, scope, &mut out);
    out
}

/// The index just past the block opened at `open` (the `{`), quotes and
/// comments skipped; the end of `css` when it is not closed.
fn block_end(css: &str, open: usize) -> usize {
    let b = css.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = css[i + 2..].find("*/").map_or(b.len(), |j| i + 2 + j + 1);
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn rules(css: &str, scope: &str, out: &mut String) {
    let mut rest = css;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |j| &after[j + 2..]);
            continue;
        }
        if rest.is_empty() {
            return;
        }
        let brace = rest.find('{');
        // A statement at-rule (`@import …;`) is kept as it is.
        if rest.starts_with('@') {
            if let Some(semi) = rest.find(';') {
                if brace.is_none_or(|b| semi < b) {
                    out.push_str(&rest[..=semi]);
                    out.push('\n');
                    rest = &rest[semi + 1..];
                    continue;
                }
            }
        }
        let Some(open) = brace else {
            // Trailing text without a block: not a rule.
            return;
        };
        let end = block_end(rest, open);
        let prelude = rest[..open].trim();
        let close = if end > open + 1 && rest.as_bytes()[end - 1] == b'}' {
            end - 1
        } else {
            end
        };
        let body = &rest[open + 1..close];
        if prelude.starts_with("@media") || prelude.starts_with("@supports") {
            out.push_str(prelude);
            out.push_str(" {\n");
            rules(body, scope, out);
            out.push_str("}\n");
        } else if prelude.starts_with('@') {
            // @font-face, @keyframes, @page: not about elements of the page.
            out.push_str(&rest[..end]);
            out.push('\n');
        } else {
            out.push_str(&selectors(prelude, scope));
            out.push_str(" {");
            out.push_str(body);
            out.push_str("}\n");
        }
        rest = &rest[end..];
    }
}

/// Each selector of a list, scoped.
fn selectors(list: &str, scope: &str) -> String {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in list.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[start..]);
    parts
        .iter()
        .map(|s| selector(s.trim(), scope))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One selector, scoped: the page's root elements are the scope itself.
fn selector(s: &str, scope: &str) -> String {
    for root in [":root", "html", "body", "main"] {
        if let Some(rest) = s.strip_prefix(root) {
            // `main` but not `mainframe`; `:root` but not `:rooted`.
            if rest
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_'))
            {
                return format!("{scope}{rest}");
            }
        }
    }
    format!("{scope} {s}")
}
