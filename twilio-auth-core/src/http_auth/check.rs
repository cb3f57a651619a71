//! The entry point: checking a request's `Authorization` header against a route's requirement.

use super::authorization::{Credentials, parse_authorization};
use super::{
    Authenticated, HttpAuthConfig, HttpAuthFailure, HttpAuthFailureReason, HttpAuthRequirement,
    basic, challenge, digest,
};

impl HttpAuthConfig {
    /// Checks the `Authorization` header of one request.
    ///
    /// - `requirement`: what the route accepts; with [`HttpAuthRequirement::None`] the result is
    ///   `Ok(None)` whatever the header says.
    /// - `method`: the request method as received (`POST`), part of the Digest response.
    /// - `request_target`: path and query exactly as received (`/voice?x=1`); a Digest `uri` must
    ///   be byte-for-byte equal to it.
    /// - `authorization`: the header value, `None` when absent (the adapter should pass a header
    ///   that is not valid UTF-8 as `Some("")`, which is refused as malformed).
    /// - `now`: the current time in unix seconds.
    ///
    /// Every failure is a 401 whose [`challenges`](HttpAuthFailure::challenges) contain a fresh
    /// nonce; the input is never echoed, and no input makes this function panic.
    ///
    /// # Examples
    ///
    /// ```
    /// use twilio_auth_core::http_auth::{HttpAuthConfig, HttpAuthFailureReason, HttpAuthRequirement};
    ///
    /// let config = HttpAuthConfig::builder("Twilio").credential("Aladdin", "open sesame").build()?;
    /// let now = 1_700_000_000;
    ///
    /// // Twilio's first request has no credentials: answer 401 with the challenges.
    /// let failure = config
    ///     .check(HttpAuthRequirement::Either, "POST", "/voice", None, now)
    ///     .unwrap_err();
    /// assert_eq!(failure.reason(), HttpAuthFailureReason::MissingCredentials);
    /// assert_eq!(failure.status(), 401);
    /// assert!(failure.challenges()[0].starts_with("Digest realm=\"Twilio\", qop=\"auth\", algorithm=SHA-256"));
    /// assert!(failure.challenges()[1].contains("algorithm=MD5"));
    /// assert_eq!(failure.challenges()[2], r#"Basic realm="Twilio", charset="UTF-8""#);
    ///
    /// // The retry carries credentials.
    /// let user = config
    ///     .check(HttpAuthRequirement::Either, "POST", "/voice",
    ///            Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), now)
    ///     .unwrap()
    ///     .unwrap();
    /// assert_eq!(user.user(), "Aladdin");
    /// # Ok::<(), twilio_auth_core::http_auth::HttpAuthConfigError>(())
    /// ```
    pub fn check(
        &self,
        requirement: HttpAuthRequirement,
        method: &str,
        request_target: &str,
        authorization: Option<&str>,
        now: u64,
    ) -> Result<Option<Authenticated>, HttpAuthFailure> {
        if !requirement.is_required() {
            return Ok(None);
        }
        let outcome = match authorization.map(parse_authorization) {
            None => Err(HttpAuthFailureReason::MissingCredentials),
            Some(Err(problem)) => Err(HttpAuthFailureReason::Malformed(problem)),
            Some(Ok(Credentials::Basic(token))) if requirement.allows_basic() => {
                basic::verify(self, &token)
            }
            Some(Ok(Credentials::Digest(params))) if requirement.allows_digest() => {
                digest::verify(self, &params, method, request_target, now)
            }
            Some(Ok(_)) => Err(HttpAuthFailureReason::WrongScheme),
        };
        outcome.map(Some).map_err(|reason| {
            let stale = reason == HttpAuthFailureReason::StaleNonce;
            HttpAuthFailure::new(reason, self.challenges_with(requirement, now, stale))
        })
    }

    /// The `WWW-Authenticate` values for a 401 on a route with `requirement`, with a nonce
    /// stamped `now`: Digest SHA-256, Digest MD5, then Basic, as the requirement allows. Empty
    /// for [`HttpAuthRequirement::None`].
    ///
    /// [`check`](Self::check) already returns these inside its failure; this is for callers that
    /// refuse a request before looking at the header.
    ///
    /// # Examples
    ///
    /// ```
    /// use twilio_auth_core::http_auth::{HttpAuthConfig, HttpAuthRequirement};
    ///
    /// let config = HttpAuthConfig::builder("Twilio").credential("u", "p").build()?;
    /// assert_eq!(
    ///     config.challenges(HttpAuthRequirement::Basic, 0),
    ///     [r#"Basic realm="Twilio", charset="UTF-8""#],
    /// );
    /// assert_eq!(config.challenges(HttpAuthRequirement::Digest, 0).len(), 2);
    /// # Ok::<(), twilio_auth_core::http_auth::HttpAuthConfigError>(())
    /// ```
    pub fn challenges(&self, requirement: HttpAuthRequirement, now: u64) -> Vec<String> {
        self.challenges_with(requirement, now, false)
    }

    fn challenges_with(
        &self,
        requirement: HttpAuthRequirement,
        now: u64,
        stale: bool,
    ) -> Vec<String> {
        let mut challenges = Vec::with_capacity(3);
        if requirement.allows_digest() {
            challenges.extend(challenge::digest(self, now, stale));
        }
        if requirement.allows_basic() {
            challenges.push(challenge::basic(self));
        }
        challenges
    }
}
