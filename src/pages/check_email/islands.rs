//! The islands of the "Check your email" screen: "Send again", and the wait for the phone's
//! approval. Each renders on the server exactly as it first renders in the browser, and works
//! without the WASM as the plain form it is.

use leptos::{html, prelude::*};

use super::server::{collect_approval, CollectApproval};
use crate::{
    accounts::links::{self, APPROVE_WITHIN_MINUTES},
    error::AppError,
    pages::login::AskForLoginLink,
};

/// "Send again" on the "Check your email" screen: locked for a minute after each send, with
/// the time left on the button (not announced every second: it is no live region). Without the
/// WASM it is a plain form that is never locked; the per-address limit still holds.
#[island]
pub fn SendAgain(email: String, next: String, lock_seconds: u32) -> impl IntoView {
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
            <p class="alert error" role="alert">{error.to_string()}</p>
        })}
        <ActionForm action=again>
            <input type="hidden" name="email" value=email/>
            <input type="hidden" name="next" value=next/>
            <button type="submit" class="block secondary" disabled=locked
                aria-busy=move || again.pending().get().then_some("true")>
                {move || match (again.pending().get(), left.get()) {
                    (true, _) => "Sending…".to_owned(),
                    (false, 0) => "Send again".to_owned(),
                    (false, s) => format!("Send again in {s} s"),
                }}
            </button>
        </ActionForm>
    }
}

/// The "Check your email" screen waiting for the phone's approval: its number, and the way on.
/// Once the script runs, it asks the server again and again (each answer waits for the approval
/// up to 20 seconds or half the request time limit, `auth::login_links::LONG_POLL`) and
/// replaces the screen with the landing page as soon as it is signed in; if the request ends
/// instead (a wrong number, the link used on the phone, or expired), it says so and the number
/// goes. Past the minutes a phone may approve (`number` is `None`) it still waits, for an
/// approval made in time. Without the WASM it is a plain form, "I approved it, continue", and
/// says so.
#[island]
pub fn WaitForApproval(number: Option<u8>, on_a_computer: bool) -> impl IntoView {
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
            "This screen will log you in by itself."
        } else {
            "Then press \u{201c}I approved it, continue\u{201d} below."
        }
    };
    let how = match number {
        Some(number) => {
            let where_ = if on_a_computer {
                "On your phone, open the email, tap "
            } else {
                "In the email, tap "
            };
            let choose = format!("Log in on {}", links::that_asked(on_a_computer));
            view! {
                <p>
                    {where_} <strong>"Log In"</strong> ", choose " <strong>{choose}</strong>
                    " and type " <strong>{number}</strong> ". " {next}
                </p>
                <p class="approval-number"><span class="label">"Your number"</span>{number}</p>
                <p class="muted">
                    {format!("It works for {APPROVE_WITHIN_MINUTES} minutes. ")}
                    "Type it only on your own device: never read it out or give it to anyone, "
                    "even someone who says they are from your clinic."
                </p>
            }
            .into_any()
        }
        // Past the few minutes a phone may approve: an approval made in time is still collected.
        None => view! {
            <p>
                {format!(
                    "Logging in from your phone works for {APPROVE_WITHIN_MINUTES} minutes \
                     after asking. If you approved it in time: "
                )}
                {next} " Otherwise use the code from the email below, or ask for a new link."
            </p>
        }
        .into_any(),
    };
    view! {
        {move || failed.get().map(|error| view! {
            <p class="alert error" role="alert">{error.to_string()}</p>
        })}
        <div class="approval" hidden=over>
            {how}
            {move || waiting.get().then(|| view! {
                <p class="muted center" role="status">"Waiting for your phone…"</p>
            })}
            // Needed only without the script: with it, the screen goes on by itself.
            <div hidden=move || waiting.get()>
                <ActionForm action=collect>
                    <input type="hidden" name="time_zone" value="" node_ref=zone/>
                    <button type="submit" class="block secondary"
                        aria-busy=move || collect.pending().get().then_some("true")>
                        "I approved it, continue"
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
