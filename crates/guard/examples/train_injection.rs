//! Retrains the injection model and writes it over `data/injection_ngram.bin`:
//! `cargo run --release -p warden-guard --example train_injection [-- --check]`.
//! With `--check` it only compares against the committed model. Either way it prints the
//! out-of-fold figures of the model alone and of the scanner's sum (heuristics plus the
//! model's part) on the read injection sets, for a grid of thresholds and weights (~20 s).
//! "look-alikes" counts the injection sets' negatives and their sentences, "ordinary" the
//! other training texts and their sentences.

use warden_guard::eval::{parse_jsonl, InjectionSample};
use warden_guard::injection::InjectionScanner;
use warden_guard::injection_model::{self, InjectionModel, MODEL_MIN_SCORE, MODEL_WEIGHT, SEED};
use warden_guard::normalize::Normalized;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let check = std::env::args().any(|a| a == "--check");
    let samples = injection_model::samples()?;
    let t = std::time::Instant::now();
    let (model, oof) = injection_model::train_with_oof(&samples, SEED);
    eprintln!(
        "trained on {:?} (injections, others) in {:.1} s: threshold {:.3}, out-of-fold recall {:.3}, FPR {:.4}",
        model.trained_on,
        t.elapsed().as_secs_f64(),
        model.threshold,
        model.cv_recall,
        model.cv_fpr
    );

    // The read injection sets are the first samples, in this order, with their
    // `untrusted` flags.
    let mut read: Vec<InjectionSample> = parse_jsonl(include_str!("../data/injection.jsonl"))?;
    read.extend(parse_jsonl::<InjectionSample>(include_str!(
        "../data/injection_probe_q.jsonl"
    ))?);
    let heuristics = InjectionScanner::builtin()?;
    let heur: Vec<f32> = samples
        .iter()
        .map(|s| {
            heuristics
                .score_with(&Normalized::new(&s.text), false, None)
                .0
        })
        .collect();
    let untrusted = |i: usize| read.get(i).is_some_and(|r| r.untrusted);
    println!(
        "weight threshold   tp  fp  fn  F1     look-alikes  ordinary (of {})",
        {
            samples
                .iter()
                .filter(|s| !s.injection && !s.look_alike)
                .count()
        }
    );
    for w in [0.0f32, 0.2, 0.3, 0.35, 0.5] {
        for th in [0.3f64, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] {
            if w == 0.0 && th > 0.3 {
                continue;
            }
            let (mut tp, mut fp, mut fn_, mut la, mut ord) = (0, 0, 0, 0, 0);
            for (i, s) in samples.iter().enumerate() {
                let mut score = heur[i]
                    + if oof[i] >= th && heur[i] >= MODEL_MIN_SCORE {
                        w
                    } else {
                        0.0
                    };
                if score > 0.0 && untrusted(i) {
                    score += 0.15;
                }
                let got = score >= 0.5;
                match (s.injection, got) {
                    (true, true) => tp += 1,
                    (true, false) => fn_ += 1,
                    (false, true) => {
                        if s.look_alike {
                            la += 1;
                        } else {
                            ord += 1;
                        }
                        if i < read.len() {
                            fp += 1;
                        }
                    }
                    _ => {}
                }
            }
            let f1 = 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64;
            println!(
                "{w:5.2}  {th:5.2}     {tp:4} {fp:3} {fn_:3}  {f1:.3}  {la:4}         {ord:4}"
            );
        }
    }
    println!("model alone: threshold  recall  look-alikes  ordinary  heuristic misses caught");
    for th in [0.3f64, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98] {
        let pos = samples.iter().filter(|s| s.injection).count();
        let hit = |f: &dyn Fn(usize) -> bool| {
            (0..samples.len()).filter(|&i| f(i) && oof[i] >= th).count()
        };
        println!(
            "             {th:5.2}      {:.3}   {:4}         {:4}      {}",
            hit(&|i| samples[i].injection) as f64 / pos as f64,
            hit(&|i| samples[i].look_alike),
            hit(&|i| !samples[i].injection && !samples[i].look_alike),
            hit(&|i| samples[i].injection
                && heur[i]
                    + if untrusted(i) && heur[i] > 0.0 {
                        0.15
                    } else {
                        0.0
                    }
                    < 0.5)
        );
    }
    println!(
        "(the scanner adds {MODEL_WEIGHT} at the model's threshold where the heuristics score at least {MODEL_MIN_SCORE}; documents are read whole here, near the heuristics' matches by the scanner)"
    );

    let builtin = InjectionModel::builtin();
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
            .join("injection_ngram.bin");
        std::fs::write(&path, model.to_bytes())?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
