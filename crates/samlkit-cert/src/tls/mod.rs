//! Certificates for TLS: what a certificate may be used for (key usage, extended key usage,
//! subject alternative names), a private certificate authority, issuing from a CSR, and the
//! order of a chain.
//!
//! The same credential that signs SAML assertions is often also the client certificate of a
//! mutual-TLS connection (Salesforce's "Mutual Authentication Certificate"), and TLS peers
//! check things SAML never looks at: the clientAuth/serverAuth extended key usage, the names
//! in subjectAltName, and a chain listed leaf first.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use samlkit_cert::tls::{self, LeafProfile, Usage};
//! use samlkit_cert::{PrivateKey, Subject, generate};
//! # fn main() -> Result<(), samlkit_cert::CertError> {
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
//! let ca_key = PrivateKey::load(include_bytes!("../../../../fixtures/keys/ec-p256.key"))?;
//! let ca = tls::new_ca(&ca_key, &Subject::new("Example Private CA"), now, 3650, Some(0))?;
//!
//! let key = PrivateKey::load(include_bytes!("../../../../fixtures/keys/idp.key"))?;
//! let csr = generate::certificate_request(&key, &Subject::new("client.example.com"))?;
//! let profile = LeafProfile { usage: Usage::Client, ..LeafProfile::default() };
//! let leaf = tls::sign_request(csr.der(), &ca, &ca_key, now, 365, &profile)?;
//!
//! assert!(tls::is_signed_by(&leaf, &ca));
//! let extensions = tls::extensions(&leaf)?;
//! assert_eq!(extensions.extended_key_usage, ["clientAuth"]);
//! tls::check_chain_order(&[leaf, ca])?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use rcgen::string::Ia5String;
use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyUsagePurpose,
    SanType, SerialNumber,
};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::CertError;
use crate::certificate::Certificate;
use crate::generate::{MAX_DAYS, Subject, random_serial, rcgen_key, to_offset};
use crate::key::PrivateKey;

pub mod chain;
mod csr;
pub mod lint;

/// What a new certificate is for; decides its key usage and extended key usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Usage {
    /// SAML / XML signing (samlkit's original certificate): keyUsage digitalSignature and
    /// keyEncipherment, no extended key usage.
    #[default]
    Signing,
    /// A TLS client (mutual TLS): digitalSignature, EKU clientAuth.
    Client,
    /// A TLS server: digitalSignature and keyEncipherment, EKU serverAuth.
    Server,
    /// Both (dual use, which public CAs no longer issue): EKU serverAuth and clientAuth.
    ClientServer,
}

impl Usage {
    /// Every usage, in the order `--help` lists them.
    pub const ALL: [Usage; 4] = [Usage::Signing, Usage::Client, Usage::Server, Usage::ClientServer];

    /// The name on the command line: `signing`, `client`, `server`, `client+server`.
    pub fn name(self) -> &'static str {
        match self {
            Usage::Signing => "signing",
            Usage::Client => "client",
            Usage::Server => "server",
            Usage::ClientServer => "client+server",
        }
    }

    /// The usage named `name` (see [`Usage::name`]; `server+client` is accepted too).
    pub fn from_name(name: &str) -> Option<Usage> {
        match name {
            "server+client" => Some(Usage::ClientServer),
            _ => Usage::ALL.into_iter().find(|u| u.name() == name),
        }
    }

    fn key_usages(self) -> Vec<KeyUsagePurpose> {
        match self {
            Usage::Client => vec![KeyUsagePurpose::DigitalSignature],
            Usage::Signing | Usage::Server | Usage::ClientServer => {
                vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment]
            }
        }
    }

    fn extended_key_usages(self) -> Vec<ExtendedKeyUsagePurpose> {
        match self {
            Usage::Signing => Vec::new(),
            Usage::Client => vec![ExtendedKeyUsagePurpose::ClientAuth],
            Usage::Server => vec![ExtendedKeyUsagePurpose::ServerAuth],
            Usage::ClientServer => {
                vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth]
            }
        }
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One subject alternative name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AltName {
    /// `DNS:host.example.com`.
    Dns(String),
    /// `IP:127.0.0.1` or `IP:::1`.
    Ip(IpAddr),
    /// `email:someone@example.com`.
    Email(String),
    /// `URI:spiffe://example.com/client`.
    Uri(String),
}

impl AltName {
    /// Parses `KIND:VALUE` (KIND is `DNS`, `IP`, `email` or `URI`, in any case) or a bare value
    /// whose kind is inferred: an IP address, a URI (has `://`), an e-mail address (has `@`),
    /// else a DNS name.
    ///
    /// ```
    /// use samlkit_cert::tls::AltName;
    /// assert_eq!(AltName::parse("DNS:a.example.com"), Ok(AltName::Dns("a.example.com".into())));
    /// assert_eq!(AltName::parse("10.0.0.1"), Ok(AltName::Ip("10.0.0.1".parse().unwrap())));
    /// assert!(AltName::parse("IP:not-an-address").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<AltName, CertError> {
        let invalid = |reason: String| CertError::InvalidParameter {
            field: "subject alternative name",
            reason,
        };
        let text = text.trim();
        let (kind, value) = match text.split_once(':') {
            Some((kind, value))
                if ["dns", "ip", "email", "uri"].contains(&kind.to_ascii_lowercase().as_str())
                    && !value.starts_with("//") =>
            {
                (Some(kind.to_ascii_lowercase()), value.trim())
            }
            _ => (None, text),
        };
        if value.is_empty() {
            return Err(invalid(format!("{text:?} has no value after the kind")));
        }
        if !value.is_ascii() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid(format!("{text:?} must be ASCII without spaces")));
        }
        let kind = kind.unwrap_or_else(|| {
            if value.parse::<IpAddr>().is_ok() {
                "ip".into()
            } else if value.contains("://") {
                "uri".into()
            } else if value.contains('@') {
                "email".into()
            } else {
                "dns".into()
            }
        });
        match kind.as_str() {
            "ip" => value
                .parse::<IpAddr>()
                .map(AltName::Ip)
                .map_err(|_| invalid(format!("{value:?} is not an IPv4 or IPv6 address"))),
            "email"
                if value.split_once('@').is_some_and(|(l, d)| !l.is_empty() && !d.is_empty()) =>
            {
                Ok(AltName::Email(value.to_string()))
            }
            "email" => Err(invalid(format!("{value:?} is not an e-mail address"))),
            "uri" if value.contains(':') => Ok(AltName::Uri(value.to_string())),
            "uri" => Err(invalid(format!("{value:?} is not a URI (it has no scheme)"))),
            _ if value.split('.').all(|label| {
                !label.is_empty()
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*')
            }) =>
            {
                Ok(AltName::Dns(value.to_string()))
            }
            _ => Err(invalid(format!("{value:?} is not a DNS name"))),
        }
    }

    fn to_rcgen(&self) -> Result<SanType, CertError> {
        let ia5 = |s: &str| {
            Ia5String::try_from(s).map_err(|e| CertError::InvalidParameter {
                field: "subject alternative name",
                reason: e.to_string(),
            })
        };
        Ok(match self {
            AltName::Dns(name) => SanType::DnsName(ia5(name)?),
            AltName::Ip(ip) => SanType::IpAddress(*ip),
            AltName::Email(email) => SanType::Rfc822Name(ia5(email)?),
            AltName::Uri(uri) => SanType::URI(ia5(uri)?),
        })
    }
}

impl fmt::Display for AltName {
    /// OpenSSL's spelling: `DNS:…`, `IP Address:…`, `email:…`, `URI:…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AltName::Dns(name) => write!(f, "DNS:{name}"),
            AltName::Ip(ip) => write!(f, "IP Address:{ip}"),
            AltName::Email(email) => write!(f, "email:{email}"),
            AltName::Uri(uri) => write!(f, "URI:{uri}"),
        }
    }
}

/// What goes into a leaf certificate besides its subject and key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeafProfile {
    /// Key usage and extended key usage.
    pub usage: Usage,
    /// Subject alternative names (added to those a CSR asks for).
    pub alt_names: Vec<AltName>,
}

impl LeafProfile {
    fn apply(&self, params: &mut CertificateParams) -> Result<(), CertError> {
        params.key_usages = self.usage.key_usages();
        params.extended_key_usages = self.usage.extended_key_usages();
        params.is_ca = IsCa::ExplicitNoCa;
        for name in &self.alt_names {
            let san = name.to_rcgen()?;
            if !params.subject_alt_names.contains(&san) {
                params.subject_alt_names.push(san);
            }
        }
        Ok(())
    }
}

fn validity(
    params: &mut CertificateParams,
    not_before: DateTime<Utc>,
    days: u32,
) -> Result<(), CertError> {
    if days == 0 || days > MAX_DAYS {
        return Err(CertError::InvalidParameter {
            field: "days",
            reason: format!("{days}; the validity must be 1 to {MAX_DAYS} days"),
        });
    }
    params.not_before = to_offset(not_before)?;
    params.not_after = to_offset(not_before + Duration::days(i64::from(days)))?;
    params.serial_number = Some(SerialNumber::from_slice(&random_serial()?));
    Ok(())
}

fn build_error(reason: impl fmt::Display) -> CertError {
    CertError::Build { what: "certificate", reason: reason.to_string() }
}

/// A self-signed leaf certificate for `key` with the usage and names of `profile`.
/// [`crate::generate::self_signed`] is this with the default (signing) profile.
pub fn self_signed_leaf(
    key: &PrivateKey,
    subject: &Subject,
    not_before: DateTime<Utc>,
    days: u32,
    profile: &LeafProfile,
) -> Result<Certificate, CertError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject.to_distinguished_name()?;
    validity(&mut params, not_before, days)?;
    profile.apply(&mut params)?;
    let built = params.self_signed(&rcgen_key(key)?).map_err(build_error)?;
    Certificate::from_der(built.der())
}

/// A self-signed certificate authority: basicConstraints CA:TRUE (critical) with `path_len`
/// (how many intermediates may follow below it; `None` for no limit), keyUsage keyCertSign,
/// cRLSign and digitalSignature.
pub fn new_ca(
    key: &PrivateKey,
    subject: &Subject,
    not_before: DateTime<Utc>,
    days: u32,
    path_len: Option<u8>,
) -> Result<Certificate, CertError> {
    let params = ca_params(subject, not_before, days, path_len)?;
    let built = params.self_signed(&rcgen_key(key)?).map_err(build_error)?;
    Certificate::from_der(built.der())
}

/// An intermediate certificate authority for `key`, issued by the CA `parent` with
/// `parent_key`: the same extensions as [`new_ca`], plus an authorityKeyIdentifier.
///
/// The parent's basicConstraints are honoured: it must be a CA, and its pathlen (when it has
/// one) must leave room for an intermediate with `path_len` below it: a parent with pathlen N
/// may issue intermediates of pathlen at most N-1 (and none when N is 0).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use samlkit_cert::tls;
/// use samlkit_cert::{PrivateKey, Subject};
/// # fn main() -> Result<(), samlkit_cert::CertError> {
/// let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
/// let key = PrivateKey::load(include_bytes!("../../../../fixtures/keys/ec-p256.key"))?;
/// let root = tls::new_ca(&key, &Subject::new("Root CA"), now, 3650, Some(1))?;
/// let issuing =
///     tls::new_intermediate_ca(&key, &Subject::new("Issuing CA"), now, 1825, Some(0), &root, &key)?;
/// assert!(tls::is_signed_by(&issuing, &root));
/// // pathlen:0 below pathlen:1 leaves no room for a third CA level.
/// let third = Subject::new("Too deep");
/// assert!(tls::new_intermediate_ca(&key, &third, now, 365, Some(0), &issuing, &key).is_err());
/// # Ok(()) }
/// ```
pub fn new_intermediate_ca(
    key: &PrivateKey,
    subject: &Subject,
    not_before: DateTime<Utc>,
    days: u32,
    path_len: Option<u8>,
    parent: &Certificate,
    parent_key: &PrivateKey,
) -> Result<Certificate, CertError> {
    check_issuer(parent, parent_key)?;
    if let Some(limit) = extensions(parent)?.basic_constraints.and_then(|bc| bc.path_len) {
        let parent_name = parent.info().subject.clone();
        let reason = match (limit, path_len) {
            (0, _) => Some(
                "its pathlen:0 lets it issue leaf certificates only; create it with --path-len 1 or more to have intermediates below it"
                    .to_string(),
            ),
            (limit, Some(asked)) if u32::from(asked) >= limit => Some(format!(
                "its pathlen:{limit} allows an intermediate of at most pathlen:{}, and {asked} was asked for",
                limit - 1
            )),
            (limit, None) => Some(format!(
                "its pathlen:{limit} allows an intermediate of at most pathlen:{}, and no limit was asked for",
                limit - 1
            )),
            _ => None,
        };
        if let Some(reason) = reason {
            return Err(CertError::PathLenExceeded { parent: parent_name, reason });
        }
    }
    let mut params = ca_params(subject, not_before, days, path_len)?;
    params.use_authority_key_identifier_extension = true;
    let issuer = Issuer::from_ca_cert_der(&parent.der().into(), rcgen_key(parent_key)?)
        .map_err(build_error)?;
    let built = params.signed_by(&rcgen_key(key)?, &issuer).map_err(build_error)?;
    Certificate::from_der(built.der())
}

fn ca_params(
    subject: &Subject,
    not_before: DateTime<Utc>,
    days: u32,
    path_len: Option<u8>,
) -> Result<CertificateParams, CertError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject.to_distinguished_name()?;
    validity(&mut params, not_before, days)?;
    params.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    Ok(params)
}

/// The issuing certificate is a CA and `key` is its key.
fn check_issuer(ca: &Certificate, key: &PrivateKey) -> Result<(), CertError> {
    if !ca.matches_key(key) {
        return Err(CertError::CaKeyMismatch { subject: ca.info().subject.clone() });
    }
    if !extensions(ca)?.basic_constraints.is_some_and(|bc| bc.ca) {
        return Err(CertError::NotCa { subject: ca.info().subject.clone() });
    }
    Ok(())
}

/// What a certificate signing request asks its CA for besides the subject and key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestProfile {
    /// The usage to request (keyUsage and extendedKeyUsage, as [`LeafProfile`] would set
    /// them); `None` asks for none and leaves it to the CA.
    pub usage: Option<Usage>,
    /// Subject alternative names to request.
    pub alt_names: Vec<AltName>,
}

/// A PKCS#10 request for `key` with `subject` that also asks for the usage and names of
/// `profile` (in a PKCS#9 extensionRequest attribute, where CAs and `samlkit cert sign` read
/// them), signed with the key. Without usage or names it is
/// [`crate::generate::certificate_request`]'s plain request.
///
/// ```
/// use samlkit_cert::request::load_requests;
/// use samlkit_cert::tls::{self, AltName, RequestProfile, Usage};
/// use samlkit_cert::{PrivateKey, Subject};
/// # fn main() -> Result<(), samlkit_cert::CertError> {
/// let key = PrivateKey::load(include_bytes!("../../../../fixtures/keys/idp.key"))?;
/// let profile = RequestProfile {
///     usage: Some(Usage::Client),
///     alt_names: vec![AltName::parse("DNS:client.example.com")?],
/// };
/// let csr = tls::certificate_request(&key, &Subject::new("client.example.com"), &profile)?;
/// let info = &load_requests(csr.to_pem().as_bytes())?[0];
/// assert_eq!(info.alt_names, ["DNS:client.example.com"]);
/// assert_eq!(info.extended_key_usage, ["clientAuth"]);
/// # Ok(()) }
/// ```
pub fn certificate_request(
    key: &PrivateKey,
    subject: &Subject,
    profile: &RequestProfile,
) -> Result<crate::generate::CertificateRequest, CertError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = subject.to_distinguished_name()?;
    let leaf = LeafProfile { usage: profile.usage.unwrap_or_default(), alt_names: Vec::new() };
    if profile.usage.is_some() {
        leaf.apply(&mut params)?;
        // basicConstraints is the CA's to set; a request asks only for usage and names.
        params.is_ca = IsCa::NoCa;
    }
    for name in &profile.alt_names {
        let san = name.to_rcgen()?;
        if !params.subject_alt_names.contains(&san) {
            params.subject_alt_names.push(san);
        }
    }
    crate::generate::serialize_request(&params, key)
}

/// Issues a certificate for the PKCS#10 request `csr_der`, signed by `ca` with `ca_key`.
///
/// The request's signature is checked first (it proves the requester holds the key). The
/// subject and requested names come from the request; the usage comes from `profile` (never
/// from the request), and `profile`'s names are added. The CA must be a CA (basicConstraints
/// CA:TRUE) and `ca_key` its key.
pub fn sign_request(
    csr_der: &[u8],
    ca: &Certificate,
    ca_key: &PrivateKey,
    not_before: DateTime<Utc>,
    days: u32,
    profile: &LeafProfile,
) -> Result<Certificate, CertError> {
    check_issuer(ca, ca_key)?;
    // Say what is wrong with a weak key before the signature check refuses it in other words.
    if let Some(info) = crate::request::load_requests(csr_der)?.first()
        && let crate::key::KeyAlgorithm::Rsa { bits } = info.key
        && bits < 2048
    {
        return Err(CertError::InvalidParameter {
            field: "certificate signing request",
            reason: format!("its key is a {bits}-bit RSA key; TLS servers want at least 2048 bits"),
        });
    }
    let (mut params, public_key) = csr::read(csr_der)?;
    validity(&mut params, not_before, days)?;
    profile.apply(&mut params)?;
    params.use_authority_key_identifier_extension = true;
    let signing_key = rcgen_key(ca_key)?;
    let issuer = Issuer::from_ca_cert_der(&ca.der().into(), signing_key).map_err(build_error)?;
    let built = params.signed_by(&public_key, &issuer).map_err(build_error)?;
    Certificate::from_der(built.der())
}

/// Basic constraints as a certificate states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constraints {
    /// Whether the certificate is a certificate authority.
    pub ca: bool,
    /// How many intermediates may follow below it, if limited.
    pub path_len: Option<u32>,
}

/// The extensions that decide what a certificate may be used for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extensions {
    /// keyUsage bits in OpenSSL's words (`Digital Signature`, `Certificate Sign`, …); empty
    /// when the extension is absent.
    pub key_usage: Vec<&'static str>,
    /// extendedKeyUsage purposes (`clientAuth`, `serverAuth`, or a dotted OID); empty when
    /// the extension is absent.
    pub extended_key_usage: Vec<String>,
    /// basicConstraints, if present.
    pub basic_constraints: Option<Constraints>,
    /// subjectAltName entries in OpenSSL's spelling (`DNS:a.example.com`, `IP Address:…`).
    pub alt_names: Vec<String>,
}

impl Extensions {
    /// Whether the certificate may authenticate a TLS client: no EKU at all (any purpose) or
    /// one that lists clientAuth or anyExtendedKeyUsage.
    pub fn allows_client_auth(&self) -> bool {
        self.extended_key_usage.is_empty()
            || self
                .extended_key_usage
                .iter()
                .any(|p| p == "clientAuth" || p == "anyExtendedKeyUsage")
    }
}

fn parse(cert: &Certificate) -> Result<X509Certificate<'_>, CertError> {
    X509Certificate::from_der(cert.der())
        .map(|(_, parsed)| parsed)
        .map_err(|e| CertError::InvalidCertificate { index: None, reason: e.to_string() })
}

/// Reads key usage, extended key usage, basic constraints and subject alternative names.
pub fn extensions(cert: &Certificate) -> Result<Extensions, CertError> {
    let parsed = parse(cert)?;
    let bad = |what: &str, e: x509_parser::error::X509Error| CertError::InvalidCertificate {
        index: None,
        reason: format!("malformed {what} extension: {e}"),
    };
    let mut out = Extensions::default();
    if let Some(ku) = parsed.key_usage().map_err(|e| bad("keyUsage", e))? {
        out.key_usage = key_usage_names(ku.value);
    }
    if let Some(eku) = parsed.extended_key_usage().map_err(|e| bad("extendedKeyUsage", e))? {
        out.extended_key_usage = extended_key_usage_names(eku.value);
    }
    if let Some(bc) = parsed.basic_constraints().map_err(|e| bad("basicConstraints", e))? {
        out.basic_constraints =
            Some(Constraints { ca: bc.value.ca, path_len: bc.value.path_len_constraint });
    }
    if let Some(san) = parsed.subject_alternative_name().map_err(|e| bad("subjectAltName", e))? {
        out.alt_names = san.value.general_names.iter().map(describe_general_name).collect();
    }
    Ok(out)
}

/// keyUsage bits in OpenSSL's words.
pub(crate) fn key_usage_names(ku: &x509_parser::extensions::KeyUsage) -> Vec<&'static str> {
    let bits = [
        (ku.digital_signature(), "Digital Signature"),
        (ku.non_repudiation(), "Non Repudiation"),
        (ku.key_encipherment(), "Key Encipherment"),
        (ku.data_encipherment(), "Data Encipherment"),
        (ku.key_agreement(), "Key Agreement"),
        (ku.key_cert_sign(), "Certificate Sign"),
        (ku.crl_sign(), "CRL Sign"),
    ];
    bits.into_iter().filter(|(set, _)| *set).map(|(_, name)| name).collect()
}

/// extendedKeyUsage purposes by their short names, or dotted OIDs.
pub(crate) fn extended_key_usage_names(
    eku: &x509_parser::extensions::ExtendedKeyUsage<'_>,
) -> Vec<String> {
    let named = [
        (eku.server_auth, "serverAuth"),
        (eku.client_auth, "clientAuth"),
        (eku.code_signing, "codeSigning"),
        (eku.email_protection, "emailProtection"),
        (eku.time_stamping, "timeStamping"),
        (eku.ocsp_signing, "OCSPSigning"),
        (eku.any, "anyExtendedKeyUsage"),
    ];
    let mut names: Vec<String> =
        named.into_iter().filter(|(set, _)| *set).map(|(_, n)| n.to_string()).collect();
    names.extend(eku.other.iter().map(|oid| oid.to_id_string()));
    names
}

pub(crate) fn describe_general_name(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::DNSName(n) => format!("DNS:{n}"),
        GeneralName::RFC822Name(n) => format!("email:{n}"),
        GeneralName::URI(n) => format!("URI:{n}"),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => format!(
                "IP Address:{}",
                IpAddr::from(<[u8; 4]>::try_from(*bytes).unwrap_or_default())
            ),
            16 => format!(
                "IP Address:{}",
                IpAddr::from(<[u8; 16]>::try_from(*bytes).unwrap_or_default())
            ),
            _ => "IP Address:<invalid>".to_string(),
        },
        GeneralName::DirectoryName(n) => format!("DirName:{n}"),
        other => format!("{other:?}"),
    }
}

/// An X.500 name in DER (with or without its outer SEQUENCE header, as TLS
/// CertificateRequest messages carry it) in the form `CN=…, O=…`; `None` if it is not one.
pub fn describe_name(der: &[u8]) -> Option<String> {
    use x509_parser::x509::X509Name;
    if let Ok((rest, name)) = X509Name::from_der(der)
        && rest.is_empty()
    {
        return Some(name.to_string());
    }
    // Add the SEQUENCE header (tag 0x30, DER length) the caller left off.
    let mut wrapped = vec![0x30];
    let len = der.len();
    if len < 0x80 {
        wrapped.push(u8::try_from(len).ok()?);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        wrapped.push(0x80 | u8::try_from(bytes.len()).ok()?);
        wrapped.extend(bytes);
    }
    wrapped.extend_from_slice(der);
    let (rest, name) = X509Name::from_der(&wrapped).ok()?;
    rest.is_empty().then(|| name.to_string())
}

/// Whether `issuer`'s key made `cert`'s signature (and `cert` names `issuer` as its issuer).
pub fn is_signed_by(cert: &Certificate, issuer: &Certificate) -> bool {
    let (Ok(child), Ok(parent)) = (parse(cert), parse(issuer)) else {
        return false;
    };
    child.issuer().as_raw() == parent.subject().as_raw()
        && child.verify_signature(Some(parent.public_key())).is_ok()
}

/// Checks that `chain` is in the order TLS peers expect: the leaf first, then each
/// certificate's issuer. A chain of one certificate is in order.
pub fn check_chain_order(chain: &[Certificate]) -> Result<(), CertError> {
    for (index, pair) in chain.windows(2).enumerate() {
        let [cert, next] = pair else { continue };
        if !is_signed_by(cert, next) {
            // Say where the issuer is, if it is elsewhere in the list.
            let found_at = chain
                .iter()
                .position(|c| c.der() != cert.der() && is_signed_by(cert, c))
                .map(|i| i + 1);
            return Err(CertError::TlsChainOrder {
                index: index + 1,
                subject: cert.info().subject.clone(),
                next: next.info().subject.clone(),
                issuer_at: found_at,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_names_parse_with_or_without_kind() {
        let cases = [
            ("DNS:a.example.com", Ok(AltName::Dns("a.example.com".into()))),
            ("a.example.com", Ok(AltName::Dns("a.example.com".into()))),
            ("*.example.com", Ok(AltName::Dns("*.example.com".into()))),
            ("ip:::1", Ok(AltName::Ip("::1".parse().unwrap()))),
            ("127.0.0.1", Ok(AltName::Ip("127.0.0.1".parse().unwrap()))),
            ("email:a@example.com", Ok(AltName::Email("a@example.com".into()))),
            ("a@example.com", Ok(AltName::Email("a@example.com".into()))),
            ("URI:spiffe://x/y", Ok(AltName::Uri("spiffe://x/y".into()))),
            ("https://x.example/", Ok(AltName::Uri("https://x.example/".into()))),
            ("IP:300.1.1.1", Err("\"300.1.1.1\" is not an IPv4 or IPv6 address")),
            ("DNS:", Err("\"DNS:\" has no value after the kind")),
            ("email:nobody", Err("\"nobody\" is not an e-mail address")),
            ("DNS:a b", Err("\"DNS:a b\" must be ASCII without spaces")),
            ("DNS:a..b", Err("\"a..b\" is not a DNS name")),
        ];
        for (input, expected) in cases {
            let got = AltName::parse(input).map_err(|e| match e {
                CertError::InvalidParameter { reason, .. } => reason,
                other => other.to_string(),
            });
            assert_eq!(got, expected.map_err(str::to_string), "{input}");
        }
    }

    #[test]
    fn usage_names_round_trip() {
        for usage in Usage::ALL {
            assert_eq!(Usage::from_name(usage.name()), Some(usage));
        }
        assert_eq!(Usage::from_name("server+client"), Some(Usage::ClientServer));
        assert_eq!(Usage::from_name("tls"), None);
    }
}
