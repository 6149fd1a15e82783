"""Corpus layout and the cross-age search protocol of ``shared/corpus/README.md``.

A corpus is a folder with ``manifest.csv`` (``file,subject`` and optionally ``age`` and ``stage``)."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Photo:
    path: Path
    subject: str
    age: int | None  # years; None where the corpus gives only a stage
    stage: str  # 'young' or 'adult' ('' when ages are given)

    @property
    def order(self) -> tuple[int, str]:
        rank = self.age if self.age is not None else (0 if self.stage == "young" else 1)
        return rank, self.path.name


def load(folder: Path) -> list[Photo]:
    with (folder / "manifest.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    photos = []
    for row in rows:
        age = (row.get("age") or "").strip()
        photos.append(Photo(folder / row["file"], row["subject"], int(float(age)) if age else None,
                            (row.get("stage") or "").strip()))
    return photos


def by_subject(photos: list[Photo]) -> dict[str, list[Photo]]:
    grouped: dict[str, list[Photo]] = defaultdict(list)
    for photo in photos:
        grouped[photo.subject].append(photo)
    return {s: sorted(ps, key=lambda p: p.order) for s, ps in sorted(grouped.items())}


def is_later(photo: Photo, case: Photo) -> bool:
    """A sighting is a later photo: greater age, or stage 'adult' where there is no age."""
    if photo.age is not None and case.age is not None:
        return photo.age > case.age
    return photo.stage == "adult" and case.stage != "adult"


def split(photos: list[Photo]) -> tuple[dict[str, Photo], list[Photo]]:
    """Case photo (the youngest) of each subject, and every later photo as a sighting."""
    cases, sightings = {}, []
    for subject, ordered in by_subject(photos).items():
        later = [p for p in ordered[1:] if is_later(p, ordered[0])]
        if later:
            cases[subject] = ordered[0]
            sightings.extend(later)
    return cases, sightings
