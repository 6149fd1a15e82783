"""The one table of a case's status changes (domain/lifecycle.py): what it allows and refuses."""

from __future__ import annotations

import pytest

from reunite.domain.errors import Conflict
from reunite.domain.lifecycle import TRANSITIONS, CaseAction, CaseState, state_of, transition
from reunite.i18n import Language


def test_an_ended_case_is_never_verified_or_rejected_and_expiry_is_final() -> None:
    for ended in (CaseState.REUNITED, CaseState.CLOSED, CaseState.REJECTED, CaseState.EXPIRED):
        for action in (CaseAction.VERIFY, CaseAction.REJECT, CaseAction.CLOSE, CaseAction.REUNITE, CaseAction.IMPORT):
            with pytest.raises(Conflict):
                transition(1, ended, action)
    assert not [pair for pair in TRANSITIONS if pair[0] is CaseState.EXPIRED]
    with pytest.raises(Conflict, match="only a verified open case can be closed as reunited"):
        transition(1, CaseState.WAITING, CaseAction.REUNITE)
    with pytest.raises(Conflict, match="case 3 is verified and open: only a case waiting"):
        transition(3, CaseState.ACTIVE, CaseAction.VERIFY)


def test_reopening_sends_a_case_back_to_verification() -> None:
    for ended in (CaseState.REUNITED, CaseState.CLOSED, CaseState.REJECTED):
        after = transition(2, ended, CaseAction.REOPEN)
        assert after is CaseState.WAITING and (after.status, after.verified) == ("open", False)
    assert transition(2, CaseState.WAITING, CaseAction.VERIFY) is CaseState.ACTIVE
    taken_down = transition(2, CaseState.ACTIVE, CaseAction.TAKE_DOWN)  # blanked: nothing left to reopen
    with pytest.raises(Conflict, match="only a reunited, closed or rejected case can be reopened"):
        transition(2, taken_down, CaseAction.REOPEN)
    assert state_of("open", True) is CaseState.ACTIVE and state_of("rejected", True) is CaseState.REJECTED


def test_a_refusal_reads_in_chinese_with_the_state_named_in_chinese() -> None:
    with pytest.raises(Conflict) as refused:
        transition(4, CaseState.REUNITED, CaseAction.REJECT)
    text = Language("zh_CN").error(refused.value)
    assert "已团聚" in text and "reunited" not in text and "4" in text
