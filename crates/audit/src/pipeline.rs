//! Worker threads for the long scans: the caller reads chunks from SQLite while workers
//! hash (verify) or format (export) the chunks it read before, on the other cores.
//!
//! Reading must stay on the caller's thread (it holds the connection, see [`crate::scan`]),
//! and the results must be used in the order the chunks were read (the chain is checked in
//! sequence, an export is written in id order). [`Ordered`] hands chunks to its workers in
//! turn and gives the results back in submission order.

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// How many workers a scan gets: one per core, at least one, at most four.
pub(crate) fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

struct Worker<J, R> {
    jobs: Option<SyncSender<J>>,
    results: Receiver<R>,
    thread: Option<JoinHandle<()>>,
}

/// A fixed set of worker threads applying one function to jobs, results in job order.
pub(crate) struct Ordered<J, R> {
    workers: Vec<Worker<J, R>>,
    submitted: usize,
    collected: usize,
}

impl<J: Send + 'static, R: Send + 'static> Ordered<J, R> {
    /// Starts `n` threads named `name` running `f`.
    pub(crate) fn start(
        n: usize,
        name: &str,
        f: impl Fn(J) -> R + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let f = Arc::new(f);
        let mut workers = Vec::with_capacity(n.max(1));
        for i in 0..n.max(1) {
            let (jobs, job_rx) = mpsc::sync_channel::<J>(1);
            let (result_tx, results) = mpsc::sync_channel::<R>(1);
            let f = Arc::clone(&f);
            let thread = std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    for job in job_rx {
                        if result_tx.send(f(job)).is_err() {
                            break;
                        }
                    }
                })?;
            workers.push(Worker {
                jobs: Some(jobs),
                results,
                thread: Some(thread),
            });
        }
        Ok(Ordered {
            workers,
            submitted: 0,
            collected: 0,
        })
    }

    /// Jobs submitted whose results were not taken yet.
    pub(crate) fn in_flight(&self) -> usize {
        self.submitted - self.collected
    }

    /// True when every worker holds two jobs (one queued or done, one running): take a
    /// result before the next [`submit`](Self::submit). Until then a submit never waits, so
    /// the reader can run ahead of the workers by that much.
    pub(crate) fn is_full(&self) -> bool {
        self.in_flight() >= 2 * self.workers.len()
    }

    /// Hands `job` to the next worker in turn (waits while its queue is full). `false`
    /// when the worker is gone (it panicked).
    pub(crate) fn submit(&mut self, job: J) -> bool {
        let w = &self.workers[self.submitted % self.workers.len()];
        let sent = w.jobs.as_ref().is_some_and(|j| j.send(job).is_ok());
        if sent {
            self.submitted += 1;
        }
        sent
    }

    /// The oldest result not yet taken, waiting for it. `None` when nothing is in flight
    /// or its worker is gone (it panicked).
    pub(crate) fn next(&mut self) -> Option<R> {
        if self.in_flight() == 0 {
            return None;
        }
        let w = &self.workers[self.collected % self.workers.len()];
        let r = w.results.recv().ok()?;
        self.collected += 1;
        Some(r)
    }
}

impl<J, R> Drop for Ordered<J, R> {
    fn drop(&mut self) {
        // Close every queue, then drain each worker's results until it exits: a worker
        // blocked handing back a result nobody will read then finishes too.
        for w in &mut self.workers {
            w.jobs = None;
        }
        for w in &mut self.workers {
            while w.results.recv().is_ok() {}
            if let Some(t) = w.thread.take() {
                let _ = t.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_submission_order() {
        // Jobs that finish in reverse order of submission within each round.
        let mut pool = Ordered::start(3, "test", |i: u64| {
            std::thread::sleep(std::time::Duration::from_millis(3 * (3 - i % 3)));
            i * 10
        })
        .unwrap();
        let mut out = Vec::new();
        for i in 0..20 {
            if pool.is_full() {
                out.push(pool.next().unwrap());
            }
            assert!(pool.submit(i));
        }
        while let Some(r) = pool.next() {
            out.push(r);
        }
        assert_eq!(out, (0..20).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(pool.in_flight(), 0);
    }

    #[test]
    fn dropping_with_work_in_flight_stops_the_threads() {
        let mut pool = Ordered::start(2, "test", |i: u64| i).unwrap();
        for i in 0..4 {
            assert!(pool.submit(i));
        }
        // Two results left unread in full result queues, two jobs queued: drop must not hang.
        drop(pool);
    }

    #[test]
    fn a_panicking_worker_is_reported_not_waited_for() {
        let mut pool = Ordered::start(1, "test", |i: u64| {
            assert!(i != 1, "job 1 fails");
            i
        })
        .unwrap();
        assert!(pool.submit(0));
        assert_eq!(pool.next(), Some(0));
        assert!(pool.submit(1));
        assert_eq!(pool.next(), None);
    }
}
