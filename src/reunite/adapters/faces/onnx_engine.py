"""A second face model the operator provides: an ArcFace-style ONNX file run by onnxruntime.

Nothing is bundled or downloaded: the operator sets ``REUNITE_ONNX_MODEL`` (the file) and
``REUNITE_ONNX_SHA256`` (its expected digest); a file that does not match is refused at start-up.
dlib still finds every face, its landmarks, crop, quality and 128-d embedding (the index every face
has); this engine adds the model's embedding of each face, aligned the ArcFace way: a similarity
transform of the landmarks onto the standard 112×112 five-point template, pixels scaled to
(x - 127.5) / 128, the output L2-normalised. docs/models.md says how to add a model."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from reunite.adapters.db.extra_faces import ExtraModel
from reunite.domain.errors import FaceEngineUnavailable
from reunite.domain.model import DetectedFace, ExtraEmbedding
from reunite.domain.recipes import FaceRecipe

if TYPE_CHECKING:  # dlib is loaded only by processes that find faces (adapters/faces/lazy.py)
    from reunite.adapters.faces.dlib_engine import DlibFaceEngine

SIZE = 112
# ArcFace's template (insightface): eyes, nose tip, mouth corners, in a 112×112 crop
ARCFACE_5 = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                      [41.5493, 92.3655], [70.7299, 92.2041]])
# dlib's 5-point model gives eye corners and the base of the nose (not its tip, nor the mouth):
# the eyes' centres and that point, placed a little below the template's nose tip
DLIB5_TEMPLATE = np.array([ARCFACE_5[0], ARCFACE_5[1], [56.0252, 76.0]])
ALIGNMENT = 1  # part of every embedding's version: a change of alignment is a change of model


class ModelRefused(ValueError):
    """The configured model cannot be used (missing, digest mismatch, not an image-to-vector model)."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale·rotation ``A`` and shift ``t`` so that ``A @ src + t`` best fits ``dst`` (Umeyama)."""
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - src_mean, dst - dst_mean
    u, sigma, vt = np.linalg.svd(d.T @ s / len(src))
    sign = np.diag([1.0, np.sign(np.linalg.det(u @ vt)) or 1.0])
    rotation = u @ sign @ vt
    scale = float(np.trace(np.diag(sigma) @ sign)) / float((s ** 2).sum(axis=1).mean())
    matrix = scale * rotation
    return matrix, dst_mean - matrix @ src_mean


def anchor_points(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The landmarks to align with, and where the template puts them (112×112)."""
    if len(landmarks) == 68:
        eyes = sorted([landmarks[36:42].mean(axis=0), landmarks[42:48].mean(axis=0)], key=lambda p: p[0])
        return np.array([*eyes, landmarks[30], landmarks[48], landmarks[54]]), ARCFACE_5
    if len(landmarks) != 5:
        raise ValueError(f"cannot align {len(landmarks)} landmarks")
    eyes = sorted([landmarks[0:2].mean(axis=0), landmarks[2:4].mean(axis=0)], key=lambda p: p[0])
    return np.array([*eyes, landmarks[4]]), DLIB5_TEMPLATE


def aligned_crop(pixels: np.ndarray, landmarks: np.ndarray, size: int = SIZE) -> np.ndarray:
    """The face warped onto the template: a ``size``×``size`` RGB crop."""
    points, template = anchor_points(landmarks)
    # PIL maps each output pixel back into the photo: fit the template onto the landmarks
    matrix, shift = similarity_transform(template * (size / SIZE), points)
    coefficients = (matrix[0, 0], matrix[0, 1], shift[0], matrix[1, 0], matrix[1, 1], shift[1])
    image = Image.fromarray(pixels).transform((size, size), Image.Transform.AFFINE, coefficients,
                                              Image.Resampling.BILINEAR)
    return np.asarray(image)


class OnnxModel:
    """One ONNX session over an image-to-embedding model (NCHW or NHWC, RGB, ArcFace normalisation)."""

    def __init__(self, path: Path, sha256: str) -> None:
        import onnxruntime  # only where an operator configured a model

        self.path = path
        if not path.is_file():
            raise ModelRefused(f"the face model {path} does not exist (REUNITE_ONNX_MODEL)")
        actual = file_sha256(path)
        if not sha256:
            raise ModelRefused(f"REUNITE_ONNX_SHA256 is not set: set it to the digest the model's provider "
                               f"published (this file's is {actual})")
        if actual != sha256.strip().lower():
            raise ModelRefused(f"the face model {path} has sha256 {actual}, not the expected {sha256} "
                               "(REUNITE_ONNX_SHA256): a different or damaged file; refusing to start")
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        shape = self.session.get_inputs()[0].shape
        self.channels_first = len(shape) == 4 and shape[1] == 3
        side = shape[2] if self.channels_first else shape[1] if len(shape) == 4 else None
        self.size = side if isinstance(side, int) else SIZE
        self.dim = len(self.embed(np.zeros((self.size, self.size, 3), dtype=np.uint8)))
        self.info = ExtraModel(f"onnx-{actual[:16]}", self.dim)
        self.version = f"{path.stem[:40]};{self.size}px;align{ALIGNMENT}"

    def embed(self, crop: np.ndarray) -> np.ndarray:
        """The unit-length embedding of an aligned RGB crop (always of the model's size: a failure to
        run is the engine's, ``FaceEngineUnavailable``, never the photo's)."""
        batch = ((crop.astype(np.float32) - 127.5) / 128.0)[None]
        if self.channels_first:
            batch = batch.transpose(0, 3, 1, 2)
        feed = {self.session.get_inputs()[0].name: np.ascontiguousarray(batch)}
        try:
            vector = np.asarray(self.session.run(None, feed)[0], dtype=np.float64).reshape(-1)
        except Exception as exc:  # onnxruntime's errors (out of memory among them) have no common base
            raise FaceEngineUnavailable(f"onnxruntime failed running the face model {self.path} "
                                        f"({exc.__class__.__name__}: {exc})") from exc
        norm = float(np.linalg.norm(vector))
        if not vector.size or not np.isfinite(norm):
            raise ModelRefused("the face model's output is not an embedding")
        return vector / (norm or 1.0)


class OnnxFaceEngine:
    """Implements ``domain.ports.FaceEngine``: dlib's faces, each with the ONNX model's embedding too."""

    def __init__(self, base: DlibFaceEngine, model: OnnxModel) -> None:
        self.base, self.onnx = base, model
        self.model, self.version = base.model, base.version
        self.extra_model = model.info

    @property
    def recipe(self) -> FaceRecipe:
        return replace(self.base.recipe, extra_model=self.extra_model.name, extra_version=self.onnx.version)

    def preload(self) -> None:
        self.base.preload()  # the ONNX session is built already

    def detect(self, data: bytes, thorough: bool = False) -> list[DetectedFace]:
        found = self.base.detect(data, thorough)
        if not found:
            return found
        pixels, scale = self.base.codec.rgb(data, self.base.options.max_side)
        out = []
        for face in found:
            crop = aligned_crop(pixels, np.array(face.landmarks, dtype=np.float64) * scale, self.onnx.size)
            vector = self.onnx.embed(crop)
            extra = ExtraEmbedding(self.extra_model.name, self.onnx.version, tuple(float(v) for v in vector))
            out.append(replace(face, extra=(*face.extra, extra)))
        return out
