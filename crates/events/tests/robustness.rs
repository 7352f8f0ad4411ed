//! Arbitrary bytes and mangled event files never panic the loader.

use ruledex_events::Dictionary;

const SEED: &str = "name: E\nlog_source: P\nplatform: windows\nevent_id: '1'\nevent_version: '0'\nevent_fields:\n- name: A\n  type: string\n  description: x\n";

#[test]
fn mangled_files_load_with_diagnostics() {
    // A small linear congruential generator: deterministic, no dependency.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as usize
    };
    let alphabet = b"-:'\"[]{}&*!|>\n #%@`\\\t0a";
    let mut files = Vec::new();
    for i in 0..400 {
        let mut bytes = SEED.as_bytes().to_vec();
        for _ in 0..(1 + next() % 6) {
            let at = next() % bytes.len();
            match next() % 3 {
                0 => bytes[at] = alphabet[next() % alphabet.len()],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, alphabet[next() % alphabet.len()]),
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        files.push((format!("w/p{}/events/event-{i}.yml", i % 3), text));
    }
    files.push(("w/deep/events/event-1.yml".into(), "[".repeat(10_000)));
    files.push(("w/deep/events/event-2.yml".into(), "- ".repeat(10_000)));
    let d = Dictionary::from_texts(files);
    assert!(!d.events.is_empty());
    assert!(!d.diagnostics.is_empty());
}
