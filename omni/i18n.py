"""Translation catalogues without GNU gettext.

A fresh machine has no xgettext/msgfmt, so Omni extracts messages with Babel
(Python sources, and templates through Django's own ``templatize``) and writes
``.po`` / ``.mo`` files with polib. ``manage.py update_translations`` runs it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.extract import extract_python
from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
SOURCE_DIRS = (
    "omni",
    "accounts",
    "inventory",
    "orders",
    "sourcing",
    "store",
    "pos",
    "customers",
    "returns",
    "promotions",
)
TEMPLATE_DIRS = ("templates",)
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
# Context/plural-aware names Babel's extractor must treat as gettext calls.
_FUNCS = list(KEYWORDS)

Message = tuple[str | None, str, str | None]  # (context, msgid, plural)


def _python_files() -> Iterator[Path]:
    for name in SOURCE_DIRS:
        base = ROOT / name
        if base.exists():
            yield from (p for p in base.rglob("*.py") if "migrations" not in p.parts)


def _template_files() -> Iterator[Path]:
    for name in TEMPLATE_DIRS:
        for pattern in ("*.html", "*.txt"):  # .txt: e-mail bodies and subjects
            yield from (ROOT / name).rglob(pattern)


def _messages_from_python(source: bytes, origin: str) -> Iterator[tuple[Message, str]]:
    for lineno, funcname, messages, _comments in extract_python(io.BytesIO(source), _FUNCS, [], {}):
        if isinstance(messages, str):
            messages = (messages,)
        messages = tuple(messages)
        if funcname.startswith(("pgettext", "npgettext")):
            context, msgid, plural = messages[0], messages[1], messages[2] if len(messages) > 2 else None
        else:
            context, msgid, plural = None, messages[0], messages[1] if len(messages) > 1 else None
        if msgid:
            yield (context, msgid, plural), f"{origin}:{lineno}"


def extract_catalogue() -> dict[Message, list[str]]:
    """Every translatable message in the sources, with where it occurs."""
    found: dict[Message, list[str]] = {}
    for path in _python_files():
        for message, where in _messages_from_python(path.read_bytes(), str(path.relative_to(ROOT))):
            found.setdefault(message, []).append(where)
    for path in _template_files():
        pseudo_python = templatize(path.read_text(encoding="utf-8"), origin=str(path)).encode()
        for message, where in _messages_from_python(pseudo_python, str(path.relative_to(ROOT))):
            found.setdefault(message, []).append(where)
    return found


def extract_messages() -> list[str]:
    return [msgid for (_context, msgid, _plural) in extract_catalogue()]


def update_catalogue(
    language: str, translations: dict[str, str | list[str]] | None = None
) -> tuple[Path, list[str]]:
    """Merge the extracted messages into ``locale/<language>/LC_MESSAGES/django.po``
    (new ones added, vanished ones marked obsolete, ``translations`` applied), then
    compile ``django.mo``. Returns the catalogue path and the untranslated msgids."""
    import polib

    directory = ROOT / "locale" / language / "LC_MESSAGES"
    directory.mkdir(parents=True, exist_ok=True)
    po_path = directory / "django.po"
    po = polib.pofile(str(po_path)) if po_path.exists() else polib.POFile()
    po.metadata = {
        "Project-Id-Version": "Omni",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n > 1);" if language == "fr" else "nplurals=2; plural=(n != 1);",
    }
    existing = {(entry.msgctxt, entry.msgid): entry for entry in po}
    catalogue = extract_catalogue()
    wanted = set()
    for (context, msgid, plural), occurrences in sorted(catalogue.items(), key=lambda item: item[1][0]):
        key = (context, msgid)
        wanted.add(key)
        entry = existing.get(key)
        if entry is None:
            entry = polib.POEntry(msgctxt=context, msgid=msgid)
            if plural:
                entry.msgid_plural = plural
                entry.msgstr_plural = {0: "", 1: ""}
            po.append(entry)
            existing[key] = entry
        entry.obsolete = False
        entry.occurrences = [tuple(o.rsplit(":", 1)) for o in occurrences[:5]]
        if translations and msgid in translations:
            value = translations[msgid]
            if plural:
                singular, plural_form = (value, value) if isinstance(value, str) else value
                entry.msgstr_plural = {0: singular, 1: plural_form}
            else:
                entry.msgstr = value if isinstance(value, str) else value[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    for key, entry in existing.items():
        if key not in wanted:
            entry.obsolete = True
    po.sort(key=lambda e: (e.obsolete, e.occurrences[0] if e.occurrences else ("", ""), e.msgid))
    po.save(str(po_path))
    po.save_as_mofile(str(directory / "django.mo"))
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    return po_path, untranslated
