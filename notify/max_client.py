"""A small client of MAX's Bot API (``POST /messages?user_id=…`` with the bot token in the
``Authorization`` header), for the outbox's workers.

Why not the ``maxapi`` library: it is asyncio and aiohttp with pydantic models for the whole
API, and the portal sends one kind of request from synchronous Celery tasks. This client does
that one request with httpx and turns the API's answers into three outcomes the outbox acts on:
sent, try again later (429 with the delay MAX asks for, 5xx, a network error) or refused for
good (another 4xx). A long text is split into parts of at most ``MAX_TEXT`` characters sent at
least ``CHAT_INTERVAL`` seconds apart: MAX takes at most two messages a second into one chat.

TLS: MAX's API is served under the Russian Trusted Root CA (Минцифры России), which the usual
bundles lack; ``MAX_CA_BUNDLE`` names a PEM file with it, trusted beside certifi's roots.
"""

from __future__ import annotations

import logging
import ssl
import time
from dataclasses import dataclass

import httpx
from django.conf import settings

MAX_TEXT = 4000  # the API's limit on a message's text
CHAT_INTERVAL = 0.5  # seconds between two messages into one chat: at most 2 a second
DEFAULT_RETRY_AFTER = 30  # seconds, when a 429 says nothing

logger = logging.getLogger(__name__)


class MaxError(Exception):
    """The message was not delivered."""

    transient = False


class MaxRetryLater(MaxError):
    """Try again after ``retry_after`` seconds (429, 5xx, the network)."""

    transient = True

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class MaxRefused(MaxError):
    """MAX refused the message for good (a bad token, a user who blocked the bot, …)."""


@dataclass(frozen=True)
class Sent:
    message_ids: list[str]


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most ``limit`` characters, cut at a paragraph or line break where one is near."""
    parts, rest = [], text.strip()
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit))
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def _verify() -> ssl.SSLContext | bool:
    """certifi's roots, plus the PEM file ``MAX_CA_BUNDLE`` names; a missing or unreadable file
    is logged and left out (MAX then fails with a TLS error that the outbox retries), so that
    e-mails sent in the same batch are not held up."""
    bundle = settings.MAX_CA_BUNDLE
    if not bundle:
        return True
    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    try:
        context.load_verify_locations(cafile=bundle)
    except (OSError, ssl.SSLError) as exc:
        logger.error("MAX_CA_BUNDLE %s is not usable: %r", bundle, exc)
    return context


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("message") or body.get("code") or response.text[:200]
    return f"МАХ ответил {response.status_code}: {detail}"


class MaxClient:
    """``send(user_id, text)``: one request per part; raises MaxRetryLater or MaxRefused."""

    def __init__(self, *, token: str | None = None, base_url: str | None = None, timeout=10.0):
        self.token = token if token is not None else settings.MAX_BOT_TOKEN
        self.base_url = (base_url or settings.MAX_API_URL).rstrip("/")
        self._http = httpx.Client(timeout=timeout, verify=_verify())
        self._last_sent: dict[int, float] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MaxClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _pace(self, user_id: int) -> None:
        last = self._last_sent.get(user_id)
        if last is not None:
            wait = CHAT_INTERVAL - (time.monotonic() - last)
            if wait > 0:
                time.sleep(wait)

    def send(self, user_id: int, text: str, *, format: str | None = None) -> Sent:
        """Send ``text`` (plain, or "markdown" / "html" as MAX reads them) to the MAX user."""
        ids = []
        for part in split_text(text):
            self._pace(user_id)
            try:
                response = self._http.post(
                    f"{self.base_url}/messages",
                    params={"user_id": user_id},
                    headers={"Authorization": self.token},
                    json={"text": part, **({"format": format} if format else {})},
                )
            except httpx.HTTPError as exc:
                raise MaxRetryLater(f"МАХ недоступен: {exc.__class__.__name__}") from exc
            finally:
                self._last_sent[user_id] = time.monotonic()
            if response.status_code == 429:
                raise MaxRetryLater(
                    _error_text(response), _retry_after(response) or DEFAULT_RETRY_AFTER
                )
            if response.status_code >= 500:
                raise MaxRetryLater(_error_text(response), _retry_after(response))
            if response.status_code >= 400:
                raise MaxRefused(_error_text(response))
            try:
                message = response.json().get("message") or {}
            except ValueError:
                message = {}
            ids.append(str((message.get("body") or {}).get("mid", "")))
        return Sent(ids)
