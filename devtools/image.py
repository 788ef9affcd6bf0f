"""`make image` and the image half of `make test-deploy`: the container image built from the
locked dependencies, with no network inside the build.

- exports uv.lock's runtime dependencies, builds their wheels on this machine (checked
  against the lock's hashes) into .run/image/, then builds the Dockerfile with buildah, podman
  or docker, whichever is installed.
- `--debian-base`: where no registry is reachable (no `python:3.11-slim-bookworm` to pull), a
  base image is made instead from Debian's own packages (debootstrap + python3, from the mirror
  apt uses) and cached as a local image; with `--install-tools`, podman, buildah, runc and
  debootstrap are installed from Debian's packages first when missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".run" / "image"
UV = ROOT / ".tools" / "bin" / "uv"
DEFAULT_TAG = "localhost/sitrep:dev"
DEBIAN_BASE = "localhost/sitrep-base:bookworm"
DEBIAN_BASE_DIR = Path("/var/tmp/sitrep-base")  # noqa: S108  # a work dir kept across checkouts, not a temp file
HOST_TOOLS = {"podman": "podman", "buildah": "buildah", "runc": "runc", "debootstrap": "debootstrap"}
# Left out of the Debian base: documentation, translations and apt's caches (about 150 MB).
TRIM = ("usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale", "var/cache/apt", "var/lib/apt/lists")

app = typer.Typer(add_completion=False, help=__doc__)


def run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(map(str, args)), flush=True)
    return subprocess.run([str(a) for a in args], check=True, text=True, **kwargs)  # type: ignore[call-overload,no-any-return]


def install_host_tools() -> None:
    """podman, buildah, runc and debootstrap from Debian's packages, when any is missing."""
    missing = [package for tool, package in HOST_TOOLS.items() if shutil.which(tool) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(f"missing {', '.join(missing)}: install them (apt-get install {' '.join(missing)})")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)


def wheelhouse() -> Path:
    """The runtime dependencies as wheels in .run/image/wheels, and requirements.txt naming them.

    Rebuilt only when the lock's export changes. Wheels are built here rather than in the image
    build, which may have no network (or no trusted TLS); `pip wheel --require-hashes` checks each
    download against uv.lock, and sdists (sgmllib3k) become wheels once."""
    WORK.mkdir(parents=True, exist_ok=True)
    export = ["--frozen", "--no-dev", "--no-emit-project", "--format", "requirements.txt", "--no-header"]
    locked = run(UV, "export", *export, capture_output=True).stdout
    names = run(UV, "export", *export, "--no-hashes", "--no-annotate", capture_output=True).stdout
    locked_file, wheels, stamp = WORK / "requirements.locked.txt", WORK / "wheels", WORK / "wheels.done"
    if stamp.exists() and locked_file.exists() and locked_file.read_text() == locked:
        return wheels
    stamp.unlink(missing_ok=True)
    shutil.rmtree(wheels, ignore_errors=True)
    locked_file.write_text(locked)
    # uv's virtualenv has no pip; the one the Makefile installs uv with has.
    python = sys.executable if _has_pip(sys.executable) else str(ROOT / ".tools" / "bin" / "python")
    pip = [python, "-m", "pip"]
    run(*pip, "wheel", "--quiet", "--require-hashes", "--no-deps", "-r", locked_file, "-w", wheels)
    (WORK / "requirements.txt").write_text(names)
    stamp.touch()
    return wheels


def _has_pip(python: str) -> bool:
    return subprocess.run([python, "-m", "pip", "--version"], capture_output=True, check=False).returncode == 0


def _apt_mirror() -> tuple[str, str]:
    """The Debian mirror and suite apt on this machine uses (deb822 or one-line sources)."""
    suite = next(
        line.split("=", 1)[1].strip().strip('"')
        for line in Path("/etc/os-release").read_text().splitlines()
        if line.startswith("VERSION_CODENAME=")
    )
    sources = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]
    for source in sources:
        if not source.is_file():
            continue
        text = source.read_text()
        for match in re.finditer(r"^URIs:\s*(\S+)|^deb\s+(?:\[[^]]*\]\s+)?(\S+)", text, re.MULTILINE):
            uri = match.group(1) or match.group(2)
            if uri.rstrip("/").endswith("/debian"):
                return uri, suite
    return "http://deb.debian.org/debian", suite


def _image_exists(ref: str) -> bool:
    return subprocess.run(["podman", "image", "exists", ref], check=False).returncode == 0  # noqa: S607  # podman from PATH


def debian_base() -> str:
    """A python3 base image from Debian's packages, made once and kept as a local image."""
    if _image_exists(DEBIAN_BASE):
        return DEBIAN_BASE
    mirror, suite = _apt_mirror()
    DEBIAN_BASE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DEBIAN_BASE_DIR) as tmp:
        rootfs = Path(tmp) / "rootfs"
        run("debootstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates", suite, rootfs, mirror)
        for path in TRIM:
            shutil.rmtree(rootfs / path, ignore_errors=True)
        tarball = Path(tmp) / "rootfs.tar"
        run("tar", "--numeric-owner", "-C", rootfs, "-cf", tarball, ".")
        run("podman", "import", "--change", 'CMD ["python3"]', tarball, DEBIAN_BASE)
    return DEBIAN_BASE


def _builder() -> list[str]:
    if shutil.which("buildah"):
        return ["buildah", "bud", "--isolation", "chroot", "--layers"]
    for tool in ("podman", "docker"):
        if shutil.which(tool):
            return [tool, "build"]
    raise SystemExit("no image builder: install buildah, podman or docker")


def build(tag: str, base: str | None) -> None:
    wheelhouse()
    revision = run("git", "-C", ROOT, "rev-parse", "HEAD", capture_output=True).stdout.strip()
    created = run("git", "-C", ROOT, "log", "-1", "--format=%cI", capture_output=True).stdout.strip()
    args = ["--build-arg", f"REVISION={revision}", "--build-arg", f"CREATED={created}"]
    if base:
        args += ["--build-arg", f"BASE_IMAGE={base}"]
    run(*_builder(), "-f", ROOT / "Dockerfile", "-t", tag, *args, ROOT)


@app.command()
def build_command(
    tag: Annotated[str, typer.Option(help="Name the image this.")] = DEFAULT_TAG,
    base: Annotated[str | None, typer.Option(help="BASE_IMAGE (default: the Dockerfile's).")] = None,
    debian_base_image: Annotated[
        bool, typer.Option("--debian-base", help="Make and use a base from Debian's packages (no registry needed).")
    ] = False,
    install_tools: Annotated[
        bool, typer.Option("--install-tools", help="apt-get install podman, buildah, runc, debootstrap if missing.")
    ] = False,
) -> None:
    started = time.monotonic()
    if install_tools:
        install_host_tools()
    if debian_base_image:
        base = debian_base()
    build(tag, base)
    print(f"image {tag} built in {time.monotonic() - started:.0f}s", flush=True)


if __name__ == "__main__":
    app()
