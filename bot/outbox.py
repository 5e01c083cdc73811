"""The outbox's rows: one Bot API call each, as versioned JSON.

A reply of the dialog becomes one or more calls: the text (split to fit Telegram's
limit, the buttons on the last piece), then its charts (the 415(c) bucket, then the
paycheck plan) or QR code as photos. An answer's
acknowledgement is an edit of the message that asked: the tapped message, or (for a
typed answer, `message_id` None) whichever message asks the current question when the
edit is made, which the calls before it in the outbox may still have to send.

A row that doesn't validate (another version's format, not JSON) raises ValueError
(pydantic's ValidationError is one), and the delivery sets it aside.
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from dialogs import BucketChart, PaycheckChart, Reply, Segment, split_text


class _Call(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    v: Literal[1] = 1


Buttons = tuple[tuple[tuple[str, str] | tuple[str, str, str], ...], ...]
"""Rows of (label, callback data), or (label, "", https address) for a link button."""


class Edit(_Call):
    """editMessageText: show the answer in the message that asked (its buttons go), or
    ask the question again in it (`buttons`: a re-ask replacing the message)."""

    call: Literal["edit"] = "edit"
    message_id: int | None  # None: the message asking the current question, when sent
    text: str
    buttons: Buttons = ()


class Send(_Call):
    """sendMessage: a piece of a reply; `asks` marks the message asking the question."""

    call: Literal["send"] = "send"
    text: str
    buttons: Buttons = ()
    asks: bool = False
    erased: bool = False  # /forget's confirmation: once out, scrub the database files


class Chart(_Call):
    """sendPhoto of a 415(c) bucket chart, drawn when sent."""

    call: Literal["chart"] = "chart"
    chart: dict[str, Any]


class PlanChart(_Call):
    """sendPhoto of the paycheck plan's chart, drawn when sent."""

    call: Literal["plan_chart"] = "plan_chart"
    chart: dict[str, Any]


class Qr(_Call):
    """sendPhoto of a share link's QR code, drawn when sent, with its caption."""

    call: Literal["qr"] = "qr"
    link: str
    caption: str = ""


Call = Annotated[Edit | Send | Chart | PlanChart | Qr, Field(discriminator="call")]
_CALL: TypeAdapter[Call] = TypeAdapter(Call)
# The paycheck chart's dataclasses, read and written by pydantic: Decimals as strings.
_PLAN_CHART: TypeAdapter[PaycheckChart] = TypeAdapter(PaycheckChart)


def parse(payload: str) -> Call:
    """The call a row holds; ValueError if it can't be read."""
    return _CALL.validate_json(payload)


def dump(call: Edit | Send | Chart | PlanChart | Qr) -> str:
    return call.model_dump_json()


def chart_to_json(chart: BucketChart) -> dict[str, Any]:
    data = dataclasses.asdict(chart)
    data["limit"] = str(chart.limit)
    data["segments"] = [dict(s, amount=str(s["amount"])) for s in data["segments"]]
    return data


def chart_from_json(data: dict[str, Any]) -> BucketChart:
    segments = tuple(Segment(**dict(s, amount=Decimal(s["amount"]))) for s in data["segments"])
    return BucketChart(**dict(data, segments=segments, limit=Decimal(data["limit"])))


def plan_chart_to_json(chart: PaycheckChart) -> dict[str, Any]:
    data: dict[str, Any] = _PLAN_CHART.dump_python(chart, mode="json")
    return data


def plan_chart_from_json(data: dict[str, Any]) -> PaycheckChart:
    """The chart a PlanChart call holds; ValueError if it can't be read."""
    return _PLAN_CHART.validate_python(data)


def _buttons(reply: Reply) -> Buttons:
    return tuple(
        tuple((b.label, b.data) if b.url is None else (b.label, "", b.url) for b in row)
        for row in reply.buttons
    )


def reply_calls(reply: Reply, asked: bool = False) -> list[str]:
    """The calls that send one reply, in order. A re-ask (`replaces`) is an edit of the
    message asking the question, when one is on screen (`asked`)."""
    pieces = split_text(reply.text)
    buttons = _buttons(reply)
    if reply.replaces and asked and len(pieces) == 1:
        return [dump(Edit(message_id=None, text=reply.text, buttons=buttons))]
    calls: list[str] = []
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        asks = last and reply.asks
        calls.append(dump(Send(text=piece, buttons=buttons if last else (), asks=asks)))
    if reply.chart is not None:
        calls.append(dump(Chart(chart=chart_to_json(reply.chart))))
    if reply.plan_chart is not None:
        calls.append(dump(PlanChart(chart=plan_chart_to_json(reply.plan_chart))))
    if reply.qr:
        calls.append(dump(Qr(link=reply.qr, caption=reply.qr_caption)))
    return calls


def calls_for(
    ack: Reply | None, ack_target: int | None, replies: list[Reply], *, asked: bool
) -> list[str]:
    """What one update sends: the acknowledgement (if a question was on screen:
    `asked`), then each reply."""
    calls = [dump(Edit(message_id=ack_target, text=ack.text))] if ack and asked else []
    for reply in replies:
        calls.extend(reply_calls(reply, asked))
    return calls


def text_call(text: str) -> str:
    return dump(Send(text=text))


def erased_calls(replies: list[Reply]) -> list[str]:
    """/forget's confirmation: plain messages marked so delivery scrubs after them."""
    return [dump(Send(text=piece, erased=True)) for r in replies for piece in split_text(r.text)]


def from_legacy(text: str) -> list[str]:
    """Calls for an outbox as an older version kept it in the session row (a JSON list
    of replies); ValueError (or TypeError, KeyError) if it can't be read."""
    items = json.loads(text)
    if not isinstance(items, list):
        raise ValueError("not a list")
    calls: list[str] = []
    for item in items:
        if "edit" in item:
            calls.append(dump(Edit(message_id=int(item["edit"]), text=str(item["text"]))))
            continue
        rows = tuple(tuple((str(label), str(d)) for label, d in row) for row in item["buttons"])
        pieces = split_text(str(item["text"]))
        asks = bool(item.get("asks", bool(rows)))  # the oldest rows lack the flag
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            calls.append(dump(Send(text=piece, buttons=rows if last else (), asks=last and asks)))
        if item.get("chart"):
            calls.append(dump(Chart(chart=dict(item["chart"]))))
        if item.get("qr"):
            calls.append(dump(Qr(link=str(item["qr"]))))
    return calls
