"""The audit log's read side (mixed into the read model): one page of entries, newest first, each with
who its actor is (an account's email and role, a token's organisation). Every filter is served by an index
(migration 0026_audit_reads): by actor ``(actor, at, id)``, by subject ``(subject, subject_id, at, id)``,
the listings that showed a sighting by a GIN index on their ids, a time range alone by ``(at, id)``."""

from __future__ import annotations

from typing import Any

from reunite.domain.audit import LISTINGS, AuditQuery, logged_actor

COLUMNS = (
    "a.id, a.at, a.actor, a.action, a.subject, a.subject_id, a.detail, "
    "ac.email AS actor_email, ac.display_name AS actor_name, ac.role AS actor_role, t.name AS actor_token, "
    "t.scopes AS actor_token_scopes"
)
# who an actor is: read per entry shown, by primary key
WHO = (
    "LEFT JOIN accounts ac ON ac.id = CASE WHEN a.actor ~ '^account:[0-9]{1,18}$' "
    "THEN substr(a.actor, 9)::bigint END "
    "LEFT JOIN api_tokens t ON t.id = CASE WHEN a.actor ~ '^token:[0-9]{1,18}$' THEN substr(a.actor, 7)::bigint END"
)


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _narrowing(query: AuditQuery) -> tuple[list[str], dict[str, Any]]:
    """Every filter but the record's: who, which action, when, and the page's start."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if query.actor:  # an email is read as its account's actor (computed once, so the index is used)
        clauses.append("a.actor = coalesce((SELECT 'account:' || x.id FROM accounts x "
                       "WHERE lower(x.email) = lower(:actor) ORDER BY x.id LIMIT 1), :actor)")
        params["actor"] = logged_actor(query.actor)
    if query.action:
        clauses.append("a.action LIKE :action ESCAPE '\\'")
        params["action"] = _like(query.action)
    if query.since:
        clauses.append("a.at >= :since")
        params["since"] = query.since
    if query.until:
        clauses.append("a.at <= :until")
        params["until"] = query.until
    if query.before is not None:  # keyset: strictly older than the last entry of the page before
        clauses.append("(a.at, a.id) < (SELECT b.at, b.id FROM audit_log b WHERE b.id = :before)")
        params["before"] = query.before
    return clauses, params


def _records(query: AuditQuery) -> tuple[list[str], dict[str, Any]]:
    """The record asked about, as branches each served by its own index: the entries about the record,
    and for a sighting every read that showed it: the listings and searches (a listing that showed it
    first is about it already: counted once), and the reads filed under another record
    (``SHOWN_ELSEWHERE``)."""
    if not query.subject:
        return ["TRUE"], {}
    if query.subject_id is None:
        return ["a.subject = :subject"], {"subject": query.subject}
    own = "a.subject = :subject AND a.subject_id = :subject_id"
    params: dict[str, Any] = {"subject": query.subject, "subject_id": query.subject_id}
    if query.subject != "sighting":
        return [own], params
    return [own, f"a.id IN (SELECT l.id FROM listed l) AND NOT ({own})", *SHOWN_ELSEWHERE], \
        params | {"listings": list(LISTINGS), "ids": f"[{query.subject_id}]"}


SHOWN = "a.detail->'sightings' @> CAST(:ids AS jsonb)"  # the sightings a read filed elsewhere showed
OF_CANDIDATE = ("EXISTS (SELECT 1 FROM candidates c WHERE c.sighting_id = :subject_id {and_case}"
                "AND {ids} @> to_jsonb(ARRAY[c.id]))")
# the reads filed under another record that showed the sighting too, each found by the subject's index: a
# case's candidates (with the sightings' ids; before, the candidates' ids only), the moderators' queues (their
# reports, candidates and removal requests), another sighting's page showing its group's trail
# the cases whose candidates showed the sighting: those it is a candidate of, and those its matching proposed it
# for (a proposal withdrawn or trimmed since leaves no candidate row; the matching's entry names its cases)
CANDIDATE_OF = ("(SELECT c.case_id FROM candidates c WHERE c.sighting_id = :subject_id UNION "
                "SELECT jsonb_array_elements_text(m.detail->'cases')::bigint FROM audit_log m WHERE m.subject = "
                "'sighting' AND m.subject_id = :subject_id AND m.action IN ('sighting.matched', 'sighting.rescored'))")
SHOWN_ELSEWHERE = (
    f"a.subject = 'case' AND a.subject_id IN {CANDIDATE_OF} "
    f"AND a.action = 'candidates.viewed' AND ({SHOWN} OR "
    + OF_CANDIDATE.format(and_case="AND c.case_id = a.subject_id ", ids="a.detail->'ids'") + ")",
    f"a.subject = 'system' AND a.subject_id = 0 AND a.action = 'queues.viewed' AND ({SHOWN} "
    "OR a.detail->'ids'->'sightings' @> CAST(:ids AS jsonb) OR "
    + OF_CANDIDATE.format(and_case="", ids="a.detail->'ids'->'candidates'")
    + " OR EXISTS (SELECT 1 FROM takedowns t WHERE t.subject = 'sighting' AND t.subject_id = :subject_id "
    "AND a.detail->'ids'->'takedowns' @> to_jsonb(ARRAY[t.id])))",
    # entries written before each trail's reports got their own (``queries.get_sighting``): while still grouped
    "a.subject = 'sighting' AND a.subject_id IN (SELECT m.id FROM sightings m JOIN sightings s ON s.group_id = "
    "m.group_id WHERE s.id = :subject_id AND m.id <> s.id) AND a.action = 'sighting.viewed' "
    "AND a.detail->'trail' @> CAST(:ids AS jsonb)",
)


# the listings and searches that showed a sighting, found by the GIN index on their ids (apart, so that the
# planner never walks the whole log by time hoping to meet them)
LISTED = ("WITH listed AS MATERIALIZED (SELECT id FROM audit_log WHERE action = ANY(:listings) "
          "AND detail->'ids' @> CAST(:ids AS jsonb)) ")


def audit_sql(query: AuditQuery) -> tuple[str, dict[str, Any]]:
    """The statement of one page: at most ``query.limit`` + 1 entries (the extra one says a next page
    exists), newest first, the actors named only for the entries of the page."""
    narrowing, params = _narrowing(query)
    branches, more = _records(query)
    newest = "ORDER BY a.at DESC, a.id DESC LIMIT :limit"
    union = " UNION ALL ".join(f"(SELECT * FROM audit_log a WHERE {' AND '.join([b, *narrowing])} {newest})"
                               for b in branches)
    listed = LISTED if "ids" in more else ""
    return (f"{listed}SELECT {COLUMNS} FROM (SELECT * FROM ({union}) a {newest}) a {WHO} "
            "ORDER BY a.at DESC, a.id DESC",
            params | more | {"limit": query.limit + 1})


class AuditReads:
    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def audit_entries(self, query: AuditQuery) -> list[dict[str, Any]]:
        sql, params = audit_sql(query)
        return self._all(sql, **params)
