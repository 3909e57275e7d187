"""Who may open which URL: one row per URL pattern of the project.

The test enumerates every pattern the URL resolver knows and fails for a
pattern without a row here, so no view can be added without deciding who may
see it. Each row gives the expected status of a GET for each role:

    anonymous  no account
    user       signed in, verified email, no organization
    member_a   a member of organization A
    admin_a    an admin of organization A
    member_b   a member of organization B
    staff      PSE staff (superuser) signed in with their authenticator app
    staff_unverified  a staff account (superuser) whose session passed no
               second factor: everywhere it gets what `user` gets, and on
               staff pages a redirect to give or set up a second factor

Objects the rows point at belong to organization A, so member_b is the
outsider: management pages of A must answer 404 to them (existence is not
leaked), 403 to member_a (a member without the role).

Statuses: 200, 403, 404 as is; LOGIN means a redirect to the sign-in page;
SECOND_FACTOR a redirect to the two-factor pages;
302 is any other redirect (for example a signed-in person sent away from the
sign-in page). Rows for the admin's model pages are generated from the admin
registry, so a newly registered model gets its rows without being forgotten.

Each URL is asked in English and in Spanish: who may see a page never
depends on the language it is read in.

Every request but those for the admin's pages of one object runs with lazy
loading turned into an error (tests/fetching.py): a page that would query once
per row it lists fails here, whatever the size of the data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from circle import invitations
from circle.models import County, Expertise, Invitation, JoinApplication, Membership, Stage
from justop import outbox
from justop.models import Suppression
from justop.outbox import unsubscribe_token
from news import newsletter
from news.models import NewsPost, Subscriber
from tests import access_asks, access_forums, access_research
from tests.access import (
    LOGIN,
    ROLES,
    SECOND_FACTOR,
    Row,
    World,
    admin_page,
    admins_of_a,
    members_only,
    org_a,
    same,
    signed_in,
)
from tests.factories import (
    StaffFactory,
    UserFactory,
    build_org_a,
    build_org_b,
    member_of,
    sign_in_with_second_factor,
)
from tests.fetching import lazy_loads_raise
from tests.reference import ensure_reference_data
from volunteering import services as volunteering
from volunteering.models import Opportunity, Shift, Signup

# Each app with its own module adds its rows, admin objects and world.
APP_MODULES = (access_forums, access_research, access_asks)


def _public_logo() -> str:
    """One file at a fixed name in the public store, written once."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = "logos/0123456789abcdef01234567-1x1.gif"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
    return name


ROWS: dict[str, Row] = {
    # justop
    "home": same(200),
    "about": same(200),
    "healthz": same(200),
    "livez": same(200),
    "sitemap": same(200),
    "robots_txt": same(200),
    "set_language": same(302),  # GET redirects back; switching is a POST
    # A logo in the public store: anyone (justop/media.py).
    "media": Row(200, 200, 200, kwargs=lambda w: {"path": _public_logo()}),
    # The signed token is the authority: anyone holding the link may leave the stream.
    "unsubscribe": Row(
        200, 200, 200, kwargs=lambda w: {"token": unsubscribe_token(w.user.email, "digest")}
    ),
    # circle: public
    "circle:join": same(200),
    "circle:join_thanks": same(200),
    "circle:organization": Row(200, 200, 200, kwargs=org_a),
    # An invitation to A for invitee@example.org: a new person sets a password;
    # anyone signed in with another address is told it is not theirs.
    "circle:accept_invitation": Row(
        200,
        403,
        403,
        member_a=403,
        admin_a=403,
        member_b=403,
        kwargs=lambda w: {"token": invitations.token_for(w.invitation_a)},
    ),
    # circle: members of the Circle
    "circle:directory": members_only(),
    "circle:continuum": members_only(),
    # circle: anyone signed in (people without organization get their forums
    # and how to join; staff without a second factor, their own memberships)
    "circle:member_home": signed_in(),
    # circle: organization A's admins
    "circle:manage_profile": admins_of_a(kwargs=org_a),
    "circle:manage_members": admins_of_a(kwargs=org_a),
    "circle:manage_member": admins_of_a(kwargs=lambda w: org_a(w, pk=w.membership_a.pk)),
    "circle:manage_invitations": admins_of_a(kwargs=org_a),
    "circle:invitation_batch": admins_of_a(kwargs=lambda w: org_a(w, pk=w.batch_a.pk)),
    # POST only (405 to a GET once signed in, before anything is looked up)
    "circle:resend_invitation": signed_in(405, kwargs=lambda w: org_a(w, pk=w.invitation_a.pk)),
    "circle:revoke_invitation": signed_in(405, kwargs=lambda w: org_a(w, pk=w.invitation_a.pk)),
    "circle:leave": signed_in(405, kwargs=lambda w: {"pk": w.membership_a.pk}),
    # news: public (a published post of the category "advocacy")
    "news:list": same(200),
    "news:category": Row(200, 200, 200, kwargs={"category": "advocacy"}),
    "news:post": Row(200, 200, 200, kwargs=lambda w: {"slug": w.post.slug}),
    "news:feed_rss": same(200),
    "news:feed_atom": same(200),
    "news:category_feed_rss": Row(200, 200, 200, kwargs={"category": "advocacy"}),
    "news:category_feed_atom": Row(200, 200, 200, kwargs={"category": "advocacy"}),
    "news:newsletter": same(200),
    "news:newsletter_check_email": same(200),
    "news:newsletter_unsubscribe": same(200),
    # A confirmation link works for whoever holds it (it was sent to the address).
    "news:newsletter_confirm": Row(
        200, 200, 200, kwargs=lambda w: {"token": newsletter.confirm_token(w.subscriber)}
    ),
    # volunteering: public; a sign-up's page opens with its signed link
    "volunteer:list": same(200),
    "volunteer:check_email": same(200),
    "volunteer:opportunity": Row(
        200, 200, 200, kwargs=lambda w: {"slug": w.shift.opportunity.slug}
    ),
    "volunteer:sign_up": Row(
        200,
        200,
        200,
        kwargs=lambda w: {"slug": w.shift.opportunity.slug, "shift_id": w.shift.pk},
    ),
    "volunteer:signup": Row(
        200, 200, 200, kwargs=lambda w: {"token": volunteering.token(w.signup)}
    ),
    "volunteer:signup_ics": Row(
        200, 200, 200, kwargs=lambda w: {"token": volunteering.token(w.signup)}
    ),
    # circle: a person's own account
    "circle:email_preferences": signed_in(),
    "circle:memberships": signed_in(),
    "circle:export_data": signed_in(),
    "circle:delete_account": signed_in(),
    # allauth: entrance
    "account_login": Row(200, 302, 302),
    "account_logout": Row(302, 200, 200),
    "account_inactive": same(200),
    "account_signup": Row(200, 302, 302),
    "account_email_verification_sent": same(200),
    "account_confirm_email": Row(200, 200, 200, kwargs={"key": "not-a-real-key"}),
    "account_reset_password": same(200),
    "account_reset_password_done": same(200),
    "account_reset_password_from_key": Row(
        200, 200, 200, kwargs={"uidb36": "1", "key": "set-password"}
    ),  # an invalid link says so
    "account_reset_password_from_key_done": same(200),
    "account_confirm_login_code": Row(302, 302, 302),  # no code pending: back to sign-in
    # allauth: account management
    "account_email": signed_in(),
    "account_change_password": signed_in(),
    "account_set_password": Row(LOGIN, 302, 302),  # they have a password already
    "account_reauthenticate": signed_in(),
    "account_request_reauthentication_code": signed_in(),
    "account_confirm_reauthentication_code": Row(LOGIN, 302, 302),
    # allauth: two-factor authentication
    "mfa_index": signed_in(),
    "mfa_authenticate": Row(302, 302, 302),  # only during a sign-in in progress
    "mfa_reauthenticate": Row(LOGIN, 302, 200),  # only with an authenticator
    "mfa_activate_totp": Row(LOGIN, 302, 302),  # user: reauthenticate first; staff: has one
    "mfa_deactivate_totp": Row(LOGIN, 404, 302),
    "mfa_view_recovery_codes": Row(LOGIN, 404, 404),
    "mfa_generate_recovery_codes": Row(LOGIN, 302, 302),
    "mfa_download_recovery_codes": Row(LOGIN, 404, 404),
    "mfa_list_webauthn": signed_in(),
    "mfa_add_webauthn": Row(LOGIN, 302, 302),
    "mfa_reauthenticate_webauthn": Row(LOGIN, 302, 302),
    "mfa_remove_webauthn": Row(
        LOGIN,
        302,
        302,  # reauthenticate first
        kwargs=lambda w: {"pk": w.staff_totp.pk},
    ),
    "mfa_edit_webauthn": Row(
        LOGIN,
        302,
        302,  # reauthenticate first
        kwargs=lambda w: {"pk": w.staff_totp.pk},
    ),
    "mfa_login_webauthn": Row(LOGIN, 302, 302),  # the sign-in page starts it
    # Django admin: staff only (with a second factor; see test_auth.py)
    "admin:index": admin_page(200),
    # A signed-in person who is not staff is refused the admin's sign-in page.
    "admin:login": Row(302, 403, 302, staff_unverified=SECOND_FACTOR),
    "admin:logout": admin_page(405),  # POST only
    "admin:password_change": admin_page(200),
    "admin:password_change_done": admin_page(200),
    "admin:autocomplete": admin_page(403),  # needs a model and field in the query
    "admin:jsi18n": admin_page(200),
    "admin:view_on_site": admin_page(404, kwargs=lambda w: {"content_type_id": 0, "object_id": 0}),
    "admin:app_list": admin_page(200, kwargs={"app_label": "circle"}),
    # Unnamed admin patterns, keyed by route.
    "admin/(?P<url>.*)$": admin_page(404, path=lambda w: "/admin/no-such-page/"),
}

# What each generated admin page answers for staff, by view.
ADMIN_MODEL_VIEWS = {
    "changelist": 200,
    "add": 200,
    "change": 200,
    "delete": 200,
    "history": 200,
}
# Pages that answer otherwise for one model, by (model label, view).
ADMIN_MODEL_EXCEPTIONS = {
    ("justop.OutboxEmail", "add"): 403,  # emails are queued by the portal, never typed in
    ("circle.Invitation", "add"): 403,  # invitations are sent from the organization's page
    ("news.Subscriber", "add"): 403,  # people subscribe themselves (double opt-in)
    ("volunteering.Signup", "add"): 403,  # people sign up on the site, where places are counted
}
ALL_ADMIN_EXCEPTIONS = ADMIN_MODEL_EXCEPTIONS.copy()
for _module in APP_MODULES:
    ALL_ADMIN_EXCEPTIONS |= _module.ADMIN_EXCEPTIONS
ADMIN_EXTRA_VIEWS = {
    "auth_user_password_change": 200,
    "news_post_preview": 200,
    "circle_user_data": 200,  # the person's data download, from their admin page
    "circle_joinapplication_decide": 405,  # Approve / Decline: POST only
}


def admin_object(world: World, model: type) -> Any:
    objects = {
        "circle.User": world.user,
        "auth.Group": world.group,
        "account.EmailAddress": world.user.emailaddress_set.first(),
        "mfa.Authenticator": world.staff_totp,
        "justop.OutboxEmail": world.outbox_email,
        "circle.Organization": world.org_a,
        "circle.Membership": world.membership_a,
        "circle.Invitation": world.invitation_a,
        "circle.JoinApplication": world.application,
        "circle.Stage": Stage.objects.first(),
        "circle.County": County.objects.first(),
        "circle.Expertise": world.expertise,
        "news.NewsPost": world.post,
        "news.Subscriber": world.subscriber,
        "volunteering.Opportunity": world.shift.opportunity,
        "volunteering.Shift": world.shift,
        "volunteering.Signup": world.signup,
        "justop.Suppression": world.suppression,
    }
    for module in APP_MODULES:
        objects |= {label: get(world) for label, get in module.ADMIN_OBJECTS.items()}
    return objects[model._meta.label]


def admin_rows() -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        for view, status in ADMIN_MODEL_VIEWS.items():
            kwargs: Callable[[World], dict[str, Any]] | dict[str, Any] = {}
            if view in ("change", "delete", "history"):
                kwargs = lambda w, m=model: {"object_id": admin_object(w, m).pk}  # noqa: E731
            status = ALL_ADMIN_EXCEPTIONS.get((model._meta.label, view), status)
            rows[f"admin:{prefix}_{view}"] = admin_page(status, kwargs=kwargs)
        # The legacy "<object_id>/" address redirects to the change page.
        legacy = f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"
        rows[legacy] = admin_page(
            302,
            path=lambda w, m=model: (
                f"/admin/{m._meta.app_label}/{m._meta.model_name}/{admin_object(w, m).pk}/"
            ),
        )
    extra_kwargs = {
        "auth_user_password_change": lambda w: {"id": w.user.pk},
        "news_post_preview": lambda w: {"pk": w.post.pk},
        "circle_user_data": lambda w: {"pk": w.user.pk},
        "circle_joinapplication_decide": lambda w: {
            "pk": w.application.pk,
            "decision": "approve",
        },
    }
    for name, status in ADMIN_EXTRA_VIEWS.items():
        rows[f"admin:{name}"] = admin_page(status, kwargs=extra_kwargs[name])
    for module in APP_MODULES:
        for name, (status, get_kwargs) in module.ADMIN_EXTRA_VIEWS.items():
            rows[f"admin:{name}"] = admin_page(status, kwargs=get_kwargs)
    return rows


ALL_ROWS = ROWS.copy()
for _module in APP_MODULES:
    ALL_ROWS |= _module.ROWS
ALL_ROWS |= admin_rows()


def url_patterns() -> list[tuple[str, str]]:
    """Every pattern of the project as (key, route): key is the namespaced
    name, or the full route for an unnamed pattern."""

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if pattern.name:
                    yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
                else:
                    yield route, route

    return list(walk(get_resolver().url_patterns, "", None))


def test_every_url_pattern_has_a_row():
    missing = sorted(key for key, _route in url_patterns() if key not in ALL_ROWS)
    assert not missing, "URL patterns without a row in tests/test_access_matrix.py: " + ", ".join(
        missing
    )


def test_no_row_is_left_over_from_a_removed_pattern():
    keys = {key for key, _route in url_patterns()}
    stale = sorted(set(ALL_ROWS) - keys)
    assert not stale, "Rows for URL patterns that no longer exist: " + ", ".join(stale)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module's 1,700 requests, in a transaction rolled
    back at the end; each test runs in a savepoint inside it (the db fixture),
    so what one request writes is gone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_reference_data()
        yield build_world()
        transaction.set_rollback(True)


def build_world() -> World:
    user = UserFactory()
    staff = StaffFactory()
    organization_a = build_org_a()
    organization_b = build_org_b()
    member_a = member_of(organization_a)
    admin_a = member_of(organization_a, Membership.Role.ADMIN)
    shift = Shift.objects.create(
        opportunity=Opportunity.objects.create(
            title="Career fair helpers",
            slug="career-fair",
            summary="Help.",
            description="Help.",
            status="published",
        ),
        role="Greeter",
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=4),
        capacity=5,
    )
    result = invitations.invite(
        organization_a, ["invitee@example.org", "other@example.org"], "member", by=admin_a
    )
    world = World(
        user=user,
        staff=staff,
        staff_unverified=StaffFactory(totp=False),
        member_a=member_a,
        admin_a=admin_a,
        member_b=member_of(organization_b),
        org_a=organization_a,
        membership_a=Membership.objects.get(user=member_a),
        invitation_a=Invitation.objects.get(email="invitee@example.org"),
        batch_a=result.batch,
        application=JoinApplication.objects.create(
            organization_name="Westside Works",
            sector="nonprofit",
            mission="Training for construction jobs.",
            applicant_name="Ana Díaz",
            applicant_email="ana@westside.example.org",
        ),
        expertise=Expertise.objects.create(name="Apprenticeships", slug="apprenticeships"),
        post=NewsPost.objects.create(
            title="Transit is a jobs issue",
            slug="transit-is-a-jobs-issue",
            summary="Buses to job centers.",
            body="Early-morning service matters.",
            category=NewsPost.Category.ADVOCACY,
            status=NewsPost.Status.PUBLISHED,
        ),
        subscriber=Subscriber.objects.create(email="reader@example.org"),
        shift=shift,
        signup=Signup.objects.create(
            shift=shift, name="Jordan Lee", email="jordan@example.org", status="confirmed"
        ),
        group=Group.objects.create(name="Editors"),
        staff_totp=Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP),
        outbox_email=outbox.queue(
            outbox.Email(kind="test.hello", to=user.email, subject="Hello", body_text="Hi")
        ),
        suppression=Suppression.objects.create(email="gone@example.org", stream="digest"),
    )
    for module in APP_MODULES:
        world.more.update(module.build(world))
    return world


def resolve_path(key: str, row: Row, world: World) -> str:
    if row.path is not None:
        return row.path(world)
    kwargs = row.kwargs(world) if callable(row.kwargs) else row.kwargs
    return reverse(key, kwargs=kwargs)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(ALL_ROWS))
def test_access(db, client, world, key, role):
    row = ALL_ROWS[key]
    if role == "staff":
        sign_in_with_second_factor(client, world.staff)
    elif role != "anonymous":
        client.force_login(getattr(world, role))
    path = resolve_path(key, row, world)
    # Every page but the admin's pages of one object (whose titles name
    # related rows, one query each, not one per row) must load what it shows
    # up front: a lazy load fails the request.
    one_object = key.startswith("admin:") and key.endswith(("_change", "_delete", "_history"))
    # In each language: what a page decides must not depend on the one it is read in.
    for language in ("en", "es"):
        with contextlib.nullcontext() if one_object else lazy_loads_raise():
            response = client.get(path, headers={"accept-language": language})
        check(response, row.expected(role), f"{path} as {role} in {language}")


def check(response: Any, expected: Any, who: str) -> None:
    if expected == SECOND_FACTOR:
        assert response.status_code == 302, f"{who}: {response.status_code}"
        assert response["Location"].startswith(
            (reverse("mfa_index"), reverse("mfa_reauthenticate"))
        ), f"{who} redirected to {response['Location']}, not to the second factor"
    elif expected == LOGIN:
        assert response.status_code == 302, f"{who}: {response.status_code}"
        assert response["Location"].startswith(reverse("account_login")), (
            f"{who} redirected to {response['Location']}, not to sign-in"
        )
    else:
        assert response.status_code == expected, (
            f"{who}: expected {expected}, got {response.status_code}"
            + (f" to {response['Location']}" if response.status_code in (301, 302) else "")
        )
