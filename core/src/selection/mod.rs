//! Seeded, exact, platform-independent weighted selection (SPEC S1-S4).
//!
//! | rule | items |
//! | --- | --- |
//! | S1 determinism | [`Seed`] |
//! | S2 exact probabilities, S3 O(1) picks | [`WeightedSelector`] |
//! | S4 pinned generator and seeds | [`Seed`], [`ChaCha8Rng`] |
//!
//! * [`Seed`] turns a `u64` or 32 bytes into the pinned generator,
//!   [`ChaCha8Rng`] (S4).
//! * [`WeightedSelector`] picks index `j` with probability exactly
//!   `w_j / total` (S2), in O(1) per pick after an O(n) build (S3), with
//!   integer-only code on top of raw `next_u64` output (S1).
//! * `below` draws an exact uniform integer in `[0, n)`; other modules use it
//!   for random IDs (N3).
//!
//! Nothing here uses floats, `usize`-sized draws or `rand`'s distribution
//! types, so the same seed gives the same picks on every target, 32-bit
//! included, and from every binding.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::error::{Error, Result};
use crate::limits::MAX_WEIGHTS;

mod weighted;

pub(crate) use weighted::SharedDraw;
pub use weighted::WeightedSelector;

/// The one weights check (SPEC S2, S4), shared by [`WeightedSelector`],
/// [`WeightedRoundRobin`](crate::WeightedRoundRobin) and
/// [`SessionAffinity`](crate::SessionAffinity): at least one weight, at most
/// [`MAX_WEIGHTS`] of them (indices are `u32`) and a positive total. Returns
/// the total, which cannot overflow: at most `2^32 - 1` weights below `2^32`
/// each sum to less than `2^64`.
///
/// # Errors
///
/// [`Error::EmptyWeights`], [`Error::LimitExceeded`] or
/// [`Error::ZeroTotalWeight`], in that order.
pub(crate) fn check_weights(weights: impl ExactSizeIterator<Item = u32>) -> Result<u64> {
    let len = weights.len();
    if len == 0 {
        return Err(Error::EmptyWeights);
    }
    // Written so the check is not vacuous on 32-bit targets, where
    // MAX_WEIGHTS is usize::MAX.
    if u32::try_from(len).is_err() {
        return Err(Error::LimitExceeded {
            what: "weights",
            limit: MAX_WEIGHTS,
            got: len,
        });
    }
    let total: u64 = weights.map(u64::from).sum();
    if total == 0 {
        return Err(Error::ZeroTotalWeight);
    }
    Ok(total)
}

/// A 32-byte seed for the pinned generator, [`ChaCha8Rng`] (SPEC S4).
///
/// Build one from 32 bytes ([`Seed::from_bytes`]) or from a `u64`
/// ([`Seed::from_u64`], expanded by SplitMix64 as documented there). Both forms
/// are part of the value-stability contract (SPEC S1): the same seed always
/// gives the same stream.
///
/// ```
/// use replica_router::{Rng, Seed};
///
/// let seed = Seed::from_u64(42);
/// assert_eq!(Seed::from(42u64), seed);
/// assert_eq!(Seed::from_bytes(*seed.as_bytes()), seed);
/// // Two generators from one seed give the same stream.
/// assert_eq!(seed.rng().next_u64(), seed.rng().next_u64());
/// // Other streams of the same seed are independent.
/// assert_ne!(seed.rng().next_u64(), seed.rng_stream(1).next_u64());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Seed([u8; 32]);

impl Seed {
    /// The seed made of exactly these 32 bytes (the ChaCha key).
    ///
    /// # Performance
    ///
    /// O(1).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Seed(bytes)
    }

    /// The seed made of these bytes, which must be exactly 32; for seeds that
    /// come from outside Rust (a Python `bytes`, a JS `Uint8Array`), so the
    /// length rule lives here, once.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSeed`] with the given length when it is not 32.
    ///
    /// ```
    /// use replica_router::{Error, Seed};
    ///
    /// assert_eq!(Seed::from_slice(&[7; 32]), Ok(Seed::from_bytes([7; 32])));
    /// assert_eq!(Seed::from_slice(b"short"), Err(Error::InvalidSeed { len: 5 }));
    /// ```
    ///
    /// # Performance
    ///
    /// O(1).
    pub fn from_slice(bytes: &[u8]) -> Result<Self> {
        <[u8; 32]>::try_from(bytes)
            .map(Seed)
            .map_err(|_| Error::InvalidSeed { len: bytes.len() })
    }

    /// The seed expanded from a `u64` by SplitMix64, defined by this crate
    /// (not by `rand_core`'s `seed_from_u64`, whose output may change).
    ///
    /// With `state = seed`, each of four rounds computes
    ///
    /// ```text
    /// state = state + 0x9E37_79B9_7F4A_7C15          (wrapping)
    /// z = state
    /// z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9    (wrapping)
    /// z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB    (wrapping)
    /// z = z ^ (z >> 31)
    /// ```
    ///
    /// and round `k` (0-based) writes `z` little-endian into bytes
    /// `8k..8k + 8`.
    ///
    /// # Performance
    ///
    /// O(1).
    #[must_use]
    pub const fn from_u64(seed: u64) -> Self {
        let mut state = seed;
        let mut bytes = [0u8; 32];
        let mut k = 0;
        while k < 4 {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let le = z.to_le_bytes();
            let mut b = 0;
            while b < 8 {
                bytes[8 * k + b] = le[b];
                b += 1;
            }
            k += 1;
        }
        Seed(bytes)
    }

    /// The 32 seed bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A fresh generator on stream 0 of this seed.
    ///
    /// # Performance
    ///
    /// O(1).
    #[must_use]
    pub fn rng(&self) -> ChaCha8Rng {
        ChaCha8Rng::from_seed(self.0)
    }

    /// A fresh generator on stream `stream` of this seed: ChaCha's 64-bit
    /// nonce, so the 2^64 streams of one seed do not overlap. Stream 0 is
    /// [`Seed::rng`].
    ///
    /// # Performance
    ///
    /// O(1).
    #[must_use]
    pub fn rng_stream(&self, stream: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.0);
        rng.set_stream(stream);
        rng
    }
}

impl From<u64> for Seed {
    /// Same as [`Seed::from_u64`].
    fn from(seed: u64) -> Self {
        Seed::from_u64(seed)
    }
}

impl TryFrom<&[u8]> for Seed {
    type Error = Error;

    /// Same as [`Seed::from_slice`].
    fn try_from(bytes: &[u8]) -> Result<Self> {
        Seed::from_slice(bytes)
    }
}

impl From<[u8; 32]> for Seed {
    /// Same as [`Seed::from_bytes`].
    fn from(bytes: [u8; 32]) -> Self {
        Seed::from_bytes(bytes)
    }
}

/// An exact uniform integer in `[0, n)`, for `n >= 1` (SPEC S1, S2).
///
/// Lemire's method ("Fast Random Integer Generation in an Interval", 2019) on
/// raw `next_u64` output: draw `x`, form the 128-bit product `m = x * n`; the
/// result is `m >> 64` unless the low half `m mod 2^64` is below
/// `t = 2^64 mod n`, in which case `x` is rejected and redrawn. Every value in
/// `[0, n)` is then produced by exactly `floor(2^64 / n)` accepted `x`, so
/// the result is exactly uniform. `t` is only computed (one division) when the
/// low half is below `n`, which is rare for small `n`.
///
/// Consumes one `u64` per attempt; the expected number of attempts is below
/// 2 for every `n` and about 1 for `n` much smaller than 2^64. The result does
/// not depend on the width of `usize`. `n = 0` returns 0 after one draw.
///
/// # Performance
///
/// O(1) expected.
#[inline]
pub(crate) fn below<R: Rng + ?Sized>(rng: &mut R, n: u64) -> u64 {
    let n128 = u128::from(n);
    let mut m = u128::from(rng.next_u64()) * n128;
    if (m as u64) < n {
        // n >= 1 here, since `m as u64 < 0` is impossible.
        let t = n.wrapping_neg() % n;
        while (m as u64) < t {
            m = u128::from(rng.next_u64()) * n128;
        }
    }
    (m >> 64) as u64
}

#[cfg(test)]
pub(crate) mod test_rng {
    //! A generator that replays given `u64` values, for testing rejection.

    use core::convert::Infallible;
    use rand_core::TryRng;

    /// Replays `values` in order, then zeros; counts the draws.
    pub(crate) struct Replay {
        pub(crate) values: Vec<u64>,
        pub(crate) drawn: usize,
    }

    impl Replay {
        pub(crate) fn new(values: &[u64]) -> Self {
            Replay {
                values: values.to_vec(),
                drawn: 0,
            }
        }
    }

    impl TryRng for Replay {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            Ok(self.try_next_u64()? as u32)
        }
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            let v = self.values.get(self.drawn).copied().unwrap_or(0);
            self.drawn += 1;
            Ok(v)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            dst.fill(0);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_rng::Replay;
    use super::*;

    #[test]
    fn splitmix_matches_reference_vector() {
        // SplitMix64 seeded with 0: first output 0xE220A8397B1DCDAF (reference C code).
        let s = Seed::from_u64(0);
        assert_eq!(s.as_bytes()[..8], 0xE220_A839_7B1D_CDAFu64.to_le_bytes());
        assert_eq!(s.as_bytes()[8..16], 0x6E78_9E6A_A1B9_65F4u64.to_le_bytes());
    }

    #[test]
    fn streams_differ_and_stream_zero_is_rng() {
        let s = Seed::from_u64(1);
        let mut a = s.rng();
        let mut b = s.rng_stream(0);
        let mut c = s.rng_stream(1);
        let x = a.next_u64();
        assert_eq!(x, b.next_u64());
        assert_ne!(x, c.next_u64());
    }

    #[test]
    fn below_rejects_exactly_like_lemire() {
        // n = 3: t = 2^64 mod 3 = 1, so x = 0 (low half 0) is rejected.
        let mut rng = Replay::new(&[0, u64::MAX]);
        assert_eq!(below(&mut rng, 3), 2);
        assert_eq!(rng.drawn, 2);
        // x = 1: low half 3 >= t, accepted, result 0.
        let mut rng = Replay::new(&[1]);
        assert_eq!(below(&mut rng, 3), 0);
        assert_eq!(rng.drawn, 1);
    }

    #[test]
    fn below_edges() {
        let mut rng = Seed::from_u64(3).rng();
        for _ in 0..1000 {
            assert_eq!(below(&mut rng, 1), 0);
            assert!(below(&mut rng, 7) < 7);
            assert!(below(&mut rng, u64::MAX) < u64::MAX);
        }
        assert_eq!(below(&mut rng, 0), 0);
        // n = 2^63 + 1 rejects almost half the draws; still in range.
        let n = (1u64 << 63) + 1;
        for _ in 0..1000 {
            assert!(below(&mut rng, n) < n);
        }
    }

    #[test]
    fn below_is_uniform_on_small_range() {
        let mut rng = Seed::from_u64(9).rng();
        let mut counts = [0u64; 6];
        for _ in 0..60_000 {
            counts[below(&mut rng, 6) as usize] += 1;
        }
        let r = crate::stats::chi_square(&counts, &[1; 6]);
        assert!(r.is_some_and(|r| r.p_value > 0.001), "{r:?}");
    }
}
