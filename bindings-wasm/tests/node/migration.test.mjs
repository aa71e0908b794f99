// SPEC M1-M6 through JS: the reference example, JSON, rollback, applying steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MigrationPlan, Registry } from 'replica-router';

/** The reference's router: my-router over current-deployment (4 replicas). */
function reference() {
  const reg = new Registry('my-account', 42);
  reg.createDeployment({ model: 'llama-v3p1-8b-instruct', id: 'current-deployment', minReplicas: 4, maxReplicas: 4 });
  reg.createRouter({ id: 'my-router', deployments: ['current-deployment'] });
  const plan = reg.planMigration({
    router: 'my-router', from: 'current-deployment', to: 'new-deployment', targetReplicas: 4, trafficSteps: [20, 80, 100],
  });
  return { reg, plan };
}

test('M5: the reference example comes out exactly, with the reference CLI commands', () => {
  const { plan } = reference();
  assert.equal(plan.kind, 'migration');
  assert.equal(plan.afterStep, undefined);
  assert.equal(plan.router, 'accounts/my-account/routers/my-router');
  assert.equal(plan.from, 'accounts/my-account/deployments/current-deployment');
  assert.equal(plan.to, 'accounts/my-account/deployments/new-deployment');
  assert.equal(plan.targetReplicas, 4);
  assert.deepEqual(plan.schedule, { trafficSteps: [20, 80, 100] });
  const steps = plan.steps;
  assert.equal(steps.length, 3);
  assert.deepEqual(steps.map((s) => [s.state.to.replicas, s.state.from.replicas]), [[1, 4], [4, 1], [4, 0]]);
  assert.deepEqual(steps.map((s) => s.split.map((x) => [x.deployment.split('/').pop(), x.replicas, x.percent])), [
    [['current-deployment', 4, 80], ['new-deployment', 1, 20]],
    [['current-deployment', 1, 20], ['new-deployment', 4, 80]],
    [['new-deployment', 4, 100]],
  ]);
  assert.deepEqual(steps.map((s) => [s.toShare.numerator, s.toShare.denominator]), [[1, 5], [4, 5], [1, 1]]);
  assert.deepEqual(steps.map((s) => s.actions.map((a) => a.description)), [
    ['create new-deployment with 1 replica', 'add new-deployment to my-router'],
    ['scale new-deployment to 4 replicas', 'scale current-deployment to 1 replica'],
    ['scale current-deployment to 0 replicas', 'remove current-deployment from my-router'],
  ]);
  assert.deepEqual(steps[0].actions[0], {
    type: 'createDeployment',
    deployment: 'accounts/my-account/deployments/new-deployment',
    model: 'accounts/my-account/models/llama-v3p1-8b-instruct',
    replicas: 1,
    description: 'create new-deployment with 1 replica',
    command: 'firectl deployment create accounts/my-account/models/llama-v3p1-8b-instruct --deployment-id=new-deployment',
  });
  assert.deepEqual(plan.firectlCommands(), [
    'firectl deployment create accounts/my-account/models/llama-v3p1-8b-instruct --deployment-id=new-deployment',
    'firectl router update my-router --deployments=current-deployment,new-deployment',
    'firectl deployment update new-deployment --min-replica-count=4 --max-replica-count=4',
    'firectl deployment update current-deployment --min-replica-count=1 --max-replica-count=1',
    'firectl deployment update current-deployment --min-replica-count=0 --max-replica-count=0',
    'firectl router update my-router --deployments=new-deployment',
  ]);
  assert.deepEqual(steps.flatMap((s) => s.commands), plan.firectlCommands());
  assert.match(plan.table(), /new-deployment/);
  assert.equal(String(plan), plan.table());
});

test('M6: plans round-trip through JSON; applying every step lands on the target', () => {
  const { reg, plan } = reference();
  const copy = MigrationPlan.fromJson(plan.toJson());
  assert.equal(copy.toJson(), plan.toJson());
  for (let i = 0; i < copy.steps.length; i++) {
    reg.applyStep(copy, i);
    const split = reg.trafficSplit('my-router');
    assert.deepEqual(split.shares.map((s) => s.percent), copy.steps[i].split.map((s) => s.percent));
  }
  assert.deepEqual(reg.getRouter('my-router').deployments, ['accounts/my-account/deployments/new-deployment']);
  assert.equal(reg.getDeployment('new-deployment').replicas, 4);
  assert.throws(() => reg.applyStep(copy, 0), { name: 'ConflictError', code: 'STEP_NOT_APPLICABLE' });
  assert.throws(() => reg.applyStep(copy, 3), { code: 'STEP_OUT_OF_RANGE' });
  assert.throws(() => MigrationPlan.fromJson('{}'), { code: 'INVALID_PLAN_JSON' });
});

test('M6: a rollback from any step returns the registry to its initial snapshot', () => {
  for (let after = 0; after < 3; after++) {
    const { reg, plan } = reference();
    const before = reg.toJson();
    for (let i = 0; i <= after; i++) reg.applyStep(plan, i);
    const back = plan.rollback(after);
    assert.equal(back.kind, 'rollback');
    assert.equal(back.afterStep, after);
    for (let i = 0; i < back.steps.length; i++) reg.applyStep(back, i);
    assert.equal(JSON.stringify(JSON.parse(reg.toJson()).deployments), JSON.stringify(JSON.parse(before).deployments));
    assert.deepEqual(JSON.parse(reg.toJson()).routers, JSON.parse(before).routers);
  }
});

test('M4: a maximum shift per step takes the fewest steps; a blocked plan is InfeasiblePlanError', () => {
  const { reg } = reference();
  const plan = reg.planMigration({
    router: 'my-router', from: 'current-deployment', to: 'new-deployment', maxStepPercent: 50,
  });
  assert.deepEqual(plan.schedule, { maxStepPercent: 50 });
  assert.ok(plan.steps.every((s, i) => i === 0 || s.toShare.percent - plan.steps[i - 1].toShare.percent <= 50));
  assert.equal(plan.steps.at(-1).toShare.percent, 100);
  // Floor 4 and ceiling 4 with 4 replicas: nothing can move.
  assert.throws(() => reg.planMigration({
    router: 'my-router', from: 'current-deployment', to: 'new-deployment', trafficSteps: [100],
    minTotalReplicas: 4, maxTotalReplicas: 4,
  }), (e) => e instanceof Error && e.name === 'InfeasiblePlanError' && e.code === 'INFEASIBLE_PLAN');
});

test('M1: request objects are checked', () => {
  const { reg } = reference();
  const base = { router: 'my-router', from: 'current-deployment', to: 'new-deployment' };
  assert.throws(() => reg.planMigration(base), { name: 'TypeError', code: 'INVALID_ARGUMENT' });
  assert.throws(() => reg.planMigration({ ...base, trafficSteps: [100], maxStepPercent: 10 }), TypeError);
  assert.throws(() => reg.planMigration({ ...base, trafficSteps: [50, 1.5] }), RangeError);
  assert.throws(() => reg.planMigration({ ...base, steps: [100] }), TypeError);
  assert.throws(() => reg.applyStep({}, 0), Error);
});
