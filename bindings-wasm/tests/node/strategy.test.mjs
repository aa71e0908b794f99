// SPEC R7-R9 strategies, route requests, and the goodness-of-fit helpers (S2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  Registry, SessionAffinity, WeightedRoundRobin, WeightedSelector, chiSquare, expectedCounts, sessionHash,
} from 'replica-router';

test('R7: weighted round-robin interleaves smoothly; every window of `total` picks is exact', () => {
  const rr = new WeightedRoundRobin([3, 2]);
  assert.deepEqual(Array.from(rr.pickMany(0, 5)), [0, 1, 0, 1, 0]);
  assert.equal(rr.nextCursor(4), 0);
  assert.equal(rr.nextCursor(7n), 3);
  assert.equal(rr.pick(5), rr.pick(0));
  assert.equal(rr.total, 5);
  const w = [5, 0, 3, 1];
  const big = new WeightedRoundRobin(w);
  const picks = big.pickMany(2, 9 * 50 + 4);
  for (let start = 0; start + 9 <= picks.length; start += 7) {
    const counts = [0, 0, 0, 0];
    for (const p of picks.subarray(start, start + 9)) counts[p]++;
    assert.deepEqual(counts, w);
  }
  // pickMany continues exactly like repeated pick/nextCursor, across chunks.
  let cursor = 123n;
  const many = big.pickMany(cursor, 5000);
  for (const p of many) {
    assert.equal(p, big.pick(cursor));
    cursor = BigInt(big.nextCursor(cursor));
  }
});

test('R7: session affinity keeps a key on its deployment and replica slot', () => {
  const affinity = new SessionAffinity([['deployment-a', 3], ['deployment-b', 2]]);
  assert.equal(affinity.length, 2);
  assert.equal(affinity.total, 5);
  const pick = affinity.pick('conversation-42');
  assert.deepEqual(affinity.pick('conversation-42'), pick);
  assert.ok(pick.replica < [3, 2][pick.deployment]);
  assert.deepEqual(affinity.pickHashed(sessionHash('conversation-42')), pick);
  // SPEC R7: adding one replica to a router of 5 moves about 1/6 of the keys, all onto the new one.
  const grown = new SessionAffinity([['deployment-a', 3], ['deployment-b', 3]]);
  let moved = 0;
  for (let i = 0; i < 6000; i++) {
    const a = affinity.pick(`key-${i}`);
    const b = grown.pick(`key-${i}`);
    if (a.deployment !== b.deployment || a.replica !== b.replica) {
      moved++;
      assert.deepEqual(b, { deployment: 1, replica: 2 });
    }
  }
  assert.ok(moved > 800 && moved < 1200, `${moved} of 6000 moved`);
  assert.throws(() => new SessionAffinity([['a', 1], ['a', 2]]), { code: 'DUPLICATE_DEPLOYMENT' });
  assert.throws(() => new SessionAffinity([['a', 1, 2]]), RangeError);
  assert.throws(() => new SessionAffinity([['a', 70000]]), { code: 'LIMIT_EXCEEDED' });
});

test('R7: sessionHash is the 64-bit hash core documents', () => {
  // The value core's doctest pins for the empty key.
  const src = readFileSync(new URL('../../../core/src/strategy/affinity.rs', import.meta.url), 'utf8');
  const pinned = src.match(/session_hash\(""\), (0x[0-9a-f_]+)\)/);
  assert.ok(pinned, 'pinned session_hash("") not found in core');
  assert.equal(sessionHash(''), BigInt(pinned[1].replaceAll('_', '')));
  assert.equal(typeof sessionHash('x'), 'bigint');
  assert.throws(() => sessionHash(1), TypeError);
});

test('R6, R7: routeRequest with a cursor or a session key', () => {
  const reg = new Registry('my-account', 9);
  reg.createDeployment({ model: 'm', id: 'a', minReplicas: 3, maxReplicas: 3 });
  reg.createDeployment({ model: 'm', id: 'b', minReplicas: 2, maxReplicas: 2 });
  reg.createRouter({ id: 'rr', deployments: ['a', 'b'], strategy: 'weighted-round-robin' });
  reg.createRouter({ id: 'sticky', deployments: ['a', 'b'], sessionAffinity: true });
  reg.createRouter({ id: 'random', deployments: ['a', 'b'] });
  let cursor = 0;
  const seen = [];
  for (let i = 0; i < 5; i++) {
    const d = reg.routeRequest({ model: 'rr', callerAccount: 'my-account', cursor });
    seen.push(d.deployment.split('/').pop());
    assert.equal(d.replica, null);
    cursor = d.nextCursor;
  }
  assert.deepEqual(seen, ['a', 'b', 'a', 'b', 'a']);
  assert.equal(cursor, 0);
  const first = reg.routeRequest({ model: 'sticky', callerAccount: 'my-account', sessionKey: 'user-7' });
  assert.equal(typeof first.replica, 'number');
  assert.equal(first.nextCursor, null);
  for (let i = 0; i < 20; i++) {
    assert.deepEqual(reg.routeRequest({ model: 'sticky', callerAccount: 'my-account', sessionKey: 'user-7' }), first);
  }
  const plain = reg.routeRequest({ model: 'random', callerAccount: 'my-account' });
  assert.deepEqual(Object.keys(plain), ['deployment', 'replica', 'nextCursor']);
  assert.throws(() => reg.routeRequest({ model: 'rr', callerAccount: 'my-account', cursor: -1 }), RangeError);
  assert.throws(() => reg.routeRequest({ model: 'rr', caller: 'my-account' }), TypeError);
});

const A = 'accounts/my-account/deployments/a';
const B = 'accounts/my-account/deployments/b';

function evenLoadRegistry(seed, strategy = 'even-load', sessionAffinity = false) {
  const reg = new Registry('my-account', seed);
  reg.createDeployment({ model: 'm', id: 'a', minReplicas: 3, maxReplicas: 3 });
  reg.createDeployment({ model: 'm', id: 'b', minReplicas: 2, maxReplicas: 2 });
  reg.createRouter({ id: 'r', deployments: ['a', 'b'], strategy, sessionAffinity });
  return reg;
}

test('R8: even-load without load is exactly weighted-random', () => {
  const even = evenLoadRegistry(5);
  const random = evenLoadRegistry(5, 'weighted-random');
  const load = even.loadTracker('r');
  assert.deepEqual(load.deployments, [A, B]);
  const request = { model: 'r', callerAccount: 'my-account' };
  for (let i = 0; i < 300; i++) {
    const expected = random.routeRequest(request).deployment;
    const got = i % 2 ? even.routeRequestWithLoad(request, load) : even.routeRequest(request);
    assert.equal(got.deployment, expected);
  }
  load.free();
});

test('R8: even-load picks the lowest in-flight per replica; started/finished/set/inFlight', () => {
  const reg = evenLoadRegistry(1);
  const load = reg.loadTracker('r');
  const request = { model: 'r', callerAccount: 'my-account' };
  load.set(A, 4); // 4/3 per replica
  load.set(B, 2n); // 1 per replica
  assert.equal(reg.routeRequestWithLoad(request, load).deployment, B);
  assert.equal(load.started(B), 3); // 3/2 now: a is lower
  assert.equal(reg.routeRequestWithLoad(request, load).deployment, A);
  assert.equal(load.finished(B), 2);
  assert.equal(load.inFlight(A), 4);
  load.set(A, 0);
  load.set(B, 0);
  for (let i = 0; i < 50; i++) load.started(reg.routeRequestWithLoad(request, load).deployment);
  assert.deepEqual([load.inFlight(A), load.inFlight(B)], [30, 20]);
  assert.throws(() => load.started('deployment-a'), { name: 'NotFoundError', code: 'NOT_FOUND' });
  assert.throws(() => load.set(A, -1), RangeError);
  assert.throws(() => load.started(7), TypeError);
  // A tracker that misses one of the router's deployments is an error.
  reg.createDeployment({ model: 'm', id: 'c' });
  reg.updateRouter('r', { deployments: ['a', 'c'] });
  assert.throws(() => reg.routeRequestWithLoad(request, load), (e) => e.code === 'NOT_FOUND' && e.message.includes('deployments/c'));
  load.free();
});

test('R9: session affinity is a router flag, valid with every strategy', () => {
  const request = { model: 'r', callerAccount: 'my-account' };
  for (const strategy of ['weighted-random', 'even-load', 'weighted-round-robin']) {
    const reg = evenLoadRegistry(3, strategy, true);
    const router = reg.getRouter('r');
    assert.deepEqual([router.strategy, router.sessionAffinity], [strategy, true]);
    const reference = evenLoadRegistry(3, 'weighted-random', true);
    const load = reg.loadTracker('r');
    load.set(A, 100);
    for (let i = 0; i < 40; i++) {
      const keyed = { ...request, sessionKey: `user-${i}`, cursor: 1 };
      const d = reg.routeRequestWithLoad(keyed, load);
      assert.deepEqual(d, reference.routeRequest({ ...request, sessionKey: `user-${i}` }));
      assert.equal(typeof d.replica, 'number');
    }
    load.free();
  }
  const reg = evenLoadRegistry(3, 'weighted-round-robin');
  assert.equal(reg.getRouter('r').sessionAffinity, false);
  let r = reg.updateRouter('r', { sessionAffinity: true });
  assert.deepEqual([r.strategy, r.sessionAffinity], ['weighted-round-robin', true]);
  r = reg.updateRouter('r', { strategy: 'even-load' });
  assert.deepEqual([r.strategy, r.sessionAffinity], ['even-load', true]);
  assert.throws(() => reg.updateRouter('r', { strategy: 'session-affinity' }), { code: 'INVALID_STRATEGY' });
  assert.throws(() => reg.updateRouter('r', { sessionAffinity: 'yes' }), TypeError);
});

test('T3: a version-1 snapshot loads with session affinity as a flag', () => {
  const v1 = readFileSync(new URL('../../../testdata/snapshots/v1.json', import.meta.url), 'utf8');
  const reg = Registry.fromJson(v1);
  const sticky = reg.getRouter('sticky');
  assert.deepEqual([sticky.strategy, sticky.sessionAffinity], ['weighted-random', true]);
  assert.equal(JSON.parse(reg.toJson()).format_version, 3);
});

test('S2: expectedCounts and chiSquare from core', () => {
  assert.deepEqual(Array.from(expectedCounts(100_000, [3, 2])), [60_000, 40_000]);
  const exact = chiSquare([60_000, 40_000], [3, 2]);
  assert.deepEqual(exact, { statistic: 0, degreesOfFreedom: 1, pValue: 1 });
  const observed = new WeightedSelector([3, 2], 7).counts(100_000);
  const fit = chiSquare(observed, new Uint32Array([3, 2]));
  assert.ok(fit.pValue > 0.001 && fit.pValue <= 1, JSON.stringify(fit));
  assert.equal(chiSquare([1, 2], [1]), null);
  assert.equal(chiSquare([1, 1], [0, 1]).pValue, 0);
  assert.throws(() => chiSquare([1.5, 2], [1, 1]), RangeError);
});
