//! `deploy/haproxy.cfg`, as a clinic runs it, in front of the instances a test names.

use std::process::{Child, Command, Stdio};

pub struct Haproxy {
    child: Child,
    /// Where clients connect: `127.0.0.1:port`.
    pub address: String,
}

impl Haproxy {
    /// Starts HAProxy on a free port with the configuration's settings in `env`
    /// (`CARELINK_A`, `CARELINK_B`, ...). It answers once an instance is up.
    pub fn start(env: &[(&str, &str)]) -> Self {
        let address = super::free_address();
        let child = Command::new("haproxy")
            .args(["-f", "deploy/haproxy.cfg", "-db"])
            .env("CARELINK_LISTEN", &address)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("haproxy runs (Debian's haproxy package; scripts/setup installs it)");
        Self { child, address }
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
