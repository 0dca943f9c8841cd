//! The delivery worker: woken through a channel when something is queued, it claims due
//! messages and sends them concurrently, retrying temporary failures with exponential backoff
//! for days (a notification) or until what the message carries expires (a sign-in link).

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
    time::Instant,
};

use time::OffsetDateTime;
use tokio::{
    sync::{mpsc, oneshot, watch, Semaphore},
    task::{self, JoinHandle, JoinSet},
};

use super::{
    outbox::{claims, OutboxStatus},
    Outbox, StoredEmail, Transport,
};
use crate::{configuration::RetryPolicy, db, metrics::Metrics};

/// How many messages are in flight at once (the SMTP pool holds as many connections).
pub(super) const CONCURRENCY: usize = 8;

/// How long a stopping worker waits for the sends in flight (a healthy relay answers in well under
/// a second); those still going are then cut short, within the time systemd gives a stop.
const FINISH_SENDING: std::time::Duration = std::time::Duration::from_secs(10);

/// How often a busy worker sets expired messages aside and takes back lapsed claims; an idle
/// one does it each time it wakes.
const TIDY_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// The most outcomes recorded in one transaction. Each sender waits for its outcome to be
/// recorded before it takes another message, so a batch holds what finished while the last one
/// was being written: up to `CONCURRENCY`, one commit (one fsync on PostgreSQL) for them all.
const OUTCOMES_PER_COMMIT: usize = CONCURRENCY;

/// What became of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Sent { response: String },
    RetryLater { reason: String },
    Failed { reason: String },
    Expired,
}

/// When the worker last went round its loop or finished an attempt, so that `/readyz` can tell
/// a portal whose worker has stopped (or never started) from one that is only idle.
#[derive(Clone, Default)]
pub struct Heartbeat(Arc<AtomicI64>);

impl Heartbeat {
    fn beat(&self, now: OffsetDateTime) {
        self.0.store(now.unix_timestamp(), Ordering::Relaxed);
    }

    /// Whether the worker has beaten within `within` of `now`. An idle worker beats at least
    /// every `RetryPolicy::idle_poll`; a busy one each time a send ends.
    pub fn alive(&self, now: OffsetDateTime, within: time::Duration) -> bool {
        let last = self.0.load(Ordering::Relaxed);
        last != 0 && now.unix_timestamp() - last <= within.whole_seconds()
    }
}

/// What delivering needs: the outbox table and its handle, where mail goes, how to retry, and
/// where outcomes are counted.
pub struct Delivery {
    pub pool: db::Pool,
    pub outbox: Outbox,
    pub transport: Arc<Transport>,
    pub policy: RetryPolicy,
    pub metrics: Metrics,
}

impl Delivery {
    /// Starts the worker. It runs until `stop` fires (or its sender is dropped): then it claims
    /// nothing more, gives the sends in flight `FINISH_SENDING` to end and records them, and puts
    /// what it still holds back in the queue, due at once, so that another instance sends it
    /// without waiting out the lease. A message it holds when the process dies is claimed again
    /// once its lease lapses: delivery is at least once.
    pub fn spawn(self, heartbeat: Heartbeat, mut stop: oneshot::Receiver<()>) -> JoinHandle<()> {
        // Started counts as alive, before the task first runs.
        heartbeat.beat(self.outbox.clock().now());
        let delivery = Arc::new(self);
        tokio::spawn(async move {
            let outcomes = delivery.clone().spawn_recorder();
            let describe = delivery.transport.describe();
            tracing::info!(transport = %describe, "mail worker started");
            let slots = Arc::new(Semaphore::new(CONCURRENCY));
            let mut sends = Sends::default();
            // Told to the sends in flight when they are to be cut short.
            let (cut_short, cut) = watch::channel(false);
            let mut tidied: Option<Instant> = None;
            loop {
                heartbeat.beat(delivery.outbox.clock().now());
                sends.reap();
                if tidied.is_none_or(|at| at.elapsed() >= TIDY_EVERY) {
                    if let Err(e) = delivery.tidy().await {
                        tracing::error!(error = %e, "mail worker cannot tidy the outbox");
                    }
                    tidied = Some(Instant::now());
                }
                // As many messages at once as there are free slots, once there is one.
                let slot = tokio::select! {
                    biased;
                    _ = &mut stop => break,
                    slot = slots.clone().acquire_owned() => slot,
                };
                let Ok(slot) = slot else { break };
                let mut free = vec![slot];
                free.extend(std::iter::from_fn(|| {
                    slots.clone().try_acquire_owned().ok()
                }));
                match delivery.claim_due(free.len()).await {
                    Ok(emails) if !emails.is_empty() => {
                        for (email, slot) in emails.into_iter().zip(free) {
                            let held = (email.id, email.attempts);
                            let (delivery, heartbeat) = (delivery.clone(), heartbeat.clone());
                            let (outcomes, mut cut) = (outcomes.clone(), cut.clone());
                            let send = sends.tasks.spawn(async move {
                                // Only the conversation with the relay is cut short: an
                                // attempt that ended is always recorded.
                                let attempt = tokio::select! {
                                    attempt = delivery.attempt(email) => attempt,
                                    _ = cut.wait_for(|cut| *cut) => return false,
                                };
                                let (told, recorded) = oneshot::channel();
                                match outcomes.send((attempt, told)).await {
                                    Ok(()) => {
                                        let _ = recorded.await;
                                    }
                                    // The recorder is gone: recorded here, alone.
                                    Err(mpsc::error::SendError((attempt, _))) => {
                                        tracing::error!("the mail outcome recorder stopped");
                                        delivery.record(&[attempt]).await;
                                    }
                                }
                                heartbeat.beat(delivery.outbox.clock().now());
                                drop(slot);
                                true
                            });
                            sends.held.insert(send.id(), held);
                        }
                    }
                    Ok(_) => {
                        drop(free);
                        tokio::select! {
                            biased;
                            _ = &mut stop => break,
                            () = delivery.idle() => {}
                        }
                        // Nothing was due: a good moment to look for lapsed claims too.
                        tidied = None;
                    }
                    Err(e) => {
                        drop(free);
                        tracing::error!(error = %e, "mail worker cannot read the outbox");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
            delivery.finish(sends, cut_short).await;
        })
    }

    /// The worker's end: the sends in flight finish and are recorded, or are cut short and their
    /// claims returned.
    async fn finish(&self, mut sends: Sends, cut_short: watch::Sender<bool>) {
        let finished = tokio::time::timeout(FINISH_SENDING, sends.join_all()).await;
        if finished.is_err() {
            let _ = cut_short.send(true);
            sends.join_all().await;
            let held: Vec<(i64, i64)> = sends.held.into_values().collect();
            let now = self.outbox.clock().now();
            match claims::release(&self.pool, &held, now).await {
                Ok(returned) => tracing::info!(returned, "mail worker returned its claims"),
                Err(e) => tracing::error!(error = %e, "mail worker cannot return its claims"),
            }
        }
        tracing::info!("mail worker stopped");
    }

    async fn claim_due(&self, limit: usize) -> sqlx::Result<Vec<StoredEmail>> {
        let now = self.outbox.clock().now();
        claims::claim_due(&self.pool, now, self.policy.lease, limit).await
    }

    async fn tidy(&self) -> sqlx::Result<()> {
        claims::tidy(&self.pool, self.outbox.clock().now()).await
    }

    /// Waits for the next message: woken at once by `Outbox::wake`; the timer covers retries
    /// that fall due and emails queued by another process (the CLI).
    async fn idle(&self) {
        let wait = match claims::next_due(&self.pool).await {
            Ok(Some(due)) => {
                (due - self.outbox.clock().now()).clamp(time::Duration::ZERO, self.policy.idle_poll)
            }
            _ => self.policy.idle_poll,
        };
        tokio::select! {
            _ = self.outbox.woken() => {}
            _ = tokio::time::sleep(wait.unsigned_abs()) => {}
        }
    }

    /// Sends the queued message `id` now, whatever its schedule (for `carelink mail test`).
    pub async fn deliver_now(&self, id: i64) -> anyhow::Result<DeliveryOutcome> {
        let now = self.outbox.clock().now();
        let email = claims::claim(&self.pool, id, now, self.policy.lease)
            .await?
            .ok_or_else(|| anyhow::anyhow!("message {id} is not waiting in the outbox"))?;
        let attempt = self.attempt(email).await;
        self.record(std::slice::from_ref(&attempt)).await;
        Ok(attempt.outcome)
    }

    /// Records the outcomes the senders hand it, as many as are waiting in one transaction,
    /// then tells each sender.
    fn spawn_recorder(self: Arc<Self>) -> mpsc::Sender<(Attempt, oneshot::Sender<()>)> {
        let (outcomes, mut waiting) = mpsc::channel(CONCURRENCY);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(OUTCOMES_PER_COMMIT);
            while waiting.recv_many(&mut batch, OUTCOMES_PER_COMMIT).await > 0 {
                let (attempts, senders): (Vec<Attempt>, Vec<oneshot::Sender<()>>) =
                    batch.drain(..).unzip();
                self.record(&attempts).await;
                for told in senders {
                    let _ = told.send(());
                }
            }
        });
        outcomes
    }

    /// Records `attempts`' outcomes in one transaction. One outcome that cannot be written must
    /// not undo the others (their messages would be sent again): then each is written in a
    /// transaction of its own. One that still fails is tried again when its lease lapses: at
    /// least once, never lost.
    async fn record(&self, attempts: &[Attempt]) {
        let kept = match self.write_outcomes(attempts).await {
            Ok(kept) => kept.into_iter().map(Ok).collect(),
            Err(_) if attempts.len() > 1 => {
                let mut each = Vec::with_capacity(attempts.len());
                for attempt in attempts.chunks(1) {
                    each.push(self.write_outcomes(attempt).await.map(|kept| kept[0]));
                }
                each
            }
            Err(e) => vec![Err(e)],
        };
        for (attempt, kept) in attempts.iter().zip(kept) {
            let id = attempt.email.id;
            match kept {
                Ok(true) => {}
                // Sending outlasted the lease and the message was claimed again (that
                // attempt's outcome is the one that counts), or it expired meanwhile.
                Ok(false) => {
                    tracing::warn!(id, "outcome not recorded: claimed again or expired since");
                }
                Err(e) => tracing::error!(id, error = %e, "cannot record a delivery attempt"),
            }
        }
    }

    /// Whether each outcome was kept (`claims`' rule), all written in one transaction.
    async fn write_outcomes(&self, attempts: &[Attempt]) -> sqlx::Result<Vec<bool>> {
        let mut tx = self.pool.begin().await?;
        let mut kept = Vec::with_capacity(attempts.len());
        for attempt in attempts {
            kept.push(self.record_one(&mut tx, attempt).await?);
        }
        tx.commit().await?;
        Ok(kept)
    }

    async fn record_one(&self, tx: &mut db::Connection, attempt: &Attempt) -> sqlx::Result<bool> {
        let Attempt {
            email,
            outcome,
            at,
            retry_at,
        } = attempt;
        match outcome {
            DeliveryOutcome::Sent { response } => {
                let transport = self.transport.name();
                claims::mark_sent(tx, email, *at, transport, response).await
            }
            DeliveryOutcome::Failed { reason } => {
                claims::mark_undelivered(tx, email, OutboxStatus::Failed, reason).await
            }
            DeliveryOutcome::Expired => {
                let reason = "expired before it could be delivered";
                claims::mark_undelivered(tx, email, OutboxStatus::Expired, reason).await
            }
            DeliveryOutcome::RetryLater { reason } => {
                claims::schedule_retry(tx, email, *retry_at, reason).await
            }
        }
    }

    /// Sends `email` once, and says what became of it; the outcome is the caller's to record.
    async fn attempt(&self, email: StoredEmail) -> Attempt {
        let policy = &self.policy;
        let result = self.transport.send(&email).await.map_err(|mut e| {
            e.reason = without_recipient(&e.reason, &email.recipient);
            e
        });
        let now = self.outbox.clock().now();
        let retry_at = now + policy.delay_after(email.attempts);
        let outcome = match result {
            Ok(response) => DeliveryOutcome::Sent { response },
            Err(e) if e.permanent => DeliveryOutcome::Failed { reason: e.reason },
            // A sign-in link that will have expired by then is dropped, not sent dead.
            Err(_)
                if email
                    .expires_at
                    .is_some_and(|expiry| OffsetDateTime::from(expiry) <= retry_at) =>
            {
                DeliveryOutcome::Expired
            }
            Err(e) if retry_at > OffsetDateTime::from(email.created_at) + policy.give_up_after => {
                DeliveryOutcome::Failed {
                    reason: format!(
                        "gave up after {} attempts over {} hours: {}",
                        email.attempts,
                        policy.give_up_after.whole_hours(),
                        e.reason
                    ),
                }
            }
            Err(e) => DeliveryOutcome::RetryLater { reason: e.reason },
        };
        let (id, kind) = (email.id, email.kind.as_str());
        match &outcome {
            DeliveryOutcome::Sent { response } => tracing::info!(id, kind, %response, "email sent"),
            DeliveryOutcome::Failed { reason } => {
                tracing::warn!(id, kind, %reason, "email failed permanently");
            }
            DeliveryOutcome::Expired => {
                tracing::info!(id, kind, "email expired before it could be delivered");
            }
            DeliveryOutcome::RetryLater { reason } => {
                tracing::warn!(id, kind, %reason, %retry_at, "email delivery failed; will retry");
            }
        }
        self.metrics.delivered(outcome.label());
        Attempt {
            email,
            outcome,
            at: now,
            retry_at,
        }
    }
}

/// The sends in flight, and the claim (message id, attempts) each holds.
#[derive(Default)]
struct Sends {
    /// Each says whether its attempt was recorded (`false`: cut short).
    tasks: JoinSet<bool>,
    held: HashMap<task::Id, (i64, i64)>,
}

impl Sends {
    /// Forgets the sends that have ended.
    fn reap(&mut self) {
        while let Some(done) = self.tasks.try_join_next_with_id() {
            self.forget(done);
        }
    }

    async fn join_all(&mut self) {
        while let Some(done) = self.tasks.join_next_with_id().await {
            self.forget(done);
        }
    }

    /// A send that recorded its outcome (or panicked, and its lease will lapse) holds nothing;
    /// one cut short still holds its claim.
    fn forget(&mut self, done: Result<(task::Id, bool), task::JoinError>) {
        match done {
            Ok((id, true)) => self.held.remove(&id),
            Ok((_, false)) => None,
            Err(e) => self.held.remove(&e.id()),
        };
    }
}

/// One delivery attempt, to record: the message as claimed, what became of it and when, and when
/// to try again if it is to be.
struct Attempt {
    email: StoredEmail,
    outcome: DeliveryOutcome,
    at: OffsetDateTime,
    retry_at: OffsetDateTime,
}

impl DeliveryOutcome {
    /// How `/metrics` counts it.
    fn label(&self) -> &'static str {
        match self {
            Self::Sent { .. } => "sent",
            Self::RetryLater { .. } => "retry",
            Self::Failed { .. } => "failed",
            Self::Expired => "expired",
        }
    }
}

/// `reason` with the recipient's address put as `<recipient>`: a relay's refusal usually repeats
/// it, and what operators read (the log, `carelink mail queue`) names no patient.
fn without_recipient(reason: &str, recipient: &str) -> String {
    if recipient.is_empty() || !reason.is_ascii() || !recipient.is_ascii() {
        return reason.replace(recipient, "<recipient>");
    }
    let (lower, wanted) = (reason.to_ascii_lowercase(), recipient.to_ascii_lowercase());
    let mut out = String::with_capacity(reason.len());
    let mut rest = 0;
    for (at, _) in lower.match_indices(&wanted) {
        out.push_str(&reason[rest..at]);
        out.push_str("<recipient>");
        rest = at + wanted.len();
    }
    out.push_str(&reason[rest..]);
    out
}

impl RetryPolicy {
    /// Exponential backoff: first_delay, 2×, 4×, ... capped at max_delay.
    pub fn delay_after(&self, attempts: i64) -> time::Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(20);
        (self.first_delay * 2_i32.pow(doublings)).min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use time::{macros::datetime, Duration};

    use super::{without_recipient, Heartbeat};

    #[test]
    fn a_relays_reason_names_no_patient() {
        let reason = "450 4.2.0 <Pat@Example.org>: Recipient address rejected: Greylisted";
        assert_eq!(
            without_recipient(reason, "pat@example.org"),
            "450 4.2.0 <<recipient>>: Recipient address rejected: Greylisted"
        );
        assert_eq!(
            without_recipient("421 try later", "pat@example.org"),
            "421 try later"
        );
    }

    #[test]
    fn a_worker_is_alive_only_if_it_beat_lately() {
        let heartbeat = Heartbeat::default();
        let now = datetime!(2031-03-02 12:00 UTC);
        assert!(!heartbeat.alive(now, Duration::minutes(4)), "never started");
        heartbeat.beat(now);
        assert!(heartbeat.alive(now + Duration::minutes(4), Duration::minutes(4)));
        assert!(!heartbeat.alive(now + Duration::minutes(5), Duration::minutes(4)));
    }
}
