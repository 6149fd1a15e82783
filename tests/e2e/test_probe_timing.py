"""Finding 1 of the outside probe: a record the asker may not see (a pending report, a bystander's face,
a case not yet checked or closed) answered about a millisecond slower than an id nobody uses, because
its photos and faces were read before the refusal. Asserted by the work each request does (the SQL
statements it runs, the photo bytes it reads), never by a timing: the same statements, the same
answer, no photo read, whether the record is hidden or missing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event

from reunite.domain.access import OPERATOR
from reunite.services import reunion
from tests.e2e import world as w

MISSING = 987_654  # no record of any kind has this id in the world
IGNORED_HEADERS = {"date", "content-length"}  # the length follows the id, compared as the body is


def _sql(world: w.World, sql: str, *params: object) -> Any:
    with world.container.engine.connect() as conn:
        return conn.exec_driver_sql(sql, params).scalar_one()


def _one(world: w.World, sql: str, *params: object) -> int:
    return int(_sql(world, sql, *params))


@pytest.fixture(scope="module")
def hidden(world: w.World) -> dict[str, int]:
    """Ids that exist but are hidden from the asker of each probe. Case B is closed, keeping its data:
    its photos and faces stay stored, but no partner sees them any more."""
    reunion.close_case(world.container.deps, OPERATOR, world.case_b, reunited=False, keep_data=True)
    return {
        "pending": world.pending,
        "pending_photo": _one(world, "SELECT min(id) FROM photos WHERE sighting_id = %s", world.pending),
        "pending_face": _one(world, "SELECT min(id) FROM faces WHERE sighting_id = %s", world.pending),
        "bystander": world.bystander_face,
        "unchecked": world.case_unverified,
        "unchecked_photo": _one(world, "SELECT min(id) FROM photos WHERE case_id = %s", world.case_unverified),
        "unchecked_face": _one(world, "SELECT min(id) FROM faces WHERE case_id = %s", world.case_unverified),
        "closed_photo": _one(world, "SELECT min(id) FROM photos WHERE case_id = %s", world.case_b),
        "closed_face": _one(world, "SELECT min(id) FROM faces WHERE case_id = %s", world.case_b),
    }


# who asks, the address, and which hidden record it names
PROBES = [
    ("family", "/api/sightings/{}", "pending"),
    ("family", "/sightings/{}", "pending"),
    ("token_read_sightings", "/api/sightings/{}", "pending"),
    ("family", "/api/photos/{}", "pending_photo"),
    ("family", "/api/photos/{}?max_side=240", "pending_photo"),
    ("family", "/api/faces/{}/crop", "pending_face"),
    ("family", "/api/faces/{}/crop", "bystander"),
    ("token_read_cases", "/api/cases/{}", "unchecked"),
    ("token_read_cases", "/cases/{}", "unchecked"),
    ("token_read_cases", "/api/cases/{}/candidates", "unchecked"),
    ("token_read_cases", "/api/photos/{}", "unchecked_photo"),
    ("token_read_cases", "/api/faces/{}/crop", "unchecked_face"),
    ("token_read_cases", "/api/photos/{}", "closed_photo"),
    ("token_read_cases", "/api/faces/{}/crop", "closed_face"),
]


@pytest.fixture
def statements(world: w.World) -> Iterator[list[str]]:
    """Every SQL statement the application runs, in order."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, *rest: Any) -> None:
        seen.append(sql)

    event.listen(world.container.engine, "before_cursor_execute", record)
    yield seen
    event.remove(world.container.engine, "before_cursor_execute", record)


@pytest.fixture
def photo_reads(world: w.World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every read of stored photo bytes or of a kept rendition of them."""
    reads: list[str] = []
    for store in (world.container.deps.photos, world.container.deps.renditions):
        def spy(key: str, read: Callable[[str], Any] = store.get) -> Any:
            reads.append(key)
            return read(key)
        monkeypatch.setattr(store, "get", spy)
    return reads


def asked(world: w.World, who: str, path: str, record_id: int | str, statements: list[str],
          photo_reads: list[str]) -> dict[str, Any]:
    """One request: its answer (the id in the body written as {id}), its statements and photo reads."""
    with world.client(who) as client:
        client.get("/api/stats")  # the client's own first-request work (sessions, caches) done before
        statements.clear()
        photo_reads.clear()
        answer = client.get(path.format(record_id))
    body = re.sub(rf"\b{re.escape(str(record_id))}\b", "{id}", answer.text)
    headers = {k: v for k, v in answer.headers.items() if k not in IGNORED_HEADERS}
    return {"status": answer.status_code, "body": body, "headers": headers,
            "statements": list(statements), "photo reads": list(photo_reads)}


@pytest.mark.parametrize(("who", "path", "name"), PROBES, ids=str)
def test_a_hidden_record_is_refused_by_the_same_work_as_a_missing_one(
    world: w.World, hidden: dict[str, int], statements: list[str], photo_reads: list[str],
    who: str, path: str, name: str,
) -> None:
    missing = asked(world, who, path, MISSING, statements, photo_reads)
    secret = asked(world, who, path, hidden[name], statements, photo_reads)
    assert missing["status"] == 404 and missing["statements"], "the probe should reach the database"
    assert secret["photo reads"] == [], "a hidden record's photos were read before the refusal"
    assert secret["statements"] == missing["statements"], "a hidden record is read further than a missing one"
    assert secret == missing


def test_the_spies_see_what_an_allowed_read_does(
    world: w.World, statements: list[str], photo_reads: list[str],
) -> None:
    """The same requests for records the asker may see: the spies are not blind, and more is read."""
    face = asked(world, "family", "/api/faces/{}/crop", world.child_face, statements, photo_reads)
    missing = asked(world, "family", "/api/faces/{}/crop", MISSING, statements, photo_reads)
    assert face["status"] == 200 and face["photo reads"]
    assert len(face["statements"]) > len(missing["statements"])


def test_a_wrong_report_link_opens_nothing_by_the_same_work_for_a_receipt_that_exists(
    world: w.World, statements: list[str], photo_reads: list[str],
) -> None:
    """A report's private link with a guessed secret: whether the receipt number is anyone's is not told,
    not even by the database being asked (the secret signs the receipt, checked first)."""
    receipt = str(_sql(world, "SELECT receipt FROM sightings WHERE id = %s", world.pending))
    path = "/reports/{}/AAAAAAAAAAAAAAAAAAAAAAAA"
    used = asked(world, "anonymous", path, receipt, statements, photo_reads)
    unused = asked(world, "anonymous", path, "QQQQ-QQQQ", statements, photo_reads)
    assert used["status"] == 404 and used == unused
    assert not any("sightings" in sql for sql in used["statements"])
