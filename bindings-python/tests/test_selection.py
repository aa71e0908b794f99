"""SPEC S1-S4 through Python: the same streams as Rust, exact shares, compact
batch results, GIL released, thread safety."""

from __future__ import annotations

import array
import threading
import time

import pytest

import replica_router as rr

# Pinned in core/tests/s1_value_stability.rs (Seed::from_u64(42), stream 0).
# If these differ, Python and Rust disagree on the same seed (SPEC S1).
RUST_PICKS_3_2_SEED_42 = [
    1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0,
]  # fmt: skip
RUST_PICKS_1_TO_10_SEED_42 = [
    5, 9, 7, 8, 6, 8, 8, 7, 9, 8, 9, 2, 6, 7, 5, 6, 4, 8, 5, 9, 4, 3, 8, 6, 5, 7, 9, 6, 2, 7, 5, 9,
]  # fmt: skip
RUST_COUNTS_3_2_SEED_7 = [59844, 40156]
RUST_SEED_42_BYTES = bytes(
    [
        149, 110, 235, 47, 38, 50, 215, 189, 3, 241, 102, 178, 51, 227, 239, 40, 82, 159, 15,
        19, 87, 103, 82, 71, 148, 227, 74, 14, 255, 225, 28, 88,
    ]
)  # fmt: skip


def test_s1_first_32_picks_of_3_2_match_rust() -> None:
    sel = rr.WeightedSelector([3, 2], seed=42)
    assert [sel.pick() for _ in range(32)] == RUST_PICKS_3_2_SEED_42


def test_s1_first_32_picks_of_1_to_10_match_rust() -> None:
    sel = rr.WeightedSelector(list(range(1, 11)), seed=42)
    assert sel.pick_many(32).tolist() == RUST_PICKS_1_TO_10_SEED_42


def test_s1_counts_match_rust() -> None:
    assert rr.WeightedSelector([3, 2], seed=7).counts(100_000).tolist() == RUST_COUNTS_3_2_SEED_7


def test_s1_int_seed_expands_like_rust_and_bytes_seed_is_the_same() -> None:
    assert rr.WeightedSelector([1], seed=42).seed == RUST_SEED_42_BYTES
    by_bytes = rr.WeightedSelector([3, 2], seed=RUST_SEED_42_BYTES)
    assert by_bytes.pick_many(32).tolist() == RUST_PICKS_3_2_SEED_42


def test_s3_batch_forms_continue_the_same_stream() -> None:
    one = rr.WeightedSelector([5, 1, 7, 0, 3], seed=123)
    many = rr.WeightedSelector([5, 1, 7, 0, 3], seed=123)
    counted = rr.WeightedSelector([5, 1, 7, 0, 3], seed=123)
    singles = [one.pick() for _ in range(5000)]
    assert many.pick_many(1234).tolist() + many.pick_many(3766).tolist() == singles
    hist = counted.counts(5000)
    assert hist.tolist() == [singles.count(i) for i in range(5)]
    assert hist[3] == 0
    # All three generators are now at the same position.
    assert one.pick_many(64) == many.pick_many(64) == counted.pick_many(64)


def test_s2_counts_match_exact_shares_chi_square() -> None:
    weights = [1, 2, 3, 4]
    n = 200_000
    counts = rr.WeightedSelector(weights, seed=2024).counts(n)
    total = sum(weights)
    chi2 = sum((c - n * w / total) ** 2 / (n * w / total) for c, w in zip(counts, weights))
    # df = 3: P(chi2 > 16.27) = 0.001.
    assert chi2 < 16.27


def test_s4_large_weights_do_not_overflow() -> None:
    sel = rr.WeightedSelector([2**32 - 1] * 1000, seed=1)
    assert sel.total == (2**32 - 1) * 1000
    assert max(sel.pick_many(1000)) < 1000


def test_batch_results_are_compact_arrays_and_numpy_views_share_memory() -> None:
    np = pytest.importorskip("numpy")
    sel = rr.WeightedSelector([3, 2], seed=42)
    picks = sel.pick_many(1000)
    assert isinstance(picks, array.array) and picks.typecode == "I" and picks.itemsize == 4
    view = np.asarray(picks)
    assert view.dtype == np.uint32 and view.shape == (1000,)
    assert np.shares_memory(view, picks)  # zero-copy: the buffer protocol
    picks[0] = 7
    assert view[0] == 7
    counts = sel.counts(1000)
    assert isinstance(counts, array.array) and counts.typecode == "Q" and counts.itemsize == 8
    assert np.asarray(counts).dtype == np.uint64 and int(np.asarray(counts).sum()) == 1000
    assert len(sel.pick_many(0)) == 0 and sel.counts(0).tolist() == [0, 0]


def test_batch_limit_is_a_validation_error_before_allocating() -> None:
    sel = rr.WeightedSelector([1, 1], seed=1)
    for n in (rr.MAX_BATCH_PICKS + 1, 2**63, 2**64 - 1):
        for call in (sel.pick_many, sel.counts):
            with pytest.raises(rr.ValidationError) as e:
                call(n)
            assert e.value.code == "LIMIT_EXCEEDED"
    with pytest.raises(rr.ValidationError):
        sel.pick_many(-1)
    with pytest.raises(rr.ValidationError):
        sel.counts(2**64)
    with pytest.raises(TypeError):
        sel.pick_many(1.0)  # type: ignore[arg-type]


def test_selector_errors_and_properties() -> None:
    with pytest.raises(rr.ValidationError) as e:
        rr.WeightedSelector([])
    assert e.value.code == "EMPTY_WEIGHTS"
    with pytest.raises(rr.ValidationError) as e:
        rr.WeightedSelector([0, 0])
    assert e.value.code == "ZERO_TOTAL_WEIGHT"
    sel = rr.WeightedSelector((0, 5, 0, 5), seed=1)
    assert (sel.weights, sel.total, len(sel)) == ([0, 5, 0, 5], 10, 4)
    assert repr(sel) == "WeightedSelector([0, 5, 0, 5])"
    assert repr(rr.WeightedSelector([1] * 20)).endswith("... (20 weights)])")
    assert set(sel.pick_many(1000)) == {1, 3}


def test_seed_none_draws_os_entropy() -> None:
    a, b = rr.WeightedSelector([1] * 1000), rr.WeightedSelector([1] * 1000, seed=None)
    assert a.seed != b.seed
    assert a.pick_many(16) != b.pick_many(16)


def test_batches_release_the_gil() -> None:
    """While one thread draws a large batch, the main thread keeps running
    Python code (it could not if the GIL were held)."""
    sel = rr.WeightedSelector(list(range(1, 11)), seed=1)
    start = time.perf_counter()
    sel.pick_many(20_000_000)
    batch_seconds = time.perf_counter() - start

    done = threading.Event()
    ticks = 0

    def worker() -> None:
        sel.pick_many(20_000_000)
        done.set()

    t = threading.Thread(target=worker)
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    t.join()
    # With the GIL held for the whole batch the loop would get ~1 tick.
    assert ticks > 10, (ticks, batch_seconds)


def test_shared_selector_and_registry_are_thread_safe() -> None:
    """Many threads drawing from one selector consume exactly the same picks
    as one thread would (no pick lost or duplicated), and a shared registry
    routes without errors."""
    from conftest import ab_registry

    sel = rr.WeightedSelector([3, 2, 5], seed=99)
    reg = ab_registry()
    results: list[list[int]] = []
    routes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        local = [sel.pick() for _ in range(500)] + sel.pick_many(1500).tolist()
        r = [reg.route("ab-test") for _ in range(200)]
        with lock:
            results.append(local)
            routes.extend(r)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    drawn = sorted(x for r in results for x in r)
    reference = rr.WeightedSelector([3, 2, 5], seed=99).pick_many(8 * 2000).tolist()
    assert drawn == sorted(reference)
    assert len(routes) == 1600
