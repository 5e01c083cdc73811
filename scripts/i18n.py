"""Refresh the translation catalogs after changing any message in dialogs/.

    python scripts/i18n.py

Extracts every marked message (N_, t(...), t.plural(...)) into dialogs/locales/
messages.pot, merges it into each language's messages.po (keeping translations), and
fills the English catalog with the source text. Spanish entries that are new or changed
are left empty or fuzzy: translate them; tests/dialogs/test_catalogs.py fails until then.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "dialogs" / "locales"
KEYWORDS = {"N_": None, "t": None, "plural": (1, 2)}
LANGUAGES = ("en", "es")


def extract() -> Catalog:
    """Every message marked in dialogs/, as a template catalog."""
    template = Catalog(project="megaroth", msgid_bugs_address="", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / "dialogs",
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=["Translators:"],
        strip_comment_tags=True,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, no_location=True, sort_output=True, omit_header=False)


def main() -> int:
    template = extract()
    write(template, LOCALES / "messages.pot")
    for lang in LANGUAGES:
        path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="megaroth")
        catalog.update(extract(), no_fuzzy_matching=True)  # fresh: update shares messages
        catalog.fuzzy = False
        if lang == "en":  # the source language: each message is its own translation
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        write(catalog, path)
        missing = [m.id for m in catalog if m.id and not all(_strings(m.string))]
        print(f"{lang}: {len(catalog)} messages, {len(missing)} untranslated")
    return 0


def _strings(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (str(value or ""),)


if __name__ == "__main__":
    sys.exit(main())
