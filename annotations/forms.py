"""Dashboard forms of the annotations inbox. They check the API's own limits
(``annotations.constants``) and the views pass ``cleaned_data`` to the same services the
REST API calls, so a value means the same on both."""

from __future__ import annotations

from django import forms

from annotations import constants as C
from annotations.models import AutoFixDefault


class StakeholderForm(forms.Form):
    """``POST /api/widget/sites/{id}/stakeholders``: every field optional."""

    name = forms.CharField(max_length=C.AUTHOR_NAME_MAX, required=False)
    email = forms.EmailField(max_length=C.SUBMITTER_FIELD_MAX, required=False)
    auto_fix_default = forms.ChoiceField(
        label="Auto-fix",
        choices=AutoFixDefault.choices,
        initial=AutoFixDefault.OPTIONAL_OFF,
        help_text="Whether the widget offers this stakeholder the auto-fix toggle, and its "
        "initial state.",
    )


def _lf(value: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; store them as the API would get them."""
    return value.replace("\r\n", "\n")


class AnnotationUpdateForm(forms.Form):
    """``PATCH /api/v1/annotations/{id}`` from the annotation page: only the fields the form
    sent are changed (a status-only control leaves summary and assignee alone). The values'
    rules (the seven statuses, a member as assignee, a 4 KB summary) are
    ``annotations.services.annotation_update``'s; this form only reads the POST."""

    status = forms.CharField(required=False, max_length=32)
    summary = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    assignee = forms.CharField(required=False, max_length=20)

    def clean_assignee(self) -> int | None:
        value = self.cleaned_data["assignee"].strip()
        if not value:
            return None
        if not value.isascii() or not value.isdigit():
            raise forms.ValidationError("Choose a member of this workspace.")
        return int(value)

    def changes(self) -> dict[str, object]:
        """The service's keyword arguments for the fields present in the POST."""
        sent = {name for name in self.fields if name in self.data}
        out: dict[str, object] = {}
        if "status" in sent:
            out["status"] = self.cleaned_data["status"]
        if "summary" in sent:
            out["summary"] = _lf(self.cleaned_data["summary"])
        if "assignee" in sent:
            out["assignee_id"] = self.cleaned_data["assignee"]
        return out


class ReplyForm(forms.Form):
    """``POST /api/v1/annotations/{id}/replies`` from the annotation page. The author is the
    signed-in member (kind ``user``); the blank and length rules are the service's."""

    # required=False: a blank reply is refused by the service, with its own message.
    body = forms.CharField(
        label="Reply",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "required": True}),
        help_text="The submitter sees it in the widget on their next visit.",
    )

    def clean_body(self) -> str:
        return _lf(self.cleaned_data["body"])
