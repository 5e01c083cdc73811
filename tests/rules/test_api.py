"""The rules core's public API is a contract (DESIGN.md): pin its names and shapes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

import rules
from rules import ActionCode, Assessment, FilingStatus, PlanFeatures, Situation, assess


def test_exported_names() -> None:
    def isort_style(name: str) -> tuple[int, str]:  # ruff's RUF022 order
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert rules.__all__ == sorted(rules.__all__, key=isort_style)
    assert set(rules.__all__) == {
        "Action", "ActionCode", "Assessment", "Citation", "FilingStatus", "Limits", "MAX_MONEY",
        "MegaBackdoor", "PlanFeatures", "Situation", "UnsupportedTaxYear", "assess",
        "catch_up_limit", "employer_match", "limits_for", "mega_backdoor_status",
        "nonelective_contribution",
        "supported_years", "tiered_match",
        # Issue 14: the paychecks that are left.
        "PAYCHECKS_PER_YEAR", "Paycheck", "PaycheckPlan", "paychecks_left",
        # The plan's own after-tax cap, which the reply names when it is what binds.
        "after_tax_cap",
    }  # fmt: skip
    for name in rules.__all__:
        assert hasattr(rules, name)


def test_action_codes_are_the_designed_ones() -> None:
    assert {c.value for c in ActionCode} == {
        "max_elective_deferrals", "contribute_roth_ira", "backdoor_roth", "pro_rata_warning",
        "ask_hr_after_tax", "ask_hr_conversion", "contribute_after_tax", "convert_in_plan",
        "in_service_rollover_split", "enable_auto_conversion", "wait_until_separation",
        "mega_backdoor_unavailable", "no_room_left", "excess_contribution", "hce_refund_risk",
        "roth_catch_up_required", "year_closed",
    }  # fmt: skip
    assert issubclass(ActionCode, str)


def test_filing_statuses() -> None:
    assert [s.value for s in FilingStatus] == [
        "single", "married_joint", "married_separate", "head_of_household"
    ]  # fmt: skip


def test_situation_fields() -> None:
    assert set(Situation.model_fields) == {
        "tax_year", "age", "compensation", "elective_deferrals", "employer_contributions",
        "after_tax_contributed", "plan", "after_tax_balance", "after_tax_basis",
        "filing_status", "magi", "pretax_ira_balance", "prior_year_compensation",
        "marginal_tax_rate", "remaining_paychecks", "paychecks_per_year",
        # DESIGN.md, "Contract additions (December 2026)": names checked outside this repo.
        "match_tiers", "roth_deferrals", "spouse_compensation", "ira_basis",
        "other_employer_deferrals", "as_of",
        # So that following an IRA step can be recorded (None: the steps give the year's
        # whole allowance).
        "roth_ira_contributed", "traditional_ira_contributed",
        # Issue 14: the paychecks that are left, and next year on a floor.
        "deferrals_so_far", "election_step_percent", "match_true_up", "match_so_far",
        "compensation_limit_prorated", "floor_of",
    }  # fmt: skip
    assert set(PlanFeatures.model_fields) == {
        "after_tax_contributions", "in_plan_roth_conversion", "in_service_withdrawal",
        "automatic_conversion", "after_tax_cap_percent",
    }  # fmt: skip


def test_assessment_fields() -> None:
    names = {f.name for f in dataclasses.fields(Assessment)}
    assert names >= {
        "limits", "deferral_limit", "catch_up_limit", "annual_additions_limit",
        "after_tax_room", "after_tax_per_paycheck", "roth_ira_contribution_limit",
        "backdoor_taxable_fraction", "conversion_taxable_earnings",
        "estimated_conversion_tax", "hce", "actions",
        "deferral_headroom", "employer_match", "employer_match_advised", "ira_maximum",
        "year_closed", "paycheck_plan", "on_floor",
    }  # fmt: skip


def test_action_fields() -> None:
    names = {f.name for f in dataclasses.fields(rules.Action)}
    assert names == {
        "code", "amount", "sources", "per_paycheck", "fraction", "taxable", "tax", "rule",
        "at_least", "deadline",
    }  # fmt: skip


def test_new_inputs_have_the_contract_types() -> None:
    s = Situation(
        tax_year=2026,
        match_tiers=[["100", "3"], ["50", "2"]],
        roth_deferrals=Decimal(1000), elective_deferrals=Decimal(5000),
        spouse_compensation=Decimal(100000), ira_basis=Decimal(6000),
        other_employer_deferrals=Decimal(14500), as_of="2026-12-01",
    )  # fmt: skip
    assert s.match_tiers == ((Decimal(100), Decimal(3)), (Decimal(50), Decimal(2)))
    assert s.as_of == dt.date(2026, 12, 1)


def test_unknown_answers_are_none_not_zero() -> None:
    a = assess(Situation(tax_year=2026))
    assert a.deferral_limit is None
    assert a.after_tax_room is None
    assert a.roth_ira_contribution_limit is None
    assert a.backdoor_taxable_fraction is None
    assert a.conversion_taxable_earnings is None
    assert a.hce is None
    assert a.codes == [ActionCode.ask_hr_after_tax, ActionCode.ask_hr_conversion]


def test_situation_is_frozen() -> None:
    s = Situation(tax_year=2026)
    with pytest.raises(ValidationError):
        s.age = 40  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("compensation", -1),
        ("elective_deferrals", "-0.01"),
        ("magi", "NaN"),
        ("magi", "Infinity"),
        ("compensation", 10**12),
        ("compensation", 1.5),  # floats are refused: money is Decimal
        ("age", 17),
        ("age", 121),
        ("marginal_tax_rate", "1.01"),
        ("marginal_tax_rate", "-0.1"),
        ("tax_year", 2027),
        ("tax_year", 2022),
        ("remaining_paychecks", -1),
        ("remaining_paychecks", 54),
        ("filing_status", "married"),
        ("unknown_field", 1),
        ("match_tiers", [["100", "0"]]),
        ("match_tiers", [["0", "6"]]),
        ("match_tiers", [["100", "60"], ["50", "50"]]),
        ("match_tiers", [[1.0, "6"]]),
        ("as_of", "2026-13-01"),
        ("ira_basis", -1),
        ("spouse_compensation", "-5"),
        ("other_employer_deferrals", 10**12),
    ],
)
def test_bad_input_is_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        Situation(**{"tax_year": 2026, field: value})
    assert field in {str(e["loc"][0]) for e in info.value.errors()}


def test_bad_plan_cap_is_refused() -> None:
    with pytest.raises(ValidationError, match="after_tax_cap_percent"):
        PlanFeatures(after_tax_cap_percent=Decimal(101))
    with pytest.raises(ValidationError, match="after_tax_cap_percent"):
        PlanFeatures(after_tax_cap_percent=Decimal(0))


def test_roth_deferrals_are_part_of_the_deferrals() -> None:
    with pytest.raises(ValidationError, match="roth_deferrals"):
        Situation(tax_year=2026, elective_deferrals=Decimal(5000), roth_deferrals=Decimal(5001))
    Situation(tax_year=2026, roth_deferrals=Decimal(5001))  # deferrals unknown: fine


def test_remaining_paychecks_cannot_exceed_the_year() -> None:
    with pytest.raises(ValidationError, match="remaining_paychecks"):
        Situation(tax_year=2026, remaining_paychecks=26, paychecks_per_year=24)


def test_boundary_values_are_accepted() -> None:
    Situation(tax_year=2026, age=18, marginal_tax_rate=Decimal(0), compensation=0)
    Situation(tax_year=2026, age=120, marginal_tax_rate=Decimal(1))


def test_assess_is_deterministic() -> None:
    s = Situation(
        tax_year=2026, age=45, compensation=Decimal(250000), elective_deferrals=Decimal(24500),
        employer_contributions=Decimal(10000), after_tax_contributed=Decimal(0),
        plan=PlanFeatures(after_tax_contributions=True, in_plan_roth_conversion=True),
        filing_status=FilingStatus.single, magi=Decimal(250000),
        pretax_ira_balance=Decimal(20000), remaining_paychecks=10,
    )  # fmt: skip
    assert assess(s) == assess(s)


def test_paycheck_inputs_are_checked() -> None:
    """Issue 14: the deferrals so far are part of the year's; 0 paychecks left is the
    year's last one paid; a floor is an earlier year with figures."""
    with pytest.raises(ValidationError, match="deferrals_so_far"):
        Situation(tax_year=2026, elective_deferrals=Decimal(5000), deferrals_so_far=Decimal(5001))
    Situation(tax_year=2026, deferrals_so_far=Decimal(5001))  # deferrals unknown: fine
    Situation(tax_year=2026, remaining_paychecks=0, paychecks_per_year=26)
    with pytest.raises(ValidationError, match="election_step_percent"):
        Situation(tax_year=2026, election_step_percent=Decimal(0))
    with pytest.raises(ValidationError, match="floor_of"):
        Situation(tax_year=2027, floor_of=2027)
    s = Situation(tax_year=2027, floor_of=2026)
    assert assess(s).on_floor
    assert assess(s).limits.year == 2026


def test_paycheck_plan_fields() -> None:
    names = {f.name for f in dataclasses.fields(rules.PaycheckPlan)}
    assert names >= {
        "paychecks_per_year", "paychecks_left", "pay_per_paycheck", "pay_to_come", "step",
        "deferral_percent", "after_tax_percent", "deferral_per_paycheck",
        "after_tax_per_paycheck", "match_per_paycheck", "deferral_left_over",
        "after_tax_left_over", "last_deferral_percent", "last_after_tax_percent",
        "after_tax_reachable", "after_tax_shortfall", "binding", "match_lost",
    }  # fmt: skip
