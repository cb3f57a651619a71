//! Header lookup, so the core reads request headers without depending on any web
//! framework's (or any `http` crate version's) header map.

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
}

impl<H: Headers + ?Sized> Headers for &H {
    fn header(&self, name: &str) -> Option<&str> {
        (**self).header(name)
    }
}

impl<N: AsRef<str>, V: AsRef<str>> Headers for [(N, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<N: AsRef<str>, V: AsRef<str>, const K: usize> Headers for [(N, V); K] {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl<N: AsRef<str>, V: AsRef<str>> Headers for Vec<(N, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
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
        self.get(name).and_then(|v| v.to_str().ok())
    }
}
