"""dlib face engine: HOG (CNN fallback) detection, landmark alignment, 128-d ResNet embeddings.

All models come from the ``face-recognition-models`` wheel; nothing is downloaded."""

from __future__ import annotations

import hashlib
import importlib.util
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import dlib
import numpy as np
from PIL import Image

from reunite.adapters.faces.dlib_mmod import DlibMmod
from reunite.adapters.faces.dlib_resnet import REINSTALL, DlibResnet
from reunite.adapters.faces.hubness import Hubness
from reunite.adapters.photos.codec import PillowPhotoCodec, encode_jpeg
from reunite.domain.chips import CHIP_SIDE
from reunite.domain.errors import FaceEngineUnavailable
from reunite.domain.model import BoundingBox, DetectedFace
from reunite.domain.recipes import FaceRecipe

MODEL = "dlib_face_recognition_resnet_model_v1"
Model = TypeVar("Model")
ADAPTATION_FILE = Path(__file__).with_name("adaptation.npz")
JITTER_SEED = 2011


@dataclass(frozen=True)
class DlibOptions:
    upsample: int = 1
    cnn_fallback: bool = True
    max_side: int = 1600
    landmarks: int = 5  # 68-point alignment measured worse under cross-validation (docs/benchmarks.md)
    flip: bool = True  # averaged with the mirror image: better under nested cross-validation (docs/benchmarks.md)
    jitter: int = 0
    cnn_side: int = 320  # the CNN fallback's first look, at this size (docs/benchmarks.md)
    case_jitter: int = 3  # missing children's photos: 3 jittered copies averaged (docs/benchmarks.md)
    padding: float = 0.25
    tone: str = "colour"  # "grey": the chip's luminance in all three channels; "grey-eq": also equalised
    adaptation: Path | None = ADAPTATION_FILE


def _model_path(name: str) -> str:
    """The model file ``name`` of the face-recognition-models wheel; ``FaceEngineUnavailable`` naming
    the package, or the file, when it is not there."""
    # The package's __init__ needs pkg_resources, gone from current setuptools: locate its files only.
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceEngineUnavailable("the face-recognition-models package is not installed: install it "
                                    "(pip install face-recognition-models)")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / name
    if not path.is_file():
        raise FaceEngineUnavailable(f"the model file {path} is missing: {REINSTALL}")
    return str(path)


def _dlib_model(load: Callable[[str], Model], name: str) -> Model:
    """One of dlib's own models (detector, landmarks) loaded from its file; a file dlib cannot read
    (truncated, damaged) raises ``FaceEngineUnavailable`` naming it."""
    path = _model_path(name)
    try:
        return load(path)
    except (RuntimeError, OSError, MemoryError) as exc:  # dlib's "Error deserializing …" is a RuntimeError
        raise FaceEngineUnavailable(f"dlib cannot load {path}, truncated or damaged "
                                    f"({exc.__class__.__name__}: {' '.join(str(exc).split())}): {REINSTALL}") from exc


def load_hubness(path: Path | None) -> Hubness | None:
    """The hubness reference stored beside the adaptation matrix, if any."""
    if path is None or not path.exists():
        return None
    with np.load(path) as data:
        if "hub_centroids" not in data:
            return None
        return Hubness(np.asarray(data["hub_centroids"], dtype=np.float64), float(data["hub_offset"]),
                       int(data["hub_top"]), float(data["hub_weight"]) if "hub_weight" in data else 1.0,
                       np.asarray(data["hub_people"]) if "hub_people" in data else None)


def load_adaptation(path: Path | None) -> tuple[np.ndarray | None, str]:
    """The optional linear map applied to embeddings (trained by ``bench/train_adaptation.py``)."""
    if path is None or not path.exists():
        return None, "none"
    with np.load(path) as data:
        matrix = np.asarray(data["matrix"], dtype=np.float64)
    return matrix, hashlib.sha256(matrix.tobytes()).hexdigest()[:10]


class DlibFaceEngine:
    """Implements ``domain.ports.FaceEngine``. Thread-safe (one lock around the dlib calls)."""

    model = MODEL

    def __init__(self, codec: PillowPhotoCodec, options: DlibOptions | None = None) -> None:
        self.codec = codec
        self.options = options or DlibOptions()
        self._hog = dlib.get_frontal_face_detector()
        self._cnn: DlibMmod | None = None
        points = "68_face_landmarks" if self.options.landmarks == 68 else "5_face_landmarks"
        self._shape = _dlib_model(dlib.shape_predictor, f"shape_predictor_{points}.dat")
        self._net = DlibResnet(Path(_model_path("dlib_face_recognition_resnet_model_v1.dat")))
        self._adapt, adapt_id = load_adaptation(self.options.adaptation)
        self._hubness = load_hubness(self.options.adaptation)
        o = self.options
        tone = "" if o.tone == "colour" else f";{o.tone}"
        self.version = f"2;lm{o.landmarks};pad{o.padding};flip{int(o.flip)};jit{o.jitter}{tone};adapt-{adapt_id}"
        self.thorough_version = self.version.replace(f"jit{o.jitter}", f"jit{o.case_jitter}")
        self._lock = threading.Lock()

    @property
    def recipe(self) -> FaceRecipe:
        return FaceRecipe(self.model, self.version, self.thorough_version)

    def preload(self) -> None:
        if self.options.cnn_fallback:
            self._cnn_detector()

    def _cnn_detector(self) -> DlibMmod:
        """dlib's CNN detector, run by onnxruntime (dlib_mmod.py): dlib's own costs about fifteen times
        the CPU, 2–6 s a photo in which HOG found no face (docs/benchmarks.md, "Photos without a face")."""
        if self._cnn is None:
            self._cnn = DlibMmod(Path(_model_path("mmod_human_face_detector.dat")))
        return self._cnn

    def detect(self, data: bytes, thorough: bool = False) -> list[DetectedFace]:
        pixels, scale = self.codec.rgb(data, self.options.max_side)
        jitter = self.options.case_jitter if thorough else self.options.jitter
        with self._lock:
            found, detector = self._find(pixels)
            return [self._describe(pixels, scale, rect, score, detector, jitter) for rect, score in found]

    def _find(self, pixels: np.ndarray) -> tuple[list[tuple[dlib.rectangle, float]], str]:
        """HOG at the photo's own scale; upsampled (for small faces) only when that finds nothing;
        the CNN detector last. Each step costs about four times the one before."""
        for upsample in range(self.options.upsample + 1):
            rects, scores, _ = self._hog.run(pixels, upsample, 0.0)
            if len(rects):
                return list(zip(rects, scores, strict=True)), "hog" if upsample == 0 else f"hog-up{upsample}"
        if not self.options.cnn_fallback:
            return [], "hog"
        return self._cnn_find(pixels), "cnn"

    def _cnn_find(self, pixels: np.ndarray) -> list[tuple[dlib.rectangle, float]]:
        """The CNN detector on a small copy first: a face HOG missed at full size is most often a large
        one, turned or blurred, and at 320 px the CNN finds it for a tenth of the time (measured:
        docs/benchmarks.md). Where it finds nothing, the CNN looks again at 800 px (upsampled when smaller)."""
        for side in (self.options.cnn_side, 800):
            small, factor = _resized(pixels, side)
            upsampled = side == 800 and max(small.shape[:2]) < 500
            found = []
            for box, confidence in self._cnn_detector()(_doubled(small) if upsampled else small):
                r = _halved(box) if upsampled else box
                rect = dlib.rectangle(*(round(v / factor) for v in (r.left(), r.top(), r.right(), r.bottom())))
                found.append((rect, confidence))
            if found:
                return found
        return []

    def _describe(
        self, pixels: np.ndarray, scale: float, rect: dlib.rectangle, score: float, detector: str, jitter: int
    ) -> DetectedFace:
        shape = self._shape(pixels, rect)
        chip = dlib.get_face_chip(pixels, shape, size=150, padding=self.options.padding)
        seen = dlib.get_face_chip(_white(pixels.shape), shape, size=150, padding=self.options.padding)
        vector = self.embed_chip(chip, jitter)
        h, w = pixels.shape[:2]
        box = BoundingBox(*(round(v / scale) for v in (
            max(rect.left(), 0), max(rect.top(), 0), min(rect.right(), w), min(rect.bottom(), h))))
        landmarks = tuple((round(p.x / scale), round(p.y / scale)) for p in shape.parts())
        # the gate's sharpness: the face itself, inside the padding (where the photo's edge, filled black,
        # would read as sharp detail on tightly framed photos)
        inner = self.options.padding / (1 + 2 * self.options.padding)
        return DetectedFace(
            box=box, landmarks=landmarks, detection_score=float(score),
            sharpness=round(chip_sharpness(chip, inner), 2),
            quality=face_quality(min(box.width, box.height), chip_sharpness(chip), score, detector),
            embedding=tuple(float(v) for v in vector), model=self.model,
            model_version=self.version if jitter == self.options.jitter else self.thorough_version,
            detector=detector, crop_jpeg=encode_jpeg(face_crop(pixels, rect)),
            hubness=float(self._hubness(vector)[0]) if self._hubness else 0.0,
            chip=chip_print(chip, seen, inner),
        )

    def embed_chip(self, chip: np.ndarray, jitter: int = 0) -> np.ndarray:
        """The (adapted, unit-length) embedding of an aligned 150×150 face chip, averaged over
        ``jitter`` shifted, rotated and mirrored copies when it is not 0."""
        chip = toned(chip, self.options.tone)
        vector = self._descriptor(chip, jitter)
        if self.options.flip:
            vector = vector + self._descriptor(np.ascontiguousarray(chip[:, ::-1]), jitter)
        if self._adapt is not None:
            vector = self._adapt @ (vector / np.linalg.norm(vector))
        return np.asarray(vector / np.linalg.norm(vector))

    def _descriptor(self, chip: np.ndarray, jitter: int) -> np.ndarray:
        """dlib's descriptor of the chip, or the mean over its jittered copies (one batch)."""
        return np.asarray(self._net(jittered(chip, jitter) if jitter else [chip]).mean(axis=0))


def jittered(chip: np.ndarray, count: int) -> list[np.ndarray]:
    """``count`` copies of a face chip shifted (±2 %), scaled (97-100 %), turned (±3°) and mirrored
    at random as dlib's own jitter does, but from a fixed seed: the same photo always gives the same
    embedding, so a search or a case's photo gives the same numbers each time (dlib's jitter does not)."""
    rng = np.random.default_rng(JITTER_SEED)
    side = chip.shape[0]
    inner = side - 6  # dlib's shrink_rect(get_rect(img), 3)
    copies = []
    for _ in range(count):
        dx, dy = rng.uniform(-0.02, 0.02, 2) * inner
        box = inner / rng.uniform(0.97, 0.99999)
        cx, cy = (side - 1) / 2 + dx, (side - 1) / 2 + dy
        angle = float(np.deg2rad(rng.uniform(-3.0, 3.0)))
        rect = dlib.drectangle(cx - box / 2, cy - box / 2, cx + box / 2, cy + box / 2)
        copy = dlib.extract_image_chip(chip, dlib.chip_details(rect, side * side, angle))
        copies.append(np.ascontiguousarray(copy[:, ::-1] if rng.random() > 0.5 else copy))
    return copies


def toned(chip: np.ndarray, tone: str) -> np.ndarray:
    """The chip as the network sees it: unchanged (``colour``), or its luminance in all three channels
    (``grey``: old prints, sepia scans and phone photos alike), histogram-equalised (``grey-eq``)."""
    if tone == "colour":
        return chip
    grey = chip.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    if tone == "grey-eq":
        order = np.sort(grey.ravel())
        grey = np.searchsorted(order, grey, side="right") / order.size * 255.0
    elif tone != "grey":
        raise ValueError(f"unknown tone {tone!r}")
    return np.ascontiguousarray(np.repeat(np.clip(grey, 0, 255).round().astype(np.uint8)[..., None], 3, axis=2))


def _white(shape: tuple[int, ...]) -> np.ndarray:
    """A white photo of this size: its chip says which of a chip's pixels saw the photo."""
    return np.full(shape, 255, dtype=np.uint8)


def chip_print(chip: np.ndarray, seen: np.ndarray, inner: float) -> bytes:
    """The chip's face (``inner`` of its side left out on each edge: the padding) as ``domain.chips`` compares
    it: ``CHIP_SIDE`` squared grey levels 1 to 255, 0 where the chip is not all inside the photo (``seen``: the
    chip of a white photo by the same landmarks)."""
    cut = round(chip.shape[0] * inner)
    grey = chip[cut:chip.shape[0] - cut, cut:chip.shape[1] - cut].astype(np.float32) @ np.array(
        [0.299, 0.587, 0.114], dtype=np.float32)
    inside = seen[cut:seen.shape[0] - cut, cut:seen.shape[1] - cut, 0].astype(np.float32) / 255
    size = (CHIP_SIDE, CHIP_SIDE)
    small = np.asarray(Image.fromarray(grey).resize(size, Image.Resampling.BOX))
    whole = np.asarray(Image.fromarray(inside).resize(size, Image.Resampling.BOX)) > 0.99
    return bytes(np.where(whole, 1 + np.clip(small, 0, 255) * 254 / 255, 0).round().astype(np.uint8).ravel())


def _resized(pixels: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """A copy whose longer side is ``max_side`` (never enlarged), and its scale."""
    height, width = pixels.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1:
        return pixels, 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR)), scale


def _doubled(pixels: np.ndarray) -> np.ndarray:
    """The photo upsampled as dlib's CNN detector upsamples it once (``pyramid_up`` with
    ``pyramid_down<2>``: bilinear, onto 2·rows+1 × 2·columns+2 pixels)."""
    rows, columns = pixels.shape[:2]
    return np.asarray(dlib.resize_image(np.ascontiguousarray(pixels), 2 * rows + 1, 2 * columns + 2))


def _halved(rect: dlib.rectangle) -> dlib.rectangle:
    """A box found on ``_doubled`` pixels, in the photo's (``pyramid_down<2>::rect_down``)."""
    def down(v: float, offset: float) -> int:
        return math.floor(v / 2 - offset + 0.5)

    return dlib.rectangle(down(rect.left(), 1.25), down(rect.top(), 0.75),
                          down(rect.right(), 1.25), down(rect.bottom(), 0.75))


def face_crop(pixels: np.ndarray, rect: dlib.rectangle, margin: float = 0.4, size: int = 200) -> np.ndarray:
    """The face with some context around it, for reviewers' eyes (never used for matching)."""
    h, w = pixels.shape[:2]
    mx, my = int(rect.width() * margin), int(rect.height() * margin)
    top, bottom = max(rect.top() - my, 0), min(rect.bottom() + my, h)
    left, right = max(rect.left() - mx, 0), min(rect.right() + mx, w)
    crop = pixels[top:bottom, left:right]
    if crop.size == 0:
        crop = pixels
    step = max(1, max(crop.shape[:2]) // size)
    return np.ascontiguousarray(crop[::step, ::step])


def chip_sharpness(chip: np.ndarray, margin: float = 0.0) -> float:
    """The variance of the Laplacian of the aligned chip's grey levels (sharp faces: hundreds), leaving
    out ``margin`` of its side on each edge."""
    cut = round(chip.shape[0] * margin)
    grey = chip[cut:chip.shape[0] - cut, cut:chip.shape[1] - cut].mean(axis=2)
    lap = grey[1:-1, 1:-1] * 4 - grey[:-2, 1:-1] - grey[2:, 1:-1] - grey[1:-1, :-2] - grey[1:-1, 2:]
    return float(lap.var())


def face_quality(face_px: int, sharpness: float, score: float, detector: str) -> float:
    """0..1 from face size, sharpness (variance of the Laplacian) and detector confidence."""
    size_q = float(np.clip((face_px - 24) / 96, 0.0, 1.0))
    sharp_q = float(np.clip(sharpness / 400.0, 0.0, 1.0))
    det_q = float(np.clip(score, 0.0, 1.0)) if detector == "cnn" else float(1 / (1 + np.exp(-2 * score)))
    return round(0.4 * size_q + 0.35 * sharp_q + 0.25 * det_q, 3)
