//! How fast values normalize into behaviour keys.

use ruledex_behaviour::{Behaviour, ValueContext};
use ruledex_ir::{Op, Value};

fn main() {
    divan::main();
}

/// A mix of the values rules compare most: images, command-line flags,
/// registry paths, event ids, regexes.
fn samples() -> Vec<(&'static str, Op, Value)> {
    vec![
        (
            "process.executable",
            Op::EndsWith,
            Value::from(r"\certutil.exe"),
        ),
        ("process.name", Op::Eq, Value::from("certutil.exe")),
        (
            "process.command_line",
            Op::Contains,
            Value::from(" /urlcache "),
        ),
        (
            "process.command_line",
            Op::Contains,
            Value::from("-EncodedCommand"),
        ),
        (
            "registry.path",
            Op::Wildcard,
            Value::from(r"HKEY_USERS\*\Software\Microsoft\Windows\CurrentVersion\Run\*"),
        ),
        (
            "file.path",
            Op::StartsWith,
            Value::from(r"C:\Users\Public\"),
        ),
        ("event.code", Op::Eq, Value::Integer(4688)),
        (
            "process.executable",
            Op::Regex,
            Value::from(r"(?i)[\\/](certutil|certreq)\.exe$"),
        ),
        ("destination.ip", Op::Cidr, Value::from("10.0.0.0/8")),
        ("azure.signin:Status", Op::Eq, Value::from("Success")),
    ]
}

#[divan::bench]
fn keys_of_common_values(bencher: divan::Bencher) {
    let behaviour = Behaviour::embedded();
    let samples = samples();
    let context = ValueContext {
        regex_anchored: false,
        event_provider: Some("security"),
    };
    bencher.bench(|| {
        let mut n = 0;
        for (field, op, value) in &samples {
            n += behaviour.keys(field, *op, value, &context).len();
        }
        divan::black_box(n)
    });
}
