//! The code in each login email, typed in the browser that asked: docs/security.md's rules for
//! it, on `Accounts` directly.

use carelink::{
    accounts::{landing::HOME, login_links::code::SignInCode, AccountError, Browser, EventKind},
    email_address::EmailAddress,
};
use time::Duration;

use crate::harness::{refused_as, Rules};

/// The code in the newest email to `email`: "1234 5678" on a line of its own.
async fn code_sent_to(rules: &Rules, email: &str) -> SignInCode {
    let text = rules.last_email_to(email).await.expect("an email");
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| line.len() == 9 && line.as_bytes()[4] == b' ')
        .expect("a code");
    SignInCode::parse(line).unwrap()
}

/// A code that is not `code`.
fn wrong(code: &SignInCode) -> SignInCode {
    let digits = code.to_string().replace(' ', "");
    let flipped = if digits.ends_with('0') { "1" } else { "0" };
    SignInCode::parse(&format!("{}{flipped}", &digits[..7])).unwrap()
}

/// The right code signs in the browser that asked, once; in any other browser it is refused
/// as any wrong code is.
#[tokio::test]
async fn a_code_signs_in_only_the_browser_that_asked_and_once() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let asker = rules.ask(&rules.browser(), &pat.email).await;
    let code = code_sent_to(&rules, &pat.email).await;
    // A browser with a request of its own, for another patient.
    let sam = rules.sam().await;
    let elsewhere = rules.ask(&rules.browser(), &sam.email).await;
    let typed_there = rules
        .accounts
        .sign_in_with_code(&code, &elsewhere, None)
        .await;
    assert!(refused_as(typed_there, AccountError::CodeRefused));
    let signed_in = rules
        .accounts
        .sign_in_with_code(&code, &asker, None)
        .await
        .unwrap();
    assert_eq!(signed_in.landing, HOME);
    let again = rules.accounts.sign_in_with_code(&code, &asker, None).await;
    assert!(refused_as(again, AccountError::CodeRefused));
}

/// Four wrong codes leave a request working; the fifth voids it: the right one is refused after
/// them, and its link too.
#[tokio::test]
async fn five_wrong_codes_void_the_request() {
    let rules = Rules::new().await;
    let sam = rules.sam().await;
    let asker = rules.ask(&rules.browser(), &sam.email).await;
    let code = code_sent_to(&rules, &sam.email).await;
    for _ in 0..4 {
        let tried = rules
            .accounts
            .sign_in_with_code(&wrong(&code), &asker, None)
            .await;
        assert!(refused_as(tried, AccountError::CodeRefused));
    }
    let right = rules.accounts.sign_in_with_code(&code, &asker, None).await;
    assert!(right.is_ok(), "after four: {right:?}");

    let pat = rules.patient().await;
    let asker = rules.ask(&rules.browser(), &pat.email).await;
    let code = code_sent_to(&rules, &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    for _ in 0..5 {
        let tried = rules
            .accounts
            .sign_in_with_code(&wrong(&code), &asker, None)
            .await;
        assert!(refused_as(tried, AccountError::CodeRefused));
    }
    let right = rules.accounts.sign_in_with_code(&code, &asker, None).await;
    assert!(
        refused_as(right, AccountError::CodeRefused),
        "void after five"
    );
    let link = rules.accounts.sign_in_with_link(&token, &asker, None).await;
    assert!(
        refused_as(link, AccountError::LinkSpent),
        "the link with it"
    );
}

/// Twenty wrong codes a day, over all of a patient's requests, and no fewer: nineteen leave a
/// right code working; after the twentieth, a new request's right code is refused without
/// being compared, while its link still signs in; a day after the first, codes work again.
#[tokio::test]
async fn twenty_wrong_codes_a_day_stop_a_patients_codes() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let wrong_codes = |asker: Browser, code: SignInCode, count: usize| {
        let rules = &rules;
        async move {
            for _ in 0..count {
                let tried = rules
                    .accounts
                    .sign_in_with_code(&wrong(&code), &asker, None)
                    .await;
                assert!(refused_as(tried, AccountError::CodeRefused));
            }
            asker
        }
    };
    // Fifteen over more than an hour, so an hourly window would have forgotten the first.
    for _ in 0..3 {
        let asker = rules.ask(&rules.browser(), &pat.email).await;
        let code = code_sent_to(&rules, &pat.email).await;
        wrong_codes(asker, code, 5).await;
        rules.clock.advance(Duration::minutes(25));
    }
    let asker = rules.ask(&rules.browser(), &pat.email).await;
    let code = code_sent_to(&rules, &pat.email).await;
    let asker = wrong_codes(asker, code.clone(), 4).await;
    let right = rules.accounts.sign_in_with_code(&code, &asker, None).await;
    assert!(right.is_ok(), "after nineteen: {right:?}");
    rules.clock.advance(Duration::minutes(1));
    let asker = rules.ask(&rules.browser(), &pat.email).await;
    let code = code_sent_to(&rules, &pat.email).await;
    wrong_codes(asker, code, 1).await;

    rules.clock.advance(Duration::minutes(1));
    let asker = rules.ask(&rules.browser(), &pat.email).await;
    let code = code_sent_to(&rules, &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    let right = rules.accounts.sign_in_with_code(&code, &asker, None).await;
    assert!(
        refused_as(right, AccountError::CodeRefused),
        "the day's are spent"
    );
    let link = rules
        .accounts
        .sign_in_with_link(&token, &rules.browser(), None)
        .await;
    assert!(link.is_ok(), "the link still works: {link:?}");

    rules.clock.advance(Duration::hours(24));
    let asker = rules.ask(&rules.browser(), &pat.email).await;
    let code = code_sent_to(&rules, &pat.email).await;
    let right = rules.accounts.sign_in_with_code(&code, &asker, None).await;
    assert!(right.is_ok(), "a day later: {right:?}");
}

/// One browser holds requests for one patient: asking for another ends its requests for the
/// first, link and all, and a wrong code typed there is recorded against the second alone.
#[tokio::test]
async fn asking_for_another_patient_ends_the_requests_for_the_first() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let sam = rules.sam().await;
    let browser = rules.ask(&rules.browser(), &pat.email).await;
    let pats_link = rules.token_sent_to(&pat.email).await;
    rules.clock.advance(Duration::seconds(2));
    let browser = rules.ask(&browser, &sam.email).await;

    let link = rules
        .accounts
        .sign_in_with_link(&pats_link, &rules.browser(), None)
        .await;
    assert!(refused_as(link, AccountError::LinkSpent), "ended with it");
    let sams_code = code_sent_to(&rules, &sam.email).await;
    let tried = rules
        .accounts
        .sign_in_with_code(&wrong(&sams_code), &browser, None)
        .await;
    assert!(refused_as(tried, AccountError::CodeRefused));
    let wrong_codes_of = |email: &str| {
        let email = EmailAddress::parse(email).unwrap();
        let rules = &rules;
        async move {
            let user = rules.accounts.patient(&email).await.unwrap().unwrap();
            let activity = rules.accounts.recent_activity(&user).await.unwrap();
            activity
                .iter()
                .filter(|event| event.kind == EventKind::WrongSignInCode)
                .count()
        }
    };
    assert_eq!(wrong_codes_of(&sam.email).await, 1);
    assert_eq!(
        wrong_codes_of(&pat.email).await,
        0,
        "nothing against the first"
    );
    let signed_in = rules
        .accounts
        .sign_in_with_code(&sams_code, &browser, None)
        .await
        .unwrap();
    assert_eq!(rules.session_of(&signed_in).await.user.id, sam.id);
}
