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

use serde::{Deserialize, Serialize};

use super::{FormResult, Rich};
use crate::{
    accounts::links::{Asker, LinkState},
    error::{AppError, ErrorWords},
    flash::Flash,
    language::Words,
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
        <Title text=Words::here().get("login-title")/>
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

/// "Log in on this phone" and its like, for what this device is.
fn on_this(device: &str, instead: bool) -> &'static str {
    match (device, instead) {
        ("phone", false) => "link-on-this-phone",
        ("tablet", false) => "link-on-this-tablet",
        (_, false) => "link-on-this-computer",
        ("phone", true) => "link-here-instead-phone",
        ("tablet", true) => "link-here-instead-tablet",
        (_, true) => "link-here-instead-computer",
    }
}

/// "Log in on the computer that asked"; when a phone or tablet asked (perhaps this very one, in
/// another browser or the mail app's own), "the browser that asked".
fn on_the_asker(asker: &Asker) -> &'static str {
    if asker.on_a_computer() {
        "link-on-the-computer"
    } else {
        "link-on-the-browser"
    }
}

#[component]
fn LinkPage(state: Result<LinkState, AppError>, token: String, on_computer: bool) -> impl IntoView {
    let t = Words::here();
    // A plain "Log In", or a tap on a number, that failed comes back here with its reason. While
    // the link can still be used, "Log In"'s shows in its island, where the script shows it.
    let tried = || {
        view! {
            <FormResult form=SignInWithLink::url()/>
            <FormResult form=ApproveSignIn::url()/>
        }
    };
    let error = Flash::error_for(SignInWithLink::url());
    let as_account = |id, account: String| t.pieces(id, &[], &[("account", account)]);
    let words = |label: String| LinkSignInWords::new(&t, label);
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
            let words = words(t.get(on_this(&asker.this_device, false)));
            let computer = format!("{}?on=computer", routes::login_link(&token));
            view! {
                <LinkSignIn token account automatic error words/>
                <FormResult form=ApproveSignIn::url()/>
                <p class="muted or">{t.get("link-or")}</p>
                <a class="button block secondary two-lines" href=computer>
                    {t.get(on_the_asker(&asker))}
                    <span class="asker">{asker.describe(&t)}</span>
                </a>
            }
            .into_any()
        }
        Ok(LinkState::Ready {
            account,
            automatic,
            asker: None,
            approval_off,
        }) => {
            let words = words(t.get("link-button"));
            view! {
                <LinkSignIn token account automatic error words/>
                <FormResult form=ApproveSignIn::url()/>
                {approval_off.then(|| view! { <p class="muted">{t.get("link-approval-off")}</p> })}
            }
            .into_any()
        }
        Ok(LinkState::Approved { account }) => view! {
            <h1>{t.get("link-approved-heading")}</h1>
            {tried()}
            <p class="alert success" role="status"><Rich pieces=as_account("link-approved", account)/></p>
        }
        .into_any(),
        Ok(LinkState::Used { account, login_url }) => view! {
            <h1>{t.get("link-used-heading")}</h1>
            {tried()}
            <p><Rich pieces=as_account("link-used", account)/></p>
            <NewLinkOffer token login_url/>
        }
        .into_any(),
        Ok(LinkState::Expired { account, login_url }) => view! {
            <h1>{t.get("link-expired-heading")}</h1>
            {tried()}
            <p><Rich pieces=as_account("link-expired", account)/></p>
            <NewLinkOffer token login_url/>
        }
        .into_any(),
        // Voided just now by a wrong tap: it says what happened, not what might have.
        Ok(LinkState::Invalid) if Flash::error_for(ApproveSignIn::url()).is_some() => view! {
            <h1>{t.get("link-cancelled-heading")}</h1>
            {tried()}
            <p>{t.get("link-cancelled")}</p>
            <a class="button block secondary" href=routes::LOGIN>{t.get("link-go-to-login")}</a>
        }
        .into_any(),
        Ok(LinkState::Invalid) => view! {
            <h1>{t.get("link-invalid-heading")}</h1>
            {tried()}
            <p>{t.get("link-invalid")}</p>
            <a class="button block" href=routes::LOGIN>{t.get("link-go-to-login")}</a>
        }
        .into_any(),
        Err(error) => view! {
            <h1>{t.get("login-heading")}</h1>
            <p class="alert error" role="alert">{ErrorWords::new(&t).tell(&error)}</p>
        }
        .into_any(),
    }
}

/// "Log in on the computer that asked": the patient types the number that browser shows. Nothing
/// here offers or hints at a number, and the page says never to type one someone gave them.
#[component]
fn TypeTheNumber(token: String, account: String, asker: Asker) -> impl IntoView {
    let t = Words::here();
    let form = ApproveSignIn::url();
    let back = routes::login_link(&token);
    let label = if asker.on_a_computer() {
        "link-number-on-computer"
    } else {
        "link-number-on-browser"
    };
    let who = [("account", account), ("asker", asker.describe(&t))];
    view! {
        <h1>{t.get(on_the_asker(&asker))}</h1>
        <p class="alert warning">
            <strong>{t.get("link-never-type-strong")}</strong> " " {t.get("link-never-type")}
        </p>
        <p><Rich pieces=t.pieces("link-as-on", &[], &who)/></p>
        <FormResult form/>
        <form method="post" action=form>
            <input type="hidden" name="token" value=token/>
            <div class="field">
                <label for="number">{t.get(label)}</label>
                <input id="number" name="number" class="code" type="text" inputmode="numeric"
                    pattern="[0-9]*" maxlength="2" autocomplete="off" required
                    autofocus=super::failed(form)/>
                <p class="muted">{t.get("link-wrong-number-warning")}</p>
            </div>
            <button type="submit" class="block" data-busy=t.get("login-logging-in")>{t.get("link-log-in-there")}</button>
        </form>
        <p class="center"><a class="roomy" href=back>{t.get(on_this(&asker.this_device, true))}</a></p>
    }
}

/// A spent link's way forward: a new link to the same patient for the same page in one click,
/// or the login page keeping that page.
#[component]
fn NewLinkOffer(token: String, login_url: String) -> impl IntoView {
    let t = Words::here();
    let form = AskForNewLoginLink::url();
    view! {
        <FormResult form/>
        <form method="post" action=form>
            <input type="hidden" name="token" value=token/>
            <button type="submit" class="block" data-busy=t.get("login-sending")>{t.get("link-email-new")}</button>
        </form>
        <p class="muted center"><a href=login_url>{t.get("link-another-way")}</a></p>
    }
}

/// What the link's "Log In" says, in the page's language (the WASM holds no catalogue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSignInWords {
    heading: String,
    signing_in: String,
    log_in_as: String,
    label: String,
    logging_in: String,
    errors: ErrorWords,
}

impl LinkSignInWords {
    fn new(t: &Words, label: String) -> Self {
        Self {
            heading: t.get("login-heading"),
            signing_in: t.get("link-logging-you-in"),
            // The account goes where `{a}` is.
            log_in_as: t.with("link-log-in-as", &[("account", "{a}".into())]),
            label,
            logging_in: t.get("login-logging-in"),
            errors: ErrorWords::new(t),
        }
    }
}

/// "Log In" (its `words`' label) on a Secure Login Link's page. In a browser that proved it is the
/// patient's (`automatic`), it presses itself once the script runs. Signed in, it replaces the
/// link's page with the landing page, so the token leaves the address bar and the history.
/// Without the WASM it is a plain form, and the server redirects, or comes back here with the
/// `error` it shows in the same place as the script would.
#[island]
pub fn LinkSignIn(
    token: String,
    account: String,
    automatic: bool,
    error: Option<AppError>,
    words: LinkSignInWords,
) -> impl IntoView {
    let LinkSignInWords {
        heading,
        signing_in: signing_in_text,
        log_in_as,
        label,
        logging_in,
        errors,
    } = words;
    // "Log in as {a}": the account in bold where the language puts it.
    let (before, after) = log_in_as.split_once("{a}").unwrap_or((&log_in_as, ""));
    let (before, after) = (before.to_owned(), after.to_owned());
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
        <h1>{move || if signing_in.get() { signing_in_text.clone() } else { heading.clone() }}</h1>
        <p>{before} <strong class="account">{account}</strong> {after}</p>
        {move || match sign_in.value().get() {
            Some(tried) => tried.err(),
            None => error.clone(),
        }.map(|error| view! {
            <p class="alert error" role="alert">{errors.tell(&error)}</p>
        })}
        <ActionForm action=sign_in node_ref=form>
            <input type="hidden" name="token" value=token/>
            <input type="hidden" name="time_zone" value=""/>
            <button type="submit" class="block" data-automatic=automatic.to_string()
                aria-busy=move || busy().then_some("true")>
                {move || if busy() { logging_in.clone() } else { label.clone() }}
            </button>
        </ActionForm>
    }
}
