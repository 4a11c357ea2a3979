//! Retrains one multilingual n-gram model and writes it over its file in `data/`:
//! `cargo run --release -p warden-guard --example train_ngram [-- base|wide|document] [--check]`
//! (`base` by default: `data/ngram.bin`; `wide`: `data/ngram_wide.bin`; `document`:
//! `data/ngram_document.bin`). With `--check` it only compares against the committed model.
//! `warden guard train` retrains all of them (and the classifier's heads, ~10 min more).

use warden_guard::eval::EvalSample;
use warden_guard::ngram::{self, NgramModel, SEED};

type Train = fn(&[EvalSample], u64) -> NgramModel;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let which = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or("base", String::as_str);
    let (samples, train, builtin, file): (_, Train, _, _) = match which {
        "base" => (
            ngram::default_samples()?,
            ngram::train,
            NgramModel::builtin(),
            "ngram.bin",
        ),
        "wide" => (
            ngram::wide_samples()?,
            ngram::train,
            NgramModel::wide(),
            "ngram_wide.bin",
        ),
        "document" => (
            ngram::document_samples()?,
            ngram::train_document,
            NgramModel::document(),
            "ngram_document.bin",
        ),
        other => return Err(format!("unknown model {other:?}: base, wide or document").into()),
    };
    let t = std::time::Instant::now();
    let model = train(&samples, SEED);
    eprintln!(
        "{which}: trained on {:?} (harmful, benign) in {:.1} s: threshold {:.3}, out-of-fold recall {:.3}, benign FPR {:.3}",
        model.trained_on,
        t.elapsed().as_secs_f64(),
        model.threshold,
        model.cv_recall,
        model.cv_fpr
    );
    if check {
        match model.max_difference(builtin) {
            Some(d) => println!(
                "max relative difference vs committed model: {d:e}; threshold {:.3} vs {:.3}",
                model.threshold, builtin.threshold
            ),
            None => println!("differs from the committed model (sample counts)"),
        }
    } else {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data")
            .join(file);
        std::fs::write(&path, model.to_bytes())?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
