//! Any text, any stage: no panic, and every span lies inside the text on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_guard::{Context, Guard, Stage};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    static GUARD: std::sync::OnceLock<Guard> = std::sync::OnceLock::new();
    let guard = GUARD.get_or_init(Guard::with_default_policy);
    for stage in [Stage::Input, Stage::Reasoning, Stage::Output] {
        let v = guard.scan(text, &Context::new(stage));
        for h in &v.hits {
            for s in &h.spans {
                assert!(s.start <= s.end && s.end <= text.len());
                assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            }
        }
        for p in &v.pii {
            assert!(p.start <= p.end && p.end <= text.len());
        }
    }
});
