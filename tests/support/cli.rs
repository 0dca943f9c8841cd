//! The `carelink` binary, run as a clinic's scripts would run it, on a database in a folder of
//! the test's own.

use std::process::{Command, Output};

use carelink::db::Db;
use tempfile::TempDir;

const TEST_SERVER_KEY: &str = "5e6f7e8d9cab0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899a";

/// `carelink ARGS` on the database in `dir`, with extra environment variables.
pub fn command(dir: &TempDir, env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_carelink"));
    command
        .args(args)
        .current_dir(dir.path())
        .env_remove("SMTP_URL")
        .env("DATABASE_URL", database_url(dir))
        // One key for every instance a test starts, as a clinic's instances share theirs.
        .env("SERVER_KEY", TEST_SERVER_KEY)
        .env("METRICS_ADDR", "off")
        .env("RUST_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

pub fn carelink(dir: &TempDir, env: &[(&str, &str)], args: &[&str]) -> Output {
    command(dir, env, args).output().expect("carelink runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts that the command exited with `code` and said each of `messages` on stderr.
pub fn assert_refused(output: &Output, code: i32, messages: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "{err}");
    for message in messages {
        assert!(err.contains(message), "{err}");
    }
}

/// Runs `carelink ARGS` with extra environment variables and `stdin` as standard input.
pub fn carelink_with_input(
    dir: &TempDir,
    env: &[(&str, &str)],
    args: &[&str],
    stdin: &str,
) -> Output {
    use std::{io::Write, process::Stdio};
    let mut child = command(dir, env, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub async fn query_one<T>(dir: &TempDir, sql: &str) -> T
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    let pool = carelink::db::connect_and_migrate(&database_url(dir))
        .await
        .unwrap();
    sqlx::query_scalar(sql)
        .fetch_one(pool.read())
        .await
        .unwrap()
}

/// The password `add_patient_with_password` gives.
pub const CLI_PASSWORD: &str = "a good long password";

/// `carelink user add` for `email`, with `CLI_PASSWORD` from standard input.
pub fn add_patient_with_password(dir: &TempDir, email: &str) -> Output {
    let args = ["user", "add", "--email", email, "--password-stdin"];
    carelink_with_input(dir, &[], &args, &format!("{CLI_PASSWORD}\n"))
}

/// `carelink serve` on the database in `dir`, as its own process, on a free port.
pub struct Served {
    child: std::process::Child,
    pub address: String,
    /// Its operator's listener (`/metrics`).
    pub metrics_address: String,
}

impl Served {
    /// Starts the server with extra environment variables (on a free port unless they name
    /// `LEPTOS_SITE_ADDR`), its log in `dir/<log>`, and waits until it answers.
    pub async fn start(dir: &TempDir, env: &[(&str, &str)], log: &str) -> Self {
        // A restarted instance keeps its address: the caller names it.
        let site_addr = env
            .iter()
            .find(|(name, _)| *name == "LEPTOS_SITE_ADDR")
            .map_or_else(super::free_address, |(_, at)| (*at).to_owned());
        let metrics_addr = super::free_address();
        let mut env = env.to_vec();
        env.push(("LEPTOS_SITE_ADDR", &site_addr));
        env.push(("METRICS_ADDR", &metrics_addr));
        let child = command(dir, &env, &["serve"])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.path().join(log)).unwrap())
            .spawn()
            .unwrap();
        let served = Self {
            child,
            address: format!("http://{site_addr}"),
            metrics_address: format!("http://{metrics_addr}"),
        };
        super::eventually("the server to answer", || async {
            reqwest::get(format!("{}/livez", served.address)).await.ok()
        })
        .await;
        served
    }

    /// Asks it to stop (SIGTERM), as systemd does at an upgrade.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for it to exit, at most `within`, and says how.
    pub async fn exited(&mut self, within: std::time::Duration) -> std::process::ExitStatus {
        let until = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                std::time::Instant::now() < until,
                "still running after {within:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Kills it at once (SIGKILL), as a power cut or the OOM killer would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The database every command here uses: `cli.db` in `dir`, or one named after `dir` on the
/// PostgreSQL pass.
pub fn database_url(dir: &TempDir) -> String {
    super::database::url_for(dir.path(), "cli.db")
}
