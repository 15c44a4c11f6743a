//! Bulk verification: a rule `all(rule(x) for x in domain)` evaluated for
//! every input of a length at once (the idea of jax.vmap), in floats with
//! certified margins, instead of one exact interpreted call per input.
//!
//! The rule's expression — and the user functions it calls, inlined — is
//! compiled once per length into a [`graph::Graph`] whose leaves are the
//! sequence's positions: `xs` is the stack of its rows, and each row is the
//! alphabet's table at one position. Indexing, arithmetic, matrix products,
//! `sum`, `len`, activations, comparisons and `rnn` are followed row by
//! row, so the hidden state after t steps depends on the first t positions
//! only and is computed once per prefix (prefix sharing). Only what the
//! compiler fully understands is compiled: any other construct (a branch on
//! a value that varies, a loop that returns, a built-in it does not know)
//! makes the compile fail with the reason, and the verification runs that
//! length one exact call at a time, as before. Inputs the floats cannot
//! decide (see [`graph`]) are re-decided exactly by the caller. So the
//! verdicts, counts and counterexamples are the exact engine's.

pub mod graph;

use std::collections::HashMap;
use std::rc::Rc;

use graph::{Bin, Cmp, Graph, Info, NodeId, Op, Un};

use super::interp::Interp;
use super::parser::{BinOp, CmpOp, CompFor, Expr, ExprKind, IndexItem, Stmt, StmtKind, Target};
use super::value::{FuncDef, Value};
use crate::lang::domain::Domain;
use crate::nn::act::Activation;
use crate::{Num, Tensor};

/// Why a length is not compiled (the verification then runs it exactly).
pub type Why = String;
type C<T> = std::result::Result<T, Why>;

/// Functions inlined inside one another, at most.
const INLINE_DEPTH: usize = 24;
/// Iterations a `for` loop may unroll to.
const UNROLL: usize = 4096;
/// Alphabets (or domains of tensors) larger than this are not tabulated.
const SYMBOLS: usize = 1 << 18;

/// A value while compiling.
#[derive(Clone)]
enum Sv {
    /// A tensor.
    N(NodeId),
    /// A tensor stacked along its first axis from rows (the sequence and
    /// what is computed from it row by row).
    Rows(Vec<NodeId>),
    /// A list written in the rule (`[a, b]`): a tensor where numpy would
    /// make one, a Python list elsewhere (so `+` is not compiled on it).
    Lst(Vec<NodeId>),
    /// Anything else: a function, an activation, a namespace, a string, a
    /// list of the program's.
    Py(Value),
}

/// A compiled rule for one length of a domain.
pub struct Compiled {
    pub graph: Graph,
    pub truth: NodeId,
    pub conds: Vec<NodeId>,
    /// Positions per item (1 for a domain of tensors).
    pub len: usize,
}

/// The groups of a domain that are compiled one at a time: (first index,
/// items, positions); for a domain of tensors one group of length 1.
pub fn groups(d: &Domain) -> Vec<(u128, u128, usize)> {
    match d {
        Domain::Sequences {
            alphabet,
            min_len,
            max_len,
        } => {
            let mut out = Vec::new();
            let mut start = 0u128;
            for l in *min_len..=*max_len {
                let n = (alphabet.len() as u128)
                    .checked_pow(l as u32)
                    .unwrap_or(u128::MAX);
                out.push((start, n, l));
                start = start.saturating_add(n);
            }
            out
        }
        _ => vec![(0, d.len(), 1)],
    }
}

/// An exact number as a float, with its error bound and its grain (the
/// power of two whose multiples it is on, when dyadic and exact).
fn float_of(n: &Num) -> C<(f64, f64, Option<u32>)> {
    if let Some(r) = n.rat() {
        if let Some((p, q)) = r.small() {
            if q > 0 && (q as u64).is_power_of_two() && p.unsigned_abs() < (1u64 << 53) {
                // A dyadic rational: exactly a float.
                return Ok((p as f64 / q as f64, 0.0, Some(q.trailing_zeros())));
            }
        }
        let v = r.to_f64();
        if !v.is_finite() {
            return Err("a number too large for floats".into());
        }
        return Ok((v, v.abs() * 1e-15 + f64::MIN_POSITIVE, None));
    }
    let (lo, hi) = n.interval().map_err(|e| e.to_string())?;
    if !(lo.is_finite() && hi.is_finite()) {
        return Err("an infinite value".into());
    }
    let mid = lo / 2.0 + hi / 2.0;
    Ok((mid, (hi - lo) / 2.0 * 1.0001 + mid.abs() * 1e-15, None))
}

/// Values with their common bounds.
fn floats(values: &[Num]) -> C<(Vec<f64>, Info)> {
    let mut out = Vec::with_capacity(values.len());
    let mut info = Info {
        mag: 0.0,
        err: 0.0,
        grain: Some(0),
    };
    for n in values {
        let (v, e, g) = float_of(n)?;
        out.push(v);
        info.mag = info.mag.max(v.abs() + e);
        info.err = info.err.max(e);
        info.grain = info.grain.zip(g).map(|(a, b)| a.max(b));
    }
    if info.err > 0.0 {
        info.grain = None;
    }
    Ok((out, info))
}

/// Compiles `all(elt for target in d if conds)` for the group of length
/// `len` (see [`groups`]).
pub fn compile(it: &Interp, elt: &Expr, c: &CompFor, d: &Domain, len: usize) -> C<Compiled> {
    let Target::Name(target, _) = &c.target else {
        return Err("the loop variable is not a single name".into());
    };
    let (items, seq): (Vec<Tensor<Num>>, bool) = match d {
        Domain::Sequences { alphabet, .. } => (alphabet.clone(), true),
        _ => {
            let n = d.len();
            if n > SYMBOLS as u128 {
                return Err("too many items to tabulate".into());
            }
            let items = (0..n)
                .map(|i| d.get(i))
                .collect::<crate::Result<Vec<_>>>()
                .map_err(|e| e.to_string())?;
            (items, false)
        }
    };
    let Some(first) = items.first() else {
        return Err("an empty domain".into());
    };
    if items.len() > SYMBOLS || len == 0 {
        return Err("nothing to tabulate".into());
    }
    let shape = first.shape().to_vec();
    let mut values = Vec::new();
    for t in &items {
        if t.shape() != shape.as_slice() {
            return Err("items of different shapes".into());
        }
        values.extend(t.value().iter().cloned());
    }
    let (values, info) = floats(&values)?;
    let graph = Graph::new(values, shape, items.len(), info);
    let mut cx = Compiler {
        it,
        g: graph,
        bools: Vec::new(),
        depth: 0,
    };
    let xs = if seq {
        let rows = (0..len)
            .map(|p| cx.g.input(p))
            .collect::<crate::Result<Vec<_>>>();
        Sv::Rows(rows.map_err(|e| e.to_string())?)
    } else {
        Sv::N(cx.g.input(0).map_err(|e| e.to_string())?)
    };
    let mut env = Env::new();
    env.insert(target.clone(), xs);
    let mut conds = Vec::new();
    for e in &c.conds {
        let v = cx.expr(e, &mut env, true)?;
        conds.push(cx.node(v)?);
    }
    let v = cx.expr(elt, &mut env, true)?;
    let truth = cx.node(v)?;
    crate::budget::charge(cx.g.nodes.len() as u64).map_err(|e| e.to_string())?;
    Ok(Compiled {
        graph: cx.g,
        truth,
        conds,
        len: if seq { len } else { 1 },
    })
}

type Env = HashMap<String, Sv>;
/// A broadcast's shape and, per element, the elements of the operands.
type Broadcast = (Vec<usize>, Vec<(u32, u32)>);

struct Compiler<'a, 's> {
    it: &'a Interp<'s>,
    g: Graph,
    /// Nodes holding booleans (comparisons, `not`, True/False).
    bools: Vec<NodeId>,
    depth: usize,
}

/// What a block of statements did.
enum Flow {
    Next,
    Return(Sv),
}

impl Compiler<'_, '_> {
    fn push(&mut self, op: Op, shape: Vec<usize>) -> C<NodeId> {
        self.g.push(op, shape).map_err(|e| e.to_string())
    }

    fn constant(&mut self, t: &Tensor<Num>) -> C<NodeId> {
        let vals: Vec<Num> = t.value().iter().cloned().collect();
        let (v, info) = floats(&vals)?;
        Ok(self.g.constant(v, t.shape().to_vec(), info))
    }

    fn scalar(&mut self, x: i64) -> NodeId {
        self.g.constant(
            vec![x as f64],
            vec![],
            Info {
                mag: x.unsigned_abs() as f64,
                err: 0.0,
                grain: Some(0),
            },
        )
    }

    fn value(&mut self, v: Value) -> C<Sv> {
        Ok(match v {
            Value::T(t) => Sv::N(self.constant(&t)?),
            Value::Bool(b) => {
                let n = self.scalar(i64::from(b));
                self.bools.push(n);
                Sv::N(n)
            }
            v @ (Value::List(_)
            | Value::Tuple(_)
            | Value::Func(_)
            | Value::Builtin(_)
            | Value::Act(_)
            | Value::Namespace(_)
            | Value::Str(_)
            | Value::None
            | Value::Range(..)) => Sv::Py(v),
            other => return Err(format!("a {}", other.type_name())),
        })
    }

    /// A tensor node of a tensor value (rows are stacked). Lists are not
    /// taken: their truth, `+` and `==` are Python's, not numpy's.
    fn node(&mut self, v: Sv) -> C<NodeId> {
        match v {
            Sv::N(n) => Ok(n),
            Sv::Rows(rows) => self.stack(&rows),
            Sv::Lst(_) => Err("a list where a tensor is needed".into()),
            Sv::Py(v) => Err(format!("a {} where a tensor is needed", v.type_name())),
        }
    }

    /// A tensor node where numpy makes lists into arrays (an argument, an
    /// operand beside an array).
    fn tensor_arg(&mut self, v: Sv) -> C<NodeId> {
        match v {
            Sv::Lst(items) => self.stack(&items),
            Sv::Py(v @ (Value::List(_) | Value::Tuple(_))) => {
                let t = self
                    .it
                    .tensor(&v, super::Span::default())
                    .map_err(|e| e.message)?;
                self.constant(&t)
            }
            v => self.node(v),
        }
    }

    /// Both operands of an arithmetic operator or a comparison, when at
    /// least one is a tensor (else the operator is Python's own).
    fn arrays(&mut self, x: Sv, y: Sv) -> C<(Sv, Sv)> {
        let array = |v: &Sv| matches!(v, Sv::N(_) | Sv::Rows(_));
        if !(array(&x) || array(&y)) {
            return Err("an operator on lists or Python values".into());
        }
        let fix = |c: &mut Self, v: Sv| -> C<Sv> {
            Ok(match v {
                v @ (Sv::N(_) | Sv::Rows(_)) => v,
                v => Sv::N(c.tensor_arg(v)?),
            })
        };
        Ok((fix(self, x)?, fix(self, y)?))
    }

    fn stack(&mut self, rows: &[NodeId]) -> C<NodeId> {
        let Some(&first) = rows.first() else {
            return Err("an empty stack".into());
        };
        let shape = self.g.node(first).shape.clone();
        if rows.iter().any(|&r| self.g.node(r).shape != shape) {
            return Err("rows of different shapes".into());
        }
        let mut out = vec![rows.len()];
        out.extend_from_slice(&shape);
        self.push(Op::Stack(rows.to_vec()), out)
    }

    /// Whether a node holds booleans (an element of one, too).
    fn is_bool(&self, n: NodeId) -> bool {
        match self.g.node(n).op {
            _ if self.bools.contains(&n) => true,
            Op::Select(a, _) => self.is_bool(a),
            _ => false,
        }
    }

    fn shape(&self, n: NodeId) -> Vec<usize> {
        self.g.node(n).shape.clone()
    }

    fn is_const(&self, n: NodeId, f: impl Fn(f64) -> bool) -> bool {
        let node = self.g.node(n);
        matches!(&node.op, Op::Const(v) if node.info.exact() && v.iter().all(|x| f(*x)))
    }

    fn block(&mut self, body: &[Stmt], env: &mut Env) -> C<Flow> {
        for s in body {
            if let Flow::Return(v) = self.stmt(s, env)? {
                return Ok(Flow::Return(v));
            }
        }
        Ok(Flow::Next)
    }

    fn stmt(&mut self, s: &Stmt, env: &mut Env) -> C<Flow> {
        match &s.kind {
            StmtKind::Assign(targets, e) => {
                let v = self.expr(e, env, false)?;
                for t in targets {
                    let Target::Name(n, _) = t else {
                        return Err("an assignment to an element or a tuple".into());
                    };
                    env.insert(n.clone(), v.clone());
                }
                Ok(Flow::Next)
            }
            StmtKind::Return(e) => Ok(Flow::Return(match e {
                Some(e) => self.expr(e, env, false)?,
                None => Sv::Py(Value::None),
            })),
            StmtKind::Pass => Ok(Flow::Next),
            StmtKind::If(branches, otherwise) => {
                for (cond, body) in branches {
                    let c = self.expr(cond, env, false)?;
                    if self.static_truth(c)? {
                        return self.block(body, env);
                    }
                }
                match otherwise {
                    Some(b) => self.block(b, env),
                    None => Ok(Flow::Next),
                }
            }
            StmtKind::For(Target::Name(n, _), iter, body) => {
                let items: Vec<Sv> = match self.expr(iter, env, false)? {
                    Sv::Rows(rows) => rows.into_iter().map(Sv::N).collect(),
                    Sv::N(x) => self.rows_of(x)?.into_iter().map(Sv::N).collect(),
                    Sv::Py(Value::Range(a, b, step)) if step != 0 => {
                        let mut v = Vec::new();
                        let mut i = a;
                        while (step > 0 && i < b) || (step < 0 && i > b) {
                            if v.len() >= UNROLL {
                                return Err("a long loop".into());
                            }
                            let n = self.scalar(i);
                            v.push(Sv::N(n));
                            i += step;
                        }
                        v
                    }
                    _ => return Err("a loop over something else than rows or a range".into()),
                };
                if items.len() > UNROLL {
                    return Err("a long loop".into());
                }
                for item in items {
                    env.insert(n.clone(), item);
                    match self.block(body, env)? {
                        Flow::Next => {}
                        Flow::Return(_) => return Err("a return inside a loop".into()),
                    }
                }
                Ok(Flow::Next)
            }
            _ => Err("a statement the bulk path does not follow".into()),
        }
    }

    /// The truth of a condition known when compiling (a constant).
    fn static_truth(&mut self, c: Sv) -> C<bool> {
        match c {
            Sv::N(n) => match &self.g.node(n).op {
                Op::Const(v) if self.g.node(n).info.exact() && v.len() == 1 => Ok(v[0] != 0.0),
                _ => Err("a branch on a value that varies".into()),
            },
            Sv::Py(Value::None) => Ok(false),
            _ => Err("a branch on a value that varies".into()),
        }
    }

    /// The rows of a tensor node along its first axis.
    fn rows_of(&mut self, x: NodeId) -> C<Vec<NodeId>> {
        let shape = self.shape(x);
        let Some((&n, rest)) = shape.split_first() else {
            return Err("iterating over a number".into());
        };
        let k: usize = rest.iter().product();
        (0..n)
            .map(|i| {
                let idx = (i * k..(i + 1) * k).map(|j| j as u32).collect();
                self.push(Op::Select(x, idx), rest.to_vec())
            })
            .collect()
    }

    fn lookup(&mut self, name: &str, env: &Env, top: bool) -> C<Sv> {
        if let Some(v) = env.get(name) {
            return Ok(v.clone());
        }
        // The rule's own scope at the top; a function body sees the globals.
        let v = if top {
            self.it.lookup(name)
        } else {
            self.it.global(name)
        };
        match v {
            Some(v) => self.value(v),
            None => Err(format!("an unknown name `{name}`")),
        }
    }

    fn expr(&mut self, e: &Expr, env: &mut Env, top: bool) -> C<Sv> {
        match &e.kind {
            ExprKind::Num(text) => {
                let n = Num::parse(text).map_err(|e| e.to_string())?;
                let t = Tensor::scalar(n);
                Ok(Sv::N(self.constant(&t)?))
            }
            ExprKind::Bool(b) => self.value(Value::Bool(*b)),
            ExprKind::None => Ok(Sv::Py(Value::None)),
            ExprKind::Str(s) => Ok(Sv::Py(Value::Str(s.as_str().into()))),
            ExprKind::Name(n) => self.lookup(n, env, top),
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                let mut rows = Vec::new();
                for x in items {
                    let v = self.expr(x, env, top)?;
                    rows.push(self.tensor_arg(v)?);
                }
                Ok(Sv::Lst(rows))
            }
            ExprKind::Neg(x) => {
                let v = self.expr(x, env, top)?;
                self.map_rows(v, |c, n| c.push(Op::Map(Un::Neg, n), c.shape(n)))
            }
            ExprKind::Pos(x) => self.expr(x, env, top),
            ExprKind::Not(x) => {
                let v = self.expr(x, env, top)?;
                let n = self.node(v)?;
                if self.g.node(n).numel() != 1 {
                    return Err("`not` of an array".into());
                }
                let r = self.push(Op::Map(Un::Not, n), vec![])?;
                self.bools.push(r);
                Ok(Sv::N(r))
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let (x, y) = (self.expr(a, env, top)?, self.expr(b, env, top)?);
                let (x, y) = (self.node(x)?, self.node(y)?);
                let one = |c: &Self, n: NodeId| c.is_bool(n) && c.g.node(n).numel() == 1;
                if !(one(self, x) && one(self, y)) {
                    return Err("`and`/`or` of values that are not single booleans".into());
                }
                let (sx, sy) = (self.shape(x), self.shape(y));
                let xy = self.zip(Bin::Mul, x, y)?;
                let r = if matches!(e.kind, ExprKind::And(..)) {
                    xy
                } else {
                    let s = self.zip(Bin::Add, x, y)?;
                    self.zip(Bin::Sub, s, xy)?
                };
                // Python gives the operand itself: keep its shape.
                let r = if sx == sy {
                    r
                } else {
                    return Err("`and`/`or` of differently shaped booleans".into());
                };
                self.bools.push(r);
                Ok(Sv::N(r))
            }
            ExprKind::IfElse(c, a, b) => {
                let cv = self.expr(c, env, top)?;
                if self.static_truth(cv)? {
                    self.expr(a, env, top)
                } else {
                    self.expr(b, env, top)
                }
            }
            ExprKind::Binary(op, a, b) => {
                let (x, y) = (self.expr(a, env, top)?, self.expr(b, env, top)?);
                let (x, y) = self.arrays(x, y)?;
                let bin = match op {
                    BinOp::Add => Bin::Add,
                    BinOp::Sub => Bin::Sub,
                    BinOp::Mul => Bin::Mul,
                    BinOp::Div => Bin::Div,
                    BinOp::MatMul => return self.matmul_sv(x, y),
                    _ => return Err("an operator the bulk path does not follow".into()),
                };
                self.binary(bin, x, y)
            }
            ExprKind::Compare(a, rest) => {
                let [(op, b)] = rest.as_slice() else {
                    return Err("a chained comparison".into());
                };
                let cmp = match op {
                    CmpOp::Eq => Cmp::Eq,
                    CmpOp::Ne => Cmp::Ne,
                    CmpOp::Lt => Cmp::Lt,
                    CmpOp::Le => Cmp::Le,
                    CmpOp::Gt => Cmp::Gt,
                    CmpOp::Ge => Cmp::Ge,
                    _ => return Err("a membership or identity test".into()),
                };
                let (x, y) = (self.expr(a, env, top)?, self.expr(b, env, top)?);
                let (x, y) = self.arrays(x, y)?;
                let (x, y) = (self.node(x)?, self.node(y)?);
                Ok(Sv::N(self.compare(cmp, x, y)?))
            }
            ExprKind::Index(obj, items) => {
                let v = match self.expr(obj, env, top)? {
                    v @ (Sv::Lst(_) | Sv::Py(Value::List(_) | Value::Tuple(_))) => {
                        Sv::N(self.tensor_arg(v)?)
                    }
                    v => v,
                };
                let mut idx = Vec::new();
                for it in items {
                    idx.push(match it {
                        IndexItem::Expr(x) => {
                            let v = self.expr(x, env, top)?;
                            Some(self.int_of(v)?)
                        }
                        IndexItem::Slice(None, None, None) => None,
                        IndexItem::Slice(..) => return Err("a slice with bounds".into()),
                    });
                }
                self.index(v, &idx)
            }
            ExprKind::Attr(obj, name) => match self.expr(obj, env, top)? {
                Sv::Py(Value::Namespace(ns)) => match super::builtins::resolve(&ns, name) {
                    Some(v) => self.value(v),
                    None => Err(format!("`{ns}.{name}`")),
                },
                _ => Err("an attribute".into()),
            },
            ExprKind::Call(f, args, kwargs) => {
                // `x.sum()`: every element.
                if let ExprKind::Attr(obj, m) = &f.kind {
                    if m == "sum" && args.is_empty() && kwargs.is_empty() {
                        let v = self.expr(obj, env, top)?;
                        if !matches!(v, Sv::Py(_)) {
                            let n = self.node(v)?;
                            return Ok(Sv::N(self.sum_all(n)?));
                        }
                    }
                }
                let fv = self.expr(f, env, top)?;
                let mut a = Vec::new();
                for x in args {
                    a.push(self.expr(x, env, top)?);
                }
                let mut kw = Vec::new();
                for k in kwargs {
                    kw.push((k.name.clone(), self.expr(&k.value, env, top)?));
                }
                self.call(fv, a, kw)
            }
            _ => Err("an expression the bulk path does not follow".into()),
        }
    }

    fn int_of(&mut self, v: Sv) -> C<i64> {
        if let Sv::N(n) = v {
            let node = self.g.node(n);
            if let (Op::Const(vals), true) = (&node.op, node.info.exact()) {
                if let [x] = vals.as_slice() {
                    if x.fract() == 0.0 && x.abs() < 1e15 {
                        return Ok(*x as i64);
                    }
                }
            }
        }
        Err("an index that is not a constant integer".into())
    }

    /// Applies `f` to a tensor, row by row to rows.
    fn map_rows(&mut self, v: Sv, f: impl Fn(&mut Self, NodeId) -> C<NodeId>) -> C<Sv> {
        match v {
            Sv::N(n) => Ok(Sv::N(f(self, n)?)),
            Sv::Rows(rows) => Ok(Sv::Rows(
                rows.into_iter().map(|r| f(self, r)).collect::<C<_>>()?,
            )),
            _ => Err("arithmetic on a list or a Python value".into()),
        }
    }

    /// numpy's broadcasting of two element shapes: the shape and, for each
    /// element of the result, the elements of the operands.
    fn broadcast(a: &[usize], b: &[usize]) -> C<Broadcast> {
        let nd = a.len().max(b.len());
        let pad = |s: &[usize]| {
            let mut v = vec![1; nd - s.len()];
            v.extend_from_slice(s);
            v
        };
        let (pa, pb) = (pad(a), pad(b));
        let mut out = Vec::with_capacity(nd);
        for (x, y) in pa.iter().zip(&pb) {
            out.push(match (x, y) {
                (x, y) if x == y => *x,
                (1, y) => *y,
                (x, 1) => *x,
                _ => return Err("shapes that do not broadcast".into()),
            });
        }
        let strides = |s: &[usize]| {
            let mut st = vec![0usize; nd];
            let mut acc = 1;
            for d in (0..nd).rev() {
                st[d] = if s[d] == 1 { 0 } else { acc };
                acc *= s[d];
            }
            st
        };
        let (sa, sb) = (strides(&pa), strides(&pb));
        let total: usize = out.iter().product();
        let mut pairs = Vec::with_capacity(total);
        let mut ix = vec![0usize; nd];
        for _ in 0..total {
            let i: usize = ix.iter().zip(&sa).map(|(i, s)| i * s).sum();
            let j: usize = ix.iter().zip(&sb).map(|(i, s)| i * s).sum();
            pairs.push((i as u32, j as u32));
            for d in (0..nd).rev() {
                ix[d] += 1;
                if ix[d] < out[d] {
                    break;
                }
                ix[d] = 0;
            }
        }
        Ok((out, pairs))
    }

    fn zip(&mut self, op: Bin, x: NodeId, y: NodeId) -> C<NodeId> {
        let (sx, sy) = (self.shape(x), self.shape(y));
        let (shape, pairs) = Self::broadcast(&sx, &sy)?;
        // Identities that change nothing: x + 0, x − 0, x · 1, x / 1.
        if shape == sx {
            let neutral = match op {
                Bin::Add | Bin::Sub => self.is_const(y, |v| v == 0.0),
                Bin::Mul | Bin::Div => self.is_const(y, |v| v == 1.0),
            };
            if neutral {
                return Ok(x);
            }
        }
        if shape == sy && op == Bin::Add && self.is_const(x, |v| v == 0.0) {
            return Ok(y);
        }
        if shape == sy && op == Bin::Mul && self.is_const(x, |v| v == 1.0) {
            return Ok(y);
        }
        self.push(Op::Zip(op, x, y, pairs), shape)
    }

    /// A binary operation with rows: row by row when the other operand
    /// broadcasts against one row (or is rows of the same count).
    fn binary(&mut self, op: Bin, x: Sv, y: Sv) -> C<Sv> {
        match (x, y) {
            (Sv::N(a), Sv::N(b)) => Ok(Sv::N(self.zip(op, a, b)?)),
            (Sv::Rows(r), Sv::N(b)) => {
                let per_row = self.row_operand(&r, b)?;
                let out = r
                    .iter()
                    .zip(per_row)
                    .map(|(&x, y)| self.zip(op, x, y))
                    .collect::<C<_>>()?;
                Ok(Sv::Rows(out))
            }
            (Sv::N(a), Sv::Rows(r)) => {
                let per_row = self.row_operand(&r, a)?;
                let out = r
                    .iter()
                    .zip(per_row)
                    .map(|(&y, x)| self.zip(op, x, y))
                    .collect::<C<_>>()?;
                Ok(Sv::Rows(out))
            }
            (Sv::Rows(p), Sv::Rows(q)) if p.len() == q.len() => Ok(Sv::Rows(
                p.iter()
                    .zip(&q)
                    .map(|(&x, &y)| self.zip(op, x, y))
                    .collect::<C<_>>()?,
            )),
            (x, y) => {
                let (a, b) = (self.node(x)?, self.node(y)?);
                Ok(Sv::N(self.zip(op, a, b)?))
            }
        }
    }

    /// What each row of `rows` meets of `b` under broadcasting.
    fn row_operand(&mut self, rows: &[NodeId], b: NodeId) -> C<Vec<NodeId>> {
        let row = self.shape(rows[0]);
        let sb = self.shape(b);
        if sb.len() <= row.len() {
            return Ok(vec![b; rows.len()]);
        }
        if sb.len() == row.len() + 1 {
            if sb[0] == 1 {
                let r = self.rows_of(b)?;
                return Ok(vec![r[0]; rows.len()]);
            }
            if sb[0] == rows.len() {
                return self.rows_of(b);
            }
        }
        Err("shapes that do not broadcast".into())
    }

    fn compare(&mut self, op: Cmp, x: NodeId, y: NodeId) -> C<NodeId> {
        // σ(z) ⋈ 1/2 is z ⋈ 0 (σ increases, σ(0) = 1/2): decided without
        // the sigmoid's rounding, and z = 0 is the boundary.
        let half = |c: &Self, n: NodeId| c.is_const(n, |v| v == 0.5);
        let sig = |c: &Self, n: NodeId| match c.g.node(n).op {
            Op::Map(Un::Sigmoid, z) => Some(z),
            _ => None,
        };
        let (sx, sy) = (self.shape(x), self.shape(y));
        if let (Some(z), true) = (sig(self, x), half(self, y)) {
            if Self::broadcast(&sx, &sy)?.0 == sx {
                let r = self.push(Op::SignCmp(op, z), sx)?;
                self.g.covered(x);
                self.bools.push(r);
                return Ok(r);
            }
        }
        if let (true, Some(z)) = (half(self, x), sig(self, y)) {
            if Self::broadcast(&sx, &sy)?.0 == sy {
                let r = self.push(Op::SignCmp(op.flip(), z), sy)?;
                self.g.covered(y);
                self.bools.push(r);
                return Ok(r);
            }
        }
        let (shape, pairs) = Self::broadcast(&sx, &sy)?;
        let r = self.push(Op::Compare(op, x, y, pairs), shape)?;
        self.bools.push(r);
        Ok(r)
    }

    fn matmul_sv(&mut self, x: Sv, y: Sv) -> C<Sv> {
        let fix = |c: &mut Self, v: Sv| -> C<Sv> {
            Ok(match v {
                v @ (Sv::N(_) | Sv::Rows(_)) => v,
                v => Sv::N(c.tensor_arg(v)?),
            })
        };
        let (x, y) = (fix(self, x)?, fix(self, y)?);
        match (x, y) {
            // [T, k] @ [k, m] or [T, k] @ [k]: row by row.
            (Sv::Rows(r), Sv::N(b)) if self.shape(r[0]).len() == 1 => Ok(Sv::Rows(
                r.iter().map(|&x| self.matmul(x, b)).collect::<C<_>>()?,
            )),
            (x, y) => {
                let (a, b) = (self.node(x)?, self.node(y)?);
                Ok(Sv::N(self.matmul(a, b)?))
            }
        }
    }

    /// numpy's `@` for 1-d and 2-d operands.
    fn matmul(&mut self, x: NodeId, y: NodeId) -> C<NodeId> {
        let (sx, sy) = (self.shape(x), self.shape(y));
        let (shape, terms): (Vec<usize>, Vec<Vec<(u32, u32)>>) =
            match (sx.as_slice(), sy.as_slice()) {
                ([n, k], [k2, m]) if k == k2 => (
                    vec![*n, *m],
                    (0..n * m)
                        .map(|o| {
                            let (i, j) = (o / m, o % m);
                            (0..*k)
                                .map(|t| ((i * k + t) as u32, (t * m + j) as u32))
                                .collect()
                        })
                        .collect(),
                ),
                ([n, k], [k2]) if k == k2 => (
                    vec![*n],
                    (0..*n)
                        .map(|i| (0..*k).map(|t| ((i * k + t) as u32, t as u32)).collect())
                        .collect(),
                ),
                ([k], [k2, m]) if k == k2 => (
                    vec![*m],
                    (0..*m)
                        .map(|j| (0..*k).map(|t| (t as u32, (t * m + j) as u32)).collect())
                        .collect(),
                ),
                ([k], [k2]) if k == k2 => (
                    vec![],
                    vec![(0..*k).map(|t| (t as u32, t as u32)).collect()],
                ),
                _ => return Err("a matrix product of these shapes".into()),
            };
        // An identity matrix times a vector is the vector.
        if let ([n, n2], [_]) = (sx.as_slice(), sy.as_slice()) {
            let node = self.g.node(x);
            if n == n2 && node.info.exact() {
                if let Op::Const(v) = &node.op {
                    let identity = v
                        .iter()
                        .enumerate()
                        .all(|(i, x)| *x == if i / n == i % n { 1.0 } else { 0.0 });
                    if identity {
                        return Ok(y);
                    }
                }
            }
        }
        self.push(Op::Dot(x, y, terms), shape)
    }

    /// Indexing with constant integers and full slices.
    fn index(&mut self, v: Sv, idx: &[Option<i64>]) -> C<Sv> {
        match v {
            Sv::Rows(rows) => {
                let Some((first, rest)) = idx.split_first() else {
                    return Ok(Sv::Rows(rows));
                };
                match first {
                    Some(i) => {
                        let r = wrap(*i, rows.len())?;
                        self.index(Sv::N(rows[r]), rest)
                    }
                    None => {
                        let mut out = Vec::new();
                        for r in rows {
                            match self.index(Sv::N(r), rest)? {
                                Sv::N(n) => out.push(n),
                                _ => return Err("an index of rows".into()),
                            }
                        }
                        Ok(Sv::Rows(out))
                    }
                }
            }
            Sv::N(n) => {
                let shape = self.shape(n);
                if idx.len() > shape.len() {
                    return Err("too many indices".into());
                }
                // The kept axes and the fixed ones.
                let mut ranges: Vec<Vec<usize>> = Vec::new();
                let mut out_shape = Vec::new();
                for (d, &size) in shape.iter().enumerate() {
                    match idx.get(d) {
                        Some(Some(i)) => ranges.push(vec![wrap(*i, size)?]),
                        _ => {
                            ranges.push((0..size).collect());
                            out_shape.push(size);
                        }
                    }
                }
                let mut strides = vec![1usize; shape.len()];
                for d in (0..shape.len().saturating_sub(1)).rev() {
                    strides[d] = strides[d + 1] * shape[d + 1];
                }
                let mut sel: Vec<u32> = vec![0];
                for (r, &stride) in ranges.iter().zip(&strides) {
                    sel = sel
                        .iter()
                        .flat_map(|&base| r.iter().map(move |&i| base + (i * stride) as u32))
                        .collect();
                }
                if out_shape == shape {
                    return Ok(Sv::N(n));
                }
                Ok(Sv::N(self.push(Op::Select(n, sel), out_shape)?))
            }
            _ => Err("an index into a list or a Python value".into()),
        }
    }

    fn sum_all(&mut self, n: NodeId) -> C<NodeId> {
        let k = self.g.node(n).numel();
        if k == 1 {
            return self.push(Op::Select(n, vec![0]), vec![]);
        }
        self.push(Op::Sum(n, vec![(0..k as u32).collect()]), vec![])
    }

    /// The sum over the first axis.
    fn sum_rows(&mut self, v: Sv) -> C<NodeId> {
        match v {
            Sv::Rows(rows) => {
                let Some((&first, rest)) = rows.split_first() else {
                    return Err("sum() of nothing".into());
                };
                let mut acc = first;
                for &r in rest {
                    acc = self.zip(Bin::Add, acc, r)?;
                }
                Ok(acc)
            }
            Sv::N(n) => {
                let shape = self.shape(n);
                let Some((&rows, rest)) = shape.split_first() else {
                    return Err("sum() of a number".into());
                };
                let k: usize = rest.iter().product();
                let groups = (0..k)
                    .map(|j| (0..rows).map(|i| (i * k + j) as u32).collect())
                    .collect();
                self.push(Op::Sum(n, groups), rest.to_vec())
            }
            v @ (Sv::Lst(_) | Sv::Py(Value::List(_) | Value::Tuple(_))) => {
                let n = self.tensor_arg(v)?;
                self.sum_rows(Sv::N(n))
            }
            _ => Err("sum() of a Python value".into()),
        }
    }

    fn act(&mut self, a: Activation, v: Sv) -> C<Sv> {
        let un = match a {
            Activation::Identity => return Ok(v),
            Activation::Relu => Un::Relu,
            Activation::Sigmoid => Un::Sigmoid,
            Activation::Tanh => Un::Tanh,
        };
        self.map_rows(v, |c, n| c.push(Op::Map(un, n), c.shape(n)))
    }

    fn call(&mut self, f: Sv, args: Vec<Sv>, kw: Vec<(String, Sv)>) -> C<Sv> {
        match f {
            Sv::Py(Value::Func(f)) => self.inline(&f, args, kw),
            Sv::Py(Value::Act(a)) if kw.is_empty() => match <[Sv; 1]>::try_from(args) {
                Ok([x]) => self.act(a, x),
                Err(_) => Err("an activation with other arguments".into()),
            },
            Sv::Py(Value::Builtin(name)) => self.builtin(name, args, kw),
            _ => Err("a call of something else than a function".into()),
        }
    }

    fn builtin(&mut self, name: &str, args: Vec<Sv>, kw: Vec<(String, Sv)>) -> C<Sv> {
        let one = |args: Vec<Sv>| -> C<Sv> {
            match <[Sv; 1]>::try_from(args) {
                Ok([x]) => Ok(x),
                Err(_) => Err(format!("{name}() with other arguments")),
            }
        };
        match name {
            "len" if kw.is_empty() => match one(args)? {
                Sv::Rows(r) => Ok(Sv::N(self.scalar(r.len() as i64))),
                v @ (Sv::N(_) | Sv::Lst(_) | Sv::Py(Value::List(_) | Value::Tuple(_))) => {
                    let n = self.tensor_arg(v)?;
                    match self.shape(n).first() {
                        Some(&k) => Ok(Sv::N(self.scalar(k as i64))),
                        None => Err("len() of a number".into()),
                    }
                }
                Sv::Py(_) => Err("len() of something else".into()),
            },
            "sum" if kw.is_empty() => {
                let mut args = args;
                let start = if args.len() == 2 { args.pop() } else { None };
                let s = self.sum_rows(one(args)?)?;
                match start {
                    Some(st) => {
                        let st = self.node(st)?;
                        Ok(Sv::N(self.zip(Bin::Add, s, st)?))
                    }
                    None => Ok(Sv::N(s)),
                }
            }
            "np.sum" => {
                let x = one(args)?;
                match kw.as_slice() {
                    [] => {
                        let n = self.node(x)?;
                        Ok(Sv::N(self.sum_all(n)?))
                    }
                    [(k, ax)] if k == "axis" => {
                        let ax = self.int_of(ax.clone())?;
                        if ax != 0 {
                            return Err("np.sum over another axis than 0".into());
                        }
                        Ok(Sv::N(self.sum_rows(x)?))
                    }
                    _ => Err("np.sum with these arguments".into()),
                }
            }
            "abs" | "np.abs" if kw.is_empty() => {
                let x = one(args)?;
                self.map_rows(x, |c, n| c.push(Op::Map(Un::Abs, n), c.shape(n)))
            }
            "np.array" | "np.asarray" if kw.is_empty() => one(args),
            "rnn" => self.rnn(args, kw),
            _ => Err(format!("the built-in {name}()")),
        }
    }

    /// `rnn(xs, W_hh, W_xh, b_h=None, act=tanh, h0=None)`, step by step as
    /// `nn::recurrent::RnnCell` computes it: h = act(W_hh·h + W_xh·x + b).
    fn rnn(&mut self, args: Vec<Sv>, kw: Vec<(String, Sv)>) -> C<Sv> {
        const NAMES: [&str; 6] = ["xs", "W_hh", "W_xh", "b_h", "act", "h0"];
        let mut slot: Vec<Option<Sv>> = vec![None; 6];
        if args.len() > 6 {
            return Err("rnn() with too many arguments".into());
        }
        for (i, a) in args.into_iter().enumerate() {
            slot[i] = Some(a);
        }
        for (k, v) in kw {
            let Some(i) = NAMES.iter().position(|n| *n == k) else {
                return Err(format!("rnn() with `{k}`"));
            };
            if slot[i].replace(v).is_some() {
                return Err("an argument given twice".into());
            }
        }
        let rows = match slot[0].take() {
            Some(Sv::Rows(r)) => r,
            Some(v @ (Sv::N(_) | Sv::Lst(_) | Sv::Py(Value::List(_) | Value::Tuple(_)))) => {
                let n = self.tensor_arg(v)?;
                self.rows_of(n)?
            }
            _ => return Err("rnn() without a sequence".into()),
        };
        let mut tensor = |c: &mut Self, i: usize| -> C<Option<NodeId>> {
            match slot[i].take() {
                None | Some(Sv::Py(Value::None)) => Ok(None),
                Some(v) => c.tensor_arg(v).map(Some),
            }
        };
        let (Some(w_hh), Some(w_xh)) = (tensor(self, 1)?, tensor(self, 2)?) else {
            return Err("rnn() without its weights".into());
        };
        let b = tensor(self, 3)?;
        let h0 = tensor(self, 5)?;
        let act = match slot[4].take() {
            None => Activation::Tanh,
            Some(Sv::Py(Value::Act(a))) => a,
            Some(Sv::Py(Value::Str(s))) => {
                Activation::from_name(&s).ok_or("an unknown activation")?
            }
            _ => return Err("rnn() with another activation".into()),
        };
        let h = match self.shape(w_hh).as_slice() {
            [r, c] if r == c => *r,
            _ => return Err("W_hh is not square".into()),
        };
        let vector = |c: &mut Self, n: NodeId| -> C<NodeId> {
            match c.shape(n).as_slice() {
                [_] => Ok(n),
                [k, 1] | [1, k] => {
                    let k = *k;
                    c.push(Op::Select(n, (0..k as u32).collect()), vec![k])
                }
                [] => c.push(Op::Select(n, vec![0]), vec![1]),
                _ => Err("not a vector".into()),
            }
        };
        let b = match b {
            Some(b) => Some(vector(self, b)?),
            None => None,
        };
        let mut state = match h0 {
            Some(h0) => vector(self, h0)?,
            None => self.g.constant(
                vec![0.0; h],
                vec![h],
                Info {
                    mag: 0.0,
                    err: 0.0,
                    grain: Some(0),
                },
            ),
        };
        let mut out = Vec::with_capacity(rows.len());
        for x in rows {
            let x = vector(self, x)?;
            if self.shape(w_xh).len() != 2 || self.shape(w_xh)[1] != self.shape(x)[0] {
                return Err("W_xh does not fit x".into());
            }
            if self.shape(state) != [h] {
                return Err("h0 does not fit W_hh".into());
            }
            let hh = self.matmul(w_hh, state)?;
            let mut hx = self.matmul(w_xh, x)?;
            // W_xh·x + b first: it depends on this step's symbol only, so
            // it is a table, and the state meets one addition per step (the
            // exact sum is the same; the floats' error is bounded either way).
            if let Some(b) = b {
                hx = self.zip(Bin::Add, hx, b)?;
            }
            let z = self.zip(Bin::Add, hh, hx)?;
            if self.shape(z) != [h] {
                return Err("a bias that does not fit".into());
            }
            state = match self.act(act, Sv::N(z))? {
                Sv::N(n) => n,
                _ => return Err("an activation".into()),
            };
            out.push(state);
        }
        if out.is_empty() {
            return Err("an empty sequence".into());
        }
        Ok(Sv::Rows(out))
    }

    fn inline(&mut self, f: &Rc<FuncDef>, args: Vec<Sv>, kw: Vec<(String, Sv)>) -> C<Sv> {
        if self.depth >= INLINE_DEPTH {
            return Err("functions nested too deep".into());
        }
        if args.len() > f.params.len() {
            return Err("too many arguments".into());
        }
        let mut env = Env::new();
        for (p, a) in f.params.iter().zip(args) {
            env.insert(p.name.clone(), a);
        }
        for (k, v) in kw {
            if !f.params.iter().any(|p| p.name == k) || env.insert(k, v).is_some() {
                return Err("a keyword argument".into());
            }
        }
        for p in &f.params {
            if !env.contains_key(&p.name) {
                let Some(d) = &p.default else {
                    return Err("a missing argument".into());
                };
                let v = self.expr(d, &mut Env::new(), false)?;
                env.insert(p.name.clone(), v);
            }
        }
        self.depth += 1;
        let r = self.block(&f.body, &mut env);
        self.depth -= 1;
        match r? {
            Flow::Return(v) => Ok(v),
            Flow::Next => Ok(Sv::Py(Value::None)),
        }
    }
}

fn wrap(i: i64, n: usize) -> C<usize> {
    let j = if i < 0 { i + n as i64 } else { i };
    if j < 0 || j >= n as i64 {
        return Err("an index out of range".into());
    }
    Ok(j as usize)
}
