//! A syntax check of Sigma `re` values with the semantics of the
//! specification: PCRE-like regular expressions.
//!
//! Sigma leaves matching to each backend, so ruledex only checks that a
//! pattern is well formed as PCRE reads it. The differences from Rust's
//! `regex` syntax matter in real rules: in PCRE a `[` inside a character
//! class is a literal (`[^^=%![(; ]`), not a nested class; look-around,
//! back-references, atomic groups and possessive quantifiers are valid.
//! What PCRE rejects is still reported: unbalanced parentheses, an
//! unterminated class, a quantifier with nothing to repeat, a range out of
//! order, an unknown escape letter or POSIX class, a reference to a group
//! that does not exist. Where pySigma's own engine (RE2) is more lenient
//! than PCRE — quantified anchors (`^*`, `\b+`), group names that start
//! with a digit, are not ASCII or repeat — the check follows pySigma, so no
//! rule pySigma loads is rejected.
//!
//! ```
//! use ruledex_sigma::regex_syntax_check::check;
//! assert!(check(r"[^^=%![(; ]+").is_ok());
//! assert!(check(r"(?<=\\)cmd\.exe(?! /c)").is_ok());
//! assert_eq!(check(r"a(b").unwrap_err(), "missing closing parenthesis");
//! ```

/// The POSIX classes PCRE knows (`[[:alpha:]]`).
const POSIX_CLASSES: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Escape letters PCRE gives a meaning outside classes.
const ESCAPE_LETTERS: &str = "aefnrtdDhHsSvVwWNRXCbBAZzGKQEpPxocgk";

/// Escape letters PCRE gives a meaning inside classes.
const CLASS_ESCAPE_LETTERS: &str = "aefnrtdDhHsSvVwWbQEpPxoc";

/// Check `pattern`; the error says what PCRE would reject.
pub fn check(pattern: &str) -> Result<(), String> {
    Checker {
        chars: pattern.chars().collect(),
        pos: 0,
        groups: 0,
        names: Vec::new(),
        open: 0,
        references: Vec::new(),
        named_references: Vec::new(),
    }
    .run()
}

struct Checker {
    chars: Vec<char>,
    pos: usize,
    /// Capturing groups so far.
    groups: usize,
    /// Names of named groups.
    names: Vec<String>,
    /// Groups open now.
    open: usize,
    /// Numbered back-references (`\2`, `\g{2}`).
    references: Vec<usize>,
    /// Named back-references (`\k<name>`, `(?P=name)`).
    named_references: Vec<String>,
}

impl Checker {
    fn peek(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn run(mut self) -> Result<(), String> {
        // Whether what precedes can take a quantifier.
        let mut atom = false;
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            match c {
                '\\' => atom = self.escape()?,
                '[' => {
                    self.class()?;
                    atom = true;
                }
                '(' => {
                    atom = self.group_start()?;
                }
                ')' => {
                    if self.open == 0 {
                        return Err("unmatched closing parenthesis".into());
                    }
                    self.open -= 1;
                    atom = true;
                }
                '|' => atom = false,
                // Anchors take a quantifier in pySigma's engine (RE2).
                '^' | '$' => atom = true,
                '*' | '+' | '?' => {
                    if !atom {
                        return Err(format!(
                            "quantifier `{c}` does not follow a repeatable item"
                        ));
                    }
                    self.quantifier_suffix();
                    atom = false;
                }
                '{' => match self.braced_quantifier()? {
                    Some(()) => {
                        if !atom {
                            return Err(
                                "quantifier `{...}` does not follow a repeatable item".into()
                            );
                        }
                        self.quantifier_suffix();
                        atom = false;
                    }
                    // Not a quantifier: a literal `{`.
                    None => atom = true,
                },
                _ => atom = true,
            }
        }
        if self.open > 0 {
            return Err("missing closing parenthesis".into());
        }
        if let Some(n) = self.references.iter().find(|n| **n > self.groups) {
            return Err(format!("reference to non-existent group {n}"));
        }
        if let Some(name) = self
            .named_references
            .iter()
            .find(|n| !self.names.contains(n))
        {
            return Err(format!("reference to non-existent group `{name}`"));
        }
        Ok(())
    }

    /// `?` (lazy) or `+` (possessive) after a quantifier.
    fn quantifier_suffix(&mut self) {
        if matches!(self.peek(0), Some('?' | '+')) {
            self.pos += 1;
        }
    }

    /// After `{`: `n}`, `n,}`, `n,m}` or `,m}` is a quantifier (checked);
    /// anything else leaves `{` a literal.
    fn braced_quantifier(&mut self) -> Result<Option<()>, String> {
        let start = self.pos;
        let digits = |checker: &mut Checker| {
            let from = checker.pos;
            while checker.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                checker.pos += 1;
            }
            let text: String = checker.chars[from..checker.pos].iter().collect();
            (!text.is_empty()).then_some(text)
        };
        let low = digits(self);
        let mut high = low.clone();
        if self.peek(0) == Some(',') {
            self.pos += 1;
            high = digits(self);
        }
        if self.peek(0) != Some('}') || (low.is_none() && high.is_none()) {
            self.pos = start;
            return Ok(None);
        }
        self.pos += 1;
        let number = |text: &Option<String>| -> Result<Option<u64>, String> {
            match text {
                None => Ok(None),
                Some(t) => match t.parse::<u64>() {
                    Ok(n) if n <= 65_535 => Ok(Some(n)),
                    _ => Err("number too big in {} quantifier".to_string()),
                },
            }
        };
        if let (Some(low), Some(high)) = (number(&low)?, number(&high)?) {
            if low > high {
                return Err("numbers out of order in {} quantifier".into());
            }
        }
        Ok(Some(()))
    }

    /// After `\` outside a class; returns whether the escape is repeatable.
    fn escape(&mut self) -> Result<bool, String> {
        let Some(c) = self.peek(0) else {
            return Err("the pattern ends with a backslash".into());
        };
        self.pos += 1;
        match c {
            '1'..='9' => {
                let first = self.pos;
                let mut n = c.to_digit(10).unwrap_or(0) as usize;
                while let Some(d) = self.peek(0).and_then(|d| d.to_digit(10)) {
                    n = n.saturating_mul(10).saturating_add(d as usize);
                    self.pos += 1;
                }
                // PCRE: a number of 10 or more, not starting with 8 or 9,
                // with fewer capturing groups before it is an octal
                // character code of up to three digits (`\12`, `\177`),
                // the digits after it literals.
                if n >= 10 && c < '8' && n > self.groups {
                    self.pos = first;
                    for _ in 0..2 {
                        if self.peek(0).is_some_and(|d| ('0'..='7').contains(&d)) {
                            self.pos += 1;
                        }
                    }
                } else {
                    self.references.push(n);
                }
                Ok(true)
            }
            '0' => Ok(true),
            'Q' => {
                self.quoted();
                Ok(true)
            }
            'E' => Ok(false),
            // Assertions pySigma's engine (RE2) lets a quantifier follow,
            // as Perl does: `\b*` matches like `\b?`.
            'b' | 'B' | 'A' | 'z' => Ok(true),
            'Z' | 'G' | 'K' => Ok(false),
            'x' | 'o' => {
                self.braced_or_hex(c)?;
                Ok(true)
            }
            'c' => {
                if self.peek(0).is_none() {
                    return Err("`\\c` at the end of the pattern".into());
                }
                self.pos += 1;
                Ok(true)
            }
            'p' | 'P' => {
                self.property()?;
                Ok(true)
            }
            'g' => {
                self.group_reference()?;
                Ok(true)
            }
            'k' => {
                let name = self.delimited_name(&[('<', '>'), ('\'', '\''), ('{', '}')])?;
                self.named_references.push(name);
                Ok(true)
            }
            c if c.is_ascii_alphabetic() && !ESCAPE_LETTERS.contains(c) => {
                Err(format!("unrecognized escape `\\{c}`"))
            }
            _ => Ok(true),
        }
    }

    /// `\Q...\E`: literal text.
    fn quoted(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == '\\' && self.peek(1) == Some('E') {
                self.pos += 2;
                return;
            }
            self.pos += 1;
        }
    }

    /// `\x{…}`, `\xHH`, `\o{…}`.
    fn braced_or_hex(&mut self, kind: char) -> Result<(), String> {
        if self.peek(0) == Some('{') {
            self.pos += 1;
            let from = self.pos;
            while self.peek(0).is_some_and(|c| c != '}') {
                self.pos += 1;
            }
            if self.peek(0) != Some('}') {
                return Err(format!("missing `}}` after `\\{kind}{{`"));
            }
            let digits: String = self.chars[from..self.pos].iter().collect();
            self.pos += 1;
            let radix = if kind == 'x' { 16 } else { 8 };
            if digits.is_empty() || u32::from_str_radix(&digits, radix).is_err() {
                return Err(format!("invalid `\\{kind}{{{digits}}}`"));
            }
        } else if kind == 'o' {
            return Err("`\\o` must be followed by `{`".into());
        } else {
            for _ in 0..2 {
                if self.peek(0).is_some_and(|c| c.is_ascii_hexdigit()) {
                    self.pos += 1;
                }
            }
        }
        Ok(())
    }

    /// `\pL`, `\p{Lu}`, `\P{^Greek}`.
    fn property(&mut self) -> Result<(), String> {
        match self.peek(0) {
            Some('{') => {
                self.pos += 1;
                let from = self.pos;
                while self.peek(0).is_some_and(|c| c != '}') {
                    self.pos += 1;
                }
                if self.peek(0) != Some('}') || self.pos == from {
                    return Err("malformed `\\p{...}`".into());
                }
                self.pos += 1;
                Ok(())
            }
            Some(c) if c.is_ascii_alphabetic() => {
                self.pos += 1;
                Ok(())
            }
            _ => Err("malformed `\\p`".into()),
        }
    }

    /// `\g1`, `\g-1`, `\g{2}`, `\g{name}`, `\g<name>` (a subroutine).
    fn group_reference(&mut self) -> Result<(), String> {
        match self.peek(0) {
            Some('{' | '<' | '\'') => {
                let name = self.delimited_name(&[('{', '}'), ('<', '>'), ('\'', '\'')])?;
                let number = name.trim_start_matches(['-', '+']);
                if let Ok(n) = number.parse::<usize>() {
                    if !name.starts_with(['-', '+']) {
                        self.references.push(n);
                    }
                } else {
                    self.named_references.push(name);
                }
                Ok(())
            }
            Some('-' | '+' | '0'..='9') => {
                let relative = matches!(self.peek(0), Some('-' | '+'));
                if relative {
                    self.pos += 1;
                }
                let from = self.pos;
                while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                let digits: String = self.chars[from..self.pos].iter().collect();
                match digits.parse::<usize>() {
                    Ok(n) if !relative => self.references.push(n),
                    Ok(_) => {}
                    Err(_) => return Err("malformed `\\g` reference".into()),
                }
                Ok(())
            }
            _ => Err("malformed `\\g` reference".into()),
        }
    }

    /// A group name between one of the `delimiters` pairs.
    fn delimited_name(&mut self, delimiters: &[(char, char)]) -> Result<String, String> {
        let Some(&(_, close)) = delimiters
            .iter()
            .find(|(open, _)| self.peek(0) == Some(*open))
        else {
            return Err("expected a group name".into());
        };
        self.pos += 1;
        let from = self.pos;
        while self.peek(0).is_some_and(|c| c != close) {
            self.pos += 1;
        }
        if self.peek(0) != Some(close) || self.pos == from {
            return Err("malformed group name".into());
        }
        let name: String = self.chars[from..self.pos].iter().collect();
        self.pos += 1;
        Ok(name)
    }

    /// After `[`: a character class, where `[` is a literal and `]` right
    /// after the opening (or `^`) is one too.
    fn class(&mut self) -> Result<(), String> {
        if self.peek(0) == Some('^') {
            self.pos += 1;
        }
        let mut first = true;
        // The last single character, for ranges (`a-z`).
        let mut previous: Option<char> = None;
        loop {
            let Some(c) = self.peek(0) else {
                return Err("missing terminating `]` for character class".into());
            };
            self.pos += 1;
            let mut single = None;
            match c {
                ']' if !first => return Ok(()),
                '\\' => {
                    let Some(e) = self.peek(0) else {
                        return Err("missing terminating `]` for character class".into());
                    };
                    self.pos += 1;
                    match e {
                        'Q' => self.quoted(),
                        'x' | 'o' => self.braced_or_hex(e)?,
                        'p' | 'P' => self.property()?,
                        'c' => self.pos += 1,
                        e if e.is_ascii_alphabetic() && !CLASS_ESCAPE_LETTERS.contains(e) => {
                            return Err(format!(
                                "unrecognized escape `\\{e}` in a character class"
                            ));
                        }
                        e if !e.is_ascii_alphanumeric() => single = Some(e),
                        _ => {}
                    }
                }
                '[' if self.peek(0) == Some(':') => {
                    if let Some(end) = self.posix_class_end() {
                        let name: String = self.chars[self.pos + 1..end].iter().collect();
                        let name = name.strip_prefix('^').unwrap_or(&name).to_string();
                        if !POSIX_CLASSES.contains(&name.as_str()) {
                            return Err(format!("unknown POSIX class name `{name}`"));
                        }
                        self.pos = end + 2;
                    } else {
                        single = Some('[');
                    }
                }
                '[' if matches!(self.peek(0), Some('.' | '='))
                    && self.posix_class_end().is_some() =>
                {
                    return Err("POSIX collating elements are not supported".into());
                }
                '-' if previous.is_some() && self.peek(0).is_some_and(|n| n != ']') => {
                    // A range: its end is a single character too.
                    let start = previous.take().unwrap_or('-');
                    let end = match self.peek(0) {
                        Some('\\') => {
                            self.pos += 1;
                            let e = self.peek(0);
                            self.pos += 1;
                            e.filter(|e| !e.is_ascii_alphanumeric())
                        }
                        Some('[') if self.peek(1) == Some(':') => None,
                        other => {
                            self.pos += 1;
                            other
                        }
                    };
                    if let Some(end) = end {
                        if end < start {
                            return Err(format!(
                                "range out of order in character class (`{start}-{end}`)"
                            ));
                        }
                    }
                    first = false;
                    continue;
                }
                c => single = Some(c),
            }
            previous = single;
            first = false;
        }
    }

    /// At `[` + `:`/`.`/`=` inside a class: the index of the `:` (or `.`,
    /// `=`) that closes a POSIX class `[:name:]`, when there is one.
    fn posix_class_end(&self) -> Option<usize> {
        let kind = self.peek(0)?;
        let mut i = self.pos + 1;
        while let Some(&c) = self.chars.get(i) {
            if c == kind && self.chars.get(i + 1) == Some(&']') {
                return Some(i);
            }
            if c == ']' || c == '[' {
                return None;
            }
            i += 1;
        }
        None
    }

    /// After `(`: a group; returns whether what it starts is repeatable
    /// once closed (the caller tracks that through `)`).
    fn group_start(&mut self) -> Result<bool, String> {
        match self.peek(0) {
            Some('?') => {
                self.pos += 1;
                self.extended_group()
            }
            Some('*') => {
                // `(*VERB)` / `(*VERB:NAME)`.
                while self.peek(0).is_some_and(|c| c != ')') {
                    self.pos += 1;
                }
                if self.peek(0) != Some(')') {
                    return Err("missing `)` after `(*`".into());
                }
                self.pos += 1;
                Ok(false)
            }
            _ => {
                self.groups += 1;
                self.open += 1;
                Ok(false)
            }
        }
    }

    /// After `(?`.
    fn extended_group(&mut self) -> Result<bool, String> {
        let Some(c) = self.peek(0) else {
            return Err("unterminated `(?`".into());
        };
        let open_group = |checker: &mut Checker| {
            checker.open += 1;
            Ok(false)
        };
        match c {
            ':' | '|' | '>' | '=' | '!' => {
                self.pos += 1;
                open_group(self)
            }
            '<' if matches!(self.peek(1), Some('=' | '!')) => {
                self.pos += 2;
                open_group(self)
            }
            '<' | '\'' => {
                let name = self.delimited_name(&[('<', '>'), ('\'', '\'')])?;
                self.named_group(name)
            }
            'P' => {
                self.pos += 1;
                match self.peek(0) {
                    Some('<') => {
                        let name = self.delimited_name(&[('<', '>')])?;
                        self.named_group(name)
                    }
                    Some('=' | '>') => {
                        let reference = self.peek(0) == Some('=');
                        self.pos += 1;
                        let from = self.pos;
                        while self.peek(0).is_some_and(|c| c != ')') {
                            self.pos += 1;
                        }
                        if self.peek(0) != Some(')') || self.pos == from {
                            return Err("malformed `(?P` group".into());
                        }
                        let name: String = self.chars[from..self.pos].iter().collect();
                        self.pos += 1;
                        if reference {
                            self.named_references.push(name);
                        }
                        Ok(true)
                    }
                    _ => Err("unrecognized character after `(?P`".into()),
                }
            }
            '#' => {
                while self.peek(0).is_some_and(|c| c != ')') {
                    self.pos += 1;
                }
                if self.peek(0) != Some(')') {
                    return Err("missing `)` after a `(?#` comment".into());
                }
                self.pos += 1;
                Ok(false)
            }
            '(' => {
                // A conditional group: the condition, then the branches.
                self.pos += 1;
                while self.peek(0).is_some_and(|c| c != ')') {
                    self.pos += 1;
                }
                if self.peek(0) != Some(')') {
                    return Err("malformed condition in `(?(`".into());
                }
                self.pos += 1;
                open_group(self)
            }
            'R' | '&' | '+' | '-' | '0'..='9'
                if c != '-' || self.peek(1).is_some_and(|d| d.is_ascii_digit()) =>
            {
                // Recursion and subroutine calls: `(?R)`, `(?1)`, `(?-1)`,
                // `(?&name)`.
                while self.peek(0).is_some_and(|c| c != ')') {
                    self.pos += 1;
                }
                if self.peek(0) != Some(')') {
                    return Err("missing `)` after a subroutine call".into());
                }
                self.pos += 1;
                Ok(true)
            }
            _ => {
                // Option letters: `(?i)`, `(?im-sx)`, `(?i:...)`, `(?^)`.
                while let Some(c) = self.peek(0) {
                    match c {
                        'i' | 'm' | 's' | 'x' | 'n' | 'J' | 'U' | '-' | '^' => self.pos += 1,
                        ')' => {
                            self.pos += 1;
                            return Ok(false);
                        }
                        ':' => {
                            self.pos += 1;
                            return open_group(self);
                        }
                        other => {
                            return Err(format!("unrecognized character `{other}` after `(?`"));
                        }
                    }
                }
                Err("unterminated `(?`".into())
            }
        }
    }

    /// Group names are word characters, as pySigma's engine (RE2) takes
    /// them: a leading digit, letters beyond ASCII and a name used twice
    /// (PCRE's `(?J)`) are accepted.
    fn named_group(&mut self, name: String) -> Result<bool, String> {
        if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(format!("invalid group name `{name}`"));
        }
        self.names.push(name);
        self.groups += 1;
        self.open += 1;
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn what_pcre_accepts() {
        for pattern in [
            r"[^^=%![(; ]",
            r"[[]",
            r"[]a]",
            r"[^]a]",
            r"[a-z0-9_\-]+",
            r"[\w.-]+@[\w.-]+",
            r"[[:alpha:][:digit:]]+",
            r"[[:^space:]]",
            r"(?i)cmd\.exe",
            r"(?<=\\)powershell(?!\.exe)",
            r"(?P<drive>[a-z]):\\(?P=drive)?",
            r"(?<name>a)\k<name>",
            r"(a)(b)\2\1",
            r"(?>a+)b",
            r"a++b*+c?+",
            r"a{2}b{2,}c{2,5}d{,3}",
            r"a{x}",
            r"{",
            r"\Q(literal[\E+",
            r"\x41\x{263A}\o{101}\cA\pL\p{Lu}",
            r"(?#comment)a",
            r"(?|(a)|(b))",
            r"(?(1)a|b)",
            r"(*UCP)a",
            r"^$|\A\z\b\B",
            r"",
            r"a|",
            // What pySigma's engine (RE2) accepts beyond strict PCRE.
            r"^*$+",
            r"\b*\B+\A?\z{2}",
            r"(?P<1a>a)(?P<Ä>b)(?P<n>c)(?P<n>d)",
            // Octal codes where no group of that number precedes.
            r"\10\123\777",
            r"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10",
        ] {
            assert_eq!(check(pattern), Ok(()), "{pattern}");
        }
    }

    #[test]
    fn what_pcre_rejects() {
        for (pattern, message) in [
            (r"a(b", "missing closing parenthesis"),
            (r"a)b", "unmatched closing parenthesis"),
            (r"[abc", "missing terminating `]` for character class"),
            (r"[]", "missing terminating `]` for character class"),
            (r"*a", "quantifier `*` does not follow a repeatable item"),
            (r"a**", "quantifier `*` does not follow a repeatable item"),
            (r"(|+)", "quantifier `+` does not follow a repeatable item"),
            (r"a{3,2}", "numbers out of order in {} quantifier"),
            (r"[z-a]", "range out of order in character class (`z-a`)"),
            (r"\i", "unrecognized escape `\\i`"),
            (r"[\q]", "unrecognized escape `\\q` in a character class"),
            (r"[[:alfa:]]", "unknown POSIX class name `alfa`"),
            (r"(a)\2", "reference to non-existent group 2"),
            (r"\8", "reference to non-existent group 8"),
            (r"(a)\99", "reference to non-existent group 99"),
            (r"\Z*", "quantifier `*` does not follow a repeatable item"),
            (r"(?P<a-b>a)", "invalid group name `a-b`"),
            (r"(?y)a", "unrecognized character `y` after `(?`"),
            (r"a\", "the pattern ends with a backslash"),
        ] {
            assert_eq!(check(pattern), Err(message.to_string()), "{pattern}");
        }
    }
}
