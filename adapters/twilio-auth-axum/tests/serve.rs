//! The adapter over real HTTP: an `axum::serve` on `127.0.0.1:0`, requests signed with the
//! core's `Signer` and sent with a real client.

use std::collections::HashMap;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRef, Query, State};
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use tower::ServiceExt;
use twilio_auth_axum::{TwilioAuthLayer, TwilioSignature, Verified, twilio_signed};
use twilio_auth_core::{Config, RejectionReason, Signer, form};

const TOKEN: &str = "12345";
const FORM: &str = "application/x-www-form-urlencoded";

/// A server on a free port, and the base URL it answers on.
struct Server {
    base: String,
    client: reqwest::Client,
}

impl Server {
    /// Serves the router that `app` builds from a configuration whose public base URL is
    /// the server's own address.
    async fn start(app: impl FnOnce(Config) -> Router) -> Server {
        Self::start_with(|builder| builder, app).await
    }

    async fn start_with(
        configure: impl FnOnce(twilio_auth_core::ConfigBuilder) -> twilio_auth_core::ConfigBuilder,
        app: impl FnOnce(Config) -> Router,
    ) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = configure(Config::builder().auth_token(TOKEN).public_base_url(&base))
            .build()
            .unwrap();
        let app = app(config);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server {
            base,
            client: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs `params` as a form to `path`, signed for `signed_path` (the same, unless the
    /// test forges it).
    async fn post_form(
        &self,
        path: &str,
        signed_path: &str,
        params: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let signature = Signer::new(TOKEN).sign_form(&self.url(signed_path), params);
        let response = self
            .client
            .post(self.url(path))
            .header("Content-Type", FORM)
            .header("X-Twilio-Signature", signature)
            .body(form::encode(params))
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// POSTs a raw form `body` to `path` with `signature` (or none).
    async fn post_raw(
        &self,
        path: &str,
        signature: Option<&str>,
        body: &'static str,
    ) -> (StatusCode, String) {
        let mut request = self
            .client
            .post(self.url(path))
            .header("Content-Type", FORM)
            .body(body);
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        let response = request.send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    async fn get(&self, path: &str, signature: &str) -> (StatusCode, String) {
        let response = self
            .client
            .get(self.url(path))
            .header("X-Twilio-Signature", signature)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }
}

const CALL: &[(&str, &str)] = &[("CallSid", "CA123"), ("From", "+14155550100")];

async fn voice(Verified(Form(call)): Verified<Form<HashMap<String, String>>>) -> String {
    format!("hello {}", call["CallSid"])
}

#[tokio::test]
async fn signed_form_is_accepted_and_forged_is_403() {
    let server = Server::start(|config| {
        Router::new()
            .route("/voice", post(voice))
            .with_state(config)
    })
    .await;
    assert_eq!(
        server.post_form("/voice", "/voice", CALL).await,
        (StatusCode::OK, "hello CA123".to_owned())
    );

    // Signed for another URL: the handler never runs.
    let (status, body) = server.post_form("/voice", "/other", CALL).await;
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::FORBIDDEN,
            "Forbidden: invalid Twilio signature\n"
        )
    );

    // A tampered parameter.
    let signature = Signer::new(TOKEN).sign_form(&server.url("/voice"), CALL);
    let response = server
        .client
        .post(server.url("/voice"))
        .header("Content-Type", FORM)
        .header("X-Twilio-Signature", signature)
        .body(form::encode(&[
            ("CallSid", "CA999"),
            ("From", "+14155550100"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );

    // No signature at all, and garbage: both refused by the verifier, each for its reason
    // (the one the adapter logs).
    for (signature, reason) in [
        (None, RejectionReason::MissingSignature),
        (Some("not base64!"), RejectionReason::MalformedSignature),
    ] {
        let logged = refusals::logged_since_now();
        let (status, body) = server.post_raw("/voice", signature, "CallSid=CA1").await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::FORBIDDEN,
                "Forbidden: invalid Twilio signature\n"
            ),
            "{reason:?}"
        );
        assert!(
            logged()
                .iter()
                .any(|line| line.contains(&reason.to_string())),
            "{signature:?}: no refusal logged for {reason:?}: {:?}",
            logged()
        );
    }
    let (status, _) = server.get("/voice", "not base64!").await;
    assert_eq!(
        status,
        StatusCode::METHOD_NOT_ALLOWED,
        "routing still comes first"
    );
}

/// The message of every event the adapter logs (a refusal's names its reason once),
/// captured by a minimal global `tracing` subscriber (the tests of this file run in
/// parallel: look for a reason, not a count).
mod refusals {
    use std::fmt;
    use std::sync::{Mutex, Once};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    static REASONS: Mutex<Vec<String>> = Mutex::new(Vec::new());

    struct Capture;

    struct Reason(Option<String>);

    impl Visit for Reason {
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            if field.name() == "message" {
                self.0 = Some(format!("{value:?}"));
            }
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut reason = Reason(None);
            event.record(&mut reason);
            if let Some(reason) = reason.0 {
                REASONS.lock().unwrap().push(reason);
            }
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    /// Installs the subscriber (once) and returns what is logged from now on.
    pub fn logged_since_now() -> impl Fn() -> Vec<String> {
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            tracing::subscriber::set_global_default(Capture).expect("no other subscriber");
        });
        let from = REASONS.lock().unwrap().len();
        move || REASONS.lock().unwrap()[from..].to_vec()
    }
}

#[tokio::test]
async fn nest_prefix_is_part_of_the_signed_url() {
    let server = Server::start(|config| {
        Router::new()
            .nest("/api", Router::new().route("/voice", post(voice)))
            .with_state(config)
    })
    .await;
    assert_eq!(
        server.post_form("/api/voice", "/api/voice", CALL).await.0,
        StatusCode::OK
    );
    assert_eq!(
        server.post_form("/api/voice", "/voice", CALL).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn body_over_the_limit_is_413() {
    let server = Server::start_with(
        |builder| builder.body_limit(64),
        |config| {
            Router::new()
                .route("/voice", post(voice))
                .with_state(config)
        },
    )
    .await;
    let big = "x".repeat(100);
    let (status, body) = server
        .post_form("/voice", "/voice", &[("Body", &big)])
        .await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large\n")
    );
    assert_eq!(
        server.post_form("/voice", "/voice", CALL).await.0,
        StatusCode::OK
    );
}

/// A body without `Content-Length`, sent in chunks, as a client streaming it would.
struct Chunked(Vec<Bytes>);

impl http_body::Body for Chunked {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.0.is_empty() {
            Poll::Ready(None)
        } else {
            Poll::Ready(Some(Ok(http_body::Frame::data(self.0.remove(0)))))
        }
    }
}

fn chunked_request(uri: &str, chunks: usize) -> Request<Body> {
    Request::post(uri)
        .header("Host", "example.com")
        .header("Content-Type", FORM)
        .header("X-Twilio-Signature", "unchecked")
        .body(Body::new(Chunked(vec![
            Bytes::from_static(&[b'x'; 32]);
            chunks
        ])))
        .unwrap()
}

#[tokio::test]
async fn streamed_body_over_the_limit_is_413_without_content_length() {
    let config = Config::builder()
        .auth_token(TOKEN)
        .body_limit(64)
        .build()
        .unwrap();
    let app = Router::new()
        .route("/voice", post(voice))
        .with_state(config.clone());
    let response = app
        .clone()
        .oneshot(chunked_request("/voice", 3))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Within the limit, the signature is what fails.
    let response = app.oneshot(chunked_request("/voice", 2)).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let layered = Router::new()
        .route("/voice", post(|| async { "reached" }))
        .layer(TwilioAuthLayer::new(config));
    let response = layered.oneshot(chunked_request("/voice", 3)).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn axum_default_body_limit_still_applies() {
    let server = Server::start(|config| {
        Router::new()
            .route("/voice", post(voice))
            .layer(DefaultBodyLimit::max(16))
            .with_state(config)
    })
    .await;
    // axum's own answer, word for word.
    assert_eq!(
        server.post_form("/voice", "/voice", CALL).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "Failed to buffer the request body: length limit exceeded".to_owned()
        )
    );
}

#[tokio::test]
async fn layer_protects_a_router_and_keeps_the_body() {
    let server = Server::start(|config| {
        Router::new()
            .route(
                "/voice",
                post(|Form(call): Form<HashMap<String, String>>| async move {
                    format!("hello {}", call["CallSid"])
                }),
            )
            .layer(TwilioAuthLayer::new(config))
    })
    .await;
    assert_eq!(
        server.post_form("/voice", "/voice", CALL).await,
        (StatusCode::OK, "hello CA123".to_owned())
    );
    assert_eq!(
        server.post_form("/voice", "/forged", CALL).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn get_guard_and_query_verify_the_query_string() {
    async fn ping(_: TwilioSignature) -> &'static str {
        "pong"
    }
    async fn status(Verified(Query(q)): Verified<Query<HashMap<String, String>>>) -> String {
        q["CallStatus"].clone()
    }
    let server = Server::start(|config| {
        Router::new()
            .route("/ping", get(ping))
            .route("/status", get(status))
            .with_state(config)
    })
    .await;
    let signer = Signer::new(TOKEN);
    for path in [
        "/ping?CallSid=CA1",
        "/status?CallSid=CA1&CallStatus=completed",
    ] {
        let (status, _) = server.get(path, &signer.sign_url(&server.url(path))).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    assert_eq!(
        server
            .get(
                "/status?CallSid=CA1&CallStatus=completed",
                &signer.sign_url(&server.url("/status?CallSid=CA1&CallStatus=completed"))
            )
            .await
            .1,
        "completed"
    );
    let forged = signer.sign_url(&server.url("/ping?CallSid=CA1"));
    assert_eq!(
        server.get("/ping?CallSid=CA2", &forged).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(server.get("/ping", "").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn json_is_verified_by_body_hash_and_extractor_errors_pass_through() {
    async fn events(Verified(Json(event)): Verified<Json<serde_json::Value>>) -> String {
        event["type"].as_str().unwrap_or_default().to_owned()
    }
    let server = Server::start(|config| {
        Router::new()
            .route("/events", post(events))
            .with_state(config)
    })
    .await;
    let send = |body: &'static str, signed_body: &'static str| {
        let signed = Signer::new(TOKEN).sign_body(&server.url("/events"), signed_body.as_bytes());
        let request = server
            .client
            .post(signed.url)
            .header("Content-Type", "application/json")
            .header("X-Twilio-Signature", signed.signature)
            .body(body);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    assert_eq!(
        send(r#"{"type":"call"}"#, r#"{"type":"call"}"#).await,
        (StatusCode::OK, "call".to_owned())
    );
    assert_eq!(
        send(r#"{"type":"sms"}"#, r#"{"type":"call"}"#).await.0,
        StatusCode::FORBIDDEN
    );
    // Genuine but not JSON: `Json`'s own rejection, not a 403 and never a 500.
    assert_eq!(
        send("not json", "not json").await.0,
        StatusCode::BAD_REQUEST
    );
}

#[derive(Clone, FromRef)]
struct AppState {
    twilio: Config,
    greeting: &'static str,
}

#[twilio_signed(state = AppState, crate = "twilio_auth_axum")]
async fn greet(
    State(greeting): State<&'static str>,
    Form(call): Form<HashMap<String, String>>,
) -> String {
    format!("{greeting} {}", call["CallSid"])
}

#[twilio_signed(crate = "twilio_auth_axum")]
async fn ping() -> &'static str {
    "pong"
}

#[tokio::test]
async fn macro_handlers_are_verified() {
    let server = Server::start(|config| {
        Router::new()
            .route("/greet", post(greet))
            .route("/ping", get(ping))
            .with_state(AppState {
                twilio: config,
                greeting: "hi",
            })
    })
    .await;
    assert_eq!(
        server.post_form("/greet", "/greet", CALL).await,
        (StatusCode::OK, "hi CA123".to_owned())
    );
    assert_eq!(
        server.post_form("/greet", "/forged", CALL).await.0,
        StatusCode::FORBIDDEN
    );
    let signature = Signer::new(TOKEN).sign_url(&server.url("/ping"));
    assert_eq!(
        server.get("/ping", &signature).await,
        (StatusCode::OK, "pong".to_owned())
    );
    assert_eq!(server.get("/ping", "AAAA").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn layer_inside_a_nested_router_checks_the_url_with_its_prefix() {
    let server = Server::start(|config| {
        let api = Router::new()
            .route("/voice", post(|| async { "nested" }))
            .layer(TwilioAuthLayer::new(config));
        Router::new().nest("/api", api)
    })
    .await;
    assert_eq!(
        server.post_form("/api/voice", "/api/voice", CALL).await,
        (StatusCode::OK, "nested".to_owned())
    );
    // Signed for the path the nested router sees after stripping: not what Twilio called.
    assert_eq!(
        server.post_form("/api/voice", "/voice", CALL).await.0,
        StatusCode::FORBIDDEN
    );
}
