//! Field newtypes of a connection, each parsed from text with a message that
//! says what to change.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a text value was refused, phrased for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(String);

impl ValueError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Implements `FromStr`, `TryFrom<String>`, `Display`, `AsRef<str>` and serde
/// (as a string) for a newtype whose parser is `fn parse(&str) -> Result<Self, ValueError>`.
macro_rules! text_newtype {
    ($ty:ident) => {
        impl FromStr for $ty {
            type Err = ValueError;
            fn from_str(text: &str) -> Result<Self, ValueError> {
                Self::parse(text)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = ValueError;
            fn try_from(text: String) -> Result<Self, ValueError> {
                Self::parse(&text)
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.to_string()
            }
        }
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// True when `haystack` contains `needle` ignoring case. Allocation-free
/// for ASCII text, which keeps filtering a long list cheap enough to run on
/// every frame.
pub fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if haystack.is_ascii() && needle.is_ascii() {
        let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
        let first = needle[0].to_ascii_lowercase();
        let last_start = haystack.len().saturating_sub(needle.len());
        return haystack.len() >= needle.len()
            && (0..=last_start).any(|start| {
                haystack[start].to_ascii_lowercase() == first
                    && haystack[start + 1..start + needle.len()].eq_ignore_ascii_case(&needle[1..])
            });
    }
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// The unique, human-chosen name of a connection (`acme-prod`, `Acme staging`).
///
/// 1 to 64 characters: letters, digits, `-`, `_`, `.` and single inner spaces;
/// it must start with a letter or digit so it never looks like a command-line flag.
/// Names are unique ignoring case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionName(String);

impl ConnectionName {
    /// Longest accepted name, in characters.
    pub const MAX_CHARS: usize = 64;

    fn parse(text: &str) -> Result<Self, ValueError> {
        let name = text.trim();
        if name.is_empty() {
            return Err(ValueError::new(
                "a name is required, for example \"acme-prod\"",
            ));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(ValueError::new(format!(
                "the name is longer than {} characters; shorten it",
                Self::MAX_CHARS
            )));
        }
        if !name.chars().next().is_some_and(char::is_alphanumeric) {
            return Err(ValueError::new(
                "the name must start with a letter or a digit",
            ));
        }
        if name.contains("  ") {
            return Err(ValueError::new("the name has two spaces in a row; use one"));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ')))
        {
            return Err(ValueError::new(format!(
                "the name may not contain {bad:?}; use letters, digits, '-', '_', '.' or spaces"
            )));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when both names are the same ignoring case (names are unique that way).
    pub fn same_as(&self, other: &str) -> bool {
        if self.0.is_ascii() && other.is_ascii() {
            return self.0.eq_ignore_ascii_case(other.trim());
        }
        Self::folded(&self.0) == Self::folded(other)
    }

    /// `name` as [`ConnectionName::same_as`] compares it: trimmed and in
    /// lower case, so that two names are the same exactly when their
    /// folded forms are equal (a key for looking names up).
    pub fn folded(name: &str) -> String {
        name.trim().chars().flat_map(char::to_lowercase).collect()
    }
}

impl fmt::Display for ConnectionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
text_newtype!(ConnectionName);

/// The base URL of an Odoo server: `http` or `https`, a host, an optional
/// port, and nothing else (Odoo is always served at the site root).
///
/// A URL pasted from the browser (`https://erp.example.com/odoo/action-12`,
/// `…/web#id=3`) is reduced to its site root; any other path is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerUrl(url::Url);

impl ServerUrl {
    fn parse(text: &str) -> Result<Self, ValueError> {
        Self::parse_browser(text).map(|(url, _)| url)
    }

    /// What [`ServerUrl`] parsing drops from a URL pasted from the browser
    /// (`/odoo/action-12?debug=1`), or `None` when `text` is a site root or
    /// not a valid server URL.
    pub fn dropped_part(text: &str) -> Option<String> {
        Self::parse_browser(text).ok()?.1
    }

    /// The site root, and the browser part that was dropped from it.
    fn parse_browser(text: &str) -> Result<(Self, Option<String>), ValueError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ValueError::new(
                "a server URL is required, for example https://erp.example.com",
            ));
        }
        check_scheme(text)?;
        let mut url = url::Url::parse(text).map_err(|err| {
            ValueError::new(format!(
                "{text:?} is not a URL ({err}); write it like https://erp.example.com"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ValueError::new(format!(
                "the URL must start with https:// or http://, not {}://",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ValueError::new("the URL has no host name"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ValueError::new(
                "remove the user name and password from the URL; put them in the login and secret fields",
            ));
        }
        let path = url.path().trim_end_matches('/');
        let first_segment = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let odoo_client_path = matches!(first_segment, "web" | "odoo");
        if !path.is_empty() && !odoo_client_path {
            return Err(ValueError::new(format!(
                "Odoo is served at the site root; remove {path:?} from the URL"
            )));
        }
        if !odoo_client_path && url.query().is_some() {
            return Err(ValueError::new("remove the \"?…\" part from the URL"));
        }
        let root_len = url[..url::Position::BeforePath].len();
        let dropped = Some(url.as_str()[root_len..].to_owned())
            .filter(|rest| !rest.trim_end_matches(['/', '#', '?']).is_empty());
        url.set_path("");
        url.set_query(None);
        url.set_fragment(None);
        Ok((Self(url), dropped))
    }
    /// The parsed URL (always ending in `/`, with no query or fragment).
    pub fn url(&self) -> &url::Url {
        &self.0
    }

    /// The URL of `path` on this server, e.g. `join("/xmlrpc/2/common")`.
    pub fn join(&self, path: &str) -> url::Url {
        let mut url = self.0.clone();
        url.set_path(path);
        url
    }

    /// The host name, without port.
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// True for `https://` URLs.
    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }
}

/// Refuses a URL without `http://` or `https://` in front, naming the fix:
/// both spellings for a bare host, the corrected URL for a mistyped scheme
/// (`http:/host`, `http//host`).
fn check_scheme(text: &str) -> Result<(), ValueError> {
    if text.contains("://") {
        return Ok(());
    }
    let lowered = text.to_ascii_lowercase();
    for scheme in ["https", "http"] {
        let Some(rest) = lowered.strip_prefix(scheme) else {
            continue;
        };
        if rest.starts_with(':') || rest.starts_with('/') {
            let host = text[scheme.len()..].trim_start_matches([':', '/']);
            let fixed = format!("{scheme}://{host}");
            let fixed = ServerUrl::parse(&fixed).map_or(fixed, |url| url.to_string());
            return Err(ValueError::new(format!(
                "{text:?} is missing part of \"{scheme}://\"; did you mean {fixed}?"
            )));
        }
    }
    if let Some((scheme, rest)) = text.split_once(':')
        && !scheme.is_empty()
        && scheme.chars().all(|c| c.is_ascii_alphabetic())
        && !rest.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(ValueError::new(format!(
            "{text:?} is not a web address ({scheme}: is not http or https); write the Odoo server's address like https://erp.example.com"
        )));
    }
    Err(ValueError::new(format!(
        "the URL needs its scheme: write https://{text} for a server with TLS, or http://{text} for plain HTTP (a local server on port 8069 usually)"
    )))
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}
text_newtype!(ServerUrl);

/// An Odoo database name, following Odoo's own rule
/// (`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`, at most 63 characters for PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DatabaseName(String);

impl DatabaseName {
    fn parse(text: &str) -> Result<Self, ValueError> {
        let name = text.trim();
        if name.is_empty() {
            return Err(ValueError::new(
                "a database name is required; use \"Discover\" or ask your Odoo administrator",
            ));
        }
        if name.len() > 63 {
            return Err(ValueError::new("database names are at most 63 characters"));
        }
        if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(ValueError::new(
                "a database name starts with a letter or a digit",
            ));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        {
            return Err(ValueError::new(format!(
                "database names may not contain {bad:?}; Odoo allows letters, digits, '_', '.' and '-'"
            )));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DatabaseName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
text_newtype!(DatabaseName);

/// The Odoo login (usually an e-mail address or `admin`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Login(String);

impl Login {
    fn parse(text: &str) -> Result<Self, ValueError> {
        let login = text.trim();
        if login.is_empty() {
            return Err(ValueError::new(
                "a login is required, for example admin or you@example.com",
            ));
        }
        if login.chars().count() > 254 {
            return Err(ValueError::new("the login is longer than 254 characters"));
        }
        if has_control(login) {
            return Err(ValueError::new("the login contains control characters"));
        }
        Ok(Self(login.to_owned()))
    }

    /// The login as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
text_newtype!(Login);

/// A free-form label used to group and filter connections (`client-a`, `eu`).
/// Stored in lower case; 1 to 32 characters without spaces or commas.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    fn parse(text: &str) -> Result<Self, ValueError> {
        let tag = text.trim().to_lowercase();
        if tag.is_empty() {
            return Err(ValueError::new("a tag cannot be empty"));
        }
        if tag.chars().count() > 32 {
            return Err(ValueError::new(format!(
                "tag {tag:?} is longer than 32 characters"
            )));
        }
        if tag
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c.is_control())
        {
            return Err(ValueError::new(format!(
                "tag {tag:?} may not contain spaces or commas; separate tags with commas"
            )));
        }
        Ok(Self(tag))
    }

    /// Parses a comma-separated list, dropping duplicates and empty items.
    pub fn parse_list(text: &str) -> Result<Vec<Tag>, ValueError> {
        let mut tags: Vec<Tag> = Vec::new();
        for item in text.split(',').filter(|item| !item.trim().is_empty()) {
            let tag = Tag::parse(item)?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        Ok(tags)
    }

    /// The tag text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
text_newtype!(Tag);

/// The SHA-256 fingerprint of a server certificate, written as 32 hex bytes
/// (`AB:CD:…`, colons and case optional on input).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The fingerprint of a DER-encoded certificate.
    pub fn of_der(der: &[u8]) -> Self {
        use sha2::Digest as _;
        Self(sha2::Sha256::digest(der).into())
    }

    fn parse(text: &str) -> Result<Self, ValueError> {
        let hex: String = text
            .trim()
            .trim_start_matches("sha256:")
            .trim_start_matches("SHA256:")
            .chars()
            .filter(|c| !matches!(c, ':' | ' '))
            .collect();
        let invalid = || {
            ValueError::new(
                "a SHA-256 fingerprint is 64 hex digits (colons allowed), as shown by the TLS prompt or `openssl x509 -fingerprint -sha256`",
            )
        };
        if hex.len() != 64 {
            return Err(invalid());
        }
        let mut bytes = [0u8; 32];
        for (index, byte) in bytes.iter_mut().enumerate() {
            *byte =
                u8::from_str_radix(&hex[index * 2..index * 2 + 2], 16).map_err(|_| invalid())?;
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|byte| format!("{byte:02X}")).collect();
        f.write_str(&parts.join(":"))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}
text_newtype!(Fingerprint);

/// How long one connection test may take, in whole seconds (1 to 300).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct TimeoutSecs(u16);

impl TimeoutSecs {
    /// The default: long enough for a slow server, short enough to notice a dead one.
    pub const DEFAULT: TimeoutSecs = TimeoutSecs(15);
    const MAX: u64 = 300;

    /// Accepts 1 to 300 seconds.
    pub fn new(secs: u64) -> Result<Self, ValueError> {
        if !(1..=Self::MAX).contains(&secs) {
            return Err(ValueError::new(format!(
                "the timeout must be between 1 and {} seconds",
                Self::MAX
            )));
        }
        Ok(Self(u16::try_from(secs).unwrap_or(u16::MAX)))
    }

    fn parse(text: &str) -> Result<Self, ValueError> {
        let text = text.trim().trim_end_matches('s').trim();
        let secs = text.parse::<u64>().map_err(|_| {
            ValueError::new("the timeout is a whole number of seconds, for example 15")
        })?;
        Self::new(secs)
    }

    /// The timeout as a duration.
    pub fn duration(self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.0))
    }

    /// The number of seconds.
    pub fn secs(self) -> u64 {
        u64::from(self.0)
    }
}

impl Default for TimeoutSecs {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl FromStr for TimeoutSecs {
    type Err = ValueError;
    fn from_str(text: &str) -> Result<Self, ValueError> {
        Self::parse(text)
    }
}

impl TryFrom<u64> for TimeoutSecs {
    type Error = ValueError;
    fn try_from(secs: u64) -> Result<Self, ValueError> {
        Self::new(secs)
    }
}

impl From<TimeoutSecs> for u64 {
    fn from(value: TimeoutSecs) -> u64 {
        value.secs()
    }
}

impl fmt::Display for TimeoutSecs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accept_people_words_and_refuse_flags_and_symbols() {
        assert_eq!(
            ConnectionName::parse(" Acme prod ").unwrap().as_str(),
            "Acme prod"
        );
        assert!(ConnectionName::parse("-rf").is_err());
        assert!(ConnectionName::parse("a/b").is_err());
        assert!(ConnectionName::parse("a  b").is_err());
        assert!(ConnectionName::parse("").is_err());
        assert!(ConnectionName::parse(&"x".repeat(65)).is_err());
        assert!(ConnectionName::parse("Прод-1").is_ok());
        assert!(ConnectionName::parse("acme").unwrap().same_as("ACME"));
    }

    #[test]
    fn folded_names_are_equal_exactly_when_the_names_are_the_same() {
        let pairs = [
            ("acme", " ACME ", true),
            ("Прод-1", "прод-1", true),
            ("Straße", "STRASSE", false),
            ("İstanbul", "i̇stanbul", true),
            ("acme", "acme2", false),
        ];
        for (name, other, same) in pairs {
            let parsed = ConnectionName::parse(name).unwrap();
            assert_eq!(parsed.same_as(other), same, "{name} / {other}");
            let folded_equal = ConnectionName::folded(name) == ConnectionName::folded(other);
            assert_eq!(folded_equal, same, "folded {name} / {other}");
        }
    }

    #[test]
    fn urls_without_a_scheme_or_with_a_typo_name_the_fix() {
        let refusal = |text: &str| ServerUrl::parse(text).unwrap_err().to_string();
        assert_eq!(
            refusal("localhost:8069"),
            "the URL needs its scheme: write https://localhost:8069 for a server with TLS, or http://localhost:8069 for plain HTTP (a local server on port 8069 usually)"
        );
        assert!(refusal("erp.example.com").contains("write https://erp.example.com for"));
        assert_eq!(
            refusal("http:/host:8069"),
            "\"http:/host:8069\" is missing part of \"http://\"; did you mean http://host:8069?"
        );
        assert!(refusal("http//host").ends_with("did you mean http://host?"));
        assert!(
            refusal("HTTPS:/erp.example.com/odoo/action-3")
                .ends_with("did you mean https://erp.example.com?")
        );
        assert_eq!(
            refusal("javascript:alert(1)"),
            "\"javascript:alert(1)\" is not a web address (javascript: is not http or https); write the Odoo server's address like https://erp.example.com"
        );
    }

    #[test]
    fn a_pasted_browser_url_names_what_was_dropped() {
        assert_eq!(
            ServerUrl::dropped_part("https://erp.example.com/odoo/action-12?debug=1").as_deref(),
            Some("/odoo/action-12?debug=1")
        );
        assert_eq!(
            ServerUrl::dropped_part("https://erp.example.com/web#id=3").as_deref(),
            Some("/web#id=3")
        );
        assert_eq!(ServerUrl::dropped_part("https://erp.example.com/"), None);
        assert_eq!(ServerUrl::dropped_part("https://erp.example.com"), None);
        assert_eq!(ServerUrl::dropped_part("erp.example.com/web"), None);
    }

    #[test]
    fn urls_are_reduced_to_the_site_root() {
        let url = ServerUrl::parse("https://erp.example.com/odoo/action-12?debug=1").unwrap();
        assert_eq!(url.to_string(), "https://erp.example.com");
        let url = ServerUrl::parse("https://erp.example.com:8443/web#id=3").unwrap();
        assert_eq!(url.to_string(), "https://erp.example.com:8443");
        assert_eq!(
            url.join("/jsonrpc").as_str(),
            "https://erp.example.com:8443/jsonrpc"
        );
        assert!(ServerUrl::parse("ftp://x").is_err());
        assert!(ServerUrl::parse("https://u:p@x").is_err());
        assert!(
            ServerUrl::parse("https://x/erp")
                .unwrap_err()
                .to_string()
                .contains("/erp")
        );
        assert!(ServerUrl::parse("https://").is_err());
    }

    #[test]
    fn database_names_follow_odoo_rule() {
        assert!(DatabaseName::parse("acme_prod-2.0").is_ok());
        assert!(DatabaseName::parse("_x").is_err());
        assert!(DatabaseName::parse("a b").is_err());
    }

    #[test]
    fn fingerprints_round_trip_in_any_common_spelling() {
        let colons = "AB:".repeat(31) + "CD";
        let plain = colons.replace(':', "").to_lowercase();
        let parsed = Fingerprint::parse(&plain).unwrap();
        assert_eq!(parsed.to_string(), colons);
        assert_eq!(
            Fingerprint::parse(&format!("sha256:{colons}")).unwrap(),
            parsed
        );
        assert!(Fingerprint::parse("abcd").is_err());
        assert!(Fingerprint::parse(&"zz".repeat(32)).is_err());
    }

    #[test]
    fn case_insensitive_search_finds_every_position() {
        for (haystack, needle, found) in [
            ("Acme-Prod", "PROD", true),
            ("Acme-Prod", "acme-prod", true),
            ("abc", "abcd", false),
            ("aab", "ab", true),
            ("Прод-1", "прод", true),
            ("x", "", true),
        ] {
            assert_eq!(
                contains_ignoring_case(haystack, needle),
                found,
                "{haystack} / {needle}"
            );
        }
    }

    #[test]
    fn tags_are_lowercased_and_deduplicated() {
        let tags = Tag::parse_list("EU, client-a,eu,").unwrap();
        let texts: Vec<&str> = tags.iter().map(Tag::as_str).collect();
        assert_eq!(texts, ["eu", "client-a"]);
        assert!(Tag::parse_list("two words").is_err());
    }

    #[test]
    fn timeouts_are_bounded() {
        assert_eq!(TimeoutSecs::parse("30s").unwrap().secs(), 30);
        assert!(TimeoutSecs::parse("0").is_err());
        assert!(TimeoutSecs::parse("301").is_err());
        assert!(TimeoutSecs::parse("x").is_err());
    }
}
