//! The HTML shell, the router and the layout shared by every page.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    hooks::use_location,
    path, SsrMode,
};

use crate::error::AppError;
use crate::pages::{
    account::AccountPage,
    appointments::{AppointmentPage, AppointmentsPage},
    check_email::CheckEmailPage,
    dev_mailbox::DevMailboxPage,
    form_response::FormResponsePage,
    login::LoginPage,
    login_link::LoginLinkPage,
    not_found::NotFound,
    password::{NewPasswordPage, PasswordResetPage},
};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.ico"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_hydrated();

    view! {
        <Stylesheet id="leptos" href="/pkg/carelink.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Carelink".to_owned() } else { format!("{page} · Carelink") }/>
        <Router>
            <SiteHeader/>
            <main class="site-main">
                // Async: these pages answer 404 or redirect only once their data is known.
                <Routes fallback=NotFound>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/login/check-email") view=CheckEmailPage/>
                    <Route path=path!("/login/link/:token") view=LoginLinkPage ssr=SsrMode::Async/>
                    <Route path=path!("/password/reset") view=PasswordResetPage/>
                    <Route path=path!("/password/new") view=NewPasswordPage/>
                    <Route path=path!("/appointments") view=AppointmentsPage/>
                    <Route path=path!("/appointments/:id") view=AppointmentPage ssr=SsrMode::Async/>
                    <Route path=path!("/forms/:id") view=FormResponsePage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=AccountPage/>
                    <Route path=path!("/dev/mailbox") view=DevMailboxPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// The signed-in patient's name, for the header.
#[server(endpoint = "signed_in_name")]
pub async fn signed_in_name() -> Result<Option<String>, AppError> {
    crate::auth::sign_in::signed_in_name().await
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::auth::sign_in::sign_out().await
}

#[component]
fn SiteHeader() -> impl IntoView {
    // Asked again on every navigation, so the header follows sign-in and sign-out.
    let path = move || use_location().pathname.get();
    let me = Resource::new(path, |_| signed_in_name());
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="site-header">
            <a class="brand" href="/appointments">"Carelink"</a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.await.ok().flatten().map(|name| view! {
                        <nav class="site-nav" aria-label="Main">
                            <a href="/appointments">"Appointments"</a>
                            <a href="/account" title=name.clone()>"Account"</a>
                            <ActionForm action=sign_out>
                                <button type="submit" class="link">"Sign out"</button>
                            </ActionForm>
                        </nav>
                    })
                })}
            </Suspense>
        </header>
    }
}

/// Sets `data-hydrated` on `<body>` once the WASM client has taken over the server-rendered page.
/// Effects never run during server rendering, so the attribute proves hydration; end-to-end tests
/// wait for it before they click.
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
