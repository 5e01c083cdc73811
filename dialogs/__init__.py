"""The conversation: question catalogs, the state machine, parsing, replies, charts.

What a carrier (the Telegram bot, the terminal) uses is exported here and nothing else:
`bot` imports only these names (tests/test_layers.py checks).
"""

from dialogs.carrier_texts import (
    APOLOGY,
    BANNER,
    CHART_SAVED,
    DESCRIPTION,
    ERASED,
    GOODBYE,
    QR_SAVED,
    command_menu,
)
from dialogs.charts import BucketChart, Segment, render_bucket_chart
from dialogs.conversation import COMMANDS, handle, handle_safely, new_session, private_only
from dialogs.i18n import LANGUAGES, Translator, negotiate
from dialogs.paycheck_chart import PaycheckChart, render_paycheck_chart
from dialogs.plans import (
    CountStart,
    CuratedPlanError,
    DeletePlan,
    Effect,
    PlanBook,
    PlanProfile,
    SavePlan,
    Services,
    curated_profiles,
)
from dialogs.qr import qr_png
from dialogs.replies import (
    MAX_CAPTION,
    MAX_TEXT,
    Button,
    ButtonData,
    Choice,
    Command,
    Event,
    Outcome,
    Reply,
    Typed,
    read_button,
    read_message,
    split_text,
)
from dialogs.session import PlanAnswers, Session

__all__ = [
    "APOLOGY", "BANNER", "CHART_SAVED", "COMMANDS", "DESCRIPTION", "ERASED", "GOODBYE",
    "LANGUAGES", "MAX_CAPTION", "MAX_TEXT", "QR_SAVED", "BucketChart", "Button", "ButtonData",
    "Choice", "Command", "CountStart", "CuratedPlanError", "DeletePlan", "Effect", "Event",
    "Outcome", "PaycheckChart", "PlanAnswers", "PlanBook", "PlanProfile", "Reply", "SavePlan",
    "Segment", "Services", "Session", "Translator", "Typed", "command_menu", "curated_profiles",
    "handle", "handle_safely", "negotiate", "new_session", "private_only", "qr_png",
    "read_button", "read_message", "render_bucket_chart", "render_paycheck_chart",
    "split_text",
]  # fmt: skip
