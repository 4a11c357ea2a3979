//! Retrains the multilingual n-gram model and writes `data/ngram.bin`:
//! `cargo run --release -p warden-guard --example train_ngram [-- --check]`.
//! With `--check` it only compares against the committed model.

use warden_guard::ngram::{default_samples, train, NgramModel, SEED};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let check = std::env::args().any(|a| a == "--check");
    let samples = default_samples()?;
    let t = std::time::Instant::now();
    let model = train(&samples, SEED);
    eprintln!(
        "trained on {:?} (harmful, benign) in {:.1} s: threshold {:.3}, out-of-fold recall {:.3}, benign FPR {:.3}",
        model.trained_on,
        t.elapsed().as_secs_f64(),
        model.threshold,
        model.cv_recall,
        model.cv_fpr
    );
    if check {
        let builtin = NgramModel::builtin();
        match model.max_difference(builtin) {
            Some(d) => println!(
                "max relative difference vs committed model: {d:e}; threshold {:.3} vs {:.3}",
                model.threshold, builtin.threshold
            ),
            None => println!("differs from the committed model (sample counts)"),
        }
    } else {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/ngram.bin");
        std::fs::write(&path, model.to_bytes())?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
