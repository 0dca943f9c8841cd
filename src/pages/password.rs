//! Creating a password: asking for a set-password link (`/password/reset`) and using it
//! (`/password/new?token=...`).

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{failed, FormResult, NewPasswordFields};
use crate::{
    accounts::{links::PASSWORD_LINK_MINUTES, passwords::rules::MIN_LENGTH},
    error::{AppError, ErrorWords},
    flash::Flash,
    language::Words,
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
    let t = Words::here();
    let form = AskForPasswordLink::url();
    let sent = Flash::notice_for(form).is_some();
    view! {
        <Title text=t.get("password-reset-title")/>
        <section class="card narrow">
            {if sent {
                view! {
                    <h1>{t.get("password-reset-sent-heading")}</h1>
                    <p role="status">{t.with("password-reset-sent", &[("minutes", PASSWORD_LINK_MINUTES.into())])}</p>
                }.into_any()
            } else {
                view! {
                    <h1>{t.get("password-reset-heading")}</h1>
                    <p>{t.get("password-reset-lead")}</p>
                    <p class="muted">{t.get("password-reset-passkeys")}</p>
                    <FormResult form/>
                    <form method="post" action=form>
                        <div class="field">
                            <label for="email">{t.get("login-email")}</label>
                            <input id="email" type="email" name="email" autocomplete="email" required
                                value=Flash::email_for(form) autofocus=failed(form)/>
                        </div>
                        <button type="submit" class="block" data-busy=t.get("login-sending")>{t.get("password-reset-submit")}</button>
                    </form>
                }.into_any()
            }}
            <p class="muted center"><a href=routes::LOGIN>{t.get("password-back-to-login")}</a></p>
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
        <Title text=Words::here().get("password-new-title")/>
        <section class="card narrow">
            <Suspense fallback=|| ()>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        let t = Words::here();
                        match valid.await {
                            Ok(true) => view! {
                                <h1>{t.get("password-new-heading")}</h1>
                                <p class="muted">{t.with("password-new-lead", &[("min", MIN_LENGTH.into())])}</p>
                                <FormResult form/>
                                <form method="post" action=form>
                                    <input type="hidden" name="token" value=token/>
                                    <input type="hidden" name="time_zone" value=""/>
                                    <NewPasswordFields autofocus=failed(form)/>
                                    <button type="submit" class="block" data-busy=t.get("password-saving")>{t.get("password-new-submit")}</button>
                                </form>
                            }.into_any(),
                            Ok(false) => view! {
                                <h1>{t.get("password-spent-heading")}</h1>
                                <FormResult form/>
                                <p>{t.get("password-spent")}</p>
                                <a class="button block" href=routes::PASSWORD_RESET>{t.get("password-email-new")}</a>
                            }.into_any(),
                            Err(error) => view! {
                                <h1>{t.get("password-new-heading")}</h1>
                                <p class="alert error" role="alert">{ErrorWords::new(&t).tell(&error)}</p>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}
