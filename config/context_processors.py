"""Template context every page can use; values are callables, so a page that does not
show them costs nothing (templates call a callable when they resolve it)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest

from config.site import site_url
from config.worker import task_backlog_memoised


def site(request: HttpRequest) -> dict[str, Callable[[], object]]:
    """``site_url``: the public base URL for snippets (a view's own ``site_url`` wins);
    ``task_backlog``: queued tasks waiting over a minute, for the dashboard banner."""
    return {"site_url": functools.partial(site_url, request), "task_backlog": task_backlog_memoised}
