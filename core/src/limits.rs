//! Documented size limits that keep hostile input from exhausting memory or
//! time. Each is enforced with [`Error::LimitExceeded`](crate::Error::LimitExceeded)
//! (or the variant named on the constant) before anything changes.
//!
//! | rule | items |
//! | --- | --- |
//! | E3 cost bounded by input size | every constant here, [`check_batch_picks`] |

/// Most deployments one router may list.
pub const MAX_ROUTER_DEPLOYMENTS: usize = 10_000;

/// Most regions one [`RegionCatalog`](crate::RegionCatalog) may list (the
/// reference has ten).
pub const MAX_CATALOG_REGIONS: usize = 4096;

/// Most rows the exact maximum-shift search takes on (SPEC M4). A
/// [`Schedule::MaxStep`](crate::Schedule::MaxStep) plan whose greedy
/// certificate misses the closed-form bound is built by the witness walk,
/// which has no size limit (300,000 replicas a side at 1 point: under a
/// millisecond); what the walk cannot settle within its work budget is
/// counted forward over `from`'s rows when they are fewer, else searched
/// exactly over `target_replicas - to's replicas + 1` rows, in time and
/// memory linear in them (at 100,000 rows and 1-point steps about 2 s and 54 MB on one
/// core). Beyond this limit such a request fails with
/// [`Error::LimitExceeded`](crate::Error::LimitExceeded) rather than return
/// a plan not proven fewest; explicit schedules have no such limit.
pub const MAX_EXACT_PLAN_ROWS: u64 = 1 << 18;

/// Most entries of an explicit migration schedule
/// ([`Schedule::Steps`](crate::Schedule::Steps)): the steps are strictly
/// increasing percentages from 1 to 100, so a longer list can never be valid.
pub const MAX_TRAFFIC_STEPS: usize = 100;

/// Most direct-route API keys one deployment may hold.
pub const MAX_API_KEYS: usize = 64;

/// Longest API key, in bytes (SPEC G4); enforced as
/// [`Error::InvalidApiKey`](crate::Error::InvalidApiKey).
pub const MAX_API_KEY_LEN: usize = 256;

/// Longest display name, in characters; enforced as
/// [`Error::InvalidDisplayName`](crate::Error::InvalidDisplayName).
pub const MAX_DISPLAY_NAME_CHARS: usize = 256;

/// Longest ID, in characters (SPEC N1); enforced as
/// [`Error::InvalidName`](crate::Error::InvalidName).
pub const MAX_ID_LEN: usize = 63;

/// Largest registry snapshot [`Registry::from_json`](crate::Registry::from_json)
/// reads, in bytes.
///
/// # Memory while reading
/// Snapshots and plans are parsed into a value tree before their fields are
/// checked: at most 32 bytes for each JSON value and no heap block of its
/// own for numbers, empty strings or empty lists. A value takes at least 2
/// bytes of input (`0,`), so the tree is at most 16 bytes per input byte,
/// and up to twice that while a list grows: O(input), at most 32 times it.
/// Measured (`benches/examples/hostile.rs`): a rejected 64 MiB `[0,0,...]`
/// peaks at 1.1 GB resident (2.2 GB before issue 15).
pub const MAX_SNAPSHOT_BYTES: usize = 64 * 1024 * 1024;

/// Most weights one [`WeightedSelector`](crate::WeightedSelector) may hold
/// (indices are `u32`, SPEC S4).
pub const MAX_WEIGHTS: usize = u32::MAX as usize;

/// Most picks one batch call of a binding may ask for (Python `pick_many` and
/// `counts`, their JS twins): 2^28, a 1 GiB `u32` result, about a second of
/// work. Bindings refuse larger batches with
/// [`Error::LimitExceeded`](crate::Error::LimitExceeded) before allocating or
/// drawing; Rust callers size their own buffers.
pub const MAX_BATCH_PICKS: u64 = 1 << 28;

/// Checks a binding's batch size `n` against [`MAX_BATCH_PICKS`] and returns
/// it as a `usize` (it then fits on every target).
///
/// # Errors
/// [`Error::LimitExceeded`](crate::Error::LimitExceeded) above
/// [`MAX_BATCH_PICKS`].
///
/// ```
/// use replica_router::limits::{check_batch_picks, MAX_BATCH_PICKS};
/// assert_eq!(check_batch_picks(1_000), Ok(1_000));
/// assert!(check_batch_picks(MAX_BATCH_PICKS + 1).is_err());
/// ```
pub fn check_batch_picks(n: u64) -> crate::Result<usize> {
    // MAX_BATCH_PICKS = 2^28 fits a usize on 32- and 64-bit targets.
    let limit = MAX_BATCH_PICKS as usize;
    match usize::try_from(n) {
        Ok(len) if n <= MAX_BATCH_PICKS => Ok(len),
        _ => Err(crate::Error::LimitExceeded {
            what: "picks in one batch call",
            limit,
            got: usize::try_from(n).unwrap_or(usize::MAX),
        }),
    }
}

/// Most replicas in total that a `session-affinity` router hashes over (SPEC
/// R7): its cached state is 8 bytes a replica and a keyed route scans every
/// replica. Beyond it, keyed requests to the router fail with
/// [`Error::LimitExceeded`](crate::Error::LimitExceeded); requests without a
/// session key still route (weighted-random). A
/// [`SessionAffinity`](crate::SessionAffinity) table also lists at most this
/// many deployments.
pub const MAX_SESSION_AFFINITY_REPLICAS: usize = 1 << 16;
