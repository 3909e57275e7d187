"""Celery tasks of the forums: they take IDs and are safe to run twice."""

from celery import shared_task

from forums import materials, registration, reminders
from forums.invitations import send_invitations_task as send_invitations

__all__ = ["send_invitations"]


@shared_task(ignore_result=True)
def send_follow_up(forum_id: int) -> int:
    return materials.send_follow_up(forum_id)


@shared_task(ignore_result=True)
def send_reminders() -> int:
    return reminders.send_reminders()


@shared_task(ignore_result=True)
def expire_registrations() -> int:
    return registration.expire_unconfirmed()
