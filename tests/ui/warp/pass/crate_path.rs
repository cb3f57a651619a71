// With only the adapter as a dependency, `crate = "…"` says where it is.
use twilio_auth::warp as twilio_auth_warp;
use twilio_auth_warp::{Form, twilio_signed};

#[twilio_signed(post, path = "voice", crate = "twilio_auth_warp")]
async fn voice(Form(form): Form<Vec<(String, String)>>) -> String {
    form.len().to_string()
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _ = voice_filter(config);
}
