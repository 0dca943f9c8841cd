//! `/login`: the Secure Login Link first, as the help article describes, and the password form
//! for those who want it.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{failed, passkeys::PasskeySignIn, FormResult};
use crate::flash::Flash;
use crate::{error::AppError, language::Words, routes};

#[server(endpoint = "sign_in_with_password")]
pub async fn sign_in_with_password(
    email: String,
    password: String,
    next: Option<String>,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    crate::auth::sign_in::sign_in_with_password(email, password, next, time_zone).await
}

#[server(endpoint = "ask_for_login_link")]
pub async fn ask_for_login_link(email: String, next: Option<String>) -> Result<(), AppError> {
    crate::auth::login_links::ask_for_link(email, next).await
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = query.read_untracked().get("next").unwrap_or_default();
    // Sent here because the session ended (`landing::signed_out_url`).
    let ended = query.read_untracked().get("ended").is_some();
    let (ask, sign_in) = (AskForLoginLink::url(), SignInWithPassword::url());
    let typed = Flash::email_for(ask).or_else(|| Flash::email_for(sign_in));
    let password_failed = failed(sign_in);
    let t = Words::here();
    let (email_label, sending, logging_in) = (
        t.get("login-email"),
        t.get("login-sending"),
        t.get("login-logging-in"),
    );
    view! {
        <Title text=t.get("login-title")/>
        <section class="card narrow">
            <h1>{t.get("login-heading")}</h1>
            {ended.then(|| view! { <p class="alert info">{t.get("login-session-ended")}</p> })}
            <p class="muted">{t.get("login-lead")}</p>
            <FormResult form=ask/>
            <form method="post" action=ask>
                <input type="hidden" name="next" value=next.clone()/>
                <div class="field">
                    <label for="email">{email_label.clone()}</label>
                    <input id="email" type="email" name="email" autocomplete="email" inputmode="email"
                        required value=typed.clone() autofocus=failed(ask)/>
                </div>
                <button type="submit" class="block" data-busy=sending>
                    <span class="on-desktop">{t.get("login-send-link")}</span>
                    <span class="on-phone">{t.get("login-send-link-phone")}</span>
                </button>
            </form>
            <PasskeySignIn next=next.clone()/>
            <details class="password-login" open=password_failed>
                <summary>{t.get("login-with-password")}</summary>
                <FormResult form=sign_in/>
                <form method="post" action=sign_in>
                    <input type="hidden" name="next" value=next/>
                    <input type="hidden" name="time_zone" value=""/>
                    <div class="field">
                        <label for="password-email">{email_label}</label>
                        <input id="password-email" type="email" name="email" autocomplete="username"
                            required value=typed autofocus=password_failed/>
                    </div>
                    <div class="field">
                        <label for="password">{t.get("login-password")}</label>
                        <input id="password" type="password" name="password" autocomplete="current-password" required/>
                    </div>
                    <button type="submit" class="block secondary" data-busy=logging_in>{t.get("login-log-in")}</button>
                </form>
                <p class="muted center"><a href=routes::PASSWORD_RESET>{t.get("login-forgot-password")}</a></p>
            </details>
        </section>
    }
}
