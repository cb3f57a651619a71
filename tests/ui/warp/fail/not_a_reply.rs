use twilio_auth::warp::twilio_signed;

pub struct Twiml(pub String);

#[twilio_signed(post, path = "voice")]
async fn voice(body: String) -> Twiml {
    Twiml(body)
}

#[twilio_signed(get, path = "status")]
async fn status() {}

fn main() {}
