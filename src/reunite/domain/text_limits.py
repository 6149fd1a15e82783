"""How many characters each text people type may hold, by what it is (public and staff texts alike): the server
refuses a longer one (422 naming the field: ``errors.bounded``), and every page's form lets its reader type as
many and no more (its ``maxlength``: ``pages`` gives the templates ``text_limits``), so that nothing typed in a
form is refused for a length the form allowed, and nothing the server takes is cut short by the browser. The
case's and a report's own texts are in ``model`` (``CASE_TEXT_LIMITS``, ``SIGHTING_TEXT_LIMITS``)."""

from __future__ import annotations

from reunite.domain.summary import SUMMARY_LIMIT

REASON_LIMIT = 4000  # why a report, a case, a lead, two cases are refused, dismissed, reopened or withdrawn
TEXT_LIMITS: dict[str, int] = {
    "reason": REASON_LIMIT,
    "evidence": REASON_LIMIT,  # what a moderator checked: to verify a case, to decide or undo a removal request
    "token_name": 200,  # the organisation an API token is for
    "token_domains": 500,  # the PFIF domains it may write, comma-separated (a page's form)
    "account_name": 200,  # a person's name on their account
    "region": 200,  # where a subscription's alerts are about
    "source_url": 2000,  # a public feed read for reports
    "source_name": 200,
    "family_summary": SUMMARY_LIMIT,  # a reviewer's words to the family about a report
    "note": 2000,  # a family's word about a lead, a reviewer's about a look-alike
    "message": 4000,  # a message between the family and the police
    "notes": 4000,  # a reunion's check
    "relation": 200,  # a removal request: who the requester is to it
    "requester": 500,  # and how to reach them
    "details": 2000,  # what a reporter adds to their report at once
    "contact": 500,  # a reporter's contact
    "actor": 420,  # the audit log's filters: who (an email, account:ID…)
    "subject": 52,  # a record (sighting:12) or a kind of record
    "action": 64,  # the start of an action's name
}
