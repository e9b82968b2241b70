"""Invitations: one use, digest-only storage, and 410 Gone for a second accept, a revoked,
expired or unknown link, or a deleted workspace; the email is a task enqueued after commit.
(The HTML accept page is the dashboard's.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.audit import Actor
from accounts.errors import InvitationGone
from accounts.models import AuditLog, Invitation, InvitationEmailStatus, Membership, Role
from accounts.tasks import invitation_email_send
from config.api.exceptions import render_error
from config.api.shapes import GREATFEEDBACK
from config.ids import secret_digest
from tests.factories import UserFactory

GONE = "This invitation was already accepted or has been revoked."


@pytest.fixture
def invitation(workspace, owner):
    return services.invitation_create(
        workspace=workspace, email="Dana@Example.com", role=Role.MEMBER, actor=Actor.for_user(owner)
    )


@pytest.fixture
def dana(db):
    return UserFactory.create(email="dana@example.com")


def test_invitation_stores_only_the_digest_of_its_link(invitation, workspace, owner):
    row, raw = invitation
    assert row.token_hash == secret_digest(raw)
    assert raw not in [str(v) for v in Invitation.objects.values().get(pk=row.pk).values()]
    assert row.email == "dana@example.com"
    audit = AuditLog.objects.get(action="invitation.create")
    assert (audit.actor_id, audit.target_id) == (f"user:{owner.pk}", row.pk)
    assert audit.data == {"email": "dana@example.com", "role": "MEMBER"}


def test_accepting_adds_a_membership_with_the_invited_role(invitation, workspace, dana):
    row, raw = invitation
    membership = services.invitation_accept(raw=raw, user=dana)
    assert (membership.workspace_id, membership.role) == (workspace.pk, Role.MEMBER)
    row.refresh_from_db()
    assert row.accepted_by == dana
    assert AuditLog.objects.get(action="invitation.accept").actor_id == f"user:{dana.pk}"


def test_a_second_accept_is_410_gone_and_changes_nothing(invitation, workspace, dana, guest):
    _, raw = invitation
    services.invitation_accept(raw=raw, user=dana)
    with pytest.raises(InvitationGone) as excinfo:
        services.invitation_accept(raw=raw, user=guest)
    assert (excinfo.value.status, excinfo.value.code, excinfo.value.message) == (410, "gone", GONE)
    assert Membership.objects.get(workspace=workspace, user=guest).role == Role.GUEST
    assert AuditLog.objects.filter(action="invitation.accept").count() == 1


def test_a_revoked_invitation_is_410_gone(invitation, workspace, owner, dana):
    row, raw = invitation
    services.invitation_revoke(invitation=row, actor=Actor.for_user(owner))
    with pytest.raises(InvitationGone) as excinfo:
        services.invitation_accept(raw=raw, user=dana)
    assert excinfo.value.status == 410
    assert not Membership.objects.filter(user=dana).exists()
    assert AuditLog.objects.get(action="invitation.revoke").target_id == row.pk


def test_an_expired_invitation_is_410_gone(invitation, dana):
    row, raw = invitation
    Invitation.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvitationGone):
        services.invitation_accept(raw=raw, user=dana)
    assert not Membership.objects.filter(user=dana).exists()


def test_an_unknown_link_is_410_gone(db, dana):
    with pytest.raises(InvitationGone) as excinfo:
        services.invitation_accept(raw="not-a-real-link\x00\ud800", user=dana)
    assert (excinfo.value.status, excinfo.value.message) == (
        410,
        "This invitation link is not valid.",
    )


def test_an_invitation_to_a_deleted_workspace_is_410_gone(invitation, workspace, owner, dana):
    _, raw = invitation
    services.workspace_soft_delete(workspace=workspace, user=owner)
    with pytest.raises(InvitationGone):
        services.invitation_accept(raw=raw, user=dana)


def test_invitation_gone_renders_as_410_in_the_greatfeedback_shape():
    response = render_error(InvitationGone(), GREATFEEDBACK)
    assert (response.status_code, response.data) == (410, {"detail": GONE})


def test_accepting_as_an_existing_member_keeps_their_role(workspace, owner, member):
    _, raw = services.invitation_create(
        workspace=workspace, email=member.email, role=Role.GUEST, actor=Actor.for_user(owner)
    )
    membership = services.invitation_accept(raw=raw, user=member)
    assert membership.role == Role.MEMBER
    assert AuditLog.objects.get(action="invitation.accept").data == {"new_member": False}


def test_invitation_email_is_a_task_enqueued_after_commit(
    workspace, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        row, raw = services.invitation_create(
            workspace=workspace,
            email="dana@example.com",
            role=Role.MEMBER,
            actor=Actor.for_user(owner),
            site_url="https://fb.example.org",
        )
    assert mail.outbox == []  # nothing is sent inside the transaction
    assert row.email_status == InvitationEmailStatus.QUEUED
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert f"https://fb.example.org/invitations/{raw}/" in mail.outbox[0].body
    assert "alice@example.com invited you" in mail.outbox[0].body
    row.refresh_from_db()
    assert row.email_status == InvitationEmailStatus.SENT


def test_invitation_email_task_is_idempotent(invitation):
    row, raw = invitation
    link = f"https://fb.example.org/invitations/{raw}/"
    assert invitation_email_send.enqueue(row.pk, link).return_value == "sent"
    assert invitation_email_send.enqueue(row.pk, link).return_value == "sent"
    assert len(mail.outbox) == 1


def test_invitation_email_task_skips_revoked_and_unknown_invitations(invitation, owner):
    row, _ = invitation
    services.invitation_revoke(invitation=row, actor=Actor.for_user(owner))
    assert invitation_email_send.enqueue(row.pk, "https://x/").return_value == "queued"
    assert invitation_email_send.enqueue("0" * 32, "https://x/").return_value == ""
    assert mail.outbox == []


def test_a_queue_that_refuses_the_task_keeps_the_invitation(
    workspace, owner, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class BrokenQueue:
        def enqueue(self, *args, **kwargs):
            raise ConnectionError("queue table unreachable")

    monkeypatch.setattr(services, "invitation_email_send", BrokenQueue())
    with django_capture_on_commit_callbacks(execute=True):
        row, _ = services.invitation_create(
            workspace=workspace,
            email="dana@example.com",
            role=Role.MEMBER,
            actor=Actor.for_user(owner),
        )
    row.refresh_from_db()
    assert row.email_status == InvitationEmailStatus.FAILED
    assert row.is_pending
    assert "could not enqueue the invitation email" in caplog.text
