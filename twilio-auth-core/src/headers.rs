//! Header lookup, so the core reads request headers without depending on any web
//! framework's (or any `http` crate version's) header map.

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";
/// The header that selects a SharedKey and algorithm.
pub const SIGNATURE_SETTINGS_HEADER: &str = "X-Twilio-Webhooks-Signature-Settings";

/// Read access to a request's headers. Names are matched case-insensitively; when a header
/// appears more than once, the first value is returned. A value that is not valid UTF-8
/// reads as absent.
///
/// ```
/// use twilio_auth_core::Headers;
///
/// let headers = [("X-Twilio-Signature", "abc="), ("Content-Type", "text/plain")];
/// assert_eq!(headers.header("x-twilio-signature"), Some("abc="));
/// assert_eq!(headers.header("host"), None);
/// ```
pub trait Headers {
    /// The first value of header `name` (any letter case), if present.
    fn header(&self, name: &str) -> Option<&str>;

    /// The last value of header `name`, when it appears on several lines: what a proxy
    /// that adds its own line after the client's wrote (trusted forwarded headers). The
    /// default is [`Headers::header`], for maps that keep one value per name.
    fn last_header(&self, name: &str) -> Option<&str> {
        self.header(name)
    }
}

impl<H: Headers + ?Sized> Headers for &H {
    fn header(&self, name: &str) -> Option<&str> {
        (**self).header(name)
    }

    fn last_header(&self, name: &str) -> Option<&str> {
        (**self).last_header(name)
    }
}

impl<N: AsRef<str>, V: AsRef<str>> Headers for [(N, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    fn last_header(&self, name: &str) -> Option<&str> {
        self.iter()
            .rfind(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<N: AsRef<str>, V: AsRef<str>, const K: usize> Headers for [(N, V); K] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }

    fn last_header(&self, name: &str) -> Option<&str> {
        self.as_slice().last_header(name)
    }
}

impl<N: AsRef<str>, V: AsRef<str>> Headers for Vec<(N, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }

    fn last_header(&self, name: &str) -> Option<&str> {
        self.as_slice().last_header(name)
    }
}

/// No headers at all.
impl Headers for () {
    fn header(&self, _name: &str) -> Option<&str> {
        None
    }
}

#[cfg(feature = "http")]
impl Headers for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        let value = match known::name(name) {
            Some(known) => self.get(known),
            None => self.get(name),
        };
        value.and_then(|v| v.to_str().ok())
    }

    fn last_header(&self, name: &str) -> Option<&str> {
        let values = match known::name(name) {
            Some(known) => self.get_all(known),
            None => self.get_all(name),
        };
        values.iter().next_back().and_then(|v| v.to_str().ok())
    }
}

/// The headers the core asks for, as `http` header names built once: a lookup by
/// `HeaderName` hashes it, where a lookup by `&str` parses and lower-cases it first.
#[cfg(feature = "http")]
mod known {
    use http::HeaderName;
    use http::header::{AUTHORIZATION, CONTENT_TYPE, FORWARDED, HOST};

    const SIGNATURE: HeaderName = HeaderName::from_static("x-twilio-signature");
    const SIGNATURE_SETTINGS: HeaderName =
        HeaderName::from_static("x-twilio-webhooks-signature-settings");
    const FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
    const FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
    const FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");

    /// The names, each with the spelling the core asks for it by.
    static NAMES: [(&str, HeaderName); 9] = [
        (super::SIGNATURE_HEADER, SIGNATURE),
        ("content-type", CONTENT_TYPE),
        ("host", HOST),
        ("authorization", AUTHORIZATION),
        (super::SIGNATURE_SETTINGS_HEADER, SIGNATURE_SETTINGS),
        ("forwarded", FORWARDED),
        ("x-forwarded-proto", FORWARDED_PROTO),
        ("x-forwarded-host", FORWARDED_HOST),
        ("x-forwarded-port", FORWARDED_PORT),
    ];

    /// The prebuilt name for `name`, spelled as the core spells it; `None` for any other.
    pub(super) fn name(name: &str) -> Option<&'static HeaderName> {
        NAMES
            .iter()
            .find(|(spelled, _)| *spelled == name)
            .map(|(_, known)| known)
    }

    #[cfg(test)]
    mod tests {
        use super::super::Headers;
        use super::NAMES;
        use http::{HeaderMap, HeaderValue};

        #[test]
        fn each_prebuilt_name_is_its_spelling() {
            for (spelled, known) in &NAMES {
                assert_eq!(known.as_str(), spelled.to_ascii_lowercase());
            }
        }

        #[test]
        fn a_header_map_is_read_by_any_spelling() {
            let mut map = HeaderMap::new();
            map.insert("x-twilio-signature", HeaderValue::from_static("c2ln"));
            map.insert("content-type", HeaderValue::from_static("text/plain"));
            map.insert("x-custom", HeaderValue::from_static("1"));
            map.insert("x-binary", HeaderValue::from_bytes(b"\xff").unwrap());
            // Prebuilt, then by the general lookup.
            assert_eq!(map.header(crate::SIGNATURE_HEADER), Some("c2ln"));
            assert_eq!(map.header("x-TWILIO-signature"), Some("c2ln"));
            assert_eq!(map.header("content-type"), Some("text/plain"));
            assert_eq!(map.header("Content-Type"), Some("text/plain"));
            assert_eq!(map.header("X-Custom"), Some("1"));
            assert_eq!(map.header("host"), None);
            assert_eq!(map.header("x-binary"), None);
        }

        #[test]
        fn the_last_line_of_a_repeated_header() {
            let mut map = HeaderMap::new();
            map.append(
                "x-forwarded-host",
                HeaderValue::from_static("client.example"),
            );
            map.append(
                "x-forwarded-host",
                HeaderValue::from_static("proxy.example"),
            );
            assert_eq!(map.header("x-forwarded-host"), Some("client.example"));
            assert_eq!(map.last_header("x-forwarded-host"), Some("proxy.example"));
            assert_eq!(map.last_header("X-Forwarded-Host"), Some("proxy.example"));
        }
    }
}
