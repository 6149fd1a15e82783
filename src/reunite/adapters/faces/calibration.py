"""The calibration stored beside the adaptation: impostor score curves of pairs of different
children by case photo age and age gap (``domain.leads``), written by bench/operating_points.py.
Aggregate statistics only: no face and no embedding of anyone."""

from __future__ import annotations

import json
from pathlib import Path

from reunite.domain.leads import Band, Calibration

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


def save_calibration(path: Path, calibration: Calibration, corpus: str) -> None:
    bands = [{"case_age": b.case_age, "gap": b.gap, "pairs": b.pairs,
              "curve": [[round(s, 5), p] for s, p in b.curve]} for b in calibration.bands if b.pairs]
    path.write_text(json.dumps({"corpus": corpus, "score": "face similarity - hubness", "bands": bands},
                               indent=0) + "\n")


def load_calibration(path: Path | None) -> Calibration | None:
    if path is None or not path.exists():
        return None
    data = json.loads(path.read_text())
    return Calibration(tuple(
        Band(tuple(b["case_age"]) if b["case_age"] else None, tuple(b["gap"]) if b["gap"] else None,
             int(b["pairs"]), tuple((float(s), float(p)) for s, p in b["curve"]))
        for b in data["bands"]))
