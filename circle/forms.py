"""Forms of the circle app: joining, organization pages, invitations, the
account, email preferences and the directory's filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from circle import invitations
from circle.access import Acting
from circle.models import (
    LANGUAGE_CHOICES,
    EmailPreferences,
    Expertise,
    JoinApplication,
    Membership,
    Organization,
    User,
)
from justop.honeypot import honeypot_field
from justop.registry import digest_sections
from justop.translated import LANGUAGE_NAMES, SideBySideLanguages
from justop.widgets import QuickSelect

if TYPE_CHECKING:
    from circle.directory import Facets

MAX_CSV_BYTES = 1024 * 1024
Side = Organization.Side


MAX_PASTED_CHARACTERS = 200_000


class InviteForm(forms.Form):
    """Addresses to invite. A list with a problem is refused whole, kept for
    correction with every problem by line, unless the admin asks to skip the
    lines with a problem: a careful admin fixes a typo rather than have it
    silently dropped, but should not have to delete colleagues one by one."""

    emails = forms.CharField(
        label=_("Email addresses"),
        required=False,
        max_length=MAX_PASTED_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    csv_file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_("Any column holding email addresses is read. Up to 1 MB."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )
    skip_problems = forms.BooleanField(
        label=_("Skip the lines with a problem and invite the others"),
        required=False,
        help_text=_(
            "Otherwise nobody is invited until every line listed is corrected or removed; "
            "the list stays here for that."
        ),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.problems: list[invitations.Entry] = []
        # Django renders help text as HTML: the example's angle brackets are escaped.
        self.fields["emails"].help_text = format_html(
            gettext(
                "One or many: separate them with commas, semicolons or new lines. "
                "Names are welcome, as in {example}."
            ),
            example="Ana Díaz <ana@example.org>",
        )

    def clean_csv_file(self) -> Any:
        upload = self.cleaned_data.get("csv_file")
        if upload and upload.size > MAX_CSV_BYTES:
            raise ValidationError(_("The file is larger than 1 MB."))
        if upload:
            head = upload.read(2048)
            upload.seek(0)
            if b"\x00" in head:
                raise ValidationError(_("This file is not a CSV text file."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        upload = data.get("csv_file")
        entries = invitations.check_addresses(
            self.organization,
            invitations.read_addresses(data.get("emails", ""), upload.read() if upload else None),
        )
        self.problems = [e for e in entries if e.problem is not None]
        addresses = [e.email for e in entries if e.problem is None]
        if self.problems and not data.get("skip_problems"):
            self.add_error(
                "emails",
                ngettext_lazy(
                    "%(count)d line needs attention (listed above): correct or remove it, "
                    "or choose to skip it.",
                    "%(count)d lines need attention (listed above): correct or remove them, "
                    "or choose to skip them.",
                    "count",
                )
                % {"count": len(self.problems)},
            )
        elif not addresses and not self.problems:
            self.add_error("emails", _("Enter at least one email address or choose a CSV file."))
        elif not addresses:
            self.add_error("emails", _("No line is left to invite once the others are skipped."))
        data["addresses"] = addresses
        data["names"] = {e.email: e.name for e in entries if e.problem is None and e.name}
        return data

    def problem_messages(self) -> list[str]:
        """What is wrong, line by line, in words."""
        return [self.problem_message(entry) for entry in self.problems]

    @staticmethod
    def problem_message(entry: invitations.Entry) -> str:
        Problem = invitations.Problem
        if entry.source == "csv":
            where = _("CSV file, line %(line)s") % {"line": entry.line}
        else:
            where = _("Line %(line)s") % {"line": entry.line}
        values = {"where": where, "text": entry.text, "email": entry.email}
        if entry.problem == Problem.INVALID:
            return _("%(where)s: “%(text)s” is not a valid email address.") % values
        if entry.problem == Problem.MEMBER:
            return _("%(where)s: %(email)s is already a member.") % values
        if entry.problem == Problem.PENDING:
            return _("%(where)s: %(email)s is already invited and has not answered yet.") % values
        if entry.problem == Problem.DUPLICATE and entry.first_source != entry.source:
            return _(
                "%(where)s: %(email)s is a duplicate of line %(first)s of the pasted list."
            ) % (values | {"first": entry.first_line})
        if entry.problem == Problem.DUPLICATE:
            return _("%(where)s: %(email)s is a duplicate of line %(first)s.") % (
                values | {"first": entry.first_line}
            )
        return _(
            "%(where)s: too many addresses; at most %(max)s at a time. "
            "Send this one and the rest in another batch."
        ) % (values | {"max": invitations.MAX_PER_REQUEST})


class AcceptInvitationForm(forms.Form):
    """A new person joining by invitation: their name and a password."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first, User(email=self.email, name=data.get("name", "")))
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class MemberForm(forms.ModelForm[Membership]):
    class Meta:
        model = Membership
        fields = ["role", "title"]


class TagsField(forms.CharField):
    """Areas of expertise typed as a comma-separated list."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            names = []
            for item in value:
                if isinstance(item, Expertise):
                    names.append(item.name)
                elif isinstance(item, int):
                    tag = Expertise.objects.filter(pk=item).first()
                    if tag:
                        names.append(tag.name)
            return ", ".join(names)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        names: list[str] = []
        for part in text.split(","):
            name = " ".join(part.split())[:60]
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        if len(names) > 20:
            raise ValidationError(_("At most 20 areas of expertise."))
        return names


class OrganizationProfileForm(SideBySideLanguages, forms.ModelForm[Organization]):
    # The model field's own form field: the upload is checked by content
    # (format, size, dimensions, animation) and re-encoded as it is cleaned.
    logo = Organization._meta.get_field("logo").formfield(
        label=_("Logo"), required=False, help_text=_("PNG, JPEG, WebP or GIF, up to 2 MB.")
    )
    expertise_names = TagsField(
        label=_("Areas of expertise"),
        required=False,
        help_text=_("Separate them with commas, e.g. apprenticeships, digital skills."),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "sector",
            "side",
            "mission_en",
            "mission_es",
            "description_en",
            "description_es",
            "website",
            "logo",
            "stages",
            "counties",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "stages": forms.CheckboxSelectMultiple,
            "counties": forms.CheckboxSelectMultiple,
            **{
                f"{field}_{language}": forms.Textarea(attrs={"rows": 5})
                for field in ("mission", "description")
                for language in LANGUAGE_NAMES
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name_languages()
        if self.instance.pk:
            self.fields["expertise_names"].initial = list(self.instance.expertise.all())

    def save(self, commit: bool = True) -> Organization:
        organization = super().save(commit=commit)
        if commit:
            organization.expertise.set(tags_named(self.cleaned_data.get("expertise_names", [])))
        return organization


def tags_named(names: list[str]) -> list[Expertise]:
    """The areas of expertise of these names, created when new. Names are
    matched whatever their case ("ESL" and "esl" are one tag) and in either
    language, since the form shows them in the reader's; a new one is its
    English name (staff may give it a Spanish one in the admin)."""
    tags = []
    for name in names:
        tag = (
            Expertise.objects.filter(Q(name_en__iexact=name) | Q(name_es__iexact=name))
            .order_by("pk")
            .first()
        )
        if tag is None:
            tag = Expertise.objects.create(name_en=name, slug=_unique_tag_slug(name))
        tags.append(tag)
    return tags


def _unique_tag_slug(name: str) -> str:
    base = slugify(name)[:60] or "tag"
    slug, n = base, 2
    while Expertise.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("This is not your password."))
        return str(password)


# A field people never see: software that fills every field gives itself away.
HONEYPOT = "website_confirm"


MAX_TEXT = 3000


class JoinForm(forms.ModelForm[JoinApplication]):
    website_confirm = honeypot_field()

    class Meta:
        model = JoinApplication
        fields = [
            "organization_name",
            "sector",
            "website",
            "mission",
            "side",
            "stages",
            "counties",
            "applicant_name",
            "applicant_email",
            "applicant_title",
            "message",
        ]
        labels = {
            "organization_name": _("Name of the organization"),
            "website": _("Website (optional)"),
            "mission": _("Mission statement"),
            "side": _("Which side of the continuum do you serve?"),
            "stages": _("Continuum stages you serve"),
            "counties": _("Counties you serve"),
            "applicant_name": _("Your name"),
            "applicant_email": _("Your email address"),
            "applicant_title": _("Your title (optional)"),
            "message": _("Why does your organization want to join? (optional)"),
        }
        help_texts = {
            "website": _("For example https://example.org"),
            "mission": _("A few sentences: who you serve and how."),
            "side": _(
                "Talent supply: you prepare and support people for work. "
                "Employer demand: you hire or work with employers."
            ),
            "applicant_email": _(
                "We write to you here about the application. If it is approved, the "
                "invitation to manage your organization's profile comes to this address."
            ),
            "applicant_title": _("Your role in the organization, e.g. Executive director."),
            "message": _("What you hope to give to and find in the Circle."),
        }
        widgets = {
            "organization_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
            "mission": forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TEXT}),
            "side": forms.RadioSelect,
            "stages": forms.CheckboxSelectMultiple,
            "counties": forms.CheckboxSelectMultiple,
            "applicant_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "applicant_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "applicant_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "message": forms.Textarea(attrs={"rows": 4, "maxlength": MAX_TEXT}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Some labels are questions: "Why …? (optional):" reads badly.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Where an organization serves is what the continuum map is made of.
        self.fields["stages"].required = True
        self.fields["stages"].error_messages["required"] = _("Choose at least one stage.")
        self.fields["counties"].required = True
        self.fields["counties"].error_messages["required"] = _("Choose at least one county.")
        for name in ("mission", "message"):
            self.fields[name].validators.append(MaxLengthValidator(MAX_TEXT))
        sector: Any = self.fields["sector"]
        sector.choices = [("", _("Choose a sector")), *[c for c in sector.choices if c[0]]]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())

    def clean_applicant_email(self) -> str:
        return str(self.cleaned_data["applicant_email"]).strip().lower()


def section_choices() -> list[tuple[str, str]]:
    return [(s.key, s.title) for s in digest_sections()]


class EmailPreferencesForm(forms.Form):
    digest_frequency = forms.ChoiceField(
        label=_("Digest of what is new for you"),
        choices=EmailPreferences.Frequency.choices,
        widget=forms.RadioSelect,
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections in your digest"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conversation_emails = forms.BooleanField(
        label=_("Email me when someone writes in a conversation of my organization"),
        required=False,
    )
    match_emails = forms.BooleanField(
        label=_("Email me when a match is marked with a post of my organization"),
        required=False,
    )
    language = forms.ChoiceField(label=_("Language of your emails"), choices=LANGUAGE_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = section_choices()
        cast(forms.MultipleChoiceField, self.fields["sections"]).choices = choices
        if not choices:
            del self.fields["sections"]


MAX_QUERY_LENGTH = 200


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
        help_text=_("Words from a name, a mission or an area of expertise."),
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False, widget=QuickSelect)
    stage = forms.ChoiceField(label=_("Continuum stage"), required=False, widget=QuickSelect)
    side = forms.ChoiceField(
        label=_("Side of the continuum"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Organizations serving both sides are listed under each side."),
    )
    county = forms.ChoiceField(label=_("County served"), required=False, widget=QuickSelect)
    expertise = forms.ChoiceField(label=_("Area of expertise"), required=False, widget=QuickSelect)

    def __init__(self, data: Mapping[str, Any], facets: Facets) -> None:
        # The ids are the ones the page's htmx triggers refer to.
        super().__init__(data, auto_id="directory-%s", label_suffix="")
        self._choices("sector", _("Any sector"), Organization.Sector.choices)
        self._choices("stage", _("Any stage"), [(s.key, s.localized_name) for s in facets.stages])
        self._choices("side", _("Either side"), Side.choices)
        self._choices("county", _("Any county"), [(c.key, c.name) for c in facets.counties])
        self._choices("expertise", _("Any expertise"), [(e.slug, e.name) for e in facets.expertise])

    def _choices(self, name: str, anything: Any, choices: list[tuple[str, Any]]) -> None:
        field = cast(forms.ChoiceField, self.fields[name])
        field.choices = [("", anything), *choices]

    def filters(self) -> dict[str, str]:
        """The valid filters; a field with an unknown value is left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


# --- Acting for an organization -------------------------------------------------------


class ChosenByButton(forms.HiddenInput):
    """Renders nothing: the value comes from the submit button pressed, one
    per organization the person may act for ("Post as …", "Reply as …"),
    so the button always names the organization the form acts for, with or
    without JavaScript (templates/includes/acting_buttons.html)."""

    def render(self, *args: Any, **kwargs: Any) -> Any:
        return ""


class ActingForField(forms.ModelChoiceField[Organization]):
    """The organization a form acts for (its id, sent by the button pressed).
    Its choices are set by `ActingFormMixin.act_for`: anything else, such as
    an organization the person does not belong to, is a form error."""

    widget = ChosenByButton
    default_error_messages = {
        "invalid_choice": _("You cannot act for this organization here: choose one of yours."),
        "required": _("Choose the organization you act for."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Organization.objects.none(), empty_label=None, **kwargs)

    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class ActingFormMixin(forms.BaseForm):
    """A form with an ``organization`` field (`ActingForField`), acting for
    the organization circle/access.py ``acting_organization`` chose."""

    acting: Acting | None = None

    def act_for(self, acting: Acting) -> None:
        self.acting = acting
        field = cast(ActingForField, self.fields["organization"])
        field.queryset = Organization.objects.filter(pk__in=[o.pk for o in acting.choices])
        field.initial = acting.organization.pk
        # With a single organization there is nothing to choose: its one
        # button names it, and a request without the field acts for it.
        field.required = bool(acting.others)

    def clean_organization(self) -> Organization | None:
        chosen: Organization | None = self.cleaned_data.get("organization")
        return chosen or (self.acting.organization if self.acting else None)

    def full_clean(self) -> None:
        super().full_clean()
        # The field has no visible widget: its error is said at the top.
        errors = self.errors
        if "organization" in errors:
            for message in errors.pop("organization"):
                self.add_error(None, message)
