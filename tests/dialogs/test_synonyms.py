"""The synonyms table: what people type for a button, per question, in both languages."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import flow, parsing, synonyms
from dialogs.catalog import CHECK, Kind, Question
from dialogs.plan_setup import SETUP
from dialogs.synonyms import LEFT_OUT, SYNONYMS, UNSURE_MEANS, key, match_synonym, match_year

FAST = settings(max_examples=150, deadline=None, database=None)
QUESTIONS: dict[str, Question] = {q.id: q for q in (*CHECK, *SETUP)}
THIS_YEAR = 2026


def _phrases(question_id: str) -> list[tuple[str, str, str]]:
    """(value, lang, phrase) for every phrase of a question."""
    return [
        (value, lang, phrase)
        for value, by_lang in SYNONYMS[question_id].items()
        for lang, phrases in by_lang.items()
        for phrase in phrases
    ]


ALL_PHRASES = sorted((q, *entry) for q in SYNONYMS for entry in _phrases(q))


# --- hand-written cases, both languages ------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "text", "lang", "expected"),
    [
        # filing status: the "married", "jointly", "casado"
        ("filing_status", "married", "en", "married_joint"),
        ("filing_status", "Married.", "en", "married_joint"),
        ("filing_status", "jointly", "en", "married_joint"),
        ("filing_status", "married jointly", "en", "married_joint"),
        ("filing_status", "Married filing jointly", "en", "married_joint"),
        ("filing_status", "MFJ", "en", "married_joint"),
        ("filing_status", "we're married", "en", "married_joint"),
        ("filing_status", "casado", "es", "married_joint"),
        ("filing_status", "Casada", "es", "married_joint"),
        ("filing_status", "casados", "es", "married_joint"),
        ("filing_status", "conjunta", "es", "married_joint"),
        ("filing_status", "Declaración conjunta", "es", "married_joint"),
        ("filing_status", "casado/a, declaración conjunta", "es", "married_joint"),
        ("filing_status", "single", "en", "single"),
        ("filing_status", "I'm single", "en", "single"),
        ("filing_status", "soltera", "es", "single"),
        ("filing_status", "soy soltero", "es", "single"),
        ("filing_status", "separately, lived together", "en", "married_separate"),
        ("filing_status", "MFS together", "en", "married_separate"),
        ("filing_status", "por separado, vivimos juntos", "es", "married_separate"),
        ("filing_status", "lived apart", "en", "married_separate_apart"),
        ("filing_status", "MFS, lived apart", "en", "married_separate_apart"),
        ("filing_status", "vivimos aparte", "es", "married_separate_apart"),
        ("filing_status", "HOH", "en", "head_of_household"),
        ("filing_status", "head of household", "en", "head_of_household"),
        ("filing_status", "cabeza de familia", "es", "head_of_household"),
        ("filing_status", "jefa de familia", "es", "head_of_household"),
        # the way to Roth: "in plan", "dentro del plan"
        ("conversion", "in plan", "en", "in_plan"),
        ("conversion", "In-plan", "en", "in_plan"),
        ("conversion", "inside the plan", "en", "in_plan"),
        ("conversion", "to the Roth 401(k)", "en", "in_plan"),
        ("conversion", "dentro del plan", "es", "in_plan"),
        ("conversion", "Conversión dentro del plan", "es", "in_plan"),
        ("conversion", "in-service", "en", "in_service"),
        ("conversion", "roll it to a Roth IRA", "en", "in_service"),
        ("conversion", "retiro", "es", "in_service"),
        ("conversion", "a una Roth IRA", "es", "in_service"),
        ("conversion", "both", "en", "both"),
        ("conversion", "las dos", "es", "both"),
        ("conversion", "neither", "en", "neither"),
        ("conversion", "ninguna de las dos", "es", "neither"),
        ("conversion", "not sure", "en", "unsure"),  # from parse_yes_no
        ("conversion", "idk", "en", "unsure"),
        ("conversion", "no sé", "es", "unsure"),
        ("conversion", "?", "es", "unsure"),
        ("conversion", "no sé cuál", "es", "unsure"),
        # automatic conversion
        ("auto_convert", "automatically", "en", "yes"),
        ("auto_convert", "it's automatic", "en", "yes"),
        ("auto_convert", "with each paycheck", "en", "yes"),
        ("auto_convert", "automáticamente", "es", "yes"),
        ("auto_convert", "manually", "en", "no"),
        ("auto_convert", "I have to request it", "en", "no"),
        ("auto_convert", "hay que pedirlo", "es", "no"),
        ("plan_auto", "automatic", "en", "yes"),
        ("plan_auto", "a mano", "es", "no"),
        # caps
        ("after_tax_cap", "no", "en", "none"),
        ("after_tax_cap", "no cap", "en", "none"),
        ("after_tax_cap", "unlimited", "en", "none"),
        ("after_tax_cap", "sin tope", "es", "none"),
        ("after_tax_cap", "no tiene límite", "es", "none"),
        ("plan_cap", "no limit", "en", "none"),
        # deferrals: "max", "el máximo"
        ("deferrals", "max", "en", "max"),
        ("deferrals", "the max", "en", "max"),
        ("deferrals", "Maximum", "en", "max"),
        ("deferrals", "max it out", "en", "max"),
        ("deferrals", "as much as I can", "en", "max"),
        ("deferrals", "el máximo", "es", "max"),
        ("deferrals", "lo máximo", "es", "max"),
        ("deferrals", "al máximo", "es", "max"),
        ("deferrals", "todo lo permitido", "es", "max"),
        ("deferrals", "nothing", "en", "0"),
        ("deferrals", "no aporto nada", "es", "0"),
        # other money questions with a button
        ("employer", "no match", "en", "0"),
        ("employer", "sin match", "es", "0"),
        ("after_tax_in", "none yet", "en", "0"),
        ("after_tax_in", "not yet", "en", "0"),
        ("after_tax_in", "todavía nada", "es", "0"),
        ("balance", "it's all converted", "en", "0"),
        ("balance", "ya convertí todo", "es", "0"),
        ("earnings", "no earnings", "en", "0"),
        ("earnings", "sin ganancias", "es", "0"),
        ("ira_balance", "only Roth", "en", "0"),
        ("ira_balance", "I don't have any", "en", "0"),
        ("ira_balance", "no tengo", "es", "0"),
        # "same": the "same", "lo mismo", "igual"
        ("prior_pay", "same", "en", "pay"),
        ("prior_pay", "the same", "en", "pay"),
        ("prior_pay", "About the same", "en", "pay"),
        ("prior_pay", "lo mismo", "es", "pay"),
        ("prior_pay", "igual", "es", "pay"),
        ("prior_pay", "más o menos igual", "es", "pay"),
        ("magi", "same as my pay", "en", "pay"),
        ("magi", "about my pay", "en", "pay"),
        ("magi", "same", "en", "pay"),
        ("magi", "igual que mi salario", "es", "pay"),
        ("magi", "lo mismo", "es", "pay"),
        # the tax rate
        ("tax_rate", "skip", "en", "skip"),
        ("tax_rate", "pass", "en", "skip"),
        ("tax_rate", "no thanks", "en", "skip"),
        ("tax_rate", "not sure", "en", "skip"),  # from parse_yes_no
        ("tax_rate", "no sé", "es", "skip"),
        ("tax_rate", "omitir", "es", "skip"),
        ("tax_rate", "the 24% bracket", "en", "0.24"),
        ("tax_rate", "tramo del 32%", "es", "0.32"),
        # the HR setup
        ("plan_after_tax", "it accepts after-tax", "en", "yes"),
        ("plan_after_tax", "solo pre-tax y Roth", "es", "no"),
        ("after_tax", "no after-tax", "en", "no"),
        ("after_tax", "sí acepta después de impuestos", "es", "yes"),
        ("plan_in_service", "only when they leave", "en", "no"),
        ("plan_in_service", "solo al salir", "es", "no"),
        ("plan_match", "no match", "en", "none"),
        ("plan_match", "0%", "en", "none"),
        ("plan_match", "no hay match", "es", "none"),
        ("plan_nonelective", "just the match", "en", "none"),
        ("plan_nonelective", "no", "es", "none"),
        ("plan_frequency", "biweekly", "en", "biweekly"),
        ("plan_frequency", "every other week", "en", "biweekly"),
        ("plan_frequency", "26", "en", "biweekly"),
        ("plan_frequency", "cada dos semanas", "es", "biweekly"),
        ("plan_frequency", "twice a month", "en", "semimonthly"),
        ("plan_frequency", "1st and 15th", "en", "semimonthly"),
        ("plan_frequency", "el 15 y el 30", "es", "semimonthly"),
        ("plan_frequency", "weekly", "en", "weekly"),
        ("plan_frequency", "semanal", "es", "weekly"),
        ("plan_frequency", "monthly", "en", "monthly"),
        ("plan_frequency", "una vez al mes", "es", "monthly"),
        # words of the other language count too: people mix languages
        ("filing_status", "casado", "en", "married_joint"),
        ("conversion", "in plan", "es", "in_plan"),
        ("deferrals", "the max", "es", "max"),
    ],
)
def test_synonyms(question: str, text: str, lang: str, expected: str) -> None:
    assert match_synonym(question, text, lang) == expected


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("filing_status", "married separately, lived together or apart"),
        ("filing_status", "married or single"),
        ("filing_status", "marriedd"),  # no fuzzy matching
        ("filing_status", "not single"),
        ("filing_status", "casado y soltero"),
        ("conversion", "in plan and"),
        ("conversion", "plan"),
        ("conversion", "no"),  # no to what? the question is not yes/no
        ("conversion", "yes"),
        ("deferrals", "max or nothing"),
        ("deferrals", "maxx"),
        ("deferrals", "the match"),  # depends on the match: not a button
        ("prior_pay", "not the same"),
        ("prior_pay", "no es igual"),
        ("magi", "same as my spouse"),
        ("tax_rate", "37% bracket"),  # no button for it: parse_rate reads "37%"
        ("tax_rate", "22"),  # parse_rate's, not a synonym
        ("plan_frequency", "every 3 weeks"),
        ("plan_frequency", "25"),
        ("after_tax_cap", "15%"),
        ("auto_convert", "automatically or manually"),
        ("auto_convert", "not sure"),  # a yes/no question: parse_yes_no's job
        ("age", "forty"),  # no buttons: nothing to match
        ("pay", "same"),
        ("no_such_question", "yes"),
    ],
)
def test_not_synonyms(question: str, text: str) -> None:
    for lang in ("en", "es"):
        assert match_synonym(question, text, lang, this_year=THIS_YEAR) is None


@pytest.mark.parametrize(
    ("question", "phrase"), sorted((q, p) for q, phrases in LEFT_OUT.items() for p in phrases)
)
def test_phrases_that_could_mean_two_options_are_not_matched(question: str, phrase: str) -> None:
    for lang in ("en", "es"):
        assert match_synonym(question, phrase, lang) is None
        assert match_synonym(question, phrase.upper() + "!", lang) is None


# --- tax year: "this year", "este año", "last year", "el año pasado" -------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this year", 2026),
        ("This year!", 2026),
        ("current year", 2026),
        ("este año", 2026),
        ("Este año.", 2026),
        ("el año actual", 2026),
        ("last year", 2025),
        ("the previous year", 2025),
        ("el año pasado", 2025),
        ("año pasado", 2025),
        ("el anterior", 2025),
        ("next year", 2027),
        ("el año que viene", 2027),
        ("el próximo año", 2027),
        ("2026 (this year)", 2026),  # the button's label, typed
        ("2026 (este año)", 2026),
        ("2025 (this year)", None),  # not this year: don't guess which was meant
        ("this year or last", None),
        ("year", None),
        ("año", None),
        ("2026", None),  # parse_year's
        ("?", None),
        ("x" * 500, None),
    ],
)
def test_match_year(text: str, expected: int | None) -> None:
    assert match_year(text, 2026) == expected


def test_tax_year_synonyms_need_this_year() -> None:
    assert match_synonym("tax_year", "este año", "es", this_year=2026) == "2026"
    assert match_synonym("tax_year", "last year", "en", this_year=2026) == "2025"
    assert match_synonym("tax_year", "el año pasado", "en", this_year=2027) == "2026"
    assert match_synonym("tax_year", "este año", "es") is None


def test_relative_years_are_distinct() -> None:
    seen: dict[str, str] = {}
    for offset, by_lang in synonyms.RELATIVE_YEARS.items():
        int(offset)
        for phrase in (p for phrases in by_lang.values() for p in phrases):
            assert seen.setdefault(key(phrase), offset) == offset, phrase


def test_unsupported_language_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unsupported language") as caught:
        match_synonym("filing_status", "married", "fr")
    assert not isinstance(caught.value, parsing.ParseError)
    assert match_synonym("filing_status", "casado", "es-MX") == "married_joint"


# --- the table's shape, against the catalogs -------------------------------------------------


def test_every_question_and_value_is_real() -> None:
    for question_id, options in {**SYNONYMS, **{q: {} for q in LEFT_OUT}}.items():
        assert question_id in QUESTIONS, question_id
        values = {o.value for o in QUESTIONS[question_id].options}
        assert set(options) <= values, (question_id, set(options) - values)
    for question_id, value in UNSURE_MEANS.items():
        assert value in {o.value for o in QUESTIONS[question_id].options}
        assert QUESTIONS[question_id].kind is not Kind.yes_no  # those use parse_yes_no


def test_every_question_with_buttons_is_covered() -> None:
    """Every button question has synonyms, except those another reader covers."""
    covered_elsewhere = {
        "tax_year": "match_year",
        "paychecks": "parse_count reads numbers, in digits or words",
        "plan_in_plan": "parse_yes_no",
    }
    for question in QUESTIONS.values():
        if question.options or question.kind is Kind.year:
            assert question.id in SYNONYMS or question.id in covered_elsewhere, question.id


def test_every_phrase_has_both_languages() -> None:
    for question_id, options in SYNONYMS.items():
        for value, by_lang in options.items():
            assert set(by_lang) <= {"en", "es"}, (question_id, value)
            if question_id != "conversion" or value != "unsure":
                assert by_lang.get("en"), (question_id, value)
                assert by_lang.get("es"), (question_id, value)


def test_no_synonym_names_two_options() -> None:
    for question_id in SYNONYMS:
        seen: dict[str, str] = {}
        for value, _, phrase in _phrases(question_id):
            assert seen.setdefault(key(phrase), value) == value, (question_id, phrase)
        for phrase in LEFT_OUT.get(question_id, ()):
            assert key(phrase) not in seen, (question_id, phrase)


def test_no_synonym_contradicts_parse_yes_no() -> None:
    """A phrase parse_yes_no also reads must mean the same: "no" is never "yes"."""
    answers = {True: "yes", False: "no", None: "unsure"}
    for question_id in SYNONYMS:
        question = QUESTIONS[question_id]
        unsure_value = UNSURE_MEANS.get(question_id)
        for value, _, phrase in _phrases(question_id):
            try:
                answer = parsing.parse_yes_no(phrase, "en")
            except parsing.ParseError:
                continue
            if question.kind is Kind.yes_no:
                assert answers[answer] == value, (question_id, phrase)
            elif answer is None and unsure_value is not None:
                assert value == unsure_value, (question_id, phrase)


def test_no_synonym_contradicts_the_question_parser() -> None:
    """A phrase the question's own parser reads must give the same answer, so it does not
    matter which the dialog tries first ("none" is $0 either way; "max" is no amount)."""
    for question_id in SYNONYMS:
        question = QUESTIONS[question_id]
        for value, lang, phrase in _phrases(question_id):
            try:
                if question.kind is Kind.money:
                    read: object = parsing.parse_amount(phrase, lang)
                elif question.kind is Kind.percent:
                    read = parsing.parse_percent(phrase, lang)
                elif question.kind is Kind.rate:
                    read = parsing.parse_rate(phrase, lang)
                elif question.kind in (Kind.match, Kind.money_or_match):
                    read = parsing.parse_match(phrase, lang)
                else:
                    continue
            except parsing.ParseError:
                continue
            assert read == flow.option_value(question, value), (question_id, phrase, read)


def test_every_value_is_accepted_as_a_tap() -> None:
    """What match_synonym returns goes where a tapped button's value goes."""
    for question_id, options in SYNONYMS.items():
        for value in options:
            assert (
                flow.tapped_value(QUESTIONS[question_id], value, dt.date(2026, 6, 1)) is not None
            )


@pytest.mark.parametrize(("question", "value", "lang", "phrase"), ALL_PHRASES)
def test_every_phrase_matches_its_option(
    question: str, value: str, lang: str, phrase: str
) -> None:
    for typed in (phrase, phrase.upper(), f"¡{phrase}!", _without_accents(phrase)):
        assert match_synonym(question, typed, lang) == value, typed
    other = "es" if lang == "en" else "en"
    assert match_synonym(question, phrase, other) == value


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# --- properties ------------------------------------------------------------------------------

question_ids = st.sampled_from(sorted({*QUESTIONS, *SYNONYMS, "tax_year", "nope"}))
phrases = st.sampled_from([p for *_, p in ALL_PHRASES])
near_misses = st.lists(phrases | st.sampled_from(["no", "not", "yes", ",", "y", "?"]), max_size=3)


@FAST
@given(question=question_ids, text=st.text(max_size=120), lang=st.sampled_from(["en", "es"]))
def test_any_text_gives_an_option_or_none(question: str, text: str, lang: str) -> None:
    _check_result(question, text, lang)


@FAST
@given(question=question_ids, parts=near_misses, lang=st.sampled_from(["en", "es"]))
def test_phrases_put_together_give_an_option_or_none(
    question: str, parts: list[str], lang: str
) -> None:
    _check_result(question, " ".join(parts), lang)


def _check_result(question: str, text: str, lang: str) -> None:
    result = match_synonym(question, text, lang, this_year=THIS_YEAR)
    if result is None:
        return
    if question == "tax_year":
        assert result in {str(THIS_YEAR + d) for d in (-1, 0, 1)}
        return
    assert result in {o.value for o in QUESTIONS[question].options}
    if question in UNSURE_MEANS and result == UNSURE_MEANS[question]:
        return  # whatever parse_yes_no reads as not sure ("?" has no words to key)
    assert key(text) in {key(p) for _, _, p in _phrases(question)}


def test_money_values_are_amounts() -> None:
    """The money options named here are "0" or a symbol the flow keeps as a word."""
    for question_id, options in SYNONYMS.items():
        if QUESTIONS[question_id].kind in (Kind.money, Kind.money_or_match):
            for value in options:
                assert value in flow.SYMBOLS or Decimal(value) == 0
