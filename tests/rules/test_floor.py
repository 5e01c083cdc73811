"""Planning next year on this year's figures as a floor (issue 14; `rules.floor`).

Each figure's direction is decided in FLOOR_DIRECTIONS; these tests make sure every
Limits field has a decision, that the loaded years bear out the directions the code
relies on, and that a plan made on a floor and followed to the year's end breaks no
limit of next year however next year's figures come out (so long as they follow the
directions): the floor never over-promises.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import rules.limits as limits_module
from rules import FilingStatus, Limits, Situation, assess, limits_for, supported_years
from rules.contributions import catch_up_limit
from rules.floor import FAR, FLOOR_DIRECTIONS, lookback_year, planning_limits
from rules.roth_ira import ira_dollar_limit, roth_ira_limit
from tests.rules.test_follow_advice import complete_situations, follow, follow_plan, includible

ZERO = Decimal(0)
LATEST = supported_years()[-1]
NEXT = LATEST + 1


def test_every_figure_has_a_direction() -> None:
    assert set(FLOOR_DIRECTIONS) == {f.name for f in dataclasses.fields(Limits)}
    assert all(reason.strip() for reason in FLOOR_DIRECTIONS.values())


# The figures the floor takes as they are because they are indexed up only (415(d) and
# the sections FLOOR_DIRECTIONS names): the loaded years must bear that out.
RISING = ("elective_deferral", "catch_up_50", "catch_up_60_63", "annual_additions",
          "compensation", "hce_compensation", "ira", "ira_catch_up",
          "roth_catch_up_wage_threshold")  # fmt: skip


@pytest.mark.parametrize("name", RISING)
def test_the_loaded_years_never_lower_a_rising_figure(name: str) -> None:
    values = [getattr(limits_for(year), name) for year in supported_years()]
    present = [v for v in values if v is not None]
    assert present == sorted(present), f"{name} fell: {values}"


@pytest.mark.parametrize("status", list(FilingStatus))
def test_the_roth_phase_out_ranges_never_fall(status: FilingStatus) -> None:
    ranges = [limits_for(year).roth_ira_phaseout[status] for year in supported_years()]
    assert [r[0] for r in ranges] == sorted(r[0] for r in ranges)
    assert [r[1] for r in ranges] == sorted(r[1] for r in ranges)


def test_planning_limits() -> None:
    limits, match_limits, on_floor = planning_limits(NEXT, LATEST)
    assert on_floor
    assert limits == limits_for(LATEST)  # the floor year's figures, labelled as its own
    assert match_limits.compensation == FAR  # no 401(a)(17) cap for the match
    assert dataclasses.replace(match_limits, compensation=limits.compensation) == limits
    # A loaded year uses its own figures; a floor then is moot.
    assert planning_limits(LATEST, LATEST - 1) == (limits_for(LATEST),) * 2 + (False,)
    assert planning_limits(LATEST, None) == (limits_for(LATEST),) * 2 + (False,)


def test_the_hce_look_back_on_a_floor() -> None:
    assert lookback_year(NEXT) == LATEST  # last year's threshold is loaded: exact
    assert lookback_year(NEXT + 1) == LATEST  # further ahead: the latest loaded (lower)
    assert lookback_year(LATEST) == LATEST - 1


@pytest.mark.parametrize(
    ("update", "field"),
    [
        ({"tax_year": NEXT, "floor_of": NEXT}, None),  # not earlier
        ({"tax_year": LATEST, "floor_of": LATEST + 5}, None),
        ({"tax_year": NEXT, "floor_of": 1999}, "floor_of"),  # no figures loaded
        ({"tax_year": NEXT}, "tax_year"),  # no floor: the year must be loaded
    ],
)
def test_bad_floors_are_refused(update: dict[str, int], field: str | None) -> None:
    with pytest.raises(ValidationError) as info:
        Situation(**update)
    where = {str(e["loc"][0]) if e["loc"] else None for e in info.value.errors()}
    assert field in where or (field is None and "floor_of" in str(info.value))


def test_two_years_ahead_is_planned_on_the_floor_too() -> None:
    s = Situation(tax_year=NEXT + 1, floor_of=LATEST, age=40, compensation=Decimal(200000),
                  prior_year_compensation=Decimal(200000))  # fmt: skip
    a = assess(s)
    assert a.on_floor
    assert a.hce is True  # on the latest loaded threshold


# --- Never over-promise: follow a floor plan, then meet next year's real figures -------

BUMPS: dict[str, dict[str, int]] = {
    "the same figures": {},
    "a usual year": {
        "elective_deferral_limit": 500, "catch_up_limit": 500, "annual_additions_limit": 1000,
        "compensation_limit": 5000, "hce_compensation_threshold": 5000,
        "ira_catch_up_limit": 100, "roth_ira_phaseout_single": 3000,
        "roth_ira_phaseout_married_joint": 5000, "roth_catch_up_wage_threshold": 5000,
    },
    "402(g) up more than 415(c)": {"elective_deferral_limit": 2000, "catch_up_limit": 1000},
    "401(a)(17) far up": {"compensation_limit": 100_000, "annual_additions_limit": 1000},
    "the Roth ranges far up": {"roth_ira_phaseout_single": 20_000,
                               "roth_ira_phaseout_married_joint": 20_000,
                               "ira_contribution_limit": 500},
}  # fmt: skip


def _next_year(tmp: Path, bumps: dict[str, int]) -> Path:
    """The loaded data plus a NEXT entry: the latest year's figures raised by `bumps`."""
    for path in sorted(limits_module.PARAMETERS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        last: dict[str, Any] = dict(data["values"][max(data["values"])])
        value, up = last["value"], bumps.get(path.stem, 0)
        if data["metadata"]["unit"] == "date":
            last["value"] = value.replace(year=value.year + 1)
        elif isinstance(value, dict) and "start" in value:
            last["value"] = {"start": value["start"] + up, "end": value["end"] + up}
        elif isinstance(value, int) and not isinstance(value, bool):
            last["value"] = value + up
        data["values"][dt.date(NEXT, 1, 1)] = last
        (tmp / path.name).write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp


@pytest.fixture(scope="module")
def next_years(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        name: _next_year(tmp_path_factory.mktemp(f"next{n}"), bumps)
        for n, (name, bumps) in enumerate(BUMPS.items())
    }


@contextlib.contextmanager
def figures_from(directory: Path) -> Iterator[None]:
    saved = limits_module.PARAMETERS_DIR
    limits_module.PARAMETERS_DIR = directory
    limits_module.clear_caches()
    try:
        yield
    finally:
        limits_module.PARAMETERS_DIR = saved
        limits_module.clear_caches()


@st.composite
def floor_situations(draw: st.DrawFn) -> Situation:
    """Next year planned in November on this year's figures, its paychecks all to come."""
    s = draw(complete_situations())
    per_year = draw(st.sampled_from([12, 24, 26, 52]))
    return s.model_copy(
        update={
            "tax_year": NEXT,
            "floor_of": LATEST,
            "as_of": dt.date(LATEST, 11, draw(st.integers(1, 30))),
            "paychecks_per_year": draw(st.sampled_from([None, per_year])),
            "remaining_paychecks": per_year,
            "deferrals_so_far": ZERO,
            "after_tax_contributed": ZERO,
            "other_employer_deferrals": ZERO,
            "match_true_up": draw(st.sampled_from([None, True, False])),
            "compensation_limit_prorated": draw(st.sampled_from([None, True, False])),
        }
    )


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(floor_situations(), st.sampled_from(sorted(BUMPS)))
def test_a_floor_plan_followed_breaks_no_limit_of_the_real_year(
    next_years: dict[str, Path], s: Situation, variant: str
) -> None:
    first = assess(s)
    assert first.on_floor
    assert all(x.deadline is None for x in first.actions)
    if first.excess_deferrals != ZERO or first.excess_annual_additions != ZERO:
        return  # already over the floor as given: not the advice's doing
    done = follow_plan(s, first) if first.paycheck_plan else follow(s, first)
    with figures_from(next_years[variant]):
        real = Situation.model_validate({**done.model_dump(), "floor_of": None})
        after = assess(real)
        limits = limits_for(NEXT)
    assert not after.on_floor
    assert after.excess_deferrals == ZERO, variant
    assert after.excess_annual_additions in (ZERO, None), variant
    assert not [x for x in after.actions if x.code == "excess_contribution"], variant
    assert real.elective_deferrals is not None
    assert real.age is not None
    assert real.elective_deferrals <= limits.elective_deferral + catch_up_limit(limits, real.age)
    # The IRA steps made on the floor fit next year's IRA limit and Roth income range,
    # for the pay as it ended up (219(b)(1)(B), 219(c), 408A(c)(3)).
    roth = real.roth_ira_contributed or ZERO
    traditional = real.traditional_ira_contributed or ZERO
    with figures_from(next_years[variant]):
        own = includible(real)
        spouse = real.spouse_compensation or ZERO
        joint = real.filing_status is FilingStatus.married_joint
        pay = own + spouse if joint else own
        most = min(ira_dollar_limit(limits, real.age), pay)
        assert roth + traditional <= most, variant
        if real.filing_status is not None and real.magi is not None:
            assert roth <= roth_ira_limit(limits, real.filing_status, real.magi, real.age, pay)
