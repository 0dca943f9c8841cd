//! `carelink mail test`: proves the configured transport delivers, and prints its answer.

use std::sync::Arc;

use url::Url;

use crate::{
    clock::Clock,
    configuration::Settings,
    db,
    email_address::EmailAddress,
    language::Words,
    mail::{compose, Button, Content, Delivery, DeliveryOutcome, Outbox, OutgoingEmail, Transport},
    metrics::Metrics,
};

/// Queues a test email like any other and delivers it at once, so the whole pipeline is checked.
pub(super) async fn run(settings: Settings, to: EmailAddress) -> anyhow::Result<()> {
    let pool = db::connect_and_migrate(&settings.database.url).await?;
    let transport = Arc::new(Transport::from_settings(&settings.mail)?);
    let outbox = Outbox::new(Clock::system(), transport.sender_domain());
    let email = test_email(&to, &settings.server.public_url);
    let mut tx = pool.begin().await?;
    let id = outbox.queue(&mut tx, &email).await?;
    tx.commit().await?;
    println!(
        "Sending a test email to {to} through {}...",
        transport.describe()
    );
    let delivery = Delivery {
        pool,
        outbox,
        transport,
        policy: settings.mail.retry,
        metrics: Metrics::default(),
    };
    match delivery.deliver_now(id).await? {
        DeliveryOutcome::Sent { response } => {
            println!("Accepted: {response}");
            Ok(())
        }
        DeliveryOutcome::RetryLater { reason } => anyhow::bail!(
            "not delivered: {reason}\nIt stays queued; a running server will retry it."
        ),
        DeliveryOutcome::Failed { reason } => anyhow::bail!("refused: {reason}"),
        DeliveryOutcome::Expired => anyhow::bail!("expired before it could be delivered"),
    }
}

fn test_email(to: &EmailAddress, public_url: &Url) -> OutgoingEmail {
    // For the clinic's staff, who read the CLI in English.
    let content = Content {
        words: Words::english(),
        preheader: "Your mail settings work.".into(),
        heading: "Your mail settings work".into(),
        paragraphs: vec![
            "This test email was sent by the `carelink mail test` command. If you can read it, \
             patients will receive their Secure Login Links too."
                .into(),
        ],
        button: Some(Button {
            label: "Open the portal".into(),
            url: public_url.clone(),
        }),
        highlight: None,
        notes: vec![],
    };
    compose("test", to, "Carelink test email", &content)
}
