// Issue 19.4: the package's types check under every TypeScript `lib`
// setting the README names, with `skipLibCheck: false` (tests/ts/): ES2022
// alone, ES2022 + DOM, ESNext + DOM, ES2022 + @types/node (NodeNext), and
// `using` under ESNext. TypeScript is the version pinned in package.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../..', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

for (const config of ['es2022', 'es2022-dom', 'esnext-dom', 'node', 'using']) {
  test(`19.4: the types check with tests/ts/tsconfig.${config}.json (skipLibCheck false)`, { timeout: 120_000 }, () => {
    const options = JSON.parse(readFileSync(new URL(`../ts/tsconfig.${config}.json`, import.meta.url), 'utf8'));
    assert.equal(options.compilerOptions.skipLibCheck, false);
    try {
      execFileSync(process.execPath, [tsc, '-p', `tests/ts/tsconfig.${config}.json`], { cwd: pkg, encoding: 'utf8' });
    } catch (e) {
      assert.fail(`tsc -p tests/ts/tsconfig.${config}.json:\n${e.stdout}${e.stderr}`);
    }
  });
}

test('19.4: ErrorCode names every error code the shared vectors expect', () => {
  const dts = readFileSync(new URL('../../errors.d.ts', import.meta.url), 'utf8');
  const start = dts.indexOf('export type ErrorCode =');
  const union = dts.slice(start, dts.indexOf('\n\n', start));
  const declared = new Set([...union.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]));
  const expected = new Set();
  const walk = (value, key) => {
    if (Array.isArray(value)) value.forEach((v) => walk(v));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
    else if ((key === 'code' || key === 'error') && typeof value === 'string' && /^[A-Z_]+$/.test(value)) expected.add(value);
  };
  for (const file of ['errors', 'registry', 'migration', 'selector', 'strategies']) {
    walk(JSON.parse(readFileSync(new URL(`../../../testdata/vectors/${file}.json`, import.meta.url), 'utf8')));
  }
  assert.ok(expected.size >= 40, `only ${expected.size} codes found in the vectors`);
  assert.deepEqual([...expected].filter((c) => !declared.has(c)), []);
  for (const code of ['INVALID_ARGUMENT', 'OUT_OF_RANGE', 'OBJECT_FREED', 'NOT_INITIALIZED']) assert.ok(declared.has(code), code);
});
