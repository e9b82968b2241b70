"""Creating an annotation from the widget: the payload's rules, auto-fix consent, the
submitter's secret, and reading a submitter's own threads back with it.

The payload is the documented widget body (docs/api/greatfeedback.md, "Widget"). Every
field is checked against the limits in ``annotations.constants`` before anything is
written; all problems are reported together as one 422 naming each field, and nothing is
stored. Unknown keys are ignored, at the top level and inside ``element``, ``styles`` and
``viewport`` (only the documented subset is kept), so a newer widget never breaks an older
server.

Auto-fix consent is decided here, never by the client: without a valid (active) stakeholder
token the submitter is anonymous and ``auto_fix`` is false whatever was sent; a stakeholder
whose ``auto_fix_default`` is ``never`` always lands false; ``optional_off``/``optional_on``
honour the toggle the widget sent, and the default (off/on) when it sent none.

The submitter secret (``gfss_`` + 192 random bits) is returned once; only its SHA-256 is
stored, and a lookup compares digests in constant time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.audit import Actor
from annotations import constants as C
from annotations.audit import record_annotation
from annotations.models import (
    Annotation,
    AnnotationChannel,
    AnnotationKind,
    AutoFixDefault,
    Reply,
    Stakeholder,
    SubmitterKind,
    UploadKind,
)
from annotations.stakeholders import stakeholder_resolve
from annotations.uploads import upload_claim
from config.api.errors import ApiError, ErrorCode, FieldError
from config.ids import is_hex32, new_secret, secret_digest
from projects.models import Project
from triage import services as triage_services

# --- Documented subsets -------------------------------------------------------------------
ELEMENT_TEXT_FIELDS = {  # key -> max characters
    "tag": 64,
    "text": C.ELEMENT_TEXT_MAX,
    "id": 500,
    "role": 100,
    "aria-label": C.ELEMENT_TEXT_MAX,
    "alt": C.ELEMENT_TEXT_MAX,
    "href": C.PAGE_URL_MAX,
}
ELEMENT_ALIASES = {"aria_label": "aria-label", "ariaLabel": "aria-label", "tagName": "tag"}
ELEMENT_CLASSES_MAX = 50
ELEMENT_CLASS_MAX = 200
RECT_KEYS = ("x", "y", "width", "height")
RECT_ALIASES = ("rect", "box", "bounding_box", "boundingBox")
STYLE_KEYS = (
    "color",
    "background-color",
    "font-family",
    "font-size",
    "font-weight",
    "line-height",
    "padding",
    "margin",
    "border",
    "display",
    "position",
    "opacity",
    "z-index",
    "outline",
    "cursor",
)
STYLE_VALUE_MAX = 500
VIEWPORT_KEYS = ("width", "height", "device_pixel_ratio", "scroll_x", "scroll_y")
VIEWPORT_ALIASES = {"devicePixelRatio": "device_pixel_ratio", "scrollX": "scroll_x",
                    "scrollY": "scroll_y"}  # fmt: skip
COORDINATE_MAX = 10_000_000  # pixels: far past any real page, short of float nonsense
DPR_MAX = 16
LOOKUP_MAX_ITEMS = 50
SECRET_MAX = 128

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _kebab(name: str) -> str:
    """``backgroundColor`` (CSSStyleDeclaration) -> ``background-color`` (CSS)."""
    return _CAMEL.sub("-", name).lower()


# --- Validation -----------------------------------------------------------------------------
@dataclass
class _Checker:
    """Collects every field problem so one 422 names them all."""

    errors: list[FieldError] = field(default_factory=list)

    def fail(self, name: str, message: str) -> None:
        self.errors.append(FieldError(field=name, message=message))

    def text(
        self,
        data: Mapping[str, Any],
        name: str,
        *,
        limit: int,
        required: bool = False,
        where: str = "",
    ) -> str:
        path = f"{where}.{name}" if where else name
        value = data.get(name)
        if value is None:
            if required:
                self.fail(path, f"{path} is required.")
            return ""
        if not isinstance(value, str):
            self.fail(path, f"{path} must be a string.")
            return ""
        value = value.strip()
        if required and not value:
            self.fail(path, f"{path} must not be blank.")
        elif len(value) > limit:
            self.fail(path, f"{path} must be at most {limit:,} characters (got {len(value):,}).")
            return ""
        return value

    def number(
        self, value: Any, path: str, *, minimum: float, maximum: float, integer: bool = False
    ) -> float | int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"{path} must be a number.")
            return None
        if not minimum <= value <= maximum:
            self.fail(path, f"{path} must be between {minimum:g} and {maximum:g}.")
            return None
        if integer:
            return round(value)
        return value

    def mapping(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        value = data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(name, f"{name} must be an object.")
            return {}
        return value


def _url(checker: _Checker, value: str, path: str) -> str:
    if not value:
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.netloc:
        checker.fail(path, f"{path} must be an absolute http(s) URL.")
        return ""
    return value


def _rect(checker: _Checker, raw: Mapping[str, Any], path: str) -> dict[str, float | int]:
    rect: dict[str, float | int] = {}
    for key in RECT_KEYS:
        value = checker.number(
            raw.get(key), f"{path}.{key}", minimum=-COORDINATE_MAX, maximum=COORDINATE_MAX
        )
        if value is not None:
            rect[key] = value
    return rect


def _element(checker: _Checker, raw: Mapping[str, Any]) -> dict[str, Any]:
    data = {ELEMENT_ALIASES.get(k, k): v for k, v in raw.items()}
    element: dict[str, Any] = {}
    for key, limit in ELEMENT_TEXT_FIELDS.items():
        if key == "text" and isinstance(data.get(key), str):
            # A snippet: the widget may send the element's whole text; keep the first 500.
            data = {**data, key: data[key].strip()[: C.ELEMENT_TEXT_MAX]}
        value = checker.text(data, key, limit=limit, where="element")
        if value:
            element[key] = value
    classes = data.get("classes")
    if isinstance(classes, str):
        classes = classes.split()
    if classes is not None:
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            checker.fail("element.classes", "element.classes must be a list of strings.")
        elif len(classes) > ELEMENT_CLASSES_MAX or any(len(c) > ELEMENT_CLASS_MAX for c in classes):
            checker.fail(
                "element.classes",
                f"element.classes must hold at most {ELEMENT_CLASSES_MAX} names of at most "
                f"{ELEMENT_CLASS_MAX} characters.",
            )
        elif classes:
            element["classes"] = classes
    box_key = next((k for k in RECT_ALIASES if k in data), None)
    if box_key is not None:
        box = data[box_key]
        if not isinstance(box, dict):
            checker.fail(f"element.{box_key}", f"element.{box_key} must be an object.")
        else:
            rect = _rect(checker, box, f"element.{box_key}")
            if rect:
                element["rect"] = rect
    elif any(k in data for k in RECT_KEYS):  # the box sent flat on the element
        rect = _rect(checker, data, "element")
        if rect:
            element["rect"] = rect
    return element


def _styles(checker: _Checker, raw: Mapping[str, Any]) -> dict[str, str]:
    styles: dict[str, str] = {}
    for name, value in raw.items():
        key = _kebab(name) if isinstance(name, str) else ""
        if key not in STYLE_KEYS:
            continue
        path = f"styles.{key}"
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            checker.fail(path, f"{path} must be a string.")
        elif len(value) > STYLE_VALUE_MAX:
            checker.fail(path, f"{path} must be at most {STYLE_VALUE_MAX} characters.")
        elif value.strip():
            styles[key] = value.strip()
    return styles


def _viewport(checker: _Checker, raw: Mapping[str, Any]) -> dict[str, float | int]:
    data = {VIEWPORT_ALIASES.get(k, k): v for k, v in raw.items()}
    limits: dict[str, tuple[float, float, bool]] = {
        "width": (0, COORDINATE_MAX, True),
        "height": (0, COORDINATE_MAX, True),
        "device_pixel_ratio": (0.1, DPR_MAX, False),
        "scroll_x": (-COORDINATE_MAX, COORDINATE_MAX, False),
        "scroll_y": (-COORDINATE_MAX, COORDINATE_MAX, False),
    }
    viewport: dict[str, float | int] = {}
    for key in VIEWPORT_KEYS:
        low, high, integer = limits[key]
        value = checker.number(
            data.get(key), f"viewport.{key}", minimum=low, maximum=high, integer=integer
        )
        if value is not None:
            viewport[key] = value
    return viewport


@dataclass(frozen=True)
class Submission:
    """A widget payload that passed every rule: what will be stored, before consent."""

    body: str
    kind: str
    page_url: str
    selector: str
    element: dict[str, Any]
    styles: dict[str, str]
    viewport: dict[str, float | int]
    user_agent: str
    screenshot_key: str
    submitter_email: str
    submitter_name: str
    stakeholder_token: str
    auto_fix: bool | None  # None: the widget sent no toggle


def submission_validate(payload: Any, *, page_url_required: bool = True) -> Submission:
    """The widget body checked against the documented limits; 422 naming every bad field."""
    if not isinstance(payload, dict):
        raise ApiError(
            ErrorCode.VALIDATION,
            "The request body must be a JSON object.",
            422,
            fields=[FieldError("body", "The request body must be a JSON object.")],
        )
    check = _Checker()
    body = check.text(payload, "body", limit=C.BODY_MAX, required=True)
    page_url = _url(
        check,
        check.text(payload, "page_url", limit=C.PAGE_URL_MAX, required=page_url_required),
        "page_url",
    )
    kind = payload.get("kind") or AnnotationKind.COMMENT
    if kind not in AnnotationKind.values:
        check.fail("kind", f"kind must be one of: {', '.join(AnnotationKind.values)}.")
    email = check.text(payload, "submitter_email", limit=C.SUBMITTER_FIELD_MAX)
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            check.fail("submitter_email", "submitter_email is not a valid email address.")
    auto_fix = payload.get("auto_fix")
    if auto_fix is not None and not isinstance(auto_fix, bool):
        check.fail("auto_fix", "auto_fix must be true or false.")
        auto_fix = None
    submission = Submission(
        body=body,
        kind=str(kind),
        page_url=page_url,
        selector=check.text(payload, "selector", limit=C.SELECTOR_MAX),
        element=_element(check, check.mapping(payload, "element")),
        styles=_styles(check, check.mapping(payload, "styles")),
        viewport=_viewport(check, check.mapping(payload, "viewport")),
        user_agent=check.text(payload, "user_agent", limit=C.USER_AGENT_MAX),
        screenshot_key=check.text(payload, "screenshot_key", limit=C.STORAGE_KEY_MAX),
        submitter_email=email,
        submitter_name=check.text(payload, "submitter_name", limit=C.AUTHOR_NAME_MAX),
        stakeholder_token=check.text(payload, "stakeholder_token", limit=SECRET_MAX),
        auto_fix=auto_fix,
    )
    if check.errors:
        raise ApiError(ErrorCode.VALIDATION, check.errors[0].message, 422, fields=check.errors)
    return submission


# --- Consent ----------------------------------------------------------------------------
def auto_fix_for(stakeholder: Stakeholder | None, requested: bool | None) -> bool:
    """The documented rule: anonymous -> false; ``never`` -> false; ``optional_*`` -> the
    toggle the widget sent, else the stakeholder's default (off/on)."""
    if stakeholder is None or stakeholder.auto_fix_default == AutoFixDefault.NEVER:
        return False
    if requested is None:
        return stakeholder.auto_fix_default == AutoFixDefault.OPTIONAL_ON
    return requested


# --- Services -------------------------------------------------------------------------------
# A hook other apps may register (triage, when present): called on commit with the new
# annotation. Kept as a list so annotations imports none of them (DESIGN 2).
after_submit: list[Callable[[Annotation], None]] = []


def annotation_submit(
    *,
    project: Project,
    payload: Any,
    actor: Actor | None = None,
    channel: str = AnnotationChannel.WIDGET,
    user_agent: str = "",
) -> tuple[Annotation, str]:
    """Create an annotation on ``project`` from a widget payload; returns
    ``(annotation, submitter_secret)``, the secret in plaintext this once.

    ``actor`` defaults to ``widget:<site_id>``. ``user_agent`` (the request's header) is
    kept when the payload carries none. ``screenshot_key`` is verified and claimed inside
    the transaction (``annotations.uploads.upload_claim``: minted for this site as a
    screenshot, uploaded, not yet claimed; else a 422 naming it), so a refused key stores
    nothing.
    """
    data = submission_validate(payload, page_url_required=channel == AnnotationChannel.WIDGET)
    actor = actor or Actor.for_widget(project.pk)
    raw_secret = new_secret(C.SUBMITTER_SECRET_PREFIX)
    with transaction.atomic(durable=True):
        stakeholder = (
            stakeholder_resolve(project=project, token=data.stakeholder_token)
            if data.stakeholder_token
            else None
        )
        now = timezone.now()
        annotation = Annotation(
            project=project,
            body=data.body,
            kind=data.kind,
            channel=channel,
            page_url=data.page_url,
            selector=data.selector,
            element=data.element,
            styles=data.styles,
            viewport=data.viewport,
            user_agent=data.user_agent or user_agent[: C.USER_AGENT_MAX],
            screenshot_key=data.screenshot_key,
            submitter_kind=SubmitterKind.STAKEHOLDER if stakeholder else SubmitterKind.ANONYMOUS,
            submitter_email=data.submitter_email or (stakeholder.email if stakeholder else ""),
            submitter_name=data.submitter_name or (stakeholder.name if stakeholder else ""),
            submitter_secret_hash=secret_digest(raw_secret),
            stakeholder=stakeholder,
            auto_fix=auto_fix_for(stakeholder, data.auto_fix),
            created_at=now,
            updated_at=now,
        )
        # AI triage of the comment (triage.services, below this app): its own columns, same
        # INSERT; the optional LLM pass is enqueued on commit.
        triage_services.triage_apply(annotation, text=annotation.body, page=annotation.page_url)
        annotation.save(force_insert=True)
        triage_services.after_insert(annotation)
        if data.screenshot_key:
            upload_claim(
                project=project,
                key=data.screenshot_key,
                kind=UploadKind.SCREENSHOT,
                annotation=annotation,
                field="screenshot_key",
                status=422,
            )
        if stakeholder is not None:
            Stakeholder.objects.filter(pk=stakeholder.pk).update(last_seen_at=now)
        record_annotation(
            actor=actor,
            annotation=annotation,
            workspace=project.workspace,
            action="annotation.create",
            data={
                "site_id": project.pk,
                "channel": channel,
                "kind": annotation.kind,
                "submitter_kind": annotation.submitter_kind,
                "auto_fix": annotation.auto_fix,
                **({"stakeholder_id": stakeholder.pk} if stakeholder else {}),
            },
        )
        for hook in after_submit:
            transaction.on_commit(partial(hook, annotation))
    return annotation, raw_secret


# --- Reading one's own threads ------------------------------------------------------------
@dataclass(frozen=True)
class LookupPair:
    id: str
    secret: str


def lookup_validate(payload: Any) -> list[LookupPair]:
    """``{"items": [{"id", "secret"}, ...]}``, at most 50; 422 naming the bad entry."""
    items = payload.get("items") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        message = "items is required: a list of {id, secret} objects."
        raise ApiError(ErrorCode.VALIDATION, message, 422, fields=[FieldError("items", message)])
    if len(items) > LOOKUP_MAX_ITEMS:
        message = f"items must hold at most {LOOKUP_MAX_ITEMS} entries."
        raise ApiError(ErrorCode.VALIDATION, message, 422, fields=[FieldError("items", message)])
    pairs: list[LookupPair] = []
    for index, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else None
        secret = item.get("secret") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not isinstance(secret, str) or len(secret) > SECRET_MAX:
            message = f"items.{index} must be an object with string id and secret."
            raise ApiError(
                ErrorCode.VALIDATION, message, 422, fields=[FieldError(f"items.{index}", message)]
            )
        pairs.append(LookupPair(id=ident, secret=secret))
    return pairs


def submitter_threads(*, project: Project, pairs: Iterable[LookupPair]) -> list[Annotation]:
    """The annotations of ``project`` whose submitter secret matches, with their replies
    (``replies_list``), in the order asked. A pair whose id or secret does not match is
    left out without saying which: the answer never tells whether an id exists.

    Two queries whatever the number of pairs. Every candidate's digest is compared with
    ``constant_time_compare`` (the digest of a wrong secret is computed all the same)."""
    wanted = [(p.id, secret_digest(p.secret)) for p in pairs if is_hex32(p.id)]
    if not wanted:
        return []
    rows = {
        a.pk: a
        for a in Annotation.objects.for_project(project).filter(
            pk__in={ident for ident, _ in wanted}
        )
    }
    found: list[Annotation] = []
    seen: set[str] = set()
    for ident, digest in wanted:
        annotation = rows.get(ident)
        stored = annotation.submitter_secret_hash if annotation is not None else ""
        if not constant_time_compare(digest, stored or "-") or ident in seen:
            continue
        seen.add(ident)
        found.append(rows[ident])
    replies: dict[str, list[Reply]] = {a.pk: [] for a in found}
    if found:
        for reply in Reply.objects.filter(annotation_id__in=list(replies)).order_by(
            "created_at", "id"
        ):
            replies[reply.annotation_id].append(reply)
    for annotation in found:
        annotation.replies_list = replies[annotation.pk]  # type: ignore[attr-defined]
    return found
