"""A PNG of the paychecks left this year, for a phone: what goes into each one, by kind.

Each bar is a paycheck. Its full height is the pay per paycheck, outlined, so nothing
taken out of pay can look bigger than a paycheck: from the bottom, the deferral, the
after-tax contribution, then the rest of the paycheck (taxes, take-home) in light grey.
The employer's match is not taken from pay: it sits on top of the bar, above the dashed
line that marks the paycheck's top, in its own colour.

Under the bars, a table: first each bar's label (which paychecks it stands for: "1–25",
"26"), then a row per kind, top to bottom in the order the bars stack them (match, rest,
after-tax, deferral), its swatch and name on the left and each bar's amount under that
bar. A kind no bar has is left out.

Bars, the rule: one bar per run of identical consecutive paychecks (`paycheck_runs`),
never one bar per paycheck. The plan elects the same percents on every paycheck left and
catches up on the last, so 26 or 52 paychecks left are one bar, or two when the last one
differs. The match changes within a run of equal elections only where it stops at the
401(a)(17) pay limit (no true-up, pay counted in full until the limit): one paycheck with
part of the match and a run with none, so four bars at the most (MAX_BARS;
`dialogs.paycheck_picture` draws no chart past it, though more would still be drawn,
narrower). Each bar's column is as wide as its widest text (COL_MIN px at least), the
names take the rest of the width beside the table's rows when that leaves them NAME_MIN
px; else (three bars or more, or amounts too wide) each name goes on a line above its
row, the bars share the whole width (184 px each for four) and the pay line's label is
left to the subtitle.

The module knows nothing of Telegram or translation: the caller passes already-translated,
already-formatted strings. It draws with the bucket chart's fonts, text wrapping, bar
pieces and PNG writer (`dialogs.charts`) and shares its colours: the deferral in the
bucket's blue, the after-tax money in the yellow of the after-tax room it fills, the match
in the employer's green (Okabe-Ito: distinct under the common colour-vision deficiencies).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, TypeVar

from PIL import Image, ImageDraw

from dialogs.charts import (
    AMOUNT_COLOUR,
    BACKGROUND,
    FOOTER_COLOUR,
    FOOTER_GAP,
    FOOTER_SIZE,
    KIND_COLOURS,
    LABEL_COLOUR,
    LABEL_SIZES,
    LIMIT_COLOUR,
    MARGIN,
    MIN_PIECE,
    RGB,
    SEPARATOR,
    SWATCH,
    TITLE_COLOUR,
    TITLE_GAP,
    TITLE_SIZE,
    WALL_COLOUR,
    WIDTH,
    BarPiece,
    TextBlock,
    draw_block,
    encode_png,
    fit_block,
    font,
    piece_heights,
)

__all__ = [
    "IN_PAY",
    "MAX_BARS",
    "PAY_COLOURS",
    "PAY_KINDS",
    "BarLayout",
    "PayPart",
    "PaycheckBar",
    "PaycheckChart",
    "PaycheckLayout",
    "Placed",
    "layout_paycheck_chart",
    "paycheck_runs",
    "render_paycheck_chart",
]

PAY_KINDS: Final = ("deferral", "after_tax", "rest", "match")  # bottom to top
IN_PAY: Final = frozenset({"deferral", "after_tax", "rest"})  # the paycheck's own parts
PAY_COLOURS: Final[dict[str, RGB]] = {
    "deferral": KIND_COLOURS["deferrals"],  # blue
    "after_tax": KIND_COLOURS["after_tax_room"],  # yellow
    "rest": (226, 226, 226),  # light grey: not going into the plan
    "match": KIND_COLOURS["employer"],  # bluish green
}
RULE_COLOUR: Final[RGB] = (225, 225, 225)  # the thin lines between the table's rows
MAX_BARS: Final = 4

# Geometry, in output pixels (800 wide, like the bucket chart).
CONTENT: Final = WIDTH - 2 * MARGIN
SUBTITLE_GAP: Final = 4  # title to subtitle
PLOT_HEIGHT: Final = 430  # from the plot's top to the bars' bottom
PLOT_PAD: Final = 22  # room above the highest bar, for the pay line's label
NAME_MIN: Final = 240  # a names' column narrower than this goes: names above their rows
NAME_PAD: Final = 16  # between the names and the first bar's column
COL_MIN: Final = 170  # a bar's column, at least, beside a names' column
BAR_MAX: Final = 150  # a bar never wider than this
CELL_PAD: Final = 12  # each side of a table cell's text
NAME_X: Final = MARGIN + SWATCH + 12  # the kinds' names, right of their swatches
MATCH_GAP: Final = 8  # between the paycheck's top and the match on it
OUTLINE: Final = 2  # the paycheck's outline
PAY_LINE: Final = 3  # the dashed line at the paycheck's top
DASH: Final = (12, 8)  # its dashes and spaces
TABLE_GAP: Final = 16  # bars to the table
ROW_GAP: Final = 16  # between two rows of the table (a rule in the middle)
STACK_GAP: Final = 4  # a name above its row, to the row

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PayPart:
    """One kind of money in a paycheck (or on it: the match). Strings come formatted."""

    kind: str  # one of PAY_KINDS
    amount: Decimal  # dollars, >= 0
    amount_text: str  # e.g. "$923"

    def __post_init__(self) -> None:
        if self.kind not in PAY_KINDS:
            raise ValueError(f"unknown paycheck part {self.kind!r}; expected one of {PAY_KINDS}")
        if not self.amount.is_finite() or self.amount < 0:
            raise ValueError(f"a part's amount must be a finite number >= 0, not {self.amount}")


@dataclass(frozen=True, slots=True)
class PaycheckBar:
    """A bar: one paycheck, or a run of identical ones (`label` says which)."""

    label: str  # e.g. "1–25" or "26"
    parts: tuple[PayPart, ...]  # at most one of each kind, any order

    def __post_init__(self) -> None:
        kinds = [p.kind for p in self.parts]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"a bar has each kind of part once at most, not {kinds}")

    def part(self, kind: str) -> PayPart | None:
        return next((p for p in self.parts if p.kind == kind), None)

    @property
    def in_pay(self) -> Decimal:
        """What the bar takes of (or leaves in) the paycheck: all but the match."""
        return sum((p.amount for p in self.parts if p.kind in IN_PAY), Decimal(0))


@dataclass(frozen=True, slots=True)
class PaycheckChart:
    """The whole chart. Every bar is a paycheck of `pay` dollars: its parts other than
    the match add up to `pay` at most."""

    title: str  # e.g. "Your 2026 paychecks"
    subtitle: str  # e.g. "26 paychecks left, $7,692 each"
    pay: Decimal  # the pay per paycheck: each bar's full height
    pay_text: str  # the label of the line at the paycheck's top, e.g. "Paycheck $7,692"
    bars: tuple[PaycheckBar, ...]
    names: tuple[tuple[str, str], ...]  # (kind, name): e.g. ("deferral", "Deferral")
    heading: str = ""  # the name of the bars' labels' row, e.g. "Paychecks"
    footer: str = ""

    def __post_init__(self) -> None:
        if not self.pay.is_finite() or self.pay <= 0:
            raise ValueError(f"the pay per paycheck must be a finite number > 0, not {self.pay}")
        for bar in self.bars:
            if bar.in_pay > self.pay:
                raise ValueError(f"a bar takes {bar.in_pay} out of a paycheck of {self.pay}")
        for kind, _ in self.names:
            if kind not in PAY_KINDS:
                raise ValueError(f"unknown paycheck part {kind!r}; expected one of {PAY_KINDS}")


@dataclass(frozen=True, slots=True)
class Placed:
    """A text block and its box (x0, y0, x1, y1): drawn from x0, or centred in the box."""

    block: TextBlock
    box: tuple[int, int, int, int]
    centred: bool = False


@dataclass(frozen=True, slots=True)
class BarLayout:
    """A drawn bar: its left and right edges and its pieces (kind "empty": pay not
    accounted for, left white)."""

    x0: int
    x1: int
    pieces: tuple[BarPiece, ...]


@dataclass(frozen=True, slots=True)
class PaycheckLayout:
    """Everything `render_paycheck_chart` draws, positioned; pure data, no pixels."""

    width: int
    height: int
    pay_top: int  # the paycheck's top: the bars' outlines start here, the match above
    base: int  # the bars' bottom
    pay_line: tuple[int, int]  # the dashed line's x0, x1
    bars: tuple[BarLayout, ...]
    texts: tuple[Placed, ...]  # title, subtitle, pay label, the table, footer
    swatches: tuple[tuple[str, int, int], ...]  # (kind, x, top)
    rules: tuple[int, ...]  # the y of each line between two of the table's rows


def paycheck_runs(schedule: Sequence[_T]) -> tuple[tuple[int, int, _T], ...]:
    """Runs of equal consecutive paychecks as (first, last, paycheck), numbered from 1
    (the next paycheck): the bars the chart draws for a schedule."""
    runs: list[tuple[int, int, _T]] = []
    first = 1
    for paycheck, same in itertools.groupby(schedule):
        count = sum(1 for _ in same)
        runs.append((first, first + count - 1, paycheck))
        first += count
    return tuple(runs)


def _columns(chart: PaycheckChart) -> tuple[int, int]:
    """The names' column's width and each bar's column's width.

    A bar's column is as wide as its widest text at the largest size (COL_MIN at least),
    and the names take the rest, when that leaves them NAME_MIN px. Else (many bars, or
    wide amounts) the names' column is 0: each name goes on a line of its own, above its
    row, and the bars share the whole width.
    """
    count = max(len(chart.bars), 1)
    f = font(LABEL_SIZES[0], True)
    texts = [bar.label for bar in chart.bars]
    texts += [part.amount_text for bar in chart.bars for part in bar.parts]
    widest = max((f.getlength(text) for text in texts), default=0.0)
    column = max(COL_MIN, math.ceil(widest) + 2 * CELL_PAD)
    if CONTENT - column * count >= NAME_MIN:
        return CONTENT - column * count, column
    return 0, CONTENT // count


def _amount(bar: PaycheckBar, kind: str) -> Decimal:
    part = bar.part(kind)
    return Decimal(0) if part is None else part.amount


def _placed(block: TextBlock, x: int, y: int) -> Placed:
    return Placed(block, (x, y, x + block.width, y + block.height))


def _headings(chart: PaycheckChart) -> tuple[list[Placed], int]:
    """The title and subtitle, and the y where the plot starts under them."""
    texts: list[Placed] = []
    y = MARGIN
    for text, sizes, bold, colour in (
        (chart.title, (TITLE_SIZE,), True, TITLE_COLOUR),
        (chart.subtitle, LABEL_SIZES, False, LABEL_COLOUR),
    ):
        block = fit_block(text, sizes, bold, colour, CONTENT)
        if block is not None:
            y += SUBTITLE_GAP if texts else 0
            texts.append(_placed(block, MARGIN, y))
            y += block.height
    return texts, y + (TITLE_GAP if texts else 0)


def _bars(
    chart: PaycheckChart, base: int, names_width: int, column: int
) -> tuple[int, list[BarLayout]]:
    """The paycheck's top and the bars. One scale for all, the match's too: a paycheck
    and the largest match fill the plot under PLOT_PAD, each part drawn >= MIN_PIECE px
    (and the match never more than the room above the paycheck)."""
    pay = float(chart.pay)
    most = max((float(_amount(bar, "match")) for bar in chart.bars), default=0.0)
    span = PLOT_HEIGHT - PLOT_PAD - (MATCH_GAP if most > 0 else 0)
    on_top = 0.0 if most == 0 else max(MIN_PIECE, span * most / (pay + most))
    pay_top = base - max(len(IN_PAY) * round(MIN_PIECE), round(span - on_top))
    room = span - (base - pay_top)
    scale = (base - pay_top) / pay
    width = min(BAR_MAX, column - 2 * CELL_PAD)
    bars: list[BarLayout] = []
    for index, bar in enumerate(chart.bars):
        x0 = MARGIN + names_width + index * column + (column - width) // 2
        # The paycheck's parts bottom to top, then what they leave of it unaccounted for.
        parts = [(k, float(_amount(bar, k))) for k in PAY_KINDS if k in IN_PAY]
        entries: list[tuple[str, float, bool]] = [(k, a, True) for k, a in parts if a > 0]
        unaccounted = float(chart.pay - bar.in_pay)
        if unaccounted > 0:
            entries.append(("empty", unaccounted, False))
        heights = piece_heights(
            [a for _, a, _ in entries], [seg for _, _, seg in entries], base - pay_top
        )
        pieces: list[BarPiece] = []
        bottom = float(base)
        for (kind, _, _), height in zip(entries, heights, strict=True):
            pieces.append(BarPiece(kind, round(bottom - height), round(bottom)))
            bottom -= height
        match = float(_amount(bar, "match"))
        if match > 0:
            top = pay_top - MATCH_GAP
            height = min(room, max(MIN_PIECE, match * scale))
            pieces.append(BarPiece("match", round(top - height), top))
        bars.append(BarLayout(x0, x0 + width, tuple(pieces)))
    return pay_top, bars


Row = tuple[str | None, TextBlock | None, list[TextBlock | None]]


def _rows(chart: PaycheckChart, name_width: int, column: int) -> list[Row]:
    """The table's rows as (kind, name, a cell a bar): the bars' labels (kind None),
    then each kind some bar has, in the order the bars stack them, top first."""
    cell_width = column - 2 * CELL_PAD

    def cells(texts: list[str]) -> list[TextBlock | None]:
        return [fit_block(text, LABEL_SIZES, True, AMOUNT_COLOUR, cell_width) for text in texts]

    rows: list[Row] = []
    if chart.heading or any(bar.label for bar in chart.bars):
        heading = fit_block(chart.heading, LABEL_SIZES, True, LABEL_COLOUR, name_width)
        rows.append((None, heading, cells([bar.label for bar in chart.bars])))
    names = dict(chart.names)
    for kind in reversed(PAY_KINDS):
        if any(_amount(bar, kind) > 0 for bar in chart.bars):
            name = fit_block(names.get(kind, ""), LABEL_SIZES, False, LABEL_COLOUR, name_width)
            parts = [bar.part(kind) for bar in chart.bars]
            rows.append((kind, name, cells(["" if p is None else p.amount_text for p in parts])))
    return rows


def _table(
    chart: PaycheckChart, top: int, names_width: int, column: int
) -> tuple[list[Placed], list[tuple[str, int, int]], list[int], int]:
    """The table's texts, swatches and rules, and the y under it. With no names' column
    (`names_width` 0) each row's name is a line above its cells."""
    stacked = names_width == 0
    right = WIDTH - MARGIN if stacked else MARGIN + names_width - NAME_PAD
    texts: list[Placed] = []
    swatches: list[tuple[str, int, int]] = []
    rules: list[int] = []
    y = top
    for number, (kind, name, cells) in enumerate(_rows(chart, right - NAME_X, column)):
        if number:
            rules.append(y + ROW_GAP // 2)
            y += ROW_GAP
        x = MARGIN
        row_top = y
        if kind is not None:
            first_line = SWATCH if name is None else name.line_height
            swatches.append((kind, MARGIN, y + (first_line - SWATCH) // 2))
            x = NAME_X
        name_height = 0 if name is None else name.height
        if kind is not None:
            name_height = max(name_height, SWATCH)
        if name is not None:
            texts.append(_placed(name, x, y))
        if stacked and name_height:
            y += name_height + STACK_GAP
        heights = [c.height for c in cells if c is not None]
        for index, cell in enumerate(cells):
            if cell is not None:
                x0 = MARGIN + names_width + index * column + CELL_PAD
                box = (x0, y, x0 + column - 2 * CELL_PAD, y + cell.height)
                texts.append(Placed(cell, box, centred=True))
        y = max(y + max(heights, default=0), row_top + name_height)
    return texts, swatches, rules, y


def layout_paycheck_chart(chart: PaycheckChart) -> PaycheckLayout:
    """Position everything: title, subtitle, bars, the pay line, the table, footer.

    The plot is PLOT_HEIGHT px tall whatever the data; the image is as tall as the text
    needs, so that text stays >= 28 px and nothing is cut off. Zero parts are not drawn.
    """
    texts, plot_top = _headings(chart)
    base = plot_top + PLOT_HEIGHT
    names_width, column = _columns(chart)
    pay_top, bars = _bars(chart, base, names_width, column)

    # The pay line's label, in the names' column (if any) level with the line if it can be.
    line_x0 = MARGIN
    label = None
    if names_width:
        label = fit_block(chart.pay_text, LABEL_SIZES, False, LABEL_COLOUR, names_width - 24)
    if label is not None:
        texts.append(_placed(label, MARGIN, max(plot_top, pay_top - label.line_height // 2)))
        line_x0 = MARGIN + label.width + 12

    table, swatches, rules, y = _table(chart, base + TABLE_GAP, names_width, column)
    texts += table
    footer = fit_block(chart.footer, (FOOTER_SIZE,), False, FOOTER_COLOUR, CONTENT)
    if footer is not None:
        texts.append(_placed(footer, MARGIN, y + FOOTER_GAP))
        y += FOOTER_GAP + footer.height
    return PaycheckLayout(
        width=WIDTH,
        height=y + MARGIN,
        pay_top=pay_top,
        base=base,
        pay_line=(line_x0, WIDTH - MARGIN),
        bars=tuple(bars),
        texts=tuple(texts),
        swatches=tuple(swatches),
        rules=tuple(rules),
    )


# -- drawing ----------------------------------------------------------------------------


def _draw_bar(draw: ImageDraw.ImageDraw, layout: PaycheckLayout, bar: BarLayout) -> None:
    """The bar's pieces, white lines between touching ones, and the paycheck's outline."""
    drawn = [p for p in bar.pieces if p.kind != "empty" and p.bottom > p.top]
    for piece in drawn:
        box = (bar.x0, piece.top, bar.x1 - 1, piece.bottom - 1)
        draw.rectangle(box, fill=PAY_COLOURS[piece.kind])
    half = SEPARATOR // 2
    for lower, upper in itertools.pairwise(drawn):
        if lower.top == upper.bottom:
            box = (bar.x0, lower.top - half, bar.x1 - 1, lower.top - half + SEPARATOR - 1)
            draw.rectangle(box, fill=BACKGROUND)
    outline = (bar.x0, layout.pay_top, bar.x1 - 1, layout.base - 1)
    draw.rectangle(outline, outline=WALL_COLOUR, width=OUTLINE)


def _draw_pay_line(draw: ImageDraw.ImageDraw, layout: PaycheckLayout) -> None:
    x, end = layout.pay_line
    top = layout.pay_top - PAY_LINE // 2
    dash, space = DASH
    while x < end:
        draw.rectangle((x, top, min(x + dash, end) - 1, top + PAY_LINE - 1), fill=LIMIT_COLOUR)
        x += dash + space


def render_paycheck_chart(chart: PaycheckChart) -> bytes:
    """Render the chart as PNG bytes (WIDTH px wide, as tall as it needs).

    Deterministic: the same chart gives the same bytes.
    """
    layout = layout_paycheck_chart(chart)
    image = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    _draw_pay_line(draw, layout)
    for bar in layout.bars:
        _draw_bar(draw, layout, bar)
    for y in layout.rules:
        draw.rectangle((MARGIN, y, WIDTH - MARGIN - 1, y), fill=RULE_COLOUR)
    for kind, x, top in layout.swatches:
        box = (x, top, x + SWATCH - 1, top + SWATCH - 1)
        edge = WALL_COLOUR if kind == "rest" else None  # the light grey, outlined as in the bar
        draw.rectangle(box, fill=PAY_COLOURS[kind], outline=edge, width=OUTLINE)
    for placed in layout.texts:
        x0, y0, x1, _ = placed.box
        draw_block(
            draw,
            placed.block,
            (x0 + x1) // 2 if placed.centred else x0,
            y0,
            centred=placed.centred,
        )
    return encode_png(image)
