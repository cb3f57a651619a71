//! Basic authentication (RFC 7617): decoding `user:password` and checking it against the
//! configured credentials.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_PAD_INDIFFERENT;
use subtle::Choice;

use super::authorization::MalformedAuthorization;
use super::{Authenticated, HttpAuthConfig, HttpAuthFailureReason, HttpAuthScheme};

/// Decodes a Basic token68 into `(user, password)`, split at the first `:` (RFC 7617 §2: the
/// user-id cannot contain a colon, the password can).
///
/// The token is standard base64; missing `=` padding is tolerated because some clients omit it.
/// The decoded bytes must be UTF-8, as announced by `charset="UTF-8"` in the challenge.
///
/// # Examples
///
/// The examples of RFC 7617 §2 and §2.1:
///
/// ```
/// use twilio_auth_core::http_auth::decode_basic_credentials;
///
/// assert_eq!(
///     decode_basic_credentials("QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
///     Ok(("Aladdin".to_owned(), "open sesame".to_owned())),
/// );
/// assert_eq!(
///     decode_basic_credentials("dGVzdDoxMjPCow=="),
///     Ok(("test".to_owned(), "123\u{a3}".to_owned())),
/// );
/// ```
pub fn decode_basic_credentials(token68: &str) -> Result<(String, String), MalformedAuthorization> {
    let decoded = STANDARD_PAD_INDIFFERENT
        .decode(token68)
        .map_err(|_| MalformedAuthorization::InvalidBase64)?;
    let decoded = String::from_utf8(decoded).map_err(|_| MalformedAuthorization::NotUtf8)?;
    let (user, password) = decoded
        .split_once(':')
        .ok_or(MalformedAuthorization::MissingColon)?;
    Ok((user.to_owned(), password.to_owned()))
}

/// Checks a Basic token against every configured credential, without stopping at the first
/// user-name match, so the time taken does not reveal which user names exist.
pub(crate) fn verify(
    config: &HttpAuthConfig,
    token68: &str,
) -> Result<Authenticated, HttpAuthFailureReason> {
    let (user, password) =
        decode_basic_credentials(token68).map_err(HttpAuthFailureReason::Malformed)?;
    let mut user_known = Choice::from(0);
    let mut accepted = Choice::from(0);
    for credential in config.credentials() {
        let user_matches = credential.user_matches(&user);
        user_known |= user_matches;
        accepted |= user_matches & credential.password_matches(&password);
    }
    if bool::from(accepted) {
        Ok(Authenticated::new(user, HttpAuthScheme::Basic))
    } else if bool::from(user_known) {
        Err(HttpAuthFailureReason::WrongPassword)
    } else {
        Err(HttpAuthFailureReason::UnknownUser)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7617_examples_decode() {
        assert_eq!(
            decode_basic_credentials("QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
            Ok(("Aladdin".to_owned(), "open sesame".to_owned()))
        );
        assert_eq!(
            decode_basic_credentials("dGVzdDoxMjPCow=="),
            Ok(("test".to_owned(), "123\u{a3}".to_owned()))
        );
    }

    #[test]
    fn splits_at_first_colon_and_allows_unpadded() {
        // "a:b:c" without its "=" padding.
        assert_eq!(
            decode_basic_credentials("YTpiOmM"),
            Ok(("a".to_owned(), "b:c".to_owned()))
        );
        // ":" alone: empty user and password decode fine (and are then not configured).
        assert_eq!(
            decode_basic_credentials("Og=="),
            Ok((String::new(), String::new()))
        );
    }

    #[test]
    fn decoding_errors_are_typed() {
        assert_eq!(
            decode_basic_credentials("!!!"),
            Err(MalformedAuthorization::InvalidBase64)
        );
        // "nocolon"
        assert_eq!(
            decode_basic_credentials("bm9jb2xvbg=="),
            Err(MalformedAuthorization::MissingColon)
        );
        // 0xff 0x3a 0x61: invalid UTF-8 before the colon.
        assert_eq!(
            decode_basic_credentials("/zph"),
            Err(MalformedAuthorization::NotUtf8)
        );
    }
}
