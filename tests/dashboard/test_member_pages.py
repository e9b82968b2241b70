"""Members and invitations: roles, last-owner protection, removal, invite by email, the
accept flows and 410 for used or revoked links."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.audit import Actor
from accounts.models import AuditLog, Invitation, Membership, Role, User
from config.ids import secret_digest
from tests.dashboard.helpers import HTMX, audit_count, signed_in
from tests.factories import DEFAULT_PASSWORD, UserFactory


def url(name, workspace, **kw):
    return reverse(name, kwargs={"ws": workspace.pk, **kw})


def invite(workspace, owner, email="new@example.com", role=Role.MEMBER):
    return services.invitation_create(
        workspace=workspace, email=email, role=role, actor=Actor.for_user(owner)
    )


def accept_url(raw: str) -> str:
    return reverse("accounts:invitation-accept", kwargs={"token": raw})


def test_member_list_shows_roles(guest_client, workspace, owner, member, guest):
    html = guest_client.get(url("accounts:member-list", workspace)).content.decode()
    for email in (owner.email, member.email, guest.email):
        assert email in html
    assert ">Owner</span>" in html
    assert ">Guest</span>" in html
    assert 'name="role"' not in html
    assert "Invite someone" not in html


def test_owner_changes_a_role(owner_client, workspace, owner, member):
    response = owner_client.post(
        url("accounts:member-role", workspace, user_id=member.pk), {"role": Role.ADMIN}
    )
    assert response.status_code == 302
    assert Membership.objects.get(workspace=workspace, user=member).role == Role.ADMIN
    entry = AuditLog.objects.get(action="member.role")
    assert entry.actor_id == f"user:{owner.pk}"
    assert entry.data == {"from": "MEMBER", "to": "ADMIN"}


def test_role_change_over_htmx_returns_the_row(owner_client, workspace, member):
    response = owner_client.post(
        url("accounts:member-role", workspace, user_id=member.pk), {"role": Role.GUEST}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{member.pk}"')
    assert "Role updated." in html
    assert "<html" not in html


def test_unknown_role_is_refused(owner_client, workspace, member):
    before = audit_count()
    owner_client.post(url("accounts:member-role", workspace, user_id=member.pk), {"role": "ROOT"})
    assert Membership.objects.get(workspace=workspace, user=member).role == Role.MEMBER
    assert audit_count() == before


def test_last_owner_cannot_be_demoted(owner_client, workspace, owner):
    before = audit_count()
    response = owner_client.post(
        url("accounts:member-role", workspace, user_id=owner.pk),
        {"role": Role.MEMBER},
        follow=True,
    )
    assert "A workspace needs an owner" in response.content.decode()
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.OWNER
    assert audit_count() == before


def test_last_owner_cannot_be_demoted_over_htmx(owner_client, workspace, owner):
    response = owner_client.post(
        url("accounts:member-role", workspace, user_id=owner.pk), {"role": Role.GUEST}, **HTMX
    )
    assert "A workspace needs an owner" in response.content.decode()
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.OWNER


def test_last_owner_cannot_be_removed(owner_client, workspace, owner):
    before = audit_count()
    response = owner_client.post(
        url("accounts:member-remove", workspace, user_id=owner.pk),
        {"confirm": "yes"},
        follow=True,
    )
    assert "A workspace needs an owner" in response.content.decode()
    assert Membership.objects.filter(workspace=workspace, user=owner).exists()
    assert audit_count() == before


def test_last_owner_row_has_no_role_select_or_remove(owner_client, workspace, owner):
    html = owner_client.get(url("accounts:member-list", workspace)).content.decode()
    assert "only owner" in html
    assert url("accounts:member-role", workspace, user_id=owner.pk) not in html
    assert url("accounts:member-remove", workspace, user_id=owner.pk) not in html


def test_an_owner_may_step_down_when_another_owner_exists(owner_client, workspace, owner, member):
    services.membership_set_role(
        membership=Membership.objects.get(workspace=workspace, user=member),
        role=Role.OWNER,
        actor=Actor.for_user(owner),
    )
    response = owner_client.post(
        url("accounts:member-role", workspace, user_id=owner.pk), {"role": Role.MEMBER}
    )
    assert response.status_code == 302
    assert Membership.objects.get(workspace=workspace, user=owner).role == Role.MEMBER
    # No longer an owner: owner-only pages are now refused.
    assert owner_client.get(url("accounts:workspace-delete", workspace)).status_code == 403


def test_remove_needs_confirmation(owner_client, workspace, member):
    target = url("accounts:member-remove", workspace, user_id=member.pk)
    page = owner_client.get(target)
    assert page.status_code == 200
    assert 'name="confirm" value="yes"' in page.content.decode()
    assert owner_client.post(target).status_code == 200
    assert Membership.objects.filter(workspace=workspace, user=member).exists()
    response = owner_client.post(target, {"confirm": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(workspace=workspace, user=member).exists()
    assert AuditLog.objects.filter(action="member.remove", target_id=str(member.pk)).exists()
    assert signed_in(member).get(url("accounts:workspace-detail", workspace)).status_code == 404


def test_remove_member_of_other_workspace_is_404(owner_client, workspace, outsider):
    response = owner_client.post(
        url("accounts:member-remove", workspace, user_id=outsider.pk), {"confirm": "yes"}
    )
    assert response.status_code == 404


def invite_by_post(client, workspace, capture, email="new@example.com", role=Role.MEMBER, **extra):
    """The owner's invitation POST, with the email task run as after a real commit."""
    with capture(execute=True):
        return client.post(
            url("accounts:invitation-create", workspace), {"email": email, "role": role}, **extra
        )


def test_owner_invites_by_email_and_sees_the_link_once(
    owner_client, workspace, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://fb.example.org"
    response = invite_by_post(
        owner_client,
        workspace,
        django_capture_on_commit_callbacks,
        email="Newbie@Example.com",
        role=Role.GUEST,
    )
    assert response.status_code == 302
    assert response["Location"] == url("accounts:member-list", workspace)
    invitation = Invitation.objects.get(workspace=workspace)
    assert invitation.email == "newbie@example.com"
    assert invitation.role == Role.GUEST
    # The email went out through the task, after the commit.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newbie@example.com"]
    assert "Alice's workspace" in mail.outbox[0].subject
    invitation.refresh_from_db()
    assert invitation.email_status == "sent"
    page = owner_client.get(response["Location"])
    assert page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "We emailed the link below" in html
    link = re.search(r"https://fb\.example\.org/invitations/([A-Za-z0-9_-]+)/", html)
    assert link
    raw = link.group(1)
    assert invitation.token_hash == secret_digest(raw)
    assert f"https://fb.example.org/invitations/{raw}/" in mail.outbox[0].body
    # Never again: not on the members page, not in the session.
    again = owner_client.get(url("accounts:member-list", workspace)).content.decode()
    assert raw not in again
    assert "newbie@example.com" in again
    assert raw not in str(dict(owner_client.session))


def test_invitation_link_follows_the_served_address_without_site_url(
    owner_client, workspace, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["backtalk.internal"]
    response = invite_by_post(
        owner_client,
        workspace,
        django_capture_on_commit_callbacks,
        HTTP_HOST="backtalk.internal:8765",
    )
    html = owner_client.get(response["Location"], HTTP_HOST="backtalk.internal:8765")
    assert "http://backtalk.internal:8765/invitations/" in html.content.decode()
    assert "http://backtalk.internal:8765/invitations/" in mail.outbox[0].body


def test_failed_invitation_email_keeps_the_invitation(
    owner_client, workspace, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.dashboard.helpers.BrokenEmailBackend"
    response = invite_by_post(owner_client, workspace, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = Invitation.objects.get(workspace=workspace)
    assert invitation.email_status == "failed"
    assert "invitation email to new@example.com failed" in caplog.text
    html = owner_client.get(response["Location"]).content.decode()
    assert "the email could not be sent" in html
    assert 'id="invite-url"' in html  # the owner can pass the link on
    assert "Email failed" in html
    # Still valid: the invitee can accept with the link.
    link = re.search(r"/invitations/([A-Za-z0-9_-]+)/", html)
    assert link
    assert Client().get(accept_url(link.group(1))).status_code == 200


def test_inviting_an_existing_member_is_400(owner_client, workspace, member):
    response = owner_client.post(
        url("accounts:invitation-create", workspace), {"email": member.email, "role": "MEMBER"}
    )
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_invalid_invitation_email_is_400(owner_client, workspace):
    response = owner_client.post(
        url("accounts:invitation-create", workspace), {"email": "not-an-email", "role": "MEMBER"}
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_owner_revokes_a_pending_invitation(owner_client, workspace, owner):
    invitation, raw = invite(workspace, owner)
    response = owner_client.post(
        url("accounts:invitation-revoke", workspace, invitation_id=invitation.pk), **HTMX
    )
    assert response.status_code == 200
    assert response.content == b""
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert Client().get(accept_url(raw)).status_code == 410


def test_signed_in_user_accepts_an_invitation(workspace, owner):
    _, raw = invite(workspace, owner, email="dora@example.com", role=Role.GUEST)
    dora = UserFactory.create(email="dora@example.com")
    client = signed_in(dora)
    page = client.get(accept_url(raw))
    assert page.status_code == 200
    assert "Accept and join" in page.content.decode()
    response = client.post(accept_url(raw))
    assert response.status_code == 302
    assert response["Location"] == f"/w/{workspace.pk}/"
    assert Membership.objects.get(workspace=workspace, user=dora).role == Role.GUEST
    assert client.get(response["Location"]).status_code == 200


def test_accepting_twice_is_410(workspace, owner):
    _, raw = invite(workspace, owner)
    client = signed_in(UserFactory.create(email="new@example.com"))
    assert client.post(accept_url(raw)).status_code == 302
    second = client.post(accept_url(raw))
    assert second.status_code == 410
    assert "no longer valid" in second.content.decode()
    assert client.get(accept_url(raw)).status_code == 410
    assert Client().get(accept_url(raw)).status_code == 410


def test_revoked_and_expired_invitations_are_410(workspace, owner):
    revoked, raw_revoked = invite(workspace, owner, email="r@example.com")
    services.invitation_revoke(invitation=revoked, actor=Actor.for_user(owner))
    expired, raw_expired = invite(workspace, owner, email="e@example.com")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(1))
    client = Client()
    for raw in (raw_revoked, raw_expired):
        assert client.get(accept_url(raw)).status_code == 410
        assert client.post(accept_url(raw), {"password": "x"}).status_code == 410
    assert not Membership.objects.filter(user__email__in=["r@example.com", "e@example.com"])


def test_unknown_invitation_link_is_404(client, owner):
    assert client.get(accept_url("no-such-invitation")).status_code == 404


def test_new_person_creates_an_account_from_the_invitation(workspace, owner):
    _, raw = invite(workspace, owner, email="nina@example.com")
    client = Client()
    page = client.get(accept_url(raw)).content.decode()
    assert "Create account and join" in page
    assert 'value="nina@example.com"' in page
    response = client.post(
        accept_url(raw),
        {
            "name": "Nina",
            "password1": "nina-long-passphrase-1",
            "password2": "nina-long-passphrase-1",
        },
    )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@example.com")
    assert nina.check_password("nina-long-passphrase-1")
    assert nina.name == "Nina"
    assert Membership.objects.get(workspace=workspace, user=nina).role == Role.MEMBER
    assert int(client.session[SESSION_KEY]) == nina.pk


def test_weak_or_mismatched_password_creates_nothing(workspace, owner):
    _, raw = invite(workspace, owner, email="nina@example.com")
    client = Client()
    for p1, p2 in [("123", "123"), ("nina-long-passphrase-1", "different-passphrase-2")]:
        response = client.post(accept_url(raw), {"password1": p1, "password2": p2})
        assert response.status_code == 400
    assert not User.objects.filter(email="nina@example.com").exists()
    assert client.get(accept_url(raw)).status_code == 200  # still pending


def test_existing_account_signs_in_on_the_invitation_page(workspace, owner):
    _, raw = invite(workspace, owner, email="olga@example.com")
    olga = UserFactory.create(email="olga@example.com")
    client = Client()
    page = client.get(accept_url(raw)).content.decode()
    assert "Sign in and join" in page
    wrong = client.post(accept_url(raw), {"password": "wrong"})
    assert wrong.status_code == 400
    assert not Membership.objects.filter(workspace=workspace, user=olga).exists()
    response = client.post(accept_url(raw), {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert Membership.objects.filter(workspace=workspace, user=olga).exists()


def test_accept_page_warns_when_signed_in_as_someone_else(workspace, owner, outsider):
    _, raw = invite(workspace, owner, email="someone@example.com")
    html = signed_in(outsider).get(accept_url(raw)).content.decode()
    assert "You are signed in as <strong>charlie@example.com</strong>" in html


def test_accepting_as_existing_member_keeps_the_role(workspace, owner, member):
    _, raw = invite(workspace, owner, email=member.email.upper(), role=Role.GUEST)
    response = signed_in(member).post(accept_url(raw))
    assert response.status_code == 302
    assert Membership.objects.get(workspace=workspace, user=member).role == Role.MEMBER


def test_setting_the_same_role_writes_nothing(owner_client, workspace, member):
    before = audit_count()
    response = owner_client.post(
        url("accounts:member-role", workspace, user_id=member.pk), {"role": Role.MEMBER}
    )
    assert response.status_code == 302
    assert audit_count() == before


def test_account_created_meanwhile_asks_for_the_password(workspace, owner):
    _, raw = invite(workspace, owner, email="race@example.com")
    client = Client()
    client.get(accept_url(raw))  # the page offered "create an account"
    UserFactory.create(email="race@example.com")  # ... which someone else just did
    response = client.post(
        accept_url(raw),
        {"password1": "race-long-passphrase-1", "password2": "race-long-passphrase-1"},
    )
    assert response.status_code == 400
    assert "Sign in and join" in response.content.decode()
    assert not Membership.objects.filter(workspace=workspace, user__email="race@example.com")


def test_member_id_past_the_64_bit_range_is_a_404(owner_client, workspace):
    base = f"/w/{workspace.pk}/members/99999999999999999999"

    assert owner_client.get(f"{base}/remove/").status_code == 404
    assert owner_client.post(f"{base}/remove/", {"confirm": "yes"}).status_code == 404
    assert owner_client.post(f"{base}/role/", {"role": Role.MEMBER}).status_code == 404
