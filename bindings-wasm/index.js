// The package entry for browsers and bundlers (export condition `default`):
// the `web` build, initialized here once with top-level await, so
// `import { Registry } from 'replica-router'` is ready to use as soon as the
// import resolves. The .wasm is fetched from next to the glue
// (`new URL('replica_router_wasm_bg.wasm', import.meta.url)`).
import initWasm from './pkg/web/replica_router_wasm.js';

await initWasm();

export * from './pkg/web/replica_router_wasm.js';
export {
  ReplicaRouterError, ValidationError, NotFoundError, PermissionDeniedError, ConflictError, NoCapacityError,
  InfeasiblePlanError, AuthError,
} from './errors.js';

/**
 * Nothing left to do: importing the package initialized the module. Kept so
 * that code written for the `web` build (`await init()`) runs unchanged.
 */
export default async function init() {}
