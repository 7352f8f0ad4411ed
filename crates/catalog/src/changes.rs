//! When each rule last changed: the date of the last commit that touched
//! its file (git sources), else the modification date the rule declares.
//!
//! Pages list "recent changes" from this. A commit date is what happened in
//! the repository; a declared date (`modified: 2024/03/01` in Sigma,
//! `updated_date` in Elastic) is what the author wrote, so each change says
//! which one it is.

use crate::entry::{Entry, SourceInfo};
use std::collections::HashMap;

/// Where the date of a [`Change`] comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeBasis {
    /// The last commit that changed the rule's file.
    Commit,
    /// The rule's own `modified` (or, lacking it, `created`) date.
    Declared,
}

/// The last change of one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Position of the rule in the catalog.
    pub position: usize,
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// Unix time of the commit (commit changes only).
    pub time: Option<i64>,
    /// The commit hash (commit changes only).
    pub commit: Option<String>,
    /// Commit or declared date.
    pub basis: ChangeBasis,
}

/// The last change of every rule that has a known date, newest first
/// (ties by catalog position, so the order is stable).
pub(crate) fn compute(sources: &[SourceInfo], entries: &[Entry]) -> Vec<Change> {
    let history: Vec<Option<HashMap<String, (String, i64)>>> = sources
        .iter()
        .map(|source| {
            // Only folders can be git work trees; a missing `.git` anywhere
            // above is the common case for plain folders and costs one
            // failed `git` call.
            source
                .path
                .is_dir()
                .then(|| crate::git::last_changes(&source.path).ok())
                .flatten()
        })
        .collect();
    let mut changes = Vec::new();
    for (position, entry) in entries.iter().enumerate() {
        let commit = history
            .get(entry.source)
            .and_then(|h| h.as_ref())
            .and_then(|h| h.get(&entry.rule.provenance.path));
        let change = match commit {
            Some((hash, time)) => Some(Change {
                position,
                date: date_of_unix(*time),
                time: Some(*time),
                commit: Some(hash.clone()),
                basis: ChangeBasis::Commit,
            }),
            None => entry
                .rule
                .modified
                .as_deref()
                .and_then(normalize_date)
                .or_else(|| entry.rule.created.as_deref().and_then(normalize_date))
                .map(|date| Change {
                    position,
                    date,
                    time: None,
                    commit: None,
                    basis: ChangeBasis::Declared,
                }),
        };
        changes.extend(change);
    }
    changes.sort_by(|a, b| {
        (&b.date, b.time)
            .cmp(&(&a.date, a.time))
            .then(a.position.cmp(&b.position))
    });
    changes
}

/// `YYYY-MM-DD` from the date spellings rules use: `2024-03-01`,
/// `2024/03/01`, `2024.03.01`, with anything after the day (a time) ignored.
/// `None` when it is not a plausible date.
pub fn normalize_date(text: &str) -> Option<String> {
    let text = text.trim().trim_matches(|c| c == '"' || c == '\'');
    let mut parts = text.splitn(3, ['-', '/', '.']);
    let year: u32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let rest = parts.next()?;
    let day_digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let day: u32 = day_digits.parse().ok()?;
    ((1970..=2200).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// The UTC day of a Unix time, `YYYY-MM-DD` (proleptic Gregorian calendar).
pub fn date_of_unix(time: i64) -> String {
    let days = time.div_euclid(86_400);
    // Civil-from-days: shift the epoch to 0000-03-01 so leap days end years.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::git_for_test;
    use crate::ingest::{Formats, SourceRoot};
    use crate::Catalog;
    use ruledex_ir::{Rule, RuleFormat, SourceFile};

    /// One rule per `.rule` file; `modified:` on the first line is the
    /// declared date.
    struct Dated;
    impl RuleFormat for Dated {
        fn name(&self) -> &'static str {
            "dated"
        }
        fn sniff(&self, file: &SourceFile<'_>) -> bool {
            file.path.ends_with(".rule")
        }
        fn load(&self, file: &SourceFile<'_>) -> Vec<Rule> {
            vec![Rule {
                id: file.stem().to_string(),
                title: file.stem().to_string(),
                modified: file
                    .text
                    .strip_prefix("modified: ")
                    .map(|d| d.trim().to_string()),
                provenance: file.provenance("dated", None),
                ..Rule::default()
            }]
        }
    }

    #[test]
    fn commit_dates_for_git_sources_declared_dates_elsewhere() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        let plain = tmp.path().join("plain");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::create_dir_all(&plain).unwrap();
        git_for_test(&repo, &["init", "--quiet"], Some("2020-01-01T00:00:00Z"));
        std::fs::write(repo.join("old.rule"), "modified: 2030-01-01\n").unwrap();
        git_for_test(&repo, &["add", "."], Some("2020-01-01T00:00:00Z"));
        git_for_test(
            &repo,
            &["commit", "--quiet", "-m", "one"],
            Some("2021-05-04T12:00:00Z"),
        );
        std::fs::write(repo.join("new.rule"), "x\n").unwrap();
        git_for_test(&repo, &["add", "."], Some("2020-01-01T00:00:00Z"));
        git_for_test(
            &repo,
            &["commit", "--quiet", "-m", "two"],
            Some("2023-07-08T12:00:00Z"),
        );
        std::fs::write(plain.join("declared.rule"), "modified: 2022/02/03\n").unwrap();
        std::fs::write(plain.join("undated.rule"), "x\n").unwrap();

        let roots = [SourceRoot::from_path(&repo), SourceRoot::from_path(&plain)];
        let catalog = Catalog::build(&roots, &Formats::new().with(Dated), &|_| {});
        let seen: Vec<(&str, &str, ChangeBasis)> = catalog
            .changes()
            .iter()
            .map(|c| {
                (
                    catalog.entries()[c.position].rule.id.as_str(),
                    c.date.as_str(),
                    c.basis,
                )
            })
            .collect();
        // The commit date wins over a declared one; undated rules are left out.
        assert_eq!(
            seen,
            vec![
                ("new", "2023-07-08", ChangeBasis::Commit),
                ("declared", "2022-02-03", ChangeBasis::Declared),
                ("old", "2021-05-04", ChangeBasis::Commit),
            ]
        );
        assert!(catalog.changes()[0].commit.is_some());
    }

    #[test]
    fn declared_dates_in_every_spelling() {
        assert_eq!(normalize_date("2024/03/01").as_deref(), Some("2024-03-01"));
        assert_eq!(normalize_date("2024-3-1").as_deref(), Some("2024-03-01"));
        assert_eq!(
            normalize_date("'2022.12.25 10:00'").as_deref(),
            Some("2022-12-25")
        );
        assert_eq!(normalize_date("yesterday"), None);
        assert_eq!(normalize_date("2024-13-01"), None);
    }

    #[test]
    fn unix_times_become_utc_days() {
        assert_eq!(date_of_unix(0), "1970-01-01");
        assert_eq!(date_of_unix(951_782_400), "2000-02-29");
        assert_eq!(date_of_unix(1_709_251_199), "2024-02-29");
        assert_eq!(date_of_unix(1_709_251_200), "2024-03-01");
    }
}
