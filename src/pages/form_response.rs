//! `/forms/{id}`: one of the patient's form responses.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::{RecordPage, TimeIn, When};
use crate::{error::AppError, language::Words, routes};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FormResponseView {
    pub title: String,
    pub submitted: When,
    pub answers: Vec<(String, String)>,
}

/// `None` both when it does not exist and when it is another patient's: the same 404.
#[server(endpoint = "load_form_response")]
pub async fn load_form_response(id: i64) -> Result<Option<FormResponseView>, AppError> {
    let req = crate::auth::RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let found = req.state.care.form_response(user.id, id).await?;
    let zone = req.accounts().zone_of(&user);
    Ok(found.map(|f| FormResponseView {
        title: f.form_title,
        submitted: When::at(f.submitted_at, &zone),
        answers: f
            .answers
            .into_iter()
            .map(|a| (a.question, a.answer))
            .collect(),
    }))
}

#[component]
pub fn FormResponsePage() -> impl IntoView {
    view! { <RecordPage load=load_form_response show=|form| view! { <FormResponseDetail form/> }/> }
}

#[component]
fn FormResponseDetail(form: FormResponseView) -> impl IntoView {
    let t = Words::here();
    view! {
        <Title text=form.title.clone()/>
        <p><a href=routes::APPOINTMENTS>{t.get("form-back")}</a></p>
        <section class="card">
            <h1>{form.title}</h1>
            <p class="muted"><TimeIn id="form-submitted" when=form.submitted/></p>
            <dl class="answers">
                {form.answers.into_iter().map(|(q, a)| view! { <dt>{q}</dt><dd>{a}</dd> }).collect_view()}
            </dl>
        </section>
    }
}
