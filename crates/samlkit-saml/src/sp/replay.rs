//! Replay protection: a bearer assertion may log in once. [`ReplayCache`] remembers the IDs of
//! the assertions already accepted for as long as they could still be accepted;
//! [`InMemoryReplayCache`] does it in one process.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use crate::{ErrorKind, SamlError};

/// Remembers which assertions were already used. [`crate::ServiceProvider::verify_post`] takes
/// one and calls [`ReplayCache::check_and_insert`] after every other check has passed, so only
/// genuine, current assertions are ever recorded.
///
/// The method takes `&self` so that one cache can be shared between request handlers; an
/// implementation uses interior mutability (a `Mutex`, or a shared store such as a database with
/// an atomic insert-if-absent). A service running several instances needs a store they share:
/// an assertion refused by one instance must be refused by all.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use samlkit_saml::{ErrorKind, InMemoryReplayCache, ReplayCache};
///
/// let cache = InMemoryReplayCache::new();
/// let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 1, 0).unwrap();
/// let until = now + Duration::minutes(5);
/// cache.check_and_insert("_assertion1", until, now)?;
/// let again = cache.check_and_insert("_assertion1", until, now + Duration::seconds(1));
/// assert_eq!(again.unwrap_err().kind(), ErrorKind::Replayed);
/// // Once the assertion could no longer be accepted anyway, its ID is forgotten.
/// assert!(cache.check_and_insert("_assertion1", until, until + Duration::seconds(1)).is_ok());
/// # Ok::<(), samlkit_saml::SamlError>(())
/// ```
pub trait ReplayCache {
    /// Records `assertion_id` as used until `expires_at`, or refuses it with
    /// [`ErrorKind::Replayed`] when it is already recorded with an `expires_at` after `now`.
    /// Checking and recording must be one atomic step: two concurrent calls with the same ID
    /// must not both succeed.
    fn check_and_insert(
        &self,
        assertion_id: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), SamlError>;
}

/// A [`ReplayCache`] in this process's memory, safe to share between threads (behind an `Arc`,
/// or in a web framework's shared state).
///
/// It holds at most a fixed number of live entries ([`InMemoryReplayCache::DEFAULT_CAPACITY`]
/// unless [`InMemoryReplayCache::with_capacity`]); expired entries are dropped as it fills.
/// When every entry is still live and the cache is full, a new assertion is refused with
/// [`ErrorKind::ReplayCacheFull`] rather than forgetting an ID that could still be replayed.
#[derive(Debug)]
pub struct InMemoryReplayCache {
    entries: Mutex<HashMap<String, DateTime<Utc>>>,
    capacity: usize,
}

impl InMemoryReplayCache {
    /// The default number of live entries: 100,000 (over 300 logins a second with assertions
    /// valid for five minutes).
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// An empty cache holding up to [`InMemoryReplayCache::DEFAULT_CAPACITY`] live entries.
    pub fn new() -> InMemoryReplayCache {
        InMemoryReplayCache::with_capacity(InMemoryReplayCache::DEFAULT_CAPACITY)
    }

    /// An empty cache holding up to `max_entries` live entries (at least one).
    pub fn with_capacity(max_entries: usize) -> InMemoryReplayCache {
        InMemoryReplayCache { entries: Mutex::new(HashMap::new()), capacity: max_entries.max(1) }
    }

    /// How many entries are held (expired ones included until they are dropped).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The map, even if another thread panicked while holding the lock: every update is a
    /// single insert or retain, so the map is never left half-changed.
    fn lock(&self) -> MutexGuard<'_, HashMap<String, DateTime<Utc>>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for InMemoryReplayCache {
    fn default() -> InMemoryReplayCache {
        InMemoryReplayCache::new()
    }
}

impl ReplayCache for InMemoryReplayCache {
    fn check_and_insert(
        &self,
        assertion_id: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), SamlError> {
        let mut entries = self.lock();
        if let Some(until) = entries.get(assertion_id).filter(|until| **until > now) {
            return Err(SamlError::new(
                ErrorKind::Replayed,
                format!(
                    "the Assertion {assertion_id:?} was already used; it is remembered until {}",
                    crate::format_instant(*until)
                ),
            ));
        }
        if entries.len() >= self.capacity && !entries.contains_key(assertion_id) {
            entries.retain(|_, until| *until > now);
            if entries.len() >= self.capacity {
                return Err(SamlError::new(
                    ErrorKind::ReplayCacheFull,
                    format!(
                        "the replay cache holds {} live assertions, its capacity; refusing rather than forgetting one that could be replayed",
                        entries.len()
                    ),
                ));
            }
        }
        entries.insert(assertion_id.to_string(), expires_at);
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
    fn an_id_is_refused_until_it_expires() {
        let cache = InMemoryReplayCache::new();
        cache.check_and_insert("_a", t(300), t(0)).unwrap();
        for now in [t(0), t(1), t(299)] {
            let err = cache.check_and_insert("_a", t(300), now).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Replayed, "{now}");
            assert!(err.detail().contains("\"_a\""), "{err}");
        }
        cache.check_and_insert("_b", t(300), t(1)).unwrap();
        cache.check_and_insert("_a", t(600), t(300)).unwrap();
        assert_eq!(cache.check_and_insert("_a", t(600), t(301)).unwrap_err().code(), "replayed");
    }

    #[test]
    fn a_full_cache_drops_expired_entries_and_then_refuses_new_ones() {
        let cache = InMemoryReplayCache::with_capacity(2);
        cache.check_and_insert("_a", t(10), t(0)).unwrap();
        cache.check_and_insert("_b", t(100), t(0)).unwrap();
        // _a has expired at t(20): it makes room for _c.
        cache.check_and_insert("_c", t(100), t(20)).unwrap();
        assert_eq!(cache.len(), 2);
        // Both live: _d is refused, and _b is still remembered.
        let err = cache.check_and_insert("_d", t(100), t(30)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ReplayCacheFull);
        assert_eq!(cache.check_and_insert("_b", t(100), t(30)).unwrap_err().code(), "replayed");
        // Later, everything expired: room again.
        cache.check_and_insert("_d", t(300), t(200)).unwrap();
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn concurrent_submissions_of_one_assertion_succeed_once() {
        let cache = std::sync::Arc::new(InMemoryReplayCache::new());
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                std::thread::spawn(move || cache.check_and_insert("_same", t(300), t(0)).is_ok())
            })
            .collect();
        let accepted = handles.into_iter().map(|h| h.join().unwrap()).filter(|ok| *ok).count();
        assert_eq!(accepted, 1);
    }
}
