//! One Python module (a rule program, a global helper, a data-model
//! program): parsed once, with what the lowering looks up in it: its
//! literal module-level constants, its imports and its functions.

use ruff_python_ast::{Expr, ModModule, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;
use ruledex_ir::{LineIndex, Span, Value};
use std::collections::HashMap;

/// Deepest bracket nesting a program may have. The parser grows its stack,
/// but the tree it builds is walked and dropped recursively; real programs
/// nest a handful of levels.
pub const MAX_NESTING: usize = 100;

/// A literal the lowering can fold: a value, a collection of values, or a
/// compiled regular expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// A string, number, boolean or `None`.
    Value(Value),
    /// A list, tuple, set or frozenset of literals, or the keys of a dict.
    List(Vec<Value>),
    /// `re.compile(pattern[, flags])`: the pattern and whether `re.I` is set.
    Regex(String, bool),
}

/// Why a program could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxProblem {
    /// One sentence.
    pub message: String,
    /// Where, in the program text.
    pub span: Span,
    /// True when the program nests too deeply to be analyzed (not a syntax
    /// error Python would report).
    pub too_deep: bool,
}

/// A parsed module.
pub struct Module {
    /// Path of the program, relative to its source.
    pub path: String,
    /// The program text.
    pub text: String,
    /// The syntax tree, when the program parsed.
    pub ast: Option<ModModule>,
    /// The first syntax error, when it did not.
    pub problem: Option<SyntaxProblem>,
    /// Module-level names bound to literals.
    pub constants: HashMap<String, Constant>,
    /// `from module import name [as alias]`: alias → (module, name).
    pub imports: HashMap<String, (String, String)>,
    /// `import module [as alias]`: alias → module.
    pub modules: HashMap<String, String>,
    /// Top-level functions: name → index in the module body.
    pub functions: HashMap<String, usize>,
    lines: LineIndex,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("path", &self.path)
            .field("parsed", &self.ast.is_some())
            .field("constants", &self.constants.len())
            .field("functions", &self.functions.len())
            .finish()
    }
}

impl Module {
    /// Parse `text` (the program at `path`).
    pub fn parse(path: &str, text: &str) -> Module {
        let mut module = Module {
            path: path.to_string(),
            text: text.to_string(),
            ast: None,
            problem: None,
            constants: HashMap::new(),
            imports: HashMap::new(),
            modules: HashMap::new(),
            functions: HashMap::new(),
            lines: LineIndex::new(text),
        };
        if let Some((depth, at)) = too_deep(text) {
            module.problem = Some(SyntaxProblem {
                message: format!(
                    "brackets nest {depth} levels deep (at most {MAX_NESTING} are analyzed)"
                ),
                span: Span::new(at, at + 1),
                too_deep: true,
            });
            return module;
        }
        match ruff_python_parser::parse_module(text) {
            Ok(parsed) => {
                let ast = parsed.into_syntax();
                module.index(&ast);
                module.ast = Some(ast);
            }
            Err(error) => {
                let range = error.location;
                module.problem = Some(SyntaxProblem {
                    message: error.error.to_string(),
                    span: Span::new(range.start().to_u32(), range.end().to_u32()),
                    too_deep: false,
                });
            }
        }
        module
    }

    /// The top-level function `name`.
    pub fn function(&self, name: &str) -> Option<&StmtFunctionDef> {
        let index = *self.functions.get(name)?;
        match self.ast.as_ref()?.body.get(index)? {
            Stmt::FunctionDef(def) => Some(def),
            _ => None,
        }
    }

    /// The text of a node.
    pub fn slice(&self, node: &impl Ranged) -> &str {
        let range = node.range();
        self.text
            .get(range.start().to_usize()..range.end().to_usize())
            .unwrap_or("")
    }

    /// `path:line:column` of a node, for messages.
    pub fn position(&self, node: &impl Ranged) -> String {
        let at = self
            .lines
            .line_col(&self.text, node.range().start().to_u32());
        format!("{}:{}:{}", self.path, at.line, at.column)
    }

    /// 1-based line of a byte offset of the program.
    pub fn line_of(&self, offset: u32) -> u32 {
        self.lines.line_col(&self.text, offset).line
    }

    fn index(&mut self, ast: &ModModule) {
        for (i, stmt) in ast.body.iter().enumerate() {
            match stmt {
                Stmt::FunctionDef(def) => {
                    self.functions.insert(def.name.id.to_string(), i);
                }
                Stmt::Assign(assign) => {
                    if let [Expr::Name(target)] = assign.targets.as_slice() {
                        let name = target.id.to_string();
                        match self.literal(&assign.value) {
                            Some(c) => {
                                self.constants.insert(name, c);
                            }
                            // Rebinding a name to something dynamic makes
                            // any earlier literal stale.
                            None => {
                                self.constants.remove(&name);
                            }
                        }
                    }
                }
                Stmt::AnnAssign(assign) => {
                    if let (Expr::Name(target), Some(value)) = (&*assign.target, &assign.value) {
                        if let Some(c) = self.literal(value) {
                            self.constants.insert(target.id.to_string(), c);
                        }
                    }
                }
                Stmt::ImportFrom(import) => {
                    let Some(from) = &import.module else { continue };
                    for alias in &import.names {
                        let name = alias.name.id.to_string();
                        let bound = alias
                            .asname
                            .as_ref()
                            .map_or(name.clone(), |a| a.id.to_string());
                        self.imports.insert(bound, (from.id.to_string(), name));
                    }
                }
                Stmt::Import(import) => {
                    for alias in &import.names {
                        let name = alias.name.id.to_string();
                        let bound = alias
                            .asname
                            .as_ref()
                            .map_or(name.clone(), |a| a.id.to_string());
                        self.modules.insert(bound, name);
                    }
                }
                _ => {}
            }
        }
    }

    /// A literal expression folded to a constant, using the constants
    /// defined before it.
    pub fn literal(&self, expr: &Expr) -> Option<Constant> {
        literal_of(expr, &|name| self.constants.get(name).cloned(), 0)
    }
}

/// Fold a literal expression: scalars, collections of scalars, dict keys,
/// `set(...)`/`frozenset(...)`/`list(...)`/`tuple(...)` of those, `+` of
/// lists or strings, and `re.compile(...)`. `lookup` resolves names.
pub fn literal_of(
    expr: &Expr,
    lookup: &dyn Fn(&str) -> Option<Constant>,
    depth: usize,
) -> Option<Constant> {
    if depth > MAX_NESTING {
        return None;
    }
    let items = |elts: &[Expr]| -> Option<Constant> {
        let mut out = Vec::with_capacity(elts.len());
        for e in elts {
            match literal_of(e, lookup, depth + 1)? {
                Constant::Value(v) => out.push(v),
                _ => return None,
            }
        }
        Some(Constant::List(out))
    };
    match expr {
        Expr::StringLiteral(s) => {
            Some(Constant::Value(Value::String(s.value.to_str().to_string())))
        }
        Expr::NumberLiteral(n) => number(&n.value).map(Constant::Value),
        Expr::BooleanLiteral(b) => Some(Constant::Value(Value::Bool(b.value))),
        Expr::NoneLiteral(_) => Some(Constant::Value(Value::Null)),
        Expr::UnaryOp(u) if matches!(u.op, ruff_python_ast::UnaryOp::USub) => {
            match literal_of(&u.operand, lookup, depth + 1)? {
                Constant::Value(Value::Integer(i)) => Some(Constant::Value(Value::Integer(-i))),
                Constant::Value(Value::Float(f)) => Some(Constant::Value(Value::Float(-f))),
                _ => None,
            }
        }
        Expr::List(l) => items(&l.elts),
        Expr::Tuple(t) => items(&t.elts),
        Expr::Set(s) => items(&s.elts),
        Expr::Dict(d) => {
            let mut keys = Vec::new();
            for item in &d.items {
                match literal_of(item.key.as_ref()?, lookup, depth + 1)? {
                    Constant::Value(v) => keys.push(v),
                    _ => return None,
                }
            }
            Some(Constant::List(keys))
        }
        Expr::Name(n) => lookup(n.id.as_str()),
        Expr::BinOp(b) if matches!(b.op, ruff_python_ast::Operator::Add) => {
            match (
                literal_of(&b.left, lookup, depth + 1)?,
                literal_of(&b.right, lookup, depth + 1)?,
            ) {
                (Constant::List(mut a), Constant::List(b)) => {
                    a.extend(b);
                    Some(Constant::List(a))
                }
                (Constant::Value(Value::String(a)), Constant::Value(Value::String(b))) => {
                    Some(Constant::Value(Value::String(a + &b)))
                }
                _ => None,
            }
        }
        Expr::BinOp(b) if matches!(b.op, ruff_python_ast::Operator::BitOr) => {
            // Set union.
            match (
                literal_of(&b.left, lookup, depth + 1)?,
                literal_of(&b.right, lookup, depth + 1)?,
            ) {
                (Constant::List(mut a), Constant::List(b)) => {
                    for v in b {
                        if !a.contains(&v) {
                            a.push(v);
                        }
                    }
                    Some(Constant::List(a))
                }
                _ => None,
            }
        }
        Expr::Call(call) => {
            let name = dotted(&call.func)?;
            let args = &call.arguments.args;
            match name.as_str() {
                "set" | "frozenset" | "list" | "tuple" | "sorted" if args.len() == 1 => {
                    match literal_of(&args[0], lookup, depth + 1)? {
                        c @ Constant::List(_) => Some(c),
                        _ => None,
                    }
                }
                "set" | "frozenset" | "list" | "tuple" if args.is_empty() => {
                    Some(Constant::List(Vec::new()))
                }
                "re.compile" | "compile" if !args.is_empty() => {
                    let Constant::Value(Value::String(pattern)) =
                        literal_of(&args[0], lookup, depth + 1)?
                    else {
                        return None;
                    };
                    let flags = args
                        .get(1)
                        .or_else(|| call.arguments.find_keyword("flags").map(|k| &k.value));
                    Some(Constant::Regex(pattern, flags.is_some_and(ignores_case)))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// A Python number as a value (complex numbers have none).
pub fn number(n: &ruff_python_ast::Number) -> Option<Value> {
    match n {
        ruff_python_ast::Number::Int(i) => i.as_i64().map(Value::Integer),
        ruff_python_ast::Number::Float(f) => Some(Value::Float(*f)),
        ruff_python_ast::Number::Complex { .. } => None,
    }
}

/// `a.b.c` for a chain of names and attributes.
pub fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted(&a.value)?, a.attr.id)),
        _ => None,
    }
}

/// True when a `flags` argument sets `re.I` / `re.IGNORECASE`.
pub fn ignores_case(flags: &Expr) -> bool {
    match flags {
        Expr::BinOp(b) => ignores_case(&b.left) || ignores_case(&b.right),
        other => dotted(other)
            .is_some_and(|d| matches!(d.as_str(), "re.I" | "re.IGNORECASE" | "I" | "IGNORECASE")),
    }
}

/// The deepest bracket nesting of a program, when it exceeds
/// [`MAX_NESTING`], with the offset where it does. Strings and comments are
/// skipped (well enough for a bound: a bracket in a string only makes the
/// estimate larger).
fn too_deep(text: &str) -> Option<(usize, u32)> {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    // Runs of prefix operators (`not not not x`, `- - - x`) recurse in the
    // parser like brackets do.
    let mut prefix_run = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            quote @ (b'"' | b'\'') => {
                let triple = bytes.get(i..i + 3) == Some(&[quote, quote, quote]);
                i += if triple { 3 } else { 1 };
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if triple {
                        if bytes.get(i..i + 3) == Some(&[quote, quote, quote]) {
                            i += 3;
                            break;
                        }
                    } else if bytes[i] == quote || bytes[i] == b'\n' {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth + prefix_run > deepest {
                    deepest = depth + prefix_run;
                    at = i;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'-' | b'+' | b'~' => {
                prefix_run += 1;
                if depth + prefix_run > deepest {
                    deepest = depth + prefix_run;
                    at = i;
                }
            }
            b' ' | b'\t' => {}
            b'n' if text[i..].starts_with("not")
                && !word_at(bytes, i + 3)
                && (i == 0 || !word_at(bytes, i - 1)) =>
            {
                prefix_run += 1;
                if depth + prefix_run > deepest {
                    deepest = depth + prefix_run;
                    at = i;
                }
                i += 3;
                continue;
            }
            _ => prefix_run = 0,
        }
        i += 1;
    }
    (deepest > MAX_NESTING).then_some((deepest, u32::try_from(at).unwrap_or(u32::MAX)))
}

fn word_at(bytes: &[u8], i: usize) -> bool {
    bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_fold_through_names_and_calls() {
        let m = Module::parse(
            "r.py",
            "A = ['x', 'y']\nB = frozenset(A + ['z'])\nC = {'k': 1}\nR = re.compile(r'a+', re.I)\nD = -3\n",
        );
        assert_eq!(
            m.constants["B"],
            Constant::List(vec!["x".into(), "y".into(), "z".into()])
        );
        assert_eq!(m.constants["C"], Constant::List(vec!["k".into()]));
        assert_eq!(m.constants["R"], Constant::Regex("a+".into(), true));
        assert_eq!(m.constants["D"], Constant::Value(Value::Integer(-3)));
    }

    #[test]
    fn nesting_is_bounded_before_parsing() {
        let deep = format!("x = {}1{}\n", "(".repeat(500), ")".repeat(500));
        let m = Module::parse("d.py", &deep);
        assert!(m.problem.as_ref().is_some_and(|p| p.too_deep));
        let nots = format!("x = {}y\n", "not ".repeat(500));
        assert!(Module::parse("n.py", &nots).problem.is_some());
        let fine = "x = notable + nothing - 1\n";
        assert!(Module::parse("f.py", fine).problem.is_none());
    }
}
