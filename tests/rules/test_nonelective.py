"""rules.nonelective_contribution: a percent of plan pay, capped at 401(a)(17)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import limits_for, nonelective_contribution


@pytest.mark.parametrize(
    ("year", "pay", "percent", "expected"),
    [
        (2026, "200000", "3", "6000.00"),  # 3% x $200,000
        (2026, "360000", "3", "10800.00"),  # 3% x $360,000, the 2026 401(a)(17) limit
        (2026, "360001", "3", "10800.00"),  # one dollar over: still capped
        (2026, "500000", "3", "10800.00"),
        (2025, "500000", "3", "10500.00"),  # 2025 limit $350,000 x 3%
        (2024, "500000", "5", "17250.00"),  # 2024 limit $345,000 x 5%
        (2026, "123456.78", "2.5", "3086.42"),  # 3,086.4195 rounds half up to cents
        (2026, "0", "3", "0.00"),
    ],
)
def test_hand_worked(year: int, pay: str, percent: str, expected: str) -> None:
    amount = nonelective_contribution(limits_for(year), Decimal(pay), Decimal(percent))
    assert amount == Decimal(expected)


@given(
    pay=st.decimals(min_value=0, max_value=10_000_000, places=2),
    percent=st.decimals(min_value=0, max_value=100, places=2),
)
def test_never_more_than_the_percent_of_capped_pay(pay: Decimal, percent: Decimal) -> None:
    limits = limits_for(2026)
    amount = nonelective_contribution(limits, pay, percent)
    assert Decimal(0) <= amount <= min(pay, limits.compensation) * percent / 100 + Decimal("0.005")
