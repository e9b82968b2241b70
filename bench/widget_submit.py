"""Annotation widget benchmark: ``POST /api/widget/sites/<id>/annotations`` against the
shared baseline's insert, in the same run (issue 10 asks for >= 0.8x).

    .venv/bin/python -m bench.widget_submit            # ~3 minutes

What it does (numbers, never assertions):
1. (re)creates the database ``backtalk_bench_widget``, migrates, and creates an owner,
   workspace and site through the services (the widget token is the site's);
2. copies the shared baseline app (``--harness``, default ``../shared/bench``; its
   ``baseline/``) to a temporary folder, points it at a database of its own
   (``backtalk_bench_widget_base``), migrates and seeds it small
   (``--reports-per-project 1000``: an insert does not read the table);
3. starts both under gunicorn (2 sync workers, PostgreSQL, Redis; the product's rate limits
   raised, so no run measures 429s) and drives each with ``wrk --latency`` in ``--rounds``
   rounds, alternating product and baseline so drift cancels:
   - product: the widget POST with a realistic body (element, styles, viewport), an
     ``Origin`` the site allows, so the CORS check, the token check, the per-IP counter in
     Redis, validation, the insert and its audit row all run;
   - baseline: ``POST /drf-insert?lookup=db`` (DRF validation, key lookup in the database,
     one ORM insert): the least work an authenticated insert needs;
4. prints every run, then per shape the median req/s and product / baseline.

Needs PostgreSQL (BENCH_PG_URL), Redis (BENCH_REDIS_URL) and wrk.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

if __package__ in {None, ""}:  # `python bench/widget_submit.py` as well as `-m bench.widget_submit`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common as bc

DB_NAME = "backtalk_bench_widget"
BASE_DB_NAME = "backtalk_bench_widget_base"
ORIGIN = "https://shop.example.com"
# The baseline's seeded write project (its README): ingest key wk_bench_9.
BASE_INGEST_KEY = "wk_bench_9"


def widget_bodies(count: int = 20) -> list[dict[str, Any]]:
    return [
        {
            "body": f"The Pay button is hard to read on this page ({i}).",
            "page_url": f"https://shop.example.com/checkout?step={i % 4}",
            "selector": f"#pay-now-{i % 5}",
            "kind": ("comment", "bug", "design")[i % 3],
            "element": {
                "tag": "button",
                "text": "Pay now",
                "id": f"pay-now-{i % 5}",
                "classes": ["btn", "btn-primary"],
                "role": "button",
                "rect": {"x": 40, "y": 300 + i, "width": 120, "height": 32},
            },
            "styles": {
                "color": "rgb(119, 119, 119)",
                "background-color": "rgb(255, 255, 255)",
                "font-family": "Inter, sans-serif",
                "font-size": "14px",
                "font-weight": "600",
                "padding": "8px 16px",
                "display": "inline-block",
            },
            "viewport": {
                "width": 1366,
                "height": 768,
                "device_pixel_ratio": 1,
                "scroll_x": 0,
                "scroll_y": 120,
            },
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
        }
        for i in range(count)
    ]


def baseline_bodies(count: int = 20) -> list[dict[str, Any]]:
    return [
        {
            "ingest_key": BASE_INGEST_KEY,
            "outcome": "failure",
            "details": f"The Pay button is hard to read on this page ({i}).",
            "tool_name": "bench",
            "source": "bench",
        }
        for i in range(count)
    ]


def setup_site() -> dict[str, str]:
    from projects.services import project_create, project_update

    workspace, actor = bc.bench_owner(reuse=False)
    site = project_create(workspace=workspace, name="Bench shop", actor=actor)
    project_update(project=site, actor=actor, allowed_origins=[ORIGIN])
    return {"site_id": site.pk, "widget_token": site.widget_token}


def default_harness() -> Path:
    """``../shared/bench`` from the checkout, or from the main checkout of a worktree."""
    for root in (bc.ROOT.parent, bc.ROOT.parent.parent):
        if (root / "shared" / "bench" / "baseline").is_dir():
            return root / "shared" / "bench"
    return bc.ROOT.parent / "shared" / "bench"


class BaselineServer(bc.Server):
    """The shared baseline app under the same gunicorn config; it has /hello, not /healthz."""

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/hello"), timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise SystemExit(f"baseline did not start:\n{self.tail_log()}")


def baseline_env(scratch: Path) -> dict[str, str]:
    """The baseline's environment: its own database on BENCH_PG_URL's server, this venv.
    Its settings name django_redis's cache, which this venv may lack; the insert measured
    never touches the cache, so a shim maps it to Django's own RedisCache."""
    from urllib.parse import urlparse

    url = urlparse(bc.recreate_database(BASE_DB_NAME))
    env = {
        "PATH": str(Path(bc.PYTHON).parent) + ":/usr/bin:/bin",
        "BASE_DB_NAME": BASE_DB_NAME,
        "BASE_DB_USER": url.username or "postgres",
        "BASE_DB_PASSWORD": url.password or "",
        "BASE_DB_HOST": url.hostname or "127.0.0.1",
        "BASE_DB_PORT": str(url.port or 5432),
        "BASE_REDIS_URL": bc.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "benchsite.settings",
    }
    if importlib.util.find_spec("django_redis") is None:
        shim = scratch / "shim" / "django_redis"
        shim.mkdir(parents=True)
        (shim / "__init__.py").write_text("")
        (shim / "cache.py").write_text(
            "from django.core.cache.backends.redis import RedisCache  # noqa: F401\n"
        )
        env["PYTHONPATH"] = str(scratch / "shim")
    return env


def prepare_baseline(harness: Path, scratch: Path) -> tuple[Path, dict[str, str]]:
    app = scratch / "app"
    shutil.copytree(harness / "baseline", app)
    env = baseline_env(scratch)
    import subprocess

    for args in (
        ["migrate", "--noinput", "-v0"],
        ["seed", "--reports-per-project", "1000", "--items-per-project", "100"],
    ):
        subprocess.run(
            [bc.PYTHON, "manage.py", *args], cwd=app, env=env, check=True, capture_output=True
        )
    return app, env


def run_side(
    label: str, url: str, bodies: list[Any], headers: dict[str, str], args: argparse.Namespace
) -> bc.WrkResult:
    result = bc.wrk(
        url,
        lua=bc.lua_post_script(bodies, headers=headers),
        duration=args.duration,
        connections=args.connections,
        threads=args.threads,
    )
    print(
        f"{label}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, non-2xx {result.non_2xx}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--harness", type=Path, default=default_harness())
    bc.bench_arguments(parser)
    args = parser.parse_args()
    if not (args.harness / "baseline").is_dir():
        raise SystemExit(f"no baseline app under {args.harness}")

    print(f"load average before (1/5/15 min): {bc.load_average()}")
    env = bc.open_database(DB_NAME, reuse=False)
    site = setup_site()
    product_path = f"/api/widget/sites/{site['site_id']}/annotations"
    product_headers = {"X-GF-Widget-Token": site["widget_token"], "Origin": ORIGIN}
    results: dict[str, list[bc.WrkResult]] = {"product": [], "baseline": []}
    with tempfile.TemporaryDirectory(prefix="bench-widget-") as scratch_dir:
        scratch = Path(scratch_dir)
        bc.section("baseline: copy, migrate, seed (small)")
        app, base_env = prepare_baseline(args.harness, scratch)
        with (
            bc.Server(env=env, workers=2) as product,
            BaselineServer(
                env=base_env, workers=2, app="benchsite.wsgi:application", root=app
            ) as baseline,
        ):
            status, body = bc.http_json(
                "POST",
                product.url(product_path),
                body=widget_bodies(1)[0],
                headers=product_headers,
            )
            if status != 201:
                raise SystemExit(f"widget sanity request failed: {status} {body}")
            status, body = bc.http_json(
                "POST", baseline.url("/drf-insert?lookup=db"), body=baseline_bodies(1)[0]
            )
            if status != 201:
                raise SystemExit(f"baseline sanity request failed: {status} {body}")
            bc.section(
                f"{args.rounds} rounds, wrk -t{args.threads} -c{args.connections} "
                f"-d{args.duration}s"
            )
            for round_no in range(args.rounds):
                order = ["product", "baseline"] if round_no % 2 == 0 else ["baseline", "product"]
                for side in order:
                    if side == "product":
                        result = run_side(
                            f"round {round_no + 1} product",
                            product.url(product_path),
                            widget_bodies(),
                            product_headers,
                            args,
                        )
                    else:
                        result = run_side(
                            f"round {round_no + 1} baseline",
                            baseline.url("/drf-insert?lookup=db"),
                            baseline_bodies(),
                            {},
                            args,
                        )
                    results[side].append(result)
    bc.section("summary (median of rounds)")
    product_rps = statistics.median(r.rps for r in results["product"])
    base_rps = statistics.median(r.rps for r in results["baseline"])
    rows = [
        [
            "POST /api/widget/sites/<id>/annotations (product)",
            f"{product_rps:,.0f}",
            f"{statistics.median(r.p50_ms for r in results['product']):.1f}",
            f"{statistics.median(r.p99_ms for r in results['product']):.1f}",
        ],
        [
            "POST /drf-insert?lookup=db (baseline)",
            f"{base_rps:,.0f}",
            f"{statistics.median(r.p50_ms for r in results['baseline']):.1f}",
            f"{statistics.median(r.p99_ms for r in results['baseline']):.1f}",
        ],
    ]
    bc.print_table(rows, ["shape", "req/s", "p50 ms", "p99 ms"])
    print(f"product / baseline: {product_rps / base_rps:.2f}")
    print(f"load average after (1/5/15 min): {bc.load_average()}")
    bc.close_database(DB_NAME, keep=args.keep)
    bc.drop_database(BASE_DB_NAME)


if __name__ == "__main__":
    main()
