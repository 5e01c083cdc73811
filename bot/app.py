"""Telegram: updates in, dialog events through, replies out. No tax rule, no question text.

One update, end to end (DESIGN.md): it is in the inbox before Telegram hears it arrived
(bot/inbox.py). An update already handled (a redelivery) is skipped; otherwise the chat's
session is loaded, the event handled by `dialogs`, and in one transaction the session is
saved, the replies queued in the outbox as Bot API calls, and the update marked done.
Then, outside the chat's lock, a tap is answered (best effort: once, never retried, never
an apology) and the chat's outbox drained (bot/delivery.py). A crash at any point loses
nothing: the update is still in the inbox, or done with its replies in the outbox.
Updates of one chat run in order; different chats run concurrently (ChatOrderedProcessor).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
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

from bot import outbox
from bot.config import Settings, today_in
from bot.delivery import Delivery
from bot.ops import Housekeeping, Metrics
from bot.store import ConversationStore
from bot.transport import AiohttpRequest
from dialogs import (
    APOLOGY,
    COMMANDS,
    ERASED,
    Choice,
    Command,
    Event,
    Services,
    Session,
    Translator,
    handle_safely,
    negotiate,
    new_session,
    private_only,
    read_button,
    read_message,
)

_LOGGER = logging.getLogger("megaroth.bot")
ANSWER_SECONDS = 5.0  # a tap's answer is worth this long a wait, no more
ALLOWED_UPDATES = ("message", "callback_query")

# Replies and polls go through Bot.do_api_request, which PTB documents but warns about
# for the methods it wraps: see bot/delivery.py (api) and bot/polling.py.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of one chat strictly in order; different chats concurrently; then, outside
    the chat's lock, what follows an update (`after`: answering a tap, delivery).

    PTB's default processes every update one after another (one slow chart would delay
    everyone); `concurrent_updates(True)` would let two taps of one person race. A lock
    per chat gives both properties; locks are dropped when no update of the chat waits.
    """

    def __init__(
        self,
        max_concurrent_updates: int = 256,
        after: Callable[[object], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self.after = after

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
        if self.after is not None:
            await self.after(update)

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


def event_of(update: Update) -> Event | None:
    """The dialog event an update carries (None for updates the dialog ignores)."""
    if update.callback_query is not None:
        return Choice(update.callback_query.data or "")
    message = update.message
    if message is None:
        return None
    return read_message(message.text or "")  # stickers, photos... arrive as "": re-asked


@dataclass
class Handled:
    """What an update left for after its chat's lock: the tap's notice, and whether it
    is already marked done in the store."""

    notice: str | None = None
    done: bool = False


class MegarothBot:
    """The handlers around one store; delivery is bot/delivery.py's."""

    def __init__(
        self,
        store: ConversationStore,
        today: Callable[[], dt.date] | None = None,
        admin_ids: frozenset[int] = frozenset(),
        retention_days: int = 30,
        metrics: Metrics | None = None,
        backup_days: int = 14,
    ) -> None:
        self.store = store
        self.metrics = metrics or Metrics()
        self.housekeeping: Housekeeping | None = None
        self.delivery: Delivery | None = None  # set by build_application
        self.today = today or today_in
        self.admin_ids = admin_ids  # who may set up plan profiles (empty: anyone)
        self.retention_days = retention_days
        self.backup_days = backup_days
        self._handled: dict[int, Handled] = {}
        self.transports: list[AiohttpRequest] = []  # closed by close_transports

    async def close_transports(self) -> None:
        """Close the HTTP sessions when the application never finished initializing."""
        for transport in self.transports:
            await transport.shutdown()

    def services(self, update: Update, context: Any) -> Services:
        """What the dialog may use for this update: the plan book (to read; its writes
        come back as effects, saved with the session), and who is asking."""
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
            backup_days=self.backup_days,
        )

    def _note(self, update: Update) -> Handled:
        return self._handled.setdefault(update.update_id, Handled())

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
        """One update, under its chat's lock; returns where the conversation went (for
        the log): a question id, "done", "redelivery" or "forget"."""
        query = update.callback_query
        note = self._note(update)
        if self.store.was_handled(update.update_id):
            self.metrics.count("redelivery")
            note.done = True
            return "redelivery"
        stored = self.store.load(chat_id)
        if stored is None and isinstance(event, Choice):
            # A button from a conversation erased (/forget, retention): say so, and store
            # nothing: a tap is no one starting a new check.
            language = update.effective_user.language_code if update.effective_user else None
            erased = Translator(negotiate(language))(ERASED)
            self.store.finish_update(update.update_id, chat_id, [outbox.text_call(erased)])
            note.done = True
            return "erased"
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
        tapped = None
        if query is not None and isinstance(query.message, Message):
            tapped = query.message.message_id
        calls = outbox.calls_for(
            outcome.ack, tapped, outcome.replies, asked=tapped is not None or stored is not None
        )
        note.notice = outcome.notice
        if outcome.forget:
            self.store.forget(
                chat_id, update.update_id, outbox.erased_calls(outcome.replies), outcome.effects
            )
            note.done = True
            return "forget"
        self.store.save(
            chat_id, update.update_id, session.to_json(), calls, None, tuple(counters),
            outcome.effects,
        )  # fmt: skip
        note.done = True
        return session.state

    async def after_update(self, update: object) -> None:
        """Outside the chat's lock: answer a tap (first, best effort), mark an update
        that changed nothing done, and deliver the chat's replies."""
        if not isinstance(update, Update):
            return
        note = self._handled.pop(update.update_id, Handled())
        query = update.callback_query
        if query is not None:
            await self._answer(query.id, note.notice)
        chat_id = _chat_id(update)
        if not note.done:
            try:
                self.store.finish_update(update.update_id, chat_id)
            except Exception as error:  # still claimed: handled again at the next start
                _LOGGER.error("update %s not marked done: %s", update.update_id,
                              type(error).__name__, extra={"event": "error"})  # fmt: skip
        if chat_id and self.delivery is not None:
            self.delivery.kick(chat_id)

    async def _answer(self, query_id: str, notice: str | None) -> None:
        """answerCallbackQuery: once; a refusal (429, 403, too old...) only logged."""
        bot = self.bot
        if bot is None:
            return
        try:
            async with asyncio.timeout(ANSWER_SECONDS):
                await bot.answer_callback_query(query_id, text=notice)
        except (TelegramError, TimeoutError) as error:
            self.metrics.count("unanswered_tap")
            _LOGGER.info(
                "tap not answered: %s",
                type(error).__name__,
                extra={"event": "tap_unanswered", "error": type(error).__name__},
            )

    bot: Any = None  # the application's bot, for answering taps (set by build_application)

    def _session(self, data: str | None, update: Update) -> Session:
        language = update.effective_user.language_code if update.effective_user else None
        if data is not None:
            try:
                return Session.from_json(data)
            except ValueError:
                _LOGGER.warning("unreadable session at update %s; starting over", update.update_id)
        return new_session(language)

    @staticmethod
    async def _quietly(call: Awaitable[Any]) -> None:
        try:
            await call
        except TelegramError as error:
            _LOGGER.debug("best-effort call failed: %s", type(error).__name__)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the update id and error class only (never text or amounts); queue an
        apology and mark the update done (handling it again would fail again)."""
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
        if not isinstance(update, Update):
            return
        chat_id = _chat_id(update)
        note = self._note(update)
        apology = Translator(self._language(update, chat_id))(APOLOGY)
        calls = [outbox.text_call(apology)] if chat_id else []
        try:
            self.store.finish_update(update.update_id, chat_id, calls)
            note.done = True
        except Exception as error:  # the store itself failed: say sorry directly
            _LOGGER.error("apology not queued: %s", type(error).__name__)
            if chat_id:
                await self._quietly(context.bot.send_message(chat_id=chat_id, text=apology))

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


def build_application(
    settings: Settings, store: ConversationStore
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB application: our transport, HTML by default, per-chat ordering, no
    Updater (bot/polling.py and bot/webhook.py bring updates in, through the inbox)."""
    assert settings.token is not None
    metrics = Metrics()
    megaroth = MegarothBot(
        store, today=settings.today, admin_ids=settings.admin_ids,
        retention_days=settings.retention_days, metrics=metrics,
        backup_days=settings.backup_days,
    )  # fmt: skip
    megaroth.housekeeping = Housekeeping(settings, store, metrics)
    megaroth.transports = [
        AiohttpRequest(connection_pool_size=64),
        AiohttpRequest(connection_pool_size=2, read_timeout=10.0),  # getUpdates
    ]
    builder = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .request(megaroth.transports[0])
        .get_updates_request(megaroth.transports[1])
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(ChatOrderedProcessor(after=megaroth.after_update))
        .updater(None)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    application = builder.build()
    application.add_handler(TypeHandler(Update, megaroth.on_update))
    application.add_error_handler(megaroth.on_error)
    megaroth.bot = application.bot
    megaroth.delivery = Delivery(
        store, application.bot, metrics, max_delay=settings.retry_max_delay
    )
    application.bot_data["megaroth"] = megaroth
    return application
