//! Private and public keys, and the signature operations made with them.
//!
//! Keys are held as PKCS#8 DER (private) and SubjectPublicKeyInfo DER (public), the two
//! formats every other tool understands. `aws-lc-rs` (AWS-LC) generates RSA keys and performs
//! the signatures and verifications: RSA PKCS#1 v1.5 with SHA-256/384/512, ECDSA P-256/P-384
//! with fixed-size `r || s`, and the legacy RSA-SHA1 verification. A public key is parsed into
//! the provider once, on its first verification, and kept ([`PublicKey`] is held inside each
//! [`crate::Certificate`], so a trusted certificate's key is parsed once for all documents).
//!
//! RSA-SHA1 *signing*, which aws-lc-rs's API does not offer (only for deliberately weak test
//! responses, such as `issue --break sha1`), goes to AWS-LC itself through
//! `legacy_sha1.rs`, a small FFI module: every private-key operation is AWS-LC's.
//!
//! What the `rsa` crate still does, and why (no signing, no decryption: RUSTSEC-2023-0071, the
//! Marvin timing attack, concerns its private-key operations, and none reach it):
//! - reads RSA private keys, PKCS#1 and PKCS#8, of any size (so that a 1024-bit key can be
//!   loaded in order to be refused by policy, which aws-lc-rs would reject before we could say
//!   why), re-encodes PKCS#1 as PKCS#8, and derives the SubjectPublicKeyInfo and modulus size
//!   ([`PrivateKey::from_pem`] and the DER/keystore loaders);
//! - verifies RSA-SHA384 with a key under 2048 bits (`verify_rsa_sha384_small`), a public-key
//!   operation aws-lc-rs has no legacy constant for; this is why its `pkcs1v15` feature stays.
//!
//! Tests also use it to make reference signatures with a 1024-bit key, which aws-lc-rs refuses.
//!
//! ```
//! use samlkit_cert::{PrivateKey, SignatureAlgorithm};
//! # fn main() -> Result<(), samlkit_cert::CertError> {
//! # let pem = include_str!("../tests/data/idp.key");
//! let key = PrivateKey::from_pem(pem)?;
//! let signature = key.signer()?.sign(SignatureAlgorithm::RsaSha256, b"hello")?;
//! key.public_key().verify(SignatureAlgorithm::RsaSha256, b"hello", &signature)?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::{Arc, OnceLock};

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self as lc_sig, EcdsaKeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;
use zeroize::Zeroizing;

use crate::der::{self, oid};
use crate::{CertError, pem};

/// RSA modulus sizes samlkit generates (the ones Salesforce accepts for SAML and JKS import).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RsaKeySize {
    /// 2048 bits: the common default.
    Bits2048,
    /// 3072 bits.
    Bits3072,
    /// 4096 bits.
    Bits4096,
}

impl RsaKeySize {
    /// The modulus size in bits.
    pub fn bits(self) -> usize {
        match self {
            RsaKeySize::Bits2048 => 2048,
            RsaKeySize::Bits3072 => 3072,
            RsaKeySize::Bits4096 => 4096,
        }
    }
}

impl TryFrom<u32> for RsaKeySize {
    type Error = CertError;

    fn try_from(bits: u32) -> Result<Self, CertError> {
        match bits {
            2048 => Ok(RsaKeySize::Bits2048),
            3072 => Ok(RsaKeySize::Bits3072),
            4096 => Ok(RsaKeySize::Bits4096),
            other => Err(CertError::InvalidParameter {
                field: "RSA key size",
                reason: format!("{other} bits; choose 2048, 3072 or 4096"),
            }),
        }
    }
}

/// What `cert new` generates: an RSA key of a size Salesforce accepts, or an ECDSA key.
///
/// ```
/// use samlkit_cert::{KeyType, RsaKeySize};
/// assert_eq!(KeyType::from_name("rsa-4096"), Some(KeyType::Rsa(RsaKeySize::Bits4096)));
/// assert_eq!(KeyType::EcP256.name(), "ec-p256");
/// assert_eq!(KeyType::from_name("rsa-1024"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA with public exponent 65537.
    Rsa(RsaKeySize),
    /// ECDSA on NIST P-256.
    EcP256,
    /// ECDSA on NIST P-384.
    EcP384,
}

impl KeyType {
    /// Every type, in the order help texts list them.
    pub const ALL: [KeyType; 5] = [
        KeyType::Rsa(RsaKeySize::Bits2048),
        KeyType::Rsa(RsaKeySize::Bits3072),
        KeyType::Rsa(RsaKeySize::Bits4096),
        KeyType::EcP256,
        KeyType::EcP384,
    ];

    /// The command-line name: `rsa-2048`, `rsa-3072`, `rsa-4096`, `ec-p256`, `ec-p384`.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Rsa(RsaKeySize::Bits2048) => "rsa-2048",
            KeyType::Rsa(RsaKeySize::Bits3072) => "rsa-3072",
            KeyType::Rsa(RsaKeySize::Bits4096) => "rsa-4096",
            KeyType::EcP256 => "ec-p256",
            KeyType::EcP384 => "ec-p384",
        }
    }

    /// The type named `name` (exactly as [`KeyType::name`] spells it), if any.
    pub fn from_name(name: &str) -> Option<KeyType> {
        KeyType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The kind of a key pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// ECDSA on NIST P-256 (secp256r1).
    EcdsaP256,
    /// ECDSA on NIST P-384 (secp384r1).
    EcdsaP384,
}

impl KeyAlgorithm {
    /// The key size in bits (modulus for RSA, field size for EC).
    pub fn bits(self) -> usize {
        match self {
            KeyAlgorithm::Rsa { bits } => bits,
            KeyAlgorithm::EcdsaP256 => 256,
            KeyAlgorithm::EcdsaP384 => 384,
        }
    }

    /// A short type name: `RSA` or `EC`.
    pub fn kind(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa { .. } => "RSA",
            KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 => "EC",
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    /// `RSA 2048`, `EC P-256`, `EC P-384`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyAlgorithm::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyAlgorithm::EcdsaP256 => f.write_str("EC P-256"),
            KeyAlgorithm::EcdsaP384 => f.write_str("EC P-384"),
        }
    }
}

/// Signature algorithms, named as in XML-DSig and JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSA PKCS#1 v1.5 with SHA-1: broken, for negative tests and legacy verification only.
    RsaSha1,
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaSha256,
    /// RSA PKCS#1 v1.5 with SHA-384.
    RsaSha384,
    /// RSA PKCS#1 v1.5 with SHA-512.
    RsaSha512,
    /// ECDSA P-256 with SHA-256; signature is fixed-size `r || s` (64 bytes).
    EcdsaP256Sha256,
    /// ECDSA P-384 with SHA-384; signature is fixed-size `r || s` (96 bytes).
    EcdsaP384Sha384,
}

impl SignatureAlgorithm {
    /// Every algorithm, for tables and tests.
    pub const ALL: [SignatureAlgorithm; 6] = [
        SignatureAlgorithm::RsaSha1,
        SignatureAlgorithm::RsaSha256,
        SignatureAlgorithm::RsaSha384,
        SignatureAlgorithm::RsaSha512,
        SignatureAlgorithm::EcdsaP256Sha256,
        SignatureAlgorithm::EcdsaP384Sha384,
    ];

    /// A short lower-case name: `rsa-sha256`, `ecdsa-sha384`, …
    pub fn name(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha1 => "rsa-sha1",
            SignatureAlgorithm::RsaSha256 => "rsa-sha256",
            SignatureAlgorithm::RsaSha384 => "rsa-sha384",
            SignatureAlgorithm::RsaSha512 => "rsa-sha512",
            SignatureAlgorithm::EcdsaP256Sha256 => "ecdsa-sha256",
            SignatureAlgorithm::EcdsaP384Sha384 => "ecdsa-sha384",
        }
    }

    /// The XML-DSig `SignatureMethod/@Algorithm` URI.
    pub fn xmldsig_uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            SignatureAlgorithm::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            SignatureAlgorithm::RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
            SignatureAlgorithm::RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
            SignatureAlgorithm::EcdsaP256Sha256 => {
                "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
            }
            SignatureAlgorithm::EcdsaP384Sha384 => {
                "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
            }
        }
    }

    /// The algorithm for an XML-DSig `SignatureMethod/@Algorithm` URI, if samlkit knows it.
    pub fn from_xmldsig_uri(uri: &str) -> Option<SignatureAlgorithm> {
        SignatureAlgorithm::ALL.into_iter().find(|alg| alg.xmldsig_uri() == uri)
    }

    /// Whether this algorithm can be used with a key of kind `key`.
    pub fn fits(self, key: KeyAlgorithm) -> bool {
        matches!(
            (self, key),
            (
                SignatureAlgorithm::RsaSha1
                    | SignatureAlgorithm::RsaSha256
                    | SignatureAlgorithm::RsaSha384
                    | SignatureAlgorithm::RsaSha512,
                KeyAlgorithm::Rsa { .. }
            ) | (SignatureAlgorithm::EcdsaP256Sha256, KeyAlgorithm::EcdsaP256)
                | (SignatureAlgorithm::EcdsaP384Sha384, KeyAlgorithm::EcdsaP384)
        )
    }

    fn check_fits(self, key: KeyAlgorithm) -> Result<(), CertError> {
        if self.fits(key) {
            Ok(())
        } else {
            Err(CertError::AlgorithmMismatch { algorithm: self.name(), key: key.to_string() })
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A hash function, named apart from the key it is used with.
///
/// XML-DSig's signature-method URIs name the hash only (`ecdsa-sha384`, `rsa-sha256`): the curve
/// or modulus comes from the key (RFC 4051, RFC 6931), so P-256 with SHA-384 and P-384 with
/// SHA-256 are both legal. [`PublicKey::verify_with_hash`] checks such a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-1: broken, for legacy verification only.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// A short lower-case name: `sha256`, …
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "sha1",
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }
}

/// A private key (RSA, or ECDSA P-256/P-384), held as PKCS#8 DER.
///
/// `Debug` shows the algorithm only, never key material.
#[derive(Clone)]
pub struct PrivateKey {
    /// Wiped from memory when the key is dropped.
    pkcs8: Zeroizing<Vec<u8>>,
    algorithm: KeyAlgorithm,
    public: PublicKey,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Generates a fresh RSA key pair (public exponent 65537) from the operating system's
    /// random source.
    pub fn generate_rsa(size: RsaKeySize) -> Result<PrivateKey, CertError> {
        let lc_size = match size {
            RsaKeySize::Bits2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
            RsaKeySize::Bits3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
            RsaKeySize::Bits4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
        };
        let pair =
            RsaKeyPair::generate(lc_size).map_err(|e| CertError::KeyGeneration(e.to_string()))?;
        let pkcs8 = pair.as_der().map_err(|e| CertError::KeyGeneration(e.to_string()))?;
        PrivateKey::from_pkcs8_der(pkcs8.as_ref())
    }

    /// Generates a fresh ECDSA key pair on P-256 or P-384 from the operating system's random
    /// source. `algorithm` must be [`KeyAlgorithm::EcdsaP256`] or [`KeyAlgorithm::EcdsaP384`].
    ///
    /// ```
    /// use samlkit_cert::{KeyAlgorithm, PrivateKey, SignatureAlgorithm};
    /// # fn main() -> Result<(), samlkit_cert::CertError> {
    /// let key = PrivateKey::generate_ec(KeyAlgorithm::EcdsaP384)?;
    /// assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP384);
    /// let signature = key.signer()?.sign(SignatureAlgorithm::EcdsaP384Sha384, b"hi")?;
    /// assert_eq!(signature.len(), 96); // r || s
    /// # Ok(()) }
    /// ```
    pub fn generate_ec(algorithm: KeyAlgorithm) -> Result<PrivateKey, CertError> {
        let (signing, curve) = match algorithm {
            KeyAlgorithm::EcdsaP256 => (&lc_sig::ECDSA_P256_SHA256_FIXED_SIGNING, oid::P256),
            KeyAlgorithm::EcdsaP384 => (&lc_sig::ECDSA_P384_SHA384_FIXED_SIGNING, oid::P384),
            KeyAlgorithm::Rsa { .. } => {
                return Err(CertError::InvalidParameter {
                    field: "EC key type",
                    reason: format!("{algorithm} is not an EC curve; choose P-256 or P-384"),
                });
            }
        };
        let pair =
            EcdsaKeyPair::generate(signing).map_err(|e| CertError::KeyGeneration(e.to_string()))?;
        let pkcs8 = pair.to_pkcs8v1().map_err(|e| CertError::KeyGeneration(e.to_string()))?;
        PrivateKey::from_ec_pkcs8(Zeroizing::new(pkcs8.as_ref().to_vec()), curve)
    }

    /// Generates a fresh key pair of type `key_type` from the operating system's random source.
    pub fn generate(key_type: KeyType) -> Result<PrivateKey, CertError> {
        match key_type {
            KeyType::Rsa(size) => PrivateKey::generate_rsa(size),
            KeyType::EcP256 => PrivateKey::generate_ec(KeyAlgorithm::EcdsaP256),
            KeyType::EcP384 => PrivateKey::generate_ec(KeyAlgorithm::EcdsaP384),
        }
    }

    /// Reads a PEM private key: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1
    /// (`EC PRIVATE KEY`). Encrypted keys (`ENCRYPTED PRIVATE KEY`, or OpenSSL's
    /// `Proc-Type: 4,ENCRYPTED` header) give [`CertError::EncryptedKey`].
    pub fn from_pem(pem_text: &str) -> Result<PrivateKey, CertError> {
        let blocks = pem::parse_all(pem_text)?;
        for block in &blocks {
            if block.is_legacy_encrypted() {
                return Err(CertError::EncryptedKey {
                    format: "OpenSSL legacy PEM encryption, Proc-Type: 4,ENCRYPTED",
                });
            }
            match block.label.as_str() {
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(CertError::EncryptedKey { format: "PKCS#8 ENCRYPTED PRIVATE KEY" });
                }
                "PRIVATE KEY" => return PrivateKey::from_pkcs8_der(&block.der),
                "RSA PRIVATE KEY" => return PrivateKey::from_pkcs1_der(&block.der),
                "EC PRIVATE KEY" => return PrivateKey::from_sec1_der(&block.der),
                _ => {}
            }
        }
        Err(CertError::NotFound { expected: "private key", found: pem::describe_labels(&blocks) })
    }

    /// Reads a DER private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC). An encrypted PKCS#8
    /// structure gives [`CertError::EncryptedKey`].
    pub fn from_der(der_bytes: &[u8]) -> Result<PrivateKey, CertError> {
        let not_a_key = |what: &str| CertError::NotFound {
            expected: "private key",
            found: format!("the DER input is {what}"),
        };
        let items = der::sequence_children(der_bytes)
            .ok_or_else(|| not_a_key("not a single DER SEQUENCE"))?;
        match items.as_slice() {
            // PrivateKeyInfo: version 0, AlgorithmIdentifier, OCTET STRING.
            [v, alg, ..] if v.tag == der::TAG_INTEGER && alg.tag == der::TAG_SEQUENCE => {
                PrivateKey::from_pkcs8_der(der_bytes)
            }
            // RSAPrivateKey: version, modulus, publicExponent, …
            [v, n, ..] if v.tag == der::TAG_INTEGER && n.tag == der::TAG_INTEGER => {
                PrivateKey::from_pkcs1_der(der_bytes)
            }
            // ECPrivateKey: version 1, privateKey OCTET STRING, …
            [v, k, ..] if v.tag == der::TAG_INTEGER && k.tag == der::TAG_OCTET_STRING => {
                PrivateKey::from_sec1_der(der_bytes)
            }
            // EncryptedPrivateKeyInfo: AlgorithmIdentifier, OCTET STRING.
            [alg, data] if alg.tag == der::TAG_SEQUENCE && data.tag == der::TAG_OCTET_STRING => {
                Err(CertError::EncryptedKey { format: "PKCS#8 EncryptedPrivateKeyInfo (DER)" })
            }
            // Certificate: TBSCertificate, AlgorithmIdentifier, BIT STRING.
            [tbs, alg, sig]
                if tbs.tag == der::TAG_SEQUENCE
                    && alg.tag == der::TAG_SEQUENCE
                    && sig.tag == der::TAG_BIT_STRING =>
            {
                Err(not_a_key("a certificate (or another signed structure), not a private key"))
            }
            _ => Err(not_a_key("not a PKCS#8, PKCS#1 or SEC1 private key")),
        }
    }

    /// Reads a key in any supported form: PEM text is recognised by its `-----BEGIN` line,
    /// anything else is treated as DER.
    ///
    /// ```
    /// use samlkit_cert::{CertError, KeyAlgorithm, PrivateKey};
    /// # fn main() -> Result<(), CertError> {
    /// // The same key as PKCS#8 PEM and as DER.
    /// let pem = PrivateKey::load(include_bytes!("../../../fixtures/keys/idp.key"))?;
    /// let der = PrivateKey::load(include_bytes!("../../../fixtures/keys/idp.key.der"))?;
    /// assert_eq!(pem.pkcs8_der(), der.pkcs8_der());
    /// assert_eq!(pem.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
    ///
    /// // An encrypted key is reported as such rather than as garbage.
    /// let encrypted = include_bytes!("../../../fixtures/keys/idp-encrypted.key");
    /// assert!(matches!(PrivateKey::load(encrypted), Err(CertError::EncryptedKey { .. })));
    /// # Ok(()) }
    /// ```
    pub fn load(bytes: &[u8]) -> Result<PrivateKey, CertError> {
        match std::str::from_utf8(bytes) {
            Ok(text) if pem::looks_like_pem(bytes) => PrivateKey::from_pem(text),
            _ => PrivateKey::from_der(bytes),
        }
    }

    /// The key as PKCS#8 `PrivateKeyInfo` DER.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The key as a PKCS#8 PEM block (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> String {
        pem::encode("PRIVATE KEY", &self.pkcs8)
    }

    /// The key's algorithm and size.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// Prepares the key for signing (parses it into the provider once; reuse the signer).
    pub fn signer(&self) -> Result<Signer, CertError> {
        let rejected = |e: aws_lc_rs::error::KeyRejected| CertError::InvalidKey {
            kind: "private key",
            reason: format!("rejected by the signature library: {e}"),
        };
        let inner = match self.algorithm {
            KeyAlgorithm::Rsa { .. } => {
                SignerKey::Rsa(RsaKeyPair::from_pkcs8(&self.pkcs8).map_err(rejected)?)
            }
            KeyAlgorithm::EcdsaP256 => SignerKey::Ecdsa(
                EcdsaKeyPair::from_pkcs8(&lc_sig::ECDSA_P256_SHA256_FIXED_SIGNING, &self.pkcs8)
                    .map_err(rejected)?,
            ),
            KeyAlgorithm::EcdsaP384 => SignerKey::Ecdsa(
                EcdsaKeyPair::from_pkcs8(&lc_sig::ECDSA_P384_SHA384_FIXED_SIGNING, &self.pkcs8)
                    .map_err(rejected)?,
            ),
        };
        Ok(Signer {
            key: inner,
            algorithm: self.algorithm,
            pkcs8: self.pkcs8.clone(),
            rng: SystemRandom::new(),
        })
    }

    fn from_rsa(key: &rsa::PrivateKey) -> Result<PrivateKey, CertError> {
        let invalid = |e: &dyn fmt::Display| CertError::InvalidKey {
            kind: "private key",
            reason: e.to_string(),
        };
        let pkcs8 =
            Zeroizing::new(key.to_pkcs8_der().map_err(|e| invalid(&e))?.as_bytes().to_vec());
        let spki = key.to_public_key().to_public_key_der().map_err(|e| invalid(&e))?;
        let public = PublicKey::from_spki_der(spki.as_bytes())?;
        Ok(PrivateKey { pkcs8, algorithm: KeyAlgorithm::Rsa { bits: key.size() * 8 }, public })
    }

    fn from_pkcs1_der(der_bytes: &[u8]) -> Result<PrivateKey, CertError> {
        let key = rsa::PrivateKey::from_pkcs1_der(der_bytes).map_err(|e| {
            CertError::InvalidKey { kind: "private key", reason: format!("PKCS#1 RSA key: {e}") }
        })?;
        PrivateKey::from_rsa(&key)
    }

    fn from_pkcs8_der(der_bytes: &[u8]) -> Result<PrivateKey, CertError> {
        let invalid = |reason: String| CertError::InvalidKey { kind: "private key", reason };
        let items = der::sequence_children(der_bytes)
            .ok_or_else(|| invalid("PKCS#8: not a DER SEQUENCE".into()))?;
        let algorithm_id = items
            .get(1)
            .filter(|t| t.tag == der::TAG_SEQUENCE)
            .map(|t| der::children(t.content))
            .ok_or_else(|| invalid("PKCS#8: missing AlgorithmIdentifier".into()))?;
        let algorithm_oid = algorithm_id
            .first()
            .filter(|t| t.tag == der::TAG_OID)
            .map(|t| t.content)
            .ok_or_else(|| invalid("PKCS#8: missing algorithm OID".into()))?;
        if algorithm_oid == oid::RSA_ENCRYPTION {
            let key = rsa::PrivateKey::from_pkcs8_der(der_bytes)
                .map_err(|e| invalid(format!("PKCS#8 RSA key: {e}")))?;
            // Keep the caller's bytes: re-encoding could only lose information.
            let mut out = PrivateKey::from_rsa(&key)?;
            out.pkcs8 = Zeroizing::new(der_bytes.to_vec());
            return Ok(out);
        }
        if algorithm_oid == oid::EC_PUBLIC_KEY {
            let curve = algorithm_id
                .get(1)
                .filter(|t| t.tag == der::TAG_OID)
                .map(|t| t.content)
                .ok_or_else(|| invalid("PKCS#8 EC key without a named curve".into()))?;
            return PrivateKey::from_ec_pkcs8(Zeroizing::new(der_bytes.to_vec()), curve);
        }
        Err(CertError::UnsupportedKey(format!(
            "PKCS#8 key with algorithm OID {}; samlkit handles RSA and ECDSA P-256/P-384",
            describe_oid(algorithm_oid)
        )))
    }

    fn from_ec_pkcs8(pkcs8: Zeroizing<Vec<u8>>, curve: &[u8]) -> Result<PrivateKey, CertError> {
        let (algorithm, signing) = if curve == oid::P256 {
            (KeyAlgorithm::EcdsaP256, &lc_sig::ECDSA_P256_SHA256_FIXED_SIGNING)
        } else if curve == oid::P384 {
            (KeyAlgorithm::EcdsaP384, &lc_sig::ECDSA_P384_SHA384_FIXED_SIGNING)
        } else {
            return Err(CertError::UnsupportedKey(format!(
                "EC key on curve {}; samlkit handles P-256 and P-384",
                describe_oid(curve)
            )));
        };
        let pair =
            EcdsaKeyPair::from_pkcs8(signing, &pkcs8).map_err(|e| CertError::InvalidKey {
                kind: "private key",
                reason: format!("EC key rejected ({e}); it must include its public key"),
            })?;
        let public = PublicKey::from_spki_der(&ec_spki(curve, pair.public_key().as_ref()))?;
        Ok(PrivateKey { pkcs8, algorithm, public })
    }

    /// Wraps a SEC1 `ECPrivateKey` (OpenSSL's `EC PRIVATE KEY`) into PKCS#8.
    fn from_sec1_der(sec1: &[u8]) -> Result<PrivateKey, CertError> {
        let invalid = |reason: &str| CertError::InvalidKey {
            kind: "private key",
            reason: format!("SEC1 EC key: {reason}"),
        };
        let items = der::sequence_children(sec1).ok_or_else(|| invalid("not a DER SEQUENCE"))?;
        let params = items
            .iter()
            .find(|t| t.tag == der::TAG_CONTEXT_0)
            .ok_or_else(|| invalid("no named curve (parameters [0] missing)"))?;
        let curve = der::read_tlv(params.content)
            .filter(|(t, _)| t.tag == der::TAG_OID)
            .map(|(t, _)| t.content)
            .ok_or_else(|| invalid("the curve parameters are not a named curve"))?;
        let mut algorithm_id = der::tlv(der::TAG_OID, oid::EC_PUBLIC_KEY);
        algorithm_id.extend(der::tlv(der::TAG_OID, curve));
        let mut body = der::tlv(der::TAG_INTEGER, &[0]);
        body.extend(der::tlv(der::TAG_SEQUENCE, &algorithm_id));
        body.extend(der::tlv(der::TAG_OCTET_STRING, sec1));
        PrivateKey::from_ec_pkcs8(Zeroizing::new(der::tlv(der::TAG_SEQUENCE, &body)), curve)
    }
}

/// SubjectPublicKeyInfo for an EC point on a named curve.
fn ec_spki(curve: &[u8], point: &[u8]) -> Vec<u8> {
    let mut algorithm_id = der::tlv(der::TAG_OID, oid::EC_PUBLIC_KEY);
    algorithm_id.extend(der::tlv(der::TAG_OID, curve));
    let mut bits = Vec::with_capacity(point.len() + 1);
    bits.push(0); // no unused bits
    bits.extend_from_slice(point);
    let mut body = der::tlv(der::TAG_SEQUENCE, &algorithm_id);
    body.extend(der::tlv(der::TAG_BIT_STRING, &bits));
    der::tlv(der::TAG_SEQUENCE, &body)
}

/// Dotted form of a DER-encoded OID, for messages.
fn describe_oid(content: &[u8]) -> String {
    x509_parser::der_parser::oid::Oid::new(content.into()).to_id_string()
}

enum SignerKey {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

/// A private key ready to sign. Create it once with [`PrivateKey::signer`] and reuse it.
pub struct Signer {
    key: SignerKey,
    algorithm: KeyAlgorithm,
    /// Kept for the one algorithm no modern provider signs with (RSA-SHA1).
    pkcs8: Zeroizing<Vec<u8>>,
    rng: SystemRandom,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl Signer {
    /// Signs `message` (the whole message: hashing is part of the algorithm).
    ///
    /// RSA signatures are PKCS#1 v1.5 and deterministic; ECDSA signatures are the fixed-size
    /// `r || s` concatenation XML-DSig and JWS use (not ASN.1), and randomised.
    pub fn sign(&self, alg: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>, CertError> {
        alg.check_fits(self.algorithm)?;
        let failed = |e: aws_lc_rs::error::Unspecified| CertError::Signing(e.to_string());
        match (&self.key, alg) {
            (SignerKey::Rsa(_), SignatureAlgorithm::RsaSha1) => self.sign_rsa_sha1(message),
            (SignerKey::Rsa(pair), _) => {
                let padding: &'static dyn lc_sig::RsaEncoding = match alg {
                    SignatureAlgorithm::RsaSha384 => &lc_sig::RSA_PKCS1_SHA384,
                    SignatureAlgorithm::RsaSha512 => &lc_sig::RSA_PKCS1_SHA512,
                    _ => &lc_sig::RSA_PKCS1_SHA256,
                };
                let mut signature = vec![0u8; pair.public_modulus_len()];
                pair.sign(padding, &self.rng, message, &mut signature).map_err(failed)?;
                Ok(signature)
            }
            (SignerKey::Ecdsa(pair), _) => {
                Ok(pair.sign(&self.rng, message).map_err(failed)?.as_ref().to_vec())
            }
        }
    }

    /// The algorithm of the key inside.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// RSA PKCS#1 v1.5 with SHA-1, through AWS-LC's EVP interface ([`crate::legacy_sha1`]):
    /// aws-lc-rs verifies SHA-1 but has no SHA-1 signing encoding. Only deliberately weak
    /// output (`issue --break sha1`, tests of the refusal) asks for it; `sign --alg rsa-sha1`
    /// is refused by the command line.
    fn sign_rsa_sha1(&self, message: &[u8]) -> Result<Vec<u8>, CertError> {
        crate::legacy_sha1::sign_rsa_sha1(&self.pkcs8, message)
            .map_err(|e| CertError::Signing(e.to_string()))
    }
}

/// A public key, held as SubjectPublicKeyInfo DER.
#[derive(Clone)]
pub struct PublicKey {
    spki: Vec<u8>,
    algorithm: KeyAlgorithm,
    /// The `subjectPublicKey` BIT STRING contents: PKCS#1 `RSAPublicKey` DER, or the EC point.
    key_bytes: Vec<u8>,
    /// The key parsed into the provider, per hash (a key's curve or modulus is fixed, so the
    /// hash alone picks the verification algorithm). Shared by clones.
    parsed: Arc<ParsedKeys>,
}

/// One lazily parsed provider key per hash a key has been checked with.
#[derive(Default)]
struct ParsedKeys {
    sha1: OnceLock<Option<ParsedPublicKey>>,
    sha256: OnceLock<Option<ParsedPublicKey>>,
    sha384: OnceLock<Option<ParsedPublicKey>>,
    sha512: OnceLock<Option<ParsedPublicKey>>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl PartialEq for PublicKey {
    /// Two public keys are equal when they are the same key, whatever optional encoding
    /// details (such as RSA's NULL parameters) their SubjectPublicKeyInfo carries.
    fn eq(&self, other: &Self) -> bool {
        self.algorithm == other.algorithm && self.key_bytes == other.key_bytes
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Reads a DER `SubjectPublicKeyInfo` (RSA, or EC on P-256/P-384).
    pub fn from_spki_der(spki_der: &[u8]) -> Result<PublicKey, CertError> {
        let invalid = |reason: String| CertError::InvalidKey { kind: "public key", reason };
        let (rest, spki) = SubjectPublicKeyInfo::from_der(spki_der)
            .map_err(|e| invalid(format!("not a SubjectPublicKeyInfo ({e})")))?;
        if !rest.is_empty() {
            return Err(invalid("trailing bytes after the SubjectPublicKeyInfo".into()));
        }
        let key_bytes = spki.subject_public_key.data.to_vec();
        let algorithm_oid = spki.algorithm.algorithm.as_bytes();
        let algorithm = if algorithm_oid == oid::RSA_ENCRYPTION {
            let rsa_key = match spki.parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(k)) => k,
                _ => return Err(invalid("malformed RSA public key".into())),
            };
            let modulus = rsa_key.modulus;
            let significant = modulus.iter().skip_while(|&&b| b == 0).count();
            let bits = match modulus.iter().find(|&&b| b != 0) {
                Some(first) => significant * 8 - first.leading_zeros() as usize,
                None => return Err(invalid("RSA modulus is zero".into())),
            };
            KeyAlgorithm::Rsa { bits }
        } else if algorithm_oid == oid::EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .ok_or_else(|| invalid("EC public key without a named curve".into()))?;
            if curve.as_bytes() == oid::P256 {
                KeyAlgorithm::EcdsaP256
            } else if curve.as_bytes() == oid::P384 {
                KeyAlgorithm::EcdsaP384
            } else {
                return Err(CertError::UnsupportedKey(format!(
                    "EC public key on curve {}; samlkit handles P-256 and P-384",
                    curve.to_id_string()
                )));
            }
        } else {
            return Err(CertError::UnsupportedKey(format!(
                "public key algorithm {}; samlkit handles RSA and ECDSA P-256/P-384",
                spki.algorithm.algorithm.to_id_string()
            )));
        };
        Ok(PublicKey {
            spki: spki_der.to_vec(),
            algorithm,
            key_bytes,
            parsed: Arc::new(ParsedKeys::default()),
        })
    }

    /// The key as DER `SubjectPublicKeyInfo`.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The key as a PEM block (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki)
    }

    /// The key's algorithm and size.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// Checks `signature` over `message`. RSA keys must be at least 2048 bits for SHA-2
    /// (1024 bits are accepted for legacy RSA-SHA1); ECDSA signatures are fixed-size `r || s`.
    pub fn verify(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CertError> {
        alg.check_fits(self.algorithm)?;
        let hash = match alg {
            SignatureAlgorithm::RsaSha1 => HashAlgorithm::Sha1,
            SignatureAlgorithm::RsaSha256 | SignatureAlgorithm::EcdsaP256Sha256 => {
                HashAlgorithm::Sha256
            }
            SignatureAlgorithm::RsaSha384 | SignatureAlgorithm::EcdsaP384Sha384 => {
                HashAlgorithm::Sha384
            }
            SignatureAlgorithm::RsaSha512 => HashAlgorithm::Sha512,
        };
        // RSA with SHA-2 wants a modern key here; the legacy sizes are `verify_with_hash`'s.
        if let KeyAlgorithm::Rsa { bits } = self.algorithm
            && bits < 2048
            && hash != HashAlgorithm::Sha1
        {
            return Err(CertError::BadSignature { algorithm: alg.name() });
        }
        self.verify_with_hash(hash, message, signature)
    }

    /// Checks a signature whose algorithm names only the hash, as XML-DSig's do: RSA PKCS#1 v1.5
    /// with `hash`, or ECDSA (fixed-size `r || s`) with `hash` on whatever curve the key is on
    /// (P-256 with SHA-384 and P-384 with SHA-256 are legal, RFC 6931).
    ///
    /// Any RSA modulus of 1024 bits or more is checked: the minimum size is the caller's policy
    /// (read it from [`PublicKey::algorithm`] before trusting the result). ECDSA is checked with
    /// SHA-256 and SHA-384 only; other hashes give [`CertError::AlgorithmMismatch`].
    ///
    /// The key is parsed into the crypto provider on its first use with `hash` and the parsed
    /// form is kept (shared by clones), so checking many documents against one trusted
    /// certificate parses its key once.
    ///
    /// ```
    /// use samlkit_cert::key::HashAlgorithm;
    /// use samlkit_cert::{PrivateKey, SignatureAlgorithm};
    /// # fn main() -> Result<(), samlkit_cert::CertError> {
    /// # let pem = include_str!("../../../fixtures/keys/idp.key");
    /// let key = PrivateKey::from_pem(pem)?;
    /// let signature = key.signer()?.sign(SignatureAlgorithm::RsaSha384, b"hello")?;
    /// key.public_key().verify_with_hash(HashAlgorithm::Sha384, b"hello", &signature)?;
    /// # Ok(()) }
    /// ```
    pub fn verify_with_hash(
        &self,
        hash: HashAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CertError> {
        // `Some(half)`: the provider checks this pair in ASN.1 form only, so the fixed-size
        // `r || s` of two `half`-byte integers is converted first.
        let (params, asn1_half): (&'static dyn lc_sig::VerificationAlgorithm, Option<usize>) =
            match (self.algorithm, hash) {
                (KeyAlgorithm::Rsa { .. }, HashAlgorithm::Sha1) => {
                    (&lc_sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY, None)
                }
                (KeyAlgorithm::Rsa { .. }, HashAlgorithm::Sha256) => {
                    (&lc_sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY, None)
                }
                (KeyAlgorithm::Rsa { bits }, HashAlgorithm::Sha384) if bits >= 2048 => {
                    (&lc_sig::RSA_PKCS1_2048_8192_SHA384, None)
                }
                // No provider has a SHA-384 verifier for keys under 2048 bits; `rsa` has.
                (KeyAlgorithm::Rsa { .. }, HashAlgorithm::Sha384) => {
                    return self.verify_rsa_sha384_small(message, signature);
                }
                (KeyAlgorithm::Rsa { .. }, HashAlgorithm::Sha512) => {
                    (&lc_sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY, None)
                }
                (KeyAlgorithm::EcdsaP256, HashAlgorithm::Sha256) => {
                    (&lc_sig::ECDSA_P256_SHA256_FIXED, None)
                }
                (KeyAlgorithm::EcdsaP384, HashAlgorithm::Sha384) => {
                    (&lc_sig::ECDSA_P384_SHA384_FIXED, None)
                }
                (KeyAlgorithm::EcdsaP256, HashAlgorithm::Sha384) => {
                    (&lc_sig::ECDSA_P256_SHA384_ASN1, Some(32))
                }
                (KeyAlgorithm::EcdsaP384, HashAlgorithm::Sha256) => {
                    (&lc_sig::ECDSA_P384_SHA256_ASN1, Some(48))
                }
                (key, hash) => {
                    return Err(CertError::AlgorithmMismatch {
                        algorithm: match hash {
                            HashAlgorithm::Sha1 => "ecdsa-sha1",
                            _ => "ecdsa-sha512",
                        },
                        key: key.to_string(),
                    });
                }
            };
        let name = match (self.algorithm, hash) {
            (KeyAlgorithm::Rsa { .. }, HashAlgorithm::Sha1) => "rsa-sha1",
            (KeyAlgorithm::Rsa { .. }, HashAlgorithm::Sha256) => "rsa-sha256",
            (KeyAlgorithm::Rsa { .. }, HashAlgorithm::Sha384) => "rsa-sha384",
            (KeyAlgorithm::Rsa { .. }, HashAlgorithm::Sha512) => "rsa-sha512",
            (_, HashAlgorithm::Sha256) => "ecdsa-sha256",
            _ => "ecdsa-sha384",
        };
        let bad = || CertError::BadSignature { algorithm: name };
        let parsed = self.parsed(hash, params).ok_or_else(bad)?;
        let checked = match asn1_half {
            Some(half) => {
                parsed.verify_sig(message, &fixed_to_asn1(signature, half).ok_or_else(bad)?)
            }
            None => parsed.verify_sig(message, signature),
        };
        checked.map_err(|_| bad())
    }

    /// The provider's parsed key for `hash`, made on first use; `None` when the provider refuses
    /// the key (a size outside `params`' range, a point not on the curve), which every
    /// verification then reports as a bad signature, as an unparsed check would.
    fn parsed(
        &self,
        hash: HashAlgorithm,
        params: &'static dyn lc_sig::VerificationAlgorithm,
    ) -> Option<&ParsedPublicKey> {
        let slot = match hash {
            HashAlgorithm::Sha1 => &self.parsed.sha1,
            HashAlgorithm::Sha256 => &self.parsed.sha256,
            HashAlgorithm::Sha384 => &self.parsed.sha384,
            HashAlgorithm::Sha512 => &self.parsed.sha512,
        };
        slot.get_or_init(|| ParsedPublicKey::new(params, &self.key_bytes).ok()).as_ref()
    }

    fn verify_rsa_sha384_small(&self, message: &[u8], signature: &[u8]) -> Result<(), CertError> {
        use rsa::pkcs1::DecodeRsaPublicKey;
        use rsa::signature::Verifier as _;
        let bad = || CertError::BadSignature { algorithm: "rsa-sha384" };
        let key = rsa::PublicKey::from_pkcs1_der(&self.key_bytes).map_err(|_| bad())?;
        let verifier = rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha384>::new(key);
        let signature = rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| bad())?;
        verifier.verify(message, &signature).map_err(|_| bad())
    }
}

/// The ASN.1 `ECDSA-Sig-Value` for a fixed-size `r || s` signature of two `half`-byte integers,
/// or `None` when the length is wrong.
fn fixed_to_asn1(signature: &[u8], half: usize) -> Option<Vec<u8>> {
    if signature.len() != 2 * half {
        return None;
    }
    let (r, s) = signature.split_at(half);
    let integer = |bytes: &[u8]| {
        let trimmed = match bytes.iter().position(|&b| b != 0) {
            Some(first) => &bytes[first..],
            None => &bytes[bytes.len().saturating_sub(1)..],
        };
        let mut content = Vec::with_capacity(trimmed.len() + 1);
        if trimmed.first().is_some_and(|&b| b & 0x80 != 0) {
            content.push(0);
        }
        content.extend_from_slice(trimmed);
        der::tlv(der::TAG_INTEGER, &content)
    };
    let mut body = integer(r);
    body.extend(integer(s));
    Some(der::tlv(der::TAG_SEQUENCE, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDP_KEY: &str = include_str!("../../../fixtures/keys/idp.key");

    #[test]
    fn debug_never_shows_key_material() {
        let key = PrivateKey::from_pem(IDP_KEY).unwrap();
        let shown = format!("{key:?} {:?}", key.signer().unwrap());
        assert_eq!(
            shown,
            "PrivateKey { algorithm: Rsa { bits: 2048 }, .. } Signer { algorithm: Rsa { bits: 2048 }, .. }"
        );
    }

    #[test]
    fn key_size_from_bits() {
        assert_eq!(RsaKeySize::try_from(3072).unwrap().bits(), 3072);
        let err = RsaKeySize::try_from(1024).unwrap_err();
        assert_eq!(err.to_string(), "invalid RSA key size: 1024 bits; choose 2048, 3072 or 4096");
    }

    #[test]
    fn xmldsig_uris_round_trip() {
        for alg in SignatureAlgorithm::ALL {
            assert_eq!(SignatureAlgorithm::from_xmldsig_uri(alg.xmldsig_uri()), Some(alg));
        }
        assert_eq!(SignatureAlgorithm::from_xmldsig_uri("urn:nope"), None);
    }

    /// XML-DSig names the hash only: every RSA size from 1024 bits with every hash (SHA-384 on
    /// a 1024-bit key goes through the `rsa` crate), and ECDSA on either curve with either hash.
    #[test]
    fn verify_with_hash_checks_every_hash_on_every_key() {
        use rsa::signature::{SignatureEncoding, Signer as _};
        let legacy_pem = include_str!("../../../fixtures/keys/legacy-rsa1024.key");
        let legacy = rsa::PrivateKey::from_pkcs8_pem(legacy_pem).unwrap();
        let public = PrivateKey::from_pem(legacy_pem).unwrap().public_key();
        assert_eq!(public.algorithm(), KeyAlgorithm::Rsa { bits: 1024 });
        let message = b"signed info";
        let signatures = [
            (
                HashAlgorithm::Sha1,
                rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(legacy.clone()).sign(message).to_vec(),
            ),
            (
                HashAlgorithm::Sha256,
                rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(legacy.clone())
                    .sign(message)
                    .to_vec(),
            ),
            (
                HashAlgorithm::Sha384,
                rsa::pkcs1v15::SigningKey::<sha2::Sha384>::new(legacy.clone())
                    .sign(message)
                    .to_vec(),
            ),
            (
                HashAlgorithm::Sha512,
                rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(legacy).sign(message).to_vec(),
            ),
        ];
        for (hash, signature) in &signatures {
            public.verify_with_hash(*hash, message, signature).unwrap();
            assert!(public.verify_with_hash(*hash, b"other", signature).is_err(), "{hash:?}");
            // The legacy SHA-2 path stays closed where it always was.
            if *hash != HashAlgorithm::Sha1 {
                let alg = match hash {
                    HashAlgorithm::Sha256 => SignatureAlgorithm::RsaSha256,
                    HashAlgorithm::Sha384 => SignatureAlgorithm::RsaSha384,
                    _ => SignatureAlgorithm::RsaSha512,
                };
                assert!(public.verify(alg, message, signature).is_err(), "{hash:?}");
            }
        }
        let idp = PrivateKey::from_pem(IDP_KEY).unwrap();
        let signature = idp.signer().unwrap().sign(SignatureAlgorithm::RsaSha384, message).unwrap();
        idp.public_key().verify_with_hash(HashAlgorithm::Sha384, message, &signature).unwrap();

        // ECDSA: wrong lengths are refused without a panic; SHA-1 and SHA-512 do not fit.
        let p384 =
            PrivateKey::from_pem(include_str!("../../../fixtures/keys/ec-p384.key")).unwrap();
        let p256 =
            PrivateKey::from_pem(include_str!("../../../fixtures/keys/ec-p256.key")).unwrap();
        for (key, half) in [(&p256, 32), (&p384, 48)] {
            for hash in [HashAlgorithm::Sha256, HashAlgorithm::Sha384] {
                for len in [0, half, 2 * half - 1, 2 * half, 2 * half + 1] {
                    let err = key.public_key().verify_with_hash(hash, message, &vec![0x80; len]);
                    assert!(matches!(err, Err(CertError::BadSignature { .. })), "{len}");
                }
            }
            let err = key.public_key().verify_with_hash(HashAlgorithm::Sha512, message, &[1; 64]);
            assert!(matches!(err, Err(CertError::AlgorithmMismatch { .. })), "{err:?}");
        }
        let signature =
            p384.signer().unwrap().sign(SignatureAlgorithm::EcdsaP384Sha384, message).unwrap();
        p384.public_key().verify_with_hash(HashAlgorithm::Sha384, message, &signature).unwrap();
    }

    /// The provider's parsed key is made on the first check with a hash, kept, and shared by
    /// clones (a certificate hands out `&PublicKey`, so one trusted certificate parses once).
    #[test]
    fn parsed_keys_are_made_once_and_shared_by_clones() {
        let key = PrivateKey::from_pem(IDP_KEY).unwrap();
        let public = key.public_key();
        let copy = public.clone();
        assert!(public.parsed.sha256.get().is_none());
        let signature = key.signer().unwrap().sign(SignatureAlgorithm::RsaSha256, b"m").unwrap();
        copy.verify(SignatureAlgorithm::RsaSha256, b"m", &signature).unwrap();
        assert!(matches!(public.parsed.sha256.get(), Some(Some(_))), "shared with the clone");
        assert!(public.parsed.sha384.get().is_none(), "only the hash that was used");
        // The kept key still refuses what it must.
        let err = public.verify(SignatureAlgorithm::RsaSha256, b"other", &signature).unwrap_err();
        assert!(matches!(err, CertError::BadSignature { algorithm: "rsa-sha256" }), "{err}");
    }

    #[test]
    fn generated_keys_sign_and_verify() {
        for key_type in [KeyType::EcP256, KeyType::EcP384, KeyType::Rsa(RsaKeySize::Bits2048)] {
            let key = PrivateKey::generate(key_type).unwrap();
            let alg = match key.algorithm() {
                KeyAlgorithm::EcdsaP256 => SignatureAlgorithm::EcdsaP256Sha256,
                KeyAlgorithm::EcdsaP384 => SignatureAlgorithm::EcdsaP384Sha384,
                KeyAlgorithm::Rsa { bits } => {
                    assert_eq!(bits, 2048);
                    SignatureAlgorithm::RsaSha256
                }
            };
            // The PKCS#8 round trip keeps the key (EC keys carry their public point).
            let reloaded = PrivateKey::from_der(key.pkcs8_der()).unwrap();
            let signature = reloaded.signer().unwrap().sign(alg, b"m").unwrap();
            key.public_key().verify(alg, b"m", &signature).unwrap();
        }
        let err = PrivateKey::generate_ec(KeyAlgorithm::Rsa { bits: 2048 }).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid EC key type: RSA 2048 is not an EC curve; choose P-256 or P-384"
        );
    }

    #[test]
    fn fixed_ecdsa_signatures_convert_to_minimal_asn1() {
        let mut fixed = vec![0u8; 64];
        fixed[31] = 0x7f; // r = 0x7f: one byte, no pad
        fixed[32] = 0x80; // s: high bit set, 32 bytes plus a zero pad
        let der = fixed_to_asn1(&fixed, 32).unwrap();
        assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x01, 0x7f]);
        assert_eq!(&der[5..8], &[0x02, 0x21, 0x00]);
        assert_eq!(der.len(), 2 + 3 + 35);
        assert_eq!(fixed_to_asn1(&fixed, 48), None);
    }

    #[test]
    fn garbage_der_is_an_error_not_a_panic() {
        for input in [&b""[..], b"\x30", b"\x30\x03\x02\x01", b"hello", b"\x30\x00"] {
            assert!(PrivateKey::load(input).is_err(), "{input:?}");
        }
    }
}
