"""A reviewer explaining why a sighting shows the child cites where the reporter saw her: that reason stays
with staff. The family (case page, API) and partners read fixed words and the moderators' checked words
for families; the reviewer's form says so (an outside probe read a landmark and coordinates there)."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from reunite.bootstrap import Container
from reunite.domain.access import OPERATOR
from reunite.domain.model import CandidateStatus
from reunite.services import moderation, review
from tests.e2e.test_removals_seen import moderator
from tests.e2e.test_rescore import Family, _candidates, _sighting
from tests.photos import portrait

REASON = "same girl; the reporter saw her at the 和平饭店 door on 南京东路, exact spot 31.2400,121.4850"
WORDS = "Girl about 6 in a red coat, holding an older woman's hand"


def test_a_confirmations_reason_stays_with_staff_and_the_family_reads_fixed_and_checked_words(
    client: TestClient, container: Container
) -> None:
    family = Family(container)
    sighting = _sighting(container, portrait("collins", 1), 10)
    [candidate] = [i for i, row in _candidates(container).items() if row[0] == family.case_id]
    moderation.write_family_summary(container.deps, OPERATOR, sighting, WORDS)
    staff = moderator(client, container)
    form = html.unescape(staff.get(f"/cases/{family.case_id}").text)
    assert "Only reviewers and police read this reason" in form  # the reviewer knows who reads it
    review.review_candidate(container.deps, OPERATOR, candidate, CandidateStatus.CONFIRMED, REASON)

    own = family.client()
    page = html.unescape(own.get(f"/cases/{family.case_id}").text)
    assert "和平饭店" not in page and "31.2400" not in page and "Confirmed by a reviewer" in page
    assert WORDS in page  # what the moderators wrote for families, checked against the place
    [lead] = own.get(f"/api/cases/{family.case_id}/candidates").json()
    assert (lead["review_reason"], lead["family_summary"]) == ("A reviewer confirmed this lead", WORDS)
    [read] = own.get(f"/api/cases/{family.case_id}/candidates", headers={"Accept-Language": "zh-CN"}).json()
    assert read["review_reason"] == "审核员已确认这条线索"
    # staff still read the reviewer's own words
    assert REASON in html.unescape(staff.get(f"/cases/{family.case_id}").text)
    [kept] = staff.get(f"/api/cases/{family.case_id}/candidates").json()
    assert kept["review_reason"] == REASON
