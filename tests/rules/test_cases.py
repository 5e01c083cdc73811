"""Table-driven checks of the rules core against figures worked out by hand.

Every `tests/rules/cases/*.yaml` file is a list of cases; each case has a unique `name`
(the pytest id) and exactly one of these kinds:

- `situation:` the fields of `rules.Situation` (money as strings or ints, `plan: {...}`),
  checked against `assess(situation)`:
    `expect:`  any Assessment fields; `codes:` (required) the exact ordered action codes;
    `actions:` per-action fields (`deadline` as a YAML date); the n-th entry with a
    code is matched with the n-th action of that code;
    `paycheck_plan:` `null` (there must be none) or any `rules.PaycheckPlan` fields
    (`binding` as a string; `schedule` as a list of `[deferral, after_tax, match]`).
- `limits:` `{year: ..., expect: {...}}`, checked against `rules.limits_for(year)`.
- `unsupported_year:` a year: `limits_for` raises `UnsupportedTaxYear`, and building a
  `Situation` for it raises a pydantic `ValidationError` naming `tax_year`.
- `employer_match:` the keyword arguments of `rules.employer_match` (plus `year`) and
  the expected `amount`.

Money compares exactly: `Decimal(str(actual)) == Decimal(str(expected))`. Fractions
(`backdoor_taxable_fraction`, an action's `fraction`) are written as strings with N
decimal places; the actual value, rounded half-even to N places, must equal them
(a tolerance of half a unit in the N-th place). `null` means the value must be None.

Invariants checked on every situation case: each action cites at least one https
source, and a per-paycheck amount times the remaining paychecks never exceeds the
amount it spreads (and, spread evenly in whole dollars, falls short of it by less than
a dollar a paycheck). With a paycheck plan: its percents are steps, fit in 100% of a
paycheck and under the plan's cap, and its dollars add up to its targets (per paycheck
x paychecks left + left over = target; the last-paycheck catch-up never overshoots).
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

import rules
from rules import (
    Assessment,
    FilingStatus,
    PaycheckPlan,
    Situation,
    UnsupportedTaxYear,
    assess,
    limits_for,
)
from tests.rules.plan_checks import check_plan_invariants

CASES_DIR = Path(__file__).parent / "cases"
KINDS = ("situation", "limits", "unsupported_year", "employer_match")
SITUATION_KEYS = {"name", "situation", "expect", "codes", "actions", "paycheck_plan"}
ASSESSMENT_FIELDS = {f.name for f in dataclasses.fields(Assessment)} - {
    "limits",
    "actions",
    "paycheck_plan",
}
PLAN_FIELDS = {f.name for f in dataclasses.fields(PaycheckPlan)}
ACTION_FIELDS = {
    "code",
    "amount",
    "per_paycheck",
    "fraction",
    "taxable",
    "tax",
    "rule",
    "at_least",
    "deadline",
}
FRACTION_FIELDS = {"backdoor_taxable_fraction", "fraction"}


def _load() -> list[Any]:
    params = []
    seen: set[str] = set()
    for path in sorted(CASES_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            cases = yaml.safe_load(handle)
        assert isinstance(cases, list), f"{path.name}: must hold a list of cases"
        for case in cases:
            name = case.get("name")
            assert isinstance(name, str), f"{path.name}: a case without a name"
            assert name.strip(), f"{path.name}: a case with an empty name"
            assert name not in seen, f"{path.name}: duplicate case name {name!r}"
            seen.add(name)
            kinds = [kind for kind in KINDS if kind in case]
            assert len(kinds) == 1, f"{name}: needs exactly one of {KINDS}"
            params.append(pytest.param(kinds[0], case, id=name))
    return params


CASES = _load()


def _same(field: str, actual: Any, expected: Any) -> None:
    where = f"{field}: expected {expected!r}, got {actual!r}"
    if expected is None:
        assert actual is None, where
    elif isinstance(expected, bool):
        assert actual is expected, where
    elif field in FRACTION_FIELDS:
        assert isinstance(expected, str), f"{field}: write fractions as strings"
        assert actual is not None, where
        want = Decimal(expected)
        places = Decimal(1).scaleb(int(want.as_tuple().exponent))
        assert Decimal(str(actual)).quantize(places, rounding=ROUND_HALF_EVEN) == want, where
    elif field in ("mega_backdoor", "code", "rule", "binding"):
        assert str(actual) == expected, where
    elif field == "deadline":
        assert actual == expected, where  # YAML reads 2026-04-15 as a date
    elif isinstance(expected, list):
        assert actual is not None, where
        assert [Decimal(str(x)) for x in actual] == [Decimal(str(x)) for x in expected], where
    else:
        assert actual is not None, where
        assert Decimal(str(actual)) == Decimal(str(expected)), where


def _check_situation(case: dict[str, Any]) -> None:
    assert set(case) <= SITUATION_KEYS, f"unknown keys {set(case) - SITUATION_KEYS}"
    assert "codes" in case, "every situation case states its exact action codes"
    situation = Situation.model_validate(case["situation"])
    result = assess(situation)

    for field, expected in (case.get("expect") or {}).items():
        assert field in ASSESSMENT_FIELDS, f"unknown Assessment field {field!r}"
        _same(field, getattr(result, field), expected)

    assert [str(code) for code in result.codes] == case["codes"]

    counts: dict[str, int] = {}
    for wanted in case.get("actions") or []:
        assert set(wanted) <= ACTION_FIELDS, f"unknown action keys {set(wanted) - ACTION_FIELDS}"
        code = wanted["code"]
        nth = counts[code] = counts.get(code, -1) + 1
        matching = [a for a in result.actions if str(a.code) == code]
        assert len(matching) > nth, f"no action #{nth + 1} with code {code}"
        action = matching[nth]
        for field, expected in wanted.items():
            _same(field, getattr(action, field), expected)

    if "paycheck_plan" in case:
        _check_plan(result.paycheck_plan, case["paycheck_plan"])
    if result.paycheck_plan is not None:
        check_plan_invariants(situation, result.paycheck_plan)

    # Invariants.
    for action in result.actions:
        assert action.sources, f"{action.code} cites no source"
        assert all(c.href.startswith("https://") for c in action.sources)
    paychecks = situation.remaining_paychecks
    if paychecks:
        by_plan = result.paycheck_plan is not None
        spreads = [(result.after_tax_room, result.after_tax_per_paycheck, by_plan)]
        spreads += [
            (a.amount, a.per_paycheck, by_plan and a.code != "max_elective_deferrals")
            for a in result.actions
        ]
        for total, each, elected in spreads:
            if total is None or each is None:
                continue
            assert each * paychecks <= total, f"{each} x {paychecks} overshoots {total}"
            if not elected:  # whole dollars: short by under a dollar a paycheck
                assert total - each * paychecks < paychecks, f"{each} x {paychecks} << {total}"


def _check_plan(actual: PaycheckPlan | None, expected: dict[str, Any] | None) -> None:
    if expected is None:
        assert actual is None, f"expected no paycheck plan, got {actual}"
        return
    assert actual is not None, "expected a paycheck plan, got none"
    for field, want in expected.items():
        assert field in PLAN_FIELDS, f"unknown PaycheckPlan field {field!r}"
        got = getattr(actual, field)
        if field == "schedule" and want is not None:
            assert got is not None, f"schedule: expected {want!r}, got None"
            rows = [[x.deferral, x.after_tax, x.match] for x in got]
            assert len(rows) == len(want), f"schedule: {len(rows)} paychecks, not {len(want)}"
            for row, wanted in zip(rows, want, strict=True):
                for value, w in zip(row, wanted, strict=True):
                    _same("schedule", value, w)
        else:
            _same(field, got, want)


def _check_limits(spec: dict[str, Any]) -> None:
    limits = limits_for(spec["year"])
    assert limits.year == spec["year"]
    for field, expected in spec["expect"].items():
        actual = getattr(limits, field)
        if field == "roth_ira_phaseout":
            assert set(actual) == set(FilingStatus)
            for status, bounds in expected.items():
                _same(f"{field}[{status}]", list(actual[FilingStatus(status)]), bounds)
        elif field in ("catch_up_age", "catch_up_60_63_ages"):
            assert actual == (tuple(expected) if isinstance(expected, list) else expected)
        else:
            _same(field, actual, expected)


def _check_unsupported(year: int) -> None:
    with pytest.raises(UnsupportedTaxYear) as raised:
        limits_for(year)
    assert raised.value.year == year
    assert year not in rules.supported_years()
    with pytest.raises(ValidationError) as invalid:
        Situation(tax_year=year, age=40, compensation=Decimal(100000))
    assert [error["loc"] for error in invalid.value.errors()] == [("tax_year",)]


def _check_match(spec: dict[str, Any]) -> None:
    args = {k: Decimal(str(v)) for k, v in spec.items() if k not in ("year", "amount")}
    amount = rules.employer_match(limits_for(spec["year"]), **args)
    _same("amount", amount, spec["amount"])


@pytest.mark.parametrize(("kind", "case"), CASES)
def test_case(kind: str, case: dict[str, Any]) -> None:
    if kind == "situation":
        _check_situation(case)
    elif kind == "limits":
        _check_limits(case["limits"])
    elif kind == "unsupported_year":
        _check_unsupported(case["unsupported_year"])
    else:
        _check_match(case["employer_match"])
