//! Streaming the same text in arbitrary pieces never panics and ends in a verdict.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_guard::{Guard, Stage};

fuzz_target!(|input: (Vec<u8>, String)| {
    let (cuts, text) = input;
    static GUARD: std::sync::OnceLock<Guard> = std::sync::OnceLock::new();
    let guard = GUARD.get_or_init(Guard::with_default_policy);
    let mut scanner = guard.output_scanner(Stage::Output);
    let mut rest = text.as_str();
    for c in cuts {
        if rest.is_empty() {
            break;
        }
        let mut n = (c as usize % 16).min(rest.len());
        while !rest.is_char_boundary(n) {
            n += 1;
        }
        let (piece, tail) = rest.split_at(n);
        let _ = scanner.feed(piece);
        rest = tail;
    }
    let _ = scanner.feed(rest);
    let _ = scanner.finish();
});
