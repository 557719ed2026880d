//! What a server certificate says about itself (subject, issuer, validity,
//! host names, SHA-256), and what is wrong with it in words: self-signed,
//! expired on a date, not valid yet, or for another host name.

use std::net::IpAddr;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use x509_parser::extensions::GeneralName;

use crate::model::Fingerprint;

/// The facts a person checks before trusting a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateDetails {
    /// Who the certificate is for, e.g. `CN=erp.example.com`.
    pub subject: String,
    /// Who signed it (the subject again when self-signed).
    pub issuer: String,
    /// Start of validity (RFC 3339, UTC).
    pub not_before: String,
    /// End of validity (RFC 3339, UTC).
    pub not_after: String,
    /// The host names and addresses it is valid for.
    pub names: Vec<String>,
    /// SHA-256 of the DER certificate.
    pub sha256: Fingerprint,
    #[serde(skip)]
    validity: (OffsetDateTime, OffsetDateTime),
}

impl CertificateDetails {
    /// Reads a DER certificate; `None` when it cannot be parsed.
    pub(crate) fn from_der(der: &[u8]) -> Option<Self> {
        let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
        let validity = certificate.validity();
        let (not_before, not_after) = (
            validity.not_before.to_datetime(),
            validity.not_after.to_datetime(),
        );
        let names = certificate
            .subject_alternative_name()
            .ok()
            .flatten()
            .map(|extension| {
                extension
                    .value
                    .general_names
                    .iter()
                    .filter_map(name_text)
                    .collect()
            })
            .unwrap_or_default();
        Some(Self {
            subject: certificate.subject().to_string(),
            issuer: certificate.issuer().to_string(),
            not_before: rfc3339(not_before),
            not_after: rfc3339(not_after),
            names,
            sha256: Fingerprint::of_der(der),
            validity: (not_before, not_after),
        })
    }

    /// Everything wrong with the certificate for `host` at `now`, in words
    /// ("it is self-signed", "it expired on 2024-01-31").
    pub(crate) fn problems(&self, host: &str, now: OffsetDateTime) -> Vec<String> {
        let mut problems = Vec::new();
        if self.subject == self.issuer {
            problems.push("it is self-signed".to_owned());
        }
        let (not_before, not_after) = self.validity;
        if now > not_after {
            problems.push(format!("it expired on {}", day(not_after)));
        }
        if now < not_before {
            problems.push(format!(
                "it is valid only from {} (check this computer's clock)",
                day(not_before)
            ));
        }
        if !self.names.is_empty() && !self.names.iter().any(|name| covers(name, host)) {
            problems.push(format!(
                "it is for another host name ({})",
                self.names.join(", ")
            ));
        }
        problems
    }

    /// One sentence with every fact, for messages.
    pub(crate) fn summary(&self) -> String {
        format!(
            "subject {}, issued by {}, valid from {} to {}, SHA-256 {}",
            self.subject, self.issuer, self.not_before, self.not_after, self.sha256
        )
    }
}

fn name_text(name: &GeneralName<'_>) -> Option<String> {
    match name {
        GeneralName::DNSName(dns) => Some((*dns).to_owned()),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => <[u8; 4]>::try_from(*bytes)
                .ok()
                .map(|b| IpAddr::from(b).to_string()),
            16 => <[u8; 16]>::try_from(*bytes)
                .ok()
                .map(|b| IpAddr::from(b).to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// True when certificate name `name` (possibly `*.example.com`) covers `host`.
fn covers(name: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if name.eq_ignore_ascii_case(host) {
        return true;
    }
    match (name.strip_prefix("*."), host.split_once('.')) {
        (Some(parent), Some((_, host_parent))) => parent.eq_ignore_ascii_case(host_parent),
        _ => false,
    }
}

fn rfc3339(moment: OffsetDateTime) -> String {
    moment
        .format(&Rfc3339)
        .unwrap_or_else(|_| moment.to_string())
}

fn day(moment: OffsetDateTime) -> String {
    moment.date().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_cover_their_host_and_one_wildcard_label() {
        assert!(super::covers("erp.example.com", "ERP.example.com"));
        assert!(super::covers("*.example.com", "erp.example.com"));
        assert!(!super::covers("*.example.com", "a.erp.example.com"));
        assert!(!super::covers("other.example.com", "erp.example.com"));
        assert!(super::covers("::1", "[::1]"));
    }
}
