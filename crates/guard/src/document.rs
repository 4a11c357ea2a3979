//! Long text (a pasted email, article, story or manual) as the guard's models read it: in
//! pieces of about one reading's length, cut after sentences.
//!
//! The models that read prompts were trained on prompts (none over 500 bytes); read whole, a
//! long benign text looks like nothing they know, and one harmful sentence inside it is
//! diluted by the rest. So a long text is cut into [`pieces`] (and, to learn from, its
//! [`tail`], where a long harmful text's request is), the same way at training and at run
//! time: the English classifier's trainer (`warden-classifier`) and the multilingual n-gram
//! model's document reader ([`crate::ngram::NgramModel::document`]) both use these.

use crate::eval::{EvalSample, Label};
use crate::normalize::{floor_char_boundary, Normalized};

/// Where a sentence ends: `.`, `!`, `?`, `;`, a line break, the ideographic full stop and
/// full-width marks of Chinese and Japanese, the Devanagari danda and the Arabic question mark.
pub const SENTENCE_ENDS: [char; 10] = ['.', '!', '?', '\n', ';', '。', '！', '？', '।', '؟'];

/// The length (bytes) of the pieces a long text is cut into: about what one 126-token window
/// of the English classifier covers of English prose (500-650 bytes).
pub const PIECE_BYTES: usize = 600;

/// `text` cut after sentences (a sentence longer than [`PIECE_BYTES`] after a space, or
/// anywhere) into trimmed pieces of at most [`PIECE_BYTES`], in order; together they are the
/// whole text but for the whitespace between them.
pub fn pieces(text: &str) -> Vec<&str> {
    piece_cuts(text)
        .into_iter()
        .map(|r| text[r].trim())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The byte ranges [`pieces`] are trimmed from: consecutive, from 0 to `text.len()` (none
/// for an empty text). Every cut but the last is final: text appended later changes only
/// the last range (a streaming reader reads the model's words as these pieces).
pub fn piece_cuts(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for s in text.split_inclusive(SENTENCE_ENDS) {
        let next = end + s.len();
        if next - start > PIECE_BYTES && end > start {
            out.push(start..end);
            start = end;
        }
        while next - start > PIECE_BYTES {
            // After the last space within reach, else at a character boundary.
            let limit = floor_char_boundary(text, start + PIECE_BYTES);
            let cut = match text[start..limit].rfind(' ') {
                Some(i) if i > 0 => start + i + 1,
                _ => limit,
            };
            out.push(start..cut);
            start = cut;
        }
        end = next;
    }
    if end > start {
        out.push(start..end);
    }
    out
}

/// The last sentences of `text` that fit in [`PIECE_BYTES`] (a last sentence longer than
/// that: its end, from a space), trimmed. Not the last of [`pieces`]: cut from the start, it
/// can be a sign-off ("Thanks, I know you're good with this stuff.") without the request.
pub fn tail(text: &str) -> &str {
    let text = text.trim_end();
    let floor = text.len().saturating_sub(PIECE_BYTES);
    // The first sentence start (the text's, or just after a mark) within the last piece.
    let start = std::iter::once(0)
        .chain(text.match_indices(SENTENCE_ENDS).map(|(i, m)| i + m.len()))
        .find(|&i| i >= floor && i < text.len())
        .unwrap_or_else(|| {
            // One sentence longer than a piece: its end, cut after a space.
            let from = (floor..text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(text.len());
            text[from..].find(' ').map_or(from, |i| from + i + 1)
        });
    text[start..].trim()
}

/// The shortest sentence (characters) [`sentences`] keeps: shorter ones are greetings,
/// headings and sign-offs, which say nothing on their own.
pub const SENTENCE_MIN_CHARS: usize = 20;

/// The sentences of `text`: cut after [`SENTENCE_ENDS`], trimmed, at least
/// [`SENTENCE_MIN_CHARS`] long, in order.
pub fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(SENTENCE_ENDS)
        .map(str::trim)
        .filter(|s| s.chars().nth(SENTENCE_MIN_CHARS - 1).is_some())
}

/// The kind of the samples [`readings`] derives from a long text.
pub const LONG: &str = "long";

/// What a document model learns from besides the prompts: what it reads at run time of each
/// long text in `samples` (those `is_document` accepts, in the guard's canonical form). A
/// whole long text teaches nothing about that. A benign one gives its [`pieces`] and its
/// `sentences`, each once; a harmful one its [`tail`], where its request is (the convention
/// of the long training texts: the rest is an ordinary email, story or persona preamble, and
/// labeling that harmful would teach the opposite). Each reading's kind is [`LONG`]; prompts
/// give nothing.
pub fn readings(
    samples: &[EvalSample],
    is_document: fn(&str) -> bool,
    sentences: for<'t> fn(&'t str) -> Vec<&'t str>,
) -> Vec<EvalSample> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for s in samples {
        if !is_document(Normalized::new(&s.text).as_str()) {
            continue;
        }
        let derived = |text: &str| EvalSample {
            text: text.to_string(),
            kind: Some(LONG.into()),
            ..s.clone()
        };
        if s.label == Label::Harmful {
            out.push(derived(tail(&s.text)));
            continue;
        }
        for text in pieces(&s.text).into_iter().chain(sentences(&s.text)) {
            if seen.insert(text) {
                out.push(derived(text));
            }
        }
    }
    out
}

/// Where `piece` (a slice of `text`, as [`pieces`] gives) starts in `text`.
pub fn offset_in(text: &str, piece: &str) -> usize {
    (piece.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_japanese_hindi_and_arabic_text_is_cut_after_its_own_sentence_marks() {
        let zh = "我们周六上午九点在学校门口集合。".repeat(20);
        let p = pieces(&zh);
        assert!(p.len() > 1 && p.iter().all(|p| p.len() <= PIECE_BYTES));
        assert!(p.iter().all(|p| p.ends_with('。')), "{p:?}");
        assert_eq!(p.concat(), zh);
        let hi = "हम शनिवार सुबह नौ बजे स्कूल के गेट पर मिलेंगे। ".repeat(20);
        assert!(pieces(&hi).iter().all(|p| p.ends_with('।')));
        let ar = "هل يمكنك إرسال جدول الاجتماعات لهذا الأسبوع؟ ".repeat(20);
        assert!(pieces(&ar).iter().all(|p| p.ends_with('؟')));
        let ja = "明日の会議は十時からです。".repeat(30) + "資料を送ってください！";
        assert_eq!(tail(&ja).chars().last(), Some('！'));
        assert!(tail(&ja).len() <= PIECE_BYTES && tail(&ja).starts_with('明'));
        for p in pieces(&ja) {
            assert_eq!(&ja[offset_in(&ja, p)..][..p.len()], p);
        }
    }
}
