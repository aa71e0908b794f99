"""SPEC S1: the shared test vectors in ``testdata/vectors/``, checked from Python.

The same files are checked by Rust (``core/tests/vectors.rs``, on the host and
on wasm32) and by JavaScript (``bindings-wasm/tests/node/vectors.test.mjs`` and
the browser page), so a routing decision debugged in a Python notebook is the
one the Rust gateway made. Only the installed package's public API is used.

Regenerate the files with
``cargo run -p replica-router --example gen_vectors -- testdata/vectors``.
"""

from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import pytest

import replica_router as rr

VECTORS = Path(__file__).resolve().parents[2] / "testdata" / "vectors"
FORMAT = 1


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    assert data["format"] == FORMAT, f"{name}: vector format {data['format']}"
    assert "gen_vectors" in data["generator"]
    return data


def big(text: str) -> int:
    """A u64 given as a decimal or 0x-hex string."""
    return int(text, 16) if text.startswith("0x") else int(text)


def outcome(fn: Callable[[], Any], ok: Callable[[Any], Any]) -> Any:
    """``ok(fn())`` or ``{"error": code}``, the vectors' ``expect`` shape."""
    try:
        value = fn()
    except rr.ReplicaRouterError as e:
        return {"error": e.code}
    return ok(value)


# ----- result shapes -----


def deployment_json(d: rr.Deployment) -> dict[str, Any]:
    return {
        "name": d.name,
        "model": d.model,
        "region": d.region.canonical if d.region is not None else None,
        "min_replicas": d.min_replicas,
        "max_replicas": d.max_replicas,
        "replicas": d.replicas,
        "direct_route_handle": d.direct_route_handle,
    }


def router_json(r: rr.Router) -> dict[str, Any]:
    return {
        "name": r.name,
        "deployments": list(r.deployments),
        "strategy": r.strategy,
        "session_affinity": r.session_affinity,
        "public": r.public,
        "display_name": r.display_name,
        "model": r.model,
    }


def split_json(s: rr.TrafficSplit) -> dict[str, Any]:
    return {
        "router": s.router,
        "total_replicas": str(s.total_replicas),
        "shares": [
            {
                "deployment": sh.deployment,
                "replicas": sh.replicas,
                "numerator": sh.numerator,
                "denominator": sh.denominator,
            }
            for sh in s.shares
        ],
    }


def expected_names(expect: dict[str, Any]) -> list[str]:
    return [expect["deployments"][i] for i in expect["picks"]]


def given(op: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The optional inputs that are present, as keyword arguments."""
    return {k: op[k] for k in keys if k in op}


# ----- registry operations -----


class Runner:
    """Applies registry.json ops through the Python API."""

    def __init__(self, account: str, seed: int) -> None:
        self.reg = rr.Registry(account, seed=seed)

    def apply(self, op: dict[str, Any], ctx: str) -> None:
        what = f"{ctx}: {json.dumps({k: v for k, v in op.items() if k != 'expect'})[:300]}"
        expect = op["expect"]
        got = getattr(self, "op_" + op["op"])(op, expect)
        if got is not None:
            assert got == expect, what

    def op_create_deployment(self, op: dict[str, Any], _: Any) -> Any:
        kw = given(op, "id", "region", "min_replicas", "max_replicas", "direct_route_api_keys")
        return outcome(lambda: self.reg.create_deployment(op["model"], **kw), deployment_json)

    def op_update_deployment(self, op: dict[str, Any], _: Any) -> Any:
        kw = given(op, "min_replicas", "max_replicas")
        return outcome(lambda: self.reg.update_deployment(op["name"], **kw), deployment_json)

    def op_delete_deployment(self, op: dict[str, Any], _: Any) -> Any:
        return outcome(lambda: self.reg.delete_deployment(op["name"]), lambda _: {})

    def op_get_deployment(self, op: dict[str, Any], _: Any) -> Any:
        return outcome(lambda: self.reg.get_deployment(op["name"]), deployment_json)

    def op_create_router(self, op: dict[str, Any], _: Any) -> Any:
        kw = given(op, "id", "display_name", "model", "strategy", "session_affinity", "public")
        return outcome(lambda: self.reg.create_router(op["deployments"], **kw), router_json)

    def op_update_router(self, op: dict[str, Any], _: Any) -> Any:
        kw = given(
            op, "deployments", "display_name", "model", "strategy", "session_affinity", "public"
        )
        return outcome(lambda: self.reg.update_router(op["name"], **kw), router_json)

    def op_delete_router(self, op: dict[str, Any], _: Any) -> Any:
        return outcome(lambda: self.reg.delete_router(op["name"]), lambda _: {})

    def op_get_router(self, op: dict[str, Any], _: Any) -> Any:
        return outcome(lambda: self.reg.get_router(op["name"]), router_json)

    def op_set_account(self, op: dict[str, Any], _: Any) -> Any:
        def set_account() -> None:
            self.reg.account = op["account"]

        return outcome(set_account, lambda _: {})

    def op_list(self, op: dict[str, Any], _: Any) -> Any:
        return {
            "deployments": [d.name for d in self.reg.list_deployments()],
            "routers": [r.name for r in self.reg.list_routers()],
        }

    def op_traffic_split(self, op: dict[str, Any], _: Any) -> Any:
        return outcome(lambda: self.reg.traffic_split(op["router"]), split_json)

    def op_route(self, op: dict[str, Any], expect: dict[str, Any]) -> Any:
        if "error" in expect:
            assert op["count"] == 1
            return outcome(lambda: self.reg.route(op["model"], op["caller"]), lambda d: d)
        names = [self.reg.route(op["model"], op["caller"]) for _ in range(op["count"])]
        assert names == expected_names(expect), op
        return None

    def op_route_request(self, op: dict[str, Any], _: Any) -> Any:
        kw: dict[str, Any] = given(op, "session_key")
        if "cursor" in op:
            kw["cursor"] = big(op["cursor"])

        def decision(d: rr.RouteDecision) -> dict[str, Any]:
            return {
                "deployment": d.deployment,
                "replica": d.replica,
                "next_cursor": None if d.next_cursor is None else str(d.next_cursor),
            }

        return outcome(lambda: self.reg.route_request(op["model"], op["caller"], **kw), decision)

    def op_route_cursor_chain(self, op: dict[str, Any], expect: dict[str, Any]) -> Any:
        cursor = big(op["cursor"])
        names, cursors = [], []
        for _ in range(op["count"]):
            d = self.reg.route_request(op["model"], op["caller"], cursor=cursor)
            names.append(d.deployment)
            assert d.next_cursor is not None
            cursor = d.next_cursor
            cursors.append(str(cursor))
        assert names == expected_names(expect), op
        assert cursors == expect["next_cursors"], op
        return None

    def op_route_sessions(self, op: dict[str, Any], expect: dict[str, Any]) -> Any:
        got = []
        for key in op["keys"]:
            d = self.reg.route_request(op["model"], op["caller"], session_key=key)
            got.append([expect["deployments"].index(d.deployment), d.replica])
        assert got == expect["picks"], op
        return None

    def op_route_loaded(self, op: dict[str, Any], expect: dict[str, Any]) -> Any:
        """SPEC R8: a tracker from the router, the load table set, then
        ``count`` even-load routes (each counted as started if asked)."""

        def run() -> list[str]:
            load = self.reg.load_tracker(op["model"])
            for deployment, in_flight in op["loads"]:
                load.set(deployment, in_flight)
            names = []
            for _ in range(op["count"]):
                d = self.reg.route(op["model"], op["caller"], load=load)
                if op["started"]:
                    load.started(d)
                names.append(d)
            return names

        if "error" in expect:
            return outcome(run, lambda names: names)
        assert run() == expected_names(expect), op
        return None

    def op_reload(self, op: dict[str, Any], _: Any) -> Any:
        self.reg = rr.Registry.from_json(self.reg.to_json())
        return {}

    def op_snapshot(self, op: dict[str, Any], _: Any) -> Any:
        return {"json": json.loads(self.reg.to_json())}


# ----- selector.json (SPEC S1-S4) -----

SELECTOR = load("selector.json")


def build_weights(spec: dict[str, Any]) -> list[int]:
    if "literal" in spec:
        return list(spec["literal"])
    f = spec["formula"]
    return [(i * f["mul"]) % f["modulus"] + f["add"] for i in range(f["len"])]


def fnv1a64(counts: list[int]) -> int:
    h = 0xCBF29CE484222325
    for b in ",".join(map(str, counts)).encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


@pytest.mark.parametrize(
    "case", SELECTOR["cases"], ids=[f"{c['weights']}/{c['seed']}" for c in SELECTOR["cases"]]
)
def test_s1_selector_stream(case: dict[str, Any]) -> None:
    weights = build_weights(SELECTOR["weights"][case["weights"]])
    seed_def = SELECTOR["seeds"][case["seed"]]
    seed: Any = big(seed_def["u64"]) if "u64" in seed_def else bytes.fromhex(seed_def["bytes"])
    sel = rr.WeightedSelector(weights, seed)
    assert sel.seed.hex() == seed_def["seed_bytes"]
    assert len(sel) == case["len"]
    assert sel.total == big(case["total"])
    # The first 8 picks one at a time, the rest as a batch: one stream (S3).
    picks = [sel.pick() for _ in range(8)]
    picks += list(sel.pick_many(SELECTOR["picks_per_case"] - 8))
    assert picks == case["picks"]
    counts = list(sel.counts(SELECTOR["counts_picks"]))
    assert sum(counts) == SELECTOR["counts_picks"]
    if "counts" in case:
        assert counts == case["counts"]
    else:
        d = case["counts_digest"]
        assert fnv1a64(counts) == big(d["fnv1a64"])
        assert sum(1 for c in counts if c) == d["nonzero"]
        assert max(counts) == d["max"]
        assert counts[: len(d["head"])] == d["head"]


# ----- registry.json (SPEC R1-R7, D1-D3, N3, T1, T2) -----

REGISTRY = load("registry.json")


@pytest.mark.parametrize("scenario", REGISTRY["scenarios"], ids=lambda s: s["name"])
def test_registry_scenario(scenario: dict[str, Any]) -> None:
    runner = Runner(scenario["account"], big(scenario["seed"]))
    for op in scenario["ops"]:
        runner.apply(op, scenario["name"])


# ----- strategies.json (SPEC R7) -----

STRATEGIES = load("strategies.json")


@pytest.mark.parametrize("case", STRATEGIES["session_hash"], ids=lambda c: repr(c["key"])[:40])
def test_r7_session_hash(case: dict[str, Any]) -> None:
    assert rr.session_hash(case["key"]) == big(case["hash"])


@pytest.mark.parametrize("case", STRATEGIES["round_robin"], ids=lambda c: str(c["weights"])[:40])
def test_r7_round_robin(case: dict[str, Any]) -> None:
    rrobin = rr.WeightedRoundRobin(case["weights"])
    assert rrobin.total == big(case["total"])
    cursor = start = big(case["cursor"])
    picks = []
    for _ in range(case["count"]):
        picks.append(rrobin.pick(cursor))
        cursor = rrobin.next_cursor(cursor)
    assert picks == case["picks"]
    assert cursor == big(case["next_cursor"])
    batch, after = rrobin.pick_many(case["count"], cursor=start)
    assert list(batch) == case["picks"]
    assert after == cursor


@pytest.mark.parametrize(
    "case", STRATEGIES["session_affinity"]["cases"], ids=lambda c: str(c["deployments"])[:40]
)
def test_r7_session_affinity(case: dict[str, Any]) -> None:
    affinity = rr.SessionAffinity([(name, replicas) for name, replicas in case["deployments"]])
    assert affinity.total == big(case["total"])
    keys = STRATEGIES["session_affinity"]["keys"]
    assert len(keys) == len(case["picks"])
    for key, want in zip(keys, case["picks"]):
        p = affinity.pick(key)
        assert [p.deployment, p.replica] == want, key
    for h in case["hashed"]:
        p = affinity.pick_hashed(big(h["hash"]))
        assert [p.deployment, p.replica] == h["pick"]


# ----- errors.json (SPEC N1, N2, G1-G6, D1, D2, R1, R6, R7, S4, T1, M6, E1) -----

ERRORS = load("errors.json")


def direct_route(i: dict[str, Any]) -> rr.DirectRoute:
    kw: dict[str, Any] = given(i, "domain")
    if "catalog" in i:
        kw["catalog"] = rr.RegionCatalog(i["catalog"])
    return rr.DirectRoute(i["region"], i["api_keys"], **kw)


def route_target_registry() -> rr.Registry:
    reg = rr.Registry("zeta", seed=0)
    reg.create_deployment("m", id="zd")
    reg.create_router(["zd"], id="zr")
    reg.account = "acme"
    reg.create_deployment("m", id="d1")
    reg.create_router(["d1"], id="r1")
    return reg


def acme_with_d1() -> rr.Registry:
    reg = rr.Registry("acme", seed=0)
    reg.create_deployment("m", id="d1")
    return reg


def total(x: Any) -> dict[str, str]:
    return {"total": str(x.total)}


def error_case(api: str, i: dict[str, Any]) -> Any:
    acme: Callable[[], rr.Registry] = lambda: rr.Registry("acme", seed=0)  # noqa: E731
    if api == "registry_account":
        return outcome(lambda: rr.Registry(i["account"], seed=0), lambda r: {"account": r.account})
    if api == "deployment_id":
        return outcome(lambda: acme().create_deployment("m", id=i["id"]), lambda d: {"name": d.name})
    if api == "deployment_model":
        return outcome(lambda: acme().create_deployment(i["model"], id="d1"), lambda d: {"model": d.model})
    if api == "deployment_bounds":
        kw = given(i, "min_replicas", "max_replicas")
        return outcome(
            lambda: acme().create_deployment("m", id="d1", **kw),
            lambda d: {"min_replicas": d.min_replicas, "max_replicas": d.max_replicas, "replicas": d.replicas},
        )
    if api == "deployment_placement":
        kw = given(i, "region", "direct_route_api_keys")
        return outcome(
            lambda: rr.Registry(i["account"], seed=0).create_deployment("m", id=i["id"], **kw),
            deployment_json,
        )
    if api == "route_target":
        reg = route_target_registry()
        return outcome(
            lambda: reg.route_request(i["model"], i["caller"]), lambda d: {"deployment": d.deployment}
        )
    if api == "region":
        return outcome(
            lambda: rr.Region(i["name"]),
            lambda r: {
                "canonical": r.canonical,
                "host_label": r.host_label,
                "supports_direct_routing": r.supports_direct_routing(),
            },
        )
    if api == "region_catalog":
        return outcome(
            lambda: rr.RegionCatalog(i["regions"]), lambda c: {"regions": [r.canonical for r in c.regions]}
        )
    if api == "direct_route":
        return outcome(
            lambda: direct_route(i),
            lambda d: {"region": d.region.canonical, "domain": d.domain, "key_count": d.key_count},
        )
    if api == "direct_route_handle":
        return outcome(
            lambda: (
                direct_route(i).handle(i["deployment"], account=i["account"]),
                direct_route(i).base_url(i["deployment"], account=i["account"]),
            ),
            lambda hu: {"handle": hu[0], "base_url": hu[1]},
        )
    if api == "authorize":
        route = direct_route(i)
        return outcome(lambda: route.authorize(i["header"]), lambda _: {})
    if api == "router_options":
        reg = acme_with_d1()
        kw = given(i, "strategy", "display_name")
        return outcome(lambda: reg.create_router(["d1"], id="r1", **kw), router_json)
    if api == "weighted_selector":
        return outcome(lambda: rr.WeightedSelector(i["weights"], 0), total)
    if api == "seed_bytes":
        return outcome(
            lambda: rr.Registry("acme", seed=bytes.fromhex(i["bytes"])), lambda r: {"seed": r.seed.hex()}
        )
    if api == "weighted_round_robin":
        return outcome(lambda: rr.WeightedRoundRobin(i["weights"]), total)
    if api == "session_affinity":
        return outcome(lambda: rr.SessionAffinity([(n, r) for n, r in i["deployments"]]), total)
    if api == "registry_from_json":
        return outcome(
            lambda: rr.Registry.from_json(i["json"]),
            lambda r: {"account": r.account, "to_json_equal": r.to_json() == i["json"]},
        )
    if api == "plan_from_json":
        return outcome(
            lambda: rr.MigrationPlan.from_json(i["json"]),
            lambda p: {"steps": len(p.steps), "to_json_equal": p.to_json() == i["json"]},
        )
    raise AssertionError(f"unknown api {api}")


def test_e1_error_vectors_cover_every_api() -> None:
    assert len(ERRORS["cases"]) == ERRORS["count"]
    apis = Counter(c["api"] for c in ERRORS["cases"])
    assert len(apis) >= 15, apis


@pytest.mark.parametrize(
    "case", ERRORS["cases"], ids=[f"{c['api']}-{n}" for n, c in enumerate(ERRORS["cases"])]
)
def test_e1_error_vector(case: dict[str, Any]) -> None:
    assert error_case(case["api"], case["input"]) == case["expect"], case["input"]


# ----- migration.json (SPEC M1-M6) -----

MIGRATION = load("migration.json")


def check_plan(plan: rr.MigrationPlan, expect: dict[str, Any]) -> None:
    data = expect["json"]
    assert json.loads(plan.to_json()) == data
    assert plan.firectl_commands() == expect["firectl_commands"]
    # The binding's own accessors agree with the JSON.
    assert len(plan.steps) == len(data["steps"])
    for step, want in zip(plan.steps, data["steps"]):
        assert step.to_replicas == want["state"]["to"]["replicas"]
        assert step.from_replicas == want["state"]["from"]["replicas"]
        assert step.to_share == Fraction(want["to_share"])
        assert step.requested_share == Fraction(want["requested_share"])
        assert [a.kind for a in step.actions] == [a["action"] for a in want["actions"]]
        assert [(d, r, f) for d, r, f in step.split] == [
            (s["deployment"], s["replicas"], Fraction(s["share"])) for s in want["split"]
        ]


def schedule_kwargs(request: dict[str, Any]) -> dict[str, Any]:
    return given(
        request,
        "target_replicas",
        "traffic_steps",
        "max_step_percent",
        "min_total_replicas",
        "max_total_replicas",
    )


@pytest.mark.parametrize("case", MIGRATION["cases"], ids=lambda c: c["name"])
def test_m_migration_plan(case: dict[str, Any]) -> None:
    runner = Runner(case["account"], big(case["seed"]))
    for op in case["setup"]:
        runner.apply(op, case["name"])
    reg = runner.reg
    initial = reg.to_json()
    rq = case["request"]
    expect = case["expect"]

    def make() -> rr.MigrationPlan:
        return reg.plan_migration(rq["router"], rq["from"], rq["to"], **schedule_kwargs(rq))

    if "error" in expect:
        assert outcome(make, lambda _: {}) == expect
        return
    plan = make()
    check_plan(plan, expect["plan"])
    for a in expect["apply_errors"]:
        assert outcome(lambda: reg.apply_step(plan, a["step"]), lambda _: {}) == a["expect"]
    assert reg.to_json() == initial
    for i, split in enumerate(expect["splits_after_steps"]):
        reg.apply_step(plan, i)
        assert outcome(lambda: reg.traffic_split(rq["router"]), split_json) == split
    if "rollback" in expect:
        after = expect["rollback"]["after_step"]
        rollback = plan.rollback(after)
        check_plan(rollback, expect["rollback"]["plan"])
        fresh = rr.Registry.from_json(initial)
        for i in range(after + 1):
            fresh.apply_step(plan, i)
        for i in range(len(rollback.steps)):
            fresh.apply_step(rollback, i)
        assert fresh.to_json() == initial


# ----- platform.json (SPEC P1-P3) -----

PLATFORM = load("platform.json")


def sorted_json(value: Any) -> Any:
    """``value`` with every object's keys sorted, as the vector files hold it."""
    return json.loads(json.dumps(value, sort_keys=True))


@pytest.mark.parametrize("case", PLATFORM["cases"], ids=lambda c: c["name"])
def test_p_platform_resources(case: dict[str, Any]) -> None:
    reg = rr.Registry(case["account"], seed=big(case["seed"]))
    given = case["input"]  # a string is invalid JSON text, passed as is
    expect = case["expect"]
    got = outcome(
        lambda: reg.import_resources(given),
        lambda report: {
            "report": sorted_json(report),
            "snapshot": sorted_json(json.loads(reg.to_json())),
            "export": sorted_json(reg.export_resources()),
        },
    )
    assert got == expect
    if "plan" in case:
        p = case["plan"]
        plan = reg.plan_migration(
            p["router"],
            p["from"],
            p["to"],
            target_replicas=p.get("target_replicas"),
            traffic_steps=p["traffic_steps"],
        )
        assert [sorted_json(op.to_dict()) for op in plan.operations()] == case["operations"]


def test_p_platform_vectors_cover_the_cases() -> None:
    names = {c["name"] for c in PLATFORM["cases"]}
    assert {"reference-account", "direct-route-keys", "syntax"} <= names
