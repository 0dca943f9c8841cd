use leptos::prelude::*;
use leptos_meta::Title;

use crate::{language::Words, routes};

/// The router's fallback.
#[component]
pub fn NotFound() -> impl IntoView {
    view! { <NotFoundBecause why=Words::here().get("not-found")/> }
}

/// A 404 that says why, for a page that exists but not for this request.
#[component]
pub fn NotFoundBecause(#[prop(into)] why: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let t = Words::here();
    view! {
        <Title text=t.get("not-found-title")/>
        <section class="card">
            <h1>{t.get("not-found-heading")}</h1>
            <p>{why}</p>
            <a class="button" href=routes::START>{t.get("not-found-start")}</a>
        </section>
    }
}
