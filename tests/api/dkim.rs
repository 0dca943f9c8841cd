//! DKIM: with a key configured, every email reaches the SMTP server signed, and the signature
//! verifies as a receiving server would check it (RFC 6376, relaxed canonicalization, against
//! the public half a clinic publishes in DNS).

use std::time::Duration;

use base64::{engine::general_purpose::STANDARD, Engine};
use rsa::{
    pkcs1::DecodeRsaPrivateKey,
    pkcs1v15::{Signature, VerifyingKey},
    signature::Verifier,
    RsaPrivateKey,
};
use sha2::{Digest, Sha256};

use crate::support::{mail::test_email, smtp_server::SmtpServer, TestApp};

const KEY_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/support/dkim-test-key.pem"
);

#[tokio::test]
async fn every_email_is_signed_and_the_signature_verifies() {
    let smtp = SmtpServer::start().await;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |s| {
        s.mail.smtp_url = Some(url::Url::parse(&url).unwrap());
        s.mail.dkim = Some(carelink::configuration::DkimSettings {
            selector: "portal2026".into(),
            domain: None,
            key_file: KEY_FILE.into(),
        });
    })
    .await;
    app.queue(&test_email()).await;
    let mail = smtp.wait_for(1, Duration::from_secs(10)).await.remove(0);

    let raw = String::from_utf8(mail.raw.clone()).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("headers, then a body");
    let headers = unfold(head);
    let (_, signature) = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("DKIM-Signature"))
        .expect("a DKIM-Signature header");
    let tags = tags(signature);
    assert_eq!(tags["a"], "rsa-sha256");
    assert_eq!(tags["d"], "carelink.localhost", "the domain of MAIL_FROM");
    assert_eq!(tags["s"], "portal2026");
    assert_eq!(tags["c"], "relaxed/relaxed");
    let signed: Vec<String> = tags["h"]
        .split(':')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for needed in ["from", "to", "subject", "date", "message-id"] {
        assert!(
            signed.contains(&needed.to_owned()),
            "{needed} not signed: {signed:?}"
        );
    }

    // The body, as received, hashes to `bh`.
    let body_hash = STANDARD.encode(Sha256::digest(relaxed_body(body)));
    assert_eq!(
        tags["bh"], body_hash,
        "the body changed or was hashed otherwise"
    );

    // The signed headers, then the signature's own header without its `b=`, verify with the
    // public key.
    let mut data = String::new();
    for name in &signed {
        let (name, value) = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .expect("a signed header present");
        data.push_str(&relaxed_header(name, value));
        data.push_str("\r\n");
    }
    let without_b = signature_without_b(signature);
    data.push_str(&relaxed_header("DKIM-Signature", &without_b));
    let key = RsaPrivateKey::from_pkcs1_pem(&std::fs::read_to_string(KEY_FILE).unwrap()).unwrap();
    let verifying = VerifyingKey::<Sha256>::new(key.to_public_key());
    let b: String = tags["b"].chars().filter(|c| !c.is_whitespace()).collect();
    let signature = Signature::try_from(STANDARD.decode(b).unwrap().as_slice()).unwrap();
    verifying
        .verify(data.as_bytes(), &signature)
        .expect("the signature verifies with the published key");

    // A changed subject would not.
    let forged = data.replacen("subject:", "subject:Fwd: ", 1);
    assert!(verifying.verify(forged.as_bytes(), &signature).is_err());
}

/// A key file that is not a key stops the server at start-up, naming the setting.
#[tokio::test]
async fn a_bad_key_file_is_refused_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not-a-key.pem");
    std::fs::write(&bad, "hello").unwrap();
    let mut mail = carelink::configuration::Settings::from_sources("", |_| None)
        .unwrap()
        .mail;
    mail.smtp_url = Some(url::Url::parse("smtp://127.0.0.1:2525").unwrap());
    mail.dkim = Some(carelink::configuration::DkimSettings {
        selector: "s".into(),
        domain: None,
        key_file: bad,
    });
    let error = carelink::mail::Transport::from_settings(&mail)
        .err()
        .expect("refused")
        .to_string();
    assert!(error.contains("MAIL_DKIM_KEY_FILE"), "{error}");
}

/// Header lines with their continuation lines joined, as (name, value).
fn unfold(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            let last = headers
                .last_mut()
                .expect("a header before its continuation");
            last.1.push_str("\r\n");
            last.1.push_str(line);
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.to_owned(), value.to_owned()));
        }
    }
    headers
}

fn tags(value: &str) -> std::collections::HashMap<String, String> {
    value
        .split(';')
        .filter_map(|tag| tag.split_once('='))
        .map(|(k, v)| {
            let v: String = v.split_whitespace().collect::<Vec<_>>().join(" ");
            (k.trim().to_owned(), v.trim().to_owned())
        })
        .collect()
}

/// RFC 6376 3.4.2: lower-case name, unfolded value with runs of spaces made one, trimmed.
fn relaxed_header(name: &str, value: &str) -> String {
    let value = value.replace("\r\n", "");
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}:{}", name.trim().to_ascii_lowercase(), value)
}

/// RFC 6376 3.4.4: runs of spaces made one, none at line ends, no empty lines at the end.
fn relaxed_body(body: &str) -> Vec<u8> {
    let mut lines: Vec<String> = body
        .split("\r\n")
        .map(|line| {
            let mut out = String::new();
            let mut space = false;
            for c in line.chars() {
                if c == ' ' || c == '\t' {
                    space = true;
                } else {
                    if space {
                        out.push(' ');
                    }
                    space = false;
                    out.push(c);
                }
            }
            out
        })
        .collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
        .iter()
        .map(|line| format!("{line}\r\n"))
        .collect::<String>()
        .into_bytes()
}

/// The DKIM-Signature value with the contents of `b=` removed.
fn signature_without_b(value: &str) -> String {
    let mut out = String::new();
    for (i, tag) in value.split(';').enumerate() {
        if i > 0 {
            out.push(';');
        }
        match tag.split_once('=') {
            Some((k, _)) if k.trim() == "b" => {
                out.push_str(k);
                out.push('=');
            }
            _ => out.push_str(tag),
        }
    }
    out
}
