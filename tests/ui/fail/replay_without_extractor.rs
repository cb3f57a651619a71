// `replay` runs the guard between the handler's extractor and its body: a handler without
// parameters has no extractor to run it after.
use twilio_auth::twilio_signed;

pub fn guard() -> u8 {
    0
}

#[twilio_signed(replay = guard())]
pub async fn status() -> &'static str {
    "ok"
}

fn main() {}
