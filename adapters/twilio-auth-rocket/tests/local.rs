//! The adapter through Rocket's local client: bodies, limits, the fairing's responses and
//! challenges, mount prefixes, and the sentinels that stop a misconfigured launch. (The
//! example app is also tested as a real server by the workspace's end-to-end suite.)

use rocket::config::LogLevel;
use rocket::form::{Form, FromForm};
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;
use rocket::serde::json::{Json, Value};
use rocket::{Build, Rocket, State, get, post, routes};
use twilio_auth_core::http_auth::HttpAuthConfig;
use twilio_auth_core::{Config, Signer, form};
use twilio_auth_rocket::{TwilioAuth, twilio_signed};

const TOKEN: &str = "12345";
const BASE: &str = "https://voice.example.com";

#[derive(FromForm)]
struct Call<'r> {
    #[field(name = "CallSid")]
    call_sid: &'r str,
    #[field(name = "Body", default = "")]
    body: &'r str,
}

#[twilio_signed(crate = "twilio_auth_rocket")]
#[post("/voice", data = "<call>")]
fn voice(call: Form<Call<'_>>) -> String {
    format!("{} {}", call.call_sid, call.body)
}

#[twilio_signed(crate = "twilio_auth_rocket")]
#[post("/maybe", data = "<call>")]
fn maybe(call: Option<Form<Call<'_>>>) -> &'static str {
    match call {
        Some(_) => "parsed",
        None => "not a call",
    }
}

#[twilio_signed(crate = "twilio_auth_rocket")]
#[post("/events", data = "<event>")]
async fn events(event: Json<Value>, config: &State<Config>) -> String {
    format!("{} within {}", event["type"], config.body_limit())
}

#[twilio_signed(crate = "twilio_auth_rocket")]
#[post("/raw", data = "<bytes>")]
fn raw(bytes: &[u8]) -> String {
    format!("{} bytes", bytes.len())
}

#[twilio_signed(crate = "twilio_auth_rocket")]
#[get("/status?<sid>")]
fn status(sid: &str) -> String {
    format!("status of {sid}")
}

#[twilio_signed(crate = "twilio_auth_rocket", http_auth = "basic")]
#[post("/basic", data = "<text>")]
fn basic(text: String) -> String {
    text
}

fn config() -> Config {
    let http_auth = HttpAuthConfig::builder("twilio")
        .credential("twilio", "s3cret-pass")
        .build()
        .unwrap();
    Config::builder()
        .auth_token(TOKEN)
        .public_base_url(BASE)
        .http_auth(http_auth)
        .build()
        .unwrap()
}

fn quiet() -> Rocket<Build> {
    rocket::custom(rocket::Config {
        log_level: LogLevel::Off,
        ..rocket::Config::debug_default()
    })
}

fn client() -> Client {
    let rocket = quiet()
        .attach(TwilioAuth::fairing(config()))
        .mount("/", routes![voice, maybe, events, raw, status, basic])
        .mount("/api", routes![voice]);
    Client::tracked(rocket).unwrap()
}

fn sign_form(path: &str, params: &[(&str, &str)]) -> String {
    Signer::new(TOKEN).sign_form(&format!("{BASE}{path}"), params)
}

const CALL: &[(&str, &str)] = &[("CallSid", "CA1"), ("Body", "hé llo+&")];

#[test]
fn a_signed_form_reaches_the_handler_and_borrows_from_the_request() {
    let client = client();
    for path in ["/voice", "/api/voice"] {
        let response = client
            .post(path)
            .header(ContentType::Form)
            .header(Header::new("X-Twilio-Signature", sign_form(path, CALL)))
            .body(form::encode(CALL))
            .dispatch();
        assert_eq!(response.status(), Status::Ok, "{path}");
        assert_eq!(response.into_string().unwrap(), "CA1 hé llo+&");
    }
}

#[test]
fn refusals_get_the_core_status_and_a_short_text_body() {
    let client = client();
    let tampered = client
        .post("/voice")
        .header(ContentType::Form)
        .header(Header::new("X-Twilio-Signature", sign_form("/voice", CALL)))
        .body("CallSid=CA2")
        .dispatch();
    assert_eq!(tampered.status(), Status::Forbidden);
    assert_eq!(tampered.content_type(), Some(ContentType::Plain));
    assert_eq!(
        tampered.into_string().unwrap(),
        "Forbidden: invalid Twilio signature\n"
    );

    // Signed without the prefix the route is mounted under.
    let unprefixed = client
        .post("/api/voice")
        .header(ContentType::Form)
        .header(Header::new("X-Twilio-Signature", sign_form("/voice", CALL)))
        .body(form::encode(CALL))
        .dispatch();
    assert_eq!(unprefixed.status(), Status::Forbidden);

    let unsigned = client.get("/status?sid=CA1").dispatch();
    assert_eq!(unsigned.status(), Status::Forbidden);
}

#[test]
fn get_routes_verify_the_query() {
    let client = client();
    let signature = Signer::new(TOKEN).sign_url(&format!("{BASE}/status?sid=CA%201"));
    let response = client
        .get("/status?sid=CA%201")
        .header(Header::new("X-Twilio-Signature", signature))
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().unwrap(), "status of CA 1");
}

#[test]
fn json_and_bytes_are_verified_with_the_body_hash() {
    let client = client();
    let body = r#"{"type":"call.completed"}"#;
    for (path, expected) in [
        ("/events", "\"call.completed\" within 1048576"),
        ("/raw", "25 bytes"),
    ] {
        let signed = Signer::new(TOKEN).sign_body(&format!("{BASE}{path}"), body.as_bytes());
        let target = signed.url.strip_prefix(BASE).unwrap().to_owned();
        let response = client
            .post(target.clone())
            .header(ContentType::JSON)
            .header(Header::new("X-Twilio-Signature", signed.signature.clone()))
            .body(body)
            .dispatch();
        assert_eq!(response.status(), Status::Ok, "{path}");
        assert_eq!(response.into_string().unwrap(), expected);

        let changed = client
            .post(target)
            .header(ContentType::JSON)
            .header(Header::new("X-Twilio-Signature", signed.signature))
            .body(body.replace("completed", "failed"))
            .dispatch();
        assert_eq!(changed.status(), Status::Forbidden, "{path}");
    }
}

#[test]
fn a_verified_body_that_does_not_parse_fails_like_rockets_own_guards() {
    let client = client();
    // Genuine, but not a call: 422 from `Form`, `None` from `Option<Form>`.
    let params = [("Other", "1")];
    for (path, status, body) in [
        ("/voice", Status::UnprocessableEntity, None),
        ("/maybe", Status::Ok, Some("not a call")),
    ] {
        let response = client
            .post(path)
            .header(ContentType::Form)
            .header(Header::new("X-Twilio-Signature", sign_form(path, &params)))
            .body(form::encode(&params))
            .dispatch();
        assert_eq!(response.status(), status, "{path}");
        if let Some(body) = body {
            assert_eq!(response.into_string().unwrap(), body);
        }
    }
}

#[test]
fn bodies_over_rockets_limit_are_refused_with_413() {
    let rocket = quiet()
        .configure(rocket::Config {
            limits: rocket::data::Limits::default().limit("form", 64.into()),
            log_level: LogLevel::Off,
            ..rocket::Config::debug_default()
        })
        .attach(TwilioAuth::fairing(config()))
        .mount("/", routes![voice]);
    let client = Client::tracked(rocket).unwrap();
    let filler = "x".repeat(100);
    let params = [("CallSid", "CA1"), ("Body", filler.as_str())];
    let response = client
        .post("/voice")
        .header(ContentType::Form)
        .header(Header::new(
            "X-Twilio-Signature",
            sign_form("/voice", &params),
        ))
        .body(form::encode(&params))
        .dispatch();
    assert_eq!(response.status(), Status::PayloadTooLarge);
    assert_eq!(response.into_string().unwrap(), "Payload Too Large\n");
}

#[test]
fn http_auth_challenges_reach_the_client() {
    let client = client();
    let signature = sign_form("/basic", &[]);
    let first = client
        .post("/basic")
        .header(ContentType::Plain)
        .header(Header::new("X-Twilio-Signature", signature.clone()))
        .body("hi")
        .dispatch();
    assert_eq!(first.status(), Status::Unauthorized);
    let challenges: Vec<&str> = first.headers().get("WWW-Authenticate").collect();
    assert_eq!(challenges, ["Basic realm=\"twilio\", charset=\"UTF-8\""]);

    // `Basic twilio:s3cret-pass`; the body is text, so the signature covers the URL only
    // and the body needs its hash: the retry passes HTTP authentication, then fails on it.
    let retry = client
        .post("/basic")
        .header(ContentType::Plain)
        .header(Header::new("X-Twilio-Signature", signature))
        .header(Header::new(
            "Authorization",
            "Basic dHdpbGlvOnMzY3JldC1wYXNz",
        ))
        .body("hi")
        .dispatch();
    assert_eq!(retry.status(), Status::Forbidden);
    assert_eq!(retry.headers().get("WWW-Authenticate").count(), 0);
}

#[test]
fn a_rocket_without_the_fairing_does_not_launch() {
    let rocket = quiet().mount("/", routes![voice]);
    let Err(error) = Client::tracked(rocket) else {
        panic!("the launch is not refused");
    };
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::SentinelAborts(_)),
        "{error}"
    );
}

#[test]
fn http_auth_routes_without_credentials_refuse_every_request() {
    let config = Config::builder()
        .auth_token(TOKEN)
        .public_base_url(BASE)
        .build()
        .unwrap();
    let rocket = quiet()
        .attach(TwilioAuth::fairing(config))
        .mount("/", routes![basic]);
    let client = Client::tracked(rocket).unwrap();
    let response = client
        .post("/basic")
        .header(ContentType::Plain)
        .header(Header::new(
            "Authorization",
            "Basic dHdpbGlvOnMzY3JldC1wYXNz",
        ))
        .body("hi")
        .dispatch();
    assert_eq!(response.status(), Status::Unauthorized);
}

#[test]
fn a_config_managed_by_hand_is_refused() {
    let rocket = quiet()
        .manage(config())
        .attach(TwilioAuth::fairing(config()))
        .mount("/", routes![voice]);
    let Err(error) = Client::tracked(rocket) else {
        panic!("the launch is not refused");
    };
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(_)),
        "{error}"
    );
}
