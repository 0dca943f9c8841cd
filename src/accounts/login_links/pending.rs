//! The secret a browser holds while it waits for a Secure Login Link's sign-in (the
//! pending-request cookie): when it asked, a random part, and a MAC by the server's key
//! (`SERVER_KEY`, shared by every instance), so that a made-up or altered one is known at once,
//! before any database work or any wait. Passkey ceremonies' secrets are minted the same way,
//! under a label of their own (`for_passkey_ceremonies`).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

use crate::accounts::store::tokens::generate_secret;
use crate::configuration::ServerKey;

/// The MAC's bytes kept: 128 bits, as many as the random part's strength against a guess.
const MAC_BYTES: usize = 16;

/// Mints and checks pending secrets with this portal's key.
#[derive(Clone, Copy)]
pub struct PendingSecrets {
    key: ServerKey,
    /// What the secrets are for, in their MAC: one kind never passes for another.
    label: &'static [u8],
}

impl PendingSecrets {
    pub fn new(key: ServerKey) -> Self {
        let label = b"carelink pending request\0";
        Self { key, label }
    }

    pub fn for_passkey_ceremonies(key: ServerKey) -> Self {
        let label = b"carelink passkey ceremony\0";
        Self { key, label }
    }

    /// A new secret for a browser that asks at `now`: `millis.random.mac`.
    pub fn mint(&self, now: OffsetDateTime) -> String {
        let millis = now.unix_timestamp_nanos() / 1_000_000;
        let body = format!("{millis}.{}", generate_secret());
        let mac = URL_SAFE_NO_PAD.encode(&self.mac(&body).finalize().into_bytes()[..MAC_BYTES]);
        format!("{body}.{mac}")
    }

    /// `secret` if this portal minted it.
    pub fn authentic<'a>(&self, secret: &'a str) -> Option<&'a str> {
        let (body, mac) = secret.rsplit_once('.')?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        // Compared in constant time.
        self.mac(body).verify_truncated_left(&mac).ok()?;
        (mac.len() == MAC_BYTES).then_some(secret)
    }

    fn mac(&self, body: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key.0).expect("any key length works");
        mac.update(self.label);
        mac.update(body.as_bytes());
        mac
    }
}

/// When the browser holding `secret` asked, if its secret says.
pub fn asked_at(secret: &str) -> Option<OffsetDateTime> {
    let (millis, _) = secret.split_once('.')?;
    let nanos = millis.parse::<i128>().ok()?.checked_mul(1_000_000)?;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn only_a_secret_minted_with_this_key_is_authentic() {
        let secrets = PendingSecrets::new(ServerKey([7; 32]));
        let asked = datetime!(2031-03-04 10:00:00.123 UTC);
        let secret = secrets.mint(asked);
        assert_eq!(secrets.authentic(&secret), Some(secret.as_str()));
        assert_eq!(asked_at(&secret), Some(asked));
        assert_ne!(secrets.mint(asked), secret, "a new random part each time");

        let another_portal = PendingSecrets::new(ServerKey([8; 32]));
        assert_eq!(another_portal.authentic(&secret), None);
        let ceremonies = PendingSecrets::for_passkey_ceremonies(ServerKey([7; 32]));
        assert_eq!(
            ceremonies.authentic(&secret),
            None,
            "a request's secret is no ceremony's"
        );
        let (body, mac) = secret.rsplit_once('.').unwrap();
        let earlier = body.replacen("1930", "1929", 1);
        for forged in [
            String::new(),
            "screen10".into(),
            body.to_owned(),
            format!("{earlier}.{mac}"),
            format!("{body}.{}", &mac[..mac.len() - 2]),
            format!("{body}.{mac}AA"),
            format!("{body}x.{mac}"),
            format!("{body}.{mac}.{mac}"),
        ] {
            assert_eq!(secrets.authentic(&forged), None, "{forged}");
        }
    }
}
