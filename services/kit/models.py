"""Messages on sitrep's topics. Every message is a UTF-8 JSON object carrying `schema_version`.

Changing a field is a contract change for downstream subscribers: bump SCHEMA_VERSION and
regenerate `schemas/` (a test fails while they are stale).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal[1] = 1
#: `news.enriched` moved to version 2 when theaters gained where-exactly fields and actors their
#: role; both changes only add optional fields, so a version-1 reader that ignores unknown fields
#: keeps working (docs/schema-changes.md).
ENRICHED_SCHEMA_VERSION: Literal[2] = 2

FeedKind = Literal["news", "ministry"]
TextSource = Literal["page", "feed"]

ActorType = Literal[
    "State forces",
    "Rebel groups",
    "Political militias",
    "Identity militias",
    "Rioters",
    "Protesters",
    "Civilians",
    "External/Other forces",
]

Confidence = Field(ge=0.0, le=1.0)
Precision = Literal["country", "admin1", "admin2", "place"]
ActorRole = Literal["party", "source"]


class Message(BaseModel):
    """Base of every topic message: strict about unknown versions, tolerant of extra fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION


class NewsItem(Message):
    """`news.items`: one new feed entry, published once by the fetcher."""

    article_id: str = Field(description="Stable hash of the canonical article URL; also the Kafka key.")
    url: str = Field(description="Canonical article URL.")
    link: str = Field(description="The link as the feed gave it.")
    feed_url: str
    feed_name: str | None = None
    feed_kind: FeedKind = "news"
    feed_language: str | None = Field(default=None, description="Language the feed list declares (ISO 639-1).")
    guid: str | None = None
    title: str | None = None
    summary: str | None = Field(default=None, description="The entry's summary, as text.")
    content: str | None = Field(default=None, description="The entry's full content (content:encoded), as text.")
    published_at: AwareDatetime | None = None
    fetched_at: AwareDatetime


class Article(Message):
    """`news.articles`: an item's article, fetched and extracted by the parser."""

    article_id: str
    url: str = Field(description="Canonical article URL (the item's; see `page_url` for where it was fetched).")
    page_url: str | None = Field(default=None, description="Final URL after redirects, when the page was fetched.")
    feed_url: str
    feed_name: str | None = None
    feed_kind: FeedKind = "news"
    title: str | None = None
    text: str = Field(description="Clean article text; paragraphs separated by blank lines.")
    text_source: TextSource = Field(description="`page` when extracted from the page, `feed` when from the feed entry.")
    fallback_reason: str | None = Field(default=None, description="Why the feed content was used instead of the page.")
    truncated: bool = Field(default=False, description="The text was cut at the parser's length cap.")
    paywalled: bool = Field(default=False, description="The page is gated or shows only a teaser.")
    canonical_url: str | None = Field(default=None, description="The canonical URL the page itself declares.")
    published_at: AwareDatetime | None = None
    language: str | None = Field(default=None, description="ISO 639-1.")
    author: str | None = None
    site_name: str | None = None
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    fetched_at: AwareDatetime
    extracted_at: AwareDatetime


class Theater(BaseModel):
    """Where events happen."""

    model_config = ConfigDict(frozen=True)

    country_code: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2.")
    country: str
    admin1: str | None = Field(
        default=None,
        description="First-level region, by its modern English name as ACLED and the UN write it.",
    )
    admin2: str | None = Field(default=None, description="Second-level region (district), when known. Since v2.")
    place: str | None = Field(default=None, description="Populated place (GeoNames' English name).")
    latitude: float | None = Field(default=None, ge=-90.0, le=90.0, description="WGS84, of `place`. Since v2.")
    longitude: float | None = Field(default=None, ge=-180.0, le=180.0, description="WGS84, of `place`. Since v2.")
    geonames_id: int | None = Field(default=None, description="GeoNames id of `place`. Since v2.")
    precision: Precision = Field(
        default="country",
        description="The most exact level the text supports: country, admin1, admin2 or place. Since v2.",
    )
    confidence: float = Confidence
    evidence: str = Field(description="The text that triggered the label.")


class Actor(BaseModel):
    """Who acts: a state's forces, a government, an armed group, an international body."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(
        description="ACLED-style name: 'Military Forces of Russia', 'Protesters (Lebanon)', a group's name."
    )
    actor_type: ActorType
    country_code: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    role: ActorRole = Field(
        default="party",
        description="`party`: acted or was acted on; `source`: only reported, observed or claimed. Since v2.",
    )
    confidence: float = Confidence
    evidence: str


class Event(BaseModel):
    """What happened, in ACLED's taxonomy plus sitrep's five extra types."""

    model_config = ConfigDict(frozen=True)

    event_type: str
    sub_event_type: str
    confidence: float = Confidence
    evidence: str


class Labels(BaseModel):
    """What the classifier adds to an article. Each list is sorted by confidence, highest first."""

    model_config = ConfigDict(frozen=True)

    language: str | None = None
    theaters: list[Theater] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)


class EnrichedArticle(Article):
    """`news.enriched`: the article with its labels; what downstream systems subscribe to."""

    # Its own version: the input topics stay at 1 (see ENRICHED_SCHEMA_VERSION).
    schema_version: Literal[2] = ENRICHED_SCHEMA_VERSION  # type: ignore[assignment]
    theaters: list[Theater] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    classifier_version: str
    classified_at: AwareDatetime


class DeadLetter(Message):
    """`news.dlq`: a message a stage gave up on, with everything needed to replay it."""

    stage: str
    error_type: str
    error: str
    retriable: bool
    attempts: int
    topic: str
    partition: int
    offset: int
    key: str | None = None
    payload: str = Field(description="The original value: UTF-8 text, or base64 when `payload_encoding` says so.")
    payload_encoding: Literal["utf-8", "base64"] = "utf-8"
    payload_truncated: bool = False
    failed_at: AwareDatetime
