"""Storage effects are saved with the update: a crash between handling an update and
saving it, then Telegram's redelivery, leaves exactly one profile and one count."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sqlite_store import Store
from tests.bot.test_handlers import Harness, fill, running
from tests.conversations import SETUP_ANSWERS

HR, EMPLOYEE = 501, 502
SETUP = {"plan_name": ("say", "Acme 401(k)"), **SETUP_ANSWERS}


async def set_up_plan(h: Harness, chat_id: int) -> None:
    """/newplan, and every question answered by question but the last (the contact)."""
    await h.say(chat_id, "/newplan")
    await fill(h, chat_id, SETUP, stop_at="plan_contact")


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    store = Store(tmp_path / "bot.db")
    try:
        async with running(store) as running_harness:
            yield running_harness
    finally:
        store.close()


class Crash(BaseException):
    """The process dies after handling an update and before its transaction commits:
    nothing after it runs (a BaseException: no handler catches it and marks the update
    done, as PTB's error handler would for an Exception)."""


def crash_on_save(*args: Any, **kwargs: Any) -> None:
    raise Crash


async def test_a_replayed_last_setup_answer_saves_one_profile(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await set_up_plan(harness, HR)
    last = harness.text_update(HR, "benefits@acme.example")
    with monkeypatch.context() as crashing:
        crashing.setattr(harness.store, "save", crash_on_save)
        with pytest.raises(Crash):
            await harness.process(last)
    assert harness.store.plans_of(HR) == []  # nothing of the lost update was kept
    await harness.process(last)  # Telegram redelivers it
    await harness.process(last)  # and once more, after it was saved: skipped
    [profile] = harness.store.plans_of(HR)
    assert profile.name == "Acme 401(k)"


async def test_a_replayed_link_start_counts_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await set_up_plan(harness, HR)
    await harness.say(HR, "benefits@acme.example")
    [profile] = harness.store.plans_of(HR)
    start = harness.text_update(EMPLOYEE, f"/start {profile.code}")
    with monkeypatch.context() as crashing:
        crashing.setattr(harness.store, "save", crash_on_save)
        with pytest.raises(Crash):
            await harness.process(start)
    plan = harness.store.get_plan(profile.code)
    assert plan is not None
    assert plan.starts == 0
    await harness.process(start)
    await harness.process(start)
    plan = harness.store.get_plan(profile.code)
    assert plan is not None
    assert plan.starts == 1
    assert harness.store.stats()["plan_link_starts"] == 1


async def test_forget_deletes_profiles_with_the_session(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await set_up_plan(harness, HR)
    await harness.say(HR, "benefits@acme.example")
    forget = harness.text_update(HR, "/forget")
    with monkeypatch.context() as crashing:
        crashing.setattr(harness.store, "forget", crash_on_save)
        with pytest.raises(Crash):
            await harness.process(forget)
    assert len(harness.store.plans_of(HR)) == 1  # the crash lost the whole /forget
    assert harness.store.load(HR) is not None
    await harness.process(forget)
    assert harness.store.plans_of(HR) == []
    assert harness.store.load(HR) is None
