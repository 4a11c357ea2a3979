//! Streaming the same text in arbitrary pieces, at the reasoning or the output stage, never
//! panics, and every verdict on the way and at the end has its spans inside the text fed so
//! far, on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spans::check;
use warden_guard::{Guard, Stage};

mod spans;

fuzz_target!(|input: (bool, Vec<u8>, String)| {
    let (reasoning, cuts, text) = input;
    static GUARD: std::sync::OnceLock<Guard> = std::sync::OnceLock::new();
    let guard = GUARD.get_or_init(Guard::with_default_policy);
    let stage = if reasoning {
        Stage::Reasoning
    } else {
        Stage::Output
    };
    let mut scanner = guard.output_scanner(stage);
    let mut fed = 0;
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
        fed += n;
        if let Some(v) = scanner.feed(piece) {
            check(&text[..fed], &v);
        }
        rest = tail;
    }
    if let Some(v) = scanner.feed(rest) {
        check(&text, &v);
    }
    check(&text, &scanner.finish());
});
