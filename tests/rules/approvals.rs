//! "Log in on the computer that asked": the phone types the number the asking screen shows
//! (docs/security.md), on `Accounts` directly.

use std::time::Duration as Wait;

use carelink::accounts::{
    landing::HOME, login_links::approval_number::ApprovalNumber, AccountError, Browser,
};
use time::Duration;

use crate::harness::{refused_as, Rules};

/// The number `asker`'s screen shows, and another two-digit number.
fn right_and_wrong(rules: &Rules, asker: &Browser) -> (ApprovalNumber, ApprovalNumber) {
    let right = rules
        .accounts
        .approval_number(asker)
        .expect("a number shown");
    let other = if right.get() == 10 { 11 } else { 10 };
    (right, ApprovalNumber::parse(&other.to_string()).unwrap())
}

/// The right number approves; the screen that asked, and only it, collects the session, once.
#[tokio::test]
async fn the_right_number_signs_in_the_screen_that_asked_once() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let asker = rules.ask(&rules.browser(), &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    let (right, _) = right_and_wrong(&rules, &asker);
    rules
        .accounts
        .approve_sign_in(&token, right, &rules.browser())
        .await
        .unwrap();

    // A screen waiting for another patient's link collects nothing of this one.
    let sam = rules.sam().await;
    let someone_else = rules.ask(&rules.browser(), &sam.email).await;
    let theirs = rules
        .accounts
        .collect_approval(&someone_else, None, Wait::ZERO)
        .await;
    assert!(
        matches!(theirs, Ok(None)),
        "still waiting for their own: {theirs:?}"
    );
    let collected = rules
        .accounts
        .collect_approval(&asker, None, Wait::ZERO)
        .await
        .unwrap()
        .expect("approved");
    assert_eq!(collected.landing, HOME);
    let again = rules
        .accounts
        .collect_approval(&asker, None, Wait::ZERO)
        .await;
    assert!(refused_as(again, AccountError::NothingWaiting));
}

/// A wrong number voids the link at once, and turns approving off for the patient for a day.
#[tokio::test]
async fn a_wrong_number_voids_the_link_and_turns_approving_off_for_a_day() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let asker = rules.ask(&rules.browser(), &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    let (_, wrong) = right_and_wrong(&rules, &asker);
    let phone = rules.browser();
    let tapped = rules.accounts.approve_sign_in(&token, wrong, &phone).await;
    assert!(refused_as(tapped, AccountError::WrongApprovalNumber));
    let link = rules.accounts.sign_in_with_link(&token, &phone, None).await;
    assert!(
        refused_as(link, AccountError::LinkSpent),
        "the link is void"
    );

    // A new link, a minute later: approving stays off until the day has passed.
    rules.clock.advance(Duration::minutes(1));
    let asker = rules.ask(&asker, &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    let (right, _) = right_and_wrong(&rules, &asker);
    let off = rules.accounts.approve_sign_in(&token, right, &phone).await;
    assert!(refused_as(off, AccountError::ApprovalUnavailable));
    assert!(
        rules
            .accounts
            .sign_in_with_link(&token, &phone, None)
            .await
            .is_ok(),
        "the link itself still works on the phone"
    );

    // A day after the wrong number, approving is back.
    rules.clock.advance(Duration::days(1));
    let asker = rules.ask(&asker, &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    let (right, _) = right_and_wrong(&rules, &asker);
    let back = rules.accounts.approve_sign_in(&token, right, &phone).await;
    assert!(back.is_ok(), "{back:?}");
}

/// A phone may approve only while one browser alone waits for the patient: with two, it could
/// not tell the patient's own from someone else's.
#[tokio::test]
async fn two_browsers_waiting_for_one_patient_turn_approving_off() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    rules.ask(&rules.browser(), &pat.email).await;
    rules.clock.advance(Duration::minutes(1));
    let second = rules.ask(&rules.browser(), &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    // Even the number of the screen whose link this is.
    let (right, _) = right_and_wrong(&rules, &second);
    let tapped = rules
        .accounts
        .approve_sign_in(&token, right, &rules.browser())
        .await;
    assert!(refused_as(tapped, AccountError::ApprovalUnavailable));
}

/// Approving works only within five minutes of the asking, and the asking screen stops showing
/// its number then.
#[tokio::test]
async fn approving_works_only_within_five_minutes_of_the_asking() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let asker = rules.ask(&rules.browser(), &pat.email).await;
    let token = rules.token_sent_to(&pat.email).await;
    let (right, _) = right_and_wrong(&rules, &asker);
    rules.clock.advance(Duration::minutes(5));
    assert_eq!(rules.accounts.approval_number(&asker), None);
    let late = rules
        .accounts
        .approve_sign_in(&token, right, &rules.browser())
        .await;
    assert!(refused_as(late, AccountError::ApprovalUnavailable));

    // Another patient's, a millisecond short of the five minutes.
    let sam = rules.sam().await;
    let asker = rules.ask(&rules.browser(), &sam.email).await;
    let token = rules.token_sent_to(&sam.email).await;
    let (right, _) = right_and_wrong(&rules, &asker);
    rules
        .clock
        .advance(Duration::minutes(5) - Duration::milliseconds(1));
    let in_time = rules
        .accounts
        .approve_sign_in(&token, right, &rules.browser())
        .await;
    assert!(in_time.is_ok(), "{in_time:?}");
}
