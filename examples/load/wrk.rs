//! One scenario, one wrk run: its items written for `load.lua`, the server's memory sampled while
//! it runs, and what wrk's `done()` printed read back into a row of the table.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use std::process::{Child, Command, Stdio};

use super::{
    server::{Deployment, Work, TICKS_PER_SECOND},
    Args,
};

const SCRIPT: &str = include_str!("load.lua");

pub struct Scenario {
    pub label: &'static str,
    /// The request shape in `load.lua`.
    kind: &'static str,
    items: Vec<String>,
    extra: Option<String>,
}

impl Scenario {
    pub fn new(label: &'static str, kind: &'static str, items: &[String]) -> Self {
        Self {
            label,
            kind,
            items: items.to_vec(),
            extra: None,
        }
    }

    pub fn key(&self) -> &'static str {
        self.kind
    }

    pub fn extra(mut self, extra: &str) -> Self {
        self.extra = Some(extra.to_owned());
        self
    }
}

pub struct Row {
    label: &'static str,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Socket errors, timeouts, and answers with a status of 400 or more.
    errors: u64,
    /// Password sign-in: how many were signed in, and how many sent back to the form (a wrong
    /// password, or too busy to check it).
    outcomes: Option<(u64, u64)>,
    peak_rss_kib: u64,
    /// The servers' CPU time and context switches per request answered.
    cpu_us: f64,
    switches: f64,
}

pub struct Runner<'a> {
    dir: PathBuf,
    origin: String,
    deployment: &'a Deployment,
    seconds: u64,
    connections: u32,
    threads: u32,
    profile: Option<PathBuf>,
}

impl<'a> Runner<'a> {
    pub fn new(args: &Args, deployment: &'a Deployment, dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            origin: deployment.origin.clone(),
            deployment,
            seconds: args.seconds,
            connections: args.connections,
            threads: args.threads,
            profile: args.profile.clone(),
        }
    }

    pub async fn scenario(&self, scenario: &Scenario) -> anyhow::Result<Row> {
        let script = self.dir.join("load.lua");
        std::fs::write(&script, SCRIPT)?;
        let items = if scenario.items.is_empty() {
            "-".to_owned()
        } else {
            let file = self.dir.join(format!("{}.items", scenario.kind));
            std::fs::write(&file, scenario.items.join("\n") + "\n")?;
            file.display().to_string()
        };
        let perf = self.record(scenario)?;
        let sampler = RssSampler::start(self.deployment.pids());
        let before = self.deployment.work()?;
        let mut wrk = Command::new("wrk");
        wrk.arg(format!("-t{}", self.threads))
            .arg(format!("-c{}", self.connections))
            .arg(format!("-d{}s", self.seconds))
            .arg("--timeout")
            .arg("10s")
            .arg("-s")
            .arg(&script)
            .arg(&self.origin)
            .arg("--")
            .arg(scenario.kind)
            .arg(items)
            .arg(self.threads.to_string())
            .arg(&self.origin)
            .args(scenario.extra.as_deref());
        // wrk blocks for the whole run; the SMTP server keeps serving on the runtime meanwhile.
        let output = tokio::task::spawn_blocking(move || wrk.output())
            .await?
            .map_err(|e| anyhow::anyhow!("cannot run wrk (scripts/setup installs it): {e}"))?;
        let work = self.deployment.work()? - before;
        let peak_rss_kib = sampler.stop();
        if let Some(mut perf) = perf {
            // SIGINT: perf writes its file and exits.
            let _ = Command::new("kill")
                .arg("-INT")
                .arg(perf.id().to_string())
                .status();
            perf.wait()?;
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        anyhow::ensure!(
            output.status.success(),
            "wrk failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let line = stdout
            .lines()
            .find_map(|line| line.strip_prefix("CARELINK "))
            .ok_or_else(|| anyhow::anyhow!("wrk printed no result: {stdout}"))?;
        Row::read(scenario, line, peak_rss_kib, work)
    }
}

impl Runner<'_> {
    /// `perf record` of the servers for the scenario, when asked for.
    fn record(&self, scenario: &Scenario) -> anyhow::Result<Option<Child>> {
        let Some(dir) = &self.profile else {
            return Ok(None);
        };
        std::fs::create_dir_all(dir)?;
        let pids: Vec<String> = self.deployment.pids().iter().map(u32::to_string).collect();
        let perf = Command::new("perf")
            .args(["record", "--quiet", "-o"])
            .arg(dir.join(format!("{}.perf", scenario.kind)))
            .arg("-p")
            .arg(pids.join(","))
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot run perf: {e}"))?;
        Ok(Some(perf))
    }
}

impl Row {
    fn read(
        scenario: &Scenario,
        line: &str,
        peak_rss_kib: u64,
        work: Work,
    ) -> anyhow::Result<Self> {
        let fields: BTreeMap<&str, &str> = line
            .split_whitespace()
            .filter_map(|pair| pair.split_once('='))
            .collect();
        let number = |name: &str| -> anyhow::Result<f64> {
            let value = fields.get(name).copied().unwrap_or_default();
            value
                .parse()
                .map_err(|_| anyhow::anyhow!("wrk's {name} is {value:?}: {line}"))
        };
        let outcomes = (scenario.kind == "password")
            .then(|| {
                Ok::<_, anyhow::Error>((number("landed")? as u64, number("sent_back")? as u64))
            })
            .transpose()?;
        let requests = number("requests")?.max(1.0);
        let cpu_seconds = work.cpu_ticks as f64 / TICKS_PER_SECOND as f64;
        Ok(Self {
            cpu_us: cpu_seconds * 1e6 / requests,
            switches: work.switches as f64 / requests,
            label: scenario.label,
            per_second: number("requests")? / (number("duration_us")? / 1e6),
            p50_ms: number("p50_us")? / 1e3,
            p99_ms: number("p99_us")? / 1e3,
            errors: (number("socket_errors")? + number("status_errors")?) as u64,
            outcomes,
            peak_rss_kib,
        })
    }
}

/// The servers' resident memory, read every 20 ms while a scenario runs; `stop` returns the most
/// any one of them had.
struct RssSampler {
    running: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

impl RssSampler {
    fn start(pids: Vec<u32>) -> Self {
        let running = Arc::new(AtomicBool::new(true));
        let peak = Arc::new(AtomicU64::new(0));
        let thread = std::thread::spawn({
            let (running, peak) = (running.clone(), peak.clone());
            move || {
                while running.load(Ordering::Relaxed) {
                    for pid in &pids {
                        let status = std::fs::read_to_string(format!("/proc/{pid}/status"));
                        let rss = status.ok().and_then(|status| {
                            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
                            line.split_whitespace().nth(1)?.parse().ok()
                        });
                        if let Some(rss) = rss {
                            peak.fetch_max(rss, Ordering::Relaxed);
                        }
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        });
        Self {
            running,
            peak,
            thread,
        }
    }

    fn stop(self) -> u64 {
        self.running.store(false, Ordering::Relaxed);
        let _ = self.thread.join();
        self.peak.load(Ordering::Relaxed)
    }
}

/// `rss_kib`: the server's resident memory once started, and its peak over the whole run.
pub fn print_table(args: &Args, rows: &[Row], rss_kib: (u64, u64), metrics: &[String]) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!(
        "Carelink release server, {}, {cores} cores; wrk -t{} -c{} -d{}s on loopback, each \
         request from its own client address",
        args.deployment(),
        args.threads,
        args.connections,
        args.seconds
    );
    println!(
        "{:<32} {:>9} {:>8} {:>8} {:>8} {:>10} {:>10} {:>9} {:>9}",
        "scenario",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "peak RSS",
        "vs static",
        "CPU µs",
        "switches"
    );
    let ceiling = rows.first().map_or(1.0, |row| row.per_second);
    for row in rows {
        let outcomes = row
            .outcomes
            .map(|(landed, sent_back)| {
                format!("  ({landed} signed in, {sent_back} sent back to the form)")
            })
            .unwrap_or_default();
        println!(
            "{:<32} {:>9.0} {:>8.2} {:>8.2} {:>8} {:>7.1} MB {:>10.2} {:>9.0} {:>9.1}{outcomes}",
            row.label,
            row.per_second,
            row.p50_ms,
            row.p99_ms,
            row.errors,
            row.peak_rss_kib as f64 / 1024.0,
            row.per_second / ceiling,
            row.cpu_us,
            row.switches,
        );
    }
    println!(
        "CPU µs and switches: the servers' CPU time (user and system) and their threads' context \
         switches, per request answered, from /proc"
    );
    println!(
        "server RSS (the larger instance's) once started: {:.1} MB; peak over the whole run: \
         {:.1} MB",
        rss_kib.0 as f64 / 1024.0,
        rss_kib.1 as f64 / 1024.0
    );
    for (name, what) in [
        (
            "carelink_background_dropped_total",
            "link requests whose email work was dropped (queue full)",
        ),
        (
            "carelink_password_hashing_busy_total",
            "password sign-ins answered busy (503 to scripts, the form's message to browsers)",
        ),
    ] {
        let values: Vec<f64> = metrics.iter().filter_map(|m| metric(m, name)).collect();
        if !values.is_empty() {
            println!("{what}: {}", values.iter().sum::<f64>());
        }
    }
}

/// The value of an unlabelled sample in a Prometheus text exposition.
fn metric(metrics: &str, name: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}
