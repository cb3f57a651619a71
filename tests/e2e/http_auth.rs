//! The HTTP Basic/Digest scenarios (SPEC §4): `POST /basic/voice` and `POST /digest/voice`
//! of the example apps, with two independent clients.
//!
//! - **curl** runs its own exchange (`--basic`, `--digest`, `--anyauth`): what it sends and
//!   receives is read back from its `-v` output and header dump ([`super::curl`]).
//! - **a Rust client**: the suite's raw HTTP client, with the `Authorization` header computed
//!   by the `digest_auth` crate from the app's `401` challenge (or a Basic header).
//!
//! Twilio's docs say it signs the webhook URL without the `user:pass@` part, so most
//! signatures are over the app's ordinary public URL; its libraries' tests sign the URL
//! with the credentials, and one row shows that such a signature passes once the caller has
//! logged in (the core then knows the credentials and tries that URL too).

use std::time::Duration;

use super::curl::{self, Transcript};
use super::http::{self, Request, Response};
use super::peers::Peer;
use super::relay::Relay;
use super::scenarios::{CALL, Ctx, FORGER_TOKEN};

use super::app::TOKEN;

/// The user in `WEBHOOK_USER`.
pub const USER: &str = "twilio";
/// The password in `WEBHOOK_PASSWORD`; never to be seen in a response or a log.
pub const PASSWORD: &str = "e2e-webhook-Pa55word";
/// A password the app does not know.
pub const WRONG_PASSWORD: &str = "e2e-webhook-guess";
/// The realm in `WEBHOOK_REALM`.
pub const REALM: &str = "twilio-e2e";
/// The Digest nonce lifetime of the stale-nonce environment, in seconds.
pub const SHORT_NONCE_LIFETIME: &str = "2";
/// How long a client waits before answering a challenge in the stale-nonce scenarios: more
/// than the lifetime plus a second (the nonce's timestamp is in whole seconds).
const EXPIRE: Duration = Duration::from_millis(3_200);

/// The Basic challenge the app must send.
pub const BASIC_CHALLENGE: &str = r#"Basic realm="twilio-e2e", charset="UTF-8""#;
/// The start of the Digest challenges the app must send, SHA-256 first.
pub const DIGEST_SHA256: &str =
    r#"Digest realm="twilio-e2e", qop="auth", algorithm=SHA-256, nonce=""#;
pub const DIGEST_MD5: &str = r#"Digest realm="twilio-e2e", qop="auth", algorithm=MD5, nonce=""#;

const BASIC_ROUTE: &str = "/basic/voice";
const DIGEST_ROUTE: &str = "/digest/voice";

// --- helpers -----------------------------------------------------------------------------

/// The form body of the call, as Twilio encodes it.
fn call_body() -> String {
    twilio_auth::form::encode(CALL)
}

/// A form POST of the call to `target`, signed by `signer` with `token` over the app's
/// public URL of `target`.
fn signed_call(ctx: &Ctx, signer: Peer, target: &str, token: &str) -> Result<Request, String> {
    let signature = signer.sign_form(token, &ctx.url(target), CALL)?;
    Ok(Request::post(target).form(CALL).signature(&signature))
}

fn send(ctx: &Ctx, request: &Request) -> Result<Response, String> {
    http::send(ctx.addr(), request).map_err(|e| format!("no response: {e}"))
}

/// `Basic base64(user:password)` (RFC 4648 base64 with padding).
pub fn basic_authorization(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::from("Basic ");
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Checks that `response` is a 401 offering exactly the challenges that start with
/// `expected`, in order.
fn expect_challenges(response: &Response, expected: &[&str]) -> Result<(), String> {
    let challenges = response.headers_named("www-authenticate");
    let matches = response.status == 401
        && challenges.len() == expected.len()
        && challenges
            .iter()
            .zip(expected)
            .all(|(c, e)| c.starts_with(e));
    if matches {
        Ok(())
    } else {
        Err(format!(
            "expected a 401 with the challenges {expected:?}, got {} with {challenges:?}",
            response.status
        ))
    }
}

/// The Digest challenge of `response` for `algorithm` (`SHA-256` or `MD5`).
fn digest_challenge<'r>(response: &'r Response, algorithm: &str) -> Result<&'r str, String> {
    let wanted = format!("algorithm={algorithm},");
    response
        .headers_named("www-authenticate")
        .into_iter()
        .find(|c| c.starts_with("Digest ") && c.contains(&wanted))
        .ok_or_else(|| {
            format!(
                "no Digest {algorithm} challenge in {:?}",
                response.headers_named("www-authenticate")
            )
        })
}

/// The `Authorization` that `digest_auth` computes for the call to `uri` from `challenge`.
fn digest_authorization(challenge: &str, password: &str, uri: &str) -> Result<String, String> {
    let mut prompt = digest_auth::parse(challenge)
        .map_err(|e| format!("digest_auth cannot read {challenge:?}: {e}"))?;
    let body = call_body();
    let context = digest_auth::AuthContext::new_post(USER, password, uri, Some(body.as_bytes()));
    prompt
        .respond(&context)
        .map(|answer| answer.to_string())
        .map_err(|e| format!("digest_auth cannot answer {challenge:?}: {e}"))
}

// --- the Rust client ---------------------------------------------------------------------

/// First request without credentials on the Digest route: 401 with both Digest challenges.
pub fn digest_first_request(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    signed_call(ctx, signer, DIGEST_ROUTE, TOKEN)
}

/// First request without credentials on the Basic route: 401 with the Basic challenge.
pub fn basic_first_request(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    signed_call(ctx, signer, BASIC_ROUTE, TOKEN)
}

pub fn basic_right_password(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(signed_call(ctx, signer, BASIC_ROUTE, TOKEN)?
        .header("Authorization", &basic_authorization(USER, PASSWORD)))
}

pub fn basic_wrong_password(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(signed_call(ctx, signer, BASIC_ROUTE, TOKEN)?
        .header("Authorization", &basic_authorization(USER, WRONG_PASSWORD)))
}

pub fn basic_bad_signature(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(signed_call(ctx, signer, BASIC_ROUTE, FORGER_TOKEN)?
        .header("Authorization", &basic_authorization(USER, PASSWORD)))
}

/// Basic credentials on the Digest route: the scheme is the route's, not the client's.
pub fn basic_on_digest_route(ctx: &Ctx, signer: Peer) -> Result<Request, String> {
    Ok(signed_call(ctx, signer, DIGEST_ROUTE, TOKEN)?
        .header("Authorization", &basic_authorization(USER, PASSWORD)))
}

/// The request without credentials, then again with the answer to the `algorithm`
/// challenge, computed with `password` for `uri`.
fn digest_exchange(
    ctx: &Ctx,
    request: Request,
    algorithm: &str,
    password: &str,
    uri: &str,
) -> Result<Vec<Response>, String> {
    let first = send(ctx, &request)?;
    expect_challenges(&first, &[DIGEST_SHA256, DIGEST_MD5])?;
    let authorization = digest_authorization(digest_challenge(&first, algorithm)?, password, uri)?;
    let second = send(ctx, &request.header("Authorization", &authorization))?;
    Ok(vec![first, second])
}

pub fn digest_sha256(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let request = signed_call(ctx, signer, DIGEST_ROUTE, TOKEN)?;
    digest_exchange(ctx, request, "SHA-256", PASSWORD, DIGEST_ROUTE)
}

pub fn digest_md5(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let request = signed_call(ctx, signer, DIGEST_ROUTE, TOKEN)?;
    digest_exchange(ctx, request, "MD5", PASSWORD, DIGEST_ROUTE)
}

pub fn digest_wrong_password(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let request = signed_call(ctx, signer, DIGEST_ROUTE, TOKEN)?;
    let responses = digest_exchange(ctx, request, "SHA-256", WRONG_PASSWORD, DIGEST_ROUTE)?;
    expect_challenges(&responses[1], &[DIGEST_SHA256, DIGEST_MD5])?;
    Ok(responses)
}

pub fn digest_bad_signature(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let request = signed_call(ctx, signer, DIGEST_ROUTE, FORGER_TOKEN)?;
    digest_exchange(ctx, request, "SHA-256", PASSWORD, DIGEST_ROUTE)
}

/// A Digest response computed for another `uri` than the request's target.
pub fn digest_other_uri(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let request = signed_call(ctx, signer, DIGEST_ROUTE, TOKEN)?;
    digest_exchange(ctx, request, "SHA-256", PASSWORD, BASIC_ROUTE)
}

/// Digest authentication, with a signature over the URL with `user:pass@` (as the
/// official libraries' tests sign it): accepted after the login.
pub fn digest_signed_with_credentials_in_url(
    ctx: &Ctx,
    signer: Peer,
) -> Result<Vec<Response>, String> {
    let url = ctx
        .url(DIGEST_ROUTE)
        .replacen("://", &format!("://{USER}:{PASSWORD}@"), 1);
    let signature = signer.sign_form(TOKEN, &url, CALL)?;
    let request = Request::post(DIGEST_ROUTE).form(CALL).signature(&signature);
    digest_exchange(ctx, request, "SHA-256", PASSWORD, DIGEST_ROUTE)
}

/// The challenge is answered only after its nonce expired: `401` with `stale=true`, and
/// the answer to that fresh challenge passes.
pub fn digest_stale_nonce(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let request = signed_call(ctx, signer, DIGEST_ROUTE, TOKEN)?;
    let first = send(ctx, &request)?;
    expect_challenges(&first, &[DIGEST_SHA256, DIGEST_MD5])?;
    let late = digest_authorization(digest_challenge(&first, "SHA-256")?, PASSWORD, DIGEST_ROUTE)?;
    std::thread::sleep(EXPIRE);
    let second = send(ctx, &request.clone().header("Authorization", &late))?;
    expect_stale(&second)?;
    let fresh = digest_authorization(
        digest_challenge(&second, "SHA-256")?,
        PASSWORD,
        DIGEST_ROUTE,
    )?;
    let third = send(ctx, &request.header("Authorization", &fresh))?;
    Ok(vec![first, second, third])
}

fn expect_stale(response: &Response) -> Result<(), String> {
    expect_challenges(response, &[DIGEST_SHA256, DIGEST_MD5])?;
    let challenges = response.headers_named("www-authenticate");
    if challenges.iter().all(|c| c.ends_with(", stale=true")) {
        Ok(())
    } else {
        Err(format!(
            "expected stale=true in every Digest challenge: {challenges:?}"
        ))
    }
}

// --- curl --------------------------------------------------------------------------------

/// Runs curl for a signed POST of the call to `target` on the app (or on `via`), with
/// `auth` (e.g. `--digest -u user:pass`).
fn curl_call(
    ctx: &Ctx,
    signer: Peer,
    target: &str,
    token: &str,
    auth: &[&str],
    via: Option<&Relay>,
) -> Result<Transcript, String> {
    let signature = signer.sign_form(token, &ctx.url(target), CALL)?;
    let addr = via.map_or(ctx.addr(), |relay| relay.addr);
    let mut args: Vec<String> = auth.iter().map(|a| (*a).to_owned()).collect();
    args.extend([
        "-H".to_owned(),
        format!("X-Twilio-Signature: {signature}"),
        "-H".to_owned(),
        "Content-Type: application/x-www-form-urlencoded".to_owned(),
        "--data-binary".to_owned(),
        call_body(),
        format!("http://{addr}{target}"),
    ]);
    curl::run(&args)
}

fn credentials(password: &str) -> String {
    format!("{USER}:{password}")
}

/// `Ok(responses)` when every `Authorization` curl sent starts with `scheme`, and it sent
/// `count` of them.
fn sent(transcript: Transcript, scheme: &str, count: usize) -> Result<Vec<Response>, String> {
    let sent = transcript.authorizations();
    if sent.len() != count || !sent.iter().all(|a| a.starts_with(scheme)) {
        return Err(format!(
            "curl sent {} Authorization header(s) {sent:?}, expected {count} starting with {scheme:?}: {}",
            sent.len(),
            transcript.describe()
        ));
    }
    Ok(transcript.responses)
}

/// Plain curl, no credentials: the Basic challenge.
pub fn curl_basic_without_credentials(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let transcript = curl_call(ctx, signer, BASIC_ROUTE, TOKEN, &[], None)?;
    let responses = sent(transcript, "", 0)?;
    expect_challenges(responses.first().ok_or("no response")?, &[BASIC_CHALLENGE])?;
    Ok(responses)
}

/// `curl --basic -u`: curl sends the credentials with the first request.
pub fn curl_basic(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let user = credentials(PASSWORD);
    let transcript = curl_call(
        ctx,
        signer,
        BASIC_ROUTE,
        TOKEN,
        &["--basic", "-u", &user],
        None,
    )?;
    sent(transcript, "Basic ", 1)
}

/// `curl --anyauth -u`: curl asks without credentials first, reads the challenge, and
/// retries with Basic — Twilio's own sequence.
pub fn curl_anyauth_basic(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let user = credentials(PASSWORD);
    let transcript = curl_call(
        ctx,
        signer,
        BASIC_ROUTE,
        TOKEN,
        &["--anyauth", "-u", &user],
        None,
    )?;
    let responses = sent(transcript, "Basic ", 1)?;
    expect_challenges(&responses[0], &[BASIC_CHALLENGE])?;
    Ok(responses)
}

pub fn curl_basic_wrong_password(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let user = credentials(WRONG_PASSWORD);
    let transcript = curl_call(
        ctx,
        signer,
        BASIC_ROUTE,
        TOKEN,
        &["--basic", "-u", &user],
        None,
    )?;
    let responses = sent(transcript, "Basic ", 1)?;
    expect_challenges(&responses[0], &[BASIC_CHALLENGE])?;
    Ok(responses)
}

pub fn curl_basic_bad_signature(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let user = credentials(PASSWORD);
    let transcript = curl_call(
        ctx,
        signer,
        BASIC_ROUTE,
        FORGER_TOKEN,
        &["--basic", "-u", &user],
        None,
    )?;
    sent(transcript, "Basic ", 1)
}

/// `curl --basic` on the Digest route: refused, with the Digest challenges.
pub fn curl_basic_on_digest_route(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let user = credentials(PASSWORD);
    let transcript = curl_call(
        ctx,
        signer,
        DIGEST_ROUTE,
        TOKEN,
        &["--basic", "-u", &user],
        None,
    )?;
    let responses = sent(transcript, "Basic ", 1)?;
    expect_challenges(&responses[0], &[DIGEST_SHA256, DIGEST_MD5])?;
    Ok(responses)
}

/// `curl --digest -u`: 401 with the challenges, then curl's answer.
pub fn curl_digest(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let user = credentials(PASSWORD);
    let transcript = curl_call(
        ctx,
        signer,
        DIGEST_ROUTE,
        TOKEN,
        &["--digest", "-u", &user],
        None,
    )?;
    let responses = sent(transcript, "Digest ", 1)?;
    expect_challenges(&responses[0], &[DIGEST_SHA256, DIGEST_MD5])?;
    Ok(responses)
}

/// `curl --anyauth -u` on the Digest route: curl picks Digest from the challenges.
pub fn curl_anyauth_digest(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let user = credentials(PASSWORD);
    let transcript = curl_call(
        ctx,
        signer,
        DIGEST_ROUTE,
        TOKEN,
        &["--anyauth", "-u", &user],
        None,
    )?;
    sent(transcript, "Digest ", 1)
}

pub fn curl_digest_wrong_password(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let user = credentials(WRONG_PASSWORD);
    let transcript = curl_call(
        ctx,
        signer,
        DIGEST_ROUTE,
        TOKEN,
        &["--digest", "-u", &user],
        None,
    )?;
    let responses = sent(transcript, "Digest ", 1)?;
    expect_challenges(&responses[1], &[DIGEST_SHA256, DIGEST_MD5])?;
    Ok(responses)
}

pub fn curl_digest_bad_signature(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let user = credentials(PASSWORD);
    let transcript = curl_call(
        ctx,
        signer,
        DIGEST_ROUTE,
        FORGER_TOKEN,
        &["--digest", "-u", &user],
        None,
    )?;
    sent(transcript, "Digest ", 1)
}

/// `curl --digest` receives the first challenge only after its nonce expired (the relay
/// holds it back): the app answers curl's late answer with `stale=true`, and curl's retry
/// with the fresh nonce passes.
pub fn curl_digest_stale_nonce(ctx: &Ctx, signer: Peer) -> Result<Vec<Response>, String> {
    let relay = Relay::start(ctx.addr(), EXPIRE).map_err(|e| format!("relay: {e}"))?;
    let user = credentials(PASSWORD);
    let transcript = curl_call(
        ctx,
        signer,
        DIGEST_ROUTE,
        TOKEN,
        &["--digest", "-u", &user],
        Some(&relay),
    )?;
    let responses = sent(transcript, "Digest ", 2)?;
    if let Some(second) = responses.get(1) {
        expect_stale(second)?;
    }
    Ok(responses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_authorization_is_rfc_7617() {
        // RFC 7617 §2.
        assert_eq!(
            basic_authorization("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_authorization("a", "b"), "Basic YTpi");
        assert_eq!(basic_authorization("ab", "c"), "Basic YWI6Yw==");
    }
}
