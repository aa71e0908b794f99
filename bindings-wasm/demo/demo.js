// The replica-router demo: plain DOM, the `web` build imported as an ES module.
import init, { Registry, WeightedSelector, chiSquare, expectedCounts, version } from '../pkg/web/replica_router_wasm.js';

const ACCOUNT = 'my-account';
const ROUTER = 'ab-test';
const MODEL = 'accounts/fireworks/models/llama-v3p1-8b-instruct';
const COLORS = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16'];

/** The editable state: the router's deployments, in order. */
const state = {
  deployments: [
    { id: 'deployment-a', replicas: 3 },
    { id: 'deployment-b', replicas: 2 },
  ],
};

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'style') node.style.cssText = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else node[k] = v;
  }
  node.append(...children);
  return node;
};
const color = (i) => COLORS[i % COLORS.length];
const pct = (x) => `${x.toFixed(2)} %`;
/** A share in whole percent when exact, else to one decimal. */
const share = (x) => `${Number.isInteger(x) ? x : x.toFixed(1)} %`;
const fmt = (x) => x.toLocaleString('en-US');

function showError(node, err) {
  if (!err) {
    node.hidden = true;
    node.textContent = '';
    return;
  }
  node.hidden = false;
  node.replaceChildren(el('span', { class: 'code' }, err.code ?? err.name), err.message);
}

/** Builds the registry for the current state; every rule is checked by the core. */
function buildRegistry() {
  const reg = new Registry(ACCOUNT, 42);
  for (const d of state.deployments) {
    reg.createDeployment({ model: MODEL, id: d.id, minReplicas: d.replicas, maxReplicas: d.replicas });
  }
  reg.createRouter({ id: ROUTER, deployments: state.deployments.map((d) => d.id) });
  return reg;
}

/** The current split, or the error that prevents one. */
function currentSplit() {
  let registry;
  try {
    registry = buildRegistry();
    return { split: registry.trafficSplit(ROUTER) };
  } catch (err) {
    return { error: err };
  } finally {
    registry?.free();
  }
}

function renderDeployments(split) {
  const body = $('#deployments tbody');
  body.replaceChildren();
  state.deployments.forEach((d, i) => {
    const share = split?.shares[i];
    const name = el('input', { type: 'text', class: 'name', value: d.id, 'aria-label': 'deployment ID' });
    name.addEventListener('change', () => { d.id = name.value.trim(); render(); });
    const replicas = el('input', {
      type: 'number', class: 'replicas', min: '0', step: '1', value: String(d.replicas), 'aria-label': `${d.id} replicas`,
    });
    replicas.addEventListener('input', () => {
      const n = Number(replicas.value);
      if (replicas.value === '' || !Number.isInteger(n) || n < 0 || n > 4294967295) {
        replicas.classList.add('invalid');
        return;
      }
      replicas.classList.remove('invalid');
      d.replicas = n;
      render({ keepFocus: replicas });
    });
    const step = (delta) => () => { d.replicas = Math.max(0, d.replicas + delta); render(); };
    const remove = el('button', { type: 'button', class: 'remove', title: `remove ${d.id}` }, '×');
    remove.addEventListener('click', () => { state.deployments.splice(i, 1); render(); });
    const shareText = share
      ? el('span', { class: 'share-text' }, el('span', { class: 'percent' }, pct(share.percent)),
        el('span', { class: 'exact' }, `${share.numerator}/${share.denominator}`))
      : el('span', { class: 'muted' }, '—');
    body.append(el('tr', { 'data-deployment': d.id },
      el('td', {}, el('span', { class: 'swatch', style: `background:${color(i)}` }), name),
      el('td', {}, el('span', { class: 'stepper' },
        el('button', { type: 'button', onclick: step(-1), title: 'one replica less' }, '−'),
        replicas,
        el('button', { type: 'button', onclick: step(+1), title: 'one replica more' }, '+'))),
      el('td', { class: 'share-col' }, shareText),
      el('td', {}, remove)));
  });
}

function renderBars(split) {
  const box = $('#split');
  box.replaceChildren();
  if (!split) return;
  split.shares.forEach((s, i) => {
    const id = s.deployment.split('/').pop();
    box.append(el('div', { class: 'bar-row', 'data-deployment': id },
      el('div', { class: 'bar-label', title: s.deployment }, id),
      el('div', { class: 'bar-track' },
        el('div', { class: 'bar-fill', style: `width:${s.percent}%;background:${color(i)}` })),
      el('div', { class: 'bar-value' }, el('span', { class: 'percent' }, pct(s.percent)),
        el('span', { class: 'muted' }, `  ${s.replicas} of ${split.totalReplicas}`))));
  });
}

function render({ keepFocus } = {}) {
  const { split, error } = currentSplit();
  if (!keepFocus) renderDeployments(split);
  else updateShareCells(split);
  renderBars(split);
  showError($('#router-error'), error);
  $('#simulate').disabled = !split;
  $('#sim-result').hidden = true;
  refreshMigrationForm();
}

/** While typing in a replica field, update the share column without re-creating the inputs. */
function updateShareCells(split) {
  const rows = [...document.querySelectorAll('#deployments tbody tr')];
  rows.forEach((row, i) => {
    const cell = row.querySelector('.share-col');
    const share = split?.shares[i];
    cell.replaceChildren(share
      ? el('span', { class: 'share-text' }, el('span', { class: 'percent' }, pct(share.percent)),
        el('span', { class: 'exact' }, `${share.numerator}/${share.denominator}`))
      : el('span', { class: 'muted' }, '—'));
  });
}

function simulate(event) {
  event?.preventDefault();
  const { split, error } = currentSplit();
  if (!split) { showError($('#router-error'), error); return; }
  const n = Number($('#sim-n').value);
  const seedText = $('#sim-seed').value.trim();
  let selector;
  try {
    if (!Number.isSafeInteger(n) || n < 1 || n > 10_000_000) {
      throw Object.assign(new RangeError('requests must be an integer from 1 to 10,000,000'), { code: 'OUT_OF_RANGE' });
    }
    const weights = split.shares.map((s) => s.replicas);
    selector = new WeightedSelector(weights, seedText === '' ? undefined : BigInt(seedText));
    const observed = selector.counts(n);
    const expected = expectedCounts(n, weights);
    const fit = chiSquare(observed, weights);
    renderSimulation(split, n, observed, expected, fit);
    showError($('#router-error'), null);
  } catch (err) {
    showError($('#router-error'), err instanceof SyntaxError ? { code: 'OUT_OF_RANGE', message: 'the seed must be an integer >= 0' } : err);
  } finally {
    selector?.free();
  }
}

function renderSimulation(split, n, observed, expected, fit) {
  const body = $('#sim-table tbody');
  body.replaceChildren();
  const max = Math.max(...observed, ...expected, 1);
  split.shares.forEach((s, i) => {
    const id = s.deployment.split('/').pop();
    body.append(el('tr', { 'data-deployment': id },
      el('td', {}, el('span', { class: 'swatch', style: `background:${color(i)}` }), id),
      el('td', { class: 'num expected' }, fmt(Math.round(expected[i] * 100) / 100)),
      el('td', { class: 'num observed' }, fmt(observed[i])),
      el('td', { class: 'num observed-share' }, pct((100 * observed[i]) / n)),
      el('td', {}, el('div', { class: 'compare' },
        el('div', { class: 'bar-track', title: 'observed' },
          el('div', { class: 'bar-fill', style: `width:${(100 * observed[i]) / max}%;background:${color(i)}` })),
        el('div', { class: 'bar-track', title: 'expected' },
          el('div', { class: 'bar-fill expected-fill', style: `width:${(100 * expected[i]) / max}%` }))))));
  });
  $('#sim-total').textContent = fmt(observed.reduce((a, b) => a + b, 0));
  $('#sim-total').className = 'num';
  $('#sim-expected-total').textContent = fmt(n);
  $('#sim-expected-total').className = 'num';
  const summary = $('#sim-summary');
  if (fit) {
    const ok = fit.pValue >= 0.001;
    const df = fit.degreesOfFreedom;
    summary.replaceChildren(
      `χ² = ${fit.statistic.toFixed(3)} with ${df} degree${df === 1 ? '' : 's'} of freedom, p = ${fit.pValue.toPrecision(3)}: `,
      el('span', { class: ok ? 'verdict-ok' : 'verdict-bad' },
        ok ? 'consistent with the exact split' : 'does not fit the exact split'),
      el('span', { class: 'muted' }, '  (upper bar observed, lower bar expected)'));
  } else {
    summary.textContent = '';
  }
  $('#sim-result').hidden = false;
}

// ----- migration (shown only when the package has the migration planner) -----

const hasPlanner = typeof Registry.prototype.planMigration === 'function';

function refreshMigrationForm() {
  if (!hasPlanner) return;
  const select = $('#mig-from');
  const current = select.value;
  select.replaceChildren(...state.deployments.map((d) => el('option', { value: d.id }, d.id)));
  if (state.deployments.some((d) => d.id === current)) select.value = current;
}

function planMigration(event) {
  event?.preventDefault();
  const errorBox = $('#migration-error');
  let registry;
  let plan;
  try {
    registry = buildRegistry();
    const steps = $('#mig-steps').value.split(/[\s,]+/).filter(Boolean).map(Number);
    const ceiling = $('#mig-ceiling').value.trim();
    plan = registry.planMigration({
      router: ROUTER,
      from: $('#mig-from').value,
      to: $('#mig-to').value.trim(),
      targetReplicas: Number($('#mig-target').value),
      trafficSteps: steps,
      maxTotalReplicas: ceiling === '' ? null : Number(ceiling),
    });
    renderPlan(registry.trafficSplit(ROUTER), plan);
    showError(errorBox, null);
  } catch (err) {
    $('#migration-result').hidden = true;
    showError(errorBox, err);
  } finally {
    plan?.free();
    registry?.free();
  }
}

/** Each step's split as a stacked bar, with its actions; then the CLI commands. */
function renderPlan(initialSplit, plan) {
  const chart = $('#mig-steps-chart');
  chart.replaceChildren();
  const names = state.deployments.map((d) => `accounts/${ACCOUNT}/deployments/${d.id}`);
  const colorOf = (name) => {
    if (!names.includes(name)) names.push(name);
    return color(names.indexOf(name));
  };
  const short = (name) => name.split('/').pop();
  const from = short(plan.from);
  const to = short(plan.to);
  const routerShareOf = (split, name) => split.find((s) => s.deployment === name)?.percent ?? 0;
  const replicasOf = (split, name) => split.find((s) => s.deployment === name)?.replicas ?? 0;
  const fromToShare = (split, f, t) => {
    const both = replicasOf(split, f) + replicasOf(split, t);
    return both === 0 ? 0 : (100 * replicasOf(split, t)) / both;
  };
  const rows = [
    // Steps are numbered from 0, as in the plan's `steps` array, its
    // `table()` and `rollback(afterStep)`; the row before them is `start`.
    { label: 'start', split: initialSplit.shares, actions: ['current router'], requested: null,
      realised: fromToShare(initialSplit.shares, plan.from, plan.to) },
    ...plan.steps.map((s, i) => ({
      label: `step ${i}`, split: s.split, actions: s.actions.map((a) => a.description),
      requested: s.requestedShare.percent, realised: s.toShare.percent,
    })),
  ];
  // What the two kinds of share are a share of: the plan moves traffic
  // between `from` and `to` only; the bars show the whole router.
  chart.append(el('p', { class: 'share-note', id: 'mig-share-note' },
    el('strong', {}, 'Requested'), ' and ', el('strong', {}, 'realised'),
    ` are ${to}'s share of the traffic of ${from} + ${to} (the traffic the plan moves). `,
    'The bars and the ', el('em', {}, 'router'), ` column are shares of the whole router`,
    state.deployments.length > 1 ? ', other deployments included.' : '.'));
  chart.append(el('div', { class: 'step step-head' },
    el('div', {}, ''),
    el('div', {}, 'whole router'),
    el('div', { class: 'share-cols' },
      el('span', { title: `${to}'s share of ${from} + ${to} the step asked for` }, 'requested'),
      el('span', { title: `${to}'s share of ${from} + ${to} after the step` }, 'realised'),
      el('span', { title: `${to}'s share of the whole router after the step` }, 'router')),
    el('div', {}, 'replicas')));
  for (const row of rows) {
    chart.append(el('div', { class: 'step', 'data-step': row.label },
      el('div', { class: 'step-label' }, row.label),
      el('div', {},
        el('div', { class: 'stacked', title: row.split.map((s) => `${short(s.deployment)}: ${pct(s.percent)}`).join('\n') },
          ...row.split.filter((s) => s.percent > 0).map((s) => el('div', {
            style: `width:${s.percent}%;background:${colorOf(s.deployment)}`,
          }, s.percent >= 12 ? `${Math.round(s.percent)}%` : ''))),
        el('div', { class: 'actions' }, row.actions.join(' → '))),
      el('div', { class: 'share-cols' },
        el('span', { class: 'requested' }, row.requested === null ? '–' : share(row.requested)),
        el('span', { class: 'realised' }, share(row.realised)),
        el('span', { class: 'router-share' }, share(routerShareOf(row.split, plan.to)))),
      el('div', { class: 'replicas-text' }, [plan.from, plan.to].map((name) => {
        const s = row.split.find((x) => x.deployment === name);
        return `${short(name)} ${s ? s.replicas : '–'}`;
      }).join(' · '))));
  }
  chart.append(el('div', { class: 'legend' }, ...names.filter((n) => rows.some((r) => r.split.some((s) => s.deployment === n)))
    .map((n) => el('span', {}, el('span', { class: 'swatch', style: `background:${colorOf(n)}` }), short(n)))));
  $('#mig-commands').textContent = plan.firectlCommands().join('\n');
  $('#migration-result').hidden = false;
}

// ----- start -----

await init();
$('#version').textContent = `v${version()}`;
$('#add-deployment').addEventListener('click', () => {
  let k = state.deployments.length;
  const taken = new Set(state.deployments.map((d) => d.id));
  while (taken.has(`deployment-${String.fromCharCode(97 + (k % 26))}`)) k++;
  state.deployments.push({ id: `deployment-${String.fromCharCode(97 + (k % 26))}`, replicas: 1 });
  render();
});
$('#simulate-form').addEventListener('submit', simulate);
if (hasPlanner) {
  $('#migration-card').hidden = false;
  $('#migration-form').addEventListener('submit', planMigration);
}
render();
document.body.dataset.ready = 'true';
