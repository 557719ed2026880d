//! Scrubbing a connection's secret out of a text before it leaves the core
//! (server answers, fault strings, error messages), in every form a server
//! or proxy may echo it back.
//!
//! The secret is found raw; percent-encoded (either hex case, `+` for a
//! space); JSON-escaped (`\"`, `\\`, `\/`, `\n`…, `\uXXXX` and surrogate
//! pairs); Python-escaped (`\'`, `\xHH`); XML-escaped (`&amp;` `&lt;` `&gt;`
//! `&quot;` `&apos;`, `&#NN;`, `&#xHH;`); any of these nested one inside
//! another (e.g. a Python repr of JSON, `\\"`); and in base64 (standard and
//! URL-safe alphabets, padded or not, of the secret alone, of `login:secret`
//! as in an HTTP Basic header, and inside a longer base64 text). Every
//! occurrence becomes [`SECRET_REMOVED`], whose length says nothing about
//! the secret's.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use zeroize::Zeroizing;

use crate::model::SecretString;

/// What replaces each occurrence of the secret.
pub const SECRET_REMOVED: &str = "[secret removed]";

/// How many encodings deep a secret is still recognised (2: JSON inside XML).
const MAX_LAYERS: u8 = 2;

/// Shortest piece of base64 searched for inside a longer base64 text; a
/// shorter one would match ordinary words. (The secret's own base64 forms
/// are always searched for, whatever their length.)
const MIN_EMBEDDED_BASE64: usize = 8;

/// Removes one secret from texts. Built from the connection's secret;
/// holds it (and its base64 forms) only in wiped-on-drop memory.
pub struct Redactor {
    /// The secret and its base64 forms, longest first.
    needles: Vec<Zeroizing<Vec<char>>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redactor(••••••)")
    }
}

impl Redactor {
    /// Removes `secret` (an empty secret removes nothing).
    pub fn new(secret: &SecretString) -> Self {
        Self::build(None, secret)
    }

    /// Removes `secret`, and also `login:secret` in base64 (HTTP Basic).
    pub fn with_login(login: &str, secret: &SecretString) -> Self {
        Self::build(Some(login), secret)
    }

    fn build(login: Option<&str>, secret: &SecretString) -> Self {
        let mut needles: Vec<Zeroizing<Vec<char>>> = Vec::new();
        if secret.is_empty() {
            return Self { needles };
        }
        let raw = secret.expose().as_bytes();
        let mut forms = vec![Zeroizing::new(secret.expose().to_owned())];
        forms.extend(base64_forms(raw));
        if let Some(login) = login {
            let pair = Zeroizing::new(format!("{login}:{}", secret.expose()));
            forms.extend(base64_forms(pair.as_bytes()));
        }
        forms.extend(embedded_base64(raw));
        for form in forms {
            let chars = Zeroizing::new(form.chars().collect::<Vec<char>>());
            if !chars.is_empty() && !needles.contains(&chars) {
                needles.push(chars);
            }
        }
        needles.sort_by_key(|needle| std::cmp::Reverse(needle.len()));
        Self { needles }
    }

    /// `text` with every occurrence of the secret replaced by [`SECRET_REMOVED`].
    pub fn scrub(&self, text: &str) -> String {
        if self.needles.is_empty() {
            return text.to_owned();
        }
        let mut scrubbed = String::with_capacity(text.len());
        let mut at = 0;
        while let Some(rest) = text.get(at..).filter(|rest| !rest.is_empty()) {
            let found = self
                .needles
                .iter()
                .filter_map(|needle| match_needle(text.as_bytes(), at, needle))
                .max();
            match found {
                Some(end) => {
                    scrubbed.push_str(SECRET_REMOVED);
                    at = end;
                }
                None => {
                    let next = rest.chars().next().map_or(1, char::len_utf8);
                    scrubbed.push_str(&rest[..next]);
                    at += next;
                }
            }
        }
        scrubbed
    }

    /// Scrubs `text` where it is.
    pub fn scrub_in_place(&self, text: &mut String) {
        let scrubbed = self.scrub(text);
        *text = scrubbed;
    }
}

/// base64 of `bytes` in both alphabets, padded and not.
fn base64_forms(bytes: &[u8]) -> Vec<Zeroizing<String>> {
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .map(|engine| Zeroizing::new(engine.encode(bytes)))
        .collect()
}

/// The base64 characters that encode `bytes` and nothing else, at each of
/// the three positions `bytes` can take inside a longer base64 text.
fn embedded_base64(bytes: &[u8]) -> Vec<Zeroizing<String>> {
    let mut cores = Vec::new();
    for offset in 0..3usize {
        let mut shifted = Zeroizing::new(vec![0u8; offset]);
        shifted.extend_from_slice(bytes);
        let first = (offset * 8).div_ceil(6);
        let end = shifted.len() * 8 / 6;
        for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            let encoded = Zeroizing::new(engine.encode(shifted.as_slice()));
            if end >= first + MIN_EMBEDDED_BASE64 {
                cores.push(Zeroizing::new(encoded[first..end].to_owned()));
            }
        }
    }
    cores
}

/// The end of the longest match of `needle` starting at byte `start`.
fn match_needle(text: &[u8], start: usize, needle: &[char]) -> Option<usize> {
    let mut ends = vec![start];
    for &wanted in needle {
        let mut next = Vec::new();
        for &at in &ends {
            match_char(text, at, wanted, 0, &mut next);
        }
        next.sort_unstable();
        next.dedup();
        if next.is_empty() {
            return None;
        }
        ends = next;
    }
    ends.last().copied()
}

/// One piece of an escape sequence.
#[derive(Clone, Copy)]
enum Atom {
    /// This character.
    Char(char),
    /// A hex digit of this value, in either case.
    Hex(u8),
}

/// Pushes to `ends` where `wanted`, raw or escaped, ends if it starts at `at`.
fn match_char(text: &[u8], at: usize, wanted: char, layer: u8, ends: &mut Vec<usize>) {
    let Some(&first) = text.get(at) else {
        return;
    };
    let mut utf8 = [0u8; 4];
    let raw = wanted.encode_utf8(&mut utf8).as_bytes();
    if text[at..].starts_with(raw) {
        ends.push(at + raw.len());
    }
    if layer < MAX_LAYERS && matches!(first, b'%' | b'+' | b'\\' | b'&') {
        for escape in escapes(wanted) {
            let mut here = vec![at];
            for atom in escape {
                let mut next = Vec::new();
                for &position in &here {
                    match atom {
                        Atom::Char(c) => match_char(text, position, c, layer + 1, &mut next),
                        Atom::Hex(value) => {
                            for digit in hex_digits(value) {
                                match_char(text, position, digit, layer + 1, &mut next);
                            }
                        }
                    }
                }
                here = next;
                if here.is_empty() {
                    break;
                }
            }
            ends.extend(here);
        }
    }
}

/// The lower- and upper-case spelling of a hex digit.
fn hex_digits(value: u8) -> Vec<char> {
    let lower = char::from_digit(u32::from(value), 16).unwrap_or('0');
    let upper = lower.to_ascii_uppercase();
    if lower == upper {
        vec![lower]
    } else {
        vec![lower, upper]
    }
}

fn hex_atoms(value: u32, digits: usize) -> impl Iterator<Item = Atom> {
    (0..digits)
        .rev()
        .map(move |index| Atom::Hex(((value >> (index * 4)) & 0xf) as u8))
}

fn literal(text: &str) -> impl Iterator<Item = Atom> + '_ {
    text.chars().map(Atom::Char)
}

/// Every escaped spelling of `c` (URL, JSON, Python, XML).
fn escapes(c: char) -> Vec<Vec<Atom>> {
    let mut forms = Vec::new();
    let mut utf8 = [0u8; 4];
    let percent = c
        .encode_utf8(&mut utf8)
        .bytes()
        .flat_map(|byte| {
            [Atom::Char('%')]
                .into_iter()
                .chain(hex_atoms(u32::from(byte), 2))
        })
        .collect();
    forms.push(percent);
    if c == ' ' {
        forms.push(vec![Atom::Char('+')]);
    }
    let mut units = [0u16; 2];
    let json_unicode = c
        .encode_utf16(&mut units)
        .iter()
        .flat_map(|&unit| literal("\\u").chain(hex_atoms(u32::from(unit), 4)))
        .collect();
    forms.push(json_unicode);
    if let Ok(byte) = u8::try_from(c) {
        forms.push(
            literal("\\x")
                .chain(hex_atoms(u32::from(byte), 2))
                .collect(),
        );
    }
    let short = match c {
        '"' => Some("\\\""),
        '\'' => Some("\\'"),
        '\\' => Some("\\\\"),
        '/' => Some("\\/"),
        '\u{8}' => Some("\\b"),
        '\u{c}' => Some("\\f"),
        '\n' => Some("\\n"),
        '\r' => Some("\\r"),
        '\t' => Some("\\t"),
        _ => None,
    };
    let entity = match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        _ => None,
    };
    forms.extend(
        short
            .into_iter()
            .chain(entity)
            .map(|form| literal(form).collect()),
    );
    forms.push(literal(&format!("&#{};", u32::from(c))).collect());
    let code = u32::from(c);
    let digits = format!("{code:x}").len();
    forms.push(
        literal("&#x")
            .chain(hex_atoms(code, digits))
            .chain(literal(";"))
            .collect(),
    );
    forms
}

#[cfg(test)]
mod tests {
    use super::{Redactor, SECRET_REMOVED};
    use crate::model::SecretString;
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

    const SECRET: &str = "p&ss\"wörd+/=<x>";

    fn redactor() -> Redactor {
        Redactor::with_login("admin", &SecretString::new(SECRET.to_owned()))
    }

    #[track_caller]
    fn assert_scrubbed(text: &str) {
        let scrubbed = redactor().scrub(&format!("before {text} after"));
        assert_eq!(scrubbed, format!("before {SECRET_REMOVED} after"), "{text}");
    }

    #[test]
    fn the_raw_secret_is_removed_everywhere() {
        let text = format!("{SECRET}, again {SECRET}{SECRET}");
        let scrubbed = redactor().scrub(&text);
        assert_eq!(
            scrubbed,
            format!("{SECRET_REMOVED}, again {SECRET_REMOVED}{SECRET_REMOVED}")
        );
    }

    #[test]
    fn url_encoded_forms_are_removed() {
        assert_scrubbed("p%26ss%22w%C3%B6rd%2B%2F%3D%3Cx%3E");
        assert_scrubbed("p%26ss%22w%c3%b6rd%2b%2f%3d%3cx%3e");
        assert_scrubbed("p%26ss%22w%C3%B6rd%2B/=%3Cx%3E");
        let spaced = Redactor::new(&SecretString::new("a b&c".to_owned()));
        assert_eq!(spaced.scrub("x=a+b%26c"), format!("x={SECRET_REMOVED}"));
    }

    #[test]
    fn json_and_python_escaped_forms_are_removed() {
        let json = serde_json::to_string(SECRET).unwrap();
        assert_scrubbed(json.trim_matches('"'));
        assert_scrubbed("p&ss\\\"w\\u00f6rd+\\/=<x>");
        assert_scrubbed("p\\u0026ss\\u0022w\\u00F6rd\\u002b\\u002f\\u003d\\u003cx\\u003e");
        assert_scrubbed("p&ss\\\\\"wörd+/=<x>");
        assert_scrubbed("p&ss\"w\\xf6rd+/=<x>");
        let control = Redactor::new(&SecretString::new("k\u{1}\\\u{1F600}".to_owned()));
        assert_eq!(
            control.scrub("[k\\u0001\\\\\\ud83d\\ude00]"),
            format!("[{SECRET_REMOVED}]")
        );
    }

    #[test]
    fn xml_escaped_forms_are_removed() {
        assert_scrubbed("p&amp;ss&quot;wörd+/=&lt;x&gt;");
        assert_scrubbed("p&#38;ss&#34;w&#246;rd+/=&#60;x&#62;");
        assert_scrubbed("p&#x26;ss&#x22;w&#xF6;rd+/=&#x3c;x&#x3E;");
        assert_scrubbed("p&amp;ss\\&quot;wörd+/=&lt;x&gt;");
    }

    #[test]
    fn base64_forms_are_removed() {
        let pair = format!("admin:{SECRET}");
        for encoded in [
            STANDARD.encode(SECRET),
            URL_SAFE_NO_PAD.encode(SECRET),
            STANDARD.encode(&pair),
            URL_SAFE_NO_PAD.encode(&pair),
        ] {
            let text = format!("Authorization: Basic {encoded}");
            let scrubbed = redactor().scrub(&text);
            assert!(!scrubbed.contains(&encoded), "{scrubbed}");
            assert!(scrubbed.contains(SECRET_REMOVED), "{scrubbed}");
        }
    }

    #[test]
    fn base64_of_a_longer_text_loses_the_secret_at_every_alignment() {
        let core_of = |prefix: &str| {
            let whole = STANDARD.encode(format!("{prefix}{SECRET} and more"));
            let scrubbed = redactor().scrub(&whole);
            assert!(scrubbed.contains(SECRET_REMOVED), "{prefix:?}: {scrubbed}");
            assert!(scrubbed.len() < whole.len() + SECRET_REMOVED.len() - 10);
        };
        core_of("");
        core_of("a");
        core_of("ab");
    }

    #[test]
    fn other_text_is_left_alone() {
        let text = "HTTP 500: Invalid request &amp; p&ss wörd <x> %3D \\u00f6";
        assert_eq!(redactor().scrub(text), text);
        assert_eq!(
            Redactor::new(&SecretString::new(String::new())).scrub(text),
            text
        );
    }

    #[test]
    fn a_one_character_secret_is_still_removed_and_the_marker_is_fixed() {
        let short = Redactor::new(&SecretString::new("q".to_owned()));
        assert_eq!(
            short.scrub("q%71"),
            format!("{SECRET_REMOVED}{SECRET_REMOVED}")
        );
        let long = Redactor::new(&SecretString::new("q".repeat(40)));
        assert_eq!(long.scrub(&"q".repeat(40)), SECRET_REMOVED);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        assert!(!format!("{:?}", redactor()).contains("ss"));
    }
}
