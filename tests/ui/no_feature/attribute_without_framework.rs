use twilio_auth::twilio_signed;

#[twilio_signed]
pub async fn voice(body: String) -> String {
    body
}

fn main() {}
