//! The testing API's secret (`TESTING_API_TOKEN`): off unless given. With it, a QA suite may
//! create patients, read their emails, sign them in and move the clock over HTTP (`crate::testing`),
//! so a production configuration refuses it unless `TESTING_API_ON_LIVE_PORTAL=yes` says this
//! portal is a test one. Only its SHA-256 is kept, and it is never printed.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{ConfigError, Environment};

/// Shorter tokens could be guessed; the kit's README says to make one with `openssl rand -hex 32`.
const MIN_LENGTH: usize = 32;

/// The header a test's browser sends so that its requests count as a client of their own
/// (`TestingApi::test_client`), minted by `POST /testing/clients`.
pub const TEST_CLIENT_HEADER: &str = "x-carelink-test-client";

/// How long a test client's header works: a suite's run, with room to spare.
const TEST_CLIENT_HOURS: u64 = 24;

#[derive(Clone)]
pub struct TestingApi {
    token_hash: [u8; 32],
    /// Signs test clients: derived from the token, apart from what `admit` compares.
    client_key: [u8; 32],
    /// Told explicitly that a production configuration is a test portal.
    pub on_live_portal: bool,
}

/// Proof that a request carried the testing API's token. Only `TestingApi::admit` makes one,
/// and everything the testing API may do (`Accounts::add_test_patient`, ...) asks for it, so no
/// other code can reach those doors.
#[derive(Clone)]
pub struct TestingPass(());

impl TestingApi {
    /// From `TESTING_API_TOKEN` and `TESTING_API_ON_LIVE_PORTAL`; `None` when no token is given.
    pub(super) fn from_settings(
        token: Option<String>,
        on_live_portal: Option<String>,
        environment: Environment,
    ) -> Result<Option<Self>, ConfigError> {
        let on_live_portal = match on_live_portal.as_deref().map(str::trim) {
            None | Some("" | "no") => false,
            Some("yes") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    setting: "TESTING_API_ON_LIVE_PORTAL",
                    value: other.to_owned(),
                    reason: "expected yes or no".into(),
                })
            }
        };
        let Some(token) = token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let invalid = |reason: &str| ConfigError::Invalid {
            setting: "TESTING_API_TOKEN",
            value: "(hidden)".into(),
            reason: reason.into(),
        };
        if token.chars().count() < MIN_LENGTH || !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err(invalid(
                "expected at least 32 printable characters, no spaces (make one with `openssl \
                 rand -hex 32`)",
            ));
        }
        if environment == Environment::Production && !on_live_portal {
            return Err(invalid(
                "turns on endpoints that create, sign in and remove patients, so a production \
                 configuration (LEPTOS_ENV=PROD) refuses it; on a staging portal that holds \
                 only test patients, also set TESTING_API_ON_LIVE_PORTAL=yes",
            ));
        }
        let mut client_key = Sha256::new();
        client_key.update(b"carelink test clients\0");
        client_key.update(token.as_bytes());
        Ok(Some(Self {
            token_hash: Sha256::digest(token.as_bytes()).into(),
            client_key: client_key.finalize().into(),
            on_live_portal,
        }))
    }

    /// The pass for a request whose bearer token is this portal's. Hashes are compared, so the
    /// time taken says nothing about how much of the token was right.
    pub fn admit(&self, bearer: &str) -> Option<TestingPass> {
        let given: [u8; 32] = Sha256::digest(bearer.trim().as_bytes()).into();
        (given == self.token_hash).then_some(TestingPass(()))
    }

    /// A new test client's header value: its id, until when it works (Unix seconds, real
    /// time: the testing API's clock shifts do not extend it) and this portal's signature.
    pub fn mint_client(&self, _: &TestingPass) -> String {
        let mut id = [0u8; 8];
        getrandom::fill(&mut id).expect("the OS random generator works");
        let until = unix_now() + TEST_CLIENT_HOURS * 3600;
        let body = format!("{}.{until:x}", hex(&id));
        format!("{body}.{}", hex(&self.mac(&body).finalize().into_bytes()))
    }

    /// The id of the test client `header` names, if this portal minted it and it still works.
    pub fn test_client(&self, header: &str) -> Option<u64> {
        let (body, signature) = header.trim().rsplit_once('.')?;
        let (id, until) = body.split_once('.')?;
        if id.len() != 16 || until.len() > 16 || signature.len() != 64 {
            return None;
        }
        let signature: Vec<u8> = (0..64)
            .step_by(2)
            .map(|i| u8::from_str_radix(signature.get(i..i + 2)?, 16).ok())
            .collect::<Option<_>>()?;
        self.mac(body).verify_slice(&signature).ok()?;
        (u64::from_str_radix(until, 16).ok()? > unix_now()).then_some(())?;
        u64::from_str_radix(id, 16).ok()
    }

    fn mac(&self, body: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.client_key).expect("any key length");
        mac.update(body.as_bytes());
        mac
    }
}

impl std::fmt::Debug for TestingApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestingApi")
            .field("token", &"(hidden)")
            .field("on_live_portal", &self.on_live_portal)
            .finish()
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    fn api() -> TestingApi {
        TestingApi::from_settings(Some(TOKEN.into()), None, Environment::Development)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn only_the_token_admits() {
        assert!(api().admit(TOKEN).is_some());
        assert!(api().admit(&TOKEN[1..]).is_none());
        assert!(api().admit("").is_none());
    }

    #[test]
    fn short_tokens_and_production_are_refused_unless_told() {
        let dev = Environment::Development;
        assert!(TestingApi::from_settings(Some("short".into()), None, dev).is_err());
        assert!(TestingApi::from_settings(None, None, dev)
            .unwrap()
            .is_none());
        let prod = Environment::Production;
        let refused = TestingApi::from_settings(Some(TOKEN.into()), None, prod).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("TESTING_API_ON_LIVE_PORTAL=yes"),
            "{refused}"
        );
        let told = TestingApi::from_settings(Some(TOKEN.into()), Some("yes".into()), prod);
        assert!(told.unwrap().unwrap().on_live_portal);
        assert!(TestingApi::from_settings(None, Some("maybe".into()), dev).is_err());
    }

    #[test]
    fn a_test_client_is_known_only_as_minted_here() {
        let api = api();
        let pass = api.admit(TOKEN).unwrap();
        let header = api.mint_client(&pass);
        assert!(api.test_client(&header).is_some());
        let flip = |c: char| if c == '0' { '1' } else { '0' };
        let forged = format!("{}{}", flip(header.chars().next().unwrap()), &header[1..]);
        assert_eq!(api.test_client(&forged), None, "another id");
        // Valid for longer than it was minted for.
        let (body, signature) = header.rsplit_once('.').unwrap();
        let (id, _) = body.split_once('.').unwrap();
        let later = format!("{id}.{:x}.{signature}", unix_now() + 365 * 24 * 3600);
        assert_eq!(api.test_client(&later), None, "another expiry");
        let expired = format!("{id}.{:x}", unix_now() - 1);
        let signed = hex(&api.mac(&expired).finalize().into_bytes());
        let expired = format!("{expired}.{signed}");
        assert_eq!(api.test_client(&expired), None, "expired, though signed");
        let other =
            TestingApi::from_settings(Some(format!("{TOKEN}x")), None, Environment::Development)
                .unwrap()
                .unwrap();
        assert_eq!(other.test_client(&header), None, "another portal's");
        assert_eq!(api.test_client("garbage"), None);
        assert_eq!(api.test_client("é.é"), None);
    }
}
