"""One person's conversation: where it is, the answers so far, the language. JSON in/out.

`Session` is a plain object because it is the transitions model (a pydantic model can't
be one: transitions sets attributes pydantic refuses). The answers are a pydantic model,
so a stored session is validated when it is loaded back.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dialogs.i18n import DEFAULT_LANGUAGE, LANGUAGES

YesNoUnsure = Literal["yes", "no", "unsure"]
Conversion = Literal["in_plan", "in_service", "both", "neither", "unsure"]
FilingChoice = Literal[
    "single", "married_joint", "married_separate", "married_separate_apart", "head_of_household"
]
PayFrequency = Literal["weekly", "biweekly", "semimonthly", "monthly"]
YesNo = Literal["yes", "no"]
Percent = Annotated[Decimal, Field(gt=0, le=100)]
SESSION_VERSION = 1


class MatchFormula(BaseModel):
    """Employer money by formula: `rate`% of deferrals up to `up_to`% of pay (the match),
    optionally then `next_rate`% of the next `next_up_to`% of pay (a second tier, as in
    the safe-harbor "100% of the first 3%, 50% of the next 2%"), plus `nonelective`% of
    pay whatever the person defers (an HR profile's formula)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rate: Decimal = Field(ge=0, le=200)
    up_to: Decimal = Field(ge=0, le=100)
    next_rate: Decimal = Field(default=Decimal(0), ge=0, le=200)
    next_up_to: Decimal = Field(default=Decimal(0), ge=0, le=100)
    nonelective: Decimal = Field(default=Decimal(0), ge=0, le=100)

    @model_validator(mode="after")
    def _something(self) -> MatchFormula:
        if (self.rate == 0) != (self.up_to == 0):
            raise ValueError("a match needs both a rate and a cap")
        if (self.next_rate == 0) != (self.next_up_to == 0) or (self.next_rate and not self.rate):
            raise ValueError("a second tier needs a rate, a width and a first tier")
        if self.up_to + self.next_up_to > 100:
            raise ValueError("the tiers can't cover more than all of pay")
        if self.rate == 0 and self.nonelective == 0:
            raise ValueError("a formula with no match and no nonelective is just $0")
        return self

    @property
    def tiers(self) -> tuple[tuple[Decimal, Decimal], ...]:
        """The match as (rate %, width % of pay) tiers, for rules.tiered_match."""
        tiers = ((self.rate, self.up_to), (self.next_rate, self.next_up_to))
        return tuple(tier for tier in tiers if tier[0])


class Answers(BaseModel):
    """The answers so far, one field per question; None = not answered yet.

    Symbolic answers ("max", "pay") are kept as given and resolved when the Situation
    is built, so an edit to age or pay updates what they mean.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    after_tax: YesNoUnsure | None = None
    conversion: Conversion | None = None
    auto_convert: YesNoUnsure | None = None
    after_tax_cap: Percent | Literal["none"] | None = None  # only from an HR profile
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
    # Not questions: what an HR profile adds.
    pay_frequency: PayFrequency | None = None
    from_plan: bool = False  # the plan answers came from a profile (the cap is asked then)


class PlanAnswers(BaseModel):
    """An HR profile being set up (`/newplan`) or edited: one field per setup question.

    No "not sure" here: a profile states what the plan does. "none" is an answer
    (no cap, no match), unlike None (not answered yet).
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    plan_name: str | None = Field(default=None, min_length=1, max_length=64)
    plan_after_tax: YesNo | None = None
    plan_in_plan: YesNo | None = None
    plan_in_service: YesNo | None = None
    plan_auto: YesNo | None = None
    plan_cap: Percent | Literal["none"] | None = None
    plan_match: MatchFormula | Literal["none"] | None = None
    plan_nonelective: Percent | Literal["none"] | None = None
    plan_frequency: PayFrequency | None = None
    plan_contact: str | None = Field(default=None, min_length=1, max_length=200)


class Profile(BaseModel):
    """An HR plan profile's answers, as they were when this person's check started."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str
    as_of: dt.date  # when the profile was set up or last changed
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
        draft: PlanAnswers | None = None,
        editing: str | None = None,
        paused: dict[str, Any] | None = None,
    ) -> None:
        self.state = state
        self.answers = answers if answers is not None else Answers()
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.lang_chosen = lang_chosen
        self.history = history if history is not None else []
        self.milestones = milestones if milestones is not None else set()
        self.profile = profile
        self.catalog = catalog  # "check", or "newplan" while an HR profile is set up
        self.draft = draft  # the profile being set up
        self.editing = editing  # the code of the profile being edited (None: a new one)
        self.paused = paused  # the check's state and history while a profile is set up

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
                "draft": None
                if self.draft is None
                else self.draft.model_dump(mode="json", exclude_none=True),
                "editing": self.editing,
                "paused": self.paused,
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
        draft = data.get("draft")
        paused = data.get("paused")
        return cls(
            state=str(data["state"]),
            answers=Answers.model_validate(data.get("answers", {})),
            lang=str(data.get("lang", DEFAULT_LANGUAGE)),
            lang_chosen=bool(data.get("lang_chosen", False)),
            history=[str(x) for x in data.get("history", [])],
            milestones={str(x) for x in data.get("milestones", [])},
            profile=None if profile is None else Profile.model_validate(profile),
            catalog=str(data.get("catalog", "check")),
            draft=None if draft is None else PlanAnswers.model_validate(draft),
            editing=None if data.get("editing") is None else str(data["editing"]),
            paused=paused if isinstance(paused, dict) else None,
        )
