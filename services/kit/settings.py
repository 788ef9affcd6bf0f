"""Settings every stage shares. Each stage subclasses `StageSettings`; `main()` builds it once
and passes it down. Nothing else reads the environment."""

from __future__ import annotations

import ssl
import sys
from typing import Any, Literal, TypeVar

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class StageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SITREP_", frozen=True, extra="ignore")

    kafka_bootstrap_servers: str = Field(
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "SITREP_KAFKA_BOOTSTRAP_SERVERS"),
        min_length=1,
    )
    kafka_security_protocol: SecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: SaslMechanism | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = None
    kafka_ssl_certfile: str | None = None
    kafka_ssl_keyfile: str | None = None
    kafka_client_id: str = "sitrep"
    # Tansu (the embedded test broker) rejects idempotent producers; Apache Kafka accepts them.
    kafka_idempotence: bool = False

    topic_items: str = "news.items"
    topic_articles: str = "news.articles"
    topic_enriched: str = "news.enriched"
    topic_dlq: str = "news.dlq"
    topic_fetcher_state: str = "sitrep.fetcher.state"

    health_host: str = "0.0.0.0"
    health_port: int = Field(default=8080, ge=0, le=65535)
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"

    allow_private_networks: bool = False
    # The User-Agent names sitrep and whom to contact; operators set their own contact URL.
    contact_url: str = "https://sitrep.invalid/contact"
    user_agent: str | None = None
    # Politeness towards each origin: concurrent requests and the gap between request starts.
    per_host_concurrency: int = Field(default=2, ge=1)
    per_host_gap_s: float = Field(default=1.0, ge=0)

    # Kafka group rebalances wait for a dead member for this long; small keeps fail-over quick.
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 1_000
    # Readiness fails when the broker has not answered a metadata request for this long.
    kafka_ping_interval_s: float = 5.0
    kafka_ping_timeout_s: float = 5.0
    # Liveness fails when the stage's loop has not turned for this long.
    stuck_after_s: float = 120.0
    # SIGTERM: stop taking input, finish in-flight work within this, commit, exit.
    drain_timeout_s: float = 6.0

    @model_validator(mode="after")
    def _check_security(self) -> StageSettings:
        sasl_complete = self.kafka_sasl_mechanism and self.kafka_sasl_username and self.kafka_sasl_password
        if self.kafka_security_protocol.startswith("SASL_") and not sasl_complete:
            raise ValueError(
                f"security protocol {self.kafka_security_protocol} needs "
                "SITREP_KAFKA_SASL_MECHANISM, SITREP_KAFKA_SASL_USERNAME and SITREP_KAFKA_SASL_PASSWORD"
            )
        if bool(self.kafka_ssl_certfile) != bool(self.kafka_ssl_keyfile):
            raise ValueError("SITREP_KAFKA_SSL_CERTFILE and SITREP_KAFKA_SSL_KEYFILE go together")
        return self

    def user_agent_for(self, stage: str) -> str:
        return self.user_agent or f"sitrep-{stage}/0.1 (+{self.contact_url})"

    def kafka_client_options(self) -> dict[str, Any]:
        """Connection options shared by every aiokafka client."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.kafka_bootstrap_servers,
            "client_id": self.kafka_client_id,
            "security_protocol": self.kafka_security_protocol,
        }
        if self.kafka_security_protocol in ("SSL", "SASL_SSL"):
            context = ssl.create_default_context(cafile=self.kafka_ssl_cafile)
            if self.kafka_ssl_certfile and self.kafka_ssl_keyfile:
                context.load_cert_chain(self.kafka_ssl_certfile, self.kafka_ssl_keyfile)
            options["ssl_context"] = context
        if self.kafka_security_protocol.startswith("SASL_"):
            assert self.kafka_sasl_password is not None  # checked by _check_security
            options |= {
                "sasl_mechanism": self.kafka_sasl_mechanism,
                "sasl_plain_username": self.kafka_sasl_username,
                "sasl_plain_password": self.kafka_sasl_password.get_secret_value(),
            }
        return options


class ConsumingStageSettings(StageSettings):
    """Settings of a stage driven by the consume -> process -> produce runner."""

    group_id: str
    # Messages fetched per poll; the runner works on at most `concurrency` of them at once.
    batch_size: int = Field(default=32, ge=1)
    concurrency: int = Field(default=8, ge=1)
    max_attempts: int = Field(default=3, ge=1)
    retry_backoff_s: float = Field(default=0.5, ge=0)
    # A handler taking longer than this fails (and is retried, then dead-lettered).
    handler_timeout_s: float = Field(default=60.0, gt=0)
    # Larger inputs are dead-lettered unread.
    max_message_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)


S = TypeVar("S", bound=StageSettings)


def load_settings(cls: type[S]) -> S:
    """Build a stage's settings once, in main(); bad configuration exits 2 with a readable reason."""
    try:
        return cls()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        sys.stderr.write(f"{cls.__name__}: invalid configuration: {problems}\n")
        raise SystemExit(2) from exc
