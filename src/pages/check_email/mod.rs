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

use super::{failed, login::AskForLoginLink, FormResult};

mod islands;
mod server;
use islands::{SendAgain, WaitForApproval};

use crate::routes;
pub use server::*;

/// "Send again" unlocks after this long, matching the one-email-a-minute limit per address.
const COOLDOWN_SECONDS: u32 = 60;

#[component]
pub fn CheckEmailPage() -> impl IntoView {
    let asked = Resource::new(|| (), |_| load_check_email());
    view! {
        <Title text="Check your email"/>
        <section class="card narrow check-email">
            <div class="envelope" aria-hidden="true">"✉"</div>
            <h1>"Check your email"</h1>
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
    let AskedFor {
        address,
        masked,
        next,
        mailbox,
        link_minutes,
        waiting,
        approval_number,
        on_a_computer,
    } = asked;
    let sent = match (&address, masked) {
        (Some(address), true) => view! {
            <p>"We have sent a new Secure Login Link to " <strong class="typed-email">{address.clone()}</strong> "."</p>
        }.into_any(),
        (Some(address), false) => view! {
            <p>"If " <strong class="typed-email">{address.clone()}</strong> " belongs to a Carelink account, we have sent it a Secure Login Link."</p>
        }.into_any(),
        (None, _) => view! { <p>"We have sent a Secure Login Link to the address you typed."</p> }.into_any(),
    };
    let send_again = address.filter(|_| !masked).map(|email| view! {
        // Without the script, "Send again" is a plain form that comes back here.
        <FormResult form=AskForLoginLink::url()/>
        <SendAgain email next lock_seconds=COOLDOWN_SECONDS/>
        <p class="muted center">"Wrong address? " <a href=routes::LOGIN>"Use a different email"</a></p>
    });
    view! {
        {sent}
        {mailbox.map(|(name, url)| view! {
            <a class="button block" href=url target="_blank" rel="noopener noreferrer">{format!("Open {name}")}</a>
        })}
        // Shown even once the request is gone (the pending cookie with it).
        <FormResult form=CollectApproval::url()/>
        {waiting.then(|| view! { <ApproveFromPhone number=approval_number on_a_computer/> })}
        <ol class="steps">
            <li>"Open the email from Carelink in your mail app."</li>
            <li>"Tap the " <strong>"Log In"</strong> " button. You will land on your appointments."</li>
        </ol>
        <p class="muted">
            {format!("The link works once, for {link_minutes} minutes. ")}
            "Nothing after a few minutes? Check your spam folder."
        </p>
        {send_again}
    }
}

/// Opening the email on a phone (or, on a phone, in the mail app): typing this number there
/// signs this screen in, for a few minutes after asking (`None` after that).
#[component]
fn ApproveFromPhone(number: Option<u8>, on_a_computer: bool) -> impl IntoView {
    let heading = if on_a_computer {
        "Opening the email on your phone?"
    } else {
        "Opening the email in another app?"
    };
    view! {
        <section class="approve-from-phone" aria-labelledby="from-phone">
            <h2 id="from-phone">{heading}</h2>
            <WaitForApproval number on_a_computer/>
        </section>
    }
}

/// "Have a code? Enter it here": for a link that opens on another device than this one.
#[component]
fn CodeForm() -> impl IntoView {
    let form = SignInWithCode::url();
    view! {
        <section class="code-entry">
            <h2>"Have a code? Enter it here"</h2>
            <p class="muted">"Or type the 8-digit code from the email here, if you opened it on another device."</p>
            <FormResult form/>
            <form method="post" action=form>
                <input type="hidden" name="time_zone" value=""/>
                <div class="field">
                    <label for="code">"Sign-in code"</label>
                    <input id="code" name="code" class="code" type="text" inputmode="numeric"
                        autocomplete="one-time-code" maxlength="20" placeholder="8 digits" required
                        autofocus=failed(form)/>
                </div>
                <button type="submit" class="block" data-busy="Logging in…">"Log In with code"</button>
            </form>
        </section>
    }
}
