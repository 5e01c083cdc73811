"""rules.tiered_match: a match in stacked tiers (the safe-harbor "100% of the first 3%,
then 50% of the next 2%"), capped at 401(a)(17) plan pay."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules import employer_match, limits_for, tiered_match

SAFE_HARBOR = ((Decimal(100), Decimal(3)), (Decimal(50), Decimal(2)))
D = Decimal


@pytest.mark.parametrize(
    ("pay", "deferral_percent", "expected"),
    [
        ("100000", "0", "0.00"),
        ("100000", "2.99", "2990.00"),  # 100% x 2.99% x $100,000
        ("100000", "3", "3000.00"),  # the first tier full
        ("100000", "3.01", "3005.00"),  # + 50% x 0.01% x $100,000 = $5
        ("100000", "4", "3500.00"),  # $3,000 + 50% x 1% x $100,000
        ("100000", "5", "4000.00"),  # both tiers full: $3,000 + $1,000
        ("100000", "12", "4000.00"),  # deferring more adds nothing
        ("360000", "10", "14400.00"),  # 4% x $360,000 (the 2026 401(a)(17) limit)
        ("500000", "10", "14400.00"),  # pay above the limit counts as the limit
        ("123456.78", "4.5", "4629.63"),  # 3,703.7034 + 925.925850 = 4,629.629250
    ],
)
def test_safe_harbor_by_hand(pay: str, deferral_percent: str, expected: str) -> None:
    amount = tiered_match(limits_for(2026), D(pay), D(deferral_percent), SAFE_HARBOR)
    assert amount == D(expected)


@given(
    pay=st.decimals(min_value=0, max_value=1_000_000, places=2),
    deferral=st.decimals(min_value=0, max_value=100, places=2),
    rate=st.decimals(min_value=1, max_value=200, places=0),
    up_to=st.decimals(min_value=1, max_value=100, places=1),
)
def test_one_tier_is_employer_match(
    pay: Decimal, deferral: Decimal, rate: Decimal, up_to: Decimal
) -> None:
    limits = limits_for(2026)
    assert tiered_match(limits, pay, deferral, ((rate, up_to),)) == employer_match(
        limits, pay, deferral, rate, up_to
    )


@given(
    pay=st.decimals(min_value=0, max_value=1_000_000, places=2),
    low=st.decimals(min_value=0, max_value=100, places=2),
    high=st.decimals(min_value=0, max_value=100, places=2),
)
def test_more_deferred_never_matches_less(pay: Decimal, low: Decimal, high: Decimal) -> None:
    low, high = min(low, high), max(low, high)
    limits = limits_for(2026)
    assert tiered_match(limits, pay, low, SAFE_HARBOR) <= tiered_match(
        limits, pay, high, SAFE_HARBOR
    )
    assert tiered_match(limits, pay, high, SAFE_HARBOR) <= min(pay, limits.compensation) * D(
        "0.04"
    ) + D("0.005")
