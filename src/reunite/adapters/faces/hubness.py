"""Hubness: how much a face resembles many people at once. Some faces (often small children's, or
blurred ones) sit close to everyone in the embedding space and crowd the top of every search;
subtracting their hubness lets the faces that resemble one person in particular rise.

The reference is a few dozen centroids of the development corpus's adapted embeddings (k-means):
each the mean of many people's faces, so no one's embedding is stored. A face's hubness is the mean
of its ``top`` highest similarities to the centroids, minus the same figure's average over the
corpus (so a typical face scores 0)."""

from __future__ import annotations

import numpy as np

CENTROIDS = 32
TOP = 4


def fit_centroids(vectors: np.ndarray, k: int = CENTROIDS, rounds: int = 30, seed: int = 0) -> np.ndarray:
    """Spherical k-means (unit vectors in, unit centroids out)."""
    rng = np.random.default_rng(seed)
    centroids = vectors[rng.choice(len(vectors), k, replace=False)]
    for _ in range(rounds):
        assign = np.argmax(vectors @ centroids.T, axis=1)
        centroids = np.stack([vectors[assign == j].mean(axis=0) if np.any(assign == j) else centroids[j]
                              for j in range(k)])
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return centroids


def raw_hubness(vectors: np.ndarray, centroids: np.ndarray, top: int = TOP) -> np.ndarray:
    similarities = np.atleast_2d(vectors) @ centroids.T
    return np.asarray(-np.sort(-similarities, axis=1)[:, :top].mean(axis=1))


class Hubness:
    """Centroids and the corpus's average, as stored beside the adaptation matrix."""

    def __init__(self, centroids: np.ndarray, offset: float, top: int = TOP) -> None:
        self.centroids, self.offset, self.top = centroids, offset, top

    @classmethod
    def fit(cls, vectors: np.ndarray, k: int = CENTROIDS, top: int = TOP) -> Hubness:
        centroids = fit_centroids(vectors, k)
        return cls(centroids, float(raw_hubness(vectors, centroids, top).mean()), top)

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        return raw_hubness(vectors, self.centroids, self.top) - self.offset
