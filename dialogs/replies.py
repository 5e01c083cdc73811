"""What goes in and out of the dialog: plain values, no Telegram types.

Events: `Text` (typed), `Choice` (a button's callback data), `Command` (/start ...).
Replies: HTML-safe text under Telegram's limits, rows of buttons whose callback data
is at most 64 bytes and names the question it answers, and an optional chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialogs.charts import BucketChart

# Telegram's limits (Bot API; python-telegram-bot's constants hold the same numbers, but
# this layer knows no Telegram library: tests/bot checks these equal PTB's constants).
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
CALLBACK_VERSION = "v1"


@dataclass(frozen=True, slots=True)
class Text:
    """Something the person typed."""

    text: str


@dataclass(frozen=True, slots=True)
class Choice:
    """A tapped button: its callback data, as Telegram returned it."""

    data: str


@dataclass(frozen=True, slots=True)
class Command:
    """A command (without the slash) and its arguments, e.g. start ['abc123']."""

    name: str
    args: tuple[str, ...] = ()


Event = Text | Choice | Command


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode()) > MAX_CALLBACK_DATA:
            raise ValueError(f"callback data over {MAX_CALLBACK_DATA} bytes: {self.data!r}")


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send: HTML text, optional buttons, optional chart, and optionally
    a link to send as a QR code image (an HR profile's share link).

    `asks` marks the message that asks the current question (or shows the result): a
    typed answer's acknowledgement edits that message, never a menu or a /myplans card.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    chart: BucketChart | None = None
    qr: str | None = None
    asks: bool = False


@dataclass(slots=True)
class Outcome:
    """Everything one event produces.

    `replies` are sent in order. `ack` (if set) replaces the message that asked the
    question just answered, so the chat shows the answer instead of stale buttons.
    `notice` is a short line for the tapped button's callback answer (stale taps).
    `forget` asks the carrier to erase everything stored about this person.
    """

    replies: list[Reply] = field(default_factory=list)
    ack: Reply | None = None
    notice: str | None = None
    forget: bool = False


def callback(*parts: str) -> str:
    """Callback data: 'v1:part:part'; parts are short ASCII ids."""
    return ":".join((CALLBACK_VERSION, *parts))


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph, then line, then word boundaries so each piece fits `limit`.

    Pieces never cut an HTML tag in two because the dialog only splits between
    paragraphs and lines, and each paragraph it writes closes its own tags.
    """
    pieces: list[str] = []
    current = ""
    for part in text.split("\n\n"):
        candidate = f"{current}\n\n{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(part) > limit:
            cut = part.rfind("\n", 0, limit)
            if cut <= 0:
                cut = part.rfind(" ", 0, limit)
            if cut <= 0:
                cut = limit
            pieces.append(part[:cut])
            part = part[cut:].lstrip("\n ")
        current = part
    if current:
        pieces.append(current)
    return pieces
