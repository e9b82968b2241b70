"""Dashboard forms for projects (greatfeedback sites): settings, project keys, MCP rotation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.validators import validate_slug

from accounts.models import TokenFamily
from projects.models import Project

MAX_ORIGINS = 50
PROJECT_KEY_FAMILIES = [
    (TokenFamily.MINOLITH.value, "Minolith / Fluister project key (mlth_)"),
    (TokenFamily.WRITEBACK_READ.value, "Writeback API key (wk_sk_, reads reports)"),
]


SLUG_TAKEN = "This slug is already taken."


def parse_origin(line: str) -> str:
    """``scheme://host[:port]`` only: no path, query, fragment or credentials; http(s) only.

    Returned lower-cased without a trailing slash, the form browsers send in ``Origin``."""
    raw = line.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port  # raises ValueError for a port that is not a number or too big
    except ValueError as exc:
        raise forms.ValidationError(f"“{raw}” is not a valid origin.") from exc
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise forms.ValidationError(
            f"“{raw}” is not an origin: write scheme://host[:port], e.g. https://example.com."
        )
    if parts.username or parts.password or parts.query or parts.fragment or "#" in raw:
        raise forms.ValidationError(f"“{raw}” must not carry credentials, a query or a fragment.")
    if parts.path not in {"", "/"}:
        raise forms.ValidationError(f"“{raw}” has a path; an origin is scheme://host[:port] only.")
    host = parts.hostname.lower()
    if " " in host or any(ord(ch) < 33 for ch in host):
        raise forms.ValidationError(f"“{raw}” has an invalid host.")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    origin = f"{parts.scheme.lower()}://{host}"
    return f"{origin}:{port}" if port is not None else origin


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=200, strip=True)
    slug = forms.CharField(
        max_length=64,
        required=False,
        label="Public slug",
        help_text="Used by the Minolith widget (data-project). Letters, digits, - and _. "
        "Leave blank to derive it from the name.",
        validators=[validate_slug],
    )
    domain = forms.CharField(max_length=253, required=False, strip=True)
    allowed_origins = forms.CharField(
        required=False,
        label="Allowed widget origins",
        help_text="One per line, e.g. https://shop.example.com. Empty: any origin may post.",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    spending_cap_credits = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        label="Spending cap (credits)",
        help_text="Minolith items cost 1 credit each. Blank: no cap.",
    )

    def __init__(self, *args: Any, instance: Project | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": instance.name,
                "slug": instance.slug,
                "domain": instance.domain,
                "allowed_origins": "\n".join(instance.allowed_origins or []),
                "spending_cap_credits": instance.spending_cap_credits,
            }
        super().__init__(*args, **kwargs)

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug", "").strip().lower()
        if not slug:
            if self.instance is not None:
                raise forms.ValidationError("A project keeps a slug; it cannot be blank.")
            return ""
        taken = Project.objects.filter(slug=slug)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(SLUG_TAKEN, code="taken")
        return slug

    def clean_allowed_origins(self) -> list[str]:
        lines = [
            ln for ln in self.cleaned_data.get("allowed_origins", "").splitlines() if ln.strip()
        ]
        if len(lines) > MAX_ORIGINS:
            raise forms.ValidationError(f"At most {MAX_ORIGINS} origins.")
        errors: list[forms.ValidationError] = []
        origins: list[str] = []
        for line in lines:
            try:
                origin = parse_origin(line)
            except forms.ValidationError as exc:
                errors.append(exc)
                continue
            if origin not in origins:
                origins.append(origin)
        if errors:
            raise forms.ValidationError(errors)
        return origins

    def changes(self) -> dict[str, Any]:
        """The fields that differ from the instance (all of them for a new project)."""
        data = dict(self.cleaned_data)
        if self.instance is None:
            return data
        return {k: v for k, v in data.items() if getattr(self.instance, k) != v}


class ProjectKeyForm(forms.Form):
    family = forms.ChoiceField(choices=PROJECT_KEY_FAMILIES)
    name = forms.CharField(max_length=200, strip=True)


class RotateMcpTokenForm(forms.Form):
    confirm = forms.BooleanField(
        required=True,
        label="I understand the current MCP token stops working immediately.",
        error_messages={"required": "Tick the box to confirm; nothing was rotated."},
    )
