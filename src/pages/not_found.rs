use leptos::prelude::*;
use leptos_meta::Title;

use crate::routes;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <section class="card">
            <h1>"Page not found"</h1>
            <p>"The page you asked for does not exist or is not yours to see."</p>
            <a class="button" href=routes::START>"Go to the start page"</a>
        </section>
    }
}
