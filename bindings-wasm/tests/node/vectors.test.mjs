// SPEC S1: the shared test vectors (testdata/vectors/*.json), checked from
// Node with the package's Node build. The same checks run in the browser
// (tests/vectors/index.html, driven by tests/vectors.browser.test.mjs) and the
// same files are checked by Rust (core/tests/vectors.rs, also on wasm32) and
// Python (bindings-python/tests/test_vectors.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as api from 'replica-router';
import {
  FILES, checkErrors, checkMigration, checkPlatform, checkRegistry, checkSelector, checkStrategies,
} from '../vectors/check.mjs';

const DIR = new URL('../../../testdata/vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));

test('S1: every vector file is checked', () => {
  assert.deepEqual(FILES, ['selector.json', 'registry.json', 'strategies.json', 'errors.json', 'migration.json', 'platform.json']);
});

const CHECKS = [
  ['S1-S4: selector streams (selector.json)', 'selector.json', checkSelector, 40],
  ['R1-R7, T1: registry scenarios (registry.json)', 'registry.json', checkRegistry, 150],
  ['R7: strategies (strategies.json)', 'strategies.json', checkStrategies, 25],
  ['E1, N1-N2, G1-G6: parsers and validators (errors.json)', 'errors.json', checkErrors, 150],
  ['M1-M6: migration plans (migration.json)', 'migration.json', checkMigration, 15],
  ['P1-P3: platform resources (platform.json)', 'platform.json', checkPlatform, 9],
];

for (const [name, file, check, atLeast] of CHECKS) {
  test(name, (t) => {
    const n = check(api, load(file));
    assert.ok(n >= atLeast, `${file}: only ${n} vectors`);
    t.diagnostic(`${file}: ${n} vectors checked`);
  });
}
