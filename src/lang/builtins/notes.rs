//! The working that built-ins show, next to the built-ins that compute
//! the values: each takes what its built-in computed (or reads it from the
//! recorded graph) and writes it as formulas. A value a note shows is either
//! the engine's or the note's own formula evaluated, and the self-check
//! compares the two before anything is printed.

use std::collections::HashMap;

use crate::explain::figure::{Figure, Heatmap, Plane, PlanePoint, Series, Window};
use crate::explain::math::{superscript_number, Math, Op};
use crate::explain::{Equations, Note};
use crate::lang::interp::{Detail, Interp};
use crate::lang::parser::{Expr, ExprKind};
use crate::metric::{Metric, NearestCentroid, Retrieval};
use crate::nn::act::Activation;
use crate::nn::conv::ConvConfig;
use crate::{Idx, Num, Tensor};

/// Working is written for the full detail, and only where it can be shown:
/// a built-in's notes inside a function are dropped when it returns, and a
/// verification keeps none.
fn full(it: &Interp) -> bool {
    it.opts.detail == Detail::Full && it.notes_wanted()
}

/// Figures are drawn where the working is written, for values small
/// enough to read in a picture.
const FIGURE_MAX_POINTS: usize = 256;

/// The name an argument was written as (`x_p1`), or `default`.
pub(crate) fn arg_name(args: &[Expr], i: usize, default: &str) -> String {
    match args.get(i).map(|e| &e.kind) {
        Some(ExprKind::Name(n)) => n.clone(),
        _ => default.to_string(),
    }
}

fn nums(t: &Tensor<Num>) -> Vec<Num> {
    t.value().iter().cloned().collect()
}

/// How many output elements of a convolution or pooling are written out.
const WINDOWS_SHOWN: usize = 6;

fn at(t: &Tensor<Num>, i: usize) -> Num {
    t.value().iter().nth(i).cloned().unwrap_or_else(Num::zero)
}

/// conv1d on a plain signal: every output's window, up to a limit.
#[allow(clippy::too_many_arguments)]
pub(crate) fn conv1d_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    x: &Tensor<Num>,
    w: &Tensor<Num>,
    b: Option<&Tensor<Num>>,
    c: ConvConfig,
    y: &Tensor<Num>,
    args: &[Expr],
) {
    if !full(it) || x.ndim() != 1 || w.ndim() != 1 || c.padding != 0 || y.is_empty() {
        return;
    }
    let (n_x, n_w, n_b) = (
        arg_name(args, 0, "x"),
        arg_name(args, 1, "w"),
        arg_name(args, 2, "b"),
    );
    // f[i] = Σⱼ w[j]·x[i·stride + j·dilation] + b
    let at_i = match (c.stride, c.dilation) {
        (1, 1) => "i+j".to_string(),
        (1, d) => format!("i+{d}j"),
        (s, 1) => format!("{s}i+j"),
        (s, d) => format!("{s}i+{d}j"),
    };
    let window = Math::Sum(
        Some("j".into()),
        Box::new(Math::bin(
            Op::Mul,
            Math::Index(Box::new(Math::sym(n_w.as_str())), "j".into()),
            Math::Index(Box::new(Math::sym(n_x.as_str())), at_i),
        )),
    );
    let rhs = match b {
        Some(_) => Math::bin(Op::Add, window, Math::sym(n_b.as_str())),
        None => window,
    };
    let shapes = vec![
        (n_x.clone(), vec!["n".into()], x.shape().to_vec()),
        (n_w.clone(), vec!["k".into()], w.shape().to_vec()),
    ];
    notes.push(Note::Equations(crate::explain::Equations {
        lines: vec![(Math::Index(Box::new(Math::sym("f")), "i".into()), rhs)],
        range: Some(format!("i = 0, …, {}", y.len() - 1)),
        shapes,
        sizes: vec![format!("n = {}", x.len()), format!("k = {}", w.len())],
    }));
    for i in 0..y.len().min(WINDOWS_SHOWN) {
        let terms: Vec<Math> = (0..w.len())
            .map(|j| {
                let xi = at(x, i * c.stride + j * c.dilation);
                Math::bin(Op::Mul, Math::num(xi), Math::num(at(w, j)))
            })
            .collect();
        let Some(mut sum) = Math::sum_of(terms) else {
            return;
        };
        if let Some(b) = b.and_then(|b| b.item().ok()) {
            sum = Math::bin(Op::Add, sum, Math::num(b));
        }
        notes.push(Note::chain(vec![
            Math::Index(Box::new(Math::sym("f")), i.to_string()),
            sum,
            Math::num(at(y, i)),
        ]));
    }
    if y.len() > WINDOWS_SHOWN {
        notes.push(Note::prose(format!(
            "… likewise for f[{}..{}]",
            WINDOWS_SHOWN,
            y.len() - 1
        )));
    }
    if x.len() <= FIGURE_MAX_POINTS {
        notes.push(Note::Figure(Figure::Window(Window {
            title: format!("conv1d: the window of each output f[i] over {n_x}"),
            input_name: n_x,
            output_name: "f".into(),
            kernel_name: n_w,
            bias_name: n_b,
            input: nums(x),
            kernel: nums(w),
            bias: b.and_then(|b| b.item().ok()),
            output: nums(y),
            stride: c.stride,
            dilation: c.dilation,
        })));
    }
}

/// conv2d on a plain image `[H, W]` with a kernel `[kh, kw]`: each output's
/// window, up to a limit.
pub(crate) fn conv2d_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    x: &Tensor<Num>,
    w: &Tensor<Num>,
    b: Option<&Tensor<Num>>,
    c: ConvConfig,
    y: &Tensor<Num>,
) {
    if !full(it) || x.ndim() != 2 || w.ndim() != 2 || c.padding != 0 || y.ndim() != 2 {
        return;
    }
    let (kh, kw) = (w.shape()[0], w.shape()[1]);
    let xw = x.shape()[1];
    let (oh, ow) = (y.shape()[0], y.shape()[1]);
    for k in 0..(oh * ow).min(WINDOWS_SHOWN) {
        let (i, j) = (k / ow, k % ow);
        let mut terms = Vec::new();
        for a in 0..kh {
            for bb in 0..kw {
                let row = i * c.stride + a * c.dilation;
                let col = j * c.stride + bb * c.dilation;
                terms.push(Math::bin(
                    Op::Mul,
                    Math::num(at(x, row * xw + col)),
                    Math::num(at(w, a * kw + bb)),
                ));
            }
        }
        let Some(mut sum) = Math::sum_of(terms) else {
            return;
        };
        if let Some(b) = b.and_then(|b| b.item().ok()) {
            sum = Math::bin(Op::Add, sum, Math::num(b));
        }
        notes.push(Note::chain(vec![
            Math::Index(Box::new(Math::sym("f")), format!("{i}, {j}")),
            sum,
            Math::num(at(y, k)),
        ]));
    }
    if oh * ow > WINDOWS_SHOWN {
        notes.push(Note::prose(format!(
            "… likewise for the other {} outputs",
            oh * ow - WINDOWS_SHOWN
        )));
    }
}

/// Max or average pooling of a plain signal: each window, the element
/// taken (ties noted), and where the gradient goes.
pub(crate) fn pool_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    x: &Tensor<Num>,
    k: usize,
    c: ConvConfig,
    max: bool,
    y: &Tensor<Num>,
) {
    if !full(it) || x.ndim() != 1 || c.padding != 0 || y.is_empty() || k == 0 {
        return;
    }
    for i in 0..y.len().min(WINDOWS_SHOWN) {
        let idx: Vec<usize> = (0..k).map(|j| i * c.stride + j).collect();
        let window: Vec<Num> = idx.iter().map(|&j| at(x, j)).collect();
        let out = Math::Index(Box::new(Math::sym("y")), i.to_string());
        let win = Math::arr(ndarray::Array1::from(window.clone()).into_dyn());
        if max {
            let m = at(y, i);
            let hits: Vec<usize> = idx
                .iter()
                .zip(&window)
                .filter(|(_, v)| v.eq_num(&m).unwrap_or(false))
                .map(|(j, _)| *j)
                .collect();
            notes.push(Note::chain(vec![
                out,
                Math::call("max", vec![win]),
                Math::num(m),
            ]));
            let first = hits.first().copied().unwrap_or(idx[0]);
            let tie = if hits.len() > 1 {
                format!(
                    " (a tie with x[{}]; the first maximum takes the gradient)",
                    hits[1..]
                        .iter()
                        .map(|h| h.to_string())
                        .collect::<Vec<_>>()
                        .join("], x[")
                )
            } else {
                String::new()
            };
            notes.push(Note::prose(format!(
                "window {i}: x[{}..{}], the maximum is x[{first}]{tie}; ∂y[{i}] flows back to x[{first}] only",
                idx[0],
                idx[k - 1]
            )));
        } else {
            let sum = Math::Sum(None, Box::new(win));
            notes.push(Note::chain(vec![
                out,
                Math::bin(Op::Div, sum, Math::int(k as i64)),
                Math::num(at(y, i)),
            ]));
        }
    }
    if !max {
        notes.push(Note::prose(format!(
            "each window passes 1/{k} of ∂y[i] back to each of its elements"
        )));
    }
    if y.len() > WINDOWS_SHOWN {
        notes.push(Note::prose(format!(
            "… likewise for y[{}..{}]",
            WINDOWS_SHOWN,
            y.len() - 1
        )));
    }
}

/// The values of an rnn's arguments as flat vectors (columns read flat).
fn flat(t: &Tensor<Num>) -> Tensor<Num> {
    if t.shape().iter().filter(|&&d| d > 1).count() <= 1 {
        t.reshape(&[-1]).unwrap_or_else(|_| t.clone())
    } else {
        t.clone()
    }
}

fn step_name(h: &str, t: usize) -> String {
    format!("{h}⁽{}⁾", superscript_number(t))
}

/// softmax over the rows of a small matrix (attention weights): a heatmap.
pub(crate) fn softmax_figure(it: &Interp, notes: &mut Vec<Note>, y: &Tensor<Num>, args: &[Expr]) {
    if !it.figures_wanted() || y.ndim() != 2 || y.shape()[0] > 16 || y.shape()[1] > 16 {
        return;
    }
    let values = y
        .value()
        .outer_iter()
        .map(|r| r.iter().cloned().collect())
        .collect();
    let x = arg_name(args, 0, "x");
    notes.push(Note::Figure(Figure::Heatmap(Heatmap {
        title: format!("softmax({x}, axis=1): each row sums to 1"),
        row_label: "row".into(),
        col_label: "column".into(),
        values,
    })));
}

/// rnn: the recurrence, then every step `h⁽ᵗ⁾ = act(W_hh·h⁽ᵗ⁻¹⁾ + W_xh·x⁽ᵗ⁾ + b)`
/// with its numbers; the value of each step is the engine's.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rnn_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    xs: &Tensor<Num>,
    w_hh: &Tensor<Num>,
    w_xh: &Tensor<Num>,
    b: Option<&Tensor<Num>>,
    act: Activation,
    h0: Option<&Tensor<Num>>,
    h: &Tensor<Num>,
    args: &[Expr],
) {
    if !full(it) {
        return;
    }
    let (n_hh, n_xh, n_b) = (
        arg_name(args, 1, "W_hh"),
        arg_name(args, 2, "W_xh"),
        arg_name(args, 3, "b_h"),
    );
    let apply = |m: Math| match act {
        Activation::Identity => m,
        a => Math::call(a.name(), vec![m]),
    };
    let body = |wh: Math, hp: Math, wx: Math, x: Math, bias: Option<Math>| {
        let s = Math::bin(
            Op::Add,
            Math::bin(Op::Dot, wh, hp),
            Math::bin(Op::Dot, wx, x),
        );
        match bias {
            Some(b) => Math::bin(Op::Add, s, b),
            None => s,
        }
    };
    let n = h.shape()[0];
    // The model in symbols, with the shapes the weights have: H hidden
    // units, I inputs, T steps.
    let mut shapes = vec![
        (
            n_hh.clone(),
            vec!["H".into(), "H".into()],
            w_hh.shape().to_vec(),
        ),
        (
            n_xh.clone(),
            vec!["H".into(), "I".into()],
            w_xh.shape().to_vec(),
        ),
    ];
    if let Some(b) = b {
        let sym = match b.ndim() {
            1 => vec!["H".into()],
            2 if b.shape()[1] == 1 => vec!["H".into(), "1".into()],
            _ => Vec::new(),
        };
        shapes.push((n_b.clone(), sym, b.shape().to_vec()));
    }
    notes.push(Note::Equations(Equations {
        lines: vec![(
            Math::sym("h⁽ᵗ⁾"),
            apply(body(
                Math::sym(n_hh),
                Math::sym("h⁽ᵗ⁻¹⁾"),
                Math::sym(n_xh),
                Math::sym("x⁽ᵗ⁾"),
                b.map(|_| Math::sym(n_b)),
            )),
        )],
        range: Some(format!("t = 1, …, T (T = {n})")),
        shapes,
        sizes: vec![
            format!("H = {}", h.shape().get(1).copied().unwrap_or(0)),
            format!("I = {}", xs.shape().get(1).copied().unwrap_or(0)),
        ],
    }));
    let prev0 = match h0 {
        Some(h0) => h0.clone(),
        None => match Tensor::zeros(&[h.shape()[1]]) {
            Ok(z) => z,
            Err(_) => return,
        },
    };
    notes.push(Note::chain(vec![
        Math::sym(step_name("h", 0)),
        Math::val(&flat(&prev0)),
    ]));
    // The states the recurrence recorded (named h⁽ᵗ⁾ by the library), and
    // the input of the activation that made each.
    let mut pre_activation: HashMap<String, Tensor<Num>> = HashMap::new();
    if act != Activation::Identity {
        for node in crate::autograd::topo_order(h) {
            if let (Some(name), crate::autograd::Op::Unary(_, z)) = (node.name(), node.op()) {
                pre_activation.insert(name, z.clone());
            }
        }
    }
    for t in 0..n.min(12) {
        let prev = if t == 0 {
            prev0.clone()
        } else {
            match h.slice(&[Idx::At(t as i64 - 1)]) {
                Ok(p) => p,
                Err(_) => return,
            }
        };
        let (Ok(x), Ok(ht)) = (
            xs.slice(&[Idx::At(t as i64)]),
            h.slice(&[Idx::At(t as i64)]),
        ) else {
            return;
        };
        // Weights stay matrices (W_xh of one input is a column); states,
        // inputs and biases read as vectors.
        let pre = body(
            Math::val(w_hh),
            Math::val(&flat(&prev)),
            Math::val(w_xh),
            Math::val(&flat(&x)),
            b.map(|b| Math::val(&flat(b))),
        );
        let mut members = vec![Math::sym(step_name("h", t + 1)), apply(pre)];
        // The pre-activation as the engine computed it: the input of the
        // activation op that made the state h⁽ᵗ⁾ (the self-check compares it
        // with the formula before it).
        if let Some(z) = pre_activation.get(&step_name("h", t + 1)) {
            if act == Activation::Relu {
                relu_zero_note(notes, z, &step_name("h", t + 1));
            }
            members.push(apply(Math::val(&flat(z))));
        }
        members.push(Math::val(&flat(&ht)));
        notes.push(Note::chain(members));
    }
    if n > 12 {
        notes.push(Note::prose(format!("… {} more steps", n - 12)));
    }
    let units = h.shape().get(1).copied().unwrap_or(0);
    if (n + 1) * units <= FIGURE_MAX_POINTS && units <= 8 {
        let mut states = vec![nums(&flat(&prev0))];
        for t in 0..n {
            match h.slice(&[Idx::At(t as i64)]) {
                Ok(ht) => states.push(nums(&flat(&ht))),
                Err(_) => return,
            }
        }
        notes.push(Note::Figure(Figure::Series(Series {
            title: "the hidden state h⁽ᵗ⁾ over time".into(),
            name: "h".into(),
            states,
            threshold: None,
        })));
    }
}

/// relu at exactly 0: the value is 0 either way, but the gradient convention
/// decides; say which one is used.
pub(crate) fn relu_zero_note(notes: &mut Vec<Note>, x: &Tensor<Num>, what: &str) {
    let zeros: Vec<usize> = x
        .value()
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_zero())
        .map(|(i, _)| i)
        .collect();
    if !zeros.is_empty() {
        notes.push(Note::prose(format!(
            "{what}: the input of relu is exactly 0 at flat index {zeros:?}: relu′(0) = 0 is used (PyTorch's convention)"
        )));
    }
}

/// σ written out for a few numbers: σ(-1.5) = 1/(1 + e^1.5) ≈ 0.1824.
pub(crate) fn sigmoid_note(notes: &mut Vec<Note>, x: &Tensor<Num>) {
    if x.len() > 4 {
        return;
    }
    for v in x.value().iter() {
        let Ok(y) = v.sigmoid() else { return };
        notes.push(Note::chain(vec![
            Math::call("sigmoid", vec![Math::num(v.clone())]),
            Math::bin(
                Op::Div,
                Math::int(1),
                Math::bin(
                    Op::Add,
                    Math::int(1),
                    Math::call("exp", vec![Math::num(v.neg())]),
                ),
            ),
            Math::num(y),
        ]));
    }
}

/// argmax/argmin: say when the extreme value occurs more than once.
pub(crate) fn note_ties(
    it: &Interp,
    notes: &mut Vec<Note>,
    x: &Tensor<Num>,
    axis: Option<i64>,
    max: bool,
) {
    if axis.is_some() {
        return;
    }
    let Ok(m) = (if max {
        x.max(None, false)
    } else {
        x.min(None, false)
    }) else {
        return;
    };
    let Ok(mv) = m.item() else { return };
    let hits: Vec<usize> = x
        .value()
        .iter()
        .enumerate()
        .filter(|(_, v)| v.eq_num(&mv).unwrap_or(false))
        .map(|(i, _)| i)
        .collect();
    if hits.len() > 1 {
        notes.push(Note::prose(format!(
            "tie: the {} {} occurs at flat indices {:?}; the first is taken",
            if max { "maximum" } else { "minimum" },
            it.fmt.compact(&mv),
            hits
        )));
    }
}

/// The distance from z to a centroid, with the exact surd for L2 between
/// rational vectors: √5 ≈ 2.236.
fn distance_members(
    m: Metric,
    z: &Tensor<Num>,
    c: &Tensor<Num>,
    d: &Num,
    cname: &str,
) -> Vec<Math> {
    let mut members = vec![Math::call(
        &format!("d_{}", m.name()),
        vec![Math::sym("z"), Math::sym(cname)],
    )];
    if m == Metric::L2 && !d.is_exact() {
        let sq = z.sub(c).and_then(|v| v.mul(&v)).and_then(|v| v.sum_all());
        if let Ok(sq) = sq {
            if sq.value().iter().all(Num::is_exact) {
                members.push(Math::Sqrt(Box::new(Math::val(&sq))));
            }
        }
    }
    members.push(Math::num(d.clone()));
    members
}

/// The rows of a 2-d embedding as points of a plane, with their classes.
fn plane_points(e: &Tensor<Num>, labels: Option<&Tensor<Num>>) -> Option<Vec<PlanePoint>> {
    if e.ndim() != 2 || e.shape()[1] != 2 || e.shape()[0] > FIGURE_MAX_POINTS {
        return None;
    }
    let v = e.value();
    let class = |i: usize| labels.and_then(|l| l.value().iter().nth(i).cloned());
    Some(
        (0..e.shape()[0])
            .map(|i| PlanePoint {
                row: i,
                x: v[[i, 0]].clone(),
                y: v[[i, 1]].clone(),
                class: class(i),
            })
            .collect(),
    )
}

/// A 2-d point's coordinates.
fn xy(t: &Tensor<Num>) -> Option<(Num, Num)> {
    let v: Vec<Num> = nums(t);
    match v.as_slice() {
        [x, y] => Some((x.clone(), y.clone())),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn centroid_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    r: &NearestCentroid<Num>,
    e: &Tensor<Num>,
    labels: &Tensor<Num>,
    z: &Tensor<Num>,
    m: Metric,
    args: &[Expr],
) {
    let f = it.fmt;
    // The plane first: the working below reads off it.
    if let (true, Some(points), Some((zx, zy))) = (full(it), plane_points(e, Some(labels)), xy(z)) {
        let centroids = r
            .classes
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let row = r.centroids.slice(&[Idx::At(i as i64)]).ok()?;
                let (x, y) = xy(&row)?;
                Some((c.clone(), x, y))
            })
            .collect::<Vec<_>>();
        if centroids.len() == r.classes.len() {
            let name = arg_name(args, 2, "z");
            notes.push(Note::Figure(Figure::Plane(Plane {
                title: format!("the nearest class centroid to {name}"),
                points,
                centroids,
                query: Some((name, zx, zy)),
                centroid_distances: nums(&r.distances),
                nearest: Some(r.winner),
                retrieved: Vec::new(),
                metric: m.name().to_string(),
            })));
        }
    }
    for (i, c) in r.classes.iter().enumerate() {
        let Ok(row) = r.centroids.slice(&[Idx::At(i as i64)]) else {
            continue;
        };
        let cname = format!("μ_{}", f.compact(c));
        notes.push(Note::labelled(
            format!("class {}:", f.compact(c)),
            vec![Math::sym(cname.as_str()), Math::val(&row)],
        ));
        notes.push(Note::chain(distance_members(
            m,
            z,
            &row,
            &r.distances.value()[i],
            &cname,
        )));
    }
    notes.push(Note::prose(format!(
        "nearest: class {}",
        f.compact(&r.classes[r.winner])
    )));
    if !r.tied.is_empty() {
        let t: Vec<String> = r.tied.iter().map(|&i| f.compact(&r.classes[i])).collect();
        notes.push(Note::prose(format!(
            "tie: class {} is exactly as near as class(es) {}; the lowest class is taken",
            f.compact(&r.classes[r.winner]),
            t.join(", ")
        )));
    }
}

pub(crate) fn retrieval_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    r: &Retrieval<Num>,
    e: &Tensor<Num>,
    q: &Tensor<Num>,
    m: Metric,
    args: &[Expr],
) {
    if let (true, Some(points), Some((qx, qy))) = (full(it), plane_points(e, None), xy(q)) {
        let name = arg_name(args, 1, "q");
        notes.push(Note::Figure(Figure::Plane(Plane {
            title: format!("the {} rows nearest to {name}", r.indices.len()),
            points,
            centroids: Vec::new(),
            query: Some((name, qx, qy)),
            centroid_distances: Vec::new(),
            nearest: None,
            retrieved: r
                .indices
                .iter()
                .cloned()
                .zip(r.distances.iter().cloned())
                .collect(),
            metric: m.name().to_string(),
        })));
    }
    let rows = r
        .indices
        .iter()
        .zip(&r.distances)
        .enumerate()
        .map(|(rank, (i, d))| {
            vec![
                Math::int(rank as i64 + 1),
                Math::int(*i as i64 + 1),
                Math::int(*i as i64),
                Math::num(d.clone()),
            ]
        })
        .collect();
    notes.push(Note::Table {
        head: vec![
            "rank".into(),
            "row (1-based)".into(),
            "index".into(),
            format!("d_{}", m.name()),
        ],
        rows,
    });
    let rows: Vec<String> = r.indices.iter().map(|i| (i + 1).to_string()).collect();
    notes.push(Note::prose(format!(
        "retrieved rows (1-based): {}",
        rows.join(", ")
    )));
    if r.tied_out.is_empty() {
        notes.push(Note::prose("no tie at the last place"));
    } else {
        let left: Vec<String> = r.tied_out.iter().map(|i| (i + 1).to_string()).collect();
        notes.push(Note::prose(format!(
            "tie: row(s) {} have the same distance as the last retrieved and were left out (ties go to the lower row)",
            left.join(", ")
        )));
    }
}

pub(crate) fn ranking_notes(
    it: &Interp,
    notes: &mut Vec<Note>,
    name: &str,
    idx: &[usize],
    labels: &Tensor<Num>,
    cls: &Num,
    value: &Num,
) {
    if !full(it) {
        return;
    }
    let relevant = |i: usize| {
        labels
            .value()
            .get(i)
            .is_some_and(|l| l.eq_num(cls).unwrap_or(false))
    };
    let rel: Vec<String> = idx
        .iter()
        .filter(|&&i| relevant(i))
        .map(|i| (i + 1).to_string())
        .collect();
    let total = labels
        .value()
        .iter()
        .filter(|l| l.eq_num(cls).unwrap_or(false))
        .count();
    let list = if rel.is_empty() {
        "none".to_string()
    } else {
        rel.join(", ")
    };
    match name {
        "precision" | "recall" => {
            let (what, den) = if name == "precision" {
                (
                    format!("{} relevant of {} retrieved", rel.len(), idx.len()),
                    idx.len(),
                )
            } else {
                (
                    format!("{} of the {} relevant retrieved", rel.len(), total),
                    total,
                )
            };
            notes.push(Note::prose(format!(
                "relevant rows retrieved (1-based): {list} — {what}"
            )));
            if den > 0 {
                notes.push(Note::labelled(
                    format!("{name}:"),
                    vec![
                        Math::bin(Op::Div, Math::int(rel.len() as i64), Math::int(den as i64)),
                        Math::num(value.clone()),
                    ],
                ));
            }
        }
        "average_precision" => {
            // The precision at each rank that holds a relevant item, averaged
            // over every relevant item of the class.
            let mut hits = 0i64;
            let mut terms = Vec::new();
            for (rank, &i) in idx.iter().enumerate() {
                if relevant(i) {
                    hits += 1;
                    notes.push(Note::labelled(
                        format!(
                            "rank {} (row {}) is relevant: P@{} =",
                            rank + 1,
                            i + 1,
                            rank + 1
                        ),
                        vec![
                            Math::bin(Op::Div, Math::int(hits), Math::int(rank as i64 + 1)),
                            Math::num(
                                Num::ratio(hits, rank as i64 + 1).unwrap_or_else(|_| Num::zero()),
                            ),
                        ],
                    ));
                    terms.push(Math::bin(
                        Op::Div,
                        Math::int(hits),
                        Math::int(rank as i64 + 1),
                    ));
                }
            }
            if total > 0 {
                let sum = Math::sum_of(terms).unwrap_or_else(|| Math::int(0));
                notes.push(Note::labelled(
                    format!("AP = (sum of P@k at the relevant ranks) / {total} relevant in all:"),
                    vec![
                        Math::bin(Op::Div, sum, Math::int(total as i64)),
                        Math::num(value.clone()),
                    ],
                ));
            }
        }
        _ => {}
    }
}
