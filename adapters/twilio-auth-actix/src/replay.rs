//! `TwilioAuth::replay`: the replay guard between verification and the wrapped service
//! (feature `replay`).

use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpMessage, HttpResponse};
use twilio_auth_core::{Config, RoutePolicy, Unverified, Verified};
use twilio_auth_replay::{Admission, ReplayGuard, RequestFacts};

use std::sync::Arc;

use twilio_auth_core::resolver::KeyResolver;

use crate::body::{Checks, read_verified_bytes};
use crate::rejection::TwilioRejection;

/// Verifies, asks the guard, calls the service, and records its status.
pub(crate) async fn call<S, B>(
    service: Rc<S>,
    mut req: ServiceRequest,
    config: Config,
    policy: RoutePolicy,
    report_only: bool,
    resolver: Option<Arc<dyn KeyResolver>>,
    guard: ReplayGuard,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    let payload = req.parts_mut().1.take();
    let checks = Checks {
        route: policy,
        report_only,
        resolver: resolver.as_deref(),
    };
    let (payload, bytes) = match read_verified_bytes(req.request(), payload, &config, checks).await
    {
        Ok(read) => read,
        Err(error) => return Ok(req.error_response(error).map_into_right_body()),
    };
    // A request let through unverified (report-only) has nothing signed to key on.
    if req.request().extensions().get::<Unverified>().is_some() {
        req.set_payload(payload);
        return Ok(service.call(req).await?.map_into_left_body());
    }
    let admission = {
        let http = req.request();
        let verified = http.extensions().get::<Verified>().cloned();
        let Some(verified) = verified else {
            return Ok(refuse(
                req,
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable\n",
            ));
        };
        let header = |name: &str| http.headers().get(name).and_then(|v| v.to_str().ok());
        let facts = RequestFacts {
            method: http.method().as_str(),
            signature: header("x-twilio-signature"),
            query: http.uri().query(),
            content_type: header("content-type"),
            body: &bytes,
            verified: &verified,
            idempotency_token: header("i-twilio-idempotency-token"),
        };
        guard.admit(&facts).await
    };
    let ticket = match admission {
        Admission::Proceed(ticket) => ticket,
        Admission::Refuse(refusal) => {
            if let Some(rejection) = refusal.login_rejection(&config, policy) {
                let rejection = TwilioRejection::logged(rejection);
                return Ok(req
                    .error_response(actix_web::Error::from(rejection))
                    .map_into_right_body());
            }
            let status =
                StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return Ok(refuse(req, status, refusal.body));
        }
    };
    req.set_payload(payload);
    let response = service.call(req).await?;
    ticket.finish(response.status().as_u16()).await;
    Ok(response.map_into_left_body())
}

fn refuse<B>(
    req: ServiceRequest,
    status: StatusCode,
    body: &'static str,
) -> ServiceResponse<EitherBody<B>> {
    let response = HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body(body);
    req.into_response(response).map_into_right_body()
}
