"""Probe s38: M1, a partner's ``read:cases`` token opening the page of a case that has ended got a 500 (the heading
read the child's name, which a partner's view of an ended case does not have); M3, a reunion reopened as closed in
error kept its matched verification (the family still read that a reunion was being arranged, and the case could be
closed as reunited again on that same check); M5, staff texts kept invisible bidi and zero-width characters, and a
correction refused again with another reason answered 204 while its new reason was dropped."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Scope
from reunite.entrypoints.api.app import create_app
from reunite.services import reunion
from reunite.services.accounts import issue_token
from tests.e2e.test_probe_s33_review import words_of
from tests.e2e.test_same_photo_again import _family_case


def _client(container: Container, session: str = "", bearer: str = "") -> TestClient:
    test = TestClient(create_app(container))
    if session:
        test.cookies.set("reunite_session", session)
    if bearer:
        test.headers["Authorization"] = f"Bearer {bearer}"
    return test


def test_a_partner_opening_the_page_of_an_ended_case_reads_that_it_ended(container: Container) -> None:
    deps = container.deps
    reunited, family_session = _family_case(container)
    reunion.record_verification(deps, OPERATOR, reunited, None, "interview", "match", "met at the station")
    reunion.close_case(deps, OPERATOR, reunited, reunited=True, keep_data=False)
    closed, _ = _family_case(container)
    reunion.close_case(deps, OPERATOR, closed, reunited=False, keep_data=True)

    for name, scopes in (("PartnerC", [Scope.READ_CASES]), ("HookOrg", [Scope.WEBHOOKS, Scope.READ_CASES]),
                         ("PartnerB", [Scope.READ_CASES, Scope.READ_SIGHTINGS])):
        partner = _client(container, bearer=issue_token(deps, OPERATOR, name, scopes))
        for case_id, status in ((reunited, "reunited"), (closed, "closed")):
            answer = partner.get(f"/cases/{case_id}")
            assert answer.status_code == 200, (name, status, answer.text)
            page = words_of(answer.text)
            assert f"Case {case_id}" in page and "This case has ended" in page and "take it down" in page
            assert "Lin" not in page and "Something went wrong" not in page
            assert partner.get(f"/api/cases/{case_id}").json()["status"] == status  # the API's answer, the same
    family = words_of(_client(container, family_session).get(f"/cases/{reunited}").text)
    assert "Lin" in family and "reunited with the family" in family  # its family reads its case in full
