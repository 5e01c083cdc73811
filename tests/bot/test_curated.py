"""The operator's curated plans file: read, validated with the bad entry named, synced."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bot.curated import load_plans_file
from bot.sqlite_store import Store
from dialogs.plans import CuratedPlanError, PlanProfile
from dialogs.session import MatchFormula, PlanAnswers

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "plans.example.toml"
GOOD = """
[plans.acme]
code = "Zt0n6bq1d9QmV3xW"
name = "Acme 401(k)"
after_tax = true
in_plan_conversion = true
after_tax_cap_percent = 12.5
match = "100% of the first 3% and 50% of the next 2%"
pay_frequency = "semimonthly"
contact = "https://intranet.acme.example/401k"
updated = 2026-03-02
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plans.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_file_loads() -> None:
    [profile] = load_plans_file(EXAMPLE)
    assert profile.name == "Acme 401(k)"
    assert profile.verified
    assert profile.owner_id is None
    assert profile.answers.plan_nonelective == Decimal(3)


def test_a_good_entry(tmp_path: Path) -> None:
    [profile] = load_plans_file(write(tmp_path, GOOD))
    assert profile == PlanProfile(
        code="Zt0n6bq1d9QmV3xW",
        name="Acme 401(k)",
        owner_id=None,
        updated=dt.date(2026, 3, 2),
        verified=True,
        answers=PlanAnswers(
            plan_name="Acme 401(k)", plan_after_tax="yes", plan_in_plan="yes",
            plan_in_service="no", plan_auto="no", plan_cap=Decimal("12.5"),
            plan_match=MatchFormula(
                rate=Decimal(100), up_to=Decimal(3), next_rate=Decimal(50), next_up_to=Decimal(2)
            ),
            plan_nonelective="none", plan_frequency="semimonthly",
            plan_contact="https://intranet.acme.example/401k",
            # Issue 14's settings, left out of the entry: a true-up not stated (people are
            # asked), elections in whole percents (the file's default step).
            plan_true_up=None, plan_step="1",
        ),
    )  # fmt: skip
    assert str(profile.answers.plan_cap) == "12.5"  # exact, not a binary float


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('code = "Zt0n6bq1d9QmV3xW"', 'code = "acme"'), "plans.acme: code: String should match"),
        (("after_tax = true", 'after_tax = "maybe"'), "plans.acme: after_tax: Input should be"),
        (("after_tax = true\n", ""), "plans.acme: after_tax: Field required"),
        (
            ('match = "100% of the first 3% and 50% of the next 2%"', 'match = "lots"'),
            "plans.acme: match: must be a formula",
        ),
        (("12.5", "150"), "plans.acme: after_tax_cap_percent: Input should be less than"),
        (('"semimonthly"', '"fortnightly"'), "plans.acme: pay_frequency: Input should be"),
        (("updated = 2026-03-02", "updated = 2026-13-02"), "not valid TOML"),
        (("name =", "nmae ="), "plans.acme: name: Field required"),
    ],
)
def test_a_bad_entry_is_named(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    good = GOOD + GOOD.replace("[plans.acme]", "[plans.zeta]").replace("Zt0n6", "Zeta9")
    text = good.replace(*change, 1)
    with pytest.raises(CuratedPlanError) as caught:
        load_plans_file(write(tmp_path, text))
    assert message in str(caught.value)
    assert "plans.toml" in str(caught.value)


def test_duplicate_codes_and_odd_tables(tmp_path: Path) -> None:
    twice = GOOD + GOOD.replace("[plans.acme]", "[plans.again]")
    with pytest.raises(
        CuratedPlanError, match=r"plans\.again: code is already used by plans\.acme"
    ):
        load_plans_file(write(tmp_path, twice))
    with pytest.raises(CuratedPlanError, match="unknown table 'plan'"):
        load_plans_file(write(tmp_path, GOOD.replace("[plans.acme]", "[plan.acme]")))
    with pytest.raises(CuratedPlanError, match="can't read it"):
        load_plans_file(tmp_path / "missing.toml")


def test_the_store_syncs_curated_profiles(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    [acme] = load_plans_file(write(tmp_path, GOOD))
    store.load_curated([acme])
    store.count_start(acme.code)
    store.load_curated([acme])  # a restart keeps the count
    loaded = store.get_plan(acme.code)
    assert loaded is not None
    assert loaded.starts == 1
    assert loaded.verified
    store.load_curated([])  # removed from the file: gone
    assert store.get_plan(acme.code) is None
    store.close()


def test_a_curated_code_may_not_take_a_persons_profile(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    [acme] = load_plans_file(write(tmp_path, GOOD))
    store.save_plan(dataclasses.replace(acme, owner_id=5, verified=False))
    with pytest.raises(ValueError, match="already used by a profile set up in chat"):
        store.load_curated([acme])
    store.close()


def test_start_up_refuses_a_bad_file_with_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('"semimonthly"', '"daily"'))
    env = {"MEGAROTH_PLANS_FILE": str(path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("configuration error: MEGAROTH_PLANS_FILE ")
    assert "plans.acme: pay_frequency" in lines[0]
    assert "Traceback" not in done.stderr
