//! Per-stage throughput on a synthetic megabyte (median of 7 runs), and the streaming guard's
//! cost per token: `cargo run --release -p warden-guard --example throughput`.

use std::time::Instant;
use warden_guard::eval::{self, InjectionSample};
use warden_guard::injection::InjectionScanner;
use warden_guard::language::{analyze, LanguageConfig};
use warden_guard::pii::PiiScanner;
use warden_guard::rules::RuleSet;
use warden_guard::{Context, Guard, Normalized};

fn main() {
    let para =
        "The committee reviewed the quarterly figures and found that revenue grew steadily. \
                Contact finance@example.com or call +1 415 555 0132 for details. Use `cargo build` \
                to compile the project, then run the tests. 我们还需要检查一下结果。 \
                Как убить процесс в Linux? How do I make a cake? ";
    let mut text = String::new();
    while text.len() < 1 << 20 {
        text.push_str(para);
    }
    // MB/s of the text each row reads: the README's megabyte is whole copies of it, longer
    // than the paragraph's (until the sixty-sixth session every row divided by the latter).
    let time = |name: &str, read: &str, f: &mut dyn FnMut()| {
        let mb = read.len() as f64 / 1e6;
        let mut runs: Vec<f64> = (0..7)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect();
        runs.sort_by(f64::total_cmp);
        let s = runs[runs.len() / 2];
        println!("{name:<12} {:>8.1} ms {:>8.1} MB/s", s * 1e3, mb / s);
    };
    let rules = RuleSet::builtin().unwrap();
    let inj = InjectionScanner::builtin().unwrap();
    let pii = PiiScanner::new();
    let guard = Guard::with_default_policy();
    time("normalize", &text, &mut || {
        std::hint::black_box(Normalized::new(&text));
    });
    let n = Normalized::new(&text);
    time("rules", &text, &mut || {
        let mut out = Vec::new();
        rules.scan_into(&n, &mut out);
        std::hint::black_box(out);
    });
    // A prompt-sized text (16 KiB, the most that is read word by word): the rules as they
    // read a prompt (disguised words respelled first) against the rules as they read an
    // answer, interleaved, median of 41 each. The Spanish one, with a typo or two in each
    // sentence, is read past typos too (the word list, the typo index).
    let spanish = "El comité revisó las cifras del trimestre y encontró que los ingresos \
                   crecieron de forma constante. Para más detalles, escriba a la oficina de \
                   finanzas o llame por teléfono. Compile el proyceto y ejecute las pruebas \
                   antes de publicar la nueva versión; luego revise los resultdaos con calma. ";
    let mut spanish_text = String::new();
    while spanish_text.len() < 16 * 1024 {
        spanish_text.push_str(spanish);
    }
    for (label, source) in [
        ("16 KiB prompt", &text[..]),
        ("16 KiB Spanish", &spanish_text[..]),
    ] {
        let mut cut = 16 * 1024;
        while !source.is_char_boundary(cut) {
            cut -= 1;
        }
        let prompt = Normalized::new(&source[..cut]);
        let (mut plain, mut input) = (Vec::new(), Vec::new());
        for _ in 0..41 {
            for (input_stage, runs) in [(false, &mut plain), (true, &mut input)] {
                let t = Instant::now();
                let mut out = Vec::new();
                if input_stage {
                    rules.scan_input(&prompt, &mut out);
                } else {
                    rules.scan_into(&prompt, &mut out);
                }
                std::hint::black_box(out);
                runs.push(t.elapsed().as_secs_f64());
            }
        }
        for runs in [&mut plain, &mut input] {
            runs.sort_by(f64::total_cmp);
        }
        let (p, i) = (plain[20], input[20]);
        println!(
            "rules, {label:<14} {:>6.1} µs as an answer, {:>6.1} µs as a prompt ({:.2}x)",
            p * 1e6,
            i * 1e6,
            i / p
        );
    }
    time("injection", &text, &mut || {
        std::hint::black_box(inj.score(&n, false));
    });
    // A megabyte made of the injection set's lines (attacks and look-alikes in many
    // languages): the windowed patterns' lazy DFA meets most of its states here.
    let dense: String = {
        let lines: Vec<InjectionSample> =
            eval::parse_jsonl(include_str!("../data/injection.jsonl")).unwrap();
        let mut d = String::new();
        while d.len() < text.len() {
            for l in &lines {
                d.push_str(&l.text);
                d.push('\n');
            }
        }
        d
    };
    let dense_norm = Normalized::new(&dense);
    time("injection, dense", &dense, &mut || {
        std::hint::black_box(inj.score(&dense_norm, true));
    });
    // A megabyte of this crate's README, which quotes attacks in many languages as it
    // describes the scanners: the most varied injection-dense text at hand (unique for its
    // first third of a megabyte, then repeated).
    let readme: String = {
        let mut d = String::new();
        while d.len() < text.len() {
            d.push_str(include_str!("../README.md"));
        }
        d
    };
    let readme_norm = Normalized::new(&readme);
    time("injection, README", &readme, &mut || {
        std::hint::black_box(inj.score(&readme_norm, true));
    });
    time("normalize, README", &readme, &mut || {
        std::hint::black_box(Normalized::new(&readme));
    });
    time("rules, README", &readme, &mut || {
        let mut out = Vec::new();
        rules.scan_into(&readme_norm, &mut out);
        std::hint::black_box(out);
    });
    time("pii, README", &readme, &mut || {
        std::hint::black_box(pii.find(&readme));
    });
    time("base64", &text, &mut || {
        std::hint::black_box(inj.encoded_payloads(&text));
    });
    time("pii", &text, &mut || {
        std::hint::black_box(pii.find(&text));
    });
    time("language", &text, &mut || {
        std::hint::black_box(analyze(&text, Some("en"), &LanguageConfig::default()));
    });
    // The README's sentences: table rows, headings and lists, whose stop words do not
    // settle their language, are read by the trigram detector (`src/latin.rs`).
    time("language, README", &readme, &mut || {
        std::hint::black_box(analyze(&readme, Some("en"), &LanguageConfig::default()));
    });
    // The figure, "rules + PII + language", run the way `Guard::scan` runs a long
    // text: normalization and the rules on this thread, PII and the language check on a
    // helper (the full scan below adds injection, encoded payloads, redaction).
    let rules_pii_lang = |text: &str| {
        std::thread::scope(|s| {
            let helper = s.spawn(|| {
                (
                    pii.find(text),
                    analyze(text, Some("en"), &LanguageConfig::default()),
                )
            });
            let n = Normalized::new(text);
            let mut out = Vec::new();
            rules.scan_into(&n, &mut out);
            std::hint::black_box((out, helper.join().unwrap()));
        });
    };
    time("rules+pii+lang", &text, &mut || rules_pii_lang(&text));
    time("rules+pii+lang, README", &readme, &mut || {
        rules_pii_lang(&readme)
    });
    time("guard.scan", &text, &mut || {
        std::hint::black_box(guard.scan(&text, &Context::input()));
    });
    // Varied text: the README's megabyte. The paragraph above, repeated, is kind to the lazy
    // DFAs (their states are all met in its first few hundred bytes); text that never
    // repeats itself is not.
    time("scan, README", &readme, &mut || {
        std::hint::black_box(guard.scan(&readme, &Context::input()));
    });
    // The same megabyte as a document of short lines (each paragraph's sentences on their own
    // lines): line-by-line checks (the ROT13 / backwards-text one) see every line.
    let lines = text.replace(". ", ".\n").replace("? ", "?\n");
    time("scan, lines", &lines, &mut || {
        std::hint::black_box(guard.scan(&lines, &Context::input()));
    });
    // Streaming: ~4-byte tokens of ordinary answer text through the output scanner.
    let answer = "The answer depends on the input size. First, sort the list; then scan it once \
                  and keep a running total. For large inputs, use a heap instead. ";
    let mut tokens: Vec<&str> = Vec::new();
    for _ in 0..40 {
        let mut rest = answer;
        while !rest.is_empty() {
            let mut cut = rest.len().min(4);
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
            tokens.push(&rest[..cut]);
            rest = &rest[cut..];
        }
    }
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let mut s = guard.output_scanner(warden_guard::Stage::Output);
        for tok in &tokens {
            std::hint::black_box(s.feed(tok));
        }
        std::hint::black_box(s.finish());
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "streaming    {:>8.2} µs/token ({} tokens, best of 5, finish included)",
        best * 1e6 / tokens.len() as f64,
        tokens.len()
    );
    // The same on the mixed megabyte's first 64 KiB split at spaces (as in
    // tests/properties.rs): PII, CJK and Cyrillic in every chunk.
    let mut cut = 64 * 1024;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mixed: Vec<&str> = text[..cut].split_inclusive(' ').collect();
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let mut s = guard.output_scanner(warden_guard::Stage::Output);
        for tok in &mixed {
            std::hint::black_box(s.feed(tok));
        }
        std::hint::black_box(s.finish());
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "streaming    {:>8.2} µs/token on mixed text ({} tokens)",
        best * 1e6 / mixed.len() as f64,
        mixed.len()
    );
}
