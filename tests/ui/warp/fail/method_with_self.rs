use twilio_auth::warp::twilio_signed;

pub struct Handlers;

impl Handlers {
    #[twilio_signed(post, path = "voice")]
    pub async fn voice(&self, body: String) -> String {
        body
    }
}

fn main() {}
