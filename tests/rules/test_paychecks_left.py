"""`rules.paychecks_left` against a calendar (issue 14).

The pay dates are not known, only how often pay comes; the estimate is the most
paychecks the days left can hold (a paycheck paid today counts), so a plan spread over
it never overshoots when fewer come. For weekly and biweekly pay that is checked against
every possible schedule (each phase of the 7 or 14 days); semimonthly against the 15th
and the last day; monthly against the month's end (and as at least any other day).
"""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from rules import PAYCHECKS_PER_YEAR, paychecks_left

DAY = dt.timedelta(days=1)


def _days(year: int) -> list[dt.date]:
    start = dt.date(year, 1, 1)
    return [start + DAY * n for n in range(366 if calendar.isleap(year) else 365)]


def _every(first: dt.date, apart: int, year: int) -> list[dt.date]:
    """Pay dates every `apart` days through `year`, one of them on `first`."""
    dates, day = [], first
    while day.year <= year:
        if day.year == year:
            dates.append(day)
        day += dt.timedelta(days=apart)
    return dates


def _left(dates: list[dt.date], today: dt.date) -> int:
    return sum(1 for d in dates if d >= today)


@pytest.mark.parametrize("year", [2026, 2027, 2028])  # 2028 is a leap year
@pytest.mark.parametrize(("frequency", "apart"), [("weekly", 7), ("biweekly", 14)])
def test_weekly_and_biweekly_are_the_most_any_schedule_has_left(
    year: int, frequency: str, apart: int
) -> None:
    schedules = [_every(dt.date(year, 1, 1) + DAY * phase, apart, year) for phase in range(apart)]
    for today in _days(year):
        counts = [_left(dates, today) for dates in schedules]
        estimate = paychecks_left(frequency, year, today)
        # Never fewer than any schedule has (the year's usual count aside: a 27th or
        # 53rd paycheck must be told), and one of them has exactly this many.
        assert estimate == min(max(counts), PAYCHECKS_PER_YEAR[frequency]), today
        assert min(counts) >= estimate - 1, today


@pytest.mark.parametrize("year", [2026, 2028])
def test_semimonthly_counts_the_15th_and_the_last_day(year: int) -> None:
    dates = [
        dt.date(year, month, day)
        for month in range(1, 13)
        for day in (15, calendar.monthrange(year, month)[1])
    ]
    for today in _days(year):
        assert paychecks_left("semimonthly", year, today) == _left(dates, today), today


@pytest.mark.parametrize("year", [2026, 2028])
def test_monthly_counts_the_month_end_the_most_of_any_day(year: int) -> None:
    ends = [dt.date(year, m, calendar.monthrange(year, m)[1]) for m in range(1, 13)]
    firsts = [dt.date(year, m, 1) for m in range(1, 13)]
    for today in _days(year):
        estimate = paychecks_left("monthly", year, today)
        assert estimate == _left(ends, today), today
        assert estimate >= _left(firsts, today), today


@pytest.mark.parametrize(
    ("frequency", "today", "expected"),
    [
        # Dec 31: one paycheck left whatever the frequency (one paid today counts).
        ("weekly", dt.date(2026, 12, 31), 1),
        ("biweekly", dt.date(2026, 12, 31), 1),
        ("semimonthly", dt.date(2026, 12, 31), 1),
        ("monthly", dt.date(2026, 12, 31), 1),
        # Dec 18-31 is 14 days: one biweekly date at most; Dec 17-31 (15 days) may hold 2.
        ("biweekly", dt.date(2026, 12, 18), 1),
        ("biweekly", dt.date(2026, 12, 17), 2),
        # Dec 25-31 is 7 days: one weekly date; Dec 24 on, 8 days: 2.
        ("weekly", dt.date(2026, 12, 25), 1),
        ("weekly", dt.date(2026, 12, 24), 2),
        # Dec 1: 31 days -> biweekly ceil(31 / 14) = 3 (Dec 1, 15, 29 is possible),
        # weekly ceil(31 / 7) = 5; Dec 1 and 15 and 31 twice-monthly; one month.
        ("biweekly", dt.date(2026, 12, 1), 3),
        ("weekly", dt.date(2026, 12, 1), 5),
        ("semimonthly", dt.date(2026, 12, 1), 2),
        ("monthly", dt.date(2026, 12, 1), 1),
        # Nov 30: 32 days -> biweekly 3, weekly 5; semimonthly Nov 30, Dec 15, Dec 31;
        # monthly Nov and Dec.
        ("biweekly", dt.date(2026, 11, 30), 3),
        ("weekly", dt.date(2026, 11, 30), 5),
        ("semimonthly", dt.date(2026, 11, 30), 3),
        ("monthly", dt.date(2026, 11, 30), 2),
        # The 15th is a payday for twice-monthly pay; the 16th is not.
        ("semimonthly", dt.date(2026, 12, 15), 2),
        ("semimonthly", dt.date(2026, 12, 16), 1),
        ("semimonthly", dt.date(2026, 6, 15), 14),
        ("semimonthly", dt.date(2026, 6, 16), 13),
        # Jan 1: 365 days would hold 53 weekly or 27 biweekly dates only if Jan 1 is a
        # payday; the estimate stays at the year's usual 52 / 26 (a 53rd or 27th
        # paycheck is told by the person: paychecks_per_year 53 or 27).
        ("weekly", dt.date(2026, 1, 1), 52),
        ("biweekly", dt.date(2026, 1, 1), 26),
        ("semimonthly", dt.date(2026, 1, 1), 24),
        ("monthly", dt.date(2026, 1, 1), 12),
        ("biweekly", dt.date(2026, 1, 2), 26),  # 364 days: exactly 26
        ("biweekly", dt.date(2026, 1, 3), 26),  # 363 days: 26 at most
    ],
)
def test_boundaries(frequency: str, today: dt.date, expected: int) -> None:
    assert paychecks_left(frequency, today.year, today) == expected


def test_a_year_not_begun_has_all_and_an_ended_one_none() -> None:
    for frequency, count in PAYCHECKS_PER_YEAR.items():
        assert paychecks_left(frequency, 2027, dt.date(2026, 11, 29)) == count
        assert paychecks_left(frequency, 2025, dt.date(2026, 11, 29)) == 0


def test_the_frequencies() -> None:
    assert PAYCHECKS_PER_YEAR == {"weekly": 52, "biweekly": 26, "semimonthly": 24, "monthly": 12}
    with pytest.raises(ValueError, match="fortnightly"):
        paychecks_left("fortnightly", 2026, dt.date(2026, 1, 1))
