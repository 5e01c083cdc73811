"""`python -m bot`: serve Telegram when TELEGRAM_BOT_TOKEN is set, else chat in the terminal.

Operator commands, reading the same settings:
    python -m bot health        exit 0 if the bot is really polling/serving (heartbeat)
    python -m bot stats         aggregate counts as JSON, nothing about any one person
    python -m bot backup DEST   a consistent copy of the live database
    python -m bot prune         run the retention job once
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.config import Settings, describe, load
from bot.curated import load_plans_file
from dialogs import CuratedPlanError, PlanProfile


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("health", help="exit 0 if the bot is polling or serving")
    commands.add_parser("stats", help="aggregate counts as JSON")
    backup = commands.add_parser("backup", help="copy the live database consistently")
    backup.add_argument("destination", type=Path)
    commands.add_parser("prune", help="delete conversations idle past the retention period")
    return parser.parse_args(argv)


def _operate(command: str, settings: Settings, destination: Path | None) -> int:
    from bot.ops import check_health
    from bot.sqlite_store import open_store
    from bot.store import StoreError

    if command == "health":
        healthy, why = check_health(settings.heartbeat_file)
        print(why)
        return 0 if healthy else 1
    if not settings.db.exists():
        print(f"no database at {settings.db} (MEGAROTH_DB)", file=sys.stderr)
        return 1
    try:
        store = open_store(settings.db)
    except StoreError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        if command == "stats":
            print(json.dumps(store.stats(), indent=2, sort_keys=True))
        elif command == "backup":
            assert destination is not None
            if destination.exists():
                print(f"{destination} exists; choose a new file", file=sys.stderr)
                return 1
            try:
                store.backup(destination)
            except (OSError, sqlite3.Error) as error:
                print(f"can't write {destination}: {error}", file=sys.stderr)
                return 1
            print(f"backed up {settings.db} to {destination}")
        else:
            gone = store.prune(settings.retention_days)
            print(f"deleted {gone} conversations idle for over {settings.retention_days} days")
    finally:
        store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    try:
        settings = load()
    except ValidationError as error:
        print(describe(error), file=sys.stderr)
        return 2
    if arguments.command is not None:
        return _operate(arguments.command, settings, getattr(arguments, "destination", None))
    curated: list[PlanProfile] = []
    if settings.plans_file is not None:
        try:
            curated = load_plans_file(settings.plans_file)
        except CuratedPlanError as error:
            print(f"configuration error: MEGAROTH_PLANS_FILE {error}", file=sys.stderr)
            return 2
    if settings.token is None:
        from bot.console import run

        return run(curated=curated, settings=settings)
    from bot.runner import serve

    return serve(settings, curated)


if __name__ == "__main__":
    sys.exit(main())
