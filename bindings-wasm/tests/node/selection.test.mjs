// SPEC S1-S4, B3: seeded picks match the Rust crate; typed arrays for batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WeightedSelector } from 'replica-router';

// The literals core/tests/s1_value_stability.rs pins for Seed::from_u64(42)
// and weights [3, 2] (first 32 picks) and for seed 7 (counts of 100,000).
const PICKS_3_2 = [
  1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0,
];
const COUNTS_3_2_SEED_7 = [59844, 40156];

test('S1: the Rust test file still pins the literals copied here', () => {
  const rust = readFileSync(new URL('../../../core/tests/s1_value_stability.rs', import.meta.url), 'utf8');
  const picks = rust.match(/const PICKS_3_2: \[u32; 32\] = \[([^\]]*)\]/);
  assert.ok(picks, 'PICKS_3_2 not found in core/tests/s1_value_stability.rs');
  assert.deepEqual(picks[1].split(',').map((x) => x.trim()).filter(Boolean).map(Number), PICKS_3_2);
  const counts = rust.match(/const COUNTS_3_2_SEED_7: \[u64; 2\] = \[([^\]]*)\]/);
  assert.ok(counts, 'COUNTS_3_2_SEED_7 not found');
  assert.deepEqual(counts[1].split(',').map((x) => Number(x.trim().replaceAll('_', ''))), COUNTS_3_2_SEED_7);
});

test('S1: seed 42 over [3, 2] gives the picks the Rust crate pins, by pick and by pickMany', () => {
  const one = new WeightedSelector([3, 2], 42);
  assert.deepEqual(Array.from({ length: 32 }, () => one.pick()), PICKS_3_2);
  const many = new WeightedSelector(new Uint32Array([3, 2]), 42n).pickMany(32);
  assert.ok(many instanceof Uint32Array);
  assert.deepEqual(Array.from(many), PICKS_3_2);
});

test('S1: counts(100000) with seed 7 equals the Rust crate, as a Float64Array', () => {
  const counts = new WeightedSelector([3, 2], 7).counts(100_000);
  assert.ok(counts instanceof Float64Array);
  assert.deepEqual(Array.from(counts), COUNTS_3_2_SEED_7);
});

test('S1, B3: a number seed and the same bigint seed are the same seed; bytes seeds too', () => {
  const a = new WeightedSelector([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2 ** 53 - 1).pickMany(1000);
  const b = new WeightedSelector([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2n ** 53n - 1n).pickMany(1000);
  assert.deepEqual(a, b);
  const bytes = new Uint8Array(32).map((_, i) => i);
  assert.deepEqual(new WeightedSelector([1, 1], bytes).pickMany(64), new WeightedSelector([1, 1], bytes).pickMany(64));
  const big = new WeightedSelector([1, 1], 2n ** 64n - 1n).pickMany(8);
  assert.equal(big.length, 8);
});

test('S3: pickMany continues the same stream as pick, and counts sum to n', () => {
  const s = new WeightedSelector([5, 0, 7, 1], 3);
  const t = new WeightedSelector([5, 0, 7, 1], 3);
  const picks = s.pickMany(10_000);
  for (const p of picks) assert.equal(p, t.pick());
  const counts = s.counts(50_000);
  assert.equal(counts.reduce((x, y) => x + y, 0), 50_000);
  assert.equal(counts[1], 0); // zero weight, never picked
  assert.equal(s.length, 4);
  assert.equal(s.total, 13);
  assert.deepEqual(Array.from(s.weights), [5, 0, 7, 1]);
  assert.equal(s.pickMany(0).length, 0);
  // Batches larger than one internal chunk (4096).
  const u = new WeightedSelector([5, 0, 7, 1], 9);
  const v = new WeightedSelector([5, 0, 7, 1], 9);
  const big = u.pickMany(10_001);
  assert.equal(big.length, 10_001);
  for (let i = 0; i < 10_001; i++) assert.equal(big[i], v.pick());
});

// pickMany and counts draw their words from the binding's own ChaCha8
// (src/chacha_words.rs, simd128 on wasm); pick() draws from rand_chacha.
// Both must give the same picks and leave the generator at the same place,
// from every word offset (one u32 per pick on [3, 2]-sized tables, one u64
// on large weights, so pairs of words straddle the 64-word buffers).
test('S1: pickMany and counts equal one pick() per pick from every offset, and continue the stream', () => {
  const tables = [[3, 2], [5, 0, 7, 1], [4_000_000_000, 1, 123_456_789], [1025, 0, 3000, 7]];
  for (const weights of tables) {
    for (let seed = 0; seed < 4; seed++) {
      for (let before = 0; before < 70; before += 3) {
        const len = [1, 2, 31, 63, 64, 65, 129, 700][before % 8];
        const batch = new WeightedSelector(weights, seed);
        const single = new WeightedSelector(weights, seed);
        for (let i = 0; i < before; i++) assert.equal(batch.pick(), single.pick());
        const many = batch.pickMany(len);
        for (let i = 0; i < len; i++) assert.equal(many[i], single.pick(), `${weights} seed ${seed} at ${before} + ${i}`);
        const counts = batch.counts(len);
        const expected = new Float64Array(weights.length);
        for (let i = 0; i < len; i++) expected[single.pick()] += 1;
        assert.deepEqual(counts, expected);
        for (let i = 0; i < 5; i++) assert.equal(batch.pick(), single.pick());
      }
    }
  }
});

test('S2: exact shares, checked with chi-square on 1,000,000 picks', () => {
  const weights = [1, 2, 3, 4];
  const n = 1_000_000;
  const counts = new WeightedSelector(weights, 12345).counts(n);
  const total = weights.reduce((a, b) => a + b);
  let chi = 0;
  weights.forEach((w, i) => {
    const e = (n * w) / total;
    chi += (counts[i] - e) ** 2 / e;
  });
  // 16.27 is the 0.001 critical value of chi-square with 3 degrees of freedom.
  assert.ok(chi < 16.27, `chi-square ${chi}`);
});

test('S4: 2^20 weights of 2^32 - 1 neither overflow nor panic; more weights are refused', () => {
  const n = 2 ** 20;
  const s = new WeightedSelector(new Uint32Array(n).fill(0xffffffff), 1);
  // The exact total, (2^32 - 1) * 2^20 < 2^53, is a number.
  assert.equal(s.total, 0xffffffff * n);
  assert.equal(s.length, n);
  assert.ok(s.pickMany(1000).every((p) => p < n));
  assert.throws(() => new WeightedSelector(new Uint32Array(n + 1).fill(1), 1), { name: 'RangeError', code: 'OUT_OF_RANGE' });
});

test('S3: batch sizes above core\'s MAX_BATCH_PICKS (2^28) are LIMIT_EXCEEDED, checked before any work', () => {
  const s = new WeightedSelector([1], 1);
  for (const n of [2 ** 28 + 1, 2 ** 53 - 1, 2n ** 28n + 1n, 2n ** 64n - 1n]) {
    assert.throws(() => s.pickMany(n), { name: 'ValidationError', code: 'LIMIT_EXCEEDED' }, String(n));
    assert.throws(() => s.counts(n), { name: 'ValidationError', code: 'LIMIT_EXCEEDED' }, String(n));
  }
  assert.throws(() => s.pickMany(-1), { name: 'RangeError', code: 'OUT_OF_RANGE' });
  assert.throws(() => s.pickMany(1.5), RangeError);
  assert.throws(() => s.counts(2 ** 53), RangeError);
  assert.throws(() => s.counts(-1n), RangeError);
  assert.throws(() => s.counts('10'), { name: 'TypeError', code: 'INVALID_ARGUMENT' });
  assert.equal(s.pick(), 0);
  assert.deepEqual(Array.from(s.counts(10n)), [10]);
});

test('B3: seeds are checked: safe integers >= 0, bigints below 2^64, 32 bytes', () => {
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53, -1n, 2n ** 64n]) {
    assert.throws(() => new WeightedSelector([1], bad), RangeError, String(bad));
  }
  // The byte count is core's rule (Seed::from_slice), so it is core's error,
  // reporting the real length even when only 33 bytes are copied in.
  for (const len of [0, 31, 33, 1 << 20]) {
    assert.throws(() => new WeightedSelector([1], new Uint8Array(len)), {
      name: 'ValidationError',
      code: 'INVALID_SEED',
      message: `a seed of ${len} bytes is invalid: use exactly 32 bytes or a 64-bit unsigned integer`,
    });
  }
  const seed = Uint8Array.from({ length: 40 }, (_, i) => i);
  assert.deepEqual(
    new WeightedSelector([1, 1, 1], seed.subarray(3, 35)).pickMany(16),
    new WeightedSelector([1, 1, 1], seed.slice(3, 35)).pickMany(16),
    'a view into a larger buffer reads its own 32 bytes',
  );
  for (const bad of ['42', {}, [1], true, Symbol('s'), () => 1, new Uint16Array(32)]) {
    assert.throws(() => new WeightedSelector([1], bad), TypeError);
  }
  // No seed: entropy from crypto.getRandomValues; two selectors differ.
  const a = new WeightedSelector(new Uint32Array(1000).fill(1)).pickMany(64);
  const b = new WeightedSelector(new Uint32Array(1000).fill(1), null).pickMany(64);
  assert.notDeepEqual(a, b);
});
