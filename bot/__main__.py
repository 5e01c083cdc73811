"""`python -m bot`: serve Telegram when TELEGRAM_BOT_TOKEN is set, else chat in the terminal."""

from __future__ import annotations

import sys

from pydantic import ValidationError

from bot.config import describe, load


def main() -> int:
    try:
        settings = load()
    except ValidationError as error:
        print(describe(error), file=sys.stderr)
        return 2
    if settings.token is None:
        from bot.console import run

        return run()
    from bot.app import serve

    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
