"""bench/pooled.py measures the pooled features, not something else: the extra ONNX output is the input
of the network's last projection (so that pooled × fc is the embedding), the ``emb128`` representation
ranks exactly as the embedding itself does under the same folds and recipe (so its figures reproduce
the documented ones), every representation answers every held-out query, and the centring is fitted on
the training subjects only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

from bench.accuracy import folds
from bench.corpus import Photo
from bench.fitted import Config, fit
from bench.nested import Evaluation, World
from bench.pooled import REPRESENTATIONS, discarded, represent, run, unit, with_pooled_output
from tests.unit.test_nested_bench import AGES, growing_up


def tail_of_the_network(fc: np.ndarray) -> onnx.ModelProto:
    """The end of dlib_resnet.to_onnx's graph: ReLU, global average pool, Flatten, MatMul (fc), Identity."""
    nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("GlobalAveragePool", ["r"], ["g"]),
             helper.make_node("Flatten", ["g"], ["p"]), helper.make_node("MatMul", ["p", "w"], ["e"]),
             helper.make_node("Identity", ["e"], ["embedding"])]
    graph = helper.make_graph(nodes, "tail", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 256, 3, 3])],
                              [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["n", 128])],
                              [numpy_helper.from_array(fc.astype(np.float32), "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def test_the_extra_output_is_what_the_projection_maps_to_the_embedding() -> None:
    rng = np.random.default_rng(0)
    fc = rng.normal(size=(256, 128))
    session = onnxruntime.InferenceSession(with_pooled_output(tail_of_the_network(fc)).SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    x = rng.normal(size=(4, 256, 3, 3)).astype(np.float32)
    embedding, pooled = session.run(["embedding", "pooled"], {"x": x})
    assert pooled.shape == (4, 256)
    assert np.allclose(pooled, np.maximum(x, 0).mean(axis=(2, 3)), atol=1e-5)  # post-ReLU averages
    assert np.allclose(pooled @ fc.astype(np.float32), embedding, atol=1e-3)


def pooled_like(subjects: int = 30) -> tuple[list[Photo], dict[Path, np.ndarray], np.ndarray, dict[Path, np.ndarray]]:
    """A corpus whose "pooled" vectors are positive, with a large common mean, and whose "embedding"
    is their projection by ``fc``; the embedding as the engine would give it, too."""
    photos, faces = growing_up(subjects=subjects, dim=16)
    rng = np.random.default_rng(5)
    fc = rng.normal(size=(32, 16))
    lift = np.linalg.pinv(fc)  # pooled = 3 + faces lifted into 32-d, so that pooled × fc ≈ faces + 3 × 1 fc
    pooled = {p: 3.0 + v @ lift for p, v in faces.items()}
    embedding = {p: unit(v @ fc) for p, v in pooled.items()}
    return photos, pooled, fc, embedding


def test_emb128_ranks_exactly_as_the_embedding_itself() -> None:
    photos, pooled, fc, embedding = pooled_like()
    figures = run(photos, pooled, pooled, fc, ["emb128"], ["cosine"], seed=1, outer=3)
    everyone = {p.subject for p in photos}
    direct: dict[str, list[np.ndarray]] = {}
    world = World(photos, embedding, embedding)
    for held in folds(photos, 3, 1):
        model = fit(Config(), embedding, [p for p in photos if p.subject not in held])
        for k, v in Evaluation(model, world, held, everyone).ranks().items():
            direct.setdefault(k, []).append(v)
    for k, parts in direct.items():
        together = np.concatenate(parts)
        assert figures["emb128 / cosine"][k]["r@1"] == round(float(np.mean(together <= 1)), 4), k


def test_every_representation_answers_every_held_out_query() -> None:
    photos, pooled, fc, _ = pooled_like()
    figures = run(photos, pooled, pooled, fc, list(REPRESENTATIONS), ["cosine", "wccn-2"], seed=2, outer=3)
    assert len(figures) == 2 * len(REPRESENTATIONS)
    for key, row in figures.items():
        assert row["dense"]["n"] == 30 * (len(AGES) - 1) and row["case_to_sightings_mixed"]["n"] == 30, key
        assert row["chosen"][0]["shrinkage"] == (2.0 if key.endswith("wccn-2") else None), key
        assert row["dense"]["r@20"] > 0.3, key  # every representation still tells people apart


def test_centring_is_fitted_on_the_training_photos_only() -> None:
    photos, pooled, fc, _ = pooled_like()
    how = REPRESENTATIONS["pooled-centred"][1]
    training = np.stack([v for p, v in pooled.items() if int(p.name[:3]) < 20])
    centred = represent(pooled, how, fc, training)
    seen = [p for p in pooled if int(p.name[:3]) < 20]
    # the common mean is gone: the training faces' average is far from unit length, as it was not before
    assert np.linalg.norm(np.mean([unit(pooled[p]) for p in seen], axis=0)) > 0.9
    assert np.linalg.norm(np.mean([centred[p] for p in seen], axis=0)) < 0.3
    # a held-out photo changed does not move any other photo's centred vector
    moved = dict(pooled) | {photos[-1].path: pooled[photos[-1].path] * 2 + 1}
    again = represent(moved, how, fc, training)
    assert all(np.allclose(again[p.path], centred[p.path]) for p in photos[:-1])
    assert np.allclose([np.linalg.norm(v) for v in centred.values()], 1.0)


def test_the_discarded_directions_are_what_the_projection_does_not_see() -> None:
    rng = np.random.default_rng(7)
    fc, x = rng.normal(size=(32, 16)), rng.normal(size=(5, 32)) + 3.0
    unseen = np.linalg.svd(fc)[0][:, 16:] @ rng.normal(size=16)  # fc maps it to nothing
    assert np.allclose(unseen @ fc, 0, atol=1e-9)
    emb = REPRESENTATIONS["emb128"][1]
    assert np.allclose(emb(x + unseen, fc, x), emb(x, fc, x))
    assert not np.allclose(discarded(x + unseen, fc), discarded(x, fc))
    seen = fc @ rng.normal(size=16)  # in the projection's own input directions
    assert np.allclose(discarded(x + seen, fc), discarded(x, fc))
    assert discarded(x, fc).shape == (5, 16)
