"""Translations are complete: every message, every plural form, same placeholders and tags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dialogs.i18n import LANGUAGES, LOCALES_DIR, Translator, negotiate, translations

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
TAG = re.compile(r"</?[a-z]+")


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def _extracted() -> set[str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in module.extract() if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_message_in_the_code(lang: str) -> None:
    """Run `python scripts/i18n.py` after changing a message, then translate."""
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(lang) if m.id}
    assert ids == _extracted()


def _plural_calls() -> list[tuple[str, str]]:
    """Every `t.plural("...", "...", n)` in dialogs/, read from the source itself."""
    import ast

    calls = []
    for path in sorted((ROOT / "dialogs").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "plural"
                and len(node.args) >= 2
            ):
                singular, plural = node.args[:2]
                if isinstance(singular, ast.Constant) and isinstance(plural, ast.Constant):
                    assert isinstance(singular.value, str), ast.unparse(node)
                    assert isinstance(plural.value, str), ast.unparse(node)
                    calls.append((singular.value, plural.value))
    return calls


def test_every_plural_in_the_code_is_a_plural_in_the_catalog() -> None:
    """Babel's extractor can lose a plural (e.g. when an argument names `t`): then only
    its singular is translated and every count reads as one."""
    plurals = {m.id for m in _catalog("es") if m.id and m.pluralizable}
    calls = _plural_calls()
    assert len(calls) >= 5
    for singular, plural in calls:
        assert (singular, plural) in plurals, singular


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_and_plural_form_is_translated(lang: str) -> None:
    catalog = _catalog(lang)
    assert catalog.num_plurals == (3 if lang == "es" else 2)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.pluralizable:
            assert len(strings) == catalog.num_plurals, message.id
        assert all(strings), f"untranslated ({lang}): {message.id!r}"
        assert "fuzzy" not in message.flags, message.id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_and_tags_match(lang: str) -> None:
    for message in _catalog(lang):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = sorted(set(PLACEHOLDER.findall(ids[-1])))
        for string in strings:
            assert sorted(set(PLACEHOLDER.findall(string))) == wanted, message.id
            assert sorted(TAG.findall(string)) == sorted(TAG.findall(ids[0])), message.id


def test_spanish_plural_forms_are_all_used() -> None:
    t = Translator("es")
    singular = "Your {n} paycheck left can carry it: about {percent} of it."
    plural = "Your {n} paychecks left can carry it: about {percent} of each."
    one = t.plural(singular, plural, 1, percent="15%")
    many = t.plural(singular, plural, 3, percent="15%")
    million = t.plural(singular, plural, 1000000, percent="15%")
    for text in (one, many, million):
        assert "paycheck" not in text, "fell back to English"
    assert one != many


@pytest.mark.parametrize(
    ("code", "lang"),
    [("es", "es"), ("es-MX", "es"), ("es-419", "es"), ("en-GB", "en"), ("pt-br", "en"),
     ("xx", "en"), (None, "en"), ("", "en"), ("zh-hans", "en")],
)  # fmt: skip
def test_language_negotiation(code: str | None, lang: str) -> None:
    assert negotiate(code) == lang


def test_catalogs_load() -> None:
    assert translations("es").ugettext("Yes") != "Yes"
