"""bench/quality_gate.py measures what it says: on a clear face the gate is silent, on the same photo with
its face shrunk to 45 px it says 'small', blurred strongly it says 'blurred'. A bench that judged nothing fails here."""

from __future__ import annotations

from bench.quality_gate import measure
from reunite.adapters.faces.dlib_engine import DlibFaceEngine
from tests.photos import face_jpeg


def test_the_quality_bench_tells_clear_small_and_blurred_apart(face_engine: DlibFaceEngine) -> None:
    result = measure([face_jpeg()], face_engine)
    assert result["photos"] == 1
    verdicts = result["verdicts"]
    assert verdicts["as is"] == {"fine": 1} and verdicts["face 45 px"] == {"small": 1}
    assert verdicts["blurred 5 px"] == {"blurred": 1}
    assert sum(verdicts["blurred 2.5 px"].values()) == 1  # judged, whichever way
    assert result["sharpness_percentiles_1_5_50"][2] > 100  # a sharp portrait
