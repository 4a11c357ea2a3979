//! Classifier latency and the input guard's time-to-first-token overhead:
//! `RAYON_NUM_THREADS=2 cargo run --release -p warden-classifier --example latency`.

use std::time::Instant;
use warden_classifier::{default_model_dir, MiniLmClassifier};
use warden_guard::{Context, Guard, Stage};

fn p50(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `-- --avx2` / `-- --portable`: the kernels a CPU without AVX-512 (or AVX2) runs.
    let args: Vec<String> = std::env::args().collect();
    for (flag, tier) in [
        ("--avx2", warden_classifier::Tier::Avx2),
        ("--portable", warden_classifier::Tier::Portable),
    ] {
        if args.iter().any(|a| a == flag) {
            warden_classifier::cap_tier(Some(tier));
        }
    }
    // `-- --no-ext`: the tier's own kernel on a CPU that also has AMX or AVX-VNNI (VNNI,
    // AVX2: with `--avx2`, what an AVX2 CPU without AVX-VNNI runs).
    if args.iter().any(|a| a == "--no-ext") {
        warden_classifier::qgemm::allow_extensions(false);
    }
    println!("kernels: {:?}", warden_classifier::qgemm::kernel());
    let t = Instant::now();
    let clf = MiniLmClassifier::load(default_model_dir())?;
    println!("load: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let emb = clf.embedder().expect("loaded");
    let sentence = "The committee reviewed the quarterly figures and found that revenue grew \
                    steadily across every region, so the board approved the new budget. ";
    let mut long = String::new();
    while emb.token_ids(&long)?.len() < 520 {
        long.push_str(sentence);
    }
    let ids = emb.token_ids(&long)?;
    if args.iter().any(|a| a == "--profile") {
        // Only the 512-token case, for 10 s: `perf record` this.
        let t = Instant::now();
        let mut n = 0u32;
        while t.elapsed().as_secs() < 10 {
            std::hint::black_box(emb.embed_windows(&long, 4)?);
            n += 1;
        }
        println!(
            "{:.1} ms per 512-token text",
            t.elapsed().as_secs_f64() * 1e3 / f64::from(n)
        );
        return Ok(());
    }
    println!("threads: {}", candle_core::utils::get_num_threads());
    for n in [16usize, 32, 64, 128, 254] {
        let mut times = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            std::hint::black_box(emb.embed_ids(&ids[..n])?);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!("embed {:>3} tokens: p50 {:>6.1} ms", n + 2, p50(times));
    }
    // A 512-token text: the windows the classifier cuts it into, run as one batch, against
    // other cuts (interleaved, so a busy host slows them alike).
    let text512 = &ids[..512];
    let cuts: [(&str, usize, bool); 4] = [
        ("2 x 256 one by one", 254, false),
        ("2 x 256 batched   ", 254, true),
        ("4 x 128 one by one", 126, false),
        ("4 x 128 batched   ", 126, true),
    ];
    let mut times = vec![Vec::new(); cuts.len()];
    for _ in 0..25 {
        for ((_, per, batched), times) in cuts.iter().zip(&mut times) {
            let chunks: Vec<&[u32]> = text512.chunks(*per).collect();
            let t = Instant::now();
            if *batched {
                std::hint::black_box(emb.embed_many(&chunks)?);
            } else {
                for c in &chunks {
                    std::hint::black_box(emb.embed_ids(c)?);
                }
            }
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    for ((name, _, _), mut times) in cuts.iter().zip(times) {
        times.sort_by(f64::total_cmp);
        println!(
            "512-token text, {name}: p50 {:.1} ms, best {:.1} ms",
            times[times.len() / 2],
            times[0]
        );
    }
    let mut times = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        std::hint::black_box(emb.token_ids(&long)?);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "tokenizing the 512-token text ({} bytes): p50 {:.2} ms",
        long.len(),
        p50(times)
    );
    let mut times = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        std::hint::black_box(emb.embed_windows(&long, 4)?);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "512-token text as the classifier cuts it ({}-token windows): p50 {:.1} ms",
        warden_classifier::MAX_WINDOW_TOKENS,
        p50(times)
    );

    // Time to first token: what the input guard adds before generation starts.
    let rules = Guard::with_default_policy();
    let mut full = Guard::with_default_policy();
    full.add_scanner(Box::new(clf), true);
    let prompts = [
        "Can you explain how photosynthesis works, in simple terms, for a ten year old?",
        "Write a Python function that parses a CSV file and returns the rows as dictionaries, \
         skipping the header and any empty lines. Add type hints and a docstring.",
        "I'm planning a week-long trip to Portugal in October with my partner. We like food, \
         hiking and old towns, not beaches. Suggest an itinerary starting and ending in Lisbon, \
         with train connections where possible, and a rough daily budget for two people.",
    ];
    for p in prompts {
        let ctx = Context::input();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..15 {
            let t = Instant::now();
            std::hint::black_box(rules.scan(p, &ctx));
            a.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            std::hint::black_box(full.scan(p, &ctx));
            b.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!(
            "input guard, {:>3}-byte prompt: rules {:.2} ms, rules+classifier {:.1} ms (p50)",
            p.len(),
            p50(a),
            p50(b)
        );
    }
    // The `warden bench` prompt, warm, after a pause (worker threads parked) and after a pass
    // over 512 MB (caches cold, as after a generation streamed the chat model's weights).
    let bench_prompt = "The history of the printing press begins in the fifteenth century, when \
        Johannes Gutenberg combined movable metal type, oil-based ink and a wooden press adapted \
        from wine making. Within fifty years presses operated in more than two hundred European \
        cities, and the cost of books fell so quickly that";
    let ctx = Context::input();
    let mut sweep = vec![1u8; 512 << 20];
    let mut cases: Vec<(&str, Vec<f64>)> = vec![
        ("warm", vec![]),
        ("after 300 ms", vec![]),
        ("cold caches", vec![]),
    ];
    for _ in 0..9 {
        for (i, (_, times)) in cases.iter_mut().enumerate() {
            match i {
                1 => std::thread::sleep(std::time::Duration::from_millis(300)),
                2 => {
                    for x in sweep.iter_mut().step_by(64) {
                        *x = x.wrapping_add(1);
                    }
                    std::hint::black_box(&sweep);
                }
                _ => {}
            }
            let t = Instant::now();
            std::hint::black_box(full.scan(bench_prompt, &ctx));
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    for (name, times) in cases {
        println!(
            "input guard, bench prompt, {name}: {:.1} ms (p50)",
            p50(times)
        );
    }

    // The output guard streaming an English answer in 4-byte tokens, as the pipeline feeds
    // it: the rules alone, and with the classifier reading the answer (Warden's default since
    // the thirty-second session), in line and on a thread of its own (the pipeline's since the
    // forty-ninth session): the time in `feed` per token (the token path) and the whole
    // stream's with `finish`, per token.
    let mut reading = Guard::with_default_policy();
    reading.add_scanner(
        Box::new(MiniLmClassifier::load(default_model_dir())?.with_stages(&Stage::ALL)),
        true,
    );
    let reading = std::sync::Arc::new(reading);
    let answer = "Photosynthesis turns light into chemical energy. Plants take in carbon \
        dioxide through their leaves and water through their roots. In the chloroplasts, \
        chlorophyll absorbs light and splits water, releasing oxygen. The energy is stored in \
        sugars that the plant uses to grow. "
        .repeat(8);
    let bytes = answer.as_bytes();
    let tokens = (bytes.len() / 4) as f64;
    for (name, guard, threaded) in [
        ("rules", &rules, false),
        ("rules + classifier", &*reading, false),
        ("rules + classifier, own thread", &*reading, true),
    ] {
        let (mut path, mut whole) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            let ctx = Context::new(Stage::Output);
            let (mut inline, mut apart) = if threaded {
                (None, Some(reading.output_scanner_threaded(ctx)))
            } else {
                (Some(guard.output_scanner_with(ctx)), None)
            };
            let mut fed = 0.0;
            let t = Instant::now();
            for piece in bytes.chunks(4) {
                let piece = std::str::from_utf8(piece)?;
                let f = Instant::now();
                match (&mut inline, &mut apart) {
                    (Some(s), _) => std::hint::black_box(s.feed(piece)),
                    (_, Some(s)) => std::hint::black_box(s.feed(piece)),
                    _ => None,
                };
                fed += f.elapsed().as_secs_f64();
            }
            match (inline, apart) {
                (Some(s), _) => std::hint::black_box(s.finish()),
                (_, Some(s)) => std::hint::black_box(s.finish()),
                _ => unreachable!(),
            };
            path.push(fed * 1e6 / tokens);
            whole.push(t.elapsed().as_secs_f64() * 1e6 / tokens);
        }
        println!(
            "output guard streaming {} bytes in 4-byte tokens, {name}: {:.1} µs/token in feed, \
             {:.1} with finish (p50)",
            answer.len(),
            p50(path),
            p50(whole)
        );
    }
    Ok(())
}
