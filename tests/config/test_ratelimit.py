"""Rate limits (django-ratelimit under config.api.ratelimit): per token, per IP, per
project; 429 with a reason and Retry-After; a cache outage fails open, never 500 or 429."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from config.api.errors import ApiError
from config.api.ratelimit import Bucket, describe_rate, enforce
from tests.config.helpers import CLOSED_REDIS, csrf_client
from tests.conftest import bearer_client
from tests.factories import mint_token

SITES = "/api/v1/sites"


def assert_429(response, detail):
    assert response.status_code == 429, response.content
    assert response.json() == detail
    assert 1 <= int(response["Retry-After"]) <= 60


def test_per_token_limit_is_429_with_reason_and_retry_after(
    gf_client, workspace, owner, project, settings
):
    settings.RATE_GREATFEEDBACK_PER_TOKEN = "2/60s"
    assert [gf_client.get(SITES).status_code for _ in range(2)] == [200, 200]
    assert_429(
        gf_client.get(SITES),
        {"detail": "Rate limit exceeded: 2 requests per 60 seconds per token."},
    )
    # Another token's bucket is its own.
    _, other = mint_token(workspace=workspace, created_by=owner)
    assert bearer_client(other).get(SITES).status_code == 200


def test_per_ip_limit_covers_every_token_from_one_address(workspace, owner, project, settings):
    settings.RATE_GREATFEEDBACK_PER_IP = "3/60s"
    raws = [mint_token(workspace=workspace, created_by=owner)[1] for _ in range(4)]
    codes = [bearer_client(raw).get(SITES).status_code for raw in raws[:3]]
    assert codes == [200, 200, 200]
    assert_429(
        bearer_client(raws[3]).get(SITES, REMOTE_ADDR="127.0.0.1"),
        {"detail": "Rate limit exceeded: 3 requests per 60 seconds per IP address."},
    )
    assert bearer_client(raws[3]).get(SITES, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_session_callers_are_counted_per_user(owner, workspace, member, project, settings):
    settings.RATE_GREATFEEDBACK_PER_TOKEN = "1/60s"
    alice = csrf_client(owner, workspace)
    assert alice.get(SITES).status_code == 200
    assert alice.get(SITES).status_code == 429
    assert csrf_client(member, workspace).get(SITES).status_code == 200


def test_writeback_read_limit_is_429_in_the_writeback_shape(writeback_client, settings):
    settings.RATE_WRITEBACK_READ_PER_KEY = "1/60s"
    assert writeback_client.get("/v1/projects").status_code == 200
    assert_429(
        writeback_client.get("/v1/projects"),
        {
            "ok": False,
            "error": {
                "code": "rate_limit_exceeded",
                "message": "Rate limit exceeded for this API key.",
            },
        },
    )


def test_a_rejected_request_changes_nothing(owner, workspace, settings):
    settings.RATE_GREATFEEDBACK_PER_TOKEN = "1/60s"
    client = csrf_client(owner)
    url = f"/api/workspaces/{workspace.pk}/api-tokens"
    assert client.post(url, {"name": "one"}, format="json").status_code == 201
    assert client.post(url, {"name": "two"}, format="json").status_code == 429
    assert list(workspace.api_tokens.values_list("name", flat=True)) == ["one"]


def test_project_buckets_count_each_project_apart(db, settings):
    """The per-project bucket kind (the Minolith public endpoint keys on IP + project)."""
    settings.RATE_MINOLITH_PUBLIC_PER_IP = "1/3600s"
    request = RequestFactory().post("/v1/feedback/public/storefront")

    def bucket(project_id: str) -> Bucket:
        return Bucket(
            group="test:public",
            value=f"project:{project_id}:ip:192.0.2.1",
            rate_setting="RATE_MINOLITH_PUBLIC_PER_IP",
            reason="Too many submissions from this address for this project.",
            code="public_rate_limited",
        )

    enforce(request, [bucket("a")])
    with pytest.raises(ApiError) as excinfo:
        enforce(request, [bucket("a")])
    assert (excinfo.value.status, excinfo.value.code) == (429, "public_rate_limited")
    assert 1 <= int(excinfo.value.headers["Retry-After"]) <= 3600  # the hour-long window
    enforce(request, [bucket("b")])  # another project: its own counter


def test_describe_rate_reads_django_ratelimit_rates():
    assert describe_rate("600/60s") == "600 requests per 60 seconds"
    assert describe_rate("10/h") == "10 requests per 3600 seconds"
    assert describe_rate("1/5m") == "1 request per 300 seconds"


# --- cache outage -----------------------------------------------------------------------------
def test_redis_outage_fails_open_for_authenticated_endpoints(gf_client, project, settings):
    settings.CACHES = CLOSED_REDIS
    settings.RATE_GREATFEEDBACK_PER_TOKEN = "1/60s"
    codes = [gf_client.get(SITES).status_code for _ in range(3)]
    assert codes == [200, 200, 200]  # no 500, and no 429 from a counter that cannot count


def test_redis_outage_fails_open_for_writeback_reads(writeback_client, project, settings):
    settings.CACHES = CLOSED_REDIS
    assert writeback_client.get("/v1/projects").status_code == 200


def test_fail_closed_buckets_answer_503_during_an_outage(db, settings):
    settings.CACHES = CLOSED_REDIS
    request = RequestFactory().get("/")
    bucket = Bucket(group="t", value="ip:x", rate_setting="RATE_FLUISTER_PER_KEY", reason="r")
    enforce(request, [bucket], fail_open=True)  # no exception
    with pytest.raises(ApiError) as excinfo:
        enforce(request, [bucket], fail_open=False)
    assert (excinfo.value.status, excinfo.value.headers["Retry-After"]) == (503, "5")


def test_every_bucket_counts_once_per_request_and_the_cache_reads_the_counters(db, settings):
    """Issue 15: all buckets in one round trip (Redis: one EVAL; the embedded SQLite cache:
    one transaction), under django-ratelimit's own keys, so the library, the cache API and
    accounts.signin see the same counters."""
    from django.core.cache import caches
    from django_ratelimit import ALL
    from django_ratelimit.core import _get_window, _make_cache_key

    settings.RATE_A = "3/60s"
    settings.RATE_B = "2/60s"
    buckets = [
        Bucket(group="t:a", value="ip:1", rate_setting="RATE_A", reason="A full."),
        Bucket(group="t:b", value="ip:1", rate_setting="RATE_B", reason="B full."),
    ]
    request = RequestFactory().post("/v1/reports")
    enforce(request, buckets)
    enforce(request, buckets)
    with pytest.raises(ApiError) as caught:
        enforce(request, buckets)

    assert (caught.value.status, caught.value.message) == (429, "B full.")
    cache = caches[settings.RATELIMIT_USE_CACHE]
    for group, rate in (("t:a", "3/60s"), ("t:b", "2/60s")):
        key = _make_cache_key(group, _get_window("ip:1", 60), rate, "ip:1", ALL)
        assert cache.get(key) == 3
