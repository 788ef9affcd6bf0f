"""The Dockerfile: hadolint-clean (with .hadolint.yaml's required OCI labels), multi-stage, the
dependency layer apart from the source, non-root, and nothing but the venv and code carried over."""

from __future__ import annotations

import re
import subprocess

from tests.deploy.manifests import REPO, venv_tool

DOCKERFILE = REPO / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def test_hadolint_finds_nothing() -> None:
    linted = subprocess.run(
        [venv_tool("hadolint"), "--config", str(REPO / ".hadolint.yaml"), str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode == 0 and not linted.stdout.strip(), linted.stdout + linted.stderr


def test_hadolint_config_requires_the_oci_labels() -> None:
    """The label rule is live: the Dockerfile without its LABEL fails."""
    unlabelled = re.sub(r"^LABEL .*?(?<!\\)\n", "", re.sub(r"\\\n", " ", DOCKERFILE.read_text()), flags=re.M | re.S)
    linted = subprocess.run(
        [venv_tool("hadolint"), "--config", str(REPO / ".hadolint.yaml"), "-"],
        input=unlabelled,
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode != 0 and "org.opencontainers.image" in linted.stdout


def test_base_is_an_argument_defaulting_to_the_official_slim_python() -> None:
    args = [a for i, a in _instructions() if i == "ARG"]
    assert "BASE_IMAGE=python:3.11-slim-bookworm" in args
    assert all(a.split()[0] == "${BASE_IMAGE}" for i, a in _instructions() if i == "FROM")


def test_dependencies_are_a_layer_before_the_source() -> None:
    build, _ = _stages()
    copies = [a for i, a in build if i == "COPY"]
    requirements = next(n for n, a in enumerate(copies) if "requirements.txt" in a)
    source = next(n for n, a in enumerate(copies) if a.startswith("services/"))
    assert requirements < source
    assert "--no-index" in next(a for i, a in build if i == "RUN" and "pip install" in a)


def test_final_stage_is_non_root_and_carries_no_build_tools() -> None:
    _, final = _stages()
    (user,) = [a for i, a in final if i == "USER"]
    assert re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", user), "numeric, so runAsNonRoot can verify it"
    # Only the virtualenv (pip removed), the classifier's cache and the code come from the build stage.
    assert sorted(a for i, a in final if i == "COPY") == [
        "--from=build /app /app",
        "--from=build /opt/sitrep/cache /opt/sitrep/cache",
        "--from=build /opt/sitrep/venv /opt/sitrep/venv",
    ]
    assert not [a for i, a in final if i == "RUN" and re.search(r"apt-get|pip |gcc|make", a)]
    assert "pip uninstall --yes pip setuptools" in " ".join(a for i, a in _stages()[0] if i == "RUN")
    env = " ".join(a for i, a in final if i == "ENV")
    assert "SITREP_CACHE_DIR=/opt/sitrep/cache" in env
    assert "PYTHONDONTWRITEBYTECODE=1" in env


def test_build_context_is_what_the_image_needs() -> None:
    lines = [line for line in (REPO / ".dockerignore").read_text().splitlines() if line and line[0] != "#"]
    assert lines[0] == "*", "everything is excluded unless named"
    assert {"!services/", "!deploy/base/feeds.yaml", "!.run/image/wheels/"} <= set(lines)
