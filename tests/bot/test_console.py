"""The terminal chat: `python -m bot` without a token, driven by piped input."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.console import parse_line, plain, run
from dialogs.replies import Button, Choice, Command, Typed

ROOT = Path(__file__).resolve().parents[2]


def test_plain_text_keeps_link_addresses_and_unescapes() -> None:
    assert plain('<b>A &amp; B</b> <a href="https://x.org/a">src</a>') == (
        "A & B src (https://x.org/a)"
    )


def test_lines_become_events() -> None:
    buttons = [Button("Yes", "v1:a:after_tax:yes"), Button("No", "v1:a:after_tax:no")]
    assert parse_line("2", buttons) == Choice("v1:a:after_tax:no")
    assert parse_line("3", buttons) == Typed("3")  # not a button: an answer
    assert parse_line("/limits 2025", buttons) == Command("limits", ("2025",))
    assert parse_line("  ", buttons) is None
    assert parse_line("150k", buttons) == Typed("150k")


def test_at_a_question_answered_with_a_number_letters_pick_the_buttons() -> None:
    """'2' at the paychecks question means 2 paychecks, never the second button."""
    buttons = [Button("3 (biweekly pay, from today)", "v1:a:paychecks:3")]
    assert parse_line("2", buttons, letters=True) == Typed("2")
    assert parse_line("a", buttons, letters=True) == Choice("v1:a:paychecks:3")
    assert parse_line("A", buttons, letters=True) == Choice("v1:a:paychecks:3")
    assert parse_line("b", buttons, letters=True) == Typed("b")


def test_whole_conversation_piped(tmp_path: Path) -> None:
    script = "\n".join(
        ["1", "1", "2", "a", "35", "200k", "a", "a", "50% of the first 6%", "a", "24",
         "a", "1", "a", "a", "a"]
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MEGAROTH_"))}
    env.update(MEGAROTH_CHART_DIR=str(tmp_path), LANG="en_US.UTF-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        input=script + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "[1] Yes   [2] No   [3] Not sure" in out
    assert "So far: $41,500 of after-tax room in 2026, about $1,729 a paycheck." in out
    assert "Contribute $41,500 after-tax this year ($1,729 a paycheck)" in out
    assert "IRS Notice 2025-67 (https://www.irs.gov/pub/irs-drop/n-25-67.pdf)" in out
    assert (tmp_path / "megaroth-chart-1.png").read_bytes().startswith(b"\x89PNG")
    assert "Bye!" in out
    assert "Traceback" not in done.stderr


def test_end_of_input_right_away_exits_cleanly(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run(io.StringIO(""), out) == 0
    assert "Does your 401(k) plan accept after-tax contributions?" in out.getvalue()
    assert "Bye!" in out.getvalue()


def test_spanish_from_lang(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LANG", "es_US.UTF-8")
    monkeypatch.setenv("MEGAROTH_CHART_DIR", str(tmp_path))
    out = io.StringIO()
    run(io.StringIO("1\n"), out)
    assert "Sí" in out.getvalue()


class _Watch(io.StringIO):
    """stdout that checks each chart's folder the moment its path is printed."""

    def __init__(self) -> None:
        super().__init__()
        self.folders: list[tuple[Path, int]] = []

    def write(self, text: str) -> int:
        for path in re.findall(r"saved to (\S+\.png)", text):
            folder = Path(path).parent
            self.folders.append((folder, folder.stat().st_mode & 0o777))
        return super().write(text)


def test_charts_go_to_a_private_folder_removed_at_the_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    script = "\n".join(["/newplan", "Acme", "2", "1", "1", "1", "benefits@acme.example", ""])
    out = _Watch()
    run(io.StringIO(script), out, settings=Settings(_env_file=None, bot_username="acme_bot"))
    [(folder, mode)] = out.folders  # the QR code
    assert mode == 0o700
    assert not folder.exists()
