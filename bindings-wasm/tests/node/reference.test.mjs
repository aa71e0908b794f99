// SPEC R4, R5, R6: the reference facts, through the package as a user imports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, strategies, version } from 'replica-router';

const MODEL = 'accounts/fireworks/models/llama-v3p1-8b-instruct';

function abTest(seed = 42) {
  const reg = new Registry('my-account', seed);
  reg.createDeployment({ model: MODEL, id: 'deployment-a', minReplicas: 3, maxReplicas: 3 });
  reg.createDeployment({ model: MODEL, id: 'deployment-b', minReplicas: 2, maxReplicas: 2 });
  reg.createRouter({ id: 'ab-test', deployments: ['deployment-a', 'deployment-b'] });
  return reg;
}

test('R5: 3 and 2 replicas split exactly 3/5 and 2/5 (60/40)', () => {
  const split = abTest().trafficSplit('ab-test');
  assert.equal(split.router, 'accounts/my-account/routers/ab-test');
  assert.equal(split.totalReplicas, 5);
  assert.deepEqual(
    split.shares.map((s) => [s.deployment, s.replicas, s.numerator, s.denominator, s.percent]),
    [
      ['accounts/my-account/deployments/deployment-a', 3, 3, 5, 60],
      ['accounts/my-account/deployments/deployment-b', 2, 2, 5, 40],
    ],
  );
});

test('R5: the migration example, 4 and 1 replicas, splits 80/20, then 1 and 4 splits 20/80', () => {
  const reg = new Registry('my-account', 1);
  reg.createDeployment({ model: MODEL, id: 'current-deployment', minReplicas: 4, maxReplicas: 4 });
  reg.createRouter({ id: 'my-router', deployments: ['current-deployment'] });
  assert.equal(reg.trafficSplit('my-router').shares[0].percent, 100);
  // A new deployment starts with 1 replica (D1).
  assert.equal(reg.createDeployment({ model: MODEL, id: 'new-deployment' }).replicas, 1);
  reg.updateRouter('my-router', { deployments: ['current-deployment', 'new-deployment'] });
  let split = reg.trafficSplit('my-router');
  assert.deepEqual(split.shares.map((s) => [s.numerator, s.denominator]), [[4, 5], [1, 5]]);
  assert.deepEqual(split.shares.map((s) => s.percent), [80, 20]);
  reg.updateDeployment('new-deployment', { minReplicas: 4, maxReplicas: 4 });
  reg.updateDeployment('current-deployment', { minReplicas: 1, maxReplicas: 1 });
  split = reg.trafficSplit('my-router');
  assert.deepEqual(split.shares.map((s) => s.percent), [20, 80]);
  // D2: scale to zero; the router then sends everything to new-deployment.
  reg.updateDeployment('current-deployment', { minReplicas: 0, maxReplicas: 0 });
  assert.deepEqual(reg.trafficSplit('my-router').shares.map((s) => s.percent), [0, 100]);
  for (let i = 0; i < 100; i++) {
    assert.equal(reg.route('my-router', 'my-account'), 'accounts/my-account/deployments/new-deployment');
  }
});

test('R6: routing 100,000 requests to ab-test lands near 60/40', () => {
  const reg = abTest(7);
  const seen = new Map();
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const d = reg.route('accounts/my-account/routers/ab-test', 'my-account');
    seen.set(d, (seen.get(d) ?? 0) + 1);
  }
  const a = seen.get('accounts/my-account/deployments/deployment-a');
  const b = seen.get('accounts/my-account/deployments/deployment-b');
  assert.equal(a + b, n);
  // Chi-square with 1 degree of freedom against the exact 3/5 : 2/5;
  // 10.83 is the 0.001 critical value.
  const chi = (a - 0.6 * n) ** 2 / (0.6 * n) + (b - 0.4 * n) ** 2 / (0.4 * n);
  assert.ok(chi < 10.83, `chi-square ${chi} for ${a}/${b}`);
});

test('R6: a bare router ID and a deployment name route too', () => {
  const reg = abTest();
  assert.match(reg.route('ab-test', 'my-account'), /^accounts\/my-account\/deployments\/deployment-[ab]$/);
  assert.equal(reg.route('accounts/my-account/deployments/deployment-b', 'my-account'),
    'accounts/my-account/deployments/deployment-b');
});

test('R4: routing to a deleted router fails at once with NotFoundError', () => {
  const reg = abTest();
  reg.route('ab-test', 'my-account');
  reg.deleteRouter('ab-test');
  assert.throws(() => reg.route('accounts/my-account/routers/ab-test', 'my-account'),
    (e) => e instanceof Error && e.name === 'NotFoundError' && e.code === 'NOT_FOUND');
  assert.throws(() => reg.getRouter('ab-test'), { name: 'NotFoundError', code: 'NOT_FOUND' });
});

test('R6: another account\'s private router is refused; a public one is open', () => {
  const reg = abTest();
  assert.throws(() => reg.route('accounts/my-account/routers/ab-test', 'other-account'),
    (e) => e instanceof Error && e.name === 'PermissionDeniedError' && e.code === 'PERMISSION_DENIED'
      && e.message.includes('other-account'));
  reg.updateRouter('ab-test', { public: true });
  assert.match(reg.route('accounts/my-account/routers/ab-test', 'other-account'), /deployment-[ab]$/);
  // Deployments stay private (R6).
  assert.throws(() => reg.route('accounts/my-account/deployments/deployment-a', 'other-account'),
    { code: 'PERMISSION_DENIED' });
});

test('R1, T2: routers and deployments read back as plain objects, listed by name', () => {
  const reg = abTest();
  reg.createRouter({ id: 'aaa', deployments: ['deployment-b'], displayName: 'First', model: 'llama', public: true });
  const r = reg.getRouter('aaa');
  assert.deepEqual(r, {
    name: 'accounts/my-account/routers/aaa', account: 'my-account', id: 'aaa', displayName: 'First',
    model: 'accounts/my-account/models/llama', strategy: 'weighted-random', sessionAffinity: false, public: true,
    deployments: ['accounts/my-account/deployments/deployment-b'], autoGenerated: false,
  });
  assert.deepEqual(reg.listRouters().map((x) => x.id), ['aaa', 'ab-test']);
  assert.deepEqual(reg.listDeployments().map((x) => [x.id, x.replicas, x.region]),
    [['deployment-a', 3, null], ['deployment-b', 2, null]]);
  assert.deepEqual(reg.getDeployment('deployment-a'), {
    name: 'accounts/my-account/deployments/deployment-a', account: 'my-account', id: 'deployment-a',
    model: MODEL, region: null, minReplicas: 3, maxReplicas: 3, replicas: 3, directRoute: null,
  });
});

test('N3: a router without an ID gets 8 generated characters, the same for the same seed', () => {
  const ids = [1, 2].map(() => {
    const reg = abTest(99);
    return reg.createRouter({ deployments: ['deployment-a'] }).id;
  });
  assert.match(ids[0], /^[a-z0-9]{8}$/);
  assert.equal(ids[0], ids[1]);
});

test('R3: a failed update leaves the registry exactly as before', () => {
  const reg = abTest();
  const before = reg.toJson();
  assert.throws(() => reg.updateRouter('ab-test', { deployments: ['deployment-a', 'missing'], public: true }),
    { code: 'NOT_FOUND' });
  assert.throws(() => reg.updateDeployment('deployment-a', { minReplicas: 5, maxReplicas: 4 }),
    { code: 'INVALID_REPLICA_BOUNDS' });
  assert.equal(reg.toJson(), before);
});

test('R7: strategies lists the accepted names and a router takes one', () => {
  const names = strategies();
  assert.ok(names.includes('weighted-random'));
  const reg = abTest();
  for (const s of names) {
    assert.equal(reg.updateRouter('ab-test', { strategy: s }).strategy, s);
  }
  assert.match(version(), /^\d+\.\d+\.\d+/);
});
