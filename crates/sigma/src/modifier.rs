//! Value modifiers (`Field|contains|all`) and what they do to values,
//! following pySigma (`sigma.modifiers`): the same names, the same type
//! checks, the same order of application, and the same errors.
//!
//! ```
//! use ruledex_sigma::modifier::{apply_modifiers, Modifier};
//! use ruledex_sigma::value::{SigmaString, SigmaValue};
//!
//! let values = vec![SigmaValue::String(SigmaString::parse("whoami"))];
//! let out = apply_modifiers(&[Modifier::Contains], values, true, true).unwrap();
//! assert_eq!(out.values[0].canonical(), "s:*whoami*");
//! ```

use crate::value::{CompareOp, Number, Part, SigmaString, SigmaValue, TimePart};

/// One value modifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// `contains`: wildcards around the value.
    Contains,
    /// `startswith`: wildcard after the value.
    StartsWith,
    /// `endswith`: wildcard before the value.
    EndsWith,
    /// `all`: the values are AND-linked.
    All,
    /// `neq`: the item is negated (pySigma extension).
    Neq,
    /// `base64`: the value base64-encoded.
    Base64,
    /// `base64offset`: the three base64 encodings at byte offsets 0, 1, 2.
    Base64Offset,
    /// `wide` / `utf16le`: UTF-16LE.
    Wide,
    /// `utf16be`: UTF-16BE.
    Utf16Be,
    /// `utf16`: UTF-16LE with byte-order mark.
    Utf16,
    /// `windash`: `-` and `/` (and Unicode dashes) as parameter prefixes.
    Windash,
    /// `re`: a regular expression.
    Re,
    /// `i` / `ignorecase`: case-insensitive regex.
    IgnoreCase,
    /// `m` / `multiline`: multi-line regex.
    Multiline,
    /// `s` / `dotall`: dot matches newlines.
    DotAll,
    /// `cased`: case-sensitive string match.
    Cased,
    /// `cidr`: an IP network.
    Cidr,
    /// `exists`: field existence.
    Exists,
    /// `expand`: `%placeholder%` expansion.
    Expand,
    /// `fieldref`: compare with another field.
    FieldRef,
    /// `gt`
    Gt,
    /// `gte`
    Gte,
    /// `lt`
    Lt,
    /// `lte`
    Lte,
    /// A time part (`minute` … `year`).
    Time(TimePart),
}

impl Modifier {
    /// The modifier named `name` (as written after `|`). `utf16le` is the
    /// specification's name for `wide`; pySigma 2.0 does not know it.
    pub fn from_name(name: &str) -> Option<Modifier> {
        Some(match name {
            "contains" => Modifier::Contains,
            "startswith" => Modifier::StartsWith,
            "endswith" => Modifier::EndsWith,
            "all" => Modifier::All,
            "neq" => Modifier::Neq,
            "base64" => Modifier::Base64,
            "base64offset" => Modifier::Base64Offset,
            "wide" | "utf16le" => Modifier::Wide,
            "utf16be" => Modifier::Utf16Be,
            "utf16" => Modifier::Utf16,
            "windash" => Modifier::Windash,
            "re" => Modifier::Re,
            "i" | "ignorecase" => Modifier::IgnoreCase,
            "m" | "multiline" => Modifier::Multiline,
            "s" | "dotall" => Modifier::DotAll,
            "cased" => Modifier::Cased,
            "cidr" => Modifier::Cidr,
            "exists" => Modifier::Exists,
            "expand" => Modifier::Expand,
            "fieldref" => Modifier::FieldRef,
            "gt" => Modifier::Gt,
            "gte" => Modifier::Gte,
            "lt" => Modifier::Lt,
            "lte" => Modifier::Lte,
            "minute" => Modifier::Time(TimePart::Minute),
            "hour" => Modifier::Time(TimePart::Hour),
            "day" => Modifier::Time(TimePart::Day),
            "week" => Modifier::Time(TimePart::Week),
            "month" => Modifier::Time(TimePart::Month),
            "year" => Modifier::Time(TimePart::Year),
            _ => return None,
        })
    }

    /// Every modifier name accepted, for "did you mean" notes.
    pub const NAMES: [&'static str; 34] = [
        "contains",
        "startswith",
        "endswith",
        "all",
        "neq",
        "base64",
        "base64offset",
        "wide",
        "utf16le",
        "utf16be",
        "utf16",
        "windash",
        "re",
        "i",
        "ignorecase",
        "m",
        "multiline",
        "s",
        "dotall",
        "cased",
        "cidr",
        "exists",
        "expand",
        "fieldref",
        "gt",
        "gte",
        "lt",
        "lte",
        "minute",
        "hour",
        "day",
        "week",
        "month",
        "year",
    ];

    /// True for modifiers that re-encode the value (the match is on an
    /// encoded form of what is written).
    pub fn is_encoding(self) -> bool {
        matches!(
            self,
            Modifier::Base64
                | Modifier::Base64Offset
                | Modifier::Wide
                | Modifier::Utf16Be
                | Modifier::Utf16
                | Modifier::Windash
        )
    }
}

/// Why a modifier cannot apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModifierError {
    /// The modifier does not accept this type of value (pySigma's
    /// `SigmaTypeError`): a modifier chain that makes no sense.
    Incompatible {
        /// Modifier name.
        modifier: &'static str,
        /// The value's type.
        value_type: &'static str,
    },
    /// The modifier must come first (`re`, `cidr`, `exists`).
    NotFirst(&'static str),
    /// The value is not acceptable (invalid regex, CIDR, wildcards in base64…).
    InvalidValue(String),
}

impl ModifierError {
    /// A one-line message.
    pub fn message(&self) -> String {
        match self {
            ModifierError::Incompatible {
                modifier,
                value_type,
            } => format!("modifier `{modifier}` cannot apply to a {value_type} value"),
            ModifierError::NotFirst(m) => {
                format!("modifier `{m}` only applies to unmodified values: put it first")
            }
            ModifierError::InvalidValue(m) => m.clone(),
        }
    }
}

/// The result of applying a modifier chain to the values of one item.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// The values after every modifier.
    pub values: Vec<SigmaValue>,
    /// True when `all` was applied.
    pub all: bool,
    /// True when `neq` was applied.
    pub negated: bool,
}

fn modifier_name(m: Modifier) -> &'static str {
    match m {
        Modifier::Contains => "contains",
        Modifier::StartsWith => "startswith",
        Modifier::EndsWith => "endswith",
        Modifier::All => "all",
        Modifier::Neq => "neq",
        Modifier::Base64 => "base64",
        Modifier::Base64Offset => "base64offset",
        Modifier::Wide => "wide",
        Modifier::Utf16Be => "utf16be",
        Modifier::Utf16 => "utf16",
        Modifier::Windash => "windash",
        Modifier::Re => "re",
        Modifier::IgnoreCase => "i",
        Modifier::Multiline => "m",
        Modifier::DotAll => "s",
        Modifier::Cased => "cased",
        Modifier::Cidr => "cidr",
        Modifier::Exists => "exists",
        Modifier::Expand => "expand",
        Modifier::FieldRef => "fieldref",
        Modifier::Gt => "gt",
        Modifier::Gte => "gte",
        Modifier::Lt => "lt",
        Modifier::Lte => "lte",
        Modifier::Time(p) => p.name(),
    }
}

/// Apply `modifiers` in order to `values`, as pySigma does.
///
/// `has_field` is false for keyword items (`exists` needs a field). With
/// `encode` false the encoding modifiers (base64, base64offset, wide,
/// utf16*, windash) are checked but leave values as written: that is the
/// form ruledex's indicators use (what the author looks for), while `encode`
/// true gives pySigma's final values.
pub fn apply_modifiers(
    modifiers: &[Modifier],
    mut values: Vec<SigmaValue>,
    has_field: bool,
    encode: bool,
) -> Result<Applied, ModifierError> {
    let mut applied = Applied {
        values: Vec::new(),
        all: false,
        negated: false,
    };
    let mut used: Vec<Modifier> = Vec::new();
    for &m in modifiers {
        match m {
            Modifier::All => applied.all = true,
            Modifier::Neq => applied.negated = true,
            _ => {
                let mut out = Vec::with_capacity(values.len());
                for v in values {
                    apply_one(m, v, &used, has_field, encode, &mut out)?;
                }
                values = out;
            }
        }
        used.push(m);
    }
    applied.values = values;
    Ok(applied)
}

fn apply_one(
    m: Modifier,
    v: SigmaValue,
    used: &[Modifier],
    has_field: bool,
    encode: bool,
    out: &mut Vec<SigmaValue>,
) -> Result<(), ModifierError> {
    if let SigmaValue::Expansion(items) = v {
        let mut inner = Vec::with_capacity(items.len());
        for item in items {
            apply_one(m, item, used, has_field, encode, &mut inner)?;
        }
        out.push(SigmaValue::Expansion(inner));
        return Ok(());
    }
    let incompatible = |v: &SigmaValue| ModifierError::Incompatible {
        modifier: modifier_name(m),
        value_type: v.type_name(),
    };
    let result = match m {
        Modifier::Contains | Modifier::StartsWith | Modifier::EndsWith => {
            let (front, back) = match m {
                Modifier::Contains => (true, true),
                Modifier::StartsWith => (false, true),
                _ => (true, false),
            };
            match v {
                SigmaValue::String(mut s) => {
                    wrap_string(&mut s, front, back);
                    SigmaValue::String(s)
                }
                SigmaValue::Cased(mut s) => {
                    wrap_string(&mut s, front, back);
                    SigmaValue::Cased(s)
                }
                SigmaValue::Regex { pattern, flags } => {
                    let pattern = wrap_regex(&pattern, front, back);
                    check_regex(&pattern, &flags)?;
                    SigmaValue::Regex { pattern, flags }
                }
                SigmaValue::FieldRef {
                    field,
                    starts_with,
                    ends_with,
                } => SigmaValue::FieldRef {
                    field,
                    starts_with: starts_with || back,
                    ends_with: ends_with || front,
                },
                other => return Err(incompatible(&other)),
            }
        }
        Modifier::Base64 | Modifier::Base64Offset => {
            let s = string_of(&v).ok_or_else(|| incompatible(&v))?;
            if s.has_wildcards() {
                return Err(ModifierError::InvalidValue(
                    "base64 encoding of strings with wildcards is not allowed".into(),
                ));
            }
            if !encode {
                out.push(v);
                return Ok(());
            }
            let data = base64_input(s, used);
            if m == Modifier::Base64 {
                SigmaValue::String(SigmaString::plain(&base64(&data)))
            } else {
                SigmaValue::Expansion(base64_offsets(&data))
            }
        }
        Modifier::Wide | Modifier::Utf16Be | Modifier::Utf16 => {
            let s = string_of(&v).ok_or_else(|| incompatible(&v))?;
            let encoded = wide(s, m)?;
            if !encode {
                out.push(v);
                return Ok(());
            }
            SigmaValue::String(encoded)
        }
        Modifier::Windash => {
            let s = string_of(&v).ok_or_else(|| incompatible(&v))?;
            let variants = windash(s)?;
            if !encode {
                out.push(v);
                return Ok(());
            }
            match variants {
                // pySigma wraps even an unchanged value in an expansion.
                None => SigmaValue::Expansion(vec![v]),
                Some(list) => {
                    SigmaValue::Expansion(list.into_iter().map(SigmaValue::String).collect())
                }
            }
        }
        Modifier::Re => {
            if !used.is_empty() {
                return Err(ModifierError::NotFirst("re"));
            }
            match v {
                SigmaValue::String(s) => {
                    let pattern = s.to_raw();
                    check_regex(&pattern, "")?;
                    SigmaValue::Regex {
                        pattern,
                        flags: String::new(),
                    }
                }
                other => return Err(incompatible(&other)),
            }
        }
        Modifier::IgnoreCase | Modifier::Multiline | Modifier::DotAll => match v {
            SigmaValue::Regex { pattern, flags } => {
                let flag = match m {
                    Modifier::IgnoreCase => 'i',
                    Modifier::Multiline => 'm',
                    _ => 's',
                };
                let mut chars: Vec<char> = flags.chars().collect();
                if !chars.contains(&flag) {
                    chars.push(flag);
                    chars.sort_unstable();
                }
                SigmaValue::Regex {
                    pattern,
                    flags: chars.into_iter().collect(),
                }
            }
            other => return Err(incompatible(&other)),
        },
        Modifier::Cased => match v {
            SigmaValue::String(s) | SigmaValue::Cased(s) => SigmaValue::Cased(s),
            other => return Err(incompatible(&other)),
        },
        Modifier::Cidr => {
            if !used.is_empty() {
                return Err(ModifierError::NotFirst("cidr"));
            }
            let s = string_of(&v).ok_or_else(|| incompatible(&v))?;
            let text = s.pattern().glob();
            check_cidr(&text).map_err(ModifierError::InvalidValue)?;
            SigmaValue::Cidr(text)
        }
        Modifier::Exists => match v {
            SigmaValue::Bool(b) => {
                if !has_field {
                    return Err(ModifierError::InvalidValue(
                        "the exists modifier must be applied to a field".into(),
                    ));
                }
                if !used.is_empty() {
                    return Err(ModifierError::NotFirst("exists"));
                }
                SigmaValue::Exists(b)
            }
            other => return Err(incompatible(&other)),
        },
        Modifier::Expand => match v {
            SigmaValue::String(s) => SigmaValue::String(insert_placeholders(s)),
            SigmaValue::Cased(s) => SigmaValue::Cased(insert_placeholders(s)),
            SigmaValue::Regex { pattern, flags } => SigmaValue::Regex { pattern, flags },
            other => return Err(incompatible(&other)),
        },
        Modifier::FieldRef => {
            let s = string_of(&v).ok_or_else(|| incompatible(&v))?;
            if s.has_wildcards() {
                return Err(ModifierError::InvalidValue(
                    "field references must not contain wildcards".into(),
                ));
            }
            SigmaValue::FieldRef {
                field: s.pattern().glob(),
                starts_with: false,
                ends_with: false,
            }
        }
        Modifier::Gt | Modifier::Gte | Modifier::Lt | Modifier::Lte => {
            let op = match m {
                Modifier::Gt => CompareOp::Gt,
                Modifier::Gte => CompareOp::Gte,
                Modifier::Lt => CompareOp::Lt,
                _ => CompareOp::Lte,
            };
            match v {
                SigmaValue::Number(n) => SigmaValue::Compare(op, n, None),
                SigmaValue::TimestampPart(p, n) => SigmaValue::Compare(op, n, Some(p)),
                other => return Err(incompatible(&other)),
            }
        }
        Modifier::Time(part) => match v {
            SigmaValue::Number(n) | SigmaValue::TimestampPart(_, n) => {
                let n = match n {
                    Number::Int(i) => Number::Int(i),
                    Number::Float(f) => Number::Int(f.trunc() as i64),
                };
                SigmaValue::TimestampPart(part, n)
            }
            other => return Err(incompatible(&other)),
        },
        Modifier::All | Modifier::Neq => v,
    };
    out.push(result);
    Ok(())
}

fn string_of(v: &SigmaValue) -> Option<&SigmaString> {
    match v {
        SigmaValue::String(s) | SigmaValue::Cased(s) => Some(s),
        _ => None,
    }
}

fn wrap_string(s: &mut SigmaString, front: bool, back: bool) {
    if front && !s.starts_with_any() {
        s.push_front(Part::AnyChars);
    }
    if back && !s.ends_with_any() {
        s.push(Part::AnyChars);
    }
}

/// pySigma's regex handling for contains/startswith/endswith: group a
/// top-level alternation, then add `.*` where the pattern is open.
fn wrap_regex(pattern: &str, front: bool, back: bool) -> String {
    let mut p = pattern.to_string();
    if has_toplevel_alternation(&p) {
        p = format!("(?:{p})");
    }
    if front && !(p.starts_with(".*") || p.starts_with('^')) {
        p.insert_str(0, ".*");
    }
    if back && !ends_with_unescaped(&p, ".*") && !ends_with_unescaped(&p, "$") {
        p.push_str(".*");
    }
    p
}

fn has_toplevel_alternation(re: &str) -> bool {
    let b = re.as_bytes();
    let (mut depth, mut in_class, mut i) = (0i32, false, 0usize);
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            i += 2;
            continue;
        }
        if in_class {
            if c == b']' {
                in_class = false;
            }
        } else if c == b'[' {
            in_class = true;
            if b.get(i + 1) == Some(&b'^') {
                i += 1;
            }
            if b.get(i + 1) == Some(&b']') {
                i += 1;
            }
        } else if c == b'(' {
            depth += 1;
        } else if c == b')' {
            depth -= 1;
        } else if c == b'|' && depth == 0 {
            return true;
        }
        i += 1;
    }
    false
}

fn ends_with_unescaped(re: &str, suffix: &str) -> bool {
    let Some(head) = re.strip_suffix(suffix) else {
        return false;
    };
    let backslashes = head.len() - head.trim_end_matches('\\').len();
    backslashes % 2 == 0
}

/// Validate a pattern as the Sigma specification reads `re` values:
/// PCRE-like syntax ([`crate::regex_syntax_check`]), so `[(` inside a
/// class is a literal and look-around is valid. `flags` (`i`, `m`, `s`)
/// change matching, not syntax.
pub fn check_regex(pattern: &str, _flags: &str) -> Result<(), ModifierError> {
    crate::regex_syntax_check::check(pattern).map_err(|detail| {
        ModifierError::InvalidValue(format!("invalid regular expression: {detail}"))
    })
}

/// Check a CIDR network like Python's `ipaddress.ip_network` (strict: no
/// host bits set).
pub fn check_cidr(text: &str) -> Result<(), String> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let bad = || format!("invalid CIDR network `{text}`");
    if let Ok(v4) = addr.parse::<std::net::Ipv4Addr>() {
        let bits = u32::from(v4);
        let len = match prefix {
            None => 32,
            Some(p) => parse_prefix(p, 32).ok_or_else(bad)?,
        };
        let host = if len == 32 { 0 } else { u32::MAX >> len };
        if bits & host != 0 {
            return Err(format!("`{text}` has host bits set"));
        }
        return Ok(());
    }
    if let Ok(v6) = addr.parse::<std::net::Ipv6Addr>() {
        let bits = u128::from(v6);
        let len = match prefix {
            None => 128,
            Some(p) => parse_prefix(p, 128).ok_or_else(bad)?,
        };
        let host = if len == 128 { 0 } else { u128::MAX >> len };
        if bits & host != 0 {
            return Err(format!("`{text}` has host bits set"));
        }
        return Ok(());
    }
    Err(bad())
}

fn parse_prefix(p: &str, max: u32) -> Option<u32> {
    if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse().ok().filter(|&n| n <= max)
}

fn base64_input(s: &SigmaString, used: &[Modifier]) -> Vec<u8> {
    let mut data = s.to_raw().into_bytes();
    // After `utf16` the byte-order mark must be FF FE, not its UTF-8 form.
    if used.contains(&Modifier::Utf16) && data.starts_with(&[0xEF, 0xBB, 0xBF]) {
        data.splice(0..3, [0xFF, 0xFE]);
    }
    data
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_offsets(data: &[u8]) -> Vec<SigmaValue> {
    const START: [usize; 3] = [0, 2, 3];
    const END: [Option<usize>; 3] = [None, Some(3), Some(2)];
    (0..3)
        .map(|i| {
            let mut padded = vec![b' '; i];
            padded.extend_from_slice(data);
            let encoded = base64(&padded);
            let end = match END[(data.len() + i) % 3] {
                None => encoded.len(),
                Some(cut) => encoded.len().saturating_sub(cut),
            };
            let start = START[i].min(end);
            SigmaValue::String(SigmaString::plain(&encoded[start..end]))
        })
        .collect()
}

/// UTF-16 encoding of the text parts, decoded back as UTF-8 (pySigma's way
/// of putting NULs between ASCII characters); fails where that decoding
/// fails, as pySigma does.
fn wide(s: &SigmaString, m: Modifier) -> Result<SigmaString, ModifierError> {
    let mut out = SigmaString::default();
    if m == Modifier::Utf16 {
        out.parts.push(Part::Text("\u{feff}".into()));
    }
    for part in &s.parts {
        match part {
            Part::Text(t) => {
                let mut bytes = Vec::with_capacity(t.len() * 2);
                for unit in t.encode_utf16() {
                    let [hi, lo] = unit.to_be_bytes();
                    if m == Modifier::Utf16Be {
                        bytes.extend([hi, lo]);
                    } else {
                        bytes.extend([lo, hi]);
                    }
                }
                let text = String::from_utf8(bytes).map_err(|_| {
                    ModifierError::InvalidValue(format!(
                        "modifier `{}` only applies to strings that stay valid after UTF-16 encoding (ASCII)",
                        modifier_name(m)
                    ))
                })?;
                out.parts.push(Part::Text(text));
            }
            other => out.parts.push(other.clone()),
        }
    }
    Ok(out)
}

const WINDASH_CHARS: [&str; 5] = ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"];

/// The variants of `windash`, or `None` when the value has no dash to
/// expand. A dash or slash expands when it follows a non-word character (or
/// starts a text part) and precedes a word character.
fn windash(s: &SigmaString) -> Result<Option<Vec<SigmaString>>, ModifierError> {
    enum Piece {
        Fixed(Part),
        Dash,
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut pieces = Vec::new();
    let mut dashes = 0;
    for part in &s.parts {
        let Part::Text(t) = part else {
            pieces.push(Piece::Fixed(part.clone()));
            continue;
        };
        let chars: Vec<char> = t.chars().collect();
        let mut acc = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev_word = i > 0 && is_word(chars[i - 1]);
            let next_word = chars.get(i + 1).is_some_and(|&n| is_word(n));
            if (c == '-' || c == '/') && !prev_word && next_word {
                if !acc.is_empty() {
                    pieces.push(Piece::Fixed(Part::Text(std::mem::take(&mut acc))));
                }
                pieces.push(Piece::Dash);
                dashes += 1;
            } else {
                acc.push(c);
            }
        }
        if !acc.is_empty() {
            pieces.push(Piece::Fixed(Part::Text(acc)));
        }
    }
    if dashes == 0 {
        return Ok(None);
    }
    if dashes > 3 {
        return Err(ModifierError::InvalidValue(
            "the windash modifier expands at most three dashes in one value".into(),
        ));
    }
    let mut results = vec![SigmaString::default()];
    for piece in &pieces {
        match piece {
            Piece::Fixed(p) => {
                for r in &mut results {
                    r.push(p.clone());
                }
            }
            Piece::Dash => {
                let mut next = Vec::with_capacity(results.len() * WINDASH_CHARS.len());
                for r in &results {
                    for d in WINDASH_CHARS {
                        let mut variant = r.clone();
                        variant.push(Part::Text(d.to_string()));
                        next.push(variant);
                    }
                }
                results = next;
            }
        }
    }
    // pySigma expands the first dash in the outer loop: reorder so that the
    // first dash varies slowest, as above (already the case).
    Ok(Some(results))
}

/// The `expand` modifier: `%name%` becomes a placeholder part.
pub fn insert_placeholders(s: SigmaString) -> SigmaString {
    let mut out = SigmaString::default();
    for part in s.parts {
        let Part::Text(t) = part else {
            out.parts.push(part);
            continue;
        };
        let mut acc = String::new();
        let mut rest = t.as_str();
        while let Some(i) = rest.find('%') {
            acc.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            match after.find('%') {
                Some(end) if end > 0 && !after[..end].contains('\\') => {
                    if !acc.is_empty() {
                        out.parts.push(Part::Text(std::mem::take(&mut acc)));
                    }
                    out.parts.push(Part::Placeholder(after[..end].to_string()));
                    rest = &after[end + 1..];
                }
                _ => {
                    acc.push('%');
                    rest = after;
                }
            }
        }
        acc.push_str(rest);
        if !acc.is_empty() {
            out.parts.push(Part::Text(acc));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> SigmaValue {
        SigmaValue::String(SigmaString::parse(text))
    }

    fn run(mods: &[&str], values: Vec<SigmaValue>) -> Result<Vec<String>, ModifierError> {
        let mods: Vec<Modifier> = mods
            .iter()
            .map(|m| Modifier::from_name(m).unwrap())
            .collect();
        apply_modifiers(&mods, values, true, true)
            .map(|a| a.values.iter().map(SigmaValue::canonical).collect())
    }

    #[test]
    fn contains_does_not_double_wildcards() {
        assert_eq!(run(&["contains"], vec![s("*a")]).unwrap(), ["s:*a*"]);
        assert_eq!(run(&["contains"], vec![s("")]).unwrap(), ["s:*"]);
        assert_eq!(run(&["startswith"], vec![s("a")]).unwrap(), ["s:a*"]);
        assert_eq!(run(&["endswith"], vec![s("a")]).unwrap(), ["s:*a"]);
    }

    #[test]
    fn base64_and_offsets_match_pysigma() {
        assert_eq!(run(&["base64"], vec![s("abc")]).unwrap(), ["s:YWJj"]);
        // pySigma 2.0.1: base64offset('abc') -> YWJj, FiY, hYm
        let out = run(&["base64offset"], vec![s("abc")]).unwrap();
        assert_eq!(out, [r#"any:["s:YWJj","s:FiY","s:hYm"]"#]);
        assert!(run(&["base64"], vec![s("a*")]).is_err());
    }

    #[test]
    fn wide_puts_nuls_between_ascii() {
        assert_eq!(run(&["wide"], vec![s("ab")]).unwrap(), ["s:a\0b\0"]);
        assert!(run(&["wide"], vec![s("é")]).is_err());
    }

    #[test]
    fn windash_expands_parameter_dashes() {
        let out = run(&["windash"], vec![s(" -a")]).unwrap();
        assert_eq!(out, [r#"any:["s: -a","s: /a","s: –a","s: —a","s: ―a"]"#]);
        // A dash inside a word is not a parameter prefix.
        assert_eq!(
            run(&["windash"], vec![s("a-b")]).unwrap(),
            [r#"any:["s:a-b"]"#]
        );
        assert!(run(&["windash"], vec![s("-a -b -c -d")]).is_err());
    }

    #[test]
    fn chains_that_make_no_sense_fail() {
        assert!(matches!(
            run(&["contains"], vec![SigmaValue::Number(Number::Int(1))]),
            Err(ModifierError::Incompatible { .. })
        ));
        assert!(matches!(
            run(&["contains", "re"], vec![s("a")]),
            Err(ModifierError::NotFirst("re"))
        ));
        assert!(run(&["i"], vec![s("a")]).is_err());
        assert!(run(&["re"], vec![s("(a")]).is_err());
        // The specification's regular expressions are PCRE-like: look-around
        // is valid, and `[` inside a class is a literal.
        assert!(run(&["re"], vec![s("(?=a)")]).is_ok());
        assert!(run(&["re"], vec![s("[^^=%![(; ]")]).is_ok());
        assert!(run(&["re"], vec![s("[(")]).is_err());
        assert!(run(&["cidr"], vec![s("10.0.0.1/8")]).is_err());
        assert!(run(&["cidr"], vec![s("10.0.0.0/8")]).is_ok());
        assert!(run(&["cidr"], vec![s("fe80::/10")]).is_ok());
    }

    #[test]
    fn regex_flags_and_wrapping() {
        assert_eq!(run(&["re", "i"], vec![s("a|b")]).unwrap(), ["re:i:a|b"]);
        assert_eq!(
            run(&["re", "contains"], vec![s("a|b")]).unwrap(),
            ["re::.*(?:a|b).*"]
        );
        assert_eq!(
            run(&["re", "startswith"], vec![s("^a$")]).unwrap(),
            ["re::^a$"]
        );
    }

    #[test]
    fn placeholders_and_numbers() {
        assert_eq!(
            run(&["expand"], vec![s("%dir%\\x")]).unwrap(),
            ["s:%dir%\\\\x"]
        );
        assert_eq!(
            run(&["gte"], vec![SigmaValue::Number(Number::Int(3))]).unwrap(),
            ["cmp:gte:n:3"]
        );
        assert_eq!(
            run(&["hour"], vec![SigmaValue::Number(Number::Int(3))]).unwrap(),
            ["ts:hour:3"]
        );
    }
}
