//! Keys from your own store on Lambda: [`verify_with_resolver`] asks a
//! [`KeyResolver`](twilio_auth_core::resolver::KeyResolver) for the key a request names
//! when the configuration does not hold it (a sub-account's Auth Token, a SharedKey).

use lambda_http::http::StatusCode;
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, Request, Response};
use twilio_auth_core::resolver::KeyResolver;
use twilio_auth_core::{Config, RoutePolicy, Verified};

use crate::verify::{key_lookup, verify_resolved};

/// [`verify`](crate::verify), with the key `resolver` answers for a request that names a
/// sub-account (`AccountSid`) or a SharedKey id the configuration does not hold. Put a
/// [`CachedResolver`](twilio_auth_core::resolver::CachedResolver) in front of your store, in
/// a `static` or built once before `lambda_http::run`, so that a warm function keeps its
/// cache. The store is asked only once the request passed the route's HTTP authentication.
///
/// `Err` is the response to answer with: the refusal (403, 401, 413, 400) as [`verify`]
/// gives it, or `503` with a short body when the store failed (fail closed; the error is
/// logged with the key asked for, never a secret).
///
/// [`verify`]: crate::verify
///
/// ```no_run
/// use lambda_http::{Body, Error, Request, Response, service_fn};
/// use twilio_auth_core::resolver::{CachedResolver, KeyResolver, ResolveFuture};
/// use twilio_auth_core::{Config, KeyLookup, ResolvedKey, RoutePolicy};
///
/// struct Accounts; // a client of your secrets manager
///
/// impl KeyResolver for Accounts {
///     fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
///         Box::pin(async move {
///             Ok(match lookup {
///                 KeyLookup::Account(sid) if sid == "AC42" => {
///                     Some(ResolvedKey::account(sid, "sub-account-token"))
///                 }
///                 _ => None,
///             })
///         })
///     }
/// }
///
/// # async fn run() -> Result<(), Error> {
/// let config = Config::from_env()?;
/// let accounts = CachedResolver::new(Accounts);
/// lambda_http::run(service_fn(|mut req: Request| {
///     let (config, accounts) = (&config, &accounts);
///     async move {
///         let policy = RoutePolicy::Signature;
///         if let Err(refusal) =
///             twilio_auth_lambda::verify_with_resolver(config, accounts, &mut req, policy).await
///         {
///             return Ok::<_, Error>(refusal);
///         }
///         Ok(Response::new(Body::from("<Response/>")))
///     }
/// }))
/// .await
/// # }
/// ```
pub async fn verify_with_resolver(
    config: &Config,
    resolver: &dyn KeyResolver,
    req: &mut Request,
    policy: RoutePolicy,
) -> Result<Verified, Response<Body>> {
    let resolved = match key_lookup(config, req, policy) {
        Some(lookup) => match resolver.resolve(&lookup).await {
            Ok(key) => key,
            Err(error) => {
                tracing::error!(
                    status = 503,
                    "twilio-auth: refused a webhook: the key resolver failed for {lookup}: {error}"
                );
                twilio_auth_core::metrics::key_store_unavailable();
                let mut response =
                    Response::new(Body::from(twilio_auth_core::KEY_STORE_UNAVAILABLE_BODY));
                *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
                if let Ok(value) = "text/plain; charset=utf-8".parse() {
                    response.headers_mut().insert(CONTENT_TYPE, value);
                }
                return Err(response);
            }
        },
        None => None,
    };
    verify_resolved(config, req, policy, resolved.as_ref()).map_err(|r| r.into_response())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use twilio_auth_core::resolver::ResolveFuture;
    use twilio_auth_core::{KeyLookup, ResolvedKey, Signer};

    use super::*;

    /// Knows `AC42`; fails for `ACdown`; records the lookups.
    #[derive(Default)]
    struct Accounts(Mutex<Vec<KeyLookup>>);

    impl KeyResolver for Accounts {
        fn resolve<'a>(&'a self, lookup: &'a KeyLookup) -> ResolveFuture<'a> {
            self.0.lock().unwrap().push(lookup.clone());
            Box::pin(async move {
                match lookup {
                    KeyLookup::Account(sid) if sid == "AC42" => {
                        Ok(Some(ResolvedKey::account(sid, "token-of-42")))
                    }
                    KeyLookup::Account(sid) if sid == "ACdown" => Err("store down".into()),
                    _ => Ok(None),
                }
            })
        }
    }

    fn event(account: &str, token: &str) -> Request {
        let url = "https://abc.lambda-url.us-east-1.on.aws/sms";
        let params = [("AccountSid", account), ("Body", "hi")];
        let signature = Signer::new(token).sign_form(url, &params);
        let body = twilio_auth_core::form::encode(&params);
        let event = serde_json::json!({
            "version": "2.0", "routeKey": "$default", "rawPath": "/sms", "rawQueryString": "",
            "headers": {"host": "abc.lambda-url.us-east-1.on.aws",
                        "content-type": "application/x-www-form-urlencoded",
                        "x-twilio-signature": signature},
            "requestContext": {"domainName": "abc.lambda-url.us-east-1.on.aws", "stage": "$default",
              "http": {"method": "POST", "path": "/sms", "protocol": "HTTP/1.1",
                       "sourceIp": "54.172.60.1", "userAgent": "TwilioProxy/1.1"},
              "requestId": "r", "routeKey": "$default", "time": "01/Dec/2026:08:00:00 +0000",
              "timeEpoch": 1796112000000u64, "accountId": "anonymous", "apiId": "abc",
              "domainPrefix": "abc"},
            "body": body, "isBase64Encoded": false
        });
        lambda_http::request::from_str(&event.to_string()).unwrap()
    }

    fn status(account: &str, token: &str, accounts: &Accounts) -> u16 {
        let config = Config::builder().auth_token("parent").build().unwrap();
        let mut req = event(account, token);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        match runtime.block_on(verify_with_resolver(
            &config,
            accounts,
            &mut req,
            RoutePolicy::Signature,
        )) {
            Ok(_) => 200,
            Err(response) => response.status().as_u16(),
        }
    }

    #[test]
    fn the_store_gives_sub_account_keys_and_a_failing_store_is_503() {
        let accounts = Accounts::default();
        assert_eq!(status("AC42", "token-of-42", &accounts), 200);
        assert_eq!(status("AC42", "parent", &accounts), 403);
        assert_eq!(status("AC7", "token-of-42", &accounts), 403);
        assert_eq!(status("AC7", "parent", &accounts), 200); // unknown: the configured token
        assert_eq!(status("ACdown", "parent", &accounts), 503);
        assert_eq!(accounts.0.lock().unwrap().len(), 5);
    }
}
