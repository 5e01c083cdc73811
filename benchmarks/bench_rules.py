"""How many `rules.assess` calls one core does per second on a realistic mix.

    python benchmarks/bench_rules.py [--seconds 3]

Prints calls per second (best of 5 rounds) and the median microseconds per call.
Situations are built beforehand: this measures the rules core, not input validation.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from decimal import Decimal

from rules import FilingStatus, PlanFeatures, Situation, assess, supported_years


def mix(count: int, seed: int = 2026) -> list[Situation]:
    """Situations like the bot sees: partial early answers, full ones, every plan shape."""
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
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    situations = mix(2_000)
    for s in situations[:200]:  # warm the caches (parameter files, limits by year)
        assess(s)
    rates = []
    per_call_us = []
    for _ in range(5):
        calls = 0
        start = time.perf_counter()
        deadline = start + args.seconds / 5
        while time.perf_counter() < deadline:
            for s in situations:
                assess(s)
            calls += len(situations)
        elapsed = time.perf_counter() - start
        rates.append(calls / elapsed)
        per_call_us.append(elapsed / calls * 1e6)
    print(f"assess calls per second (one core, best of 5): {max(rates):,.0f}")
    print(f"median time per call: {statistics.median(per_call_us):.1f} us")
    print("target: at least 20,000 calls per second")


if __name__ == "__main__":
    main()
