//! The worker process: owns llama.cpp, serves [`Request`]s from stdin, answers on stdout.
//!
//! `LlamaContext` borrows its model and is not `Send`, and llama.cpp aborts the whole process
//! on a failed assertion or an allocation failure. So the model lives on this process's main
//! thread, and when it dies it takes only itself: the app sees `EngineCrashed`, keeps its
//! audit log, and can start a new worker. A thread reads stdin so that a `Cancel` reaches the
//! token loop while it runs.

use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::protocol::{self, Request, Response, PROTOCOL_VERSION};
use crate::runner::{self, Runner};

type Out = Arc<Mutex<std::io::Stdout>>;

fn send(out: &Out, msg: &Response) -> bool {
    let line = protocol::encode(msg);
    let mut guard = match out.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    guard.write_all(line.as_bytes()).is_ok() && guard.flush().is_ok()
}

fn error(out: &Out, code: &str, message: impl Into<String>) {
    send(
        out,
        &Response::Error {
            code: code.to_owned(),
            message: message.into(),
        },
    );
}

/// Runs the worker until stdin closes or `Shutdown` arrives. Returns the process exit code.
pub fn run() -> i32 {
    let out: Out = Arc::new(Mutex::new(std::io::stdout()));
    // The id of the generation to cancel; generations are numbered by the client from 1.
    let cancel = Arc::new(AtomicU64::new(0));
    let (tx, rx) = mpsc::channel::<Request>();
    {
        let cancel = Arc::clone(&cancel);
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Request>(&line) {
                    Ok(Request::Cancel { id }) => {
                        cancel.fetch_max(id, Ordering::SeqCst);
                    }
                    Ok(req) => {
                        if tx.send(req).is_err() {
                            break;
                        }
                    }
                    Err(e) => eprintln!("warden-worker: bad request ignored: {e}"),
                }
            }
            // stdin closed: the app is gone, or wants us gone. Stop any running generation.
            cancel.store(u64::MAX, Ordering::SeqCst);
            let _ = tx.send(Request::Shutdown);
        });
    }
    if let Err(e) = runner::backend() {
        error(&out, e.code, e.message);
        return 1;
    }
    send(
        &out,
        &Response::Ready {
            protocol: PROTOCOL_VERSION,
        },
    );
    let mut next = None;
    loop {
        let req = match next.take() {
            Some(r) => r,
            None => match rx.recv() {
                Ok(r) => r,
                Err(_) => return 0,
            },
        };
        match req {
            Request::Load(params) => next = load_and_serve(&out, &rx, &cancel, params),
            Request::Generate(_) => error(&out, "no_model", "no model is loaded"),
            Request::Cancel { .. } => {}
            Request::Shutdown => return 0,
            Request::Abort => std::process::abort(),
        }
    }
}

/// Loads a model and serves generations until a request needs the model gone; returns it.
fn load_and_serve(
    out: &Out,
    rx: &Receiver<Request>,
    cancel: &AtomicU64,
    params: protocol::LoadParams,
) -> Option<Request> {
    if let Err(e) = crate::gguf::inspect(&params.path) {
        error(out, "invalid_model", e.to_string());
        return None;
    }
    let started = Instant::now();
    let progress_out = Arc::clone(out);
    let mut last = -1.0f32;
    let model = runner::load_model(&params, move |p| {
        if p >= 1.0 || p - last >= 0.01 {
            last = p;
            send(&progress_out, &Response::LoadProgress { progress: p });
        }
        true
    });
    let model = match model {
        Ok(m) => m,
        Err(e) => {
            error(out, e.code, e.message);
            return None;
        }
    };
    let mut runner = match Runner::new(&model, &params, started.elapsed().as_millis() as u64) {
        Ok(r) => r,
        Err(e) => {
            error(out, e.code, e.message);
            return None;
        }
    };
    send(out, &Response::Loaded(runner.info().clone()));
    loop {
        let req = rx.recv().ok()?;
        match req {
            Request::Generate(g) => {
                let id = g.id;
                let result = runner.generate(&g, |text| {
                    if cancel.load(Ordering::SeqCst) >= id {
                        return false;
                    }
                    send(
                        out,
                        &Response::Token {
                            text: text.to_owned(),
                        },
                    )
                });
                match result {
                    Ok(stats) => {
                        send(out, &Response::Done(stats));
                    }
                    Err(e) => error(out, e.code, e.message),
                }
            }
            Request::Abort => std::process::abort(),
            Request::Cancel { .. } => {}
            other => return Some(other),
        }
    }
}
