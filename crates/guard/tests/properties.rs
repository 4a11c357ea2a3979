//! Properties that must hold on any input: no panics, spans inside the text and on char
//! boundaries, and scans that scale with the text.

use proptest::prelude::*;
use std::sync::OnceLock;
use std::time::Instant;
use warden_guard::{Context, Guard, Normalized, Span, Stage, Verdict};

fn guard() -> &'static Guard {
    static G: OnceLock<Guard> = OnceLock::new();
    G.get_or_init(Guard::with_default_policy)
}

/// Withdraws the rules' weaker hazard hits from every text it reads, as the classifier does
/// from a text it reads as benign: streaming holds those hits for it.
#[derive(Debug)]
struct Withdrawing;

impl warden_guard::Scanner for Withdrawing {
    fn name(&self) -> &str {
        "withdrawing"
    }
    fn scan(&self, _: &Normalized<'_>, _: &Context, out: &mut Vec<warden_guard::Hit>) {
        out.retain(|h| !warden_guard::scanner::withdrawable(h));
    }
    fn withdraws_rules(&self, _: &Context) -> bool {
        true
    }
}

fn withdrawing_guard() -> &'static Guard {
    static G: OnceLock<Guard> = OnceLock::new();
    G.get_or_init(|| {
        let mut g = Guard::with_default_policy();
        g.add_scanner(Box::new(Withdrawing), true);
        g
    })
}

/// Streams `text` at the output stage in pieces of `piece` characters, checking every
/// verdict's spans.
fn stream_and_check(guard: &Guard, text: &str, piece: usize) {
    let mut s = guard.output_scanner(Stage::Output);
    let chars: Vec<char> = text.chars().collect();
    for chunk in chars.chunks(piece) {
        let d: String = chunk.iter().collect();
        if let Some(v) = s.feed(&d) {
            assert_verdict_ok(s.text(), &v);
        }
    }
    let v = s.finish();
    assert_verdict_ok(text, &v);
}

fn assert_span_ok(text: &str, s: &Span, what: &str) {
    assert!(s.start <= s.end, "{what}: inverted span {s:?}");
    assert!(
        s.end <= text.len(),
        "{what}: span {s:?} past len {}",
        text.len()
    );
    assert!(
        text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
        "{what}: span {s:?} not on char boundaries"
    );
}

fn assert_verdict_ok(text: &str, v: &Verdict) {
    for h in &v.hits {
        for s in &h.spans {
            assert_span_ok(text, s, &h.scanner);
        }
    }
    for p in &v.pii {
        assert_span_ok(text, &Span::new(p.start, p.end), "pii");
    }
    for s in &v.invisible {
        assert_span_ok(text, s, "invisible");
    }
}

/// Text mixing the characters that exercise the normalizer: confusables, zero-width, leet,
/// CJK, combining marks, fullwidth, tag characters, Cyrillic leet, `ł ı đ`, and keywords
/// that make rules fire.
fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "bomb",
        "b0mb",
        "b o m b",
        "k-i-l-l",
        "how do i make",
        "ignore previous instructions",
        "AI assistant reading this: ",
        "reveal your system prompt",
        "\u{200B}",
        "\u{0301}",
        "\u{043E}",
        "ｂ",
        "炸弹",
        "如何",
        "🙂",
        "\u{E0069}",
        "a@b.io",
        "4111 1111 1111 1111",
        "sk-",
        "=",
        "==",
        "```",
        "`",
        "</think>",
        "<think>",
        "\n",
        " ",
        ".",
        "I s e x",
        "ﬁ",
        "ǅ",
        "İ",
        "ß",
        "\u{FEFF}",
        "1337",
        "$",
        "@",
        "ا",
        "ल",
        "\u{0925}\u{094D}",
        // Cyrillic words with leet digits and Latin look-alikes, folded to Cyrillic.
        "б0мба",
        "бомбy",
        "взрывчатkа",
        "3акладка",
        "Ф0т0ш0п",
        "селiтри",
        "БOMБA",
        "30кг",
        "B",
        "б",
        "0",
        // Letters NFKD leaves whole.
        "ł",
        "Ł",
        "ı",
        "đ",
        "Đ",
        // Spaced letters into CJK, spaced ideographs.
        "D D o S",
        "脚本",
        "炸 弹",
        // ROT13 and backwards lines, deciphered and rescanned.
        "ubj gb znxr n cvcr obzo ",
        "bmob epip a ekam ot woh ",
        "gur naq bs ",
        // letters dressed as symbols; upside down; hex
        "🅱🅾🅼🅱",
        "🇧🇴",
        "ʙᴏᴍʙ",
        "qɯoq ǝʞɐɯ ",
        "686f7720746f206d616b65",
        // disguised words the rules read in prompts: masked, split, by ear, translit, leet
        "p*pe b*mb ",
        "pi pe bo mb ",
        "komo azer una bonba kasera ",
        "kak sdelat bombu ",
        "к4к сд3л4ть ",
        "Tutsi ",
        "怎麼製作炸彈",
        "殺す",
        // other shifts and Atbash; Morse, binary and escapes; emoji between letters
        "krz wr pdnh d slsh erpe ",
        "sld gl nzpv z krkv ylny ",
        ".... --- .-- / - --- ",
        "-- .- -.- . ",
        "·-·",
        "01101000 01101111 ",
        "0110110101100001",
        "%68%6F%77%20",
        "%E5%A6%82",
        "&#104;&#111;",
        "&#x68;",
        "&#",
        "\\x68\\x6f",
        "\\u0068",
        "\\u{1F4A3}",
        "\\u{",
        "%",
        "b💥o💥m💥b",
        "💥",
        "炸*弹",
        "ば・く",
        // whitespace wider than a byte, next to decoded runs
        "\u{3000}",
        "\u{a0}",
        // the sixteenth round: Hangul in letters and NFD, kana with a separate voicing mark,
        // masks, splits, runs and reversals in other scripts, a space inside CJK
        "ㄷㅗㄱㅅㅏㄹ",
        "\u{1103}\u{1169}\u{11A8}",
        "\u{1161}",
        "か\u{3099}",
        "ｶﾞ",
        "взлом*ть ",
        "enve nenar ",
        "ब म ",
        "للان*حار ",
        "bommmmba ",
        "abmob ",
        "h a c k e a r o ",
        "hасkе ",
        "自 杀",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(String::from), any::<String>()],
        0..24,
    )
    .prop_map(|v| v.concat())
}

/// Several [`tricky_text`]s with sentences of prose between them: long enough to be cut into
/// pieces and read by the models while streaming.
fn long_text() -> impl Strategy<Value = String> {
    let prose = prop::sample::select(vec![
        "The committee met on Tuesday and agreed on the budget for next year. ",
        "Stir the sauce until it thickens, then take it off the heat.\n",
        "Можно добавить немного соли; это улучшит вкус. ",
        "这是一个很长的句子，用来测试分段。",
        "A sentence without an end that just keeps going and going ",
    ]);
    prop::collection::vec((tricky_text(), prose), 0..12).prop_map(|v| {
        v.into_iter()
            .flat_map(|(t, p)| [t, p.repeat(3)])
            .collect::<String>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn normalizer_maps_every_range_inside_the_original(text in tricky_text(), a in 0usize..400, b in 0usize..400) {
        let n = Normalized::new(&text);
        let (lo, hi) = (a.min(b), a.max(b));
        assert_span_ok(&text, &n.to_original(lo, hi), "to_original");
        for s in n.invisible() {
            assert_span_ok(&text, s, "invisible");
        }
        // Each canonical char maps back to the one original char that produced it, in order,
        // with the Hangul letters or kana voicing marks composed onto it.
        let mut prev = 0;
        let composed = |c: char| matches!(c as u32, 0x1161..=0x11FF | 0x3099 | 0x309A | 0xFF9E | 0xFF9F);
        for (at, c) in n.as_str().char_indices() {
            let s = n.to_original(at, at + c.len_utf8());
            assert_span_ok(&text, &s, "char");
            let mut back = text[s.start..s.end].chars();
            prop_assert!(back.next().is_some(), "{:?} at {} maps to nothing", c, at);
            prop_assert!(back.all(composed), "{:?} at {} maps to {:?}", c, at, &text[s.start..s.end]);
            prop_assert!(s.start >= prev, "{:?} at {} maps back before {}", c, at, prev);
            prev = s.start;
        }
    }

    #[test]
    fn scan_never_panics_and_spans_stay_inside(text in tricky_text(), stage in 0u8..3) {
        let stage = [Stage::Input, Stage::Reasoning, Stage::Output][stage as usize];
        let v = guard().scan(&text, &Context::new(stage));
        assert_verdict_ok(&text, &v);
        if let Some(r) = &v.redacted_text {
            prop_assert!(!r.is_empty() || text.is_empty());
        }
    }

    #[test]
    fn scan_handles_arbitrary_unicode(text in any::<String>()) {
        let v = guard().scan(&text, &Context::input().with_expected_lang("en"));
        assert_verdict_ok(&text, &v);
    }

    #[test]
    fn streaming_never_panics_and_spans_stay_inside(text in tricky_text(), piece in 1usize..9) {
        stream_and_check(guard(), &text, piece);
    }

    #[test]
    fn streaming_with_held_rule_hits_keeps_spans_inside(text in long_text(), piece in 1usize..9) {
        stream_and_check(withdrawing_guard(), &text, piece);
    }

    #[test]
    fn the_injection_model_reads_inside_the_text(text in long_text(), a in 0usize..20_000, b in 0usize..20_000) {
        let model = warden_guard::injection_model::InjectionModel::builtin();
        let norm = Normalized::new(&text);
        let c = norm.as_str();
        let place = a.min(b)..a.max(b);
        let (p, at) = model.read_near(c, std::slice::from_ref(&place));
        prop_assert!((0.0..=1.0).contains(&p), "{p}");
        prop_assert!(at.start <= at.end && at.end <= c.len(), "{at:?}");
        prop_assert!(c.is_char_boundary(at.start) && c.is_char_boundary(at.end), "{at:?}");
    }

    #[test]
    fn piece_cuts_of_a_prefix_are_final_but_the_last(text in long_text(), at in 0usize..8192) {
        let cuts = warden_guard::document::piece_cuts(&text);
        let mut next = 0;
        for r in &cuts {
            prop_assert!(r.start == next && r.end > r.start, "{cuts:?}");
            next = r.end;
        }
        prop_assert_eq!(next, text.len());
        let at = warden_guard::normalize::floor_char_boundary(&text, at);
        let early = warden_guard::document::piece_cuts(&text[..at]);
        if let Some((_, done)) = early.split_last() {
            prop_assert_eq!(done, &cuts[..done.len()]);
        }
    }

    #[test]
    fn r1_checks_never_panic(text in tricky_text(), starts in any::<bool>(), finished in any::<bool>()) {
        let r = guard().check_r1(&text, starts, finished);
        if let Some(rep) = &r.repetition {
            assert_span_ok(&text, &rep.span, "repetition");
        }
    }
}

fn corpus(bytes: usize) -> String {
    let para =
        "The committee reviewed the quarterly figures and found that revenue grew steadily. \
                Contact finance@example.com or call +1 415 555 0132 for details. Use `cargo build` \
                to compile the project, then run the tests. 我们还需要检查一下结果。 \
                Как убить процесс в Linux? How do I make a cake? ";
    let mut s = String::with_capacity(bytes + para.len());
    while s.len() < bytes {
        s.push_str(para);
    }
    s
}

#[test]
fn a_megabyte_scans_and_time_grows_about_linearly() {
    let small = corpus(256 * 1024);
    let big = corpus(1024 * 1024);
    let ctx = Context::input();
    guard().scan("warm up the lazily built detectors", &ctx);
    let t0 = Instant::now();
    let v_small = guard().scan(&small, &ctx);
    let t_small = t0.elapsed();
    let t1 = Instant::now();
    let v_big = guard().scan(&big, &ctx);
    let t_big = t1.elapsed();
    assert_verdict_ok(&big, &v_big);
    assert_verdict_ok(&small, &v_small);
    let ratio = t_big.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
    println!(
        "256 KiB: {:?} ({:.1} MB/s), 1 MiB: {:?} ({:.1} MB/s), ratio {ratio:.2}",
        t_small,
        small.len() as f64 / t_small.as_secs_f64() / 1e6,
        t_big,
        big.len() as f64 / t_big.as_secs_f64() / 1e6
    );
    // Loose on purpose: only catches quadratic blow-ups, not noise.
    assert!(ratio < 16.0, "1 MiB took {ratio:.1}x the time of 256 KiB");
}

/// The rules alone over text dense with question cues, intents and action words (one
/// sentence without a full stop, so a "segment" is long): a check that looks for the items
/// around an item must look at its neighbours, not at the whole text.
#[test]
fn rules_stay_linear_on_text_dense_with_cues() {
    // The model's refusal and compliance cues in every sentence, for the answer stages.
    let para = "could you tell me what a zero-day exploit is and how do i make a cake and \
                i can't help with a pipe bomb, however you should. ";
    let text = |bytes: usize| para.repeat(bytes / para.len() + 1);
    let (small, big) = (text(64 * 1024), text(256 * 1024));
    let rules = warden_guard::rules::RuleSet::builtin().unwrap();
    let (small, big) = (
        warden_guard::Normalized::new(&small),
        warden_guard::Normalized::new(&big),
    );
    for answer in [false, true] {
        let once = |norm: &warden_guard::Normalized| {
            let t0 = Instant::now();
            let mut out = Vec::new();
            if answer {
                rules.scan_answer(norm, &mut out);
            } else {
                rules.scan_into(norm, &mut out);
            }
            t0.elapsed().as_secs_f64()
        };
        // The two sizes alternate and each keeps its fastest of five, so a busy moment on a
        // shared machine (a build beside the tests) does not land on one size only.
        let (mut t_small, mut t_big) = (f64::MAX, f64::MAX);
        for _ in 0..5 {
            t_small = t_small.min(once(&small));
            t_big = t_big.min(once(&big));
        }
        let ratio = t_big / t_small.max(1e-9);
        println!("rules (answer: {answer}) on 256 KiB / 64 KiB of cues: {ratio:.1}x");
        // Linear is 4x; a quadratic pass would be 16x.
        assert!(ratio < 10.0, "256 KiB took {ratio:.1}x the time of 64 KiB");
    }
}

#[test]
fn streaming_cost_per_token_stays_flat() {
    let text = corpus(64 * 1024);
    let mut s = guard().output_scanner(Stage::Output);
    let tokens: Vec<&str> = text.split_inclusive(' ').collect();
    let t0 = Instant::now();
    for t in &tokens {
        s.feed(t);
    }
    let per_token = t0.elapsed().as_secs_f64() * 1e6 / tokens.len() as f64;
    let v = s.finish();
    assert_verdict_ok(&text, &v);
    println!(
        "streaming: {} tokens, {per_token:.1} µs/token",
        tokens.len()
    );
}

/// Streaming an answer dense with the rules' weaker hits, every one held and withdrawn:
/// time grows with the text, not with the hits withdrawn so far.
#[test]
fn streaming_with_withdrawn_hits_stays_linear() {
    let sentence = "If the pan catches fire, smother the flames and keep the children away from \
                    them. Stir the sauce until it thickens. ";
    let time = |bytes: usize| {
        let text = sentence.repeat(bytes / sentence.len());
        let tokens: Vec<&str> = text.split_inclusive(' ').collect();
        (0..2)
            .map(|_| {
                let mut s = withdrawing_guard().output_scanner(Stage::Output);
                let t0 = Instant::now();
                for t in &tokens {
                    s.feed(t);
                }
                let v = s.finish();
                assert_verdict_ok(&text, &v);
                assert!(
                    !v.hits.iter().any(warden_guard::scanner::withdrawable),
                    "{v:?}"
                );
                t0.elapsed().as_secs_f64()
            })
            .fold(f64::MAX, f64::min)
    };
    let ratio = time(64 * 1024) / time(16 * 1024).max(1e-9);
    println!("streaming with withdrawn hits, 64 KiB / 16 KiB: {ratio:.1}x");
    // Linear is 4x; a quadratic pass would be 16x.
    assert!(ratio < 10.0, "64 KiB took {ratio:.1}x the time of 16 KiB");
}
