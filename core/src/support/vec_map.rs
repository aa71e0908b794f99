//! A small map on sorted vectors, and a sort-based duplicate finder.
//!
//! [`VecMap`] holds the registry's maps, in the spirit of ICU4X's `litemap`:
//! a binary search over contiguous keys, `Vec::insert` and `Vec::remove`.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::mem;

/// A map kept as keys sorted ascending, without duplicates, and their values
/// at the same positions.
///
/// Lookups are O(log n) binary searches (maps of up to 16 entries, such as
/// an account's routers, are scanned, which routes faster); insertion and
/// removal move O(n) elements, except that inserting a key greater than
/// every key is a push,
/// so loading sorted data is O(n); iteration is in key order. The registry
/// holds at most thousands of resources per account, where this is faster
/// than a B-tree for lookups (keys are contiguous) and small enough for
/// updates. Keys and values live in two vectors so that the search code
/// depends on the key type only, not on each value type.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct VecMap<K, V> {
    /// Sorted ascending, no duplicates.
    keys: Vec<K>,
    /// `values[i]` belongs to `keys[i]`; always as long as `keys`.
    values: Vec<V>,
}

/// Binary search for `key` in sorted `keys`: `Ok(position)` when present,
/// else `Err(position where it would be inserted)`.
fn position<K, Q>(keys: &[K], key: &Q) -> Result<usize, usize>
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    // Short maps (an account's handful of routers) are scanned: no
    // mispredicted halvings, and a hit stops at once.
    if keys.len() <= 16 {
        for (i, k) in keys.iter().enumerate() {
            match k.borrow().cmp(key) {
                Ordering::Less => {}
                Ordering::Equal => return Ok(i),
                Ordering::Greater => return Err(i),
            }
        }
        return Err(keys.len());
    }
    keys.binary_search_by(|k| k.borrow().cmp(key))
}

/// The position of `key` in sorted `keys`, if present: as [`position`], but
/// short maps are scanned for equality, which for strings compares lengths
/// before any bytes (a lookup on every routed request).
fn find<K, Q>(keys: &[K], key: &Q) -> Option<usize>
where
    K: Borrow<Q>,
    Q: Ord + ?Sized,
{
    if keys.len() <= 16 {
        return keys.iter().position(|k| k.borrow() == key);
    }
    keys.binary_search_by(|k| k.borrow().cmp(key)).ok()
}

impl<K: Ord, V> VecMap<K, V> {
    /// An empty map.
    pub(crate) const fn new() -> VecMap<K, V> {
        VecMap {
            keys: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The value of `key`, if any. O(log n).
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        find(&self.keys, key).and_then(|i| self.values.get(i))
    }

    /// The value of `key`, mutably, if any. O(log n).
    pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        find(&self.keys, key).and_then(|i| self.values.get_mut(i))
    }

    /// True when `key` is in the map. O(log n).
    pub(crate) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        find(&self.keys, key).is_some()
    }

    /// Sets the value of `key` and returns the one it replaces, if any.
    ///
    /// O(1) (amortized) for a key greater than every key in the map, else
    /// O(log n) to find it plus O(n) moves for a new key.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        let at = match self.keys.last() {
            Some(last) if key.cmp(last) != Ordering::Greater => position(&self.keys, &key),
            _ => Err(self.keys.len()),
        };
        match at {
            Ok(i) => self.values.get_mut(i).map(|v| mem::replace(v, value)),
            Err(i) => {
                self.keys.insert(i, key);
                self.values.insert(i, value);
                None
            }
        }
    }

    /// Removes `key` and returns its value, if it was present. O(n).
    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let i = find(&self.keys, key)?;
        self.keys.remove(i);
        Some(self.values.remove(i))
    }

    /// The value of `key`, inserting `V::default()` (and a clone of `key`)
    /// first when it is missing. Like `BTreeMap`'s `entry(k).or_default()`,
    /// but clones the key only when it inserts.
    pub(crate) fn get_or_insert_default(&mut self, key: &K) -> &mut V
    where
        K: Clone,
        V: Default,
    {
        let i = match position(&self.keys, key) {
            Ok(i) => i,
            Err(i) => {
                self.keys.insert(i, key.clone());
                self.values.insert(i, V::default());
                i
            }
        };
        // `i` is in range: found, or just inserted.
        &mut self.values[i]
    }
}

impl<K, V> VecMap<K, V> {
    /// The values, in key order.
    pub(crate) fn values(&self) -> std::slice::Iter<'_, V> {
        self.values.iter()
    }

    /// The values, mutably, in key order.
    pub(crate) fn values_mut(&mut self) -> std::slice::IterMut<'_, V> {
        self.values.iter_mut()
    }

    /// The entries, in key order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = (&K, &V)> + '_ {
        self.keys.iter().zip(&self.values)
    }
}

/// Not needed by the crate so far; for the tests.
#[cfg(test)]
impl<K, V> VecMap<K, V> {
    /// The keys, ascending.
    pub(crate) fn keys(&self) -> std::slice::Iter<'_, K> {
        self.keys.iter()
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the map has no entries.
    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl<K: Ord, V> Default for VecMap<K, V> {
    fn default() -> VecMap<K, V> {
        VecMap::new()
    }
}

/// Formats like `BTreeMap`: `{k: v, ...}` in key order.
impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
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
    keys.sort_unstable_by(|a, b| {
        #[cfg(test)]
        SORT_COMPARISONS.with(|c| c.set(c.get() + 1));
        a.cmp(b)
    });
    keys.windows(2)
        .filter_map(|w| match w {
            [a, b] if (a.0, a.1) == (b.0, b.1) => Some(b.2),
            _ => None,
        })
        .min()
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
    use std::cell::Cell;
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

    fn pairs(m: &VecMap<u32, u32>) -> Vec<(u32, u32)> {
        m.iter().map(|(&k, &v)| (k, v)).collect()
    }

    #[test]
    fn iterates_in_key_order() {
        let mut m = VecMap::new();
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
        let mut m: VecMap<u32, &str> = VecMap::default();
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
        for v in m.values_mut() {
            *v = "x";
        }
        assert_eq!(m.values().copied().collect::<Vec<_>>(), ["x", "x"]);
        assert_eq!(m.remove(&1), Some("x"));
        assert_eq!(m.remove(&1), None);
        assert_eq!(m.remove(&9), None);
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), [2]);
        assert_eq!(m.remove(&2), Some("x"));
        assert!(m.is_empty());
    }

    #[test]
    fn borrowed_lookups() {
        let mut m: VecMap<String, u8> = VecMap::new();
        m.insert("b".to_owned(), 2);
        m.insert("a".to_owned(), 1);
        assert_eq!(m.get("a"), Some(&1));
        assert!(m.contains_key("b"));
        assert_eq!(m.remove("b"), Some(2));
        assert_eq!(m.get("b"), None);
    }

    #[test]
    fn get_or_insert_default_inserts_once_in_order() {
        let mut m: VecMap<String, Vec<u8>> = VecMap::new();
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

    /// A key that counts the comparisons made on it.
    #[derive(Debug)]
    struct Counted<'a>(u32, &'a Cell<usize>);

    impl PartialEq for Counted<'_> {
        fn eq(&self, other: &Self) -> bool {
            self.cmp(other) == Ordering::Equal
        }
    }
    impl Eq for Counted<'_> {}
    impl PartialOrd for Counted<'_> {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Counted<'_> {
        fn cmp(&self, other: &Self) -> Ordering {
            self.1.set(self.1.get() + 1);
            self.0.cmp(&other.0)
        }
    }

    #[test]
    fn ascending_inserts_are_pushes() {
        let compares = Cell::new(0);
        let mut m = VecMap::new();
        for k in 0..1000u32 {
            assert_eq!(m.insert(Counted(k, &compares), k), None);
        }
        // One comparison with the last key each, no binary search.
        assert_eq!(compares.get(), 999);
        assert_eq!(
            m.keys().map(|k| k.0).collect::<Vec<_>>(),
            (0..1000).collect::<Vec<_>>()
        );
        // A key not above the last one is searched for: about log2(1000).
        compares.set(0);
        assert_eq!(m.insert(Counted(500, &compares), 7), Some(500));
        assert!((2..=12).contains(&compares.get()), "{}", compares.get());
        assert_eq!(m.len(), 1000);
        assert_eq!(m.values().nth(500), Some(&7));
    }

    /// Random operations on a `VecMap` and a `BTreeMap` agree at every step.
    #[test]
    fn matches_btreemap_on_random_operations() {
        let mut rng = Mix(0x5eed);
        for round in 0..50 {
            let mut ours = VecMap::new();
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
