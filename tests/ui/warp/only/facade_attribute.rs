// With warp the only framework feature, `twilio_auth::twilio_signed` is warp's.
use twilio_auth::twilio_signed;
use twilio_auth::warp::Form;

#[twilio_signed(post, path = "voice")]
async fn voice(Form(form): Form<Vec<(String, String)>>) -> String {
    form.len().to_string()
}

fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _ = voice_filter(config);
}
