use rocket::fs::TempFile;
use rocket::post;
use twilio_auth::rocket::twilio_signed;

#[twilio_signed]
#[post("/recording", data = "<file>")]
async fn recording(file: TempFile<'_>) -> String {
    format!("{} bytes", file.len())
}

fn main() {}
