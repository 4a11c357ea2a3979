//! The encoder's parallel loops, on candle's barrier pool rather than rayon's.
//!
//! Why: a forward pass is ~30 short parallel sections (four products and an attention per
//! layer), each 0.1–2 ms. Rayon's idle workers sleep, and waking one costs 40–75 µs on
//! this project's 2-core VM (measured: an IPI to a halted virtual CPU), so the second core
//! joined each section late and a pass gained 13% from it instead of ~2×. Candle's pool
//! (`candle_core::utils::barrier_pool`) keeps its workers spinning for about a millisecond
//! between sections, which covers the gaps inside a pass; after one they park.

use std::sync::Mutex;

/// Workers plus the calling thread.
pub fn threads() -> usize {
    candle_core::utils::barrier_pool().n_workers() + 1
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

/// `f(item)` for every item, shared between the calling thread and the pool's workers
/// (each takes the next item when it is free). Called from inside a job (a thread already
/// encoding its own windows), it runs the items in order on that thread: the other threads
/// are busy with theirs, and the pool takes one caller at a time.
pub fn for_each<T: Send>(items: Vec<T>, f: impl Fn(T) + Sync) {
    if items.len() < 2 || IN_JOB.get() {
        items.into_iter().for_each(f);
        return;
    }
    let n = items.len();
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    candle_core::utils::barrier_pool().execute_chunked(n, |range| {
        let _job = JobGuard::enter();
        for slot in &slots[range] {
            // Each slot is taken once; a poisoned lock means a job panicked, which the
            // pool passes on to the caller.
            if let Some(item) = slot.lock().ok().and_then(|mut s| s.take()) {
                f(item);
            }
        }
    });
}
