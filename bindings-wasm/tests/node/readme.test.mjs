// The README's JS scenario runs as written (console.assert made to throw).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

for (const [which, path] of [['package', '../../README.md'], ['root', '../../../README.md']]) test(`README (${which}): the JS scenario runs and its assertions hold`, async () => {
  const readme = readFileSync(new URL(path, import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  const scenario = blocks.find((b) => b.includes("new Registry('my-account', 42)") && b.includes('import '));
  assert.ok(scenario, 'scenario block not found');
  const file = fileURLToPath(new URL(`./.readme-scenario-${process.pid}.mjs`, import.meta.url));
  const prelude = 'const console = { assert(c, m) { if (!c) throw new Error(`README assertion failed ${m ?? ""}`); }, log() {} };\n';
  writeFileSync(file, prelude + scenario);
  try {
    await import(file);
  } finally {
    rmSync(file, { force: true });
  }
});
