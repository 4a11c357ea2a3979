//! `warden`: chat with a local model, review its audit log, run its guard, benchmark it.
//!
//! A thin shell over `warden-core`: parse arguments, call the core, render, map errors.

mod audit_cmd;
mod chat;
mod guard_cmd;
mod models;
mod term;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};
use warden_core::Settings;
use warden_engine::WORKER_SUBCOMMAND;

#[derive(Parser)]
#[command(
    name = "warden",
    version,
    about = "Run DeepSeek-R1 distills locally, with guardrails and an audit log"
)]
struct Cli {
    /// The audit database (default: audit.sqlite3 in Warden's data folder).
    #[arg(long, global = true, env = "WARDEN_DB")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Chat with a model: one-shot with a prompt, interactive without.
    Chat(chat::ChatArgs),
    /// Inspect, list and fetch models.
    #[command(subcommand)]
    Models(models::ModelsCmd),
    /// Review, verify and export the audit log.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCmd),
    /// Scan text with the guard; print the policy.
    #[command(subcommand)]
    Guard(guard_cmd::GuardCmd),
    /// Measure the guard on a labeled set.
    Eval(guard_cmd::EvalArgs),
    /// Measure the pipeline against a bare llama.cpp loop.
    Bench(models::BenchArgs),
}

fn settings(db: Option<PathBuf>) -> Result<Settings> {
    let (mut s, _) = Settings::resolve()?;
    if db.is_some() {
        s.db_path = db;
    }
    Ok(s)
}

fn main() {
    // The engine worker is this same executable with a hidden subcommand.
    if std::env::args().nth(1).as_deref() == Some(WORKER_SUBCOMMAND) {
        std::process::exit(warden_engine::worker::run());
    }
    let cli = Cli::parse();
    let result: Result<i32> = settings(cli.db).and_then(|s| match cli.command {
        Command::Chat(args) => chat::run(args, s),
        Command::Models(cmd) => models::run(cmd, &s).map(|()| 0),
        Command::Audit(cmd) => audit_cmd::run(cmd, &s),
        Command::Guard(cmd) => guard_cmd::run(cmd, &s),
        Command::Eval(args) => guard_cmd::eval(args, &s),
        Command::Bench(args) => models::bench(args, s).map(|()| 0),
    });
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}
