"""How often a link may be e-mailed: the one rule for «выслать ссылку», the password reset form
and invitations to a role (sent or sent again).

Two fixed one-hour windows (settings.LINK_THROTTLE_*): at most PER_MAILBOX link e-mails to one
address, so nobody's inbox can be flooded, and at most PER_ADDRESS requests from one client IP,
so nobody can walk a list of addresses. Counters live in the cache (Redis in production) and are
counted with cache.add and cache.incr, which are atomic there. The mailbox counter is keyed by
the e-mail typed or stored, whether or not an account has it, so a refusal tells nothing about
who exists. Login throttling is django-axes' job (settings.AXES_*), not this module's.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache

# What each flow e-mails, as the refusal names it.
FLOW_WHAT = {"invite": "приглашений на этот адрес"}


@dataclass(frozen=True)
class Refusal:
    minutes: int
    what: str = "ссылки для создания пароля"

    @property
    def message(self) -> str:
        return f"Слишком много запросов {self.what}, попробуйте через {self.minutes} мин."


def _count(scope: str, value: str, period: int, now: float) -> tuple[int, int]:
    """Add one to the counter of this window; returns (the count, seconds left in the window)."""
    window = int(now // period)
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    key = f"{settings.LINK_THROTTLE_KEY_PREFIX}:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period)
        count = 1
    return count, int((window + 1) * period - now)


def link_request_check(*, request, email: str, flow: str) -> Refusal | None:
    """Count one link request for ``email`` from the request's address; a Refusal if either is
    over its limit (then nothing may be sent). ``flow`` ("reset", "resend", "invite") keeps the
    per-address counts of the public reset form apart from those of staff sending links."""
    period = int(settings.LINK_THROTTLE_PERIOD.total_seconds())
    now = time.time()
    limits = [
        (
            f"address-{flow}",
            get_client_ip_address(request) or "",
            settings.INVITE_THROTTLE_PER_ADDRESS
            if flow == "invite"
            else settings.LINK_THROTTLE_PER_ADDRESS,
        ),
        ("mailbox", email, settings.LINK_THROTTLE_PER_MAILBOX),
    ]
    for scope, value, limit in limits:
        count, left = _count(scope, value, period, now)
        if count > limit:
            # The address is counted first: requests refused by it do not use up the mailbox's.
            return Refusal(
                minutes=max(1, math.ceil(left / 60)),
                **({"what": FLOW_WHAT[flow]} if flow in FLOW_WHAT else {}),
            )
    return None
