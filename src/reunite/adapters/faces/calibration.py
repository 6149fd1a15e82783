"""The calibration stored beside the adaptation: impostor score curves of pairs of different
children by case photo age and age gap (``domain.leads``), written by bench/operating_points.py.
Aggregate statistics only: no face and no embedding of anyone."""

from __future__ import annotations

import json
from pathlib import Path

from reunite.domain.leads import Band, Calibration

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


def save_calibration(path: Path, calibration: Calibration, corpus: str) -> None:
    bands = [json.dumps({"case_age": b.case_age, "gap": b.gap, "pairs": b.pairs,
                         "curve": [[round(s, 5), float(f"{p:.4g}")] for s, p in b.curve]})
             for b in calibration.bands if b.pairs]
    head = json.dumps({"corpus": corpus, "score": "face similarity - hubness (cross-fitted)"})[:-1]
    path.write_text(head + ', "bands": [\n' + ",\n".join(bands) + "\n]}\n")


def load_calibration(path: Path | None) -> Calibration | None:
    if path is None or not path.exists():
        return None
    data = json.loads(path.read_text())
    return Calibration(tuple(
        Band(tuple(b["case_age"]) if b["case_age"] else None, tuple(b["gap"]) if b["gap"] else None,
             int(b["pairs"]), tuple((float(s), float(p)) for s, p in b["curve"]))
        for b in data["bands"]))
