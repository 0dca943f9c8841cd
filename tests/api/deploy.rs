//! What operators install beside the binary.

use std::process::Command;

use crate::support::haproxy::Haproxy;

/// The units the package installs (`deploy/carelink.service`, the nightly backup's service and
/// timer) pass `systemd-analyze verify` without a single complaint (systemd only warns about a
/// misspelt or unknown setting, and then ignores it). The binary is the one under test, since
/// the units' `/usr/lib/carelink` exists only where the package is installed.
#[test]
fn the_systemd_units_verify_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let units = [
        "carelink.service",
        "carelink-backup.service",
        "carelink-backup.timer",
    ];
    for unit in units {
        let text = std::fs::read_to_string(format!("deploy/{unit}")).unwrap();
        let here = text.replace("/usr/lib/carelink/carelink", env!("CARGO_BIN_EXE_carelink"));
        std::fs::write(dir.path().join(unit), here).unwrap();
    }
    let output = Command::new("systemd-analyze")
        .arg("verify")
        .args(units.map(|unit| dir.path().join(unit)))
        .output()
        .expect("systemd-analyze runs (Debian's systemd package; scripts/setup installs it)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{said}");
    assert_eq!(said.trim(), "", "systemd complained");
}

/// `deploy/haproxy.cfg` in front of a stand-in instance that echoes the headers it receives: a
/// city a client wrote is dropped and the proxy's own (from its map) sent instead; the client's
/// address is the last in `X-Forwarded-For`; and a source past its request rate is answered 429
/// by the proxy itself, the instance never asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn haproxy_names_the_city_itself_and_turns_a_flooding_source_away() {
    use axum::{http::HeaderMap, routing::get, Router};
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    let reached = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&reached);
    let echo = Router::new()
        .route("/readyz", get(|| async { "ok" }))
        .fallback(move |headers: HeaderMap| {
            counted.fetch_add(1, Ordering::SeqCst);
            async move {
                let mut lines: Vec<String> = headers
                    .iter()
                    .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or("?")))
                    .collect();
                lines.sort();
                lines.join("\n")
            }
        });
    let instance = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let instance_addr = instance.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(instance, echo).await });

    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("cities.map");
    std::fs::write(&map, "127.0.0.0/8 Montreal\n").unwrap();
    let map = map.to_str().unwrap();
    let haproxy = Haproxy::start(&[
        ("CARELINK_A", &instance_addr),
        ("CARELINK_B", &instance_addr),
        ("CARELINK_LOCATION_HEADER", "x-city"),
        ("CARELINK_CITY_MAP", map),
        ("CARELINK_SOURCE_REQUESTS", "30"),
    ]);
    let front = &haproxy.address;

    let client = reqwest::Client::new();
    let url = format!("http://{front}/appointments");
    let echoed = crate::support::eventually("haproxy to answer", || async {
        let answer = client
            .get(&url)
            .header("x-city", "Evil Town")
            .header("x-forwarded-for", "203.0.113.9")
            .send()
            .await
            .ok()?;
        answer.status().is_success().then_some(answer)
    })
    .await
    .text()
    .await
    .unwrap();
    assert!(echoed.contains("x-city: Montreal"), "{echoed}");
    assert!(!echoed.contains("Evil Town"), "{echoed}");
    let forwarded = echoed
        .lines()
        .find_map(|line| line.strip_prefix("x-forwarded-for: "))
        .unwrap();
    assert!(forwarded.ends_with("127.0.0.1"), "{forwarded}");

    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(client.get(&url).send().await.unwrap().status().as_u16());
    }
    let reached_before = reached.load(Ordering::SeqCst);
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(
        statuses.iter().filter(|s| **s == 429).count() >= 10,
        "{statuses:?}"
    );
    let denied = client.get(&url).send().await.unwrap();
    assert_eq!(denied.status(), 429);
    assert_eq!(
        reached.load(Ordering::SeqCst),
        reached_before,
        "never reached the instance"
    );
}
