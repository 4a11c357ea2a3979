//! DeepSeek-R1 specific faults.
//!
//! R1 distills write `<think>…</think>` and then the answer. Their chat template usually opens
//! the `<think>` block itself, so a generation often starts *inside* it without the opening tag.
//! The faults worth catching (see the paper in the design notes: language mixing, endless
//! reasoning, readability):
//!
//! - **reasoning leak**: no `</think>` at the end of the generation: everything the user would
//!   see is reasoning.
//! - **empty think block**: `<think>\n\n</think>` — the model skipped reasoning (common on
//!   refusals and with some quantizations), worth flagging on math/code prompts.
//! - **repetition loop**: the same n-gram repeated many times at the very end; the pipeline
//!   should stop generating.
//! - **runaway length**: reasoning or answer past the policy's limits.
//!
//! These are helpers the pipeline calls on the final (or partial) text; the
//! [`OutputScanner`](crate::OutputScanner) runs the loop check on its own.

use crate::policy::R1Limits;
use crate::types::{Category, Hit, Span};
use serde::{Deserialize, Serialize};

/// A generation split into reasoning and answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThinkSplit<'a> {
    /// The reasoning, without tags.
    pub reasoning: &'a str,
    /// The answer after `</think>` (empty when the block never closed).
    pub answer: &'a str,
    /// Whether `<think>` appeared.
    pub opened: bool,
    /// Whether `</think>` appeared.
    pub closed: bool,
    /// Byte span of the reasoning in the input.
    pub reasoning_span: Span,
    /// Byte span of the answer in the input.
    pub answer_span: Span,
}

/// Splits an R1 generation. Without any tag the text counts as reasoning when `starts_in_think`
/// (the template opened the block), else as answer.
pub fn split_think(text: &str, starts_in_think: bool) -> ThinkSplit<'_> {
    let open = text.find("<think>");
    let close = text.find("</think>");
    let r_start = open.map_or(0, |o| o + "<think>".len());
    match close {
        Some(c) if c >= r_start => {
            let a_start = c + "</think>".len();
            ThinkSplit {
                reasoning: &text[r_start..c],
                answer: &text[a_start..],
                opened: open.is_some(),
                closed: true,
                reasoning_span: Span::new(r_start, c),
                answer_span: Span::new(a_start, text.len()),
            }
        }
        _ if open.is_some() || starts_in_think => ThinkSplit {
            reasoning: &text[r_start..],
            answer: "",
            opened: open.is_some(),
            closed: false,
            reasoning_span: Span::new(r_start, text.len()),
            answer_span: Span::new(text.len(), text.len()),
        },
        _ => ThinkSplit {
            reasoning: "",
            answer: text,
            opened: false,
            closed: false,
            reasoning_span: Span::new(0, 0),
            answer_span: Span::new(0, text.len()),
        },
    }
}

/// A repetition loop at the end of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repetition {
    /// The repeated n-gram, words joined by single spaces.
    pub ngram: String,
    /// Words in the n-gram.
    pub n: usize,
    /// How many times it repeats back to back at the end.
    pub repeats: usize,
    /// Byte span of the repeated region.
    pub span: Span,
}

/// What the R1 checks found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct R1Report {
    /// No `</think>`: the whole generation is reasoning.
    pub reasoning_leak: bool,
    /// `<think></think>` with only whitespace inside.
    pub empty_think: bool,
    /// A loop at the end.
    pub repetition: Option<Repetition>,
    /// Reasoning or answer past the limits.
    pub runaway: bool,
    /// The pipeline should stop generating (a loop or runaway length).
    pub stop_recommended: bool,
}

impl R1Report {
    /// True when nothing was found.
    pub fn is_clean(&self) -> bool {
        !self.reasoning_leak && !self.empty_think && self.repetition.is_none() && !self.runaway
    }

    /// The report as hits (category [`Category::R1`]), for a [`Verdict`](crate::Verdict).
    pub fn hits(&self, text_len: usize) -> Vec<Hit> {
        let mut out = Vec::new();
        let whole = vec![Span::new(0, text_len)];
        if self.reasoning_leak {
            out.push(Hit::new(
                Category::R1,
                0.9,
                "r1.reasoning_leak",
                whole.clone(),
            ));
        }
        if self.empty_think {
            out.push(Hit::new(Category::R1, 0.6, "r1.empty_think", Vec::new()));
        }
        if let Some(r) = &self.repetition {
            out.push(Hit::new(Category::R1, 0.9, "r1.repetition", vec![r.span]));
        }
        if self.runaway {
            out.push(Hit::new(Category::R1, 0.8, "r1.runaway", whole));
        }
        out
    }
}

/// Runs every check on a complete (or partial, with `finished = false`) generation.
/// A partial generation is not a reasoning leak yet.
pub fn check(text: &str, starts_in_think: bool, finished: bool, limits: &R1Limits) -> R1Report {
    let split = split_think(text, starts_in_think);
    let reasoning_leak = finished && !split.closed && (split.opened || starts_in_think);
    let empty_think = split.closed && split.reasoning.trim().is_empty();
    let repetition = find_repetition(text, limits.max_ngram, limits.min_repeats);
    let runaway = split.reasoning.chars().count() > limits.max_reasoning_chars
        || split.answer.chars().count() > limits.max_answer_chars;
    R1Report {
        reasoning_leak,
        empty_think,
        stop_recommended: repetition.is_some() || runaway,
        repetition,
        runaway,
    }
}

/// Looks at the last few KiB for an n-gram of 1..=`max_n` words repeated at least
/// `min_repeats` times back to back at the very end. Short n-grams need more repeats (a word
/// said six times can be emphasis; a twenty-word sentence said six times is a loop), and the
/// repeated region must be at least 48 characters.
pub fn find_repetition(text: &str, max_n: usize, min_repeats: usize) -> Option<Repetition> {
    const TAIL: usize = 8 * 1024;
    let from = crate::normalize::ceil_char_boundary(text, text.len().saturating_sub(TAIL));
    let tail = &text[from..];
    let words: Vec<(usize, &str)> = tail
        .split_whitespace()
        .map(|w| ((w.as_ptr() as usize) - (tail.as_ptr() as usize), w))
        .collect();
    let len = words.len();
    for n in 1..=max_n.min(len / 2) {
        let need = if n <= 2 { min_repeats * 2 } else { min_repeats };
        if n * need > len {
            break;
        }
        let mut repeats = 1;
        while (repeats + 1) * n <= len {
            let a = &words[len - n..];
            let b = &words[len - (repeats + 1) * n..len - repeats * n];
            if a.iter().zip(b).all(|(x, y)| x.1 == y.1) {
                repeats += 1;
            } else {
                break;
            }
        }
        if repeats >= need {
            let start = from + words[len - repeats * n].0;
            if text.len() - start >= 48 {
                let ngram = words[len - n..]
                    .iter()
                    .map(|w| w.1)
                    .collect::<Vec<_>>()
                    .join(" ");
                return Some(Repetition {
                    ngram,
                    n,
                    repeats,
                    span: Span::new(start, text.len()),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_handles_each_shape() {
        let cases = [
            ("tags", "<think>a</think>b", true, "a", "b", true),
            ("template_opened", "a</think>b", true, "a", "b", true),
            (
                "never_closed",
                "<think>still going",
                false,
                "still going",
                "",
                false,
            ),
            (
                "no_tags_answer",
                "just an answer",
                false,
                "",
                "just an answer",
                false,
            ),
            ("no_tags_in_think", "thinking", true, "thinking", "", false),
        ];
        for (name, text, starts, reasoning, answer, closed) in cases {
            let s = split_think(text, starts);
            assert_eq!(
                (s.reasoning, s.answer, s.closed),
                (reasoning, answer, closed),
                "case {name}"
            );
        }
    }

    #[test]
    fn faults_are_reported() {
        let limits = R1Limits::default();
        assert!(check("<think>hmm, so the answer", false, true, &limits).reasoning_leak);
        assert!(!check("<think>hmm, so the answer", false, false, &limits).reasoning_leak);
        assert!(check("<think>\n\n</think>\nHello", false, true, &limits).empty_think);
        let looped = format!(
            "<think>ok</think>{}",
            "Wait, let me check again. ".repeat(10)
        );
        let r = check(&looped, false, false, &limits);
        assert!(r.stop_recommended);
        assert_eq!(r.repetition.unwrap().ngram, "Wait, let me check again.");
        let long = format!("<think>{}</think>", "x".repeat(70_000));
        assert!(check(&long, false, true, &limits).runaway);
    }

    #[test]
    fn ordinary_text_has_no_loop() {
        let text = "The answer is 42. We verified it twice, and the result holds for all inputs.";
        assert!(find_repetition(text, 40, 6).is_none());
        assert!(find_repetition("very very very good", 40, 6).is_none());
    }
}
