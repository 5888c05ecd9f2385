//! Keystores: export a key and its certificate chain as JKS or PKCS#12, and import them back.
//!
//! Salesforce imports and exports keys only as JKS, and refuses a keystore whose key is not RSA
//! (PKCS#8) of 2048, 3072 or 4096 bits or does not match its certificate; [`check_salesforce`]
//! applies those rules so a keystore can be checked before it is uploaded.
//!
//! ```
//! use samlkit_cert::keystore::{self, KeyEntry, KeystoreFormat};
//! use samlkit_cert::{CertError, Certificate, PrivateKey};
//! # fn main() -> Result<(), CertError> {
//! let key = PrivateKey::load(include_bytes!("../../../../fixtures/keys/idp.key"))?;
//! let cert = Certificate::load(include_bytes!("../../../../fixtures/certs/idp.crt"))?;
//! let entry = KeyEntry::new("sso", &key, &[cert]);
//! // The caller reads the clock for the JKS creation date (milliseconds since the epoch).
//! let bytes = keystore::write(KeystoreFormat::Jks, &entry, "s3cret", 1_780_000_000_000)?;
//!
//! let read = keystore::read(&bytes, "s3cret")?;
//! assert_eq!(read.format, KeystoreFormat::Jks);
//! let stored = read.select(Some("sso"))?;
//! keystore::check_salesforce(&stored.decode()?, &stored.pkcs8_der)?;
//!
//! // The integrity check catches a wrong password before any key is decrypted.
//! assert!(matches!(keystore::read(&bytes, "wrong"), Err(CertError::KeystoreIntegrity)));
//! # Ok(()) }
//! ```

pub mod jks;
mod pkcs12;

use std::fmt;

use zeroize::Zeroizing;

use crate::{CertError, Certificate, KeyAlgorithm, PrivateKey};

/// The keystore file formats samlkit reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeystoreFormat {
    /// Java KeyStore, the only format Salesforce imports and exports.
    Jks,
    /// PKCS#12 (`.p12`, `.pfx`).
    Pkcs12,
}

impl fmt::Display for KeystoreFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeystoreFormat::Jks => "JKS",
            KeystoreFormat::Pkcs12 => "PKCS#12",
        })
    }
}

/// A private key and its certificate chain, as stored under one alias.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyEntry {
    /// The alias (name) of the entry.
    pub alias: String,
    /// The private key, PKCS#8 `PrivateKeyInfo` DER (wiped from memory on drop).
    pub pkcs8_der: Zeroizing<Vec<u8>>,
    /// The certificate chain as DER, leaf first.
    pub chain: Vec<Vec<u8>>,
}

impl fmt::Debug for KeyEntry {
    // Never print key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyEntry")
            .field("alias", &self.alias)
            .field("pkcs8_der", &format_args!("<{} bytes>", self.pkcs8_der.len()))
            .field("chain", &format_args!("<{} certificates>", self.chain.len()))
            .finish()
    }
}

/// The private-key entries found in a keystore (trusted-certificate entries are skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeystoreContents {
    /// Which format the file was in.
    pub format: KeystoreFormat,
    /// Every private-key entry, in file order.
    pub entries: Vec<KeyEntry>,
}

/// A key entry decoded into samlkit's key and certificate types.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The alias it was stored under.
    pub alias: String,
    /// The private key.
    pub key: PrivateKey,
    /// The certificate chain, leaf first.
    pub chain: Vec<Certificate>,
}

impl KeyEntry {
    /// An entry for `key` and `chain` (leaf first) under `alias`.
    pub fn new(alias: impl Into<String>, key: &PrivateKey, chain: &[Certificate]) -> KeyEntry {
        KeyEntry {
            alias: alias.into(),
            pkcs8_der: Zeroizing::new(key.pkcs8_der().to_vec()),
            chain: chain.iter().map(|c| c.der().to_vec()).collect(),
        }
    }

    /// Decodes the key and certificates. A key not stored as PKCS#8 is reported by
    /// [`check_salesforce`], not here.
    pub fn decode(&self) -> Result<Credential, CertError> {
        let entry_error = |e: CertError| CertError::KeystoreEntry {
            alias: self.alias.clone(),
            reason: e.to_string(),
        };
        let key = PrivateKey::from_der(&self.pkcs8_der).map_err(|e| {
            // The JDK writes EC keys without the optional public key, which the signature
            // library cannot load; Salesforce refuses EC keys anyway, so say that instead.
            if pkcs8_algorithm(&self.pkcs8_der) == Some(crate::der::oid::EC_PUBLIC_KEY) {
                CertError::NotRsa { alias: self.alias.clone(), algorithm: "EC".into() }
            } else {
                entry_error(e)
            }
        })?;
        let chain = self
            .chain
            .iter()
            .map(|der| Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()
            .map_err(entry_error)?;
        Ok(Credential { alias: self.alias.clone(), key, chain })
    }
}

/// Checks that the key is the one the leaf certificate certifies and that each certificate is
/// followed by its issuer (by name), the checks any keystore must pass.
pub fn check_key_and_chain(credential: &Credential) -> Result<(), CertError> {
    let alias = || credential.alias.clone();
    let leaf = credential.chain.first().ok_or_else(|| CertError::EmptyChain { alias: alias() })?;
    if !leaf.matches_key(&credential.key) {
        return Err(CertError::KeyCertMismatch {
            alias: alias(),
            subject: leaf.info().subject.clone(),
        });
    }
    for (i, pair) in credential.chain.windows(2).enumerate() {
        if let [cert, next] = pair
            && cert.info().issuer != next.info().subject
        {
            return Err(CertError::ChainOrder {
                alias: alias(),
                index: i + 1,
                issuer_expected: cert.info().issuer.clone(),
                found: next.info().subject.clone(),
            });
        }
    }
    Ok(())
}

/// Salesforce's rules for a keystore it imports: the key matches the chain, is RSA of 2048, 3072
/// or 4096 bits, and is stored as PKCS#8. `stored_key_der` is the key as found in the keystore.
pub fn check_salesforce(credential: &Credential, stored_key_der: &[u8]) -> Result<(), CertError> {
    let alias = || credential.alias.clone();
    match credential.key.algorithm() {
        KeyAlgorithm::Rsa { bits: 2048 | 3072 | 4096 } => {}
        KeyAlgorithm::Rsa { bits } => return Err(CertError::RsaSize { alias: alias(), bits }),
        algorithm => {
            return Err(CertError::NotRsa { alias: alias(), algorithm: algorithm.to_string() });
        }
    }
    // A PKCS#8 key is kept byte for byte; anything else was converted on the way in.
    if credential.key.pkcs8_der() != stored_key_der {
        return Err(CertError::NotPkcs8 { alias: alias() });
    }
    check_key_and_chain(credential)
}

/// Recognises a keystore by its first bytes: JKS (`FEEDFEED`), JCEKS (`CECECECE`, refused) or a
/// DER PFX (`SEQUENCE { INTEGER 3, … }`).
pub fn detect(bytes: &[u8]) -> Result<KeystoreFormat, CertError> {
    match bytes.get(..4) {
        Some([0xFE, 0xED, 0xFE, 0xED]) => return Ok(KeystoreFormat::Jks),
        Some([0xCE, 0xCE, 0xCE, 0xCE]) => return Err(CertError::Jceks),
        _ => {}
    }
    // PFX ::= SEQUENCE { version INTEGER {v3(3)}, … } with a definite or indefinite length.
    let header_len = match bytes.get(..2) {
        Some([0x30, 0x80]) => 2,
        Some([0x30, n]) if *n < 0x80 => 2,
        Some([0x30, n]) if (0x81..=0x84).contains(n) => 2 + usize::from(n & 0x7F),
        _ => return Err(CertError::UnknownKeystoreFormat),
    };
    match bytes.get(header_len..header_len + 3) {
        Some([0x02, 0x01, 0x03]) => Ok(KeystoreFormat::Pkcs12),
        _ => Err(CertError::UnknownKeystoreFormat),
    }
}

/// Writes one key entry in `format`, protected with `password`. `created_ms` (milliseconds since
/// the Unix epoch) is the JKS entry's creation date; the caller reads the clock.
///
/// JKS aliases are stored lower-case, as the JDK does (it lower-cases them on every lookup).
pub fn write(
    format: KeystoreFormat,
    entry: &KeyEntry,
    password: &str,
    created_ms: i64,
) -> Result<Vec<u8>, CertError> {
    check_alias(&entry.alias)?;
    if entry.chain.is_empty() {
        return Err(CertError::EmptyChain { alias: entry.alias.clone() });
    }
    match format {
        KeystoreFormat::Jks => jks::encode(
            &[jks::JksEntry::PrivateKey(jks::JksPrivateKeyEntry {
                alias: entry.alias.to_lowercase(),
                created_ms,
                pkcs8_der: entry.pkcs8_der.clone(),
                chain: entry.chain.clone(),
            })],
            password,
        ),
        KeystoreFormat::Pkcs12 => pkcs12::encode(entry, password),
    }
}

/// Reads a keystore of either format (detected from its first bytes), verifying its integrity
/// with `password` and decrypting the private keys with the same password.
pub fn read(bytes: &[u8], password: &str) -> Result<KeystoreContents, CertError> {
    let format = detect(bytes)?;
    let entries = match format {
        KeystoreFormat::Jks => jks::decode(bytes, password)?
            .into_iter()
            .filter_map(|e| match e {
                jks::JksEntry::PrivateKey(k) => {
                    Some(KeyEntry { alias: k.alias, pkcs8_der: k.pkcs8_der, chain: k.chain })
                }
                jks::JksEntry::TrustedCert(_) => None,
            })
            .collect(),
        KeystoreFormat::Pkcs12 => pkcs12::decode(bytes, password)?,
    };
    Ok(KeystoreContents { format, entries })
}

impl KeystoreContents {
    /// Picks the entry to import: the one named `alias` (JKS aliases compare case-insensitively,
    /// as in the JDK), or the only private key when no alias is given.
    pub fn select(&self, alias: Option<&str>) -> Result<&KeyEntry, CertError> {
        // Sorted, so the message does not depend on the order the file happens to use.
        let aliases = || {
            let mut names: Vec<&str> = self.entries.iter().map(|e| e.alias.as_str()).collect();
            names.sort_unstable();
            names.join(", ")
        };
        match alias {
            Some(wanted) => {
                let matches = |e: &&KeyEntry| match self.format {
                    KeystoreFormat::Jks => e.alias.eq_ignore_ascii_case(wanted),
                    KeystoreFormat::Pkcs12 => e.alias == wanted,
                };
                self.entries.iter().find(matches).ok_or_else(|| CertError::AliasNotFound {
                    alias: wanted.to_string(),
                    available: aliases(),
                })
            }
            None => match self.entries.as_slice() {
                [] => Err(CertError::NoPrivateKey),
                [only] => Ok(only),
                _ => Err(CertError::SeveralKeys { aliases: aliases() }),
            },
        }
    }
}

/// The algorithm OID (content bytes) of a PKCS#8 `PrivateKeyInfo`, if it is one.
fn pkcs8_algorithm(der: &[u8]) -> Option<&[u8]> {
    let items = crate::der::sequence_children(der)?;
    let algorithm = items.get(1).filter(|t| t.tag == crate::der::TAG_SEQUENCE)?;
    let oid = crate::der::children(algorithm.content).into_iter().next()?;
    (oid.tag == crate::der::TAG_OID).then_some(oid.content)
}

fn check_alias(alias: &str) -> Result<(), CertError> {
    let ok =
        !alias.is_empty() && alias.chars().count() <= 255 && !alias.chars().any(char::is_control);
    if ok { Ok(()) } else { Err(CertError::InvalidAlias(alias.to_string())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_by_magic() {
        assert_eq!(detect(&[0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2]).unwrap(), KeystoreFormat::Jks);
        assert_eq!(
            detect(&[0x30, 0x82, 0x0A, 0x00, 0x02, 0x01, 0x03]).unwrap(),
            KeystoreFormat::Pkcs12
        );
        assert_eq!(detect(&[0x30, 0x80, 0x02, 0x01, 0x03]).unwrap(), KeystoreFormat::Pkcs12);
        assert!(matches!(detect(&[0xCE, 0xCE, 0xCE, 0xCE]), Err(CertError::Jceks)));
        for junk in [
            &b""[..],
            b"-----BEGIN CERTIFICATE-----",
            &[0x30, 0x82, 0x01],
            &[0x30, 0x03, 0x02, 0x01, 0x00],
        ] {
            assert!(matches!(detect(junk), Err(CertError::UnknownKeystoreFormat)), "{junk:?}");
        }
    }

    fn entry(alias: &str) -> KeyEntry {
        KeyEntry {
            alias: alias.into(),
            pkcs8_der: Zeroizing::new(vec![1, 2, 3]),
            chain: vec![vec![0x30, 0x00]],
        }
    }

    #[test]
    fn selects_by_alias_or_the_only_key() {
        let one = KeystoreContents { format: KeystoreFormat::Jks, entries: vec![entry("sso")] };
        assert_eq!(one.select(None).unwrap().alias, "sso");
        assert_eq!(one.select(Some("SSO")).unwrap().alias, "sso");
        let err = one.select(Some("other")).unwrap_err().to_string();
        assert_eq!(err, "no private-key entry with alias 'other' (entries: sso)");

        let two = KeystoreContents {
            format: KeystoreFormat::Pkcs12,
            entries: vec![entry("a"), entry("B")],
        };
        assert!(
            matches!(two.select(None), Err(CertError::SeveralKeys { aliases }) if aliases == "B, a")
        );
        assert!(two.select(Some("b")).is_err(), "PKCS#12 aliases are case-sensitive");
        assert_eq!(two.select(Some("B")).unwrap().alias, "B");

        let none = KeystoreContents { format: KeystoreFormat::Jks, entries: vec![] };
        assert!(matches!(none.select(None), Err(CertError::NoPrivateKey)));
    }

    #[test]
    fn jks_write_lowercases_alias_and_refuses_bad_input() {
        let bytes = write(KeystoreFormat::Jks, &entry("SSO-Key"), "pw", 0).unwrap();
        assert_eq!(read(&bytes, "pw").unwrap().entries, vec![entry("sso-key")]);
        assert!(matches!(
            write(KeystoreFormat::Jks, &entry(""), "pw", 0),
            Err(CertError::InvalidAlias(_))
        ));
        assert!(matches!(
            write(KeystoreFormat::Jks, &entry("a\nb"), "pw", 0),
            Err(CertError::InvalidAlias(_))
        ));
        let mut no_chain = entry("x");
        no_chain.chain.clear();
        assert!(matches!(
            write(KeystoreFormat::Jks, &no_chain, "pw", 0),
            Err(CertError::EmptyChain { .. })
        ));
    }

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

    fn load(key: &str, cert: &str) -> (Vec<u8>, Credential) {
        let key_bytes = std::fs::read(format!("{FIXTURES}/{key}")).unwrap();
        let key = PrivateKey::load(&key_bytes).unwrap();
        let cert =
            Certificate::load(&std::fs::read(format!("{FIXTURES}/{cert}")).unwrap()).unwrap();
        let stored = key.pkcs8_der().to_vec();
        (stored, Credential { alias: "sso".into(), key, chain: vec![cert] })
    }

    #[test]
    fn salesforce_rules_each_have_their_error() {
        let (stored, good) = load("keys/idp.key", "certs/idp.crt");
        check_salesforce(&good, &stored).unwrap();

        let (stored, ec) = load("keys/ec-p256.key", "certs/ec-p256.crt");
        let err = check_salesforce(&ec, &stored).unwrap_err();
        assert!(matches!(err, CertError::NotRsa { .. }) && err.is_failed_check(), "{err}");
        check_key_and_chain(&ec).unwrap();

        let (stored, weak) = load("keystore/rsa1024.key", "keystore/rsa1024.crt");
        assert!(matches!(
            check_salesforce(&weak, &stored),
            Err(CertError::RsaSize { bits: 1024, .. })
        ));

        let (_, attacker) = load("keys/attacker.key", "certs/attacker.crt");
        let mismatched = Credential { chain: good.chain.clone(), ..attacker.clone() };
        let stored = mismatched.key.pkcs8_der().to_vec();
        let err = check_salesforce(&mismatched, &stored).unwrap_err();
        assert!(matches!(err, CertError::KeyCertMismatch { .. }), "{err}");

        let pkcs1 = std::fs::read(format!("{FIXTURES}/keys/idp-pkcs1.key")).unwrap();
        let pkcs1_der =
            crate::pem::parse_all(std::str::from_utf8(&pkcs1).unwrap()).unwrap().remove(0).der;
        let entry = KeyEntry {
            alias: "sso".into(),
            pkcs8_der: Zeroizing::new(pkcs1_der.clone()),
            chain: vec![good.chain[0].der().to_vec()],
        };
        let decoded = entry.decode().unwrap();
        assert!(matches!(check_salesforce(&decoded, &pkcs1_der), Err(CertError::NotPkcs8 { .. })));

        let out_of_order = Credential {
            chain: vec![good.chain[0].clone(), attacker.chain[0].clone()],
            ..good.clone()
        };
        let stored = good.key.pkcs8_der().to_vec();
        assert!(matches!(
            check_salesforce(&out_of_order, &stored),
            Err(CertError::ChainOrder { index: 1, .. })
        ));
    }

    #[test]
    fn typed_entries_round_trip_through_both_formats() {
        let (_, good) = load("keys/idp.key", "certs/idp.crt");
        let entry = KeyEntry::new("sso", &good.key, &good.chain);
        for format in [KeystoreFormat::Jks, KeystoreFormat::Pkcs12] {
            let bytes = write(format, &entry, "pw", 0).unwrap();
            let read = read(&bytes, "pw").unwrap();
            assert_eq!(read.format, format);
            let cred = read.select(None).unwrap().decode().unwrap();
            assert_eq!(cred.key.pkcs8_der(), good.key.pkcs8_der());
            assert_eq!(cred.chain, good.chain);
            assert!(
                matches!(super::read(&bytes, "nope"), Err(CertError::KeystoreIntegrity)),
                "{format}"
            );
        }
        let garbage = KeyEntry { pkcs8_der: Zeroizing::new(vec![0x30, 0x00]), ..entry };
        assert!(matches!(garbage.decode(), Err(CertError::KeystoreEntry { .. })));
    }
}
