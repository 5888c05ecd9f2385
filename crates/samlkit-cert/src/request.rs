//! Reading certificate signing requests (PKCS#10 `CERTIFICATE REQUEST`), as `cert csr` writes
//! them and CAs receive them: subject, key, requested DNS names, and whether the request's
//! self-signature holds (proof that whoever made it has the private key).

use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;

use crate::key::{KeyAlgorithm, PublicKey, SignatureAlgorithm};
use crate::{CertError, pem};

/// What a signing request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    /// The requested subject (`CN=idp.example.com, O=Example`).
    pub subject: String,
    /// The key the certificate would certify.
    pub key: KeyAlgorithm,
    /// The subject alternative names requested (DNS names, e-mail addresses, URIs), as written.
    pub alt_names: Vec<String>,
    /// The keyUsage bits requested, in OpenSSL's words (see [`crate::tls::Extensions`]); empty
    /// when the request asks for none.
    pub key_usage: Vec<&'static str>,
    /// The extendedKeyUsage purposes requested (`clientAuth`, …); empty when none.
    pub extended_key_usage: Vec<String>,
    /// The signature algorithm's name (`sha256WithRSAEncryption`).
    pub signature_algorithm: String,
    /// Whether the request is signed by the key it carries.
    pub signature: RequestSignature,
}

/// The outcome of checking a request's self-signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestSignature {
    /// The signature verifies with the request's own key.
    Valid,
    /// The signature does not verify: the request was altered or not made with this key.
    Invalid,
    /// The algorithm is one this crate does not check for requests (named in the text).
    NotChecked(&'static str),
}

/// Whether `bytes` is PEM text with a `CERTIFICATE REQUEST` block.
pub fn is_request(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|t| {
        t.contains("-----BEGIN CERTIFICATE REQUEST-----")
            || t.contains("-----BEGIN NEW CERTIFICATE REQUEST-----")
    })
}

/// Every signing request in `bytes` (PEM `CERTIFICATE REQUEST` blocks, or one DER request).
///
/// ```
/// use samlkit_cert::generate::{Subject, certificate_request};
/// use samlkit_cert::request::{RequestSignature, load_requests};
/// # fn main() -> Result<(), samlkit_cert::CertError> {
/// let key = samlkit_cert::PrivateKey::load(include_bytes!("../../../fixtures/keys/idp.key"))?;
/// let subject = Subject { common_name: "idp.example.com".into(), ..Subject::default() };
/// let pem = certificate_request(&key, &subject)?.to_pem();
/// let requests = load_requests(pem.as_bytes())?;
/// assert_eq!(requests[0].subject, "CN=idp.example.com");
/// assert_eq!(requests[0].signature, RequestSignature::Valid);
/// # Ok(()) }
/// ```
pub fn load_requests(bytes: &[u8]) -> Result<Vec<RequestInfo>, CertError> {
    if !is_request(bytes) {
        return Ok(vec![parse(bytes)?]);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| not_a_request("not UTF-8 text".into()))?;
    pem::parse_all(text)?
        .iter()
        .filter(|b| b.label == "CERTIFICATE REQUEST" || b.label == "NEW CERTIFICATE REQUEST")
        .map(|b| parse(&b.der))
        .collect()
}

/// The DER of the first signing request in `bytes` (a PEM `CERTIFICATE REQUEST` block, or
/// DER), unchecked: [`crate::tls::sign_request`] checks it.
pub fn first_request_der(bytes: &[u8]) -> Result<Vec<u8>, CertError> {
    if !is_request(bytes) {
        return if bytes.first() == Some(&0x30) {
            Ok(bytes.to_vec())
        } else {
            Err(not_a_request("neither a PEM CERTIFICATE REQUEST nor DER".into()))
        };
    }
    let text = std::str::from_utf8(bytes).map_err(|_| not_a_request("not UTF-8 text".into()))?;
    pem::parse_all(text)?
        .into_iter()
        .find(|b| b.label == "CERTIFICATE REQUEST" || b.label == "NEW CERTIFICATE REQUEST")
        .map(|b| b.der)
        .ok_or_else(|| not_a_request("no CERTIFICATE REQUEST block".into()))
}

fn not_a_request(reason: String) -> CertError {
    CertError::InvalidParameter { field: "certificate request", reason }
}

fn parse(der: &[u8]) -> Result<RequestInfo, CertError> {
    let (_, csr) = X509CertificationRequest::from_der(der)
        .map_err(|e| not_a_request(format!("not a DER PKCS#10 request ({e})")))?;
    let info = &csr.certification_request_info;
    let public_key = PublicKey::from_spki_der(info.subject_pki.raw)?;
    let mut alt_names = Vec::new();
    let mut key_usage = Vec::new();
    let mut extended_key_usage = Vec::new();
    for ext in csr.requested_extensions().into_iter().flatten() {
        match ext {
            ParsedExtension::SubjectAlternativeName(san) => {
                alt_names.extend(san.general_names.iter().map(crate::tls::describe_general_name));
            }
            ParsedExtension::KeyUsage(ku) => key_usage = crate::tls::key_usage_names(ku),
            ParsedExtension::ExtendedKeyUsage(eku) => {
                extended_key_usage = crate::tls::extended_key_usage_names(eku);
            }
            _ => {}
        }
    }
    let oid = csr.signature_algorithm.algorithm.to_id_string();
    let algorithm = match oid.as_str() {
        "1.2.840.113549.1.1.11" => Some(SignatureAlgorithm::RsaSha256),
        "1.2.840.113549.1.1.12" => Some(SignatureAlgorithm::RsaSha384),
        "1.2.840.113549.1.1.13" => Some(SignatureAlgorithm::RsaSha512),
        _ => None,
    };
    let signature = match algorithm {
        Some(alg) => match public_key.verify(alg, info.raw, &csr.signature_value.data) {
            Ok(()) => RequestSignature::Valid,
            Err(_) => RequestSignature::Invalid,
        },
        None => RequestSignature::NotChecked("only RSA request signatures are checked"),
    };
    Ok(RequestInfo {
        subject: info.subject.to_string(),
        key: public_key.algorithm(),
        alt_names,
        key_usage,
        extended_key_usage,
        signature_algorithm: crate::certificate::signature_algorithm_name(&oid),
        signature,
    })
}
