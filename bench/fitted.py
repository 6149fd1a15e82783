"""The fitted steps of the face pipeline, each a function of training photos and a few
hyper-parameters, and the shipped form of each (a matrix, centroids, a drift curve).

- WCCN (``shrinkage``): whitens the within-person scatter (bench/adaptation.py).
- Age directions (``age_dirs``): removes the ``r`` directions along which one person's faces move
  most with age (the between-age-band scatter of within-person deviations), as hidden-factor methods
  for age-invariant recognition do; folded into the matrix, so it costs nothing at ingest.
- Hubness (``hub_weight``, ``hub_k``, ``hub_mode``): a sighting face's resemblance to everyone,
  against k centroids; ``local`` subtracts the average of the face's own region (nearest centroid)
  instead of the corpus's, so that a region of the space (young children's faces) is not penalised
  as such when adults' faces are among the sightings.
- Age drift (``drift``): a regression of the change of one person's embedding on the change of
  age features; a case photo is moved ``drift`` times that change toward the sighting's expected age."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.adaptation import fit_wccn
from bench.corpus import Photo
from reunite.adapters.faces.dlib_engine import ADAPTATION_FILE
from reunite.adapters.faces.hubness import Hubness, raw_hubness

AGE_BINS = (0, 3, 6, 10, 14, 18, 30, 200)


def age_features(ages: np.ndarray) -> np.ndarray:
    """The drift's basis: log(1 + age) and its square (faces change fastest in early childhood)."""
    x = np.log1p(np.maximum(np.asarray(ages, dtype=float), 0.0))
    return np.stack([x, x * x], axis=-1)


@dataclass(frozen=True)
class Config:
    shrinkage: float | None = None  # None: no WCCN
    age_dirs: int = 0
    hub_weight: float = 0.0
    hub_k: int = 32
    hub_mode: str = "global"  # or "local"; "children" (fitted on under-18s only) and "gallery" (on the
    # searched sightings themselves, unlabelled, as a deployment could refit them) are diagnostics
    drift: float = 0.0

    def parameters(self, dim: int = 128) -> int:
        """Numbers fitted (the matrix counts once, however many steps are folded into it)."""
        n = dim * dim if (self.shrinkage is not None or self.age_dirs) else 0
        if self.hub_weight:
            n += self.hub_k * dim + (self.hub_k if self.hub_mode == "local" else 1)
        if self.drift:
            n += 2 * dim
        return n


PREVIOUS = Config(shrinkage=2.0, hub_weight=1.0, hub_k=32)  # the recipe before issue 14


def shipped_config(path: Path = ADAPTATION_FILE) -> Config:
    """The recipe of the shipped adaptation (stored in its meta), so that benchmarks re-fit exactly it."""
    if not path.exists():
        return PREVIOUS
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
    return Config(**meta["config"]) if "config" in meta else PREVIOUS


@dataclass
class Model:
    config: Config
    matrix: np.ndarray | None
    hub_centroids: np.ndarray | None = None
    hub_offsets: np.ndarray | None = None  # one per centroid ("local") or a single one
    hub_people: np.ndarray | None = None  # how many people's faces each centroid is nearest to
    drift_beta: np.ndarray | None = None  # 2 × dim
    extra: dict[str, float] = field(default_factory=dict)

    def adapt(self, x: np.ndarray) -> np.ndarray:
        y = x if self.matrix is None else x @ self.matrix.T
        return np.asarray(y / np.linalg.norm(y, axis=1, keepdims=True))

    def reference(self) -> Hubness | None:
        """The hubness reference as the engine stores and uses it (corpus-average offset only)."""
        if self.hub_centroids is None or self.hub_offsets is None or self.config.hub_mode != "global":
            return None
        return Hubness(self.hub_centroids, float(self.hub_offsets[0]), weight=self.config.hub_weight)

    def hubness(self, y: np.ndarray) -> np.ndarray:
        if self.hub_centroids is None or self.hub_offsets is None:
            return np.zeros(len(y))
        raw = raw_hubness(y, self.hub_centroids)
        if self.config.hub_mode == "clipped":  # only faces above the average are ranked down
            return np.asarray(np.maximum(raw - self.hub_offsets[0], 0.0))
        if len(self.hub_offsets) == 1:
            return np.asarray(raw - self.hub_offsets[0])
        return np.asarray(raw - self.hub_offsets[np.argmax(y @ self.hub_centroids.T, axis=1)])


def age_directions(y: np.ndarray, subjects: np.ndarray, ages: np.ndarray, r: int) -> np.ndarray:
    """The ``r`` directions of the largest between-age-band scatter of within-person deviations."""
    dev = y.copy()
    for s in np.unique(subjects):
        dev[subjects == s] -= y[subjects == s].mean(axis=0)
    scatter = np.zeros((y.shape[1], y.shape[1]))
    for low, high in itertools.pairwise(AGE_BINS):
        cell = (ages >= low) & (ages < high)
        if cell.sum() > 1:
            mean = dev[cell].mean(axis=0)
            scatter += cell.sum() * np.outer(mean, mean)
    values, vectors = np.linalg.eigh(scatter)
    return np.asarray(vectors[:, np.argsort(-values)[:r]])


def fit_drift(y: np.ndarray, subjects: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """Least squares of (y_j - y_i) on (f(a_j) - f(a_i)) over every pair of one person's photos."""
    rows, targets = [], []
    feats = age_features(ages)
    for s in np.unique(subjects):
        idx = np.flatnonzero(subjects == s)
        if len(idx) < 2:
            continue
        i, j = np.triu_indices(len(idx), 1)
        rows.append(feats[idx[j]] - feats[idx[i]])
        targets.append(y[idx[j]] - y[idx[i]])
    a, b = np.concatenate(rows), np.concatenate(targets)
    beta, *_ = np.linalg.lstsq(a, b, rcond=None)
    return np.asarray(beta)


def fit(config: Config, raw: dict[Path, np.ndarray], training: list[Photo]) -> Model:
    kept = [p for p in training if p.path in raw]
    matrix = None
    if config.shrinkage is not None:
        matrix = fit_wccn(raw, kept, config.shrinkage)
    model = Model(config, matrix)
    x = np.stack([raw[p.path] for p in kept])
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    subjects = np.array([p.subject for p in kept])
    ages = np.array([p.age if p.age is not None else 0 for p in kept], dtype=float)
    if config.age_dirs:
        u = age_directions(model.adapt(x), subjects, ages, config.age_dirs)
        projection = np.eye(x.shape[1]) - u @ u.T
        model.matrix = projection @ (matrix if matrix is not None else np.eye(x.shape[1]))
    y = model.adapt(x)
    young = ages < 18 if config.hub_mode == "children" else np.ones(len(y), bool)
    hub = Hubness.fit(y[young], config.hub_k, people=subjects[young]) if config.hub_weight else None
    if hub is not None and len(hub.centroids) and config.hub_mode != "gallery":
        model.hub_centroids, model.hub_people = hub.centroids, hub.people
        raw_h = raw_hubness(y, hub.centroids)
        if config.hub_mode == "local":
            assign = np.argmax(y @ hub.centroids.T, axis=1)
            model.hub_offsets = np.array([raw_h[assign == c].mean() if np.any(assign == c) else raw_h.mean()
                                          for c in range(len(hub.centroids))])
        else:
            model.hub_offsets = np.array([raw_h.mean()])
    if config.drift:
        model.drift_beta = fit_drift(y, subjects, ages)
    return model
