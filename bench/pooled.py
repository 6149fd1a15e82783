"""dlib's pooled 256-d features instead of its 128-d embedding, under the shipped steps (issue 14).

    python bench/pooled.py CORPUS [--fold-seeds 2026 1 2] [--representations emb128 pooled-l2 ...]
                           [--recipes cosine shipped nested] [--no-case-jitter] [--out FILE]
    python bench/pooled.py - --combine RUN.json ...   # the table over several runs' partitions

dlib's ResNet ends in a global average pool (256 numbers, each the mean of a ReLU's outputs) and a
256 → 128 projection without bias (``fc``), trained on adults' faces. This benchmark embeds the corpus
with the same engine (detector, landmarks, chip, mirrored copy, the case photos' 3 jittered copies) but
keeps the pooled 256 numbers (their sum over the mirrored and jittered copies, not normalised), cached
like bench/embed.py's. Since the projection is linear, the shipped 128-d embedding is exactly the
pooled vector times ``fc`` (normalised): the ``emb128`` representation, checked against the engine
itself (``tests/integration/test_pooled_bench.py``), reproduces the documented figures. Representations:

- ``emb128``: the shipped embedding (pooled × fc);
- ``pooled``: the pooled vector as it is (the cosine normalises it, WCCN sees its length);
- ``pooled-l2``: normalised to unit length;
- ``pooled-centred``: normalised, less the mean of the training subjects' (fitted per fold), normalised;
- ``concat``: [embedding ; pooled], each normalised, over √2;
- ``concat-centred``: the same with the pooled part centred per fold;
- ``discarded``: only the 128 directions fc maps to nothing; ``beside-w``: [embedding ; w × those].

Recipes, each fitted on the outer training subjects of each of 5 subject-disjoint folds of every
partition (``--fold-seeds``, bench/nested.py's): ``cosine`` (nothing fitted), ``shipped`` (WCCN
shrinkage 4, 2 age directions, hubness 0.5 / 16: values chosen earlier on the 128-d embedding),
``wccn-N`` (the shipped recipe with shrinkage N) and ``nested`` (bench/nested.py's inner choice of
the shipped steps, each value chosen on 4 inner folds of the training subjects; ``nested-wide``: WCCN
shrinkage up to 16). Set ``OPENBLAS_NUM_THREADS=1`` on a loaded machine (docs/benchmarks.md). Figures as
bench/nested.py's, pooled over the outer folds of one partition, then mean and min–max over partitions."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import helper

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runs as a script from anywhere

from bench.accuracy import folds
from bench.adaptation import SHIPPED_STEPS, raw_engine_options
from bench.common import emit, machine, peak_memory_mb
from bench.corpus import Photo, load
from bench.embed import CACHE, Embedded, embed_all
from bench.ensemble import FIGURES
from bench.fitted import Config, fit, shipped_config
from bench.nested import STEPS, Evaluation, Selection, World, choose, recall
from reunite.adapters.faces.dlib_engine import DlibFaceEngine, DlibOptions, _model_path, toned
from reunite.adapters.faces.dlib_resnet import DlibResnet, onnx_session, read_resnet, to_onnx
from reunite.adapters.photos.codec import PillowPhotoCodec

Vectors = dict[Path, np.ndarray]
ADULTS = (5, 20)  # bench/adult_heavy.py's multiples of the adults' photos in the mixed gallery
COLUMNS = [*FIGURES, *((f"mixed, adults ×{m}", "r@20") for m in ADULTS)]


def with_pooled_output(model: onnx.ModelProto) -> onnx.ModelProto:
    """The network with a second output, ``pooled`` (N, 256): the input of its last MatMul (fc)."""
    graph = model.graph
    final = next(n for n in graph.node if n.op_type == "Identity" and list(n.output) == ["embedding"])
    projection = next(n for n in graph.node if n.op_type == "MatMul" and n.output[0] == final.input[0])
    source = next(n for n in graph.node if n.output[0] == projection.input[0])
    if source.op_type != "Flatten":
        raise ValueError(f"the projection's input comes from {source.op_type}, not the pooling's Flatten")
    graph.node.append(helper.make_node("Identity", [projection.input[0]], ["pooled"]))
    graph.output.append(helper.make_tensor_value_info("pooled", onnx.TensorProto.FLOAT, ["n", 256]))
    return model


class PooledResnet(DlibResnet):
    """dlib's ResNet returning the pooled 256-d features; ``fc`` (256 × 128) maps them to the embedding."""

    def __init__(self, path: Path) -> None:  # no super().__init__: the same file, another graph
        self.path = path
        mean, layers = read_resnet(path)
        self.fc = np.asarray(layers[-1].weights[0], dtype=np.float64)
        self._session = onnx_session(with_pooled_output(to_onnx(mean, layers)).SerializeToString(), path)

    def __call__(self, chips: list[np.ndarray]) -> np.ndarray:
        batch = np.stack([np.ascontiguousarray(chip, dtype=np.uint8) for chip in chips])
        return np.asarray(self._session.run(["pooled"], {"chips": batch})[0], dtype=np.float64)


class PooledEngine(DlibFaceEngine):
    """The engine with the same faces, chips, mirrored and jittered copies, whose "embedding" is the
    pooled 256-d vector summed over the face and its mirror image (each the mean over its jittered
    copies), not normalised. Never adapted."""

    def __init__(self, codec: PillowPhotoCodec, options: DlibOptions) -> None:
        super().__init__(codec, replace(options, adaptation=None))
        self._net = PooledResnet(Path(_model_path("dlib_face_recognition_resnet_model_v1.dat")))
        self.version += ";pooled256-sum"
        self.thorough_version += ";pooled256-sum"

    @property
    def fc(self) -> np.ndarray:
        assert isinstance(self._net, PooledResnet)
        return self._net.fc

    def embed_chip(self, chip: np.ndarray, jitter: int = 0) -> np.ndarray:
        chip = toned(chip, self.options.tone)
        vector = self._descriptor(chip, jitter)
        if self.options.flip:
            vector = vector + self._descriptor(np.ascontiguousarray(chip[:, ::-1]), jitter)
        return np.asarray(vector)


def pooled_engine(options: DlibOptions | None = None) -> PooledEngine:
    return PooledEngine(PillowPhotoCodec(50_000_000, 100_000_000), options or raw_engine_options())


def embed_pooled(photos: list[Photo], case_jitter: bool = True) -> tuple[Embedded, Embedded, np.ndarray]:
    """Every photo's pooled vector as a sighting and as a case photo (jittered copies), and ``fc``."""
    face_engine = pooled_engine()
    raw = embed_all(photos, face_engine)
    options = face_engine.options
    if not case_jitter or options.case_jitter == options.jitter:
        return raw, raw, face_engine.fc
    thorough = embed_all(photos, pooled_engine(replace(options, jitter=options.case_jitter)))
    return raw, thorough, face_engine.fc


def unit(x: np.ndarray) -> np.ndarray:
    return np.asarray(x / np.linalg.norm(x, axis=-1, keepdims=True))


# a representation: (pooled vectors of every photo, fc, the training photos' pooled vectors) → vectors
Representation = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def centred(x: np.ndarray, fc: np.ndarray, training: np.ndarray) -> np.ndarray:
    """Unit length, less the training photos' mean (of unit vectors), unit length again."""
    return unit(unit(x) - unit(training).mean(axis=0))


def discarded(x: np.ndarray, fc: np.ndarray) -> np.ndarray:
    """The pooled vector's coordinates in the 128 directions the projection discards (the orthogonal
    complement of its input space's part that reaches the embedding), unit length."""
    basis, _, _ = np.linalg.svd(fc, full_matrices=True)
    return unit(x @ basis[:, fc.shape[1]:])


def beside(weight: float) -> Representation:
    """[embedding ; weight × the discarded directions], each unit length: the cosine is their cosines'
    mean weighted 1 : weight²."""
    return lambda x, fc, t: np.concatenate([unit(x @ fc), weight * discarded(x, fc)], axis=-1) / np.sqrt(
        1 + weight ** 2)


REPRESENTATIONS: dict[str, tuple[str, Representation]] = {
    "emb128": ("128-d embedding (pooled × fc, as shipped)", lambda x, fc, t: unit(x @ fc)),
    "pooled": ("pooled 256-d, as it is", lambda x, fc, t: x),
    "pooled-l2": ("pooled 256-d, unit length", lambda x, fc, t: unit(x)),
    "pooled-centred": ("pooled 256-d, centred (per fold) and unit length", centred),
    "concat": ("[128-d embedding ; pooled 256-d], each unit length", lambda x, fc, t: np.concatenate(
        [unit(x @ fc), unit(x)], axis=-1) / np.sqrt(2)),
    "concat-centred": ("[128-d embedding ; pooled 256-d centred], each unit length", lambda x, fc, t: np.concatenate(
        [unit(x @ fc), centred(x, fc, t)], axis=-1) / np.sqrt(2)),
    "discarded": ("the 128 directions fc discards alone, unit length", lambda x, fc, t: discarded(x, fc)),
    "beside-0.5": ("[embedding ; 0.5 × discarded directions]", beside(0.5)),
    "beside-1": ("[embedding ; discarded directions]", beside(1.0)),
}


def represent(vectors: Vectors, how: Representation, fc: np.ndarray, training: np.ndarray) -> Vectors:
    paths = list(vectors)
    if not paths:
        return {}
    out = how(np.stack([vectors[p] for p in paths]), fc, training)
    return dict(zip(paths, out, strict=True))


def nested_choice(world: World, training: list[Photo], seed: int, shrinkages: tuple[float, ...]) -> Config:
    """bench/nested.py ``--shipped-steps-only``'s choice (its grids; WCCN's over ``shrinkages``)."""
    chosen = Config()
    for name, values in STEPS:
        if name.startswith(SHIPPED_STEPS):
            grid = [{"shrinkage": s} for s in shrinkages] if name.startswith("+ WCCN") else values
            chosen = choose(world, training, [replace(chosen, **g) for g in grid], Selection(4), seed)
    return chosen


def recipe(name: str) -> Callable[[World, list[Photo], int], Config] | Config:
    if name == "cosine":
        return Config()
    if name == "shipped":
        return shipped_config()
    if name.startswith("wccn-"):
        return replace(shipped_config(), shrinkage=float(name.removeprefix("wccn-")))
    if name == "nested":
        return lambda world, training, seed: nested_choice(world, training, seed, (0.5, 1.0, 2.0, 4.0))
    if name == "nested-wide":
        return lambda world, training, seed: nested_choice(world, training, seed, (0.5, 1.0, 2.0, 4.0, 8.0, 16.0))
    raise ValueError(f"unknown recipe {name!r}")


def run(photos: list[Photo], raw: Vectors, case: Vectors, fc: np.ndarray, representations: list[str],
        recipes: list[str], seed: int, outer: int = 5) -> dict[str, dict[str, Any]]:
    """Each representation × recipe's figures over the outer folds of the partition ``seed``."""
    everyone = {p.subject for p in photos}
    pooled: dict[str, dict[str, list[np.ndarray]]] = {}
    chosen: dict[str, list[dict[str, Any]]] = {}
    for held in folds(photos, outer, seed):
        training = [p for p in photos if p.subject not in held]
        seen = np.stack([raw[p.path] for p in training if p.path in raw])
        for rep in representations:
            how = REPRESENTATIONS[rep][1]
            world = World(photos, represent(raw, how, fc, seen), represent(case, how, fc, seen))
            for name in recipes:
                made = recipe(name)
                config = made if isinstance(made, Config) else made(world, training, seed)
                model = fit(config, world.raw_by_path, training)
                key = f"{rep} / {name}"
                chosen.setdefault(key, []).append(asdict(config))
                evaluation = Evaluation(model, world, held, everyone)
                ranks = evaluation.ranks() | {f"mixed, adults ×{m}": evaluation.case_to_sightings(True, m)
                                              for m in ADULTS}
                for k, v in ranks.items():
                    pooled.setdefault(key, {}).setdefault(k, []).append(v)
    return {key: {k: recall(np.concatenate(v), (1, 10, 20)) for k, v in parts.items()} | {"chosen": chosen[key]}
            for key, parts in pooled.items()}


def summary(partitions: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, list[float]]]:
    """Mean, min and max over the partitions of each figure of each row measured on all of them."""
    out: dict[str, dict[str, list[float]]] = {}
    for key in [k for k in partitions[0] if all(k in p for p in partitions)]:
        for d, m in COLUMNS:
            values = [p[key][d][m] for p in partitions if d in p[key]]
            if values:
                out.setdefault(key, {})[f"{d} {m}"] = [round(float(np.mean(values)), 3), min(values), max(values)]
    return out


def markdown(result: dict[str, Any]) -> str:
    columns = next(iter(result["summary"].values()))
    lines = ["| representation / recipe | " + " | ".join(c.replace("_", " ") for c in columns) + " |",
             "|" + "---|" * (len(columns) + 1)]
    for key, row in result["summary"].items():
        cells = [f"{mean:.3f} ({low:.3f}–{high:.3f})" for mean, low, high in row.values()]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--fold-seeds", type=int, nargs="+", default=[2026, 1, 2])
    parser.add_argument("--representations", nargs="+", default=list(REPRESENTATIONS), choices=list(REPRESENTATIONS))
    parser.add_argument("--recipes", nargs="+", default=["cosine", "shipped"],
                        help="cosine, shipped, wccn-N, nested, nested-wide")
    parser.add_argument("--no-case-jitter", action="store_true", help="case photos embedded like sightings")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--combine", type=Path, nargs="+", help="earlier runs' JSON: print their table and stop")
    args = parser.parse_args()
    if args.combine:
        partitions = [p for f in args.combine for p in json.loads(f.read_text())["partitions"]]
        print(markdown({"summary": summary(partitions)}))
        return
    start = time.perf_counter()
    photos = load(args.corpus.resolve())
    raw, thorough, fc = embed_pooled(photos, case_jitter=not args.no_case_jitter)
    partitions = [run(photos, raw.vectors, thorough.vectors, fc, args.representations, args.recipes, s)
                  for s in args.fold_seeds]
    result = {"corpus": str(args.corpus), "machine": machine(), "fold_seeds": args.fold_seeds,
              "case_jitter": not args.no_case_jitter, "fc_sha": hashlib.sha256(fc.tobytes()).hexdigest()[:10],
              "cache": str(CACHE), "summary": summary(partitions), "partitions": partitions,
              "load_average": [round(x, 2) for x in os.getloadavg()],
              "wall_seconds": round(time.perf_counter() - start, 1), "peak_memory_mb": peak_memory_mb()}
    emit(result, args.out)
    print(markdown(result), file=sys.stderr)


if __name__ == "__main__":
    main()
