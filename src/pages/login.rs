//! `/login`: the Secure Login Link first, as the help article describes, and the password form
//! for those who want it.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{failed, FormResult};
use crate::flash::Flash;
use crate::{error::AppError, routes};

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
    let next = use_query_map()
        .read_untracked()
        .get("next")
        .unwrap_or_default();
    let (ask, sign_in) = (AskForLoginLink::url(), SignInWithPassword::url());
    let typed = Flash::email_for(ask).or_else(|| Flash::email_for(sign_in));
    let password_failed = failed(sign_in);
    view! {
        <Title text="Log in"/>
        <section class="card narrow">
            <h1>"Log in to Carelink"</h1>
            <p class="muted">"Enter your email and we will send you a Secure Login Link: no password needed."</p>
            <FormResult form=ask/>
            <form method="post" action=ask>
                <input type="hidden" name="next" value=next.clone()/>
                <div class="field">
                    <label for="email">"Email address"</label>
                    <input id="email" type="email" name="email" autocomplete="email" inputmode="email"
                        required value=typed.clone() autofocus=failed(ask)/>
                </div>
                <button type="submit" class="block" data-busy="Sending…">
                    <span class="on-desktop">"Send Secure Login Link"</span>
                    <span class="on-phone">"Sign in without password"</span>
                </button>
            </form>
            <details class="password-login" open=password_failed>
                <summary>"Log in with your password instead"</summary>
                <FormResult form=sign_in/>
                <form method="post" action=sign_in>
                    <input type="hidden" name="next" value=next/>
                    <input type="hidden" name="time_zone" value=""/>
                    <div class="field">
                        <label for="password-email">"Email address"</label>
                        <input id="password-email" type="email" name="email" autocomplete="username"
                            required value=typed autofocus=password_failed/>
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" type="password" name="password" autocomplete="current-password" required/>
                    </div>
                    <button type="submit" class="block secondary" data-busy="Logging in…">"Log in"</button>
                </form>
                <p class="muted center"><a href=routes::PASSWORD_RESET>"Forgot password?"</a></p>
            </details>
        </section>
    }
}
