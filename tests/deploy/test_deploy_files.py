"""The operator's deploy/ folder, checked here without a Docker daemon or the network.

The Dockerfile is read with the `dockerfile` package (BuildKit's own Go parser), the
compose file is validated against the Compose Specification's JSON schema (the copy
that `check-jsonschema` ships), and the systemd units go through `systemd-analyze
verify` in a scratch root when the tool is there. The settings documented in
deploy/.env.example are compared with `bot.config.Settings`, both ways, so neither can
go stale without a failing test.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dockerfile
import jsonschema
import pytest
import yaml
from pydantic import AliasChoices, ValidationError

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PACKAGES = ("bot", "dialogs", "rules")

# ---------------------------------------------------------------- Dockerfile


def _stages() -> list[list[dockerfile.Command]]:
    stages: list[list[dockerfile.Command]] = []
    for command in dockerfile.parse_file(str(DEPLOY / "Dockerfile")):
        if command.cmd == "FROM":
            stages.append([])
        assert stages, f"{command.original!r} comes before the first FROM"
        stages[-1].append(command)
    return stages


def _only(stage: list[dockerfile.Command], name: str) -> dockerfile.Command:
    found = [c for c in stage if c.cmd == name]
    assert found, f"no {name} in the stage"
    return found[-1]  # the last one is the one that counts


def _flag(command: dockerfile.Command, name: str) -> str | None:
    for flag in command.flags:
        key, _, value = flag.partition("=")
        if key == f"--{name}":
            return value
    return None


def _env(stage: list[dockerfile.Command]) -> dict[str, str]:
    env: dict[str, str] = {}
    for command in stage:
        if command.cmd == "ENV":
            pairs = command.value
            env.update(zip(pairs[::2], pairs[1::2], strict=True))
    return env


def test_dockerfile_is_multi_stage_on_a_pinned_slim_python() -> None:
    stages = _stages()
    assert len(stages) >= 2
    names = []
    for stage in stages:
        image, *rest = stage[0].value
        assert re.fullmatch(r"python:3\.11(\.\d+)?-slim-[a-z]+", image), image
        names.append(rest[1].lower() if len(rest) == 2 and rest[0].upper() == "AS" else None)
    assert "builder" in names


def test_dependencies_are_installed_before_the_code_is_copied() -> None:
    """A code change must not reinstall the dependencies (layer caching)."""
    builder = next(s for s in _stages() if s[0].value[-1].lower() == "builder")
    installs = [i for i, c in enumerate(builder) if c.cmd == "RUN" and "pip install" in c.value[0]]
    copies = [i for i, c in enumerate(builder) if c.cmd in ("COPY", "ADD")]
    code = [i for i in copies if any(p.strip("./") in PACKAGES for p in builder[i].value[:-1])]
    assert installs
    assert code
    deps = installs[0]
    assert deps < min(code), "the dependencies' pip install comes before the code's COPY"
    before = {p for i in copies if i < deps for p in builder[i].value[:-1]}
    assert before <= {"pyproject.toml", "README.md"}, before
    project = [i for i in installs if i > max(code)]
    assert project, "the project itself is installed after its code is copied"
    line = builder[project[0]].value[0]
    assert "--no-deps" in line
    assert not re.search(r"(^|\s)(-e|--editable)(\s|$)", line), "a regular install, not -e"
    assert {p.strip("/") for i in code for p in builder[i].value[:-1]} == set(PACKAGES)


def test_the_dependency_step_reads_exactly_pyprojects_dependencies(tmp_path: Path) -> None:
    """Run the Dockerfile's own requirements one-liner against the real pyproject.toml."""
    builder = next(s for s in _stages() if s[0].value[-1].lower() == "builder")
    run = next(c.value[0] for c in builder if c.cmd == "RUN" and "tomllib" in c.value[0])
    words = shlex.split(run)
    code = words[words.index("-c") + 1]
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    listed = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.split()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = project["build-system"]["requires"] + project["project"]["dependencies"]
    assert listed == wanted


def test_final_stage_is_lean_and_runs_as_a_fixed_non_root_user() -> None:
    final = _stages()[-1]
    user = _only(final, "USER").value[0]
    uid = user.split(":")[0]
    assert uid.isdigit(), f"a fixed numeric uid, not {user!r}"
    assert int(uid) >= 1000, f"a non-root, non-system uid, not {user!r}"
    for command in final:
        if command.cmd in ("COPY", "ADD"):
            assert _flag(command, "from") == "builder", "only the venv comes into this stage"
            assert command.value == ("/opt/venv", "/opt/venv")
        if command.cmd == "RUN":
            assert not re.search(r"apt-get|apk |gcc|build-essential|pip ", command.value[0])


def test_final_stage_runtime_contract() -> None:
    final = _stages()[-1]
    health = _only(final, "HEALTHCHECK")
    assert health.json
    assert health.value == ("CMD", "python", "-m", "bot", "health")
    flags = {f.partition("=")[0]: f.partition("=")[2] for f in health.flags}
    assert flags == {
        "--interval": "30s",
        "--timeout": "5s",
        "--start-period": "30s",
        "--retries": "3",
    }
    entrypoint = _only(final, "ENTRYPOINT")
    assert entrypoint.json
    assert entrypoint.value == ("python", "-m", "bot")
    assert _only(final, "STOPSIGNAL").value == ("SIGTERM",)
    assert _only(final, "WORKDIR").value == ("/app",)
    assert _only(final, "VOLUME").value == ("/data",)
    assert _only(final, "EXPOSE").value == ("8080",)
    env = _env(final)
    assert {
        "MEGAROTH_DB": "/data/megaroth.sqlite3",
        "MEGAROTH_HEARTBEAT_FILE": "/data/heartbeat",
        "MEGAROTH_LISTEN": "0.0.0.0",
        "MEGAROTH_LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }.items() <= env.items()


# ---------------------------------------------------------------- .dockerignore


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """One .dockerignore pattern as Docker reads it (Go's filepath.Match plus `**`)."""
    pattern = os.path.normpath(pattern.strip().lstrip("/")).replace(os.sep, "/")
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                out, i = out + "(?:.*/)?", i + 1
            else:
                out += ".*"
            continue
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        elif char == "[":
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end]
            out += "[" + ("^" + body[1:] if body.startswith("^") else body) + "]"
            i = end
        else:
            out += re.escape(char)
        i += 1
    return re.compile(out)


def _dockerignore() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for raw in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        rules.append((negated, _pattern_regex(line.removeprefix("!"))))
    return rules


def _ignored(path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for negated, regex in _dockerignore():
        if any(regex.fullmatch(c) for c in candidates):
            ignored = not negated
    return ignored


def _files(path: Path) -> Iterator[str]:
    if path.is_file():
        yield path.relative_to(ROOT).as_posix()
        return
    for file in sorted(path.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts:
            yield file.relative_to(ROOT).as_posix()


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("pyproject.toml", False),
        ("README.md", False),
        ("bot/app.py", False),
        ("rules/parameters/elective_deferral_limit.yaml", False),
        ("dialogs/fonts/DejaVuSans.ttf", False),
        (".env", True),
        ("deploy/.env", True),
        ("bot/.env", True),
        ("megaroth.sqlite3", True),
        ("bot/megaroth.sqlite3-wal", True),
        ("bot/__pycache__/app.cpython-311.pyc", True),
        (".git/HEAD", True),
        (".venv/bin/python", True),
        ("tests/conftest.py", True),
        ("benchmarks/bench_bot.py", True),
    ],
)
def test_dockerignore_keeps_the_context_to_what_the_image_needs(path: str, ignored: bool) -> None:
    assert _ignored(path) is ignored


def test_every_copy_source_exists_and_reaches_the_builder() -> None:
    sources = 0
    for stage in _stages():
        for command in stage:
            if command.cmd not in ("COPY", "ADD") or _flag(command, "from"):
                continue
            for source in command.value[:-1]:
                path = ROOT / source
                assert path.exists(), f"{command.original!r}: {source} is not in the repo"
                files = list(_files(path))
                assert files, f"{source} is empty"
                ignored = [f for f in files if _ignored(f)]
                assert not ignored, f"{source}: .dockerignore leaves out {ignored[:5]}"
                sources += 1
    assert sources >= 5


# ---------------------------------------------------------------- compose.yaml

REGIONS = ("webhook", "telegram-bot-api")


def _compose(*regions: str) -> dict[str, Any]:
    """compose.yaml as shipped, or with the commented-out blocks of `regions` enabled:
    inside `# >>> NAME` ... `# <<< NAME`, `# ` lines are config and `## ` lines prose."""
    out, active = [], None
    for line in (DEPLOY / "compose.yaml").read_text(encoding="utf-8").splitlines():
        marker = re.match(r"\s*# (>>>|<<<) ([\w-]+)", line)
        if marker:
            active = marker[2] if marker[1] == ">>>" else None
            continue
        if active in regions:
            code = re.match(r"(\s*)# (.*)$", line)
            if line.lstrip().startswith("##"):
                continue
            if code:
                line = code[1] + code[2]
        out.append(line)
    data = yaml.safe_load("\n".join(out))
    assert isinstance(data, dict)
    return data


def _compose_validator() -> jsonschema.protocols.Validator:
    located = importlib.metadata.distribution("check-jsonschema").locate_file(
        "check_jsonschema/builtin_schemas/vendor/compose-spec.json"
    )
    schema = json.loads(Path(str(located)).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize(
    "regions", [(), ("webhook",), ("telegram-bot-api",), REGIONS], ids=lambda r: "+".join(r)
)
def test_compose_file_follows_the_compose_specification(regions: tuple[str, ...]) -> None:
    """As shipped, and with each documented optional block uncommented."""
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _compose_validator().iter_errors(_compose(*regions))
    ]
    assert not errors


def test_the_compose_schema_catches_mistakes() -> None:
    """So that the test above means something: a misspelt key is refused."""
    data = _compose()
    data["services"]["megaroth"]["restart_policy"] = "always"
    assert list(_compose_validator().iter_errors(data))


def test_compose_service() -> None:
    data = _compose()
    service = data["services"]["megaroth"]
    assert service["build"]["context"] == ".."
    assert (DEPLOY / service["build"]["context"]).resolve() == ROOT
    assert (ROOT / service["build"]["dockerfile"]) == DEPLOY / "Dockerfile"
    assert service["env_file"] == ".env"
    assert "megaroth-data:/data" in service["volumes"]
    assert "megaroth-data" in data["volumes"]
    assert service["restart"] == "unless-stopped"
    assert service["stop_grace_period"] == "30s"
    health = service.get("healthcheck", {})
    assert health.get("test", ["CMD", "python", "-m", "bot", "health"]) == [
        "CMD",
        *_only(_stages()[-1], "HEALTHCHECK").value[1:],
    ]
    assert "ports" not in service, "polling needs no published port"
    assert list(data["services"]) == ["megaroth"]


def test_compose_optional_blocks() -> None:
    webhook = _compose("webhook")["services"]["megaroth"]
    assert webhook["ports"] == ["127.0.0.1:8080:8080"], "loopback only, behind a TLS proxy"
    data = _compose("telegram-bot-api")
    server = data["services"]["telegram-bot-api"]
    assert server["image"].startswith("aiogram/telegram-bot-api")
    assert {"TELEGRAM_API_ID", "TELEGRAM_API_HASH"} <= set(server["environment"])
    volume = server["volumes"][0].split(":")[0]
    assert volume in data["volumes"]
    assert data["services"]["megaroth"]["depends_on"] == ["telegram-bot-api"]
    documented = _env_example()["TELEGRAM_BASE_URL"][0]
    assert documented == "http://telegram-bot-api:8081/bot", "the service's name and port"


# ---------------------------------------------------------------- systemd units

UNITS = ("megaroth.service", "megaroth-backup.service", "megaroth-backup.timer")


def _unit(name: str) -> dict[str, list[tuple[str, str]]]:
    """A unit file's sections as (key, value) lists: keys like Environment= repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), "no continuation lines"
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        assert current is not None, f"{name}: {line!r} outside a section"
        key, sep, value = line.partition("=")
        assert sep, f"{name}: {line!r} is not key=value"
        current.append((key.strip(), value.strip()))
    return sections


def _values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def _one(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> str:
    values = _values(unit, section, key)
    assert len(values) == 1, f"[{section}] {key}= {values}"
    return values[0]


def test_service_unit() -> None:
    unit = _unit("megaroth.service")
    assert _one(unit, "Unit", "Description")
    assert "network-online.target" in _one(unit, "Unit", "After").split()
    assert "network-online.target" in _one(unit, "Unit", "Wants").split()
    expected = {
        "User": "megaroth",
        "Group": "megaroth",
        "WorkingDirectory": "/opt/megaroth",
        "EnvironmentFile": "/etc/megaroth/megaroth.env",
        "ExecStart": "/opt/megaroth/.venv/bin/python -m bot",
        "Restart": "on-failure",
        "RestartSec": "5",
        "KillSignal": "SIGTERM",
        "TimeoutStopSec": "30",
        "StateDirectory": "megaroth",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "ReadWritePaths": "/var/lib/megaroth",
    }
    for key, value in expected.items():
        assert _one(unit, "Service", key) == value, key
    environment = dict(v.partition("=")[::2] for v in _values(unit, "Service", "Environment"))
    assert environment["MEGAROTH_DB"] == "/var/lib/megaroth/megaroth.sqlite3"
    assert environment["MEGAROTH_HEARTBEAT_FILE"].startswith("/var/lib/megaroth/")
    assert _one(unit, "Install", "WantedBy") == "multi-user.target"


def test_backup_units() -> None:
    service = _unit("megaroth-backup.service")
    assert _one(service, "Service", "Type") == "oneshot"
    assert _one(service, "Service", "User") == "megaroth"
    assert "backups" in _one(service, "Service", "StateDirectory")
    start = _one(service, "Service", "ExecStart")
    assert re.search(r'python -m bot backup "?/var/lib/megaroth/backups/megaroth-', start)
    timer = _unit("megaroth-backup.timer")
    assert _one(timer, "Timer", "OnCalendar")
    assert _one(timer, "Install", "WantedBy") == "timers.target"


def test_backup_command_line_expands_to_a_new_timestamped_file(tmp_path: Path) -> None:
    """Run ExecStart= as systemd would hand it to sh ($$ and %% unescaped), with a stand-in
    python that prints its arguments: the unit's escaping is easy to get wrong."""
    start = _one(_unit("megaroth-backup.service"), "Service", "ExecStart")
    words = shlex.split(start.replace("$$", "$").replace("%%", "%"))
    assert words[:2] == ["/bin/sh", "-c"]
    stand_in = tmp_path / "python"
    stand_in.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n', encoding="utf-8")
    stand_in.chmod(0o755)
    script = words[2].replace("/opt/megaroth/.venv/bin/python", str(stand_in))
    printed = subprocess.run(
        ["/bin/sh", "-c", script], capture_output=True, text=True, check=True, timeout=30
    ).stdout.splitlines()
    assert printed[:3] == ["-m", "bot", "backup"]
    assert re.fullmatch(r"/var/lib/megaroth/backups/megaroth-\d{8}T\d{6}Z\.sqlite3", printed[3])


def _scratch_root(root: Path, units: list[Path]) -> None:
    """A root with just what `verify` looks at: the units, stub executables for their
    commands, and empty stand-ins for the targets and slices they pull in."""
    system = root / "etc/systemd/system"
    system.mkdir(parents=True)
    library = root / "usr/lib/systemd/system"
    library.mkdir(parents=True)
    for unit in units:
        shutil.copy(unit, system)
        for line in unit.read_text(encoding="utf-8").splitlines():
            if re.match(r"Exec\w+=", line):
                binary = Path(line.partition("=")[2].lstrip("-@:+!").split()[0])
                stub = root / binary.relative_to("/")
                stub.parent.mkdir(parents=True, exist_ok=True)
                stub.write_text("#!/bin/sh\n", encoding="utf-8")
                stub.chmod(0o755)
    stand_ins = (
        "sysinit.target basic.target shutdown.target network-online.target network.target "
        "multi-user.target timers.target time-set.target time-sync.target "
        "system.slice -.slice"
    )
    for name in stand_ins.split():
        (library / name).write_text(f"[Unit]\nDescription={name}\n", encoding="utf-8")


def _verify(root: Path, *names: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", *names],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    """systemd's own parser: an unknown key or a bad value is reported (verify prints
    warnings yet exits 0 for many of them, so its output must be empty too)."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    control = tmp_path / "control"
    probe = tmp_path / "probe.service"
    probe.write_text("[Service]\nExecStart=/usr/bin/true\n", encoding="utf-8")
    _scratch_root(control, [probe])
    checked = _verify(control, "probe.service")
    if checked.returncode or checked.stderr.strip():
        pytest.skip(f"systemd-analyze verify does not work here: {checked.stderr.strip()}")
    root = tmp_path / "root"
    _scratch_root(root, [DEPLOY / name for name in UNITS])
    result = _verify(root, *UNITS)
    assert result.returncode == 0, result.stderr
    assert not (result.stderr + result.stdout).strip()
    broken = tmp_path / "broken"
    text = (DEPLOY / "megaroth.service").read_text(encoding="utf-8")
    (tmp_path / "megaroth.service").write_text(
        text.replace("Restart=on-failure", "Restart=sometimes\nProtectSystm=strict"),
        encoding="utf-8",
    )
    _scratch_root(broken, [tmp_path / "megaroth.service"])
    complaint = _verify(broken, "megaroth.service").stderr
    assert "sometimes" in complaint, "verify really checks values"
    assert "ProtectSystm" in complaint, "verify really checks keys"


# ---------------------------------------------------------------- settings and .env.example


def _setting_names() -> dict[str, str]:
    """Every Settings field by the variable an operator sets (TELEGRAM_* keep theirs)."""
    names = {}
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names[str(alias.choices[0])] = field
        elif isinstance(alias, str):
            names[alias] = field
        else:
            names[f"{Settings.model_config.get('env_prefix', '')}{field}".upper()] = field
    return names


def _env_example() -> dict[str, tuple[str, bool, str]]:
    """name -> (value, commented out, the explanation above it)."""
    settings: dict[str, tuple[str, bool, str]] = {}
    prose: list[str] = []
    for raw in (DEPLOY / ".env.example").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        match = re.fullmatch(r"(# )?([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            name = match[2]
            assert name not in settings, f"{name} twice"
            settings[name] = (match[3], bool(match[1]), " ".join(prose))
            prose = []
        elif line.startswith("#") and not line.startswith("# ----"):
            prose.append(line.lstrip("# "))
        else:
            prose = []
    return settings


def test_env_example_documents_every_setting_and_only_those() -> None:
    documented = set(_env_example())
    settings = set(_setting_names())
    assert settings - documented == set(), "settings missing from deploy/.env.example"
    assert documented - settings == set(), "deploy/.env.example lists unknown settings"


def test_env_example_explains_each_setting_and_leaves_defaults_commented() -> None:
    for name, (value, commented, explanation) in _env_example().items():
        assert len(explanation) >= 20, f"{name}: explain it on the line above"
        assert "#" not in value, f"{name}: no comment after a value (systemd keeps it)"
        assert value[:1] not in ("'", '"'), f"{name}: bare values"
        assert commented, f"{name}: leave it commented out"


def test_a_verbatim_copy_of_env_example_runs_the_terminal_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copied to .env as it is, the example starts the terminal chat, not a failure."""
    env = tmp_path / ".env"
    env.write_text((DEPLOY / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    for name in _setting_names():
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=env)
    assert settings.token is None  # python -m bot chats in the terminal


def _is_placeholder(value: str) -> bool:
    return value.startswith("<") and value.endswith(">")


def test_env_example_values_are_valid_and_show_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = _setting_names()
    fakes = {"token": "123456789:" + "x" * 35, "webhook_secret": "s" * 32}
    for name, (value, _, _) in _env_example().items():
        monkeypatch.setenv(name, fakes[names[name]] if _is_placeholder(value) else value)
    settings = Settings(_env_file=None)
    for name, (value, _, _) in _env_example().items():
        field = names[name]
        default = Settings.model_fields[field].default
        if default is not None:
            assert getattr(settings, field) == default, f"{name}={value} is not the default"


@pytest.mark.parametrize("name", ["TELEGRAM_BOT_TOKEN", "MEGAROTH_WEBHOOK_SECRET"])
def test_secret_placeholders_are_refused_not_used(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unedited copy stops with a clear error instead of calling Telegram with junk."""
    value = _env_example()[name][0]
    assert _is_placeholder(value)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_no_deploy_file_holds_a_real_looking_token() -> None:
    token = re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}\b")
    for path in [*DEPLOY.iterdir(), ROOT / ".dockerignore"]:
        if path.is_file():
            assert not token.search(path.read_text(encoding="utf-8")), path.name


def test_settings_set_by_the_image_and_the_units_exist() -> None:
    """A misspelt MEGAROTH_ variable would be ignored silently: catch it here."""
    names = set(_setting_names())
    set_by_image = {k for k in _env(_stages()[-1]) if k.startswith(("MEGAROTH_", "TELEGRAM_"))}
    assert set_by_image <= names
    for unit in UNITS:
        for value in _values(_unit(unit), "Service", "Environment"):
            key = value.partition("=")[0]
            assert key in names or not key.startswith("MEGAROTH_"), f"{unit}: {key}"


# ---------------------------------------------------------------- README


def test_deploy_readme_refers_to_real_things() -> None:
    text = (DEPLOY / "README.md").read_text(encoding="utf-8")
    variables = set(re.findall(r"\b(?:MEGAROTH|TELEGRAM)_[A-Z_]*[A-Z]\b", text))
    server_only = {"TELEGRAM_API_ID", "TELEGRAM_API_HASH"}  # the Bot API server's own
    assert variables - server_only <= set(_setting_names())
    paths = set(re.findall(r"\b(?:deploy|rules|tests|bot|dialogs)/[\w./*-]*[\w*]", text))
    assert paths
    for path in paths - {"deploy/.env"}:  # the operator's own copy of .env.example
        assert list(ROOT.glob(path)), f"{path} does not exist"
    for command in ("health", "stats", "backup", "prune"):
        assert f"python -m bot {command}" in text
    assert "## Scaling" in text
