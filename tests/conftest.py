"""Shared test setup: an environment stripped of the bot's settings for every test."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's real TELEGRAM_*/MEGAROTH_* variables out of every test."""
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "MEGAROTH_")):
            monkeypatch.delenv(name)
