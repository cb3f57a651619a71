// With every framework feature on, `twilio_auth::twilio_signed` still means, for each
// function, what it means for its own framework: features are additive.
use twilio_auth::twilio_signed;

mod on_axum {
    use axum::Form;
    use std::collections::HashMap;

    #[super::twilio_signed]
    pub async fn voice(Form(call): Form<HashMap<String, String>>) -> String {
        call.len().to_string()
    }
}

mod on_rocket {
    use rocket::post;

    #[super::twilio_signed(http_auth = "digest")]
    #[post("/voice", data = "<body>")]
    pub fn voice(body: String) -> String {
        body
    }
}

mod on_warp {
    use twilio_auth::warp::Form;

    #[super::twilio_signed(post, path = "voice")]
    pub async fn voice(Form(form): Form<Vec<(String, String)>>) -> String {
        form.len().to_string()
    }
}

pub fn main() {
    let config = twilio_auth::Config::builder()
        .auth_token("12345")
        .build()
        .unwrap();
    let _axum: axum::Router = axum::Router::new()
        .route("/voice", axum::routing::post(on_axum::voice))
        .with_state(config.clone());
    let _rocket = rocket::routes![on_rocket::voice];
    let _warp = on_warp::voice_filter(config);
}
