"""Spanish a US reader trusts (issue 15): no English left over, one term per idea (the
glossary at the top of the Spanish catalog), every placeholder and tag of the English
kept, and buttons that fit a phone.

The checks are functions of a catalog, so they can be run on an older one too:
`english_outside_parentheses(read_catalog(path))` lists what a catalog leaves in English.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from dialogs.catalog import CHECK
from dialogs.i18n import LOCALES_DIR, Translator
from dialogs.plan_setup import SETUP

ROOT = Path(__file__).resolve().parents[2]
SPANISH = LOCALES_DIR / "es" / "LC_MESSAGES" / "messages.po"

# What is not prose, and so neither English nor Spanish: tags, {placeholders}, web and
# email addresses, /commands, environment variables, amounts ("$24,500", "24.5k").
NOT_PROSE = re.compile(
    r"<[^>]+>|\{\w+\}|https?://[^\s<]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<![\w/])/[a-z]+"
    r"|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|(?<![\w-])\$?\d[\d,.]*k?\b"
)
WORD = re.compile(r"[^\W\d_]+(?:-[^\W_]+)*")  # letters; hyphens join ("after-tax", "W-2")
PLACEHOLDER = re.compile(r"\{\w+\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")

# English words of the msgids that are Spanish words too (all in the RAE's dictionary).
SPANISH_TOO = frozenset(
    {
        "a", "no", "me", "has",  # "a tu 401(k)", "no", "¿Me podrían…?", "has aportado"
        "plan", "total", "extra", "federal", "marginal", "terminal", "simple",
        "bot", "chat", "chats", "web", "intranet",  # accepted in Spanish as they are
        "social",  # "Seguro Social"
    }
)  # fmt: skip

# English kept outside parentheses on purpose. Keep it minimal: each is a name the
# IRS's own Spanish pages (or Spanish speakers) use as it is.
ALLOWED_ENGLISH = {
    "IRS": "the agency; irs.gov/es says IRS",
    "Roth": "the account type's name (IRA Roth, aportaciones Roth; IRS Tema 309)",
    "IRA": "IRS Spanish keeps IRA (Tema 309: IRA tradicional, IRA Roth)",
    "SEP": "an IRA type's name (IRA SEP), as the IRS writes it in Spanish",
    "AGI": "IRS Link & Learn Taxes in Spanish says 'AGI modificado'",
    "W-2": "the form's name (Formulario W-2)",
    "mega": "'mega backdoor Roth', the strategy's name: there is no Spanish one",
    "backdoor": "'backdoor Roth', the strategy's name: there is no Spanish one",
    "megaroth": "this bot's name",
    "Telegram": "the app's name",
    "QR": "'código QR' is how Spanish names it",
    "Ctrl-D": "a key on the keyboard (the terminal's banner)",
    "Acme": "the example company's name",
    "SECURE": "the law's name (Ley SECURE 2.0), as Spanish press and the IRS cite it",
    "Medicare": "the program's name: the IRS's Spanish pages say 'impuesto del Medicare'",
}
_ALLOWED = {word.lower() for word in ALLOWED_ENGLISH}


def read_catalog(path: Path = SPANISH) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale="es")


def entries(catalog: Catalog) -> list[tuple[list[str], list[str]]]:
    """(msgid and msgid_plural, every msgstr form) of each message."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        string = message.string
        strings = [string] if isinstance(string, str) else list(string or ())
        found.append((ids, [s or "" for s in strings]))
    return found


def outside_parentheses(text: str) -> str:
    """The text without its (...) groups, nested ones too ("límite total (415(c))")."""
    while True:
        shorter = re.sub(r"\([^()]*\)", " ", text)
        if shorter == text:
            return text
        text = shorter


def parentheticals(text: str) -> list[str]:
    return re.findall(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)", text)


def words(text: str) -> list[str]:
    return WORD.findall(NOT_PROSE.sub(" ", text))


def english_words(catalog: Catalog) -> set[str]:
    """Every word of the English source (msgids), lowercased, hyphen parts too."""
    found: set[str] = set()
    for ids, _ in entries(catalog):
        for msgid in ids:
            for word in words(msgid):
                found.add(word.lower())
                found.update(part.lower() for part in word.split("-") if part.isalpha())
    return found


def is_english(word: str, english: set[str]) -> bool:
    if word.lower() in _ALLOWED:
        return False
    candidates = [word, *word.split("-")] if "-" in word else [word]
    return any(
        c.lower() in english and c.lower() not in SPANISH_TOO and c.lower() not in _ALLOWED
        for c in candidates
        if c.isalpha() or "-" in c
    )


def english_outside_parentheses(catalog: Catalog) -> list[tuple[str, str]]:
    """(English word, the msgstr it is in) for every English word outside (...)."""
    english = english_words(catalog)
    found = []
    for _, strings in entries(catalog):
        for string in strings:
            prose = outside_parentheses(NOT_PROSE.sub(" ", string))
            found += [(word, string) for word in WORD.findall(prose) if is_english(word, english)]
    return found


# --------------------------------------------------------------------------- (a)


def test_no_english_word_outside_parentheses() -> None:
    assert english_outside_parentheses(read_catalog()) == []


def test_the_check_finds_english_left_over() -> None:
    """The check itself: it sees what issue 15 found in the catalog before the fix."""
    catalog = read_catalog()
    for message in catalog:
        if message.id == "After-tax so far":
            message.string = "After-tax ya aportado"
        elif message.id == "No match":
            message.string = "Sin match"
        elif message.id == "Pre-tax + Roth deferrals":
            message.string = "Aportaciones pre-tax + Roth"
        elif message.id == "Catch-up at 50+":
            message.string = "Catch-up desde los 50 (catch-up)"
    found = {word for word, _ in english_outside_parentheses(catalog)}
    assert found == {"After-tax", "match", "pre-tax", "Catch-up"}


def test_an_english_term_in_parentheses_comes_once_per_message() -> None:
    """Issue 15: an English term may follow the Spanish one in parentheses, the first time."""
    catalog = read_catalog()
    english = english_words(catalog)
    for _, strings in entries(catalog):
        for string in strings:
            glosses = [
                p for p in parentheticals(string) if any(is_english(w, english) for w in words(p))
            ]
            assert len(glosses) == len(set(glosses)), string
            for gloss in glosses:  # after a Spanish term, never instead of one
                before = NOT_PROSE.sub(" ", string[: string.index(f"({gloss})")])
                assert re.search(r"[^\W\d_]", before), string


# --------------------------------------------------------------------------- (b)

# Wordings issue 15 replaced: Spain's abbreviation, calques, the old terms.
FORBIDDEN = (
    "RR. HH", "RR.HH", "RRHH",  # Spain's: US benefits teams are "Recursos Humanos"
    "elección de nómina",  # a calque of "payroll election": "aportación por nómina"
    "paga impuestos", "pagan impuestos", "pagas impuestos", "pague impuestos",
    "pagarían impuestos",  # money "tributa"
    "deben salir",  # excess contributions "deben devolverse"
    "separada",  # "married filing separately" is "por separado", not "separated"
    "año fiscal",  # the IRS's "año tributario"
    "recuperación",  # catch-up: "aportación para ponerse al día"
    "reparto de utilidades",  # profit sharing: "participación en las ganancias"
)  # fmt: skip

# English terms that may only ever appear in parentheses, after the Spanish.
ONLY_IN_PARENTHESES = ("after-tax", "pre-tax", "match", "catch-up", "in-plan", "in-service",
                       "Roth IRA", "HR", "Notice")  # fmt: skip

# msgid words -> the glossary's Spanish every translation of them uses (case-insensitive),
# and the short labels that may leave the term to their question.
GLOSSARY = (
    (r"\bHR\b", "Recursos Humanos", ()),
    (r"paycheck", "cheque", ()),
    (r"payroll election", "aportación por nómina", ()),
    (r"filing status", "estado civil", ()),
    (r"file your .* return", "declaración", ()),
    (r"in-service withdrawal", "en servicio", ()),  # retiro(s) en servicio
    (r"in-plan", "dentro del plan", ()),
    (r"catch-up", "ponerse al día", ()),
    (r"\bmatch\b", "aportación equivalente", ()),
    (r"phase", "eliminación gradual", ()),
    (r"modified AGI", "modificado (MAGI)", ()),
    (r"tax year", "año tributario", ()),
    (r"Form 8606", "Formulario 8606", ()),
    (r"W-2", "Formulario W-2", ()),
    (r"\bbasis\b", "base", ()),
    (r"Sources", "Fuentes", ()),
    (r"pre-tax", "antes de impuestos", ()),
    (
        r"after-tax",
        "después de impuestos",
        ("Unconverted after-tax balance", "In-service withdrawal of after-tax"),
    ),
    (
        r"deferral",
        "electiva",
        ("Deferrals at other jobs", "Pre-tax + Roth deferrals", "Roth part of deferrals"),
    ),
)


@pytest.mark.parametrize("phrase", FORBIDDEN)
def test_no_old_wording(phrase: str) -> None:
    for _, strings in entries(read_catalog()):
        for string in strings:
            assert phrase.lower() not in string.lower(), string


@pytest.mark.parametrize("term", ONLY_IN_PARENTHESES)
def test_english_terms_only_in_parentheses(term: str) -> None:
    pattern = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)
    for _, strings in entries(read_catalog()):
        for string in strings:
            assert not pattern.search(outside_parentheses(NOT_PROSE.sub(" ", string))), string


@pytest.mark.parametrize(("english", "spanish", "labels"), GLOSSARY, ids=[g[0] for g in GLOSSARY])
def test_one_term_per_idea(english: str, spanish: str, labels: tuple[str, ...]) -> None:
    pattern = re.compile(english, re.IGNORECASE)
    seen = 0
    for ids, strings in entries(read_catalog()):
        if not pattern.search(PLACEHOLDER.sub(" ", ids[0])) or ids[0] in labels:
            continue
        seen += 1
        for string in strings:
            assert spanish.lower() in string.lower(), (ids[0], string)
    assert seen, f"no msgid says {english!r} any more: update the glossary"


def test_one_source_or_several() -> None:
    """One source is "Fuente:"; the list of several is headed "Fuentes"."""
    for ids, strings in entries(read_catalog()):
        for string in strings:
            if "Fuente:" in string:
                assert re.search(r"\bSource:", ids[0]), ids[0]
                assert PLACEHOLDER.findall(string) == ["{source}"], string


def test_the_glossary_heads_the_catalog_and_survives_a_refresh(tmp_path: Path) -> None:
    """scripts/i18n.py re-extracts and merges; the glossary (the header's translator
    comments) must come out of that as it went in."""
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    catalog = read_catalog()
    glossary = [line for line in catalog.header_comment.splitlines() if "=" in line]
    assert any("GLOSARIO" in line for line in catalog.header_comment.splitlines())
    assert any(line.startswith("# HR = Recursos Humanos") for line in glossary)
    catalog.update(script.extract(), no_fuzzy_matching=True)
    script.write(catalog, tmp_path / "messages.po")
    again = read_catalog(tmp_path / "messages.po")
    assert [line for line in again.header_comment.splitlines() if "=" in line] == glossary


# --------------------------------------------------------------------------- (c)


def test_every_placeholder_and_tag_is_kept() -> None:
    catalog = read_catalog()
    for ids, strings in entries(catalog):
        if len(ids) > 1:  # a plural: every form the Plural-Forms header names
            assert len(strings) == catalog.num_plurals == 3, ids[0]
        for n, string in enumerate(strings):
            source = ids[min(n, len(ids) - 1)]
            assert string, ids[0]
            assert Counter(PLACEHOLDER.findall(string)) == Counter(PLACEHOLDER.findall(source)), (
                source,
                string,
            )
            assert Counter(TAG.findall(string)) == Counter(TAG.findall(source)), (source, string)


# --------------------------------------------------------------------------- buttons

BUTTON_LIMIT = 26  # characters: "about 25", what a phone shows on a button

# Longer labels, each on a row of its own (full width), and why.
LONG_BUTTONS = {
    "Married, jointly": "the IRS's words (issue 15): Casado/a, declaración conjunta",
    "Married, separately (lived together)": "the IRS's words (issue 15)",
    "Married, separately (lived apart all year)": "the IRS's words (issue 15)",
    "After-tax so far": "a summary button; no shorter Spanish says both 'after-tax' and "
    "'already in' (the same label names the chart's segment)",
}
FIXED_BUTTONS = (
    "Change an answer", "Start over", "Show my result", "Save changes", "Cancel",
    "Cancel setup", "Edit", "QR code", "Delete", "Yes, delete it", "Keep it", "« Back",
)  # fmt: skip


def _button_labels() -> set[str]:
    labels = set(FIXED_BUTTONS)
    for question in (*CHECK, *SETUP):
        labels.add(question.summary_label)  # the summary's and the review's buttons
        labels.update(option.label for option in question.options)
    return labels


@pytest.mark.parametrize("label", sorted(_button_labels()))
def test_buttons_fit_a_phone(label: str) -> None:
    spanish = Translator("es")(label)
    limit = 52 if label in LONG_BUTTONS else BUTTON_LIMIT
    assert len(spanish) <= limit, spanish
