//! Scores a labeled set for one of the checks that are not hazards: `pii`, `language` or
//! `injection`, in the formats of `data/pii.jsonl`, `data/lang.jsonl` and
//! `data/injection.jsonl` (extra fields are ignored; a `lang` field splits the figures by
//! language). `cargo run --release -p warden-guard --example checks -- pii FILE [--show]`;
//! `--show` prints each line the check gets wrong (for read sets only).

use std::collections::BTreeMap;
use warden_guard::eval::{self, InjectionSample, LangSample, Metrics, PiiSample};
use warden_guard::injection::InjectionScanner;
use warden_guard::{Context, Guard, Stage};

#[derive(serde::Deserialize)]
struct Lang {
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    expected: Option<String>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(check), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: checks pii|language|injection FILE.jsonl [--show]");
        std::process::exit(2);
    };
    let show = args.iter().any(|a| a == "--show");
    let src = std::fs::read_to_string(path).expect("the set file reads");
    let langs: Vec<String> = src
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let t: Lang = serde_json::from_str(l).expect("a JSON line");
            t.lang.or(t.expected).unwrap_or_else(|| "?".into())
        })
        .collect();
    let guard = Guard::with_default_policy();
    let mut by_lang: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut all = Metrics::default();
    match check.as_str() {
        "pii" => {
            let samples: Vec<PiiSample> = eval::parse_jsonl(&src).expect("PII lines");
            for (s, lang) in samples.iter().zip(&langs) {
                let one = eval::run_pii(&guard, std::slice::from_ref(s));
                for m in [&mut all, by_lang.entry(lang.clone()).or_default()] {
                    m.tp += one.tp;
                    m.fp += one.fp;
                    m.fn_ += one.fn_;
                    m.tn += one.tn;
                }
                if show && (one.fp > 0 || one.fn_ > 0) {
                    let v = guard.scan(&s.text, &Context::input());
                    let got: Vec<String> = v
                        .pii
                        .iter()
                        .map(|p| format!("{}={:?}", p.kind.as_str(), &s.text[p.start..p.end]))
                        .collect();
                    let want: Vec<String> = s
                        .pii
                        .iter()
                        .map(|p| format!("{}={:?}", p.kind, p.value))
                        .collect();
                    println!("MISS [{lang}] want {want:?} got {got:?}: {}", s.text);
                }
            }
        }
        "language" => {
            let samples: Vec<LangSample> = eval::parse_jsonl(&src).expect("language lines");
            for (s, lang) in samples.iter().zip(&langs) {
                let mut ctx = Context::new(Stage::Output);
                ctx.expected_lang = s.expected.clone();
                let r = guard.scan(&s.text, &ctx).language;
                let got = r.as_ref().is_some_and(|l| l.mixed);
                all.add(s.mixed, got);
                by_lang.entry(lang.clone()).or_default().add(s.mixed, got);
                if show && got != s.mixed {
                    let score = r.map_or(0.0, |l| l.mix_score);
                    println!(
                        "MISS [{lang}] want {} score {score:.2}: {}",
                        s.mixed, s.text
                    );
                }
            }
        }
        "injection" => {
            let samples: Vec<InjectionSample> = eval::parse_jsonl(&src).expect("injection lines");
            let heuristics = InjectionScanner::builtin().expect("the built-in heuristics load");
            for (s, lang) in samples.iter().zip(&langs) {
                let ctx = Context::input().with_untrusted_source(s.untrusted);
                let got = guard.scan(&s.text, &ctx).injection;
                all.add(s.injection, got);
                by_lang
                    .entry(lang.clone())
                    .or_default()
                    .add(s.injection, got);
                if show && got != s.injection {
                    let norm = warden_guard::normalize::Normalized::new(&s.text);
                    let (score, names, _) = heuristics.score(&norm, s.untrusted);
                    println!(
                        "MISS [{lang}] want {} ({score:.2} {names:?}): {}",
                        s.injection, s.text
                    );
                }
            }
        }
        other => {
            eprintln!("unknown check {other:?}: pii, language or injection");
            std::process::exit(2);
        }
    }
    println!("lang   tp   fp   fn   tn  precision recall  F1");
    for (lang, m) in by_lang.iter_mut().chain([(&"all".to_string(), &mut all)]) {
        m.finish();
        println!(
            "{lang:<5} {:>4} {:>4} {:>4} {:>4}  {:.3}     {:.3}   {:.3}",
            m.tp, m.fp, m.fn_, m.tn, m.precision, m.recall, m.f1
        );
    }
}
