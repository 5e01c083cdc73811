"""The SQLite PlanBook: owners, counts, deletes, and /forget leaving no profile behind."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.memory import MemoryPlanBook
from bot.sqlite_store import Store
from dialogs.plans import PlanProfile, new_code
from dialogs.session import MatchFormula, PlanAnswers


def profile(owner_id: int | None, name: str = "Acme 401(k)") -> PlanProfile:
    return PlanProfile(
        code=new_code(), name=name, owner_id=owner_id, updated=dt.date(2026, 3, 2),
        answers=PlanAnswers(
            plan_name=name, plan_after_tax="yes", plan_in_plan="yes", plan_in_service="no",
            plan_auto="no", plan_cap=Decimal("12.5"),
            plan_match=MatchFormula(rate=Decimal(50), up_to=Decimal(6)),
            plan_nonelective="none", plan_frequency="biweekly", plan_contact="hr@acme.example",
        ),
    )  # fmt: skip


Book = MemoryPlanBook | Store  # both books, with the writes the dialog's effects make


@pytest.fixture(params=["sqlite", "memory"])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Book]:
    if request.param == "memory":
        yield MemoryPlanBook()
        return
    store = Store(tmp_path / "db.sqlite3")
    yield store
    store.close()


def test_round_trip_and_owner_checks(book: Book) -> None:
    mine = profile(7)
    book.save_plan(mine)
    assert book.get_plan(mine.code) == mine
    assert book.get_plan("nope-nope-nope-nope") is None
    assert not book.delete_plan(mine.code, 8)  # not the owner
    assert book.get_plan(mine.code) is not None
    assert book.delete_plan(mine.code, 7)
    assert book.get_plan(mine.code) is None
    assert not book.delete_plan(mine.code, 7)  # already gone


def test_an_edit_keeps_the_count(book: Book) -> None:
    mine = profile(7)
    book.save_plan(mine)
    book.count_start(mine.code)
    book.count_start(mine.code)
    book.count_start("unknown-code-0000")  # nothing to count: no error
    book.save_plan(dataclasses.replace(mine, name="Acme 401(k) Plan"))
    again = book.get_plan(mine.code)
    assert again is not None
    assert again.starts == 2
    assert again.name == "Acme 401(k) Plan"


def test_plans_of_lists_only_the_owners(book: Book) -> None:
    b, a = profile(7, "beta plan"), profile(7, "Alpha plan")
    book.save_plan(b)
    book.save_plan(a)
    book.save_plan(profile(8))
    book.save_plan(profile(None))
    assert [p.name for p in book.plans_of(7)] == ["Alpha plan", "beta plan"]
    assert book.plans_of(9) == []


def test_deleted_profiles_leave_nothing_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = Store(path)
    mine = profile(7, "Zebracorp Savings Plan")
    store.save_plan(mine)
    store.delete_plan(mine.code, 7)
    store.close()
    for file in tmp_path.iterdir():
        data = file.read_bytes()
        assert b"Zebracorp" not in data, file.name
        assert mine.code.encode() not in data, file.name
