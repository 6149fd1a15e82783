"""bench/refusals.py run tiny against this test's database: every probe it times must be refused with
404 (a hidden record), so the figures in docs/benchmarks.md can never silently time something else
(a 200, a 401 for a session that did not hold, a 429)."""

from __future__ import annotations

from bench.refusals import measure, problems, seed
from reunite.bootstrap import Container


def test_the_refusals_bench_times_refusals_only(container: Container) -> None:
    seeded = seed(container)
    measured = measure(container, seeded, rounds=3)
    assert set(measured) == set(seeded["probes"]) and problems({"this": measured}) == []
    for found in measured.values():
        assert found["statuses"] == [404] and found["requests"] == 6
        assert found["hidden_us"] > 0 and found["missing_us"] > 0


def test_the_refusals_bench_fails_when_a_probe_was_answered() -> None:
    answered = {"hidden_us": 900, "missing_us": 800, "difference_us": 100.0, "statuses": [200, 404], "requests": 6}
    never = answered | {"statuses": [], "requests": 0}
    refused = answered | {"statuses": [404]}
    assert len(problems({"this": {"a": answered, "b": never, "c": refused}})) == 2
