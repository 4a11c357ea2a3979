//! `warden bench`: the pipeline against a bare llama-cpp-2 loop, measured in one run.

use std::path::Path;

use serde::Serialize;
use warden_engine::bench::{BareModel, BareRun};
use warden_engine::SamplingParams;

use crate::session::{PipelineCost, Session};
use crate::CoreError;

/// A fixed prompt of about 64 tokens (llama-bench's pp64).
pub const BENCH_PROMPT: &str = "The history of the printing press begins in the fifteenth century, when Johannes Gutenberg combined movable metal type, oil-based ink and a wooden press adapted from wine making. Within fifty years presses operated in more than two hundred European cities, and the cost of books fell so quickly that";

/// Options for a run.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BenchOptions {
    /// Tokens to generate per run.
    pub gen_tokens: u32,
    /// Measured runs of each (after one warm-up).
    pub runs: u32,
    /// Threads.
    pub threads: i32,
}

/// Medians of the measured runs.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Figures {
    /// Prompt tokens.
    pub prompt_tokens: f64,
    /// Prompt tokens / time to first token.
    pub prompt_tps: f64,
    /// Generation tokens/s.
    pub generation_tps: f64,
    /// Time to first token, ms.
    pub ttft_ms: f64,
}

/// The report: baseline, pipeline, ratios.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// The model file.
    pub model: String,
    /// The options used.
    pub options: BenchOptions,
    /// Bare in-process loop.
    pub bare: Figures,
    /// Full pipeline through the worker.
    pub pipeline: Figures,
    /// pipeline / bare generation t/s.
    pub generation_ratio: f64,
    /// pipeline / bare prompt t/s.
    pub prompt_ratio: f64,
    /// pipeline − bare time to first token, ms.
    pub ttft_overhead_ms: f64,
    /// Streaming guard time per piece of text on the token path, µs (median over runs).
    pub guard_us_per_token: f64,
    /// The streaming guards' scanning per piece of text, µs, on their threads beside the
    /// token path (median over runs; the final reading of the whole text not counted).
    pub guard_thread_us_per_token: f64,
    /// Share of the pipeline's generation time spent writing partial text to the audit log.
    pub audit_share: f64,
    /// Share of the pipeline's generation time the streaming guards took on the token path.
    pub guard_share: f64,
    /// Input guard time, ms (part of the time to first token).
    pub input_guard_ms: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs the benchmark: bare and pipeline runs interleaved, so drift affects both alike.
pub fn run(
    session: &mut Session,
    model: &Path,
    opts: BenchOptions,
    mut log: impl FnMut(&str),
) -> Result<BenchReport, CoreError> {
    let path = model.to_string_lossy().into_owned();
    log("loading the model in-process (baseline)…");
    let bare = BareModel::load(&path).map_err(|e| CoreError::Bench(e.message))?;
    log("loading the model in the worker (pipeline)…");
    session.settings_mut().model.threads = opts.threads;
    session.load_model(Some(model), |_| {})?;
    let sampling = SamplingParams {
        ignore_eog: true,
        // Same prompt every run: measure its processing, not the prefix cache.
        fresh_context: true,
        ..SamplingParams::greedy(opts.gen_tokens)
    };
    let mut bare_runs: Vec<BareRun> = Vec::new();
    let mut pipe_runs = Vec::new();
    let mut costs = Vec::new();
    // llama.cpp's OpenMP threads spin for a while after each run; on a small machine the
    // other process's spinning threads would slow whichever run comes next. Let them settle.
    let settle = || std::thread::sleep(std::time::Duration::from_millis(300));
    for i in 0..=opts.runs {
        settle();
        let b = bare
            .run(BENCH_PROMPT, opts.gen_tokens as usize, opts.threads)
            .map_err(|e| CoreError::Bench(e.message))?;
        settle();
        let mut sink = Vec::new();
        let p = session.complete(BENCH_PROMPT, sampling.clone(), &mut sink)?;
        if i == 0 {
            continue; // warm-up
        }
        log(&format!(
            "run {i}/{}: bare {:.1} t/s, pipeline {:.1} t/s",
            opts.runs, b.generation_tps, p.stats.generation_tps
        ));
        bare_runs.push(b);
        costs.push((p.cost, p.stats.total_ms - p.stats.ttft_ms));
        pipe_runs.push(p.stats);
    }
    let bare_f = Figures {
        prompt_tokens: median(bare_runs.iter().map(|r| r.prompt_tokens as f64).collect()),
        prompt_tps: median(bare_runs.iter().map(|r| r.prompt_tps).collect()),
        generation_tps: median(bare_runs.iter().map(|r| r.generation_tps).collect()),
        ttft_ms: median(bare_runs.iter().map(|r| r.ttft_ms).collect()),
    };
    let pipe_f = Figures {
        prompt_tokens: median(
            pipe_runs
                .iter()
                .map(|r| f64::from(r.prompt_tokens))
                .collect(),
        ),
        prompt_tps: median(
            pipe_runs
                .iter()
                .map(|r| warden_engine::runner::rate(f64::from(r.prompt_tokens), r.ttft_ms / 1e3))
                .collect(),
        ),
        generation_tps: median(pipe_runs.iter().map(|r| r.generation_tps).collect()),
        ttft_ms: median(pipe_runs.iter().map(|r| r.ttft_ms).collect()),
    };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let gen_ns = |ms: f64| (ms * 1e6).max(1.0);
    // The median over the runs of a figure of each run's costs and generation time (ms).
    let of_costs = |figure: &dyn Fn(&PipelineCost, f64) -> f64| {
        median(costs.iter().map(|(c, ms)| figure(c, *ms)).collect())
    };
    let per_token = |ns: u64, c: &PipelineCost| ns as f64 / 1e3 / f64::from(c.pieces.max(1));
    Ok(BenchReport {
        input_guard_ms: of_costs(&|c, _| c.input_guard_ns as f64 / 1e6),
        guard_us_per_token: of_costs(&|c, _| per_token(c.guard_ns, c)),
        guard_thread_us_per_token: of_costs(&|c, _| per_token(c.guard_thread_ns, c)),
        audit_share: of_costs(&|c, ms| c.audit_ns as f64 / gen_ns(ms)),
        guard_share: of_costs(&|c, ms| c.guard_ns as f64 / gen_ns(ms)),
        model: path,
        options: opts,
        generation_ratio: ratio(pipe_f.generation_tps, bare_f.generation_tps),
        prompt_ratio: ratio(pipe_f.prompt_tps, bare_f.prompt_tps),
        ttft_overhead_ms: pipe_f.ttft_ms - bare_f.ttft_ms,
        bare: bare_f,
        pipeline: pipe_f,
    })
}

/// `warden bench audit`: creates a scratch log at `db` (which must not exist), fills it with
/// `rows` synthetic generations (batched), writes `single_rows` more through the real write
/// path, then times list, full-text search, a JSONL export and `verify`. See
/// [`warden_audit::bench`].
pub fn audit(
    db: &Path,
    rows: u64,
    single_rows: u64,
) -> Result<warden_audit::bench::BenchReport, CoreError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CoreError::Internal(format!("audit runtime: {e}")))?;
    Ok(rt.block_on(warden_audit::bench::run(db, rows, 5_000, single_rows))?)
}
