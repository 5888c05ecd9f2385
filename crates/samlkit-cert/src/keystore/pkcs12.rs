//! PKCS#12 (`.p12` / `.pfx`) through the `p12-keystore` crate: PBES2 (PBKDF2-HMAC-SHA256 +
//! AES-256-CBC) for the key and certificates and an HMAC-SHA256 integrity MAC when writing, the
//! JDK's own defaults; legacy 3DES/RC2 files are still read.

use p12_keystore::{
    Certificate as P12Certificate, KeyStore, KeyStoreEntry, Pkcs12ImportPolicy,
    PrivateKey as P12PrivateKey, PrivateKeyChain,
};

use super::{CertError, KeyEntry};

/// PBKDF2 and MAC iteration count (the JDK's default for PKCS#12).
const ITERATIONS: u32 = 10_000;

/// Writes one key entry as a PKCS#12 file protected with `password`.
pub(crate) fn encode(entry: &KeyEntry, password: &str) -> Result<Vec<u8>, CertError> {
    let key = P12PrivateKey::from_der(&entry.pkcs8_der).map_err(p12_error)?;
    let chain = entry
        .chain
        .iter()
        .map(|der| P12Certificate::from_der(der).map_err(p12_error))
        .collect::<Result<Vec<_>, _>>()?;
    // The local key ID ties the key bag to its certificate bag; a digest of the leaf is what
    // OpenSSL and the JDK use as well, and keeps the output stable for the same input.
    let local_key_id = local_key_id(entry.chain.first().map(Vec::as_slice).unwrap_or(&[]));
    let mut store = KeyStore::new();
    store.add_entry(
        &entry.alias,
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(local_key_id, key, chain)),
    );
    store
        .writer(password)
        .encryption_iterations(ITERATIONS)
        .mac_iterations(ITERATIONS)
        .write()
        .map_err(p12_error)
}

/// Reads every private-key entry of a PKCS#12 file. The integrity MAC is required and checked
/// with `password` (a wrong password is reported as such), and keys are decrypted with it.
pub(crate) fn decode(bytes: &[u8], password: &str) -> Result<Vec<KeyEntry>, CertError> {
    let store = KeyStore::from_pkcs12(bytes, password, Pkcs12ImportPolicy::Strict).map_err(
        |e| match e {
            p12_keystore::error::Error::MacError(_) => CertError::KeystoreIntegrity,
            // A wrong password on an encrypted bag (when there is no MAC) fails at unpadding.
            p12_keystore::error::Error::UnpadError => CertError::KeystoreIntegrity,
            other => p12_error(other),
        },
    )?;
    // The MAC is optional in PKCS#12, and without it nothing proves the password or the file's
    // integrity (certificate bags are often stored unencrypted): refuse such files.
    let has_mac = crate::der::sequence_children(bytes)
        .is_some_and(|items| items.get(2).is_some_and(|mac| mac.tag == crate::der::TAG_SEQUENCE));
    if !has_mac {
        return Err(CertError::NoIntegrityMac);
    }
    Ok(store
        .entries()
        .filter_map(|(alias, entry)| match entry {
            KeyStoreEntry::PrivateKeyChain(chain) => Some(KeyEntry {
                alias: alias.clone(),
                pkcs8_der: zeroize::Zeroizing::new(chain.key().as_der().to_vec()),
                chain: chain.certs().iter().map(|c| c.as_der().to_vec()).collect(),
            }),
            _ => None,
        })
        .collect())
}

fn local_key_id(leaf_der: &[u8]) -> Vec<u8> {
    use sha1::{Digest, Sha1};
    Sha1::digest(leaf_der).to_vec()
}

fn p12_error(e: p12_keystore::error::Error) -> CertError {
    CertError::Pkcs12(e.to_string())
}
