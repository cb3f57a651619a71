use twilio_auth::twilio_signed;

pub struct IncomingCall {
    pub call_sid: String,
}

#[twilio_signed]
pub async fn voice(call: IncomingCall) -> String {
    call.call_sid
}

fn main() {}
