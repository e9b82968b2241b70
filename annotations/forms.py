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
