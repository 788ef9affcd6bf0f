"""sitrep's error classes. Like aiokafka's, each carries `retriable`: callers decide retry,
skip or dead-letter from that flag instead of matching messages."""

from __future__ import annotations


class SitrepError(Exception):
    """Base of sitrep's own errors."""

    retriable: bool = False
    #: short, stable label for metrics and dead letters
    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None, retriable: bool | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason
        if retriable is not None:
            self.retriable = retriable


class InvalidMessage(SitrepError):
    """A message that can never be processed: bad JSON, wrong schema version, missing fields."""

    reason = "invalid_message"


class TransientError(SitrepError):
    """Worth retrying: timeouts, 5xx, a dependency briefly away."""

    retriable = True
    reason = "transient"


class BlockedAddress(SitrepError):
    """The SSRF guard refused a destination."""

    reason = "blocked_address"


class FetchError(SitrepError):
    """An HTTP fetch failed; `reason` classifies how (timeout, http_5xx, too_large, ...)."""

    reason = "fetch_error"


class ConfigError(SitrepError):
    """Configuration that cannot work (a missing feed file, a bad feed list)."""

    reason = "config"
