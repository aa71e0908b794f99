// SPEC E1, E2: every core error code the JS API can reach arrives as a real
// Error with the right `name` and `code`. The list of codes is read from
// core/src/error.rs, so a new core variant fails this test until it is
// either reached here or listed as unreachable with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DirectRoute, MigrationPlan, Region, RegionCatalog, Registry, WeightedSelector } from 'replica-router';

const NAME_OF_KIND = {
  Validation: 'ValidationError',
  NotFound: 'NotFoundError',
  PermissionDenied: 'PermissionDeniedError',
  Conflict: 'ConflictError',
  NoCapacity: 'NoCapacityError',
  InfeasiblePlan: 'InfeasiblePlanError',
  Auth: 'AuthError',
};

/** code -> expected JS `name`, from `Error::code()` and `Error::kind()` in core. */
function coreCodes() {
  // The one error table of core: `fn kind_and_code`, one row per variant:
  // `Variant { .. } => (ErrorKind::X, "CODE"),` (rustfmt may wrap a long
  // row in braces).
  const src = readFileSync(new URL('../../../core/src/error.rs', import.meta.url), 'utf8');
  const start = src.indexOf('fn kind_and_code(&self)');
  assert.ok(start >= 0, 'Error::kind_and_code not found');
  const table = src.slice(start, src.indexOf('\n    }\n', start));
  const codes = new Map();
  for (const m of table.matchAll(/(\w+)(?: \{ \.\. \})? =>\s*\{?\s*\(ErrorKind::(\w+), "([A-Z0-9_]+)"\)/g)) {
    assert.ok(NAME_OF_KIND[m[2]], `unknown kind ${m[2]}`);
    codes.set(m[3], NAME_OF_KIND[m[2]]);
  }
  assert.ok(codes.size >= 40, `only ${codes.size} codes parsed`);
  return codes;
}

const MODEL = 'llama';
function registry() {
  const reg = new Registry('my-account', 5);
  reg.createDeployment({ model: MODEL, id: 'a', minReplicas: 3, maxReplicas: 3 });
  reg.createDeployment({ model: MODEL, id: 'b', minReplicas: 2, maxReplicas: 2 });
  reg.createDeployment({ model: MODEL, id: 'pinned', region: 'US_IOWA_1', directRouteApiKeys: ['key1'] });
  reg.createRouter({ id: 'r', deployments: ['a', 'b'] });
  return reg;
}

/** One way (or more) to reach each code from JS. */
const TRIGGERS = {
  INVALID_NAME: [() => new Registry('My_Account', 1), () => registry().getRouter('Bad_ID')],
  INVALID_RESOURCE_NAME: [() => registry().getDeployment('accounts/my-account/routers/r')],
  INVALID_REGION: [() => new Region('mars'), () => registry().createDeployment({ model: MODEL, region: 'nowhere' })],
  UNSUPPORTED_REGION: [
    () => registry().createDeployment({ model: MODEL, region: 'EU_PARIS_1', directRouteApiKeys: ['k'] }),
    () => RegionCatalog.default().check('EU_PARIS_1'),
  ],
  REGION_REQUIRED: [() => registry().createDeployment({ model: MODEL, directRouteApiKeys: ['k'] })],
  INVALID_API_KEY: [() => new DirectRoute('US_IOWA_1', ['not a key!'])],
  DUPLICATE_API_KEY: [() => new DirectRoute('US_IOWA_1', ['k1', 'k2', 'k1'])],
  NO_API_KEYS: [() => new DirectRoute('US_IOWA_1', [])],
  HANDLE_TOO_LONG: [() => {
    const reg = new Registry('a'.repeat(40), 1);
    reg.createDeployment({ model: MODEL, id: 'd'.repeat(40), region: 'US_IOWA_1', directRouteApiKeys: ['k'] });
  }],
  INVALID_DOMAIN: [() => new DirectRoute('US_IOWA_1', ['k'], { domain: 'no spaces.example' })],
  UNAUTHENTICATED: [() => new DirectRoute('US_IOWA_1', ['k']).authorize(undefined),
    () => new DirectRoute('US_IOWA_1', ['k']).authorize('Basic abc')],
  FORBIDDEN: [() => new DirectRoute('US_IOWA_1', ['k']).authorize('Bearer other')],
  INVALID_KEY_SECRET: [() => new Registry('my-account', 1, null, 'short'),
    () => new DirectRoute('US_IOWA_1', ['k'], { keySecret: new Uint8Array(65) })],
  KEY_SECRET_MISMATCH: [() => Registry.fromJson(new Registry('my-account', 1, null, 'x'.repeat(32)).toJson())],
  INVALID_REPLICA_BOUNDS: [() => registry().createDeployment({ model: MODEL, minReplicas: 3, maxReplicas: 2 })],
  ALREADY_EXISTS: [() => registry().createDeployment({ model: MODEL, id: 'a' })],
  NOT_FOUND: [() => registry().route('missing', 'my-account'), () => registry().deleteRouter('missing')],
  PERMISSION_DENIED: [() => registry().route('accounts/my-account/routers/r', 'someone-else'),
    () => registry().getDeployment('accounts/someone-else/deployments/x')],
  IN_USE: [() => registry().deleteDeployment('a')],
  NOT_MULTI_REGION: [() => registry().createRouter({ deployments: ['a', 'pinned'] })],
  FOREIGN_DEPLOYMENT: [() => registry().createRouter({ deployments: ['accounts/someone-else/deployments/x'] })],
  EMPTY_ROUTER: [() => registry().createRouter({ deployments: [] })],
  DUPLICATE_DEPLOYMENT: [() => registry().createRouter({ deployments: ['a', 'accounts/my-account/deployments/a'] })],
  INVALID_STRATEGY: [() => registry().createRouter({ deployments: ['a'], strategy: 'fastest' })],
  INVALID_DISPLAY_NAME: [() => registry().createRouter({ deployments: ['a'], displayName: '' })],
  NO_CAPACITY: [() => {
    const reg = registry();
    reg.updateDeployment('a', { minReplicas: 0, maxReplicas: 0 });
    reg.updateDeployment('b', { minReplicas: 0, maxReplicas: 0 });
    reg.route('r', 'my-account');
  }],
  EMPTY_WEIGHTS: [() => new WeightedSelector([], 1)],
  ZERO_TOTAL_WEIGHT: [() => new WeightedSelector([0, 0, 0], 1)],
  INVALID_SEED: [() => new WeightedSelector([1], new Uint8Array(16)),
    () => new Registry('my-account', new Uint8Array(33))],
  LIMIT_EXCEEDED: [() => new DirectRoute('US_IOWA_1', Array.from({ length: 65 }, (_, i) => `k${i}`)),
    () => registry().createRouter({ deployments: Array.from({ length: 10_001 }, (_, i) => `d${i}`) })],
  INVALID_JSON: [() => Registry.fromJson('{"format_version": 1')],
  UNSUPPORTED_FORMAT_VERSION: [() => Registry.fromJson('{"format_version": 7}')],
  INVALID_SNAPSHOT: [() => {
    const snap = JSON.parse(registry().toJson());
    snap.routers[0].deployments.push(snap.routers[0].deployments[0]);
    Registry.fromJson(JSON.stringify(snap));
  }],
};

/** Codes the JS API cannot reach, with the reason (none today). */
const UNREACHABLE = {};

function migrationRegistry() {
  const reg = new Registry('my-account', 42);
  reg.createDeployment({ model: MODEL, id: 'current', minReplicas: 4, maxReplicas: 4 });
  reg.createDeployment({ model: MODEL, id: 'idle' });
  reg.createRouter({ id: 'my-router', deployments: ['current'] });
  return reg;
}
const plan = (extra) => migrationRegistry().planMigration({
  router: 'my-router', from: 'current', to: 'next', trafficSteps: [100], ...extra,
});
Object.assign(TRIGGERS, {
  DEPLOYMENT_NOT_IN_ROUTER: [() => plan({ from: 'idle' })],
  SAME_DEPLOYMENT: [() => plan({ to: 'current' })],
  ZERO_TARGET_REPLICAS: [() => plan({ targetReplicas: 0 })],
  EMPTY_TRAFFIC_STEPS: [() => plan({ trafficSteps: [] })],
  TRAFFIC_STEP_OUT_OF_RANGE: [() => plan({ trafficSteps: [0, 100] }), () => plan({ trafficSteps: [50, 101] })],
  TRAFFIC_STEPS_NOT_INCREASING: [() => plan({ trafficSteps: [50, 50, 100] })],
  TRAFFIC_STEPS_INCOMPLETE: [() => plan({ trafficSteps: [20, 80] })],
  INVALID_MAX_STEP: [() => plan({ trafficSteps: null, maxStepPercent: 0 }), () => plan({ trafficSteps: null, maxStepPercent: 101 })],
  FLOOR_ABOVE_CEILING: [() => plan({ minTotalReplicas: 5, maxTotalReplicas: 4 })],
  FLOOR_ABOVE_TARGET: [() => plan({ targetReplicas: 2, minTotalReplicas: 3 })],
  INFEASIBLE_PLAN: [() => plan({ minTotalReplicas: 4, maxTotalReplicas: 4 })],
  STEP_OUT_OF_RANGE: [() => { const p = plan(); migrationRegistry().applyStep(p, p.steps.length); },
    () => plan().rollback(99)],
  STEP_NOT_APPLICABLE: [() => { const p = plan(); const reg = migrationRegistry(); reg.applyStep(p, 0); reg.applyStep(p, 0); }],
  INVALID_PLAN_JSON: [() => MigrationPlan.fromJson('{"format_version": 1}'), () => MigrationPlan.fromJson('[')],
  INVALID_RESOURCE_JSON: [() => registry().importResources('['), () => registry().importResources({ deployments: 1 })],
  INVALID_RESOURCE: [() => registry().importResources({ name: 'accounts/my-account/routers/r', deployments: ['nope'] })],
  READ_ONLY_ROUTER: [() => {
    const reg = migrationRegistry();
    reg.importResources({ name: 'accounts/my-account/routers/auto', deployments: ['current'], autoGenerated: true });
    reg.deleteRouter('auto');
  }],
  REPLICAS_OUT_OF_BOUNDS: [() => migrationRegistry().scaleDeployment('current', 9)],
});

test('E2: every core error code is reached from JS as a real Error with name and code', () => {
  const codes = coreCodes();
  assert.ok(codes.size >= 30, `only ${codes.size} codes parsed`);
  const missing = [];
  for (const [code, name] of codes) {
    const triggers = TRIGGERS[code];
    if (!triggers) {
      if (UNREACHABLE[code]) continue;
      missing.push(code);
      continue;
    }
    for (const trigger of triggers) {
      assert.throws(trigger, (e) => {
        assert.ok(e instanceof Error, `${code}: not an Error: ${e}`);
        assert.equal(e.code, code, `${code}: got ${e.code} (${e.message})`);
        assert.equal(e.name, name, `${code}`);
        assert.ok(e.message.length > 10, `${code}: message '${e.message}'`);
        assert.ok(typeof e.stack === 'string');
        return true;
      }, code);
    }
  }
  assert.deepEqual(missing, [], 'codes with no trigger and no reason');
  for (const code of Object.keys(TRIGGERS)) assert.ok(codes.has(code), `${code} is not a core code`);
});

test('G6: error messages and stacks never contain the API key', () => {
  const route = new DirectRoute('US_IOWA_1', ['topSecret123']);
  for (const header of ['Bearer topSecret124', 'Bearer ' + 'x'.repeat(300), 'topSecret123']) {
    assert.throws(() => route.authorize(header), (e) => !String(e.message).includes('topSecret') && !e.stack.includes('topSecret'));
  }
  assert.throws(() => new DirectRoute('US_IOWA_1', ['topSecret123', 'bad key']),
    (e) => e.code === 'INVALID_API_KEY' && !e.message.includes('topSecret'));
});

test('E2: arguments of the wrong type are TypeError, out-of-range numbers RangeError, both with a code', () => {
  const reg = registry();
  const cases = [
    [() => new Registry(42), TypeError],
    [() => reg.createDeployment('llama'), TypeError],
    [() => reg.createDeployment({ model: MODEL, replicas: 3 }), TypeError], // unknown key
    [() => reg.createDeployment({ model: MODEL, minReplicas: -1 }), RangeError],
    [() => reg.createDeployment({ model: MODEL, minReplicas: 2 ** 32 }), RangeError],
    [() => reg.createDeployment({ model: MODEL, minReplicas: '3' }), TypeError],
    [() => reg.createRouter({ deployments: 'a' }), TypeError],
    [() => reg.createRouter({ deployments: ['a', 7] }), TypeError],
    [() => reg.createRouter({ deployments: ['a'], public: 'yes' }), TypeError],
    [() => reg.updateDeployment('a', null), TypeError],
    [() => reg.route(undefined, 'my-account'), TypeError],
    [() => new WeightedSelector('3,2', 1), TypeError],
    [() => new WeightedSelector([3, -2], 1), RangeError],
    [() => new WeightedSelector([3, 2.5], 1), RangeError],
  ];
  for (const [fn, cls] of cases) {
    assert.throws(fn, (e) => e instanceof cls && ['INVALID_ARGUMENT', 'OUT_OF_RANGE'].includes(e.code), fn.toString());
  }
});
