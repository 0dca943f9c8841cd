//! `/login/check-email`: the confirmation screen after asking for a Secure Login Link. It shows
//! the address as typed, so a typo is caught at once, and a button to the patient's mailbox
//! for the well-known providers. The address travels in a cookie, not the page's address, so
//! it stays out of the history and proxies' logs.
//!
//! For a few minutes it also shows this browser's approval number: a patient who opens the email
//! on their phone can choose "Log in on the computer that asked" and type that number there, and
//! this screen signs in by itself (`islands::WaitForApproval`).

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;

use super::{failed, login::AskForLoginLink, FormResult, Rich};

mod islands;
mod server;
use islands::{SendAgain, SendAgainWords, WaitForApproval, WaitWords};

use crate::{
    accounts::links::APPROVE_WITHIN_MINUTES,
    language::{Arg, Piece, Words},
    routes,
};
pub use server::*;

/// "Send again" unlocks after this long, matching the one-email-a-minute limit per address.
const COOLDOWN_SECONDS: u32 = 60;

#[component]
pub fn CheckEmailPage() -> impl IntoView {
    let t = Words::here();
    let asked = Resource::new(|| (), |_| load_check_email());
    view! {
        <Title text=t.get("check-title")/>
        <section class="card narrow check-email">
            <div class="envelope" aria-hidden="true">"✉"</div>
            <h1>{t.get("check-heading")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    asked.await.ok().map(|asked| view! { <Asked asked/> })
                })}
            </Suspense>
            <CodeForm/>
        </section>
    }
}

#[component]
fn Asked(asked: AskedFor) -> impl IntoView {
    let t = Words::here();
    let AskedFor {
        address,
        masked,
        repeated,
        next,
        mailbox,
        link_minutes,
        waiting,
        approval_number,
        on_a_computer,
    } = asked;
    let sent = match (&address, masked) {
        (Some(address), masked) => {
            let id = if masked {
                "check-sent-new"
            } else {
                "check-sent-if"
            };
            t.pieces(id, &[], &[("address", address.clone())])
        }
        (None, _) => vec![Piece::Plain(t.get("check-sent-typed"))],
    };
    let send_again = address.filter(|_| !masked).map(|email| {
        let words = SendAgainWords::new(&t);
        view! {
            // Without the script, "Send again" is a plain form that comes back here.
            <FormResult form=AskForLoginLink::url()/>
            <SendAgain email next lock_seconds=COOLDOWN_SECONDS words/>
            <p class="muted center">
                {t.get("check-wrong-address")} " " <a href=routes::LOGIN>{t.get("check-use-different")}</a>
            </p>
        }
    });
    let button = || [("button", t.get("link-button"))];
    view! {
        <p><Rich pieces=sent/></p>
        {repeated.then(|| view! { <p class="alert info">{t.get("check-once-a-minute")}</p> })}
        {mailbox.map(|(name, url)| view! {
            <a class="button block" href=url target="_blank" rel="noopener noreferrer">
                {t.with("check-open-mailbox", &[("mailbox", name.into())])}
            </a>
        })}
        // Shown even once the request is gone (the pending cookie with it).
        <FormResult form=CollectApproval::url()/>
        {waiting.then(|| view! { <ApproveFromPhone number=approval_number on_a_computer/> })}
        <ol class="steps">
            <li>{t.get("check-step-open")}</li>
            <li><Rich pieces=t.pieces("check-step-tap", &[], &button())/></li>
        </ol>
        <p class="muted">
            {t.with("check-link-works", &[("minutes", link_minutes.into())])} " "
            {t.get("check-spam")}
        </p>
        {send_again}
    }
}

/// Opening the email on a phone (or, on a phone, in the mail app): typing this number there
/// signs this screen in, for a few minutes after asking (`None` after that). The instructions
/// are the server's; the island only waits.
#[component]
fn ApproveFromPhone(number: Option<u8>, on_a_computer: bool) -> impl IntoView {
    let t = Words::here();
    let heading = t.get(if on_a_computer {
        "check-on-phone"
    } else {
        "check-in-another-app"
    });
    let minutes = || [("minutes", Arg::from(APPROVE_WITHIN_MINUTES))];
    let how = match number {
        Some(number) => {
            let choice = if on_a_computer {
                "link-on-the-computer"
            } else {
                "link-on-the-browser"
            };
            let id = if on_a_computer {
                "check-how-on-phone"
            } else {
                "check-how-in-email"
            };
            let strong = [
                ("button", t.get("link-button")),
                ("choice", t.get(choice)),
                ("number", number.to_string()),
            ];
            view! {
                <p><Rich pieces=t.pieces(id, &[], &strong)/></p>
                <p class="approval-number"><span class="label">{t.get("check-your-number")}</span>{number}</p>
                <p class="muted">{t.with("check-number-works", &minutes())}</p>
            }
            .into_any()
        }
        // Past the few minutes a phone may approve: an approval made in time is still collected.
        None => view! { <p>{t.with("check-too-late", &minutes())}</p> }.into_any(),
    };
    let otherwise = number.is_none().then(|| t.get("check-otherwise"));
    let words = WaitWords::new(&t);
    view! {
        <section class="approve-from-phone" aria-labelledby="from-phone">
            <h2 id="from-phone">{heading}</h2>
            <WaitForApproval words>
                {how}
            </WaitForApproval>
            {otherwise.map(|otherwise| view! { <p>{otherwise}</p> })}
        </section>
    }
}

/// "Have a code? Enter it here": for a link that opens on another device than this one.
#[component]
fn CodeForm() -> impl IntoView {
    let t = Words::here();
    let form = SignInWithCode::url();
    view! {
        <section class="code-entry">
            <h2>{t.get("check-code-heading")}</h2>
            <p class="muted">{t.get("check-code-lead")}</p>
            <FormResult form/>
            <form method="post" action=form>
                <input type="hidden" name="time_zone" value=""/>
                <div class="field">
                    <label for="code">{t.get("check-code-label")}</label>
                    <input id="code" name="code" class="code" type="text" inputmode="numeric"
                        autocomplete="one-time-code" maxlength="20" placeholder=t.get("check-code-placeholder") required
                        autofocus=failed(form)/>
                </div>
                <button type="submit" class="block" data-busy=t.get("login-logging-in")>{t.get("check-code-submit")}</button>
            </form>
        </section>
    }
}
