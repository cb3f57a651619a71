//! WebSocket handshakes (Media Streams, ConversationRelay): what Twilio signs when it opens
//! a WebSocket to the server.
//!
//! A handshake is a `GET` with `Upgrade: websocket` and no body, signed over the `wss://`
//! URL Twilio connected to. The server sees an `http(s)` URL, so the URL it rebuilds is
//! first given the WebSocket scheme (`https` → `wss`, `http` → `ws`: a public base URL
//! `https://host` means `wss://host` for handshakes). Then the candidates of
//! [`handshake_candidates`] are tried, and only for handshakes:
//!
//! | candidate | why |
//! |---|---|
//! | the `wss://` URL with its query, and its [`candidate_urls`] variants (ports, `'`) | the general rule of SPEC §1: the full URL, no parameters |
//! | the URL without its query, followed by the query's parameters sorted as if they were `POST` parameters, and its variants | how Twilio's own Python agent library builds the signed data for a ConversationRelay handshake |
//! | each of the above with `/` added to the path | Twilio's security docs: for voice WSS handshakes a trailing `/` may have to be appended |
//!
//! An `https://` URL is never a candidate of a handshake: a signature made over the `https`
//! form of the URL is refused, so a handshake signature and a webhook signature cannot be
//! exchanged for one another.

use crate::candidates::{CandidateOptions, candidate_urls};

/// Whether a request is a WebSocket opening handshake (RFC 6455 §4.1): `GET`, `Upgrade:
/// websocket`, and `upgrade` among the `Connection` header's tokens, in any letter case.
///
/// ```
/// use twilio_auth_core::handshake::is_websocket_upgrade;
///
/// assert!(is_websocket_upgrade("GET", Some("websocket"), Some("Upgrade")));
/// assert!(is_websocket_upgrade("GET", Some("WebSocket"), Some("keep-alive, Upgrade")));
/// assert!(!is_websocket_upgrade("POST", Some("websocket"), Some("Upgrade")));
/// assert!(!is_websocket_upgrade("GET", Some("h2c"), Some("Upgrade")));
/// assert!(!is_websocket_upgrade("GET", Some("websocket"), None));
/// ```
pub fn is_websocket_upgrade(method: &str, upgrade: Option<&str>, connection: Option<&str>) -> bool {
    method == "GET"
        && upgrade.is_some_and(|u| {
            u.split(',')
                .any(|protocol| protocol.trim().eq_ignore_ascii_case("websocket"))
        })
        && connection.is_some_and(|c| {
            c.split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("upgrade"))
        })
}

/// The URL with the WebSocket scheme for its HTTP scheme: `https` → `wss`, `http` → `ws`.
/// Any other scheme (already `wss`, say) is kept.
///
/// ```
/// use twilio_auth_core::handshake::websocket_url;
///
/// assert_eq!(websocket_url("https://example.com/media"), "wss://example.com/media");
/// assert_eq!(websocket_url("HTTP://127.0.0.1:8080/relay?x=1"), "ws://127.0.0.1:8080/relay?x=1");
/// assert_eq!(websocket_url("wss://example.com/media"), "wss://example.com/media");
/// ```
pub fn websocket_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let scheme = if scheme.eq_ignore_ascii_case("https") {
        "wss"
    } else if scheme.eq_ignore_ascii_case("http") {
        "ws"
    } else {
        scheme
    };
    format!("{scheme}://{rest}")
}

/// The URL without its query (and fragment), and the query.
///
/// ```
/// use twilio_auth_core::handshake::split_query;
///
/// assert_eq!(split_query("wss://h/relay?b=2&a=1"), ("wss://h/relay", "b=2&a=1"));
/// assert_eq!(split_query("wss://h/media"), ("wss://h/media", ""));
/// ```
pub fn split_query(url: &str) -> (&str, &str) {
    let url = url.split_once('#').map_or(url, |(url, _)| url);
    url.split_once('?').unwrap_or((url, ""))
}

/// The candidates of a handshake to `url` (a `ws://` or `wss://` URL, see
/// [`websocket_url`]), in the order they are tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeCandidates {
    /// The URLs, `url` itself first, without duplicates.
    pub urls: Vec<String>,
    /// The index of the first URL that is signed followed by the query's parameters (the
    /// URLs from there on have no query); `urls.len()` when the URL has no query.
    pub query_as_params_from: usize,
}

impl HandshakeCandidates {
    /// Whether the candidate at `index` is signed with the query's parameters after it.
    pub fn query_as_params(&self, index: usize) -> bool {
        index >= self.query_as_params_from
    }
}

/// Every form of a handshake URL Twilio may have signed (see the [module](self) for why
/// each is there), the URL itself first.
///
/// ```
/// use twilio_auth_core::handshake::handshake_candidates;
///
/// let c = handshake_candidates("wss://example.com/relay?a=1");
/// assert_eq!(c.urls, [
///     "wss://example.com/relay?a=1",
///     "wss://example.com:443/relay?a=1",
///     "wss://example.com:80/relay?a=1",
///     "wss://example.com/relay/?a=1",
///     "wss://example.com:443/relay/?a=1",
///     "wss://example.com:80/relay/?a=1",
///     // Followed by the parameters `a1`:
///     "wss://example.com/relay",
///     "wss://example.com:443/relay",
///     "wss://example.com:80/relay",
///     "wss://example.com/relay/",
///     "wss://example.com:443/relay/",
///     "wss://example.com:80/relay/",
/// ]);
/// assert!(c.query_as_params(6));
/// ```
pub fn handshake_candidates(url: &str) -> HandshakeCandidates {
    let options = CandidateOptions {
        trailing_slash: true,
    };
    let mut urls = candidate_urls(url, options);
    let query_as_params_from = urls.len();
    let (without_query, query) = split_query(url);
    if !query.is_empty() {
        urls.extend(candidate_urls(without_query, options));
    }
    HandshakeCandidates {
        urls,
        query_as_params_from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_without_query_has_no_query_form() {
        let c = handshake_candidates("wss://example.com/media");
        assert_eq!(c.query_as_params_from, c.urls.len());
        assert!(c.urls.contains(&"wss://example.com/media/".to_owned()));
        assert!(c.urls.iter().all(|u| u.starts_with("wss://")));
    }

    #[test]
    fn a_path_ending_in_a_slash_gets_no_second_one() {
        let c = handshake_candidates("wss://example.com/");
        assert!(!c.urls.iter().any(|u| u.ends_with("//")));
    }

    #[test]
    fn the_wss_scheme_keeps_ws_ports_apart() {
        // `ws` on a non-default port: only the written port and none.
        let c = handshake_candidates("ws://127.0.0.1:8080/media");
        assert_eq!(
            c.urls,
            [
                "ws://127.0.0.1:8080/media",
                "ws://127.0.0.1/media",
                "ws://127.0.0.1:8080/media/",
                "ws://127.0.0.1/media/",
            ]
        );
    }

    #[test]
    fn upgrade_tokens_are_matched_whole() {
        assert!(!is_websocket_upgrade(
            "GET",
            Some("websockets"),
            Some("Upgrade")
        ));
        assert!(!is_websocket_upgrade(
            "GET",
            Some("websocket"),
            Some("upgraded")
        ));
        assert!(!is_websocket_upgrade(
            "get",
            Some("websocket"),
            Some("upgrade")
        ));
    }
}
