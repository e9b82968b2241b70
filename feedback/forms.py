"""Dashboard forms for the triage inbox. They validate with the API's own rules (tags via
``clean_tags``, the same limits) and the views pass ``cleaned_data`` to the same services."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from config.api.errors import ApiError
from feedback import constants as C
from feedback.api.minolith.serializers import clean_tags
from feedback.filters import split_csv
from feedback.models import ItemPriority, ItemStatus
from feedback.selectors import is_item_id

_TAG_INDEX = re.compile(r"^tags\.(\d+)")
PRIORITY_CHOICES = [("", "No priority"), *ItemPriority.choices]
BULK_MAX = C.BULK_MAX_ITEMS


class ItemUpdateForm(forms.Form):
    """Inline triage: each inline control posts only its own field, so only the fields
    present in the POST are changed (``changes``)."""

    status = forms.ChoiceField(choices=ItemStatus.choices, required=False)
    priority = forms.ChoiceField(choices=PRIORITY_CHOICES, required=False)
    tags = forms.CharField(
        required=False,
        max_length=C.TAGS_MAX * (C.TAG_MAX + 2),
        help_text="Comma-separated, at most 10.",
    )

    def clean_status(self) -> str:
        value = self.cleaned_data.get("status", "")
        if "status" in self.data and not value:
            raise forms.ValidationError("Choose a status.")
        return value

    def clean_tags(self) -> list[str]:
        text = self.cleaned_data.get("tags") or ""
        try:
            return clean_tags(split_csv(text))
        except ApiError as exc:
            # "tags.2 must not be empty." reads as "Tag 3 must not be empty." in a form.
            message = _TAG_INDEX.sub(lambda m: f"Tag {int(m[1]) + 1}", exc.message)
            raise forms.ValidationError(message) from exc

    @property
    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.data}


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Add a note",
        max_length=C.NOTE_BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Internal: for your team only, never shown to the submitter.",
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Write something first.")
        return body


class BulkStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ItemStatus.choices)
    items = forms.MultipleChoiceField(required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The ids are checked for shape here; the view resolves them inside the workspace.
        # (Replaces MultipleChoiceField.valid_value; fields[] is typed as the base Field.)
        self.fields["items"].valid_value = is_item_id  # type: ignore[attr-defined]
        self.fields["items"].error_messages["required"] = "Select at least one item."

    def clean_items(self) -> list[str]:
        items = list(dict.fromkeys(self.cleaned_data["items"]))
        if len(items) > BULK_MAX:
            raise forms.ValidationError(f"Select at most {BULK_MAX} items at once.")
        return items
