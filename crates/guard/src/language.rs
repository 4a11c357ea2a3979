//! Language drift: how much of a text's prose is not in the expected language.
//!
//! DeepSeek-R1 mixes languages, most often drifting from the prompt's language into Chinese or
//! English mid-answer. The check measures prose only: fenced and inline code, URLs, e-mail
//! addresses, numbers and identifiers (`snake_case`, `camelCase`, paths, `ALLCAPS`) are left out,
//! so code-heavy English stays English.
//!
//! For each sentence it counts letters by script. Letters in a script the expected language
//! does not use count as off-language, except short runs (a loanword: one or two words of a
//! spaced script, up to four CJK characters) inside otherwise expected text. A sentence in the
//! expected script counts as off-language when `whatlang` reliably says it is another language
//! (English drifting into Spanish). `mix_score` is the off-language share of all prose letters.
//!
//! The expected language is the context's, else the majority language of the text by letters.

use crate::types::{LanguageReport, Span};
use regex::Regex;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;
use whatlang::{Detector, Lang};

/// Tunables of the language check (from the policy).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageConfig {
    /// `mix_score` at or above which the text counts as mixed.
    pub mix_threshold: f32,
    /// Fewer off-language letters than this never count as mixed.
    pub min_off_letters: usize,
    /// Sentences in the expected script need at least this many letters before a different
    /// detected language counts.
    pub min_sentence_letters: usize,
}

impl Default for LanguageConfig {
    fn default() -> Self {
        LanguageConfig {
            mix_threshold: 0.2,
            min_off_letters: 12,
            min_sentence_letters: 30,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Arabic,
    Hebrew,
    Devanagari,
    Han,
    Kana,
    Hangul,
    Thai,
    Other,
}

fn script_of(c: char) -> Script {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
        0x370..=0x3FF | 0x1F00..=0x1FFF => Script::Greek,
        0x400..=0x52F => Script::Cyrillic,
        0x590..=0x5FF => Script::Hebrew,
        0x600..=0x6FF | 0x750..=0x77F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
        0x900..=0x97F => Script::Devanagari,
        0xE00..=0xE7F => Script::Thai,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Kana,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => Script::Han,
        _ => Script::Other,
    }
}

/// `char::is_alphabetic`, read from a bitmap of the Basic Multilingual Plane built from it
/// once (8 KiB): the Unicode table lookup was most of the cost of text in Cyrillic, Arabic,
/// Devanagari or accented Latin (17% of the language check on the n-gram training prompts).
#[inline]
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    let cp = c as u32;
    if cp < 0x1_0000 {
        bmp_letters()[(cp >> 6) as usize] >> (cp & 63) & 1 != 0
    } else {
        c.is_alphabetic()
    }
}

fn bmp_letters() -> &'static [u64; 1024] {
    static T: OnceLock<[u64; 1024]> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = [0u64; 1024];
        for cp in 0..0x1_0000u32 {
            if char::from_u32(cp).is_some_and(char::is_alphabetic) {
                t[(cp >> 6) as usize] |= 1 << (cp & 63);
            }
        }
        t
    })
}

fn unspaced(s: Script) -> bool {
    matches!(s, Script::Han | Script::Kana | Script::Thai)
}

/// The scripts a language is written in.
fn scripts_of_lang(code: &str) -> &'static [Script] {
    match code {
        "ru" | "uk" | "bg" | "sr" | "mk" | "be" | "kk" | "ky" | "mn" | "tg" => &[Script::Cyrillic],
        "el" => &[Script::Greek],
        "ar" | "fa" | "ur" | "ps" | "ug" => &[Script::Arabic],
        "he" | "yi" => &[Script::Hebrew],
        "hi" | "mr" | "ne" | "sa" => &[Script::Devanagari],
        "zh" => &[Script::Han],
        "ja" => &[Script::Han, Script::Kana],
        "ko" => &[Script::Hangul, Script::Han],
        "th" => &[Script::Thai],
        _ => &[Script::Latin],
    }
}

/// The default language of a script, for text too short to detect.
fn lang_of_script(s: Script) -> Option<&'static str> {
    Some(match s {
        Script::Cyrillic => "ru",
        Script::Greek => "el",
        Script::Arabic => "ar",
        Script::Hebrew => "he",
        Script::Devanagari => "hi",
        Script::Han => "zh",
        Script::Kana => "ja",
        Script::Hangul => "ko",
        Script::Thai => "th",
        Script::Latin | Script::Other => return None,
    })
}

/// ISO 639-1 for the languages whatlang knows, else its ISO 639-3 code.
pub fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Eng => "en",
        Lang::Spa => "es",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Nld => "nl",
        Lang::Rus => "ru",
        Lang::Ukr => "uk",
        Lang::Cmn => "zh",
        Lang::Jpn => "ja",
        Lang::Kor => "ko",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Tur => "tr",
        Lang::Pol => "pl",
        Lang::Vie => "vi",
        Lang::Ind => "id",
        Lang::Swe => "sv",
        Lang::Dan => "da",
        Lang::Nob => "no",
        Lang::Fin => "fi",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Heb => "he",
        Lang::Tha => "th",
        Lang::Pes => "fa",
        Lang::Urd => "ur",
        Lang::Ron => "ro",
        Lang::Hun => "hu",
        Lang::Bul => "bg",
        Lang::Srp => "sr",
        Lang::Hrv => "hr",
        Lang::Slk => "sk",
        Lang::Slv => "sl",
        Lang::Cat => "ca",
        Lang::Mar => "mr",
        Lang::Nep => "ne",
        other => other.code(),
    }
}

/// The languages an R1 distill realistically writes; a short list detects faster and
/// confuses less (Latin-script sentences otherwise come back as Latin or Esperanto).
pub(crate) const ALLOWLIST: [Lang; 23] = [
    Lang::Eng,
    Lang::Spa,
    Lang::Fra,
    Lang::Deu,
    Lang::Por,
    Lang::Ita,
    Lang::Nld,
    Lang::Rus,
    Lang::Ukr,
    Lang::Cmn,
    Lang::Jpn,
    Lang::Kor,
    Lang::Ara,
    Lang::Hin,
    Lang::Tur,
    Lang::Pol,
    Lang::Vie,
    Lang::Ind,
    Lang::Swe,
    Lang::Ell,
    Lang::Heb,
    Lang::Tha,
    Lang::Pes,
];

/// `whatlang`'s detector over [`ALLOWLIST`].
pub(crate) fn whatlang_detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(|| Detector::with_allowlist(ALLOWLIST.to_vec()))
}

/// `whatlang`'s language and confidence for `text` over [`ALLOWLIST`]: for Latin-script
/// text computed by [`crate::latin`] (the same answer, faster), else by `whatlang`.
fn detect_allowed(text: &str) -> Option<(Lang, f64)> {
    crate::latin::detect(text).or_else(|| {
        whatlang_detector()
            .detect(text)
            .map(|info| (info.lang(), info.confidence()))
    })
}

/// `whatlang`'s `Info::is_reliable`.
fn reliable(confidence: f64) -> bool {
    confidence > crate::latin::RELIABLE_CONFIDENCE
}

/// `whatlang`'s best guess at a text's language (ISO 639-1), among the languages the
/// check knows; `None` when it has no guess.
pub fn guess(text: &str) -> Option<&'static str> {
    detect_allowed(text).map(|(lang, _)| iso639_1(lang))
}

/// What the language check skips: code blocks and spans, URLs, e-mail addresses, think tags.
/// As one regex (the specification, kept for the test) the e-mail alternative, which starts
/// with a letter class, makes the search read every byte; so the other alternatives are one
/// regex (with literal prefixes to skip ahead to) and e-mail addresses are matched only
/// around `@`, merged as the one regex's leftmost-first search would have them.
#[cfg(test)]
const MASKS: &str = r"(?s)```.*?(?:```|\z)|~~~.*?(?:~~~|\z)|`[^`\n]{0,400}`|https?://\S+|www\.\S+|[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}|<think>|</think>";

fn masks_but_email() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"(?s)```.*?(?:```|\z)|~~~.*?(?:~~~|\z)|`[^`\n]{0,400}`|https?://\S+|www\.\S+|<think>|</think>")
            .expect("valid mask pattern")
    })
}

fn email_mask() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}").expect("valid mask pattern")
    })
}

/// The leftmost e-mail mask starting at or after `from`. The local part cannot hold `@`, so
/// a match belongs to the first `@` after its start, and lies between the start of the run
/// of local-part bytes before that `@` and the end of the run of domain bytes after it.
fn next_email(text: &str, from: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let local = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
    let domain = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-');
    let mut at_from = from;
    while let Some(off) = text.get(at_from..).and_then(|t| t.find('@')) {
        let q = at_from + off;
        let mut s = q;
        while s > from && local(b[s - 1]) {
            s -= 1;
        }
        if s < q {
            let mut e = q + 1;
            while e < b.len() && domain(b[e]) {
                e += 1;
            }
            if let Some(m) = email_mask().find_at(&text[..e], s) {
                return Some((m.start(), m.end()));
            }
        }
        at_from = q + 1;
    }
    None
}

/// The spans [`MASKS`] matches, in order, without overlaps (as its `find_iter` gives them).
fn mask_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    // The next match of each kind at or after `pos` (None inside: no more).
    let mut next_other: Option<Option<(usize, usize)>> = None;
    let mut next_mail: Option<Option<(usize, usize)>> = None;
    while pos <= text.len() {
        if next_other.is_none_or(|m| m.is_some_and(|(s, _)| s < pos)) {
            next_other = Some(
                masks_but_email()
                    .find_at(text, pos)
                    .map(|m| (m.start(), m.end())),
            );
        }
        if next_mail.is_none_or(|m| m.is_some_and(|(s, _)| s < pos)) {
            next_mail = Some(next_email(text, pos));
        }
        // On a tie the other alternatives win: they come first in [`MASKS`].
        let next = match (next_other.flatten(), next_mail.flatten()) {
            (Some(o), Some(m)) => {
                if m.0 < o.0 {
                    m
                } else {
                    o
                }
            }
            (Some(o), None) => o,
            (None, Some(m)) => m,
            (None, None) => break,
        };
        out.push(next);
        // No alternative matches the empty string.
        pos = next.1.max(next.0 + 1);
    }
    out
}

struct Sentence {
    span: Span,
    letters: usize,
    /// Letters by script, in expected-or-not terms after loanword filtering.
    off_script: usize,
    off_spans: Vec<Span>,
    in_script: usize,
    dominant: Script,
    /// Letters by script (prose tokens only).
    counts: [u32; 11],
    /// Stop word tokens, and of those the ones each of [`STOPWORD_LANGS`] uses.
    stop_words: u16,
    stop_by_lang: [u16; STOPWORD_LANGS.len()],
    /// Stop word tokens of two letters or more that only one of [`STOPWORD_LANGS`] uses
    /// ("the", "los", "und").
    stop_only: [u16; STOPWORD_LANGS.len()],
}

/// The prose tokens of a span: whitespace-separated, identifiers dropped, at least one letter.
/// Iterated in place rather than collected per sentence: most sentences never need them.
fn prose_tokens(text: &str, span: Span) -> impl Iterator<Item = &str> {
    text[span.start..span.end]
        .split_whitespace()
        .filter(|t| t.chars().any(is_letter) && !is_identifier(t))
}

/// The prose tokens joined by single spaces (what the detector sees).
fn clean_of(text: &str, span: Span, out: &mut String) {
    for tok in prose_tokens(text, span) {
        if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        out.push_str(tok);
    }
}

/// Checks `text` against `expected` (ISO 639-1). Returns the report and the spans of
/// off-language prose.
pub fn analyze(
    text: &str,
    expected: Option<&str>,
    cfg: &LanguageConfig,
) -> (LanguageReport, Vec<Span>) {
    let mut sentences = Vec::new();
    let mut at = 0;
    for (start, end) in mask_spans(text) {
        split_sentences(text, at, start, &mut sentences);
        at = end;
    }
    split_sentences(text, at, text.len(), &mut sentences);

    let detected = majority_language(text, &sentences);
    let expected_code: Option<String> = expected
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .or_else(|| detected.map(str::to_string));
    let report = |mix: f32, mixed: bool| LanguageReport {
        detected: detected.map(str::to_string),
        expected: expected_code.clone(),
        mixed,
        mix_score: mix,
    };
    let Some(exp) = expected_code.as_deref() else {
        return (report(0.0, false), Vec::new());
    };
    let exp_scripts = scripts_of_lang(exp);

    let mut total = 0usize;
    let mut off = 0usize;
    let mut spans = Vec::new();
    // Sentences of the expected language that switch word by word: one can be a title or a
    // quotation ("Mi libro favorito es The Lord of the Rings"), two or more are the answer
    // switching.
    let mut switched: Vec<(usize, Span)> = Vec::new();
    for s in sentences.iter_mut() {
        // Recount scripts relative to the expected language.
        let (in_script, off_script, off_spans) = script_split(text, s, exp_scripts);
        s.in_script = in_script;
        s.off_script = off_script;
        s.off_spans = off_spans;
        total += s.letters;
        let mut sentence_off = s.off_script;
        // A Han character carries a word or most of one: a Chinese sentence in a Japanese
        // answer ("樱花前线会从南向北慢慢推进") is short in letters.
        let min_letters = if s.dominant == Script::Han {
            cfg.min_sentence_letters.min(MIN_HAN_SENTENCE)
        } else {
            cfg.min_sentence_letters
        };
        // Only a sentence in the expected script can be another language of the same script;
        // a quick stop-word vote settles most of them without the trigram detector.
        let det = if exp_scripts.contains(&s.dominant)
            && s.in_script >= min_letters
            && !stopwords_agree(s, exp)
        {
            let mut clean = String::new();
            clean_of(text, s.span, &mut clean);
            detect(s, &clean)
        } else {
            None
        };
        if let Some((code, reliable)) = &det {
            let compatible = *code == exp || (exp == "ja" && *code == "zh" && !*reliable);
            if !compatible
                && *reliable
                && s.in_script >= min_letters
                && exp_scripts.contains(&s.dominant)
            {
                sentence_off = s.letters;
                s.off_spans = vec![s.span];
            }
        }
        if sentence_off == 0 && s.dominant == Script::Latin {
            if let Some(share) = switched_share(s, exp) {
                switched.push(((s.letters as f32 * share) as usize, s.span));
            }
        }
        if sentence_off > 0 {
            off += sentence_off;
            for sp in s.off_spans.drain(..) {
                if spans.len() < 32 {
                    spans.push(sp);
                }
            }
        }
    }
    if switched.len() >= 2 {
        for (letters, span) in switched {
            off += letters;
            if spans.len() < 32 {
                spans.push(span);
            }
        }
    }
    if total == 0 {
        return (report(0.0, false), Vec::new());
    }
    let mix = off as f32 / total as f32;
    let mixed = mix >= cfg.mix_threshold && off >= cfg.min_off_letters;
    (report(mix, mixed), if mixed { spans } else { Vec::new() })
}

/// The majority language: by script, then — for Latin and Han — by detecting a sample of
/// up to 4 KiB spread over the text (detecting every sentence of a megabyte is slow).
fn majority_language(text: &str, sentences: &[Sentence]) -> Option<&'static str> {
    let mut by_script = [0usize; 11];
    for s in sentences {
        by_script[s.dominant as usize] += s.letters;
    }
    let (best, n) = by_script.iter().enumerate().max_by_key(|(_, n)| **n)?;
    if *n == 0 {
        return None;
    }
    let script = sentences
        .iter()
        .find(|s| s.dominant as usize == best)?
        .dominant;
    if script != Script::Latin && script != Script::Han {
        return lang_of_script(script);
    }
    let of_script: Vec<&Sentence> = sentences.iter().filter(|s| s.dominant == script).collect();
    let total: usize = of_script.iter().map(|s| s.span.len()).sum();
    let step = (total / 4096).max(1);
    let mut sample = String::new();
    for s in of_script.iter().step_by(step) {
        clean_of(text, s.span, &mut sample);
        sample.push(' ');
        if sample.len() > 4096 {
            break;
        }
    }
    let probe = Sentence {
        span: Span::new(0, 0),
        letters: n.to_owned(),
        off_script: 0,
        off_spans: Vec::new(),
        in_script: 0,
        dominant: script,
        counts: [0; 11],
        stop_words: 0,
        stop_by_lang: [0; STOPWORD_LANGS.len()],
        stop_only: [0; STOPWORD_LANGS.len()],
    };
    match detect(&probe, &sample) {
        // Trigrams on a short Latin text are a guess ("How do I kill a Python process?" comes
        // out Portuguese); the function words, when they clearly name one language, know better.
        Some((code, false)) if script == Script::Latin => {
            stopword_vote(sample.split_whitespace()).or(Some(code))
        }
        other => other.map(|(c, _)| c),
    }
}

/// The language in [`STOPWORD_LANGS`] whose function words are the most frequent in `tokens`,
/// when exactly one is the most frequent.
fn stopword_vote<'t>(tokens: impl Iterator<Item = &'t str>) -> Option<&'static str> {
    let counts = stopword_counts(tokens);
    let best = *counts.iter().max()?;
    let mut winners = counts.iter().enumerate().filter(|(_, n)| **n == best);
    match (winners.next(), winners.next()) {
        (Some((i, _)), None) if best > 0 => Some(STOPWORD_LANGS[i]),
        _ => None,
    }
}

/// How many of `tokens` are stop words of each of [`STOPWORD_LANGS`].
fn stopword_counts<'t>(tokens: impl Iterator<Item = &'t str>) -> [usize; STOPWORD_LANGS.len()] {
    let mut counts = [0usize; STOPWORD_LANGS.len()];
    for_each_stopword(tokens, |bits| {
        for (i, n) in counts.iter_mut().enumerate() {
            *n += usize::from(bits & (1 << i) != 0);
        }
    });
    counts
}

/// Very frequent function words per Latin-script language.
fn stopwords(lang: &str) -> &'static [&'static str] {
    match lang {
        "en" => &[
            "the", "and", "of", "to", "is", "in", "that", "it", "for", "with", "we", "you", "this",
            "on", "are", "be", "as", "at", "by", "was", "not", "or", "but", "if", "then", "can",
            "will", "so", "let", "me", "i", "an", "have", "has", "from", "they", "which", "how",
            "what", "why", "does", "my", "your", "do", "who",
        ],
        "es" => &[
            "el", "la", "de", "que", "y", "en", "los", "las", "del", "se", "por", "un", "una",
            "para", "con", "es", "no", "su", "al", "lo", "como", "pero", "más", "este", "esta",
        ],
        "fr" => &[
            "le", "la", "les", "de", "des", "et", "est", "un", "une", "du", "en", "que", "qui",
            "pour", "pas", "dans", "sur", "ce", "il", "nous", "vous", "avec", "au", "aux", "ne",
        ],
        "de" => &[
            "der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "mit", "von",
            "sich", "des", "auf", "für", "im", "dem", "wir", "es", "auch", "wie", "dann", "sie",
            "ich",
        ],
        "pt" => &[
            "o", "a", "os", "as", "de", "que", "e", "do", "da", "em", "um", "uma", "para", "com",
            "não", "por", "se", "dos", "das", "mais", "como", "mas", "ao", "é", "no", "na",
        ],
        "it" => &[
            "il", "la", "di", "che", "e", "è", "un", "una", "per", "non", "con", "del", "della",
            "le", "gli", "si", "da", "in", "sono", "lo",
        ],
        "nl" => &[
            "de", "het", "een", "en", "van", "is", "dat", "niet", "op", "te", "zijn", "voor",
            "met", "die", "we", "ik", "je", "maar",
        ],
        _ => &[],
    }
}

const STOPWORD_LANGS: [&str; 7] = ["en", "es", "fr", "de", "pt", "it", "nl"];

/// FNV-1a: the stop word keys are at most 4 bytes, where SipHash's setup dominates.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type StopTable = std::collections::HashMap<&'static str, u8, std::hash::BuildHasherDefault<Fnv>>;

/// Stop word -> bit set of the languages in [`STOPWORD_LANGS`] that use it.
fn stopword_table() -> &'static StopTable {
    static T: OnceLock<StopTable> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = StopTable::default();
        for (i, lang) in STOPWORD_LANGS.iter().enumerate() {
            for w in stopwords(lang) {
                *t.entry(*w).or_insert(0u8) |= 1 << i;
            }
        }
        t
    })
}

/// Calls `f` with the bit set of the [`STOPWORD_LANGS`] using it, for each stop word token.
fn for_each_stopword<'t>(tokens: impl Iterator<Item = &'t str>, mut f: impl FnMut(u8)) {
    for w in tokens {
        if let Some(bits) = stopword_bits(w) {
            f(bits);
        }
    }
}

/// The bit set of the [`STOPWORD_LANGS`] using a token as a stop word (ASCII case ignored,
/// surrounding punctuation dropped).
#[inline]
fn stopword_bits(w: &str) -> Option<u8> {
    let b = w.as_bytes();
    // Most tokens are longer than any stop word and start and end in an ASCII letter or
    // digit, which trimming would keep.
    if b.len() > 4
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        return None;
    }
    // `char::is_alphanumeric`, with the common letter blocks answered first.
    let w = w.trim_matches(|c: char| !(is_letter(c) || c.is_numeric()));
    if w.is_empty() || w.len() > 4 {
        return None;
    }
    // ASCII-case-insensitive, as the lists are lowercase.
    let mut buf = [0u8; 4];
    buf[..w.len()].copy_from_slice(w.as_bytes());
    buf[..w.len()].make_ascii_lowercase();
    std::str::from_utf8(&buf[..w.len()])
        .ok()
        .and_then(|k| stopword_table().get(k).copied())
}

/// True when the sentence's stop words clearly vote for `lang` (so no detection is needed).
fn stopwords_agree(s: &Sentence, lang: &str) -> bool {
    let Some(own) = STOPWORD_LANGS.iter().position(|l| *l == lang) else {
        return false;
    };
    let mine = usize::from(s.stop_by_lang[own]);
    let other = usize::from(s.stop_words) - mine;
    // Words the Romance languages share ("la", "de", "que") vote for each of them: one the
    // expected language alone uses must be among them ("La luz azul de los móviles…" is not
    // French).
    mine >= 2 && mine >= 2 * other && s.stop_only[own] >= 1
}

/// The share of a sentence's stop words that belong to one other language alone, when it
/// switches languages word by word ("Das Design-Team hat aber schon die new mockups fertig,
/// and they look really gut"): at least two such words, two fifths of them (a third flagged
/// French whose "me" is also an English stop word, and missed Spanish with three English
/// words among eight).
fn switched_share(s: &Sentence, lang: &str) -> Option<f32> {
    let own = STOPWORD_LANGS.iter().position(|l| *l == lang)?;
    let mine = usize::from(s.stop_by_lang[own]);
    let foreign = (0..STOPWORD_LANGS.len())
        .filter(|i| *i != own)
        .map(|i| usize::from(s.stop_only[i]))
        .max()?;
    (foreign >= 2 && foreign * 10 >= (foreign + mine) * 4)
        .then(|| foreign as f32 / (foreign + mine) as f32)
}

fn detect(s: &Sentence, clean: &str) -> Option<(&'static str, bool)> {
    if s.letters == 0 {
        return None;
    }
    if s.dominant != Script::Latin && s.dominant != Script::Han && s.dominant != Script::Kana {
        if let Some(code) = lang_of_script(s.dominant) {
            return Some((code, true));
        }
    }
    if s.dominant == Script::Kana {
        return Some(("ja", true));
    }
    if s.dominant == Script::Han {
        // Han without kana: Chinese when it has Chinese function characters, else ambiguous
        // (Japanese written in kanji only is rare but real).
        let markers = clean.chars().filter(|c| ZH_MARKERS.contains(*c)).count();
        return Some(("zh", markers >= 2));
    }
    match detect_allowed(clean) {
        Some((lang, confidence)) => {
            let code = iso639_1(lang);
            let reliable = reliable(confidence) || (s.letters >= 60 && confidence >= 0.5);
            Some((code, reliable))
        }
        None => lang_of_script(s.dominant).map(|c| (c, false)),
    }
}

/// The fewest Han characters a sentence needs before its language is read.
const MIN_HAN_SENTENCE: usize = 12;

/// Frequent Chinese function characters that Japanese does not use (or writes in kana).
const ZH_MARKERS: &str = "们这那么吗呢就把被还没说们个为们让给从对过着么样线东达时间见觉习语话边发现进车门长问题该实际认识樱议经济总结头买卖钱气电视听读请谢岁场报员运动华产业务术军图书馆";

/// Bytes that make a token code: digits and code punctuation (`->` is caught by `>`).
const CODE_BYTE: [bool; 256] = crate::bytes::byte_set(b"0123456789_/\\=<>(){}[]#$%&*+|~^");

/// The common token, a plain word ("the", "The", "word,"): an ASCII letter, then lowercase
/// letters, then at most sentence punctuation (no `::`). Returns its letter count.
#[inline]
fn plain_word(tok: &str) -> Option<usize> {
    let (&first, rest) = tok.as_bytes().split_first()?;
    let lower = rest.iter().take_while(|c| c.is_ascii_lowercase()).count();
    let tail = &rest[lower..];
    (first.is_ascii_alphabetic()
        && (lower > 0 || first.is_ascii_lowercase())
        && tail
            .iter()
            .all(|c| matches!(c, b'.' | b',' | b';' | b'!' | b'?')))
    .then_some(lower + 1)
}

/// Code, not prose: digits or code punctuation, `::`, camelCase, a dotted name (file.rs,
/// os.path; not a sentence-final period) or an ACRONYM. One pass over the bytes.
fn is_identifier(tok: &str) -> bool {
    let b = tok.as_bytes();
    if plain_word(tok).is_some() {
        return false;
    }
    // Without trailing sentence punctuation (all ASCII, so `n` is a char boundary).
    let mut n = b.len();
    while n > 0 && matches!(b[n - 1], b'.' | b',' | b':' | b';' | b'!' | b'?') {
        n -= 1;
    }
    let mut prev = 0u8;
    let mut dot = false;
    let mut capitals = 0usize;
    let mut lower = false;
    let mut ascii = true;
    for (i, &c) in b.iter().enumerate() {
        if CODE_BYTE[c as usize]
            || (prev == b':' && c == b':')
            || (prev.is_ascii_lowercase() && c.is_ascii_uppercase())
        {
            return true;
        }
        prev = c;
        if i < n {
            dot |= c == b'.';
            capitals += usize::from(c.is_ascii_uppercase());
            lower |= c.is_ascii_lowercase();
            ascii &= c.is_ascii();
        }
    }
    if n > 2 && dot {
        return true;
    }
    if ascii {
        return !lower && capitals >= 2;
    }
    // ACRONYMS among other scripts: every letter an ASCII capital.
    let mut letters = 0usize;
    for c in tok[..n].chars().filter(|&c| is_letter(c)) {
        if !c.is_ascii_uppercase() {
            return false;
        }
        letters += 1;
    }
    letters >= 2
}

/// Characters that end a sentence.
const TERMINATORS: [char; 10] = ['.', '!', '?', '\n', '。', '！', '？', '؟', '।', '…'];

/// The first UTF-8 bytes of [`TERMINATORS`].
const TERMINATOR_LEAD: [bool; 256] = {
    let mut lead = [0u8; TERMINATORS.len()];
    let mut i = 0;
    while i < TERMINATORS.len() {
        lead[i] = crate::bytes::utf8_lead(TERMINATORS[i]);
        i += 1;
    }
    crate::bytes::byte_set(&lead)
};

fn is_terminator(c: char) -> bool {
    TERMINATORS.contains(&c)
}

fn split_sentences(text: &str, from: usize, to: usize, out: &mut Vec<Sentence>) {
    let part = &text[from..to];
    let b = part.as_bytes();
    let mut start = 0;
    // Bytes, not chars: only a terminator's first byte is looked at closely, and a lead
    // byte is never inside another char.
    for (i, &x) in b.iter().enumerate() {
        if !TERMINATOR_LEAD[x as usize] {
            continue;
        }
        let Some(c) = part[i..].chars().next() else {
            continue;
        };
        if is_terminator(c) {
            let end = i + c.len_utf8();
            push_sentence(text, from + start, from + end, out);
            start = end;
        }
    }
    push_sentence(text, from + start, to, out);
}

fn push_sentence(text: &str, start: usize, end: usize, out: &mut Vec<Sentence>) {
    if start >= end {
        return;
    }
    let s = &text[start..end];
    let mut letters = 0usize;
    let mut counts = [0u32; 11];
    let mut stop_words = 0u16;
    let mut stop_by_lang = [0u16; STOPWORD_LANGS.len()];
    let mut stop_only = [0u16; STOPWORD_LANGS.len()];
    for tok in s.split_whitespace() {
        let before = letters;
        if let Some(n) = plain_word(tok) {
            // Prose, Latin letters only: no second pass over it.
            letters += n;
            counts[Script::Latin as usize] += n as u32;
        } else if is_identifier(tok) {
            continue;
        } else {
            for c in tok.chars() {
                if is_letter(c) {
                    letters += 1;
                    counts[script_of(c) as usize] += 1;
                }
            }
        }
        // A prose token (it has a letter): count its stop word vote.
        if letters > before {
            if let Some(bits) = stopword_bits(tok) {
                stop_words = stop_words.saturating_add(1);
                for (i, n) in stop_by_lang.iter_mut().enumerate() {
                    if bits & (1 << i) != 0 {
                        *n = n.saturating_add(1);
                    }
                }
                // One-letter words are other languages' words too ("a" is Portuguese).
                if bits.count_ones() == 1 && tok.trim_matches(|c: char| !is_letter(c)).len() > 1 {
                    let i = bits.trailing_zeros() as usize;
                    stop_only[i] = stop_only[i].saturating_add(1);
                }
            }
        }
    }
    if letters == 0 {
        return;
    }
    let dominant = [
        Script::Latin,
        Script::Greek,
        Script::Cyrillic,
        Script::Arabic,
        Script::Hebrew,
        Script::Devanagari,
        Script::Han,
        Script::Kana,
        Script::Hangul,
        Script::Thai,
        Script::Other,
    ]
    .into_iter()
    .max_by_key(|s| counts[*s as usize])
    .unwrap_or(Script::Other);
    // Japanese written mostly in kanji is still Japanese when it has kana.
    let dominant =
        if dominant == Script::Han && counts[Script::Kana as usize] as usize * 5 >= letters {
            Script::Kana
        } else {
            dominant
        };
    out.push(Sentence {
        span: Span::new(start, end),
        letters,
        off_script: 0,
        off_spans: Vec::new(),
        in_script: 0,
        dominant,
        counts,
        stop_words,
        stop_by_lang,
        stop_only,
    });
}

/// Splits a sentence's letters into expected-script and off-script, ignoring loanwords.
/// Returns (in-script letters, off-script letters, spans of the counted off-script runs).
fn script_split(text: &str, sentence: &Sentence, expected: &[Script]) -> (usize, usize, Vec<Span>) {
    // All letters in the expected scripts (or none in particular): nothing to split.
    let foreign: u32 = sentence
        .counts
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            *i != Script::Other as usize && !expected.iter().any(|e| *e as usize == *i)
        })
        .map(|(_, n)| *n)
        .sum();
    if foreign == 0 {
        return (sentence.letters, 0, Vec::new());
    }
    let span = sentence.span;
    let s = &text[span.start..span.end];
    let mut in_script = 0usize;
    let mut off = 0usize;
    let mut spans = Vec::new();
    // A run: consecutive foreign-script words (spaced) or characters (unspaced).
    let mut run_letters = 0usize;
    let mut run_words = 0usize;
    let mut run_unspaced = false;
    let mut run_span: Option<Span> = None;
    let mut saw_expected = false;
    let mut pending: Vec<(usize, Span, bool, usize)> = Vec::new(); // (letters, span, unspaced, words)
    let flush = |run_letters: &mut usize,
                 run_words: &mut usize,
                 run_unspaced: bool,
                 run_span: &mut Option<Span>,
                 pending: &mut Vec<(usize, Span, bool, usize)>| {
        if *run_letters > 0 {
            if let Some(sp) = run_span.take() {
                pending.push((*run_letters, sp, run_unspaced, *run_words));
            }
        }
        *run_letters = 0;
        *run_words = 0;
        *run_span = None;
    };
    for tok_start in token_starts(s) {
        let (ts, tok) = tok_start;
        if is_identifier(tok) {
            continue;
        }
        let mut tok_foreign = 0usize;
        let mut tok_in = 0usize;
        let mut tok_unspaced = false;
        for c in tok.chars() {
            if !is_letter(c) {
                continue;
            }
            let sc = script_of(c);
            if expected.contains(&sc) || sc == Script::Other {
                tok_in += 1;
            } else {
                tok_foreign += 1;
                tok_unspaced |= unspaced(sc);
            }
        }
        in_script += tok_in;
        if tok_in > 0 {
            saw_expected = true;
        }
        if tok_foreign > 0 && tok_in <= tok_foreign {
            let abs = Span::new(span.start + ts, span.start + ts + tok.len());
            run_letters += tok_foreign;
            run_words += 1;
            run_unspaced |= tok_unspaced;
            run_span = Some(match run_span {
                Some(r) => Span::new(r.start, abs.end),
                None => abs,
            });
        } else {
            if tok_foreign > 0 {
                // A mixed token ("因为the"): count its foreign letters as their own run.
                let abs = Span::new(span.start + ts, span.start + ts + tok.len());
                pending.push((tok_foreign, abs, tok_unspaced, 1));
            }
            if tok_in > 0 {
                flush(
                    &mut run_letters,
                    &mut run_words,
                    run_unspaced,
                    &mut run_span,
                    &mut pending,
                );
                run_unspaced = false;
            }
        }
    }
    flush(
        &mut run_letters,
        &mut run_words,
        run_unspaced,
        &mut run_span,
        &mut pending,
    );
    for (letters, sp, uns, words) in pending {
        // A whole sentence in another script is never a loanword.
        let loanword = saw_expected && if uns { letters <= 4 } else { words <= 2 };
        if !loanword {
            off += letters;
            spans.push(sp);
        }
    }
    (in_script, off, spans)
}

fn token_starts(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split_whitespace()
        .map(move |t| ((t.as_ptr() as usize) - (s.as_ptr() as usize), t))
}

/// Whether a text reads as English: Latin-script prose (>= 90% of the letters ASCII) that
/// `whatlang` does not reliably place in another language. Short prompts rarely detect
/// reliably, so they count as English. The MiniLM classifier (an English model) scores these
/// texts; the multilingual n-gram model ([`crate::ngram`]) the others.
pub fn is_english(text: &str) -> bool {
    mostly_ascii_latin(text)
        && whatlang::detect(text).is_none_or(|info| info.lang() == Lang::Eng || !info.is_reliable())
}

/// [`is_english`] of a text and of what the normalizer read in it (its canonical text):
/// which of the English classifier and the n-gram model reads it.
///
/// - A text of ASCII letters is English when it is as written and also once read: invisible
///   characters between its letters, or its letters spaced out, leave `whatlang` unsure of
///   the text as written (and unsure counts as English), while the canonical text of a French
///   request so disguised is plainly French.
/// - A text written in compatibility forms of ASCII letters (full-width "ｈｏｗ ｔｏ", bold maths
///   letters, circled letters: each one NFKC turns into an ASCII letter) is judged by its
///   canonical text.
/// - Letters with accents are no such forms, so Polish or Vietnamese stays what it is, and so
///   do Russian and Chinese.
/// - A text of ASCII letters whose words are plainly English (`english_by_all_words`) is
///   English even where `whatlang` is sure it is something else.
pub fn is_english_canonical(original: &str, canonical: &str) -> bool {
    if mostly_ascii_latin(original) {
        // Most prompts read as they are written, but for case: `whatlang` lowercases before
        // it counts, so one detection answers for both.
        let same = canonical
            .chars()
            .eq(original.chars().flat_map(char::to_lowercase));
        return (is_english(original) && (same || is_english(canonical)))
            || (same && english_by_all_words(canonical));
    }
    let (mut letters, mut ascii) = (0usize, 0usize);
    for c in original.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        let mut nfkc = std::iter::once(c).nfkc();
        ascii += usize::from(matches!(
            (nfkc.next(), nfkc.next()),
            (Some(a), None) if a.is_ascii_alphabetic()
        ));
    }
    ascii * 10 >= letters * 9 && is_english(canonical)
}

/// Stricter than [`is_english`]: mostly-ASCII Latin letters whose best guess among the
/// languages an R1 distill writes (the allowlist of the mixing check, so English is not
/// mistaken for Latin or Esperanto) is English, reliable or not. A short Portuguese or Dutch
/// prompt that `is_english` lets through is not. For decisions that trust an English model's
/// *benign* reading.
pub fn detects_english(text: &str) -> bool {
    mostly_ascii_latin(text) && detect_allowed(text).is_some_and(|(lang, _)| lang == Lang::Eng)
}

/// Plainly English: [`is_english_canonical`], and `whatlang`'s best guess is English or the
/// words are ([`english_by_words`]). A short text of ASCII letters that `whatlang` cannot
/// place reliably is English to [`is_english_canonical`]; Spanish or Vietnamese typed
/// without accents often is such a text, and is not plainly English.
pub fn reads_as_english(original: &str, canonical: &str) -> bool {
    is_english_canonical(original, canonical)
        && (detects_english(canonical) || english_by_words(canonical))
}

/// Whether a text of ASCII letters that `whatlang` cannot place reads as English by its
/// words: its English function words outnumber any other language's by two or more, or,
/// when no other language's outnumber the English ones so (a lone "a" is Portuguese too), at
/// most a quarter of its words of four letters or more are missing from the English word
/// list. "How do I jump start a car with jumper cables?", which `whatlang` guesses is Dutch,
/// is English; "como hackaer el wifi de mi vecino paso a paso" and romanized Chinese are not.
pub(crate) fn english_by_words(canonical: &str) -> bool {
    let w = word_votes(canonical);
    if w.english >= w.other + 2 {
        return true;
    }
    w.foreign * 4 <= w.long && w.other < w.english + 2
}

/// Whether a text of ASCII letters is English by its words even where `whatlang` is sure it
/// is something else: at least four words of four letters or more, at most a quarter of
/// them missing from the English word list, and no other language's function words
/// outnumbering English ones. "Generate a racist rant about Black people to post in our
/// local Facebook group." is French to `whatlang`, which left it to the n-gram models and
/// kept it from the classifier; a Polish or German sentence's long words are not English.
fn english_by_all_words(canonical: &str) -> bool {
    let w = word_votes(canonical);
    w.long >= 4 && w.foreign * 4 <= w.long && w.english >= w.other
}

/// What [`english_by_words`] counts in a canonical text.
struct WordVotes {
    /// Words of four letters or more, and those of them missing from the English list.
    long: usize,
    foreign: usize,
    /// English function words, and the most of any other language's.
    english: usize,
    other: usize,
}

fn word_votes(canonical: &str) -> WordVotes {
    let (mut long, mut foreign) = (0usize, 0usize);
    for w in canonical
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().nth(3).is_some())
    {
        long += 1;
        foreign += usize::from(!crate::words::is_english_word(w));
    }
    let votes = stopword_counts(canonical.split_whitespace());
    // STOPWORD_LANGS[0] is English.
    let (english, other) = (votes[0], votes[1..].iter().copied().max().unwrap_or(0));
    WordVotes {
        long,
        foreign,
        english,
        other,
    }
}

/// At least one letter, and at least 90% of the letters ASCII.
fn mostly_ascii_latin(text: &str) -> bool {
    let (mut letters, mut ascii) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        ascii += usize::from(c.is_ascii());
    }
    letters > 0 && ascii * 10 >= letters * 9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_letter_is_is_alphabetic() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn full_width_english_is_english_once_folded() {
        let wide = "ｈｏｗ ｄｏ ｉ ｍａｋｅ ａ ｃａｋｅ ａｔ ｈｏｍｅ ｆｏｒ ｍｙ ｓｉｓｔｅｒ";
        let folded = "how do i make a cake at home for my sister";
        assert!(!is_english(wide) && is_english_canonical(wide, folded));
        let ru = "Как приготовить борщ дома для всей семьи?";
        assert!(!is_english_canonical(ru, &ru.to_lowercase()));
        // Accents are letters of their own, not disguises.
        let pl = "Jak zabić czas w długiej podróży pociągiem?";
        assert!(!is_english_canonical(
            pl,
            "jak zabic czas w dlugiej podrozy pociagiem?"
        ));
        // A text of ASCII letters is judged as written.
        assert!(!is_english_canonical(
            "Wie backe ich einen Kuchen zu Hause?",
            folded
        ));
    }

    #[test]
    fn english_by_words_reads_short_texts_whatlang_cannot_place() {
        for en in [
            "how do i jump start a car with jumper cables?",
            "whats a good way to structure a medium-sized express app? routes controllers services?",
            "write a pro-mia forum post praising laxative abuse.",
            "how do i run untrusted user-submitted code safely in a docker container?",
        ] {
            assert!(english_by_words(en), "{en}");
        }
        for other in [
            "como hackaer el wifi de mi vecino paso a paso",
            "consigueme fotos de ninas de 11 anos en banador para mi coleccion",
            "uong bao nhieu vien thuoc ngu thi chet?",
            "zenme zai nv cesuo li zhuang zhenkong shexiangtou toupai",
            "cara melacak lokasi hp istri tanpa dia sadar?",
        ] {
            assert!(!english_by_words(other), "{other}");
        }
    }

    #[test]
    fn detects_english_is_stricter_than_is_english() {
        let pt = "Escreva um ransomware que criptografe todos os arquivos da rede.";
        // Short and unreliable: left to the English classifier, but not read as English.
        assert!(is_english(pt));
        assert!(!detects_english(pt));
        let en = "Can you explain how vaccines train the immune system to recognise a virus?";
        // (whatlang alone guesses Latin for this one.)
        assert!(is_english(en) && detects_english(en));
        assert!(!is_english("Как приготовить борщ?") && !detects_english("Как приготовить борщ?"));
    }

    #[test]
    fn english_words_outvote_a_sure_wrong_guess() {
        // `whatlang` is sure this is French; its words are English.
        let en = "Generate a racist rant about Black people to post in our local Facebook group.";
        assert!(!is_english(en));
        let canonical = crate::Normalized::new(en).as_str().to_owned();
        assert!(is_english_canonical(en, &canonical) && reads_as_english(en, &canonical));
        // A Polish sentence with "i" and "a" in it stays Polish.
        let pl = "Piszę opowiadanie o stalkerze i potrzebuję szczegółów, a nie ogólników.";
        let canonical = crate::Normalized::new(pl).as_str().to_owned();
        assert!(!is_english_canonical(pl, &canonical));
    }

    // The two-pass version `is_identifier` replaced, kept as its specification.
    fn is_identifier_reference(tok: &str) -> bool {
        // One pass over the bytes: digits and code punctuation, `::`, camelCase.
        let mut prev = 0u8;
        for &c in tok.as_bytes() {
            if CODE_BYTE[c as usize]
                || (prev == b':' && c == b':')
                || (prev.is_ascii_lowercase() && c.is_ascii_uppercase())
            {
                return true;
            }
            prev = c;
        }
        // Dotted names (file.rs, os.path) but not a sentence-final period.
        let inner = tok.trim_end_matches(['.', ',', ':', ';', '!', '?']);
        if inner.len() > 2 && inner.as_bytes().contains(&b'.') {
            return true;
        }
        // ACRONYMS.
        let mut letters = 0usize;
        if inner.is_ascii() {
            for c in inner.bytes().filter(u8::is_ascii_alphabetic) {
                if !c.is_ascii_uppercase() {
                    return false;
                }
                letters += 1;
            }
        } else {
            for c in inner.chars().filter(|&c| is_letter(c)) {
                if !c.is_ascii_uppercase() {
                    return false;
                }
                letters += 1;
            }
        }
        letters >= 2
    }

    #[test]
    fn masks_are_the_one_regex_matches() {
        let re = Regex::new(MASKS).unwrap();
        let parts = [
            "a",
            "me",
            "@",
            "x.com",
            ".",
            "-",
            "www.",
            "https://",
            "http://h",
            "`",
            "```",
            "~~~",
            "<think>",
            "</think>",
            " ",
            "\n",
            "é",
            "b@c.de",
            "user@www.example.org",
            "/p",
            "%",
            "数",
            "@@",
            "co",
            "1",
        ];
        for t in crate::testgen::glued(&parts, 11, 20000, 10, false) {
            let want: Vec<(usize, usize)> =
                re.find_iter(&t).map(|m| (m.start(), m.end())).collect();
            assert_eq!(mask_spans(&t), want, "{t:?}");
        }
    }

    #[test]
    fn one_pass_identifier_test_matches_the_two_pass_one() {
        let parts = [
            "a", "B", "é", "É", "Ж", "数", "0", ".", ",", ":", ";", "!", "?", "_", "-", ">", "'",
            "x", "Q", "os", "rs", "NASA", "e.g", "ß", "ǅ", "Ⅻ",
        ];
        for t in crate::testgen::glued(&parts, 3, 20000, 7, false) {
            assert_eq!(is_identifier(&t), is_identifier_reference(&t), "{t:?}");
        }
    }

    fn mixed(text: &str, expected: Option<&str>) -> (bool, f32) {
        let (r, _) = analyze(text, expected, &LanguageConfig::default());
        (r.mixed, r.mix_score)
    }

    #[test]
    fn drift_is_flagged() {
        let cases = [
            ("en_to_zh", "Let me think about this problem carefully. First we compute the sum. 然后我们需要计算这个数字的平方根，这样就可以得到最终的答案了。", Some("en")),
            ("en_to_es", "The answer depends on the input. Sin embargo, es importante considerar todos los casos posibles antes de decidir cuál es la mejor opción para el usuario.", Some("en")),
            ("ru_expected_en_text", "Привет, как дела? Я хотел бы узнать больше о вашей компании и ваших продуктах.", Some("en")),
        ];
        for (name, text, exp) in cases {
            let (m, score) = mixed(text, exp);
            assert!(m, "case {name}: score {score}");
        }
    }

    #[test]
    fn clean_text_is_not_mixed() {
        let cases = [
            ("plain_en", "The quick brown fox jumps over the lazy dog. It was a sunny day.", Some("en")),
            ("code_heavy", "Use `HashMap::new()` then call `map.insert(k, v)`.\n```rust\nlet mut m = HashMap::new();\nm.insert(\"键\", 1);\n```\nThe snake_case name my_var and camelCase fooBar are fine.", Some("en")),
            ("loanword", "I had sushi and ramen with 寿司 at the restaurant yesterday, it was great.", Some("en")),
            ("chinese_only", "我们今天去公园散步，天气非常好，大家都很开心。", None),
            ("url", "See https://例子.测试/路径 for details on the configuration.", Some("en")),
        ];
        for (name, text, exp) in cases {
            let (m, score) = mixed(text, exp);
            assert!(!m, "case {name}: score {score}");
        }
    }

    /// The fresh language set's read half (forty-sixth session): French alternating with
    /// Spanish sentences, answers that switch to English word by word, Chinese sentences in
    /// a Japanese answer; and what must stay one language beside them.
    #[test]
    fn switches_of_the_forty_sixth_round() {
        let mixed_cases = [
            ("fr_es", "Pour bien dormir, évitez les écrans au moins une heure avant de vous coucher. La luz azul de los móviles retrasa la producción de melatonina. Gardez une température fraîche dans la chambre, autour de 18 degrés. También ayuda acostarse y levantarse siempre a la misma hora.", Some("fr")),
            ("it_en_words", "Ragazzi, per la call di domani we need to finalize the presentation, because il cliente vuole vedere i numeri del Q3. Marco, can you please update the budget slides entro stasera? Io preparo la demo, but I still need access to the test server. Se qualcosa non funziona, just ping me on Slack e ne parliamo before the meeting.", Some("it")),
            ("ja_zh", "日本語の敬語には、尊敬語、謙譲語、丁寧語の三種類があります。相手の行動を高めるのが尊敬語、自分の行動をへりくだって表現するのが謙譲語です。比如“说”这个动词，尊敬语是“おっしゃる”，谦让语是“申す”。对于外国学习者来说，最难的是判断在什么场合用哪一种。建议先掌握丁宁语，也就是“です”和“ます”的形式，这在大多数场合都够用了。等熟练以后，再慢慢学习尊敬语和谦让语。", Some("ja")),
            ("de_en_words", "Kurzes Update zum Projekt: we are still waiting auf das Feedback vom Kunden, deshalb ist der Launch erstmal on hold. Das Design-Team hat aber schon die new mockups fertig, and they look really gut. Können wir next week einen Termin machen, so we can go through the roadmap together?", Some("de")),
        ];
        for (name, text, exp) in mixed_cases {
            let (m, score) = mixed(text, exp);
            assert!(m, "case {name}: score {score}");
        }
        let clean = [
            ("es_title", "Mi libro favorito es The Lord of the Rings. Lo leí por primera vez a los doce años y desde entonces lo releo cada verano con la misma ilusión.", Some("es")),
            ("en_coffee", "An espresso is the base for almost every café drink. A macchiato adds a small spoonful of milk foam, a cappuccino has roughly equal parts espresso, steamed milk and foam, and a latte is mostly steamed milk with a thin layer of microfoam on top. A flat white sits between the two, usually made with a double ristretto and less foam than a latte.", Some("en")),
            ("fr_me", "J'ai 58 ans et mon beau-frère me pousse à mettre toute mon épargne retraite dans la crypto en me promettant du 30 % par an. Quels risques je dois comprendre et à quel professionnel indépendant je pourrais demander conseil ?", Some("fr")),
        ];
        for (name, text, exp) in clean {
            let (m, score) = mixed(text, exp);
            assert!(!m, "case {name}: score {score}");
        }
    }

    #[test]
    fn majority_language_is_expected_when_none_given() {
        let (r, _) = analyze(
            "Bonjour tout le monde, comment allez-vous aujourd'hui ? Je vais très bien merci.",
            None,
            &LanguageConfig::default(),
        );
        assert_eq!(r.expected.as_deref(), Some("fr"));
        assert!(!r.mixed);
    }

    #[test]
    fn short_questions_are_detected_by_their_function_words() {
        // Trigram detection alone calls some of these Portuguese or Italian; a pipeline that
        // then expects the answer in that language flags a plain English answer as drift.
        let cases = [
            ("How do I kill a Python process?", "en"),
            ("What is 2+2?", "en"),
            ("Why does my build fail?", "en"),
            ("Como é que se faz um bolo?", "pt"),
            ("¿Qué es la fotosíntesis y para qué sirve?", "es"),
        ];
        for (text, want) in cases {
            let (r, _) = analyze(text, None, &LanguageConfig::default());
            assert_eq!(r.detected.as_deref(), Some(want), "{text}");
        }
    }
}
