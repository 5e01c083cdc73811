"""How many `rules.assess` calls one core does per second on a realistic mix.

    python benchmarks/bench_rules.py [--seconds 3]

Prints calls per second (best of 5 rounds) and the median microseconds per call, for
the mix as the bot saw it before issue 14 (no pay frequency: no paycheck plan), then
for the same mix with the paychecks known (a paycheck plan in every open year).
Situations are built beforehand: this measures the rules core, not input validation.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from decimal import Decimal

from rules import FilingStatus, PlanFeatures, Situation, assess, supported_years


def mix(count: int, seed: int = 2026, paychecks: bool = False) -> list[Situation]:
    """Situations like the bot sees: partial early answers, full ones, every plan shape.

    `paychecks`: also the pay frequency, the deferrals so far (on full answers), the
    election step, the true-up and a match formula, as the bot asks them from issue 14.
    """
    rnd = random.Random(seed)
    tri = [True, False, None]
    out = []
    for i in range(count):
        full = i % 4 != 0
        pay = Decimal(rnd.randrange(40_000, 600_000, 500))
        out.append(
            Situation(
                tax_year=rnd.choice(supported_years()),
                age=rnd.randint(22, 75),
                compensation=pay,
                elective_deferrals=Decimal(rnd.choice([0, 10_000, 23_000, 24_500, 31_000])),
                employer_contributions=Decimal(rnd.randrange(0, 20_000, 100)),
                after_tax_contributed=Decimal(rnd.randrange(0, 20_000, 100)) if full else None,
                plan=PlanFeatures(
                    after_tax_contributions=rnd.choice(tri),
                    in_plan_roth_conversion=rnd.choice(tri),
                    in_service_withdrawal=rnd.choice(tri),
                    automatic_conversion=rnd.choice(tri),
                    after_tax_cap_percent=rnd.choice([None, None, Decimal(10), Decimal(25)]),
                ),
                after_tax_balance=Decimal(rnd.randrange(0, 50_000, 10)) if full else None,
                after_tax_basis=Decimal(rnd.randrange(0, 40_000, 10)) if full else None,
                filing_status=rnd.choice(list(FilingStatus)) if full else None,
                magi=pay + Decimal(rnd.randrange(-20_000, 50_000, 10)) if full else None,
                pretax_ira_balance=Decimal(rnd.choice([0, 0, 5_000, 63_000, 250_000])),
                prior_year_compensation=pay if full else None,
                marginal_tax_rate=Decimal("0.32") if full else None,
                remaining_paychecks=rnd.randint(1, 26) if full else None,
            )
        )
        if paychecks:
            per_year = rnd.choice([12, 24, 26, 52])
            deferrals = out[-1].elective_deferrals or Decimal(0)
            out[-1] = out[-1].model_copy(
                update={
                    "paychecks_per_year": per_year,
                    "remaining_paychecks": rnd.randint(1, per_year),
                    "deferrals_so_far": (deferrals / 2).quantize(Decimal(1)) if full else None,
                    "election_step_percent": rnd.choice([None, Decimal("0.5"), Decimal("0.1")]),
                    "match_true_up": rnd.choice(tri),
                    "match_tiers": rnd.choice([None, ((Decimal(100), Decimal(6)),)]),
                }
            )
    return out


def measure(situations: list[Situation], seconds: float) -> tuple[float, float]:
    """(best calls per second of 5 rounds, median microseconds per call)."""
    for s in situations[:200]:  # warm the caches (parameter files, limits by year)
        assess(s)
    rates = []
    per_call_us = []
    for _ in range(5):
        calls = 0
        start = time.perf_counter()
        deadline = start + seconds / 5
        while time.perf_counter() < deadline:
            for s in situations:
                assess(s)
            calls += len(situations)
        elapsed = time.perf_counter() - start
        rates.append(calls / elapsed)
        per_call_us.append(elapsed / calls * 1e6)
    return max(rates), statistics.median(per_call_us)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    rate, per_call = measure(mix(2_000), args.seconds)
    print(f"assess calls per second (one core, best of 5): {rate:,.0f}")
    print(f"median time per call: {per_call:.1f} us")
    rate, per_call = measure(mix(2_000, paychecks=True), args.seconds)
    print(f"with the paychecks known (a paycheck plan): {rate:,.0f} calls/s, {per_call:.1f} us")
    print("target: at least 20,000 calls per second")


if __name__ == "__main__":
    main()
