"""greatfeedback factories: project (site) -> annotation -> reply/resolution chains.

Factories write through the model, not the services, so tests can set timestamps and states
freely; tests of the documented behaviour go through HTTP and the services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from annotations import constants as C
from annotations.models import (
    Annotation,
    Persona,
    Reply,
    ReplyAuthorKind,
    Resolution,
    Stakeholder,
    Upload,
    UploadKind,
)
from config.ids import new_secret, secret_digest
from tests.factories import ProjectFactory, WorkspaceFactory


class StakeholderFactory(DjangoModelFactory[Stakeholder]):
    class Meta:
        model = Stakeholder
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Stakeholder {n}")
    email = factory.Sequence(lambda n: f"stakeholder{n}@example.com")

    @classmethod
    def _create(cls, model_class: type[Stakeholder], *args: Any, **kwargs: Any) -> Stakeholder:
        raw = kwargs.pop("token", None) or new_secret(C.STAKEHOLDER_TOKEN_PREFIX)
        kwargs.update(token=raw, token_hash=secret_digest(raw))
        return super()._create(model_class, *args, **kwargs)


class AnnotationFactory(DjangoModelFactory[Annotation]):
    class Meta:
        model = Annotation
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    body = factory.Sequence(lambda n: f"The button label is hard to read ({n})")
    page_url = "https://shop.example.com/checkout"
    selector = "#pay-now"
    element = factory.LazyFunction(
        lambda: {
            "tag": "button",
            "text": "Pay now",
            "id": "pay-now",
            "classes": ["btn", "btn-primary"],
            "rect": {"x": 40, "y": 300, "width": 120, "height": 32},
        }
    )
    styles = factory.LazyFunction(
        lambda: {"color": "rgb(119, 119, 119)", "background-color": "rgb(255, 255, 255)"}
    )
    viewport = factory.LazyFunction(
        lambda: {
            "width": 1366,
            "height": 768,
            "device_pixel_ratio": 1,
            "scroll_x": 0,
            "scroll_y": 0,
        }
    )
    user_agent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"


class ReplyFactory(DjangoModelFactory[Reply]):
    class Meta:
        model = Reply
        skip_postgeneration_save = True

    annotation = factory.SubFactory(AnnotationFactory)
    body = factory.Sequence(lambda n: f"Thanks, looking into it ({n})")
    author_kind = ReplyAuthorKind.USER
    actor_id = "system"


class UploadFactory(DjangoModelFactory[Upload]):
    class Meta:
        model = Upload
        skip_postgeneration_save = True

    annotation = factory.SubFactory(AnnotationFactory)
    project = factory.LazyAttribute(lambda o: o.annotation.project if o.annotation else None)
    kind = UploadKind.AFTER
    key = factory.Sequence(lambda n: f"gf/test/{n:06d}.png")
    content_type = "image/png"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=10))


class ResolutionFactory(DjangoModelFactory[Resolution]):
    class Meta:
        model = Resolution
        skip_postgeneration_save = True

    annotation = factory.SubFactory(AnnotationFactory)
    diff_url = "https://github.com/example/shop/pull/42"
    explanation = "Raised the CTA contrast to 7:1."
    actor_id = "system"


class PersonaFactory(DjangoModelFactory[Persona]):
    class Meta:
        model = Persona
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    slug = factory.Sequence(lambda n: f"persona-{n}")
    name = factory.Sequence(lambda n: f"Persona {n}")
    category = "accessibility"
    description = "Reviews contrast and focus."
    instructions = "Review the annotated element as a low-vision user."
    checks = factory.LazyFunction(lambda: ["text_contrast"])
