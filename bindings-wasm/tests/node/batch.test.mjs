// Issue 19.10, 19.11, 19.14 through JS: one step numbering, clearing a
// router's display name and model, applyPlan and routeMany (core APIs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'replica-router';

function reference() {
  const reg = new Registry('my-account', 42);
  reg.createDeployment({ model: 'llama-v3p1-8b-instruct', id: 'current-deployment', minReplicas: 4, maxReplicas: 4 });
  reg.createRouter({ id: 'my-router', deployments: ['current-deployment'] });
  const plan = reg.planMigration({
    router: 'my-router', from: 'current-deployment', to: 'new-deployment', targetReplicas: 4, trafficSteps: [20, 80, 100],
  });
  return { reg, plan };
}

function abRegistry(seed) {
  const reg = new Registry('my-account', seed);
  reg.createDeployment({ model: 'm', id: 'a', minReplicas: 3, maxReplicas: 3 });
  reg.createDeployment({ model: 'm', id: 'b', minReplicas: 2, maxReplicas: 2 });
  reg.createRouter({ id: 'ab', deployments: ['a', 'b'] });
  return reg;
}

test('19.10: the table numbers steps from 0, like applyStep and rollback', () => {
  const { plan } = reference();
  const lines = plan.table().split('\n');
  const header = lines.findIndex((l) => l.startsWith('step '));
  const rows = lines.slice(header + 1).filter((l) => /^\S/.test(l)).map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(rows, ['start', '0', '1', '2']);
  assert.match(plan.rollback(0).table(), /from after step 0/);
});

test('19.14: applyPlan applies the remaining steps, each atomically', () => {
  const { reg, plan } = reference();
  const stepwise = Registry.fromJson(reg.toJson());
  for (let i = 0; i < plan.steps.length; i++) stepwise.applyStep(plan, i);
  reg.applyStep(plan, 0);
  assert.equal(reg.applyPlan(plan), 2);
  assert.equal(reg.toJson(), stepwise.toJson());
  assert.equal(reg.applyPlan(plan), 0);
});

test('19.14: routeMany gives the same deployments as n route calls', () => {
  const batch = abRegistry(9);
  const single = abRegistry(9);
  const { deployments, picks } = batch.routeMany('ab', 'my-account', 5000);
  assert.deepEqual(deployments, ['accounts/my-account/deployments/a', 'accounts/my-account/deployments/b']);
  assert.ok(picks instanceof Uint32Array);
  assert.equal(picks.length, 5000);
  const routed = Array.from({ length: 5000 }, () => single.route('ab', 'my-account'));
  assert.deepEqual(Array.from(picks, (i) => deployments[i]), routed);
  assert.equal(batch.toJson(), single.toJson());
  assert.throws(() => batch.routeMany('accounts/my-account/routers/ab', 'someone-else', 3), { name: 'PermissionDeniedError' });
  assert.throws(() => batch.routeMany('ab', 'my-account', 2 ** 28 + 1), { code: 'LIMIT_EXCEEDED' });
});

test('19.11: clearDisplayName and clearModel remove the fields', () => {
  const reg = abRegistry(1);
  reg.updateRouter('ab', { displayName: 'A/B', model: 'mm' });
  let r = reg.updateRouter('ab', { displayName: null });
  assert.equal(r.displayName, 'A/B');
  r = reg.updateRouter('ab', { clearDisplayName: true });
  assert.equal(r.displayName, null);
  assert.equal(r.model, 'accounts/my-account/models/mm');
  r = reg.updateRouter('ab', { clearModel: true });
  assert.equal(r.model, null);
  assert.throws(() => reg.updateRouter('ab', { model: 'x', clearModel: true }), { name: 'TypeError', code: 'INVALID_ARGUMENT' });
});
