//! Splunk `.conf` files (`savedsearches.conf`, `macros.conf`): stanzas of
//! `key = value` settings.
//!
//! The reading follows Splunk's configuration file rules: a stanza starts
//! with `[name]` on a line of its own; settings before the first stanza
//! belong to the implicit `default` stanza; a line whose first non-blank
//! character is `#` is a comment; a value continues on the next line when
//! its line ends with a backslash, and the line break is kept in the
//! value. Keys and values are trimmed. Every value keeps where each of its
//! lines is in the file ([`Setting::map`]), so a search cut out of a
//! setting points diagnostics at the file.
//!
//! ```
//! use ruledex_spl::conf;
//!
//! let text = "[Certutil Download]\nsearch = index=win process=certutil.exe \\\n| stats count by host\ndisabled = 0\n";
//! let stanzas = conf::parse(text);
//! assert_eq!(stanzas[0].name, "Certutil Download");
//! let search = stanzas[0].get("search").unwrap();
//! assert_eq!(search.value, "index=win process=certutil.exe \n| stats count by host");
//! assert_eq!(search.map.to_file(search.value.find('|').unwrap() as u32) as usize, text.find('|').unwrap());
//! ```

use ruledex_ir::{OffsetMap, Span};

/// One `[name]` stanza and its settings, in file order.
#[derive(Clone, Debug)]
pub struct Stanza {
    /// The name between the brackets, trimmed (`default` for settings
    /// before the first stanza).
    pub name: String,
    /// Where the `[name]` line is (empty at offset 0 for the implicit
    /// default stanza).
    pub span: Span,
    /// The settings; a key given twice keeps both, the last one wins in
    /// [`Stanza::get`].
    pub settings: Vec<Setting>,
}

/// One `key = value` setting.
#[derive(Clone, Debug)]
pub struct Setting {
    /// The key, trimmed.
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// The value, trimmed, continuation backslashes removed and line breaks
    /// kept.
    pub value: String,
    /// From offsets in `value` to offsets in the file.
    pub map: OffsetMap,
}

impl Stanza {
    /// The last setting of `key` (keys compare exactly, as Splunk does).
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.settings.iter().rev().find(|s| s.key == key)
    }

    /// The value of `key`, when set.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.get(key).map(|s| s.value.as_str())
    }
}

/// Read every stanza of `text`. Never fails: a line that is neither a
/// stanza, a comment nor a setting is skipped (Splunk ignores it too).
pub fn parse(text: &str) -> Vec<Stanza> {
    let mut stanzas = vec![Stanza {
        name: "default".to_string(),
        span: Span::empty(0),
        settings: Vec::new(),
    }];
    let mut lines = Lines::new(text);
    while let Some((start, line)) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            let lead = line.len() - line.trim_start().len();
            stanzas.push(Stanza {
                name: trimmed[1..trimmed.len() - 1].trim().to_string(),
                span: Span::new(start + lead as u32, start + (lead + trimmed.len()) as u32),
                settings: Vec::new(),
            });
            continue;
        }
        let Some(eq) = line.find('=') else {
            continue;
        };
        let key = line[..eq].trim();
        if key.is_empty() {
            continue;
        }
        let key_at = start + (line.find(key).unwrap_or(0)) as u32;
        // The value: this line after `=`, then continuation lines.
        let mut value = String::new();
        let mut segments: Vec<(u32, u32)> = Vec::new();
        let mut piece_start = start + eq as u32 + 1;
        let mut piece = &line[eq + 1..];
        loop {
            let continued = piece.trim_end().ends_with('\\');
            let body = if continued {
                let cut = piece.trim_end();
                &cut[..cut.len() - 1]
            } else {
                piece
            };
            segments.push((value.len() as u32, piece_start));
            value.push_str(body);
            if !continued {
                break;
            }
            value.push('\n');
            match lines.next() {
                Some((next_start, next)) => {
                    piece_start = next_start;
                    piece = next;
                }
                None => break,
            }
        }
        // Trim the value, moving the map with the leading cut.
        let lead = value.len() - value.trim_start().len();
        let trimmed_value = value.trim().to_string();
        let segments: Vec<(u32, u32)> = segments
            .iter()
            .enumerate()
            .filter_map(|(i, &(at, file))| {
                let (at, lead32) = (at as usize, lead as u32);
                if at >= lead {
                    return Some(((at - lead) as u32, file));
                }
                // The segment holding the first kept byte starts there.
                let next = segments.get(i + 1).map_or(usize::MAX, |s| s.0 as usize);
                (lead < next).then_some((0, file + lead32 - at as u32))
            })
            .collect();
        let setting = Setting {
            key: key.to_string(),
            key_span: Span::new(key_at, key_at + key.len() as u32),
            value: trimmed_value,
            map: OffsetMap::from_segments(segments),
        };
        if let Some(stanza) = stanzas.last_mut() {
            stanza.settings.push(setting);
        }
    }
    if stanzas[0].settings.is_empty() {
        stanzas.remove(0);
    }
    stanzas
}

/// Lines with their start offsets, without their line breaks (`\r\n` or
/// `\n`).
struct Lines<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines { text, at: 0 }
    }

    fn next(&mut self) -> Option<(u32, &'a str)> {
        if self.at >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.at..];
        let (line, advance) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        let start = self.at as u32;
        self.at += advance;
        Some((start, line.strip_suffix('\r').unwrap_or(line)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stanzas_settings_comments_and_the_implicit_default() {
        let text = "# header\nglobal = 1\n\n[one]\n  key = a value  \n# note\n[ two ]\nkey=x\nkey=y\nnot a setting\n";
        let stanzas = parse(text);
        let names: Vec<&str> = stanzas.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["default", "one", "two"]);
        assert_eq!(stanzas[0].value("global"), Some("1"));
        assert_eq!(stanzas[1].value("key"), Some("a value"));
        assert_eq!(stanzas[2].value("key"), Some("y"), "the last one wins");
        assert_eq!(stanzas[2].settings.len(), 2);
        assert_eq!(stanzas[1].span.slice(text), "[one]");
        assert_eq!(stanzas[1].settings[0].key_span.slice(text), "key");
    }

    #[test]
    fn continued_values_keep_their_line_breaks_and_map_back() {
        let text = "[s]\r\nsearch =   index=a \\\r\n  | where x>1 \\\r\n| table x\r\nnext = 1\r\n";
        let stanzas = parse(text);
        let search = stanzas[0].get("search").unwrap();
        assert_eq!(search.value, "index=a \n  | where x>1 \n| table x");
        for needle in ["index=a", "| where", "| table"] {
            let at = search.value.find(needle).unwrap() as u32;
            let file = search.map.to_file(at) as usize;
            assert_eq!(&text[file..file + needle.len()], needle, "{needle}");
        }
        assert_eq!(stanzas[0].value("next"), Some("1"));
    }

    #[test]
    fn a_continuation_at_the_end_of_the_file_stops() {
        let stanzas = parse("[s]\nsearch = a \\");
        assert_eq!(stanzas[0].value("search"), Some("a"));
    }
}
