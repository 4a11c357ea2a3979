//! Prints, per stdin line, the guard's canonical text and the classifier's prediction:
//! `cargo run --release -p warden-classifier --example probe < texts.txt`.
//! A line may be a `{"text": ...}` JSON object or plain text. With `--embed`, it prints each
//! line's embedding instead (one JSON array per line), for experiments on the head in Python.
//! `none` is a text the classifier does not read: a chat's turn (see `TURN_GATE`), or empty.

use std::io::BufRead;

use warden_classifier::{default_model_dir, Embed, MiniLmClassifier};
use warden_guard::normalize::Normalized;

fn main() {
    let classifier =
        MiniLmClassifier::load(default_model_dir()).expect("run scripts/fetch-classifier.sh");
    let embed = std::env::args().any(|a| a == "--embed");
    let threshold = classifier.head().threshold;
    if !embed {
        println!(
            "threshold {threshold:.3}, documents {:.3}",
            classifier.document_head().threshold
        );
    }
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        let text = serde_json::from_str::<serde_json::Value>(&line)
            .ok()
            .and_then(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_owned))
            .unwrap_or(line);
        let norm = Normalized::new(&text);
        let canonical = norm.as_str().to_owned();
        if embed {
            let embedder = classifier.embedder().expect("loaded");
            let e = embedder.embed(&canonical).expect("embeds");
            println!("{}", serde_json::to_string(&e).expect("floats serialize"));
            continue;
        }
        // The ensemble, and its two parts on the first window (the document models' for a
        // text over 400 bytes, marked `doc`).
        // And the turn head's reading (see `TURN_GATE`), for a prompt of one window.
        let (head, ngram) = classifier.reader(&canonical);
        let e = classifier.embedder().and_then(|e| e.embed(&canonical).ok());
        let mlp = e.as_ref().map_or(f32::NAN, |e| head.predict(e).harmful);
        let turn = match (classifier.turn_head(), &e) {
            (Some(t), Some(e)) => t.predict(e).harmful,
            _ => f32::NAN,
        };
        let ngram = ngram.predict(&canonical).harmful;
        let doc = if warden_classifier::is_document(&canonical) {
            "doc "
        } else {
            ""
        };
        match classifier.predict_normalized(&norm) {
            Some(p) => println!(
                "{doc}{:.3} (mlp {mlp:.3}, n-gram {ngram:.3}, turn {turn:.3}) {:?} {:.2} | {canonical}",
                p.harmful, p.category, p.category_p
            ),
            None => println!("none (mlp {mlp:.3}, n-gram {ngram:.3}, turn {turn:.3}) | {canonical}"),
        }
    }
}
