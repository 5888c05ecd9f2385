//! The recipient's RSA keys, and RSA-OAEP key transport in both directions.

use std::fmt;

use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
    OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};
use samlkit_cert::{Certificate, PrivateKey};
use zeroize::Zeroizing;

use super::{KeyTransport, OaepHash, oaep_ffi};
use crate::SignatureError;

/// An RSA private key that encrypted assertions may be addressed to, with the certificate
/// published for it (which lets the right key be picked when several are configured, e.g. during
/// a rotation). The key material is never shown: `Debug` prints only the certificate's subject.
pub struct DecryptionKey {
    pkcs8: Zeroizing<Vec<u8>>,
    oaep: OaepPrivateDecryptingKey,
    certificate: Option<Certificate>,
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptionKey")
            .field("bits", &self.oaep.key_size_bits())
            .field("certificate", &self.certificate.as_ref().map(|c| c.info().subject.to_string()))
            .finish_non_exhaustive()
    }
}

impl DecryptionKey {
    /// Wraps an RSA private key (and, when known, its certificate).
    ///
    /// # Errors
    /// [`SignatureError::KeyUnusable`] when the key is not RSA, or the certificate is for
    /// another key.
    ///
    /// ```
    /// # let pem = include_str!("../../../samlkit-cert/tests/data/idp.key");
    /// use samlkit_cert::PrivateKey;
    /// use samlkit_dsig::DecryptionKey;
    /// let key = DecryptionKey::new(&PrivateKey::from_pem(pem)?, None)?;
    /// assert!(format!("{key:?}").contains("bits"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        key: &PrivateKey,
        certificate: Option<&Certificate>,
    ) -> Result<Self, SignatureError> {
        if let Some(cert) = certificate
            && !cert.matches_key(key)
        {
            return Err(SignatureError::KeyUnusable(format!(
                "the certificate {} is not for this private key",
                cert.sha256_fingerprint()
            )));
        }
        let pkcs8 = Zeroizing::new(key.pkcs8_der().to_vec());
        let oaep = PrivateDecryptingKey::from_pkcs8(&pkcs8)
            .ok()
            .and_then(|k| OaepPrivateDecryptingKey::new(k).ok())
            .ok_or_else(|| {
                SignatureError::KeyUnusable(
                    "decryption keys must be RSA keys (XML Encryption key transport is RSA-OAEP)"
                        .into(),
                )
            })?;
        Ok(DecryptionKey { pkcs8, oaep, certificate: certificate.cloned() })
    }

    /// The certificate given with the key, if any.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificate.as_ref()
    }

    /// Unwraps a content key; `Err(())` on any failure, never saying why.
    pub(crate) fn unwrap_key(
        &self,
        transport: KeyTransport,
        label: &[u8],
        wrapped: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, ()> {
        let (digest, mgf) = transport.hashes();
        match matched(digest, mgf) {
            Some(alg) => {
                let mut out = Zeroizing::new(vec![0u8; self.oaep.min_output_size()]);
                let label = (!label.is_empty()).then_some(label);
                let len = self.oaep.decrypt(alg, wrapped, &mut out, label).map_err(|_| ())?.len();
                out.truncate(len);
                Ok(out)
            }
            None => oaep_ffi::decrypt(&self.pkcs8, digest, mgf, label, wrapped),
        }
    }
}

/// The aws-lc-rs algorithm when the digest and MGF1 hash agree.
fn matched(digest: OaepHash, mgf: OaepHash) -> Option<&'static OaepAlgorithm> {
    match (digest, mgf) {
        (OaepHash::Sha1, OaepHash::Sha1) => Some(&OAEP_SHA1_MGF1SHA1),
        (OaepHash::Sha256, OaepHash::Sha256) => Some(&OAEP_SHA256_MGF1SHA256),
        (OaepHash::Sha384, OaepHash::Sha384) => Some(&OAEP_SHA384_MGF1SHA384),
        (OaepHash::Sha512, OaepHash::Sha512) => Some(&OAEP_SHA512_MGF1SHA512),
        _ => None,
    }
}

/// Encrypts a content key to the recipient certificate's RSA key.
pub(crate) fn wrap_key(
    recipient: &Certificate,
    transport: KeyTransport,
    key: &[u8],
) -> Result<Vec<u8>, SignatureError> {
    let unusable = || {
        SignatureError::KeyUnusable(
            "the recipient certificate must hold an RSA key (XML Encryption key transport is RSA-OAEP)"
                .into(),
        )
    };
    let spki = recipient.public_key().spki_der();
    let (digest, mgf) = transport.hashes();
    match matched(digest, mgf) {
        Some(alg) => {
            let public = PublicEncryptingKey::from_der(spki).map_err(|_| unusable())?;
            let oaep = OaepPublicEncryptingKey::new(public).map_err(|_| unusable())?;
            let mut out = vec![0u8; oaep.ciphertext_size()];
            let len = oaep
                .encrypt(alg, key, &mut out, None)
                .map_err(|_| SignatureError::EncryptionFailed("RSA-OAEP encryption failed".into()))?
                .len();
            out.truncate(len);
            Ok(out)
        }
        None => oaep_ffi::encrypt(spki, digest, mgf, &[], key)
            .map_err(|()| SignatureError::EncryptionFailed("RSA-OAEP encryption failed".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> (PrivateKey, Certificate) {
        let key =
            PrivateKey::from_pem(include_str!("../../../samlkit-cert/tests/data/idp.key")).unwrap();
        let cert =
            Certificate::load(include_bytes!("../../../samlkit-cert/tests/data/idp.crt")).unwrap();
        (key, cert)
    }

    #[test]
    fn every_digest_and_mgf_pair_round_trips_and_a_mismatch_fails() {
        let (key, cert) = key();
        let dk = DecryptionKey::new(&key, Some(&cert)).unwrap();
        let hashes = [OaepHash::Sha1, OaepHash::Sha256, OaepHash::Sha384, OaepHash::Sha512];
        for digest in hashes {
            for mgf in hashes {
                let t = KeyTransport::RsaOaep { digest, mgf };
                let wrapped = wrap_key(&cert, t, &[9u8; 32]).unwrap();
                assert_eq!(dk.unwrap_key(t, &[], &wrapped).unwrap().as_slice(), &[9u8; 32]);
                let other = KeyTransport::RsaOaep {
                    digest,
                    mgf: if mgf == OaepHash::Sha1 { OaepHash::Sha256 } else { OaepHash::Sha1 },
                };
                assert!(dk.unwrap_key(other, &[], &wrapped).is_err(), "{digest:?}/{mgf:?}");
            }
        }
    }

    #[test]
    fn mixed_pair_with_a_label() {
        let (key, cert) = key();
        let dk = DecryptionKey::new(&key, None).unwrap();
        let spki = cert.public_key().spki_der();
        let wrapped =
            oaep_ffi::encrypt(spki, OaepHash::Sha256, OaepHash::Sha1, b"label", &[1; 16]).unwrap();
        let t = KeyTransport::RsaOaepMgf1p { digest: OaepHash::Sha256 };
        assert_eq!(dk.unwrap_key(t, b"label", &wrapped).unwrap().as_slice(), &[1; 16]);
        assert!(dk.unwrap_key(t, b"other", &wrapped).is_err());
        assert!(dk.unwrap_key(t, &[], &wrapped).is_err());
    }
}
