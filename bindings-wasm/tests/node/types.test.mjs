// B3: the generated TypeScript types of the public API have no `any` (the
// raw wasm export table `InitOutput` of the web build is wasm-bindgen's own,
// not API). tests/types-check.ts is compiled against them by `npm run test:types`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

for (const target of ['web']) {
  test(`B3: no \`any\` in the ${target} build's public types`, () => {
    let dts = readFileSync(new URL(`../../pkg/${target}/replica_router_wasm.d.ts`, import.meta.url), 'utf8');
    dts = dts.replace(/export interface InitOutput \{[\s\S]*?\n\}/, '');
    dts = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const hits = dts.split('\n').filter((line) => /\bany\b/.test(line));
    assert.deepEqual(hits, []);
    for (const name of ['Registry', 'WeightedSelector', 'Region', 'RegionCatalog', 'DirectRoute', 'MigrationPlan',
      'WeightedRoundRobin', 'SessionAffinity', 'LoadTracker']) {
      assert.match(dts, new RegExp(`export class ${name} \\{`), name);
    }
    for (const name of ['DeploymentSpec', 'Deployment', 'RouterSpec', 'Router', 'TrafficSplit', 'Share',
      'MigrationRequest', 'MigrationStep', 'RouteRequest', 'RouteDecision']) {
      assert.match(dts, new RegExp(`export interface ${name} \\{`), name);
    }
    assert.match(dts, /constructor\(account: string, seed\?: SeedInput, catalog\?: CatalogInput \| null, keySecret\?: KeySecretInput\);/);
  });
}
