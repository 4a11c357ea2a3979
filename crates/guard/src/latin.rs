//! `whatlang`'s language detection for Latin-script text, computed the same way, faster.
//!
//! The language check asks `whatlang` about every sentence of the expected script whose stop
//! words do not settle its language, and that was most of its time on varied text (61% on
//! an English megabyte). For a Latin-script text `whatlang` scores each language of the
//! allowlist by its alphabet and by its trigrams, then mixes the two. The trigram score is
//! the costly part: for each language it looks each of the profile's 300 trigrams up in a
//! hash map of the text's trigrams, 3,600 lookups a sentence for the 12 languages. Here the
//! text's trigrams (a sentence has a hundred or so) are looked up once each in one map of
//! all the profiles, which answers for the 12 languages at once; the distances, scores,
//! sorts and confidence are `whatlang`'s, step by step, so the answer is the same (the tests
//! compare the two on every data set's sentences and on arbitrary text).
//!
//! Only text that `whatlang` reads as Latin script (its main script, by `whatlang`'s own
//! count where another script is present) takes this path; any other goes to `whatlang`.

use std::collections::HashMap;
use std::sync::OnceLock;

use whatlang::Lang;

use crate::latin_profiles::{ALPHABETS, PROFILES};

const LANGS: usize = PROFILES.len();
/// The bit set of all of them.
const ALL: u16 = (1 << LANGS) - 1;
/// `whatlang`'s `MAX_TRIGRAM_DISTANCE`: the distance of a profile trigram the text lacks.
const MAX_TRIGRAM_DISTANCE: u32 = 300;
/// `whatlang`'s `MAX_TOTAL_DISTANCE`.
const MAX_TOTAL_DISTANCE: u32 = MAX_TRIGRAM_DISTANCE * MAX_TRIGRAM_DISTANCE;
/// `whatlang`'s `TEXT_TRIGRAMS_SIZE`: how many of the text's trigrams are ranked.
const TEXT_TRIGRAMS_SIZE: usize = 600;
/// `whatlang`'s `RELIABLE_CONFIDENCE_THRESHOLD`.
pub(crate) const RELIABLE_CONFIDENCE: f64 = 0.9;

/// The profiles inverted: trigram -> its rank in each language's profile (`u16::MAX` when
/// absent); and the alphabets: character -> bit set of the languages that use it.
struct Tables {
    ranks: HashMap<u64, [u16; LANGS], Mix>,
    ascii: [u16; 128],
    /// Non-ASCII alphabet characters, sorted, with their languages.
    other: Vec<(char, u16)>,
}

/// A multiplicative hash of the packed trigram: the keys are not chosen by an attacker (the
/// text's trigrams only look up a fixed table).
#[derive(Default, Clone, Copy)]
struct Mix;

impl std::hash::BuildHasher for Mix {
    type Hasher = MixHasher;
    fn build_hasher(&self) -> MixHasher {
        MixHasher(0)
    }
}

struct MixHasher(u64);

impl std::hash::Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        let x = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = x ^ (x >> 29);
    }
}

/// Three characters in one key, ordered as `whatlang`'s `Trigram(char, char, char)` is.
#[inline]
fn pack(a: char, b: char, c: char) -> u64 {
    (u64::from(a) << 42) | (u64::from(b) << 21) | u64::from(c)
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut ranks: HashMap<u64, [u16; LANGS], Mix> = HashMap::default();
        for (l, (_, profile)) in PROFILES.iter().enumerate() {
            let chars: Vec<char> = profile.chars().collect();
            for (rank, t) in chars.chunks(3).enumerate() {
                let entry = ranks
                    .entry(pack(t[0], t[1], t[2]))
                    .or_insert([u16::MAX; LANGS]);
                entry[l] = rank as u16;
            }
        }
        let mut ascii = [0u16; 128];
        let mut other: Vec<(char, u16)> = Vec::new();
        for (l, (_, alphabet)) in ALPHABETS.iter().enumerate() {
            for c in alphabet.chars() {
                if c.is_ascii() {
                    ascii[c as usize] |= 1 << l;
                } else if let Some(e) = other.iter_mut().find(|(o, _)| *o == c) {
                    e.1 |= 1 << l;
                } else {
                    other.push((c, 1 << l));
                }
            }
        }
        other.sort_unstable();
        Tables {
            ranks,
            ascii,
            other,
        }
    })
}

/// `whatlang::utils::is_stop_char`: a space, digit or ASCII punctuation.
#[inline]
fn is_stop_char(c: char) -> bool {
    matches!(c, '\u{0000}'..='\u{0040}' | '\u{005B}'..='\u{0060}' | '\u{007B}'..='\u{007E}')
}

/// `whatlang`'s `is_latin`.
#[inline]
fn is_latin(c: char) -> bool {
    matches!(c,
        'a'..='z'
        | 'A'..='Z'
        | '\u{0080}'..='\u{00FF}'
        | '\u{0100}'..='\u{017F}'
        | '\u{0180}'..='\u{024F}'
        | '\u{0250}'..='\u{02AF}'
        | '\u{1D00}'..='\u{1D7F}'
        | '\u{1D80}'..='\u{1DBF}'
        | '\u{1E00}'..='\u{1EFF}'
        | '\u{2100}'..='\u{214F}'
        | '\u{2C60}'..='\u{2C7F}'
        | '\u{A720}'..='\u{A7FF}'
        | '\u{AB30}'..='\u{AB6F}'
    )
}

/// Whether `whatlang` reads `text` as Latin script: the common case, a Latin letter and no
/// letter of another script (general punctuation, U+2000–U+206F, is in none of its
/// scripts), answered in one pass; else `whatlang`'s own script detection, which counts the
/// characters of each script.
fn latin_script(text: &str) -> bool {
    let mut latin = false;
    for c in text.chars() {
        if is_stop_char(c) {
            continue;
        }
        if is_latin(c) {
            latin = true;
        } else if !('\u{2000}'..='\u{206F}').contains(&c) {
            return whatlang::detect_script(text) == Some(whatlang::Script::Latin);
        }
    }
    latin
}

/// `whatlang`'s answer for `text` under the language check's allowlist (language and
/// confidence), when it reads the text as Latin script; `None` when it does not (ask
/// `whatlang`). A Latin-script text always has an answer: 12 languages are scored.
pub(crate) fn detect(text: &str) -> Option<(Lang, f64)> {
    if !latin_script(text) {
        return None;
    }
    let t = tables();
    // `whatlang` reads the lowercased text: for ASCII text, lowercased byte by byte here.
    let lower;
    let chars: &mut dyn Iterator<Item = char> = if text.is_ascii() {
        &mut text.bytes().map(|b| char::from(b.to_ascii_lowercase()))
    } else {
        lower = text.to_lowercase();
        &mut lower.chars()
    };
    SCRATCH.with_borrow_mut(|(keys, counted)| {
        let found = answer(t, chars, keys, counted);
        // A sentence with no end (a megabyte on one line) is not kept for the thread's life.
        let_go(keys);
        let_go(counted);
        Some(found)
    })
}

/// Empties `buf` down to [`SCRATCH_KEEP`] entries of capacity where it grew past them
/// (`shrink_to` alone keeps the length as the capacity).
fn let_go<T>(buf: &mut Vec<T>) {
    if buf.capacity() > SCRATCH_KEEP {
        buf.clear();
        buf.shrink_to(SCRATCH_KEEP);
    }
}

/// The most trigrams the buffers keep between calls (a long paragraph's worth).
const SCRATCH_KEEP: usize = 1 << 14;

/// The text's trigrams, and the same counted (count, trigram).
type Scratch = (Vec<u64>, Vec<(u32, u64)>);

thread_local! {
    /// Reused from call to call.
    static SCRATCH: std::cell::RefCell<Scratch> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

fn answer(
    t: &Tables,
    chars: &mut dyn Iterator<Item = char>,
    keys: &mut Vec<u64>,
    counted: &mut Vec<(u32, u64)>,
) -> (Lang, f64) {
    // One pass for both scores.
    // Alphabets (`alphabets::common::generic_alphabet_calculate_scores`): each non-stop
    // character counts 2 for the languages whose alphabet has it; a language's score is that
    // less the number of non-stop characters, at least 0, over that number.
    // Trigrams (`trigrams::utils::count`): stop characters read as spaces, a space before and
    // after; a trigram whose middle is a space next to another space is skipped.
    let mut in_alphabet = [0usize; LANGS];
    let mut in_all = 0usize;
    let mut max_raw_score = 0usize;
    keys.clear();
    let (mut c1, mut c2) = (' ', None::<char>);
    for c in chars.chain(Some(' ')) {
        let c3 = if is_stop_char(c) {
            ' '
        } else {
            max_raw_score += 1;
            let bits = if c.is_ascii() {
                t.ascii[c as usize]
            } else {
                t.other
                    .binary_search_by_key(&c, |(o, _)| *o)
                    .map_or(0, |i| t.other[i].1)
            };
            if bits == ALL {
                in_all += 1;
            } else if bits != 0 {
                for (l, n) in in_alphabet.iter_mut().enumerate() {
                    *n += usize::from(bits >> l & 1);
                }
            }
            c
        };
        if let Some(c2) = c2 {
            if !(c2 == ' ' && (c1 == ' ' || c3 == ' ')) {
                keys.push(pack(c1, c2, c3));
            }
            c1 = c2;
        }
        c2 = Some(c3);
    }
    let mut alphabet_raw: [(Lang, usize); LANGS] = std::array::from_fn(|l| {
        (
            ALPHABETS[l].0,
            (2 * (in_alphabet[l] + in_all)).saturating_sub(max_raw_score),
        )
    });
    alphabet_raw.sort_unstable_by_key(|(_, score)| std::cmp::Reverse(*score));
    let alphabet_scores: [(Lang, f64); LANGS] =
        alphabet_raw.map(|(lang, raw)| (lang, raw as f64 / max_raw_score as f64));

    // Ranked by count, then by trigram, both descending (`trigram_occurances_to_positions`).
    keys.sort_unstable();
    counted.clear();
    for &k in keys.iter() {
        match counted.last_mut() {
            Some((n, last)) if *last == k => *n += 1,
            _ => counted.push((1, k)),
        }
    }
    counted.sort_unstable_by(|a, b| b.cmp(a));
    counted.truncate(TEXT_TRIGRAMS_SIZE);
    let count = counted.len() as u32;

    // Distances (`trigrams::detection::calculate_distance`): over a profile's 300 trigrams,
    // |rank in the text - rank in the profile| for those the text has, 300 for the others;
    // less 300 for each of the 300 the text's count falls short of; clamped.
    let mut matched_sum = [0u32; LANGS];
    let mut matched = [0u32; LANGS];
    for (pos, (_, key)) in counted.iter().enumerate() {
        if let Some(r) = t.ranks.get(key) {
            for l in 0..LANGS {
                if r[l] != u16::MAX {
                    matched[l] += 1;
                    matched_sum[l] += (pos as i64 - i64::from(r[l])).unsigned_abs() as u32;
                }
            }
        }
    }
    let mut distances: [(Lang, u32); LANGS] = std::array::from_fn(|l| {
        let mut total = i64::from(MAX_TRIGRAM_DISTANCE * (300 - matched[l]) + matched_sum[l]);
        if MAX_TRIGRAM_DISTANCE > count {
            total -= i64::from((MAX_TRIGRAM_DISTANCE - count) * MAX_TRIGRAM_DISTANCE);
        }
        (
            PROFILES[l].0,
            total.clamp(0, i64::from(MAX_TOTAL_DISTANCE)) as u32,
        )
    });
    distances.sort_unstable_by_key(|(_, dist)| *dist);
    let max_dist = count * MAX_TRIGRAM_DISTANCE;
    let trigram_scores: [(Lang, f64); LANGS] =
        distances.map(|(lang, dist)| (lang, f64::from(max_dist - dist) / f64::from(max_dist)));

    // Combined (`combined::raw_detect` and `detect`): the alphabet weighs 2/3 for an empty
    // text down to 1/3 at 100 characters.
    let alphabet_weight = (-(max_raw_score as f64 / 300.0) + 2.0 / 3.0).clamp(1.0 / 3.0, 2.0 / 3.0);
    let trigram_weight = 1.0 - alphabet_weight;
    let mut scores: [(Lang, f64); LANGS] = alphabet_scores.map(|(lang, a)| {
        let tr = trigram_scores
            .iter()
            .find(|(l, _)| *l == lang)
            .map_or(0.0, |x| x.1);
        (lang, a * alphabet_weight + tr * trigram_weight)
    });
    scores.sort_unstable_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Less));
    let [(lang, score1), (_, score2), ..] = scores;
    (lang, confidence(score1, score2, count as usize))
}

/// `whatlang::core::calculate_confidence`.
fn confidence(highest: f64, second: f64, count: usize) -> f64 {
    if highest == 0.0 {
        return 0.0;
    }
    if second == 0.0 {
        return highest;
    }
    let confident_rate = (3.0 / count as f64) + 0.015;
    let rate = (highest - second) / second;
    if rate > confident_rate {
        1.0
    } else {
        rate / confident_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(text: &str) -> Option<(Lang, f64)> {
        crate::language::whatlang_detector()
            .detect(text)
            .map(|i| (i.lang(), i.confidence()))
    }

    fn same(text: &str) {
        if let Some((lang, confidence)) = detect(text) {
            let slow = reference(text);
            assert_eq!(
                Some((lang, confidence.to_bits())),
                slow.map(|(l, c)| (l, c.to_bits())),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_allowlist_and_its_order_are_whatlangs() {
        let allowed: Vec<Lang> = whatlang::Script::Latin
            .langs()
            .iter()
            .copied()
            .filter(|l| crate::language::ALLOWLIST.contains(l))
            .collect();
        let profiles: Vec<Lang> = PROFILES.iter().map(|(l, _)| *l).collect();
        let alphabets: Vec<Lang> = ALPHABETS.iter().map(|(l, _)| *l).collect();
        assert_eq!(profiles, allowed);
        assert_eq!(alphabets, allowed);
        for (lang, p) in PROFILES {
            assert_eq!(p.chars().count(), 900, "{lang:?}");
        }
    }

    #[test]
    fn answers_as_whatlang_does() {
        for text in [
            "The quick brown fox jumps over the lazy dog.",
            "How do I kill a Python process?",
            "El comité revisó las cifras del trimestre",
            "Die Ordnung muss für immer in diesem Codebase bleiben",
            "Ceci n’est pas une pipe — « vraiment »",
            "İstanbul'da hava çok güzel",
            "a",
            "A B C",
            "| Stage | Scanner | Action |",
            "Tiếng Việt có dấu",
            "x",
        ] {
            assert!(detect(text).is_some(), "{text:?} takes the fast path");
            same(text);
        }
        // Latin script by `whatlang`'s count.
        for text in [
            "hello 世界",
            "emoji 🙂 here",
            "Tiếng Việt có dấu",
            "Hello, Мир",
        ] {
            assert!(detect(text).is_some(), "{text:?}");
            same(text);
        }
        // Not Latin script: `whatlang` itself answers.
        for text in ["Привет мир", "hello 世界世界世界", "", "1234 ..."] {
            assert!(detect(text).is_none(), "{text:?}");
        }
    }

    /// Every string in the read data sets (not the held-out ones) and the README.
    fn data_texts() -> Vec<String> {
        fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::String(s) => out.push(s.clone()),
                serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
                serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
                _ => {}
            }
        }
        let mut out = vec![include_str!("../README.md").to_string()];
        for set in [
            include_str!("../data/dev.jsonl"),
            include_str!("../data/lang.jsonl"),
            include_str!("../data/lang_probe_q.jsonl"),
            include_str!("../data/injection.jsonl"),
            include_str!("../data/pii.jsonl"),
            include_str!("../data/answer_probe.jsonl"),
            include_str!("../data/long_answers.jsonl"),
            include_str!("../data/ngram_train.jsonl"),
            include_str!("../data/ngram_train_wide.jsonl"),
            include_str!("../data/ngram_long.jsonl"),
        ] {
            for line in set.lines().filter(|l| !l.trim().is_empty()) {
                strings(&serde_json::from_str(line).unwrap(), &mut out);
            }
        }
        out
    }

    #[test]
    fn a_long_text_leaves_no_large_buffers_behind() {
        let long = "the quick brown fox jumps over the lazy dog ".repeat(20_000);
        same(&long);
        SCRATCH.with_borrow(|(keys, counted)| {
            assert!(keys.capacity() <= SCRATCH_KEEP, "{}", keys.capacity());
            assert!(counted.capacity() <= SCRATCH_KEEP, "{}", counted.capacity());
        });
    }

    #[test]
    fn answers_as_whatlang_does_on_the_data_sets() {
        let (mut fast, mut all) = (0, 0);
        for text in data_texts() {
            for sentence in text.split(['.', '!', '?', '\n']) {
                fast += usize::from(detect(sentence).is_some());
                all += 1;
                same(sentence);
            }
            fast += usize::from(detect(&text).is_some());
            all += 1;
            same(&text);
        }
        // Most of it is Latin script, and takes the fast path.
        assert!(fast > 20_000 && fast * 2 > all, "{fast} of {all}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn answers_as_whatlang_does_on_arbitrary_latin_text(
            text in "[a-zA-Z \\.,'0-9àáâãçèéêëíïñóôõöúüßåøæœ¡¿ğışİĳ—’“”…Ωé\\-]{0,300}"
        ) {
            same(&text);
        }

        #[test]
        fn answers_as_whatlang_does_on_any_text(text in "\\PC{0,120}") {
            same(&text);
        }
    }
}
