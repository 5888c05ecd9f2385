//! The Java KeyStore (JKS) file format, as written by the JDK's `sun.security.provider` "JKS"
//! keystore and read by Salesforce's keystore import.
//!
//! The layout (all integers big-endian):
//!
//! ```text
//! u32 magic 0xFEEDFEED | u32 version (2; 1 has no certificate type strings) | u32 entry count
//! entry: u32 tag | UTF alias | u64 creation time (ms since the epoch)
//!   tag 1 (private key):  u32 len + EncryptedPrivateKeyInfo DER (Sun key protector)
//!                         u32 chain length, then per certificate: UTF type ("X.509"), u32 len + DER
//!   tag 2 (trusted cert): UTF type, u32 len + DER
//! trailer: SHA-1( password as UTF-16BE || "Mighty Aphrodite" || every preceding byte )
//! ```
//!
//! "UTF" is Java's modified UTF-8 with a u16 length prefix. The private key is protected with
//! Sun's proprietary key protector (OID 1.3.6.1.4.1.42.2.17.1.1): a SHA-1 keystream seeded by a
//! random 20-byte salt and the password, followed by a SHA-1 check value of the plain key.

use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

use super::CertError;

/// The first four bytes of every JKS file.
pub const MAGIC: u32 = 0xFEED_FEED;
/// JCEKS (the SunJCE keystore) starts with this instead; it is recognised only to say so.
pub const JCEKS_MAGIC: u32 = 0xCECE_CECE;

const TAG_PRIVATE_KEY: u32 = 1;
const TAG_TRUSTED_CERT: u32 = 2;
const WHITENER: &[u8] = b"Mighty Aphrodite";
const SALT_LEN: usize = 20;
const SHA1_LEN: usize = 20;
const CERT_TYPE_X509: &str = "X.509";
/// DER of the object identifier 1.3.6.1.4.1.42.2.17.1.1 (Sun JDK key protector).
const KEY_PROTECTOR_OID: &[u8] =
    &[0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x2A, 0x02, 0x11, 0x01, 0x01];
/// An upper bound on entries, so a corrupt count cannot make us loop for long.
const MAX_ENTRIES: u32 = 10_000;
/// Longest certificate chain we accept in one entry.
const MAX_CHAIN: u32 = 64;

/// A private key with its certificate chain (leaf first).
#[derive(Clone, PartialEq, Eq)]
pub struct JksPrivateKeyEntry {
    /// The entry's alias (keytool lower-cases aliases in JKS files).
    pub alias: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// The private key as PKCS#8 `PrivateKeyInfo` DER (plain, after decryption; wiped on drop).
    pub pkcs8_der: Zeroizing<Vec<u8>>,
    /// The certificate chain as DER, leaf first.
    pub chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for JksPrivateKeyEntry {
    // Never print key material, even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JksPrivateKeyEntry")
            .field("alias", &self.alias)
            .field("created_ms", &self.created_ms)
            .field("pkcs8_der", &format_args!("<{} bytes>", self.pkcs8_der.len()))
            .field("chain", &format_args!("<{} certificates>", self.chain.len()))
            .finish()
    }
}

/// A trusted certificate (no key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JksTrustedCertEntry {
    /// The entry's alias.
    pub alias: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// The certificate as DER.
    pub cert_der: Vec<u8>,
}

/// One entry of a JKS keystore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JksEntry {
    /// A private key and its chain.
    PrivateKey(JksPrivateKeyEntry),
    /// A trusted certificate.
    TrustedCert(JksTrustedCertEntry),
}

impl JksEntry {
    /// The entry's alias.
    pub fn alias(&self) -> &str {
        match self {
            JksEntry::PrivateKey(e) => &e.alias,
            JksEntry::TrustedCert(e) => &e.alias,
        }
    }
}

/// Encodes entries as a version-2 JKS file. Each private key is protected with `password` (the
/// keystore password, as keytool and Salesforce expect) under a fresh random salt.
pub fn encode(entries: &[JksEntry], password: &str) -> Result<Vec<u8>, CertError> {
    encode_with_salts(entries, password, &mut |salt| {
        getrandom::fill(salt).map_err(|e| CertError::Random(e.to_string()))
    })
}

/// [`encode`] with the salt source as a parameter, so tests can be deterministic.
pub fn encode_with_salts(
    entries: &[JksEntry],
    password: &str,
    salt_source: &mut dyn FnMut(&mut [u8]) -> Result<(), CertError>,
) -> Result<Vec<u8>, CertError> {
    let password = utf16be(password);
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC.to_be_bytes());
    out.extend_from_slice(&2u32.to_be_bytes());
    out.extend_from_slice(&len_u32(entries.len(), "entry count")?.to_be_bytes());
    for entry in entries {
        match entry {
            JksEntry::PrivateKey(e) => {
                out.extend_from_slice(&TAG_PRIVATE_KEY.to_be_bytes());
                write_utf(&mut out, &e.alias)?;
                out.extend_from_slice(&e.created_ms.to_be_bytes());
                let mut salt = [0u8; SALT_LEN];
                salt_source(&mut salt)?;
                let protected = protect_key(&e.pkcs8_der, &password, &salt);
                write_bytes(&mut out, &encrypted_private_key_info(&protected)?)?;
                out.extend_from_slice(&len_u32(e.chain.len(), "chain length")?.to_be_bytes());
                for cert in &e.chain {
                    write_utf(&mut out, CERT_TYPE_X509)?;
                    write_bytes(&mut out, cert)?;
                }
            }
            JksEntry::TrustedCert(e) => {
                out.extend_from_slice(&TAG_TRUSTED_CERT.to_be_bytes());
                write_utf(&mut out, &e.alias)?;
                out.extend_from_slice(&e.created_ms.to_be_bytes());
                write_utf(&mut out, CERT_TYPE_X509)?;
                write_bytes(&mut out, &e.cert_der)?;
            }
        }
    }
    let digest = integrity_digest(&password, &out);
    out.extend_from_slice(&digest);
    Ok(out)
}

/// Decodes a JKS file: checks the integrity hash with `password` first (a wrong password or a
/// modified file is reported before anything is parsed), then decrypts each private key with the
/// same password.
pub fn decode(bytes: &[u8], password: &str) -> Result<Vec<JksEntry>, CertError> {
    let password = utf16be(password);
    if bytes.len() < 12 + SHA1_LEN {
        return Err(CertError::KeystoreTruncated { offset: bytes.len(), what: "JKS header" });
    }
    let (body, stored_digest) = bytes.split_at(bytes.len() - SHA1_LEN);
    let mut r = Reader { bytes: body, pos: 0 };
    let magic = r.u32("magic number")?;
    if magic == JCEKS_MAGIC {
        return Err(CertError::Jceks);
    }
    if magic != MAGIC {
        return Err(CertError::UnknownKeystoreFormat);
    }
    let version = r.u32("version")?;
    if version != 1 && version != 2 {
        return Err(CertError::UnsupportedJksVersion(version));
    }
    if integrity_digest(&password, body).as_slice() != stored_digest {
        return Err(CertError::KeystoreIntegrity);
    }
    let count = r.u32("entry count")?;
    if count > MAX_ENTRIES {
        return Err(CertError::KeystoreMalformed {
            offset: 8,
            reason: format!("entry count {count} exceeds the limit of {MAX_ENTRIES}"),
        });
    }
    let mut entries = Vec::new();
    for _ in 0..count {
        let tag_offset = r.pos;
        let tag = r.u32("entry tag")?;
        let alias = r.utf("alias")?;
        let created_ms = r.i64("timestamp")?;
        match tag {
            TAG_PRIVATE_KEY => {
                let key_offset = r.pos;
                let protected = r.bytes_u32("encrypted private key")?;
                let encrypted = parse_encrypted_private_key_info(protected).ok_or_else(|| {
                    CertError::KeystoreMalformed {
                        offset: key_offset,
                        reason: format!(
                            "the key of entry '{alias}' is not protected with the JKS key \
                             protector (1.3.6.1.4.1.42.2.17.1.1)"
                        ),
                    }
                })?;
                let pkcs8_der = unprotect_key(encrypted, &password)
                    .ok_or_else(|| CertError::KeyPasswordMismatch { alias: alias.clone() })?;
                let chain_len = r.u32("certificate chain length")?;
                if chain_len > MAX_CHAIN {
                    return Err(CertError::KeystoreMalformed {
                        offset: r.pos - 4,
                        reason: format!("chain of {chain_len} certificates in entry '{alias}'"),
                    });
                }
                let mut chain = Vec::new();
                for _ in 0..chain_len {
                    chain.push(r.certificate(version, &alias)?);
                }
                entries.push(JksEntry::PrivateKey(JksPrivateKeyEntry {
                    alias,
                    created_ms,
                    pkcs8_der,
                    chain,
                }));
            }
            TAG_TRUSTED_CERT => {
                let cert_der = r.certificate(version, &alias)?;
                entries.push(JksEntry::TrustedCert(JksTrustedCertEntry {
                    alias,
                    created_ms,
                    cert_der,
                }));
            }
            other => {
                return Err(CertError::KeystoreMalformed {
                    offset: tag_offset,
                    reason: format!(
                        "unknown entry tag {other} (secret-key entries are a JCEKS/PKCS#12 feature)"
                    ),
                });
            }
        }
    }
    if r.pos != body.len() {
        return Err(CertError::KeystoreMalformed {
            offset: r.pos,
            reason: format!("{} unexpected bytes after the last entry", body.len() - r.pos),
        });
    }
    Ok(entries)
}

/// The password as Java sees it: UTF-16 code units, big-endian, no terminator.
fn utf16be(password: &str) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(password.encode_utf16().flat_map(u16::to_be_bytes).collect())
}

fn integrity_digest(password: &[u8], body: &[u8]) -> [u8; SHA1_LEN] {
    let mut h = Sha1::new();
    h.update(password);
    h.update(WHITENER);
    h.update(body);
    h.finalize().into()
}

/// The keystream: SHA-1(password || previous digest), starting from the salt, 20 bytes per round.
fn keystream(password: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut stream = Zeroizing::new(Vec::with_capacity(len + SHA1_LEN));
    let mut digest: Vec<u8> = salt.to_vec();
    while stream.len() < len {
        let mut h = Sha1::new();
        h.update(password);
        h.update(&digest);
        digest = h.finalize().to_vec();
        stream.extend_from_slice(&digest);
    }
    stream.truncate(len);
    stream
}

fn key_check(password: &[u8], plain: &[u8]) -> [u8; SHA1_LEN] {
    let mut h = Sha1::new();
    h.update(password);
    h.update(plain);
    h.finalize().into()
}

/// salt || (plain XOR keystream) || SHA-1(password || plain)
fn protect_key(plain: &[u8], password: &[u8], salt: &[u8; SALT_LEN]) -> Vec<u8> {
    let stream = keystream(password, salt, plain.len());
    let mut out = Vec::with_capacity(SALT_LEN + plain.len() + SHA1_LEN);
    out.extend_from_slice(salt);
    out.extend(plain.iter().zip(stream.iter()).map(|(p, k)| p ^ k));
    out.extend_from_slice(&key_check(password, plain));
    out
}

/// The inverse of [`protect_key`]; `None` if the check value does not match (wrong password).
fn unprotect_key(protected: &[u8], password: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if protected.len() < SALT_LEN + SHA1_LEN {
        return None;
    }
    let (salt, rest) = protected.split_at(SALT_LEN);
    let (cipher, check) = rest.split_at(rest.len() - SHA1_LEN);
    let stream = keystream(password, salt, cipher.len());
    let plain: Zeroizing<Vec<u8>> =
        Zeroizing::new(cipher.iter().zip(stream.iter()).map(|(c, k)| c ^ k).collect());
    (key_check(password, &plain).as_slice() == check).then_some(plain)
}

/// EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier { keyProtectorOid, NULL },
/// OCTET STRING protectedKey }
fn encrypted_private_key_info(protected: &[u8]) -> Result<Vec<u8>, CertError> {
    let mut alg = KEY_PROTECTOR_OID.to_vec();
    alg.extend_from_slice(&[0x05, 0x00]);
    let mut inner = der_tlv(0x30, &alg)?;
    inner.extend(der_tlv(0x04, protected)?);
    der_tlv(0x30, &inner)
}

fn parse_encrypted_private_key_info(der: &[u8]) -> Option<&[u8]> {
    let (outer, rest) = der_read(der, 0x30)?;
    if !rest.is_empty() {
        return None;
    }
    let (alg, after_alg) = der_read(outer, 0x30)?;
    let params = alg.strip_prefix(KEY_PROTECTOR_OID)?;
    if !(params.is_empty() || params == [0x05, 0x00]) {
        return None;
    }
    let (protected, rest) = der_read(after_alg, 0x04)?;
    rest.is_empty().then_some(protected)
}

fn der_tlv(tag: u8, content: &[u8]) -> Result<Vec<u8>, CertError> {
    let len = content.len();
    let mut out = vec![tag];
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let be = u32::try_from(len)
            .map_err(|_| CertError::KeystoreTooLarge { what: "DER value" })?
            .to_be_bytes();
        let skip = be.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&be[skip..]);
    }
    out.extend_from_slice(content);
    Ok(out)
}

/// Reads one DER element with the expected tag; returns (content, rest).
fn der_read(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = input.split_first()?;
    if t != tag {
        return None;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (len_bytes, after) = rest.split_at(n);
        rest = after;
        len_bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    (rest.len() >= len).then(|| rest.split_at(len))
}

fn len_u32(len: usize, what: &'static str) -> Result<u32, CertError> {
    u32::try_from(len).map_err(|_| CertError::KeystoreTooLarge { what })
}

fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), CertError> {
    out.extend_from_slice(&len_u32(bytes.len(), "JKS field")?.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// Java's `DataOutput.writeUTF`: modified UTF-8 (NUL as C0 80, supplementary characters as two
/// 3-byte surrogates) with a u16 length prefix.
fn write_utf(out: &mut Vec<u8>, s: &str) -> Result<(), CertError> {
    let mut encoded = Vec::with_capacity(s.len());
    for unit in s.encode_utf16() {
        match unit {
            0x0001..=0x007F => encoded.push(unit as u8),
            0x0000 | 0x0080..=0x07FF => {
                encoded.push(0xC0 | (unit >> 6) as u8);
                encoded.push(0x80 | (unit & 0x3F) as u8);
            }
            _ => {
                encoded.push(0xE0 | (unit >> 12) as u8);
                encoded.push(0x80 | ((unit >> 6) & 0x3F) as u8);
                encoded.push(0x80 | (unit & 0x3F) as u8);
            }
        }
    }
    let len =
        u16::try_from(encoded.len()).map_err(|_| CertError::KeystoreTooLarge { what: "alias" })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&encoded);
    Ok(())
}

/// Java's `DataInput.readUTF`; `None` on malformed input.
fn decode_modified_utf8(bytes: &[u8]) -> Option<String> {
    let mut units = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b0) = bytes.get(i) {
        match b0 >> 4 {
            0x0..=0x7 => {
                units.push(u16::from(b0));
                i += 1;
            }
            0xC | 0xD => {
                let b1 = *bytes.get(i + 1)?;
                if b1 & 0xC0 != 0x80 {
                    return None;
                }
                units.push((u16::from(b0 & 0x1F) << 6) | u16::from(b1 & 0x3F));
                i += 2;
            }
            0xE => {
                let b1 = *bytes.get(i + 1)?;
                let b2 = *bytes.get(i + 2)?;
                if b1 & 0xC0 != 0x80 || b2 & 0xC0 != 0x80 {
                    return None;
                }
                units.push(
                    (u16::from(b0 & 0x0F) << 12)
                        | (u16::from(b1 & 0x3F) << 6)
                        | u16::from(b2 & 0x3F),
                );
                i += 3;
            }
            _ => return None,
        }
    }
    String::from_utf16(&units).ok()
}

/// A bounds-checked cursor over the keystore body; every read says what it was reading and where.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], CertError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(CertError::KeystoreTruncated { offset: self.pos, what })?;
        let slice = self
            .bytes
            .get(self.pos..end)
            .ok_or(CertError::KeystoreTruncated { offset: self.pos, what })?;
        self.pos = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], CertError> {
        let slice = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, CertError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    fn i64(&mut self, what: &'static str) -> Result<i64, CertError> {
        Ok(i64::from_be_bytes(self.array(what)?))
    }

    fn bytes_u32(&mut self, what: &'static str) -> Result<&'a [u8], CertError> {
        let len = self.u32(what)?;
        self.take(len as usize, what)
    }

    fn utf(&mut self, what: &'static str) -> Result<String, CertError> {
        let offset = self.pos;
        let len = u16::from_be_bytes(self.array(what)?);
        let raw = self.take(usize::from(len), what)?;
        decode_modified_utf8(raw).ok_or_else(|| CertError::KeystoreMalformed {
            offset,
            reason: format!("{what} is not valid modified UTF-8"),
        })
    }

    fn certificate(&mut self, version: u32, alias: &str) -> Result<Vec<u8>, CertError> {
        if version == 2 {
            let offset = self.pos;
            let cert_type = self.utf("certificate type")?;
            if cert_type != CERT_TYPE_X509 {
                return Err(CertError::KeystoreMalformed {
                    offset,
                    reason: format!("entry '{alias}' holds a '{cert_type}' certificate, not X.509"),
                });
            }
        }
        Ok(self.bytes_u32("certificate")?.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<JksEntry> {
        vec![
            JksEntry::PrivateKey(JksPrivateKeyEntry {
                alias: "sso".into(),
                created_ms: 1_700_000_000_000,
                pkcs8_der: Zeroizing::new((0u8..=255).cycle().take(1219).collect()),
                chain: vec![vec![0x30, 0x03, 0x02, 0x01, 0x01], vec![0x30, 0x00]],
            }),
            JksEntry::TrustedCert(JksTrustedCertEntry {
                alias: "root ca é 😀".into(),
                created_ms: 42,
                cert_der: vec![0x30, 0x00],
            }),
        ]
    }

    fn fixed_salt(salt: &mut [u8]) -> Result<(), CertError> {
        salt.fill(7);
        Ok(())
    }

    #[test]
    fn round_trips_entries() {
        let bytes = encode(&sample(), "changeit").unwrap();
        assert_eq!(&bytes[..8], &[0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2]);
        assert_eq!(decode(&bytes, "changeit").unwrap(), sample());
    }

    #[test]
    fn same_salt_same_bytes_and_fresh_salts_differ() {
        let a = encode_with_salts(&sample(), "pw", &mut fixed_salt).unwrap();
        let b = encode_with_salts(&sample(), "pw", &mut fixed_salt).unwrap();
        assert_eq!(a, b);
        assert_ne!(encode(&sample(), "pw").unwrap(), encode(&sample(), "pw").unwrap());
    }

    #[test]
    fn wrong_password_fails_integrity() {
        let bytes = encode(&sample(), "right").unwrap();
        assert!(matches!(decode(&bytes, "wrong"), Err(CertError::KeystoreIntegrity)));
    }

    #[test]
    fn any_flipped_byte_is_detected() {
        let bytes = encode(&sample(), "pw").unwrap();
        for i in 8..bytes.len() {
            let mut copy = bytes.clone();
            copy[i] ^= 0x01;
            assert!(decode(&copy, "pw").is_err(), "flip at {i} went unnoticed");
        }
    }

    #[test]
    fn truncations_are_errors_not_panics() {
        let bytes = encode(&sample(), "pw").unwrap();
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len], "pw").is_err());
        }
    }

    #[test]
    fn key_protected_with_another_password_is_reported() {
        // Rebuild the file with the key protected under "keypw" but the store hash under "pw".
        let entry = JksPrivateKeyEntry {
            alias: "k".into(),
            created_ms: 0,
            pkcs8_der: Zeroizing::new(vec![1, 2, 3]),
            chain: vec![],
        };
        let mut body = Vec::new();
        body.extend_from_slice(&MAGIC.to_be_bytes());
        body.extend_from_slice(&2u32.to_be_bytes());
        body.extend_from_slice(&1u32.to_be_bytes());
        body.extend_from_slice(&TAG_PRIVATE_KEY.to_be_bytes());
        write_utf(&mut body, &entry.alias).unwrap();
        body.extend_from_slice(&0i64.to_be_bytes());
        let protected = protect_key(&entry.pkcs8_der, &utf16be("keypw"), &[9; SALT_LEN]);
        write_bytes(&mut body, &encrypted_private_key_info(&protected).unwrap()).unwrap();
        body.extend_from_slice(&0u32.to_be_bytes());
        let digest = integrity_digest(&utf16be("pw"), &body);
        body.extend_from_slice(&digest);
        assert!(matches!(
            decode(&body, "pw"),
            Err(CertError::KeyPasswordMismatch { alias }) if alias == "k"
        ));
    }

    #[test]
    fn jceks_and_garbage_are_named() {
        let mut jceks = vec![0xCE, 0xCE, 0xCE, 0xCE, 0, 0, 0, 2];
        jceks.resize(40, 0);
        assert!(matches!(decode(&jceks, "pw"), Err(CertError::Jceks)));
        assert!(matches!(decode(&[0x42; 40], "pw"), Err(CertError::UnknownKeystoreFormat)));
    }

    #[test]
    fn modified_utf8_matches_java_for_nul_and_supplementary() {
        let mut out = Vec::new();
        write_utf(&mut out, "a\0😀").unwrap();
        // 'a', NUL as C0 80, U+1F600 as the surrogates D83D DE00 in 3 bytes each.
        assert_eq!(out, [0, 9, b'a', 0xC0, 0x80, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]);
        assert_eq!(decode_modified_utf8(&out[2..]).as_deref(), Some("a\0😀"));
        assert_eq!(decode_modified_utf8(&[0xFF]), None);
    }

    #[test]
    fn long_keys_use_long_form_der_lengths() {
        let info = encrypted_private_key_info(&[0xAB; 300]).unwrap();
        assert_eq!(parse_encrypted_private_key_info(&info), Some(&[0xAB; 300][..]));
        assert_eq!(parse_encrypted_private_key_info(&info[..info.len() - 1]), None);
    }

    #[test]
    fn reads_version_1_files_without_certificate_types() {
        let mut body = Vec::new();
        body.extend_from_slice(&MAGIC.to_be_bytes());
        body.extend_from_slice(&1u32.to_be_bytes());
        body.extend_from_slice(&1u32.to_be_bytes());
        body.extend_from_slice(&TAG_TRUSTED_CERT.to_be_bytes());
        write_utf(&mut body, "old").unwrap();
        body.extend_from_slice(&7i64.to_be_bytes());
        write_bytes(&mut body, &[0x30, 0x00]).unwrap();
        let digest = integrity_digest(&utf16be("pw"), &body);
        body.extend_from_slice(&digest);
        assert_eq!(
            decode(&body, "pw").unwrap(),
            vec![JksEntry::TrustedCert(JksTrustedCertEntry {
                alias: "old".into(),
                created_ms: 7,
                cert_der: vec![0x30, 0x00],
            })]
        );
        let mut v3 = body.clone();
        v3[7] = 3;
        assert!(matches!(decode(&v3, "pw"), Err(CertError::UnsupportedJksVersion(3))));
    }
}
