//! `/dev/mailbox`: in development, every email the portal "sent", newest first, so a developer
//! or tester can follow a link without an SMTP server. Not found in production.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::{error::AppError, pages::not_found::NotFoundBecause};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailboxMessage {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub sent_at: String,
    pub html: String,
    pub text: String,
}

/// The mailbox, or why it is closed: outside development mode, with SMTP configured, and to
/// anyone not on this machine (through a proxy, or by a DNS-rebound name), since it holds
/// working sign-in links.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Mailbox {
    Open(Vec<MailboxMessage>),
    Closed(String),
}

/// Where a QA suite reads emails instead.
#[cfg(feature = "ssr")]
const USE_THE_TESTING_API: &str =
    "A QA suite reads its test patients' emails from the testing API instead (docs/qa.md).";

#[server(endpoint = "list_dev_mailbox")]
pub async fn list_dev_mailbox() -> Result<Mailbox, AppError> {
    use crate::{auth::RequestContext, configuration::Environment, mail::dev_mailbox};

    let req = RequestContext::from_leptos()?;
    let state = &req.state;
    let closed = if state.settings.server.environment != Environment::Development {
        Some("The development mailbox is off in production: emails go to the SMTP server.")
    } else if state.settings.mail.smtp_url.is_some() {
        Some("The development mailbox is off: this portal sends its emails to an SMTP server (SMTP_URL).")
    } else if !req.from_this_machine() {
        Some(
            "The development mailbox answers only on the machine the portal runs on, since it \
             holds working sign-in links; this request came through a proxy or from elsewhere.",
        )
    } else {
        None
    };
    if let Some(why) = closed {
        return Ok(Mailbox::Closed(format!("{why} {USE_THE_TESTING_API}")));
    }
    let rows = dev_mailbox::list(state.pool.read(), 100).await?;
    Ok(Mailbox::Open(
        rows.into_iter()
            .map(|row| MailboxMessage {
                sent_at: row.sent_at_rfc3339(),
                id: row.id,
                to: row.recipient,
                subject: row.subject,
                html: row.html_body.unwrap_or_default(),
                text: row.text_body.unwrap_or_default(),
            })
            .collect(),
    ))
}

#[component]
pub fn DevMailboxPage() -> impl IntoView {
    let messages = Resource::new(|| (), |_| list_dev_mailbox());
    // For developers, in English whatever the page's language (so `lang` says it).
    view! {
        <Title text="Development mailbox"/>
        <div lang="en">
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match messages.await {
                        Ok(Mailbox::Open(list)) => view! { <Messages messages=list/> }.into_any(),
                        Ok(Mailbox::Closed(why)) => view! { <NotFoundBecause why/> }.into_any(),
                        Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Messages(messages: Vec<MailboxMessage>) -> impl IntoView {
    let count = messages.len();
    view! {
        <section class="card">
            <h1>"Development mailbox"</h1>
            <p class="muted">
                "No SMTP server is configured, so emails stay here. Newest first; "
                {count} " shown."
            </p>
        </section>
        {(count == 0).then(|| view! { <p class="card muted">"No email has been sent yet."</p> })}
        <ol class="mailbox">
            {messages
                .into_iter()
                .map(|m| {
                    // The email's links should replace the portal page, not load inside the frame.
                    // Without allow-same-origin the frame is an opaque origin, so allowing
                    // scripts (emails have none; browser tooling injects some) exposes nothing.
                    let srcdoc = format!("<base target=\"_top\">{}", m.html);
                    view! {
                        <li class="card mail" data-message-id=m.id>
                            <h2 class="mail-subject">{m.subject}</h2>
                            <p class="muted">"To " <span class="mail-to">{m.to}</span> " · " {m.sent_at}</p>
                            <iframe
                                class="mail-html"
                                title="HTML part"
                                srcdoc=srcdoc
                                sandbox="allow-scripts allow-top-navigation-by-user-activation allow-popups"
                            ></iframe>
                            <details>
                                <summary>"Plain-text part"</summary>
                                <pre class="mail-text">{m.text}</pre>
                            </details>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
