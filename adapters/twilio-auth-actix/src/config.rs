//! Where the extractors find the verifier's configuration: the app data, as a `Config` or a
//! `web::Data<Config>`.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use twilio_auth_core::Config;

use crate::verify::announce;

/// The configuration registered with `App::app_data(config)` or
/// `App::app_data(web::Data::new(config))` (on the app, a scope or a resource).
pub(crate) fn app_config(req: &HttpRequest) -> Result<&Config, MissingConfig> {
    let config = req.app_data::<Config>().or_else(|| {
        req.app_data::<web::Data<Config>>()
            .map(|data| data.get_ref())
    });
    match config {
        Some(config) => {
            // Extractors have no set-up hook: the first request logs the configuration.
            announce(config);
            Ok(config)
        }
        None => {
            tracing::error!(
                "rejected a Twilio webhook: no twilio_auth::Config in the app data; register \
                 it with `App::app_data(config)` or `App::app_data(web::Data::new(config))`"
            );
            Err(MissingConfig)
        }
    }
}

/// The app registered no configuration: a deployment mistake, answered `503 Service
/// Unavailable` (the request may be fine; the server cannot check it) and logged as an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingConfig;

impl fmt::Display for MissingConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no twilio_auth::Config in the app data")
    }
}

impl std::error::Error for MissingConfig {}

impl ResponseError for MissingConfig {
    fn status_code(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body("Service Unavailable: webhook verification is not configured")
    }
}
