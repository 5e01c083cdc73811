"""Rules that turn on last year's pay: HCE status (414(q)) and the Roth catch-up (414(v)(7))."""

from __future__ import annotations

from decimal import Decimal

from rules.figures import Limits
from rules.floor import lookback_year
from rules.limits import hce_threshold


def is_hce(tax_year: int, prior_year_compensation: Decimal) -> bool:
    """414(q)(1)(B): pay in the look-back year above that year's threshold.

    The look-back year is the year before: 2025 pay over $160,000 makes an HCE in 2026
    (planning further ahead on a floor, the latest loaded: `floor.lookback_year`).
    (Ownership over 5% also makes an HCE; the dialog does not ask about it.)
    """
    threshold, _ = hce_threshold(lookback_year(tax_year))
    return prior_year_compensation > threshold


def roth_catch_up_required(limits: Limits, age: int, prior_year_wages: Decimal) -> bool:
    """414(v)(7): catch-ups must be Roth when last year's FICA wages exceeded the threshold.

    Only where the year has an enforced threshold (from 2026; 2024-2025 were a transition
    period under Notice 2023-62) and only for people old enough to make catch-ups.
    """
    threshold = limits.roth_catch_up_wage_threshold
    if threshold is None or age < limits.catch_up_age:
        return False
    return prior_year_wages > threshold
