//! The candidate URLs of SPEC §3: the URL Twilio signed may differ from the one the server
//! rebuilt in its port, scheme case, credentials or legacy query encoding. Each variant is
//! made by editing the text of the URL (the authority, or `'` in the query), never by
//! re-serialising it through a URL parser, which would re-encode what Twilio signed.

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
    fn join(&self, userinfo: Option<&str>, port: Option<&str>) -> String {
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

    /// The ports to try instead of the one written: none when a port is written; the
    /// scheme's default port(s) when none is.
    fn toggled_ports(&self) -> &'static [Option<&'static str>] {
        if self.port.is_some() {
            return &[None];
        }
        if self.scheme.eq_ignore_ascii_case("https") {
            &[Some("443")]
        } else if self.scheme.eq_ignore_ascii_case("http") {
            &[Some("80")]
        } else {
            &[Some("443"), Some("80")]
        }
    }
}

/// Options that widen the candidate set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CandidateOptions {
    /// Also try each URL with a `/` added to its path (Media Streams WebSocket handshakes).
    pub trailing_slash: bool,
}

/// Every URL Twilio may have signed for a request that arrived at `url`, the URL itself
/// first, without duplicates.
///
/// ```
/// use twilio_auth_core::candidates::{candidate_urls, CandidateOptions};
///
/// let urls = candidate_urls("https://user:pass@example.com/voice", CandidateOptions::default());
/// assert_eq!(urls, [
///     "https://user:pass@example.com/voice",
///     "https://user:pass@example.com:443/voice",
///     "https://example.com/voice",
///     "https://example.com:443/voice",
/// ]);
/// ```
pub fn candidate_urls(url: &str, options: CandidateOptions) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(8);
    let push = |candidate: String, out: &mut Vec<String>| {
        if !out.contains(&candidate) {
            out.push(candidate);
        }
    };
    for base in std::iter::once(url).chain(normalised(url).as_deref()) {
        let [quoted, unquoted] = quote_variants(base);
        for variant in [Some(base), quoted.as_deref(), unquoted.as_deref()] {
            let Some(variant) = variant else { continue };
            match UrlParts::split(variant) {
                Some(parts) => {
                    let userinfos: &[Option<&str>] = match parts.userinfo {
                        Some(u) => &[Some(u), None],
                        None => &[None],
                    };
                    for &userinfo in userinfos {
                        push(parts.join(userinfo, parts.port), &mut out);
                        for &port in parts.toggled_ports() {
                            push(parts.join(userinfo, port), &mut out);
                        }
                    }
                }
                None => push(variant.to_owned(), &mut out),
            }
        }
    }
    if options.trailing_slash {
        let slashed: Vec<String> = out.iter().filter_map(|u| with_trailing_slash(u)).collect();
        for candidate in slashed {
            push(candidate, &mut out);
        }
    }
    out
}

/// The URL with ASCII tab/CR/LF removed and the scheme lower-cased, when that differs.
fn normalised(url: &str) -> Option<String> {
    let scheme_end = url.find("://").unwrap_or(0);
    let changes = url.contains(['\t', '\r', '\n'])
        || url[..scheme_end].bytes().any(|b| b.is_ascii_uppercase());
    if !changes {
        return None;
    }
    let mut normalised: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    if let Some(sep) = normalised.find("://") {
        normalised[..sep].make_ascii_lowercase();
    }
    (normalised != url).then_some(normalised)
}

/// The URL's query with every `'` written `%27` (how twilio-node ≥ 5.0.4 re-serialises
/// it), and with every `%27` written `'` (the raw form older back ends signed), each only
/// when the query has them.
fn quote_variants(url: &str) -> [Option<String>; 2] {
    let Some(q) = url.find('?') else {
        return [None, None];
    };
    let (head, query) = url.split_at(q);
    [
        query
            .contains('\'')
            .then(|| format!("{head}{}", query.replace('\'', "%27"))),
        query
            .contains("%27")
            .then(|| format!("{head}{}", query.replace("%27", "'"))),
    ]
}

fn with_trailing_slash(url: &str) -> Option<String> {
    let path_end = match UrlParts::split(url) {
        Some(parts) => {
            url.len() - parts.rest.len() + parts.rest.find(['?', '#']).unwrap_or(parts.rest.len())
        }
        None => return None,
    };
    if url[..path_end].ends_with('/') {
        return None;
    }
    Some(format!("{}/{}", &url[..path_end], &url[path_end..]))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_port_toggles_after_the_bracket() {
        let urls = candidate_urls("http://[2001:db8::1]:8080/a", CandidateOptions::default());
        assert_eq!(
            urls,
            ["http://[2001:db8::1]:8080/a", "http://[2001:db8::1]/a"]
        );
    }

    #[test]
    fn other_schemes_try_both_default_ports() {
        let urls = candidate_urls("wss://example.com/stream", CandidateOptions::default());
        assert_eq!(
            urls,
            [
                "wss://example.com/stream",
                "wss://example.com:443/stream",
                "wss://example.com:80/stream"
            ]
        );
    }

    #[test]
    fn upper_case_scheme_is_also_tried_lower_case() {
        let urls = candidate_urls("HTTPS://Example.com/a", CandidateOptions::default());
        assert!(urls.contains(&"https://Example.com/a".to_owned()));
        assert!(urls.contains(&"https://Example.com:443/a".to_owned()));
        assert!(
            !urls.iter().any(|u| u.contains("example.com")),
            "host case is kept"
        );
    }

    #[test]
    fn quotes_in_query_are_tried_both_ways() {
        let urls = candidate_urls("https://h/p?a=it's&b=x%27", CandidateOptions::default());
        assert!(urls.contains(&"https://h/p?a=it%27s&b=x%27".to_owned()));
        assert!(urls.contains(&"https://h/p?a=it's&b=x'".to_owned()));
        assert!(urls.len() <= 16, "{urls:?}");
    }

    #[test]
    fn empty_and_odd_ports_are_removed_verbatim() {
        let urls = candidate_urls("https://h:/p", CandidateOptions::default());
        assert_eq!(urls, ["https://h:/p", "https://h/p"]);
        let urls = candidate_urls("https://h:0443/p", CandidateOptions::default());
        assert_eq!(urls, ["https://h:0443/p", "https://h/p"]);
    }

    #[test]
    fn control_characters_are_stripped() {
        let urls = candidate_urls("https://h/p?a=1\t\n", CandidateOptions::default());
        assert!(urls.contains(&"https://h/p?a=1".to_owned()));
    }

    #[test]
    fn trailing_slash_is_opt_in() {
        let urls = candidate_urls(
            "wss://h/stream?x=1",
            CandidateOptions {
                trailing_slash: true,
            },
        );
        assert!(urls.contains(&"wss://h/stream/?x=1".to_owned()));
        assert!(urls.contains(&"wss://h:443/stream/?x=1".to_owned()));
        let plain = candidate_urls("wss://h/stream?x=1", CandidateOptions::default());
        assert!(!plain.iter().any(|u| u.contains("stream/")));
    }

    #[test]
    fn a_url_without_scheme_separator_is_its_only_candidate() {
        assert_eq!(
            candidate_urls("not a url", CandidateOptions::default()),
            ["not a url"]
        );
    }

    #[test]
    fn text_after_an_ipv6_literal_is_kept_and_invalid() {
        let p = UrlParts::split("https://[::1]x/p").unwrap();
        assert_eq!((p.host, p.port), ("[::1]x", None));
        assert!(!p.is_valid_authority());
        assert_eq!(
            candidate_urls("https://[::1]x/p", CandidateOptions::default())[0],
            "https://[::1]x/p"
        );
    }

    #[test]
    fn at_sign_in_path_is_not_userinfo() {
        let p = UrlParts::split("https://h/p@q").unwrap();
        assert_eq!(p.userinfo, None);
        assert_eq!(p.host, "h");
    }
}
