use twilio_auth::twilio_signed;

#[twilio_signed(http_auth = "basic")]
pub async fn voice(body: String) -> String {
    body
}

fn main() {}
