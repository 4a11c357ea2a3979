//! Resident memory of the classifier: after loading, and after embedding every text of the
//! dev set (1,358 prompts in ten languages, so a realistic spread of token ids), split into
//! private memory and file pages: `cargo run --release -p warden-classifier --example memory`.

use warden_classifier::{default_model_dir, Embed, MiniLmEmbedder};
use warden_guard::eval;

/// (resident, private, file-backed) in KB.
fn rss_kb() -> (u64, u64, u64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("RssAnon:"), field("RssFile:"))
}

fn main() {
    let show = |name: &str| {
        let (rss, anon, file) = rss_kb();
        println!("{name:<32} rss {rss:>7} KB  private {anon:>7} KB  file {file:>7} KB");
    };
    show("start");
    let embedder =
        MiniLmEmbedder::load(default_model_dir()).expect("weights (scripts/fetch-classifier.sh)");
    show("loaded");
    embedder
        .embed("How do I make a cake for my daughter's birthday party?")
        .unwrap();
    show("embedded one prompt");
    let samples: Vec<eval::EvalSample> =
        eval::parse_jsonl(include_str!("../../guard/data/dev.jsonl")).unwrap();
    for s in &samples {
        std::hint::black_box(embedder.embed(&s.text).unwrap());
    }
    show(&format!("embedded {} texts", samples.len()));
}
