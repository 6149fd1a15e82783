"""Probe s29 C2/C8: input the exchange endpoints could not read. A small sheet that unpacks into millions of rows
(or megabytes of blank lines) was read whole before its limits were checked; a cell past the csv module's limit, and
JSON nested thousands deep, answered 500 with a traceback, anonymously; an oversized JSON body was said to be too many
photos; a CSV saved by a spreadsheet program on Chinese Windows (GBK) or as UTF-16 was refused."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import Workbook

from reunite.bootstrap import Container
from reunite.domain.access import Scope
from reunite.entrypoints.api.app import create_app
from tests.e2e.test_probe_pfif import token_client

HEADER = "given_name,family_name,sex,birth_date,missing_since\n"


def _sheet(body: bytes, name: str = "c.csv") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, body, "text/csv")}


def test_a_sheet_is_refused_at_the_first_row_past_its_limits(container: Container) -> None:
    writer = token_client(container, Scope.WRITE)
    most = container.deps.limits.import_records_per_request
    many = (HEADER + "Lin,Li,f,2018-05-03,2024-05-01\n" * (most + 1)).encode()
    answer = writer.post("/api/cases/import?dry_run=true", files=_sheet(many))
    assert answer.status_code == 413 and str(most) in answer.json()["detail"]
    blank = (HEADER + "\n" * 60_000 + "Lin,Li,f,2018-05-03,2024-05-01\n").encode()  # megabytes of nothing
    assert writer.post("/api/cases/import?dry_run=true", files=_sheet(blank)).status_code == 413
    book = Workbook()
    for n in range(most + 5):
        book.active.append(["given_name"] if n == 0 else [f"Child{n}"])
    packed = io.BytesIO()
    book.save(packed)
    xlsx = writer.post("/api/cases/import?dry_run=true", files=_sheet(packed.getvalue(), "c.xlsx"))
    assert xlsx.status_code == 413


def test_a_cell_too_long_names_its_row_in_the_readers_language(container: Container) -> None:
    writer = token_client(container, Scope.WRITE)
    body = (HEADER + "Lin,Li,f,2018-05-03,2024-05-01\n" + "Mei," + "x" * 200_000 + ",f,2018-05-03,2024-05-01\n")
    answer = writer.post("/api/cases/import?dry_run=true", files=_sheet(body.encode()),
                         headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 422 and "3" in answer.json()["detail"], answer.text
    quoted = (HEADER + '"' + "y" * 200_000 + '",Li,f,2018-05-03,2024-05-01\n').encode()  # past the csv module's
    assert writer.post("/api/cases/import?dry_run=true", files=_sheet(quoted)).status_code == 422


def test_a_gbk_big5_or_utf16_sheet_is_read(container: Container) -> None:
    """Probe s31 E4 too: a Big5 sheet (Traditional-Chinese Windows: Taiwan, Hong Kong) was read as GBK, garbled."""
    writer = token_client(container, Scope.WRITE)
    # a one-row Big5 sheet (probe s48 P4): too little to tell Big5 by, so GBK read 陳大文 as 朝\ue610ゅ
    for names, encoding in (("小红,张;朱镕基,朱", "gbk"), ("小紅,張;陳大文,陳", "big5"), ("陳小文,B5", "big5"),
                            ("小明,王", "utf-16")):
        rows = "".join(f"{name},f,2018-05-0{n + 1},2024-05-01\n" for n, name in enumerate(names.split(";")))
        answer = writer.post("/api/cases/import?dry_run=false", files=_sheet((HEADER + rows).encode(encoding)))
        assert answer.status_code == 200 and answer.json()["created"] == len(names.split(";")), answer.text
    with container.engine.connect() as conn:
        stored = {r[0] for r in conn.exec_driver_sql("SELECT given_name FROM cases")}
    assert stored == {"小红", "朱镕基", "小紅", "陳大文", "陳小文", "小明"}


def test_json_nested_deeper_than_any_body_is_refused_before_anything_reads_it(container: Container) -> None:
    anonymous = TestClient(create_app(container), headers={"Accept-Language": "zh-CN"})
    for depth in (40, 5_000):
        nested = "[" * depth + "]" * depth
        for path in ("/api/subscriptions", "/api/takedowns"):
            answer = anonymous.post(path, content=nested, headers={"Content-Type": "application/json"})
            assert answer.status_code == 422 and answer.json()["field"] == "body", (path, depth, answer.text)


def test_an_oversized_json_body_is_said_to_be_the_body(container: Container) -> None:
    anonymous = TestClient(create_app(container))
    limit = container.settings.max_upload_bytes
    answer = anonymous.post("/api/subscriptions", content=b'{"address": "' + b"a" * limit + b'"}',
                            headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["field"] == "body"
