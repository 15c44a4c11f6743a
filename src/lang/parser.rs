//! The syntax tree and a recursive-descent parser for the Python subset.
//! Every node keeps its source span.
//!
//! Hand-written for the same reason as the lexer: it is small, and its
//! error messages can say what a numpy user most likely meant.

use super::lexer::{Tok, Token};
use super::{LangError, Span};

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    MatMul,
    /// `&`, `|`, `^`: logical on booleans, bitwise on integers (numpy).
    BitAnd,
    BitOr,
    BitXor,
}

impl BinOp {
    pub fn text(self) -> &'static str {
        match self {
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::MatMul => "@",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `in`, `not in`: membership (Python's, or numpy's `(a == x).any()`).
    In,
    NotIn,
    /// `is`, `is not`: identity (`x is None`).
    Is,
    IsNot,
}

impl CmpOp {
    pub fn text(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
        }
    }
}

#[derive(Clone, Debug)]
pub enum IndexItem {
    Expr(Expr),
    Slice(Option<Expr>, Option<Expr>, Option<Expr>),
}

#[derive(Clone, Debug)]
pub struct Kwarg {
    pub name: String,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Num(String),
    Str(String),
    Bool(bool),
    None,
    Name(String),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Neg(Box<Expr>),
    Pos(Box<Expr>),
    Not(Box<Expr>),
    /// `~x`: not of a boolean array, −x − 1 of integers.
    Invert(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    IfElse(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Expr>, Vec<Kwarg>),
    Attr(Box<Expr>, String),
    Index(Box<Expr>, Vec<IndexItem>),
    /// `lambda x: body`.
    Lambda(Vec<Param>, Box<Expr>),
    /// A list comprehension or a generator expression (both give a list):
    /// `[f(x) for x in xs if c]`, `sum(x**2 for x in v)`.
    Comp(Box<Expr>, Vec<CompFor>),
    /// `f"h = {h:.3f}"`: text and fields.
    FStr(Vec<FPart>),
}

/// A piece of an f-string.
#[derive(Clone, Debug)]
pub enum FPart {
    Text(String),
    /// `{expr}`, `{expr:spec}`, `{expr=}` (then `debug` is the text `expr=`).
    Field {
        expr: Expr,
        spec: Option<String>,
        debug: Option<String>,
    },
}

/// One `for target in iter if cond …` clause of a comprehension.
#[derive(Clone, Debug)]
pub struct CompFor {
    pub target: Target,
    pub iter: Expr,
    pub conds: Vec<Expr>,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Target {
    Name(String, Span),
    /// `H[t, :] = h`: an element or a slice of the array a name holds.
    Index(Expr, Vec<IndexItem>, Span),
    Tuple(Vec<Target>, Span),
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    Assign(Vec<Target>, Expr),
    AugAssign(Target, BinOp, Expr),
    Expr(Expr),
    Show(Option<(String, Span)>, Expr),
    Check(Expr, Option<Expr>),
    /// `require <condition>`: what a variant of the key must meet
    /// (`gradwork variants` rejects the candidates that do not); no step.
    Require(Expr),
    Def(String, Vec<Param>, Vec<Stmt>),
    Return(Option<Expr>),
    If(Vec<(Expr, Vec<Stmt>)>, Option<Vec<Stmt>>),
    For(Target, Expr, Vec<Stmt>),
    While(Expr, Vec<Stmt>),
    Break,
    Continue,
    Pass,
    /// `import numpy as np`, `from scipy import special`: binds names only.
    Import(Vec<(String, String)>),
    /// `find a in D1, b in D2: <condition>`: the simplest candidate of the
    /// domains for which the condition holds, bound to the names.
    Find(Vec<(String, Span, Expr)>, Expr),
}

pub struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    /// Indented blocks open around the statement being parsed.
    blocks: usize,
    /// Loops around the statement being parsed (in the current function):
    /// `break` and `continue` need one, as in Python.
    loops: usize,
}

/// How deeply expressions may nest: parentheses, unary signs, powers, and
/// each operator of a chain such as `a + b + c`. Every later walk over the
/// tree recurses, so the bound keeps all of them safe.
pub const NESTING_LIMIT: usize = 200;
/// Most blocks inside one another (Python's own limit).
pub const BLOCK_LIMIT: usize = 100;

type PResult<T> = Result<T, LangError>;

const KEYWORDS: [&str; 20] = [
    "def", "return", "for", "in", "if", "elif", "else", "and", "or", "not", "True", "False",
    "None", "pass", "while", "break", "continue", "import", "from", "lambda",
];

impl Parser {
    pub fn new(toks: Vec<Token>) -> Parser {
        Parser {
            toks,
            pos: 0,
            depth: 0,
            blocks: 0,
            loops: 0,
        }
    }
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }
    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.pos + k).min(self.toks.len() - 1)].tok
    }
    fn span(&self) -> Span {
        self.toks[self.pos].span
    }
    fn prev_end(&self) -> usize {
        if self.pos == 0 {
            0
        } else {
            self.toks[self.pos - 1].span.end
        }
    }
    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == kw)
    }
    fn eat_op(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.bump();
            true
        } else {
            false
        }
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.bump();
            true
        } else {
            false
        }
    }
    fn describe(t: &Tok) -> String {
        match t {
            Tok::Name(n) => format!("`{n}`"),
            Tok::Number(n) => format!("the number `{n}`"),
            Tok::Str(_) | Tok::FStr(..) => "a string".into(),
            Tok::Op(o) => format!("`{o}`"),
            Tok::Newline => "the end of the line".into(),
            Tok::Indent => "an indented block".into(),
            Tok::Dedent => "the end of the block".into(),
            Tok::Eof => "the end of the file".into(),
        }
    }
    fn expected(&self, what: &str, hint: Option<&str>) -> LangError {
        LangError::syntax(
            format!("expected {what}, found {}", Self::describe(self.peek())),
            self.span(),
            hint,
        )
    }
    fn expect_op(&mut self, op: &str, hint: Option<&str>) -> PResult<Span> {
        if self.is_op(op) {
            Ok(self.bump().span)
        } else {
            Err(self.expected(&format!("`{op}`"), hint))
        }
    }
    fn name(&mut self) -> PResult<(String, Span)> {
        match self.peek().clone() {
            Tok::Name(n) if !KEYWORDS.contains(&n.as_str()) => {
                let s = self.bump().span;
                Ok((n, s))
            }
            _ => Err(self.expected("a name", None)),
        }
    }

    pub fn program(&mut self) -> PResult<Vec<Stmt>> {
        let mut out = Vec::new();
        while !matches!(self.peek(), Tok::Eof) {
            if matches!(self.peek(), Tok::Newline) {
                self.bump();
                continue;
            }
            if matches!(self.peek(), Tok::Indent) {
                return Err(LangError::syntax(
                    "unexpected indentation",
                    self.span(),
                    Some("only the body of a `def`, `for`, `while` or `if` is indented"),
                ));
            }
            self.statement_line(&mut out)?;
        }
        Ok(out)
    }

    /// One line: simple statements separated by `;`, or a compound statement.
    fn statement_line(&mut self, out: &mut Vec<Stmt>) -> PResult<()> {
        // `find NAME in …:` (and `find` stays a name everywhere else).
        if self.is_kw("find")
            && matches!(self.peek_at(1), Tok::Name(n) if !KEYWORDS.contains(&n.as_str()))
            && matches!(self.peek_at(2), Tok::Name(n) if n == "in")
        {
            out.push(self.find()?);
            return Ok(());
        }
        if ["def", "if", "for", "while"].iter().any(|k| self.is_kw(k)) {
            out.push(self.compound()?);
            return Ok(());
        }
        loop {
            out.push(self.simple()?);
            if self.eat_op(";") {
                if matches!(self.peek(), Tok::Newline | Tok::Eof) {
                    break;
                }
                continue;
            }
            break;
        }
        match self.peek() {
            Tok::Newline => {
                self.bump();
                Ok(())
            }
            Tok::Eof | Tok::Dedent => Ok(()),
            _ => Err(self.expected(
                "the end of the statement",
                Some("put one statement per line, or separate them with `;`"),
            )),
        }
    }

    fn find(&mut self) -> PResult<Stmt> {
        let start = self.span().start;
        self.bump();
        let mut vars = Vec::new();
        loop {
            let (name, span) = self.name()?;
            if vars
                .iter()
                .any(|(n, _, _): &(String, Span, Expr)| *n == name)
            {
                return Err(LangError::syntax(
                    format!("`{name}` is searched twice"),
                    span,
                    None,
                ));
            }
            if !self.eat_kw("in") {
                return Err(self.expected(
                    "`in` and a domain",
                    Some("find W in grid(-2, 2, 1/2, shape=[1, 1]): <condition>"),
                ));
            }
            let dom = self.expr()?;
            vars.push((name, span, dom));
            if !self.eat_op(",") {
                break;
            }
        }
        let body = self.block()?;
        let cond = match body.as_slice() {
            [Stmt {
                kind: StmtKind::Expr(e),
                ..
            }] => e.clone(),
            _ => {
                return Err(LangError::syntax(
                    "the body of `find` is one condition",
                    Span::new(start, self.prev_end()),
                    Some("write the condition the design must meet, e.g. all(f(x) == rule(x) for x in domain)"),
                ))
            }
        };
        Ok(Stmt {
            kind: StmtKind::Find(vars, cond),
            span: Span::new(start, self.prev_end()),
        })
    }

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.expect_op(
            ":",
            Some("a `def`, `for`, `while` or `if` line ends with `:`"),
        )?;
        let mut body = Vec::new();
        if !matches!(self.peek(), Tok::Newline) {
            // `if x: y = 1` on one line: simple statements only, as in Python.
            if ["def", "if", "for", "while"].iter().any(|k| self.is_kw(k)) {
                return Err(LangError::syntax(
                    "a block on the same line as its `:` holds simple statements only",
                    self.span(),
                    Some("put the inner block on its own, indented line"),
                ));
            }
            self.statement_line(&mut body)?;
            return Ok(body);
        }
        // Python allows 100 levels of indentation; so does gradwork.
        if self.blocks >= BLOCK_LIMIT {
            return Err(LangError::syntax(
                format!("too many levels of indentation (more than {BLOCK_LIMIT})"),
                self.span(),
                Some("move the inner blocks into functions"),
            ));
        }
        self.blocks += 1;
        let r = self.indented_block(body);
        self.blocks -= 1;
        r
    }

    fn indented_block(&mut self, mut body: Vec<Stmt>) -> PResult<Vec<Stmt>> {
        self.bump();
        if !matches!(self.peek(), Tok::Indent) {
            return Err(self.expected(
                "an indented block",
                Some("indent the body of the block by four spaces"),
            ));
        }
        self.bump();
        while !matches!(self.peek(), Tok::Dedent | Tok::Eof) {
            if matches!(self.peek(), Tok::Newline) {
                self.bump();
                continue;
            }
            self.statement_line(&mut body)?;
        }
        if matches!(self.peek(), Tok::Dedent) {
            self.bump();
        }
        Ok(body)
    }

    fn compound(&mut self) -> PResult<Stmt> {
        let start = self.span().start;
        let kind = if self.eat_kw("def") {
            let (name, _) = self.name()?;
            self.expect_op("(", None)?;
            let mut params = Vec::new();
            while !self.is_op(")") {
                let (p, span) = self.name()?;
                if params.iter().any(|q: &Param| q.name == p) {
                    return Err(LangError::syntax(
                        format!("the parameter `{p}` is named twice"),
                        span,
                        None,
                    ));
                }
                let default = if self.eat_op("=") {
                    Some(self.expr()?)
                } else {
                    None
                };
                if default.is_none() && params.iter().any(|q| q.default.is_some()) {
                    return Err(LangError::syntax(
                        format!("the parameter `{p}` has no default but comes after one that has"),
                        span,
                        Some("parameters with defaults come last"),
                    ));
                }
                params.push(Param {
                    name: p,
                    default,
                    span,
                });
                if !self.eat_op(",") {
                    break;
                }
            }
            self.expect_op(")", Some("parameters are names separated by `,`"))?;
            if self.eat_op("->") {
                self.expr()?;
            }
            // A loop outside the function does not hold its `break`.
            let outer = std::mem::take(&mut self.loops);
            let body = self.block();
            self.loops = outer;
            StmtKind::Def(name, params, body?)
        } else if self.eat_kw("if") {
            let mut branches = vec![(self.expr()?, self.block()?)];
            let mut other = None;
            loop {
                if self.eat_kw("elif") {
                    branches.push((self.expr()?, self.block()?));
                } else if self.eat_kw("else") {
                    other = Some(self.block()?);
                    break;
                } else {
                    break;
                }
            }
            StmtKind::If(branches, other)
        } else if self.eat_kw("for") {
            let t = self.target_list()?;
            if !self.eat_kw("in") {
                return Err(self.expected("`in`", Some("write `for x in range(n):`")));
            }
            let it = self.expr_list()?;
            self.loops += 1;
            let body = self.block();
            self.loops -= 1;
            StmtKind::For(t, it, body?)
        } else {
            self.bump(); // while
            let c = self.expr()?;
            self.loops += 1;
            let body = self.block();
            self.loops -= 1;
            StmtKind::While(c, body?)
        };
        Ok(Stmt {
            kind,
            span: Span::new(start, self.prev_end()),
        })
    }

    fn target_list(&mut self) -> PResult<Target> {
        let start = self.span().start;
        let mut ts = vec![self.target_atom()?];
        while self.eat_op(",") {
            if self.is_kw("in") || self.is_op("=") {
                break;
            }
            ts.push(self.target_atom()?);
        }
        Ok(match <[Target; 1]>::try_from(ts) {
            Ok([t]) => t,
            Err(ts) => Target::Tuple(ts, Span::new(start, self.prev_end())),
        })
    }
    fn target_atom(&mut self) -> PResult<Target> {
        if self.is_op("(") || self.is_op("[") {
            let close = if self.is_op("(") { ")" } else { "]" };
            self.bump();
            let t = self.target_list()?;
            self.expect_op(close, None)?;
            return Ok(t);
        }
        let (n, s) = self.name()?;
        Ok(Target::Name(n, s))
    }

    fn indexes_a_name(e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Name(_) => true,
            ExprKind::Index(b, _) => Self::indexes_a_name(b),
            _ => false,
        }
    }

    /// Turns a parsed expression into an assignment target.
    fn to_target(e: &Expr) -> PResult<Target> {
        match &e.kind {
            ExprKind::Name(n) => Ok(Target::Name(n.clone(), e.span)),
            ExprKind::Tuple(items) | ExprKind::List(items) => Ok(Target::Tuple(
                items.iter().map(Self::to_target).collect::<PResult<_>>()?,
                e.span,
            )),
            // x[i] = v, and M[i][j] = v down a chain of indexes from a name.
            ExprKind::Index(base, items) if Self::indexes_a_name(base) => {
                Ok(Target::Index((**base).clone(), items.clone(), e.span))
            }
            ExprKind::Index(..) => Err(LangError::syntax(
                "cannot assign to an element of this expression",
                e.span,
                Some("assign to an element of a name: `H[t, :] = h`"),
            )),
            _ => Err(LangError::syntax(
                "cannot assign to this expression",
                e.span,
                Some("the left of `=` must be a name"),
            )),
        }
    }

    fn simple(&mut self) -> PResult<Stmt> {
        let start = self.span().start;
        let done = |p: &Parser, kind| {
            Ok(Stmt {
                kind,
                span: Span::new(start, p.prev_end()),
            })
        };
        // Keywords used as statements, unless used as a name: `show = 3`, or
        // a call written `show(x)` with the parenthesis right after the name
        // (`show (y == 2).sum()` is the statement).
        let call = matches!(self.peek_at(1), Tok::Op("("))
            && self.toks.get(self.pos + 1).map(|t| t.span.start) == Some(self.span().end);
        let next_is_assign = matches!(self.peek_at(1), Tok::Op("=")) || call;
        if self.is_kw("show") && !next_is_assign {
            self.bump();
            if let (Tok::Name(n), Tok::Op("=")) = (self.peek().clone(), self.peek_at(1).clone()) {
                let s = self.bump().span;
                self.bump();
                let e = self.expr_list()?;
                return done(self, StmtKind::Show(Some((n, s)), e));
            }
            let e = self.expr_list()?;
            return done(self, StmtKind::Show(None, e));
        }
        if (self.is_kw("check") && !next_is_assign) || self.is_kw("assert") {
            self.bump();
            let c = self.expr()?;
            let msg = if self.eat_op(",") {
                Some(self.expr()?)
            } else {
                None
            };
            return done(self, StmtKind::Check(c, msg));
        }
        if self.is_kw("require") && !next_is_assign {
            self.bump();
            let c = self.expr()?;
            return done(self, StmtKind::Require(c));
        }
        if self.eat_kw("return") {
            let e = if matches!(self.peek(), Tok::Newline | Tok::Eof | Tok::Dedent)
                || self.is_op(";")
            {
                None
            } else {
                Some(self.expr_list()?)
            };
            return done(self, StmtKind::Return(e));
        }
        if self.eat_kw("pass") {
            return done(self, StmtKind::Pass);
        }
        for (kw, kind) in [("break", StmtKind::Break), ("continue", StmtKind::Continue)] {
            if self.is_kw(kw) {
                let s = self.bump().span;
                if self.loops == 0 {
                    return Err(LangError::syntax(
                        format!("`{kw}` outside a loop"),
                        s,
                        Some("`break` and `continue` belong inside `for` or `while`"),
                    ));
                }
                return done(self, kind);
            }
        }
        if self.is_kw("import") || self.is_kw("from") {
            return self.import(start);
        }
        for kw in ["elif", "else"] {
            if self.is_kw(kw) {
                return Err(LangError::syntax(
                    format!("`{kw}` without an `if` above it"),
                    self.span(),
                    Some("indent it at the level of its `if`"),
                ));
            }
        }
        let first = self.expr_list()?;
        for (op, bop) in [
            ("+=", BinOp::Add),
            ("-=", BinOp::Sub),
            ("*=", BinOp::Mul),
            ("/=", BinOp::Div),
            ("@=", BinOp::MatMul),
            ("**=", BinOp::Pow),
            ("//=", BinOp::FloorDiv),
        ] {
            if self.eat_op(op) {
                let t = Self::to_target(&first)?;
                let v = self.expr_list()?;
                return done(self, StmtKind::AugAssign(t, bop, v));
            }
        }
        if self.is_op("=") {
            let mut targets = vec![Self::to_target(&first)?];
            let mut value;
            loop {
                self.expect_op("=", None)?;
                value = self.expr_list()?;
                if self.is_op("=") {
                    targets.push(Self::to_target(&value)?);
                } else {
                    break;
                }
            }
            return done(self, StmtKind::Assign(targets, value));
        }
        done(self, StmtKind::Expr(first))
    }

    fn import(&mut self, start: usize) -> PResult<Stmt> {
        let dotted = |p: &mut Parser| -> PResult<String> {
            let mut n = p.name()?.0;
            while p.eat_op(".") {
                n = format!("{n}.{}", p.name()?.0);
            }
            Ok(n)
        };
        let mut binds = Vec::new();
        if self.eat_kw("from") {
            let module = dotted(self)?;
            if !self.eat_kw("import") {
                return Err(self.expected("`import`", None));
            }
            loop {
                let n = self.name()?.0;
                let alias = if self.eat_kw("as") {
                    self.name()?.0
                } else {
                    n.clone()
                };
                binds.push((format!("{module}.{n}"), alias));
                if !self.eat_op(",") {
                    break;
                }
            }
        } else {
            self.bump();
            loop {
                let module = dotted(self)?;
                let alias = if self.eat_kw("as") {
                    self.name()?.0
                } else {
                    module
                        .split_once('.')
                        .map_or(&*module, |(first, _)| first)
                        .to_string()
                };
                binds.push((module, alias));
                if !self.eat_op(",") {
                    break;
                }
            }
        }
        Ok(Stmt {
            kind: StmtKind::Import(binds),
            span: Span::new(start, self.prev_end()),
        })
    }

    /// `a, b` as a tuple (bare tuples in assignments, `return a, b`).
    fn expr_list(&mut self) -> PResult<Expr> {
        let first = self.expr()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let start = first.span.start;
        let mut items = vec![first];
        while self.eat_op(",") {
            if matches!(self.peek(), Tok::Newline | Tok::Eof) || self.is_op("=") || self.is_op(")")
            {
                break;
            }
            items.push(self.expr()?);
        }
        Ok(Expr {
            kind: ExprKind::Tuple(items),
            span: Span::new(start, self.prev_end()),
        })
    }

    fn nest(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > NESTING_LIMIT {
            return Err(LangError::syntax(
                format!("the expression nests more than {NESTING_LIMIT} levels deep"),
                self.span(),
                Some("split it into several assignments"),
            ));
        }
        Ok(())
    }

    pub fn expr(&mut self) -> PResult<Expr> {
        self.nest()?;
        // Recursive descent uses a dozen frames a level: grow the stack as needed.
        let r = stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.expr_inner());
        self.depth -= 1;
        r
    }
    fn expr_inner(&mut self) -> PResult<Expr> {
        // `lambda x, y: body`: a function of one expression.
        if self.is_kw("lambda") {
            let start = self.bump().span.start;
            let mut params = Vec::new();
            while !self.is_op(":") {
                let (p, span) = self.name()?;
                params.push(Param {
                    name: p,
                    default: None,
                    span,
                });
                if !self.eat_op(",") {
                    break;
                }
            }
            self.expect_op(":", Some("a lambda reads `lambda x: x**2`"))?;
            let body = self.expr()?;
            let span = Span::new(start, body.span.end);
            return Ok(Expr {
                kind: ExprKind::Lambda(params, Box::new(body)),
                span,
            });
        }
        let e = self.or_expr()?;
        if self.is_kw("if") {
            // `a if cond else b`
            self.bump();
            let c = self.or_expr()?;
            if !self.eat_kw("else") {
                return Err(self.expected(
                    "`else`",
                    Some("a conditional expression reads `a if cond else b`"),
                ));
            }
            let o = self.expr()?;
            let span = e.span.to(o.span);
            return Ok(Expr {
                kind: ExprKind::IfElse(Box::new(c), Box::new(e), Box::new(o)),
                span,
            });
        }
        Ok(e)
    }
    fn or_expr(&mut self) -> PResult<Expr> {
        // Each operator of a chain (a + b + …) deepens the tree by one.
        let depth = self.depth;
        let r = self.or_expr_chain();
        self.depth = depth;
        r
    }
    fn or_expr_chain(&mut self) -> PResult<Expr> {
        let mut l = self.and_expr()?;
        while self.eat_kw("or") {
            self.nest()?;
            let r = self.and_expr()?;
            let span = l.span.to(r.span);
            l = Expr {
                kind: ExprKind::Or(Box::new(l), Box::new(r)),
                span,
            };
        }
        Ok(l)
    }
    fn and_expr(&mut self) -> PResult<Expr> {
        // Each operator of a chain (a + b + …) deepens the tree by one.
        let depth = self.depth;
        let r = self.and_expr_chain();
        self.depth = depth;
        r
    }
    fn and_expr_chain(&mut self) -> PResult<Expr> {
        let mut l = self.not_expr()?;
        while self.eat_kw("and") {
            self.nest()?;
            let r = self.not_expr()?;
            let span = l.span.to(r.span);
            l = Expr {
                kind: ExprKind::And(Box::new(l), Box::new(r)),
                span,
            };
        }
        Ok(l)
    }
    fn not_expr(&mut self) -> PResult<Expr> {
        if self.is_kw("not") {
            let s = self.bump().span;
            self.nest()?;
            let e = self.not_expr();
            self.depth -= 1;
            let e = e?;
            let span = s.to(e.span);
            return Ok(Expr {
                kind: ExprKind::Not(Box::new(e)),
                span,
            });
        }
        self.comparison()
    }
    fn comparison(&mut self) -> PResult<Expr> {
        // Each operator of a chain (a + b + …) deepens the tree by one.
        let depth = self.depth;
        let r = self.comparison_chain();
        self.depth = depth;
        r
    }
    fn comparison_chain(&mut self) -> PResult<Expr> {
        let l = self.bit_or()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek() {
                Tok::Op("==") => CmpOp::Eq,
                Tok::Op("!=") => CmpOp::Ne,
                Tok::Op("<") => CmpOp::Lt,
                Tok::Op("<=") => CmpOp::Le,
                Tok::Op(">") => CmpOp::Gt,
                Tok::Op(">=") => CmpOp::Ge,
                Tok::Name(n) if n == "in" => CmpOp::In,
                Tok::Name(n)
                    if n == "not" && matches!(self.peek_at(1), Tok::Name(m) if m == "in") =>
                {
                    self.bump();
                    CmpOp::NotIn
                }
                Tok::Name(n) if n == "is" => {
                    if matches!(self.peek_at(1), Tok::Name(m) if m == "not") {
                        self.bump();
                        CmpOp::IsNot
                    } else {
                        CmpOp::Is
                    }
                }
                _ => break,
            };
            self.bump();
            self.nest()?;
            rest.push((op, self.bit_or()?));
        }
        let Some((_, last)) = rest.last() else {
            return Ok(l);
        };
        let span = l.span.to(last.span);
        Ok(Expr {
            kind: ExprKind::Compare(Box::new(l), rest),
            span,
        })
    }
    /// `|`, then `^`, then `&`: below comparisons, above `+` (Python's order).
    fn bit_or(&mut self) -> PResult<Expr> {
        let depth = self.depth;
        let r = self.bit_level(0);
        self.depth = depth;
        r
    }
    fn bit_level(&mut self, level: usize) -> PResult<Expr> {
        const LEVELS: [(&str, BinOp); 3] = [
            ("|", BinOp::BitOr),
            ("^", BinOp::BitXor),
            ("&", BinOp::BitAnd),
        ];
        let next = |p: &mut Parser| {
            if level + 1 < LEVELS.len() {
                p.bit_level(level + 1)
            } else {
                p.arith()
            }
        };
        let mut l = next(self)?;
        let (tok, op) = LEVELS[level];
        while self.is_op(tok) {
            self.bump();
            self.nest()?;
            let r = next(self)?;
            let span = l.span.to(r.span);
            l = Expr {
                kind: ExprKind::Binary(op, Box::new(l), Box::new(r)),
                span,
            };
        }
        Ok(l)
    }
    fn arith(&mut self) -> PResult<Expr> {
        // Each operator of a chain (a + b + …) deepens the tree by one.
        let depth = self.depth;
        let r = self.arith_chain();
        self.depth = depth;
        r
    }
    fn arith_chain(&mut self) -> PResult<Expr> {
        let mut l = self.term()?;
        loop {
            let op = match self.peek() {
                Tok::Op("+") => BinOp::Add,
                Tok::Op("-") => BinOp::Sub,
                _ => break,
            };
            self.bump();
            self.nest()?;
            let r = self.term()?;
            let span = l.span.to(r.span);
            l = Expr {
                kind: ExprKind::Binary(op, Box::new(l), Box::new(r)),
                span,
            };
        }
        Ok(l)
    }
    fn term(&mut self) -> PResult<Expr> {
        // Each operator of a chain (a + b + …) deepens the tree by one.
        let depth = self.depth;
        let r = self.term_chain();
        self.depth = depth;
        r
    }
    fn term_chain(&mut self) -> PResult<Expr> {
        let mut l = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Op("*") => BinOp::Mul,
                Tok::Op("/") => BinOp::Div,
                Tok::Op("//") => BinOp::FloorDiv,
                Tok::Op("%") => BinOp::Mod,
                Tok::Op("@") => BinOp::MatMul,
                _ => break,
            };
            self.bump();
            self.nest()?;
            let r = self.unary()?;
            let span = l.span.to(r.span);
            l = Expr {
                kind: ExprKind::Binary(op, Box::new(l), Box::new(r)),
                span,
            };
        }
        Ok(l)
    }
    fn unary(&mut self) -> PResult<Expr> {
        self.nest()?;
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }
    fn unary_inner(&mut self) -> PResult<Expr> {
        if self.is_op("~") {
            let s = self.bump().span;
            let e = self.unary()?;
            let span = s.to(e.span);
            return Ok(Expr {
                kind: ExprKind::Invert(Box::new(e)),
                span,
            });
        }
        if self.is_op("-") || self.is_op("+") {
            let neg = self.is_op("-");
            let s = self.bump().span;
            let e = self.unary()?;
            let span = s.to(e.span);
            let kind = if neg {
                ExprKind::Neg(Box::new(e))
            } else {
                ExprKind::Pos(Box::new(e))
            };
            return Ok(Expr { kind, span });
        }
        self.power()
    }
    fn power(&mut self) -> PResult<Expr> {
        let base = self.postfix()?;
        if self.eat_op("**") {
            let exp = self.unary()?;
            let span = base.span.to(exp.span);
            return Ok(Expr {
                kind: ExprKind::Binary(BinOp::Pow, Box::new(base), Box::new(exp)),
                span,
            });
        }
        Ok(base)
    }
    fn postfix(&mut self) -> PResult<Expr> {
        // Each call, index or attribute deepens the tree by one.
        let depth = self.depth;
        let r = self.postfix_chain();
        self.depth = depth;
        r
    }
    fn postfix_chain(&mut self) -> PResult<Expr> {
        let mut e = self.atom()?;
        loop {
            if matches!(self.peek(), Tok::Op("(" | "[" | ".")) {
                self.nest()?;
            }
            if self.eat_op("(") {
                let (args, kwargs) = self.call_args()?;
                let span = Span::new(e.span.start, self.prev_end());
                e = Expr {
                    kind: ExprKind::Call(Box::new(e), args, kwargs),
                    span,
                };
            } else if self.eat_op("[") {
                let mut items = Vec::new();
                loop {
                    items.push(self.index_item()?);
                    if !self.eat_op(",") || self.is_op("]") {
                        break;
                    }
                }
                self.expect_op("]", Some("close the index with `]`"))?;
                let span = Span::new(e.span.start, self.prev_end());
                e = Expr {
                    kind: ExprKind::Index(Box::new(e), items),
                    span,
                };
            } else if self.eat_op(".") {
                let (n, s) = self.name()?;
                let span = e.span.to(s);
                e = Expr {
                    kind: ExprKind::Attr(Box::new(e), n),
                    span,
                };
            } else {
                break;
            }
        }
        Ok(e)
    }
    fn index_item(&mut self) -> PResult<IndexItem> {
        let part = |p: &mut Parser| -> PResult<Option<Expr>> {
            if p.is_op(":") || p.is_op("]") || p.is_op(",") {
                Ok(None)
            } else {
                Ok(Some(p.expr()?))
            }
        };
        let a = part(self)?;
        if !self.eat_op(":") {
            return match a {
                Some(e) => Ok(IndexItem::Expr(e)),
                None => Err(self.expected("an index", None)),
            };
        }
        let b = part(self)?;
        let c = if self.eat_op(":") { part(self)? } else { None };
        Ok(IndexItem::Slice(a, b, c))
    }
    fn call_args(&mut self) -> PResult<(Vec<Expr>, Vec<Kwarg>)> {
        let mut args = Vec::new();
        let mut kwargs: Vec<Kwarg> = Vec::new();
        let mut given = std::collections::HashSet::new();
        while !self.is_op(")") {
            if let (Tok::Name(n), Tok::Op("=")) = (self.peek().clone(), self.peek_at(1).clone()) {
                let s = self.bump().span;
                self.bump();
                let value = self.expr()?;
                if !given.insert(n.clone()) {
                    return Err(LangError::syntax(
                        format!("keyword argument `{n}` given twice"),
                        s,
                        None,
                    ));
                }
                kwargs.push(Kwarg {
                    name: n,
                    span: s.to(value.span),
                    value,
                });
            } else {
                let mut e = self.expr()?;
                // f(x**2 for x in v): a generator as the only argument.
                if args.is_empty() && kwargs.is_empty() && self.is_kw("for") {
                    let clauses = self.comp_clauses()?;
                    let span = Span::new(e.span.start, self.prev_end());
                    e = Expr {
                        kind: ExprKind::Comp(Box::new(e), clauses),
                        span,
                    };
                }
                if let Some(k) = kwargs.first() {
                    return Err(LangError::syntax(
                        "a positional argument after a keyword argument",
                        e.span,
                        Some(&format!("move it before `{}=`", k.name)),
                    ));
                }
                args.push(e);
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_op(
            ")",
            Some("arguments are separated by `,` and the call closes with `)`"),
        )?;
        Ok((args, kwargs))
    }
    /// `for t in xs if c …` clauses, one or more.
    fn comp_clauses(&mut self) -> PResult<Vec<CompFor>> {
        let mut clauses = Vec::new();
        while self.eat_kw("for") {
            let target = self.target_list()?;
            if !self.eat_kw("in") {
                return Err(
                    self.expected("`in`", Some("a comprehension reads `[f(x) for x in xs]`"))
                );
            }
            let iter = self.or_expr()?;
            let mut conds = Vec::new();
            while self.eat_kw("if") {
                conds.push(self.or_expr()?);
            }
            clauses.push(CompFor {
                target,
                iter,
                conds,
            });
        }
        Ok(clauses)
    }

    fn atom(&mut self) -> PResult<Expr> {
        let start = self.pos;
        let t = self.bump();
        let span = t.span;
        let kind = match t.tok {
            Tok::Number(n) => ExprKind::Num(n),
            Tok::Str(s) => ExprKind::Str(s),
            Tok::FStr(raw, at) => ExprKind::FStr(fstring_parts(&raw, at)?),
            Tok::Name(n) => match n.as_str() {
                "True" => ExprKind::Bool(true),
                "False" => ExprKind::Bool(false),
                "None" => ExprKind::None,
                k if KEYWORDS.contains(&k) => {
                    self.pos -= 1;
                    return Err(self.expected("an expression", None));
                }
                _ => ExprKind::Name(n),
            },
            Tok::Op("(") => {
                if self.eat_op(")") {
                    ExprKind::Tuple(vec![])
                } else {
                    let e = self.expr()?;
                    if self.is_kw("for") {
                        let clauses = self.comp_clauses()?;
                        self.expect_op(")", Some("a generator expression closes with `)`"))?;
                        return Ok(Expr {
                            kind: ExprKind::Comp(Box::new(e), clauses),
                            span: Span::new(span.start, self.prev_end()),
                        });
                    }
                    if self.is_op(",") {
                        let mut items = vec![e];
                        while self.eat_op(",") {
                            if self.is_op(")") {
                                break;
                            }
                            items.push(self.expr()?);
                        }
                        self.expect_op(")", None)?;
                        ExprKind::Tuple(items)
                    } else {
                        self.expect_op(")", Some("close the parenthesis"))?;
                        return Ok(Expr {
                            kind: e.kind,
                            span: Span::new(span.start, self.prev_end()),
                        });
                    }
                }
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                while !self.is_op("]") {
                    let item = self.expr()?;
                    if items.is_empty() && self.is_kw("for") {
                        let clauses = self.comp_clauses()?;
                        self.expect_op("]", Some("a list comprehension closes with `]`"))?;
                        return Ok(Expr {
                            kind: ExprKind::Comp(Box::new(item), clauses),
                            span: Span::new(span.start, self.prev_end()),
                        });
                    }
                    items.push(item);
                    if !self.eat_op(",") {
                        break;
                    }
                }
                self.expect_op("]", Some("list items are separated by `,`"))?;
                ExprKind::List(items)
            }
            _ => {
                // Back to the token that is not an expression (at the end of
                // the input `bump` stays put, so this is not `pos - 1`).
                self.pos = start;
                return Err(self.expected("an expression", None));
            }
        };
        Ok(Expr {
            kind,
            span: Span::new(span.start, self.prev_end()),
        })
    }
}

/// The pieces of an f-string's text `raw`, which starts at byte `at` of the
/// source: `{{` and `}}` are braces, `{expr!r:spec}` a field whose
/// expression is parsed in place (its spans point into the source).
fn fstring_parts(raw: &str, at: usize) -> PResult<Vec<FPart>> {
    let b = raw.as_bytes();
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' if b.get(i + 1) == Some(&b'{') => {
                text.push('{');
                i += 2;
            }
            b'}' if b.get(i + 1) == Some(&b'}') => {
                text.push('}');
                i += 2;
            }
            b'}' => {
                return Err(LangError::syntax(
                    "a single `}` in an f-string",
                    Span::new(at + i, at + i + 1),
                    Some("write `}}` for a brace"),
                ))
            }
            b'{' => {
                // The field runs to the `}` that closes it, past brackets.
                let open = i;
                let mut depth = 0usize;
                let (mut colon, mut bang) = (None, None);
                let mut j = i + 1;
                while j < b.len() {
                    match b[j] {
                        b'(' | b'[' | b'{' => depth += 1,
                        b')' | b']' if depth > 0 => depth -= 1,
                        b'}' if depth > 0 => depth -= 1,
                        b'}' => break,
                        b':' if depth == 0 && colon.is_none() => colon = Some(j),
                        b'!' if depth == 0 && colon.is_none() && b.get(j + 1) != Some(&b'=') => {
                            bang = Some(j)
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= b.len() {
                    return Err(LangError::syntax(
                        "this f-string field is not closed",
                        Span::new(at + open, at + b.len()),
                        Some("close it with `}`"),
                    ));
                }
                let mut end = bang.or(colon).unwrap_or(j);
                let spec = colon.map(|c| raw[c + 1..j].to_string());
                let mut debug = None;
                if raw[open + 1..end].trim_end().ends_with('=') {
                    let eq = open + 1 + raw[open + 1..end].trim_end().len() - 1;
                    debug = Some(raw[open + 1..eq + 1].to_string());
                    end = eq;
                }
                let expr = parse_field(&raw[..end], open + 1, at)?;
                if !text.is_empty() {
                    parts.push(FPart::Text(std::mem::take(&mut text)));
                }
                parts.push(FPart::Field { expr, spec, debug });
                i = j + 1;
            }
            // A backslash before a non-ASCII character is dropped and the
            // character read whole by the next arm.
            b'\\' if i + 1 < b.len() && !b[i + 1].is_ascii() => i += 1,
            b'\\' if i + 1 < b.len() => {
                text.push(match b[i + 1] {
                    b'n' => '\n',
                    b't' => '\t',
                    c => c as char,
                });
                i += 2;
            }
            _ => {
                let Some(ch) = raw.get(i..).and_then(|rest| rest.chars().next()) else {
                    return Err(LangError::internal(
                        "the f-string reader lost its place in the text",
                        Span::new(at + i, at + i),
                    ));
                };
                text.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    if !text.is_empty() {
        parts.push(FPart::Text(text));
    }
    Ok(parts)
}

/// The expression `raw[from..]` of an f-string field, with its spans moved
/// to where it stands in the source.
fn parse_field(raw: &str, from: usize, at: usize) -> PResult<Expr> {
    let here = Span::new(at + from, at + raw.len());
    if raw[from..].trim().is_empty() {
        return Err(LangError::syntax(
            "an empty f-string field",
            here,
            Some("put an expression between the braces: {x}"),
        ));
    }
    // Lexed in place (padded so byte offsets are the source's own).
    let padded = format!("{}{}", " ".repeat(from), &raw[from..]);
    let mut toks = super::lexer::lex(padded.trim_end())
        .map_err(|e| LangError::syntax(e.message, here, e.hint.as_deref()))?;
    toks.retain(|t| !matches!(t.tok, Tok::Indent | Tok::Dedent));
    for t in &mut toks {
        t.span = Span::new(t.span.start + at, t.span.end + at);
    }
    let mut p = Parser::new(toks);
    let e = p.expr()?;
    if !matches!(p.peek(), Tok::Newline | Tok::Eof) {
        return Err(LangError::syntax(
            "an f-string field holds one expression",
            here,
            None,
        ));
    }
    Ok(e)
}
