//! X.509 certificates: loading (PEM or DER), inspection and fingerprints.
//!
//! ```
//! use samlkit_cert::Certificate;
//! # fn main() -> Result<(), samlkit_cert::CertError> {
//! # let pem = include_bytes!("../tests/data/idp.crt");
//! let cert = Certificate::load(pem)?;
//! assert_eq!(cert.info().common_name.as_deref(), Some("idp.example.com"));
//! assert_eq!(cert.sha256_fingerprint().len(), 32 * 3 - 1); // "AB:CD:…"
//! # Ok(()) }
//! ```

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sha2::Digest as _;
use x509_parser::oid_registry::{
    OID_DOMAIN_COMPONENT, OID_PKCS9_EMAIL_ADDRESS, OID_X509_COMMON_NAME, OID_X509_COUNTRY_NAME,
    OID_X509_LOCALITY_NAME, OID_X509_ORGANIZATION_NAME, OID_X509_ORGANIZATIONAL_UNIT,
    OID_X509_STATE_OR_PROVINCE_NAME, Oid, OidRegistry,
};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::X509Name;

use crate::key::{KeyAlgorithm, PrivateKey, PublicKey};
use crate::{CertError, pem};

/// What `samlkit cert show` prints: the facts an administrator compares against Setup screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Subject distinguished name, e.g. `CN=idp.example.com, O=Example IdP`.
    pub subject: String,
    /// Issuer distinguished name (the subject again for a self-signed certificate).
    pub issuer: String,
    /// The subject's first common name, if any.
    pub common_name: Option<String>,
    /// Serial number as upper-case hex without separators (as `openssl x509 -serial` prints).
    pub serial: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// The certified key's algorithm and size.
    pub key: KeyAlgorithm,
    /// The issuer's signature algorithm, e.g. `sha256WithRSAEncryption`.
    pub signature_algorithm: String,
    /// Whether subject and issuer are the same name.
    pub self_issued: bool,
}

/// One X.509 certificate: its DER bytes plus the parsed facts about it.
#[derive(Debug, Clone)]
pub struct Certificate {
    der: Vec<u8>,
    public_key: PublicKey,
    info: CertificateInfo,
    /// Computed once at load: verification reports it for every message it accepts.
    sha256_fingerprint: String,
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl Certificate {
    /// Parses one DER certificate (the whole input must be the certificate).
    pub fn from_der(der: &[u8]) -> Result<Certificate, CertError> {
        Certificate::from_der_at(der, None)
    }

    fn from_der_at(der: &[u8], index: Option<usize>) -> Result<Certificate, CertError> {
        let invalid = |reason: String| CertError::InvalidCertificate { index, reason };
        let (rest, cert) = X509Certificate::from_der(der)
            .map_err(|e| invalid(format!("not a DER X.509 certificate ({e})")))?;
        if !rest.is_empty() {
            return Err(invalid(format!("{} trailing bytes after the certificate", rest.len())));
        }
        let public_key = PublicKey::from_spki_der(cert.public_key().raw)?;
        let time = |t: &x509_parser::time::ASN1Time, what: &str| {
            DateTime::from_timestamp(t.timestamp(), 0)
                .ok_or_else(|| invalid(format!("{what} is out of range")))
        };
        let validity = cert.validity();
        let common_name = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(str::to_string);
        let info = CertificateInfo {
            subject: name_text(cert.subject()),
            issuer: name_text(cert.issuer()),
            common_name,
            serial: cert.raw_serial().iter().fold(String::new(), |mut s, b| {
                let _ = write!(s, "{b:02X}");
                s
            }),
            not_before: time(&validity.not_before, "notBefore")?,
            not_after: time(&validity.not_after, "notAfter")?,
            key: public_key.algorithm(),
            signature_algorithm: signature_algorithm_name(
                &cert.signature_algorithm.algorithm.to_id_string(),
            ),
            self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
        };
        let sha256_fingerprint = colon_hex(&sha2::Sha256::digest(der));
        Ok(Certificate { der: der.to_vec(), public_key, info, sha256_fingerprint })
    }

    /// Reads every certificate in `bytes`: PEM with one or more `CERTIFICATE` blocks, a
    /// single DER certificate, or the bare base64 of one (as copied from a metadata
    /// `<ds:X509Certificate>`, line breaks and indentation allowed). A UTF-8 byte-order mark
    /// before PEM is ignored. Other PEM blocks (keys, parameters) are skipped; an input with
    /// no certificate at all is an error that says what it holds instead.
    pub fn load_all(bytes: &[u8]) -> Result<Vec<Certificate>, CertError> {
        let text = match std::str::from_utf8(bytes) {
            Ok(text) if pem::looks_like_pem(bytes) => text,
            _ => {
                if bytes.first() == Some(&0x30) {
                    return Ok(vec![Certificate::from_der(bytes)?]);
                }
                if let Some(der) = bare_base64_der(bytes) {
                    return Ok(vec![Certificate::from_der(&der)?]);
                }
                return Err(CertError::NotFound {
                    expected: "certificate",
                    found: "the input is neither PEM (no -----BEGIN line) nor DER".into(),
                });
            }
        };
        let blocks = pem::parse_all(text)?;
        let cert_blocks: Vec<_> = blocks
            .iter()
            .filter(|b| b.label == "CERTIFICATE" || b.label == "X509 CERTIFICATE")
            .collect();
        if cert_blocks.is_empty() {
            return Err(CertError::NotFound {
                expected: "certificate",
                found: pem::describe_labels(&blocks),
            });
        }
        let numbered = cert_blocks.len() > 1;
        cert_blocks
            .iter()
            .enumerate()
            .map(|(i, b)| Certificate::from_der_at(&b.der, numbered.then_some(i + 1)))
            .collect()
    }

    /// Reads the first certificate in `bytes` (PEM or DER); see [`Certificate::load_all`].
    ///
    /// ```
    /// use samlkit_cert::{CertError, Certificate};
    /// # fn main() -> Result<(), CertError> {
    /// let pem = Certificate::load(include_bytes!("../../../fixtures/certs/idp.crt"))?;
    /// let der = Certificate::load(include_bytes!("../../../fixtures/certs/idp.der"))?;
    /// assert_eq!(pem.der(), der.der());
    ///
    /// // A key file is not a certificate; the error says what the input holds instead.
    /// let err = Certificate::load(include_bytes!("../../../fixtures/keys/idp.key")).unwrap_err();
    /// assert!(matches!(err, CertError::NotFound { expected: "certificate", .. }));
    /// # Ok(()) }
    /// ```
    pub fn load(bytes: &[u8]) -> Result<Certificate, CertError> {
        Certificate::load_all(bytes)?
            .into_iter()
            .next()
            .ok_or(CertError::NotFound { expected: "certificate", found: "an empty input".into() })
    }

    /// The certificate as DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate as a PEM block (`-----BEGIN CERTIFICATE-----`).
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE", &self.der)
    }

    /// The certified public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// SHA-1 fingerprint of the DER, `AB:CD:…` (what older Salesforce screens show).
    pub fn sha1_fingerprint(&self) -> String {
        colon_hex(&sha1::Sha1::digest(&self.der))
    }

    /// SHA-256 fingerprint of the DER, `AB:CD:…`.
    pub fn sha256_fingerprint(&self) -> String {
        self.sha256_fingerprint.clone()
    }

    /// The parsed summary.
    pub fn info(&self) -> &CertificateInfo {
        &self.info
    }

    /// Whether `key` is the private half of this certificate's public key.
    pub fn matches_key(&self, key: &PrivateKey) -> bool {
        key.public_key() == self.public_key
    }
}

/// `AB:CD:…` upper-case hex.
fn colon_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// OpenSSL's short names for the signature algorithms one meets on SAML certificates.
pub(crate) fn signature_algorithm_name(dotted: &str) -> String {
    let name = match dotted {
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "rsassaPss",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ED25519",
        other => other,
    };
    name.to_string()
}

/// The DER of a certificate written as bare base64 (no PEM lines): base64 characters and
/// whitespace only, decoding to a DER SEQUENCE.
fn bare_base64_der(bytes: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let compact: Vec<u8> = bytes.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    if compact.is_empty()
        || !compact.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    {
        return None;
    }
    let der = base64::engine::general_purpose::STANDARD.decode(&compact).ok()?;
    (der.first() == Some(&0x30)).then_some(der)
}

/// The attribute types x509-parser writes by its own abbreviation (CN, C, L, ST, O, OU, DC,
/// Email), before it would look in its OID registry.
const ABBREVIATED: [Oid<'static>; 8] = [
    OID_X509_COMMON_NAME,
    OID_X509_COUNTRY_NAME,
    OID_X509_LOCALITY_NAME,
    OID_X509_STATE_OR_PROVINCE_NAME,
    OID_X509_ORGANIZATION_NAME,
    OID_X509_ORGANIZATIONAL_UNIT,
    OID_DOMAIN_COMPONENT,
    OID_PKCS9_EMAIL_ADDRESS,
];

/// A distinguished name exactly as x509-parser's `Display` writes it. A name made only of the
/// attribute types it abbreviates itself (nearly every certificate's) is written without its
/// OID registry, whose first use builds a table of every OID it knows: about 150,000
/// instructions, a sixteenth of a one-file `samlkit verify` process.
fn name_text(name: &X509Name<'_>) -> String {
    if name.iter_attributes().all(|a| ABBREVIATED.contains(a.attr_type()))
        && let Ok(text) = name.to_string_with_registry(&OidRegistry::default())
    {
        return text;
    }
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names with and without attribute types outside the abbreviated ones read exactly as
    /// x509-parser's own `Display` writes them.
    #[test]
    fn names_read_as_x509_parser_writes_them() {
        use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, KeyPair};
        let abbreviated = [
            (DnType::CommonName, "idp.example.com"),
            (DnType::OrganizationName, "Example, Inc."),
            (DnType::OrganizationalUnitName, "Identity"),
            (DnType::CountryName, "DE"),
            (DnType::StateOrProvinceName, "Berlin"),
            (DnType::LocalityName, "Berlin"),
            (DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 25]), "example"),
            (DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]), "ops@example.com"),
        ];
        let others = [
            // serialNumber and title: in the registry, not abbreviated.
            (DnType::CustomDnType(vec![2, 5, 4, 5]), "1234"),
            (DnType::CustomDnType(vec![2, 5, 4, 12]), "Admin"),
            // An OID nobody knows: written dotted.
            (DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 99999, 1]), "x"),
        ];
        let key = KeyPair::generate().unwrap();
        let mut cases: Vec<Vec<(DnType, &str)>> = vec![abbreviated.to_vec()];
        cases.extend(others.iter().map(|o| vec![abbreviated[0].clone(), o.clone()]));
        for attributes in cases {
            let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
            let mut dn = DistinguishedName::new();
            for (kind, value) in &attributes {
                dn.push(kind.clone(), DnValue::Utf8String((*value).to_string()));
            }
            params.distinguished_name = dn;
            let der = params.self_signed(&key).unwrap().der().to_vec();
            let (_, parsed) = X509Certificate::from_der(&der).unwrap();
            assert_eq!(name_text(parsed.subject()), parsed.subject().to_string());
            assert_eq!(
                Certificate::from_der(&der).unwrap().info().subject,
                parsed.subject().to_string()
            );
        }
    }

    #[test]
    fn colon_hex_formats_pairs() {
        assert_eq!(colon_hex(&[0xab, 0x01, 0xff]), "AB:01:FF");
        assert_eq!(colon_hex(&[]), "");
    }

    #[test]
    fn unknown_signature_oid_is_shown_dotted() {
        assert_eq!(signature_algorithm_name("1.2.3.4"), "1.2.3.4");
        assert_eq!(signature_algorithm_name("1.2.840.113549.1.1.11"), "sha256WithRSAEncryption");
    }

    #[test]
    fn bom_pem_and_bare_base64_load_as_the_same_certificate() {
        use base64::Engine;
        let pem = include_str!("../../../fixtures/certs/idp.crt");
        let der = include_bytes!("../../../fixtures/certs/idp.der");
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let wrapped: String = b64
            .as_bytes()
            .chunks(64)
            .map(|c| format!("      {}\n", std::str::from_utf8(c).unwrap()))
            .collect();
        for input in [format!("\u{feff}{pem}"), b64.clone(), wrapped, format!("\u{feff}{b64}\n")] {
            let cert = Certificate::load(input.as_bytes()).unwrap();
            assert_eq!(cert.der(), der);
        }
        // base64 of something that is not a certificate is still refused.
        assert!(Certificate::load(b"aGVsbG8=").is_err());
    }

    #[test]
    fn truncated_der_is_an_error() {
        let der = include_bytes!("../../../fixtures/certs/idp.der");
        for cut in [0, 1, 10, der.len() / 2, der.len() - 1] {
            assert!(Certificate::load(&der[..cut]).is_err(), "cut at {cut}");
        }
    }
}
