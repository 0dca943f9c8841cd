//! A small but real SMTP server on loopback for tests and benchmarks: it speaks the protocol over
//! TCP (or over TLS from the first byte, as on port 465), keeps what it accepts, can refuse (4xx/5xx), and can be stopped and started again on the
//! same port, dropping every open connection as a crashed server would.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadHalf},
    net::TcpListener,
    sync::Notify,
    task::JoinSet,
};

/// What the server answers at the end of DATA.
#[derive(Debug, Clone)]
pub enum Behaviour {
    Accept,
    /// A full reply line, such as "550 5.1.1 <x@example.org>: Recipient address rejected".
    Refuse(String),
    /// The next message only: its reply (a full line) comes after `delay`, as from a slow
    /// server; every message after it is accepted at once, meanwhile included.
    StallOnce {
        delay: Duration,
        reply: String,
    },
}

#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub recipients: Vec<String>,
    pub raw: Vec<u8>,
    pub accepted_at: Instant,
}

impl ReceivedMail {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.raw)
            .expect("a parsable message")
    }

    pub fn message_id(&self) -> String {
        format!("<{}>", self.parsed().message_id().expect("a Message-ID"))
    }
}

#[derive(Default)]
struct Shared {
    behaviour: Mutex<Option<Behaviour>>,
    received: Mutex<Vec<ReceivedMail>>,
    arrived: Notify,
}

pub struct SmtpServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    connections: Option<JoinSet<()>>,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl SmtpServer {
    pub async fn start() -> Self {
        Self::start_with(None).await
    }

    /// A relay reached over TLS from the first byte (`smtps://`), with the certificate and key
    /// in these PEM files.
    pub async fn start_tls(certificate: &std::path::Path, key: &std::path::Path) -> Self {
        use tokio_rustls::rustls::{
            crypto::ring::default_provider,
            pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer},
            ServerConfig,
        };
        let chain = CertificateDer::pem_file_iter(certificate)
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(key).unwrap();
        let config = ServerConfig::builder_with_provider(Arc::new(default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        Self::start_with(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await
    }

    async fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let mut server = Self {
            address: listener.local_addr().unwrap(),
            shared: Arc::default(),
            connections: None,
            tls,
        };
        server.serve(listener);
        server
    }

    /// `smtp://127.0.0.1:PORT`: plain SMTP, as for a local relay; `smtps://localhost:PORT` for
    /// one started with TLS (the name its certificate holds).
    pub fn url(&self) -> String {
        match self.tls {
            Some(_) => format!("smtps://localhost:{}", self.address.port()),
            None => format!("smtp://{}", self.address),
        }
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = Some(behaviour);
    }

    /// Closes the port and every open connection.
    pub fn stop(&mut self) {
        if let Some(mut tasks) = self.connections.take() {
            tasks.abort_all();
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&mut self) {
        self.stop();
        let listener = TcpListener::bind(self.address)
            .await
            .expect("rebind the same port");
        self.serve(listener);
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits until at least `count` messages have been accepted, or panics after `timeout`.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "expected {count} messages, got {} within {timeout:?}",
                received.len()
            );
            let _ = tokio::time::timeout(left, arrived).await;
        }
    }

    fn serve(&mut self, listener: TcpListener) {
        let mut tasks = JoinSet::new();
        let (shared, tls) = (self.shared.clone(), self.tls.clone());
        // The accept loop lives in the same set, so `stop` ends it with the connections. Each
        // connection runs in its own task that the loop tracks, so they end together too.
        tasks.spawn(async move {
            let mut sessions = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            let _ = stream.set_nodelay(true);
                            let (shared, tls) = (shared.clone(), tls.clone());
                            sessions.spawn(async move {
                                match tls {
                                    // A client that fails the handshake gets no session.
                                    Some(tls) => {
                                        if let Ok(stream) = tls.accept(stream).await {
                                            session(stream, shared).await;
                                        }
                                    }
                                    None => session(stream, shared).await,
                                }
                            });
                        }
                    }
                    Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
                }
            }
        });
        self.connections = Some(tasks);
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn session<S: AsyncRead + AsyncWrite + Unpin>(stream: S, shared: Arc<Shared>) {
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read);
    if write
        .write_all(b"220 carelink-test ESMTP ready\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut recipients = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_ascii_uppercase();
        let answer: String = if command.starts_with("EHLO") {
            "250-carelink-test\r\n250 8BITMIME".into()
        } else if command.starts_with("HELO") {
            "250 carelink-test".into()
        } else if command.starts_with("MAIL FROM:") {
            recipients.clear();
            "250 2.1.0 Ok".into()
        } else if command.starts_with("RCPT TO:") {
            recipients.push(
                line.trim_end()[8..]
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_owned(),
            );
            "250 2.1.5 Ok".into()
        } else if command == "DATA" {
            if write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await
                .is_err()
            {
                return;
            }
            let Some(raw) = read_data(&mut lines).await else {
                return;
            };
            let behaviour = {
                let mut current = shared.behaviour.lock().unwrap();
                if matches!(*current, Some(Behaviour::StallOnce { .. })) {
                    current.replace(Behaviour::Accept)
                } else {
                    current.clone()
                }
            };
            match behaviour.unwrap_or(Behaviour::Accept) {
                Behaviour::Accept => {
                    let mut received = shared.received.lock().unwrap();
                    received.push(ReceivedMail {
                        recipients: std::mem::take(&mut recipients),
                        raw,
                        accepted_at: Instant::now(),
                    });
                    let n = received.len();
                    drop(received);
                    shared.arrived.notify_waiters();
                    format!("250 2.0.0 Ok: queued as TEST{n}")
                }
                Behaviour::Refuse(reply) => reply,
                Behaviour::StallOnce { delay, reply } => {
                    tokio::time::sleep(delay).await;
                    reply
                }
            }
        } else if command == "RSET" {
            recipients.clear();
            "250 2.0.0 Ok".into()
        } else if command == "NOOP" {
            "250 2.0.0 Ok".into()
        } else if command == "QUIT" {
            let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
            return;
        } else {
            "502 5.5.2 Command not recognized".into()
        };
        if write
            .write_all(format!("{answer}\r\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Reads a DATA section up to the lone dot, undoing dot-stuffing.
async fn read_data<S: AsyncRead>(lines: &mut BufReader<ReadHalf<S>>) -> Option<Vec<u8>> {
    let mut raw = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(raw);
        }
        let content = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        raw.extend_from_slice(content);
    }
}
