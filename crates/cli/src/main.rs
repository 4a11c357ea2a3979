//! `warden`: chat with a local model, inspect models, benchmark the pipeline.
//!
//! A thin shell over `warden-core`: parse arguments, call the core, render, map errors.

mod chat;
mod models;
mod term;

use anyhow::Result;
use clap::{Parser, Subcommand};
use warden_engine::WORKER_SUBCOMMAND;

#[derive(Parser)]
#[command(
    name = "warden",
    version,
    about = "Run DeepSeek-R1 distills locally, with guardrails and an audit log"
)]
struct Cli {
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
    /// Measure the pipeline against a bare llama.cpp loop.
    Bench(models::BenchArgs),
}

fn main() {
    // The engine worker is this same executable with a hidden subcommand.
    if std::env::args().nth(1).as_deref() == Some(WORKER_SUBCOMMAND) {
        std::process::exit(warden_engine::worker::run());
    }
    let cli = Cli::parse();
    let result: Result<i32> = match cli.command {
        Command::Chat(args) => chat::run(args),
        Command::Models(cmd) => models::run(cmd).map(|()| 0),
        Command::Bench(args) => models::bench(args).map(|()| 0),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}
