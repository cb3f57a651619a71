//! Keys from your own store: the fairing's [`KeyResolver`] in managed state, asked by the
//! guards for a key the request names and the configuration lacks, and the `503` the
//! fairing answers when it fails (fail closed).

use std::fmt;
use std::io::Cursor;
use std::sync::Arc;

use rocket::http::{ContentType, Status};
use rocket::{Request, Response};
use twilio_auth_core::resolver::KeyResolver;
use twilio_auth_core::{Config, ResolvedKey, RoutePolicy};

use crate::verified::VerifiedError;
use crate::verify::key_lookup;

/// The fairing's resolver, in managed state (a type of ours, so that an app's own managed
/// state is never taken for it).
#[derive(Clone)]
pub(crate) struct KeyStore(pub Arc<dyn KeyResolver>);

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyStore(..)")
    }
}

/// Whether the store failed for the current request, for the fairing's `on_response`.
struct StoreFailed(bool);

/// The key the fairing's store holds for the key `req` names, when the configuration
/// lacks it and the request passed the route's HTTP authentication; `None` without a
/// store, or when the store does not know it. A store error is logged (the key asked
/// for, never a secret), counted and recorded for the fairing: the guard fails with `503`.
pub(crate) async fn resolve<'r>(
    req: &'r Request<'_>,
    config: &Config,
    body: &[u8],
    route: RoutePolicy,
) -> Result<Option<ResolvedKey>, (Status, VerifiedError<'r>)> {
    let Some(KeyStore(resolver)) = req.rocket().state::<KeyStore>() else {
        return Ok(None);
    };
    let Some(lookup) = key_lookup(req, config, body, route) else {
        return Ok(None);
    };
    match resolver.resolve(&lookup).await {
        Ok(key) => Ok(key),
        Err(error) => {
            log::error!(
                "twilio-auth: refused a webhook with 503: the key resolver failed for \
                 {lookup}: {error}"
            );
            twilio_auth_core::metrics::key_store_unavailable();
            req.local_cache(|| StoreFailed(true));
            Err((
                Status::ServiceUnavailable,
                VerifiedError::KeyStoreUnavailable,
            ))
        }
    }
}

/// The fairing's part: the response to a request whose store failed becomes the `503`'s
/// short text, whatever catcher ran.
pub(crate) fn on_response<'r>(req: &'r Request<'_>, res: &mut Response<'r>) {
    if !req.local_cache(|| StoreFailed(false)).0 || res.status() != Status::ServiceUnavailable {
        return;
    }
    res.set_header(ContentType::Plain);
    let body = twilio_auth_core::KEY_STORE_UNAVAILABLE_BODY;
    res.set_sized_body(body.len(), Cursor::new(body));
}
