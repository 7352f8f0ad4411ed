//! Git sources: cloning and updating them (`ruledex sync`), and reading the
//! commit each file was read at.
//!
//! This shells out to the `git` program rather than linking a Git library:
//! every machine that has rule repositories has git, the behaviour (auth,
//! proxies, credentials helpers) is the user's own git's, and the build stays
//! small.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

/// A failed git command.
#[derive(Debug, thiserror::Error)]
#[error("git {args} failed: {message}")]
pub struct GitError {
    /// The arguments given to git.
    pub args: String,
    /// git's error output, or why it could not run.
    pub message: String,
}

fn git(dir: Option<&Path>, args: &[&str]) -> Result<String, GitError> {
    let mut cmd = Command::new("git");
    if let Some(dir) = dir {
        cmd.arg("-C").arg(dir);
    }
    cmd.args(args);
    // Never prompt for credentials: sync runs unattended.
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    let output = cmd.output().map_err(|e| GitError {
        args: args.join(" "),
        message: e.to_string(),
    })?;
    if !output.status.success() {
        return Err(GitError {
            args: args.join(" "),
            message: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// What [`sync`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The repository was cloned; at this commit.
    Cloned(String),
    /// An existing checkout was fast-forwarded from the first commit to the
    /// second (equal when nothing changed).
    Updated(String, String),
}

/// Clone `url` into `path`, or fast-forward the checkout at `path`.
///
/// An existing checkout is only ever fast-forwarded (`git pull --ff-only`):
/// local commits or changes make sync fail loudly rather than being thrown
/// away.
pub fn sync(url: &str, branch: Option<&str>, path: &Path) -> Result<SyncOutcome, GitError> {
    if path.join(".git").exists() {
        let before = head(path)?;
        match branch {
            Some(b) => git(Some(path), &["pull", "--ff-only", "--quiet", "origin", b])?,
            None => git(Some(path), &["pull", "--ff-only", "--quiet"])?,
        };
        Ok(SyncOutcome::Updated(before, head(path)?))
    } else {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| GitError {
                args: "clone".into(),
                message: e.to_string(),
            })?;
        }
        let target = path.to_string_lossy().into_owned();
        let mut args = vec!["clone", "--quiet"];
        if let Some(b) = branch {
            args.extend(["--branch", b]);
        }
        args.extend([url, target.as_str()]);
        git(None, &args)?;
        Ok(SyncOutcome::Cloned(head(path)?))
    }
}

/// The commit checked out at `path`.
pub fn head(path: &Path) -> Result<String, GitError> {
    Ok(git(Some(path), &["rev-parse", "HEAD"])?.trim().to_string())
}

/// The commit `path` is checked out at, when it is inside a git work tree.
pub fn checkout_commit(path: &Path) -> Option<String> {
    let dir = if path.is_file() { path.parent()? } else { path };
    head(dir).ok()
}

/// The last commit (hash, Unix time) that changed each file under `root`,
/// keyed by path relative to `root`. One `git log` pass over the history.
pub fn last_changes(root: &Path) -> Result<HashMap<String, (String, i64)>, GitError> {
    let prefix = git(Some(root), &["rev-parse", "--show-prefix"])?
        .trim()
        .to_string();
    let log = git(
        Some(root),
        &[
            "log",
            "--format=%x00%H %ct",
            "--name-only",
            "--no-renames",
            "--",
            ".",
        ],
    )?;
    let mut changes = HashMap::new();
    for entry in log.split('\0').filter(|e| !e.trim().is_empty()) {
        let mut lines = entry.lines();
        let Some((hash, time)) = lines.next().and_then(|l| l.split_once(' ')) else {
            continue;
        };
        let time: i64 = time.trim().parse().unwrap_or(0);
        for file in lines.filter(|l| !l.is_empty()) {
            let relative = file.strip_prefix(&prefix).unwrap_or(file);
            // The log is newest first: keep the first commit seen per file.
            changes
                .entry(relative.to_string())
                .or_insert_with(|| (hash.to_string(), time));
        }
    }
    Ok(changes)
}

/// Test support: run git in `dir` as a fixed author (at `date`, when
/// given, for both author and committer) and assert it succeeded.
#[cfg(test)]
pub(crate) fn git_for_test(dir: &Path, args: &[&str], date: Option<&str>) {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid");
    if let Some(date) = date {
        cmd.env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date);
    }
    let status = cmd.status().unwrap();
    assert!(status.success(), "git {args:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real bare repository, a clone by sync, a new commit upstream, and a
    /// fast-forward by sync again.
    #[test]
    fn sync_clones_then_fast_forwards_a_real_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let bare = tmp.path().join("rules.git");
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        git_for_test(
            tmp.path(),
            &[
                "init",
                "--quiet",
                "--bare",
                "--initial-branch=main",
                bare.to_str().unwrap(),
            ],
            None,
        );
        git_for_test(&work, &["init", "--quiet", "--initial-branch=main"], None);
        std::fs::write(work.join("a.kql"), "T | take 1\n").unwrap();
        git_for_test(&work, &["add", "."], None);
        git_for_test(&work, &["commit", "--quiet", "-m", "one"], None);
        git_for_test(
            &work,
            &["remote", "add", "origin", bare.to_str().unwrap()],
            None,
        );
        git_for_test(&work, &["push", "--quiet", "origin", "main"], None);

        let url = format!("file://{}", bare.display());
        let checkout = tmp.path().join("checkout");
        let SyncOutcome::Cloned(first) = sync(&url, Some("main"), &checkout).unwrap() else {
            panic!("expected a clone")
        };
        assert_eq!(
            std::fs::read_to_string(checkout.join("a.kql")).unwrap(),
            "T | take 1\n"
        );

        std::fs::write(work.join("b.kql"), "U | take 2\n").unwrap();
        git_for_test(&work, &["add", "."], None);
        git_for_test(&work, &["commit", "--quiet", "-m", "two"], None);
        git_for_test(&work, &["push", "--quiet", "origin", "main"], None);
        let SyncOutcome::Updated(before, after) = sync(&url, Some("main"), &checkout).unwrap()
        else {
            panic!("expected an update")
        };
        assert_eq!(before, first);
        assert_ne!(after, first);
        assert!(checkout.join("b.kql").exists());

        let changes = last_changes(&checkout).unwrap();
        assert_eq!(changes["a.kql"].0, first);
        assert_eq!(changes["b.kql"].0, after);
        assert_eq!(checkout_commit(&checkout.join("a.kql")), Some(after));
    }

    #[test]
    fn a_bad_url_is_an_error_not_a_prompt() {
        let tmp = tempfile::tempdir().unwrap();
        let err = sync("file:///nonexistent/repo.git", None, &tmp.path().join("x")).unwrap_err();
        assert!(err.args.starts_with("clone"), "{err}");
    }
}
