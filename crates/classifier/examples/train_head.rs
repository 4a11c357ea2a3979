//! Retrains the heads and the English n-gram models and writes `data/head.json`,
//! `data/ngram_en.bin`, `data/head_document.json`, `data/ngram_en_document.bin` and
//! `data/head_turn.json`:
//! `cargo run --release -p warden-classifier --example train_head [-- --check]`.
//! With `--check` it only compares against the committed head.

use warden_classifier::train::{default_samples, train_head, SEED};
use warden_classifier::{default_model_dir, Head, MiniLmEmbedder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let check = std::env::args().any(|a| a == "--check");
    let embedder = MiniLmEmbedder::load(default_model_dir())?;
    let samples = default_samples()?;
    if let Some(i) = std::env::args().position(|a| a == "--dump") {
        // Embeddings for experiments outside Rust: one JSON array per line, in sample order.
        let path = std::env::args().nth(i + 1).ok_or("--dump PATH")?;
        let emb = warden_classifier::train::embed_samples(&embedder, &samples)?;
        let lines: Vec<String> = emb
            .iter()
            .map(|e| serde_json::to_string(e).expect("floats serialize"))
            .collect();
        std::fs::write(path, lines.join("\n"))?;
        return Ok(());
    }
    let t = std::time::Instant::now();
    let trained = train_head(&embedder, &samples, SEED)?;
    let head = &trained.head;
    eprintln!(
        "trained on {:?} (harmful, benign) in {:.1} s: threshold {:.2}, out-of-fold recall {:.3}, benign FPR {:.3}",
        head.trained_on,
        t.elapsed().as_secs_f64(),
        head.threshold,
        head.cv_recall,
        head.cv_fpr
    );
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    if check {
        let diff = head.max_difference(&Head::builtin()?);
        println!("largest relative weight difference from the committed head: {diff:?}");
        let diff = trained
            .ngram
            .max_difference(warden_classifier::english_ngram());
        println!("and from the committed English n-gram model: {diff:?}");
        let diff = trained
            .document_head
            .max_difference(&Head::builtin_document()?);
        println!("from the committed document head: {diff:?}");
        let diff = trained
            .document_ngram
            .max_difference(warden_classifier::english_document_ngram());
        println!("and from the committed document English n-gram model: {diff:?}");
        let diff = trained.turn_head.max_difference(&Head::builtin_turn()?);
        println!("from the committed turn head: {diff:?}");
    } else {
        std::fs::write(data.join("head.json"), head.to_json())?;
        std::fs::write(data.join("ngram_en.bin"), trained.ngram.to_bytes())?;
        std::fs::write(
            data.join("head_document.json"),
            trained.document_head.to_json(),
        )?;
        std::fs::write(
            data.join("ngram_en_document.bin"),
            trained.document_ngram.to_bytes(),
        )?;
        std::fs::write(data.join("head_turn.json"), trained.turn_head.to_json())?;
        println!(
            "wrote {}/head.json, ngram_en.bin, head_document.json, ngram_en_document.bin and head_turn.json",
            data.display()
        );
    }
    Ok(())
}
