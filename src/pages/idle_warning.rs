//! The warning before an idle session ends (WCAG 2.2.1, Timing Adjustable): two minutes before
//! the idle limit, a modal dialog offers "Stay signed in". A native `<dialog>` opened with
//! `showModal()` takes the focus and keeps it inside until it closes, and is read as a dialog:
//! no live region interrupts what the patient was doing.
//!
//! A few lines of inline script (the page's CSP nonce allows them) rather than an island: the
//! WASM stays as small as the first visit needs. The script asks the server how long is left
//! (another tab may have used the session), never counting it as a use; only "Stay signed in"
//! does. At the limit it goes to the login page, which says why and comes back here after.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{error::AppError, language::Words, routes};

/// How long before the end the dialog opens.
const WARN_SECONDS: i64 = 120;

#[server(endpoint = "session_time_left")]
pub async fn session_time_left() -> Result<Option<i64>, AppError> {
    crate::auth::sign_in::session_time_left().await
}

#[server(endpoint = "stay_signed_in")]
pub async fn stay_signed_in() -> Result<Option<i64>, AppError> {
    crate::auth::sign_in::stay_signed_in().await
}

/// Plans the dialog from the seconds left: asks again when the warning is due, opens it, or
/// leaves for the login page. Only the server's answer that no session is left (`null`) ends it:
/// any failed ask (offline, busy, limited) tries again in a minute.
const SCRIPT: &str = r#"(function(){var d=document.getElementById("idle-warning");if(!d||!d.showModal)return;var t;
function ask(u){return fetch(u,{method:"POST",credentials:"same-origin"}).then(function(r){return r.ok?r.json():undefined}).catch(function(){return undefined})}
function plan(s){clearTimeout(t);if(s===undefined){t=setTimeout(check,60000);return}if(s===null||s<=0){location.assign(d.dataset.login+"?ended=1&next="+encodeURIComponent(d.dataset.back));return}
var w=+d.dataset.warn;if(s>w){if(d.open)d.close();t=setTimeout(check,(s-w)*1000)}else{if(!d.open)d.showModal();t=setTimeout(check,s*1000)}}
function check(){ask(d.dataset.left).then(plan)}
d.querySelector("[data-stay]").addEventListener("click",function(e){e.preventDefault();ask(d.dataset.stay).then(plan)});
plan(+d.dataset.seconds)})();"#;

/// The dialog, closed, and its script; on every page of a signed-in patient.
#[component]
pub fn IdleWarning() -> impl IntoView {
    let t = Words::here();
    let (idle, back) = idle_session()?;
    // The page's request used the session within the last minute (a use is noted a minute
    // at a time), so the first ask is due then; the server answers what is really left.
    let seconds = idle - 60;
    Some(view! {
        <dialog id="idle-warning" class="idle-warning" aria-labelledby="idle-warning-title"
            aria-describedby="idle-warning-text"
            data-seconds=seconds data-warn=WARN_SECONDS data-login=routes::LOGIN data-back=back
            data-left=SessionTimeLeft::url() data-stay=StaySignedIn::url()>
            <h2 id="idle-warning-title">{t.get("idle-title")}</h2>
            <p id="idle-warning-text">
                {t.with("idle-text", &[("minutes", (idle / 60).into()), ("warn", (WARN_SECONDS / 60).into())])}
            </p>
            <form method="dialog">
                <button type="submit" data-stay="" autofocus=true>{t.get("idle-stay")}</button>
            </form>
        </dialog>
        <script nonce=use_nonce() inner_html=SCRIPT></script>
    })
}

/// The session's idle limit, in seconds (the server's setting: only the server renders this),
/// and the patient page to come back to after signing in again: a patient page only (`safe_next`),
/// so that a token in the address of the page (a link's, a set-password one's) is never copied
/// into the login page's.
fn idle_session() -> Option<(i64, String)> {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<crate::state::AppState>() {
        let idle = state.settings.auth.session_idle_timeout.whole_seconds();
        let back = crate::accounts::landing::safe_next(&super::this_page()).unwrap_or_default();
        return Some((idle, back));
    }
    None
}
