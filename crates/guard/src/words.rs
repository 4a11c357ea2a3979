//! Real words of twelve languages, so that a word-level reading (a typo) never turns a real
//! word into a term word (the typo reading of "vagar" would be "pagar"), and so that a text's
//! real words tell whether it is English.
//!
//! `data/words_en.txt` holds the 30,000 most frequent English words of four letters or more,
//! and `data/words.txt` those of Spanish, French, German, Portuguese, Italian, Russian,
//! Ukrainian, Dutch, Polish, Turkish and Indonesian (a word of both is in both), from wordfreq
//! 3.1.1 (data CC-BY-SA 4.0, Robyn Speer and contributors), written as the normalizer writes
//! them, sorted by bytes, one a line; `scripts/gen-wordlist.py` writes them. A word is looked
//! up by bisection over the text itself: nothing is built at start-up, and a lookup reads ~22
//! lines.

/// The other languages' words: sorted by bytes, one word a line, each ending in `\n`.
const OTHER: &str = include_str!("../data/words.txt");
/// The English words, listed the same way.
const ENGLISH: &str = include_str!("../data/words_en.txt");

/// Whether `w` (canonical: lowercase, no diacritics) is a real word of four letters or more
/// in one of the lists' languages.
pub(crate) fn is_real_word(w: &str) -> bool {
    listed(ENGLISH, w) || listed(OTHER, w)
}

/// Whether `w` (canonical) is an English word of the list.
pub(crate) fn is_english_word(w: &str) -> bool {
    listed(ENGLISH, w)
}

/// Whether `w` (canonical) is a word of the list's other languages.
pub(crate) fn is_other_word(w: &str) -> bool {
    listed(OTHER, w)
}

/// Whether `w` is a line of `list` (sorted by bytes, each line ending in `\n`).
fn listed(list: &str, w: &str) -> bool {
    let b = list.as_bytes();
    let (mut lo, mut hi) = (0usize, b.len());
    // Invariant: every line starting before `lo` is < w; every line starting at `hi` or
    // after is > w. Each step looks at the line around the middle byte.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = b[..mid]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        let start = start.max(lo);
        let end = start + memchr::memchr(b'\n', &b[start..]).unwrap_or(b.len() - start);
        match b[start..end].cmp(w.as_bytes()) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Normalized;

    #[test]
    fn word_lists_are_canonical_and_sorted() {
        for list in [OTHER, ENGLISH] {
            let mut last = "";
            for w in list.lines() {
                assert!(w > last, "{w:?} after {last:?}: not sorted or repeated");
                assert_eq!(Normalized::new(w).as_str(), w, "not canonical");
                assert!(
                    w.chars().count() >= 4 && w.chars().all(char::is_alphabetic),
                    "{w:?}"
                );
                last = w;
            }
            assert!(list.ends_with('\n'));
        }
    }

    #[test]
    fn every_listed_word_is_found_and_others_are_not() {
        for list in [OTHER, ENGLISH] {
            let words: std::collections::HashSet<&str> = list.lines().collect();
            for w in list.lines() {
                assert!(listed(list, w), "{w:?} not found");
                // One letter more or less: found only when that is listed too.
                let mut chars = w.chars();
                chars.next_back();
                for other in [format!("{w}q"), chars.as_str().to_string(), format!("a{w}")] {
                    assert_eq!(
                        listed(list, &other),
                        words.contains(other.as_str()),
                        "{other:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn real_words_of_each_language() {
        for w in [
            "vole",
            "voor",
            "cuchillo",
            "fenetre",
            "kuchen",
            "pagar",
            "кошка",
            "книга",
            "quando",
            "dziekuje",
            "merhaba",
            "terima",
        ] {
            assert!(is_real_word(w), "{w}");
        }
        for w in [
            "bomab",
            "envenanar",
            "vergfiten",
            "отравтиь",
            "",
            "a",
            "zzzzzz",
        ] {
            assert!(!is_real_word(w), "{w}");
        }
        assert!(is_english_word("jewelry") && !is_other_word("jewelry"));
        assert!(
            is_english_word("come") && is_other_word("come"),
            "English and Italian"
        );
        assert!(!is_english_word("faccio") && is_other_word("faccio"));
    }
}
