"""The operator's curated plan profiles: a TOML file named by MEGAROTH_PLANS_FILE.

Read and validated once at start-up; any problem stops the bot with one line naming the
file and the bad entry (see deploy/plans.example.toml for the format).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from dialogs import CuratedPlanError, PlanProfile, curated_profiles


def load_plans_file(path: Path) -> list[PlanProfile]:
    """The file's profiles, marked verified; CuratedPlanError says what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CuratedPlanError(f"{path}: can't read it ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise CuratedPlanError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise CuratedPlanError(f"{path}: not valid TOML ({error})") from None
    return curated_profiles(data, str(path))
