//! The candidate URLs of SPEC §3: the URL Twilio signed may differ from the one the server
//! rebuilt in its port, scheme case, credentials or legacy query encoding. Each variant is
//! made by editing the text of the URL (the authority, or `'` in the query), never by
//! re-serialising it through a URL parser, which would re-encode what Twilio signed.

pub use crate::url::UrlParts;

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
                        for &port in toggled_ports(&parts) {
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

/// The ports to try instead of the one written: none when a port is written; the
/// scheme's default port(s) when none is.
fn toggled_ports(parts: &UrlParts<'_>) -> &'static [Option<&'static str>] {
    if parts.port.is_some() {
        return &[None];
    }
    if parts.scheme.eq_ignore_ascii_case("https") {
        &[Some("443")]
    } else if parts.scheme.eq_ignore_ascii_case("http") {
        &[Some("80")]
    } else {
        &[Some("443"), Some("80")]
    }
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
