"""Running the bot on Telegram: start-up, serving, stopping.

Start-up rides out a Bot API that is down, slow, or answering 429 or 5xx: getMe is tried
until it works (waiting what a 429 says, backing off otherwise), and a refused token
ends the process with one line that never shows it (exit 2, a configuration error).
Then it serves at once: the inbox dispatcher, the poller or webhook, and the outbox's
background job (which drains what an earlier run left, concurrently, alongside new
conversations) all start together. The command menu and description are best effort,
in the background, and only sent again when they changed.

SIGTERM or SIGINT: stop taking updates, let those in progress finish, close the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiohttp import web
from telegram import BotCommand
from telegram.error import InvalidToken, RetryAfter, TelegramError

from bot import outbox
from bot.app import ALLOWED_UPDATES, MegarothBot, build_application
from bot.config import Settings
from bot.delivery import retry_seconds
from bot.inbox import Dispatcher
from bot.ops import configure_logging, redact_uncaught, startup_line
from bot.polling import Poller
from bot.sqlite_store import open_store
from bot.store import ConversationStore, NewWork, Queue, StoreError
from bot.webhook import webhook_app
from dialogs import DESCRIPTION, LANGUAGES, PlanProfile, Translator, command_menu

_LOGGER = logging.getLogger("megaroth.runner")
MENU_KEY = "menu"  # meta: a digest of the commands and description last sent
MENU_ATTEMPTS = 3
REFUSED = (
    "configuration error: the Bot API refused TELEGRAM_BOT_TOKEN{when}; check the token, "
    "and TELEGRAM_BASE_URL if it is set"
)

App = Any  # telegram.ext.Application[...], spelled out where it matters


class Refused(Exception):
    """The Bot API refused the token; the message is the line to print."""


def serve(settings: Settings, curated: list[PlanProfile] | None = None) -> int:
    """Run until SIGTERM/SIGINT; updates in progress finish and the store is closed."""
    configure_logging(settings)
    if settings.token is not None:
        redact_uncaught(settings.token.get_secret_value())
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
    try:
        code = asyncio.run(run(settings, store))
    finally:
        store.close()
    if code == 0:
        _LOGGER.info("stopped cleanly", extra={"event": "stop"})
    return code


async def run(settings: Settings, store: ConversationStore) -> int:
    application = build_application(settings, store)
    megaroth: MegarothBot = application.bot_data["megaroth"]
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await start_up(application, settings, stopping)
    except Refused as error:
        print(error, file=sys.stderr)
        await megaroth.close_transports()
        return 2
    if stopping.is_set():
        await application.shutdown()
        return 0
    await application.start()
    move_legacy_outboxes(store)
    dispatcher = Dispatcher(application, store)
    assert megaroth.delivery is not None
    delivery = megaroth.delivery
    tasks = [
        asyncio.create_task(dispatcher.run(), name="megaroth-inbox"),
        asyncio.create_task(delivery.run(), name="megaroth-outbox"),
        asyncio.create_task(publish_menu(application.bot, store), name="megaroth-menu"),
    ]
    intake, site = await start_intake(application, settings, store, megaroth, dispatcher)
    if intake is not None:
        tasks.append(intake)
    if megaroth.housekeeping is not None:
        megaroth.housekeeping.start()
    fatal = 0
    waiter = asyncio.create_task(stopping.wait())
    watched = {waiter} | ({intake} if intake is not None else set())
    done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
    if intake is not None and intake in done and not intake.cancelled():
        failure = intake.exception()
        if isinstance(failure, InvalidToken):
            print(REFUSED.format(when=" while polling"), file=sys.stderr)
            fatal = 2
        elif failure is not None:
            _LOGGER.error("polling stopped: %s", type(failure).__name__)
            fatal = 1
    waiter.cancel()
    await stop(application, megaroth, dispatcher, tasks, site)
    return fatal


async def start_up(application: App, settings: Settings, stopping: asyncio.Event) -> None:
    """initialize() (getMe) until it works; in webhook mode register the webhook, in
    polling mode remove any; Refused if the token is refused."""
    bot = application.bot
    await retrying(application.initialize, "getMe", settings, stopping)
    if stopping.is_set():
        return
    if settings.mode == "webhook":
        assert settings.webhook_url is not None
        assert settings.webhook_secret is not None
        secret = settings.webhook_secret.get_secret_value()

        async def register() -> Any:
            return await bot.set_webhook(
                url=str(settings.webhook_url),
                secret_token=secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=False,
            )

        await retrying(register, "setWebhook", settings, stopping)
    else:
        await retrying(
            lambda: bot.delete_webhook(drop_pending_updates=False),
            "deleteWebhook",
            settings,
            stopping,
        )


async def retrying(
    call: Callable[[], Awaitable[Any]], name: str, settings: Settings, stopping: asyncio.Event
) -> None:
    """Until `call` works or the bot is asked to stop; Refused on a refused token."""
    delay = min(0.5, settings.retry_max_delay)
    while not stopping.is_set():
        try:
            await call()
            return
        except InvalidToken:  # its message quotes the token: never shown
            raise Refused(REFUSED.format(when="")) from None
        except RetryAfter as error:
            wait = retry_seconds(error)
        except TelegramError as error:
            wait = delay
            delay = min(delay * 2, settings.retry_max_delay)
            _LOGGER.warning(
                "start-up: %s failed (%s); retrying in %.1fs",
                name,
                type(error).__name__,
                wait,
                extra={"event": "startup_retry", "error": type(error).__name__},
            )
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await stopping.wait()


async def start_intake(
    application: App,
    settings: Settings,
    store: ConversationStore,
    megaroth: MegarothBot,
    dispatcher: Dispatcher,
) -> tuple[asyncio.Task[None] | None, web.AppRunner | None]:
    """The poller (a task) or the webhook server (a runner)."""
    if settings.mode == "webhook":
        assert settings.webhook_secret is not None
        app = webhook_app(
            store, application.bot, settings.webhook_secret.get_secret_value(), dispatcher.arrived
        )
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        await web.TCPSite(runner, settings.listen, settings.port).start()
        _LOGGER.info("webhook listening", extra={"event": "listening"})
        return None, runner
    poller = Poller(
        application.bot,
        store,
        megaroth.metrics,
        dispatcher.arrived,
        allowed_updates=ALLOWED_UPDATES,
        max_delay=settings.retry_max_delay,
    )

    def woken() -> None:  # the dispatcher took some: there may be room to poll again
        poller.room.set()

    dispatcher.on_room = woken
    return asyncio.create_task(poller.run(), name="megaroth-poll"), None


async def stop(
    application: App,
    megaroth: MegarothBot,
    dispatcher: Dispatcher,
    tasks: list[asyncio.Task[Any]],
    site: web.AppRunner | None,
) -> None:
    """Stop taking updates; finish those in progress; leave the rest to the next start."""
    _LOGGER.info("stopping: updates in progress finish", extra={"event": "stopping"})
    if site is not None:
        await site.cleanup()
    for task in tasks:
        if task.get_name() == "megaroth-poll":
            task.cancel()
    await dispatcher.stop()
    if megaroth.delivery is not None:
        await megaroth.delivery.stop()
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    if megaroth.housekeeping is not None:
        await megaroth.housekeeping.stop()
    await application.stop()
    await application.shutdown()


def move_legacy_outboxes(store: ConversationStore) -> None:
    """Replies an older version kept in the session row become outbox rows; one that
    can't be read becomes a row the delivery sets aside (never a failed start)."""
    for chat_id, text in store.legacy_outboxes():
        try:
            calls = outbox.from_legacy(text)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            _LOGGER.error(
                "an older outbox can't be read: %s", type(error).__name__,
                extra={"event": "set_aside"},
            )  # fmt: skip
            calls = [text]  # parsed again when delivered, and set aside then
        store.put(Queue.OUTBOX, [NewWork(chat_id, call) for call in calls])
        store.clear_legacy_outbox(chat_id)


def menu(language: str) -> tuple[list[tuple[str, str]], str]:
    """The command menu and the bot's description in a language, from the catalogs."""
    return command_menu(language), Translator(language)(DESCRIPTION)


def menu_digest() -> str:
    shown = [menu(language) for language in LANGUAGES]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()


async def publish_menu(bot: Any, store: ConversationStore) -> None:
    """setMyCommands and setMyDescription in English and Spanish, best effort: a few
    tries each; sent again only when they changed since the last time they went out."""
    digest = menu_digest()
    if store.get_meta(MENU_KEY) == digest:
        return
    for language in LANGUAGES:
        code = None if language == "en" else language  # English is the default menu
        items, description = menu(language)
        commands = [BotCommand(name, text) for name, text in items]
        calls: list[Callable[[], Awaitable[Any]]] = [
            partial(bot.set_my_commands, commands, language_code=code),
            partial(bot.set_my_description, description, language_code=code),
        ]
        for call in calls:
            if not await _best_effort(call):
                return  # the next start tries again
    store.set_meta(MENU_KEY, digest)


async def _best_effort(call: Callable[[], Awaitable[Any]]) -> bool:
    delay = 1.0
    for attempt in range(1, MENU_ATTEMPTS + 1):
        try:
            await call()
            return True
        except TelegramError as error:
            wait = retry_seconds(error) if isinstance(error, RetryAfter) else delay
            _LOGGER.warning(
                "menu not set (%s, attempt %d)", type(error).__name__, attempt,
                extra={"event": "menu_retry", "error": type(error).__name__},
            )  # fmt: skip
            if attempt < MENU_ATTEMPTS:
                await asyncio.sleep(min(wait, 60.0))
            delay *= 2
    return False
