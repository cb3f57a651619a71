use twilio_auth::twilio_signed;

#[twilio_signed(state = twilio_auth::Config, state = twilio_auth::Config)]
pub async fn voice(body: String) -> String {
    body
}

fn main() {}
