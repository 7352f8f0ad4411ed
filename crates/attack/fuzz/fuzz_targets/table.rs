//! Any text as a compact table; whatever loads is used.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ruledex_attack::Attack;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(attack) = Attack::from_table(&text) {
        let finding = attack.resolve_text("T1059.001");
        let _ = attack.diagnostics(&finding);
        let _ = attack.coverage(&[finding]);
        let _ = attack.techniques_by_tactic();
        let _ = attack.to_table(&[]);
        let _ = attack.navigator_layer([("T1059", 1.0, "")], "fuzz", "");
    }
});
