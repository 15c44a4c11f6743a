//! The graph a verification's rule compiles to, and its evaluation over
//! every input of a domain at once, in floats with certified margins.
//!
//! **Values.** A node is a small tensor (its `shape`) computed for many
//! inputs at once. What it depends on ([`Dep`]) decides how many copies
//! exist: a constant once; a node that reads one position of a sequence
//! once per alphabet symbol (a table); a node that reads positions `0..m`
//! once per prefix of length `m` (`A^m` copies for an alphabet of `A`
//! symbols). So the hidden state after `t` steps is computed once for every
//! prefix, and all sequences that share the prefix share it: prefix sharing
//! falls out of the dependencies. The items of a length-`l` domain are
//! numbered as the domain orders them (first element most significant), so
//! the copy of a prefix node for item `i` is copy `i / A^(l−m)`.
//!
//! **Exactness.** Every node carries static bounds ([`Info`]): a bound on
//! the magnitude of its values and on the error of the computed values.
//! Arithmetic on exact dyadic values (integers, halves, quarters…) whose
//! results stay below 2⁵³ is exact in floats, and the analysis knows it
//! (error 0). Elsewhere the error bound grows with each rounding. A
//! comparison whose operands are closer than their error bounds, a ReLU,
//! abs or sigmoid whose input may be exactly at its kink (a decision
//! boundary, which the exact engine counts), cannot be decided here: the
//! value becomes NaN, NaN propagates to the verdict, and the verification
//! re-decides that input with exact numbers. A verdict of this module is
//! therefore never a float guess: either it is certain, or it is deferred.
//!
//! Hand-written: the batched layout (tables, prefixes, blocks of the last
//! levels that stay in cache) and the error analysis are specific to
//! verification; a general array crate would give neither.

use std::borrow::Cow;

use crate::budget;
use crate::error::{Error, Result};

pub type NodeId = usize;

/// Unit roundoff, generously: every rounding is charged 2⁻⁵⁰ relative
/// (round-to-nearest costs at most 2⁻⁵³; libm's exp and tanh are within a
/// few ulps), so no bound below is tight by a factor of less than 8.
const U: f64 = 1.0 / (1u64 << 50) as f64;
/// Values above this are not evaluated here (no overflow can occur below).
const MAG_LIMIT: f64 = 1e150;
/// Integers up to 2⁵³ are exact in an f64.
const EXACT_LIMIT: f64 = 9007199254740992.0;
/// The elements one block of the last levels holds, per node: small enough
/// for the cache.
const BLOCK: u64 = 2048;
/// What deciding and counting one input costs, in element operations. A
/// rule that is constant per length still takes about 3.5 ns per input
/// (`tests/hostile/find_slow_condition.gw`, a search whose first candidate
/// holds for every length, ends at the default budget in about 0.34 s with
/// 12, 0.47 s with 4: its one-second promise held with too little margin on
/// a loaded machine); task 1's 22,369,620 sequences stay within the budget.
const PER_INPUT: u64 = 12;
/// Element operations per unit of the work budget. A unit is sized for
/// one exact operation on a small number, about 0.25 µs ([`crate::budget`]);
/// an element operation here takes about 0.6 ns (task 1's design over all
/// 22,369,620 sequences of length 1..12: about 2·10⁸ of them in 0.12 s,
/// docs/benchmarks.md), so 512 of them cost about as much time as a unit.
pub const FLOPS_PER_UNIT: u64 = 512;

/// What a node's values depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dep {
    Const,
    /// The symbol at one position: one copy per symbol.
    Pos(usize),
    /// Positions `0..m` (m ≥ 1): one copy per prefix of length m.
    Prefix(usize),
}

impl Dep {
    fn join(self, o: Dep) -> Dep {
        use Dep::*;
        match (self, o) {
            (Const, d) | (d, Const) => d,
            (Pos(p), Pos(q)) if p == q => Pos(p),
            (Pos(p), Pos(q)) => Prefix(p.max(q) + 1),
            (Pos(p), Prefix(m)) | (Prefix(m), Pos(p)) => Prefix(m.max(p + 1)),
            (Prefix(a), Prefix(b)) => Prefix(a.max(b)),
        }
    }
}

/// Static bounds of a node's values over the whole domain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Info {
    /// A bound on |value|, true and computed.
    pub mag: f64,
    /// A bound on |computed − true|; 0 when the floats are exact.
    pub err: f64,
    /// When every value is an integer multiple of 2^-grain.
    pub grain: Option<u32>,
}

impl Info {
    pub fn exact(&self) -> bool {
        self.err == 0.0
    }
    /// A result of magnitude `mag` on the grain `grain`, exact when its
    /// inputs are and it fits in 53 bits, else with the error `err` plus one
    /// rounding.
    fn result(mag: f64, grain: Option<u32>, inputs_exact: bool, err: f64, roundings: f64) -> Info {
        let fits = grain.is_some_and(|g| g <= 60 && mag * ((1u64 << g) as f64) < EXACT_LIMIT);
        if inputs_exact && fits {
            Info {
                mag,
                err: 0.0,
                grain,
            }
        } else {
            let err = (err + roundings * mag * U) * (1.0 + U);
            Info {
                mag: mag + err,
                err,
                grain: None,
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Un {
    Neg,
    Relu,
    Abs,
    Sigmoid,
    Tanh,
    /// Python's `not` of one element: 1 where 0, else 0.
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bin {
    Add,
    Sub,
    Mul,
    /// By a constant without zeros (checked when the node is made).
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// `b ⋈' a` for `a ⋈ b`.
    pub fn flip(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            c => c,
        }
    }
}

/// Runs `$run!(test)` with the test of comparison `$c` on a difference
/// `a − b` (monomorphised: no match per element).
macro_rules! per_cmp {
    ($c:expr, $run:ident) => {
        match $c {
            Cmp::Eq => $run!(|d: f64| d == 0.0),
            Cmp::Ne => $run!(|d: f64| d != 0.0),
            Cmp::Lt => $run!(|d: f64| d < 0.0),
            Cmp::Le => $run!(|d: f64| d <= 0.0),
            Cmp::Gt => $run!(|d: f64| d > 0.0),
            Cmp::Ge => $run!(|d: f64| d >= 0.0),
        }
    };
}

#[derive(Clone, Debug)]
pub enum Op {
    Const(Vec<f64>),
    /// The item at a position of the sequence (the item itself for a
    /// domain of tensors): the alphabet's table.
    Input(usize),
    /// out[k] = a[idx[k]]: indexing, reshapes, broadcasts.
    Select(NodeId, Vec<u32>),
    Map(Un, NodeId),
    /// Elementwise with numpy broadcasting: out[k] = a[i] ∘ b[j].
    Zip(Bin, NodeId, NodeId, Vec<(u32, u32)>),
    /// 1 or 0, elementwise with broadcasting.
    Compare(Cmp, NodeId, NodeId, Vec<(u32, u32)>),
    /// `σ(x) ⋈ 1/2` as `x ⋈ 0` (σ is increasing and σ(0) = 1/2), with
    /// x = 0 a decision boundary.
    SignCmp(Cmp, NodeId),
    /// out[k] = Σ a[i]·b[j] over the pairs of term k (matrix products).
    Dot(NodeId, NodeId, Vec<Vec<(u32, u32)>>),
    /// out[k] = Σ a[i] over group k.
    Sum(NodeId, Vec<Vec<u32>>),
    /// The nodes' elements one after another (a stack along a new axis).
    Stack(Vec<NodeId>),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub op: Op,
    pub shape: Vec<usize>,
    pub dep: Dep,
    pub info: Info,
}

impl Node {
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
}

/// The graph for one length of a domain.
pub struct Graph {
    pub nodes: Vec<Node>,
    /// The alphabet's items, flattened, and their common shape.
    alphabet: Vec<f64>,
    item_shape: Vec<usize>,
    symbols: usize,
    item_info: Info,
    /// Nodes whose NaN (an undecided comparison, a boundary) must defer an
    /// input even when it does not reach the verdict.
    poison: Vec<NodeId>,
}

/// Where an operand's copies sit relative to the node computed from it.
#[derive(Clone, Copy)]
enum Layout {
    /// One copy for all (stride 0), at this row of the operand's array.
    Row(usize),
    /// Copy i of the node uses copy i of the operand.
    Same,
    /// Copy i uses copy i / r.
    Repeat(usize),
    /// Copy i uses copy (i / r) % A.
    Tile(usize),
}

/// How one input of a length group came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    Fails = 0,
    Holds = 1,
    /// To be re-decided exactly (undecided in floats, or on a boundary).
    Deferred = 2,
    /// Left out by an `if`.
    Skipped = 3,
}

impl Graph {
    /// A graph over an alphabet of `symbols` items of `item_shape`
    /// (flattened in `values`, exact values converted with their bounds).
    pub fn new(values: Vec<f64>, item_shape: Vec<usize>, symbols: usize, item_info: Info) -> Graph {
        Graph {
            nodes: Vec::new(),
            alphabet: values,
            item_shape,
            symbols,
            item_info,
            poison: Vec::new(),
        }
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    fn unsupported(what: &str) -> Error {
        Error::invalid("bulk", what.to_string())
    }

    /// Adds a node, working out its dependencies and bounds.
    pub fn push(&mut self, op: Op, shape: Vec<usize>) -> Result<NodeId> {
        if self.nodes.len() >= 1 << 20 {
            return Err(Self::unsupported("too many nodes"));
        }
        let n = |id: NodeId| &self.nodes[id];
        let (dep, info, nan) = match &op {
            Op::Const(_) => {
                return Err(Self::unsupported("constants are made by Graph::constant"));
            }
            Op::Input(p) => (Dep::Pos(*p), self.item_info, false),
            Op::Select(a, _) => (n(*a).dep, n(*a).info, false),
            Op::Stack(items) => {
                let mut dep = Dep::Const;
                let mut info = Info {
                    mag: 0.0,
                    err: 0.0,
                    grain: Some(0),
                };
                for &i in items {
                    dep = dep.join(n(i).dep);
                    let o = n(i).info;
                    info.mag = info.mag.max(o.mag);
                    info.err = info.err.max(o.err);
                    info.grain = match (info.grain, o.grain) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                }
                (dep, info, false)
            }
            Op::Map(u, a) => {
                let i = n(*a).info;
                let info = match u {
                    Un::Neg | Un::Relu | Un::Abs => i,
                    Un::Not => Info {
                        mag: 1.0,
                        err: 0.0,
                        grain: Some(0),
                    },
                    Un::Sigmoid => Info {
                        mag: 1.0 + 4.0 * U,
                        err: i.err / 4.0 + 4.0 * U,
                        grain: None,
                    },
                    Un::Tanh => Info {
                        mag: 1.0 + 4.0 * U,
                        err: i.err + 4.0 * U,
                        grain: None,
                    },
                };
                // Tanh has no boundary, `not` none either (but an inexact
                // input may be undecided); the others defer an input at
                // theirs.
                let nan = match u {
                    Un::Tanh | Un::Neg => false,
                    Un::Not => !i.exact(),
                    _ => true,
                };
                (n(*a).dep, info, nan)
            }
            Op::Zip(b, x, y, _) => {
                let (p, q) = (n(*x).info, n(*y).info);
                let exact = p.exact() && q.exact();
                let info = match b {
                    Bin::Add | Bin::Sub => Info::result(
                        p.mag + q.mag,
                        p.grain.zip(q.grain).map(|(a, b)| a.max(b)),
                        exact,
                        p.err + q.err,
                        1.0,
                    ),
                    Bin::Mul => Info::result(
                        p.mag * q.mag,
                        p.grain.zip(q.grain).map(|(a, b)| a + b),
                        exact,
                        p.err * q.mag + q.err * p.mag + p.err * q.err,
                        1.0,
                    ),
                    Bin::Div => {
                        let Op::Const(c) = &n(*y).op else {
                            return Err(Self::unsupported("a division by a value that varies"));
                        };
                        let least = c.iter().fold(f64::INFINITY, |m, v| m.min(v.abs()));
                        if least == 0.0 || !least.is_finite() {
                            return Err(Self::unsupported("a division by zero"));
                        }
                        // By powers of two ≥ 1 the quotient stays on a grain.
                        let shift = c
                            .iter()
                            .map(|v| {
                                let a = v.abs();
                                (a >= 1.0 && a.log2().fract() == 0.0 && a < 1e18)
                                    .then(|| a.log2() as u32)
                            })
                            .try_fold(0u32, |m, k| k.map(|k| m.max(k)));
                        let c_rel = if q.mag > 0.0 { q.err / least } else { 0.0 };
                        Info::result(
                            p.mag / least,
                            p.grain.zip(shift).map(|(g, s)| g + s),
                            exact && shift.is_some(),
                            (p.err + p.mag * c_rel) / least * (1.0 + 4.0 * U),
                            2.0,
                        )
                    }
                };
                (n(*x).dep.join(n(*y).dep), info, false)
            }
            Op::Compare(_, x, y, _) => {
                let exact = n(*x).info.exact() && n(*y).info.exact();
                let info = Info {
                    mag: 1.0,
                    err: 0.0,
                    grain: Some(0),
                };
                (n(*x).dep.join(n(*y).dep), info, !exact)
            }
            Op::SignCmp(_, x) => (
                n(*x).dep,
                Info {
                    mag: 1.0,
                    err: 0.0,
                    grain: Some(0),
                },
                true,
            ),
            Op::Dot(x, y, terms) => {
                let (p, q) = (n(*x).info, n(*y).info);
                let k = terms.iter().map(Vec::len).max().unwrap_or(0) as f64;
                let info = Info::result(
                    k * p.mag * q.mag,
                    p.grain.zip(q.grain).map(|(a, b)| a + b),
                    p.exact() && q.exact(),
                    k * (p.err * q.mag + q.err * p.mag + p.err * q.err),
                    k + 1.0,
                );
                (n(*x).dep.join(n(*y).dep), info, false)
            }
            Op::Sum(x, groups) => {
                let p = n(*x).info;
                let k = groups.iter().map(Vec::len).max().unwrap_or(0) as f64;
                let info = Info::result(k * p.mag, p.grain, p.exact(), k * p.err, k + 1.0);
                (n(*x).dep, info, false)
            }
        };
        if info.mag.is_nan() || info.mag > MAG_LIMIT {
            return Err(Self::unsupported("values too large for floats"));
        }
        self.nodes.push(Node {
            op,
            shape,
            dep,
            info,
        });
        let id = self.nodes.len() - 1;
        if nan {
            self.poison.push(id);
        }
        // Constants are folded: their values are known now (an index
        // written `-1` is a constant integer).
        if dep == Dep::Const {
            let arrays = Arrays {
                top: &[],
                low: &[],
                split: usize::MAX,
                nodes: &self.nodes,
            };
            let v = self.compute_with(id, 1, &arrays, &|_| Layout::Row(0))?;
            self.nodes[id].op = Op::Const(v);
        }
        Ok(id)
    }

    /// A constant node from values with their bounds.
    pub fn constant(&mut self, values: Vec<f64>, shape: Vec<usize>, info: Info) -> NodeId {
        self.nodes.push(Node {
            op: Op::Const(values),
            shape,
            dep: Dep::Const,
            info,
        });
        self.nodes.len() - 1
    }

    /// `sig` needs no watch of its own: a [`Op::SignCmp`] on its input,
    /// elementwise, is NaN wherever it is.
    pub fn covered(&mut self, sig: NodeId) {
        self.poison.retain(|&p| p != sig);
    }

    /// The item at position `p` (shape of an alphabet item).
    pub fn input(&mut self, p: usize) -> Result<NodeId> {
        let shape = self.item_shape.clone();
        self.push(Op::Input(p), shape)
    }

    /// Whether a NaN anywhere in `n` surely reaches `target` (every op on
    /// the way uses every element of its input), so `n` needs no separate
    /// watch.
    fn reaches(&self, n: NodeId, target: NodeId) -> bool {
        let mut cur = n;
        // Walk forward along single consumers that use every element.
        'outer: loop {
            if cur == target {
                return true;
            }
            for (id, node) in self.nodes.iter().enumerate().skip(cur + 1) {
                let all = |len: usize, used: &mut dyn Iterator<Item = u32>| {
                    let mut seen = vec![false; len];
                    for u in used {
                        if let Some(s) = seen.get_mut(u as usize) {
                            *s = true;
                        }
                    }
                    seen.iter().all(|s| *s)
                };
                let len = self.nodes[cur].numel();
                let uses = match &node.op {
                    Op::Map(_, a) | Op::SignCmp(_, a) => *a == cur,
                    Op::Zip(_, a, b, pairs) | Op::Compare(_, a, b, pairs) => {
                        (*a == cur && all(len, &mut pairs.iter().map(|p| p.0)))
                            || (*b == cur && all(len, &mut pairs.iter().map(|p| p.1)))
                    }
                    Op::Dot(a, b, terms) => {
                        (*a == cur && all(len, &mut terms.iter().flatten().map(|p| p.0)))
                            || (*b == cur && all(len, &mut terms.iter().flatten().map(|p| p.1)))
                    }
                    Op::Sum(a, groups) => {
                        *a == cur && all(len, &mut groups.iter().flatten().copied())
                    }
                    Op::Select(a, idx) => *a == cur && all(len, &mut idx.iter().copied()),
                    Op::Stack(items) => items.contains(&cur),
                    Op::Const(_) | Op::Input(_) => false,
                };
                if uses {
                    cur = id;
                    continue 'outer;
                }
            }
            return false;
        }
    }

    /// Evaluates the verdict `truth` (and the `if` conditions `conds`) for
    /// every item of a group of `symbols^len` items, in blocks in domain
    /// order: `sink(first item, statuses)`; a sink that returns `false`
    /// stops the run.
    pub fn run(
        &self,
        truth: NodeId,
        conds: &[NodeId],
        len: usize,
        mut sink: impl FnMut(u64, &[Status]) -> Result<bool>,
    ) -> Result<()> {
        let a = self.symbols as u64;
        let pow = |e: usize| -> Result<u64> {
            a.checked_pow(e as u32)
                .ok_or_else(|| Self::unsupported("too many items"))
        };
        // Every input watches its verdict, its conditions, and every node
        // that may be NaN without the verdict seeing it.
        let mut watched: Vec<NodeId> = vec![truth];
        watched.extend_from_slice(conds);
        for &p in &self.poison {
            if !watched.iter().any(|&w| self.reaches(p, w)) {
                watched.push(p);
            }
        }
        let mut need = vec![false; self.nodes.len()];
        for &w in &watched {
            need[w] = true;
        }
        for id in (0..self.nodes.len()).rev() {
            if need[id] {
                for o in operands(&self.nodes[id].op) {
                    need[o] = true;
                }
            }
        }
        // The last `c` levels are computed block by block; the rest once.
        let mut c = 0;
        while c < len && pow(c)? < BLOCK {
            c += 1;
        }
        let split = len - c;
        let level = |id: NodeId| match self.nodes[id].dep {
            Dep::Prefix(m) => m,
            _ => 0,
        };
        // Constants are read from their op (see `Arrays::of`): not copied.
        let top_ids: Vec<NodeId> = (0..self.nodes.len())
            .filter(|&i| need[i] && level(i) <= split)
            .filter(|&i| !matches!(self.nodes[i].op, Op::Const(_)))
            .collect();
        let low_ids: Vec<NodeId> = (0..self.nodes.len())
            .filter(|&i| need[i] && level(i) > split)
            .collect();
        let mut top: Vec<Vec<f64>> = vec![Vec::new(); self.nodes.len()];
        let mut flops = 0u64;
        for &id in &top_ids {
            let copies = match self.nodes[id].dep {
                Dep::Const => 1,
                Dep::Pos(_) => a,
                Dep::Prefix(m) => pow(m)?,
            };
            let layout = |o: NodeId| -> Layout {
                match (self.nodes[o].dep, self.nodes[id].dep) {
                    (Dep::Const, _) => Layout::Row(0),
                    (Dep::Pos(_), Dep::Pos(_)) => Layout::Same,
                    (Dep::Pos(p), Dep::Prefix(m)) => Layout::Tile(pow_usize(a, m - 1 - p)),
                    (Dep::Prefix(k), Dep::Prefix(m)) => Layout::Repeat(pow_usize(a, m - k)),
                    _ => Layout::Same,
                }
            };
            let v = self.compute(id, copies as usize, &top, &layout)?;
            flops += v.len() as u64;
            top[id] = v;
        }
        budget::charge(flops / FLOPS_PER_UNIT + 1)?;
        let blocks = pow(split)?;
        let per_block = pow(c)?;
        let mut low: Vec<Vec<f64>> = vec![Vec::new(); self.nodes.len()];
        let mut statuses = vec![Status::Holds; per_block as usize];
        for b in 0..blocks {
            let mut flops = 0u64;
            for &id in &low_ids {
                let m = level(id);
                let copies = pow_usize(a, m - split);
                let buf = std::mem::take(&mut low[id]);
                let v = {
                    let arrays = Arrays {
                        top: &top,
                        low: &low,
                        split,
                        nodes: &self.nodes,
                    };
                    let layout = |o| self.block_layout(o, m, b, split);
                    self.compute_into(id, copies, &arrays, &layout, buf)?
                };
                flops += v.len() as u64;
                low[id] = v;
            }
            // The statuses of the block's items: the watched nodes at the
            // last level.
            let arrays = Arrays {
                top: &top,
                low: &low,
                split,
                nodes: &self.nodes,
            };
            let n = per_block as usize;
            let at_len =
                |id: NodeId| self.expand(id, n, &arrays, self.block_layout(id, len, b, split));
            // The usual case: the verdict alone, one element per input.
            if conds.is_empty() && watched.len() == 1 && self.nodes[truth].numel() == 1 {
                let tol = self.tolerance(truth);
                if let Operand::Rows(vals) = at_len(truth) {
                    for (s, &x) in statuses.iter_mut().zip(vals.iter()) {
                        *s = if x.is_nan() || x.abs() <= tol {
                            Status::Deferred
                        } else if x == 0.0 {
                            Status::Fails
                        } else {
                            Status::Holds
                        };
                    }
                    flops += per_block * PER_INPUT;
                    budget::charge(flops / FLOPS_PER_UNIT + 1)?;
                    if !sink(b * per_block, &statuses)? {
                        break;
                    }
                    continue;
                }
            }
            statuses.fill(Status::Holds);
            // An `if` that is certainly false leaves the input out, whatever
            // else is undecided; an undecided one defers it.
            let mut undecided = vec![false; n];
            for &id in conds {
                let (k, tol) = (self.nodes[id].numel(), self.tolerance(id));
                let v = at_len(id);
                for (j, s) in statuses.iter_mut().enumerate() {
                    let row = v.row(j, k);
                    if row.iter().any(|x| x.is_nan() || x.abs() <= tol) {
                        undecided[j] = true;
                    } else if row.contains(&0.0) {
                        *s = Status::Skipped;
                    }
                }
            }
            for (s, u) in statuses.iter_mut().zip(&undecided) {
                if *u && *s != Status::Skipped {
                    *s = Status::Deferred;
                }
            }
            for (w, &id) in watched.iter().enumerate() {
                if (1..=conds.len()).contains(&w) {
                    continue;
                }
                let (k, tol) = (self.nodes[id].numel(), self.tolerance(id));
                let v = at_len(id);
                if let (1, Operand::Rows(vals)) = (k, &v) {
                    for (s, &x) in statuses.iter_mut().zip(vals.iter()) {
                        if matches!(*s, Status::Skipped | Status::Deferred) {
                            continue;
                        }
                        if x.is_nan() || x.abs() <= tol {
                            *s = Status::Deferred;
                        } else if w == 0 && x == 0.0 {
                            *s = Status::Fails;
                        }
                    }
                    continue;
                }
                for (j, s) in statuses.iter_mut().enumerate() {
                    if matches!(*s, Status::Skipped | Status::Deferred) {
                        continue;
                    }
                    let row = v.row(j, k);
                    if row.iter().any(|x| x.is_nan() || x.abs() <= tol) {
                        *s = Status::Deferred;
                    } else if w == 0 && row.contains(&0.0) {
                        *s = Status::Fails;
                    }
                }
            }
            flops += per_block * (PER_INPUT + watched.len() as u64);
            budget::charge(flops / FLOPS_PER_UNIT + 1)?;
            if !sink(b * per_block, &statuses)? {
                break;
            }
        }
        Ok(())
    }

    /// Below this a value may be 0 for all the floats say: NaN-free values
    /// closer to 0 than their error bound are undecided (never for exact
    /// values, whose zero is zero).
    fn tolerance(&self, id: NodeId) -> f64 {
        let e = self.nodes[id].info.err;
        if e == 0.0 {
            -1.0
        } else {
            e * (1.0 + 8.0 * U)
        }
    }

    /// Where the copies of operand `o` sit for a node at prefix level `m`
    /// (> split) computed in block `b`.
    fn block_layout(&self, o: NodeId, m: usize, b: u64, split: usize) -> Layout {
        let a = self.symbols as u64;
        match self.nodes[o].dep {
            Dep::Const => Layout::Row(0),
            Dep::Pos(p) if p < split => Layout::Row(((b / pow_u64(a, split - 1 - p)) % a) as usize),
            Dep::Pos(p) => Layout::Tile(pow_usize(a, m - 1 - p)),
            Dep::Prefix(k) if k <= split => Layout::Row((b / pow_u64(a, split - k)) as usize),
            Dep::Prefix(k) => Layout::Repeat(pow_usize(a, m - k)),
        }
    }

    fn compute(
        &self,
        id: NodeId,
        copies: usize,
        top: &[Vec<f64>],
        layout: &dyn Fn(NodeId) -> Layout,
    ) -> Result<Vec<f64>> {
        let arrays = Arrays {
            top,
            low: &[],
            split: usize::MAX,
            nodes: &self.nodes,
        };
        self.compute_with(id, copies, &arrays, layout)
    }

    /// The node's `copies` copies, its operands laid out by `layout`.
    fn compute_with(
        &self,
        id: NodeId,
        copies: usize,
        arrays: &Arrays,
        layout: &dyn Fn(NodeId) -> Layout,
    ) -> Result<Vec<f64>> {
        self.compute_into(id, copies, arrays, layout, Vec::new())
    }

    /// [`Graph::compute_with`] into a buffer whose allocation is reused.
    fn compute_into(
        &self,
        id: NodeId,
        copies: usize,
        arrays: &Arrays,
        layout: &dyn Fn(NodeId) -> Layout,
        mut out: Vec<f64>,
    ) -> Result<Vec<f64>> {
        let node = &self.nodes[id];
        let k = node.numel();
        let expand = |o: NodeId| self.expand(o, copies, arrays, layout(o));
        out.clear();
        out.resize(copies * k, 0.0);
        match &node.op {
            Op::Const(v) => out.copy_from_slice(v),
            Op::Input(_) => {
                // A table: copy s is symbol s.
                out.copy_from_slice(&self.alphabet[..copies * k]);
            }
            Op::Select(x, idx) => {
                let kx = self.nodes[*x].numel();
                let x = expand(*x);
                for i in 0..copies {
                    let row = x.row(i, kx);
                    for (o, &j) in out[i * k..(i + 1) * k].iter_mut().zip(idx) {
                        *o = row[j as usize];
                    }
                }
            }
            Op::Stack(items) => {
                let mut at = 0;
                for &it in items {
                    let ki = self.nodes[it].numel();
                    let x = expand(it);
                    for i in 0..copies {
                        out[i * k + at..i * k + at + ki].copy_from_slice(x.row(i, ki));
                    }
                    at += ki;
                }
            }
            Op::Map(u, x) => {
                let e = self.nodes[*x].info.err;
                let x = expand(*x);
                let tol = e * (1.0 + 4.0 * U);
                // At a kink (exactly, or within the error): NaN, re-decided.
                let kink = |v: f64| v.is_nan() || v.abs() <= tol;
                let map = |out: &mut [f64], f: &dyn Fn(f64) -> f64| {
                    for i in 0..copies {
                        let row = x.row(i, k);
                        for (o, &v) in out[i * k..(i + 1) * k].iter_mut().zip(row) {
                            *o = f(v);
                        }
                    }
                };
                match u {
                    Un::Neg => map(&mut out, &|v| -v),
                    Un::Tanh => map(&mut out, &f64::tanh),
                    Un::Relu => map(&mut out, &|v| {
                        if kink(v) {
                            f64::NAN
                        } else if v > 0.0 {
                            v
                        } else {
                            0.0
                        }
                    }),
                    Un::Abs => map(&mut out, &|v| if kink(v) { f64::NAN } else { v.abs() }),
                    Un::Sigmoid => map(&mut out, &|v| {
                        if kink(v) {
                            f64::NAN
                        } else {
                            1.0 / (1.0 + (-v).exp())
                        }
                    }),
                    // `not` has no boundary: an exact 0 is false.
                    Un::Not => map(&mut out, &|v| {
                        if v.is_nan() || (e > 0.0 && v.abs() <= tol) {
                            f64::NAN
                        } else if v == 0.0 {
                            1.0
                        } else {
                            0.0
                        }
                    }),
                }
            }
            Op::Zip(b, x, y, pairs) => {
                let (kx, ky) = (self.nodes[*x].numel(), self.nodes[*y].numel());
                // The step of a recurrence: a prefix one level up, and the
                // table of the last symbol: an outer operation, nothing
                // expanded.
                if (k, kx, ky) == (1, 1, 1) {
                    let a = self.symbols;
                    let outer = match (layout(*x), layout(*y)) {
                        (Layout::Repeat(r), Layout::Tile(1)) if r == a => Some(false),
                        (Layout::Tile(1), Layout::Repeat(r)) if r == a => Some(true),
                        _ => None,
                    };
                    if let Some(swap) = outer {
                        let (p, t) = if swap { (*y, *x) } else { (*x, *y) };
                        let (p, t) = (arrays.of(p), &arrays.of(t)[..a]);
                        let o = &mut out;
                        match (b, swap) {
                            (Bin::Add, _) => outer_op(o, p, t, |u, v| u + v),
                            (Bin::Mul, _) => outer_op(o, p, t, |u, v| u * v),
                            (Bin::Sub, false) => outer_op(o, p, t, |u, v| u - v),
                            (Bin::Sub, true) => outer_op(o, p, t, |u, v| v - u),
                            (Bin::Div, false) => outer_op(o, p, t, |u, v| u / v),
                            (Bin::Div, true) => outer_op(o, p, t, |u, v| v / u),
                        }
                        return Ok(out);
                    }
                }
                let (xv, yv) = (expand(*x), expand(*y));
                let o = &mut out;
                match b {
                    Bin::Add => zip(o, copies, k, &xv, kx, &yv, ky, pairs, |p, q| p + q),
                    Bin::Sub => zip(o, copies, k, &xv, kx, &yv, ky, pairs, |p, q| p - q),
                    Bin::Mul => zip(o, copies, k, &xv, kx, &yv, ky, pairs, |p, q| p * q),
                    Bin::Div => zip(o, copies, k, &xv, kx, &yv, ky, pairs, |p, q| p / q),
                }
            }
            Op::Compare(c, x, y, pairs) => {
                let (kx, ky) = (self.nodes[*x].numel(), self.nodes[*y].numel());
                let margin = (self.nodes[*x].info.err + self.nodes[*y].info.err) * (1.0 + 8.0 * U);
                let (xv, yv) = (expand(*x), expand(*y));
                let o = &mut out;
                // Exact operands compare exactly; others only when further
                // apart than their errors (then the true order is the
                // computed one). NaN stays NaN.
                macro_rules! run {
                    ($t:expr) => {
                        if margin == 0.0 {
                            zip(o, copies, k, &xv, kx, &yv, ky, pairs, |p: f64, q: f64| {
                                if p.is_nan() || q.is_nan() {
                                    f64::NAN
                                } else {
                                    f64::from(u8::from($t(p - q)))
                                }
                            })
                        } else {
                            zip(o, copies, k, &xv, kx, &yv, ky, pairs, |p: f64, q: f64| {
                                let d = p - q;
                                if d.is_nan() || d.abs() * (1.0 - 4.0 * U) <= margin {
                                    f64::NAN
                                } else {
                                    f64::from(u8::from($t(d)))
                                }
                            })
                        }
                    };
                }
                per_cmp!(*c, run);
            }
            Op::SignCmp(c, x) => {
                let margin = self.nodes[*x].info.err * (1.0 + 8.0 * U);
                let xv = expand(*x);
                let o = &mut out;
                macro_rules! run {
                    ($t:expr) => {
                        for i in 0..copies {
                            for (o, &v) in o[i * k..(i + 1) * k].iter_mut().zip(xv.row(i, k)) {
                                *o = if v.is_nan() || v.abs() <= margin {
                                    f64::NAN
                                } else {
                                    f64::from(u8::from($t(v)))
                                };
                            }
                        }
                    };
                }
                per_cmp!(*c, run);
            }
            Op::Dot(x, y, terms) => {
                let (kx, ky) = (self.nodes[*x].numel(), self.nodes[*y].numel());
                let (xv, yv) = (expand(*x), expand(*y));
                for i in 0..copies {
                    let (p, q) = (xv.row(i, kx), yv.row(i, ky));
                    for (o, t) in out[i * k..(i + 1) * k].iter_mut().zip(terms) {
                        *o = t.iter().map(|&(s, u)| p[s as usize] * q[u as usize]).sum();
                    }
                }
            }
            Op::Sum(x, groups) => {
                let kx = self.nodes[*x].numel();
                let xv = expand(*x);
                for i in 0..copies {
                    let p = xv.row(i, kx);
                    for (o, g) in out[i * k..(i + 1) * k].iter_mut().zip(groups) {
                        *o = g.iter().map(|&s| p[s as usize]).sum();
                    }
                }
            }
        }
        Ok(out)
    }
}

impl Graph {
    /// Operand `o`'s copies for a node of `copies` copies: a row used by
    /// all, or one row per copy.
    fn expand<'v>(
        &self,
        o: NodeId,
        copies: usize,
        arrays: &'v Arrays,
        layout: Layout,
    ) -> Operand<'v> {
        let src = arrays.of(o);
        let ko = self.nodes[o].numel();
        let a = self.symbols;
        match layout {
            Layout::Row(r) => Operand::Row(&src[r * ko..(r + 1) * ko]),
            Layout::Same => Operand::Rows(Cow::Borrowed(src)),
            Layout::Repeat(1) if src.len() == copies * ko => Operand::Rows(Cow::Borrowed(src)),
            Layout::Repeat(r) => {
                let mut v = Vec::with_capacity(copies * ko);
                if ko == 1 {
                    for &x in &src[..copies.div_ceil(r).min(src.len())] {
                        v.extend(std::iter::repeat_n(x, r));
                    }
                } else {
                    for row in src.chunks_exact(ko).take(copies.div_ceil(r)) {
                        for _ in 0..r {
                            v.extend_from_slice(row);
                        }
                    }
                }
                Operand::Rows(Cow::Owned(v))
            }
            Layout::Tile(r) => {
                let mut v = Vec::with_capacity(copies * ko);
                if ko == 1 && r == 1 {
                    let table = &src[..a.min(src.len())];
                    while v.len() < copies {
                        v.extend_from_slice(table);
                    }
                } else if ko == 1 {
                    while v.len() < copies && !src.is_empty() {
                        for &x in &src[..a.min(src.len())] {
                            v.extend(std::iter::repeat_n(x, r));
                        }
                    }
                } else {
                    while v.len() < copies * ko && !src.is_empty() {
                        for row in src.chunks_exact(ko).take(a) {
                            for _ in 0..r {
                                v.extend_from_slice(row);
                            }
                        }
                    }
                }
                v.truncate(copies * ko);
                Operand::Rows(Cow::Owned(v))
            }
        }
    }
}

/// out[q·A + s] = f(prefix[q], table[s]) for A = table.len().
fn outer_op(out: &mut [f64], prefix: &[f64], table: &[f64], f: impl Fn(f64, f64) -> f64) {
    for (o, &u) in out.chunks_exact_mut(table.len()).zip(prefix) {
        for (o, &v) in o.iter_mut().zip(table) {
            *o = f(u, v);
        }
    }
}

/// Elementwise over broadcast pairs, specialised for one element each.
#[allow(clippy::too_many_arguments)]
fn zip(
    out: &mut [f64],
    copies: usize,
    k: usize,
    x: &Operand,
    kx: usize,
    y: &Operand,
    ky: usize,
    pairs: &[(u32, u32)],
    f: impl Fn(f64, f64) -> f64,
) {
    if k == 1 && kx == 1 && ky == 1 {
        match (x, y) {
            (Operand::Rows(p), Operand::Rows(q)) => {
                for ((o, &p), &q) in out.iter_mut().zip(p.iter()).zip(q.iter()) {
                    *o = f(p, q);
                }
            }
            (Operand::Rows(p), Operand::Row(q)) => {
                let q = q[0];
                for (o, &p) in out.iter_mut().zip(p.iter()) {
                    *o = f(p, q);
                }
            }
            (Operand::Row(p), Operand::Rows(q)) => {
                let p = p[0];
                for (o, &q) in out.iter_mut().zip(q.iter()) {
                    *o = f(p, q);
                }
            }
            (Operand::Row(p), Operand::Row(q)) => out.fill(f(p[0], q[0])),
        }
        return;
    }
    for i in 0..copies {
        let (p, q) = (x.row(i, kx), y.row(i, ky));
        for (o, &(s, u)) in out[i * k..(i + 1) * k].iter_mut().zip(pairs) {
            *o = f(p[s as usize], q[u as usize]);
        }
    }
}

/// An operand in the layout of the node being computed.
enum Operand<'v> {
    /// The same values for every copy.
    Row(&'v [f64]),
    /// One row per copy.
    Rows(Cow<'v, [f64]>),
}

impl Operand<'_> {
    fn row(&self, i: usize, k: usize) -> &[f64] {
        match self {
            Operand::Row(v) => v,
            Operand::Rows(v) => &v[i * k..(i + 1) * k],
        }
    }
}

/// The arrays computed so far: the top levels, and this block's.
struct Arrays<'a> {
    top: &'a [Vec<f64>],
    low: &'a [Vec<f64>],
    split: usize,
    nodes: &'a [Node],
}

impl Arrays<'_> {
    fn of(&self, id: NodeId) -> &[f64] {
        if let Op::Const(v) = &self.nodes[id].op {
            return v;
        }
        match self.nodes[id].dep {
            Dep::Prefix(m) if m > self.split => &self.low[id],
            _ => &self.top[id],
        }
    }
}

fn operands(op: &Op) -> Vec<NodeId> {
    match op {
        Op::Const(_) | Op::Input(_) => Vec::new(),
        Op::Select(a, _) | Op::Map(_, a) | Op::SignCmp(_, a) | Op::Sum(a, _) => vec![*a],
        Op::Zip(_, a, b, _) | Op::Compare(_, a, b, _) | Op::Dot(a, b, _) => vec![*a, *b],
        Op::Stack(items) => items.clone(),
    }
}

fn pow_u64(a: u64, e: usize) -> u64 {
    a.saturating_pow(e as u32)
}

fn pow_usize(a: u64, e: usize) -> usize {
    pow_u64(a, e) as usize
}
