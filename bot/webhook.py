"""The webhook: Telegram POSTs updates to /telegram; answered 200 only once in the inbox.

PTB's webhook server (tornado) reads a whole body, up to 100 MB, before it checks the
secret, and answers 200 as soon as the update is on its in-memory queue. This one is a
small aiohttp handler (aiohttp is already the bot's transport) that refuses a request
whose `X-Telegram-Bot-Api-Secret-Token` is wrong before reading its body (compared in
constant time), refuses bodies over `MAX_BODY` (Telegram's updates are a few KB), and
answers 200 only after `bot.inbox.receive` wrote the update. Anything but 200 makes
Telegram send the update again later.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.inbox import Received, receive
from bot.store import ConversationStore

_LOGGER = logging.getLogger("megaroth.webhook")
PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # bytes


def webhook_app(
    store: ConversationStore, bot: Any, secret: str, on_arrival: Callable[[Received], None]
) -> web.Application:
    expected = secret.encode()

    async def telegram(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        try:
            body = await request.json()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        except ValueError:
            return web.Response(status=400)
        try:
            received = receive(store, [body], bot)
        except Exception as error:  # not stored: Telegram will send it again
            _LOGGER.error(
                "webhook update not stored: %s",
                type(error).__name__,
                extra={"event": "error", "error": type(error).__name__},
            )
            return web.Response(status=503)
        on_arrival(received)
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(PATH, telegram)
    return app
