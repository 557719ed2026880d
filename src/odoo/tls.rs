//! Certificate checking for the three TLS modes, recording the server
//! certificate's fingerprint so an untrusted or mismatched one can be pinned.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};

use crate::model::{Fingerprint, TlsMode};

use super::certificate::CertificateDetails;

/// What the last handshake showed about the server certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SeenCertificate {
    /// SHA-256 of the end-entity certificate.
    pub fingerprint: Fingerprint,
    /// Its subject, issuer and validity, when it could be read.
    pub details: Option<CertificateDetails>,
    /// Why it was refused, when it was.
    pub rejection: Option<String>,
}

/// Shared record of the certificates a client saw.
#[derive(Debug, Default)]
pub(crate) struct CertificateLog(Mutex<Option<SeenCertificate>>);

impl CertificateLog {
    /// The last certificate seen, if any handshake got that far.
    pub fn last(&self) -> Option<SeenCertificate> {
        self.0.lock().map(|seen| seen.clone()).unwrap_or_default()
    }

    fn record(&self, seen: SeenCertificate) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(seen);
        }
    }
}

#[derive(Debug)]
enum Policy {
    System(rustls_platform_verifier::Verifier),
    Pinned(Fingerprint),
    Insecure,
}

/// Applies the connection's TLS mode and records what it saw.
#[derive(Debug)]
struct RecordingVerifier {
    policy: Policy,
    provider: Arc<CryptoProvider>,
    log: Arc<CertificateLog>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fingerprint = Fingerprint::of_der(end_entity.as_ref());
        let outcome = match &self.policy {
            Policy::System(verifier) => verifier.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
            Policy::Pinned(pin) if *pin == fingerprint => Ok(ServerCertVerified::assertion()),
            Policy::Pinned(_) => Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            )),
            Policy::Insecure => Ok(ServerCertVerified::assertion()),
        };
        self.log.record(SeenCertificate {
            fingerprint,
            details: CertificateDetails::from_der(end_entity.as_ref()),
            rejection: outcome.as_ref().err().map(describe),
        });
        outcome
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        match &self.policy {
            Policy::System(verifier) => verifier.verify_tls12_signature(message, cert, dss),
            _ => verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            ),
        }
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        match &self.policy {
            Policy::System(verifier) => verifier.verify_tls13_signature(message, cert, dss),
            _ => verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            ),
        }
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Why a certificate was refused, in words a person can act on (the
/// certificate's own facts, see [`CertificateDetails::problems`], come first).
fn describe(error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidCertificate(reason) => match reason {
            CertificateError::UnknownIssuer => {
                "it is issued by an authority this computer does not know".to_owned()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "it was issued for another host name".to_owned()
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "it has expired".to_owned()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "it is not valid yet; check this computer's clock".to_owned()
            }
            CertificateError::Revoked => "it was revoked".to_owned(),
            _ => "this computer's certificate check refused it".to_owned(),
        },
        _ => "this computer's certificate check refused it".to_owned(),
    }
}

/// A rustls client configuration for `mode` whose verifier records into `log`.
pub(crate) fn client_config(
    mode: TlsMode,
    log: Arc<CertificateLog>,
) -> Result<ClientConfig, rustls::Error> {
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    let policy = match mode {
        TlsMode::System => {
            Policy::System(rustls_platform_verifier::Verifier::new(provider.clone())?)
        }
        TlsMode::Pinned { sha256 } => Policy::Pinned(sha256),
        TlsMode::Insecure => Policy::Insecure,
    };
    let verifier = RecordingVerifier {
        policy,
        provider: provider.clone(),
        log,
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
