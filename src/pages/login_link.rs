//! `/login/link/{token}`: where a Secure Login Link leads. Opening it never signs in by itself
//! on the server; see `auth::login_links`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{land_after_sign_in, ActionError};
use crate::{accounts::links::LinkState, error::AppError};

#[server(endpoint = "open_login_link")]
pub async fn open_login_link(token: String) -> Result<LinkState, AppError> {
    crate::auth::login_links::open_link(token).await
}

#[server(endpoint = "sign_in_with_link")]
pub async fn sign_in_with_link(token: String) -> Result<String, AppError> {
    crate::auth::login_links::sign_in_with_link(token).await
}

#[server(endpoint = "ask_for_new_login_link")]
pub async fn ask_for_new_login_link(token: String) -> Result<(), AppError> {
    crate::auth::login_links::ask_for_new_link(token).await
}

#[component]
pub fn LoginLinkPage() -> impl IntoView {
    let token = move || use_params_map().read().get("token").unwrap_or_default();
    let link = Resource::new(token, open_login_link);
    let sign_in = ServerAction::<SignInWithLink>::new();
    land_after_sign_in(sign_in.value().into());
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
                                    sign_in.dispatch(SignInWithLink { token: token() });
                                });
                            }
                            view! {
                                <h1>{if automatic { "Logging you in…" } else { "Log in to Carelink" }}</h1>
                                <p>"Log in as " <strong class="account">{account}</strong></p>
                                <ActionError result=sign_in.value().into()/>
                                <ActionForm action=sign_in>
                                    <input type="hidden" name="token" value=token/>
                                    <button type="submit" class="block" disabled=move || sign_in.pending().get()>"Log In"</button>
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
                        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
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
    let ask_again = ServerAction::<AskForNewLoginLink>::new();
    view! {
        <ActionError result=ask_again.value().into()/>
        <ActionForm action=ask_again>
            <input type="hidden" name="token" value=token/>
            <button type="submit" class="block" disabled=move || ask_again.pending().get()>"Email me a new link"</button>
        </ActionForm>
        <p class="muted center"><a href=login_url>"Log in another way"</a></p>
    }
}
