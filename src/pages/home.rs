use leptos::prelude::*;
use leptos_meta::Title;

/// The start page: what Carelink is, and the way in.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=""/>
        <section class="card hero">
            <h1>"Your virtual care, one click away"</h1>
            <p>
                "See your upcoming appointments, join video visits and read your form responses. "
                "Sign in with a Secure Login Link sent to your email: no password to remember."
            </p>
        </section>
    }
}
