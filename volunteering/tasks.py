from celery import shared_task

from volunteering import services


@shared_task(ignore_result=True)
def expire_signups() -> int:
    return services.expire_unconfirmed()


@shared_task(ignore_result=True)
def send_shift_reminders() -> int:
    return services.send_reminders()
