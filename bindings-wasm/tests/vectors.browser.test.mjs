// SPEC S1 in the browser: headless Debian Chromium (/usr/bin/chromium) driven
// by playwright-core loads tests/vectors/index.html (the `web` build) from a
// local static server and checks every shared test vector
// (testdata/vectors/*.json) with the same code as the Node test
// (tests/vectors/check.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { FILES } from './vectors/check.mjs';

const PACKAGE_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
const VECTORS_DIR = resolve(PACKAGE_DIR, '..', 'testdata', 'vectors');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
};

let server;
let baseUrl;
let context;
let profileDir;

before(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(PACKAGE_DIR, path));
    if (!file.startsWith(PACKAGE_DIR + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
  profileDir = mkdtempSync(join(tmpdir(), 'replica-router-vectors-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
});

after(async () => {
  await context?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

test('S1: the browser build gives the shared vectors\' answers', { timeout: 120_000 }, async (t) => {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(`${baseUrl}/tests/vectors/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  const files = Object.fromEntries(FILES.map((f) => [f, JSON.parse(readFileSync(join(VECTORS_DIR, f), 'utf8'))]));
  const result = await page.evaluate((f) => window.checkVectors(f), files);
  assert.equal(result.error, undefined);
  assert.ok(result.ok);
  assert.deepEqual(Object.keys(result.counts), FILES);
  for (const [file, n] of Object.entries(result.counts)) {
    assert.ok(n > 0, file);
    t.diagnostic(`${file}: ${n} vectors checked in Chromium`);
  }
  assert.equal(await page.getAttribute('body', 'data-result'), 'pass');
  assert.deepEqual(problems, []);
});
