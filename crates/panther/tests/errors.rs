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
    // Every code of the table has its fixture.
    for info in ruledex_panther::codes::ALL {
        assert!(
            seen.iter().any(|s| s == info.code),
            "no fixture reports {}",
            info.code
        );
    }
}

#[test]
fn every_emitted_code_is_in_the_table_with_its_severity() {
    use ruledex_ir::RuleFormat;
    let table = ruledex_panther::PantherFormat.codes();
    let mut emitted = 0;
    for folder in ["invalid", "valid"] {
        for (path, rules) in common::load_folder(&common::fixture(folder)) {
            for d in rules.iter().flat_map(|r| &r.diagnostics) {
                let info = table
                    .iter()
                    .flat_map(|t| t.iter())
                    .find(|i| i.code == d.code);
                let info = info.unwrap_or_else(|| panic!("{path}: {} is not in the table", d.code));
                // A code the table gives as an error may warn in its milder
                // case (PAN005 for a `Reports` entry that is no ATT&CK pair,
                // PAN106 for one deep expression of a program that parsed);
                // a warning code never fails a rule.
                if info.severity == ruledex_ir::DiagnosticSeverity::Warning {
                    assert_eq!(d.severity, info.severity, "{path}: {d:?}");
                }
                assert!(!info.description().is_empty());
                emitted += 1;
            }
        }
    }
    assert!(emitted > 0);
    // The constants the sources use are declared by `diagnostic_codes!`,
    // which puts each in the table: a code outside it does not compile.
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
