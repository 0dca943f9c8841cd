//! The islands of the "Check your email" screen: "Send again", and the wait for the phone's
//! approval. Each renders on the server exactly as it first renders in the browser, and works
//! without the WASM as the plain form it is.

use leptos::{html, prelude::*};
use serde::{Deserialize, Serialize};

use super::server::{collect_approval, CollectApproval};
use crate::{
    error::{AppError, ErrorWords},
    pages::login::AskForLoginLink,
};

/// What "Send again" says, in the page's language (the WASM holds no catalogue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendAgainWords {
    send_again: String,
    /// With `{s}` where the seconds go.
    send_again_in: String,
    sending: String,
    errors: ErrorWords,
}

impl SendAgainWords {
    pub fn new(t: &crate::language::Words) -> Self {
        Self {
            send_again: t.get("check-send-again"),
            send_again_in: t.with("check-send-again-in", &[("seconds", "{s}".into())]),
            sending: t.get("login-sending"),
            errors: ErrorWords::new(t),
        }
    }
}

/// What the waiting screen says, in the page's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitWords {
    by_itself: String,
    press: String,
    waiting: String,
    continue_: String,
    errors: ErrorWords,
}

impl WaitWords {
    pub fn new(t: &crate::language::Words) -> Self {
        Self {
            by_itself: t.get("check-waiting-by-itself"),
            press: t.get("check-waiting-press"),
            waiting: t.get("check-waiting-for-phone"),
            continue_: t.get("check-approved-continue"),
            errors: ErrorWords::new(t),
        }
    }
}

/// "Send again" on the "Check your email" screen: locked for a minute after each send, with
/// the time left on the button (not announced every second: it is no live region). Without the
/// WASM it is a plain form that is never locked; the per-address limit still holds.
#[island]
pub fn SendAgain(
    email: String,
    next: String,
    lock_seconds: u32,
    words: SendAgainWords,
) -> impl IntoView {
    let SendAgainWords {
        send_again,
        send_again_in,
        sending,
        errors,
    } = words;
    let again = ServerAction::<AskForLoginLink>::new();
    // The server and the first render in the browser agree: unlocked. The lock starts when the
    // script runs, and again after each send.
    let left = RwSignal::new(0u32);
    Effect::new(move |previous: Option<Option<IntervalHandle>>| {
        if let Some(Some(interval)) = previous {
            interval.clear();
        }
        again.version().get();
        left.set(lock_seconds);
        set_interval_with_handle(
            move || left.update(|s| *s = s.saturating_sub(1)),
            std::time::Duration::from_secs(1),
        )
        .ok()
    });
    // Each request has a number of its own: the screen shows the new one.
    Effect::new(move |_| {
        if let Some(Ok(())) = again.value().get() {
            let _ = window().location().reload();
        }
    });
    let locked = move || left.get() > 0 || again.pending().get();
    view! {
        {move || again.value().get().and_then(Result::err).map(|error| view! {
            <p class="alert error" role="alert">{errors.tell(&error)}</p>
        })}
        <ActionForm action=again>
            <input type="hidden" name="email" value=email/>
            <input type="hidden" name="next" value=next/>
            <button type="submit" class="block secondary" disabled=locked
                aria-busy=move || again.pending().get().then_some("true")>
                {move || match (again.pending().get(), left.get()) {
                    (true, _) => sending.clone(),
                    (false, 0) => send_again.clone(),
                    (false, s) => send_again_in.replace("{s}", &s.to_string()),
                }}
            </button>
        </ActionForm>
    }
}

/// The "Check your email" screen waiting for the phone's approval, below its instructions
/// (`children`, the server's). Once the script runs, it asks the server again and again (each
/// answer waits for the approval up to 20 seconds or half the request time limit,
/// `auth::login_links::LONG_POLL`) and replaces the screen with the landing page as soon as it
/// is signed in; if the request ends instead (a wrong number, the link used on the phone, or
/// expired), it says so and the instructions go. Without the WASM it is a plain form, "I
/// approved it, continue", and says so.
#[island]
pub fn WaitForApproval(words: WaitWords, children: Children) -> impl IntoView {
    let WaitWords {
        by_itself,
        press,
        waiting: waiting_text,
        continue_,
        errors,
    } = words;
    let collect = ServerAction::<CollectApproval>::new();
    let zone = NodeRef::<html::Input>::new();
    let waiting = RwSignal::new(false);
    let failed = RwSignal::new(None::<AppError>);
    Effect::new(move |_| {
        let zone = zone.get().map(|input| input.value()).unwrap_or_default();
        waiting.set(true);
        listen(zone, waiting, failed);
    });
    Effect::new(move |_| match collect.value().get() {
        Some(Ok(Some(landing))) => {
            let _ = window().location().replace(&landing);
        }
        Some(Err(error)) => failed.set(Some(error)),
        _ => {}
    });
    let over = move || failed.get().is_some();
    // What happens next: by itself only once the script runs.
    let next = move || {
        if waiting.get() {
            by_itself.clone()
        } else {
            press.clone()
        }
    };
    view! {
        {move || failed.get().map(|error| view! {
            <p class="alert error" role="alert">{errors.tell(&error)}</p>
        })}
        <div class="approval" hidden=over>
            {children()}
            <p>{next}</p>
            {move || waiting.get().then(|| view! {
                <p class="muted center" role="status">{waiting_text.clone()}</p>
            })}
            // Needed only without the script: with it, the screen goes on by itself.
            <div hidden=move || waiting.get()>
                <ActionForm action=collect>
                    <input type="hidden" name="time_zone" value="" node_ref=zone/>
                    <button type="submit" class="block secondary"
                        aria-busy=move || collect.pending().get().then_some("true")>
                        {continue_}
                    </button>
                </ActionForm>
            </div>
        </div>
    }
}

/// One long poll of the waiting screen, and the next after it: a failure that will pass (busy,
/// offline, limited) tries again later; any other (the request is over) stops and is shown.
fn listen(zone: String, waiting: RwSignal<bool>, failed: RwSignal<Option<AppError>>) {
    leptos::task::spawn_local(async move {
        let again = match collect_approval(Some(zone.clone())).await {
            Ok(Some(landing)) => {
                let _ = window().location().replace(&landing);
                return;
            }
            Ok(None) => std::time::Duration::from_millis(500),
            Err(AppError::Busy | AppError::Unreachable) => std::time::Duration::from_secs(3),
            // Limited (many screens on one network): later, quietly.
            Err(AppError::Refused { status: 429, .. }) => std::time::Duration::from_secs(60),
            Err(error) => {
                waiting.set(false);
                failed.set(Some(error));
                return;
            }
        };
        set_timeout(move || listen(zone, waiting, failed), again);
    });
}
