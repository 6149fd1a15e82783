"""Probe s29 C7: a PFIF note's ``linked_person_record_id`` to one of this site's own records (``{domain}/case.N``, as
our export names them) never resolved, and no link ever reached a moderator. Now each link opens a duplicate flag
in the moderators' queue saying who linked it, and holds back nobody (a registry's word alone could otherwise take
another family's verified case down, as C1 did)."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR, Role, Scope
from reunite.entrypoints.api.app import create_app
from reunite.services import moderation, reach
from reunite.services.accounts import issue_token
from tests.conftest import admin_token, run_jobs, session_for
from tests.e2e.test_pfif_sync import doc, note, register_local_case, rows
from tests.e2e.test_probe_pfif import XML
from tests.e2e.test_probe_s21_reach import Recorder
from tests.e2e.test_probe_s29_identity import HOOK, WUHAN, _audit, _case, _family_case, _p1


def test_a_partners_link_to_our_own_record_opens_a_flag_saying_who_linked_it_and_holds_nobody_back(
        container: Container) -> None:
    receiver = Recorder()
    deps = container.deps = replace(container.deps, webhooks=receiver)
    reach.subscribe(deps, OPERATOR, "webhook", HOOK, WUHAN, 50)
    ours = register_local_case(container)  # registered by the police: verified
    family = _family_case(container)
    issued = issue_token(deps, OPERATOR, "Partner A registry", [Scope.WRITE, Scope.READ_CASES], ["partner.org"])
    writer = TestClient(create_app(container), headers={"Authorization": f"Bearer {issued}"})
    writer.post("/api/pfif", headers=XML, content=_p1(1, full_name="王小明", sex="male", date_of_birth="2018-05-01"))
    [(p1,)] = rows(container, "SELECT id FROM cases WHERE record_id = 'partner.org/p1'")
    moderation.verify_case(deps, OPERATOR, p1, "checked with the partner registry")
    run_jobs(container)
    receiver.sent.clear()
    domain = deps.site.pfif_domain

    def linking(n: int, target: str) -> str:
        return note(f"partner.org/p1.n{n}", person_record_id="partner.org/p1", entry_date="2026-11-02T10:00:00Z",
                    source_date="2026-11-02T10:00:00Z", author_name="Desk", text="the same child",
                    linked_person_record_id=target)

    # our records as our export names them (any case of the domain), and the family's verified case
    sent = doc(linking(1, f"{domain.upper()}/case.{ours}") + linking(2, f"{domain}/case.{family}"))
    answer = writer.post("/api/pfif", headers=XML, content=sent)
    assert answer.status_code == 200 and answer.json()["linked"] == 2, answer.json()
    flags = {frozenset((f["case_id"], f["other_case_id"])): f for f in
             TestClient(create_app(container), headers={"Authorization": f"Bearer {admin_token(container)}",
                                                       "Accept-Language": "zh-CN"}
                        ).get("/api/moderation/duplicates").json()}
    assert set(flags) == {frozenset((p1, ours)), frozenset((p1, family))}
    flag = flags[frozenset((p1, family))]
    assert (flag["linked_by"], flag["linked_note"], flag["partner_only"]) == (
        "Partner A registry", "partner.org/p1.n2", True)
    assert flag["verification_waits"] == []
    assert "合作机构" in flag["lead_words"][0] and "partner.org/p1.n2" in flag["lead_words"][0]
    # a registry's word alone holds back no family's verified case (probe s29 C1 through this door)
    run_jobs(container)
    assert _case(container, family)[-1] is True and _audit(container, "case.held", family) == []
    assert receiver.sent == []
    flagged = _audit(container, "case.duplicate_flagged", family)
    assert [(f["other_case_id"], f["linked_by_partner"], f["note"]) for f in flagged] == [
        (p1, True, "partner.org/p1.n2")]
    # the moderators' page says who linked them
    _, session = session_for(container, Role.MODERATOR)
    page = TestClient(create_app(container))
    page.cookies.set("reunite_session", session)
    shown = page.get("/moderation?lang=en").text.split('id="duplicates"')[1]
    assert "A partner registry linked these as one child (Partner A registry, PFIF note partner.org/p1.n1)" in shown
    # sent again: nothing more
    again = writer.post("/api/pfif", headers=XML, content=sent)
    assert again.json()["linked"] == 0
    assert len(_audit(container, "case.duplicate_flagged", family)) == 1
