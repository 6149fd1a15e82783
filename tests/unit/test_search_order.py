"""Search results as a person reads them: strongest band first, then within a band the most alike (the
calibrated "1 in N"), whatever the raw totals say (probe s10, finding 8)."""

from __future__ import annotations

from typing import Any

from reunite.services.search import most_alike_first


def _hit(face_id: int, strength: str, share: float | None, score: float) -> dict[str, Any]:
    return {"face_id": face_id, "lead": {"strength": strength}, "impostor_share": share, "score": score}


def test_results_come_by_band_then_most_alike_then_score() -> None:
    hits = [
        _hit(1, "possible", 0.0004, 1.01),  # the highest total (age, place fit), but a weaker band
        _hit(2, "strong", 0.0001, 0.95),
        _hit(3, "strong", 0.00005, 0.90),  # fewer different children look this alike: first
        _hit(4, "weak", None, 0.99),  # no calibration: last, by its score among its equals
        _hit(5, "strong", 0.0001, 0.97),  # the same words as 2: the better score first
    ]
    assert [h["face_id"] for h in sorted(hits, key=most_alike_first)] == [3, 5, 2, 1, 4]
