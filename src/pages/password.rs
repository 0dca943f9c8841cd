//! Creating a password: asking for a set-password link (`/password/reset`) and using it
//! (`/password/new?token=...`).

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{failed, FormResult, NewPasswordFields};
use crate::{
    accounts::{links::PASSWORD_LINK_MINUTES, passwords::rules::MIN_LENGTH},
    error::AppError,
    flash::Flash,
    routes,
};

#[server(endpoint = "ask_for_password_link")]
pub async fn ask_for_password_link(email: String) -> Result<(), AppError> {
    crate::auth::passwords::ask_for_password_link(email).await
}

#[server(endpoint = "password_link_works")]
pub async fn password_link_works(token: String) -> Result<bool, AppError> {
    crate::auth::passwords::password_link_works(token).await
}

#[server(endpoint = "set_password")]
pub async fn set_password(
    token: String,
    new_password: String,
    confirm_password: String,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    crate::auth::passwords::set_password(token, new_password, confirm_password, time_zone).await
}

#[component]
pub fn PasswordResetPage() -> impl IntoView {
    let form = AskForPasswordLink::url();
    let sent = Flash::notice_for(form).is_some();
    view! {
        <Title text="Create or reset your password"/>
        <section class="card narrow">
            {if sent {
                view! {
                    <h1>"Check your email"</h1>
                    <p role="status">{format!("If an account uses that address, we have sent it a link to choose a password. The link works once, for {PASSWORD_LINK_MINUTES} minutes.")}</p>
                }.into_any()
            } else {
                view! {
                    <h1>"Create or reset your password"</h1>
                    <p>"Enter the email address of your account and we will email you a link to choose a password."</p>
                    <FormResult form/>
                    <form method="post" action=form>
                        <div class="field">
                            <label for="email">"Email address"</label>
                            <input id="email" type="email" name="email" autocomplete="email" required
                                value=Flash::email_for(form) autofocus=failed(form)/>
                        </div>
                        <button type="submit" class="block" data-busy="Sending…">"Email me a link"</button>
                    </form>
                }.into_any()
            }}
            <p class="muted center"><a href=routes::LOGIN>"Back to log in"</a></p>
        </section>
    }
}

#[component]
pub fn NewPasswordPage() -> impl IntoView {
    let token = use_query_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let valid = Resource::new(|| (), {
        let token = token.clone();
        move |_| password_link_works(token.clone())
    });
    let form = SetPassword::url();
    view! {
        <Title text="Choose a password"/>
        <section class="card narrow">
            <Suspense fallback=|| ()>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match valid.await {
                            Ok(true) => view! {
                                <h1>"Choose a password"</h1>
                                <p class="muted">{format!("At least {MIN_LENGTH} characters. A few unrelated words make a strong password that is easy to remember.")}</p>
                                <FormResult form/>
                                <form method="post" action=form>
                                    <input type="hidden" name="token" value=token/>
                                    <input type="hidden" name="time_zone" value=""/>
                                    <NewPasswordFields autofocus=failed(form)/>
                                    <button type="submit" class="block" data-busy="Saving…">"Save password and sign in"</button>
                                </form>
                            }.into_any(),
                            Ok(false) => view! {
                                <h1>"This link no longer works"</h1>
                                <FormResult form/>
                                <p>"It has expired or was already used. You can ask for a new one."</p>
                                <a class="button block" href=routes::PASSWORD_RESET>"Email me a new link"</a>
                            }.into_any(),
                            Err(error) => view! {
                                <h1>"Choose a password"</h1>
                                <p class="alert error" role="alert">{error.to_string()}</p>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}
