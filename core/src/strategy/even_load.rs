//! `even-load` (SPEC R8): the caller's in-flight counts and the pick that
//! balances them per replica.

use std::sync::atomic::{AtomicU64, Ordering};

use rand_core::Rng;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::names::{ResourceName, parse_full};
use crate::selection::{WeightedSelector, below};

/// In-flight request counts per deployment, held by the caller for
/// `even-load` routers (SPEC R8).
///
/// Like the round-robin cursor, this is state the caller owns, so the
/// registry stays stateless and one registry serves many gateway threads. A
/// tracker covers a fixed set of deployments, given when it is made
/// ([`LoadTracker::new`], or [`Registry::load_tracker`](crate::Registry::load_tracker)
/// for a router's deployments). The counts are atomics: a tracker is `Sync`
/// and every method takes `&self`, so threads share one tracker (by `&` or in
/// an `Arc`) without a lock. A gateway calls [`started`](Self::started) when
/// it sends a request to the routed deployment and
/// [`finished`](Self::finished) when the response is complete.
///
/// A tracker made for a router ([`Registry::load_tracker`](crate::Registry::load_tracker),
/// or [`LoadTracker::new`] over the router's deployments in the router's
/// order) reads its counts by position when routing to that router, with no
/// name comparison; any other tracker is read by name, with the same result.
///
/// ```
/// use replica_router::{DeploymentSpec, Registry, RouteRequest, RouterSpec, Strategy};
///
/// let mut reg = Registry::new("my-account", 42)?;
/// reg.create_deployment(DeploymentSpec::new("m").id("big").replicas(4, 4))?;
/// reg.create_deployment(DeploymentSpec::new("m").id("small").replicas(2, 2))?;
/// reg.create_router(RouterSpec::new(["big", "small"]).id("r").strategy(Strategy::EvenLoad))?;
/// let load = reg.load_tracker("r")?;
/// load.set("accounts/my-account/deployments/big", 8)?; // 2 per replica
/// load.set("accounts/my-account/deployments/small", 1)?; // 0.5 per replica
/// let request = RouteRequest::new("r", "my-account").load(&load);
/// let picked = reg.route_request(&request)?.deployment.to_string();
/// assert_eq!(picked, "accounts/my-account/deployments/small");
/// load.started(&picked)?;
/// assert_eq!(load.in_flight(&picked)?, 2);
/// load.finished(&picked)?;
/// # Ok::<(), replica_router::Error>(())
/// ```
#[derive(Debug)]
pub struct LoadTracker {
    /// Sorted, distinct.
    deployments: Vec<ResourceName>,
    /// One count per deployment, in the order given to [`LoadTracker::new`]
    /// (a repeat keeps its first place): a router's order for a tracker made
    /// for the router.
    counts: Box<[AtomicU64]>,
    /// `by_name[k]` is the index in `counts` of `deployments[k]`.
    by_name: Box<[u32]>,
    /// The fingerprint of the deployments in the order given to
    /// [`LoadTracker::new`] (repeats included).
    fingerprint: Fingerprint,
}

impl Default for LoadTracker {
    /// A tracker over no deployments.
    fn default() -> LoadTracker {
        LoadTracker::new([])
    }
}

/// SHA-256 of a deployment list in order, each name's parts length-prefixed:
/// equal fingerprints mean equal lists (no SHA-256 collision is known), so a
/// pick whose router and tracker fingerprints match reads counts by position
/// with the same result as by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The fingerprint of `deployments`, in order.
    ///
    /// # Performance
    /// O(total name length).
    pub(crate) fn of<'a, I: IntoIterator<Item = &'a ResourceName>>(deployments: I) -> Fingerprint {
        let mut h = Sha256::new();
        for d in deployments {
            for part in [d.account().as_str(), d.kind().collection(), d.id().as_str()] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
        }
        Fingerprint(h.finalize().into())
    }
}

impl LoadTracker {
    /// A tracker over `deployments` (repeats count once), every count 0.
    ///
    /// Given in a router's order (as [`Registry::load_tracker`](crate::Registry::load_tracker)
    /// does), routing to that router reads the counts by position.
    ///
    /// # Performance
    /// O(n log n).
    pub fn new<I: IntoIterator<Item = ResourceName>>(deployments: I) -> LoadTracker {
        let given: Vec<ResourceName> = deployments.into_iter().collect();
        let fingerprint = Fingerprint::of(&given);
        let mut sorted = given.clone();
        sorted.sort_unstable();
        sorted.dedup();
        // Number the distinct names in the order given (first place wins).
        let mut by_name = vec![u32::MAX; sorted.len()].into_boxed_slice();
        let mut next = 0u32;
        for d in &given {
            if let Some(place) = sorted
                .binary_search(d)
                .ok()
                .and_then(|k| by_name.get_mut(k))
                && *place == u32::MAX
            {
                *place = next;
                next += 1;
            }
        }
        let counts = sorted.iter().map(|_| AtomicU64::new(0)).collect();
        LoadTracker {
            deployments: sorted,
            counts,
            by_name,
            fingerprint,
        }
    }

    /// The deployments it covers, by name.
    pub fn deployments(&self) -> &[ResourceName] {
        &self.deployments
    }

    /// The count of `deployments[k]`.
    fn count_at(&self, k: usize) -> Option<&AtomicU64> {
        let i = *self.by_name.get(k)?;
        self.counts.get(i as usize)
    }

    fn slot(&self, deployment: &ResourceName) -> Option<&AtomicU64> {
        let k = self.deployments.binary_search(deployment).ok()?;
        self.count_at(k)
    }

    /// The count of a deployment given by its full name (as routing returns it).
    fn slot_by_text(&self, deployment: &str) -> Result<&AtomicU64> {
        let (account, kind, id) = parse_full(deployment).ok_or_else(|| untracked(deployment))?;
        self.deployments
            .binary_search_by(|d| {
                d.account()
                    .as_str()
                    .cmp(account)
                    .then_with(|| d.kind().cmp(&kind))
                    .then_with(|| d.id().as_str().cmp(id))
            })
            .ok()
            .and_then(|k| self.count_at(k))
            .ok_or_else(|| untracked(deployment))
    }

    /// Counts one more request in flight to `deployment` (a full name, as
    /// routing returns it) and returns the new count (wrapping at `u64::MAX`,
    /// which no gateway reaches).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the tracker does not cover `deployment`.
    pub fn started(&self, deployment: &str) -> Result<u64> {
        let slot = self.slot_by_text(deployment)?;
        Ok(slot.fetch_add(1, Ordering::Relaxed).wrapping_add(1))
    }

    /// Counts one request to `deployment` as finished and returns the new
    /// count; a count already at 0 stays 0 (a finish without a start is
    /// ignored rather than wrapping to a huge load).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the tracker does not cover `deployment`.
    pub fn finished(&self, deployment: &str) -> Result<u64> {
        let slot = self.slot_by_text(deployment)?;
        let old = slot
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(1))
            })
            .unwrap_or(0);
        Ok(old.saturating_sub(1))
    }

    /// Sets the in-flight count of `deployment` (for callers that measure
    /// load themselves).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the tracker does not cover `deployment`.
    pub fn set(&self, deployment: &str, in_flight: u64) -> Result<()> {
        self.slot_by_text(deployment)?
            .store(in_flight, Ordering::Relaxed);
        Ok(())
    }

    /// The in-flight count of `deployment`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the tracker does not cover `deployment`.
    pub fn in_flight(&self, deployment: &str) -> Result<u64> {
        Ok(self.slot_by_text(deployment)?.load(Ordering::Relaxed))
    }
}

/// [`Error::NotFound`] for a deployment the tracker does not cover.
fn untracked(deployment: &str) -> Error {
    Error::NotFound {
        name: format!("{deployment} (in the load tracker)"),
    }
}

/// Counts read once per pick: routers up to this many deployments use the
/// stack, larger ones a vector.
const STACK_DEPLOYMENTS: usize = 32;

/// The `even-load` pick (SPEC R8): the lowest `in_flight / replicas` among
/// the deployments with replicas, ties by a weighted-random draw among the
/// tied. When every deployment with replicas is tied (no load at all, for
/// one) this is exactly `selector.pick(rng)`, the same draws as
/// `weighted-random`; a single best deployment takes no draw.
///
/// `fingerprint` is [`Fingerprint::of`] `deployments`: when the tracker's
/// matches, the counts are read by position (no name comparison), otherwise
/// by name.
///
/// # Errors
/// [`Error::NotFound`] when `load` does not cover a deployment with replicas.
pub(crate) fn pick<R: Rng + ?Sized>(
    selector: &WeightedSelector,
    deployments: &[ResourceName],
    fingerprint: &Fingerprint,
    load: &LoadTracker,
    rng: &mut R,
) -> Result<usize> {
    // Equal fingerprints: the tracker was made over `deployments` in this
    // order, so its counts are in this order.
    let by_position = load.fingerprint == *fingerprint && load.counts.len() == deployments.len();
    if by_position {
        let counts = &load.counts;
        with_buffer(selector, deployments, |i, _| counts.get(i), rng)
    } else {
        with_buffer(selector, deployments, |_, name| load.slot(name), rng)
    }
}

/// [`pick_with`] with a buffer for the counts: on the stack for routers up
/// to [`STACK_DEPLOYMENTS`] deployments.
fn with_buffer<'t, R: Rng + ?Sized>(
    selector: &WeightedSelector,
    deployments: &[ResourceName],
    slot: impl Fn(usize, &ResourceName) -> Option<&'t AtomicU64>,
    rng: &mut R,
) -> Result<usize> {
    if deployments.len() <= STACK_DEPLOYMENTS {
        let mut buf = [0u64; STACK_DEPLOYMENTS];
        let counts = buf.get_mut(..deployments.len()).unwrap_or_default();
        pick_with(selector, deployments, slot, counts, rng)
    } else {
        let mut counts = vec![0u64; deployments.len()];
        pick_with(selector, deployments, slot, &mut counts, rng)
    }
}

/// The pick, reading the count of the `i`-th deployment from `slot(i, name)`
/// (`None`: not tracked).
fn pick_with<'t, R: Rng + ?Sized>(
    selector: &WeightedSelector,
    deployments: &[ResourceName],
    slot: impl Fn(usize, &ResourceName) -> Option<&'t AtomicU64>,
    counts: &mut [u64],
    rng: &mut R,
) -> Result<usize> {
    let weights = selector.weights();
    // Read each count once: other threads may change them meanwhile. One
    // pass finds the lowest ratio and the deployments tied at it (ratio
    // equality is transitive, so a tie with the best so far is a tie with
    // the final best once no lower ratio follows).
    let mut best: Option<(u64, u32)> = None;
    let (mut tied, mut tied_total, mut with_replicas) = (0usize, 0u64, 0usize);
    let mut only = 0;
    for (i, ((count, &w), name)) in counts.iter_mut().zip(weights).zip(deployments).enumerate() {
        if w == 0 {
            continue;
        }
        with_replicas += 1;
        let Some(slot) = slot(i, name) else {
            return Err(untracked(&name.to_string()));
        };
        *count = slot.load(Ordering::Relaxed);
        match best.map(|b| ratio_cmp((*count, w), b)) {
            None | Some(std::cmp::Ordering::Less) => {
                best = Some((*count, w));
                (tied, tied_total, only) = (1, u64::from(w), i);
            }
            Some(std::cmp::Ordering::Equal) => {
                tied += 1;
                tied_total += u64::from(w);
            }
            Some(std::cmp::Ordering::Greater) => {}
        }
    }
    let Some(best) = best else {
        // No replicas: the registry keeps no table then, so not reached.
        return Ok(selector.pick(rng) as usize);
    };
    let is_tied = |(&c, &w): (&u64, &u32)| w > 0 && ratio_cmp((c, w), best).is_eq();
    if tied == with_replicas {
        return Ok(selector.pick(rng) as usize);
    }
    if tied == 1 {
        return Ok(only);
    }
    let mut target = below(rng, tied_total);
    for (i, entry) in counts.iter().zip(weights).enumerate() {
        if is_tied(entry) {
            let w = u64::from(*entry.1);
            if target < w {
                return Ok(i);
            }
            target -= w;
        }
    }
    Ok(only)
}

/// Compares `a.0 / a.1` with `b.0 / b.1` exactly (positive denominators).
fn ratio_cmp(a: (u64, u32), b: (u64, u32)) -> std::cmp::Ordering {
    (u128::from(a.0) * u128::from(b.1)).cmp(&(u128::from(b.0) * u128::from(a.1)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Seed;

    fn names(n: usize) -> Vec<ResourceName> {
        let account = crate::Id::new("a", crate::IdKind::Account).unwrap();
        (0..n)
            .map(|i| {
                ResourceName::parse(
                    &format!("d{i}"),
                    crate::names::ResourceKind::Deployment,
                    &account,
                )
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn ratio_cmp_is_exact() {
        // 1/3 < 33333333333333334/100000000000000000 would be lost in f64.
        assert!(ratio_cmp((1, 3), (2, 6)).is_eq());
        assert!(ratio_cmp((u64::MAX, u32::MAX), (u64::MAX - 1, u32::MAX)).is_gt());
        assert!(ratio_cmp((u64::MAX, 1), (u64::MAX, 2)).is_gt());
    }

    #[test]
    fn text_lookup_matches_parsed_names() {
        let n = names(12);
        let t = LoadTracker::new(n.iter().rev().cloned());
        for name in &n {
            t.started(&name.to_string()).unwrap();
        }
        for name in &n {
            assert_eq!(t.slot(name).unwrap().load(Ordering::Relaxed), 1);
        }
        for bad in [
            "",
            "accounts/a",
            "accounts/a/routers/d1",
            "accounts/a/deployments/x",
        ] {
            assert_eq!(t.started(bad).unwrap_err().code(), "NOT_FOUND");
        }
    }

    #[test]
    fn finished_saturates_at_zero() {
        let t = LoadTracker::new(names(1));
        let d = "accounts/a/deployments/d0";
        assert_eq!(t.finished(d).unwrap(), 0);
        assert_eq!(t.started(d).unwrap(), 1);
        assert_eq!(t.finished(d).unwrap(), 0);
    }

    /// SPEC R8: with no load the picks are the selector's, draw for draw.
    #[test]
    fn no_load_is_weighted_random() {
        let weights = [4, 0, 2, 2, 7];
        let sel = WeightedSelector::new(&weights).unwrap();
        let n = names(weights.len());
        let t = LoadTracker::new(n.clone());
        let (mut a, mut b) = (Seed::from_u64(9).rng(), Seed::from_u64(9).rng());
        for _ in 0..2000 {
            assert_eq!(
                pick(&sel, &n, &Fingerprint::of(&n), &t, &mut a).unwrap(),
                sel.pick(&mut b) as usize
            );
        }
    }

    /// SPEC R8: the lowest load per replica wins; a zero-replica deployment
    /// never does, whatever its count.
    #[test]
    fn lowest_load_per_replica_wins() {
        let weights = [4, 2, 0];
        let sel = WeightedSelector::new(&weights).unwrap();
        let n = names(3);
        let t = LoadTracker::new(n.clone());
        t.set("accounts/a/deployments/d0", 5).unwrap(); // 5/4
        t.set("accounts/a/deployments/d1", 2).unwrap(); // 1
        let mut rng = Seed::from_u64(1).rng();
        assert_eq!(
            pick(&sel, &n, &Fingerprint::of(&n), &t, &mut rng).unwrap(),
            1
        );
        t.set("accounts/a/deployments/d1", 3).unwrap(); // 3/2
        assert_eq!(
            pick(&sel, &n, &Fingerprint::of(&n), &t, &mut rng).unwrap(),
            0
        );
    }

    /// SPEC R8: a tie among some deployments is a weighted draw among them.
    #[test]
    fn partial_ties_draw_by_replicas() {
        let weights = [3, 1, 5];
        let sel = WeightedSelector::new(&weights).unwrap();
        let n = names(3);
        let t = LoadTracker::new(n.clone());
        t.set("accounts/a/deployments/d0", 3).unwrap(); // 1
        t.set("accounts/a/deployments/d1", 1).unwrap(); // 1
        t.set("accounts/a/deployments/d2", 6).unwrap(); // 6/5
        let mut rng = Seed::from_u64(3).rng();
        let mut counts = [0u32; 3];
        for _ in 0..40_000 {
            counts[pick(&sel, &n, &Fingerprint::of(&n), &t, &mut rng).unwrap()] += 1;
        }
        assert_eq!(counts[2], 0);
        // Exact shares 3/4 and 1/4; chi-square with 1 degree of freedom
        // below 10.83 (p = 0.001).
        let expected = [30_000.0, 10_000.0];
        let chi: f64 = expected
            .iter()
            .zip(counts)
            .map(|(e, c)| (f64::from(c) - e).powi(2) / e)
            .sum();
        assert!(chi < 10.83, "chi-square {chi}, counts {counts:?}");
    }

    #[test]
    fn untracked_deployment_is_an_error() {
        let sel = WeightedSelector::new(&[1, 1]).unwrap();
        let n = names(2);
        let t = LoadTracker::new(n.iter().take(1).cloned());
        let err = pick(
            &sel,
            &n,
            &Fingerprint::of(&n),
            &t,
            &mut Seed::from_u64(1).rng(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "NOT_FOUND");
        assert!(err.to_string().contains("accounts/a/deployments/d1"));
    }

    #[test]
    fn large_routers_use_the_heap_path() {
        let weights = vec![1u32; STACK_DEPLOYMENTS + 5];
        let sel = WeightedSelector::new(&weights).unwrap();
        let n = names(weights.len());
        let t = LoadTracker::new(n.clone());
        for name in n.iter().take(STACK_DEPLOYMENTS + 4) {
            t.started(&name.to_string()).unwrap();
        }
        let last = weights.len() - 1;
        assert_eq!(
            pick(
                &sel,
                &n,
                &Fingerprint::of(&n),
                &t,
                &mut Seed::from_u64(2).rng()
            )
            .unwrap(),
            last
        );
    }

    /// A tracker made in the router's order is read by position, any other
    /// by name: the picks are the same, draw for draw.
    #[test]
    fn by_position_and_by_name_pick_alike() {
        let weights = [3, 0, 5, 2, 2, 1];
        let sel = WeightedSelector::new(&weights).unwrap();
        let n = names(weights.len());
        let fp = Fingerprint::of(&n);
        let in_order = LoadTracker::new(n.clone());
        let reversed = LoadTracker::new(n.iter().rev().cloned());
        assert_eq!(in_order.fingerprint, fp);
        assert_ne!(reversed.fingerprint, fp);
        let (mut a, mut b) = (Seed::from_u64(5).rng(), Seed::from_u64(5).rng());
        for round in 0..3000u64 {
            for (i, name) in n.iter().enumerate() {
                let c = (round * 7 + i as u64 * 3) % 4;
                in_order.set(&name.to_string(), c).unwrap();
                reversed.set(&name.to_string(), c).unwrap();
            }
            assert_eq!(
                pick(&sel, &n, &fp, &in_order, &mut a).unwrap(),
                pick(&sel, &n, &fp, &reversed, &mut b).unwrap()
            );
        }
    }

    #[test]
    fn fingerprint_separates_name_parts() {
        let account = crate::Id::new("a", crate::IdKind::Account).unwrap();
        let other = crate::Id::new("ab", crate::IdKind::Account).unwrap();
        let kind = crate::names::ResourceKind::Deployment;
        let x = ResourceName::parse("bc", kind, &account).unwrap();
        let y = ResourceName::parse("c", kind, &other).unwrap();
        assert_ne!(Fingerprint::of([&x]), Fingerprint::of([&y]));
        assert_ne!(Fingerprint::of([&x, &y]), Fingerprint::of([&y, &x]));
        assert_eq!(
            Fingerprint::of([&x, &y]),
            Fingerprint::of(&[x.clone(), y.clone()])
        );
    }
}
