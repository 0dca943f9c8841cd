//! Passwords: guessing is capped per account, and a chosen one must not be among the first
//! guesses (docs/security.md), on `Accounts` directly.

use carelink::{
    accounts::{landing::HOME, AccountError},
    email_address::EmailAddress,
};
use time::Duration;

use crate::{
    harness::{refused_as, Rules},
    support::PASSWORD,
};

/// Ten wrong passwords per account per fifteen minutes: the eleventh attempt is refused before
/// any hashing, even with the right password, whichever client sends it; a right one before
/// that gives its count back.
#[tokio::test]
async fn ten_wrong_passwords_an_account_then_a_wait() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let email = EmailAddress::parse(&pat.email).unwrap();
    let sign_in = |password: &str, n: u8| {
        let mut browser = rules.browser();
        browser.client.ip = Some(format!("198.51.100.{n}"));
        let password = password.to_owned();
        let email = email.clone();
        let accounts = rules.accounts.clone();
        async move {
            accounts
                .sign_in_with_password(&email, password, None, &browser)
                .await
        }
    };
    for n in 0..9 {
        let wrong = sign_in("not the password at all", n).await;
        assert!(refused_as(wrong, AccountError::IncorrectCredentials));
    }
    assert_eq!(sign_in(PASSWORD, 20).await.unwrap().landing, HOME);
    // Its count given back, one more wrong is the tenth.
    let tenth = sign_in("not the password at all", 9).await;
    assert!(refused_as(tenth, AccountError::IncorrectCredentials));
    let capped = sign_in(PASSWORD, 21).await;
    assert!(
        matches!(capped, Err(AccountError::TooManyAttempts { .. })),
        "{capped:?}"
    );
    rules.clock.advance(Duration::minutes(15));
    assert!(sign_in(PASSWORD, 22).await.is_ok(), "after the window");
}

/// Changing a password needs the current one, and a new one nobody would guess first.
#[tokio::test]
async fn a_new_password_must_not_be_among_the_first_guesses() {
    let rules = Rules::new().await;
    let pat = rules.patient().await;
    let email = EmailAddress::parse(&pat.email).unwrap();
    let browser = rules.browser();
    let signed_in = rules
        .accounts
        .sign_in_with_password(&email, PASSWORD.into(), None, &browser)
        .await
        .unwrap();
    let session = rules.session_of(&signed_in).await;
    for weak in [
        "password1234",
        "123456789012",
        "aaaaaaaaaaaa",
        "pat@example.org!",
    ] {
        let refused = rules
            .accounts
            .change_password(&session, PASSWORD.into(), weak.into(), &browser)
            .await;
        assert!(
            matches!(refused, Err(AccountError::Password(_))),
            "{weak}: {refused:?}"
        );
    }
    let wrong_current = rules
        .accounts
        .change_password(
            &session,
            "a guess".into(),
            "violet tractor harbour".into(),
            &browser,
        )
        .await;
    assert!(refused_as(
        wrong_current,
        AccountError::WrongCurrentPassword
    ));
    rules
        .accounts
        .change_password(
            &session,
            PASSWORD.into(),
            "violet tractor harbour".into(),
            &browser,
        )
        .await
        .unwrap();
}
