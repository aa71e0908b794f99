"""SPEC R7-R9 strategies through Python: weighted round robin, even load
with a LoadTracker, the session-affinity flag, and routers that use them."""

from __future__ import annotations

import pytest

import replica_router as rr
from conftest import MODEL

A = "accounts/my-account/deployments/deployment-a"
B = "accounts/my-account/deployments/deployment-b"


def registry_with(
    strategy: str, a: int = 3, b: int = 2, *, session_affinity: bool = False, seed: int = 42
) -> rr.Registry:
    reg = rr.Registry("my-account", seed=seed)
    reg.create_deployment(MODEL, id="deployment-a", min_replicas=a, max_replicas=a)
    reg.create_deployment(MODEL, id="deployment-b", min_replicas=b, max_replicas=b)
    reg.create_router(
        ["deployment-a", "deployment-b"],
        id="ab-test",
        strategy=strategy,
        session_affinity=session_affinity,
    )
    return reg


def test_r7_strategy_names() -> None:
    assert rr.STRATEGIES == ["weighted-random", "even-load", "weighted-round-robin"]
    for name in rr.STRATEGIES:
        assert registry_with(name).get_router("ab-test").strategy == name
    for gone in ["fastest", "session-affinity"]:
        with pytest.raises(rr.ValidationError) as e:
            registry_with(gone)
        assert e.value.code == "INVALID_STRATEGY"
        assert "weighted-round-robin" in str(e.value)


def test_r8_even_load_without_load_is_weighted_random() -> None:
    even, random = registry_with("even-load", seed=9), registry_with("weighted-random", seed=9)
    load = even.load_tracker("ab-test")
    assert load.deployments == [A, B]
    assert load.to_dict() == {A: 0, B: 0}
    for i in range(500):
        expected = random.route("ab-test")
        # A fresh tracker and no tracker both draw exactly as weighted-random.
        assert even.route("ab-test", load=load if i % 2 else None) == expected


def test_r8_even_load_picks_the_lowest_load_per_replica() -> None:
    reg = registry_with("even-load")
    load = reg.load_tracker("ab-test")
    load.set(A, 4)  # 4/3 per replica
    load.set(B, 2)  # 1 per replica
    assert reg.route("ab-test", load=load) == B
    assert load.started(B) == 3  # now 3/2: a is lower
    assert reg.route_request("ab-test", load=load).deployment == A
    assert load.finished(B) == 2 and load.in_flight(B) == 2
    assert repr(load) == f"LoadTracker({{'{A}': 4, '{B}': 2}})"
    # A closed loop keeps the load per replica level.
    load.set(A, 0)
    load.set(B, 0)
    for _ in range(50):
        load.started(reg.route("ab-test", load=load))
    assert (load.in_flight(A), load.in_flight(B)) == (30, 20)


def test_r8_load_tracker_errors() -> None:
    reg = registry_with("even-load")
    load = reg.load_tracker("ab-test")
    for bad in ["deployment-a", "accounts/my-account/deployments/nope", ""]:
        with pytest.raises(rr.NotFoundError):
            load.started(bad)
    with pytest.raises(OverflowError):
        load.set(A, -1)
    with pytest.raises(TypeError):
        reg.route("ab-test", load="not a tracker")  # type: ignore[arg-type]
    # A tracker that misses one of the router's deployments is an error.
    reg.create_deployment(MODEL, id="deployment-c")
    reg.update_router("ab-test", deployments=["deployment-a", "deployment-c"])
    with pytest.raises(rr.NotFoundError) as e:
        reg.route("ab-test", load=load)
    assert "deployment-c" in str(e.value)
    assert reg.route("ab-test", load=reg.load_tracker("ab-test")).startswith("accounts/")


def test_r9_session_affinity_is_a_flag_for_every_strategy() -> None:
    for strategy in rr.STRATEGIES:
        reg = registry_with(strategy, session_affinity=True)
        router = reg.get_router("ab-test")
        assert (router.strategy, router.session_affinity) == (strategy, True)
        assert "session_affinity=True" in repr(router)
        assert router.to_dict()["session_affinity"] is True
        reference = registry_with("weighted-random", session_affinity=True)
        load = reg.load_tracker("ab-test")
        load.set(A, 100)
        for k in map(str, range(50)):
            d = reg.route_request("ab-test", session_key=k, cursor=1, load=load)
            assert d == reference.route_request("ab-test", session_key=k)
            assert d.replica is not None
    # Updating the flag leaves the strategy, and the other way round.
    reg = registry_with("weighted-round-robin")
    assert reg.get_router("ab-test").session_affinity is False
    assert reg.route_request("ab-test", session_key="k", cursor=0).replica is None
    r = reg.update_router("ab-test", session_affinity=True)
    assert (r.strategy, r.session_affinity) == ("weighted-round-robin", True)
    r = reg.update_router("ab-test", strategy="even-load")
    assert (r.strategy, r.session_affinity) == ("even-load", True)
    assert r != reg.update_router("ab-test", session_affinity=False)


@pytest.mark.parametrize("weights", [[3, 2], [1, 0, 4], [7, 1, 1, 2], [1]])
def test_r7_round_robin_every_window_of_total_picks_is_exact(weights: list[int]) -> None:
    wrr = rr.WeightedRoundRobin(weights)
    total = sum(weights)
    assert (wrr.total, wrr.weights, len(wrr)) == (total, weights, len(weights))
    picks, cursor = wrr.pick_many(3 * total, cursor=5)
    assert cursor == (5 + 3 * total) % total
    picks = picks.tolist()
    assert picks == [wrr.pick(5 + i) for i in range(3 * total)]
    for start in range(len(picks) - total + 1):
        window = picks[start : start + total]
        assert [window.count(i) for i in range(len(weights))] == weights


def test_r7_round_robin_cursor_helpers() -> None:
    wrr = rr.WeightedRoundRobin([3, 2])
    assert wrr.position(2**64 - 1) == (2**64 - 1) % 5
    assert wrr.next_cursor(4) == 0 and wrr.next_cursor(12) == 3
    assert wrr == rr.WeightedRoundRobin([3, 2]) != rr.WeightedRoundRobin([2, 3])
    assert repr(wrr) == "WeightedRoundRobin([3, 2])"
    with pytest.raises(rr.ValidationError):
        wrr.pick(-1)
    with pytest.raises(rr.ValidationError):
        wrr.pick_many(rr.MAX_BATCH_PICKS + 1)


def test_r7_round_robin_router_interleaves_with_the_returned_cursor() -> None:
    reg = registry_with("weighted-round-robin")
    cursor = 0
    picks = []
    for _ in range(10):
        decision = reg.route_request("ab-test", cursor=cursor)
        assert decision.replica is None and decision.next_cursor is not None
        picks.append(decision.deployment)
        cursor = decision.next_cursor
    assert picks[:5].count(A) == 3 and picks[5:].count(A) == 3
    assert picks[:5] == picks[5:]
    assert reg.route("ab-test", cursor=3) == picks[3]


def test_r9_session_affinity_router_pins_keys_to_replicas() -> None:
    reg = registry_with("weighted-random", session_affinity=True)
    first = {k: reg.route_request("ab-test", session_key=k) for k in map(str, range(200))}
    for k, decision in first.items():
        assert reg.route_request("ab-test", session_key=k) == decision
        assert decision.next_cursor is None
        assert decision.replica is not None
        assert decision.replica < (3 if decision.deployment == A else 2)
    assert {d.deployment for d in first.values()} == {A, B}
    # Without a key: weighted-random, no replica slot.
    assert reg.route_request("ab-test").replica is None
    # Adding one replica moves only keys onto the new replica (slot 3 of a).
    reg.update_deployment("deployment-a", min_replicas=4, max_replicas=4)
    for k, before in first.items():
        after = reg.route_request("ab-test", session_key=k)
        if after != before:
            assert (after.deployment, after.replica) == (A, 3)


def test_r7_session_affinity_building_block() -> None:
    aff = rr.SessionAffinity([("deployment-a", 3), ("deployment-b", 2)])
    assert (aff.total, len(aff)) == (5, 2)
    pick = aff.pick("conversation-42")
    assert pick == aff.pick_hashed(rr.session_hash("conversation-42"))
    assert hash(pick) == hash(aff.pick("conversation-42"))
    assert pick.to_dict() == {"deployment": pick.deployment, "replica": pick.replica}
    assert repr(pick) == f"AffinityPick(deployment={pick.deployment}, replica={pick.replica})"
    assert rr.session_hash("") == 0xE9E0033E3BADAF36  # pinned in core's docs
    with pytest.raises(rr.ValidationError) as e:
        rr.SessionAffinity([("a", 1), ("a", 2)])
    assert e.value.code == "DUPLICATE_DEPLOYMENT"
    with pytest.raises(rr.ValidationError) as e:
        rr.SessionAffinity([("a", 2**16), ("b", 1)])
    assert e.value.code == "LIMIT_EXCEEDED"
    with pytest.raises(TypeError):
        rr.SessionAffinity(["a"])  # type: ignore[list-item]


def test_route_decision_value() -> None:
    reg = registry_with("weighted-round-robin")
    d = reg.route_request("ab-test", cursor=0)
    assert d == reg.route_request("ab-test", cursor=0)
    assert hash(d) == hash(reg.route_request("ab-test", cursor=0))
    assert d.to_dict() == {"deployment": d.deployment, "replica": None, "next_cursor": 1}
    assert repr(d) == f"RouteDecision(deployment='{d.deployment}', replica=None, next_cursor=1)"


def test_t1_strategies_survive_json() -> None:
    reg = registry_with("even-load", session_affinity=True)
    again = rr.Registry.from_json(reg.to_json())
    router = again.get_router("ab-test")
    assert (router.strategy, router.session_affinity) == ("even-load", True)
    assert again.route_request("ab-test", session_key="k") == reg.route_request(
        "ab-test", session_key="k"
    )


def test_t3_version_1_snapshot_loads_with_the_flag() -> None:
    from pathlib import Path

    v1 = Path(__file__).resolve().parents[2] / "testdata" / "snapshots" / "v1.json"
    reg = rr.Registry.from_json(v1.read_text())
    sticky = reg.get_router("sticky")
    assert (sticky.strategy, sticky.session_affinity) == ("weighted-random", True)
    assert reg.get_router("rr").session_affinity is False
    assert '"format_version": 3' in reg.to_json()
