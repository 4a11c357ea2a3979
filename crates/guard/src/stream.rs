//! Incremental scanning of a token stream.

use std::ops::Deref;
use std::sync::Arc;

use crate::document::SENTENCE_ENDS;
use crate::normalize::floor_char_boundary;
use crate::scanner::withdrawable;
use crate::types::{Action, Category, Context, Hit, LanguageReport, PiiMatch, Span, Verdict};
use crate::{Findings, Guard};

/// Bytes of already-scanned text rescanned with each new chunk, so a phrase split across
/// chunks is still seen whole. Rules work per sentence; this covers a long one.
const OVERLAP: usize = 384;
/// New bytes to collect before scanning, unless a sentence ends first.
const CHUNK: usize = 128;
/// Bytes with no sentence end after which the rules read on anyway.
const RULES_UNENDED: usize = 512;
/// Language drift is checked on the last this-many bytes, every `LANG_EVERY` new bytes.
const LANG_WINDOW: usize = 1024;
const LANG_EVERY: usize = 256;
/// The repetition check looks at this much tail.
const LOOP_TAIL: usize = 4096;
/// How far back a window's start may move to reach the start of its sentence.
const SENTENCE_BACK: usize = 512;
/// The models read the text in the pieces a long text is read in
/// ([`crate::document::piece_cuts`], about 600 bytes cut after sentences), once this many
/// bytes of complete pieces have gathered since they last read,
const MODELS_EVERY: usize = 512;
/// and each read covers at least this many characters (the whole text when shorter; before
/// the end, the models wait for that much): the models that read documents were trained on
/// long texts read in those pieces, the ones that read prompts on prompts. A prompt model
/// reading the last sentences of a long answer flagged 18 of 131 such stretches of ordinary
/// text (the classifier's long benign texts); reading pieces cut elsewhere than the whole
/// text's, the document n-gram model flagged 6 of 85 ordinary texts it passes whole.
const MODELS_MIN_CHARS: usize = 512;

/// Scans a model's output as it streams.
///
/// `feed` appends a delta and, once a chunk has gathered (128 bytes, or 48 ending a sentence),
/// the rules scan the sentences completed since they last did plus a 384-byte overlap of what
/// came before: per-token cost stays flat however long the generation gets, and a sentence is
/// read whole, as in the whole text. The models (the n-gram model, the classifier) read the
/// text in the pieces a long text is read in, a document's worth at a time; the rules'
/// weaker hits wait for that reading when a model may withdraw them
/// ([`Scanner::withdraws_rules`](crate::Scanner::withdraws_rules)). So a streamed answer
/// gets the verdict its whole text would ([`Guard::scan_streamed`] measures it). Hits are
/// deduplicated across overlapping windows. `feed` returns a verdict only when a new
/// non-allow hit appears; the pipeline stops the generation on [`Action::Block`].
/// [`finish`](OutputScanner::finish) scans the rest and returns the verdict for the whole
/// text (language measured over all of it, redactions applied).
#[derive(Debug)]
pub struct OutputScanner<'g> {
    guard: GuardRef<'g>,
    ctx: Context,
    text: String,
    /// Where the rules have read to: a sentence end, or the end.
    scanned: usize,
    /// The text's length when it was last scanned.
    checked: usize,
    /// Where the models have read to: a piece start, or the end.
    read_to: usize,
    /// The starts of the text's complete pieces, then of the piece still growing.
    piece_starts: Vec<usize>,
    /// The rules' weaker hits waiting for the models' reading of the text that holds them
    /// (see [`Scanner::withdraws_rules`](crate::Scanner::withdraws_rules)).
    held: Vec<Hit>,
    /// Whether a model may withdraw them at this stage.
    hold: bool,
    /// The held hits a model withdrew: the rules' overlapping windows find them again.
    withdrawn: Vec<Hit>,
    /// Payloads already decoded and scanned (where, what they decode to): the rules'
    /// overlapping windows find them again, and the models would read them again each time.
    decoded: Vec<(Span, String)>,
    lang_checked: usize,
    expected: Option<String>,
    hits: Vec<Hit>,
    pii: Vec<PiiMatch>,
    language: Option<LanguageReport>,
    action: Action,
}

/// The guard a scanner reads with: borrowed, or shared (a scanner on a thread of its own,
/// [`crate::ThreadedScanner`]).
#[derive(Debug)]
enum GuardRef<'g> {
    Borrowed(&'g Guard),
    Shared(Arc<Guard>),
}

impl Deref for GuardRef<'_> {
    type Target = Guard;

    fn deref(&self) -> &Guard {
        match self {
            GuardRef::Borrowed(g) => g,
            GuardRef::Shared(g) => g,
        }
    }
}

impl<'g> OutputScanner<'g> {
    pub(crate) fn new(guard: &'g Guard, ctx: Context) -> OutputScanner<'g> {
        OutputScanner::with(GuardRef::Borrowed(guard), ctx)
    }

    /// A scanner that owns a share of its guard, to run on another thread.
    pub(crate) fn shared(guard: Arc<Guard>, ctx: Context) -> OutputScanner<'static> {
        OutputScanner::with(GuardRef::Shared(guard), ctx)
    }

    fn with(guard: GuardRef<'g>, ctx: Context) -> OutputScanner<'g> {
        let hold = ctx.stage != crate::types::Stage::Input && guard.rules_withdrawable(&ctx);
        OutputScanner {
            guard,
            expected: ctx.expected_lang.clone(),
            ctx,
            text: String::new(),
            scanned: 0,
            checked: 0,
            read_to: 0,
            piece_starts: vec![0],
            held: Vec::new(),
            hold,
            withdrawn: Vec::new(),
            decoded: Vec::new(),
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
        let sentence_end = ends_sentence(&self.text, delta);
        self.text.push_str(delta);
        let pending = self.text.len() - self.checked;
        let unscanned = self.text.len() - self.scanned;
        if pending < CHUNK && !(sentence_end && unscanned >= 48) {
            return None;
        }
        let new = self.scan_window(false);
        let read = self.read_models(false);
        ((new || read) && self.action != Action::Allow).then(|| self.snapshot())
    }

    /// Scans what is left and returns the verdict for the whole text.
    pub fn finish(mut self) -> Verdict {
        if self.checked < self.text.len() || self.scanned < self.text.len() {
            self.scan_window(true);
        }
        self.read_models(true);
        let (report, lang_hit) = self.guard.language(&self.text, &self.ctx);
        self.language = Some(report);
        if let Some(h) = lang_hit {
            self.merge(vec![h]);
        }
        self.snapshot()
    }

    /// Scans `[scanned - OVERLAP, cut)`, its start moved back to the start of its sentence
    /// and `cut` the last sentence end (`last`, or [`RULES_UNENDED`] bytes with none: the
    /// end), so the rules read a sentence whole, as they read the whole text: "… talks about
    /// suicide, take it seriously and help them call a crisis line" is not flagged at its
    /// comma. The repetition and language checks read the tail as it is. True when a new hit
    /// was added. The models read apart ([`Self::read_models`]).
    fn scan_window(&mut self, last: bool) -> bool {
        self.checked = self.text.len();
        let cut = match last_sentence_end(&self.text, self.scanned) {
            _ if last => self.text.len(),
            Some(end) => end,
            None if self.text.len() - self.scanned >= RULES_UNENDED => self.text.len(),
            None => self.scanned,
        };
        let mut new_hits: Vec<Hit> = Vec::new();
        if cut > self.scanned {
            self.scan_rules(cut, &mut new_hits);
            self.scanned = cut;
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
        self.merge(new_hits)
    }

    /// The rules' (and injection's, PII's) reading of `[scanned - OVERLAP, cut)`, its start
    /// moved back to the start of its sentence, into `new_hits`; their weaker hits the
    /// models may withdraw are held instead ([`Self::read_models`]).
    fn scan_rules(&mut self, cut: usize, new_hits: &mut Vec<Hit>) {
        let start = sentence_start(
            &self.text,
            floor_char_boundary(&self.text, self.scanned.saturating_sub(OVERLAP)),
        );
        let window = &self.text[start..cut];
        let Findings { mut hits, pii, .. } = self.guard.find(window, &self.ctx, false, false);
        // Only a withdrawn hit or a decoded payload inside this window can be found again:
        // the lists stay short however long the answer.
        self.withdrawn
            .retain(|h| h.spans.iter().any(|s| s.end > start));
        self.decoded.retain(|(s, _)| s.end > start);
        // Each payload is scanned once (what it hides was merged when it was).
        let hidden: Vec<(Span, String)> = self
            .guard
            .hidden_payloads(window, self.ctx.stage)
            .into_iter()
            .filter(|(span, decoded)| {
                let key = (span.shifted(start), decoded.clone());
                let new = !self.decoded.contains(&key);
                if new {
                    self.decoded.push(key);
                }
                new
            })
            .collect();
        self.guard.scan_hidden(hidden, &self.ctx, &mut hits);
        for mut h in hits {
            h.spans = h.spans.iter().map(|s| s.shifted(start)).collect();
            if self.hold && withdrawable(&h) {
                let known = self
                    .held
                    .iter()
                    .chain(&self.hits)
                    .chain(&self.withdrawn)
                    .any(|x| {
                        x.category == h.category
                            && x.scanner == h.scanner
                            && overlapping(&x.spans, &h.spans)
                    });
                if !known {
                    self.held.push(h);
                }
            } else {
                new_hits.push(h);
            }
        }
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
    }

    /// The models (n-gram, classifier) read the pieces completed since they last read, once
    /// [`MODELS_EVERY`] bytes of them have gathered (`last`: whatever is left), from the
    /// latest piece start that gives them [`MODELS_MIN_CHARS`] to read. A forward pass of
    /// the classifier costs more than many tokens, and a sentence cut off mid-way, or a few
    /// sentences out of a long text, read differently from the text. True when a new hit was
    /// added.
    fn read_models(&mut self, last: bool) -> bool {
        let growing = self.piece_starts.last().copied().unwrap_or(0);
        let cuts = crate::document::piece_cuts(&self.text[growing..]);
        self.piece_starts
            .extend(cuts.iter().skip(1).map(|r| growing + r.start));
        let end = if last {
            self.text.len()
        } else {
            self.piece_starts.last().copied().unwrap_or(0)
        };
        let unread = end > self.read_to && (last || end - self.read_to >= MODELS_EVERY);
        // At the end, held hits are read even when the text itself has been.
        let held_at_end = last && !self.held.is_empty();
        if !unread && !held_at_end {
            return false;
        }
        let enough = |s: usize| {
            self.text[s..end]
                .chars()
                .nth(MODELS_MIN_CHARS - 1)
                .is_some()
        };
        // The held hits this reading covers, and where the first of them starts.
        let covered = |h: &Hit| h.spans.iter().all(|s| s.end <= end);
        let first_held = self
            .held
            .iter()
            .filter(|h| covered(h))
            .flat_map(|h| h.spans.iter().map(|s| s.start))
            .min()
            .unwrap_or(usize::MAX);
        let from = self.read_to.min(first_held);
        let start = self
            .piece_starts
            .iter()
            .rev()
            .copied()
            .filter(|&s| s <= from)
            .find(|&s| enough(s))
            .unwrap_or(0);
        if !last && !enough(start) {
            return false;
        }
        let (held, waiting): (Vec<Hit>, Vec<Hit>) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(covered);
        self.held = waiting;
        let held: Vec<Hit> = held
            .into_iter()
            .map(|mut h| {
                h.spans = h.spans.iter().map(|s| s.shifted_back(start)).collect();
                h
            })
            .collect();
        let hits: Vec<Hit> = self
            .guard
            .find_models(
                &self.text[start..end],
                &self.ctx,
                held.clone(),
                crate::technical::open_fence(&self.text[..start]),
            )
            .into_iter()
            .map(|mut h| {
                h.spans = h.spans.iter().map(|s| s.shifted(start)).collect();
                h
            })
            .collect();
        for mut h in held {
            h.spans = h.spans.iter().map(|s| s.shifted(start)).collect();
            if !hits.contains(&h) {
                self.withdrawn.push(h);
            }
        }
        self.read_to = self.read_to.max(end);
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
                        .filter(|s| !overlapping(&existing.spans, std::slice::from_ref(s)))
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

/// Whether `delta`, coming after `text`, may end a sentence: it holds a line break, `.`, `!`,
/// `?` or their CJK forms, or it starts with a space after a period (which ends a sentence
/// once a space follows it). Where the scanner reads before a chunk has gathered.
pub(crate) fn ends_sentence(text: &str, delta: &str) -> bool {
    (text.ends_with('.') && delta.starts_with(char::is_whitespace))
        || delta
            .chars()
            .any(|c| matches!(c, '\n' | '.' | '!' | '?' | '。' | '！' | '？'))
}

/// Where the last sentence of `text[from..]` ends ([`SENTENCE_ENDS`]; a period only when a
/// space follows it), if one does.
fn last_sentence_end(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    text[from..]
        .char_indices()
        .rev()
        .find(|&(i, c)| {
            SENTENCE_ENDS.contains(&c)
                && (c != '.' || bytes.get(from + i + 1).is_some_and(u8::is_ascii_whitespace))
        })
        .map(|(i, c)| from + i + c.len_utf8())
}

/// Whether a span of `a` overlaps a span of `b`.
fn overlapping(a: &[Span], b: &[Span]) -> bool {
    a.iter()
        .any(|x| b.iter().any(|y| x.start < y.end && y.start < x.end))
}

/// Longest piece [`stream_pieces`] gives a word.
const PIECE_MAX: usize = 8;

/// `text` cut the way a chat model's tokens come: a word with the spaces before it (a long
/// word in pieces of at most eight bytes), a mark or a line break on its own. The pieces
/// joined are the text. [`Guard::scan_streamed`] feeds them to an [`OutputScanner`].
pub fn stream_pieces(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let mut chars = rest.char_indices().peekable();
        let (_, first) = chars.next()?;
        let mut end = first.len_utf8();
        let mut word = first.is_alphanumeric();
        if first == ' ' {
            // The spaces before a word go with it.
            while let Some(&(i, c)) = chars.peek() {
                if c != ' ' {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
            if let Some(&(i, c)) = chars.peek() {
                if c.is_alphanumeric() {
                    end = i + c.len_utf8();
                    chars.next();
                    word = true;
                }
            }
        }
        if word {
            while let Some(&(i, c)) = chars.peek() {
                if !c.is_alphanumeric() || i + c.len_utf8() > PIECE_MAX {
                    break;
                }
                end = i + c.len_utf8();
                chars.next();
            }
        }
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(piece)
    })
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

    /// Withdraws the rules' weaker hazard hits from every text it reads, as the classifier
    /// does from a text it reads as confidently benign, and counts the characters it reads.
    #[derive(Debug, Default)]
    struct Withdrawing(std::sync::Arc<std::sync::Mutex<Vec<usize>>>);

    impl crate::Scanner for Withdrawing {
        fn name(&self) -> &str {
            "withdrawing"
        }
        fn scan(&self, norm: &crate::Normalized<'_>, _: &Context, out: &mut Vec<Hit>) {
            self.0.lock().unwrap().push(norm.original().chars().count());
            out.retain(|h| !withdrawable(h));
        }
        fn withdraws_rules(&self, _: &Context) -> bool {
            true
        }
    }

    fn withdrawing_guard() -> (Guard, std::sync::Arc<std::sync::Mutex<Vec<usize>>>) {
        let reads = std::sync::Arc::default();
        let mut guard = Guard::with_default_policy();
        guard.add_scanner(Box::new(Withdrawing(std::sync::Arc::clone(&reads))), true);
        (guard, reads)
    }

    #[test]
    fn weaker_rule_hits_wait_for_the_models_which_may_withdraw_them() {
        let text = "If the pan catches fire, smother the flames with a lid and keep the children \
            away from them. Melt the butter and brown sugar in a wide skillet over medium heat. \
            Stir in the cinnamon and let the sauce bubble until it turns glossy. Slice the \
            bananas lengthwise and lay them cut side down in the pan. Cook them for about a \
            minute on each side, spooning the sauce over the top. Add the rum off the heat, then \
            return the pan to the stove and tilt it toward the flame. Serve the bananas warm, \
            with a scoop of vanilla ice cream and a little extra sauce on the side. Leftover \
            sauce keeps in the fridge for a week and is lovely on pancakes. ";
        let (_, fin) = feed_all(&Guard::with_default_policy(), Stage::Output, text, 3);
        assert!(fin.has(Category::ViolentCrimes), "{fin:?}");
        let (guard, reads) = withdrawing_guard();
        let (seen, fin) = feed_all(&guard, Stage::Output, text, 3);
        assert!(
            seen.is_empty() && fin.action == Action::Allow,
            "{seen:?} {fin:?}"
        );
        // Each reading is a document's worth of the text.
        let reads = reads.lock().unwrap().clone();
        assert!(
            !reads.is_empty() && reads.iter().all(|&n| n >= MODELS_MIN_CHARS),
            "{reads:?}"
        );
        // A strong hit is never held: it blocks as soon as its sentence is read.
        let (seen, _) = feed_all(
            &guard,
            Stage::Output,
            "Sure. Here is how to make a pipe bomb at home: first you need a steel pipe. ",
            3,
        );
        assert_eq!(seen.first().map(|v| v.action), Some(Action::Block));
        // At the input stage nothing is held.
        assert!(!guard.output_scanner(Stage::Input).hold);
    }

    #[test]
    fn the_models_read_no_less_than_a_document_of_a_long_answer() {
        let (guard, reads) = withdrawing_guard();
        let text = "水是由氢和氧组成的，在常温下是一种无色无味的液体。".repeat(30);
        let mut s = guard.output_scanner(Stage::Output);
        for piece in stream_pieces(&text) {
            s.feed(piece);
            let read = reads.lock().unwrap().clone();
            assert!(read.iter().all(|&n| n >= MODELS_MIN_CHARS), "{read:?}");
        }
        assert!(!reads.lock().unwrap().is_empty());
        // A short answer is read whole, once, at the end.
        reads.lock().unwrap().clear();
        let (_, _) = feed_all(
            &guard,
            Stage::Output,
            "Water boils at 100 °C at sea level.",
            3,
        );
        assert_eq!(*reads.lock().unwrap(), [35]);
    }

    #[test]
    fn a_payload_is_decoded_and_read_once_however_many_windows_hold_it() {
        let (guard, reads) = withdrawing_guard();
        // "how to make a pipe bomb at home" (31 characters) in base64, in the middle of an
        // answer long enough for several overlapping windows to hold it.
        let text = format!(
            "{}The string aG93IHRvIG1ha2UgYSBwaXBlIGJvbWIgYXQgaG9tZQ== is what the log shows {}",
            "The service restarts every night and writes its state to the log file. ".repeat(3),
            "and the rest of the night is quiet, with short lines and no errors at all. ".repeat(6)
        );
        let (_, fin) = feed_all(&guard, Stage::Output, &text, 2);
        assert!(
            fin.hits.iter().any(|h| h.scanner.ends_with(".encoded")),
            "{fin:?}"
        );
        let payload_reads = reads.lock().unwrap().iter().filter(|&&n| n == 31).count();
        assert_eq!(payload_reads, 1);
    }

    #[test]
    fn a_sentence_is_read_whole_while_streaming() {
        // Its first 128 bytes, read alone, are flagged (S11: no help offered yet).
        let text = "Si un amigo te escribe «quiero morir», no lo dejes solo, quédate a su lado y \
                    escúchalo con calma, sin juzgar nada de lo que diga, y después llamen juntos a \
                    una línea de ayuda. ";
        let guard = Guard::with_default_policy();
        let prefix = &text[..floor_char_boundary(text, 128)];
        assert!(guard
            .scan(prefix, &Context::new(Stage::Output))
            .has(Category::SelfHarm));
        let (seen, fin) = feed_all(&guard, Stage::Output, text, 3);
        assert!(
            seen.is_empty() && fin.action == Action::Allow,
            "{seen:?} {fin:?}"
        );
    }

    #[test]
    fn stream_pieces_are_words_and_marks_that_join_into_the_text() {
        let text = "Hello,  wonderful world!\n水是由氢和氧组成的。 x";
        let pieces: Vec<&str> = stream_pieces(text).collect();
        assert_eq!(pieces.concat(), text);
        assert_eq!(
            pieces,
            [
                "Hello", ",", "  wonder", "ful", " world", "!", "\n", "水是", "由氢", "和氧",
                "组成", "的", "。", " x"
            ]
        );
        assert_eq!(stream_pieces("").count(), 0);
        assert_eq!(stream_pieces("   ").collect::<Vec<_>>(), ["   "]);
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
