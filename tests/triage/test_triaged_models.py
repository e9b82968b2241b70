"""triage.services on any model built on TriagedFields: annotations (greatfeedback comments)
get the same verdict, similar count, corrections and deletion rules as feedback items."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from accounts.audit import Actor
from accounts.models import AuditLog
from annotations.models import Annotation
from tests.annotations.factories import AnnotationFactory
from tests.factories import ProjectFactory, UserFactory
from triage import services
from triage.engine import triage
from triage.models import TriageCorrection

pytestmark = pytest.mark.django_db

DUTCH = "De login knop werkt niet op mobiel"


def test_annotation_comment_gets_category_sentiment_impact_and_language():
    project = ProjectFactory.create()
    annotation = Annotation(project=project, body=DUTCH, page_url="https://site.test/login")

    result = services.triage_apply(annotation, text=annotation.body, page=annotation.page_url)
    annotation.save()

    annotation.refresh_from_db()
    expected = triage(DUTCH, page="https://site.test/login")
    assert (
        annotation.category,
        annotation.triage_label,
        annotation.sentiment,
        annotation.impact_score,
        annotation.triage_language,
        annotation.triage_engine,
    ) == ("bug", "bug", "negative", expected.impact_score, "nl", "builtin")
    assert result.category == "bug"
    assert annotation.triage_similar_key == "bug|/login"


def test_similar_annotations_are_counted_per_project_and_model():
    project = ProjectFactory.create()
    other = ProjectFactory.create()
    for target in (project, project, other):
        a = Annotation(project=target, body=DUTCH, page_url="/login")
        services.triage_apply(a, text=a.body, page=a.page_url)
        a.save()

    third = Annotation(project=project, body=DUTCH, page_url="/login")
    services.triage_apply(third, text=third.body, page=third.page_url)

    assert third.triage_signals["similar_count"] == 2  # the other project's one is not similar


def test_praise_comment_is_never_a_bug_or_feature():
    project = ProjectFactory.create()
    a = Annotation(project=project, body="Thank you so much, this page is wonderful! Great work.")

    services.triage_apply(a, text=a.body)

    assert (a.triage_label, a.category) == ("praise", "question")
    assert a.not_actionable


def test_correcting_an_annotation_records_source_text_and_audit():
    user = UserFactory.create()
    annotation = AnnotationFactory.create(body=DUTCH, category="bug", sentiment="negative")

    correction = services.triage_correct(
        annotation, actor=Actor.for_user(user), field="category", value="question"
    )

    annotation.refresh_from_db()
    assert (annotation.category, annotation.triage_engine) == ("question", "manual")
    assert correction is not None
    assert (correction.source, correction.object_id, correction.text) == (
        "annotations.annotation",
        annotation.pk,
        DUTCH,
    )
    audit = AuditLog.objects.get(action="annotation.triage_correct")
    assert (audit.target_type, audit.target_id) == ("annotation", annotation.pk)


def test_deleting_the_annotation_deletes_its_corrections():
    user = UserFactory.create()
    annotation = AnnotationFactory.create(body=DUTCH, category="bug", sentiment="negative")
    services.triage_correct(
        annotation, actor=Actor.for_user(user), field="sentiment", value="neutral"
    )

    annotation.delete()

    assert TriageCorrection.objects.count() == 0


def test_unknown_value_is_refused_and_nothing_stored():
    annotation = AnnotationFactory.create(body=DUTCH, category="bug", sentiment="negative")

    with pytest.raises(ValueError, match="not a valid category"):
        services.triage_correct(annotation, actor=Actor.system(), field="category", value="praise")

    assert TriageCorrection.objects.count() == 0


def test_database_refuses_an_unknown_fine_label_on_annotations():
    annotation = AnnotationFactory.create(body=DUTCH)

    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=annotation.pk).update(triage_label="spam")
