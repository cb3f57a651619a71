//! `candidate_urls`, `UrlParts::split` and `is_valid_authority` on arbitrary strings.
//!
//! Properties: the first candidate is the input; no duplicates; at most 48 candidates (96
//! with the trailing-slash option, which doubles the set); every candidate differs from the
//! input only in its authority (port, credentials), the case of its scheme, `'`/`%27` and
//! tab/CR/LF (and, with the option, one `/` at the end of the path); and splitting a URL
//! whose authority is valid loses nothing.
//!
//! With the second flag bit, the same input is also a WebSocket handshake URL
//! (`handshake_candidates`, `websocket_url`): the URL first, no duplicates, at most twice the
//! trailing-slash bound, no query in the query-as-parameters forms and nothing but the query
//! dropped from them, and `http(s)` mapped to `ws(s)` only.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use twilio_auth_core::candidates::{CandidateOptions, UrlParts, candidate_urls};
use twilio_auth_core::handshake::{handshake_candidates, split_query, websocket_url};

const MAX_CANDIDATES: usize = 48;

/// The text with tab/CR/LF removed and every `%27` written `'`: what the candidates may
/// change outside the authority and the scheme's case.
fn canon(text: &str) -> String {
    let stripped: String = text
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    stripped.replace("%27", "'")
}

fn join(p: &UrlParts<'_>) -> String {
    let mut out = format!("{}://", p.scheme);
    if let Some(u) = p.userinfo {
        out.push_str(u);
        out.push('@');
    }
    out.push_str(p.host);
    if let Some(port) = p.port {
        out.push(':');
        out.push_str(port);
    }
    out.push_str(p.rest);
    out
}

/// `rest` without one `/` at the end of its path (the trailing-slash candidate).
fn without_trailing_slash(rest: &str) -> Option<String> {
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    let path = rest[..path_end].strip_suffix('/')?;
    Some(format!("{path}{}", &rest[path_end..]))
}

/// Whether splitting `text` and joining the parts back loses something.
#[cfg(not(feature = "strict"))]
fn lossy(text: &str) -> bool {
    UrlParts::split(text).is_some_and(|p| join(&p) != text)
}

fn check_split(url: &str) {
    let Some(parts) = UrlParts::split(url) else {
        assert!(!url.contains("://"));
        return;
    };
    let valid = parts.is_valid_authority();
    if valid {
        assert!(!parts.host.is_empty());
        if let Some(port) = parts.port.filter(|p| !p.is_empty()) {
            assert!(
                port.parse::<u16>().is_ok(),
                "valid authority with port {port:?}"
            );
        }
        // A URL whose authority is valid is rebuilt exactly from its parts: the candidates
        // edit these parts, so text the split drops would silently vanish from them.
        #[cfg(feature = "strict")]
        assert_eq!(
            join(&parts),
            url,
            "split of a valid authority loses text: {parts:?}"
        );
        #[cfg(not(feature = "strict"))]
        if join(&parts) != url {
            // Known issue 1 (README): `[v6]junk` passes is_valid_authority and the split
            // drops `junk`. Fixed in fcf3b5e; tolerated only with `--no-default-features`.
            assert!(
                parts.host.starts_with('['),
                "split lossy outside IPv6: {parts:?}"
            );
        }
    }
}

/// The handshake candidate set of `url`: bounded, duplicate-free, the URL first, and the
/// query-as-parameters forms are the URL's own forms without the query.
fn check_handshake(url: &str) {
    let ws = websocket_url(url);
    if let Some((scheme, rest)) = url.split_once("://") {
        let (ws_scheme, ws_rest) = ws.split_once("://").expect("scheme kept");
        assert_eq!(ws_rest, rest, "websocket_url changed more than the scheme");
        let expected = match scheme.to_ascii_lowercase().as_str() {
            "https" => "wss",
            "http" => "ws",
            _ => scheme,
        };
        assert_eq!(ws_scheme, expected, "{url:?}");
    } else {
        assert_eq!(ws, url);
    }

    let set = handshake_candidates(&ws);
    assert!(
        set.urls.len() <= 4 * MAX_CANDIDATES,
        "{} handshake candidates",
        set.urls.len()
    );
    assert!(set.query_as_params_from <= set.urls.len());
    let mut seen = HashSet::new();
    for candidate in &set.urls {
        assert!(seen.insert(candidate.as_str()), "duplicate {candidate:?}");
    }
    let (without_query, query) = split_query(&ws);
    if query.is_empty() {
        assert_eq!(set.query_as_params_from, set.urls.len());
    }
    let options = CandidateOptions {
        trailing_slash: true,
    };
    assert_eq!(
        set.urls[..set.query_as_params_from],
        candidate_urls(&ws, options)[..],
        "the query-in-URL forms are the general candidates"
    );
    if set.query_as_params_from < set.urls.len() {
        assert_eq!(
            set.urls[set.query_as_params_from..],
            candidate_urls(without_query, options)[..],
            "the query-as-parameters forms are the candidates of the URL without its query"
        );
        for candidate in &set.urls[set.query_as_params_from..] {
            assert!(!candidate.contains('?'), "query left in {candidate:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let url = match std::str::from_utf8(rest) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or(""),
    };
    let options = CandidateOptions {
        trailing_slash: flags & 1 == 1,
    };
    check_split(url);
    if flags & 2 == 2 {
        check_handshake(url);
    }

    let urls = candidate_urls(url, options);
    let limit = if options.trailing_slash {
        2 * MAX_CANDIDATES
    } else {
        MAX_CANDIDATES
    };
    assert!(urls.len() <= limit, "{} candidates", urls.len());
    let mut seen = HashSet::new();
    for candidate in &urls {
        assert!(
            seen.insert(candidate.as_str()),
            "duplicate candidate {candidate:?}"
        );
    }
    // Known issue 1 (README): text between an IPv6 literal's `]` and the end of the
    // authority (`https://[::1]junk/`) passes is_valid_authority but is dropped by the split,
    // so the first candidate is not the input and the others lose that text.
    #[cfg(not(feature = "strict"))]
    if lossy(url) || lossy(&canon(url)) {
        return;
    }
    assert_eq!(
        urls.first().map(String::as_str),
        Some(url),
        "first candidate is the input"
    );
    for candidate in &urls {
        check_split(candidate);
    }

    // Everything after the authority is the input's, modulo quotes and control characters.
    // Only checked when no tab/CR/LF stands in the scheme or authority: removing them there
    // can move where the authority ends (`h:/\t/x://y`), which only a full URL given by the
    // caller can do (a Host header with control characters is refused with 400).
    if let Some(raw) = UrlParts::split(url) {
        let head = &url[..url.len() - raw.rest.len()];
        if head.contains(['\t', '\r', '\n']) {
            return;
        }
    }
    let canon_url = canon(url);
    let Some(input) = UrlParts::split(&canon_url) else {
        for candidate in &urls {
            assert_eq!(canon(candidate), canon_url, "{candidate:?}");
        }
        return;
    };
    let input_valid = input.is_valid_authority();
    for candidate in &urls[1..] {
        let canon_candidate = canon(candidate);
        let Some(c) = UrlParts::split(&canon_candidate) else {
            panic!("candidate {candidate:?} lost its `://`");
        };
        assert!(
            c.scheme.eq_ignore_ascii_case(input.scheme),
            "scheme {candidate:?}"
        );
        let same_rest = c.rest == input.rest
            || (options.trailing_slash
                && without_trailing_slash(c.rest).as_deref() == Some(input.rest));
        if input_valid && join(&input) == canon_url {
            assert!(same_rest, "path/query changed: {candidate:?}");
            assert_eq!(c.host, input.host, "host changed: {candidate:?}");
            assert!(
                c.userinfo.is_none() || c.userinfo == input.userinfo,
                "{candidate:?}"
            );
            assert!(
                c.port == input.port || c.port.is_none() || matches!(c.port, Some("443" | "80")),
                "port {candidate:?}"
            );
        } else if !same_rest {
            // An invalid authority (rejected with 400 before any candidate is built) may
            // be re-split differently; the rest must still be the input's tail.
            assert!(
                canon_url.ends_with(c.rest)
                    || without_trailing_slash(c.rest).is_some_and(|r| canon_url.ends_with(&r)),
                "candidate {candidate:?} changed the path of {url:?}"
            );
        }
    }
});
