//! Any text, any stage: no panic, and every span lies inside the text on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spans::check;
use warden_guard::{Context, Guard, Stage};

mod spans;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    static GUARD: std::sync::OnceLock<Guard> = std::sync::OnceLock::new();
    let guard = GUARD.get_or_init(Guard::with_default_policy);
    for stage in [Stage::Input, Stage::Reasoning, Stage::Output] {
        check(text, &guard.scan(text, &Context::new(stage)));
    }
});
