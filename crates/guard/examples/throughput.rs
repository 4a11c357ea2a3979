//! Rough per-stage throughput on a synthetic megabyte: `cargo run --release --example throughput`.

use std::time::Instant;
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
    let mb = text.len() as f64 / 1e6;
    let time = |name: &str, f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        let s = t.elapsed().as_secs_f64();
        println!("{name:<12} {:>8.1} ms {:>8.1} MB/s", s * 1e3, mb / s);
    };
    let rules = RuleSet::builtin().unwrap();
    let inj = InjectionScanner::builtin().unwrap();
    let pii = PiiScanner::new();
    let guard = Guard::with_default_policy();
    time("normalize", &mut || {
        std::hint::black_box(Normalized::new(&text));
    });
    let n = Normalized::new(&text);
    time("rules", &mut || {
        let mut out = Vec::new();
        rules.scan_into(&n, &mut out);
        std::hint::black_box(out);
    });
    time("injection", &mut || {
        std::hint::black_box(inj.score(&n, false));
    });
    time("base64", &mut || {
        std::hint::black_box(inj.encoded_payloads(&text));
    });
    time("pii", &mut || {
        std::hint::black_box(pii.find(&text));
    });
    time("language", &mut || {
        std::hint::black_box(analyze(&text, Some("en"), &LanguageConfig::default()));
    });
    time("guard.scan", &mut || {
        std::hint::black_box(guard.scan(&text, &Context::input()));
    });
}
