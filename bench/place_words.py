"""Placing words, alone and with a map pin: the gazetteers' first load, then ``N`` distinct texts of the
place box benchmark's mix (bench/place_filter.py), each placed once with the memory of placed words (and of
pins' cities) emptied before each run; the median of 5 runs.

    python bench/place_words.py --texts 5000"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from bench.common import emit, machine
from bench.place_filter import CITIES, SPOTS

CENTRES = [(30.66, 104.07), (30.59, 114.31), (31.23, 121.47), (39.90, 116.40), (23.13, 113.26), (22.54, 114.06),
           (31.46, 104.68), (29.56, 106.55), (34.34, 108.94), (30.27, 120.15), (32.06, 118.80), (31.30, 120.58)]
REPEATS = 5


def texts(count: int, seed: int = 1) -> list[tuple[str, tuple[float, float]]]:
    """Words as the place box benchmark writes them, each with a pin (a cell's centre) near a Chinese city."""
    rng = np.random.default_rng(seed)
    made = []
    for i in range(count):
        words = f"{CITIES[rng.integers(len(CITIES))]} {SPOTS[rng.integers(len(SPOTS))]}".strip()
        if i % 7 == 0:
            words = SPOTS[rng.integers(len(SPOTS))] or "somewhere"
        lat, lon = CENTRES[rng.integers(len(CENTRES))]
        pin = (round(lat + rng.normal(0, 0.1), 2) + 0.005, round(lon + rng.normal(0, 0.1), 2) + 0.005)
        made.append((f"{words} #{i}", pin))
    return made


def measure(count: int) -> dict[str, float]:
    start = time.perf_counter()
    from reunite.adapters import place_pins, places

    places.public_city("Chengdu")
    loaded = time.perf_counter() - start
    places.public_city("Chengdu", (30.665, 104.065))
    seats = time.perf_counter() - start - loaded
    made = texts(count)
    result: dict[str, float] = {"texts": len(made), "load_s": round(loaded, 2), "seats_s": round(seats, 2)}
    for name, with_pin in (("words", False), ("words_and_pin", True)):
        runs, named = [], 0
        for _ in range(REPEATS):
            places._chosen.cache_clear()
            place_pins.pin_city.cache_clear()
            began = time.perf_counter()
            named = sum(bool(places.public_city(words, pin if with_pin else None)) for words, pin in made)
            runs.append(time.perf_counter() - began)
        result[f"{name}_us_per_text"] = round(statistics.median(runs) / len(made) * 1e6, 1)
        result[f"{name}_named"] = named  # texts given a city (with a pin: all of them)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    emit({"machine": machine(), **measure(args.texts)}, args.out)


if __name__ == "__main__":
    main()
