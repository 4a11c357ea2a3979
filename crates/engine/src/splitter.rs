//! Separates R1's `<think>…</think>` reasoning from the answer while tokens stream.
//!
//! Tags arrive split across tokens (`</` + `think` + `>`), the opening tag is usually part of
//! the prompt (R1's generation prompt ends with `<think>\n`, so only `</think>` appears in the
//! output), the block can be empty, and it can be left open (the model never stops reasoning: a
//! "reasoning leak", where everything it said was reasoning). The splitter holds back only the
//! few bytes that could still become a tag, so text reaches the user as soon as it is known.

use serde::{Deserialize, Serialize};

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

/// Which part of the output a piece of text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// Inside `<think>…</think>`.
    Reasoning,
    /// The answer shown to the user.
    Answer,
}

/// A run of text of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Reasoning or answer.
    pub kind: SegmentKind,
    /// The text, tags removed.
    pub text: String,
}

/// What the splitter saw over a whole generation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasoningSummary {
    /// A reasoning block was opened (in the prompt or the output).
    pub opened: bool,
    /// `</think>` appeared.
    pub closed: bool,
    /// The block was closed with nothing but whitespace inside.
    pub empty: bool,
    /// The block was never closed: all the output was reasoning.
    pub leaked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing but whitespace seen yet; a `<think>` may still open a block.
    Start,
    Reasoning,
    Answer,
}

/// The streaming splitter. Feed it text with [`push`](Self::push), then call
/// [`finish`](Self::finish) once.
#[derive(Debug, Clone)]
pub struct ReasoningSplitter {
    state: State,
    pending: String,
    opened: bool,
    closed: bool,
    reasoning_has_text: bool,
    answer_started: bool,
}

impl ReasoningSplitter {
    /// A splitter for output that follows a prompt which did (`true`) or did not open `<think>`.
    pub fn new(opened_in_prompt: bool) -> Self {
        Self {
            state: if opened_in_prompt {
                State::Reasoning
            } else {
                State::Start
            },
            pending: String::new(),
            opened: opened_in_prompt,
            closed: false,
            reasoning_has_text: false,
            answer_started: false,
        }
    }

    /// Feeds text; returns the segments that are now certain.
    pub fn push(&mut self, text: &str) -> Vec<Segment> {
        let mut out = Vec::new();
        self.pending.push_str(text);
        self.drain(&mut out, false);
        out
    }

    /// Flushes what is held back and reports what was seen.
    pub fn finish(&mut self) -> (Vec<Segment>, ReasoningSummary) {
        let mut out = Vec::new();
        self.drain(&mut out, true);
        let summary = ReasoningSummary {
            opened: self.opened,
            closed: self.closed,
            empty: self.closed && !self.reasoning_has_text,
            leaked: self.opened && !self.closed,
        };
        (out, summary)
    }

    fn drain(&mut self, out: &mut Vec<Segment>, at_end: bool) {
        loop {
            match self.state {
                State::Start => {
                    let trimmed = self.pending.trim_start();
                    if trimmed.is_empty() {
                        if at_end {
                            self.pending.clear();
                        }
                        return;
                    }
                    if let Some(rest) = trimmed.strip_prefix(OPEN) {
                        self.opened = true;
                        self.state = State::Reasoning;
                        self.pending = rest.to_owned();
                        continue;
                    }
                    if OPEN.starts_with(trimmed) && !at_end {
                        return; // could still become "<think>"
                    }
                    self.state = State::Answer;
                }
                State::Reasoning => {
                    if let Some(i) = self.pending.find(CLOSE) {
                        let rest = self.pending.split_off(i);
                        let before = std::mem::take(&mut self.pending);
                        self.emit_reasoning(out, before);
                        self.pending = rest[CLOSE.len()..].to_owned();
                        self.closed = true;
                        self.state = State::Answer;
                        continue;
                    }
                    let keep = if at_end {
                        0
                    } else {
                        partial_suffix(&self.pending, CLOSE)
                    };
                    let cut = self.pending.len() - keep;
                    let rest = self.pending.split_off(cut);
                    let text = std::mem::replace(&mut self.pending, rest);
                    self.emit_reasoning(out, text);
                    return;
                }
                State::Answer => {
                    let mut text = std::mem::take(&mut self.pending);
                    if !self.answer_started {
                        // "</think>\n\nThe answer": the blank lines belong to neither part.
                        let t = text.trim_start();
                        if t.is_empty() {
                            return;
                        }
                        text = t.to_owned();
                        self.answer_started = true;
                    }
                    push_segment(out, SegmentKind::Answer, text);
                    return;
                }
            }
        }
    }

    fn emit_reasoning(&mut self, out: &mut Vec<Segment>, text: String) {
        if !text.trim().is_empty() {
            self.reasoning_has_text = true;
        }
        push_segment(out, SegmentKind::Reasoning, text);
    }
}

fn push_segment(out: &mut Vec<Segment>, kind: SegmentKind, text: String) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.kind == kind => last.text.push_str(&text),
        _ => out.push(Segment { kind, text }),
    }
}

/// Length of the longest suffix of `s` that is a proper prefix of `tag`.
fn partial_suffix(s: &str, tag: &str) -> usize {
    (1..tag.len())
        .rev()
        .find(|&n| {
            s.len() >= n && s.is_char_boundary(s.len() - n) && tag.starts_with(&s[s.len() - n..])
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Case {
        name: &'static str,
        opened_in_prompt: bool,
        output: &'static str,
        reasoning: &'static str,
        answer: &'static str,
        summary: ReasoningSummary,
    }

    const fn s(opened: bool, closed: bool, empty: bool, leaked: bool) -> ReasoningSummary {
        ReasoningSummary {
            opened,
            closed,
            empty,
            leaked,
        }
    }

    const CASES: &[Case] = &[
        Case {
            name: "opened_in_prompt_closed_in_output",
            opened_in_prompt: true,
            output: "Let me add.\n</think>\n\n4",
            reasoning: "Let me add.\n",
            answer: "4",
            summary: s(true, true, false, false),
        },
        Case {
            name: "both_tags_in_output",
            opened_in_prompt: false,
            output: "<think>\nhmm\n</think>\n\nYes.",
            reasoning: "\nhmm\n",
            answer: "Yes.",
            summary: s(true, true, false, false),
        },
        Case {
            name: "empty_think_block",
            opened_in_prompt: false,
            output: "<think>\n\n</think>\n\nDirect answer",
            reasoning: "\n\n",
            answer: "Direct answer",
            summary: s(true, true, true, false),
        },
        Case {
            name: "missing_close_is_a_leak",
            opened_in_prompt: true,
            output: "I keep thinking and never stop",
            reasoning: "I keep thinking and never stop",
            answer: "",
            summary: s(true, false, false, true),
        },
        Case {
            name: "no_tags_at_all_is_an_answer",
            opened_in_prompt: false,
            output: "Paris is the capital.",
            reasoning: "",
            answer: "Paris is the capital.",
            summary: s(false, false, false, false),
        },
        Case {
            name: "a_lone_angle_bracket_is_text",
            opened_in_prompt: false,
            output: "<b>bold</b>",
            reasoning: "",
            answer: "<b>bold</b>",
            summary: s(false, false, false, false),
        },
        Case {
            name: "close_tag_lookalike_stays_reasoning",
            opened_in_prompt: true,
            output: "a </thinking> b </think>c",
            reasoning: "a </thinking> b ",
            answer: "c",
            summary: s(true, true, false, false),
        },
        Case {
            name: "output_ending_in_a_partial_tag",
            opened_in_prompt: true,
            output: "thinking </thi",
            reasoning: "thinking </thi",
            answer: "",
            summary: s(true, false, false, true),
        },
        Case {
            name: "multibyte_text_around_tags",
            opened_in_prompt: true,
            output: "思考中…</think>答案是四",
            reasoning: "思考中…",
            answer: "答案是四",
            summary: s(true, true, false, false),
        },
    ];

    fn run(case: &Case, chunks: &[&str]) -> (String, String, ReasoningSummary) {
        let mut sp = ReasoningSplitter::new(case.opened_in_prompt);
        let mut segs = Vec::new();
        for c in chunks {
            segs.extend(sp.push(c));
        }
        let (rest, summary) = sp.finish();
        segs.extend(rest);
        let mut r = String::new();
        let mut a = String::new();
        for s in segs {
            match s.kind {
                SegmentKind::Reasoning => r.push_str(&s.text),
                SegmentKind::Answer => a.push_str(&s.text),
            }
        }
        (r, a, summary)
    }

    #[test]
    fn whole_output_at_once() {
        for case in CASES {
            let (r, a, sum) = run(case, &[case.output]);
            assert_eq!(r, case.reasoning, "{}: reasoning", case.name);
            assert_eq!(a, case.answer, "{}: answer", case.name);
            assert_eq!(sum, case.summary, "{}: summary", case.name);
        }
    }

    #[test]
    fn one_character_per_token() {
        for case in CASES {
            let chars: Vec<String> = case.output.chars().map(String::from).collect();
            let chunks: Vec<&str> = chars.iter().map(String::as_str).collect();
            let (r, a, sum) = run(case, &chunks);
            assert_eq!(r, case.reasoning, "{}: reasoning", case.name);
            assert_eq!(a, case.answer, "{}: answer", case.name);
            assert_eq!(sum, case.summary, "{}: summary", case.name);
        }
    }

    #[test]
    fn every_two_way_split_gives_the_same_result() {
        for case in CASES {
            let out = case.output;
            for i in (0..=out.len()).filter(|&i| out.is_char_boundary(i)) {
                let (r, a, sum) = run(case, &[&out[..i], &out[i..]]);
                assert_eq!(
                    (r.as_str(), a.as_str(), sum),
                    (case.reasoning, case.answer, case.summary),
                    "{} split at {i}",
                    case.name
                );
            }
        }
    }

    #[test]
    fn text_is_released_as_soon_as_it_cannot_be_a_tag() {
        let mut sp = ReasoningSplitter::new(true);
        let segs = sp.push("step one </");
        assert_eq!(
            segs,
            vec![Segment {
                kind: SegmentKind::Reasoning,
                text: "step one ".into()
            }]
        );
        let segs = sp.push("b>");
        assert_eq!(
            segs,
            vec![Segment {
                kind: SegmentKind::Reasoning,
                text: "</b>".into()
            }]
        );
    }
}
