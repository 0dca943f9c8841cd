//! Sessions: how long one lasts, and "Sign out everywhere", on `Accounts` directly.

use carelink::{
    accounts::{AccountError, SignedIn},
    email_address::EmailAddress,
};
use time::Duration;

use crate::{
    harness::{refused_as, Rules},
    support::{TestPatient, PASSWORD},
};

async fn signed_in(rules: &Rules, pat: &TestPatient) -> SignedIn {
    let email = EmailAddress::parse(&pat.email).unwrap();
    rules
        .accounts
        .sign_in_with_password(&email, PASSWORD.into(), None, &rules.browser())
        .await
        .expect("the right password")
}

fn secret(signed_in: &SignedIn) -> &str {
    let cookies = signed_in.cookies.as_ref().unwrap();
    cookies.session.as_deref().unwrap()
}

/// A session ends after 30 idle minutes (each use keeps it alive) and after 12 hours in any
/// case (`Accounts::session`).
#[tokio::test]
async fn a_session_ends_after_30_idle_minutes_and_after_12_hours() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let idle = signed_in(&rules, &pat).await;
    rules.clock.advance(Duration::minutes(29));
    assert!(rules
        .accounts
        .session(secret(&idle))
        .await
        .unwrap()
        .is_some());
    rules
        .clock
        .advance(Duration::minutes(30) + Duration::seconds(1));
    let gone = rules.accounts.session(secret(&idle)).await.unwrap();
    assert!(gone.is_none(), "over 30 idle minutes");

    let busy = signed_in(&rules, &pat).await;
    // Used every 20 minutes up to 11:59, alive; at 12:00 and a second, gone.
    for _ in 0..35 {
        rules.clock.advance(Duration::minutes(20));
        let kept = rules.accounts.session(secret(&busy)).await.unwrap();
        assert!(kept.is_some(), "used every 20 minutes, within 12 hours");
    }
    rules.clock.advance(Duration::minutes(19));
    assert!(
        rules
            .accounts
            .session(secret(&busy))
            .await
            .unwrap()
            .is_some(),
        "at 11:59"
    );
    rules
        .clock
        .advance(Duration::minutes(1) + Duration::seconds(1));
    let gone = rules.accounts.session(secret(&busy)).await.unwrap();
    assert!(gone.is_none(), "at 12 hours, used or not");
}

/// "Sign out everywhere" ends every session of the patient and their unused links, and no one
/// else's.
#[tokio::test]
async fn signing_out_everywhere_ends_every_session_and_link() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let sam = rules.sam().await;
    let (here, there) = (signed_in(&rules, &pat).await, signed_in(&rules, &pat).await);
    let sams = signed_in(&rules, &sam).await;
    rules.ask(&rules.browser(), &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;

    let session = rules.session_of(&here).await;
    rules
        .accounts
        .sign_out_everywhere(&session.user, &rules.browser())
        .await
        .unwrap();
    for ended in [&here, &there] {
        let found = rules.accounts.session(secret(ended)).await.unwrap();
        assert!(found.is_none());
    }
    assert!(rules
        .accounts
        .session(secret(&sams))
        .await
        .unwrap()
        .is_some());
    let link = rules
        .accounts
        .sign_in_with_link(&token, &rules.browser(), None)
        .await;
    assert!(
        refused_as(link, AccountError::LinkSpent),
        "the unused link ended too"
    );
}

/// What the idle warning asks (WCAG 2.2.1): the time left is the idle limit less the time since
/// the last use, and asking does not count as a use; a use starts it again; the absolute end
/// caps it; an ended session has none.
#[tokio::test]
async fn the_time_left_counts_down_without_being_a_use() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let signed_in = signed_in(&rules, &pat).await;
    let left = || rules.accounts.session_time_left(secret(&signed_in));
    assert_eq!(left().await.unwrap(), Some(Duration::minutes(30)));

    rules.clock.advance(Duration::minutes(28));
    assert_eq!(left().await.unwrap(), Some(Duration::minutes(2)));
    // Asked again and again: still counting down, so the warning is honest.
    rules.clock.advance(Duration::seconds(30));
    assert_eq!(left().await.unwrap(), Some(Duration::seconds(90)));

    // "Stay signed in" is a use: the full 30 minutes again.
    let used = rules.accounts.session(secret(&signed_in)).await.unwrap();
    assert!(used.is_some());
    assert_eq!(left().await.unwrap(), Some(Duration::minutes(30)));

    rules.clock.advance(Duration::minutes(30));
    assert_eq!(left().await.unwrap(), None, "idle for the whole limit");
    assert!(rules
        .accounts
        .session(secret(&signed_in))
        .await
        .unwrap()
        .is_none());

    // Near the 12-hour end, that end is what is left, however recent the use.
    let busy = self::signed_in(&rules, &pat).await;
    for _ in 0..35 {
        rules.clock.advance(Duration::minutes(20));
        rules.accounts.session(secret(&busy)).await.unwrap();
    }
    let left = rules
        .accounts
        .session_time_left(secret(&busy))
        .await
        .unwrap();
    assert_eq!(
        left,
        Some(Duration::minutes(20)),
        "11:40 used, 12:00 the end"
    );
    assert_eq!(
        rules.accounts.session_time_left("made-up").await.unwrap(),
        None
    );
}
