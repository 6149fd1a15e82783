"""Hubness: how much a face resembles many people at once. Some faces (often small children's, or
blurred ones) sit close to everyone in the embedding space and crowd the top of every search;
subtracting their hubness lets the faces that resemble one person in particular rise.

The reference is a few dozen centroids of the development corpus's adapted embeddings (k-means):
each the mean of the faces of at least ``MIN_PEOPLE`` people, so no one's embedding is stored. A
face's hubness is the mean of its ``top`` highest similarities to the centroids, minus the same
figure's average over the corpus (so a typical face scores 0), times the weight chosen with them."""

from __future__ import annotations

import numpy as np

CENTROIDS = 64  # chosen by subject-disjoint folds (bench/adaptation.py, docs/benchmarks.md)
TOP = 4
MIN_PEOPLE = 5  # each centroid stands for at least this many people's faces


def fit_centroids(vectors: np.ndarray, k: int = CENTROIDS, rounds: int = 30, seed: int = 0) -> np.ndarray:
    """Spherical k-means (unit vectors in, unit centroids out)."""
    rng = np.random.default_rng(seed)
    k = min(k, len(vectors))  # a small corpus gets no more centroids than faces
    centroids = vectors[rng.choice(len(vectors), k, replace=False)]
    for _ in range(rounds):
        assign = np.argmax(vectors @ centroids.T, axis=1)
        centroids = np.stack([vectors[assign == j].mean(axis=0) if np.any(assign == j) else centroids[j]
                              for j in range(k)])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return centroids


def people_per_centroid(vectors: np.ndarray, centroids: np.ndarray, people: np.ndarray) -> np.ndarray:
    """How many different people's faces each centroid is the nearest centroid to."""
    if not len(centroids):
        return np.zeros(0, dtype=int)
    assign = np.argmax(vectors @ centroids.T, axis=1)
    return np.array([len(set(people[assign == c].tolist())) for c in range(len(centroids))], dtype=int)


def raw_hubness(vectors: np.ndarray, centroids: np.ndarray, top: int = TOP) -> np.ndarray:
    if not len(centroids):  # every centroid stood for too few people: no reference, no hubness
        return np.zeros(len(np.atleast_2d(vectors)))
    similarities = np.atleast_2d(vectors) @ centroids.T
    return np.asarray(-np.sort(-similarities, axis=1)[:, :top].mean(axis=1))


class Hubness:
    """Centroids and the corpus's average, as stored beside the adaptation matrix."""

    def __init__(self, centroids: np.ndarray, offset: float, top: int = TOP, weight: float = 1.0,
                 people: np.ndarray | None = None) -> None:
        """``weight``: how much of the hubness the ranking subtracts (chosen with the centroids);
        ``people``: how many different people's faces each centroid is nearest to (stored with them,
        so the file itself shows that no centroid stands for fewer than ``MIN_PEOPLE``)."""
        self.centroids, self.offset, self.top, self.weight = centroids, offset, top, weight
        self.people = people

    @classmethod
    def fit(cls, vectors: np.ndarray, k: int = CENTROIDS, top: int = TOP, people: np.ndarray | None = None,
            min_people: int = MIN_PEOPLE) -> Hubness:
        """``people``: whose face each vector is; a centroid nearest to fewer than ``min_people``
        different people's faces is dropped, so that no centroid is close to one person's face."""
        centroids = fit_centroids(vectors, k)
        counts = None
        if people is not None:
            centroids = centroids[people_per_centroid(vectors, centroids, people) >= min_people]
            # the faces of a dropped centroid move to kept ones, which so only gain people: count again
            counts = people_per_centroid(vectors, centroids, people)
        return cls(centroids, float(raw_hubness(vectors, centroids, top).mean()), top, people=counts)

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        return self.weight * (raw_hubness(vectors, self.centroids, self.top) - self.offset)
