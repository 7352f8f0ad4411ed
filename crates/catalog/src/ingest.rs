//! Finding rule files, recognizing their format, and loading them in
//! parallel.
//!
//! Ingest never stops for one bad file: a file that cannot be read becomes a
//! [`LoadedFile`] with an error, a file no format recognizes is counted as
//! unknown, and a rule that does not parse carries its diagnostics.

use rayon::prelude::*;
use ruledex_ir::{resolve_positions, Rule, RuleFormat, SourceContext, SourceFile};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The rule formats ingest knows, asked in order. The first whose
/// [`RuleFormat::sniff`] accepts a file loads it, so more specific formats
/// go first.
#[derive(Default)]
pub struct Formats {
    formats: Vec<Box<dyn RuleFormat>>,
}

impl Formats {
    /// No formats.
    pub fn new() -> Self {
        Formats::default()
    }

    /// Add a format, asked after those already added.
    pub fn with(mut self, format: impl RuleFormat + 'static) -> Self {
        self.formats.push(Box::new(format));
        self
    }

    /// Every diagnostic code the formats declare ([`RuleFormat::codes`]),
    /// each once, sorted by code.
    pub fn codes(&self) -> Vec<ruledex_ir::CodeInfo> {
        let mut codes: Vec<ruledex_ir::CodeInfo> = self
            .formats
            .iter()
            .flat_map(|f| f.codes().iter().flat_map(|table| table.iter().copied()))
            .collect();
        codes.sort_by_key(|c| c.code);
        codes.dedup_by_key(|c| c.code);
        codes
    }

    /// The format that recognizes `file`, if any.
    pub fn detect(&self, file: &SourceFile<'_>) -> Option<&dyn RuleFormat> {
        self.detect_index(file).map(|i| self.formats[i].as_ref())
    }

    /// Position of the format that recognizes `file`, if any.
    fn detect_index(&self, file: &SourceFile<'_>) -> Option<usize> {
        self.formats.iter().position(|f| f.sniff(file))
    }

    /// Every format's context for the source `root` whose files are `files`
    /// (see [`RuleFormat::build_context`]): each format reads the files its
    /// [`RuleFormat::context_path`] accepts. Supporting files that cannot be
    /// read are skipped here; loading reports them like any other file.
    pub fn contexts(&self, root: &SourceRoot, files: &[PathBuf]) -> SourceContexts {
        let contexts = self
            .formats
            .iter()
            .map(|format| {
                let wanted: Vec<(String, String)> = files
                    .iter()
                    .filter_map(|path| {
                        let relative = relative_path(&root.path, path);
                        format.context_path(&relative).then_some((relative, path))
                    })
                    .collect::<Vec<_>>()
                    .into_par_iter()
                    .filter_map(|(relative, path)| {
                        let text = std::fs::read_to_string(path).ok()?;
                        Some((relative, text))
                    })
                    .collect();
                if wanted.is_empty() {
                    return None;
                }
                let sources: Vec<SourceFile<'_>> = wanted
                    .iter()
                    .map(|(relative, text)| SourceFile {
                        source: &root.name,
                        path: relative,
                        text: text.strip_prefix('\u{feff}').unwrap_or(text),
                        commit: root.commit.as_deref(),
                        context: None,
                    })
                    .collect();
                format.build_context(&sources)
            })
            .collect();
        SourceContexts { contexts }
    }

    /// Names of the registered formats, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.formats.iter().map(|f| f.name()).collect()
    }
}

/// The context each format built for one source, in format order (see
/// [`Formats::contexts`]).
#[derive(Default)]
pub struct SourceContexts {
    contexts: Vec<Option<SourceContext>>,
}

impl SourceContexts {
    /// No context for any format (files loaded on their own).
    pub fn none() -> Self {
        SourceContexts::default()
    }

    fn of(&self, format: usize) -> Option<&(dyn std::any::Any + Send + Sync)> {
        self.contexts.get(format).and_then(|c| c.as_deref())
    }
}

/// One file after ingest.
#[derive(Debug)]
pub struct LoadedFile {
    /// The file on disk.
    pub path: PathBuf,
    /// Path relative to the source root, `/`-separated (what rules record).
    pub relative: String,
    /// The format that loaded it; `None` when no format recognized it.
    pub format: Option<&'static str>,
    /// The rules it holds (empty for unknown files).
    pub rules: Vec<Rule>,
    /// Size in bytes.
    pub bytes: usize,
    /// Time spent recognizing and loading the file.
    pub elapsed: Duration,
    /// Why the file could not be read at all (I/O error, not UTF-8).
    pub read_error: Option<String>,
}

impl LoadedFile {
    /// True when no format recognized the file (and it could be read).
    pub fn is_unknown(&self) -> bool {
        self.format.is_none() && self.read_error.is_none()
    }
}

/// A folder or file to ingest, with the name its rules record as source.
#[derive(Clone, Debug)]
pub struct SourceRoot {
    /// Source name (`sigma`, a `ruledex.toml` source name, or the folder name).
    pub name: String,
    /// Folder (or single file) to read.
    pub path: PathBuf,
    /// Commit of the checkout, when known.
    pub commit: Option<String>,
    /// Web address of the repository, for links to files at their commit.
    pub web: Option<String>,
}

impl SourceRoot {
    /// A root named after its last path component (for a single file, its
    /// folder's).
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let named = if path.is_file() {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(&path)
        } else {
            &path
        };
        let name = std::fs::canonicalize(named)
            .unwrap_or_else(|_| named.to_path_buf())
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let commit = crate::git::checkout_commit(&path);
        SourceRoot {
            name,
            path,
            commit,
            web: None,
        }
    }
}

/// Every regular file under `root` (or `root` itself when it is a file),
/// sorted by path, skipping hidden folders such as `.git`.
pub fn discover(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    files
}

/// Load every file of every root in parallel, in a deterministic order
/// (roots in order, files sorted within each). `progress` is called once
/// per file from worker threads.
pub fn load_roots(
    roots: &[SourceRoot],
    formats: &Formats,
    progress: &(dyn Fn(&LoadedFile) + Sync),
) -> Vec<LoadedFile> {
    let listed: Vec<(&SourceRoot, Vec<PathBuf>)> = roots
        .iter()
        .map(|root| (root, discover(&root.path)))
        .collect();
    let contexts: Vec<SourceContexts> = listed
        .iter()
        .map(|(root, files)| formats.contexts(root, files))
        .collect();
    let jobs: Vec<(&SourceRoot, &SourceContexts, &PathBuf)> = listed
        .iter()
        .zip(&contexts)
        .flat_map(|((root, files), context)| files.iter().map(move |p| (*root, context, p)))
        .collect();
    jobs.into_par_iter()
        .map(|(root, context, path)| {
            let loaded = load_file(root, path, formats, context);
            progress(&loaded);
            loaded
        })
        .collect()
}

/// Load one file of `root`, with the contexts the formats built for that
/// source ([`SourceContexts::none`] for a file on its own).
pub fn load_file(
    root: &SourceRoot,
    path: &Path,
    formats: &Formats,
    contexts: &SourceContexts,
) -> LoadedFile {
    let started = Instant::now();
    let relative = relative_path(&root.path, path);
    let mut loaded = LoadedFile {
        path: path.to_path_buf(),
        relative,
        format: None,
        rules: Vec::new(),
        bytes: 0,
        elapsed: Duration::ZERO,
        read_error: None,
    };
    match std::fs::read(path) {
        Err(e) => loaded.read_error = Some(e.to_string()),
        Ok(bytes) => {
            loaded.bytes = bytes.len();
            match String::from_utf8(bytes) {
                Err(_) => loaded.read_error = Some("not UTF-8 text".to_string()),
                Ok(text) => {
                    // A byte-order mark is not part of the content.
                    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                    let file = SourceFile {
                        source: &root.name,
                        path: &loaded.relative,
                        text,
                        commit: root.commit.as_deref(),
                        context: None,
                    };
                    if let Some(index) = formats.detect_index(&file) {
                        let format = formats.formats[index].as_ref();
                        let file = file.with_context(contexts.of(index));
                        let mut rules = format.load(&file);
                        resolve_positions(&mut rules, text);
                        loaded.format = Some(format.name());
                        loaded.rules = rules;
                    }
                }
            }
        }
    }
    loaded.elapsed = started.elapsed();
    loaded
}

/// `path` relative to `root`, `/`-separated; the file name when `root` is
/// the file itself.
fn relative_path(root: &Path, path: &Path) -> String {
    let rel = match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel,
        _ => Path::new(path.file_name().unwrap_or(path.as_os_str())),
    };
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruledex_ir::{Diagnostic, Rule};

    struct Upper;
    impl RuleFormat for Upper {
        fn name(&self) -> &'static str {
            "upper"
        }
        fn sniff(&self, file: &SourceFile<'_>) -> bool {
            file.text.starts_with("RULE")
        }
        fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
            let mut rule = Rule {
                id: file.stem().to_string(),
                ..Rule::default()
            };
            if file.text.contains("BAD") {
                let at = file.text.find("BAD").unwrap_or(0);
                rule.diagnostics.push(
                    Diagnostic::error("TST001", "bad")
                        .with_span(ruledex_ir::Span::from_range(at..at + 3)),
                );
            }
            vec![rule]
        }
    }

    #[test]
    fn unknown_unreadable_and_bad_files_are_all_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub/.git")).unwrap();
        std::fs::write(dir.path().join("a.rule"), "RULE ok").unwrap();
        std::fs::write(dir.path().join("sub/b.rule"), "RULE\nBAD").unwrap();
        std::fs::write(dir.path().join("sub/.git/config"), "RULE hidden").unwrap();
        std::fs::write(dir.path().join("readme.txt"), "hello").unwrap();
        std::fs::write(dir.path().join("bin.dat"), [0xff, 0xfe, 0x00]).unwrap();
        let formats = Formats::new().with(Upper);
        let files = load_roots(&[SourceRoot::from_path(dir.path())], &formats, &|_| {});
        let summary: Vec<_> = files
            .iter()
            .map(|f| {
                (
                    f.relative.as_str(),
                    f.format,
                    f.rules.len(),
                    f.read_error.is_some(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("a.rule", Some("upper"), 1, false),
                ("bin.dat", None, 0, true),
                ("readme.txt", None, 0, false),
                ("sub/b.rule", Some("upper"), 1, false),
            ]
        );
        let bad = &files[3].rules[0].diagnostics[0];
        assert_eq!((bad.line, bad.column), (Some(2), Some(1)));
        assert!(files[2].is_unknown());
    }

    /// A format whose rules name words defined in `defs/` files of the
    /// same source, the way Splunk searches name macros.
    struct Defined;
    impl RuleFormat for Defined {
        fn name(&self) -> &'static str {
            "defined"
        }
        fn sniff(&self, file: &SourceFile<'_>) -> bool {
            file.path.ends_with(".def") || file.text.starts_with("USE ")
        }
        fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
            if file.path.ends_with(".def") {
                return Vec::new();
            }
            let known = file.context::<Vec<String>>().cloned().unwrap_or_default();
            let word = file.text.trim_start_matches("USE ").trim();
            let mut rule = Rule::default();
            if !known.iter().any(|k| k == word) {
                rule.diagnostics
                    .push(Diagnostic::warning("TST002", "undefined"));
            }
            vec![rule]
        }
        fn context_path(&self, path: &str) -> bool {
            path.starts_with("defs/")
        }
        fn build_context(&self, files: &[SourceFile<'_>]) -> Option<SourceContext> {
            let words: Vec<String> = files.iter().map(|f| f.text.trim().to_string()).collect();
            Some(Box::new(words))
        }
    }

    #[test]
    fn formats_see_the_context_of_their_own_source_only() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(a.path().join("defs")).unwrap();
        std::fs::write(a.path().join("defs/x.def"), "alpha").unwrap();
        std::fs::write(a.path().join("rule.txt"), "USE alpha").unwrap();
        std::fs::write(b.path().join("rule.txt"), "USE alpha").unwrap();
        let formats = Formats::new().with(Upper).with(Defined);
        let roots = [
            SourceRoot::from_path(a.path()),
            SourceRoot::from_path(b.path()),
        ];
        let files = load_roots(&roots, &formats, &|_| {});
        let summary: Vec<_> = files
            .iter()
            .map(|f| {
                (
                    f.relative.as_str(),
                    f.format,
                    f.rules.iter().map(|r| r.diagnostics.len()).sum::<usize>(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                // The definition file is recognized, holds no rule.
                ("defs/x.def", Some("defined"), 0),
                ("rule.txt", Some("defined"), 0),
                // The other source has no definitions: the word is unknown.
                ("rule.txt", Some("defined"), 1),
            ]
        );
        // On its own, without contexts, the same file lacks the definition.
        let alone = load_file(
            &roots[0],
            &a.path().join("rule.txt"),
            &formats,
            &SourceContexts::none(),
        );
        assert_eq!(alone.rules[0].diagnostics.len(), 1);
    }
}
