// SPEC S1: checks the shared test vectors (testdata/vectors/*.json) against
// the JavaScript API. Runs unchanged in Node (tests/node/vectors.test.mjs)
// and in the browser (tests/vectors/index.html): it imports nothing, takes
// the package's exports as `api` and the parsed files as arguments, and
// throws an Error naming the first difference.
//
// Regenerate the vectors with
//   cargo run -p replica-router --example gen_vectors -- testdata/vectors

/** The vector files' layout version this consumer reads. */
export const FORMAT = 1;

/** The vector files, in the order they are checked. */
export const FILES = ['selector.json', 'registry.json', 'strategies.json', 'errors.json', 'migration.json', 'platform.json'];

// ----- comparison -----

function show(x) {
  const s = JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  return s === undefined ? String(x) : s.length > 300 ? `${s.slice(0, 300)}...` : s;
}

/** Where `got` and `want` (JSON-like values) first differ, or null. */
function difference(got, want, path = '$') {
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return `${path}: got ${show(got)}, want an array`;
    if (got.length !== want.length) return `${path}: length ${got.length}, want ${want.length}`;
    for (let i = 0; i < want.length; i++) {
      const d = difference(got[i], want[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got)) return `${path}: got ${show(got)}, want an object`;
    const keys = new Set([...Object.keys(got), ...Object.keys(want)]);
    for (const k of [...keys].sort()) {
      if (!(k in want)) return `${path}.${k}: unexpected ${show(got[k])}`;
      if (!(k in got)) return `${path}.${k}: missing, want ${show(want[k])}`;
      const d = difference(got[k], want[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(got, want) ? null : `${path}: got ${show(got)}, want ${show(want)}`;
}

function same(got, want, what) {
  const d = difference(got, want);
  if (d) throw new Error(`${what}: ${d}`);
}

function check(ok, what) {
  if (!ok) throw new Error(what);
}

function header(file, name) {
  check(file.format === FORMAT, `${name}: vector format ${file.format}, this consumer reads ${FORMAT}`);
  check(String(file.generator).includes('gen_vectors'), `${name}: no generator note`);
}

// ----- conversions -----

/** A u64 given as a decimal or 0x-hex string. */
const big = (s) => BigInt(s);
/** A number or bigint from the binding as a JSON number (exact below 2^53). */
const num = (x) => {
  if (typeof x === 'bigint') {
    check(x <= BigInt(Number.MAX_SAFE_INTEGER), `${x} is beyond 2^53`);
    return Number(x);
  }
  return x;
};
/** Bytes given as a hex string (no prefix), and back. */
const fromHex = (s) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
/** A number or bigint from the binding as a decimal string. */
const dec = (x) => BigInt(x).toString();

/** `ok(fn())`, or `{error: code}` for a core error (any other throw escapes). */
function outcome(fn, ok) {
  let value;
  try {
    value = fn();
  } catch (e) {
    if (typeof e?.code === 'string') return { error: e.code };
    throw e;
  }
  return ok(value);
}

/** `{key: value}` for the optional vector fields that are present, renamed. */
function given(source, names) {
  const out = {};
  for (const [from, to] of Object.entries(names)) if (from in source) out[to] = source[from];
  return out;
}

const deploymentJson = (d) => ({
  name: d.name,
  model: d.model,
  region: d.region,
  min_replicas: d.minReplicas,
  max_replicas: d.maxReplicas,
  replicas: d.replicas,
  direct_route_handle: d.directRoute ? d.directRoute.handle : null,
});

const routerJson = (r) => ({
  name: r.name,
  deployments: [...r.deployments],
  strategy: r.strategy,
  session_affinity: r.sessionAffinity,
  public: r.public,
  display_name: r.displayName,
  model: r.model,
});

const splitJson = (s) => ({
  router: s.router,
  total_replicas: dec(s.totalReplicas),
  shares: s.shares.map((sh) => ({
    deployment: sh.deployment,
    replicas: sh.replicas,
    numerator: num(sh.numerator),
    denominator: num(sh.denominator),
  })),
});

const expectedNames = (expect) => expect.picks.map((i) => expect.deployments[i]);

// ----- registry operations -----

class Runner {
  constructor(api, account, seed) {
    this.api = api;
    this.reg = new api.Registry(account, seed);
  }

  /** Applies one op; throws when its result differs from `op.expect`. */
  apply(op, ctx) {
    const { expect } = op;
    const what = `${ctx}: ${show(Object.fromEntries(Object.entries(op).filter(([k]) => k !== 'expect')))}`;
    const handler = this[`op_${op.op}`];
    check(typeof handler === 'function', `${what}: unknown op`);
    const got = handler.call(this, op, expect, what);
    if (got !== undefined) same(got, expect, what);
  }

  op_create_deployment(op) {
    const spec = {
      model: op.model,
      ...given(op, {
        id: 'id', region: 'region', min_replicas: 'minReplicas', max_replicas: 'maxReplicas',
        direct_route_api_keys: 'directRouteApiKeys',
      }),
    };
    return outcome(() => this.reg.createDeployment(spec), deploymentJson);
  }

  op_update_deployment(op) {
    const update = given(op, { min_replicas: 'minReplicas', max_replicas: 'maxReplicas' });
    return outcome(() => this.reg.updateDeployment(op.name, update), deploymentJson);
  }

  op_delete_deployment(op) {
    return outcome(() => this.reg.deleteDeployment(op.name), () => ({}));
  }

  op_get_deployment(op) {
    return outcome(() => this.reg.getDeployment(op.name), deploymentJson);
  }

  op_create_router(op) {
    const spec = {
      deployments: op.deployments,
      ...given(op, {
        id: 'id', display_name: 'displayName', model: 'model', strategy: 'strategy',
        session_affinity: 'sessionAffinity', public: 'public',
      }),
    };
    return outcome(() => this.reg.createRouter(spec), routerJson);
  }

  op_update_router(op) {
    const update = given(op, {
      deployments: 'deployments', display_name: 'displayName', model: 'model', strategy: 'strategy',
      session_affinity: 'sessionAffinity', public: 'public',
    });
    return outcome(() => this.reg.updateRouter(op.name, update), routerJson);
  }

  op_delete_router(op) {
    return outcome(() => this.reg.deleteRouter(op.name), () => ({}));
  }

  op_get_router(op) {
    return outcome(() => this.reg.getRouter(op.name), routerJson);
  }

  op_set_account(op) {
    return outcome(() => this.reg.setAccount(op.account), () => ({}));
  }

  op_list() {
    return {
      deployments: this.reg.listDeployments().map((d) => d.name),
      routers: this.reg.listRouters().map((r) => r.name),
    };
  }

  op_traffic_split(op) {
    return outcome(() => this.reg.trafficSplit(op.router), splitJson);
  }

  op_route(op, expect, what) {
    if ('error' in expect) {
      check(op.count === 1, `${what}: an erroring route has count 1`);
      return outcome(() => this.reg.route(op.model, op.caller), (d) => d);
    }
    const names = [];
    for (let i = 0; i < op.count; i++) names.push(this.reg.route(op.model, op.caller));
    same(names, expectedNames(expect), what);
    return undefined;
  }

  op_route_request(op) {
    const request = { model: op.model, callerAccount: op.caller, ...given(op, { session_key: 'sessionKey' }) };
    if ('cursor' in op) request.cursor = big(op.cursor);
    return outcome(() => this.reg.routeRequest(request), (d) => ({
      deployment: d.deployment,
      replica: d.replica,
      next_cursor: d.nextCursor === null || d.nextCursor === undefined ? null : dec(d.nextCursor),
    }));
  }

  /** SPEC R8: a tracker from the router, the load table set, then `count`
   * even-load routes (each counted as started if asked). */
  op_route_loaded(op, expect, what) {
    const run = () => {
      const load = this.reg.loadTracker(op.model);
      try {
        for (const [deployment, inFlight] of op.loads) load.set(deployment, inFlight);
        const names = [];
        for (let i = 0; i < op.count; i++) {
          const request = { model: op.model, callerAccount: op.caller };
          const d = this.reg.routeRequestWithLoad(request, load).deployment;
          if (op.started) load.started(d);
          names.push(d);
        }
        return names;
      } finally {
        load.free();
      }
    };
    if ('error' in expect) return outcome(run, (names) => names);
    same(run(), expectedNames(expect), what);
    return undefined;
  }

  op_route_cursor_chain(op, expect, what) {
    let cursor = big(op.cursor);
    const names = [];
    const cursors = [];
    for (let i = 0; i < op.count; i++) {
      const d = this.reg.routeRequest({ model: op.model, callerAccount: op.caller, cursor });
      names.push(d.deployment);
      cursor = BigInt(d.nextCursor);
      cursors.push(cursor.toString());
    }
    same(names, expectedNames(expect), what);
    same(cursors, expect.next_cursors, what);
    return undefined;
  }

  op_route_sessions(op, expect, what) {
    const got = op.keys.map((key) => {
      const d = this.reg.routeRequest({ model: op.model, callerAccount: op.caller, sessionKey: key });
      return [expect.deployments.indexOf(d.deployment), d.replica];
    });
    same(got, expect.picks, what);
    return undefined;
  }

  op_reload() {
    const json = this.reg.toJson();
    this.reg.free();
    this.reg = this.api.Registry.fromJson(json);
    return {};
  }

  op_snapshot() {
    return { json: JSON.parse(this.reg.toJson()) };
  }
}

// ----- selector.json (SPEC S1-S4) -----

function buildWeights(spec) {
  if (spec.literal) return spec.literal;
  const { mul, modulus, add, len } = spec.formula;
  // Every intermediate is below 2^53 (the generator checks), so numbers are exact.
  return Array.from({ length: len }, (_, i) => ((i * mul) % modulus) + add);
}

function fnv1a64(counts) {
  const mask = (1n << 64n) - 1n;
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(Array.from(counts).join(','))) {
    h = ((h ^ BigInt(b)) * 0x100000001b3n) & mask;
  }
  return h;
}

/** Checks selector.json; returns the number of cases checked. */
export function checkSelector(api, file) {
  header(file, 'selector.json');
  let n = 0;
  for (const c of file.cases) {
    const what = `selector ${c.weights}/${c.seed}`;
    const weights = buildWeights(file.weights[c.weights]);
    const seedDef = file.seeds[c.seed];
    const seed = 'u64' in seedDef
      ? big(seedDef.u64)
      : fromHex(seedDef.bytes);
    // WeightedSelector has no seed getter in JS; a Registry expands seeds alike.
    const probe = new api.Registry('seed-probe', seed);
    same(toHex(probe.seed), seedDef.seed_bytes, `${what}: seed bytes`);
    probe.free();
    const sel = new api.WeightedSelector(Uint32Array.from(weights), seed);
    try {
      same(sel.length, c.len, `${what}: length`);
      same(dec(sel.total), c.total, `${what}: total`);
      // The first 8 picks one at a time, the rest as a batch: one stream (S3).
      const picks = [];
      for (let i = 0; i < 8; i++) picks.push(sel.pick());
      picks.push(...sel.pickMany(file.picks_per_case - 8));
      same(picks, c.picks, `${what}: picks`);
      const counts = Array.from(sel.counts(file.counts_picks));
      same(counts.reduce((a, b) => a + b, 0), file.counts_picks, `${what}: counts sum`);
      if (c.counts) {
        same(counts, c.counts, `${what}: counts`);
      } else {
        const d = c.counts_digest;
        same(`0x${fnv1a64(counts).toString(16).padStart(16, '0')}`, d.fnv1a64, `${what}: counts digest`);
        same(counts.filter((x) => x > 0).length, d.nonzero, `${what}: non-zero counts`);
        same(counts.reduce((a, b) => (b > a ? b : a), 0), d.max, `${what}: max`);
        same(counts.slice(0, d.head.length), d.head, `${what}: head`);
      }
    } finally {
      sel.free();
    }
    n++;
  }
  return n;
}

/** Seeds for Registry(account, seed): decimal strings to bigint. */
const seedOf = (s) => big(s);

// ----- registry.json (SPEC R1-R7, D1-D3, N3, T1, T2) -----

/** Checks registry.json; returns the number of ops checked. */
export function checkRegistry(api, file) {
  header(file, 'registry.json');
  let n = 0;
  for (const s of file.scenarios) {
    const runner = new Runner(api, s.account, seedOf(s.seed));
    try {
      for (const op of s.ops) {
        runner.apply(op, s.name);
        n++;
      }
    } finally {
      runner.reg.free();
    }
  }
  return n;
}

// ----- strategies.json (SPEC R7) -----

/** Checks strategies.json; returns the number of vectors checked. */
export function checkStrategies(api, file) {
  header(file, 'strategies.json');
  let n = 0;
  for (const c of file.session_hash) {
    same(api.sessionHash(c.key), big(c.hash), `sessionHash(${show(c.key)})`);
    n++;
  }
  for (const c of file.round_robin) {
    const what = `round robin ${show(c.weights)} from ${c.cursor}`;
    const rr = new api.WeightedRoundRobin(Uint32Array.from(c.weights));
    try {
      same(dec(rr.total), c.total, `${what}: total`);
      let cursor = big(c.cursor);
      const picks = [];
      for (let i = 0; i < c.count; i++) {
        picks.push(rr.pick(cursor));
        cursor = BigInt(rr.nextCursor(cursor));
      }
      same(picks, c.picks, what);
      same(cursor.toString(), c.next_cursor, `${what}: next cursor`);
      same(Array.from(rr.pickMany(big(c.cursor), c.count)), c.picks, `${what}: pickMany`);
    } finally {
      rr.free();
    }
    n++;
  }
  const { keys, cases } = file.session_affinity;
  for (const c of cases) {
    const what = `session affinity ${show(c.deployments)}`;
    const sa = new api.SessionAffinity(c.deployments.map(([name, r]) => [name, r]));
    try {
      same(dec(sa.total), c.total, `${what}: total`);
      same(keys.length, c.picks.length, `${what}: keys`);
      keys.forEach((key, i) => {
        const p = sa.pick(key);
        same([p.deployment, p.replica], c.picks[i], `${what}: key ${show(key)}`);
      });
      for (const h of c.hashed) {
        const p = sa.pickHashed(big(h.hash));
        same([p.deployment, p.replica], h.pick, `${what}: hash ${h.hash}`);
      }
    } finally {
      sa.free();
    }
    n++;
  }
  return n;
}

// ----- errors.json (SPEC N1, N2, G1-G6, D1, D2, R1, R6, R7, S4, T1, M6, E1) -----

function directRoute(api, i) {
  const options = given(i, { domain: 'domain', catalog: 'catalog' });
  return new api.DirectRoute(i.region, i.api_keys, options);
}

function errorCase(api, name, i) {
  const acme = () => new api.Registry('acme', 0);
  const total = (x) => ({ total: dec(x.total) });
  switch (name) {
    case 'registry_account':
      return outcome(() => new api.Registry(i.account, 0), (r) => ({ account: r.account }));
    case 'deployment_id':
      return outcome(() => acme().createDeployment({ model: 'm', id: i.id }), (d) => ({ name: d.name }));
    case 'deployment_model':
      return outcome(() => acme().createDeployment({ model: i.model, id: 'd1' }), (d) => ({ model: d.model }));
    case 'deployment_bounds':
      return outcome(
        () => acme().createDeployment({ model: 'm', id: 'd1', ...given(i, { min_replicas: 'minReplicas', max_replicas: 'maxReplicas' }) }),
        (d) => ({ min_replicas: d.minReplicas, max_replicas: d.maxReplicas, replicas: d.replicas }),
      );
    case 'deployment_placement':
      return outcome(
        () => new api.Registry(i.account, 0).createDeployment({
          model: 'm', id: i.id, ...given(i, { region: 'region', direct_route_api_keys: 'directRouteApiKeys' }),
        }),
        deploymentJson,
      );
    case 'route_target': {
      const reg = new api.Registry('zeta', 0);
      reg.createDeployment({ model: 'm', id: 'zd' });
      reg.createRouter({ deployments: ['zd'], id: 'zr' });
      reg.setAccount('acme');
      reg.createDeployment({ model: 'm', id: 'd1' });
      reg.createRouter({ deployments: ['d1'], id: 'r1' });
      return outcome(() => reg.routeRequest({ model: i.model, callerAccount: i.caller }), (d) => ({ deployment: d.deployment }));
    }
    case 'region':
      return outcome(() => new api.Region(i.name), (r) => ({
        canonical: r.canonical, host_label: r.hostLabel, supports_direct_routing: r.supportsDirectRouting(),
      }));
    case 'region_catalog':
      return outcome(() => new api.RegionCatalog(i.regions), (c) => ({ regions: [...c.regions] }));
    case 'direct_route':
      return outcome(() => directRoute(api, i), (d) => ({ region: d.region.canonical, domain: d.domain, key_count: d.keyCount }));
    case 'direct_route_handle':
      return outcome(
        () => {
          const route = directRoute(api, i);
          return [route.handle(i.deployment, i.account), route.baseUrl(i.deployment, i.account)];
        },
        ([handle, url]) => ({ handle, base_url: url }),
      );
    case 'authorize': {
      const route = directRoute(api, i);
      return outcome(() => route.authorize(i.header), () => ({}));
    }
    case 'router_options': {
      const reg = acme();
      reg.createDeployment({ model: 'm', id: 'd1' });
      const spec = { deployments: ['d1'], id: 'r1', ...given(i, { strategy: 'strategy', display_name: 'displayName' }) };
      return outcome(() => reg.createRouter(spec), routerJson);
    }
    case 'weighted_selector':
      return outcome(() => new api.WeightedSelector(Uint32Array.from(i.weights), 0), total);
    case 'seed_bytes':
      return outcome(() => new api.Registry('acme', fromHex(i.bytes)), (r) => ({ seed: toHex(r.seed) }));
    case 'weighted_round_robin':
      return outcome(() => new api.WeightedRoundRobin(Uint32Array.from(i.weights)), total);
    case 'session_affinity':
      return outcome(() => new api.SessionAffinity(i.deployments.map(([d, r]) => [d, r])), total);
    case 'registry_from_json':
      return outcome(() => api.Registry.fromJson(i.json), (r) => ({ account: r.account, to_json_equal: r.toJson() === i.json }));
    case 'plan_from_json':
      return outcome(() => api.MigrationPlan.fromJson(i.json), (p) => ({ steps: p.steps.length, to_json_equal: p.toJson() === i.json }));
    default:
      throw new Error(`unknown api ${name}`);
  }
}

/** Checks errors.json; returns the number of cases checked. */
export function checkErrors(api, file) {
  header(file, 'errors.json');
  check(file.cases.length === file.count, 'errors.json: case count');
  file.cases.forEach((c, n) => {
    same(errorCase(api, c.api, c.input), c.expect, `errors[${n}] ${c.api} ${show(c.input)}`);
  });
  return file.cases.length;
}

// ----- migration.json (SPEC M1-M6) -----

const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

function checkPlan(plan, expect, what) {
  const data = expect.json;
  same(JSON.parse(plan.toJson()), data, `${what}: plan JSON`);
  same(plan.firectlCommands(), expect.firectl_commands, `${what}: commands`);
  // The binding's own view of the steps agrees with the JSON.
  const steps = plan.steps;
  same(steps.length, data.steps.length, `${what}: steps`);
  steps.forEach((step, i) => {
    const want = data.steps[i];
    const frac = (f) => `${num(f.numerator)}/${num(f.denominator)}`;
    same(step.state.to.replicas, want.state.to.replicas, `${what} step ${i}: to`);
    same(step.state.from.replicas, want.state.from.replicas, `${what} step ${i}: from`);
    same(step.state.to.inRouter, want.state.to.in_router, `${what} step ${i}: to in router`);
    same(frac(step.toShare), want.to_share, `${what} step ${i}: to share`);
    same(frac(step.requestedShare), want.requested_share, `${what} step ${i}: requested share`);
    same(step.actions.map((a) => a.type), want.actions.map((a) => camel(a.action)), `${what} step ${i}: actions`);
    same(
      step.split.map((s) => [s.deployment, s.replicas, frac(s)]),
      want.split.map((s) => [s.deployment, s.replicas, s.share]),
      `${what} step ${i}: split`,
    );
  });
}

/** Checks migration.json; returns the number of cases checked. */
export function checkMigration(api, file) {
  header(file, 'migration.json');
  let n = 0;
  for (const c of file.cases) {
    const what = `migration ${c.name}`;
    const runner = new Runner(api, c.account, seedOf(c.seed));
    for (const op of c.setup) runner.apply(op, what);
    const reg = runner.reg;
    const initial = reg.toJson();
    const rq = c.request;
    const request = {
      router: rq.router,
      from: rq.from,
      to: rq.to,
      ...given(rq, {
        target_replicas: 'targetReplicas', traffic_steps: 'trafficSteps', max_step_percent: 'maxStepPercent',
        min_total_replicas: 'minTotalReplicas', max_total_replicas: 'maxTotalReplicas',
      }),
    };
    const { expect } = c;
    if ('error' in expect) {
      same(outcome(() => reg.planMigration(request), () => ({})), expect, what);
      reg.free();
      n++;
      continue;
    }
    const plan = reg.planMigration(request);
    checkPlan(plan, expect.plan, what);
    for (const a of expect.apply_errors) {
      same(outcome(() => reg.applyStep(plan, a.step), () => ({})), a.expect, `${what}: applyStep(${a.step})`);
    }
    same(reg.toJson(), initial, `${what}: refused steps change nothing`);
    expect.splits_after_steps.forEach((split, i) => {
      reg.applyStep(plan, i);
      same(outcome(() => reg.trafficSplit(rq.router), splitJson), split, `${what}: split after step ${i}`);
    });
    if (expect.rollback) {
      const after = expect.rollback.after_step;
      const rollback = plan.rollback(after);
      checkPlan(rollback, expect.rollback.plan, `${what} rollback`);
      const fresh = api.Registry.fromJson(initial);
      for (let i = 0; i <= after; i++) fresh.applyStep(plan, i);
      for (let i = 0; i < rollback.steps.length; i++) fresh.applyStep(rollback, i);
      same(fresh.toJson(), initial, `${what}: rollback restores the start`);
      fresh.free();
      rollback.free();
    }
    plan.free();
    reg.free();
    n++;
  }
  return n;
}

// ----- platform.json (SPEC P1-P3) -----

/** Checks platform.json; returns the number of cases checked. */
export function checkPlatform(api, file) {
  header(file, 'platform.json');
  let n = 0;
  for (const c of file.cases) {
    const what = `platform ${c.name}`;
    const reg = new api.Registry(c.account, seedOf(c.seed));
    // A string input is invalid JSON text, passed as is.
    const got = outcome(() => reg.importResources(c.input), (report) => ({
      report,
      snapshot: JSON.parse(reg.toJson()),
      export: reg.exportResources(),
    }));
    same(got, c.expect, what);
    if (c.plan) {
      const p = c.plan;
      const plan = reg.planMigration({
        router: p.router, from: p.from, to: p.to, targetReplicas: p.target_replicas, trafficSteps: p.traffic_steps,
      });
      const ops = plan.operations();
      same(ops.map((op) => op.toObject()), c.operations, `${what}: operations`);
      for (const op of ops) op.free();
      plan.free();
    }
    reg.free();
    n++;
  }
  return n;
}

/** Checks every file (`files` maps file name to parsed JSON); returns counts by file. */
export function checkAll(api, files) {
  return {
    'selector.json': checkSelector(api, files['selector.json']),
    'registry.json': checkRegistry(api, files['registry.json']),
    'strategies.json': checkStrategies(api, files['strategies.json']),
    'errors.json': checkErrors(api, files['errors.json']),
    'migration.json': checkMigration(api, files['migration.json']),
    'platform.json': checkPlatform(api, files['platform.json']),
  };
}
