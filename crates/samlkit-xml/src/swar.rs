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
            }
        }
    }
}
