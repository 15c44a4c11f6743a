//! The chain rule of `grad(y, x)`, read from the recorded graph.
//!
//! The named values between x and y (the exercise's own intermediates) cut
//! the graph into segments. For each named value v, ∂y/∂v is the sum over
//! its uses w (named values computed from v with no other named value in
//! between) of ∂y/∂w pushed back through the ops of that segment. The
//! formula of each use is composed from the ops' own rules
//! ([`Tensor::vjp_formula`], or a composite's [`crate::autograd::Group`]);
//! its value comes from the engine ([`backward_cut`]), and every chain is
//! re-evaluated by the self-check before it is shown.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use ndarray::{ArrayD, IxDyn};

use super::figure::{Figure, Graph, GraphNode};
use super::math::{superscript_number, Math, Op};
use super::Note;
use crate::autograd::{backward_cut, backward_with, topo_order};
use crate::{Num, Result, Tensor};

/// Largest value written into a formula in place of its name.
pub const SUBST_MAX_ELEMS: usize = 8;
/// Most named values a gradient's chain rule writes out.
pub const MAX_CHAIN_NAMES: usize = 24;
/// Largest formula (in nodes) built for an unnamed value; beyond it the
/// value is shown as `…`.
const MAX_FORMULA_NODES: usize = 400;

/// ∂y/∂x and the notes that derive it. `names` maps tensor ids to the names
/// the exercise gave them.
pub fn explain_grad(
    y: &Tensor<Num>,
    x: &Tensor<Num>,
    names: &HashMap<usize, String>,
    yname: &str,
    xname: &str,
) -> Result<(Tensor<Num>, Vec<Note>)> {
    let order = topo_order(y);
    let pos: HashMap<usize, usize> = order.iter().enumerate().map(|(i, t)| (t.id(), i)).collect();
    // The exercise's names first; then the names the library gave values it
    // made (the states h⁽ᵗ⁾ of a recurrence).
    let mut names = names.clone();
    for t in &order {
        if let Some(n) = t.name() {
            names.entry(t.id()).or_insert(n);
        }
    }
    let names = &names;
    let mut on_path: HashSet<usize> = HashSet::new();
    for t in &order {
        if t.id() == x.id() || t.inputs().iter().any(|i| on_path.contains(&i.id())) {
            on_path.insert(t.id());
        }
    }
    let mut notes = Vec::new();
    if !on_path.contains(&y.id()) {
        notes.push(Note::prose(format!(
            "{yname} does not depend on {xname}: ∂{yname}/∂{xname} = 0"
        )));
        return Ok((Tensor::zeros_like(x), notes));
    }
    let mids: Vec<Tensor<Num>> = order
        .iter()
        .filter(|t| {
            t.id() != y.id()
                && t.id() != x.id()
                && on_path.contains(&t.id())
                && names.contains_key(&t.id())
        })
        .cloned()
        .collect();
    let mut targets: Vec<&Tensor<Num>> = vec![x];
    if mids.len() > MAX_CHAIN_NAMES {
        let total = backward_with(y, &targets, false)?.wrt(x);
        notes.push(Note::prose(format!(
            "the chain from {xname} to {yname} runs through {} named values; only the result is written out",
            mids.len()
        )));
        return Ok((total, notes));
    }
    targets.extend(mids.iter());
    let g = backward_with(y, &targets, false)?;
    let total = g.wrt(x);

    // Display names: a name given to several values of the computation gets
    // the order of assignment as a superscript — h⁽⁰⁾ for a starting value
    // that does not depend on x, then h⁽¹⁾, h⁽²⁾ — unless it is y or x itself.
    let mut label: HashMap<usize, String> = names.clone();
    let named: Vec<&Tensor<Num>> = order
        .iter()
        .filter(|t| names.contains_key(&t.id()))
        .collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    let mut given_first: HashMap<&str, bool> = HashMap::new();
    for t in &named {
        let n = names[&t.id()].as_str();
        *count.entry(n).or_insert(0) += 1;
        given_first.entry(n).or_insert(!on_path.contains(&t.id()));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for t in &named {
        let n = names[&t.id()].as_str();
        if count[n] > 1 && !n.contains('⁽') {
            let start = usize::from(!given_first[n]);
            let k = seen.entry(n).or_insert(start);
            label.insert(t.id(), format!("{n}⁽{}⁾", superscript_number(*k)));
            *k += 1;
        }
    }
    label.insert(y.id(), yname.to_string());
    label.insert(x.id(), xname.to_string());

    let stop: HashSet<usize> = mids.iter().map(|t| t.id()).chain([x.id()]).collect();
    let mut w = Walker {
        label: &label,
        formulas: HashMap::new(),
        constant: HashMap::new(),
    };
    notes.push(Note::chain(vec![
        Math::Partial(yname.into(), yname.into(), None),
        Math::int(1),
    ]));

    // Uses: (from w, to v) → (formula, value).
    struct Term {
        formula: Option<Math>,
        value: Tensor<Num>,
        upstream: ArrayD<Num>,
    }
    let mut terms: HashMap<usize, Vec<Term>> = HashMap::new();
    // Which named value is computed from which: the edges of the figure.
    let mut edges_seen: Vec<(usize, usize)> = Vec::new();
    let mut deltas: HashMap<String, usize> = HashMap::new();
    let mut delta_notes: HashMap<usize, Vec<Note>> = HashMap::new();
    let sources: Vec<Tensor<Num>> = std::iter::once(y.clone())
        .chain(mids.iter().rev().cloned())
        .collect();
    for src in &sources {
        let upstream = if src.id() == y.id() {
            ArrayD::from_elem(IxDyn(y.shape()), Num::one())
        } else {
            g.wrt(src).value().clone()
        };
        let u = if src.id() == y.id() {
            Math::int(1)
        } else {
            Math::Partial(
                yname.into(),
                label[&src.id()].clone(),
                Some(Rc::new(upstream.clone())),
            )
        };
        // The segment: nodes reached from src without passing a named value.
        let mut inner: Vec<Tensor<Num>> = vec![src.clone()];
        let mut receivers: Vec<Tensor<Num>> = Vec::new();
        let mut visited: HashSet<usize> = HashSet::from([src.id()]);
        let mut i = 0;
        while i < inner.len() {
            let n = inner[i].clone();
            i += 1;
            for input in edges(&n) {
                if !on_path.contains(&input.id()) || !visited.insert(input.id()) {
                    continue;
                }
                if stop.contains(&input.id()) {
                    receivers.push(input);
                } else {
                    inner.push(input);
                }
            }
        }
        if receivers.is_empty() {
            continue;
        }
        edges_seen.extend(receivers.iter().map(|r| (r.id(), src.id())));
        inner.sort_by_key(|t| std::cmp::Reverse(pos.get(&t.id()).copied().unwrap_or(0)));
        let rtargets: Vec<&Tensor<Num>> = receivers.iter().collect();
        let cut = backward_cut(src, upstream.clone(), &rtargets, &stop, false)?;
        let mut sym: HashMap<usize, Vec<Option<Math>>> = HashMap::from([(src.id(), vec![Some(u)])]);
        for n in &inner {
            let Some(parts) = sym.remove(&n.id()) else {
                continue;
            };
            let mut gsym = parts
                .into_iter()
                .collect::<Option<Vec<_>>>()
                .and_then(Math::sum_of);
            let group = n.group();
            let ins = edges(n);
            let fan = ins.iter().filter(|i| on_path.contains(&i.id())).count();
            // A long upstream that several inputs share gets a name: δ.
            if let Some(gs) = &gsym {
                // (Not where every input is itself named: ∂y/∂input says it.)
                let passes_on = ins
                    .iter()
                    .any(|i| on_path.contains(&i.id()) && !stop.contains(&i.id()));
                // Before a matrix product too: δ h1ᵀ reads better than the whole upstream.
                let matmul = matches!(n.op(), crate::autograd::Op::MatMul(..)) && group.is_none();
                if n.id() != src.id() && (fan >= 2 && passes_on || matmul) && gs.size() > 4 {
                    let mut value = backward_cut(src, upstream.clone(), &[n], &stop, false)?.wrt(n);
                    // Shown in the shape its formula has (a vector, not the
                    // column a matrix product made of it).
                    match gs.eval() {
                        Ok(Some(v)) if super::math::same_value(&v, &value) => value = v,
                        _ if value.ndim() == 2 && value.shape()[1] == 1 && src.ndim() == 1 => {
                            value = value.reshape(&[-1])?;
                        }
                        _ => {}
                    }
                    // δ of the output itself is δ_L, whatever its name ends in.
                    let of = if src.id() == y.id() {
                        format!("_{}", label[&src.id()])
                    } else {
                        label[&src.id()].clone()
                    };
                    let base = delta_name(&of, 1);
                    let k = deltas.entry(base).or_insert(0);
                    *k += 1;
                    let name = delta_name(&of, *k);
                    let d = Math::Sym(name, Some(Rc::new(value.value().clone())));
                    let mut members = vec![d.clone(), gs.clone()];
                    let sub = gs.substituted(SUBST_MAX_ELEMS);
                    members.push(sub.applications_folded());
                    members.insert(2, sub);
                    members.push(Math::val(&value));
                    delta_notes
                        .entry(src.id())
                        .or_default()
                        .push(Note::chain(members));
                    gsym = Some(d);
                }
            }
            let in_f: Vec<Math> = ins.iter().map(|t| w.formula(t)).collect();
            let out_f = w.formula(n);
            for (k, input) in ins.iter().enumerate() {
                if !on_path.contains(&input.id()) {
                    continue;
                }
                let c = gsym
                    .clone()
                    .and_then(|gs| match &group {
                        Some(gr) => (gr.vjp)(k, &gs, &in_f),
                        None => n.vjp_formula(k, gs, &in_f, out_f.clone()),
                    })
                    .map(|c| c.tidy());
                sym.entry(input.id()).or_default().push(c);
            }
        }
        for r in &receivers {
            let formula = sym
                .remove(&r.id())
                .and_then(|p| p.into_iter().collect::<Option<Vec<_>>>())
                .and_then(Math::sum_of);
            terms.entry(r.id()).or_default().push(Term {
                formula,
                value: cut.wrt(r),
                upstream: upstream.clone(),
            });
        }
    }

    // Nearest to y first, x last; each δ right after the gradient it uses.
    notes.extend(delta_notes.remove(&y.id()).unwrap_or_default());
    for v in mids.iter().rev().chain([x]) {
        let Some(ts) = terms.get_mut(&v.id()) else {
            continue;
        };
        // A use with no formula that contributes exactly nothing (a state of
        // a sequence the loss does not read) is left out; the others are
        // written by their value.
        if ts.len() > 1 {
            let zero = |t: &Term| t.formula.is_none() && t.value.value().iter().all(Num::is_zero);
            if ts.iter().any(|t| !zero(t)) {
                ts.retain(|t| !zero(t));
            }
        }
        // A use whose formula has another shape than its contribution (the
        // course's column Wᵀ·δ for the gradient of a vector) would broadcast
        // against the other uses in their sum: it is written by its value.
        for t in ts.iter_mut() {
            let misshapen = t
                .formula
                .as_ref()
                .is_some_and(|f| matches!(f.eval(), Ok(Some(e)) if e.shape() != t.value.shape()));
            if misshapen {
                t.formula = Some(Math::val(&t.value));
            }
        }
        if ts.len() > 1 && ts.iter().any(|t| t.formula.is_some()) {
            for t in ts.iter_mut() {
                if t.formula.is_none() {
                    t.formula = Some(Math::val(&t.value));
                }
            }
        }
        let ts = &*ts;
        let head = Math::Partial(yname.into(), label[&v.id()].clone(), None);
        let value = if v.id() == x.id() {
            total.clone()
        } else {
            g.wrt(v)
        };
        let mut members = vec![head];
        let formulas: Option<Vec<Math>> = ts.iter().map(|t| t.formula.clone()).collect();
        if let Some(fs) = &formulas {
            let f = Math::sum_of(fs.clone()).ok_or_else(no_use)?;
            let s = f.substituted(SUBST_MAX_ELEMS);
            members.push(f);
            if !s.has_index() {
                members.push(s.applications_folded());
                members.insert(members.len() - 1, s);
            }
        }
        if ts.len() > 1 || formulas.is_none() {
            let parts: Vec<Math> = ts.iter().map(|t| factored(&t.upstream, &t.value)).collect();
            members.push(Math::sum_of(parts).ok_or_else(no_use)?);
        } else if let Some(f) = factored_only(&ts[0].upstream, &ts[0].value) {
            members.push(f);
        }
        members.push(Math::val(&value));
        notes.push(Note::chain(members));
        notes.extend(delta_notes.remove(&v.id()).unwrap_or_default());
    }
    // The graph of the named values, inputs first: micrograd's draw_dot.
    let graph_order: Vec<&Tensor<Num>> = std::iter::once(x)
        .chain(mids.iter())
        .chain(std::iter::once(y))
        .collect();
    let index: HashMap<usize, usize> = graph_order
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id(), i))
        .collect();
    let nodes = graph_order
        .iter()
        .map(|t| GraphNode {
            name: label[&t.id()].clone(),
            value: Tensor::new(t.value().clone()),
            grad: Some(if t.id() == x.id() {
                total.clone()
            } else if t.id() == y.id() {
                Tensor::new(ArrayD::from_elem(IxDyn(y.shape()), Num::one()))
            } else {
                g.wrt(t)
            }),
        })
        .collect();
    let edges = edges_seen
        .iter()
        .filter_map(|(a, b)| Some((*index.get(a)?, *index.get(b)?)))
        .collect();
    notes.push(Note::Figure(Figure::Graph(Graph {
        title: format!("the computation of {yname} from {xname}: each value and ∂{yname}/∂value"),
        nodes,
        edges,
    })));
    Ok((total, notes))
}

/// Every variable in the chain has at least one use; none would be a bug.
fn no_use() -> crate::Error {
    crate::Error::invalid("explain_grad", "a variable in the chain has no use")
}

/// δ2 for h2, δ⁽²⁾ for h⁽²⁾, δ_h for h; later ones primed.
fn delta_name(of: &str, k: usize) -> String {
    let digits: String = of.chars().rev().take_while(char::is_ascii_digit).collect();
    let base = if let Some(rest) = of.strip_prefix('_') {
        format!("δ_{rest}")
    } else if let Some(i) = of.find('⁽') {
        format!("δ{}", &of[i..])
    } else if !digits.is_empty() && digits.len() < of.len() {
        format!("δ{}", digits.chars().rev().collect::<String>())
    } else {
        format!("δ_{of}")
    };
    if k > 1 {
        format!("{base}{}", "′".repeat(k - 1))
    } else {
        base
    }
}

/// The inputs a node passes its gradient to: a composite's own inputs, or
/// its op's.
fn edges(n: &Tensor<Num>) -> Vec<Tensor<Num>> {
    match n.group() {
        Some(g) => g.inputs.clone(),
        None => n.inputs(),
    }
}

/// A contribution whose upstream is one exact number u in every element,
/// written u·(c/u) — the way a worked solution factors it: −4·[4.3, 4.3, 4.6].
fn factored_only(upstream: &ArrayD<Num>, c: &Tensor<Num>) -> Option<Math> {
    let u = upstream.iter().next()?;
    if upstream.len() < 2
        || !u.is_exact()
        || u.is_zero()
        || u.eq_num(&Num::one()).unwrap_or(true)
        || !upstream.iter().all(|v| v.eq_num(u).unwrap_or(false))
        || !c.value().iter().all(Num::is_exact)
    {
        return None;
    }
    let rest = c.div(&Tensor::scalar(u.clone())).ok()?;
    Some(Math::bin(Op::Mul, Math::num(u.clone()), Math::val(&rest)))
}

fn factored(upstream: &ArrayD<Num>, c: &Tensor<Num>) -> Math {
    factored_only(upstream, c).unwrap_or_else(|| Math::val(c))
}

struct Walker<'a> {
    label: &'a HashMap<usize, String>,
    formulas: HashMap<usize, Math>,
    /// Values computed from literals only (a list literal is a stack of
    /// numbers): shown by value.
    constant: HashMap<usize, bool>,
}

impl Walker<'_> {
    /// The formula of a node: its name if it has one, its composite's or
    /// op's formula over its inputs otherwise, its value for a literal.
    fn formula(&mut self, t: &Tensor<Num>) -> Math {
        if let Some(m) = self.formulas.get(&t.id()) {
            return m.clone();
        }
        let m = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.build(t));
        self.formulas.insert(t.id(), m.clone());
        m
    }

    fn is_constant(&mut self, t: &Tensor<Num>) -> bool {
        if let Some(&c) = self.constant.get(&t.id()) {
            return c;
        }
        let c = !self.label.contains_key(&t.id())
            && t.group().is_none()
            && t.inputs().iter().all(|i| self.is_constant(i));
        self.constant.insert(t.id(), c);
        c
    }

    fn build(&mut self, t: &Tensor<Num>) -> Math {
        if let Some(n) = self.label.get(&t.id()) {
            return Math::Sym(n.clone(), Some(Rc::new(t.value().clone())));
        }
        let transparent = matches!(
            t.op(),
            crate::autograd::Op::Expand(_) | crate::autograd::Op::Reshape(_)
        );
        // A reshape or broadcast of a name shows the name; of anything
        // else constant, its own value (not its input's, of another shape).
        if self.is_constant(t) {
            let input = t.inputs().first().cloned();
            match input {
                _ if !transparent => return Math::val(t),
                Some(i) if !self.label.contains_key(&i.id()) => {
                    // A broadcast shows the value broadcast, and a vector
                    // made a row or column for a product the vector.
                    let broadcast = matches!(t.op(), crate::autograd::Op::Expand(_));
                    return Math::val(if broadcast || i.ndim() == 1 { &i } else { t });
                }
                _ => {}
            }
        }
        let m = match t.group() {
            // An indexed value (xs[1, :]) is shown as written, and its value
            // is put in with the numbers.
            None if matches!(t.op(), crate::autograd::Op::Slice(..)) => {
                let ins: Vec<Math> = t.inputs().iter().map(|i| self.formula(i)).collect();
                t.op_formula(&ins)
                    .map(|f| Math::Given(Box::new(f), Rc::new(t.value().clone())))
            }
            Some(g) => {
                let ins: Vec<Math> = g.inputs.iter().map(|i| self.formula(i)).collect();
                Some((g.formula)(&ins))
            }
            None => {
                let ins: Vec<Math> = t.inputs().iter().map(|i| self.formula(i)).collect();
                t.op_formula(&ins)
            }
        };
        match m {
            Some(m) if m.size() <= MAX_FORMULA_NODES => m,
            Some(_) => Math::Code("…".into()),
            None => Math::val(t),
        }
    }
}
