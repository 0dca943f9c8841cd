//! `/login/link/{token}`: where a Secure Login Link leads. Opening it never signs in by itself
//! on the server; see `auth::login_links`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{error_text, land_after_sign_in, ActionError};

#[cfg(feature = "ssr")]
use crate::auth::login_links::LinkState;
#[cfg(not(feature = "ssr"))]
use serde::{Deserialize, Serialize};

/// Mirrors `auth::login_links::LinkState` for the client build.
#[cfg(not(feature = "ssr"))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Ready { account: String, automatic: bool },
    Used { account: String, login_url: String },
    Expired { account: String, login_url: String },
    Invalid,
}

#[server(endpoint = "login_link_state")]
pub async fn login_link_state(token: String) -> Result<LinkState, ServerFnError> {
    crate::auth::login_links::state(token).await
}

#[server(endpoint = "redeem_login_link")]
pub async fn redeem_login_link(token: String) -> Result<String, ServerFnError> {
    crate::auth::login_links::redeem(token).await
}

#[server(endpoint = "resend_login_link")]
pub async fn resend_login_link(token: String) -> Result<(), ServerFnError> {
    crate::auth::login_links::resend(token).await
}

#[component]
pub fn LoginLinkPage() -> impl IntoView {
    let token = move || use_params_map().read().get("token").unwrap_or_default();
    let link = Resource::new(token, login_link_state);
    let redeem = ServerAction::<RedeemLoginLink>::new();
    land_after_sign_in(redeem.value().into());
    view! {
        <Title text="Log in"/>
        <section class="card narrow">
            <Suspense fallback=|| view! { <p class="muted">"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(LinkState::Ready { account, automatic }) => {
                            if automatic {
                                // This browser asked for the link: sign in at once, in the
                                // browser only (a server-side GET never signs in).
                                Effect::new(move |_| {
                                    redeem.dispatch(RedeemLoginLink { token: token() });
                                });
                            }
                            view! {
                                <h1>{if automatic { "Logging you in…" } else { "Log in to Carelink" }}</h1>
                                <p>"Log in as " <strong class="account">{account}</strong></p>
                                <ActionError result=redeem.value().into()/>
                                <ActionForm action=redeem>
                                    <input type="hidden" name="token" value=token/>
                                    <button type="submit" class="block" disabled=move || redeem.pending().get()>"Log In"</button>
                                </ActionForm>
                            }.into_any()
                        }
                        Ok(LinkState::Used { account, login_url }) => view! {
                            <h1>"This link has already been used"</h1>
                            <p>"Each Secure Login Link works once. Ask for a new one to log in as " <strong>{account}</strong> "."</p>
                            <NewLinkOffer token=token() login_url/>
                        }.into_any(),
                        Ok(LinkState::Expired { account, login_url }) => view! {
                            <h1>"This link has expired"</h1>
                            <p>"Secure Login Links work for a limited time. Ask for a new one to log in as " <strong>{account}</strong> "."</p>
                            <NewLinkOffer token=token() login_url/>
                        }.into_any(),
                        Ok(LinkState::Invalid) => view! {
                            <h1>"This link is not valid"</h1>
                            <p>"It may be incomplete, or a newer link replaced it. You can ask for a new one."</p>
                            <a class="button block" href="/login">"Go to log in"</a>
                        }.into_any(),
                        Err(e) => view! { <p class="alert error">{error_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A spent link's way forward: a new link to the same patient for the same page in one click,
/// or the login page keeping that page.
#[component]
fn NewLinkOffer(token: String, login_url: String) -> impl IntoView {
    let resend = ServerAction::<ResendLoginLink>::new();
    view! {
        <ActionError result=resend.value().into()/>
        <ActionForm action=resend>
            <input type="hidden" name="token" value=token/>
            <button type="submit" class="block" disabled=move || resend.pending().get()>"Email me a new link"</button>
        </ActionForm>
        <p class="muted center"><a href=login_url>"Log in another way"</a></p>
    }
}
