//! `/login/link/{token}`: where a Secure Login Link leads. Opening it never signs in by itself
//! on the server; see `auth::login_links`.
//!
//! Opened in another browser than the one that asked (the phone, when the laptop asked), it
//! offers two choices: "Log in on this phone", or "Log in on the computer that asked" (on a
//! phone that asked, "the browser that asked"), which leads to `?on=computer`, where the patient
//! types the number that browser shows.

use leptos::{html, prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::FormResult;
use crate::{
    accounts::links::{Asker, LinkState},
    error::AppError,
    flash::Flash,
    routes,
};

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

#[server(endpoint = "approve_sign_in")]
pub async fn approve_sign_in(token: String, number: String) -> Result<(), AppError> {
    crate::auth::login_links::approve_sign_in(token, number).await
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
    let on_computer = use_query_map().read_untracked().get("on").as_deref() == Some("computer");
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
                    Suspend::new(async move {
                        view! { <LinkPage state=link.await token on_computer/> }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn LinkPage(state: Result<LinkState, AppError>, token: String, on_computer: bool) -> impl IntoView {
    // A plain "Log In", or a tap on a number, that failed comes back here with its reason. While
    // the link can still be used, "Log In"'s shows in its island, where the script shows it.
    let tried = || {
        view! {
            <FormResult form=SignInWithLink::url()/>
            <FormResult form=ApproveSignIn::url()/>
        }
    };
    let error = Flash::error_for(SignInWithLink::url());
    match state {
        Ok(LinkState::Ready {
            account,
            asker: Some(asker),
            ..
        }) if on_computer => view! { <TypeTheNumber token account asker/> }.into_any(),
        Ok(LinkState::Ready {
            account,
            automatic,
            asker: Some(asker),
            ..
        }) => {
            let label = format!("Log in on this {}", asker.this_device);
            let computer = format!("{}?on=computer", routes::login_link(&token));
            view! {
                <LinkSignIn token account automatic label error/>
                <FormResult form=ApproveSignIn::url()/>
                <p class="muted or">"or"</p>
                <a class="button block secondary two-lines" href=computer>
                    {format!("Log in on {}", asker.that_asked())}
                    <span class="asker">{asker.describe()}</span>
                </a>
            }
            .into_any()
        }
        Ok(LinkState::Ready {
            account,
            automatic,
            asker: None,
            approval_off,
        }) => view! {
            <LinkSignIn token account automatic label="Log In".to_owned() error/>
            <FormResult form=ApproveSignIn::url()/>
            {approval_off.then(|| view! {
                <p class="muted">
                    "To keep your account safe, this link cannot log in another browser now: it was "
                    "asked for more than a few minutes ago, a wrong number was typed today, or two "
                    "devices asked. Log in here, or type the code from the email where you asked."
                </p>
            })}
        }
        .into_any(),
        Ok(LinkState::Approved { account }) => view! {
            <h1>"Approved"</h1>
            {tried()}
            <p class="alert success" role="status">
                "Done. The browser that asked is logging in as " <strong>{account}</strong>
                " and will show your page in a moment. You can close this one."
            </p>
        }
        .into_any(),
        Ok(LinkState::Used { account, login_url }) => view! {
            <h1>"This link has already been used"</h1>
            {tried()}
            <p>"Each Secure Login Link works once. Ask for a new one to log in as " <strong>{account}</strong> "."</p>
            <NewLinkOffer token login_url/>
        }
        .into_any(),
        Ok(LinkState::Expired { account, login_url }) => view! {
            <h1>"This link has expired"</h1>
            {tried()}
            <p>"Secure Login Links work for a limited time. Ask for a new one to log in as " <strong>{account}</strong> "."</p>
            <NewLinkOffer token login_url/>
        }
        .into_any(),
        // Voided just now by a wrong tap: it says what happened, not what might have.
        Ok(LinkState::Invalid) if Flash::error_for(ApproveSignIn::url()).is_some() => view! {
            <h1>"Login cancelled"</h1>
            {tried()}
            <p>"Nothing was logged in. Logging in another browser from your phone is off until tomorrow; the email's other ways to log in still work with a new link."</p>
            <a class="button block secondary" href=routes::LOGIN>"Go to log in"</a>
        }
        .into_any(),
        Ok(LinkState::Invalid) => view! {
            <h1>"This link is not valid"</h1>
            {tried()}
            <p>"It may be incomplete, or a newer link replaced it. You can ask for a new one."</p>
            <a class="button block" href=routes::LOGIN>"Go to log in"</a>
        }
        .into_any(),
        Err(error) => view! {
            <h1>"Log in to Carelink"</h1>
            <p class="alert error" role="alert">{error.to_string()}</p>
        }
        .into_any(),
    }
}

/// "Log in on the computer that asked": the patient types the number that browser shows. Nothing
/// here offers or hints at a number, and the page says never to type one someone gave them.
#[component]
fn TypeTheNumber(token: String, account: String, asker: Asker) -> impl IntoView {
    let form = ApproveSignIn::url();
    let back = routes::login_link(&token);
    let that_asked = asker.that_asked();
    view! {
        <h1>{format!("Log in on {that_asked}")}</h1>
        <p class="alert warning">
            <strong>"Never type a number that someone gives you"</strong>
            " by phone, text or email, even if they say they are from your clinic: it would let "
            "them into your account. Carelink staff never ask for it."
        </p>
        <p>"Log in as " <strong class="account">{account}</strong> " on "
            <strong class="asker">{asker.describe()}</strong>
            ", only if you asked there yourself, just now."</p>
        <FormResult form/>
        <form method="post" action=form>
            <input type="hidden" name="token" value=token/>
            <div class="field">
                <label for="number">{format!("The number on the screen of {that_asked}")}</label>
                <input id="number" name="number" class="code" type="text" inputmode="numeric"
                    pattern="[0-9]*" maxlength="2" autocomplete="off" required
                    autofocus=super::failed(form)/>
                <p class="muted">"A wrong number cancels this link, and logging in another browser from your phone stays off until tomorrow."</p>
            </div>
            <button type="submit" class="block" data-busy="Logging in…">"Log in there"</button>
        </form>
        <p class="center"><a class="roomy" href=back>{format!("Log in on this {} instead", asker.this_device)}</a></p>
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

/// "Log In" (`label`) on a Secure Login Link's page. In a browser that proved it is the
/// patient's (`automatic`), it presses itself once the script runs. Signed in, it replaces the
/// link's page with the landing page, so the token leaves the address bar and the history.
/// Without the WASM it is a plain form, and the server redirects, or comes back here with the
/// `error` it shows in the same place as the script would.
#[island]
pub fn LinkSignIn(
    token: String,
    account: String,
    automatic: bool,
    label: String,
    error: Option<AppError>,
) -> impl IntoView {
    let sign_in = ServerAction::<SignInWithLink>::new();
    let form = NodeRef::<html::Form>::new();
    // What the page promises only once the script runs: before, the button must be pressed.
    let signing_in = RwSignal::new(false);
    Effect::new(move |_| {
        if let (true, Some(form)) = (automatic, form.get()) {
            signing_in.set(true);
            let _ = form.request_submit();
        }
    });
    Effect::new(move |_| match sign_in.value().get() {
        Some(Ok(landing)) => {
            let _ = window().location().replace(&landing);
        }
        Some(Err(_)) => signing_in.set(false),
        None => {}
    });
    let busy = move || sign_in.pending().get() || signing_in.get();
    view! {
        <h1>{move || if signing_in.get() { "Logging you in…" } else { "Log in to Carelink" }}</h1>
        <p>"Log in as " <strong class="account">{account}</strong></p>
        {move || match sign_in.value().get() {
            Some(tried) => tried.err(),
            None => error.clone(),
        }.map(|error| view! {
            <p class="alert error" role="alert">{error.to_string()}</p>
        })}
        <ActionForm action=sign_in node_ref=form>
            <input type="hidden" name="token" value=token/>
            <input type="hidden" name="time_zone" value=""/>
            <button type="submit" class="block" data-automatic=automatic.to_string()
                aria-busy=move || busy().then_some("true")>
                {move || if busy() { "Logging in…".to_owned() } else { label.clone() }}
            </button>
        </ActionForm>
    }
}
