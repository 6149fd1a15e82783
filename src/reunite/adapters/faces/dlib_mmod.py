"""dlib's CNN face detector (MMOD), read from its own model file and run by onnxruntime.

The detector is exactly ``mmod_human_face_detector.dat`` (the ``face-recognition-models`` wheel) as
dlib's ``cnn_face_detection_model_v1`` runs it, step by step: the photo and its image pyramid (each
level 5/6 of the one before, resized bilinearly by dlib's own ``resize_image``) tiled into one image,
less the network's mean colour and divided by 256; seven convolutions (three of stride 2), their
batch-norms folded into affine layers and ReLUs, as the file holds them; every place of the output
above 0 is an 80×80 window mapped back through the network and the pyramid; windows overlapping a
better one (dlib's test: intersection over the box around both above the file's 0.338) are dropped.
The same faces, boxes and confidences (to float rounding) as dlib's
(``tests/integration/test_dlib_mmod.py``), for about a fifteenth of its CPU: dlib's wheel runs its
convolutions without BLAS, which cost 2–6 CPU-s a photo where HOG found no face (docs/benchmarks.md,
"Photos without a face")."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

import dlib
import numpy as np
import onnx
from onnx import TensorProto, helper

from reunite.adapters.faces.dlib_resnet import (
    Graph,
    Layer,
    ModelFormatError,
    Reader,
    conv_layer,
    give_back_freed_memory,
    onnx_session,
    unusable,
)
from reunite.domain.errors import FaceEngineUnavailable

_LAYER = re.compile(rb"\x01[\x05-\x07](con_4|bn_con2|relu_)")
_INPUT = b"input_rgb_image_pyramid"
PYRAMID_RATE = 6  # dlib's pyramid_down<6>: each level 5/6 of the one before
MIN_LEVEL_ROWS = 5  # the pyramid stops below this


@dataclass(frozen=True)
class Mmod:
    """What the model file holds."""

    window: tuple[int, int]  # the detection window, columns × rows
    nms_iou: float  # a window overlapping a better one by more than this is dropped
    nms_covered: float  # … or covering more than this share of it, or of itself
    mean: tuple[float, float, float]
    padding: int  # between pyramid levels
    outer_padding: int
    layers: tuple[Layer, ...]


def read_mmod(path: Path) -> Mmod:
    """The detector in ``path``; a file cut short, or not dlib's MMOD detector, raises
    ``ModelFormatError`` naming it (and ``OSError`` one that cannot be read)."""
    data = path.read_bytes()
    try:
        name = data.find(b"loss_mmod_", 0, 16)
        if name < 0:
            raise ModelFormatError("it is not an MMOD detector")
        head = Reader(data, name + len("loss_mmod_"))
        if (version := head.integer()) != 1:
            raise ModelFormatError(f"unknown MMOD options version {version}")
        window = (head.integer(), head.integer())
        head.real(), head.real(), head.real()  # training losses, truth match
        nms = (head.real(), head.real())
        start = data.find(_INPUT, head.position)
        if start < 0:
            raise ModelFormatError("it has no RGB image pyramid input layer")
        reader = Reader(data, start - 2)
        second = reader.text().endswith("2")
        mean = (reader.real(), reader.real(), reader.real())
        padding, outer = (reader.integer(), reader.integer()) if second else (10, 11)
        layers = tuple(_layer(Reader(data, m.start())) for m in _LAYER.finditer(data, reader.position))
    except ModelFormatError as exc:
        raise unusable(path, exc, "CNN face detector") from exc
    kinds = [layer.kind for layer in layers]
    if kinds != ["conv", "affine", "relu"] * 6 + ["conv"]:
        raise unusable(path, ModelFormatError(f"unexpected layers {' '.join(kinds) or 'none'}"), "CNN face detector")
    return Mmod(window, nms[0], nms[1], mean, padding, outer, layers)


def _layer(reader: Reader) -> Layer:
    name = reader.text()
    if name == "con_4":
        return conv_layer(reader)
    if name == "bn_con2":  # as dlib turns a batch-norm into an affine layer: its running statistics folded in
        params = reader.tensor()
        reader.alias(), reader.alias(), reader.tensor(), reader.tensor()
        means, variances = reader.tensor(), reader.tensor()
        reader.integer(), reader.integer(), reader.real(), reader.real(), reader.real(), reader.real()
        eps = reader.real()
        half = params.size // 2
        gamma = params[:half] / np.sqrt(variances + np.float32(eps))
        return Layer("affine", (gamma.astype(np.float32), (params[half:] - gamma * means).astype(np.float32)))
    return Layer("relu")


def to_onnx(model: Mmod) -> onnx.ModelProto:
    """The network: input ``pyramid`` (1, 3, rows, columns) float, the tiled pyramid as dlib prepares it;
    output ``scores`` (1, 1, rows', columns')."""
    g = Graph()
    x = "pyramid"
    for layer in model.layers:
        if layer.kind == "conv":
            w, b = layer.weights
            x = g.op("Conv", [x, g.constant(w), g.constant(b)], strides=[layer.stride] * 2,
                     pads=[layer.padding] * 4, kernel_shape=[layer.window] * 2)
        elif layer.kind == "affine":
            gamma, beta = (v.reshape(1, -1, 1, 1) for v in layer.weights)
            x = g.op("Add", [g.op("Mul", [x, g.constant(gamma)]), g.constant(beta)])
        else:
            x = g.op("Relu", [x])
    g.nodes.append(helper.make_node("Identity", [x], ["scores"]))
    graph = helper.make_graph(
        g.nodes, "mmod_human_face_detector",
        [helper.make_tensor_value_info("pyramid", TensorProto.FLOAT, [1, 3, "rows", "columns"])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 1, "out_rows", "out_columns"])], g.weights)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


Box = tuple[int, int, int, int]  # left, top, right, bottom: dlib's rectangle, both ends inside


def tiled_pyramid(rows: int, columns: int, padding: int, outer: int) -> tuple[list[Box], int, int]:
    """Where dlib puts each level of a ``rows`` × ``columns`` image's pyramid in one tiled image
    (``compute_tiled_image_pyramid_details``): the levels down the left, then back up on the right
    where they fit beside the first; and the tiled image's rows and columns."""
    sizes = [(rows, columns)]
    while True:
        rows, columns = (math.floor((PYRAMID_RATE - 1) / PYRAMID_RATE * v) for v in (rows, columns))
        if rows * columns == 0 or rows < MIN_LEVEL_ROWS:
            break
        sizes.append((rows, columns))
    (first_rows, width) = sizes[0]
    total = sum(r + padding for r, _ in sizes) - 2 * padding
    height = previous = 0
    for r, c in sizes:
        if c <= width - previous - padding and (height - first_rows) * 2 >= total - first_rows:
            break
        height += r + padding
        previous = c
    height -= padding
    boxes: list[Box] = []
    y = outer
    while y < height + outer and len(boxes) < len(sizes):
        r, c = sizes[len(boxes)]
        boxes.append((outer, y, outer + c - 1, y + r - 1))
        y += r + padding
    y -= padding
    right = outer + width - 1
    while len(boxes) < len(sizes):
        r, c = sizes[len(boxes)]
        box = (right - c + 1, y - r, right, y - 1)
        first = boxes[0]
        if box[0] <= first[2] and first[0] <= box[2] and box[1] <= first[3] and first[1] <= box[3]:
            break  # it would overlap the photo itself
        boxes.append(box)
        y -= r + padding
    return boxes, height + 2 * outer, width + 2 * outer


class DlibMmod:
    """dlib's CNN face detector as one onnxruntime session on one thread; safe to share between
    threads and across a fork."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.model = read_mmod(path)  # its errors name the file
        except ModelFormatError as exc:
            raise FaceEngineUnavailable(str(exc)) from exc
        except (OSError, MemoryError) as exc:
            raise FaceEngineUnavailable(f"{path} cannot be read ({exc.__class__.__name__}: {exc})") from exc
        self._session = onnx_session(to_onnx(self.model).SerializeToString(), path)
        self._mean = np.array(self.model.mean, np.float32)
        give_back_freed_memory()

    def __call__(self, pixels: np.ndarray) -> list[tuple[dlib.rectangle, float]]:
        """The faces in an RGB photo, best first: each box (in the photo's pixels) and its confidence,
        as ``dlib.cnn_face_detection_model_v1(path)(pixels, 0)`` gives them. A photo too thin for the
        network (a few pixels high) raises ``ValueError``, as dlib's own detector fails on it."""
        tensor, boxes = self._pyramid(pixels)
        if min(_output_size(self.model, tensor.shape[1:])) <= 0:
            high, wide = pixels.shape[:2]
            raise ValueError(f"a photo of {wide}×{high} pixels is too small for the face detector")
        try:
            scores = np.asarray(self._session.run(None, {"pyramid": tensor[None]})[0][0, 0])
        except Exception as exc:  # a valid input of a known size: a failure here is the engine's, not the photo's
            raise FaceEngineUnavailable(f"onnxruntime failed running the network of {self.path} "
                                        f"({exc.__class__.__name__}: {exc})") from exc
        return self._suppressed(self._windows(scores, boxes))

    def _pyramid(self, pixels: np.ndarray) -> tuple[np.ndarray, list[Box]]:
        """The tiled pyramid tensor, as dlib's input layer fills it (zero around the levels)."""
        m = self.model
        boxes, rows, columns = tiled_pyramid(pixels.shape[0], pixels.shape[1], m.padding, m.outer_padding)
        tensor = np.zeros((3, rows, columns), np.float32)
        if not boxes:
            return tensor, boxes
        left, top, right, bottom = boxes[0]
        tensor[:, top:bottom + 1, left:right + 1] = ((pixels[..., :3].astype(np.float32) - self._mean) / 256.0
                                                      ).transpose(2, 0, 1)
        for (pl, pt, pr, pb), (left, top, right, bottom) in itertools.pairwise(boxes):
            for channel in tensor:
                channel[top:bottom + 1, left:right + 1] = dlib.resize_image(
                    np.ascontiguousarray(channel[pt:pb + 1, pl:pr + 1]), bottom - top + 1, right - left + 1)
        return tensor, boxes

    def _windows(self, scores: np.ndarray, boxes: list[Box]) -> list[tuple[float, Box]]:
        """Every window scoring above 0, in the photo's pixels (dlib's ``tensor_to_dets``), best first."""
        found = []
        half_w, half_h = (self.model.window[0] - 1) / 2, (self.model.window[1] - 1) / 2
        rate = PYRAMID_RATE / (PYRAMID_RATE - 1.0)
        for row, column in zip(*np.nonzero(scores > 0), strict=True):
            x, y = _to_input(self.model, float(column), float(row))
            level = _nearest(boxes, x, y)
            ox, oy = boxes[level][:2]
            corners = [x - half_w - ox, y - half_h - oy, x + half_w - ox, y + half_h - oy]
            for _ in range(level):  # pyramid_down<6>::point_up, level times
                corners = [v * rate + 0.3 for v in corners]
            box = tuple(math.floor(v + 0.5) for v in corners)
            found.append((float(scores[row, column]), (box[0], box[1], box[2], box[3])))
        return sorted(found, key=lambda item: -item[0])

    def _suppressed(self, windows: list[tuple[float, Box]]) -> list[tuple[dlib.rectangle, float]]:
        kept: list[tuple[float, Box]] = []
        for score, box in windows:
            if not any(_overlaps(other, box, self.model.nms_iou, self.model.nms_covered) for _, other in kept):
                kept.append((score, box))
        return [(dlib.rectangle(*box), score) for score, box in kept]


def _output_size(model: Mmod, size: tuple[int, ...]) -> tuple[int, int]:
    rows, columns = size
    for layer in model.layers:
        if layer.kind == "conv":
            rows, columns = (1 + (v + 2 * layer.padding - layer.window) // layer.stride for v in (rows, columns))
    return rows, columns


def _to_input(model: Mmod, x: float, y: float) -> tuple[float, float]:
    """A place of the network's output in its input (dlib's ``map_output_to_input``, last layer first)."""
    for layer in reversed(model.layers):
        if layer.kind == "conv":
            x, y = (v * layer.stride - layer.padding + layer.window // 2 for v in (x, y))
    return x, y


def _nearest(boxes: list[Box], x: float, y: float) -> int:
    """The pyramid level whose box holds the point, or is nearest to it (dlib's ``nearest_rect``)."""
    best, distance = 0, math.inf
    for i, (left, top, right, bottom) in enumerate(boxes):
        if left <= x <= right and top <= y <= bottom:
            return i
        d = math.hypot(min(max(x, left), right) - x, min(max(y, top), bottom) - y)
        if d < distance:
            best, distance = i, d
    return best


def _area(left: int, top: int, right: int, bottom: int) -> int:
    return max(0, right - left + 1) * max(0, bottom - top + 1)


def _overlaps(a: Box, b: Box, iou: float, covered: float) -> bool:
    """dlib's ``test_box_overlap``: the intersection over the box around both, or over either box."""
    inner = _area(max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    if inner == 0:
        return False
    outer = _area(min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
    return inner / outer > iou or inner / _area(*a) > covered or inner / _area(*b) > covered

