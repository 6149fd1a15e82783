"""Pages to reset a forgotten password (a link by email) and to change one's password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from reunite.domain.access import Principal
from reunite.domain.errors import NotSignedIn, ReuniteError
from reunite.entrypoints.api.auth import SESSION_COOKIE, PrincipalDep, client_ip
from reunite.entrypoints.web.forms import checked_form, form_key, own_key, shown, single, text
from reunite.entrypoints.web.pages import DepsDep, LangDep, refusal, render
from reunite.entrypoints.web.people import _mail_works, _refused, _signed_in
from reunite.services import accounts, idempotency, queries, recovery

router = APIRouter(include_in_schema=False)


def _password_key(who: Principal, operation: str, form: FormData) -> idempotency.Key | None:
    """The form's one-time key, its fingerprint not made of the passwords it carries."""
    return idempotency.scoped(who, operation, own_key(who, form))


@router.get("/reset", response_class=HTMLResponse)
def reset_form(request: Request, lang: LangDep) -> HTMLResponse:
    return render(request, lang, "reset.html", form={}, **_mail_works(request))


@router.post("/reset", response_class=HTMLResponse, response_model=None)
async def reset_send(request: Request, lang: LangDep, deps: DepsDep) -> Response:
    """The same page whether the address has an account or not (without email: how else to reset)."""
    form = await checked_form(request)
    email = shown(form, "email")
    if not _mail_works(request)["mail"]:
        return render(request, lang, "reset.html", form={}, **_mail_works(request))
    try:
        recovery.start(deps, text(form, "email"), lang.code, client_ip(request), form_key(Principal(), "reset", form))
    except ReuniteError as exc:
        return _refused(render(request, lang, "reset.html", status=exc.status_code, form={"email": email},
                               **refusal(lang, exc), **_mail_works(request)), exc)
    return render(request, lang, "reset.html", form={"email": email}, sent=True, **_mail_works(request))


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_link(request: Request, lang: LangDep, deps: DepsDep, token: str) -> HTMLResponse:
    try:
        email = recovery.email_of(deps, token)
    except ReuniteError as exc:
        return render(request, lang, "reset.html", status=exc.status_code, form={}, bad_link=True,
                      **refusal(lang, exc))
    return render(request, lang, "reset.html", form={"email": email}, link=token)


@router.post("/reset/{token}", response_class=HTMLResponse, response_model=None)
async def reset_finish(request: Request, lang: LangDep, deps: DepsDep, token: str) -> Response:
    form = await checked_form(request)
    try:
        session = recovery.finish(deps, token, single(form, "password"), client_ip(request),
                                  _password_key(Principal(), "reset-finish", form))
    except ReuniteError as exc:
        bad = exc.field == "token"
        email = "" if bad else recovery.email_of(deps, token)
        return _refused(render(request, lang, "reset.html", status=exc.status_code, form={"email": email},
                               link=None if bad else token, bad_link=bad, **refusal(lang, exc)), exc)
    return _signed_in(request, session, "/account?reset=1")


@router.post("/account/password", response_class=HTMLResponse, response_model=None)
async def change_password(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep) -> Response:
    form = await checked_form(request)
    if not who.signed_in:
        raise NotSignedIn("sign in to change your password")
    try:
        recovery.change_password(deps, who, request.cookies.get(SESSION_COOKIE, ""), single(form, "current"),
                                 single(form, "password"), _password_key(who, "password-change", form))
    except ReuniteError as exc:
        cases = queries.own_cases(deps, who, lang)
        return _refused(render(request, lang, "account.html", status=exc.status_code, cases=cases, created=False,
                               changed=False, email_language=accounts.language_of(deps, who),
                               **refusal(lang, exc)), exc)
    return RedirectResponse("/account?changed=1#password", status_code=303)
