//! Any text as STIX JSON; whatever loads is used.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_attack::Attack;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(attack) = Attack::from_stix_json(&text) {
        let finding = attack.resolve_text("T1059");
        let _ = attack.diagnostics(&finding);
        let _ = attack.coverage(&[finding]);
        let _ = attack.techniques_by_tactic();
        let _ = attack.to_table(&[]);
    }
});
