"""Free-text parsing: every accepted form, a rejected list, and hypothesis properties."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import parsing
from dialogs.parsing import (
    MAX_INPUT_LENGTH,
    ParseError,
    parse_age,
    parse_amount,
    parse_count,
    parse_match,
    parse_percent,
    parse_rate,
    parse_year,
    parse_yes_no,
)

D = Decimal
FAST = settings(max_examples=150, deadline=None, database=None)

# Inputs no parser may accept, or crash on.
HOSTILE = [
    "",
    " ",
    "\t\n",
    "\x00",
    "\x00" * 50,
    "\u200b",
    "💸",
    "٣",
    "٢٣٠٠٠",
    "２３０００",
    "2³",
    "½",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1e999",
    "1E5",
    "--5",
    "-5",
    "+5",
    "5" * 5000,
    "yes" * 2000,
    "x" * (MAX_INPUT_LENGTH + 1),
    "DROP TABLE users;",
    "null",
]


# --- amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23000", "23000"),
        ("$23,000", "23000"),
        ("23k", "23000"),
        ("23K", "23000"),
        ("23.5K", "23500"),
        ("24 500", "24500"),
        ("24\u00a0500", "24500"),
        ("24\u2009500", "24500"),
        ("24\u202f500", "24500"),
        ("1 234 567", "1234567"),
        ("$1.2m", "1200000"),
        ("1.2M", "1200000"),
        ("1.2 million", "1200000"),
        ("23 grand", "23000"),
        ("0", "0"),
        ("$0", "0"),
        ("none", "0"),
        ("None", "0"),
        ("zero", "0"),
        ("nothing", "0"),
        ("nada", "0"),
        ("US$ 23,000", "23000"),
        ("us$23,000", "23000"),
        ("USD 23000", "23000"),
        ("23,000.50", "23000.50"),
        (" 23000 ", "23000"),
        ("23000 dollars", "23000"),
        ("$23000 USD", "23000"),
        ("$23k USD", "23000"),
        ("23000.", "23000"),
        ("1.2345k", "1234.50"),
        ("1.2345", "1.23"),
        ("1.2250", "1.23"),  # half-up, not half-even
        ("23.000", "23000"),
        ("23.000,50", "23000.50"),
        ("1,000,000.00", "1000000"),
        ("$1,000,000,000", "1000000000"),
        ("1,000k", "1000000"),
        ("＄23,000", "23000"),
    ],
)
def test_amount_en(text: str, expected: str) -> None:
    value = parse_amount(text, "en")
    assert value == D(expected)
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23.000", "23000"),
        ("23.000,50", "23000.50"),
        ("23,000", "23000"),
        ("23,000.50", "23000.50"),
        ("1.234.567,89", "1234567.89"),
        ("24 500", "24500"),
        ("24\u00a0500,50", "24500.50"),
        ("1,5 mil", "1500"),
        ("2 mil", "2000"),
        ("1,2 millones", "1200000"),
        ("1 millón", "1000000"),
        ("1 MILLÓN", "1000000"),
        ("1 millon de dólares", "1000000"),
        ("23k", "23000"),
        ("23,5k", "23500"),
        ("ninguno", "0"),
        ("nada", "0"),
        ("cero", "0"),
        ("none", "0"),
        ("0", "0"),
        ("23000 dólares", "23000"),
        ("23000 dolares", "23000"),
        ("23.000 $", "23000"),
        ("12,5", "12.50"),
    ],
)
def test_amount_es(text: str, expected: str) -> None:
    assert parse_amount(text, "es") == D(expected)


@pytest.mark.parametrize(
    "text",
    [
        "n/a",
        "N/A",
        "-5",
        "-$5",
        "$-5",
        "(500)",
        "−5",
        "abc",
        "twenty",
        "twenty thousand",
        "1,2,3",
        "5 6 7",
        "24 5000",
        "24  5",
        "6%",
        "$",
        "k",
        "23kk",
        "23 k m",
        "1,,000",
        "1.000,000.00",
        "1,234.567",
        "1 234.567",
        "0,500",
        "0.500",
        "1234,567",
        "23000 euros",
        "€23000",
        "$1,000,000,000.01",
        "1001m",
        "2 billion",
        "0x10",
        "1_000",
        ".50",
        "23 000 000 000 000",
        "yes",
        "no",
    ],
)
def test_amount_rejected(text: str) -> None:
    for lang in ("en", "es"):
        with pytest.raises(ParseError) as caught:
            parse_amount(text, lang)
        assert caught.value.kind == "amount"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("12,5", "en"),  # "," is not the decimal point in English
        ("1.5", "es"),  # nor "." in Spanish
        ("23.5k", "es"),
        ("1,5 mil", "en"),  # "mil" is colloquially a million in English: refused
        ("2 mil", "en"),
        ("1,2m", "es"),  # "m" could be "mil" in Spanish: refused
        ("2 m", "es"),
    ],
)
def test_amount_language_specific_rejections(text: str, lang: str) -> None:
    with pytest.raises(ParseError):
        parse_amount(text, lang)


def test_amount_language_code_may_have_region() -> None:
    assert parse_amount("1,5 mil", "es-MX") == D(1500)


def test_unknown_language_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unsupported language") as caught:
        parse_amount("23000", "fr")
    assert not isinstance(caught.value, ParseError)


def test_huge_input_is_refused_cheaply() -> None:
    huge = "9" * 5_000_000
    start = time.perf_counter()
    for function in (lambda t: parse_amount(t, "en"), lambda t: parse_yes_no(t, "en")):
        with pytest.raises(ParseError, match="too long"):
            function(huge)
    assert time.perf_counter() - start < 0.05


def test_parse_error_is_a_value_error_naming_its_kind() -> None:
    with pytest.raises(ValueError, match="not a valid amount") as caught:
        parse_amount("abc", "en")
    assert isinstance(caught.value, ParseError)
    assert caught.value.kind == "amount"
    assert "abc" not in str(caught.value)  # user text stays out of logs


# --- age, year, count --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45", 45),
        (" 45 ", 45),
        ("45 years", 45),
        ("45 years old", 45),
        ("45 yrs", 45),
        ("45yo", 45),
        ("45 años", 45),
        ("45 anos", 45),
        ("45 años de edad", 45),
        ("I'm 45", 45),
        ("tengo 45 años", 45),
        ("18", 18),
        ("120", 120),
        ("1981", 2026 - 1981),
        ("born 1981", 45),
        ("born in 1981", 45),
        ("nací en 1981", 45),
        ("2008", 18),
        ("1906", 120),
    ],
)
def test_age(text: str, expected: int) -> None:
    assert parse_age(text, 2026) == expected


def test_age_from_birth_year_uses_tax_year() -> None:
    assert parse_age("1981", 2024) == 43


@pytest.mark.parametrize(
    "text",
    [
        "17",
        "121",
        "0",
        "2009",
        "1905",
        "45.5",
        "45,5",
        "forty-five",
        "45 46",
        "1981 years",
        "99999",
        "-45",
    ],
)
def test_age_rejected(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_age(text, 2026)
    assert caught.value.kind == "age"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025", 2025), ("1900", 1900), ("2200", 2200), (" 2026. ", 2026), ("tax year 2024", 2024)],
)
def test_year(text: str, expected: int) -> None:
    assert parse_year(text) == expected


@pytest.mark.parametrize("text", ["1899", "2201", "25", "'25", "20255", "2025.5"])
def test_year_rejected(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_year(text)
    assert caught.value.kind == "year"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24", 24),
        ("24 paychecks", 24),
        ("24 pay checks", 24),
        ("1 paycheck", 1),
        ("24 paychecks left", 24),
        ("24 pay periods", 24),
        ("24 pagos", 24),
        ("24 quincenas", 24),
        ("24 periodos de pago", 24),
        ("26", 26),
    ],
)
def test_count(text: str, expected: int) -> None:
    assert parse_count(text, 1, 26) == expected


@pytest.mark.parametrize("text", ["0", "27", "24.5", "24 apples", "twenty", "24 25", "1" * 20])
def test_count_rejected(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_count(text, 1, 26)
    assert caught.value.kind == "count"


# --- percentages, rates, match -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("6%", "en", "6"),
        ("6", "en", "6"),
        ("6.5%", "en", "6.5"),
        ("6.5 %", "en", "6.5"),
        ("6,5 %", "es", "6.5"),
        ("6,5%", "en", "6.5"),
        ("6 percent", "en", "6"),
        ("6 per cent", "en", "6"),
        ("6 por ciento", "es", "6"),
        ("100%", "en", "100"),
        ("0.5%", "en", "0.5"),
        (".5%", "en", "0.5"),
        ("6%.", "en", "6"),
    ],
)
def test_percent(text: str, lang: str, expected: str) -> None:
    assert parse_percent(text, lang) == D(expected)


@pytest.mark.parametrize(
    "text",
    ["0", "0%", "100.01", "101%", "-6%", "6%%", "six", "6 7", "1,000", "6.5.5", "%"],
)
def test_percent_rejected(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_percent(text, "en")
    assert caught.value.kind == "percent"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("32%", "en", "0.32"),
        ("32", "en", "0.32"),
        ("24.5%", "en", "0.245"),
        ("24,5 %", "es", "0.245"),
        ("0.32", "en", "0.32"),
        ("0,32", "es", "0.32"),
        (".32", "en", "0.32"),
        ("0.5%", "en", "0.005"),
        ("1", "en", "0.01"),
        ("0", "en", "0"),
        ("0%", "en", "0"),
        ("100%", "en", "1"),
        ("37 percent", "en", "0.37"),
        ("37 por ciento", "es", "0.37"),
    ],
)
def test_rate(text: str, lang: str, expected: str) -> None:
    assert parse_rate(text, lang) == D(expected)


@pytest.mark.parametrize("text", ["400%", "101", "-0.32", "32%%", "thirty", "1,000"])
def test_rate_rejected(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_rate(text, "en")
    assert caught.value.kind == "rate"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("50% of the first 6%", "en", ("50", "6")),
        ("50% up to 6%", "en", ("50", "6")),
        ("50% of 6%", "en", ("50", "6")),
        ("100% of the first 4%", "en", ("100", "4")),
        ("100% up to 4% of pay", "en", ("100", "4")),
        ("50% match on the first 6% of salary", "en", ("50", "6")),
        ("50 percent of the first 6 percent", "en", ("50", "6")),
        ("dollar for dollar up to 4%", "en", ("100", "4")),
        ("Dollar-for-dollar on the first 4%", "en", ("100", "4")),
        ("50/6", "en", ("50", "6")),
        ("50% / 6%", "en", ("50", "6")),
        ("25% of the first 5.5%", "en", ("25", "5.5")),
        ("200% of the first 3%", "en", ("200", "3")),
        ("50% del primer 6%", "es", ("50", "6")),
        ("50% hasta el 6%", "es", ("50", "6")),
        ("100% hasta 4% del salario", "es", ("100", "4")),
        ("50% de los primeros 6%", "es", ("50", "6")),
        ("dólar por dólar hasta el 4%", "es", ("100", "4")),
        ("50% hasta el 5,5%", "es", ("50", "5.5")),
    ],
)
def test_match(text: str, lang: str, expected: tuple[str, str]) -> None:
    assert parse_match(text, lang) == (D(expected[0]), D(expected[1]))


@pytest.mark.parametrize(
    "text",
    [
        "50%",
        "6%",
        "50",
        "50% of the first",
        "201% of the first 6%",
        "0% of 6%",
        "50% of 0%",
        "50% of 101%",
        "-50% of 6%",
        "50% of -6%",
        "50% of the first 6% of 7%",
        "50/6/7",
        "1,000% of 6%",
        "fifty percent of six",
        "dollar for dollar",
        "dollar for dollar up to 4% and 50% up to 6%",
    ],
)
def test_match_rejected(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_match(text, "en")
    assert caught.value.kind == "match"


# --- yes / no / not sure -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *((t, True) for t in ["yes", "Yes!", "YES", "y", "Y.", "yeah", "yep", "sure", "true"]),
        *((t, True) for t in ["si", "sí", "SÍ.", "Sí!", "claro", "¡Claro!", "👍", "👍🏽"]),
        *((t, False) for t in ["no", "No.", "NO!", "n", "nope", "false", "👎"]),
        *((t, None) for t in ["not sure", "Not sure.", "unsure", "don't know", "dont know"]),
        *((t, None) for t in ["I don’t know", "idk", "IDK", "no sé", "no se", "¿No sé?"]),
        *(
            (t, None)
            for t in ["no estoy seguro", "no estoy segura", "ni idea", "?", "¿?", "🤷", "🤷‍♀️"]
        ),
    ],
)
def test_yes_no(text: str, expected: bool | None) -> None:
    for lang in ("en", "es"):  # both languages are understood whatever the user's language
        assert parse_yes_no(text, lang) is expected


@pytest.mark.parametrize(
    "text", ["yes no", "yes/no", "n/a", "1", "0", "yess", "sí no", "да", "!", "..."]
)
def test_yes_no_rejected(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_yes_no(text, "en")
    assert caught.value.kind == "yes_no"


# --- hostile input and properties --------------------------------------------------------

Parser = Callable[[str], object]
PARSERS: dict[str, tuple[Parser, type | tuple[type, ...]]] = {
    "amount_en": (lambda t: parse_amount(t, "en"), Decimal),
    "amount_es": (lambda t: parse_amount(t, "es"), Decimal),
    "age": (lambda t: parse_age(t, 2026), int),
    "percent": (lambda t: parse_percent(t, "en"), Decimal),
    "rate": (lambda t: parse_rate(t, "es"), Decimal),
    "yes_no": (lambda t: parse_yes_no(t, "en"), (bool, type(None))),
    "match": (lambda t: parse_match(t, "es"), tuple),
    "count": (lambda t: parse_count(t, 1, 53), int),
    "year": (parse_year, int),
}


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_refused_by_every_parser(text: str) -> None:
    for name, (function, _) in PARSERS.items():
        try:
            result = function(text)
        except ParseError:
            continue
        pytest.fail(f"{name} accepted {text[:20]!r} as {result!r}")


def _returns_its_type_or_parse_error(text: str) -> None:
    for name, (function, expected) in PARSERS.items():
        try:
            result = function(text)
        except ParseError:
            continue
        assert isinstance(result, expected), (name, text, result)
        parts = result if isinstance(result, tuple) else (result,)
        for part in parts:
            if isinstance(part, Decimal):
                assert part.is_finite()
                assert part >= 0
        if name.startswith("amount"):
            assert isinstance(result, Decimal)
            assert result <= Decimal(1_000_000_000)
            assert result.as_tuple().exponent == -2


# Text made of the pieces the parsers care about, so examples reach deep paths.
NEAR_MISS = st.lists(
    st.sampled_from(
        [
            *("0123456789" * 3),
            *" ,.,.$%/-()?¿!kKmM",
            *("\u00a0", "\u2009", "\u202f", "٣", "²", "\x00", "💸", "e", "years"),
            *("mil", "millones", "up to ", "of ", "the first ", "dollars", "por ciento"),
            *(" sí", "no", "yes", "n/a", "nan", "inf"),
        ]
    ),
    max_size=20,
).map("".join)


@FAST
@given(text=st.text())
def test_any_text_gives_a_value_or_parse_error(text: str) -> None:
    _returns_its_type_or_parse_error(text)


@FAST
@given(text=NEAR_MISS)
def test_near_miss_text_gives_a_value_or_parse_error(text: str) -> None:
    _returns_its_type_or_parse_error(text)


money = st.decimals(min_value=0, max_value=1_000_000_000, places=2, allow_nan=False)


def _english(value: Decimal) -> str:
    return f"${value:,.2f}"


def _spanish(value: Decimal) -> str:
    return f"{value:,.2f}".translate(str.maketrans(",.", ".,"))


def test_money_formats() -> None:
    assert _english(D("1234.56")) == "$1,234.56"
    assert _spanish(D("1234.56")) == "1.234,56"


@FAST
@given(value=money)
def test_money_round_trips(value: Decimal) -> None:
    assert parse_amount(_english(value), "en") == value
    assert parse_amount(_spanish(value), "es") == value
    assert parse_amount(f"{value:f}", "en") == value


@FAST
@given(age=st.integers(min_value=18, max_value=120), tax_year=st.integers(2000, 2100))
def test_age_round_trips(age: int, tax_year: int) -> None:
    assert parse_age(str(age), tax_year) == age
    assert parse_age(f"{age} years", tax_year) == age
    assert parse_age(str(tax_year - age), tax_year) == age


# --- two-tier matches ----------------------------------------------------------------------

_SAFE_HARBOR = ((Decimal(100), Decimal(3)), (Decimal(50), Decimal(2)))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("100% of the first 3% and 50% of the next 2%", "en"),
        ("100% of the first 3%, then 50% of the next 2%", "en"),
        ("100% up to 3% plus 50% of the next 2% of pay", "en"),
        ("dollar for dollar up to 3% and 50% on the next 2%", "en"),
        ("100% del primer 3% y 50% del siguiente 2%", "es"),
        ("100% de los primeros 3% y 50% de los siguientes 2%", "es"),
        ("100% hasta el 3% y luego 50% del próximo 2%", "es"),
    ],
)
def test_two_tier_matches(text: str, lang: str) -> None:
    assert parsing.parse_match_tiers(text, lang) == _SAFE_HARBOR


def test_one_tier_matches_read_as_before() -> None:
    assert parsing.parse_match_tiers("50% of the first 6%", "en") == ((Decimal(50), Decimal(6)),)


@pytest.mark.parametrize(
    "text",
    [
        "100% of the first 3% and 50%",  # no width for the second tier
        "100% of the first 60% and 50% of the next 50%",  # more than all of pay
        "100% of the first 3% and lots of the next 2%",
    ],
)
def test_bad_two_tier_matches(text: str) -> None:
    with pytest.raises(parsing.ParseError):
        parsing.parse_match_tiers(text, "en")
