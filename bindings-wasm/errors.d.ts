// Types of errors.js: the error classes of the package (SPEC E2).

/** Every `code` an error of this package can carry. */
export type ErrorCode =
  // core errors (`ReplicaRouterError` subclasses), one per core error variant
  | "INVALID_NAME"
  | "INVALID_RESOURCE_NAME"
  | "INVALID_REGION"
  | "UNSUPPORTED_REGION"
  | "REGION_REQUIRED"
  | "INVALID_API_KEY"
  | "DUPLICATE_API_KEY"
  | "NO_API_KEYS"
  | "HANDLE_TOO_LONG"
  | "INVALID_DOMAIN"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "INVALID_KEY_SECRET"
  | "KEY_SECRET_MISMATCH"
  | "INVALID_REPLICA_BOUNDS"
  | "ALREADY_EXISTS"
  | "NOT_FOUND"
  | "PERMISSION_DENIED"
  | "IN_USE"
  | "NOT_MULTI_REGION"
  | "FOREIGN_DEPLOYMENT"
  | "EMPTY_ROUTER"
  | "DUPLICATE_DEPLOYMENT"
  | "INVALID_STRATEGY"
  | "INVALID_DISPLAY_NAME"
  | "NO_CAPACITY"
  | "EMPTY_WEIGHTS"
  | "ZERO_TOTAL_WEIGHT"
  | "INVALID_SEED"
  | "LIMIT_EXCEEDED"
  | "INVALID_JSON"
  | "UNSUPPORTED_FORMAT_VERSION"
  | "INVALID_SNAPSHOT"
  | "DEPLOYMENT_NOT_IN_ROUTER"
  | "SAME_DEPLOYMENT"
  | "ZERO_TARGET_REPLICAS"
  | "EMPTY_TRAFFIC_STEPS"
  | "TRAFFIC_STEP_OUT_OF_RANGE"
  | "TRAFFIC_STEPS_NOT_INCREASING"
  | "TRAFFIC_STEPS_INCOMPLETE"
  | "INVALID_MAX_STEP"
  | "FLOOR_ABOVE_CEILING"
  | "FLOOR_ABOVE_TARGET"
  | "INFEASIBLE_PLAN"
  | "STEP_OUT_OF_RANGE"
  | "STEP_NOT_APPLICABLE"
  | "INVALID_PLAN_JSON"
  | "INVALID_RESOURCE_JSON"
  | "INVALID_RESOURCE"
  | "READ_ONLY_ROUTER"
  | "REPLICAS_OUT_OF_BOUNDS"
  // bad arguments: `TypeError` (wrong type or shape, wrong class, unknown option key; an object used after `free()`)
  | "INVALID_ARGUMENT"
  | "OBJECT_FREED"
  // `RangeError`: a number out of range (negative, fractional, NaN, too large)
  | "OUT_OF_RANGE"
  // `Error`: the `replica-router/web` build used before `await init()`
  | "NOT_INITIALIZED";

/** The names of the error families (the `name` of a `ReplicaRouterError`). */
export type ErrorFamily =
  | "ValidationError"
  | "NotFoundError"
  | "PermissionDeniedError"
  | "ConflictError"
  | "NoCapacityError"
  | "InfeasiblePlanError"
  | "AuthError";

/**
 * The base class of every error the core reports: `e.name` is the family,
 * `e.code` the exact error. Bad arguments are plain `TypeError`s and
 * `RangeError`s with a `code`, not `ReplicaRouterError`s.
 */
export class ReplicaRouterError extends Error {
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown });
  /** The stable error code, for example `"INVALID_NAME"`. */
  code: ErrorCode;
}
/** The input breaks a rule (names, regions, bounds, JSON, limits, ...). */
export class ValidationError extends ReplicaRouterError {}
/** An unknown router or deployment (`NOT_FOUND`). */
export class NotFoundError extends ReplicaRouterError {}
/** Another account's private resource, or a change to another account's resource (`PERMISSION_DENIED`). */
export class PermissionDeniedError extends ReplicaRouterError {}
/** Already exists, still in use, or a plan step that does not apply (`ALREADY_EXISTS`, `IN_USE`, `STEP_NOT_APPLICABLE`). */
export class ConflictError extends ReplicaRouterError {}
/** A router with 0 replicas in total (`NO_CAPACITY`). */
export class NoCapacityError extends ReplicaRouterError {}
/** A migration that cannot meet its constraints (`INFEASIBLE_PLAN`). */
export class InfeasiblePlanError extends ReplicaRouterError {}
/** Direct-route authorization failed (`UNAUTHENTICATED`, `FORBIDDEN`). */
export class AuthError extends ReplicaRouterError {}
