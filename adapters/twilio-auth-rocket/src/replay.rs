//! The replay guard between a verified body and the handler (feature `replay`): the data
//! guard asks it, keeps the [`Ticket`] in the request-local cache, and the
//! [`TwilioAuth`](crate::TwilioAuth) fairing finishes the ticket with the final status and
//! writes the answer to a refused request.

use std::io::Cursor;
use std::sync::Mutex;

use rocket::http::{ContentType, Status};
use rocket::{Ignite, Request, Response, Rocket};
use twilio_auth_core::{Config, RoutePolicy, Verified};
use twilio_auth_replay::{Admission, Refusal, RefusalReason, ReplayGuard, RequestFacts, Ticket};

use crate::verified::{VerifiedError, status_of};
use crate::verify::refuse;

/// The fairing's guard, in managed state (a type of ours, so that an app's own managed
/// `ReplayGuard` is not taken for it).
pub(crate) struct Armed(pub ReplayGuard);

/// The ticket of the request being handled, for the fairing's `on_response`.
struct Pending(Mutex<Option<Ticket>>);

/// The guard's refusal of the request, for the fairing's `on_response`.
struct Refused(Option<Refusal>);

/// Whether the fairing carries a guard (the sentinels of `ReplayGuarded` routes ask).
pub(crate) fn armed(rocket: &Rocket<Ignite>) -> bool {
    rocket.state::<Armed>().is_some()
}

/// Asks the fairing's guard about a request that passed verification with `body`. `Ok`:
/// the handler may run (the ticket waits for its status in the request-local cache);
/// `Err`: the guard error to fail with (the fairing writes the answer).
pub(crate) async fn admit<'r>(
    req: &'r Request<'_>,
    config: &Config,
    policy: RoutePolicy,
    body: &[u8],
    verified: &Verified,
) -> Result<(), (Status, VerifiedError<'r>)> {
    let Some(Armed(guard)) = req.rocket().state::<Armed>() else {
        // The sentinel keeps such a rocket from launching; fail closed anyway.
        log::error!(
            "twilio-auth replay: a route asks for replay protection, but the TwilioAuth \
             fairing has no guard; request refused"
        );
        return Err(refused(req, unavailable()));
    };
    let headers = req.headers();
    let facts = RequestFacts {
        method: req.method().as_str(),
        signature: headers.get_one("x-twilio-signature"),
        query: req.uri().query().map(|query| query.as_str()),
        content_type: headers.get_one("content-type"),
        body,
        verified,
        idempotency_token: headers.get_one("i-twilio-idempotency-token"),
    };
    match guard.admit(&facts).await {
        Admission::Proceed(ticket) => {
            req.local_cache(|| Pending(Mutex::new(Some(ticket))));
            Ok(())
        }
        Admission::Refuse(refusal) => match refusal.login_rejection(config, policy) {
            Some(rejection) => {
                let rejection = refuse(req, rejection);
                Err((status_of(&rejection), rejection.into()))
            }
            None => Err(refused(req, refusal)),
        },
    }
}

/// What a store fault answers (fail closed).
fn unavailable() -> Refusal {
    Refusal {
        reason: RefusalReason::StoreUnavailable,
        status: 503,
        body: "Service unavailable\n",
    }
}

/// Records `refusal` for the fairing; the guard error to fail with.
fn refused<'r>(req: &Request<'_>, refusal: Refusal) -> (Status, VerifiedError<'r>) {
    req.local_cache(|| Refused(Some(refusal)));
    (Status::new(refusal.status), VerifiedError::Replay(refusal))
}

/// The fairing's part, once the response is final: the ticket of a request the guard let
/// through is finished with its status (2xx: done; else released for Twilio's retry), and
/// the response to a refused one becomes the refusal's status and short body.
pub(crate) async fn on_response<'r>(req: &'r Request<'_>, res: &mut Response<'r>) {
    let ticket = req
        .local_cache(|| Pending(Mutex::new(None)))
        .0
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take();
    if let Some(ticket) = ticket {
        ticket.finish(res.status().code).await;
    }
    let Some(refusal) = req.local_cache(|| Refused(None)).0 else {
        return;
    };
    // Only the response to the refusal (a handler that took `Option<Verified<…>>` and
    // answered anyway keeps its own).
    if res.status().code != refusal.status {
        return;
    }
    res.set_header(ContentType::Plain);
    res.set_sized_body(refusal.body.len(), Cursor::new(refusal.body));
}
