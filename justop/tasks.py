from collections import Counter

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from justop import files, outbox


@shared_task
def clear_expired_sessions() -> int:
    """Delete sessions past their expiry; returns how many were removed."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def ping() -> str:
    """Answers 'pong': lets health checks and tests prove a worker runs tasks."""
    return "pong"


# acks_late and reject_on_worker_lost (the project defaults, stated here
# because these tasks depend on them): a worker that dies mid-send leaves the
# broker message to be delivered again; the rows' claims stop a second send.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_emails(email_ids: list[int]) -> dict[str, int]:
    """Send a batch of outbox rows; returns how many had each outcome (for the log)."""
    return dict(Counter(outbox.deliver_many(email_ids).values()))


# The task of one row, as queued before batches: kept so that tasks already
# on the broker when a deployment upgrades are still run.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_email(email_id: int) -> str:
    return outbox.deliver(email_id)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    return outbox.sweep()


@shared_task(ignore_result=True)
def purge_outbox() -> int:
    return outbox.purge()


# Deleting a missing object is no error, so a task run twice (acks_late)
# does no harm. Storage errors (a store that is briefly unreachable) are
# retried with backoff; what still fails, orphaned_files finds later.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def delete_files(alias: str, names: list[str], renditions: bool = False) -> int:
    """Delete the objects of replaced or deleted files (justop.files) that
    no row names any more; returns how many went."""
    return len(files.delete_unused(alias, names, renditions=renditions))
