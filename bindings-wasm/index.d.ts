// Types of the package entries `replica-router` (Node: node.js; browsers and
// bundlers: index.js). Both export the same API: every class and function of
// the WebAssembly build, the error classes, and a no-op `init()`.
export * from './pkg/web/api.js';
export {
  ReplicaRouterError, ValidationError, NotFoundError, PermissionDeniedError, ConflictError, NoCapacityError,
  InfeasiblePlanError, AuthError, type ErrorCode, type ErrorFamily,
} from './errors.js';

/**
 * Resolves at once: importing `replica-router` already initialized the
 * WebAssembly module (in Node from the .wasm file, in browsers and bundlers
 * with top-level await). Kept so that code written for the `web` build
 * (`await init()`) runs unchanged everywhere.
 */
export default function init(): Promise<void>;
