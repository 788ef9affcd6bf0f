"""deploy/ as an operator applies it: each overlay builds, validates strictly against Kubernetes'
schemas and the custom resources' schemas, and holds the properties the stages rely on."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from services.classifier.settings import ClassifierSettings
from services.fetcher.feeds import load_feed_list
from services.fetcher.settings import FetcherSettings
from services.kit.settings import ConsumingStageSettings, StageSettings
from services.parser.settings import ParserSettings
from tests.deploy.manifests import (
    DEPLOY,
    OVERLAYS,
    SCHEMAS,
    Resource,
    env_of,
    kustomize,
    named,
    of_kind,
    venv_tool,
)

#: a current Kubernetes release, and the oldest one still common on managed clusters
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
STAGES = {"fetcher": FetcherSettings, "parser": ParserSettings, "classifier": ClassifierSettings}
EXPECTED_KINDS = {
    "Namespace": 1,
    "ServiceAccount": 1,
    "ConfigMap": 2,
    "Deployment": 3,
    "Service": 3,
    "PodDisruptionBudget": 3,
    "NetworkPolicy": 1,
    "ServiceMonitor": 1,
    "KafkaTopic": 5,
}


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> tuple[str, list[Resource]]:
    name: str = request.param
    return name, kustomize(DEPLOY / "overlays" / name)


@pytest.fixture(scope="module")
def prod() -> list[Resource]:
    return kustomize(DEPLOY / "overlays" / "prod")


@pytest.fixture(scope="module")
def with_hpa(tmp_path_factory: pytest.TempPathFactory) -> list[Resource]:
    """The documented alternative to KEDA: the base and topics with components/hpa."""
    directory = tmp_path_factory.mktemp("hpa-overlay")
    (directory / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                # kustomize takes only relative paths to other kustomizations
                "resources": [os.path.relpath(DEPLOY / d, directory) for d in ("base", "topics")],
                "components": [os.path.relpath(DEPLOY / "components" / "hpa", directory)],
            }
        )
    )
    return kustomize(directory)


def _is_custom(resource: Resource) -> bool:
    return (resource["apiVersion"], resource["kind"]) in SCHEMAS


def _kubernetes_validate(resources: list[Resource], tmp_path: Path, version: str) -> None:
    builtin = [r for r in resources if not _is_custom(r)]
    manifest = tmp_path / "builtin.yaml"
    manifest.write_text(yaml.safe_dump_all(builtin))
    checked = subprocess.run(
        [venv_tool("kubernetes-validate"), "--strict", "--kubernetes-version", version, str(manifest)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = checked.stdout.splitlines()
    # A warning (such as a kind it has no schema for) fails too: nothing may go unchecked.
    problems = [line for line in lines if not line.startswith("INFO ")]
    assert checked.returncode == 0 and not problems, "\n".join(problems) + checked.stderr
    assert sum("passed for resource" in line for line in lines) == len(builtin)


def _check_schemas(resources: list[Resource]) -> None:
    for resource in resources:
        if _is_custom(resource):
            schema_file = DEPLOY / "schemas" / f"{SCHEMAS[resource['apiVersion'], resource['kind']]}.json"
            schema = json.loads(schema_file.read_text())
            errors = [
                f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
                for e in jsonschema.Draft202012Validator(schema).iter_errors(resource)
            ]
            assert not errors, f"{resource['kind']} {resource['metadata']['name']}: {errors}"


def _stage(deployment: Resource) -> str:
    component: str = deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
    return component


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, "only matchLabels selectors are used here"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


# --- building and validating


def test_overlay_builds_every_resource(overlay: tuple[str, list[Resource]]) -> None:
    name, resources = overlay
    counts = {kind: len(of_kind(resources, kind)) for kind in EXPECTED_KINDS}
    assert counts == EXPECTED_KINDS, name
    assert {_stage(d) for d in of_kind(resources, "Deployment")} == set(STAGES)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_builtin_kinds_validate_strictly(overlay: tuple[str, list[Resource]], version: str, tmp_path: Path) -> None:
    _kubernetes_validate(overlay[1], tmp_path, version)


def test_custom_resources_match_their_schemas(overlay: tuple[str, list[Resource]]) -> None:
    _check_schemas(overlay[1])


def test_hpa_alternative_validates(with_hpa: list[Resource], tmp_path: Path) -> None:
    _kubernetes_validate(with_hpa, tmp_path, KUBERNETES_VERSIONS[-1])
    _check_schemas(with_hpa)
    topics = {t["spec"]["topicName"]: t for t in of_kind(with_hpa, "KafkaTopic")}
    inputs = {"parser": "news.items", "classifier": "news.articles"}
    for hpa in of_kind(with_hpa, "HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]["name"]
        assert "replicas" not in named(with_hpa, "Deployment", target)["spec"], "the HPA owns the replica count"
        assert hpa["spec"]["maxReplicas"] <= topics[inputs[target]]["spec"]["partitions"]
    assert {h["spec"]["scaleTargetRef"]["name"] for h in of_kind(with_hpa, "HorizontalPodAutoscaler")} == set(inputs)


def test_schemas_refuse_misspelt_fields(prod: list[Resource]) -> None:
    for (api_version, kind), stem in SCHEMAS.items():
        resource = next(r for r in prod if (r["apiVersion"], r["kind"]) == (api_version, kind))
        spoilt = json.loads(json.dumps(resource))
        spoilt["spec"]["replicaCount"] = 3
        schema = json.loads((DEPLOY / "schemas" / f"{stem}.json").read_text())
        assert not jsonschema.Draft202012Validator(schema).is_valid(spoilt), kind


# --- policy: what every Deployment must have


def test_every_deployment_is_probed_limited_and_locked_down(overlay: tuple[str, list[Resource]]) -> None:
    for deployment in of_kind(overlay[1], "Deployment"):
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] > 0, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        tmp_volumes = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for container in pod["containers"]:
            where = f"{name}/{container['name']}"
            assert container["livenessProbe"]["httpGet"]["path"] == "/livez", where
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", where
            assert container["startupProbe"]["httpGet"]["path"] == "/livez", where
            ports = {p["name"]: p["containerPort"] for p in container["ports"]}
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                assert container[probe]["httpGet"]["port"] in ports, where
            assert ports["metrics"] == StageSettings.model_fields["health_port"].default, where
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["limits"]), where
            assert {"cpu", "memory"} <= set(resources["requests"]), where
            security = container["securityContext"]
            assert security["runAsNonRoot"] is True, where
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            assert "add" not in security["capabilities"], where
            assert security["seccompProfile"]["type"] == "RuntimeDefault", where
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp_volumes, f"{where}: a writable /tmp on the read-only root"


def test_grace_period_covers_the_drain(overlay: tuple[str, list[Resource]]) -> None:
    drain = StageSettings.model_fields["drain_timeout_s"].default
    for deployment in of_kind(overlay[1], "Deployment"):
        grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
        assert grace >= drain + 10, deployment["metadata"]["name"]


def test_each_stage_runs_its_own_entrypoint(overlay: tuple[str, list[Resource]]) -> None:
    for deployment in of_kind(overlay[1], "Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["args"] == [f"services.{_stage(deployment)}"]
        assert "command" not in container, "the image's entrypoint (python -m) runs the module"


def test_parser_workers_match_its_cpu_limit(overlay: tuple[str, list[Resource]]) -> None:
    (container,) = named(overlay[1], "Deployment", "parser")["spec"]["template"]["spec"]["containers"]
    assert env_of(container)["SITREP_WORKERS"] == container["resources"]["limits"]["cpu"]


def test_every_deployment_has_a_metrics_service_and_a_disruption_budget(overlay: tuple[str, list[Resource]]) -> None:
    name, resources = overlay
    for deployment in of_kind(resources, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        services = [
            s for s in of_kind(resources, "Service") if _selects({"matchLabels": s["spec"]["selector"]}, labels)
        ]
        assert [p["name"] for s in services for p in s["spec"]["ports"]] == ["metrics"]
        budgets = [b for b in of_kind(resources, "PodDisruptionBudget") if _selects(b["spec"]["selector"], labels)]
        assert len(budgets) == 1
        if name == "prod":
            assert budgets[0]["spec"] == budgets[0]["spec"] | {"minAvailable": 1}
            assert "maxUnavailable" not in budgets[0]["spec"]


def test_service_monitor_scrapes_every_metrics_service(overlay: tuple[str, list[Resource]]) -> None:
    resources = overlay[1]
    (monitor,) = of_kind(resources, "ServiceMonitor")
    scraped = [
        s for s in of_kind(resources, "Service") if _selects(monitor["spec"]["selector"], s["metadata"]["labels"])
    ]
    assert len(scraped) == len(of_kind(resources, "Deployment"))
    assert {e["port"] for e in monitor["spec"]["endpoints"]} == {"metrics"}
    assert {e["path"] for e in monitor["spec"]["endpoints"]} == {"/metrics"}


# --- configuration


def test_feed_list_reaches_the_fetcher_without_a_restart(overlay: tuple[str, list[Resource]], tmp_path: Path) -> None:
    resources = overlay[1]
    fetcher = named(resources, "Deployment", "fetcher")
    (container,) = fetcher["spec"]["template"]["spec"]["containers"]
    feeds_file = Path(env_of(container)["SITREP_FEEDS_FILE"])
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == str(feeds_file.parent)]
    # A subPath mount is never updated by the kubelet; a directory mount is.
    assert "subPath" not in mount
    (volume,) = [v for v in fetcher["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"]]
    # No hash suffix: an edit updates this ConfigMap in place rather than rolling the pods.
    config_map = named(resources, "ConfigMap", volume["configMap"]["name"])
    assert config_map["metadata"]["name"] == "sitrep-feeds"
    assert set(config_map["data"]) == {feeds_file.name}
    copy = tmp_path / feeds_file.name
    copy.write_text(config_map["data"][feeds_file.name])
    assert len(load_feed_list(copy)) > 10


def test_settings_roll_the_pods_when_changed(overlay: tuple[str, list[Resource]]) -> None:
    settings_maps = [
        c for c in of_kind(overlay[1], "ConfigMap") if c["metadata"]["name"].startswith("sitrep-settings-")
    ]
    assert len(settings_maps) == 1, "the settings ConfigMap's name carries a content hash"
    for deployment in of_kind(overlay[1], "Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["envFrom"] == [{"configMapRef": {"name": settings_maps[0]["metadata"]["name"]}}]


def test_stages_parse_the_deployed_configuration(
    overlay: tuple[str, list[Resource]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each stage's settings, built from exactly the environment its pod gets (secrets faked)."""
    name, resources = overlay
    (settings_map,) = [
        c for c in of_kind(resources, "ConfigMap") if c["metadata"]["name"].startswith("sitrep-settings-")
    ]
    secrets = {("sitrep-kafka", "username"): "sitrep", ("sitrep-kafka", "password"): "s3cret"}
    for deployment in of_kind(resources, "Deployment"):
        stage = _stage(deployment)
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        with monkeypatch.context() as env:
            for key in list(os.environ):
                if key.startswith("SITREP_") or key == "KAFKA_BOOTSTRAP_SERVERS":
                    env.delenv(key)
            for key, value in settings_map["data"].items():
                env.setenv(key, value)
            for key, value in env_of(container).items():
                if isinstance(value, str):
                    env.setenv(key, value)
                else:
                    ref = value["secretKeyRef"]
                    env.setenv(key, secrets[ref["name"], ref["key"]])
            settings = STAGES[stage]()
        if name == "prod":
            assert settings.kafka_security_protocol == "SASL_SSL"
            assert settings.kafka_sasl_mechanism == "SCRAM-SHA-512"
            assert settings.kafka_sasl_username == "sitrep"
            assert settings.kafka_sasl_password is not None
            assert settings.kafka_sasl_password.get_secret_value() == "s3cret"
            # The CA file named in the settings is where the Secret volume puts it.
            assert settings.kafka_ssl_cafile is not None
            ca = Path(settings.kafka_ssl_cafile)
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            (volume,) = [v for v in pod["volumes"] if v["name"] == mounts[str(ca.parent)]]
            assert {"key": "ca.crt", "path": ca.name} in volume["secret"]["items"]
        else:
            assert settings.kafka_security_protocol == "PLAINTEXT"
        assert settings.kafka_idempotence is True


# --- Kafka


def test_topics_are_the_stages_topics(overlay: tuple[str, list[Resource]]) -> None:
    name, resources = overlay
    defaults = StageSettings.model_fields
    wanted = {defaults[f].default for f in defaults if f.startswith("topic_")}
    topics = {t["spec"]["topicName"]: t for t in of_kind(resources, "KafkaTopic")}
    assert set(topics) == wanted
    for topic_name, topic in topics.items():
        spec = topic["spec"]
        assert topic["metadata"]["namespace"] == "kafka"
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "sitrep-kafka"
        replicas = 3 if name == "prod" else 1
        assert spec["replicas"] == replicas
        assert int(spec["config"]["min.insync.replicas"]) == max(1, replicas - 1)
        if topic_name == defaults["topic_fetcher_state"].default:
            assert spec["config"]["cleanup.policy"] == "compact"
            assert "retention.ms" not in spec["config"]
        else:
            assert spec["config"]["cleanup.policy"] == "delete"
            assert int(spec["config"]["retention.ms"]) >= 7 * 86_400_000


def test_lag_autoscaling_follows_each_stage_group(prod: list[Resource]) -> None:
    topics = {t["spec"]["topicName"]: t["spec"]["partitions"] for t in of_kind(prod, "KafkaTopic")}
    inputs: dict[str, type[ConsumingStageSettings]] = {"parser": ParserSettings, "classifier": ClassifierSettings}
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind(prod, "ScaledObject")}
    assert set(scaled) == set(inputs)
    auths = {a["metadata"]["name"]: a for a in of_kind(prod, "TriggerAuthentication")}
    topic_of = {"parser": "topic_items", "classifier": "topic_articles"}
    for stage, settings in inputs.items():
        spec = scaled[stage]["spec"]
        (trigger,) = spec["triggers"]
        assert trigger["type"] == "kafka"
        meta = trigger["metadata"]
        assert meta["consumerGroup"] == settings.model_fields["group_id"].default
        assert meta["topic"] == StageSettings.model_fields[topic_of[stage]].default
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] <= topics[meta["topic"]]
        assert int(meta["lagThreshold"]) > 0
        assert (meta["sasl"], meta["tls"]) == ("scram_sha512", "enable")
        deployment = named(prod, "Deployment", stage)
        assert "replicas" not in deployment["spec"], "KEDA owns the replica count"
        # KEDA logs in with the Secrets the stage uses.
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        stage_secrets = {v["secretKeyRef"]["name"] for v in env_of(container).values() if isinstance(v, dict)}
        auth_secrets = {r["name"] for r in auths[trigger["authenticationRef"]["name"]]["spec"]["secretTargetRef"]}
        assert stage_secrets <= auth_secrets


# --- network


def test_egress_is_kafka_dns_and_the_public_web_only(overlay: tuple[str, list[Resource]]) -> None:
    resources = overlay[1]
    (policy,) = of_kind(resources, "NetworkPolicy")
    spec = policy["spec"]
    assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
    for deployment in of_kind(resources, "Deployment"):
        assert _selects(spec["podSelector"], deployment["spec"]["template"]["metadata"]["labels"])
    allowed_ports = {(53, "UDP"), (53, "TCP"), (9092, "TCP"), (9093, "TCP"), (80, "TCP"), (443, "TCP")}
    web_blocks = []
    for rule in spec["egress"]:
        assert rule.get("ports"), "an egress rule without ports would open every port"
        assert {(p["port"], p["protocol"]) for p in rule["ports"]} <= allowed_ports
        blocks = [peer["ipBlock"] for peer in rule["to"] if "ipBlock" in peer]
        if blocks:
            assert {p["port"] for p in rule["ports"]} == {80, 443}
            web_blocks += blocks
    must_refuse = ["10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "127.0.0.1", "100.64.0.1", "fd00::1"]
    for address in map(ipaddress.ip_address, must_refuse):
        for block in web_blocks:
            cidr = ipaddress.ip_network(block["cidr"])
            if address.version == cidr.version and address in cidr:
                assert any(address in ipaddress.ip_network(e) for e in block["except"]), address
    public = ipaddress.ip_address("93.184.216.34")
    assert any(public in ipaddress.ip_network(b["cidr"]) for b in web_blocks)
    (ingress,) = spec["ingress"]
    assert ingress["ports"] == [{"port": "metrics", "protocol": "TCP"}]
