//! Runs the hand-written probes in `tools/diff/eql/endpoint_probes.txt`:
//! every query must be accepted in the endpoint dialect.

use ruledex_eql::{parse_dialect, Dialect};

const PROBES: &str = include_str!("../../../tools/diff/eql/endpoint_probes.txt");

#[test]
fn endpoint_probes_are_accepted() {
    let mut count = 0;
    let mut rejected = Vec::new();
    for line in PROBES.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        count += 1;
        let parsed = parse_dialect(line, Dialect::Endpoint);
        if !parsed.is_valid() {
            let messages: Vec<_> = parsed
                .diagnostics
                .iter()
                .map(|d| format!("{:?}: {}", d.code, d.message))
                .collect();
            rejected.push(format!("{line}\n    {}", messages.join("\n    ")));
        }
    }
    assert!(count > 20, "probe file looks truncated");
    assert!(rejected.is_empty(), "{}", rejected.join("\n"));
}
