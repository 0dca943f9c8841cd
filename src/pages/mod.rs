//! One module per page of the portal, each with the server functions it calls. Pages render on
//! the server only (see `app`); their forms are plain forms posting to those functions, whose
//! results come back through `flash`.

pub mod account;
pub mod appointments;
pub mod check_email;
pub mod dev_mailbox;
pub mod form_response;
pub mod idle_warning;
pub mod login;
pub mod login_link;
pub mod not_found;
pub mod passkeys;
pub mod password;

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::flash::Flash;
use crate::{
    accounts::passwords::rules::{MAX_LENGTH, MIN_LENGTH},
    error::{AppError, ErrorWords},
    language::{Piece, Words},
    routes,
};
use not_found::NotFound;

/// The result a plain form post to `form` came back with, in place above the form: its error
/// as an alert (announced), or a notice that it worked.
#[component]
pub fn FormResult(form: &'static str) -> impl IntoView {
    let flash = Flash::for_form(form);
    let error = flash.as_ref().and_then(|f| f.error.clone());
    let notice = flash.and_then(|f| f.notice);
    view! {
        {error.map(|error| view! { <p class="alert error" role="alert">{ErrorWords::here().tell(&error)}</p> })}
        {notice.map(|notice| view! { <p class="alert success" role="status">{notice}</p> })}
    }
}

/// A moment as a patient reads it, in their time zone and saying which ("Tue 4 March 2031,
/// 10:00 a.m. EST"), and as machines do (RFC 3339, for `<time datetime>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct When {
    pub text: String,
    pub iso: String,
}

#[cfg(feature = "ssr")]
impl When {
    pub fn at(at: impl Into<time::OffsetDateTime>, zone: &crate::clock::Zone) -> Self {
        let at = at.into();
        Self {
            text: crate::clock::human(at, zone, crate::language::Language::current()),
            iso: crate::clock::iso(at),
        }
    }
}

/// A message with words in bold (`Words::pieces`). An address typed, an account and a browser
/// that asked keep the classes tests and styles know them by.
#[component]
pub fn Rich(pieces: Vec<Piece>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Plain(text) => text.into_any(),
            Piece::Strong { arg, text } => {
                let class = match arg {
                    "address" => "typed-email",
                    "account" => "account",
                    "asker" => "asker",
                    _ => "",
                };
                view! { <strong class=(!class.is_empty()).then_some(class)>{text}</strong> }
                    .into_any()
            }
        })
        .collect_view()
}

/// A moment in a sentence of the catalogue ("Submitted { $when }"): the sentence is the
/// `<time>`, whichever place the language gives the moment.
#[component]
pub fn TimeIn(id: &'static str, when: When) -> impl IntoView {
    let text = Words::here().with(id, &[("when", when.text.into())]);
    view! { <time datetime=when.iso>{text}</time> }
}

#[component]
pub fn Time(when: When) -> impl IntoView {
    view! { <time datetime=when.iso>{when.text}</time> }
}

/// The page being rendered, as a same-site path with its query: where a form on every page
/// (the language switch) or the idle warning comes back to.
pub fn this_page() -> String {
    let here = leptos_router::hooks::use_location();
    let (path, query) = (here.pathname.get_untracked(), here.search.get_untracked());
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

/// Whether the last post to `form` failed: its first field then takes the focus, so the
/// patient is where the message says to act.
pub fn failed(form: &str) -> bool {
    Flash::error_for(form).is_some()
}

/// "New password" and "Confirm the new password", with the length rules the server enforces.
#[component]
pub fn NewPasswordFields(
    /// Takes the focus (the form failed, and these come first).
    #[prop(optional)]
    autofocus: bool,
) -> impl IntoView {
    let t = Words::here();
    view! {
        <div class="field">
            <label for="new_password">{t.with("password-new-field", &[("min", MIN_LENGTH.into())])}</label>
            <input id="new_password" type="password" name="new_password" autocomplete="new-password" minlength=MIN_LENGTH maxlength=MAX_LENGTH required autofocus=autofocus/>
        </div>
        <div class="field">
            <label for="confirm_password">{t.get("password-confirm-field")}</label>
            <input id="confirm_password" type="password" name="confirm_password" autocomplete="new-password" minlength=MIN_LENGTH maxlength=MAX_LENGTH required/>
        </div>
    }
}

/// A page for one of the patient's records at `/.../{id}`: loads it by the path's id, then shows
/// it, or the same "not found" for a bad id, a missing record and another patient's record.
#[component]
pub fn RecordPage<T, Fut, V>(load: fn(i64) -> Fut, show: fn(T) -> V) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    Fut: Future<Output = Result<Option<T>, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let id = move || {
        use_params_map()
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let record = Resource::new(id, move |id| async move {
        match id {
            Some(id) => load(id).await,
            None => Ok(None),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="muted">{Words::here().get("portal-loading")}</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(Some(record)) => show(record).into_any(),
                    Ok(None) => view! { <NotFound/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Shown where a page's data could not be loaded, with the way back in when the session ended.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    let signed_out = error == AppError::NotSignedIn;
    view! {
        <section class="card">
            <p class="alert error" role="alert">{ErrorWords::here().tell(&error)}</p>
            {signed_out.then(|| view! { <a class="button" href=routes::LOGIN rel="external">{Words::here().get("portal-sign-in")}</a> })}
        </section>
    }
}
