//! `TwilioAuth`: the fairing that installs the configuration as managed state and turns a
//! guard's refusal into the response SPEC §5 asks for (status, short text, `WWW-Authenticate`
//! challenges). Guards cannot do the latter themselves: Rocket gives a failed guard's
//! catcher only the status.

use std::io::Cursor;

use rocket::catcher::{self, Catcher};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::{ContentType, Status};
use rocket::{Build, Data, Ignite, Request, Response, Rocket};
use twilio_auth_core::Config;
use twilio_auth_core::resolver::KeyResolver;

use crate::key_store::KeyStore;
use crate::policy::RocketPolicy;
use crate::verified::status_of;
use crate::verify::{BodyPresent, announces_body, recorded};

/// The fairing every app with `#[twilio_signed]` routes attaches, once:
///
/// - it manages the [`Config`] (handlers may take it as `&State<twilio_auth::Config>`), and
///   logs its [summary](Config::summary) at ignition (`INFO`, once per configuration);
/// - it notes whether each request carries a body, so that
///   [`TwilioSignature`](crate::TwilioSignature), which cannot read it, refuses a body it
///   did not verify;
/// - on a refused request, it answers with the rejection's status (400, 401, 403 or 413),
///   a short `text/plain` body that gives nothing away, and, for a 401, one
///   `WWW-Authenticate` header per challenge — whatever catcher Rocket ran for that status;
///   for the statuses 400, 401, 403 and 413 (and, with a replay guard, 409 and 503; with
///   a [key resolver](Self::key_resolver), 503) that the app has no catcher for at `/`, it
///   registers one named `twilio-auth` that answers as Rocket's default does (so Rocket
///   does not report a missing catcher on each refusal). Catchers the app registers on the
///   builder are seen; one that another fairing registers at `/` for these statuses after
///   this one ignited would collide with it.
///
/// A mounted route that uses [`Verified`](crate::Verified) or
/// [`TwilioSignature`](crate::TwilioSignature) without this fairing stops the launch (the
/// guards are [sentinels](rocket::Sentinel)). A route that requires HTTP authentication
/// when the configuration has no credentials is reported at launch, and answers `401`.
///
/// ```no_run
/// # use rocket::{get, routes};
/// use twilio_auth_rocket::{TwilioAuth, TwilioSignature};
///
/// #[get("/status")]
/// fn status(_signed: TwilioSignature) -> &'static str {
///     "ok"
/// }
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     let config = twilio_auth_core::Config::from_env().expect("TWILIO_AUTH_TOKEN is set");
///     rocket::build()
///         .attach(TwilioAuth::fairing(config))
///         .mount("/", routes![status])
/// }
/// ```
#[derive(Debug, Clone)]
pub struct TwilioAuth {
    config: Config,
    key_store: Option<KeyStore>,
    #[cfg(feature = "replay")]
    replay: Option<twilio_auth_replay::ReplayGuard>,
}

/// Proof, in managed state, that the fairing is attached (the sentinels look for it).
pub(crate) struct Attached;

impl TwilioAuth {
    /// The fairing, with the configuration it manages.
    pub fn fairing(config: Config) -> TwilioAuth {
        TwilioAuth {
            config,
            key_store: None,
            #[cfg(feature = "replay")]
            replay: None,
        }
    }

    /// Keys from your own store: a request naming a sub-account (`AccountSid`) or a
    /// SharedKey id the configuration does not hold is verified with the key `resolver`
    /// answers ([`Config::key_request`], then [`Config::verify_with_key`]). Put a
    /// [`CachedResolver`](crate::CachedResolver) in front of your store: the guards
    /// ([`Verified`](crate::Verified), [`ReportOnly`](crate::ReportOnly),
    /// [`TwilioSignature`](crate::TwilioSignature)) ask it on every such request, and only
    /// once the request passed the route's HTTP authentication. A key the store does not
    /// know leaves the configured keys (the parent account's own requests still verify).
    /// A resolver error answers `503` with a short text body, logs an error naming the key
    /// asked for (never a secret) and counts it; the handler does not run.
    ///
    /// ```no_run
    /// use rocket::form::Form;
    /// use rocket::{post, routes};
    /// use std::collections::HashMap;
    /// use twilio_auth_core::{KeyLookup, ResolvedKey};
    /// use twilio_auth_rocket::{CachedResolver, KeyResolver, ResolveFuture, TwilioAuth, Verified};
    ///
    /// /// Sub-accounts' Auth Tokens, from your database.
    /// struct Accounts;
    ///
    /// impl KeyResolver for Accounts {
    ///     fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
    ///         Box::pin(async move {
    ///             Ok(match lookup {
    ///                 KeyLookup::Account(sid) if sid == "AC42" => {
    ///                     Some(ResolvedKey::account(sid, "token-of-AC42"))
    ///                 }
    ///                 _ => None,
    ///             })
    ///         })
    ///     }
    /// }
    ///
    /// #[post("/sms", data = "<sms>")]
    /// fn sms(sms: Verified<Form<HashMap<String, String>>>) -> String {
    ///     format!("{} parameters", sms.len())
    /// }
    ///
    /// #[rocket::launch]
    /// fn rocket() -> _ {
    ///     let config = twilio_auth_core::Config::from_env().expect("TWILIO_AUTH_TOKEN is set");
    ///     rocket::build()
    ///         .attach(TwilioAuth::fairing(config).key_resolver(CachedResolver::new(Accounts)))
    ///         .mount("/", routes![sms])
    /// }
    /// ```
    pub fn key_resolver(mut self, resolver: impl KeyResolver) -> TwilioAuth {
        self.key_store = Some(KeyStore(std::sync::Arc::new(resolver)));
        self
    }

    /// Adds replay protection (feature `replay`) to the routes that ask for it with the
    /// [`ReplayGuarded`](crate::policy::ReplayGuarded) policy (`Verified<Form<T>,
    /// ReplayGuarded>`); the other routes stay as they are. After verification succeeded
    /// and before the handler runs, `guard` decides: a duplicate of a request that
    /// completed gets `200` with an empty body (the guard's
    /// [`duplicate_status`](twilio_auth_replay::ReplayGuard::duplicate_status)), one still
    /// in flight `409`, a replayed Digest `Authorization` `401` with fresh challenges, a
    /// store fault `503` (fail closed); the handler does not run. Once the response is
    /// final, its status is recorded (2xx: done; anything else: released, so that
    /// Twilio's retry is processed). A handler that never answers leaves the key in flight
    /// until the guard's lease ends. A `ReplayGuarded` route without a guard here stops the
    /// launch. Requests a [`ReportOnly`](crate::ReportOnly) route lets through unverified
    /// are not guarded: nothing signed identifies them.
    ///
    /// ```no_run
    /// use rocket::form::Form;
    /// use rocket::{post, routes};
    /// use std::collections::HashMap;
    /// use twilio_auth_replay::ReplayGuard;
    /// use twilio_auth_rocket::policy::ReplayGuarded;
    /// use twilio_auth_rocket::{TwilioAuth, Verified};
    ///
    /// // Processed once, however often Twilio (or anyone) sends the same signed request.
    /// #[post("/voice", data = "<call>")]
    /// fn voice(call: Verified<Form<HashMap<String, String>>, ReplayGuarded>) -> String {
    ///     format!("{} parameters", call.len())
    /// }
    ///
    /// #[rocket::launch]
    /// fn rocket() -> _ {
    ///     let config = twilio_auth_core::Config::from_env().expect("TWILIO_AUTH_TOKEN is set");
    ///     rocket::build()
    ///         .attach(TwilioAuth::fairing(config).replay(ReplayGuard::memory()))
    ///         .mount("/", routes![voice])
    /// }
    /// ```
    #[cfg(feature = "replay")]
    #[cfg_attr(docsrs, doc(cfg(feature = "replay")))]
    pub fn replay(mut self, guard: twilio_auth_replay::ReplayGuard) -> TwilioAuth {
        self.replay = Some(guard);
        self
    }
}

#[rocket::async_trait]
impl Fairing for TwilioAuth {
    fn info(&self) -> Info {
        Info {
            name: "twilio-auth",
            // Singleton: attached twice, the last one wins, instead of managing two configs.
            kind: Kind::Ignite | Kind::Request | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        if rocket.state::<Config>().is_some() {
            log::error!(
                "twilio-auth: a twilio_auth::Config is already managed; pass it to \
                 `TwilioAuth::fairing(config)` instead of `.manage(config)`"
            );
            return Err(rocket);
        }
        if let Some(summary) = self.config.summary_once() {
            log::info!("{summary}");
        }
        // Rocket's default answer under a name, for the statuses of a refusal that the app
        // has no catcher for: Rocket then does not report a missing catcher on every
        // refusal. (`on_response` writes the refusal's own answer over it.) With a replay
        // guard, also its refusals' `409` and `503`; with a key resolver, its `503`.
        let mut codes = vec![400, 401, 403, 413];
        #[cfg(feature = "replay")]
        if self.replay.is_some() {
            codes.extend([409, 503]);
        }
        if self.key_store.is_some() && !codes.contains(&503) {
            codes.push(503);
        }
        let uncaught: Vec<Catcher> = codes
            .into_iter()
            .filter(|&code| {
                !rocket
                    .catchers()
                    .any(|c| c.base.path() == "/" && c.code.is_none_or(|c| c == code))
            })
            .map(|code| {
                let mut catcher = Catcher::new(code, rocket_default);
                catcher.name = Some("twilio-auth".into());
                catcher
            })
            .collect();
        let rocket = rocket
            .register("/", uncaught)
            .manage(self.config.clone())
            .manage(Attached);
        let rocket = match &self.key_store {
            Some(store) => rocket.manage(store.clone()),
            None => rocket,
        };
        #[cfg(feature = "replay")]
        let rocket = match &self.replay {
            Some(guard) => rocket.manage(crate::replay::Armed(guard.clone())),
            None => rocket,
        };
        Ok(rocket)
    }

    async fn on_request(&self, req: &mut Request<'_>, data: &mut Data<'_>) {
        // The headers tell, except for an HTTP/2 request without `Content-Length`: then
        // one byte is peeked (it stays in `data` for the data guard).
        let present = announces_body(req.headers())
            || (!req.headers().contains("content-length") && !data.peek(1).await.is_empty());
        req.local_cache(|| BodyPresent(present));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        #[cfg(feature = "replay")]
        crate::replay::on_response(req, res).await;
        crate::key_store::on_response(req, res);
        let Some(rejection) = recorded(req) else {
            return;
        };
        // Only the response to the refusal: a handler that took `Option<Verified<…>>` and
        // answered anyway keeps its own response.
        let status = status_of(rejection);
        if res.status() != status {
            return;
        }
        let body = rejection.body();
        res.set_status(status);
        res.set_header(ContentType::Plain);
        res.set_sized_body(body.len(), Cursor::new(body));
        res.remove_header("WWW-Authenticate");
        for challenge in rejection.challenges() {
            res.adjoin_raw_header("WWW-Authenticate", challenge.clone());
        }
    }
}

/// Rocket's own answer for `status` (what it gives when no catcher is registered).
fn rocket_default<'r>(status: Status, req: &'r Request<'_>) -> catcher::BoxFuture<'r> {
    Box::pin(async move { Catcher::default().handler.handle(status, req).await })
}

/// The launch check shared by the guards' [`Sentinel`](rocket::Sentinel) implementations:
/// `true` (abort) when the fairing is missing, or when the route asks for replay
/// protection and the fairing has no guard. A route that requires HTTP authentication
/// when the configuration has no credentials launches (as with every adapter, it answers
/// `401` and logs why), but is reported now, once.
pub(crate) fn misconfigured<P: RocketPolicy>(rocket: &Rocket<Ignite>, guard: &str) -> bool {
    let config = match (rocket.state::<Attached>(), rocket.state::<Config>()) {
        (Some(Attached), Some(config)) => config,
        _ => {
            log::error!(
                "twilio-auth: a mounted route verifies Twilio webhooks ({guard}), but the \
                 TwilioAuth fairing is not attached: add \
                 `.attach(twilio_auth::rocket::TwilioAuth::fairing(config))`"
            );
            return true;
        }
    };
    #[cfg(feature = "replay")]
    if P::REPLAY && !crate::replay::armed(rocket) {
        log::error!(
            "twilio-auth: a mounted route asks for replay protection ({guard}), but the \
             TwilioAuth fairing has no guard: attach \
             `TwilioAuth::fairing(config).replay(guard)`"
        );
        return true;
    }
    let requirement = P::ROUTE.http_auth();
    if requirement.is_required() && config.http_auth().is_none() {
        log::error!(
            "twilio-auth: a mounted route requires HTTP {requirement:?} authentication \
             ({guard}), but the configuration has no credentials (set WEBHOOK_USER and \
             WEBHOOK_PASSWORD, or ConfigBuilder::http_auth): it will refuse every request \
             with 401"
        );
    }
    false
}
