//! Hints for the log of a signature that matches no candidate URL: the usual causes are
//! not in the signature but in the URL the verifier rebuilt (SPEC §3). Computed only when
//! a request is refused, from the request and the configuration; a hint shows header
//! values and hosts (which the client sent, or which are public), never a secret.

use std::fmt;

use crate::public_url::{Forwarded, ForwardedHeaders, PublicUrlPolicy};
use crate::request::{Target, WebhookRequest};
use crate::url::{UrlParts, split_host_port};

/// The longest header value a hint quotes (a client may send anything).
const SHOWN_LEN: usize = 100;

/// A likely cause of a refusal, for the log ([`Rejection::hints`](crate::Rejection::hints)).
///
/// ```
/// use twilio_auth_core::{Config, Hint, WebhookRequest};
///
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let headers = [
///     ("Host", "127.0.0.1:3000"),
///     ("X-Forwarded-Host", "voice.example.com"),
///     ("X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
/// ];
/// let req = WebhookRequest::new("POST", "/voice").headers(&headers);
/// let rejection = config.verify(&req).unwrap_err();
/// assert!(matches!(rejection.hints()[0], Hint::UntrustedForwardedHeaders { .. }));
/// assert!(rejection.hints()[1].to_string().contains("scheme \"https\" assumed"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hint {
    /// Forwarded headers came with the request, but the configuration does not trust
    /// their family, so the URL ignores them.
    UntrustedForwardedHeaders {
        /// The headers present, with their values (shortened).
        headers: Vec<(&'static str, String)>,
        /// The family the configuration trusts, if any.
        trusted: Option<ForwardedHeaders>,
    },
    /// No public base URL is configured: the URL was rebuilt from the request.
    RebuiltFromRequest {
        /// Where the host came from: `Host`, `:authority` (HTTP/2), or a trusted
        /// forwarded header.
        host_from: &'static str,
        /// The scheme used.
        scheme: String,
        /// The trusted header that gave the scheme; `None` when it was assumed.
        scheme_from: Option<&'static str>,
    },
    /// A forwarded header names another public host than the configured base URL's
    /// (forwarded headers play no part when a base URL is configured).
    ForwardedHostDiffersFromBaseUrl {
        /// The header (`X-Forwarded-Host` or `Forwarded`).
        header: &'static str,
        /// The host it names, shortened.
        host: String,
        /// The base URL's host and port (never its `user:password@`).
        base_host: String,
    },
    /// The request's `Host` is not the host of the configured public base URL.
    HostDiffersFromBaseUrl {
        /// The `Host` header (or HTTP/2 `:authority`), shortened.
        host: String,
        /// The base URL's host and port (never its `user:password@`).
        base_host: String,
    },
    /// The request used up the signature work it may cause ([`crate::attempts`]) before
    /// every candidate URL was compared.
    SignatureWorkLimit {
        /// How many candidate URLs were compared.
        urls_tried: usize,
    },
    /// The request was a WebSocket handshake: Twilio signs the `wss://` URL of `<Stream>`
    /// or `<ConversationRelay>`, which the candidates tried (see [`crate::handshake`]).
    WebSocketHandshake,
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hint::UntrustedForwardedHeaders { headers, trusted } => {
                for (i, (name, value)) in headers.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{name}: {value:?}")?;
                }
                let family = headers
                    .first()
                    .map_or(ForwardedHeaders::XForwarded, |(name, _)| family_of(name));
                match trusted {
                    None => f.write_str(
                        " came with the request, but no forwarded headers are trusted, so the \
                         URL ignores them",
                    )?,
                    Some(trusted) => write!(
                        f,
                        " came with the request, but only {} is trusted, so the URL ignores them",
                        family_name(*trusted)
                    )?,
                }
                write!(
                    f,
                    ": if a proxy you run writes them, set TWILIO_TRUST_FORWARDED_HEADERS={} \
                     (ConfigBuilder::trust_forwarded_headers), or set the public base URL",
                    env_value(family)
                )
            }
            Hint::RebuiltFromRequest {
                host_from,
                scheme,
                scheme_from,
            } => {
                write!(
                    f,
                    "no public base URL is configured: the URL was rebuilt from the {host_from} \
                     header with the scheme {scheme:?}"
                )?;
                match scheme_from {
                    Some(header) => write!(f, " from {header}")?,
                    None => f.write_str(" assumed")?,
                }
                f.write_str(
                    "; if Twilio calls another URL (http://, another port, a tunnel or proxy), \
                     set TWILIO_WEBHOOK_BASE_URL (ConfigBuilder::public_base_url) to it",
                )
            }
            Hint::ForwardedHostDiffersFromBaseUrl {
                header,
                host,
                base_host,
            } => write!(
                f,
                "{header} names the host {host:?}, but the URL is built from the public base \
                 URL (host {base_host:?}): if Twilio calls {host:?}, the base URL is wrong"
            ),
            Hint::HostDiffersFromBaseUrl { host, base_host } => write!(
                f,
                "the Host header {host:?} differs from the public base URL's host {base_host:?}: \
                 either a proxy rewrote Host (then the base URL may be right), or the base URL \
                 is not the one Twilio calls (compare it with the webhook URL in the Twilio \
                 console)"
            ),
            Hint::SignatureWorkLimit { urls_tried } => write!(
                f,
                "only the first {urls_tried} candidate URL(s) were compared: a request may cost \
                 at most {} HMACs of its own size (twilio_auth_core::attempts); set the public \
                 base URL to exactly the webhook URL in the Twilio console so that the first \
                 candidate matches",
                crate::attempts::SIGNATURE_WORK_FACTOR
            ),
            Hint::WebSocketHandshake => f.write_str(
                "a WebSocket handshake: Twilio signs the wss:// URL of <Stream url> or \
                 <ConversationRelay url>, so the candidates are that URL (from the public base \
                 URL or trusted forwarded headers, https -> wss) with its query, with the query \
                 as parameters, and with a trailing /; check that the TwiML's wss:// URL names \
                 this host and path",
            ),
        }
    }
}

/// The hints for a request whose signature matched no candidate URL.
pub(crate) fn for_signature_mismatch(
    policy: &PublicUrlPolicy,
    req: &WebhookRequest<'_>,
) -> Vec<Hint> {
    // A request with its full URL given (the CLI, tests) had no URL rebuilt.
    if matches!(req.target, Target::Url(_)) {
        return Vec::new();
    }
    let headers = req.headers_dyn();
    let host = headers
        .header("host")
        .map(|h| ("Host", h))
        .or(req.authority.map(|a| (":authority", a)))
        .map(|(from, h)| (from, h.trim()))
        .filter(|(_, h)| !h.is_empty());
    let mut hints = Vec::new();
    match policy {
        PublicUrlPolicy::BaseUrl(base) => {
            let Some(base) = UrlParts::split(base) else {
                return hints;
            };
            let base_host = || match base.port {
                Some(port) => format!("{}:{port}", base.host),
                None => base.host.to_owned(),
            };
            for family in [ForwardedHeaders::XForwarded, ForwardedHeaders::Forwarded] {
                if let Some(forwarded) = Forwarded::read(family, headers).host
                    && !same_host(forwarded, &base)
                {
                    hints.push(Hint::ForwardedHostDiffersFromBaseUrl {
                        header: header_names(family)[0],
                        host: shown(forwarded),
                        base_host: base_host(),
                    });
                }
            }
            if let Some((_, host)) = host
                && !same_host(host, &base)
            {
                hints.push(Hint::HostDiffersFromBaseUrl {
                    host: shown(host),
                    base_host: base_host(),
                });
            }
        }
        PublicUrlPolicy::FromRequest {
            default_scheme,
            trust_forwarded,
        } => {
            let untrusted: Vec<(&'static str, String)> =
                [ForwardedHeaders::XForwarded, ForwardedHeaders::Forwarded]
                    .into_iter()
                    .filter(|family| Some(*family) != *trust_forwarded)
                    .flat_map(|family| header_names(family).iter())
                    .filter_map(|&name| headers.header(name).map(|v| (name, shown(v))))
                    .collect();
            if !untrusted.is_empty() {
                hints.push(Hint::UntrustedForwardedHeaders {
                    headers: untrusted,
                    trusted: *trust_forwarded,
                });
            }
            let forwarded = match trust_forwarded {
                Some(family) => Forwarded::read(*family, headers),
                None => Forwarded::default(),
            };
            // Rebuilt from trusted headers that said both host and scheme: nothing assumed.
            if forwarded.host.is_some() && forwarded.proto.is_some() {
                return hints;
            }
            let family = trust_forwarded.unwrap_or(ForwardedHeaders::XForwarded);
            let host_from = match (forwarded.host, host) {
                (Some(_), _) => host_header(family),
                (None, Some((from, _))) => from,
                // No host at all is refused before any signature is compared.
                (None, None) => return hints,
            };
            hints.push(Hint::RebuiltFromRequest {
                host_from,
                scheme: forwarded.proto.unwrap_or(default_scheme).to_owned(),
                scheme_from: forwarded.proto.map(|_| proto_header(family)),
            });
        }
    }
    hints
}

/// Whether `host` (a `Host` value) names the base URL's host: the same host in any letter
/// case and, when `host` has a port, the base URL's port (its scheme's default if unset).
pub(crate) fn same_host(host: &str, base: &UrlParts<'_>) -> bool {
    let (name, port) = split_host_port(host);
    if !name.eq_ignore_ascii_case(base.host) {
        return false;
    }
    let Some(port) = port else {
        return true;
    };
    let base_port = base
        .port
        .or(match base.scheme.to_ascii_lowercase().as_str() {
            "https" | "wss" => Some("443"),
            "http" | "ws" => Some("80"),
            _ => None,
        });
    base_port.is_none_or(|base_port| base_port == port)
}

/// A header value as a hint quotes it: at most [`SHOWN_LEN`] characters.
fn shown(value: &str) -> String {
    match value.char_indices().nth(SHOWN_LEN) {
        Some((end, _)) => format!("{}…", &value[..end]),
        None => value.to_owned(),
    }
}

fn header_names(family: ForwardedHeaders) -> &'static [&'static str] {
    match family {
        ForwardedHeaders::XForwarded => {
            &["X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port"]
        }
        ForwardedHeaders::Forwarded => &["Forwarded"],
    }
}

fn family_of(name: &str) -> ForwardedHeaders {
    if name == "Forwarded" {
        ForwardedHeaders::Forwarded
    } else {
        ForwardedHeaders::XForwarded
    }
}

fn host_header(family: ForwardedHeaders) -> &'static str {
    match family {
        ForwardedHeaders::XForwarded => "trusted X-Forwarded-Host",
        ForwardedHeaders::Forwarded => "trusted Forwarded",
    }
}

fn proto_header(family: ForwardedHeaders) -> &'static str {
    match family {
        ForwardedHeaders::XForwarded => "X-Forwarded-Proto",
        ForwardedHeaders::Forwarded => "Forwarded",
    }
}

/// The family's name in prose.
pub(crate) fn family_name(family: ForwardedHeaders) -> &'static str {
    match family {
        ForwardedHeaders::XForwarded => "X-Forwarded-Proto/Host/Port",
        ForwardedHeaders::Forwarded => "Forwarded (RFC 7239)",
    }
}

/// The value of `TWILIO_TRUST_FORWARDED_HEADERS` that trusts the family.
fn env_value(family: ForwardedHeaders) -> &'static str {
    match family {
        ForwardedHeaders::XForwarded => "x-forwarded",
        ForwardedHeaders::Forwarded => "forwarded",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::outcome::RejectionReason;
    use crate::signer::Signer;

    const TOKEN: &str = "tok-secret-12345";

    /// The hints of a request to `/voice` signed for another URL, refused by `config`.
    fn hints_of(config: &Config, headers: &[(&str, &str)]) -> Vec<Hint> {
        let signature = Signer::new(TOKEN).sign_url("https://elsewhere.example/voice");
        let mut all = headers.to_vec();
        all.push(("X-Twilio-Signature", &signature));
        let rejection = config
            .verify(&WebhookRequest::new("POST", "/voice").headers(&all))
            .unwrap_err();
        assert_eq!(rejection.reason(), &RejectionReason::SignatureMismatch);
        for hint in rejection.hints() {
            assert!(!hint.to_string().contains(TOKEN), "{hint}");
        }
        rejection.hints().to_vec()
    }

    fn config() -> crate::config::ConfigBuilder {
        Config::builder().auth_token(TOKEN)
    }

    #[test]
    fn untrusted_forwarded_headers_are_named_with_their_values() {
        let hints = hints_of(
            &config().build().unwrap(),
            &[
                ("Host", "127.0.0.1:3000"),
                ("X-Forwarded-Host", "voice.example.com"),
                ("X-Forwarded-Proto", "https"),
            ],
        );
        assert_eq!(
            hints[0],
            Hint::UntrustedForwardedHeaders {
                headers: vec![
                    ("X-Forwarded-Host", "voice.example.com".into()),
                    ("X-Forwarded-Proto", "https".into()),
                ],
                trusted: None,
            }
        );
        let text = hints[0].to_string();
        assert!(text.starts_with("X-Forwarded-Host: \"voice.example.com\", X-Forwarded-Proto"));
        assert!(
            text.contains("TWILIO_TRUST_FORWARDED_HEADERS=x-forwarded"),
            "{text}"
        );

        // The other family than the trusted one.
        let trusting = config()
            .trust_forwarded_headers(ForwardedHeaders::XForwarded)
            .build()
            .unwrap();
        let hints = hints_of(
            &trusting,
            &[
                ("Host", "127.0.0.1:3000"),
                ("Forwarded", "host=a.example;proto=https"),
            ],
        );
        let text = hints[0].to_string();
        assert!(
            text.contains("only X-Forwarded-Proto/Host/Port is trusted"),
            "{text}"
        );
        assert!(text.contains("=forwarded"), "{text}");
    }

    #[test]
    fn no_base_url_says_where_the_url_came_from_and_the_scheme() {
        let hints = hints_of(&config().build().unwrap(), &[("Host", "127.0.0.1:3000")]);
        assert_eq!(
            hints,
            [Hint::RebuiltFromRequest {
                host_from: "Host",
                scheme: "https".into(),
                scheme_from: None,
            }]
        );
        assert!(
            hints[0]
                .to_string()
                .contains("rebuilt from the Host header with the scheme \"https\" assumed")
        );
        let http = config().default_scheme("http").build().unwrap();
        let text = hints_of(&http, &[("Host", "h.example")])[0].to_string();
        assert!(text.contains("scheme \"http\" assumed"), "{text}");

        // Trusted headers that give the host but not the scheme.
        let trusting = config()
            .trust_forwarded_headers(ForwardedHeaders::XForwarded)
            .build()
            .unwrap();
        let hints = hints_of(
            &trusting,
            &[
                ("Host", "127.0.0.1"),
                ("X-Forwarded-Host", "voice.example.com"),
            ],
        );
        let text = hints[0].to_string();
        assert!(
            text.contains(
                "from the trusted X-Forwarded-Host header with the scheme \"https\" assumed"
            ),
            "{text}"
        );
        // Both given: nothing was assumed, nothing to hint.
        let hints = hints_of(
            &trusting,
            &[
                ("Host", "127.0.0.1"),
                ("X-Forwarded-Host", "voice.example.com"),
                ("X-Forwarded-Proto", "https"),
            ],
        );
        assert_eq!(hints, []);
    }

    #[test]
    fn a_host_other_than_the_base_urls_is_named() {
        let based = config()
            .public_base_url("https://twilio:pass-secret@voice.example.com")
            .build()
            .unwrap();
        let hints = hints_of(&based, &[("Host", "127.0.0.1:3000")]);
        assert_eq!(
            hints,
            [Hint::HostDiffersFromBaseUrl {
                host: "127.0.0.1:3000".into(),
                base_host: "voice.example.com".into(),
            }]
        );
        let text = hints[0].to_string();
        assert!(
            !text.contains("pass-secret") && !text.contains("twilio:"),
            "{text}"
        );
        assert!(text.contains("a proxy rewrote Host"), "{text}");

        // The same host, in another case or with the scheme's default port: no hint.
        assert_eq!(hints_of(&based, &[("Host", "Voice.Example.com")]), []);
        assert_eq!(hints_of(&based, &[("Host", "voice.example.com:443")]), []);
        assert_eq!(
            hints_of(&based, &[("Host", "voice.example.com:8443")]).len(),
            1
        );
        // No Host at all: nothing to compare.
        assert_eq!(hints_of(&based, &[]), []);
        // Forwarded headers play no part when the base URL decides; one that names another
        // host says the base URL may be wrong.
        let hints = hints_of(
            &based,
            &[
                ("Host", "voice.example.com"),
                ("X-Forwarded-Host", "x.example"),
            ],
        );
        assert_eq!(
            hints,
            [Hint::ForwardedHostDiffersFromBaseUrl {
                header: "X-Forwarded-Host",
                host: "x.example".into(),
                base_host: "voice.example.com".into(),
            }]
        );
        assert!(hints[0].to_string().contains("the base URL is wrong"));
        let forwarded = [
            ("Host", "voice.example.com"),
            ("Forwarded", "host=voice.example.com"),
        ];
        assert_eq!(hints_of(&based, &forwarded), []);
    }

    #[test]
    fn long_values_are_shortened_and_other_refusals_have_no_hints() {
        let long = "h".repeat(500);
        let hints = hints_of(
            &config().build().unwrap(),
            &[("Host", "127.0.0.1"), ("X-Forwarded-Host", &long)],
        );
        let Hint::UntrustedForwardedHeaders { headers, .. } = &hints[0] else {
            panic!("{hints:?}");
        };
        assert_eq!(headers[0].1.chars().count(), SHOWN_LEN + 1);

        let config = config().build().unwrap();
        let headers = [("Host", "127.0.0.1"), ("X-Forwarded-Host", "x.example")];
        let missing = config
            .verify(&WebhookRequest::new("POST", "/voice").headers(&headers))
            .unwrap_err();
        assert_eq!(missing.reason(), &RejectionReason::MissingSignature);
        assert_eq!(missing.hints(), []);
    }
}
