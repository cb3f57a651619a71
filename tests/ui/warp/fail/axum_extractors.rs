use twilio_auth::warp::twilio_signed;

pub struct State<S>(pub S);
pub struct RawForm(pub Vec<u8>);

#[twilio_signed(post, path = "voice")]
async fn voice(State(state): State<u32>, RawForm(form): RawForm) -> String {
    format!("{state} {}", form.len())
}

fn main() {}
