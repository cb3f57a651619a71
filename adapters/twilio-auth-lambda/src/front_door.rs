//! Which AWS front door delivered the event, and the URL path and query string the client
//! requested on it, read from the event itself (never guessed from `Request::uri`, which
//! `lambda_http` rebuilds: it adds the stage to paths that do not carry it, re-encodes the
//! path, and re-orders parsed query parameters).
//!
//! | front door | path | query string |
//! |---|---|---|
//! | Function URL, HTTP API (payload v2) | `rawPath` (a named stage's segment and a custom domain's API mapping key included, as the client sent them) | `rawQueryString`, exact |
//! | REST API (payload v1) | `requestContext.path` (stage or base path included) | none in the event: rebuilt from the parsed parameters |
//! | ALB | `path` | none in the event: rebuilt from the parsed parameters |

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// The AWS service that turned the HTTP request into the Lambda event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontDoor {
    /// A Lambda Function URL (payload v2, a `*.lambda-url.<region>.on.aws` domain).
    FunctionUrl,
    /// An API Gateway HTTP API (payload v2).
    HttpApi,
    /// An API Gateway REST API (payload v1).
    RestApi,
    /// An Application Load Balancer target group.
    Alb,
    /// No request context (a request built by hand, or a front door this crate does not
    /// know): the request URI is taken as received.
    Unknown,
}

impl FrontDoor {
    /// Whether the event carries the query string exactly as the client sent it.
    pub fn has_raw_query(self) -> bool {
        matches!(
            self,
            FrontDoor::FunctionUrl | FrontDoor::HttpApi | FrontDoor::Unknown
        )
    }

    /// The name used in logs.
    pub fn name(self) -> &'static str {
        match self {
            FrontDoor::FunctionUrl => "Lambda Function URL",
            FrontDoor::HttpApi => "API Gateway HTTP API (payload v2)",
            FrontDoor::RestApi => "API Gateway REST API (payload v1)",
            FrontDoor::Alb => "Application Load Balancer",
            FrontDoor::Unknown => "request without a Lambda request context",
        }
    }

    /// The front door of `req`, from its request context.
    pub fn of(req: &Request) -> FrontDoor {
        match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => {
                let domain = context.domain_name.as_deref().unwrap_or("");
                if domain.ends_with(".on.aws") && domain.contains(".lambda-url.") {
                    FrontDoor::FunctionUrl
                } else {
                    FrontDoor::HttpApi
                }
            }
            Some(RequestContext::ApiGatewayV1(_)) => FrontDoor::RestApi,
            Some(RequestContext::Alb(_)) => FrontDoor::Alb,
            _ => FrontDoor::Unknown,
        }
    }
}

/// The query string of the request, as far as the event tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Query {
    /// Exactly as the client sent it (possibly empty).
    Raw(String),
    /// Only parsed (and decoded) parameters: names in a stable order, each with its values.
    Parsed(Vec<(String, Vec<String>)>),
}

/// What the client requested on the front door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Requested {
    pub(crate) door: FrontDoor,
    pub(crate) path: String,
    pub(crate) query: Query,
}

impl Requested {
    /// The request target with `query` (one of the query strings to try): the path, then
    /// `?query` unless it is empty.
    pub(crate) fn target(&self, query: &str) -> String {
        if query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{query}", self.path)
        }
    }

    /// Reads the path and query of `req` from its event (see the module's table).
    pub(crate) fn of(req: &Request) -> Requested {
        let door = FrontDoor::of(req);
        let uri_path = || req.uri().path().to_owned();
        let raw_path = || {
            let raw = req.raw_http_path();
            if raw.is_empty() {
                uri_path()
            } else {
                raw.to_owned()
            }
        };
        let raw_query = || Query::Raw(req.uri().query().unwrap_or("").to_owned());
        let (path, query) = match (door, req.request_context_ref()) {
            // lambda_http appends rawQueryString to the URI verbatim.
            (FrontDoor::FunctionUrl | FrontDoor::HttpApi, _) => (raw_path(), raw_query()),
            (FrontDoor::RestApi, Some(RequestContext::ApiGatewayV1(context))) => {
                (context.path.clone().unwrap_or_else(raw_path), parsed(req))
            }
            (FrontDoor::Alb, _) => (raw_path(), parsed(req)),
            _ => (uri_path(), raw_query()),
        };
        Requested { door, path, query }
    }
}

/// The parsed query parameters of `req` (REST v1 and ALB), names sorted.
fn parsed(req: &Request) -> Query {
    let mut names: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(map) = req.query_string_parameters_ref() {
        for (name, value) in map.iter() {
            match names.iter_mut().find(|(n, _)| n == name) {
                Some((_, values)) => values.push(value.to_owned()),
                None => names.push((name.to_owned(), vec![value.to_owned()])),
            }
        }
    }
    names.sort_by(|a, b| a.0.cmp(&b.0));
    if names.is_empty() {
        Query::Raw(String::new())
    } else {
        Query::Parsed(names)
    }
}
