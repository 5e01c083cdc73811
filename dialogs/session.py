"""One person's conversation: where it is, the answers so far, the language. JSON in/out.

`Session` is a pydantic model, so a stored session is validated when it is loaded back.
Its stored form carries a version (`v`); a session stored by an older version is
migrated on load (`_migrate_v1`), so nobody loses their place across an upgrade.
Where the conversation stands changes only through the dialog's state machine
(dialogs/machine.py).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dialogs.i18n import DEFAULT_LANGUAGE, LANGUAGES

YesNoUnsure = Literal["yes", "no", "unsure"]
Conversion = Literal["in_plan", "in_service", "both", "neither", "unsure"]
FilingChoice = Literal[
    "single", "married_joint", "married_separate", "married_separate_apart", "head_of_household"
]
PayFrequency = Literal["weekly", "biweekly", "semimonthly", "monthly"]
YesNo = Literal["yes", "no"]
Percent = Annotated[Decimal, Field(gt=0, le=100)]
ElectionStep = Literal["1", "0.5", "0.1", "0.01"]  # percent of pay payroll takes in steps of
SESSION_VERSION: Literal[2] = 2
FIRST_QUESTION = "after_tax"  # where a check starts (the check catalog's first question)
REVIEW = "review"  # the setup's overview of a profile's answers


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

    @classmethod
    def from_tiers(cls, tiers: tuple[tuple[Decimal, Decimal], ...]) -> MatchFormula:
        """A parsed match of one or two `(rate %, width %)` tiers."""
        (rate, up_to), *rest = tiers
        next_rate, next_up_to = rest[0] if rest else (Decimal(0), Decimal(0))
        return cls(rate=rate, up_to=up_to, next_rate=next_rate, next_up_to=next_up_to)

    @property
    def tiers(self) -> tuple[tuple[Decimal, Decimal], ...]:
        """The match as (rate %, width % of pay) tiers, for rules.tiered_match."""
        tiers = ((self.rate, self.up_to), (self.next_rate, self.next_up_to))
        return tuple(tier for tier in tiers if tier[0])


class Born(BaseModel):
    """An age given as a birth year: the age follows the tax year planned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int = Field(ge=1880, le=2100)


class Answers(BaseModel):
    """The answers so far, one field per question; None = not answered yet.

    Symbolic answers ("max", "pay") are kept as given and resolved when the Situation
    is built, so an edit to age or pay updates what they mean.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    after_tax: YesNoUnsure | None = None
    conversion: Conversion | None = None
    auto_convert: YesNoUnsure | None = None
    after_tax_cap: Percent | Literal["none", "unsure"] | None = None
    tax_year: int | None = None
    age: Annotated[int, Field(ge=18, le=120)] | Born | None = None
    pay: Decimal | None = Field(default=None, ge=0)
    pay_frequency: PayFrequency | None = None
    paychecks: int | None = Field(default=None, ge=0, le=53)
    deferrals: Decimal | Literal["max"] | None = None
    deferrals_so_far: Annotated[Decimal, Field(ge=0)] | Literal["unsure"] | None = None
    other_deferrals: Decimal | None = Field(default=None, ge=0)  # at other employers
    employer: Decimal | MatchFormula | None = None
    true_up: YesNoUnsure | None = None
    match_limit: Literal["spread", "stops", "unsure"] | None = None  # above 401(a)(17)
    after_tax_in: Decimal | None = Field(default=None, ge=0)
    balance: Decimal | None = Field(default=None, ge=0)
    earnings: Decimal | None = Field(default=None, ge=0)
    filing_status: FilingChoice | None = None
    magi: Decimal | Literal["pay"] | None = None
    roth_part: Annotated[Decimal, Field(ge=0)] | Literal["all"] | None = None
    spouse_pay: Decimal | None = Field(default=None, ge=0)
    ira_balance: Decimal | None = Field(default=None, ge=0)
    ira_basis: Decimal | None = Field(default=None, ge=0)
    prior_pay: Decimal | Literal["pay"] | None = None
    tax_rate: Decimal | Literal["skip"] | None = None
    # Not questions: what an HR profile adds, and the day of the event being handled.
    election_step: ElectionStep | None = None  # None: whole percents
    from_plan: bool = False  # the plan answers came from a profile
    today: dt.date | None = Field(default=None, exclude=True)  # set per turn, never stored


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
    plan_true_up: YesNo | None = None
    plan_nonelective: Percent | Literal["none"] | None = None
    plan_frequency: PayFrequency | None = None
    plan_step: ElectionStep | None = None
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


class Place(BaseModel):
    """Where a flow stands: its state, and the questions asked on the way (for Back)."""

    model_config = ConfigDict(extra="forbid")

    state: str
    history: list[str] = Field(default_factory=list)


class Setup(BaseModel):
    """An HR plan profile being set up or edited, and where the check was meanwhile."""

    model_config = ConfigDict(extra="forbid")

    draft: PlanAnswers = Field(default_factory=PlanAnswers)
    editing: str | None = None  # the code of the profile being edited (None: a new one)
    paused: Place  # the person's own check, resumed when the setup ends


class Session(BaseModel):
    """One person's conversation. `state` and `history` belong to the flow under way:
    the check, or the HR setup while `setup` is set."""

    model_config = ConfigDict(extra="forbid")

    v: Literal[2] = SESSION_VERSION
    state: str = FIRST_QUESTION
    history: list[str] = Field(default_factory=list)
    answers: Answers = Field(default_factory=Answers)
    lang: str = DEFAULT_LANGUAGE
    lang_chosen: bool = False
    milestones: set[str] = Field(default_factory=set)
    profile: Profile | None = None
    setup: Setup | None = None

    @field_validator("lang", mode="before")
    @classmethod
    def _spoken(cls, lang: object) -> object:
        return lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("v") == 1:
            return _migrate_v1(data)
        return data

    def to_json(self) -> str:
        """Everything needed to resume exactly here, as JSON (Decimals as strings)."""
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Session:
        """Load a stored session; raises ValueError if it is not one we wrote."""
        data = json.loads(text)
        if not isinstance(data, dict) or "v" not in data:
            raise ValueError("not a megaroth session")
        return cls.model_validate(data)  # pydantic's ValidationError is a ValueError


def _migrate_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A session stored by version 1: the setup's fields lived beside the check's, with
    a `catalog` string and an untyped `paused` dict; the setup's review state was "done"."""
    known = ("state", "history", "answers", "lang", "lang_chosen", "milestones", "profile")
    migrated: dict[str, Any] = {key: data[key] for key in known if data.get(key) is not None}
    migrated["v"] = SESSION_VERSION
    if data.get("catalog") == "newplan":
        paused = data["paused"] if isinstance(data.get("paused"), dict) else {}
        migrated["setup"] = {
            "draft": data.get("draft") or {},
            "editing": data.get("editing"),
            "paused": {
                "state": paused.get("state") or FIRST_QUESTION,
                "history": paused.get("history") or [],
            },
        }
        if migrated.get("state") == "done":
            migrated["state"] = REVIEW
    return migrated
