//! The warp adapter through warp itself: `#[twilio_signed]` routes, the building-block
//! filters with `seal` and `recover`, HTTP Basic/Digest exchanges, and — the reason refusals
//! are replies — a forged request next to an unprotected route that matches the same path.

use bytes::Bytes;
use serde::Deserialize;
use twilio_auth_core::http_auth::{
    Credentials, DigestAlgorithm, DigestResponseInput, HttpAuthConfig, digest_response,
    parse_authorization,
};
use twilio_auth_core::policy::HttpAuth;
use twilio_auth_core::{Config, RoutePolicy, Signer, form};
use twilio_auth_warp::{Form, Json, Query, VerifiedRequest, twilio_signed};
use warp::Filter;
use warp::http::StatusCode;

const TOKEN: &str = "12345";
const BASE: &str = "https://example.com";
const CALL: &[(&str, &str)] = &[("CallSid", "CA1"), ("From", "+14155550100")];
const FORM: &str = "application/x-www-form-urlencoded";

fn config() -> Config {
    let http_auth = HttpAuthConfig::builder("twilio")
        .credential("twilio", "s3cret-pass")
        .build()
        .unwrap();
    Config::builder()
        .auth_token(TOKEN)
        .public_base_url(BASE)
        .body_limit(1024)
        .http_auth(http_auth)
        .build()
        .unwrap()
}

#[derive(Debug, Deserialize)]
struct IncomingCall {
    #[serde(rename = "CallSid")]
    call_sid: String,
}

#[twilio_signed(post, path = "voice", crate = "twilio_auth_warp")]
async fn voice(Form(call): Form<IncomingCall>) -> String {
    format!("protected {}", call.call_sid)
}

#[twilio_signed(get, path = "status", crate = "twilio_auth_warp")]
async fn status(Query(query): Query<Vec<(String, String)>>, verified: VerifiedRequest) -> String {
    format!("{} parameters, {}", query.len(), verified.path_and_query())
}

#[twilio_signed(post, path = "events", crate = "twilio_auth_warp")]
async fn events(Json(event): Json<serde_json::Value>) -> warp::reply::Json {
    warp::reply::json(&event["type"])
}

#[twilio_signed(
    post,
    path = "basic/voice",
    http_auth = "basic",
    crate = "twilio_auth_warp"
)]
async fn basic_voice(body: Bytes) -> String {
    format!("{} bytes", body.len())
}

#[twilio_signed(
    post,
    path = "digest/voice",
    http_auth = "digest",
    crate = "twilio_auth_warp"
)]
async fn digest_voice(verified: twilio_auth_core::Verified) -> String {
    format!("hello {}", verified.user.unwrap_or_default())
}

/// A signed form POST to `target`, signed over `signed_target`.
fn form_post(
    target: &str,
    signed_target: &str,
    params: &[(&str, &str)],
) -> warp::test::RequestBuilder {
    let signature = Signer::new(TOKEN).sign_form(&format!("{BASE}{signed_target}"), CALL);
    warp::test::request()
        .method("POST")
        .path(target)
        .header("content-type", FORM)
        .header("x-twilio-signature", signature)
        .body(form::encode(params))
}

fn body(response: &warp::http::Response<Bytes>) -> &str {
    std::str::from_utf8(response.body()).unwrap()
}

#[tokio::test]
async fn macro_route_verifies_then_calls_the_handler() {
    let route = voice_filter(config());
    let genuine = form_post("/voice", "/voice", CALL).reply(&route).await;
    assert_eq!(genuine.status(), StatusCode::OK);
    assert_eq!(body(&genuine), "protected CA1");

    let tampered = form_post(
        "/voice",
        "/voice",
        &[("CallSid", "CA2"), ("From", "+14155550100")],
    )
    .reply(&route)
    .await;
    assert_eq!(tampered.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        tampered.headers()["content-type"],
        "text/plain; charset=utf-8"
    );

    let unsigned = warp::test::request()
        .method("POST")
        .path("/voice")
        .header("content-type", FORM)
        .body(form::encode(CALL))
        .reply(&route)
        .await;
    assert_eq!(unsigned.status(), StatusCode::FORBIDDEN);

    // Another method or path is a rejection, as warp expects: the next route is tried.
    let get = warp::test::request().path("/voice");
    assert!(!get.matches(&route).await);
    assert!(
        !form_post("/voice/more", "/voice/more", CALL)
            .matches(&route)
            .await
    );
}

#[tokio::test]
async fn unknown_path_is_404_and_wrong_method_is_405() {
    // The routes the attribute builds match the path before the method: warp ranks a 405
    // above a 404, so a method checked first would answer every unknown path with 405.
    let routes = voice_filter(config())
        .or(status_filter(config()))
        .or(digest_voice_filter(config()));
    let unknown = warp::test::request()
        .method("POST")
        .path("/nowhere")
        .reply(&routes)
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown = warp::test::request().path("/nowhere").reply(&routes).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    // Under a known path, one segment too many is still an unknown path.
    let deeper = form_post("/voice/more", "/voice/more", CALL)
        .reply(&routes)
        .await;
    assert_eq!(deeper.status(), StatusCode::NOT_FOUND);

    let wrong_method = warp::test::request().path("/voice").reply(&routes).await;
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    let wrong_method = form_post("/status", "/status", CALL).reply(&routes).await;
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    // The right method still reaches the route.
    let genuine = form_post("/voice", "/voice", CALL).reply(&routes).await;
    assert_eq!(body(&genuine), "protected CA1");
}

#[tokio::test]
async fn a_refused_request_never_falls_through_to_a_sibling_route() {
    let unprotected = || warp::post().and(warp::path!("voice")).map(|| "UNPROTECTED");
    let forged = || {
        let signature = Signer::new("not-the-token").sign_form(&format!("{BASE}/voice"), CALL);
        warp::test::request()
            .method("POST")
            .path("/voice")
            .header("content-type", FORM)
            .header("x-twilio-signature", signature)
            .body(form::encode(CALL))
    };

    // The attribute's route answers the forged request itself.
    let routes = voice_filter(config()).or(unprotected());
    let response = forged().reply(&routes).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!body(&response).contains("UNPROTECTED"));
    let response = form_post("/voice", "/voice", CALL).reply(&routes).await;
    assert_eq!(body(&response), "protected CA1");

    // So does a building-block route wrapped in `seal`.
    let sealed = twilio_auth_warp::seal(
        warp::post()
            .and(warp::path!("voice"))
            .and(twilio_auth_warp::form::<IncomingCall>(config()))
            .map(|call: IncomingCall| format!("protected {}", call.call_sid)),
    );
    let routes = sealed.or(unprotected());
    let response = forged().reply(&routes).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!body(&response).contains("UNPROTECTED"));
    let response = form_post("/voice", "/voice", CALL).reply(&routes).await;
    assert_eq!(body(&response), "protected CA1");

    // What `seal` prevents: left a rejection, the refusal lets warp try the sibling, which
    // serves the forged request. (A recover on the whole app comes too late.)
    let unsealed = warp::post()
        .and(warp::path!("voice"))
        .and(twilio_auth_warp::form::<IncomingCall>(config()))
        .map(|call: IncomingCall| format!("protected {}", call.call_sid));
    let routes = unsealed
        .or(unprotected())
        .recover(twilio_auth_warp::recover);
    let response = forged().reply(&routes).await;
    assert_eq!(body(&response), "UNPROTECTED");
}

#[tokio::test]
async fn recover_answers_refusals_and_passes_other_rejections_on() {
    let routes = warp::post()
        .and(warp::path!("raw"))
        .and(twilio_auth_warp::bytes(config()))
        .map(|body: Bytes| format!("{} bytes", body.len()))
        .recover(twilio_auth_warp::recover);
    // Without `recover`, warp would answer this custom rejection with a 500.
    let unsigned = warp::test::request()
        .method("POST")
        .path("/raw")
        .body("x")
        .reply(&routes)
        .await;
    assert_eq!(unsigned.status(), StatusCode::FORBIDDEN);
    let elsewhere = warp::test::request()
        .method("POST")
        .path("/elsewhere")
        .reply(&routes)
        .await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn query_json_prefix_and_limits() {
    // GET: the raw query is part of the URL, byte for byte; an empty query is not refused.
    let route = status_filter(config());
    let target = "/status?CallSid=CA1&Note=O'Brien%20x+y";
    let signature = Signer::new(TOKEN).sign_url(&format!("{BASE}{target}"));
    let response = warp::test::request()
        .path(target)
        .header("x-twilio-signature", signature)
        .reply(&route)
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{}", body(&response));
    assert_eq!(body(&response), format!("2 parameters, {target}"));
    let signature = Signer::new(TOKEN).sign_url(&format!("{BASE}/status"));
    let response = warp::test::request()
        .path("/status")
        .header("x-twilio-signature", &signature)
        .reply(&route)
        .await;
    assert_eq!(body(&response), "0 parameters, /status");
    // `/status?` is not `/status`: the `?` is part of what was signed.
    let response = warp::test::request()
        .path("/status?")
        .header("x-twilio-signature", &signature)
        .reply(&route)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // JSON with bodySHA256.
    let route = events_filter(config());
    let event = br#"{"type":"call.completed"}"#;
    let signed = Signer::new(TOKEN).sign_body(&format!("{BASE}/events"), event);
    let target = signed.url.strip_prefix(BASE).unwrap().to_owned();
    let json = |body: &'static [u8]| {
        warp::test::request()
            .method("POST")
            .path(&target)
            .header("content-type", "application/json")
            .header("x-twilio-signature", &signed.signature)
            .body(body)
    };
    let response = json(event).reply(&route).await;
    assert_eq!(body(&response), r#""call.completed""#);
    let response = json(br#"{"type":"call.failed"}"#).reply(&route).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Under a prefix, the prefix is part of the URL.
    let route = warp::path("api").and(voice_filter(config()));
    let response = form_post("/api/voice", "/api/voice", CALL)
        .reply(&route)
        .await;
    assert_eq!(body(&response), "protected CA1");
    let response = form_post("/api/voice", "/voice", CALL).reply(&route).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // Over the limit: 413, announced or not.
    let big = [("CallSid", "CA1"), ("Filler", &"x".repeat(2000)[..])];
    let response = form_post("/voice", "/voice", &big)
        .reply(&voice_filter(config()))
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // A genuine request whose form is not what the handler takes: 400.
    let signature = Signer::new(TOKEN).sign_form(&format!("{BASE}/voice"), &[("From", "+1")]);
    let response = warp::test::request()
        .method("POST")
        .path("/voice")
        .header("content-type", FORM)
        .header("x-twilio-signature", signature)
        .body("From=%2B1")
        .reply(&voice_filter(config()))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn basic_authentication_then_signature() {
    let route = basic_voice_filter(config());
    let request = |authorization: Option<&str>, token: &str| {
        let signature = Signer::new(token).sign_form(&format!("{BASE}/basic/voice"), CALL);
        let mut request = warp::test::request()
            .method("POST")
            .path("/basic/voice")
            .header("content-type", FORM)
            .header("x-twilio-signature", signature)
            .body(form::encode(CALL));
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        request
    };
    let first = request(None, TOKEN).reply(&route).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let challenge = first.headers()["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with("Basic realm=\"twilio\""),
        "{challenge}"
    );

    let retry = request(Some("Basic dHdpbGlvOnMzY3JldC1wYXNz"), TOKEN)
        .reply(&route)
        .await;
    assert_eq!(retry.status(), StatusCode::OK);
    let wrong = request(Some("Basic dHdpbGlvOndyb25nLXBhc3M="), TOKEN)
        .reply(&route)
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().contains_key("www-authenticate"));
    let forged = request(Some("Basic dHdpbGlvOnMzY3JldC1wYXNz"), "not-the-token")
        .reply(&route)
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // The same through the building blocks.
    let basic = RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic);
    let route = twilio_auth_warp::seal(
        warp::post()
            .and(warp::path!("basic" / "voice"))
            .and(twilio_auth_warp::form_with::<IncomingCall>(config(), basic))
            .map(|call: IncomingCall| call.call_sid),
    );
    assert_eq!(request(None, TOKEN).reply(&route).await.status(), 401);
    let retry = request(Some("Basic dHdpbGlvOnMzY3JldC1wYXNz"), TOKEN)
        .reply(&route)
        .await;
    assert_eq!(body(&retry), "CA1");
}

#[tokio::test]
async fn digest_authentication_then_signature() {
    let route = digest_voice_filter(config());
    let target = "/digest/voice";
    let request = |authorization: Option<String>, token: &str| {
        let signature = Signer::new(token).sign_form(&format!("{BASE}{target}"), CALL);
        let mut request = warp::test::request()
            .method("POST")
            .path(target)
            .header("content-type", FORM)
            .header("x-twilio-signature", signature)
            .body(form::encode(CALL));
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        request
    };
    let first = request(None, TOKEN).reply(&route).await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let challenges: Vec<String> = first
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        challenges.iter().all(|c| c.starts_with("Digest ")),
        "{challenges:?}"
    );
    let md5 = challenges
        .iter()
        .find(|c| c.contains("algorithm=MD5"))
        .expect("an MD5 challenge");

    let answer = |password: &str| {
        let Ok(Credentials::Digest(params)) = parse_authorization(md5) else {
            panic!("not a Digest challenge: {md5}");
        };
        let (realm, nonce, opaque) = (
            params.get("realm").unwrap(),
            params.get("nonce").unwrap(),
            params.get("opaque").unwrap(),
        );
        let response = digest_response(
            DigestAlgorithm::Md5,
            &DigestResponseInput {
                username: "twilio",
                realm,
                password,
                method: "POST",
                uri: target,
                nonce,
                nc: "00000001",
                cnonce: "0a4f113b",
                qop: "auth",
            },
        );
        format!(
            "Digest username=\"twilio\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{target}\", \
             qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"{response}\", \
             opaque=\"{opaque}\", algorithm=MD5"
        )
    };
    let retry = request(Some(answer("s3cret-pass")), TOKEN)
        .reply(&route)
        .await;
    assert_eq!(retry.status(), StatusCode::OK, "{}", body(&retry));
    assert_eq!(body(&retry), "hello twilio");
    let wrong = request(Some(answer("wrong-pass")), TOKEN)
        .reply(&route)
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let forged = request(Some(answer("s3cret-pass")), "not-the-token")
        .reply(&route)
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

/// Over a real socket: a chunked body (no `Content-Length`) that passes the limit and then
/// stops short of its end gets its 413 at once.
#[tokio::test]
async fn chunked_body_over_the_limit_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(warp::serve(voice_filter(config())).incoming(listener).run());

    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /voice HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {FORM}\r\n\
         X-Twilio-Signature: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("100\r\n{}\r\n", "x".repeat(256));
    for _ in 0..8 {
        stream.write_all(chunk.as_bytes()).await.unwrap();
    }
    // No final chunk: a server waiting for the end of the body would never answer.
    let mut response = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    response.extend_from_slice(&buf[..n]);
                    if response.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer before the body ended");
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    server.abort();
}
