//! `/login`: email and password (the Secure Login Link joins it in a later change).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::ActionError;

#[server(endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), ServerFnError> {
    crate::auth::flows::sign_in_with_password(email, password, next).await
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let next = move || use_query_map().read().get("next").unwrap_or_default();
    view! {
        <Title text="Log in"/>
        <section class="card narrow">
            <h1>"Log in to Carelink"</h1>
            <ActionError result=login.value().into()/>
            <ActionForm action=login attr:class="stack">
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="email">"Email address"</label>
                    <input id="email" type="email" name="email" autocomplete="email" required/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" type="password" name="password" autocomplete="current-password" required/>
                </div>
                <button type="submit" class="block" disabled=move || login.pending().get()>"Log in"</button>
            </ActionForm>
            <p class="muted center"><a href="/password/reset">"Forgot password?"</a></p>
        </section>
    }
}
