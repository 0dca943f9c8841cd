//! The release server under test: started as a clinic would run it (production logging to a
//! file, SMTP, behind a trusted proxy), and its memory read from /proc.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct Server {
    child: Child,
    pub origin: String,
}

impl Server {
    pub async fn start(
        binary: &Path,
        site: &Path,
        database_url: &str,
        smtp_url: &str,
        dir: &Path,
    ) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let origin = format!("http://127.0.0.1:{port}");
        let log = std::fs::File::create(dir.join("server.log"))?;
        // Run in the bench's own folder, so the checkout's Leptos.toml does not apply.
        let (binary, site) = (binary.canonicalize()?, site.canonicalize()?);
        let child = Command::new(&binary)
            .arg("serve")
            .current_dir(dir)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", &site)
            .env("LEPTOS_ENV", "PROD")
            .env("PUBLIC_URL", &origin)
            .env("DATABASE_URL", database_url)
            .env("SMTP_URL", smtp_url)
            .env("TRUSTED_PROXIES", "127.0.0.1")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", binary.display()))?;
        let mut server = Self { child, origin };
        if let Err(e) = server.wait_until_ready().await {
            let _ = server.child.kill();
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            anyhow::bail!("{e}; its log:\n{log}");
        }
        Ok(server)
    }

    async fn wait_until_ready(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = reqwest::Client::new();
        loop {
            let ready = client.get(format!("{}/readyz", self.origin)).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The most resident memory since it started, in KiB.
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        status_field(self.pid(), "VmHWM:")
    }

    /// `/metrics`, as Prometheus would scrape it (from loopback).
    pub async fn metrics(&self) -> anyhow::Result<String> {
        let response = reqwest::get(format!("{}/metrics", self.origin)).await?;
        anyhow::ensure!(
            response.status().is_success(),
            "/metrics: {}",
            response.status()
        );
        Ok(response.text().await?)
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status_field(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|value| value.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no {field} in /proc/{pid}/status"))
}

/// `/pkg/<the stylesheet>`, as the built site names it (hashed in a release build).
pub fn stylesheet(site: &Path) -> anyhow::Result<String> {
    let pkg = site.join("pkg");
    for entry in std::fs::read_dir(&pkg)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".css") {
            return Ok(format!("/pkg/{name}"));
        }
    }
    anyhow::bail!("no stylesheet in {}: build the site first", pkg.display())
}
