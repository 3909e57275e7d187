from celery import shared_task

from circle import digests


@shared_task(ignore_result=True)
def send_digests(frequency: str) -> dict[str, object]:
    run = digests.send_digests(frequency)
    return {"period": run.period, "recipients": run.recipients, "queued": run.queued}
