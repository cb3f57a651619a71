use twilio_auth::warp::twilio_signed;

#[derive(serde::Deserialize)]
pub struct IncomingCall {
    pub call_sid: String,
}

// warp's own filters are not parameters: the form comes from `twilio_auth::warp::Form`.
#[twilio_signed(post, path = "voice")]
async fn voice(call: IncomingCall, path: warp::filters::path::FullPath) -> String {
    format!("{} {}", call.call_sid, path.as_str())
}

fn main() {}
