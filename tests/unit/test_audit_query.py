"""A question to the audit log: what it accepts, what it refuses (naming the field), what it records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reunite.domain.audit import MAX_PAGE, AuditQuery, parse_subject
from reunite.domain.errors import InvalidInput


def test_a_record_is_its_kind_and_number() -> None:
    assert parse_subject("sighting:12") == ("sighting", 12)
    assert parse_subject(" case ") == ("case", None)
    assert parse_subject("") == ("", None)
    with pytest.raises(InvalidInput) as refused:
        parse_subject("sighting:twelve")
    assert refused.value.field == "subject"


@pytest.mark.parametrize(("asked", "field"), [
    ({"actor": "'; DROP TABLE audit_log"}, "actor"), ({"subject": "Sighting!"}, "subject"),
    ({"subject_id": 12}, "subject_id"), ({"action": "%"}, "action"), ({"limit": MAX_PAGE + 1}, "limit"),
    ({"since": datetime(2026, 12, 2, tzinfo=UTC), "until": datetime(2026, 12, 1, tzinfo=UTC)}, "until"),
    ({"subject": "case", "subject_id": 2**63}, "subject_id"), ({"before": 2**63}, "before"),
])
def test_a_question_that_cannot_be_asked_names_its_field(asked: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        AuditQuery(**asked)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_actors_are_the_logs_names_or_an_email() -> None:
    for actor in ("account:12", "token:3", "operator", "system", "source:4", "mod@example.org"):
        assert AuditQuery(actor=actor).actor == actor


def test_the_log_records_only_what_was_asked() -> None:
    since = datetime(2026, 12, 1, 8, tzinfo=UTC)
    asked = AuditQuery(subject="sighting", subject_id=12, action="sighting.viewed", since=since)
    assert asked.described() == {"subject": "sighting", "subject_id": 12, "action": "sighting.viewed",
                                 "since": "2026-12-01T08:00:00+00:00"}
