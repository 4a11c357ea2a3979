//! Incremental scanning of a token stream.

use crate::document::SENTENCE_ENDS;
use crate::normalize::floor_char_boundary;
use crate::types::{Action, Category, Context, Hit, LanguageReport, PiiMatch, Span, Verdict};
use crate::{Findings, Guard};

/// Bytes of already-scanned text rescanned with each new chunk, so a phrase split across
/// chunks is still seen whole. Rules work per sentence; this covers a long one.
const OVERLAP: usize = 384;
/// New bytes to collect before scanning, unless a sentence ends first.
const CHUNK: usize = 128;
/// Language drift is checked on the last this-many bytes, every `LANG_EVERY` new bytes.
const LANG_WINDOW: usize = 1024;
const LANG_EVERY: usize = 256;
/// The repetition check looks at this much tail.
const LOOP_TAIL: usize = 4096;
/// How far back a window's start may move to reach the start of its sentence.
const SENTENCE_BACK: usize = 512;
/// The models read once this many bytes of new whole sentences have gathered,
const MODELS_EVERY: usize = 512;
/// with this much of what they read before (moved back to a sentence start),
const MODELS_BACK: usize = 128;
/// or this many new bytes with no sentence end.
const MODELS_UNENDED: usize = 2048;

/// Scans a model's output as it streams.
///
/// `feed` appends a delta and, once a chunk has gathered (128 bytes, or 48 ending a sentence), scans
/// only the new bytes plus a 384-byte overlap of what came before: per-token cost stays flat
/// however long the generation gets. Hits are deduplicated across overlapping windows. `feed`
/// returns a verdict only when a new non-allow hit appears; the pipeline stops the generation
/// on [`Action::Block`]. [`finish`](OutputScanner::finish) scans the rest and returns the
/// verdict for the whole text (language measured over all of it, redactions applied).
#[derive(Debug)]
pub struct OutputScanner<'g> {
    guard: &'g Guard,
    ctx: Context,
    text: String,
    scanned: usize,
    /// Where the models have read to.
    read_to: usize,
    lang_checked: usize,
    expected: Option<String>,
    hits: Vec<Hit>,
    pii: Vec<PiiMatch>,
    language: Option<LanguageReport>,
    action: Action,
}

impl<'g> OutputScanner<'g> {
    pub(crate) fn new(guard: &'g Guard, ctx: Context) -> OutputScanner<'g> {
        OutputScanner {
            guard,
            expected: ctx.expected_lang.clone(),
            ctx,
            text: String::new(),
            scanned: 0,
            read_to: 0,
            lang_checked: 0,
            hits: Vec::new(),
            pii: Vec::new(),
            language: None,
            action: Action::Allow,
        }
    }

    /// The text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The most severe action so far.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Appends `delta`; returns a verdict when a new non-allow hit appeared.
    pub fn feed(&mut self, delta: &str) -> Option<Verdict> {
        self.text.push_str(delta);
        let pending = self.text.len() - self.scanned;
        let sentence_end = delta
            .chars()
            .any(|c| matches!(c, '\n' | '.' | '!' | '?' | '。' | '！' | '？'));
        if pending < CHUNK && !(sentence_end && pending >= 48) {
            return None;
        }
        let new = self.scan_window();
        let read = self.read_models(false);
        ((new || read) && self.action != Action::Allow).then(|| self.snapshot())
    }

    /// Scans what is left and returns the verdict for the whole text.
    pub fn finish(mut self) -> Verdict {
        if self.scanned < self.text.len() {
            self.scan_window();
        }
        self.read_models(true);
        let (report, lang_hit) = self.guard.language(&self.text, &self.ctx);
        self.language = Some(report);
        if let Some(h) = lang_hit {
            self.merge(vec![h]);
        }
        self.snapshot()
    }

    /// Scans `[scanned - OVERLAP, len)`, its start moved back to the start of its sentence;
    /// true when a new hit was added. The models read apart ([`Self::read_models`]).
    fn scan_window(&mut self) -> bool {
        let start = sentence_start(
            &self.text,
            floor_char_boundary(&self.text, self.scanned.saturating_sub(OVERLAP)),
        );
        let window = &self.text[start..];
        let Findings { hits, pii, .. } = self.guard.find(window, &self.ctx, true, false);
        let mut new_hits: Vec<Hit> = hits
            .into_iter()
            .map(|mut h| {
                h.spans = h.spans.iter().map(|s| s.shifted(start)).collect();
                h
            })
            .collect();
        for m in pii {
            let m = PiiMatch {
                start: m.start + start,
                end: m.end + start,
                ..m
            };
            if !self.pii.contains(&m) {
                self.pii.push(m);
            }
        }
        // Repetition loop on the tail.
        let tail_start = floor_char_boundary(&self.text, self.text.len().saturating_sub(LOOP_TAIL));
        let limits = &self.guard.policy().r1;
        if let Some(r) = crate::r1::find_repetition(
            &self.text[tail_start..],
            limits.max_ngram,
            limits.min_repeats,
        ) {
            new_hits.push(Hit::new(
                Category::R1,
                0.9,
                "r1.repetition",
                vec![r.span.shifted(tail_start)],
            ));
        }
        // Language drift on the recent window, against the context's language or the one the
        // stream started in.
        if self.text.len() - self.lang_checked >= LANG_EVERY {
            self.lang_checked = self.text.len();
            if self.expected.is_none() && self.text.len() >= 200 {
                let (r, _) =
                    crate::language::analyze(&self.text, None, &self.guard.language_config());
                self.expected = r.detected;
            }
            if let Some(exp) = self.expected.clone() {
                let ls =
                    floor_char_boundary(&self.text, self.text.len().saturating_sub(LANG_WINDOW));
                let (r, spans) = crate::language::analyze(
                    &self.text[ls..],
                    Some(&exp),
                    &self.guard.language_config(),
                );
                if r.mixed {
                    new_hits.push(Hit::new(
                        Category::Language,
                        r.mix_score,
                        "language",
                        spans.into_iter().map(|s| s.shifted(ls)).collect(),
                    ));
                }
            }
        }
        self.scanned = self.text.len();
        self.merge(new_hits)
    }

    /// The models (n-gram, classifier) read the sentences completed since they last read,
    /// once [`MODELS_EVERY`] bytes of them have gathered (`last`: whatever is left), with up to
    /// [`MODELS_BACK`] bytes before them for context, moved back to a sentence start. A
    /// forward pass of the classifier costs more than many tokens, and a sentence cut off
    /// mid-way reads differently from the whole one. True when a new hit was added.
    fn read_models(&mut self, last: bool) -> bool {
        let pending = &self.text[self.read_to..];
        let end = if last || pending.len() >= MODELS_UNENDED {
            self.text.len()
        } else {
            match pending
                .char_indices()
                .rev()
                .find(|&(_, c)| c == '\n' || SENTENCE_ENDS.contains(&c))
            {
                Some((i, c)) => self.read_to + i + c.len_utf8(),
                None => return false,
            }
        };
        if end <= self.read_to || (!last && end - self.read_to < MODELS_EVERY) {
            return false;
        }
        let start = sentence_start(
            &self.text,
            floor_char_boundary(&self.text, self.read_to.saturating_sub(MODELS_BACK)),
        );
        let hits = self
            .guard
            .find_models(&self.text[start..end], &self.ctx)
            .into_iter()
            .map(|mut h| {
                h.spans = h.spans.iter().map(|s| s.shifted(start)).collect();
                h
            })
            .collect();
        self.read_to = end;
        self.merge(hits)
    }

    /// Applies the policy to `new` and merges it; true when anything new was added.
    fn merge(&mut self, new: Vec<Hit>) -> bool {
        let policy = self.guard.policy();
        let mut added = false;
        for mut h in new {
            if h.score < policy.threshold(h.category) {
                continue;
            }
            h.action = policy.action(self.ctx.stage, h.category);
            match self
                .hits
                .iter_mut()
                .find(|x| x.category == h.category && x.scanner == h.scanner)
            {
                Some(existing) => {
                    let fresh: Vec<Span> = h
                        .spans
                        .into_iter()
                        .filter(|s| {
                            !existing
                                .spans
                                .iter()
                                .any(|e| e.start < s.end && s.start < e.end)
                        })
                        .collect();
                    if !fresh.is_empty() && existing.spans.len() < 64 {
                        existing.spans.extend(fresh);
                        existing.spans.sort();
                        added = true;
                    }
                    existing.score = existing.score.max(h.score);
                }
                None => {
                    self.action = self.action.max(h.action);
                    self.hits.push(h);
                    added = true;
                }
            }
        }
        added
    }

    fn snapshot(&self) -> Verdict {
        let action = self
            .hits
            .iter()
            .map(|h| h.action)
            .max()
            .unwrap_or(Action::Allow);
        Verdict {
            action,
            hits: self.hits.clone(),
            language: self.language.clone(),
            pii: self.pii.clone(),
            injection: self.hits.iter().any(|h| h.category == Category::Injection),
            redacted_text: crate::redact(&self.text, &self.hits),
            message: (action == Action::Block)
                .then(|| self.guard.policy().block_message_for(&self.hits).to_owned()),
            obfuscation: Default::default(),
            invisible: Vec::new(),
        }
    }
}

/// Where the sentence holding byte `at` starts: after the last sentence end
/// ([`SENTENCE_ENDS`], a period only when a space follows) in the [`SENTENCE_BACK`] bytes
/// before it, else at the start
/// of the text when that is as near, else `at` (a sentence too long to read whole). The
/// rules read a sentence whole: one cut in half loses what excuses it ("I can't help with
/// making a pipe bomb" read from "a pipe bomb") or what makes it a request.
fn sentence_start(text: &str, at: usize) -> usize {
    if at == 0 {
        return 0;
    }
    let from = floor_char_boundary(text, at.saturating_sub(SENTENCE_BACK));
    let bytes = text.as_bytes();
    text[from..at]
        .char_indices()
        .rev()
        .find(|&(i, c)| {
            SENTENCE_ENDS.contains(&c)
                && (c != '.' || bytes.get(from + i + 1).is_some_and(u8::is_ascii_whitespace))
        })
        .map_or(if from == 0 { 0 } else { at }, |(i, c)| {
            from + i + c.len_utf8()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Stage;

    fn feed_all(guard: &Guard, stage: Stage, text: &str, piece: usize) -> (Vec<Verdict>, Verdict) {
        let mut s = guard.output_scanner(stage);
        let mut seen = Vec::new();
        let chars: Vec<char> = text.chars().collect();
        for chunk in chars.chunks(piece) {
            let d: String = chunk.iter().collect();
            if let Some(v) = s.feed(&d) {
                seen.push(v);
            }
        }
        (seen, s.finish())
    }

    #[test]
    fn harmful_phrase_split_across_tokens_is_caught_once() {
        let guard = Guard::with_default_policy();
        let text = "Sure. Here is how to make a pipe bomb at home: first you need a steel pipe and end caps. ";
        let (seen, fin) = feed_all(&guard, Stage::Output, text, 3);
        assert!(!seen.is_empty());
        assert_eq!(seen[0].action, Action::Block);
        assert!(fin.has(Category::IndiscriminateWeapons));
        let s9: Vec<_> = fin
            .hits
            .iter()
            .filter(|h| h.category == Category::IndiscriminateWeapons)
            .collect();
        assert_eq!(s9.len(), 1, "{s9:?}");
        for sp in &s9[0].spans {
            assert!(fin.redacted_text.is_none() || sp.end <= text.len());
            assert!(text.is_char_boundary(sp.start) && text.is_char_boundary(sp.end));
        }
    }

    #[test]
    fn a_refusal_is_read_whole_however_the_windows_fall() {
        let guard = Guard::with_default_policy();
        let text = format!(
            "{}I can't help with that, and I want to be clear about why, since it matters to me \
             and to the people near you, and since I know you may have asked in earnest, \
             whatever the reason: building a pipe bomb puts lives at risk. {}",
            "Here is some background on staying safe at large public events. ".repeat(3),
            (0..8)
                .map(|i| {
                    format!(
                        "Tip {i}: if you see a suspicious package, move {i}0 metres away and \
                         call the police. "
                    )
                })
                .collect::<String>()
        );
        for piece in [1, 3, 7] {
            let (seen, fin) = feed_all(&guard, Stage::Output, &text, piece);
            assert!(seen.is_empty(), "{piece}: {seen:?}");
            assert_eq!(fin.action, Action::Allow, "{piece}: {fin:?}");
        }
        let start = text.find("I can't").unwrap();
        let object = text.find("pipe bomb").unwrap();
        // The sentence's first byte is the space after the previous one's period.
        assert_eq!(sentence_start(&text, object), start - 1);
        assert_eq!(sentence_start(&text, start + 1), start - 1);
        assert_eq!(sentence_start(&text, 0), 0);
        assert_eq!(sentence_start("pi is 3.14 and so on", 14), 0);
    }

    #[test]
    fn clean_stream_reports_nothing() {
        let guard = Guard::with_default_policy();
        let text: String = (0..40)
            .map(|i| {
                format!(
                    "Step {i} adds {} apples to the basket, which now holds {} in total. ",
                    i + 2,
                    i * 3 + 7
                )
            })
            .collect();
        let (seen, fin) = feed_all(&guard, Stage::Output, &text, 4);
        assert!(seen.is_empty(), "{seen:?}");
        assert_eq!(fin.action, Action::Allow, "{fin:?}");
    }

    #[test]
    fn repetition_loop_is_reported_while_streaming() {
        let guard = Guard::with_default_policy();
        let text = format!(
            "Let me verify. {}",
            "Wait, I need to double check this step. ".repeat(12)
        );
        let (seen, _) = feed_all(&guard, Stage::Reasoning, &text, 5);
        assert!(seen.iter().any(|v| v.has(Category::R1)), "{seen:?}");
    }

    #[test]
    fn drift_into_chinese_is_reported_while_streaming() {
        let guard = Guard::with_default_policy();
        let text = format!(
            "{}{}",
            "We need to find the derivative of the function and then evaluate it at zero. "
                .repeat(4),
            "然后我们需要计算这个函数的导数，并且在零点求值，这样就可以得到最终的答案。".repeat(6)
        );
        let (seen, fin) = feed_all(&guard, Stage::Reasoning, &text, 2);
        assert!(seen.iter().any(|v| v.has(Category::Language)), "{fin:?}");
    }

    #[test]
    fn pii_in_output_is_redacted_at_finish() {
        let guard = Guard::with_default_policy();
        let (_, fin) = feed_all(
            &guard,
            Stage::Output,
            "Contact him at bob.smith@example.org for details.",
            2,
        );
        assert_eq!(
            fin.redacted_text.as_deref(),
            Some("Contact him at [EMAIL] for details.")
        );
    }
}
