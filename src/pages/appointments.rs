//! `/appointments` (upcoming first, then past) and `/appointments/{id}`.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::{LoadError, RecordPage};
use crate::error::AppError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppointmentView {
    pub id: i64,
    /// "Tuesday 1 December 2026 at 14:30 UTC"
    pub when: String,
    pub clinician: String,
    pub reason: String,
    pub video_url: Option<String>,
    pub upcoming: bool,
}

#[cfg(feature = "ssr")]
impl AppointmentView {
    fn new(a: crate::care::appointments::Appointment, now: time::OffsetDateTime) -> Self {
        let starts_at = time::OffsetDateTime::from(a.starts_at);
        Self {
            id: a.id,
            when: crate::clock::human(starts_at),
            clinician: a.clinician,
            reason: a.reason,
            video_url: a.video_url,
            upcoming: starts_at >= now,
        }
    }
}

#[server(endpoint = "list_appointments")]
pub async fn list_appointments() -> Result<Vec<AppointmentView>, AppError> {
    let req = crate::auth::RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let care = &req.state.care;
    let now = care.now();
    let list = care.appointments_of(user.id).await?;
    Ok(list
        .into_iter()
        .map(|a| AppointmentView::new(a, now))
        .collect())
}

/// `None` both when it does not exist and when it is another patient's: the same 404.
#[server(endpoint = "load_appointment")]
pub async fn load_appointment(id: i64) -> Result<Option<AppointmentView>, AppError> {
    let req = crate::auth::RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let care = &req.state.care;
    let found = care.appointment(user.id, id).await?;
    Ok(found.map(|a| AppointmentView::new(a, care.now())))
}

#[component]
pub fn AppointmentsPage() -> impl IntoView {
    let appointments = Resource::new(|| (), |_| list_appointments());
    view! {
        <Title text="Your appointments"/>
        <h1>"Your appointments"</h1>
        <Suspense fallback=|| view! { <p class="muted">"Loading your appointments…"</p> }>
            {move || Suspend::new(async move {
                match appointments.await {
                    Ok(list) => view! { <AppointmentList list/> }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AppointmentList(list: Vec<AppointmentView>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <section class="card empty">
                <h2>"No appointments yet"</h2>
                <p class="muted">"When your clinic books an appointment for you, it appears here and we email you."</p>
            </section>
        }
        .into_any();
    }
    let (upcoming, past): (Vec<_>, Vec<_>) = list.into_iter().partition(|a| a.upcoming);
    view! {
        <h2>"Upcoming"</h2>
        {if upcoming.is_empty() {
            view! { <p class="card muted">"Nothing booked. Your clinic will email you when there is."</p> }.into_any()
        } else {
            view! { <ul class="appointments">{upcoming.into_iter().map(|a| view! { <AppointmentRow a/> }).collect_view()}</ul> }.into_any()
        }}
        {(!past.is_empty()).then(|| view! {
            <h2>"Past"</h2>
            <ul class="appointments past">{past.into_iter().map(|a| view! { <AppointmentRow a/> }).collect_view()}</ul>
        })}
    }
    .into_any()
}

#[component]
fn AppointmentRow(a: AppointmentView) -> impl IntoView {
    view! {
        <li class="card appointment">
            <a class="appointment-link" href=format!("/appointments/{}", a.id)>
                <span class="when">{a.when}</span>
                <span class="who">{a.clinician}</span>
                {(!a.reason.is_empty()).then(|| view! { <span class="muted">{a.reason}</span> })}
            </a>
        </li>
    }
}

#[component]
pub fn AppointmentPage() -> impl IntoView {
    view! { <RecordPage load=load_appointment show=|a| view! { <AppointmentDetail a/> }/> }
}

#[component]
fn AppointmentDetail(a: AppointmentView) -> impl IntoView {
    view! {
        <Title text=format!("Appointment with {}", a.clinician)/>
        <p><a href="/appointments">"← All appointments"</a></p>
        <section class="card">
            <h1>{format!("Appointment with {}", a.clinician)}</h1>
            <p class="when">{a.when}</p>
            {(!a.reason.is_empty()).then(|| view! { <p>{a.reason}</p> })}
            {match (a.upcoming, a.video_url) {
                (true, Some(url)) => view! {
                    <a class="button" href=url target="_blank" rel="noopener noreferrer">"Join video visit"</a>
                }.into_any(),
                (true, None) => view! { <p class="muted">"Your clinic will share how to join before the visit."</p> }.into_any(),
                (false, _) => view! { <p class="muted">"This appointment has passed."</p> }.into_any(),
            }}
        </section>
    }
}
