//! New credentials: self-signed certificates and PKCS#10 certificate signing requests.
//!
//! What Salesforce's "Create Self-Signed Certificate" and "Create CA-Signed Certificate" buttons
//! do, with the same fields. `rcgen` writes the ASN.1; the key comes from [`PrivateKey`].
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use samlkit_cert::{PrivateKey, Subject, generate};
//! # fn main() -> Result<(), samlkit_cert::CertError> {
//! # let pem = include_str!("../tests/data/idp.key");
//! let key = PrivateKey::from_pem(pem)?;
//! let subject = Subject::new("idp.example.com").organization("Example");
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
//! let cert = generate::self_signed(&key, &subject, now, 365)?;
//! assert_eq!(cert.info().subject, "O=Example, CN=idp.example.com");
//! assert!(cert.matches_key(&key));
//! # Ok(()) }
//! ```

use chrono::{DateTime, Utc};
use rcgen::string::{Ia5String, PrintableString};
use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, KeyPair};

use crate::certificate::Certificate;
use crate::key::{KeyAlgorithm, PrivateKey};
use crate::{CertError, pem};

/// Longest validity accepted, in days (100 years): longer periods only hide a forgotten renewal.
pub const MAX_DAYS: u32 = 36_500;

/// The subject name fields Salesforce's certificate forms ask for. Only the common name is
/// required; empty optional fields are left out of the name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// CN: the label that identifies the credential, usually a host name.
    pub common_name: String,
    /// O: company.
    pub organization: Option<String>,
    /// OU: department.
    pub organizational_unit: Option<String>,
    /// L: city.
    pub locality: Option<String>,
    /// ST: state or province.
    pub state: Option<String>,
    /// C: two-letter ISO 3166 country code.
    pub country: Option<String>,
    /// emailAddress.
    pub email: Option<String>,
}

impl Subject {
    /// A subject with only a common name.
    pub fn new(common_name: impl Into<String>) -> Subject {
        Subject { common_name: common_name.into(), ..Subject::default() }
    }

    /// Sets the organization (O).
    pub fn organization(mut self, value: impl Into<String>) -> Subject {
        self.organization = Some(value.into());
        self
    }

    /// Checks the fields and builds the X.500 name, in the order OpenSSL prints them.
    pub(crate) fn to_distinguished_name(&self) -> Result<DistinguishedName, CertError> {
        let invalid = |field: &'static str, reason: &str| CertError::InvalidParameter {
            field,
            reason: reason.to_string(),
        };
        let cn = self.common_name.trim();
        if cn.is_empty() {
            return Err(invalid("common name", "it must not be empty"));
        }
        if cn.chars().count() > 64 {
            return Err(invalid("common name", "it is longer than the 64 characters X.509 allows"));
        }
        let mut dn = DistinguishedName::new();
        if let Some(country) = non_empty(&self.country) {
            if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(invalid(
                    "country",
                    &format!("{country:?} is not a two-letter ISO 3166 code such as US or DE"),
                ));
            }
            let value = PrintableString::try_from(country.to_ascii_uppercase())
                .map_err(|e| invalid("country", &e.to_string()))?;
            dn.push(DnType::CountryName, DnValue::PrintableString(value));
        }
        let optional = [
            (DnType::StateOrProvinceName, &self.state, "state"),
            (DnType::LocalityName, &self.locality, "locality"),
            (DnType::OrganizationName, &self.organization, "organization"),
            (DnType::OrganizationalUnitName, &self.organizational_unit, "organizational unit"),
        ];
        for (dn_type, value, field) in optional {
            if let Some(value) = non_empty(value) {
                if value.chars().count() > 64 {
                    return Err(invalid(field, "it is longer than the 64 characters X.509 allows"));
                }
                dn.push(dn_type, value);
            }
        }
        dn.push(DnType::CommonName, cn);
        if let Some(email) = non_empty(&self.email) {
            let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.is_empty() && !domain.contains('@')
            });
            if !well_formed || !email.is_ascii() || email.len() > 255 {
                return Err(invalid("email", &format!("{email:?} is not an ASCII e-mail address")));
            }
            let value = Ia5String::try_from(email).map_err(|e| invalid("email", &e.to_string()))?;
            // emailAddress, 1.2.840.113549.1.9.1 (PKCS #9), an IA5String.
            dn.push(
                DnType::CustomDnType(vec![1, 2, 840, 113_549, 1, 9, 1]),
                DnValue::Ia5String(value),
            );
        }
        Ok(dn)
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Creates a self-signed X.509 v3 certificate for `key`, valid from `not_before` for `days`
/// days: random positive 16-byte serial, SHA-256 signature, keyUsage digitalSignature and
/// keyEncipherment, basicConstraints CA:FALSE, and a subjectKeyIdentifier.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use samlkit_cert::{PrivateKey, Subject, generate};
/// # fn main() -> Result<(), samlkit_cert::CertError> {
/// let key = PrivateKey::load(include_bytes!("../../../fixtures/keys/ec-p256.key"))?;
/// let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
/// let cert = generate::self_signed(&key, &Subject::new("idp.example.com"), now, 730)?;
/// assert_eq!(cert.info().not_before, now);
/// assert_eq!(cert.info().not_after, now + Duration::days(730));
/// assert!(cert.info().self_issued && cert.matches_key(&key));
///
/// // A validity of zero days is refused.
/// assert!(generate::self_signed(&key, &Subject::new("idp.example.com"), now, 0).is_err());
/// # Ok(()) }
/// ```
pub fn self_signed(
    key: &PrivateKey,
    subject: &Subject,
    not_before: DateTime<Utc>,
    days: u32,
) -> Result<Certificate, CertError> {
    crate::tls::self_signed_leaf(
        key,
        subject,
        not_before,
        days,
        &crate::tls::LeafProfile::default(),
    )
}

/// A PKCS#10 certificate signing request, ready to send to a certificate authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRequest {
    der: Vec<u8>,
}

impl CertificateRequest {
    /// The request as DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The request as PEM (`-----BEGIN CERTIFICATE REQUEST-----`), the form CAs ask for.
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE REQUEST", &self.der)
    }
}

/// Creates a PKCS#10 request for `key` with `subject`, signed with SHA-256 (proof that the
/// requester holds the key).
pub fn certificate_request(
    key: &PrivateKey,
    subject: &Subject,
) -> Result<CertificateRequest, CertError> {
    crate::tls::certificate_request(key, subject, &crate::tls::RequestProfile::default())
}

/// Signs a request for `key` with the subject and requested extensions of `params`.
pub(crate) fn serialize_request(
    params: &CertificateParams,
    key: &PrivateKey,
) -> Result<CertificateRequest, CertError> {
    let key_pair = rcgen_key(key)?;
    let csr = params.serialize_request(&key_pair).map_err(|e| CertError::Build {
        what: "certificate signing request",
        reason: e.to_string(),
    })?;
    Ok(CertificateRequest { der: csr.der().to_vec() })
}

pub(crate) fn rcgen_key(key: &PrivateKey) -> Result<KeyPair, CertError> {
    let algorithm = match key.algorithm() {
        KeyAlgorithm::Rsa { .. } => &rcgen::PKCS_RSA_SHA256,
        KeyAlgorithm::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyAlgorithm::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
    };
    KeyPair::from_pkcs8_pem_and_sign_algo(&key.to_pkcs8_pem(), algorithm).map_err(|e| {
        CertError::InvalidKey { kind: "private key", reason: format!("cannot sign with it: {e}") }
    })
}

pub(crate) fn to_offset(at: DateTime<Utc>) -> Result<time::OffsetDateTime, CertError> {
    time::OffsetDateTime::from_unix_timestamp(at.timestamp()).map_err(|e| {
        CertError::InvalidParameter { field: "validity", reason: format!("{at}: {e}") }
    })
}

/// 16 random bytes that encode as a positive, minimal, full-length DER INTEGER: the top bit
/// is cleared (positive) and the next one set (no leading zero byte to strip).
pub(crate) fn random_serial() -> Result<[u8; 16], CertError> {
    let mut serial = [0u8; 16];
    getrandom::fill(&mut serial).map_err(|e| CertError::Build {
        what: "certificate",
        reason: format!("no randomness for the serial number: {e}"),
    })?;
    serial[0] = (serial[0] & 0x7f) | 0x40;
    Ok(serial)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_positive_full_length_and_differ() {
        let a = random_serial().unwrap();
        let b = random_serial().unwrap();
        assert_ne!(a, b);
        for s in [a, b] {
            assert_eq!(s[0] & 0xc0, 0x40);
        }
    }

    #[test]
    fn subject_fields_are_validated() {
        let cases = [
            (Subject::new(" "), "invalid common name: it must not be empty"),
            (
                Subject::new("x".repeat(65)),
                "invalid common name: it is longer than the 64 characters X.509 allows",
            ),
            (
                Subject { country: Some("USA".into()), ..Subject::new("a") },
                "invalid country: \"USA\" is not a two-letter ISO 3166 code such as US or DE",
            ),
            (
                Subject { email: Some("nobody".into()), ..Subject::new("a") },
                "invalid email: \"nobody\" is not an ASCII e-mail address",
            ),
        ];
        for (subject, expected) in cases {
            assert_eq!(subject.to_distinguished_name().unwrap_err().to_string(), expected);
        }
        let full = Subject {
            organization: Some("O".into()),
            organizational_unit: Some("".into()),
            country: Some("de".into()),
            ..Subject::new("cn")
        };
        let dn = full.to_distinguished_name().unwrap();
        assert_eq!(dn.iter().count(), 3, "empty OU is left out");
    }
}
