"""`python -m rules`: the figures with sources, an assessment, and clean refusals."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rules.__main__ import main


def test_limits_prints_figures_with_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["limits", "2026"]) == 0
    out = capsys.readouterr().out
    assert "Annual additions limit (415(c)): $72,000" in out
    assert "Elective deferral limit (402(g)): $24,500" in out
    assert "Catch-up, ages 60-63 (414(v)(2)(E)): $11,250" in out
    assert "Roth catch-up wage threshold (prior-year wages): $150,000" in out
    assert "Notice 2025-67" in out
    assert "https://www.irs.gov/pub/irs-drop/n-25-67.pdf" in out


def test_limits_names_filing_statuses_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 15: "married filing jointly", never `married_joint`."""
    assert main(["limits", "2026"]) == 0
    out = capsys.readouterr().out
    assert "Roth IRA phase-out, married filing jointly: $242,000-$252,000" in out
    assert "married filing separately and lived together: $0-$10,000" in out
    assert "single, head of household, or married filing separately and lived apart" in out
    assert "married_joint" not in out
    assert "married_separate" not in out


def test_limits_2024_has_no_super_catch_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["limits", "2024"]) == 0
    out = capsys.readouterr().out
    assert "Catch-up, ages 60-63 (414(v)(2)(E)): does not apply" in out
    assert "Roth catch-up wage threshold (prior-year wages): not enforced this year" in out


def test_assess_prints_the_room_and_actions(capsys: pytest.CaptureFixture[str]) -> None:
    # 2026, age 35: 72,000 - 24,500 deferred - 6,000 match = 41,500 room;
    # 41,500 / 24 paychecks = 1,729.17 -> 1,729 (rounded down, never overshoots).
    argv = [
        "assess", "--year", "2026", "--age", "35", "--compensation", "200,000",
        "--deferrals", "24500", "--employer", "6000", "--after-tax-contributed", "0",
        "--after-tax", "yes", "--in-plan-conversion", "yes", "--remaining-paychecks", "24",
    ]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "After-tax room: $41,500" in out
    assert "After-tax per paycheck: $1,729" in out
    assert "1. contribute_after_tax $41,500 ($1,729/paycheck)" in out
    assert "2. convert_in_plan" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["limits", "2027"], "no published IRS figures for tax year 2027"),
        (["limits", "twenty"], "not a year"),
        (["assess", "--year", "2026", "--age", "7"], "age:"),
        (["assess", "--year", "2026", "--compensation", "-5"], "compensation:"),
        (["assess", "--year", "2026", "--compensation", "lots"], "not a number"),
        (["assess", "--year", "2026", "--marginal-rate", "4"], "marginal_tax_rate:"),
        (["assess", "--year", "2026", "--magi", "nan"], "not a finite number"),
        (["assess"], "--year"),
        ([], "command"),
        (["assess", "--year", "2026", "--match", "lots"], "not a match formula"),
        (["assess", "--year", "2026", "--match", "100% of the first"], "not a match formula"),
        (["assess", "--year", "2026", "--match", "100% of the first 60% and 50% of the next 50%"],
         "match_tiers:"),
        (["assess", "--year", "2026", "--match", "0% of the first 6%"], "match_tiers"),
        (["assess", "--year", "2026", "--as-of", "2026-13-01"], "not a date"),
        (["assess", "--year", "2026", "--roth-deferrals", "-1"], "roth_deferrals:"),
        (["assess", "--year", "2026", "--deferrals", "100", "--roth-deferrals", "200"],
         "roth_deferrals cannot exceed elective_deferrals"),
        (["assess", "--year", "2026", "--ira-basis", "x"], "not a number"),
        (["assess", "--year", "2026", "--spouse-compensation", "-3"], "spouse_compensation:"),
        (["assess", "--year", "2026", "--other-employer-deferrals", "1e12"],
         "other_employer_deferrals:"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2_with_one_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's own errors
        status = exit_.code  # type: ignore[assignment]
    assert status == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def test_module_runs_as_a_program() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rules", "limits", "2023"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "Annual additions limit (415(c)): $66,000" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "rules", "limits", "2031"], capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr


def test_assess_takes_the_new_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 11 a and l: 2026, age 40, pay 200,000, deferring 5,000 pre-tax, one employer,
    # match "100% of the first 6%": raise by 24,500 - 5,000 = 19,500; the match is then
    # 100% x 6% x 200,000 = 12,000, so the room is 72,000 - 24,500 - 12,000 = 35,500.
    argv = [
        "assess", "--year", "2026", "--age", "40", "--compensation", "200000",
        "--deferrals", "5000", "--roth-deferrals", "0", "--other-employer-deferrals", "0",
        "--employer", "0", "--match", "100% of the first 6%", "--after-tax-contributed", "0",
        "--after-tax", "yes", "--in-plan-conversion", "yes",
    ]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Employer match now / once deferrals are raised: $5,000 / $12,000" in out
    assert "After-tax room: $35,500" in out
    assert "1. max_elective_deferrals $19,500" in out
    assert "2. contribute_after_tax $35,500" in out


def test_assess_two_tier_match_and_spouse_and_basis(capsys: pytest.CaptureFixture[str]) -> None:
    # 100% of 3% + 50% of the next 2% on 100,000 deferring 5,000: 3,000 + 1,000 = 4,000.
    argv = [
        "assess", "--year", "2026", "--age", "40", "--compensation", "100000",
        "--deferrals", "24500", "--other-employer-deferrals", "0", "--employer", "0",
        "--match", "100% of the first 3% and 50% of the next 2%",
        "--after-tax-contributed", "0", "--after-tax", "no",
        "--filing-status", "married_joint", "--magi", "300000", "--spouse-compensation", "0",
        "--pretax-ira-balance", "57000", "--ira-basis", "6000", "--marginal-rate", "0.24",
    ]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Employer match now / once deferrals are raised: $4,000 / $4,000" in out
    # 7,500 backdoor; pro rata 57,000 / (57,000 + 6,000 + 7,500) of 7,500 = 6,063.83
    assert "1. pro_rata_warning $57,000" in out
    assert "2. backdoor_roth $7,500, by 2027-04-15" in out


def test_assess_an_ended_year(capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 11 i: a 2025 plan made on 2026-12-01: payroll and the IRA deadline
    # (2026-04-15) have passed; the after-tax balance is still converted.
    argv = [
        "assess", "--year", "2025", "--age", "40", "--compensation", "200000",
        "--deferrals", "10000", "--other-employer-deferrals", "0", "--employer", "0",
        "--after-tax-contributed", "5000", "--after-tax-balance", "5000",
        "--after-tax-basis", "5000", "--after-tax", "yes", "--in-plan-conversion", "yes",
        "--filing-status", "single", "--magi", "90000", "--as-of", "2026-12-01",
    ]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Tax year ended: yes" in out
    assert "1. year_closed, by 2026-04-15" in out
    assert "2. convert_in_plan $5,000" in out
    assert "max_elective_deferrals" not in out
    assert "contribute_roth_ira" not in out


def test_assess_plans_the_paychecks_left(capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 14: 2026-12-01, 200,000 biweekly, 24,500 deferred so far, 2 paychecks left:
    # 100% of each 7,692.31 paycheck after-tax = 15,384.62 of the 41,500 room (it used to
    # say 20,750 a paycheck).
    argv = [
        "assess", "--year", "2026", "--age", "35", "--compensation", "200000",
        "--deferrals", "24500", "--deferrals-so-far", "24500", "--employer", "6000",
        "--other-employer-deferrals", "0", "--after-tax-contributed", "0",
        "--after-tax", "yes", "--in-plan-conversion", "yes",
        "--pay-frequency", "biweekly", "--remaining-paychecks", "2", "--as-of", "2026-12-01",
    ]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Paycheck plan: 2 of 26 paychecks left, $7,692.31 each" in out
    assert "After-tax: 100% a paycheck ($7,692.31)" in out
    assert "short of 415(c) by $26,115.38 (limited by: pay)" in out
    assert "1. contribute_after_tax $15,384.62 ($7,692.31/paycheck)" in out


def test_assess_counts_paychecks_from_the_frequency(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Twice a month from 2026-12-01: the 15th and the 31st are left; step 0.5, a true-up.
    argv = [
        "assess", "--year", "2026", "--age", "35", "--compensation", "120000",
        "--deferrals", "24500", "--deferrals-so-far", "22000", "--employer", "0",
        "--other-employer-deferrals", "0", "--match", "100% of the first 6%",
        "--match-true-up", "yes", "--after-tax-contributed", "0", "--after-tax", "yes",
        "--in-plan-conversion", "yes", "--pay-frequency", "semimonthly", "--as-of",
        "2026-12-01", "--election-step", "0.5",
    ]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Paycheck plan: 2 of 24 paychecks left, $5,000 each" in out
    assert "elections in steps of 0.5%" in out
    # 2,500 to defer: 25% of each 5,000 paycheck exactly.
    assert "Deferrals: 25% a paycheck ($1,250)" in out
    assert "lost without a true-up: $0" in out


def test_assess_next_year_on_a_floor(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "assess", "--year", "2027", "--floor-of", "2026", "--as-of", "2026-11-20",
        "--age", "40", "--compensation", "150000", "--deferrals", "24500",
        "--other-employer-deferrals", "0", "--employer", "0", "--after-tax-contributed", "0",
        "--after-tax", "yes", "--in-plan-conversion", "yes", "--pay-frequency", "monthly",
    ]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Planned on 2026's figures as a floor (not loaded yet)" in out
    assert "Paycheck plan: 12 of 12 paychecks left" in out  # the year has not begun
    assert "After-tax room: $47,500" in out
