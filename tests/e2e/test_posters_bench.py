"""bench/posters.py run tiny against this test's database: every request it times is answered with a
PDF, and the poster is made once per language, so docs/benchmarks.md can never silently time a 404
or the renderer again."""

from __future__ import annotations

from bench.posters import measure, problems, seed
from reunite.bootstrap import Container


def test_the_posters_bench_times_kept_pdfs(container: Container) -> None:
    measured = measure(container, seed(container), concurrent=2, rounds=2)
    assert problems(measured) == [] and measured["requests"] == 10
    for language in ("en", "zh_CN"):
        assert measured[language]["made_s"] > 0 and measured[language]["again_median_ms"] > 0


def test_the_posters_bench_fails_when_it_measured_something_else() -> None:
    fine = {"made": 2, "statuses": [(200, True)], "requests": 10}
    assert problems(fine) == []
    assert len(problems(fine | {"statuses": [(200, True), (404, False)]})) == 1
    assert len(problems(fine | {"made": 10})) == 1
    assert problems(fine | {"made": 10}, anew=True) == [] and len(problems(fine, anew=True)) == 1


def test_the_posters_bench_makes_every_poster_anew_for_the_peer(container: Container) -> None:
    measured = measure(container, seed(container), concurrent=2, rounds=1, anew=True)
    assert problems(measured, anew=True) == [] and measured["made"] == measured["requests"] == 8
