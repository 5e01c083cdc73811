"""Translations and locale formatting: one gettext catalog per language, chosen per update.

Never `gettext.install()`: people in different languages are served concurrently.
The `.po` files are compiled in memory once per process (no stale `.mo` to commit).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, format_decimal, format_percent, parse_pattern
from babel.support import Translations

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
# Formatting follows the person's language with US conventions: the money is in a US
# plan, and es_US writes "$23,500" as US statements do.
FORMAT_LOCALE = {"en": "en_US", "es": "es_US"}

_LOGGER = logging.getLogger(__name__)
ZERO = Decimal(0)
HALF_CENT = Decimal("0.005")
_WHOLE_DOLLARS: NumberPattern = parse_pattern("¤#,##0")
_CENTS: NumberPattern = parse_pattern("¤#,##0.00")


@lru_cache(maxsize=4096)
def _money(locale: str, amount: Decimal) -> str:
    """`Translator.money`, remembered: a reply formats the same figures (a year's limits,
    the room) again and again, and Babel takes tens of microseconds each time. Equal
    Decimals (1.5, 1.50) format alike, so they may share an entry."""
    # format_currency with these patterns, minus re-parsing locale and pattern each call.
    pattern = _WHOLE_DOLLARS if amount == amount.to_integral_value() else _CENTS
    return str(pattern.apply(amount, _locale(locale), currency="USD", currency_digits=False))


@cache
def _locale(name: str) -> Locale:
    return Locale.parse(name)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, in the person's language."""
    return message


@cache
def translations(lang: str) -> Translations:
    """The compiled catalog for `lang`; English falls back to the source text."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        _LOGGER.error("no catalog for language %s; using the English source text", lang)
        return Translations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def negotiate(language_code: str | None) -> str:
    """Map Telegram's optional IETF tag ("es-419", "pt-br", None) to one we speak."""
    if not language_code:
        return DEFAULT_LANGUAGE
    try:
        language = Locale.parse(language_code.replace("-", "_")).language
    except (UnknownLocaleError, ValueError, TypeError):
        return DEFAULT_LANGUAGE
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


class Translator:
    """Translate and format for one language."""

    __slots__ = ("_t", "lang", "locale")

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.locale = FORMAT_LOCALE[self.lang]
        self._t = translations(self.lang)

    def __call__(self, message: str, **values: object) -> str:
        """Translate `message` and fill its {placeholders}."""
        text = self._t.ugettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        """Translate with the language's plural rule (Spanish has three forms)."""
        text = self._t.ungettext(singular, plural, n)
        return text.format(n=n, **values)

    def money(self, amount: Decimal) -> str:
        """Dollars for the locale: whole dollars when exact, else cents ("$1,729.50")."""
        if amount.copy_abs() < HALF_CENT:
            amount = ZERO  # -0 (it hashes like 0) and -0.001 are $0
        return _money(self.locale, amount)

    def percent(self, fraction: Decimal) -> str:
        """A fraction as a percent with up to one decimal: 0.9302 -> "93%"/"93.0%"."""
        return format_percent(fraction, locale=self.locale, format="#,##0.#%")

    def election(self, percent: Decimal) -> str:
        """A payroll election, exactly as it is made: 19 -> "19%", 7.25 -> "7.25%"."""
        return format_percent(percent / 100, locale=self.locale, format="#,##0.##%")

    def number(self, value: Decimal | int) -> str:
        return format_decimal(value, locale=self.locale)

    def date(self, day: dt.date) -> str:
        return format_date(day, format="long", locale=self.locale)
