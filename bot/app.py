"""Telegram: updates in, dialog events through, replies out. No tax rule, no question text.

One update, end to end (DESIGN.md): an update already handled (a redelivery) is skipped;
otherwise the chat's session is loaded, the event handled by `dialogs`, and the session
saved *together with the replies still to send* (an outbox) and the update's id, in one
SQLite transaction. Only then are the replies sent; the outbox is cleared once they are
out. A crash at any point either loses the whole update (Telegram redelivers it) or keeps
it with its outbox, which is delivered when the bot comes back. Updates of one chat run
in order; different chats run concurrently (ChatOrderedProcessor).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging
import sys
import time
import warnings
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import partial
from typing import Any

from telegram import (
    BotCommand,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
    TypeHandler,
)
from telegram.helpers import create_deep_linked_url
from telegram.warnings import PTBUserWarning

from bot.config import Settings, today_in
from bot.ops import Housekeeping, Metrics, configure_logging, startup_line
from bot.store import ConversationStore, StoreError, open_store
from bot.transport import AiohttpRequest
from dialogs import (
    APOLOGY,
    COMMANDS,
    DESCRIPTION,
    LANGUAGES,
    MAX_CAPTION,
    BucketChart,
    Choice,
    Command,
    Event,
    PlanProfile,
    Reply,
    Segment,
    Services,
    Session,
    Translator,
    command_menu,
    handle_safely,
    negotiate,
    new_session,
    private_only,
    qr_png,
    read_button,
    read_message,
    render_bucket_chart,
    split_text,
)

_LOGGER = logging.getLogger("megaroth.bot")
MAX_ATTEMPTS = 5
STORE_KEY = "store"


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of one chat strictly in order; different chats concurrently.

    PTB's default processes every update one after another (one slow chart would delay
    everyone); `concurrent_updates(True)` would let two taps of one person race. A lock
    per chat gives both properties; locks are dropped when no update of the chat waits.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_id(update) if isinstance(update, Update) else 0
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    return chat.id if chat is not None else 0


def event_name(event: Event) -> str:
    """What kind of input an update was, for logs: never what it said."""
    if isinstance(event, Command):
        return f"command:{event.name if event.name in COMMANDS else 'other'}"
    if isinstance(event, Choice):
        button = read_button(event.data)
        return "tap:other" if button is None else f"tap:{button.kind}"  # forged data: other
    return "answer"


class PollingRequest(AiohttpRequest):
    """The getUpdates transport, noting each successful poll for the heartbeat."""

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        status, payload = await super().do_request(url, method, *args, **kwargs)
        if status == 200 and url.endswith("/getUpdates"):
            self.metrics.last_poll = time.monotonic()
        return status, payload


def event_of(update: Update) -> Event | None:
    """The dialog event an update carries (None for updates the dialog ignores)."""
    if update.callback_query is not None:
        return Choice(update.callback_query.data or "")
    message = update.message
    if message is None:
        return None
    return read_message(message.text or "")  # stickers, photos... arrive as "": re-asked


# ---------------------------------------------------------------- the outbox


def _chart_to_json(chart: BucketChart | None) -> dict[str, Any] | None:
    if chart is None:
        return None
    data = dataclasses.asdict(chart)
    data["limit"] = str(chart.limit)
    data["segments"] = [dict(s, amount=str(s["amount"])) for s in data["segments"]]
    return data


def _chart_from_json(data: dict[str, Any] | None) -> BucketChart | None:
    if data is None:
        return None
    segments = tuple(Segment(**dict(s, amount=Decimal(s["amount"]))) for s in data["segments"])
    return BucketChart(**dict(data, segments=segments, limit=Decimal(data["limit"])))


def outbox_items(ack: Reply | None, ack_message_id: int | None, replies: list[Reply]) -> list[Any]:
    """What is still to be sent for one update, as JSON-ready items."""
    items: list[dict[str, Any]] = []
    if ack is not None and ack_message_id is not None:
        items.append({"edit": ack_message_id, "text": ack.text})
    for reply in replies:
        items.append(
            {
                "text": reply.text,
                "buttons": [[[b.label, b.data] for b in row] for row in reply.buttons],
                "chart": _chart_to_json(reply.chart),
                "qr": reply.qr,
                "asks": reply.asks,
            }
        )
    return items


# ---------------------------------------------------------------- sending

# Charts and QR codes are drawn off the event loop, one at a time: each render holds about
# 10 MB, and asyncio's default pool (up to 32 threads) let a burst of results take the peak
# from 93 to 146 MB in benchmarks/bench_bot.py, for no gain in throughput.
_RENDERER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="megaroth-render")

# `_api` below calls sendMessage and editMessageText through Bot.do_api_request, which PTB
# documents but warns about for methods it wraps. The wrapped methods build a full Message
# object from every reply, which this bot never reads (it needs the message id at most);
# skipping that took the bot's CPU per input from 4.7-5.0 to 3.4-3.8 ms in
# benchmarks/bench_bot.py. Telegram's answer is the same JSON, and errors (RetryAfter,
# Forbidden, BadRequest...) are raised exactly as by the wrapped methods.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)
HTML_DEFAULTS = {"parse_mode": "HTML", "link_preview_options": {"is_disabled": True}}


async def _api(bot: Any, method: str, params: dict[str, Any]) -> Any:
    """One Bot API call returning Telegram's JSON result (a dict, or True)."""
    return await bot.do_api_request(method, api_kwargs={**params, **HTML_DEFAULTS})


# ---------------------------------------------------------------- the bot


class MegarothBot:
    """The handlers and the delivery around one store."""

    def __init__(
        self,
        store: ConversationStore,
        today: Callable[[], dt.date] | None = None,
        admin_ids: frozenset[int] = frozenset(),
        retention_days: int = 30,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.metrics = metrics or Metrics()
        self.housekeeping: Housekeeping | None = None
        self.today = today or today_in
        self.admin_ids = admin_ids  # who may set up plan profiles (empty: anyone)
        self.retention_days = retention_days

    def services(self, update: Update, context: Any) -> Services:
        """What the dialog may use for this update: the plan book, and who is asking."""
        user = update.effective_user
        user_id = user.id if user is not None else None
        username = context.bot.username
        return Services(
            plans=self.store,
            user_id=user_id,
            may_create_plans=user_id is not None
            and (not self.admin_ids or user_id in self.admin_ids),
            link=lambda code: create_deep_linked_url(username, code),
            retention_days=self.retention_days,
        )

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = _chat_id(update)
        event = event_of(update)
        if not chat_id or event is None:
            return
        chat = update.effective_chat
        if chat is not None and chat.type != "private":
            # A group would mix people's salaries in one session, in front of everyone.
            if isinstance(event, Command):
                language = update.effective_user.language_code if update.effective_user else None
                await self._quietly(
                    context.bot.send_message(chat_id=chat_id, text=private_only(language))
                )
            return
        started = time.perf_counter()
        outcome = await self._handle(update, context, chat_id, event)
        milliseconds = (time.perf_counter() - started) * 1000
        self.metrics.count("update")
        self.metrics.observe(milliseconds)
        _LOGGER.info(
            "update %s %s -> %s in %.1f ms",
            update.update_id,
            event_name(event),
            outcome,
            milliseconds,
            extra={
                "event": event_name(event),
                "update_id": update.update_id,
                "outcome": outcome,
                "ms": round(milliseconds, 1),
            },
        )

    async def _handle(self, update: Update, context: Any, chat_id: int, event: Event) -> str:
        """One update, end to end; returns where the conversation went (for the log):
        a question id, "done", "redelivery" or "forget"."""
        query = update.callback_query
        if self.store.was_handled(update.update_id):
            self.metrics.count("redelivery")
            if query is not None:
                await self._quietly(query.answer())
            await self.flush(context, chat_id)
            return "redelivery"
        stored = self.store.load(chat_id)
        pending: list[Any] = []
        if stored is not None and stored.outbox != "[]":
            await self.flush(context, chat_id)  # a previous update's replies go first
            stored = self.store.load(chat_id)
            if stored is not None and stored.outbox != "[]":  # Telegram still unreachable
                pending = json.loads(stored.outbox)
        session = self._session(stored.data if stored else None, update)
        if self.store.is_blocked(chat_id):
            self.store.unblock(chat_id)  # they wrote again: they unblocked us
        had_result = "result" in session.milestones
        outcome = handle_safely(session, event, self.today(), self.services(update, context))
        counters: list[str] = []
        if stored is None:
            counters.append("conversations_started")
        if "result" in session.milestones and not had_result:  # once per check
            counters.append("checks_completed")
            self.metrics.count("completion")
        ack_target = None
        if query is not None and isinstance(query.message, Message):
            ack_target = query.message.message_id
        elif stored is not None:
            ack_target = stored.question_message_id
        items = pending + outbox_items(outcome.ack, ack_target, outcome.replies)
        if query is not None:
            notice = outcome.notice
            await self._quietly(query.answer(text=notice) if notice else query.answer())
        if outcome.forget:
            self.store.forget(chat_id, update.update_id, outcome.effects)
            await self.deliver(context, chat_id, items)
            return "forget"
        self.store.save(
            chat_id,
            update.update_id,
            session.to_json(),
            json.dumps(items, separators=(",", ":")),
            None if stored is None else stored.question_message_id,
            tuple(counters),
            outcome.effects,
        )
        await self._deliver_outbox(context, chat_id, items)  # just saved: no need to reload
        return session.state

    def _session(self, data: str | None, update: Update) -> Session:
        language = update.effective_user.language_code if update.effective_user else None
        if data is not None:
            try:
                return Session.from_json(data)
            except ValueError:
                _LOGGER.warning("unreadable session at update %s; starting over", update.update_id)
        return new_session(language)

    async def flush(self, context: Any, chat_id: int) -> None:
        """Send a chat's outbox, then clear it (at-least-once: a crash mid-way resends)."""
        stored = self.store.load(chat_id)
        if stored is None or stored.outbox == "[]":
            return
        await self._deliver_outbox(context, chat_id, json.loads(stored.outbox))

    async def _deliver_outbox(self, context: Any, chat_id: int, items: list[Any]) -> None:
        """Send a saved outbox and mark it delivered (unless Telegram was unreachable)."""
        result = await self.deliver(context, chat_id, items)
        if result is not False:  # False: Telegram unreachable; kept for the next try
            self.store.delivered(chat_id, result if isinstance(result, int) else None)

    async def deliver(
        self,
        context: Any,
        chat_id: int,
        items: list[dict[str, Any]],
    ) -> int | bool | None:
        """Send the items; return the id of the last message with buttons (None if none),
        or False if delivery failed and should be retried later."""
        bot = context.bot
        question_id: int | None = None
        for item in items:
            if "edit" in item:
                params = {"chat_id": chat_id, "message_id": item["edit"], "text": item["text"]}
                await self._send(chat_id, partial(_api, bot, "editMessageText", params), True)
                continue
            markup = None
            if item["buttons"]:
                markup = {
                    "inline_keyboard": [
                        [{"text": label, "callback_data": data} for label, data in row]
                        for row in item["buttons"]
                    ]
                }
            pieces = split_text(item["text"])
            for index, piece in enumerate(pieces):
                last = index == len(pieces) - 1
                params = {"chat_id": chat_id, "text": piece}
                if last and markup is not None:
                    params["reply_markup"] = markup
                sent = await self._send(chat_id, partial(_api, bot, "sendMessage", params))
                if sent is False:
                    return False
                if sent is None and self.store.is_blocked(chat_id):
                    return None  # blocked: nothing more to send, nothing to retry
                asks = item.get("asks", markup is not None)  # older outboxes lack the flag
                if last and asks and isinstance(sent, dict):
                    question_id = int(sent["message_id"])
            chart = _chart_from_json(item.get("chart"))
            if chart is not None:
                loop = asyncio.get_running_loop()
                png = await loop.run_in_executor(_RENDERER, render_bucket_chart, chart)
                caption = chart.title[:MAX_CAPTION]
                sent = await self._send(
                    chat_id, partial(bot.send_photo, chat_id=chat_id, photo=png, caption=caption)
                )
                if sent is False:
                    return False
            if item.get("qr"):
                png = await asyncio.get_running_loop().run_in_executor(
                    _RENDERER, qr_png, item["qr"]
                )
                sent = await self._send(
                    chat_id, partial(bot.send_photo, chat_id=chat_id, photo=png)
                )
                if sent is False:
                    return False
        return question_id

    async def _send(
        self, chat_id: int, call: Callable[[], Awaitable[Any]], optional: bool = False
    ) -> Any:
        """One Bot API call with Telegram's back-off rules; False when it must wait."""
        delay = 0.5
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await call()
            except RetryAfter as error:
                wait = error.retry_after
                seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
                self.metrics.count("retry")
                _LOGGER.warning(
                    "flood limit: retrying in %.1fs (attempt %d)",
                    seconds,
                    attempt,
                    extra={"event": "retry_after", "seconds": seconds, "attempt": attempt},
                )
                await asyncio.sleep(seconds)
            except Forbidden:
                _LOGGER.info("chat blocked the bot; not retrying")
                self.store.block(chat_id)
                return None
            except BadRequest as error:
                # e.g. "message is not modified" or an edit of a message that is gone.
                level = logging.DEBUG if optional else logging.WARNING
                _LOGGER.log(level, "bad request: %s", type(error).__name__)
                return None
            except (TimedOut, NetworkError) as error:
                self.metrics.count("retry")
                _LOGGER.warning(
                    "network error %s; retrying in %.1fs (attempt %d)",
                    type(error).__name__,
                    delay,
                    attempt,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 8.0)
        _LOGGER.error("giving up for now after %d attempts; kept for later", MAX_ATTEMPTS)
        return False

    @staticmethod
    async def _quietly(call: Awaitable[Any]) -> None:
        try:
            await call
        except (BadRequest, NetworkError) as error:  # "query is too old" after a restart
            _LOGGER.debug("callback answer failed: %s", type(error).__name__)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the update id and error class only (never text or amounts); apologise."""
        update_id = update.update_id if isinstance(update, Update) else None
        self.metrics.count("error")
        _LOGGER.error(
            "error handling update %s: %s",
            update_id,
            type(context.error).__name__,
            extra={
                "event": "error",
                "update_id": update_id,
                "error": type(context.error).__name__,
            },
        )
        if isinstance(update, Update) and update.effective_chat is not None:
            t = Translator(self._language(update, update.effective_chat.id))
            await self._quietly(
                context.bot.send_message(chat_id=update.effective_chat.id, text=t(APOLOGY))
            )

    def _language(self, update: Update, chat_id: int) -> str:
        """The language the person chose (/language), else their Telegram app's."""
        try:
            stored = self.store.load(chat_id)
            if stored is not None:
                return Session.from_json(stored.data).lang
        except Exception:  # an apology must not fail on a broken store or session
            _LOGGER.debug("no stored language for the apology")
        user = update.effective_user
        return negotiate(user.language_code if user else None)

    async def post_init(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        bot = application.bot
        for language in LANGUAGES:
            commands = [BotCommand(name, text) for name, text in command_menu(language)]
            code = None if language == "en" else language  # English is the default menu
            await bot.set_my_commands(commands, language_code=code)
            await bot.set_my_description(Translator(language)(DESCRIPTION), language_code=code)
        for chat_id in self.store.chats_with_outbox():
            await self.flush(_ContextShim(application), chat_id)
        if self.housekeeping is not None:
            self.housekeeping.start()

    async def post_stop(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        if self.housekeeping is not None:
            await self.housekeeping.stop()


class _ContextShim:
    """What `flush` needs of a context (`.bot`), at start-up when there is no update."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.bot = application.bot


def build_application(
    settings: Settings, store: ConversationStore
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB application: our transport, HTML by default, per-chat ordering."""
    assert settings.token is not None
    metrics = Metrics()
    megaroth = MegarothBot(
        store, today=settings.today, admin_ids=settings.admin_ids,
        retention_days=settings.retention_days, metrics=metrics,
    )  # fmt: skip
    megaroth.housekeeping = Housekeeping(settings, store, metrics)
    builder = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .request(AiohttpRequest(connection_pool_size=64))
        .get_updates_request(PollingRequest(metrics, connection_pool_size=2, read_timeout=10.0))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(ChatOrderedProcessor())
        .post_init(megaroth.post_init)
        .post_stop(megaroth.post_stop)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    application = builder.build()
    application.add_handler(TypeHandler(Update, megaroth.on_update))
    application.add_error_handler(megaroth.on_error)
    application.bot_data["megaroth"] = megaroth
    return application


def serve(settings: Settings, curated: list[PlanProfile] | None = None) -> int:
    """Run until SIGTERM/SIGINT; updates in progress finish and the store is closed."""
    configure_logging(settings)
    try:
        store = open_store(settings.db)
    except StoreError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        store.load_curated(curated or [])
    except ValueError as error:
        print(f"configuration error: MEGAROTH_PLANS_FILE {error}", file=sys.stderr)
        store.close()
        return 2
    gone = store.prune(settings.retention_days)
    _LOGGER.info(
        startup_line(settings, store, len(curated or [])),
        extra={"event": "start", "mode": settings.mode, "pruned": gone},
    )
    application = build_application(settings, store)
    try:
        if settings.mode == "webhook":
            assert settings.webhook_url is not None  # checked by Settings
            assert settings.webhook_secret is not None
            application.run_webhook(
                listen=settings.listen,
                port=settings.port,
                url_path="telegram",
                webhook_url=str(settings.webhook_url),
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=["message", "callback_query"],
            )
        else:
            application.run_polling(
                allowed_updates=["message", "callback_query"], drop_pending_updates=False
            )
    finally:
        store.close()
    _LOGGER.info("stopped cleanly", extra={"event": "stop"})
    return 0
