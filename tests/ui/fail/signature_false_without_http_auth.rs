// A route with neither HTTP authentication nor a signature check would accept anyone.
use twilio_auth::twilio_signed;

#[twilio_signed(signature = false)]
pub async fn voice(body: String) -> String {
    body
}

fn main() {}
