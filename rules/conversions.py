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
    nondeductible_contribution: Decimal, pretax_ira_balance: Decimal
) -> tuple[Decimal, Decimal]:
    """Form 8606 Part I for converting this year's nondeductible contribution in full.

    Returns (taxable fraction, taxable dollars) of the conversion:
        L5  basis = the contribution (no prior basis assumed)
        L6  Dec 31 value of all traditional/SEP/SIMPLE IRAs = the pre-tax balance
        L8  converted = the contribution;  L9 = L6 + L8
        L10 = min(1, L5 / L9), in full precision (OpenTaxSolver's choice)
        L11 = min(L8 x L10, L5): never more tax-free than the basis
        L18 = L8 - L11 taxable
    """
    if nondeductible_contribution <= ZERO:
        return ZERO, ZERO
    basis = nondeductible_contribution
    converted = nondeductible_contribution
    total = pretax_ira_balance + converted
    ratio = min(ONE, basis / total)
    nontaxable = min(converted * ratio, basis)
    taxable = converted - nontaxable
    fraction = min(ONE, max(ZERO, taxable / converted))
    return fraction, taxable.quantize(CENT, rounding=ROUND_HALF_UP)


def conversion_earnings(after_tax_balance: Decimal, after_tax_basis: Decimal) -> Decimal:
    """The taxable part of converting the after-tax balance: its earnings (never < 0)."""
    return max(ZERO, after_tax_balance - after_tax_basis)


def estimated_tax(taxable: Decimal, marginal_rate: Decimal) -> Decimal:
    """A rough federal tax on `taxable` at the person's marginal rate, to the cent."""
    return (taxable * marginal_rate).quantize(CENT, rounding=ROUND_HALF_UP)
