"""Where the classifier's data files live, how they are read, and the version derived from them."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = PACKAGE_DIR / "data"
MAJOR_VERSION = "1.0"


# libyaml's loader when PyYAML was built with it: several times faster on the lexicons.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER)  # noqa: S506 - a safe loader, C or Python


def version_of(data_dir: Path) -> str:
    """`1.0+<hash>` over the classifier's code and data, so any change to either shows in output."""
    digest = hashlib.sha256()
    files = sorted(PACKAGE_DIR.glob("*.py")) + sorted(data_dir.glob("*.yaml"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{MAJOR_VERSION}+{digest.hexdigest()[:8]}"
