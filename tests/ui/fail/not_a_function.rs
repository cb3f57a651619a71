use twilio_auth::twilio_signed;

#[twilio_signed]
pub struct Voice;

fn main() {}
