"""Background work of asks and offers (imported by CircleConfig.ready, so
Celery knows the task without a second tasks module being discovered)."""

from celery import shared_task

from asks import services


@shared_task(ignore_result=True)
def close_expired_posts() -> int:
    """Hourly: posts past their deadline become closed. Pages already count
    them as expired, so a late or missed run changes nothing anyone sees."""
    return services.close_expired()
