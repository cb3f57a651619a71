// A framework's own attribute on another framework's function: one error, naming the
// attribute to use.
use rocket::post;

#[twilio_auth::axum::twilio_signed]
#[post("/voice", data = "<body>")]
fn rocket_route_with_the_axum_attribute(body: String) -> String {
    body
}

#[twilio_auth::warp::twilio_signed]
#[post("/status")]
fn rocket_route_with_the_warp_attribute() {}

#[twilio_auth::axum::twilio_signed(post, path = "voice")]
async fn warp_handler_with_the_axum_attribute(body: String) -> String {
    body
}

#[twilio_auth::rocket::twilio_signed(post, path = "voice")]
async fn warp_handler_with_the_rocket_attribute(body: String) -> String {
    body
}

#[twilio_auth::rocket::twilio_signed]
async fn axum_handler_with_the_rocket_attribute(body: String) -> String {
    body
}

fn main() {}
