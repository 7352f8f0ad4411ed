//! Runs the hand-written probes in `tools/diff/esql/probes.txt`: every
//! query must parse without errors, except those announced by a
//! `# invalid: reason` line, which must be rejected.

use ruledex_ir::QueryErrorCode;

const PROBES: &str = include_str!("../../../tools/diff/esql/probes.txt");

fn error_messages(query: &str) -> Vec<String> {
    ruledex_esql::parse(query)
        .errors
        .iter()
        .filter(|e| !QueryErrorCode::is_warning(e.code))
        .map(|e| format!("{}: {}", e.code.code(), e.message))
        .collect()
}

#[test]
fn probes_parse_as_announced() {
    let mut expect_invalid = false;
    let (mut valid, mut invalid) = (0, 0);
    let mut wrong = Vec::new();
    for line in PROBES.lines() {
        let line = line.trim_end();
        if line.starts_with("# invalid:") {
            expect_invalid = true;
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let errors = error_messages(line);
        if expect_invalid {
            invalid += 1;
            if errors.is_empty() {
                wrong.push(format!("accepted but announced invalid: {line}"));
            }
        } else {
            valid += 1;
            if !errors.is_empty() {
                wrong.push(format!("rejected: {line}\n    {}", errors.join("\n    ")));
            }
        }
        expect_invalid = false;
    }
    assert!(valid > 50 && invalid > 0, "probe file looks truncated");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
