//! The built-in functions of the exercise language: every op, layer, loss,
//! metric and counter of the library, under numpy's names where numpy has
//! one. `np.`, `numpy.`, `sp.special.`, `scipy.special.` and `math.` resolve
//! to the same built-ins. docs/language.md lists them all.

use std::rc::Rc;

pub(crate) mod notes;

use super::explain;
use super::interp::{Interp, R};
use super::parser::{BinOp, Expr};
use super::value::{shape_text, Value};
use super::{ErrorKind, LangError, Span};
use crate::explain::math::{Math, Op as MOp};
use crate::explain::Note;
use crate::metric::{self, Metric};
use crate::nn::act::{self, Activation};
use crate::nn::attention::{multi_head, scaled_dot_product, self_attention, AttentionWeights};
use crate::nn::conv::{self, ConvConfig};
use crate::nn::params::{Convention, Kind, Module, ParamRow, ParamTable};
use crate::nn::{linear, loss, recurrent};
use crate::{Num, Tensor};

/// Every built-in name (also the list `unknown name` hints search).
#[rustfmt::skip]
pub const NAMES: &[&str] = &[
    // tensors
    "array", "tensor", "zeros", "ones", "eye", "full", "arange", "range", "len", "print", "shape",
    "reshape", "transpose", "concatenate", "stack", "dot", "matmul", "abs", "exp", "log", "sqrt",
    "tanh", "sigmoid", "expit", "relu", "identity", "leaky_relu", "softmax", "log_softmax", "step",
    "maximum", "minimum", "max", "min", "amax", "amin", "sum", "mean", "argmax", "argmin", "norm",
    "all", "any", "allclose", "floor", "bits", "vstack", "hstack", "zeros_like", "ones_like",
    "square", "sign", "outer", "clip", "where", "prod", "cumsum", "argsort", "sort", "var", "std",
    "unique", "triu", "tril", "diag", "isclose",
    // layers
    "linear", "conv1d", "conv2d", "max_pool1d", "avg_pool1d", "max_pool2d", "avg_pool2d",
    "conv_out_len", "rnn", "lstm_seq", "gru_seq", "attention", "self_attention",
    "multi_head_attention", "rnn_cell", "lstm", "gru", "conv1d_layer", "attention_layer", "mha_layer",
    // losses
    "mse", "bce", "bce_with_logits", "cross_entropy", "hinge", "contrastive", "triplet",
    "cosine_embedding",
    // metric learning
    "l1", "l2", "sqeuclidean", "cosine", "distance", "pairwise", "centroids", "nearest_centroid",
    "retrieve", "precision", "recall", "precision_at_k", "average_precision", "r_precision",
    // counting, gradients, updates
    "params", "grad", "sgd_step", "adam_step",
    // Python
    "enumerate", "zip", "sorted", "int", "float", "round",
    // namespaces
    "np", "numpy", "sp", "scipy", "math",
];

/// The built-ins numpy has under the same name (`np.…`).
#[rustfmt::skip]
const NUMPY_NAMES: &[&str] = &[
    "array", "zeros", "ones", "eye", "full", "arange", "shape", "reshape", "transpose",
    "concatenate", "stack", "dot", "matmul", "abs", "exp", "log", "sqrt", "tanh", "maximum",
    "minimum", "amax", "amin", "sum", "mean", "argmax", "argmin", "all", "any", "allclose", "floor",
    "vstack", "hstack", "zeros_like", "ones_like", "square", "sign", "outer", "clip", "where",
    "prod", "cumsum", "argsort", "sort", "var", "std", "unique", "triu", "tril", "diag", "isclose",
];

pub fn lookup(name: &str) -> Option<Value> {
    if let Some(a) = Activation::from_name(name).filter(|_| name != "none" && name != "linear") {
        return Some(Value::Act(a));
    }
    if let Some(m) =
        Metric::from_name(name).filter(|_| ["l1", "l2", "sqeuclidean", "cosine"].contains(&name))
    {
        return Some(Value::Metric(m));
    }
    match name {
        "np" | "numpy" => Some(Value::Namespace("np".into())),
        "sp" | "scipy" => Some(Value::Namespace("sp".into())),
        "math" => Some(Value::Namespace("math".into())),
        _ => NAMES
            .iter()
            .find(|n| **n == name)
            .map(|n| Value::Builtin(n)),
    }
}

/// The namespace an `import` binds.
pub fn namespace_of(module: &str) -> Option<Value> {
    let ns = match module {
        "numpy" => "np",
        "numpy.linalg" => "np.linalg",
        "scipy" => "sp",
        "scipy.special" => "sp.special",
        "math" => "math",
        _ => return None,
    };
    Some(Value::Namespace(ns.into()))
}

/// `ns.name`.
pub fn resolve(ns: &str, name: &str) -> Option<Value> {
    match (ns, name) {
        ("np", "linalg") => Some(Value::Namespace("np.linalg".into())),
        ("np.linalg", "norm") => lookup("norm"),
        ("sp", "special") => Some(Value::Namespace("sp.special".into())),
        ("sp.special", "softmax" | "log_softmax" | "expit") => lookup(name),
        ("math", "sqrt" | "exp" | "log" | "tanh" | "floor") => lookup(name),
        ("np", "newaxis") => Some(Value::None),
        // Irrational constants: guaranteed intervals.
        ("np" | "math", "pi") => Some(Value::num(Num::pi())),
        ("np" | "math", "e") => Some(Value::num(Num::e())),
        // np.max(x, 0) reduces over axis 0; Python's max(a, b) is elementwise.
        ("np", "max") => lookup("amax"),
        ("np", "min") => lookup("amin"),
        // np.identity(n) is the identity matrix, not the identity activation.
        ("np", "identity") => lookup("eye"),
        // np.sum adds everything (or along `axis`); Python's sum adds the items.
        ("np", "sum") => Some(Value::Builtin("np.sum")),
        // Only what numpy itself has: np.relu or np.conv1d would not run
        // under numpy, so they are not read as gradwork's built-ins.
        ("np", n) if NUMPY_NAMES.contains(&n) => lookup(n),
        _ => None,
    }
}

/// Arguments of one call, taken by position or keyword.
pub(crate) struct Args<'a, 's> {
    it: &'a Interp<'s>,
    name: &'a str,
    pos: Vec<(Value, Span)>,
    kw: Vec<(String, Value, Span)>,
    span: Span,
    used_pos: usize,
    known: Vec<&'static str>,
}

impl<'a, 's> Args<'a, 's> {
    fn new(
        it: &'a Interp<'s>,
        name: &'a str,
        pos: Vec<(Value, Span)>,
        kw: Vec<(String, Value, Span)>,
        span: Span,
    ) -> Self {
        Args {
            it,
            name,
            pos,
            kw,
            span,
            used_pos: 0,
            known: Vec::new(),
        }
    }
    fn err(&self, kind: ErrorKind, msg: String, span: Span, hint: Option<&str>) -> LangError {
        LangError::new(kind, msg, span, hint)
    }
    /// Positional `i` or keyword `key`.
    fn get(&mut self, i: usize, key: &'static str) -> Option<(Value, Span)> {
        self.known.push(key);
        if let Some(k) = self.kw.iter().position(|(n, _, _)| n == key) {
            let (_, v, s) = self.kw.remove(k);
            return Some((v, s));
        }
        if i < self.pos.len() {
            self.used_pos = self.used_pos.max(i + 1);
            return Some(self.pos[i].clone());
        }
        None
    }
    fn has(&self, key: &str) -> bool {
        self.kw.iter().any(|(n, _, _)| n == key)
    }
    fn required(&mut self, i: usize, key: &'static str) -> R<(Value, Span)> {
        self.get(i, key).ok_or_else(|| {
            self.err(
                ErrorKind::Type,
                format!("{}() needs the argument `{key}`", self.name),
                self.span,
                None,
            )
        })
    }
    fn tensor(&mut self, i: usize, key: &'static str) -> R<Tensor<Num>> {
        let (v, s) = self.required(i, key)?;
        self.it.tensor(&v, s)
    }
    fn opt_tensor(&mut self, i: usize, key: &'static str) -> R<Option<Tensor<Num>>> {
        match self.get(i, key) {
            None | Some((Value::None, _)) => Ok(None),
            Some((v, s)) => Ok(Some(self.it.tensor(&v, s)?)),
        }
    }
    fn num(&mut self, i: usize, key: &'static str, default: Option<&str>) -> R<Num> {
        match self.get(i, key) {
            None => match default {
                Some(d) => Ok(Num::parse(d).expect("built-in default literals parse")),
                None => Err(self.err(
                    ErrorKind::Type,
                    format!("{}() needs the argument `{key}`", self.name),
                    self.span,
                    None,
                )),
            },
            Some((v, s)) => {
                let t = self.it.tensor(&v, s)?;
                t.item().map_err(|_| {
                    self.err(
                        ErrorKind::Type,
                        format!(
                            "`{key}` must be a single number, got shape {}",
                            shape_text(t.shape())
                        ),
                        s,
                        None,
                    )
                })
            }
        }
    }
    fn int(&mut self, i: usize, key: &'static str, default: Option<i64>) -> R<i64> {
        match self.get(i, key) {
            None => default.ok_or_else(|| {
                self.err(
                    ErrorKind::Type,
                    format!("{}() needs the argument `{key}`", self.name),
                    self.span,
                    None,
                )
            }),
            Some((v, s)) => {
                let t = self.it.tensor(&v, s)?;
                t.item().ok().and_then(|n| n.to_i64()).ok_or_else(|| {
                    self.err(
                        ErrorKind::Type,
                        format!("`{key}` must be an integer"),
                        s,
                        None,
                    )
                })
            }
        }
    }
    fn usize(&mut self, i: usize, key: &'static str, default: Option<usize>) -> R<usize> {
        let sp = self.span;
        let v = self.int(i, key, default.map(|d| d as i64))?;
        usize::try_from(v).map_err(|_| {
            self.err(
                ErrorKind::Value,
                format!("`{key}` must not be negative, got {v}"),
                sp,
                None,
            )
        })
    }
    fn opt_axis(&mut self, i: usize) -> R<Option<i64>> {
        match self.get(i, "axis") {
            None | Some((Value::None, _)) => Ok(None),
            Some((v, s)) => {
                let t = self.it.tensor(&v, s)?;
                t.item()
                    .ok()
                    .and_then(|n| n.to_i64())
                    .map(Some)
                    .ok_or_else(|| {
                        self.err(ErrorKind::Type, "`axis` must be an integer".into(), s, None)
                    })
            }
        }
    }
    fn flag(&mut self, i: usize, key: &'static str, default: bool) -> R<bool> {
        match self.get(i, key) {
            None => Ok(default),
            Some((v, s)) => self.it.truthy(&v, s),
        }
    }
    fn string(&mut self, i: usize, key: &'static str) -> R<Option<(String, Span)>> {
        match self.get(i, key) {
            None => Ok(None),
            Some((Value::Str(x), s)) => Ok(Some((x.to_string(), s))),
            Some((v, s)) => Err(self.err(
                ErrorKind::Type,
                format!("`{key}` must be a string, got a {}", v.type_name()),
                s,
                None,
            )),
        }
    }
    /// A named choice given as a value (`act=relu`) or a string (`"relu"`).
    fn choice<V>(
        &mut self,
        i: usize,
        key: &'static str,
        default: V,
        (what, hint): (&str, &str),
        of_value: fn(&Value) -> Option<V>,
        of_name: fn(&str) -> Option<V>,
    ) -> R<V> {
        match self.get(i, key) {
            None => Ok(default),
            Some((v, s)) => {
                if let Some(c) = of_value(&v) {
                    return Ok(c);
                }
                let (kind, msg) = match &v {
                    Value::Str(x) => match of_name(x) {
                        Some(c) => return Ok(c),
                        None => (ErrorKind::Value, format!("unknown {what} \"{x}\"")),
                    },
                    v => (
                        ErrorKind::Type,
                        format!("`{key}` must be a {what}, got a {}", v.type_name()),
                    ),
                };
                Err(self.err(kind, msg, s, Some(hint)))
            }
        }
    }
    fn act(&mut self, i: usize, key: &'static str, default: Activation) -> R<Activation> {
        let of_value = |v: &Value| match v {
            Value::Act(a) => Some(*a),
            _ => None,
        };
        self.choice(
            i,
            key,
            default,
            ("activation", "use identity, relu, tanh or sigmoid"),
            of_value,
            Activation::from_name,
        )
    }
    fn metric(&mut self, i: usize, default: Metric) -> R<Metric> {
        let of_value = |v: &Value| match v {
            Value::Metric(m) => Some(*m),
            _ => None,
        };
        self.choice(
            i,
            "metric",
            default,
            ("distance", "use l1, l2, sqeuclidean or cosine"),
            of_value,
            Metric::from_name,
        )
    }
    fn conv_config(&mut self, first: usize) -> R<ConvConfig> {
        Ok(ConvConfig {
            stride: self.usize(first, "stride", Some(1))?,
            padding: self.usize(first + 1, "padding", Some(0))?,
            dilation: self.usize(first + 2, "dilation", Some(1))?,
        })
    }
    /// Rejects arguments no parameter took.
    fn finish(self) -> R<()> {
        if let Some((k, _, s)) = self.kw.first() {
            let hint = format!("{}() takes {}", self.name, self.known.join(", "));
            return Err(self.err(
                ErrorKind::Type,
                format!("{}() has no parameter `{k}`", self.name),
                *s,
                Some(&hint),
            ));
        }
        if self.pos.len() > self.used_pos {
            let s = self.pos[self.used_pos].1;
            return Err(self.err(
                ErrorKind::Type,
                format!(
                    "{}() takes at most {} positional arguments, got {}",
                    self.name,
                    self.used_pos,
                    self.pos.len()
                ),
                s,
                None,
            ));
        }
        Ok(())
    }
}

/// The single tensor argument of an activation or a layer call.
pub(crate) fn one_tensor(
    it: &Interp,
    what: &str,
    args: &[(Value, Span)],
    span: Span,
) -> R<Tensor<Num>> {
    match args {
        [(v, s)] => it.tensor(v, *s),
        _ => Err(LangError::new(
            ErrorKind::Type,
            format!("{what} takes one tensor, got {} arguments", args.len()),
            span,
            None,
        )),
    }
}

fn t(r: crate::Result<Tensor<Num>>, span: Span) -> R<Value> {
    r.map(Value::T).map_err(|e| LangError::from_lib(e, span))
}

fn lib<X>(r: crate::Result<X>, span: Span) -> R<X> {
    r.map_err(|e| LangError::from_lib(e, span))
}

/// Methods on tensors: `x.sum(axis=0)` is `sum(x, axis=0)`.
pub(crate) fn method(
    it: &mut Interp,
    name: &str,
    args: Vec<(Value, Span)>,
    kw: Vec<(String, Value, Span)>,
    span: Span,
) -> R<Value> {
    const METHODS: &[&str] = &[
        "var",
        "std",
        "prod",
        "cumsum",
        "argsort",
        "clip",
        "sum",
        "mean",
        "max",
        "min",
        "argmax",
        "argmin",
        "reshape",
        "transpose",
        "dot",
        "all",
        "any",
    ];
    match name {
        "item" => {
            let x = it.tensor(&args[0].0, args[0].1)?;
            lib(x.item(), span).map(Value::num)
        }
        "flatten" | "ravel" => {
            let x = it.tensor(&args[0].0, args[0].1)?;
            t(x.reshape(&[-1]), span)
        }
        // A new array (or list): a change in place to it is not seen
        // through the original.
        "copy" => Ok(match &args[0].0 {
            Value::T(x) => Value::T(x.copy()),
            Value::List(l) => Value::list(l.to_vec()),
            other => other.clone(),
        }),
        // Nested Python lists of numbers: `+` joins them, `*` repeats.
        "tolist" => {
            let x = it.tensor(&args[0].0, args[0].1)?;
            Ok(nested_list(x.value().view()))
        }
        "index" | "count" if matches!(args[0].0, Value::List(_)) && args.len() == 2 => {
            let Value::List(l) = &args[0].0 else {
                unreachable!("matched above")
            };
            let mut hits = Vec::new();
            for (i, v) in l.iter().enumerate() {
                if it.python_eq(v, &args[1].0, span)? {
                    hits.push(i);
                }
            }
            match (name, hits.first()) {
                ("count", _) => Ok(Value::num(Num::int(hits.len() as i64))),
                (_, Some(&i)) => Ok(Value::num(Num::int(i as i64))),
                _ => Err(LangError::new(
                    ErrorKind::Value,
                    format!("{} is not in the list", it.fmt.value(&args[1].0)),
                    args[1].1,
                    None,
                )),
            }
        }
        "reshape" if args.len() > 2 => {
            // x.reshape(2, 3) as well as x.reshape((2, 3))
            let x = it.tensor(&args[0].0, args[0].1)?;
            let dims = args[1..].iter().map(|(v, s)| it.tensor(v, *s)).collect::<R<Vec<_>>>()?;
            let shape = dims
                .iter()
                .map(|d| d.item().ok().and_then(|n| n.to_i64()))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| LangError::new(ErrorKind::Type, "reshape needs integers", span, None))?;
            t(x.reshape(&shape), span)
        }
        // x.max(0) reduces over axis 0, as numpy's method does.
        "max" => call(it, "amax", args, kw, span, &[]),
        "min" => call(it, "amin", args, kw, span, &[]),
        "sum" => call(it, "np.sum", args, kw, span, &[]),
        m if METHODS.contains(&m) => call(it, METHODS.iter().find(|x| **x == m).expect("listed"), args, kw, span, &[]),
        _ => Err(LangError::new(
            ErrorKind::Name,
            format!("a tensor has no method `{name}`"),
            span,
            Some("tensors have sum, mean, max, min, argmax, argmin, reshape, transpose, dot, all, any, item, flatten"),
        )),
    }
}

/// An array as nested Python lists of numbers (`x.tolist()`).
fn nested_list(a: ndarray::ArrayViewD<Num>) -> Value {
    if a.ndim() == 0 {
        return Value::num(a.iter().next().expect("0-d has one element").clone());
    }
    Value::list(a.outer_iter().map(nested_list).collect())
}

/// A list of non-negative integers (a shape, axes, row indices).
fn usizes(it: &Interp, v: &Value, s: Span, what: &str) -> R<Vec<usize>> {
    it.tensor(v, s)?
        .value()
        .iter()
        .map(|n| n.to_i64().and_then(|d| usize::try_from(d).ok()))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| LangError::new(ErrorKind::Type, what, s, None))
}

fn shape_arg(it: &Interp, v: &Value, s: Span) -> R<Vec<usize>> {
    let shape = usizes(it, v, s, "a shape is a list of non-negative integers")?;
    crate::tensor::check_size("shape", &shape).map_err(|e| LangError::from_lib(e, s))?;
    Ok(shape)
}

fn conventions(a: &mut Args) -> R<Convention> {
    match a.string(usize::MAX, "convention")? {
        None => Ok(Convention::Textbook),
        Some((c, s)) => match c.as_str() {
            "textbook" => Ok(Convention::Textbook),
            "pytorch" | "torch" => Ok(Convention::PyTorch),
            _ => Err(LangError::new(
                ErrorKind::Value,
                format!("unknown convention \"{c}\""),
                s,
                Some("use \"textbook\" (one bias per gate) or \"pytorch\" (two)"),
            )),
        },
    }
}

/// Builds a module from `kind`.
fn module(kind: Kind, span: Span) -> R<Value> {
    lib(Module::<Num>::new(kind), span).map(|m| Value::Module(Rc::new(m)))
}

fn is_module_call(a: &Args, keys: &[&str]) -> bool {
    keys.iter().any(|k| a.has(k))
}

fn label_of(it: &Interp, e: Option<&Expr>, i: usize) -> String {
    e.map(|e| it.text(e.span).to_string())
        .unwrap_or_else(|| format!("#{}", i + 1))
}

pub(crate) fn call(
    it: &mut Interp,
    name: &str,
    pos: Vec<(Value, Span)>,
    kw: Vec<(String, Value, Span)>,
    span: Span,
    arg_exprs: &[Expr],
) -> R<Value> {
    // Built-ins that look at values other than tensors come first.
    match name {
        "params" => return params(it, pos, kw, span, arg_exprs),
        "grad" => {
            let mut a = Args::new(it, name, pos, kw, span);
            let y = a.tensor(0, "y")?;
            let x = a.tensor(1, "x")?;
            a.finish()?;
            let yname = label_of(it, arg_exprs.first(), 0);
            let xname = label_of(it, arg_exprs.get(1), 1);
            return explain::grad(it, &y, &x, &yname, &xname, span).map(Value::T);
        }
        // Python's sum(iterable, start=0): the items added, so the rows of a
        // matrix (a vector), never everything.
        "sum" => {
            let mut a = Args::new(it, name, pos, kw, span);
            let (items, s) = a.required(0, "iterable")?;
            let start = a.opt_tensor(1, "start")?;
            a.finish()?;
            let rows =
                match &items {
                    Value::T(x) if x.ndim() == 0 => return Err(LangError::new(
                        ErrorKind::Type,
                        "sum() adds the items of a list or the rows of a tensor; a number has none",
                        s,
                        Some("np.sum(x) adds every element"),
                    )),
                    Value::T(x) => t(x.sum(Some(&[0]), false), span)?,
                    Value::List(_) | Value::Tuple(_) => {
                        let parts = it.unpack(&items, s)?;
                        let mut acc = Value::num(Num::zero());
                        for p in parts {
                            acc = it.binary(BinOp::Add, acc, p, s)?;
                        }
                        acc
                    }
                    other => {
                        let x = it.tensor(other, s)?;
                        t(x.sum(Some(&[0]), false), span)?
                    }
                };
            return match start {
                Some(st) => it.binary(BinOp::Add, rows, Value::T(st), span),
                None => Ok(rows),
            };
        }
        // Python's iteration helpers: lists of tuples.
        "enumerate" | "zip" | "sorted" => {
            let mut a = Args::new(it, name, pos, kw, span);
            let mut lists = Vec::new();
            let n_pos = a.pos.len();
            let start = if name == "enumerate" {
                let (v, s) = a.required(0, "iterable")?;
                lists.push((v, s));
                a.int(1, "start", Some(0))?
            } else if name == "sorted" {
                let (v, s) = a.required(0, "iterable")?;
                lists.push((v, s));
                0
            } else {
                for i in 0..n_pos {
                    lists.push(a.required(i, "iterable")?);
                }
                0
            };
            let reverse = if name == "sorted" {
                a.flag(1, "reverse", false)?
            } else {
                false
            };
            a.finish()?;
            let items: Vec<Vec<Value>> = lists
                .iter()
                .map(|(v, s)| it.unpack(v, *s))
                .collect::<R<_>>()?;
            let out: Vec<Value> = match name {
                "enumerate" => items[0]
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        Value::tuple(vec![Value::num(Num::int(start + i as i64)), v.clone()])
                    })
                    .collect(),
                "zip" => {
                    let n = items.iter().map(Vec::len).min().unwrap_or(0);
                    (0..n)
                        .map(|i| Value::tuple(items.iter().map(|l| l[i].clone()).collect()))
                        .collect()
                }
                _ => {
                    let mut nums = Vec::new();
                    for v in &items[0] {
                        let t = it.tensor(v, lists[0].1)?;
                        nums.push(lib(t.item(), lists[0].1)?);
                    }
                    let mut order = lib(exact_order(&nums), span)?;
                    if reverse {
                        order.reverse();
                    }
                    order.into_iter().map(|i| items[0][i].clone()).collect()
                }
            };
            return Ok(Value::list(out));
        }
        // int(x) truncates toward 0; round(x) rounds half to even (Python's);
        // float(x) keeps the value (exact, where Python would round it).
        "int" | "float" | "round" => {
            let mut a = Args::new(it, name, pos, kw, span);
            let x = a.num(0, "x", None)?;
            let digits = if name == "round" {
                match a.get(1, "ndigits") {
                    None | Some((Value::None, _)) => None,
                    Some((v, s)) => Some(
                        it.tensor(&v, s)?
                            .item()
                            .ok()
                            .and_then(|n| n.to_i64())
                            .ok_or_else(|| {
                                LangError::new(
                                    ErrorKind::Type,
                                    "ndigits must be an integer",
                                    s,
                                    None,
                                )
                            })?,
                    ),
                }
            } else {
                None
            };
            a.finish()?;
            let v = match name {
                "float" => x,
                "int" => {
                    let f = lib(x.abs().floor(), span)?;
                    if lib(x.lt(&Num::zero()), span)? {
                        f.neg()
                    } else {
                        f
                    }
                }
                _ => lib(round_half_even(&x, digits.unwrap_or(0)), span)?,
            };
            return Ok(Value::num(v));
        }
        "len" => {
            return match pos.as_slice() {
                [(Value::List(l) | Value::Tuple(l), _)] => Ok(Value::num(Num::int(l.len() as i64))),
                [(v, s)] => {
                    let x = it.tensor(v, *s)?;
                    if x.ndim() == 0 {
                        return Err(LangError::new(
                            ErrorKind::Type,
                            "a number has no length",
                            *s,
                            None,
                        ));
                    }
                    Ok(Value::num(Num::int(x.shape()[0] as i64)))
                }
                _ => Err(LangError::new(
                    ErrorKind::Type,
                    "len() takes one argument",
                    span,
                    None,
                )),
            };
        }
        "print" => {
            let parts: Vec<String> = pos
                .iter()
                .map(|(v, _)| match v {
                    Value::Str(s) => s.to_string(),
                    v => it.fmt.value(v),
                })
                .collect();
            it.notes
                .push(Note::prose(format!("print: {}", parts.join(" "))));
            return Ok(Value::None);
        }
        "range" => {
            let mut a = Args::new(it, name, pos, kw, span);
            let n = a.pos.len();
            let (start, stop, step) = match n {
                1 => (0, a.int(0, "stop", None)?, 1),
                2 => (a.int(0, "start", None)?, a.int(1, "stop", None)?, 1),
                3 => (
                    a.int(0, "start", None)?,
                    a.int(1, "stop", None)?,
                    a.int(2, "step", None)?,
                ),
                _ => {
                    return Err(LangError::new(
                        ErrorKind::Type,
                        "range() takes 1 to 3 integers",
                        span,
                        None,
                    ))
                }
            };
            a.finish()?;
            if step == 0 {
                return Err(LangError::new(
                    ErrorKind::Value,
                    "range() step cannot be zero",
                    span,
                    None,
                ));
            }
            return Ok(Value::Range(start, stop, step));
        }
        "shape" => {
            let x = one_tensor(it, "shape", &pos, span)?;
            return Ok(Value::tuple(
                x.shape()
                    .iter()
                    .map(|&d| Value::num(Num::int(d as i64)))
                    .collect(),
            ));
        }
        "bits" => {
            let mut a = Args::new(it, name, pos, kw, span);
            let (s, sp) = a.string(0, "codes")?.ok_or_else(|| {
                LangError::new(
                    ErrorKind::Type,
                    "bits() needs a string such as \"00,10,11\"",
                    span,
                    None,
                )
            })?;
            a.finish()?;
            return bits(&s, sp).map(Value::T);
        }
        _ => {}
    }
    let mut notes = Vec::new();
    let mut a = Args::new(it, name, pos, kw, span);
    let v = match name {
        // ---- construction ------------------------------------------------
        "array" | "tensor" => {
            // np.array(x) of an array is a copy (numpy's default), so `+=`
            // on it leaves x alone; a list's array is new already.
            let (v, s) = a.required(0, "object")?;
            let x = it.tensor(&v, s)?;
            a.get(1, "dtype");
            Value::T(if matches!(v, Value::T(_)) {
                x.copy()
            } else {
                x
            })
        }
        "zeros" | "ones" => {
            let (v, s) = a.required(0, "shape")?;
            let shape = shape_arg(it, &v, s)?;
            Value::T(if name == "zeros" {
                Tensor::zeros(&shape)
            } else {
                Tensor::ones(&shape)
            })
        }
        "full" => {
            let (v, s) = a.required(0, "shape")?;
            let shape = shape_arg(it, &v, s)?;
            let fill = a.num(1, "fill_value", None)?;
            Value::T(Tensor::full(&shape, fill))
        }
        "eye" => {
            // eye(N, M=None, k=0, dtype=…): ones on the k-th diagonal of N×M;
            // every number is exact, so dtype changes nothing.
            let n = a.usize(0, "N", None)?;
            let m = match a.get(1, "M") {
                None | Some((Value::None, _)) => n,
                Some((v, s)) => usizes(it, &Value::list(vec![v]), s, "M is a size")?[0],
            };
            let k = a.int(2, "k", Some(0))?;
            a.get(3, "dtype");
            lib(crate::tensor::check_size("eye", &[n, m]), span)?;
            let v: Vec<Num> = (0..n * m)
                .map(|p| Num::int(((p % m) as i64 - (p / m) as i64 == k) as i64))
                .collect();
            Value::T(lib(Tensor::from_vec(v, &[n, m]), span)?)
        }
        "arange" => {
            let n = a.pos.len();
            let (start, stop) = if n >= 2 {
                (a.num(0, "start", None)?, a.num(1, "stop", None)?)
            } else {
                (Num::zero(), a.num(0, "stop", None)?)
            };
            let step = a.num(2, "step", Some("1"))?;
            t(Tensor::arange(&start, &stop, &step), span)?
        }
        "reshape" => {
            let x = a.tensor(0, "a")?;
            let (v, s) = a.required(1, "shape")?;
            let st = it.tensor(&v, s)?;
            let shape = st
                .value()
                .iter()
                .map(|n| n.to_i64())
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    LangError::new(ErrorKind::Type, "a shape is a list of integers", s, None)
                })?;
            t(x.reshape(&shape), span)?
        }
        "transpose" => {
            let x = a.tensor(0, "a")?;
            match a.get(1, "axes") {
                None | Some((Value::None, _)) => t(x.t(), span)?,
                Some((v, s)) => {
                    let p = shape_arg(it, &v, s)?;
                    t(x.permute(&p), span)?
                }
            }
        }
        "concatenate" | "stack" => {
            let (v, s) = a.required(0, "arrays")?;
            let items = it.unpack(&v, s)?;
            let ts = items
                .iter()
                .map(|x| it.tensor(x, s))
                .collect::<R<Vec<_>>>()?;
            let axis = a.opt_axis(1)?.unwrap_or(0);
            if name == "stack" {
                t(Tensor::stack(&ts, axis), span)?
            } else {
                t(Tensor::concat(&ts, axis), span)?
            }
        }
        "vstack" | "hstack" => {
            let (v, s) = a.required(0, "arrays")?;
            let items = it.unpack(&v, s)?;
            let ts = items
                .iter()
                .map(|x| it.tensor(x, s))
                .collect::<R<Vec<_>>>()?;
            if ts.is_empty() {
                return Err(LangError::new(
                    ErrorKind::Value,
                    "nothing to stack",
                    s,
                    None,
                ));
            }
            if name == "vstack" {
                // rows: a vector is one row
                let rows = ts
                    .iter()
                    .map(|x| {
                        if x.ndim() == 1 {
                            x.unsqueeze(0)
                        } else {
                            Ok(x.clone())
                        }
                    })
                    .collect::<crate::Result<Vec<_>>>();
                t(rows.and_then(|r| Tensor::concat(&r, 0)), span)?
            } else {
                let axis = if ts[0].ndim() == 1 { 0 } else { 1 };
                t(Tensor::concat(&ts, axis), span)?
            }
        }
        "zeros_like" | "ones_like" => {
            let x = a.tensor(0, "a")?;
            Value::T(if name == "zeros_like" {
                Tensor::zeros(x.shape())
            } else {
                Tensor::ones(x.shape())
            })
        }
        "square" => {
            let x = a.tensor(0, "x")?;
            t(x.mul(&x), span)?
        }
        "sign" => {
            let x = a.tensor(0, "x")?;
            let zero = Tensor::scalar(Num::zero());
            t(x.gt(&zero).and_then(|p| p.sub(&x.lt(&zero)?)), span)?
        }
        "outer" => {
            let x = a.tensor(0, "a")?;
            let y = a.tensor(1, "b")?;
            t(
                x.reshape(&[-1, 1])
                    .and_then(|c| c.mul(&y.reshape(&[1, -1])?)),
                span,
            )?
        }
        "clip" => {
            let x = a.tensor(0, "a")?;
            let lo = a.tensor(1, "a_min")?;
            let hi = a.tensor(2, "a_max")?;
            t(x.maximum(&lo).and_then(|m| m.minimum(&hi)), span)?
        }
        "where" => {
            // where(cond, a, b): a where cond holds, else b.
            let c = a.tensor(0, "condition")?;
            let x = a.tensor(1, "x")?;
            let y = a.tensor(2, "y")?;
            let c = lib(c.ne(&Tensor::scalar(Num::zero())), span)?;
            let one = Tensor::scalar(Num::one());
            t(c.mul(&x).and_then(|p| p.add(&one.sub(&c)?.mul(&y)?)), span)?
        }
        "prod" | "cumsum" => {
            let x = a.tensor(0, "a")?;
            let flat = lib(x.reshape(&[-1]), span)?;
            let items: Vec<Tensor<Num>> = (0..flat.len() as i64)
                .map(|i| flat.slice(&[crate::Idx::At(i)]))
                .collect::<crate::Result<_>>()
                .map_err(|e| LangError::from_lib(e, span))?;
            if name == "prod" {
                let mut acc = Tensor::scalar(Num::one());
                for v in &items {
                    acc = lib(acc.mul(v), span)?;
                }
                Value::T(acc)
            } else {
                // the running sums of the flattened array, as np.cumsum(x)
                let mut sums = Vec::with_capacity(items.len());
                let mut acc = Tensor::scalar(Num::zero());
                for v in &items {
                    acc = lib(acc.add(v), span)?;
                    sums.push(acc.clone());
                }
                if sums.is_empty() {
                    Value::T(Tensor::zeros(&[0]))
                } else {
                    t(Tensor::stack(&sums, 0), span)?
                }
            }
        }
        "unique" => {
            // The distinct values, sorted (numpy flattens first).
            let x = a.tensor(0, "ar")?;
            let vals: Vec<Num> = x.value().iter().cloned().collect();
            let order = lib(exact_order(&vals), span)?;
            let mut out: Vec<Num> = Vec::with_capacity(vals.len());
            for v in order.into_iter().map(|i| vals[i].clone()) {
                if !out.last().is_some_and(|l| l.eq_num(&v).unwrap_or(false)) {
                    out.push(v);
                }
            }
            let n = out.len();
            Value::T(lib(Tensor::from_vec(out, &[n]), span)?)
        }
        "triu" | "tril" | "diag" => {
            let x = a.tensor(0, "m")?;
            let k = a.int(1, "k", Some(0))?;
            match (name, x.ndim()) {
                // diag of a vector: the square matrix with it on the diagonal
                ("diag", 1) => {
                    let n = x.len();
                    let mut v = vec![Num::zero(); n * n];
                    for (i, e) in x.value().iter().enumerate() {
                        v[i * n + i] = e.clone();
                    }
                    Value::T(lib(Tensor::from_vec(v, &[n, n]), span)?)
                }
                ("diag", 2) => {
                    let (r, c) = (x.shape()[0] as i64, x.shape()[1] as i64);
                    let v: Vec<Num> = (0..r)
                        .filter(|&i| (0..c).contains(&(i + k)))
                        .map(|i| x.value()[[i as usize, (i + k) as usize]].clone())
                        .collect();
                    let n = v.len();
                    Value::T(lib(Tensor::from_vec(v, &[n]), span)?)
                }
                (_, 2) => {
                    // keep j − i ≥ k (triu) or j − i ≤ k (tril), as a mask
                    let (r, c) = (x.shape()[0], x.shape()[1]);
                    let mask: Vec<Num> = (0..r * c)
                        .map(|p| {
                            let d = (p % c) as i64 - (p / c) as i64;
                            let keep = if name == "triu" { d >= k } else { d <= k };
                            Num::int(keep as i64)
                        })
                        .collect();
                    let m = lib(Tensor::from_vec(mask, &[r, c]), span)?;
                    t(x.mul(&m), span)?
                }
                _ => {
                    return Err(LangError::new(
                        ErrorKind::Shape,
                        format!(
                            "{name} takes a matrix{}",
                            if name == "diag" { " or a vector" } else { "" }
                        ),
                        span,
                        None,
                    ))
                }
            }
        }
        "argsort" | "sort" => {
            let x = a.tensor(0, "a")?;
            if x.ndim() != 1 {
                return Err(LangError::new(
                    ErrorKind::Shape,
                    format!(
                        "{name} here takes a vector, not shape {}",
                        shape_text(x.shape())
                    ),
                    span,
                    None,
                ));
            }
            // A stable sort, compared exactly (numpy's kind="stable").
            let vals: Vec<Num> = x.value().iter().cloned().collect();
            let order = lib(exact_order(&vals), span)?;
            if name == "argsort" {
                let idx: Vec<Num> = order.iter().map(|&i| Num::int(i as i64)).collect();
                Value::T(lib(Tensor::from_vec(idx, &[order.len()]), span)?)
            } else if order.is_empty() {
                Value::T(x)
            } else {
                let rows = order
                    .iter()
                    .map(|&i| x.slice(&[crate::Idx::At(i as i64)]))
                    .collect::<crate::Result<Vec<_>>>()
                    .map_err(|e| LangError::from_lib(e, span))?;
                t(Tensor::stack(&rows, 0), span)?
            }
        }
        "dot" | "matmul" => {
            let x = a.tensor(0, "a")?;
            let y = a.tensor(1, "b")?;
            t(x.matmul(&y), span)?
        }
        // ---- elementwise ---------------------------------------------------
        "abs" | "exp" | "log" | "sqrt" | "tanh" | "sigmoid" | "expit" | "floor" => {
            let x = a.tensor(0, "x")?;
            let r = match name {
                "abs" => x.abs(),
                "exp" => x.exp(),
                "log" => x.log(),
                "sqrt" => x.sqrt(),
                "tanh" => x.tanh(),
                "floor" => floor(&x),
                _ => x.sigmoid(),
            };
            t(r, span)?
        }
        "leaky_relu" => {
            let x = a.tensor(0, "x")?;
            let slope = a.num(1, "negative_slope", Some("0.01"))?;
            t(act::leaky_relu(&x, &Tensor::scalar(slope)), span)?
        }
        "softmax" | "log_softmax" => {
            let x = a.tensor(0, "x")?;
            let axis = a.opt_axis(1)?.unwrap_or(-1);
            if x.ndim() == 0 {
                return Err(LangError::new(
                    ErrorKind::Shape,
                    format!("{name} needs at least one axis"),
                    span,
                    None,
                ));
            }
            t(
                if name == "softmax" {
                    act::softmax(&x, axis)
                } else {
                    act::log_softmax(&x, axis)
                },
                span,
            )?
        }
        "step" => {
            let x = a.tensor(0, "x")?;
            let th = a.num(1, "threshold", Some("0"))?;
            t(act::step(&x, &Tensor::scalar(th)), span)?
        }
        // numpy's maximum/minimum, and Python's max(a, b): elementwise, as in
        // max(0, m − d).
        "maximum" | "minimum" | "max" | "min"
            if name.len() > 3 || (a.pos.len() == 2 && !a.has("axis")) =>
        {
            // numpy names the arguments x1, x2; Python's max a, b.
            let (k1, k2) = if name.len() > 3 {
                ("x1", "x2")
            } else {
                ("a", "b")
            };
            let x = a.tensor(0, k1)?;
            let y = a.tensor(1, k2)?;
            let r = if name.starts_with("max") {
                x.maximum(&y)
            } else {
                x.minimum(&y)
            };
            t(r, span)?
        }
        "max" | "min" | "amax" | "amin" | "argmax" | "argmin" => {
            let x = a.tensor(0, "a")?;
            let axis = a.opt_axis(1)?;
            let keep = a.flag(2, "keepdims", false)?;
            let r = match name {
                "max" | "amax" => x.max(axis, keep),
                "min" | "amin" => x.min(axis, keep),
                "argmax" => x.argmax(axis),
                _ => x.argmin(axis),
            };
            let v = t(r, span)?;
            if name.starts_with("arg") {
                notes::note_ties(it, &mut notes, &x, axis, name == "argmax");
            }
            v
        }
        "var" | "std" => {
            // mean((x − mean(x))²) over n − ddof values; std is its root.
            let x = a.tensor(0, "a")?;
            let axis = a.opt_axis(1)?;
            let ddof = a.int(2, "ddof", Some(0))?;
            let ax = axis.map(|v| vec![v]);
            let n = match axis {
                None => x.len(),
                Some(k) => {
                    let k = lib(crate::tensor::norm_axis(k, x.ndim()), span)?;
                    x.shape()[k]
                }
            } as i64;
            if n - ddof <= 0 {
                return Err(LangError::new(
                    ErrorKind::Value,
                    format!(
                        "{name} of {n} values with ddof={ddof} divides by {}",
                        n - ddof
                    ),
                    span,
                    None,
                ));
            }
            let v = x
                .mean(ax.as_deref(), true)
                .and_then(|m| x.sub(&m))
                .and_then(|d| d.mul(&d))
                .and_then(|d2| d2.sum(ax.as_deref(), false))
                .and_then(|s| s.div(&Tensor::scalar(Num::int(n - ddof))));
            let v = lib(v, span)?;
            if name == "std" {
                t(v.sqrt(), span)?
            } else {
                Value::T(v)
            }
        }
        "np.sum" | "mean" => {
            let x = a.tensor(0, "a")?;
            let axis = a.opt_axis(1)?;
            let keep = a.flag(2, "keepdims", false)?;
            let ax = axis.map(|v| vec![v]);
            t(
                if name == "np.sum" {
                    x.sum(ax.as_deref(), keep)
                } else {
                    x.mean(ax.as_deref(), keep)
                },
                span,
            )?
        }
        "norm" => {
            let x = a.tensor(0, "x")?;
            let ord = match a.get(1, "ord") {
                None | Some((Value::None, _)) => 2,
                Some((v, s)) => match it.tensor(&v, s)?.item().ok().and_then(|n| n.to_i64()) {
                    Some(k @ (1 | 2)) => k,
                    _ => {
                        return Err(LangError::new(
                            ErrorKind::Value,
                            "the norms available are ord=2 (the default) and ord=1",
                            s,
                            Some("the largest magnitude is max(abs(x))"),
                        ))
                    }
                },
            };
            let axis = a.opt_axis(2)?;
            if ord == 1 && axis.is_none() && x.ndim() > 1 {
                return Err(LangError::new(
                    ErrorKind::Value,
                    "ord=1 of a matrix is numpy's largest column sum; gradwork has the vector norms only",
                    span,
                    Some("give axis=… for the norms of its rows or columns"),
                ));
            }
            let ax = axis.map(|v| vec![v]);
            match (ord, axis) {
                (2, None) => t(x.norm(), span)?,
                // Zero-safe as the whole norm: the gradient at 0 is 0 (PyTorch's).
                (2, Some(_)) => t(
                    x.mul(&x)
                        .and_then(|s| s.sum(ax.as_deref(), false))
                        .and_then(|s| s.sqrt_or_zero()),
                    span,
                )?,
                _ => t(x.abs().and_then(|m| m.sum(ax.as_deref(), false)), span)?,
            }
        }
        "all" | "any" => {
            let x = a.tensor(0, "a")?;
            let nz = x.value().iter().filter(|n| !n.is_zero()).count();
            let r = if name == "all" { nz == x.len() } else { nz > 0 };
            Value::Bool(r)
        }
        // |a − b| ≤ atol + rtol·|b|, decided with guaranteed bounds; isclose
        // elementwise, allclose for all of them.
        "allclose" | "isclose" => {
            let x = a.tensor(0, "a")?;
            let y = a.tensor(1, "b")?;
            let rtol = a.num(2, "rtol", Some("1e-5"))?;
            let atol = a.num(3, "atol", Some("1e-8"))?;
            let d = lib(x.sub(&y).and_then(|d| d.abs()), span)?;
            let tol = lib(
                y.abs()
                    .and_then(|b| b.mul(&Tensor::scalar(rtol)))
                    .and_then(|b| b.add(&Tensor::scalar(atol))),
                span,
            )?;
            let ok = lib(d.le(&tol), span)?;
            if name == "isclose" {
                Value::T(ok)
            } else {
                Value::Bool(ok.value().iter().all(|n| !n.is_zero()))
            }
        }
        // ---- layers ----------------------------------------------------------
        "linear" if is_module_call(&a, &["input", "output"]) => {
            let i = a.usize(0, "input", None)?;
            let o = a.usize(1, "output", None)?;
            let bias = a.flag(2, "bias", true)?;
            module(
                Kind::Linear {
                    input: i,
                    output: o,
                    bias,
                },
                span,
            )?
        }
        "linear" => {
            let x = a.tensor(0, "x")?;
            let w = a.tensor(1, "W")?;
            let b = a.opt_tensor(2, "b")?;
            t(linear(&x, &w, b.as_ref()), span)?
        }
        "conv1d" | "conv2d" => {
            let x = a.tensor(0, "x")?;
            let w = a.tensor(1, "w")?;
            let b = a.opt_tensor(2, "b")?;
            let c = a.conv_config(3)?;
            if name == "conv1d" {
                let y = t(conv::conv1d(&x, &w, b.as_ref(), c), span)?;
                if let Value::T(y) = &y {
                    notes::conv1d_notes(it, &mut notes, &x, &w, b.as_ref(), c, y);
                }
                y
            } else {
                let y = t(conv::conv2d(&x, &w, b.as_ref(), c), span)?;
                if let Value::T(y) = &y {
                    notes::conv2d_notes(it, &mut notes, &x, &w, b.as_ref(), c, y);
                }
                y
            }
        }
        "max_pool1d" | "avg_pool1d" | "max_pool2d" | "avg_pool2d" => {
            let x = a.tensor(0, "x")?;
            let k = a.usize(1, "kernel_size", None)?;
            let c = ConvConfig {
                stride: a.usize(2, "stride", Some(k))?,
                padding: a.usize(3, "padding", Some(0))?,
                dilation: 1,
            };
            let f = match name {
                "max_pool1d" => conv::max_pool1d,
                "avg_pool1d" => conv::avg_pool1d,
                "max_pool2d" => conv::max_pool2d,
                _ => conv::avg_pool2d,
            };
            let y = t(f(&x, k, c), span)?;
            if let (Value::T(yt), true) = (&y, name.ends_with("1d")) {
                notes::pool_notes(it, &mut notes, &x, k, c, name.starts_with("max"), yt);
            }
            y
        }
        "conv_out_len" => {
            let l = a.usize(0, "length", None)?;
            let k = a.usize(1, "kernel_size", None)?;
            let c = a.conv_config(2)?;
            Value::num(Num::int(
                lib(conv::conv_out_len("conv_out_len", l, k, c), span)? as i64,
            ))
        }
        "rnn" => {
            let xs = a.tensor(0, "xs")?;
            let w_hh = a.tensor(1, "W_hh")?;
            let w_xh = a.tensor(2, "W_xh")?;
            let b = a.opt_tensor(3, "b_h")?;
            let actv = a.act(4, "act", Activation::Tanh)?;
            let h0 = a.opt_tensor(5, "h0")?;
            let h = t(
                recurrent::rnn(&xs, &w_hh, &w_xh, b.as_ref(), actv, h0.as_ref()),
                span,
            )?;
            if let Value::T(h) = &h {
                notes::rnn_notes(
                    it,
                    &mut notes,
                    &xs,
                    &w_hh,
                    &w_xh,
                    b.as_ref(),
                    actv,
                    h0.as_ref(),
                    h,
                    arg_exprs,
                );
            }
            h
        }
        "attention" => {
            let q = a.tensor(0, "Q")?;
            let k = a.tensor(1, "K")?;
            let v = a.tensor(2, "V")?;
            let causal = a.flag(3, "causal", false)?;
            t(scaled_dot_product(&q, &k, &v, causal), span)?
        }
        "self_attention" | "multi_head_attention" => {
            let x = a.tensor(0, "X")?;
            let w = AttentionWeights {
                w_q: a.tensor(1, "W_q")?,
                w_k: a.tensor(2, "W_k")?,
                w_v: a.tensor(3, "W_v")?,
                b_q: a.opt_tensor(usize::MAX, "b_q")?,
                b_k: a.opt_tensor(usize::MAX, "b_k")?,
                b_v: a.opt_tensor(usize::MAX, "b_v")?,
            };
            let causal = a.flag(usize::MAX, "causal", false)?;
            if name == "self_attention" {
                t(self_attention(&x, &w, causal), span)?
            } else {
                let w_o = a.tensor(4, "W_o")?;
                let heads = a.usize(5, "heads", None)?;
                let b_o = a.opt_tensor(usize::MAX, "b_o")?;
                t(multi_head(&x, &w, &w_o, b_o.as_ref(), heads, causal), span)?
            }
        }
        "lstm_seq" | "gru_seq" => {
            use crate::nn::recurrent::{Gru, Lstm, Recurrent};
            let xs = a.tensor(0, "xs")?;
            let w_ih = a.tensor(1, "W_ih")?;
            let w_hh = a.tensor(2, "W_hh")?;
            let b_ih = a.opt_tensor(3, "b_ih")?;
            let b_hh = a.opt_tensor(4, "b_hh")?;
            // The starting state: h0 (and c0 for an LSTM), zeros when not given.
            let h0 = a.opt_tensor(5, "h0")?;
            let c0 = if name == "lstm_seq" {
                a.opt_tensor(6, "c0")?
            } else {
                None
            };
            if name == "lstm_seq" {
                let cell = Lstm {
                    w_ih,
                    w_hh,
                    b_ih,
                    b_hh,
                };
                let state = match (h0, c0) {
                    (None, None) => None,
                    (h, c) => {
                        let zero = lib(cell.zero_state(), span)?;
                        Some(vec![
                            h.unwrap_or_else(|| zero[0].clone()),
                            c.unwrap_or_else(|| zero[1].clone()),
                        ])
                    }
                };
                t(cell.seq(&xs, state), span)?
            } else {
                t(
                    Gru {
                        w_ih,
                        w_hh,
                        b_ih,
                        b_hh,
                    }
                    .seq(&xs, h0.map(|h| vec![h])),
                    span,
                )?
            }
        }
        "rnn_cell" | "lstm" | "gru" => {
            let input = a.usize(0, "input", None)?;
            let hidden = a.usize(1, "hidden", None)?;
            let kind = match name {
                "lstm" => Kind::Lstm { input, hidden },
                "gru" => Kind::Gru { input, hidden },
                _ => Kind::Rnn {
                    input,
                    hidden,
                    act: a.act(2, "act", Activation::Tanh)?,
                },
            };
            module(kind, span)?
        }
        "conv1d_layer" => {
            let input = a.usize(0, "input", None)?;
            let output = a.usize(1, "output", None)?;
            let kernel = a.usize(2, "kernel", None)?;
            let bias = a.flag(3, "bias", true)?;
            module(
                Kind::Conv1d {
                    input,
                    output,
                    kernel,
                    bias,
                },
                span,
            )?
        }
        "attention_layer" => {
            let d_in = a.usize(0, "d_in", None)?;
            let d_k = a.usize(1, "d_k", None)?;
            let d_v = a.usize(2, "d_v", Some(d_k))?;
            let bias = a.flag(3, "bias", false)?;
            module(
                Kind::SelfAttention {
                    d_in,
                    d_k,
                    d_v,
                    bias,
                },
                span,
            )?
        }
        "mha_layer" => {
            let d_model = a.usize(0, "d_model", None)?;
            let heads = a.usize(1, "heads", None)?;
            let bias = a.flag(2, "bias", true)?;
            module(
                Kind::MultiHead {
                    d_model,
                    heads,
                    bias,
                },
                span,
            )?
        }
        // ---- losses ----------------------------------------------------------
        "mse" | "bce" | "bce_with_logits" | "cross_entropy" | "hinge" => {
            let x = a.tensor(0, "input")?;
            let y = a.tensor(1, "target")?;
            let r = match name {
                "mse" => loss::mse(&x, &y),
                "bce" => loss::bce(&x, &y),
                "bce_with_logits" => loss::bce_with_logits(&x, &y),
                "cross_entropy" => loss::cross_entropy(&x, &y),
                _ => loss::hinge(&x, &y),
            };
            t(r, span)?
        }
        "contrastive" => {
            let f1 = a.tensor(0, "f1")?;
            let f2 = a.tensor(1, "f2")?;
            let same = a.flag(2, "same", true)?;
            let m = a.num(3, "margin", Some("1"))?;
            t(loss::contrastive(&f1, &f2, same, &Tensor::scalar(m)), span)?
        }
        "triplet" => {
            let an = a.tensor(0, "a")?;
            let p = a.tensor(1, "p")?;
            let n = a.tensor(2, "n")?;
            let m = a.num(3, "margin", Some("1"))?;
            let sq = a.flag(4, "squared", true)?;
            t(loss::triplet(&an, &p, &n, &Tensor::scalar(m), sq), span)?
        }
        "cosine_embedding" => {
            let x1 = a.tensor(0, "x1")?;
            let x2 = a.tensor(1, "x2")?;
            let y = a.tensor(2, "y")?;
            let m = a.num(3, "margin", Some("0"))?;
            t(
                loss::cosine_embedding(&x1, &x2, &y, &Tensor::scalar(m)),
                span,
            )?
        }
        // ---- metric learning --------------------------------------------------
        "l1" | "l2" | "sqeuclidean" | "cosine" | "distance" => {
            let x = a.tensor(0, "a")?;
            let y = a.tensor(1, "b")?;
            let m = match name {
                "distance" => a.metric(2, Metric::L2)?,
                n => Metric::from_name(n).expect("listed"),
            };
            t(metric::distance(&x, &y, m), span)?
        }
        "pairwise" => {
            let x = a.tensor(0, "A")?;
            let y = a.tensor(1, "B")?;
            let m = a.metric(2, Metric::L2)?;
            t(metric::pairwise(&x, &y, m), span)?
        }
        "centroids" => {
            let e = a.tensor(0, "E")?;
            let l = a.tensor(1, "labels")?;
            let (classes, c) = lib(metric::centroids(&e, &l), span)?;
            for (i, cl) in classes.iter().enumerate() {
                let row = lib(c.slice(&[crate::Idx::At(i as i64)]), span)?;
                notes.push(Note::labelled(
                    format!("class {}:", it.fmt.compact(cl)),
                    vec![
                        Math::sym(format!("μ_{}", it.fmt.compact(cl))),
                        Math::val(&row),
                    ],
                ));
            }
            Value::T(c)
        }
        "nearest_centroid" => {
            let e = a.tensor(0, "E")?;
            let l = a.tensor(1, "labels")?;
            let z = a.tensor(2, "z")?;
            let m = a.metric(3, Metric::L2)?;
            let r = lib(metric::nearest_centroid(&e, &l, &z, m), span)?;
            notes::centroid_notes(it, &mut notes, &r, &z, m);
            Value::num(r.classes[r.winner].clone())
        }
        "retrieve" => {
            let e = a.tensor(0, "E")?;
            let q = a.tensor(1, "q")?;
            let k = a.usize(2, "k", None)?;
            let m = a.metric(3, Metric::L2)?;
            let r = lib(metric::retrieve(&e, &q, k, m), span)?;
            notes::retrieval_notes(&mut notes, &r, m);
            let idx: Vec<Num> = r.indices.iter().map(|&i| Num::int(i as i64)).collect();
            Value::T(lib(Tensor::from_vec(idx, &[r.indices.len()]), span)?)
        }
        "precision" | "recall" | "precision_at_k" | "average_precision" | "r_precision" => {
            let (rv, rs) = a.required(0, "retrieved")?;
            let idx = usizes(
                it,
                &rv,
                rs,
                "retrieved items are row indices (0-based integers)",
            )?;
            let labels = a.tensor(1, "labels")?;
            let cls = a.num(2, "relevant", None)?;
            let v = match name {
                "precision" => metric::precision(&idx, &labels, &cls),
                "recall" => metric::recall(&idx, &labels, &cls),
                "precision_at_k" => {
                    let k = a.usize(3, "k", None)?;
                    metric::precision_at(&idx, &labels, &cls, k)
                }
                "average_precision" => metric::average_precision(&idx, &labels, &cls),
                _ => metric::r_precision(&idx, &labels, &cls),
            };
            let v = lib(v, span)?;
            notes::ranking_notes(it, &mut notes, name, &idx, &labels, &cls, &v);
            Value::num(v)
        }
        "sgd_step" => {
            let w = a.tensor(0, "w")?;
            let g = a.tensor(1, "grad")?;
            let lr = a.num(2, "lr", None)?;
            let mut opt = crate::nn::optim::Sgd::new(lr, Num::zero());
            Value::T(lib(opt.step(&[w], &[g]), span)?.remove(0))
        }
        "adam_step" => {
            let w = a.tensor(0, "w")?;
            let g = a.tensor(1, "grad")?;
            let lr = a.num(2, "lr", Some("0.001"))?;
            let b1 = a.num(3, "beta1", Some("0.9"))?;
            let b2 = a.num(4, "beta2", Some("0.999"))?;
            let eps = a.num(5, "eps", Some("1e-8"))?;
            let mut opt = crate::nn::optim::Adam::new(lr, b1, b2, eps);
            Value::T(lib(opt.step(&[w], &[g]), span)?.remove(0))
        }
        other => {
            return Err(LangError::new(
                ErrorKind::Name,
                format!("`{other}` cannot be called this way"),
                span,
                None,
            ));
        }
    };
    a.finish()?;
    it.notes.extend(notes);
    Ok(v)
}

/// Python's `round(x, ndigits)`: to the nearest multiple of 10^−ndigits,
/// a tie to the even one.
fn round_half_even(x: &Num, ndigits: i64) -> crate::Result<Num> {
    if !(-30..=30).contains(&ndigits) {
        return Err(crate::Error::invalid(
            "round",
            "ndigits must be between -30 and 30",
        ));
    }
    let scale = Num::int(10).powi(ndigits)?;
    let y = x.mul(&scale)?;
    let f = y.floor()?;
    let frac = y.sub(&f)?;
    let half = Num::ratio(1, 2)?;
    let up = match frac.compare(&half)? {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => f.to_i64().is_some_and(|k| k % 2 != 0),
    };
    let r = if up { f.add(&Num::one())? } else { f };
    r.div(&scale)
}

/// numpy's `floor`, elementwise (exact; an approximation must be certain).
pub(crate) fn floor(x: &Tensor<Num>) -> crate::Result<Tensor<Num>> {
    crate::tensor::try_map(&x.value().view(), Num::floor).map(Tensor::new)
}

/// Python's `x // y`, or `x % y` with `rem` (the remainder takes the
/// divisor's sign): the interpreter and the formula check share it.
pub(crate) fn floor_div(x: &Tensor<Num>, y: &Tensor<Num>, rem: bool) -> crate::Result<Tensor<Num>> {
    let fl = floor(&x.div(y)?)?;
    if rem {
        x.sub(&fl.mul(y)?)
    } else {
        Ok(fl)
    }
}

/// The stable order of `vals`, compared exactly; a comparison too close to
/// call is an error, never a guess.
fn exact_order(vals: &[Num]) -> crate::Result<Vec<usize>> {
    let mut order: Vec<usize> = (0..vals.len()).collect();
    let mut err = None;
    order.sort_by(|&i, &j| {
        vals[i].compare(&vals[j]).unwrap_or_else(|e| {
            err.get_or_insert(e);
            std::cmp::Ordering::Equal
        })
    });
    match err {
        Some(e) => Err(e),
        None => Ok(order),
    }
}

/// `bits("00,10,11")`: each code becomes a column vector of its bits.
fn bits(s: &str, span: Span) -> R<Tensor<Num>> {
    let codes: Vec<&str> = s.split(',').map(str::trim).collect();
    let width = codes[0].len();
    let mut v = Vec::new();
    for c in &codes {
        if c.is_empty() || c.len() != width || !c.bytes().all(|b| b == b'0' || b == b'1') {
            return Err(LangError::new(
                ErrorKind::Value,
                format!("\"{c}\" is not a code of {width} bits"),
                span,
                Some("write codes of 0s and 1s of one length, separated by commas: \"00,10,11\""),
            ));
        }
        v.extend(c.bytes().map(|b| Num::int((b - b'0') as i64)));
    }
    Tensor::from_vec(v, &[codes.len(), width, 1]).map_err(|e| LangError::from_lib(e, span))
}

/// `params(W_hh, W_hx, …)` or `params(lstm(input=2, hidden=3))`: a table and
/// the total.
fn params(
    it: &mut Interp,
    pos: Vec<(Value, Span)>,
    kw: Vec<(String, Value, Span)>,
    span: Span,
    exprs: &[Expr],
) -> R<Value> {
    let mut a = Args::new(it, "params", Vec::new(), kw, span);
    let conv = conventions(&mut a)?;
    a.finish()?;
    let mut rows = Vec::new();
    fn add(
        it: &Interp,
        v: &Value,
        label: &str,
        conv: Convention,
        rows: &mut Vec<ParamRow>,
        s: Span,
    ) -> R<()> {
        match v {
            Value::Module(m) => {
                for r in m.count(conv).rows {
                    rows.push(ParamRow {
                        name: format!("{label}.{}", r.name),
                        ..r
                    });
                }
            }
            Value::List(items) | Value::Tuple(items)
                if items.iter().any(|x| matches!(x, Value::Module(_))) =>
            {
                for (i, x) in items.iter().enumerate() {
                    add(it, x, &format!("{label}[{i}]"), conv, rows, s)?;
                }
            }
            v => {
                let t = it.tensor(v, s)?;
                rows.push(ParamRow {
                    name: label.to_string(),
                    shape: t.shape().to_vec(),
                    count: t.len(),
                });
            }
        }
        Ok(())
    }
    if pos.is_empty() {
        return Err(LangError::new(
            ErrorKind::Type,
            "params() needs tensors or layers to count",
            span,
            None,
        ));
    }
    for (i, (v, s)) in pos.iter().enumerate() {
        let label = label_of(it, exprs.get(i), i);
        add(it, v, &label, conv, &mut rows, *s)?;
    }
    let table = ParamTable::new(conv, rows);
    for r in &table.rows {
        // The count as the product of the shape: [12, 2] → 12·2 = 24.
        let dims: Vec<Math> = r.shape.iter().map(|&d| Math::int(d as i64)).collect();
        let mut members = Vec::new();
        if dims.len() > 1 {
            let mut it = dims.into_iter();
            let first = it.next().expect("two dimensions");
            members.push(it.fold(first, |a, d| Math::bin(MOp::Mul, a, d)));
        }
        members.push(Math::int(r.count as i64));
        it.notes.push(Note::labelled(
            format!("{}: {} →", r.name, shape_text(&r.shape)),
            members,
        ));
    }
    let terms: Vec<Math> = table
        .rows
        .iter()
        .map(|r| Math::int(r.count as i64))
        .collect();
    let mut members = Vec::new();
    if terms.len() > 1 {
        members.extend(Math::sum_of(terms));
    }
    members.push(Math::int(table.total as i64));
    it.notes.push(Note::labelled(
        format!("total ({}) =", conv.name()),
        members,
    ));
    Ok(Value::num(Num::int(table.total as i64)))
}
