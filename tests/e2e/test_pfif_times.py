"""A partner's "Missing since" as the partner meant it: a time without an offset read in the site's zone and
said so, the offset given kept, a date shown as a date, and a line that cannot be read refused by name
rather than silently replaced by the record's publication date."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.services import moderation
from tests.e2e.test_pfif_sync import doc, person, rows
from tests.e2e.test_probe_pfif import token_client

PUBLISHED = "2026-11-21T00:00:00Z"  # the record's source_date: a day after the child went missing
XML = {"Content-Type": "application/xml", "Accept-Language": "zh-CN"}
LINES = {
    "wall": "Missing since: 2026-11-20 10:00",  # the partner's (Shanghai) wall clock
    "offset": "Missing since: 2026-11-20T10:00+08:00",
    "unknown": "Missing since: 2026-11-20T10:00-00:00",  # RFC 3339: the offset is unknown
    "words": "走失时间：2026年11月20日上午10点",
    "day": "Missing since: 2026-11-20",
    "none": "",
    "slashes": "Missing since: 20/11/2026",  # day or month first? not guessed
    "future": "Missing since: 2027-01-01T08:00:00+08:00",
    # an offset after a space, as `date`, git and many exports write it: never the offset read as the time
    "spaced": "Missing since: 2026-11-20 10:00 +08:00",
    "spaced_seconds": "Missing since: 2026-11-20 10:00:00 +0800",
    "spaced_unknown": "Missing since: 2026-11-20 10:00 -00:00",
    "slashes_offset": "Missing since: 2026/11/20 10:00 +08:00",  # not read here: refused, not 08:00
    # a date as people type one, then a time: read as a sheet's cell is (domain.typed_time), in the site's zone
    "typed": "Missing since: 2026/11/20 10:00",
}

SPACED = ("spaced", "spaced_seconds", "spaced_unknown")


def test_missing_since_is_read_as_the_partner_meant_it(client: TestClient, container: Container) -> None:
    partner = token_client(container, Scope.WRITE, Scope.READ_CASES, Scope.EXPORT, domains=("partner.org",))
    body = "".join(person(f"partner.org/{name}", entry_date=PUBLISHED, source_date=PUBLISHED, full_name="李琳",
                          date_of_birth="2018-05-01", description=line) for name, line in LINES.items())
    answer = partner.post("/api/pfif", content=doc(body), headers=XML)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["created"] == 10
    read_in = {r["record"]: r["zone"] for r in report["read_in_zone"]}
    # a date alone is that whole day in the site's zone, said so as a time without an offset is
    assert read_in == {"partner.org/wall": "Asia/Shanghai", "partner.org/unknown": "Asia/Shanghai",
                       "partner.org/words": "Asia/Shanghai", "partner.org/spaced_unknown": "Asia/Shanghai",
                       "partner.org/typed": "Asia/Shanghai", "partner.org/day": "Asia/Shanghai"}
    problems = {p["record"]: p["reason"] for p in report["problems"]}
    assert "20/11/2026" in problems["partner.org/slashes"] and "无法识别" in problems["partner.org/slashes"]
    # a time in the future, in the reader's words and zone: not Python's "2027-01-01 00:00:00+00:00"
    assert "+00:00" not in problems["partner.org/future"] and "2027年1月1日" in problems["partner.org/future"]

    cases = {r[0]: r[1:] for r in rows(container, "SELECT record_id, id, missing_since, missing_since_offset "
                                                  "FROM cases")}
    assert "partner.org/slashes" not in cases  # never dated by its publication instead
    assert "partner.org/slashes_offset" not in cases and "无法识别" in problems["partner.org/slashes_offset"]
    shown = {name: client.get(f"/api/cases/{cases[f'partner.org/{name}'][0]}").json()
             for name in ("wall", "offset", "unknown", "words", "day", "none", "typed", *SPACED)}
    for name in ("wall", "offset", "unknown", "words", "typed", *SPACED):  # 10:00 in Shanghai, kept at +08:00
        assert shown[name]["missing_since"] == "2026-11-20T10:00:00+08:00", (name, shown[name])
        assert shown[name]["missing_since_precision"] == "instant" and cases[f"partner.org/{name}"][2] == 480, name
    assert shown["day"]["missing_since_precision"] == "day" and shown["day"]["missing_since"].startswith("2026-11-20")
    # no line: the record's publication date, a day at best, never an instant anyone gave
    assert shown["none"]["missing_since_precision"] == "day"
    moderation.verify_case(container.deps, OPERATOR, cases["partner.org/offset"][0], "checked with the partner")
    page = client.get("/api/cases.csv")
    assert "2026-11-20T10:00:00+08:00" in page.text  # the offset given, kept in exports
