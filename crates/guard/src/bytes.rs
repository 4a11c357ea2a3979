//! Byte tables for the scanners' hot loops, built at compile time.

/// A 256-entry membership table of `members`.
pub(crate) const fn byte_set(members: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < members.len() {
        t[members[i] as usize] = true;
        i += 1;
    }
    t
}

/// The first byte of `c`'s UTF-8 encoding.
pub(crate) const fn utf8_lead(c: char) -> u8 {
    let cp = c as u32;
    (match cp {
        0..=0x7F => cp,
        0x80..=0x7FF => 0xC0 | (cp >> 6),
        0x800..=0xFFFF => 0xE0 | (cp >> 12),
        _ => 0xF0 | (cp >> 18),
    }) as u8
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_lead_byte_is_the_encodings_first() {
        for c in ['a', '\n', 'é', '؟', '।', '…', '。', '！', '😀'] {
            let mut buf = [0u8; 4];
            assert_eq!(
                super::utf8_lead(c),
                c.encode_utf8(&mut buf).as_bytes()[0],
                "{c:?}"
            );
        }
    }
}
