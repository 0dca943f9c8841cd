//! `/appointments` (upcoming first, then past) and `/appointments/{id}`.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::{LoadError, RecordPage, Time, When};
use crate::{error::AppError, routes};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppointmentView {
    pub id: i64,
    pub when: When,
    pub clinician: String,
    pub reason: String,
    pub video_url: Option<String>,
    pub upcoming: bool,
    /// About to start or on: the video visit's button is the page's main one.
    pub joinable: bool,
}

#[cfg(feature = "ssr")]
impl AppointmentView {
    fn new(
        a: crate::care::appointments::Appointment,
        now: time::OffsetDateTime,
        zone: &crate::clock::Zone,
    ) -> Self {
        use crate::care::appointments::Phase;
        let phase = a.phase(now);
        Self {
            id: a.id,
            when: When::at(a.starts_at, zone),
            clinician: a.clinician,
            reason: a.reason,
            video_url: a.video_url,
            upcoming: phase != Phase::Past,
            joinable: phase == Phase::Joinable,
        }
    }
}

#[server(endpoint = "list_appointments")]
pub async fn list_appointments() -> Result<Vec<AppointmentView>, AppError> {
    let req = crate::auth::RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let (care, zone) = (&req.state.care, req.accounts().zone_of(&user));
    let now = care.now();
    let list = care.appointments_of(user.id).await?;
    Ok(list
        .into_iter()
        .map(|a| AppointmentView::new(a, now, &zone))
        .collect())
}

/// `None` both when it does not exist and when it is another patient's: the same 404.
#[server(endpoint = "load_appointment")]
pub async fn load_appointment(id: i64) -> Result<Option<AppointmentView>, AppError> {
    let req = crate::auth::RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let (care, zone) = (&req.state.care, req.accounts().zone_of(&user));
    let found = care.appointment(user.id, id).await?;
    Ok(found.map(|a| AppointmentView::new(a, care.now(), &zone)))
}

/// `/appointments/{id}/calendar.ics`, "Add to calendar": a download of the patient's own
/// appointment; anyone else's is not found, as on its page.
#[cfg(feature = "ssr")]
pub async fn calendar_file(
    req: crate::auth::RequestContext,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<axum::response::Response, AppError> {
    use axum::{http::header, response::IntoResponse};
    let user = req.require_patient().await?;
    let not_found = || AppError::refused(404, "There is no such appointment in your account.");
    let id = id.parse::<i64>().map_err(|_| not_found())?;
    let public_url = &req.state.settings.server.public_url;
    let file = req.state.care.calendar_file(&user, id, public_url).await?;
    let file = file.ok_or_else(not_found)?;
    let headers = [
        (
            header::CONTENT_TYPE,
            "text/calendar; charset=utf-8".to_owned(),
        ),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"appointment-{id}.ics\""),
        ),
    ];
    Ok((headers, file).into_response())
}

#[component]
pub fn AppointmentsPage() -> impl IntoView {
    let appointments = Resource::new(|| (), |_| list_appointments());
    view! {
        <Title text="Your appointments"/>
        <h1>"Your appointments"</h1>
        <Suspense fallback=|| ()>
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
    let join = a.video_url.clone().filter(|_| a.joinable);
    view! {
        <li class="card appointment" class:joinable=a.joinable>
            <a class="appointment-link" href=routes::appointment(a.id)>
                <span class="when"><Time when=a.when/></span>
                <span class="who">{a.clinician}</span>
                {(!a.reason.is_empty()).then(|| view! { <span class="muted">{a.reason}</span> })}
            </a>
            {join.map(|url| view! { <JoinButton url prominent=true/> })}
        </li>
    }
}

/// The way into the video visit, opened beside the portal; `prominent` once it is time.
#[component]
fn JoinButton(url: String, prominent: bool) -> impl IntoView {
    view! {
        <a class="button join" class:secondary=!prominent href=url target="_blank" rel="noopener noreferrer">
            "Join video visit"<span class="visually-hidden">" (opens in a new tab)"</span>
        </a>
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
        <p><a href=routes::APPOINTMENTS>"← All appointments"</a></p>
        <section class="card">
            <h1>{format!("Appointment with {}", a.clinician)}</h1>
            <p class="when"><Time when=a.when/></p>
            {(!a.reason.is_empty()).then(|| view! { <p>{a.reason}</p> })}
            {match (a.upcoming, a.video_url) {
                (true, Some(url)) if a.joinable => view! {
                    <p class="lead">"Your visit starts soon. Join when you are ready."</p>
                    <JoinButton url prominent=true/>
                }.into_any(),
                (true, Some(url)) => view! {
                    <p class="muted">"Join from 15 minutes before the start. You can open it now to check your camera and sound."</p>
                    <JoinButton url prominent=false/>
                }.into_any(),
                (true, None) => view! { <p class="muted">"Your clinic will share how to join before the visit."</p> }.into_any(),
                (false, _) => view! { <p class="muted">"This appointment has passed."</p> }.into_any(),
            }}
            {a.upcoming.then(|| view! {
                <p><a class="button secondary" href=routes::calendar(a.id) download>"Add to calendar"<span class="visually-hidden">" (.ics file)"</span></a></p>
            })}
        </section>
    }
}
