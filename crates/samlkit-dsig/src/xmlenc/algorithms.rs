//! The XML Encryption algorithms samlkit reads and writes, by URI, and the ones it refuses.

use crate::SignatureError;

/// The XML Encryption 1.0 namespace (`xenc:`).
pub const NS_XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
/// The XML Encryption 1.1 namespace (`xenc11:`: GCM, `rsa-oaep`, the MGF1 choices).
pub const NS_XENC11: &str = "http://www.w3.org/2009/xmlenc11#";

/// RSA PKCS#1 v1.5 key transport: refused, always (Bleichenbacher's padding oracle).
pub const RSA_1_5: &str = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";

/// The block cipher that encrypts the content (`EncryptedData/EncryptionMethod`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataAlgorithm {
    /// AES-128 in CBC mode (xmlenc 1.0): accepted only when a signature covers the ciphertext.
    Aes128Cbc,
    /// AES-192 in CBC mode.
    Aes192Cbc,
    /// AES-256 in CBC mode.
    Aes256Cbc,
    /// AES-128-GCM (xmlenc 1.1).
    Aes128Gcm,
    /// AES-192-GCM.
    Aes192Gcm,
    /// AES-256-GCM: samlkit's default.
    Aes256Gcm,
}

impl DataAlgorithm {
    /// Every algorithm, for tables and tests.
    pub const ALL: [DataAlgorithm; 6] = [
        DataAlgorithm::Aes128Cbc,
        DataAlgorithm::Aes192Cbc,
        DataAlgorithm::Aes256Cbc,
        DataAlgorithm::Aes128Gcm,
        DataAlgorithm::Aes192Gcm,
        DataAlgorithm::Aes256Gcm,
    ];

    /// The algorithm URI.
    ///
    /// ```
    /// use samlkit_dsig::DataAlgorithm;
    /// assert_eq!(DataAlgorithm::Aes256Gcm.uri(), "http://www.w3.org/2009/xmlenc11#aes256-gcm");
    /// ```
    pub fn uri(self) -> &'static str {
        match self {
            DataAlgorithm::Aes128Cbc => "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
            DataAlgorithm::Aes192Cbc => "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
            DataAlgorithm::Aes256Cbc => "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
            DataAlgorithm::Aes128Gcm => "http://www.w3.org/2009/xmlenc11#aes128-gcm",
            DataAlgorithm::Aes192Gcm => "http://www.w3.org/2009/xmlenc11#aes192-gcm",
            DataAlgorithm::Aes256Gcm => "http://www.w3.org/2009/xmlenc11#aes256-gcm",
        }
    }

    /// The short name used on the command line (`aes256-gcm`).
    pub fn name(self) -> &'static str {
        self.uri().rsplit('#').next().unwrap_or("")
    }

    /// Parses a URI; 3DES and anything unknown are refused with the reason.
    pub fn from_uri(uri: &str) -> Result<DataAlgorithm, SignatureError> {
        if let Some(alg) = Self::ALL.into_iter().find(|a| a.uri() == uri) {
            return Ok(alg);
        }
        let reason = if uri == "http://www.w3.org/2001/04/xmlenc#tripledes-cbc" {
            "3DES is refused (64-bit blocks); samlkit accepts AES-CBC and AES-GCM"
        } else {
            "not a content encryption algorithm samlkit accepts (AES-128/192/256 in CBC or GCM)"
        };
        Err(SignatureError::AlgorithmRefused {
            role: "EncryptedData EncryptionMethod",
            uri: uri.to_string(),
            reason,
        })
    }

    /// Parses the short name (`aes256-gcm`).
    pub fn from_name(name: &str) -> Option<DataAlgorithm> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The key length in bytes.
    pub fn key_len(self) -> usize {
        match self {
            DataAlgorithm::Aes128Cbc | DataAlgorithm::Aes128Gcm => 16,
            DataAlgorithm::Aes192Cbc | DataAlgorithm::Aes192Gcm => 24,
            DataAlgorithm::Aes256Cbc | DataAlgorithm::Aes256Gcm => 32,
        }
    }

    /// True for the CBC modes, which are unauthenticated: without a signature over the
    /// ciphertext they give an attacker a padding/format oracle.
    pub fn is_cbc(self) -> bool {
        matches!(
            self,
            DataAlgorithm::Aes128Cbc | DataAlgorithm::Aes192Cbc | DataAlgorithm::Aes256Cbc
        )
    }
}

/// A hash used by RSA-OAEP, as the OAEP digest or as MGF1's hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OaepHash {
    /// SHA-1: the default of both `rsa-oaep-mgf1p` and `rsa-oaep`.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl OaepHash {
    const ALL: [OaepHash; 4] =
        [OaepHash::Sha1, OaepHash::Sha256, OaepHash::Sha384, OaepHash::Sha512];

    /// The `ds:DigestMethod` URI.
    pub fn digest_uri(self) -> &'static str {
        match self {
            OaepHash::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
            OaepHash::Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
            OaepHash::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
            OaepHash::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        }
    }

    /// The `xenc11:MGF` URI for MGF1 with this hash.
    pub fn mgf_uri(self) -> &'static str {
        match self {
            OaepHash::Sha1 => "http://www.w3.org/2009/xmlenc11#mgf1sha1",
            OaepHash::Sha256 => "http://www.w3.org/2009/xmlenc11#mgf1sha256",
            OaepHash::Sha384 => "http://www.w3.org/2009/xmlenc11#mgf1sha384",
            OaepHash::Sha512 => "http://www.w3.org/2009/xmlenc11#mgf1sha512",
        }
    }

    /// The short name (`sha256`).
    pub fn name(self) -> &'static str {
        match self {
            OaepHash::Sha1 => "sha1",
            OaepHash::Sha256 => "sha256",
            OaepHash::Sha384 => "sha384",
            OaepHash::Sha512 => "sha512",
        }
    }

    /// Parses the short name.
    pub fn from_name(name: &str) -> Option<OaepHash> {
        Self::ALL.into_iter().find(|h| h.name() == name)
    }

    pub(crate) fn from_digest_uri(uri: &str) -> Result<OaepHash, SignatureError> {
        // xmldsig-more spells SHA-256 and SHA-512 too; both spellings are in use.
        let alias = match uri {
            "http://www.w3.org/2001/04/xmldsig-more#sha256" => Some(OaepHash::Sha256),
            "http://www.w3.org/2001/04/xmldsig-more#sha512" => Some(OaepHash::Sha512),
            _ => None,
        };
        alias.or_else(|| Self::ALL.into_iter().find(|h| h.digest_uri() == uri)).ok_or_else(|| {
            SignatureError::AlgorithmRefused {
                role: "EncryptedKey DigestMethod",
                uri: uri.to_string(),
                reason: "not an OAEP digest samlkit accepts (SHA-1, SHA-256, SHA-384, SHA-512)",
            }
        })
    }

    pub(crate) fn from_mgf_uri(uri: &str) -> Result<OaepHash, SignatureError> {
        Self::ALL.into_iter().find(|h| h.mgf_uri() == uri).ok_or_else(|| {
            SignatureError::AlgorithmRefused {
                role: "EncryptedKey MGF",
                uri: uri.to_string(),
                reason: "not an MGF samlkit accepts (MGF1 with SHA-1, SHA-256, SHA-384, SHA-512)",
            }
        })
    }
}

/// How the content key is encrypted to the recipient's RSA key (`EncryptedKey/EncryptionMethod`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyTransport {
    /// `xmlenc#rsa-oaep-mgf1p`: RSA-OAEP with MGF1-SHA1 and the given digest (SHA-1 by default,
    /// what most SPs expect).
    RsaOaepMgf1p {
        /// The OAEP digest (`ds:DigestMethod`).
        digest: OaepHash,
    },
    /// `xmlenc11#rsa-oaep`: RSA-OAEP with the given digest and MGF1 hash.
    RsaOaep {
        /// The OAEP digest (`ds:DigestMethod`).
        digest: OaepHash,
        /// MGF1's hash (`xenc11:MGF`).
        mgf: OaepHash,
    },
}

impl KeyTransport {
    /// `rsa-oaep-mgf1p` with SHA-1: the default.
    pub const DEFAULT: KeyTransport = KeyTransport::RsaOaepMgf1p { digest: OaepHash::Sha1 };

    /// The algorithm URI.
    pub fn uri(self) -> &'static str {
        match self {
            KeyTransport::RsaOaepMgf1p { .. } => "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
            KeyTransport::RsaOaep { .. } => "http://www.w3.org/2009/xmlenc11#rsa-oaep",
        }
    }

    /// The OAEP digest and MGF1 hash.
    pub fn hashes(self) -> (OaepHash, OaepHash) {
        match self {
            KeyTransport::RsaOaepMgf1p { digest } => (digest, OaepHash::Sha1),
            KeyTransport::RsaOaep { digest, mgf } => (digest, mgf),
        }
    }

    /// For people: `rsa-oaep-mgf1p (digest sha1, MGF1 sha1)`.
    pub fn describe(self) -> String {
        let (digest, mgf) = self.hashes();
        format!(
            "{} (digest {}, MGF1 {})",
            self.uri().rsplit('#').next().unwrap_or(""),
            digest.name(),
            mgf.name()
        )
    }
}
