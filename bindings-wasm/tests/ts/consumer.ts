// A consumer of the package's types, compiled by tests/node/types.test.mjs
// under every `lib` setting the README names (es2022 with and without dom,
// esnext, Node's types), with `skipLibCheck: false`.
import init, {
  MigrationPlan,
  Registry,
  ReplicaRouterError,
  ValidationError,
  WeightedSelector,
  type ErrorCode,
  type Share,
} from 'replica-router';
import { ConflictError } from 'replica-router/errors';

/** What the checks below saw (no `console`: lib es2022 alone has none). */
export const seen: unknown[] = [];

await init();
const reg = new Registry('my-account', 42);
reg.createDeployment({ model: 'llama', id: 'a', minReplicas: 3, maxReplicas: 3 });
reg.createRouter({ id: 'r', deployments: ['a'] });
const share: Share = reg.trafficSplit('r').shares[0];
const exact: number = share.numerator / share.denominator;
const total: number = reg.trafficSplit('r').totalReplicas;
const selector = new WeightedSelector([3, 2], 1);
const weightTotal: number = selector.total;
selector[Symbol.dispose]();
const described: string = `${reg}`;

try {
  reg.applyStep(MigrationPlan.fromJson('{}'), 0);
} catch (e) {
  if (e instanceof ReplicaRouterError) {
    const code: ErrorCode = e.code;
    if (e instanceof ConflictError && code === 'STEP_NOT_APPLICABLE') seen.push('drifted');
    if (e instanceof ValidationError) seen.push(e.name, e.message);
  }
}
// @ts-expect-error: not an error code
const wrong: ErrorCode = 'NO_SUCH_CODE';
// @ts-expect-error: exact shares are numbers, never bigints
const big: bigint = share.numerator;

reg.free();
seen.push(exact, total, weightTotal, described, wrong, big);
