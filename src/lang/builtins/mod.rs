//! The built-in functions of the exercise language, as one registry: every
//! op, layer, loss, metric and counter is one [`Builtin`] row — its name, the
//! numpy/scipy/math names it also answers to, its method form, signature,
//! doc line, and the function that runs it and writes its notes.
//!
//! Everything else is read from the rows: `lookup`, the `np.`/`sp.special.`/
//! `math.` namespaces, tensor methods, the unknown-name suggestions, the
//! calls whose working keeps argument names. So a built-in is added in one
//! place, and every name of it runs the same code: an alias cannot drift
//! from the original (`sp.special.expit(s)` writes the σ working that
//! `sigmoid(s)` does). docs/language.md lists every row, and
//! tests/registry.rs fails when the two disagree.
//!
//! The rows live by domain: `tensor` (construction, shape, reductions,
//! elementwise math), `nn` (activations, layers), `loss`, `metric` (metric
//! learning and retrieval), `train` (params, grad, updates) and `python`.

use std::collections::HashMap;
use std::sync::LazyLock;

mod args;
mod loss;
mod metric;
mod nn;
pub(crate) mod notes;
mod python;
mod tensor;
mod train;
mod variant;
mod verify;

pub(crate) use args::Args;

use super::interp::{Interp, R};
use super::parser::Expr;
use super::value::Value;
use super::{ErrorKind, LangError, Span};
use crate::explain::Note;
use crate::metric::Metric;
use crate::nn::act::Activation;
use crate::{Num, Tensor};

/// One call of a built-in.
pub(crate) struct Call<'a> {
    /// The name it was called by: an alias keeps its own in messages
    /// (`tensor() needs the argument …`).
    pub name: &'static str,
    pub pos: Vec<(Value, Span)>,
    pub kw: Vec<(String, Value, Span)>,
    pub span: Span,
    /// The argument expressions as written, for labels (`grad(L, w)`).
    pub exprs: &'a [Expr],
}

/// A built-in that reads its own arguments.
pub(crate) type Run = for<'a, 's> fn(&mut Interp<'s>, Call<'a>) -> R<Value>;

/// A built-in that takes its arguments through [`Args`] and writes notes
/// to the list given; the notes are kept only when the call succeeds.
pub(crate) type Body =
    for<'a, 's> fn(&'a Interp<'s>, &mut Args<'a, 's>, &mut Vec<Note>) -> R<Value>;

#[derive(Clone, Copy)]
pub(crate) enum Runner {
    Raw(Run),
    Args(Body),
}

/// What a built-in's name is as a value.
#[derive(Clone, Copy)]
pub(crate) enum Is {
    /// A function.
    Func,
    /// An activation, also a value for `act=`.
    Act(Activation),
    /// A distance, also a value for `metric=`.
    Metric(Metric),
}

/// One built-in.
pub(crate) struct Builtin {
    /// The name it is called by. A name with a dot (`np.sum`) is reached
    /// only through its namespace.
    pub name: &'static str,
    /// Other bare names of the same built-in (`tensor` for `array`).
    pub aliases: &'static [&'static str],
    /// Where numpy, scipy or math has it, possibly under another name
    /// (`np.max` is `amax`, `np.identity` is `eye`).
    pub qualified: &'static [&'static str],
    /// The method on a tensor: `x.max(0)` is `amax(x, 0)`.
    pub method: Option<&'static str>,
    /// How it is called, with numpy's parameter names and defaults.
    pub sig: &'static str,
    /// One line on what it gives.
    pub doc: &'static str,
    pub is: Is,
    /// Whether its working puts the numbers in for its arguments; `grad(L, w)`
    /// and `len(x)` are about the names, not the values.
    pub by_value: bool,
    pub run: Runner,
}

impl Builtin {
    /// A built-in that reads its own arguments.
    pub(crate) const fn raw(
        name: &'static str,
        sig: &'static str,
        doc: &'static str,
        run: Run,
    ) -> Self {
        Builtin::with(name, sig, doc, Runner::Raw(run))
    }
    /// A built-in whose arguments are taken through [`Args`].
    pub(crate) const fn args(
        name: &'static str,
        sig: &'static str,
        doc: &'static str,
        body: Body,
    ) -> Self {
        Builtin::with(name, sig, doc, Runner::Args(body))
    }
    const fn with(name: &'static str, sig: &'static str, doc: &'static str, run: Runner) -> Self {
        Builtin {
            name,
            aliases: &[],
            qualified: &[],
            method: None,
            sig,
            doc,
            is: Is::Func,
            by_value: true,
            run,
        }
    }
    pub(crate) const fn aka(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }
    pub(crate) const fn at(mut self, qualified: &'static [&'static str]) -> Self {
        self.qualified = qualified;
        self
    }
    pub(crate) const fn method(mut self, m: &'static str) -> Self {
        self.method = Some(m);
        self
    }
    pub(crate) const fn is(mut self, is: Is) -> Self {
        self.is = is;
        self
    }
    /// Its working keeps the arguments' names.
    pub(crate) const fn by_name(mut self) -> Self {
        self.by_value = false;
        self
    }
    /// The value its name `called` stands for.
    fn value(&self, called: &'static str) -> Value {
        match self.is {
            Is::Func => Value::Builtin(called),
            Is::Act(a) => Value::Act(a),
            Is::Metric(m) => Value::Metric(m),
        }
    }
}

/// The names that bind a namespace, and the namespace.
const NAMESPACES: &[(&str, &str)] = &[
    ("np", "np"),
    ("numpy", "np"),
    ("sp", "sp"),
    ("scipy", "sp"),
    ("math", "math"),
];

/// Methods that are not built-ins of their own.
const METHODS_ONLY: &[&str] = &["item", "flatten", "ravel", "copy", "tolist"];

/// Every row, domain by domain.
static ROWS: LazyLock<Vec<&'static Builtin>> = LazyLock::new(|| {
    [
        tensor::ROWS,
        nn::ROWS,
        loss::ROWS,
        metric::ROWS,
        train::ROWS,
        verify::ROWS,
        variant::ROWS,
        python::ROWS,
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// The rows by name, qualified name and method: one lookup per call.
struct Index {
    /// Names and aliases, each with the name as the row spells it.
    names: HashMap<&'static str, (&'static str, &'static Builtin)>,
    /// Namespace → name in it → row.
    qualified: HashMap<&'static str, HashMap<&'static str, &'static Builtin>>,
    methods: HashMap<&'static str, &'static Builtin>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut ix = Index {
        names: HashMap::new(),
        qualified: HashMap::new(),
        methods: HashMap::new(),
    };
    for &b in ROWS.iter() {
        for &n in std::iter::once(&b.name).chain(b.aliases) {
            let twice = ix.names.insert(n, (n, b)).is_some();
            assert!(!twice, "built-in `{n}` is listed twice");
        }
        for q in b.qualified {
            // reason: ROWS is a constant table; like the asserts beside it, a
            // malformed row fails every run on first use, never on user input.
            #[allow(clippy::expect_used)]
            let (ns, n) = q.rsplit_once('.').expect("a qualified name has a dot");
            let twice = ix.qualified.entry(ns).or_default().insert(n, b).is_some();
            assert!(!twice, "built-in `{q}` is listed twice");
        }
        if let Some(m) = b.method {
            let twice = ix.methods.insert(m, b).is_some();
            assert!(!twice, "method `{m}` is listed twice");
        }
    }
    ix
});

/// Every bare name a program can call (aliases too) and the namespaces, in
/// registry order: the names `unknown name` hints search.
pub fn names() -> impl Iterator<Item = &'static str> {
    ROWS.iter()
        .flat_map(|b| std::iter::once(&b.name).chain(b.aliases))
        .copied()
        .filter(|n| !n.contains('.'))
        .chain(NAMESPACES.iter().map(|(n, _)| *n))
}

/// Every qualified name (`np.max`, `np.linalg.norm`), in registry order.
pub fn qualified_names() -> impl Iterator<Item = &'static str> {
    ROWS.iter().flat_map(|b| b.qualified.iter().copied())
}

/// Each built-in's name, signature and doc line, in registry order.
pub fn signatures() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    ROWS.iter().map(|b| (b.name, b.sig, b.doc))
}

/// Whether a call of `name` is worked with its numbers put in: false for
/// built-ins about names (`grad`, `len`, …); true for anything else.
pub(crate) fn by_value(name: &str) -> bool {
    INDEX.names.get(name).is_none_or(|(_, b)| b.by_value)
}

/// Whether `name` is a layer, activation or loss (a row of `nn` or `loss`):
/// a statement applying one is part of the exercise's model.
pub(crate) fn is_model(name: &str) -> bool {
    INDEX.names.get(name).is_some_and(|(_, b)| {
        nn::ROWS
            .iter()
            .chain(loss::ROWS.iter())
            .any(|r| std::ptr::eq(r, *b))
    })
}

pub fn lookup(name: &str) -> Option<Value> {
    if let Some((_, ns)) = NAMESPACES.iter().find(|(n, _)| *n == name) {
        return Some(Value::Namespace((*ns).into()));
    }
    // `np.sum` is a row's name, not a name a program can write bare.
    INDEX
        .names
        .get(name)
        .filter(|_| !name.contains('.'))
        .map(|(called, b)| b.value(called))
}

/// What an `import` binds: a namespace (`import numpy`), or a name in one
/// (`from scipy.special import expit` is read as `scipy.special.expit`).
pub fn namespace_of(module: &str) -> Option<Value> {
    let ns = match module {
        "numpy" => "np",
        "numpy.linalg" => "np.linalg",
        "scipy" => "sp",
        "scipy.special" => "sp.special",
        "math" => "math",
        _ => {
            let (m, name) = module.rsplit_once('.')?;
            let Value::Namespace(ns) = namespace_of(m)? else {
                return None;
            };
            return resolve(&ns, name);
        }
    };
    Some(Value::Namespace(ns.into()))
}

/// `ns.name`. Only what numpy (scipy, math) itself has: np.relu or
/// np.conv1d would not run under numpy, so they are not read as gradwork's
/// built-ins.
pub fn resolve(ns: &str, name: &str) -> Option<Value> {
    match (ns, name) {
        ("np", "linalg") => Some(Value::Namespace("np.linalg".into())),
        ("sp", "special") => Some(Value::Namespace("sp.special".into())),
        ("np", "newaxis") => Some(Value::None),
        // Irrational constants: guaranteed intervals.
        ("np" | "math", "pi") => Some(Value::num(Num::pi())),
        ("np" | "math", "e") => Some(Value::num(Num::e())),
        // Infinity is exact (IEEE's): exp(-inf) = 0, so a causal mask works.
        ("np" | "math", "inf") => Some(Value::num(Num::inf(false))),
        _ => {
            let b = INDEX.qualified.get(ns)?.get(name)?;
            Some(b.value(b.name))
        }
    }
}

/// Calls the built-in named `name`.
pub(crate) fn call(
    it: &mut Interp,
    name: &str,
    pos: Vec<(Value, Span)>,
    kw: Vec<(String, Value, Span)>,
    span: Span,
    exprs: &[Expr],
) -> R<Value> {
    let Some(&(name, b)) = INDEX.names.get(name) else {
        return Err(LangError::new(
            ErrorKind::Name,
            format!("`{name}` cannot be called this way"),
            span,
            None,
        ));
    };
    run(it, b, name, pos, kw, span, exprs)
}

fn run(
    it: &mut Interp,
    b: &Builtin,
    name: &'static str,
    pos: Vec<(Value, Span)>,
    kw: Vec<(String, Value, Span)>,
    span: Span,
    exprs: &[Expr],
) -> R<Value> {
    let c = Call {
        name,
        pos,
        kw,
        span,
        exprs,
    };
    match b.run {
        Runner::Raw(f) => f(it, c),
        Runner::Args(f) => {
            let mut notes = Vec::new();
            let shared: &Interp = it;
            let mut a = Args::new(shared, c);
            let v = f(shared, &mut a, &mut notes)?;
            a.finish()?;
            it.notes.extend(notes);
            Ok(v)
        }
    }
}

/// Methods on tensors and lists: `x.sum(axis=0)` is `np.sum(x, axis=0)`.
pub(crate) fn method(
    it: &mut Interp,
    name: &str,
    args: Vec<(Value, Span)>,
    kw: Vec<(String, Value, Span)>,
    span: Span,
) -> R<Value> {
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
                ("count", _) => Ok(Value::int(hits.len() as i64)),
                (_, Some(&i)) => Ok(Value::int(i as i64)),
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
            let dims = args[1..]
                .iter()
                .map(|(v, s)| it.tensor(v, *s))
                .collect::<R<Vec<_>>>()?;
            let shape = dims
                .iter()
                .map(|d| d.item().ok().and_then(|n| n.to_i64()))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    LangError::new(ErrorKind::Type, "reshape needs integers", span, None)
                })?;
            t(x.reshape(&shape), span)
        }
        _ => match INDEX.methods.get(name) {
            Some(b) => run(it, b, b.name, args, kw, span, &[]),
            None => {
                let mut known: Vec<&str> = ROWS.iter().filter_map(|b| b.method).collect();
                known.extend(METHODS_ONLY);
                let hint = format!("tensors have {}", known.join(", "));
                Err(LangError::new(
                    ErrorKind::Name,
                    format!("a tensor has no method `{name}`"),
                    span,
                    Some(&hint),
                ))
            }
        },
    }
}

/// An array as nested Python lists of numbers (`x.tolist()`).
fn nested_list(a: ndarray::ArrayViewD<Num>) -> Value {
    if a.ndim() == 0 {
        // A 0-d array has one element (an empty one would be `[]`).
        return a
            .first()
            .map_or_else(|| Value::list(Vec::new()), |x| Value::num(x.clone()));
    }
    Value::list(a.outer_iter().map(nested_list).collect())
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

/// A list of non-negative integers (a shape, axes, row indices).
fn usizes(it: &Interp, v: &Value, s: Span, what: &str) -> R<Vec<usize>> {
    it.tensor(v, s)?
        .value()
        .iter()
        .map(|n| n.to_i64().and_then(|d| usize::try_from(d).ok()))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| LangError::new(ErrorKind::Type, what, s, None))
}

/// The label of argument `i`: as written, or `#i` when not known.
fn label_of(it: &Interp, e: Option<&Expr>, i: usize) -> String {
    e.map(|e| it.text(e.span).to_string())
        .unwrap_or_else(|| format!("#{}", i + 1))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_listed_once() {
        // Building the index asserts it.
        assert!(INDEX.names.len() >= ROWS.len());
    }

    #[test]
    fn signatures_start_with_the_name() {
        for b in ROWS.iter() {
            let short = b.name.rsplit('.').next().expect("a name");
            assert!(
                b.sig.starts_with(&format!("{short}(")),
                "{}: {}",
                b.name,
                b.sig
            );
            assert!(!b.doc.is_empty(), "{} has no doc line", b.name);
        }
    }
}
