use axum::Form;
use std::collections::HashMap;
use twilio_auth::twilio_signed;

#[twilio_signed]
pub async fn voice(Form(params): Form<HashMap<String, String>>, body: String) -> String {
    format!("{} {body}", params.len())
}

fn main() {}
