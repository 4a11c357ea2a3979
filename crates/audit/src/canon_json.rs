//! The chain's canonical JSON for a generation, written by hand, byte for byte what
//! `serde_json` writes for the derived `Serialize` of `chain::CanonGeneration` (a test holds
//! the two together on random rows).
//!
//! Why: verify hashes every generation of the log again, and `serde_json` escapes a string
//! one byte at a time; on a 1M-generation verify that loop was 13% of all CPU, as much as
//! SHA-256 itself. Prompts, reasoning and answers are long runs of bytes that need no
//! escape, so [`str`] checks 16 bytes at a time (a check the compiler vectorizes) and copies
//! clean runs whole.

/// What `serde_json` writes after a backslash for a byte, or 0 for a byte written as is:
/// the short escapes, `u` (`\u00XX`) for the other control characters, and `"` and `\`.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b'u';
        b += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

static HEX_DIGITS: [u8; 16] = *b"0123456789abcdef";

#[inline(always)]
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// `s` as a JSON string, escaped as `serde_json` escapes it.
pub(crate) fn str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `bytes[start..i]` is the clean run not yet copied.
    let mut start = 0;
    let escape_at = |out: &mut Vec<u8>, start: &mut usize, i: usize| {
        let b = bytes[i];
        let e = ESCAPE[b as usize];
        if e == 0 {
            return;
        }
        out.extend_from_slice(&bytes[*start..i]);
        if e == b'u' {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX_DIGITS[(b >> 4) as usize],
                HEX_DIGITS[(b & 0xf) as usize],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', e]);
        }
        *start = i + 1;
    };
    let mut i = 0;
    while i + 16 <= bytes.len() {
        let chunk = &bytes[i..i + 16];
        if chunk.iter().fold(false, |any, &b| any | needs_escape(b)) {
            for j in i..i + 16 {
                escape_at(out, &mut start, j);
            }
        }
        i += 16;
    }
    for j in i..bytes.len() {
        escape_at(out, &mut start, j);
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

pub(crate) fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

pub(crate) fn int(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

pub(crate) fn opt_int(out: &mut Vec<u8>, v: Option<i64>) {
    match v {
        Some(v) => int(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// A float as `serde_json` writes it (its float formatter, `null` when not finite): a few
/// per row, so through `serde_json` itself.
pub(crate) fn float(out: &mut Vec<u8>, v: f64) {
    // Writing a float into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &v);
}

pub(crate) fn opt_float(out: &mut Vec<u8>, v: Option<f64>) {
    match v {
        Some(v) => float(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// A JSON object being written: `{`, then `"name":` before each field's value, then `}`.
pub(crate) struct Obj<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Obj { out, empty: true }
    }

    /// Writes the separator and `"name":` (`name` needs no escape: a struct's field name)
    /// and returns the buffer for the value.
    pub(crate) fn field(&mut self, name: &str) -> &mut Vec<u8> {
        if !std::mem::take(&mut self.empty) {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    pub(crate) fn end(self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A seeded pseudo-random sequence for the audit crate's tests (31 bits a call).
    pub(crate) fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *seed >> 33
    }

    #[test]
    fn strings_escape_as_serde_json_escapes_them() {
        let alphabet: Vec<char> = (0u8..0x80)
            .map(char::from)
            .chain(['é', 'ß', '中', '😀', '\u{7f}', '\u{2028}', '\u{feff}'])
            .collect();
        let mut seed = 7;
        let mut ours = Vec::new();
        for len in (0..80).chain([255, 256, 257, 1000]) {
            for _ in 0..40 {
                // Mostly plain text, with a character from anywhere now and then.
                let s: String = (0..len)
                    .map(|_| {
                        let r = lcg(&mut seed);
                        if r.is_multiple_of(9) {
                            alphabet[(r / 9) as usize % alphabet.len()]
                        } else {
                            char::from(b'a' + (r % 26) as u8)
                        }
                    })
                    .collect();
                ours.clear();
                str(&mut ours, &s);
                assert_eq!(ours, serde_json::to_vec(&s).unwrap(), "{s:?}");
            }
        }
        for s in ["", "\"", "\\", "\n\r\t\u{8}\u{c}\u{0}\u{1f}", "a\"b\\c"] {
            ours.clear();
            str(&mut ours, s);
            assert_eq!(ours, serde_json::to_vec(s).unwrap());
        }
    }

    #[test]
    fn numbers_and_nulls_match_serde_json() {
        let mut ours = Vec::new();
        for v in [0, -1, 42, i64::MIN, i64::MAX] {
            ours.clear();
            opt_int(&mut ours, Some(v));
            assert_eq!(ours, serde_json::to_vec(&Some(v)).unwrap());
        }
        for v in [0.0, -0.0, 1.5, 1e-300, 12345.678, f64::NAN, f64::INFINITY] {
            ours.clear();
            opt_float(&mut ours, Some(v));
            assert_eq!(ours, serde_json::to_vec(&Some(v)).unwrap());
        }
        ours.clear();
        opt_str(&mut ours, None);
        opt_int(&mut ours, None);
        opt_float(&mut ours, None);
        assert_eq!(ours, b"nullnullnull");
    }
}
