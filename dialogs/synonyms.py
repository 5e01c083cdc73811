"""What people type instead of tapping a button, as data: per question, per option.

`SYNONYMS[question_id][option_value][lang]` lists the phrases people type for that
button, in English ("en") and Spanish ("es"): "married", "jointly", "mfj", "casado" for
`filing_status`'s `married_joint`. `match_synonym` looks a typed answer up in it.

Phrases are written as people type them (accents, hyphens, "401(k)"); they and the
typed text are compared after the same normalisation (see `key`). The phrases of both
languages count whatever the person's language is (people mix languages, as
dialogs/parsing.py assumes too), so within a question no phrase may name two options in
either language: building the index checks it, and the module refuses to import if one
does. A phrase that would mean two options of one question ("separately": lived
together or apart? "quincenal": every two weeks or twice a month?) is not in the table
but in `LEFT_OUT`, which the tests check is never matched: the dialog asks again rather
than guess.

Questions answered by yes/no/not sure rely on `parsing.parse_yes_no` for "yes", "no",
"not sure" and the like; their entries here are what is particular to the question
("automatically" for the automatic-conversion question). `UNSURE_MEANS` names the
option that everything `parse_yes_no` reads as "not sure" stands for in questions that
are not yes/no ("no sé" is "Not sure" for the way to Roth, "Skip" for the tax rate).
`tax_year`'s "this year" or "el año pasado" depend on today: see `match_year`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from dialogs import parsing

__all__ = [
    "LEFT_OUT",
    "RELATIVE_YEARS",
    "SYNONYMS",
    "UNSURE_MEANS",
    "key",
    "match_synonym",
    "match_year",
]

Phrases = Mapping[str, tuple[str, ...]]
"""Language ("en", "es") -> the phrases typed for one option."""

# --- shared phrase lists -------------------------------------------------------------------

_NONE_EN: Final = ("none", "nothing", "zero", "0", "$0", "zilch")
_NONE_ES: Final = ("nada", "cero", "ninguno", "ninguna", "0")

_ACCEPTS_AFTER_TAX: Final[Phrases] = {
    "en": (
        "accepts after-tax",
        "it accepts after-tax",
        "allows after-tax",
        "it allows after-tax",
        "it has after-tax",
        "has after-tax",
        "yes, after-tax",
        "after-tax yes",
        "yes, after-tax contributions",
        "yes, mega backdoor",
        "it supports mega backdoor",
        "supports the mega backdoor",
    ),
    "es": (
        "acepta after-tax",
        "sí acepta after-tax",
        "tiene after-tax",
        "sí tiene after-tax",
        "permite after-tax",
        "acepta aportaciones después de impuestos",
        "sí acepta aportaciones después de impuestos",
        "acepta después de impuestos",
        "sí acepta después de impuestos",
        "sí, después de impuestos",
    ),
}
_NO_AFTER_TAX: Final[Phrases] = {
    "en": (
        "no after-tax",
        "no after-tax contributions",
        "doesn't accept after-tax",
        "it doesn't accept after-tax",
        "it doesn't allow after-tax",
        "only pre-tax and Roth",
        "just pre-tax and Roth",
        "only Roth and pre-tax",
        "no mega backdoor",
    ),
    "es": (
        "no acepta after-tax",
        "no tiene after-tax",
        "sin after-tax",
        "no acepta aportaciones después de impuestos",
        "no acepta después de impuestos",
        "solo pre-tax y Roth",
        "solo antes de impuestos y Roth",
    ),
}
_AUTOMATIC: Final[Phrases] = {
    "en": (
        "automatic",
        "automatically",
        "auto",
        "auto convert",
        "auto-conversion",
        "automatic conversion",
        "automatic conversions",
        "yes, automatically",
        "it converts automatically",
        "converts automatically",
        "every paycheck",
        "each paycheck",
        "with each paycheck",
        "with every paycheck",
    ),
    "es": (
        "automática",
        "automático",
        "automáticamente",
        "en automático",
        "conversión automática",
        "sí, automáticamente",
        "se convierte automáticamente",
        "cada cheque",
        "con cada cheque",
        "cada pago",
        "con cada pago",
        "con cada nómina",
    ),
}
_MANUAL: Final[Phrases] = {
    "en": (
        "manual",
        "manually",
        "only manually",
        "manual only",
        "by hand",
        "on request",
        "only on request",
        "I have to request it",
        "I have to ask",
        "you have to ask",
        "you have to request it",
        "not automatic",
        "not automatically",
    ),
    "es": (
        "manual",
        "manualmente",
        "solo manual",
        "solo manualmente",
        "a mano",
        "hay que pedirlo",
        "tengo que pedirlo",
        "hay que solicitarlo",
        "a pedido",
        "bajo pedido",
        "a solicitud",
        "no automática",
        "no es automática",
        "no automáticamente",
    ),
}
_NO_CAP: Final[Phrases] = {
    "en": (
        "no cap",
        "no",
        "nope",
        "none",
        "no limit",
        "no limits",
        "uncapped",
        "unlimited",
        "not capped",
        "it isn't capped",
        "no percent cap",
        "no cap on after-tax",
        "only the IRS limit",
        "just the IRS limit",
        "up to the IRS limit",
        "only the 415 limit",
        "no plan limit",
    ),
    "es": (
        "sin tope",
        "no",
        "sin límite",
        "sin límites",
        "no hay tope",
        "no tiene tope",
        "no tiene límite",
        "ilimitado",
        "ninguno",
        "ninguna",
        "nada",
        "solo el límite del IRS",
    ),
}
# "yes" says there is a cap, not what it is: the percent is needed.
_CAP_LEFT_OUT: Final = ("yes", "sí", "capped", "there is a cap", "tiene tope", "hay tope")
_BRACKETS: Final = ("22", "24", "32", "35")

_FREQUENCY: Final[Mapping[str, Phrases]] = {
    "weekly": {
        "en": (
            "weekly",
            "every week",
            "each week",
            "once a week",
            "52",
            "52 a year",
            "52 paychecks",
            "52 times a year",
        ),
        "es": (
            "semanal",
            "semanalmente",
            "cada semana",
            "una vez a la semana",
            "por semana",
            "52 al año",
            "52 pagos",
            "52 veces al año",
        ),
    },
    "biweekly": {
        "en": (
            "biweekly",
            "bi-weekly",
            "every two weeks",
            "every 2 weeks",
            "every other week",
            "every other Friday",
            "fortnightly",
            "26",
            "26 a year",
            "26 paychecks",
            "26 times a year",
        ),
        "es": (
            "cada dos semanas",
            "cada 2 semanas",
            "cada catorce días",
            "cada 14 días",
            "una semana sí y otra no",
            "26 al año",
            "26 pagos",
            "26 veces al año",
        ),
    },
    "semimonthly": {
        "en": (
            "semimonthly",
            "semi-monthly",
            "twice a month",
            "twice monthly",
            "twice per month",
            "two times a month",
            "2 times a month",
            "1st and 15th",
            "the 1st and the 15th",
            "15th and last",
            "15th and 30th",
            "15th and end of month",
            "24",
            "24 a year",
            "24 paychecks",
            "24 times a year",
        ),
        "es": (
            "dos veces al mes",
            "dos veces por mes",
            "2 veces al mes",
            "semimensual",
            "el 15 y el 30",
            "15 y 30",
            "el 15 y el último",
            "15 y último",
            "el 1 y el 15",
            "1 y 15",
            "24 al año",
            "24 pagos",
            "24 veces al año",
        ),
    },
    "monthly": {
        "en": (
            "monthly",
            "once a month",
            "every month",
            "each month",
            "12",
            "12 a year",
            "12 paychecks",
            "12 times a year",
        ),
        "es": (
            "mensual",
            "mensualmente",
            "cada mes",
            "una vez al mes",
            "una vez por mes",
            "por mes",
            "12 al año",
            "12 pagos",
            "12 veces al año",
        ),
    },
}

_SO_FAR_NONE: Final[Phrases] = {
    "en": (*_NONE_EN, "none yet", "nothing yet", "not yet", "none so far", "nothing so far"),
    "es": (*_NONE_ES, "nada todavía", "todavía nada", "nada aún", "aún nada", "nada hasta ahora"),
}
_TRUE_UP: Final[Phrases] = {
    "en": ("it trues up", "trues up", "true-up", "true up", "yes, a true-up", "full match"),
    "es": ("sí, ajusta", "ajusta al final del año", "hace el ajuste", "sí hay ajuste"),
}
_NO_TRUE_UP: Final[Phrases] = {
    "en": ("no true-up", "no true up", "doesn't true up", "it doesn't true up", "per paycheck"),
    "es": ("no ajusta", "no hay ajuste", "sin ajuste", "por cada cheque"),
}
_STEP: Final[Mapping[str, Phrases]] = {
    "1": {
        "en": ("whole percents", "whole percent", "whole", "1%", "1 percent", "full percents"),
        "es": ("porcentajes enteros", "enteros", "1 %", "1 por ciento"),
    },
    "0.5": {
        "en": ("half percents", "half percent", "halves", "0.5%", "half a percent"),
        "es": ("medios", "medio por ciento", "0,5 %", "0.5 %", "medios puntos"),
    },
    "0.1": {
        "en": ("tenths", "tenths of a percent", "0.1%", "one decimal"),
        "es": ("décimas", "décimas de punto", "0,1 %", "0.1 %", "un decimal"),
    },
    "0.01": {
        "en": ("hundredths", "hundredths of a percent", "0.01%", "two decimals"),
        "es": ("centésimas", "0,01 %", "0.01 %", "dos decimales"),
    },
}

SYNONYMS: Final[Mapping[str, Mapping[str, Phrases]]] = {
    # --- the check (dialogs/catalog.py) ---------------------------------------------------
    "after_tax": {"yes": _ACCEPTS_AFTER_TAX, "no": _NO_AFTER_TAX},
    "conversion": {
        "in_plan": {
            "en": (
                "in plan",
                "in-plan",
                "inplan",
                "in-plan conversion",
                "in-plan conversions",
                "in-plan Roth conversion",
                "in-plan Roth",
                "in-plan Roth rollover",
                "in-plan rollover",
                "IRR",
                "inside the plan",
                "within the plan",
                "in the plan",
                "convert in the plan",
                "convert inside the plan",
                "convert it in the plan",
                "convert to Roth 401(k)",
                "convert to the Roth 401(k)",
                "convert to Roth 401k",
                "to the Roth 401(k)",
                "to the Roth 401k",
                "Roth 401(k)",
                "Roth 401k",
            ),
            "es": (
                "dentro del plan",
                "en el plan",
                "conversión dentro del plan",
                "conversión en el plan",
                "conversión Roth dentro del plan",
                "convertir dentro del plan",
                "convertir en el plan",
                "a la Roth 401(k)",
                "al Roth 401(k)",
                "a la Roth 401k",
                "al Roth 401k",
            ),
        },
        "in_service": {
            "en": (
                "in service",
                "in-service",
                "inservice",
                "in-service withdrawal",
                "in-service withdrawals",
                "in-service distribution",
                "in-service distributions",
                "in-service rollover",
                "withdrawal",
                "withdrawals",
                "withdraw it",
                "a withdrawal",
                "roll it to a Roth IRA",
                "roll to a Roth IRA",
                "roll to Roth IRA",
                "roll it over to a Roth IRA",
                "to a Roth IRA",
                "to the Roth IRA",
                "Roth IRA",
                "distribution",
            ),
            "es": (
                "retiro en servicio",
                "retiro",
                "retiros",
                "retiro durante el empleo",
                "retiro mientras trabajo",
                "retirarlo",
                "sacarlo",
                "a una Roth IRA",
                "a la Roth IRA",
                "pasarlo a una Roth IRA",
                "transferirlo a una Roth IRA",
                "a una IRA Roth",
                "a la IRA Roth",
                "reinvertirlo en una IRA Roth",
                "reinversión a una IRA Roth",
                "pasarlo a una IRA Roth",
                "distribución en servicio",
                "distribución",
            ),
        },
        "both": {
            "en": (
                "both",
                "both of them",
                "both ways",
                "both options",
                "in-plan and in-service",
                "in-service and in-plan",
                "conversion and withdrawal",
                "a conversion and a withdrawal",
            ),
            "es": (
                "ambas",
                "ambos",
                "las dos",
                "los dos",
                "las dos cosas",
                "ambas cosas",
                "ambas opciones",
                "las dos opciones",
                "conversión y retiro",
                "dentro del plan y retiro en servicio",
            ),
        },
        "neither": {
            "en": (
                "neither",
                "neither one",
                "neither of them",
                "none",
                "none of them",
                "it can't",
                "it can't leave",
                "no way",
                "not while employed",
                "only when I leave",
                "only after I leave",
            ),
            "es": (
                "ninguna",
                "ninguno",
                "ninguna de las dos",
                "ninguno de los dos",
                "ni una ni otra",
                "ni lo uno ni lo otro",
                "no se puede",
                "no hay manera",
                "de ninguna forma",
                "solo al salir",
                "solo cuando me vaya",
            ),
        },
        "unsure": {
            "en": ("not sure which", "don't know which", "no idea which"),
            "es": ("no sé cuál", "no sé cuál de las dos", "ni idea de cuál"),
        },
    },
    "auto_convert": {"yes": _AUTOMATIC, "no": _MANUAL},
    "after_tax_cap": {"none": _NO_CAP},
    "deferrals_so_far": {"0": _SO_FAR_NONE},
    "true_up": {"yes": _TRUE_UP, "no": _NO_TRUE_UP},
    "match_limit": {
        "spread": {
            "en": ("spread", "spread over the year", "prorated", "pro rata", "each paycheck"),
            "es": ("repartido", "repartido en el año", "prorrateado", "a prorrata"),
        },
        "stops": {
            "en": ("stops", "in full", "in full then stops", "it stops", "until the limit"),
            "es": ("se detiene", "completo", "completo y luego nada", "hasta el límite"),
        },
    },
    "deferrals": {
        "max": {
            "en": (
                "max",
                "the max",
                "maximum",
                "the maximum",
                "max it",
                "max it out",
                "max out",
                "maxing out",
                "maxing it out",
                "maxed out",
                "maxed",
                "maxing",
                "all I can",
                "as much as I can",
                "as much as possible",
                "as much as allowed",
                "the most",
                "the most I can",
                "the limit",
                "the IRS limit",
                "the full amount",
                "the full limit",
                "max allowed",
                "the maximum allowed",
                "the 402(g) limit",
                "up to the limit",
                "to the limit",
            ),
            "es": (
                "máx",
                "máximo",
                "el máximo",
                "lo máximo",
                "al máximo",
                "el tope",
                "el límite",
                "el límite del IRS",
                "todo lo permitido",
                "todo lo que se pueda",
                "todo lo que pueda",
                "lo más posible",
                "lo más que se pueda",
                "el máximo permitido",
            ),
        },
        "0": {
            "en": (
                *_NONE_EN,
                "no deferrals",
                "I don't defer",
                "I don't contribute",
                "not contributing",
                "not deferring",
                "no contributions",
            ),
            "es": (
                *_NONE_ES,
                "no aporto",
                "no aporto nada",
                "no contribuyo",
                "no difiero",
                "sin aportaciones",
            ),
        },
    },
    "employer": {
        "0": {
            "en": (
                *_NONE_EN,
                "no match",
                "no employer match",
                "no contributions",
                "no employer contributions",
                "they don't match",
                "they don't contribute",
                "my employer doesn't contribute",
                "nothing from my employer",
            ),
            "es": (
                *_NONE_ES,
                "sin match",
                "sin aportación",
                "sin aportaciones",
                "no hay match",
                "no dan nada",
                "no ponen nada",
                "no aportan",
                "no aportan nada",
                "mi empleador no aporta",
                "el empleador no aporta",
            ),
        },
    },
    "after_tax_in": {
        "0": {
            "en": (
                *_NONE_EN,
                "none yet",
                "nothing yet",
                "not yet",
                "no",
                "none so far",
                "nothing so far",
                "not any yet",
                "I haven't yet",
                "I haven't started",
                "haven't started",
            ),
            "es": (
                *_NONE_ES,
                "nada todavía",
                "todavía nada",
                "nada aún",
                "aún nada",
                "aún no",
                "todavía no",
                "no",
                "nada por ahora",
                "nada hasta ahora",
                "no he aportado",
                "no he empezado",
            ),
        },
    },
    "balance": {
        "0": {
            "en": (
                *_NONE_EN,
                "no balance",
                "it's all converted",
                "all converted",
                "everything is converted",
                "everything converted",
                "I converted it all",
                "I convert everything",
                "already converted",
                "none left",
                "nothing left",
                "empty",
            ),
            "es": (
                *_NONE_ES,
                "sin saldo",
                "todo convertido",
                "todo está convertido",
                "ya convertí todo",
                "ya está convertido",
                "ya lo convertí",
                "no queda nada",
                "nada sin convertir",
                "vacío",
            ),
        },
    },
    "earnings": {
        "0": {
            "en": (
                *_NONE_EN,
                "no earnings",
                "no gains",
                "no growth",
                "none yet",
                "nothing yet",
                "no earnings yet",
            ),
            "es": (
                *_NONE_ES,
                "sin ganancias",
                "sin rendimientos",
                "no hay ganancias",
                "no tiene ganancias",
                "nada todavía",
            ),
        },
    },
    "filing_status": {
        "single": {
            "en": ("single", "I'm single", "single filer", "filing single", "I file single"),
            "es": (
                "soltero",
                "soltera",
                "soltero/a",
                "soy soltero",
                "soy soltera",
                "declaro como soltero",
                "declaro como soltera",
            ),
        },
        "married_joint": {
            "en": (
                "married",
                "we're married",
                "married jointly",
                "married joint",
                "married, joint",
                "jointly",
                "joint",
                "joint return",
                "a joint return",
                "joint filing",
                "married filing jointly",
                "married filing joint",
                "filing jointly",
                "file jointly",
                "we file jointly",
                "MFJ",
            ),
            "es": (
                "casado",
                "casada",
                "casados",
                "casado/a",
                "casada/o",
                "conjunta",
                "declaración conjunta",
                "casado, conjunta",
                "casado/a, conjunta",
                "casado, declaración conjunta",
                "casado/a, declaración conjunta",
                "casados, declaración conjunta",
                "casados, conjunta",
                "declaramos juntos",
                "declaramos en conjunto",
                "en conjunto",
                "conjuntamente",
                "casados en conjunto",
            ),
        },
        "married_separate": {
            "en": (
                "married separately, lived together",
                "married, separately (lived together)",
                "separately, lived together",
                "separately, we live together",
                "separately, living together",
                "separate, lived together",
                "married filing separately, lived together",
                "MFS, lived together",
                "MFS together",
                "separately together",
            ),
            "es": (
                "casado/a, por separado (vivieron juntos)",
                "casado/a, separada (vivieron juntos)",
                "casado, por separado, vivimos juntos",
                "por separado, vivimos juntos",
                "por separado, vivieron juntos",
                "separado, vivimos juntos",
                "separada, vivimos juntos",
                "separados, vivimos juntos",
                "por separado juntos",
            ),
        },
        "married_separate_apart": {
            "en": (
                "married separately, lived apart",
                "married, separately (lived apart all year)",
                "separately, lived apart",
                "separately, lived apart all year",
                "separately, we live apart",
                "separate, lived apart",
                "married filing separately, lived apart",
                "MFS, lived apart",
                "MFS apart",
                "separately apart",
                "lived apart",
                "lived apart all year",
                "we lived apart",
                "apart all year",
            ),
            "es": (
                "casado/a, por separado (vivieron aparte todo el año)",
                "casado/a, separada (aparte todo el año)",
                "casado, por separado, vivimos aparte",
                "por separado, vivimos aparte",
                "por separado, vivieron aparte",
                "separado, vivimos aparte",
                "separada, vivimos aparte",
                "por separado aparte",
                "vivimos aparte",
                "vivieron aparte",
                "vivimos separados",
                "aparte todo el año",
            ),
        },
        "head_of_household": {
            "en": (
                "head of household",
                "head of the household",
                "head of house",
                "household head",
                "HOH",
                "head",
            ),
            "es": (
                "cabeza de familia",
                "jefe de familia",
                "jefa de familia",
                "jefe de hogar",
                "jefa de hogar",
                "jefe del hogar",
                "jefa del hogar",
                "cabeza de hogar",
                "cabeza del hogar",
            ),
        },
    },
    "magi": {
        "pay": {
            "en": (
                "same as my pay",
                "same as pay",
                "the same as my pay",
                "about my pay",
                "roughly my pay",
                "around my pay",
                "close to my pay",
                "my pay",
                "pay",
                "same",
                "the same",
                "about the same",
                "same as my salary",
                "same as salary",
                "my salary",
                "about my salary",
                "what I make",
                "about what I make",
                "same as above",
                "same as before",
            ),
            "es": (
                "igual",
                "lo mismo",
                "lo mismo que mi salario",
                "igual que mi salario",
                "igual a mi salario",
                "igual que el salario",
                "mi salario",
                "más o menos mi salario",
                "como mi salario",
                "casi igual",
                "más o menos igual",
                "más o menos lo mismo",
                "mi sueldo",
                "igual que mi sueldo",
                "lo que gano",
                "lo mismo que gano",
            ),
        },
    },
    "other_deferrals": {
        "0": {
            "en": (
                *_NONE_EN,
                "no",
                "no other job",
                "no other employer",
                "just this job",
                "only this job",
                "same job all year",
                "I didn't",
                "didn't",
            ),
            "es": (
                *_NONE_ES,
                "no",
                "ningún otro empleo",
                "ningun otro trabajo",
                "solo este trabajo",
                "solo este empleo",
                "el mismo trabajo todo el año",
            ),
        },
    },
    "roth_part": {
        "0": {
            "en": (
                "all pre-tax",
                "pre-tax",
                "pretax",
                "all pretax",
                "traditional",
                "none",
                "no roth",
                "none of it",
                "0",
            ),
            "es": (
                "todo antes de impuestos",
                "antes de impuestos",
                "nada",
                "nada roth",
                "ninguna",
                "tradicional",
                "0",
            ),
        },
        "all": {
            "en": ("all roth", "all of it", "everything", "roth 401(k)", "all roth 401(k)"),
            "es": ("todo roth", "todo", "todo es roth", "todas roth"),
        },
    },
    "spouse_pay": {
        "0": {
            "en": (*_NONE_EN, "no income", "doesn't work", "not working", "stay-at-home"),
            "es": (*_NONE_ES, "no trabaja", "sin ingresos", "no gana nada"),
        },
    },
    "ira_basis": {
        "0": {
            "en": (*_NONE_EN, "no basis", "all pre-tax", "all deductible", "never"),
            "es": (*_NONE_ES, "sin base", "todo antes de impuestos", "nunca"),
        },
    },
    "ira_balance": {
        "0": {
            "en": (
                *_NONE_EN,
                "no IRA",
                "no IRAs",
                "no traditional IRA",
                "no pre-tax IRAs",
                "I don't have one",
                "I don't have any",
                "don't have one",
                "don't have any",
                "only Roth",
                "only a Roth IRA",
                "only Roth IRAs",
                "just Roth",
                "just a Roth IRA",
                "just Roth IRAs",
            ),
            "es": (
                *_NONE_ES,
                "no tengo",
                "no tengo ninguna",
                "no tengo IRA",
                "no tengo IRAs",
                "sin IRA",
                "solo Roth",
                "solo una Roth IRA",
                "solo tengo Roth",
                "solo tengo una Roth IRA",
            ),
        },
    },
    "prior_pay": {
        "pay": {
            "en": (
                "same",
                "the same",
                "about the same",
                "roughly the same",
                "pretty much the same",
                "same as this year",
                "the same as this year",
                "same as now",
                "same as my pay",
                "same as pay",
                "same as above",
                "same pay",
                "same salary",
                "similar",
                "no change",
                "it didn't change",
                "unchanged",
            ),
            "es": (
                "lo mismo",
                "igual",
                "más o menos igual",
                "casi igual",
                "igual que este año",
                "lo mismo que este año",
                "igual que ahora",
                "parecido",
                "similar",
                "el mismo",
                "el mismo salario",
                "mismo salario",
                "sin cambios",
                "no cambió",
            ),
        },
    },
    "tax_rate": {
        **{
            f"0.{rate}": {
                "en": (
                    f"{rate}% bracket",
                    f"the {rate}% bracket",
                    f"{rate}% tax bracket",
                    f"the {rate}% tax bracket",
                    f"{rate} percent bracket",
                    f"I'm in the {rate}% bracket",
                ),
                "es": (
                    f"tramo del {rate}%",
                    f"el tramo del {rate}%",
                    f"tramo de {rate}%",
                    f"estoy en el tramo del {rate}%",
                    f"{rate}% tramo",
                ),
            }
            for rate in _BRACKETS
        },
        "skip": {
            "en": (
                "skip",
                "skip it",
                "skip this",
                "pass",
                "next",
                "no",
                "no thanks",
                "rather not say",
                "I'd rather not say",
                "prefer not to say",
                "not needed",
                "later",
            ),
            "es": (
                "omitir",
                "omítelo",
                "saltar",
                "sáltalo",
                "paso",
                "siguiente",
                "no",
                "no, gracias",
                "prefiero no decir",
                "prefiero no decirlo",
                "después",
                "luego",
            ),
        },
    },
    # --- the HR setup (dialogs/plan_setup.py) ---------------------------------------------
    "plan_after_tax": {"yes": _ACCEPTS_AFTER_TAX, "no": _NO_AFTER_TAX},
    "plan_in_service": {
        "no": {
            "en": (
                "only when they leave",
                "only after they leave",
                "only when you leave",
                "only after you leave",
                "only at separation",
                "only at termination",
                "only after termination",
                "not while employed",
            ),
            "es": (
                "solo al salir",
                "solo al dejar la empresa",
                "solo cuando se van",
                "solo cuando te vas",
                "solo al terminar el empleo",
                "solo después de salir",
            ),
        },
    },
    "plan_auto": {"yes": _AUTOMATIC, "no": _MANUAL},
    "plan_cap": {"none": _NO_CAP},
    "plan_match": {
        "none": {
            "en": (
                *_NONE_EN,
                "0%",
                "no",
                "nope",
                "no match",
                "no employer match",
                "no matching",
                "we don't match",
                "we don't offer a match",
                "there is no match",
                "there's no match",
                "doesn't match",
            ),
            "es": (
                *_NONE_ES,
                "0%",
                "no",
                "sin match",
                "no hay match",
                "no hay",
                "no tenemos match",
                "no ofrecemos match",
                "sin aporte del empleador",
                "sin aportación del empleador",
            ),
        },
    },
    "plan_nonelective": {
        "none": {
            "en": (
                *_NONE_EN,
                "0%",
                "no",
                "nope",
                "no nonelective",
                "no nonelective contribution",
                "no profit sharing",
                "no profit-sharing",
                "just the match",
                "only the match",
                "match only",
                "just match",
            ),
            "es": (
                *_NONE_ES,
                "0%",
                "no",
                "no hay",
                "sin aporte",
                "sin profit sharing",
                "sin aportación no electiva",
                "solo el match",
                "solo match",
            ),
        },
    },
    "pay_frequency": _FREQUENCY,
    "plan_frequency": _FREQUENCY,
    "plan_step": _STEP,
    "plan_true_up": {"yes": _TRUE_UP, "no": _NO_TRUE_UP},
}

_FREQUENCY_LEFT_OUT: Final = (
    "quincenal",  # every two weeks in some places, twice a month in others
    "quincenalmente",
    "cada quince días",
    "cada 15 días",
    "por quincena",
    "every 15 days",
    "bimonthly",  # twice a month, or every two months?
    "bi-monthly",
    "bimensual",
    "bisemanal",  # twice a week, or every two weeks?
)

LEFT_OUT: Final[Mapping[str, tuple[str, ...]]] = {
    "after_tax": ("Roth", "only Roth", "Roth only", "solo Roth"),  # Roth is not after-tax
    "plan_after_tax": ("Roth", "only Roth", "Roth only", "solo Roth"),
    "conversion": (
        "conversion",  # an in-plan conversion, or a rollover to a Roth IRA (also a conversion)?
        "convert",
        "Roth conversion",
        "conversión",
        "convertir",
        "Roth",
        "rollover",  # an in-plan Roth rollover, or an in-service rollover to an IRA?
        "roll over",
        "roll it over",
        "either",  # both, or one of them and I don't know which?
        "either one",
        "cualquiera",
        "one of them",
        "una de las dos",
    ),
    "after_tax_cap": _CAP_LEFT_OUT,
    "plan_cap": _CAP_LEFT_OUT,
    "filing_status": (
        "separately",  # lived together, or apart all year?
        "separate",
        "married separately",
        "married separate",
        "married filing separately",
        "filing separately",
        "file separately",
        "MFS",
        "por separado",
        "casado por separado",
        "casado/a, por separado",
        "casada por separado",
        "separado",
        "separada",
        "separados",
        "separated",
        "together",  # filing together (jointly), or lived together (separately)?
        "juntos",
        "lived together",
        "we live together",
        "vivimos juntos",
        "vivieron juntos",
        "unmarried",  # single, or head of household?
        "not married",
        "no casado",
        "divorced",
        "divorciado",
        "divorciada",
        "widowed",
        "viudo",
        "viuda",
    ),
    "plan_in_service": (
        "after 59 1/2",  # yes for some people, no for the rest
        "only after 59 and a half",
        "después de los 59 y medio",
    ),
    "pay_frequency": _FREQUENCY_LEFT_OUT,
    "plan_frequency": _FREQUENCY_LEFT_OUT,
}

UNSURE_MEANS: Final[Mapping[str, str]] = {
    "conversion": "unsure",
    "tax_rate": "skip",
    "after_tax_cap": "unsure",
    "deferrals_so_far": "unsure",
    "match_limit": "unsure",
}
"""Questions that are not yes/no, and the option meaning "not sure" there: whatever
`parse_yes_no` reads as not sure ("no sé", "idk", "?") stands for it."""

RELATIVE_YEARS: Final[Mapping[str, Phrases]] = {
    "0": {
        "en": (
            "this year",
            "this tax year",
            "the current year",
            "current year",
            "this one",
            "now",
            "for this year",
        ),
        "es": ("este año", "el año actual", "año actual", "este", "el actual", "para este año"),
    },
    "-1": {
        "en": (
            "last year",
            "last tax year",
            "the previous year",
            "previous year",
            "the prior year",
            "prior year",
            "for last year",
        ),
        "es": (
            "el año pasado",
            "año pasado",
            "el pasado",
            "el año anterior",
            "año anterior",
            "el anterior",
            "para el año pasado",
        ),
    },
    "1": {
        "en": ("next year", "the coming year", "the upcoming year", "for next year"),
        "es": (
            "el año que viene",
            "año que viene",
            "el próximo año",
            "próximo año",
            "el año próximo",
            "el año siguiente",
            "el siguiente",
            "el próximo",
            "para el año que viene",
        ),
    },
}
"""`tax_year`: years counted from this one (a string, like every option value) -> phrases."""

# --- normalisation and lookup ----------------------------------------------------------

# Words before or after an answer that change nothing: "I'm single", "it's automatic",
# "we file jointly", "soy soltero", "the max", "el máximo", "max please".
_LEADING_RE: Final = re.compile(
    r"(?:i am|im|we are|were|its|it is|i would say|id say|"
    r"soy|estoy|somos|estamos|es|seria|"
    r"the|a|an|my|our|el|la|los|las|lo|un|una|mi|mis|nuestro|nuestra) "
)
_TRAILING_RE: Final = re.compile(r" (?:please|thanks|thank you|por favor|gracias)$")


def key(text: str) -> str:
    """How a phrase or a typed answer is compared: `parsing.normalise_words` (no case,
    accents or punctuation: "¡Casado/a!" -> "casado a"), then without leading words
    that change nothing ("I'm", "we're", "soy", "the", "el", "la"...) or a trailing
    "please"/"por favor". ParseError (kind "choice") when the text is not usable."""
    phrase = parsing.normalise_words(text, "choice")
    while (found := _LEADING_RE.match(phrase)) is not None:
        phrase = phrase[found.end() :]
    return _TRAILING_RE.sub("", phrase)


def _index(
    table: Mapping[str, Mapping[str, Phrases]], left_out: Mapping[str, tuple[str, ...]]
) -> dict[str, dict[str, str]]:
    """question -> key -> option value; ValueError if a key names two options of one
    question or is one the table leaves out."""
    index: dict[str, dict[str, str]] = {}
    for question, options in table.items():
        keys: dict[str, str] = {}
        for value, by_lang in options.items():
            for phrase in (p for phrases in by_lang.values() for p in phrases):
                found = keys.setdefault(key(phrase), value)
                if found != value:
                    raise ValueError(f"{question}: {phrase!r} names {found!r} and {value!r}")
        for phrase in left_out.get(question, ()):
            if key(phrase) in keys:
                raise ValueError(f"{question}: {phrase!r} is left out but in the table")
        index[question] = keys
    return index


_INDEX: Final = _index(SYNONYMS, LEFT_OUT)
_YEARS: Final = _index({"tax_year": RELATIVE_YEARS}, {})["tax_year"]
_YEAR_LABEL_RE: Final = re.compile(r"([0-9]{4}) (?:this year|este ano)")


def match_year(text: str, this_year: int) -> int | None:
    """The tax year a relative answer names, or None: "this year" / "este año" ->
    `this_year`, "last year" / "el año pasado" -> `this_year - 1`, "next year" / "el
    año que viene" -> `this_year + 1`; also the button's own label typed out ("2026 (this
    year)") when it is indeed this year. The caller checks that year has data."""
    try:
        phrase = key(text)
    except parsing.ParseError:
        return None
    if phrase in _YEARS:
        return this_year + int(_YEARS[phrase])
    found = _YEAR_LABEL_RE.fullmatch(phrase)
    if found is not None and int(found[1]) == this_year:
        return this_year
    return None


def match_synonym(
    question_id: str, text: str, lang: str, *, this_year: int | None = None
) -> str | None:
    """The option value `text` names for question `question_id`, or None.

    None for a question without synonyms, for text that names no option or could name
    two (see `LEFT_OUT`), and for any text `parsing` refuses to read (too long, non-ASCII
    digits...): this function raises only ValueError for an unsupported `lang`. For a
    question in `UNSURE_MEANS`, whatever `parse_yes_no` reads as not sure names that
    option. For `tax_year`, pass `this_year` (today's year) to get "this year" or "el
    año pasado" as a year (a string, like a button's value); without it, None.
    Phrases of both languages are understood whatever `lang` is.
    """
    parsing.language_code(lang)
    if question_id == "tax_year":
        if this_year is None:
            return None
        year = match_year(text, this_year)
        return None if year is None else str(year)
    try:
        found = _INDEX.get(question_id, {}).get(key(text))
    except parsing.ParseError:
        found = None  # "?" has no words, but may still be "not sure" below
    if found is not None or question_id not in UNSURE_MEANS:
        return found
    try:
        unsure = parsing.parse_yes_no(text, lang) is None
    except parsing.ParseError:
        return None
    return UNSURE_MEANS[question_id] if unsure else None
