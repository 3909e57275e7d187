from __future__ import annotations

import datetime

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from circle.models import County, Membership, Organization, Stage, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """A verified primary address, as allauth requires before sign-in."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):
        """Staff have an authenticator app; pass totp=False for one without."""
        if create and extracted is not False:
            TOTP.activate(obj, generate_totp_secret())


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    sector = Organization.Sector.NONPROFIT
    side = Organization.Side.BOTH
    mission = "Opening pathways to good jobs in Metro Atlanta."
    status = Organization.Status.ACTIVE
    joined_on = factory.LazyFunction(lambda: datetime.date(2026, 1, 15))

    @factory.post_generation
    def stages(obj, create, extracted, **kwargs):
        """Stage keys, e.g. stages=["job-access"]."""
        if create and extracted:
            obj.stages.set(Stage.objects.filter(key__in=extracted))

    @factory.post_generation
    def counties(obj, create, extracted, **kwargs):
        """County keys, e.g. counties=["fulton"]."""
        if create and extracted:
            obj.counties.set(County.objects.filter(key__in=extracted))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER
    title = "Program manager"


def member_of(organization: Organization, role: str = Membership.Role.MEMBER, **kwargs) -> User:
    """A new person belonging to the organization with this role."""
    return MembershipFactory(organization=organization, role=role, **kwargs).user


def build_org_a() -> Organization:
    """Organization A of the access matrix (tests/test_access_matrix.py), the
    org_a fixture of tests/conftest.py: member_a and admin_a belong to it."""
    return OrganizationFactory(name="Organization A", slug="organization-a")


def build_org_b() -> Organization:
    """Organization B, the other organization: member_b belongs to it."""
    return OrganizationFactory(name="Organization B", slug="organization-b")


class MemberFactory(UserFactory):
    """A person belonging to an active organization: a member of the Circle."""

    @factory.post_generation
    def membership(obj, create, extracted, **kwargs):
        if create:
            organization = extracted or OrganizationFactory()
            Membership.objects.create(user=obj, organization=organization)


def sign_in_with_second_factor(client, user: User) -> None:
    """Sign in as if the person had given their password and then their
    authenticator's code in this session: what staff must do before their
    staff powers count (circle/viewers.py)."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def sign_in(client, user: User) -> None:
    """Sign in as the person would: staff with their second factor."""
    if user.is_staff:
        sign_in_with_second_factor(client, user)
    else:
        client.force_login(user)


def sent_to_sign_in(response) -> bool:
    """Whether a signed-out person was sent to sign in and back to the page
    they asked for (circle/signin.py), with nothing of the page itself."""
    from urllib.parse import parse_qs, urlsplit

    from django.urls import reverse

    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    back = parse_qs(location.query).get("next", [""])[0]
    asked = response.wsgi_request.get_full_path()
    return location.path == reverse("account_login") and back == asked
