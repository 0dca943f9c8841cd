//! A certificate authority of the test's own (openssl), as a clinic's IT team runs one: its root
//! for clients to trust, and certificates it signs for `localhost` and `127.0.0.1`.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use tempfile::TempDir;

pub struct LocalCa {
    dir: TempDir,
    /// The root certificate (PEM) that clients are told to trust.
    pub root: PathBuf,
}

/// A certificate the authority signed, and its key, in PEM files.
pub struct Issued {
    pub certificate: PathBuf,
    pub key: PathBuf,
    /// The certificate then the key, in one file, as HAProxy's `ssl crt` takes them.
    pub bundle: PathBuf,
}

/// Runs `openssl` with `command`'s words (none holds a space) in `dir`.
fn openssl(dir: &Path, command: &str) {
    let args: Vec<&str> = command.split_whitespace().collect();
    let output = Command::new("openssl")
        .args(&args)
        .current_dir(dir)
        .output()
        .expect("openssl runs (scripts/setup installs it)");
    assert!(
        output.status.success(),
        "openssl {command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A new P-256 key, unencrypted, for `openssl req`.
const NEW_KEY: &str = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";

impl LocalCa {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        openssl(
            dir.path(),
            &format!(
                "req -x509 {NEW_KEY} -keyout ca.key -out ca.pem -days 2 -subj /CN=Carelink-test-CA \
                 -addext basicConstraints=critical,CA:TRUE \
                 -addext keyUsage=critical,keyCertSign,cRLSign"
            ),
        );
        let root = dir.path().join("ca.pem");
        Self { dir, root }
    }

    /// A server certificate for `localhost` and `127.0.0.1`, named `name` (no spaces).
    pub fn issue(&self, name: &str) -> Issued {
        let dir = self.dir.path();
        openssl(
            dir,
            &format!("req {NEW_KEY} -keyout {name}.key -out {name}.csr -subj /CN=localhost"),
        );
        std::fs::write(
            dir.join(format!("{name}.ext")),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(
            dir,
            &format!(
                "x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
                 -extfile {name}.ext -out {name}.pem"
            ),
        );
        let (certificate, key) = (
            dir.join(format!("{name}.pem")),
            dir.join(format!("{name}.key")),
        );
        let bundle = dir.join(format!("{name}.bundle.pem"));
        let mut both = std::fs::read(&certificate).unwrap();
        both.extend(std::fs::read(&key).unwrap());
        std::fs::write(&bundle, both).unwrap();
        Issued {
            certificate,
            key,
            bundle,
        }
    }

    /// An HTTP client that trusts this authority alone.
    pub fn client(&self) -> reqwest::Client {
        let root = reqwest::Certificate::from_pem(&std::fs::read(&self.root).unwrap()).unwrap();
        reqwest::Client::builder()
            .add_root_certificate(root)
            .tls_built_in_root_certs(false)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }
}
