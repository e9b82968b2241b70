"""Dashboard forms of the reports app."""

from __future__ import annotations

from django import forms

from reports.models import REPLY_MAX, ReplyStatus


class ReportReplyForm(forms.Form):
    """The team's answer to one agent report (``services.report_reply_set``)."""

    status = forms.ChoiceField(choices=ReplyStatus.choices)
    body = forms.CharField(
        required=False,
        max_length=REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reply",
    )
