"""Free-text answers to typed values, in English ("en") and Spanish ("es").

Every function here is pure and either returns its value or raises `ParseError`, whose
`kind` names what was expected ("amount", "age", ...) so the caller can re-ask. Nothing
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
mean different things (see `parse_amount`): people mix languages.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, DecimalException, localcontext
from typing import Final

from rules import MAX_MONEY

__all__ = [
    "MAX_INPUT_LENGTH",
    "ParseError",
    "parse_age",
    "parse_amount",
    "parse_count",
    "parse_match",
    "parse_percent",
    "parse_rate",
    "parse_year",
    "parse_yes_no",
]

MAX_INPUT_LENGTH: Final = 100
"""Longer texts are refused outright: no answer to any question is that long."""

_LANGS: Final = frozenset({"en", "es"})
_DECIMAL_POINT: Final = {"en": ".", "es": ","}
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


# --- normalisation ---------------------------------------------------------------------


def _check_lang(lang: str) -> str:
    code = lang.split("-")[0].split("_")[0].lower() if isinstance(lang, str) else ""
    if code not in _LANGS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {sorted(_LANGS)}")
    return code


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
_SEPARATOR_RE: Final = re.compile(r"([ ,.])")


def _grouped_number(number: str, lang: str) -> Decimal:
    """Read digits with thousands separators and a decimal point (parse_amount's policy)."""
    parts = _SEPARATOR_RE.split(number)
    runs, separators = parts[0::2], parts[1::2]
    if any(not run for run in runs):
        raise ParseError("amount", "two separators in a row")
    if not separators:
        return Decimal(number)

    last, tail = separators[-1], runs[-1]
    decimal_point: str | None = None
    if last != " " and len(tail) != 3:
        if "," in separators and "." in separators:
            if len(tail) > 2:
                raise ParseError("amount", "ambiguous separators")
            decimal_point = last
        elif last == _DECIMAL_POINT[lang]:
            decimal_point = last
        else:
            raise ParseError("amount", "misplaced separator")

    grouping = separators[:-1] if decimal_point else separators
    integer_runs = runs[: len(grouping) + 1]
    if grouping:
        if len(set(grouping)) != 1 or grouping[0] == decimal_point:
            raise ParseError("amount", "mixed thousands separators")
        head = integer_runs[0]
        if not 1 <= len(head) <= 3 or head.startswith("0"):
            raise ParseError("amount", "misplaced thousands separator")
        if any(len(run) != 3 for run in integer_runs[1:]):
            raise ParseError("amount", "thousands groups need 3 digits")
    fraction = tail if decimal_point else "0"
    return Decimal(f"{''.join(integer_runs)}.{fraction}")


def parse_amount(text: str, lang: str) -> Decimal:
    """Dollars, 0 to $1,000,000,000, rounded half-up to cents (always 2 decimal places).

    Understood: "23000", "$23,000", "US$ 23,000", "23,000.50", "23000 dollars",
    "$23000 USD", "23k", "23.5K", "$1.2m", "1.2 million", "23 grand", "24 500" (also with
    a non-breaking or thin space), and "none"/"zero"/"nothing"/"nil". In Spanish:
    "23.000", "23.000,50", "23,5k", "1,5 mil", "2 mil", "1,2 millones", "1 millón",
    "23000 dólares", "1 millón de dólares", "ninguno"/"ninguna"/"nada"/"cero". The words
    of both languages are understood in either, except "m" (million) only in English and
    "mil" (thousand) only in Spanish, because each means something else in the other.

    Separator policy (",", "." and space):
    - A space always groups thousands: every group after the first has exactly 3 digits
      ("24 500"), so "5 6 7" is refused rather than read as 567.
    - A "," or "." followed by exactly 3 digits, at the end or before another separator,
      groups thousands in both languages: "23.000" == "23,000" == 23000 (nobody writes
      three decimals for money).
    - Otherwise the last separator is the decimal point: "." in English, "," in Spanish
      ("1.5k" en, "1,5 mil" es); the other one there is refused ("12,5" en, "12.5" es).
    - When both "," and "." appear, the last one is the decimal point if 1-2 digits
      follow it ("23,000.50" and "23.000,50" in either language).
    - Thousands separators must all be the same character, differ from the decimal
      point, and follow a first group of 1-3 digits not starting with 0 ("0,500" and
      "1,2,3" are refused as ambiguous).

    Refused: negatives ("-5", "(500)"), words for numbers ("twenty"), percentages,
    several numbers, "n/a" (that is "don't know", not zero), anything above the maximum.
    """
    code = _check_lang(lang)
    cleaned = _normalise(text, "amount")
    if cleaned in _ZERO_WORDS:
        return Decimal(0).quantize(_CENT)
    found = _AMOUNT_RE.fullmatch(cleaned)
    if found is None:
        raise ParseError("amount")
    word = found["multiplier"]
    if word is not None and word not in _MULTIPLIERS[code]:
        raise ParseError("amount", f"{word!r} is ambiguous in this language")
    multiplier = _MULTIPLIERS[code][word] if word is not None else 1
    try:
        with localcontext() as context:
            context.prec = 4 * MAX_INPUT_LENGTH  # exact: inputs are at most ~300 digits
            value = _grouped_number(found["number"], code) * multiplier
            if value > MAX_MONEY:
                raise ParseError("amount", "too large")
            return value.quantize(_CENT, rounding=ROUND_HALF_UP)
    except DecimalException:  # pragma: no cover - defensive; the regex admits digits only
        raise ParseError("amount") from None


# --- age and years -----------------------------------------------------------------------

_AGE_RE: Final = re.compile(
    r"(?:(?:age|edad|i am|i['’]?m|tengo) )?"
    r"(?P<age>[0-9]{1,3})"
    r"(?: ?(?:years?|yrs?|y/?o|anos?)(?: old| de edad)?)?"
)
_BIRTH_YEAR_RE: Final = re.compile(
    r"(?:(?:born(?: in)?|naci(?:do|da)? en|ano de nacimiento:?) )?(?P<year>[0-9]{4})"
)
_MIN_AGE, _MAX_AGE = 18, 120


def parse_age(text: str, tax_year: int) -> int:
    """The person's age on December 31 of `tax_year`, 18 to 120.

    Accepts an age ("45", "45 years", "45 years old", "45 años", "I'm 45", "tengo 45")
    or a four-digit birth year ("1981", "born 1981", "nací en 1981"), which becomes
    `tax_year - year` (the age reached during the tax year).
    """
    cleaned = _normalise(text, "age")
    if (found := _AGE_RE.fullmatch(cleaned)) is not None:
        age = int(found["age"])
    elif (found := _BIRTH_YEAR_RE.fullmatch(cleaned)) is not None:
        age = tax_year - int(found["year"])
    else:
        raise ParseError("age")
    if not _MIN_AGE <= age <= _MAX_AGE:
        raise ParseError("age", f"must be {_MIN_AGE} to {_MAX_AGE}")
    return age


def parse_year(text: str) -> int:
    """A four-digit year, 1900 to 2200 (the caller checks which years have data)."""
    cleaned = _normalise(text, "year")
    found = re.fullmatch(r"(?:(?:tax )?year |ano )?([0-9]{4})", cleaned)
    if found is None:
        raise ParseError("year")
    year = int(found[1])
    if not 1900 <= year <= 2200:
        raise ParseError("year", "must be 1900 to 2200")
    return year


def parse_count(text: str, low: int, high: int) -> int:
    """A whole number from `low` to `high`: "24", "24 paychecks", "24 pagos", "24 left"."""
    cleaned = _normalise(text, "count")
    found = re.fullmatch(
        r"([0-9]{1,9})((?: (?:pay ?checks?|checks?|pay ?periods?|periods?|pays?|paydays?"
        r"|pagos?|cheques?|quincenas?|periodos?|nominas?|de|pago|left|remaining|more"
        r"|restantes?|mas|quedan|faltan))*)",
        cleaned,
    )
    if found is None:
        raise ParseError("count")
    count = int(found[1])
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

_YES: Final = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yea",
        "yep",
        "yup",
        "sure",
        "true",
        "correct",
        "of course",
        "yes it does",
        "yes they do",
        "si",
        "claro",
        "si claro",
        "claro que si",
        "por supuesto",
        "cierto",
        "correcto",
        "verdadero",
    }
)
_NO: Final = frozenset(
    {
        "no",
        "n",
        "nope",
        "nah",
        "false",
        "no it doesnt",
        "no they dont",
        "falso",
        "para nada",
    }
)
_UNSURE: Final = frozenset(
    {
        "not sure",
        "im not sure",
        "i am not sure",
        "unsure",
        "dont know",
        "i dont know",
        "do not know",
        "i do not know",
        "idk",
        "dunno",
        "no idea",
        "maybe",
        "no se",
        "no lo se",
        "no estoy seguro",
        "no estoy segura",
        "ni idea",
        "quizas",
        "tal vez",
    }
)
_EMOJI: Final = {
    "\N{THUMBS UP SIGN}": True,
    "\N{THUMBS DOWN SIGN}": False,
    "\N{SHRUG}": None,
}
# Variation selector, skin tones, zero-width joiner and the gender signs of "🤷‍♀️".
_EMOJI_MODIFIERS_RE: Final = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff\u200d\u2640\u2642]")


def parse_yes_no(text: str, lang: str) -> bool | None:
    """True, False, or None for "not sure" (an answer: it leads to "ask HR").

    Both languages are understood whatever `lang` is: "yes", "y", "yeah", "sure", "sí",
    "claro"; "no", "n", "nope"; "not sure", "don't know", "idk", "no sé", "ni idea", "?".
    Case, accents and punctuation do not matter ("Yes!", "SÍ.", "¿no sé?"); 👍, 👎 and
    🤷 count as yes, no and not sure.
    """
    _check_lang(lang)
    cleaned = _EMOJI_MODIFIERS_RE.sub("", _normalise(text, "yes_no"))
    if cleaned in _EMOJI:
        return _EMOJI[cleaned]
    if set(cleaned) <= {"?", "¿", " "}:
        return None
    words = "".join(
        " " if ch in "/-" else ch
        for ch in cleaned
        if unicodedata.category(ch)[0] not in "PS" or ch in "/-"
    )
    words = " ".join(words.split())
    if words in _YES:
        return True
    if words in _NO:
        return False
    if words in _UNSURE:
        return None
    raise ParseError("yes_no")
