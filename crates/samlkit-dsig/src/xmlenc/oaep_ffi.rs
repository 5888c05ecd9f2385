//! RSA-OAEP with an OAEP digest and an MGF1 hash that differ (`rsa-oaep-mgf1p` with a SHA-256
//! `DigestMethod`, or `xmlenc11#rsa-oaep` with SHA-256 and the default MGF1-SHA1): aws-lc-rs's
//! `OaepAlgorithm` constants always pair a digest with the same MGF1 hash, so these two calls
//! reach AWS-LC's EVP interface (`EVP_PKEY_CTX_set_rsa_oaep_md` / `_set_rsa_mgf1_md`) directly,
//! the same library and the same code path aws-lc-rs uses, rather than a second RSA
//! implementation.
//!
//! This and samlkit-cert's `legacy_sha1` (RSA-SHA1 signing) are the only `unsafe` code in
//! samlkit. Each block says why it is sound; every pointer is
//! owned by a guard that frees it on every path, including early returns.
#![allow(unsafe_code)]

use std::os::raw::c_long;
use std::ptr;

use aws_lc_sys::{
    EVP_MD, EVP_PKEY, EVP_PKEY_CTX, EVP_PKEY_CTX_free, EVP_PKEY_CTX_new,
    EVP_PKEY_CTX_set_rsa_mgf1_md, EVP_PKEY_CTX_set_rsa_oaep_md, EVP_PKEY_CTX_set_rsa_padding,
    EVP_PKEY_CTX_set0_rsa_oaep_label, EVP_PKEY_decrypt, EVP_PKEY_decrypt_init, EVP_PKEY_encrypt,
    EVP_PKEY_encrypt_init, EVP_PKEY_free, EVP_sha1, EVP_sha256, EVP_sha384, EVP_sha512,
    OPENSSL_free, OPENSSL_malloc, RSA_PKCS1_OAEP_PADDING, d2i_AutoPrivateKey, d2i_PUBKEY,
};
use zeroize::Zeroizing;

use super::OaepHash;

/// Frees the EVP_PKEY on drop.
struct Pkey(*mut EVP_PKEY);
impl Drop for Pkey {
    fn drop(&mut self) {
        // SAFETY: the pointer came from d2i_* and is freed exactly once (EVP_PKEY_free accepts
        // NULL).
        unsafe { EVP_PKEY_free(self.0) }
    }
}

/// Frees the EVP_PKEY_CTX on drop.
struct Ctx(*mut EVP_PKEY_CTX);
impl Drop for Ctx {
    fn drop(&mut self) {
        // SAFETY: the pointer came from EVP_PKEY_CTX_new and is freed exactly once.
        unsafe { EVP_PKEY_CTX_free(self.0) }
    }
}

fn md(hash: OaepHash) -> *const EVP_MD {
    // SAFETY: the EVP_sha* functions return pointers to static method tables.
    unsafe {
        match hash {
            OaepHash::Sha1 => EVP_sha1(),
            OaepHash::Sha256 => EVP_sha256(),
            OaepHash::Sha384 => EVP_sha384(),
            OaepHash::Sha512 => EVP_sha512(),
        }
    }
}

/// Parses DER with `parse`, which reads at most `der.len()` bytes from a pointer it advances.
fn parse_key(
    der: &[u8],
    parse: unsafe extern "C" fn(*mut *mut EVP_PKEY, *mut *const u8, c_long) -> *mut EVP_PKEY,
) -> Result<Pkey, ()> {
    let len = c_long::try_from(der.len()).map_err(|_| ())?;
    let mut p = der.as_ptr();
    // SAFETY: `p` points at `len` readable bytes that outlive the call; passing NULL as `out`
    // asks for a new object, which we own.
    let key = unsafe { parse(ptr::null_mut(), &mut p, len) };
    if key.is_null() { Err(()) } else { Ok(Pkey(key)) }
}

/// A context for `key`, set up for OAEP with `digest`, MGF1-`mgf` and `label`; `init` is
/// EVP_PKEY_encrypt_init or EVP_PKEY_decrypt_init.
fn oaep_ctx(
    key: &Pkey,
    init: unsafe extern "C" fn(*mut EVP_PKEY_CTX) -> i32,
    digest: OaepHash,
    mgf: OaepHash,
    label: &[u8],
) -> Result<Ctx, ()> {
    // SAFETY: `key.0` is a valid EVP_PKEY; the new context takes its own reference to it.
    let ctx = Ctx(unsafe { EVP_PKEY_CTX_new(key.0, ptr::null_mut()) });
    if ctx.0.is_null() {
        return Err(());
    }
    // SAFETY: `ctx.0` is a valid context; the MDs are static.
    let ok = unsafe {
        init(ctx.0) == 1
            && EVP_PKEY_CTX_set_rsa_padding(ctx.0, RSA_PKCS1_OAEP_PADDING) == 1
            && EVP_PKEY_CTX_set_rsa_oaep_md(ctx.0, md(digest)) == 1
            && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.0, md(mgf)) == 1
    };
    if !ok {
        return Err(());
    }
    if !label.is_empty() {
        // SAFETY: set0 takes ownership of a buffer that must come from OPENSSL_malloc, but only
        // when it succeeds (p_rsa.c's own string control frees it on failure): we copy
        // `label.len()` bytes into a fresh allocation of that size, hand it over, and free it
        // ourselves if the call fails.
        let ok = unsafe {
            let buf = OPENSSL_malloc(label.len()).cast::<u8>();
            if buf.is_null() {
                return Err(());
            }
            ptr::copy_nonoverlapping(label.as_ptr(), buf, label.len());
            let ok = EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.0, buf, label.len()) == 1;
            if !ok {
                OPENSSL_free(buf.cast());
            }
            ok
        };
        if !ok {
            return Err(());
        }
    }
    Ok(ctx)
}

/// Decrypts `ciphertext` with the PKCS#8 (or PKCS#1) DER private key.
pub(crate) fn decrypt(
    private_der: &[u8],
    digest: OaepHash,
    mgf: OaepHash,
    label: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, ()> {
    let key = parse_key(private_der, d2i_AutoPrivateKey)?;
    let ctx = oaep_ctx(&key, EVP_PKEY_decrypt_init, digest, mgf, label)?;
    // The plaintext is shorter than the modulus, which is the ciphertext's length.
    let mut out = Zeroizing::new(vec![0u8; ciphertext.len()]);
    let mut out_len = out.len();
    // SAFETY: `out` has `out_len` writable bytes; `ciphertext` is readable for its length;
    // EVP_PKEY_decrypt writes at most `out_len` bytes and stores the length written.
    let ok = unsafe {
        EVP_PKEY_decrypt(
            ctx.0,
            out.as_mut_ptr(),
            &mut out_len,
            ciphertext.as_ptr(),
            ciphertext.len(),
        )
    };
    if ok != 1 || out_len > out.len() {
        return Err(());
    }
    out.truncate(out_len);
    Ok(out)
}

/// Encrypts `plaintext` to the SubjectPublicKeyInfo DER public key.
pub(crate) fn encrypt(
    spki_der: &[u8],
    digest: OaepHash,
    mgf: OaepHash,
    label: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, ()> {
    let key = parse_key(spki_der, d2i_PUBKEY)?;
    let ctx = oaep_ctx(&key, EVP_PKEY_encrypt_init, digest, mgf, label)?;
    // 1024 bytes hold the ciphertext of any RSA key up to 8192 bits.
    let mut out = vec![0u8; 1024];
    let mut out_len = out.len();
    // SAFETY: as in `decrypt`: bounded output buffer, readable input.
    let ok = unsafe {
        EVP_PKEY_encrypt(ctx.0, out.as_mut_ptr(), &mut out_len, plaintext.as_ptr(), plaintext.len())
    };
    if ok != 1 || out_len > out.len() {
        return Err(());
    }
    out.truncate(out_len);
    Ok(out)
}
