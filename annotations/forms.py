"""Dashboard forms of the annotations inbox. They check the API's own limits
(``annotations.constants``) and the views pass ``cleaned_data`` to the same services the
REST API calls, so a value means the same on both."""

from __future__ import annotations

from typing import Any

from django import forms

from annotations import constants as C
from annotations.models import AnnotationStatus, AutoFixDefault

UNASSIGNED = ""


class AnnotationUpdateForm(forms.Form):
    """Status, assignee and summary, as ``PATCH /api/v1/annotations/{id}`` takes them. Each
    control posts only its own field, so only the fields present in the POST change
    (``changes``). ``assignee`` offers the workspace's members; "" unassigns."""

    status = forms.ChoiceField(choices=AnnotationStatus.choices, required=False)
    assignee = forms.ChoiceField(required=False)
    summary = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="At most 4 KB. Shown to agents reading the annotation.",
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # fields[] is typed as the base Field; "assignee" is the ChoiceField declared above.
        self.fields["assignee"].choices = [(UNASSIGNED, "Unassigned"), *members]  # type: ignore[attr-defined]

    def clean_status(self) -> str:
        value = self.cleaned_data.get("status", "")
        if "status" in self.data and not value:
            raise forms.ValidationError("Choose a status.")
        return value

    def clean_summary(self) -> str:
        value = self.cleaned_data.get("summary") or ""
        if len(value.encode()) > C.SUMMARY_MAX_BYTES:
            raise forms.ValidationError(
                f"The summary is at most {C.SUMMARY_MAX_BYTES} bytes ({len(value.encode())} given)."
            )
        return value

    @property
    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.data}


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply",
        max_length=C.BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Posted on the thread as you; the submitter sees it in the widget.",
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Write something first.")
        return body


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
