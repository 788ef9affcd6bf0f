"""Builds deploy/'s kustomizations and finds the tools that check them. A missing tool fails the
test that needs it with the way to get it: `make test` installs every one of them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent.parent
DEPLOY = REPO / "deploy"
OVERLAYS = ("dev", "prod")
#: custom resources, checked against the JSON Schemas in deploy/schemas/ (file stem by apiVersion and kind)
SCHEMAS = {
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): "kafkatopic_v1beta2",
    ("keda.sh/v1alpha1", "ScaledObject"): "scaledobject_v1alpha1",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "triggerauthentication_v1alpha1",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor_v1",
}

Resource = dict[str, Any]


def venv_tool(name: str) -> str:
    """A tool installed into the virtualenv by the deploy dependency group."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed in {path.parent}: run `make install` (uv sync --group deploy)")
    return str(path)


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.fail("kubectl is not on PATH: `kubectl kustomize` builds the overlays; install kubectl (1.27 or later)")
    return path


def kustomize(directory: Path) -> list[Resource]:
    """`kubectl kustomize` of one kustomization, as a list of resources."""
    built = subprocess.run([kubectl(), "kustomize", str(directory)], capture_output=True, text=True, check=False)
    assert built.returncode == 0, f"kubectl kustomize {directory} failed:\n{built.stderr}"
    return [doc for doc in yaml.safe_load_all(built.stdout) if doc]


def of_kind(resources: list[Resource], kind: str) -> list[Resource]:
    return [r for r in resources if r["kind"] == kind]


def named(resources: list[Resource], kind: str, name: str) -> Resource:
    matches = [r for r in of_kind(resources, kind) if r["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} {name}, found {len(matches)}"
    return matches[0]


def env_of(container: Resource) -> dict[str, Any]:
    """A container's env entries by name: the literal value, or the valueFrom reference."""
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}
