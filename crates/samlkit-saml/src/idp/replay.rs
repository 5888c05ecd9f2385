//! The identity provider's memory of the AuthnRequest IDs it has answered: a [`ReplayCache`]
//! whose size stays bounded under any load.
//!
//! An AuthnRequest ID must be refused a second time for as long as the request itself would be
//! accepted (its IssueInstant inside the freshness window); after that the freshness check
//! refuses the request anyway, so the ID can be forgotten. [`RequestIdCache`] groups IDs by the
//! second they expire in, in slots of ten seconds, and drops a whole slot once every ID in it
//! has expired: forgetting costs nothing per ID and never needs a sweep of the whole cache. Each
//! ID is kept as a fixed 8-byte fingerprint (the start of its SHA-256), so a client sending very
//! long IDs cannot make an entry larger; two different IDs share a fingerprint with a chance of
//! about one in 10^13 per request even with a million IDs held, and then the second is refused
//! as a replay (the safe side). When the cache holds `capacity` live IDs it refuses new
//! requests ([`ErrorKind::ReplayCacheFull`]) rather than forget an ID that could still be
//! replayed: failing closed is the safe side.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use samlkit_dsig::DigestMethod;

use crate::{ErrorKind, ReplayCache, SamlError};

/// Seconds of expiry that share one slot: a slot is dropped at most this long after its last ID
/// expired, and a lookup checks one slot per this many seconds of the freshness window.
const SLOT_SECONDS: i64 = 10;

/// An ID as remembered: the first 8 bytes of its SHA-256.
type Fingerprint = u64;

/// A bounded, self-expiring [`ReplayCache`] for an identity provider's AuthnRequest IDs, safe to
/// share between threads (it locks internally; methods take `&self`).
///
/// An ID is refused while its `expires_at` (rounded up to the second) is after `now`; expired
/// IDs are forgotten in ten-second slots as time passes, so the cache holds about
/// `request rate × freshness window` IDs of 16 bytes each (plus the hash table's overhead),
/// whatever the IDs' lengths. At `capacity` live IDs a new one is refused with
/// [`ErrorKind::ReplayCacheFull`]; a remembered ID is never evicted early.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use samlkit_saml::idp::RequestIdCache;
/// use samlkit_saml::{ErrorKind, ReplayCache};
///
/// let cache = RequestIdCache::with_capacity(2);
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let until = t0 + Duration::minutes(6);
/// cache.check_and_insert("_req1", until, t0)?;
/// let again = cache.check_and_insert("_req1", until, t0 + Duration::minutes(1));
/// assert_eq!(again.unwrap_err().kind(), ErrorKind::Replayed);
/// cache.check_and_insert("_req2", until, t0)?;
/// // Full of live IDs: a third is refused rather than forgetting one.
/// let full = cache.check_and_insert("_req3", until, t0);
/// assert_eq!(full.unwrap_err().kind(), ErrorKind::ReplayCacheFull);
/// // Once they have expired they are forgotten, and there is room again.
/// let later = until + Duration::seconds(20);
/// cache.check_and_insert("_req3", later + Duration::minutes(6), later)?;
/// assert_eq!(cache.len(), 1);
/// # Ok::<(), samlkit_saml::SamlError>(())
/// ```
#[derive(Debug)]
pub struct RequestIdCache {
    slots: Mutex<Slots>,
    capacity: usize,
}

/// The IDs by expiry slot (the key: the slot's first second, Unix time), each with its expiry
/// second; and how many IDs there are in all.
#[derive(Debug, Default)]
struct Slots {
    by_start: BTreeMap<i64, HashMap<Fingerprint, i64>>,
    len: usize,
}

impl Slots {
    /// Drops every slot whose IDs have all expired at `now_second` (an ID is live while its
    /// expiry second is after `now_second`).
    fn forget_expired(&mut self, now_second: i64) {
        while let Some(entry) = self.by_start.first_entry() {
            if entry.key() + SLOT_SECONDS - 1 > now_second {
                break;
            }
            self.len -= entry.remove().len();
        }
    }

    /// The expiry second of `id` if some slot remembers it as live at `now_second`.
    fn live_expiry(&self, id: &Fingerprint, now_second: i64) -> Option<i64> {
        self.by_start
            .values()
            .filter_map(|slot| slot.get(id).copied())
            .find(|expiry| *expiry > now_second)
    }

    fn insert(&mut self, id: Fingerprint, expiry: i64) {
        let start = expiry - expiry.rem_euclid(SLOT_SECONDS);
        // A new slot starts at the size of the newest one, so it does not rehash while it fills.
        let size_hint = self.by_start.last_key_value().map_or(0, |(_, slot)| slot.len());
        let slot = self.by_start.entry(start).or_insert_with(|| HashMap::with_capacity(size_hint));
        if slot.insert(id, expiry).is_none() {
            self.len += 1;
        }
    }
}

impl RequestIdCache {
    /// The default capacity: 2,000,000 live IDs (about 5,000 requests a second for the six
    /// minutes of a five-minute freshness window plus a minute of skew; at most about 70 MB).
    pub const DEFAULT_CAPACITY: usize = 2_000_000;

    /// An empty cache for up to [`RequestIdCache::DEFAULT_CAPACITY`] live IDs.
    pub fn new() -> RequestIdCache {
        RequestIdCache::with_capacity(RequestIdCache::DEFAULT_CAPACITY)
    }

    /// An empty cache for up to `max_live_ids` live IDs (at least one).
    pub fn with_capacity(max_live_ids: usize) -> RequestIdCache {
        RequestIdCache { slots: Mutex::new(Slots::default()), capacity: max_live_ids.max(1) }
    }

    /// How many IDs are held: the live ones, and expired ones whose slot has not been dropped
    /// yet (at most ten seconds' worth).
    pub fn len(&self) -> usize {
        self.lock().len
    }

    /// True when no ID is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The slots, even if another thread panicked while holding the lock: each update leaves
    /// them consistent (`len` changes together with the slot it counts).
    fn lock(&self) -> MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for RequestIdCache {
    fn default() -> RequestIdCache {
        RequestIdCache::new()
    }
}

/// `instant` in whole seconds, rounded up: an ID is remembered to the end of its last second.
fn ceil_second(instant: DateTime<Utc>) -> i64 {
    instant.timestamp() + i64::from(instant.timestamp_subsec_nanos() > 0)
}

fn fingerprint(id: &str) -> Fingerprint {
    let digest = DigestMethod::Sha256.digest(id.as_bytes());
    let mut start = [0u8; 8];
    for (slot, byte) in start.iter_mut().zip(digest) {
        *slot = byte;
    }
    u64::from_be_bytes(start)
}

impl ReplayCache for RequestIdCache {
    fn check_and_insert(
        &self,
        request_id: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), SamlError> {
        let id = fingerprint(request_id);
        let now_second = now.timestamp();
        let expiry = ceil_second(expires_at);
        let mut slots = self.lock();
        slots.forget_expired(now_second);
        if let Some(until) = slots.live_expiry(&id, now_second) {
            return Err(SamlError::new(
                ErrorKind::Replayed,
                format!(
                    "the ID {request_id:?} was already used; it is remembered until {}",
                    DateTime::from_timestamp(until, 0)
                        .map_or_else(|| until.to_string(), crate::format_instant)
                ),
            ));
        }
        if expiry <= now_second {
            // Already expired: nothing to remember (the caller's freshness check refuses it).
            return Ok(());
        }
        if slots.len >= self.capacity {
            return Err(SamlError::new(
                ErrorKind::ReplayCacheFull,
                format!(
                    "the request ID cache holds {} IDs that could still be replayed, its capacity; refusing rather than forgetting one",
                    slots.len
                ),
            ));
        }
        slots.insert(id, expiry);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(seconds)
    }

    #[test]
    fn ceil_second_rounds_up_only_fractions() {
        assert_eq!(ceil_second(t(5)), t(5).timestamp());
        assert_eq!(ceil_second(t(5) + Duration::milliseconds(1)), t(6).timestamp());
    }

    #[test]
    fn a_slot_goes_only_when_its_last_second_has_passed() {
        let mut slots = Slots::default();
        // Slot [t(100), t(110)): expiries t(100) and t(109).
        slots.insert(fingerprint("_a"), t(100).timestamp());
        slots.insert(fingerprint("_b"), t(109).timestamp());
        slots.forget_expired(t(108).timestamp());
        assert_eq!(slots.len, 2);
        assert_eq!(slots.live_expiry(&fingerprint("_a"), t(108).timestamp()), None, "_a expired");
        assert_eq!(
            slots.live_expiry(&fingerprint("_b"), t(108).timestamp()),
            Some(t(109).timestamp())
        );
        slots.forget_expired(t(109).timestamp());
        assert_eq!((slots.len, slots.by_start.len()), (0, 0));
    }
}
