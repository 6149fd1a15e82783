"""The outside probe s22's V5: a time refused in an import's report (a record, a sheet's row, dated in the future) is
shown as a time, never as ``TypedTime(at=datetime.datetime(…))``: in the reader's language through the API, in
ISO 8601 as precisely as it was given in English on the command line."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from babel.dates import format_date
from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.services import pfif
from tests.e2e.test_probe_pfif import token_client
from tests.e2e.test_probe_s22_pfif_encodings import document, xml


def test_a_time_refused_in_an_import_is_shown_as_a_time_never_a_repr(container: Container,
                                                                     client: TestClient) -> None:
    writer = token_client(container, Scope.WRITE, domains=("partnera.org",))
    soon = (datetime.now(UTC) + timedelta(days=60)).date()  # still a child then (born 2016)
    future = {"description": f"Missing since: {soon.isoformat()}"}
    sent = writer.post("/api/pfif", headers=xml(), content=document("partnera.org/f1", "UTF-8", "utf-8", **future))
    reasons = [p["reason"] for p in sent.json()["problems"]]
    assert sent.json()["created"] == 0 and reasons == [f"{format_date(soon, 'medium', 'en')} is in the future"]
    chinese = writer.post("/api/pfif", headers=xml(language="zh-CN"),
                          content=document("partnera.org/f1", "UTF-8", "utf-8", **future))
    said = chinese.json()["problems"][0]["reason"]
    assert f"{soon.year}年" in said and "将来" in said and "TypedTime" not in said and "datetime" not in said
    # a time of day: the instant, in the reader's zone
    at_ten = f"{soon.isoformat()}T10:00+08:00"
    timed = writer.post("/api/pfif", headers=xml(), content=document(
        "partnera.org/f2", "UTF-8", "utf-8", description=f"Missing since: {at_ten}")).json()
    assert "TypedTime" not in str(timed) and str(soon.year) in timed["problems"][0]["reason"]
    # the command line's English: ISO 8601, as precisely as it was given
    report = pfif.import_pfif(container.deps, OPERATOR, document("partnera.org/f3", "UTF-8", "utf-8", **future))
    assert report.reasons() == {"partnera.org/f3": f"{soon.isoformat()} is in the future"}
    report = pfif.import_pfif(container.deps, OPERATOR, document(
        "partnera.org/f4", "UTF-8", "utf-8", description=f"Missing since: {at_ten}"))
    assert report.reasons() == {"partnera.org/f4": f"{at_ten} is in the future"}

    # a sheet's row missing since a future month, and one since a future time, in the API's report
    month = f"{soon.year + 1}-03"
    sheet = (f"given_name,sex,birth_date,missing_since\n明,male,2019-03-03,{month}\n"
             f"红,female,2019-03-03,{soon.isoformat()} 10:00\n").encode()
    rows_said = [p["reason"] for p in client.post("/api/cases/import", files={"file": ("c.csv", sheet)}
                                                  ).json()["problems"]]
    assert rows_said[0] == f"March {soon.year + 1} is in the future", rows_said
    assert not any(re.search(r"TypedTime|datetime|\+00:00", reason) for reason in rows_said), rows_said
