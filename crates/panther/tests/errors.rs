//! One fixture per diagnostic code: the file named `panNNN_*.yml` must
//! report code `PANNNN`, at a line and column.

mod common;

#[test]
fn every_code_has_a_fixture_that_reports_it() {
    let loaded = common::load_folder(&common::fixture("invalid"));
    let mut seen = Vec::new();
    for (path, rules) in &loaded {
        let Some(prefix) = path.strip_suffix(".yml").and_then(|p| p.split('_').next()) else {
            continue;
        };
        let code = prefix.to_ascii_uppercase();
        let found: Vec<_> = rules.iter().flat_map(|r| &r.diagnostics).collect();
        let hit = found.iter().find(|d| d.code == code);
        assert!(hit.is_some(), "{path}: expected {code}, got {found:?}");
        let hit = hit.unwrap();
        if hit.span.is_some() {
            assert!(
                hit.line.is_some() && hit.column.is_some(),
                "{path}: {hit:?}"
            );
        }
        seen.push(code);
    }
    // Every code of `codes` has its fixture.
    let source = include_str!("../src/codes.rs");
    for line in source.lines() {
        if let Some(rest) = line.split("= \"").nth(1) {
            let code = rest.trim_end_matches("\";");
            assert!(seen.iter().any(|s| s == code), "no fixture reports {code}");
        }
    }
}

#[test]
fn errors_fail_the_rule_and_warnings_do_not() {
    let loaded = common::load_folder(&common::fixture("invalid"));
    for (path, rules) in &loaded {
        let warning_only = ["pan101", "pan104", "pan105", "pan202"]
            .iter()
            .any(|p| path.starts_with(p));
        for rule in rules {
            assert_eq!(
                rule.parsed(),
                warning_only,
                "{path}: {:?}",
                rule.diagnostics
            );
        }
    }
}
