// One ES-module snippet, run unchanged in Node, in headless Chromium without
// a bundler (an import map resolves `replica-router` to the package's
// index.js) and as an esbuild bundle in Chromium (tests/browser.test.mjs).
// No `init()` call is needed anywhere; calling it is harmless.
import init, { Registry, WeightedSelector, ValidationError } from 'replica-router';

await init();
const reg = new Registry('my-account', 42);
reg.createDeployment({ model: 'llama-v3p1-8b-instruct', id: 'deployment-a', minReplicas: 3, maxReplicas: 3 });
reg.createDeployment({ model: 'llama-v3p1-8b-instruct', id: 'deployment-b', minReplicas: 2, maxReplicas: 2 });
reg.createRouter({ id: 'ab-test', deployments: ['deployment-a', 'deployment-b'] });
const split = reg.trafficSplit('ab-test').shares.map((s) => `${s.numerator}/${s.denominator}`).join(' ');
const routes = Array.from({ length: 3 }, () => reg.route('ab-test', 'my-account').split('/').pop()).join(' ');
const selector = new WeightedSelector([3, 2], 42);
const picks = Array.from(selector.pickMany(10)).join('');
let error;
try {
  reg.createDeployment({ model: 'llama', id: 'Bad_Name' });
} catch (e) {
  error = `${e instanceof ValidationError ? 'ValidationError' : 'not a ValidationError'} ${e.code}`;
}
selector.free();
const result = `${reg} | split ${split} | routes ${routes} | picks ${picks} | ${error}`;
reg.free();
console.log(result);
globalThis.snippetResult = result;
