from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.fetcher.settings import FetcherSettings
from services.kit.settings import StageSettings, load_settings
from services.parser.settings import ParserSettings


def test_contract_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9092,kafka-1:9092")
    monkeypatch.setenv("SITREP_FEEDS_FILE", "/etc/sitrep/feeds.yaml")
    monkeypatch.setenv("SITREP_ALLOW_PRIVATE_NETWORKS", "true")
    settings = FetcherSettings()
    assert settings.kafka_bootstrap_servers == "kafka-0:9092,kafka-1:9092"
    assert settings.feeds_file == Path("/etc/sitrep/feeds.yaml")
    assert settings.allow_private_networks is True
    assert settings.health_port == 8080
    assert (settings.topic_items, settings.topic_articles, settings.topic_enriched, settings.topic_dlq) == (
        "news.items",
        "news.articles",
        "news.enriched",
        "news.dlq",
    )
    monkeypatch.setenv("SITREP_HEALTH_PORT", "9100")
    assert ParserSettings().health_port == 9100


def test_private_networks_are_refused_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    assert ParserSettings().allow_private_networks is False


def test_missing_bootstrap_servers_exits_with_a_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    with pytest.raises(SystemExit) as exited:
        load_settings(ParserSettings)
    assert exited.value.code == 2
    assert "KAFKA_BOOTSTRAP_SERVERS" in capsys.readouterr().err


def test_sasl_scram_over_tls(tmp_path: Path) -> None:
    settings = StageSettings(
        kafka_bootstrap_servers="kafka:9093",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="sitrep",
        kafka_sasl_password="s3cret",
    )
    options = settings.kafka_client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("sitrep", "s3cret")
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert "s3cret" not in repr(settings)


def test_sasl_without_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="SITREP_KAFKA_SASL_USERNAME"):
        StageSettings(kafka_bootstrap_servers="kafka:9093", kafka_security_protocol="SASL_PLAINTEXT")


def test_client_certificate_needs_its_key() -> None:
    with pytest.raises(ValidationError, match="go together"):
        StageSettings(kafka_bootstrap_servers="k:9093", kafka_security_protocol="SSL", kafka_ssl_certfile="/c.pem")


def test_user_agent_names_sitrep_and_the_operators_contact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("SITREP_CONTACT_URL", "https://desk.example.org/sitrep")
    assert FetcherSettings().user_agent_for("fetcher") == "sitrep-fetcher/0.1 (+https://desk.example.org/sitrep)"
    monkeypatch.setenv("SITREP_USER_AGENT", "custom/1")
    assert ParserSettings().user_agent_for("parser") == "custom/1"
