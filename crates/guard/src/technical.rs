//! The technical parts of a model's answer, which the n-gram models do not read at the
//! answer stages: fenced code, inline code, LaTeX math and the marks of a Markdown table.
//!
//! The models learned from prompts and prose. Code reads to them as nothing they saw: a JSON
//! to-do list in a fence was S13 to the n-gram model (fifty-fifth session's probe of ordinary
//! technical answers). What a code block says in words stays: its comments, its string
//! literals of [`MIN_STRING_WORDS`] words or more, the text between its tags, and its lines
//! that read as sentences ([`is_prose_line`]), so a fence is no hiding place for
//! instructions and a sketch whose comments say what it is for is read. The rules, the
//! injection check, PII and the classifier read the whole text as before: the classifier
//! read the prose left alone as harmful more often ("Spawn the child, poll it, and kill it if
//! it runs past the deadline:"), 12 of the 160 ordinary answers blocked instead of 7.
//!
//! [`spans`] gives the byte ranges to blank; [`open_fence`] tells a streaming reader whether
//! the stretch it reads starts inside a fence that opened before it.

use crate::types::Span;

/// A string literal in code is read when it holds this many words or more: a message
/// ("Your files have been encrypted, pay to get them back"), not a key, a path or a label.
pub const MIN_STRING_WORDS: usize = 4;
/// A line of code is read as a sentence with this many whitespace-separated tokens or more,
pub const PROSE_LINE_TOKENS: usize = 5;
/// of which at least this share are plain words (letters, then closing punctuation).
pub const PROSE_LINE_WORD_SHARE: f32 = 0.8;
/// Inline math longer than this (bytes) is not taken for math: two prices far apart.
const MAX_INLINE_MATH: usize = 200;

/// A fenced code block's opening: the mark (`` ` `` or `~`) and how many of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    mark: u8,
    len: usize,
}

impl Fence {
    /// The fence a line opens (three or more backticks or tildes after its indentation; a
    /// backtick fence's info string has no backtick, else it is inline code).
    fn opened_by(line: &str) -> Option<Fence> {
        let t = line.trim_start();
        let mark = *t.as_bytes().first()?;
        if mark != b'`' && mark != b'~' {
            return None;
        }
        let len = t.bytes().take_while(|&b| b == mark).count();
        if len < 3 || (mark == b'`' && t[len..].contains('`')) {
            return None;
        }
        Some(Fence { mark, len })
    }

    /// Whether `line` closes this fence: as many marks or more, and nothing after them.
    fn closed_by(self, line: &str) -> bool {
        let t = line.trim();
        let n = t.bytes().take_while(|&b| b == self.mark).count();
        n >= self.len && n == t.len()
    }
}

/// The fence still open at the end of `text`, if any: where a stretch that starts after
/// `text` starts (a streamed answer's later piece).
pub fn open_fence(text: &str) -> Option<Fence> {
    if !text.contains("```") && !text.contains("~~~") {
        return None;
    }
    let mut open: Option<Fence> = None;
    for line in text.split('\n') {
        open = match open {
            Some(f) if f.closed_by(line) => None,
            Some(f) => Some(f),
            None => Fence::opened_by(line),
        };
    }
    open
}

/// Whether `text` may hold anything [`spans`] blanks: a backtick, a tilde, a dollar sign, a
/// pipe or a backslash. Most prose has none, and costs one pass.
fn may_hold(text: &str) -> bool {
    text.bytes()
        .any(|b| matches!(b, b'`' | b'~' | b'$' | b'|' | b'\\'))
}

/// The byte ranges of `text` the models do not read at the answer stages, in order and
/// disjoint, on char boundaries: fenced code (fence lines whole; inside, all but comments,
/// long string literals, text between tags and lines that read as sentences), inline code,
/// LaTeX math (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`, across lines for the display forms) and a
/// Markdown table's pipes and rule rows. `open`: `text` starts inside this fence.
pub fn spans(text: &str, open: Option<Fence>) -> Vec<Span> {
    let mut out = Vec::new();
    if open.is_none() && !may_hold(text) {
        return out;
    }
    let mut fence = open;
    // Inside a fence: a block comment (`/* … */`, `<!-- … -->`) or a docstring still open.
    let mut block: Option<&'static str> = None;
    // Outside: display math still open, and the mark that closes it.
    let mut math: Option<&'static str> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let body = line.strip_suffix('\n').unwrap_or(line);
        let body = body.strip_suffix('\r').unwrap_or(body);
        if let Some(f) = fence {
            if f.closed_by(body) {
                push(&mut out, start, start + body.len());
                fence = None;
                block = None;
            } else {
                code_line(body, start, &mut block, &mut out);
            }
            continue;
        }
        if let Some(close) = math {
            match body.find(close) {
                Some(i) => {
                    push(&mut out, start, start + i + close.len());
                    math = None;
                    prose_line(
                        &body[i + close.len()..],
                        start + i + close.len(),
                        &mut math,
                        &mut out,
                    );
                }
                None => push(&mut out, start, start + body.len()),
            }
            continue;
        }
        if let Some(f) = Fence::opened_by(body) {
            push(&mut out, start, start + body.len());
            fence = Some(f);
            continue;
        }
        prose_line(body, start, &mut math, &mut out);
    }
    out
}

/// Adds `[start, end)` to `out`, joined to the last range when they touch.
fn push(out: &mut Vec<Span>, start: usize, end: usize) {
    if end <= start {
        return;
    }
    match out.last_mut() {
        Some(last) if last.end >= start => last.end = last.end.max(end),
        _ => out.push(Span::new(start, end)),
    }
}

/// A line outside fences: inline code, math, and a table's pipes and rule rows. Display math
/// that does not close on the line leaves `math` set to its closing mark.
fn prose_line(line: &str, base: usize, math: &mut Option<&'static str>, out: &mut Vec<Span>) {
    if !may_hold(line) {
        return;
    }
    let t = line.trim();
    if t.starts_with('|') && t.matches('|').count() >= 2 {
        if t.bytes()
            .all(|b| matches!(b, b'|' | b'-' | b':' | b' ' | b'\t'))
        {
            push(out, base, base + line.len());
        } else {
            for (i, _) in line.match_indices('|') {
                push(out, base + i, base + i + 1);
            }
        }
    }
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'`' if i == 0 || !is_word_byte(b[i - 1]) => {
                let run = b[i..].iter().take_while(|&&c| c == b'`').count();
                let ticks = &line[i..i + run];
                let close = line[i + run..].find(ticks).map(|j| i + run + j);
                match close {
                    Some(j)
                        if b.get(j + run) != Some(&b'`')
                            && !b.get(j + run).copied().is_some_and(is_word_byte) =>
                    {
                        push(out, base + i, base + j + run);
                        i = j + run;
                    }
                    _ => i += run,
                }
            }
            b'$' if b.get(i + 1) == Some(&b'$') => match line[i + 2..].find("$$") {
                Some(j) => {
                    push(out, base + i, base + i + 2 + j + 2);
                    i += j + 4;
                }
                None => {
                    push(out, base + i, base + line.len());
                    *math = Some("$$");
                    return;
                }
            },
            b'$' => match inline_math_end(line, i) {
                Some(j) => {
                    push(out, base + i, base + j + 1);
                    i = j + 1;
                }
                None => i += 1,
            },
            b'\\' if matches!(b.get(i + 1), Some(b'(' | b'[')) => {
                let close = if b[i + 1] == b'(' { "\\)" } else { "\\]" };
                match line[i + 2..].find(close) {
                    Some(j) => {
                        push(out, base + i, base + i + 2 + j + 2);
                        i += j + 4;
                    }
                    None if close == "\\]" => {
                        push(out, base + i, base + line.len());
                        *math = Some("\\]");
                        return;
                    }
                    None => i += 2,
                }
            }
            _ => i += 1,
        }
    }
}

/// Where inline math opened by the `$` at `open` closes: the next `$` on the line after a
/// character that is not a space, with no digit or letter right after it, the math starting
/// with no space. "$5 and $10" and "$5-$10" are prices, not math.
fn inline_math_end(line: &str, open: usize) -> Option<usize> {
    let b = line.as_bytes();
    if b.get(open + 1).is_none_or(|c| c.is_ascii_whitespace()) {
        return None;
    }
    let rest = &line[open + 1..];
    let j = open + 1 + rest.find('$')?;
    let ok = j - open <= MAX_INLINE_MATH
        && !b[j - 1].is_ascii_whitespace()
        && !b
            .get(j + 1)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'$');
    ok.then_some(j)
}

/// A letter, a digit or an underscore (ASCII), or any byte of a non-ASCII character.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// A line inside a fence: blanked but for what it says in words (a comment, a long string
/// literal, text between tags, or the whole line when it reads as a sentence). `block` holds
/// the closing mark of a block comment or docstring still open from an earlier line.
fn code_line(line: &str, base: usize, block: &mut Option<&'static str>, out: &mut Vec<Span>) {
    // The kept ranges, relative to the line, in order.
    let mut keep: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    if let Some(close) = *block {
        match line.find(close) {
            Some(i) => {
                keep.push((0, i));
                from = i + close.len();
                *block = None;
            }
            None => return, // all of it is comment
        }
    }
    let rest = &line[from..];
    match comment_start(rest) {
        Some((c, text_at, close)) => {
            literal_words(&rest[..c], from, &mut keep);
            let body_start = from + text_at;
            match close.map(|close| (close, line[body_start..].find(close))) {
                Some((close, Some(j))) => {
                    keep.push((body_start, body_start + j));
                    // What follows a closed comment on the line is code again (read for its
                    // literals, not for another comment).
                    let after = body_start + j + close.len();
                    literal_words(&line[after..], after, &mut keep);
                }
                Some((close, None)) => {
                    keep.push((body_start, line.len()));
                    *block = Some(close);
                }
                None => keep.push((body_start, line.len())),
            }
        }
        None if is_prose_line(rest) => keep.push((from, line.len())),
        None => literal_words(rest, from, &mut keep),
    }
    blank_but(line, base, &keep, out);
}

/// Blanks `line` (at `base`) but for the `keep` ranges (relative, in order).
fn blank_but(line: &str, base: usize, keep: &[(usize, usize)], out: &mut Vec<Span>) {
    let mut at = 0;
    for &(s, e) in keep {
        if s > at {
            push(out, base + at, base + s);
        }
        at = at.max(e);
    }
    if line.len() > at {
        push(out, base + at, base + line.len());
    }
}

/// Where a comment starts in a line of code: (the mark's offset, its text's offset, the mark
/// that closes it, if it is a block comment or a docstring). `#`, `//` and `;` need a space
/// after them (not `#include`, `#!/bin/sh`, `https://`), `--`, `REM`, `'` and `;` the start
/// of the line.
fn comment_start(code: &str) -> Option<(usize, usize, Option<&'static str>)> {
    let t = code.trim_start();
    let ind = code.len() - t.len();
    for (mark, close) in [
        ("-- ", None),
        ("REM ", None),
        ("rem ", None),
        ("' ", None),
        ("; ", None),
        ("\"\"\"", Some("\"\"\"")),
        ("'''", Some("'''")),
        ("* ", None),
    ] {
        if t.starts_with(mark) {
            return Some((ind, ind + mark.len(), close));
        }
    }
    let b = code.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(_) if c == b'\\' => {
                i += 2;
                continue;
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => {
                let spaced = i == 0 || b[i - 1].is_ascii_whitespace();
                let after = b.get(i + 1).copied();
                if c == b'"' || c == b'`' {
                    quote = Some(c);
                } else if c == b'#' && spaced && after.is_none_or(|a| a == b' ' || a == b'#') {
                    return Some((i, i + 1, None));
                } else if c == b'/' && after == Some(b'/') && spaced {
                    return Some((i, i + 2, None));
                } else if c == b'/' && after == Some(b'*') {
                    return Some((i, i + 2, Some("*/")));
                } else if b[i..].starts_with(b"<!--") {
                    return Some((i, i + 4, Some("-->")));
                }
            }
        }
        i += 1;
    }
    None
}

/// The string literals (`"…"`, `'…'`, `` `…` ``) of [`MIN_STRING_WORDS`] words or more in a
/// stretch of code at `base` in its line, and text of three words or more between a `>` and
/// a `<` (an HTML page's visible words), into `keep`.
fn literal_words(code: &str, base: usize, keep: &mut Vec<(usize, usize)>) {
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if matches!(c, b'"' | b'\'' | b'`') {
            // An apostrophe inside a word ("don't") opens nothing.
            if c == b'\'' && i > 0 && b[i - 1].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < b.len() && b[j] != c {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            if j >= b.len() {
                break;
            }
            if words(&code[i + 1..j]) >= MIN_STRING_WORDS {
                keep.push((base + i + 1, base + j));
            }
            i = j + 1;
        } else if c == b'>' {
            let end = code[i + 1..].find('<').map_or(b.len(), |j| i + 1 + j);
            if words(&code[i + 1..end]) >= 3 {
                keep.push((base + i + 1, base + end));
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
}

/// Whitespace-separated tokens with a letter in them.
fn words(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
}

/// Whether a line inside a fence reads as a sentence rather than code: at least
/// [`PROSE_LINE_TOKENS`] tokens, [`PROSE_LINE_WORD_SHARE`] of them plain words (letters,
/// an apostrophe or a hyphen inside, closing punctuation after). "Step 1: Obtain the
/// precursor from a farm supply store." is one; `sudo ufw allow from 10.0.0.0/24 to any port
/// 22`, `SELECT name FROM users WHERE id = 1` and a log line are not.
pub fn is_prose_line(line: &str) -> bool {
    let mut tokens = 0usize;
    let mut plain = 0usize;
    for t in line.split_whitespace() {
        tokens += 1;
        let core = t.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
        let core = core.trim_start_matches(['(', '"', '\'']);
        let mut chars = core.chars();
        if chars.next().is_some_and(char::is_alphabetic)
            && chars.all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-'))
        {
            plain += 1;
        }
    }
    tokens >= PROSE_LINE_TOKENS && plain as f32 >= PROSE_LINE_WORD_SHARE * tokens as f32
}

/// `text` with the `ranges` (on char boundaries) turned to spaces, byte for byte, line
/// breaks kept: what the models read of it, where it is in `text`.
pub fn blanked(text: &str, ranges: &[Span]) -> String {
    blank(text, ranges, true)
}

/// `text` with the `ranges` (on char boundaries) turned to spaces byte for byte, so what is
/// found in the result is where it is in `text`; line breaks kept when `keep_line_breaks`
/// (a code block's lines stay lines; a model's safe voice is blanked whole).
pub(crate) fn blank(text: &str, ranges: &[Span], keep_line_breaks: bool) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for s in ranges {
        for b in &mut bytes[s.start.min(text.len())..s.end.min(text.len())] {
            if !(keep_line_breaks && *b == b'\n') {
                *b = b' ';
            }
        }
    }
    // Every range is on char boundaries, so each character is blanked whole or kept.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> String {
        blanked(text, &spans(text, None))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn code_in_a_fence_is_not_read_but_its_words_are() {
        let text = "Here is the Dockerfile:\n\n```dockerfile\nFROM node:20-slim\nWORKDIR /app\n\
                    RUN npm ci --omit=dev # install only what runs\nCMD [\"node\", \"server.js\"]\n```\n\
                    Build it with `docker build .` and run it.";
        assert_eq!(
            read(text),
            "Here is the Dockerfile: install only what runs Build it with and run it."
        );
    }

    #[test]
    fn comments_strings_and_tags_inside_code_are_read() {
        let text = "```python\nimport os\n# walk the user's documents and encrypt each file\n\
                    for f in files:  # every one\n    alert(user, \"send the wallet seed\", level=3)\n\
                    x = 'ok'\n\"\"\"Sends what was typed\nto the server.\"\"\"\nreturn 1\n```\n\
                    ```html\n<h1>Your account has been suspended</h1><!-- looks like the bank -->\n```";
        assert_eq!(
            read(text),
            "walk the user's documents and encrypt each file every one send the wallet seed \
             Sends what was typed to the server. Your account has been \
             suspended looks like the bank"
        );
    }

    #[test]
    fn a_sentence_inside_a_fence_is_read() {
        let text =
            "```text\nStep 1: Obtain the precursor from a farm supply store.\nls -la /tmp\n```";
        assert_eq!(
            read(text),
            "Step 1: Obtain the precursor from a farm supply store."
        );
        assert!(!is_prose_line(
            "sudo ufw allow from 10.0.0.0/24 to any port 22"
        ));
        assert!(!is_prose_line("SELECT name FROM users WHERE id = 1"));
        assert!(!is_prose_line(
            "Mar 14 02:11:07 web1 sshd[9121]: Failed password for invalid user admin from 198.51.100.23"
        ));
    }

    #[test]
    fn math_and_tables_are_not_read_but_prices_are() {
        assert_eq!(
            read("By Pythagoras, $c = \\sqrt{a^2 + b^2}$ so\n$$\nc = 10\n$$\nthe ladder is 10 ft."),
            "By Pythagoras, so the ladder is 10 ft."
        );
        assert_eq!(
            read("It costs $5 and $10, or $5-$10."),
            "It costs $5 and $10, or $5-$10."
        );
        assert_eq!(read("Use \\(x^2\\) and \\[y\\] here."), "Use and here.");
        assert_eq!(
            read("| Prefix | Factor |\n|---|:--:|\n| giga | 10^9 |"),
            "Prefix Factor giga 10^9"
        );
    }

    #[test]
    fn inline_code_is_not_read_but_marks_inside_a_word_are_left() {
        assert_eq!(read("Run `chmod 755 deploy.sh` first."), "Run first.");
        assert_eq!(read("ma`k`e a b``o``mb"), "ma`k`e a b``o``mb");
        assert_eq!(
            read("An unclosed ` tick stays."),
            "An unclosed ` tick stays."
        );
    }

    #[test]
    fn a_stretch_that_starts_inside_a_fence_reads_it_as_code() {
        let earlier = "Intro.\n```bash\necho hi\n";
        let f = open_fence(earlier);
        assert!(f.is_some());
        assert_eq!(open_fence("Intro.\n```bash\necho hi\n```\nDone."), None);
        let later = "rm -rf build\n```\nThat cleans the build.";
        let text = blanked(later, &spans(later, f));
        assert_eq!(
            text.split_whitespace().collect::<Vec<_>>().join(" "),
            "That cleans the build."
        );
        // Read without knowing, the closing fence would open one and hide the prose.
        let wrong = blanked(later, &spans(later, None));
        assert!(!wrong.contains("cleans"));
    }

    #[test]
    fn blanking_keeps_every_byte_where_it_was() {
        let text = "Über `código` and\n```\nnaïve — ü\n```\n$π$ end";
        let b = blanked(text, &spans(text, None));
        assert_eq!(b.len(), text.len());
        assert_eq!(b.matches('\n').count(), text.matches('\n').count());
        assert!(b.starts_with("Über ") && b.ends_with(" end"));
        for s in spans(text, None) {
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        }
    }
}
