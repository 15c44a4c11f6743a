//! SVG drawings of [`super::figure::Figure`]s.
//!
//! Hand-written rather than through a plotting or SVG crate: the five
//! drawings are a few hundred lines of string building, the output must be
//! byte-for-byte deterministic (answer keys are diffed and snapshot-tested),
//! and the crate keeps its dependencies few. Every number printed is the
//! engine's, formatted by the step's [`Fmt`]; only positions (from
//! [`Num::to_f64`]) and axis ticks are computed here.
//!
//! The output is meant to be inlined, several to a page, into a
//! self-contained HTML answer key, and also written as `.svg` files next to
//! Markdown. So: no `id` attributes, no `<script>`, no `<style>`, no
//! `url(#…)` references (arrowheads are small polygons); text and axes are
//! drawn in `currentColor`, so they follow the page's colour (black in a
//! standalone file); class colours come from a fixed palette that reads on
//! light and dark backgrounds, and fills are translucent. Coordinates have at
//! most one decimal, and non-finite values never reach an attribute. The
//! root element carries `class="gw-fig"` for the page's CSS and is at most
//! 640 px wide.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::figure::{label, Figure, Graph, Heatmap, Plane, Series, Window};
use crate::lang::value::Fmt;
use crate::Num;

/// Class and unit colours (matplotlib's tab10): each reads on white and on
/// a dark background.
const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f",
];
/// Widest drawing, in px.
const MAX_W: f64 = 640.0;
/// Font size of every label, in px.
const FONT: f64 = 12.0;
/// Longest value text inside a graph node before it is cut with `…`.
const NODE_TEXT: usize = 30;
/// Most windows drawn by a [`Window`] figure.
const MAX_WINDOWS: usize = 12;
/// Most time steps whose points are labelled with their value.
const LABELLED_STEPS: usize = 12;
/// Most heatmap rows and columns drawn.
const MAX_CELLS: usize = 20;
/// Coordinates are kept within ±this before scaling (a huge value still
/// gets a finite position).
const HUGE: f64 = 1e12;

impl Figure {
    /// The figure as one `<svg>` element (well-formed XML, no ids, at most
    /// 640 px wide), the figure's title as its `<title>` and `aria-label`.
    pub fn svg(&self, fmt: &Fmt) -> String {
        let canvas = match self {
            Figure::Plane(f) => plane(f, fmt),
            Figure::Heatmap(f) => heatmap(f, fmt),
            Figure::Series(f) => series(f, fmt),
            Figure::Window(f) => window(f, fmt),
            Figure::Graph(f) => graph(f, fmt),
        };
        finish(self.title(), canvas.unwrap_or_else(no_data))
    }
}

// ---- primitives ---------------------------------------------------------

/// A drawing being built: its size and its elements.
struct Canvas {
    w: f64,
    h: f64,
    out: String,
}

impl Canvas {
    fn new() -> Canvas {
        Canvas {
            w: 0.0,
            h: 0.0,
            out: String::new(),
        }
    }
    /// Text in `currentColor`; `extra` is further attributes, each with a
    /// leading space.
    fn text(&mut self, x: f64, y: f64, s: &str, extra: &str) {
        self.text_in(x, y, s, "currentColor", extra);
    }
    fn text_in(&mut self, x: f64, y: f64, s: &str, fill: &str, extra: &str) {
        let _ = writeln!(
            self.out,
            r#"<text x="{}" y="{}" fill="{}"{}>{}</text>"#,
            c(x),
            c(y),
            fill,
            extra,
            esc(s)
        );
    }
    fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), extra: &str) {
        let _ = writeln!(
            self.out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}"{}/>"#,
            c(x1),
            c(y1),
            c(x2),
            c(y2),
            extra
        );
    }
    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, extra: &str) {
        let _ = writeln!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}"{}/>"#,
            c(x),
            c(y),
            c(w.max(0.0)),
            c(h.max(0.0)),
            extra
        );
    }
    fn circle(&mut self, x: f64, y: f64, r: f64, extra: &str) {
        let _ = writeln!(
            self.out,
            r#"<circle cx="{}" cy="{}" r="{}"{}/>"#,
            c(x),
            c(y),
            c(r),
            extra
        );
    }
    /// A polygon through `(x + dx, y + dy)` for each offset.
    fn polygon(&mut self, x: f64, y: f64, offsets: &[(f64, f64)], extra: &str) {
        let pts: Vec<String> = offsets
            .iter()
            .map(|(dx, dy)| format!("{},{}", c(x + dx), c(y + dy)))
            .collect();
        let _ = writeln!(
            self.out,
            r#"<polygon points="{}"{}/>"#,
            pts.join(" "),
            extra
        );
    }
    fn polyline(&mut self, pts: &[(f64, f64)], extra: &str) {
        let pts: Vec<String> = pts
            .iter()
            .map(|(x, y)| format!("{},{}", c(*x), c(*y)))
            .collect();
        let _ = writeln!(
            self.out,
            r#"<polyline points="{}" fill="none"{}/>"#,
            pts.join(" "),
            extra
        );
    }
    /// A line from `a` to `b` ending in a polygon arrowhead at `b`.
    fn arrow(&mut self, a: (f64, f64), b: (f64, f64), extra: &str) {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        if !(len.is_finite() && len > 1.0) {
            return;
        }
        let (ux, uy) = (dx / len, dy / len);
        let head = 8.0_f64.min(len);
        let base = (b.0 - ux * head, b.1 - uy * head);
        self.line(a, base, extra);
        let (px, py) = (-uy * 4.0, ux * 4.0);
        self.polygon(
            0.0,
            0.0,
            &[b, (base.0 + px, base.1 + py), (base.0 - px, base.1 - py)],
            r#" fill="currentColor""#,
        );
    }
}

/// The `<svg>` element around a canvas.
fn finish(title: &str, cv: Canvas) -> String {
    let w = if cv.w.is_finite() {
        cv.w.clamp(1.0, 4000.0)
    } else {
        200.0
    };
    let h = if cv.h.is_finite() {
        cv.h.clamp(1.0, 4000.0)
    } else {
        40.0
    };
    // A drawing wider than the limit keeps its coordinates and is shown
    // scaled down.
    let scale = (MAX_W / w).min(1.0);
    let (w, h) = (w.ceil(), h.ceil());
    let t = esc(title);
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{dw}" height="{dh}" role="img" aria-label="{t}" class="gw-fig" font-family="sans-serif" font-size="{fs}">"#,
            "\n<title>{t}</title>\n{body}</svg>\n"
        ),
        w = c(w),
        h = c(h),
        dw = c((w * scale).floor()),
        dh = c((h * scale).floor()),
        t = t,
        fs = c(FONT),
        body = cv.out
    )
}

/// A small drawing that says there is nothing to draw.
fn no_data() -> Canvas {
    let mut cv = Canvas::new();
    cv.w = 200.0;
    cv.h = 40.0;
    cv.text(100.0, 24.0, "(no data)", r#" text-anchor="middle""#);
    cv
}

/// A coordinate: at most one decimal, `.0` trimmed, never NaN or inf.
fn c(x: f64) -> String {
    if !x.is_finite() {
        return "0".into();
    }
    let s = format!("{:.1}", x.clamp(-1e6, 1e6));
    let s = s.strip_suffix(".0").unwrap_or(&s);
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Text escaped for XML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Estimated width of `s` at the label font size (sans-serif averages a
/// little over half an em; this errs wide).
fn tw(s: &str) -> f64 {
    s.chars().count() as f64 * FONT * 0.62
}

/// `s` cut to at most `n` characters, ending in `…` when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `s` with its digits (and minus signs) as subscripts.
fn subscript(s: &str) -> String {
    s.chars()
        .map(|ch| match ch {
            '0'..='9' => char::from_u32(0x2080 + (ch as u32 - '0' as u32)).unwrap_or(ch),
            '-' => '₋',
            _ => ch,
        })
        .collect()
}

/// A position for `x`: `None` when it is not finite, else within ±[`HUGE`].
fn fin(x: f64) -> Option<f64> {
    x.is_finite().then(|| x.clamp(-HUGE, HUGE))
}

fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// A 1, 2 or 5 × 10^k step near `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let k = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    let s = k * p;
    if s.is_finite() && s > 0.0 {
        s
    } else {
        1.0
    }
}

/// Ticks covering `[lo, hi]` at about `n` nice steps: the first tick, the
/// step and the number of ticks.
fn ticks(lo: f64, hi: f64, n: f64) -> (f64, f64, usize) {
    let (mut lo, mut hi) = (lo.min(hi), lo.max(hi));
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo <= 1e-9 * lo.abs().max(hi.abs()).max(1.0) {
        // All values equal: a unit range around them.
        (lo, hi) = (lo - 1.0, hi + 1.0);
    }
    let step = nice_step((hi - lo) / n);
    let a = (lo / step).floor() * step;
    let b = (hi / step).ceil() * step;
    let count = ((b - a) / step).round();
    let count = if count.is_finite() {
        (count as usize).clamp(1, 40)
    } else {
        1
    };
    (a, step, count + 1)
}

/// A tick value with as many decimals as its step needs.
fn tick_text(v: f64, step: f64) -> String {
    let d = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()).clamp(0.0, 12.0) as usize
    };
    let s = format!("{:.*}", d, v);
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        "0".into()
    } else {
        s
    }
}

// ---- plane --------------------------------------------------------------

/// A five-pointed star of outer radius 8 (query marker), clockwise from
/// the top.
const STAR: [(f64, f64); 10] = [
    (0.0, -8.0),
    (2.06, -2.83),
    (7.61, -2.47),
    (3.33, 1.08),
    (4.7, 6.47),
    (0.0, 3.5),
    (-4.7, 6.47),
    (-3.33, 1.08),
    (-7.61, -2.47),
    (-2.06, -2.83),
];
const DIAMOND: [(f64, f64); 4] = [(0.0, -7.0), (7.0, 0.0), (0.0, 7.0), (-7.0, 0.0)];

/// The centroid of a class: `μ₀`, or `μ(1/2)` for a label that is not an
/// integer.
fn mu(class: &str) -> String {
    if !class.is_empty() && class.chars().all(|c| c.is_ascii_digit() || c == '-') {
        format!("μ{}", subscript(class))
    } else {
        format!("μ({class})")
    }
}

fn plane(p: &Plane, fmt: &Fmt) -> Option<Canvas> {
    let xy = |x: &Num, y: &Num| Some((fin(x.to_f64())?, fin(y.to_f64())?));
    let pts: Vec<(usize, f64, f64)> = p
        .points
        .iter()
        .enumerate()
        .filter_map(|(i, q)| xy(&q.x, &q.y).map(|(x, y)| (i, x, y)))
        .collect();
    let cents: Vec<(usize, f64, f64)> = p
        .centroids
        .iter()
        .enumerate()
        .filter_map(|(i, (_, x, y))| xy(x, y).map(|(x, y)| (i, x, y)))
        .collect();
    let query = p
        .query
        .as_ref()
        .and_then(|(n, x, y)| xy(x, y).map(|(x, y)| (n.as_str(), x, y)));
    let all: Vec<(f64, f64)> = pts
        .iter()
        .chain(&cents)
        .map(|&(_, x, y)| (x, y))
        .chain(query.map(|(_, x, y)| (x, y)))
        .collect();
    let first = *all.first()?;
    let (mut x0, mut x1, mut y0, mut y1) = (first.0, first.0, first.1, first.1);
    for &(x, y) in &all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    // One integer step for both axes, so a unit looks the same both ways.
    let step = nice_step((x1 - x0).max(y1 - y0).max(1.0) / 8.0)
        .max(1.0)
        .round();
    let span = |lo: f64, hi: f64| {
        (
            ((lo - step * 0.5) / step).floor() * step,
            ((hi + step * 0.5) / step).ceil() * step,
        )
    };
    let (mut xa, mut xb) = span(x0, x1);
    let (mut ya, mut yb) = span(y0, y1);
    // Neither axis more than twice the other: a line of points still gets
    // a plot, not a strip.
    let grow = |a: &mut f64, b: &mut f64, want: f64| {
        let extra = ((want - (*b - *a)) / step / 2.0).ceil().max(0.0) * step;
        *a -= extra;
        *b += extra;
    };
    if xb - xa > 2.0 * (yb - ya) {
        grow(&mut ya, &mut yb, (xb - xa) / 2.0);
    } else if yb - ya > 2.0 * (xb - xa) {
        grow(&mut xa, &mut xb, (yb - ya) / 2.0);
    }
    let (sx, sy) = ((xb - xa).max(step), (yb - ya).max(step));
    let u = (380.0 / sx).min(340.0 / sy);
    let (pw, ph) = (sx * u, sy * u);
    let (left, top) = (44.0, 14.0);
    let px = |x: f64| left + (x - xa) * u;
    let py = |y: f64| top + (yb - y) * u;

    // Classes in order, each with its colour.
    let mut classes: Vec<(f64, String)> = p
        .points
        .iter()
        .filter_map(|q| q.class.as_ref())
        .chain(p.centroids.iter().map(|(k, _, _)| k))
        .map(|k| (k.to_f64(), label(fmt, k)))
        .collect();
    classes.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    classes.dedup_by(|a, b| a.1 == b.1);
    let class_colour = |k: Option<&Num>| match k {
        Some(k) => {
            let s = label(fmt, k);
            classes
                .iter()
                .position(|c| c.1 == s)
                .map_or("#7f7f7f", colour)
        }
        None => "#7f7f7f",
    };

    let mut cv = Canvas::new();
    // Grid, ticks and axes.
    let grid = r#" stroke="currentColor" stroke-opacity="0.15""#;
    let nx = ((sx / step).round() as usize).min(64);
    for i in 0..=nx {
        let v = xa + i as f64 * step;
        cv.line((px(v), top), (px(v), top + ph), grid);
        cv.text(
            px(v),
            top + ph + 15.0,
            &tick_text(v, step),
            r#" text-anchor="middle" font-size="11""#,
        );
    }
    let ny = ((sy / step).round() as usize).min(64);
    for i in 0..=ny {
        let v = ya + i as f64 * step;
        cv.line((left, py(v)), (left + pw, py(v)), grid);
        cv.text(
            left - 5.0,
            py(v) + 4.0,
            &tick_text(v, step),
            r#" text-anchor="end" font-size="11""#,
        );
    }
    let axis = r#" stroke="currentColor" stroke-opacity="0.6""#;
    if xa <= 0.0 && 0.0 <= xb {
        cv.line((px(0.0), top), (px(0.0), top + ph), axis);
    }
    if ya <= 0.0 && 0.0 <= yb {
        cv.line((left, py(0.0)), (left + pw, py(0.0)), axis);
    }
    cv.rect(
        left,
        top,
        pw,
        ph,
        r#" fill="none" stroke="currentColor" stroke-opacity="0.4""#,
    );

    // What a distance label should not cover: each marker and the label
    // beside it, as boxes (centre, half width, half height).
    let mut taken: Vec<[f64; 4]> = Vec::new();
    for &(i, x, y) in &pts {
        let row = p.points.get(i).map_or(0, |q| q.row + 1).to_string();
        let w = tw(&row) / 2.0;
        taken.push([px(x), py(y), 6.0, 6.0]);
        taken.push([px(x) + 7.0 + w, py(y) - 10.0, w, 7.0]);
    }
    for &(_, x, y) in &cents {
        taken.push([px(x), py(y), 8.0, 8.0]);
        taken.push([px(x) + 19.0, py(y) + 11.0, 10.0, 8.0]);
    }
    if let Some((name, x, y)) = query {
        let w = tw(name) / 2.0;
        taken.push([px(x), py(y), 8.0, 8.0]);
        taken.push([px(x) - 9.0 - w, py(y) - 11.0, w, 8.0]);
    }
    let overlap = |a: &[f64; 4], b: &[f64; 4]| {
        let ox = ((a[0] + a[2]).min(b[0] + b[2]) - (a[0] - a[2]).max(b[0] - b[2])).max(0.0);
        let oy = ((a[1] + a[3]).min(b[1] + b[3]) - (a[1] - a[3]).max(b[1] - b[3])).max(0.0);
        ox * oy
    };
    // And the lines from the query, as a trail of small boxes.
    if let Some((_, qx, qy)) = query {
        for &(_, x, y) in &cents {
            let (a, b) = ((px(qx), py(qy)), (px(x), py(y)));
            let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            let k = ((len / 8.0).ceil() as usize).clamp(1, 200);
            for j in 0..=k {
                let t = j as f64 / k as f64;
                taken.push([a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, 2.0, 2.0]);
            }
        }
    }
    // The plot area: a label outside it costs what sticks out.
    let frame = [left + pw / 2.0, top + ph / 2.0, pw / 2.0, ph / 2.0];
    // Query to each centroid, labelled with the distance.
    let mut labels: Vec<(f64, f64, String, &str)> = Vec::new();
    if let Some((_, qx, qy)) = query {
        for &(i, x, y) in &cents {
            let near = p.nearest == Some(i);
            let col = class_colour(p.centroids.get(i).map(|k| &k.0));
            let style = if near {
                format!(r#" stroke="{col}" stroke-width="2.5""#)
            } else {
                format!(r#" stroke="{col}" stroke-width="1.5" stroke-dasharray="5 4""#)
            };
            let (a, b) = ((px(qx), py(qy)), (px(x), py(y)));
            cv.line(a, b, &style);
            if let Some(d) = p.centroid_distances.get(i) {
                let text = format!("d = {}", label(fmt, d));
                let (dx, dy) = (b.0 - a.0, b.1 - a.1);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let (nx, ny) = (dy / len, -dx / len);
                let (hw, hh) = (tw(&text) / 2.0, 7.0);
                // Beside the line, as near its middle as the markers and
                // other labels allow (the first of the least covered).
                let mut best: Option<(f64, [f64; 4])> = None;
                for t in [0.5, 0.4, 0.6, 0.3, 0.7] {
                    for side in [1.0, -1.0] {
                        let (mx, my) = (a.0 + dx * t, a.1 + dy * t);
                        // Far enough along the normal to clear the line.
                        let off = side * (hw * nx.abs() + hh * ny.abs() + 3.0);
                        let bx = [mx + nx * off, my + ny * off, hw, hh];
                        let cost: f64 = taken.iter().map(|o| overlap(&bx, o)).sum::<f64>()
                            + 4.0 * hw * hh
                            - overlap(&bx, &frame);
                        if best.is_none_or(|(c, _)| cost < c - 1e-9) {
                            best = Some((cost, bx));
                        }
                    }
                }
                if let Some((_, bx)) = best {
                    taken.push(bx);
                    let weight = if near { r#" font-weight="bold""# } else { "" };
                    labels.push((bx[0], bx[1] + 4.0, text, weight));
                }
            }
        }
    }
    // Points, one label per position (rows that coincide share it).
    let mut at: BTreeMap<(i64, i64), Vec<String>> = BTreeMap::new();
    for &(i, x, y) in &pts {
        let Some(q) = p.points.get(i) else { continue };
        let col = class_colour(q.class.as_ref());
        cv.circle(
            px(x),
            py(y),
            5.0,
            &format!(r#" fill="{col}" fill-opacity="0.85" stroke="{col}""#),
        );
        let key = ((px(x) * 10.0).round() as i64, (py(y) * 10.0).round() as i64);
        at.entry(key).or_default().push((q.row + 1).to_string());
    }
    for ((kx, ky), rows) in &at {
        let (x, y) = (*kx as f64 / 10.0, *ky as f64 / 10.0);
        cv.text(x + 7.0, y - 6.0, &rows.join(","), r#" font-size="11""#);
    }
    // Retrieved rows: a ring and the rank.
    for (rank, (row, _)) in p.retrieved.iter().enumerate() {
        let hit = pts
            .iter()
            .find(|&&(i, _, _)| p.points.get(i).is_some_and(|q| q.row == *row));
        if let Some(&(_, x, y)) = hit {
            cv.circle(
                px(x),
                py(y),
                9.0,
                r#" fill="none" stroke="currentColor" stroke-width="1.5""#,
            );
            cv.text(
                px(x) - 9.0,
                py(y) + 19.0,
                &format!("#{}", rank + 1),
                r#" text-anchor="end" font-weight="bold" font-size="11""#,
            );
        }
    }
    // Centroids.
    for &(i, x, y) in &cents {
        let Some((k, _, _)) = p.centroids.get(i) else {
            continue;
        };
        let col = class_colour(Some(k));
        cv.polygon(
            px(x),
            py(y),
            &DIAMOND,
            &format!(r#" fill="{col}" fill-opacity="0.35" stroke="{col}" stroke-width="2""#),
        );
        cv.text(
            px(x) + 9.0,
            py(y) + 15.0,
            &mu(&label(fmt, k)),
            r#" font-weight="bold""#,
        );
    }
    // The query.
    if let Some((name, x, y)) = query {
        cv.polygon(px(x), py(y), &STAR, r#" fill="currentColor""#);
        cv.text(
            px(x) - 9.0,
            py(y) - 7.0,
            name,
            r#" text-anchor="end" font-weight="bold""#,
        );
    }
    for (x, y, s, extra) in &labels {
        cv.text(
            *x,
            *y,
            s,
            &format!(r#" text-anchor="middle" font-size="11"{extra}"#),
        );
    }

    // Legend.
    let (lx, mut ly) = (left + pw + 22.0, top + 8.0);
    let mut width_needed: f64 = 0.0;
    let mut entry = |cv: &mut Canvas, ly: &mut f64, s: &str| {
        cv.text(lx + 16.0, *ly + 4.0, s, "");
        width_needed = width_needed.max(16.0 + tw(s));
        *ly += 19.0;
    };
    for (i, (_, name)) in classes.iter().enumerate() {
        let col = colour(i);
        cv.circle(
            lx + 5.0,
            ly,
            5.0,
            &format!(r#" fill="{col}" fill-opacity="0.85" stroke="{col}""#),
        );
        entry(&mut cv, &mut ly, &format!("class {name}"));
    }
    if p.points.iter().any(|q| q.class.is_none()) {
        cv.circle(
            lx + 5.0,
            ly,
            5.0,
            r##" fill="#7f7f7f" fill-opacity="0.85""##,
        );
        entry(&mut cv, &mut ly, "no class");
    }
    if !cents.is_empty() {
        cv.polygon(
            lx + 5.0,
            ly,
            &[(0.0, -6.0), (6.0, 0.0), (0.0, 6.0), (-6.0, 0.0)],
            r#" fill="none" stroke="currentColor" stroke-width="1.5""#,
        );
        entry(&mut cv, &mut ly, "centroid μ");
    }
    if let Some((name, _, _)) = query {
        cv.polygon(lx + 5.0, ly, &STAR, r#" fill="currentColor""#);
        entry(&mut cv, &mut ly, &format!("query {name}"));
    }
    let nearest = p.nearest.and_then(|i| p.centroids.get(i));
    if query.is_some() && nearest.is_some() && !cents.is_empty() {
        cv.line(
            (lx - 2.0, ly),
            (lx + 12.0, ly),
            r#" stroke="currentColor" stroke-width="2.5""#,
        );
        entry(&mut cv, &mut ly, "nearest");
        cv.line(
            (lx - 2.0, ly),
            (lx + 12.0, ly),
            r#" stroke="currentColor" stroke-width="1.5" stroke-dasharray="4 3""#,
        );
        entry(&mut cv, &mut ly, "other centroids");
    }
    if !p.retrieved.is_empty() {
        cv.circle(
            lx + 5.0,
            ly,
            6.0,
            r#" fill="none" stroke="currentColor" stroke-width="1.5""#,
        );
        entry(&mut cv, &mut ly, "retrieved, #rank");
        for (rank, (row, d)) in p.retrieved.iter().take(10).enumerate() {
            let s = format!("#{} row {}: {}", rank + 1, row + 1, label(fmt, d));
            entry(&mut cv, &mut ly, &clip(&s, 24));
        }
        if p.retrieved.len() > 10 {
            entry(
                &mut cv,
                &mut ly,
                &format!("… {} more", p.retrieved.len() - 10),
            );
        }
    }

    // Caption.
    let mut caption = format!("distances: {}", p.metric);
    if let Some((k, _, _)) = nearest.filter(|_| query.is_some()) {
        let _ = write!(caption, "; nearest centroid {}", mu(&label(fmt, k)));
    }
    let dropped = p.points.len() - pts.len();
    if dropped > 0 {
        let _ = write!(caption, "; not drawn (not finite): {dropped} of the rows");
    }
    let cy = top + ph + 36.0;
    cv.text(left, cy, &clip(&caption, 80), "");
    cv.w = (lx + width_needed + 10.0)
        .max(left + tw(&caption) + 10.0)
        .min(MAX_W);
    cv.h = (cy + 10.0).max(ly + 4.0);
    Some(cv)
}

// ---- heatmap ------------------------------------------------------------

fn heatmap(hm: &Heatmap, fmt: &Fmt) -> Option<Canvas> {
    let n_rows = hm.values.len();
    let n_cols = hm.values.iter().map(Vec::len).max().unwrap_or(0);
    if n_rows == 0 || n_cols == 0 {
        return None;
    }
    let (rows, cols) = (n_rows.min(MAX_CELLS), n_cols.min(MAX_CELLS));
    // The scale's ends: the smallest and largest finite entries, printed
    // as the engine's numbers; 0 and 1 for weights and probabilities.
    let finite: Vec<(f64, &Num)> = hm
        .values
        .iter()
        .flatten()
        .filter_map(|v| fin(v.to_f64()).map(|x| (x, v)))
        .collect();
    let min = finite.iter().min_by(|a, b| a.0.total_cmp(&b.0));
    let max = finite.iter().max_by(|a, b| a.0.total_cmp(&b.0));
    let (lo, hi, lo_s, hi_s) = match (min, max) {
        (Some(&(lo, a)), Some(&(hi, b))) if lo < 0.0 || hi > 1.0 => {
            (lo, hi, label(fmt, a), label(fmt, b))
        }
        _ => (0.0, 1.0, "0".to_string(), "1".to_string()),
    };
    let intensity = |v: &Num| -> f64 {
        match fin(v.to_f64()) {
            Some(x) if hi > lo => ((x - lo) / (hi - lo)).clamp(0.0, 1.0),
            Some(_) => 0.5,
            None => 0.0,
        }
    };
    let texts: Vec<Vec<String>> = hm
        .values
        .iter()
        .take(rows)
        .map(|r| r.iter().take(cols).map(|v| label(fmt, v)).collect())
        .collect();
    let widest = texts.iter().flatten().map(|s| tw(s)).fold(0.0, f64::max);
    let row_names: Vec<String> = (1..=rows)
        .map(|i| clip(&format!("{} {i}", hm.row_label), 16))
        .collect();
    let left = row_names.iter().map(|s| tw(s)).fold(0.0, f64::max) + 14.0;
    let col_names: Vec<String> = (1..=cols)
        .map(|j| clip(&format!("{} {j}", hm.col_label), 16))
        .collect();
    let widest_col = col_names.iter().map(|s| tw(s)).fold(0.0, f64::max);
    let avail = MAX_W - left - 10.0;
    let cw = (widest + 14.0)
        .max(widest_col + 8.0)
        .max(44.0)
        .min(avail / cols as f64)
        .max(20.0);
    let ch = 30.0;
    let short_cols = widest_col + 4.0 > cw;
    let top = if short_cols { 40.0 } else { 24.0 };

    let mut cv = Canvas::new();
    if short_cols {
        cv.text(left, 14.0, &clip(&hm.col_label, 40), "");
    }
    for (j, name) in col_names.iter().enumerate() {
        let s = if short_cols {
            (j + 1).to_string()
        } else {
            name.clone()
        };
        cv.text(
            left + (j as f64 + 0.5) * cw,
            top - 8.0,
            &s,
            r#" text-anchor="middle""#,
        );
    }
    for (i, row) in hm.values.iter().take(rows).enumerate() {
        let y = top + i as f64 * ch;
        if let Some(name) = row_names.get(i) {
            cv.text(
                left - 8.0,
                y + ch / 2.0 + 4.0,
                name,
                r#" text-anchor="end""#,
            );
        }
        for (j, v) in row.iter().take(cols).enumerate() {
            let x = left + j as f64 * cw;
            let t = intensity(v);
            cv.rect(
                x,
                y,
                cw,
                ch,
                &format!(
                    r##" fill="#1f77b4" fill-opacity="{:.2}" stroke="currentColor" stroke-opacity="0.25""##,
                    0.08 + 0.87 * t
                ),
            );
            let s = texts
                .get(i)
                .and_then(|r| r.get(j))
                .map_or("", String::as_str);
            if tw(s) + 4.0 <= cw {
                // White on a strong cell; the page's colour on a faint one.
                let fill = if t > 0.5 { "#ffffff" } else { "currentColor" };
                cv.text_in(
                    x + cw / 2.0,
                    y + ch / 2.0 + 4.0,
                    s,
                    fill,
                    r#" text-anchor="middle""#,
                );
            }
        }
    }
    let mut y = top + rows as f64 * ch + 20.0;
    if n_rows > rows || n_cols > cols {
        cv.text(
            left,
            y,
            &format!("showing {rows} of {n_rows} rows, {cols} of {n_cols} columns"),
            "",
        );
        y += 18.0;
    }
    // The colour scale: five steps from the low end to the high end.
    let (lo_s, hi_s) = (clip(&lo_s, 14), clip(&hi_s, 14));
    cv.text(left, y + 4.0, &lo_s, "");
    let x0 = left + tw(&lo_s) + 6.0;
    for k in 0..5 {
        cv.rect(
            x0 + k as f64 * 18.0,
            y - 6.0,
            18.0,
            12.0,
            &format!(
                r##" fill="#1f77b4" fill-opacity="{:.2}""##,
                0.08 + 0.87 * k as f64 / 4.0
            ),
        );
    }
    let x1 = x0 + 5.0 * 18.0 + 6.0;
    cv.text(x1, y + 4.0, &hi_s, "");
    cv.w = (left + cols as f64 * cw + 10.0)
        .max(x1 + tw(&hi_s) + 10.0)
        .min(MAX_W);
    cv.h = y + 14.0;
    Some(cv)
}

// ---- series -------------------------------------------------------------

fn series(s: &Series, fmt: &Fmt) -> Option<Canvas> {
    let steps = s.states.len();
    let units = s.states.iter().map(Vec::len).max().unwrap_or(0);
    if steps == 0 || units == 0 {
        return None;
    }
    let value = |t: usize, u: usize| {
        s.states
            .get(t)
            .and_then(|r| r.get(u))
            .and_then(|v| fin(v.to_f64()))
    };
    let threshold = s
        .threshold
        .as_ref()
        .and_then(|(v, text)| fin(v.to_f64()).map(|y| (y, text.as_str())));
    let mut lo = 0.0_f64;
    let mut hi = 0.0_f64;
    for t in 0..steps {
        for u in 0..units {
            if let Some(v) = value(t, u) {
                (lo, hi) = (lo.min(v), hi.max(v));
            }
        }
    }
    if let Some((y, _)) = threshold {
        (lo, hi) = (lo.min(y), hi.max(y));
    }
    let (y0, ystep, ny) = ticks(lo, hi, 5.0);
    let y1 = y0 + ystep * (ny - 1) as f64;
    let tick_labels: Vec<String> = (0..ny)
        .map(|k| tick_text(y0 + k as f64 * ystep, ystep))
        .collect();
    let names: Vec<String> = (0..units)
        .map(|u| {
            if units == 1 {
                s.name.clone()
            } else {
                format!("{}{}", s.name, subscript(&(u + 1).to_string()))
            }
        })
        .collect();
    let legend_w = names.iter().map(|n| tw(n)).fold(0.0, f64::max).min(120.0) + 34.0;
    let left = tick_labels.iter().map(|t| tw(t)).fold(0.0, f64::max) + 14.0;
    let (top, ph) = (28.0, 240.0);
    let pw = MAX_W - left - legend_w - 10.0;
    let pad = 24.0;
    let xt = |t: usize| {
        if steps == 1 {
            left + pw / 2.0
        } else {
            left + pad + t as f64 * (pw - 2.0 * pad) / (steps - 1) as f64
        }
    };
    let yv = |v: f64| top + (y1 - v) / (y1 - y0) * ph;

    let mut cv = Canvas::new();
    let grid = r#" stroke="currentColor" stroke-opacity="0.15""#;
    for (k, t) in tick_labels.iter().enumerate() {
        let v = y0 + k as f64 * ystep;
        cv.line((left, yv(v)), (left + pw, yv(v)), grid);
        cv.text(
            left - 5.0,
            yv(v) + 4.0,
            t,
            r#" text-anchor="end" font-size="11""#,
        );
    }
    // Time ticks: every step, or a nice integer stride when there are many.
    let tstep = if steps <= 25 {
        1
    } else {
        nice_step(steps as f64 / 10.0).max(1.0) as usize
    };
    for t in (0..steps).step_by(tstep.max(1)) {
        cv.line(
            (xt(t), top + ph),
            (xt(t), top + ph + 4.0),
            r#" stroke="currentColor""#,
        );
        cv.text(
            xt(t),
            top + ph + 17.0,
            &t.to_string(),
            r#" text-anchor="middle" font-size="11""#,
        );
    }
    cv.text(
        left + pw,
        top + ph + 32.0,
        "t",
        r#" text-anchor="end" font-style="italic""#,
    );
    cv.text(
        left - 5.0,
        top - 12.0,
        &clip(&s.name, 12),
        r#" text-anchor="end" font-style="italic""#,
    );
    // Axes and the zero line.
    let axis = r#" stroke="currentColor" stroke-opacity="0.6""#;
    cv.line((left, top), (left, top + ph), axis);
    cv.line((left, top + ph), (left + pw, top + ph), axis);
    cv.line(
        (left, yv(0.0)),
        (left + pw, yv(0.0)),
        r#" stroke="currentColor" stroke-opacity="0.7" stroke-width="1.2""#,
    );
    if let Some((y, text)) = threshold {
        cv.line(
            (left, yv(y)),
            (left + pw, yv(y)),
            r#" stroke="currentColor" stroke-width="1.5" stroke-dasharray="6 4""#,
        );
        cv.text(
            left + pw - 4.0,
            yv(y) - 6.0,
            &clip(text, 60),
            r#" text-anchor="end""#,
        );
    }
    // One line per unit, broken where a value is missing or not finite.
    for u in 0..units {
        let col = colour(u);
        let mut run: Vec<(f64, f64)> = Vec::new();
        for t in 0..=steps {
            match value(t, u).filter(|_| t < steps) {
                Some(v) => run.push((xt(t), yv(v))),
                None => {
                    if run.len() > 1 {
                        cv.polyline(&run, &format!(r#" stroke="{col}" stroke-width="2""#));
                    }
                    run.clear();
                }
            }
        }
        for t in 0..steps {
            if let Some(v) = value(t, u) {
                cv.circle(xt(t), yv(v), 3.5, &format!(r#" fill="{col}""#));
            }
        }
    }
    // Values above their points, nudged apart where units meet.
    if steps <= LABELLED_STEPS {
        for t in 0..steps {
            let mut at: Vec<(f64, String)> = (0..units)
                .filter_map(|u| {
                    let v = value(t, u)?;
                    let n = s.states.get(t)?.get(u)?;
                    Some((yv(v) - 8.0, label(fmt, n)))
                })
                .collect();
            at.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut prev = f64::NEG_INFINITY;
            for (y, _) in &mut at {
                if *y < prev + 13.0 {
                    *y = prev + 13.0;
                }
                prev = *y;
            }
            for (y, text) in &at {
                cv.text(xt(t) + 5.0, *y, text, r#" font-size="11""#);
            }
        }
    }
    // Legend.
    let lx = left + pw + 14.0;
    for (u, name) in names.iter().enumerate() {
        let y = top + 8.0 + u as f64 * 18.0;
        let col = colour(u);
        cv.line(
            (lx, y),
            (lx + 16.0, y),
            &format!(r#" stroke="{col}" stroke-width="2""#),
        );
        cv.circle(lx + 8.0, y, 3.5, &format!(r#" fill="{col}""#));
        cv.text(lx + 22.0, y + 4.0, &clip(name, 16), "");
    }
    cv.w = MAX_W;
    cv.h = (top + ph + 42.0).max(top + 8.0 + units as f64 * 18.0 + 10.0);
    Some(cv)
}

// ---- window -------------------------------------------------------------

fn window(wf: &Window, fmt: &Fmt) -> Option<Canvas> {
    if wf.input.is_empty() && wf.output.is_empty() {
        return None;
    }
    let inputs: Vec<String> = wf.input.iter().map(|v| label(fmt, v)).collect();
    let weights: Vec<String> = wf.kernel.iter().map(|v| label(fmt, v)).collect();
    let shown = wf.output.len().min(MAX_WINDOWS);
    let results: Vec<String> = wf
        .output
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, v)| clip(&format!("{}[{i}] = {}", wf.output_name, label(fmt, v)), 28))
        .collect();
    let right = results.iter().map(|s| tw(s)).fold(0.0, f64::max) + 20.0;
    let name = clip(&wf.input_name, 8);
    let left = tw(&name).max(tw("i = 00")) + 14.0;
    let widest = inputs
        .iter()
        .chain(&weights)
        .map(|s| tw(s))
        .fold(0.0, f64::max);
    let avail = (MAX_W - left - right - 10.0).max(100.0);
    let min_w = 24.0;
    let visible = wf.input.len().min((avail / min_w) as usize);
    let cw = (widest + 10.0)
        .max(34.0)
        .min(avail / visible.max(1) as f64)
        .max(min_w);
    let ch = 26.0;
    let x_of = |k: usize| left + k as f64 * cw;

    let mut cv = Canvas::new();
    // The input row, with each position's index above it.
    let top = 24.0;
    cv.text(
        left - 8.0,
        top + ch / 2.0 + 4.0,
        &name,
        r#" text-anchor="end" font-weight="bold""#,
    );
    for (k, s) in inputs.iter().take(visible).enumerate() {
        cv.text(
            x_of(k) + cw / 2.0,
            top - 6.0,
            &k.to_string(),
            r#" text-anchor="middle" font-size="11" fill-opacity="0.7""#,
        );
        cv.rect(
            x_of(k),
            top,
            cw,
            ch,
            r##" fill="#1f77b4" fill-opacity="0.12" stroke="currentColor" stroke-opacity="0.5""##,
        );
        if tw(s) + 4.0 <= cw {
            cv.text(
                x_of(k) + cw / 2.0,
                top + ch / 2.0 + 4.0,
                s,
                r#" text-anchor="middle""#,
            );
        }
    }
    if visible < wf.input.len() {
        cv.text(x_of(visible) + 4.0, top + ch / 2.0 + 4.0, "…", "");
    }
    // One row per output: its window's cells under the inputs they cover,
    // each with its kernel weight.
    let row_h = 34.0;
    let first = top + ch + 18.0;
    let stride = wf.stride;
    let dilation = wf.dilation;
    for (i, result) in results.iter().enumerate() {
        let y = first + i as f64 * row_h;
        cv.text(
            left - 8.0,
            y + ch / 2.0 + 4.0,
            &format!("i = {i}"),
            r#" text-anchor="end" font-size="11" fill-opacity="0.7""#,
        );
        let cells: Vec<(usize, &str)> = weights
            .iter()
            .enumerate()
            .filter_map(|(j, w)| {
                let pos = i
                    .checked_mul(stride)?
                    .checked_add(j.checked_mul(dilation)?)?;
                (pos < visible).then_some((pos, w.as_str()))
            })
            .collect();
        if let (Some(a), Some(b)) = (
            cells.iter().map(|c| c.0).min(),
            cells.iter().map(|c| c.0).max(),
        ) {
            // The window's span, gaps (dilation) included.
            cv.line(
                (x_of(a) + cw / 2.0, y + ch / 2.0),
                (x_of(b) + cw / 2.0, y + ch / 2.0),
                r#" stroke="currentColor" stroke-opacity="0.35""#,
            );
        }
        for (pos, w) in &cells {
            cv.rect(
                x_of(*pos) + 1.0,
                y,
                cw - 2.0,
                ch,
                r##" fill="#ff7f0e" fill-opacity="0.3" stroke="#ff7f0e" rx="3""##,
            );
            if tw(w) + 4.0 <= cw {
                cv.text(
                    x_of(*pos) + cw / 2.0,
                    y + ch / 2.0 + 4.0,
                    w,
                    r#" text-anchor="middle""#,
                );
            }
        }
        cv.text(x_of(visible) + 16.0, y + ch / 2.0 + 4.0, result, "");
    }
    let mut y = first + shown as f64 * row_h + 12.0;
    if wf.output.len() > shown {
        cv.text(left, y, &format!("… {} more", wf.output.len() - shown), "");
        y += 20.0;
    }
    // Caption: the kernel, the bias and the rule.
    let kernel = clip(&format!("[{}]", weights.join(", ")), 50);
    let (wn, bn) = (clip(&wf.kernel_name, 12), clip(&wf.bias_name, 12));
    let mut caption = format!("kernel {wn} = {kernel}");
    if let Some(b) = &wf.bias {
        let _ = write!(caption, ", bias {bn} = {}", label(fmt, b));
    }
    let _ = write!(caption, ", stride {stride}, dilation {dilation}");
    let rule = format!(
        "{}[i] = Σⱼ {wn}[j]·{}[{}·i + {}·j]{}",
        clip(&wf.output_name, 8),
        name,
        stride,
        dilation,
        if wf.bias.is_some() {
            format!(" + {bn}")
        } else {
            String::new()
        }
    );
    cv.text(left, y, &caption, "");
    cv.text(left, y + 18.0, &rule, "");
    cv.w = (x_of(visible) + right + 10.0)
        .max(left + tw(&caption).max(tw(&rule)) + 10.0)
        .min(MAX_W);
    cv.h = y + 28.0;
    Some(cv)
}

// ---- graph --------------------------------------------------------------

/// Each node's layer: the longest path to it from a source, found by at
/// most `nodes` rounds of relaxation (a cycle stops there).
fn layers(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut layer = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for &(a, b) in edges {
            if a == b {
                continue;
            }
            let (Some(&la), Some(&lb)) = (layer.get(a), layer.get(b)) else {
                continue;
            };
            let want = (la + 1).min(n.saturating_sub(1));
            if want > lb {
                if let Some(l) = layer.get_mut(b) {
                    *l = want;
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    layer
}

/// Where the ray from a box's centre towards `(dx, dy)` leaves the box.
fn border(cx: f64, cy: f64, hw: f64, hh: f64, dx: f64, dy: f64) -> (f64, f64) {
    let tx = if dx.abs() > 1e-9 {
        hw / dx.abs()
    } else {
        f64::INFINITY
    };
    let ty = if dy.abs() > 1e-9 {
        hh / dy.abs()
    } else {
        f64::INFINITY
    };
    let t = tx.min(ty);
    if t.is_finite() {
        (cx + dx * t, cy + dy * t)
    } else {
        (cx, cy)
    }
}

fn graph(g: &Graph, fmt: &Fmt) -> Option<Canvas> {
    let n = g.nodes.len();
    if n == 0 {
        return None;
    }
    let layer = layers(n, &g.edges);
    let depth = layer.iter().copied().max().unwrap_or(0) + 1;
    let full: Vec<(String, String, Option<String>)> = g
        .nodes
        .iter()
        .map(|node| {
            (
                node.name.clone(),
                fmt.tensor_compact(&node.value),
                node.grad.as_ref().map(|t| fmt.tensor_compact(t)),
            )
        })
        .collect();
    let (gap, line_h, pad) = (46.0, 16.0, 8.0);
    // Cut the values shorter until the layers fit the width.
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut col_w: Vec<f64> = Vec::new();
    for limit in [NODE_TEXT, 22, 14] {
        lines = full
            .iter()
            .map(|(name, v, gr)| {
                let mut l = vec![clip(name, limit), clip(&format!("= {v}"), limit)];
                if let Some(gr) = gr {
                    l.push(clip(&format!("grad = {gr}"), limit));
                }
                l
            })
            .collect();
        col_w = vec![0.0; depth];
        for (k, l) in lines.iter().enumerate() {
            let w = l.iter().map(|s| tw(s)).fold(0.0, f64::max) + 2.0 * pad;
            if let Some(c) = layer.get(k).and_then(|&d| col_w.get_mut(d)) {
                *c = c.max(w.max(56.0));
            }
        }
        let total: f64 = col_w.iter().sum::<f64>() + gap * (depth as f64 - 1.0) + 20.0;
        if total <= MAX_W {
            break;
        }
    }
    let box_h = |k: usize| lines.get(k).map_or(1, Vec::len) as f64 * line_h + 10.0;
    let mut col_x = Vec::with_capacity(depth);
    let mut x = 10.0;
    for w in &col_w {
        col_x.push(x);
        x += w + gap;
    }
    let width = x - gap + 10.0;
    let vgap = 18.0;
    let col_h: Vec<f64> = (0..depth)
        .map(|d| {
            let hs: Vec<f64> = (0..n)
                .filter(|&k| layer.get(k) == Some(&d))
                .map(box_h)
                .collect();
            hs.iter().sum::<f64>() + vgap * (hs.len().max(1) - 1) as f64
        })
        .collect();
    let height = col_h.iter().copied().fold(0.0, f64::max) + 20.0;
    // Each box: left, top, width, height; stacked in `nodes` order within
    // its layer and centred vertically.
    let mut boxes = vec![(0.0, 0.0, 0.0, 0.0); n];
    for d in 0..depth {
        let mut y = 10.0 + (height - 20.0 - col_h.get(d).copied().unwrap_or(0.0)) / 2.0;
        for k in (0..n).filter(|&k| layer.get(k) == Some(&d)) {
            let w = col_w.get(d).copied().unwrap_or(56.0);
            let x = col_x.get(d).copied().unwrap_or(10.0);
            if let Some(b) = boxes.get_mut(k) {
                *b = (x, y, w, box_h(k));
            }
            y += box_h(k) + vgap;
        }
    }

    let mut cv = Canvas::new();
    for &(a, b) in &g.edges {
        let (Some(&(ax, ay, aw, ah)), Some(&(bx, by, bw, bh))) = (boxes.get(a), boxes.get(b))
        else {
            continue;
        };
        if a == b {
            continue;
        }
        let (acx, acy, bcx, bcy) = (ax + aw / 2.0, ay + ah / 2.0, bx + bw / 2.0, by + bh / 2.0);
        let (dx, dy) = (bcx - acx, bcy - acy);
        let from = border(acx, acy, aw / 2.0, ah / 2.0, dx, dy);
        let to = border(bcx, bcy, bw / 2.0, bh / 2.0, -dx, -dy);
        cv.arrow(
            from,
            to,
            r#" stroke="currentColor" stroke-opacity="0.8" stroke-width="1.3""#,
        );
    }
    for (k, node) in g.nodes.iter().enumerate() {
        let (Some(&(x, y, w, h)), Some(l)) = (boxes.get(k), lines.get(k)) else {
            continue;
        };
        // A value off the gradient's path is drawn dashed.
        let style = if node.grad.is_some() {
            r##" fill="#1f77b4" fill-opacity="0.1" stroke="currentColor" stroke-width="1.3" rx="6""##
        } else {
            r##" fill="#7f7f7f" fill-opacity="0.08" stroke="currentColor" stroke-dasharray="4 3" rx="6""##
        };
        cv.rect(x, y, w, h, style);
        for (i, s) in l.iter().enumerate() {
            let extra = match i {
                0 => r#" text-anchor="middle" font-weight="bold""#,
                _ => r#" text-anchor="middle""#,
            };
            cv.text(x + w / 2.0, y + 5.0 + line_h * (i as f64 + 0.78), s, extra);
        }
    }
    cv.w = width;
    cv.h = height;
    Some(cv)
}

#[cfg(test)]
mod tests {
    use super::super::figure::{GraphNode, PlanePoint};
    use super::*;
    use crate::Tensor;

    fn fmt() -> Fmt {
        Fmt { digits: 4 }
    }
    fn int(k: i64) -> Num {
        Num::int(k)
    }
    fn ratio(n: i64, d: i64) -> Num {
        Num::ratio(n, d).unwrap()
    }
    fn tensor(v: Vec<Num>) -> Tensor<Num> {
        Tensor::new(ndarray::Array1::from(v).into_dyn())
    }

    /// Parses, and has no ids, no scripts, no NaN or inf.
    fn check(svg: &str) -> roxmltree::Document<'_> {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        for node in doc.descendants() {
            assert!(node.attribute("id").is_none(), "id attribute in\n{svg}");
            assert_ne!(node.tag_name().name(), "script");
            assert_ne!(node.tag_name().name(), "style");
            for a in node.attributes() {
                let v = a.value();
                assert!(
                    !v.contains("NaN") && !v.contains("inf") && !v.contains("url("),
                    "bad attribute {}={v}",
                    a.name()
                );
            }
        }
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let w: f64 = root.attribute("width").unwrap().parse().unwrap();
        assert!(w <= 640.0, "width {w}");
        assert_eq!(
            root.first_element_child().map(|e| e.tag_name().name()),
            Some("title")
        );
        doc
    }
    /// Every text of the drawing.
    fn texts(svg: &str) -> Vec<String> {
        let doc = check(svg);
        doc.descendants()
            .filter(|n| n.tag_name().name() == "text")
            .map(|n| n.text().unwrap_or("").to_string())
            .collect()
    }
    fn has(svg: &str, s: &str) -> bool {
        texts(svg).iter().any(|t| t == s)
    }

    fn seed_plane(retrieval: bool) -> Figure {
        let rows = [
            (0, 0, 0),
            (1, 0, 0),
            (0, 1, 0),
            (3, 3, 1),
            (4, 3, 1),
            (0, 4, 2),
            (1, 5, 2),
        ];
        let points = rows
            .iter()
            .enumerate()
            .map(|(row, &(x, y, k))| PlanePoint {
                row,
                x: int(x),
                y: int(y),
                class: Some(int(k)),
            })
            .collect();
        if retrieval {
            return Figure::Plane(Plane {
                title: "retrieval of q".into(),
                points,
                centroids: vec![],
                query: Some(("q".into(), int(1), int(0))),
                centroid_distances: vec![],
                nearest: None,
                retrieved: vec![
                    (1, int(0)),
                    (0, int(1)),
                    (2, Num::approx(2f64.sqrt()).unwrap()),
                    (3, Num::approx(13f64.sqrt()).unwrap()),
                    (4, Num::approx(18f64.sqrt()).unwrap()),
                ],
                metric: "l2".into(),
            });
        }
        Figure::Plane(Plane {
            title: "nearest centroid of z".into(),
            points,
            centroids: vec![
                (int(0), ratio(1, 3), ratio(1, 3)),
                (int(1), ratio(7, 2), int(3)),
                (int(2), ratio(1, 2), ratio(9, 2)),
            ],
            query: Some(("z".into(), int(0), int(2))),
            centroid_distances: vec![ratio(2, 1), ratio(9, 2), Num::approx(2f64.sqrt()).unwrap()],
            nearest: Some(2),
            retrieved: vec![],
            metric: "l1".into(),
        })
    }
    fn seed_heatmap() -> Figure {
        let v = [
            [0.2, 0.3, 0.5],
            [0.4011, 0.3, 0.2989],
            [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0],
        ];
        Figure::Heatmap(Heatmap {
            title: "attention A".into(),
            row_label: "query".into(),
            col_label: "key".into(),
            values: v
                .iter()
                .map(|r| r.iter().map(|&x| Num::approx(x).unwrap()).collect())
                .collect(),
        })
    }
    fn seed_series(three: bool) -> Figure {
        if three {
            let s = [
                [10000, 5000, 765],
                [11000, 5000, 1765],
                [12000, 5000, -735],
                [8000, 5000, 0],
            ];
            return Figure::Series(Series {
                title: "hidden states".into(),
                name: "h".into(),
                states: s
                    .iter()
                    .map(|r| r.iter().map(|&x| int(x)).collect())
                    .collect(),
                threshold: None,
            });
        }
        Figure::Series(Series {
            title: "h(t)".into(),
            name: "h".into(),
            states: [0, -1, -1, 0].iter().map(|&x| vec![int(x)]).collect(),
            threshold: Some((ratio(1, 2), "s = 0 at h = 1/2".into())),
        })
    }
    fn seed_window() -> Figure {
        let n = |s: &str| Num::parse(s).unwrap();
        Figure::Window(Window {
            kernel_name: "w".into(),
            bias_name: "b".into(),
            title: "conv1d".into(),
            input_name: "x".into(),
            output_name: "y".into(),
            input: ["1", "1", "1.3", "1", "1", "1.3"]
                .iter()
                .map(|s| n(s))
                .collect(),
            kernel: vec![ratio(1, 3); 3],
            bias: Some(ratio(-1, 10)),
            output: vec![int(1); 4],
            stride: 1,
            dilation: 1,
        })
    }
    fn seed_graph() -> Figure {
        let node = |name: &str, v: Vec<Num>, g: Option<Vec<Num>>| GraphNode {
            name: name.into(),
            value: tensor(v),
            grad: g.map(tensor),
        };
        Figure::Graph(Graph {
            title: "grad(L, w)".into(),
            nodes: vec![
                GraphNode {
                    name: "L".into(),
                    value: Tensor::scalar(Num::approx(0.1824).unwrap()),
                    grad: Some(Tensor::scalar(int(1))),
                },
                node(
                    "f_p1",
                    vec![ratio(1, 3), int(2)],
                    Some(vec![int(1), int(-1)]),
                ),
                node(
                    "f_p2",
                    vec![ratio(2, 3), int(0)],
                    Some(vec![int(1), ratio(1, 2)]),
                ),
                node(
                    "w",
                    (0..20).map(|k| ratio(k, 7)).collect(),
                    Some((0..20).map(|k| ratio(-k, 11)).collect()),
                ),
            ],
            edges: vec![(3, 1), (3, 2), (1, 0), (2, 0)],
        })
    }
    fn all() -> Vec<(&'static str, Figure)> {
        vec![
            ("plane", seed_plane(false)),
            ("retrieval", seed_plane(true)),
            ("heatmap", seed_heatmap()),
            ("series1", seed_series(false)),
            ("series3", seed_series(true)),
            ("window", seed_window()),
            ("graph", seed_graph()),
            ("window-dilated", {
                let Figure::Window(mut w) = seed_window() else {
                    unreachable!()
                };
                w.input = (0..9).map(|k| ratio(k, 4)).collect();
                w.kernel = vec![int(1), int(-2)];
                w.bias = None;
                w.stride = 2;
                w.dilation = 3;
                w.output = vec![ratio(-3, 4), ratio(-5, 4), ratio(-7, 4)];
                Figure::Window(w)
            }),
            (
                "heatmap-scores",
                Figure::Heatmap(Heatmap {
                    title: "scores".into(),
                    row_label: "query".into(),
                    col_label: "key".into(),
                    values: vec![
                        vec![int(-3), int(0), int(5), ratio(1, 3)],
                        vec![int(2), int(7), int(-1), Num::approx(0.25).unwrap()],
                    ],
                }),
            ),
        ]
    }

    #[test]
    fn every_figure_is_valid_and_deterministic() {
        let f = fmt();
        let _ = std::fs::create_dir_all("/tmp/gw-figs");
        for (name, fig) in all() {
            let svg = fig.svg(&f);
            check(&svg);
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{name}");
            assert!(!svg.contains("id="), "{name}");
            assert_eq!(svg, fig.svg(&f), "{name} differs on a second call");
            let _ = std::fs::write(format!("/tmp/gw-figs/{name}.svg"), &svg);
        }
    }

    #[test]
    fn plane_labels() {
        let f = fmt();
        let svg = seed_plane(false).svg(&f);
        let sqrt2 = f.compact(&Num::approx(2f64.sqrt()).unwrap());
        assert!(sqrt2.starts_with('≈'), "{sqrt2}");
        let d = |n: &Num| format!("d = {}", f.compact(n));
        let (two, nine_halves) = (d(&int(2)), d(&ratio(9, 2)));
        let sqrt2 = format!("d = {sqrt2}");
        for s in [
            "1",
            "7",
            "μ₀",
            "μ₁",
            "μ₂",
            "z",
            &two,
            &nine_halves,
            &sqrt2,
            "class 0",
        ] {
            assert!(has(&svg, s), "{s} missing in\n{svg}");
        }
        assert!(texts(&svg).iter().any(|t| t.starts_with("distances: l1")));
        // The nearest line is solid and thick.
        assert!(svg.contains(r##"stroke="#2ca02c" stroke-width="2.5""##));
        let svg = seed_plane(true).svg(&f);
        for s in ["#1", "#5", "q", "2"] {
            assert!(has(&svg, s), "{s} missing in\n{svg}");
        }
        assert!(texts(&svg).iter().any(|t| t.starts_with("distances: l2")));
    }

    #[test]
    fn heatmap_labels() {
        let f = fmt();
        let fig = seed_heatmap();
        let svg = fig.svg(&f);
        let Figure::Heatmap(h) = &fig else {
            unreachable!()
        };
        for v in h.values.iter().flatten() {
            assert!(has(&svg, &f.compact(v)), "{} missing", f.compact(v));
        }
        for s in ["query 1", "query 3", "key 1", "key 3", "0", "1"] {
            assert!(has(&svg, s), "{s} missing in\n{svg}");
        }
        // Beyond 0..1 the scale's ends are the smallest and largest entries.
        let fig = Figure::Heatmap(Heatmap {
            title: "scores".into(),
            row_label: "q".into(),
            col_label: "k".into(),
            values: vec![vec![ratio(-7, 2), int(0)], vec![int(2), int(5)]],
        });
        let svg = fig.svg(&f);
        assert!(
            has(&svg, &f.compact(&ratio(-7, 2))) && has(&svg, "5"),
            "{svg}"
        );
        assert_eq!(svg.matches(r##"fill="#ffffff""##).count(), 2, "{svg}");
    }

    #[test]
    fn series_labels() {
        let f = fmt();
        let svg = seed_series(false).svg(&f);
        for s in ["s = 0 at h = 1/2", "0", "-1", "3", "h"] {
            assert!(has(&svg, s), "{s} missing in\n{svg}");
        }
        let svg = seed_series(true).svg(&f);
        for s in ["h₁", "h₂", "h₃", "12000", "765", "-735"] {
            assert!(has(&svg, s), "{s} missing in\n{svg}");
        }
    }

    #[test]
    fn window_labels() {
        let f = fmt();
        let svg = seed_window().svg(&f);
        for s in ["1.3", "1/3", "y[0] = 1", "y[3] = 1", "x", "5"] {
            assert!(has(&svg, s), "{s} missing in\n{svg}");
        }
        assert!(texts(&svg).iter().any(|t| t.contains("bias b = -0.1")));
        // Each of 4 windows has 3 cells.
        assert_eq!(svg.matches("fill=\"#ff7f0e\"").count(), 12);
        // Many outputs: twelve drawn, the rest counted.
        let Figure::Window(mut w) = seed_window() else {
            unreachable!()
        };
        w.input = vec![int(1); 40];
        w.output = vec![int(1); 38];
        let svg = Figure::Window(w).svg(&f);
        assert!(has(&svg, "… 26 more"), "{svg}");
    }

    #[test]
    fn graph_labels_and_cycles() {
        let f = fmt();
        let svg = seed_graph().svg(&f);
        for s in [
            "L",
            "f_p1",
            "f_p2",
            "w",
            "= ≈0.1824",
            "grad = 1",
            "= [1/3, 2]",
        ] {
            assert!(has(&svg, s), "{s} missing in\n{svg}");
        }
        // Four arrowheads, and the long value cut.
        assert_eq!(svg.matches("<polygon").count(), 4);
        assert!(texts(&svg)
            .iter()
            .any(|t| t.starts_with("= [0, 1/7") && t.ends_with('…')));
        // A cycle, a self-loop and a bad index still terminate.
        let Figure::Graph(mut g) = seed_graph() else {
            unreachable!()
        };
        g.edges = vec![(0, 1), (1, 2), (2, 0), (3, 3), (9, 0), (0, 9)];
        g.nodes[2].grad = None;
        check(&Figure::Graph(g).svg(&f));
        assert_eq!(layers(3, &[(0, 1), (1, 2), (2, 0)]).iter().max(), Some(&2));
    }

    #[test]
    fn empty_and_hostile_inputs() {
        let f = fmt();
        let hostile = "<&>\"' ]]>";
        let empties = [
            Figure::Plane(Plane {
                title: hostile.into(),
                points: vec![],
                centroids: vec![],
                query: None,
                centroid_distances: vec![],
                nearest: None,
                retrieved: vec![],
                metric: String::new(),
            }),
            Figure::Heatmap(Heatmap {
                title: hostile.into(),
                row_label: String::new(),
                col_label: String::new(),
                values: vec![vec![]],
            }),
            Figure::Series(Series {
                title: hostile.into(),
                name: "h".into(),
                states: vec![],
                threshold: None,
            }),
            Figure::Window(Window {
                kernel_name: "w".into(),
                bias_name: "b".into(),
                title: hostile.into(),
                input_name: "x".into(),
                output_name: "y".into(),
                input: vec![],
                kernel: vec![],
                bias: None,
                output: vec![],
                stride: 0,
                dilation: 0,
            }),
            Figure::Graph(Graph {
                title: hostile.into(),
                nodes: vec![],
                edges: vec![(0, 1)],
            }),
        ];
        for fig in &empties {
            let svg = fig.svg(&f);
            let doc = check(&svg);
            assert!(has(&svg, "(no data)"));
            let title = doc.root_element().first_element_child().unwrap();
            assert_eq!(title.text(), Some(hostile));
            assert_eq!(doc.root_element().attribute("aria-label"), Some(hostile));
        }
        // Infinite, equal and huge values, names with markup.
        let inf = Num::inf(false);
        let fig = Figure::Plane(Plane {
            title: "t".into(),
            points: vec![
                PlanePoint {
                    row: 0,
                    x: int(5),
                    y: int(5),
                    class: None,
                },
                PlanePoint {
                    row: 1,
                    x: inf.clone(),
                    y: int(0),
                    class: Some(int(1)),
                },
            ],
            centroids: vec![(ratio(1, 2), int(5), int(5))],
            query: Some(("<q>".into(), int(5), int(5))),
            centroid_distances: vec![int(0)],
            nearest: Some(7),
            retrieved: vec![(9, int(0))],
            metric: "&".into(),
        });
        let svg = fig.svg(&f);
        assert!(
            has(&svg, "<q>") && has(&svg, &mu(&f.compact(&ratio(1, 2)))),
            "{svg}"
        );
        assert!(!has(&svg, "nearest"), "no nearest centroid: {svg}");
        let series = Figure::Series(Series {
            title: "t".into(),
            name: "<h>".into(),
            states: vec![vec![int(0)], vec![], vec![inf.clone(), Num::int(i64::MAX)]],
            threshold: Some((inf.clone(), "&".into())),
        });
        check(&series.svg(&f));
        let flat = Figure::Series(Series {
            title: "t".into(),
            name: "h".into(),
            states: vec![vec![int(0)]; 30],
            threshold: None,
        });
        check(&flat.svg(&f));
        let heat = Figure::Heatmap(Heatmap {
            title: "t".into(),
            row_label: "<r>".into(),
            col_label: "c".into(),
            values: vec![vec![int(3), int(3)], vec![inf.clone()], vec![]],
        });
        check(&heat.svg(&f));
        let big = Figure::Heatmap(Heatmap {
            title: "t".into(),
            row_label: "r".into(),
            col_label: "column".into(),
            values: vec![vec![Num::int(i64::MAX); 50]; 30],
        });
        check(&big.svg(&f));
        let win = Figure::Window(Window {
            kernel_name: "w".into(),
            bias_name: "b".into(),
            title: "t".into(),
            input_name: "x".into(),
            output_name: "y".into(),
            input: vec![int(1); 200],
            kernel: vec![int(1); 3],
            bias: None,
            output: vec![int(3); 100],
            stride: usize::MAX,
            dilation: usize::MAX,
        });
        check(&win.svg(&f));
    }
}
