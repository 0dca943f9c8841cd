//! The release server under test: started as a clinic would run it (production logging to a
//! file, SMTP, behind a trusted proxy), one instance or two behind HAProxy, and its memory read
//! from /proc.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// What wrk drives: one `carelink serve`, or two on one database behind HAProxy
/// (deploy/haproxy.cfg), as a health network runs them.
pub struct Deployment {
    instances: Vec<Server>,
    balancer: Option<Server>,
    /// Where patients connect: the only instance, or the balancer.
    pub origin: String,
}

impl Deployment {
    pub async fn start(
        args: &super::Args,
        database_url: &str,
        smtp_url: &str,
        dir: &Path,
    ) -> anyhow::Result<Self> {
        let front = free_port()?;
        let origin = format!("http://127.0.0.1:{front}");
        if args.instances == 1 {
            let server =
                Server::carelink(args, database_url, smtp_url, dir, front, &origin).await?;
            return Ok(Self {
                instances: vec![server],
                balancer: None,
                origin,
            });
        }
        anyhow::ensure!(args.instances == 2, "--instances is 1 or 2");
        let mut instances = Vec::new();
        for _ in 0..2 {
            let port = free_port()?;
            instances
                .push(Server::carelink(args, database_url, smtp_url, dir, port, &origin).await?);
        }
        let config = args.balancer_config.canonicalize()?;
        let child = Command::new("haproxy")
            .arg("-f")
            .arg(&config)
            .arg("-db")
            .env("CARELINK_LISTEN", format!("127.0.0.1:{front}"))
            .env("CARELINK_A", instances[0].address())
            .env("CARELINK_B", instances[1].address())
            // wrk is one source (127.0.0.1) playing thousands of clients.
            .env("CARELINK_SOURCE_CONNECTIONS", "100000")
            .env("CARELINK_SOURCE_NEW_CONNECTIONS", "100000")
            .env("CARELINK_SOURCE_REQUESTS", "100000000")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("haproxy.log"))?)
            .spawn()
            .map_err(|e| {
                anyhow::anyhow!("cannot start haproxy (scripts/setup installs it): {e}")
            })?;
        let balancer = Server {
            child,
            origin: origin.clone(),
            metrics: None,
        };
        balancer.wait_until_ready().await?;
        Ok(Self {
            instances,
            balancer: Some(balancer),
            origin,
        })
    }

    pub fn pids(&self) -> Vec<u32> {
        self.instances.iter().map(|s| s.child.id()).collect()
    }

    /// What the instances have done so far, summed.
    pub fn work(&self) -> anyhow::Result<Work> {
        let mut work = Work::default();
        for pid in self.pids() {
            work.cpu_ticks += cpu_ticks(pid)?;
            work.switches += context_switches(pid)?;
        }
        Ok(work)
    }

    /// The most resident memory any instance has had since it started, in KiB.
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        let mut peak = 0;
        for pid in self.pids() {
            peak = peak.max(status_field(pid, "VmHWM:")?);
        }
        Ok(peak)
    }

    /// Each instance's `/metrics`, as Prometheus would scrape it (from loopback, on each
    /// instance's own operator's listener).
    pub async fn metrics(&self) -> anyhow::Result<Vec<String>> {
        let mut pages = Vec::new();
        for server in &self.instances {
            let at = server.metrics.as_deref().unwrap_or_default();
            let response = reqwest::get(format!("{at}/metrics")).await?;
            anyhow::ensure!(
                response.status().is_success(),
                "/metrics: {}",
                response.status()
            );
            pages.push(response.text().await?);
        }
        Ok(pages)
    }

    /// Stops the balancer, then the instances.
    pub fn stop(self) {
        drop(self.balancer);
        drop(self.instances);
    }
}

/// A process the bench started, killed when dropped, so that an error part-way through leaves
/// nothing running.
struct Server {
    child: Child,
    origin: String,
    /// An instance's operator's listener.
    metrics: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn carelink(
        args: &super::Args,
        database_url: &str,
        smtp_url: &str,
        dir: &Path,
        port: u16,
        public_url: &str,
    ) -> anyhow::Result<Self> {
        let origin = format!("http://127.0.0.1:{port}");
        let metrics_addr = format!("127.0.0.1:{}", free_port()?);
        let log_file = dir.join(format!("server-{port}.log"));
        let log = std::fs::File::create(&log_file)?;
        // Run in the bench's own folder, so the checkout's Leptos.toml does not apply.
        let (binary, site) = (args.server.canonicalize()?, args.site.canonicalize()?);
        let child = Command::new(&binary)
            .arg("serve")
            .current_dir(dir)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", &site)
            .env("LEPTOS_ENV", "PROD")
            .env("PUBLIC_URL", public_url)
            .env("DATABASE_URL", database_url)
            .env("SMTP_URL", smtp_url)
            .env("TRUSTED_PROXIES", "127.0.0.1")
            .env("METRICS_ADDR", &metrics_addr)
            // Both instances of a run share one key, as a clinic's do.
            .env("SERVER_KEY", BENCH_SERVER_KEY)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", binary.display()))?;
        let server = Self {
            child,
            origin,
            metrics: Some(format!("http://{metrics_addr}")),
        };
        if let Err(e) = server.wait_until_ready().await {
            drop(server);
            let log = std::fs::read_to_string(&log_file).unwrap_or_default();
            anyhow::bail!("{e}; its log:\n{log}");
        }
        Ok(server)
    }

    fn address(&self) -> &str {
        self.origin.trim_start_matches("http://")
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
}

const BENCH_SERVER_KEY: &str = "be4c4be4c4be4c4be4c4be4c4be4c4be4c4be4c4be4c4be4c4be4c4be4c4be4c";

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A server's CPU time (user and system, all its threads, ended ones included) in clock ticks,
/// and its threads' context switches (voluntary and not; a thread that ended takes its count
/// with it, so a scenario's figure is a floor).
#[derive(Debug, Default, Clone, Copy)]
pub struct Work {
    pub cpu_ticks: u64,
    pub switches: u64,
}

/// Linux's USER_HZ, the unit of `/proc/<pid>/stat`'s times, on every architecture we run.
pub const TICKS_PER_SECOND: u64 = 100;

impl std::ops::Sub for Work {
    type Output = Work;

    fn sub(self, before: Work) -> Work {
        Work {
            cpu_ticks: self.cpu_ticks.saturating_sub(before.cpu_ticks),
            switches: self.switches.saturating_sub(before.switches),
        }
    }
}

/// utime + stime, fields 14 and 15 of `/proc/<pid>/stat` (after the command's parentheses,
/// which may hold spaces).
fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |n: usize| -> anyhow::Result<u64> {
        // Field 3 (the state) is the first after the name.
        let value = fields.get(n - 3).copied().unwrap_or_default();
        value
            .parse()
            .map_err(|_| anyhow::anyhow!("/proc/{pid}/stat field {n} is {value:?}"))
    };
    Ok(field(14)? + field(15)?)
}

/// Every live thread's context switches, from `/proc/<pid>/task/*/status`.
fn context_switches(pid: u32) -> anyhow::Result<u64> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let status = std::fs::read_to_string(task?.path().join("status"));
        // A thread that ended between the listing and the read.
        let Ok(status) = status else { continue };
        for field in ["voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:"] {
            let count = status
                .lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|value| value.trim().parse::<u64>().ok());
            total += count.unwrap_or_default();
        }
    }
    Ok(total)
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
