//! The span check both targets make on a verdict.

use warden_guard::Verdict;

/// Every span of `v` (its hits' and its PII's) lies inside `text`, on char boundaries.
pub fn check(text: &str, v: &Verdict) {
    let ok = |start: usize, end: usize| {
        start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end)
    };
    for h in &v.hits {
        for s in &h.spans {
            assert!(
                ok(s.start, s.end),
                "{}: {s:?} in {} bytes",
                h.scanner,
                text.len()
            );
        }
    }
    for p in &v.pii {
        assert!(
            ok(p.start, p.end),
            "pii: {}..{} in {} bytes",
            p.start,
            p.end,
            text.len()
        );
    }
}
