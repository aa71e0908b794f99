//! The registry's map (hashed lookups, ordered listings), and a sort-based
//! duplicate finder.
//!
//! [`OrderedMap`] holds every map of the registry: accounts, and each
//! account's deployments and routers. Routing looks a name up on every
//! request, so lookups are hashed (O(1), with [`FastHasher`]); listings are
//! in name order (SPEC T2), so the keys are also kept in a B-tree; creating
//! or deleting one entry is O(log n) whatever its place in the order.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap, btree_map};
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::mem;

/// A map with O(1) lookups and iteration in key order.
///
/// Values live in a slab (`slots`), each at a position that never changes
/// while the entry exists; `index` (a hash map) finds a key's position for
/// lookups, `order` (a B-tree) lists the positions in key order. Insertion
/// and removal are O(log n) (the B-tree) plus amortized O(1) (the hash map
/// and the slab); a freed position is reused by the next insertion.
///
/// Positions ([`OrderedMap::position`]) let indexes elsewhere refer to an
/// entry without its key: [`OrderedMap::at`] reads it with no hashing.
///
/// Determinism: nothing observable depends on the hash map's iteration
/// order. Every iteration goes through `order`, and the hasher is fixed (no
/// per-process random keys).
#[derive(Clone)]
pub(crate) struct OrderedMap<K, V> {
    /// Each key's position in `slots`.
    index: HashMap<K, usize, BuildHasherDefault<FastHasher>>,
    /// The same keys and positions, in key order.
    order: BTreeMap<K, usize>,
    /// `Some` at the positions in `index`, `None` at those in `free`.
    slots: Vec<Option<V>>,
    /// Positions of removed entries, reused first.
    free: Vec<usize>,
}

/// The FxHash function (as in rustc's `rustc-hash`: rotate, xor a word,
/// multiply), then the SplitMix64 finalizer, so that every input bit
/// reaches the low bits that pick a hash-table bucket (a multiply alone
/// only carries bits upward).
///
/// Not resistant to chosen collisions, which is fine here: the hashed keys
/// are IDs of resources the registry holds, and a request's name is only
/// looked up, never inserted (many colliding IDs would slow lookups in their
/// own account's map, never make them wrong). Deterministic: no random keys.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FastHasher {
    hash: u64,
}

impl FastHasher {
    /// FxHash's multiplier (from the golden ratio, odd).
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FastHasher::SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let len = bytes.len();
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(word_at(chunk, 0));
        }
        // The last 1 to 7 bytes: the last 8 bytes of a longer input
        // (overlapping the words already added, no copy), else byte by
        // byte. With the length mixed in, equal hashes need equal inputs.
        let rest = chunks.remainder();
        if rest.is_empty() {
            return;
        }
        let tail = if len >= 8 {
            word_at(bytes, len - 8)
        } else {
            rest.iter()
                .rev()
                .fold(0, |word, &b| (word << 8) | u64::from(b))
        };
        self.add(tail ^ ((rest.len() as u64) << 59));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        crate::strategy::affinity::mix64(self.hash)
    }
}

/// The 8 bytes of `bytes` at `at`, little-endian (0 past the end: never
/// asked for by [`FastHasher::write`]).
fn word_at(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

impl<K: Ord + Hash + Clone, V> OrderedMap<K, V> {
    /// An empty map.
    pub(crate) fn new() -> OrderedMap<K, V> {
        OrderedMap {
            index: HashMap::default(),
            order: BTreeMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// The value of `key`, if any. O(1).
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + Hash + ?Sized,
    {
        let &i = self.index.get(key)?;
        self.slots.get(i)?.as_ref()
    }

    /// The value of `key`, mutably, if any. O(1).
    pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + Hash + ?Sized,
    {
        let &i = self.index.get(key)?;
        self.slots.get_mut(i)?.as_mut()
    }

    /// True when `key` is in the map. O(1).
    pub(crate) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + Hash + ?Sized,
    {
        self.index.contains_key(key)
    }

    /// Sets the value of `key` and returns the one it replaces, if any.
    /// O(1) to replace; O(log n) plus amortized O(1) to add.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.insert_full(key, value).1
    }

    /// As [`OrderedMap::insert`], also returning the entry's position (see
    /// [`OrderedMap::at`]): a replaced value's position does not change.
    pub(crate) fn insert_full(&mut self, key: K, value: V) -> (usize, Option<V>) {
        if let Some(&i) = self.index.get(&key)
            && let Some(old) = self.slots.get_mut(i).and_then(Option::as_mut)
        {
            return (i, Some(mem::replace(old, value)));
        }
        (self.add(key, value), None)
    }

    /// The position of `key`'s value, if any: it stays the same until the
    /// key is removed (a later key may then take it). O(1).
    pub(crate) fn position<Q>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
        Q: Ord + Hash + ?Sized,
    {
        self.index.get(key).copied()
    }

    /// Adds a key known to be missing; returns its position.
    fn add(&mut self, key: K, value: V) -> usize {
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(value);
                i
            }
            None => {
                self.slots.push(Some(value));
                self.slots.len() - 1
            }
        };
        self.order.insert(key.clone(), i);
        self.index.insert(key, i);
        i
    }

    /// Removes `key` and returns its value, if it was present. O(log n).
    #[cfg(test)]
    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + Hash + ?Sized,
    {
        self.remove_full(key).map(|(_, v)| v)
    }

    /// Removes `key` and returns the position and value it had, if it was
    /// present. O(log n).
    pub(crate) fn remove_full<Q>(&mut self, key: &Q) -> Option<(usize, V)>
    where
        K: Borrow<Q>,
        Q: Ord + Hash + ?Sized,
    {
        let i = self.index.remove(key)?;
        self.order.remove(key);
        self.free.push(i);
        Some((i, self.slots.get_mut(i)?.take()?))
    }

    /// The position of `key`'s value, inserting `V::default()` (and a clone
    /// of `key`) first when it is missing.
    pub(crate) fn position_or_insert_default(&mut self, key: &K) -> usize
    where
        V: Default,
    {
        match self.index.get(key) {
            Some(&i) => i,
            None => self.add(key.clone(), V::default()),
        }
    }

    /// The value of `key`, inserting `V::default()` (and a clone of `key`)
    /// first when it is missing. Like `BTreeMap`'s `entry(k).or_default()`,
    /// but clones the key only when it inserts.
    pub(crate) fn get_or_insert_default(&mut self, key: &K) -> &mut V
    where
        V: Default,
    {
        let i = self.position_or_insert_default(key);
        // `i` holds a value: found, or just added.
        self.slots[i].get_or_insert_with(V::default)
    }
}

impl<K, V> OrderedMap<K, V> {
    /// The value at `position` (from [`OrderedMap::position`] or
    /// [`OrderedMap::insert_full`]), if an entry is there. O(1), no hashing.
    pub(crate) fn at(&self, position: usize) -> Option<&V> {
        self.slots.get(position)?.as_ref()
    }

    /// The value at `position`, mutably, if an entry is there. O(1).
    pub(crate) fn at_mut(&mut self, position: usize) -> Option<&mut V> {
        self.slots.get_mut(position)?.as_mut()
    }

    /// The entries with their positions, in key order (for tests of
    /// indexes that hold positions).
    #[cfg(test)]
    pub(crate) fn iter_positions(&self) -> impl Iterator<Item = (&K, usize, &V)> + '_ {
        self.order
            .iter()
            .filter_map(|(k, &i)| Some((k, i, self.slots.get(i)?.as_ref()?)))
    }

    /// The values, in key order.
    pub(crate) fn values(&self) -> Values<'_, K, V> {
        Values {
            order: self.order.values(),
            slots: &self.slots,
        }
    }

    /// The entries, in key order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = (&K, &V)> + '_ {
        self.order.keys().zip(self.values())
    }
}

/// Not needed by the crate so far; for the tests.
#[cfg(test)]
impl<K, V> OrderedMap<K, V> {
    /// The keys, ascending.
    pub(crate) fn keys(&self) -> btree_map::Keys<'_, K, usize> {
        self.order.keys()
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    /// True when the map has no entries.
    pub(crate) fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// The values of an [`OrderedMap`], in key order (empty by default).
#[derive(Debug, Clone)]
pub(crate) struct Values<'a, K, V> {
    order: btree_map::Values<'a, K, usize>,
    slots: &'a [Option<V>],
}

impl<'a, K, V> Iterator for Values<'a, K, V> {
    type Item = &'a V;

    fn next(&mut self) -> Option<&'a V> {
        let &i = self.order.next()?;
        self.slots.get(i)?.as_ref()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.order.size_hint()
    }
}

impl<K, V> ExactSizeIterator for Values<'_, K, V> {}

impl<K, V> Default for Values<'_, K, V> {
    fn default() -> Self {
        Values {
            order: btree_map::Values::default(),
            slots: &[],
        }
    }
}

impl<K: Ord + Hash + Clone, V> Default for OrderedMap<K, V> {
    fn default() -> OrderedMap<K, V> {
        OrderedMap::new()
    }
}

/// Formats like `BTreeMap`: `{k: v, ...}` in key order.
impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for OrderedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// A sort key of up to two parts (for a resource name: account and ID; a
/// one-part key leaves the first empty) and the item's position in its list.
pub(crate) type Keyed<'a> = (&'a str, &'a str, usize);

/// Sorts `keys` by key, then by position, and returns the position of the
/// first item, in list order, whose key an earlier item already has.
///
/// O(n log n) time, no allocation: checks for duplicate names keep their
/// list-order error reporting without a throwaway set. The keys end in a
/// position, so they are distinct and an unstable sort orders them exactly.
pub(crate) fn sort_find_repeat(keys: &mut [Keyed<'_>]) -> Option<usize> {
    sort_keyed(keys);
    keys.windows(2)
        .filter_map(|w| match w {
            [a, b] if (a.0, a.1) == (b.0, b.1) => Some(b.2),
            _ => None,
        })
        .min()
}

/// Sorts `keys` by key, then by position: the one sort of names in the
/// crate (one copy of the sort code in the WebAssembly module).
pub(crate) fn sort_keyed(keys: &mut [Keyed<'_>]) {
    keys.sort_unstable_by(|a, b| {
        #[cfg(test)]
        SORT_COMPARISONS.with(|c| c.set(c.get() + 1));
        a.cmp(b)
    });
}

#[cfg(test)]
thread_local! {
    /// Key comparisons made by [`sort_find_repeat`] on this thread, so that
    /// tests can check its cost by counting instead of timing.
    pub(crate) static SORT_COMPARISONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// SplitMix64: a fixed-seed generator for the randomized tests.
    struct Mix(u64);

    impl Mix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn pairs(m: &OrderedMap<u32, u32>) -> Vec<(u32, u32)> {
        m.iter().map(|(&k, &v)| (k, v)).collect()
    }

    #[test]
    fn iterates_in_key_order() {
        let mut m = OrderedMap::new();
        for k in [5u32, 1, 9, 3, 7] {
            assert_eq!(m.insert(k, k * 10), None);
        }
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), [1, 3, 5, 7, 9]);
        assert_eq!(
            m.values().copied().collect::<Vec<_>>(),
            [10, 30, 50, 70, 90]
        );
        assert_eq!(m.iter().len(), 5);
        assert_eq!(format!("{m:?}"), "{1: 10, 3: 30, 5: 50, 7: 70, 9: 90}");
    }

    #[test]
    fn insert_replace_get_remove() {
        let mut m: OrderedMap<u32, &str> = OrderedMap::default();
        assert!(m.is_empty());
        assert_eq!(m.insert(2, "b"), None);
        assert_eq!(m.insert(1, "a"), None);
        assert_eq!(m.insert(2, "B"), Some("b"));
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(&2), Some(&"B"));
        assert_eq!(m.get(&3), None);
        assert!(m.contains_key(&1));
        assert!(!m.contains_key(&0));
        *m.get_mut(&1).unwrap() = "A";
        assert_eq!(m.get_mut(&4), None);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(m.insert_full(1, "x"), (m.position(&1).unwrap(), Some("A")));
        *m.at_mut(m.position(&2).unwrap()).unwrap() = "x";
        assert_eq!(m.values().copied().collect::<Vec<_>>(), ["x", "x"]);
        assert_eq!(m.remove(&1), Some("x"));
        assert_eq!(m.remove(&1), None);
        assert_eq!(m.remove(&9), None);
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), [2]);
        assert_eq!(m.remove_full(&2), Some((0, "x")));
        assert_eq!(m.at(0), None);
        assert!(m.is_empty());
    }

    #[test]
    fn borrowed_lookups() {
        let mut m: OrderedMap<String, u8> = OrderedMap::new();
        m.insert("b".to_owned(), 2);
        m.insert("a".to_owned(), 1);
        assert_eq!(m.get("a"), Some(&1));
        assert!(m.contains_key("b"));
        assert_eq!(m.remove("b"), Some(2));
        assert_eq!(m.get("b"), None);
    }

    #[test]
    fn get_or_insert_default_inserts_once_in_order() {
        let mut m: OrderedMap<String, Vec<u8>> = OrderedMap::new();
        m.get_or_insert_default(&"m".to_owned()).push(1);
        m.get_or_insert_default(&"a".to_owned()).push(2);
        m.get_or_insert_default(&"m".to_owned()).push(3);
        m.get_or_insert_default(&"z".to_owned());
        assert_eq!(
            m.iter()
                .map(|(k, v)| (k.as_str(), v.as_slice()))
                .collect::<Vec<_>>(),
            [("a", &[2u8][..]), ("m", &[1, 3]), ("z", &[])]
        );
    }

    /// Removed entries' positions are reused, and the order stays by key
    /// whatever the positions.
    #[test]
    fn removed_positions_are_reused_in_key_order() {
        let mut m = OrderedMap::new();
        for k in (0..100u32).rev() {
            m.insert(k, k);
        }
        for k in (0..100u32).step_by(2) {
            assert_eq!(m.remove(&k), Some(k));
        }
        for k in 100..150u32 {
            m.insert(k, k);
        }
        assert_eq!(m.slots.len(), 100, "freed positions reused");
        assert!(m.free.is_empty());
        let want: Vec<u32> = (1..100).step_by(2).chain(100..150).collect();
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), want);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), want);
        assert_eq!(m.values().len(), want.len());
        for k in &want {
            assert_eq!(m.get(k), Some(k));
        }
    }

    /// The hasher tells apart keys that differ only by trailing zeros or
    /// length, and spreads short IDs over the low (bucket) bits.
    #[test]
    fn fast_hasher_separates_similar_keys() {
        let hash = |s: &str| {
            let mut h = FastHasher::default();
            s.hash(&mut h);
            h.finish()
        };
        assert_ne!(hash("ab"), hash("ab\0"));
        assert_ne!(hash(""), hash("\0"));
        assert_ne!(hash("abcdefgh"), hash("abcdefgh\0"));
        let low: std::collections::BTreeSet<u64> = (0..1000)
            .map(|i| hash(&format!("r{i:06}")) & 1023)
            .collect();
        assert!(low.len() > 550, "{} distinct buckets of 1024", low.len());
    }

    /// Random operations on a `OrderedMap` and a `BTreeMap` agree at every step.
    #[test]
    fn matches_btreemap_on_random_operations() {
        let mut rng = Mix(0x5eed);
        for round in 0..50 {
            let mut ours = OrderedMap::new();
            let mut theirs = BTreeMap::new();
            let span = 1 + rng.below(200);
            for _ in 0..400 {
                let key = u32::try_from(rng.below(span)).unwrap();
                let value = u32::try_from(rng.below(1000)).unwrap();
                match rng.below(4) {
                    0 | 1 => assert_eq!(ours.insert(key, value), theirs.insert(key, value)),
                    2 => assert_eq!(ours.remove(&key), theirs.remove(&key)),
                    _ => {
                        assert_eq!(ours.get(&key), theirs.get(&key));
                        assert_eq!(ours.contains_key(&key), theirs.contains_key(&key));
                    }
                }
            }
            assert_eq!(
                pairs(&ours),
                theirs.iter().map(|(&k, &v)| (k, v)).collect::<Vec<_>>(),
                "round {round}"
            );
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        }
    }

    fn first_repeat_brute(items: &[(&str, &str)]) -> Option<usize> {
        let mut seen = BTreeSet::new();
        items.iter().position(|item| !seen.insert(item))
    }

    #[test]
    fn sort_find_repeat_reports_the_first_repeat_in_list_order() {
        let cases: [&[(&str, &str)]; 6] = [
            &[],
            &[("", "a")],
            &[("", "a"), ("", "b"), ("", "c")],
            &[("", "a"), ("", "b"), ("", "b"), ("", "a")],
            &[("x", "a"), ("y", "a"), ("x", "b"), ("y", "a")],
            &[("", "c"), ("", "a"), ("", "c"), ("", "c"), ("", "a")],
        ];
        let expected = [None, None, None, Some(2), Some(3), Some(2)];
        for (items, want) in cases.iter().zip(expected) {
            let mut keys: Vec<Keyed<'_>> = items
                .iter()
                .enumerate()
                .map(|(i, &(a, b))| (a, b, i))
                .collect();
            assert_eq!(sort_find_repeat(&mut keys), want, "{items:?}");
            assert_eq!(first_repeat_brute(items), want, "{items:?}");
            // Sorted by key, then position.
            assert!(keys.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn sort_find_repeat_matches_a_set_on_random_lists() {
        const NAMES: [&str; 6] = ["a", "b", "c", "ab", "a-b", ""];
        let mut rng = Mix(7);
        for _ in 0..500 {
            let len = usize::try_from(rng.below(12)).unwrap();
            let items: Vec<(&str, &str)> = (0..len)
                .map(|_| {
                    let a = NAMES[usize::try_from(rng.below(3)).unwrap()];
                    let b = NAMES[usize::try_from(rng.below(6)).unwrap()];
                    (a, b)
                })
                .collect();
            let mut keys: Vec<Keyed<'_>> = items
                .iter()
                .enumerate()
                .map(|(i, &(a, b))| (a, b, i))
                .collect();
            assert_eq!(
                sort_find_repeat(&mut keys),
                first_repeat_brute(&items),
                "{items:?}"
            );
        }
    }
}
