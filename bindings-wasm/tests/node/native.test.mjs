// Issue 19 (JS items 1-5) and issue 15 item 10: the package entry
// initializes itself, errors are coded and exported as classes, use after
// free() is a coded error, debugging output mirrors Python's repr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import init, {
  AuthError, ConflictError, DirectRoute, InfeasiblePlanError, MigrationPlan, NoCapacityError, NotFoundError,
  PermissionDeniedError, Region, RegionCatalog, Registry, ReplicaRouterError, SessionAffinity, ValidationError,
  WeightedRoundRobin, WeightedSelector,
} from 'replica-router';
import * as errorsModule from 'replica-router/errors';

const MODEL = 'accounts/fireworks/models/llama-v3p1-8b-instruct';

function reference() {
  const reg = new Registry('my-account', 1);
  reg.createDeployment({ model: MODEL, id: 'current-deployment', minReplicas: 4, maxReplicas: 4 });
  reg.createRouter({ id: 'my-router', deployments: ['current-deployment'] });
  const plan = reg.planMigration({
    router: 'my-router', from: 'current-deployment', to: 'new-deployment', targetReplicas: 4, trafficSteps: [20, 80, 100],
  });
  return { reg, plan };
}

test('19.1: importing the package is enough in Node; init() is a harmless no-op', async () => {
  assert.equal(typeof init, 'function');
  assert.equal(await init(), undefined);
  assert.equal(await init(), undefined);
  const reg = new Registry('my-account', 42);
  reg.createDeployment({ model: MODEL, id: 'a' });
  assert.equal(reg.listDeployments().length, 1);
});

test('19.2: the raw web build used before init() says what to do, then works after init', async () => {
  // A second instance of the web glue (the query string makes a new module).
  const raw = await import(`../../pkg/web/replica_router_wasm.js?uninitialized=${Date.now()}`);
  for (const call of [() => new raw.Registry('my-account', 1), () => new raw.WeightedSelector([1, 2], 1),
    () => raw.version(), () => raw.RegionCatalog.default()]) {
    assert.throws(call, (e) => e instanceof Error && e.code === 'NOT_INITIALIZED'
      && /call `await init\(\)` \(the default export\) once before using anything/.test(e.message)
      && /or import `replica-router`, which initializes itself/.test(e.message));
  }
  const bytes = readFileSync(new URL('../../pkg/web/replica_router_wasm_bg.wasm', import.meta.url));
  raw.initSync({ module: bytes });
  assert.deepEqual(Array.from(new raw.WeightedSelector([3, 2], 42).pickMany(4)), [1, 0, 1, 0]);
});

test('15.10: a wrong object where a class is expected is a TypeError with code INVALID_ARGUMENT', () => {
  const { reg, plan } = reference();
  const cases = [
    [{}, /expected a MigrationPlan, got an object/],
    [new WeightedSelector([1, 2], 1), /expected a MigrationPlan, got a WeightedSelector/],
    [null, /expected a MigrationPlan, got null/],
    [undefined, /expected a MigrationPlan, got undefined/],
    ['plan', /expected a MigrationPlan, got a string/],
    [JSON.parse(plan.toJson()), /expected a MigrationPlan, got an object/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => reg.applyStep(value, 0), (e) => e instanceof TypeError && e.code === 'INVALID_ARGUMENT'
      && message.test(e.message), String(value));
  }
  // Nothing changed and the instance is usable: the real plan applies.
  assert.equal(reg.listDeployments().length, 1);
  for (let i = 0; i < plan.steps.length; i++) reg.applyStep(plan, i);
  assert.deepEqual(reg.trafficSplit('my-router').shares.map((s) => s.deployment),
    ['accounts/my-account/deployments/new-deployment']);
});

test('15.10, 19.3: any use after free() or Symbol.dispose is a TypeError with code OBJECT_FREED', () => {
  const freed = { name: 'TypeError', code: 'OBJECT_FREED', message: /was freed \(free\(\) was called, or its `using` block ended\)/ };
  const { reg, plan } = reference();
  const snapshot = reg.toJson();
  plan.free();
  assert.throws(() => reg.applyStep(plan, 0), freed);
  assert.throws(() => plan.toJson(), freed);
  assert.throws(() => plan.steps, freed);
  assert.equal(reg.toJson(), snapshot, 'nothing applied');
  const objects = [
    [new WeightedSelector([1, 2], 1), (o) => o.pick()],
    [new WeightedRoundRobin([1, 2]), (o) => o.pickMany(0, 3)],
    [new SessionAffinity([['a', 1]]), (o) => o.pick('k')],
    [new Region('us-iowa-1'), (o) => o.canonical],
    [RegionCatalog.default(), (o) => o.size],
    [new DirectRoute('US_IOWA_1', ['k1']), (o) => o.authorize('Bearer k1')],
    [new Registry('my-account', 1), (o) => o.listRouters()],
  ];
  assert.equal(typeof Symbol.dispose, 'symbol', 'Node 20 has Symbol.dispose');
  for (const [object, use] of objects) {
    use(object);
    object[Symbol.dispose]();
    assert.throws(() => use(object), freed, object.constructor.name);
    object.free(); // a second free() does nothing
    assert.throws(() => use(object), freed, object.constructor.name);
  }
  reg.free();
  assert.throws(() => reg.toJson(), freed);
  // The module keeps working.
  const again = reference();
  assert.equal(again.plan.steps.length, 3);
});

test('19.4: core errors are instances of the exported classes, with a code', () => {
  assert.deepEqual(Object.keys(errorsModule).filter((k) => /^[A-Z]/.test(k)).sort(), [
    'AuthError', 'ConflictError', 'InfeasiblePlanError', 'NoCapacityError', 'NotFoundError', 'PermissionDeniedError',
    'ReplicaRouterError', 'ValidationError',
  ]);
  assert.equal(errorsModule.ValidationError, ValidationError, 'one class, whichever entry');
  const { reg, plan } = reference();
  const check = (fn, Class, code) => assert.throws(fn, (e) => e instanceof Class && e instanceof ReplicaRouterError
    && e instanceof Error && e.name === Class.name && e.code === code && typeof e.stack === 'string');
  check(() => reg.createDeployment({ model: MODEL, id: 'Bad_Name' }), ValidationError, 'INVALID_NAME');
  check(() => reg.getDeployment('missing'), NotFoundError, 'NOT_FOUND');
  check(() => reg.createDeployment({ model: MODEL, id: 'current-deployment' }), ConflictError, 'ALREADY_EXISTS');
  reg.applyStep(plan, 0);
  // applyStep's documented error: a step that no longer applies is a ConflictError.
  check(() => reg.applyStep(plan, 0), ConflictError, 'STEP_NOT_APPLICABLE');
  check(() => reg.applyStep(plan, 9), ValidationError, 'STEP_OUT_OF_RANGE');
  check(() => reg.planMigration({ router: 'my-router', from: 'current-deployment', to: 'x', targetReplicas: 4,
    maxStepPercent: 10, maxTotalReplicas: 4 }), InfeasiblePlanError, 'INFEASIBLE_PLAN');
  reg.setAccount('other');
  reg.createDeployment({ model: MODEL, id: 'zero', minReplicas: 0, maxReplicas: 0 });
  reg.createRouter({ id: 'r', deployments: ['zero'] });
  check(() => reg.trafficSplit('r'), NoCapacityError, 'NO_CAPACITY');
  reg.setAccount('my-account');
  check(() => reg.getRouter('accounts/other/routers/r'), PermissionDeniedError, 'PERMISSION_DENIED');
  check(() => new DirectRoute('US_IOWA_1', ['k1']).authorize('Bearer nope'), AuthError, 'FORBIDDEN');
  assert.throws(() => Registry.fromJson('{"format_version": 1}'), (e) => e instanceof ValidationError
    && (e.code === 'INVALID_SNAPSHOT' ? e.cause instanceof ReplicaRouterError : true));
  // Bad arguments stay TypeError/RangeError (as in Python), coded, not ReplicaRouterErrors.
  assert.throws(() => reg.getDeployment(1), (e) => e instanceof TypeError && !(e instanceof ReplicaRouterError)
    && e.code === 'INVALID_ARGUMENT');
  assert.throws(() => new WeightedSelector([-1]), (e) => e instanceof RangeError && e.code === 'OUT_OF_RANGE');
});

test('19.4: directRoute returns undefined without a route; exact shares and totals are numbers', () => {
  const { reg, plan } = reference();
  assert.equal(reg.directRoute('current-deployment'), undefined);
  const split = reg.trafficSplit('my-router');
  assert.equal(typeof split.totalReplicas, 'number');
  for (const s of split.shares) assert.deepEqual([typeof s.numerator, typeof s.denominator], ['number', 'number']);
  for (const step of plan.steps) {
    for (const f of [step.requestedShare, step.toShare, ...step.split]) {
      assert.deepEqual([typeof f.numerator, typeof f.denominator], ['number', 'number']);
    }
  }
  // The largest totals the limits allow are still exact numbers.
  const big = new WeightedSelector(new Uint32Array(1 << 20).fill(2 ** 32 - 1), 1);
  assert.equal(big.total, (2 ** 20) * (2 ** 32 - 1));
  assert.ok(Number.isSafeInteger(big.total));
  assert.equal(typeof new WeightedRoundRobin([3, 2]).nextCursor(2n ** 63n), 'number');
});

test('19.5: toString and util.inspect show what Python repr shows', () => {
  const { reg, plan } = reference();
  reg.createDeployment({ model: MODEL, id: 'pinned', region: 'US_ARIZONA_1', directRouteApiKeys: ['k1'] });
  const repr = "Registry(account='my-account', deployments=2, routers=1, total_accounts=1, total_deployments=2, total_routers=1)";
  assert.equal(String(reg), repr);
  assert.equal(`${reg}`, repr);
  assert.equal(inspect(reg), repr);
  assert.equal(inspect({ reg }, { breakLength: Infinity }), `{ reg: ${repr} }`);

  const route = reg.directRoute('pinned');
  assert.equal(String(route), 'INTERNET direct route in US_ARIZONA_1 (1 API key, *.direct.fireworks.ai)');
  assert.equal(inspect(route), "DirectRoute(region='US_ARIZONA_1', keyCount=1, domain='direct.fireworks.ai')");
  assert.equal(String(new DirectRoute('US_IOWA_1', ['k1', 'k2'])), 'INTERNET direct route in US_IOWA_1 (2 API keys, *.direct.fireworks.ai)');

  const region = new Region('us-arizona-1');
  assert.equal(String(region), 'US_ARIZONA_1');
  assert.equal(inspect(region), "Region('US_ARIZONA_1')");
  assert.equal(inspect(new RegionCatalog(['us-iowa-1', 'EU_PARIS_1'])), "RegionCatalog(['EU_PARIS_1', 'US_IOWA_1'])");

  assert.equal(inspect(plan), "MigrationPlan(kind='migration', router='accounts/my-account/routers/my-router', "
    + "from='accounts/my-account/deployments/current-deployment', to='accounts/my-account/deployments/new-deployment', steps=3)");
  assert.equal(String(plan), plan.table());

  assert.equal(inspect(new WeightedSelector([3, 2], 1)), 'WeightedSelector([3, 2])');
  const many = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.equal(String(new WeightedSelector(many, 1)),
    'WeightedSelector([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, ... (20 weights)])');
  assert.equal(inspect(new WeightedRoundRobin([3, 2])), 'WeightedRoundRobin([3, 2])');
  assert.equal(inspect(new SessionAffinity([['a', 3], ['b', 2]])), 'SessionAffinity(deployments=2, total=5)');

  const gone = new Registry('my-account', 1);
  gone.free();
  assert.equal(inspect(gone), 'Registry <freed>');
});
