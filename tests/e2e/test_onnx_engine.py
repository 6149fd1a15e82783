"""Issue 14, item 7: a second face model the operator provides (an ONNX file), proven with a tiny model
this test builds itself with the ``onnx`` package: no weights from elsewhere."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import event

from reunite.adapters.faces.dlib_engine import DlibFaceEngine
from reunite.adapters.faces.onnx_engine import ModelRefused, OnnxFaceEngine, aligned_crop, similarity_transform
from reunite.bootstrap import Container, bootstrap
from reunite.config import Settings
from reunite.entrypoints.api.app import create_app
from reunite.services.matching import rematch_all
from tests.conftest import admin_token, jpeg, run_jobs
from tests.photos import face_jpeg


def tiny_model(path: Path, seed: int, dim: int = 64) -> str:
    """An image-to-vector model: 112×112 RGB → 16×16 average pools (3×7×7) → a fixed random projection.
    Deterministic for its seed; returns the file's sha256."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weights = np.random.default_rng(seed).standard_normal((3 * 7 * 7, dim)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("AveragePool", ["input"], ["pooled"], kernel_shape=[16, 16], strides=[16, 16]),
         helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
         helper.make_node("MatMul", ["flat", "w"], ["embedding"])],
        "tiny_face", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 112, 112])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, dim])],
        [numpy_helper.from_array(weights, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return hashlib.sha256(path.read_bytes()).hexdigest()


def with_model(settings: Settings, path: Path, sha: str) -> Settings:
    return settings.model_copy(update={"onnx_model": path, "onnx_sha256": sha})


@pytest.fixture
def onnx_container(settings: Settings, face_engine: DlibFaceEngine, tmp_path: Path) -> Iterator[Container]:
    model = tmp_path / "tiny-arcface.onnx"
    built = bootstrap(with_model(settings, model, tiny_model(model, seed=1)), run_migrations=False, faces=face_engine)
    yield built
    built.close()


def client_for(container: Container) -> TestClient:
    return TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}"})


def register_and_report(client: TestClient) -> int:
    fields = {"given_name": "Child", "sex": "female", "birth_date": "2000-01-01",
              "missing_since": "2002-06-01T08:00:00Z", "photo_dates": "2002-01-01"}
    response = client.post("/api/cases", files=[("photos", ("case.jpg", face_jpeg(), "image/jpeg"))], data=fields)
    assert response.status_code == 201, response.text
    photos = (face_jpeg(mirror=True), tinted(face_jpeg(height=300)), tinted(face_jpeg(), grey=True))
    for number, photo in enumerate(photos):
        sent = client.post("/api/sightings", files=[("photos", (f"s{number}.jpg", photo, "image/jpeg"))],
                           data={"seen_at": "2005-06-01T10:00:00Z"})
        assert sent.status_code == 202, sent.text
    return int(response.json()["id"])


def tinted(data: bytes, grey: bool = False) -> bytes:
    """The same face in a bluish, flat light (or in grey): the two models see it as less alike, unequally."""
    image = Image.open(io.BytesIO(data)).convert("L" if grey else "RGB").convert("RGB")
    pixels = np.asarray(image).astype(np.float64)
    return jpeg(np.clip(pixels * ([1.0] * 3 if grey else [0.55, 0.8, 1.0]) + 30, 0, 255).astype(np.uint8))


def stored(container: Container) -> list[Any]:
    with container.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT e.face_id, e.model, e.model_version, vector_dims(e.embedding) AS dim, e.embedding::text AS v, "
            "f.embedding::text AS base, f.case_id FROM face_embeddings e JOIN faces f ON f.id = e.face_id "
            "ORDER BY e.face_id").fetchall()


def vec(text: str) -> np.ndarray:
    return np.array([float(x) for x in text.strip("[]").split(",")])


def test_a_wrong_or_missing_digest_is_refused_before_anything_starts(
    settings: Settings, face_engine: DlibFaceEngine, tmp_path: Path
) -> None:
    model = tmp_path / "m.onnx"
    sha = tiny_model(model, seed=1)
    with pytest.raises(ModelRefused, match=f"has sha256 {sha}, not the expected"):
        bootstrap(with_model(settings, model, "0" * 64), run_migrations=False, faces=face_engine)
    with pytest.raises(ModelRefused, match=f"REUNITE_ONNX_SHA256 is not set.*{sha}"):
        bootstrap(with_model(settings, model, ""), run_migrations=False, faces=face_engine)
    with pytest.raises(ModelRefused, match="does not exist"):
        bootstrap(with_model(settings, tmp_path / "none.onnx", sha), run_migrations=False, faces=face_engine)


def test_the_alignment_puts_the_landmarks_on_the_template() -> None:
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 100, (5, 2))
    angle, scale, shift = 0.3, 1.7, np.array([5.0, -3.0])
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix, found_shift = similarity_transform(src, (scale * rotation @ src.T).T + shift)
    assert np.allclose(matrix, scale * rotation) and np.allclose(found_shift, shift)
    # a bright dot at the landmarks' left eye lands where the template's left eye is
    pixels = np.zeros((200, 200, 3), dtype=np.uint8)
    # dlib's order: one eye's corners, the other's, the base of the nose (the template ×1.42, shifted)
    landmarks = np.array([[120, 80], [100, 80], [50, 80], [70, 80], [85.2, 114.6]], dtype=np.float64)
    pixels[78:83, 58:63] = 255  # the centre of the left eye's corners (50, 80) and (70, 80)
    crop = aligned_crop(pixels, landmarks)
    ys, xs = np.nonzero(crop[..., 0] > 128)
    assert crop.shape == (112, 112, 3) and abs(xs.mean() - 38.3) < 1 and abs(ys.mean() - 51.7) < 1


def test_second_model_embeds_indexes_fuses_and_a_model_change_keeps_decisions(
    onnx_container: Container, face_engine: DlibFaceEngine, settings: Settings, tmp_path: Path
) -> None:
    container = onnx_container
    engine = container.deps.faces
    assert isinstance(engine, OnnxFaceEngine)
    model_name = engine.extra_model.name
    client = client_for(container)
    case_id = register_and_report(client)
    run_jobs(container)

    rows = stored(container)
    assert len(rows) == 4  # the case face and the sighting faces, each embedded by the second model too
    assert {r.model for r in rows} == {model_name} and all(r.dim == 64 for r in rows)
    assert all(r.model_version.startswith("tiny-arcface;112px;align") for r in rows)
    assert all(abs(np.linalg.norm(vec(r.v)) - 1) < 1e-4 for r in rows)

    # the model's own index answers the matching query (not a scan of every row)
    plans = explained(container, lambda uow: uow.near_case_faces_extra(vec(rows[1].v), datetime_far(), 10))
    assert any(engine.extra_model.index_name("case") in line for line in plans), plans

    # fusion: with enough pairs to read the model's scores, the face score is dlib's and the model's,
    # the latter put on dlib's scale by both models' spread over the same pairs
    policy = container.deps.policy  # (two sightings of one face are grouped: match each face on its own here)
    loose = replace(policy, extra_min_pairs=3, groups=replace(policy.groups, fuse=False))
    container.deps = replace(container.deps, policy=loose)
    rematch_all(container.deps, actor="test")
    run_jobs(container)
    candidates = client.get(f"/api/cases/{case_id}/candidates").json()
    assert len(candidates) == 3
    case_row = next(r for r in rows if r.case_id is not None)
    sightings = [r for r in rows if r.case_id is None]
    base = [float(vec(case_row.base) @ vec(r.base)) for r in sightings]
    extra = [float(vec(case_row.v) @ vec(r.v)) for r in sightings]
    for candidate in candidates:
        n = next(i for i, r in enumerate(sightings) if r.face_id == candidate["sighting_face_id"])
        z = (extra[n] - np.mean(extra)) / np.std(extra, ddof=1)
        fused = 0.5 * base[n] + 0.5 * (np.mean(base) + np.std(base, ddof=1) * z)
        assert candidate["face_score"] == pytest.approx(fused, abs=1e-5)
        assert abs(candidate["face_score"] - base[n]) > 1e-4  # the second model counted

    dismissed = candidates[0]
    client.post(f"/api/candidates/{dismissed['id']}/review", json={"decision": "dismiss", "reason": "other ears"})

    # the operator changes the model: a new file, a new digest, then `reunite rematch --reembed`
    new_file = tmp_path / "better-arcface.onnx"
    changed = bootstrap(with_model(settings, new_file, tiny_model(new_file, seed=2)), run_migrations=False,
                        faces=face_engine)
    try:
        changed.deps = replace(changed.deps, policy=loose)
        new_name = changed.deps.faces.extra_model.name  # type: ignore[attr-defined]
        assert new_name != model_name
        rematch_all(changed.deps, actor="test", reembed=True)
        run_jobs(changed)
        after = stored(changed)
        assert [r.face_id for r in after] == [r.face_id for r in rows]  # the same faces, embedded anew
        assert {r.model for r in after} == {new_name}  # the old model's embeddings and indexes are gone
        with changed.engine.connect() as conn:
            indexes = conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix_face_emb%%'")
            assert {i for (i,) in indexes} == {changed.deps.faces.extra_model.index_name(o)  # type: ignore[attr-defined]
                                                for o in ("case", "sighting")}
        kept = {c["id"]: c for c in client_for(changed).get(f"/api/cases/{case_id}/candidates").json()}
        assert kept[dismissed["id"]]["status"] == "dismissed" and kept[dismissed["id"]]["review_reason"] == "other ears"
        assert kept[candidates[1]["id"]]["status"] == candidates[1]["status"]
    finally:
        changed.close()


def datetime_far() -> Any:
    from datetime import UTC, datetime

    return datetime(2100, 1, 1, tzinfo=UTC)


def explained(container: Container, call: Any) -> list[str]:
    """The query plan of the vector search ``call`` makes, with sequential scans discouraged (a table of
    three rows is cheaper to scan; what matters is that the index can serve the query)."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "face_embeddings e" in statement and "<=>" in statement:
            seen.append((statement, parameters))

    event.listen(container.engine, "before_cursor_execute", capture)
    try:
        with container.deps.uow() as uow:
            call(uow)
    finally:
        event.remove(container.engine, "before_cursor_execute", capture)
    statement, parameters = seen[0]
    with container.engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        return [row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]
