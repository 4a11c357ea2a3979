//! `warden chat`: one-shot or interactive chat through the core pipeline.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result};
use clap::Args;
use rustyline::error::ReadlineError;
use warden_core::{Audit, EventSink, GenerationEvent, GuardModel, Session, Settings};
use warden_engine::{Canceller, WorkerCommand};

use crate::term::{self, DIM, RESET};

#[derive(Args)]
pub struct ChatArgs {
    /// The prompt; without it, an interactive session starts.
    prompt: Option<String>,
    /// The GGUF model (default: the configured one, else the default model, fetched if missing).
    #[arg(long)]
    model: Option<PathBuf>,
    /// One JSON object per event line on stdout.
    #[arg(long)]
    json: bool,
    /// Most tokens to generate.
    #[arg(long)]
    max_tokens: Option<u32>,
    /// Temperature (0 = greedy).
    #[arg(long)]
    temperature: Option<f32>,
    /// Random seed.
    #[arg(long)]
    seed: Option<u32>,
    /// Threads (0 = all cores).
    #[arg(long)]
    threads: Option<i32>,
    /// Context window in tokens.
    #[arg(long)]
    context: Option<u32>,
    /// Layers to offload to the GPU.
    #[arg(long)]
    gpu_layers: Option<u32>,
    /// Pin the answer language (ISO 639-1 code, e.g. en).
    #[arg(long)]
    language: Option<String>,
    /// Zero-shot prompt style: plain, step-by-step, json or markdown (seed §5.2).
    #[arg(long)]
    style: Option<warden_core::PromptStyle>,
    /// Keep generating past end-of-sequence until --max-tokens (benchmarks, soak tests).
    #[arg(long)]
    ignore_eos: bool,
}

/// The running generation's canceller, for the Ctrl-C handler.
fn current() -> &'static Mutex<Option<Canceller>> {
    static CURRENT: OnceLock<Mutex<Option<Canceller>>> = OnceLock::new();
    CURRENT.get_or_init(|| Mutex::new(None))
}

fn apply(args: &ChatArgs, s: &mut Settings) {
    if let Some(v) = args.max_tokens {
        s.sampling.max_tokens = Some(v);
    }
    if let Some(v) = args.temperature {
        s.sampling.temperature = Some(v);
    }
    if let Some(v) = args.seed {
        s.sampling.seed = Some(v);
    }
    if let Some(v) = args.threads {
        s.model.threads = v;
    }
    if let Some(v) = args.context {
        s.model.context = v;
    }
    if let Some(v) = args.gpu_layers {
        s.model.gpu_layers = v;
    }
    if let Some(v) = &args.language {
        s.language = Some(v.clone());
    }
    if let Some(v) = args.style {
        s.style = v;
    }
    if args.ignore_eos {
        s.sampling.ignore_eog = Some(true);
    }
}

/// Renders events to the terminal: reasoning dimmed and apart from the answer.
struct Printer {
    json: bool,
    color: bool,
    in_reasoning: bool,
    wrote_answer: bool,
}

impl EventSink for Printer {
    fn send(&mut self, ev: GenerationEvent) {
        let mut out = std::io::stdout().lock();
        if self.json {
            let _ = writeln!(out, "{}", serde_json::to_string(&ev).unwrap_or_default());
            let _ = out.flush();
            return;
        }
        match ev {
            GenerationEvent::Reasoning { text } => {
                if !self.in_reasoning {
                    self.in_reasoning = true;
                    if self.color {
                        let _ = write!(out, "{DIM}thinking: ");
                    } else {
                        let _ = write!(out, "<think>");
                    }
                }
                let _ = write!(out, "{text}");
            }
            GenerationEvent::Token { text } => {
                if self.in_reasoning {
                    self.in_reasoning = false;
                    let _ = write!(out, "{}\n\n", if self.color { RESET } else { "</think>" });
                }
                self.wrote_answer = true;
                let _ = write!(out, "{text}");
            }
            GenerationEvent::Done { stats, .. } if stats.stop_reason.is_none() => {}
            GenerationEvent::Done {
                stats, reasoning, ..
            } => {
                if self.in_reasoning {
                    self.in_reasoning = false;
                    let _ = write!(out, "{}", if self.color { RESET } else { "</think>" });
                }
                let _ = writeln!(out);
                let mut note = format!(
                    "[{} tokens · {:.1} tok/s · first token {:.0} ms · {}]",
                    stats.generated_tokens,
                    stats.generation_tps,
                    stats.ttft_ms,
                    stats
                        .stop_reason
                        .and_then(|r| serde_json::to_value(r).ok())
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                );
                if reasoning.leaked {
                    note.push_str(" [the reasoning never closed: no answer was given]");
                }
                if self.color {
                    eprintln!("{DIM}{note}{RESET}");
                } else {
                    eprintln!("{note}");
                }
            }
            GenerationEvent::Started { .. } => {}
            GenerationEvent::Verdict(v) => {
                let note = format!(
                    "[guard: {} {} at {}]",
                    v.action,
                    v.categories.join(","),
                    v.stage
                );
                if self.color {
                    eprintln!("\n\x1b[33m{note}{RESET}");
                } else {
                    eprintln!("\n{note}");
                }
            }
            GenerationEvent::Blocked(v) => {
                if self.in_reasoning {
                    self.in_reasoning = false;
                    if self.color {
                        let _ = write!(out, "{RESET}");
                    }
                }
                let _ = writeln!(out);
                let msg = v.message.unwrap_or_else(|| "Blocked by policy.".into());
                let note = format!(
                    "[blocked at {}: {} ({})]",
                    v.stage,
                    msg,
                    v.categories.join(",")
                );
                if self.color {
                    // What was shown of this stage is retracted: say so plainly.
                    let _ = writeln!(out, "\x1b[31m{note} — the text above is withdrawn{RESET}");
                } else {
                    let _ = writeln!(out, "{note}");
                }
            }
            GenerationEvent::Redacted { text } => {
                let _ = writeln!(out, "\n[redacted answer]\n{text}");
            }
            GenerationEvent::Error { code, message } => {
                if self.in_reasoning && self.color {
                    let _ = write!(out, "{RESET}");
                }
                let _ = out.flush();
                eprintln!("\nerror [{code}]: {message}");
            }
        }
        let _ = out.flush();
    }
}

pub fn run(args: ChatArgs, mut settings: Settings) -> Result<i32> {
    apply(&args, &mut settings);
    let model = term::resolve_model(&settings, args.model.as_deref())?;
    settings.model.path = Some(model.clone());
    let audit = Audit::open_configured(&settings)
        .with_context(|| format!("opening the audit log {}", settings.db_path().display()))?;
    let guard = crate::term::guard(&settings)?;
    let mut session = Session::new(settings, WorkerCommand::current_exe()?, guard, audit);
    let pb = term::bar("loading");
    let loaded = session.load_model(Some(&model), |p| pb.set_position((p * 100.0) as u64));
    pb.finish_and_clear();
    let handle = loaded.with_context(|| format!("loading {}", model.display()))?;
    if !args.json {
        eprintln!(
            "{} · {} · {} params · {} chat template",
            handle.file_name(),
            handle.gguf.architecture.as_deref().unwrap_or("?"),
            human(handle.loaded.n_params),
            handle.template_source
        );
    }
    let guard_model = session
        .settings()
        .guard_model
        .clone()
        .or_else(|| warden_core::guard_model::find_guard_model(&session.settings().models_dir));
    if let Some(path) = guard_model {
        let gm = GuardModel::load(&path, WorkerCommand::current_exe()?, session.settings())
            .with_context(|| format!("loading the guard model {}", path.display()))?;
        if !args.json {
            eprintln!("guard model: {}", path.display());
        }
        session.set_guard_model(Some(gm));
    }
    *current().lock().unwrap_or_else(|p| p.into_inner()) = session.canceller();
    ctrlc::set_handler(
        || match current().lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            Some(c) => c.cancel(),
            None => std::process::exit(130),
        },
    )
    .context("installing the Ctrl-C handler")?;
    let mut printer = Printer {
        json: args.json,
        color: !args.json && term::stdout_is_tty(),
        in_reasoning: false,
        wrote_answer: false,
    };
    if let Some(prompt) = args.prompt {
        return Ok(match session.send(&prompt, &mut printer) {
            Ok(_) => 0,
            Err(_) => 1, // already shown by the printer
        });
    }
    repl(&mut session, &mut printer)
}

fn repl(session: &mut Session, printer: &mut Printer) -> Result<i32> {
    eprintln!("Type a message. /new starts a new thread, /exit quits. Ctrl-C stops a generation.");
    let mut rl = rustyline::DefaultEditor::new()?;
    let history = session.settings().data_dir.join("history.txt");
    let _ = rl.load_history(&history); // none yet on a first run
    let code = repl_loop(session, printer, &mut rl);
    if let Err(e) = rl.save_history(&history) {
        eprintln!("(history not saved to {}: {e})", history.display());
    }
    code
}

fn repl_loop(
    session: &mut Session,
    printer: &mut Printer,
    rl: &mut rustyline::DefaultEditor,
) -> Result<i32> {
    loop {
        match rl.readline("› ") {
            Ok(line) => {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                let _ = rl.add_history_entry(line);
                match line {
                    "/exit" | "/quit" => return Ok(0),
                    "/new" => {
                        session.reset();
                        eprintln!("(new thread)");
                        continue;
                    }
                    _ => {}
                }
                printer.wrote_answer = false;
                if let Err(e) = session.send(line, printer) {
                    if e.code() == "engine_crashed" {
                        eprintln!("The engine stopped; reloading the model…");
                        session.load_model(None, |_| {})?;
                        *current().lock().unwrap_or_else(|p| p.into_inner()) = session.canceller();
                    }
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => return Ok(0),
            Err(e) => return Err(e.into()),
        }
    }
}

fn human(n: u64) -> String {
    if n >= 1_000_000_000 {
        format!("{:.1}B", n as f64 / 1e9)
    } else {
        format!("{:.0}M", n as f64 / 1e6)
    }
}
