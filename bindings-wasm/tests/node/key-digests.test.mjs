// SPEC G6 (revised), issue 15 item 6: API keys are stored as salted digests,
// optionally keyed by a secret (keySecret) the caller holds outside the
// snapshot; SPEC T3: a format-2 snapshot still loads and its keys verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DirectRoute, Registry } from 'replica-router';

const SECRET = 'held-outside-the-snapshot-32byte';
const V2 = readFileSync(new URL('../../../testdata/snapshots/v2.json', import.meta.url), 'utf8');
const sha256 = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex');

function pinned(reg, id, keys) {
  reg.createDeployment({ model: 'llama', id, region: 'US_ARIZONA_1', directRouteApiKeys: keys });
}
const stored = (json, i) => JSON.parse(json).deployments[i].direct_route.api_keys;

test('G6: the unsalted sha256 of a key is not in the snapshot; equal keys differ', () => {
  const reg = new Registry('acme', 1);
  pinned(reg, 'd1', ['secret1']);
  pinned(reg, 'd2', ['secret1']);
  const json = reg.toJson();
  assert.ok(!json.includes(sha256('secret1')) && !json.includes('secret1'));
  const [a] = stored(json, 0);
  const [b] = stored(json, 1);
  assert.equal(a.scheme, 'salted-sha256');
  assert.equal(a.digest, sha256(Buffer.from(a.salt, 'hex'), 'secret1'));
  assert.notEqual(a.digest, b.digest);
  Registry.fromJson(json).authorizeDirectRoute('d2', 'Bearer secret1');
});

test('G6: a short key under a key secret needs the secret', () => {
  const reg = new Registry('acme', 1, null, SECRET);
  pinned(reg, 'd1', ['a']);
  const json = reg.toJson();
  assert.ok(!json.includes(SECRET));
  const [k] = stored(json, 0);
  assert.equal(k.scheme, 'hmac-sha256');
  const salt = Buffer.from(k.salt, 'hex');
  for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789') {
    assert.notEqual(sha256(c), k.digest);
    assert.notEqual(sha256(salt, c), k.digest);
  }
  assert.equal(createHmac('sha256', SECRET).update(salt).update('a').digest('hex'), k.digest);
  assert.throws(() => Registry.fromJson(json), { name: 'ValidationError', code: 'KEY_SECRET_MISMATCH' });
  assert.throws(() => Registry.fromJson(json, 'y'.repeat(32)), { code: 'KEY_SECRET_MISMATCH' });
  const loaded = Registry.fromJson(json, new TextEncoder().encode(SECRET));
  assert.equal(loaded.authorizeDirectRoute('d1', 'Bearer a').id, 'd1');
  assert.throws(() => loaded.authorizeDirectRoute('d1', 'Bearer b'), { code: 'FORBIDDEN' });
  assert.equal(loaded.toJson(), json);
  assert.throws(() => new Registry('acme', 1, null, 42), { name: 'TypeError' });
});

test('G6: DirectRoute options seed and keySecret', () => {
  const a = new DirectRoute('US_ARIZONA_1', ['k1'], { seed: 1 });
  const keyed = new DirectRoute('US_ARIZONA_1', ['k1'], { seed: 1, keySecret: SECRET });
  assert.equal(a.isKeyed, false);
  assert.equal(keyed.isKeyed, true);
  a.authorize('Bearer k1');
  keyed.authorize('Bearer k1');
  assert.throws(() => keyed.authorize('Bearer k2'), { code: 'FORBIDDEN' });
});

test('T3: a format-2 snapshot loads and its unsalted digests verify', () => {
  const reg = Registry.fromJson(V2);
  for (const key of ['key1', 'Key2']) assert.equal(reg.authorizeDirectRoute('pinned', `Bearer ${key}`).id, 'pinned');
  assert.throws(() => reg.authorizeDirectRoute('pinned', 'Bearer key2'), { code: 'FORBIDDEN' });
  assert.equal(JSON.parse(reg.toJson()).format_version, 3);
});

test('G6: a string keySecret with a lone surrogate is INVALID_KEY_SECRET, not made lossy', () => {
  // Both would become the same UTF-8 bytes if each lone surrogate turned into U+FFFD.
  const lone = ['\ud800'.repeat(16), '\udfff'.repeat(16), `${'x'.repeat(20)}\ud83d`];
  const invalid = { name: 'ValidationError', code: 'INVALID_KEY_SECRET' };
  const json = new Registry('acme', 1).toJson();
  for (const secret of lone) {
    assert.throws(() => new Registry('acme', 1, null, secret), invalid);
    assert.throws(() => Registry.fromJson(json, secret), invalid);
    assert.throws(() => new DirectRoute('US_ARIZONA_1', ['k1'], { seed: 1, keySecret: secret }), invalid);
  }
  // A paired surrogate (an emoji) is valid UTF-16: its 4 UTF-8 bytes count.
  const emoji = '\ud83d\ude00'.repeat(4);
  assert.equal(new DirectRoute('US_ARIZONA_1', ['k1'], { seed: 1, keySecret: emoji }).isKeyed, true);
  const keyed = new Registry('acme', 1, null, emoji);
  pinned(keyed, 'd1', ['k1']);
  const keyedJson = keyed.toJson();
  assert.equal(Registry.fromJson(keyedJson, emoji).authorizeDirectRoute('d1', 'Bearer k1').id, 'd1');
  // The 16-64 byte rule is core's, unchanged.
  assert.throws(() => new Registry('acme', 1, null, 'short'), invalid);
});
