"""What a carrier shows outside the questions: the command menu and the bot's
description on Telegram, /help and /privacy, the apology after a failure, and the
terminal's banner, file lines and goodbye. All through the catalogs, like the rest."""

from __future__ import annotations

from dialogs.i18n import N_, Translator

APOLOGY = N_(
    "Sorry, something went wrong on my side. Your answers are safe; try again, or send /summary."
)
DESCRIPTION = N_(
    "Can you do a mega backdoor Roth? I ask about your 401(k) one step at a time and tell "
    "you what to do next, with the IRS's figures and sources. Educational, not tax advice."
)
MENU = {  # the command menu Telegram shows, in order
    "start": N_("Start a check"),
    "help": N_("How this works"),
    "summary": N_("Your answers, to change any"),
    "restart": N_("Start over"),
    "language": N_("English or Spanish"),
    "limits": N_("A year's IRS figures: /limits 2026"),
    "privacy": N_("What is stored and how to erase it"),
    "forget": N_("Erase everything about you"),
    "newplan": N_("HR: set up your plan's link"),
    "myplans": N_("HR: your plan links"),
}
BANNER = N_(
    "megaroth in the terminal (no TELEGRAM_BOT_TOKEN set). Type what is in brackets to tap "
    "a button ([1], or [a] where the answer is a number), /help for commands, Ctrl-D to quit."
)
GOODBYE = N_("Bye! Your answers are not kept in the terminal.")
ERASED = N_(
    "This conversation was erased (with /forget, or after a long pause), so that button "
    "no longer works. /start begins a new one."
)
CHART_SAVED = N_("(chart saved to {path})")
QR_SAVED = N_("(QR code saved to {path})")


def command_menu(lang: str) -> list[tuple[str, str]]:
    """(command, description) pairs for Telegram's menu, in the language."""
    t = Translator(lang)
    return [(name, t(description)) for name, description in MENU.items()]


def help_text(t: Translator) -> str:
    """What I do, and every command (tests/dialogs check none is left out)."""
    return t(
        "I ask a few questions about your 401(k) and your numbers, then tell you what to do "
        "next. Tap a button or type an answer like <i>150k</i>.\n\n"
        "/back: the question before\n/summary: your answers, to change any\n"
        "/restart: start over\n/language: English or Spanish\n"
        "/limits 2026: a year's IRS figures with sources\n/privacy: what I keep\n"
        "/forget: erase everything about you\n\n"
        "For benefits teams: /newplan sets up your plan's link, /myplans lists your links, "
        "/cancel stops a setup."
    )


def privacy_text(t: Translator, retention_days: int, backup_days: int = 14) -> str:
    return privacy_kept(t, retention_days) + "\n\n" + privacy_backups(t, backup_days)


def privacy_kept(t: Translator, retention_days: int) -> str:
    return t(
        "<b>What I keep:</b> your answers to these questions, where we are in the "
        "conversation, and your language, so you can come back later. Nothing else: no "
        "name lists, no message history, no amounts in logs.\n\n"
        "<b>How long:</b> until you erase them, or {days} days after your last message, "
        "whichever comes first.\n\n"
        "<b>Plan profiles</b> you set up with /newplan are kept, with your Telegram user id "
        "so only you can change them, until you delete them. They show how many people "
        "started a check through their link, never who; to count each person once, a link "
        "remembers the chats that started through it until those conversations are "
        "erased.\n\n"
        "<b>Erase:</b> /forget deletes everything stored about you at once, including "
        "the plan profiles you set up.",
        days=retention_days,
    )


def privacy_backups(t: Translator, backup_days: int) -> str:
    if not backup_days:
        return t("<b>Backups:</b> none are kept.")
    return t.plural(
        "<b>Backups:</b> the operator's daily copies of the database hold what was stored "
        "when each was taken, erased answers included; /forget can't reach them, and each "
        "copy is deleted after {days} day.",
        "<b>Backups:</b> the operator's daily copies of the database hold what was stored "
        "when each was taken, erased answers included; /forget can't reach them, and each "
        "copy is deleted after {days} days.",
        backup_days,
        days=backup_days,
    )
