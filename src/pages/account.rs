//! `/account`: who is signed in, their passkeys, the browsers they signed in on, changing the
//! password, signing out everywhere, and recent sign-in activity.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::{
    failed, passkeys::AddPasskeyButton, FormResult, LoadError, NewPasswordFields, Time, TimeIn,
    When,
};
use crate::{
    app::ChooseLanguage,
    error::AppError,
    language::{Language, Words},
    routes,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountView {
    pub name: String,
    pub email: String,
    /// The zone times read in, and every zone there is, to choose another.
    pub time_zone: String,
    pub time_zones: Vec<String>,
    pub activity: Vec<ActivityView>,
    // Named as the client of an older build expects it, during an upgrade.
    #[serde(rename = "devices")]
    pub known_browsers: Vec<KnownBrowserView>,
    #[serde(default)]
    pub passkeys: Vec<PasskeyView>,
}

/// A passkey the patient saved: its name (the browser it was made in, or theirs), when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: i64,
    pub name: String,
    pub added: When,
    pub last_used: Option<When>,
    pub synced: bool,
}

/// A browser the patient has signed in on: a login link opened there signs in without a click.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KnownBrowserView {
    pub id: i64,
    pub browser: String,
    pub last_used: When,
    pub this_browser: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ActivityView {
    pub what: String,
    pub when: When,
    pub from: String,
}

#[server(endpoint = "load_account")]
pub async fn load_account() -> Result<AccountView, AppError> {
    use crate::auth::RequestContext;
    let req = RequestContext::from_leptos()?;
    let user = req.require_patient().await?;
    let zone = req.accounts().zone_of(&user);
    let activity = req
        .accounts()
        .recent_activity(&user)
        .await?
        .into_iter()
        .map(|e| ActivityView {
            what: req.words().get(e.kind.message()),
            when: When::at(e.occurred_at, &zone),
            from: where_from(e.user_agent, e.ip),
        })
        .collect();
    let known_browsers = req
        .accounts()
        .known_browsers(&user, &req.browser)
        .await?
        .into_iter()
        .map(|b| KnownBrowserView {
            id: b.id,
            browser: where_from(b.user_agent, b.ip),
            last_used: When::at(b.last_used_at, &zone),
            this_browser: b.current.0,
        })
        .collect();
    let passkeys = req
        .accounts()
        .passkeys(&user)
        .await?
        .into_iter()
        .map(|p| PasskeyView {
            id: p.id,
            added: When::at(p.added(), &zone),
            last_used: p.last_used().map(|at| When::at(at, &zone)),
            synced: p.backed_up.0,
            name: p.name,
        })
        .collect();
    Ok(AccountView {
        passkeys,
        name: user.display_name,
        email: user.email.to_string(),
        time_zone: zone.name().to_owned(),
        time_zones: zone.choices(),
        activity,
        known_browsers,
    })
}

/// "Chrome on Android · 203.0.113.7", as far as it is known.
#[cfg(feature = "ssr")]
fn where_from(user_agent: Option<String>, ip: Option<String>) -> String {
    let t = crate::language::Words::here();
    let browser = crate::accounts::user_agent::describe(user_agent.as_deref(), &t)
        .unwrap_or_else(|| t.get("account-unknown-browser"));
    match ip {
        Some(ip) => format!("{browser} · {ip}"),
        None => browser,
    }
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    crate::auth::passwords::change_password(current_password, new_password, confirm_password).await
}

#[server(endpoint = "set_time_zone")]
pub async fn set_time_zone(time_zone: String) -> Result<(), AppError> {
    crate::auth::sign_in::set_time_zone(time_zone).await
}

#[server(endpoint = "forget_browser")]
pub async fn forget_browser(id: i64) -> Result<(), AppError> {
    crate::auth::sign_in::forget_browser(id).await
}

#[server(endpoint = "rename_passkey")]
pub async fn rename_passkey(id: i64, name: String) -> Result<(), AppError> {
    crate::auth::passkeys::rename(id, name).await
}

#[server(endpoint = "remove_passkey")]
pub async fn remove_passkey(id: i64) -> Result<(), AppError> {
    crate::auth::passkeys::remove(id).await
}

#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    crate::auth::sign_in::sign_out_everywhere().await
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let t = Words::here();
    let account = Resource::new(|| (), |_| load_account());
    let (change, forget) = (ChangePassword::url(), ForgetBrowser::url());
    view! {
        <Title text=t.get("account-title")/>
        <h1>{t.get("account-heading")}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let t = Words::here();
                match account.await {
                    Ok(account) => view! {
                        <section class="card">
                            <h2>{t.get("account-profile")}</h2>
                            <p><strong>{account.name}</strong><br/><span class="muted">{account.email}</span></p>
                        </section>
                        <LanguageSection/>
                        <TimeZoneSection current=account.time_zone zones=account.time_zones/>
                        <PasskeysSection passkeys=account.passkeys/>
                        <section class="card">
                            <h2>{t.get("account-browsers")}</h2>
                            <p class="muted">{t.get("account-browsers-lead")}</p>
                            <FormResult form=forget/>
                            <ul class="devices">
                                {account.known_browsers.into_iter().map(|b| view! {
                                    <li>
                                        <span>
                                            <strong>{t.get(if b.this_browser { "account-this-browser" } else { "account-another-browser" })}</strong><br/>
                                            <span class="muted">{b.browser} " · " <TimeIn id="account-last-used" when=b.last_used/></span>
                                        </span>
                                        <form method="post" action=forget>
                                            <input type="hidden" name="id" value=b.id/>
                                            <button type="submit" class="secondary small" data-busy=t.get("account-forgetting")>{t.get("account-forget")}</button>
                                        </form>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                        <section class="card">
                            <h2>{t.get("account-activity")}</h2>
                            <ul class="activity">
                                {account.activity.into_iter().map(|a| view! {
                                    <li><strong>{a.what}</strong><br/><span class="muted"><Time when=a.when/> " · " {a.from}</span></li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Suspense>
        <section class="card">
            <h2>{t.get("account-change-password")}</h2>
            <FormResult form=change/>
            <form method="post" action=change>
                <div class="field">
                    <label for="current_password">{t.get("account-current-password")}</label>
                    <input id="current_password" type="password" name="current_password"
                        autocomplete="current-password" required autofocus=failed(change)/>
                </div>
                <NewPasswordFields/>
                <button type="submit" data-busy=t.get("account-changing")>{t.get("account-change-password")}</button>
            </form>
        </section>
        <section class="card">
            <h2>{t.get("account-sign-out-everywhere")}</h2>
            <p class="muted">{t.get("account-sign-out-everywhere-lead")}</p>
            <p class="muted">{t.get("account-sign-out-everywhere-passkeys")}</p>
            <FormResult form=SignOutEverywhere::url()/>
            <form method="post" action=SignOutEverywhere::url()>
                <button type="submit" class="secondary" data-busy=t.get("portal-signing-out")>{t.get("account-sign-out-everywhere")}</button>
            </form>
        </section>
    }
}

/// The patient's passkeys: each renamed or removed with a plain form; "Add a passkey" where the
/// browser can make one.
#[component]
fn PasskeysSection(passkeys: Vec<PasskeyView>) -> impl IntoView {
    let t = Words::here();
    let (rename, remove) = (RenamePasskey::url(), RemovePasskey::url());
    let none = passkeys
        .is_empty()
        .then(|| view! { <p>{t.get("account-passkeys-none")}</p> });
    view! {
        <section class="card passkeys">
            <h2>{t.get("account-passkeys")}</h2>
            <p class="muted">{t.get("account-passkeys-lead")}</p>
            <FormResult form=rename/>
            <FormResult form=remove/>
            {none}
            <ul class="devices">
                {passkeys.into_iter().map(|p| {
                    let field = format!("passkey-name-{}", p.id);
                    let last_used = match p.last_used {
                        Some(when) => view! { <TimeIn id="account-passkey-last-used" when/> }.into_any(),
                        None => t.get("account-passkey-never-used").into_any(),
                    };
                    view! {
                        <li>
                            <span>
                                <strong>{p.name.clone()}</strong><br/>
                                <span class="muted">
                                    <TimeIn id="account-passkey-added" when=p.added/> " · " {last_used}
                                    {p.synced.then(|| view! { " · " {t.get("account-passkey-synced")} })}
                                </span>
                            </span>
                            <form method="post" action=rename class="inline">
                                <input type="hidden" name="id" value=p.id/>
                                <label for=field.clone() class="visually-hidden">{t.with("account-passkey-new-name", &[("name", p.name.clone().into())])}</label>
                                <input id=field type="text" name="name" value=p.name.clone() required autocomplete="off"/>
                                <button type="submit" class="secondary small" data-busy=t.get("account-saving")>{t.get("account-passkey-rename")}</button>
                            </form>
                            <form method="post" action=remove>
                                <input type="hidden" name="id" value=p.id/>
                                <button type="submit" class="secondary small" data-busy=t.get("account-removing")
                                    aria-label=t.with("account-passkey-remove", &[("name", p.name.into())])>{t.get("account-remove")}</button>
                            </form>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <AddPasskeyButton/>
        </section>
    }
}

/// The zone every time on the portal and in emails is shown in: taken from the browser at the
/// first sign-in, changed here.
#[component]
fn TimeZoneSection(current: String, zones: Vec<String>) -> impl IntoView {
    let t = Words::here();
    let form = SetTimeZone::url();
    view! {
        <section class="card">
            <h2>{t.get("account-time-zone")}</h2>
            <p class="muted">{t.get("account-time-zone-lead")}</p>
            <FormResult form/>
            <form method="post" action=form class="inline">
                <div class="field">
                    <label for="time_zone">{t.get("account-time-zone-label")}</label>
                    <select id="time_zone" name="time_zone" autocomplete="off" autofocus=failed(form)>
                        {zones.into_iter().map(|zone| {
                            let selected = zone == current;
                            view! { <option value=zone.clone() selected=selected>{zone.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="secondary" data-busy=t.get("account-saving")>{t.get("account-time-zone-save")}</button>
            </form>
        </section>
    }
}

/// The language of the portal and of the patient's emails: the same switch as every page's
/// (`app::ChooseLanguage`), as a choice among all of them, back to this page.
#[component]
fn LanguageSection() -> impl IntoView {
    let t = Words::here();
    let current = t.language();
    let form = ChooseLanguage::url();
    view! {
        <section class="card">
            <h2>{t.get("account-language")}</h2>
            <p class="muted">{t.get("account-language-lead")}</p>
            <form method="post" action=form class="inline">
                <input type="hidden" name="back" value=routes::ACCOUNT/>
                <div class="field">
                    <label for="language">{t.get("account-language-label")}</label>
                    <select id="language" name="language" autocomplete="off">
                        {Language::ALL.into_iter().map(|language| view! {
                            <option value=language.code() lang=language.tag() selected=language == current>
                                {language.own_name()}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="secondary" data-busy=t.get("account-saving")>{t.get("account-language-save")}</button>
            </form>
        </section>
    }
}
