//! Reading a PKCS#10 request into what [`super::sign_request`] issues from: its checked
//! signature, subject, key and requested names.
//!
//! rcgen's own reader refuses a request that asks for any extension it does not model, and the
//! JDK's `keytool -certreq` always asks for a subjectKeyIdentifier: so the Java flow (keytool
//! key pair, CSR to the CA, reply imported) would fail. The CA decides the usage and makes its
//! own key identifiers anyway, so only the subject, the key and the subject alternative names
//! are taken from the request; every other requested extension is left out.

use rcgen::string::Ia5String;
use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, SanType, SubjectPublicKeyInfo};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Name;

use crate::CertError;

fn invalid(reason: impl Into<String>) -> CertError {
    CertError::InvalidParameter { field: "certificate signing request", reason: reason.into() }
}

/// The request's subject and names as certificate parameters, and its public key, after
/// checking that the request is signed by that key.
pub(crate) fn read(csr_der: &[u8]) -> Result<(CertificateParams, SubjectPublicKeyInfo), CertError> {
    let (rest, csr) = X509CertificationRequest::from_der(csr_der)
        .map_err(|e| invalid(format!("not a DER PKCS#10 request ({e})")))?;
    if !rest.is_empty() {
        return Err(invalid("trailing bytes after the request"));
    }
    csr.verify_signature().map_err(|_| CertError::RequestSignature)?;
    let info = &csr.certification_request_info;
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(&info.subject)?;
    for ext in csr.requested_extensions().into_iter().flatten() {
        if let ParsedExtension::SubjectAlternativeName(san) = ext {
            for name in &san.general_names {
                params.subject_alt_names.push(alt_name(name)?);
            }
        }
    }
    let public_key = SubjectPublicKeyInfo::from_der(info.subject_pki.raw)
        .map_err(|e| invalid(format!("its public key cannot be used: {e}")))?;
    Ok((params, public_key))
}

fn distinguished_name(name: &X509Name<'_>) -> Result<DistinguishedName, CertError> {
    let mut dn = DistinguishedName::new();
    for attribute in name.iter_attributes() {
        let oid: Vec<u64> = attribute
            .attr_type()
            .iter()
            .ok_or_else(|| invalid("a subject attribute type is not an OID"))?
            .collect();
        let data = attribute.attr_value().data;
        let text = || {
            std::str::from_utf8(data)
                .map_err(|_| invalid("a subject attribute is not valid text"))
                .map(str::to_string)
        };
        let asn1 = |e: rcgen::Error| invalid(format!("a subject attribute: {e}"));
        let value = match attribute.attr_value().header.tag() {
            Tag::Utf8String => DnValue::Utf8String(text()?),
            Tag::PrintableString => DnValue::PrintableString(text()?.try_into().map_err(asn1)?),
            Tag::Ia5String => DnValue::Ia5String(text()?.try_into().map_err(asn1)?),
            Tag::T61String => DnValue::TeletexString(text()?.try_into().map_err(asn1)?),
            other => {
                return Err(invalid(format!(
                    "a subject attribute is a {other:?}, which samlkit does not copy"
                )));
            }
        };
        dn.push(DnType::from_oid(&oid), value);
    }
    Ok(dn)
}

fn alt_name(name: &GeneralName<'_>) -> Result<SanType, CertError> {
    let ia5 =
        |s: &str| Ia5String::try_from(s).map_err(|e| invalid(format!("a requested name: {e}")));
    match name {
        GeneralName::DNSName(n) => Ok(SanType::DnsName(ia5(n)?)),
        GeneralName::RFC822Name(n) => Ok(SanType::Rfc822Name(ia5(n)?)),
        GeneralName::URI(n) => Ok(SanType::URI(ia5(n)?)),
        GeneralName::IPAddress(bytes) => {
            let ip = match bytes.len() {
                4 => <[u8; 4]>::try_from(*bytes).ok().map(std::net::IpAddr::from),
                16 => <[u8; 16]>::try_from(*bytes).ok().map(std::net::IpAddr::from),
                _ => None,
            };
            ip.map(SanType::IpAddress).ok_or_else(|| invalid("a requested IP address is malformed"))
        }
        other => Err(invalid(format!(
            "it asks for a subject alternative name samlkit does not issue ({})",
            super::describe_general_name(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use rcgen::CustomExtension;

    use super::*;
    use crate::PrivateKey;
    use crate::generate::{Subject, rcgen_key};

    fn key() -> PrivateKey {
        PrivateKey::load(include_bytes!("../../../../fixtures/keys/idp.key")).unwrap()
    }

    /// A request as `keytool -certreq` makes one: it also asks for a subjectKeyIdentifier.
    fn request_with_subject_key_identifier() -> Vec<u8> {
        let mut params = CertificateParams::default();
        params.distinguished_name =
            Subject::new("jks-client.example.com").to_distinguished_name().unwrap();
        params.subject_alt_names = vec![SanType::IpAddress("10.0.0.1".parse().unwrap())];
        // 2.5.29.14 subjectKeyIdentifier: OCTET STRING of 4 bytes.
        params.custom_extensions =
            vec![CustomExtension::from_oid_content(&[2, 5, 29, 14], vec![0x04, 0x04, 1, 2, 3, 4])];
        params.serialize_request(&rcgen_key(&key()).unwrap()).unwrap().der().to_vec()
    }

    #[test]
    fn other_requested_extensions_are_left_out_not_refused() {
        let (params, _) = read(&request_with_subject_key_identifier()).unwrap();
        assert_eq!(params.subject_alt_names, [SanType::IpAddress("10.0.0.1".parse().unwrap())]);
        assert!(params.custom_extensions.is_empty());
        let cn = params.distinguished_name.get(&DnType::CommonName);
        assert_eq!(cn, Some(&DnValue::Utf8String("jks-client.example.com".into())));
    }

    #[test]
    fn an_altered_request_is_refused() {
        let mut der = request_with_subject_key_identifier();
        // Change one byte of the common name, inside the signed part.
        let at = der.windows(3).position(|w| w == b"jks").unwrap();
        der[at] = b'J';
        assert!(matches!(read(&der), Err(CertError::RequestSignature)));
        assert!(matches!(read(b"\x30\x03\x02\x01\x00"), Err(CertError::InvalidParameter { .. })));
    }
}
