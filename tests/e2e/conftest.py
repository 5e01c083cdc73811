"""Fixtures for end-to-end tests against the Bot API stub (``stub_server.py``).

- ``network_tripwire`` (autouse): any connect/DNS lookup off 127.0.0.1 fails the test.
- ``stub``: a running ``StubServer`` on an ephemeral port.
- ``bot``: an initialized ``telegram.Bot`` on the stub, using ``AiohttpRequest``.
- ``app_builder``: an ``ApplicationBuilder`` wired to the stub (token, URLs, transports).
- ``polling``: ``async with polling(app):`` runs ``app`` with ``updater.start_polling``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import telegram
from telegram.ext import Application, ApplicationBuilder

from bot.transport import AiohttpRequest
from tests.e2e.stub_server import StubServer

PollingRunner = Callable[
    ..., contextlib.AbstractAsyncContextManager[Application[Any, Any, Any, Any, Any, Any]]
]


@pytest.fixture
async def bot(stub: StubServer) -> AsyncIterator[telegram.Bot]:
    """A ``telegram.Bot`` talking to the stub through ``AiohttpRequest``."""
    async with telegram.Bot(
        stub.token,
        base_url=stub.base_url,
        base_file_url=stub.base_file_url,
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    ) as instance:
        yield instance


@pytest.fixture
def app_builder(stub: StubServer) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """``Application.builder()`` pointed at the stub; add handlers and ``.build()``."""
    return (
        Application.builder()
        .token(stub.token)
        .base_url(stub.base_url)
        .base_file_url(stub.base_file_url)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
    )


@pytest.fixture
def polling() -> PollingRunner:
    """``async with polling(app, poll_timeout=1):`` runs ``app`` polling the stub, then stops."""

    @contextlib.asynccontextmanager
    async def run(
        app: Application[Any, Any, Any, Any, Any, Any], poll_timeout: int = 1
    ) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
        assert app.updater is not None, "build the app with an Updater"
        async with app:
            await app.start()
            await app.updater.start_polling(timeout=poll_timeout, poll_interval=0)
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()

    return run


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "soak: the SIGKILL soak (15-30 s); runs in the default pytest, -m 'not soak' skips",
    )
