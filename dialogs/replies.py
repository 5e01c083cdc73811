"""What goes in and out of the dialog: plain values, no Telegram types.

Events: `Typed` (an answer typed), `Choice` (a button's callback data), `Command`
(/start ...). Replies: HTML-safe text under Telegram's limits, rows of buttons whose
callback data is at most 64 bytes and names the question it answers, and an optional
chart. Button data is written by `button_data` and read by `read_button`, nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialogs.charts import BucketChart
    from dialogs.paycheck_chart import PaycheckChart
    from dialogs.plans import Effect

# Telegram's limits (Bot API; python-telegram-bot's constants hold the same numbers, but
# this layer knows no Telegram library: tests/bot checks these equal PTB's constants).
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
CALLBACK_VERSION = "v1"


@dataclass(frozen=True, slots=True)
class Typed:
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


Event = Typed | Choice | Command


def read_message(text: str) -> Typed | Command:
    """A message as an event: "/start abc" is a command; anything else an answer.

    "/" alone or "/ " is not a command: it is re-asked like any odd answer. A command
    addressed to a bot ("/help@megaroth_bot") is that command.
    """
    words = text[1:].split() if text.startswith("/") else []
    if not words:
        return Typed(text)
    name, *args = words
    return Command(name.split("@", 1)[0].lower(), tuple(args))


@dataclass(frozen=True, slots=True)
class Button:
    """A button: callback data to send back when tapped, or a web address to open."""

    label: str
    data: str = ""
    url: str | None = None

    def __post_init__(self) -> None:
        if len(self.data.encode()) > MAX_CALLBACK_DATA:
            raise ValueError(f"callback data over {MAX_CALLBACK_DATA} bytes: {self.data!r}")
        if (self.url is None) == (not self.data) or (
            self.url and not self.url.startswith("https://")
        ):
            raise ValueError("a button has callback data or an https:// address, not both")


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send: HTML text, optional buttons, optional charts (the 415(c)
    bucket, then the paycheck plan's picture), and optionally a link to send as a QR code
    image (an HR profile's share link).

    `asks` marks the message that asks the current question (or shows the result): a
    typed answer's acknowledgement edits that message, never a menu or a /myplans card.
    `takes_number` marks a question answered with a number, so a carrier that lets
    people pick buttons by typing (the terminal) doesn't use numbers for that.
    `replaces` marks a question asked again (the answer was not understood): it
    replaces the message that asks, rather than leaving a copy with live buttons.
    `qr_caption` goes under the QR code's image.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    chart: BucketChart | None = None
    plan_chart: PaycheckChart | None = None
    qr: str | None = None
    asks: bool = False
    takes_number: bool = False
    replaces: bool = False
    qr_caption: str = ""


@dataclass(slots=True)
class Outcome:
    """Everything one event produces.

    `replies` are sent in order. `ack` (if set) replaces the message that asked the
    question just answered, so the chat shows the answer instead of stale buttons.
    `notice` is a short line for the tapped button's callback answer (stale taps).
    `effects` are the storage writes the event asks for (a profile saved or deleted, a
    link start counted): the carrier applies them in the same transaction as the
    session, so a crash applies all of them or none. `forget` asks the carrier to erase
    everything stored about this person.
    """

    replies: list[Reply] = field(default_factory=list)
    ack: Reply | None = None
    notice: str | None = None
    effects: list[Effect] = field(default_factory=list)
    forget: bool = False


# What each kind of button carries after "v1:<kind>" (how many parts, at least-at most):
# a:<question>:<value>  nav:<back:<question> | summary | restart | result>
# edit:<question> (the check's summary)  pe:<question> (a profile's review)
# plan:<action>[:<code>] (setup and /myplans)  lang:<code>
BUTTON_KINDS: dict[str, tuple[int, int]] = {
    "a": (2, 2),
    "nav": (1, 2),
    "edit": (1, 1),
    "pe": (1, 1),
    "plan": (1, 2),
    "lang": (1, 1),
}


@dataclass(frozen=True, slots=True)
class ButtonData:
    """A button's callback data, read: its kind and what it names."""

    kind: str
    args: tuple[str, ...]


def button_data(kind: str, *args: str) -> str:
    """Callback data 'v1:kind:arg...' (short ASCII ids); `read_button` reads it back."""
    return ":".join((CALLBACK_VERSION, kind, *args))


def read_button(data: str) -> ButtonData | None:
    """Callback data as written by `button_data`, or None: stale versions, other kinds,
    the wrong number of parts and anything forged are all just not ours."""
    version, _, rest = data.partition(":")
    kind, *args = rest.split(":")
    bounds = BUTTON_KINDS.get(kind)
    if version != CALLBACK_VERSION or bounds is None or not bounds[0] <= len(args) <= bounds[1]:
        return None
    return ButtonData(kind, tuple(args))


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
