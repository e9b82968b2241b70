"""Persona reviewer throughput on one core, and run-personas latency.

Usage (from the repository root)::

    python bench/personas.py                 # both parts (the API part needs PostgreSQL)
    python bench/personas.py --checks-only   # the built-in reviewer only, no database
    python bench/personas.py --annotations 500 --requests 300

1. Built-in reviewer: a varied set of synthetic captures (buttons, links, images, inputs,
   paragraphs in English and Dutch, fixed banners, overflowing tables; every text distinct)
   is reviewed by all 60 shipped personas, as a run of the whole catalogue would, in a plain
   ``time.perf_counter`` loop (one process, one thread). It prints persona checks per second
   (one check = one built-in check function on one capture) and persona reviews per second.
   The triage engine's verdict on a text is memoised per text (annotations.personas.language),
   so each annotation pays for its language detection once, as in production; the memo is
   cleared before every round. A second figure runs every check on a fresh text each time
   (memo cleared per capture and check): the worst case.
2. run-personas: ``POST /api/v1/annotations/{id}/run-personas`` for the 6 default personas
   through Django's in-process test client against a fresh PostgreSQL database (bench/common.py,
   BENCH_PG_URL) with the database task queue (runs are queued, nothing executes them): p50
   and p95 of the whole request (auth, rate limits, charge, insert, enqueue, audit).
Nothing asserts on timing; the figures are printed.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORDS_EN = [
    "order",
    "delivery",
    "account",
    "settings",
    "payment",
    "invoice",
    "shipping",
    "address",
    "total",
    "discount",
    "subscription",
    "plan",
    "customer",
    "support",
    "password",
    "profile",
    "cart",
    "product",
    "review",
    "rating",
]
WORDS_NL = [
    "bestelling",
    "levering",
    "account",
    "instellingen",
    "betaling",
    "factuur",
    "verzending",
    "adres",
    "totaal",
    "korting",
    "abonnement",
    "klant",
    "service",
    "wachtwoord",
    "profiel",
    "winkelwagen",
    "product",
    "beoordeling",
]
COLOURS = ("#767676", "#777777", "#595959", "rgb(0, 0, 0)", "rgba(0,0,0,0.6)", "#cccccc", "#ffffff")
BACKGROUNDS = ("#ffffff", "rgba(255,255,255,0)", "#222222", "rgb(240, 240, 240)")


def captures(n: int) -> list:
    """``n`` distinct captures cycling through the element shapes the checks care about."""
    from annotations.personas.reviewer import capture_of

    shapes = []
    for i in range(n):
        words = WORDS_NL if i % 3 == 0 else WORDS_EN
        sentence = " ".join(words[(i + k * 7) % len(words)] for k in range(6 + i % 9))
        text = f"{sentence.capitalize()} {i}. " + ("Read more" if i % 5 == 0 else "")
        kind = i % 6
        element: dict = {
            "tag": ("button", "a", "img", "input", "p", "div")[kind],
            "text": "" if kind == 2 else text,
            "rect": {
                "x": (i * 13) % 400 - 20,
                "y": i % 700,
                "width": 16 + i % 300,
                "height": 14 + i % 60,
            },
            "attributes": {"alt": "Product photo"} if i % 4 == 0 else {},
            "scroll_width": 200 + i % 50,
            "client_width": 180 + i % 80,
        }
        styles = {
            "color": COLOURS[i % len(COLOURS)],
            "background-color": BACKGROUNDS[i % len(BACKGROUNDS)],
            "ancestor-background-colors": ["rgba(0,0,0,0)", "#ffffff"],
            "font-size": f"{10 + i % 16}px",
            "font-weight": "700" if i % 2 else "400",
            "line-height": ("normal", "18px", "1.6", "24px")[i % 4],
            "outline": "rgb(0, 0, 0) none 0px" if i % 3 else "rgb(0, 95, 204) solid 2px",
            "border-style": "solid",
            "border-width": "1px",
            "border-color": "#cccccc",
            "position": "fixed" if i % 7 == 0 else "static",
            "overflow": "hidden" if i % 2 else "visible",
            "text-overflow": "ellipsis" if i % 4 == 1 else "clip",
            "white-space": "nowrap",
            "text-transform": "uppercase" if i % 8 == 0 else "none",
        }
        viewport = {"width": (375, 768, 1366)[i % 3], "height": (667, 1024, 768)[i % 3]}
        comment = f"Ik kan {text} niet lezen" if i % 3 == 0 else f"The {text} is hard to read"
        shapes.append(
            capture_of(
                element=element,
                styles=styles,
                viewport=viewport,
                comment=comment,
                page_url="/checkout",
            )
        )
    return shapes


def bench_checks(n_annotations: int, rounds: int) -> None:
    from annotations.personas import language
    from annotations.personas.catalogue import load_defaults
    from annotations.personas.checks import CHECKS
    from annotations.personas.reviewer import review

    personas = load_defaults()
    checks_per_annotation = sum(len(p.checks) for p in personas)
    shapes = captures(n_annotations)
    language.triaged("warm-up")  # model load excluded: once per process

    rates, review_rates = [], []
    for _ in range(rounds):
        language.triaged.cache_clear()
        started = time.perf_counter()
        for capture in shapes:
            for persona in personas:
                review(persona_name=persona.name, check_names=persona.checks, capture=capture)
        elapsed = time.perf_counter() - started
        rates.append(checks_per_annotation * len(shapes) / elapsed)
        review_rates.append(len(personas) * len(shapes) / elapsed)

    worst = []
    sample = shapes[: max(20, n_annotations // 10)]
    started = time.perf_counter()
    count = 0
    for capture, check in itertools.product(sample, CHECKS.values()):
        language.triaged.cache_clear()
        check(capture)
        count += 1
    worst.append(count / (time.perf_counter() - started))

    print(
        f"built-in reviewer, one core: {n_annotations} distinct captures x 60 personas "
        f"({checks_per_annotation} checks per capture), {rounds} rounds"
    )
    print(f"  persona checks/s (median): {statistics.median(rates):,.0f}")
    print(f"  persona reviews/s (median): {statistics.median(review_rates):,.0f}")
    print(f"  worst case, fresh text for every check: {worst[0]:,.0f} checks/s")


def bench_api(n_requests: int) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.common import close_database, open_database

    name = "bt_personas_bench"
    open_database(name, reuse=False, TASKS_BACKEND="database")
    try:
        _api_requests(n_requests)
    finally:
        close_database(name, keep=False)


def _api_requests(n_requests: int) -> None:
    from django.test import Client

    from accounts.audit import Actor
    from accounts.models import Role, TokenFamily
    from accounts.services import api_token_mint, user_create, workspace_create
    from annotations.models import Annotation, PersonaRun
    from projects.services import project_create

    user = user_create(email="bench@example.com", password=None)
    workspace = workspace_create(owner=user, name="Bench")
    project = project_create(workspace=workspace, name="Bench site", actor=Actor.for_user(user))
    annotation = Annotation.objects.create(
        project=project,
        body="The pay button is hard to read",
        element={
            "tag": "button",
            "text": "Pay",
            "rect": {"x": 0, "y": 0, "width": 80, "height": 20},
        },
        styles={"color": "#777777", "background-color": "#ffffff", "font-size": "14px"},
        viewport={"width": 375, "height": 667},
    )
    _token, raw = api_token_mint(
        workspace=workspace,
        family=TokenFamily.GREATFEEDBACK,
        name="bench",
        role=Role.MEMBER,
        actor=Actor.for_user(user),
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/v1/annotations/{annotation.pk}/run-personas"
    for _ in range(10):  # warm-up: connections, caches, imports
        client.post(url, {}, content_type="application/json")
    timings = []
    for _ in range(n_requests):
        started = time.perf_counter()
        response = client.post(url, {}, content_type="application/json")
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 202:
            raise SystemExit(f"run-personas answered {response.status_code}: {response.content!r}")
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    runs = PersonaRun.objects.filter(annotation=annotation).count()
    print(f"run-personas (6 default personas, PostgreSQL, database queue), {n_requests} requests")
    print(f"  p50 {p50:.1f} ms, p95 {p95:.1f} ms ({runs} runs queued)")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description="persona reviewer and run-personas figures")
    parser.add_argument("--annotations", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--checks-only", action="store_true")
    args = parser.parse_args(argv)
    if args.checks_only:
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        bench_checks(args.annotations, args.rounds)
        return 0
    bench_api(args.requests)  # sets Django up on the benchmark database first
    bench_checks(args.annotations, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
