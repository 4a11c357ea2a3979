//! Warden's ML input classifier: sentence embeddings from all-MiniLM-L6-v2 (run in-process
//! with candle and Warden's own encoder) and a small trained head, plugged into a [`warden_guard::Guard`] as a
//! [`Scanner`].
//!
//! # Overview
//!
//! ```no_run
//! use warden_classifier::MiniLmClassifier;
//! use warden_guard::{Context, Guard};
//!
//! let mut guard = Guard::with_default_policy();
//! // Loading reads ~91 MB of weights: do it once, at start-up (I/O lives here, not in `scan`).
//! match MiniLmClassifier::load(warden_classifier::default_model_dir()) {
//!     Ok(c) => guard.add_scanner(Box::new(c), true),
//!     // Optional: the policy's `optional_scanners.fail_mode` decides what a missing one means.
//!     Err(e) => guard.add_scanner(Box::new(MiniLmClassifier::unavailable(e)), true),
//! }
//! let v = guard.scan("where can I buy a card skimmer for gas pumps", &Context::input());
//! # let _ = v;
//! ```
//!
//! # Why a separate crate
//!
//! `warden-guard` stays pure and quick to build: the rules, PII and language checks need no
//! tensor library. The classifier brings candle and tokenizers (a few minutes of compile time)
//! and a model file, and is added to a guard by the caller through
//! [`Guard::add_scanner`](warden_guard::Guard::add_scanner).
//!
//! # How it decides
//!
//! The canonical text (after the guard's normalization: leetspeak, homoglyphs, invisible
//! characters folded) is tokenized, cut into windows of at most 128 tokens (the first four by default, run as one batch), embedded with mean
//! pooling + L2 normalization (the sentence-transformers recipe), and each window is scored by
//! the [`Head`]: a "harmful" probability (64 hidden ReLU units, logistic output) and a softmax over the hazard categories
//! S1..S14. The most harmful window counts. A probability at or above the head's calibrated
//! threshold becomes a [`Hit`] whose score maps `[threshold, 1]` onto `[0.5, 1]`, so the
//! policy's usual 0.5 threshold applies unchanged.
//!
//! The head is trained by [`train::train_head`] (deterministic: full-batch Adam and gradient descent,
//! a seeded cross-validation picks the threshold) and committed as `data/head.json`.
//!
//! A text longer than [`FOCUS_MIN_BYTES`] (a pasted document, an email, a story: see
//! [`is_document`]) is read by a second pair of models, the document head and English n-gram
//! model (`data/head_document.json`, `data/ngram_en_document.bin`), trained on the same
//! prompts plus the windows and sentences of long texts ([`train::document_readings`]) and
//! the pieces of a model's technical answers (code, math, tables, logs: [`train::ANSWER`]):
//! the prompt models, trained on prompts only, read 126-token windows of prose and sentences
//! out of context as harmful (23 of 40 ordinary long texts flagged), and training them on
//! long text cost recall on short prompts; two readers keep each on what it was trained for.
//!
//! A prompt of at most [`TURN_MAX_WORDS`] words that a third head, the turn head
//! (`data/head_turn.json`), reads as a chat's turn ("thanks", "tell me more") or a small
//! model's degenerate text is not read at all ([`TURN_GATE`]): the prompt models never saw
//! such text and read it as harmful, and training them on it cost them requests. A disguised
//! prompt is never a turn ([`MiniLmClassifier::predict_normalized`]). At the reasoning and
//! output stages, a model's all but wordless text ([`is_wordless`]: a small model's
//! fragments, ASCII art) is not read either.

mod attn;
mod embed;
mod encoder;
mod head;
mod par;
pub mod qgemm;
mod simd;
#[doc(hidden)]
pub use simd::{cap_tier, detected as detected_tier, Tier};
pub mod train;

pub use embed::{default_model_dir, Embed, MiniLmEmbedder, MAX_WINDOW_TOKENS};
pub use encoder::{Config, Encoder, Precision};
pub use head::{Head, Prediction};

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use warden_guard::ngram::NgramModel;
use warden_guard::{Category, Context, Hit, Normalized, Scanner, Span, Stage};

/// The committed head, trained on `warden-guard`'s dev set plus `data/train.jsonl`.
pub const HEAD_JSON: &str = include_str!("../data/head.json");

/// The committed English character n-gram model (trained with the head on the same samples).
pub const NGRAM_EN: &[u8] = include_bytes!("../data/ngram_en.bin");

/// The committed document head (see [`is_document`]).
pub const HEAD_DOCUMENT_JSON: &str = include_str!("../data/head_document.json");

/// The committed English n-gram model for documents (trained with the document head).
pub const NGRAM_EN_DOCUMENT: &[u8] = include_bytes!("../data/ngram_en_document.bin");

/// The committed turn head (see [`TURN_GATE`]), trained on the prompts and `data/turns.jsonl`.
pub const HEAD_TURN_JSON: &str = include_str!("../data/head_turn.json");

/// The turn head's reading at or above which a short prompt is a chat's turn and not read by
/// the ensemble. The prompts the ensemble learned from are whole requests and their
/// look-alikes; a follow-up ("thanks", "tell me more", "can you explain that again?"), an
/// emoji or a small model's degenerate text is outside what it knows, and its perceptron read
/// such text at 0.98 and over (42 of the 120 benign turns of `data/turns_probe.jsonl`
/// flagged). Retraining the ensemble on turns cost it requests of the public sets, so a
/// separate head tells turns from requests (harmful follow-ups among the requests) and the
/// ensemble abstains on a confident turn; the rules still read it. Chosen before measuring.
pub const TURN_GATE: f32 = 0.9;

/// A prompt of more words than this is never a turn to the gate (the benign turns learned
/// from have at most 12), so a whole request cannot lose the ensemble's reading to it.
pub const TURN_MAX_WORDS: usize = 16;

/// A model's text (reasoning or answer) with fewer distinct content words than this, and
/// fewer than one for every two of its words, is not read by the classifier
/// ([`is_wordless`]).
pub const MIN_CONTENT_WORDS: usize = 3;

/// English function words, numerals and interjections: the words that say nothing of a
/// text's subject ([`content_words`]).
const FUNCTION_WORDS: &str =
    "a about above after again against all also am an and any are as at be because been \
     before being below between both but by can could did do does doing down during each \
     either else even ever every few for from further had has have having he her here hers \
     herself him himself his how however i if in into is it its itself just least less let \
     like may me might mine more most much must my myself neither no nor not now of off often \
     on once one only or other ought our ours ourselves out over own per perhaps quite rather \
     same several shall she should since so some such than that the their theirs them \
     themselves then there therefore these they this those though through thus to too under \
     until up upon us very was we were what whatever when where whether which while who whom \
     whose why will with within without would yes yet you your yours yourself yourselves two \
     three four five six seven eight nine ten okay sure well oh yeah";

/// [`FUNCTION_WORDS`], as a set.
fn function_words() -> &'static std::collections::HashSet<&'static str> {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| FUNCTION_WORDS.split_whitespace().collect())
}

/// The distinct content words of a canonical text: its words of three letters or more
/// (punctuation around them dropped; a token with a digit or a mark inside is no word) that
/// are not among the 179 English function words, numerals and interjections it skips.
pub fn content_words(canonical: &str) -> std::collections::BTreeSet<String> {
    content_word_iter(canonical).collect()
}

/// The content words of [`content_words`], repeats included, in order.
fn content_word_iter(canonical: &str) -> impl Iterator<Item = String> + '_ {
    canonical
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().nth(2).is_some() && w.chars().all(char::is_alphabetic))
        .map(str::to_lowercase)
        .filter(|w| !function_words().contains(w.as_str()))
}

/// Whether a model's text is all but wordless: fewer than [`MIN_CONTENT_WORDS`] distinct
/// content words, and fewer than one for every two of its whitespace-separated tokens. A
/// small model's degenerate answer is such a text ("Person = 80 / The 62012 / username / 1
/// 42222", "the the / to the with / their their", ASCII art): the prompt models never saw
/// one and read it as harmful with confidence (the default model's 24-token answers to
/// "Name a tree." blocked as S14 and S10), and it says nothing a reader could use. A short
/// real answer keeps its reading: "Bleach and ammonia." has two content words in three
/// tokens.
pub fn is_wordless(canonical: &str) -> bool {
    // Stops at the third distinct content word: a long answer is not collected whole.
    let mut seen: Vec<String> = Vec::with_capacity(MIN_CONTENT_WORDS);
    for w in content_word_iter(canonical) {
        if !seen.contains(&w) {
            seen.push(w);
            if seen.len() == MIN_CONTENT_WORDS {
                return false;
            }
        }
    }
    2 * seen.len() < canonical.split_whitespace().count()
}

/// [`NGRAM_EN`], parsed once.
pub fn english_ngram() -> &'static NgramModel {
    static MODEL: OnceLock<NgramModel> = OnceLock::new();
    // The file is checked by the tests; failing here is a build bug.
    MODEL.get_or_init(|| NgramModel::from_bytes(NGRAM_EN).expect("data/ngram_en.bin parses"))
}

/// [`NGRAM_EN_DOCUMENT`], parsed once.
pub fn english_document_ngram() -> &'static NgramModel {
    static MODEL: OnceLock<NgramModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        NgramModel::from_bytes(NGRAM_EN_DOCUMENT).expect("data/ngram_en_document.bin parses")
    })
}

/// Whether a canonical text is a document rather than a prompt: longer than
/// [`FOCUS_MIN_BYTES`]. Every training prompt is shorter (the longest 379 bytes; a window of
/// 126 tokens covers 500-650 bytes of prose), so a longer text is read by the document
/// models, trained on what the classifier reads of long texts.
pub fn is_document(canonical: &str) -> bool {
    canonical.len() > FOCUS_MIN_BYTES
}

/// The n-gram probability a sentence needs before [`MiniLmClassifier`] embeds it on its own.
pub const FOCUS_GATE: f32 = 0.8;
/// Canonical texts longer than this (bytes) are documents ([`is_document`]), read by the
/// document models, and have their most suspicious sentence embedded on its own:
/// a short prompt's window is mostly that sentence already, and every extra reading of a
/// benign prompt is one more chance of a false positive (on the unseen sets, focusing on
/// prompts of two or three sentences added 1.5–2 points of benign FPR and almost no recall).
pub const FOCUS_MIN_BYTES: usize = 400;

/// Below this ensemble probability an English prompt reads as confidently benign, and the
/// rules' weaker hazard hits on it (score under [`STRONG_RULE`]: a term next to an action or
/// a request, not a strong pattern) are withdrawn before the policy sees them. On the
/// training data's out-of-fold predictions this took the benign FPR of rules plus ensemble
/// from 0.088 to 0.075 at the same recall (0.904); on unseen A's English look-alikes 0.036 →
/// 0.018, unseen C 0.080 → 0.075, HarmBench 0.700 → 0.695 (one prompt).
pub const VETO_BELOW: f32 = 0.05;
/// The same bar for a document ([`is_document`]), read by the document models: a long
/// ordinary text on a hard subject (a fraud-prevention leaflet, a pharmacist's dosing notes)
/// rarely reads below 0.05 (181 of the 335 long benign training texts do, 284 below 0.2),
/// while every long text hiding a request in the probes reads above 0.3.
pub const DOCUMENT_VETO_BELOW: f32 = 0.2;
/// A rule hit at or above this score (a strong term or pattern) is never withdrawn.
pub use warden_guard::scanner::STRONG_RULE;

/// Scanner name, also the prefix of [`Hit::scanner`].
pub const NAME: &str = "classifier";

/// What went wrong loading the classifier.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClassifierError {
    /// A model file is missing or unreadable.
    #[error("classifier model file {path}: {message} (run scripts/fetch-classifier.sh or set WARDEN_MINILM_DIR)")]
    Missing {
        /// The file.
        path: String,
        /// The reason.
        message: String,
    },
    /// The tokenizer or the weights could not be parsed or run.
    #[error("classifier model: {0}")]
    Model(String),
    /// The head JSON is malformed.
    #[error("classifier head: {0}")]
    Head(String),
}

impl From<candle_core::Error> for ClassifierError {
    fn from(e: candle_core::Error) -> Self {
        ClassifierError::Model(e.to_string())
    }
}

/// The embedder, loaded now, later (on first use or [`Scanner::prepare`]), or never.
#[derive(Debug)]
struct LazyEmbedder {
    dir: Option<PathBuf>,
    cell: OnceLock<Result<MiniLmEmbedder, String>>,
}

impl LazyEmbedder {
    fn get(&self) -> Result<&MiniLmEmbedder, &str> {
        self.cell
            .get_or_init(|| match &self.dir {
                Some(dir) => MiniLmEmbedder::load(dir).map_err(|e| e.to_string()),
                None => Err("the classifier was not loaded".to_string()),
            })
            .as_ref()
            .map_err(String::as_str)
    }

    fn with(result: Result<MiniLmEmbedder, String>) -> LazyEmbedder {
        LazyEmbedder {
            dir: None,
            cell: OnceLock::from(result),
        }
    }
}

/// The MiniLM classifier as a guard [`Scanner`].
#[derive(Debug)]
pub struct MiniLmClassifier {
    embedder: Arc<LazyEmbedder>,
    head: Head,
    /// The reader of documents ([`is_document`]).
    document_head: Head,
    /// The gate on a chat's turns ([`TURN_GATE`]); `None` reads every prompt.
    turn_head: Option<Head>,
    stages: Vec<Stage>,
    max_windows: usize,
    /// The first error of a forward pass (the weights file, read a row at a time, became
    /// unreadable): from then on the classifier is not [`ready`](Scanner::ready), so the
    /// policy's fail mode applies.
    failed: std::sync::OnceLock<String>,
}

impl MiniLmClassifier {
    /// Loads the weights and tokenizer from `dir` (the layout `scripts/fetch-classifier.sh`
    /// installs) with the committed head. Runs on the input stage only; see
    /// [`with_stages`](Self::with_stages).
    pub fn load(dir: impl AsRef<Path>) -> Result<MiniLmClassifier, ClassifierError> {
        let embedder = MiniLmEmbedder::load(dir)?;
        Ok(MiniLmClassifier::new(embedder, Head::builtin()?)
            .with_document_head(Head::builtin_document()?)
            .with_turn_head(Some(Head::builtin_turn()?)))
    }

    /// Like [`load`](Self::load), but the weights (~90 MB resident) are read on first use
    /// or when [`Scanner::prepare`] is called (the app does when it loads a chat model), so a
    /// window that only reviews the audit log never holds them. The files are checked now
    /// ([`MiniLmEmbedder::check`]: missing, unparsable or truncated is an error here); one
    /// that passes the check and still fails to load makes the classifier not
    /// [`ready`](Scanner::ready) when it is first needed (the policy's fail mode applies).
    pub fn lazy(dir: impl AsRef<Path>) -> Result<MiniLmClassifier, ClassifierError> {
        let dir = dir.as_ref();
        MiniLmEmbedder::check(dir)?;
        let embedder = LazyEmbedder {
            dir: Some(dir.to_owned()),
            cell: OnceLock::new(),
        };
        Ok(MiniLmClassifier::with_embedder(embedder, Head::builtin()?)
            .with_document_head(Head::builtin_document()?)
            .with_turn_head(Some(Head::builtin_turn()?)))
    }

    /// A classifier from parts (a retrained head, a shared embedder); the head reads
    /// documents too until [`with_document_head`](Self::with_document_head), and every prompt
    /// until [`with_turn_head`](Self::with_turn_head).
    pub fn new(embedder: MiniLmEmbedder, head: Head) -> MiniLmClassifier {
        MiniLmClassifier::with_embedder(LazyEmbedder::with(Ok(embedder)), head)
    }

    /// The head for documents ([`is_document`]). Documents are read with the document
    /// English n-gram model when the head is an ensemble's.
    pub fn with_document_head(mut self, head: Head) -> MiniLmClassifier {
        self.document_head = head;
        self
    }

    /// The head that tells a chat's turns from requests ([`TURN_GATE`]); `None` turns the
    /// gate off.
    pub fn with_turn_head(mut self, head: Option<Head>) -> MiniLmClassifier {
        self.turn_head = head;
        self
    }

    fn with_embedder(embedder: LazyEmbedder, head: Head) -> MiniLmClassifier {
        MiniLmClassifier {
            embedder: Arc::new(embedder),
            document_head: head.clone(),
            turn_head: None,
            head,
            stages: vec![Stage::Input],
            max_windows: 4,
            failed: std::sync::OnceLock::new(),
        }
    }

    /// A placeholder that is never [`ready`](Scanner::ready): register it when loading failed
    /// so the policy's fail mode (open: skip, closed: block) applies and the audit log names it.
    pub fn unavailable(error: ClassifierError) -> MiniLmClassifier {
        MiniLmClassifier {
            max_windows: 0,
            ..MiniLmClassifier::with_embedder(
                LazyEmbedder::with(Err(error.to_string())),
                Head::empty(),
            )
        }
    }

    /// The stages to classify. The default is the input only: an output window is rescanned
    /// every ~128 bytes while streaming, and a forward pass per window costs more than a token.
    pub fn with_stages(mut self, stages: &[Stage]) -> MiniLmClassifier {
        self.stages = stages.to_vec();
        self
    }

    /// At most this many 128-token windows of a long text are classified (the first ones);
    /// the default, 4, bounds a scan to 512 tokens (~25 ms on two cores). The rules still see
    /// the whole text.
    pub fn with_max_windows(mut self, n: usize) -> MiniLmClassifier {
        self.max_windows = n.max(1);
        self
    }

    /// Why loading failed, for an [`unavailable`](Self::unavailable) classifier or a lazy
    /// one whose weights could not be read (`None` while a lazy one is not yet loaded), or
    /// why a forward pass failed after loading (the weights file became unreadable).
    pub fn load_error(&self) -> Option<&str> {
        if let Some(e) = self.failed.get() {
            return Some(e);
        }
        self.embedder.cell.get()?.as_ref().err().map(String::as_str)
    }

    /// The head that reads prompts.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// The head that reads documents ([`is_document`]).
    pub fn document_head(&self) -> &Head {
        &self.document_head
    }

    /// The head that tells a chat's turns from requests ([`TURN_GATE`]), if the gate is on.
    pub fn turn_head(&self) -> Option<&Head> {
        self.turn_head.as_ref()
    }

    /// The head and English n-gram model that read `canonical`: the document ones for a
    /// document ([`is_document`]), else the prompt ones.
    pub fn reader(&self, canonical: &str) -> (&Head, &'static NgramModel) {
        if is_document(canonical) {
            (&self.document_head, english_document_ngram())
        } else {
            (&self.head, english_ngram())
        }
    }

    /// The embedder (loading a lazy one now), if it loads.
    pub fn embedder(&self) -> Option<&MiniLmEmbedder> {
        self.embedder.get().ok()
    }

    /// Whether the turn head reads a prompt of one window (`embedding`) as a chat's turn
    /// ([`TURN_GATE`], [`TURN_MAX_WORDS`]).
    pub fn is_turn(&self, canonical: &str, embedding: &[f32]) -> bool {
        self.turn_head.as_ref().is_some_and(|turn| {
            !is_document(canonical)
                && canonical.split_whitespace().nth(TURN_MAX_WORDS).is_none()
                && turn.predict(embedding).harmful >= TURN_GATE
        })
    }

    /// The most harmful window's prediction for a canonical text (see
    /// [`Normalized::as_str`]); `None` when not loaded, the text is empty, inference failed
    /// or the text is a chat's turn ([`is_turn`](Self::is_turn)). A canonical text keeps no
    /// record of its disguises; [`predict_normalized`](Self::predict_normalized) does.
    pub fn predict_canonical(&self, canonical: &str) -> Option<Prediction> {
        self.read(canonical, true)
    }

    /// [`predict_canonical`](Self::predict_canonical) on a normalized text, where a disguised
    /// one (letters spaced out, leetspeak, look-alike letters or invisible characters folded
    /// away: [`Normalized::obfuscation`]) is never a chat's turn. A follow-up is typed
    /// plainly, and the turn head never saw a disguise: "w h a t   i s   t h e   e a s i e s t
    /// w a y   t o   d i e" folds to one long word, which it read as a turn.
    pub fn predict_normalized(&self, norm: &Normalized<'_>) -> Option<Prediction> {
        self.read(norm.as_str(), !norm.obfuscation().any())
    }

    /// The ensemble's reading of a canonical text, after the turn gate when `turns`.
    fn read(&self, canonical: &str, turns: bool) -> Option<Prediction> {
        let embedder = self.embedder.get().ok()?;
        let windows = match embedder.embed_windows_with_text(canonical, self.max_windows) {
            Ok(w) => w,
            Err(e) => {
                self.failed.get_or_init(|| e.to_string());
                return None;
            }
        };
        if let [(e, _)] = windows.as_slice() {
            if turns && self.is_turn(canonical, e) {
                return None;
            }
        }
        let (head, ngram) = self.reader(canonical);
        // Each window's perceptron reading is combined with the n-gram model's reading of
        // the same stretch of text (a whole long text would dilute one harmful sentence).
        windows
            .iter()
            .map(|(e, range)| {
                let mut p = head.predict(e);
                if head.ngram {
                    let text = canonical.get(range.clone()).unwrap_or(canonical);
                    p.harmful = Head::combine(p.harmful, ngram.predict(text).harmful);
                }
                p
            })
            .chain(
                head.ngram
                    .then(|| predict_focus(head, ngram, embedder, canonical))
                    .flatten(),
            )
            .max_by(|a, b| a.harmful.total_cmp(&b.harmful))
    }

    /// [`predict_normalized`](Self::predict_normalized) on the guard's normalization of
    /// `text`.
    pub fn predict(&self, text: &str) -> Option<Prediction> {
        self.predict_normalized(&Normalized::new(text))
    }
}

impl Scanner for MiniLmClassifier {
    fn name(&self) -> &str {
        NAME
    }

    fn scan(&self, norm: &Normalized<'_>, ctx: &Context, out: &mut Vec<Hit>) {
        if !self.stages.contains(&ctx.stage)
            || !warden_guard::language::is_english_canonical(norm.original(), norm.as_str())
        {
            return;
        }
        // A model's all but wordless text is not read; a user's short message is (the turn
        // gate decides on it): "kill him" is a request.
        if ctx.stage != Stage::Input && is_wordless(norm.as_str()) {
            return;
        }
        let Some(p) = self.predict_normalized(norm) else {
            return;
        };
        let (head, _) = self.reader(norm.as_str());
        let veto = if is_document(norm.as_str()) {
            DOCUMENT_VETO_BELOW
        } else {
            VETO_BELOW
        };
        // Only where the text is English by the detector's best guess, not merely not
        // reliably something else: a short Portuguese request reads as noise to MiniLM.
        if head.ngram
            && p.harmful < veto
            && warden_guard::language::detects_english(norm.original())
        {
            out.retain(|h| !warden_guard::scanner::withdrawable(h));
        }
        if let Some(score) = head.hit_score(p.harmful) {
            let span = Span::new(0, norm.original().len());
            out.push(Hit::new(
                p.category,
                score,
                format!("{NAME}.minilm"),
                vec![span],
            ));
        }
    }

    fn ready(&self) -> bool {
        self.embedder.get().is_ok() && self.failed.get().is_none()
    }

    fn withdraws_rules(&self, ctx: &Context) -> bool {
        self.stages.contains(&ctx.stage)
    }

    fn prepare(&self) {
        if self.embedder.cell.get().is_some() {
            return;
        }
        let embedder = Arc::clone(&self.embedder);
        // A failed thread start only means the first scan loads the weights itself.
        let _ = std::thread::Builder::new()
            .name("minilm-load".into())
            .spawn(move || {
                let _ = embedder.get();
            });
    }
}

/// The ensemble's reading of the one sentence the n-gram model finds most harmful, in a
/// text of several sentences: mean pooling over a window dilutes a single harmful
/// request among benign ones (a phishing request inside a paragraph about a hiking club
/// read 0.12 to the perceptron, 0.92 to the n-gram model), so that sentence is embedded on
/// its own (one more short forward pass). `None` for a prompt (not [`is_document`]), a
/// single sentence, or when no sentence reads at least [`FOCUS_GATE`] to the n-gram model.
fn predict_focus(
    head: &Head,
    ngram: &NgramModel,
    embedder: &MiniLmEmbedder,
    canonical: &str,
) -> Option<Prediction> {
    if !is_document(canonical) {
        return None;
    }
    let text = &canonical
        [..warden_guard::normalize::floor_char_boundary(canonical, warden_guard::ngram::MAX_BYTES)];
    let mut best: Option<(f32, &str)> = None;
    for s in sentences(text) {
        let p = ngram.predict(s).harmful;
        if best.is_none_or(|(b, _)| p > b) {
            best = Some((p, s));
        }
    }
    // A sentence that is the whole text is what the windows read already.
    let (q, sentence) = best?;
    if q < FOCUS_GATE || sentence == text.trim() {
        return None;
    }
    let mut p = head.predict(&embedder.embed(sentence).ok()?);
    p.harmful = Head::combine(p.harmful, q);
    Some(p)
}

/// The sentences of `text` the "most suspicious sentence" reading weighs (and the trainer
/// learns from, for a long benign text): cut after `.`, `!`, `?`, `;`, a line break or the
/// other marks of [`warden_guard::document::SENTENCE_ENDS`] (where the trainer's pieces are
/// cut too), trimmed, three words or more.
pub fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(warden_guard::document::SENTENCE_ENDS)
        .map(str::trim)
        .filter(|s| s.split_whitespace().nth(2).is_some())
}

/// Whether the classifier applies to `text` (see [`warden_guard::language::is_english`]):
/// MiniLM-L6 is an English model; other languages go to the guard's n-gram model and rules.
pub use warden_guard::language::is_english;

/// The hazard categories the head predicts, in head order.
pub fn hazards() -> Vec<Category> {
    Category::ALL
        .iter()
        .copied()
        .filter(|c| c.is_hazard())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_models_degenerate_text_is_wordless() {
        for text in [
            // The default model's 24-token answers to "Name a fruit." and "Name a colour.",
            // which the classifier read as S7 and S8.
            "Person = 80\nThe 62012\nusername\n1 42222",
            "4x4  4x4\nthe last two  \nthe last\n4x2 4x2\n",
            "root | user | | / | /",
            "the the / to the with / their their",
            "Sure! Sure! Sure! Sure!",
            "+--------+\n|        |\n+--------+",
            "I I I I I I I",
        ] {
            assert!(is_wordless(text), "{text:?}");
        }
    }

    #[test]
    fn the_function_words_are_words() {
        let set = function_words();
        assert_eq!(set.len(), 179, "no word twice");
        assert!(set.iter().all(|w| w.len() <= 10), "two words joined");
        assert!(set.contains("been") && set.contains("before") && set.contains("yeah"));
    }

    #[test]
    fn a_short_real_answer_or_sentence_is_read() {
        for text in [
            "Bleach and ammonia.",
            "Use a knife.",
            "kill him",
            "Mix the two in a closed room and wait.",
            // The default model's answer to "Name a tree.", read and let through.
            "where this tree could be the same as before?\nyes\nyes\ntree is a very different \
             tree in this scenario",
        ] {
            assert!(!is_wordless(text), "{text:?}");
        }
        assert_eq!(
            content_words("The oak, the OAK and 3 oaks; x2 don't").len(),
            2,
            "oak and oaks, once each; no numbers, marks or function words"
        );
    }
}
