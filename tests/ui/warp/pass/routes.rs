// Every parameter type a warp handler can take, every argument, and routes combined with
// `.or()` into something `warp::serve` accepts.
use twilio_auth::warp::{Form, Json, Query, VerifiedRequest, twilio_signed};
use warp::Filter;

#[derive(serde::Deserialize)]
pub struct IncomingCall {
    #[serde(rename = "CallSid")]
    pub call_sid: String,
}

#[twilio_signed(post, path = "voice")]
pub async fn voice(Form(call): Form<IncomingCall>) -> impl warp::Reply {
    call.call_sid
}

#[twilio_signed(get, path = "/status")]
async fn status(Query(q): Query<Vec<(String, String)>>, headers: warp::http::HeaderMap) -> String {
    format!("{} {}", q.len(), headers.len())
}

#[twilio_signed(post, path = "api/events")]
async fn events(
    Json(event): Json<serde_json::Value>,
    request: VerifiedRequest,
    verified: twilio_auth::Verified,
) -> warp::reply::Json {
    let _ = (request.path(), verified.user);
    warp::reply::json(&event)
}

#[twilio_signed(post, path = "basic/voice", http_auth = "basic")]
async fn basic(body: twilio_auth::warp::Bytes) -> Result<String, warp::http::StatusCode> {
    if body.is_empty() {
        return Err(warp::http::StatusCode::BAD_REQUEST);
    }
    Ok(format!("{} bytes", body.len()))
}

#[twilio_signed(put, http_auth = "either", signature = false)]
async fn anywhere(text: String) -> String {
    text
}

#[twilio_signed]
async fn ping() -> &'static str {
    "pong"
}

fn serve(config: twilio_auth::Config) {
    let routes = voice_filter(config.clone())
        .or(status_filter(config.clone()))
        .or(events_filter(config.clone()))
        .or(basic_filter(config.clone()))
        .or(warp::path("any").and(anywhere_filter(config.clone())))
        .or(warp::path("ping").and(ping_filter(config)))
        .recover(twilio_auth::warp::recover);
    let _ = warp::serve(routes);
}

pub fn main() {
    let _ = serve;
}
