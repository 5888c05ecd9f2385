//! The one error type of this crate.

use thiserror::Error;

use crate::KeyAlgorithm;

/// Everything that can go wrong with keys, certificates, requests, the inventory, keystores and
/// JWT bearer tokens.
///
/// Messages are one line and say what is wrong and, where it helps, what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CertError {
    /// A PEM file is structurally broken (missing END line, bad base64, …).
    #[error("malformed PEM at line {line}: {reason}")]
    Pem {
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong there.
        reason: String,
    },
    /// The input holds neither the PEM block nor the DER structure that was expected.
    #[error("no {expected} found: {found}")]
    NotFound {
        /// What was looked for ("certificate", "private key").
        expected: &'static str,
        /// What the input holds instead.
        found: String,
    },
    /// The private key is encrypted with a passphrase; samlkit does not ask for passphrases.
    #[error(
        "the private key is encrypted ({format}); decrypt it first, e.g. `openssl pkey -in KEY -out KEY.plain` (keep the result mode 0600)"
    )]
    EncryptedKey {
        /// Which encrypted format was seen.
        format: &'static str,
    },
    /// A private or public key could not be decoded.
    #[error("invalid {kind}: {reason}")]
    InvalidKey {
        /// "private key" or "public key".
        kind: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// A well-formed key of a kind samlkit does not handle.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
    /// A certificate could not be decoded.
    #[error("invalid certificate{}: {reason}", index.map(|i| format!(" #{i}")).unwrap_or_default())]
    InvalidCertificate {
        /// 1-based position in a multi-certificate PEM file, when there is more than one.
        index: Option<usize>,
        /// Why it was rejected.
        reason: String,
    },
    /// The signature algorithm does not fit the key (e.g. ECDSA with an RSA key).
    #[error("signature algorithm {algorithm} cannot be used with a {key} key")]
    AlgorithmMismatch {
        /// The requested algorithm.
        algorithm: &'static str,
        /// The key's algorithm.
        key: String,
    },
    /// Signing failed inside the cryptographic library.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The signature does not verify with this public key.
    #[error("signature does not verify with this public key ({algorithm})")]
    BadSignature {
        /// The algorithm that was checked.
        algorithm: &'static str,
    },
    /// Key generation failed.
    #[error("key generation failed: {0}")]
    KeyGeneration(String),
    /// Certificate or CSR parameters are not acceptable (empty CN, bad country code, …).
    #[error("invalid {field}: {reason}")]
    InvalidParameter {
        /// The parameter ("common name", "days", …).
        field: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// Building a certificate or CSR failed.
    #[error("cannot build {what}: {reason}")]
    Build {
        /// "certificate" or "certificate signing request".
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The inventory file is not valid TOML or does not have the expected shape.
    #[error("{file}:{line}:{column}: {message}")]
    InventorySyntax {
        /// The inventory file as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the TOML parser or the schema check said.
        message: String,
    },
    /// An inventory entry is unusable as a whole (e.g. two entries with the same name).
    #[error("{file}: certificate entry {entry:?}: {message}")]
    InventoryEntry {
        /// The inventory file as given.
        file: String,
        /// The entry's name.
        entry: String,
        /// What is wrong.
        message: String,
    },
    /// A Salesforce project or retrieve cannot be read as a whole (missing, not a zip, no
    /// `sfdx-project.json` or `package.xml`, too large).
    #[error("{input}: {reason}")]
    ProjectUnreadable {
        /// The directory or zip as given.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// The `--ids` CSV (certificate Ids from the Tooling API) cannot be used.
    #[error("{file}:{line}: {reason}")]
    CertificateIds {
        /// The CSV file as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        reason: String,
    },

    // ----- Keystores (module `keystore`) -----
    /// Neither the JKS magic number nor a PKCS#12 PFX structure.
    #[error("not a JKS or PKCS#12 keystore (no FEEDFEED magic number and no PKCS#12 PFX header)")]
    UnknownKeystoreFormat,
    /// A JCEKS file (SunJCE keystore).
    #[error(
        "this is a JCEKS keystore, which is not supported; convert it with keytool -importkeystore -deststoretype JKS or PKCS12"
    )]
    Jceks,
    /// A JKS version other than 1 or 2.
    #[error("unsupported JKS version {0} (expected 2)")]
    UnsupportedJksVersion(u32),
    /// The file ends in the middle of a field.
    #[error("keystore truncated at byte {offset} while reading the {what}")]
    KeystoreTruncated {
        /// Byte offset where the data ran out.
        offset: usize,
        /// The field being read.
        what: &'static str,
    },
    /// A structurally invalid field.
    #[error("malformed keystore at byte {offset}: {reason}")]
    KeystoreMalformed {
        /// Byte offset of the field.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// The integrity check (JKS SHA-1 hash, PKCS#12 MAC) failed.
    #[error("keystore integrity check failed: the password is wrong or the file was modified")]
    KeystoreIntegrity,
    /// A JKS key entry protected with a password other than the store password.
    #[error(
        "the key of entry '{alias}' is protected with a different password than the keystore (Salesforce needs them equal)"
    )]
    KeyPasswordMismatch {
        /// The entry.
        alias: String,
    },
    /// A PKCS#12 file without the optional integrity MAC.
    #[error(
        "the PKCS#12 file has no integrity MAC, so neither the password nor the content can be checked; re-export it with a MAC"
    )]
    NoIntegrityMac,
    /// An error reported by the PKCS#12 decoder or encoder.
    #[error("PKCS#12: {0}")]
    Pkcs12(String),
    /// A value too large for the format's length fields.
    #[error("{what} is too large for the keystore format")]
    KeystoreTooLarge {
        /// Which value.
        what: &'static str,
    },
    /// The operating system's random generator failed.
    #[error("cannot get random bytes for the key protection salt: {0}")]
    Random(String),
    /// The keystore holds no private key.
    #[error("the keystore holds no private-key entry (only trusted certificates?)")]
    NoPrivateKey,
    /// The requested alias does not exist.
    #[error("no private-key entry with alias '{alias}' (entries: {available})")]
    AliasNotFound {
        /// The alias asked for.
        alias: String,
        /// The private-key aliases present, comma-separated.
        available: String,
    },
    /// Several private keys and no alias to choose.
    #[error("the keystore holds several private keys ({aliases}); choose one with --alias")]
    SeveralKeys {
        /// The private-key aliases present, comma-separated.
        aliases: String,
    },
    /// An alias that cannot be stored.
    #[error("invalid alias '{0}': use 1 to 255 printable characters")]
    InvalidAlias(String),
    /// A key entry without any certificate.
    #[error("entry '{alias}' has no certificate chain")]
    EmptyChain {
        /// The entry.
        alias: String,
    },
    /// The entry's key or a certificate of its chain could not be decoded.
    #[error("entry '{alias}': {reason}")]
    KeystoreEntry {
        /// The entry.
        alias: String,
        /// What the key or certificate parser said.
        reason: String,
    },
    /// Salesforce accepts RSA keys only.
    #[error(
        "entry '{alias}' holds an {algorithm} key; Salesforce accepts only RSA keys (2048, 3072 or 4096 bits)"
    )]
    NotRsa {
        /// The entry.
        alias: String,
        /// The key's algorithm, e.g. `EC P-256`.
        algorithm: String,
    },
    /// Salesforce accepts RSA keys of 2048, 3072 or 4096 bits only.
    #[error(
        "entry '{alias}' holds an RSA {bits}-bit key; Salesforce accepts only 2048, 3072 or 4096 bits"
    )]
    RsaSize {
        /// The entry.
        alias: String,
        /// The modulus size.
        bits: usize,
    },
    /// The key is not stored as PKCS#8.
    #[error("the key of entry '{alias}' is not stored as PKCS#8 (Salesforce needs PKCS#8)")]
    NotPkcs8 {
        /// The entry.
        alias: String,
    },
    /// The private key is not the one the leaf certificate certifies.
    #[error("the key of entry '{alias}' does not match its certificate ({subject})")]
    KeyCertMismatch {
        /// The entry.
        alias: String,
        /// The leaf certificate's subject.
        subject: String,
    },
    /// Certificate `index` (1-based) was not issued by the next one in the chain.
    #[error(
        "the chain of entry '{alias}' is out of order: certificate {index} ({issuer_expected}) is not followed by its issuer (found {found})"
    )]
    ChainOrder {
        /// The entry.
        alias: String,
        /// 1-based position of the certificate whose issuer should follow.
        index: usize,
        /// The issuer name certificate `index` names.
        issuer_expected: String,
        /// The subject of the certificate that follows instead.
        found: String,
    },

    // ----- TLS certificates (module `tls`) -----
    /// A chain is not leaf first, each certificate followed by its issuer.
    #[error(
        "the chain is out of order: certificate {index} ({subject}) is not signed by the certificate after it ({next}){}; list the leaf first, then each issuer",
        issuer_at.map(|i| format!("; its issuer is certificate {i}")).unwrap_or_default()
    )]
    TlsChainOrder {
        /// 1-based position of the certificate whose issuer should follow.
        index: usize,
        /// Its subject.
        subject: String,
        /// The subject of the certificate that follows instead.
        next: String,
        /// 1-based position of its issuer, when it is elsewhere in the list.
        issuer_at: Option<usize>,
    },
    /// A signing request's signature does not verify with the key it carries.
    #[error(
        "the certificate signing request's signature does not verify: it was altered or not made with the key it carries"
    )]
    RequestSignature,
    /// The CA key is not the key of the CA certificate.
    #[error("the CA key does not match the CA certificate ({subject})")]
    CaKeyMismatch {
        /// The CA certificate's subject.
        subject: String,
    },
    /// The issuing certificate is not a certificate authority.
    #[error(
        "{subject} is not a certificate authority (no basicConstraints CA:TRUE); create one with `samlkit cert ca new`"
    )]
    NotCa {
        /// The certificate's subject.
        subject: String,
    },
    /// The parent CA's basicConstraints pathlen leaves no room for the intermediate CA asked for.
    #[error("{parent} cannot issue this intermediate CA: {reason}")]
    PathLenExceeded {
        /// The parent CA's subject.
        parent: String,
        /// Its pathlen and what the new CA asked for, with what to do instead.
        reason: String,
    },

    // ----- JWT bearer tokens (module `jwt`) -----
    /// The audience is not one Salesforce accepts.
    #[error(
        "audience '{0}' is not a Salesforce login URL: use https://login.salesforce.com, https://test.salesforce.com or your https site URL (or --force for another server)"
    )]
    JwtAudienceNotAllowed(String),
    /// The lifetime is longer than Salesforce accepts.
    #[error("--valid-for {0} is longer than the {max} s Salesforce accepts (use --force for another server)", max = crate::jwt::MAX_SALESFORCE_TTL_SECONDS)]
    JwtTtlTooLong(i64),
    /// The lifetime is zero, negative or absurd.
    #[error("--valid-for {0} must be between 1 and 31536000 seconds")]
    JwtInvalidTtl(i64),
    /// A required claim is empty.
    #[error("the {0} claim must not be empty")]
    JwtEmptyClaim(&'static str),
    /// RS256 needs an RSA key (and Salesforce accepts RS256 only).
    #[error(
        "RS256 needs an RSA key, but this key is {0} (Salesforce accepts RS256 only; with --force an EC key signs ES256 or ES384 for another server)"
    )]
    JwtNotRsa(KeyAlgorithm),
    /// An ES256/ES384 token checked with a key of another kind.
    #[error("the token is signed with {alg}, which this key ({key}) cannot have made")]
    JwtKeyMismatch {
        /// The token's `alg`.
        alg: &'static str,
        /// The key it was checked with.
        key: KeyAlgorithm,
    },
    /// The token is not a well-formed compact JWS.
    #[error("malformed token: {0}")]
    JwtMalformed(String),
    /// The header names an algorithm other than RS256, ES256 or ES384.
    #[error("algorithm refused: the token says alg={0}; only RS256, ES256 and ES384 are accepted")]
    JwtAlgorithmRefused(String),
    /// The header carries critical extensions we do not understand.
    #[error("the token has a 'crit' header ({0}); no critical extensions are supported")]
    JwtCriticalHeader(String),
    /// The signature does not verify with the given certificate.
    #[error("signature invalid: the token was not signed by this certificate's key")]
    JwtSignatureInvalid,
    /// `exp` is missing or not a number.
    #[error("the token has no numeric exp claim")]
    JwtMissingExpiry,
    /// The token has expired.
    #[error(
        "token expired at {expired_at} ({} before now, beyond the {} skew)",
        crate::expiry::human_duration(*.seconds),
        crate::expiry::human_duration(*.skew)
    )]
    JwtExpired {
        /// `exp` as RFC 3339.
        expired_at: String,
        /// How long ago.
        seconds: i64,
        /// The tolerated skew.
        skew: i64,
    },
    /// `nbf` lies in the future.
    #[error(
        "token not valid before {not_before} ({} after now, beyond the {} skew)",
        crate::expiry::human_duration(*.seconds),
        crate::expiry::human_duration(*.skew)
    )]
    JwtNotYetValid {
        /// `nbf` as RFC 3339.
        not_before: String,
        /// How far ahead.
        seconds: i64,
        /// The tolerated skew.
        skew: i64,
    },
    /// The audience is not the expected one.
    #[error("audience mismatch: expected '{expected}', the token is for {found}")]
    JwtAudienceMismatch {
        /// The expected audience.
        expected: String,
        /// What the token says.
        found: String,
    },
}

impl CertError {
    /// Whether this error is a check that ran and failed (the CLI's exit 1) rather than an
    /// unusable input (exit 2): a keystore breaking Salesforce's rules or not matching its chain,
    /// a JWT with a refused algorithm, a bad signature, outside its time window or for another
    /// audience.
    pub fn is_failed_check(&self) -> bool {
        matches!(
            self,
            CertError::NotRsa { .. }
                | CertError::RsaSize { .. }
                | CertError::NotPkcs8 { .. }
                | CertError::KeyCertMismatch { .. }
                | CertError::ChainOrder { .. }
                | CertError::TlsChainOrder { .. }
                | CertError::RequestSignature
                | CertError::JwtAlgorithmRefused(_)
                | CertError::JwtCriticalHeader(_)
                | CertError::JwtSignatureInvalid
                | CertError::JwtMissingExpiry
                | CertError::JwtExpired { .. }
                | CertError::JwtNotYetValid { .. }
                | CertError::JwtAudienceMismatch { .. }
        )
    }
}
