//! An in-memory budget per key (an address, a key, a patient): so many a second or an hour, with
//! a burst, refused with no database work. Keys whose budget is full again are forgotten now and
//! then, so a flood of new keys does not keep its memory.

use std::{
    hash::Hash,
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
};

use governor::{clock::MonotonicClock, state::keyed::DashMapStateStore, Quota, RateLimiter};

pub struct Budget<K: Hash + Eq + Clone> {
    limiter: RateLimiter<K, DashMapStateStore<K>, MonotonicClock>,
    since_sweep: AtomicU64,
}

impl<K: Hash + Eq + Clone> Budget<K> {
    /// `burst` at once, then one every `every`.
    pub fn new(burst: u32, every: std::time::Duration) -> Self {
        let burst = NonZeroU32::new(burst).expect("a budget of at least one");
        let quota = Quota::with_period(every)
            .expect("a period longer than zero")
            .allow_burst(burst);
        Self {
            limiter: RateLimiter::dashmap_with_clock(quota, MonotonicClock),
            since_sweep: AtomicU64::new(0),
        }
    }

    /// Spends one of `key`'s budget; `false` when it is spent.
    pub fn spend(&self, key: &K) -> bool {
        if self.since_sweep.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter.check_key(key).is_ok()
    }
}
