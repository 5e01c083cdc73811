"""The IRS figures as data: every file well-formed and cited, and each value pinned."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from rules import FilingStatus, UnsupportedTaxYear, limits_for, supported_years
from rules.limits import (
    PARAMETERS_DIR,
    ParameterError,
    citations,
    hce_threshold,
    parameters,
    parse_parameter,
)

FILES = sorted(PARAMETERS_DIR.glob("*.yaml"))


def test_there_are_parameter_files() -> None:
    assert len(FILES) >= 14


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_schema(path: Path) -> None:
    """Read each file raw (not through the loader) and check the schema by hand."""
    text = path.read_text(encoding="utf-8")
    assert "\t" not in text, "no tabs"
    data = yaml.safe_load(text)
    assert set(data) == {"description", "metadata", "values"}
    assert data["description"].strip()
    meta = data["metadata"]
    assert set(meta) == {"unit", "period", "label", "references"}, "one spelling: references"
    assert meta["references"], "at least one general reference"
    for ref in meta["references"]:
        assert ref["title"].strip()
        assert ref["href"].startswith("https://")
    keys = list(data["values"])
    assert all(isinstance(k, dt.date) and (k.month, k.day) == (1, 1) for k in keys)
    assert keys == sorted(keys), "dates sorted"
    years = [k.year for k in keys]
    assert years == list(range(years[0], years[-1] + 1)), "no year missing"
    for entry in data["values"].values():
        assert set(entry) == {"value", "reference"}, "a citation on every value"
        assert entry["reference"]["title"].strip()
        assert entry["reference"]["href"].startswith("https://")


def test_loader_accepts_every_file() -> None:
    assert set(parameters()) == {p.stem for p in FILES}


GOOD: dict[str, Any] = {
    "description": "x",
    "metadata": {
        "unit": "currency-USD",
        "period": "year",
        "label": "x",
        "references": [{"title": "t", "href": "https://example.org"}],
    },
    "values": {
        dt.date(2025, 1, 1): {"value": 1, "reference": {"title": "t", "href": "https://e.org"}},
        dt.date(2026, 1, 1): {"value": 2, "reference": {"title": "t", "href": "https://e.org"}},
    },
}


def _mutated(path: tuple[object, ...], value: object) -> dict[str, Any]:
    import copy

    data = copy.deepcopy(GOOD)
    target: dict[object, object] = data  # type: ignore[assignment]
    for key in path[:-1]:
        target = target[key]  # type: ignore[assignment]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("values", dt.date(2026, 1, 1), "reference"),
            KeyError,
            "exactly 'value' and 'reference'",
        ),
        (("values", dt.date(2026, 1, 1), "reference", "href"), "http://x", "https://"),
        (("values", dt.date(2026, 1, 1), "value"), -5, "non-negative"),
        (("values", dt.date(2026, 1, 1), "value"), 1.5, "whole number"),
        (("values", dt.date(2028, 1, 1)), GOOD["values"][dt.date(2026, 1, 1)], "no year missing"),
        (("values", dt.date(2027, 7, 1)), GOOD["values"][dt.date(2026, 1, 1)], "January 1"),
        (("metadata", "unit"), "furlongs", "unknown unit"),
        (("metadata", "unit"), "date", "must be a date"),
        (("metadata", "references"), [], "at least one source"),
        (("metadata", "reference"), [], "exactly unit, period, label, references"),
    ],
)
def test_loader_rejects_malformed_parameters(
    path: tuple[object, ...], value: object, message: str
) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)):
        parse_parameter("broken", _mutated(path, value))


@pytest.mark.parametrize(
    ("value", "message"),
    [(dt.date(2026, 4, 15), "must fall in 2027"), ("2027-04-15", "must be a date")],
)
def test_deadlines_fall_in_the_year_after(value: object, message: str) -> None:
    data = _mutated(("metadata", "unit"), "date")
    for year, entry in data["values"].items():
        entry["value"] = dt.date(year.year + 1, 4, 15)
    parse_parameter("ok", data)
    data["values"][dt.date(2026, 1, 1)]["value"] = value
    with pytest.raises(ParameterError, match=re.escape(message)):
        parse_parameter("broken", data)


def test_deadlines_are_pinned() -> None:
    # Pub 590-A / IRC 219(f)(3), 6072(a), 7503: April 15 of the next year in each
    # supported year (none falls on a weekend or Emancipation Day); 402(g)(2)(A)(ii).
    for year in (2023, 2024, 2025, 2026):
        limits = limits_for(year)
        assert limits.ira_contribution_deadline == dt.date(year + 1, 4, 15)
        assert limits.excess_deferral_deadline == dt.date(year + 1, 4, 15)


def test_citations_are_well_formed() -> None:
    table = citations()
    assert table
    for key, citation in table.items():
        assert citation.title.strip(), key
        assert citation.href.startswith("https://"), key


def test_supported_years_are_exactly_the_published_ones() -> None:
    assert supported_years() == (2023, 2024, 2025, 2026)


@pytest.mark.parametrize("year", [2022, 2027, 1999, 3000, -1, 0])
def test_unpublished_years_are_refused(year: int) -> None:
    with pytest.raises(UnsupportedTaxYear, match=str(year)):
        limits_for(year)


@pytest.mark.parametrize("year", ["2026", 2026.0, True, None])
def test_non_int_years_are_refused(year: object) -> None:
    with pytest.raises(UnsupportedTaxYear):
        limits_for(year)  # type: ignore[arg-type]


def test_adding_a_year_is_a_data_change_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copy the data, add a 2027 entry to every file: 2027 becomes supported, no code change."""
    import rules.limits as limits_module

    for path in FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        last = dict(data["values"][max(data["values"])])
        if data["metadata"]["unit"] == "date":  # a deadline falls in the year after
            last["value"] = last["value"].replace(year=2028)
        data["values"][dt.date(2027, 1, 1)] = last
        (tmp_path / path.name).write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setattr(limits_module, "PARAMETERS_DIR", tmp_path)
    limits_module.clear_caches()
    try:
        assert supported_years()[-1] == 2027
        assert limits_for(2027).annual_additions == Decimal(72000)
        assert limits_for(2027).ira_contribution_deadline == dt.date(2028, 4, 15)
        assert hce_threshold(2026)[0] == Decimal(160000)
    finally:
        monkeypatch.undo()
        limits_module.clear_caches()
    assert supported_years()[-1] == 2026


# Pinned against the IRS notices (RULES.md §1): Notice 2022-55 (2023), 2023-75 (2024),
# 2024-80 (2025), 2025-67 (2026).
PINNED: dict[int, dict[str, int | None]] = {
    2023: dict(elective_deferral=22500, catch_up_50=7500, catch_up_60_63=None,
               annual_additions=66000, compensation=330000, hce_compensation=150000,
               ira=6500, ira_catch_up=1000, roth_catch_up_wage_threshold=None),
    2024: dict(elective_deferral=23000, catch_up_50=7500, catch_up_60_63=None,
               annual_additions=69000, compensation=345000, hce_compensation=155000,
               ira=7000, ira_catch_up=1000, roth_catch_up_wage_threshold=None),
    2025: dict(elective_deferral=23500, catch_up_50=7500, catch_up_60_63=11250,
               annual_additions=70000, compensation=350000, hce_compensation=160000,
               ira=7000, ira_catch_up=1000, roth_catch_up_wage_threshold=None),
    2026: dict(elective_deferral=24500, catch_up_50=8000, catch_up_60_63=11250,
               annual_additions=72000, compensation=360000, hce_compensation=160000,
               ira=7500, ira_catch_up=1100, roth_catch_up_wage_threshold=150000),
}  # fmt: skip
PHASEOUTS = {
    2023: ((138000, 153000), (218000, 228000)),
    2024: ((146000, 161000), (230000, 240000)),
    2025: ((150000, 165000), (236000, 246000)),
    2026: ((153000, 168000), (242000, 252000)),
}


@pytest.mark.parametrize("year", sorted(PINNED))
def test_published_figures_are_pinned(year: int) -> None:
    limits = limits_for(year)
    for field, expected in PINNED[year].items():
        actual = getattr(limits, field)
        assert actual == (None if expected is None else Decimal(expected)), field
    single, joint = PHASEOUTS[year]
    assert limits.roth_ira_phaseout[FilingStatus.single] == tuple(map(Decimal, single))
    assert limits.roth_ira_phaseout[FilingStatus.head_of_household] == tuple(map(Decimal, single))
    assert limits.roth_ira_phaseout[FilingStatus.married_joint] == tuple(map(Decimal, joint))
    assert limits.roth_ira_phaseout[FilingStatus.married_separate] == (Decimal(0), Decimal(10000))
    assert limits.catch_up_age == 50
    assert limits.catch_up_60_63_ages == (None if year < 2025 else (60, 63))


@pytest.mark.parametrize("year", sorted(PINNED))
def test_every_figure_carries_its_source(year: int) -> None:
    limits = limits_for(year)
    assert set(limits.sources) == set(parameters())
    notice = {2023: "2022-55", 2024: "2023-75", 2025: "2024-80", 2026: "2025-67"}[year]
    assert notice in limits.sources["annual_additions_limit"].title
    assert notice in limits.sources["elective_deferral_limit"].title


@pytest.mark.parametrize(
    ("lookback", "threshold", "notice"),
    [(2022, 135000, "2021-61"), (2023, 150000, "2022-55"), (2024, 155000, "2023-75"),
     (2025, 160000, "2024-80")],
)  # fmt: skip
def test_hce_thresholds_by_lookback_year(lookback: int, threshold: int, notice: str) -> None:
    value, citation = hce_threshold(lookback)
    assert value == Decimal(threshold)
    assert notice in citation.title


def test_hce_lookback_without_data_is_refused() -> None:
    with pytest.raises(UnsupportedTaxYear):
        hce_threshold(2021)
