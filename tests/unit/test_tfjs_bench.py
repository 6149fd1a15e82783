"""bench/tfjs_models.py measures npm-registry face models only if its TensorFlow.js → ONNX conversion
computes what the model computes: a tiny graph model written here (a fused convolution, a depthwise
convolution whose PReLU the TensorFlow.js converter fused wrongly, float16-quantised weights, a mean
and an L2 normalisation) run by onnxruntime must equal the same network written in NumPy."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np

from bench.tfjs_models import session


def b64(text: str) -> dict[str, str]:
    return {"s": base64.b64encode(text.encode()).decode()}


def ops(*names: str) -> dict[str, dict[str, list[str]]]:
    return {"list": {"s": [b64(n)["s"] for n in names]}}


def conv_attrs(fused: tuple[str, ...]) -> dict[str, object]:
    return {"padding": b64("SAME"), "strides": {"list": {"i": ["1", "1", "1", "1"]}},
            "data_format": b64("NHWC"), "fused_ops": ops(*fused)}


def conv_same(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """NHWC × HWIO, stride 1, SAME padding."""
    h, w = kernel.shape[:2]
    padded = np.pad(x, ((0, 0), (h // 2, h // 2), (w // 2, w // 2), (0, 0)))
    out = np.zeros((*x.shape[:3], kernel.shape[3]))
    for i in range(h):
        for j in range(w):
            out += padded[:, i:i + x.shape[1], j:j + x.shape[2], :] @ kernel[i, j]
    return out


def write_model(folder: Path, tensors: dict[str, np.ndarray], nodes: list[dict[str, object]]) -> Path:
    manifest, blob = [], b""
    for name, value in tensors.items():
        half = name == "conv_w"  # one weight stored float16-quantised, as the npm models do
        manifest.append({"name": name, "shape": list(value.shape), "dtype": "float32"}
                        | ({"quantization": {"dtype": "float16", "original_dtype": "float32"}} if half else {}))
        blob += value.astype(np.float16 if half else np.float32).tobytes()
    (folder / "m.bin").write_bytes(blob)
    spec = {"format": "graph-model", "modelTopology": {"node": nodes},
            "weightsManifest": [{"paths": ["m.bin"], "weights": manifest}]}
    (folder / "m.json").write_text(json.dumps(spec))
    return folder / "m.json"


def test_a_converted_graph_model_computes_what_the_network_computes(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    t = {"conv_w": rng.normal(size=(3, 3, 3, 4)).astype(np.float16).astype(np.float32),
         "conv_b": rng.normal(size=4), "dw_w": rng.normal(size=(3, 3, 4, 1)), "dw_b": rng.normal(size=4),
         "alpha_half": rng.uniform(0.05, 0.2, size=4)}
    const = [{"name": n, "op": "Const"} for n in t]
    nodes = [*const,
             {"name": "x", "op": "Placeholder",
              "attr": {"shape": {"shape": {"dim": [{"size": "-1"}, {"size": "6"}, {"size": "6"}, {"size": "3"}]}}}},
             {"name": "conv", "op": "_FusedConv2D", "input": ["x", "conv_w", "conv_b"],
              "attr": conv_attrs(("BiasAdd", "Relu"))},
             {"name": "dw", "op": "FusedDepthwiseConv2dNative", "input": ["conv", "dw_w", "dw_b"],
              "attr": conv_attrs(("BiasAdd", "Relu"))},
             {"name": "abs", "op": "Abs", "input": ["dw"]},
             {"name": "sub", "op": "Sub", "input": ["dw", "abs"]},
             {"name": "neg", "op": "Mul", "input": ["sub", "alpha_half"]},
             {"name": "prelu", "op": "Add", "input": ["dw", "neg"]},
             {"name": "axes", "op": "Const",
              "attr": {"value": {"tensor": {"intVal": ["1", "2"], "tensorShape": {"dim": [{"size": "2"}]}}}}},
             {"name": "pool", "op": "Mean", "input": ["prelu", "axes"], "attr": {"keep_dims": {"b": False}}},
             {"name": "sq", "op": "Square", "input": ["pool"]},
             {"name": "last", "op": "Const",
              "attr": {"value": {"tensor": {"intVal": ["1"], "tensorShape": {"dim": [{"size": "1"}]}}}}},
             {"name": "sum", "op": "Sum", "input": ["sq", "last"], "attr": {"keep_dims": {"b": True}}},
             {"name": "inv", "op": "Rsqrt", "input": ["sum"]},
             {"name": "embedding", "op": "Mul", "input": ["pool", "inv"]}]
    model = session(write_model(tmp_path, t, nodes), "embedding")

    x = rng.normal(size=(2, 6, 6, 3)).astype(np.float32)
    hidden = np.maximum(conv_same(x, t["conv_w"]) + t["conv_b"], 0)
    depthwise = sum(conv_same(hidden[..., [c]], t["dw_w"][:, :, [c], :]) * (np.arange(4) == c) for c in range(4))
    depthwise = depthwise + t["dw_b"]
    activated = np.maximum(depthwise, 0) + t["alpha_half"] * (depthwise - np.abs(depthwise))  # the PReLU
    pooled = activated.mean(axis=(1, 2))
    expected = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    got = model.run(None, {"x": x})[0]
    assert got.shape == (2, 4)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    # with the converter's wrong fusion kept, the negative side of the PReLU would be lost
    wrong = np.maximum(depthwise, 0).mean(axis=(1, 2))
    assert np.abs(got - wrong / np.linalg.norm(wrong, axis=1, keepdims=True)).max() > 1e-3
