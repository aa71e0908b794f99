// Compiled with `tsc --noEmit` (npm run test:types) against the generated
// .d.ts: the whole API is typed, object-shaped arguments and results included.
import {
  DirectRoute,
  MigrationPlan,
  Region,
  RegionCatalog,
  Registry,
  SessionAffinity,
  LoadTracker,
  WeightedRoundRobin,
  WeightedSelector,
  chiSquare,
  expectedCounts,
  sessionHash,
  strategies,
  version,
  type AffinityPick,
  type ChiSquare,
  type Deployment,
  type MigrationRequest,
  type MigrationStep,
  type RouteDecision,
  type DeploymentSpec,
  type Router,
  type RouterSpec,
  type Share,
  type StrategyName,
  type TrafficSplit,
} from 'replica-router';

const reg: Registry = new Registry('my-account', 42);
new Registry('my-account');
new Registry('my-account', 42n, ['US_IOWA_1']);
new Registry('my-account', new Uint8Array(32), RegionCatalog.default());

const spec: DeploymentSpec = { model: 'llama', id: 'deployment-a', minReplicas: 3, maxReplicas: 3 };
const a: Deployment = reg.createDeployment(spec);
const replicas: number = a.replicas;
const region: string | null = a.region;
reg.createDeployment({ model: 'llama', id: 'deployment-b', minReplicas: 2, maxReplicas: 2 });
const pinned = reg.createDeployment({ model: 'llama', region: 'US_ARIZONA_1', directRouteApiKeys: ['k1'] });
const handle: string | undefined = pinned.directRoute?.handle;

const rspec: RouterSpec = { id: 'ab-test', deployments: ['deployment-a', 'deployment-b'] };
const router: Router = reg.createRouter(rspec);
const strategy: StrategyName = router.strategy;
const names: StrategyName[] = strategies();
reg.updateRouter('ab-test', { public: true, strategy: names[0] });
reg.updateDeployment('deployment-a', { minReplicas: 4, maxReplicas: 4 });

const split: TrafficSplit = reg.trafficSplit('ab-test');
const share: Share = split.shares[0];
const exact: [number | bigint, number | bigint] = [share.numerator, share.denominator];
const percent: number = share.percent;
const routed: string = reg.route('accounts/my-account/routers/ab-test', 'my-account');
const json: string = reg.toJson();
const copy: Registry = Registry.fromJson(json);
const keyed: Registry = new Registry('acme', 1, null, new Uint8Array(32));
const keyedCopy: Registry = Registry.fromJson(keyed.toJson(), new Uint8Array(32));
const keyedRoute: boolean = new DirectRoute('US_IOWA_1', ['k'], { seed: 1, keySecret: 'a-secret-of-16-bytes' }).isKeyed;
const listed: Deployment[] = copy.listDeployments();
const routers: Router[] = copy.listRouters();
const seed: Uint8Array = copy.seed;

const sel = new WeightedSelector([3, 2], 42);
const one: number = sel.pick();
const many: Uint32Array = sel.pickMany(32);
const counts: Float64Array = sel.counts(1000);
const total: number | bigint = sel.total;
new WeightedSelector(new Uint32Array([1, 2]));

const r = new Region('us-arizona-1');
const canonical: string = r.canonical;
const host: string = r.hostLabel;
const supported: boolean = r.supportsDirectRouting() && r.supportsDirectRouting(RegionCatalog.default());
const catalogRegions: string[] = new RegionCatalog(['EU_PARIS_1']).regions;

const route = new DirectRoute(r, ['k1']);
new DirectRoute('US_IOWA_1', ['k1'], { domain: 'example.com' });
const url: string = route.baseUrl('accounts/my-account/deployments/d');
const h: string = route.handle('d', 'my-account');
route.authorize('Bearer k1');
route.authorize(undefined);
const maybe: DirectRoute | undefined = reg.directRoute('deployment-a');

const decision: RouteDecision = reg.routeRequest({ model: 'ab-test', callerAccount: 'my-account', sessionKey: 'k', cursor: 3n });
const next: number | bigint | null = decision.nextCursor;
const load: LoadTracker = reg.loadTracker('ab-test');
load.set('accounts/my-account/deployments/deployment-a', 2);
const inFlight: number | bigint = load.started('accounts/my-account/deployments/deployment-a');
const balanced: RouteDecision = reg.routeRequestWithLoad({ model: 'ab-test', callerAccount: 'my-account' }, load);
const tracked: string[] = load.deployments;
const flag: boolean = reg.getRouter('ab-test').sessionAffinity;

const request: MigrationRequest = { router: 'ab-test', from: 'deployment-a', to: 'new', trafficSteps: [20, 80, 100] };
const plan: MigrationPlan = reg.planMigration(request);
const steps: MigrationStep[] = plan.steps;
const firstAction: string = steps[0].actions[0].command;
const commands: string[] = plan.firectlCommands();
const kind: 'migration' | 'rollback' = plan.kind;
const back: MigrationPlan = MigrationPlan.fromJson(plan.toJson()).rollback(0);
reg.applyStep(plan, 0);
const ceiling: number | undefined = plan.maxTotalReplicas;

const rr = new WeightedRoundRobin([3, 2]);
const rrPicks: Uint32Array = rr.pickMany(0, 10);
const rrNext: number | bigint = rr.nextCursor(4n);
const affinity = new SessionAffinity([['a', 3], ['b', 2]]);
const ap: AffinityPick = affinity.pick('session');
const hash: bigint = sessionHash('session');
const fit: ChiSquare | null = chiSquare(counts, [3, 2]);
const expected: Float64Array = expectedCounts(1000, new Uint32Array([3, 2]));

try {
  reg.getRouter('missing');
} catch (e) {
  if (e instanceof Error) {
    const name: string = e.name;
    console.log(name);
  }
}

// @ts-expect-error: model is required
reg.createDeployment({ id: 'x' });
// @ts-expect-error: minReplicas is a number
reg.createDeployment({ model: 'm', minReplicas: '3' });
// @ts-expect-error: unknown keys are refused at runtime and by the types
reg.createRouter({ deployments: ['a'], replicas: 3 });

console.log(next, firstAction, commands, kind, back, ceiling, rrPicks, rrNext, ap, hash, fit, expected);
console.log(replicas, region, handle, strategy, exact, percent, routed, listed, routers, seed, one, many, counts,
  total, canonical, host, supported, catalogRegions, url, h, maybe, version());
