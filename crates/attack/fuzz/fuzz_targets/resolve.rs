//! Any text, read as every kind of ATT&CK reference a rule can hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_attack::{tactic_ref, technique_ref, written, Attack};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let attack = Attack::embedded();
    let (key, value) = text.split_once('\n').unwrap_or(("mitre", &text));
    let mut findings = vec![attack.resolve_text(&text)];
    findings.extend(written::sigma_tag(&text).map(|r| attack.resolve(&r)));
    findings.extend(attack.resolve_threat(&written::panther_report(&text)));
    findings.extend(
        written::chronicle_meta_all([(key, value), ("mitre_attack_technique", value)])
            .iter()
            .map(|r| attack.resolve(r)),
    );
    findings.push(attack.resolve(&technique_ref(Some(key), Some(value))));
    findings.push(attack.resolve(&tactic_ref(Some(value), Some(key))));
    for finding in &findings {
        let _ = attack.diagnostics(finding);
    }
    let _ = attack.coverage(&findings);
    let _ = attack.navigator_layer([(text.as_ref(), 1.0, key)], "fuzz", value);
});
