"""Plan profiles in memory, for the terminal chat (and tests): gone when it ends.

The same writes as the SQLite store (`save_plan`, `delete_plan`, `count_start`), and
`apply`, which carries out a dialog outcome's effects at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from dialogs import CountStart, DeletePlan, Effect, PlanProfile, SavePlan


@dataclass
class MemoryPlanBook:
    """Profiles in a dict."""

    plans: dict[str, PlanProfile] = field(default_factory=dict)

    def get_plan(self, code: str) -> PlanProfile | None:
        return self.plans.get(code)

    def plans_of(self, owner_id: int) -> list[PlanProfile]:
        mine = [p for p in self.plans.values() if p.owner_id == owner_id]
        return sorted(mine, key=lambda p: (p.name.lower(), p.code))

    def save_plan(self, profile: PlanProfile) -> None:
        """Insert, or replace the profile with this code (keeping its start count)."""
        old = self.plans.get(profile.code)
        self.plans[profile.code] = replace(profile, starts=old.starts if old else 0)

    def delete_plan(self, code: str, owner_id: int) -> bool:
        profile = self.plans.get(code)
        if profile is None or profile.owner_id != owner_id:
            return False
        del self.plans[code]
        return True

    def count_start(self, code: str) -> None:
        profile = self.plans.get(code)
        if profile is not None:
            self.plans[code] = replace(profile, starts=profile.starts + 1)

    def apply(self, effects: Iterable[Effect]) -> None:
        """Carry out a dialog outcome's storage effects, in order."""
        for effect in effects:
            if isinstance(effect, SavePlan):
                self.save_plan(effect.profile)
            elif isinstance(effect, DeletePlan):
                self.delete_plan(effect.code, effect.owner_id)
            elif isinstance(effect, CountStart):
                self.count_start(effect.code)
