"""The terminal chat: `python -m bot` without a token, driven by piped input."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_TIMEZONE, Settings, today_in
from bot.console import parse_line, plain, run
from dialogs.replies import Button, Choice, Command, Typed
from tests.conversations import Walk, assert_plans_paychecks, check_answers, lines_of, walk

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


def typed_lines(conversation: Walk) -> list[str]:
    """What to type at the terminal for each answer of a walk: the tapped button's number,
    or its letter at a question answered with a number; else the answer as typed."""
    lines = []
    for step in conversation.steps:
        if isinstance(step.event, Choice):
            buttons = [b.data for row in step.asked.buttons for b in row]
            index = buttons.index(step.event.data)
            lines.append("abcdefghij"[index] if step.asked.takes_number else str(index + 1))
        else:
            assert isinstance(step.event, Typed)
            lines.append(step.event.text)
    return lines


def test_whole_conversation_piped(tmp_path: Path) -> None:
    """The e2e check, piped. Which questions are asked follows the day (the paychecks
    left), so the script is worked out for today from the dialog by question, and the
    result must be the dialog's for those answers; run again if the day turned meanwhile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "MEGAROTH_"))}
    env.update(
        MEGAROTH_CHART_DIR=str(tmp_path), MEGAROTH_TIMEZONE=DEFAULT_TIMEZONE, LANG="en_US.UTF-8"
    )
    for _ in range(2):
        day = today_in(DEFAULT_TIMEZONE)
        conversation = walk(check_answers(day.year), day)
        script = typed_lines(conversation)
        done = subprocess.run(
            [sys.executable, "-m", "bot"],
            input="\n".join(script) + "\n",
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=60,
        )
        if today_in(DEFAULT_TIMEZONE) == day:
            break
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "a" in script  # a letter picked a button at a question answered with a number
    assert "[1] Yes   [2] No   [3] Not sure" in out
    printed = set(out.splitlines())
    said = [reply.text for outcome in conversation.outcomes for reply in outcome.replies]
    for text in said:  # every reply (the terminal shows no edits), as it prints them
        for line in plain(text).splitlines():
            assert line in printed, line
    assert_plans_paychecks(conversation)
    assert any(line.startswith("So far: $") for line in lines_of(said))  # the room, early
    assert "IRS Notice 2025-67 (https://www.irs.gov/pub/irs-drop/n-25-67.pdf)" in out
    assert (tmp_path / "megaroth-chart-1.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "megaroth-plan-2.png").read_bytes().startswith(b"\x89PNG")
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
    # The name; no after-tax money (2); no match (1); a 1% nonelective contribution (typed:
    # a percent); paid weekly (1); elections in whole percents (1, the new question); the
    # contact.
    script = "\n".join(["/newplan", "Acme", "2", "1", "1", "1", "1", "benefits@acme.example", ""])
    out = _Watch()
    run(io.StringIO(script), out, settings=Settings(_env_file=None, bot_username="acme_bot"))
    [(folder, mode)] = out.folders  # the QR code
    assert mode == 0o700
    assert not folder.exists()
