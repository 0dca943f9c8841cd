//! What one client may spend, kept in this instance's memory: the requests it makes at all, the
//! emails it asks for, its password attempts; and each waiting screen's checks. A client is an IPv4
//! address or an IPv6 /64 (the block one household or phone is given), as `auth` found it
//! through trusted proxies only.
//!
//! In memory because a flood must cost the flooder, not the database: a refusal is a look-up,
//! and a flood from thousands of clients writes nothing. Each instance keeps its own, so two
//! instances give a client twice the room; the budgets that protect an account or an address
//! stay in the database, shared (`super`). The budgets are GCRA cells (governor): a client
//! may spend a budget's whole `max` at once, then earns one back every `per / max`.

use std::{hash::Hash, net::IpAddr, num::NonZeroU32};

use governor::{
    clock::Reference, middleware::NoOpMiddleware, nanos::Nanos,
    state::keyed::DefaultKeyedStateStore, Quota,
};
use time::Duration;

use super::Limit;
use crate::accounts::ClientMeta;
use crate::clock::Clock;

/// Who a per-client budget counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client(Option<IpAddr>);

impl Client {
    /// The client at `ip` (as `ClientMeta` holds it): an IPv6 address by its /64, an
    /// IPv4-mapped one as the IPv4 address it is. With no address, every such request shares
    /// one budget.
    pub fn at(ip: Option<&str>) -> Self {
        let ip = ip
            .and_then(|ip| ip.parse::<IpAddr>().ok())
            .map(|ip| match ip {
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => IpAddr::V4(v4),
                    None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
                },
                v4 => v4,
            });
        Self(ip)
    }

    /// The client `meta` describes: a test client by its id, anyone else by address. A test
    /// client is counted as an address of its own in the unique-local range (RFC 4193) that no
    /// network routes, `fd7e:5700:<32 bits of its id>::/64`.
    pub fn of(meta: &ClientMeta) -> Self {
        match meta.test_client {
            Some(id) => {
                let [high, low] = [(id >> 16) as u16, id as u16];
                let block = std::net::Ipv6Addr::new(0xfd7e, 0x5700, high, low, 0, 0, 0, 0);
                Self(Some(IpAddr::V6(block)))
            }
            None => Self::at(meta.ip.as_deref()),
        }
    }
}

impl std::fmt::Display for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(IpAddr::V6(block)) => write!(f, "{block}/64"),
            Some(v4) => write!(f, "{v4}"),
            None => f.write_str("unknown"),
        }
    }
}

/// A budget each client has.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    /// Every request but assets and probes (`auth::limit_clients`).
    Requests,
    /// Requests that send email.
    Emails,
    /// Password attempts, right or wrong.
    Passwords,
    /// Passkey ceremonies begun.
    Passkeys,
}

/// Governor's clock is ours, so the manual clock of the tests moves the budgets too; the system
/// clock's is monotonic, so a wall clock set back refuses no one.
impl governor::clock::Clock for Clock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(u64::try_from(self.elapsed().as_nanos()).unwrap_or(u64::MAX))
    }
}

type Cells<K> = governor::RateLimiter<K, DefaultKeyedStateStore<K>, Clock, NoOpMiddleware<Nanos>>;

/// This instance's per-client budgets, and each waiting screen's.
pub struct ClientLimits {
    clock: Clock,
    requests: Cells<Client>,
    emails: Cells<Client>,
    passwords: Cells<Client>,
    passkeys: Cells<Client>,
    /// Checks by one waiting screen, keyed by a digest of its pending secret.
    screens: Cells<[u8; 16]>,
}

fn cells<K: Hash + Eq + Clone>(limit: Limit, clock: &Clock) -> Cells<K> {
    let max =
        NonZeroU32::new(u32::try_from(limit.max).unwrap_or(u32::MAX)).unwrap_or(NonZeroU32::MIN);
    let per =
        std::time::Duration::try_from(limit.per / i32::try_from(max.get()).unwrap_or(i32::MAX))
            .unwrap_or(std::time::Duration::from_secs(1));
    let quota = Quota::with_period(per)
        .expect("every budget refills at some pace")
        .allow_burst(max);
    governor::RateLimiter::new(quota, DefaultKeyedStateStore::default(), clock.clone())
}

impl ClientLimits {
    pub fn new(clock: Clock) -> Self {
        Self {
            requests: cells(super::REQUESTS_PER_CLIENT, &clock),
            emails: cells(super::EMAILS_PER_CLIENT, &clock),
            passwords: cells(super::PASSWORDS_PER_CLIENT, &clock),
            passkeys: cells(super::PASSKEYS_PER_CLIENT, &clock),
            screens: cells(super::APPROVAL_CHECKS_PER_SCREEN, &clock),
            clock,
        }
    }

    /// Spends one of `client`'s `budget`; `Err` says how long until it has one again.
    pub fn spend(&self, budget: Budget, client: Client) -> Result<(), Duration> {
        let cells = match budget {
            Budget::Requests => &self.requests,
            Budget::Emails => &self.emails,
            Budget::Passwords => &self.passwords,
            Budget::Passkeys => &self.passkeys,
        };
        self.spend_in(cells, &client)
    }

    /// Spends one check of the waiting screen whose secret digests to `screen`.
    pub fn spend_screen_check(&self, screen: [u8; 16]) -> Result<(), Duration> {
        self.spend_in(&self.screens, &screen)
    }

    fn spend_in<K: Hash + Eq + Clone>(&self, cells: &Cells<K>, key: &K) -> Result<(), Duration> {
        cells.check_key(key).map_err(|not_until| {
            let now = governor::clock::Clock::now(&self.clock);
            let wait = not_until.earliest_possible().duration_since(now);
            Duration::nanoseconds(i64::try_from(wait.as_u64()).unwrap_or(i64::MAX))
        })
    }

    /// Drops the cells of clients back to a full budget: they are as good as new. It walks
    /// every client remembered (a blocking thread's work, `startup`'s sweeper, every few
    /// seconds, so a flood from new addresses costs memory for no longer than that);
    /// `and_shrink` also gives the memory back, which rebuilds the maps (every ten minutes).
    pub fn sweep(&self, and_shrink: bool) {
        for cells in [
            &self.requests,
            &self.emails,
            &self.passwords,
            &self.passkeys,
        ] {
            cells.retain_recent();
            if and_shrink {
                cells.shrink_to_fit();
            }
        }
        self.screens.retain_recent();
        if and_shrink {
            self.screens.shrink_to_fit();
        }
    }

    /// Clients this instance remembers.
    #[cfg(test)]
    pub fn remembered(&self) -> usize {
        self.requests.len()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn limits() -> (Clock, ClientLimits) {
        let clock = Clock::manual(datetime!(2031-03-04 10:00 UTC));
        (clock.clone(), ClientLimits::new(clock))
    }

    #[test]
    fn an_ipv6_client_is_its_64_block() {
        let at = |ip| Client::at(Some(ip)).to_string();
        assert_eq!(at("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(at("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64");
        assert_ne!(at("2001:db8:1:3::1"), at("2001:db8:1:2::1"));
        assert_eq!(at("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(at("203.0.113.7"), "203.0.113.7");
        assert_eq!(Client::at(None).to_string(), "unknown");
        assert_eq!(Client::at(Some("not an address")).to_string(), "unknown");
    }

    #[test]
    fn a_budget_is_spent_at_once_then_earned_back_one_at_a_time() {
        let (clock, limits) = limits();
        let client = Client::at(Some("203.0.113.7"));
        let email = crate::accounts::limits::EMAILS_PER_CLIENT;
        for _ in 0..email.max {
            assert_eq!(limits.spend(Budget::Emails, client), Ok(()));
        }
        let one_back = email.per / email.max as i32;
        assert_eq!(limits.spend(Budget::Emails, client), Err(one_back));
        assert!(
            limits
                .spend(Budget::Emails, Client::at(Some("203.0.113.8")))
                .is_ok(),
            "another client has its own"
        );
        assert!(
            limits.spend(Budget::Requests, client).is_ok(),
            "and so has another budget"
        );
        clock.advance(one_back);
        assert_eq!(limits.spend(Budget::Emails, client), Ok(()));
        assert!(limits.spend(Budget::Emails, client).is_err());
        clock.advance(email.per);
        for _ in 0..email.max {
            assert_eq!(limits.spend(Budget::Emails, client), Ok(()));
        }
    }

    #[test]
    fn clients_back_to_a_full_budget_are_forgotten() {
        let (clock, limits) = limits();
        for n in 0..1000u32 {
            let ip = std::net::Ipv4Addr::from(n).to_string();
            limits
                .spend(Budget::Requests, Client::at(Some(&ip)))
                .unwrap();
        }
        assert_eq!(limits.remembered(), 1000);
        clock.advance(crate::accounts::limits::REQUESTS_PER_CLIENT.per);
        limits.sweep(false);
        assert_eq!(limits.remembered(), 0);
    }
}
