//! `/appointments` (upcoming first, then past) and `/appointments/{id}`.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::{LoadError, RecordPage, Time, When};
use crate::{error::AppError, language::Words, routes};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppointmentView {
    pub id: i64,
    pub when: When,
    pub clinician: String,
    pub reason: String,
    pub video_url: Option<String>,
    /// Not over yet (cancelled or not).
    pub upcoming: bool,
    /// About to start or on: the video visit's button is the page's main one.
    pub joinable: bool,
    /// Called off by the clinic: said so, with nothing to join.
    pub cancelled: bool,
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
            upcoming: now < a.ends(),
            joinable: phase == Phase::Joinable,
            cancelled: phase == Phase::Cancelled,
            clinician: a.clinician,
            reason: a.reason,
            video_url: a.video_url,
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
    let words = req.words();
    let not_found = || AppError::refused(404, words.get("appointment-not-found"));
    let id = id.parse::<i64>().map_err(|_| not_found())?;
    let public_url = &req.state.settings.server.public_url;
    let file = req
        .state
        .care
        .calendar_file(&user, id, public_url, &words)
        .await?;
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
    let t = Words::here();
    let appointments = Resource::new(|| (), |_| list_appointments());
    view! {
        <Title text=t.get("appointments-title")/>
        <h1>{t.get("appointments-heading")}</h1>
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
    let t = Words::here();
    if list.is_empty() {
        return view! {
            <section class="card empty">
                <h2>{t.get("appointments-none-heading")}</h2>
                <p class="muted">{t.get("appointments-none")}</p>
            </section>
        }
        .into_any();
    }
    let (upcoming, past): (Vec<_>, Vec<_>) = list.into_iter().partition(|a| a.upcoming);
    view! {
        <h2>{t.get("appointments-upcoming")}</h2>
        {if upcoming.is_empty() {
            view! { <p class="card muted">{t.get("appointments-nothing-booked")}</p> }.into_any()
        } else {
            view! { <ul class="appointments">{upcoming.into_iter().map(|a| view! { <AppointmentRow a/> }).collect_view()}</ul> }.into_any()
        }}
        {(!past.is_empty()).then(|| view! {
            <h2>{t.get("appointments-past")}</h2>
            <ul class="appointments past">{past.into_iter().map(|a| view! { <AppointmentRow a/> }).collect_view()}</ul>
        })}
    }
    .into_any()
}

#[component]
fn AppointmentRow(a: AppointmentView) -> impl IntoView {
    let t = Words::here();
    let join = a.video_url.clone().filter(|_| a.joinable);
    view! {
        <li class="card appointment" class:joinable=a.joinable class:cancelled=a.cancelled>
            <a class="appointment-link" href=routes::appointment(a.id)>
                <span class="when"><Time when=a.when/></span>
                {a.cancelled.then(|| view! { <span class="status">{t.get("appointment-cancelled-badge")}</span> })}
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
    let t = Words::here();
    view! {
        <a class="button join" class:secondary=!prominent href=url target="_blank" rel="noopener noreferrer">
            {t.get("appointment-join")}<span class="visually-hidden">" " {t.get("appointment-new-tab")}</span>
        </a>
    }
}

#[component]
pub fn AppointmentPage() -> impl IntoView {
    view! { <RecordPage load=load_appointment show=|a| view! { <AppointmentDetail a/> }/> }
}

#[component]
fn AppointmentDetail(a: AppointmentView) -> impl IntoView {
    let t = Words::here();
    let with = t.with(
        "appointment-with",
        &[("clinician", a.clinician.clone().into())],
    );
    view! {
        <Title text=with.clone()/>
        <p><a href=routes::APPOINTMENTS>{t.get("appointment-all")}</a></p>
        <section class="card">
            <h1>{with}</h1>
            <p class="when"><Time when=a.when/></p>
            {(!a.reason.is_empty()).then(|| view! { <p>{a.reason}</p> })}
            {match (a.upcoming, a.video_url) {
                _ if a.cancelled => view! { <p class="lead">{t.get("appointment-cancelled")}</p> }.into_any(),
                (true, Some(url)) if a.joinable => view! {
                    <p class="lead">{t.get("appointment-starts-soon")}</p>
                    <JoinButton url prominent=true/>
                }.into_any(),
                (true, Some(url)) => view! {
                    <p class="muted">{t.get("appointment-join-from")}</p>
                    <JoinButton url prominent=false/>
                }.into_any(),
                (true, None) => view! { <p class="muted">{t.get("appointment-clinic-will-share")}</p> }.into_any(),
                (false, _) => view! { <p class="muted">{t.get("appointment-passed")}</p> }.into_any(),
            }}
            {a.upcoming.then(|| view! {
                <p><a class="button secondary" href=routes::calendar(a.id) download>{t.get("appointment-add-to-calendar")}<span class="visually-hidden">" " {t.get("appointment-ics-file")}</span></a></p>
            })}
        </section>
    }
}
