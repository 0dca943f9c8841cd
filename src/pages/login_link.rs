//! `/login/link/{token}`: where a Secure Login Link leads. Opening it never signs in by itself
//! on the server; see `auth::login_links`.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::FormResult;
use crate::{accounts::links::LinkState, error::AppError, islands::LinkSignIn};

#[server(endpoint = "open_login_link")]
pub async fn open_login_link(token: String) -> Result<LinkState, AppError> {
    crate::auth::login_links::open_link(token).await
}

#[server(endpoint = "sign_in_with_link")]
pub async fn sign_in_with_link(
    token: String,
    time_zone: Option<String>,
) -> Result<String, AppError> {
    crate::auth::login_links::sign_in_with_link(token, time_zone).await
}

#[server(endpoint = "ask_for_new_login_link")]
pub async fn ask_for_new_login_link(token: String) -> Result<(), AppError> {
    crate::auth::login_links::ask_for_new_link(token).await
}

#[component]
pub fn LoginLinkPage() -> impl IntoView {
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let link = Resource::new(move || (), {
        let token = token.clone();
        move |_| open_login_link(token.clone())
    });
    view! {
        <Title text="Log in"/>
        <section class="card narrow">
            <Suspense fallback=|| ()>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move { view! { <LinkPage state=link.await token/> } })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn LinkPage(state: Result<LinkState, AppError>, token: String) -> impl IntoView {
    // A plain "Log In" that failed comes back here with its reason.
    let tried = view! { <FormResult form=SignInWithLink::url()/> };
    match state {
        Ok(LinkState::Ready { account, automatic }) => view! {
            <LinkSignIn token account automatic/>
            {tried}
        }
        .into_any(),
        Ok(LinkState::Used { account, login_url }) => view! {
            <h1>"This link has already been used"</h1>
            {tried}
            <p>"Each Secure Login Link works once. Ask for a new one to log in as " <strong>{account}</strong> "."</p>
            <NewLinkOffer token login_url/>
        }
        .into_any(),
        Ok(LinkState::Expired { account, login_url }) => view! {
            <h1>"This link has expired"</h1>
            {tried}
            <p>"Secure Login Links work for a limited time. Ask for a new one to log in as " <strong>{account}</strong> "."</p>
            <NewLinkOffer token login_url/>
        }
        .into_any(),
        Ok(LinkState::Invalid) => view! {
            <h1>"This link is not valid"</h1>
            {tried}
            <p>"It may be incomplete, or a newer link replaced it. You can ask for a new one."</p>
            <a class="button block" href="/login">"Go to log in"</a>
        }
        .into_any(),
        Err(error) => view! {
            <h1>"Log in to Carelink"</h1>
            <p class="alert error" role="alert">{error.to_string()}</p>
        }
        .into_any(),
    }
}

/// A spent link's way forward: a new link to the same patient for the same page in one click,
/// or the login page keeping that page.
#[component]
fn NewLinkOffer(token: String, login_url: String) -> impl IntoView {
    let form = AskForNewLoginLink::url();
    view! {
        <FormResult form/>
        <form method="post" action=form>
            <input type="hidden" name="token" value=token/>
            <button type="submit" class="block" data-busy="Sending…">"Email me a new link"</button>
        </form>
        <p class="muted center"><a href=login_url>"Log in another way"</a></p>
    }
}
