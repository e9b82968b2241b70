"""Credits: the one charge every cost-bearing write makes (a feedback item, a persona run).

The charge is one conditional ``UPDATE ... SET credits_used = credits_used + n WHERE cap is
NULL OR credits_used <= cap - n`` inside the caller's transaction: the row lock makes
concurrent charges count exactly, and when no row is updated the cap is reached, the caller's
transaction rolls back and nothing is stored (402 ``spending_cap_exceeded``).
"""

from __future__ import annotations

from django.db.models import F, Q

from config.api.errors import ApiError
from projects.models import Project

SPENDING_CAP_EXCEEDED = "spending_cap_exceeded"


class SpendingCapExceeded(ApiError):
    def __init__(self) -> None:
        super().__init__(SPENDING_CAP_EXCEEDED, "Spending cap exceeded.", 402)


def charge_sql(project: Project, credits: int) -> tuple[str, list[object]]:
    """The same conditional UPDATE as ``charge_credits``, with ``RETURNING 1``, for a write
    that runs as one statement (``config.onestatement``): no row returned = cap reached."""
    table = Project._meta.db_table
    return (
        f'UPDATE "{table}" SET "credits_used" = "credits_used" + %s WHERE "id" = %s AND '  # noqa: S608  # table name from _meta
        '("spending_cap_credits" IS NULL OR "credits_used" <= "spending_cap_credits" - %s) '
        "RETURNING 1",
        [credits, project.pk, credits],
    )


def charge_credits(project: Project, credits: int) -> None:
    """Charge ``credits`` to ``project`` or raise 402; call inside the write's transaction."""
    charged = (
        Project.objects.filter(pk=project.pk)
        .filter(
            Q(spending_cap_credits__isnull=True)
            | Q(credits_used__lte=F("spending_cap_credits") - credits)
        )
        .update(credits_used=F("credits_used") + credits)
    )
    if not charged:
        raise SpendingCapExceeded()
