//! [`ExpiringMap`]: what an identity provider keeps per browser (sessions, logins waiting on the
//! login page), bounded in time and in number, so that no amount of traffic grows it.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

/// A map from server-chosen keys (session cookies, login tokens) to values that live for a fixed
/// time from their insertion, holding at most `capacity` of them: inserting into a full map
/// first drops the expired entries, then the oldest ones. Expired entries are never returned.
///
/// Every operation takes `now` (the crate never reads the clock) and costs O(1) amortized: the
/// entries are kept in insertion order next to the map, so the oldest is always at hand.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use samlkit_saml::idp::ExpiringMap;
///
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let mut sessions = ExpiringMap::new(Duration::hours(8), 2);
/// sessions.insert("s1".to_string(), "alice", t0);
/// sessions.insert("s2".to_string(), "bob", t0 + Duration::minutes(1));
/// assert_eq!(sessions.get("s1", t0 + Duration::hours(1)), Some(&"alice"));
/// // Full: a third session pushes out the oldest.
/// sessions.insert("s3".to_string(), "carol", t0 + Duration::minutes(2));
/// assert_eq!(sessions.get("s1", t0 + Duration::minutes(2)), None);
/// // Eight hours after its start a session is gone.
/// assert_eq!(sessions.get("s2", t0 + Duration::hours(8) + Duration::minutes(1)), None);
/// ```
#[derive(Debug)]
pub struct ExpiringMap<V> {
    entries: HashMap<String, Entry<V>>,
    /// Keys by insertion, oldest first; a key removed or re-inserted since leaves a stale item
    /// here (its `created` no longer matches), skipped when reached and compacted in bulk.
    order: VecDeque<(DateTime<Utc>, String)>,
    lifetime: Duration,
    capacity: usize,
}

#[derive(Debug)]
struct Entry<V> {
    created: DateTime<Utc>,
    value: V,
}

impl<V> ExpiringMap<V> {
    /// An empty map whose entries live `lifetime` from their insertion, at most `capacity` of
    /// them (at least one).
    pub fn new(lifetime: Duration, capacity: usize) -> ExpiringMap<V> {
        ExpiringMap {
            entries: HashMap::new(),
            order: VecDeque::new(),
            lifetime,
            capacity: capacity.max(1),
        }
    }

    /// How many entries are held (expired ones included until an insert drops them).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The most entries held at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn live(&self, entry: &Entry<V>, now: DateTime<Utc>) -> bool {
        entry.created + self.lifetime > now
    }

    /// The value under `key`, unless it has expired at `now`.
    pub fn get(&self, key: &str, now: DateTime<Utc>) -> Option<&V> {
        self.entries.get(key).filter(|e| self.live(e, now)).map(|e| &e.value)
    }

    /// The value under `key` to change in place (its lifetime still runs from its insertion),
    /// unless it has expired at `now`.
    pub fn get_mut(&mut self, key: &str, now: DateTime<Utc>) -> Option<&mut V> {
        let lifetime = self.lifetime;
        self.entries.get_mut(key).filter(|e| e.created + lifetime > now).map(|e| &mut e.value)
    }

    /// Takes the value under `key` out, unless it has expired at `now` (an expired one is
    /// dropped and `None` returned).
    pub fn remove(&mut self, key: &str, now: DateTime<Utc>) -> Option<V> {
        let entry = self.entries.remove(key)?;
        self.compact_order();
        self.live(&entry, now).then_some(entry.value)
    }

    /// Stores `value` under `key` from `now` (replacing any value there), after dropping the
    /// entries expired at `now` and, if the map is still full, the oldest ones.
    pub fn insert(&mut self, key: String, value: V, now: DateTime<Utc>) {
        self.entries.remove(&key);
        self.drop_oldest(|map, created| {
            created + map.lifetime <= now || map.entries.len() >= map.capacity
        });
        self.order.push_back((now, key.clone()));
        self.entries.insert(key, Entry { created: now, value });
        self.compact_order();
    }

    /// Drops entries from the oldest on while `drop(self, created)` says so.
    fn drop_oldest(&mut self, drop: impl Fn(&Self, DateTime<Utc>) -> bool) {
        while let Some((created, key)) = self.order.front() {
            let current = self.entries.get(key).is_some_and(|e| e.created == *created);
            if current && !drop(self, *created) {
                break;
            }
            if current {
                self.entries.remove(key);
            }
            self.order.pop_front();
        }
    }

    /// Keeps the order queue at most about twice the map: stale items (removed or re-inserted
    /// keys) are cleared out in one pass once they outnumber the live ones.
    fn compact_order(&mut self) {
        if self.order.len() > 2 * self.entries.len() + 16 {
            let entries = &self.entries;
            self.order
                .retain(|(created, key)| entries.get(key).is_some_and(|e| e.created == *created));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(seconds)
    }

    #[test]
    fn removed_and_replaced_keys_do_not_pile_up_in_the_order_queue() {
        let mut map = ExpiringMap::new(Duration::hours(1), 10);
        for i in 0..1000 {
            map.insert(format!("k{i}"), i, t(i));
            assert_eq!(map.remove(&format!("k{i}"), t(i)), Some(i));
            map.insert("same".to_string(), i, t(i));
        }
        assert_eq!(map.len(), 1);
        assert!(map.order.len() <= 2 * map.len() + 16, "{} queued", map.order.len());
    }
}
