"""Issue 11, finding 10: what a partner registry's record says about contacts, and its notes, reach police
and moderators (audited) and nobody else; dates it gave partially are shown at their real precision."""

from __future__ import annotations

from typing import Any

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role
from reunite.i18n import Language
from reunite.services import moderation, pfif
from tests.e2e.test_journeys import as_role
from tests.e2e.test_pfif_sync import PARTNER, doc, note, person, rows

RECORD = "partner.org/p.1"


def imported(container: Container) -> int:
    report = pfif.import_pfif(container.deps, PARTNER, doc(person(
        RECORD, source_date="2026-01-02T03:04:05Z", full_name="Ming", date_of_birth="2015-03", sex="male",
        author_name="Aunt Li", author_email="li@example.org", author_phone="+86 139 0000 1111",
        home_street="12 Jiefang Road", description="missing since: 2020-05-01",
        notes=note("partner.org/n.1", person_record_id=RECORD, entry_date="2026-01-03T00:00:00Z",
                   author_name="Officer Zhao", author_phone="+86 27 5555", status="believed_alive",
                   last_known_location="Hankou", text="Seen near station"),
    )))
    assert (report.created, report.notes_added, report.problems) == (1, 1, [])
    (case_id,), = rows(container, "SELECT id FROM cases")
    moderation.verify_case(container.deps, OPERATOR, case_id, "checked with the partner")
    return int(case_id)


def audited(container: Container, case_id: int) -> list[dict[str, Any]]:
    return [r.detail for r in rows(container, "SELECT detail FROM audit_log WHERE action = 'case.viewed' "
                                              f"AND subject_id = {case_id} ORDER BY id")]


def test_police_and_moderators_see_the_partners_contacts_and_notes_and_the_read_is_audited(
    container: Container,
) -> None:
    case_id = imported(container)
    for role in (Role.POLICE, Role.MODERATOR):
        page = as_role(container, role).get(f"/cases/{case_id}").text
        for shown in ("li@example.org", "+86 139 0000 1111", "12 Jiefang Road", "Seen near station", "Officer Zhao",
                      "+86 27 5555", "Hankou", "Believed alive"):
            assert shown in page, (role, shown)
    detail = audited(container, case_id)[-1]
    assert detail["imported_contacts"] == ["author_email", "author_name", "author_phone", "home_street"]
    assert len(detail["notes"]) == 1

    with as_role(container, Role.FAMILY) as family:  # not its case: a family reads no one else's
        assert family.get(f"/cases/{case_id}").status_code in (403, 404)
    token_reader = container.deps.read.case(case_id)
    assert token_reader["pfif"]["author_email"] == "li@example.org"  # kept as sent
    with as_role(container, Role.POLICE) as police:
        api = police.get(f"/api/cases/{case_id}").json()
    assert api["imported_contacts"]["home_street"] == "12 Jiefang Road" and api["notes"][0]["text"] == \
        "Seen near station"


def test_partial_dates_are_shown_as_precisely_as_the_partner_gave_them(container: Container) -> None:
    case_id = imported(container)
    page = as_role(container, Role.POLICE).get(f"/cases/{case_id}").text
    assert "March 2015" in page and "Mar 15, 2015" not in page
    assert "May 1, 2020" in page and "8:00 AM" not in page
    chinese = Language("zh_CN")
    case = container.deps.read.case(case_id)
    assert chinese.partial_date(case["birth_date"], "month") == "2015年3月"
    assert chinese.when(case["missing_since"], "day") == "2020年5月1日"
