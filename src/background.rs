//! Work that runs after a request has been answered (the email behind "Send Secure Login Link",
//! which the answer must not wait for), on a few workers behind a bounded queue, so a flood of
//! requests cannot spawn tasks without end. When the queue is full the work is dropped, logged
//! and counted, and the request's answer is the same either way.

use std::{
    future::Future,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
};

use futures_util::FutureExt;
use tokio::sync::{mpsc, Mutex, Notify};
use tracing::Instrument;

/// Work waits as the closure that starts it: its captures only, a few hundred bytes, where the
/// future it makes (every state of a link's issuing) is several kilobytes, made when a worker
/// takes it.
type Job = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// How much background work may wait, and how many jobs run at once.
#[derive(Debug, Clone, Copy)]
pub struct BackgroundLimits {
    pub queue: usize,
    pub workers: usize,
}

impl Default for BackgroundLimits {
    fn default() -> Self {
        Self {
            queue: 1024,
            workers: 4,
        }
    }
}

#[derive(Clone)]
pub struct Background {
    queue: mpsc::Sender<Job>,
    /// Queued or running; `idle` waits for none.
    pending: Arc<AtomicUsize>,
    settled: Arc<Notify>,
    dropped: Arc<AtomicU64>,
}

impl Background {
    /// Starts the workers on the current runtime.
    pub fn start(limits: BackgroundLimits) -> Self {
        let (queue, jobs) = mpsc::channel::<Job>(limits.queue.max(1));
        let jobs = Arc::new(Mutex::new(jobs));
        let (pending, settled) = (Arc::new(AtomicUsize::new(0)), Arc::new(Notify::new()));
        for _ in 0..limits.workers.max(1) {
            let (jobs, pending, settled) = (jobs.clone(), pending.clone(), settled.clone());
            tokio::spawn(async move {
                loop {
                    let Some(job) = jobs.lock().await.recv().await else {
                        return;
                    };
                    // A job that panics is logged and its worker goes on: a dead worker
                    // would leave the queue to fill and every later link email dropped.
                    if AssertUnwindSafe(job()).catch_unwind().await.is_err() {
                        tracing::error!("background work panicked");
                    }
                    if pending.fetch_sub(1, Ordering::AcqRel) == 1 {
                        settled.notify_waiters();
                    }
                }
            });
        }
        Self {
            queue,
            pending,
            settled,
            dropped: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Queues the work `start` makes, which keeps the caller's span. Dropped (logged, counted)
    /// when the queue is full, before its job is boxed.
    pub fn run<F>(&self, what: &'static str, start: impl FnOnce() -> F + Send + 'static)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let Ok(place) = self.queue.try_reserve() else {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::warn!(what, dropped, "background queue full: work dropped");
            return;
        };
        self.pending.fetch_add(1, Ordering::AcqRel);
        let span = tracing::Span::current();
        place.send(Box::new(move || Box::pin(start().instrument(span))));
    }

    /// How much work was dropped since start.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Waits until nothing is queued or running.
    pub async fn idle(&self) {
        loop {
            let settled = self.settled.notified();
            tokio::pin!(settled);
            // Registered before the check, so a wake-up between the two is not missed.
            settled.as_mut().enable();
            if self.pending.load(Ordering::Acquire) == 0 {
                return;
            }
            settled.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_full_queue_drops_and_counts_instead_of_growing() {
        let background = Background::start(BackgroundLimits {
            queue: 2,
            workers: 1,
        });
        let done = Arc::new(AtomicUsize::new(0));
        for _ in 0..10 {
            let done = done.clone();
            background.run("test", move || async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                done.fetch_add(1, Ordering::Relaxed);
            });
        }
        background.idle().await;
        let done = done.load(Ordering::Relaxed);
        // One running and two waiting at most when the burst came.
        assert!((2..=3).contains(&done), "{done}");
        assert_eq!(background.dropped(), 10 - done as u64);
    }

    #[tokio::test]
    async fn work_after_a_panic_still_runs() {
        let background = Background::start(BackgroundLimits {
            queue: 4,
            workers: 1,
        });
        background.run("test", || async { panic!("a bug in one job") });
        let done = Arc::new(AtomicUsize::new(0));
        let counted = done.clone();
        background.run("test", move || async move {
            counted.fetch_add(1, Ordering::Relaxed);
        });
        tokio::time::timeout(Duration::from_secs(5), background.idle())
            .await
            .expect("the queue settles");
        assert_eq!(done.load(Ordering::Relaxed), 1);
    }
}
