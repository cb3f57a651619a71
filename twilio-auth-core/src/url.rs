//! Absolute URLs as text: their parts, the checks of a scheme, host and port, and the
//! password taken out of a URL before it is shown. Every module that handles a URL uses
//! these; this one uses no other.

/// The parts of an absolute URL, as slices of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// Scheme as written (`https`, `HTTP`, `wss`).
    pub scheme: &'a str,
    /// `user:pass` or `user`, without the `@`.
    pub userinfo: Option<&'a str>,
    /// Host, with brackets for an IPv6 literal.
    pub host: &'a str,
    /// The port as written after `:` (may be empty or not numeric: it is kept verbatim).
    pub port: Option<&'a str>,
    /// Path, query and fragment, as written.
    pub rest: &'a str,
}

impl<'a> UrlParts<'a> {
    /// Splits `scheme://[userinfo@]host[:port]rest`; `None` when there is no `://`.
    ///
    /// ```
    /// use twilio_auth_core::candidates::UrlParts;
    ///
    /// let p = UrlParts::split("https://u:p@[::1]:8443/voice?a=1").unwrap();
    /// assert_eq!((p.scheme, p.userinfo, p.host, p.port, p.rest),
    ///            ("https", Some("u:p"), "[::1]", Some("8443"), "/voice?a=1"));
    /// ```
    pub fn split(url: &'a str) -> Option<Self> {
        // A byte scan: `str::find` with a string pattern sets up a two-way searcher first.
        let sep = url.as_bytes().windows(3).position(|w| w == b"://")?;
        let scheme = &url[..sep];
        let after = &url[sep + 3..];
        let authority_end = after
            .bytes()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(after.len());
        let (authority, rest) = after.split_at(authority_end);
        let (userinfo, host_port) = match authority.rfind('@') {
            Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
            None => (None, authority),
        };
        let (host, port) = split_host_port(host_port);
        Some(UrlParts {
            scheme,
            userinfo,
            host,
            port,
            rest,
        })
    }

    /// Whether the authority is well formed: a non-empty host, an IPv6 literal that is
    /// closed and made of hex digits, `:` and `.`, and a port (when written) of at most
    /// five digits below 65536. An empty port (`host:`) is allowed, as RFC 3986 does.
    ///
    /// ```
    /// use twilio_auth_core::candidates::UrlParts;
    ///
    /// assert!(UrlParts::split("https://[::1]:8443/").unwrap().is_valid_authority());
    /// assert!(!UrlParts::split("https://h:99999/").unwrap().is_valid_authority());
    /// assert!(!UrlParts::split("https://[::1/").unwrap().is_valid_authority());
    /// ```
    pub fn is_valid_authority(&self) -> bool {
        authority_is_valid(self.host, self.port)
    }

    /// Reassembles the URL with the given userinfo and port.
    pub(crate) fn join(&self, userinfo: Option<&str>, port: Option<&str>) -> String {
        let mut out =
            String::with_capacity(self.scheme.len() + self.host.len() + self.rest.len() + 32);
        out.push_str(self.scheme);
        out.push_str("://");
        if let Some(userinfo) = userinfo {
            out.push_str(userinfo);
            out.push('@');
        }
        out.push_str(self.host);
        if let Some(port) = port {
            out.push(':');
            out.push_str(port);
        }
        out.push_str(self.rest);
        out
    }
}

/// `host[:port]` split at the port's `:`; an IPv6 literal keeps its brackets.
pub(crate) fn split_host_port(host_port: &str) -> (&str, Option<&str>) {
    if host_port.starts_with('[') {
        match host_port.find(']') {
            Some(close) => {
                let (host, tail) = host_port.split_at(close + 1);
                match tail.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    // Anything else after `]` stays in the host, which is then invalid.
                    None if tail.is_empty() => (host, None),
                    None => (host_port, None),
                }
            }
            None => (host_port, None),
        }
    } else {
        match host_port.find(':') {
            Some(colon) => (&host_port[..colon], Some(&host_port[colon + 1..])),
            None => (host_port, None),
        }
    }
}

/// See [`UrlParts::is_valid_authority`].
fn authority_is_valid(host: &str, port: Option<&str>) -> bool {
    let host_ok = match host.strip_prefix('[') {
        Some(inner) => inner.strip_suffix(']').is_some_and(|ip| {
            !ip.is_empty()
                && ip
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }),
        None => !host.is_empty() && !host.bytes().any(|b| b == b'[' || b == b']'),
    };
    let port_ok = port.is_none_or(|port| {
        port.is_empty() || (port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok())
    });
    host_ok && port_ok
}

/// Whether `host_port` (`host[:port]`, as a `Host` header carries it) is a well-formed
/// authority, as [`UrlParts::is_valid_authority`] judges one.
pub(crate) fn host_port_is_valid(host_port: &str) -> bool {
    let (host, port) = split_host_port(host_port);
    authority_is_valid(host, port)
}

/// Whether `scheme` is a URL scheme (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`).
pub(crate) fn is_valid_scheme(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `url` with the password of its `user:pass@` (if any) shown as `***`.
pub(crate) fn redact_password(url: &str) -> String {
    redacted(url.to_owned())
}

/// [`redact_password`] for a URL that is no longer needed: returned as it is when there
/// is no password to hide.
pub(crate) fn redacted(url: String) -> String {
    let Some(userinfo) = UrlParts::split(&url).and_then(|p| p.userinfo) else {
        return url;
    };
    let Some((user, _)) = userinfo.split_once(':') else {
        return url;
    };
    // The password is replaced where the authority holds it, never where the same text
    // happens to stand earlier in the URL (in its scheme, say).
    let start = userinfo.as_ptr() as usize - url.as_ptr() as usize;
    let end = start + userinfo.len();
    [&url[..start], user, ":***", &url[end..]].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        for ok in ["https", "wss", "coap+tcp", "a.b-c"] {
            assert!(is_valid_scheme(ok), "{ok}");
        }
        for bad in ["", "1ttp", "ht tp", "h_t"] {
            assert!(!is_valid_scheme(bad), "{bad}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_password("https://u:p@h/x?y=u:p@"),
            "https://u:***@h/x?y=u:p@"
        );
        assert_eq!(redact_password("https://u@h/"), "https://u@h/");
        // Found by the fuzz targets: the same text before the authority, or an empty user.
        assert_eq!(
            redact_password("https://:@example.com"),
            "https://:***@example.com"
        );
        assert_eq!(
            redact_password("u:pw-tps://u:pw@h/x"),
            "u:pw-tps://u:***@h/x"
        );
        assert_eq!(redact_password("https://h/"), "https://h/");
    }
}
