"""The terminal chat: the same conversation as on Telegram, for a newcomer or a script.

Bot messages are printed as plain text; buttons become numbered options (type the
number); anything else typed is an answer, and /commands work as on Telegram. Works with
piped input (each input line is echoed so a transcript reads like a chat) and exits
cleanly at end of input or on Ctrl-C. Charts are saved as PNG files and their path shown.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import os
import re
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import TextIO

from telegram.helpers import create_deep_linked_url

from bot.config import Settings
from bot.memory import MemoryPlanBook
from dialogs import (
    BANNER,
    CHART_SAVED,
    GOODBYE,
    QR_SAVED,
    Button,
    Choice,
    Command,
    Event,
    Outcome,
    PlanProfile,
    Reply,
    Services,
    Translator,
    handle_safely,
    new_session,
    qr_png,
    read_message,
    render_bucket_chart,
    render_paycheck_chart,
)

CONSOLE_USER_ID = 1  # the one person at the terminal, as the owner of profiles they set up

_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"</?(b|i|u|s|code|pre|strong|em|blockquote)( expandable)?>")


def plain(text: str, bold: bool = False) -> str:
    """Telegram HTML -> terminal text: links keep their address, entities are unescaped."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    if bold:
        text = text.replace("<b>", "\033[1m").replace("</b>", "\033[0m")
    return html.unescape(_TAG.sub("", text))


LETTERS = "abcdefghijklmnopqrstuvwxyz"


def tags(count: int, letters: bool) -> list[str]:
    """What to type for each button: numbers, or letters where numbers are answers."""
    return list(LETTERS[:count]) if letters else [str(n) for n in range(1, count + 1)]


def parse_line(line: str, buttons: list[Button], letters: bool = False) -> Event | None:
    """A typed line as a dialog event: a button's number (or letter, at a question
    answered with a number, where "2" means 2), a /command, or an answer."""
    line = line.strip()
    if not line:
        return None
    typed = tags(len(buttons), letters)
    key = line.lower() if letters else line
    if key in typed:
        return Choice(buttons[typed.index(key)].data)
    return read_message(line)


def share_link(username: str | None, code: str) -> str:
    """The bot's deep link for a profile when its username is set; else the command
    that opens the profile here (a made-up username could be someone else's bot)."""
    return f"/start {code}" if username is None else create_deep_linked_url(username, code)


class Console:
    """One person's chat on a terminal."""

    def __init__(
        self,
        out: TextIO,
        chart_dir: Path,
        today: dt.date,
        lang: str | None,
        services: Services | None = None,
        book: MemoryPlanBook | None = None,
    ) -> None:
        self.out = out
        self.chart_dir = chart_dir
        self.today = today
        self.session = new_session(lang)
        self.buttons: list[Button] = []
        self.letters = False  # buttons are picked by letter: numbers are answers here
        self.charts = 0
        self.bold = out.isatty()
        self.book = book if book is not None else MemoryPlanBook()
        self.services = services or Services(plans=self.book, user_id=CONSOLE_USER_ID)

    def say(self, reply: Reply) -> None:
        print(plain(reply.text, self.bold), file=self.out)
        if reply.buttons:
            self.buttons = [b for row in reply.buttons for b in row]
            self.letters = reply.takes_number
            shown = tags(len(self.buttons), self.letters)
            options = "   ".join(
                f"[{tag}] {b.label}" for tag, b in zip(shown, self.buttons, strict=True)
            )
            print(f"  {options}", file=self.out)
        if reply.chart is not None:
            self.save("chart", render_bucket_chart(reply.chart), CHART_SAVED)
        if reply.plan_chart is not None:
            self.save("plan", render_paycheck_chart(reply.plan_chart), CHART_SAVED)
        if reply.qr is not None:
            self.save("qr", qr_png(reply.qr), QR_SAVED)
        print(file=self.out)

    def save(self, kind: str, png: bytes, line: str) -> None:
        """Write a picture to megaroth-KIND-N.png in the chart folder; say where."""
        self.charts += 1
        path = self.chart_dir / f"megaroth-{kind}-{self.charts}.png"
        path.write_bytes(png)
        print("  " + self.t(line, path=path), file=self.out)

    @property
    def t(self) -> Translator:
        return Translator(self.session.lang)

    def show(self, outcome: Outcome) -> None:
        if outcome.notice:
            print(f"  ({outcome.notice})", file=self.out)
        self.book.apply(outcome.effects)
        if outcome.forget:
            self.session = new_session(self.session.lang)
        for reply in outcome.replies:
            self.say(reply)

    def send(self, event: Event) -> None:
        self.buttons = []
        self.show(handle_safely(self.session, event, self.today, self.services))


def run(
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    curated: list[PlanProfile] | None = None,
    settings: Settings | None = None,
) -> int:
    """Chat until end of input or Ctrl-C; returns the exit status (0).

    Plan profiles live in memory: the operator's curated ones (to try a plans file out),
    and any set up here with /newplan, until the chat ends. Charts and QR codes go to
    MEGAROTH_CHART_DIR, or else to a private folder (0700) removed at the end: a chart
    shows someone's pay.
    """
    chosen = settings.chart_dir if settings is not None else None
    with contextlib.ExitStack() as cleanup:
        if chosen is None:
            chart_dir = Path(
                cleanup.enter_context(tempfile.TemporaryDirectory(prefix="megaroth-"))
            )
        else:
            chart_dir = chosen
            chart_dir.mkdir(parents=True, exist_ok=True)
        return _chat(stdin, stdout, curated, settings, chart_dir)


def _chat(
    stdin: TextIO,
    stdout: TextIO,
    curated: list[PlanProfile] | None,
    settings: Settings | None,
    chart_dir: Path,
) -> int:
    lang = (os.environ.get("LC_ALL") or os.environ.get("LANG") or "en").split(".")[0]
    book = MemoryPlanBook()
    for profile in curated or ():
        book.save_plan(profile)
    username = settings.bot_username if settings is not None else None
    services = Services(
        plans=book,
        user_id=CONSOLE_USER_ID,
        link=partial(share_link, username),
        retention_days=settings.retention_days if settings is not None else 30,
        ephemeral_plans=True,
    )
    today = (settings or Settings(_env_file=None)).today()
    console = Console(stdout, chart_dir, today, lang, services, book)
    interactive = stdin.isatty()
    print(console.t(BANNER) + "\n", file=stdout)
    console.send(Command("start"))
    try:
        while True:
            if interactive:
                stdout.write("you> ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                break
            if not interactive:
                print(f"you> {line.rstrip()}", file=stdout)
            event = parse_line(line, console.buttons, console.letters)
            if event is not None:
                console.send(event)
    except KeyboardInterrupt:
        pass
    print("\n" + console.t(GOODBYE), file=stdout)
    return 0
