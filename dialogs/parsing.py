"""Free-text answers to typed values, in English ("en") and Spanish ("es").

Every function here is pure and either returns its value or raises `ParseError`, whose
`kind` names what was expected ("amount", "age", ...) so the caller can re-ask; an amount
that reads two ways raises its subclass `Ambiguous`, carrying both readings. Nothing
else escapes, whatever the text: emoji, control characters, non-ASCII digits ("٣",
"²", fullwidth "２"), "NaN", "1e999", "--5", "" and texts longer than `MAX_INPUT_LENGTH`
characters (refused before any work is done) all end in `ParseError`.

Text is normalised before parsing: Unicode NFKC, accents dropped ("sí" == "si",
"millón" == "millon"), lowercased, every run of whitespace (including the non-breaking
U+00A0, thin U+2009 and narrow no-break U+202F spaces) collapsed to one space, and a
trailing "." or "!" dropped (end of a sentence). Only the ASCII digits 0-9 are digits.

`lang` must be "en" or "es" (a region suffix such as "es-MX" is ignored); any other
value is a programming error and raises a plain `ValueError`, not `ParseError`.
Words of either language are understood whatever `lang` is, except where a word would
mean different things (see `parse_amount`): people mix languages. Numbers may be
written in words in either language ("forty-five", "cuarenta y cinco", "twenty
thousand", "veinte mil"; see `number_in_words`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, DecimalException, localcontext
from typing import Final

from rules import MAX_MONEY

__all__ = [
    "MAX_INPUT_LENGTH",
    "UNSURE_PHRASES",
    "Ambiguous",
    "ParseError",
    "language_code",
    "normalise_words",
    "number_in_words",
    "parse_age",
    "parse_amount",
    "parse_count",
    "parse_match",
    "parse_match_tiers",
    "parse_percent",
    "parse_rate",
    "parse_year",
    "parse_yes_no",
]

MAX_INPUT_LENGTH: Final = 100
"""Longer texts are refused outright: no answer to any question is that long."""

_LANGS: Final = frozenset({"en", "es"})
_CENT: Final = Decimal("0.01")
_MAX_MATCH_RATE: Final = Decimal(200)
_HUNDRED: Final = Decimal(100)


class ParseError(ValueError):
    """The text is not a valid answer; `kind` names what was expected (e.g. "amount")."""

    def __init__(self, kind: str, reason: str = "") -> None:
        self.kind = kind
        self.reason = reason
        message = f"not a valid {kind}"
        super().__init__(f"{message}: {reason}" if reason else message)


class Ambiguous(ParseError):
    """The text reads as two or more valid values; the dialog should ask which one.

    `candidates` holds every reading, distinct and in order, the likelier first (for an
    amount: the US reading, then the Latin American/European one), e.g. "1.500k" in
    Spanish -> (Decimal("1500.00"), Decimal("1500000.00")). Its message, like every
    ParseError's, never repeats the user's text.
    """

    def __init__(self, kind: str, candidates: Sequence[Decimal]) -> None:
        super().__init__(kind, "ambiguous: did you mean one of several values")
        self.candidates: tuple[Decimal, ...] = tuple(candidates)


# --- normalisation ---------------------------------------------------------------------


def _check_lang(lang: str) -> str:
    code = lang.split("-")[0].split("_")[0].lower() if isinstance(lang, str) else ""
    if code not in _LANGS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {sorted(_LANGS)}")
    return code


def language_code(lang: str) -> str:
    """The code parsing understands, "en" or "es", from a tag such as "es-MX".

    Any other language is a programming error: ValueError, not ParseError.
    """
    return _check_lang(lang)


def _normalise(text: str, kind: str) -> str:
    """NFKC, no accents, lowercase, single spaces, no trailing '.'/'!'; or ParseError."""
    if not isinstance(text, str):
        raise ParseError(kind, "not text")
    if len(text) > MAX_INPUT_LENGTH:
        raise ParseError(kind, "too long")
    # Checked before NFKC, which would turn "²" or "２" into an ASCII "2".
    if any(ch.isnumeric() and not "0" <= ch <= "9" for ch in text):
        raise ParseError(kind, "only the digits 0-9 are understood")
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    folded = " ".join(folded.split()).rstrip(".!").rstrip()
    if not folded:
        raise ParseError(kind, "empty")
    if len(folded) > 3 * MAX_INPUT_LENGTH:  # NFKC can expand a few characters a lot.
        raise ParseError(kind, "too long")
    return folded


_APOSTROPHES_RE: Final = re.compile("['’ʼ`´]")
_HYPHENATED_RE: Final = re.compile(r"(?<=[a-z])-(?=[a-z])")


def _to_words(folded: str) -> str:
    """Apostrophes dropped ("don't" -> "dont"), other punctuation and symbols as spaces."""
    plain = _APOSTROPHES_RE.sub("", folded)
    spaced = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in plain)
    return " ".join(spaced.split())


def normalise_words(text: str, kind: str = "text") -> str:
    """The text as words: normalised as every parser here does (NFKC, no accents,
    lowercase, long texts and non-ASCII digits refused), then apostrophes dropped and
    every other punctuation mark or symbol read as a space: "¿No sé?" -> "no se",
    "In-plan" -> "in plan", "Casado/a" -> "casado a", "don't" -> "dont".

    Raises `ParseError` (of `kind`) when nothing is left.
    """
    words = _to_words(_normalise(text, kind))
    if not words:
        raise ParseError(kind, "empty")
    return words


# --- numbers in words ------------------------------------------------------------------

_EN_UNITS: Final = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_EN_SMALL: Final = {
    **_EN_UNITS,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS: Final = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,  # a common misspelling
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_SCALES: Final = {"thousand": 1_000, "million": 1_000_000}
_ES_UNITS: Final = {
    "un": 1,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
}
_ES_SMALL: Final = {
    **_ES_UNITS,
    "diez": 10,
    "once": 11,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciseis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veintiun": 21,
    "veintiuno": 21,
    "veintiuna": 21,
    "veintidos": 22,
    "veintitres": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "veintiseis": 26,
    "veintisiete": 27,
    "veintiocho": 28,
    "veintinueve": 29,
}
_ES_TENS: Final = {
    "veinte": 20,
    "treinta": 30,
    "cuarenta": 40,
    "cincuenta": 50,
    "sesenta": 60,
    "setenta": 70,
    "ochenta": 80,
    "noventa": 90,
}
_ES_HUNDREDS: Final = {
    f"{stem}{ending}": value
    for stem, value in (
        ("dos", 200),
        ("tres", 300),
        ("cuatro", 400),
        ("quin", 500),
        ("seis", 600),
        ("sete", 700),
        ("ocho", 800),
        ("nove", 900),
    )
    for ending in (("ientos", "ientas") if stem == "quin" else ("cientos", "cientas"))
}
_ES_SCALES: Final = {"mil": 1_000, "millon": 1_000_000, "millones": 1_000_000}
_HALF_A_MILLION: Final = frozenset({"half a million", "medio millon"})

# A reader of part of a number: (tokens, start) -> (value, next index), or None.
_Reader = Callable[[Sequence[str], int], tuple[int, int] | None]


def _below_hundred(
    tokens: Sequence[str],
    i: int,
    small: Mapping[str, int],
    tens: Mapping[str, int],
    units: Mapping[str, int],
    joins: frozenset[str],
) -> tuple[int, int] | None:
    """1 to 99: "seven", "seventeen", "forty five"; "cuarenta y cinco", "veintidós"."""
    if i >= len(tokens):
        return None
    word = tokens[i]
    if word in small:
        return small[word], i + 1
    if word not in tens:
        return None
    value, i = tens[word], i + 1
    j = i + 1 if i < len(tokens) and tokens[i] in joins else i
    if j < len(tokens) and tokens[j] in units:
        return value + units[tokens[j]], j + 1
    return value, i


def _en_below_hundred(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    return _below_hundred(tokens, i, _EN_SMALL, _EN_TENS, _EN_UNITS, frozenset())


def _es_below_hundred(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    return _below_hundred(tokens, i, _ES_SMALL, _ES_TENS, _ES_UNITS, frozenset({"y"}))


def _en_below_thousand(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """1 to 9999 in English hundreds: "a hundred and five", "fifteen hundred"."""
    n = len(tokens)
    if i + 1 < n and tokens[i] in ("a", "an") and tokens[i + 1] == "hundred":
        value, i = 100, i + 2
    else:
        first = _en_below_hundred(tokens, i)
        if first is None:
            return None
        value, i = first
        if i >= n or tokens[i] != "hundred":
            return value, i
        value, i = value * 100, i + 1  # "fifteen hundred" is 1,500
    j = i + 1 if i < n and tokens[i] == "and" else i
    rest = _en_below_hundred(tokens, j)
    return (value + rest[0], rest[1]) if rest is not None else (value, i)


def _es_below_thousand(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """1 to 999 in Spanish: "cien", "ciento cincuenta", "quinientos tres"."""
    if i >= len(tokens):
        return None
    word = tokens[i]
    if word == "cien":
        return 100, i + 1
    if word == "ciento":
        rest = _es_below_hundred(tokens, i + 1)
        return None if rest is None else (100 + rest[0], rest[1])
    if word in _ES_HUNDREDS:
        rest = _es_below_hundred(tokens, i + 1)
        value = _ES_HUNDREDS[word]
        return (value + rest[0], rest[1]) if rest is not None else (value, i + 1)
    return _es_below_hundred(tokens, i)


def _with_scales(
    tokens: Sequence[str],
    below_thousand: _Reader,
    scales: Mapping[str, int],
    one_words: frozenset[str],
    bare_scales: frozenset[str],
    joins: frozenset[str],
) -> int | None:
    """Parts below a thousand, each times a strictly smaller scale, added up."""
    total, i, previous = 0, 0, None
    while i < len(tokens):
        part = below_thousand(tokens, i)
        if part is not None:
            value, i = part
        elif tokens[i] in one_words and i + 1 < len(tokens) and tokens[i + 1] in scales:
            value, i = 1, i + 1  # "a thousand"
        elif tokens[i] in bare_scales:
            value = 1  # "mil" on its own is a thousand
        else:
            return None
        if i == len(tokens):
            return total + value
        scale = scales.get(tokens[i])
        if scale is None or (previous is not None and scale >= previous):
            return None
        total, previous, i = total + value * scale, scale, i + 1
        if i + 1 < len(tokens) and tokens[i] in joins:
            i += 1  # "a thousand and five"
    return total


def number_in_words(text: str) -> int | None:
    """A whole number written in English or Spanish words, or None.

    English: "zero", "seven", "forty-five", "a hundred and five", "fifteen hundred",
    "twenty-four thousand five hundred", "one hundred fifty thousand", "a million",
    "half a million". Spanish: "cero", "siete", "cuarenta y cinco", "veintidós",
    "ciento cincuenta", "mil quinientos", "veinte mil", "un millón doscientos mil",
    "dos millones", "medio millón". One language per number ("twenty mil" is None), and
    no digits (the parsers read those). `text` must be normalised (see
    `normalise_words`); hyphens and commas between words are spaces.
    """
    phrase = " ".join(_HYPHENATED_RE.sub(" ", text).replace(",", " ").split())
    if phrase in _HALF_A_MILLION:
        return 500_000
    if phrase in ("zero", "cero"):
        return 0
    tokens = phrase.split()
    if not tokens or not all(token.isalpha() and token.isascii() for token in tokens):
        return None
    english = _with_scales(
        tokens,
        _en_below_thousand,
        _EN_SCALES,
        one_words=frozenset({"a", "an"}),
        bare_scales=frozenset(),
        joins=frozenset({"and"}),
    )
    if english is not None:
        return english
    return _with_scales(
        tokens,
        _es_below_thousand,
        _ES_SCALES,
        one_words=frozenset(),
        bare_scales=frozenset({"mil"}),
        joins=frozenset(),
    )


_TOKEN_RE: Final = re.compile(r"[0-9]+|[a-z]+|\S")


def _tokens(folded: str) -> list[str]:
    """Digits, letters and single other characters: "I'm forty-five" -> i m forty five.

    Apostrophes are dropped first ("i'm" -> "im"), and "y/o" (years old) becomes "yo".
    """
    plain = _APOSTROPHES_RE.sub("", folded).replace("y/o", "yo")
    return _TOKEN_RE.findall(_HYPHENATED_RE.sub(" ", plain))


def _one_number(tokens: Sequence[str], fillers: frozenset[str]) -> tuple[int, str | None] | None:
    """The one number among filler words: (value, its digits as typed, or None for words).

    The tokens that are not fillers must be next to each other and read as one number,
    in digits ("45") or words ("cuarenta y cinco"); "45 46" and "forty, five" are None.
    """
    inside = [i for i, token in enumerate(tokens) if token not in fillers]
    if not inside or inside[-1] - inside[0] + 1 != len(inside):
        return None
    number = tokens[inside[0] : inside[-1] + 1]
    if len(number) == 1 and number[0].isdigit():
        return int(number[0]), number[0]
    value = number_in_words(" ".join(number))
    return None if value is None else (value, None)


# --- money -------------------------------------------------------------------------------

_THOUSAND: Final = 1_000
_MILLION: Final = 1_000_000
# "m" is a million in English but could be "mil" (thousand) in Spanish, and "mil" is a
# thousand in Spanish but colloquially a million in English ("1.5 mil"): each is
# understood only in the language where it is unambiguous.
_MULTIPLIERS: Final[dict[str, dict[str, int]]] = {
    "en": {
        "k": _THOUSAND,
        "thousand": _THOUSAND,
        "grand": _THOUSAND,
        "m": _MILLION,
        "million": _MILLION,
        "millions": _MILLION,
        "millon": _MILLION,
        "millones": _MILLION,
    },
    "es": {
        "k": _THOUSAND,
        "thousand": _THOUSAND,
        "mil": _THOUSAND,
        "million": _MILLION,
        "millions": _MILLION,
        "millon": _MILLION,
        "millones": _MILLION,
    },
}
_ZERO_WORDS: Final = frozenset(
    {"none", "zero", "nothing", "nil", "ninguno", "ninguna", "nada", "cero"}
)
_CURRENCY_BEFORE: Final = r"(?:us ?\$|u\$s|usd|\$)"
_CURRENCY_AFTER: Final = r"(?:usd|us ?\$|u\$s|\$|dollars?|dolares|dolar|bucks)"
_MULTIPLIER_WORDS: Final = r"(?:k|thousand|grand|m|millions?|millon|millones|mil)"
_AMOUNT_RE: Final = re.compile(
    rf"(?:{_CURRENCY_BEFORE} ?)?"
    r"(?P<number>[0-9](?:[0-9., ]*[0-9])?)"
    rf"(?: ?(?P<multiplier>{_MULTIPLIER_WORDS}))?"
    rf"(?: ?(?:de )?{_CURRENCY_AFTER})?"
)
_AMOUNT_IN_WORDS_RE: Final = re.compile(
    rf"(?:{_CURRENCY_BEFORE} ?)?(?P<words>[a-z][a-z ,-]*?)(?: (?:de |en )?{_CURRENCY_AFTER})?"
)
# Words around an amount that change nothing: an estimate ("about 150k", "~150k",
# "como 150 mil") or a yearly figure ("150k a year", "150 mil al año"). "A month" or
# "per paycheck" are not among them: those amounts would need converting, so they are
# refused rather than read as yearly.
_ESTIMATE_BEFORE_RE: Final = re.compile(
    r"[~≈] ?|(?:about|around|roughly|approximately|approx\.?|like|close to|nearly|almost"
    r"|some|como|unos|unas|alrededor de|aproximadamente|aprox\.?|mas o menos|cerca de"
    r"|casi) "
)
_ESTIMATE_AFTER_RE: Final = re.compile(
    r"(?: ?/ ?(?:year|yr|ano)| ?-?ish"
    r"| (?:a|per|each|every) (?:year|yr)| yearly| annually| per annum| annual| gross"
    r"| before taxe?s?| pre ?-?tax| in total| total| or so| more or less| give or take"
    r"| (?:al|por|cada) ano| anual(?:es)?| brutos?| antes de impuestos| en total"
    r"| mas o menos| aprox\.?| aproximadamente| o asi| o algo asi)$"
)
_SEPARATOR_RE: Final = re.compile(r"([ ,.])")


def _strip_estimate(cleaned: str) -> str:
    """The amount without "about", "~", "a year", "ish" and the like around it."""
    while (found := _ESTIMATE_BEFORE_RE.match(cleaned)) is not None:
        cleaned = cleaned[found.end() :]
    while (found := _ESTIMATE_AFTER_RE.search(cleaned)) is not None and found.start() > 0:
        cleaned = cleaned[: found.start()]
    return cleaned


def _read_grouped(runs: list[str], separators: list[str], point: str | None) -> Decimal:
    """The number, with `point` (the last separator) as its decimal point if not None and
    every other separator grouping thousands; ParseError if the groups are malformed."""
    grouping = separators[:-1] if point else separators
    integer_runs = runs[: len(grouping) + 1]
    if grouping:
        if len(set(grouping)) != 1 or grouping[0] == point:
            raise ParseError("amount", "mixed thousands separators")
        head = integer_runs[0]
        if not 1 <= len(head) <= 3 or head.startswith("0"):
            raise ParseError("amount", "misplaced thousands separator")
        if any(len(run) != 3 for run in integer_runs[1:]):
            raise ParseError("amount", "thousands groups need 3 digits")
    fraction = runs[-1] if point else "0"
    return Decimal(f"{''.join(integer_runs)}.{fraction}")


def _decimal_points(
    separators: list[str], tail: str, lang: str, scaled: bool
) -> tuple[str | None, ...]:
    """Which separator is the decimal point, for each way of reading the number (None:
    they all group thousands), the likelier reading first (see parse_amount's rule)."""
    last = separators[-1]
    if last == " ":
        return (None,)
    if "," in separators and "." in separators:
        if len(tail) == 3:
            return (None,)  # refused later: mixed thousands separators
        if len(tail) > 2:
            raise ParseError("amount", "ambiguous separators")
        return (last,)
    if len(tail) == 3:
        if not scaled or len(separators) > 1:
            return (None,)  # "23.000" == "23,000": money has no third decimal
        us = "." if last == "." else None  # "1.250k" is 1,250; "1,250k" is 1,250,000
        latin = "," if last == "," else None  # the other way round
        return (us,) if lang == "en" else (us, latin)
    if last == "." or lang == "es":
        return (last,)  # in Spanish, US readers' "24.5k" as well as "24,5k"
    raise ParseError("amount", "misplaced separator")  # "12,5" in English


def _readings(number: str, lang: str, multiplier: int) -> list[Decimal]:
    """Every valid value of the digits and separators, times `multiplier`, in cents."""
    parts = _SEPARATOR_RE.split(number)
    runs, separators = parts[0::2], parts[1::2]
    if any(not run for run in runs):
        raise ParseError("amount", "two separators in a row")
    if not separators:
        points: tuple[str | None, ...] = (None,)
    else:
        points = _decimal_points(separators, runs[-1], lang, scaled=multiplier != 1)
    values: list[Decimal] = []
    first_error: ParseError | None = None
    for point in points:
        try:
            value = _read_grouped(runs, separators, point) * multiplier
            if value > MAX_MONEY:
                raise ParseError("amount", "too large")
        except ParseError as error:
            first_error = first_error or error
            continue
        value = value.quantize(_CENT, rounding=ROUND_HALF_UP)
        if value not in values:
            values.append(value)
    if not values:
        assert first_error is not None
        raise first_error
    return values


def _amount_in_words(cleaned: str) -> Decimal:
    found = _AMOUNT_IN_WORDS_RE.fullmatch(cleaned)
    value = None if found is None else number_in_words(found["words"])
    if value is None:
        raise ParseError("amount")
    if value > MAX_MONEY:
        raise ParseError("amount", "too large")
    return Decimal(value).quantize(_CENT)


def parse_amount(text: str, lang: str) -> Decimal:
    """Dollars, 0 to $1,000,000,000, rounded half-up to cents (always 2 decimal places).

    Understood: "23000", "$23,000", "US$ 23,000", "23,000.50", "23000 dollars",
    "$23000 USD", "23k", "23.5K", "$1.2m", "1.2 million", "23 grand", "24 500" (also with
    a non-breaking or thin space), "twenty thousand", "fifteen hundred", and
    "none"/"zero"/"nothing"/"nil". In Spanish, written the US way or the Latin American
    way: "24.5k" and "24,5k", "$1,729.50" and "1.729,50", "150000.00 $", "23.000",
    "1,5 mil", "2 mil", "1,2 millones", "1 millón", "23000 dólares", "1 millón de
    dólares", "veinte mil", "ninguno"/"ninguna"/"nada"/"cero". The words of both
    languages are understood in either, except "m" (million) only in English and "mil"
    after digits (thousand) only in Spanish, because each means something else in the
    other ("veinte mil" is Spanish whatever `lang` is).

    An estimate or a yearly figure reads as the amount: "about 150k", "~150k",
    "around $150,000", "150k-ish", "150k a year", "$150k/yr", "150k gross", "como 150
    mil", "unos 150 mil", "150 mil al año", "más o menos 150k". Not "a month" or "per
    paycheck" (that is not the yearly amount asked for).

    Separator policy (",", "." and space), deciding from the shape of the number:
    - A space always groups thousands: every group after the first has exactly 3 digits
      ("24 500"), so "5 6 7" is refused rather than read as 567.
    - When both "," and "." appear, the last one is the decimal point if 1-2 digits
      follow it ("23,000.50" and "23.000,50" in either language).
    - A "," or "." followed by 1, 2 or 4+ digits is the decimal point: "." in both
      languages (US Spanish speakers write "24.5k"), "," in Spanish only ("24,5k",
      "12,50"); in English "12,5" is refused, a comma there is never a decimal point.
    - A "," or "." followed by exactly 3 digits (at the end or before another
      separator) groups thousands in both languages: "23.000" == "23,000" == 23000.
      This holds even in Spanish, where US and Latin American readers swap the two
      marks, because both write cents with two digits: "1,500" or "1.500" is $1,500 to
      both, and $1.50 would be "1.50" or "1,50".
    - Except before a multiplier, where three decimals are natural ("1.125m"): there
      the US reading holds in English ("1.250k" is $1,250, "1,250k" $1,250,000) and in
      Spanish the number is truly ambiguous, since either reader may have typed it:
      "1.500k", "1,500k", "2.500 mil" raise `Ambiguous` with both readings, the US one
      first ("1.500k" -> $1,500.00 then $1,500,000.00). A reading above the maximum or
      with malformed groups does not count, so "1,125 millones" is $1,125,000.
    - Thousands separators must all be the same character, differ from the decimal
      point, and follow a first group of 1-3 digits not starting with 0 ("0,500" and
      "1,2,3" are refused as ambiguous).

    Refused: negatives ("-5", "(500)"), percentages, several numbers or a range
    ("150k to 160k"), "n/a" (that is "don't know", not zero), digits mixed with number
    words ("twenty 5"; digits before a multiplier, "150 thousand", are fine), anything
    above the maximum.
    """
    code = _check_lang(lang)
    cleaned = _strip_estimate(_normalise(text, "amount"))
    if cleaned in _ZERO_WORDS:
        return Decimal(0).quantize(_CENT)
    found = _AMOUNT_RE.fullmatch(cleaned)
    if found is None:
        return _amount_in_words(cleaned)
    word = found["multiplier"]
    if word is not None and word not in _MULTIPLIERS[code]:
        raise ParseError("amount", f"{word!r} is ambiguous in this language")
    multiplier = _MULTIPLIERS[code][word] if word is not None else 1
    try:
        with localcontext() as context:
            context.prec = 4 * MAX_INPUT_LENGTH  # exact: inputs are at most ~300 digits
            values = _readings(found["number"], code, multiplier)
    except DecimalException:  # pragma: no cover - defensive; the regex admits digits only
        raise ParseError("amount") from None
    if len(values) > 1:
        raise Ambiguous("amount", values)
    return values[0]


# --- age and years -----------------------------------------------------------------------

# Words around an age or a birth year that change nothing ("I'm 45 years old", "tengo
# 45 años", "born in 1981", "nací en 1981"); ":" and "," too ("edad: 45").
_PUNCTUATION_FILLERS: Final = frozenset({":", ","})


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_AGE_FILLERS: Final = _PUNCTUATION_FILLERS | _word_set(
    "i im am age my is years year yrs yr yo old will be ill turning turn going to this by "
    "the end of at on in december dec tengo edad mi es anos ano de cumplo cumplire cumplir "
    "voy a tendre este el al fin final del en diciembre para"
)
_BIRTH_FILLERS: Final = _PUNCTUATION_FILLERS | _word_set(
    "i was born in on my birth year of is birthyear naci nacido nacida en el ano de "
    "nacimiento mi es yo"
)
# "on December 31" and "el 31 de diciembre" (the question's own words): not a number.
_DECEMBER_31_RE: Final = re.compile(
    r"\b(?:dec(?:ember)? 31(?:st)?|31(?:st)? (?:of )?dec(?:ember)?|31 de diciembre)\b"
)
_MIN_AGE, _MAX_AGE = 18, 120


def parse_age(text: str, tax_year: int) -> int:
    """The person's age on December 31 of `tax_year`, 18 to 120.

    Accepts an age in digits or words, alone or in a sentence ("45", "forty-five",
    "45 years old", "45 años", "I'm 45", "I'll be forty on December 31", "tengo 45
    años", "tengo cuarenta y cinco", "cumplo 45 este año", "edad: 45"), or a four-digit
    birth year ("1981", "born 1981", "I was born in 1981", "nací en 1981"), which becomes
    `tax_year - year` (the age reached during the tax year). One number only.
    """
    cleaned = _DECEMBER_31_RE.sub(" ", _normalise(text, "age"))
    tokens = _tokens(cleaned)
    age: int | None = None
    if (found := _one_number(tokens, _AGE_FILLERS)) is not None:
        value, digits = found
        if digits is None or len(digits) <= 3:
            age = value
    if age is None and (found := _one_number(tokens, _BIRTH_FILLERS)) is not None:
        value, digits = found
        if digits is not None and len(digits) == 4:
            age = tax_year - value
    if age is None:
        raise ParseError("age")
    if not _MIN_AGE <= age <= _MAX_AGE:
        raise ParseError("age", f"must be {_MIN_AGE} to {_MAX_AGE}")
    return age


def parse_year(text: str) -> int:
    """A four-digit year, 1900 to 2200 (the caller checks which years have data).

    Also "tax year 2024", "for 2025", "año 2025", "el 2025", "para el 2025".
    """
    cleaned = _normalise(text, "year")
    found = re.fullmatch(
        r"(?:(?:for |para )?(?:the |el )?(?:(?:tax )?year |ano (?:fiscal )?)?)([0-9]{4})",
        cleaned,
    )
    if found is None:
        raise ParseError("year")
    year = int(found[1])
    if not 1900 <= year <= 2200:
        raise ParseError("year", "must be 1900 to 2200")
    return year


_COUNT_FILLERS: Final = _PUNCTUATION_FILLERS | _word_set(
    "paychecks paycheck pay checks check periods period pays paydays payday pagos pago "
    "cheques cheque quincenas quincena periodos periodo nominas nomina de left remaining "
    "more restantes restante mas quedan queda faltan falta me nos there are is i have ive "
    "got only just solo still todavia aun about around unos unas the el los las la next "
    "proximos proximas siguientes last ultimos ultimas this year in en este ano"
)
# "..., counting the next one" (the question's own words) and the like.
_COUNTING_NEXT_RE: Final = re.compile(
    r",? (?:including|counting|incl|with|plus) (?:the |this )?(?:next|upcoming|coming|one)"
    r"(?: one| paycheck| check)?$"
    r"|,? (?:contando|incluyendo|con) (?:el|la) (?:siguiente|proximo|proxima|de hoy"
    r"|que viene)(?: pago| cheque)?$"
)


def parse_count(text: str, low: int, high: int) -> int:
    """A whole number from `low` to `high`, in digits or words: "24", "twelve", "dos",
    "24 paychecks", "2 paychecks left", "quedan 2 cheques", "me quedan doce pagos",
    "one more", "12, counting the next one"."""
    cleaned = _COUNTING_NEXT_RE.sub("", _normalise(text, "count"))
    found = _one_number(_tokens(cleaned), _COUNT_FILLERS)
    if found is None or (found[1] is not None and len(found[1]) > 9):
        raise ParseError("count")
    count = found[0]
    if not low <= count <= high:
        raise ParseError("count", f"must be {low} to {high}")
    return count


# --- percentages -------------------------------------------------------------------------

_PERCENT_NUMBER: Final = r"(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)"
_PERCENT_UNIT: Final = r"(?:%|percent|per cent|pct|por ciento|porciento)"
_PERCENT_RE: Final = re.compile(rf"(?P<number>{_PERCENT_NUMBER})(?: ?(?P<unit>{_PERCENT_UNIT}))?")


def _percent_number(number: str, kind: str) -> Decimal:
    """Read a percentage's number: either "." or "," is the decimal point.

    A percentage never needs a thousands separator, so both are decimal points in both
    languages; "1,000" or "2.500" (3 digits after a nonzero whole part) are refused as
    ambiguous.
    """
    whole, _, fraction = number.replace(",", ".").partition(".")
    if len(fraction) == 3 and whole.strip("0"):
        raise ParseError(kind, "ambiguous separator")
    return Decimal(f"{whole or '0'}.{fraction}" if fraction else whole)


def parse_percent(text: str, lang: str) -> Decimal:
    """Percent points, more than 0 and at most 100: "6%", "6", "6.5%", "6,5 %" -> 6, 6.5.

    Also "6 percent", "6 por ciento". Either "." or "," is the decimal point (a percentage
    has no thousands), in both languages.
    """
    _check_lang(lang)
    cleaned = _normalise(text, "percent")
    found = _PERCENT_RE.fullmatch(cleaned)
    if found is None:
        raise ParseError("percent")
    value = _percent_number(found["number"], "percent")
    if not 0 < value <= _HUNDRED:
        raise ParseError("percent", "must be more than 0 and at most 100")
    return value


def parse_rate(text: str, lang: str) -> Decimal:
    """A marginal tax rate as a fraction from 0 to 1: "32%", "32", "24.5%" -> 0.32, 0.245.

    Without a percent sign, a value below 1 written with a decimal point is already a
    fraction ("0.32", ",32" -> 0.32); any other value is percent points ("32", "1").
    Either "." or "," is the decimal point, in both languages.
    """
    _check_lang(lang)
    cleaned = _normalise(text, "rate")
    found = _PERCENT_RE.fullmatch(cleaned)
    if found is None:
        raise ParseError("rate")
    number = found["number"]
    value = _percent_number(number, "rate")
    has_point = "." in number or "," in number
    if found["unit"] is not None or not (has_point and value < 1):
        value = value.scaleb(-2)
    if not 0 <= value <= 1:
        raise ParseError("rate", "must be 0% to 100%")
    return value


# --- employer match ----------------------------------------------------------------------

_MATCH_NUMBER_RE: Final = re.compile(
    rf"(?<![0-9.,])({_PERCENT_NUMBER})(?: ?{_PERCENT_UNIT})?(?![0-9])"
)
_PAY: Final = (
    r"(?: (?:of|on) (?:your |my |the )?(?:pay|salary|compensation|comp|wages|earnings)"
    r"| (?:del|de (?:tu|su|mi)) (?:salario|sueldo|pago|compensacion))?"
)
_UP_TO: Final = (
    r"(?: match(?:es|ed|ing)?)? (?:of|on|up to|for) (?:the )?(?:first )?N"
    r"| (?:del primer|de los primeros|del|de|hasta(?: el| un)?|sobre el primer"
    r"|en el primer|en los primeros) N"
)
# The text with each number replaced by "N", e.g. "N of the first N of pay".
_RATE_AND_CAP_RE: Final = re.compile(rf"N ?/ ?N|N(?:{_UP_TO}){_PAY}")
_DOLLAR_FOR_DOLLAR_RE: Final = re.compile(
    rf"(?:dollar for dollar|dolar por dolar|peso por peso)(?:{_UP_TO}){_PAY}"
)


def parse_match(text: str, lang: str) -> tuple[Decimal, Decimal]:
    """An employer match formula -> (match rate %, up to % of pay).

    "50% of the first 6%", "50% up to 6%", "50% of 6%", "100% up to 4% of pay",
    "dollar for dollar up to 4%" (100, 4), "50/6", "50% del primer 6%",
    "50% hasta el 6%", "100% hasta 4% del salario", "dólar por dólar hasta el 4%".
    The rate is more than 0 and at most 200; the cap more than 0 and at most 100.
    Either "." or "," is the decimal point, in both languages.
    """
    _check_lang(lang)
    cleaned = _normalise(text, "match")
    cleaned = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", cleaned)  # "dollar-for-dollar"
    numbers: list[str] = []

    def _placeholder(found: re.Match[str]) -> str:
        numbers.append(found[1])
        return " N "

    skeleton = " ".join(_MATCH_NUMBER_RE.sub(_placeholder, cleaned).split())
    if _RATE_AND_CAP_RE.fullmatch(skeleton):
        rate_text, cap_text = numbers
        rate = _percent_number(rate_text, "match")
    elif _DOLLAR_FOR_DOLLAR_RE.fullmatch(skeleton):
        (cap_text,) = numbers
        rate = _HUNDRED
    else:
        raise ParseError("match")
    cap = _percent_number(cap_text, "match")
    if not 0 < rate <= _MAX_MATCH_RATE:
        raise ParseError("match", "the match rate must be more than 0% and at most 200%")
    if not 0 < cap <= _HUNDRED:
        raise ParseError("match", "the share of pay must be more than 0% and at most 100%")
    return rate, cap


# A second tier: "<first tier> and <rate> of the next <width>".
_TWO_TIERS_RE: Final = re.compile(
    r"(?P<first>.+?),? (?:and then|and|plus|then|\+|y luego|y|mas|luego) "
    r"(?P<second>.*\b(?:next|siguientes?|proximos?)\b.*)"
)
_NEXT_AS_FIRST: Final = (
    (re.compile(r"\bnext\b"), "first"),
    (re.compile(r"\bde los (?:siguientes|proximos)\b"), "de los primeros"),
    (re.compile(r"\b(?:del|el) (?:siguiente|proximo)\b"), "del primer"),
    (re.compile(r"\b(?:siguientes|proximos)\b"), "primeros"),
)


def parse_match_tiers(text: str, lang: str) -> tuple[tuple[Decimal, Decimal], ...]:
    """A match of one or two tiers -> ((rate %, width % of pay), ...), stacked from 0%.

    One tier is anything `parse_match` reads. Two: "100% of the first 3% and 50% of the
    next 2%" -> ((100, 3), (50, 2)); also "..., then 50% of the next 2%", "... plus ...",
    "100% del primer 3% y 50% del siguiente 2%", "... y 50% de los siguientes 2%".
    The tiers together cover at most 100% of pay.
    """
    _check_lang(lang)
    cleaned = _normalise(text, "match")
    found = _TWO_TIERS_RE.fullmatch(cleaned)
    if found is None:
        return (parse_match(text, lang),)
    second = found["second"]
    for pattern, replacement in _NEXT_AS_FIRST:
        second = pattern.sub(replacement, second)
    tiers = (parse_match(found["first"], lang), parse_match(second, lang))
    if tiers[0][1] + tiers[1][1] > _HUNDRED:
        raise ParseError("match", "the tiers cover more than all of pay")
    return tiers


# --- yes / no / not sure -----------------------------------------------------------------

# Phrases as `normalise_words` gives them ("don't" -> "dont", "sí" -> "si"). Hedged
# answers ("I think so", "creo que no", "probably") are "not sure": the dialog then says
# to check with HR, which is right for someone who is guessing, where a yes or a no
# would build advice on a guess.
_YES: Final = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yea",
        "yep",
        "yup",
        "yessir",
        "sure",
        "sure thing",
        "for sure",
        "of course",
        "ofc",
        "absolutely",
        "definitely",
        "certainly",
        "totally",
        "indeed",
        "affirmative",
        "true",
        "correct",
        "right",
        "thats right",
        "that is right",
        "exactly",
        "you bet",
        "yes it does",
        "yes they do",
        "yes it is",
        "yes it can",
        "yes we do",
        "yes i do",
        "yes definitely",
        "yes of course",
        "it does",
        "they do",
        "it can",
        "it is",
        "it allows",
        "it accepts",
        "allows",
        "accepts",
        "allowed",
        "si",
        "sip",
        "claro",
        "si claro",
        "claro si",
        "claro que si",
        "por supuesto",
        "por supuesto que si",
        "desde luego",
        "cierto",
        "correcto",
        "verdadero",
        "asi es",
        "exacto",
        "exactamente",
        "efectivamente",
        "afirmativo",
        "obvio",
        "obviamente",
        "si tiene",
        "tiene",
        "si lo tiene",
        "lo tiene",
        "si permite",
        "permite",
        "si lo permite",
        "lo permite",
        "si acepta",
        "acepta",
        "si lo acepta",
        "lo acepta",
        "si las acepta",
        "las acepta",
        "si se puede",
        "se puede",
        "si puede",
        "si lo hace",
        "lo hace",
    }
)
_NO: Final = frozenset(
    {
        "no",
        "n",
        "nope",
        "nah",
        "naw",
        "no way",
        "not at all",
        "not really",
        "never",
        "negative",
        "false",
        "no it doesnt",
        "no it does not",
        "no they dont",
        "no they do not",
        "no it cant",
        "no it isnt",
        "no we dont",
        "no i dont",
        "it doesnt",
        "it does not",
        "they dont",
        "it cant",
        "it cannot",
        "doesnt",
        "it doesnt allow",
        "doesnt allow",
        "not allowed",
        "it doesnt accept",
        "doesnt accept",
        "nop",
        "nel",
        "para nada",
        "falso",
        "negativo",
        "nunca",
        "de ninguna manera",
        "claro que no",
        "por supuesto que no",
        "no tiene",
        "no lo tiene",
        "no permite",
        "no lo permite",
        "no acepta",
        "no lo acepta",
        "no las acepta",
        "no puede",
        "no se puede",
        "no lo hace",
    }
)
_UNSURE: Final = frozenset(
    {
        "not sure",
        "no sure",
        "im not sure",
        "i am not sure",
        "not certain",
        "unsure",
        "uncertain",
        "dont know",
        "i dont know",
        "do not know",
        "i do not know",
        "idk",
        "dunno",
        "no idea",
        "i have no idea",
        "no clue",
        "i have no clue",
        "maybe",
        "perhaps",
        "possibly",
        "probably",
        "probably not",
        "i think so",
        "i believe so",
        "i dont think so",
        "i guess",
        "i guess so",
        "not that i know",
        "not that i know of",
        "depends",
        "it depends",
        "no se",
        "nose",
        "no lo se",
        "no se si",
        "ni se",
        "no sabria",
        "no sabria decir",
        "no tengo idea",
        "no tengo ni idea",
        "ni idea",
        "no estoy seguro",
        "no estoy segura",
        "no estoy seguro a",
        "quizas",
        "quiza",
        "tal vez",
        "a lo mejor",
        "puede ser",
        "creo que si",
        "creo que no",
        "no creo",
        "probablemente",
        "probablemente no",
        "quien sabe",
        "depende",
    }
)
_EMOJI: Final = {
    "\N{THUMBS UP SIGN}": True,
    "\N{WHITE HEAVY CHECK MARK}": True,
    "\N{HEAVY CHECK MARK}": True,
    "\N{THUMBS DOWN SIGN}": False,
    "\N{CROSS MARK}": False,
    "\N{SHRUG}": None,
}
# Variation selector, skin tones, zero-width joiner and the gender signs of "🤷‍♀️".
_EMOJI_MODIFIERS_RE: Final = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff\u200d\u2640\u2642]")
# Said before or after an answer without changing it: "well, no", "yes please". Matched
# once letters are squeezed, so "well" is "wel" and "hmm" is "hm".
_LEADING_FILLER_RE: Final = re.compile(r"(?:um|uh|hm|m|wel|oh|ah|eh|pues|bueno) ")
_TRAILING_FILLER_RE: Final = re.compile(r" (?:please|thanks|thank you|por favor|gracias)$")
_REPEATED_LETTER_RE: Final = re.compile(r"([a-z])\1+")


def _squeeze(phrase: str) -> str:
    """Each run of one letter as one: "yesss" -> "yes", "siii" -> "si", "noo" -> "no"."""
    return _REPEATED_LETTER_RE.sub(r"\1", phrase)


def _by_squeezed(*groups: tuple[frozenset[str], bool | None]) -> dict[str, bool | None]:
    """Squeezed phrase -> answer; a phrase squeezing into two answers is a bug."""
    table: dict[str, bool | None] = {}
    for phrases, answer in groups:
        for phrase in phrases:
            key = _squeeze(phrase)
            if table.get(key, answer) is not answer:
                raise ValueError(f"{phrase!r} reads as two answers")  # pragma: no cover
            table[key] = answer
    return table


_ANSWERS: Final = _by_squeezed((_YES, True), (_NO, False), (_UNSURE, None))
UNSURE_PHRASES: Final = _UNSURE
"""The phrases `parse_yes_no` reads as "not sure", as `normalise_words` gives them."""


def parse_yes_no(text: str, lang: str) -> bool | None:
    """True, False, or None for "not sure" (an answer: it leads to "ask HR").

    Both languages are understood whatever `lang` is: "yes", "y", "yeah", "yep",
    "sure", "of course", "yes it does", "sí", "claro", "sí, claro", "por supuesto";
    "no", "n", "nope", "nah", "no it doesn't", "para nada", "no tiene"; "not sure",
    "don't know", "idk", "no idea", "maybe", "I think so", "no sé", "ni idea",
    "creo que sí", "?". Case, accents and punctuation do not matter ("Yes!", "SÍ.",
    "¿no sé?"), nor letters typed twice or more ("Yess", "siii", "noo"), a repeated
    word ("sí, sí"), "well"/"um"/"pues" before or "please"/"gracias" after. 👍 ✅ ✔
    count as yes, 👎 ❌ as no and 🤷 as not sure.

    Only whole phrases count, never a word inside a longer text: "not sure" is not a
    "no", "no sé" (don't know) is not a "no", "yes no" and "sí no" are refused.
    """
    _check_lang(lang)
    cleaned = _EMOJI_MODIFIERS_RE.sub("", _normalise(text, "yes_no"))
    if cleaned in _EMOJI:
        return _EMOJI[cleaned]
    if set(cleaned) <= {"?", "¿", " "}:
        return None
    phrase = _squeeze(_to_words(cleaned))
    while (found := _LEADING_FILLER_RE.match(phrase)) is not None:
        phrase = phrase[found.end() :]
    phrase = _TRAILING_FILLER_RE.sub("", phrase)
    words = phrase.split()
    if len(words) > 1 and len(set(words)) == 1:
        phrase = words[0]  # "si si", "no no"
    if phrase in _ANSWERS:
        return _ANSWERS[phrase]
    raise ParseError("yes_no")
