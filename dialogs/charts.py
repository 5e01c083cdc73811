"""A PNG chart of one person's year in their 401(k)'s 415(c) "bucket", for a phone.

One stacked vertical bar (the bucket) holds the year's money bottom to top: elective
deferrals (and the raise the advice asks for), employer money, after-tax money already
in, the after-tax room still open, and
on top, above the 415(c) line, any age catch-up and any excess over the limit (in a
warning colour). A horizontal line marks the 415(c) limit.
Labels sit to the right of the bar, pushed apart so they never overlap, each tied to its
segment by a leader line.

The module knows nothing of Telegram or translation: the caller passes already-translated,
already-formatted strings (`Segment.label`, `Segment.amount_text`, `BucketChart.limit_text`).

Renderer: Pillow (ImageDraw + FreeType), chosen on `benchmarks/bench_chart.py`'s numbers
on the 2-core machine: one render ~27 ms CPU median (p90 ~31), the first in a new process
~47 ms plus ~70 ms to import; a minimal matplotlib Agg stacked bar of the same data takes
~145 ms CPU a render, ~130 ms for the first and 0.7-0.9 s to import (more with an empty
font cache). Only the slanted leader lines and hatching are drawn at twice the size and
reduced (antialiased); rectangles are drawn at full size, and FreeType antialiases text.
The PNG is written here (rows unfiltered, zlib level 3): Pillow's encoder tries five
filters on every row, which cost more than all the drawing.

Fonts: DejaVu Sans, shipped in `dialogs/fonts/` (license there). Pillow's bundled default
font draws á é í ó ú ñ ¿ ¡ as empty boxes, and system fonts may be absent. Text is laid out
with Pillow's basic layout engine (no libraqm) so the output is the same on every machine.
"""

from __future__ import annotations

import functools
import itertools
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "ABOVE",
    "KINDS",
    "KIND_COLOURS",
    "ROOM_HATCH",
    "BarPiece",
    "BucketChart",
    "ChartLayout",
    "LabelBox",
    "Segment",
    "TextBlock",
    "draw_block",
    "encode_png",
    "fit_block",
    "font",
    "layout_chart",
    "layout_labels",
    "piece_heights",
    "render_bucket_chart",
    "wrap_text",
]

RGB = tuple[int, int, int]

KINDS: Final = (
    "deferrals", "employer", "after_tax_in", "after_tax_room", "catch_up", "excess", "raise"
)  # fmt: skip
ABOVE: Final = frozenset({"catch_up", "excess"})  # drawn above the 415(c) line

# Okabe-Ito, a palette that stays distinct under the common colour-vision deficiencies.
# The after-tax room (the opportunity) is the bright yellow, hatched in orange and outlined
# with dashes: space still open. Blue and sky blue are never adjacent in the bar.
KIND_COLOURS: Final[dict[str, RGB]] = {
    "deferrals": (0, 114, 178),  # blue
    "employer": (0, 158, 115),  # bluish green
    "after_tax_in": (86, 180, 233),  # sky blue
    "after_tax_room": (240, 228, 66),  # yellow
    "catch_up": (204, 121, 167),  # reddish purple
    "excess": (213, 94, 0),  # vermillion: money over the limit, to correct
    "raise": (166, 206, 227),  # light blue: the deferrals the advice adds
}
ROOM_HATCH: Final[RGB] = (230, 159, 0)  # orange
ROOM_OUTLINE: Final[RGB] = (40, 40, 40)

BACKGROUND: Final[RGB] = (255, 255, 255)
TITLE_COLOUR: Final[RGB] = (17, 17, 17)
LABEL_COLOUR: Final[RGB] = (51, 51, 51)
AMOUNT_COLOUR: Final[RGB] = (17, 17, 17)
FOOTER_COLOUR: Final[RGB] = (102, 102, 102)
WALL_COLOUR: Final[RGB] = (85, 85, 85)
LIMIT_COLOUR: Final[RGB] = (17, 17, 17)
LEADER_COLOUR: Final[RGB] = (110, 110, 110)

# Geometry, in output pixels. Portrait, about 4:5, the shape Telegram shows large.
WIDTH: Final = 800
MIN_HEIGHT: Final = 1000
MARGIN: Final = 32
TITLE_SIZE: Final = 38
LABEL_SIZES: Final = (30, 29, 28)  # largest first; shrink only to avoid breaking a word
FOOTER_SIZE: Final = 28
LINE_SPACING: Final = 1.22
TITLE_GAP: Final = 30  # title to chart
FOOTER_GAP: Final = 26  # chart to footer
BAR_X0: Final = 70
BAR_X1: Final = 250
WALL: Final = 5  # the bucket's walls and floor
RIM_OVERHANG: Final = 22  # the 415(c) line sticks out this far each side of the bar
LIMIT_LINE: Final = 5
COL_X: Final = 318  # left edge of the label column (the swatch)
SWATCH: Final = 28
TEXT_X: Final = COL_X + SWATCH + 14
TEXT_WIDTH: Final = WIDTH - MARGIN - TEXT_X
LABEL_GAP: Final = 16  # minimum vertical space between two labels
MIN_PIECE: Final = 12.0  # a non-zero segment is never thinner than this, however small
SEPARATOR: Final = 2  # white line between two adjacent segments
SUPERSAMPLE: Final = 2

FONT_DIR: Final = Path(__file__).with_name("fonts")
_REGULAR: Final = "DejaVuSans.ttf"
_BOLD: Final = "DejaVuSans-Bold.ttf"


@dataclass(frozen=True, slots=True)
class Segment:
    """One slice of the bucket. Strings are already translated and formatted."""

    label: str  # e.g. "Your deferrals" / "Tus aportaciones"
    amount: Decimal  # dollars, >= 0
    amount_text: str  # e.g. "$24,500" or "24.500 US$"
    kind: str  # one of KINDS

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown segment kind {self.kind!r}; expected one of {KINDS}")
        if not self.amount.is_finite() or self.amount < 0:
            raise ValueError(f"segment amount must be a finite number >= 0, not {self.amount}")


@dataclass(frozen=True, slots=True)
class BucketChart:
    """The whole chart. Segments run bottom to top; "catch_up" and "excess" ones sit above
    the line."""

    title: str  # e.g. "Your 2026 401(k): $72,000 limit"
    segments: tuple[Segment, ...]
    limit: Decimal  # the 415(c) limit: the line across the bucket
    limit_text: str  # e.g. "415(c) limit $72,000"
    footer: str = ""  # e.g. "IRS Notice 2025-67"

    def __post_init__(self) -> None:
        if not self.limit.is_finite() or self.limit <= 0:
            raise ValueError(f"the 415(c) limit must be a finite number > 0, not {self.limit}")


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Lines of text in one font, drawn one under the other."""

    lines: tuple[str, ...]
    size: int
    bold: bool
    colour: RGB

    @property
    def line_height(self) -> int:
        return round(self.size * LINE_SPACING)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)

    @property
    def width(self) -> int:
        f = font(self.size, self.bold)
        return max((round(f.getlength(line)) for line in self.lines), default=0)


@dataclass(frozen=True, slots=True)
class BarPiece:
    """A drawn slice of the bar, in output pixels (top < bottom). kind "empty" is unused."""

    kind: str
    top: int
    bottom: int


@dataclass(frozen=True, slots=True)
class LabelBox:
    """A label in the right-hand column and where its leader line starts on the bar."""

    kind: str  # a segment kind, or "limit" for the 415(c) line's label
    anchor_y: int  # the point on the bar (or the line) the leader starts from
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of swatch + text
    blocks: tuple[TextBlock, ...]

    @property
    def pointer_y(self) -> int:
        """Where the leader meets the label: the middle of its first line (the swatch)."""
        return self.box[1] + self.blocks[0].line_height // 2


@dataclass(frozen=True, slots=True)
class ChartLayout:
    """Everything `render_bucket_chart` draws, positioned; pure data, no pixels."""

    width: int
    height: int
    title: TextBlock | None
    title_y: int
    footer: TextBlock | None
    footer_y: int
    bar_top: int
    bar_bottom: int
    rim_y: int
    pieces: tuple[BarPiece, ...]
    labels: tuple[LabelBox, ...]


@functools.cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The shipped DejaVu Sans at `size` px, loaded once per (size, weight)."""
    path = FONT_DIR / (_BOLD if bold else _REGULAR)
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def _break_word(word: str, f: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Split a word wider than `max_width` into pieces that fit (at least a letter each)."""
    pieces: list[str] = []
    while word and f.getlength(word) > max_width:
        cut = 1
        while cut < len(word) and f.getlength(word[: cut + 1]) <= max_width:
            cut += 1
        pieces.append(word[:cut])
        word = word[cut:]
    if word:
        pieces.append(word)
    return pieces


def wrap_text(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> tuple[list[str], int]:
    """Greedy word wrap to `max_width` px. Returns the lines and how many words were broken.

    A word too long for a line on its own is broken between letters, so nothing is ever
    cut off. Runs of whitespace collapse to one space; blank text gives no lines.
    """
    lines: list[str] = []
    broken = 0
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if f.getlength(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _break_word(word, f, max_width)
        if len(pieces) > 1:
            broken += 1
        lines.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        lines.append(current)
    return lines, broken


def fit_block(
    text: str, sizes: Sequence[int], bold: bool, colour: RGB, max_width: float
) -> TextBlock | None:
    """Wrap `text` at the size among `sizes` that breaks the fewest words, then takes the
    fewest lines, then is the largest: shrinking a little is better than one more line."""
    best: tuple[tuple[int, int, int], TextBlock] | None = None
    for size in sizes:
        lines, broken = wrap_text(text, font(size, bold), max_width)
        if not lines:
            return None
        key = (broken, len(lines), -size)
        if best is None or key < best[0]:
            best = (key, TextBlock(tuple(lines), size, bold, colour))
        if key[:2] == (0, 1):  # one line, nothing broken: no smaller size can do better
            break
    return None if best is None else best[1]


def layout_labels(
    desired_tops: Sequence[float],
    heights: Sequence[float],
    *,
    top: float,
    bottom: float,
    gap: float,
) -> list[float]:
    """Place label boxes in one column as near their desired tops as they can be.

    Boxes keep the order of their desired tops (ties: input order), never overlap (each
    box starts at least `gap` below the previous one's end), and stay within [top, bottom]
    when they fit there. Among such placements this one minimises the sum of squared moves:
    with z_i = y_i - (heights and gaps above box i), non-overlap is z non-decreasing, so the
    answer is the isotonic regression of the desired z (pool adjacent violators), clipped
    to the column. Boxes too tall for the column together are stacked from `top` down and
    run past `bottom`; callers make the column tall enough. Returns tops in input order.
    """
    n = len(desired_tops)
    if len(heights) != n:
        raise ValueError("desired_tops and heights must have the same length")
    if n == 0:
        return []
    order = sorted(range(n), key=lambda i: (desired_tops[i], i))
    offsets: list[float] = []
    run = 0.0
    for i in order:
        offsets.append(run)
        run += heights[i] + gap
    total = run - gap  # from the first box's top to the last box's bottom
    wanted = [desired_tops[i] - off for i, off in zip(order, offsets, strict=True)]

    # Pool adjacent violators: blocks of (sum, count) whose means never decrease.
    sums: list[float] = []
    counts: list[int] = []
    for value in wanted:
        sums.append(value)
        counts.append(1)
        while len(sums) > 1 and sums[-2] / counts[-2] > sums[-1] / counts[-1]:
            s, c = sums.pop(), counts.pop()
            sums[-1] += s
            counts[-1] += c
    z: list[float] = []
    for s, c in zip(sums, counts, strict=True):
        z.extend([s / c] * c)

    lo, hi = top, bottom - total
    result = [0.0] * n
    for k, i in enumerate(order):
        zk = lo if hi < lo else min(max(z[k], lo), hi)
        result[i] = zk + offsets[k]
    return result


def piece_heights(
    amounts: Sequence[float], is_segment: Sequence[bool], span: float
) -> list[float]:
    """Pixel heights for the bar's pieces filling `span`, each segment >= MIN_PIECE px."""
    small: set[int] = set()
    while True:
        rest = sum(a for i, a in enumerate(amounts) if i not in small)
        free = span - MIN_PIECE * len(small)
        scale = free / rest if rest > 0 else 0.0
        now_small = {
            i
            for i, a in enumerate(amounts)
            if is_segment[i] and (i in small or a * scale < MIN_PIECE)
        }
        if now_small == small:
            break
        small = now_small
    return [MIN_PIECE if i in small else a * scale for i, a in enumerate(amounts)]


def _label_blocks(label: str, amount_text: str) -> tuple[TextBlock, ...]:
    blocks = (
        fit_block(label, LABEL_SIZES, False, LABEL_COLOUR, TEXT_WIDTH),
        fit_block(amount_text, LABEL_SIZES, True, AMOUNT_COLOUR, TEXT_WIDTH),
    )
    return tuple(b for b in blocks if b is not None)


def layout_chart(chart: BucketChart) -> ChartLayout:
    """Position everything: title, bar pieces, the 415(c) line, labels, footer.

    Zero-amount segments are dropped here, so a chart with and without them is the same.
    The image is WIDTH x MIN_HEIGHT unless the labels need a taller column: then it grows,
    so that text stays >= 28 px and nothing is cut off.
    """
    segments = [s for s in chart.segments if s.amount > 0]
    below = [s for s in segments if s.kind not in ABOVE]
    above = [s for s in segments if s.kind in ABOVE]

    title = fit_block(chart.title, (TITLE_SIZE,), True, TITLE_COLOUR, WIDTH - 2 * MARGIN)
    footer = fit_block(chart.footer, (FOOTER_SIZE,), False, FOOTER_COLOUR, WIDTH - 2 * MARGIN)
    title_y = MARGIN
    area_top = title_y + (title.height + TITLE_GAP if title else 0)
    footer_h = footer.height + FOOTER_GAP if footer else 0

    # Labels, top of the column first: catch-ups (top one first), the line, then the rest.
    # Each names the segment (index into below + above) its leader points at; None: the line.
    stacked = below + above
    items: list[tuple[str, tuple[TextBlock, ...], int | None]] = []
    for i in reversed(range(len(below), len(stacked))):
        items.append((stacked[i].kind, _label_blocks(stacked[i].label, stacked[i].amount_text), i))
    limit_block = fit_block(chart.limit_text, LABEL_SIZES, True, LIMIT_COLOUR, TEXT_WIDTH)
    items.append(("limit", (limit_block,) if limit_block else (), None))
    for i in reversed(range(len(below))):
        items.append((stacked[i].kind, _label_blocks(stacked[i].label, stacked[i].amount_text), i))
    shown = [sum(b.height for b in blocks) for _, blocks, _ in items if blocks]
    needed = sum(shown) + LABEL_GAP * max(len(shown) - 1, 0)

    height = MIN_HEIGHT
    area_bottom = height - MARGIN - footer_h
    if needed > area_bottom - area_top:
        height += needed - (area_bottom - area_top)
        area_bottom = height - MARGIN - footer_h
    bar_top = area_top
    bar_bottom = area_bottom - WALL  # the floor of the bucket sits under the bar

    # Bar pieces bottom to top; unused space below the line when nothing fills it.
    below_sum = sum((s.amount for s in below), Decimal(0))
    entries: list[tuple[str, Decimal, bool]] = [(s.kind, s.amount, True) for s in below]
    if below_sum < chart.limit:
        entries.append(("empty", chart.limit - below_sum, False))
    entries.extend((s.kind, s.amount, True) for s in above)
    px = piece_heights(
        [float(a) for _, a, _ in entries], [seg for _, _, seg in entries], bar_bottom - bar_top
    )
    pieces: list[BarPiece] = []
    seg_pieces: list[BarPiece] = []  # in `below + above` order, for the label anchors
    rim: float | None = None
    cum_amount = Decimal(0)
    cum_px = 0.0
    for (kind, amount, is_seg), h in zip(entries, px, strict=True):
        lower, upper = bar_bottom - cum_px, bar_bottom - cum_px - h
        if rim is None and kind not in ABOVE and cum_amount + amount >= chart.limit:
            rim = lower - float((chart.limit - cum_amount) / amount) * h
        piece = BarPiece(kind, round(upper), round(lower))
        pieces.append(piece)
        if is_seg:
            seg_pieces.append(piece)
        cum_amount += amount
        cum_px += h
    rim_y = round(rim if rim is not None else bar_bottom - cum_px)

    placed = [
        (kind, blocks, rim_y if i is None else (seg_pieces[i].top + seg_pieces[i].bottom) // 2)
        for kind, blocks, i in items
        if blocks
    ]
    tops = layout_labels(
        [anchor - blocks[0].line_height // 2 for _, blocks, anchor in placed],
        [sum(b.height for b in blocks) for _, blocks, _ in placed],
        top=area_top,
        bottom=area_bottom,
        gap=LABEL_GAP,
    )
    labels = tuple(
        LabelBox(
            kind=kind,
            anchor_y=anchor,
            box=(
                COL_X,
                round(y),
                TEXT_X + max(b.width for b in blocks),
                round(y) + sum(b.height for b in blocks),
            ),
            blocks=blocks,
        )
        for (kind, blocks, anchor), y in zip(placed, tops, strict=True)
    )
    return ChartLayout(
        width=WIDTH,
        height=height,
        title=title,
        title_y=title_y,
        footer=footer,
        footer_y=height - MARGIN - (footer.height if footer else 0),
        bar_top=bar_top,
        bar_bottom=bar_bottom,
        rim_y=rim_y,
        pieces=tuple(pieces),
        labels=labels,
    )


# -- drawing ----------------------------------------------------------------------------


def _dashed_rectangle(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    *,
    dash: int,
    space: int,
    width: int,
    fill: RGB,
) -> None:
    """An axis-aligned dashed outline drawn inside `box`."""
    x0, y0, x1, y1 = box
    for a, b, fixed, horizontal in (
        (x0, x1, y0, True),
        (x0, x1, y1 - width, True),
        (y0, y1, x0, False),
        (y0, y1, x1 - width, False),
    ):
        start = a
        while start < b:
            end = min(start + dash, b)
            if horizontal:
                draw.rectangle((start, fixed, end - 1, fixed + width - 1), fill=fill)
            else:
                draw.rectangle((fixed, start, fixed + width - 1, end - 1), fill=fill)
            start = end + space


def _room_tile(width: int, height: int) -> Image.Image:
    """The after-tax room, `width` x `height` px: yellow, orange hatching, dashed outline.

    Drawn at SUPERSAMPLE times the size and reduced, so the slanted hatching is smooth.
    """
    s = SUPERSAMPLE
    w, h = width * s, height * s
    tile = Image.new("RGB", (w, h), KIND_COLOURS["after_tax_room"])
    draw = ImageDraw.Draw(tile)
    for c in range(-h, w + h, 20 * s):
        draw.line(((c, h), (c + h, 0)), fill=ROOM_HATCH, width=4 * s)
    _dashed_rectangle(draw, (0, 0, w, h), dash=12 * s, space=7 * s, width=2 * s, fill=ROOM_OUTLINE)
    return tile.reduce(s)


def _draw_leaders(layout: ChartLayout) -> tuple[Image.Image, tuple[int, int]]:
    """The leader lines, in the strip between the bar and the swatches; with its position.

    Only this strip has slanted lines, so only it is drawn at SUPERSAMPLE times the size
    and reduced (antialiased); everything else is axis-aligned and drawn at full size.
    """
    s = SUPERSAMPLE
    x0, x1 = BAR_X1 + WALL, COL_X - 2
    ys = [v for lb in layout.labels for v in (lb.anchor_y, lb.pointer_y)]
    y0, y1 = min(ys, default=0) - 8, max(ys, default=0) + 8
    strip = Image.new("RGB", ((x1 - x0) * s, (y1 - y0) * s), BACKGROUND)
    draw = ImageDraw.Draw(strip)
    for label in layout.labels:
        is_limit = label.kind == "limit"
        start = (BAR_X1 + WALL + RIM_OVERHANG if is_limit else BAR_X1 + WALL + 2) - x0
        end = COL_X - 3 - x0
        a, p = (label.anchor_y - y0) * s, (label.pointer_y - y0) * s
        points = [(start * s, a), ((start + 8) * s, a), ((end - 9) * s, p), (end * s, p)]
        draw.line(
            points,
            fill=LIMIT_COLOUR if is_limit else LEADER_COLOUR,
            width=(4 if is_limit else 3) * s,
            joint="curve",
        )
    return strip.reduce(s), (x0, y0)


def _draw_bucket(image: Image.Image, draw: ImageDraw.ImageDraw, layout: ChartLayout) -> None:
    """The bar's pieces, the bucket's walls and floor, and the 415(c) line (its rim)."""
    drawn = [p for p in layout.pieces if p.kind != "empty" and p.bottom > p.top]
    for piece in drawn:
        if piece.kind == "after_tax_room":
            image.paste(_room_tile(BAR_X1 - BAR_X0, piece.bottom - piece.top), (BAR_X0, piece.top))
        else:
            box = (BAR_X0, piece.top, BAR_X1 - 1, piece.bottom - 1)
            draw.rectangle(box, fill=KIND_COLOURS[piece.kind])
    # White separators between touching segments, so adjacent colours read as two.
    half = SEPARATOR // 2
    for lower, upper in itertools.pairwise(drawn):
        if lower.top == upper.bottom:
            box = (BAR_X0, lower.top - half, BAR_X1 - 1, lower.top - half + SEPARATOR - 1)
            draw.rectangle(box, fill=BACKGROUND)
    rim, floor = layout.rim_y, layout.bar_bottom
    draw.rectangle((BAR_X0 - WALL, rim, BAR_X0 - 1, floor + WALL - 1), fill=WALL_COLOUR)
    draw.rectangle((BAR_X1, rim, BAR_X1 + WALL - 1, floor + WALL - 1), fill=WALL_COLOUR)
    draw.rectangle((BAR_X0 - WALL, floor, BAR_X1 + WALL - 1, floor + WALL - 1), fill=WALL_COLOUR)
    top = rim - LIMIT_LINE // 2
    box = (
        BAR_X0 - WALL - RIM_OVERHANG,
        top,
        BAR_X1 + WALL + RIM_OVERHANG - 1,
        top + LIMIT_LINE - 1,
    )
    draw.rectangle(box, fill=LIMIT_COLOUR)


def _draw_swatches(image: Image.Image, draw: ImageDraw.ImageDraw, layout: ChartLayout) -> None:
    """A colour square by each label; by the 415(c) label, a short piece of the line."""
    for label in layout.labels:
        mid = label.pointer_y
        if label.kind == "limit":
            top = mid - LIMIT_LINE // 2
            draw.rectangle(
                (COL_X, top, COL_X + SWATCH - 1, top + LIMIT_LINE - 1), fill=LIMIT_COLOUR
            )
        elif label.kind == "after_tax_room":
            image.paste(_room_tile(SWATCH, SWATCH), (COL_X, mid - SWATCH // 2))
        else:
            top = mid - SWATCH // 2
            box = (COL_X, top, COL_X + SWATCH - 1, top + SWATCH - 1)
            draw.rectangle(box, fill=KIND_COLOURS[label.kind])


def draw_block(
    draw: ImageDraw.ImageDraw, block: TextBlock, x: int, y: int, *, centred: bool = False
) -> int:
    """Draw a text block with its top at y, from x (or each line centred on x); return
    the y below it."""
    f = font(block.size, block.bold)
    lh = block.line_height
    # Anchor "lm"/"mm": left or centre, vertical middle of the line box, so mixed sizes
    # line up.
    anchor = "mm" if centred else "lm"
    for line in block.lines:
        draw.text((x, y + lh // 2), line, font=f, fill=block.colour, anchor=anchor)
        y += lh
    return y


def render_bucket_chart(chart: BucketChart) -> bytes:
    """Render the chart as PNG bytes (WIDTH px wide, MIN_HEIGHT px tall or more).

    Deterministic: the same chart gives the same bytes.
    """
    layout = layout_chart(chart)
    image = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    if layout.labels:
        strip, position = _draw_leaders(layout)
        image.paste(strip, position)
    draw = ImageDraw.Draw(image)
    _draw_bucket(image, draw, layout)
    _draw_swatches(image, draw, layout)
    if layout.title:
        draw_block(draw, layout.title, MARGIN, layout.title_y)
    for label in layout.labels:
        y = label.box[1]
        for block in label.blocks:
            y = draw_block(draw, block, TEXT_X, y)
    if layout.footer:
        draw_block(draw, layout.footer, MARGIN, layout.footer_y)
    return encode_png(image)


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(image: Image.Image) -> bytes:
    """An 8-bit RGB PNG: every scanline with filter None, deflated at zlib level 3.

    Pillow's PNG encoder tries all five PNG filters on every row; on this mostly white
    picture that costs more than the drawing. `benchmarks/bench_chart.py` compares them:
    here ~8-17 ms, Pillow ~18-25 ms at compress_level=1 and ~38 ms at its default 6, for
    a file of about the same size (~56 KB) and exactly the same pixels.
    """
    width, height = image.size
    raw = image.tobytes()
    stride = width * 3
    rows = b"".join(b"\x00" + raw[i : i + stride] for i in range(0, len(raw), stride))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows, 3)),
            _png_chunk(b"IEND", b""),
        )
    )
