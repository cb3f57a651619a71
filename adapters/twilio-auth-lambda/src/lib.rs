//! AWS Lambda integration of `twilio-auth`: [`verify`] checks a [`lambda_http::Request`]
//! against the URL Twilio signed, whichever front door delivered it — a Lambda Function
//! URL, an API Gateway HTTP API (payload v2), an API Gateway REST API (payload v1) or an
//! Application Load Balancer ([`FrontDoor`]).
//!
//! The URL is rebuilt from the event, not from `Request::uri` (which `lambda_http` rebuilds
//! itself): the raw path and raw query string where the event has them (Function URLs, HTTP
//! APIs), the request context's path for REST APIs (stage or custom-domain base path
//! included, as the client called it). Set the public base URL
//! (`TWILIO_WEBHOOK_BASE_URL`, [`ConfigBuilder::public_base_url`]) to the scheme and host
//! Twilio calls (`https://abc123.execute-api.us-east-1.amazonaws.com`,
//! `https://hooks.example.com`), without the stage or base path: those come from the event.
//! Without it, the URL is `https://` + the `Host` header.
//!
//! REST API and ALB events carry the query string only as parsed parameters: the order and
//! encoding the client used are lost. Every order of up to five names is tried, in two
//! encodings; a request that still cannot match is refused with a log line that says why
//! and what to switch to. Form (POST) webhooks without query parameters, Twilio's usual
//! shape, verify exactly through every front door.
//!
//! Bodies that Lambda base64-encoded (`isBase64Encoded`) are decoded by `lambda_http`
//! before they are verified, and the handler reads the same decoded bytes.
//!
//! Report-only mode ([`verify_report_only`]) lets a refused signature through, marked
//! [`Unverified`](twilio_auth_core::Unverified); with the feature `replay`, [`replay`] keeps a
//! signed request from being processed twice.
//!
//! [`ConfigBuilder::public_base_url`]: twilio_auth_core::ConfigBuilder::public_base_url

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod front_door;
pub mod policy;
mod query;
mod rejection;
#[cfg(feature = "replay")]
pub mod replay;
mod report_only;
mod resolver;
mod verify;

pub use front_door::FrontDoor;
pub use rejection::TwilioRejection;
pub use report_only::{verify_report_only, warn_report_only};
pub use resolver::verify_with_resolver;
pub use verify::verify;
