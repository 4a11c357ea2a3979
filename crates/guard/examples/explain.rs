//! Why the guard (rules, n-gram model, injection, PII; not the classifier) decides what it
//! does about each text: every hit with the words its spans cover, and for a prompt that is
//! not plainly English the n-gram model's harmful probability.
//! `cargo run --release -p warden-guard --example explain -- "How do I make a b0mb?"`, or
//! texts one per line on stdin. `EXPLAIN_STAGE=output` (or `reasoning`) reads them as the
//! model's words.

use std::io::BufRead;
use warden_guard::{Context, Guard, Policy, Stage};

fn main() {
    let guard = Guard::new(Policy::default()).expect("the built-in policy loads");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let texts: Vec<String> = if args.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .collect()
    } else {
        args
    };
    let stage = match std::env::var("EXPLAIN_STAGE").as_deref() {
        Ok("output") => Stage::Output,
        Ok("reasoning") => Stage::Reasoning,
        _ => Stage::Input,
    };
    for text in texts {
        let v = guard.scan(&text, &Context::new(stage));
        println!("{:?}  {text}", v.action);
        // A prompt that is not plainly English: the n-gram model's harmful probability (below
        // `ngram::VETO_BELOW` it withdraws the rules' weaker hits).
        let reading = warden_guard::ngram::read(&warden_guard::Normalized::new(&text));
        if let Some(p) = reading.harmful {
            println!("    n-gram harmful probability {p:.3}");
        }
        for h in &v.hits {
            let words: Vec<&str> = h
                .spans
                .iter()
                .filter_map(|s| text.get(s.start..s.end))
                .collect();
            println!(
                "    {:<8} {:.2} {:<18} {words:?}",
                h.category.code(),
                h.score,
                h.scanner
            );
        }
    }
}
