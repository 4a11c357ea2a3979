//! Text normalization with an offset map back to the original.
//!
//! Rules and injection heuristics match against a *canonical* form of the text so that one
//! pattern covers the usual obfuscations: compatibility forms (`ｂｏｍｂ`), invisible
//! characters (`bo\u{200B}mb`), diacritics (`bómb`), mixed-script homoglyphs (Cyrillic `о` in
//! `bоmb`), leetspeak (`b0mb`) and spaced letters (`b o m b`, `b.o.m.b`). Every byte of the
//! canonical text remembers which original `char` produced it, so a match maps back to a span
//! of the original text, always on `char` boundaries.
//!
//! Rule terms go through the same [`Normalized::new`], so a term and the text it should match
//! are always folded the same way.

use crate::types::Span;
use unicode_normalization::UnicodeNormalization;

/// The canonical form of a text plus the map back to the original.
#[derive(Debug, Clone)]
pub struct Normalized<'a> {
    original: &'a str,
    text: String,
    /// For each byte of `text`: start of the original char that produced it. The end is that
    /// char's end, so it is not stored (4 bytes per byte, not 8).
    starts: Vec<u32>,
    invisible: Vec<Span>,
    stats: Obfuscation,
}

/// Counters of the obfuscations folded away; a signal on its own (an ordinary prompt has none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Obfuscation {
    /// Invisible characters stripped.
    pub invisible: u32,
    /// Homoglyphs folded to Latin inside Latin words.
    pub confusables: u32,
    /// Leetspeak digits and symbols folded to letters.
    pub leet: u32,
    /// Runs of spaced-out letters joined.
    pub spaced: u32,
}

impl Obfuscation {
    /// True when anything was folded.
    pub fn any(&self) -> bool {
        self.invisible + self.confusables + self.leet + self.spaced > 0
    }
}

#[derive(Clone, Copy)]
struct NChar {
    c: char,
    s: u32,
    e: u32,
}

/// Characters that render as nothing and are used to split words invisibly.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

fn is_latin_diacritic(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

fn leet(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '@' => 'a',
        '$' => 's',
        _ => return None,
    })
}

/// Folds a non-ASCII letter that looks like a Latin one (Cyrillic `а`, Greek `ο`, …) using the
/// Unicode confusables table (UTS #39 skeleton), with a small table for the prototypes that the
/// skeleton maps to more than one letter.
fn confusable(c: char) -> Option<char> {
    if c.is_ascii() {
        return None;
    }
    let mut buf = [0u8; 4];
    let mut it = unicode_security::skeleton(c.encode_utf8(&mut buf));
    if let (Some(f), None) = (it.next(), it.next()) {
        if f.is_ascii_alphanumeric() {
            return Some(f.to_ascii_lowercase());
        }
    }
    Some(match c {
        'м' => 'm',
        'т' => 't',
        'в' => 'b',
        'н' => 'h',
        'к' => 'k',
        'и' => 'u',
        'ш' => 'w',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'τ' => 't',
        'ρ' => 'p',
        'ω' => 'w',
        _ => return None,
    })
}

#[inline]
fn is_token_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '@' || c == '$';
    }
    // The common letter blocks (CJK ideographs, Hangul syllables, basic Cyrillic, kana)
    // without the Unicode table lookup, which is most of the cost on such text.
    matches!(c as u32, 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 | 0x410..=0x44F | 0x3041..=0x3096 | 0x30A1..=0x30FA)
        || c.is_alphanumeric()
}

fn is_spacing_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '.' | '-' | '_' | '*' | '·' | '•' | '/' | '|' | '+' | '~'
    )
}

impl<'a> Normalized<'a> {
    /// Normalizes `original`. Texts over 4 GiB are normalized up to 4 GiB.
    pub fn new(original: &'a str) -> Normalized<'a> {
        let limit = floor_char_boundary(original, u32::MAX as usize - 1);
        let src = &original[..limit];
        let mut invisible: Vec<Span> = Vec::new();
        let mut stats = Obfuscation::default();
        let chars = stage_one(src, &mut invisible, &mut stats);
        let mut out = Normalized {
            original,
            text: String::with_capacity(src.len()),
            starts: Vec::with_capacity(src.len()),
            invisible,
            stats,
        };
        out.stage_two(&chars);
        out
    }

    #[inline(always)]
    fn push(&mut self, c: char, s: u32, _e: u32) {
        if c.is_ascii() {
            // One byte, one map entry.
            self.text.push(c);
            self.starts.push(s);
            return;
        }
        self.push_wide(c, s);
    }

    fn push_wide(&mut self, c: char, s: u32) {
        let n = c.len_utf8();
        self.text.push(c);
        self.starts.extend(std::iter::repeat_n(s, n));
    }

    /// End of the original char starting at `s`.
    fn char_end(&self, s: usize) -> usize {
        self.original[s..]
            .chars()
            .next()
            .map_or(s, |c| s + c.len_utf8())
    }

    /// Token-level folding: homoglyphs and leetspeak inside Latin words, spaced-out letters.
    fn stage_two(&mut self, chars: &[NChar]) {
        let mut i = 0;
        while i < chars.len() {
            let ch = chars[i];
            if !is_token_char(ch.c) {
                self.push(ch.c, ch.s, ch.e);
                i += 1;
                continue;
            }
            // A single-character token followed by separator + single character, at least
            // three times with the same separator: "b o m b", "b.o.m.b", "b-o-m-b".
            let single = |k: usize| {
                k < chars.len()
                    && is_token_char(chars[k].c)
                    && (k + 1 >= chars.len() || !is_token_char(chars[k + 1].c))
            };
            let at_token_start = i == 0 || !is_token_char(chars[i - 1].c);
            if at_token_start && single(i) && i + 2 < chars.len() {
                let sep = chars[i + 1].c;
                if is_spacing_separator(sep) {
                    let mut j = i;
                    let mut count = 1;
                    while j + 2 < chars.len() && chars[j + 1].c == sep && single(j + 2) {
                        j += 2;
                        count += 1;
                    }
                    if count >= 3 {
                        let mut first = i;
                        let mut last = j;
                        // "How can I s e x t o r t a girl": the pronoun before and the article
                        // after a spelled-out word are not part of it.
                        if count >= 5
                            && chars[first].c == 'i'
                            && self.original_is(chars[first], "I")
                        {
                            self.push(chars[first].c, chars[first].s, chars[first].e);
                            self.push(' ', chars[first + 1].s, chars[first + 1].e);
                            first += 2;
                        }
                        let article_after = chars[last].c == 'a'
                            && sep == ' '
                            && last + 3 < chars.len()
                            && chars[last + 1].c == ' '
                            && is_token_char(chars[last + 2].c)
                            && is_token_char(chars[last + 3].c);
                        if count >= 5 && article_after {
                            last -= 2;
                        }
                        let letters: Vec<NChar> =
                            (first..=last).step_by(2).map(|k| chars[k]).collect();
                        self.stats.spaced += 1;
                        self.emit_token(&letters);
                        if last != j {
                            self.push(' ', chars[last + 1].s, chars[last + 1].e);
                            self.push(chars[j].c, chars[j].s, chars[j].e);
                        }
                        i = j + 1;
                        continue;
                    }
                }
            }
            let mut j = i;
            while j < chars.len() && is_token_char(chars[j].c) {
                j += 1;
            }
            self.emit_token(&chars[i..j]);
            i = j;
        }
    }

    fn emit_token(&mut self, tok: &[NChar]) {
        let mut ascii_letters = 0usize;
        let mut leets = 0usize;
        let mut foreign = 0usize;
        // A digit without a letter reading ("sha256": the 2, 6).
        let mut plain_digit = false;
        for ch in tok {
            let is_leet = leet(ch.c).is_some();
            if ch.c.is_ascii_alphabetic() {
                ascii_letters += 1;
            } else if ch.c.is_ascii_digit() {
                plain_digit |= !is_leet;
            } else if !ch.c.is_ascii() {
                foreign += 1;
            }
            leets += usize::from(is_leet);
        }
        let fold_conf = ascii_letters > 0 && foreign > 0;
        if leets == 0 && !fold_conf {
            // Most words: nothing to fold.
            for ch in tok {
                self.push(ch.c, ch.s, ch.e);
            }
            return;
        }
        // Fold digits only when every digit in the word has a letter reading: "m3th", "570p"
        // and "1n5ul1n" fold, "sha256", "h264" and "mp4" keep their digits.
        let fold_leet = ascii_letters + foreign > 0 && leets > 0 && !plain_digit;
        for ch in tok {
            let mut c = ch.c;
            if fold_leet {
                if let Some(l) = leet(c) {
                    self.stats.leet += 1;
                    c = l;
                }
            }
            if fold_conf {
                if let Some(l) = confusable(c) {
                    self.stats.confusables += 1;
                    c = l;
                }
            }
            self.push(c, ch.s, ch.e);
        }
    }

    fn original_is(&self, ch: NChar, s: &str) -> bool {
        self.original.get(ch.s as usize..ch.e as usize) == Some(s)
    }

    /// The original text.
    pub fn original(&self) -> &'a str {
        self.original
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Invisible characters that were stripped, as spans of the original (adjacent ones merged).
    pub fn invisible(&self) -> &[Span] {
        &self.invisible
    }

    /// What was folded away.
    pub fn obfuscation(&self) -> Obfuscation {
        self.stats
    }

    /// Maps a byte range of the canonical text to a span of the original. Out-of-range input
    /// is clamped; the result is always on `char` boundaries of the original.
    pub fn to_original(&self, start: usize, end: usize) -> Span {
        let n = self.text.len();
        if n == 0 || start >= n {
            let at = self.starts.last().map_or(0, |&s| self.char_end(s as usize));
            return Span::new(at, at);
        }
        let s = self.starts[start] as usize;
        let end = end.min(n);
        if end <= start {
            return Span::new(s, s);
        }
        let e = self.char_end(self.starts[end - 1] as usize);
        Span::new(s, e.max(s))
    }
}

/// Per-character folding: invisible characters, NFKC, diacritics, case, whitespace.
fn stage_one(src: &str, invisible: &mut Vec<Span>, stats: &mut Obfuscation) -> Vec<NChar> {
    let mut out: Vec<NChar> = Vec::with_capacity(src.len());
    let mut last_ws = true; // trims leading whitespace
    for (s, c) in src.char_indices() {
        let e = (s + c.len_utf8()) as u32;
        let s = s as u32;
        if c.is_ascii() {
            if c.is_ascii_whitespace() {
                push_ws(&mut out, &mut last_ws, c == '\n', s, e);
            } else {
                out.push(NChar {
                    c: c.to_ascii_lowercase(),
                    s,
                    e,
                });
                last_ws = false;
            }
            continue;
        }
        if let Some(l) = fold_fast(c) {
            out.push(NChar { c: l, s, e });
            last_ws = false;
            continue;
        }
        if is_invisible(c) {
            stats.invisible += 1;
            match invisible.last_mut() {
                Some(last) if last.end == s as usize => last.end = e as usize,
                _ => invisible.push(Span::new(s as usize, e as usize)),
            }
            continue;
        }
        if c.is_whitespace() {
            push_ws(
                &mut out,
                &mut last_ws,
                c == '\u{2028}' || c == '\u{2029}',
                s,
                e,
            );
            continue;
        }
        for d in std::iter::once(c)
            .nfkd()
            .filter(|d| !is_latin_diacritic(*d))
            .nfc()
        {
            if d.is_whitespace() {
                push_ws(&mut out, &mut last_ws, false, s, e);
                continue;
            }
            for l in d.to_lowercase() {
                out.push(NChar { c: l, s, e });
            }
            last_ws = false;
        }
    }
    out
}

/// The fold of the most frequent non-Latin letters, without the per-char NFKD/NFC round trip:
/// CJK unified ideographs and Hangul syllables are their own NFKC form and have no case;
/// basic Cyrillic letters only lowercase (`й`/`Й` excluded: NFKD splits off a breve that the
/// diacritic filter drops). `tests::fast_fold_matches_the_full_fold` checks every one.
#[inline]
fn fold_fast(c: char) -> Option<char> {
    let cp = c as u32;
    match cp {
        0x4E00..=0x9FFF | 0xAC00..=0xD7A3 => Some(c),
        0x430..=0x44F if cp != 0x439 => Some(c),
        0x410..=0x42F if cp != 0x419 => char::from_u32(cp + 0x20),
        _ => None,
    }
}

fn push_ws(out: &mut Vec<NChar>, last_ws: &mut bool, newline: bool, s: u32, e: u32) {
    if *last_ws {
        if newline {
            if let Some(last) = out.last_mut() {
                if last.c == ' ' {
                    last.c = '\n';
                }
            }
        }
        return;
    }
    out.push(NChar {
        c: if newline { '\n' } else { ' ' },
        s,
        e,
    });
    *last_ws = true;
}

/// The largest char boundary `<= i` (stable replacement for `str::floor_char_boundary`).
pub(crate) fn floor_char_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary `>= i`.
pub(crate) fn ceil_char_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Folds the non-ASCII literals of a regex the way [`Normalized::new`] folds text (NFKC,
/// diacritics, case), leaving ASCII — and so every regex metacharacter — untouched. Write the
/// ASCII parts of rule regexes in lowercase.
///
/// `\b` becomes the ASCII word boundary `(?-u:\b)`: the Unicode one makes the regex engine
/// give up its DFA on the first non-ASCII byte (hundreds of times slower on mixed text), and
/// the patterns only use `\b` next to ASCII words.
pub fn fold_pattern(p: &str) -> String {
    let p = p.replace("\\b", "(?-u:\\b)");
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        for d in std::iter::once(c)
            .nfkd()
            .filter(|d| !is_latin_diacritic(*d))
            .nfc()
        {
            out.extend(d.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Normalized::new(s).as_str().to_string()
    }

    #[test]
    fn folds_each_obfuscation_to_the_plain_word() {
        let cases = [
            ("fullwidth", "ｂｏｍｂ", "bomb"),
            ("zero_width", "bo\u{200B}mb", "bomb"),
            ("diacritics", "bómb", "bomb"),
            ("combining_mark", "bo\u{0301}mb", "bomb"),
            ("cyrillic_o", "b\u{043E}mb", "bomb"),
            ("greek_omicron", "b\u{03BF}mb", "bomb"),
            ("leetspeak", "b0mb", "bomb"),
            ("leet_symbols", "$@rin", "sarin"),
            ("spaced", "b o m b", "bomb"),
            ("dotted", "b.o.m.b", "bomb"),
            ("dashed", "m-e-t-h", "meth"),
            (
                "spaced_in_sentence",
                "can I s e x t o r t a girl",
                "can i sextort a girl",
            ),
            ("leet_heavy", "3451es7 570p", "easiest stop"),
            (
                "digits_without_letter_reading",
                "sha256 h264",
                "sha256 h264",
            ),
            ("uppercase", "BOMB", "bomb"),
            ("whitespace_runs", "a  \t b", "a b"),
        ];
        for (name, input, want) in cases {
            assert_eq!(norm(input), want, "case {name}");
        }
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        let cases = [
            (
                "numbers",
                "in 2024 we had 15 cats",
                "in 2024 we had 15 cats",
            ),
            ("russian", "Привет мир", "привет мир"),
            ("chinese", "如何制作", "如何制作"),
            ("two_letter_abbrev", "e.g. this", "e.g. this"),
        ];
        for (name, input, want) in cases {
            assert_eq!(norm(input), want, "case {name}");
        }
    }

    #[test]
    fn spans_map_back_to_the_original_word() {
        let text = "how to make a ｂ\u{200B}０ｍｂ today";
        let n = Normalized::new(text);
        let at = n.as_str().find("bomb").unwrap();
        let span = n.to_original(at, at + 4);
        assert_eq!(&text[span.start..span.end], "ｂ\u{200B}０ｍｂ");
        assert_eq!(n.invisible().len(), 1);
        assert!(n.obfuscation().any());
    }

    #[test]
    fn fast_fold_matches_the_full_fold() {
        let ranges = [0x4E00u32..=0x9FFF, 0xAC00..=0xD7A3, 0x410..=0x44F];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            let Some(fast) = fold_fast(c) else { continue };
            let full: String = std::iter::once(c)
                .nfkd()
                .filter(|d| !is_latin_diacritic(*d))
                .nfc()
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(full, fast.to_string(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn empty_text_maps_to_an_empty_span() {
        let n = Normalized::new("");
        assert_eq!(n.to_original(0, 10), Span::new(0, 0));
    }
}
