"""What counts as "similar" for the impact score, for any triaged model.

Similar = same project, same predicted category, same page (or the same money/access word
when no page was given), created in the last SIMILAR_WINDOW. Counting stops at
SIMILAR_COUNT_CAP: the score's top bucket starts at 10, so more rows change nothing but the
time the COUNT takes. docs/triage.md, "similar_count".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import models

from triage.engine.scoring import url_path

SIMILAR_WINDOW = timedelta(days=30)
SIMILAR_COUNT_CAP = 100
SIMILAR_KEY_MAX = 200
# A path segment holding a digit (or a long token) is an id: /orders/123 ~ /orders/456.
_ID_SEGMENT = re.compile(r"\d|^[A-Za-z0-9_-]{24,}$")


def page_path(page: str) -> str:
    """The comparable part of a page: lower-case path, no host, query, fragment or trailing
    slash, ids folded to ``:id`` (``https://x.test/Orders/123?a=1`` -> ``/orders/:id``)."""
    raw = (page or "").strip()
    if not raw:
        return ""
    path = url_path(raw)
    segments = [s for s in path.lower().split("/") if s]
    segments = [":id" if _ID_SEGMENT.search(s) else s for s in segments]
    return "/" + "/".join(segments)


def similar_key(*, category: str, page: str, signals: Mapping[str, Any]) -> str:
    """What two objects of one project must share to count as similar; "" = nothing to go by.

    With a page: category + normalised path ("bug|/login"). Without one: category + the
    money/access word the engine found in the text ("bug|~checkout"). Otherwise no key, so
    the thousandth page-less question is not "similar" to the other 999.
    """
    path = page_path(page)
    if path:
        return f"{category}|{path}"[:SIMILAR_KEY_MAX]
    if signals.get("page_source") == "text" and signals.get("page_keyword"):
        return f"{category}|~{signals['page_keyword']}"[:SIMILAR_KEY_MAX]
    return ""


def count_similar(*, model: type[models.Model], project_id: Any, key: str, now: datetime) -> int:
    """Rows of ``model`` in the project with the same key in the last 30 days, up to the cap.

    One ``SELECT COUNT(*) FROM (... LIMIT 100)`` on the model's (project, triage_similar_key,
    created_at) index; no query at all without a key.
    """
    if not key:
        return 0
    return (
        model._default_manager.filter(
            project_id=project_id, triage_similar_key=key, created_at__gte=now - SIMILAR_WINDOW
        )
        .order_by()
        .values("pk")[:SIMILAR_COUNT_CAP]
        .count()
    )
