// SPEC G1-G6: regions, catalogs and direct routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectRoute, Region, RegionCatalog, Registry } from 'replica-router';

test('G1: canonical and host forms', () => {
  const r = new Region('us-arizona-1');
  assert.equal(r.canonical, 'US_ARIZONA_1');
  assert.equal(r.hostLabel, 'us-arizona-1');
  assert.equal(String(r), 'US_ARIZONA_1');
  assert.ok(r.equals('US_ARIZONA_1'));
  assert.ok(r.equals(new Region('Us-Arizona-1')));
  assert.ok(!r.equals('US_IOWA_1'));
});

test('G2: the default catalog is the ten reference regions; custom catalogs work', () => {
  const c = RegionCatalog.default();
  assert.equal(c.size, 10);
  assert.ok(c.regions.includes('EU_FRANKFURT_1'));
  assert.deepEqual(c.regions, [...c.regions].sort());
  assert.ok(new Region('ap-tokyo-1').supportsDirectRouting());
  assert.ok(!new Region('EU_PARIS_1').supportsDirectRouting(c));
  const mine = new RegionCatalog(['eu-paris-1']);
  assert.ok(new Region('EU_PARIS_1').supportsDirectRouting(mine));
  assert.ok(new Region('EU_PARIS_1').supportsDirectRouting(['EU_PARIS_1']));
  assert.ok(mine.supports(new Region('eu-paris-1')));
  assert.throws(() => c.check('EU_PARIS_1'), (e) => e.code === 'UNSUPPORTED_REGION' && e.message.includes('US_IOWA_1'));
});

test('G4, G5: a pinned deployment with keys gets a handle and base URL', () => {
  const reg = new Registry('my-account', 1);
  const d = reg.createDeployment({
    model: 'llama', id: 'my-deployment', region: 'US_ARIZONA_1', directRouteApiKeys: ['abc123'],
  });
  assert.equal(d.region, 'US_ARIZONA_1');
  assert.deepEqual(d.directRoute, {
    region: 'US_ARIZONA_1',
    domain: 'direct.fireworks.ai',
    keyCount: 1,
    handle: 'my-account-my-deployment.us-arizona-1.direct.fireworks.ai',
    baseUrl: 'https://my-account-my-deployment.us-arizona-1.direct.fireworks.ai/v1',
  });
  const route = reg.directRoute('my-deployment');
  assert.ok(route instanceof DirectRoute);
  assert.equal(route.handle('accounts/my-account/deployments/my-deployment'), d.directRoute.handle);
  assert.equal(route.baseUrl('my-deployment', 'my-account'), d.directRoute.baseUrl);
  assert.equal(reg.directRoute('my-deployment').region.canonical, 'US_ARIZONA_1');
  reg.createDeployment({ model: 'llama', id: 'plain' });
  assert.equal(reg.directRoute('plain'), undefined);
  // A catalog given to the registry decides what supports direct routing (G2).
  const custom = new Registry('my-account', 1, ['EU_PARIS_1']);
  assert.equal(custom.catalog.size, 1);
  custom.createDeployment({ model: 'm', region: 'eu-paris-1', directRouteApiKeys: ['k'] });
  assert.throws(() => custom.createDeployment({ model: 'm', region: 'US_ARIZONA_1', directRouteApiKeys: ['k'] }),
    { code: 'UNSUPPORTED_REGION' });
});

test('G5: a custom domain and a bare ID without an account', () => {
  const route = new DirectRoute(new Region('eu-frankfurt-1'), ['k1'], { domain: 'Example.COM' });
  assert.equal(route.domain, 'example.com');
  assert.equal(route.handle('d', 'acct'), 'acct-d.eu-frankfurt-1.example.com');
  assert.throws(() => route.handle('d'), { name: 'TypeError', code: 'INVALID_ARGUMENT' });
  assert.match(String(route), /EU_FRANKFURT_1/);
  assert.ok(!String(route).includes('k1'));
});

test('G6: Bearer authorization, scheme in any case', () => {
  const route = new DirectRoute('US_IOWA_1', ['alpha1', 'beta2']);
  assert.equal(route.keyCount, 2);
  route.authorize('Bearer alpha1');
  route.authorize('bearer beta2');
  route.authorize('  BEARER   alpha1  ');
  for (const [header, code] of [[undefined, 'UNAUTHENTICATED'], [null, 'UNAUTHENTICATED'], ['', 'UNAUTHENTICATED'],
    ['Token alpha1', 'UNAUTHENTICATED'], ['Bearer', 'UNAUTHENTICATED'], ['Bearer gamma3', 'FORBIDDEN'],
    ['Bearer alpha', 'FORBIDDEN']]) {
    assert.throws(() => route.authorize(header), (e) => e.name === 'AuthError' && e.code === code, String(header));
  }
  assert.throws(() => route.authorize(5), TypeError);
});

test('G6: the registry authorizes against the current state (issue 15)', () => {
  const reg = new Registry('my-account', 5);
  reg.createDeployment({ model: 'llama', id: 'pinned', region: 'US_ARIZONA_1', directRouteApiKeys: ['oldKey1'] });
  const stale = reg.directRoute('pinned');
  const host = 'my-account-pinned.us-arizona-1.direct.fireworks.ai';
  for (const target of [host, 'pinned', 'accounts/my-account/deployments/pinned']) {
    assert.equal(reg.authorizeDirectRoute(target, 'Bearer oldKey1').id, 'pinned');
  }
  reg.deleteDeployment('pinned');
  reg.createDeployment({ model: 'llama', id: 'pinned', region: 'US_ARIZONA_1', directRouteApiKeys: ['newKey2'] });
  stale.authorize('Bearer oldKey1'); // a DirectRoute object is a snapshot
  for (const target of [host, 'pinned']) {
    assert.throws(() => reg.authorizeDirectRoute(target, 'Bearer oldKey1'), { name: 'AuthError', code: 'FORBIDDEN' });
    assert.throws(() => reg.authorizeDirectRoute(target, null), { name: 'AuthError', code: 'UNAUTHENTICATED' });
    assert.equal(reg.authorizeDirectRoute(target, 'Bearer newKey2').id, 'pinned');
  }
  reg.deleteDeployment('pinned');
  assert.throws(() => reg.authorizeDirectRoute(host, 'Bearer newKey2'), { name: 'NotFoundError', code: 'NOT_FOUND' });
  assert.throws(() => reg.authorizeDirectRoute(42, 'Bearer newKey2'), { name: 'TypeError' });
});
