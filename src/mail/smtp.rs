//! The SMTP relay named by `SMTP_URL`, and the connections kept open to it between messages.
//!
//! lettre speaks the protocol; the TCP connections are ours, so that each has TCP_NODELAY.
//! lettre writes a message's closing "." on its own, and under Nagle's algorithm that small write
//! waits until the server acknowledges the body, which servers delay by about 40 ms: one stall
//! per message, which capped delivery at a few hundred messages a second.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use lettre::{
    address::Envelope,
    transport::smtp::{
        authentication::{Credentials, Mechanism},
        client::{AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters},
        extension::ClientId,
        response::Response,
    },
};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer};
use url::Url;

use super::DeliveryError;

/// How long connecting, and then handing one message over, may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// A connection idle for longer is asked whether it still works (NOOP) before it is used; one
/// idle for much longer is closed (servers drop idle clients after a few minutes).
const CHECK_AFTER: Duration = Duration::from_secs(10);
const CLOSE_AFTER: Duration = Duration::from_secs(60);

pub(super) struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// Connections waiting for the next message, newest last; at most `max_idle`.
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    max_idle: usize,
}

enum Security {
    /// `smtp://host`: plain, for a relay on this machine or network.
    Plain,
    /// `smtp://host:587?tls=required` (or `opportunistic`): STARTTLS after the greeting.
    StartTls { tls: TlsParameters, required: bool },
    /// `smtps://host:465`: TLS from the first byte.
    Implicit {
        tls: Arc<tokio_rustls::TlsConnector>,
    },
}

impl Relay {
    /// Reads `smtp[s]://[user:password@]host[:port][/hello-name][?tls=required|opportunistic]`.
    pub(super) fn from_url(url: &Url, max_idle: usize) -> Result<Self, String> {
        let host = url.host_str().ok_or("the URL names no host")?.to_owned();
        let setting = |wanted: &str| {
            url.query_pairs()
                .find(|(name, _)| name == wanted)
                .map(|(_, value)| value.into_owned())
        };
        let tls = setting("tls");
        // `?ca=FILE`: the clinic's own certificate authority (PEM), trusted besides the Mozilla
        // roots, for a relay whose certificate it signed.
        let ca = setting("ca");
        if ca.is_some() && url.scheme() == "smtp" && matches!(tls.as_deref(), None | Some("none")) {
            return Err(
                "?ca= is for a relay spoken to over TLS: use smtps:// or smtp://...?tls=required"
                    .into(),
            );
        }
        let ca = ca.map(|file| read_ca(&file)).transpose()?;
        let starttls = |required| -> Result<Security, String> {
            let mut tls = TlsParameters::builder(host.clone());
            for certificate in ca.iter().flatten() {
                let der = Certificate::from_der(certificate.to_vec()).map_err(|e| e.to_string())?;
                tls = tls.add_root_certificate(der);
            }
            let tls = tls.build_rustls().map_err(|e| e.to_string())?;
            Ok(Security::StartTls { tls, required })
        };
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None | Some("none")) => (Security::Plain, 25),
            ("smtp", Some("required")) => (starttls(true)?, 587),
            ("smtp", Some("opportunistic")) => (starttls(false)?, 587),
            ("smtps", None) => (
                Security::Implicit {
                    tls: implicit_tls(ca.as_ref()),
                },
                465,
            ),
            (scheme, tls) => {
                return Err(format!(
                    "{scheme}:// with tls={tls:?} is not understood; use smtp://, \
                     smtp://...?tls=required or smtps://"
                ))
            }
        };
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8()
                .map(|text| text.into_owned())
                .map_err(|_| "the URL's user name or password is not UTF-8".to_owned())
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        Ok(Self {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello,
            idle: Mutex::new(Vec::new()),
            max_idle,
        })
    }

    /// host:port, fit for a log line (the URL may hold a password).
    pub(super) fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Hands one message over, on a connection left open by the last one when there is one.
    pub(super) async fn send(
        &self,
        envelope: &Envelope,
        message: &[u8],
    ) -> Result<Response, DeliveryError> {
        let mut connection = match self.reuse().await {
            Some(connection) => connection,
            None => self.connect().await?,
        };
        match tokio::time::timeout(SEND_TIMEOUT, connection.send(envelope, message)).await {
            Ok(Ok(response)) => {
                self.keep(connection);
                Ok(response)
            }
            // lettre closes a connection on any error: it is not kept.
            Ok(Err(e)) => Err(DeliveryError {
                permanent: e.is_permanent(),
                reason: match e.status() {
                    Some(code) => format!("{code} {e}"),
                    None => e.to_string(),
                },
            }),
            Err(_) => Err(temporary(format!(
                "the SMTP server did not answer within {} s",
                SEND_TIMEOUT.as_secs()
            ))),
        }
    }

    /// An idle connection that still works, if any.
    async fn reuse(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let (mut connection, since) = self.lock_idle().pop()?;
            let idle = since.elapsed();
            if idle > CLOSE_AFTER {
                continue;
            }
            if idle <= CHECK_AFTER || connection.test_connected().await {
                return Some(connection);
            }
        }
    }

    fn keep(&self, connection: AsyncSmtpConnection) {
        let mut idle = self.lock_idle();
        if idle.len() < self.max_idle && !connection.has_broken() {
            idle.push((connection, Instant::now()));
        }
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<(AsyncSmtpConnection, Instant)>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, DeliveryError> {
        let connecting = async {
            let tcp = TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| temporary(format!("cannot connect to {}: {e}", self.server())))?;
            tcp.set_nodelay(true)
                .map_err(|e| temporary(format!("cannot set TCP_NODELAY: {e}")))?;
            let stream: Box<dyn AsyncTokioStream> = match &self.security {
                Security::Implicit { tls } => Box::new(self.wrap(tls, tcp).await?),
                _ => Box::new(tcp),
            };
            let mut connection = AsyncSmtpConnection::connect_with_transport(stream, &self.hello)
                .await
                .map_err(|e| temporary(format!("{}: {e}", self.server())))?;
            if let Security::StartTls { tls, required } = &self.security {
                if *required || connection.can_starttls() {
                    connection
                        .starttls(tls.clone(), &self.hello)
                        .await
                        .map_err(|e| temporary(format!("STARTTLS with {}: {e}", self.server())))?;
                }
            }
            if let Some(credentials) = &self.credentials {
                let mechanisms = [Mechanism::Plain, Mechanism::Login];
                connection
                    .auth(&mechanisms, credentials)
                    .await
                    // The relay's trouble, not the message's: it waits until the operator has
                    // mended SMTP_URL, rather than every queued email failing at once.
                    .map_err(|e| DeliveryError {
                        permanent: false,
                        reason: format!("{} refused the credentials: {e}", self.server()),
                    })?;
            }
            Ok(connection)
        };
        tokio::time::timeout(CONNECT_TIMEOUT, connecting)
            .await
            .unwrap_or_else(|_| {
                Err(temporary(format!(
                    "cannot connect to {} within {} s",
                    self.server(),
                    CONNECT_TIMEOUT.as_secs()
                )))
            })
    }

    async fn wrap(
        &self,
        tls: &tokio_rustls::TlsConnector,
        tcp: TcpStream,
    ) -> Result<TlsStream, DeliveryError> {
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(self.host.clone())
            .map_err(|e| DeliveryError {
                permanent: true,
                reason: format!("{} is not a name TLS can check: {e}", self.host),
            })?;
        let stream = tls
            .connect(name, tcp)
            .await
            .map_err(|e| temporary(format!("TLS with {}: {e}", self.server())))?;
        Ok(TlsStream(stream))
    }
}

fn temporary(reason: String) -> DeliveryError {
    DeliveryError {
        permanent: false,
        reason,
    }
}

/// The clinic's own certificate authority (`?ca=`): the certificates of its PEM file.
type Authority = Vec<CertificateDer<'static>>;

fn read_ca(path: &str) -> Result<Authority, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("cannot read the certificate authority {path} (?ca=): {e}"))?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Authority, _>>()
        .map_err(|e| format!("{path} (?ca=) is not PEM: {e}"))?;
    if certificates.is_empty() {
        return Err(format!("{path} (?ca=) holds no PEM certificate"));
    }
    Ok(certificates)
}

/// Server certificates checked against the Mozilla roots, as lettre's own TLS does, and the
/// clinic's own authority if there is one.
fn implicit_tls(ca: Option<&Authority>) -> Arc<tokio_rustls::TlsConnector> {
    use tokio_rustls::rustls::{ClientConfig, RootCertStore};
    let mut roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for certificate in ca.into_iter().flatten() {
        // One the TLS library cannot use as a root is left out: the relay's own then fails
        // to verify, and the delivery says why.
        let _ = roots.add(certificate.clone());
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// A TLS connection as lettre takes a stream.
#[derive(Debug)]
struct TlsStream(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for TlsStream {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl tokio::io::AsyncRead for TlsStream {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for TlsStream {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clinics_certificate_authority_is_read_for_tls_relays_only() {
        let dir = tempfile::tempdir().unwrap();
        let refused = |url: String| match Relay::from_url(&Url::parse(&url).unwrap(), 1) {
            Ok(_) => panic!("{url} was taken"),
            Err(reason) => reason,
        };
        let missing = dir.path().join("missing.pem");
        let reason = refused(format!("smtps://relay.example?ca={}", missing.display()));
        assert!(
            reason.starts_with("cannot read the certificate authority"),
            "{reason}"
        );
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let reason = refused(format!("smtps://relay.example?ca={}", junk.display()));
        assert!(reason.ends_with("holds no PEM certificate"), "{reason}");
        let reason = refused(format!("smtp://relay.example?ca={}", junk.display()));
        assert!(
            reason.starts_with("?ca= is for a relay spoken to over TLS"),
            "{reason}"
        );
    }
}
