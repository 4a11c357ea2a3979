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

/// `f(item)` for every item, shared between the calling thread and the pool's workers
/// (each takes the next item when it is free). Safe to call from inside a job: it then runs
/// the items in order on the calling thread.
pub fn for_each<T: Send>(items: Vec<T>, f: impl Fn(T) + Sync) {
    match items.len() {
        0 => {}
        1 => items.into_iter().for_each(f),
        n => {
            let slots: Vec<Mutex<Option<T>>> =
                items.into_iter().map(|t| Mutex::new(Some(t))).collect();
            candle_core::utils::barrier_pool().execute_chunked(n, |range| {
                for slot in &slots[range] {
                    // Each slot is taken once; a poisoned lock means a job panicked,
                    // which the pool passes on to the caller.
                    if let Some(item) = slot.lock().ok().and_then(|mut s| s.take()) {
                        f(item);
                    }
                }
            });
        }
    }
}
