"""A strict Telegram Bot API stub on 127.0.0.1 (aiohttp.web), for tests and benchmarks.

In process::

    async with StubServer() as stub:
        bot = telegram.Bot(stub.token, base_url=stub.base_url)
        stub.push_text(42, "hi")
        [reply] = await stub.wait_for_messages(42, 1)

Standalone: ``python tests/e2e/stub_server.py --port 8081 --token 123:abc``.

It speaks Telegram's envelope (``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code",
"description", "parameters"}``) and rejects what Telegram rejects where it matters to a bot:
unparsable HTML/MarkdownV2, text over 4096 characters, callback_data over 64 bytes, edits that
change nothing, answers to unknown or already answered callback queries, wrong tokens,
unknown methods. Every request is recorded (``stub.requests``), every chat keeps what the bot
sent it (``stub.chat(id).messages``, with each message's versions), and every pushed update
records when it was pushed and when the bot first answered in that chat (``stub.inputs``).
Faults: ``fail_next`` (an HTTP error, a 429 with ``retry_after``, a dropped connection,
or a 200 whose body is not JSON), ``fail_while`` (the same for every call of a method,
optionally to one chat, while a condition holds), ``go_down``/``come_up`` (an outage:
the port refuses connections), and ``latency``/``method_latency`` (slow calls).
``confirmed`` is the offset the bot last confirmed with getUpdates.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import io
import json
import re
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar

from aiohttp import web

DEFAULT_TOKEN = "123456789:STUB-token_for-tests-only"
LOCALHOST = "127.0.0.1"
RECHECK_SECONDS = 0.05  # wait_for also re-checks this often, for state outside the stub

T = TypeVar("T")

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
CALLBACK_ANSWER_LIMIT = 200
PHOTO_SIZE_LIMIT = 10 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"

# Updates delivered when allowed_updates was never set or set to [] (Bot API docs).
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_BUTTON_KINDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_BOT_COMMAND_IN_TEXT = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def u16len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    """A Bot API error reply."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    """A 400 with Telegram's ``Bad Request: ...`` wording."""
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------
# Formatting: Telegram's HTML, MarkdownV2 and legacy Markdown, reduced to (plain, entities).
# --------------------------------------------------------------------------------------------


class ParseError(ValueError):
    """Text Telegram would refuse with "can't parse entities"."""


Entity = dict[str, Any]

_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def _boff(text: str, index: int) -> int:
    """UTF-8 byte offset of ``text[index]``, as Telegram reports positions."""
    return len(text[:index].encode("utf-8"))


def _html_entity(text: str, i: int) -> tuple[str, int]:
    """Decode the character reference at ``text[i] == "&"``; an unknown one is a literal "&"."""
    end = text.find(";", i + 1, i + 12)
    if end == -1:
        return "&", i + 1
    name = text[i + 1 : end]
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], end + 1
    if name.startswith("#") and len(name) > 1:
        digits, base = (name[2:], 16) if name[1] in "xX" else (name[1:], 10)
        try:
            code = int(digits, base) if digits else -1
        except ValueError:
            code = -1
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end + 1
    return "&", i + 1


def _html_unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "&":
            s, i = _html_entity(value, i)
            out.append(s)
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


@dataclass
class _Open:
    tag: str
    type: str
    offset: int
    byte: int
    extra: dict[str, Any]


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML (``parse_mode="HTML"``) like the Bot API; raise ParseError."""
    plain: list[str] = []
    entities: list[Entity] = []
    stack: list[_Open] = []
    offset, i, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            s, i = _html_entity(text, i)
            plain.append(s)
            offset += u16len(s)
            continue
        if c != "<":
            j = i
            while j < n and text[j] not in "<&":
                j += 1
            plain.append(text[i:j])
            offset += u16len(text[i:j])
            i = j
            continue
        at = _boff(text, i)
        if text.startswith("</", i):
            j = i + 2
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            name = text[i + 2 : j].lower()
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j >= n or text[j] != ">":
                raise ParseError(f"Unclosed end tag at byte offset {at}")
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {at}")
            top = stack.pop()
            if name != top.tag:
                raise ParseError(
                    f'Unmatched end tag at byte offset {at}, expected "</{top.tag}>", '
                    f'found "</{name}>"'
                )
            if offset > top.offset and top.type:
                entities.append(
                    {"type": top.type, "offset": top.offset, "length": offset - top.offset}
                    | top.extra
                )
            i = j + 1
            continue
        j = i + 1
        while j < n and text[j] in _NAME_CHARS:
            j += 1
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise ParseError(f'Unsupported start tag "{name}" at byte offset {at}')
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j >= n:
                raise ParseError(f'Unclosed start tag "{name}" at byte offset {at}')
            if text[j] == ">":
                j += 1
                break
            k = j
            while k < n and text[k] not in " \t\r\n=>/\"'":
                k += 1
            attr = text[j:k].lower()
            if not attr:
                raise ParseError(f'Empty attribute name in the tag "{name}" at byte offset {at}')
            while k < n and text[k] in " \t\r\n":
                k += 1
            value = ""
            if k < n and text[k] == "=":
                k += 1
                while k < n and text[k] in " \t\r\n":
                    k += 1
                if k < n and text[k] in "\"'":
                    end = text.find(text[k], k + 1)
                    if end == -1:
                        raise ParseError(f'Unclosed start tag "{name}" at byte offset {at}')
                    value, k = text[k + 1 : end], end + 1
                else:
                    start = k
                    while k < n and text[k] not in " \t\r\n>":
                        k += 1
                    value = text[start:k]
            attrs[attr] = _html_unescape(value)
            j = k
        entity_type = _HTML_TAGS[name]
        extra: dict[str, Any] = {}
        if name == "a":
            href = attrs.get("href", "")
            entity_type, extra = ("text_link", {"url": href}) if href else ("", {})
        elif name == "span" and attrs.get("class") != "tg-spoiler":
            raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        elif name == "tg-emoji":
            if not attrs.get("emoji-id"):
                raise ParseError(
                    f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {at}'
                )
            extra = {"custom_emoji_id": attrs["emoji-id"]}
        elif name == "blockquote" and "expandable" in attrs:
            entity_type = "expandable_blockquote"
        elif name == "code" and stack and stack[-1].tag == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-"):
                stack[-1].extra["language"] = language.removeprefix("language-")
                entity_type = ""  # folded into the enclosing pre
        stack.append(_Open(name, entity_type, offset, at, extra))
        i = j
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(plain), _sorted(entities)


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
    "code": "Code",
    "pre": "Pre",
}


def _md_block(text: str, i: int, fence: str, escapes: bool) -> tuple[str, int] | None:
    """Content up to the closing ``fence`` (backslash escapes honoured) and the index after."""
    out, n = [], len(text)
    while i < n:
        if escapes and text[i] == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
        elif text.startswith(fence, i):
            return "".join(out), i + len(fence)
        else:
            out.append(text[i])
            i += 1
    return None


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 with Telegram's reserved-character rule; raise ParseError."""
    plain: list[str] = []
    entities: list[Entity] = []
    stack: list[_Open] = []
    offset, i, n = 0, 0, len(text)

    def emit(s: str) -> None:
        nonlocal offset
        plain.append(s)
        offset += u16len(s)

    def toggle(kind: str, width: int) -> None:
        nonlocal i
        if stack and stack[-1].type == kind:
            top = stack.pop()
            if offset > top.offset:
                entities.append(
                    {"type": kind, "offset": top.offset, "length": offset - top.offset}
                )
        elif any(o.type == kind for o in stack):
            opened = next(o for o in stack if o.type == kind)
            raise ParseError(
                f"Can't find end of {_MD_NAMES[kind]} entity at byte offset {opened.byte}"
            )
        else:
            stack.append(_Open(kind, kind, offset, _boff(text, i), {}))
        i += width

    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
        elif c == "`":
            at = _boff(text, i)
            if text.startswith("```", i):
                j = i + 3
                newline = text.find("\n", j)
                language = text[j:newline] if newline != -1 else ""
                if language and " " not in language and "`" not in language:
                    j = newline + 1
                else:
                    language = ""
                found = _md_block(text, j, "```", escapes=True)
                if found is None:
                    raise ParseError(f"Can't find end of Pre entity at byte offset {at}")
                body, i = found
                entity: Entity = {"type": "pre", "offset": offset, "length": u16len(body)}
                if language:
                    entity["language"] = language
            else:
                found = _md_block(text, i + 1, "`", escapes=True)
                if found is None:
                    raise ParseError(f"Can't find end of Code entity at byte offset {at}")
                body, i = found
                entity = {"type": "code", "offset": offset, "length": u16len(body)}
            if body:
                entities.append(entity)
            emit(body)
        elif c == "*":
            toggle("bold", 1)
        elif c == "_":
            if text.startswith("__", i):
                toggle("underline", 2)
            else:
                toggle("italic", 1)
        elif c == "~":
            toggle("strikethrough", 1)
        elif c == "|" and text.startswith("||", i):
            toggle("spoiler", 2)
        elif c == "[" or (c == "!" and text.startswith("![", i)):
            kind = "text_link" if c == "[" else "custom_emoji"
            stack.append(_Open("[", kind, offset, _boff(text, i), {}))
            i += 1 if c == "[" else 2
        elif c == "]" and stack and stack[-1].tag == "[":
            top = stack.pop()
            i += 1
            url = ""
            if i < n and text[i] == "(":
                found = _md_block(text, i + 1, ")", escapes=True)
                if found is None:
                    raise ParseError(f"Can't find end of a URL at byte offset {_boff(text, i)}")
                url, i = found
            if url and offset > top.offset:
                key = "url" if top.type == "text_link" else "custom_emoji_id"
                value = url if top.type == "text_link" else url.rpartition("id=")[2]
                entities.append(
                    {"type": top.type, "offset": top.offset, "length": offset - top.offset}
                    | {key: value}
                )
        elif c == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1  # a blockquote line marker
        elif c in _MDV2_RESERVED:
            raise ParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            emit(c)
            i += 1
    if stack:
        top = stack[-1]
        raise ParseError(
            f"Can't find end of {_MD_NAMES[top.type]} entity at byte offset {top.byte}"
        )
    return "".join(plain), _sorted(entities)


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Parse legacy Markdown (``*bold* _italic_ `code` ```pre``` [text](url)``)."""
    plain: list[str] = []
    entities: list[Entity] = []
    offset, i, n = 0, 0, len(text)
    kinds = {"*": "bold", "_": "italic"}
    while i < n:
        c = text[i]
        at = _boff(text, i)
        missing = f"Can't find end of the entity starting at byte offset {at}"
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            body, i = text[i + 1], i + 2
        elif c in kinds or c == "`":
            fence = "```" if text.startswith("```", i) else c
            end = text.find(fence, i + len(fence))
            if end == -1:
                raise ParseError(missing)
            body = text[i + len(fence) : end]
            kind = kinds.get(c, "pre" if fence == "```" else "code")
            if body:
                entities.append({"type": kind, "offset": offset, "length": u16len(body)})
            i = end + len(fence)
        elif c == "[":
            end = text.find("]", i + 1)
            if end == -1:
                raise ParseError(missing)
            body, i = text[i + 1 : end], end + 1
            if i < n and text[i] == "(":
                close = text.find(")", i)
                if close == -1:
                    raise ParseError(missing)
                url, i = text[i + 1 : close], close + 1
                if body and url:
                    entities.append(
                        {"type": "text_link", "offset": offset, "length": u16len(body), "url": url}
                    )
        else:
            body, i = c, i + 1
        plain.append(body)
        offset += u16len(body)
    return "".join(plain), _sorted(entities)


def _sorted(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], e["type"]))


def _strip(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace as Telegram does, moving and clipping the entities."""
    lead = u16len(text) - u16len(text.lstrip())
    stripped = text.strip()
    size = u16len(stripped)
    out = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            out.append(entity | {"offset": start, "length": end - start})
    return stripped, out


def format_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Plain text and entities of ``text`` under ``parse_mode``; ApiError as Telegram sends."""
    mode = (parse_mode or "").lower()
    parsers = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}
    if mode and mode not in parsers:
        raise bad_request("unsupported parse_mode")
    parser = parsers.get(mode)
    try:
        plain, entities = parser(text) if parser else (text, [])
    except ParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    return _strip(plain, entities)


def command_entities(text: str) -> list[Entity]:
    """``bot_command`` entities for every /command in ``text`` (Telegram detects them all)."""
    return [
        {"type": "bot_command", "offset": u16len(text[: m.start()]), "length": u16len(m.group())}
        for m in _BOT_COMMAND_IN_TEXT.finditer(text)
    ]


def validate_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Decode and check ``reply_markup`` like Telegram; None when absent."""
    if raw is None:
        return None
    bad_json = bad_request("can't parse reply keyboard markup JSON object")
    try:
        markup = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise bad_json from None
    if not isinstance(markup, dict):
        raise bad_json
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            )
        for row in rows:
            for button in row:
                _check_inline_button(button)
        return markup
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        for row in rows:
            for button in row:
                label = button.get("text") if isinstance(button, dict) else button
                if not isinstance(label, str) or not label:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_json


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_EMPTY")
    kinds = [kind for kind in _INLINE_BUTTON_KINDS if kind in button]
    if not kinds:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"(https?|tg)://\S+$", url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def inline_keyboard(markup: Mapping[str, Any] | None) -> list[list[dict[str, Any]]] | None:
    """The inline keyboard rows of a reply_markup, or None."""
    if markup is None or "inline_keyboard" not in markup:
        return None
    rows: list[list[dict[str, Any]]] = markup["inline_keyboard"]
    return rows


# --------------------------------------------------------------------------------------------
# Recorded state.
# --------------------------------------------------------------------------------------------


@dataclass
class UploadedFile:
    """One multipart file part as received."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One Bot API call as it arrived (``params`` are the wire strings, JSON undecoded)."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    received_at: float  # time.perf_counter()
    http_method: str
    token: str
    status: int | None = None
    response: dict[str, Any] | None = None
    answered_at: float | None = None

    def json(self, name: str) -> Any:
        """Decode a JSON-encoded parameter (reply_markup, commands, ...)."""
        value = self.params.get(name)
        return json.loads(value) if isinstance(value, str) else value


@dataclass
class MessageVersion:
    """One state of a message; an edit appends a new version."""

    text: str | None  # plain text (or caption), after entity parsing and trimming
    entities: list[Entity]
    raw: str | None  # the text exactly as the bot sent it
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    at: float  # time.perf_counter()


@dataclass
class StubMessage:
    """A message in a chat, from the bot or from the user."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    versions: list[MessageVersion]
    user: dict[str, Any] | None = None
    photo: bytes | None = None
    photo_file_id: str | None = None
    deleted: bool = False
    reply_to: int | None = None

    @property
    def current(self) -> MessageVersion:
        """The latest version."""
        return self.versions[-1]

    @property
    def text(self) -> str | None:
        """Current text (a photo's caption is in ``caption``)."""
        return None if self.photo is not None else self.current.text

    @property
    def caption(self) -> str | None:
        """Current caption of a photo."""
        return self.current.text if self.photo is not None else None

    @property
    def content(self) -> str | None:
        """Text or caption: what the user reads."""
        return self.current.text

    @property
    def entities(self) -> list[Entity]:
        """Current entities (of the text or caption)."""
        return self.current.entities

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """Current reply_markup as sent (any kind)."""
        return self.current.reply_markup

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]] | None:
        """Current inline keyboard rows, or None."""
        return inline_keyboard(self.current.reply_markup)

    @property
    def callback_data(self) -> list[str]:
        """Every callback_data on the current inline keyboard."""
        rows = self.inline_keyboard or []
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]

    @property
    def edits(self) -> list[MessageVersion]:
        """Versions after the first."""
        return self.versions[1:]


@dataclass
class StubChat:
    """What one chat holds: its messages (both sides) and the bot's chat actions."""

    id: int
    type: str
    user: dict[str, Any] | None
    title: str | None = None
    messages: list[StubMessage] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    blocked: bool = False
    next_message_id: int = 1

    def new_message_id(self) -> int:
        """Message ids count up per chat, for both sides, as in a private chat."""
        self.next_message_id += 1
        return self.next_message_id - 1

    @property
    def bot_messages(self) -> list[StubMessage]:
        """Messages the bot sent, deleted ones included (see ``deleted``)."""
        return [m for m in self.messages if m.from_bot]

    def message(self, message_id: int) -> StubMessage | None:
        """The message with this id, or None."""
        for message in self.messages:
            if message.message_id == message_id:
                return message
        return None

    def as_json(self) -> dict[str, Any]:
        """The Chat object Telegram sends."""
        if self.type == "private" and self.user:
            chat = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
            if "username" in self.user:
                chat["username"] = self.user["username"]
            return chat
        return {"id": self.id, "type": self.type, "title": self.title or f"Group {self.id}"}


@dataclass
class InputRecord:
    """A pushed update and when the bot first answered in its chat (FIFO per chat)."""

    update_id: int
    chat_id: int | None
    pushed_at: float  # time.perf_counter()
    answered_at: float | None = None
    answer_method: str | None = None

    @property
    def latency(self) -> float | None:
        """Seconds from push to the first answer, or None."""
        return None if self.answered_at is None else self.answered_at - self.pushed_at


@dataclass
class CallbackQuery:
    """A pushed callback query and its answer."""

    id: str
    chat_id: int
    message_id: int
    data: str
    pushed_at: float
    answered: bool = False
    answer: dict[str, Any] | None = None


@dataclass
class Fault:
    """What to do instead of handling one call."""

    status: int = 429
    retry_after: int | None = None
    description: str | None = None
    drop: bool = False
    garble: bool = False  # answer 200 with a body that is not JSON

    def error(self) -> ApiError:
        """The error reply for a non-drop fault."""
        if self.status == 429:
            retry_after = 1 if self.retry_after is None else self.retry_after
            description = self.description or f"Too Many Requests: retry after {retry_after}"
            return ApiError(429, description, retry_after)
        try:
            phrase = HTTPStatus(self.status).phrase
        except ValueError:
            phrase = "Error"
        return ApiError(self.status, self.description or phrase, self.retry_after)


@dataclass
class FaultRule:
    """Every call of ``method`` (to ``chat_id``, if set) fails with ``fault`` while
    ``active()`` holds."""

    method: str
    fault: Fault
    active: Callable[[], object]
    chat_id: int | None = None
    hits: int = 0


@dataclass
class _Pending:
    update: dict[str, Any]
    forced: bool  # deliver even if an offset already confirmed its id (redelivery tests)


Handler = Callable[["StubServer", dict[str, Any], dict[str, UploadedFile]], Awaitable[Any]]
_METHODS: dict[str, tuple[str, Handler]] = {}


def _method(name: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        _METHODS[name.lower()] = (name, func)
        return func

    return register


# --------------------------------------------------------------------------------------------
# Parameter decoding: form values are strings (JSON for objects), JSON bodies are typed.
# --------------------------------------------------------------------------------------------


def _str(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


def _int(params: Mapping[str, Any], name: str, *, error: str | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(error or f"invalid {name} specified") from None


def _json(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    return value


def _bool(params: Mapping[str, Any], name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


class StubServer:
    """The stub: a Bot API on 127.0.0.1 for one bot (several tokens may name it)."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        tokens: Iterable[str] = (),
        port: int = 0,
        latency: float = 0.0,
        bot_username: str = "megaroth_stub_bot",
        bot_first_name: str = "Megaroth (stub)",
        callback_ttl: float | None = None,
    ) -> None:
        self.token = token
        self.tokens: set[str] = {token, *tokens}
        self.port = port
        self.latency = latency
        self.method_latency: dict[str, float] = {}
        self.callback_ttl = callback_ttl
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.requests: list[RecordedRequest] = []
        self.chats: dict[int, StubChat] = {}
        self.inputs: list[InputRecord] = []
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}  # (kind, language_code)
        self.webhook: dict[str, Any] | None = None
        self.allowed_updates: list[str] | None = None
        self.files: dict[str, bytes] = {}
        self.faults: dict[str, deque[Fault]] = {}
        self.rules: list[FaultRule] = []
        self.confirmed = 0  # the highest getUpdates offset the bot sent
        self._site: web.TCPSite | None = None
        self._queue: list[_Pending] = []
        self._next_update_id = 500_000_001
        self._next_callback_id = 4_100_000_000_000_000_001
        self._unanswered: dict[int, deque[InputRecord]] = {}
        self._answer_waiters: dict[int, asyncio.Future[InputRecord]] = {}
        self._answer_listeners: list[Callable[[InputRecord], None]] = []
        self._message_listeners: list[Callable[[StubChat, StubMessage, str], None]] = []
        self._changed = asyncio.Event()
        self._updates_arrived = asyncio.Event()
        self._poll_generation = 0
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> StubServer:
        """Listen on 127.0.0.1 (an ephemeral port unless one was given)."""
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOCALHOST, self.port)
        await site.start()
        self._site = site
        self.port = self._runner.addresses[0][1]
        return self

    async def go_down(self) -> None:
        """An outage: stop listening (connections are refused) until ``come_up``."""
        if self._site is not None:
            site, self._site = self._site, None
            await site.stop()

    async def come_up(self) -> None:
        """Listen again on the same port after ``go_down``."""
        if self._site is None and self._runner is not None:
            site = web.TCPSite(self._runner, LOCALHOST, self.port)
            await site.start()
            self._site = site

    async def stop(self) -> None:
        """Wake long polls and close every connection."""
        self._closing.set()
        self._updates_arrived.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> StubServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{LOCALHOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """What ``telegram.Bot(base_url=...)`` wants; PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What ``telegram.Bot(base_file_url=...)`` wants (file downloads are not served)."""
        return f"{self.url}/file/bot"

    # -- test helpers: chats and updates -----------------------------------------------------

    def add_chat(
        self,
        chat_id: int,
        *,
        user: Mapping[str, Any] | None = None,
        language_code: str | None = None,
    ) -> StubChat:
        """The chat (created on first use); positive ids are private chats with that user."""
        chat = self.chats.get(chat_id)
        if chat is None:
            private = chat_id > 0
            chat = StubChat(id=chat_id, type="private" if private else "group", user=None)
            if private:
                chat.user = self._user(chat_id, user, language_code)
            self.chats[chat_id] = chat
        return chat

    def _user(
        self, chat_id: int, user: Mapping[str, Any] | None, language_code: str | None
    ) -> dict[str, Any]:
        base: dict[str, Any] = {
            "id": chat_id if chat_id > 0 else 1_000_000 + abs(chat_id),
            "is_bot": False,
            "first_name": f"User{abs(chat_id)}",
            "language_code": "en",
        }
        if chat_id in self.chats and self.chats[chat_id].user:
            base = dict(self.chats[chat_id].user or {})
        base.update(user or {})
        if language_code is not None:
            base["language_code"] = language_code
        return base

    def push_text(
        self,
        chat_id: int,
        text: str,
        *,
        user: Mapping[str, Any] | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """Queue a user's text message (with bot_command entities for any /command)."""
        chat = self.add_chat(chat_id, user=user, language_code=language_code)
        sender = self._user(chat_id, user, language_code)
        if chat.type == "private":
            chat.user = sender
        entities = command_entities(text)
        message = StubMessage(
            message_id=chat.new_message_id(),
            chat_id=chat_id,
            from_bot=False,
            date=int(time.time()),
            versions=[MessageVersion(text, entities, text, None, None, time.perf_counter())],
            user=sender,
        )
        chat.messages.append(message)
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "from": sender,
            "chat": chat.as_json(),
            "date": message.date,
            "text": text,
        }
        if entities:
            body["entities"] = entities
        return self.push_update({"message": body})

    def push_command(
        self,
        chat_id: int,
        command: str,
        args: str = "",
        *,
        user: Mapping[str, Any] | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """Queue ``/command args`` (``command`` with or without the slash)."""
        text = "/" + command.lstrip("/") + (f" {args}" if args else "")
        return self.push_text(chat_id, text, user=user, language_code=language_code)

    def push_callback(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user: Mapping[str, Any] | None = None,
        check: bool = True,
    ) -> dict[str, Any]:
        """Queue a button press on a bot message; ``check`` insists the button is on it."""
        chat = self.chats.get(chat_id)
        message = chat.message(message_id) if chat else None
        if chat is None or message is None or not message.from_bot or message.deleted:
            raise ValueError(f"no bot message {message_id} in chat {chat_id}")
        if check and data not in message.callback_data:
            raise ValueError(
                f"message {message_id} has no button {data!r}: {message.callback_data}"
            )
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        self.callback_queries[query_id] = CallbackQuery(
            query_id, chat_id, message_id, data, time.perf_counter()
        )
        body = {
            "id": query_id,
            "from": self._user(chat_id, user, None),
            "message": self._message_json(chat, message),
            "chat_instance": str(abs(chat_id) * 7919 % 10**12),
            "data": data,
        }
        return self.push_update({"callback_query": body})

    def push_update(self, update: Mapping[str, Any], *, force: bool = False) -> dict[str, Any]:
        """Queue a raw update; a given ``update_id`` is kept (push it twice to redeliver).

        Telegram drops updates below the bot's last ``offset``; ``force=True`` delivers this
        one anyway, to simulate a redelivery the bot cannot filter by offset.
        """
        update = dict(update)
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._queue.append(_Pending(update, force))
        record = InputRecord(update["update_id"], _update_chat_id(update), time.perf_counter())
        self.inputs.append(record)
        if record.chat_id is not None:
            self._unanswered.setdefault(record.chat_id, deque()).append(record)
        self._updates_arrived.set()
        self._notify()
        return update

    def block(self, chat_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends get 403."""
        self.add_chat(chat_id).blocked = blocked

    # -- test helpers: faults ----------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        drop: bool = False,
        garble: bool = False,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error, or drop the connection.

        ``status=429`` sends ``parameters.retry_after`` (default 1). ``drop=True`` closes the
        connection without any response; ``garble=True`` answers 200 with a body that is
        not JSON.
        """
        fault = Fault(status, retry_after, description, drop, garble)
        self.faults.setdefault(method.lower(), deque()).extend([fault] * times)

    def fail_while(
        self,
        method: str,
        active: Callable[[], object],
        status: int = 429,
        *,
        chat_id: int | None = None,
        retry_after: int | None = None,
        drop: bool = False,
        garble: bool = False,
    ) -> FaultRule:
        """Fail every call of ``method`` (to ``chat_id``, if given) while ``active()``."""
        rule = FaultRule(
            method.lower(), Fault(status, retry_after, None, drop, garble), active, chat_id
        )
        self.rules.append(rule)
        return rule

    def _fault_for(self, method: str, params: Mapping[str, Any]) -> Fault | None:
        queue = self.faults.get(method)
        if queue:
            return queue.popleft()
        for rule in self.rules:
            if rule.method != method or not rule.active():
                continue
            if rule.chat_id is not None and str(params.get("chat_id")) != str(rule.chat_id):
                continue
            rule.hits += 1
            return rule.fault
        return None

    # -- test helpers: reading state ---------------------------------------------------------

    def chat(self, chat_id: int) -> StubChat:
        """The chat; KeyError if nobody wrote there."""
        return self.chats[chat_id]

    def bot_messages(self, chat_id: int) -> list[StubMessage]:
        """What the bot sent to the chat, in order (deleted ones included)."""
        chat = self.chats.get(chat_id)
        return chat.bot_messages if chat else []

    def texts(self, chat_id: int) -> list[str | None]:
        """Current text/caption of each bot message the user can still see."""
        return [m.content for m in self.bot_messages(chat_id) if not m.deleted]

    def calls(self, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests, optionally of one method (case-insensitive)."""
        if method is None:
            return list(self.requests)
        return [r for r in self.requests if r.method.lower() == method.lower()]

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by an offset."""
        return [p.update for p in self._queue]

    def answer_latencies(self) -> list[float]:
        """Seconds from push to first answer, for every answered input."""
        return [r.latency for r in self.inputs if r.latency is not None]

    def add_answer_listener(self, listener: Callable[[InputRecord], None]) -> None:
        """Call ``listener(record)`` when an input gets its first answer (benchmarks)."""
        self._answer_listeners.append(listener)

    def add_message_listener(self, listener: Callable[[StubChat, StubMessage, str], None]) -> None:
        """Call ``listener(chat, message, method)`` for every message the bot sends or edits.

        ``method`` is the Bot API method (``sendMessage``, ``sendPhoto``, ``editMessageText``,
        ``editMessageCaption``). It runs after the answer bookkeeping, so a listener may push
        the chat's next input (benchmarks driving whole conversations do).
        """
        self._message_listeners.append(listener)

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy; return it.

        Re-checked after every change to the stub's state, and every ``RECHECK_SECONDS``
        as well: a predicate may look at something the stub doesn't see change (the bot's
        log, its heartbeat file, its database).
        """
        deadline = time.monotonic() + timeout
        while True:
            changed = self._changed
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"stub: condition not met within {timeout} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, RECHECK_SECONDS))

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[StubMessage]:
        """Wait until the bot has sent at least ``count`` messages to the chat; return them."""

        def ready() -> list[StubMessage]:
            messages = self.bot_messages(chat_id)
            return messages if len(messages) >= count else []

        return await self.wait_for(ready, timeout)

    async def wait_answer(self, update_id: int, timeout: float = 5.0) -> InputRecord:  # noqa: ASYNC109
        """Wait until the input with this update_id has been answered."""
        record = next(r for r in self.inputs if r.update_id == update_id)
        if record.answered_at is None:
            future = self._answer_waiters.get(update_id)
            if future is None:
                future = asyncio.get_running_loop().create_future()
                self._answer_waiters[update_id] = future
            await asyncio.wait_for(asyncio.shield(future), timeout)
        return record

    # -- internals ---------------------------------------------------------------------------

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _answered(self, chat: StubChat, message: StubMessage, method: str) -> None:
        waiting = self._unanswered.get(chat.id)
        if waiting:
            record = waiting.popleft()
            record.answered_at = time.perf_counter()
            record.answer_method = method
            future = self._answer_waiters.pop(record.update_id, None)
            if future is not None and not future.done():
                future.set_result(record)
            for listener in self._answer_listeners:
                listener(record)
        for message_listener in self._message_listeners:
            message_listener(chat, message, method)

    async def _not_found(self, request: web.Request) -> web.Response:
        return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        raw_method = request.match_info["method"]
        if token not in self.tokens:
            return _json_response(
                401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        params, files = await _read_params(request)
        known = _METHODS.get(raw_method.lower())
        name = known[0] if known else raw_method
        record = RecordedRequest(
            method=name,
            params=params,
            files=files,
            received_at=time.perf_counter(),
            http_method=request.method,
            token=token,
        )
        self.requests.append(record)
        self._notify()
        delay = self.latency + self.method_latency.get(name, 0.0)
        if delay > 0:
            await asyncio.sleep(delay)
        fault = self._fault_for(raw_method.lower(), params)
        if fault is not None and fault.garble:
            record.status = 200
            self._notify()
            return web.Response(status=200, body=b"<html>502 Bad Gateway</html>")
        if fault is not None and fault.drop:
            record.status = 0
            if request.transport is not None:
                request.transport.abort()
            self._notify()
            return web.Response()  # never written: the connection is gone
        try:
            if fault is not None:
                raise fault.error()
            if known is None:
                raise ApiError(404, "Not Found")
            result = await known[1](self, params, files)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, body = exc.status, exc.payload()
        record.status, record.response, record.answered_at = status, body, time.perf_counter()
        self._notify()
        return _json_response(status, body)

    def _chat_for_send(self, params: Mapping[str, Any]) -> StubChat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _target(self, params: Mapping[str, Any], verb: str) -> tuple[StubChat, StubMessage]:
        if params.get("inline_message_id"):
            raise bad_request("the stub does not support inline messages")
        chat = self._chat_for_send(params)
        message_id = _int(params, "message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.message(message_id)
        if message is None or message.deleted:
            raise bad_request(f"message to {verb} not found")
        return chat, message

    def _message_json(self, chat: StubChat, message: StubMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.bot_user if message.from_bot else message.user,
            "chat": chat.as_json(),
            "date": message.date,
        }
        version = message.current
        if len(message.versions) > 1:
            body["edit_date"] = int(time.time())
        if message.photo is not None:
            body["photo"] = self._photo_sizes(message)
            if version.text:
                body["caption"] = version.text
                if version.entities:
                    body["caption_entities"] = version.entities
        else:
            body["text"] = version.text
            if version.entities:
                body["entities"] = version.entities
        if inline_keyboard(version.reply_markup) is not None:
            body["reply_markup"] = version.reply_markup
        if message.reply_to is not None:
            replied = chat.message(message.reply_to)
            if replied is not None:
                body["reply_to_message"] = self._message_json(chat, replied)
        return body

    def _photo_sizes(self, message: StubMessage) -> list[dict[str, Any]]:
        width, height = _image_size(message.photo or b"")
        file_id = message.photo_file_id or ""
        return [
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id[-12:]}",
                "width": width,
                "height": height,
                "file_size": len(message.photo or b""),
            }
        ]

    def _reply_to(self, chat: StubChat, params: Mapping[str, Any]) -> int | None:
        reply = _json(params, "reply_parameters") or {}
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        if message_id is None:
            message_id = _int(params, "reply_to_message_id")
        if message_id is None:
            return None
        found = chat.message(int(message_id))
        if found is None or found.deleted:
            allow = (isinstance(reply, dict) and reply.get("allow_sending_without_reply")) or (
                _bool(params, "allow_sending_without_reply")
            )
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return int(message_id)

    def _sendable(self, params: Mapping[str, Any]) -> StubChat:
        chat = self._chat_for_send(params)
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat


def _update_chat_id(update: Mapping[str, Any]) -> int | None:
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return None


def _update_type(update: Mapping[str, Any]) -> str:
    return next((k for k in update if k != "update_id"), "")


def _json_response(status: int, body: Mapping[str, Any]) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(body).encode("utf-8"), content_type="application/json"
    )


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, files
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest() from None
        if isinstance(body, dict):
            params.update(body)
        return params, files
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            with value.file:  # closed even if the call is then cut short
                files[name] = UploadedFile(value.filename, value.content_type, value.file.read())
        elif isinstance(value, bytes | bytearray):
            params[name] = bytes(value).decode("utf-8", "replace")
        else:
            params[name] = value
    return params, files


def _image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of an image Telegram would accept; ApiError otherwise."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            width, height = image.size
    except Exception:
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    if width + height > 10_000 or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return width, height


# --------------------------------------------------------------------------------------------
# Methods.
# --------------------------------------------------------------------------------------------


@_method("getMe")
async def _get_me(stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
    return stub.bot_user


@_method("logOut")
async def _log_out(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    return True


@_method("close")
async def _close(stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
    return True


@_method("getUpdates")
async def _get_updates(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    if stub.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = _int(params, "offset")
    limit = min(max(_int(params, "limit") or 100, 1), 100)
    timeout = max(_int(params, "timeout") or 0, 0)
    allowed = _json(params, "allowed_updates")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON array")
        stub.allowed_updates = [str(a) for a in allowed]
    if offset is not None:
        stub.confirmed = max(stub.confirmed, offset)
        _confirm(stub, offset)
    # A newer getUpdates terminates an older one still waiting (409), as Telegram does.
    stub._poll_generation += 1
    generation = stub._poll_generation
    stub._updates_arrived.set()
    deadline = time.monotonic() + timeout
    while True:
        batch = _deliverable(stub, limit)
        if batch or stub._closing.is_set():
            return batch
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return []
        stub._updates_arrived.clear()
        try:
            await asyncio.wait_for(stub._updates_arrived.wait(), remaining)
        except TimeoutError:
            return []
        if generation != stub._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )


def _confirm(stub: StubServer, offset: int) -> None:
    """``offset`` confirms every update below it; a negative one keeps only the last -offset."""
    if offset < 0:
        keep = stub._queue[offset:]
        stub._queue = [p for p in stub._queue if p.forced] + [p for p in keep if not p.forced]
        return
    stub._queue = [p for p in stub._queue if p.forced or p.update["update_id"] >= offset]


def _deliverable(stub: StubServer, limit: int) -> list[dict[str, Any]]:
    allowed = set(stub.allowed_updates or ())

    def wanted(update: Mapping[str, Any]) -> bool:
        kind = _update_type(update)
        return kind in allowed if allowed else kind not in _OPT_IN_UPDATES

    stub._queue = [p for p in stub._queue if wanted(p.update)]
    batch = stub._queue[:limit]
    for pending in batch:
        pending.forced = False
    return [p.update for p in batch]


@_method("setWebhook")
async def _set_webhook(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    url = _str(params, "url") or ""
    if not url:
        stub.webhook = None
        return True
    if not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    stub.webhook = {"url": url, "secret_token": _str(params, "secret_token")}
    allowed = _json(params, "allowed_updates")
    if isinstance(allowed, list):
        stub.allowed_updates = [str(a) for a in allowed]
    if _bool(params, "drop_pending_updates"):
        stub._queue.clear()
    return True


@_method("deleteWebhook")
async def _delete_webhook(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    stub.webhook = None
    if _bool(params, "drop_pending_updates"):
        stub._queue.clear()
    return True


@_method("getWebhookInfo")
async def _get_webhook_info(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    info: dict[str, Any] = {
        "url": stub.webhook["url"] if stub.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(stub._queue),
    }
    if stub.allowed_updates:
        info["allowed_updates"] = stub.allowed_updates
    return info


def _commands_key(params: Mapping[str, Any]) -> tuple[str, str]:
    scope = _json(params, "scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    language = _str(params, "language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


@_method("setMyCommands")
async def _set_my_commands(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    commands = _json(params, "commands")
    if not isinstance(commands, list):
        raise bad_request('parameter "commands" is required')
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    clean = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = str(item.get("command", "")), str(item.get("description", ""))
        if not _COMMAND_RE.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": command, "description": description})
    stub.commands[_commands_key(params)] = clean
    return True


@_method("getMyCommands")
async def _get_my_commands(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    return stub.commands.get(_commands_key(params), [])


@_method("deleteMyCommands")
async def _delete_my_commands(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    stub.commands.pop(_commands_key(params), None)
    return True


def _set_text_setting(
    stub: StubServer, params: Mapping[str, Any], kind: str, field_name: str, limit: int
) -> bool:
    value = _str(params, field_name) or ""
    if len(value) > limit:
        raise bad_request(f"{field_name} is too long")
    language = _str(params, "language_code") or ""
    stub.descriptions[(kind, language)] = value
    return True


@_method("setMyDescription")
async def _set_my_description(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    return _set_text_setting(stub, params, "description", "description", 512)


@_method("setMyShortDescription")
async def _set_my_short_description(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    return _set_text_setting(stub, params, "short_description", "short_description", 120)


@_method("setMyName")
async def _set_my_name(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    return _set_text_setting(stub, params, "name", "name", 64)


@_method("getMyDescription")
async def _get_my_description(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    key = ("description", _str(params, "language_code") or "")
    return {"description": stub.descriptions.get(key, "")}


@_method("getMyShortDescription")
async def _get_my_short_description(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    key = ("short_description", _str(params, "language_code") or "")
    return {"short_description": stub.descriptions.get(key, "")}


@_method("getMyName")
async def _get_my_name(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    key = ("name", _str(params, "language_code") or "")
    return {"name": stub.descriptions.get(key, stub.bot_user["first_name"])}


def _parse_body(params: Mapping[str, Any], field_name: str, limit: int) -> MessageVersion:
    raw = _str(params, field_name) or ""
    parse_mode = _str(params, "parse_mode")
    text, entities = format_text(raw, parse_mode)
    markup = validate_reply_markup(params.get("reply_markup"))
    version = MessageVersion(text, entities, raw, parse_mode, markup, time.perf_counter())
    if field_name == "text" and not text:
        raise bad_request("message text is empty")
    if len(text) > limit:
        raise bad_request(
            "message is too long" if field_name == "text" else "message caption is too long"
        )
    return version


@_method("sendMessage")
async def _send_message(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    chat = stub._sendable(params)
    version = _parse_body(params, "text", TEXT_LIMIT)
    reply_to = stub._reply_to(chat, params)
    message = StubMessage(
        chat.new_message_id(), chat.id, True, int(time.time()), [version], reply_to=reply_to
    )
    chat.messages.append(message)
    stub._answered(chat, message, "sendMessage")
    return stub._message_json(chat, message)


@_method("sendPhoto")
async def _send_photo(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    chat = stub._sendable(params)
    upload = files.get("photo")
    reference = _str(params, "photo") or ""
    if upload is None and reference.startswith("attach://"):
        upload = files.get(reference.removeprefix("attach://"))
    if upload is not None:
        data = upload.data
        if not data:
            raise bad_request("file must be non-empty")
        if len(data) > PHOTO_SIZE_LIMIT:
            raise ApiError(413, "Request Entity Too Large")
    elif reference in stub.files:
        data = stub.files[reference]
    elif not reference:
        raise bad_request("there is no photo in the request")
    else:
        raise bad_request("wrong file identifier/HTTP URL specified")
    _image_size(data)
    version = _parse_body(params, "caption", CAPTION_LIMIT)
    file_id = f"AgACAgStubPhoto{len(stub.files) + 1:08d}"
    stub.files.setdefault(file_id, data)
    message = StubMessage(
        chat.new_message_id(),
        chat.id,
        True,
        int(time.time()),
        [version],
        photo=data,
        photo_file_id=file_id,
        reply_to=stub._reply_to(chat, params),
    )
    chat.messages.append(message)
    stub._answered(chat, message, "sendPhoto")
    return stub._message_json(chat, message)


def _edit(
    stub: StubServer, chat: StubChat, message: StubMessage, version: MessageVersion
) -> dict[str, Any]:
    current = message.current
    if not message.from_bot:
        raise bad_request("message can't be edited")
    if inline_keyboard(version.reply_markup) is None and version.reply_markup is not None:
        raise bad_request("inline keyboard expected")
    same = (
        version.text == current.text
        and version.entities == current.entities
        and inline_keyboard(version.reply_markup) == inline_keyboard(current.reply_markup)
    )
    if same:
        raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
    message.versions.append(version)
    return stub._message_json(chat, message)


@_method("editMessageText")
async def _edit_message_text(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    chat, message = stub._target(params, "edit")
    if message.photo is not None:
        raise bad_request("there is no text in the message to edit")
    raw = _str(params, "text") or ""
    text, entities = format_text(raw, _str(params, "parse_mode"))
    if not text:
        raise bad_request("message text is empty")
    if len(text) > TEXT_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    # No reply_markup in an edit removes the inline keyboard, as in Telegram.
    markup = validate_reply_markup(params.get("reply_markup"))
    version = MessageVersion(
        text, entities, raw, _str(params, "parse_mode"), markup, time.perf_counter()
    )
    result = _edit(stub, chat, message, version)
    stub._answered(chat, message, "editMessageText")
    return result


@_method("editMessageCaption")
async def _edit_message_caption(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    chat, message = stub._target(params, "edit")
    if message.photo is None:
        raise bad_request("there is no caption in the message to edit")
    version = _parse_body(params, "caption", CAPTION_LIMIT)
    result = _edit(stub, chat, message, version)
    stub._answered(chat, message, "editMessageCaption")
    return result


@_method("editMessageReplyMarkup")
async def _edit_message_reply_markup(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    chat, message = stub._target(params, "edit")
    current = message.current
    markup = validate_reply_markup(params.get("reply_markup"))
    version = MessageVersion(
        current.text,
        current.entities,
        current.raw,
        current.parse_mode,
        markup,
        time.perf_counter(),
    )
    return _edit(stub, chat, message, version)


@_method("deleteMessage")
async def _delete_message(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    _, message = stub._target(params, "delete")
    message.deleted = True
    return True


@_method("answerCallbackQuery")
async def _answer_callback_query(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    query = stub.callback_queries.get(_str(params, "callback_query_id") or "")
    expired = (
        query is not None
        and stub.callback_ttl is not None
        and time.perf_counter() - query.pushed_at > stub.callback_ttl
    )
    if query is None or query.answered or expired:
        raise bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
    text = _str(params, "text") or ""
    if len(text) > CALLBACK_ANSWER_LIMIT:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.answer = {
        "text": text or None,
        "show_alert": _bool(params, "show_alert"),
        "url": _str(params, "url"),
        "cache_time": _int(params, "cache_time"),
    }
    return True


@_method("sendChatAction")
async def _send_chat_action(
    stub: StubServer, params: dict[str, Any], files: dict[str, UploadedFile]
) -> Any:
    chat = stub._sendable(params)
    action = _str(params, "action") or ""
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    return True


# --------------------------------------------------------------------------------------------
# Network tripwire: for tests, nothing may connect anywhere but 127.0.0.1.
# --------------------------------------------------------------------------------------------


class NetworkTripwire:
    """Refuse and remember any connect or DNS lookup that is not 127.0.0.1 (or AF_UNIX)."""

    ALLOWED_HOSTS = frozenset({LOCALHOST, LOCALHOST.encode()})

    def __init__(self) -> None:
        self.violations: list[str] = []

    def install(self, monkeypatch: Any) -> NetworkTripwire:
        """Patch ``socket`` through a ``pytest.MonkeyPatch`` (undone at teardown)."""
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_getaddrinfo = socket.getaddrinfo
        tripwire = self

        def check(sock: socket.socket, address: Any) -> None:
            if sock.family == socket.AF_UNIX:
                return
            host = address[0] if isinstance(address, tuple) else address
            if sock.family != socket.AF_INET or host not in tripwire.ALLOWED_HOSTS:
                tripwire._trip(f"connect to {address!r}")

        def connect(sock: socket.socket, address: Any) -> None:
            check(sock, address)
            real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            check(sock, address)
            return real_connect_ex(sock, address)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if host is not None and host not in tripwire.ALLOWED_HOSTS:
                tripwire._trip(f"DNS lookup of {host!r}")
            return real_getaddrinfo(host, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        return self

    def _trip(self, what: str) -> None:
        self.violations.append(what)
        raise OSError(errno.EACCES, f"network tripwire: {what} (tests may only use {LOCALHOST})")


# --------------------------------------------------------------------------------------------
# Standalone.
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """Run the stub until interrupted; print its base URL."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", action="append", default=None)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)
    tokens = args.token or [DEFAULT_TOKEN]

    async def run() -> None:
        async with StubServer(
            tokens[0], tokens=tokens[1:], port=args.port, latency=args.latency
        ) as stub:
            print(f"stub listening: {stub.base_url}<token>/<method>", flush=True)
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
