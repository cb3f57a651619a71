use twilio_auth::warp::twilio_signed;

pub struct AppState;

#[twilio_signed(post, get, path = "voice", state = AppState)]
async fn two_methods_and_state() -> &'static str {
    "ok"
}

#[twilio_signed(pots, pth = "voice")]
async fn unknown_method_and_argument() -> &'static str {
    "ok"
}

#[twilio_signed(post, path = "calls/{sid}")]
async fn path_parameter() -> &'static str {
    "ok"
}

#[twilio_signed(post, path = "api//voice")]
async fn empty_segment() -> &'static str {
    "ok"
}

#[twilio_signed(post, path = "voice", signature = false)]
async fn unprotected() -> &'static str {
    "ok"
}

fn main() {}
