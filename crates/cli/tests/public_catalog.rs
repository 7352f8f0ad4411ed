//! The public catalog in two commands, as the README shows it:
//! `ruledex init --public && ruledex sync --only sigma && ruledex serve`,
//! in a scratch folder, with a local bare repository standing in for the
//! network through git's own URL rewriting (`url.<base>.insteadOf`, given
//! in the environment).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// `ruledex ARGS` in `dir`, with `https://github.com/` rewritten to
/// `mirror` for git.
fn ruledex(dir: &Path, mirror: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ruledex"));
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", format!("url.{mirror}.insteadOf"))
        .env("GIT_CONFIG_VALUE_0", "https://github.com/");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run ruledex");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A bare `<mirror>/SigmaHQ/sigma.git` on `master` holding one Sigma rule.
fn sigma_mirror(mirror: &Path) {
    let bare = mirror.join("SigmaHQ/sigma.git");
    std::fs::create_dir_all(&bare).unwrap();
    git(
        &bare,
        &["init", "--quiet", "--bare", "--initial-branch=master"],
    );
    let work = mirror.join("work");
    std::fs::create_dir_all(work.join("rules/cloud")).unwrap();
    std::fs::write(
        work.join("rules/cloud/console_login_without_mfa.yml"),
        "title: Console login without MFA\n\
         id: 6c0e8f4a-2b7d-4f3e-9a1c-5d8b7e6f4a21\n\
         status: test\n\
         logsource:\n  product: aws\n  service: cloudtrail\n\
         detection:\n  selection:\n    eventName: ConsoleLogin\n    \
         additionalEventData.MFAUsed: 'No'\n  condition: selection\n\
         level: medium\n",
    )
    .unwrap();
    git(&work, &["init", "--quiet", "--initial-branch=master"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "--quiet", "-m", "a rule"]);
    git(
        &work,
        &["push", "--quiet", bare.to_str().unwrap(), "master"],
    );
}

/// Kills `ruledex serve` when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply
}

#[test]
fn init_public_sync_only_sigma_then_serve() {
    let tmp = tempfile::tempdir().unwrap();
    let mirror = tmp.path().join("mirror");
    sigma_mirror(&mirror);
    let mirror_url = format!("file://{}/", mirror.display());
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();

    let init = run(&mut ruledex(&scratch, &mirror_url, &["init", "--public"]));
    assert!(String::from_utf8_lossy(&init.stdout).contains("ruledex sync"));
    let again = ruledex(&scratch, &mirror_url, &["init", "--public"])
        .output()
        .unwrap();
    assert!(!again.status.success(), "init does not overwrite");

    let sync = run(&mut ruledex(
        &scratch,
        &mirror_url,
        &["sync", "--only", "sigma"],
    ));
    let said = String::from_utf8_lossy(&sync.stdout);
    assert!(said.starts_with("sigma: cloned at "), "{said}");
    assert!(scratch
        .join("sources/sigma/rules/cloud/console_login_without_mfa.yml")
        .exists());
    assert!(!scratch.join("sources/Azure-Sentinel").exists());
    // A second sync finds the clone up to date.
    let sync = run(&mut ruledex(
        &scratch,
        &mirror_url,
        &["sync", "--only", "sigma"],
    ));
    assert!(String::from_utf8_lossy(&sync.stdout).contains("sigma: up to date"));

    let child = ruledex(
        &scratch,
        &mirror_url,
        &["serve", "--addr", "127.0.0.1:0", "--no-watch"],
    )
    .stderr(Stdio::piped())
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    let mut server = Server(child);
    let stderr = BufReader::new(server.0.stderr.take().unwrap());
    let mut notes = Vec::new();
    let mut addr = None;
    for line in stderr.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.split_once("http://").map(|(_, r)| r) {
            addr = rest.split_whitespace().next().map(str::to_string);
            break;
        }
        notes.push(line);
    }
    let addr = addr.unwrap_or_else(|| panic!("serve did not start: {notes:?}"));
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`sentinel` is not synced yet")),
        "unsynced sources are named: {notes:?}"
    );
    let stats = get(&addr, "/api/v1/stats");
    assert!(stats.starts_with("HTTP/1.1 200"), "{stats}");
    assert!(stats.contains("\"rules\":1"), "{stats}");
    let rule = get(
        &addr,
        "/rules/sigma/rules/cloud/console_login_without_mfa.yml.html",
    );
    assert!(rule.contains("Console login without MFA"), "{rule}");
    // The page links the file upstream at the commit that was cloned.
    assert!(
        rule.contains("https://github.com/SigmaHQ/sigma/blob/"),
        "{rule}"
    );
}

#[test]
fn sync_without_network_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    run(&mut ruledex(tmp.path(), "x", &["init", "--public"]));
    // Nothing listens on port 9 here: git cannot connect.
    let out = ruledex(tmp.path(), "http://127.0.0.1:9/", &["sync"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("offline"), "{said}");
    assert!(said.contains("sync stopped"), "{said}");
    let unknown = ruledex(tmp.path(), "x", &["sync", "--only", "nope"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("known: sigma, hayabusa"));
}
