"""dlib's face-embedding ResNet, read from its own model file and run by onnxruntime.

The network and its weights are exactly those of ``dlib_face_recognition_resnet_model_v1.dat`` (the
``face-recognition-models`` wheel): this module reads dlib's serialisation of that file (layer by
layer: 29 convolutions with their affine (batch-norm) layers, ReLUs, poolings, residual additions and
the final 256 → 128 projection) and writes the same computation as an ONNX graph, in memory. Nothing
is downloaded and no weight is changed: the embeddings agree with dlib's ``compute_face_descriptor``
to within float rounding (``tests/integration/test_dlib_resnet.py``), so they keep dlib's model name
and version. What changes is the arithmetic library: onnxruntime's convolutions take about a twelfth of
dlib's CPU time (docs/benchmarks.md), and several chips (a face's jittered copies) run as one batch.

dlib's format, as it applies here: integers are a control byte (low 4 bits: byte count, 0x80:
negative) and little-endian bytes; strings are an integer length and bytes; tensors are version 2,
four integers (n, k, rows, columns) and little-endian float32s; layers are serialised outermost
first, so their parameters appear in the file from the input layer upwards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from reunite.domain.errors import FaceEngineUnavailable

SIDE = 150  # the network's input: an aligned 150×150 RGB chip
REINSTALL = "reinstall face-recognition-models (pip install --force-reinstall face-recognition-models)"
_LAYER = re.compile(rb"\x01[\x04-\x0d](con_4|affine_|relu_|max_pool_2|avg_pool_2|add_prev_|fc_2)")


class ModelFormatError(ValueError):
    """The file is not the dlib ResNet this module knows how to read."""


@dataclass(frozen=True)
class Layer:
    kind: str  # conv, affine, relu, max, avg, add, fc
    weights: tuple[np.ndarray, ...] = ()
    window: int = 0
    stride: int = 1
    padding: int = 0


class Reader:
    def __init__(self, data: bytes, position: int = 0) -> None:
        self.data, self.position = data, position

    def _take(self, size: int, what: str) -> int:
        """Where the next ``size`` bytes start; the file is truncated where they are not all there."""
        start = self.position
        if start + size > len(self.data):
            raise ModelFormatError(f"it ends at byte {len(self.data)}, inside {what} of {size} bytes "
                                   f"starting at byte {start}")
        self.position = start + size
        return start

    def integer(self) -> int:
        control = self.data[self._take(1, "an integer")]
        size = control & 0x0F
        start = self._take(size, "an integer")
        value = int.from_bytes(self.data[start:start + size], "little")
        return -value if control & 0x80 else value

    def text(self) -> str:
        size = self.integer()
        start = self._take(size, "a layer's name")
        return self.data[start:start + size].decode("ascii")

    def real(self) -> float:
        mantissa, exponent = self.integer(), self.integer()
        return float(np.ldexp(float(mantissa), exponent))

    def tensor(self) -> np.ndarray:
        if self.integer() != 2:
            raise ModelFormatError("unknown dlib tensor version")
        shape = [self.integer() for _ in range(4)]
        count = int(np.prod(shape))
        if count < 0:
            raise ModelFormatError(f"a tensor of shape {shape}")
        start = self._take(4 * count, "a tensor")
        return np.frombuffer(self.data, dtype="<f4", count=count, offset=start).astype(np.float32)

    def alias(self) -> list[int]:
        if self.integer() != 1:
            raise ModelFormatError("unknown dlib alias tensor version")
        return [self.integer() for _ in range(4)]


def read_resnet(path: Path) -> tuple[tuple[float, float, float], list[Layer]]:
    """The input layer's mean colour and the layers, input first. A file cut short, or not dlib's
    network, raises ``ModelFormatError`` naming it (and ``OSError`` one that cannot be read)."""
    data = path.read_bytes()
    try:
        start = data.find(b"input_rgb_image_sized")
        if start < 0:
            raise ModelFormatError("it has no 150×150 RGB input layer")
        reader = Reader(data, start - 2)
        reader.text()
        mean = (reader.real(), reader.real(), reader.real())
        if (reader.integer(), reader.integer()) != (SIDE, SIDE):
            raise ModelFormatError(f"it does not take {SIDE}×{SIDE} chips")
        return mean, [_layer(Reader(data, match.start())) for match in _LAYER.finditer(data, reader.position)]
    except ModelFormatError as exc:
        raise unusable(path, exc) from exc


def unusable(path: Path, problem: ModelFormatError, what: str = "face recognition network") -> ModelFormatError:
    """The file's problem, naming it, and what mends it."""
    return ModelFormatError(f"{path} is truncated or is not dlib's {what} ({problem}): {REINSTALL}")


def conv_layer(reader: Reader) -> Layer:
    """A convolution (``con_``) as dlib writes it, its name read: weights, biases, size, stride and padding."""
    params = reader.tensor()
    filters, rows, _cols, stride, _sx, padding, _px = (reader.integer() for _ in range(7))
    shape = reader.alias()
    size = int(np.prod(shape))
    return Layer("conv", (params[:size].reshape(shape), params[size:size + filters]), rows, stride, padding)


def _layer(reader: Reader) -> Layer:
    name = reader.text()
    if name == "con_4":
        return conv_layer(reader)
    if name == "affine_":
        params = reader.tensor()
        half = params.size // 2
        return Layer("affine", (params[:half], params[half:]))
    if name in ("max_pool_2", "avg_pool_2"):
        rows, _cols, stride, _sx, padding, _px = (reader.integer() for _ in range(6))
        return Layer(name[:3], window=rows, stride=stride, padding=padding)
    if name == "fc_2":
        outputs, inputs = reader.integer(), reader.integer()
        return Layer("fc", (reader.tensor()[:inputs * outputs].reshape(inputs, outputs),))
    return Layer({"relu_": "relu", "add_prev_": "add"}[name])


class Graph:
    """Builds the ONNX graph, tracking each value's (channels, rows, columns)."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.weights: list[onnx.TensorProto] = []
        self.count = 0

    def name(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def constant(self, value: np.ndarray) -> str:
        name = self.name()
        self.weights.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, inputs: list[str], **attributes: Any) -> str:
        out = self.name()
        self.nodes.append(helper.make_node(kind, inputs, [out], **attributes))
        return out


def to_onnx(mean: tuple[float, float, float], layers: list[Layer]) -> onnx.ModelProto:
    """The network as an ONNX model: input ``chips`` (N, 150, 150, 3) uint8 RGB, output ``embedding``
    (N, 128), as dlib computes it: (pixel − mean) / 256 per channel, then the layers."""
    g = Graph()
    pixels = g.op("Cast", ["chips"], to=TensorProto.FLOAT)
    planes = g.op("Transpose", [pixels], perm=[0, 3, 1, 2])
    scaled = g.op("Sub", [planes, g.constant(np.array(mean, np.float32).reshape(1, 3, 1, 1))])
    x = g.op("Div", [scaled, g.constant(np.array(256.0, np.float32))])
    shape = (3, SIDE, SIDE)
    pending = list(layers)

    def step(x: str, shape: tuple[int, int, int], layer: Layer) -> tuple[str, tuple[int, int, int]]:
        if layer.kind == "conv":
            w, b = layer.weights
            rows = 1 + (shape[1] + 2 * layer.padding - layer.window) // layer.stride
            cols = 1 + (shape[2] + 2 * layer.padding - layer.window) // layer.stride
            out = g.op("Conv", [x, g.constant(w), g.constant(b)], strides=[layer.stride] * 2,
                       pads=[layer.padding] * 4, kernel_shape=[layer.window] * 2)
            return out, (w.shape[0], rows, cols)
        if layer.kind == "affine":
            gamma, beta = (v.reshape(1, -1, 1, 1) for v in layer.weights)
            return g.op("Add", [g.op("Mul", [x, g.constant(gamma)]), g.constant(beta)]), shape
        if layer.kind == "relu":
            return g.op("Relu", [x]), shape
        if layer.kind in ("max", "avg") and layer.window:
            kind = "MaxPool" if layer.kind == "max" else "AveragePool"
            out = g.op(kind, [x], kernel_shape=[layer.window] * 2, strides=[layer.stride] * 2,
                       pads=[layer.padding] * 4)
            size = [1 + (s + 2 * layer.padding - layer.window) // layer.stride for s in shape[1:]]
            return out, (shape[0], size[0], size[1])
        raise ModelFormatError(f"unexpected layer {layer.kind}")

    def take(kind: str) -> Layer:
        if not pending or pending[0].kind != kind:
            raise ModelFormatError(f"expected a {kind} layer, found {pending[0].kind if pending else 'the end'}")
        return pending.pop(0)

    for kind in ("conv", "affine", "relu", "max"):
        x, shape = step(x, shape, take(kind))
    while pending and pending[0].kind == "conv":  # residual blocks: conv affine relu conv affine [avg] add relu
        skip, skip_shape = x, shape
        for kind in ("conv", "affine", "relu", "conv", "affine"):
            x, shape = step(x, shape, take(kind))
        if pending and pending[0].kind == "avg":
            skip, skip_shape = step(skip, skip_shape, take("avg"))
        take("add")
        x, shape = _add(g, x, shape, skip, skip_shape)
        x, shape = step(x, shape, take("relu"))
    take("avg")  # over everything
    pooled = g.op("Flatten", [g.op("GlobalAveragePool", [x])])
    out = g.op("MatMul", [pooled, g.constant(take("fc").weights[0])])
    if pending:
        raise ModelFormatError(f"{len(pending)} layers left after the projection")
    g.nodes.append(helper.make_node("Identity", [out], ["embedding"]))
    graph = helper.make_graph(
        g.nodes, "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info("chips", TensorProto.UINT8, ["n", SIDE, SIDE, 3])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["n", 128])], g.weights)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def _add(g: Graph, a: str, a_shape: tuple[int, int, int], b: str,
         b_shape: tuple[int, int, int]) -> tuple[str, tuple[int, int, int]]:
    """dlib's add_prev: the sum over the larger of the two shapes, the smaller one zero-padded at the
    end of each axis (more channels after a down-sampling block; 3×3 against 4×4 at the 8 → 4 step)."""
    shape = (max(a_shape[0], b_shape[0]), max(a_shape[1], b_shape[1]), max(a_shape[2], b_shape[2]))

    def padded(x: str, own: tuple[int, int, int]) -> str:
        if own == shape:
            return x
        ends = [0, shape[0] - own[0], shape[1] - own[1], shape[2] - own[2]]
        return g.op("Pad", [x, g.constant(np.array([0, 0, 0, 0, *ends], np.int64))])

    return g.op("Add", [padded(a, a_shape), padded(b, b_shape)]), shape


class DlibResnet:
    """dlib's ResNet as one onnxruntime session on one thread (worker processes are the parallelism:
    ``reunite worker --processes N``); safe to share between threads and across a fork."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            mean, layers = read_resnet(path)  # its errors name the file
        except ModelFormatError as exc:
            raise FaceEngineUnavailable(str(exc)) from exc
        except (OSError, MemoryError) as exc:
            raise FaceEngineUnavailable(f"{path} cannot be read ({exc.__class__.__name__}: {exc})") from exc
        try:
            model = to_onnx(mean, layers).SerializeToString()  # a file cut between two layers: too few
        except ModelFormatError as exc:
            raise FaceEngineUnavailable(str(unusable(path, exc))) from exc
        self._session = onnx_session(model, path)
        give_back_freed_memory()  # the file, the graph and its bytes (~57 MB) are garbage now

    def __call__(self, chips: list[np.ndarray]) -> np.ndarray:
        """The 128-d descriptors (float64, not normalised, as dlib returns them) of 150×150 RGB chips.
        Chips are always 150×150: a failure here is the engine's (``FaceEngineUnavailable``), never the photo's."""
        batch = np.stack([np.ascontiguousarray(chip, dtype=np.uint8) for chip in chips])
        try:
            return np.asarray(self._session.run(None, {"chips": batch})[0], dtype=np.float64)
        except Exception as exc:
            raise FaceEngineUnavailable(f"onnxruntime failed running the network of {self.path} "
                                        f"({exc.__class__.__name__}: {exc})") from exc


def onnx_session(model: bytes, path: Path) -> Any:
    """An onnxruntime session of ``model`` (the network of the file ``path``) on one thread: worker
    processes are the parallelism (``reunite worker --processes N``)."""
    import onnxruntime  # the web process never finds nor embeds a face: imported where one is

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    try:
        return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime's own errors (out of memory among them) have no common base
        raise FaceEngineUnavailable(f"onnxruntime cannot run the network of {path} "
                                    f"({exc.__class__.__name__}: {exc})") from exc


def give_back_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc keeps them otherwise): a worker's memory is
    then the session's own (about 50 MB) and not the peak of building it."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    libc = ctypes.util.find_library("c")
    if libc:
        trim = getattr(ctypes.CDLL(libc), "malloc_trim", None)
        if trim is not None:
            trim(0)
