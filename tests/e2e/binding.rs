//! Method and body binding (SPEC §1): rows in which a person holds one genuine signed
//! request and changes the method, its spelling or the body, or stands a guard that reads
//! no body beside a handler that does; and the key choices a request must not make for
//! itself (conflicting `AccountSid`s, a SharedKey named with another algorithm, forwarded
//! headers of a family the proxy does not write).
//!
//! Every request goes out as raw HTTP/1.1, the method byte for byte. Refusals expect the
//! verifier's own answer (its status and body text) where the request reaches it; where a
//! framework refuses first (warp routes `HEAD` nowhere near a `GET` filter), the row names
//! that app and its exact status.

use twilio_auth::{Algorithm, Signer};

use super::app::TOKEN;
use super::http::{Body, Host, Request};
use super::peers::Peer;
use super::scenarios::{
    AppEnv, Build, By, CALL, Ctx, EVENT, EVENT_OK, Expect, PROXY_TRUSTED, PROXY_TRUSTED_RFC7239,
    PerApp, SHARED_KEYS, STATUS, SUBACCOUNTS, TWIML,
};

/// The second sub-account of [`SUBACCOUNTS`].
const OTHER_ACCOUNT: &str = "ACe2e00000000000000000000000000002";
/// The token of the sub-account in [`CALL`] (`ACe2e…1`), as [`SUBACCOUNTS`] configures it.
pub const SUBACCOUNT_TOKEN: &str = "e2e-subaccount-token-1";
/// The SharedKey [`SHARED_KEYS`] configures, for HMAC-SHA256.
pub const SHARED_KEY_ID: &str = "KSe2e00000000000000000000000000001";
pub const SHARED_KEY_SECRET: &str = "e2e-shared-key-secret";

/// What an attacker puts in a body nobody signed.
const FORGED_FORM: &[(&str, &str)] = &[("CallSid", "CA_EVIL"), ("CallStatus", "refund")];

/// The verifier refused a body its signature does not cover.
const UNSIGNED_BODY: Expect =
    Expect::status(403).body("Forbidden: request body not covered by the Twilio signature");
/// The verifier refused the signature (or the body hash).
const BAD_SIGNATURE: Expect = Expect::status(403).body("Forbidden: invalid Twilio signature");
/// A 403 from the verifier, whichever of its two texts.
const VERIFIER_403: Expect = Expect::status(403).body("Forbidden: ");

/// A refusal by the framework (router or HTTP layer), before any verifier or handler.
const fn by_framework(status: u16) -> Expect {
    Expect::status(status).first(PerApp::all(status, By::Framework))
}
/// warp's `get()` filter does not take `HEAD`: 405 before the verifier.
const WARP_HEAD_IS_NOT_GET: &[(&str, Expect)] = &[("warp_app", by_framework(405))];
/// Rocket routes no method it does not know (`get` is not `GET`): 400 before any route.
const ROCKET_UNKNOWN_METHOD: &[(&str, Expect)] = &[("rocket_app", by_framework(400))];

/// The rows, in the table's shape: name, environment, signers, request, expectation.
pub type Row = (
    &'static str,
    &'static AppEnv,
    &'static [Peer],
    Build,
    Expect,
);

pub fn rows() -> Vec<Row> {
    use super::scenarios::DEFAULTS;
    use Peer::{Node, Ours, Python};
    vec![
        // GET/HEAD carry no signed body: one they carry is refused.
        (
            "binding: HEAD /status, signed GET, forged form body",
            &DEFAULTS,
            &[Python],
            head_status_forged_body,
            // A HEAD answer has no body to read the verifier's text from.
            Expect::status(403).on(WARP_HEAD_IS_NOT_GET),
        ),
        (
            "binding: GET /status, signed, forged form body",
            &DEFAULTS,
            &[Node],
            get_status_forged_body,
            UNSIGNED_BODY,
        ),
        (
            "binding: GET /status, signed, forged JSON body",
            &DEFAULTS,
            &[Ours],
            get_status_forged_json,
            UNSIGNED_BODY,
        ),
        // A JSON webhook resent as GET with another body; the genuine body under GET is fine.
        (
            "binding: GET /any/events, the signed JSON body",
            &DEFAULTS,
            &[Python, Node],
            get_any_events_signed,
            EVENT_OK,
        ),
        (
            "binding: GET /any/events, another JSON body",
            &DEFAULTS,
            &[Python],
            get_any_events_changed,
            BAD_SIGNATURE,
        ),
        // A method's spelling: `get` is not `GET`, so its form body is part of the signed string.
        (
            "binding: get (lower case) /any/voice, URL-only signature, forged form",
            &DEFAULTS,
            &[Python],
            lower_get_any_voice_forged,
            BAD_SIGNATURE.on(ROCKET_UNKNOWN_METHOD),
        ),
        (
            "binding: GET /any/voice, URL-only signature, form body sent as text/plain",
            &DEFAULTS,
            &[Python],
            get_any_voice_text_plain_forged,
            UNSIGNED_BODY,
        ),
        (
            "binding: get (lower case) /status, no body",
            &DEFAULTS,
            &[Node],
            lower_get_status,
            // No route of axum or warp takes the method `get`.
            by_framework(405).on(ROCKET_UNKNOWN_METHOD),
        ),
        // Other methods with bodies: covered by the form parameters, or refused.
        (
            "binding: OPTIONS /any/voice, URL-only signature, forged form",
            &DEFAULTS,
            &[Ours],
            options_any_voice_forged,
            BAD_SIGNATURE,
        ),
        (
            "binding: DELETE /any/voice, URL-only signature, forged form",
            &DEFAULTS,
            &[Node],
            delete_any_voice_forged,
            BAD_SIGNATURE,
        ),
        (
            "binding: DELETE /any/voice, form signed as Twilio signs it",
            &DEFAULTS,
            &[Python],
            delete_any_voice_signed,
            TWIML,
        ),
        (
            "binding: PUT /any/voice, JSON body without bodySHA256",
            &DEFAULTS,
            &[Ours],
            put_any_voice_json,
            Expect::status(403).body("Forbidden: invalid Twilio signature"),
        ),
        // A guard that reads no body beside a handler: it never lets an unsigned body through.
        (
            "binding: POST /guarded, URL-only signature, form body",
            &DEFAULTS,
            &[Python],
            post_guarded_forged_body,
            VERIFIER_403,
        ),
        (
            "binding: POST /guarded, URL-only signature, chunked form body",
            &DEFAULTS,
            &[Ours],
            post_guarded_chunked_body,
            VERIFIER_403,
        ),
        (
            "binding: GET /guarded, signed",
            &DEFAULTS,
            &[Node],
            get_guarded_signed,
            Expect::status(200).body("guarded CAe2e00000000000000000000000000001"),
        ),
        // Sub-accounts: the key is chosen by the one AccountSid the handler reads.
        (
            "binding: sub-account token, one AccountSid",
            &SUBACCOUNTS,
            &[Python, Node],
            subaccount_signed,
            TWIML,
        ),
        (
            "binding: two AccountSids in the body",
            &SUBACCOUNTS,
            &[Node],
            subaccount_two_in_body,
            BAD_SIGNATURE,
        ),
        (
            "binding: AccountSid of body and query differ",
            &SUBACCOUNTS,
            &[Python],
            subaccount_body_and_query_differ,
            BAD_SIGNATURE,
        ),
        // SharedKeys: the configured algorithm, never the request's choice.
        (
            "binding: SharedKey with its own algorithm",
            &SHARED_KEYS,
            &[Ours],
            shared_key_signed,
            TWIML,
        ),
        (
            "binding: SharedKey named with HMAC_SHA1",
            &SHARED_KEYS,
            &[Ours],
            shared_key_other_algorithm,
            BAD_SIGNATURE,
        ),
        (
            "binding: Auth Token still accepted beside SharedKeys",
            &SHARED_KEYS,
            &[Python],
            auth_token_beside_shared_keys,
            TWIML,
        ),
        // Trusted forwarding: one header family, the value the proxy wrote (the last).
        (
            "binding: X-Forwarded-Host list, the proxy's (last) value",
            &PROXY_TRUSTED,
            &[Python],
            forwarded_list_last_value,
            TWIML,
        ),
        (
            "binding: X-Forwarded-Host list, the client's (first) value",
            &PROXY_TRUSTED,
            &[Ours],
            forwarded_list_first_value,
            BAD_SIGNATURE,
        ),
        (
            "binding: X-Forwarded-Host on two lines, the proxy's (last)",
            &PROXY_TRUSTED,
            &[Node],
            forwarded_lines_last_value,
            TWIML,
        ),
        (
            "binding: X-Forwarded-Host on two lines, the client's (first)",
            &PROXY_TRUSTED,
            &[Ours],
            forwarded_lines_first_value,
            BAD_SIGNATURE,
        ),
        (
            "binding: a client's Forwarded while X-Forwarded-* is trusted",
            &PROXY_TRUSTED,
            &[Ours],
            rfc7239_while_x_trusted,
            BAD_SIGNATURE,
        ),
        (
            "binding: Forwarded (RFC 7239) URL",
            &PROXY_TRUSTED_RFC7239,
            &[Ours, Python],
            rfc7239_trusted,
            TWIML,
        ),
        (
            "binding: a client's X-Forwarded-Host while Forwarded is trusted",
            &PROXY_TRUSTED_RFC7239,
            &[Ours],
            x_forwarded_while_rfc7239_trusted,
            BAD_SIGNATURE,
        ),
    ]
}

/// A request signed over `url` alone, as Twilio signs a GET.
fn url_signed(
    method: &'static str,
    target: &str,
    url: &str,
    signer: Peer,
) -> Result<Request, String> {
    Ok(Request::new(method, target).signature(&signer.sign_url(TOKEN, url)?))
}

fn head_status_forged_body(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(url_signed("HEAD", STATUS, &ctx.url(STATUS), signer)?.form(FORGED_FORM))
}

fn get_status_forged_body(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(url_signed("GET", STATUS, &ctx.url(STATUS), signer)?.form(FORGED_FORM))
}

fn get_status_forged_json(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(url_signed("GET", STATUS, &ctx.url(STATUS), signer)?.json(r#"{"CallSid":"CA_EVIL"}"#))
}

fn get_any_events_signed(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    let (url, signature) = signer.sign_body(TOKEN, &ctx.url("/any/events"), EVENT)?;
    Ok(Request::new("GET", ctx.target_of(&url)?)
        .json(EVENT)
        .signature(&signature))
}

fn get_any_events_changed(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    let (url, signature) = signer.sign_body(TOKEN, &ctx.url("/any/events"), EVENT)?;
    Ok(Request::new("GET", ctx.target_of(&url)?)
        .json(r#"{"type":"call.refunded"}"#)
        .signature(&signature))
}

fn lower_get_any_voice_forged(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(url_signed("get", "/any/voice", &ctx.url("/any/voice"), signer)?.form(CALL))
}

fn lower_get_status(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    url_signed("get", STATUS, &ctx.url(STATUS), signer)
}

fn get_any_voice_text_plain_forged(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(
        url_signed("GET", "/any/voice", &ctx.url("/any/voice"), signer)?
            .header("Content-Type", "text/plain")
            .body(Body::Sized(twilio_auth::form::encode(CALL).into_bytes())),
    )
}

fn options_any_voice_forged(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(url_signed("OPTIONS", "/any/voice", &ctx.url("/any/voice"), signer)?.form(CALL))
}

fn delete_any_voice_forged(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(url_signed("DELETE", "/any/voice", &ctx.url("/any/voice"), signer)?.form(CALL))
}

fn delete_any_voice_signed(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    let signature = signer.sign_form(TOKEN, &ctx.url("/any/voice"), CALL)?;
    Ok(Request::new("DELETE", "/any/voice")
        .form(CALL)
        .signature(&signature))
}

fn put_any_voice_json(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(url_signed("PUT", "/any/voice", &ctx.url("/any/voice"), signer)?.json(EVENT))
}

fn guarded_target() -> String {
    STATUS.replacen("/status", "/guarded", 1)
}

fn post_guarded_forged_body(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    let target = guarded_target();
    Ok(url_signed("POST", &target, &ctx.url(&target), signer)?.form(CALL))
}

fn post_guarded_chunked_body(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    let target = guarded_target();
    let data = twilio_auth::form::encode(CALL).into_bytes();
    Ok(url_signed("POST", &target, &ctx.url(&target), signer)?
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(Body::Chunked { data, chunk: 16 }))
}

fn get_guarded_signed(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    let target = guarded_target();
    url_signed("GET", &target, &ctx.url(&target), signer)
}

fn subaccount_signed(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    let signature = signer.sign_form(SUBACCOUNT_TOKEN, &ctx.url("/voice"), CALL)?;
    Ok(Request::post("/voice").form(CALL).signature(&signature))
}

fn subaccount_two_in_body(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    let mut params = CALL.to_vec();
    params.push(("AccountSid", OTHER_ACCOUNT));
    let signature = signer.sign_form(SUBACCOUNT_TOKEN, &ctx.url("/voice"), &params)?;
    Ok(Request::post("/voice").form(&params).signature(&signature))
}

fn subaccount_body_and_query_differ(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    let target = format!("/voice?AccountSid={OTHER_ACCOUNT}");
    let signature = signer.sign_form(SUBACCOUNT_TOKEN, &ctx.url(&target), CALL)?;
    Ok(Request::post(&target).form(CALL).signature(&signature))
}

fn shared_key_request(ctx: &Ctx, algorithm: Algorithm) -> Request {
    let signature =
        Signer::with_algorithm(SHARED_KEY_SECRET, algorithm).sign_form(&ctx.url("/voice"), CALL);
    Request::post("/voice")
        .form(CALL)
        .signature(&signature)
        .header(
            "X-Twilio-Webhooks-Signature-Settings",
            &format!("key={SHARED_KEY_ID},algorithm={}", algorithm.name()),
        )
}

fn shared_key_signed(ctx: &Ctx, _: Peer) -> Result<Request, String> {
    Ok(shared_key_request(ctx, Algorithm::HmacSha256))
}

fn shared_key_other_algorithm(ctx: &Ctx, _: Peer) -> Result<Request, String> {
    Ok(shared_key_request(ctx, Algorithm::HmacSha1))
}

fn auth_token_beside_shared_keys(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    let signature = signer.sign_form(TOKEN, &ctx.url("/voice"), CALL)?;
    Ok(Request::post("/voice").form(CALL).signature(&signature))
}

/// A form POST that a proxy forwarded, signed over `https://{signed_host}/voice`.
fn proxied(signer: Peer, signed_host: &str) -> Result<Request, String> {
    let signature = signer.sign_form(TOKEN, &format!("https://{signed_host}/voice"), CALL)?;
    Ok(Request::post("/voice")
        .host(Host::Value("internal:3000".to_owned()))
        .form(CALL)
        .signature(&signature)
        .header("X-Forwarded-Proto", "https"))
}

fn forwarded_list_last_value(_: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(proxied(signer, "public.example.com")?
        .header("X-Forwarded-Host", "evil.example, public.example.com"))
}

fn forwarded_list_first_value(_: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(proxied(signer, "evil.example")?
        .header("X-Forwarded-Host", "evil.example, public.example.com"))
}

fn forwarded_lines_last_value(_: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(proxied(signer, "public.example.com")?
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-Host", "public.example.com"))
}

fn forwarded_lines_first_value(_: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(proxied(signer, "evil.example")?
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-Host", "public.example.com"))
}

fn rfc7239_while_x_trusted(_: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(proxied(signer, "evil.example")?
        .header("Forwarded", "proto=https;host=evil.example")
        .header("X-Forwarded-Host", "public.example.com"))
}

fn rfc7239_trusted(_: &Ctx, signer: Peer) -> Result<Request, String> {
    let signature = signer.sign_form(TOKEN, "https://public.example.com/voice", CALL)?;
    Ok(Request::post("/voice")
        .host(Host::Value("internal:3000".to_owned()))
        .form(CALL)
        .signature(&signature)
        .header(
            "Forwarded",
            "for=198.51.100.7;host=evil.example, for=192.0.2.60;proto=https;host=public.example.com",
        ))
}

fn x_forwarded_while_rfc7239_trusted(_: &Ctx, signer: Peer) -> Result<Request, String> {
    let signature = signer.sign_form(TOKEN, "https://evil.example/voice", CALL)?;
    Ok(Request::post("/voice")
        .host(Host::Value("internal:3000".to_owned()))
        .form(CALL)
        .signature(&signature)
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-Proto", "https")
        .header(
            "Forwarded",
            "for=192.0.2.60;proto=https;host=public.example.com",
        ))
}
