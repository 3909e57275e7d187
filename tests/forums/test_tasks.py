"""Invitations, reminders and the follow-up: Celery tasks that may run twice
(a retry, a redelivery, a beat that fires again) and still send each email
once per person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from circle.models import Organization
from forums import invitations, reminders, tasks
from forums.models import Forum, ForumInvitation, Material
from justop.models import OutboxEmail
from tests.access_forums import PDF
from tests.factories import (
    MemberFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
    member_of,
    sign_in_with_second_factor,
)
from tests.forums.factories import ForumFactory, registered
from tests.smtp import html_of, text_of

pytestmark = pytest.mark.django_db


def sent(kind: str) -> list[str]:
    return sorted(OutboxEmail.objects.filter(kind=kind).values_list("recipient", flat=True))


# --- Invitations ----------------------------------------------------------------------------


def test_inviting_all_members_queues_one_email_each_even_when_the_task_runs_twice(
    django_capture_on_commit_callbacks,
):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    a, b = OrganizationFactory(), OrganizationFactory()
    people = [member_of(a), member_of(a), member_of(b)]
    member_of(OrganizationFactory(status=Organization.Status.APPLICANT))  # not in the Circle yet
    UserFactory()  # no organization

    with django_capture_on_commit_callbacks(execute=True):
        invited = invitations.invite(forum, everyone=True, by=StaffFactory())

    assert invited.people == 3
    assert sent(invitations.KIND) == sorted(p.email for p in people)
    # The task again (a redelivery), and the task through Celery: nothing new.
    assert tasks.send_invitations.delay(forum.pk).get() == 0
    assert invitations.send_invitations(forum.pk) == 0
    assert len(sent(invitations.KIND)) == 3
    # Bulk mail: people can leave this stream.
    row = OutboxEmail.objects.filter(kind=invitations.KIND).first()
    assert row.stream == invitations.STREAM


def test_a_spanish_member_is_invited_with_the_forums_spanish_title_whoever_sends_it(
    django_capture_on_commit_callbacks, smtp_sink
):
    forum = ForumFactory(
        audience=Forum.Audience.INVITED,
        title="Transit forum",
        title_es="Foro de transporte",
        summary="How people get to work.",
    )
    organization = OrganizationFactory()
    ana = member_of(organization, user__language="es")
    ben = member_of(organization, user__language="en")

    with django_capture_on_commit_callbacks(execute=True):
        invitations.invite(forum, everyone=True, by=StaffFactory(language="en"))

    [spanish] = smtp_sink.to(ana.email)
    assert "Foro de transporte" in text_of(spanish) and "Transit forum" not in text_of(spanish)
    # The summary has no Spanish: in English, marked as such.
    assert '<p style="margin:0 0 24px;" lang="en">How people get to work.</p>' in html_of(spanish)
    [english] = smtp_sink.to(ben.email)
    assert "Transit forum" in text_of(english) and "Foro de transporte" not in text_of(english)


def test_inviting_more_people_later_emails_only_the_new_ones(django_capture_on_commit_callbacks):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    chosen_org = OrganizationFactory()
    first = member_of(chosen_org)
    member_of(OrganizationFactory())  # another organization: not invited
    person = MemberFactory()

    with django_capture_on_commit_callbacks(execute=True):
        invitations.invite(forum, organizations=[chosen_org])
    with django_capture_on_commit_callbacks(execute=True):
        again = invitations.invite(forum, organizations=[chosen_org], people=[person])

    assert again.people == 1
    assert sent(invitations.KIND) == sorted([first.email, person.email])
    progress = invitations.progress(forum)
    assert progress["invited"] == 2
    assert progress["sent"] + progress["pending"] == 2


def test_an_invitation_opens_an_invited_only_forum_to_its_person(client):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    person = MemberFactory()
    client.force_login(person)
    assert client.get(forum.get_absolute_url()).status_code == 404

    invitations.invite(forum, people=[person])

    assert client.get(forum.get_absolute_url()).status_code == 200


def test_invitations_to_a_draft_wait_for_it_to_be_published(
    client, django_capture_on_commit_callbacks
):
    forum = ForumFactory(audience=Forum.Audience.INVITED, status=Forum.Status.DRAFT)
    person = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invite(forum, people=[person])
    assert sent(invitations.KIND) == []

    sign_in_with_second_factor(client, StaffFactory())
    local = timezone.localtime(forum.starts_at)
    end = timezone.localtime(forum.ends_at)
    data = {
        # The admin writes each translated field per language.
        "title_en": forum.title,
        "slug": forum.slug,
        "summary_en": forum.summary,
        "description_en": "",
        "status": "published",
        "audience": "invited",
        "starts_at_0": local.strftime("%Y-%m-%d"),
        "starts_at_1": local.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "venue_name": "PSE Offices",
        "capacity": 10,
        "reminders": "48, 2",
    }
    for prefix in ("agenda", "materials"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:forums_forum_change", args=[forum.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert sent(invitations.KIND) == [person.email]


def test_staff_see_the_progress_and_invite_from_the_admin(
    client, django_capture_on_commit_callbacks
):
    forum = ForumFactory(audience=Forum.Audience.INVITED)
    organization = OrganizationFactory()
    people = [member_of(organization), member_of(organization)]
    sign_in_with_second_factor(client, StaffFactory())
    url = reverse("admin:forums_forum_invite", args=[forum.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"organizations": [organization.pk]})

    assert response.status_code == 302
    assert ForumInvitation.objects.filter(forum=forum).count() == 2
    page = client.get(url)
    assert page.context["progress"]["invited"] == 2
    assert page.context["progress"]["sent"] + page.context["progress"]["pending"] == 2
    assert sent(invitations.KIND) == sorted(p.email for p in people)


# --- Reminders ----------------------------------------------------------------------------------


def test_reminders_go_two_days_and_two_hours_before_once_per_person():
    start = timezone.now() + timedelta(days=10)
    forum = ForumFactory(starts_at=start)
    people = [registered(forum, MemberFactory()) for _ in range(3)]
    for person in people:
        person.confirmed_at = start - timedelta(days=9)
        person.save()
    # Nobody is reminded of a place they do not have.
    registered(forum, MemberFactory(), status="waitlisted")
    registered(forum, MemberFactory(), status="cancelled")

    assert reminders.send_reminders(start - timedelta(days=3)) == 0
    assert reminders.send_reminders(start - timedelta(hours=47)) == 3
    assert reminders.send_reminders(start - timedelta(hours=46)) == 0  # again: nothing new
    assert reminders.send_reminders(start - timedelta(hours=47)) == 0
    assert reminders.send_reminders(start - timedelta(minutes=110)) == 3
    assert reminders.send_reminders(start - timedelta(minutes=100)) == 0
    assert reminders.send_reminders(start + timedelta(minutes=1)) == 0
    rows = OutboxEmail.objects.filter(kind="forums.reminder")
    assert rows.count() == 6
    assert sorted(set(rows.values_list("period", flat=True))) == ["reminder-2h", "reminder-48h"]
    assert {r.recipient for r in rows} == {p.email for p in people}


def test_the_beat_task_twice_sends_each_reminder_once(monkeypatch):
    start = timezone.now() + timedelta(hours=1)
    forum = ForumFactory(starts_at=start)
    person = registered(forum, MemberFactory())
    person.confirmed_at = start - timedelta(days=5)
    person.save()

    assert tasks.send_reminders.delay().get() == 1
    assert tasks.send_reminders.delay().get() == 0
    assert OutboxEmail.objects.filter(kind="forums.reminder", recipient=person.email).count() == 1


def test_reminders_follow_the_forums_setting_and_skip_people_who_just_registered():
    start = timezone.now() + timedelta(days=10)
    forum = ForumFactory(starts_at=start, reminders="24")
    early = registered(forum, MemberFactory(), confirmed_at=start - timedelta(days=5))
    late = registered(forum, MemberFactory(), confirmed_at=start - timedelta(hours=3))
    silent = ForumFactory(starts_at=start, reminders="")
    registered(silent, MemberFactory(), confirmed_at=start - timedelta(days=5))

    assert reminders.send_reminders(start - timedelta(hours=47)) == 0
    assert reminders.send_reminders(start - timedelta(hours=23)) == 1
    assert sent("forums.reminder") == [early.email]
    assert late.email not in sent("forums.reminder")


def test_the_reminder_hours_are_checked():
    from django.core.exceptions import ValidationError

    forum = ForumFactory.build(reminders="two days")
    with pytest.raises(ValidationError):
        forum.full_clean(exclude=["slug"])
    assert ForumFactory.build(reminders="2, 48, 2").reminder_hours == [48, 2]


# --- The follow-up --------------------------------------------------------------------------------


def test_the_follow_up_goes_to_attendees_once_with_the_materials(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    forum = ForumFactory(starts_at=timezone.now() - timedelta(days=1), notes="**Next**")
    came = registered(forum, MemberFactory(), attended=True)
    registered(forum, MemberFactory(), attended=False)
    Material.objects.create(forum=forum, title="Slides", file=ContentFile(PDF, name="s.pdf"))

    assert tasks.send_follow_up.delay(forum.pk).get() == 1
    assert tasks.send_follow_up.delay(forum.pk).get() == 0

    [row] = OutboxEmail.objects.filter(kind="forums.follow_up")
    assert row.recipient == came.email
    assert row.context["materials"][0]["title"] == "Slides"
    assert "/materials/" in row.context["materials"][0]["url"]
    assert row.context["has_notes"] is True


def test_no_follow_up_before_the_forum_ends():
    forum = ForumFactory()
    registered(forum, MemberFactory(), attended=True)
    assert tasks.send_follow_up.delay(forum.pk).get() == 0


def test_each_scheduled_forum_task_exists():
    from justop.celery import app

    schedule = app.conf.beat_schedule
    assert schedule["forum-reminders"]["task"] == "forums.tasks.send_reminders"
    assert schedule["expire-forum-registrations"]["task"] == "forums.tasks.expire_registrations"
    assert "forums.tasks.send_reminders" in app.tasks
