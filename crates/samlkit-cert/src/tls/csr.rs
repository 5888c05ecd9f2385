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
