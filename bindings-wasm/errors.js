// The error classes of the JS package (SPEC E2), shared by every entry
// point: the WebAssembly glue imports this module (wasm-bindgen
// `raw_module = "../../errors.js"`) to build the errors the core reports,
// and the package entries re-export the classes, so `instanceof` works
// whichever entry a program imports.
//
// Core errors are `ReplicaRouterError`s, one subclass per error family, like
// the Python package. A bad argument (wrong type, wrong class, a number out
// of range) is a plain `TypeError` or `RangeError`, as in Python; every error
// carries a stable `code`.

/** The base class of every error the core reports (`e.code` says which). */
export class ReplicaRouterError extends Error {
  /**
   * @param {string} message
   * @param {string} code
   * @param {{ cause?: unknown }} [options]
   */
  constructor(message, code, options) {
    super(message, options);
    /** The stable error code, for example `INVALID_NAME`. */
    this.code = code;
  }
}
ReplicaRouterError.prototype.name = 'ReplicaRouterError';

/** The input breaks a rule (names, regions, bounds, JSON, limits, ...). */
export class ValidationError extends ReplicaRouterError {}
ValidationError.prototype.name = 'ValidationError';
/** An unknown router or deployment. */
export class NotFoundError extends ReplicaRouterError {}
NotFoundError.prototype.name = 'NotFoundError';
/** Another account's private resource, or a change to another account's resource. */
export class PermissionDeniedError extends ReplicaRouterError {}
PermissionDeniedError.prototype.name = 'PermissionDeniedError';
/** Already exists, still in use, or a plan step that does not apply to the current state. */
export class ConflictError extends ReplicaRouterError {}
ConflictError.prototype.name = 'ConflictError';
/** A router with 0 replicas in total. */
export class NoCapacityError extends ReplicaRouterError {}
NoCapacityError.prototype.name = 'NoCapacityError';
/** A migration that cannot meet its constraints. */
export class InfeasiblePlanError extends ReplicaRouterError {}
InfeasiblePlanError.prototype.name = 'InfeasiblePlanError';
/** Direct-route authorization failed (`UNAUTHENTICATED` or `FORBIDDEN`). */
export class AuthError extends ReplicaRouterError {}
AuthError.prototype.name = 'AuthError';

const FAMILIES = {
  ValidationError, NotFoundError, PermissionDeniedError, ConflictError, NoCapacityError, InfeasiblePlanError,
  AuthError,
};

// ----- used by the WebAssembly glue; not part of the public API -----

/**
 * A core error: the class named `family` (the core's error kind), with the
 * core's `code` and message; `cause` is the inner error of an
 * `INVALID_SNAPSHOT`, else `undefined`.
 * @internal
 */
export function coreError(family, code, message, cause) {
  const Family = Object.hasOwn(FAMILIES, family) ? FAMILIES[family] : ReplicaRouterError;
  return new Family(message, code, cause === undefined ? undefined : { cause });
}

/** `Error` with a `code`. */
function coded(ErrorClass, message, code) {
  const error = new ErrorClass(message);
  error.code = code;
  return error;
}

/** What a value is, for messages: its type, or the name of its class (never throws). */
function describe(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object') return `a ${typeof value}`;
  try {
    if (Array.isArray(value)) return 'an array';
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    if (typeof name === 'string' && name !== '' && name !== 'Object') return `a ${name}`;
  } catch {
    // A revoked proxy or a throwing getter: just "an object".
  }
  return 'an object';
}

/**
 * The glue's check that an argument is an instance of a wasm class
 * (`Registry.applyStep(plan, ...)`): a `TypeError` with code
 * `INVALID_ARGUMENT`.
 * @internal
 */
export function wrongClassError(value, Class) {
  return coded(TypeError, `expected a ${Class.name}, got ${describe(value)}`, 'INVALID_ARGUMENT');
}

/**
 * What the glue throws for a message of wasm-bindgen's runtime: an object
 * used after `free()` (its pointer is 0) is a `TypeError` with code
 * `OBJECT_FREED`; re-entrant use of an object while a call on it is running
 * (from a getter or proxy of an argument), including `free()`, is a
 * `TypeError` with code `INVALID_ARGUMENT`. Other messages (which no call
 * of this package's API produces) stay plain `Error`s.
 * @internal
 */
export function runtimeError(message) {
  if (message === 'null pointer passed to rust') {
    return coded(TypeError,
      'this replica-router object was freed (free() was called, or its `using` block ended) and can no longer be used',
      'OBJECT_FREED');
  }
  if (message.startsWith('recursive use of an object detected')) {
    return coded(TypeError,
      'a replica-router object was used by an argument (a getter or proxy) while a call on it was running',
      'INVALID_ARGUMENT');
  }
  if (message.startsWith('attempted to take ownership of Rust value while it was borrowed')) {
    return coded(TypeError,
      'a replica-router object was freed by an argument (a getter or proxy) while a call on it was running; '
        + 'it is released when that call returns',
      'INVALID_ARGUMENT');
  }
  return new Error(message);
}

/**
 * What any export of the `web` build throws before `init()` has finished.
 * @internal
 */
export function notInitializedError() {
  return coded(Error,
    'replica-router: the WebAssembly module is not initialized. With the `replica-router/web` build, call '
      + '`await init()` (the default export) once before using anything; or import `replica-router`, '
      + 'which initializes itself',
    'NOT_INITIALIZED');
}
