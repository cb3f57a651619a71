use twilio_auth::warp::twilio_signed;

// `replay` takes a `ReplayGuard`, not anything else.
#[twilio_signed(post, path = "voice", replay = 42)]
async fn not_a_guard() -> &'static str {
    "ok"
}

// Given twice.
#[twilio_signed(post, path = "voice", replay = 1, replay = 2)]
async fn twice() -> &'static str {
    "ok"
}

fn main() {}
