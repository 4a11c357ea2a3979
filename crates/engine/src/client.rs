//! The app's side of the worker: spawn it, load, stream, cancel, notice when it dies.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;

use crate::error::EngineError;
use crate::gguf::{self, GgufInfo};
use crate::protocol::{
    self, GenerateParams, GenerationStats, LoadParams, LoadedModel, Request, Response,
};
use crate::sampling::SamplingParams;
use crate::splitter::{ReasoningSplitter, ReasoningSummary, Segment};
use crate::template::{ChatMessage, ChatTemplate, ModelFamily, RenderedPrompt, TemplateSource};

/// The hidden subcommand that turns the app's executable into a worker.
pub const WORKER_SUBCOMMAND: &str = "__engine-worker";
const LOG_TAIL: usize = 40;

/// How to start a worker: by default the running executable with [`WORKER_SUBCOMMAND`].
#[derive(Debug, Clone)]
pub struct WorkerCommand {
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
}

impl WorkerCommand {
    /// `program __engine-worker`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            args: vec![WORKER_SUBCOMMAND.into()],
        }
    }
    /// The current executable re-invoked as a worker.
    pub fn current_exe() -> std::io::Result<Self> {
        Ok(Self::new(std::env::current_exe()?))
    }
}

/// A loaded model: what the file says, what llama.cpp says, and how to prompt it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelHandle {
    /// The GGUF header and metadata.
    pub gguf: GgufInfo,
    /// llama.cpp's view after loading.
    pub loaded: LoadedModel,
    /// The prompt family.
    pub family: ModelFamily,
    /// Where the chat template comes from.
    pub template_source: TemplateSource,
    #[serde(skip)]
    template: ChatTemplate,
}

impl ModelHandle {
    /// The file name of the model.
    pub fn file_name(&self) -> String {
        std::path::Path::new(&self.loaded.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.loaded.path.clone())
    }
    /// The sampling preset for this model.
    pub fn sampling_preset(&self) -> SamplingParams {
        SamplingParams::preset(self.family)
    }
    /// Renders a conversation with this model's template.
    pub fn render(&self, messages: &[ChatMessage]) -> Result<RenderedPrompt, EngineError> {
        Ok(self.template.render(messages)?)
    }
}

/// What to generate from.
#[derive(Debug, Clone)]
pub enum Prompt {
    /// A conversation, rendered with the model's chat template.
    Chat(Vec<ChatMessage>),
    /// Plain text completion (no template); `add_bos` as the tokenizer prefers.
    Raw(String),
}

/// One event of a streaming generation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GenEvent {
    /// Reasoning or answer text.
    Text(Segment),
    /// Finished; stats are measured at the client (time to first token and generation speed
    /// include the trip through the worker).
    Done {
        /// Counters.
        stats: GenerationStats,
        /// What the reasoning splitter saw.
        reasoning: ReasoningSummary,
    },
}

struct Worker {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    stdout: BufReader<ChildStdout>,
    log: Arc<Mutex<VecDeque<String>>>,
}

impl Worker {
    fn spawn(cmd: &WorkerCommand) -> Result<Self, EngineError> {
        let mut command = Command::new(&cmd.program);
        #[cfg(unix)]
        {
            // Its own process group: a Ctrl-C at the terminal cancels the generation (the app
            // handles it) instead of killing the worker. The worker still exits when the app
            // dies, because its stdin closes.
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command
            .args(&cmd.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| EngineError::Spawn {
                program: cmd.program.display().to_string(),
                source,
            })?;
        let stdin = child.stdin.take().ok_or_else(|| proto("no stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| proto("no stdout"))?;
        let stderr = child.stderr.take().ok_or_else(|| proto("no stderr"))?;
        let log = Arc::new(Mutex::new(VecDeque::with_capacity(LOG_TAIL)));
        let log_w = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                push_log(&log_w, line);
            }
        });
        let mut w = Self {
            child,
            stdin: Arc::new(Mutex::new(stdin)),
            stdout: BufReader::new(stdout),
            log,
        };
        match w.recv()? {
            Response::Ready { protocol } if protocol == protocol::PROTOCOL_VERSION => Ok(w),
            other => Err(proto(&format!("expected ready, got {other:?}"))),
        }
    }

    fn send(&self, req: &Request) -> Result<(), EngineError> {
        let line = serde_json::to_string(req).map_err(|e| proto(&e.to_string()))? + "\n";
        let mut stdin = lock(&self.stdin);
        // A write error means the worker is gone; recv() will report how it died.
        let _ = stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.flush());
        Ok(())
    }

    /// The next frame; a closed stdout means the worker died.
    fn recv(&mut self) -> Result<Response, EngineError> {
        let mut line = String::new();
        loop {
            line.clear();
            let n = read_line_lossy(&mut self.stdout, &mut line).unwrap_or(0);
            if n == 0 {
                return Err(self.crashed());
            }
            match protocol::decode::<Response>(&line) {
                Some(Ok(r)) => return Ok(r),
                Some(Err(e)) => return Err(proto(&format!("bad frame: {e}"))),
                None => push_log(&self.log, line.trim_end().to_owned()),
            }
        }
    }

    fn crashed(&mut self) -> EngineError {
        let status = match self.child.wait() {
            Ok(s) => describe_exit(s),
            Err(e) => format!("unknown exit: {e}"),
        };
        // Give the stderr thread a moment to drain the last lines.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let log_tail = lock(&self.log).iter().cloned().collect();
        EngineError::EngineCrashed { status, log_tail }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.send(&Request::Shutdown);
        // Give it a moment to exit cleanly, then make sure.
        for _ in 0..20 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_line_lossy(r: &mut impl BufRead, out: &mut String) -> std::io::Result<usize> {
    let mut buf = Vec::new();
    let n = r.read_until(b'\n', &mut buf)?;
    out.push_str(&String::from_utf8_lossy(&buf));
    Ok(n)
}

fn describe_exit(s: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = s.signal() {
            let name = match sig {
                6 => "SIGABRT",
                9 => "SIGKILL",
                11 => "SIGSEGV",
                15 => "SIGTERM",
                _ => "signal",
            };
            return format!("killed by {name} ({sig})");
        }
    }
    match s.code() {
        Some(c) => format!("exit code {c}"),
        None => "unknown exit".into(),
    }
}

fn push_log(log: &Mutex<VecDeque<String>>, line: String) {
    let mut l = lock(log);
    if l.len() == LOG_TAIL {
        l.pop_front();
    }
    l.push_back(line);
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn proto(msg: &str) -> EngineError {
    EngineError::Protocol(msg.to_owned())
}

/// Stops the running generation from any thread (a Ctrl-C handler, a UI button).
#[derive(Debug, Clone)]
pub struct Canceller {
    stdin: Arc<Mutex<ChildStdin>>,
    current: Arc<AtomicU64>,
}

impl Canceller {
    /// Asks the worker to stop the current generation before its next token.
    pub fn cancel(&self) {
        let id = self.current.load(Ordering::SeqCst);
        if id == 0 {
            return;
        }
        let line = format!("{{\"op\":\"cancel\",\"id\":{id}}}\n");
        let mut stdin = lock(&self.stdin);
        let _ = stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.flush());
    }
}

/// A connection to one worker process, which holds at most one model.
pub struct EngineClient {
    cmd: WorkerCommand,
    worker: Option<Worker>,
    model: Option<ModelHandle>,
    next_id: u64,
    current: Arc<AtomicU64>,
}

impl std::fmt::Debug for EngineClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineClient")
            .field("cmd", &self.cmd)
            .field("running", &self.worker.is_some())
            .field("model", &self.model.as_ref().map(|m| &m.loaded.path))
            .finish()
    }
}

impl EngineClient {
    /// A client that starts workers with `cmd` (lazily, on the first load).
    pub fn new(cmd: WorkerCommand) -> Self {
        Self {
            cmd,
            worker: None,
            model: None,
            next_id: 0,
            current: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The loaded model, if any.
    pub fn model(&self) -> Option<&ModelHandle> {
        self.model.as_ref()
    }

    /// The worker's process id, if one is running.
    pub fn worker_pid(&self) -> Option<u32> {
        self.worker.as_ref().map(|w| w.child.id())
    }

    /// A handle that cancels whatever generation is running.
    pub fn canceller(&self) -> Option<Canceller> {
        self.worker.as_ref().map(|w| Canceller {
            stdin: Arc::clone(&w.stdin),
            current: Arc::clone(&self.current),
        })
    }

    /// Validates the file in Rust, then loads it in the worker (starting one if needed).
    /// `on_progress` gets 0..=1.
    pub fn load(
        &mut self,
        params: LoadParams,
        mut on_progress: impl FnMut(f32),
    ) -> Result<&ModelHandle, EngineError> {
        let info = gguf::inspect(&params.path)?;
        self.model = None;
        if self.worker.is_none() {
            self.worker = Some(Worker::spawn(&self.cmd)?);
        }
        let result = self.load_in_worker(&params, &mut on_progress);
        let loaded = self.check_crash(result)?;
        let family = ModelFamily::detect(
            info.architecture.as_deref(),
            info.name.as_deref(),
            info.chat_template.as_deref(),
        );
        let template = ChatTemplate::for_model(
            family,
            info.chat_template.as_deref(),
            &loaded.bos_token,
            &loaded.eos_token,
        );
        Ok(self.model.insert(ModelHandle {
            gguf: info,
            loaded,
            family,
            template_source: template.source(),
            template,
        }))
    }

    fn load_in_worker(
        &mut self,
        params: &LoadParams,
        on_progress: &mut impl FnMut(f32),
    ) -> Result<LoadedModel, EngineError> {
        let w = self.worker.as_mut().ok_or(EngineError::NoModel)?;
        w.send(&Request::Load(params.clone()))?;
        loop {
            match w.recv()? {
                Response::LoadProgress { progress } => on_progress(progress),
                Response::Loaded(l) => return Ok(l),
                Response::Error { code, message } => {
                    return Err(EngineError::from_worker(code, message))
                }
                other => return Err(proto(&format!("unexpected {other:?} while loading"))),
            }
        }
    }

    /// A crash loses the worker and the model; the next load starts a fresh worker.
    fn check_crash<T>(&mut self, r: Result<T, EngineError>) -> Result<T, EngineError> {
        if let Err(EngineError::EngineCrashed { .. } | EngineError::Protocol(_)) = &r {
            self.worker = None;
            self.model = None;
        }
        r
    }

    /// Starts a generation; read it with [`Generation::next_event`].
    pub fn generate(
        &mut self,
        prompt: Prompt,
        sampling: SamplingParams,
    ) -> Result<Generation<'_>, EngineError> {
        self.start(prompt, sampling, false)
    }

    /// Runs a classifier model (e.g. Llama Guard) on a prompt rendered by the caller: greedy,
    /// at most `max_tokens`. Returns the text and the first token's probability.
    pub fn classify(
        &mut self,
        prompt: String,
        max_tokens: u32,
    ) -> Result<(String, Option<f32>), EngineError> {
        let g = self.start(
            Prompt::Raw(prompt),
            SamplingParams::greedy(max_tokens),
            true,
        )?;
        let (reasoning, answer, stats) = g.collect()?;
        Ok((reasoning + &answer, stats.first_token_prob))
    }

    fn start(
        &mut self,
        prompt: Prompt,
        sampling: SamplingParams,
        want_first_prob: bool,
    ) -> Result<Generation<'_>, EngineError> {
        sampling.validate().map_err(EngineError::InvalidSampling)?;
        let model = self.model.as_ref().ok_or(EngineError::NoModel)?;
        let (text, add_bos, opens_reasoning) = match prompt {
            Prompt::Chat(messages) => {
                let r = model.render(&messages)?;
                (
                    r.text,
                    model.loaded.add_bos && !r.has_bos,
                    r.opens_reasoning,
                )
            }
            Prompt::Raw(text) => {
                let bos = &model.loaded.bos_token;
                let has_bos = !bos.is_empty() && text.starts_with(bos.as_str());
                (text, model.loaded.add_bos && !has_bos, false)
            }
        };
        self.next_id += 1;
        let id = self.next_id;
        self.current.store(id, Ordering::SeqCst);
        let w = self.worker.as_mut().ok_or(EngineError::NoModel)?;
        w.send(&Request::Generate(GenerateParams {
            id,
            prompt: text,
            add_bos,
            sampling,
            want_first_prob,
        }))?;
        Ok(Generation {
            client: self,
            id,
            splitter: ReasoningSplitter::new(opens_reasoning),
            queue: VecDeque::new(),
            started: Instant::now(),
            first_at: None,
            last_at: None,
            tokens: 0,
            finished: false,
        })
    }

    /// Test hook: makes the worker abort the way llama.cpp does on a failed assertion.
    #[doc(hidden)]
    pub fn abort_worker_for_test(&mut self) -> Result<(), EngineError> {
        match &self.worker {
            Some(w) => w.send(&Request::Abort),
            None => Err(EngineError::NoModel),
        }
    }
}

/// A running generation. Dropping it before the end cancels it and drains the worker.
pub struct Generation<'c> {
    client: &'c mut EngineClient,
    id: u64,
    splitter: ReasoningSplitter,
    queue: VecDeque<GenEvent>,
    started: Instant,
    first_at: Option<Instant>,
    last_at: Option<Instant>,
    tokens: u32,
    finished: bool,
}

impl std::fmt::Debug for Generation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generation").field("id", &self.id).finish()
    }
}

impl Generation<'_> {
    /// The next event, blocking until one arrives; `Ok(None)` after `Done`.
    pub fn next_event(&mut self) -> Result<Option<GenEvent>, EngineError> {
        loop {
            if let Some(ev) = self.queue.pop_front() {
                return Ok(Some(ev));
            }
            if self.finished {
                return Ok(None);
            }
            let r = self
                .client
                .worker
                .as_mut()
                .ok_or(EngineError::NoModel)?
                .recv();
            let resp = match self.client.check_crash(r) {
                Ok(resp) => resp,
                Err(e) => {
                    self.finished = true;
                    return Err(e);
                }
            };
            match resp {
                Response::Token { text } => {
                    let now = Instant::now();
                    self.first_at.get_or_insert(now);
                    self.last_at = Some(now);
                    self.tokens += 1;
                    let segs = self.splitter.push(&text);
                    self.queue.extend(segs.into_iter().map(GenEvent::Text));
                }
                Response::Done(mut stats) => {
                    self.finished = true;
                    let (segs, reasoning) = self.splitter.finish();
                    self.queue.extend(segs.into_iter().map(GenEvent::Text));
                    let end = Instant::now();
                    let first = self.first_at.unwrap_or(end);
                    stats.ttft_ms = (first - self.started).as_secs_f64() * 1e3;
                    stats.total_ms = (end - self.started).as_secs_f64() * 1e3;
                    let span = self
                        .last_at
                        .map(|l| (l - first).as_secs_f64())
                        .unwrap_or(0.0);
                    stats.generation_tps =
                        crate::runner::rate(f64::from(self.tokens.saturating_sub(1)), span);
                    self.queue.push_back(GenEvent::Done { stats, reasoning });
                }
                Response::Error { code, message } => {
                    self.finished = true;
                    return Err(EngineError::from_worker(code, message));
                }
                other => {
                    self.finished = true;
                    return Err(proto(&format!("unexpected {other:?} while generating")));
                }
            }
        }
    }

    /// Asks the worker to stop this generation; keep reading to get `Done` (stop reason
    /// `cancelled`).
    pub fn cancel(&self) {
        if let Some(c) = self.client.canceller() {
            c.cancel();
        }
    }

    /// Reads the whole generation: (reasoning, answer, stats).
    pub fn collect(mut self) -> Result<(String, String, GenerationStats), EngineError> {
        let (mut r, mut a) = (String::new(), String::new());
        while let Some(ev) = self.next_event()? {
            match ev {
                GenEvent::Text(s) => match s.kind {
                    crate::SegmentKind::Reasoning => r.push_str(&s.text),
                    crate::SegmentKind::Answer => a.push_str(&s.text),
                },
                GenEvent::Done { stats, .. } => return Ok((r, a, stats)),
            }
        }
        Err(proto("generation ended without done"))
    }
}

impl Drop for Generation<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        self.cancel();
        while let Ok(Some(_)) = self.next_event() {}
    }
}
