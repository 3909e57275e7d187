from celery import shared_task

from news import newsletter


@shared_task(ignore_result=True)
def send_newsletter() -> dict[str, object]:
    run = newsletter.send_newsletter()
    return {"period": run.period, "subscribers": run.subscribers, "queued": run.queued}


@shared_task(ignore_result=True)
def send_leave_link(email: str) -> bool:
    return newsletter.send_leave_link(email)
