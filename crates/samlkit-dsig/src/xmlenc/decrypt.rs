//! Reading an encrypted element (`EncryptedAssertion`, `EncryptedID`, `EncryptedAttribute`, or
//! anything else shaped like SAML core §2.2.4's `EncryptedElementType`) and decrypting it.
//!
//! The structure and the algorithms are checked first — they are public, so refusing them says
//! nothing about the key — and only then is anything decrypted. From then on every failure is
//! the one [`SignatureError::DecryptionFailed`].

use samlkit_cert::Certificate;
use samlkit_xml::{Node, NodeId};
use zeroize::Zeroizing;

use super::{
    DataAlgorithm, DecryptionKey, KeyTransport, NS_XENC, NS_XENC11, OaepHash, RSA_1_5, aes,
};
use crate::verify::{base64_value, malformed};
use crate::{NS_DSIG, SignatureError};

/// The only `Type` accepted on EncryptedData: a whole element was encrypted.
pub(crate) const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";
const TYPE_ENCRYPTED_KEY: &str = "http://www.w3.org/2001/04/xmlenc#EncryptedKey";

/// Limits on what is decrypted.
#[derive(Clone, Copy, Debug)]
pub struct DecryptOptions {
    /// The largest decoded ciphertext accepted, in bytes.
    pub max_ciphertext_bytes: usize,
    /// The largest plaintext accepted, in bytes.
    pub max_plaintext_bytes: usize,
}

impl Default for DecryptOptions {
    fn default() -> Self {
        DecryptOptions { max_ciphertext_bytes: 1 << 20, max_plaintext_bytes: 1 << 20 }
    }
}

/// One `xenc:EncryptedKey` that may carry the content key.
#[derive(Debug)]
struct KeyCandidate {
    transport: KeyTransport,
    label: Vec<u8>,
    wrapped: Vec<u8>,
    /// The certificate its KeyInfo names, when it names one by `X509Certificate`.
    recipient_der: Option<Vec<u8>>,
}

/// A parsed encrypted element whose structure and algorithms are acceptable, not yet decrypted.
#[derive(Debug)]
pub struct EncryptedElement {
    element: NodeId,
    data: DataAlgorithm,
    ciphertext: Vec<u8>,
    keys: Vec<KeyCandidate>,
}

/// What decryption produced.
#[derive(Debug)]
pub struct Decrypted {
    /// The plaintext: the serialized element that was encrypted (UTF-8 checked, not parsed).
    pub plaintext: String,
    /// The content encryption algorithm.
    pub data: DataAlgorithm,
    /// How the content key was transported.
    pub key_transport: KeyTransport,
    /// Index into the keys given of the one that decrypted.
    pub key_index: usize,
}

impl EncryptedElement {
    /// Reads `element` (an `EncryptedAssertion`, `EncryptedID`, …): exactly one
    /// `xenc:EncryptedData` holding a whole encrypted element, and the `xenc:EncryptedKey`s that
    /// may carry its key — inside its `ds:KeyInfo`, or beside it as children of `element`
    /// (referenced by `ds:RetrievalMethod`, as Okta sends, or not referenced at all).
    ///
    /// # Errors
    /// [`SignatureError::Malformed`] for a structure outside that shape,
    /// [`SignatureError::AlgorithmRefused`] for RSA-1_5 key transport (always: Bleichenbacher's
    /// attack), 3DES, key wrapping, or anything unknown,
    /// [`SignatureError::CiphertextTooLarge`] past `opts.max_ciphertext_bytes`.
    pub fn parse(element: Node<'_, '_>, opts: &DecryptOptions) -> Result<Self, SignatureError> {
        let mut data_el = None;
        let mut siblings = Vec::new();
        for child in element.element_children() {
            if child.has_name(NS_XENC, "EncryptedData") && data_el.is_none() {
                data_el = Some(child);
            } else if child.has_name(NS_XENC, "EncryptedKey") {
                siblings.push(child);
            } else {
                return Err(malformed(
                    child,
                    &format!(
                        "<{}> may hold one xenc:EncryptedData and xenc:EncryptedKey elements, not <{}>",
                        element.name(),
                        child.name()
                    ),
                ));
            }
        }
        let data_el = data_el.ok_or_else(|| {
            malformed(element, &format!("<{}> holds no xenc:EncryptedData", element.name()))
        })?;
        if let Some(t) = data_el.attribute("", "Type")
            && t != TYPE_ELEMENT
        {
            return Err(malformed(
                data_el,
                &format!("EncryptedData Type {t:?} refused: only a whole element ({TYPE_ELEMENT})"),
            ));
        }
        let method = method_uri(data_el)?;
        let data = DataAlgorithm::from_uri(method)?;
        let ciphertext = cipher_value(data_el, opts)?;

        let mut key_els = Vec::new();
        if let Some(key_info) = xenc_child(data_el, NS_DSIG, "KeyInfo") {
            for k in key_info.element_children() {
                if k.has_name(NS_XENC, "EncryptedKey") {
                    key_els.push(k);
                } else if k.has_name(NS_DSIG, "RetrievalMethod") {
                    key_els.push(retrieve(k, element, &siblings)?);
                }
            }
        }
        if key_els.is_empty() {
            key_els = siblings;
        }
        if key_els.is_empty() {
            return Err(malformed(
                data_el,
                "no xenc:EncryptedKey carries the content key (agreed or pre-shared keys are not supported)",
            ));
        }
        let keys = key_els.into_iter().map(|k| key_candidate(k, opts)).collect::<Result<_, _>>()?;
        Ok(EncryptedElement { element: element.id(), data, ciphertext, keys })
    }

    /// The encrypted element this was read from.
    pub fn element(&self) -> NodeId {
        self.element
    }

    /// The content encryption algorithm.
    pub fn data_algorithm(&self) -> DataAlgorithm {
        self.data
    }

    /// The key transport of the first EncryptedKey (the one tried first).
    pub fn key_transport(&self) -> KeyTransport {
        self.keys.first().map_or(KeyTransport::DEFAULT, |k| k.transport)
    }

    /// Decrypts with the first of `keys` that unwraps a content key; a key whose certificate
    /// the EncryptedKey names is the only one tried for it.
    ///
    /// # Errors
    /// [`SignatureError::DecryptionFailed`], whatever the cause (no key fits, bad OAEP, bad
    /// padding, GCM tag, plaintext not UTF-8 or too large): one answer, so that no difference
    /// between failures can serve as an oracle. When no key unwraps, a random content key is
    /// used for the content decryption anyway, so that both failures take the same steps.
    pub fn decrypt(
        &self,
        keys: &[DecryptionKey],
        opts: &DecryptOptions,
    ) -> Result<Decrypted, SignatureError> {
        let mut found: Option<(Zeroizing<Vec<u8>>, usize, KeyTransport)> = None;
        'search: for candidate in &self.keys {
            for (index, key) in keys.iter().enumerate() {
                if !names_key(candidate.recipient_der.as_deref(), key.certificate(), keys) {
                    continue;
                }
                if let Ok(cek) =
                    key.unwrap_key(candidate.transport, &candidate.label, &candidate.wrapped)
                    && cek.len() == self.data.key_len()
                {
                    found = Some((cek, index, candidate.transport));
                    break 'search;
                }
            }
        }
        let (cek, key_index, key_transport) = match found {
            Some((cek, i, t)) => (cek, Some(i), t),
            None => {
                let mut random = Zeroizing::new(vec![0u8; self.data.key_len()]);
                aws_lc_rs::rand::fill(&mut random).map_err(|_| SignatureError::DecryptionFailed)?;
                (random, None, self.key_transport())
            }
        };
        let plain = aes::decrypt(self.data, &cek, &self.ciphertext);
        let (Ok(plain), Some(key_index)) = (plain, key_index) else {
            return Err(SignatureError::DecryptionFailed);
        };
        if plain.len() > opts.max_plaintext_bytes {
            return Err(SignatureError::DecryptionFailed);
        }
        let plaintext =
            String::from_utf8(plain.to_vec()).map_err(|_| SignatureError::DecryptionFailed)?;
        Ok(Decrypted { plaintext, data: self.data, key_transport, key_index })
    }
}

/// Whether `key_cert` may be tried for an EncryptedKey naming `named`: yes when it names none,
/// names this one, or names one no configured key has (the hint is not trusted to exclude).
fn names_key(named: Option<&[u8]>, key_cert: Option<&Certificate>, keys: &[DecryptionKey]) -> bool {
    let Some(named) = named else { return true };
    if let Some(cert) = key_cert
        && cert.der() == named
    {
        return true;
    }
    !keys.iter().any(|k| k.certificate().is_some_and(|c| c.der() == named))
}

fn xenc_child<'d, 'a>(node: Node<'d, 'a>, ns: &str, local: &str) -> Option<Node<'d, 'a>> {
    node.element_children().find(|c| c.has_name(ns, local))
}

fn method_uri<'d>(parent: Node<'d, '_>) -> Result<&'d str, SignatureError> {
    xenc_child(parent, NS_XENC, "EncryptionMethod")
        .and_then(|m| m.attribute("", "Algorithm"))
        .ok_or_else(|| {
            malformed(parent, &format!("<{}> has no EncryptionMethod Algorithm", parent.name()))
        })
}

fn cipher_value(parent: Node<'_, '_>, opts: &DecryptOptions) -> Result<Vec<u8>, SignatureError> {
    let cipher_data = xenc_child(parent, NS_XENC, "CipherData")
        .ok_or_else(|| malformed(parent, &format!("<{}> has no CipherData", parent.name())))?;
    if xenc_child(cipher_data, NS_XENC, "CipherReference").is_some() {
        return Err(malformed(cipher_data, "CipherReference refused: only an inline CipherValue"));
    }
    let value = xenc_child(cipher_data, NS_XENC, "CipherValue")
        .ok_or_else(|| malformed(cipher_data, "CipherData has no CipherValue"))?;
    let encoded: usize = value.children().filter_map(|c| c.text()).map(str::len).sum();
    if encoded / 4 * 3 > opts.max_ciphertext_bytes {
        return Err(SignatureError::CiphertextTooLarge { max: opts.max_ciphertext_bytes });
    }
    base64_value(value)
}

/// The sibling EncryptedKey a `ds:RetrievalMethod` points at.
fn retrieve<'d, 'a>(
    method: Node<'d, 'a>,
    container: Node<'d, 'a>,
    siblings: &[Node<'d, 'a>],
) -> Result<Node<'d, 'a>, SignatureError> {
    if let Some(t) = method.attribute("", "Type")
        && t != TYPE_ENCRYPTED_KEY
    {
        return Err(malformed(method, &format!("RetrievalMethod Type {t:?} refused")));
    }
    let uri = method.attribute("", "URI").unwrap_or("");
    let id = uri.strip_prefix('#').filter(|id| !id.is_empty()).ok_or_else(|| {
        malformed(method, &format!("RetrievalMethod URI {uri:?} refused: only \"#ID\""))
    })?;
    siblings.iter().copied().find(|k| k.attribute("", "Id") == Some(id)).ok_or_else(|| {
        malformed(
            method,
            &format!(
                "RetrievalMethod URI \"#{id}\" names no xenc:EncryptedKey in <{}>",
                container.name()
            ),
        )
    })
}

fn key_candidate(key: Node<'_, '_>, opts: &DecryptOptions) -> Result<KeyCandidate, SignatureError> {
    let method_el = xenc_child(key, NS_XENC, "EncryptionMethod")
        .ok_or_else(|| malformed(key, "EncryptedKey has no EncryptionMethod"))?;
    let uri = method_uri(key)?;
    let digest = match xenc_child(method_el, NS_DSIG, "DigestMethod")
        .and_then(|d| d.attribute("", "Algorithm"))
    {
        Some(d) => OaepHash::from_digest_uri(d)?,
        None => OaepHash::Sha1,
    };
    let transport = match uri {
        u if u == KeyTransport::DEFAULT.uri() => KeyTransport::RsaOaepMgf1p { digest },
        "http://www.w3.org/2009/xmlenc11#rsa-oaep" => {
            let mgf = match xenc_child(method_el, NS_XENC11, "MGF")
                .and_then(|m| m.attribute("", "Algorithm"))
            {
                Some(m) => OaepHash::from_mgf_uri(m)?,
                None => OaepHash::Sha1,
            };
            KeyTransport::RsaOaep { digest, mgf }
        }
        RSA_1_5 => {
            return Err(SignatureError::AlgorithmRefused {
                role: "EncryptedKey EncryptionMethod",
                uri: uri.to_string(),
                reason: "RSA PKCS#1 v1.5 key transport is refused (Bleichenbacher's padding oracle); ask the IdP for RSA-OAEP",
            });
        }
        other => {
            return Err(SignatureError::AlgorithmRefused {
                role: "EncryptedKey EncryptionMethod",
                uri: other.to_string(),
                reason: "not a key transport samlkit accepts (rsa-oaep-mgf1p, xmlenc11 rsa-oaep)",
            });
        }
    };
    let label = match xenc_child(method_el, NS_XENC, "OAEPparams") {
        Some(p) => base64_value(p)?,
        None => Vec::new(),
    };
    let recipient_der = xenc_child(key, NS_DSIG, "KeyInfo")
        .and_then(|ki| xenc_child(ki, NS_DSIG, "X509Data"))
        .and_then(|xd| xenc_child(xd, NS_DSIG, "X509Certificate"))
        .and_then(|c| base64_value(c).ok());
    let wrapped = cipher_value(key, opts)?;
    Ok(KeyCandidate { transport, label, wrapped, recipient_der })
}
