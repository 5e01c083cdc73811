"""The IRS figures as data: load `parameters/*.yaml` once, validate, serve by year.

Each parameter file holds one figure with a value (and its citation) for every year it
is published. A tax year is supported only when *every* parameter has an entry for it,
so adding 2027 is a data change: add a 2027-01-01 entry to each file. Nothing is ever
carried forward or extrapolated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from rules.figures import Citation, FilingStatus, Limits

PARAMETERS_DIR = Path(__file__).parent / "parameters"
CITATIONS_FILE = Path(__file__).parent / "citations.yaml"
UNITS = ("currency-USD", "currency-USD-range", "year", "age-range", "date")

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UnsupportedTaxYear(ValueError):
    """No published IRS figures for this year; the rules refuse rather than guess."""

    def __init__(self, year: object, supported: tuple[int, ...]) -> None:
        self.year = year
        self.supported = supported
        span = f"{supported[0]}-{supported[-1]}" if supported else "none"
        super().__init__(f"no published IRS figures for tax year {year} (supported: {span})")


class ParameterError(ValueError):
    """A parameter file is malformed; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Parameter:
    """One IRS figure across years: {year: (value, citation)}; value None = not applicable."""

    name: str
    description: str
    unit: str
    label: str
    references: tuple[Citation, ...]
    values: dict[int, tuple[Any, Citation]]


def _citation(raw: Any, where: str) -> Citation:
    if not isinstance(raw, dict) or set(raw) != {"title", "href"}:
        raise ParameterError(f"{where}: a reference needs exactly 'title' and 'href'")
    title, href = raw["title"], raw["href"]
    if not isinstance(title, str) or not title.strip():
        raise ParameterError(f"{where}: empty reference title")
    if not isinstance(href, str) or not href.startswith("https://"):
        raise ParameterError(f"{where}: reference href must be an https:// link")
    return Citation(title=title, href=href)


def _value(raw: Any, unit: str, where: str, year: int) -> Any:
    """Check a value against its unit; return ints, dicts of ints, dates, or None."""
    if raw is None:
        return None
    if unit == "date":
        # A deadline for acts about tax year `year`: it falls in the year after.
        if not isinstance(raw, dt.date) or isinstance(raw, dt.datetime):
            raise ParameterError(f"{where}: value must be a date (YYYY-MM-DD)")
        if raw.year != year + 1:
            raise ParameterError(f"{where}: a deadline for {year} must fall in {year + 1}")
        return raw
    if unit in ("currency-USD", "year"):
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
            raise ParameterError(f"{where}: value must be a non-negative whole number")
        return raw
    keys = ("start", "end") if unit == "currency-USD-range" else ("first", "last")
    if not isinstance(raw, dict) or set(raw) != set(keys):
        raise ParameterError(f"{where}: value must be {{{keys[0]}: ..., {keys[1]}: ...}}")
    low, high = raw[keys[0]], raw[keys[1]]
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (low, high)):
        raise ParameterError(f"{where}: range bounds must be whole numbers")
    if not 0 <= low < high:
        raise ParameterError(f"{where}: range must have 0 <= {keys[0]} < {keys[1]}")
    return raw


def parse_parameter(name: str, data: Any) -> Parameter:
    """Validate one parameter file's contents; raise ParameterError naming what is wrong."""
    where = f"parameter {name!r}"
    if not isinstance(data, dict) or set(data) != {"description", "metadata", "values"}:
        raise ParameterError(f"{where}: needs exactly description, metadata and values")
    meta = data["metadata"]
    if not isinstance(meta, dict) or set(meta) != {"unit", "period", "label", "references"}:
        raise ParameterError(f"{where}: metadata needs exactly unit, period, label, references")
    if meta["unit"] not in UNITS:
        raise ParameterError(f"{where}: unknown unit {meta['unit']!r}")
    if meta["period"] != "year":
        raise ParameterError(f"{where}: period must be 'year'")
    refs = meta["references"]
    if not isinstance(refs, list) or not refs:
        raise ParameterError(f"{where}: metadata.references must list at least one source")
    raw_values = data["values"]
    if not isinstance(raw_values, dict) or not raw_values:
        raise ParameterError(f"{where}: values must map effective dates to entries")
    values: dict[int, tuple[Any, Citation]] = {}
    previous: dt.date | None = None
    for key, entry in raw_values.items():
        here = f"{where} at {key}"
        if not isinstance(key, dt.date) or (key.month, key.day) != (1, 1):
            raise ParameterError(f"{here}: keys must be January 1 dates (YYYY-01-01)")
        if previous is not None and key.year != previous.year + 1:
            raise ParameterError(f"{here}: dates must be sorted with no year missing")
        previous = key
        if not isinstance(entry, dict) or set(entry) != {"value", "reference"}:
            raise ParameterError(f"{here}: an entry needs exactly 'value' and 'reference'")
        value = _value(entry["value"], meta["unit"], here, key.year)
        values[key.year] = (value, _citation(entry["reference"], here))
    return Parameter(
        name=name,
        description=str(data["description"]),
        unit=meta["unit"],
        label=str(meta["label"]),
        references=tuple(_citation(r, where) for r in refs),
        values=values,
    )


@cache
def parameters() -> dict[str, Parameter]:
    """Every parameter file, loaded and validated once."""
    loaded: dict[str, Parameter] = {}
    for path in sorted(PARAMETERS_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            loaded[path.stem] = parse_parameter(path.stem, yaml.load(handle, Loader=_Loader))
    return loaded


@cache
def citations() -> dict[str, Citation]:
    """The authorities behind the rules (not the figures), keyed by a short id."""
    with CITATIONS_FILE.open(encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=_Loader)
    return {key: _citation(value, f"citation {key!r}") for key, value in raw.items()}


@cache
def cite(*keys: str) -> tuple[Citation, ...]:
    """The citations for these ids, in order (KeyError on a typo, caught by the tests)."""
    table = citations()
    return tuple(table[key] for key in keys)


@cache
def supported_years() -> tuple[int, ...]:
    """The years for which every parameter has a published entry."""
    sets = [set(p.values) for p in parameters().values()]
    return tuple(sorted(set.intersection(*sets))) if sets else ()


def _money(raw: Any) -> Decimal:
    return Decimal(raw)


def _optional_money(raw: Any) -> Decimal | None:
    return None if raw is None else Decimal(raw)


def _range(raw: dict[str, int]) -> tuple[Decimal, Decimal]:
    return Decimal(raw["start"]), Decimal(raw["end"])


PHASEOUT_PARAMETER = {  # the parameter file holding each status's Roth IRA range
    FilingStatus.single: "roth_ira_phaseout_single",
    FilingStatus.head_of_household: "roth_ira_phaseout_single",
    FilingStatus.married_joint: "roth_ira_phaseout_married_joint",
    FilingStatus.married_separate: "roth_ira_phaseout_married_separate",
}


@cache
def _limits_for(year: int) -> Limits:
    p = parameters()

    def get(name: str) -> Any:
        return p[name].values[year][0]

    sources = {name: param.values[year][1] for name, param in p.items() if year in param.values}
    ages = get("catch_up_60_63_ages")
    return Limits(
        year=year,
        elective_deferral=_money(get("elective_deferral_limit")),
        catch_up_50=_money(get("catch_up_limit")),
        catch_up_60_63=_optional_money(get("catch_up_60_63_limit")),
        annual_additions=_money(get("annual_additions_limit")),
        compensation=_money(get("compensation_limit")),
        hce_compensation=_money(get("hce_compensation_threshold")),
        ira=_money(get("ira_contribution_limit")),
        ira_catch_up=_money(get("ira_catch_up_limit")),
        roth_ira_phaseout={fs: _range(get(name)) for fs, name in PHASEOUT_PARAMETER.items()},
        roth_catch_up_wage_threshold=_optional_money(get("roth_catch_up_wage_threshold")),
        catch_up_age=int(get("catch_up_age")),
        catch_up_60_63_ages=None if ages is None else (int(ages["first"]), int(ages["last"])),
        ira_contribution_deadline=get("ira_contribution_deadline"),
        excess_deferral_deadline=get("excess_deferral_deadline"),
        sources=sources,
    )


def limits_for(year: int) -> Limits:
    """The IRS figures for `year`; raises UnsupportedTaxYear when any is unpublished."""
    if isinstance(year, bool) or not isinstance(year, int) or year not in supported_years():
        raise UnsupportedTaxYear(year, supported_years())
    return _limits_for(year)


@cache
def hce_threshold(lookback_year: int) -> tuple[Decimal, Citation]:
    """The 414(q) pay threshold of a look-back year, with its citation.

    Pay above it in `lookback_year` makes an employee highly compensated the next year.
    """
    param = parameters()["hce_compensation_threshold"]
    if lookback_year not in param.values:
        raise UnsupportedTaxYear(lookback_year + 1, supported_years())
    value, citation = param.values[lookback_year]
    return Decimal(value), citation


def clear_caches() -> None:
    """Forget the loaded data (tests that point PARAMETERS_DIR elsewhere use this)."""
    for cached in (parameters, citations, cite, supported_years, _limits_for, hce_threshold):
        cached.cache_clear()
    from rules import floor  # figures derived from these (imported late: floor uses them)

    floor.planning_limits.cache_clear()
    floor.lookback_year.cache_clear()
