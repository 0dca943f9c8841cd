use leptos::prelude::*;
use leptos_meta::Title;

use crate::routes;

/// The router's fallback.
#[component]
pub fn NotFound() -> impl IntoView {
    view! { <NotFoundBecause why="The page you asked for does not exist or is not yours to see."/> }
}

/// A 404 that says why, for a page that exists but not for this request.
#[component]
pub fn NotFoundBecause(#[prop(into)] why: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <section class="card">
            <h1>"Page not found"</h1>
            <p>{why}</p>
            <a class="button" href=routes::START>"Go to the start page"</a>
        </section>
    }
}
