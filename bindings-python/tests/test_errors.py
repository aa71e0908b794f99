"""SPEC E2: the exception hierarchy, each class reachable from real calls,
each carrying the core's code and message."""

from __future__ import annotations

import pickle

import pytest

import replica_router as rr
from conftest import MODEL, ab_registry

SUBCLASSES = [
    rr.ValidationError,
    rr.NotFoundError,
    rr.PermissionDeniedError,
    rr.ConflictError,
    rr.NoCapacityError,
    rr.InfeasiblePlanError,
    rr.AuthError,
]


def test_e2_hierarchy() -> None:
    assert issubclass(rr.ReplicaRouterError, Exception)
    for cls in SUBCLASSES:
        assert issubclass(cls, rr.ReplicaRouterError)
        assert cls.__module__ == "replica_router"
        assert cls.__doc__
    assert issubclass(rr.ValidationError, ValueError)
    assert issubclass(rr.NotFoundError, LookupError)
    assert not issubclass(rr.PermissionDeniedError, ValueError)
    assert rr.ReplicaRouterError("x").code == "ERROR"


def test_e2_validation_error_carries_code_and_core_message() -> None:
    with pytest.raises(rr.ValidationError) as e:
        rr.Registry("My_Account", seed=1)
    assert e.value.code == "INVALID_NAME"
    assert str(e.value) == (
        "account ID 'My_Account' is invalid: use 1-63 of a-z, 0-9 and '-', "
        "starting and ending with a letter or digit"
    )
    assert isinstance(e.value, ValueError)
    assert e.value.args == (str(e.value),)


def test_e2_not_found() -> None:
    with pytest.raises(rr.NotFoundError) as e:
        ab_registry().get_deployment("nope")
    assert e.value.code == "NOT_FOUND"
    assert isinstance(e.value, LookupError)


def test_e2_permission_denied() -> None:
    with pytest.raises(rr.PermissionDeniedError) as e:
        ab_registry().get_deployment("accounts/other/deployments/x")
    assert e.value.code == "PERMISSION_DENIED"


@pytest.mark.parametrize("code", ["ALREADY_EXISTS", "IN_USE"])
def test_e2_conflict(code: str) -> None:
    reg = ab_registry()
    with pytest.raises(rr.ConflictError) as e:
        if code == "ALREADY_EXISTS":
            reg.create_deployment(MODEL, id="deployment-a")
        else:
            reg.delete_deployment("deployment-b")
    assert e.value.code == code


def test_e2_no_capacity() -> None:
    reg = ab_registry(0, 0)
    with pytest.raises(rr.NoCapacityError) as e:
        reg.route("ab-test")
    assert e.value.code == "NO_CAPACITY"


def test_e2_auth() -> None:
    route = rr.DirectRoute("US_ARIZONA_1", ["k1"])
    with pytest.raises(rr.AuthError) as e:
        route.authorize(None)
    assert e.value.code == "UNAUTHENTICATED"
    with pytest.raises(rr.AuthError) as e:
        route.authorize("Bearer k2")
    assert e.value.code == "FORBIDDEN"


def test_e2_infeasible_plan() -> None:
    reg = ab_registry(4, 1)
    with pytest.raises(rr.InfeasiblePlanError) as e:
        reg.plan_migration(
            "ab-test", "deployment-a", "deployment-c",
            traffic_steps=[100], min_total_replicas=4, max_total_replicas=4,
        )  # fmt: skip
    assert e.value.code == "INFEASIBLE_PLAN"


def test_e1_invalid_snapshot_keeps_the_rule_as_cause() -> None:
    reg = ab_registry()
    bad = reg.to_json().replace('"min_replicas": 3', '"min_replicas": 9')
    with pytest.raises(rr.ValidationError) as e:
        rr.Registry.from_json(bad)
    assert e.value.code == "INVALID_SNAPSHOT"
    assert isinstance(e.value.__cause__, rr.ValidationError)
    assert e.value.__cause__.code == "INVALID_REPLICA_BOUNDS"


@pytest.mark.parametrize(
    ("json", "code"),
    [
        ("", "INVALID_JSON"),
        ("{", "INVALID_JSON"),
        ('{"format_version": 99}', "UNSUPPORTED_FORMAT_VERSION"),
        ("[]", "INVALID_JSON"),
    ],
)
def test_t1_bad_json_is_a_validation_error(json: str, code: str) -> None:
    with pytest.raises(rr.ValidationError) as e:
        rr.Registry.from_json(json)
    assert e.value.code == code


def test_g6_keys_never_appear_in_errors() -> None:
    with pytest.raises(rr.ValidationError) as e:
        rr.DirectRoute("US_ARIZONA_1", ["good", "bad key!"])
    assert e.value.code == "INVALID_API_KEY"
    assert "bad key" not in str(e.value)
    with pytest.raises(rr.ValidationError) as e:
        rr.DirectRoute("US_ARIZONA_1", ["dup1", "dup1"])
    assert e.value.code == "DUPLICATE_API_KEY"
    assert "dup1" not in str(e.value)


def test_errors_pickle_with_their_code() -> None:
    with pytest.raises(rr.NotFoundError) as e:
        ab_registry().route("nope")
    again = pickle.loads(pickle.dumps(e.value))
    assert type(again) is rr.NotFoundError
    assert (again.code, str(again)) == (e.value.code, str(e.value))


def test_wrong_types_are_type_errors_and_bad_ints_validation_errors() -> None:
    reg = ab_registry()
    with pytest.raises(TypeError):
        reg.get_deployment(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        reg.create_router("deployment-a")  # a str is not a list of names
    with pytest.raises(TypeError):
        reg.create_deployment(MODEL, id="x", min_replicas=1.5)  # type: ignore[arg-type]
    for bad in (
        lambda: reg.create_deployment(MODEL, id="x", min_replicas=-1),
        lambda: reg.create_deployment(MODEL, id="x", max_replicas=2**32),
        lambda: rr.Registry("a", seed=-1),
        lambda: rr.Registry("a", seed=2**64),
        lambda: rr.WeightedSelector([1, -1]),
        lambda: rr.WeightedSelector([2**32]),
    ):
        with pytest.raises(rr.ValidationError) as e:
            bad()
        assert e.value.code == "OUT_OF_RANGE"
    with pytest.raises(rr.ValidationError) as e:
        rr.Registry("a", seed=b"short")
    assert e.value.code == "INVALID_SEED"
    with pytest.raises(TypeError):
        rr.Registry("a", seed=1.0)  # type: ignore[arg-type]
    assert [d.id for d in reg.list_deployments()] == ["deployment-a", "deployment-b"]


def test_lone_surrogates_are_rejected_by_core_not_by_the_codec() -> None:
    reg = ab_registry()
    with pytest.raises(rr.ValidationError) as e:
        reg.get_deployment("\ud800")
    assert e.value.code == "INVALID_NAME"
