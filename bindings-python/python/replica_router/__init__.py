"""replica_router: a deterministic, exact model of inference traffic routers.

Routers are named aliases over model deployments whose traffic is split by
replica count (3 and 2 replicas get exactly 3/5 and 2/5), direct routes are
region-pinned endpoints guarded by their own API keys, and every random
choice comes from a seeded generator, so the same seed gives the same
answers here, in Rust and in JavaScript.

Example:

    >>> from replica_router import Registry
    >>> reg = Registry("my-account", seed=42)
    >>> _ = reg.create_deployment("llama-v3p1-8b-instruct", id="deployment-a",
    ...                           min_replicas=3, max_replicas=3)
    >>> _ = reg.create_deployment("llama-v3p1-8b-instruct", id="deployment-b",
    ...                           min_replicas=2, max_replicas=2)
    >>> _ = reg.create_router(["deployment-a", "deployment-b"], id="ab-test")
    >>> [(s.fraction, s.percent) for s in reg.traffic_split("ab-test")]
    [(Fraction(3, 5), 60.0), (Fraction(2, 5), 40.0)]

Everything is implemented in the Rust core; this package re-exports the
native module ``replica_router._core``.
"""

from ._core import (
    DEFAULT_DIRECT_DOMAIN,
    MAX_BATCH_PICKS,
    STRATEGIES,
    AffinityPick,
    AuthError,
    ConflictError,
    Deployment,
    DirectRoute,
    InfeasiblePlanError,
    LoadTracker,
    MigrationAction,
    MigrationPlan,
    MigrationStep,
    NoCapacityError,
    NotFoundError,
    Operation,
    PermissionDeniedError,
    Region,
    RegionCatalog,
    Registry,
    ReplicaRouterError,
    RouteDecision,
    Router,
    SessionAffinity,
    Share,
    TrafficSplit,
    ValidationError,
    WeightedRoundRobin,
    WeightedSelector,
    session_hash,
    __version__,
)

__all__ = [
    "DEFAULT_DIRECT_DOMAIN",
    "MAX_BATCH_PICKS",
    "STRATEGIES",
    "AffinityPick",
    "AuthError",
    "ConflictError",
    "Deployment",
    "DirectRoute",
    "InfeasiblePlanError",
    "LoadTracker",
    "MigrationAction",
    "MigrationPlan",
    "MigrationStep",
    "NoCapacityError",
    "NotFoundError",
    "Operation",
    "PermissionDeniedError",
    "Region",
    "RegionCatalog",
    "Registry",
    "ReplicaRouterError",
    "RouteDecision",
    "Router",
    "SessionAffinity",
    "Share",
    "TrafficSplit",
    "ValidationError",
    "WeightedRoundRobin",
    "WeightedSelector",
    "session_hash",
    "__version__",
]
