//! XML Encryption 1.1 (<https://www.w3.org/TR/xmlenc-core1/>) as SAML uses it: one element
//! encrypted under AES (GCM, or CBC for older IdPs), its key under the recipient's RSA key with
//! RSA-OAEP.
//!
//! * [`encrypt_element`] writes an `xenc:EncryptedData` with the `xenc:EncryptedKey` inside its
//!   `ds:KeyInfo`, naming the recipient's certificate.
//! * [`EncryptedElement::parse`] reads the forms IdPs send (EncryptedKey inside KeyInfo, or
//!   beside EncryptedData and referenced by `ds:RetrievalMethod`), refusing RSA-1_5 key transport
//!   and 3DES before anything is decrypted; [`EncryptedElement::decrypt`] answers every failure
//!   with the one [`SignatureError::DecryptionFailed`].
//!
//! Whether a decrypted element may be *trusted* is not decided here: anyone can encrypt to a
//! public certificate. The SAML layer accepts a decrypted assertion only under a verified
//! signature, and AES-CBC (unauthenticated) only when that signature covers the ciphertext.

mod aes;
mod algorithms;
mod decrypt;
mod encrypt;
mod keys;
mod oaep_ffi;

pub use algorithms::{DataAlgorithm, KeyTransport, NS_XENC, NS_XENC11, OaepHash, RSA_1_5};
pub use decrypt::{DecryptOptions, Decrypted, EncryptedElement};
pub use encrypt::{EncryptOptions, encrypt_element};
pub use keys::DecryptionKey;
