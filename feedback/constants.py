"""Minolith feedback limits, from the document (docs/api/minolith.md, "Validation Rules")."""

from __future__ import annotations

ITEM_ID_PREFIX = "fbk_"
NOTE_ID_PREFIX = "fbn_"
ID_HEX_CHARS = 12

BODY_MAX = 50_000
TITLE_MAX = 500
TAGS_MAX = 10
TAG_MAX = 100
PAGE_URL_MAX = 2_000
USER_FIELD_MAX = 255  # user_email, user_name, user_id_external
NOTE_BODY_MAX = 50_000

# The dashboard's bulk status change: at most this many items per submission.
BULK_MAX_ITEMS = 100
# Filters: how many comma-separated values one parameter may carry (an IN list, not a scan).
FILTER_MAX_VALUES = 50

# Credits (the document's "Credit Costs"): an item created through any channel costs one.
CREDITS_PER_ITEM = 1

# The documented timestamp format ("2026-03-17 12:00:00", UTC).
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"

AGENT_NAME_MAX = 100  # X-Minolith-Agent, kept on MCP items and notes (longer is cut)
