//! RSA PKCS#1 v1.5 signing with SHA-1, through AWS-LC's EVP interface.
//!
//! aws-lc-rs verifies RSA-SHA1 (`RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY`) but has no
//! SHA-1 signing encoding, and samlkit needs one valid SHA-1 signature: `issue --break sha1`
//! produces a deliberately weak response so that a service provider that wrongly accepts SHA-1
//! is caught. These calls (`EVP_DigestSignInit` with `EVP_sha1`, then `EVP_DigestSign`) reach
//! the same library and code path aws-lc-rs signs with, so no second RSA implementation (the
//! `rsa` crate, RUSTSEC-2023-0071) ever handles a private-key operation.
//!
//! This is the only `unsafe` code in samlkit-cert. Each block says why it is sound; every
//! pointer is owned by a guard that frees it on every path, including early returns.
#![allow(unsafe_code)]

use std::os::raw::c_long;
use std::ptr;

use aws_lc_sys::{
    EVP_DigestSign, EVP_DigestSignInit, EVP_MD_CTX, EVP_MD_CTX_free, EVP_MD_CTX_new, EVP_PKEY,
    EVP_PKEY_CTX, EVP_PKEY_CTX_set_rsa_padding, EVP_PKEY_RSA, EVP_PKEY_free, EVP_PKEY_id,
    EVP_PKEY_size, EVP_sha1, RSA_PKCS1_PADDING, d2i_AutoPrivateKey,
};

/// Why a legacy signature could not be made (the caller turns it into `CertError::Signing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LegacySignError {
    /// The DER is not a private key AWS-LC can parse.
    Parse,
    /// The key parses but is not an RSA key.
    NotRsa,
    /// AWS-LC refused to set up or make the signature.
    Sign,
}

impl std::fmt::Display for LegacySignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LegacySignError::Parse => "RSA-SHA1: the private key could not be parsed",
            LegacySignError::NotRsa => "RSA-SHA1: the private key is not an RSA key",
            LegacySignError::Sign => "RSA-SHA1: AWS-LC refused to sign",
        })
    }
}

/// Frees the EVP_PKEY on drop.
struct Pkey(*mut EVP_PKEY);
impl Drop for Pkey {
    fn drop(&mut self) {
        // SAFETY: the pointer came from d2i_AutoPrivateKey and is freed exactly once
        // (EVP_PKEY_free accepts NULL).
        unsafe { EVP_PKEY_free(self.0) }
    }
}

/// Frees the EVP_MD_CTX (and the EVP_PKEY_CTX it owns after EVP_DigestSignInit) on drop.
struct MdCtx(*mut EVP_MD_CTX);
impl Drop for MdCtx {
    fn drop(&mut self) {
        // SAFETY: the pointer came from EVP_MD_CTX_new and is freed exactly once (NULL is
        // accepted); it also frees the EVP_PKEY_CTX that EVP_DigestSignInit attached to it.
        unsafe { EVP_MD_CTX_free(self.0) }
    }
}

/// Signs `message` with RSA PKCS#1 v1.5 and SHA-1, using the PKCS#8 (or PKCS#1) DER private key.
///
/// PKCS#1 v1.5 signatures are deterministic: the same key and message always give the same
/// bytes, whatever library makes them.
pub(crate) fn sign_rsa_sha1(
    private_der: &[u8],
    message: &[u8],
) -> Result<Vec<u8>, LegacySignError> {
    let len = c_long::try_from(private_der.len()).map_err(|_| LegacySignError::Parse)?;
    let mut p = private_der.as_ptr();
    // SAFETY: `p` points at `len` readable bytes that outlive the call (the parser reads at most
    // `len` bytes and advances `p`, a local copy); passing NULL as `out` asks for a new object,
    // which the guard owns.
    let key = Pkey(unsafe { d2i_AutoPrivateKey(ptr::null_mut(), &mut p, len) });
    if key.0.is_null() {
        return Err(LegacySignError::Parse);
    }
    // SAFETY: `key.0` is a valid EVP_PKEY.
    if unsafe { EVP_PKEY_id(key.0) } != EVP_PKEY_RSA {
        return Err(LegacySignError::NotRsa);
    }
    // SAFETY: `key.0` is a valid EVP_PKEY; EVP_PKEY_size is the RSA modulus length in bytes.
    let size = usize::try_from(unsafe { EVP_PKEY_size(key.0) })
        .ok()
        .filter(|&n| n > 0)
        .ok_or(LegacySignError::Sign)?;

    // SAFETY: EVP_MD_CTX_new has no preconditions; the guard owns the result.
    let ctx = MdCtx(unsafe { EVP_MD_CTX_new() });
    if ctx.0.is_null() {
        return Err(LegacySignError::Sign);
    }
    let mut pctx: *mut EVP_PKEY_CTX = ptr::null_mut();
    // SAFETY: `ctx.0` and `key.0` are valid; EVP_sha1 returns a static method table; a NULL
    // engine is allowed. The EVP_PKEY_CTX stored in `pctx` is owned by `ctx` (freed with it)
    // and takes its own reference to the key, so it never outlives what it points at.
    let ok = unsafe {
        EVP_DigestSignInit(ctx.0, &mut pctx, EVP_sha1(), ptr::null_mut(), key.0) == 1
            && !pctx.is_null()
            && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
    };
    if !ok {
        return Err(LegacySignError::Sign);
    }
    let mut signature = vec![0u8; size];
    let mut out_len = signature.len();
    // SAFETY: `signature` has `out_len` writable bytes (the modulus size, the most an RSA
    // signature can be); `message` is readable for its length; EVP_DigestSign writes at most
    // `out_len` bytes and stores the length written.
    let ok = unsafe {
        EVP_DigestSign(ctx.0, signature.as_mut_ptr(), &mut out_len, message.as_ptr(), message.len())
    };
    if ok != 1 || out_len != size {
        return Err(LegacySignError::Sign);
    }
    Ok(signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{
        KeyPair as _, RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, RsaKeyPair, UnparsedPublicKey,
    };

    /// The IdP fixture key, PKCS#8 DER (2048-bit RSA).
    const IDP_PKCS8: &[u8] = include_bytes!("../../../fixtures/keys/idp.key.der");
    const MESSAGE: &[u8] = b"<ds:SignedInfo>legacy</ds:SignedInfo>";

    fn pem_der(pem: &str) -> Vec<u8> {
        crate::pem::parse_all(pem).unwrap().remove(0).der
    }

    /// The signature verifies with aws-lc-rs's own legacy SHA-1 verification, and only for the
    /// message that was signed.
    #[test]
    fn signature_verifies_with_aws_lc_rs_sha1_verification() {
        let signature = sign_rsa_sha1(IDP_PKCS8, MESSAGE).unwrap();
        assert_eq!(signature.len(), 256);
        let pair = RsaKeyPair::from_pkcs8(IDP_PKCS8).unwrap();
        let verifier = UnparsedPublicKey::new(
            &RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            pair.public_key().as_ref(),
        );
        verifier.verify(MESSAGE, &signature).unwrap();
        assert!(verifier.verify(b"another message", &signature).is_err());
    }

    /// PKCS#1 v1.5 is deterministic, so AWS-LC's signature must equal the one the `rsa` crate
    /// made before this module replaced it (computed here, in the test only), for the PKCS#8
    /// key and for the same key as PKCS#1.
    #[test]
    fn signature_equals_the_rsa_crate_signature() {
        use rsa::pkcs8::DecodePrivateKey as _;
        use rsa::signature::{SignatureEncoding as _, Signer as _};
        let reference = rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(
            rsa::PrivateKey::from_pkcs8_der(IDP_PKCS8).unwrap(),
        )
        .sign(MESSAGE)
        .to_vec();
        assert_eq!(sign_rsa_sha1(IDP_PKCS8, MESSAGE).unwrap(), reference);
        let pkcs1 = pem_der(include_str!("../../../fixtures/keys/idp-pkcs1.key"));
        assert_eq!(sign_rsa_sha1(&pkcs1, MESSAGE).unwrap(), reference);
    }

    /// Bad input is an error, never a panic: nothing, garbage, a truncated key, and an EC key
    /// (which parses but is not RSA).
    #[test]
    fn refuses_what_is_not_an_rsa_private_key() {
        let ec = pem_der(include_str!("../../../fixtures/keys/ec-p256.key"));
        let cases: [(&[u8], LegacySignError); 4] = [
            (b"", LegacySignError::Parse),
            (b"not a key", LegacySignError::Parse),
            (&IDP_PKCS8[..IDP_PKCS8.len() / 2], LegacySignError::Parse),
            (&ec, LegacySignError::NotRsa),
        ];
        for (input, expected) in cases {
            assert_eq!(sign_rsa_sha1(input, MESSAGE), Err(expected), "{} bytes", input.len());
        }
    }
}
