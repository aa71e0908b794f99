// SPEC T1: JSON snapshots round-trip exactly; bad JSON is an error, never a partial state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'replica-router';

function populated() {
  const reg = new Registry('my-account', 42n);
  reg.createDeployment({ model: 'llama', id: 'deployment-a', minReplicas: 3, maxReplicas: 3 });
  reg.createDeployment({ model: 'llama', id: 'deployment-b', minReplicas: 2, maxReplicas: 2 });
  reg.createDeployment({
    model: 'llama', id: 'direct', region: 'us-arizona-1', directRouteApiKeys: ['secretKey1', 'secretKey2'],
  });
  reg.createRouter({ id: 'ab-test', deployments: ['deployment-a', 'deployment-b'], displayName: 'A/B' });
  reg.createRouter({ deployments: ['deployment-b'], public: true });
  for (let i = 0; i < 17; i++) reg.route('ab-test', 'my-account');
  reg.setAccount('other-account');
  reg.createDeployment({ model: 'accounts/my-account/models/llama', id: 'theirs' });
  reg.setAccount('my-account');
  return reg;
}

test('T1: toJson -> fromJson -> toJson is byte-for-byte the same', () => {
  const reg = populated();
  const json = reg.toJson();
  const copy = Registry.fromJson(json);
  assert.equal(copy.toJson(), json);
  assert.equal(copy.account, 'my-account');
  assert.deepEqual(copy.listRouters(), reg.listRouters());
  assert.deepEqual(copy.listDeployments(), reg.listDeployments());
  assert.deepEqual(copy.seed, reg.seed);
  const parsed = JSON.parse(json);
  assert.equal(parsed.format_version, 3);
});

test('T1: a loaded registry makes the same routing decisions (generator positions included)', () => {
  const reg = populated();
  const copy = Registry.fromJson(reg.toJson());
  for (let i = 0; i < 200; i++) {
    assert.equal(copy.route('ab-test', 'my-account'), reg.route('ab-test', 'my-account'));
  }
  const a = reg.createRouter({ deployments: ['deployment-a'] });
  const b = copy.createRouter({ deployments: ['deployment-a'] });
  assert.equal(a.id, b.id);
});

test('G6, T1: API keys are stored as digests only, and still authorize after a round trip', () => {
  const reg = populated();
  const json = reg.toJson();
  assert.ok(!json.includes('secretKey1'));
  const route = Registry.fromJson(json).directRoute('direct');
  route.authorize('Bearer secretKey2');
  assert.throws(() => route.authorize('Bearer secretKey3'), { name: 'AuthError', code: 'FORBIDDEN' });
});

test('T1: bad snapshots are typed errors and change nothing', () => {
  const json = populated().toJson();
  assert.throws(() => Registry.fromJson('{'), { name: 'ValidationError', code: 'INVALID_JSON' });
  assert.throws(() => Registry.fromJson(''), { code: 'INVALID_JSON' });
  assert.throws(() => Registry.fromJson(json.replace('"format_version": 3', '"format_version": 4')),
    { code: 'UNSUPPORTED_FORMAT_VERSION' });
  const broken = JSON.parse(json);
  broken.deployments[0].min_replicas = 9;
  assert.throws(() => Registry.fromJson(JSON.stringify(broken)), (e) => {
    assert.equal(e.code, 'INVALID_SNAPSHOT');
    assert.ok(e.cause instanceof Error);
    assert.equal(e.cause.code, 'INVALID_REPLICA_BOUNDS');
    return true;
  });
  assert.throws(() => Registry.fromJson(42), { name: 'TypeError', code: 'INVALID_ARGUMENT' });
});
