"""Probe s38: M1, a partner's ``read:cases`` token opening the page of a case that has ended got a 500 (the heading
read the child's name, which a partner's view of an ended case does not have); M3, a reunion reopened as closed in
error kept its matched verification (the family still read that a reunion was being arranged, and the case could be
closed as reunited again on that same check); M5, staff texts kept invisible bidi and zero-width characters, and a
correction refused again with another reason answered 204 while its new reason was dropped."""

from __future__ import annotations

from datetime import date

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.domain.errors import InvalidInput
from reunite.domain.model import CandidateStatus
from reunite.services import corrections, moderation, reunion, review
from reunite.services.accounts import from_session, issue_token
from tests.conftest import admin_token, session_for
from tests.e2e.test_probe_s33_review import words_of
from tests.e2e.test_probe_s36_history import _client
from tests.e2e.test_same_photo_again import FIRST, _approved, _family_case, _lead_of


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
            assert partner.get(f"/p/{case_id}").status_code < 500  # its poster, which says the appeal ended
    family = words_of(_client(container, family_session).get(f"/cases/{reunited}").text)
    assert "Lin" in family and "reunited with the family" in family  # its family reads its case in full


def test_a_refusal_reaches_the_family_without_bidi_or_zero_width_characters_and_another_reason_is_409(
        container: Container) -> None:
    deps = container.deps
    case_id, family_session = _family_case(container)
    family = from_session(deps, family_session)
    assert family is not None
    corrections.correct_case(deps, family, case_id, {"birth_date": date(2000, 1, 2)})  # waits for a moderator
    waiting = corrections.waiting_for(deps, OPERATOR, case_id)
    assert waiting is not None
    desk = _client(container, bearer=admin_token(container))
    sent = "Refused\x1b[31m red \u202eevil\u202c \u2028line\ufeffbom \u200bzero \u2066isolated\u2069 end"
    refused = desk.post(f"/api/moderation/corrections/{waiting['id']}", json={"decision": "refuse", "reason": sent})
    assert refused.status_code == 204, refused.text
    page = _client(container, family_session).get(f"/cases/{case_id}").text
    assert "A moderator refused the correction: Refused[31m red evil linebom zero isolated end" in words_of(page)
    for hidden in ("\u202e", "\u202c", "\u2028", "\ufeff", "\u200b", "\u2066", "\u2069"):
        assert hidden not in page, ascii(hidden)

    again = desk.post(f"/api/moderation/corrections/{waiting['id']}", json={"decision": "refuse", "reason": sent})
    assert again.status_code == 204  # a retry, the same words: done once
    other = desk.post(f"/api/moderation/corrections/{waiting['id']}",
                      json={"decision": "refuse", "reason": "The birth record says 1 January"})
    assert other.status_code == 409, other.text  # as an accept answers: the new reason is not recorded silently
    assert "refused already, for another reason" in other.text
    accepted = desk.post(f"/api/moderation/corrections/{waiting['id']}", json={"decision": "accept"})
    assert accepted.status_code == 409
    assert "The birth record says" not in _client(container, family_session).get(f"/cases/{case_id}").text


def test_a_reunion_reopened_in_error_needs_a_new_check_before_the_family_reads_of_a_reunion_again(
        container: Container) -> None:
    deps = container.deps
    case_id, family_session = _family_case(container)
    sighting = _approved(container, FIRST, 10)
    moderator = _client(container, session_for(container, Role.MODERATOR)[1])
    lead = _lead_of(moderator, case_id, sighting)["id"]
    review.review_candidate(deps, OPERATOR, lead, CandidateStatus.CONFIRMED, "same coat")
    reunion.record_verification(deps, OPERATOR, case_id, lead, "interview", "match", "met at the station")
    family = _client(container, family_session)
    assert "the check matched. A caseworker arranges the reunion with you." in words_of(
        family.get(f"/cases/{case_id}").text)
    reunion.close_case(deps, OPERATOR, case_id, reunited=True, keep_data=True)
    moderation.reopen_case(deps, OPERATOR, case_id, "Closed in error: the result belonged to another family")
    moderation.verify_case(deps, OPERATOR, case_id, "police report seen again")

    page = words_of(family.get(f"/cases/{case_id}").text)
    assert "the check matched" not in page and "arranges the reunion" not in page
    assert "met at the station" not in page  # the disowned check is not the family's current one
    assert "within two days a caseworker writes to you here to check this lead" in page  # a new check comes
    staff = words_of(_client(container, session_for(container, Role.POLICE)[1]).get(f"/cases/{case_id}").text)
    assert "met at the station" in staff and "Superseded: the case was reopened on" in staff  # history for staff
    try:  # the same check closes nothing again
        reunion.close_case(deps, OPERATOR, case_id, reunited=True, keep_data=True)
        raise AssertionError("closed as reunited on a check recorded before the reopening")
    except InvalidInput as refused:
        assert refused.field == "reunited"
    desk = _client(container, bearer=admin_token(container))
    assert desk.post(f"/api/cases/{case_id}/close", json={"reunited": True, "keep_data": True}).status_code == 422

    reunion.record_verification(deps, OPERATOR, case_id, lead, "dna", "match", "DNA matched")  # checked again
    assert "the check matched. A caseworker arranges the reunion with you." in words_of(
        family.get(f"/cases/{case_id}").text)
    assert desk.post(f"/api/cases/{case_id}/close", json={"reunited": True, "keep_data": True}).status_code == 204
