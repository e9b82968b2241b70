"""Dashboard pages of the triage app: a project's corrections as CSV (training data).

MEMBER and above: the export holds submitters' text, so guests are refused; a workspace you
are not in, or a project outside it, is a 404 (``ProjectMixin``). docs/triage.md,
"Corrections as training data".
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.generic import View

from accounts.models import Role
from config.http import no_store
from projects.dashboard import ProjectMixin
from triage import selectors
from triage.engine import corrections


class _Echo:
    """csv.writer target that hands each formatted line back instead of buffering it."""

    def write(self, value: str) -> str:
        return value


class CorrectionExportView(ProjectMixin, View):
    """GET: the project's corrections as CSV (UTF-8), streamed oldest first."""

    required_role = Role.MEMBER

    def get(self, request: HttpRequest, ws: str, project_id: str) -> StreamingHttpResponse:
        project = self.get_project()
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            yield writer.writerow(selectors.CSV_COLUMNS)
            for row in selectors.correction_rows(project=project):
                yield writer.writerow([corrections.guard(str(v)) for v in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d")
        response["Content-Disposition"] = (
            f'attachment; filename="triage-corrections-{project.slug}-{stamp}.csv"'
        )
        return no_store(response)
