"""Replies fit Telegram: text split cleanly under 4096, callback data under 64 bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.replies import MAX_TEXT, Button, split_text


def test_short_text_is_one_piece() -> None:
    assert split_text("hello") == ["hello"]


def test_splits_between_paragraphs() -> None:
    paragraphs = [f"<b>{i}.</b> " + "word " * 150 for i in range(12)]
    text = "\n\n".join(paragraphs)
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(len(p) <= MAX_TEXT for p in pieces)
    assert "\n\n".join(pieces) == text  # nothing lost, nothing cut mid-paragraph
    assert all(p.count("<b>") == p.count("</b>") for p in pieces)


def test_one_huge_paragraph_splits_at_words() -> None:
    pieces = split_text("word " * 2000, limit=100)
    assert all(0 < len(p) <= 100 for p in pieces)
    assert " ".join(p.strip() for p in pieces).split() == ["word"] * 2000


@given(st.text(max_size=3000), st.integers(min_value=20, max_value=500))
def test_every_piece_fits(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(len(p) <= limit for p in pieces)


def test_callback_data_over_64_bytes_is_refused() -> None:
    Button("ok", "v1:" + "a" * 61)
    with pytest.raises(ValueError, match="64 bytes"):
        Button("too long", "v1:" + "ñ" * 31)  # 3 + 62 bytes
