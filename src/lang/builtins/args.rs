//! The arguments of one built-in call, taken by position or keyword with
//! numpy's parameter names, so `sum(x, axis=0)` and `sum(x, 0)` read alike
//! and a misspelt keyword is an error that lists the real ones.

use super::Call;
use crate::lang::interp::{Interp, R};
use crate::lang::parser::Expr;
use crate::lang::value::{shape_text, Value};
use crate::lang::{ErrorKind, LangError, Span};
use crate::metric::Metric;
use crate::nn::act::Activation;
use crate::nn::conv::ConvConfig;
use crate::{Num, Tensor};

/// Arguments of one call, taken by position or keyword.
pub(crate) struct Args<'a, 's> {
    it: &'a Interp<'s>,
    pub(super) name: &'static str,
    pos: Vec<(Value, Span)>,
    kw: Vec<(String, Value, Span)>,
    pub(super) span: Span,
    exprs: &'a [Expr],
    used_pos: usize,
    known: Vec<&'static str>,
}

impl<'a, 's> Args<'a, 's> {
    pub(super) fn new(it: &'a Interp<'s>, c: Call<'a>) -> Self {
        Args {
            it,
            name: c.name,
            pos: c.pos,
            kw: c.kw,
            span: c.span,
            exprs: c.exprs,
            used_pos: 0,
            known: Vec::new(),
        }
    }
    /// How many arguments were given by position.
    pub(super) fn n_pos(&self) -> usize {
        self.pos.len()
    }
    /// The argument expressions as written, for labels in notes.
    pub(super) fn exprs(&self) -> &'a [Expr] {
        self.exprs
    }
    fn err(&self, kind: ErrorKind, msg: String, span: Span, hint: Option<&str>) -> LangError {
        LangError::new(kind, msg, span, hint)
    }
    /// Positional `i` or keyword `key`.
    pub(super) fn get(&mut self, i: usize, key: &'static str) -> Option<(Value, Span)> {
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
    pub(super) fn has(&self, key: &str) -> bool {
        self.kw.iter().any(|(n, _, _)| n == key)
    }
    pub(super) fn required(&mut self, i: usize, key: &'static str) -> R<(Value, Span)> {
        self.get(i, key).ok_or_else(|| {
            self.err(
                ErrorKind::Type,
                format!("{}() needs the argument `{key}`", self.name),
                self.span,
                None,
            )
        })
    }
    pub(super) fn tensor(&mut self, i: usize, key: &'static str) -> R<Tensor<Num>> {
        let (v, s) = self.required(i, key)?;
        self.it.tensor(&v, s)
    }
    pub(super) fn opt_tensor(&mut self, i: usize, key: &'static str) -> R<Option<Tensor<Num>>> {
        match self.get(i, key) {
            None | Some((Value::None, _)) => Ok(None),
            Some((v, s)) => Ok(Some(self.it.tensor(&v, s)?)),
        }
    }
    pub(super) fn num(&mut self, i: usize, key: &'static str, default: Option<&str>) -> R<Num> {
        match self.get(i, key) {
            None => match default {
                Some(d) => Num::parse(d).map_err(|e| {
                    LangError::internal(
                        format!("the default `{d}` of {}() is not a number: {e}", self.name),
                        self.span,
                    )
                }),
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
    pub(super) fn int(&mut self, i: usize, key: &'static str, default: Option<i64>) -> R<i64> {
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
    pub(super) fn usize(
        &mut self,
        i: usize,
        key: &'static str,
        default: Option<usize>,
    ) -> R<usize> {
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
    /// An optional whole number in `range` (absent or `None`: `None`).
    pub(super) fn opt_count(
        &mut self,
        i: usize,
        key: &'static str,
        range: std::ops::RangeInclusive<usize>,
        hint: &str,
    ) -> R<Option<usize>> {
        match self.get(i, key) {
            None | Some((Value::None, _)) => Ok(None),
            Some((v, s)) => self
                .it
                .tensor(&v, s)?
                .item()
                .ok()
                .filter(Num::is_integer)
                .and_then(|n| n.to_i64())
                .and_then(|k| usize::try_from(k).ok())
                .filter(|k| range.contains(k))
                .map(Some)
                .ok_or_else(|| {
                    self.err(
                        ErrorKind::Value,
                        if *range.end() == usize::MAX {
                            format!("`{key}` must be a whole number ≥ {}", range.start())
                        } else {
                            format!(
                                "`{key}` must be a whole number from {} to {}",
                                range.start(),
                                range.end()
                            )
                        },
                        s,
                        Some(hint),
                    )
                }),
        }
    }
    pub(super) fn opt_axis(&mut self, i: usize) -> R<Option<i64>> {
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
    /// `axis=` as numpy takes it for reductions: None, an integer, or a
    /// tuple of integers (`x.max(axis=(1, 3))`).
    pub(super) fn opt_axes(&mut self, i: usize) -> R<Option<Vec<i64>>> {
        match self.get(i, "axis") {
            None | Some((Value::None, _)) => Ok(None),
            Some((v, s)) => {
                let t = self.it.tensor(&v, s)?;
                let axes = t
                    .value()
                    .iter()
                    .map(|n| n.to_i64())
                    .collect::<Option<Vec<_>>>()
                    .filter(|_| t.ndim() <= 1);
                axes.map(Some).ok_or_else(|| {
                    self.err(
                        ErrorKind::Type,
                        "`axis` must be an integer or a tuple of integers".into(),
                        s,
                        None,
                    )
                })
            }
        }
    }
    pub(super) fn flag(&mut self, i: usize, key: &'static str, default: bool) -> R<bool> {
        match self.get(i, key) {
            None => Ok(default),
            Some((v, s)) => self.it.truthy(&v, s),
        }
    }
    pub(super) fn string(&mut self, i: usize, key: &'static str) -> R<Option<(String, Span)>> {
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
    pub(super) fn act(
        &mut self,
        i: usize,
        key: &'static str,
        default: Activation,
    ) -> R<Activation> {
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
    pub(super) fn metric(&mut self, i: usize, default: Metric) -> R<Metric> {
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
    pub(super) fn conv_config(&mut self, first: usize) -> R<ConvConfig> {
        Ok(ConvConfig {
            stride: self.usize(first, "stride", Some(1))?,
            padding: self.usize(first + 1, "padding", Some(0))?,
            dilation: self.usize(first + 2, "dilation", Some(1))?,
        })
    }
    /// Rejects arguments no parameter took.
    pub(super) fn finish(self) -> R<()> {
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
