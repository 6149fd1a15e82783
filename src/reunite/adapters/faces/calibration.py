"""The calibration stored beside the adaptation: impostor score curves of pairs of different
children by case photo age, age gap and the sighting's age (``domain.leads``), written by
bench/operating_points.py. A file written before the sighting's age cells (no ``sighting_age`` key)
still loads: every pair is then read by its case photo's age. Aggregate statistics only: no face and
no embedding of anyone."""

from __future__ import annotations

import json
from pathlib import Path

from reunite.domain.leads import Band, Calibration

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


def save_calibration(path: Path, calibration: Calibration, corpus: str) -> None:
    bands = [json.dumps({"case_age": b.case_age, "gap": b.gap}
                        | ({"sighting_age": b.sighting_age} if b.sighting_age else {})
                        | {"pairs": b.pairs, "curve": [[round(s, 5), float(f"{p:.4g}")] for s, p in b.curve]})
             for b in calibration.bands if b.pairs]
    head = json.dumps({"corpus": corpus, "score": "face similarity - hubness (cross-fitted)"})[:-1]
    path.write_text(head + ', "bands": [\n' + ",\n".join(bands) + "\n]}\n")


def load_calibration(path: Path | None) -> Calibration | None:
    if path is None or not path.exists():
        return None
    data = json.loads(path.read_text())
    return Calibration(tuple(
        Band(_band(b["case_age"]), _band(b["gap"]), int(b["pairs"]),
             tuple((float(s), float(p)) for s, p in b["curve"]), _band(b.get("sighting_age")))
        for b in data["bands"]))


def _band(limits: list[float] | None) -> tuple[float, float] | None:
    return (float(limits[0]), float(limits[1])) if limits else None
