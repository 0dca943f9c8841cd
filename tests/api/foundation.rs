//! The server itself: health, request ids, pages, the database file.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use crate::support::{TestApp, TestPatient, PASSWORD};

#[tokio::test]
async fn health_answers_once_the_database_does() {
    let app = TestApp::spawn().await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn probes_say_the_process_answers_and_the_portal_is_ready() {
    let app = TestApp::spawn().await;
    for probe in ["/livez", "/readyz"] {
        let response = app.get(probe).await;
        assert_eq!(response.status(), 200, "{probe}");
        assert_eq!(response.text().await.unwrap(), "ok");
    }
}

/// A probe's check writes to the database: probes (a load balancer's every second, or anyone's
/// flood) reuse one check for a second rather than each write.
#[tokio::test]
async fn readiness_probes_write_at_most_once_a_second() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    let checked = std::time::Instant::now();
    let stamp = || async {
        sqlx::query_scalar::<_, i64>("SELECT checked_at FROM readiness")
            .fetch_one(app.pool.write())
            .await
            .unwrap()
    };
    sqlx::query("UPDATE readiness SET checked_at = 0")
        .execute(app.pool.write())
        .await
        .unwrap();
    for _ in 0..50 {
        assert_eq!(app.get("/readyz").await.status(), 200);
    }
    // Only conclusive while the first check is still fresh (a stalled machine could pass it).
    if checked.elapsed() < Duration::from_millis(900) {
        assert_eq!(stamp().await, 0, "fifty probes, no write");
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(app.get("/readyz").await.status(), 200);
    assert_ne!(stamp().await, 0, "checked again after a second");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let first = app.get("/health").await;
    let second = app.get("/health").await;
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id(&first).len(), 36, "a UUID");
    assert_ne!(id(&first), id(&second));
}

#[tokio::test]
async fn the_root_leads_to_the_appointments_page() {
    let app = TestApp::spawn().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/appointments");
}

#[tokio::test]
async fn pages_are_server_rendered_with_the_hydration_scripts() {
    let app = TestApp::spawn().await;
    let response = app.get("/login").await;
    assert_eq!(response.status(), 200);
    // What a patient types here is kept by no cache, not even the back-forward one.
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("<title>Log in · Carelink</title>"), "{html}");
    assert!(html.contains("Log in to Carelink"));
    assert!(
        html.contains("/pkg/carelink.js"),
        "hydration script missing: {html}"
    );
    assert!(html.contains("/pkg/carelink.css"));
    // Only the WASM client sets it, which is what the end-to-end smoke test relies on.
    assert!(!html.contains("data-hydrated"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page() {
    let app = TestApp::spawn().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn the_database_file_is_created_with_its_folder() {
    if !crate::support::database::sqlite_pass("creating the file") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/folder/carelink.db");
    let url = format!("sqlite://{}", db.display());
    let pool = carelink::db::connect_and_migrate(&url).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool.write())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    assert!(db.exists());
}

/// Starting an app lists its routes, which Leptos does with every resource in the process held
/// back (leptos issue #4773): a page whose data was first asked for meanwhile never finished.
/// The routes are listed once per process, so pages render in full while other apps start.
#[tokio::test]
async fn pages_render_in_full_while_other_apps_start() {
    let app = TestApp::spawn().await;
    let patient = TestPatient::new().with_password().store(&app).await;
    app.sign_in(&patient, PASSWORD).await;

    let stop = Arc::new(AtomicBool::new(false));
    let starter = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            while !stop.load(Ordering::Relaxed) {
                runtime.block_on(TestApp::spawn());
            }
        }
    });
    for _ in 0..150 {
        let page = tokio::time::timeout(Duration::from_secs(5), app.page("/appointments"))
            .await
            .expect("the page finishes while another app starts");
        assert!(page.contains("No appointments yet"), "{page}");
    }
    stop.store(true, Ordering::Relaxed);
    starter.join().unwrap();
}
