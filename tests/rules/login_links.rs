//! The help article's rules for Secure Login Links, each on `Accounts` directly.

use carelink::{
    accounts::{landing::HOME, AccountError},
    email_address::EmailAddress,
};
use time::Duration;

use crate::{
    harness::{refused_as, Rules},
    support::TestPatient,
};

/// Only an account that has created a password gets a login link: an invited patient is sent a
/// link to create one, an unknown address nothing (`Accounts::ask_for_login_link`, over
/// `users::User::signs_in_by_link`).
#[tokio::test]
async fn only_accounts_with_a_password_get_a_login_link() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let invited = rules.add(TestPatient::invited()).await;
    let browser = rules.browser();
    for email in [pat.email.as_str(), &invited.email, "nobody@example.org"] {
        rules.ask(&browser, email).await;
    }
    let to_pat = rules.last_email_to(&pat.email).await.unwrap();
    assert!(to_pat.contains("/login/link/"), "{to_pat}");
    let to_invited = rules.last_email_to(&invited.email).await.unwrap();
    assert!(
        !to_invited.contains("/login/link/") && to_invited.contains("/password/new"),
        "{to_invited}"
    );
    assert_eq!(rules.last_email_to("nobody@example.org").await, None);
}

/// A link signs in once, and lands on the appointments page (`sign_in_with_link`).
#[tokio::test]
async fn a_link_signs_in_once_and_lands_on_the_appointments() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let browser = rules.ask(&rules.browser(), &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    let signed_in = rules
        .accounts
        .sign_in_with_link(&token, &browser, None)
        .await
        .unwrap();
    assert_eq!(signed_in.landing, HOME);
    assert!(signed_in.cookies.is_some());
    let again = rules
        .accounts
        .sign_in_with_link(&token, &rules.browser(), None)
        .await;
    assert!(refused_as(again, AccountError::LinkSpent));
}

/// The exception: a used link opened in a browser already signed in as its patient (another
/// tab) lands there, changing nothing; signed in as someone else, it is spent.
#[tokio::test]
async fn a_used_link_lands_a_browser_already_signed_in_as_its_patient() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let sam = rules.sam().await;
    let browser = rules.ask(&rules.browser(), &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    let first = rules
        .accounts
        .sign_in_with_link(&token, &browser, None)
        .await;
    let session = rules.session_of(&first.unwrap()).await;

    let other_tab = rules
        .accounts
        .sign_in_with_link(&token, &browser, Some(&session))
        .await
        .unwrap();
    assert!(other_tab.cookies.is_none(), "nothing changes");
    assert_eq!(other_tab.landing, HOME);

    let sams_browser = rules.ask(&rules.browser(), &sam.email).await;
    let sams_token = rules.token_sent_to(&sam.email).await;
    let sams = rules
        .accounts
        .sign_in_with_link(&sams_token, &sams_browser, None)
        .await;
    let sams_session = rules.session_of(&sams.unwrap()).await;
    let as_sam = rules
        .accounts
        .sign_in_with_link(&token, &sams_browser, Some(&sams_session))
        .await;
    assert!(refused_as(as_sam, AccountError::LinkSpent));
}

/// A link expires after the configured lifetime, at most 60 minutes: it works until its last
/// millisecond, and not at the minute (`tokens::USABLE`). Two patients' links, asked for at
/// the same moment, so that using one changes nothing for the other.
#[tokio::test]
async fn a_link_expires_after_sixty_minutes_to_the_millisecond() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let sam = rules.sam().await;
    let pats_browser = rules.ask(&rules.browser(), &pat.email).await;
    let sams_browser = rules.ask(&rules.browser(), &sam.email).await;
    let (pats, sams) = (
        rules.token_sent_to(&pat.email).await,
        rules.token_sent_to(&sam.email).await,
    );

    rules
        .clock
        .advance(Duration::minutes(60) - Duration::milliseconds(1));
    let last_moment = rules
        .accounts
        .sign_in_with_link(&pats, &pats_browser, None)
        .await;
    assert!(last_moment.is_ok(), "a millisecond short of sixty minutes");
    rules.clock.advance(Duration::milliseconds(1));
    let expired = rules
        .accounts
        .sign_in_with_link(&sams, &sams_browser, None)
        .await;
    assert!(
        refused_as(expired, AccountError::LinkSpent),
        "sixty minutes old"
    );
}

/// A patient's address is sent one email a minute and five an hour, whoever asks: a second
/// within the minute, or a sixth within the hour, is answered alike and sends nothing
/// (`limits::PER_EMAIL`).
#[tokio::test]
async fn one_email_a_minute_and_five_an_hour_per_address() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let emails = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
            .bind(&pat.email)
            .fetch_one(rules.portal.pool.read())
            .await
            .unwrap()
    };
    rules.ask(&rules.browser(), &pat.email).await;
    rules.clock.advance(Duration::seconds(59));
    rules.ask(&rules.browser(), &pat.email).await;
    assert_eq!(emails().await, 1, "a second within the minute");
    // Five ten minutes apart (the first at 0:00), then a sixth at 0:50: inside the hour.
    rules.clock.advance(Duration::seconds(10 * 60 - 59));
    for _ in 0..4 {
        rules.ask(&rules.browser(), &pat.email).await;
        rules.clock.advance(Duration::minutes(10));
    }
    assert_eq!(emails().await, 5);
    rules.ask(&rules.browser(), &pat.email).await;
    assert_eq!(emails().await, 5, "a sixth within the hour");
    // At 1:00 and a second the first has left the hour.
    rules
        .clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    rules.ask(&rules.browser(), &pat.email).await;
    assert_eq!(emails().await, 6, "once the first is an hour old");
}

/// The limit holds when asks for one address race, from two instances on one database: each
/// count is made after the one before it, so only one of thirty-two at once finds room.
#[tokio::test]
async fn asks_at_the_same_moment_from_two_instances_send_one_email() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let other = rules.another_instance().await;
    let email = EmailAddress::parse(&pat.email).unwrap();
    let asks = (0..32).map(|i| {
        let accounts = if i % 2 == 0 { &rules.accounts } else { &other };
        let (email, browser) = (email.clone(), rules.browser());
        async move { accounts.ask_for_login_link(email, None, &browser).await }
    });
    for asked in futures_util::future::join_all(asks).await {
        asked.expect("every ask is answered alike");
    }
    rules.accounts.background().idle().await;
    other.background().idle().await;
    let emails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind(&pat.email)
        .fetch_one(rules.portal.pool.read())
        .await
        .unwrap();
    assert_eq!(emails, 1);
}
