use twilio_auth::rocket::twilio_signed;

#[twilio_signed]
pub struct Voice;

fn main() {
    let _ = Voice;
}
