//! Behaviour keys: one normalized thing a rule matches.

use ruledex_ir::Op;
use std::fmt;

/// Which part of a file-like subject a key is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Aspect {
    /// The value as a whole (every subject that is not a file).
    Whole,
    /// A file's base name (`certutil.exe`).
    Name,
    /// A fragment of the folder path (`%appdata%\microsoft`).
    Path,
    /// A file extension, without the dot (`lnk`).
    Extension,
}

impl Aspect {
    /// Short id used inside key ids.
    pub fn id(self) -> &'static str {
        match self {
            Aspect::Whole => "",
            Aspect::Name => "name",
            Aspect::Path => "path",
            Aspect::Extension => "ext",
        }
    }
}

/// How a key's value is matched, once normalized. Negative operators fold
/// into their positive form: whether a rule selects or excludes what the key
/// matches is said by the rule, not the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyKind {
    /// The whole value (`==`, `in`, a list member).
    Eq,
    /// A fragment (`contains`, `has`, `*x*`).
    Contains,
    /// A prefix.
    StartsWith,
    /// A suffix.
    EndsWith,
    /// A glob that is none of the above (`a*b`).
    Glob,
    /// A regular expression with no plain literal reading.
    Regex,
    /// An IP network.
    Cidr,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// A range.
    Between,
    /// The field is present.
    Exists,
    /// A comparison with another field (`HomeTenantId != ResourceTenantId`).
    Field(Op),
}

impl KeyKind {
    /// The family of an indicator operator: `in` is `eq` per value, `has` is
    /// a fragment, negative operators are their positive form.
    pub fn of_op(op: Op) -> KeyKind {
        match op {
            Op::Eq | Op::Ne | Op::In | Op::NotIn => KeyKind::Eq,
            Op::Contains | Op::NotContains | Op::Has | Op::NotHas | Op::HasAny | Op::HasAll => {
                KeyKind::Contains
            }
            Op::StartsWith | Op::NotStartsWith | Op::HasPrefix | Op::NotHasPrefix => {
                KeyKind::StartsWith
            }
            Op::EndsWith | Op::NotEndsWith | Op::HasSuffix | Op::NotHasSuffix => KeyKind::EndsWith,
            Op::Wildcard | Op::NotWildcard => KeyKind::Glob,
            Op::Regex | Op::NotRegex => KeyKind::Regex,
            Op::Between | Op::NotBetween => KeyKind::Between,
            Op::Cidr | Op::NotCidr => KeyKind::Cidr,
            Op::Gt => KeyKind::Gt,
            Op::Ge => KeyKind::Ge,
            Op::Lt => KeyKind::Lt,
            Op::Le => KeyKind::Le,
            Op::Exists | Op::NotExists => KeyKind::Exists,
        }
    }

    /// Short id used inside key ids (`eq`, `contains`, `field_ne`).
    pub fn id(self) -> String {
        match self {
            KeyKind::Eq => "eq".into(),
            KeyKind::Contains => "contains".into(),
            KeyKind::StartsWith => "startswith".into(),
            KeyKind::EndsWith => "endswith".into(),
            KeyKind::Glob => "glob".into(),
            KeyKind::Regex => "regex".into(),
            KeyKind::Cidr => "cidr".into(),
            KeyKind::Gt => "gt".into(),
            KeyKind::Ge => "ge".into(),
            KeyKind::Lt => "lt".into(),
            KeyKind::Le => "le".into(),
            KeyKind::Between => "between".into(),
            KeyKind::Exists => "exists".into(),
            KeyKind::Field(op) => format!("field_{}", op.name()),
        }
    }

    /// How evidence reads it (`contains`, `matches`, `!=`).
    fn phrase(self) -> String {
        match self {
            KeyKind::Eq => String::new(),
            KeyKind::Contains => "contains ".into(),
            KeyKind::StartsWith => "starts with ".into(),
            KeyKind::EndsWith => "ends with ".into(),
            KeyKind::Glob => "like ".into(),
            KeyKind::Regex => "matches ".into(),
            KeyKind::Cidr => "in ".into(),
            KeyKind::Gt => "> ".into(),
            KeyKind::Ge => ">= ".into(),
            KeyKind::Lt => "< ".into(),
            KeyKind::Le => "<= ".into(),
            KeyKind::Between => "between ".into(),
            KeyKind::Exists => "present".into(),
            KeyKind::Field(op) => match op {
                Op::Eq => "== ".into(),
                Op::Ne => "!= ".into(),
                other => format!("{} ", other.name()),
            },
        }
    }
}

/// One normalized (subject, aspect, kind, value): what a rule matches, in
/// a form two rules in different languages share when they match the same
/// thing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// What the value is about: a meaning (`process`, `command line`), a
    /// canonical field (`azure.signinlogs.result_type`), an unmapped field
    /// scoped to its log source (`azure.signin:Status`), `operation`, or
    /// `fields` for field-to-field comparisons.
    pub subject: String,
    /// Which part of a file-like subject.
    pub aspect: Aspect,
    /// How the value is matched.
    pub kind: KeyKind,
    /// The normalized value.
    pub value: String,
}

impl Key {
    /// A key on `subject` as a whole.
    pub fn new(
        subject: impl Into<String>,
        aspect: Aspect,
        kind: KeyKind,
        value: impl Into<String>,
    ) -> Key {
        Key {
            subject: subject.into(),
            aspect,
            kind,
            value: value.into(),
        }
    }

    /// The key of an operation (an API call, a cloud action) on a log
    /// source: `operation_key` is the log-source table's normalized
    /// operation (`signin.amazonaws.com:ConsoleLogin`).
    pub fn operation(logsource: &str, operation_key: &str) -> Key {
        Key::new(
            "operation",
            Aspect::Whole,
            KeyKind::Eq,
            format!("{logsource}:{}", operation_key.to_lowercase()),
        )
    }

    /// The key of a comparison between two fields (canonical names or
    /// scoped unmapped ones). `==` and `!=` are symmetric, so the two
    /// fields are put in order.
    pub fn fields(op: Op, left: &str, right: &str) -> Key {
        let (a, b) = match op {
            Op::Eq | Op::Ne if right < left => (right, left),
            _ => (left, right),
        };
        Key::new(
            "fields",
            Aspect::Whole,
            KeyKind::Field(op),
            format!("{a} {b}"),
        )
    }

    /// A stable string id: `subject|aspect|kind|value`.
    pub fn id(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.subject,
            self.aspect.id(),
            self.kind.id(),
            self.value
        )
    }
}

impl fmt::Display for Key {
    /// How evidence names the key: `process certutil.exe`, `command line
    /// contains -urlcache`, `HomeTenantId != ResourceTenantId`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let KeyKind::Field(_) = self.kind {
            let (a, b) = self.value.split_once(' ').unwrap_or((&self.value, ""));
            return write!(f, "{a} {}{b}", self.kind.phrase());
        }
        if self.subject == "operation" {
            let name = self
                .value
                .rsplit_once(':')
                .map_or(self.value.as_str(), |(_, n)| n);
            return write!(f, "operation {name}");
        }
        let aspect = match self.aspect {
            Aspect::Whole | Aspect::Name => "",
            Aspect::Path => " path",
            Aspect::Extension => " extension",
        };
        match self.kind {
            KeyKind::Exists => write!(f, "{}{aspect} present", self.subject),
            kind => write!(
                f,
                "{}{aspect} {}{}",
                self.subject,
                kind.phrase(),
                self.value
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_descriptions() {
        let k = Key::new("process", Aspect::Name, KeyKind::Eq, "certutil.exe");
        assert_eq!(k.id(), "process|name|eq|certutil.exe");
        assert_eq!(k.to_string(), "process certutil.exe");
        let k = Key::new(
            "command line",
            Aspect::Whole,
            KeyKind::Contains,
            "-urlcache",
        );
        assert_eq!(k.to_string(), "command line contains -urlcache");
        let k = Key::fields(Op::Ne, "b.resource", "a.home");
        assert_eq!(k, Key::fields(Op::Ne, "a.home", "b.resource"));
        assert_eq!(k.to_string(), "a.home != b.resource");
        let k = Key::operation("aws.cloudtrail", "signin.amazonaws.com:ConsoleLogin");
        assert_eq!(k.value, "aws.cloudtrail:signin.amazonaws.com:consolelogin");
        assert_eq!(k.to_string(), "operation consolelogin");
    }

    #[test]
    fn negative_operators_fold_into_their_positive_family() {
        assert_eq!(KeyKind::of_op(Op::NotIn), KeyKind::Eq);
        assert_eq!(KeyKind::of_op(Op::HasAny), KeyKind::Contains);
        assert_eq!(KeyKind::of_op(Op::NotHasSuffix), KeyKind::EndsWith);
        for op in Op::ALL {
            // Every operator has a family.
            let _ = KeyKind::of_op(op).id();
        }
    }
}
