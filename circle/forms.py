"""Forms of the organization pages, invitations and the account."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from circle import invitations
from circle.models import Expertise, Membership, Organization, User

MAX_CSV_BYTES = 1024 * 1024


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One or many: separate them with commas, spaces or new lines."),
    )
    csv_file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_("Any column holding email addresses is read. Up to 1 MB."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
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
        upload = data.get("csv_file")
        valid, invalid = invitations.parse_addresses(
            data.get("emails", ""), upload.read() if upload else None
        )
        if invalid:
            self.add_error(
                "emails",
                _("These are not email addresses: %(list)s. Correct or remove them.")
                % {"list": ", ".join(invalid[:20]) + (" …" if len(invalid) > 20 else "")},
            )
        elif not valid:
            self.add_error("emails", _("Enter at least one email address or choose a CSV file."))
        elif len(valid) > invitations.MAX_PER_REQUEST:
            self.add_error(
                "emails",
                _("At most %(max)s addresses at a time; this list has %(count)s.")
                % {"max": invitations.MAX_PER_REQUEST, "count": len(valid)},
            )
        data["addresses"] = valid
        return data


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


class OrganizationProfileForm(forms.ModelForm[Organization]):
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
            "mission",
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
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expertise_names"].initial = list(self.instance.expertise.all())

    def save(self, commit: bool = True) -> Organization:
        organization = super().save(commit=commit)
        if commit:
            organization.expertise.set(tags_named(self.cleaned_data.get("expertise_names", [])))
        return organization


def tags_named(names: list[str]) -> list[Expertise]:
    """The areas of expertise of these names, created when new (names are
    matched whatever their case, so "ESL" and "esl" are one tag)."""
    tags = []
    for name in names:
        tag = Expertise.objects.filter(name__iexact=name).first()
        if tag is None:
            tag = Expertise.objects.create(name=name, slug=_unique_tag_slug(name))
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
