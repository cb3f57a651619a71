//! Recorded-shape Lambda events (tests/events/*.json, one per front door and shape, signed
//! by Twilio's official python library — see generate.py), deserialised by `lambda_http`
//! itself, then verified; and what an attacker holding one of them could change.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use lambda_http::Request;
use serde_json::Value;
use twilio_auth_core::{Config, RejectionReason, RoutePolicy, Verified};
use twilio_auth_lambda::{FrontDoor, TwilioRejection, verify};

struct Fixture {
    name: &'static str,
    token: String,
    signed_url: String,
    event: Value,
}

fn fixture(name: &'static str) -> Fixture {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/events")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let data: Value = serde_json::from_str(&text).unwrap();
    assert!(
        data["signer"]
            .as_str()
            .unwrap()
            .starts_with("twilio-python "),
        "{name} is signed by the official library"
    );
    Fixture {
        name,
        token: data["token"].as_str().unwrap().to_owned(),
        signed_url: data["signed_url"].as_str().unwrap().to_owned(),
        event: data["event"].clone(),
    }
}

/// The event as `lambda_http` turns it into a request.
fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).expect("lambda_http reads the event")
}

fn config(token: &str) -> Config {
    Config::builder().auth_token(token).build().unwrap()
}

/// The origin (scheme and host) of `url`: what TWILIO_WEBHOOK_BASE_URL is set to.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").unwrap() + 3;
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

fn check(
    fixture: &Fixture,
    event: &Value,
    config: &Config,
) -> Result<(Request, Verified), TwilioRejection> {
    let mut req = request(event);
    let verified = verify(config, &mut req, RoutePolicy::Signature)?;
    assert!(
        req.extensions().get::<Verified>().is_some(),
        "{}: Verified left in the extensions",
        fixture.name
    );
    Ok((req, verified))
}

fn reason(result: Result<(Request, Verified), TwilioRejection>) -> RejectionReason {
    match result {
        Ok((req, _)) => panic!("accepted: {} {}", req.method(), req.uri()),
        Err(rejection) => rejection.rejection().reason().clone(),
    }
}

const ACCEPTED: &[(&str, FrontDoor)] = &[
    ("function_url_form_base64", FrontDoor::FunctionUrl),
    ("http_api_stage_form", FrontDoor::HttpApi),
    (
        "http_api_custom_domain_get_repeated_query",
        FrontDoor::HttpApi,
    ),
    ("http_api_json_body_sha256", FrontDoor::HttpApi),
    ("rest_v1_stage_form", FrontDoor::RestApi),
    ("rest_v1_custom_domain_base64", FrontDoor::RestApi),
    ("rest_v1_get_two_query_names", FrontDoor::RestApi),
    ("alb_form_base64", FrontDoor::Alb),
    ("alb_get_query", FrontDoor::Alb),
];

#[test]
fn every_front_door_verifies_the_url_twilio_signed() {
    for &(name, door) in ACCEPTED {
        let fixture = fixture(name);
        assert_eq!(FrontDoor::of(&request(&fixture.event)), door, "{name}");
        // With the URL rebuilt from Host (https), and with the base URL set to the origin.
        let by_host = config(&fixture.token);
        let by_base = Config::builder()
            .auth_token(fixture.token.as_str())
            .public_base_url(origin(&fixture.signed_url))
            .build()
            .unwrap();
        for config in [by_host, by_base] {
            let (_, verified) =
                check(&fixture, &fixture.event, &config).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(verified.url(), Some(fixture.signed_url.as_str()), "{name}");
        }
    }
}

#[test]
fn the_handler_reads_the_decoded_body_that_was_verified() {
    for &(name, _) in ACCEPTED {
        let fixture = fixture(name);
        let Some(sent) = fixture.event["body"].as_str().filter(|b| !b.is_empty()) else {
            continue;
        };
        let expected = if fixture.event["isBase64Encoded"] == true {
            BASE64.decode(sent).unwrap()
        } else {
            sent.as_bytes().to_vec()
        };
        let (req, _) = check(&fixture, &fixture.event, &config(&fixture.token)).unwrap();
        assert_eq!(req.body().as_ref(), &expected[..], "{name}");
        if fixture.event["isBase64Encoded"] == true {
            assert!(
                req.body().starts_with(b"AccountSid=AC0123"),
                "{name}: decoded form"
            );
        }
    }
}

/// The body of `event` replaced by `body`, encoded as the event encodes its body.
fn with_body(event: &Value, body: &str) -> Value {
    let mut event = event.clone();
    let encoded = if event["isBase64Encoded"] == true {
        BASE64.encode(body)
    } else {
        body.to_owned()
    };
    event["body"] = Value::String(encoded);
    event
}

#[test]
fn a_forged_body_or_signature_is_refused_through_every_front_door() {
    for &(name, _) in ACCEPTED {
        let fixture = fixture(name);
        let config = config(&fixture.token);
        if fixture.event["body"]
            .as_str()
            .is_some_and(|b| !b.is_empty())
        {
            let forged = if name.contains("json") {
                r#"{"type":"com.twilio.messaging.message.failed"}"#
            } else {
                "AccountSid=AC0123456789abcdef0123456789abcdef&CallSid=CA_EVIL&From=%2B14155550100"
            };
            let expected = if name.contains("json") {
                RejectionReason::BodyHashMismatch
            } else {
                RejectionReason::SignatureMismatch
            };
            assert_eq!(
                reason(check(&fixture, &with_body(&fixture.event, forged), &config)),
                expected,
                "{name}: forged body"
            );
        }
        let mut forged = fixture.event.clone();
        for headers in ["headers", "multiValueHeaders"] {
            if let Some(map) = forged[headers].as_object_mut() {
                for (key, value) in map.iter_mut() {
                    if key.eq_ignore_ascii_case("x-twilio-signature") {
                        let garbage = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
                        *value = if value.is_array() {
                            serde_json::json!([garbage])
                        } else {
                            Value::String(garbage.into())
                        };
                    }
                }
            }
        }
        assert_eq!(
            reason(check(&fixture, &forged, &config)),
            RejectionReason::SignatureMismatch,
            "{name}: forged signature"
        );
    }
}

#[test]
fn the_stage_and_base_path_come_from_the_event_and_cannot_be_dropped() {
    // HTTP API: a request whose rawPath lacks the signed stage.
    let fixture = fixture("http_api_stage_form");
    let mut event = fixture.event.clone();
    event["rawPath"] = Value::String("/voice".into());
    assert_eq!(
        reason(check(&fixture, &event, &config(&fixture.token))),
        RejectionReason::SignatureMismatch
    );
    // REST API: requestContext.path is what the client called, not `path`.
    let fixture = self::fixture("rest_v1_stage_form");
    let mut event = fixture.event.clone();
    event["requestContext"]["path"] = Value::String("/voice".into());
    assert_eq!(
        reason(check(&fixture, &event, &config(&fixture.token))),
        RejectionReason::SignatureMismatch
    );
    // A base URL that repeats the stage doubles it: refused, and the log shows the URL.
    let doubled = Config::builder()
        .auth_token(fixture.token.as_str())
        .public_base_url(format!("{}/prod", origin(&fixture.signed_url)))
        .build()
        .unwrap();
    let rejection = check(&fixture, &fixture.event, &doubled).unwrap_err();
    assert!(
        rejection
            .rejection()
            .candidate_urls()
            .iter()
            .any(|u| u.ends_with("/prod/prod/voice")),
        "{rejection}"
    );
}

#[test]
fn raw_query_strings_are_exact() {
    let fixture = fixture("http_api_custom_domain_get_repeated_query");
    let raw = fixture.event["rawQueryString"].as_str().unwrap();
    // The same parameters, reordered or re-encoded: not what was signed.
    for other in [
        raw.replace("Note=a%20b+c", "Note=a+b+c"),
        raw.replacen(
            "MediaUrl=https%3A%2F%2Fb.example.com%2F2&MediaUrl=https%3A%2F%2Fa.example.com%2F1",
            "MediaUrl=https%3A%2F%2Fa.example.com%2F1&MediaUrl=https%3A%2F%2Fb.example.com%2F2",
            1,
        ),
        format!("{raw}&CallSid=CA_EVIL"),
    ] {
        let mut event = fixture.event.clone();
        event["rawQueryString"] = Value::String(other.clone());
        assert_eq!(
            reason(check(&fixture, &event, &config(&fixture.token))),
            RejectionReason::SignatureMismatch,
            "{other}"
        );
    }
}

#[test]
fn a_rest_v1_query_that_cannot_be_rebuilt_is_refused_with_the_reason_and_the_way_out() {
    let fixture = fixture("rest_v1_get_many_query_names");
    let rejection = check(&fixture, &fixture.event, &config(&fixture.token)).unwrap_err();
    assert_eq!(
        rejection.rejection().reason(),
        &RejectionReason::SignatureMismatch
    );
    let note = rejection.note().expect("a note about REST v1");
    for needle in [
        "API Gateway REST API (payload v1)",
        "no raw query string",
        "cannot be rebuilt reliably",
        "HTTP API (payload v2)",
        "Function URL",
        "more than 5 names",
    ] {
        assert!(note.contains(needle), "{needle:?} missing from: {note}");
    }
    assert!(rejection.rejection().candidate_urls().len() <= 4);
    let response = rejection.into_response();
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.body().as_ref(),
        b"Forbidden: invalid Twilio signature\n"
    );

    // Another value for a rebuilt query: every order is tried, none matches.
    let fixture = self::fixture("rest_v1_get_two_query_names");
    let mut event = fixture.event.clone();
    event["multiValueQueryStringParameters"]["CallSid"] = serde_json::json!(["CA_EVIL"]);
    event["queryStringParameters"]["CallSid"] = Value::String("CA_EVIL".into());
    let rejection = check(&fixture, &event, &config(&fixture.token)).unwrap_err();
    assert!(rejection.note().unwrap().contains("REST API (payload v1)"));
}

#[test]
fn http_auth_comes_before_the_signature_with_its_challenge() {
    use twilio_auth_core::http_auth::HttpAuthConfig;
    use twilio_auth_lambda::policy::HttpAuth;
    let fixture = fixture("function_url_form_base64");
    let config = Config::builder()
        .auth_token(fixture.token.as_str())
        .http_auth(
            HttpAuthConfig::builder("twilio-webhooks")
                .credential("twilio", "webhook-password")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let mut req = request(&fixture.event);
    let rejection = verify(
        &config,
        &mut req,
        RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic),
    )
    .unwrap_err();
    let response = rejection.into_response();
    assert_eq!(response.status(), 401);
    let challenges: Vec<_> = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .collect();
    assert_eq!(challenges.len(), 1);
    assert!(
        challenges[0]
            .to_str()
            .unwrap()
            .starts_with("Basic realm=\"twilio-webhooks\"")
    );

    let mut event = fixture.event.clone();
    // base64("twilio:webhook-password")
    event["headers"]["authorization"] =
        Value::String("Basic dHdpbGlvOndlYmhvb2stcGFzc3dvcmQ=".into());
    let mut req = request(&event);
    let verified = verify(
        &config,
        &mut req,
        RoutePolicy::HttpAuthThenSignature(HttpAuth::Basic),
    )
    .unwrap();
    assert_eq!(verified.user.as_deref(), Some("twilio"));
}

#[test]
fn an_oversize_body_is_a_413() {
    let fixture = fixture("function_url_form_base64");
    let config = Config::builder()
        .auth_token(fixture.token.as_str())
        .body_limit(64)
        .build()
        .unwrap();
    let rejection = check(&fixture, &fixture.event, &config).unwrap_err();
    assert_eq!(rejection.into_response().status(), 413);
}
