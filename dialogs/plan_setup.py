"""`/newplan` and `/myplans`: an HR team sets up its plan once and shares a link.

The setup is a second question catalog on the same engine as the check: its answers go
in `session.draft`, and the check's place is kept in `session.paused` meanwhile, so
someone can set up a profile halfway through their own check and come back to it.
Only a profile's creator can edit or delete it (the PlanBook checks the owner too).
"""

from __future__ import annotations

import datetime as dt
from html import escape

from pydantic import BaseModel, ValidationError

from dialogs.catalog import Kind, Option, Question
from dialogs.engine import Invalid, answer_label, option_rows, parse_answer, tapped_value
from dialogs.i18n import N_, Text
from dialogs.machine import DONE, Dialog
from dialogs.plans import PlanProfile, Services, looks_like_code, new_code
from dialogs.replies import (
    MAX_CALLBACK_ANSWER,
    Button,
    Command,
    Event,
    Outcome,
    Reply,
    callback,
)
from dialogs.replies import Text as Typed
from dialogs.session import PlanAnswers, Session

YES_NO = (Option("yes", N_("Yes")), Option("no", N_("No")))
FREQUENCIES = {
    "weekly": N_("Weekly (52 a year)"),
    "biweekly": N_("Every two weeks (26)"),
    "semimonthly": N_("Twice a month (24)"),
    "monthly": N_("Monthly (12)"),
}


def no_after_tax(p: PlanAnswers) -> bool:
    """No after-tax money: nothing to convert, cap or withdraw."""
    return p.plan_after_tax == "no"


def no_in_plan(p: PlanAnswers) -> bool:
    """Automatic conversion is a kind of in-plan conversion."""
    return p.plan_after_tax == "no" or p.plan_in_plan == "no"


SETUP: tuple[Question, ...] = (
    Question(
        "plan_name",
        Kind.text,
        N_(
            "Let's set up your plan, so your people skip the plan questions. First: what "
            "is the plan called, as your people know it? For example <i>Acme 401(k)</i>."
        ),
        N_("Type the plan's name in up to 64 characters, like Acme 401(k)."),
        N_("Plan name"),
        extra={"max_length": 64},
    ),
    Question(
        "plan_after_tax",
        Kind.yes_no,
        N_(
            "Does the plan accept <b>after-tax</b> contributions (not Roth: money on top "
            "of the regular deferral limit)?"
        ),
        N_("Tap Yes or No."),
        N_("After-tax contributions"),
        YES_NO,
    ),
    Question(
        "plan_in_plan",
        Kind.yes_no,
        N_("Does the plan allow <b>in-plan Roth conversion</b> of after-tax money?"),
        N_("Tap Yes or No."),
        N_("In-plan Roth conversion"),
        YES_NO,
        skip=no_after_tax,
    ),
    Question(
        "plan_in_service",
        Kind.yes_no,
        N_(
            "Does the plan allow <b>in-service withdrawals</b> of after-tax money, so "
            "people still employed can roll it to a Roth IRA?"
        ),
        N_("Tap Yes or No."),
        N_("In-service withdrawal of after-tax"),
        YES_NO,
        skip=no_after_tax,
    ),
    Question(
        "plan_auto",
        Kind.yes_no,
        N_(
            "Can the plan convert after-tax contributions to Roth <b>automatically</b>, "
            "as each paycheck comes in?"
        ),
        N_("Tap Yes or No."),
        N_("Automatic conversion"),
        YES_NO,
        skip=no_in_plan,
    ),
    Question(
        "plan_cap",
        Kind.percent,
        N_("Does the plan cap after-tax contributions at a percent of pay?"),
        N_("Type a percent of pay, like 15%, or tap No cap."),
        N_("After-tax cap"),
        (Option("none", N_("No cap")),),
        skip=no_after_tax,
    ),
    Question(
        "plan_match",
        Kind.match,
        N_(
            "What is the employer <b>match</b>? Type the formula, like <i>50% of the first "
            "6%</i> or <i>100% of the first 3% and 50% of the next 2%</i>."
        ),
        N_(
            "Type a formula like 50% of the first 6%, or 100% of the first 3% and 50% of the "
            "next 2%, or tap No match."
        ),
        N_("Employer match"),
        (Option("none", N_("No match")),),
    ),
    Question(
        "plan_nonelective",
        Kind.percent,
        N_(
            "Does the employer also put in a <b>nonelective</b> or profit-sharing "
            "contribution: a percent of pay, whatever people defer?"
        ),
        N_("Type a percent of pay, like 3%, or tap None."),
        N_("Nonelective contribution"),
        (Option("none", N_("None")),),
    ),
    Question(
        "plan_frequency",
        Kind.choice,
        N_("How often are people paid?"),
        N_("Tap one of the buttons."),
        N_("Pay frequency"),
        tuple(Option(value, label) for value, label in FREQUENCIES.items()),
    ),
    Question(
        "plan_contact",
        Kind.text,
        N_(
            "Last one: where should people go with questions about the plan? An email or "
            "an intranet page, like <i>benefits@acme.com</i>."
        ),
        N_("Type an email or a web address, in up to 200 characters."),
        N_("Questions to"),
        extra={"max_length": 200},
    ),
)


def draft_of(session: Session) -> BaseModel:
    if session.draft is None:
        session.draft = PlanAnswers()
    return session.draft


SETUP_DIALOG = Dialog(SETUP, answers_of=draft_of)
SETUP_QUESTIONS = SETUP_DIALOG.by_id


# ---------------------------------------------------------------- entering and leaving


def begin(session: Session, services: Services, editing: PlanProfile | None = None) -> Outcome:
    """Start setting up a profile (or editing one), keeping the check's place."""
    t = Text(session.lang)
    if editing is None and not services.may_create_plans:
        return Outcome(
            replies=[
                Reply(
                    text=t(
                        "Setting up plan profiles is limited to people this bot's operator "
                        "has allowed. If you run benefits for your company, ask them."
                    )
                )
            ]
        )
    notes = ""
    if session.catalog != "newplan":
        session.paused = {"state": session.state, "history": session.history}
    elif session.draft is not None and session.draft.model_dump(exclude_none=True):
        notes = t("The plan you were setting up was not saved.") + "\n\n"
    session.catalog = "newplan"
    session.history = []
    session.draft = PlanAnswers() if editing is None else editing.answers.model_copy()
    session.editing = None if editing is None else editing.code
    if editing is not None:
        session.state = DONE
        return Outcome(replies=[review(session, notes)])
    session.state = SETUP_DIALOG.first
    return Outcome(replies=[ask(session, notes)])


def leave(session: Session) -> None:
    """Back to the person's own check, where it was."""
    paused = session.paused or {}
    session.catalog = "check"
    session.state = str(paused.get("state") or "after_tax")
    session.history = [str(x) for x in paused.get("history", [])]
    session.draft = None
    session.editing = None
    session.paused = None


# ---------------------------------------------------------------- asking and answering


def ask(session: Session, prefix: str = "") -> Reply:
    """The current setup question, or the review when every answer is in."""
    if session.state == DONE:
        return review(session, prefix)
    t = Text(session.lang)
    question = SETUP_QUESTIONS[session.state]
    text = t(question.prompt)
    current = getattr(draft_of(session), question.id)
    if current is not None:
        label = answer_label(t, question, current, draft_of(session), 0)
        text += "\n" + t("<i>Current answer: {answer}</i>", answer=label)
    rows = option_rows(session, question, dt.date.min)
    if session.history:
        rows.append([Button(t("« Back"), callback("nav", "back", question.id))])
    rows.append([Button(t("Cancel setup"), callback("plan", "cancel"))])
    return Reply(text=prefix + text, buttons=tuple(tuple(r) for r in rows), asks=True)


def accept(
    session: Session, question: Question, value: object, services: Services, today: dt.date
) -> Outcome:
    t = Text(session.lang)
    draft = draft_of(session)
    setattr(draft, question.id, value)
    label = answer_label(t, question, value, draft, 0)
    ack = Reply(text=f"{t(question.prompt)}\n<b>→ {label}</b>")
    if not session.history or session.history[-1] != question.id:
        session.history.append(question.id)
    if session.editing is not None:
        session.state = DONE  # an edit goes back to the review
    else:
        SETUP_DIALOG.advance(session)
    if session.state == DONE and session.editing is None:
        return Outcome(ack=ack, replies=save(session, services, today))
    return Outcome(ack=ack, replies=[ask(session)])


def review(session: Session, prefix: str = "") -> Reply:
    """Every answer of the profile being edited, each with a button to change it."""
    t = Text(session.lang)
    draft = draft_of(session)
    lines = [prefix + "<b>" + t("Plan profile") + "</b>"]
    buttons: list[Button] = []
    for question in SETUP:
        if question.skip(draft):
            continue
        value = getattr(draft, question.id)
        shown = "—" if value is None else answer_label(t, question, value, draft, 0)
        lines.append(f"{t(question.summary_label)}: <b>{shown}</b>")
        buttons.append(Button(t(question.summary_label), callback("pe", question.id)))
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append(
        (
            Button(t("Save changes"), callback("plan", "save")),
            Button(t("Cancel"), callback("plan", "cancel")),
        )
    )
    return Reply(text="\n".join(lines), buttons=tuple(rows), asks=True)


def save(session: Session, services: Services, today: dt.date) -> list[Reply]:
    """Store the profile (new, or the creator's edit) and hand out its link."""
    t = Text(session.lang)
    draft = draft_of(session)
    assert isinstance(draft, PlanAnswers)
    missing = [q for q in SETUP if not q.skip(draft) and getattr(draft, q.id) is None]
    if missing:  # an edit of a profile saved by an older catalog: ask what is new
        session.state = missing[0].id
        return [ask(session)]
    editing = session.editing
    if editing is not None:
        existing = services.plans.get_plan(editing)
        if existing is None or existing.owner_id != services.user_id:
            leave(session)
            return [Reply(text=t("That plan profile is gone, or isn't yours to change."))]
    profile = PlanProfile(
        code=editing or new_code(),
        name=draft.plan_name or "",
        answers=draft,
        owner_id=services.user_id,
        updated=today,
    )
    services.plans.save_plan(profile)
    leave(session)
    if editing is not None:
        intro = t(
            "Saved. New checks through the link use these answers; checks already started "
            "keep the ones they began with."
        )
    else:
        intro = t(
            "Done! Share this link with your people: it starts a check with "
            "<b>{plan}</b>'s answers, so they skip the plan questions.",
            plan=escape(profile.name),
        )
    return [share_reply(t, services, profile, intro)]


def share_reply(t: Text, services: Services, profile: PlanProfile, intro: str) -> Reply:
    link = services.link(profile.code)
    text = (
        f"{intro}\n\n{escape(link)}\n\n"
        + t("The QR code below holds the same link, for posters and slides.")
        + " "
        + t("/myplans lists your plans, with buttons to edit or delete them.")
    )
    return Reply(text=text, qr=link)


# ---------------------------------------------------------------- /myplans and its buttons


def my_plans(session: Session, services: Services) -> Outcome:
    t = Text(session.lang)
    if services.user_id is None:
        return Outcome(replies=[Reply(text=t("Plan profiles need a Telegram account."))])
    plans = services.plans.plans_of(services.user_id)
    if not plans:
        text = t("You haven't set up any plan profiles yet.")
        if services.may_create_plans:
            text += " " + t("/newplan sets one up in about a minute.")
        return Outcome(replies=[Reply(text=text)])
    replies = [Reply(text=t("Your plan profiles:"))]
    for plan in plans:
        starts = t.plural(
            "{count} person started a check through it.",
            "{count} people started a check through it.",
            plan.starts,
            count=plan.starts,
        )
        text = f"<b>{escape(plan.name)}</b>\n{escape(services.link(plan.code))}\n{starts}\n" + t(
            "Last changed {date}.", date=t.date(plan.updated)
        )
        buttons = (
            (
                Button(t("Edit"), callback("plan", "edit", plan.code)),
                Button(t("QR code"), callback("plan", "qr", plan.code)),
                Button(t("Delete"), callback("plan", "del", plan.code)),
            ),
        )
        replies.append(Reply(text=text, buttons=buttons))
    return Outcome(replies=replies)


def _owned(services: Services, code: str) -> PlanProfile | None:
    if not looks_like_code(code):
        return None
    profile = services.plans.get_plan(code)
    if profile is None or services.user_id is None or profile.owner_id != services.user_id:
        return None
    return profile


def plan_action(session: Session, parts: list[str], services: Services, today: dt.date) -> Outcome:
    """A `/myplans` or setup button: v1:plan:<action>[:<code>]."""
    t = Text(session.lang)
    action = parts[2] if len(parts) > 2 else ""
    if action in ("save", "cancel") and len(parts) == 3:
        if session.catalog != "newplan":
            return Outcome(notice=t("That setup is already over."))
        shown = ask(session)  # the message tapped: kept, without its buttons
        if action == "cancel":
            leave(session)
            return Outcome(
                ack=Reply(text=shown.text),
                replies=[Reply(text=t("Setup cancelled; nothing was saved."))],
                notice=t("Cancelled"),
            )
        return Outcome(ack=Reply(text=shown.text), replies=save(session, services, today))
    if len(parts) != 4:
        return Outcome(notice=t("That button is from an earlier question."))
    profile = _owned(services, parts[3])
    if profile is None:
        notice = t("That plan profile is gone, or isn't yours to change.")
        return Outcome(replies=[Reply(text=notice)], notice=notice[:MAX_CALLBACK_ANSWER])
    if action == "edit":
        return begin(session, services, editing=profile)
    if action == "qr":
        return Outcome(
            replies=[
                share_reply(
                    t,
                    services,
                    profile,
                    t("The link for <b>{plan}</b>:", plan=escape(profile.name)),
                )
            ]
        )
    if action == "del":
        text = t(
            "Delete <b>{plan}</b>? Its link will stop working: people who open it will be "
            "asked the plan questions instead. Checks already started keep their answers.",
            plan=escape(profile.name),
        )
        buttons = (
            (
                Button(t("Yes, delete it"), callback("plan", "delok", profile.code)),
                Button(t("Keep it"), callback("plan", "keep", profile.code)),
            ),
        )
        return Outcome(replies=[Reply(text=text, buttons=buttons)])
    if action == "delok":
        assert services.user_id is not None
        services.plans.delete_plan(profile.code, services.user_id)
        return Outcome(
            replies=[Reply(text=t("Deleted {plan}.", plan=escape(profile.name)))],
            notice=t("Deleted"),
        )
    if action == "keep":
        return Outcome(notice=t("Kept"))
    return Outcome(notice=t("That button is from an earlier question."))


# ---------------------------------------------------------------- events while setting up


def handle_setup(
    session: Session, event: Event, services: Services, today: dt.date
) -> Outcome | None:
    """An event while a profile is being set up; None for what the check handles anyway
    (/help, /language, /privacy, /forget, /myplans, /back, a language button...)."""
    t = Text(session.lang)
    if isinstance(event, Typed):
        if session.state == DONE:
            return Outcome(
                replies=[review(session, t("Tap an answer to change it, or Save.") + "\n\n")]
            )
        question = SETUP_QUESTIONS[session.state]
        try:
            value = parse_answer(session, question, event.text, today)
            return accept(session, question, value, services, today)
        except Invalid as problem:
            message = t(problem.message, **problem.values)
            return Outcome(
                replies=[ask(session, t("Sorry, I didn't get that.") + " " + message + "\n\n")]
            )
        except ValidationError:
            return Outcome(replies=[ask(session, t("Sorry, I didn't get that.") + "\n\n")])
    if isinstance(event, Command):
        name = event.name.lower()
        if name == "cancel":
            leave(session)
            return Outcome(replies=[Reply(text=t("Setup cancelled; nothing was saved."))])
        if name in ("newplan", "summary") or (name == "start" and not event.args):
            return Outcome(
                replies=[
                    ask(session, t("We're setting up a plan profile; /cancel stops.") + "\n\n")
                ]
            )
        if name == "restart":
            leave(session)
            return None  # the check restarts
        if name == "start":
            leave(session)  # a plan link: the check takes it from here
        return None
    parts = event.data.split(":")
    if parts[:2] == ["v1", "a"] and len(parts) == 4:
        tapped = SETUP_QUESTIONS.get(parts[2])
        if tapped is None or parts[2] != session.state:
            return _stale(session)
        value = tapped_value(tapped, parts[3])
        if value is None:
            return _stale(session)
        return accept(session, tapped, value, services, today)
    if parts[:2] == ["v1", "pe"] and len(parts) == 3:
        field = SETUP_QUESTIONS.get(parts[2])
        if field is None or session.editing is None or field.skip(draft_of(session)):
            return _stale(session)
        shown = review(session)
        session.state = field.id
        return Outcome(ack=Reply(text=shown.text), replies=[ask(session)])
    if parts[:2] in (["v1", "plan"], ["v1", "lang"]) or parts[:3] == ["v1", "nav", "back"]:
        return None  # the check's handlers serve these (its `ask` asks the setup's question)
    return _stale(session)


def _stale(session: Session) -> Outcome:
    t = Text(session.lang)
    notice = t("That button is from an earlier question. Here is where we are now.")
    return Outcome(replies=[ask(session)], notice=notice[:MAX_CALLBACK_ANSWER])
