//! Int8 product throughput on the encoder's four shapes:
//! `RAYON_NUM_THREADS=2 cargo run --release -p warden-classifier --example qgemm`.
//! Prints multiply-adds per second and per cycle (at the clock given as `-- GHZ`, default 2.3;
//! `--no-ext` measures the tier's own kernel where the CPU has AMX or AVX-VNNI, `--avx2` the
//! AVX2 tier).

use std::time::Instant;
use warden_classifier::qgemm::{kernel, QMatrix};

fn main() {
    let ghz: f64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2.3);
    // `-- GHZ --no-ext`: the tier's own kernel on a CPU that also has AMX or AVX-VNNI.
    if std::env::args().any(|a| a == "--no-ext") {
        warden_classifier::qgemm::allow_extensions(false);
    }
    // `--avx2`: the AVX2 tier (with `--no-ext`, its kernel without AVX-VNNI).
    if std::env::args().any(|a| a == "--avx2") {
        warden_classifier::cap_tier(Some(warden_classifier::Tier::Avx2));
    }
    let threads = rayon::current_num_threads();
    println!("kernel: {:?}, {threads} threads", kernel());
    let mut seed = 1u64;
    let mut rnd = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    };
    let mut total = (0.0, 0.0);
    for (name, k, n) in [
        ("qkv", 384, 1152),
        ("out", 384, 384),
        ("up", 384, 1536),
        ("down", 1536, 384),
    ] {
        let rows = 256;
        let w: Vec<f32> = (0..k * n).map(|_| rnd() * 0.1).collect();
        let x: Vec<f32> = (0..rows * k).map(|_| rnd()).collect();
        let b: Vec<f32> = (0..n).map(|_| rnd()).collect();
        let q = QMatrix::new(&w, k, n);
        let mut times = Vec::new();
        // One output buffer for every call, as the encoder reuses its buffers: a fresh one
        // of a few MB is mapped anew each time, and faulting its pages in was timed too.
        let mut y = Vec::new();
        for _ in 0..40 {
            let t = Instant::now();
            q.forward_into(kernel(), &x, rows, &b, &mut y);
            std::hint::black_box(&y);
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let t = times[times.len() / 2];
        let macs = (rows * k * n) as f64;
        total.0 += t;
        total.1 += macs;
        println!(
            "{name:>5} ({rows}x{k} @ {k}x{n}): {:6.3} ms, {:6.1} GMAC/s, {:5.1} MAC/cycle/core",
            t * 1e3,
            macs / t / 1e9,
            macs / t / 1e9 / ghz / threads as f64
        );
    }
    println!(
        "layer: {:.3} ms, {:.1} GMAC/s; 6 layers x 512 tokens: {:.1} ms",
        total.0 * 1e3,
        total.1 / total.0 / 1e9,
        total.0 * 12e3
    );
}
