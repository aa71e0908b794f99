// The package entry for Node (export condition `node`): the same `web` build
// as in browsers, initialized synchronously from the .wasm file next to it,
// so `import { Registry } from 'replica-router'` is ready at once.
import { readFileSync } from 'node:fs';
import { initSync } from './pkg/web/replica_router_wasm.js';

initSync({ module: readFileSync(new URL('./pkg/web/replica_router_wasm_bg.wasm', import.meta.url)) });

export * from './pkg/web/replica_router_wasm.js';
export {
  ReplicaRouterError, ValidationError, NotFoundError, PermissionDeniedError, ConflictError, NoCapacityError,
  InfeasiblePlanError, AuthError,
} from './errors.js';

/**
 * Nothing to do: importing the package initialized the module. Kept so that
 * the same code (`await init()`) runs in Node and in browsers.
 */
export default async function init() {}
