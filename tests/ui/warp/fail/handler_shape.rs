use twilio_auth::warp::twilio_signed;

#[twilio_signed(post, path = "voice")]
fn not_async(body: String) -> String {
    body
}

#[twilio_signed(post, path = "voice")]
async fn generic<T: Default>(body: String) -> String {
    let _ = T::default();
    body
}

#[twilio_signed(post, path = "voice")]
async fn impl_parameter(body: impl Into<String>) -> String {
    body.into()
}

fn main() {}
