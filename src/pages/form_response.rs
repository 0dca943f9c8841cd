//! `/forms/{id}`: one of the patient's form responses.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::RecordPage;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FormResponseView {
    pub title: String,
    pub submitted: String,
    pub answers: Vec<(String, String)>,
}

/// `None` both when it does not exist and when it is another patient's: the same 404.
#[server(endpoint = "my_form_response")]
pub async fn my_form_response(id: i64) -> Result<Option<FormResponseView>, ServerFnError> {
    use crate::{auth, care::forms, clock, state::AppState};
    let user = auth::require_user().await?;
    let state = AppState::from_context()?;
    let found = forms::find(&state.pool, user.id, id)
        .await
        .map_err(auth::internal_error)?;
    Ok(found.map(|f| FormResponseView {
        title: f.form_title,
        submitted: clock::human(clock::from_millis(f.submitted_at)),
        answers: f
            .answers
            .into_iter()
            .map(|a| (a.question, a.answer))
            .collect(),
    }))
}

#[component]
pub fn FormResponsePage() -> impl IntoView {
    view! { <RecordPage load=my_form_response show=|form| view! { <FormResponseDetail form/> }/> }
}

#[component]
fn FormResponseDetail(form: FormResponseView) -> impl IntoView {
    view! {
        <Title text=form.title.clone()/>
        <p><a href="/appointments">"← Your appointments"</a></p>
        <section class="card">
            <h1>{form.title}</h1>
            <p class="muted">"Submitted " {form.submitted}</p>
            <dl class="answers">
                {form.answers.into_iter().map(|(q, a)| view! { <dt>{q}</dt><dd>{a}</dd> }).collect_view()}
            </dl>
        </section>
    }
}
