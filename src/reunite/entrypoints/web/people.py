"""Pages for people's accounts: sign up, sign in and out, invitations, one's own cases; and the
public pages every visitor may read: who sees what, and asking for a removal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reunite.domain.access import Principal
from reunite.domain.errors import NotSignedIn, ReuniteError
from reunite.entrypoints.api.auth import SESSION_COOKIE, PrincipalDep, client_ip, presession_of
from reunite.entrypoints.web.forms import checked_form, form_key, number, shown, single, text
from reunite.entrypoints.web.pages import DepsDep, LangDep, address, refusal, refused, render
from reunite.services import accounts, idempotency, queries, removals, retention, signup, throttle

router = APIRouter(include_in_schema=False)


def _next(raw: str) -> str:
    return raw if raw.startswith("/") and not raw.startswith("//") else "/account"


def _signed_in(request: Request, token: str, target: str) -> Response:
    response = RedirectResponse(_next(target), status_code=303)
    settings = request.app.state.container.settings
    secure = request.url.scheme == "https" or settings.public_url.startswith("https://")
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure,
                        max_age=int(request.app.state.container.deps.limits.session_lifetime.total_seconds()))
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: LangDep, next: str = "/account") -> HTMLResponse:
    return render(request, lang, "login.html", next=_next(next), form={})


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def login_send(request: Request, lang: LangDep, deps: DepsDep) -> Response:
    form = await checked_form(request)
    try:
        following = text(form, "next")  # read before signing in: a refused form signs nobody in
        token = accounts.sign_in(deps, text(form, "email"), single(form, "password"), client_ip(request))
    except ReuniteError as exc:
        return _refused(render(request, lang, "login.html", status=422, next=_next(shown(form, "next")),
                               form={"email": shown(form, "email")}, **refusal(lang, exc)), exc)
    return _signed_in(request, token, following)


_refused = refused


@router.post("/logout")
async def logout(request: Request, deps: DepsDep, who: PrincipalDep) -> RedirectResponse:
    if who.signed_in:  # signed out already (a double tap): nothing to protect, the same answer
        await checked_form(request)
    if token := request.cookies.get(SESSION_COOKIE):
        accounts.sign_out(deps, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, lang: LangDep) -> HTMLResponse:
    return render(request, lang, "signup.html", form={}, invitation=None, invited=None, **_mail_works(request))


@router.post("/signup", response_class=HTMLResponse, response_model=None)
async def signup_send(request: Request, lang: LangDep, deps: DepsDep) -> Response:
    """The same page whether the address has an account or not: a link (or a note) goes by email.
    Without email, nothing is sent and nothing said of the address: the page tells how else to get one."""
    form = await checked_form(request)
    email = shown(form, "email")
    if not _mail_works(request)["mail"]:
        return render(request, lang, "signup.html", form={}, invitation=None, invited=None, **_mail_works(request))
    try:
        signup.start(deps, text(form, "email"), lang.code, client_ip(request), form_key(Principal(), "sign-up", form))
    except ReuniteError as exc:
        return _refused(render(request, lang, "signup.html", status=exc.status_code, invitation=None, invited=None,
                               form={"email": email}, **refusal(lang, exc), **_mail_works(request)), exc)
    return render(request, lang, "signup.html", form={"email": email}, invitation=None, invited=None, sent=True,
                  **_mail_works(request))


def _mail_works(request: Request) -> dict[str, Any]:
    """Whether this site sends email, and whom to ask instead: for the sign-up and reset pages."""
    container = request.app.state.container
    return {"mail": bool(container.deps.mailer.configured), "contact_email": container.settings.contact_email}


@router.get("/signup/{token}", response_class=HTMLResponse)
def signup_link(request: Request, lang: LangDep, deps: DepsDep, token: str) -> HTMLResponse:
    email = signup.email_of(deps, token)
    return render(request, lang, "signup.html", form={"email": email}, invitation=None, invited=None, link=token)


@router.post("/signup/{token}", response_class=HTMLResponse, response_model=None)
async def signup_finish(request: Request, lang: LangDep, deps: DepsDep, token: str) -> Response:
    form = await checked_form(request)
    try:
        session = signup.finish(deps, token, single(form, "password"), text(form, "name"), lang.code,
                                client_ip(request))
    except ReuniteError as exc:
        return _refused(render(request, lang, "signup.html", status=exc.status_code, invitation=None, invited=None,
                               link=token, form={"email": signup.email_of(deps, token), "name": shown(form, "name")},
                               **refusal(lang, exc)), exc)
    return _signed_in(request, session, "/cases/new")


@router.get("/invite/{token}", response_class=HTMLResponse)
def invitation_form(request: Request, lang: LangDep, deps: DepsDep, token: str) -> HTMLResponse:
    return render(request, lang, "signup.html", form={}, invitation=token, invited=accounts.invitation(deps, token))


@router.post("/invite/{token}", response_class=HTMLResponse, response_model=None)
async def invitation_send(request: Request, lang: LangDep, deps: DepsDep, token: str) -> Response:
    form = await checked_form(request)
    try:
        password = single(form, "password")
        invited = accounts.invitation(deps, token)
        accounts.accept_invitation(deps, token, password, text(form, "name"), lang.code)
        session = accounts.sign_in(deps, invited["email"], password, client_ip(request))
    except ReuniteError as exc:
        return render(request, lang, "signup.html", status=exc.status_code, invitation=token, invited=None,
                      form={"name": shown(form, "name")}, **refusal(lang, exc))
    return _signed_in(request, session, "/account?created=1")


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep) -> HTMLResponse:
    if not who.signed_in:
        raise NotSignedIn("sign in to see your account")
    cases = queries.own_cases(deps, who, lang)
    return render(request, lang, "account.html", cases=cases, created=request.query_params.get("created") == "1",
                  changed=request.query_params.get("changed") == "1" or request.query_params.get("reset") == "1",
                  email_language=accounts.language_of(deps, who),
                  language_set=request.query_params.get("language") == "1")


@router.post("/account/language", response_class=HTMLResponse, response_model=None)
async def email_language(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep) -> Response:
    """The language of one's emails (probe s33 G7), chosen on "My account"."""
    form = await checked_form(request)
    if not who.signed_in:
        raise NotSignedIn("sign in to choose the language of your emails")
    try:
        accounts.set_language(deps, who, text(form, "language"))
    except ReuniteError as exc:
        return refused(render(request, lang, "account.html", status=exc.status_code,
                              cases=queries.own_cases(deps, who, lang), created=False, changed=False,
                              email_language=accounts.language_of(deps, who), **refusal(lang, exc)), exc)
    return RedirectResponse("/account?language=1#language", status_code=303)


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, lang: LangDep, deps: DepsDep) -> HTMLResponse:
    return render(request, lang, "privacy.html", rejected_days=deps.limits.rejected_sighting_retention.days)


@router.get("/takedown", response_class=HTMLResponse)
def takedown_form(request: Request, lang: LangDep) -> HTMLResponse:
    return render(request, lang, "takedown.html", form=dict(address(request)), sent=False)  # as a link filled it


@router.post("/takedown", response_class=HTMLResponse)
async def takedown_send(request: Request, lang: LangDep, deps: DepsDep, who: PrincipalDep) -> HTMLResponse:
    """A removal request; a family signed in asking to remove its own open case is honoured at once
    (restorable for a while: ``removals``)."""
    form = await checked_form(request)
    try:
        subject_id = number(form, "subject_id", int) or 0
        key = form_key(Principal(), "takedown", form)
        if (first := throttle.retry_or_count(deps, key, Principal(), "takedown", client_ip(request),
                                             deps.limits.takedowns_per_hour)) is not None:
            takedown_id = int(first["id"])  # the form sent twice: asked once, answered alike
        else:
            takedown_id = retention.request_takedown(
                deps, text(form, "subject"), subject_id, text(form, "requester"), text(form, "relation"),
                text(form, "reason"), key, idempotency.holder(Principal(), [presession_of(request)]), who)
    except ReuniteError as exc:
        return _refused(render(request, lang, "takedown.html", status=exc.status_code, form=dict(form), sent=False,
                               **refusal(lang, exc)), exc)
    # the family's own request hid its case at once: said so, with until when it can keep it (probe s23 W5)
    return render(request, lang, "takedown.html", form={}, sent=True,
                  removed=removals.removed_at_once(deps, who, takedown_id))
