//! `/login`: the Secure Login Link first, as the help article describes, and the password form
//! for those who want it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::ActionError;
use crate::error::AppError;

#[server(endpoint = "sign_in_with_password")]
pub async fn sign_in_with_password(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    crate::auth::sign_in::sign_in_with_password(email, password, next).await
}

#[server(endpoint = "ask_for_login_link")]
pub async fn ask_for_login_link(email: String, next: Option<String>) -> Result<(), AppError> {
    crate::auth::login_links::ask_for_link(email, next).await
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let ask = ServerAction::<AskForLoginLink>::new();
    let sign_in = ServerAction::<SignInWithPassword>::new();
    let next = move || use_query_map().read().get("next").unwrap_or_default();
    view! {
        <Title text="Log in"/>
        <section class="card narrow">
            <h1>"Log in to Carelink"</h1>
            <p class="muted">"Enter your email and we will send you a Secure Login Link: no password needed."</p>
            <ActionError result=ask.value().into()/>
            <ActionForm action=ask>
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="email">"Email address"</label>
                    <input id="email" type="email" name="email" autocomplete="email" inputmode="email" required/>
                </div>
                <button type="submit" class="block" disabled=move || ask.pending().get()>
                    <span class="on-desktop">"Send Secure Login Link"</span>
                    <span class="on-phone">"Sign in without password"</span>
                </button>
            </ActionForm>
            <details class="password-login">
                <summary>"Log in with your password instead"</summary>
                <ActionError result=sign_in.value().into()/>
                <ActionForm action=sign_in>
                    <input type="hidden" name="next" value=next/>
                    <div class="field">
                        <label for="password-email">"Email address"</label>
                        <input id="password-email" type="email" name="email" autocomplete="username" required/>
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" type="password" name="password" autocomplete="current-password" required/>
                    </div>
                    <button type="submit" class="block secondary" disabled=move || sign_in.pending().get()>"Log in"</button>
                </ActionForm>
                <p class="muted center"><a href="/password/reset">"Forgot password?"</a></p>
            </details>
        </section>
    }
}
