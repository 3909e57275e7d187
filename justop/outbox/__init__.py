"""The one delivery path for email: queue in the caller's transaction, send
from a Celery task that claims the row, sweep what a crash or a lost broker
message left behind.

Guarantees:
- queued once: the key (kind, recipient, object, period) is unique;
- never lost: a row stays pending until a worker marks it sent or gives up
  on it, and the sweeper re-enqueues rows nobody is working on;
- not doubled: a worker sends only a row it claimed with a conditional
  UPDATE, and marks each row sent as soon as the SMTP server accepted it. A
  worker killed after the server accepted a message but before the row was
  marked sent leaves one possible copy, which carries the same Message-ID as
  the original;
- kept without secrets: once sent, a row loses the links that act as its
  recipient (a reset, an invitation, a manage link; justop.redaction), in
  the statement that marks it sent. Until then it keeps them, for retries.

Emails queued together are sent together: a send task carries up to
BATCH_SIZE row ids, claims them in one statement and sends them one by one
over the worker's SMTP connection, each with its own outcome.

The parts, by concern: queueing (``queueing``); the send tasks, the claim,
SMTP and retries (``delivery``); the message (``rendering``) and its header
policy (``headers``); unsubscribe tokens (``tokens``); suppressions
(``suppression``); the sweeper and staff actions, with the beat's tasks
(``maintenance``); the site's addresses (``urls``). Callers use the names
below, from here. A test that replaces one patches the module that owns it
(``outbox.delivery.enqueue``): every part looks it up there.
"""

from justop.outbox.delivery import (
    BATCH_SECONDS,
    BATCH_SIZE,
    ConnectionFailure,
    PermanentFailure,
    State,
    TemporaryFailure,
    backoff,
    batches,
    claim,
    deliver,
    deliver_many,
    enqueue,
)
from justop.outbox.headers import OutboxMessage
from justop.outbox.maintenance import cancel, purge, retry, sweep
from justop.outbox.queueing import Email, queue, queue_many
from justop.outbox.rendering import render
from justop.outbox.suppression import resubscribe, suppressed_pairs, unsubscribe
from justop.outbox.tokens import (
    UNSUBSCRIBE_SALT,
    read_unsubscribe_token,
    unsubscribe_token,
    unsubscribe_url,
)
from justop.outbox.urls import absolute

__all__ = [
    "BATCH_SECONDS",
    "BATCH_SIZE",
    "UNSUBSCRIBE_SALT",
    "ConnectionFailure",
    "Email",
    "OutboxMessage",
    "PermanentFailure",
    "State",
    "TemporaryFailure",
    "absolute",
    "backoff",
    "batches",
    "cancel",
    "claim",
    "deliver",
    "deliver_many",
    "enqueue",
    "purge",
    "queue",
    "queue_many",
    "read_unsubscribe_token",
    "render",
    "resubscribe",
    "retry",
    "suppressed_pairs",
    "sweep",
    "unsubscribe",
    "unsubscribe_token",
    "unsubscribe_url",
]
