//! Personal data and secrets: detection with checksums, and redaction with typed placeholders.
//!
//! PII is matched on the *original* text (normalization would fold the digits of a phone
//! number into letters). Numbers are validated, not just shaped: a card number must pass Luhn,
//! an IBAN mod-97, an SSN the SSA's allocation rules, an IP address must parse. A number that
//! fails its checksum is not reported as anything else, so a typo'd card number does not come
//! back as a phone number.

use crate::normalize::{ceil_char_boundary, floor_char_boundary, Normalized};
use crate::scanner::Scanner;
use crate::types::{Category, Context, Hit, PiiKind, PiiMatch, Span};
use aho_corasick::AhoCorasick;
use regex::Regex;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The compiled PII detectors.
#[derive(Debug)]
pub struct PiiScanner {
    email: Regex,
    card: Regex,
    iban: Regex,
    ssn: Regex,
    ipv4: Regex,
    ipv6: Regex,
    phone: Regex,
    keys: Regex,
    generic_secret: Regex,
    /// The same, anchored at the start of the haystack.
    generic_secret_at: Regex,
    /// Where a generic secret can start (its key words, lowercase).
    secret_words: AhoCorasick,
    date_like: Regex,
    /// A date, then a time ("2024-03-15 02:17"): a timestamp, not a phone number.
    date_then_time: Regex,
}

impl Default for PiiScanner {
    fn default() -> Self {
        PiiScanner::new()
    }
}

/// A key word, then the value. No look-around, so an anchored match on `text[p..]` is the
/// match at `p` in the whole text.
const GENERIC_SECRET: &str = r#"(?i)(?:api[_\-]?key|app[_\-]?key|secret|token|passw(?:or)?d|pwd|auth|bearer|credential|access[_\-]?key|(?:signing|encryption|master|private)[_\-]?key)[A-Za-z_\-]{0,12}["']?\s*[:=]?\s*["']?([A-Za-z0-9_\-+/=.]{16,})"#;

/// Every way [`GENERIC_SECRET`] can start, in ASCII.
const SECRET_WORDS: &[&str] = &[
    "api_key",
    "api-key",
    "apikey",
    "secret",
    "token",
    "password",
    "passwd",
    "pwd",
    "auth",
    "bearer",
    "credential",
    "access_key",
    "access-key",
    "accesskey",
    "app_key",
    "app-key",
    "appkey",
    "signing",
    "encryption",
    "master",
    "private",
];

fn re(p: &str) -> Regex {
    // The patterns are constants covered by tests; a failure here is a programming error.
    Regex::new(p).expect("valid built-in PII pattern")
}

impl PiiScanner {
    /// Compiles the detectors.
    pub fn new() -> PiiScanner {
        PiiScanner {
            email: re(
                r"(?-u:\b)[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}\.)+[A-Za-z]{2,24}(?-u:\b)",
            ),
            card: re(r"(?-u:\b)\d(?:[ \-]?\d){12,18}(?-u:\b)"),
            iban: re(r"(?-u:\b)[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?-u:\b)"),
            ssn: re(
                r"(?-u:\b)(\d{3})-(\d{2})-(\d{4})(?-u:\b)|(?i:ssn|social security(?: number)?)[:#\s]{1,4}(\d{3})[ ]?(\d{2})[ ]?(\d{4})(?-u:\b)",
            ),
            ipv4: re(
                r"(?-u:\b)(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?-u:\b)",
            ),
            ipv6: re(r"(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%[0-9a-z]+)?"),
            phone: re(
                r"(?:\+\d{1,3}[ .\-]?(?:\(\d{1,4}\)[ .\-]?)?\d{1,4}|(?:\(\d{1,4}\)[ .\-]?)?\d{2,4})(?:[ .\-]\d{2,5}){0,3}[ .\-]\d{2,8}(?-u:\b)|(?-u:\b)\d{10,11}(?-u:\b)",
            ),
            keys: re(concat!(
                r"(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}(?-u:\b)",
                r"|gh[pousr]_[A-Za-z0-9]{36,255}",
                r"|github_pat_[A-Za-z0-9_]{22,255}",
                r"|sk-(?:proj-|ant-(?:api\d\d-)?|live_|test_)?[A-Za-z0-9_\-]{20,}",
                // Stripe's secret and restricted keys
                r"|[sr]k_(?:live|test)_[A-Za-z0-9]{16,}",
                r"|xox[abprs]-[A-Za-z0-9\-]{10,}",
                r"|AIza[0-9A-Za-z_\-]{35}",
                r"|glpat-[A-Za-z0-9_\-]{20,}",
                r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
                r"|-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY(?: BLOCK)?-----",
            )),
            generic_secret: re(GENERIC_SECRET),
            generic_secret_at: re(&format!("^{GENERIC_SECRET}")),
            secret_words: AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(SECRET_WORDS)
                .expect("valid built-in secret words"),
            date_then_time: re(
                r"^(?:\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{4})[ T]\d",
            ),
            date_like: re(
                // dates, and a span of years ("the war of 1936-1939"), not phone numbers
                r"^(?:\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{2,4}|(?:1[5-9]|20)\d\d ?[\-/] ?(?:1[5-9]|20)\d\d)$",
            ),
        }
    }

    /// Finds every PII match in `text`, sorted by position, without overlaps (the more
    /// specific kind wins: keys, e-mail, IBAN, card, SSN, IP, phone).
    pub fn find(&self, text: &str) -> Vec<PiiMatch> {
        self.find_with(text, true)
    }

    /// The value ranges of [`GENERIC_SECRET`]'s matches, in order. The regex has no literal
    /// prefix the regex crate can use case-insensitively, so a lazy DFA would read every
    /// byte; instead its key words are found first and the regex is tried only there. Case
    /// folding also maps `ſ` to `s` and the Kelvin sign to `k`; a text with either is searched
    /// whole.
    fn generic_secrets(&self, text: &str, windowed: bool) -> Vec<(usize, usize)> {
        let value = |c: regex::Captures<'_>, offset: usize| {
            c.get(1).map(|g| (offset + g.start(), offset + g.end()))
        };
        if !windowed || text.contains('\u{17F}') || text.contains('\u{212A}') {
            return self
                .generic_secret
                .captures_iter(text)
                .filter_map(|c| value(c, 0))
                .collect();
        }
        // Every start of a key word, in order: the leftmost word from `from`, then again from
        // one past its start (words can overlap: "secretoken").
        // On an ASCII-lowercased copy (same byte offsets) the word search can use its SIMD
        // prefilter, which a case-insensitive automaton cannot.
        let lower = text.to_ascii_lowercase();
        let mut out = Vec::new();
        let mut from = 0;
        while from < text.len() {
            let Some(m) = self
                .secret_words
                .find(aho_corasick::Input::new(&lower).range(from..))
            else {
                break;
            };
            let p = m.start();
            from = p + 1;
            if let Some(c) = self.generic_secret_at.captures(&text[p..]) {
                from = p + c.get(0).map_or(1, |m| m.end().max(1));
                out.extend(value(c, p));
            }
        }
        out
    }

    /// `windowed: false` runs every detector over the whole text (the reference the windowed
    /// search is tested against).
    fn find_with(&self, text: &str, windowed: bool) -> Vec<PiiMatch> {
        // Claimed ranges, start -> (end, kind); never overlapping, so one lookup decides.
        let mut out: BTreeMap<usize, (usize, PiiKind)> = BTreeMap::new();
        let bytes = text.as_bytes();
        let has_digit = bytes.iter().any(u8::is_ascii_digit);
        let push =
            |out: &mut BTreeMap<usize, (usize, PiiKind)>, kind: PiiKind, s: usize, e: usize| {
                if !overlaps_map(out, s, e) {
                    out.insert(s, (e, kind));
                }
            };
        for m in self.keys.find_iter(text) {
            push(&mut out, PiiKind::ApiKey, m.start(), m.end());
        }
        for (start, end) in self.generic_secrets(text, windowed) {
            if looks_like_secret(&text[start..end]) {
                push(&mut out, PiiKind::ApiKey, start, end);
            }
        }
        if memchr(b'@', bytes) {
            for m in self.email.find_iter(text) {
                push(&mut out, PiiKind::Email, m.start(), m.end());
            }
        }
        if !has_digit {
            return into_matches(out);
        }
        // Claimed by a number that failed its checksum: not reported as anything else.
        let mut rejected: BTreeMap<usize, (usize, PiiKind)> = BTreeMap::new();
        // The number detectors only look near digits: every match holds one and is at most
        // a few dozen bytes long (see `Windows`), so prose without digits is never scanned.
        let clusters = digit_clusters(bytes);
        let whole = || Windows(vec![(0, text.len())]);
        let around = |radius: usize| {
            if windowed {
                Windows::around(text, &clusters, radius)
            } else {
                whole()
            }
        };
        let iban_windows = if windowed {
            Windows::iban(text, &clusters)
        } else {
            whole()
        };
        for m in iban_windows.find_iter(&self.iban, text) {
            if iban_valid(m.as_str()) {
                push(&mut out, PiiKind::Iban, m.start(), m.end());
            } else {
                rejected.insert(m.start(), (m.end(), PiiKind::Iban));
            }
        }
        for m in around(CARD_MAX + 1).find_iter(&self.card, text) {
            if overlaps_map(&rejected, m.start(), m.end()) {
                continue;
            }
            let digits: Vec<u8> = m
                .as_str()
                .bytes()
                .filter(u8::is_ascii_digit)
                .map(|b| b - b'0')
                .collect();
            if !(13..=19).contains(&digits.len()) {
                continue;
            }
            let card_prefix = matches!(digits[0], 2..=6);
            if card_prefix && luhn_valid(&digits) {
                push(&mut out, PiiKind::CreditCard, m.start(), m.end());
            } else if (digits.len() >= 15 || m.as_str().contains([' ', '-']) && digits.len() >= 13)
                && !overlaps_map(&rejected, m.start(), m.end())
            {
                rejected.insert(m.start(), (m.end(), PiiKind::CreditCard));
            }
        }
        for c in around(SSN_MAX + 1).captures_iter(&self.ssn, text) {
            let (a, g, s) = match (c.get(1), c.get(2), c.get(3)) {
                (Some(a), Some(g), Some(s)) => (a, g, s),
                _ => match (c.get(4), c.get(5), c.get(6)) {
                    (Some(a), Some(g), Some(s)) => (a, g, s),
                    _ => continue,
                },
            };
            if ssn_valid(a.as_str(), g.as_str(), s.as_str()) {
                push(&mut out, PiiKind::UsSsn, a.start(), s.end());
            } else if !overlaps_map(&rejected, a.start(), s.end()) {
                rejected.insert(a.start(), (s.end(), PiiKind::UsSsn));
            }
        }
        if memchr(b'.', bytes) {
            for m in around(IPV4_MAX + 1).find_iter(&self.ipv4, text) {
                // Not part of a longer dotted number (a version like 1.2.3.4.5).
                let before = text[..m.start()].bytes().next_back();
                let after = text[m.end()..].bytes().next();
                let dotted = |b: Option<u8>| matches!(b, Some(b'.') | Some(b'0'..=b'9'));
                if dotted(before)
                    || (after == Some(b'.')
                        && text[m.end() + 1..]
                            .bytes()
                            .next()
                            .is_some_and(|b| b.is_ascii_digit()))
                {
                    continue;
                }
                if m.as_str().parse::<Ipv4Addr>().is_ok_and(names_a_host) {
                    push(&mut out, PiiKind::IpAddress, m.start(), m.end());
                }
            }
        }
        if memchr(b':', bytes) {
            for m in self.ipv6.find_iter(text) {
                let s = m.as_str();
                let addr = s.split('%').next().unwrap_or(s);
                let groups = addr.split(':').filter(|g| !g.is_empty()).count();
                let boundary_ok = !text[..m.start()]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    && !text[m.end()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_');
                if boundary_ok && groups >= 3 && addr.parse::<Ipv6Addr>().is_ok_and(names_a_host) {
                    push(&mut out, PiiKind::IpAddress, m.start(), m.end());
                }
            }
        }
        for m in around(PHONE_MAX + 1).find_iter(&self.phone, text) {
            let (s, e) = (m.start(), m.end());
            // A number that failed a card's or an IBAN's checksum is not a phone number,
            // unless it is written with a country code (cards never are).
            if overlaps_map(&rejected, s, e) && !m.as_str().starts_with('+') {
                continue;
            }
            let cand = m.as_str();
            let digits = cand.bytes().filter(u8::is_ascii_digit).count();
            if !(8..=13).contains(&digits)
                || self.date_like.is_match(cand)
                || self.date_then_time.is_match(cand)
            {
                continue;
            }
            // A last group of six to eight digits is a landline's number after its area code
            // ("089 5595058", "0755-56848276"): with a trunk 0, a "+" or a bracket first, not
            // an order number's "48-771203". Ten or eleven digits in one run ("4155550132")
            // are not groups.
            let last = cand.rsplit([' ', '-', '.']).next().map_or(0, str::len);
            if last > 5 && last < digits && !cand.starts_with(['0', '+', '(']) {
                continue;
            }
            // A part of an identifier joined by hyphens ("ad35c367-2fb0-4949-9472-…",
            // "RE-2024-0815").
            let joined = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
            if !cand.starts_with('+')
                && ((text[..s].ends_with('-') && joined(text[..s - 1].chars().next_back()))
                    || (text[e..].starts_with('-') && joined(text[e + 1..].chars().next())))
            {
                continue;
            }
            // Glued to a word or a decimal ("v2.10.3", "x123-4567"), not a phone number.
            let before = text[..s].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_' || c == '/')
                && !cand.starts_with('+')
            {
                continue;
            }
            if text[e..].starts_with('.')
                && text[e + 1..]
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_digit())
            {
                continue;
            }
            let has_sep = cand.contains([' ', '-', '.', '(']);
            if !has_sep && !cand.starts_with('+') && digits != 10 && digits != 11 {
                continue;
            }
            if toll_free(cand) {
                continue;
            }
            push(&mut out, PiiKind::Phone, s, e);
        }
        into_matches(out)
    }
}

/// A toll-free service number (a helpline's "1-800-662-4357", Russia's "8-800-2000-122",
/// "0800 …", India's "1800 …", Japan's "0120-…" and its shared-cost "0570-…"): a business's
/// or a service's line, which names no person, and which a model's answer gives so that it
/// can be called.
fn toll_free(cand: &str) -> bool {
    // The candidate's digits (a phone candidate has at most 13), without allocating: this
    // runs for every phone-shaped run of a long text.
    let mut buf = [0u8; 16];
    let mut n = 0;
    for b in cand.bytes().filter(u8::is_ascii_digit) {
        if n == buf.len() {
            return false;
        }
        buf[n] = b;
        n += 1;
    }
    let digits = &buf[..n];
    // North America (the country code 1 optional): 800, 833, 844, 855, 866, 877, 888.
    let nanp = match digits {
        [b'1', rest @ ..] if n == 11 => rest,
        _ => digits,
    };
    let nanp_free = nanp.len() == 10
        && [b"800", b"833", b"844", b"855", b"866", b"877", b"888"]
            .iter()
            .any(|p| nanp.starts_with(*p));
    nanp_free
        || (n >= 8
            && [b"0800", b"0808", b"8800", b"1800", b"0120", b"0570"]
                .iter()
                .any(|p| digits.starts_with(*p)))
}

/// Whether `[s, e)` overlaps a range in a map of non-overlapping ranges.
fn overlaps_map(map: &BTreeMap<usize, (usize, PiiKind)>, s: usize, e: usize) -> bool {
    map.range(..e)
        .next_back()
        .is_some_and(|(_, (end, _))| *end > s)
}

fn into_matches(map: BTreeMap<usize, (usize, PiiKind)>) -> Vec<PiiMatch> {
    map.into_iter()
        .map(|(start, (end, kind))| PiiMatch { kind, start, end })
        .collect()
}

impl Scanner for PiiScanner {
    fn name(&self) -> &str {
        "pii"
    }

    fn scan(&self, norm: &Normalized<'_>, _ctx: &Context, out: &mut Vec<Hit>) {
        for m in self.find(norm.original()) {
            out.push(pii_hit(m));
        }
    }
}

/// The hit for one PII match (`scanner` is `"pii.<kind>"`).
pub fn pii_hit(m: PiiMatch) -> Hit {
    Hit::new(
        Category::Pii,
        1.0,
        format!("pii.{}", m.kind.as_str()),
        vec![Span::new(m.start, m.end)],
    )
}

// The longest match (in bytes) of each number detector; each holds at least one ASCII digit.
// IBAN: 2 letters, 2 digits, up to 30 more characters each after an optional space.
const IBAN_MAX: usize = 4 + 2 * 30;
// Card: 13-19 digits with single separators.
const CARD_MAX: usize = 19 + 18;
// SSN: "social security number" (23), up to 4 separators of up to 3 bytes, 9 digits, 2 spaces.
const SSN_MAX: usize = 23 + 12 + 11;
const IPV4_MAX: usize = 15;
// Phone: +ddd sep, (dddd) sep, dddd, then 3 x (sep ddddd), then sep dddddddd.
const PHONE_MAX: usize = 5 + 7 + 4 + 3 * 6 + 9;

/// Whether an address names a host: not the loopback (`127.0.0.1`, `::1`: "this machine", the
/// same on every computer) nor the unspecified address (`0.0.0.0`, `::`: "any"), which a
/// model's answer about running a server is full of and which identify no one. Private and
/// documentation ranges stay PII: they name a host of someone's network, and the labeled
/// sets count them.
fn names_a_host(addr: impl Into<std::net::IpAddr>) -> bool {
    let addr = addr.into();
    !(addr.is_loopback() || addr.is_unspecified())
}

/// Runs of ASCII digits, as `(first, last + 1)`, joined when fewer than 8 bytes apart.
fn digit_clusters(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, b) in bytes.iter().enumerate() {
        if b.is_ascii_digit() {
            match out.last_mut() {
                Some(last) if i < last.1 + 8 => last.1 = i + 1,
                _ => out.push((i, i + 1)),
            }
        }
    }
    out
}

/// Disjoint, sorted byte ranges of a text that can hold every match of a detector.
///
/// Searching each range with `find_at` on the text cut at the range's end gives exactly the
/// matches `find_iter` gives on the whole text, as long as every match lies inside one range
/// with a byte to spare on its right (the end look-around sees the same byte): a range
/// reaches `max + 1` bytes on both sides of every digit, and a match holds a digit and is at
/// most `max` bytes long. The left context is the real text, since the haystack starts at 0.
struct Windows(Vec<(usize, usize)>);

impl Windows {
    /// Adds `[s, e)`, merged with the last range when they touch (ranges come in order).
    fn push(&mut self, s: usize, e: usize) {
        match self.0.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => self.0.push((s, e)),
        }
    }

    fn around(text: &str, clusters: &[(usize, usize)], radius: usize) -> Windows {
        let mut out = Windows(Vec::new());
        for &(a, b) in clusters {
            out.push(
                floor_char_boundary(text, a.saturating_sub(radius)),
                ceil_char_boundary(text, b + radius),
            );
        }
        out
    }

    /// IBANs start with two capital letters and two digits: only there.
    fn iban(text: &str, clusters: &[(usize, usize)]) -> Windows {
        let bytes = text.as_bytes();
        let mut out = Windows(Vec::new());
        for &(a, b) in clusters {
            for d in a..b.saturating_sub(1) {
                if d >= 2
                    && bytes[d - 2].is_ascii_uppercase()
                    && bytes[d - 1].is_ascii_uppercase()
                    && bytes[d].is_ascii_digit()
                    && bytes[d + 1].is_ascii_digit()
                {
                    // ASCII at the start.
                    let s = d - 2;
                    out.push(s, ceil_char_boundary(text, s + IBAN_MAX + 1));
                }
            }
        }
        out
    }

    /// Every match of `search` (a search of the haystack from a position, giving the match
    /// and its end) in each window, in order.
    fn each<'r, 't, T: 'r, F>(
        &'r self,
        text: &'t str,
        search: F,
    ) -> impl Iterator<Item = T> + use<'r, 't, T, F>
    where
        't: 'r,
        F: Fn(&'t str, usize) -> Option<(T, usize)> + Copy + 'r,
    {
        self.0.iter().flat_map(move |&(s, e)| {
            let hay = &text[..e];
            let mut at = s;
            std::iter::from_fn(move || {
                let (m, end) = search(hay, at)?;
                // No detector matches the empty string; guard against a loop anyway.
                at = if end > at { end } else { hay.len() };
                Some(m)
            })
        })
    }

    fn find_iter<'r, 't>(
        &'r self,
        re: &'r Regex,
        text: &'t str,
    ) -> impl Iterator<Item = regex::Match<'t>> + 'r
    where
        't: 'r,
    {
        self.each(text, move |hay, at| {
            re.find_at(hay, at).map(|m| (m, m.end()))
        })
    }

    fn captures_iter<'r, 't>(
        &'r self,
        re: &'r Regex,
        text: &'t str,
    ) -> impl Iterator<Item = regex::Captures<'t>> + 'r
    where
        't: 'r,
    {
        self.each(text, move |hay, at| {
            let c = re.captures_at(hay, at)?;
            let end = c.get(0).map_or(hay.len(), |m| m.end());
            Some((c, end))
        })
    }
}

fn memchr(needle: u8, hay: &[u8]) -> bool {
    hay.contains(&needle)
}

/// Luhn checksum over decimal digits.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut d = u32::from(d);
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// ISO 13616 IBAN check: length per country not enforced, mod-97 of the rearranged number is 1.
pub fn iban_valid(s: &str) -> bool {
    let compact: Vec<u8> = s.bytes().filter(|b| *b != b' ').collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let mut rem: u32 = 0;
    for &b in compact[4..].iter().chain(&compact[..4]) {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

fn ssn_valid(area: &str, group: &str, serial: &str) -> bool {
    let a: u32 = area.parse().unwrap_or(0);
    let g: u32 = group.parse().unwrap_or(0);
    let s: u32 = serial.parse().unwrap_or(0);
    a != 0 && a != 666 && a < 900 && g != 0 && s != 0
}

/// A value after `token=` that looks random: long, mixed character classes, high entropy.
fn looks_like_secret(s: &str) -> bool {
    if s.len() < 16 {
        return false;
    }
    let has_upper = s.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = s.bytes().any(|b| b.is_ascii_lowercase());
    let has_digit = s.bytes().any(|b| b.is_ascii_digit());
    if [has_upper, has_lower, has_digit]
        .iter()
        .filter(|x| **x)
        .count()
        < 2
    {
        return false;
    }
    shannon_entropy(s) >= 3.5
}

/// Bits per byte.
pub fn shannon_entropy(s: &str) -> f32 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f32;
    if n == 0.0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f32 / n;
            -p * p.log2()
        })
        .sum()
}

/// Replaces every span with its placeholder. Spans must be sorted and non-overlapping
/// (overlapping ones are merged, keeping the first placeholder).
pub fn redact(text: &str, spans: &[(Span, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, placeholder) in spans {
        if span.start < at {
            at = at.max(span.end.min(text.len()));
            continue;
        }
        out.push_str(&text[at..span.start]);
        out.push_str(placeholder);
        at = span.end.min(text.len());
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(PiiKind, String)> {
        PiiScanner::new()
            .find(text)
            .into_iter()
            .map(|m| (m.kind, text[m.start..m.end].to_string()))
            .collect()
    }

    #[test]
    fn searching_near_digits_finds_what_the_whole_text_search_finds() {
        // Fragments that make and break every detector, glued in pseudo-random orders (a
        // fixed LCG, so a failure reproduces), plus the labelled PII set's texts.
        let parts = [
            "call +1 (415) 555-0132",
            "4111 1111 1111 1111",
            "4111-1111-1111-1112",
            "SSN: 123 45 6789",
            "social security number #078-05-1120",
            "123-45-6789",
            "GB82 WEST 1234 5698 7654 32",
            "DE89370400440532013000",
            "10.0.0.1",
            "1.2.3.4.5",
            "v2.10.3",
            "x123-4567",
            "2024-05-17",
            "fe80::1%eth0",
            "127.0.0.1",
            "::1",
            "0132",
            "5",
            " ",
            "  ",
            "\n",
            "é",
            "数字123",
            "Ж",
            "a@b.co",
            "AB12",
            "-",
            ".",
            "(",
            ")",
            "+",
            "/",
            "word",
            "WORD",
            "ssn",
            "token = abcdefghijklmnop1234",
        ];
        let scanner = PiiScanner::new();
        let mut texts: Vec<String> = include_str!("../data/pii.jsonl")
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_string))
            .collect();
        texts.extend(crate::testgen::glued(&parts, 0x5eed, 3000, 12, true));
        // Digits far apart, so windows start and end inside prose.
        texts.push(format!(
            "{}4111 1111 1111 1111{}call 415 555 0132",
            "x".repeat(200),
            "é".repeat(90)
        ));
        for t in &texts {
            assert_eq!(
                scanner.find_with(t, true),
                scanner.find_with(t, false),
                "{t:?}"
            );
        }
    }

    #[test]
    fn finds_each_kind() {
        let cases = [
            (
                "email",
                "write to jane.doe@example.com today",
                PiiKind::Email,
                "jane.doe@example.com",
            ),
            (
                "card_spaced",
                "card 4111 1111 1111 1111 exp",
                PiiKind::CreditCard,
                "4111 1111 1111 1111",
            ),
            (
                "card_plain",
                "pay with 5500005555555559.",
                PiiKind::CreditCard,
                "5500005555555559",
            ),
            (
                "iban",
                "IBAN DE89 3704 0044 0532 0130 00 please",
                PiiKind::Iban,
                "DE89 3704 0044 0532 0130 00",
            ),
            (
                "ssn",
                "my ssn is 123-45-6789",
                PiiKind::UsSsn,
                "123-45-6789",
            ),
            (
                "ipv4",
                "server at 192.168.1.20 is down",
                PiiKind::IpAddress,
                "192.168.1.20",
            ),
            (
                "ipv6",
                "ping 2001:db8::8a2e:370:7334 now",
                PiiKind::IpAddress,
                "2001:db8::8a2e:370:7334",
            ),
            (
                "phone",
                "call +1 (415) 555-0132 now",
                PiiKind::Phone,
                "+1 (415) 555-0132",
            ),
            (
                "aws",
                "key AKIAIOSFODNN7EXAMPLE here",
                PiiKind::ApiKey,
                "AKIAIOSFODNN7EXAMPLE",
            ),
            (
                "github",
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                PiiKind::ApiKey,
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            ),
            (
                "openai",
                "OPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t",
                PiiKind::ApiKey,
                "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8t",
            ),
        ];
        for (name, text, kind, value) in cases {
            let got = kinds(text);
            assert!(
                got.contains(&(kind, value.to_string())),
                "case {name}: {got:?}"
            );
        }
    }

    #[test]
    fn checksum_failures_and_look_alikes_are_not_pii() {
        let cases = [
            ("luhn_fail", "card 4111 1111 1111 1112 exp"),
            ("iban_fail", "IBAN DE89 3704 0044 0532 0130 01"),
            ("ssn_area_000", "id 000-12-3456"),
            ("version", "upgrade to 1.2.3.4.5 now"),
            ("date", "on 2024-05-17 we shipped"),
            ("cpp_path", "use std::vec::Vec"),
            ("year", "in 2024 and 2025"),
            ("years", "the Spanish Civil War (1936-1939) and 1914 - 1918"),
            (
                "helpline",
                "SAMHSA's helpline is 1-800-662-4357, free and confidential",
            ),
            (
                "toll_free",
                "call 8-800-2000-122 or 0800 1111 or 1800-599-0019 or 0570-078374",
            ),
            // This machine and "any address": in every answer about running a server.
            (
                "loopback",
                "open http://127.0.0.1:8080/ or curl localhost; 127.1.2.3 too",
            ),
            ("ipv6_loopback", "listen on [::1]:3000 or ::1"),
            ("unspecified", "bind 0.0.0.0:80 (or :: for IPv6)"),
        ];
        for (name, text) in cases {
            let got = kinds(text);
            assert!(got.is_empty(), "case {name}: {got:?}");
        }
    }

    /// The fresh PII set's read half (forty-sixth session): numbers written the way other
    /// countries write them, keys named the way other services name them, and the
    /// timestamps and identifiers that looked like phone numbers.
    #[test]
    fn numbers_and_keys_of_the_forty_sixth_round() {
        let found = [
            (
                "br_mobile",
                "me chame no +55 11 97210-7424.",
                PiiKind::Phone,
                "+55 11 97210-7424",
            ),
            (
                "cn_mobile",
                "电话 +86 134 9985 3970 或邮件",
                PiiKind::Phone,
                "+86 134 9985 3970",
            ),
            (
                "fr_one_digit_area",
                "tél. +33 1 53 87 95 49",
                PiiKind::Phone,
                "+33 1 53 87 95 49",
            ),
            (
                "de_landline",
                "Ruf mich unter 089 5595058 an",
                PiiKind::Phone,
                "089 5595058",
            ),
            (
                "cn_landline",
                "座机 0755-56848276。",
                PiiKind::Phone,
                "0755-56848276",
            ),
            (
                "us_one_run",
                "call me at 4155550132 today",
                PiiKind::Phone,
                "4155550132",
            ),
            (
                "stripe",
                "Stripe 密钥 sk_live_U4xoFPB0PGZPG8xmsAEUpxCca5vHZeezu 也需要",
                PiiKind::ApiKey,
                "sk_live_U4xoFPB0PGZPG8xmsAEUpxCca5vHZeezu",
            ),
            (
                "app_key",
                "APP_KEY=bfe4709be1f003f75574e154b42a47a697db73511bc80b2b2edec2130f29dda5",
                PiiKind::ApiKey,
                "bfe4709be1f003f75574e154b42a47a697db73511bc80b2b2edec2130f29dda5",
            ),
        ];
        for (name, text, kind, value) in found {
            let got = kinds(text);
            assert_eq!(got, vec![(kind, value.to_string())], "case {name}");
        }
        let none = [
            ("timestamp", "服务器日志：2024-03-15 03:21:09 拒绝登录"),
            ("timestamp_de", "Firewall-Log: 15.03.2024 02:17:33 DROP TCP"),
            (
                "uuid",
                "O registro ad35c367-2fb0-4949-9472-caeeb20de4ee foi atualizado",
            ),
            ("reference", "Verwendungszweck: RE-2024-0815"),
            ("order", "(заказ № 48-771203 от 02.03.2025)"),
        ];
        for (name, text) in none {
            let got = kinds(text);
            assert!(got.is_empty(), "case {name}: {got:?}");
        }
    }

    #[test]
    fn redaction_uses_typed_placeholders() {
        let text = "mail a@b.io or call 415-555-0132";
        let found = PiiScanner::new().find(text);
        let spans: Vec<(Span, &str)> = found
            .iter()
            .map(|m| (Span::new(m.start, m.end), m.kind.placeholder()))
            .collect();
        assert_eq!(redact(text, &spans), "mail [EMAIL] or call [PHONE]");
    }

    #[test]
    fn luhn_and_iban_checks() {
        assert!(luhn_valid(&[
            4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
        ]));
        assert!(!luhn_valid(&[
            4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2
        ]));
        assert!(iban_valid("GB82WEST12345698765432"));
        assert!(!iban_valid("GB82WEST12345698765433"));
    }
}
