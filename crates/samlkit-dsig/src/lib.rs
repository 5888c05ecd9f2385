//! XML Signature (enveloped) creation and strict verification, as SAML uses it.
//!
//! * [`build_signature`] / [`sign_enveloped`]: one `ds:Reference URI="#ID"` with the
//!   enveloped-signature and exclusive C14N transforms, exclusive C14N for SignedInfo, RSA or ECDSA
//!   signature, the certificate in `KeyInfo/X509Data`. RSA output is deterministic.
//! * [`verify_signature`]: parses one `ds:Signature` strictly (schema order, exactly one
//!   SignedInfo/SignatureValue/Reference), allows only the algorithms and transforms listed in
//!   [`SignatureMethod`], [`DigestMethod`] and [`Transform`], resolves the Reference through the
//!   document's ID index (duplicate IDs are an error), checks the digest, then the signature
//!   against **trusted certificates only**. The result names the exact element that was signed,
//!   so a caller can check it is the element it is about to read.
//!
//! What is never accepted: HMAC (a "key" anyone holding the public certificate knows), DSA, MD5,
//! SHA-1 unless the caller allows it, XPath/XSLT/base64/C14N 1.1 transforms, external or empty
//! (`URI=""`) references, `ds:Object` and `ds:Manifest` content.
//!
//! XML Encryption (the `xmlenc` module): [`encrypt_element`], [`EncryptedElement`] and
//! [`DecryptionKey`]; RSA-OAEP and AES through aws-lc-rs.
//!
//! Failures are reported as [`SignatureError`] (the crate's one error type); parse and
//! canonicalization failures met on the way are wrapped in [`SignatureError::Xml`].
// `deny`, not `forbid`: xmlenc/oaep_ffi.rs alone is allowed `unsafe` (AWS-LC for mixed OAEP
// hashes).
#![deny(unsafe_code)]

mod algorithms;
mod error;
mod sign;
mod verify;
mod xmlenc;

pub use algorithms::{DigestMethod, SignatureMethod, Transform};
pub use error::SignatureError;
pub use sign::{SignOptions, build_signature, sign_enveloped};
pub use verify::{
    KeyInfoHint, LEGACY_MIN_RSA_BITS, MIN_RSA_BITS, VerifiedSignature, VerifyOptions,
    verify_signature,
};
pub use xmlenc::{
    DataAlgorithm, DecryptOptions, Decrypted, DecryptionKey, EncryptOptions, EncryptedElement,
    KeyTransport, NS_XENC, NS_XENC11, OaepHash, RSA_1_5, encrypt_element,
};

/// The XML-DSig namespace.
pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The exclusive C14N namespace (for `ec:InclusiveNamespaces`).
pub const NS_EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

#[cfg(test)]
mod tests;
