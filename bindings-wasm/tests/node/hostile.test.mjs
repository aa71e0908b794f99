// SPEC E1, E2: no input poisons the instance. At least 10,000 calls with
// random strings, numbers (NaN, negative, huge, fractions), bigints, wrong
// types, undefined, nested arrays and objects, throwing getters and revoked
// proxies. Every call either returns or throws an Error instance; afterwards
// the same objects and the module still work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DirectRoute, MigrationPlan, Region, RegionCatalog, Registry, SessionAffinity, WeightedRoundRobin, WeightedSelector,
  chiSquare, expectedCounts, sessionHash, strategies,
} from 'replica-router';

// Deterministic: xorshift32 with a fixed seed (override with HOSTILE_SEED).
let state = Number(process.env.HOSTILE_SEED ?? 0x9e3779b9) >>> 0 || 1;
function rand() {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 2 ** 32;
}
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];

const GOOD_STRINGS = ['my-account', 'a', 'b', 'd', 'r', 'ab-test', 'accounts/my-account/deployments/a',
  'accounts/my-account/routers/r', 'accounts/other/routers/r', 'US_IOWA_1', 'us-arizona-1', 'EU_PARIS_1',
  'Bearer key1', 'bearer k', 'weighted-random', 'session-affinity', 'weighted-round-robin', 'llama', 'key1'];
function randomString() {
  switch (int(8)) {
    case 0: return pick(GOOD_STRINGS);
    case 1: return '';
    case 2: return 'x'.repeat(int(400));
    case 3: return String.fromCharCode(...Array.from({ length: int(20) }, () => int(0x10000))); // lone surrogates too
    case 4: return pick(GOOD_STRINGS) + pick(['/', '//', '\u0000', ' ', '-', '_', 'é', '\n']) + pick(GOOD_STRINGS);
    case 5: return 'accounts/' + pick(GOOD_STRINGS) + '/' + pick(['routers', 'deployments', 'models', 'x']) + '/' + pick(GOOD_STRINGS);
    case 6: return JSON.stringify({ format_version: pick([1, 2, -1, 1.5, 'x', null]), account: randomString() });
    default: return Array.from({ length: int(12) }, () => pick('abcXYZ019-_/ .:{}[]"\\')).join('');
  }
}
const NUMBERS = [0, 1, 2, 3, 5, 64, 65, 100, -1, -0, 0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32 - 1,
  2 ** 32, 2 ** 53, 2 ** 53 - 1, 2 ** 64, 1e300, -1e300, Number.MIN_VALUE, Number.EPSILON, -(2 ** 53)];
function randomNumber() {
  return int(3) === 0 ? int(2000) - 1000 : pick(NUMBERS);
}
function throwingGetter() {
  const fail = () => { throw Object.assign(new Error('getter'), { code: 'USER_GETTER' }); };
  return { get model() { return fail(); }, get deployments() { return fail(); }, get canonical() { return fail(); } };
}
function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}
const SPEC_KEYS = ['model', 'id', 'region', 'minReplicas', 'maxReplicas', 'directRouteApiKeys', 'deployments',
  'displayName', 'strategy', 'public', 'catalog', 'domain', 'typo'];
function randomValue(depth = 0) {
  switch (int(depth > 2 ? 6 : 14)) {
    case 0: case 1: return randomString();
    case 2: case 3: return randomNumber();
    case 4: return pick([undefined, null, true, false]);
    case 5: return pick([0n, 1n, -1n, 42n, 2n ** 64n, 2n ** 64n - 1n, 2n ** 53n]);
    case 6: case 7: return Array.from({ length: int(5) }, () => randomValue(depth + 1));
    case 8: case 9: {
      const o = {};
      for (let i = int(5); i > 0; i--) o[pick(SPEC_KEYS)] = randomValue(depth + 1);
      return o;
    }
    case 10: return pick([new Uint32Array(int(4)).map(() => int(5)), new Uint8Array(pick([0, 31, 32, 33])),
      new Float64Array(2), new ArrayBuffer(8)]);
    case 11: return pick([Symbol('s'), () => 1, new Date(0), /x/, new Map(), Object.create(null)]);
    case 12: return throwingGetter();
    default: return revokedProxy();
  }
}
/** `n` for batch calls: the random value, except valid huge ones (slow, not unsafe) are reduced. */
function randomCount() {
  const v = randomValue();
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 100_000) return v % 100_000;
  if (typeof v === 'bigint' && v >= 0n && v < 2n ** 53n && v > 100_000n) return v % 100_000n;
  return v;
}

function fixture() {
  const reg = new Registry('my-account', 1);
  reg.createDeployment({ model: 'llama', id: 'a', minReplicas: 3, maxReplicas: 3 });
  reg.createDeployment({ model: 'llama', id: 'b', minReplicas: 2, maxReplicas: 2 });
  reg.createRouter({ id: 'r', deployments: ['a', 'b'] });
  const plan = reg.planMigration({ router: 'r', from: 'a', to: 'c', trafficSteps: [50, 100] });
  return { reg, plan, sel: new WeightedSelector([3, 2], 1), route: new DirectRoute('US_IOWA_1', ['key1']),
    region: new Region('US_IOWA_1'), catalog: RegionCatalog.default(), rr: new WeightedRoundRobin([3, 2]),
    affinity: new SessionAffinity([['a', 3], ['b', 2]]) };
}

test('E2: 15,000 hostile calls throw only Errors and poison nothing', () => {
  const f = fixture();
  const v = () => randomValue();
  // Plausible values: the right type most of the time, so calls get past the
  // type checks and into core.
  const s = () => (int(4) ? randomString() : v());
  const n = () => (int(4) ? randomNumber() : v());
  const b = () => (int(4) ? int(2) === 1 : v());
  const ss = () => (int(5) ? Array.from({ length: int(4) }, s) : v());
  const dep = () => pick(['a', 'b', 'accounts/my-account/deployments/a', s()]);
  const ops = [
    () => new Registry(v(), v(), v()),
    () => Registry.fromJson(v()),
    () => Registry.fromJson(pick([f.reg.toJson().slice(0, int(600)), f.reg.toJson().replace(/\d/, pick(['-1', '1e9', '9'.repeat(30), 'null']))])),
    () => f.reg.createDeployment(v()),
    () => f.reg.createDeployment({ model: pick(['llama', s()]), id: s(), minReplicas: n(), maxReplicas: n() }),
    () => f.reg.createDeployment({ model: 'llama', id: s(), region: pick(['US_IOWA_1', s()]), directRouteApiKeys: pick([['key1'], ss()]) }),
    () => f.reg.updateDeployment(v(), v()),
    () => f.reg.updateDeployment(dep(), { minReplicas: n(), maxReplicas: n() }),
    () => f.reg.deleteDeployment(v()),
    () => f.reg.getDeployment(v()),
    () => f.reg.listDeployments(),
    () => f.reg.directRoute(v()),
    () => f.reg.createRouter(v()),
    () => f.reg.createRouter({ deployments: [dep(), dep()], id: s(), strategy: pick([...strategies(), s()]), public: b(), displayName: s() }),
    () => f.reg.updateRouter(v(), v()),
    () => f.reg.updateRouter(pick(['r', s()]), { deployments: pick([[dep(), dep()], ss()]), displayName: s(), strategy: pick([...strategies(), s()]) }),
    () => f.reg.deleteRouter(pick(['r', v()])),
    () => f.reg.getRouter(v()),
    () => f.reg.listRouters(),
    () => f.reg.trafficSplit(pick(['r', v()])),
    () => f.reg.route(pick(['r', s()]), pick(['my-account', s()])),
    () => f.reg.setAccount(pick(['my-account', s()])),
    () => f.reg.toJson(),
    () => new WeightedSelector(v(), v()),
    () => new WeightedSelector(pick([[3, 2], [n(), n(), n()], v()]), pick([1, n()])).pickMany(randomCount()),
    () => f.sel.pick(),
    () => f.sel.pickMany(randomCount()),
    () => f.sel.counts(randomCount()),
    () => new Region(s()),
    () => f.region.supportsDirectRouting(v()),
    () => f.region.equals(v()),
    () => new RegionCatalog(ss()),
    () => f.catalog.supports(s()),
    () => f.catalog.check(v()),
    () => new DirectRoute(v(), v(), v()),
    () => new DirectRoute(pick(['US_IOWA_1', s()]), pick([['key1'], ss()]), pick([{ domain: s() }, { catalog: ss() }, v()])),
    () => f.route.authorize(pick(['Bearer key1', s()])),
    () => f.route.handle(s(), s()),
    () => f.route.baseUrl(s(), pick([undefined, s()])),
    () => f.reg.routeRequest(v()),
    () => f.reg.routeRequest({ model: pick(['r', s()]), callerAccount: pick(['my-account', s()]), sessionKey: s(), cursor: n() }),
    () => f.reg.planMigration(v()),
    () => f.reg.planMigration({ router: pick(['r', s()]), from: dep(), to: pick(['c', 'b', s()]),
      targetReplicas: n(), ...(int(2) ? { trafficSteps: pick([[50, 100], [100], [n(), n(), 100], ss()]) } : { maxStepPercent: n() }),
      minTotalReplicas: pick([undefined, n()]), maxTotalReplicas: pick([undefined, n()]) }),
    () => f.reg.applyStep(pick([f.plan, f.plan, v()]), n()),
    () => f.plan.rollback(n()),
    () => f.plan.steps,
    () => f.plan.table(),
    () => MigrationPlan.fromJson(pick([v(), f.plan.toJson().slice(0, int(900))])),
    () => new WeightedRoundRobin(v()),
    () => f.rr.pick(n()),
    () => f.rr.nextCursor(n()),
    () => f.rr.pickMany(n(), randomCount()),
    () => new SessionAffinity(v()),
    () => new SessionAffinity([[s(), n()], [s(), n()]]),
    () => f.affinity.pick(s()),
    () => f.affinity.pickHashed(pick([n(), v()])),
    () => sessionHash(s()),
    () => chiSquare(pick([[n(), n()], v()]), pick([[n(), n()], v()])),
    () => expectedCounts(n(), pick([[n(), n()], v()])),
  ];
  const N = 15_000;
  const seenCodes = new Map();
  let returned = 0;
  for (let i = 0; i < N; i++) {
    const op = pick(ops);
    try {
      op();
      returned++;
    } catch (e) {
      if (!(e instanceof Error)) {
        assert.fail(`call ${i} (${op.toString()}) threw a non-Error: ${String(e)}`);
      }
      if (e.code === undefined) {
        // Only the engine (a revoked proxy) throws without a code; a
        // non-plan passed as a plan is a coded TypeError (issue 15.10).
        assert.match(e.message, /revoked/, `call ${i} (${op.toString()}): ${e.name} without code: ${e.message}`);
      }
      const key = `${e.name}:${e.code ?? '-'}`;
      seenCodes.set(key, (seenCodes.get(key) ?? 0) + 1);
    }
    if (f.reg.account !== 'my-account' && int(4) === 0) f.reg.setAccount('my-account');
  }
  // Every error has a code, except the engine's above (user getters throw code USER_GETTER).
  for (const key of seenCodes.keys()) {
    assert.ok(!key.endsWith(':-') || key === 'TypeError:-', `unexpected error ${key}`);
  }
  assert.ok(seenCodes.has('TypeError:INVALID_ARGUMENT'));
  assert.ok(returned > 500, `only ${returned} calls returned normally`);
  if (process.env.HOSTILE_VERBOSE) console.log(returned, [...seenCodes].sort());
  assert.ok(seenCodes.size > 15, `only ${seenCodes.size} kinds of errors: ${[...seenCodes.keys()]}`);

  // The objects used in the loop still work.
  f.reg.setAccount('my-account');
  const json = f.reg.toJson();
  assert.equal(Registry.fromJson(json).toJson(), json);
  f.reg.listRouters();
  assert.equal(typeof f.sel.pick(), 'number');
  assert.equal(f.sel.pickMany(100).length, 100);
  f.route.authorize('Bearer key1');
  assert.equal(f.rr.pickMany(0, 5).length, 5);
  assert.equal(typeof f.affinity.pick('k').replica, 'number');
  assert.equal(MigrationPlan.fromJson(f.plan.toJson()).toJson(), f.plan.toJson());
  // And the module: the reference scenario from scratch.
  const g = fixture();
  assert.deepEqual(g.reg.trafficSplit('r').shares.map((s) => s.percent), [60, 40]);
  assert.deepEqual(Array.from(new WeightedSelector([3, 2], 42).pickMany(4)), [1, 0, 1, 0]);
});

test('E2: a getter that calls back into the same object is refused, and the object keeps working', () => {
  const reg = new Registry('my-account', 1);
  const spec = { get model() { reg.createDeployment({ model: 'x', id: 'inner' }); return 'm'; } };
  assert.throws(() => reg.createDeployment(spec),
    { name: 'TypeError', code: 'INVALID_ARGUMENT', message: /used by an argument \(a getter or proxy\) while a call on it was running/ });
  assert.equal(reg.listDeployments().length, 0);
  reg.createDeployment({ model: 'm', id: 'a' });
  assert.equal(reg.listDeployments().length, 1);
  // Freeing the object from inside its own call is refused too; the module stays usable.
  const evil = { get model() { reg.free(); return 'm'; } };
  assert.throws(() => reg.createDeployment(evil), { name: 'TypeError', code: 'INVALID_ARGUMENT', message: /freed by an argument/ });
  assert.throws(() => reg.listDeployments(), { name: 'TypeError', code: 'OBJECT_FREED' });
  const fresh = new Registry('my-account', 1);
  fresh.createDeployment({ model: 'm', id: 'a' });
  assert.equal(fresh.listDeployments().length, 1);
});

test('E2: oversized strings and arrays are refused before they are copied into wasm memory', () => {
  assert.throws(() => Registry.fromJson('x'.repeat(64 * 1024 * 1024 + 1)), { name: 'RangeError', code: 'OUT_OF_RANGE' });
  assert.throws(() => new WeightedSelector(new Array(2 ** 32 - 1), 1), RangeError);
  assert.throws(() => new Registry('my-account', 1).createRouter({ deployments: new Array(2 ** 21) }), RangeError);
  assert.throws(() => new WeightedSelector([1], 1).pickMany(2 ** 28 + 1), { code: 'LIMIT_EXCEEDED' });
});

test('E2: a huge array-like length is shown in full, as Rust shows the number', () => {
  const withLength = (length) => new Proxy([], { get: (t, k) => (k === 'length' ? length : Reflect.get(t, k)) });
  for (const [length, shown] of [
    [2 ** 32, '4294967296'],
    [2 ** 60, '1152921504606847000'],
    [2 ** 70, '1180591620717411300000'],
    [1.5e25, '15000000000000000000000000'],
    [Number.MAX_VALUE, `17976931348623157${'0'.repeat(292)}`],
  ]) {
    assert.throws(() => new WeightedSelector(withLength(length), 1), {
      name: 'RangeError',
      code: 'OUT_OF_RANGE',
      message: `weights has ${shown} elements, at most 1048576 are accepted`,
    });
  }
});
