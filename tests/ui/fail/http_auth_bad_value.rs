// `http_auth` takes "basic", "digest" or "either", as a string.
use twilio_auth::twilio_signed;

#[twilio_signed(http_auth = "bearer")]
pub async fn unknown_scheme(body: String) -> String {
    body
}

#[twilio_signed(http_auth = "Digest")]
pub async fn wrong_case(body: String) -> String {
    body
}

#[twilio_signed(http_auth = digest, signature = "no")]
pub async fn not_literals(body: String) -> String {
    body
}

fn main() {}
