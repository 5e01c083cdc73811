"""HR plan profiles: what one is, where they are kept, and how a check starts from one.

A profile is an HR team's answers to the plan questions, shared as a deep link whose
payload is the profile's code. The code is random (96 bits from `secrets`), never
derived from the plan's name or its creator, so links can't be forged or enumerated.
The dialog reads profiles through `PlanBook`, a small protocol, and never writes them:
an event that saves, deletes or counts one says so with an `Effect` in its outcome, and
the carrier applies it with the session (the bot in its SQLite transaction).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dialogs.parsing import ParseError, parse_match_tiers
from dialogs.session import (
    Answers,
    ElectionStep,
    MatchFormula,
    PayFrequency,
    PlanAnswers,
    Profile,
)

CODE_BYTES = 12  # 96 random bits; token_urlsafe gives 16 characters of A-Z a-z 0-9 _ -
CODE = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what a profile code looks like


_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"'.]+(\.[^@\s<>\"'.]+)+")
_WEB = re.compile(r"https://[^/\s<>\"'.]+(\.[^/\s<>\"'.]+)+(/\S*)?")


def contact_of(text: str) -> str:
    """Where people ask about the plan: an email address or an https:// web address,
    nothing else (a profile's contact is shown to everyone who opens its link)."""
    contact = text.strip()
    if len(contact) > 200 or not (_EMAIL.fullmatch(contact) or _WEB.fullmatch(contact)):
        raise ValueError("must be an email like benefits@acme.com or an https:// address")
    return contact


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def looks_like_code(payload: str) -> bool:
    return CODE.fullmatch(payload) is not None


@dataclass(frozen=True, slots=True)
class PlanProfile:
    """A stored profile. `owner_id` is the creator's Telegram user id (None: curated by
    the operator in the plans file, and `verified`)."""

    code: str
    name: str
    answers: PlanAnswers
    owner_id: int | None
    updated: dt.date
    verified: bool = False
    starts: int = 0


class PlanBook(Protocol):
    """Where profiles are read from."""

    def get_plan(self, code: str) -> PlanProfile | None: ...

    def plans_of(self, owner_id: int) -> list[PlanProfile]: ...


@dataclass(frozen=True, slots=True)
class SavePlan:
    """Insert the profile, or replace the one with its code (keeping its start count)."""

    profile: PlanProfile


@dataclass(frozen=True, slots=True)
class DeletePlan:
    """Delete the profile with this code, if `owner_id` created it."""

    code: str
    owner_id: int


@dataclass(frozen=True, slots=True)
class CountStart:
    """A check started through this profile's link."""

    code: str


Effect = SavePlan | DeletePlan | CountStart


class NoPlans:
    """A PlanBook with nothing in it (a carrier that keeps no profiles)."""

    def get_plan(self, code: str) -> PlanProfile | None:
        return None

    def plans_of(self, owner_id: int) -> list[PlanProfile]:
        return []


def _share_link(code: str) -> str:
    return f"https://t.me/megaroth_bot?start={code}"


@dataclass(frozen=True)
class Services:
    """What the carrier (Telegram or the terminal) lends the dialog for one event."""

    plans: PlanBook = field(default_factory=NoPlans)
    user_id: int | None = None
    may_create_plans: bool = True
    link: Callable[[str], str] = _share_link  # the deep link for a code
    retention_days: int = 30  # how long an idle conversation is kept (for /privacy)
    ephemeral_plans: bool = False  # profiles last only as long as the carrier (the terminal)
    backup_days: int = 14  # how long the operator keeps backups (for /privacy)


def check_answers(plan: PlanAnswers) -> dict[str, Any]:
    """A profile's answers as the check's Answers fields (JSON-ready)."""
    after_tax = plan.plan_after_tax
    in_plan, in_service = plan.plan_in_plan == "yes", plan.plan_in_service == "yes"
    conversion = {
        (True, True): "both",
        (True, False): "in_plan",
        (False, True): "in_service",
        (False, False): "neither",
    }[(in_plan, in_service)]
    match = plan.plan_match
    nonelective = plan.plan_nonelective
    employer: Decimal | MatchFormula = Decimal(0)  # neither a match nor a nonelective
    nonelective_percent = nonelective if isinstance(nonelective, Decimal) else Decimal(0)
    if isinstance(match, MatchFormula):
        employer = match.model_copy(update={"nonelective": nonelective_percent})
    elif nonelective_percent:
        employer = MatchFormula(rate=Decimal(0), up_to=Decimal(0), nonelective=nonelective_percent)
    answers = Answers(
        after_tax=after_tax,
        conversion=conversion if after_tax == "yes" else None,
        auto_convert=plan.plan_auto if after_tax == "yes" and in_plan else None,
        after_tax_cap=plan.plan_cap if after_tax == "yes" else None,
        employer=employer,
        true_up=plan.plan_true_up if isinstance(match, MatchFormula) else None,
        pay_frequency=plan.plan_frequency,
        election_step=plan.plan_step,
        from_plan=True,
    )
    return answers.model_dump(mode="json", exclude_none=True)


def snapshot(profile: PlanProfile) -> Profile:
    """What a person's session keeps of a profile: its values as of this start."""
    return Profile(
        code=profile.code,
        name=profile.name,
        as_of=profile.updated,
        verified=profile.verified,
        contact=profile.answers.plan_contact or "",
        answers=check_answers(profile.answers),
    )


STEP_VALUES: dict[Decimal, ElectionStep] = {
    Decimal(step): step for step in get_args(ElectionStep)
}  # 1.0 and 1 are one step

PLAN_ANSWER_FIELDS = (  # the check's answers a profile gives
    "after_tax",
    "conversion",
    "auto_convert",
    "after_tax_cap",
    "employer",
    "true_up",
    "pay_frequency",
    "election_step",
)


def with_profile(answers: Answers, profile: Profile | None) -> Answers:
    """The person's own answers with the plan's on top (or without any plan's)."""
    own = answers.model_dump(mode="json", exclude_none=True)
    for name in (*PLAN_ANSWER_FIELDS, "from_plan"):
        own.pop(name, None)
    if profile is not None:
        own.update(profile.answers)
    return Answers.model_validate(own)


# ---------------------------------------------------------------- curated profiles


class CuratedPlanError(ValueError):
    """A curated profiles file that can't be used; the message names the entry."""


class CuratedPlan(BaseModel):
    """One `[plans.<key>]` entry of an operator's plans file (TOML)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=CODE.pattern)
    name: str = Field(min_length=1, max_length=64)
    after_tax: bool
    in_plan_conversion: bool = False
    in_service_withdrawal: bool = False
    automatic_conversion: bool = False
    after_tax_cap_percent: Decimal | None = Field(default=None, gt=0, le=100)
    match: str | None = None  # a formula as people write it: "50% of the first 6%"
    nonelective_percent: Decimal | None = Field(default=None, gt=0, le=100)
    pay_frequency: PayFrequency
    match_true_up: bool | None = None  # None: not stated; people are asked
    election_step_percent: Decimal = Decimal(1)  # 1, 0.5, 0.1 or 0.01
    contact: str = Field(min_length=1, max_length=200)
    updated: dt.date

    @field_validator("contact")
    @classmethod
    def _reachable(cls, value: str) -> str:
        return contact_of(value)

    @field_validator("election_step_percent")
    @classmethod
    def _a_step(cls, value: Decimal) -> Decimal:
        if value not in STEP_VALUES:
            raise ValueError("must be 1, 0.5, 0.1 or 0.01 (percent of pay)")
        return value

    @field_validator(
        "after_tax_cap_percent", "nonelective_percent", "election_step_percent", mode="before"
    )
    @classmethod
    def _no_floats(cls, value: object) -> object:
        """TOML 2.5 is a float; read it through its text so 2.5 stays exactly 2.5."""
        return str(value) if isinstance(value, float) else value

    @field_validator("match")
    @classmethod
    def _formula(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_match_tiers(value, "en")
            except ParseError:
                raise ValueError(
                    'must be a formula like "50% of the first 6%" or "100% of the first 3% '
                    'and 50% of the next 2%"'
                ) from None
        return value

    def profile(self) -> PlanProfile:
        match: MatchFormula | Literal["none"] = "none"
        if self.match is not None:
            match = MatchFormula.from_tiers(parse_match_tiers(self.match, "en"))
        answers = PlanAnswers(
            plan_name=self.name,
            plan_after_tax="yes" if self.after_tax else "no",
            plan_in_plan="yes" if self.in_plan_conversion else "no",
            plan_in_service="yes" if self.in_service_withdrawal else "no",
            plan_auto="yes" if self.automatic_conversion and self.in_plan_conversion else "no",
            plan_cap=self.after_tax_cap_percent or "none",
            plan_match=match,
            plan_nonelective=self.nonelective_percent or "none",
            plan_true_up=None
            if self.match_true_up is None or self.match is None
            else "yes"
            if self.match_true_up
            else "no",
            plan_frequency=self.pay_frequency,
            plan_step=STEP_VALUES[self.election_step_percent],
            plan_contact=self.contact,
        )
        return PlanProfile(
            code=self.code,
            name=self.name,
            answers=answers,
            owner_id=None,
            updated=self.updated,
            verified=True,
        )


def curated_profiles(data: dict[str, Any], source: str) -> list[PlanProfile]:
    """The profiles of a parsed plans file; CuratedPlanError names the first bad entry."""
    unknown = set(data) - {"plans"}
    if unknown:
        raise CuratedPlanError(
            f"{source}: unknown table {sorted(unknown)[0]!r}; use [plans.<key>]"
        )
    entries = data.get("plans", {})
    if not isinstance(entries, dict):
        raise CuratedPlanError(f"{source}: 'plans' must be a table of [plans.<key>] entries")
    profiles: list[PlanProfile] = []
    seen: dict[str, str] = {}
    for key, entry in entries.items():
        if not isinstance(entry, dict):
            raise CuratedPlanError(f"{source}: plans.{key} must be a table")
        try:
            plan = CuratedPlan.model_validate(entry)
        except ValidationError as error:
            problem = error.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "entry"
            message = str(problem["msg"]).removeprefix("Value error, ")
            raise CuratedPlanError(f"{source}: plans.{key}: {where}: {message}") from None
        if plan.code in seen:
            raise CuratedPlanError(
                f"{source}: plans.{key}: code is already used by plans.{seen[plan.code]}"
            )
        seen[plan.code] = key
        profiles.append(plan.profile())
    return profiles
