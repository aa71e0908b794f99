// Benchmark (not a test): exact wasm sampling against what a JS developer
// writes instead, in one Node process. Run after `npm run build`:
//
//   node bench/pick.mjs            # or: npm run bench
//
// Prints a Markdown table of ns per pick (median of RUNS timed runs after a
// warm-up; the cases take turns) for 10 weights: `WeightedSelector.pickMany(1e6)`, one
// `pick()` per call, `counts(1e6)`, `Registry.route` on a 10-deployment
// router, against two naive samplers over `Math.random()` (cumulative
// weights + binary search, and a linear scan), each as a batch into a
// Uint32Array and one call per pick. The naive samplers are not exact
// (floating point) and not seeded; they are the speed baseline.
import { Registry, WeightedSelector } from 'replica-router';

const N = 1_000_000;
const RUNS = Number(process.env.RUNS ?? 7);
const WEIGHTS = [5, 3, 8, 1, 9, 2, 7, 4, 6, 10];

/** Cumulative weights + binary search over Math.random(). */
function naiveBinary(weights) {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((w, i) => { total += w; cumulative[i] = total; });
  const last = weights.length - 1;
  return () => {
    const r = Math.random() * total;
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] > r) hi = mid; else lo = mid + 1;
    }
    return lo;
  };
}

/** A linear scan over the weights with Math.random(). */
function naiveLinear(weights) {
  const w = Float64Array.from(weights);
  const total = weights.reduce((a, b) => a + b, 0);
  const last = w.length - 1;
  return () => {
    let r = Math.random() * total;
    for (let i = 0; i < last; i++) {
      r -= w[i];
      if (r < 0) return i;
    }
    return last;
  };
}

/**
 * Median ns per pick of each case (a function making `N` picks), after one
 * warm-up run of each. The runs take turns (every case once per round), so
 * a load that comes and goes on a shared machine slows all cases alike
 * rather than the ones that happened to run during it.
 */
function timeAll(cases) {
  let sink = 0;
  for (const [, fn] of cases) sink += fn();
  const samples = cases.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    cases.forEach(([, fn], i) => {
      const start = process.hrtime.bigint();
      sink += fn();
      samples[i].push(Number(process.hrtime.bigint() - start) / N);
    });
  }
  if (sink === -1) console.log(sink); // keeps the results alive
  return cases.map(([what], i) => {
    const sorted = samples[i].sort((a, b) => a - b);
    return [what, sorted[sorted.length >> 1]];
  });
}

const batchOf = (pick) => () => {
  const out = new Uint32Array(N);
  for (let i = 0; i < N; i++) out[i] = pick();
  return out[N - 1];
};
const callsOf = (pick) => () => {
  let acc = 0;
  for (let i = 0; i < N; i++) acc += pick();
  return acc;
};

const selector = new WeightedSelector(WEIGHTS, 42);
const binary = naiveBinary(WEIGHTS);
const linear = naiveLinear(WEIGHTS);

const reg = new Registry('bench', 7);
WEIGHTS.forEach((w, i) => reg.createDeployment({ model: 'llama', id: `d${i}`, minReplicas: w, maxReplicas: w }));
reg.createRouter({ id: 'r', deployments: WEIGHTS.map((_, i) => `d${i}`) });

const rows = timeAll([
  ['wasm `WeightedSelector.pickMany(1e6)`', () => selector.pickMany(N)[N - 1]],
  ['naive JS batch: cumulative + binary search', batchOf(binary)],
  ['naive JS batch: linear scan', batchOf(linear)],
  ['wasm `WeightedSelector.pick()` per call', callsOf(() => selector.pick())],
  ['naive JS per call: cumulative + binary search', callsOf(binary)],
  ['naive JS per call: linear scan', callsOf(linear)],
  ['wasm `WeightedSelector.counts(1e6)`', () => selector.counts(N)[0]],
  ['wasm `Registry.route` (10-deployment router)', () => {
    let last;
    for (let i = 0; i < N; i++) last = reg.route('accounts/bench/routers/r', 'bench');
    return last.length;
  }],
]);

console.log(`Node ${process.version}, ${WEIGHTS.length} weights, ${N.toLocaleString('en-US')} picks per run, median of ${RUNS} runs\n`);
console.log('| what | ns per pick |');
console.log('| --- | ---: |');
for (const [what, ns] of rows) console.log(`| ${what} | ${ns.toFixed(1)} |`);
const [many, naiveBatch, , one, naiveCall, linearCall] = rows.map((r) => r[1]);
console.log(`\npickMany vs naive batch (binary search): ${(naiveBatch / many).toFixed(2)}x faster (target >= 3x)`);
console.log(`pick() vs naive per call: ${(naiveCall / one).toFixed(2)}x (binary search), ${(linearCall / one).toFixed(2)}x (linear scan) (target >= 1x)`);
selector.free();
reg.free();
