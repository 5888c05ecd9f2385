//! The algorithm allowlists, by URI.

use aws_lc_rs::digest;
use samlkit_cert::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};

use samlkit_xml::C14nAlgorithm;

use crate::SignatureError;

/// Digest algorithms for `ds:DigestMethod`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestMethod {
    /// SHA-1: refused unless the caller explicitly allows it.
    Sha1,
    /// SHA-256, the SAML default.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestMethod {
    /// The algorithm URI (XML-DSig 1.0 / 1.1, RFC 6931).
    pub fn uri(self) -> &'static str {
        match self {
            DigestMethod::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            DigestMethod::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            DigestMethod::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            DigestMethod::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    /// Parses an allowlisted URI; anything else (MD5, …) is refused naming the URI.
    pub fn from_uri(uri: &str, allow_sha1: bool) -> Result<DigestMethod, SignatureError> {
        let m = match uri {
            "http://www.w3.org/2000/09/xmldsig#sha1" => DigestMethod::Sha1,
            "http://www.w3.org/2001/04/xmlenc#sha256" => DigestMethod::Sha256,
            "http://www.w3.org/2001/04/xmldsig-more#sha384" => DigestMethod::Sha384,
            "http://www.w3.org/2001/04/xmlenc#sha512" => DigestMethod::Sha512,
            other => {
                return Err(SignatureError::AlgorithmRefused {
                    role: "DigestMethod",
                    uri: other.to_string(),
                    reason: "not an allowed digest algorithm (sha256, sha384, sha512)",
                });
            }
        };
        if m == DigestMethod::Sha1 && !allow_sha1 {
            return Err(SignatureError::AlgorithmRefused {
                role: "DigestMethod",
                uri: uri.to_string(),
                reason: crate::error::SHA1_REFUSED,
            });
        }
        Ok(m)
    }

    /// Short name (`sha256`).
    pub fn name(self) -> &'static str {
        match self {
            DigestMethod::Sha1 => "sha1",
            DigestMethod::Sha256 => "sha256",
            DigestMethod::Sha384 => "sha384",
            DigestMethod::Sha512 => "sha512",
        }
    }

    fn provider_algorithm(self) -> &'static digest::Algorithm {
        match self {
            DigestMethod::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            DigestMethod::Sha256 => &digest::SHA256,
            DigestMethod::Sha384 => &digest::SHA384,
            DigestMethod::Sha512 => &digest::SHA512,
        }
    }

    /// Digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        digest::digest(self.provider_algorithm(), data).as_ref().to_vec()
    }

    /// A hasher that canonicalization can write into directly, so the canonical bytes are
    /// digested as they are produced instead of being collected first.
    pub(crate) fn writer(self) -> DigestWriter {
        DigestWriter { context: digest::Context::new(self.provider_algorithm()), len: 0 }
    }
}

/// An [`std::io::Write`] that digests what is written and counts the bytes.
pub(crate) struct DigestWriter {
    context: digest::Context,
    len: usize,
}

impl DigestWriter {
    /// The number of bytes digested and the digest.
    pub(crate) fn finish(self) -> (usize, Vec<u8>) {
        (self.len, self.context.finish().as_ref().to_vec())
    }
}

impl std::io::Write for DigestWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.context.update(buf);
        self.len += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Signature algorithms for `ds:SignatureMethod`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureMethod {
    /// RSA PKCS#1 v1.5 with SHA-1: refused unless the caller explicitly allows it.
    RsaSha1,
    /// RSA PKCS#1 v1.5 with SHA-256, the SAML default for RSA keys.
    RsaSha256,
    /// RSA PKCS#1 v1.5 with SHA-384.
    RsaSha384,
    /// RSA PKCS#1 v1.5 with SHA-512.
    RsaSha512,
    /// ECDSA with SHA-256 (a P-256 key), value `r || s`.
    EcdsaSha256,
    /// ECDSA with SHA-384 (a P-384 key), value `r || s`.
    EcdsaSha384,
}

impl SignatureMethod {
    /// The algorithm URI.
    pub fn uri(self) -> &'static str {
        match self {
            SignatureMethod::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            SignatureMethod::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            SignatureMethod::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            SignatureMethod::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
            SignatureMethod::EcdsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            SignatureMethod::EcdsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        }
    }

    /// Parses an allowlisted URI; HMAC, DSA, MD5 and unknown URIs are refused naming the URI.
    pub fn from_uri(uri: &str, allow_sha1: bool) -> Result<SignatureMethod, SignatureError> {
        let refused = |reason| SignatureError::AlgorithmRefused {
            role: "SignatureMethod",
            uri: uri.to_string(),
            reason,
        };
        let m = match uri {
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1" => SignatureMethod::RsaSha1,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => SignatureMethod::RsaSha256,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => SignatureMethod::RsaSha384,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => SignatureMethod::RsaSha512,
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => SignatureMethod::EcdsaSha256,
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" => SignatureMethod::EcdsaSha384,
            u if u.contains("hmac") => {
                return Err(refused(
                    "HMAC is never accepted: its key would be whatever the sender chose, e.g. the public certificate",
                ));
            }
            u if u.contains("dsa-") && !u.contains("ecdsa") => {
                return Err(refused("DSA is not accepted"));
            }
            u if u.contains("md5") => return Err(refused("MD5 is broken and never accepted")),
            _ => return Err(refused("not an allowed signature algorithm")),
        };
        if m == SignatureMethod::RsaSha1 && !allow_sha1 {
            return Err(refused(crate::error::SHA1_REFUSED));
        }
        Ok(m)
    }

    /// Short name (`rsa-sha256`).
    pub fn name(self) -> &'static str {
        match self {
            SignatureMethod::RsaSha1 => "rsa-sha1",
            SignatureMethod::RsaSha256 => "rsa-sha256",
            SignatureMethod::RsaSha384 => "rsa-sha384",
            SignatureMethod::RsaSha512 => "rsa-sha512",
            SignatureMethod::EcdsaSha256 => "ecdsa-sha256",
            SignatureMethod::EcdsaSha384 => "ecdsa-sha384",
        }
    }

    /// Parses a short name (`rsa-sha256`, …).
    pub fn from_name(name: &str) -> Option<SignatureMethod> {
        [
            SignatureMethod::RsaSha1,
            SignatureMethod::RsaSha256,
            SignatureMethod::RsaSha384,
            SignatureMethod::RsaSha512,
            SignatureMethod::EcdsaSha256,
            SignatureMethod::EcdsaSha384,
        ]
        .into_iter()
        .find(|m| m.name() == name)
    }

    /// The concrete signature operation for a key of this algorithm, or `None` if the method
    /// does not fit the key (RSA method with an EC key, ecdsa-sha256 with a P-384 key, …).
    pub fn for_key(self, key: KeyAlgorithm) -> Option<SignatureAlgorithm> {
        match (self, key) {
            (SignatureMethod::RsaSha1, KeyAlgorithm::Rsa { .. }) => {
                Some(SignatureAlgorithm::RsaSha1)
            }
            (SignatureMethod::RsaSha256, KeyAlgorithm::Rsa { .. }) => {
                Some(SignatureAlgorithm::RsaSha256)
            }
            (SignatureMethod::RsaSha384, KeyAlgorithm::Rsa { .. }) => {
                Some(SignatureAlgorithm::RsaSha384)
            }
            (SignatureMethod::RsaSha512, KeyAlgorithm::Rsa { .. }) => {
                Some(SignatureAlgorithm::RsaSha512)
            }
            (SignatureMethod::EcdsaSha256, KeyAlgorithm::EcdsaP256) => {
                Some(SignatureAlgorithm::EcdsaP256Sha256)
            }
            (SignatureMethod::EcdsaSha384, KeyAlgorithm::EcdsaP384) => {
                Some(SignatureAlgorithm::EcdsaP384Sha384)
            }
            _ => None,
        }
    }

    /// The hash to check a signature of this method with a key of kind `key`, or `None` when the
    /// key's family does not fit (an RSA method with an EC key, or the reverse). Unlike
    /// [`SignatureMethod::for_key`] (what samlkit signs with), any curve fits any ECDSA method:
    /// the URI names the hash, the key names the curve (RFC 4051, RFC 6931), so a P-256 key with
    /// ecdsa-sha384 is legal.
    pub fn verification_hash(self, key: KeyAlgorithm) -> Option<HashAlgorithm> {
        let hash = match self {
            SignatureMethod::RsaSha1 => HashAlgorithm::Sha1,
            SignatureMethod::RsaSha256 | SignatureMethod::EcdsaSha256 => HashAlgorithm::Sha256,
            SignatureMethod::RsaSha384 | SignatureMethod::EcdsaSha384 => HashAlgorithm::Sha384,
            SignatureMethod::RsaSha512 => HashAlgorithm::Sha512,
        };
        let rsa_method = matches!(
            self,
            SignatureMethod::RsaSha1
                | SignatureMethod::RsaSha256
                | SignatureMethod::RsaSha384
                | SignatureMethod::RsaSha512
        );
        (rsa_method == matches!(key, KeyAlgorithm::Rsa { .. })).then_some(hash)
    }

    /// The natural method for a key: rsa-sha256 for RSA, the curve's ECDSA otherwise.
    pub fn default_for_key(key: KeyAlgorithm) -> SignatureMethod {
        match key {
            KeyAlgorithm::Rsa { .. } => SignatureMethod::RsaSha256,
            KeyAlgorithm::EcdsaP256 => SignatureMethod::EcdsaSha256,
            KeyAlgorithm::EcdsaP384 => SignatureMethod::EcdsaSha384,
        }
    }
}

/// The transforms a Reference may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transform {
    /// `#enveloped-signature`: removes the Signature element itself from the digested content.
    EnvelopedSignature,
    /// A canonicalization (exclusive or inclusive, with or without comments).
    Canonicalize(C14nAlgorithm),
}

/// URI of the enveloped-signature transform.
pub(crate) const ENVELOPED_SIGNATURE: &str =
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

impl Transform {
    /// Parses an allowlisted transform URI; XPath, XSLT, base64, C14N 1.1 and anything else are
    /// refused naming the URI.
    pub fn from_uri(uri: &str) -> Result<Transform, SignatureError> {
        if uri == ENVELOPED_SIGNATURE {
            return Ok(Transform::EnvelopedSignature);
        }
        c14n_from_uri(uri).map(Transform::Canonicalize).ok_or_else(|| SignatureError::AlgorithmRefused {
            role: "Transform",
            uri: uri.to_string(),
            reason: "only enveloped-signature, exclusive C14N and C14N 1.0 transforms are accepted",
        })
    }
}

/// The four canonicalization algorithms by URI.
pub(crate) fn c14n_from_uri(uri: &str) -> Option<C14nAlgorithm> {
    Some(match uri {
        "http://www.w3.org/2001/10/xml-exc-c14n#" => C14nAlgorithm::Exclusive,
        "http://www.w3.org/2001/10/xml-exc-c14n#WithComments" => {
            C14nAlgorithm::ExclusiveWithComments
        }
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315" => C14nAlgorithm::Inclusive,
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments" => {
            C14nAlgorithm::InclusiveWithComments
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlists() {
        for m in
            [SignatureMethod::RsaSha256, SignatureMethod::RsaSha512, SignatureMethod::EcdsaSha384]
        {
            assert_eq!(SignatureMethod::from_uri(m.uri(), false).unwrap(), m);
            assert_eq!(SignatureMethod::from_name(m.name()), Some(m));
        }
        let refused = [
            "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
            "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        ];
        for uri in refused {
            let err = SignatureMethod::from_uri(uri, false).unwrap_err();
            assert!(err.to_string().contains(uri), "{err}");
        }
        assert!(
            SignatureMethod::from_uri("http://www.w3.org/2000/09/xmldsig#rsa-sha1", true).is_ok()
        );
        assert!(DigestMethod::from_uri(DigestMethod::Sha1.uri(), false).is_err());
        assert!(DigestMethod::from_uri(DigestMethod::Sha1.uri(), true).is_ok());
        assert!(
            DigestMethod::from_uri("http://www.w3.org/2001/04/xmldsig-more#md5", true).is_err()
        );
        for uri in [
            "http://www.w3.org/TR/1999/REC-xpath-19991116",
            "http://www.w3.org/TR/1999/REC-xslt-19991116",
            "http://www.w3.org/2000/09/xmldsig#base64",
            "http://www.w3.org/2006/12/xml-c14n11",
        ] {
            let err = Transform::from_uri(uri).unwrap_err();
            assert!(err.to_string().contains(uri), "{err}");
        }
        assert_eq!(
            Transform::from_uri(ENVELOPED_SIGNATURE).unwrap(),
            Transform::EnvelopedSignature
        );
    }

    #[test]
    fn digests_have_the_right_length() {
        for (m, len) in [
            (DigestMethod::Sha1, 20),
            (DigestMethod::Sha256, 32),
            (DigestMethod::Sha384, 48),
            (DigestMethod::Sha512, 64),
        ] {
            assert_eq!(m.digest(b"abc").len(), len);
        }
    }
}
