//! Which public URL a request was sent to (SPEC §3): the configured public base URL, or
//! forwarded headers from a trusted proxy, or the `Host` header with a default scheme.

use crate::headers::Headers;
use crate::url::{UrlParts, host_port_is_valid, is_valid_scheme, redact_password, split_host_port};

/// The forwarded headers a trusted proxy writes: only that family is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForwardedHeaders {
    /// RFC 7239 `Forwarded: proto=…;host=…`.
    Forwarded,
    /// `X-Forwarded-Proto`, `X-Forwarded-Host`, `X-Forwarded-Port`.
    XForwarded,
}

/// How the verifier learns the public URL Twilio requested. `Debug` hides the password of
/// a base URL with `user:pass@`.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicUrlPolicy {
    /// A configured base such as `https://voice.example.com` (no trailing `/`, no query);
    /// the request's raw path and query are appended to it.
    BaseUrl(String),
    /// Derive it from the request: the forwarded headers of `trust_forwarded`, when set
    /// (they are client-controlled, so only behind a proxy that writes them), else the
    /// `Host` header, with `default_scheme` when nothing says otherwise.
    FromRequest {
        /// Scheme used when no trusted header names one.
        default_scheme: String,
        /// The forwarded headers the proxy writes, if it is trusted.
        trust_forwarded: Option<ForwardedHeaders>,
    },
}

impl std::fmt::Debug for PublicUrlPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublicUrlPolicy::BaseUrl(url) => f
                .debug_tuple("BaseUrl")
                .field(&redact_password(url))
                .finish(),
            PublicUrlPolicy::FromRequest {
                default_scheme,
                trust_forwarded,
            } => f
                .debug_struct("FromRequest")
                .field("default_scheme", default_scheme)
                .field("trust_forwarded", trust_forwarded)
                .finish(),
        }
    }
}

/// Why a configured public base URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BaseUrlProblem {
    NoScheme,
    BadScheme,
    NoHost,
    BadPort,
    HasQueryOrFragment,
    HasWhitespace,
}

impl std::fmt::Display for BaseUrlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BaseUrlProblem::NoScheme => "it has no scheme (expected e.g. https://host)",
            BaseUrlProblem::BadScheme => "its scheme is not a valid URL scheme",
            BaseUrlProblem::NoHost => "it has no host",
            BaseUrlProblem::BadPort => "its host or port is invalid",
            BaseUrlProblem::HasQueryOrFragment => "it has a query or fragment",
            BaseUrlProblem::HasWhitespace => "it contains whitespace or control characters",
        })
    }
}

/// Checks a public base URL and returns it without a trailing `/`.
pub(crate) fn normalise_base_url(url: &str) -> Result<String, BaseUrlProblem> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(BaseUrlProblem::HasWhitespace);
    }
    let parts = UrlParts::split(url).ok_or(BaseUrlProblem::NoScheme)?;
    if !is_valid_scheme(parts.scheme) {
        return Err(BaseUrlProblem::BadScheme);
    }
    if parts.host.is_empty() || parts.host == "[]" {
        return Err(BaseUrlProblem::NoHost);
    }
    if parts.port == Some("") || !parts.is_valid_authority() {
        return Err(BaseUrlProblem::BadPort);
    }
    if parts.rest.contains(['?', '#']) {
        return Err(BaseUrlProblem::HasQueryOrFragment);
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Why no public URL could be built for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlProblem {
    /// No `Host` header (nor a trusted forwarded host, nor an authority from the adapter).
    MissingHost,
    /// A `Host` or forwarded value that cannot be part of a URL.
    InvalidHost,
}

impl PublicUrlPolicy {
    /// The public URL of a request whose raw path and query are `path_and_query`, with
    /// a well-formed authority (the base URL's, checked when the configuration was built,
    /// or a host and port checked here).
    pub(crate) fn url_for(
        &self,
        path_and_query: &str,
        headers: &dyn Headers,
        authority: Option<&str>,
    ) -> Result<String, UrlProblem> {
        let path_and_query = if path_and_query.is_empty() {
            "/"
        } else {
            path_and_query
        };
        match self {
            PublicUrlPolicy::BaseUrl(base) => Ok([base, path_and_query].concat()),
            PublicUrlPolicy::FromRequest {
                default_scheme,
                trust_forwarded,
            } => {
                let forwarded = match trust_forwarded {
                    Some(family) => Forwarded::read(*family, headers),
                    None => Forwarded::default(),
                };
                let scheme = forwarded.proto.unwrap_or(default_scheme);
                let host = forwarded
                    .host
                    .or_else(|| headers.header("host"))
                    .or(authority)
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .ok_or(UrlProblem::MissingHost)?;
                if !valid_host(host) || !host_port_is_valid(host) || !is_valid_scheme(scheme) {
                    return Err(UrlProblem::InvalidHost);
                }
                // Room for the whole URL, a forwarded port of up to five digits included.
                let mut url = String::with_capacity(
                    scheme.len() + "://".len() + host.len() + 6 + path_and_query.len(),
                );
                url.push_str(scheme);
                url.push_str("://");
                url.push_str(host);
                if let Some(port) = forwarded.port {
                    let has_port = split_host_port(host).1.is_some();
                    let default = (scheme.eq_ignore_ascii_case("https") && port == "443")
                        || (scheme.eq_ignore_ascii_case("http") && port == "80");
                    if !has_port && !default && port.bytes().all(|b| b.is_ascii_digit()) {
                        url.push(':');
                        url.push_str(port);
                        // The authority so far: the host, and now this port.
                        if !host_port_is_valid(&url[scheme.len() + "://".len()..]) {
                            return Err(UrlProblem::InvalidHost);
                        }
                    }
                }
                url.push_str(path_and_query);
                Ok(url)
            }
        }
    }
}

/// A host (with optional port) that may stand in a URL's authority.
fn valid_host(host: &str) -> bool {
    host.len() <= 1024
        && host.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'.' | b'-'
                        | b'_'
                        | b':'
                        | b'['
                        | b']'
                        | b'%'
                        | b'~'
                        | b'!'
                        | b'$'
                        | b'&'
                        | b'\''
                        | b'('
                        | b')'
                        | b'*'
                        | b'+'
                        | b','
                        | b';'
                        | b'='
                )
        })
}

/// What a trusted proxy said about the original request.
#[derive(Default)]
pub(crate) struct Forwarded<'h> {
    pub proto: Option<&'h str>,
    pub host: Option<&'h str>,
    pub port: Option<&'h str>,
}

impl<'h> Forwarded<'h> {
    /// What the trusted proxy wrote, in the one header family it writes. Of a list, the
    /// last element: a proxy that appends writes its own value last, and anything before
    /// it came from the client (or from hops the proxy does not vouch for).
    pub(crate) fn read(family: ForwardedHeaders, headers: &'h dyn Headers) -> Self {
        // The last line of a repeated header, then the last element of its list.
        let last = |name: &str| {
            headers
                .last_header(name)
                .map(|v| v.rsplit(',').next().unwrap_or("").trim())
                .filter(|v| !v.is_empty())
        };
        let mut out = Forwarded::default();
        match family {
            ForwardedHeaders::Forwarded => {
                for pair in last("forwarded").unwrap_or("").split(';') {
                    let Some((name, value)) = pair.split_once('=') else {
                        continue;
                    };
                    let value = value.trim().trim_matches('"');
                    match name.trim().to_ascii_lowercase().as_str() {
                        "proto" => out.proto = Some(value),
                        "host" => out.host = Some(value),
                        _ => {}
                    }
                }
            }
            ForwardedHeaders::XForwarded => {
                out.proto = last("x-forwarded-proto");
                out.host = last("x-forwarded-host");
                out.port = last("x-forwarded-port");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_request(trust: Option<ForwardedHeaders>) -> PublicUrlPolicy {
        PublicUrlPolicy::FromRequest {
            default_scheme: "https".into(),
            trust_forwarded: trust,
        }
    }

    const X: Option<ForwardedHeaders> = Some(ForwardedHeaders::XForwarded);
    const RFC: Option<ForwardedHeaders> = Some(ForwardedHeaders::Forwarded);

    #[test]
    fn base_url_is_prefixed_to_the_raw_path() {
        let policy =
            PublicUrlPolicy::BaseUrl(normalise_base_url("https://voice.example.com/").unwrap());
        let url = policy.url_for("/voice?a=%27", &(), None).unwrap();
        assert_eq!(url, "https://voice.example.com/voice?a=%27");
    }

    #[test]
    fn host_header_with_default_scheme() {
        let headers = [("Host", "example.com:8080")];
        assert_eq!(
            from_request(None).url_for("/v", &headers, None).unwrap(),
            "https://example.com:8080/v"
        );
    }

    #[test]
    fn forwarded_headers_are_ignored_unless_trusted() {
        let headers = [
            ("Host", "internal:3000"),
            ("X-Forwarded-Proto", "http"),
            ("X-Forwarded-Host", "public.example.com"),
            ("X-Forwarded-Port", "8443"),
        ];
        assert_eq!(
            from_request(None).url_for("/v", &headers, None).unwrap(),
            "https://internal:3000/v"
        );
        assert_eq!(
            from_request(X).url_for("/v", &headers, None).unwrap(),
            "http://public.example.com:8443/v"
        );
        // The other family is not read at all.
        assert_eq!(
            from_request(RFC).url_for("/v", &headers, None).unwrap(),
            "https://internal:3000/v"
        );
    }

    #[test]
    fn the_value_the_proxy_wrote_is_the_last_of_a_list() {
        // A client sends its own value; a proxy that appends writes the real one last.
        let headers = [
            ("Host", "internal"),
            ("X-Forwarded-Host", "evil.example, api.example.com"),
            ("X-Forwarded-Proto", "http, https"),
        ];
        assert_eq!(
            from_request(X).url_for("/v", &headers, None).unwrap(),
            "https://api.example.com/v"
        );
        let headers = [
            ("Host", "internal"),
            (
                "Forwarded",
                "for=6.6.6.6;host=evil.example;proto=http, for=1.2.3.4;proto=https;host=\"api.example.com\"",
            ),
        ];
        assert_eq!(
            from_request(RFC).url_for("/v", &headers, None).unwrap(),
            "https://api.example.com/v"
        );
    }

    #[test]
    fn the_value_the_proxy_wrote_is_the_last_line_too() {
        // A proxy that adds its own header line after the client's.
        let headers = [
            ("Host", "internal"),
            ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Host", "api.example.com"),
        ];
        assert_eq!(
            from_request(X).url_for("/v", &headers, None).unwrap(),
            "https://api.example.com/v"
        );
        let headers = [
            ("Host", "internal"),
            ("Forwarded", "host=evil.example"),
            ("Forwarded", "proto=https;host=api.example.com"),
        ];
        assert_eq!(
            from_request(RFC).url_for("/v", &headers, None).unwrap(),
            "https://api.example.com/v"
        );
    }

    #[test]
    fn only_the_trusted_family_is_read() {
        // A proxy that writes `X-Forwarded-*` but passes `Forwarded` through: the client's
        // `Forwarded` must not choose the host.
        let headers = [
            ("Host", "internal"),
            ("Forwarded", "proto=http;host=evil.example"),
            ("X-Forwarded-Host", "api.example.com"),
        ];
        assert_eq!(
            from_request(X).url_for("/v", &headers, None).unwrap(),
            "https://api.example.com/v"
        );
        let headers = [
            ("Host", "internal"),
            (
                "Forwarded",
                "for=1.2.3.4;proto=https;host=\"api.example.com\"",
            ),
            ("X-Forwarded-Host", "evil.example"),
        ];
        assert_eq!(
            from_request(RFC).url_for("/v", &headers, None).unwrap(),
            "https://api.example.com/v"
        );
    }

    #[test]
    fn missing_or_hostile_host_is_refused() {
        assert_eq!(
            from_request(None).url_for("/", &(), None),
            Err(UrlProblem::MissingHost)
        );
        for host in [
            "evil.com/path?",
            "h:99999",
            "h:8x",
            "[::1",
            "[::1]x",
            "a]b",
            "[zz]",
        ] {
            let headers = [("Host", host)];
            assert_eq!(
                from_request(None).url_for("/", &headers, None),
                Err(UrlProblem::InvalidHost),
                "{host}"
            );
        }
        for host in ["[::1]:8443", "h:", "h:65535"] {
            let headers = [("Host", host)];
            let url = from_request(None).url_for("/", &headers, None).unwrap();
            assert_eq!(url, format!("https://{host}/"));
        }
        // A trusted forwarded port is checked like one in the host.
        let headers = [("Host", "h"), ("X-Forwarded-Port", "99999")];
        assert_eq!(
            from_request(X).url_for("/", &headers, None),
            Err(UrlProblem::InvalidHost)
        );
        assert_eq!(
            from_request(None)
                .url_for("/", &(), Some("h2.example"))
                .unwrap(),
            "https://h2.example/"
        );
    }

    #[test]
    fn bad_base_urls_are_refused() {
        assert_eq!(
            normalise_base_url("voice.example.com"),
            Err(BaseUrlProblem::NoScheme)
        );
        assert_eq!(normalise_base_url("https://"), Err(BaseUrlProblem::NoHost));
        assert_eq!(
            normalise_base_url("https://h:99999"),
            Err(BaseUrlProblem::BadPort)
        );
        assert_eq!(
            normalise_base_url("https://h/?q"),
            Err(BaseUrlProblem::HasQueryOrFragment)
        );
        assert_eq!(
            normalise_base_url("https://h /"),
            Err(BaseUrlProblem::HasWhitespace)
        );
        assert_eq!(
            normalise_base_url("1ttp://h"),
            Err(BaseUrlProblem::BadScheme)
        );
        assert_eq!(
            normalise_base_url("https://u:p@[::1]:8443/app/").unwrap(),
            "https://u:p@[::1]:8443/app"
        );
    }
}
