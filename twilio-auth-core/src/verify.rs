//! The verification flow (SPEC §1–3, §5): body limit, public URL, signature settings,
//! signature decoding, then the candidates — the exact URL first, so a valid request
//! usually costs one HMAC — and, for non-form bodies, the body hash.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use std::cell::Cell;

use crate::algorithm::{Algorithm, SignatureSettings};
use crate::attempts::SignatureBudget;
use crate::body_hash::{self, BodyHash, query_values};
use crate::candidates::candidate_urls;
use crate::config::{Config, Keyring, SigningKey};
use crate::form::{self, FormBuffers, SigningParams};
use crate::handshake::{handshake_candidates, split_query, websocket_url};
use crate::headers::{SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER};
use crate::hints::Hint;
use crate::http_auth::{Authenticated, HttpAuthRequirement};
use crate::outcome::{KeySource, Rejection, RejectionReason, SignatureMatch, Verified};
use crate::policy::RoutePolicy;
use crate::public_url::UrlProblem;
use crate::request::{Target, WebhookRequest};
use crate::resolve::ResolvedKey;
use crate::url::{UrlParts, is_valid_scheme, redact_password, redacted};

/// What the body contributes to the signed data (SPEC §1, method and body binding).
enum Payload<'b> {
    /// Nothing: an empty `GET`/`HEAD`, or an empty body without a content type.
    UrlOnly,
    /// A form body, whose parameters are appended to the URL.
    Form(&'b [u8]),
    /// Any other body: covered by `bodySHA256` in the URL.
    Hashed(&'b [u8]),
    /// The body of a `GET`/`HEAD`: Twilio signs these URL-only, so it must be covered by
    /// `bodySHA256` (Event Streams sinks may deliver with GET) or the request is refused.
    HashedOrRefused(&'b [u8]),
}

impl<'b> Payload<'b> {
    fn of(req: &WebhookRequest<'b>) -> Self {
        let body = req.body_bytes();
        // Methods are compared as HTTP compares them: `get` is not `GET`, and its body
        // is covered like any other method's.
        if matches!(req.method(), "GET" | "HEAD") {
            return if body.is_empty() {
                Payload::UrlOnly
            } else {
                Payload::HashedOrRefused(body)
            };
        }
        match req.header("content-type") {
            Some(ct) if form::is_form_content_type(ct) => Payload::Form(body),
            None if body.is_empty() => Payload::UrlOnly,
            _ => Payload::Hashed(body),
        }
    }

    /// The body that `bodySHA256` must cover, if any.
    fn hashed(&self) -> Option<&'b [u8]> {
        match *self {
            Payload::Hashed(body) | Payload::HashedOrRefused(body) => Some(body),
            Payload::UrlOnly | Payload::Form(_) => None,
        }
    }

    /// The reason when the URL has no `bodySHA256` for a body that needs one.
    fn missing_hash(&self) -> RejectionReason {
        match self {
            Payload::HashedOrRefused(_) => RejectionReason::UnsignedBody,
            _ => RejectionReason::MissingBodyHash,
        }
    }
}

/// The secrets that may have signed a request, found without collecting them.
#[derive(Clone, Copy)]
pub(crate) enum Keys<'k> {
    /// Every one of these.
    All(&'k [SigningKey]),
    /// The sub-account tokens registered for this `AccountSid`.
    Account(&'k [(String, SigningKey)], &'k str),
}

impl<'k> Keys<'k> {
    pub(crate) fn iter(self) -> impl Iterator<Item = &'k SigningKey> {
        let (all, accounts, sid) = match self {
            Keys::All(all) => (all, &[][..], ""),
            Keys::Account(accounts, sid) => (&[][..], accounts, sid),
        };
        let for_account = accounts.iter().filter(move |(account, _)| account == sid);
        all.iter().chain(for_account.map(|(_, key)| key))
    }
}

/// One signature comparison, reported to an observer (used by [`Config::explain`]).
pub(crate) struct Attempt<'x> {
    pub url: &'x str,
    /// The parameters as they follow the URL in the signed string.
    pub suffix: &'x [u8],
    pub key: &'x KeySource,
    pub algorithm: Algorithm,
    pub matched: bool,
    /// A guess of the refusal's diagnosis (never accepted), not a candidate.
    pub diagnostic: bool,
}

impl Config {
    /// Verifies a request's `X-Twilio-Signature` (and `bodySHA256` for non-form bodies).
    ///
    /// ```
    /// use twilio_auth_core::{Config, Signer, WebhookRequest};
    ///
    /// let config = Config::builder()
    ///     .auth_token("12345")
    ///     .public_base_url("https://example.com")
    ///     .build()
    ///     .unwrap();
    /// let signature = Signer::new("12345").sign_url("https://example.com/status?CallSid=CA1");
    /// let headers = [("X-Twilio-Signature", signature.as_str())];
    /// let req = WebhookRequest::new("GET", "/status?CallSid=CA1").headers(&headers);
    /// assert!(config.verify(&req).is_ok());
    ///
    /// let forged = WebhookRequest::new("GET", "/status?CallSid=CA2").headers(&headers);
    /// let rejection = config.verify(&forged).unwrap_err();
    /// assert_eq!(rejection.status(), 403);
    /// ```
    pub fn verify(&self, req: &WebhookRequest<'_>) -> Result<Verified, Rejection> {
        let signature = self.verify_observed(req, None, None, &mut |_| {})?;
        Ok(Verified {
            signature: Some(signature),
            user: None,
            nonce_use: None,
        })
    }

    /// Verifies a request for a route with its own demands: HTTP Basic/Digest
    /// authentication first (a `401` with challenges), then the signature (a `403`).
    ///
    /// ```
    /// use twilio_auth_core::http_auth::HttpAuthConfig;
    /// use twilio_auth_core::policy::{Basic, Policy};
    /// use twilio_auth_core::{Config, Signer, WebhookRequest};
    ///
    /// let http_auth = HttpAuthConfig::builder("twilio")
    ///     .credential("twilio", "s3cret-pass")
    ///     .build()
    ///     .unwrap();
    /// let config = Config::builder().auth_token("12345").http_auth(http_auth).build().unwrap();
    /// let route = Basic::ROUTE;
    ///
    /// // Twilio's first attempt carries no credentials: a 401 with a challenge.
    /// let url = "https://twilio:s3cret-pass@example.com/voice";
    /// let signature = Signer::new("12345").sign_url(url);
    /// let headers = [("X-Twilio-Signature", signature.as_str())];
    /// let first = config.verify_with(&WebhookRequest::from_url("GET", url).headers(&headers), route);
    /// let rejection = first.unwrap_err();
    /// assert_eq!(rejection.status(), 401);
    /// assert!(rejection.challenges()[0].starts_with("Basic realm=\"twilio\""));
    ///
    /// // The retry logs in (base64 of "twilio:s3cret-pass").
    /// let headers = [
    ///     ("X-Twilio-Signature", signature.as_str()),
    ///     ("Authorization", "Basic dHdpbGlvOnMzY3JldC1wYXNz"),
    /// ];
    /// let verified = config
    ///     .verify_with(&WebhookRequest::from_url("GET", url).headers(&headers), route)
    ///     .unwrap();
    /// assert_eq!(verified.user.as_deref(), Some("twilio"));
    /// ```
    pub fn verify_with(
        &self,
        req: &WebhookRequest<'_>,
        route: RoutePolicy,
    ) -> Result<Verified, Rejection> {
        self.verify_with_key(req, route, None)
    }

    /// Verifies like [`Config::verify_with`], with one more key: the one a store gave for
    /// the request's [`key_request`](Config::key_request) ([`crate::resolve`]). It is used
    /// only if it is the key the request names (the same `AccountSid` or SharedKey id) and
    /// the configuration has none for it; `None` (the store knows no such key) verifies
    /// with the configured keys alone.
    pub fn verify_with_key(
        &self,
        req: &WebhookRequest<'_>,
        route: RoutePolicy,
        resolved: Option<&ResolvedKey>,
    ) -> Result<Verified, Rejection> {
        self.check_body_len(req.body_bytes().len())?;
        let authenticated = self.authenticate(req, route.http_auth())?;
        let (user, nonce_use) = match authenticated {
            Some(a) => (Some(a.user().to_owned()), a.nonce_use().cloned()),
            None => (None, None),
        };
        let signature = if route.checks_signature() {
            let login = user.as_deref().and_then(|user| self.login_of(user));
            Some(self.verify_observed(req, login, resolved, &mut |_| {})?)
        } else {
            None
        };
        Ok(Verified {
            signature,
            user,
            nonce_use,
        })
    }

    /// The configured `user:password` of a user who logged in. Twilio's docs say it signs
    /// the webhook URL without its `user:pass@`; its libraries' tests sign it with them. The
    /// rebuilt URL has no credentials (they are not sent in the request line), so after a
    /// login the URL with them is one more candidate (with its own port variants).
    fn login_of<'c>(&'c self, user: &'c str) -> Option<(&'c str, &'c str)> {
        let credential = self
            .inner
            .http_auth
            .as_ref()?
            .credentials()
            .iter()
            .find(|c| c.user() == user)?;
        Some((credential.user(), credential.password()))
    }

    /// HTTP authentication as the route requires it: the user, or a 401 with challenges.
    fn authenticate(
        &self,
        req: &WebhookRequest<'_>,
        requirement: HttpAuthRequirement,
    ) -> Result<Option<Authenticated>, Rejection> {
        if !requirement.is_required() {
            return Ok(None);
        }
        let Some(http_auth) = &self.inner.http_auth else {
            return Err(Rejection::new(RejectionReason::HttpAuthNotConfigured));
        };
        let request_target = match req.target {
            Target::PathAndQuery(path) => path,
            Target::Url(url) => UrlParts::split(url).map_or(url, |parts| parts.rest),
        };
        // A header that is not UTF-8 reads as absent in `Headers`; present it as empty so
        // it is refused as malformed rather than answered as a first, anonymous attempt.
        let authorization = req.header("authorization");
        match http_auth.check(
            requirement,
            req.method(),
            request_target,
            authorization,
            unix_now(),
        ) {
            Ok(authenticated) => Ok(authenticated),
            Err(failure) => Err(Rejection::new(RejectionReason::HttpAuth(failure.reason()))
                .with_challenges(failure.challenges().to_vec())),
        }
    }

    /// The public URL the configuration assigns to a request.
    pub fn request_url(&self, req: &WebhookRequest<'_>) -> Result<String, Rejection> {
        match req.target {
            Target::Url(url) => {
                let valid = UrlParts::split(url).is_some_and(|parts| {
                    is_valid_scheme(parts.scheme) && parts.is_valid_authority()
                });
                if valid {
                    Ok(url.to_owned())
                } else {
                    Err(Rejection::new(RejectionReason::InvalidUrl))
                }
            }
            Target::PathAndQuery(target) => {
                // A target is appended to the base URL or `scheme://host`, whose authority
                // `url_for` has checked: one that does not start with `/` (`.evil.com/x`,
                // `@evil.com/x`, `:8443/x`, `*`) would change the host or port.
                if !target.is_empty() && !target.starts_with('/') {
                    return Err(Rejection::new(RejectionReason::InvalidUrl));
                }
                self.inner
                    .url_policy
                    .url_for(target, req_headers(req), req.authority)
                    .map_err(|problem| {
                        Rejection::new(match problem {
                            UrlProblem::MissingHost => RejectionReason::MissingHost,
                            UrlProblem::InvalidHost => RejectionReason::InvalidHost,
                        })
                    })
            }
        }
    }

    /// The signature check: the URL as rebuilt, then its candidates, then (after an HTTP
    /// login) the URL with the user's `user:password@` and its candidates.
    pub(crate) fn verify_observed(
        &self,
        req: &WebhookRequest<'_>,
        login: Option<(&str, &str)>,
        resolved: Option<&ResolvedKey>,
        observe: &mut dyn FnMut(&Attempt<'_>),
    ) -> Result<SignatureMatch, Rejection> {
        self.check_body_len(req.body_bytes().len())?;
        let payload = Payload::of(req);
        if let Payload::Form(body) = payload {
            self.check_form_body_len(body.len())?;
        }
        // A WebSocket handshake was signed over the `ws(s)://` form of the URL.
        let handshake = req.is_websocket_handshake();
        let url = self.request_url(req)?;
        let url = if handshake { websocket_url(&url) } else { url };
        let reject =
            |reason| Err(Rejection::new(reason).with_candidate_urls(vec![redact_password(&url)]));

        let Some(header) = req.header(SIGNATURE_HEADER).filter(|s| !s.is_empty()) else {
            return reject(RejectionReason::MissingSignature);
        };
        let mut buffers = FormBuffers::reuse();
        let params = match payload {
            Payload::Form(body) => SigningParams::decode(body, &mut buffers),
            _ => SigningParams::none(),
        };
        // One atomic load: the whole verification uses this set, whatever `rotate` does.
        let keyring = self.inner.keys.load();
        let (algorithm, keys) = match keys_for(&keyring, resolved, req, &url, &params) {
            Ok(found) => found,
            Err(reason) => return reject(reason),
        };
        // Signatures are 20 or 32 bytes: decoded on the stack. Anything longer than 64
        // characters does not fit, and could not have had the right length anyway.
        let mut decoded = [0; 48];
        let signature = match STANDARD.decode_slice(header, &mut decoded) {
            Ok(len) if len == algorithm.output_len() => &decoded[..len],
            _ => return reject(RejectionReason::MalformedSignature),
        };
        if payload.hashed().is_some() && query_values(&url, "bodySHA256").next().is_none() {
            return reject(payload.missing_hash());
        }

        // Every attempt is paid for from the request's budget (see `attempts`): a forged
        // request costs at most a few times what a valid one of its size costs.
        // A handshake may have been signed with its query's parameters after the URL.
        let mut query_buffers = FormBuffers::default();
        let query_params = if handshake {
            SigningParams::decode(split_query(&url).1.as_bytes(), &mut query_buffers)
        } else {
            SigningParams::none()
        };
        let budget = SignatureBudget::for_request(
            url.len(),
            params.by_bytes().len() + query_params.by_bytes().len(),
        );
        let urls_reached = Cell::new(0);
        let mut try_url = |candidate: &str, params: &SigningParams<'_>| {
            let mut reached = false;
            for suffix in params.suffixes() {
                for key in keys.iter() {
                    if !budget.pay(candidate.len() + suffix.len()) {
                        break;
                    }
                    reached = true;
                    let matched = key.mac.matches(algorithm, candidate, suffix, signature);
                    observe(&Attempt {
                        url: candidate,
                        suffix,
                        key: &key.source,
                        algorithm,
                        matched,
                        diagnostic: false,
                    });
                    if matched {
                        return Some(&key.source);
                    }
                }
            }
            if reached {
                urls_reached.set(urls_reached.get() + 1);
            }
            None
        };

        // The URL as rebuilt is what Twilio signed in the common case: try it before
        // building the other candidates. `None` for the URL itself, else which candidate.
        let mut matched = try_url(&url, &params).map(|key| (None, key));
        let mut tried: Vec<String> = Vec::new();
        // For a handshake: whether the query's parameters follow each candidate URL.
        let mut query_as_params: Vec<bool> = Vec::new();
        if matched.is_none() {
            let options = self.inner.candidate_options;
            let mut add = |url: &str| {
                if handshake {
                    let c = handshake_candidates(url);
                    let from = c.query_as_params_from;
                    query_as_params.extend((0..c.urls.len()).map(|i| i >= from));
                    tried.extend(c.urls);
                } else if tried.is_empty() {
                    tried = candidate_urls(url, options);
                } else {
                    tried.extend(candidate_urls(url, options));
                }
            };
            add(&url);
            if let Some(credentialed) = login.and_then(|login| with_login(&url, login)) {
                add(&credentialed);
            }
            matched = tried.iter().enumerate().skip(1).find_map(|(i, candidate)| {
                let params = match query_as_params.get(i) {
                    Some(true) => &query_params,
                    _ => &params,
                };
                try_url(candidate, params).map(|key| (Some(i), key))
            });
        }
        let Some((candidate, key)) = matched else {
            let mut hints = crate::hints::for_signature_mismatch(&self.inner.url_policy, req);
            if handshake {
                hints.push(Hint::WebSocketHandshake);
            }
            if budget.ran_out() {
                // Only the URLs that were compared are reported as tried.
                tried.truncate(urls_reached.get().min(tried.len()).max(1));
                hints.push(Hint::SignatureWorkLimit {
                    urls_tried: tried.len(),
                });
            }
            // Candidate URLs go to logs: a password in them (a URL with `user:pass@`) must not.
            let tried = tried
                .into_iter()
                .enumerate()
                .map(|(i, url)| match query_as_params.get(i) {
                    Some(true) => format!("{} + query as parameters", redacted(url)),
                    _ => redacted(url),
                })
                .collect();
            // For the diagnosis only: what the signature does match, if it is one of the
            // usual mistakes (bounded, see `attempts::DiagnosticBudget`). Never accepts.
            let diagnosis = if self.inner.diagnose_refusals && req.diagnose {
                crate::diagnosis::diagnose(
                    &crate::diagnosis::Refused {
                        config: &self.inner,
                        keyring: &keyring,
                        req,
                        url: &url,
                        suffix: params.by_bytes(),
                        algorithm,
                        signature,
                        tried: keys,
                        spent: budget.spent(),
                    },
                    observe,
                )
            } else {
                None
            };
            return Err(Rejection::new(RejectionReason::SignatureMismatch)
                .with_candidate_urls(tried)
                .with_hints(hints)
                .with_diagnosis(diagnosis));
        };
        let key = key.clone();

        if let Some(body) = payload.hashed() {
            match body_hash::check(&url, body) {
                BodyHash::Matches => {}
                BodyHash::Missing => return reject(payload.missing_hash()),
                BodyHash::Mismatch => return reject(RejectionReason::BodyHashMismatch),
            }
        }
        let matched_url = match candidate {
            Some(i) => tried.swap_remove(i),
            None => url,
        };
        Ok(SignatureMatch {
            // The URL may carry the base URL's or the login's password: never shown.
            url: redacted(matched_url),
            key,
            algorithm,
        })
    }
}

/// The algorithm and the secrets that may have signed this request.
fn keys_for<'k>(
    inner: &'k Keyring,
    resolved: Option<&'k ResolvedKey>,
    req: &WebhookRequest<'_>,
    url: &'k str,
    params: &SigningParams<'k>,
) -> Result<(Algorithm, Keys<'k>), RejectionReason> {
    if let Some(header) = req.header(SIGNATURE_SETTINGS_HEADER) {
        let settings = SignatureSettings::parse(header).ok_or(RejectionReason::UnknownSharedKey)?;
        let algorithm = settings
            .algorithm
            .map_err(|()| RejectionReason::UnknownAlgorithm)?;
        let (key_algorithm, key) = inner
            .shared_keys
            .iter()
            .find(|shared| shared.id == settings.key_id)
            .map(|shared| (shared.algorithm, &shared.key))
            .or_else(|| {
                resolved
                    .filter(|r| r.for_shared_key(settings.key_id))
                    .map(|r| (r.algorithm, &r.key))
            })
            .ok_or(RejectionReason::UnknownSharedKey)?;
        // The request may not choose a weaker (or any other) algorithm for a key.
        if key_algorithm != algorithm {
            return Err(RejectionReason::SharedKeyAlgorithmMismatch);
        }
        return Ok((algorithm, Keys::All(std::slice::from_ref(key))));
    }
    if inner.shared_keys_only {
        return Err(RejectionReason::SharedKeyRequired);
    }
    if (!inner.accounts.is_empty() || resolved.is_some() || inner.from_store)
        && let Some(sid) = account_sid(url, params)?
    {
        if inner.accounts.iter().any(|(account, _)| account == sid) {
            return Ok((Algorithm::HmacSha1, Keys::Account(&inner.accounts, sid)));
        }
        if let Some(resolved) = resolved.filter(|r| r.for_account(sid)) {
            return Ok((
                Algorithm::HmacSha1,
                Keys::All(std::slice::from_ref(&resolved.key)),
            ));
        }
    }
    if inner.tokens.is_empty() {
        return Err(if inner.accounts.is_empty() && !inner.from_store {
            RejectionReason::UnknownSharedKey
        } else {
            RejectionReason::UnknownAccount
        });
    }
    Ok((Algorithm::HmacSha1, Keys::All(&inner.tokens)))
}

/// The one `AccountSid` a request names (in its form body or its query), or a refusal
/// when it names several: the key must be chosen by the same value the handler reads.
pub(crate) fn account_sid<'k>(
    url: &'k str,
    params: &SigningParams<'k>,
) -> Result<Option<&'k str>, RejectionReason> {
    let mut body = params.values_of("AccountSid");
    let from_body = body.next();
    if body.next().is_some() {
        return Err(RejectionReason::ConflictingAccountSid);
    }
    // The query as a framework's `Query` extractor would decode it (`Account%53id`
    // included). Only requests to apps with per-account tokens get here.
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let mut buffers = FormBuffers::reuse();
    let decoded = SigningParams::decode(query.as_bytes(), &mut buffers);
    let mut from_query = decoded.values_of("AccountSid");
    let first_in_query = from_query.next();
    if from_query.next().is_some() {
        return Err(RejectionReason::ConflictingAccountSid);
    }
    match (from_body, first_in_query) {
        (Some(a), Some(b)) if a != b => Err(RejectionReason::ConflictingAccountSid),
        (Some(sid), _) => Ok(Some(sid)),
        // The raw query value, borrowed from the URL; a decoded one that differs from it
        // names no configured account anyway.
        (None, Some(_)) => Ok(query_values(url, "AccountSid").next()),
        (None, None) => Ok(None),
    }
}

/// `url` with `user:password@` in its authority, unless it has credentials already.
fn with_login(url: &str, (user, password): (&str, &str)) -> Option<String> {
    let parts = UrlParts::split(url).filter(|parts| parts.userinfo.is_none())?;
    let rest = &url[parts.scheme.len() + "://".len()..];
    Some(format!("{}://{user}:{password}@{rest}", parts.scheme))
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn req_headers<'a>(req: &WebhookRequest<'a>) -> &'a dyn crate::headers::Headers {
    req.headers_dyn()
}
