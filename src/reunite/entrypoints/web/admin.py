"""The admin's page: staff accounts and roles, invitations, API tokens and alert subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from reunite.domain import staff
from reunite.domain.access import Permission, Principal, Role, Scope
from reunite.domain.errors import ReuniteError
from reunite.domain.text_limits import TEXT_LIMITS
from reunite.entrypoints.api.auth import allow
from reunite.entrypoints.web.forms import checked_form, form_key, several, shown, text
from reunite.entrypoints.web.pages import DepsDep, LangDep, refusal, refused, render
from reunite.services import accounts, queries, subscriptions, withdrawals
from reunite.services import staff as staff_changes

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, Depends(allow(Permission.ADMINISTER))]
Action = Callable[[FormData], object]


def _admin_page(request: Request, lang: LangDep, deps: DepsDep, make: Callable[[], str] | None = None,
                invited: dict[str, str] | None = None, error: ReuniteError | None = None,
                form: FormData | None = None) -> HTMLResponse:
    """The admin page; ``make`` (an invitation link, for ``invited``, or a token) is shown once, or its
    error; or the ``error`` of a change refused: the ``form`` sent comes back as typed, the error by its field
    (``pages.refusal``, ``pages.sent_form``)."""
    shown, failed = None, error
    try:
        shown = make() if make else None
    except ReuniteError as exc:
        failed = exc
    told = refusal(lang, failed) if failed else {"error": None}
    who = request.state.principal
    page = render(request, lang, "admin.html", status=failed.status_code if failed else 200,
                  **queries.admin_lists(deps, who), subscriptions=subscriptions.listed(deps, who),
                  scopes=list(Scope), roles=sorted(accounts.INVITED_ROLES), settable=staff.SETTABLE_ROLES,
                  shown=shown, invited=invited if shown else None, typed=form if failed else None,
                  mail_skipped=deps.read.outbox_skipped(), done=request.query_params.get("done"), **told)
    return refused(page, failed) if failed else page


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, lang: LangDep, deps: DepsDep, who: Admin) -> HTMLResponse:
    return _admin_page(request, lang, deps)


async def _on_account(request: Request, lang: LangDep, deps: DepsDep, action: Action,
                      back: str = "/admin?done=1#accounts") -> Response:
    """Run an admin's change (to an account, an invitation, a token, a subscription) from a form: ``back`` to
    /admin, or the page with the refusal (the only admin left, a token's limits, an invitation no longer pending)."""
    form = await checked_form(request)
    try:
        action(form)
    except ReuniteError as exc:
        return _admin_page(request, lang, deps, error=exc, form=form)
    return RedirectResponse(back, status_code=303)


@router.post("/admin/accounts/{account_id}/disable", response_model=None)
async def disable(request: Request, lang: LangDep, deps: DepsDep, who: Admin, account_id: int) -> Response:
    return await _on_account(request, lang, deps, lambda f: staff_changes.set_disabled(deps, who, account_id, True))


@router.post("/admin/accounts/{account_id}/enable", response_model=None)
async def enable(request: Request, lang: LangDep, deps: DepsDep, who: Admin, account_id: int) -> Response:
    return await _on_account(request, lang, deps, lambda f: staff_changes.set_disabled(deps, who, account_id, False))


@router.post("/admin/accounts/{account_id}/role", response_model=None)
async def change_role(request: Request, lang: LangDep, deps: DepsDep, who: Admin, account_id: int) -> Response:
    return await _on_account(request, lang, deps, lambda f: staff_changes.set_role(
        deps, who, account_id, staff.settable_role(text(f, "role"))))


@router.post("/admin/invitations/{invitation_id}/withdraw", response_model=None)
async def withdraw(request: Request, lang: LangDep, deps: DepsDep, who: Admin, invitation_id: int) -> Response:
    return await _on_account(request, lang, deps, lambda f: staff_changes.withdraw_invitation(
        deps, who, invitation_id, form_key(who, f"withdraw:{invitation_id}", f)))


@router.post("/admin/invitations", response_class=HTMLResponse)
async def invite(request: Request, lang: LangDep, deps: DepsDep, who: Admin) -> HTMLResponse:
    form = await checked_form(request)

    role = Role(shown(form, "role")) if shown(form, "role") in {r.value for r in Role} else Role.ANONYMOUS

    def link() -> str:
        chosen = Role(text(form, "role")) if text(form, "role") in {r.value for r in Role} else Role.ANONYMOUS
        token = accounts.invite(deps, who, text(form, "email"), chosen, form_key(who, "invitation", form))
        return f"{deps.site.base_url}/invite/{token}"  # the served address, never the request's Host header

    return _admin_page(request, lang, deps, link, invited={"email": shown(form, "email"), "role": role.value},
                       form=form)


@router.post("/admin/tokens", response_class=HTMLResponse)
async def issue(request: Request, lang: LangDep, deps: DepsDep, who: Admin) -> HTMLResponse:
    form = await checked_form(request)

    def token() -> str:
        chosen = [Scope(v) for v in several(form, "scopes") if v in {s.value for s in Scope}]
        domains = text(form, "domains", TEXT_LIMITS["token_domains"])
        return accounts.issue(deps, who, text(form, "name"), chosen,
                              [d for d in domains.split(",") if d.strip()],  # a blank box: none
                              form_key(who, "token", form))[1]

    return _admin_page(request, lang, deps, token, form=form)


@router.post("/admin/subscriptions/{subscription_id}/end", response_model=None)
async def end_subscription(request: Request, lang: LangDep, deps: DepsDep, who: Admin,
                           subscription_id: int) -> Response:
    """End an alert subscription (a webhook, or one a token or account made): nothing is sent to it any more."""
    return await _on_account(request, lang, deps, lambda f: subscriptions.end(deps, who, subscription_id),
                             "/admin?done=1#subscriptions")


@router.post("/admin/tokens/{token_id}/revoke", response_model=None)
async def revoke(request: Request, lang: LangDep, deps: DepsDep, who: Admin, token_id: int) -> Response:
    """Revoke a token; with ``withdraw`` ticked, also withdraw the cases it imported that nobody verified."""
    return await _on_account(request, lang, deps, lambda f: accounts.revoke_token(
        deps, who, token_id, text(f, "reason") if text(f, "withdraw") else None), "/admin#tokens")


@router.post("/admin/tokens/{token_id}/withdraw-imports", response_model=None)
async def withdraw_imports(request: Request, lang: LangDep, deps: DepsDep, who: Admin, token_id: int) -> Response:
    """Withdraw the cases a (revoked) token imported that nobody verified yet."""
    return await _on_account(request, lang, deps, lambda f: withdrawals.withdraw_imports(
        deps, who, token_id, text(f, "reason")), "/admin#tokens")
