"""`python -m bot`: serve Telegram when TELEGRAM_BOT_TOKEN is set, else chat in the terminal."""

from __future__ import annotations

import sys

from pydantic import ValidationError

from bot.config import describe, load
from bot.curated import load_plans_file
from dialogs.plans import CuratedPlanError, PlanProfile


def main() -> int:
    try:
        settings = load()
    except ValidationError as error:
        print(describe(error), file=sys.stderr)
        return 2
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
    from bot.app import serve

    return serve(settings, curated)


if __name__ == "__main__":
    sys.exit(main())
