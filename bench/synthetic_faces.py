"""Synthetic faces for the search benchmark, at sizes no corpus reaches (a million faces).

Two generators:

- ``cone``: identities scattered isotropically around one axis (every direction of the 128 equally
  spread). A stress test: its strangers are far more alike in distance than real faces' (local
  intrinsic dimensionality about 56 against 27), which is the hardest case for any ANN index.
- ``dlib-like`` (``Spread``): identities drawn from the between-person covariance, and each photo from
  the within-person covariance, of real dlib embeddings as Reunite stores them (adapted), fitted on a
  corpus (``corpus_faces``, ``Spread.fit``). Only the two covariances and the mean are kept: no one's embedding.
  ``describe`` gives the figures that say how face-like a set is (same- and different-person
  similarity, strangers' local intrinsic dimensionality, relative contrast), for the real corpus and
  for a synthetic set of the same shape side by side (docs/benchmarks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

DIMENSIONS = 128


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def _root(covariance: np.ndarray) -> np.ndarray:
    """R with R @ R.T = the covariance's positive part."""
    values, vectors = np.linalg.eigh(covariance)
    return vectors * np.sqrt(np.clip(values, 0, None))


def cone(rng: np.random.Generator, identities: int, per: int) -> tuple[np.ndarray, np.ndarray]:
    """``per`` faces of each of ``identities`` people, and each person's centre (both unit vectors)."""
    axis = unit(rng.standard_normal(DIMENSIONS))
    centres = axis * 1.7 + rng.standard_normal((identities, DIMENSIONS)) / np.sqrt(DIMENSIONS)
    faces = np.repeat(centres, per, axis=0) + rng.standard_normal((identities * per, DIMENSIONS)) * 0.35 / np.sqrt(
        DIMENSIONS)
    return unit(faces), unit(centres)


@dataclass
class Spread:
    """The mean, and roots of the between- and within-person covariances, of real face embeddings."""

    mean: np.ndarray
    between: np.ndarray
    within: np.ndarray

    @classmethod
    def fit(cls, vectors: np.ndarray, people: np.ndarray) -> Spread:
        vectors = unit(vectors)
        names = sorted(set(people.tolist()))
        means = {name: vectors[people == name].mean(axis=0) for name in names}
        deviations = vectors - np.stack([means[p] for p in people.tolist()])
        within = deviations.T @ deviations / (len(vectors) - len(names))
        between = np.cov(vectors.T) - within  # total minus within; its negative part is noise, dropped
        return cls(vectors.mean(axis=0), _root(between), _root(within))

    def people(self, rng: np.random.Generator, identities: int) -> np.ndarray:
        """Each person's centre (not normalised: a photo is the centre plus a deviation)."""
        return self.mean + rng.standard_normal((identities, DIMENSIONS)) @ self.between.T

    def photos(self, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
        """One new photo of each given person."""
        return unit(centres + rng.standard_normal(centres.shape) @ self.within.T)


def corpus_faces(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Every photo of a corpus embedded as the engine stores faces (cached by bench.embed), and whose."""
    from bench.corpus import load
    from bench.embed import embed_all, engine
    from reunite.adapters.faces.dlib_engine import DlibOptions

    photos = load(folder)
    embedded = embed_all(photos, engine(DlibOptions()))
    subject = {photo.path: photo.subject for photo in photos}
    paths = list(embedded.vectors)
    return np.stack([embedded.vectors[p] for p in paths]), np.array([subject[p] for p in paths])


def shaped_like(people: np.ndarray, spread: Spread | None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic set with as many people as ``people`` names, each with the mean number of photos."""
    rng = np.random.default_rng(seed)
    count = len(set(people.tolist()))
    per = max(2, round(len(people) / count))
    if spread is None:
        vectors, _ = cone(rng, count, per)
    else:
        vectors = spread.photos(rng, np.repeat(spread.people(rng, count), per, axis=0))
    return vectors, np.repeat(np.arange(count), per)


def describe(vectors: np.ndarray, people: np.ndarray, k: int = 20) -> dict[str, float]:
    """How face-like a set is, as an ANN index feels it: mean similarity of one person's photos and
    of different people's; among each face's strangers, the local intrinsic dimensionality (maximum
    likelihood, ``k`` nearest) and the relative contrast (mean distance over nearest distance)."""
    vectors = unit(vectors)
    similarity = vectors @ vectors.T
    different = people[:, None] != people[None, :]
    same = ~different & ~np.eye(len(vectors), dtype=bool)
    distance = np.sqrt(np.clip(2 - 2 * similarity, 1e-12, None))
    strangers = np.where(different, distance, np.inf)
    nearest = np.sort(strangers, axis=1)[:, :k]
    lid = 1 / np.mean(np.log(nearest[:, -1:] / nearest[:, :-1]), axis=1)
    contrast = np.nanmean(np.where(different, distance, np.nan), axis=1) / nearest[:, 0]
    return {"same_person_similarity": round(float(similarity[same].mean()), 3),
            "different_people_similarity": round(float(similarity[different].mean()), 3),
            "strangers_intrinsic_dimensionality": round(float(lid.mean()), 1),
            "relative_contrast": round(float(contrast.mean()), 3)}
