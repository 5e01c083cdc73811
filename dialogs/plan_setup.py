"""`/newplan` and `/myplans`: an HR team sets up its plan once and shares a link.

The setup is a second flow on the same engine as the check (dialogs/flow.py): its
answers go in the session's `setup.draft`, and the machine keeps the check's place
meanwhile, so someone can set up a profile halfway through their own check and come
back to it. Only a profile's creator can edit or delete it (the store checks the owner
too). Saving, deleting and counting are effects the carrier applies, never writes here.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from pydantic import BaseModel

from dialogs import flow as engine
from dialogs.catalog import FREQUENCY_OPTIONS, Kind, Option, Question
from dialogs.flow import Flow, Rows, Turn
from dialogs.i18n import N_, Translator
from dialogs.plans import DeletePlan, PlanProfile, SavePlan, Services, looks_like_code, new_code
from dialogs.replies import MAX_CALLBACK_ANSWER, Button, Reply, button_data
from dialogs.session import REVIEW, PlanAnswers, Session

YES_NO = (Option("yes", N_("Yes")), Option("no", N_("No")))
STEPS = (
    Option("1", N_("Whole percents")),
    Option("0.5", N_("Half percents (0.5%)")),
    Option("0.1", N_("Tenths (0.1%)")),
    Option("0.01", N_("Hundredths (0.01%)")),
)


def no_after_tax(p: PlanAnswers) -> bool:
    """No after-tax money: nothing to convert, cap or withdraw."""
    return p.plan_after_tax == "no"


def no_in_plan(p: PlanAnswers) -> bool:
    """Automatic conversion is a kind of in-plan conversion."""
    return p.plan_after_tax == "no" or p.plan_in_plan == "no"


def no_match(p: PlanAnswers) -> bool:
    """A true-up only trues up a match."""
    return p.plan_match == "none"


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
        "plan_true_up",
        Kind.yes_no,
        N_(
            "Does the employer <b>true up</b> the match after the year ends, so people who "
            "reach the deferral limit early still get the full match?"
        ),
        N_("Tap Yes or No."),
        N_("Year-end true-up"),
        YES_NO,
        skip=no_match,
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
        FREQUENCY_OPTIONS,
    ),
    Question(
        "plan_step",
        Kind.choice,
        N_(
            "In what steps can people elect deferrals and after-tax contributions, as a "
            "percent of each paycheck?"
        ),
        N_("Tap one of the buttons."),
        N_("Election steps"),
        STEPS,
    ),
    Question(
        "plan_contact",
        Kind.contact,
        N_(
            "Last one: where should people go with questions about the plan? An email or "
            "an intranet page, like <i>benefits@acme.com</i>."
        ),
        N_(
            "Type an email address like benefits@acme.com, or a web address that starts "
            "with https://, like https://intranet.acme.com/401k."
        ),
        N_("Questions to"),
    ),
)


def draft_of(session: Session) -> BaseModel:
    assert session.setup is not None, "the setup's answers exist only while it runs"
    return session.setup.draft


# ---------------------------------------------------------------- the flow's hooks


def review(turn: Turn, prefix: str = "") -> Reply:
    """Every answer of the profile being edited, each with a button to change it."""
    return engine.overview(turn, prefix)


def arrive(turn: Turn) -> None:
    """Every answer in: an edit goes back to the review; a new profile is saved."""
    assert turn.session.setup is not None
    if turn.session.setup.editing is not None:
        turn.say(review(turn, turn.take_prefix()))
    else:
        save(turn)


def typed_at_review(turn: Turn) -> list[Reply]:
    return [review(turn, turn.t("Tap an answer to change it, or Save.") + "\n\n")]


def review_head(turn: Turn) -> list[str]:
    return ["<b>" + turn.t("Plan profile") + "</b>"]


def review_foot(turn: Turn) -> tuple[Button, ...]:
    t = turn.t
    return (
        Button(t("Save changes"), button_data("plan", "save")),
        Button(t("Cancel"), button_data("plan", "cancel")),
    )


def cancel_row(turn: Turn) -> Rows:
    return [[Button(turn.t("Cancel setup"), button_data("plan", "cancel"))]]


SETUP_FLOW = Flow(
    name="setup",
    questions=SETUP,
    end=REVIEW,
    answers=draft_of,
    edit_kind="pe",
    end_reply=review,
    arrive=arrive,
    typed_at_end=typed_at_review,
    overview_head=review_head,
    overview_foot=review_foot,
    overview_asks=True,
    closing=cancel_row,
)


# ---------------------------------------------------------------- entering, saving, leaving


def begin(turn: Turn, editing: PlanProfile | None = None) -> None:
    """Start setting up a profile (or editing one), keeping the check's place."""
    t, setup = turn.t, turn.session.setup
    if editing is None and not turn.services.may_create_plans:
        turn.say(
            Reply(
                text=t(
                    "Setting up plan profiles is limited to people this bot's operator "
                    "has allowed. If you run benefits for your company, ask them."
                )
            )
        )
        return
    if setup is not None and setup.draft.model_dump(exclude_none=True):
        turn.prefix = t("The plan you were setting up was not saved.") + "\n\n"
    turn.fire("begin_setup", editing=editing)


def save(turn: Turn) -> None:
    """Save the profile (new, or the creator's edit), or ask what an older one lacks."""
    setup = turn.session.setup
    assert setup is not None
    if setup.editing is not None:
        existing = turn.services.plans.get_plan(setup.editing)
        if existing is None or existing.owner_id != turn.services.user_id:
            turn.say(Reply(text=turn.t("That plan profile is gone, or isn't yours to change.")))
            turn.fire("leave_setup")
            return
    turn.fire("save_setup")


def store(turn: Turn) -> None:
    """`save_setup`'s effect and reply: the profile, and its link to share."""
    t, setup = turn.t, turn.session.setup
    assert setup is not None
    profile = PlanProfile(
        code=setup.editing or new_code(),
        name=setup.draft.plan_name or "",
        answers=setup.draft,
        owner_id=turn.services.user_id,
        updated=turn.today,
    )
    turn.outcome.effects.append(SavePlan(profile))
    if setup.editing is not None:
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
    turn.say(share_reply(t, turn.services, profile, intro))


def cancel(turn: Turn) -> None:
    turn.say(Reply(text=turn.t("Setup cancelled; nothing was saved.")))
    turn.fire("leave_setup")


def share_reply(t: Translator, services: Services, profile: PlanProfile, intro: str) -> Reply:
    """The link to share; its QR code when it is a web link (in the terminal it is the
    /start command that opens the profile there)."""
    link = services.link(profile.code)
    qr = link if link.startswith("https://") else None
    lines = [intro, escape(link)]
    buttons: tuple[tuple[Button, ...], ...] = ()
    if qr is not None:
        lines.append(t("The QR code below holds the same link, for posters and slides."))
        share = "https://t.me/share/url?" + urlencode(
            {
                "url": link,
                "text": t("Check your mega backdoor Roth with {plan}", plan=profile.name),
            }
        )
        buttons = ((Button(t("Share the link"), url=share),),)
    if services.ephemeral_plans:
        lines.append(t("This terminal keeps the profile only until you close it."))
    lines.append(t("/myplans lists your plans, with buttons to edit or delete them."))
    caption = t("{plan}: scan to start a check", plan=profile.name)
    return Reply(text="\n\n".join(lines), buttons=buttons, qr=qr, qr_caption=caption)


# ---------------------------------------------------------------- /myplans and its buttons


def my_plans(turn: Turn) -> None:
    t, services = turn.t, turn.services
    if services.user_id is None:
        turn.say(Reply(text=t("Plan profiles need a Telegram account.")))
        return
    plans = services.plans.plans_of(services.user_id)
    if not plans:
        text = t("You haven't set up any plan profiles yet.")
        if services.may_create_plans:
            text += " " + t("/newplan sets one up in about a minute.")
        turn.say(Reply(text=text))
        return
    turn.say(Reply(text=t("Your plan profiles:")))
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
                Button(t("Edit"), button_data("plan", "edit", plan.code)),
                Button(t("QR code"), button_data("plan", "qr", plan.code)),
                Button(t("Delete"), button_data("plan", "del", plan.code)),
            ),
        )
        turn.say(Reply(text=text, buttons=buttons))


def _owned(services: Services, code: str) -> PlanProfile | None:
    if not looks_like_code(code):
        return None
    profile = services.plans.get_plan(code)
    if profile is None or services.user_id is None or profile.owner_id != services.user_id:
        return None
    return profile


def plan_action(turn: Turn, args: tuple[str, ...]) -> None:
    """A `/myplans` or setup button: v1:plan:<action>[:<code>]."""
    t, action = turn.t, args[0]
    if action in ("save", "cancel") and len(args) == 1:
        if turn.session.setup is None:
            turn.outcome.notice = t("That setup is already over.")
            return
        turn.outcome.ack = Reply(text=engine.ask(turn).text)  # the message tapped, kept
        if action == "cancel":
            turn.outcome.notice = t("Cancelled")
            cancel(turn)
        else:
            save(turn)
        return
    if len(args) != 2:
        turn.outcome.notice = t("That button is from an earlier question.")
        return
    profile = _owned(turn.services, args[1])
    if profile is None:
        notice = t("That plan profile is gone, or isn't yours to change.")
        turn.say(Reply(text=notice))
        turn.outcome.notice = notice[:MAX_CALLBACK_ANSWER]
        return
    if action == "edit":
        begin(turn, editing=profile)
    elif action == "qr":
        intro = t("The link for <b>{plan}</b>:", plan=escape(profile.name))
        turn.say(share_reply(t, turn.services, profile, intro))
    elif action == "del":
        text = t(
            "Delete <b>{plan}</b>? Its link will stop working: people who open it will be "
            "asked the plan questions instead. Checks already started keep their answers.",
            plan=escape(profile.name),
        )
        buttons = (
            (
                Button(t("Yes, delete it"), button_data("plan", "delok", profile.code)),
                Button(t("Keep it"), button_data("plan", "keep", profile.code)),
            ),
        )
        turn.say(Reply(text=text, buttons=buttons))
    elif action == "delok":
        assert turn.services.user_id is not None
        turn.outcome.effects.append(DeletePlan(profile.code, turn.services.user_id))
        turn.say(Reply(text=t("Deleted {plan}.", plan=escape(profile.name))))
        turn.outcome.notice = t("Deleted")
    elif action == "keep":
        turn.outcome.notice = t("Kept")
    else:
        turn.outcome.notice = t("That button is from an earlier question.")


def edit_answer(turn: Turn, question_id: str) -> None:
    """A review's button: change one answer of the profile being edited."""
    setup = turn.session.setup
    if setup is None or setup.editing is None:
        engine.stale(turn)
        return
    question = SETUP_FLOW.by_id.get(question_id)
    if question is not None and engine.is_active(question, setup.draft):
        turn.outcome.ack = Reply(text=review(turn).text)  # the review tapped, kept
    engine.edit(turn, question_id)
