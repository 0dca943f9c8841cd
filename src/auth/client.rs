//! Who a request comes from: its address and city (through trusted proxies only) and its user
//! agent.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, request::Parts, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{
    accounts::{whole_seconds_up, AccountError, ClientMeta},
    configuration::{any_contains, IpNet, ServerSettings, TEST_CLIENT_HEADER},
    error::AppError,
    language::{Explain, Language},
    routes,
    state::AppState,
    testing,
};

/// A server function's request over its client's budget: the function answers with this
/// refusal before any other work (`RequestContext::from_leptos`), so the hydrated page reads it
/// as it reads any refusal, and a plain form goes back to its page with the message.
#[derive(Debug, Clone, Copy)]
pub struct OverBudget(pub time::Duration);

/// Counts every request but assets and probes against its client's budget
/// (`Accounts::admit`), before anything else reads a cookie or the database: a flood from one
/// client is refused in memory. A page is answered 429 here, with how long to wait; a server
/// function is told to refuse (`OverBudget`).
pub async fn limit_clients(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if routes::is_probe_or_asset(path) {
        return next.run(request).await;
    }
    // The testing API limits its own calls (`crate::testing`); without the token, a call
    // spends its client's budget as any other request does. The FHIR API budgets its own
    // (`crate::fhir`), per address before a key is looked up and per key after: a clinic's
    // system sends a day's schedule faster than a patient's browser asks for pages.
    if path.starts_with(testing::PREFIX) && testing::pass(request.headers(), &state).is_some()
        || routes::is_in(path, routes::FHIR)
    {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let client = client_meta(&parts, &state.settings.server);
    let Err(refused) = state.accounts.admit(&client) else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let AccountError::TooManyRequests { wait } = refused else {
        return AppError::from(refused).into_response();
    };
    if parts.uri.path().starts_with(routes::SERVER_FNS) {
        parts.extensions.insert(OverBudget(wait));
        return next.run(Request::from_parts(parts, body)).await;
    }
    // In the page's language (`pick_language` ran first): no leptos context to read it from.
    let words = state.words_of(&parts.extensions);
    let told = AppError::refused(
        StatusCode::TOO_MANY_REQUESTS.as_u16(),
        refused.explain(&words),
    );
    let mut response = told.into_response();
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(whole_seconds_up(wait)),
    );
    response
}

/// The client's address, city and browser, as far as this server can tell.
pub fn client_meta(parts: &Parts, server: &ServerSettings) -> ClientMeta {
    let trusted_proxies = &server.trusted_proxies;
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let through_proxy = peer.is_some_and(|peer| any_contains(trusted_proxies, peer));
    // Only one value: a proxy that appends to a header the client sent would leave two, and
    // the first would be the client's own words.
    let place = server
        .location_header
        .as_ref()
        .filter(|_| through_proxy)
        .map(|name| parts.headers.get_all(name).iter().collect::<Vec<_>>())
        .and_then(|values| match values[..] {
            [value] => place_name(value.as_bytes()),
            _ => None,
        });
    let forwarded_for = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    // A test's browser (`TEST_CLIENT_HEADER`, minted by the testing API) spends budgets of its
    // own; its address is still the one recorded.
    let test_client = server.testing.as_ref().and_then(|testing| {
        let header = parts.headers.get(TEST_CLIENT_HEADER)?.to_str().ok()?;
        testing.test_client(header)
    });
    ClientMeta {
        ip: peer.map(|peer| client_ip(peer, forwarded_for, trusted_proxies).to_string()),
        test_client,
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(300).collect()),
        place,
        language: parts.extensions.get::<Language>().copied(),
    }
}

/// A city as a proxy names it ("Toronto", "S%C3%A3o Paulo"), if it reads as one: letters,
/// spaces and the punctuation of place names, at most 60 characters. It is shown to patients as
/// where a sign-in came from, so nothing else is let through.
fn place_name(raw: &[u8]) -> Option<String> {
    let decoded = percent_encoding::percent_decode(raw).decode_utf8().ok()?;
    let name = decoded.trim();
    let reads_as_a_place = (1..=60).contains(&name.chars().count())
        && name.chars().any(char::is_alphabetic)
        && name
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.' | ','));
    reads_as_a_place.then(|| name.to_owned())
}

/// The client behind `peer`. Only a trusted proxy's `X-Forwarded-For` is believed, read from
/// the right (the entries its own proxies appended) to the first address that is not one of
/// ours: anything further left was written by the client and could be made up.
fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    trusted_proxies: &[IpNet],
) -> IpAddr {
    if !any_contains(trusted_proxies, peer) {
        return peer;
    }
    let hops = forwarded_for
        .rev()
        .flat_map(|v| v.rsplit(','))
        .map(str::trim);
    let mut client = peer;
    for hop in hops {
        match hop.parse::<IpAddr>() {
            Ok(ip) if any_contains(trusted_proxies, ip) => client = ip,
            Ok(ip) => return ip,
            // A garbled entry: stop at the last address a trusted proxy vouched for.
            Err(_) => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn net(text: &str) -> IpNet {
        text.parse().unwrap()
    }

    #[test]
    fn proxies_may_be_ranges_and_are_known_through_an_ipv6_socket() {
        let proxies = [net("10.0.0.0/24")];
        let header = ["203.0.113.7, 10.0.0.7"];
        assert_eq!(
            client_ip(ip("10.0.0.2"), header.into_iter(), &proxies),
            ip("203.0.113.7")
        );
        // The same proxy, as a dual-stack listener sees it.
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.2"), header.into_iter(), &proxies),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_ip(ip("10.0.1.2"), header.into_iter(), &proxies),
            ip("10.0.1.2")
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy = [net("10.0.0.2")];
        let header = ["198.51.100.9, 203.0.113.7"];
        // No proxy configured, or the request did not come through it: the peer is the client.
        assert_eq!(
            client_ip(ip("10.0.0.2"), header.into_iter(), &[]),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_ip(ip("192.0.2.1"), header.into_iter(), &proxy),
            ip("192.0.2.1")
        );
        // Through the proxy: the address it appended, not what the client wrote before it.
        assert_eq!(
            client_ip(ip("10.0.0.2"), header.into_iter(), &proxy),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn only_names_that_read_as_places_are_kept() {
        assert_eq!(place_name(b"Toronto").as_deref(), Some("Toronto"));
        assert_eq!(place_name(b"S%C3%A3o Paulo").as_deref(), Some("São Paulo"));
        assert_eq!(place_name(b"St. John's").as_deref(), Some("St. John's"));
        for bad in [
            &b""[..],
            b"  ",
            b"Call 555-0100",
            b"<script>",
            b"https://evil.example",
            &[b'a'; 61],
            b"%FF",
        ] {
            assert_eq!(place_name(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn chains_of_our_own_proxies_and_garbage_are_handled() {
        let proxies = [net("10.0.0.2"), net("10.0.0.3")];
        let chain = ["203.0.113.7, 10.0.0.3", "10.0.0.2"];
        assert_eq!(
            client_ip(ip("10.0.0.2"), chain.into_iter(), &proxies),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), ["nonsense, 10.0.0.3"].into_iter(), &proxies),
            ip("10.0.0.3")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), std::iter::empty(), &proxies),
            ip("10.0.0.2")
        );
    }
}
