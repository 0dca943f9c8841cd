//! Passkeys: saved after a Secure Login Link, signing in with no email, and never a way around
//! the rules (`accounts::passkeys`). Ceremonies are answered by a software authenticator.

use carelink::{
    accounts::{
        landing::HOME, passkeys::passkey_name, AccountError, Accounts, Browser, SignedIn, User,
        PASSKEYS_PER_CLIENT,
    },
    email_address::EmailAddress,
};
use time::Duration;
use url::Url;

use crate::{
    harness::{refused_as, Rules},
    support::{authenticator::TestAuthenticator, TestPatient},
};

/// The portal's origin in these tests: a name, as a relying party must have.
const ORIGIN: &str = "http://localhost:3000";

async fn rules() -> Rules {
    Rules::with(|settings| settings.server.public_url = Url::parse(ORIGIN).unwrap()).await
}

/// A patient's browser after a sign-in by link asked for there: signed in and known.
async fn signed_in_by_link(rules: &Rules, patient: &TestPatient) -> (User, Browser) {
    let browser = rules.ask(&rules.browser(), &patient.email).await;
    let token = rules.token_sent_to(&patient.email).await;
    let signed_in = rules
        .accounts
        .sign_in_with_link(&token, &browser, None)
        .await
        .expect("the link signs in");
    let browser = rules.holding(&browser, &signed_in);
    let session = rules.session_of(&signed_in).await;
    (session.user, browser)
}

/// A sign-in by a link asked for from `browser` and opened there, a minute after the last
/// (one email a minute per address).
async fn link_sign_in(rules: &Rules, browser: &Browser, email: &str) -> SignedIn {
    rules.clock.advance(Duration::seconds(61));
    let asked = rules.ask(browser, email).await;
    let token = rules.token_sent_to(email).await;
    rules
        .accounts
        .sign_in_with_link(&token, &asked, None)
        .await
        .expect("the link signs in")
}

/// A patient signed in by a link asked for in their browser, with a passkey saved there on
/// their phone.
async fn patient_with_passkey(rules: &Rules) -> (TestPatient, User, Browser, TestAuthenticator) {
    let pat = rules.patient().await;
    let (user, browser) = signed_in_by_link(rules, &pat).await;
    let mut phone = TestAuthenticator::on(ORIGIN);
    save(&rules.accounts, &user, &browser, &mut phone)
        .await
        .expect("saved");
    (pat, user, browser, phone)
}

/// Saves a passkey of `user` on `device` from `browser`; its name.
async fn save(
    accounts: &Accounts,
    user: &User,
    browser: &Browser,
    device: &mut TestAuthenticator,
) -> Result<String, AccountError> {
    let begun = accounts.start_adding_passkey(user, browser).await?;
    let answer = device.register(&begun.options);
    accounts
        .add_passkey(user, &begun.secret, &answer, browser)
        .await
}

/// Signs in with the passkey on `device`, from a browser with no cookies.
async fn sign_in(
    accounts: &Accounts,
    rules: &Rules,
    device: &mut TestAuthenticator,
) -> Result<SignedIn, AccountError> {
    let browser = rules.browser();
    let begun = accounts.start_passkey_sign_in(&browser).await?;
    let answer = device.sign_in(&begun.options);
    accounts
        .sign_in_with_passkey(&begun.secret, &answer, None, &browser)
        .await
}

async fn stored_sign_count(rules: &Rules) -> i64 {
    sqlx::query_scalar("SELECT sign_count FROM passkeys")
        .fetch_one(rules.portal.pool.read())
        .await
        .unwrap()
}

/// The whole way: a link signs in, a passkey is saved there (the patient is told by email, the
/// activity records it), and the next visit signs in with it, with no email, landing on the
/// appointments; the sign counter follows the authenticator's.
#[tokio::test]
async fn a_passkey_saved_after_a_link_signs_in_with_no_email() {
    let rules = rules().await;
    let pat = rules.patient().await;
    let (user, browser) = signed_in_by_link(&rules, &pat).await;
    let mut phone = TestAuthenticator::on(ORIGIN);
    let name = save(&rules.accounts, &user, &browser, &mut phone)
        .await
        .expect("saved");
    assert_eq!(name, "Chrome on Windows");
    let told = rules.last_email_to(&pat.email).await.unwrap();
    assert!(
        told.contains("A passkey was added to your account"),
        "{told}"
    );
    assert!(told.contains("Not you?") && told.contains(&name), "{told}");
    let emails_before = rules.outbox_size().await;

    let signed_in = sign_in(&rules.accounts, &rules, &mut phone)
        .await
        .expect("the passkey signs in");
    assert_eq!(signed_in.landing, HOME);
    let session = rules.session_of(&signed_in).await;
    assert_eq!(session.user.id, user.id);
    assert_eq!(rules.outbox_size().await, emails_before, "no email");
    let first = stored_sign_count(&rules).await;
    sign_in(&rules.accounts, &rules, &mut phone).await.unwrap();
    assert!(
        stored_sign_count(&rules).await > first,
        "the counter is kept"
    );

    let activity = rules.accounts.recent_activity(&user).await.unwrap();
    let kinds: Vec<_> = activity.iter().map(|e| e.kind.message()).collect();
    assert!(kinds.contains(&"event-passkey-added"), "{kinds:?}");
    assert!(kinds.contains(&"event-signed-in-with-passkey"), "{kinds:?}");
    let listed = rules.accounts.passkeys(&user).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used().is_some());
}

/// A challenge is answered once: the same answer again, on the same ceremony or a new one, is
/// refused, as is one after the ceremony's five minutes.
#[tokio::test]
async fn an_answer_signs_in_once_and_only_in_time() {
    let rules = rules().await;
    let (.., mut phone) = patient_with_passkey(&rules).await;

    let stranger = rules.browser();
    let begun = rules
        .accounts
        .start_passkey_sign_in(&stranger)
        .await
        .unwrap();
    let answer = phone.sign_in(&begun.options);
    let accounts = &rules.accounts;
    let first = accounts.sign_in_with_passkey(&begun.secret, &answer, None, &stranger);
    assert!(first.await.is_ok());
    let replayed = accounts.sign_in_with_passkey(&begun.secret, &answer, None, &stranger);
    assert!(refused_as(replayed.await, AccountError::PasskeyRefused));
    let another = accounts.start_passkey_sign_in(&stranger).await.unwrap();
    let replayed = accounts.sign_in_with_passkey(&another.secret, &answer, None, &stranger);
    assert!(refused_as(replayed.await, AccountError::PasskeyRefused));

    let late = accounts.start_passkey_sign_in(&stranger).await.unwrap();
    let answer = phone.sign_in(&late.options);
    rules.clock.advance(Duration::minutes(5));
    let too_late = accounts.sign_in_with_passkey(&late.secret, &answer, None, &stranger);
    assert!(refused_as(too_late.await, AccountError::PasskeyRefused));
}

/// What is not this patient's passkey answering this portal's challenge signs no one in, and
/// every refusal reads the same: a phishing site's assertion, another patient's handle, a
/// device that saved nothing here, a made-up ceremony, garbage.
#[tokio::test]
async fn a_foreign_answer_is_refused_alike() {
    let rules = rules().await;
    let (.., mut phone) = patient_with_passkey(&rules).await;
    let sam = rules.sam().await;
    let (sam_user, sam_browser) = signed_in_by_link(&rules, &sam).await;
    let mut sams_phone = TestAuthenticator::on(ORIGIN);
    save(&rules.accounts, &sam_user, &sam_browser, &mut sams_phone)
        .await
        .unwrap();

    let stranger = rules.browser();
    let accounts = &rules.accounts;
    let refused = |outcome| refused_as(outcome, AccountError::PasskeyRefused);

    // Relayed through a look-alike site: the browser signs for its own origin.
    let begun = accounts.start_passkey_sign_in(&stranger).await.unwrap();
    let mut relayed = phone.assertion(&begun.options);
    relayed.response.client_data_json = {
        let mut client_data: serde_json::Value =
            serde_json::from_slice(relayed.response.client_data_json.as_ref()).unwrap();
        client_data["origin"] = "http://localhost.evil.example:3000".into();
        serde_json::to_vec(&client_data).unwrap().into()
    };
    let answer = serde_json::to_string(&relayed).unwrap();
    assert!(refused(
        accounts
            .sign_in_with_passkey(&begun.secret, &answer, None, &stranger)
            .await
    ));

    // Pat's credential, claimed for Sam's account.
    let begun = accounts.start_passkey_sign_in(&stranger).await.unwrap();
    let mut claimed = phone.assertion(&begun.options);
    let sams_options = accounts.start_passkey_sign_in(&stranger).await.unwrap();
    let sams = sams_phone.assertion(&sams_options.options);
    claimed.response.user_handle = sams.response.user_handle.clone();
    let answer = serde_json::to_string(&claimed).unwrap();
    assert!(refused(
        accounts
            .sign_in_with_passkey(&begun.secret, &answer, None, &stranger)
            .await
    ));

    // A device that made a passkey for Sam here, never saved: the portal does not know it.
    let mut never_saved = TestAuthenticator::on(ORIGIN);
    let adding = accounts.start_adding_passkey(&sam_user, &sam_browser).await;
    never_saved.register(&adding.unwrap().options);
    let begun = accounts.start_passkey_sign_in(&stranger).await.unwrap();
    let answer = never_saved.sign_in(&begun.options);
    assert!(refused(
        accounts
            .sign_in_with_passkey(&begun.secret, &answer, None, &stranger)
            .await
    ));

    let begun = accounts.start_passkey_sign_in(&stranger).await.unwrap();
    let answer = phone.sign_in(&begun.options);
    let made_up = format!("{}x", begun.secret);
    assert!(refused(
        accounts
            .sign_in_with_passkey(&made_up, &answer, None, &stranger)
            .await
    ));
    assert!(refused(
        accounts
            .sign_in_with_passkey(&begun.secret, "{\"id\":", None, &stranger)
            .await
    ));
    // The right answer still works: a refusal spends nothing of the patient's.
    assert!(accounts
        .sign_in_with_passkey(&begun.secret, &answer, None, &stranger)
        .await
        .is_ok());
}

/// A passkey whose authenticator's counter is behind the one stored was copied: refused.
#[tokio::test]
async fn a_cloned_passkey_is_refused() {
    let rules = rules().await;
    let (.., mut phone) = patient_with_passkey(&rules).await;
    sign_in(&rules.accounts, &rules, &mut phone).await.unwrap();
    let pool = rules.portal.pool.write();
    let stored: String = sqlx::query_scalar("SELECT passkey FROM passkeys")
        .fetch_one(pool)
        .await
        .unwrap();
    let mut passkey: serde_json::Value = serde_json::from_str(&stored).unwrap();
    passkey["cred"]["counter"] = 1000.into();
    sqlx::query("UPDATE passkeys SET passkey = $1")
        .bind(passkey.to_string())
        .execute(pool)
        .await
        .unwrap();
    let cloned = sign_in(&rules.accounts, &rules, &mut phone).await;
    assert!(refused_as(cloned, AccountError::PasskeyRefused));
}

/// Removing a passkey: it signs in no more, the sessions it started end (this browser's too,
/// which is told so), the patient is emailed, and their other sessions stay.
#[tokio::test]
async fn a_removed_passkey_signs_in_no_more_and_ends_its_sessions() {
    let rules = rules().await;
    let (pat, user, by_link, mut phone) = patient_with_passkey(&rules).await;
    let signed_in = sign_in(&rules.accounts, &rules, &mut phone).await.unwrap();
    let by_passkey = rules.holding(&rules.browser(), &signed_in);
    let id = rules.accounts.passkeys(&user).await.unwrap()[0].id;

    let sam = rules.sam().await;
    let (sam_user, _) = signed_in_by_link(&rules, &sam).await;
    let not_sams = rules.accounts.remove_passkey(&sam_user, id, &by_link).await;
    assert!(refused_as(not_sams, AccountError::UnknownPasskey));

    let ended = rules
        .accounts
        .remove_passkey(&user, id, &by_passkey)
        .await
        .unwrap();
    assert!(ended, "this browser's session was the passkey's");
    let session = |browser: &Browser| {
        let secret = browser.session.clone().unwrap();
        let accounts = rules.accounts.clone();
        async move { accounts.session(&secret).await.unwrap() }
    };
    assert!(session(&by_passkey).await.is_none());
    assert!(
        session(&by_link).await.is_some(),
        "the link's session stays"
    );
    let told = rules.last_email_to(&pat.email).await.unwrap();
    assert!(told.contains("A passkey was removed"), "{told}");
    let again = sign_in(&rules.accounts, &rules, &mut phone).await;
    assert!(refused_as(again, AccountError::PasskeyRefused));
}

/// Any instance finishes what another began: the ceremony is in the database.
#[tokio::test]
async fn another_instance_finishes_what_one_began() {
    let rules = rules().await;
    let other = rules.another_instance().await;
    let pat = rules.patient().await;
    let (user, browser) = signed_in_by_link(&rules, &pat).await;
    let mut phone = TestAuthenticator::on(ORIGIN);
    let begun = rules
        .accounts
        .start_adding_passkey(&user, &browser)
        .await
        .unwrap();
    let answer = phone.register(&begun.options);
    other
        .add_passkey(&user, &begun.secret, &answer, &browser)
        .await
        .expect("saved by the other instance");
    let stranger = rules.browser();
    let begun = other.start_passkey_sign_in(&stranger).await.unwrap();
    let answer = phone.sign_in(&begun.options);
    rules
        .accounts
        .sign_in_with_passkey(&begun.secret, &answer, None, &stranger)
        .await
        .expect("signed in by the first");
}

/// The offer: after a link signs in a browser proven to be the patient's (it asked), not in a
/// stranger's browser, never after a password; "Not now" there holds for 90 days; a passkey
/// saved there ends the offers; and none where passkeys are off.
#[tokio::test]
async fn a_passkey_is_offered_where_the_link_was_asked_until_not_now() {
    let rules = rules().await;
    let pat = rules.patient().await;
    let offered = |signed_in: &SignedIn| signed_in.cookies.as_ref().unwrap().offer_passkey;
    let asked_here = rules.ask(&rules.browser(), &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    let accounts = &rules.accounts;
    let signed_in = accounts
        .sign_in_with_link(&token, &asked_here, None)
        .await
        .unwrap();
    assert!(offered(&signed_in));
    let (user, home) = (
        rules.session_of(&signed_in).await.user,
        rules.holding(&asked_here, &signed_in),
    );

    rules.clock.advance(Duration::seconds(61));
    rules.ask(&rules.browser(), &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    let elsewhere = accounts
        .sign_in_with_link(&token, &rules.browser(), None)
        .await
        .unwrap();
    assert!(
        !offered(&elsewhere),
        "a browser that only clicked is not proven"
    );

    let email = EmailAddress::parse(&pat.email).unwrap();
    let by_password = accounts
        .sign_in_with_password(&email, crate::support::PASSWORD.into(), None, &home)
        .await
        .unwrap();
    assert!(!offered(&by_password));

    accounts.decline_passkey_offer(&user, &home).await.unwrap();
    assert!(
        !offered(&link_sign_in(&rules, &home, &pat.email).await),
        "Not now"
    );
    rules.clock.advance(Duration::days(89));
    assert!(
        !offered(&link_sign_in(&rules, &home, &pat.email).await),
        "Not now, 89 days on"
    );
    rules.clock.advance(Duration::days(2));
    let signed_in = link_sign_in(&rules, &home, &pat.email).await;
    assert!(offered(&signed_in), "asked again after 90 days");
    let home = rules.holding(&home, &signed_in);

    let mut phone = TestAuthenticator::on(ORIGIN);
    save(&rules.accounts, &user, &home, &mut phone)
        .await
        .unwrap();
    assert!(
        !offered(&link_sign_in(&rules, &home, &pat.email).await),
        "saved here"
    );

    let off = Rules::new().await;
    let pat = off.patient().await;
    let browser = off.ask(&off.browser(), &pat.email).await;
    let token = off.token_sent_to(&pat.email).await;
    let signed_in = off
        .accounts
        .sign_in_with_link(&token, &browser, None)
        .await
        .unwrap();
    assert!(
        !offered(&signed_in),
        "passkeys off: PUBLIC_URL is an address"
    );
    let refused = off.accounts.start_passkey_sign_in(&browser).await;
    assert!(refused_as(refused, AccountError::PasskeysUnavailable));
}

/// A client may begin a hundred ceremonies in fifteen minutes: the next is refused in memory,
/// before anything is written.
#[tokio::test]
async fn beginning_ceremonies_is_limited_per_client() {
    let rules = rules().await;
    let browser = rules.browser();
    let most = PASSKEYS_PER_CLIENT.max;
    for _ in 0..most {
        rules
            .accounts
            .start_passkey_sign_in(&browser)
            .await
            .unwrap();
    }
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM passkey_ceremonies")
            .fetch_one(rules.portal.pool.read())
            .await
            .unwrap()
    };
    assert_eq!(count().await, most);
    let refused = rules.accounts.start_passkey_sign_in(&browser).await;
    assert!(matches!(refused, Err(AccountError::TooManyRequests { .. })));
    assert_eq!(count().await, most, "nothing written");
    // Expired ceremonies are swept.
    rules.clock.advance(Duration::minutes(5));
    rules.accounts.sweep().await.unwrap();
    assert_eq!(count().await, 0);
}

/// Adding a passkey needs a sign-in from the last twenty minutes (not a session left open), and
/// an account holds twenty at most.
#[tokio::test]
async fn adding_a_passkey_needs_a_recent_sign_in_and_has_a_ceiling() {
    let rules = rules().await;
    let pat = rules.patient().await;
    let (user, browser) = signed_in_by_link(&rules, &pat).await;
    rules.clock.advance(Duration::minutes(20));
    let stale = rules.accounts.start_adding_passkey(&user, &browser).await;
    assert!(refused_as(stale, AccountError::SignInAgain));
    assert!(rules
        .accounts
        .session(browser.session.as_deref().unwrap())
        .await
        .unwrap()
        .is_some());

    let (user, browser) = signed_in_by_link(&rules, &pat).await;
    for _ in 0..20 {
        let mut phone = TestAuthenticator::on(ORIGIN);
        save(&rules.accounts, &user, &browser, &mut phone)
            .await
            .unwrap();
    }
    let one_more = rules.accounts.start_adding_passkey(&user, &browser).await;
    assert!(refused_as(one_more, AccountError::TooManyPasskeys));
}

/// A passkey's name: trimmed to one line, 1 to 60 characters, nothing invisible.
#[test]
fn a_passkey_name_is_one_short_line() {
    assert_eq!(passkey_name("  Pixel\n 7  ").unwrap(), "Pixel 7");
    assert!(passkey_name("   ").is_err());
    assert!(passkey_name(&"x".repeat(61)).is_err());
    assert_eq!(passkey_name(&"é".repeat(60)).unwrap().chars().count(), 60);
    assert!(passkey_name("Pixel\u{7}").is_err());
    assert!(
        passkey_name("My \u{202e}enohp").is_err(),
        "turns the text around"
    );
    assert!(passkey_name("Pix\u{200b}el").is_err(), "hides a character");
}
