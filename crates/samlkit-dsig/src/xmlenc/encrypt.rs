//! Encrypting an element to a recipient's certificate: a fresh random content key, the element
//! under AES (GCM by default), the key under RSA-OAEP, the recipient's certificate named in the
//! EncryptedKey's KeyInfo so the recipient can pick its key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlkit_cert::Certificate;
use zeroize::Zeroizing;

use super::decrypt::TYPE_ELEMENT;
use super::{DataAlgorithm, KeyTransport, NS_XENC, NS_XENC11, aes, keys};
use crate::{NS_DSIG, SignatureError};

/// How to encrypt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncryptOptions {
    /// The content encryption algorithm (default AES-256-GCM).
    pub data: DataAlgorithm,
    /// The key transport (default `rsa-oaep-mgf1p` with SHA-1, what most SPs expect).
    pub key_transport: KeyTransport,
}

impl Default for EncryptOptions {
    fn default() -> Self {
        EncryptOptions { data: DataAlgorithm::Aes256Gcm, key_transport: KeyTransport::DEFAULT }
    }
}

/// Encrypts `element_xml` (one serialized element, with every namespace it uses declared on it
/// or in scope where the result will stand) to `recipient`, and returns the
/// `xenc:EncryptedData` element to put in its place (inside a SAML `EncryptedAssertion`,
/// `EncryptedID` or `EncryptedAttribute`).
///
/// # Errors
/// [`SignatureError::KeyUnusable`] when the certificate's key is not RSA,
/// [`SignatureError::EncryptionFailed`] when the crypto library fails.
///
/// ```
/// # let pem = include_str!("../../../samlkit-cert/tests/data/idp.key");
/// # let crt = include_bytes!("../../../samlkit-cert/tests/data/idp.crt");
/// use samlkit_cert::{Certificate, PrivateKey};
/// use samlkit_dsig::{DecryptOptions, DecryptionKey, EncryptOptions, EncryptedElement, encrypt_element};
/// let cert = Certificate::load(crt)?;
/// let data = encrypt_element("<a xmlns=\"urn:x\">secret</a>", &cert, &EncryptOptions::default())?;
/// let wrapped = format!("<w>{data}</w>");
/// let doc = samlkit_xml::parse(&wrapped)?;
/// let enc = EncryptedElement::parse(doc.node(doc.root_element()), &DecryptOptions::default())?;
/// let key = DecryptionKey::new(&PrivateKey::from_pem(pem)?, Some(&cert))?;
/// let plain = enc.decrypt(&[key], &DecryptOptions::default())?;
/// assert_eq!(plain.plaintext, "<a xmlns=\"urn:x\">secret</a>");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encrypt_element(
    element_xml: &str,
    recipient: &Certificate,
    opts: &EncryptOptions,
) -> Result<String, SignatureError> {
    let failed = || SignatureError::EncryptionFailed("AES encryption failed".into());
    let mut cek = Zeroizing::new(vec![0u8; opts.data.key_len()]);
    aws_lc_rs::rand::fill(&mut cek).map_err(|_| failed())?;
    let ciphertext =
        aes::encrypt(opts.data, &cek, element_xml.as_bytes()).map_err(|()| failed())?;
    let wrapped = keys::wrap_key(recipient, opts.key_transport, &cek)?;

    let (digest, mgf) = opts.key_transport.hashes();
    let mut out = String::with_capacity(ciphertext.len() * 4 / 3 + 2048);
    out.push_str(&format!(
        "<xenc:EncryptedData xmlns:xenc=\"{NS_XENC}\" Type=\"{TYPE_ELEMENT}\">\
         <xenc:EncryptionMethod Algorithm=\"{}\"/>\
         <ds:KeyInfo xmlns:ds=\"{NS_DSIG}\"><xenc:EncryptedKey>\
         <xenc:EncryptionMethod Algorithm=\"{}\"><ds:DigestMethod Algorithm=\"{}\"/>",
        opts.data.uri(),
        opts.key_transport.uri(),
        digest.digest_uri()
    ));
    if let KeyTransport::RsaOaep { .. } = opts.key_transport {
        out.push_str(&format!(
            "<xenc11:MGF xmlns:xenc11=\"{NS_XENC11}\" Algorithm=\"{}\"/>",
            mgf.mgf_uri()
        ));
    }
    out.push_str(&format!(
        "</xenc:EncryptionMethod>\
         <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\
         <xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData>\
         </xenc:EncryptedKey></ds:KeyInfo>\
         <xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData>\
         </xenc:EncryptedData>",
        STANDARD.encode(recipient.der()),
        STANDARD.encode(&wrapped),
        STANDARD.encode(&ciphertext)
    ));
    Ok(out)
}
