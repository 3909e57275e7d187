"""Celery tasks of the forums: they take IDs and are safe to run twice."""

from celery import shared_task

from forums import invitations, materials, registration, reminders


@shared_task(ignore_result=True)
def send_invitations(forum_id: int) -> int:
    return invitations.send_invitations(forum_id)


@shared_task(ignore_result=True)
def send_follow_up(forum_id: int) -> int:
    return materials.send_follow_up(forum_id)


@shared_task(ignore_result=True)
def send_reminders() -> int:
    return reminders.send_reminders()


@shared_task(ignore_result=True)
def expire_registrations() -> int:
    return registration.expire_unconfirmed()
