"""Shared test setup: an environment stripped of the bot's settings for every test, and
property tests that run the same examples every time.

Hypothesis draws examples at random by default, so a property could pass in one CI run
and fail in the next on an example it had never tried: a flaky suite. The "ci" profile
(the default) derives each test's examples from its name (derandomize) and keeps no
example database, so every run tries the same ones; `HYPOTHESIS_PROFILE=explore pytest`
draws fresh examples, to hunt for new failures before pinning them as cases.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import settings

from tests.e2e.stub_server import NetworkTripwire, StubServer

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's real TELEGRAM_*/MEGAROTH_* variables out of every test."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "MEGAROTH_")):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def network_tripwire(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkTripwire]:
    """Fail the test if anything tried to reach beyond 127.0.0.1."""
    tripwire = NetworkTripwire().install(monkeypatch)
    yield tripwire
    assert not tripwire.violations, f"network access outside 127.0.0.1: {tripwire.violations}"


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without it, constructing ``RetryAfter`` emits a PTBDeprecationWarning (an error here)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def stub() -> AsyncIterator[StubServer]:
    """A fresh Bot API stub server on 127.0.0.1 per test."""
    async with StubServer() as server:
        yield server
