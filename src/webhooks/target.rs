//! Where a webhook may point. Checked when a URL is registered (its form,
//! and that it is not devpulse itself) and again on every delivery, on the
//! addresses its host resolves to at that moment (a name can change what it
//! points at after it was registered); the request then goes to the address
//! that was checked, never to a second lookup.
//!
//! Never: link-local addresses (cloud metadata services live there),
//! unspecified, multicast and broadcast addresses, and devpulse itself.
//! Loopback and private networks only with `DEVPULSE_WEBHOOK_ALLOW_PRIVATE`.

use crate::domain::FieldError;
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// What a delivery must not reach: devpulse's own addresses, and the policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub allow_private: bool,
    /// devpulse's public origin (`DEVPULSE_BASE_URL`): its host and port.
    pub own_host: String,
    pub own_port: u16,
    /// The address the server listens on (`DEVPULSE_BIND`), when it parses.
    pub bind: Option<SocketAddr>,
}

impl Policy {
    pub fn new(base_url: &str, bind: &str, allow_private: bool) -> Self {
        let base = Url::parse(base_url).ok();
        Policy {
            allow_private,
            own_host: base.as_ref().and_then(|u| u.host_str().map(str::to_ascii_lowercase)).unwrap_or_default(),
            own_port: base.as_ref().and_then(Url::port_or_known_default).unwrap_or(0),
            bind: bind.parse().ok(),
        }
    }

    /// A URL fit to register: http(s), a host, no credentials, and not devpulse.
    pub fn check_url(&self, field: &str, raw: &str) -> Result<Url, FieldError> {
        let bad = |why: &str| FieldError::new(field, format!("{raw:?} {why}"));
        let url = Url::parse(raw.trim()).map_err(|e| bad(&format!("is not a URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("must start with http:// or https://"));
        }
        let host = url.host_str().ok_or_else(|| bad("has no host"))?.to_ascii_lowercase();
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not carry a user name or password"));
        }
        let port = url.port_or_known_default().unwrap_or(0);
        if host == self.own_host && port == self.own_port {
            return Err(bad("points at devpulse itself"));
        }
        if let Some(ip) = literal_ip(&url) {
            self.check_addr(SocketAddr::new(ip, port)).map_err(|why| bad(&why))?;
        }
        Ok(url)
    }

    /// Why a delivery must not go to `addr`, if it must not.
    pub fn check_addr(&self, addr: SocketAddr) -> Result<(), String> {
        let ip = canonical(addr.ip());
        if self.is_own(ip, addr.port()) {
            return Err("points at devpulse itself".into());
        }
        match class(ip) {
            Class::Public => Ok(()),
            Class::Private if self.allow_private => Ok(()),
            Class::Private => Err(format!(
                "resolves to {ip}, a loopback or private address (allowed only with DEVPULSE_WEBHOOK_ALLOW_PRIVATE=true)"
            )),
            Class::Never => Err(format!("resolves to {ip}, a link-local, metadata or unroutable address")),
        }
    }

    fn is_own(&self, ip: IpAddr, port: u16) -> bool {
        if let Some(bind) = self.bind {
            let bound = canonical(bind.ip());
            if port == bind.port() && (ip == bound || (bound.is_unspecified() && class(ip) != Class::Public)) {
                return true;
            }
        }
        port == self.own_port && ip.is_loopback() && is_loopback_name(&self.own_host)
    }
}

/// Resolves `url`'s host and checks every address; returns the first.
pub async fn resolve(policy: &Policy, url: &Url) -> Result<SocketAddr, String> {
    let host = url.host_str().ok_or("the URL has no host")?;
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    let addrs: Vec<SocketAddr> = match literal_ip(url) {
        Some(ip) => vec![SocketAddr::new(ip, port)],
        None => {
            tokio::net::lookup_host((host, port)).await.map_err(|e| format!("{host} does not resolve: {e}"))?.collect()
        }
    };
    // Every address must pass: a name with one public and one internal
    // address could otherwise be sent to the internal one.
    for a in &addrs {
        policy.check_addr(*a)?;
    }
    addrs.first().copied().ok_or_else(|| format!("{host} has no address"))
}

fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

fn is_loopback_name(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Class {
    Public,
    /// Loopback and private networks.
    Private,
    Never,
}

fn class(ip: IpAddr) -> Class {
    match ip {
        IpAddr::V4(v4) => class_v4(v4),
        IpAddr::V6(v6) => class_v6(v6),
    }
}

fn class_v4(ip: Ipv4Addr) -> Class {
    let [a, b, ..] = ip.octets();
    if ip.is_link_local() || ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() || a == 0 {
        Class::Never
    } else if ip == Ipv4Addr::new(100, 100, 100, 200) {
        // Alibaba Cloud's metadata service, outside link-local.
        Class::Never
    } else if ip.is_loopback() || ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Class::Private
    } else {
        Class::Public
    }
}

fn class_v6(ip: Ipv6Addr) -> Class {
    let first = ip.segments()[0];
    // fe80::/10 link-local; fd00:ec2::254 is AWS's metadata service.
    if (first & 0xffc0) == 0xfe80 || ip.is_unspecified() || ip.is_multicast() || ip == aws_metadata_v6() {
        Class::Never
    } else if ip.is_loopback() || (first & 0xfe00) == 0xfc00 {
        Class::Private
    } else {
        Class::Public
    }
}

fn aws_metadata_v6() -> Ipv6Addr {
    Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow_private: bool) -> Policy {
        Policy::new("https://devpulse.example.com", "127.0.0.1:8080", allow_private)
    }

    #[test]
    fn refuses_what_is_not_http_or_is_devpulse() {
        let p = policy(true);
        for bad in ["ftp://x.io/h", "file:///etc/passwd", "not a url", "https://u:p@x.io/h"] {
            assert!(p.check_url("url", bad).is_err(), "{bad} accepted");
        }
        let err = p.check_url("url", "https://devpulse.example.com/api/v1/friction").unwrap_err();
        assert!(err.message.contains("devpulse itself"), "{}", err.message);
        assert!(p.check_url("url", "http://127.0.0.1:8080/hook").is_err());
        assert!(p.check_url("url", "http://127.0.0.1:9999/hook").is_ok());
        assert!(p.check_url("url", "https://hooks.slack.com/services/T/B/x").is_ok());
    }

    #[test]
    fn addresses_by_class() {
        let strict = policy(false);
        let open = policy(true);
        let at = |s: &str| SocketAddr::new(s.parse().unwrap(), 443);
        for never in ["169.254.169.254", "0.0.0.0", "224.0.0.1", "255.255.255.255", "fe80::1", "fd00:ec2::254", "::"] {
            assert!(open.check_addr(at(never)).is_err(), "{never} allowed");
        }
        for private in
            ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "::1", "fd12::1", "::ffff:10.0.0.1"]
        {
            assert!(strict.check_addr(at(private)).is_err(), "{private} allowed without the setting");
            assert!(open.check_addr(at(private)).is_ok(), "{private} refused with the setting");
        }
        assert!(strict.check_addr(at("93.184.216.34")).is_ok());
    }
}
