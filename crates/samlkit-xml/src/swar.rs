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
