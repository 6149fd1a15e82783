"""Keep the message catalogs in step with the code.

    python scripts/messages.py          # add new messages to every catalog (empty translation)
    python scripts/messages.py --check  # exit 1 if a message lacks a translation (run by the tests)

Messages are the ``_("...")`` strings of the page templates and the error templates raised by the
domain, services and adapters (``InvalidInput("...")`` and friends), which pages translate; and messages
with plural forms, ``ngettext("{n} sighting", "{n} sightings", n)`` (in templates, emails and Python), kept
as ``msgid``/``msgid_plural`` with one ``msgstr[i]`` per form of the language (Chinese has one)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from reunite.domain.access import ACTION_WORDS, CONFIRMED_WORDS, Permission
from reunite.domain.lifecycle import REFUSALS, CaseState
from reunite.domain.workbench import CHOOSE_CHILD_FACE, QUEUE_WORDS
from reunite.entrypoints.api import guard
from reunite.entrypoints.api.validation import FIELD_NAMES, FRAMEWORK_400, GLOSS, KINDS, VALUE_WORDS
from reunite.entrypoints.web import filters
from reunite.services.faces import UNREADABLE

ROOT = Path(__file__).resolve().parents[1] / "src" / "reunite"
LOCALES = ROOT / "locale"
TEMPLATE_CALL = re.compile(r"""_\(\s*"((?:[^"\\]|\\.)*)"|_\(\s*'((?:[^'\\]|\\.)*)'""")
ERROR_CALL = re.compile(
    r"""(?:InvalidInput|NotFound|Conflict|PayloadTooLarge|UnsupportedMedia|NotSignedIn|Forbidden|TooManyRequests|ServiceUnavailable)"""
    r"""\(\s*\n?\s*"((?:[^"\\]|\\.)*)"|"""
    r"""(?:\.within|(?<!n)gettext)\(\s*\n?\s*"((?:[^"\\]|\\.)*)\"""")
# a message with plural forms: its singular and plural, in templates, emails and Python (``lang.ngettext``)
NGETTEXT_CALL = re.compile(r"""ngettext\(\s*\n?\s*"((?:[^"\\]|\\.)*)",\s*\n?\s*"((?:[^"\\]|\\.)*)\"""")
Message = str | tuple[str, str]  # a message, or a message with plural forms (singular, plural)
# words shown through _() from data: processing and moderation states, case states, roles, verification
GETTEXT_CALL = re.compile(r"""reader\.gettext\(\s*"((?:[^"\\]|\\.)*)"()""")  # poster labels in Python
# an import's problems (services.exchange.ImportReport.problem(record, "reason", ...)), shown translated
PROBLEM_CALL = re.compile(r"""\.problem\([^,()]*,\s*\n?\s*"((?:[^"\\]|\\.)*)"()""")
STATUS_WORDS = ("processing", "faces found", "no face found", "pending", "approved", "rejected", "removed", "expired",
                "open", "reunited", "closed", "sighting", "case", "reporter", "family", "moderator", "police",
                "admin", "partner", "admin token", "dna", "document", "interview", "match", "no_match", "sightings",
                "cases", "candidates", "takedowns", "sharing", "corrections", "families",
                "faces could not be searched for",  # a sighting whose photos failed for good (services/faces)
                UNREADABLE,
                "changed by the reporter", CHOOSE_CHILD_FACE,  # why a report approved before waits again
                CONFIRMED_WORDS,  # a confirmation's reason as families and partners read it
                *QUEUE_WORDS.values())  # the moderators' queues, in the reviewers' notice and queue alarms


def messages() -> list[Message]:
    found: dict[Message, None] = {}
    templates = sorted((ROOT / "entrypoints" / "web" / "templates").glob("*.*"))
    for template in templates + sorted((ROOT / "adapters" / "notify" / "templates").glob("*.txt")):
        for match in TEMPLATE_CALL.finditer(template.read_text()):
            found[match.group(1) or match.group(2)] = None
    for source in [*templates, *sorted((ROOT / "adapters" / "notify" / "templates").glob("*.txt")),
                   *sorted(ROOT.rglob("*.py"))]:
        for match in NGETTEXT_CALL.finditer(source.read_text()):
            found[(match.group(1), match.group(2))] = None
    for source in sorted(ROOT.rglob("*.py")):
        for match in ERROR_CALL.finditer(source.read_text()):
            found[match.group(1) or match.group(2)] = None
        for match in [*GETTEXT_CALL.finditer(source.read_text()), *PROBLEM_CALL.finditer(source.read_text())]:
            found[match.group(1) or match.group(2)] = None
    for word in STATUS_WORDS:
        found[word] = None
    for permission in [*Permission, *sorted(ACTION_WORDS)]:
        found[permission] = None  # permission names (or a route's action) appear inside "sign in to {what}" errors
    for refusal in REFUSALS.values():  # a status change the lifecycle refuses, and the state it names
        found[refusal] = None
    for state in CaseState:
        found[state.value] = None
    for message in [*KINDS.values(), *filters.MESSAGES, *filters.LABELS.values(),  # sentences chosen at run time
                    GLOSS, *VALUE_WORDS, *(words for _, words in FRAMEWORK_400), guard.NUL, guard.NOT_TEXT]:
        found[message] = None
    return list(found)


FIELD = "field"  # the context of a field's name as readers call it (``Language.field_name``)


def translated(catalog: Catalog, message: Message) -> bool:
    """Whether the catalog translates the message: every plural form of one that has them."""
    found = catalog.get(message)
    if found is None:
        return False
    if isinstance(message, tuple):
        return found.id == message and isinstance(found.string, tuple) and all(found.string)
    return isinstance(found.string, str) and bool(found.string)


def kept(catalog: Catalog, message: Message) -> str | tuple[str, ...]:
    """The catalog's translation of the message to keep, else an empty one of its shape."""
    found = catalog.get(message)
    if isinstance(message, tuple):
        return found.string if found is not None and found.id == message else ("",) * catalog.num_plurals
    return found.string if found is not None and isinstance(found.string, str) else ""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    wanted = messages()
    missing = []
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            old = read_po(f)
        if args.check:
            missing += [f"{po.parent.parent.name}: {m}" for m in wanted if not translated(old, m)]
            missing += [f"{po.parent.parent.name}: the field {name}" for name in FIELD_NAMES
                        if not ((found := old.get(name, context=FIELD)) and found.string)]
            continue
        new = Catalog(locale=old.locale, project="Reunite")
        for message in wanted:
            new.add(message, kept(old, message))
        for name in FIELD_NAMES:
            existing = old.get(name, context=FIELD)
            new.add(name, existing.string if existing else "", context=FIELD)
        with po.open("wb") as f:
            write_po(f, new, width=120, omit_header=False)
    for line in missing:
        print(f"untranslated: {line}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
