"""``python -m bench load``: 50 logged-in people on the dashboards for 60 s, under gunicorn on
PostgreSQL with the national dataset (70,000 ОО, 26 weeks); prints requests/s, p50/p95/p99 and
errors. Not a test, and not part of ``python -m bench all``.

The portal runs as in production (DEBUG=False, collected static files, 4 gunicorn workers with
2 threads each) on a free port of 127.0.0.1; this process drives it with asyncio and httpx.
Each person logs in through the login form, then keeps browsing within their scope: region
coordinators of region 01 (3,000 ОО) open the region page and drill down to a district and a
school, district leads their district and its schools, ОО admins their school; random weeks,
and about one request in ten is an xlsx export. Each person waits a "think time" between
pages (uniform, 0.5–1.5 × ``--think`` seconds; ``--think 0`` is a stress test, not people).

Strictly bounded: the measured window ends after ``--seconds``, requests are capped, each one
times out, and gunicorn is stopped at the end whatever happens.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .common import OUT, ROOT, print_table, setup_django
from .dataset import (
    FIRST_MONDAY,
    NATIONAL_DATABASE,
    WEEKS,
    build_national_database,
    sync_big_region_tasks,
)

USERS = 50
SECONDS = 60
THINK = 1.0
MAX_REQUESTS = 50_000
REQUEST_TIMEOUT = 30
PASSWORD = "bench-load-Пароль-2025"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOAL_P95_MS = 500


@dataclass
class Person:
    username: str
    role: str  # coordinator | district | admin
    municipality_ids: list[int]  # the districts they may open
    organization_ids: dict[int, list[int]]  # district -> schools they may open
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Sample:
    page: str
    ms: float
    ok: bool
    error: str = ""


def _people(count: int) -> tuple[int, list[Person]]:
    """Create (or refresh) the bench-load users of region 01: a fifth coordinators, two fifths
    district leads, two fifths ОО admins, all with one password."""
    from django.contrib.auth.hashers import make_password

    from organizations.models import Membership, Municipality, Organization, Region, Role, User

    region = Region.objects.get(code="01")
    municipalities = list(
        Municipality.objects.filter(region=region).order_by("pk").values_list("pk", flat=True)
    )
    schools: dict[int, list[int]] = {m: [] for m in municipalities}
    for pk, municipality_id in Organization.objects.filter(municipality__region=region).values_list(
        "pk", "municipality_id"
    ):
        schools[municipality_id].append(pk)
    hashed = make_password(PASSWORD)
    coordinators, districts = count // 5, 2 * count // 5
    people = []
    for i in range(count):
        if i < coordinators:
            role, scope = "coordinator", {"region": region}
            person = Person(f"bench-load-{i:02d}", role, municipalities, schools)
            membership = Role.REGIONAL_COORDINATOR
        elif i < coordinators + districts:
            municipality_id = municipalities[i % len(municipalities)]
            scope = {"municipality_id": municipality_id}
            person = Person(
                f"bench-load-{i:02d}",
                "district",
                [municipality_id],
                {municipality_id: schools[municipality_id]},
            )
            membership = Role.DISTRICT_LEAD
        else:
            municipality_id = municipalities[i % len(municipalities)]
            school = schools[municipality_id][i % len(schools[municipality_id])]
            scope = {"organization_id": school}
            person = Person(f"bench-load-{i:02d}", "admin", [], {municipality_id: [school]})
            membership = Role.OO_ADMIN
        user, _ = User.objects.update_or_create(
            username=person.username,
            defaults={"password": hashed, "is_active": True, "last_name": "Нагрузка"},
        )
        user.memberships.exclude(role=membership, **scope).delete()
        Membership.objects.get_or_create(user=user, role=membership, **scope)
        people.append(person)
    return region.pk, people


def _weeks() -> list[str]:
    from sferum_portal.weeks import iso_week_label

    return [iso_week_label(FIRST_MONDAY + dt.timedelta(days=7 * w)) for w in range(WEEKS)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(*, workers: int, threads: int, log: Path):
    """The portal under gunicorn on 127.0.0.1 (production settings, the bench database)."""
    static_root = Path(tempfile.mkdtemp(prefix="bench-load-static-"))
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",  # plain http on the loopback
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)  # dashboards need no broker; /healthz says "not configured"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    port = _free_port()
    # Keep-alive longer than httpx's 5 s pool expiry: otherwise gunicorn closes an idle
    # connection just as a client reuses it, and the bench counts a dropped connection.
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sferum_portal.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--worker-class", "gthread", "--timeout", "60", "--graceful-timeout", "10",
         "--keep-alive", "30"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer in 60 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        subprocess.run(["rm", "-rf", str(static_root)], check=False)


def _cookie_header(person: Person) -> dict[str, str]:
    # The session and CSRF cookies are Secure in production, and httpx (rightly) keeps Secure
    # cookies off plain http: the bench, on the loopback, sends them itself.
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in person.cookies.items())}


def _remember(person: Person, response) -> None:
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        person.cookies[name.strip()] = rest.split(";", 1)[0]


async def _login(client, person: Person) -> float:
    start = time.perf_counter()
    page = await client.get("/accounts/login/")
    _remember(person, page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = await client.post(
        "/accounts/login/",
        data={"username": person.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers=_cookie_header(person),
    )
    if response.status_code != 302 or "sessionid" not in response.headers.get("set-cookie", ""):
        raise RuntimeError(f"{person.username} could not log in: {response.status_code}")
    _remember(person, response)
    return (time.perf_counter() - start) * 1000


def _next_page(person: Person, region_id: int, weeks: list[str], rng: random.Random):
    """(kind, url): the person's next page, within their scope."""
    week = rng.choice(weeks)
    export = rng.random() < 0.1
    municipality_id = rng.choice(list(person.organization_ids))
    school = rng.choice(person.organization_ids[municipality_id])
    if person.role == "coordinator":
        kind = rng.choices(["region", "district", "school"], [5, 3, 2])[0]
    elif person.role == "district":
        kind = rng.choices(["district", "school"], [6, 4])[0]
    else:
        kind = "school"
    path = {
        "region": f"/regions/{region_id}/dashboard/",
        "district": f"/municipalities/{municipality_id}/dashboard/",
        "school": f"/organizations/{school}/dashboard/",
    }[kind]
    query = "?format=xlsx" if export and kind == "school" else f"?week={week}"
    if export and kind != "school":
        query += "&format=xlsx"
    return (f"{kind} xlsx" if export else kind), path + query


async def _browse(client, person, region_id, weeks, *, until, think, budget, samples, seed):
    rng = random.Random(seed)
    if think:  # people do not all click at the same instant
        await asyncio.sleep(rng.uniform(0, think))
    while time.monotonic() < until and budget[0] > 0:
        budget[0] -= 1
        kind, url = _next_page(person, region_id, weeks, rng)
        start = time.perf_counter()
        try:
            response = await client.get(url, headers=_cookie_header(person))
            content = await response.aread()
            wanted = XLSX if kind.endswith("xlsx") else "text/html"
            ok = response.status_code == 200 and response.headers.get(
                "content-type", ""
            ).startswith(wanted)
            error = "" if ok else f"{response.status_code} {url}"
            if ok and wanted == "text/html" and b'name="password"' in content:
                ok, error = False, f"login page instead of {url}"
        except Exception as exc:  # a timeout or a dropped connection counts as an error
            ok, error = False, f"{exc.__class__.__name__} {url}"
        samples.append(Sample(kind, (time.perf_counter() - start) * 1000, ok, error))
        if think:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def _drive(base_url, region_id, people, *, seconds, think) -> dict:
    import httpx

    limits = httpx.Limits(max_connections=len(people) * 2, max_keepalive_connections=len(people))
    timeout = httpx.Timeout(REQUEST_TIMEOUT)
    clients = [httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) for _ in people]
    try:
        login_started = time.perf_counter()
        logins = await asyncio.gather(*(_login(c, p) for c, p in zip(clients, people, strict=True)))
        login_seconds = time.perf_counter() - login_started
        weeks = _weeks()
        # Warm-up, not measured: every gunicorn worker imports and connects on its first pages.
        warm: list[Sample] = []
        await asyncio.gather(
            *(
                _browse(c, p, region_id, weeks, until=time.monotonic() + 5, think=0,
                        budget=[3], samples=warm, seed=i)
                for i, (c, p) in enumerate(zip(clients, people, strict=True))
            )
        )  # fmt: skip
        samples: list[Sample] = []
        budget = [MAX_REQUESTS]
        started = time.monotonic()
        await asyncio.wait_for(
            asyncio.gather(
                *(
                    _browse(c, p, region_id, weeks, until=started + seconds, think=think,
                            budget=budget, samples=samples, seed=1000 + i)
                    for i, (c, p) in enumerate(zip(clients, people, strict=True))
                )
            ),
            timeout=seconds + REQUEST_TIMEOUT + 15,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return {
        "samples": samples,
        "elapsed": elapsed,
        "logins_ms": sorted(logins),
        "login_seconds": login_seconds,
        "warm_errors": [s.error for s in warm if not s.ok],
    }


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _figures(samples: list[Sample], elapsed: float) -> dict:
    times = [s.ms for s in samples]
    return {
        "requests": len(samples),
        "rps": round(len(samples) / elapsed, 1) if elapsed else 0,
        "p50_ms": round(_percentile(times, 50)),
        "p95_ms": round(_percentile(times, 95)),
        "p99_ms": round(_percentile(times, 99)),
        "max_ms": round(max(times, default=0)),
        "errors": sum(not s.ok for s in samples),
    }


def main(
    *,
    users: int = USERS,
    seconds: int = SECONDS,
    think: float = THINK,
    workers: int = 4,
    threads: int = 2,
) -> dict:
    # A SIGTERM ends the run through the finally blocks, so gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    setup_django(database=NATIONAL_DATABASE)
    from django.conf import settings

    from organizations.models import Organization

    if not Organization.objects.exists():
        build_national_database()
    region_id, people = _people(users)
    sync_big_region_tasks()
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    log = OUT / f"load-{stamp}-gunicorn.log"
    with gunicorn(workers=workers, threads=threads, log=log) as base_url:
        run = asyncio.run(_drive(base_url, region_id, people, seconds=seconds, think=think))
    samples, elapsed = run["samples"], run["elapsed"]
    overall = _figures(samples, elapsed)
    by_page = {
        kind: _figures([s for s in samples if s.page == kind], elapsed)
        for kind in sorted({s.page for s in samples})
    }
    errors: dict[str, int] = {}
    for s in samples:
        if not s.ok:
            errors[s.error] = errors.get(s.error, 0) + 1
    rows = [
        (name, f"{f['requests']} req", f"{f['rps']} req/s", f"p50 {f['p50_ms']} ms",
         f"p95 {f['p95_ms']} ms", f"p99 {f['p99_ms']} ms", f"max {f['max_ms']} ms",
         f"{f['errors']} errors")
        for name, f in [("all pages", overall), *by_page.items()]
    ]  # fmt: skip
    print_table(
        f"Load: {users} people, {seconds} s, think {think} s, gunicorn {workers}×{threads} "
        f"(PostgreSQL, national dataset, {os.cpu_count()} CPUs)",
        rows,
    )
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1]
    print(
        f"  logins (not measured above): {len(run['logins_ms'])} in "
        f"{run['login_seconds']:.1f} s, median {statistics.median(run['logins_ms']):.0f} ms "
        f"({hasher})"
    )
    verdict = overall["errors"] == 0 and overall["p95_ms"] < GOAL_P95_MS
    print(f"  goal: 0 errors and p95 < {GOAL_P95_MS} ms: {'met' if verdict else 'NOT met'}")
    for error, count in sorted(errors.items(), key=lambda e: -e[1])[:10]:
        print(f"  error ×{count}: {error}")
    if run["warm_errors"]:
        print(f"  warm-up errors: {run['warm_errors'][:5]}")
    result = {
        "users": users,
        "seconds": seconds,
        "think": think,
        "gunicorn": f"{workers}x{threads}",
        "cpus": os.cpu_count(),
        "overall": overall,
        "pages": by_page,
        "errors": errors,
        "goal_met": verdict,
    }
    (OUT / f"load-{stamp}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result
