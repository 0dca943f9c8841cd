//! Passkeys in the browser: "Sign in with a passkey" on the login page, the offer to save one on
//! the page a sign-in by link lands on, and "Add a passkey" on /account.
//!
//! Each is rendered hidden, with a few lines of inline script (allowed by the page's CSP nonce)
//! that shows it only where the browser has WebAuthn, and the offer only where the device can
//! hold a passkey itself: without scripts, or in a browser without passkeys, nothing changes.
//! The scripts are not in the WASM, which stays as small as the first visit needs. They turn the
//! server's JSON options into `navigator.credentials` calls and the credential back into JSON
//! (by hand: Safari before 18.4 has neither `parseCreationOptionsFromJSON` nor `toJSON`).

use const_format::concatcp;
use leptos::{prelude::*, server_fn::ServerFn};

use crate::{error::AppError, language::Words};

#[server(endpoint = "start_passkey_sign_in")]
pub async fn start_passkey_sign_in() -> Result<String, AppError> {
    crate::auth::passkeys::start_sign_in().await
}

#[server(endpoint = "sign_in_with_passkey")]
pub async fn sign_in_with_passkey(
    credential: String,
    next: Option<String>,
) -> Result<String, AppError> {
    crate::auth::passkeys::sign_in(credential, next).await
}

#[server(endpoint = "start_adding_passkey")]
pub async fn start_adding_passkey() -> Result<String, AppError> {
    crate::auth::passkeys::start_adding().await
}

#[server(endpoint = "add_passkey")]
pub async fn add_passkey(credential: String) -> Result<String, AppError> {
    crate::auth::passkeys::add(credential).await
}

#[server(endpoint = "decline_passkey_offer")]
pub async fn decline_passkey_offer() -> Result<(), AppError> {
    crate::auth::passkeys::decline_offer().await
}

/// base64url to bytes and back, a form post answered in JSON (a refusal throws the server's
/// error), and a failure told in the element's status line: nothing for a cancelled prompt, the
/// server's words for its refusals, the page's own otherwise.
const HELPERS: &str = r#"var P=window.PublicKeyCredential;
function b(s){return Uint8Array.from(atob(s.replace(/-/g,"+").replace(/_/g,"/")),function(c){return c.charCodeAt(0)}).buffer}
function u(a){return a?btoa(String.fromCharCode.apply(null,new Uint8Array(a))).replace(/\+/g,"-").replace(/\//g,"_").replace(/=+$/,""):null}
function post(url,data){return fetch(url,{method:"POST",credentials:"same-origin",headers:{"Content-Type":"application/x-www-form-urlencoded",Accept:"application/json"},body:new URLSearchParams(data)}).then(function(r){return r.json().then(function(j){if(!r.ok)throw j;return j})})}
function fail(c,e){var n=e&&e.name;c.querySelector("[data-status]").textContent=n==="NotAllowedError"||n==="AbortError"?"":n==="InvalidStateError"?c.dataset.already:(e&&e.Refused&&e.Refused.message)||c.dataset.failed}
"#;

/// The sign-in button: any passkey of this portal's (discoverable), so no email is typed; the
/// browser offers the phone's by QR code when this device holds none.
const SIGN_IN_SCRIPT: &str = concatcp!(
    "(function(){",
    HELPERS,
    r#"var c=document.getElementById("passkey-sign-in");if(!c||!P||!navigator.credentials)return;c.hidden=false;
c.querySelector("button").addEventListener("click",function(){c.querySelector("[data-status]").textContent="";
post(c.dataset.start,{}).then(function(o){o=JSON.parse(o).publicKey;o.challenge=b(o.challenge);(o.allowCredentials||[]).forEach(function(x){x.id=b(x.id)});return navigator.credentials.get({publicKey:o})})
.then(function(k){var r=k.response;return post(c.dataset.finish,{next:c.dataset.next,credential:JSON.stringify({id:k.id,rawId:u(k.rawId),type:k.type,extensions:k.getClientExtensionResults(),
response:{authenticatorData:u(r.authenticatorData),clientDataJSON:u(r.clientDataJSON),signature:u(r.signature),userHandle:u(r.userHandle)}})})})
.then(function(to){location.assign(to)},function(e){fail(c,e)})})})();"#
);

/// Saving a passkey, from every `[data-passkey-add]` element of the page (the offer, /account);
/// "Not now" tells the server and hides the offer. Once per page, whichever includes it first.
const ADD_SCRIPT: &str = concatcp!(
    "(function(){if(window.carelinkPasskeys)return;window.carelinkPasskeys=1;",
    HELPERS,
    r#"if(!P||!navigator.credentials)return;var own=P.isUserVerifyingPlatformAuthenticatorAvailable?P.isUserVerifyingPlatformAuthenticatorAvailable():Promise.resolve(false);
own.catch(function(){return false}).then(function(own){document.querySelectorAll("[data-passkey-add]").forEach(function(c){if(c.dataset.ownDevice!==undefined&&!own)return;c.hidden=false;
c.querySelector("[data-add]").addEventListener("click",function(){c.querySelector("[data-status]").textContent="";
post(c.dataset.start,{}).then(function(o){o=JSON.parse(o).publicKey;o.challenge=b(o.challenge);o.user.id=b(o.user.id);(o.excludeCredentials||[]).forEach(function(x){x.id=b(x.id)});return navigator.credentials.create({publicKey:o})})
.then(function(k){var r=k.response;return post(c.dataset.finish,{credential:JSON.stringify({id:k.id,rawId:u(k.rawId),type:k.type,extensions:k.getClientExtensionResults(),
response:{attestationObject:u(r.attestationObject),clientDataJSON:u(r.clientDataJSON)}})})})
.then(function(m){if(c.dataset.reload!==undefined){location.reload();return}c.querySelectorAll("button").forEach(function(x){x.hidden=true});c.querySelector("[data-status]").textContent=m},function(e){fail(c,e)})});
var d=c.querySelector("[data-decline]");if(d)d.addEventListener("click",function(){c.hidden=true;post(c.dataset.decline,{}).catch(function(){})})})})})();"#
);

/// Whether this portal offers passkeys (only the server renders these).
fn passkeys_on() -> bool {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<crate::state::AppState>() {
        return state.accounts.passkeys_on();
    }
    false
}

/// "Sign in with a passkey", on the login page; landing on `next` when it is a patient page.
#[component]
pub fn PasskeySignIn(next: String) -> impl IntoView {
    let t = Words::here();
    passkeys_on().then(|| {
        view! {
            <div id="passkey-sign-in" class="passkey-sign-in" hidden=true
                data-start=StartPasskeySignIn::url() data-finish=SignInWithPasskey::url() data-next=next
                data-failed=t.get("passkey-sign-in-failed")>
                <p class="divider"><span>{t.get("passkey-or")}</span></p>
                <button type="button" class="block secondary">{t.get("passkey-sign-in")}</button>
                <p class="muted small">{t.get("passkey-sign-in-hint")}</p>
                <p class="passkey-status" aria-live="polite" data-status=""></p>
            </div>
            <script nonce=use_nonce() inner_html=SIGN_IN_SCRIPT></script>
        }
    })
}

/// "Sign in faster next time": once, on the page a sign-in by link lands on, in a browser proven
/// to be the patient's (`accounts::passkeys`), where the device itself can hold a passkey.
#[component]
pub fn PasskeyOffer() -> impl IntoView {
    let offered = offered_here();
    let t = Words::here();
    offered.then(|| {
        view! {
            <section class="card passkey-offer" hidden=true data-passkey-add="" data-own-device=""
                aria-labelledby="passkey-offer-title"
                data-start=StartAddingPasskey::url() data-finish=AddPasskey::url()
                data-decline=DeclinePasskeyOffer::url()
                data-failed=t.get("passkey-add-failed") data-already=t.get("passkey-already-here")>
                <h2 id="passkey-offer-title">{t.get("passkey-offer-title")}</h2>
                <p>{t.get("passkey-offer-text")}</p>
                <p class="muted">{t.get("passkey-offer-links-stay")}</p>
                <div class="actions">
                    <button type="button" data-add="">{t.get("passkey-offer-save")}</button>
                    <button type="button" class="secondary" data-decline="">{t.get("passkey-offer-not-now")}</button>
                </div>
                <p class="passkey-status" aria-live="polite" data-status=""></p>
            </section>
            <script nonce=use_nonce() inner_html=ADD_SCRIPT></script>
        }
    })
}

/// "Add a passkey", on /account: reloads the page to list it.
#[component]
pub fn AddPasskeyButton() -> impl IntoView {
    let t = Words::here();
    passkeys_on().then(|| {
        view! {
            <div class="passkey-add" hidden=true data-passkey-add="" data-reload=""
                data-start=StartAddingPasskey::url() data-finish=AddPasskey::url()
                data-failed=t.get("passkey-add-failed") data-already=t.get("passkey-already-here")>
                <button type="button" data-add="">{t.get("passkey-add")}</button>
                <p class="passkey-status" aria-live="polite" data-status=""></p>
            </div>
            <script nonce=use_nonce() inner_html=ADD_SCRIPT></script>
        }
    })
}

/// Whether a sign-in asked this page to offer a passkey: on a patient page only (a page that
/// needs no sign-in may be shown to someone else), and once.
fn offered_here() -> bool {
    #[cfg(feature = "ssr")]
    if crate::accounts::landing::safe_next(&super::this_page()).is_some() {
        return crate::auth::passkeys::take_offer();
    }
    false
}
