"""SQL for accounts, sessions, API tokens, invitations and rate counters (mixed into the unit of work)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError

from reunite.adapters.db.people_tables import accounts, api_tokens, backoffs, case_owners, invitations, sessions
from reunite.adapters.db.pfif import PENDING_BROUGHT_IN
from reunite.adapters.db.tables import photos
from reunite.domain.access import ACTIVE_CASE_STATUSES
from reunite.domain.errors import Conflict, NotFound
from reunite.domain.stores import AccountRow

_PENDING_OF_TOKEN = PENDING_BROUGHT_IN.format(actor="= 'token:' || t.id")


class PeopleSql:
    conn: Connection

    def add_account(self, email: str, display_name: str, password_hash: str, role: str, language: str) -> int:
        exists = self.conn.execute(
            select(accounts.c.id).where(func.lower(accounts.c.email) == email.lower())
        ).first()
        if exists:
            raise Conflict("an account with this email already exists", field="email")
        try:
            with self.conn.begin_nested():
                return int(self.conn.execute(
                    insert(accounts).values(email=email, display_name=display_name, password_hash=password_hash,
                                            role=role, language=language).returning(accounts.c.id)
                ).scalar_one())
        except IntegrityError as exc:  # a concurrent sign-up with the same email
            raise Conflict("an account with this email already exists", field="email") from exc

    def account_by_email(self, email: str) -> AccountRow | None:
        row = self.conn.execute(
            select(accounts).where(func.lower(accounts.c.email) == email.lower())
        ).first()
        if row is None:
            return None
        return AccountRow(row.id, row.email, row.display_name, row.password_hash, row.role, row.language,
                          row.disabled_at is not None)

    def add_session(self, token_hash: str, account_id: int, expires_at: datetime) -> None:
        self.conn.execute(insert(sessions).values(token_hash=token_hash, account_id=account_id,
                                                  expires_at=expires_at))

    def end_session(self, token_hash: str) -> None:
        self.conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash))

    def account_by_id(self, account_id: int) -> AccountRow | None:
        row = self.conn.execute(select(accounts).where(accounts.c.id == account_id).with_for_update()).first()
        if row is None:
            return None
        return AccountRow(row.id, row.email, row.display_name, row.password_hash, row.role, row.language,
                          row.disabled_at is not None)

    def set_password(self, account_id: int, password_hash: str) -> None:
        self.conn.execute(update(accounts).where(accounts.c.id == account_id).values(password_hash=password_hash))

    def set_account_language(self, account_id: int, language: str) -> str | None:
        was = self.conn.execute(select(accounts.c.language).where(accounts.c.id == account_id)
                                .with_for_update()).scalar_one_or_none()
        if was is not None and was != language:
            self.conn.execute(update(accounts).where(accounts.c.id == account_id).values(language=language))
        return None if was is None else str(was)

    def end_sessions(self, account_id: int, keep: str | None = None) -> int:
        ended = sessions.delete().where(sessions.c.account_id == account_id)
        if keep is not None:
            ended = ended.where(sessions.c.token_hash != keep)
        return int(self.conn.execute(ended).rowcount)

    def add_api_token(
        self, name: str, token_hash: str, scopes: Sequence[str], domains: Sequence[str], created_by: str,
        issued_by: int | None = None,
    ) -> int:
        if issued_by is not None:  # the issuer's row is locked, so it cannot be revoked half-way through
            alive = self.conn.execute(select(api_tokens.c.id).where(
                api_tokens.c.id == issued_by, api_tokens.c.revoked_at.is_(None)).with_for_update()).first()
            if alive is None:
                raise NotFound("the token that asks was revoked")
        return int(self.conn.execute(
            insert(api_tokens).values(name=name, token_hash=token_hash, scopes=list(scopes),
                                      allowed_domains=list(domains), created_by=created_by, issued_by=issued_by)
            .returning(api_tokens.c.id)
        ).scalar_one())

    def token_exists(self, token_id: int) -> bool:
        return self.conn.execute(select(api_tokens.c.id).where(api_tokens.c.id == token_id).with_for_update()
                                 ).first() is not None

    def revoke_api_token(self, token_id: int, at: datetime) -> list[int] | None:
        if self.conn.execute(select(api_tokens.c.id).where(api_tokens.c.id == token_id).with_for_update()
                             ).first() is None:
            return None
        return self._revoke_lines("SELECT CAST(:id AS bigint)", {"id": token_id, "at": at})

    def token_holds(self, token_id: int) -> bool:
        revoked = self.conn.execute(select(api_tokens.c.revoked_at).where(api_tokens.c.id == token_id)
                                    .with_for_update(read=True)).first()
        return revoked is None or revoked.revoked_at is None

    def account_holds(self, account_id: int) -> tuple[str, bool] | None:
        row = self.conn.execute(select(accounts.c.role, accounts.c.disabled_at).where(accounts.c.id == account_id)
                                .with_for_update(read=True)).first()
        return None if row is None else (str(row.role), row.disabled_at is None)

    def _revoke_lines(self, first: str, params: dict[str, object]) -> list[int]:
        """Revoke the tokens ``first`` selects and every token issued from them, down the line; their ids."""
        return [int(i) for i in self.conn.execute(text(
            f"WITH RECURSIVE line(id) AS ({first} UNION "
            "  SELECT t.id FROM api_tokens t JOIN line ON t.issued_by = line.id) "
            "UPDATE api_tokens SET revoked_at = :at WHERE id IN (SELECT id FROM line) AND revoked_at IS NULL "
            "RETURNING id"), params).scalars()]

    def add_invitation(self, token_hash: str, email: str, role: str, invited_by: int, expires_at: datetime) -> int:
        return int(self.conn.execute(
            insert(invitations).values(token_hash=token_hash, email=email, role=role, invited_by=invited_by,
                                       expires_at=expires_at).returning(invitations.c.id)
        ).scalar_one())

    def take_invitation(self, token_hash: str, now: datetime) -> tuple[str, str, AccountRow] | None:
        row = self.conn.execute(
            update(invitations)
            .where(invitations.c.token_hash == token_hash, invitations.c.used_at.is_(None),
                   invitations.c.expires_at > now)
            .values(used_at=now).returning(invitations.c.email, invitations.c.role, invitations.c.invited_by)
        ).first()
        if row is None:
            return None
        inviter = self.account_by_id(int(row.invited_by))  # locked: not disabled half-way through
        assert inviter is not None  # invitations.invited_by is a foreign key
        return row.email, row.role, inviter

    def invitation_for_change(self, invitation_id: int) -> tuple[str, bool, datetime] | None:
        row = self.conn.execute(
            select(invitations.c.role, invitations.c.used_at, invitations.c.expires_at)
            .where(invitations.c.id == invitation_id).with_for_update()
        ).first()
        return None if row is None else (str(row.role), row.used_at is not None, row.expires_at)

    def withdraw_invitation(self, invitation_id: int, now: datetime) -> str | None:
        """End a pending invitation now (its link stops working); the invitee's email, or None when no
        invitation with this id is pending."""
        row = self.conn.execute(
            update(invitations)
            .where(invitations.c.id == invitation_id, invitations.c.used_at.is_(None), invitations.c.expires_at > now)
            .values(expires_at=now).returning(invitations.c.email)
        ).first()
        return str(row.email) if row else None

    def end_issued(self, account_id: int, now: datetime) -> tuple[list[int], int]:
        tokens = self._revoke_lines("SELECT id FROM api_tokens WHERE created_by = :by AND issued_by IS NULL",
                                    {"by": f"account:{account_id}", "at": now})
        ended = self.conn.execute(
            update(invitations)
            .where(invitations.c.invited_by == account_id, invitations.c.used_at.is_(None),
                   invitations.c.expires_at > now)
            .values(expires_at=now).returning(invitations.c.id)
        ).all()
        return tokens, len(ended)

    def set_role(self, account_id: int, role: str) -> None:
        self.conn.execute(update(accounts).where(accounts.c.id == account_id).values(role=role))

    def set_disabled(self, account_id: int, at: datetime | None) -> None:
        self.conn.execute(update(accounts).where(accounts.c.id == account_id).values(disabled_at=at))

    def other_enabled_admins(self, account_id: int) -> int:
        """The enabled admins other than this account, locked until the end of the transaction."""
        return len(self.conn.execute(
            select(accounts.c.id).where(accounts.c.role == "admin", accounts.c.disabled_at.is_(None),
                                        accounts.c.id != account_id).with_for_update()).all())

    def add_case_owner(self, case_id: int, account_id: int) -> None:
        self.conn.execute(insert(case_owners).values(case_id=case_id, account_id=account_id))

    def case_photo_digests(self, case_id: int) -> set[str]:
        return set(self.conn.execute(select(photos.c.sha256).where(photos.c.case_id == case_id)).scalars())

    def count_hit(self, key: str, window_start: datetime, n: int = 1) -> int:
        return int(self.conn.execute(text(
            "INSERT INTO rate_counters (key, window_start, hits) VALUES (:key, :start, :n) "
            "ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_counters.hits + :n RETURNING hits"
        ), {"key": key, "start": window_start, "n": n}).scalar_one())

    def uncount_hit(self, key: str, window_start: datetime, n: int = 1) -> None:
        self.conn.execute(text(
            "UPDATE rate_counters SET hits = greatest(hits - :n, 0) WHERE key = :key AND window_start = :start "
            "AND hits > 0"), {"key": key, "start": window_start, "n": n})

    def hits(self, key: str, window_start: datetime) -> int:
        return int(self.conn.execute(text(
            "SELECT coalesce(max(hits), 0) FROM rate_counters WHERE key = :key AND window_start = :start"
        ), {"key": key, "start": window_start}).scalar_one())

    def counts_since(self, key: str, since: datetime) -> list[tuple[datetime, int]]:
        # one statement: the key's minutes past the window go (the select reads none of them either way)
        return [(row.window_start, int(row.hits)) for row in self.conn.execute(text(
            "WITH gone AS (DELETE FROM rate_counters WHERE key = :key AND window_start < :since) "
            "SELECT window_start, hits FROM rate_counters WHERE key = :key AND window_start >= :since AND hits > 0 "
            "ORDER BY window_start"), {"key": key, "since": since})]

    def backoff(self, key: str) -> tuple[int, datetime | None, datetime] | None:
        row = self.conn.execute(select(backoffs).where(backoffs.c.key == key).with_for_update()).first()
        return (int(row.failures), row.locked_until, row.last_failure_at) if row else None

    def set_backoff(self, key: str, failures: int, locked_until: datetime | None, at: datetime) -> None:
        values = {"failures": failures, "locked_until": locked_until, "last_failure_at": at}
        self.conn.execute(pg_insert(backoffs).values(key=key, **values)
                          .on_conflict_do_update(index_elements=[backoffs.c.key], set_=values))

    def clear_backoff(self, key: str) -> None:
        self.conn.execute(backoffs.delete().where(backoffs.c.key == key))


class PeopleReads:
    """Who a session or token belongs to (read side)."""

    def _all(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    def session_principal(self, token_hash: str, now: datetime) -> dict[str, Any] | None:
        rows = self._all(
            "SELECT a.id, a.role, a.display_name, a.language, "
            "ARRAY(SELECT o.case_id FROM case_owners o WHERE o.account_id = a.id) AS own_cases, "
            "ARRAY(SELECT o.case_id FROM case_owners o JOIN cases c ON c.id = o.case_id "
            "      WHERE o.account_id = a.id AND c.verified_at IS NOT NULL AND c.status = ANY(:active)) "
            "AS verified_cases, "
            "ARRAY(SELECT o.case_id FROM case_owners o JOIN cases c ON c.id = o.case_id "
            "      WHERE o.account_id = a.id AND c.status = ANY(:ended)) AS ended_cases "
            "FROM sessions s JOIN accounts a ON a.id = s.account_id "
            "WHERE s.token_hash = :hash AND s.expires_at > :now AND a.disabled_at IS NULL",
            hash=token_hash, now=now, active=list(ACTIVE_CASE_STATUSES), ended=["closed", "reunited", "expired"],
        )
        return rows[0] if rows else None

    def token_principal(self, token_hash: str) -> dict[str, Any] | None:
        rows = self._all(  # up the token's line to its first, and the account that issued that (if any)
            "WITH RECURSIVE up(id, issued_by, created_by) AS (SELECT id, issued_by, created_by FROM api_tokens "
            "  WHERE token_hash = :hash AND revoked_at IS NULL UNION ALL "
            "  SELECT p.id, p.issued_by, p.created_by FROM api_tokens p JOIN up ON p.id = up.issued_by) "
            f"SELECT t.id, t.name, t.scopes, t.allowed_domains, {_ISSUER} FROM api_tokens t "
            "JOIN up r ON r.issued_by IS NULL LEFT JOIN accounts a ON r.created_by = 'account:' || a.id "
            "WHERE t.token_hash = :hash AND t.revoked_at IS NULL", hash=token_hash,
        )
        return rows[0] if rows else None

    def api_tokens(self) -> list[dict[str, Any]]:
        return self._all(
            f"{_LINE_ROOTS} SELECT t.id, t.name, t.scopes, t.allowed_domains, t.created_by, t.created_at, "
            f"t.revoked_at, t.issued_by, {_ISSUER}, "
            # its latest entry in the audit log (index (actor, at, id), 0026): when it was last used
            "(SELECT max(l.at) FROM audit_log l WHERE l.actor = 'token:' || t.id) AS last_used_at, "
            f"(SELECT count(*) FROM ({_PENDING_OF_TOKEN}) p) AS pending_imports "
            "FROM api_tokens t JOIN roots ON roots.id = t.id "
            "JOIN api_tokens r ON r.id = roots.root LEFT JOIN accounts a ON r.created_by = 'account:' || a.id "
            "ORDER BY t.id DESC")

    def invitation(self, token_hash: str, now: datetime) -> dict[str, Any] | None:
        rows = self._all("SELECT i.email, i.role, i.expires_at, a.role AS inviter_role, "
                         "a.disabled_at IS NOT NULL AS inviter_disabled FROM invitations i "
                         "JOIN accounts a ON a.id = i.invited_by WHERE i.token_hash = :h AND i.used_at IS NULL "
                         "AND i.expires_at > :now", h=token_hash, now=now)
        return rows[0] if rows else None

    def invitations(self) -> list[dict[str, Any]]:
        return self._all("SELECT i.id, i.email, i.role, i.created_at, i.expires_at, i.used_at, a.email AS inviter, "
                         "a.role AS inviter_role, a.disabled_at IS NOT NULL AS inviter_disabled FROM invitations i "
                         "JOIN accounts a ON a.id = i.invited_by ORDER BY i.id DESC LIMIT 100")

    def staff_accounts(self) -> list[dict[str, Any]]:
        """Accounts with a staff role (admin, police, moderator) or disabled, admins first."""
        return self._all("SELECT id, email, display_name, role, disabled_at, created_at FROM accounts "
                         "WHERE role IN ('admin', 'police', 'moderator') OR disabled_at IS NOT NULL "
                         "ORDER BY disabled_at IS NOT NULL, array_position(ARRAY['admin', 'police', 'moderator'], "
                         "role::text), lower(email) LIMIT 1000")


# every token with the first of its line (the token an account or the command line issued; a token issued
# by a token is issued by that token's line), whose issuer's current state vouches for the whole line
_LINE_ROOTS = (
    "WITH RECURSIVE roots(id, root) AS (SELECT id, id FROM api_tokens WHERE issued_by IS NULL "
    "UNION ALL SELECT t.id, roots.root FROM api_tokens t JOIN roots ON t.issued_by = roots.id)")
_ISSUER = ("a.id AS issuer_account, a.email AS issuer_email, a.role AS issuer_role, "
           "a.disabled_at IS NOT NULL AS issuer_disabled")
