//! The encoder's parallel loops, on rayon (inside candle's pool, see `Encoder::forward_many`).
//!
//! Rayon's idle workers sleep, and waking one costs 40–75 µs on this project's 2-core VM, so
//! a pass that splits each of its ~30 sections (four products and an attention per layer)
//! between the threads pays that each time. A long text avoids it: its windows go whole to
//! each thread, one parallel section per pass. Candle's spinning barrier pool was tried for
//! the split sections (2026-11-29): ~25% faster on short prompts on an idle machine, but it
//! waits for every worker to check in, and with the cores busy (two `yes` processes on
//! this VM) a 66-token prompt took 58 ms instead of 7, where rayon's work stealing lets the
//! caller finish what a descheduled worker never picked up. A desktop app's cores are often
//! busy, so rayon.

/// Workers plus the calling thread.
pub fn threads() -> usize {
    rayon::current_num_threads()
}

thread_local! {
    /// Whether this thread is running a job of [`for_each`].
    static IN_JOB: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the thread as inside a job until dropped (also when the job panics).
struct JobGuard(bool);

impl JobGuard {
    fn enter() -> JobGuard {
        JobGuard(IN_JOB.replace(true))
    }
}

impl Drop for JobGuard {
    fn drop(&mut self) {
        IN_JOB.set(self.0);
    }
}

/// `f(item)` for every item, on the current rayon pool (the caller takes part when it is
/// one of the pool's threads), results in the items' order. Called from inside a job (a
/// thread already encoding its own windows), it runs the items in order on that thread: the
/// other threads are busy with theirs, and splitting further would only add tasks.
pub fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync + Send) -> Vec<R> {
    if items.len() < 2 || IN_JOB.get() {
        return items.into_iter().map(f).collect();
    }
    use rayon::prelude::*;
    items
        .into_par_iter()
        .map(|item| {
            let _job = JobGuard::enter();
            f(item)
        })
        .collect()
}

/// [`map`] for its effects.
pub fn for_each<T: Send>(items: Vec<T>, f: impl Fn(T) + Sync + Send) {
    map(items, f);
}
