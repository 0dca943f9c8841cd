//! Creating a password: asking for a set-password link (`/password/reset`) and using it
//! (`/password/new?token=...`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{ActionError, NewPasswordFields};
use crate::{accounts::links::PASSWORD_LINK_MINUTES, error::AppError};

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
) -> Result<(), AppError> {
    crate::auth::passwords::set_password(token, new_password, confirm_password).await
}

#[component]
pub fn PasswordResetPage() -> impl IntoView {
    let ask = ServerAction::<AskForPasswordLink>::new();
    let sent = move || matches!(ask.value().get(), Some(Ok(())));
    view! {
        <Title text="Create or reset your password"/>
        <section class="card narrow">
            <Show
                when=sent
                fallback=move || view! {
                    <h1>"Create or reset your password"</h1>
                    <p>"Enter the email address of your account and we will email you a link to choose a password."</p>
                    <ActionError result=ask.value().into()/>
                    <ActionForm action=ask>
                        <div class="field">
                            <label for="email">"Email address"</label>
                            <input id="email" type="email" name="email" autocomplete="email" required/>
                        </div>
                        <button type="submit" class="block" disabled=move || ask.pending().get()>"Email me a link"</button>
                    </ActionForm>
                    <p class="muted center"><a href="/login">"Back to log in"</a></p>
                }
            >
                <h1>"Check your email"</h1>
                <p>{format!("If an account uses that address, we have sent it a link to choose a password. The link works once, for {PASSWORD_LINK_MINUTES} minutes.")}</p>
                <p class="muted center"><a href="/login">"Back to log in"</a></p>
            </Show>
        </section>
    }
}

#[component]
pub fn NewPasswordPage() -> impl IntoView {
    let token = move || use_query_map().read().get("token").unwrap_or_default();
    let valid = Resource::new(token, password_link_works);
    let set = ServerAction::<SetPassword>::new();
    view! {
        <Title text="Choose a password"/>
        <section class="card narrow">
            <Suspense fallback=|| view! { <p class="muted">"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match valid.await {
                        Ok(true) => view! {
                            <h1>"Choose a password"</h1>
                            <p class="muted">"At least 12 characters. A few unrelated words make a strong password that is easy to remember."</p>
                            <ActionError result=set.value().into()/>
                            <ActionForm action=set>
                                <input type="hidden" name="token" value=token/>
                                <NewPasswordFields/>
                                <button type="submit" class="block" disabled=move || set.pending().get()>"Save password and sign in"</button>
                            </ActionForm>
                        }.into_any(),
                        Ok(false) => view! {
                            <h1>"This link no longer works"</h1>
                            <p>"It has expired or was already used. You can ask for a new one."</p>
                            <a class="button block" href="/password/reset">"Email me a new link"</a>
                        }.into_any(),
                        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
