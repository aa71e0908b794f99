//! The one error type of the crate (SPEC E1).
//!
//! | rule | items |
//! | --- | --- |
//! | E1 one error enum | [`Error`], [`IdKind`] |
//! | E2 error families and codes | [`ErrorKind`], [`Error::kind`], [`Error::code`] |
//!
//! Every fallible operation returns [`Error`]. Each variant carries what a user
//! needs to fix the input, and its [`Display`](fmt::Display) text says what was
//! wrong and what is accepted. API keys never appear in any variant (G6).
//!
//! Bindings map errors by [`Error::kind`] (which exception class or JS error
//! family) and [`Error::code`] (a stable, machine-readable string), so the
//! mapping rule lives here, once.

use std::fmt;

use crate::support::text::Quoted;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of identifier an [`Error::InvalidName`] is about (SPEC N1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdKind {
    /// An account ID.
    Account,
    /// A deployment ID.
    Deployment,
    /// A router ID.
    Router,
    /// A model ID.
    Model,
}

impl IdKind {
    /// Lower-case noun used in messages: `"account"`, `"deployment"`, ...
    pub const fn noun(self) -> &'static str {
        match self {
            IdKind::Account => "account",
            IdKind::Deployment => "deployment",
            IdKind::Router => "router",
            IdKind::Model => "model",
        }
    }
}

/// The family an [`Error`] belongs to; bindings pick their exception class
/// from it (SPEC E2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is malformed or breaks a rule; fix the input.
    Validation,
    /// The named resource does not exist.
    NotFound,
    /// The resource exists but the caller may not use or change it.
    PermissionDenied,
    /// The operation conflicts with the current state (already exists, in use).
    Conflict,
    /// Nothing can serve: every candidate has zero replicas or weight.
    NoCapacity,
    /// A migration plan cannot meet its constraints.
    InfeasiblePlan,
    /// A direct-route request failed authentication or authorization.
    Auth,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::Validation,
        ErrorKind::NotFound,
        ErrorKind::PermissionDenied,
        ErrorKind::Conflict,
        ErrorKind::NoCapacity,
        ErrorKind::InfeasiblePlan,
        ErrorKind::Auth,
    ];

    /// The name of the kind's error class in every binding (SPEC E2): the
    /// Python exception class and the JS error's `name`, such as
    /// `"ValidationError"`. Their common base is `"ReplicaRouterError"`.
    pub const fn class_name(self) -> &'static str {
        match self {
            ErrorKind::Validation => "ValidationError",
            ErrorKind::NotFound => "NotFoundError",
            ErrorKind::PermissionDenied => "PermissionDeniedError",
            ErrorKind::Conflict => "ConflictError",
            ErrorKind::NoCapacity => "NoCapacityError",
            ErrorKind::InfeasiblePlan => "InfeasiblePlanError",
            ErrorKind::Auth => "AuthError",
        }
    }
}

/// Every error this crate returns.
///
/// Compare variants in tests, not messages: the messages are for people and
/// may be reworded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An ID does not follow SPEC N1.
    InvalidName {
        /// Which kind of ID was expected.
        kind: IdKind,
        /// The rejected input, verbatim.
        input: String,
    },
    /// A resource name is not of the expected form (SPEC N2).
    InvalidResourceName {
        /// The rejected input, verbatim.
        input: String,
        /// The accepted forms, for example `accounts/{account}/routers/{id} or a bare router ID`.
        expected: &'static str,
    },
    /// A region name is not of the form of SPEC G1.
    InvalidRegion {
        /// The rejected input, verbatim.
        input: String,
    },
    /// Direct routing asked for a region outside the catalog (SPEC G4).
    UnsupportedRegion {
        /// The canonical name of the rejected region.
        region: String,
        /// The catalog's regions, canonical names, sorted.
        supported: Vec<String>,
    },
    /// Direct routing asked for on a multi-region deployment (SPEC G4).
    RegionRequired,
    /// A direct-route API key is not 1 to 256 ASCII letters or digits (SPEC G4).
    /// The key itself is never included.
    InvalidApiKey {
        /// Zero-based position of the key in the given list.
        index: usize,
        /// The key's length in bytes (the key itself is secret).
        len: usize,
    },
    /// The same direct-route API key is listed twice (SPEC G4).
    DuplicateApiKey {
        /// Zero-based position of the second occurrence.
        index: usize,
        /// Zero-based position of the first occurrence.
        first: usize,
    },
    /// Direct routing needs at least one API key (SPEC G4).
    NoApiKeys,
    /// The direct-route handle's first DNS label would exceed 63 characters (SPEC G5).
    HandleTooLong {
        /// The label that would have been produced.
        label: String,
    },
    /// A domain suffix for direct-route handles is not a valid DNS name (SPEC G5).
    InvalidDomain {
        /// The rejected input, verbatim.
        input: String,
    },
    /// The `Authorization` header is missing or not `Bearer <key>` (SPEC G6).
    Unauthenticated {
        /// Why the header was rejected (never contains the presented key).
        reason: &'static str,
    },
    /// The presented key is not one of the deployment's direct-route keys (SPEC G6).
    Forbidden,
    /// A key secret is shorter or longer than allowed (SPEC G6; see
    /// [`KeySecret::new`](crate::KeySecret::new)).
    InvalidKeySecret {
        /// How many bytes were given.
        len: usize,
    },
    /// A snapshot's API-key digests are keyed by a secret and none or a
    /// different one was given (SPEC G6).
    KeySecretMismatch {
        /// Whether a secret was given (a different one) or not.
        given: bool,
    },
    /// Replica bounds with `min > max` (SPEC D2), or (snapshots) a replica
    /// count outside its bounds.
    InvalidReplicaBounds {
        /// The requested minimum.
        min: u32,
        /// The requested maximum.
        max: u32,
        /// The replica count outside `min ..= max`, when that is the
        /// problem (`None`: the bounds themselves are inverted).
        replicas: Option<u32>,
    },
    /// A resource with this name already exists.
    AlreadyExists {
        /// Full resource name.
        name: String,
    },
    /// No resource with this name exists (SPEC R4, R6).
    NotFound {
        /// Full resource name, as resolved.
        name: String,
    },
    /// The caller's account may not use or change this resource (SPEC R6).
    PermissionDenied {
        /// Full resource name.
        name: String,
        /// The caller's account ID.
        caller: String,
    },
    /// A deployment cannot be deleted while routers name it (SPEC D3).
    InUse {
        /// Full name of the deployment.
        deployment: String,
        /// Full names of the routers that name it, sorted.
        routers: Vec<String>,
    },
    /// A router names a region-pinned deployment (SPEC R2).
    NotMultiRegion {
        /// Full name of the deployment.
        deployment: String,
        /// Its region, canonical.
        region: String,
    },
    /// A router names a deployment of another account (SPEC R2).
    ForeignDeployment {
        /// Full name of the deployment.
        deployment: String,
        /// The router's account.
        router_account: String,
    },
    /// A router must list at least one deployment (SPEC R1).
    EmptyRouter,
    /// A router lists the same deployment twice (SPEC R1).
    DuplicateDeployment {
        /// Full name of the deployment.
        deployment: String,
    },
    /// A routing strategy name is not known (SPEC R7).
    InvalidStrategy {
        /// The rejected input, verbatim.
        input: String,
    },
    /// A display name is empty, too long or has control characters.
    InvalidDisplayName {
        /// Its length in characters.
        len: usize,
    },
    /// A router's deployments have 0 replicas in total (SPEC R5), or a
    /// deployment routed to directly has 0 replicas.
    NoCapacity {
        /// Full name of the router or deployment.
        name: String,
    },
    /// A weighted selector was given no weights (SPEC S3).
    EmptyWeights,
    /// A weighted selector's weights sum to zero (SPEC S3).
    ZeroTotalWeight,
    /// A seed given as bytes does not have exactly 32 of them (SPEC S4).
    InvalidSeed {
        /// How many bytes were given.
        len: usize,
    },
    /// A documented size limit was exceeded (see [`crate::limits`]).
    LimitExceeded {
        /// What was too large, for example `"deployments per router"`.
        what: &'static str,
        /// The limit.
        limit: usize,
        /// The size that was given.
        got: usize,
    },
    /// A snapshot is not valid JSON of the expected shape (SPEC T1).
    InvalidJson {
        /// What is wrong: the line and column of a syntax error, or the
        /// path of the offending value (`routers[2].public: ...`).
        message: String,
    },
    /// A snapshot has a format version this build does not read (SPEC T1).
    UnsupportedFormatVersion {
        /// The version found in the input.
        found: u64,
        /// The version this build reads and writes.
        supported: u64,
    },
    /// A snapshot parses but its content breaks a rule (SPEC T1); the inner
    /// error says which.
    InvalidSnapshot {
        /// Where in the snapshot, for example `routers[2]`.
        location: String,
        /// What is wrong there.
        source: Box<Error>,
    },
    /// A migration's `from` deployment is not listed in its router (SPEC M1).
    DeploymentNotInRouter {
        /// Full name of the deployment.
        deployment: String,
        /// Full name of the router.
        router: String,
    },
    /// A migration's `to` is the same deployment as its `from` (SPEC M1).
    SameDeployment {
        /// Full name of the deployment.
        deployment: String,
    },
    /// A migration's target replica count is 0 (SPEC M1); it defaults to
    /// `from`'s current count, so this also happens when `from` has none.
    ZeroTargetReplicas,
    /// A migration's explicit traffic steps are empty (SPEC M1).
    EmptyTrafficSteps,
    /// A migration traffic step is outside 1-100 percent (SPEC M1).
    TrafficStepOutOfRange {
        /// Zero-based position of the step in the list.
        index: usize,
        /// The rejected value.
        value: u32,
    },
    /// Migration traffic steps are not strictly increasing (SPEC M1).
    TrafficStepsNotIncreasing {
        /// Zero-based position of the offending step.
        index: usize,
        /// The step before it.
        previous: u32,
        /// The offending step.
        value: u32,
    },
    /// Migration traffic steps do not end at 100 percent (SPEC M1).
    TrafficStepsIncomplete {
        /// The last step given.
        last: u32,
    },
    /// A migration's maximum shift per step is 0 or above 100 points (SPEC M1).
    InvalidMaxStep {
        /// The rejected value, in percentage points.
        value: u32,
    },
    /// A migration's capacity floor is above its surge ceiling (SPEC M1).
    FloorAboveCeiling {
        /// `min_total_replicas`.
        floor: u32,
        /// `max_total_replicas`.
        ceiling: u32,
    },
    /// A migration's target is below the floor its actions keep (SPEC M3):
    /// `min_total_replicas`, or the from+to replicas serving at the start when
    /// they start below it (they then never fall below that count). At the
    /// end only `to`'s target replicas serve, so the last scale-down would
    /// break it.
    FloorAboveTarget {
        /// `min_total_replicas`.
        floor: u32,
        /// `target_replicas`.
        target: u32,
        /// The from+to replicas serving at the start.
        start_serving: u32,
        /// Single changes checked to make the request plannable.
        fixes: crate::migration::Fixes,
    },
    /// No migration plan meets the constraints (SPEC M4); the reason names the
    /// blocking constraint and what would unblock it.
    InfeasiblePlan {
        /// Which constraint blocks the plan, with the numbers.
        reason: crate::migration::Infeasibility,
    },
    /// A migration plan has no step with this index (SPEC M6).
    StepOutOfRange {
        /// The zero-based index asked for.
        index: usize,
        /// How many steps the plan has.
        steps: usize,
    },
    /// The registry is not in the state a migration step starts from (SPEC M6);
    /// nothing was changed.
    StepNotApplicable {
        /// Zero-based index of the step.
        step: usize,
        /// The first difference found.
        mismatch: crate::migration::StepMismatch,
    },
    /// A migration plan's JSON is malformed or inconsistent (SPEC M6).
    InvalidPlanJson {
        /// What is wrong: the line and column of a syntax error, the path of
        /// the offending value, or the inconsistency found by replaying it.
        message: String,
    },
    /// Platform resource JSON (SPEC P1) is malformed or of the wrong shape:
    /// a syntax error, a value of the wrong type, a count out of range.
    InvalidResourceJson {
        /// What is wrong: the line and column of a syntax error, or the path
        /// of the offending value (`[0].deployments[2].minReplicaCount: ...`).
        message: String,
    },
    /// A platform resource (SPEC P1) parses but breaks a rule of the model;
    /// the inner error says which.
    InvalidResource {
        /// Where in the input, for example `[1].routers[0]`.
        path: String,
        /// What is wrong there.
        source: Box<Error>,
    },
    /// A router the platform generated (`autoGenerated`) can be read and
    /// routed to, never updated or deleted (SPEC P1).
    ReadOnlyRouter {
        /// Full name of the router.
        name: String,
    },
    /// A replica count outside the deployment's bounds (SPEC D1, P3 scale).
    ReplicasOutOfBounds {
        /// Full name of the deployment.
        deployment: String,
        /// The requested count.
        replicas: u32,
        /// The deployment's minimum.
        min: u32,
        /// The deployment's maximum.
        max: u32,
    },
}

impl Error {
    /// The one error table (SPEC E1, E2): each variant's family and its
    /// stable code. [`Error::kind`] and [`Error::code`] read it; a new
    /// variant adds one row here.
    fn kind_and_code(&self) -> (ErrorKind, &'static str) {
        use Error::*;
        match self {
            InvalidName { .. } => (ErrorKind::Validation, "INVALID_NAME"),
            InvalidResourceName { .. } => (ErrorKind::Validation, "INVALID_RESOURCE_NAME"),
            InvalidRegion { .. } => (ErrorKind::Validation, "INVALID_REGION"),
            UnsupportedRegion { .. } => (ErrorKind::Validation, "UNSUPPORTED_REGION"),
            RegionRequired => (ErrorKind::Validation, "REGION_REQUIRED"),
            InvalidApiKey { .. } => (ErrorKind::Validation, "INVALID_API_KEY"),
            DuplicateApiKey { .. } => (ErrorKind::Validation, "DUPLICATE_API_KEY"),
            NoApiKeys => (ErrorKind::Validation, "NO_API_KEYS"),
            HandleTooLong { .. } => (ErrorKind::Validation, "HANDLE_TOO_LONG"),
            InvalidDomain { .. } => (ErrorKind::Validation, "INVALID_DOMAIN"),
            Unauthenticated { .. } => (ErrorKind::Auth, "UNAUTHENTICATED"),
            Forbidden => (ErrorKind::Auth, "FORBIDDEN"),
            InvalidKeySecret { .. } => (ErrorKind::Validation, "INVALID_KEY_SECRET"),
            KeySecretMismatch { .. } => (ErrorKind::Validation, "KEY_SECRET_MISMATCH"),
            InvalidReplicaBounds { .. } => (ErrorKind::Validation, "INVALID_REPLICA_BOUNDS"),
            AlreadyExists { .. } => (ErrorKind::Conflict, "ALREADY_EXISTS"),
            NotFound { .. } => (ErrorKind::NotFound, "NOT_FOUND"),
            PermissionDenied { .. } => (ErrorKind::PermissionDenied, "PERMISSION_DENIED"),
            InUse { .. } => (ErrorKind::Conflict, "IN_USE"),
            NotMultiRegion { .. } => (ErrorKind::Validation, "NOT_MULTI_REGION"),
            ForeignDeployment { .. } => (ErrorKind::Validation, "FOREIGN_DEPLOYMENT"),
            EmptyRouter => (ErrorKind::Validation, "EMPTY_ROUTER"),
            DuplicateDeployment { .. } => (ErrorKind::Validation, "DUPLICATE_DEPLOYMENT"),
            InvalidStrategy { .. } => (ErrorKind::Validation, "INVALID_STRATEGY"),
            InvalidDisplayName { .. } => (ErrorKind::Validation, "INVALID_DISPLAY_NAME"),
            NoCapacity { .. } => (ErrorKind::NoCapacity, "NO_CAPACITY"),
            EmptyWeights => (ErrorKind::Validation, "EMPTY_WEIGHTS"),
            ZeroTotalWeight => (ErrorKind::Validation, "ZERO_TOTAL_WEIGHT"),
            InvalidSeed { .. } => (ErrorKind::Validation, "INVALID_SEED"),
            LimitExceeded { .. } => (ErrorKind::Validation, "LIMIT_EXCEEDED"),
            InvalidJson { .. } => (ErrorKind::Validation, "INVALID_JSON"),
            UnsupportedFormatVersion { .. } => {
                (ErrorKind::Validation, "UNSUPPORTED_FORMAT_VERSION")
            }
            InvalidSnapshot { .. } => (ErrorKind::Validation, "INVALID_SNAPSHOT"),
            DeploymentNotInRouter { .. } => (ErrorKind::Validation, "DEPLOYMENT_NOT_IN_ROUTER"),
            SameDeployment { .. } => (ErrorKind::Validation, "SAME_DEPLOYMENT"),
            ZeroTargetReplicas => (ErrorKind::Validation, "ZERO_TARGET_REPLICAS"),
            EmptyTrafficSteps => (ErrorKind::Validation, "EMPTY_TRAFFIC_STEPS"),
            TrafficStepOutOfRange { .. } => (ErrorKind::Validation, "TRAFFIC_STEP_OUT_OF_RANGE"),
            TrafficStepsNotIncreasing { .. } => {
                (ErrorKind::Validation, "TRAFFIC_STEPS_NOT_INCREASING")
            }
            TrafficStepsIncomplete { .. } => (ErrorKind::Validation, "TRAFFIC_STEPS_INCOMPLETE"),
            InvalidMaxStep { .. } => (ErrorKind::Validation, "INVALID_MAX_STEP"),
            // Each bound is valid alone; together they leave no plan.
            FloorAboveCeiling { .. } => (ErrorKind::InfeasiblePlan, "FLOOR_ABOVE_CEILING"),
            FloorAboveTarget { .. } => (ErrorKind::InfeasiblePlan, "FLOOR_ABOVE_TARGET"),
            InfeasiblePlan { .. } => (ErrorKind::InfeasiblePlan, "INFEASIBLE_PLAN"),
            StepOutOfRange { .. } => (ErrorKind::Validation, "STEP_OUT_OF_RANGE"),
            StepNotApplicable { .. } => (ErrorKind::Conflict, "STEP_NOT_APPLICABLE"),
            InvalidPlanJson { .. } => (ErrorKind::Validation, "INVALID_PLAN_JSON"),
            InvalidResourceJson { .. } => (ErrorKind::Validation, "INVALID_RESOURCE_JSON"),
            InvalidResource { .. } => (ErrorKind::Validation, "INVALID_RESOURCE"),
            ReadOnlyRouter { .. } => (ErrorKind::PermissionDenied, "READ_ONLY_ROUTER"),
            ReplicasOutOfBounds { .. } => (ErrorKind::Validation, "REPLICAS_OUT_OF_BOUNDS"),
        }
    }

    /// The family of the error, which picks the exception class in bindings.
    pub fn kind(&self) -> ErrorKind {
        self.kind_and_code().0
    }

    /// A stable, machine-readable code, `SCREAMING_SNAKE_CASE`, one per
    /// variant. Bindings expose it (Python `err.code`, JS `err.code`) and the
    /// shared test vectors use it.
    pub fn code(&self) -> &'static str {
        self.kind_and_code().1
    }

    /// The error at `location` of a snapshot being loaded. A JSON shape
    /// error gets the location as the start of its path instead of a second
    /// prefix (`deployments[2].direct_route...: ...`, not `invalid snapshot
    /// at deployments[2]: invalid snapshot JSON: ...`).
    pub(crate) fn in_snapshot(self, location: impl Into<String>) -> Error {
        match self {
            Error::InvalidJson { message } => Error::InvalidJson {
                message: format!("{}.{message}", location.into()),
            },
            other => Error::InvalidSnapshot {
                location: location.into(),
                source: Box::new(other),
            },
        }
    }
}

const ID_RULE: &str = "use 1-63 of a-z, 0-9 and '-', starting and ending with a letter or digit";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Error::*;
        match self {
            InvalidName { kind, input } => {
                write!(
                    f,
                    "{} ID {} is invalid: {ID_RULE}",
                    kind.noun(),
                    Quoted(input)
                )
            }
            InvalidResourceName { input, expected } => {
                write!(
                    f,
                    "resource name {} is invalid: expected {expected}",
                    Quoted(input)
                )
            }
            InvalidRegion { input } => write!(
                f,
                "region {} is invalid: use a canonical name like US_ARIZONA_1 or a host form like \
                 us-arizona-1 (two letters, one or more words, a number)",
                Quoted(input)
            ),
            UnsupportedRegion { region, supported } => write!(
                f,
                "region {region} does not support direct routing; supported regions: {}",
                supported.join(", ")
            ),
            RegionRequired => {
                f.write_str("direct routing needs a deployment pinned to one region: set a region")
            }
            InvalidApiKey { index, len } => write!(
                f,
                "direct-route API key #{index} ({len} bytes) is invalid: use 1-256 ASCII letters \
                 or digits"
            ),
            DuplicateApiKey { index, first } => write!(
                f,
                "direct-route API key #{index} repeats key #{first}: list each key once"
            ),
            NoApiKeys => f.write_str("direct routing needs at least one API key"),
            HandleTooLong { label } => write!(
                f,
                "direct-route handle label '{label}' has {} characters; a DNS label allows at \
                 most 63: use a shorter account or deployment ID",
                label.len()
            ),
            InvalidDomain { input } => write!(
                f,
                "domain {} is invalid: use dot-separated DNS labels of a-z, 0-9 and '-', each 1-63 \
                 characters",
                Quoted(input)
            ),
            Unauthenticated { reason } => write!(
                f,
                "unauthenticated: {reason}; send 'Authorization: Bearer <direct-route API key>'"
            ),
            Forbidden => f.write_str(
                "forbidden: the API key is not one of this deployment's direct-route keys \
                 (account-level keys are not accepted)",
            ),
            InvalidKeySecret { len } => write!(
                f,
                "a key secret of {len} bytes is invalid: use {} to {} bytes (32 random bytes \
                 recommended)",
                crate::KeySecret::MIN_LEN,
                crate::KeySecret::MAX_LEN
            ),
            KeySecretMismatch { given: false } => f.write_str(
                "the snapshot's API-key digests are keyed by a secret, and none was given: use the \
                 key secret they were saved with",
            ),
            KeySecretMismatch { given: true } => f.write_str(
                "the key secret is not the one the API-key digests are keyed by: use the key \
                 secret they were saved with",
            ),
            InvalidReplicaBounds {
                min,
                max,
                replicas: None,
            } => write!(
                f,
                "replica bounds are invalid: min {min} is greater than max {max}; use min <= max"
            ),
            InvalidReplicaBounds {
                min,
                max,
                replicas: Some(replicas),
            } => write!(
                f,
                "replica count {replicas} is outside its bounds {min} to {max}; use min <= \
                 replicas <= max"
            ),
            AlreadyExists { name } => write!(f, "{name} already exists: choose another ID"),
            NotFound { name } => write!(f, "{name} not found"),
            PermissionDenied { name, caller } => write!(
                f,
                "permission denied: account '{caller}' may not use {name}: it belongs to another \
                 account, the only one that may change it (others may route only to its public \
                 routers)"
            ),
            InUse {
                deployment,
                routers,
            } => write!(
                f,
                "{deployment} is in use by {}: remove it from {} first",
                routers.join(", "),
                if routers.len() == 1 {
                    "that router"
                } else {
                    "those routers"
                }
            ),
            NotMultiRegion { deployment, region } => write!(
                f,
                "{deployment} is pinned to region {region}; routers only work with multi-region \
                 deployments"
            ),
            ForeignDeployment {
                deployment,
                router_account,
            } => write!(
                f,
                "{deployment} belongs to another account; a router of account '{router_account}' \
                 can only list that account's deployments"
            ),
            EmptyRouter => f.write_str("a router needs at least one deployment"),
            DuplicateDeployment { deployment } => {
                write!(f, "{deployment} is listed twice; list each deployment once")
            }
            InvalidStrategy { input } => write!(
                f,
                "routing strategy {} is unknown: use {}",
                Quoted(input),
                crate::router::Strategy::NAMES.join(", ")
            ),
            InvalidDisplayName { len } => write!(
                f,
                "display name ({len} characters) is invalid: use 1-{} characters without control \
                 characters",
                crate::limits::MAX_DISPLAY_NAME_CHARS
            ),
            NoCapacity { name } => write!(
                f,
                "no capacity: {name} has 0 replicas in total; scale a deployment up"
            ),
            EmptyWeights => f.write_str("a weighted selector needs at least one weight"),
            ZeroTotalWeight => {
                f.write_str("the weights sum to 0: at least one weight must be positive")
            }
            InvalidSeed { len } => write!(
                f,
                "a seed of {len} bytes is invalid: use exactly 32 bytes or a 64-bit unsigned \
                 integer"
            ),
            LimitExceeded { what, limit, got } => {
                write!(f, "too many {what}: {got} given, at most {limit} allowed")
            }
            InvalidJson { message } => write!(
                f,
                "invalid snapshot JSON: {message}; expected the output of to_json (format version \
                 {})",
                crate::registry::FORMAT_VERSION
            ),
            UnsupportedFormatVersion { found, supported } => write!(
                f,
                "snapshot format version {found} is not supported: this build reads versions 1 to \
                 {supported}"
            ),
            InvalidSnapshot { location, source } => {
                write!(f, "invalid snapshot at {location}: {source}")
            }
            DeploymentNotInRouter { deployment, router } => write!(
                f,
                "{deployment} is not listed in {router}: migrate from one of the router's \
                 deployments"
            ),
            SameDeployment { deployment } => write!(
                f,
                "migration from {deployment} to itself: choose a different `to` deployment"
            ),
            ZeroTargetReplicas => f.write_str(
                "target_replicas is 0: set it to at least 1 (it defaults to from's current \
                 replica count)",
            ),
            EmptyTrafficSteps => f.write_str(
                "traffic steps are empty: use percentages from 1 to 100, strictly increasing, \
                 ending at 100",
            ),
            TrafficStepOutOfRange { index, value } => write!(
                f,
                "traffic step #{index} is {value}%: each step must be from 1 to 100 percent"
            ),
            TrafficStepsNotIncreasing {
                index,
                previous,
                value,
            } => write!(
                f,
                "traffic step #{index} ({value}%) does not exceed the step before it \
                 ({previous}%): steps must be strictly increasing"
            ),
            TrafficStepsIncomplete { last } => write!(
                f,
                "traffic steps end at {last}%: the last step must be 100 so the migration \
                 completes"
            ),
            InvalidMaxStep { value } => write!(
                f,
                "maximum shift per step is {value} percentage points: use 1 to 100"
            ),
            FloorAboveCeiling { floor, ceiling } => write!(
                f,
                "min_total_replicas {floor} is above max_total_replicas {ceiling}: the floor must \
                 be at most the ceiling"
            ),
            FloorAboveTarget {
                floor,
                target,
                start_serving,
                fixes,
            } => {
                if start_serving >= floor {
                    write!(
                        f,
                        "min_total_replicas {floor} is above target_replicas {target}: the \
                         {start_serving} from+to replicas serving at the start are at or above \
                         the floor, and at the end only the target replicas serve"
                    )?;
                } else {
                    write!(
                        f,
                        "target_replicas {target} is below the {start_serving} from+to replicas \
                         serving at the start: they start below min_total_replicas {floor}, so \
                         they may never fall below that count"
                    )?;
                }
                fixes.write(f, "min_total_replicas or target_replicas")
            }
            InfeasiblePlan { reason } => write!(f, "migration plan is infeasible: {reason}"),
            StepOutOfRange { index, steps } => write!(
                f,
                "migration step {index} does not exist: the plan has {steps} steps, use an index \
                 from 0 to {}",
                steps.saturating_sub(1)
            ),
            StepNotApplicable { step, mismatch } => write!(
                f,
                "migration step {step} cannot be applied: {mismatch}; apply the steps in order \
                 to the registry the plan was made for"
            ),
            InvalidPlanJson { message } => write!(
                f,
                "invalid migration plan JSON: {message}; expected the output of a migration \
                 plan's to_json(), not a registry snapshot"
            ),
            InvalidResourceJson { message } => write!(
                f,
                "invalid platform resource JSON: {message}; expected router or deployment \
                 objects or list responses in the platform's REST shape"
            ),
            InvalidResource { path, source } => {
                f.write_str("invalid platform resource")?;
                if !path.is_empty() {
                    write!(f, " at {path}")?;
                }
                write!(
                    f,
                    ": {source}; use a resource that follows this rule, or leave it out of the input"
                )
            }
            ReadOnlyRouter { name } => write!(
                f,
                "{name} was generated by the platform (autoGenerated) and is read-only: it can \
                 be routed to, not updated or deleted; create a router of your own instead"
            ),
            ReplicasOutOfBounds {
                deployment,
                replicas,
                min,
                max,
            } => write!(
                f,
                "cannot scale {deployment} to {replicas} replicas: its bounds are {min}-{max}; \
                 use a count within them or update the bounds first"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::InvalidSnapshot { source, .. } | Error::InvalidResource { source, .. } => {
                Some(source.as_ref())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_for_invalid_router_id_states_the_rule() {
        let e = Error::InvalidName {
            kind: IdKind::Router,
            input: "My_Router".into(),
        };
        assert_eq!(
            e.to_string(),
            "router ID 'My_Router' is invalid: use 1-63 of a-z, 0-9 and '-', starting and ending \
             with a letter or digit"
        );
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(e.code(), "INVALID_NAME");
    }
}
