//! Diagnoses that name the fix: when a signature matches none of the candidate URLs, the
//! variants that explain the common deployment mistakes are tried — for the diagnosis
//! only, never to accept — and the one that matches says what to configure (SPEC §6).
//!
//! A diagnosis runs only on the refusing path, after every candidate failed. It is bounded
//! ([`crate::attempts::MAX_DIAGNOSTIC_HMACS`], and no more bytes than the refusal itself
//! hashed, or [`crate::attempts::MIN_SIGNATURE_WORK`] when that is more), so a forged
//! request costs at most about twice an undiagnosed refusal. It names keys by their role
//! or id ([`KeySource`]) and shows URLs without their password: never a secret.

use std::fmt;

use crate::algorithm::Algorithm;
use crate::attempts::DiagnosticBudget;
use crate::config::{Inner, Keyring, SigningKey};
use crate::outcome::KeySource;
use crate::public_url::{Forwarded, ForwardedHeaders, PublicUrlPolicy};
use crate::request::{Target, WebhookRequest};
use crate::url::{UrlParts, redact_password};
use crate::verify::{Attempt, Keys};

/// The path prefixes a router commonly strips (axum `Router::nest`, Express-style mounts).
pub const COMMON_PREFIXES: &[&str] = &["/twilio", "/api", "/webhooks"];

/// The API Gateway stage names tried on `execute-api` hosts.
pub const API_GATEWAY_STAGES: &[&str] = &["prod", "Prod", "default", "dev", "staging"];

/// At most this many other configured keys are tried.
const MAX_OTHER_KEYS: usize = 3;

/// The deployment mistake a [`Diagnosis`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mistake {
    /// Twilio signed the URL with the other scheme (`https` received as `http`, or the
    /// reverse): TLS is terminated in front of the app.
    OtherScheme,
    /// Twilio signed the URL for the host a forwarded header names (a tunnel such as ngrok,
    /// or a proxy), which the URL ignored.
    ForwardedHost,
    /// Twilio signed the URL for the host of the `Host` header, not the configured public
    /// base URL's.
    HostHeader,
    /// Twilio signed the URL with a path prefix that a router stripped (e.g. axum
    /// `Router::nest`).
    PrefixStripped,
    /// Twilio signed the URL without the first path segment, which a proxy added.
    PrefixAdded,
    /// Twilio signed an API Gateway URL with its stage (`/prod`), which the path received
    /// leaves out.
    StageStripped,
    /// Twilio signed an API Gateway URL without the stage that the path received has.
    StageAdded,
    /// Another configured key (the secondary token, another account's token, a SharedKey)
    /// signed the request than the one the request selects.
    OtherKey,
    /// Twilio signed the query as it was sent, and the framework rebuilt it (decoded and
    /// re-encoded: `+` against `%20`, escaped characters).
    QueryReencoded,
}

impl Mistake {
    /// A short name, for logs and metrics labels.
    pub fn name(self) -> &'static str {
        match self {
            Mistake::OtherScheme => "other_scheme",
            Mistake::ForwardedHost => "forwarded_host",
            Mistake::HostHeader => "host_header",
            Mistake::PrefixStripped => "prefix_stripped",
            Mistake::PrefixAdded => "prefix_added",
            Mistake::StageStripped => "stage_stripped",
            Mistake::StageAdded => "stage_added",
            Mistake::OtherKey => "other_key",
            Mistake::QueryReencoded => "query_reencoded",
        }
    }
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a refused request's signature does match, and what to configure so that it is
/// accepted: [`Rejection::diagnosis`](crate::Rejection::diagnosis).
///
/// ```
/// use twilio_auth_core::{Config, Mistake, Signer, WebhookRequest};
///
/// // No public base URL: the URL is rebuilt from `Host` with `https` assumed, but the
/// // app is reached over plain HTTP and Twilio signed `http://`.
/// let config = Config::builder().auth_token("12345").build().unwrap();
/// let signature = Signer::new("12345").sign_url("http://voice.example.com/status");
/// let headers = [("Host", "voice.example.com"), ("X-Twilio-Signature", signature.as_str())];
/// let req = WebhookRequest::new("GET", "/status").headers(&headers);
/// let rejection = config.verify(&req).unwrap_err();
///
/// let diagnosis = rejection.diagnosis().expect("a diagnosis");
/// assert_eq!(diagnosis.mistake(), Mistake::OtherScheme);
/// assert_eq!(diagnosis.url(), "http://voice.example.com/status");
/// assert!(diagnosis.advice().contains("set the public base URL to http://voice.example.com"));
/// // The log line carries it.
/// assert!(rejection.to_string().contains("; diagnosis: Twilio signed http://"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    mistake: Mistake,
    url: String,
    key: KeySource,
    advice: String,
}

impl Diagnosis {
    /// The mistake found.
    pub fn mistake(&self) -> Mistake {
        self.mistake
    }

    /// The URL the signature matches (any password shown as `***`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The configured key the signature matches (named, never shown).
    pub fn key(&self) -> &KeySource {
        &self.key
    }

    /// What happened and what to configure, in one sentence.
    pub fn advice(&self) -> &str {
        &self.advice
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.advice)
    }
}

/// A refusal to diagnose: what verification had at hand when no candidate matched.
pub(crate) struct Refused<'r, 'q> {
    pub config: &'r Inner,
    /// The secrets verification loaded.
    pub keyring: &'r Keyring,
    pub req: &'r WebhookRequest<'q>,
    /// The URL as rebuilt (the `ws(s)://` one for a handshake).
    pub url: &'r str,
    /// The parameters as they follow the URL (byte order).
    pub suffix: &'r [u8],
    pub algorithm: Algorithm,
    pub signature: &'r [u8],
    /// The keys verification tried, the one it selected first.
    pub tried: Keys<'r>,
    /// The bytes (HMAC fixed costs included) the refusal hashed.
    pub spent: usize,
}

/// How a guess changes the URL as rebuilt.
enum Edit<'r> {
    /// Another scheme.
    Scheme(&'static str),
    /// Another scheme and authority (from `header`).
    Host {
        scheme: &'r str,
        host: &'r str,
        header: &'static str,
    },
    /// A prefix inserted where the app's path starts.
    Insert(&'r str),
    /// The first path segment (`url[root..end]`) removed.
    Remove(usize),
    /// The query rewritten.
    Query(QueryEdit),
    /// The same URL, another key.
    Key(&'r SigningKey, Algorithm),
}

#[derive(Clone, Copy)]
enum QueryEdit {
    PlusAsPercent20,
    Percent20AsPlus,
    Decoded,
}

impl QueryEdit {
    fn describe(self) -> &'static str {
        match self {
            QueryEdit::PlusAsPercent20 => "a space written %20, received as +",
            QueryEdit::Percent20AsPlus => "a space written +, received as %20",
            QueryEdit::Decoded => "characters written as they are, received %-escaped",
        }
    }
}

/// Where the parts of the URL as rebuilt are.
struct Layout<'r> {
    parts: UrlParts<'r>,
    /// End of `scheme://authority`.
    authority_end: usize,
    /// Where the app's path starts (after the base URL's own path, if any).
    root: usize,
    /// Where the path ends (the query or fragment starts).
    path_end: usize,
}

/// The diagnosis of a refused request, if one of the guesses matches within the budget.
/// Each guess compared is reported to `observe` (for [`crate::Config::explain`]).
pub(crate) fn diagnose(
    refused: &Refused<'_, '_>,
    observe: &mut dyn FnMut(&Attempt<'_>),
) -> Option<Diagnosis> {
    let url = refused.url;
    let parts = UrlParts::split(url)?;
    let authority_end = url.len() - parts.rest.len();
    let mut root = authority_end;
    if let (PublicUrlPolicy::BaseUrl(base), Target::PathAndQuery(_)) =
        (&refused.config.url_policy, refused.req.target)
        && let Some(base) = UrlParts::split(base)
        && parts.rest.starts_with(base.rest)
    {
        root += base.rest.len();
    }
    let path_end = url[root..]
        .find(['?', '#'])
        .map_or(url.len(), |end| root + end);
    let layout = Layout {
        parts,
        authority_end,
        root,
        path_end,
    };

    let mut budget = DiagnosticBudget::after(refused.spent);
    let mut buf = String::with_capacity(url.len() + 64);
    let mut attempt = |mistake: Mistake, edit: Edit<'_>| -> Result<(), Stop> {
        let (base_len, key, algorithm) = render(url, &layout, &edit, &mut buf);
        let Some(key) = key.or_else(|| refused.tried.iter().next()) else {
            return Err(Stop::Spent);
        };
        let algorithm = algorithm.unwrap_or(refused.algorithm);
        if !budget.pay(buf.len() + refused.suffix.len()) {
            return Err(Stop::Spent);
        }
        let matched = key
            .mac
            .matches(algorithm, &buf, refused.suffix, refused.signature);
        observe(&Attempt {
            url: &buf,
            suffix: refused.suffix,
            key: &key.source,
            algorithm,
            matched,
            diagnostic: true,
        });
        if matched {
            let found = diagnosis(refused, &layout, mistake, &edit, &buf, base_len, key);
            return Err(Stop::Found(found));
        }
        Ok(())
    };
    match guesses(refused, &layout, &mut attempt) {
        Err(Stop::Found(diagnosis)) => Some(diagnosis),
        _ => None,
    }
}

/// Why the guesses stopped before the last.
enum Stop {
    Found(Diagnosis),
    /// The budget is spent (or there is no key to try).
    Spent,
}

/// Tries each guess, most likely first: the scheme, the host, the key, the path, the
/// query. Each is one HMAC; `attempt` stops them.
fn guesses<'r>(
    refused: &Refused<'r, '_>,
    layout: &Layout<'r>,
    attempt: &mut dyn FnMut(Mistake, Edit<'r>) -> Result<(), Stop>,
) -> Result<(), Stop> {
    let url = refused.url;
    // 1. The other scheme.
    if let Some(other) = other_scheme(layout.parts.scheme) {
        attempt(Mistake::OtherScheme, Edit::Scheme(other))?;
    }
    // 2. Another host: a forwarded header's, or the `Host` header's.
    if let Target::PathAndQuery(_) = refused.req.target {
        let headers = refused.req.headers_dyn();
        for (family, header) in [
            (ForwardedHeaders::XForwarded, "X-Forwarded-Host"),
            (ForwardedHeaders::Forwarded, "Forwarded"),
        ] {
            let forwarded = Forwarded::read(family, headers);
            if let Some(host) = forwarded.host.filter(|h| is_other_host(h, &layout.parts)) {
                let scheme = forwarded.proto.unwrap_or("https");
                let scheme = if is_websocket(layout.parts.scheme) {
                    websocket_scheme(scheme)
                } else {
                    scheme
                };
                attempt(
                    Mistake::ForwardedHost,
                    Edit::Host {
                        scheme,
                        host,
                        header,
                    },
                )?;
            }
        }
        let host = headers
            .header("host")
            .or(refused.req.authority)
            .map(str::trim);
        if let Some(host) = host.filter(|h| is_other_host(h, &layout.parts)) {
            attempt(
                Mistake::HostHeader,
                Edit::Host {
                    scheme: layout.parts.scheme,
                    host,
                    header: "Host",
                },
            )?;
        }
    }
    // 3. Another configured key, over the URL as rebuilt.
    let config = refused.keyring;
    let others = config
        .tokens
        .iter()
        .map(|key| (key, Algorithm::HmacSha1))
        .chain(
            config
                .accounts
                .iter()
                .map(|(_, key)| (key, Algorithm::HmacSha1)),
        )
        .chain(
            config
                .shared_keys
                .iter()
                .map(|shared| (&shared.key, shared.algorithm)),
        )
        .filter(|(key, algorithm)| {
            algorithm.output_len() == refused.signature.len()
                && !refused.tried.iter().any(|t| t.source == key.source)
        })
        .take(MAX_OTHER_KEYS);
    for (key, algorithm) in others {
        attempt(Mistake::OtherKey, Edit::Key(key, algorithm))?;
    }
    // 4. The path: an API Gateway stage, else a prefix stripped or added.
    let (root, path_end) = (layout.root, layout.path_end);
    let path = &url[root..path_end];
    // The path starts with `/` (or is empty): a request target is checked for it.
    let first_segment_end = path
        .strip_prefix('/')
        .and_then(|after| after.find('/'))
        .map(|end| root + 1 + end);
    if is_execute_api(layout.parts.host) {
        let first = first_segment_end.map(|end| &url[root + 1..end]);
        match first.filter(|segment| API_GATEWAY_STAGES.contains(segment)) {
            Some(_) => attempt(
                Mistake::StageAdded,
                Edit::Remove(first_segment_end.unwrap_or(root)),
            )?,
            None => {
                for stage in API_GATEWAY_STAGES {
                    attempt(Mistake::StageStripped, Edit::Insert(stage))?;
                }
            }
        }
    } else {
        for prefix in COMMON_PREFIXES {
            let has_it = path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
            if !has_it {
                attempt(Mistake::PrefixStripped, Edit::Insert(&prefix[1..]))?;
            }
        }
        if let Some(end) = first_segment_end {
            attempt(Mistake::PrefixAdded, Edit::Remove(end))?;
        }
    }
    // 5. The query as sent, before the framework rebuilt it.
    let query = &url[path_end..];
    if query.contains('+') {
        attempt(
            Mistake::QueryReencoded,
            Edit::Query(QueryEdit::PlusAsPercent20),
        )?;
    }
    if query.contains("%20") {
        attempt(
            Mistake::QueryReencoded,
            Edit::Query(QueryEdit::Percent20AsPlus),
        )?;
    }
    if has_needless_escape(query) {
        attempt(Mistake::QueryReencoded, Edit::Query(QueryEdit::Decoded))?;
    }

    Ok(())
}

/// Writes the guessed URL into `buf`; returns where its base URL ends, and the key and
/// algorithm when the guess is another key.
fn render<'r>(
    url: &str,
    layout: &Layout<'_>,
    edit: &Edit<'r>,
    buf: &mut String,
) -> (usize, Option<&'r SigningKey>, Option<Algorithm>) {
    buf.clear();
    let rest = &url[layout.authority_end..];
    match *edit {
        Edit::Scheme(scheme) => {
            buf.push_str(scheme);
            buf.push_str(&url[layout.parts.scheme.len()..]);
            let base_len = layout.root - layout.parts.scheme.len() + scheme.len();
            (base_len, None, None)
        }
        Edit::Host { scheme, host, .. } => {
            buf.push_str(scheme);
            buf.push_str("://");
            buf.push_str(host);
            let base_len = buf.len() + (layout.root - layout.authority_end);
            buf.push_str(rest);
            (base_len, None, None)
        }
        Edit::Insert(prefix) => {
            buf.push_str(&url[..layout.root]);
            buf.push('/');
            buf.push_str(prefix);
            let base_len = buf.len();
            buf.push_str(&url[layout.root..]);
            (base_len, None, None)
        }
        Edit::Remove(end) => {
            buf.push_str(&url[..layout.root]);
            buf.push_str(&url[end..]);
            (layout.root, None, None)
        }
        Edit::Query(how) => {
            buf.push_str(&url[..layout.path_end]);
            let query = &url[layout.path_end..];
            match how {
                QueryEdit::PlusAsPercent20 => {
                    for (i, piece) in query.split('+').enumerate() {
                        if i > 0 {
                            buf.push_str("%20");
                        }
                        buf.push_str(piece);
                    }
                }
                QueryEdit::Percent20AsPlus => {
                    for (i, piece) in query.split("%20").enumerate() {
                        if i > 0 {
                            buf.push('+');
                        }
                        buf.push_str(piece);
                    }
                }
                QueryEdit::Decoded => decode_needless(query, buf),
            }
            (layout.root, None, None)
        }
        Edit::Key(key, algorithm) => {
            buf.push_str(url);
            (layout.root, Some(key), Some(algorithm))
        }
    }
}

/// The diagnosis of the guess that matched, `signed` being its URL.
fn diagnosis(
    refused: &Refused<'_, '_>,
    layout: &Layout<'_>,
    mistake: Mistake,
    edit: &Edit<'_>,
    signed: &str,
    base_len: usize,
    key: &SigningKey,
) -> Diagnosis {
    let shown = redact_password(signed);
    let base = redact_password(&signed[..base_len]);
    let rebuilt = redact_password(refused.url);
    let set_base = format!(
        "set the public base URL to {base} (TWILIO_WEBHOOK_BASE_URL, \
         ConfigBuilder::public_base_url)"
    );
    let url = refused.url;
    let advice = match (mistake, edit) {
        (Mistake::OtherScheme, _) => format!(
            "Twilio signed {shown}, not {rebuilt}: TLS is terminated in front of the app \
             (or the scheme was assumed); {set_base}, or trust the forwarded headers your \
             proxy writes (TWILIO_TRUST_FORWARDED_HEADERS)"
        ),
        (Mistake::ForwardedHost, Edit::Host { header, host, .. }) => format!(
            "Twilio signed {shown}, for the host {host:?} that {header} names, not \
             {rebuilt}: the request came through a tunnel or proxy; {set_base}"
        ),
        (Mistake::HostHeader, Edit::Host { host, .. }) => format!(
            "Twilio signed {shown}, for the host {host:?} of the Host header, not {rebuilt}: \
             the request was signed for another host (a tunnel or proxy host); {set_base}"
        ),
        (Mistake::PrefixStripped, _) => {
            let prefix = &signed[layout.root..base_len];
            format!(
                "Twilio signed {shown}, with the path prefix {prefix:?} that a router \
                 stripped before verification (e.g. axum Router::nest); {set_base}, or \
                 verify before the prefix is stripped"
            )
        }
        (Mistake::PrefixAdded, Edit::Remove(end))
            if url[layout.authority_end..layout.root].ends_with(&url[layout.root..*end]) =>
        {
            // A base URL that repeats the prefix the path carries (`…/twilio/twilio/voice`):
            // the verifier sees the path before the router strips it.
            let segment = &url[layout.root..*end];
            let base = redact_password(&url[..layout.root - segment.len()]);
            format!(
                "Twilio signed {shown}, with the path prefix {segment:?} once, but the public \
                 base URL ends with it and the path received has it too (the verifier sees \
                 the path before the router strips the prefix): set the public base URL to \
                 {base} (TWILIO_WEBHOOK_BASE_URL, ConfigBuilder::public_base_url), without the \
                 prefix"
            )
        }
        (Mistake::PrefixAdded, Edit::Remove(end)) => {
            let segment = &url[layout.root..*end];
            format!(
                "Twilio signed {shown}, without the first path segment {segment:?} that a \
                 proxy added in front of the app; verify the path Twilio requested (before \
                 the proxy's rewrite), or make the webhook URL in the Twilio console include \
                 {segment:?}"
            )
        }
        (Mistake::StageStripped, _) => {
            let stage = &signed[layout.root..base_len];
            format!(
                "Twilio signed {shown}, with the API Gateway stage {stage:?} that the path \
                 received leaves out; {set_base}"
            )
        }
        (Mistake::StageAdded, Edit::Remove(end))
            if url[layout.authority_end..layout.root].ends_with(&url[layout.root..*end]) =>
        {
            // A base URL that repeats the stage the path carries (`…/prod/prod/voice`).
            let stage = &url[layout.root..*end];
            let base = redact_password(&url[..layout.root - stage.len()]);
            format!(
                "Twilio signed {shown}, with the API Gateway stage {stage:?} once, but the \
                 public base URL ends with it and the path received has it too: set the \
                 public base URL to {base} (TWILIO_WEBHOOK_BASE_URL, \
                 ConfigBuilder::public_base_url), without the stage"
            )
        }
        (Mistake::StageAdded, Edit::Remove(end)) => {
            let stage = &url[layout.root..*end];
            format!(
                "Twilio signed {shown}, without the API Gateway stage {stage:?} that the path \
                 received has (a custom domain or the $default stage); remove the stage from \
                 the path before verification, or make the webhook URL in the Twilio console \
                 include {stage:?}"
            )
        }
        (Mistake::OtherKey, _) => {
            let selected = refused
                .tried
                .iter()
                .next()
                .map_or_else(String::new, |k| k.source.to_string());
            format!(
                "the signature over {shown} matches the {} (a configured key), but this \
                 request selects the {selected}: a token rotation, or a sub-account signed \
                 with another account's token; configure the {} for this request's \
                 AccountSid or SharedKey, or check which key Twilio signs it with",
                key.source, key.source
            )
        }
        (Mistake::QueryReencoded, Edit::Query(how)) => format!(
            "Twilio signed {shown}, the query as it was sent ({}), not {rebuilt}: the \
             framework rebuilt the query; give the verifier the raw path and query as \
             received",
            how.describe()
        ),
        // Each mistake comes with its own edit.
        _ => format!("Twilio signed {shown}, not {rebuilt}"),
    };
    Diagnosis {
        mistake,
        url: shown,
        key: key.source.clone(),
        advice,
    }
}

fn other_scheme(scheme: &str) -> Option<&'static str> {
    [
        ("https", "http"),
        ("http", "https"),
        ("wss", "ws"),
        ("ws", "wss"),
    ]
    .into_iter()
    .find(|(from, _)| scheme.eq_ignore_ascii_case(from))
    .map(|(_, to)| to)
}

fn is_websocket(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("wss") || scheme.eq_ignore_ascii_case("ws")
}

fn websocket_scheme(scheme: &str) -> &'static str {
    if scheme.eq_ignore_ascii_case("http") {
        "ws"
    } else {
        "wss"
    }
}

/// Whether `host` (a `Host` value) names another host than the URL's.
fn is_other_host(host: &str, parts: &UrlParts<'_>) -> bool {
    !host.is_empty()
        && crate::url::host_port_is_valid(host)
        && !crate::hints::same_host(host, parts)
}

fn is_execute_api(host: &str) -> bool {
    const NEEDLE: &[u8] = b".execute-api.";
    host.as_bytes()
        .windows(NEEDLE.len())
        .any(|w| w.eq_ignore_ascii_case(NEEDLE))
}

/// A byte that a query may carry as it is, which a framework's encoder escapes.
fn needs_no_escape(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b':'
                | b'/'
                | b'@'
                | b'!'
                | b'$'
                | b'('
                | b')'
                | b'*'
                | b','
                | b';'
        )
}

/// The escape `%XX` at `i` of `query`, when it decodes to a byte that needs none.
fn needless_escape_at(query: &[u8], i: usize) -> Option<u8> {
    if query.get(i) != Some(&b'%') {
        return None;
    }
    let hex = |b: u8| (b as char).to_digit(16);
    let high = hex(*query.get(i + 1)?)?;
    let low = hex(*query.get(i + 2)?)?;
    let byte = (high * 16 + low) as u8;
    needs_no_escape(byte).then_some(byte)
}

fn has_needless_escape(query: &str) -> bool {
    let bytes = query.as_bytes();
    (0..bytes.len()).any(|i| needless_escape_at(bytes, i).is_some())
}

/// `query` with needless escapes decoded, appended to `out`.
fn decode_needless(query: &str, out: &mut String) {
    let bytes = query.as_bytes();
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if let Some(byte) = needless_escape_at(bytes, i) {
            out.push_str(&query[copied..i]);
            out.push(byte as char);
            i += 3;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&query[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needless_escapes_are_decoded_and_others_kept() {
        let mut out = String::new();
        decode_needless("?a=%3A%2Fx%26y%20z%7e", &mut out);
        assert_eq!(out, "?a=:/x%26y%20z~");
        assert!(!has_needless_escape("?a=%26%20%2"));
    }

    #[test]
    fn execute_api_hosts_are_recognised_in_any_case() {
        assert!(is_execute_api("abc123.Execute-Api.us-east-1.amazonaws.com"));
        assert!(!is_execute_api("example.com"));
    }
}
