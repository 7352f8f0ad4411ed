//! Git sources: cloning and updating them (`ruledex sync`), and reading the
//! commit each file was read at.
//!
//! This shells out to the `git` program rather than linking a Git library:
//! every machine that has rule repositories has git, the behaviour (auth,
//! proxies, credentials helpers) is the user's own git's, and the build stays
//! small.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A failed git command.
#[derive(Debug, thiserror::Error)]
#[error("git {args} failed: {message}")]
pub struct GitError {
    /// The arguments given to git.
    pub args: String,
    /// git's error output, or why it could not run.
    pub message: String,
}

impl GitError {
    fn new(args: &[&str], message: impl Into<String>) -> GitError {
        GitError {
            args: args.join(" "),
            message: message.into(),
        }
    }

    /// True when git failed because the remote could not be reached (no
    /// network, no name resolution, a refused or timed-out connection), as
    /// opposed to a remote that answered with an error.
    pub fn is_offline(&self) -> bool {
        const SIGNS: &[&str] = &[
            "could not resolve host",
            "could not resolve hostname",
            "temporary failure in name resolution",
            "name or service not known",
            "failed to connect",
            "network is unreachable",
            "connection timed out",
            "connection refused",
            "no route to host",
        ];
        let message = self.message.to_ascii_lowercase();
        SIGNS.iter().any(|s| message.contains(s))
    }
}

fn git(dir: Option<&Path>, args: &[&str]) -> Result<String, GitError> {
    let mut cmd = command(dir, args);
    let output = cmd
        .output()
        .map_err(|e| GitError::new(args, e.to_string()))?;
    if !output.status.success() {
        return Err(GitError::new(
            args,
            String::from_utf8_lossy(&output.stderr).trim(),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn command(dir: Option<&Path>, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    if let Some(dir) = dir {
        cmd.arg("-C").arg(dir);
    }
    cmd.args(args);
    // Never prompt for credentials: sync runs unattended.
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    cmd
}

/// Run git, passing each line of its progress output (stderr, where git
/// ends progress lines with `\r`) to `progress` as it comes.
fn git_with_progress(
    dir: Option<&Path>,
    args: &[&str],
    progress: &dyn Fn(&str),
) -> Result<(), GitError> {
    let mut child = command(dir, args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| GitError::new(args, e.to_string()))?;
    let mut stderr = Vec::new();
    if let Some(mut pipe) = child.stderr.take() {
        let mut buffer = [0u8; 4096];
        let mut line = Vec::new();
        loop {
            let n = match pipe.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            for &b in &buffer[..n] {
                if b == b'\r' || b == b'\n' {
                    if !line.is_empty() {
                        progress(String::from_utf8_lossy(&line).trim());
                        stderr.extend_from_slice(&line);
                        stderr.push(b'\n');
                        line.clear();
                    }
                } else {
                    line.push(b);
                }
            }
        }
        stderr.extend_from_slice(&line);
    }
    let status = child
        .wait()
        .map_err(|e| GitError::new(args, e.to_string()))?;
    if status.success() {
        return Ok(());
    }
    // Progress lines repeat ("Receiving objects: 1%" … "2%"); the error is
    // what git said last.
    let text = String::from_utf8_lossy(&stderr);
    let message: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains('%'))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    Err(GitError::new(args, message.join("\n")))
}

/// What [`sync`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The repository was cloned; at this commit.
    Cloned(String),
    /// A clone interrupted earlier was found, removed and done again; at
    /// this commit.
    Recloned(String),
    /// An existing checkout was fast-forwarded from the first commit to the
    /// second (equal when nothing changed).
    Updated(String, String),
}

/// The folder a clone is written to before it is complete: renamed to
/// `path` when git finishes, so a `path` that exists is always a whole
/// checkout and a leftover partial folder marks an interrupted clone.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Clone `url` into `path`, or fast-forward the checkout at `path`.
///
/// Clones are shallow (the branch's last commit, no tags): rule
/// repositories carry years of history that the catalog does not read.
/// A clone goes to [`partial_path`] first and is renamed when complete,
/// so an interrupted clone (killed, network gone) is detected on the next
/// run and done again. `progress` receives git's progress lines.
///
/// An existing checkout is only ever fast-forwarded (`git pull --ff-only`,
/// which in a shallow clone fetches the new commits only): local commits
/// or changes make sync fail loudly rather than being thrown away.
pub fn sync(
    url: &str,
    branch: Option<&str>,
    path: &Path,
    progress: &dyn Fn(&str),
) -> Result<SyncOutcome, GitError> {
    if path.join(".git").exists() {
        let before = head(path)?;
        let mut args = vec!["pull", "--ff-only", "--no-tags", "--progress"];
        if let Some(b) = branch {
            args.extend(["origin", b]);
        }
        git_with_progress(Some(path), &args, progress)?;
        return Ok(SyncOutcome::Updated(before, head(path)?));
    }
    if path.exists() && std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_some()) {
        return Err(GitError::new(
            &["clone"],
            format!(
                "{} exists and is not a git checkout; move it away or point the source elsewhere",
                path.display()
            ),
        ));
    }
    let partial = partial_path(path);
    let resumed = partial.exists();
    if resumed {
        std::fs::remove_dir_all(&partial).map_err(|e| {
            GitError::new(
                &["clone"],
                format!(
                    "cannot remove the interrupted clone {}: {e}",
                    partial.display()
                ),
            )
        })?;
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| GitError::new(&["clone"], e.to_string()))?;
    }
    let target = partial.to_string_lossy().into_owned();
    let mut args = vec![
        "clone",
        "--depth",
        "1",
        "--single-branch",
        "--no-tags",
        "--progress",
    ];
    if let Some(b) = branch {
        args.extend(["--branch", b]);
    }
    args.extend(["--", url, target.as_str()]);
    git_with_progress(None, &args, progress)?;
    // An empty folder at `path` (made by hand, or a mount point) is
    // replaced; anything else was refused above.
    if path.exists() {
        let _ = std::fs::remove_dir(path);
    }
    std::fs::rename(&partial, path).map_err(|e| {
        GitError::new(
            &["clone"],
            format!(
                "cannot move {} to {}: {e}",
                partial.display(),
                path.display()
            ),
        )
    })?;
    let commit = head(path)?;
    Ok(if resumed {
        SyncOutcome::Recloned(commit)
    } else {
        SyncOutcome::Cloned(commit)
    })
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
///
/// In a shallow clone the oldest commits present are cut from their
/// parents, so git shows them adding every file they hold; files whose
/// only commit is such a boundary have no known change and are left out.
pub fn last_changes(root: &Path) -> Result<HashMap<String, (String, i64)>, GitError> {
    let prefix = git(Some(root), &["rev-parse", "--show-prefix"])?
        .trim()
        .to_string();
    let boundaries = shallow_boundaries(root);
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
        if boundaries.iter().any(|b| b == hash) {
            continue;
        }
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

/// The commits at which a shallow clone's history is cut (none for a
/// full clone).
fn shallow_boundaries(root: &Path) -> Vec<String> {
    let Ok(file) = git(Some(root), &["rev-parse", "--git-path", "shallow"]) else {
        return Vec::new();
    };
    let file = root.join(file.trim());
    std::fs::read_to_string(file)
        .map(|text| text.lines().map(|l| l.trim().to_string()).collect())
        .unwrap_or_default()
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

    /// A bare repository on branch `main` with one commit per `(file,
    /// text)`, and the work tree that pushes to it.
    fn upstream(tmp: &Path, files: &[(&str, &str)]) -> (PathBuf, PathBuf) {
        let bare = tmp.join("rules.git");
        let work = tmp.join("work");
        std::fs::create_dir_all(&work).unwrap();
        let bare_arg = bare.to_str().unwrap();
        git_for_test(
            tmp,
            &[
                "init",
                "--quiet",
                "--bare",
                "--initial-branch=main",
                bare_arg,
            ],
            None,
        );
        git_for_test(&work, &["init", "--quiet", "--initial-branch=main"], None);
        git_for_test(&work, &["remote", "add", "origin", bare_arg], None);
        for (file, text) in files {
            commit(&work, file, text);
        }
        (bare, work)
    }

    fn commit(work: &Path, file: &str, text: &str) {
        std::fs::write(work.join(file), text).unwrap();
        git_for_test(work, &["add", "."], None);
        git_for_test(work, &["commit", "--quiet", "-m", file], None);
        git_for_test(work, &["push", "--quiet", "origin", "main"], None);
    }

    fn url(bare: &Path) -> String {
        format!("file://{}", bare.display())
    }

    /// A real bare repository, a shallow clone by sync, a new commit
    /// upstream, and a fast-forward by sync again.
    #[test]
    fn sync_clones_shallow_then_fast_forwards_a_real_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let (bare, work) = upstream(
            tmp.path(),
            &[("old.kql", "S | take 0\n"), ("a.kql", "T | take 1\n")],
        );
        let checkout = tmp.path().join("checkout");
        let lines = std::cell::RefCell::new(Vec::new());
        let progress = |line: &str| lines.borrow_mut().push(line.to_string());
        let SyncOutcome::Cloned(first) =
            sync(&url(&bare), Some("main"), &checkout, &progress).unwrap()
        else {
            panic!("expected a clone")
        };
        assert_eq!(
            std::fs::read_to_string(checkout.join("a.kql")).unwrap(),
            "T | take 1\n"
        );
        let history = git(Some(&checkout), &["rev-list", "--count", "HEAD"]).unwrap();
        assert_eq!(history.trim(), "1", "a shallow clone holds one commit");
        assert!(!partial_path(&checkout).exists());

        commit(&work, "b.kql", "U | take 2\n");
        let SyncOutcome::Updated(before, after) =
            sync(&url(&bare), Some("main"), &checkout, &progress).unwrap()
        else {
            panic!("expected an update")
        };
        assert_eq!(before, first);
        assert_ne!(after, first);
        assert!(checkout.join("b.kql").exists());

        // `a.kql` and `old.kql` only appear in the clone's boundary commit,
        // which says nothing about when they changed.
        let changes = last_changes(&checkout).unwrap();
        assert_eq!(changes["b.kql"].0, after);
        assert!(!changes.contains_key("a.kql"), "{changes:?}");
        assert_eq!(checkout_commit(&checkout.join("a.kql")), Some(after));
    }

    #[test]
    fn an_interrupted_clone_is_detected_and_done_again() {
        let tmp = tempfile::tempdir().unwrap();
        let (bare, _work) = upstream(tmp.path(), &[("a.kql", "T | take 1\n")]);
        let checkout = tmp.path().join("sources/rules");
        // What a killed `git clone` leaves: a partial folder with a
        // half-written repository.
        let partial = partial_path(&checkout);
        std::fs::create_dir_all(partial.join(".git/objects")).unwrap();
        std::fs::write(partial.join(".git/HEAD"), "garbage").unwrap();
        let outcome = sync(&url(&bare), Some("main"), &checkout, &|_| {}).unwrap();
        assert!(matches!(outcome, SyncOutcome::Recloned(_)), "{outcome:?}");
        assert!(checkout.join("a.kql").exists());
        assert!(!partial.exists());
    }

    #[test]
    fn a_folder_that_is_not_a_checkout_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let (bare, _work) = upstream(tmp.path(), &[("a.kql", "T | take 1\n")]);
        let mine = tmp.path().join("mine");
        std::fs::create_dir_all(&mine).unwrap();
        std::fs::write(mine.join("notes.txt"), "mine").unwrap();
        let err = sync(&url(&bare), Some("main"), &mine, &|_| {}).unwrap_err();
        assert!(err.message.contains("not a git checkout"), "{err}");
        assert!(mine.join("notes.txt").exists());
    }

    #[test]
    fn a_bad_url_is_an_error_not_a_prompt() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("x");
        let err = sync("file:///nonexistent/repo.git", None, &target, &|_| {}).unwrap_err();
        assert!(err.args.starts_with("clone"), "{err}");
        assert!(!err.is_offline(), "{err}");
        assert!(!target.exists());
    }

    #[test]
    fn unreachable_remotes_read_as_offline() {
        for message in [
            "fatal: unable to access 'https://github.com/SigmaHQ/sigma.git/': Could not resolve host: github.com",
            "ssh: Could not resolve hostname github.com: Temporary failure in name resolution",
            "fatal: unable to access '…': Failed to connect to github.com port 443 after 2 ms: Couldn't connect to server",
        ] {
            assert!(GitError::new(&["clone"], message).is_offline(), "{message}");
        }
        assert!(!GitError::new(&["clone"], "fatal: repository 'x' not found").is_offline());
    }
}
