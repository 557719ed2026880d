//! A complete HTTP answer as the client read it (a leaf: the HTTP client
//! and the front-end diagnoses both use it).

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};

/// A complete HTTP answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// True when the server sent a web page (a proxy, a website, an error page).
    pub fn is_html(&self) -> bool {
        let content_type = self
            .headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let opening: String = self.body.trim_start().chars().take(15).collect();
        let opening = opening.to_ascii_lowercase();
        content_type.starts_with("text/html")
            || opening.starts_with("<!doctype html")
            || opening.starts_with("<html")
    }
}
