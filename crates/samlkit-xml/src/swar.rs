//! Word-at-a-time byte scanning (8 bytes per step, safe code): the hot loops that check for
//! invalid characters and look for bytes to escape skip clean words without per-byte branches.

pub(crate) const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Reads 8 bytes at `i` (the caller guarantees `i + 8 <= bytes.len()`).
#[inline(always)]
pub(crate) fn word(bytes: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[i..i + 8]);
    u64::from_le_bytes(w)
}

/// Non-zero iff some byte of `w` equals `b`.
#[inline(always)]
pub(crate) fn has_byte(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * b as u64);
    x.wrapping_sub(LO) & !x & HI
}

/// Non-zero iff some byte of `w` is below `n` (`n <= 128`).
#[inline(always)]
pub(crate) fn has_less(w: u64, n: u8) -> u64 {
    w.wrapping_sub(LO * n as u64) & !w & HI
}

/// Non-zero iff some byte of `w` is strictly between `m` and `n` (`m <= 127`, `n <= 128`).
#[inline(always)]
pub(crate) fn has_between(w: u64, m: u8, n: u8) -> u64 {
    let low7 = w & (LO * 127);
    (LO * (127 + n as u64)).wrapping_sub(low7) & !w & low7.wrapping_add(LO * (127 - m as u64)) & HI
}

/// How far a search looks a word at a time before handing over to `memchr` (vector code): a
/// call into `memchr` costs more than the search itself when the byte is near, as it is in
/// names, attribute values, most texts and the rest of a tag.
const NEAR: usize = 64;

/// The index of the first byte equal to `b` (`memchr` without a call when it is near).
#[inline(always)]
pub(crate) fn find_byte(bytes: &[u8], b: u8) -> Option<usize> {
    find_any(bytes, &[b])
}

/// The index of the first byte equal to one of `needles` (one to three of them: `memchr`,
/// `memchr2`, `memchr3` without a call when the byte is near).
#[inline(always)]
pub(crate) fn find_any(bytes: &[u8], needles: &[u8]) -> Option<usize> {
    let near = bytes.len().min(NEAR);
    let mut i = 0;
    while i + 8 <= near {
        let w = word(bytes, i);
        let m = needles.iter().fold(0, |m, &n| m | has_byte(w, n));
        if m != 0 {
            // The lowest flagged byte is always a true match (false flags only sit above one).
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    if bytes.len() <= NEAR {
        return bytes[i..].iter().position(|c| needles.contains(c)).map(|j| i + j);
    }
    let rest = &bytes[i..];
    let found = match *needles {
        [a] => memchr::memchr(a, rest),
        [a, b] => memchr::memchr2(a, b, rest),
        [a, b, c] => memchr::memchr3(a, b, c, rest),
        _ => rest.iter().position(|c| needles.contains(c)),
    };
    found.map(|j| i + j)
}

/// Whether two byte strings are equal, without a call to `memcmp` for the short ones (names:
/// an end tag against its start tag, a name against the one cached in its slot), with two
/// overlapping loads instead of a loop.
#[inline]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => {
            let w = |s: &[u8], i: usize| u32::from_le_bytes([s[i], s[i + 1], s[i + 2], s[i + 3]]);
            w(a, 0) == w(b, 0) && w(a, n - 4) == w(b, n - 4)
        }
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// Byte-wise (code point) order of two byte strings, without a call to `memcmp` when they
/// differ in their first 8 bytes, as attribute names mostly do.
#[inline(always)]
pub(crate) fn cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    // The first (up to) 8 bytes of each, big-endian and zero-padded: comparing them as numbers
    // is comparing the prefixes byte by byte, a shorter prefix first when it matches.
    let head = |s: &[u8]| match s.first_chunk::<8>() {
        Some(w) => u64::from_be_bytes(*w),
        // No copy of a variable length (a call to `memcpy`): shift the few bytes in.
        None => s.iter().enumerate().fold(0u64, |w, (i, &c)| w | (c as u64) << (56 - 8 * i)),
    };
    match head(a).cmp(&head(b)) {
        std::cmp::Ordering::Equal => a.cmp(b),
        unequal => unequal,
    }
}

/// The index of the first byte below `0x21` or equal to one of `needles`. In text that passed
/// [`crate::chars::find_invalid_char`], the bytes below `0x21` are exactly XML's whitespace
/// (space, TAB, LF, CR): this finds the end of a name.
#[inline(always)]
pub(crate) fn find_space_or(bytes: &[u8], needles: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let w = word(bytes, i);
        let m = needles.iter().fold(has_less(w, 0x21), |m, &n| m | has_byte(w, n));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..].iter().position(|c| *c < 0x21 || needles.contains(c)).map(|j| i + j)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word tests against the byte-by-byte truth, for every pair of byte values side by
    /// side (a borrow from one byte into the next is where word tricks go wrong).
    #[test]
    fn word_tests_agree_with_bytes() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let bytes = [b'x', a, b, b'x', b, a, 0x80, b'x'];
                let w = word(&bytes, 0);
                for (m, n) in [(0x0A, 0x0D), (0x0D, 0x20), (0, 128), (127, 128)] {
                    let truth = bytes.iter().any(|&c| c > m && c < n);
                    assert_eq!(has_between(w, m, n) != 0, truth, "{bytes:?} between {m} and {n}");
                }
                for n in [0x09, 0x0E, 0x20] {
                    let truth = bytes.iter().any(|&c| c < n);
                    assert_eq!(has_less(w, n) != 0, truth, "{bytes:?} below {n}");
                }
                let truth = bytes.contains(&0xEF);
                assert_eq!(has_byte(w, 0xEF) != 0, truth, "{bytes:?} has 0xEF");
                for (n, len) in [(a, 8), (b, 8), (a, 5), (b, 3)] {
                    let s = &bytes[8 - len..];
                    assert_eq!(find_byte(s, n), s.iter().position(|&c| c == n), "{s:?} {n}");
                    let truth = s.iter().position(|&c| c < 0x21 || c == n);
                    assert_eq!(find_space_or(s, &[n]), truth, "{s:?} space or {n}");
                    let truth = s.iter().position(|&c| c == n || c == b'"' || c == 0x80);
                    assert_eq!(find_any(s, &[n, b'"', 0x80]), truth, "{s:?} any");
                }
            }
        }
    }

    #[test]
    fn same_agrees_with_equality() {
        let base: Vec<u8> = (1..=40u8).collect();
        for len in 0..=32 {
            let a = &base[..len];
            // A copy, so equal contents are compared, not the same memory.
            let copy = a.to_vec();
            assert!(same(a, &copy), "{len}");
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 0x40;
                assert!(!same(a, &b), "len {len}, differing at {at}");
            }
            assert!(!same(a, &base[..len + 1]), "{len} vs {}", len + 1);
        }
    }

    #[test]
    fn cmp_agrees_with_ord() {
        let words: [&[u8]; 12] = [
            b"",
            b"a",
            b"a\0",
            b"ab",
            b"b",
            b"ID",
            b"Id",
            b"IssueInstant",
            b"IssueInstanu",
            b"Version",
            b"\xff",
            b"abcdefgh\0",
        ];
        for a in words {
            for b in words {
                assert_eq!(cmp(a, b), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }

    /// Searches across the hand-over to `memchr`: every position of the byte, near and far.
    #[test]
    fn finds_agree_with_position_near_and_far() {
        for len in [0, 1, 7, 8, 9, 63, 64, 65, 100, 200] {
            for at in 0..=len {
                let mut s = vec![b'x'; len];
                if at < len {
                    s[at] = b'>';
                }
                let truth = (at < len).then_some(at);
                assert_eq!(find_byte(&s, b'>'), truth, "len {len} at {at}");
                assert_eq!(find_any(&s, b"'>"), truth, "len {len} at {at}");
                assert_eq!(find_any(&s, b"'\">"), truth, "len {len} at {at}");
                assert_eq!(find_space_or(&s, b">"), truth, "len {len} at {at}");
            }
        }
    }
}
