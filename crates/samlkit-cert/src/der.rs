//! Just enough DER to tell key formats apart and to wrap a SEC1 EC key or an EC public point.
//! Full parsing is left to `rsa`/`pkcs8`, `ring` and `x509-parser`; this only walks
//! tag-length-value headers, and never panics on malformed input.

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
/// `[0]` constructed, context-specific (SEC1 `parameters`).
pub(crate) const TAG_CONTEXT_0: u8 = 0xa0;

/// DER encodings of the object identifiers we compare against (content octets only).
pub(crate) mod oid {
    /// 1.2.840.113549.1.1.1 rsaEncryption
    pub(crate) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// 1.2.840.10045.2.1 id-ecPublicKey
    pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// 1.2.840.10045.3.1.7 prime256v1 (P-256)
    pub(crate) const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// 1.3.132.0.34 secp384r1 (P-384)
    pub(crate) const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
}

/// One tag-length-value element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
}

/// Reads the element at the start of `input`; returns it and the bytes after it.
pub(crate) fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let (len_bytes, after) = rest.split_at_checked(count)?;
        rest = after;
        len_bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    let (content, after) = rest.split_at_checked(len)?;
    Some((Tlv { tag, content }, after))
}

/// The elements inside a constructed value, stopping at the first malformed one.
pub(crate) fn children(mut content: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    while let Some((tlv, rest)) = read_tlv(content) {
        out.push(tlv);
        content = rest;
    }
    out
}

/// The elements of the outer SEQUENCE of `der` (which must span all of `der`).
pub(crate) fn sequence_children(der: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let (outer, rest) = read_tlv(der)?;
    (outer.tag == TAG_SEQUENCE && rest.is_empty()).then(|| children(outer.content))
}

/// Appends one DER element.
pub(crate) fn write_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = &bytes[skip..];
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
}

/// Convenience: one element as a fresh vector.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    write_tlv(&mut out, tag, content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 70_000] {
            let content = vec![7u8; len];
            let encoded = tlv(TAG_OCTET_STRING, &content);
            let (parsed, rest) = read_tlv(&encoded).unwrap();
            assert_eq!(parsed.tag, TAG_OCTET_STRING);
            assert_eq!(parsed.content.len(), len);
            assert!(rest.is_empty());
        }
    }

    #[test]
    fn truncated_input_is_none_not_a_panic() {
        for input in
            [&[][..], &[0x30], &[0x30, 0x05, 0x00], &[0x30, 0x84], &[0x30, 0x85, 1, 1, 1, 1, 1]]
        {
            assert!(read_tlv(input).is_none(), "{input:?}");
        }
    }
}
