"""Probe s36 K2: a partner's token with ``read:cases`` (``webhooks read:cases`` too) opened the web page of a case
and read its whole timeline, as the family reads it: when a reviewer confirmed a lead, the family's corrections and
the moderator's own words refusing one (names, a phone number). A partner reads a case as the API gives it; the
case's history, its leads and corrections are its family's and the reviewers'. (K3, the moderators' queue: in
tests/e2e/test_held_lead.py.)"""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.model import CandidateStatus
from reunite.entrypoints.api.app import create_app
from reunite.services import corrections, review
from reunite.services.accounts import from_session, issue_token
from tests.conftest import session_for
from tests.e2e.test_probe_s33_review import words_of
from tests.e2e.test_same_photo_again import FIRST, _approved, _family_case, _lead_of

REFUSED = "The hospital birth record Mrs Lin sent on 3 Dec says 1 January; call 027-8888-1234 if unsure"
CONFIRMED = "A reviewer confirmed a candidate"


def _client(container: Container, session: str = "", bearer: str = "") -> TestClient:
    test = TestClient(create_app(container))
    if session:
        test.cookies.set("reunite_session", session)
    if bearer:
        test.headers["Authorization"] = f"Bearer {bearer}"
    return test


def test_a_partner_token_reads_a_case_page_without_its_history_leads_or_corrections(container: Container) -> None:
    deps = container.deps
    case_id, family_session = _family_case(container)
    sighting = _approved(container, FIRST, 10)
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    review.review_candidate(deps, OPERATOR, _lead_of(moderator, case_id, sighting)["id"], CandidateStatus.CONFIRMED,
                            "same coat")
    family = from_session(deps, family_session)
    assert family is not None
    corrections.correct_case(deps, family, case_id, {"birth_date": date(2000, 1, 2)})  # waits for a moderator
    waiting = corrections.waiting_for(deps, OPERATOR, case_id)
    assert waiting is not None
    corrections.decide_correction(deps, OPERATOR, waiting["id"], accept=False, reason=REFUSED)

    for who in (_client(container, family_session), moderator):  # the family and the reviewers read it all
        page = words_of(who.get(f"/cases/{case_id}").text)
        assert "Timeline" in page and CONFIRMED in page and REFUSED in page
        assert "A correction was sent and waits for a moderator" in page
    assert "Sightings a reviewer confirmed (1)" in words_of(_client(container, family_session).get(
        f"/cases/{case_id}").text)

    for name, scopes in (("PartnerC", [Scope.READ_CASES, Scope.EXPORT]), ("HookOrg", [Scope.WEBHOOKS,
                                                                                      Scope.READ_CASES])):
        partner = _client(container, bearer=issue_token(deps, OPERATOR, name, scopes))
        answer = partner.get(f"/cases/{case_id}")
        assert answer.status_code == 200, answer.text
        page = words_of(answer.text)
        assert "Lin" in page  # the case as the API gives it
        for private in ("Timeline", CONFIRMED, REFUSED, "027-8888-1234", "correction", "Case verified",
                        "Sightings a reviewer confirmed", "Candidates to review", "Messages",
                        "candidates appear below"):
            assert private not in page, (name, private)
        assert partner.get(f"/api/cases/{case_id}").json()["id"] == case_id
        assert partner.get(f"/api/cases/{case_id}/candidates").json() == []
