"""`make test-deploy`: the image for real, as the dev overlay runs it. Not collected by `make test`
(the file name does not match test_*.py); the Makefile builds the image, then runs this file.

The embedded broker and the demo feed server listen on the host's loopback; each stage runs
from the image with the dev overlay's command, settings and feed-list mount, on the host's
network, with a read-only root filesystem, a tmpfs /tmp, the overlay's non-root user and no
capabilities. The check: every /readyz answers 200, an enriched article arrives, and each stage
drains and exits 0 on SIGTERM."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from devtools.broker import EmbeddedBroker, free_port
from devtools.feedserver import FeedServer
from services.kit.models import EnrichedArticle
from tests.deploy.manifests import DEPLOY, Resource, env_of, kustomize, of_kind
from tests.support import SHARED, Topics, wait_for_records

IMAGE = os.environ.get("SITREP_IMAGE", "localhost/sitrep:dev")
#: an OCI runtime wrapper for sandboxes that forbid setting rlimits (see ../shared/tools/README.md)
RUNTIME = SHARED / "tools" / "runc-no-rlimits"
READY_TIMEOUT_S = 90.0
ENRICHED_TIMEOUT_S = 120.0


def podman(*args: str) -> list[str]:
    runtime = ["--runtime", str(RUNTIME)] if RUNTIME.exists() else []
    return ["podman", *runtime, *args]


async def call(*command: str) -> tuple[int, str]:
    """Runs a command off the event loop (which is serving the feeds); exit code and output."""
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(errors="replace")


@dataclass
class Stage:
    name: str
    container: str
    health_port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.health_port}"

    async def logs(self) -> str:
        return (await call("podman", "logs", "--tail", "40", self.container))[1]

    async def state(self) -> str:
        return (await call("podman", "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", self.container))[1]


def run_arguments(deployment: Resource, settings: dict[str, str], overrides: dict[str, str], feeds: Path) -> list[str]:
    """`podman run` arguments that reproduce the Deployment's container on the host network."""
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == IMAGE, f"the dev overlay runs {container['image']}, this check built {IMAGE}"
    security = pod["securityContext"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    env = settings | {k: v for k, v in env_of(container).items() if isinstance(v, str)} | overrides
    tmp = next(v["emptyDir"] for v in pod["volumes"] if v["name"] == "tmp")
    assert tmp["sizeLimit"].endswith("Mi")
    arguments = [
        "--network=host",
        "--read-only",
        f"--tmpfs=/tmp:rw,size={tmp['sizeLimit'].removesuffix('Mi')}m,mode=1777",
        f"--user={security['runAsUser']}:{security['runAsGroup']}",
        "--cap-drop=ALL",
        "--security-opt=no-new-privileges",
    ]
    config_maps = {v["name"] for v in pod["volumes"] if "configMap" in v}
    for mount in container["volumeMounts"]:
        if mount["name"] in config_maps:  # the feed list, mounted as the ConfigMap would be
            arguments.append(f"--volume={feeds}:{mount['mountPath']}:ro")
    arguments += [f"--env={k}={v}" for k, v in sorted(env.items())]
    return [*arguments, container["image"], *container["args"]]


def feed_list(server: FeedServer, tmp_path: Path) -> Path:
    """The demo feeds in a directory the containers' user can read, as the ConfigMap mount is."""
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "feeds.yaml").write_text(server.feeds_yaml(sorted(p for p in server.resources if p.startswith("/feeds/"))))
    for directory in (tmp_path, feeds):
        directory.chmod(0o755)
    return feeds


async def wait_ready(session: aiohttp.ClientSession, stage: Stage) -> None:
    deadline = asyncio.get_running_loop().time() + READY_TIMEOUT_S
    last = "no answer"
    while asyncio.get_running_loop().time() < deadline:
        try:
            async with session.get(f"{stage.base}/readyz") as response:
                if response.status == 200:
                    return
                last = f"{response.status} {await response.text()}"
        except aiohttp.ClientError as exc:
            last = repr(exc)
        if not (await stage.state()).startswith("running"):
            break
        await asyncio.sleep(0.5)
    pytest.fail(f"{stage.name}: /readyz not 200 ({last}); {await stage.state()}\n{await stage.logs()}")


@pytest.mark.timeout(420)
async def test_the_stages_run_from_the_image(broker: EmbeddedBroker, feed_server: FeedServer, tmp_path: Path) -> None:
    code, output = await call("podman", "image", "exists", IMAGE)
    assert code == 0, f"no image {IMAGE}: `make test-deploy` builds it first ({output})"
    topics = await Topics(broker.bootstrap).create()
    names = topics.settings
    feeds = feed_list(feed_server, tmp_path)

    resources = kustomize(DEPLOY / "overlays" / "dev")
    (settings_map,) = [
        c for c in of_kind(resources, "ConfigMap") if c["metadata"]["name"].startswith("sitrep-settings")
    ]
    stages: list[Stage] = []
    try:
        for deployment in of_kind(resources, "Deployment"):
            name = deployment["metadata"]["name"]
            stage = Stage(name, f"sitrep-check-{topics.suffix}-{name}", free_port())
            overrides = {
                "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
                # Host network: the health server listens on loopback only, each on its own port.
                "SITREP_HEALTH_HOST": "127.0.0.1",
                "SITREP_HEALTH_PORT": str(stage.health_port),
                # The feeds and pages are served from loopback, which the SSRF guard refuses by default.
                "SITREP_ALLOW_PRIVATE_NETWORKS": "true",
                # The embedded broker (Tansu) refuses idempotent producers; Apache Kafka accepts them.
                "SITREP_KAFKA_IDEMPOTENCE": "false",
                "SITREP_TOPIC_ITEMS": names.topic_items,
                "SITREP_TOPIC_ARTICLES": names.topic_articles,
                "SITREP_TOPIC_ENRICHED": names.topic_enriched,
                "SITREP_TOPIC_DLQ": names.topic_dlq,
                "SITREP_TOPIC_FETCHER_STATE": names.topic_fetcher_state,
                "SITREP_GROUP_ID": f"deploy-{topics.suffix}-{name}",
            }
            arguments = run_arguments(deployment, settings_map["data"], overrides, feeds)
            code, output = await call(*podman("run", "--detach", f"--name={stage.container}", *arguments))
            assert code == 0, f"podman run {name}: {output}"
            stages.append(stage)
        assert {s.name for s in stages} == {"fetcher", "parser", "classifier"}

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            await asyncio.gather(*(wait_ready(session, s) for s in stages))
            records = await wait_for_records(broker.bootstrap, names.topic_enriched, 1, ENRICHED_TIMEOUT_S)
            article = EnrichedArticle.model_validate_json(records[0].value)
            assert article.url.startswith(feed_server.base)
            assert article.classifier_version
            for stage in stages:
                async with session.get(f"{stage.base}/livez") as response:
                    assert response.status == 200, stage.name
                async with session.get(f"{stage.base}/metrics") as response:
                    assert "sitrep_kafka_up" in await response.text(), stage.name

        # SIGTERM, as the kubelet sends it: each stage drains, commits and exits 0.
        grace = str(deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"])
        stopped = await asyncio.gather(*(call("podman", "stop", "--time", grace, s.container) for s in stages))
        assert all(code == 0 for code, _ in stopped), stopped
        for stage in stages:
            assert (await stage.state()).split() == ["exited", "0"], f"{stage.name}\n{await stage.logs()}"
    finally:
        for stage in stages:
            (tmp_path / f"{stage.name}.log").write_text(await stage.logs())
            await call("podman", "rm", "--force", "--time", "5", stage.container)
