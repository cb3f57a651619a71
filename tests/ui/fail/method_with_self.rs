use twilio_auth::twilio_signed;

pub struct Handlers;

impl Handlers {
    #[twilio_signed]
    pub async fn voice(&self, body: String) -> String {
        body
    }
}

fn main() {}
