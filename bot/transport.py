"""An aiohttp transport for python-telegram-bot, plugged in through the ``BaseRequest`` seam.

A bare PTB echo bot against the strict local stub (``benchmarks/bench_transport.py``, 50
users, 3,000 inputs, 2-core VM) answered 140-143 inputs/s with PTB's default ``HTTPXRequest``
(p99 437-458 ms) and 369-465 inputs/s with this transport (p99 347-360 ms), handling one
update at a time as PTB does by default; with ``concurrent_updates(256)``, 127-142 and
812-844 inputs/s. The bot's CPU per input: 1.7-2.0 ms here against httpx's 6.4-6.6 ms
(1.1 against 7.0-7.8 ms concurrently).

It mirrors ``HTTPXRequest``: the same constructor defaults, multipart when files are
attached, and ``(status, body)`` results, so PTB's ``BaseRequest._request_wrapper`` still
turns HTTP errors into ``TelegramError``s. Requests without files go as one JSON body
(``application/json``, which the Bot API documents alongside form encoding) rather than
HTTPXRequest's urlencoded form of JSON-encoded values: one ``json.dumps`` instead of one
per value plus percent-encoding, about 0.1 ms less CPU per call.

Request URLs carry the bot token, so nothing here logs a URL or puts one in an error message.
"""

from __future__ import annotations

import logging
import re
from typing import NoReturn

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

_LOGGER = logging.getLogger(__name__)

# "/bot<token>/" in a Bot API URL; tokens look like "123456:AAH-x_y".
_TOKEN_IN_URL = re.compile(r"/bot([^/?#]+)")
_JSON_HEADERS = {"Content-Type": "application/json"}


def _redact(text: str, url: str) -> str:
    """Remove the URL and the bot token in it from ``text``."""
    text = text.replace(url, "<url>")
    match = _TOKEN_IN_URL.search(url)
    if match and match.group(1):
        text = text.replace(match.group(1), "<token>")
    return text


class AiohttpRequest(BaseRequest):
    """``BaseRequest`` implemented with one pooled ``aiohttp.ClientSession``.

    Args mirror :class:`telegram.request.HTTPXRequest` (same defaults and meaning):
    ``connection_pool_size`` caps concurrent connections (``TCPConnector(limit=...)``);
    ``read_timeout`` bounds each socket read; ``connect_timeout`` bounds the TCP connect;
    ``pool_timeout`` bounds the wait for a free pooled connection; ``media_write_timeout``
    replaces ``write_timeout`` for uploads. A ``None`` timeout means "wait forever".
    ``proxy`` is an ``http://`` proxy URL (aiohttp has no SOCKS support of its own); unlike
    httpx, proxy environment variables are not read.

    aiohttp has no per-write timeout, so ``write_timeout``/``media_write_timeout`` are kept for
    API parity but a slow upload is bounded only by ``read_timeout`` once the body is sent.
    """

    __slots__ = (
        "_connect_timeout",
        "_connection_pool_size",
        "_media_write_timeout",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._connection_pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (PTB adds the long-polling ``timeout`` to it)."""
        return self._read_timeout

    @property
    def connection_pool_size(self) -> int:
        """The most connections the session keeps open at once."""
        return self._connection_pool_size

    @property
    def is_initialized(self) -> bool:
        """Whether a session is open (between ``initialize()`` and ``shutdown()``)."""
        return self._session is not None and not self._session.closed

    async def initialize(self) -> None:
        """Open the session; a no-op when already open, and reopens after ``shutdown()``."""
        if self.is_initialized:
            return
        connector = aiohttp.TCPConnector(limit=self._connection_pool_size, limit_per_host=0)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            # No session-wide cap: each request gets its own ClientTimeout.
            timeout=aiohttp.ClientTimeout(total=None),
            raise_for_status=False,
            auto_decompress=True,
        )

    async def shutdown(self) -> None:
        """Close the session and its connections; safe to call repeatedly."""
        session, self._session = self._session, None
        if session is None or session.closed:
            _LOGGER.debug("AiohttpRequest is already shut down")
            return
        await session.close()

    def _timeout(
        self,
        read_timeout: ODVInput[float],
        write_timeout: ODVInput[float],
        connect_timeout: ODVInput[float],
        pool_timeout: ODVInput[float],
        has_files: bool,
    ) -> aiohttp.ClientTimeout:
        """Map PTB's timeouts (``DEFAULT_NONE`` → instance default) onto an aiohttp timeout."""
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if has_files else self._write_timeout
        # aiohttp's ``connect`` covers waiting for a pooled connection *and* opening it;
        # ``sock_connect`` covers only opening it. With no pool limit there is no bound.
        acquire = None if pool is None or connect is None else pool + connect
        return aiohttp.ClientTimeout(
            total=None, connect=acquire, sock_connect=connect, sock_read=read
        )

    @staticmethod
    def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
        """A JSON body, or multipart (as ``HTTPXRequest`` sends it) when files attach."""
        if request_data is None:
            return None
        if not request_data.contains_files:
            return request_data.json_payload if request_data.parameters else None
        # quote_fields=False: UTF-8 filenames go out verbatim, as httpx sends them.
        form = aiohttp.FormData(quote_fields=False)
        for name, value in request_data.json_parameters.items():
            form.add_field(name, value)
        for name, (filename, content, mimetype) in request_data.multipart_data.items():
            form.add_field(name, content, filename=filename, content_type=mimetype)
        return form

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return ``(status_code, body)``. Never puts the URL in errors."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")

        has_files = bool(request_data and request_data.contains_files)
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, has_files
        )
        body = self._body(request_data)
        headers = _JSON_HEADERS if isinstance(body, bytes) else None
        try:
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            # Timeouts first: aiohttp's are also ClientConnectionError and OSError subclasses.
            _raise_redacted(TimedOut, err, url)
        except (aiohttp.ClientError, OSError) as err:
            # ClientConnectionError, ServerDisconnectedError, ClientOSError, payload errors …
            _raise_redacted(NetworkError, err, url)


def _raise_redacted(kind: type[NetworkError], err: BaseException, url: str) -> NoReturn:
    """Raise ``kind`` describing ``err`` without the URL; drop the cause if its text has it."""
    text = str(err)
    safe = _redact(text, url)
    message = f"aiohttp.{type(err).__name__}" + (f": {safe}" if safe else "")
    if safe == text:
        raise kind(message) from err
    # Tracebacks get logged; a cause whose text carries the token must not ride along.
    raise kind(message) from None
