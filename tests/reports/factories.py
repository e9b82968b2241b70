"""Report factories (STYLE 3.5): workspace -> project -> report."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from reports.models import Outcome, Report
from tests.factories import ProjectFactory


class ReportFactory(DjangoModelFactory[Report]):
    class Meta:
        model = Report
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    outcome = Outcome.SUCCESS
    details = factory.Sequence(lambda n: f"Agent run {n}: called the tool and it worked.")
    tool_name = "search_index"
    source = "my-mcp-server"
