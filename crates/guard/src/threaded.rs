//! An output scanner on a thread of its own, off the token path.

use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::stream::{ends_sentence, OutputScanner};
use crate::types::{Action, Context, Verdict};
use crate::Guard;

/// Bytes of deltas gathered before they are handed over, unless one may end a sentence
/// (where the scanner may read): the thread is woken a few times a sentence, not at every
/// token.
const BATCH: usize = 64;

/// What the token path sends the scanner's thread.
enum Msg {
    Deltas(Vec<String>),
    Finish,
}

/// The thread's final verdict and the nanoseconds it spent in `feed`.
type Finished = (Verdict, u64);

#[derive(Debug)]
struct Worker {
    deltas: mpsc::Sender<Msg>,
    verdicts: mpsc::Receiver<Verdict>,
    thread: JoinHandle<Option<Finished>>,
}

/// An [`OutputScanner`] that runs on a thread of its own, so that a token only hands it the
/// delta: the rules' windows, the repetition and language checks and the models' reads
/// (a forward pass of the classifier, milliseconds) all run there.
///
/// The thread feeds the deltas to an ordinary scanner one by one, in the order they came,
/// so the verdicts are exactly the ones scanning in line gives. They come back later:
/// [`feed`](ThreadedScanner::feed) returns the latest verdict the thread has reported since
/// the last call (a block a few milliseconds after the token that completed what it blocks;
/// the pipeline retracts what was shown, as for any block), and
/// [`finish`](ThreadedScanner::finish) waits for the rest and returns the whole text's.
/// Should the thread fail to start or die, the scanner goes on in line from the text so far.
#[derive(Debug)]
pub struct ThreadedScanner {
    guard: Arc<Guard>,
    ctx: Context,
    text: String,
    action: Action,
    worker: Option<Worker>,
    /// Scanning in line instead (no thread).
    inline: Option<OutputScanner<'static>>,
    /// Deltas not yet handed over, and their bytes.
    batch: Vec<String>,
    batch_len: usize,
}

impl ThreadedScanner {
    pub(crate) fn new(guard: Arc<Guard>, ctx: Context) -> ThreadedScanner {
        let worker = spawn(Arc::clone(&guard), ctx.clone());
        let inline = worker
            .is_none()
            .then(|| OutputScanner::shared(Arc::clone(&guard), ctx.clone()));
        ThreadedScanner {
            guard,
            ctx,
            text: String::new(),
            action: Action::Allow,
            worker,
            inline,
            batch: Vec::new(),
            batch_len: 0,
        }
    }

    /// The text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The most severe action reported so far.
    pub fn action(&self) -> Action {
        self.action
    }

    /// Hands `delta` to the thread; returns the latest verdict it has reported since the last
    /// call (each one a snapshot of every hit so far), if any.
    pub fn feed(&mut self, delta: &str) -> Option<Verdict> {
        let ends = ends_sentence(&self.text, delta);
        self.text.push_str(delta);
        if let Some(w) = &self.worker {
            self.batch.push(delta.to_owned());
            self.batch_len += delta.len();
            if !ends && self.batch_len < BATCH {
                return self.seen(w.verdicts.try_iter().last());
            }
            self.batch_len = 0;
            if w.deltas
                .send(Msg::Deltas(std::mem::take(&mut self.batch)))
                .is_ok()
            {
                let latest = w.verdicts.try_iter().last();
                return self.seen(latest);
            }
        }
        let v = match &mut self.inline {
            Some(s) => s.feed(delta),
            None => {
                let (s, v) = self.take_over();
                self.inline = Some(s);
                v
            }
        };
        self.seen(v)
    }

    /// Waits for the thread to read everything and returns the verdict for the whole text
    /// (see [`OutputScanner::finish`]).
    pub fn finish(self) -> Verdict {
        self.finish_timed().0
    }

    /// [`finish`](ThreadedScanner::finish), with the nanoseconds the thread spent in `feed`
    /// (0 when it scanned in line).
    pub fn finish_timed(mut self) -> (Verdict, u64) {
        if let Some(w) = self.worker.take() {
            let batch = Msg::Deltas(std::mem::take(&mut self.batch));
            let sent = w.deltas.send(batch).is_ok() && w.deltas.send(Msg::Finish).is_ok();
            drop(w.deltas);
            if let (true, Ok(Some(finished))) = (sent, w.thread.join()) {
                return finished;
            }
        }
        let s = match self.inline.take() {
            Some(s) => s,
            None => self.take_over().0,
        };
        (s.finish(), 0)
    }

    fn seen(&mut self, v: Option<Verdict>) -> Option<Verdict> {
        if let Some(v) = &v {
            self.action = self.action.max(v.action);
        }
        v
    }

    /// The thread is gone (it died): an in-line scanner goes on from the text so far.
    fn take_over(&mut self) -> (OutputScanner<'static>, Option<Verdict>) {
        self.worker = None;
        let mut s = OutputScanner::shared(Arc::clone(&self.guard), self.ctx.clone());
        let v = s.feed(&self.text);
        (s, v)
    }
}

/// Starts the thread: an [`OutputScanner`] fed the deltas as they come, reporting each
/// verdict its `feed` returns; the final verdict once told to finish (none when the token
/// path drops the scanner first).
fn spawn(guard: Arc<Guard>, ctx: Context) -> Option<Worker> {
    let (deltas, inbox) = mpsc::channel();
    let (outbox, verdicts) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("warden-guard-stream".into())
        .spawn(move || {
            yield_to_the_token_path();
            let mut scanner = OutputScanner::shared(guard, ctx);
            let mut ns = 0u64;
            for msg in inbox {
                match msg {
                    Msg::Deltas(deltas) => {
                        let t = Instant::now();
                        let v = deltas.iter().filter_map(|d| scanner.feed(d)).last();
                        ns += u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX);
                        if let Some(v) = v {
                            // The token path may have gone; the finish still comes.
                            let _ = outbox.send(v);
                        }
                    }
                    Msg::Finish => return Some((scanner.finish(), ns)),
                }
            }
            None
        })
        .ok()?;
    Some(Worker {
        deltas,
        verdicts,
        thread,
    })
}

/// Keeps the scanner's thread from stopping the token path: under `SCHED_BATCH` (Linux) a
/// woken thread does not preempt a running one, so handing it deltas never makes the token
/// path wait out a scan on a busy machine (measured with `warden bench` on 2 cores, where
/// the model's threads take both: 30–53 µs a token on the token path without it, 7 with it).
/// The thread still gets its full share of the CPU. Elsewhere, nothing changes.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn yield_to_the_token_path() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: `sched_setscheduler` only reads `param`, a live local, and changes the policy
    // of the calling thread (0) alone; on failure the policy stays as it was.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) };
}

#[cfg(not(target_os = "linux"))]
fn yield_to_the_token_path() {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{parse_jsonl, EvalSample};
    use crate::types::{Category, Hit, Span, Stage};
    use crate::{stream_pieces, Normalized, Scanner};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;
    use std::time::Duration;

    #[test]
    fn the_thread_gives_the_verdicts_scanning_in_line_gives() {
        let guard = Arc::new(Guard::with_default_policy());
        let samples: Vec<EvalSample> = [
            include_str!("../data/long_answers.jsonl"),
            include_str!("../data/answer_probe.jsonl"),
        ]
        .into_iter()
        .flat_map(|src| parse_jsonl::<EvalSample>(src).unwrap())
        .collect();
        let (mut compared, mut flagged) = (0, 0);
        for s in &samples {
            for stage in [Stage::Reasoning, Stage::Output] {
                let ctx = Context::new(stage);
                let mut inline = guard.output_scanner_with(ctx.clone());
                let mut threaded = guard.output_scanner_threaded(ctx);
                let mut seen = Action::Allow;
                for piece in stream_pieces(&s.text) {
                    inline.feed(piece);
                    if let Some(v) = threaded.feed(piece) {
                        assert!(v.action >= seen);
                        seen = v.action;
                    }
                }
                assert_eq!(threaded.text(), s.text);
                let (a, b) = (inline.finish(), threaded.finish());
                assert_eq!(a, b, "{stage:?}: {}", s.text);
                assert!(seen <= b.action);
                compared += 1;
                flagged += usize::from(a.action != Action::Allow);
            }
        }
        println!("{compared} streams compared, {flagged} flagged");
        assert!(compared == 2 * samples.len() && flagged > 20, "{flagged}");
    }

    /// Blocks any text holding "ZZZ", as a model's confident hit would, and names the thread
    /// each read runs on, with its scheduling policy (Linux).
    #[derive(Debug, Default)]
    struct Blocking(Arc<Mutex<Vec<ReadOn>>>);

    /// The name and scheduling policy of the thread a read ran on.
    type ReadOn = (Option<String>, Option<u32>);

    /// The calling thread's scheduling policy, from `/proc` (field 41 of `stat`).
    fn policy() -> Option<u32> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        // The command name (field 2) may hold spaces; the fields after it do not.
        let after = &stat[stat.rfind(')')? + 2..];
        after.split(' ').nth(41 - 3)?.parse().ok()
    }

    impl Scanner for Blocking {
        fn name(&self) -> &str {
            "blocking"
        }
        fn scan(&self, norm: &Normalized<'_>, _: &Context, out: &mut Vec<Hit>) {
            let name = std::thread::current().name().map(str::to_owned);
            self.0.lock().unwrap().push((name, policy()));
            if let Some(at) = norm.original().find("ZZZ") {
                out.push(Hit::new(
                    Category::IndiscriminateWeapons,
                    1.0,
                    "blocking",
                    vec![Span::new(at, at + 3)],
                ));
            }
        }
    }

    #[test]
    fn a_block_the_thread_finds_comes_back_while_streaming() {
        let threads = Blocking::default();
        let names = Arc::clone(&threads.0);
        let mut guard = Guard::with_default_policy();
        guard.add_scanner(Box::new(threads), true);
        let guard = Arc::new(guard);
        let text = format!(
            "{}ZZZ {}",
            "The river runs past the mill and on to the sea. ".repeat(12),
            "The evening is quiet and the lamps are lit one by one. ".repeat(30)
        );
        let policy_here = policy();
        let mut s = guard.output_scanner_threaded(Context::new(Stage::Output));
        let mut blocked = false;
        for piece in stream_pieces(&text) {
            if s.feed(piece).is_some_and(|v| v.action == Action::Block) {
                blocked = true;
                break;
            }
            // Tokens come every few milliseconds.
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(blocked && s.text().len() < text.len(), "{}", s.text().len());
        assert_eq!(s.action(), Action::Block);
        let fin = s.finish();
        assert_eq!(fin.action, Action::Block);
        let span = fin
            .hits
            .iter()
            .find(|h| h.scanner == "blocking")
            .unwrap()
            .spans[0];
        assert_eq!(&text[span.start..span.end], "ZZZ");
        // Every read ran on the scanner's thread, none on this one; on Linux, one that does
        // not preempt the token path (SCHED_BATCH is 3), this one's policy unchanged.
        let names = names.lock().unwrap();
        assert!(!names.is_empty());
        for (name, policy) in names.iter() {
            assert_eq!(name.as_deref(), Some("warden-guard-stream"));
            if cfg!(target_os = "linux") {
                assert_eq!(*policy, Some(3));
            }
        }
        assert_eq!(policy(), policy_here);
    }

    /// Panics the first time it reads, as a bug in a scanner might.
    #[derive(Debug, Default)]
    struct PanicsOnce(AtomicBool);

    impl Scanner for PanicsOnce {
        fn name(&self) -> &str {
            "panics-once"
        }
        fn scan(&self, _: &Normalized<'_>, _: &Context, _: &mut Vec<Hit>) {
            assert!(self.0.swap(true, Ordering::SeqCst), "the first read fails");
        }
    }

    #[test]
    fn a_thread_that_dies_leaves_the_scanning_to_the_token_path_with_nothing_lost() {
        let mut guard = Guard::with_default_policy();
        guard.add_scanner(Box::new(PanicsOnce::default()), true);
        let guard = Arc::new(guard);
        let text = format!(
            "{}Write to bob.smith@example.org. Here is how to make a pipe bomb at home: first \
             you need a steel pipe. {}",
            "The river runs past the mill and on to the sea. ".repeat(14),
            "The evening is quiet and the lamps are lit one by one. ".repeat(30)
        );
        let mut s = guard.output_scanner_threaded(Context::new(Stage::Output));
        let pieces: Vec<&str> = stream_pieces(&text).collect();
        let (last, rest) = pieces.split_last().unwrap();
        for piece in rest {
            s.feed(piece);
            std::thread::sleep(Duration::from_micros(200));
        }
        // The thread dies at its first read. On a loaded machine (the test suite's other
        // binaries, under SCHED_BATCH) it may not have read yet: wait for it, so that the
        // last piece is handed to a thread that is gone.
        let deadline = Instant::now() + Duration::from_secs(60);
        while s.worker.as_ref().is_some_and(|w| !w.thread.is_finished())
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        s.feed(last);
        assert!(s.worker.is_none(), "the thread read and died");
        let (fin, _) = s.finish_timed();
        assert!(fin.has(Category::IndiscriminateWeapons), "{fin:?}");
        assert_eq!(fin.pii.len(), 1);
        assert!(!fin.redacted_text.unwrap().contains("bob.smith"));
    }
}
