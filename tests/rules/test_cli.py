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
    ],
)
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
