// `twilio_auth::twilio_signed` recognises a warp handler by its method and path arguments,
// whatever other framework features are on.
use twilio_auth::twilio_signed;
use twilio_auth::warp::Form;

#[twilio_signed(post, path = "voice")]
async fn voice(Form(form): Form<Vec<(String, String)>>) -> String {
    form.len().to_string()
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _ = voice_filter(config);
}
