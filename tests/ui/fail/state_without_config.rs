use twilio_auth::twilio_signed;

#[derive(Clone)]
pub struct AppState {
    pub greeting: String,
}

#[twilio_signed(state = AppState)]
pub async fn voice(body: String) -> String {
    body
}

fn main() {}
