//! The connection loop: what `axum::serve` does, with the limit it leaves out. hyper closes a
//! connection that takes too long to send a request's headers only when it is given a timer,
//! which `axum::serve` does not give it, so a client sending a byte every few seconds (slowloris)
//! could hold connections open for ever on an instance reached directly, and so could one that
//! connects and sends nothing. Here every connection gets `header_read_timeout` (from the moment
//! it is accepted), TCP_NODELAY, its peer's address for `ConnectInfo`, and a graceful end: at
//! shutdown no new connection is taken and those in flight finish their requests.

use std::{future::Future, time::Duration};

use axum::{body::Body, extract::ConnectInfo, http::Request, Router};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Serves `router` on `listener` until `shutdown` completes, then waits for the connections in
/// flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    // HTTP/1.1 only, as axum::serve without its http2 feature: browsers reach the portal through
    // a TLS proxy, which speaks HTTP/2 to them if anyone does.
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: let some connections end first.
                    tracing::error!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Nagle's algorithm delays the second write of every static file by ~40 ms on keep-alive
        // connections; pages and assets are small, so send them at once.
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |request: Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let service = TowerToHyperService::new(service);
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended");
            }
        });
    }
    drop(listener);
    // A request is answered within 30 s (`request_timeout`); a client slow to read its answer is
    // not waited for past that, or a stop would outlast what systemd allows it.
    if tokio::time::timeout(FINISH_CONNECTIONS, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("stopped with connections still open");
    }
}

/// How long connections in flight may take to finish once the portal stops taking new ones.
const FINISH_CONNECTIONS: Duration = Duration::from_secs(30);
