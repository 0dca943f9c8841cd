//! Addresses in settings: the portal's and its mail server's URLs (`PUBLIC_URL`, `SMTP_URL`), and
//! address ranges (`TRUSTED_PROXIES`, `METRICS_ALLOW`): `10.0.0.2`, `10.0.0.0/8`,
//! `2001:db8::/32`. Ranges are compared canonically, so a client seen through an IPv6 socket as
//! `::ffff:10.0.0.2` is the same as `10.0.0.2`, whichever way either was written.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    str::FromStr,
};

use url::Url;

/// An address range: an address and how many of its leading bits count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    network: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Whether the range is narrow enough to name one organisation's machines: at most a /8 of
    /// IPv4 or a /16 of IPv6. `0.0.0.0/0` in `TRUSTED_PROXIES` would let every client name its
    /// own address.
    pub fn is_plausible(&self) -> bool {
        self.prefix >= if self.network.is_ipv4() { 8 } else { 16 }
    }

    /// Whether `ip` is in this range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        masked(ip.to_canonical(), self.prefix) == Some(self.network)
    }
}

/// Whether `ip` is in any of `nets`.
pub fn any_contains(nets: &[IpNet], ip: IpAddr) -> bool {
    nets.iter().any(|net| net.contains(ip))
}

/// `ip` with all but its first `prefix` bits cleared; `None` when it has fewer bits than that.
fn masked(ip: IpAddr, prefix: u8) -> Option<IpAddr> {
    let keep = |bits: u32| u128::MAX.checked_shl(bits - u32::from(prefix)).unwrap_or(0);
    Some(match ip {
        IpAddr::V4(v4) if prefix <= 32 => {
            let bits = u128::from(v4.to_bits()) & keep(32);
            IpAddr::V4(Ipv4Addr::from_bits(bits as u32))
        }
        IpAddr::V6(v6) if prefix <= 128 => {
            IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & keep(128)))
        }
        _ => return None,
    })
}

impl FromStr for IpNet {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let ip = address
            .parse::<IpAddr>()
            .map_err(|_| format!("{address:?} is not an IP address"))?;
        // `::ffff:10.0.0.0/104` is `10.0.0.0/8`.
        let (ip, bits, shift) = match (ip, ip.to_canonical()) {
            (IpAddr::V6(_), v4 @ IpAddr::V4(_)) => (v4, 32, 96),
            (IpAddr::V4(_), v4) => (v4, 32, 0),
            (v6, _) => (v6, 128, 0),
        };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .and_then(|n| n.checked_sub(shift))
                .filter(|n| *n <= bits)
                .ok_or_else(|| format!("{text:?} has no valid prefix length (0 to {bits})"))?,
        };
        let network = masked(ip, prefix).expect("the prefix fits the address");
        Ok(Self { network, prefix })
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

pub(super) fn parse_base_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("expected an http:// or https:// URL".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("a base URL cannot have a query or a fragment".into());
    }
    Ok(url)
}

pub(super) fn parse_smtp_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err("expected smtp://host:port or smtps://user:pass@host:465".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the URL names no host".into());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> IpNet {
        text.parse().unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_single_address_is_a_range_of_one() {
        assert!(net("10.0.0.2").contains(ip("10.0.0.2")));
        assert!(!net("10.0.0.2").contains(ip("10.0.0.3")));
        assert!(net("::1").contains(ip("::1")));
        assert!(!net("::1").contains(ip("::2")));
    }

    #[test]
    fn ranges_hold_their_addresses_and_no_others() {
        let private = net("10.0.0.0/8");
        assert!(private.contains(ip("10.255.1.2")));
        assert!(!private.contains(ip("11.0.0.1")));
        let v6 = net("2001:db8::/32");
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(net("0.0.0.0/0").contains(ip("203.0.113.7")));
        assert!(
            !net("0.0.0.0/0").contains(ip("2001:db8::1")),
            "families never mix"
        );
        assert_eq!(net("10.1.2.3/8").to_string(), "10.0.0.0/8");
    }

    #[test]
    fn ipv4_mapped_addresses_compare_as_the_ipv4_address() {
        assert!(net("10.0.0.2").contains(ip("::ffff:10.0.0.2")));
        assert!(net("::ffff:10.0.0.2").contains(ip("10.0.0.2")));
        assert!(net("::ffff:10.0.0.0/104").contains(ip("10.9.9.9")));
        assert_eq!(net("::ffff:10.0.0.0/104"), net("10.0.0.0/8"));
        assert!(net("127.0.0.1").contains(ip("::ffff:127.0.0.1")));
    }

    #[test]
    fn ranges_wider_than_an_organisation_are_implausible() {
        assert!(net("10.0.0.0/8").is_plausible());
        assert!(net("2001:db8::/32").is_plausible());
        assert!(net("127.0.0.1").is_plausible());
        for wide in ["0.0.0.0/0", "128.0.0.0/1", "10.0.0.0/7", "::/0", "2000::/3"] {
            assert!(!net(wide).is_plausible(), "{wide}");
        }
    }

    #[test]
    fn nonsense_is_refused_with_a_reason() {
        for bad in [
            "",
            "10.0.0",
            "10.0.0.0/33",
            "10.0.0.0/-1",
            "::/129",
            "x/8",
            "10.0.0.0/",
            "::ffff:10.0.0.0/8",
        ] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }
}
