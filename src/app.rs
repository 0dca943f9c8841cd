//! The HTML shell, the router and the layout shared by every page.
//!
//! Pages are rendered on the server only, complete in their first HTML (whole, so data is in
//! place without a script), and their forms are plain HTML forms that work without JavaScript.
//! The WASM hydrates only the islands that make a page nicer, each beside the page it serves: a
//! link that signs in by itself, the "Send again" countdown, the screen that waits for a phone.
//! A few lines of inline script, allowed by the response's CSP nonce, work from the
//! first paint: they show a button's work while its form posts.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::{provide_meta_context, Meta, MetaTags, Title};
use leptos_router::{
    components::{Outlet, ParentRoute, Route, Router, Routes},
    path, ParamSegment, SsrMode, StaticSegment,
};

use crate::{
    error::AppError,
    language::{Language, Words},
    pages::{
        account::AccountPage,
        appointments::{AppointmentPage, AppointmentsPage},
        check_email::CheckEmailPage,
        dev_mailbox::DevMailboxPage,
        form_response::FormResponsePage,
        idle_warning::IdleWarning,
        login::LoginPage,
        login_link::LoginLinkPage,
        not_found::NotFound,
        passkeys::PasskeyOffer,
        password::{NewPasswordPage, PasswordResetPage},
        this_page, FormResult,
    },
    routes::{self, segment as s},
};

/// Runs before the page is shown, with or without the WASM: marks the page as scripted (for
/// styles that only make sense then), fills in the browser's time zone on sign-in forms, and
/// shows a submit button's work ("Sending…", `aria-busy`) while a plain form posts. Forms an
/// island handles itself (their submit is prevented) are left alone.
const PAGE_SCRIPT: &str = r#"document.documentElement.classList.replace("no-js","js");
function carelinkZone(){try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone;document.querySelectorAll("input[name=time_zone]").forEach(function(i){i.value=z})}catch(_){}}
addEventListener("DOMContentLoaded",carelinkZone);
addEventListener("submit",function(e){if(e.defaultPrevented)return;carelinkZone();var b=e.submitter||e.target.querySelector("button[type=submit]");if(b&&b.dataset.busy){b.setAttribute("aria-busy","true");b.dataset.idle=b.innerHTML;b.textContent=b.dataset.busy}});
addEventListener("pageshow",function(){document.querySelectorAll("button[aria-busy=true]").forEach(function(b){b.removeAttribute("aria-busy");if(b.dataset.idle)b.innerHTML=b.dataset.idle})});"#;

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=Language::current().tag() class="no-js">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href=routes::FAVICON/>
                <script nonce=use_nonce() inner_html=PAGE_SCRIPT></script>
                <AutoReload options=options.clone()/>
                // `id="leptos"`: where `cargo leptos watch` swaps in a changed stylesheet.
                <link rel="stylesheet" id="leptos" href=stylesheet(&options)/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// `/pkg/carelink.css`, or its hashed name from `hash.txt` beside the binary (a release build),
/// read once: leptos_meta's `HashedStylesheet` reads that file on every render, a tenth of a
/// page's time under load.
fn stylesheet(options: &LeptosOptions) -> &'static str {
    static HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HREF.get_or_init(|| {
        let (pkg, name) = (&options.site_pkg_dir, &options.output_name);
        let hash = options
            .hash_files
            .then(|| css_hash(&options.hash_file))
            .flatten();
        match hash {
            Some(hash) => format!("/{pkg}/{name}.{hash}.css"),
            None => format!("/{pkg}/{name}.css"),
        }
    })
}

/// The stylesheet's line of `hash.txt` ("css: <hash>").
fn css_hash(hash_file: &str) -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let hashes = std::fs::read_to_string(exe.parent()?.join(hash_file)).ok()?;
    hashes.lines().find_map(|line| {
        let (file, hash) = line.split_once(':')?;
        (file.trim() == "css").then(|| hash.trim().to_owned())
    })
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let t = Words::here();
    let clinic = t.clinic().to_owned();

    view! {
        // A patient portal has nothing for search engines.
        <Meta name="robots" content="noindex, nofollow"/>
        <Title formatter=move |page: String| if page.is_empty() { clinic.clone() } else { format!("{page} · {clinic}") }/>
        <Router>
            <a class="skip-link" href="#main">{t.get("portal-skip-to-main")}</a>
            <SiteHeader/>
            <main class="site-main" id="main">
                // "Sign out" and the language switch post from the header of any page, and come back
                // to it if they failed.
                <FormResult form=SignOut::url()/>
                <FormResult form=ChooseLanguage::url()/>
                <PasskeyOffer/>
                <Routes fallback=NotFound>
                    // Whole: every page's data is in its first HTML, readable without a script,
                    // and the page leaves in one write (streaming it in order took a write per
                    // part: a quarter fewer pages a second under load).
                    <ParentRoute path=path!("") view=Outlet ssr=SsrMode::Async>
                    <Route path=StaticSegment(s::LOGIN) view=LoginPage/>
                    <Route path=(StaticSegment(s::LOGIN), StaticSegment(s::CHECK_EMAIL)) view=CheckEmailPage/>
                    <Route path=(StaticSegment(s::LOGIN), StaticSegment(s::LINK), ParamSegment("token")) view=LoginLinkPage/>
                    <Route path=(StaticSegment(s::PASSWORD), StaticSegment(s::RESET)) view=PasswordResetPage/>
                    <Route path=(StaticSegment(s::PASSWORD), StaticSegment(s::NEW)) view=NewPasswordPage/>
                    <Route path=StaticSegment(s::APPOINTMENTS) view=AppointmentsPage/>
                    <Route path=(StaticSegment(s::APPOINTMENTS), ParamSegment("id")) view=AppointmentPage/>
                    <Route path=(StaticSegment(s::FORMS), ParamSegment("id")) view=FormResponsePage/>
                    <Route path=StaticSegment(s::ACCOUNT) view=AccountPage/>
                    <Route path=(StaticSegment(s::DEV), StaticSegment(s::MAILBOX)) view=DevMailboxPage/>
                    </ParentRoute>
                </Routes>
            </main>
            <Help/>
        </Router>
        // Last, so that every other island has hydrated and run its first effects when it marks
        // the page.
        <HydrationMarker/>
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

#[server(endpoint = "choose_language")]
pub async fn choose_language(language: String, back: String) -> Result<(), AppError> {
    crate::auth::sign_in::choose_language(language, back).await
}

#[component]
fn SiteHeader() -> impl IntoView {
    let t = Words::here();
    let me = Resource::new(|| (), |_| signed_in_name());
    let (nav, appointments, account) = (
        t.get("portal-nav-label"),
        t.get("portal-nav-appointments"),
        t.get("portal-nav-account"),
    );
    let (sign_out, signing_out) = (t.get("portal-sign-out"), t.get("portal-signing-out"));
    view! {
        <header class="site-header">
            <a class="brand" class:with-logo=has_logo() href=routes::APPOINTMENTS>
                {has_logo().then(|| view! { <img class="brand-logo" src=routes::CLINIC_LOGO alt="" height="32"/> })}
                {t.clinic().to_owned()}
            </a>
            <Suspense fallback=|| ()>
                {move || {
                    let (nav, appointments, account) = (nav.clone(), appointments.clone(), account.clone());
                    let (sign_out, signing_out) = (sign_out.clone(), signing_out.clone());
                    Suspend::new(async move {
                        me.await.ok().flatten().map(|name| view! {
                            <nav class="site-nav" aria-label=nav>
                                <a href=routes::APPOINTMENTS>{appointments}</a>
                                <a href=routes::ACCOUNT title=name>{account}</a>
                                <form method="post" action=SignOut::url()>
                                    <button type="submit" class="link" data-busy=signing_out>{sign_out}</button>
                                </form>
                            </nav>
                            <IdleWarning/>
                        })
                    })
                }}
            </Suspense>
            <LanguageSwitch/>
        </header>
    }
}

/// The switch to the other language, on every page: a plain form, so it works without a
/// script, back to this same page. Its label is in the language it switches to (`lang`).
#[component]
fn LanguageSwitch() -> impl IntoView {
    let other = Language::current().other();
    let back = this_page();
    view! {
        <form class="language-switch" method="post" action=ChooseLanguage::url()>
            <input type="hidden" name="language" value=other.code()/>
            <input type="hidden" name="back" value=back/>
            <button type="submit" class="link" lang=other.tag()>{other.own_name()}</button>
        </form>
    }
}

/// "Need a hand?": in the same place on every page (WCAG 3.2.6), whom to ask.
#[component]
fn Help() -> impl IntoView {
    let t = Words::here();
    let (email, phone) = clinic_contacts();
    let contacts = email.is_some() || phone.is_some();
    view! {
        <footer class="site-help">
            <h2>{t.get("portal-help-heading")}</h2>
            {if contacts {
                view! {
                    <p>{t.get("portal-help-lead")}</p>
                    <ul>
                        {email.map(|email| view! { <li><a href=format!("mailto:{email}")>{email.clone()}</a></li> })}
                        {phone.map(|(shown, dialled)| view! { <li><a href=format!("tel:{dialled}")>{shown}</a></li> })}
                    </ul>
                }.into_any()
            } else {
                view! { <p>{t.get("portal-help-ask-clinic")}</p> }.into_any()
            }}
        </footer>
    }
}

/// Whether the clinic has a logo (`CLINIC_LOGO`), shown beside its name.
fn has_logo() -> bool {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<crate::state::AppState>() {
        return state.settings.clinic.logo.is_some();
    }
    false
}

/// The clinic's support email, and its phone as shown and as dialled (digits and `+` only).
fn clinic_contacts() -> (Option<String>, Option<(String, String)>) {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<crate::state::AppState>() {
        let clinic = &state.settings.clinic;
        let phone = clinic.support_phone.clone().map(|shown| {
            // An extension is not dialled.
            let number = shown.split("ext").next().unwrap_or_default();
            let dialled = number
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            (shown, dialled)
        });
        let email = clinic
            .support_email
            .as_ref()
            .map(|email| email.as_str().to_owned());
        return (email, phone);
    }
    (None, None)
}

/// Sets `data-hydrated` on `<body>` once the WASM has run. Effects never run on the server, so
/// the attribute proves it; end-to-end tests wait for it before they rely on an island.
#[island]
pub fn HydrationMarker() -> impl IntoView {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
