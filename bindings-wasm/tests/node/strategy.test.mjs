// SPEC R7 strategies, route requests, and the goodness-of-fit helpers (S2).
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
  reg.createRouter({ id: 'sticky', deployments: ['a', 'b'], strategy: 'session-affinity' });
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
