// `?`, early returns and `Result<impl IntoResponse, E>` keep working inside the handler.
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use twilio_auth::twilio_signed;

#[derive(Clone, FromRef)]
struct AppState {
    twilio: twilio_auth::Config,
}

struct AppError;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        StatusCode::UNPROCESSABLE_ENTITY.into_response()
    }
}

fn kind(event: &serde_json::Value) -> Result<String, AppError> {
    event.get("type").and_then(|t| t.as_str()).map(str::to_owned).ok_or(AppError)
}

#[twilio_signed(state = AppState)]
async fn events(Json(event): Json<serde_json::Value>) -> Result<impl IntoResponse, AppError> {
    if event.is_null() {
        return Err(AppError);
    }
    let kind = kind(&event)?;
    Ok(Json(serde_json::json!({ "received": kind })))
}

pub fn main() {
    let config = twilio_auth::Config::builder().auth_token("12345").build().unwrap();
    let _app: Router = Router::new().route("/events", post(events)).with_state(AppState { twilio: config });
}
