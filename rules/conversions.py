"""Tax on moving money to Roth: backdoor IRA conversions (Form 8606) and after-tax 401(k).

Backdoor: all traditional, SEP and SIMPLE IRAs are one contract (408(d)(2)), so a
conversion is part basis, part taxable, by the ratio Form 8606 line 10 computes.
Mega backdoor: converting after-tax 401(k) money taxes only its earnings
(402A(c)(4), Notice 2013-74); a rollover can split basis to a Roth IRA and earnings to a
traditional IRA (Notice 2014-54).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")


def backdoor_taxable(
    converted: Decimal,
    pretax_ira_balance: Decimal,
    ira_basis: Decimal = ZERO,
    year_conversions: Decimal | None = None,
) -> tuple[Decimal, Decimal] | None:
    """Form 8606 Part I for converting this year's nondeductible contributions in full.

    Returns (taxable fraction, taxable dollars) of `converted`, or None for a $0
    conversion (it has no fraction). `year_conversions` is all the year's nondeductible
    contributions, converted (default: `converted` alone); `ira_basis` the basis from
    earlier years, held in the IRAs beside the pre-tax balance:
        L1  this year's nondeductible contributions = year_conversions
        L2  basis from earlier years = ira_basis;  L3 = L1 + L2
        L6  Dec 31 value of all traditional/SEP/SIMPLE IRAs = pre-tax balance + basis
        L8  converted this year = year_conversions;  L9 = L6 + L8
        L10 = min(1, L3 / L9), in full precision (OpenTaxSolver's choice)
        L11 = L8 x L10 nontaxable;  L18 = L8 - L11 taxable
    so the taxable fraction is 1 - L10 = pre-tax / (pre-tax + basis + conversions),
    shared by every conversion of the year. With basis 6,000 beside 57,000 pre-tax and
    7,000 converted: 57,000 / 70,000 of 7,000 = 5,700 taxable (L3 13,000 / L9 70,000).
    """
    if converted <= ZERO:
        return None
    conversions = converted if year_conversions is None else max(converted, year_conversions)
    total = pretax_ira_balance + ira_basis + conversions
    fraction = min(ONE, max(ZERO, pretax_ira_balance / total))
    taxable = (converted * fraction).quantize(CENT, rounding=ROUND_HALF_UP)
    return fraction, taxable


def conversion_earnings(after_tax_balance: Decimal, after_tax_basis: Decimal) -> Decimal:
    """The taxable part of converting the after-tax balance: its earnings (never < 0)."""
    return max(ZERO, after_tax_balance - after_tax_basis)


def estimated_tax(taxable: Decimal, marginal_rate: Decimal) -> Decimal:
    """A rough federal tax on `taxable` at the person's marginal rate, to the cent."""
    return (taxable * marginal_rate).quantize(CENT, rounding=ROUND_HALF_UP)
