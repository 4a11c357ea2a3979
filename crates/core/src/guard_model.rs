//! The optional guard model: a Llama Guard 3–format GGUF run by its own engine worker.
//!
//! The guard crate writes its prompt and reads its answer ([`warden_guard::guard_model`]); this
//! is the I/O half. Its errors are not the pipeline's errors: the policy's fail mode decides
//! whether a turn goes on without it (open) or is blocked (closed).

use std::path::{Path, PathBuf};

use warden_engine::{EngineClient, WorkerCommand};
use warden_guard::guard_model::{self, GuardModelVerdict};
use warden_guard::Stage;

use crate::{CoreError, Settings};

/// A loaded guard model.
#[derive(Debug)]
pub struct GuardModel {
    engine: EngineClient,
    path: PathBuf,
    bos: String,
}

impl GuardModel {
    /// Loads `path` in a worker of its own.
    pub fn load(
        path: &Path,
        worker: WorkerCommand,
        settings: &Settings,
    ) -> Result<Self, CoreError> {
        let mut engine = EngineClient::new(worker);
        let mut params = settings.load_params(path);
        params.n_ctx = params.n_ctx.max(2048);
        let bos = engine.load(params, |_| {})?.loaded.bos_token.clone();
        Ok(Self {
            engine,
            path: path.to_owned(),
            bos,
        })
    }

    /// The worker's pid (tests kill it to exercise the fail mode).
    pub fn worker_pid(&self) -> Option<u32> {
        self.engine.worker_pid()
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Asks the model about `user` (input) or about `agent`'s reply to `user` (output).
    pub fn check(
        &mut self,
        stage: Stage,
        user: &str,
        agent: Option<&str>,
    ) -> Result<GuardModelVerdict, String> {
        let prompt = guard_model::prompt(&self.bos, stage, user, agent);
        let (answer, p) = self
            .engine
            .classify(prompt, 12)
            .map_err(|e| format!("guard model {}: {e}", self.path.display()))?;
        guard_model::parse(&answer, p)
    }
}

/// A Llama Guard GGUF in `dir`: the first `.gguf` whose name mentions "guard".
pub fn find_guard_model(dir: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("gguf"))
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.to_ascii_lowercase().contains("guard"))
        })
        .collect();
    found.sort();
    found.into_iter().next()
}
