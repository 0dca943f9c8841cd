//! How many waiting screens' long polls an instance holds open at once: in all, and per client
//! (IPv6 by /64), so made-up or copied requests cannot tie up the instance's tasks and
//! connections. A poll with no room is told the portal is busy, at once and before any database
//! work, and its screen asks again a few seconds later (`pages::check_email`'s `WaitForApproval`).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use crate::accounts::limits::clients::Client;

/// Long polls held at once by one instance.
pub const PER_INSTANCE: usize = 512;

/// Long polls held at once for one client: a clinic's network shares one address, and each of
/// its waiting screens holds one.
pub const PER_CLIENT: usize = 16;

/// The long polls open now, by client.
#[derive(Debug, Default)]
pub struct LongPolls {
    open: Mutex<HashMap<Client, usize>>,
}

/// A long poll's place, given back when it ends.
#[must_use = "the place is held only while this lives"]
pub struct Held {
    polls: Arc<LongPolls>,
    client: Client,
}

impl LongPolls {
    /// A place for a long poll from `client`, if there is room for one.
    pub fn enter(self: &Arc<Self>, client: Client) -> Option<Held> {
        let mut open = self
            .open
            .lock()
            .expect("the long-poll counts are never poisoned");
        let total: usize = open.values().sum();
        let of_client = open.get(&client).copied().unwrap_or(0);
        if total >= PER_INSTANCE || of_client >= PER_CLIENT {
            return None;
        }
        open.insert(client, of_client + 1);
        Some(Held {
            polls: Arc::clone(self),
            client,
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.polls.open.lock().expect("never poisoned");
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(n: usize) -> Client {
        Client::at(Some(&std::net::Ipv4Addr::from(n as u32).to_string()))
    }

    #[test]
    fn each_client_has_its_places_and_gets_them_back() {
        let polls = Arc::new(LongPolls::default());
        let held: Vec<Held> = (0..PER_CLIENT)
            .map(|_| polls.enter(client(1)).expect("room"))
            .collect();
        assert!(
            polls.enter(client(1)).is_none(),
            "the client's places are taken"
        );
        let other = polls.enter(client(2));
        assert!(other.is_some(), "another client has its own");
        drop(held);
        drop(other);
        assert!(polls.open.lock().unwrap().is_empty(), "nothing left behind");
        assert!(polls.enter(client(1)).is_some());
    }

    #[test]
    fn the_instance_holds_no_more_than_its_share() {
        let polls = Arc::new(LongPolls::default());
        let held: Vec<Held> = (0..PER_INSTANCE)
            .map(|n| polls.enter(client(n % 100)).expect("room"))
            .collect();
        assert!(polls.enter(client(1000)).is_none());
        drop(held);
        assert!(polls.enter(client(1000)).is_some());
    }
}
