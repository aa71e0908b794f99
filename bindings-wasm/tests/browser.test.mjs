// Browser test: headless Debian Chromium (/usr/bin/chromium, never a
// downloaded browser) driven by playwright-core loads the demo page from a
// local static server, changes a replica count, runs a simulation, checks
// what the page shows and saves a screenshot to <repo>/target/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'esbuild';

const PACKAGE_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
const REPO_DIR = resolve(PACKAGE_DIR, '..');
const SCREENSHOT = join(REPO_DIR, 'target', 'demo-screenshot.png');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.ts': 'text/plain; charset=utf-8',
};

let server;
let baseUrl;
let context;
let profileDir;

/** A static file server for bindings-wasm/ on 127.0.0.1, on an ephemeral port. */
function serve() {
  return new Promise((ready) => {
    const s = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(PACKAGE_DIR, path));
      if (!file.startsWith(PACKAGE_DIR + sep) && file !== PACKAGE_DIR) {
        res.writeHead(403).end();
        return;
      }
      try {
        if (statSync(file).isDirectory()) file = join(file, 'index.html');
        const body = readFileSync(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      } catch {
        res.writeHead(404).end('not found');
      }
    });
    s.listen(0, '127.0.0.1', () => ready(s));
  });
}

before(async () => {
  server = await serve();
  baseUrl = `http://127.0.0.1:${server.address().port}`;
  profileDir = mkdtempSync(join(tmpdir(), 'replica-router-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
    ],
  });
});

after(async () => {
  await context?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

const percentOf = (page, id) => page.locator(`#split .bar-row[data-deployment="${id}"] .percent`).textContent();

test('demo: edit replicas, see the split, simulate requests', { timeout: 120_000 }, async () => {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });

  await page.goto(`${baseUrl}/demo/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  assert.match(await page.locator('#version').textContent(), /^v\d+\.\d+\.\d+/);

  // SPEC R5: 3 and 2 replicas, 60 % and 40 %.
  assert.equal(await percentOf(page, 'deployment-a'), '60.00 %');
  assert.equal(await percentOf(page, 'deployment-b'), '40.00 %');
  assert.equal(await page.locator('tr[data-deployment="deployment-a"] .exact').textContent(), '3/5');

  // Change a replica count: 4 and 2 replicas give 2/3 and 1/3.
  await page.fill('tr[data-deployment="deployment-a"] input.replicas', '4');
  assert.equal(await percentOf(page, 'deployment-a'), '66.67 %');
  assert.equal(await percentOf(page, 'deployment-b'), '33.33 %');
  assert.equal(await page.locator('tr[data-deployment="deployment-a"] .exact').textContent(), '2/3');
  const width = await page.locator('#split .bar-row[data-deployment="deployment-a"] .bar-fill')
    .evaluate((n) => n.style.width);
  assert.match(width, /^66\.66/);

  // Add a deployment with the + stepper: 4, 2, 2 -> 50 / 25 / 25.
  await page.click('#add-deployment');
  await page.click('tr[data-deployment="deployment-c"] .stepper button[title="one replica more"]');
  assert.equal(await percentOf(page, 'deployment-c'), '25.00 %');
  assert.equal(await percentOf(page, 'deployment-a'), '50.00 %');

  // Simulate N requests: observed counts sum to N, chi-square shown.
  const n = 20_000;
  await page.fill('#sim-n', String(n));
  await page.click('#simulate');
  await page.waitForSelector('#sim-result:not([hidden])');
  const observed = (await page.locator('#sim-table td.observed').allTextContents())
    .map((t) => Number(t.replaceAll(',', '')));
  assert.equal(observed.length, 3);
  assert.equal(observed.reduce((a, b) => a + b, 0), n);
  assert.equal(await page.locator('#sim-total').textContent(), '20,000');
  // Each observed count is within 5 standard deviations of the exact expectation.
  [0.5, 0.25, 0.25].forEach((p, i) => {
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(observed[i] - n * p) < 5 * sd, `${observed[i]} vs ${n * p}`);
  });
  const expected = (await page.locator('#sim-table td.expected').allTextContents()).map((t) => Number(t.replaceAll(',', '')));
  assert.deepEqual(expected, [10_000, 5_000, 5_000]);
  assert.match(await page.locator('#sim-summary').textContent(), /χ² = [\d.]+ with 2 degrees of freedom, p = /);

  // The same seed gives the same counts again (SPEC S1).
  await page.click('#simulate');
  const again = (await page.locator('#sim-table td.observed').allTextContents()).map((t) => Number(t.replaceAll(',', '')));
  assert.deepEqual(again, observed);

  // A rule broken in the page shows the core's error, typed.
  await page.fill('tr[data-deployment="deployment-c"] input.name', 'Bad_Name');
  await page.press('tr[data-deployment="deployment-c"] input.name', 'Enter');
  await page.waitForSelector('#router-error:not([hidden])');
  assert.match(await page.locator('#router-error').textContent(), /INVALID_NAME.*Bad_Name/);
  await page.fill('tr[data-deployment="Bad_Name"] input.name', 'deployment-c');
  await page.press('tr[data-deployment="Bad_Name"] input.name', 'Enter');
  await page.waitForSelector('#router-error', { state: 'hidden' });

  // The migration planner, when the package has it.
  // Plan a migration of deployment-a to new-deployment (SPEC M2, M6): each
  // step's split as a stacked bar, and the CLI commands.
  assert.ok(await page.locator('#migration-card').isVisible(), 'migration section shown');
  await page.selectOption('#mig-from', 'deployment-a');
  await page.click('#plan');
  await page.waitForSelector('#migration-result:not([hidden])');
  const rows = await page.locator('#mig-steps-chart .step').count();
  assert.ok(rows >= 3, `${rows} rows`);
  const commands = (await page.locator('#mig-commands').textContent()).split('\n');
  assert.equal(commands[0], 'firectl deployment create accounts/fireworks/models/llama-v3p1-8b-instruct --deployment-id=new-deployment');
  assert.equal(commands.at(-1), 'firectl router update ab-test --deployments=deployment-b,deployment-c,new-deployment');
  // Issue 19.6: requested and realised shares side by side, saying what they are a share of.
  const note = await page.locator('#mig-share-note').textContent();
  assert.match(note, /Requested and realised are new-deployment's share of the traffic of deployment-a \+ new-deployment/);
  assert.match(note, /shares of the whole router, other deployments included/);
  const column = (cls) => page.locator(`#mig-steps-chart .step[data-step] .${cls}`).allTextContents();
  // Steps are numbered from 0, as the plan's `steps` array and `rollback(afterStep)` number them.
  assert.deepEqual(await column('step-label'), ['start', 'step 0', 'step 1', 'step 2']);
  assert.deepEqual(await column('requested'), ['–', '20 %', '80 %', '100 %']);
  assert.deepEqual(await column('realised'), ['0 %', '20 %', '80 %', '100 %']);
  // Of the whole router (deployment-b and deployment-c keep 2 replicas each): 1/9, 4/9, 4/8.
  assert.deepEqual(await column('router-share'), ['0 %', '11.1 %', '44.4 %', '50 %']);
  // The last step: deployment-a is gone, new-deployment has half the traffic.
  const last = page.locator('#mig-steps-chart .step').last();
  assert.match(await last.locator('.replicas-text').textContent(), /deployment-a – · new-deployment 4/);
  // An infeasible request shows the core's typed error.
  await page.fill('#mig-ceiling', '4');
  await page.click('#plan');
  await page.waitForSelector('#migration-error:not([hidden])');
  assert.match(await page.locator('#migration-error').textContent(), /INFEASIBLE_PLAN/);
  await page.fill('#mig-ceiling', '');
  await page.click('#plan');
  await page.waitForSelector('#migration-error', { state: 'hidden' });

  await page.click('#simulate');
  await page.waitForSelector('#sim-result:not([hidden])');
  mkdirSync(join(REPO_DIR, 'target'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok(statSync(SCREENSHOT).size > 10_000);
  assert.deepEqual(problems, []);
});

/** Loads `path` in a new page and returns what the snippet left in `globalThis.snippetResult`. */
async function snippetIn(path) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(`${baseUrl}${path}`);
  const handle = await page.waitForFunction(() => globalThis.snippetResult, null, { timeout: 30_000 })
    .catch((e) => { throw new Error(`${path}: ${e.message} ${problems.join('; ')}`); });
  const result = await handle.jsonValue();
  await page.close();
  assert.deepEqual(problems, []);
  return result;
}

test('19.1: one ES-module snippet runs the same in Node, in Chromium without a bundler, and bundled by esbuild',
  { timeout: 120_000 }, async () => {
    const snippet = join(PACKAGE_DIR, 'tests', 'esm', 'snippet.mjs');
    // Node: `import ... from 'replica-router'` resolves the `node` condition (node.js).
    const inNode = execFileSync(process.execPath, [snippet], { cwd: PACKAGE_DIR, encoding: 'utf8' }).trim();
    // Chromium, no bundler: an import map points the name at index.js (top-level await init()).
    const inBrowser = await snippetIn('/tests/esm/index.html');
    // esbuild: the browser condition's entry bundled into one file; the .wasm goes next to it
    // (the glue loads it with `new URL('replica_router_wasm_bg.wasm', import.meta.url)`).
    const out = join(PACKAGE_DIR, 'pkg', 'esbuild-test');
    rmSync(out, { recursive: true, force: true });
    const result = await build({
      entryPoints: [snippet], bundle: true, format: 'esm', platform: 'browser', outfile: join(out, 'snippet.js'),
      logLevel: 'silent', absWorkingDir: PACKAGE_DIR,
    });
    assert.deepEqual(result.errors, []);
    copyFileSync(join(PACKAGE_DIR, 'pkg', 'web', 'replica_router_wasm_bg.wasm'), join(out, 'replica_router_wasm_bg.wasm'));
    const bundled = readFileSync(join(out, 'snippet.js'), 'utf8');
    assert.ok(!bundled.includes('node:fs'), 'the browser bundle does not contain the Node entry');
    const inBundle = await snippetIn('/tests/esm/bundle.html');

    console.log(`node:     ${inNode}\nchromium: ${inBrowser}\nesbuild:  ${inBundle}`);
    assert.match(inNode, /^Registry\(account='my-account', deployments=2, routers=1, total_accounts=1, total_deployments=2, total_routers=1\) \| split 3\/5 2\/5 \| routes (deployment-[ab] ?){3} \| picks [01]{10} \| ValidationError INVALID_NAME$/);
    assert.equal(inBrowser, inNode);
    assert.equal(inBundle, inNode);
  });
