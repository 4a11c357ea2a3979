//! `warden models …` and `warden bench`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use warden_core::bench::{self, BenchOptions};
use warden_core::models::{self, ram_estimate};
use warden_core::{Audit, Session, Settings};
use warden_engine::{GgufInfo, WorkerCommand};

#[derive(Subcommand)]
pub enum ModelsCmd {
    /// Show a GGUF file's metadata (read in Rust; llama.cpp is not involved).
    Info {
        /// The GGUF file.
        path: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the models in the models folder.
    List {
        /// The folder (default: the configured models folder).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fetch the default model (Gemma 3 270M Q4_K_M) unless a verified copy is present.
    FetchDefault {
        /// The folder (default: the configured models folder).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: Option<BenchWhat>,
    /// The model (default: the default model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Measured runs (after one warm-up).
    #[arg(long, default_value_t = 5)]
    runs: u32,
    /// Tokens generated per run.
    #[arg(long, default_value_t = 128)]
    gen: u32,
    /// Threads.
    #[arg(long, default_value_t = 2)]
    threads: i32,
}

#[derive(Subcommand)]
enum BenchWhat {
    /// Benchmark the audit log on a scratch database: insert, list, search, export, verify.
    Audit(AuditBenchArgs),
}

#[derive(Args)]
struct AuditBenchArgs {
    /// Synthetic generations to fill the log with (the figure is 1,000,000: ~5 GB
    /// and several minutes).
    #[arg(long, default_value_t = 100_000)]
    rows: u64,
    /// Generations written one at a time through the real write path.
    #[arg(long, default_value_t = 2_000)]
    single: u64,
    /// Folder for the scratch database (removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn bench_audit(args: AuditBenchArgs) -> Result<()> {
    let dir = args.dir.unwrap_or_else(std::env::temp_dir);
    let db = dir.join(format!("warden-bench-audit-{}.sqlite3", std::process::id()));
    if !args.json {
        eprintln!(
            "filling {} with {} generations, then timing the queries…",
            db.display(),
            args.rows
        );
    }
    let report = bench::audit(&db, args.rows, args.single);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let r = report.context("audit benchmark")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "audit log: {} generations, {:.2} GiB",
        r.generations,
        r.db_bytes as f64 / (1u64 << 30) as f64
    );
    println!("{:<34} {:>14} {:>18}", "", "measured", "target (1M rows)");
    println!(
        "{:<34} {:>12.0}/s {:>18}",
        "insert, batched", r.insert_batched.per_sec, ">= 20,000/s"
    );
    println!(
        "{:<34} {:>12.0}/s {:>18}",
        "  then full-text indexing them", r.index_catch_up.per_sec, ""
    );
    println!(
        "{:<34} {:>12.0}/s {:>18}",
        "insert, one per transaction", r.insert_one_per_transaction.per_sec, ">= 2,000/s"
    );
    println!(
        "{:<34} {:>11.1} ms {:>18}",
        "list, filter + page of 50, p95",
        ms(r.list.p95),
        "<= 50 ms"
    );
    println!(
        "{:<34} {:>11.1} ms {:>18}",
        "full-text search, p95",
        ms(r.search.p95),
        "<= 100 ms"
    );
    println!(
        "{:<34} {:>12.1} s {:>18}",
        "export all to JSONL",
        r.export.elapsed.as_secs_f64(),
        "<= 15 s"
    );
    let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
    if let Some(rss) = r.export.peak_rss_bytes {
        println!(
            "{:<34} {:>10.0} MiB {:>18}",
            "peak RSS during export (process)",
            mib(rss),
            "<= 100 MB"
        );
        // The process filled the log first; what the export itself added is the honest
        // figure for an export run on its own.
        if let Some(start) = r.export.rss_at_start_bytes {
            println!(
                "{:<34} {:>10.0} MiB {:>18}",
                "  of which added by the export",
                mib(rss.saturating_sub(start)),
                ""
            );
        }
    }
    println!(
        "{:<34} {:>12.1} s {:>18}",
        "verify the chain",
        r.verify.as_secs_f64(),
        "<= 10 s"
    );
    anyhow::ensure!(r.verify_ok, "the filled log did not verify");
    Ok(())
}

fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
}

fn print_info(info: &GgufInfo) {
    let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    println!("file          {}", info.path);
    println!(
        "size          {} ({} bytes)",
        gib(info.file_size),
        info.file_size
    );
    println!("gguf version  {}", info.version);
    println!("architecture  {}", or(&info.architecture));
    println!("name          {}", or(&info.name));
    println!("parameters    {:.1}M", info.parameters as f64 / 1e6);
    println!("quantization  {}", or(&info.file_type));
    println!(
        "context       {}",
        info.context_length.map_or("-".into(), |c| c.to_string())
    );
    println!(
        "layers        {}",
        info.block_count.map_or("-".into(), |c| c.to_string())
    );
    println!("tensors       {}", info.tensor_count);
    println!(
        "bos / eos     {} / {}",
        info.bos_token_id.map_or("-".into(), |c| c.to_string()),
        info.eos_token_id.map_or("-".into(), |c| c.to_string())
    );
    println!(
        "chat template {}",
        match &info.chat_template {
            Some(t) => format!("yes ({} chars)", t.len()),
            None => "none (a built-in template for the architecture is used)".into(),
        }
    );
    println!("RAM (4k ctx)  ~{}", gib(ram_estimate(info, 4096)));
}

pub fn run(cmd: ModelsCmd, settings: &Settings) -> Result<()> {
    let settings = settings.clone();
    match cmd {
        ModelsCmd::Info { path, json } => {
            let info = warden_engine::inspect(&path)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&info)?);
            } else {
                print_info(&info);
            }
        }
        ModelsCmd::List { dir, json } => {
            let dir = dir.unwrap_or(settings.models_dir);
            let entries =
                models::list_models(&dir).with_context(|| format!("listing {}", dir.display()))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
            } else if entries.is_empty() {
                println!(
                    "No .gguf files in {}. Run `warden models fetch-default`, or copy an R1 distill there (see models/README.md).",
                    dir.display()
                );
            } else {
                for e in entries {
                    match e.info {
                        Ok(i) => println!(
                            "{:<48} {:>10} {:<10} {:>7.2}B params {}",
                            e.path.display(),
                            gib(e.size),
                            i.architecture.unwrap_or_default(),
                            i.parameters as f64 / 1e9,
                            i.file_type.unwrap_or_default()
                        ),
                        Err(why) => println!(
                            "{:<48} {:>10} unusable: {why}",
                            e.path.display(),
                            gib(e.size)
                        ),
                    }
                }
            }
        }
        ModelsCmd::FetchDefault { dir } => {
            let dir = dir.unwrap_or(settings.models_dir);
            let path = crate::term::fetch_default(&dir)?;
            println!("{}", path.display());
        }
    }
    Ok(())
}

pub fn bench(args: BenchArgs, settings: Settings) -> Result<()> {
    if let Some(BenchWhat::Audit(a)) = args.what {
        return bench_audit(a);
    }
    let model = crate::term::resolve_model(&settings, args.model.as_deref())?;
    // The full pipeline, guard and audit included, writing to a scratch database.
    let db = std::env::temp_dir().join(format!("warden-bench-{}.sqlite3", std::process::id()));
    let audit = Audit::open(&db).context("opening the bench's scratch audit log")?;
    let guard = crate::term::guard(&settings)?;
    let mut session = Session::new(settings, WorkerCommand::current_exe()?, guard, audit);
    let opts = BenchOptions {
        gen_tokens: args.gen,
        runs: args.runs.max(1),
        threads: args.threads,
    };
    let json = args.json;
    let report = bench::run(&mut session, &model, opts, |m| {
        if !json {
            eprintln!("{m}");
        }
    });
    drop(session);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let report = report?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "model {}  ({} threads, {} prompt tokens, {} generated, median of {} runs)",
        report.model, opts.threads, report.bare.prompt_tokens, opts.gen_tokens, opts.runs
    );
    println!(
        "{:<22} {:>12} {:>12} {:>8}",
        "", "bare loop", "pipeline", "ratio"
    );
    println!(
        "{:<22} {:>12.1} {:>12.1} {:>8.3}",
        "prompt t/s", report.bare.prompt_tps, report.pipeline.prompt_tps, report.prompt_ratio
    );
    println!(
        "{:<22} {:>12.1} {:>12.1} {:>8.3}",
        "generation t/s",
        report.bare.generation_tps,
        report.pipeline.generation_tps,
        report.generation_ratio
    );
    println!(
        "{:<22} {:>12.1} {:>12.1} {:>+8.1}",
        "time to first token ms",
        report.bare.ttft_ms,
        report.pipeline.ttft_ms,
        report.ttft_overhead_ms
    );
    println!(
        "input guard {:.1} ms; output guard {:.1} µs per token on the token path, {:.1} on its \
         threads beside it; audit log {:.2}% of generation time",
        report.input_guard_ms,
        report.guard_us_per_token,
        report.guard_thread_us_per_token,
        report.audit_share * 100.0
    );
    Ok(())
}
