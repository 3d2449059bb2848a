"""Settings, read once from the environment (prefix ``PRESSESCHAU_``)."""

from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.db import normalize_database_url
from app.core.links import (
    DEFAULT_POST_LINK_TEMPLATE,
    LINK_PLACEHOLDERS,
    check_link_template,
    check_public_url,
)

DEFAULT_DATABASE_URL = "sqlite:///data/presseschau.sqlite3"
# A preview link is a bearer grant to read an unpublished post that cannot be revoked: it
# never lives longer than this.
PREVIEW_LINK_MAX_SECONDS = 30 * 24 * 3600
# The site's own language first: German, and the languages a German press review most often
# republishes.
DEFAULT_SEARCH_LANGUAGES = ("de", "en", "fr", "es", "it", "ru")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PRESSESCHAU_", env_file=".env", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="sqlite:///PATH (relative to the working directory) or "
        "postgresql://USER[:PASSWORD]@HOST:PORT/DB.",
    )
    timezone: str = Field("Europe/Berlin", description="The site's time zone; days are its days.")
    language: str = Field(
        "de",
        description="Site language: archive labels, and the language of a post given none "
        "whose own is not detected (too short to tell).",
    )
    search_languages: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_SEARCH_LANGUAGES),
        description="Comma-separated languages (ISO 639-1) search knows: a post's language is "
        "detected among them when none is given, each is stemmed by its own rules, and a "
        "query word matches its forms in every one of them.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins allowed by CORS, or '*'."
    )
    # 2 MiB: a body at its 200,000-character limit, JSON-escaped, can take up to ~1.2 MB.
    max_body_bytes: int = Field(2_097_152, ge=1024, description="Largest request body accepted.")
    client_hash_key: SecretStr = Field(
        SecretStr(""),
        description="The secret client addresses are hashed with (they are stored only as "
        "keyed hashes); unset, a random key the database keeps (made by `presseschau migrate`).",
    )
    metrics_token: SecretStr = Field(
        SecretStr(""),
        description="A secret Prometheus sends as Authorization: Bearer to read /metrics from "
        "another machine; unset, /metrics answers callers on this machine only.",
    )
    auth_failure_limit: int = Field(
        10, ge=1, description="Failed authentications a client may make per window."
    )
    auth_failure_window_seconds: int = Field(
        300, ge=1, description="The window for auth_failure_limit; then 429 until it ends."
    )
    token_touch_seconds: int = Field(
        60, ge=0, description="How stale a token's last_used_at may get before it is rewritten."
    )

    cache_max_age: int = Field(
        60,
        ge=0,
        description="max-age of public responses, seconds: how long CDNs and browsers "
        "may reuse them without asking.",
    )
    cache_stale_while_revalidate: int = Field(
        300, ge=0, description="stale-while-revalidate of public responses, seconds (0: none)."
    )
    # Sized so a worker stays within 150 MB: evicting many small responses for large ones
    # fragments the heap, and a process briefly grows by up to this budget again.
    response_cache_mb: int = Field(
        16, ge=0, description="Memory for anonymous responses kept in each process (0: none)."
    )

    compression: bool = Field(
        True,
        description="Compress responses with gzip, br (Brotli) or zstd as the request's "
        "Accept-Encoding prefers (q-values honoured); off, every response is sent as it is.",
    )
    compression_min_bytes: int = Field(
        1024,
        ge=0,
        description="Responses smaller than this many bytes are sent uncompressed (unless "
        "the request refuses identity): a small body gains too little to pay for the work.",
    )

    access_log: bool = Field(
        True,
        description="Write a JSON log line per request to stderr; switch it off when a proxy "
        "in front already logs requests (it is a large part of a cached response's cost).",
    )
    header_timeout_seconds: float = Field(
        5.0,
        gt=0,
        le=3600,
        description="How long a connection may take to send a request's headers, from its "
        "opening or the end of the response before; then the server closes it. Slow or "
        "half-sent requests cannot hold connections for longer.",
    )
    body_timeout_seconds: float = Field(
        30.0,
        gt=0,
        le=3600,
        description="How long a request's body may take to arrive once its headers have; a "
        "body still incomplete then is answered 408 and the connection closed.",
    )
    direct_reads: bool = Field(
        True,
        description="Answer anonymous reads of posts, post lists and day archives straight "
        "from the database driver; off, the framework answers them like every other request. "
        "The responses are the same either way; only their cost differs.",
    )

    worker: bool = Field(
        True,
        description="Run background jobs beside the API: `presseschau serve` starts one "
        "worker process (whatever --workers says) at a lower CPU priority, starts it again "
        "if it ends and stops it with the server; an app made by `create_app` under another "
        "ASGI server runs them in a thread. False where they run apart, in `presseschau "
        "worker` processes (any number on one database are safe together).",
    )
    trash_days: int = Field(
        30,
        ge=0,
        le=36_500,
        description="Days a post stays in the trash before the worker deletes it for good "
        "(checked hourly); 0 keeps the trash until an editor purges a post "
        "(DELETE /posts/{id}?purge=true).",
    )
    worker_poll_seconds: float = Field(
        1.0,
        gt=0,
        le=60,
        description="How often an idle worker looks for due jobs: the longest a job whose "
        "time has come waits (a job queued by a write in the same process starts at once).",
    )
    preview_link_seconds: int = Field(
        3600,
        ge=1,
        le=PREVIEW_LINK_MAX_SECONDS,
        description="How long a preview link (POST /posts/{id}/preview-link) reads its post, "
        "at most; a request may ask for less with expires_in. Up to 30 days.",
    )
    require_if_match: bool = Field(
        False,
        description="Refuse (428) a change or deletion of a post or source sent without "
        "If-Match, so no client can write over an edit it has not seen; off, a write "
        "without it (or with If-Match: *) goes ahead whatever the version.",
    )

    public_url: str = Field(
        "",
        description="The site's public address (https://example.org), the base of the links "
        "feeds give: the site's home and, through post_link_template, each post. Unset, the "
        "base URL each feed request came to (behind a proxy, as it forwards it).",
    )
    post_link_template: str = Field(
        DEFAULT_POST_LINK_TEMPLATE,
        description="Where the frontend shows a post, for the links in feeds: a URL with "
        f"the placeholders {', '.join('{' + name + '}' for name in LINK_PLACEHOLDERS)} (the "
        "date parts are the post's site-local day). Checked at start-up: other placeholders "
        "are refused. The default is WordPress's 'day and name' permalink, which a blog "
        "moved from WordPress keeps.",
    )
    webhooks_allow_private: bool = Field(
        False,
        description="Let webhooks reach loopback, link-local and private addresses, and plain "
        "http:// URLs. Off (the default), an endpoint must be https:// and every address its "
        "name resolves to when a delivery is sent is checked: a private one is refused, so a "
        "name that resolves to an inside address (DNS rebinding) reaches nothing.",
    )
    webhooks_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=60,
        description="How long a webhook delivery may take to connect, send and be answered; "
        "longer counts as a failed attempt, retried on the schedule.",
    )
    webhooks_claim_margin_seconds: float = Field(
        30.0,
        ge=0,
        le=3600,
        description="How much longer than a send can take (three webhook timeouts) a "
        "worker's claim on a delivery lasts. A delivery whose worker died while sending it "
        "(kill -9, a lost machine) is sent again by another once the claim ends: a shorter "
        "margin resends sooner, at the risk of a second send beside a slow first one.",
    )
    site_title: str = Field(
        "Presseschau",
        min_length=1,
        max_length=200,
        description="The site's name: the title of its feeds.",
    )

    revisions_keep: int = Field(
        0,
        ge=0,
        description="How many revisions each post keeps at most: a write that adds one beyond "
        "it deletes the post's oldest (numbers go on counting). 0 keeps them all.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("search_languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        if isinstance(value, str):
            return [language.strip().lower() for language in value.split(",") if language.strip()]
        return value

    @field_validator("search_languages")
    @classmethod
    def _stemmed_languages(cls, value: list[str]) -> list[str]:
        # Imported here: the settings module is read before anything else.
        from app.search.languages import SUPPORTED

        unknown = [language for language in value if language not in SUPPORTED]
        if unknown or not value:
            raise ValueError(
                f"search languages must be some of {', '.join(sorted(SUPPORTED))}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            )
        return list(dict.fromkeys(value))

    @field_validator("public_url")
    @classmethod
    def _absolute_public_url(cls, value: str) -> str:
        return check_public_url(value)

    @field_validator("post_link_template")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        return check_link_template(value)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        normalize_database_url(value)  # refuses what no engine could be made for
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"unknown language {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def public_cache_control(self) -> str:
        value = f"public, max-age={self.cache_max_age}"
        if self.cache_stale_while_revalidate:
            value += f", stale-while-revalidate={self.cache_stale_while_revalidate}"
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
