// On a usage error the attribute reports it and re-emits the function as written: the rest
// of the crate still sees `voice`, so there is no "cannot find function" error after it.
use twilio_auth::twilio_signed;

#[twilio_signed(nope = 1)]
fn voice(body: String) -> String {
    body
}

fn main() {
    let _: String = voice(String::new());
}
