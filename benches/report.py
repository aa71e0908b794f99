#!/usr/bin/env python3
"""Print issue 7's table from criterion's output.

Reads every ``<criterion dir>/**/new/benchmark.json`` and the ``estimates.json``
beside it, takes the MEDIAN time of one iteration, divides it by the
iteration's ``Throughput::Elements`` (so ``fill`` and ``counts`` are per pick),
and prints Markdown: ns per operation for each group, the ratios of issue 7
and whether each target is met.

Usage::

    python3 benches/report.py [CRITERION_DIR]

CRITERION_DIR defaults to ``$CARGO_TARGET_DIR/criterion``, else
``target/criterion`` at the workspace root. Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

SELECTION_SIZES = ["2", "10", "1000", "100000"]
ROUTING_SIZES = ["2", "10"]
PLANNING_SIZES = ["4", "1000", "100000"]


def criterion_dir(argv: list[str]) -> Path:
    if len(argv) > 1:
        return Path(argv[1])
    target = os.environ.get("CARGO_TARGET_DIR")
    if target:
        return Path(target) / "criterion"
    return Path(__file__).resolve().parent.parent / "target" / "criterion"


def load(root: Path) -> dict[tuple[str, str, str], float]:
    """(group, function, parameter) -> median ns per element."""
    out: dict[tuple[str, str, str], float] = {}
    for bench in root.glob("**/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        median = est["median"]["point_estimate"]
        elements = 1
        throughput = meta.get("throughput") or {}
        if "Elements" in throughput:
            elements = throughput["Elements"]
        key = (meta["group_id"], meta.get("function_id") or "", meta.get("value_str") or "")
        out[key] = median / elements
    return out


def fmt_ns(v: float | None) -> str:
    if v is None:
        return "n/a"
    if v >= 100_000:
        return f"{v / 1e6:.3f} ms"
    if v >= 1_000:
        return f"{v / 1e3:.2f} µs"
    return f"{v:.2f}"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "n/a"
    return f"{a / b:.2f}x"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main() -> int:
    root = criterion_dir(sys.argv)
    if not root.is_dir():
        print(f"no criterion output at {root}; run `cargo bench -p replica-router-benches` first",
              file=sys.stderr)
        return 1
    data = load(root)

    def get(group: str, func: str, param: str) -> float | None:
        return data.get((group, func, param))

    targets: list[tuple[str, bool | None, str]] = []

    def target(name: str, value: float | None, limit: float, unit: str = "x") -> None:
        if value is None:
            targets.append((name, None, "not measured"))
        else:
            if unit == "x":
                shown = f"{value:.2f}x"
            else:
                shown = fmt_ns(value) + (" ns" if value < 1_000 else "")
            targets.append((name, value <= limit, shown))

    # Selection: ns per pick.
    sel_funcs = [
        ("ours_pick", "ours pick"),
        ("ours_fill", "ours fill /pick"),
        ("ours_counts", "ours counts /pick"),
        ("weighted_index", "WeightedIndex"),
        ("alias_index", "WeightedAliasIndex"),
        ("next_u32", "next_u32"),
        ("next_u64", "next_u64"),
    ]
    rows = []
    for n in SELECTION_SIZES:
        row = [f"{int(n):,}"] + [fmt_ns(get("selection", f, n)) for f, _ in sel_funcs]
        pick = get("selection", "ours_pick", n)
        fill = get("selection", "ours_fill", n)
        alias = get("selection", "alias_index", n)
        windex = get("selection", "weighted_index", n)
        u64_ = get("selection", "next_u64", n)
        row += [fmt_ratio(pick, alias), fmt_ratio(pick, windex), fmt_ratio(fill, u64_)]
        rows.append(row)
        target(f"pick <= 0.5x WeightedAliasIndex, n={int(n):,}",
               None if pick is None or alias is None else pick / alias, 0.5)
        target(f"pick <= 1.0x WeightedIndex, n={int(n):,}",
               None if pick is None or windex is None else pick / windex, 1.0)
        if int(n) <= 1000:
            target(f"fill <= 2x next_u64 per pick, n={int(n):,}",
                   None if fill is None or u64_ is None else fill / u64_, 2.0)
    print("### Selection (median ns per pick)\n")
    print(table(["n"] + [h for _, h in sel_funcs]
                + ["pick / alias", "pick / WeightedIndex", "fill / next_u64"], rows))

    # Build.
    rows = []
    for n in SELECTION_SIZES:
        ours = get("build", "ours_new", n)
        windex = get("build", "weighted_index_new", n)
        alias = get("build", "alias_index_new", n)
        rows.append([f"{int(n):,}", fmt_ns(ours), fmt_ns(windex), fmt_ns(alias),
                     fmt_ratio(ours, windex), fmt_ratio(ours, alias)])
    ours = get("build", "ours_new", "100000")
    windex = get("build", "weighted_index_new", "100000")
    target("build <= 2x WeightedIndex::new, n=100,000",
           None if ours is None or windex is None else ours / windex, 2.0)
    print("\n### Table build (median ns per build)\n")
    print(table(["n", "ours new", "WeightedIndex::new", "WeightedAliasIndex::new",
                 "ours / WeightedIndex", "ours / alias"], rows))

    # Routing.
    route_funcs = [
        ("bare_pick", "bare pick"),
        ("route", "route_with"),
        ("route_request_weighted_random", "weighted-random"),
        ("route_request_round_robin", "weighted-round-robin (cursor)"),
        ("route_request_affinity", "session-affinity (key)"),
    ]
    rows = []
    for n in ROUTING_SIZES:
        bare = get("routing", "bare_pick", n)
        route = get("routing", "route", n)
        rows.append([n] + [fmt_ns(get("routing", f, n)) for f, _ in route_funcs]
                    + [fmt_ratio(route, bare)])
    bare = get("routing", "bare_pick", "10")
    route = get("routing", "route", "10")
    target("route <= 1.5x bare pick, 10 deployments",
           None if bare is None or route is None else route / bare, 1.5)
    print("\n### Routing (median ns per request; route_request_* by strategy)\n")
    print(table(["deployments"] + [h for _, h in route_funcs] + ["route / bare pick"], rows))

    # Session affinity by total replicas (issue 4).
    rows = []
    for total in ("10", "1000"):
        rows.append([f"{int(total):,}", fmt_ns(get("affinity", "route_request_affinity", total)),
                     fmt_ns(get("affinity", "route_without_key", total))])
    target("session-affinity route, 1,000 replicas < 2 us (issue 4)",
           get("affinity", "route_request_affinity", "1000"), 2000.0, unit="ns")
    print("\n### Session affinity (median ns per request, router of 10 deployments)\n")
    print(table(["total replicas", "with a session key", "without a key (weighted-random)"], rows))

    # Planning.
    plan_funcs = [
        ("plan_migration", "steps 20/80/100 %"),
        ("plan_migration_surge", "steps of 10 %, 10 % surge ceiling"),
    ]
    rows = []
    for n in PLANNING_SIZES:
        rows.append([f"{int(n):,}"] + [fmt_ns(get("planning", f, n)) for f, _ in plan_funcs])
    for f, h in plan_funcs:
        target(f"planning 100,000 replicas < 1 ms ({h})",
               get("planning", f, "100000"), 1e6, unit="ns")
    print("\n### Planning (median per plan)\n")
    print(table(["replicas"] + [h for _, h in plan_funcs], rows))

    print("\n### Targets (issue 7)\n")
    print(table(["target", "measured", "met"],
                [[name, shown, "n/a" if ok is None else ("yes" if ok else "**no**")]
                 for name, ok, shown in targets]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
