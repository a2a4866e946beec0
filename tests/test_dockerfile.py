"""The Dockerfile installs exactly what the Makefile installs, and runs the app safely.

Parses both files (no Docker engine needed): same torch pin, torch first, the same requirement
and constraint files, no torchvision anywhere, a health check, a non-root user, a data volume.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "Dockerfile"
MAKEFILE = REPO / "Makefile"


@dataclass(frozen=True)
class PipInstall:
    """One `pip install` command: its requirement specs and its -r / -c files."""

    packages: tuple[str, ...]
    files: frozenset[tuple[str, str]]  # ("-r" | "-c", path)


def _pip_installs(shell: str) -> list[PipInstall]:
    """Every `pip install` in a shell command line, in order (split on && and ;)."""
    found = []
    for part in re.split(r"&&|;|\|\|", shell):
        words = shlex.split(part, comments=True)
        pip_at = [i for i, w in enumerate(words) if w == "pip" or w.endswith("/pip")]
        if not pip_at or "install" not in words[pip_at[0] :]:
            continue
        args = words[words.index("install", pip_at[0]) + 1 :]
        packages, files, i = [], set(), 0
        while i < len(args):
            if args[i] in {"-r", "-c", "--requirement", "--constraint"}:
                files.add(("-c" if args[i] in {"-c", "--constraint"} else "-r", args[i + 1]))
                i += 2
                continue
            if not args[i].startswith("-"):
                packages.append(args[i])
            i += 1
        found.append(PipInstall(tuple(packages), frozenset(files)))
    return found


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def _docker_pip_installs() -> list[PipInstall]:
    return [p for kw, arg in _dockerfile_instructions() if kw == "RUN" for p in _pip_installs(arg)]


def _make_variables(text: str) -> dict[str, str]:
    return dict(re.findall(r"^([A-Z_]+)\s*[:?]?=\s*(.*)$", text, flags=re.MULTILINE))


def _expand(value: str, variables: dict[str, str]) -> str:
    for _ in range(10):  # nested $(VAR) references
        value = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), value)
    return value


def _make_runtime_installs() -> list[PipInstall]:
    """`pip install`s in the recipe of the Makefile's runtime-install target, $(RUNTIME)."""
    text = MAKEFILE.read_text(encoding="utf-8")
    recipe = re.search(r"^\$\(RUNTIME\):.*\n((?:\t.*\n)+)", text, flags=re.MULTILINE)
    assert recipe is not None, "Makefile has no $(RUNTIME): target with a recipe"
    variables = _make_variables(text)
    lines = [_expand(line, variables) for line in recipe.group(1).splitlines()]
    return [p for line in lines for p in _pip_installs(line)]


def _torch_pins(installs: list[PipInstall]) -> list[str]:
    return [pkg for p in installs for pkg in p.packages if re.match(r"torch\b", pkg)]


def test_both_install_the_same_torch_pin_first_then_the_same_files() -> None:
    docker, make = _docker_pip_installs(), _make_runtime_installs()
    assert len(make) == 2, make
    assert docker == make  # same commands, same order, same pins, same files
    assert _torch_pins(make) == ["torch==2.13.0"] and make[0].packages == ("torch==2.13.0",)
    assert make[1].files == {("-c", "constraints.txt"), ("-r", "requirements.txt")}


def test_constraints_pin_the_same_torch() -> None:
    constraints = (REPO / "constraints.txt").read_text(encoding="utf-8")
    pins = re.findall(r"^torch==(\S+)", constraints, flags=re.MULTILINE)
    assert [f"torch=={v}" for v in pins] == _torch_pins(_make_runtime_installs())


def test_the_installed_files_are_copied_in_before_the_install() -> None:
    instructions = _dockerfile_instructions()
    first_pip = next(i for i, (kw, arg) in enumerate(instructions) if kw == "RUN" and "pip" in arg)
    copied = {
        word
        for kw, arg in instructions[:first_pip]
        if kw == "COPY"
        for word in shlex.split(arg)[:-1]
    }
    assert {"requirements.txt", "constraints.txt"} <= copied


@pytest.mark.parametrize(
    "path", ["requirements.txt", "requirements-dev.txt", "constraints.txt", "Dockerfile"]
)
def test_no_torchvision(path: str) -> None:
    text = (REPO / path).read_text(encoding="utf-8")
    if path != "Dockerfile":  # the pin files explain in comments why it is absent
        text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert "torchvision" not in text.lower()


def test_default_base_is_cpu_python_311_and_overridable() -> None:
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("ARG", "BASE_IMAGE=python:3.11-slim-bookworm")
    assert ("FROM", "${BASE_IMAGE}") in instructions


def test_runs_as_a_non_root_user() -> None:
    users = [arg for kw, arg in _dockerfile_instructions() if kw == "USER"]
    assert users, "the image must switch to a non-root USER"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_data_folder_is_a_volume() -> None:
    instructions = _dockerfile_instructions()
    env = " ".join(arg for kw, arg in instructions if kw == "ENV")
    data = re.search(r"LIFTCOACH_DATA=(\S+)", env)
    assert data is not None, "ENV LIFTCOACH_DATA must name the data folder"
    volumes = [arg for kw, arg in instructions if kw == "VOLUME"]
    assert any(data.group(1) in v for v in volumes), (data.group(1), volumes)


def test_healthcheck_and_command_serve_streamlit() -> None:
    instructions = dict(_dockerfile_instructions())
    assert "/_stcore/health" in instructions["HEALTHCHECK"]
    assert "localhost:8501" in instructions["HEALTHCHECK"]
    command = instructions["CMD"]
    assert re.search(r'"streamlit",\s*"run",\s*"app.py"', command)
    assert re.search(r'"--server.address",\s*"0.0.0.0"', command)


def test_compose_runs_the_app_on_postgresql_behind_a_local_port() -> None:
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    app, db = compose["services"]["app"], compose["services"]["db"]
    assert app["build"] == "." and db["image"].startswith("postgres:")
    assert app["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert all(p.startswith("127.0.0.1:") for p in app["ports"])  # a TLS proxy is the way in
    assert "LIFTCOACH_SINGLE_USER" not in app["environment"]


def test_the_image_keeps_xsrf_protection_and_carries_the_migrations() -> None:
    text = DOCKERFILE.read_text()
    assert '"--server.enableXsrfProtection", "true"' in text
    ignored = (REPO / ".dockerignore").read_text().split()
    assert "alembic" not in ignored and "alembic.ini" not in ignored


def test_the_unlicensed_evaluation_clips_never_reach_an_image() -> None:
    """`COPY . .` takes everything the ignore file lets through; .eval-data holds clips with no
    licence (../shared/eval-sources), rebuilt locally and never to be shipped."""
    ignored = {line.strip().strip("/") for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}  # fmt: skip
    assert ".eval-data" in ignored


@pytest.mark.parametrize("name", ["compose.yaml", "compose.ray.yaml"])
def test_compose_files_publish_the_app_on_this_host_only(name: str) -> None:
    """The first visitor creates the admin account: only the TLS proxy in front may reach it."""
    import yaml

    services = yaml.safe_load((REPO / name).read_text())["services"]
    published = [str(p) for s in services.values() for p in s.get("ports", [])]
    assert published and all(p.startswith("127.0.0.1:") for p in published)
