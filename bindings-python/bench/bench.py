"""Benchmark (not a test): replica_router's seeded selection against numpy and
the standard library, measured side by side in one run.

    target/venv/bin/python bindings-python/bench/bench.py

Prints nanoseconds per pick and the speed-up ratios for

* a batch: ``WeightedSelector.pick_many(1_000_000)`` over 10 weights vs
  ``numpy.random.default_rng().choice(10, size=1_000_000, p=...)``;
* one pick: ``WeightedSelector.pick()`` vs
  ``random.choices(range(10), weights=w, k=1)``.

Each figure is the best of several repeats (the least disturbed run).
"""

from __future__ import annotations

import platform
import random
import sys
import timeit

import numpy as np

import replica_router as rr

WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
BATCH = 1_000_000
REPEATS = 11


def best_ns_per_call(stmt, number: int, repeat: int = REPEATS) -> float:
    """Best (lowest) time of ``repeat`` runs of ``number`` calls, in ns per call."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number * 1e9


def main() -> None:
    print(f"python {platform.python_version()} ({sys.executable})")
    print(f"numpy {np.__version__}, replica_router {rr.__version__}, {platform.machine()}")
    print()

    selector = rr.WeightedSelector(WEIGHTS, seed=42)
    probabilities = np.array(WEIGHTS, dtype=np.float64) / sum(WEIGHTS)
    generator = np.random.default_rng(42)

    # Sanity: both produce BATCH picks of the right shape.
    assert len(selector.pick_many(BATCH)) == BATCH
    assert generator.choice(10, size=BATCH, p=probabilities).shape == (BATCH,)

    ours_batch = best_ns_per_call(lambda: selector.pick_many(BATCH), number=3) / BATCH
    numpy_batch = (
        best_ns_per_call(lambda: generator.choice(10, size=BATCH, p=probabilities), number=3)
        / BATCH
    )
    zero_copy = best_ns_per_call(lambda: np.asarray(selector.pick_many(BATCH)), number=3) / BATCH

    print(f"batch of {BATCH:,} picks over {len(WEIGHTS)} weights (ns per pick)")
    print(f"  replica_router pick_many          {ours_batch:8.2f}")
    print(f"  replica_router pick_many+asarray  {zero_copy:8.2f}")
    print(f"  numpy Generator.choice(p=...)     {numpy_batch:8.2f}")
    print(f"  speed-up                          {numpy_batch / ours_batch:8.1f}x")
    print()

    rnd = random.Random(42)
    population = range(10)
    ours_single = best_ns_per_call(selector.pick, number=200_000)
    stdlib_single = best_ns_per_call(
        lambda: rnd.choices(population, weights=WEIGHTS, k=1), number=100_000
    )
    print("single pick (ns per call)")
    print(f"  replica_router pick()             {ours_single:8.1f}")
    print(f"  random.choices(k=1)               {stdlib_single:8.1f}")
    print(f"  speed-up                          {stdlib_single / ours_single:8.1f}x")


if __name__ == "__main__":
    main()
