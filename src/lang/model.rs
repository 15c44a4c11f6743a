//! The model of an exercise as equations: what the seed's tasks ask for when
//! they say "express the final model with appropriate equations".
//!
//! Read from the worked steps, in order, once, by the engine (every
//! renderer prints this list; none re-derives it):
//! - a one-line `def` is the equation `f(x) = body`;
//! - an assignment belongs to the model when its formula applies a layer,
//!   activation or loss (the registry's `nn` and `loss` rows), a function of
//!   the exercise, a matrix product, or a value already in the model; it is
//!   written `name = formula`, a matrix product as a teacher writes it
//!   (`W·h`), and the last state of a recurrence `h[-1]` as `h⁽ᵀ⁾`;
//! - the equations a built-in states (the recurrence of `rnn`, the window
//!   sum of `conv1d`) follow the assignment that called it.

use std::collections::HashSet;

use crate::explain::{Equations, Math, Note, Op};
use crate::lang::interp::{Step, StepKind};

/// The model's equations, one group per statement that defines a part of it.
pub fn equations(steps: &[Step]) -> Vec<Equations> {
    let mut out = Vec::new();
    let mut functions: HashSet<String> = HashSet::new();
    let mut values: HashSet<String> = HashSet::new();
    // Names bound to a sequence of recurrent states.
    let mut states: HashSet<String> = HashSet::new();
    for s in steps {
        match s.kind {
            StepKind::Def => {
                if let [Math::Call(f, args), body] = s.chain.as_slice() {
                    functions.insert(f.clone());
                    out.push(group(vec![(
                        Math::Call(f.clone(), args.clone()),
                        body.clone(),
                    )]));
                } else if let Some(name) = def_name(&s.source) {
                    // A function of several lines is still the exercise's own,
                    // and its lines are equations when they are assignments.
                    functions.insert(name);
                    out.extend(s.notes.iter().filter_map(|n| {
                        match n {
                            Note::Equations(e) => Some(Equations {
                                lines: e
                                    .lines
                                    .iter()
                                    .map(|(a, b)| (a.clone(), teacher_form(b, &states)))
                                    .collect(),
                                ..e.clone()
                            }),
                            _ => None,
                        }
                    }));
                }
            }
            StepKind::Assign | StepKind::Show => {
                let (Some(target), Some(formula)) = (&s.target, s.chain.first()) else {
                    continue;
                };
                let stated: Vec<&Equations> = s
                    .notes
                    .iter()
                    .filter_map(|n| match n {
                        Note::Equations(e) => Some(e),
                        _ => None,
                    })
                    .collect();
                if stated.is_empty() && !in_model(formula, &functions, &values) {
                    continue;
                }
                // An equation says what a name is: `s = s·2` or a second
                // definition of a name already in the model would say
                // something false about it; only the first definition is
                // written.
                let names: Vec<&str> = target.split(" = ").collect();
                if names
                    .iter()
                    .any(|n| values.contains(*n) || mentions(formula, n))
                {
                    continue;
                }
                let recurrent = stated.iter().any(|e| {
                    e.lines
                        .iter()
                        .any(|(l, _)| matches!(l, Math::Sym(n, _) if n.ends_with("⁽ᵗ⁾")))
                });
                for name in target.split(" = ") {
                    values.insert(name.to_string());
                    if recurrent {
                        states.insert(name.to_string());
                    }
                }
                let lhs = Math::sym(target.as_str());
                out.push(group(vec![(lhs, teacher_form(formula, &states))]));
                out.extend(stated.into_iter().cloned());
            }
            _ => {}
        }
    }
    out
}

fn group(lines: Vec<(Math, Math)>) -> Equations {
    Equations {
        lines,
        range: None,
        shapes: Vec::new(),
        sizes: Vec::new(),
    }
}

/// `L_pos` of `def L_pos(f1, f2)`.
fn def_name(source: &str) -> Option<String> {
    let rest = source.strip_prefix("def ")?;
    let name = rest.split('(').next()?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Whether the formula applies a model op, a function of the exercise, a
/// matrix product, or uses a value of the model.
fn in_model(m: &Math, functions: &HashSet<String>, values: &HashSet<String>) -> bool {
    let here = match m {
        Math::Bin(Op::MatMul | Op::Dot, ..) => true,
        Math::Call(f, _) => {
            let bare = f.rsplit('.').next().unwrap_or(f);
            functions.contains(f) || crate::lang::builtins::is_model(bare)
        }
        Math::Sym(n, _) => values.contains(n),
        _ => false,
    };
    here || m.children().iter().any(|c| in_model(c, functions, values))
}

/// Whether the formula uses the name.
pub(crate) fn mentions(m: &Math, name: &str) -> bool {
    matches!(m, Math::Sym(n, _) if n == name) || m.children().iter().any(|c| mentions(c, name))
}

/// `W @ h[-1] + b` as a teacher writes it: `W·h⁽ᵀ⁾ + b`.
fn teacher_form(m: &Math, states: &HashSet<String>) -> Math {
    m.map(&|n| match n {
        Math::Index(x, i) if i == "-1" => match &**x {
            Math::Sym(h, _) if states.contains(h) => Some(Math::sym(format!("{h}⁽ᵀ⁾"))),
            _ => None,
        },
        Math::Bin(Op::MatMul, a, b) => Some(Math::bin(
            Op::Dot,
            teacher_form(a, states),
            teacher_form(b, states),
        )),
        _ => None,
    })
}

/// The decision threshold of a recurrence's figure: where a later
/// statement `s = W @ h[-1] + b` (one unit, W ≠ 0) puts `s = 0`, the state
/// is `h = −b/W`, computed exactly and drawn on the plot of h⁽ᵗ⁾.
pub fn thresholds(steps: &mut [Step], fmt: &crate::lang::value::Fmt) {
    use crate::explain::figure::Figure;
    // (index of the plotting step, threshold, text)
    let mut found: Vec<(usize, crate::Num, String)> = Vec::new();
    for (k, s) in steps.iter().enumerate() {
        let (Some(target), Some(Math::Bin(Op::Add, prod, bias))) = (&s.target, s.chain.first())
        else {
            continue;
        };
        let Math::Bin(Op::MatMul | Op::Dot, w, h) = &**prod else {
            continue;
        };
        // `h[-1]` is a formula whose value is known: Given(h[-1], value).
        let Math::Given(h, last) = &**h else {
            continue;
        };
        let (Math::Sym(_, Some(wv)), Math::Index(h, i), Math::Sym(_, Some(bv))) =
            (&**w, &**h, &**bias)
        else {
            continue;
        };
        let (Math::Sym(hname, _), "-1") = (&**h, i.as_str()) else {
            continue;
        };
        let (Some(w), Some(b), Some(last)) = (
            wv.iter().next().filter(|_| wv.len() == 1),
            bv.iter().next().filter(|_| bv.len() == 1),
            last.iter().next().filter(|_| last.len() == 1),
        ) else {
            continue;
        };
        let side = match w.compare(&crate::Num::zero()) {
            Ok(std::cmp::Ordering::Greater) => "above",
            Ok(std::cmp::Ordering::Less) => "below",
            _ => continue,
        };
        let Ok(at) = b.neg().div(w) else {
            continue;
        };
        // The statement that last bound the name before this one, and only
        // if it is the plotted recurrence and its last state is the value
        // `h[-1]` read here (a name rebound by a loop or an index
        // assignment in between is not).
        let Some(j) = steps[..k].iter().rposition(|p| {
            p.target
                .as_deref()
                .is_some_and(|t| t.split(" = ").any(|n| n == hname))
        }) else {
            continue;
        };
        let plotted_last = steps[j].notes.iter().find_map(|n| match n {
            Note::Figure(Figure::Series(f)) => f.states.last().cloned(),
            _ => None,
        });
        let same = plotted_last.is_some_and(|v| {
            v.len() == 1 && v[0].is_exact() && last.is_exact() && v[0].eq_num(last).unwrap_or(false)
        });
        if !same {
            continue;
        }
        let text = format!(
            "{target} = 0 at {hname} = {} ({target} > 0 {side})",
            fmt.compact(&at)
        );
        found.push((j, at, text));
    }
    for (j, at, text) in found {
        for n in &mut steps[j].notes {
            if let Note::Figure(Figure::Series(f)) = n {
                if f.threshold.is_none() {
                    f.threshold = Some((at.clone(), text.clone()));
                }
            }
        }
    }
}
