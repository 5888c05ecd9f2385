//! AES-CBC and AES-GCM through aws-lc-rs, in the wire formats XML Encryption uses: the IV
//! first, then the ciphertext (and for GCM the 16-byte tag last).
//!
//! Every failure is `Err(())`: callers turn it into the one `DecryptionFailed`, so nothing here
//! may say *why* (a padding oracle is made of exactly such differences).

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher::{self, DecryptingKey, DecryptionContext, EncryptingKey, UnboundCipherKey};
use aws_lc_rs::iv::FixedLength;
use zeroize::Zeroizing;

use super::DataAlgorithm;

const CBC_IV: usize = 16;
const GCM_IV: usize = 12;
const GCM_TAG: usize = 16;
const BLOCK: usize = 16;

fn cbc_algorithm(alg: DataAlgorithm) -> &'static cipher::Algorithm {
    match alg.key_len() {
        16 => &cipher::AES_128,
        24 => &cipher::AES_192,
        _ => &cipher::AES_256,
    }
}

fn gcm_algorithm(alg: DataAlgorithm) -> &'static aead::Algorithm {
    match alg.key_len() {
        16 => &aead::AES_128_GCM,
        24 => &aead::AES_192_GCM,
        _ => &aead::AES_256_GCM,
    }
}

/// Decrypts `IV || ciphertext [|| tag]` with `key`.
pub(crate) fn decrypt(
    alg: DataAlgorithm,
    key: &[u8],
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, ()> {
    if key.len() != alg.key_len() {
        return Err(());
    }
    if alg.is_cbc() { decrypt_cbc(alg, key, data) } else { decrypt_gcm(alg, key, data) }
}

fn decrypt_cbc(alg: DataAlgorithm, key: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, ()> {
    if data.len() < CBC_IV + BLOCK || !(data.len() - CBC_IV).is_multiple_of(BLOCK) {
        return Err(());
    }
    let (iv, body) = data.split_at(CBC_IV);
    let iv: [u8; CBC_IV] = iv.try_into().map_err(|_| ())?;
    let key = UnboundCipherKey::new(cbc_algorithm(alg), key).map_err(|_| ())?;
    // The unpadded CBC key: XML Encryption pads with ISO 10126 (random bytes, the last byte
    // the count), which PKCS#7 unpadding would refuse; only the last byte counts.
    let key = DecryptingKey::cbc(key).map_err(|_| ())?;
    let mut buf = Zeroizing::new(body.to_vec());
    let len = key
        .decrypt(&mut buf, DecryptionContext::Iv128(FixedLength::from(iv)))
        .map_err(|_| ())?
        .len();
    let pad = usize::from(*buf.get(len.wrapping_sub(1)).ok_or(())?);
    if pad == 0 || pad > BLOCK || pad > len {
        return Err(());
    }
    buf.truncate(len - pad);
    Ok(buf)
}

fn decrypt_gcm(alg: DataAlgorithm, key: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, ()> {
    if data.len() < GCM_IV + GCM_TAG {
        return Err(());
    }
    let (iv, body) = data.split_at(GCM_IV);
    let nonce = Nonce::try_assume_unique_for_key(iv).map_err(|_| ())?;
    let key = LessSafeKey::new(UnboundKey::new(gcm_algorithm(alg), key).map_err(|_| ())?);
    let mut buf = Zeroizing::new(body.to_vec());
    let len = key.open_in_place(nonce, Aad::empty(), &mut buf).map_err(|_| ())?.len();
    buf.truncate(len);
    Ok(buf)
}

/// Encrypts `plaintext` with `key` under a fresh random IV; returns `IV || ciphertext [|| tag]`.
pub(crate) fn encrypt(alg: DataAlgorithm, key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, ()> {
    if alg.is_cbc() {
        let key =
            EncryptingKey::cbc(UnboundCipherKey::new(cbc_algorithm(alg), key).map_err(|_| ())?)
                .map_err(|_| ())?;
        // PKCS#7 bytes are one valid ISO 10126 padding (the last byte is the count).
        let pad = BLOCK - plaintext.len() % BLOCK;
        let mut buf = plaintext.to_vec();
        buf.resize(plaintext.len() + pad, u8::try_from(pad).map_err(|_| ())?);
        let context = key.encrypt(&mut buf).map_err(|_| ())?;
        let DecryptionContext::Iv128(iv) = context else { return Err(()) };
        let mut out = iv.as_ref().to_vec();
        out.extend_from_slice(&buf);
        Ok(out)
    } else {
        let mut iv = [0u8; GCM_IV];
        aws_lc_rs::rand::fill(&mut iv).map_err(|_| ())?;
        let key = LessSafeKey::new(UnboundKey::new(gcm_algorithm(alg), key).map_err(|_| ())?);
        let mut buf = plaintext.to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(iv), Aad::empty(), &mut buf)
            .map_err(|_| ())?;
        let mut out = iv.to_vec();
        out.extend_from_slice(&buf);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_round_trips_and_a_flipped_byte_fails() {
        for alg in DataAlgorithm::ALL {
            let key = vec![7u8; alg.key_len()];
            for len in [0usize, 1, 15, 16, 17, 100] {
                let plain = vec![b'x'; len];
                let mut data = encrypt(alg, &key, &plain).unwrap();
                assert_eq!(decrypt(alg, &key, &data).unwrap().as_slice(), plain.as_slice());
                if !alg.is_cbc() {
                    let last = data.len() - 1;
                    data[last] ^= 1;
                    assert!(decrypt(alg, &key, &data).is_err(), "{alg:?} tag");
                }
            }
        }
    }

    #[test]
    fn cbc_iso10126_padding_only_the_last_byte_counts() {
        let key = [1u8; 16];
        // Random-looking padding bytes with a count of 5, as ISO 10126 allows.
        let mut padded = b"hello world".to_vec();
        padded.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 5]);
        let enc =
            EncryptingKey::cbc(UnboundCipherKey::new(&cipher::AES_128, &key).unwrap()).unwrap();
        let ctx = enc.encrypt(&mut padded).unwrap();
        let DecryptionContext::Iv128(iv) = ctx else { panic!() };
        let mut data = iv.as_ref().to_vec();
        data.extend_from_slice(&padded);
        assert_eq!(
            decrypt(DataAlgorithm::Aes128Cbc, &key, &data).unwrap().as_slice(),
            b"hello world"
        );
    }

    #[test]
    fn cbc_bad_padding_and_short_input_fail() {
        let key = [1u8; 16];
        for count in [0u8, 17, 200] {
            let mut block = [0u8; 16];
            block[15] = count;
            let enc =
                EncryptingKey::cbc(UnboundCipherKey::new(&cipher::AES_128, &key).unwrap()).unwrap();
            let DecryptionContext::Iv128(iv) = enc.encrypt(&mut block).unwrap() else { panic!() };
            let mut data = iv.as_ref().to_vec();
            data.extend_from_slice(&block);
            assert!(decrypt(DataAlgorithm::Aes128Cbc, &key, &data).is_err(), "count {count}");
        }
        assert!(decrypt(DataAlgorithm::Aes128Cbc, &key, &[0u8; 16]).is_err());
        assert!(decrypt(DataAlgorithm::Aes128Cbc, &key, &[0u8; 40]).is_err());
        assert!(decrypt(DataAlgorithm::Aes128Gcm, &key, &[0u8; 20]).is_err());
        assert!(decrypt(DataAlgorithm::Aes256Gcm, &key, &[0u8; 40]).is_err(), "wrong key length");
    }
}
