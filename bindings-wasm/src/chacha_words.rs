//! Machinery, not a rule: a faster source of the very words the pinned
//! generator (SPEC S4, `rand_chacha`'s ChaCha8) would give, for the batch
//! calls (`WeightedSelector.pickMany` and `counts`).
//!
//! `rand_chacha` stays the generator of record: [`with_words`] reads its
//! seed, stream and word position, produces the next words with its own
//! ChaCha8 block function, hands them to core through [`Words`] (an `Rng`
//! that consumes words exactly as `rand_core`'s `BlockRng` does: `next_u32`
//! takes one word, `next_u64` the next two as `lo | hi << 32`, across block
//! boundaries, and a byte fill whole little-endian words), then moves the
//! generator to the position after the last word consumed. The picks, and
//! the generator's state afterwards, are those of the plain path (tests
//! below against `rand_chacha`, and `tests/node/selection.test.mjs` against
//! one `pick()` per pick on the built module).
//!
//! Why: on wasm32, `rand_chacha`'s SIMD helper (`ppv-lite86`) has only its
//! portable backend, which is most of the cost of a batch pick. The block
//! function here computes four blocks at a time in the lanes of WebAssembly
//! SIMD (`simd128`) vectors on wasm32, so the module needs WebAssembly SIMD
//! (Node >= 16.4, Chrome 91, Firefox 89, Safari 16.4: every current browser);
//! natively, where only the tests run it, it is scalar. Measured in one Node
//! process against `rand_chacha`: see the commit message and
//! bench/README.md. The feature is enabled for that one function
//! (`#[target_feature]`), not for the whole build, which would let LLVM
//! vectorize other code too (12 KB more raw `.wasm`, no faster picks).
//! Single `pick()` calls keep using `rand_chacha` directly: four blocks for
//! one word would cost more than they save.
//!
//! The tests below compare the scalar form with `rand_chacha` for any seed,
//! stream, word position and mix of draws; `tests/node/selection.test.mjs`
//! compares the `simd128` form, through `pickMany` and `counts`, with one
//! `pick()` per pick.

use core::convert::Infallible;

use rand_core::TryRng;
use replica_router::ChaCha8Rng;

/// Words per ChaCha block.
const BLOCK_WORDS: usize = 16;
/// Blocks generated at a time (the width of a `simd128` lane set).
const BLOCKS: usize = 4;
/// Words in the buffer.
const BUF_WORDS: usize = BLOCK_WORDS * BLOCKS;
/// ChaCha8 is 8 rounds: 4 double rounds.
const DOUBLE_ROUNDS: usize = 4;
/// "expand 32-byte k", the ChaCha constants.
const CONSTANTS: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Runs `f` on a [`Words`] that continues `rng`'s stream, then moves `rng`
/// past exactly the words `f` consumed; `rng` is then in the state the same
/// draws made on it directly would leave.
pub(crate) fn with_words<T>(rng: &mut ChaCha8Rng, f: impl FnOnce(&mut Words) -> T) -> T {
    let mut words = Words::new(rng);
    let out = f(&mut words);
    rng.set_word_pos(words.word_pos());
    out
}

/// The stream of a [`ChaCha8Rng`] from a given word position, generated
/// here (see the module docs). Build it with [`with_words`].
pub(crate) struct Words {
    key: [u32; 8],
    stream: u64,
    /// The block counter of the first block after the buffer.
    next_block: u64,
    buf: [u32; BUF_WORDS],
    /// The next unread word of `buf`; [`BUF_WORDS`] when all are read.
    index: usize,
}

impl Words {
    /// The stream of `rng` from its current word position (which need not
    /// be a multiple of anything).
    fn new(rng: &ChaCha8Rng) -> Words {
        let seed = rng.get_seed();
        let mut key = [0u32; 8];
        for (k, bytes) in key.iter_mut().zip(seed.chunks_exact(4)) {
            *k = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        let pos = rng.get_word_pos();
        // The position is 68 bits: a 64-bit block counter and 4 bits of
        // word; the counter wraps as `rand_chacha`'s does.
        let block = (pos / BLOCK_WORDS as u128) as u64;
        let mut words = Words {
            key,
            stream: rng.get_stream(),
            next_block: block,
            buf: [0; BUF_WORDS],
            index: BUF_WORDS,
        };
        words.refill();
        words.index = (pos % BLOCK_WORDS as u128) as usize;
        words
    }

    /// The word position after the last word read.
    fn word_pos(&self) -> u128 {
        let first = self.next_block.wrapping_sub(BLOCKS as u64);
        u128::from(first) * BLOCK_WORDS as u128 + self.index as u128
    }

    /// Generates the next four blocks into the buffer.
    fn refill(&mut self) {
        blocks(&self.key, self.next_block, self.stream, &mut self.buf);
        self.next_block = self.next_block.wrapping_add(BLOCKS as u64);
        self.index = 0;
    }

    #[inline]
    fn next_word(&mut self) -> u32 {
        if self.index == BUF_WORDS {
            self.refill();
        }
        let word = self.buf[self.index];
        self.index += 1;
        word
    }
}

impl TryRng for Words {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.next_word())
    }

    /// The next two words, low one first (`rand_core`'s
    /// `BlockRng::next_u64_from_u32`).
    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let lo = self.next_word();
        let hi = self.next_word();
        Ok(u64::from(hi) << 32 | u64::from(lo))
    }

    /// Whole little-endian words; the rest of a partly used last word is
    /// dropped (`rand_core`'s `BlockRng::fill_bytes`).
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let word = self.next_word().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

/// One ChaCha quarter round on words `a, b, c, d` of `x`, for any lane type.
macro_rules! quarter_round {
    ($x:ident, $add:expr, $xor:expr, $rotl:expr, $a:expr, $b:expr, $c:expr, $d:expr) => {
        $x[$a] = $add($x[$a], $x[$b]);
        $x[$d] = $rotl($xor($x[$d], $x[$a]), 16);
        $x[$c] = $add($x[$c], $x[$d]);
        $x[$b] = $rotl($xor($x[$b], $x[$c]), 12);
        $x[$a] = $add($x[$a], $x[$b]);
        $x[$d] = $rotl($xor($x[$d], $x[$a]), 8);
        $x[$c] = $add($x[$c], $x[$d]);
        $x[$b] = $rotl($xor($x[$b], $x[$c]), 7);
    };
}

/// The 8 rounds (4 column rounds, 4 diagonal rounds, interleaved) on a
/// 16-word state of any lane type.
macro_rules! chacha8_rounds {
    ($x:ident, $add:expr, $xor:expr, $rotl:expr) => {
        for _ in 0..DOUBLE_ROUNDS {
            quarter_round!($x, $add, $xor, $rotl, 0, 4, 8, 12);
            quarter_round!($x, $add, $xor, $rotl, 1, 5, 9, 13);
            quarter_round!($x, $add, $xor, $rotl, 2, 6, 10, 14);
            quarter_round!($x, $add, $xor, $rotl, 3, 7, 11, 15);
            quarter_round!($x, $add, $xor, $rotl, 0, 5, 10, 15);
            quarter_round!($x, $add, $xor, $rotl, 1, 6, 11, 12);
            quarter_round!($x, $add, $xor, $rotl, 2, 7, 8, 13);
            quarter_round!($x, $add, $xor, $rotl, 3, 4, 9, 14);
        }
    };
}

/// The input state of block `counter`: constants, key, the 64-bit block
/// counter (low word first), the 64-bit stream (`rand_chacha`'s layout).
fn state(key: &[u32; 8], counter: u64, stream: u64) -> [u32; BLOCK_WORDS] {
    let [c0, c1, c2, c3] = CONSTANTS;
    let [k0, k1, k2, k3, k4, k5, k6, k7] = *key;
    [
        c0,
        c1,
        c2,
        c3,
        k0,
        k1,
        k2,
        k3,
        k4,
        k5,
        k6,
        k7,
        counter as u32,
        (counter >> 32) as u32,
        stream as u32,
        (stream >> 32) as u32,
    ]
}

/// Blocks `counter` to `counter + 3` (wrapping) of `stream`, one after the
/// other in `out`: scalar, one block at a time (native builds).
#[cfg(not(target_arch = "wasm32"))]
fn blocks(key: &[u32; 8], counter: u64, stream: u64, out: &mut [u32; BUF_WORDS]) {
    for (b, block) in out.chunks_exact_mut(BLOCK_WORDS).enumerate() {
        let input = state(key, counter.wrapping_add(b as u64), stream);
        let mut x = input;
        chacha8_rounds!(x, u32::wrapping_add, |a, b| a ^ b, u32::rotate_left);
        for ((o, x), i) in block.iter_mut().zip(x).zip(input) {
            *o = x.wrapping_add(i);
        }
    }
}

/// Blocks `counter` to `counter + 3` (wrapping) of `stream`, one after the
/// other in `out`: the four blocks side by side in the lanes of `simd128`
/// vectors (lane `b` is block `counter + b`). Safe to call without the
/// feature enabled elsewhere: on wasm a module with SIMD instructions
/// either validates as a whole or does not load.
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
fn blocks(key: &[u32; 8], counter: u64, stream: u64, out: &mut [u32; BUF_WORDS]) {
    use core::arch::wasm32::{
        u32x4, u32x4_add, u32x4_extract_lane, u32x4_shl, u32x4_shr, v128, v128_or, v128_xor,
    };
    let rotl = |v: v128, n: u32| v128_or(u32x4_shl(v, n), u32x4_shr(v, 32 - n));
    // Only the counter words differ between the four blocks.
    let lanes: [[u32; BLOCK_WORDS]; BLOCKS] =
        core::array::from_fn(|b| state(key, counter.wrapping_add(b as u64), stream));
    let input: [v128; BLOCK_WORDS] =
        core::array::from_fn(|i| u32x4(lanes[0][i], lanes[1][i], lanes[2][i], lanes[3][i]));
    let mut x = input;
    chacha8_rounds!(x, u32x4_add, v128_xor, rotl);
    for (i, (x, input)) in x.into_iter().zip(input).enumerate() {
        let v = u32x4_add(x, input);
        out[i] = u32x4_extract_lane::<0>(v);
        out[BLOCK_WORDS + i] = u32x4_extract_lane::<1>(v);
        out[2 * BLOCK_WORDS + i] = u32x4_extract_lane::<2>(v);
        out[3 * BLOCK_WORDS + i] = u32x4_extract_lane::<3>(v);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};
    use replica_router::{Rng, Seed, WeightedSelector};

    use super::*;

    /// The generator's word position modulo its period, 2^68 words:
    /// `rand_chacha` reports a position just past the end of the period
    /// unreduced (up to 2^68 + 47) while its buffer spans the wrap, and
    /// reduced after `set_word_pos`; both name the same state.
    fn pos_of(rng: &ChaCha8Rng) -> u128 {
        rng.get_word_pos() % (1 << 68)
    }

    /// A generator on `stream` of `seed` at word position `pos`.
    fn rng_at(seed: [u8; 32], stream: u64, pos: u128) -> ChaCha8Rng {
        let mut rng = Seed::from_bytes(seed).rng_stream(stream);
        rng.set_word_pos(pos);
        rng
    }

    /// Word positions near the start, near block and buffer edges, and
    /// near the end of the 68-bit period (where the block counter wraps).
    fn word_pos() -> impl Strategy<Value = u128> {
        prop_oneof![
            0u128..200,
            (0u128..1 << 20).prop_map(|b| b * 64 + 63),
            (0u128..1 << 20).prop_map(|b| b * 16 + 15),
            ((1u128 << 68) - 200..1 << 68),
            0u128..1 << 68,
        ]
    }

    /// One draw of each kind the picks use, or a byte fill.
    #[derive(Clone, Debug)]
    enum Draw {
        U32,
        U64,
        Bytes(usize),
    }

    fn draws() -> impl Strategy<Value = Vec<Draw>> {
        let draw = prop_oneof![
            4 => Just(Draw::U32),
            4 => Just(Draw::U64),
            1 => (0usize..70).prop_map(Draw::Bytes),
        ];
        proptest::collection::vec(draw, 0..300)
    }

    fn config() -> Config {
        Config {
            cases: 256,
            rng_seed: RngSeed::Fixed(0x00c8_a5c8),
            failure_persistence: None,
            ..Config::default()
        }
    }

    proptest! {
        #![proptest_config(config())]

        /// Any mix of draws from any seed, stream and position gives
        /// `rand_chacha`'s values and leaves the generator where
        /// `rand_chacha` would be.
        #[test]
        fn words_are_rand_chachas(
            seed in any::<[u8; 32]>(),
            stream in any::<u64>(),
            pos in word_pos(),
            draws in draws(),
        ) {
            let mut plain = rng_at(seed, stream, pos);
            let mut fast = rng_at(seed, stream, pos);
            with_words(&mut fast, |words| {
                for draw in &draws {
                    match *draw {
                        Draw::U32 => prop_assert_eq!(words.next_u32(), plain.next_u32()),
                        Draw::U64 => prop_assert_eq!(words.next_u64(), plain.next_u64()),
                        Draw::Bytes(len) => {
                            let (mut a, mut b) = (vec![0; len], vec![0; len]);
                            words.fill_bytes(&mut a);
                            plain.fill_bytes(&mut b);
                            prop_assert_eq!(a, b);
                        }
                    }
                }
                Ok(())
            })?;
            prop_assert_eq!(pos_of(&fast), pos_of(&plain));
            prop_assert_eq!(fast.next_u64(), plain.next_u64());
        }

        /// `fill` and `counts` through [`Words`] equal the plain path on
        /// the 32-bit draw (small tables) and the 64-bit one (large
        /// weights), and leave the generator in the same state.
        #[test]
        fn picks_are_the_plain_ones(
            seed in any::<[u8; 32]>(),
            stream in any::<u64>(),
            pos in word_pos(),
            weights in prop_oneof![
                proptest::collection::vec(0u32..20, 1..12),
                proptest::collection::vec(any::<u32>(), 1..12),
            ],
            len in 0usize..500,
        ) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            let selector = WeightedSelector::new(&weights).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut plain = rng_at(seed, stream, pos);
            let mut fast = rng_at(seed, stream, pos);
            let (mut a, mut b) = (vec![0; len], vec![0; len]);
            selector.fill(&mut plain, &mut a);
            with_words(&mut fast, |words| selector.fill(words, &mut b));
            prop_assert_eq!(a, b);
            let counts = selector.counts(&mut plain, len as u64);
            prop_assert_eq!(with_words(&mut fast, |words| selector.counts(words, len as u64)), counts);
            prop_assert_eq!(pos_of(&fast), pos_of(&plain));
        }
    }

    /// An empty batch moves nothing, at every offset within a block.
    #[test]
    fn no_draw_keeps_the_position() {
        for pos in [0, 1, 15, 16, 63, 64, 65, (1 << 68) - 1] {
            let mut rng = rng_at([9; 32], 3, pos);
            with_words(&mut rng, |_| ());
            assert_eq!(rng.get_word_pos(), pos);
        }
    }
}
