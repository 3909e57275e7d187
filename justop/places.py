"""The capacity engine: places that people claim by email, held until the
address is confirmed, a waitlist in order, promotion when places free up and
expiry of holds nobody confirmed. Forum registrations and volunteer sign-ups
are two configurations of it (forums/registration.py, volunteering/services.py);
it imports neither and knows their models only through a `Places` description.

The words:
- the *parent* has the places (a forum, a shift): a `capacity` and a start;
- a *claim* asks for some of them (a registration takes one place, a sign-up
  as many as its party): it is HELD (it takes its places, its address not yet
  confirmed), CONFIRMED (places taken, address confirmed), WAITLISTED, or
  ended: CANCELLED (or another ended status the app passes), EXPIRED.

- A claim by email (`hold`) holds its places if they fit, or waits. One whose
  address is known already (`join(address_known=True)`, a member's RSVP) is
  confirmed at once. One not confirmed within `confirm_within` (or by the
  parent's start, with `expire_at_start`) expires and frees its places.
- Confirming the address (`confirm`, by the emailed link) turns a hold into
  a confirmed place; a claim on the waitlist keeps waiting, now promotable.
- When places free up (`cancel`, `expire_unconfirmed`, `promote` after more
  places), claims on the waitlist whose address is confirmed get them in the
  order they asked; a claim larger than the places left waits, and a smaller
  one behind it may go first.
- Each change is told by the app's `email` hook, with a kind of `Kinds`.

Every change to a parent's claims happens inside a transaction that locks
the parent's row first (`lock`: SELECT ... FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions take the database's write lock), so the count holds
however many people press the button at once. Functions named `..._locked`,
`join`, `know_address` and `promote_locked` expect that lock to be held."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import cached_property
from typing import Any, cast

from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.views.decorators.cache import never_cache

from justop import calendars, outbox, ratelimit
from justop.pagecache import content_changed


@dataclass(frozen=True)
class ClaimForm:
    """The public form that claims places by email (a guest's registration, a
    volunteer's sign-up): limited per network address and per email address,
    a honeypot field named `website`, and the same "check your email" page
    whatever happened, so the page never tells whether an address had
    claimed already (that person is emailed instead)."""

    template: str
    done: str  # URL name of the "check your email" page
    too_many: str | Promise  # what the form says when a limit is reached (lazy)
    per_address: ratelimit.Limit
    per_email: ratelimit.Limit

    def answer(
        self,
        request: HttpRequest,
        form: Any,
        context: dict[str, Any],
        claim: Callable[[dict[str, Any]], HttpResponse | None],
    ) -> HttpResponse:
        """Shows the form, or claims with its cleaned data: `claim` returns
        the page to show instead of "check your email" (None when claimed)."""
        if request.method != "POST":
            return render(request, self.template, context)
        if not ratelimit.allow(request, self.per_address):
            return self._limited(request, context)
        if not form.is_valid():
            return render(request, self.template, context)
        if form.cleaned_data["website"]:
            return redirect(self.done)  # a bot: pretend
        data = form.cleaned_data
        if not ratelimit.allow(request, self.per_email, key=data["email"]):
            return self._limited(request, context)
        return claim(data) or redirect(self.done)

    def _limited(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        context["problem"] = self.too_many
        return render(request, self.template, context, status=429)


class Closed(Exception):
    """The parent takes no new claims now (a draft, cancelled, past the deadline)."""


@dataclass(frozen=True)
class Statuses:
    """The claim model's status values."""

    held: str
    confirmed: str
    waitlisted: str
    cancelled: str
    expired: str

    @classmethod
    def of(cls, choices: type[Enum]) -> Statuses:
        """From a TextChoices with members HELD, CONFIRMED, WAITLISTED,
        CANCELLED and EXPIRED (it may have more: ended ones such as DECLINED)."""
        names = ("HELD", "CONFIRMED", "WAITLISTED", "CANCELLED", "EXPIRED")
        return cls(*(str(choices[name].value) for name in names))

    @property
    def holding(self) -> tuple[str, ...]:
        """The statuses that take places."""
        return (self.held, self.confirmed)

    @property
    def active(self) -> tuple[str, ...]:
        """The statuses of a live claim: at most one per address and parent."""
        return (self.held, self.confirmed, self.waitlisted)


@dataclass(frozen=True)
class Fields:
    """The names of the fields the engine reads and writes."""

    parent: str  # the claim's foreign key to its parent ("forum", "shift")
    claims: str  # the parent's related manager of its claims ("registrations")
    # How many places a claim takes: a field (a party's size), or one each.
    size: str | None = None
    # The waitlist's order: when the claim last asked (then the primary key).
    queued: str = "created_at"
    created: str = "created_at"  # holds expire counting from it
    address_confirmed: str = "confirmed_at"  # when its email address was confirmed
    place_confirmed: str | None = None  # when it got a confirmed place, if kept
    cancelled: str = "cancelled_at"
    email: str = "email"
    status: str = "status"
    capacity: str = "capacity"  # on the parent
    starts: str = "starts_at"  # on the parent


@dataclass(frozen=True)
class Kinds:
    """The kinds of email the engine asks the app's hook for."""

    confirm: str = "confirm"  # a new claim by email: confirm your address
    confirmed: str = "confirmed"  # your places are confirmed
    promoted: str = "promoted"  # a place opened for you
    cancelled: str = "cancelled"
    link: str = "link"  # asked again with a live claim: your link again
    # Told that they wait, once their address is known (None: not told).
    waitlisted: str | None = None


def _always(_: object) -> bool:
    return True


@dataclass(frozen=True)
class Outcome[C: models.Model]:
    claim: C
    # The address holds a live claim already: the page must not say so (it
    # would tell anyone who asked); the person is emailed their link instead.
    already: bool = False


@dataclass(frozen=True)
class Places[P: models.Model, C: models.Model]:
    """One kind of places: the parent and claim models, how they are read,
    and the app's hooks."""

    parent: type[P]
    claim: type[C]
    fields: Fields
    # The app's emails: (claim, kind, period) -> the email; an empty period
    # means the kind's default (one such email per claim).
    email: Callable[[C, str, str], outbox.Email]
    salt: str  # of the signed links in the emails
    link_key: str  # the claim's key in the signed link
    page: str  # URL name of the page behind the emailed link
    confirm_within: timedelta = timedelta(hours=24)
    kinds: Kinds = field(default_factory=Kinds)
    # What to read with a claim opened from its link.
    related: tuple[str, ...] = ()
    # Holds not confirmed by the parent's start expire then.
    expire_at_start: bool = False
    # Claims can come back to life (a member going again after cancelling):
    # the emails of joining and cancelling carry the time, so each is sent.
    returns: bool = False
    # Whether the parent takes a new claim by email (asked under the lock).
    admits: Callable[[P], bool] = _always
    # Whether freed places go to the waitlist now (asked under the lock).
    may_promote: Callable[[P], bool] = _always

    @cached_property
    def statuses(self) -> Statuses:
        """The claim model's `Status` choices."""
        return Statuses.of(getattr(self.claim, "Status"))  # noqa: B009 (a model's own choices)

    @property
    def content(self) -> str:
        """The page cache's kind of content showing the places: the parent's app."""
        return str(self.parent._meta.app_label)

    # --- Links ------------------------------------------------------------------------

    def token(self, claim: C) -> str:
        data = {self.link_key: claim.pk, "e": self._get(claim, self.fields.email)}
        return signing.dumps(data, salt=self.salt, compress=True)

    def from_token(self, value: str) -> C | None:
        """The claim of a link. Links do not expire (cancelling must work until
        the start), but the signed address ties them to one claim."""
        try:
            data = signing.loads(value, salt=self.salt)
            claims = self.claim._default_manager.select_related(*self.related)
            return claims.get(**{"pk": data[self.link_key], self.fields.email: data["e"]})
        except (signing.BadSignature, KeyError, TypeError, ObjectDoesNotExist):
            return None

    def url(self, claim: C) -> str:
        """The page behind the emailed link, as an absolute address."""
        return outbox.absolute(reverse(self.page, args=[self.token(claim)]))

    def link_page(
        self, template: str, context: Callable[[C], dict[str, object]]
    ) -> Callable[[HttpRequest, str], HttpResponse]:
        """The view behind the links in the emails: see the claim, confirm
        the address, cancel. Anyone holding the link may use it; a link that
        does not verify is not found.

        Cancelling gives the places away at once, so it takes two steps
        that work without JavaScript: the "Cancel" button opens the same
        page asking to confirm (``?step=cancel``, saying when someone on the
        waitlist gets the place), and only its form (``confirmed=yes``)
        cancels. After any action the page comes back showing the new state."""

        @never_cache
        def view(request: HttpRequest, token: str) -> HttpResponse:
            found = self.from_token(token)
            if found is None:
                raise Http404
            if request.method == "POST":
                action = request.POST.get("action")
                if action == "confirm":
                    self.confirm(found)
                elif action == "cancel":
                    if request.POST.get("confirmed") != "yes":
                        return redirect(reverse(self.page, args=[token]) + "?step=cancel")
                    self.cancel(found)
                return redirect(self.page, token=token)
            confirming = request.GET.get("step") == "cancel" and self.is_active(found)
            return render(
                request,
                template,
                context(found)
                | {
                    "confirming": confirming,
                    "someone_waits": confirming and self.someone_waits(found),
                    "keep_url": reverse(self.page, args=[token]),
                },
            )

        return view

    def link_file(
        self, build: Callable[[C], tuple[bytes, str]]
    ) -> Callable[[HttpRequest, str], HttpResponse]:
        """The claim's calendar file behind the same signed link as its page:
        `build` gives its bytes and file name. Never stored by a cache."""

        def view(request: HttpRequest, token: str) -> HttpResponse:
            found = self.from_token(token)
            if found is None:
                raise Http404
            content, filename = build(found)
            return calendars.response(content, filename, private=True)

        return view

    # --- Counting ---------------------------------------------------------------------

    def claims_of(self, parent: P) -> models.QuerySet[C]:
        return cast("models.QuerySet[C]", getattr(parent, self.fields.claims).all())

    def size(self, claim: C) -> int:
        return 1 if self.fields.size is None else int(self._get(claim, self.fields.size))

    def capacity(self, parent: P) -> int:
        return int(self._get(parent, self.fields.capacity))

    def taken(self, parent: P) -> int:
        holding = self.claims_of(parent).filter(
            **{f"{self.fields.status}__in": self.statuses.holding}
        )
        if self.fields.size is None:
            return holding.count()
        return int(holding.aggregate(n=Sum(self.fields.size))["n"] or 0)

    def left(self, parent: P) -> int:
        return max(self.capacity(parent) - self.taken(parent), 0)

    def is_active(self, claim: C) -> bool:
        return self._get(claim, self.fields.status) in self.statuses.active

    def someone_waits(self, claim: C) -> bool:
        """Whether cancelling this claim would give its places to someone on
        the waitlist now (what the confirmation says before it is too late)."""
        f = self.fields
        if self._get(claim, f.status) not in self.statuses.holding:
            return False
        parent = self._get(claim, f.parent)
        if not self.may_promote(parent):
            return False
        waiting = {f.status: self.statuses.waitlisted, f"{f.address_confirmed}__isnull": False}
        return self.claims_of(parent).filter(**waiting).exclude(pk=claim.pk).exists()

    def lock(self, parent: P) -> P:
        """The parent's row, locked until the transaction ends."""
        return self._lock(parent.pk)

    def _lock(self, pk: object) -> P:
        return self.parent._default_manager.select_for_update().get(pk=pk)

    # --- Claiming ---------------------------------------------------------------------

    def hold(self, parent: P, *, email: str, details: Mapping[str, object]) -> Outcome[C]:
        """A new claim by email (a guest, a volunteer): it holds its places if
        they fit, or waits, until its address is confirmed by the link emailed
        now. `details` are the claim's other fields (name, party size...).
        Raises Closed if the parent does not admit claims now."""
        address = email.strip().lower()
        with transaction.atomic():
            parent = self.lock(parent)
            if not self.admits(parent):
                raise Closed
            live = {self.fields.email: address, f"{self.fields.status}__in": self.statuses.active}
            existing = self.claims_of(parent).filter(**live).first()
            if existing is not None:
                # At most one such email an hour for the same claim.
                again = f"again-{timezone.now():%Y%m%d%H}"
                outbox.queue(self.email(existing, self.kinds.link, again))
                return Outcome(existing, already=True)
            claim = self.claim(
                **{self.fields.parent: parent, self.fields.email: address}, **details
            )
            self.join(parent, claim, address_known=False)
        return Outcome(claim)

    def join(self, parent: P, claim: C, *, address_known: bool) -> C:
        """Within the parent's lock: the claim (new, or ended and asking again)
        asks for its places now, at the end of the queue. It takes them if they
        fit: held until its address is confirmed, or confirmed at once when
        the address is known (a member's own). Otherwise it waits. Saved and
        told by email."""
        f = self.fields
        now = timezone.now()
        fits = self.taken(parent) + self.size(claim) <= self.capacity(parent)
        placed = self.statuses.confirmed if address_known else self.statuses.held
        self._set(claim, f.status, placed if fits else self.statuses.waitlisted)
        self._set(claim, f.queued, now)
        if address_known:
            self._set(claim, f.address_confirmed, now)
        if f.place_confirmed:
            self._set(claim, f.place_confirmed, now if fits and address_known else None)
        self._set(claim, f.cancelled, None)
        claim.save()
        if not address_known:
            outbox.queue(self.email(claim, self.kinds.confirm, ""))
            return claim
        kind = self.kinds.confirmed if fits else self.kinds.waitlisted
        if kind is not None:
            outbox.queue(self.email(claim, kind, self._period(kind, now)))
        return claim

    def confirm(self, claim: C) -> C:
        """The person followed the emailed link: the address is theirs."""
        with transaction.atomic():
            parent = self.lock(self._get(claim, self.fields.parent))
            claim.refresh_from_db()
            known = self._get(claim, self.fields.address_confirmed) is not None
            if known or not self.is_active(claim):
                return claim
            self.know_address(claim)
            changed = [
                self.fields.address_confirmed,
                self.fields.status,
                self.fields.place_confirmed,
            ]
            claim.save(update_fields=[name for name in changed if name])
            # A confirmed person on the waitlist may fit in places freed meanwhile.
            self.promote_locked(parent)
        return claim

    def know_address(self, claim: C, *, tell_waiting: bool = True) -> None:
        """Within the parent's lock: the claim's address is known to be theirs
        now. A hold becomes a confirmed place (and is told); a claim on the
        waitlist may be told it waits. Not saved."""
        f = self.fields
        now = timezone.now()
        if self._get(claim, f.address_confirmed) is None:
            self._set(claim, f.address_confirmed, now)
        if self._get(claim, f.status) == self.statuses.held:
            self._set(claim, f.status, self.statuses.confirmed)
            if f.place_confirmed:
                self._set(claim, f.place_confirmed, now)
            outbox.queue(self.email(claim, self.kinds.confirmed, ""))
        elif tell_waiting and self.kinds.waitlisted is not None:
            outbox.queue(self.email(claim, self.kinds.waitlisted, ""))

    # --- Freeing places and the waitlist ------------------------------------------------

    def cancel(self, claim: C) -> C:
        """Cancelling a place, or leaving the waitlist."""
        with transaction.atomic():
            parent = self.lock(self._get(claim, self.fields.parent))
            claim.refresh_from_db()
            return self.cancel_locked(parent, claim)

    def cancel_locked(self, parent: P, claim: C, *, status: str | None = None) -> C:
        """Within the parent's lock: the claim ends (CANCELLED, or the ended
        `status` given), is told, and its places go to the waitlist."""
        if not self.is_active(claim):
            return claim
        now = timezone.now()
        self._set(claim, self.fields.status, status or self.statuses.cancelled)
        self._set(claim, self.fields.cancelled, now)
        claim.save(update_fields=[self.fields.status, self.fields.cancelled])
        kind = self.kinds.cancelled
        outbox.queue(self.email(claim, kind, self._period(kind, now)))
        self.promote_locked(parent)
        return claim

    def promote(self, parent: P) -> list[C]:
        """After more places (staff raised the capacity): fill them from the waitlist."""
        with transaction.atomic():
            return self.promote_locked(self.lock(parent))

    def promote_locked(self, parent: P) -> list[C]:
        """Within the parent's lock: give freed places to claims on the
        waitlist whose address is confirmed, in the order they asked. A claim
        larger than the places left waits; a smaller one behind it may go."""
        f = self.fields
        if not self.may_promote(parent):
            return []
        free = self.capacity(parent) - self.taken(parent)
        if free <= 0:
            return []
        waiting = (
            self.claims_of(parent)
            .filter(**{f.status: self.statuses.waitlisted, f"{f.address_confirmed}__isnull": False})
            .order_by(f.queued, "pk")
        )
        if f.size is None:
            waiting = waiting[:free]  # one place each: the first `free` of them
        now = timezone.now()
        promoted = []
        for claim in waiting:
            if free <= 0:
                break
            if self.size(claim) > free:
                continue
            self._set(claim, f.status, self.statuses.confirmed)
            if f.place_confirmed:
                self._set(claim, f.place_confirmed, now)
            claim.save(update_fields=[name for name in (f.status, f.place_confirmed) if name])
            free -= self.size(claim)
            outbox.queue(self.email(claim, self.kinds.promoted, ""))
            promoted.append(claim)
        return promoted

    def expire_unconfirmed(self, now: datetime | None = None) -> int:
        """Claims whose address is not confirmed in time expire and free their
        places: `confirm_within` after they were made, or at the parent's
        start if sooner (with `expire_at_start`). Returns how many expired."""
        f = self.fields
        now = now or timezone.now()
        late = Q(**{f"{f.created}__lt": now - self.confirm_within})
        if self.expire_at_start:
            late |= Q(**{f"{f.parent}__{f.starts}__lte": now})
        stale = self.claim._default_manager.filter(
            late,
            **{f"{f.status}__in": self.statuses.active, f"{f.address_confirmed}__isnull": True},
        )
        expired = 0
        # In the order of the parents' keys, so two runs cannot deadlock.
        for parent_pk in sorted(set(stale.values_list(f.parent, flat=True))):
            with transaction.atomic():
                parent = self._lock(parent_pk)
                theirs = stale.filter(**{f.parent: parent}).values("pk")
                expired += self.claim._default_manager.filter(pk__in=theirs).update(
                    **{f.status: self.statuses.expired}
                )
                self.promote_locked(parent)
        if expired:
            content_changed(self.content)
        return expired

    # --- Helpers ----------------------------------------------------------------------

    def _period(self, kind: str, now: datetime) -> str:
        """The outbox period of an email about a change: a new one each time
        when claims can come back to life, otherwise the kind's default."""
        return f"{kind}-{now:%Y%m%d%H%M%S}" if self.returns else ""

    @staticmethod
    def _get(instance: models.Model, name: str) -> Any:
        return getattr(instance, name)

    @staticmethod
    def _set(instance: models.Model, name: str, value: object) -> None:
        setattr(instance, name, value)
