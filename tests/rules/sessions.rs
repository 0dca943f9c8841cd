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
