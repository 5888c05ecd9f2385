//! The hash maps the parser and the canonicalizer key on strings taken from the input
//! (prefixes, namespace URIs, ID values).
//!
//! Those keys are chosen by whoever wrote the document, before any signature has been checked,
//! so the hasher must be keyed with a secret the attacker cannot know: with a fixed, unkeyed
//! hash (an earlier version used an Fx-style multiply–rotate hash) anyone can compute thousands
//! of ID values that all hash alike, and every insertion then probes all the previous ones
//! (a 1.5 MB response of colliding IDs took minutes to parse instead of milliseconds).
//! `std`'s `RandomState` (SipHash-1-3 with per-process random keys) is the well-kept answer.

/// A `HashMap` whose hasher is keyed randomly (HashDoS-resistant).
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V>;

#[cfg(test)]
mod tests {
    use super::FastMap;
    use std::hash::BuildHasher;

    /// ID values computed offline to collide (all 64 bits) under an unkeyed hasher.
    const COLLIDING_UNDER_FX: [&str; 4] =
        ["]CVAs0hTL}LXc|o0", "bMb7LW79(XM6Zk|1", "pL_5ZbNi`?-4S8Xk", "5k`t3TrWMbX5Iv.c"];

    #[test]
    fn precomputed_colliding_keys_do_not_collide() {
        let map: FastMap<&str, u32> = FastMap::default();
        let hashes: Vec<u64> =
            COLLIDING_UNDER_FX.iter().map(|k| map.hasher().hash_one(k)).collect();
        assert!(
            hashes.windows(2).any(|w| w[0] != w[1]),
            "keys an attacker can precompute still collide: {hashes:x?}"
        );
    }
}
