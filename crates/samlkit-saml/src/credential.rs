//! [`SigningCredential`]: a private key and the certificate published for it, checked to belong
//! together before anything is signed.

use samlkit_cert::{Certificate, KeyAlgorithm, PrivateKey, Signer};

use crate::{ErrorKind, SamlError};

/// A key ready to sign and the certificate that goes into the signature's KeyInfo.
///
/// The only way to make one is [`SigningCredential::new`], which refuses a key whose public half
/// is not the certificate's: a response signed with the wrong key would carry a certificate the
/// service provider trusts and still fail its check, which is a confusing outage to debug after
/// deployment.
///
/// ```
/// use samlkit_cert::{PrivateKey, RsaKeySize, Subject, generate};
/// use samlkit_saml::{ErrorKind, SigningCredential};
///
/// let key = PrivateKey::generate_rsa(RsaKeySize::Bits2048)?;
/// let not_before = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap();
/// let cert = generate::self_signed(&key, &Subject::new("idp.example.com"), not_before, 365)?;
/// let credential = SigningCredential::new(&key, cert.clone())?;
/// assert_eq!(credential.certificate(), &cert);
///
/// let other_key = PrivateKey::generate_rsa(RsaKeySize::Bits2048)?;
/// let err = SigningCredential::new(&other_key, cert).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::KeyMismatch);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SigningCredential {
    signer: Signer,
    certificate: Certificate,
}

impl SigningCredential {
    /// Pairs `key` with `certificate` after checking that the certificate certifies that key.
    ///
    /// Errors: [`ErrorKind::KeyMismatch`] when the certificate's public key is not the key's;
    /// [`ErrorKind::SigningFailed`] when the key cannot sign (the detail says why).
    pub fn new(key: &PrivateKey, certificate: Certificate) -> Result<SigningCredential, SamlError> {
        if !certificate.matches_key(key) {
            return Err(SamlError::new(
                ErrorKind::KeyMismatch,
                format!(
                    "the certificate for {:?} does not certify this private key",
                    certificate.info().subject
                ),
            ));
        }
        let signer =
            key.signer().map_err(|e| SamlError::new(ErrorKind::SigningFailed, e.to_string()))?;
        Ok(SigningCredential { signer, certificate })
    }

    /// The key, ready to sign.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The certificate of the key.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The key's algorithm and size (which signature methods fit it).
    pub fn key_algorithm(&self) -> KeyAlgorithm {
        self.signer.algorithm()
    }
}
