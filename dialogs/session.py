"""One person's conversation: where it is, the answers so far, the language. JSON in/out.

`Session` is a plain object because it is the transitions model (a pydantic model can't
be one: transitions sets attributes pydantic refuses). The answers are a pydantic model,
so a stored session is validated when it is loaded back.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dialogs.i18n import DEFAULT_LANGUAGE, LANGUAGES

YesNoUnsure = Literal["yes", "no", "unsure"]
Conversion = Literal["in_plan", "in_service", "both", "neither", "unsure"]
FilingChoice = Literal[
    "single", "married_joint", "married_separate", "married_separate_apart", "head_of_household"
]
SESSION_VERSION = 1


class MatchFormula(BaseModel):
    """An employer match: `rate`% of deferrals up to `up_to`% of pay."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate: Decimal = Field(gt=0, le=200)
    up_to: Decimal = Field(gt=0, le=100)


class Answers(BaseModel):
    """The answers so far, one field per question; None = not answered yet.

    Symbolic answers ("max", "pay") are kept as given and resolved when the Situation
    is built, so an edit to age or pay updates what they mean.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    after_tax: YesNoUnsure | None = None
    conversion: Conversion | None = None
    auto_convert: YesNoUnsure | None = None
    after_tax_cap: Decimal | None = Field(default=None, gt=0, le=100)
    tax_year: int | None = None
    age: int | None = Field(default=None, ge=18, le=120)
    pay: Decimal | None = Field(default=None, ge=0)
    deferrals: Decimal | Literal["max"] | None = None
    employer: Decimal | MatchFormula | None = None
    after_tax_in: Decimal | None = Field(default=None, ge=0)
    paychecks: int | None = Field(default=None, ge=1, le=53)
    balance: Decimal | None = Field(default=None, ge=0)
    earnings: Decimal | None = Field(default=None, ge=0)
    filing_status: FilingChoice | None = None
    magi: Decimal | Literal["pay"] | None = None
    ira_balance: Decimal | None = Field(default=None, ge=0)
    prior_pay: Decimal | Literal["pay"] | None = None
    tax_rate: Decimal | Literal["skip"] | None = None


class Profile(BaseModel):
    """An HR plan profile's answers, as they were when this person's check started."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str
    created: dt.date
    verified: bool = False
    contact: str = ""
    answers: dict[str, Any] = Field(default_factory=dict)


class Session:
    """The transitions model for one chat: bound to the shared machine for one event."""

    state: str

    def __init__(
        self,
        state: str,
        answers: Answers | None = None,
        lang: str = DEFAULT_LANGUAGE,
        lang_chosen: bool = False,
        history: list[str] | None = None,
        milestones: set[str] | None = None,
        profile: Profile | None = None,
        catalog: str = "check",
    ) -> None:
        self.state = state
        self.answers = answers if answers is not None else Answers()
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.lang_chosen = lang_chosen
        self.history = history if history is not None else []
        self.milestones = milestones if milestones is not None else set()
        self.profile = profile
        self.catalog = catalog

    def to_json(self) -> str:
        """Everything needed to resume exactly here, as JSON (Decimals as strings)."""
        return json.dumps(
            {
                "v": SESSION_VERSION,
                "state": self.state,
                "answers": self.answers.model_dump(mode="json", exclude_none=True),
                "lang": self.lang,
                "lang_chosen": self.lang_chosen,
                "history": self.history,
                "milestones": sorted(self.milestones),
                "profile": None if self.profile is None else self.profile.model_dump(mode="json"),
                "catalog": self.catalog,
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Session:
        """Load a stored session; raises ValueError if it is not one we wrote."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("v") != SESSION_VERSION:
            raise ValueError("not a megaroth session of a known version")
        profile = data.get("profile")
        return cls(
            state=str(data["state"]),
            answers=Answers.model_validate(data.get("answers", {})),
            lang=str(data.get("lang", DEFAULT_LANGUAGE)),
            lang_chosen=bool(data.get("lang_chosen", False)),
            history=[str(x) for x in data.get("history", [])],
            milestones={str(x) for x in data.get("milestones", [])},
            profile=None if profile is None else Profile.model_validate(profile),
            catalog=str(data.get("catalog", "check")),
        )
