//! `/login/check-email`: the confirmation screen after asking for a Secure Login Link.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::accounts::links::LOGIN_LINK_MINUTES;

use super::{land_after_sign_in, login::AskForLoginLink, ActionError};
use crate::error::AppError;

/// What the page says of a link's lifetime until it knows the configured one.
const LONGEST: i64 = *LOGIN_LINK_MINUTES.end();

/// "Send again" unlocks after this long, matching the one-email-a-minute limit per address.
const COOLDOWN_SECONDS: u32 = 60;

#[server(endpoint = "login_link_minutes")]
pub async fn login_link_minutes() -> Result<i64, AppError> {
    let state = crate::state::AppState::from_context()?;
    Ok(state.accounts.login_link_lifetime().whole_minutes())
}

#[server(endpoint = "sign_in_with_code")]
pub async fn sign_in_with_code(code: String) -> Result<String, AppError> {
    crate::auth::login_links::sign_in_with_code(code).await
}

#[component]
pub fn CheckEmailPage() -> impl IntoView {
    let query = use_query_map();
    let email = move || query.read().get("email").unwrap_or_default();
    let next = move || query.read().get("next").unwrap_or_default();
    // After "Email me a new link" only the masked address is known here, and the old link's
    // page is where to ask again.
    let sent_to = move || query.read().get("sent_to");
    let minutes = Resource::new(|| (), |_| login_link_minutes());
    let again = ServerAction::<AskForLoginLink>::new();
    let left = RwSignal::new(COOLDOWN_SECONDS);
    let locked = move || left.get() > 0 || again.pending().get();
    // Counts down in the browser only; the server renders the locked state. Each send restarts
    // it, stopping the previous interval first.
    Effect::new(move |previous: Option<Option<IntervalHandle>>| {
        if let Some(Some(interval)) = previous {
            interval.clear();
        }
        again.version().get();
        left.set(COOLDOWN_SECONDS);
        set_interval_with_handle(
            move || left.update(|s| *s = s.saturating_sub(1)),
            std::time::Duration::from_secs(1),
        )
        .ok()
    });
    view! {
        <Title text="Check your email"/>
        <section class="card narrow check-email">
            <div class="envelope" aria-hidden="true">"✉"</div>
            <h1>"Check your email"</h1>
            {move || match sent_to() {
                Some(masked) => view! {
                    <p>"We have sent a new Secure Login Link to " <strong class="typed-email">{masked}</strong> "."</p>
                }.into_any(),
                None => view! {
                    <p>"If " <strong class="typed-email">{email}</strong> " belongs to a Carelink account, we have sent it a Secure Login Link."</p>
                }.into_any(),
            }}
            <ol class="steps">
                <li>"Open the email from Carelink in your mail app."</li>
                <li>"Tap the " <strong>"Log In"</strong> " button. You will land on your appointments."</li>
            </ol>
            <p class="muted">
                "The link works once, for "
                <Suspense fallback=|| LONGEST>{move || Suspend::new(async move { minutes.await.unwrap_or(LONGEST) })}</Suspense>
                " minutes. Nothing after a few minutes? Check your spam folder."
            </p>
            <Show when=move || sent_to().is_none()>
                <ActionError result=again.value().into()/>
                <ActionForm action=again>
                    <input type="hidden" name="email" value=email/>
                    <input type="hidden" name="next" value=next/>
                    <button type="submit" class="block secondary" disabled=locked>
                        {move || match left.get() {
                            0 => "Send again".to_owned(),
                            s => format!("Send again in {s} s"),
                        }}
                    </button>
                </ActionForm>
            </Show>
            <CodeForm/>
            <p class="muted center"><a href="/login">"Use a different email"</a></p>
        </section>
    }
}

/// "Have a code? Enter it here": for a link that opens on another device than this one.
#[component]
fn CodeForm() -> impl IntoView {
    let enter = ServerAction::<SignInWithCode>::new();
    land_after_sign_in(enter.value().into());
    view! {
        <section class="code-entry">
            <h2>"Have a code? Enter it here"</h2>
            <p class="muted">"Opened the email on another device? Type the 8-digit code from it here."</p>
            <ActionError result=enter.value().into()/>
            <ActionForm action=enter>
                <div class="field">
                    <label for="code">"Sign-in code"</label>
                    <input id="code" name="code" class="code" type="text" inputmode="numeric"
                        autocomplete="one-time-code" maxlength="20" placeholder="8 digits" required/>
                </div>
                <button type="submit" class="block" disabled=move || enter.pending().get()>"Log In with code"</button>
            </ActionForm>
        </section>
    }
}
