//! TLS everywhere, against a certificate authority of the test's own: in front of the portal
//! (`deploy/Caddyfile` for one machine, `deploy/haproxy.cfg` with `ssl crt` for two), to
//! PostgreSQL (`sslmode=verify-full`), and to the SMTP relay (`smtps://`, `?ca=`).

use std::process::{Child, Command, Stdio};

use crate::support::{
    database::postgres, eventually, free_port, haproxy::Haproxy, mail::test_email,
    smtp_server::SmtpServer, tls::LocalCa, TestApp, TestPatient, PASSWORD,
};

/// A portal whose patients use `https://localhost:{port}`, behind a proxy on this machine.
async fn portal_behind_tls(port: u16) -> TestApp {
    TestApp::spawn_with(|s| {
        s.server.public_url = format!("https://localhost:{port}/").parse().unwrap();
        s.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
}

/// What a patient's browser gets through a TLS front at `base`: the sign-in page with HSTS, and
/// on signing in a session cookie the browser keeps for this exact origin over https only.
async fn signs_in_over_tls(ca: &LocalCa, base: &str, app: &TestApp) {
    let client = ca.client();
    let page = eventually(format_args!("{base} to answer"), || async {
        let answer = client.get(format!("{base}/login")).send().await.ok()?;
        (answer.status() == 200).then_some(answer)
    })
    .await;
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let pat = TestPatient::new().with_password().store(app).await;
    let answer = client
        .post(format!("{base}/api/sign_in_with_password"))
        .header("origin", base)
        .header("accept", "text/html")
        .form(&[("email", pat.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["location"], "/appointments");
    let session = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|cookie| cookie.to_str().unwrap().to_owned())
        .find(|cookie| cookie.starts_with("__Host-carelink_session="))
        .expect("a __Host- session cookie");
    assert!(session.contains("; Secure"), "{session}");
    assert!(
        session.contains("Path=/") && !session.contains("Domain"),
        "{session}"
    );
}

/// Stops a child process when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn caddy_serves_the_portal_over_tls_with_hsts_and_host_cookies() {
    let ca = LocalCa::new();
    let front = ca.issue("caddy");
    let (https, http) = (free_port(), free_port());
    let app = portal_behind_tls(https).await;
    let home = tempfile::tempdir().unwrap();
    let tls = format!(
        "tls {} {}",
        front.certificate.display(),
        front.key.display()
    );
    let _caddy = Running(
        Command::new("caddy")
            .args([
                "run",
                "--config",
                "deploy/Caddyfile",
                "--adapter",
                "caddyfile",
            ])
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path())
            .env("CARELINK_DOMAIN", "localhost")
            .env("CARELINK_TLS", tls)
            .env(
                "CARELINK_UPSTREAM",
                app.address.trim_start_matches("http://"),
            )
            .env("CARELINK_HTTPS_PORT", https.to_string())
            .env("CARELINK_HTTP_PORT", http.to_string())
            .env("CARELINK_CADDY_ADMIN", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("caddy runs (Debian's caddy package; scripts/setup installs it)"),
    );
    signs_in_over_tls(&ca, &format!("https://localhost:{https}"), &app).await;
    // Plain http is only sent on to https.
    let answer = ca
        .client()
        .get(format!("http://localhost:{http}/login"))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_redirection(), "{}", answer.status());
    assert!(answer.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("https://localhost"));
}

#[tokio::test]
async fn haproxy_terminates_tls_for_the_instances_with_hsts_and_host_cookies() {
    let ca = LocalCa::new();
    let front = ca.issue("haproxy");
    let https = free_port();
    let app = portal_behind_tls(https).await;
    let instance = app.address.trim_start_matches("http://").to_owned();
    let listen = format!("127.0.0.1:{https}");
    let haproxy = Haproxy::start(&[
        ("CARELINK_A", &instance),
        ("CARELINK_B", &instance),
        ("CARELINK_TLS_CERT", front.bundle.to_str().unwrap()),
        ("CARELINK_TLS_LISTEN", &listen),
    ]);
    signs_in_over_tls(&ca, &format!("https://localhost:{https}"), &app).await;
    let answer = ca
        .client()
        .get(format!("http://{}/login", haproxy.address))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 301);
    assert!(answer.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("https://"));
}

#[tokio::test]
async fn the_portal_reaches_postgresql_only_through_a_certificate_it_verifies() {
    if postgres().is_none() {
        eprintln!("on the PostgreSQL pass only");
        return;
    }
    let ca = LocalCa::new();
    let server = ca.issue("postgres");
    let cluster = tempfile::tempdir().unwrap();
    let dir = cluster.path().join("pg");
    let dir = dir.to_str().unwrap();
    let started = Command::new("scripts/postgres")
        .args(["start", dir])
        .arg(&server.certificate)
        .arg(&server.key)
        .output()
        .unwrap();
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    struct Stop(String);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = Command::new("scripts/postgres")
                .args(["stop", &self.0])
                .status();
        }
    }
    let _stop = Stop(dir.to_owned());
    let url = String::from_utf8(started.stdout).unwrap();
    let url = url.trim().replace("@127.0.0.1:", "@localhost:");
    let verified = |root: &std::path::Path| {
        format!("{url}?sslmode=verify-full&sslrootcert={}", root.display())
    };

    let app = TestApp::spawn_with(|s| s.database.url = verified(&ca.root)).await;
    let pat = TestPatient::new().with_password().store(&app).await;
    assert_eq!(app.sign_in(&pat, PASSWORD).await.status(), 302);
    let encrypted: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(app.pool.write())
            .await
            .unwrap();
    assert!(encrypted);

    // A server whose certificate another authority signed is refused, with the reason.
    let stranger = LocalCa::new();
    let refused = carelink::db::connect_and_migrate(&verified(&stranger.root)).await;
    let error = refused.err().expect("refused").to_string();
    assert!(error.contains("cannot open the database"), "{error}");
}

#[tokio::test]
async fn mail_goes_to_a_tls_relay_whose_certificate_the_clinic_signed() {
    let ca = LocalCa::new();
    let relay = ca.issue("relay");
    let smtp = SmtpServer::start_tls(&relay.certificate, &relay.key).await;
    let trusted = format!("{}?ca={}", smtp.url(), ca.root.display());
    let app = TestApp::spawn_with(|s| s.mail.smtp_url = Some(trusted.parse().unwrap())).await;
    let id = app.queue(&test_email()).await;
    let mail = smtp.wait_for(1, std::time::Duration::from_secs(10)).await;
    assert_eq!(mail[0].parsed().subject(), Some("Carelink test email"));
    app.wait_for_status(id, "sent").await;

    // Without the clinic's authority the relay's certificate is not believed: nothing is sent,
    // and the outbox says why.
    let doubting =
        TestApp::spawn_with(|s| s.mail.smtp_url = Some(smtp.url().parse().unwrap())).await;
    let id = doubting.queue(&test_email()).await;
    let error = eventually("the failed attempt to be recorded", || async {
        doubting.outbox_row(id).await.2
    })
    .await;
    assert!(error.contains("certificate"), "{error}");
    assert_eq!(smtp.received().len(), 1);
}
