//! Passphrase-protected PKCS#8 keys (`-----BEGIN ENCRYPTED PRIVATE KEY-----`, RFC 5958
//! EncryptedPrivateKeyInfo with PBES2: PBKDF2 or scrypt, AES-CBC), as
//! `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes them. [`decrypt_pkcs8`] turns one into the
//! plain PKCS#8 DER that [`crate::PrivateKey::from_der`] reads; the caller supplies the password.

use zeroize::Zeroizing;

use crate::{CertError, pem};

/// Whether `bytes` holds an encrypted PKCS#8 key: a PEM `ENCRYPTED PRIVATE KEY` block.
///
/// ```
/// let pem = include_bytes!("../../../fixtures/keys/idp-encrypted.key");
/// assert!(samlkit_cert::encrypted_key::is_encrypted_pkcs8(pem));
/// assert!(!samlkit_cert::encrypted_key::is_encrypted_pkcs8(include_bytes!("../../../fixtures/keys/idp.key")));
/// ```
pub fn is_encrypted_pkcs8(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|t| t.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
}

/// The plain PKCS#8 DER inside an encrypted key (PEM `ENCRYPTED PRIVATE KEY`), wiped from
/// memory when dropped.
///
/// Errors: [`CertError::InvalidKey`] when the password is wrong (or the file damaged: PBES2
/// cannot tell the two apart), or when the encryption scheme is not PBES2.
///
/// ```
/// use samlkit_cert::PrivateKey;
/// use samlkit_cert::encrypted_key::decrypt_pkcs8;
/// # fn main() -> Result<(), samlkit_cert::CertError> {
/// let pem = include_bytes!("../../../fixtures/keys/idp-encrypted.key");
/// let der = decrypt_pkcs8(pem, b"fixture")?;
/// let key = PrivateKey::from_der(&der)?;
/// let plain = PrivateKey::load(include_bytes!("../../../fixtures/keys/idp.key"))?;
/// assert_eq!(key.pkcs8_der(), plain.pkcs8_der());
/// assert!(decrypt_pkcs8(pem, b"wrong").is_err());
/// # Ok(()) }
/// ```
pub fn decrypt_pkcs8(bytes: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, CertError> {
    use pkcs8::der::Decode;
    let invalid = |reason: String| CertError::InvalidKey { kind: "encrypted private key", reason };
    let text = std::str::from_utf8(bytes).map_err(|_| invalid("not PEM text".into()))?;
    let block = pem::parse_all(text)?
        .into_iter()
        .find(|b| b.label == "ENCRYPTED PRIVATE KEY")
        .ok_or_else(|| invalid("no ENCRYPTED PRIVATE KEY block".into()))?;
    let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(&block.der)
        .map_err(|e| invalid(format!("not a PKCS#8 EncryptedPrivateKeyInfo ({e})")))?;
    let document = info.decrypt(password).map_err(|_| {
        invalid(
            "wrong password (or the file is damaged, or its cipher is not PBES2 with AES)".into(),
        )
    })?;
    Ok(Zeroizing::new(document.as_bytes().to_vec()))
}
